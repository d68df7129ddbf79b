"""Backups and restores on real SQLite files and a real PostgreSQL server: a round trip gives
back the same database (compared as a logical dump), bad files are refused with one line and
leave the target as it was, and an older backup is migrated on restore."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.pgserver import create_database, postgres_server
from weakties.store.database import HEAD, create_engine_for, upgrade

GOLDEN = Path(__file__).parents[1] / "importers" / "golden"


def dump(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def people(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return sorted(row[0] for row in conn.execute("SELECT name FROM person"))


@pytest.fixture
def filled(cli: Cli) -> Cli:
    cli.ok("import", str(GOLDEN / "email" / "gmail.mbox"))
    cli.ok("add", "person", "Nora Khan", "--email", "nora@example.org")
    return cli


def test_a_round_trip_gives_back_the_same_database(filled: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "copy.db"
    filled.ok("backup", str(backup))
    restored = Cli(tmp_path / "restored.db")
    result = restored.ok("restore", str(backup))
    assert "restored" in result.output
    assert dump(tmp_path / "restored.db") == dump(filled.db)
    assert "Nora Khan" in people(tmp_path / "restored.db")


def test_a_backup_sees_committed_data_only(filled: Cli, tmp_path: Path) -> None:
    with closing(sqlite3.connect(filled.db)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE person SET name = 'Half Written' WHERE id = 1")
        filled.ok("backup", str(tmp_path / "copy.db"))
        writer.rollback()
    assert "Half Written" not in people(tmp_path / "copy.db")
    assert dump(tmp_path / "copy.db") == dump(filled.db)


def test_backup_and_restore_refuse_to_overwrite_without_force(filled: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "copy.db"
    filled.ok("backup", str(backup))
    again = filled("backup", str(backup))
    assert again.exit_code == 1 and "already exists" in again.output
    # a different workspace refuses to be replaced unless --force
    other = Cli(tmp_path / "other.db")
    other.ok("init", "--name", "Sam Roe", "--email", "sam@example.net")
    before = dump(tmp_path / "other.db")
    refused = other("restore", str(backup))
    assert refused.exit_code == 1 and "--force" in refused.output
    assert dump(tmp_path / "other.db") == before
    other.ok("restore", str(backup), "--force")
    assert dump(tmp_path / "other.db") == dump(filled.db)


@pytest.mark.parametrize("kind", ["junk", "foreign", "future", "truncated"])
def test_bad_backups_are_refused_and_change_nothing(filled: Cli, tmp_path: Path, kind: str) -> None:
    bad = tmp_path / "bad.db"
    if kind == "junk":
        bad.write_bytes(b"not a database at all\n" * 100)
    elif kind == "foreign":
        with closing(sqlite3.connect(bad)) as conn:
            conn.execute("CREATE TABLE notes (x)")
            conn.commit()
    else:
        filled.ok("backup", str(bad))
        if kind == "future":
            with closing(sqlite3.connect(bad)) as conn:
                conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
                conn.commit()
        else:
            data = bad.read_bytes()
            bad.write_bytes(data[: len(data) // 3])
    before = dump(filled.db)
    result = filled("restore", str(bad), "--force")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert str(bad) in lines[0] or "backup" in lines[0]
    assert dump(filled.db) == before


def test_an_older_backup_is_migrated_on_restore(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    engine = create_engine_for(f"sqlite:///{old}")
    with engine.begin() as conn:
        upgrade(conn, "0004_nudges_reviews")
    engine.dispose()
    target = Cli(tmp_path / "new.db")
    target.ok("restore", str(old))
    with closing(sqlite3.connect(tmp_path / "new.db")) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "sync_source" in tables  # made by a migration after 0004


@pytest.fixture(scope="module")
def pg_socket() -> Iterator[str]:
    with postgres_server() as socket_dir:
        yield socket_dir


def _rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    from sqlalchemy import MetaData, select

    engine = create_engine_for(url)
    meta = MetaData()
    meta.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for name, table in meta.tables.items():
            out[name] = sorted(
                (tuple(map(repr, row)) for row in conn.execute(select(table))), key=repr
            )
    engine.dispose()
    return out


def test_postgres_round_trip_with_pg_dump(pg_socket: str, tmp_path: Path) -> None:
    source = create_database(pg_socket, "backup_source")
    target = create_database(pg_socket, "backup_target")
    cli = Cli(source)  # type: ignore[arg-type]  # --db takes a URL too
    cli.ok("init", "--name", "Alex Doe", "--email", "alex@example.com")
    cli.ok("import", str(GOLDEN / "email" / "gmail.mbox"))
    archive = tmp_path / "pg.dump"
    cli.ok("backup", str(archive))
    assert archive.read_bytes()[:5] == b"PGDMP"
    into = Cli(target)  # type: ignore[arg-type]
    into.ok("init", "--name", "Sam Roe", "--email", "sam@example.net")
    refused = into("restore", str(archive))
    assert refused.exit_code == 1 and "--force" in refused.output
    into.ok("restore", str(archive), "--force")
    want, got = _rows(source), _rows(target)
    assert got == want
    assert any(row for row in want["person"])
