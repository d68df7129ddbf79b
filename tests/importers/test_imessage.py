"""macOS Messages (chat.db) importer, on a database built here with the real table layout."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.importers._contacts import GOLDEN, run, sniff
from tests.importers.goldens import check_golden
from weakties.domain.ledger import Channel, Direction, InteractionKind
from weakties.domain.records import InteractionRecord, Skipped
from weakties.errors import ImportFailed
from weakties.importers.imessage import IMPORTER, SKIP_EVENT, SKIP_LARGE, apple_time

HERE = GOLDEN / "imessage"

# The columns weakties reads, as macOS (10.13 and later) declares them; other columns omitted.
SCHEMA = """
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL,
  country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT,
  UNIQUE (id, service));
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
  style INTEGER, state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT,
  service_name TEXT, room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0,
  last_addressed_handle TEXT, display_name TEXT, group_id TEXT);
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
  text TEXT, replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0,
  subject TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0,
  type INTEGER DEFAULT 0, service TEXT, account TEXT, account_guid TEXT,
  error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER, date_delivered INTEGER,
  is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_from_me INTEGER DEFAULT 0,
  item_type INTEGER DEFAULT 0, other_handle INTEGER DEFAULT 0, group_title TEXT,
  group_action_type INTEGER DEFAULT 0, associated_message_guid TEXT,
  associated_message_type INTEGER DEFAULT 0);
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE,
  message_date INTEGER DEFAULT 0, PRIMARY KEY (chat_id, message_id));
"""
# 2024-01-02 03:04:05 UTC is 725857445 s after 2001-01-01 (checked: 8401 days * 86400 + 11045)
SECONDS = 725_857_445
NANOS = SECONDS * 10**9


def build(path: Path, *, wal: bool = False) -> Path:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(SCHEMA)
    conn.executemany(
        "INSERT INTO handle (ROWID, id, service) VALUES (?, ?, ?)",
        [
            (1, "+447700900123", "iMessage"),
            (2, "ana@example.com", "iMessage"),
            (3, "+447700900456", "SMS"),
        ]
        + [(10 + i, f"p{i}@example.org", "iMessage") for i in range(20)],
    )
    conn.executemany(
        "INSERT INTO chat (ROWID, guid, style, chat_identifier) VALUES (?, ?, ?, ?)",
        [
            (1, "iMessage;-;+447700900123", 45, "+447700900123"),
            (2, "iMessage;+;chat111", 43, "chat111"),
            (3, "iMessage;+;chat222", 43, "chat222"),
        ],
    )
    joins = [(1, 1), (2, 2), (2, 3)] + [(3, 10 + i) for i in range(20)]
    conn.executemany("INSERT INTO chat_handle_join VALUES (?, ?)", joins)
    messages = [
        # rowid, guid, handle, from_me, date, item_type, associated, chat
        (1, "G1", 1, 0, NANOS, 0, 0, 1),  # received in a 1:1, nanoseconds
        (2, "G2", 0, 1, NANOS + 60 * 10**9, 0, 0, 1),  # sent, handle_id 0 as macOS writes it
        (3, "G3", 2, 0, SECONDS, 0, 0, 2),  # group, old seconds-style date
        (4, "G4", 0, 1, NANOS, 1, 0, 2),  # group renamed: an event
        (5, "G5", 3, 0, NANOS, 0, 2000, 2),  # a tapback ("loved")
        (6, "G6", 10, 0, NANOS, 0, 0, 3),  # a 21-member group
    ]
    for rowid, guid, handle, me, date, item, assoc, chat in messages:
        conn.execute(
            "INSERT INTO message (ROWID, guid, text, handle_id, is_from_me, date, item_type,"
            " associated_message_type) VALUES (?, ?, 'private', ?, ?, ?, ?, ?)",
            (rowid, guid, handle, me, date, item, assoc),
        )
        conn.execute("INSERT INTO chat_message_join VALUES (?, ?, ?)", (chat, rowid, date))
    conn.commit()
    conn.close()
    return path


def test_apple_time() -> None:
    expected = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert apple_time(SECONDS) == expected and apple_time(NANOS) == expected
    assert apple_time(0) is None


def test_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(tmp_path / "chat.db")
    monkeypatch.chdir(tmp_path)
    check_golden(run(IMPORTER, Path("chat.db")), HERE / "chat.json")


def test_what_is_kept(tmp_path: Path) -> None:
    records = run(IMPORTER, build(tmp_path / "chat.db"))
    kept = [r for r in records if isinstance(r, InteractionRecord)]
    summary = [
        (
            r.key,
            r.channel,
            r.kind,
            r.direction,
            r.participants[0][0].key,
            sorted(str(p.key) for p, _ in r.participants[1:]),
        )
        for r in kept
    ]
    assert summary == [
        (
            "imessage:G1",
            Channel.MESSAGE,
            InteractionKind.CONVERSATION,
            Direction.INBOUND,
            "imessage:+447700900123",
            ["me"],
        ),
        (
            "imessage:G2",
            Channel.MESSAGE,
            InteractionKind.CONVERSATION,
            Direction.OUTBOUND,
            "me",
            ["imessage:+447700900123"],
        ),
        (
            "imessage:G3",
            Channel.MESSAGE,
            InteractionKind.CONVERSATION,
            Direction.INBOUND,
            "imessage:ana@example.com",
            ["imessage:+447700900456", "me"],
        ),
        (
            "imessage:G5",
            Channel.SOCIAL,
            InteractionKind.LIKE,
            Direction.INBOUND,
            "imessage:+447700900456",
            ["imessage:ana@example.com", "me"],
        ),
    ]
    assert all(r.occurred_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC) for r in kept[:1])
    assert kept[1].occurred_at == datetime(2024, 1, 2, 3, 5, 5, tzinfo=UTC)
    assert [r.reason for r in records if isinstance(r, Skipped)] == [SKIP_EVENT, SKIP_LARGE]
    assert "private" not in repr(records)


def test_the_original_is_never_opened(tmp_path: Path) -> None:
    """Read from a copy: the original (WAL mode, as Messages keeps it) is byte-for-byte as it
    was, and its WAL file's newest messages are still read."""
    original = build(tmp_path / "chat.db", wal=True)
    writer = sqlite3.connect(original)  # Messages still has it open, with unmerged WAL pages
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute(
        "INSERT INTO message (ROWID, guid, handle_id, date) VALUES (7, 'G7', 1, ?)", (NANOS,)
    )
    writer.execute("INSERT INTO chat_message_join VALUES (1, 7, 0)")
    writer.commit()
    before = {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    keys = [r.key for r in run(IMPORTER, original) if isinstance(r, InteractionRecord)]
    after = {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    writer.close()
    assert before == after
    assert "imessage:G7" in keys


def test_sniff_and_bad_files(tmp_path: Path) -> None:
    assert sniff(IMPORTER, build(tmp_path / "chat.db")) > 0.9
    other = tmp_path / "other" / "chat.db"
    other.parent.mkdir()
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ImportFailed, match=r"chat\.db: not a Messages database \(no table"):
        run(IMPORTER, other)
    broken = tmp_path / "broken" / "chat.db"
    broken.parent.mkdir()
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(ImportFailed, match=r"chat\.db: "):
        run(IMPORTER, broken)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert sniff(IMPORTER, text) == 0


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    """A damaged file whose schema or handles hold bytes that are not UTF-8 never raises a
    traceback (a case the fuzzer found): the text is decoded with replacement characters."""
    path = build(tmp_path / "chat.db")
    raw = bytearray(path.read_bytes())
    at = raw.find(b"CREATE TABLE")
    assert at > 0
    raw[at + 13] = 0x80  # a stray continuation byte inside the first table's definition
    path.write_bytes(bytes(raw))
    try:
        records = list(run(IMPORTER, path))
    except ImportFailed as exc:
        assert "chat.db" in str(exc)
    else:
        assert isinstance(records, list)
    (tmp_path / "names").mkdir()
    conn = sqlite3.connect(build(tmp_path / "names" / "chat.db"))
    conn.execute("UPDATE handle SET id = CAST(X'e28080ff41' AS TEXT) WHERE ROWID = 1")
    conn.commit()
    conn.close()
    kept = list(run(IMPORTER, tmp_path / "names" / "chat.db"))
    assert kept
