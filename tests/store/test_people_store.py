"""People, the ledger and search on a real SQLite file."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from weakties.domain.goals import GoalStatus, OpportunityStatus
from weakties.domain.ledger import Channel, Direction, FavorSize
from weakties.errors import Ambiguous, Conflict, InvalidInput, NotFound
from weakties.workspace import Workspace


def test_person_round_trip(ws: Workspace) -> None:
    added = ws.add_person(
        "Jane Roe",
        emails=["Jane.Roe@Example.org"],
        phones=["+44 20 7946 0958"],
        urls=["uk.linkedin.com/in/Jane-Roe"],
        org="Acme Bank",
        title="Engineering Manager",
        tags=["Fintech", "ex colleague"],
        skills=["Kubernetes"],
        location="Leeds",
        how_met="at a meetup",
        met_when="2019-05",
    )
    again = ws.person(added.id)  # type: ignore[arg-type]
    assert again == added
    assert again.given_name == "Jane" and again.family_name == "Roe"
    assert {i.value for i in again.identities} == {
        "jane.roe@example.org",
        "+442079460958",
        "https://www.linkedin.com/in/jane-roe",
    }
    assert again.tags == ("ex-colleague", "fintech")
    assert str(again.met_when) == "2019-05"
    ((aff, org),) = ws.profile(again.id).affiliations  # type: ignore[arg-type]
    assert (org, aff.title, aff.end) == ("Acme Bank", "Engineering Manager", None)


def test_identity_owned_by_someone_else_is_a_conflict(ws: Workspace) -> None:
    ws.add_person("Jane Roe", emails=["jane@example.org"])
    with pytest.raises(Conflict, match="already belongs to Jane Roe") as raised:
        ws.add_person("Janet Roe", emails=["JANE@example.org"])
    assert [r.name for r in ws.people()] == ["Jane Roe"]  # nothing half-written
    jane = ws.resolve("Jane Roe")
    # the new person was rolled back: the hint names only the one who exists
    assert raised.value.hint == (
        f"if they are the same person, add to them instead: `weakties edit {jane} …`"
    )
    other = ws.add_person("Janet Roe")
    with pytest.raises(Conflict) as raised:
        ws.edit_person(str(other.id), add_emails=["jane@example.org"])
    assert raised.value.hint == (
        f"use `weakties merge {jane} {other.id}` if they are the same person"
    )


def test_resolution_by_every_kind_of_reference(ws: Workspace) -> None:
    jane = ws.add_person("Jane Roe", emails=["jane@example.org"], urls=["linkedin.com/in/jane-roe"])
    ws.add_person("Janet Rowe", phones=["+44 7700 900123"])
    ws.add_person("Zoë Ångström")
    assert ws.resolve(str(jane.id)) == jane.id
    assert ws.resolve(f"#{jane.id}") == jane.id
    assert ws.resolve("JANE@example.org") == jane.id
    assert ws.resolve("https://www.linkedin.com/in/Jane-Roe/") == jane.id
    assert ws.resolve("jane roe") == jane.id  # exact name wins over the prefix match on Janet
    assert ws.resolve("+447700900123") == ws.resolve("Janet Rowe")
    assert ws.resolve("zoe angstrom") == ws.resolve("Zoë")  # diacritics folded
    assert ws.resolve("Jnae Roe") == jane.id  # a typo, caught by the fuzzy match
    with pytest.raises(Ambiguous) as info:
        ws.resolve("jan")
    assert len(info.value.candidates) == 2
    with pytest.raises(NotFound):
        ws.resolve("nobody@example.com")
    with pytest.raises(NotFound):
        ws.resolve("#999")


def test_search_covers_every_field(ws: Workspace) -> None:
    jane = ws.add_person(
        "Jane Roe", emails=["jroe@acmebank.example"], org="Acme Bank", title="Data Engineer"
    )
    ws.add_person("Bob Smith", tags=["climbing"], location="Leeds")
    ws.note(str(jane.id), "Knows everyone in payments")
    names = lambda q: [r.name for r in ws.people(q)]  # noqa: E731
    assert names("acme") == ["Jane Roe"]
    assert names("data eng") == ["Jane Roe"]
    assert names("jroe") == ["Jane Roe"]
    assert names("acmebank.example") == ["Jane Roe"]
    assert names("payments") == ["Jane Roe"]
    assert names("climb") == ["Bob Smith"]
    assert names("leeds") == ["Bob Smith"]
    assert names("roe smith") == []  # every word must match the same person
    assert [r.name for r in ws.people(tag="climbing")] == ["Bob Smith"]
    assert [r.name for r in ws.people(org="acme bank")] == ["Jane Roe"]
    assert [r.name for r in ws.people(title="engineer")] == ["Jane Roe"]


def test_ledger_and_profile(ws: Workspace) -> None:
    jane = ws.add_person("Jane Roe", emails=["jane@example.org"])
    bob = ws.add_person("Bob Smith")
    ws.log(["jane"], channel=Channel.EMAIL, when="2024-05-03T10:00Z", summary="catch-up")
    ws.log(
        ["jane", "bob"],
        channel=Channel.MEETING,
        when="2024-06-01T09:00Z",
        direction=Direction.INBOUND,
    )
    ws.helped("jane", "migrated their email", when="2019", size=FavorSize.MEDIUM)
    ws.helped("bob", "reviewed my CV", by_them=True)
    ws.intro("jane", "bob", when="2024-07")
    profile = ws.profile("jane")
    assert profile.interaction_count == 2
    newest = profile.interactions[0]
    assert newest.occurred_at == datetime(2024, 6, 1, 9, tzinfo=UTC)
    assert newest.direction is Direction.INBOUND
    assert {p.person_id for p in newest.participants} == {jane.id, bob.id, ws.me().id}
    assert [f.what for f in profile.favors] == ["migrated their email"]
    assert profile.favors[0].giver_id == ws.me().id
    assert profile.introductions[0].introducer_id == ws.me().id
    assert ws.profile("bob").favors[0].receiver_id == ws.me().id


def test_future_and_self_are_refused(ws: Workspace) -> None:
    ws.add_person("Jane Roe")
    with pytest.raises(InvalidInput, match="future"):
        ws.log(["jane"], when="2999-01-01T00:00Z")
    with pytest.raises(InvalidInput):
        ws.log(["me"])
    with pytest.raises(InvalidInput):
        ws.intro("jane", "jane")


def test_goals_and_opportunities(ws: Workspace) -> None:
    ws.add_person("Jane Roe")
    ws.add_person("Bob Smith")
    goal = ws.add_goal(
        "product role at a fintech", tags=["role:product manager", "industry:fintech"]
    )
    ask = ws.add_goal("looking for a designer", for_person="jane")
    assert [g.id for g in ws.goals()] == [goal.id]
    assert [g.id for g in ws.goals(for_person="jane")] == [ask.id]
    assert {t.kind.value for t in goal.tags} == {"role", "industry"}
    assert ws.set_goal_status(goal.id, GoalStatus.DONE).status is GoalStatus.DONE  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="unknown goal tag kind"):
        ws.add_goal("x", tags=["colour:blue"])
    opp = ws.add_opportunity("Product manager", org="Acme Bank", via=["bob", "jane"])
    assert [ws.person(p).name for p in opp.chain] == ["Bob Smith", "Jane Roe"]
    updated = ws.update_opportunity(opp.id, status=OpportunityStatus.OFFER, via=["jane"])  # type: ignore[arg-type]
    assert updated.status is OpportunityStatus.OFFER and len(updated.chain) == 1
    with pytest.raises(InvalidInput, match="twice"):
        ws.add_opportunity("x", via=["jane", "jane"])


def test_export_json_is_complete(ws: Workspace) -> None:
    ws.add_person("Jane Roe", emails=["jane@example.org"], org="Acme Bank")
    ws.log(["jane"], when="2024-05-03T10:00Z")
    buffer = io.StringIO()
    ws.export(buffer, "json")
    data = json.loads(buffer.getvalue())
    tables = data["tables"]
    assert [p["name"] for p in tables["person"]] == ["Alex Doe", "Jane Roe"]
    assert tables["identity"][1]["value"] == "jane@example.org"
    assert len(tables["participant"]) == 2
    csv_buffer = io.StringIO()
    ws.export(csv_buffer, "csv")
    lines = csv_buffer.getvalue().splitlines()
    assert lines[0].startswith("id,name,emails")
    assert "Jane Roe,jane@example.org,,,Acme Bank" in lines[2]
