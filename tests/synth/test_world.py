"""The synthetic world: deterministic, realistic in shape, consistent, and holding the story."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from itertools import combinations
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from weakties.domain.goals import GoalStatus, GoalTagKind
from weakties.domain.identities import (
    IdentityKind,
    normalize_email,
    normalize_phone,
    normalize_url,
)
from weakties.domain.ledger import Channel, Direction, FavorSize, InteractionKind, Role
from weakties.errors import InvalidInput
from weakties.synth.names import is_manager_title
from weakties.synth.world import World, build_world

SRC = Path(__file__).resolve().parents[2] / "src"
DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(7)


@pytest.fixture(scope="module")
def graph(world: World) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(len(world.people)))
    g.add_edges_from(world.friendships)
    return g


@pytest.fixture(scope="module")
def contacts(world: World) -> set[int]:
    return {j for i, j in world.friendships if i == 0}


@pytest.fixture(scope="module")
def conversations(world: World) -> dict[int, list[datetime]]:
    """Per person, when they had a non-social interaction with the owner."""
    seen: dict[int, list[datetime]] = defaultdict(list)
    for x in world.interactions:
        if x.channel is not Channel.SOCIAL:
            for p in x.people() - {0}:
                seen[p].append(x.occurred_at)
    return seen


# ---------------------------------------------------------------- determinism


def test_same_seed_builds_the_same_world() -> None:
    assert build_world(3, contacts=300) == build_world(3, contacts=300)


def test_different_seeds_build_different_worlds() -> None:
    a, b = build_world(3, contacts=300), build_world(4, contacts=300)
    assert [p.name for p in a.people] != [p.name for p in b.people]
    assert a.friendships != b.friendships


def _digest_in_fresh_python(hash_seed: str) -> str:
    code = (
        "import hashlib; from weakties.synth.world import build_world; "
        "print(hashlib.sha256(repr(build_world(5, contacts=300)).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_world_does_not_depend_on_string_hash_order() -> None:
    here = hashlib.sha256(repr(build_world(5, contacts=300)).encode()).hexdigest()
    assert _digest_in_fresh_python("1") == here
    assert _digest_in_fresh_python("4242") == here


def test_now_is_fixed_and_aware(world: World) -> None:
    assert world.now == datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert build_world(99, contacts=200).now == world.now


@pytest.mark.parametrize("kwargs", [{"contacts": 10}, {"years": 2}, {"years": 100}])
def test_unreasonable_sizes_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(InvalidInput):
        build_world(1, **kwargs)


# ---------------------------------------------------------------- structure and size


def test_ids_are_list_indices(world: World) -> None:
    for records in (
        world.people,
        world.orgs,
        world.affiliations,
        world.interactions,
        world.favors,
        world.introductions,
        world.goals,
        world.opportunities,
    ):
        assert [r.id for r in records] == list(range(len(records)))


def test_exactly_the_first_person_is_the_owner(world: World) -> None:
    assert [p.id for p in world.people if p.is_me] == [0]


def test_owner_has_the_asked_number_of_contacts(world: World, contacts: set[int]) -> None:
    assert len(contacts) == 1500
    second_degree = len(world.people) - 1 - len(contacts)
    assert 1500 <= second_degree <= 3000


def test_every_reference_points_into_the_world(world: World) -> None:
    n, n_orgs = len(world.people), len(world.orgs)
    assert all(0 <= a.person_id < n and 0 <= a.org_id < n_orgs for a in world.affiliations)
    assert all(0 <= p.person_id < n for x in world.interactions for p in x.participants)
    assert all(0 <= f.giver_id < n and 0 <= f.receiver_id < n for f in world.favors)
    assert all(0 <= g.owner_id < n for g in world.goals)
    assert all(0 <= i < j < n for i, j in world.friendships)
    assert len(set(world.friendships)) == len(world.friendships)
    assert world.friendships == sorted(world.friendships)


def test_interaction_volume_fits_the_demo(world: World) -> None:
    assert 10_000 <= len(world.interactions) <= 60_000


def test_careers_are_ordered_in_time(world: World) -> None:
    current: dict[int, int] = defaultdict(int)
    for a in world.affiliations:
        if a.start is not None and a.end is not None:
            assert a.start.first_day() <= a.end.last_day()
        if a.end is None and a.kind.value == "employment":
            current[a.person_id] += 1
    assert max(current.values()) == 1  # one current job at a time
    assert sum(1 for p in range(1, len(world.people)) if current[p] == 1) > len(world.people) / 2


def test_organisation_sizes_are_heavy_tailed(world: World) -> None:
    members: dict[int, set[int]] = defaultdict(set)
    for a in world.affiliations:
        members[a.org_id].add(a.person_id)
    sizes = np.array([len(m) for m in members.values()])
    assert sizes.max() >= 8 * np.median(sizes)
    assert ((sizes >= 20) & (sizes <= 200)).sum() >= 20


# ---------------------------------------------------------------- the friendship graph


def test_degrees_are_heavy_tailed(graph: nx.Graph) -> None:
    degrees = np.array([d for p, d in graph.degree() if p != 0])  # the owner is a hub by fiat
    mean = degrees.mean()
    assert 10 <= mean <= 40
    assert degrees.max() >= 5 * mean
    assert np.median(degrees) < mean
    # a Poisson graph of this mean has P(d >= 3 mean) below 1e-12; a heavy tail has percents
    assert (degrees >= 3 * mean).mean() >= 0.01


def test_friendships_are_clustered(graph: nx.Graph) -> None:
    assert nx.average_clustering(graph) > 0.1


def test_everyone_is_within_two_hops_of_the_owner(graph: nx.Graph) -> None:
    hops = nx.single_source_shortest_path_length(graph, 0, cutoff=2)
    assert len(hops) == graph.number_of_nodes()


def test_people_in_one_interaction_know_each_other(world: World) -> None:
    friends = set(world.friendships)
    for x in world.interactions:
        assert 0 in x.people()
        for a, b in combinations(sorted(x.people() - {0}), 2):
            assert (a, b) in friends, x


# ---------------------------------------------------------------- the ledger's realism


def test_interactions_are_in_the_past_and_conversations_in_the_history(world: World) -> None:
    start = world.now - timedelta(days=8 * 365.25 + 1)
    for x in world.interactions:
        assert x.occurred_at.tzinfo is not None
        assert x.occurred_at < world.now
        if x.channel is not Channel.SOCIAL:
            assert x.occurred_at >= start


def test_direction_follows_who_sent_or_organised(world: World) -> None:
    for x in world.interactions:
        first = x.participants[0]
        if first.role in (Role.FROM, Role.ORGANIZER):
            expected = Direction.OUTBOUND if first.person_id == 0 else Direction.INBOUND
            assert x.direction is expected


def test_email_threads_have_replies_both_ways_and_ccs(world: World) -> None:
    threads: dict[str, set[Direction]] = defaultdict(set)
    ccs = 0
    for x in world.interactions:
        if x.channel is Channel.EMAIL:
            assert x.thread_key is not None
            threads[x.thread_key].add(x.direction)
            ccs += any(p.role is Role.CC for p in x.participants)
    both = [k for k, seen in threads.items() if {Direction.INBOUND, Direction.OUTBOUND} <= seen]
    assert len(both) >= 1000
    assert ccs >= 500


def test_meetings_have_two_to_twelve_attendees(world: World) -> None:
    sizes = [len(x.participants) for x in world.interactions if x.channel is Channel.MEETING]
    assert min(sizes) >= 2 and max(sizes) <= 12
    assert sum(s >= 5 for s in sizes) >= 200


def test_every_channel_appears(world: World) -> None:
    channels = {x.channel for x in world.interactions}
    assert channels == set(Channel)
    kinds = {x.kind for x in world.interactions}
    assert {InteractionKind.FOLLOW, InteractionKind.CONNECTION, InteractionKind.LIKE} <= kinds


def test_some_ties_are_weekly(world: World, conversations: dict[int, list[datetime]]) -> None:
    year_ago = world.now - timedelta(days=364)
    weekly = [
        p
        for p, times in conversations.items()
        if len({(t - year_ago).days // 7 for t in times if t >= year_ago}) >= 45
    ]
    assert 3 <= len(weekly) <= 40


def test_many_ties_are_follows_with_no_conversation(
    world: World, contacts: set[int], conversations: dict[int, list[datetime]]
) -> None:
    kinds: dict[int, set[InteractionKind]] = defaultdict(set)
    for x in world.interactions:
        if x.channel is Channel.SOCIAL:
            for p in x.people() - {0}:
                kinds[p].add(x.kind)
    follow_only = [
        p for p in contacts if p not in conversations and InteractionKind.FOLLOW in kinds[p]
    ]
    linked_only = [
        p for p in contacts if p not in conversations and InteractionKind.CONNECTION in kinds[p]
    ]
    assert len(follow_only) >= 50
    assert len(linked_only) >= 300


def test_some_strong_ties_went_dormant(
    world: World, conversations: dict[int, list[datetime]]
) -> None:
    three_years_ago = world.now - timedelta(days=3 * 365)
    dormant = [
        p for p, times in conversations.items() if len(times) >= 20 and max(times) < three_years_ago
    ]
    assert len(dormant) >= 30


def test_favours_and_introductions_go_both_ways(world: World) -> None:
    assert sum(f.giver_id == 0 for f in world.favors) >= 20
    assert sum(f.receiver_id == 0 for f in world.favors) >= 20
    assert sum(f.giver_id != 0 and f.receiver_id != 0 for f in world.favors) >= 5
    made = [i for i in world.introductions if i.introducer_id == 0]
    received = [i for i in world.introductions if 0 in (i.a_id, i.b_id)]
    assert len(made) >= 10 and len(received) >= 5
    friends = set(world.friendships)
    for intro in made:  # the owner's introductions made the pair know each other
        assert (min(intro.a_id, intro.b_id), max(intro.a_id, intro.b_id)) in friends


def test_goals_and_asks_carry_every_tag_kind(world: World) -> None:
    asks = [g for g in world.goals if g.owner_id != 0]
    assert len(asks) >= 20
    kinds = {t.kind for g in world.goals for t in g.tags}
    assert {GoalTagKind.ROLE, GoalTagKind.INDUSTRY, GoalTagKind.SKILL, GoalTagKind.ORG} <= kinds


def test_opportunity_chains_walk_through_friends(world: World, contacts: set[int]) -> None:
    friends = set(world.friendships)
    assert world.opportunities
    for opp in world.opportunities:
        assert opp.chain and opp.chain[0] in contacts and 0 not in opp.chain
        for a, b in zip(opp.chain, opp.chain[1:], strict=False):
            assert (min(a, b), max(a, b)) in friends


# ---------------------------------------------------------------- the founding story


def test_story_favour_is_five_years_old_and_small(world: World) -> None:
    story = world.story
    favour = world.favors[story.favor]
    assert (favour.giver_id, favour.receiver_id) == (0, story.helped)
    assert favour.size is FavorSize.SMALL and favour.when is not None
    age = (world.now.date() - favour.when.first_day()).days / 365.25
    assert 4.75 <= age <= 5.25


def test_helped_person_only_follows_after_the_favour(world: World) -> None:
    story = world.story
    favour = world.favors[story.favor]
    assert favour.when is not None
    day_after = datetime.combine(favour.when.last_day(), time(), UTC) + DAY
    theirs = [x for x in world.interactions if story.helped in x.people()]
    assert min(x.occurred_at for x in theirs) >= day_after - DAY  # strangers until that day
    later = [x for x in theirs if x.occurred_at >= day_after]
    assert later and all(x.channel is Channel.SOCIAL for x in later)
    follows = [x for x in later if x.kind is InteractionKind.FOLLOW]
    assert [(p.person_id, p.role) for p in follows[0].participants] == [
        (story.helped, Role.FROM),
        (0, Role.TO),
    ]


def test_helped_person_is_outside_the_owners_circles(world: World, graph: nx.Graph) -> None:
    helped = world.story.helped
    assert set(graph[0]) & set(graph[helped]) == set()
    orgs_of = defaultdict(set)
    for a in world.affiliations:
        orgs_of[a.person_id].add(a.org_id)
    assert orgs_of[0] & orgs_of[helped] == set()


def test_helped_person_is_close_to_the_hiring_manager(world: World, graph: nx.Graph) -> None:
    story = world.story
    assert story.bridge == (story.helped, story.hiring_manager)
    assert graph.has_edge(story.helped, story.hiring_manager)
    # the evidence the knows model can see: their tenures at one organisation overlapped
    spans = defaultdict(list)
    for a in world.affiliations:
        if a.person_id in story.bridge and a.start is not None:
            end = a.end.last_day() if a.end else world.now.date()
            spans[a.org_id].append((a.person_id, a.start.first_day(), end))
    shared = [s for s in spans.values() if {p for p, _, _ in s} == set(story.bridge)]
    assert any(max(s[0][1], s[1][1]) < min(s[0][2], s[1][2]) for s in shared)


def test_hiring_manager_leads_at_the_target_now(world: World, contacts: set[int]) -> None:
    story = world.story
    current = [
        a
        for a in world.affiliations
        if a.person_id == story.hiring_manager and a.org_id == story.target_org and a.end is None
    ]
    assert len(current) == 1 and current[0].title is not None
    assert is_manager_title(current[0].title)
    assert story.hiring_manager not in contacts
    # no shortcut: nobody the owner knows has ever been at the target
    staff = {a.person_id for a in world.affiliations if a.org_id == story.target_org}
    assert len(staff) >= 10 and staff & contacts == set()


def test_owners_goal_matches_the_target_and_role(world: World) -> None:
    story = world.story
    goal = world.goals[story.goal]
    target = world.orgs[story.target_org]
    assert goal.owner_id == 0 and goal.status is GoalStatus.OPEN
    assert (target.name, target.domains) == ("Acme Bank", ("acme-bank.example",))
    industries = [t.value for t in goal.tags if t.kind is GoalTagKind.INDUSTRY]
    roles = [t.value for t in goal.tags if t.kind is GoalTagKind.ROLE]
    assert industries == [target.industry] == ["fintech"]
    assert roles and all(r in story.role.lower() for r in roles)


# ---------------------------------------------------------------- identities


_RESERVED = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|example)$")
_FICTIONAL_PHONE = re.compile(r"\+447700900\d{3}|\+1\d{3}55501\d{2}")


def test_every_address_is_reserved_and_normalised(world: World) -> None:
    seen: set[tuple[IdentityKind, str]] = set()
    for person in world.people:
        for ident in person.identities:
            assert (ident.kind, ident.value) not in seen
            seen.add((ident.kind, ident.value))
            if ident.kind is IdentityKind.EMAIL:
                assert normalize_email(ident.value) == ident.value
                assert _RESERVED.search(ident.value.rsplit("@", 1)[1]), ident.value
            elif ident.kind is IdentityKind.PHONE:
                assert normalize_phone(ident.value) == ident.value
                assert _FICTIONAL_PHONE.fullmatch(ident.value), ident.value
            else:
                assert normalize_url(ident.value) == ident.value
    for org in world.orgs:
        assert all(_RESERVED.search(d) for d in org.domains)


def test_most_people_are_reachable_like_real_exports(world: World) -> None:
    def share(kind: IdentityKind, needle: str = "") -> float:
        hits = sum(
            any(i.kind is kind and needle in i.value for i in p.identities) for p in world.people
        )
        return hits / len(world.people)

    assert share(IdentityKind.EMAIL) >= 0.6
    assert share(IdentityKind.URL, "https://www.linkedin.com/in/") >= 0.4
    assert 0.05 <= share(IdentityKind.PHONE) <= 0.5
    assert all(p.name == f"{p.given_name} {p.family_name}" for p in world.people)


def test_email_and_message_participants_can_be_recognised(world: World) -> None:
    kinds = {p.id: {i.kind for i in p.identities} for p in world.people}
    for x in world.interactions:
        need = {
            Channel.EMAIL: IdentityKind.EMAIL,
            Channel.MEETING: IdentityKind.EMAIL,
            Channel.MESSAGE: IdentityKind.PHONE,
            Channel.CALL: IdentityKind.PHONE,
        }.get(x.channel)
        if need is not None:
            assert all(need in kinds[p] for p in x.people())
