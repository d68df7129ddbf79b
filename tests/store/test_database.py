"""Opening databases: migrations from empty, versions, corrupt and locked files, bad paths."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from weakties.errors import DatabaseCorrupt, DatabaseLocked, DatabaseTooNew, StoreError
from weakties.store.database import HEAD, KNOWN_REVISIONS
from weakties.store.schema import metadata
from weakties.workspace import Workspace


def test_migrations_from_empty_match_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Workspace.open(str(path)).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], f"migrations and schema.py disagree: {diff}"


def test_known_revisions_match_the_migration_scripts() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(metadata_path()).parent / "migrations"))
    script = ScriptDirectory.from_config(config)
    assert script.get_heads() == [HEAD]
    chain = [rev.revision for rev in script.walk_revisions()][::-1]
    assert tuple(chain) == KNOWN_REVISIONS


def metadata_path() -> str:
    import weakties.store.schema as schema

    return schema.__file__


def test_sqlite_settings(tmp_path: Path) -> None:
    ws = Workspace.open(str(tmp_path / "w.db"))
    with ws.transaction() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    ws.close()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Workspace.open(str(path)).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(DatabaseTooNew, match="newer weakties"):
        Workspace.open(str(path))


def test_corrupt_and_foreign_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DatabaseCorrupt, match="not a weakties database"):
        Workspace.open(str(junk))
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE photos (id INTEGER)")
    with pytest.raises(DatabaseCorrupt, match="not made by weakties"):
        Workspace.open(str(other))
    damaged = tmp_path / "damaged.db"
    Workspace.open(str(damaged)).close()
    data = bytearray(damaged.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page, keep the header
    damaged.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorrupt):
        Workspace.open(str(damaged))


def test_locked_database(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    ws = Workspace.open(str(path))
    ws.init("Alex Doe")
    holder = sqlite3.connect(path, timeout=0.1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with ws.transaction() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout = 100")
            with pytest.raises(DatabaseLocked, match="locked"):
                ws.add_person("Jane Roe")
    finally:
        holder.rollback()
        holder.close()
    assert ws.add_person("Jane Roe").name == "Jane Roe"  # usable again once released
    ws.close()


def test_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Workspace.open(str(tmp_path / "missing" / "w.db"))
    with pytest.raises(StoreError, match="folder"):
        Workspace.open(str(tmp_path))
    with pytest.raises(StoreError, match="no database"):
        Workspace.open(str(tmp_path / "absent.db"), create=False)


def test_env_var_selects_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("WEAKTIES_DB", str(path))
    Workspace.open().close()
    assert path.exists()


def test_upgrade_keeps_existing_data(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from weakties.store.database import create_engine_for, upgrade

    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    with engine.begin() as conn:
        upgrade(conn, KNOWN_REVISIONS[0])
        now = datetime.now(UTC).replace(tzinfo=None)
        conn.execute(
            text(
                "INSERT INTO person (id, name, is_me, do_not_ask, created_at, updated_at) "
                "VALUES (1, 'Alex Doe', 1, 0, :t, :t), (2, 'Jane Roe', 0, 0, :t, :t)"
            ),
            {"t": now},
        )
    engine.dispose()
    ws = Workspace.open(str(path))  # upgrades to the head on open
    with ws.transaction() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    assert ws.me().name == "Alex Doe"
    assert ws.person("Jane Roe").id == 2
    ws.knows("Jane Roe", "me")  # a table added by a later migration works
    ws.close()
