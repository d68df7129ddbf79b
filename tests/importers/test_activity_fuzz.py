"""Fuzzing the activity importers: random bytes and mutated golden inputs give records or
:class:`ImportFailed`, never any other exception (sniffing included)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.importers.test_imessage import build as build_chat_db
from weakties.domain.records import (
    ContactRecord,
    FavorRecord,
    InteractionRecord,
    Problem,
    RelationRecord,
    Skipped,
)
from weakties.errors import ImportFailed
from weakties.importers import calendar, email, imessage, mastodon, telegram, twitter, whatsapp
from weakties.importers.files import iter_sources
from weakties.importers.registry import Importer, ImportOptions

GOLDEN = Path(__file__).parent / "golden"
# a chat.db is a binary file: built by the Messages importer's test builder, never committed
_SEEDS = tempfile.TemporaryDirectory(prefix="weakties-fuzz-seeds-")
CHAT_DB = build_chat_db(Path(_SEEDS.name) / "chat.db")
RECORD_TYPES = (ContactRecord, InteractionRecord, FavorRecord, RelationRecord, Problem, Skipped)

# importer, file name to write, a valid input to mutate, options that let it run to the end
CASES: list[tuple[Importer, str, Path, ImportOptions]] = [
    (email.IMPORTER, "box.mbox", GOLDEN / "email" / "gmail.mbox", ImportOptions()),
    (
        email.IMPORTER,
        "one.eml",
        GOLDEN / "email" / "single.eml",
        ImportOptions(me=("robin.quist@example.com",)),
    ),
    (
        calendar.IMPORTER,
        "cal.ics",
        GOLDEN / "calendar" / "google.ics",
        ImportOptions(today="2024-06-30"),
    ),
    (
        whatsapp.IMPORTER,
        "WhatsApp Chat with Climbing Crew.txt",
        GOLDEN / "whatsapp" / "WhatsApp Chat with Climbing Crew.txt",
        ImportOptions(me=("Robin Quist",), extra={"tz": "UTC"}),
    ),
    (
        telegram.IMPORTER,
        "result.json",
        GOLDEN / "telegram" / "result.json",
        ImportOptions(extra={"tz": "UTC"}),
    ),
    (
        mastodon.IMPORTER,
        "following_accounts.csv",
        GOLDEN / "fuzz" / "following_accounts.csv",
        ImportOptions(),
    ),
    (
        twitter.IMPORTER,
        "direct-messages.js",
        GOLDEN / "fuzz" / "direct-messages.js",
        ImportOptions(),
    ),
    (imessage.IMPORTER, "chat.db", CHAT_DB, ImportOptions()),
]
IDS = ["mbox", "eml", "ics", "whatsapp", "telegram", "mastodon", "twitter", "chatdb"]


def check(importer: Importer, name: str, data: bytes, options: ImportOptions) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        sources = list(iter_sources(path))
        score = importer.sniff(path, sources)
        assert 0.0 <= score <= 1.0
        try:
            records = list(importer.iter_records(path, sources, options))
        except ImportFailed as exc:
            assert name in str(exc) or str(Path(tmp)) in str(exc)
            return
    for record in records:
        assert isinstance(record, RECORD_TYPES)
        if isinstance(record, InteractionRecord):
            assert record.occurred_at.utcoffset() is not None
            assert record.participants


def _mutate(data: bytes, edits: list[tuple[int, int, int, bytes]]) -> bytes:
    """Apply (kind, position, length, bytes) edits: delete, insert, overwrite, duplicate."""
    for kind, position, length, chunk in edits:
        at = position % (len(data) + 1)
        if kind == 0:
            data = data[:at] + data[at + length :]
        elif kind == 1:
            data = data[:at] + chunk + data[at:]
        elif kind == 2:
            data = data[:at] + chunk + data[at + len(chunk) :]
        else:
            data = data[:at] + data[at : at + length] * 2 + data[at + length :]
    return data


_edits = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.integers(0, 1 << 16),
        st.integers(0, 400),
        st.one_of(
            st.binary(max_size=40),
            st.sampled_from(
                [
                    b"\nFrom x Mon Jan  1 00:00:00 2024\n",
                    b"\r\n",
                    b"=?utf-8?q?=FF?=",
                    b"\xff\xfe",
                    b"RRULE:FREQ=SECONDLY\r\n",
                    b"END:VEVENT\r\n",
                    "\u200e".encode(),
                    b"13/13/13, 25:61 - ",
                    b'{"messages": [',
                    b"null",
                ]
            ),
        ),
    ),
    min_size=1,
    max_size=6,
)

# WEAKTIES_FUZZ_EXAMPLES=5000 for a long hunt; the default keeps the file under ~20 s
_settings: Callable[[Callable[..., None]], Callable[..., None]] = settings(
    max_examples=int(os.environ.get("WEAKTIES_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.parametrize(("importer", "name", "valid", "options"), CASES, ids=IDS)
@_settings
@given(data=st.binary(max_size=2048))
def test_random_bytes(
    importer: Importer, name: str, valid: Path, options: ImportOptions, data: bytes
) -> None:
    check(importer, name, data, options)


@pytest.mark.parametrize(("importer", "name", "valid", "options"), CASES, ids=IDS)
@_settings
@given(edits=_edits)
def test_mutated_valid_files(
    importer: Importer,
    name: str,
    valid: Path,
    options: ImportOptions,
    edits: list[tuple[int, int, int, bytes]],
) -> None:
    check(importer, name, _mutate(valid.read_bytes(), edits), options)


@pytest.mark.parametrize(("importer", "name", "valid", "options"), CASES, ids=IDS)
@_settings
@given(cut=st.integers(0, 1 << 16))
def test_truncated_valid_files(
    importer: Importer, name: str, valid: Path, options: ImportOptions, cut: int
) -> None:
    data = valid.read_bytes()
    check(importer, name, data[: cut % (len(data) + 1)], options)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_telegram_message = st.fixed_dictionaries(
    {},
    optional={
        "id": _json,
        "type": st.sampled_from(["message", "service"]) | _json,
        "from": _json,
        "from_id": st.sampled_from(["user1", "user2", 3]) | _json,
        "actor_id": st.sampled_from(["user1", "user2"]) | _json,
        "action": st.just("phone_call") | _json,
        "date": st.sampled_from(["2024-01-01T10:00:00", "2024-13-01T99:00:00"]) | _json,
        "date_unixtime": st.sampled_from(["1700000000", "-99999999999999", "9" * 30]) | _json,
    },
)
_telegram_chat = st.fixed_dictionaries(
    {},
    optional={
        "id": _json,
        "name": _json,
        "type": st.sampled_from(["personal_chat", "private_group", "public_channel"]) | _json,
        "messages": st.lists(_telegram_message | _json, max_size=5) | _json,
    },
)
_telegram_export = st.fixed_dictionaries(
    {"chats": st.fixed_dictionaries({}, optional={"list": st.lists(_telegram_chat, max_size=3)})},
    optional={
        "personal_information": st.fixed_dictionaries(
            {},
            optional={
                "user_id": _json,
                "first_name": _json,
                "phone_number": _json,
                "username": _json,
            },
        )
        | _json,
        "contacts": st.fixed_dictionaries({}, optional={"list": st.lists(_json, max_size=3)})
        | _json,
        "messages": st.lists(_telegram_message, max_size=3),
    },
)


@_settings
@given(export=_telegram_export)
def test_telegram_export_shapes(export: dict[str, object]) -> None:
    data = json.dumps(export).encode()
    check(telegram.IMPORTER, "result.json", data, ImportOptions(extra={"tz": "UTC"}))


_chat_line = st.builds(
    lambda a, b, c, h, m, mer, ios, name, text: (
        f"[{a}/{b}/{c}, {h}:{m:02d}:00{mer}] {name}: {text}"
        if ios
        else f"{a}/{b}/{c}, {h}:{m:02d}{mer} - {name}: {text}"
    ),
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(0, 2100),
    st.integers(0, 30),
    st.integers(0, 99),
    st.sampled_from(["", " AM", "\u202fPM", " p.\u00a0m.", " a.m."]),
    st.booleans(),
    st.sampled_from(["Robin Quist", "+44 7700 900123", "+1 (555)", "~\u202fWei", "", "\u200e"]),
    st.text(max_size=20).map(lambda t: t.replace("\n", " ")),
)


@_settings
@given(lines=st.lists(_chat_line | st.text(max_size=30), min_size=1, max_size=12))
def test_whatsapp_line_shapes(lines: list[str]) -> None:
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    options = ImportOptions(me=("Robin Quist",), extra={"tz": "UTC"})
    check(whatsapp.IMPORTER, "WhatsApp Chat with Ann.txt", data, options)


_header_value = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "=?utf-8?q?=E2=82?= <a@example.com>",
            '"unterminated <b@example.com>',
            "a@example.com (comment (nested)",
            "Group: a@example.com, b@example.com;",
            "<>",
            "Mon, 31 Feb 2024 25:61:61 +9999",
            "Thu, 1 Jan 1970 00:00:00 -0000",
        ]
    ),
)


@_settings
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["From", "To", "Cc", "Date", "Message-ID", "References", "X-Gmail-Labels"]
            ),
            _header_value,
        ),
        max_size=8,
    )
)
def test_mbox_header_shapes(fields: list[tuple[str, str]]) -> None:
    header = "".join(f"{name}: {value.replace(chr(10), ' ')}\n" for name, value in fields)
    data = f"From x Mon Jan  1 00:00:00 2024\n{header}\nbody\n".encode("utf-8", "surrogatepass")
    options = ImportOptions(me=("a@example.com",))
    check(email.IMPORTER, "box.mbox", data, options)
