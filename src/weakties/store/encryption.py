"""Encryption at rest for SQLite databases: SQLCipher keys, where they come from, conversions.

An encrypted database is an SQLCipher 4 file (the optional ``sqlcipher3`` package, installed
by ``pip install 'weakties[encryption]'``): every page, the header included, is encrypted, so
the file starts with random-looking bytes instead of ``SQLite format 3``. That is how weakties
tells one apart: a file with a page-sized length and no SQLite header is taken as encrypted
and opened with a key, and a wrong key reads as "not a database" — never as a traceback.

The key comes from, in order: ``WEAKTIES_DB_KEY`` (scripts and tests), the OS keyring
(service ``weakties``, the database's absolute path as the user name), or a prompt when
weakties runs on a terminal. It is never written to the database or to any file by weakties:
the keyring keeps it only when the user asks (``weakties encrypt --remember``).

Turning a database into an encrypted one and back uses ``sqlcipher_export`` into a temporary
file beside it, checked, then renamed over the original; the database is locked against writers
for the whole copy, so no commit can be lost between the copy and the rename.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys
import tempfile
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

from weakties.errors import DatabaseCorrupt, StoreError, WrongKey

KEY_ENV = "WEAKTIES_DB_KEY"
NEW_KEY_ENV = "WEAKTIES_DB_NEW_KEY"  # the new key of `weakties encrypt --change-key`
KEYRING_SERVICE = "weakties"  # the service IMAP/DAV sync passwords use too (user names differ)
SQLITE_MAGIC = b"SQLite format 3\x00"
SMALLEST_PAGE = 512  # every SQLite or SQLCipher file is a whole number of pages of ≥ 512 bytes

# keys typed at a prompt in this process, so one command (or the web app) asks only once
_typed: dict[Path, str] = {}


def sqlcipher() -> Any:
    """The ``sqlcipher3`` DB-API module, or a one-line error saying how to install it.

    Imported by name (it ships no type information); the module is only needed for
    encrypted databases, so plain ones never pay for it.
    """
    try:
        return importlib.import_module("sqlcipher3.dbapi2")
    except ImportError:
        raise StoreError(
            "encrypted databases need the sqlcipher3 package",
            hint="pip install 'weakties[encryption]'",
        ) from None


def driver_errors() -> tuple[type[Exception], ...]:
    """The DB-API error classes raw connections may raise (sqlite3's and, if present,
    SQLCipher's, which are separate classes)."""
    try:
        module = importlib.import_module("sqlcipher3.dbapi2")
    except ImportError:
        return (sqlite3.Error,)
    return (sqlite3.Error, module.Error)


def is_encrypted(path: Path) -> bool:
    """Whether ``path`` looks like an SQLCipher file: no SQLite header, a page-sized length.

    A random file may pass this test too; opening it then fails as a wrong key would, with
    a message that names both possibilities.
    """
    try:
        size = path.stat().st_size
        if not path.is_file() or size == 0 or size % SMALLEST_PAGE:
            return False
        with open(path, "rb") as handle:
            return handle.read(16) != SQLITE_MAGIC
    except OSError:
        return False


# ------------------------------------------------------------------ keys
def _user(path: Path) -> str:
    return str(path.expanduser().resolve())


def keyring_key(path: Path) -> str | None:
    """The key kept in the OS keyring for the database at ``path``, or None."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        found = keyring.get_password(KEYRING_SERVICE, _user(path))
    except (KeyringError, RuntimeError):
        return None
    return found if isinstance(found, str) and found else None


def remember_key(path: Path, key: str) -> None:
    """Keep the key of the database at ``path`` in the OS keyring (``--remember``)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        raise StoreError(
            "the keyring package is not installed", hint="pip install 'weakties[sync]'"
        ) from None
    try:
        keyring.set_password(KEYRING_SERVICE, _user(path), key)
    except (KeyringError, RuntimeError) as exc:
        raise StoreError(f"the keyring refused the key: {exc}") from None


def forget_key(path: Path) -> bool:
    """Remove the keyring's key for ``path`` (after decrypting); True when there was one."""
    try:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError
    except ImportError:
        return False
    try:
        keyring.delete_password(KEYRING_SERVICE, _user(path))
    except (PasswordDeleteError, KeyringError, RuntimeError):
        return False
    return True


def _on_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _prompt(text: str) -> str:
    import getpass

    try:
        return getpass.getpass(f"{text}: ")
    except EOFError:
        return ""


def database_key(path: Path, *, also: tuple[Path, ...] = ()) -> str:
    """The key of the encrypted database at ``path``: the environment, the keyring, a prompt.

    ``also`` names other databases whose keyring entry may hold the same key (a backup is
    encrypted with its database's key). Raises a one-line error when there is no key at all.
    """
    found = os.environ.get(KEY_ENV)
    if found:
        return found
    for candidate in (path, *also):
        typed = _typed.get(Path(_user(candidate)))
        if typed:
            return typed
    for candidate in (path, *also):
        found = keyring_key(candidate)
        if found:
            return found
    if _on_terminal():
        typed = _prompt(f"key for the encrypted database {path}")
        if typed:
            _typed[Path(_user(path))] = typed
            return typed
    raise StoreError(
        f"{path} is encrypted and no key was given",
        hint=f"set {KEY_ENV}, run on a terminal to be asked, "
        "or keep the key in the keyring with `weakties encrypt --remember`",
    )


def new_key(*, env: str = KEY_ENV) -> str:
    """A key for a database about to be encrypted: the variable ``env``, or typed twice."""
    found = os.environ.get(env)
    if found:
        key_literal(found)  # refuses a NUL before anything is changed
        return found
    if not _on_terminal():
        raise StoreError(
            "no key for the encryption", hint=f"set {env}, or run on a terminal to be asked"
        )
    first = _prompt("new key for the database")
    if not first:
        raise StoreError("the key cannot be empty")
    if _prompt("the same key again") != first:
        raise StoreError("the two keys differ; nothing was changed")
    return first


def forget_typed_keys() -> None:
    """Drop the keys typed at prompts in this process (a test, or a long process's logout)."""
    _typed.clear()


def key_literal(key: str) -> str:
    """``key`` as an SQL string literal for ``PRAGMA key`` and ``ATTACH … KEY``."""
    if not key or "\x00" in key:
        raise StoreError("a database key cannot be empty or hold a NUL character")
    return "'" + key.replace("'", "''") + "'"


# ----------------------------------------------------------- connections
def apply_key(conn: Any, key: str, where: Path | str) -> None:
    """Key a fresh SQLCipher connection and prove the key by reading the schema.

    ``PRAGMA key`` must be the first statement on the connection; a wrong key only shows on
    the first read, which is why this reads ``sqlite_master`` at once.
    """
    cursor = conn.cursor()
    try:
        cursor.execute("PRAGMA cipher_log_level = NONE")  # SQLCipher logs failures on stderr
        cursor.execute(f"PRAGMA key = {key_literal(key)}")
        cursor.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher().DatabaseError:
        conn.close()
        raise WrongKey(f"cannot open {where}: wrong key or not a weakties database") from None
    finally:
        with suppress(Exception):
            cursor.close()


def connect(
    path: Path | str, key: str | None, *, uri: bool = False, cipher: bool = False, **options: Any
) -> Any:
    """A raw DB-API connection: sqlite3 without a key, SQLCipher (keyed, checked) with one.

    ``cipher`` asks for an SQLCipher connection even without a key (a plaintext file read by
    SQLCipher, for ``sqlcipher_export`` or a backup to an encrypted copy).
    """
    if key is None and not cipher:
        return sqlite3.connect(path, uri=uri, **options)
    conn = sqlcipher().connect(str(path), uri=uri, **options)
    if key is not None:
        where = str(path).removeprefix("file:").split("?", 1)[0]
        apply_key(conn, key, where)
    return conn


def export(conn: Any, target: Path, key: str | None) -> None:
    """Copy everything the SQLCipher connection ``conn`` sees into the new file ``target``,
    encrypted with ``key`` (None: plaintext), with ``sqlcipher_export``.

    ``conn`` must be in autocommit mode (``isolation_level=None``): the export then commits as
    one statement.
    """
    attach_key = key_literal(key) if key is not None else "''"
    conn.execute(f"ATTACH DATABASE ? AS exported KEY {attach_key}", (str(target),))
    try:
        conn.execute("SELECT sqlcipher_export('exported')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA exported.user_version = {int(version)}")
    finally:
        conn.execute("DETACH DATABASE exported")


# ------------------------------------------------------------ conversions
def convert(path: Path, from_key: str | None, to_key: str | None) -> None:
    """Rewrite the SQLite database at ``path`` with another key (None: plaintext), in place.

    The copy is made with ``sqlcipher_export`` into a temporary file beside ``path`` while a
    write transaction keeps other writers out, checked, and renamed over ``path`` before the
    lock is released; a failure at any step leaves ``path`` as it was. Other programs must not
    keep the database open meanwhile (they would go on with the replaced file).
    """
    module = sqlcipher()
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    part = Path(name)
    part.unlink()  # SQLCipher makes the file itself; an empty one would read as plaintext
    try:
        with closing(module.connect(str(path), isolation_level=None)) as source:
            source.execute("PRAGMA busy_timeout = 15000")
            if from_key is not None:
                apply_key(source, from_key, path)
            else:
                source.execute("SELECT count(*) FROM sqlite_master").fetchone()
            attach_key = key_literal(to_key) if to_key is not None else "''"
            source.execute(f"ATTACH DATABASE ? AS converted KEY {attach_key}", (str(part),))
            source.execute("BEGIN IMMEDIATE")
            try:
                before = source.execute("PRAGMA main.data_version").fetchone()[0]
                source.execute("SELECT sqlcipher_export('converted')")
                version = source.execute("PRAGMA main.user_version").fetchone()[0]
                source.execute(f"PRAGMA converted.user_version = {int(version)}")
                source.execute("COMMIT")
            except BaseException:
                with suppress(Exception):
                    source.execute("ROLLBACK")
                raise
            source.execute("DETACH DATABASE converted")
            _check_copy(part, to_key)
            # an empty WAL beside the new file: no frame of the old one can be read into it
            source.execute("PRAGMA main.wal_checkpoint(TRUNCATE)")
            source.execute("BEGIN IMMEDIATE")  # writers wait until the rename is done
            try:
                # another connection's commit since the copy changes data_version
                if source.execute("PRAGMA main.data_version").fetchone()[0] != before:
                    raise StoreError(
                        f"{path} changed while it was converted; nothing was changed",
                        hint="close other weakties programs (the web app) and try again",
                    )
                os.replace(part, path)
            finally:
                source.execute("ROLLBACK")
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{part}{suffix}").unlink(missing_ok=True)


def _check_copy(part: Path, key: str | None) -> None:
    with closing(connect(part, key)) as conn:
        check = conn.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise DatabaseCorrupt(f"the converted copy failed its check: {part}")
