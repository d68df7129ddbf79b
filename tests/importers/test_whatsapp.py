"""The WhatsApp importer: iOS/Android/locale goldens, date-order inference, owner, hostile input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.importers.goldens import check_golden
from weakties.domain.records import InteractionRecord, Record, Skipped
from weakties.errors import ImportFailed
from weakties.importers.files import iter_sources
from weakties.importers.registry import ImportOptions, detect
from weakties.importers.whatsapp import IMPORTER, ChatLine, date_order, read_chat_line

GOLDEN = Path(__file__).parent / "golden" / "whatsapp"


def run(path: Path, me: tuple[str, ...] = (), **extra: str) -> list[Record]:
    options = ImportOptions(me=me, extra=dict(extra))
    return list(IMPORTER.iter_records(path, list(iter_sources(path)), options))


@pytest.mark.parametrize(
    ("name", "me", "tz", "golden"),
    [
        # iOS, day-first 24h with seconds; U+200E system lines and attachments; owner from
        # the 1:1 export's folder name
        ("WhatsApp Chat - Jane Roe", (), "Europe/London", "ios_1to1.json"),
        # iOS US: month-first, 12h with U+202F before AM/PM, "~ Name", unsaved phone number
        ("ios_us_group.txt", ("Sam Lee",), "America/New_York", "ios_us_group.json"),
        # Android day-first 24h group: system lines without a sender, continuation lines
        ("WhatsApp Chat with Climbing Crew.txt", ("robin quist",), "Europe/London", "android.json"),
        # Android Spanish: "p. m." with U+202F/U+00A0, 2-digit years, day-first from 13/2
        ("Chat de WhatsApp con Tomás Berg.txt", (), "Europe/Madrid", "android_es.json"),
        # two German chats: the owner is the one name common to both
        ("two_chats", (), "Europe/Berlin", "two_chats.json"),
    ],
)
def test_golden(
    monkeypatch: pytest.MonkeyPatch, name: str, me: tuple[str, ...], tz: str, golden: str
) -> None:
    monkeypatch.chdir(GOLDEN)
    check_golden(run(Path(name), me, tz=tz), GOLDEN / golden)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "[25/12/21, 9:41:05 PM] Jane: hi",
            ChatLine((25, 12, 21), 9, 41, 5, "p", "Jane: hi", True),
        ),
        (
            "\u200e[1/2/2024, 10:00:00\u202fa.\u00a0m.] Jane: \u200eimage omitted",
            ChatLine((1, 2, 2024), 10, 0, 0, "a", "Jane: \u200eimage omitted", True),
        ),
        ("25.12.21, 21:41 - Jane: hi", ChatLine((25, 12, 21), 21, 41, 0, None, "Jane: hi", False)),
        (
            "2021-12-25, 21:41 - Jane: hi",
            ChatLine((2021, 12, 25), 21, 41, 0, None, "Jane: hi", False),
        ),
        ("12/25/21, 9:41 PM - Jane: hi", ChatLine((12, 25, 21), 9, 41, 0, "p", "Jane: hi", False)),
        ("just a continuation line", None),
        ("25/12/21 is when we met", None),
    ],
)
def test_read_chat_line(line: str, expected: ChatLine | None) -> None:
    assert read_chat_line(line) == expected


@pytest.mark.parametrize(
    ("samples", "forced", "expected"),
    [
        ([(1, 2, 24), (13, 2, 24)], None, "dmy"),
        ([(1, 2, 24), (2, 13, 24)], None, "mdy"),
        ([(2024, 2, 1)], None, "ymd"),
        # no field above 12: the order that keeps the chat in time order wins
        ([(12, 1, 24), (1, 2, 24)], None, "dmy"),  # 12 Jan → 1 Feb, not 1 Dec → 2 Jan
        ([(1, 12, 24), (2, 1, 24)], None, "mdy"),  # 12 Jan → 1 Feb, not 1 Dec → 2 Jan
        ([(1, 12, 24), (2, 1, 24)], "dmy", "dmy"),
    ],
)
def test_date_order(samples: list[tuple[int, int, int]], forced: str | None, expected: str) -> None:
    assert date_order(samples, forced) == expected


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_ambiguous_dates_follow_time_order(tmp_path: Path) -> None:
    # day-first reads 12 Jan → 1 Feb; month-first would go back in time from 1 Dec to 2 Jan
    text = "12/01/2024, 10:00 - Ann: a\n01/02/2024, 10:00 - Bo: b\n"
    records = run(write(tmp_path, "chat.txt", text), me=("Ann",), tz="UTC")
    moments = [r.occurred_at for r in records if isinstance(r, InteractionRecord)]
    assert moments == [datetime(2024, 1, 12, 10, tzinfo=UTC), datetime(2024, 2, 1, 10, tzinfo=UTC)]


def test_one_to_one_chat_without_a_hint_is_refused(tmp_path: Path) -> None:
    text = "01/02/2024, 10:00 - Ann: a\n01/02/2024, 10:01 - Bo: b\n"
    with pytest.raises(ImportFailed) as caught:
        run(write(tmp_path, "chat.txt", text), tz="UTC")
    assert "--me" in str(caught.value) and "chat.txt" in str(caught.value)


def test_large_group_is_skipped_once(tmp_path: Path) -> None:
    text = "".join(f"01/02/2024, 10:{i:02d} - Person {i}: hi\n" for i in range(22))
    records = run(write(tmp_path, "chat.txt", text), me=("Person 0",), tz="UTC")
    assert records == [Skipped(records[0].origin, "large group chat (more than 20 members)")]


def test_invalid_dates_become_problems(tmp_path: Path) -> None:
    text = "31/01/2024, 10:00 - Ann: ok\n31/02/2024, 10:00 - Bo: no such day\n"
    records = run(write(tmp_path, "chat.txt", text), me=("Ann",), tz="UTC")
    assert [type(r).__name__ for r in records] == ["InteractionRecord", "Problem"]
    assert records[1].origin.locator == "line 2"


def test_keys_do_not_depend_on_the_time_zone(tmp_path: Path) -> None:
    path = write(tmp_path, "chat.txt", "13/01/2024, 10:00 - Ann: a\n13/01/2024, 10:00 - Bo: b\n")
    tokyo = [
        r.key for r in run(path, me=("Ann",), tz="Asia/Tokyo") if isinstance(r, InteractionRecord)
    ]
    lima = [
        r.key for r in run(path, me=("Ann",), tz="America/Lima") if isinstance(r, InteractionRecord)
    ]
    assert tokyo == lima and len(set(tokyo)) == 2


@pytest.mark.parametrize(
    "data",
    [b"name,phone\nAnn,+44 7700 900123\n", b"\x00\x01\x02\x03binary", b"", b"\n\n\n"],
)
def test_a_file_that_is_not_a_chat_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "WhatsApp Chat with Ann.txt"
    path.write_bytes(data)
    with pytest.raises(ImportFailed) as caught:
        run(path, tz="UTC")
    assert "WhatsApp Chat with Ann.txt" in str(caught.value)


@pytest.mark.parametrize(
    "name",
    [
        "WhatsApp Chat - Jane Roe",
        "ios_us_group.txt",
        "WhatsApp Chat with Climbing Crew.txt",
        "Chat de WhatsApp con Tomás Berg.txt",
        "two_chats",
    ],
)
def test_detected(name: str) -> None:
    path = GOLDEN / name
    assert IMPORTER.sniff(path, list(iter_sources(path))) >= 0.9
    assert detect(path, list(iter_sources(path))).name == "whatsapp"


def test_sniff() -> None:
    path = GOLDEN / "ios_us_group.txt"
    assert IMPORTER.sniff(path, list(iter_sources(path))) >= 0.9
    other = GOLDEN.parent / "email" / "single.eml"
    assert IMPORTER.sniff(other, list(iter_sources(other))) == 0.0


def test_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "chat.txt", "13/01/2024, 10:00 - Ann: a\n")
    with pytest.raises(ImportFailed):
        run(path, me=("Ann",), tz="Nowhere/Special")


def test_owner_who_never_wrote_is_still_a_member(tmp_path: Path) -> None:
    path = write(tmp_path, "chat.txt", "13/01/2024, 10:00 - Ann: a\n")
    (record,) = run(path, me=("me@example.com", "Robin Quist"), tz="UTC")
    assert isinstance(record, InteractionRecord) and record.direction == "inbound"
    assert [(ref.name, ref.is_me, role) for ref, role in record.participants] == [
        ("Ann", False, "from"),
        ("Robin Quist", True, "to"),
    ]
