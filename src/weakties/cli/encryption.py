"""Commands that encrypt the database at rest and back: encrypt and decrypt (SQLCipher)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from weakties.cli.output import ok, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _database() -> tuple[str, Path]:
    """The URL and file of the SQLite database named by ``--db``, refusing what cannot be
    encrypted here (a server database, a community with members' files)."""
    from weakties.cli.app import state
    from weakties.errors import InvalidInput
    from weakties.store.database import resolve_url, sqlite_path
    from weakties.store.partitions import partition_folder

    url = resolve_url(state.db)
    path = sqlite_path(url)
    if path is None:
        raise InvalidInput(
            "encryption at rest is for SQLite files",
            hint="encrypt a PostgreSQL server's storage on the server (see docs/security.md)",
        )
    members = partition_folder(url)
    if members is not None and members.exists():
        raise InvalidInput(
            f"a community database cannot be encrypted yet: its members' facts are in {members}"
        )
    return url, path


def _keep_copy(database: Path, copy: Path | None, force: bool) -> Path | None:
    from weakties.errors import Conflict
    from weakties.store.backup import backup_sqlite

    if copy is None:
        return None
    target = copy.expanduser()
    if target.exists() and not force:
        raise Conflict(f"{target} already exists", hint="pass --force to replace it")
    return backup_sqlite(database, target).path


def _report(data: dict[str, Any], as_json: bool, text: str) -> None:
    if as_json:
        print_json(data)
    else:
        ok(text)


def encrypt(
    remember: Annotated[
        bool, typer.Option("--remember", help="Keep the key in the OS keyring.")
    ] = False,
    keep_plain: Annotated[
        Path | None,
        typer.Option(
            "--keep-plain",
            help="Keep an unencrypted copy of the database here (a backup in plain text).",
        ),
    ] = None,
    change_key: Annotated[
        bool,
        typer.Option(
            "--change-key",
            help="The database is encrypted already: re-encrypt it with a new key "
            "(WEAKTIES_DB_NEW_KEY, or asked).",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --keep-plain file if it exists.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Encrypt the database at rest with SQLCipher (pip install 'weakties[encryption]').

    The key comes from WEAKTIES_DB_KEY or is asked twice; it is never stored, except in the
    OS keyring with --remember. Without the key the data cannot be read, by anyone. A missing
    database is created encrypted. The plaintext file is replaced (deleted, not wiped: use a
    new database for data that was never on disk in plain text). On an encrypted database,
    --remember alone puts its key in the keyring.
    """
    from weakties.errors import Conflict, InvalidInput
    from weakties.store import encryption
    from weakties.store.backup import inspect_sqlite
    from weakties.store.database import create_engine_for, ensure_schema, graph_cache_folder

    url, path = _database()
    data: dict[str, Any] = {"database": str(path), "encrypted": True}
    if encryption.is_encrypted(path):
        key = encryption.database_key(path)
        if change_key:
            if keep_plain is not None:
                raise InvalidInput("--keep-plain and --change-key do not go together")
            new = encryption.new_key(env=encryption.NEW_KEY_ENV)
            kept = encryption.keyring_key(path) == key
            encryption.convert(path, key, new)
            encryption.forget_typed_keys()
            if remember or kept:
                encryption.remember_key(path, new)
            data["remembered"] = remember or kept
            _report(data, as_json, f"{path} is encrypted with the new key")
            return
        if not remember:
            raise Conflict(
                f"{path} is already encrypted",
                hint="--change-key for a new key, --remember to keep the key in the keyring",
            )
        inspect_sqlite(path, key=key)  # proves the key before the keyring keeps it
        encryption.remember_key(path, key)
        data["remembered"] = True
        _report(data, as_json, f"the key of {path} is in the keyring")
        return
    if change_key:
        raise Conflict(f"{path} is not encrypted", hint="run `weakties encrypt` without it")
    if not path.exists() or path.stat().st_size == 0:
        key = encryption.new_key()
        path.unlink(missing_ok=True)
        engine = create_engine_for(url, key=key)
        try:
            ensure_schema(engine, url)
        finally:
            engine.dispose()
        created = True
    else:
        info = inspect_sqlite(path)  # a weakties database, intact, before anything changes
        data["people"] = info.people
        kept_copy = _keep_copy(path, keep_plain, force)
        data["plain_copy"] = str(kept_copy) if kept_copy else None
        key = encryption.new_key()
        encryption.convert(path, None, key)
        import shutil

        # the cached graph (who knows whom, how well) was in plain files beside the database
        shutil.rmtree(graph_cache_folder(url), ignore_errors=True)
        created = False
    if remember:
        encryption.remember_key(path, key)
    data["remembered"] = remember
    where = "the keyring keeps the key" if remember else "keep the key safe: nothing else opens it"
    done = "created an encrypted database" if created else "encrypted"
    _report(data, as_json, f"{done} {path}; {where}")


def decrypt(
    keep_encrypted: Annotated[
        Path | None,
        typer.Option("--keep-encrypted", help="Keep an encrypted copy of the database here."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --keep-encrypted file if it exists.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Turn an encrypted database back into a plain SQLite file (and forget its keyring key)."""
    from weakties.errors import Conflict
    from weakties.store import encryption
    from weakties.store.backup import inspect_sqlite

    _, path = _database()
    if not encryption.is_encrypted(path):
        raise Conflict(f"{path} is not encrypted")
    key = encryption.database_key(path)
    info = inspect_sqlite(path, key=key)
    kept = _keep_copy(path, keep_encrypted, force)
    encryption.convert(path, key, None)
    forgotten = encryption.forget_key(path)
    encryption.forget_typed_keys()
    data = {
        "database": str(path),
        "encrypted": False,
        "people": info.people,
        "encrypted_copy": str(kept) if kept else None,
        "keyring_entry_removed": forgotten,
    }
    _report(data, as_json, f"decrypted {path}: it is a plain SQLite file again")


def register(app: typer.Typer) -> None:
    app.command()(encrypt)
    app.command()(decrypt)
