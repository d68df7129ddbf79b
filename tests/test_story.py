"""The founding story, end to end on the synthetic world: the old favour is the warmest path."""

from __future__ import annotations

from pathlib import Path

from weakties.synth.world import build_world
from weakties.workspace import Workspace


def test_the_planted_path_goes_through_the_person_helped(tmp_path: Path) -> None:
    world = build_world(7)
    with Workspace.open(str(tmp_path / "story.db")) as ws:
        ids = ws.load_world(world)
        story = world.story
        found = ws.paths("person", str(ids[story.hiring_manager]), k=3)
        best = found.paths[0]
        assert best.nodes[1:] == (ids[story.helped], ids[story.hiring_manager])
        assert any("migrated their email" in fact for fact in best.hops[0].facts)
        assert best.hops[best.weakest].a == best.nodes[0]  # the dormant first hop is the weak one
        draft = ws.draft(best, goal=found.goal)
        assert "migrating your email" in draft
