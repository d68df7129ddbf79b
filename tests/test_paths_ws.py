"""Warm paths through the workspace: targets, explanations, do-not-ask, drafts, cache, export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import networkx as nx
import pytest

from weakties.domain.ledger import Channel
from weakties.errors import InvalidInput, NotFound
from weakties.workspace import Workspace

NOW = datetime.now(UTC)


def _log(ws: Workspace, who: str, days_ago: float) -> None:
    ws.log([who], channel=Channel.EMAIL, when=(NOW - timedelta(days=days_ago)).isoformat())


@pytest.fixture
def world(ws: Workspace) -> Workspace:
    """me — Ann (strong) — Xavier (Ann's colleague at Globex) — Tess (Xavier's colleague at Acme)
    me — Helped (a favour, then silence) — Tess (they worked together at Initech)"""
    ws.add_person("Ann Strong", emails=["ann@example.org"])
    ws.add_person("Helped Person", emails=["helped@example.org"])
    ws.add_person("Xavier Middle", emails=["xavier@example.org"])
    ws.add_person("Tess Target", emails=["tess@example.org"])
    for week in range(40):
        _log(ws, "Ann Strong", 2 + 7 * week)
    _log(ws, "Helped Person", 5 * 365)
    ws.helped("Helped Person", "migrated their email", when="2021")
    for who, org, start, end in (
        ("Ann Strong", "Globex", "2015", "2020"),
        ("Xavier Middle", "Globex", "2016", "2022"),
        ("Xavier Middle", "Acme Bank", "2022", None),
        ("Tess Target", "Acme Bank", "2019", None),
        ("Helped Person", "Initech", "2014", "2018"),
        ("Tess Target", "Initech", "2015", "2018"),
    ):
        ws.edit_person(
            who, org=org, title="Engineer" if who != "Tess Target" else "Head of Product"
        )
        with ws.transaction() as conn:
            from sqlalchemy import update

            from weakties.store import schema as s

            conn.execute(
                update(s.affiliation)
                .where(
                    s.affiliation.c.person_id == ws.resolve(who), s.affiliation.c.start.is_(None)
                )
                .values(start=start, end=end)
            )
    ws.add_goal("a product role at a fintech", tags=["industry:fintech"])
    return ws


def test_paths_to_a_person_are_ranked_and_explained(world: Workspace) -> None:
    result = world.paths("person", "Tess Target", k=5)
    assert result.paths, "a path must exist"
    routes = [tuple(p.names[1:]) for p in result.paths]
    assert ("Helped Person", "Tess Target") in routes
    assert ("Ann Strong", "Xavier Middle", "Tess Target") in routes
    probs = [p.probability for p in result.paths]
    assert probs == sorted(probs, reverse=True)
    for path in result.paths:
        product = 1.0
        for hop in path.hops:
            product *= hop.probability
        assert path.probability == pytest.approx(product, rel=1e-5)
        assert path.hops[path.weakest].probability == min(h.probability for h in path.hops)
    helped = next(p for p in result.paths if p.names[1] == "Helped Person")
    assert "you migrated their email in 2021" in helped.hops[0].facts
    assert "worked together at Initech (2015–2018)" in helped.hops[1].facts
    via_ann = next(p for p in result.paths if p.names[1] == "Ann Strong")
    assert "worked together at Globex (2016–2020)" in via_ann.hops[1].facts
    assert "worked together at Acme Bank (2022–now)" in via_ann.hops[2].facts
    assert via_ann.target_role == "Head of Product at Acme Bank"


def test_org_role_and_do_not_ask(world: Workspace) -> None:
    to_org = world.paths("org", "Acme Bank", k=5)
    assert to_org.targets == 2  # Xavier and Tess work there now
    assert all(p.names[-1] in ("Xavier Middle", "Tess Target") for p in to_org.paths)
    role = world.paths("role", "head of product", k=5)
    assert {p.names[-1] for p in role.paths} == {"Tess Target"}
    world.edit_person("Ann Strong", do_not_ask=True)
    after = world.paths("person", "Tess Target", k=5)
    assert all("Ann Strong" not in p.names[1:-1] for p in after.paths)
    assert all(p.names[1] != "Ann Strong" for p in after.paths)
    with pytest.raises(NotFound):
        world.paths("org", "Nowhere Inc")
    with pytest.raises(InvalidInput):
        world.paths("person", "Tess Target", max_hops=4)


def test_draft_is_personal_specific_and_forwardable(world: Workspace) -> None:
    result = world.paths("person", "Tess Target", k=5)
    helped = next(p for p in result.paths if p.names[1] == "Helped Person")
    text = world.draft(helped, goal=result.goal)
    assert text.startswith("Subject: A small favour: an introduction to Tess Target")
    assert "Hi Helped," in text
    assert "migrating your email" in text and "2021" in text  # cites shared history
    assert "it has been a while" in text.lower()  # polite about five years of silence
    assert "a product role at a fintech" in text  # the ask
    assert "Head of Product at Acme Bank" in text  # forwardable blurb names the target
    assert "> " in world.draft(helped, goal=result.goal, fmt="md")


def test_graph_is_cached_and_exported(world: Workspace, tmp_path: Path, db_path: Path) -> None:
    first = world.tie_graph()
    folder = db_path.with_name(db_path.name + ".graph")
    assert (folder / "header.json").exists()
    again = world.tie_graph()
    assert again.n_arcs == first.n_arcs
    assert not again.indptr.flags.writeable  # memory-mapped from the cache, not rebuilt
    target = tmp_path / "net.graphml"
    with open(target, "wb") as handle:
        count = world.export_graph(handle, "graphml")
    g = nx.read_graphml(target)
    assert count == g.number_of_nodes() == 5
    assert {d["label"] for _, d in g.nodes(data=True)} >= {"Ann Strong", "Tess Target"}


def test_connected(world: Workspace) -> None:
    c = world.connected("Tess Target")
    assert not c.direct and c.best is not None
    assert [name for _, name in c.mutual] == ["Helped Person"]
