"""Who you are in an export: candidates listed, names remembered, calendars matched by CN."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.importers._contacts import run
from weakties.domain.records import InteractionRecord
from weakties.errors import OwnerUnknown
from weakties.importers import calendar, whatsapp
from weakties.importers.registry import ImportOptions

GROUP = (
    "25/12/2023, 21:43 - Marta Silva: Merry Christmas climbers!\n"
    "25/12/2023, 21:44 - Robin Quist: Same to you\n"
    "25/12/2023, 21:45 - Marta Silva: Saturday?\n"
    "25/12/2023, 21:46 - Jo Park: yes\n"
    "25/12/2023, 21:47 - Marta Silva: great\n"
)
TZ = {"tz": "UTC"}


def _chat(folder: Path, name: str = "WhatsApp Chat with Climbing Crew.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(GROUP, encoding="utf-8")
    return path


def test_whatsapp_lists_the_senders_with_their_message_counts(tmp_path: Path) -> None:
    with pytest.raises(OwnerUnknown) as caught:
        run(whatsapp.IMPORTER, _chat(tmp_path), ImportOptions(extra=TZ))
    # counted by hand from GROUP: Marta 3, Jo 1, Robin 1 (ties by name)
    assert caught.value.candidates == (("Marta Silva", 3), ("Jo Park", 1), ("Robin Quist", 1))
    assert (
        "Climbing Crew.txt: cannot tell which sender is you; candidates: Marta Silva "
        "(3 messages), Jo Park (1 messages), Robin Quist (1 messages) (pass --me"
    ) in str(caught.value)


def test_whatsapp_uses_a_remembered_name_only_when_a_sender_has_it(tmp_path: Path) -> None:
    path = _chat(tmp_path)
    options = ImportOptions(extra=TZ, known_me=("robin quist", "robin@example.com"))
    records = [r for r in run(whatsapp.IMPORTER, path, options) if isinstance(r, InteractionRecord)]
    owners = {p.name for r in records for p, _ in r.participants if p.is_me}
    assert owners == {"Robin Quist"}
    with pytest.raises(OwnerUnknown):  # a remembered name nobody here has asserts nothing
        run(whatsapp.IMPORTER, path, ImportOptions(extra=TZ, known_me=("Someone Else",)))


ORGANISER_ONLY = """BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
UID:a@example.com\r
DTSTART:20240304T130000Z\r
ORGANIZER;CN=Robin Quist:mailto:robin@example.com\r
ATTENDEE;CN=Jane Roe;PARTSTAT=ACCEPTED:mailto:jane@example.org\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:b@example.com\r
DTSTART:20240305T130000Z\r
ORGANIZER;CN=Kenji Sato:mailto:kenji@example.net\r
ATTENDEE;CN=Robin Quist;PARTSTAT=ACCEPTED:mailto:robin.q@example.net\r
ATTENDEE;CN=Jane Roe;PARTSTAT=ACCEPTED:mailto:jane@example.org\r
END:VEVENT\r
END:VCALENDAR\r
"""


def _owner_addresses(records: list[object]) -> set[str]:
    return {
        i.value
        for r in records
        if isinstance(r, InteractionRecord)
        for p, _ in r.participants
        if p.is_me
        for i in p.identities
    }


def test_calendar_tie_lists_addresses_with_event_counts(tmp_path: Path) -> None:
    path = tmp_path / "cal.ics"
    one_event = ORGANISER_ONLY.split("BEGIN:VEVENT\r\nUID:b")[0] + "END:VCALENDAR\r\n"
    path.write_text(one_event, encoding="utf-8", newline="")
    with pytest.raises(
        OwnerUnknown,
        match=r"address is you; candidates: jane@example\.org \(1 events\), "
        r"robin@example\.com \(1 events\)",
    ):
        run(calendar.IMPORTER, path, ImportOptions(today="2024-06-30"))


def test_calendar_owner_by_name_counts_organiser_and_cn_addresses(tmp_path: Path) -> None:
    """Robin organises one event under one address and attends another under a second one,
    named only by CN: ``--me "Robin Quist"`` makes both theirs."""
    path = tmp_path / "cal.ics"
    path.write_text(ORGANISER_ONLY, encoding="utf-8", newline="")
    records = run(calendar.IMPORTER, path, ImportOptions(me=("Robin Quist",), today="2024-06-30"))
    assert _owner_addresses(records) == {"robin@example.com", "robin.q@example.net"}
    first, second = [r for r in records if isinstance(r, InteractionRecord)]
    assert (first.direction, second.direction) == ("outbound", "inbound")
    remembered = ImportOptions(known_me=("robin@example.com",), today="2024-06-30")
    assert _owner_addresses(run(calendar.IMPORTER, path, remembered)) == {"robin@example.com"}


def test_the_workspace_remembers_the_answer(tmp_path: Path) -> None:
    from weakties.workspace import Workspace

    first = _chat(tmp_path / "a")
    second = _chat(tmp_path / "b", "WhatsApp Chat with Board Games.txt")
    with Workspace.open(str(tmp_path / "w.db")) as ws:
        with pytest.raises(OwnerUnknown):
            ws.import_path(first)
        ws.import_path(first, me=["Robin Quist"])
        report = ws.import_path(second)  # no question the second time
        assert report.counts["interaction.new"] == 5
        assert ws.known_me() == ("Robin Quist",)


MBOX = (
    b"From x@example.com Sat Jan  1 10:00:00 2022\n"
    b"From: Ana Ruiz <ana@example.com>\nTo: robin@example.org\nSubject: hi\n"
    b"Message-ID: <1@example.com>\nDate: Sat, 1 Jan 2022 10:00:00 +0000\n\nHello\n"
)


def test_mail_lists_addresses_and_uses_a_remembered_one(tmp_path: Path) -> None:
    from weakties.importers import email

    path = tmp_path / "box.mbox"
    path.write_bytes(MBOX)
    with pytest.raises(
        OwnerUnknown,
        match=r"candidates: ana@example\.com \(1 messages\), robin@example\.org \(1 messages\)",
    ):
        run(email.IMPORTER, path)
    remembered = ImportOptions(known_me=("Robin Quist", "robin@example.org"))
    records = run(email.IMPORTER, path, remembered)
    assert _owner_addresses(records) == {"robin@example.org"}
