"""The founding story, end to end on the synthetic world: the old favour is the warmest path.

Twice: on the world loaded whole (ground truth, as benchmarks use it), and on the workspace the
demo builds the way a user would, from the owner's export files and what they type by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from weakties.domain.goals import OpportunityStatus
from weakties.domain.identities import IdentityKind
from weakties.synth.world import World, build_world
from weakties.workspace import Workspace
from weakties.workspace.demo import DemoBuild, build_demo_workspace


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(7)


def test_the_planted_path_goes_through_the_person_helped(world: World, tmp_path: Path) -> None:
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


def _email(world: World, p: int) -> str:
    return next(i.value for i in world.people[p].identities if i.kind is IdentityKind.EMAIL)


@pytest.fixture(scope="module")
def built(world: World, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoBuild]:
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    with Workspace.open(str(path)) as ws:
        demo = build_demo_workspace(ws, world, folder / "exports", seed=7)
    return path, demo


def test_the_demo_finds_the_planted_path_from_exports_alone(
    world: World, built: tuple[Path, DemoBuild]
) -> None:
    path, demo = built
    story = world.story
    with Workspace.open(str(path)) as ws:
        # the story's people are who the world says, found by their own addresses
        assert ws.resolve(_email(world, story.helped)) == demo.helped
        assert ws.resolve(_email(world, story.hiring_manager)) == demo.hiring_manager
        assert ws.person(demo.hiring_manager).name == world.people[story.hiring_manager].name
        found = ws.paths("person", f"#{demo.hiring_manager}", k=3)
        best = found.paths[0]
        assert best.nodes == (int(ws.me().id or 0), demo.helped, demo.hiring_manager)
        assert any("migrated their email" in fact for fact in best.hops[0].facts)
        draft = ws.draft(best, goal=found.goal)
        assert "migrating your email" in draft and "product role at a fintech" in draft


def test_the_demo_workspace_holds_only_what_a_user_has(
    world: World, built: tuple[Path, DemoBuild]
) -> None:
    path, demo = built
    with Workspace.open(str(path)) as ws:
        people = ws.stats()["people"]
        # everyone in an export, the owner, and the referrer named in an address book; not the
        # thousands of second-degree people the world holds
        described = {t.person for t in demo.exports.truth}
        assert len(described) < people < len(described) + 60 < len(world.people)
        assert demo.merged > 0 and demo.queued > 0  # the same people arrived more than once
        # the job ad was recorded as a lead for the open goal, through the hiring manager
        lead = next(o for o in ws.opportunities() if o.id == demo.lead)
        assert lead.status is OpportunityStatus.LEAD
        assert lead.chain == (demo.hiring_manager,) and lead.goal_id == demo.goal
        goal = next(g for g in ws.goals() if g.id == demo.goal)
        assert goal.text == world.goals[world.story.goal].text
