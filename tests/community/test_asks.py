"""Asking through a member: the request waits for the broker's yes, then both ledgers record it."""

from __future__ import annotations

from pathlib import Path

import pytest

from weakties.domain.community import AskStatus, Sharing
from weakties.errors import Conflict, InvalidInput, NotFound
from weakties.workspace.community import Community


@pytest.fixture
def c(tmp_path: Path) -> Community:
    c = Community.open(str(tmp_path / "c.db"))
    c.init("Example Alumni")
    c.add_member("alice", "Alice Adams", emails=["alice@members.example.com"], sharing=Sharing.FULL)
    c.add_member("bob", "Bob Brown", emails=["bob@members.example.com"])
    c.add_member("carol", "Carol Chen")
    with c.member_workspace("alice") as ws:
        ws.add_person("Jane Roe", emails=["jane@acmebank.example"], org="Acme Bank", title="PM")
        ws.log(["Jane Roe"], when="2026-11-02")
    return c


def _intros(c: Community, handle: str) -> list[tuple[str, str, str | None]]:
    from sqlalchemy import select

    from weakties.store import schema as s

    ws = c.member_workspace(handle)
    try:
        with ws.transaction() as conn:
            names = dict(conn.execute(select(s.person.c.id, s.person.c.name)).all())
            rows = conn.execute(
                select(s.introduction.c.a_id, s.introduction.c.b_id, s.introduction.c.introducer_id)
            ).all()
        return [(names[a], names[b], names.get(by)) for a, b, by in rows]
    finally:
        ws.engine.dispose()


def test_a_request_waits_for_the_broker_and_is_recorded_when_accepted(c: Community) -> None:
    ask = c.ask("bob", "alice", "org", "Acme Bank")
    # bob saw Jane's name? No: alice shares in full but not names
    assert ask.target == "someone Alice Adams knows (PM, Acme Bank)"
    assert "Alice" in ask.message and ask.status == AskStatus.PENDING
    inbox, sent = c.asks("alice")
    assert [a.id for a in inbox] == [ask.id] and not sent
    assert inbox[0].via == "Jane Roe"  # the broker sees her own contact
    assert c.asks("bob")[1][0].via is None  # the requester does not
    assert c.asks("carol") == ([], [])  # nobody else sees it
    assert _intros(c, "bob") == [] and _intros(c, "alice") == []  # nobody contacted yet
    with pytest.raises(InvalidInput, match="only the member asked"):
        c.answer("bob", ask.id, AskStatus.ACCEPTED)
    with pytest.raises(NotFound):
        c.answer("carol", ask.id, AskStatus.ACCEPTED)
    more = c.answer("alice", ask.id, AskStatus.MORE, "what is it about?")
    assert more.status == AskStatus.MORE and more.decided_at is None
    done = c.answer("alice", ask.id, AskStatus.ACCEPTED, "happy to")
    assert done.status == AskStatus.ACCEPTED and done.reply == "happy to"
    assert _intros(c, "bob") == [("Bob Brown", "Jane Roe", "Alice Adams")]
    assert _intros(c, "alice") == [("Bob Brown", "Jane Roe", "Alice Adams")]
    with pytest.raises(Conflict, match="already accepted"):
        c.answer("alice", ask.id, AskStatus.DECLINED)


def test_declined_and_withdrawn_asks_contact_nobody(c: Community) -> None:
    first = c.ask("bob", "alice", "org", "Acme Bank", message="Could you introduce me?")
    assert first.message == "Could you introduce me?"
    assert c.answer("alice", first.id, AskStatus.DECLINED).status == AskStatus.DECLINED
    second = c.ask("carol", "alice", "org", "Acme Bank")
    with pytest.raises(InvalidInput, match="only the member who asked"):
        c.answer("alice", second.id, AskStatus.WITHDRAWN)
    assert c.answer("carol", second.id, AskStatus.WITHDRAWN).status == AskStatus.WITHDRAWN
    assert _intros(c, "bob") == [] and _intros(c, "carol") == [] and _intros(c, "alice") == []


def test_an_ask_needs_a_path_through_the_broker(c: Community) -> None:
    with pytest.raises(InvalidInput, match="yourself"):
        c.ask("alice", "alice", "org", "Acme Bank")
    with pytest.raises(NotFound, match="no member"):
        c.ask("bob", "zed", "org", "Acme Bank")
    c.share("alice", Sharing.NONE)
    with pytest.raises(NotFound):
        c.ask("bob", "alice", "org", "Acme Bank")


def test_the_plan_for_a_member_uses_the_pool(c: Community) -> None:
    """bob knows nobody at Acme Bank; the pooled plan tells alice (a member who does, with
    friends in common), reaches Jane, and never names a person bob may not see."""
    friends = [(f"Friend{i} Example", f"friend{i}@example.net") for i in range(8)]
    for handle in ("alice", "bob"):
        with c.member_workspace(handle) as ws:
            for name, address in friends:
                ws.add_person(name, emails=[address])
            everyone = [address for _, address in friends]
            if handle == "alice":
                everyone.append("jane@acmebank.example")
            for day in ("2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01"):
                ws.log(everyone, when=day)
    with c.member_workspace("bob") as ws:
        ws.add_goal("a product role at Acme Bank", tags=["org:Acme Bank"])
        plan = ws.plan(k=3, rounds=2000)
    assert plan.targets == 1
    allowed = {"Alice Adams", "Carol Chen"} | {name for name, _ in friends}
    assert {p.name for p in plan.picks} <= allowed
    assert plan.reach > 0.0
    assert "Alice Adams" in {p.name for p in plan.picks}
    reached = {name for p in plan.picks for name, _ in p.reaches}
    assert reached <= {"a PM at Acme Bank"}  # alice shares Jane's job, not her name
    with c.member_workspace("bob") as ws:
        ws.add_goal("anything", tags=["industry:fintech"])
        with pytest.raises(InvalidInput, match="organisations or roles"):
            ws.plan(goal_id=2, k=3)
