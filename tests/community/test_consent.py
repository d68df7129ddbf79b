"""Consent holds for every query a member can make, over random sharing settings.

The oracle is the spec the community was built from: what a member may see is computed from
who holds which contact and who shares what, never from the pool's tables.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.community.build import POPULATION, MemberSpec, build
from weakties.domain.community import Sharing
from weakties.errors import NotFound
from weakties.workspace.community import Community
from weakties.workspace.pooled import neutral_hop

CATEGORIES = ("strong", "moderate", "weak", "dormant", "never")
ORGS = sorted({h.org for h in POPULATION if h.org})


def _members() -> st.SearchStrategy[list[MemberSpec]]:
    contacts = st.dictionaries(
        st.integers(0, len(POPULATION) - 1), st.integers(1, 4), min_size=1, max_size=5
    )
    pair = st.tuples(st.integers(0, len(POPULATION) - 1), st.integers(0, len(POPULATION) - 1))
    one = st.tuples(
        st.sampled_from(list(Sharing)), st.booleans(), contacts, st.lists(pair, max_size=3)
    )
    return st.lists(one, min_size=2, max_size=3).map(
        lambda specs: [
            MemberSpec(f"m{i}", f"Member{i} Example", sharing, names, dict(c), list(k))
            for i, (sharing, names, c, k) in enumerate(specs)
        ]
    )


def _allowed(members: list[MemberSpec], viewer: MemberSpec) -> tuple[set[str], set[str]]:
    """Names and organisations the viewer may be shown, from the spec alone."""
    names = {m.name for m in members} | {POPULATION[i].name for i in viewer.contacts}
    orgs = {POPULATION[i].org for i in viewer.contacts if POPULATION[i].org}
    for m in members:
        if m.sharing == Sharing.FULL:
            orgs |= {POPULATION[i].org for i in m.contacts if POPULATION[i].org}
            if m.names:
                names |= {POPULATION[i].name for i in m.contacts}
    return names, {o for o in orgs if o}


def _check_path(path: object, members: list[MemberSpec], viewer: MemberSpec) -> None:
    names, orgs = _allowed(members, viewer)
    by_name = {m.name: m for m in members}
    for shown in path.names[1:]:  # type: ignore[attr-defined]
        if shown.startswith("someone ") and shown.endswith(" knows"):
            broker = by_name[shown[len("someone ") : -len(" knows")]]
            assert broker.sharing != Sharing.NONE, "a path went through a member who shares nothing"
        else:
            assert shown in names, f"{viewer.handle} was shown {shown!r}"
    role = path.target_role  # type: ignore[attr-defined]
    if role:
        assert role.split(", ")[-1] in orgs, f"{viewer.handle} was shown {role!r}"
    for hop in path.hops:  # type: ignore[attr-defined]
        for fact in hop.facts:
            for m in members:
                if fact.startswith(f"{m.name}'s ") and m.sharing != Sharing.FULL:
                    word = fact[len(m.name) + 3 :].split()[0]
                    assert word not in CATEGORIES, f"{m.handle}'s tie strength leaked: {fact!r}"
                    assert hop.probability == pytest.approx(neutral_hop(), abs=1e-6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(members=_members())
def test_no_query_returns_what_was_not_shared(members: list[MemberSpec]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        c = Community.open(str(Path(folder) / "c.db"))
        c.init("Example Alumni")
        build(c, members)
        for viewer in members:
            names, orgs = _allowed(members, viewer)
            for org in ORGS:
                try:
                    result = c.paths(viewer.handle, "org", org)
                except NotFound:
                    assert org not in orgs, f"{viewer.handle} may see {org} but got nothing"
                    continue
                assert org in orgs, f"{viewer.handle} found {org}, which nobody shared"
                for path in result.paths:
                    _check_path(path, members, viewer)
            for human in POPULATION:
                try:
                    result = c.paths(viewer.handle, "person", human.name)
                except NotFound:
                    continue
                assert human.name in names, f"{viewer.handle} found {human.name!r}"
                for path in result.paths:
                    _check_path(path, members, viewer)
            reach = c.reach(viewer.handle)
            assert reach.orgs_pooled <= len(orgs)
            for broker in members:
                if broker is viewer:
                    continue
                for org in ORGS:
                    try:
                        ask = c.ask(viewer.handle, broker.handle, "org", org)
                    except NotFound:
                        continue
                    shown, _, job = ask.target.partition(" (")
                    assert org in orgs and job.rstrip(")").split(", ")[-1] in orgs
                    if not (shown.startswith("someone ") and shown.endswith(" knows")):
                        assert shown in names, f"{viewer.handle}'s ask shows {shown!r}"
                    # the broker sees the contact it goes through only if it is theirs
                    inbox, _ = c.asks(broker.handle)
                    via = next(a.via for a in inbox if a.id == ask.id)
                    own = {POPULATION[i].name for i in broker.contacts}
                    assert via is None or via in own
        c.close()
