"""The calendar importer: Google, Outlook and Apple goldens, recurrence bounds, hostile input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.importers.goldens import check_golden
from weakties.domain.records import InteractionRecord, Problem, Record, Skipped
from weakties.errors import ImportFailed
from weakties.importers.calendar import IMPORTER, MAX_OCCURRENCES, YEARS_BACK
from weakties.importers.files import iter_sources
from weakties.importers.registry import ImportOptions, detect

GOLDEN = Path(__file__).parent / "golden" / "calendar"
TODAY = "2024-06-30"


def run(path: Path, me: tuple[str, ...] = (), **extra: str) -> list[Record]:
    options = ImportOptions(me=me, today=TODAY, extra=dict(extra))
    return list(IMPORTER.iter_records(path, list(iter_sources(path)), options))


@pytest.mark.parametrize(
    ("name", "me", "golden"),
    [
        ("google.ics", (), "google.json"),  # owner from X-WR-CALNAME, floating in X-WR-TIMEZONE
        ("outlook.ics", (), "outlook.json"),  # Windows zone names; owner on most events
        ("apple.ics", ("sam.lee@example.org",), "apple.json"),
    ],
)
def test_golden(
    monkeypatch: pytest.MonkeyPatch, name: str, me: tuple[str, ...], golden: str
) -> None:
    monkeypatch.chdir(GOLDEN)
    check_golden(run(Path(name), me), GOLDEN / golden)


def test_sniff() -> None:
    for name in ("google.ics", "outlook.ics", "apple.ics"):
        path = GOLDEN / name
        assert IMPORTER.sniff(path, list(iter_sources(path))) >= 0.9
        assert detect(path, list(iter_sources(path))).name == "calendar"
    mbox = GOLDEN.parent / "email" / "gmail.mbox"
    assert IMPORTER.sniff(mbox, list(iter_sources(mbox))) == 0.0


def calendar(*events: str, header: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{header}{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


PEOPLE = (
    "ORGANIZER;CN=Ann:mailto:ann@example.com\n"
    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.org\n"
    "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bo@example.net"
)


def write(tmp_path: Path, data: bytes, name: str = "cal.ics") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def meetings(records: list[Record]) -> list[InteractionRecord]:
    return [r for r in records if isinstance(r, InteractionRecord)]


def test_daily_series_keeps_the_last_500_up_to_today(tmp_path: Path) -> None:
    event = f"UID:daily@example.com\nDTSTART:20100101T090000Z\nRRULE:FREQ=DAILY\n{PEOPLE}"
    found = meetings(run(write(tmp_path, calendar(event)), me=("me@example.org",)))
    assert len(found) == MAX_OCCURRENCES
    last = date.fromisoformat(TODAY)
    first = last - timedelta(days=MAX_OCCURRENCES - 1)
    assert found[0].occurred_at == datetime(first.year, first.month, first.day, 9, tzinfo=UTC)
    assert found[-1].occurred_at == datetime(last.year, last.month, last.day, 9, tzinfo=UTC)
    assert len({r.key for r in found}) == MAX_OCCURRENCES
    assert {r.thread_key for r in found} == {"daily@example.com"}


def test_monthly_series_is_cut_at_ten_years_back(tmp_path: Path) -> None:
    event = f"UID:monthly@example.com\nDTSTART:20000101T090000Z\nRRULE:FREQ=MONTHLY\n{PEOPLE}"
    found = meetings(run(write(tmp_path, calendar(event)), me=("me@example.org",)))
    today = date.fromisoformat(TODAY)
    earliest = today - timedelta(days=365 * YEARS_BACK + 2)
    expected = [
        date(y, m, 1)
        for y in range(2000, today.year + 1)
        for m in range(1, 13)
        if earliest <= date(y, m, 1) <= today
    ]
    assert [r.occurred_at.date() for r in found] == expected


def test_a_rule_that_fires_every_minute_is_refused(tmp_path: Path) -> None:
    event = f"UID:spin@example.com\nDTSTART:20100101T000000Z\nRRULE:FREQ=MINUTELY\n{PEOPLE}"
    (record,) = run(write(tmp_path, calendar(event)), me=("me@example.org",))
    assert isinstance(record, Problem) and "too often" in record.message


def test_floating_time_uses_the_tz_option(tmp_path: Path) -> None:
    event = f"UID:f@example.com\nDTSTART:20240105T090000\n{PEOPLE}"
    path = write(tmp_path, calendar(event))
    (tokyo,) = meetings(run(path, me=("me@example.org",), tz="Asia/Tokyo"))
    (berlin,) = meetings(run(path, me=("me@example.org",), tz="Europe/Berlin"))
    assert tokyo.occurred_at == datetime(2024, 1, 5, 0, tzinfo=UTC)
    assert berlin.occurred_at == datetime(2024, 1, 5, 8, tzinfo=UTC)
    with pytest.raises(ImportFailed):
        run(path, me=("me@example.org",), tz="Mars/Olympus")


def test_owner_declining_one_occurrence_skips_only_that_one(tmp_path: Path) -> None:
    series = f"UID:s@example.com\nDTSTART:20240603T090000Z\nRRULE:FREQ=WEEKLY;COUNT=3\n{PEOPLE}"
    declined = (
        "UID:s@example.com\nRECURRENCE-ID:20240610T090000Z\nDTSTART:20240610T090000Z\n"
        "ORGANIZER:mailto:ann@example.com\nATTENDEE;PARTSTAT=DECLINED:mailto:me@example.org\n"
        "ATTENDEE:mailto:bo@example.net"
    )
    records = run(write(tmp_path, calendar(series, declined)), me=("me@example.org",))
    kinds = [(type(r).__name__, getattr(r, "reason", None)) for r in records]
    assert kinds == [
        ("InteractionRecord", None),
        ("Skipped", "declined by you"),
        ("InteractionRecord", None),
    ]


def test_owner_tie_is_refused_with_a_hint(tmp_path: Path) -> None:
    event = "UID:t@example.com\nDTSTART:20240105T090000Z\nORGANIZER:mailto:a@example.com\n"
    event += "ATTENDEE:mailto:b@example.com"
    with pytest.raises(ImportFailed) as caught:
        run(write(tmp_path, calendar(event)))
    assert "--me" in str(caught.value)


def test_event_without_start_is_a_problem(tmp_path: Path) -> None:
    broken = f"UID:b@example.com\nDTSTART:not-a-date\n{PEOPLE}"
    fine = f"UID:ok@example.com\nDTSTART:20240105T090000Z\n{PEOPLE}"
    records = run(write(tmp_path, calendar(broken, fine)), me=("me@example.org",))
    assert [type(r) for r in records] == [Problem, InteractionRecord]
    assert records[0].origin.locator == "event b@example.com"


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02 not a calendar",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20240105T090000Z\r\n",  # cut short
        b"name,email\r\nAnn,ann@example.com\r\n",
        b"BEGIN:VCALENDAR\r\n\x00garbage\r\nEND:VCALENDAR\r\n",
    ],
)
def test_a_file_that_is_not_a_calendar_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ImportFailed) as caught:
        run(write(tmp_path, data), me=("me@example.org",))
    assert "cal.ics" in str(caught.value)


def test_other_files_in_a_folder_are_skipped(tmp_path: Path) -> None:
    event = f"UID:ok@example.com\nDTSTART:20240105T090000Z\n{PEOPLE}"
    write(tmp_path, calendar(event), "work.ics")
    write(tmp_path, b"just notes", "notes.txt")
    records = run(tmp_path, me=("me@example.org",))
    assert [type(r) for r in records] == [Skipped, InteractionRecord]
    assert isinstance(records[0], Skipped) and records[0].reason == "not a calendar file"
