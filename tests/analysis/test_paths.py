"""Warm-path search against hand-computed chains and a brute-force networkx oracle."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.analysis import paths as paths_mod
from weakties.analysis.graph import TieGraph
from weakties.analysis.paths import (
    Path,
    best_paths,
    organisation_targets,
    paths_between,
    reach_within,
    reachable,
)
from weakties.errors import InvalidInput


def graph_of(ties: list[tuple[int, int, float, float]]) -> TieGraph:
    a, b, pf, pb = zip(*ties, strict=True)
    return TieGraph.from_edges(np.array(a), np.array(b), np.array(pf), np.array(pb))


def f32(x: float) -> float:
    return float(np.float32(x))


# --------------------------------------------------------------------------- oracle


def brute_force(
    g: TieGraph,
    source: int,
    weights: dict[int, float],
    *,
    k: int,
    max_hops: int,
    blocked: set[int],
    cap: int,
) -> list[tuple[int, ...]]:
    """Every simple chain via networkx, ranked and picked by the documented rule."""
    d = g.to_networkx()
    rows = []
    for t, w in weights.items():
        if t == source or t not in d or source not in d:
            continue
        for p in nx.all_simple_paths(d, source, t, cutoff=max_hops):
            if any(x in blocked for x in p[1:-1]):
                continue
            probs = [d[u][v]["prob"] for u, v in itertools.pairwise(p)]
            value = 1.0
            for x in probs:
                value *= x
            value *= w
            rows.append(((-value, -probs[-1], len(probs), *[*p[1:], -1, -1][:3]), tuple(p)))
    rows.sort()
    chosen: list[Any] = []
    skipped: list[Any] = []
    used: dict[int, int] = {}
    for key, p in rows:
        if len(chosen) == k:
            break
        if used.get(p[1], 0) < cap:
            used[p[1]] = used.get(p[1], 0) + 1
            chosen.append((key, p))
        else:
            skipped.append((key, p))
    return [p for _, p in sorted(chosen + skipped[: k - len(chosen)])]


@contextmanager
def search_mode(mode: str) -> Iterator[None]:
    """Force the probe-and-prune path, and the forward or reverse middle join."""
    with pytest.MonkeyPatch.context() as mp:
        if mode != "plain":
            mp.setattr(paths_mod, "_PROBE_MIN_ARCS", 0)
            mp.setattr(paths_mod, "_PROBE_CONTACTS", 2)
            mp.setattr(paths_mod, "_PROBE_ROW", 2)
            forward = mode == "pruned-forward"
            mp.setattr(paths_mod, "_forward_is_cheaper", lambda f, r: forward)
        yield


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(3, 10))
    # The graph comes from a drawn seed: dense enough that k and the cap actually bind, which
    # element-wise drawing (shrinking towards empty graphs) rarely reaches.
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    density = draw(st.sampled_from([0.3, 0.5, 0.8]))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < density]
    pairs = pairs or [(0, 1)]
    # Few distinct probabilities on purpose: ties in value must break the same way too.
    levels = np.array([0.1, 0.25, 0.5, 0.9, 1.0])
    coarse = draw(st.booleans())

    def p() -> float:
        return float(rng.choice(levels) if coarse else rng.uniform(0.01, 1.0))

    ties = [(10 * a + 3, 10 * b + 3, p(), p()) for a, b in pairs]
    ids = sorted({x for t in ties for x in t[:2]})
    source = draw(st.sampled_from(ids))
    targets = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=6))
    weights = draw(st.lists(st.sampled_from([1.0, 0.5, 0.8]), min_size=len(targets), max_size=6))
    blocked = draw(st.sets(st.sampled_from(ids), max_size=2))
    return {
        "ties": ties,
        "source": source,
        "targets": targets,
        "weights": weights[: len(targets)],
        "blocked": blocked,
        "k": draw(st.integers(1, 8)),
        "max_hops": draw(st.sampled_from([1, 2, 3, 3, 3])),
        "diversify": draw(st.booleans()),
        "cap": draw(st.integers(1, 3)),
    }


# --------------------------------------------------------------------------- by hand


def test_strong_three_hop_chain_beats_weak_two_hop_chain() -> None:
    g = graph_of(
        [(1, 2, 0.9, 0.9), (2, 9, 0.5, 0.5), (1, 3, 0.9, 0.9), (3, 4, 0.9, 0.9), (4, 9, 0.9, 0.9)]
    )
    got = best_paths(g, 1, [9], k=2, diversify=False)
    assert [p.nodes for p in got] == [(1, 3, 4, 9), (1, 2, 9)]
    assert got[0].probability == pytest.approx(f32(0.9) ** 3, rel=1e-12)
    assert got[1].probability == pytest.approx(f32(0.9) * f32(0.5), rel=1e-12)
    assert got[1].weakest == 1
    assert got[0].hops == 3 and got[0].first_contact == 3 and got[0].target == 9


def test_hop_probabilities_follow_direction_and_weight() -> None:
    # 1→2 is 0.8 but 2→1 only 0.2; the chain reads the arcs in asking order.
    g = graph_of([(1, 2, 0.8, 0.2), (2, 3, 0.6, 0.4)])
    (p,) = best_paths(g, 1, [3], [0.5])
    assert p.hop_probs == (f32(0.8), f32(0.6))
    assert p.target_weight == 0.5
    assert p.probability == pytest.approx(f32(0.8) * f32(0.6) * 0.5, rel=1e-12)
    assert p.weakest == 1
    (back,) = best_paths(g, 3, [1])
    assert back.hop_probs == (f32(0.4), f32(0.2))


def test_blocked_people_are_never_asked_but_can_be_targets() -> None:
    g = graph_of([(1, 2, 0.9, 0.9), (2, 3, 0.9, 0.9), (1, 4, 0.3, 0.3), (4, 3, 0.3, 0.3)])
    assert [p.nodes for p in best_paths(g, 1, [3], k=1)] == [(1, 2, 3)]
    assert [p.nodes for p in best_paths(g, 1, [3], blocked={2})] == [(1, 4, 3)]
    assert [p.nodes for p in best_paths(g, 1, [2], blocked={2})] == [(1, 2), (1, 4, 3, 2)]
    assert best_paths(g, 1, [3], blocked={2, 4}) == []


def test_diversity_caps_chains_per_first_contact_until_alternatives_run_out() -> None:
    # Contact 2 leads to five targets strongly; contact 3 to one target weakly.
    ties = [(1, 2, 0.9, 0.9), (1, 3, 0.2, 0.2), (3, 20, 0.5, 0.5)]
    ties += [(2, 10 + i, 0.9 - 0.01 * i, 0.5) for i in range(5)]
    g = graph_of(ties)
    targets = [10, 11, 12, 13, 14, 20]
    plain = best_paths(g, 1, targets, k=3, diversify=False)
    assert [p.first_contact for p in plain] == [2, 2, 2]
    diverse = best_paths(g, 1, targets, k=3, per_first_hop=2)
    assert [p.nodes for p in diverse] == [(1, 2, 10), (1, 2, 11), (1, 3, 20)]
    # Only two first contacts exist, so the fill goes back to contact 2, in rank order.
    filled = best_paths(g, 1, targets, k=5, per_first_hop=2)
    assert [p.nodes[-1] for p in filled] == [10, 11, 12, 13, 20]


def test_organisation_targets_weigh_former_people_less() -> None:
    ids, w = organisation_targets([5, 6], [6, 7], former_weight=0.4)
    assert ids.tolist() == [5, 6, 7] and w.tolist() == [1.0, 1.0, 0.4]
    g = graph_of([(1, 5, 0.5, 0.5), (1, 7, 0.9, 0.9)])
    got = best_paths(g, 1, ids, w)
    assert [p.nodes for p in got] == [(1, 5), (1, 7)]
    assert got[1].probability == pytest.approx(f32(0.9) * 0.4)


def test_edge_cases_and_bad_input() -> None:
    g = graph_of([(1, 2, 0.5, 0.5), (2, 3, 0.5, 0.5)])
    assert best_paths(g, 99, [3]) == []
    assert best_paths(g, 1, [99]) == []
    assert best_paths(g, 1, [1]) == []
    assert best_paths(g, 1, [3], max_hops=1) == []
    assert paths_between(g, 1, 3)[0].nodes == (1, 2, 3)
    bads: list[dict[str, Any]] = [{"k": 0}, {"max_hops": 4}, {"max_hops": 0}, {"per_first_hop": 0}]
    for bad in bads:
        with pytest.raises(InvalidInput):
            best_paths(g, 1, [3], **bad)
    with pytest.raises(InvalidInput):
        best_paths(g, 1, [3], [0.0])
    with pytest.raises(InvalidInput):
        best_paths(g, 1, [3, 2], [1.0])


def test_duplicate_targets_keep_their_larger_weight() -> None:
    g = graph_of([(1, 2, 0.5, 0.5)])
    (p,) = best_paths(g, 1, [2, 2], [0.3, 0.6])
    assert p.target_weight == 0.6


def test_reach_by_hand() -> None:
    g = graph_of([(1, 2, 0.5, 0.5), (2, 3, 0.5, 0.5), (1, 3, 0.1, 0.1), (3, 4, 1.0, 1.0)])
    r = reach_within(g, 1, 3)
    got = dict(
        zip(r.nodes.tolist(), zip(r.prob.tolist(), r.hops.tolist(), strict=True), strict=True)
    )
    assert got == {
        2: (f32(0.5), 1),
        3: (f32(0.5) * f32(0.5), 2),
        4: (f32(0.5) * f32(0.5), 3),
    }
    # Within two hops 4 is reached only through the weak direct tie to 3.
    two = reach_within(g, 1, 2)
    assert dict(zip(two.nodes.tolist(), two.hops.tolist(), strict=True)) == {2: 1, 3: 2, 4: 2}
    assert set(reach_within(g, 1, 1).nodes.tolist()) == {2, 3}
    assert set(reach_within(g, 1, 3, min_prob=0.3).nodes.tolist()) == {2}
    assert set(reach_within(g, 1, 3, blocked={2, 3}).nodes.tolist()) == {2, 3}
    assert len(reach_within(g, 1, 0)) == 0 and len(reach_within(g, 99, 3)) == 0


# --------------------------------------------------------------------------- properties


def check_invariants(g: TieGraph, got: list[Path], w: dict[int, float], **q: Any) -> None:
    d = g.to_networkx()
    values = [p.probability for p in got]
    assert values == sorted(values, reverse=True)
    assert len(got) <= q["k"]
    for p in got:
        assert len(set(p.nodes)) == len(p.nodes) and 1 <= p.hops <= q["max_hops"]
        assert p.nodes[0] == q["source"] and p.nodes[-1] in w
        assert not set(p.nodes[1:-1]) & q["blocked"]
        hop = tuple(d[u][v]["prob"] for u, v in zip(p.nodes, p.nodes[1:], strict=False))
        assert p.hop_probs == hop and p.hop_probs[p.weakest] == min(hop)
        assert p.probability == pytest.approx(np.prod(hop) * w[p.nodes[-1]], rel=1e-12)
    if q["diversify"]:
        per: dict[int, int] = {}
        for p in got:
            per[p.first_contact] = per.get(p.first_contact, 0) + 1
        if max(per.values(), default=0) > q["cap"]:
            # Over the cap only once every first contact's chains, up to the cap, are used.
            everything = best_paths(
                g, q["source"], list(w), list(w.values()), k=10_000, max_hops=q["max_hops"],
                blocked=q["blocked"], diversify=False,
            )  # fmt: skip
            total: dict[int, int] = {}
            for p in everything:
                total[p.first_contact] = total.get(p.first_contact, 0) + 1
            assert all(per.get(c, 0) >= min(q["cap"], n) for c, n in total.items())


@pytest.mark.parametrize("mode", ["plain", "pruned-forward", "pruned-reverse"])
@settings(max_examples=70, deadline=None)
@given(world=worlds())
def test_search_equals_brute_force_enumeration(mode: str, world: dict[str, Any]) -> None:
    g = graph_of(world["ties"])
    weights: dict[int, float] = {}
    for t, w in zip(world["targets"], world["weights"], strict=True):
        weights[t] = max(w, weights.get(t, 0.0))
    cap = world["cap"] if world["diversify"] else world["k"]
    with search_mode(mode):
        got = best_paths(
            g,
            world["source"],
            world["targets"],
            world["weights"],
            k=world["k"],
            max_hops=world["max_hops"],
            blocked=world["blocked"],
            diversify=world["diversify"],
            per_first_hop=world["cap"],
        )
    expected = brute_force(
        g,
        world["source"],
        weights,
        k=world["k"],
        max_hops=world["max_hops"],
        blocked=world["blocked"],
        cap=cap,
    )
    assert [p.nodes for p in got] == expected
    check_invariants(
        g,
        got,
        weights,
        k=world["k"],
        max_hops=world["max_hops"],
        source=world["source"],
        blocked=world["blocked"],
        diversify=world["diversify"],
        cap=world["cap"],
    )


@settings(max_examples=60, deadline=None)
@given(world=worlds(), hops=st.integers(0, 3), min_prob=st.sampled_from([0.0, 0.05, 0.3]))
def test_reach_equals_best_simple_path_by_brute_force(
    world: dict[str, Any], hops: int, min_prob: float
) -> None:
    g = graph_of(world["ties"])
    d = g.to_networkx()
    s, blocked = world["source"], world["blocked"]
    best: dict[int, tuple[float, int]] = {}
    for t in d:
        if t == s:
            continue
        for p in nx.all_simple_paths(d, s, t, cutoff=hops) if hops else []:
            if any(x in blocked for x in p[1:-1]):
                continue
            value = 1.0
            for u, v in itertools.pairwise(p):
                value *= d[u][v]["prob"]
            if value > best.get(t, (0.0, 0))[0]:
                best[t] = (value, len(p) - 1)
    expected = {t: vh for t, vh in best.items() if vh[0] >= min_prob}
    r = reach_within(g, s, hops, min_prob=min_prob, blocked=blocked)
    got = dict(zip(r.nodes.tolist(), r.prob.tolist(), strict=True))
    assert got.keys() == expected.keys()
    for t, (value, _) in expected.items():
        assert got[t] == pytest.approx(value, rel=1e-12)
    assert r.prob.tolist() == sorted(r.prob.tolist(), reverse=True)
    if not blocked and min_prob == 0.0:
        plain = nx.single_source_shortest_path_length(d, s, cutoff=hops)
        assert len(r) == len(plain) - 1

    # With a limit: the most probable people first, exactly the unlimited answer's head.
    ranked = sorted(expected.items(), key=lambda kv: (-kv[1][0], kv[0]))
    for limit in (1, 3, 50):
        top = reach_within(g, s, hops, min_prob=min_prob, blocked=blocked, limit=limit)
        assert top.nodes.tolist() == r.nodes[:limit].tolist()
        assert top.prob.tolist() == r.prob[:limit].tolist()
        assert top.hops.tolist() == r.hops[:limit].tolist()
        assert top.prob.tolist() == pytest.approx([v for _, (v, _) in ranked[:limit]], rel=1e-12)

    # Membership alone, met in the middle: reachable iff brute force found a chain.
    asked = [*d.nodes, 999_999]
    chained = {t for t in best}
    assert reachable(g, s, asked, hops, blocked=blocked).tolist() == [t in chained for t in asked]


def test_reach_limit_and_reachable_by_hand() -> None:
    # 1 ─0.9─ 2 ─0.9─ 3 ─0.9─ 4 ─0.9─ 5, and 1 ─0.05─ 6 ─0.05─ 7: the top two from 1 are 2 (0.9)
    # and 3 (0.81); within three hops 1 reaches 2, 3, 4, 6 and 7 but not 5; with 3 blocked it
    # still reaches 3 (blocked people are reached) but no longer 4.
    g = graph_of(
        [
            *[(1, 2, 0.9, 0.9), (2, 3, 0.9, 0.9), (3, 4, 0.9, 0.9), (4, 5, 0.9, 0.9)],
            *[(1, 6, 0.05, 0.05), (6, 7, 0.05, 0.05)],
        ]
    )
    top = reach_within(g, 1, 3, limit=2)
    assert top.nodes.tolist() == [2, 3]
    assert top.prob.tolist() == pytest.approx([f32(0.9), f32(0.9) ** 2])
    assert reach_within(g, 1, 3, limit=10).nodes.tolist() == [2, 3, 4, 6, 7]
    people = [1, 2, 3, 4, 5, 6, 7, 42]
    assert reachable(g, 1, people).tolist() == [False, True, True, True, False, True, True, False]
    assert reachable(g, 1, people, blocked={3}).tolist() == [
        *[False, True, True, False, False, True, True, False]
    ]
    assert reachable(g, 1, people, 1).tolist() == [False, True, *[False] * 3, True, False, False]
    assert not reachable(g, 1, people, 0).any()
    assert not reachable(g, 42, people).any()
    with pytest.raises(InvalidInput):
        reach_within(g, 1, 3, limit=0)
    with pytest.raises(InvalidInput):
        reachable(g, 1, people, -1)


def test_scratch_space_is_clean_after_each_query() -> None:
    g = graph_of([(1, 2, 0.9, 0.9), (2, 3, 0.9, 0.9), (3, 4, 0.9, 0.9), (1, 5, 0.4, 0.4)])
    first = best_paths(g, 1, [4, 3], blocked={5})
    reach_within(g, 1, 3, blocked={2})
    reach_within(g, 1, 3, blocked={2}, limit=1)
    reachable(g, 1, [4, 5, 3], blocked={2})
    assert best_paths(g, 1, [4, 3], blocked={5}) == first
    sc = paths_mod._local.scratch
    assert (sc.tpos == -1).all() and (sc.tseg == -1).all() and (sc.apos == -1).all()
    assert not sc.blocked.any() and not sc.best.any() and not sc.hop.any()
    assert (sc.stamp == -1).all()
