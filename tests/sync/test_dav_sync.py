"""CardDAV and CalDAV sync against a real Radicale on a loopback port (tests/davserver.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.davserver import PASSWORD, USER, Radicale, card, event
from weakties.errors import ImportFailed
from weakties.store import schema as s
from weakties.workspace import Workspace

VCARD = "text/vcard; charset=utf-8"
ICS = "text/calendar; charset=utf-8"


@pytest.fixture
def radicale() -> Iterator[Radicale]:
    server = Radicale()
    yield server
    server.stop()


def _names(ws: Workspace) -> set[str]:
    return {p.name for p in ws.people() if not p.is_me}


def _count(ws: Workspace, table: object) -> int:
    with ws.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_carddav_incremental_changes_and_deletions(
    radicale: Radicale, ws: Workspace, tmp_path: Path
) -> None:
    radicale.make_addressbook("contacts")
    book = f"/{USER}/contacts"
    radicale.put(
        f"{book}/a.vcf", card("a-1", "Amara Osei", "amara@example.com", "Acme Bank"), VCARD
    )
    radicale.put(f"{book}/b.vcf", card("b-1", "Bruno Silva", "bruno@example.com"), VCARD)
    radicale.put(f"{book}/c.vcf", card("c-1", "Chen Wei", "chen@example.org"), VCARD)
    url = radicale.url("carddav")  # discovery: .well-known, principal, addressbook-home-set

    first = ws.sync(url, password=PASSWORD)
    assert first.fetched == 3
    assert first.counts["contact.new"] == 3
    assert _names(ws) == {"Amara Osei", "Bruno Silva", "Chen Wei"}
    assert _count(ws, s.affiliation) == 1  # Amara at Acme Bank

    again = ws.sync(url, password=PASSWORD)
    assert again.fetched == 0  # the collection's sync-token has not moved

    # one card changed, one deleted on the server
    radicale.put(f"{book}/b.vcf", card("b-1", "Bruno Silva", "bruno@example.com", "Globex"), VCARD)
    radicale.delete(f"{book}/c.vcf")
    third = ws.sync(url, password=PASSWORD)
    assert third.fetched == 1
    assert third.counts["contact.updated"] == 1
    assert third.counts["deleted"] == 1
    assert _names(ws) == {"Amara Osei", "Bruno Silva"}  # nothing else said Chen existed
    assert _count(ws, s.affiliation) == 2

    # the same cards from a file are the same records
    vcf = tmp_path / "contacts.vcf"
    vcf.write_text(
        card("a-1", "Amara Osei", "amara@example.com", "Acme Bank")
        + card("b-1", "Bruno Silva", "bruno@example.com", "Globex")
    )
    imported = ws.import_path(vcf)
    assert imported.counts["contact.unchanged"] == 2


def test_deleted_contact_with_other_evidence_stays(radicale: Radicale, ws: Workspace) -> None:
    radicale.make_addressbook("contacts")
    radicale.put(f"/{USER}/contacts/d.vcf", card("d-1", "Dana Park", "dana@example.com"), VCARD)
    url = radicale.url("carddav", f"/{USER}/contacts")  # the collection named directly
    ws.sync(url, password=PASSWORD)
    ws.note("Dana Park", "introduced me to Globex")
    radicale.delete(f"/{USER}/contacts/d.vcf")
    report = ws.sync(url, password=PASSWORD)
    assert report.counts["deleted"] == 1
    assert "Dana Park" in _names(ws)  # a note of the user's still names her
    with ws.transaction() as conn:
        left = conn.execute(
            select(func.count())
            .select_from(s.source_record)
            .where(s.source_record.c.source == "vcard")
        ).scalar_one()
    assert left == 0


def test_caldav_meetings_and_a_deleted_event(radicale: Radicale, ws: Workspace) -> None:
    radicale.make_calendar("work")
    cal = f"/{USER}/work"
    radicale.put(f"{cal}/e1.ics", event("e1@example.com", 3, ["bea@example.com"]), ICS)
    radicale.put(
        f"{cal}/e2.ics", event("e2@example.com", 4, ["bea@example.com", "cy@example.com"]), ICS
    )
    url = radicale.url("caldav")
    first = ws.sync(url, password=PASSWORD, me=["ada@example.com"])
    assert first.counts["interaction.new"] == 2
    assert _count(ws, s.interaction) == 2
    assert ws.sync(url, password=PASSWORD, me=["ada@example.com"]).fetched == 0

    radicale.delete(f"{cal}/e2.ics")
    third = ws.sync(url, password=PASSWORD, me=["ada@example.com"])
    assert third.counts["deleted"] == 1
    assert _count(ws, s.interaction) == 1
    # cy@ took part only in the deleted meeting, and that sync had brought them in
    assert _names(ws) == {"bea@example.com"}


def test_dav_wrong_password(radicale: Radicale, ws: Workspace) -> None:
    radicale.make_addressbook("contacts")
    with pytest.raises(ImportFailed, match="refused the login"):
        ws.sync(radicale.url("carddav"), password="wrong")
