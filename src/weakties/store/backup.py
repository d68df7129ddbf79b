"""Backups of a weakties database and restoring them: SQLite's online backup, pg_dump.

A backup is taken while the database may be in use: SQLite's online backup API copies a
consistent snapshot page by page (WAL content included), and ``pg_dump`` reads one snapshot of
a PostgreSQL database. Both write to a temporary file beside the target and rename it into
place, so an interrupted backup never leaves a half-written file under the chosen name.

Restoring checks before it touches anything: the file must be a weakties database (an SQLite
file with a version table, or a ``pg_dump`` archive holding one) at a schema revision this
version knows; an older one is migrated to the head after restoring. SQLite is restored through
the same backup API into the live database, so the WAL and any other open connection stay
consistent; PostgreSQL with ``pg_restore --clean``. An encrypted (SQLCipher) database is
backed up encrypted with its own key, and restored the same way
(:mod:`weakties.store.encryption`). A restore replaces the database's contents,
which is why the CLI refuses without ``--force`` when the target already holds data.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from weakties.errors import DatabaseCorrupt, DatabaseTooNew, StoreError

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """What a backup file holds: its engine, schema revision and people count (SQLite)."""

    path: Path
    engine: str  # "sqlite" | "postgresql"
    revision: str
    people: int | None = None
    encrypted: bool = False  # SQLCipher-encrypted (SQLite only)


def _known(revision: str | None, where: Path) -> str:
    from weakties.store.database import KNOWN_REVISIONS

    if revision is None:
        raise DatabaseCorrupt(f"not a weakties backup (no schema version): {where}")
    if revision not in KNOWN_REVISIONS:
        raise DatabaseTooNew(
            f"the backup was made by a newer weakties (schema {revision}): {where}",
            hint="upgrade weakties: pip install -U weakties",
        )
    return revision


def _temporary_beside(target: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    return Path(name)


def _check_target(target: Path) -> None:
    if target.is_dir():
        raise StoreError(f"the backup path is a folder: {target}")
    if not target.parent.is_dir():
        raise StoreError(f"the folder for the backup does not exist: {target.parent}")


# ------------------------------------------------------------------ SQLite
def backup_key(backup: Path, database: Path | None = None) -> str | None:
    """The key of an encrypted backup file (None for a plaintext one).

    A backup is encrypted with its database's key, so the keyring entry of ``database`` (the
    one being restored into) is tried after the backup's own.
    """
    from weakties.store import encryption

    if not encryption.is_encrypted(backup):
        return None
    return encryption.database_key(backup, also=(database,) if database is not None else ())


def inspect_sqlite(path: Path, *, key: str | None = None) -> BackupInfo:
    """Check that ``path`` is an intact weakties SQLite database and say what it holds.

    An encrypted file is opened with ``key``, or the key :func:`backup_key` finds.
    """
    from weakties.store import encryption

    if not path.is_file():
        raise StoreError(f"no backup file at {path}")
    encrypted = encryption.is_encrypted(path)
    if not encrypted:
        with open(path, "rb") as handle:
            if handle.read(16) != SQLITE_MAGIC:
                raise DatabaseCorrupt(f"not a weakties backup (not an SQLite file): {path}")
    elif key is None:
        key = backup_key(path)
    try:
        with closing(
            encryption.connect(f"file:{path}?mode=ro", key if encrypted else None, uri=True)
        ) as conn:
            check = conn.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise DatabaseCorrupt(f"the backup file is damaged: {path}")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                raise DatabaseCorrupt(f"not a weakties backup (no schema version): {path}")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = _known(row[0] if row else None, path)
            people = None
            if "person" in tables:
                people = int(conn.execute("SELECT count(*) FROM person").fetchone()[0])
    except encryption.driver_errors() as exc:
        raise DatabaseCorrupt(f"the backup file is damaged: {path} ({exc})") from None
    return BackupInfo(path, "sqlite", revision, people, encrypted)


def backup_sqlite(database: Path, target: Path) -> BackupInfo:
    """Copy a consistent snapshot of ``database`` (in use or not) to ``target``.

    The copy of an encrypted database is encrypted with the same key.
    """
    from weakties.store import encryption

    _check_target(target)
    if not database.is_file():
        raise StoreError(f"no database at {database}", hint="run `weakties init` first")
    key = encryption.database_key(database) if encryption.is_encrypted(database) else None
    part = _temporary_beside(target)
    try:
        with (
            closing(encryption.connect(f"file:{database}?mode=ro", key, uri=True)) as source,
            closing(encryption.connect(part, key)) as copy,
        ):
            source.execute("PRAGMA busy_timeout = 3000")
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        info = inspect_sqlite(part, key=key)
        os.replace(part, target)
    except encryption.driver_errors() as exc:
        raise StoreError(f"cannot back up {database}: {exc}") from None
    finally:
        part.unlink(missing_ok=True)
    return BackupInfo(target, info.engine, info.revision, info.people, info.encrypted)


def restore_sqlite(backup: Path, database: Path, *, key: str | None = None) -> BackupInfo:
    """Replace the contents of ``database`` with ``backup``, migrated to this version's head.

    The backup is first copied and migrated in a temporary file, so a failed migration leaves
    the database as it was; the result then goes in through the backup API in one step.
    A database that already holds data keeps its own encryption (or none): the staging copy is
    re-encrypted with the database's key, or decrypted, when the backup's differs. A new or
    empty database takes the backup's. ``key`` is the backup's key, when already known.
    """
    from weakties.store import encryption
    from weakties.store.database import HEAD, create_engine_for, ensure_schema

    if key is None:
        key = backup_key(backup, database)
    info = inspect_sqlite(backup, key=key)
    backup_secret = key if info.encrypted else None
    if not database.parent.is_dir():
        raise StoreError(f"the folder for the database does not exist: {database.parent}")
    if database.is_file() and database.stat().st_size > 0:
        live_secret = (
            encryption.database_key(database) if encryption.is_encrypted(database) else None
        )
    else:
        live_secret = backup_secret
    staging = _temporary_beside(database)
    try:
        if backup_secret == live_secret:
            with (
                closing(
                    encryption.connect(f"file:{backup}?mode=ro", backup_secret, uri=True)
                ) as source,
                closing(encryption.connect(staging, live_secret)) as copy,
            ):
                source.backup(copy)
        else:
            with closing(
                encryption.connect(
                    f"file:{backup}?mode=ro",
                    backup_secret,
                    uri=True,
                    cipher=True,
                    isolation_level=None,
                )
            ) as source:
                encryption.export(source, staging, live_secret)
        if info.revision != HEAD:
            url = f"sqlite:///{staging}"
            engine = create_engine_for(url, create=False, key=live_secret)
            try:
                ensure_schema(engine, url)
            finally:
                engine.dispose()
        with (
            closing(encryption.connect(staging, live_secret)) as source,
            closing(encryption.connect(database, live_secret)) as live,
        ):
            live.execute("PRAGMA busy_timeout = 3000")
            source.backup(live)
            live.execute("PRAGMA journal_mode = WAL")
    except encryption.driver_errors() as exc:
        raise StoreError(f"cannot restore into {database}: {exc}") from None
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{staging}{suffix}").unlink(missing_ok=True)
    return BackupInfo(database, "sqlite", HEAD, info.people, live_secret is not None)


# -------------------------------------------------------------- PostgreSQL
def _pg_tool(name: str) -> str:
    import glob

    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise StoreError(
            f"{name} is not installed", hint="install PostgreSQL's client tools (postgresql-client)"
        )
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for a SQLAlchemy URL, the password passed in the environment
    (never on a command line other users can read)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise StoreError(f"{what}: {lines[0] if lines else f'exit status {done.returncode}'}")
    return done.stdout


def inspect_pg_dump(path: Path) -> BackupInfo:
    """Check that ``path`` is a pg_dump archive of a weakties database at a known revision."""
    if not path.is_file():
        raise StoreError(f"no backup file at {path}")
    with open(path, "rb") as handle:
        if handle.read(5) != b"PGDMP":
            raise DatabaseCorrupt(f"not a weakties backup (not a pg_dump archive): {path}")
    out = _run(
        [_pg_tool("pg_restore"), "--data-only", "--table=alembic_version", "-f", "-", str(path)],
        dict(os.environ),
        f"cannot read the backup {path}",
    )
    lines = out.splitlines()
    revision = None
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines):
            revision = lines[i + 1].strip() if lines[i + 1].strip() != "\\." else None
            break
    return BackupInfo(path, "postgresql", _known(revision, path))


def postgres_holds_data(url: str) -> bool:
    """Whether the PostgreSQL database at ``url`` already holds a weakties schema."""
    from sqlalchemy import inspect

    from weakties.store.database import create_engine_for, translate_errors

    engine = create_engine_for(url)
    try:
        with translate_errors(url), engine.connect() as conn:
            return bool(inspect(conn).has_table("alembic_version"))
    finally:
        engine.dispose()


def backup_postgres(url: str, target: Path) -> BackupInfo:
    """``pg_dump`` the database at ``url`` (custom format, one snapshot) to ``target``."""
    _check_target(target)
    dsn, env = _libpq(url)
    part = _temporary_beside(target)
    try:
        _run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={part}", dsn],
            env,
            "pg_dump failed",
        )
        info = inspect_pg_dump(part)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return BackupInfo(target, info.engine, info.revision)


def restore_postgres(backup: Path, url: str) -> BackupInfo:
    """Replace the database at ``url`` with the archive ``backup`` (in one transaction), then
    migrate it to this version's head."""
    from weakties.store.database import HEAD, create_engine_for, ensure_schema

    inspect_pg_dump(backup)
    dsn, env = _libpq(url)
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={dsn}",
            str(backup),
        ],
        env,
        "pg_restore failed",
    )
    engine = create_engine_for(url)
    try:
        ensure_schema(engine, url)
    finally:
        engine.dispose()
    return BackupInfo(Path(backup), "postgresql", HEAD)
