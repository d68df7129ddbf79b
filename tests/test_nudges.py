"""Nudges and the goodwill ledger through the workspace: every rule, remembered states, decay."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from weakties.analysis.nudges import Nudge, NudgeKind, NudgeStatus
from weakties.domain.ledger import Channel, Direction, FavorSize, InteractionKind
from weakties.errors import InvalidInput
from weakties.workspace import Workspace

NOW = datetime.now(UTC)


def _log(ws: Workspace, who: str | list[str], days_ago: float, **kw: Any) -> None:
    when = (NOW - timedelta(days=days_ago)).isoformat()
    ws.log([who] if isinstance(who, str) else who, when=when, **kw)


def _keys(nudges: list[Nudge]) -> list[str]:
    return [n.key for n in nudges]


def _id(ws: Workspace, name: str) -> int:
    return ws.resolve(name)


@pytest.fixture
def dormant(ws: Workspace) -> Workspace:
    """Two dormant ties with the same (no) reach: one once strong, one never strong."""
    ws.add_person("Old Friend")
    ws.add_person("Brief Contact")
    for month in range(36):  # monthly for three years, then four silent years
        _log(ws, "Old Friend", 4 * 365 + 30 * month, channel=Channel.CALL)
    for k in range(2):
        _log(ws, "Brief Contact", 4 * 365 + 30 * k, channel=Channel.CALL)
    return ws


def test_formerly_strong_ranks_above_never_strong_with_the_same_reach(dormant: Workspace) -> None:
    out = dormant.nudges(["reconnect"])
    assert [n.names[0] for n in out] == ["Old Friend", "Brief Contact"]
    old, brief = out
    assert "36 contacts" in old.reason and "strength" in old.reason
    assert old.score > brief.score
    assert "since we last spoke on the phone" in old.draft  # the opener cites shared history
    assert old.draft.startswith("Hi Old,")


def test_reconnect_is_not_past_volume_alone(ws: Workspace) -> None:
    ws.add_goal("Join Acme Bank", tags=["org:Acme Bank"])
    ws.add_person("Chatty Colleague")
    ws.add_person("Acme Acquaintance", org="Acme Bank", title="Product Lead")
    for k in range(150):  # lots of email for five years, then four silent years
        _log(ws, "Chatty Colleague", 4 * 365 + 12 * k, channel=Channel.EMAIL)
    for k in range(6):  # six meetings over a year
        _log(ws, "Acme Acquaintance", 4 * 365 + 60 * k, channel=Channel.MEETING)
    out = ws.nudges(["reconnect"])
    assert [n.names[0] for n in out] == ["Acme Acquaintance", "Chatty Colleague"]
    assert "matches your goal “Join Acme Bank”" in out[0].reason
    assert "at Acme Bank" in out[0].draft


def test_goodwill_makes_a_silent_follower_worth_reconnecting(ws: Workspace) -> None:
    ws.add_person("Helped Follower")
    ws.add_person("Linked Only")
    for who in ("Helped Follower", "Linked Only"):
        _log(ws, who, 1500, channel=Channel.SOCIAL, kind=InteractionKind.FOLLOW)
    ws.helped("Helped Follower", "migrated their email on short notice", when="2021-11-25")
    out = ws.nudges(["reconnect"])
    assert [n.names[0] for n in out] == ["Helped Follower"]
    assert "never in conversation" in out[0].reason
    assert "I migrated your email on short notice on 25 November 2021" in out[0].draft


def test_done_snoozed_and_dismissed_stay_hidden(dormant: Workspace) -> None:
    old, brief = (f"reconnect:{_id(dormant, n)}" for n in ("Old Friend", "Brief Contact"))
    dormant.set_nudge(old, "done")
    assert _keys(dormant.nudges(["reconnect"])) == [brief]
    until = (NOW + timedelta(days=3)).date().isoformat()
    state = dormant.set_nudge(brief, "snoozed", until=until)
    assert state.status is NudgeStatus.SNOOZED and state.until is not None
    assert dormant.nudges(["reconnect"]) == []
    shown = {n.key: n.status for n in dormant.nudges(["reconnect"], include_hidden=True)}
    assert shown == {old: NudgeStatus.DONE, brief: NudgeStatus.SNOOZED}
    # the snooze runs out; "done" holds while nothing new happened
    later = NOW + timedelta(days=5)
    assert _keys(dormant.nudges(["reconnect"], now=later)) == [brief]
    dormant.set_nudge(brief, "dismissed")
    assert dormant.nudges(["reconnect"], now=NOW + timedelta(days=400)) == []


def test_snooze_defaults_to_a_month(dormant: Workspace) -> None:
    key = f"reconnect:{_id(dormant, 'Brief Contact')}"
    state = dormant.set_nudge(key, "snoozed")
    assert state.until is not None
    assert (state.until - state.updated_at) == timedelta(days=30)
    assert key not in _keys(dormant.nudges(["reconnect"], now=NOW + timedelta(days=29)))
    assert key in _keys(dormant.nudges(["reconnect"], now=NOW + timedelta(days=31)))


def test_bad_states_are_refused(ws: Workspace) -> None:
    with pytest.raises(InvalidInput):
        ws.set_nudge("nonsense", "done")
    with pytest.raises(InvalidInput):
        ws.set_nudge("reconnect:1", "maybe")
    with pytest.raises(InvalidInput):
        ws.set_nudge("reconnect:1", "done", until="2030-01-01")
    with pytest.raises(InvalidInput):
        ws.set_nudge("reconnect:1", "snoozed", until="2001-01-01")
    with pytest.raises(InvalidInput):
        ws.nudges(["gossip"])


def test_keep_warm_follows_the_layer_cadence_and_resets_on_contact(ws: Workspace) -> None:
    ws.add_person("Weekly Friend")
    ws.add_person("Monthly Friend")
    for week in range(52):  # weekly until twelve days ago: overdue for the support clique
        _log(ws, "Weekly Friend", 12 + 7 * week)
    for month in range(12):  # monthly until twelve days ago: still within its month
        _log(ws, "Monthly Friend", 12 + 30 * month)
    out = ws.nudges(["keep-warm"])
    key = f"keep-warm:{_id(ws, 'Weekly Friend')}"
    assert _keys(out) == [key]
    assert out[0].score == pytest.approx(12 / 21, abs=0.01)  # 12 days of 3 weekly cadences
    assert "once a week" in out[0].reason
    ws.set_nudge(key, "done", now=NOW - timedelta(days=1))
    assert ws.nudges(["keep-warm"]) == []
    _log(ws, "Weekly Friend", 0.1)  # a real interaction resets the clock...
    assert ws.nudges(["keep-warm"]) == []
    again = ws.nudges(["keep-warm"], now=NOW + timedelta(days=10))  # ...and the cadence runs
    assert _keys(again) == [key]


def test_thank_for_favours_not_returned(ws: Workspace) -> None:
    for name in ("Generous Giver", "Repaid Giver"):
        ws.add_person(name)
        _log(ws, name, 30)
    ws.helped(
        "Generous Giver", "reviewed my CV", when="2023-01-01", size=FavorSize.MEDIUM, by_them=True
    )
    ws.helped("Repaid Giver", "covered my talk", when="2022-03", by_them=True)
    ws.helped("Repaid Giver", "shared a job lead", when="2023")
    ws.intro("Alex Doe", "Generous Giver", by="Repaid Giver", when="2021")  # they introduced me
    out = ws.nudges(["thank"])
    giver, repaid = _id(ws, "Generous Giver"), _id(ws, "Repaid Giver")
    assert [n.people for n in out] == [(giver,)]  # the introduction came before my favour
    age = (NOW - datetime(2023, 1, 1, tzinfo=UTC)).total_seconds() / (4 * 365.25 * 86400)
    assert out[0].score == pytest.approx(math.tanh(2 * 0.5**age / 4), rel=1e-3)
    assert "thinking back to 1 January 2023, when you reviewed my CV" in out[0].draft
    ws.set_nudge(out[0].key, "done")  # thanked: hidden for good
    assert ws.nudges(["thank"], now=NOW + timedelta(days=400)) == []
    assert repaid not in {p for n in out for p in n.people}


def test_help_and_introduce(ws: Workspace) -> None:
    ws.edit_person("Alex Doe", skills=["python"])
    ws.add_person("Ann Asker")
    ws.add_person("Dee Designer", skills=["design"])
    ws.add_person("Eve Ux", skills=["ux research"])
    ws.add_person("Dan Donotask", skills=["design", "ux research"], do_not_ask=True)
    for who in ("Ann Asker", "Dee Designer", "Eve Ux", "Dan Donotask"):
        _log(ws, who, 20)
    for k in range(4):  # Ann and Eve meet with me every week: they know each other
        _log(ws, ["Ann Asker", "Eve Ux"], 3 + 7 * k, channel=Channel.MEETING)
    py = ws.add_goal("Need a Python reviewer", tags=["skill:python"], for_person="Ann Asker")
    design = ws.add_goal("Looking for a designer", tags=["skill:design"], for_person="Ann Asker")
    ux = ws.add_goal("Who knows UX research?", tags=["skill:ux research"], for_person="Ann Asker")
    ws.add_goal("My own goal is not an ask", tags=["skill:python"])
    ann, dee, eve = (_id(ws, n) for n in ("Ann Asker", "Dee Designer", "Eve Ux"))

    helps = {n.key: n for n in ws.nudges(["help"])}
    assert set(helps) == {f"help:{py.id}", f"help:{ux.id}"}
    assert helps[f"help:{py.id}"].people == (ann,)
    assert "you know python" in helps[f"help:{py.id}"].reason
    assert helps[f"help:{ux.id}"].people == (ann, eve)  # a pointer: they know each other
    assert "probably knows them already" in helps[f"help:{ux.id}"].reason

    intros = ws.nudges(["introduce"])
    assert _keys(intros) == [f"introduce:{min(ann, dee)}-{max(ann, dee)}"]  # never Dan
    assert "Would you be open to an introduction?" in intros[0].draft
    assert f"“{design.text}”" in intros[0].reason
    ws.intro("Ann Asker", "Dee Designer")  # made: no longer suggested
    assert ws.nudges(["introduce"]) == []


def test_nudges_interleave_kinds(dormant: Workspace) -> None:
    dormant.add_person("Giver")
    _log(dormant, "Giver", 10)
    dormant.helped("Giver", "lent me a camera", when="2025", by_them=True)
    out = dormant.nudges(limit=2)
    assert [n.kind for n in out] == [NudgeKind.RECONNECT, NudgeKind.THANK]


def test_goodwill_balance_decays_by_hand(ws: Workspace) -> None:
    ws.add_person("Bob Smith")
    ws.add_person("Carol Diaz")
    ws.helped("Bob Smith", "reviewed my CV", when="2023-01-01", size=FavorSize.LARGE, by_them=True)
    ws.helped("Bob Smith", "fixed their laptop", when="2025-01-01", size=FavorSize.SMALL)
    ws.intro("Bob Smith", "Carol Diaz", when="2019-01-01")  # by me: a service to both
    at = datetime(2027, 1, 1, tzinfo=UTC)  # 1461, 730 and 2922 days after the entries
    small = 0.5 ** (730 / 1461)  # 1461 days are exactly four years of 365.25 days
    (bob,) = ws.goodwill("Bob Smith", now=at)
    assert bob.received == pytest.approx(4 * 0.5)
    assert bob.given == pytest.approx(1 * small + 2 * 0.25)
    assert bob.balance == pytest.approx(bob.given - 2.0)
    assert [(e.direction, e.kind, e.weight) for e in bob.entries] == [
        ("given", "introduction", 2.0),
        ("received", "favour", 4.0),
        ("given", "favour", 1.0),
    ]
    assert bob.entries[0].what == "introduced them to Carol Diaz"
    everyone = ws.goodwill(now=at)
    assert [(b.name, round(b.balance, 3)) for b in everyone] == [
        ("Carol Diaz", 0.5),
        ("Bob Smith", round(small + 0.5 - 2.0, 3)),
    ]
    with pytest.raises(InvalidInput):
        ws.goodwill("Alex Doe")


def test_goodwill_raises_willingness_and_ranking(ws: Workspace) -> None:
    ws.add_person("Helped A Lot")
    ws.add_person("Not Helped")
    for who in ("Helped A Lot", "Not Helped"):
        for k in range(2):
            _log(ws, who, 4 * 365 + 30 * k, direction=Direction.INBOUND)
    ws.helped("Helped A Lot", "mentored them", when="2024", size=FavorSize.LARGE)
    out = ws.nudges(["reconnect"])
    assert [n.names[0] for n in out] == ["Helped A Lot", "Not Helped"]


def test_cli(cli: Any) -> None:
    cli.ok("add", "person", "Old Friend")
    for month in range(24):
        when = (NOW - timedelta(days=4 * 365 + 30 * month)).isoformat()
        cli.ok("log", "Old Friend", "-c", "call", "--when", when)
    cli.ok("helped-by", "Old Friend", "reviewed my CV", "--when", "2023")
    text = cli.ok("nudges", "--draft").output
    assert "reconnect" in text and "Old Friend" in text and "Hi Old," in text
    rows = json.loads(cli.ok("nudges", "--kind", "thank", "--json").output)
    assert [r["kind"] for r in rows] == ["thank"]
    key = rows[0]["key"]
    assert "snoozed until" in cli.ok("nudge", "snooze", key, "--until", "2099-01-01").output
    assert json.loads(cli.ok("nudges", "-k", "thank", "--json").output) == []
    hidden = json.loads(cli.ok("nudges", "-k", "thank", "--hidden", "--json").output)
    assert hidden[0]["status"] == "snoozed"
    cli.ok("nudge", "done", key)
    cli.ok("nudge", "dismiss", key)
    bad = cli("nudge", "done", "whatever")
    assert bad.exit_code == 1 and "not a nudge key" in bad.output
    assert cli("nudges", "--kind", "gossip").exit_code == 1
    one = json.loads(cli.ok("goodwill", "Old Friend", "--json").output)
    assert one["received"] > 0 and one["entries"][0]["direction"] == "received"
    assert "Old Friend" in cli.ok("goodwill").output
    assert "reviewed my CV" in cli.ok("goodwill", "Old Friend").output
