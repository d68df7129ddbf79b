"""`weakties forget` leaves no trace of the person: not in any table, not in the search index,
the caches or the stored reviews, and not in the raw bytes of the database file or its WAL."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from weakties.workspace import Workspace

NAME = "Zebulon Quartzfield"
TRACES = (b"Zebulon", b"Quartzfield", b"zebulon.q@example.org", b"5550199887", b"Quartzcon")

VCARD = """BEGIN:VCARD
VERSION:3.0
FN:Zebulon Quartzfield
N:Quartzfield;Zebulon;;;
EMAIL:zebulon.q@example.org
TEL:+1 555 0199 887
NOTE:met at Quartzcon
ORG:Acme Bank
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Nora Khan
EMAIL:nora@example.net
ORG:Acme Bank
END:VCARD
"""


def mbox(now: datetime) -> str:
    out = []
    for i in range(6):
        when = (now - timedelta(days=30 * i + 3)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        out.append(
            f"From zebulon.q@example.org {when}\n"
            f"From: Zebulon Quartzfield <zebulon.q@example.org>\n"
            f"To: Alex Doe <alex@example.com>\n"
            f"Cc: Nora Khan <nora@example.net>\n"
            f"Subject: Quartzcon plans {i}\n"
            f"Date: {when}\n"
            f"Message-ID: <q{i}@example.org>\n\nhello\n"
        )
        out.append(
            f"From alex@example.com {when}\n"
            f"From: Alex Doe <alex@example.com>\n"
            f"To: Nora Khan <nora@example.net>\n"
            f"Subject: lunch {i}\n"
            f"Date: {when}\n"
            f"Message-ID: <n{i}@example.com>\n\nhi\n"
        )
    return "\n".join(out)


def raw(db: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-journal"):
        path = Path(f"{db}{suffix}")
        if path.exists():
            data += path.read_bytes()
    graph = Path(f"{db}.graph")
    if graph.is_dir():
        for item in graph.rglob("*"):
            if item.is_file():
                data += item.read_bytes()
    return data


def test_forget_leaves_no_trace_anywhere(cli: Cli, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    (tmp_path / "contacts.vcf").write_text(VCARD)
    (tmp_path / "mail.mbox").write_text(mbox(now))
    cli.ok("import", str(tmp_path / "contacts.vcf"))
    cli.ok("import", str(tmp_path / "mail.mbox"), "--me", "alex@example.com")
    cli.ok("note", NAME, "Zebulon owes me a Quartzcon ticket")
    cli.ok("tag", NAME, "quartz-friends")
    cli.ok("helped", NAME, "reviewed Zebulon's CV")
    cli.ok("helped-by", NAME, "intro to Quartzfield Ltd")
    cli.ok("intro", NAME, "Nora Khan")
    cli.ok("knows", NAME, "Nora Khan")
    cli.ok("rate", NAME, "strong")
    cli.ok("log", NAME, "--summary", "coffee about Quartzcon", "--channel", "in_person")
    cli.ok("ties")
    cli.ok("nudges")
    cli.ok("path", "--org", "Acme Bank")
    cli.ok("review", "--month", (now - timedelta(days=40)).strftime("%Y-%m"))
    assert any(t in raw(cli.db) for t in TRACES)  # the traces are there to be found
    cli.ok("forget", NAME, "--yes")
    with closing(sqlite3.connect(cli.db)) as conn:
        dump = "\n".join(conn.iterdump()).encode()
    left = [t for t in TRACES if t.lower() in dump.lower()]
    assert not left, f"still in the database after forget: {left}"
    on_disk = [t for t in TRACES if t.lower() in raw(cli.db).lower()]
    assert not on_disk, f"still in the raw bytes after forget: {on_disk}"
    # the rest of the workspace is intact: Nora and the mail with her stay
    shown = cli.ok("show", "Nora Khan").output
    assert "nora@example.net" in shown


def test_forget_zeroes_freed_pages_where_sqlite_would_not(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many SQLite builds (macOS's among them) leave deleted rows in freed pages: with secure
    delete turned off for every connection, forget must still leave no bytes behind, in the
    file or in its write-ahead log, even while another connection keeps the log open."""
    from weakties.store import database

    plain = database._on_sqlite_connect

    def insecure(dbapi_connection: Any, record: Any) -> None:
        plain(dbapi_connection, record)
        dbapi_connection.execute("PRAGMA secure_delete = OFF")

    monkeypatch.setattr(database, "_on_sqlite_connect", insecure)
    (tmp_path / "contacts.vcf").write_text(VCARD)
    cli.ok("import", str(tmp_path / "contacts.vcf"))
    cli.ok("note", NAME, "Zebulon owes me a Quartzcon ticket")
    with closing(sqlite3.connect(cli.db)) as reader:  # keeps the WAL from being removed
        reader.execute("SELECT count(*) FROM person").fetchone()
        with Workspace.open(str(cli.db)) as ws:
            ws.forget(NAME)
        on_disk = [t for t in TRACES if t.lower() in raw(cli.db).lower()]
    assert not on_disk, f"still in the raw bytes after forget: {on_disk}"
