"""The Telegram importer: full and one-chat export goldens, times, hostile input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.importers.goldens import check_golden
from weakties.domain.records import InteractionRecord, Record, Skipped
from weakties.errors import ImportFailed
from weakties.importers.files import iter_sources
from weakties.importers.registry import ImportOptions, detect
from weakties.importers.telegram import IMPORTER, message_time

GOLDEN = Path(__file__).parent / "golden" / "telegram"


def run(path: Path, **extra: str) -> list[Record]:
    options = ImportOptions(extra=dict(extra))
    return list(IMPORTER.iter_records(path, list(iter_sources(path)), options))


@pytest.mark.parametrize(
    ("name", "golden"),
    [("result.json", "result.golden.json"), ("single_chat.json", "single_chat.golden.json")],
)
def test_golden(monkeypatch: pytest.MonkeyPatch, name: str, golden: str) -> None:
    monkeypatch.chdir(GOLDEN)
    check_golden(run(Path(name), tz="Europe/London"), GOLDEN / golden)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"date_unixtime": "1706778000"}, datetime(2024, 2, 1, 9, 0, tzinfo=UTC)),
        ({"date_unixtime": 0, "date": "2024-02-01T09:00:00"}, datetime(1970, 1, 1, tzinfo=UTC)),
        ({"date": "2024-07-01T12:00:00"}, datetime(2024, 7, 1, 10, 0, tzinfo=UTC)),  # CEST
        ({"date": "yesterday"}, None),
        ({"date_unixtime": "soon"}, None),
        ({}, None),
    ],
)
def test_message_time(message: dict[str, object], expected: datetime | None) -> None:
    assert message_time(message, ZoneInfo("Europe/Berlin")) == expected


def write(tmp_path: Path, data: object, name: str = "result.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_large_group_is_skipped(tmp_path: Path) -> None:
    messages = [
        {"id": i, "type": "message", "date_unixtime": "1706778000", "from_id": f"user{i}"}
        for i in range(1, 23)
    ]
    data = {"chats": {"list": [{"id": 7, "type": "private_supergroup", "messages": messages}]}}
    records = run(write(tmp_path, data))
    assert records == [Skipped(records[0].origin, "large group chat (more than 20 members)")]


def test_owner_comes_from_personal_information(tmp_path: Path) -> None:
    chat = {
        "id": 9,
        "type": "personal_chat",
        "name": "Bo",
        "messages": [
            {"id": 1, "type": "message", "date_unixtime": "1706778000", "from_id": "user1"},
            {"id": 2, "type": "message", "date_unixtime": "1706778060", "from_id": "user9"},
        ],
    }
    data = {"personal_information": {"user_id": 1, "first_name": "Ann"}, "chats": {"list": [chat]}}
    first, second = run(write(tmp_path, data))
    assert isinstance(first, InteractionRecord) and isinstance(second, InteractionRecord)
    assert (first.direction, second.direction) == ("outbound", "inbound")
    assert first.participants[0][0].is_me and first.participants[0][0].name == "Ann"
    assert second.participants[0][0].key == "telegram:user9"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"chats": {"list": [', "line 1"),  # cut short
        ("[1, 2, 3]", "not a Telegram export"),
        ('{"name": "a list of something else"}', "not a Telegram export"),
        ("\x00\x01binary", "binary"),
        ('{"chats": {"list": 5}}', "chats.list"),
        # Facebook Messenger's message JSON also has "messages"
        ('{"participants": [{"name": "A"}], "messages": [{"sender_name": "A"}]}', "not a Tele"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "result.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        run(path)
    assert fragment in str(caught.value) and "result.json" in str(caught.value)


def test_odd_entries_become_problems(tmp_path: Path) -> None:
    chat = {
        "id": 9,
        "type": "private_group",
        "messages": [
            "not an object",
            {"id": 2, "type": "message", "from_id": "user2"},  # no date
            {"id": 3, "type": "sticker_pack", "from_id": "user2", "date_unixtime": "1"},
        ],
    }
    records = run(write(tmp_path, {"chats": {"list": [chat, 42]}}))
    assert [type(r).__name__ for r in records] == ["Problem"] * 4
    assert [r.origin.locator for r in records] == [
        "chat 9, message #1",
        "chat 9, message 2",
        "chat 9, message 3",
        "chat 2",
    ]


def test_facebook_message_json_is_not_claimed(tmp_path: Path) -> None:
    data = {"participants": [{"name": "A"}], "messages": [{"sender_name": "A", "timestamp_ms": 1}]}
    path = write(tmp_path, data, "message_1.json")
    assert IMPORTER.sniff(path, list(iter_sources(path))) == 0.0


def test_sniff() -> None:
    path = GOLDEN / "result.json"
    assert IMPORTER.sniff(path, list(iter_sources(path))) >= 0.9
    for name in ("result.json", "single_chat.json"):
        assert detect(GOLDEN / name, list(iter_sources(GOLDEN / name))).name == "telegram"
    other = GOLDEN.parent / "calendar" / "google.ics"
    assert IMPORTER.sniff(other, list(iter_sources(other))) == 0.0
