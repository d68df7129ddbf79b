"""The ask plan through the workspace and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tests.conftest import Cli
from weakties.domain.ledger import Channel
from weakties.errors import NotFound
from weakties.store import schema as s
from weakties.workspace import Workspace

NOW = datetime.now(UTC)


def _job(ws: Workspace, who: str, org: str, start: str, end: str | None = None) -> None:
    ws.edit_person(who, org=org, title="Engineer")
    with ws.transaction() as conn:
        conn.execute(
            update(s.affiliation)
            .where(s.affiliation.c.person_id == ws.resolve(who), s.affiliation.c.start.is_(None))
            .values(start=start, end=end)
        )


@pytest.fixture
def world(ws: Workspace) -> Workspace:
    """Strong Sam knows nobody at Acme; weak Wendy worked with three people now at Acme."""
    ws.add_org("Acme Bank", industry="fintech")
    for name in ("Strong Sam", "Weak Wendy", "Acme One", "Acme Two", "Acme Three"):
        ws.add_person(name)
    for day in range(0, 300, 6):
        ws.log(
            ["Strong Sam"], channel=Channel.EMAIL, when=(NOW - timedelta(days=day + 1)).isoformat()
        )
    ws.log(["Weak Wendy"], channel=Channel.EMAIL, when=(NOW - timedelta(days=400)).isoformat())
    _job(ws, "Weak Wendy", "Globex", "2015", "2021")
    for name in ("Acme One", "Acme Two", "Acme Three"):
        _job(ws, name, "Globex", "2016", "2021")
        _job(ws, name, "Acme Bank", "2021")
    ws.add_goal("a job at Acme Bank", tags=["org:Acme Bank"])
    return ws


def test_plan_prefers_reach_over_strength(world: Workspace) -> None:
    plan = world.plan(k=1, rounds=2000)
    assert [p.name for p in plan.picks] == ["Weak Wendy"]
    assert plan.strongest == ("Strong Sam",)
    assert plan.strongest_reach < plan.reach
    assert plan.targets == 3
    assert {name for name, _ in plan.picks[0].reaches} <= {"Acme One", "Acme Two", "Acme Three"}
    two = world.plan(k=2, rounds=2000)
    assert two.picks[1].gain <= two.picks[0].gain  # diminishing returns (submodular)
    assert two.reach == pytest.approx(sum(p.gain for p in two.picks), rel=1e-6)


def test_plan_needs_a_goal_with_targets(ws: Workspace) -> None:
    ws.add_person("Someone")
    with pytest.raises(NotFound, match="no open goal"):
        ws.plan()
    ws.add_goal("something vague")
    with pytest.raises(NotFound, match="names no target"):
        ws.plan()


def test_plan_json_reports_both_reaches(world: Workspace, cli: Cli) -> None:
    data = json.loads(cli.ok("plan", "-k", "1", "--json").output)
    assert data["expected_reach"] >= data["strongest_ties_reach"]
    assert data["picks"][0]["name"] == "Weak Wendy"
    assert data["post"].startswith("I'm looking for a job at Acme Bank")
