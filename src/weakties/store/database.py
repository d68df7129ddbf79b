"""Opening a weakties database: where it lives, engine settings, and schema version checks.

SQLite is the default (a file in the user data directory, WAL and foreign keys on); any
SQLAlchemy URL (``postgresql+psycopg://…``) gives a shared server. A SQLite file encrypted with
SQLCipher (:mod:`weakties.store.encryption`) opens the same way once its key is known: the key
is applied first on every connection, then the same settings. Opening checks the schema
version cheaply (one query) and only imports Alembic when a migration must actually run, which
keeps CLI start-up fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from weakties.errors import DatabaseCorrupt, DatabaseLocked, DatabaseTooNew, StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

ENV_VAR = "WEAKTIES_DB"
# Every migration this version knows, oldest first; the last one is the head.
KNOWN_REVISIONS: tuple[str, ...] = (
    "0001_initial",
    "0002_knows_merge_queue",
    "0003_tie_cache",
    "0004_nudges_reviews",
    "0007_sync_sources",
    "0008_community",
)
HEAD = KNOWN_REVISIONS[-1]
SQLITE_MAGIC = b"SQLite format 3\x00"


def default_path() -> Path:
    """The per-user database file (``~/.local/share/weakties/weakties.db`` on Linux)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("weakties", appauthor=False)) / "weakties.db"


def resolve_url(db: str | None = None) -> str:
    """Turn ``--db`` / ``WEAKTIES_DB`` (a path or a SQLAlchemy URL) into a URL."""
    value = db or os.environ.get(ENV_VAR) or ""
    if "://" in value:
        return value
    path = Path(value).expanduser() if value else default_path()
    return f"sqlite:///{path.resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other engines and in-memory databases."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    if not rest or rest == ":memory:":
        return None
    return Path(rest.split("?", 1)[0])


def graph_cache_folder(url: str) -> Path:
    """Where the introduction graph built from the database at ``url`` is cached on disk."""
    path = sqlite_path(url)
    if path is not None:
        return path.with_name(path.name + ".graph")
    import hashlib

    from platformdirs import user_cache_dir

    digest = hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:16]
    return Path(user_cache_dir("weakties", appauthor=False)) / f"graph-{digest}"


def _check_sqlite_file(path: Path, *, create: bool) -> bool:
    """Refuse paths that cannot hold a database; True when the file is SQLCipher-encrypted."""
    from weakties.store.encryption import is_encrypted

    if path.is_dir():
        raise StoreError(f"database path is a folder, not a file: {path}")
    if path.exists():
        if not os.access(path, os.R_OK):
            raise StoreError(f"cannot read the database file: {path}")
        if is_encrypted(path):
            return True
        with open(path, "rb") as handle:
            head = handle.read(16)
        if head and head != SQLITE_MAGIC:
            raise DatabaseCorrupt(
                f"not a weakties database (not an SQLite file): {path}",
                hint="pass --db with the right file, or move this one away",
            )
        return False
    parent = path.parent
    if not create:
        raise StoreError(f"no database at {path}", hint="run `weakties init` first")
    if not parent.exists():
        if parent == default_path().parent:
            parent.mkdir(parents=True, exist_ok=True)
        else:
            raise StoreError(f"the folder for the database does not exist: {parent}")
    if not os.access(parent, os.W_OK):
        raise StoreError(f"cannot write a database in {parent}")
    return False


BUSY_TIMEOUT_MS = 15_000


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # an import through the web app holds the write lock for a few seconds; a CLI import or a
    # sync starting meanwhile waits for it rather than failing (bench/web_bench.py --mixed)
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def create_engine_for(url: str, *, create: bool = True, key: str | None = None) -> Engine:
    """Build an engine for ``url`` with weakties' settings (foreign keys, WAL on SQLite).

    An encrypted SQLite file is opened through SQLCipher with ``key``, or the key found by
    :func:`weakties.store.encryption.database_key`; with ``key`` given, a new file is created
    encrypted.
    """
    from sqlalchemy import create_engine, event

    path = sqlite_path(url)
    options: dict[str, Any] = {}
    if path is not None:
        from weakties.store import encryption

        if _check_sqlite_file(path, create=create) and key is None:
            key = encryption.database_key(path)
        if key is not None:
            options["module"] = encryption.sqlcipher()
    try:
        engine = create_engine(url, **options)
    except Exception as exc:  # a malformed URL, an uninstalled driver
        raise StoreError(f"cannot use database URL {url!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        if path is not None and key is not None:
            _use_key(engine, path, key)
        event.listen(engine, "connect", _on_sqlite_connect)
        if path is not None:
            with translate_errors(url), engine.connect() as conn:
                mode = conn.exec_driver_sql("PRAGMA journal_mode = WAL").scalar()
                if mode is None:
                    raise DatabaseCorrupt(f"not a weakties database: {path}")
    return engine


def _use_key(engine: Engine, path: Path, key: str) -> None:
    """Make every connection of ``engine`` an SQLCipher one keyed with ``key`` before any
    other statement (SQLAlchemy's ``do_connect`` hook runs before its own first queries)."""
    from sqlalchemy import event

    from weakties.store.encryption import apply_key

    def connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        conn = dialect.loaded_dbapi.connect(*cargs, **cparams)
        apply_key(conn, key, path)
        return conn

    event.listen(engine, "do_connect", connect)


class translate_errors:
    """Turn driver errors into weakties' one-line store errors (locked, corrupt, unreachable)."""

    def __init__(self, where: str) -> None:
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> Literal[False]:
        if exc is None:
            return False
        from sqlalchemy.exc import DatabaseError, OperationalError

        if isinstance(exc, OperationalError | DatabaseError):
            text = str(exc.orig if hasattr(exc, "orig") else exc).lower()
            where = _display(self.where)
            if "locked" in text or "busy" in text:
                raise DatabaseLocked(
                    f"the database is locked by another program: {where}",
                    hint="close the other weakties process and try again",
                ) from None
            if "not a database" in text or "malformed" in text or "corrupt" in text:
                raise DatabaseCorrupt(f"the database file is damaged: {where}") from None
            if "unable to open" in text or "readonly" in text or "read-only" in text:
                raise StoreError(f"cannot open the database for writing: {where}") from None
            if isinstance(exc, OperationalError):
                raise StoreError(f"database error on {where}: {text.splitlines()[0]}") from None
        return False


def _display(url: str) -> str:
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the database"


def current_revision(conn: Connection) -> str | None:
    """The Alembic revision stored in the database, or None for an empty database."""
    from sqlalchemy import inspect, text

    if not inspect(conn).has_table("alembic_version"):
        if inspect(conn).get_table_names():
            raise DatabaseCorrupt("this database was not made by weakties (no version table)")
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ensure_schema(engine: Engine, url: str) -> None:
    """Create or upgrade the schema to this version's head; refuse databases from the future."""
    with translate_errors(url), engine.begin() as conn:
        revision = current_revision(conn)
        if revision == HEAD:
            return
        if revision is not None and revision not in KNOWN_REVISIONS:
            raise DatabaseTooNew(
                f"this database was made by a newer weakties (schema {revision})",
                hint="upgrade weakties: pip install -U weakties",
            )
        upgrade(conn)


def upgrade(conn: Connection, target: str = "head") -> None:
    """Run the Alembic migrations on an open connection (in its transaction)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = conn
    command.upgrade(config, target)
