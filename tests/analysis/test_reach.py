"""Job transmission, independent-cascade reach (exact, Monte Carlo, sketch) and the ask plan.

Oracles: hand-computed cascades on tiny graphs; a brute-force enumeration of live-edge worlds
with networkx shortest paths; and the exact evaluator for the Monte Carlo estimators.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.analysis.reach import (
    CascadeGraph,
    PlanMethod,
    SketchDirection,
    celf_plan,
    evaluate_seeds,
    exact_reach,
    greedy_plan,
    monte_carlo_reach,
    plain_greedy,
    plan_asks,
    random_baseline,
    reach_sketch,
    strongest_baseline,
)
from weakties.analysis.transmission import (
    BASE_WILLINGNESS,
    MAX_PASS,
    job_transmission,
    mutual_contact_counts,
    mutual_shape,
)
from weakties.errors import InvalidInput


def graph(n: int, arcs: list[tuple[int, int, float]]) -> CascadeGraph:
    """A cascade graph from (tail, head, p) triples; no arc repeats."""
    u = np.array([a[0] for a in arcs], dtype=np.int64)
    v = np.array([a[1] for a in arcs], dtype=np.int64)
    p = np.array([a[2] for a in arcs], dtype=np.float64)
    return CascadeGraph.from_csr(sp.csr_array((p, (u, v)), shape=(n, n)))


# --- transmission -----------------------------------------------------------------------------


def test_inverted_u_peaks_at_ten_mutual_contacts() -> None:
    m = np.arange(0, 101)
    shape = mutual_shape(m)
    assert int(np.argmax(shape)) == 10
    assert shape[10] == pytest.approx(1.0)
    # 0.15 + 0.85·exp(−(ln(1+m) − ln 11)² / (2·0.85²)), by hand:
    # m=0: ln 11 = 2.3979, /0.85 = 2.8211, ²/2 = 3.9793, exp = 0.01870 → 0.1659
    # m=35: ln(36/11) = 1.1856, /0.85 = 1.3948, ²/2 = 0.9727, exp = 0.3781 → 0.4713
    # m=50: ln(51/11) = 1.5339, /0.85 = 1.8046, ²/2 = 1.6283, exp = 0.1963 → 0.3168
    assert shape[0] == pytest.approx(0.1659, abs=2e-4)
    assert shape[35] == pytest.approx(0.4713, abs=2e-4)
    assert shape[50] == pytest.approx(0.3168, abs=2e-4)
    assert shape[10] > 2 * shape[35]  # moderately weak > twice as effective as strong ties
    assert np.all(np.diff(shape[:11]) > 0) and np.all(np.diff(shape[10:]) < 0)


def test_job_transmission_hand_values() -> None:
    assert job_transmission(10, 1.0) == pytest.approx(MAX_PASS)
    assert job_transmission(10, 0.0) == pytest.approx(MAX_PASS * BASE_WILLINGNESS)
    assert job_transmission(10, 0.0, goodwill=1.0) == pytest.approx(MAX_PASS)
    # willingness 1 − 0.75·0.5·0.5 = 0.8125; ×0.35 = 0.284375; relevance 0.5 → 0.1421875
    assert job_transmission(10, 0.5, 0.5, 0.5) == pytest.approx(0.1421875)
    assert job_transmission(10, 1.0, 1.0, 0.0) == 0.0


unit = st.floats(0.0, 1.0)


@given(st.floats(0.0, 500.0), unit, unit, unit, st.floats(0.0, 0.5))
def test_job_transmission_bounded_and_monotone(
    m: float, s: float, g: float, r: float, step: float
) -> None:
    p = float(job_transmission(m, s, g, r))
    assert 0.0 <= p <= MAX_PASS < 1.0
    assert float(job_transmission(m, min(1.0, s + step), g, r)) >= p
    assert float(job_transmission(m, s, min(1.0, g + step), r)) >= p
    assert float(job_transmission(m, s, g, min(1.0, r + step))) >= p


@pytest.mark.parametrize(
    ("m", "s", "g", "r"),
    [(-1, 0.5, 0, 1), (3, 1.5, 0, 1), (3, 0.5, -0.1, 1), (3, 0.5, 0, 2), (math.nan, 0.5, 0, 1)],
)
def test_job_transmission_rejects_bad_input(m: float, s: float, g: float, r: float) -> None:
    with pytest.raises(InvalidInput):
        job_transmission(m, s, g, r)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 40), st.floats(0.05, 0.6), st.integers(0, 10**6))
def test_mutual_contacts_match_networkx(n: int, density: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((n, n)) < density, 1)
    G = nx.from_numpy_array(upper.astype(int))
    A = sp.csr_array((upper | upper.T).astype(float))
    # A directed, unsorted copy: counts must follow its own stored order.
    A.indices = A.indices.copy()
    for r in range(n):
        lo, hi = A.indptr[r], A.indptr[r + 1]
        A.indices[lo:hi] = A.indices[lo:hi][::-1]
    A.has_sorted_indices = False
    before = A.indices.copy()
    got = mutual_contact_counts(A, chunk_nnz=7)
    rows = np.repeat(np.arange(n), np.diff(A.indptr))
    want = [
        len(list(nx.common_neighbors(G, int(u), int(v))))
        for u, v in zip(rows, A.indices, strict=True)
    ]
    assert got.tolist() == want
    assert np.array_equal(A.indices, before)


# --- exact reach on hand-computed graphs ------------------------------------------------------


def test_path_reach_is_product_within_hop_limit() -> None:
    g = graph(3, [(0, 1, 0.5), (1, 2, 0.5)])
    assert exact_reach(g, [0], [2]).reach == pytest.approx(0.25)
    assert exact_reach(g, [0], [2], max_hops=1).reach == 0.0
    assert exact_reach(g, [0], [1, 2], [2.0, 1.0]).reach == pytest.approx(2 * 0.5 + 0.25)


def test_star_reach_is_weighted_sum() -> None:
    p = [0.1, 0.4, 0.7]
    g = graph(4, [(0, i + 1, p[i]) for i in range(3)])
    est = exact_reach(g, [0], [1, 2, 3], [1.0, 2.0, 3.0])
    assert est.reach == pytest.approx(0.1 + 0.8 + 2.1)
    assert est.target_probs == pytest.approx(tuple(p))
    half = exact_reach(g, [0], [1, 2, 3], [1.0, 2.0, 3.0], activation=[0.5])
    assert half.reach == pytest.approx(3.0 / 2)


def test_two_parallel_routes() -> None:
    p1, p2, p3, p4 = 0.3, 0.6, 0.5, 0.9
    g = graph(4, [(0, 1, p1), (1, 3, p2), (0, 2, p3), (2, 3, p4)])
    want = 1 - (1 - p1 * p2) * (1 - p3 * p4)
    assert exact_reach(g, [0], [3]).reach == pytest.approx(want)


def test_hop_limit_cuts_long_chains() -> None:
    g = graph(5, [(i, i + 1, 1.0) for i in range(4)])
    assert exact_reach(g, [0], [4], max_hops=3).reach == 0.0
    assert exact_reach(g, [0], [4], max_hops=4).reach == 1.0
    # a shortcut through a coin: reached within 3 hops only via 0→2 (p = 0.3)
    g2 = graph(5, [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 4, 1.0), (0, 2, 0.3)])
    assert exact_reach(g2, [0], [4], max_hops=3).reach == pytest.approx(0.3)


def test_told_target_hears_even_if_they_do_not_act() -> None:
    g = graph(3, [(0, 1, 1.0), (1, 2, 1.0)])
    est = exact_reach(g, [1], [1, 2], activation=[0.0])
    assert est.target_probs == (1.0, 0.0)
    assert monte_carlo_reach(g, [1], [1, 2], activation=[0.0], rounds=50).reach == 1.0


def test_exact_refuses_too_many_coins() -> None:
    g = graph(30, [(i, i + 1, 0.5) for i in range(29)] + [(0, i, 0.5) for i in range(2, 29)])
    with pytest.raises(InvalidInput):
        exact_reach(g, [0], list(range(1, 30)), max_unknowns=10)


# --- random small graphs ----------------------------------------------------------------------


@st.composite
def small_cases(draw: st.DrawFn, max_arcs: int = 9) -> tuple[CascadeGraph, list[int], list[int], list[float], list[float], list[tuple[int, int, float]]]:  # fmt: skip
    n = draw(st.integers(2, 7))
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=max_arcs))
    probs = draw(st.lists(st.sampled_from([0.15, 0.35, 0.5, 0.8, 1.0]), min_size=len(chosen), max_size=len(chosen)))  # fmt: skip
    arcs = [(u, v, p) for (u, v), p in zip(chosen, probs, strict=True)]
    seeds = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=3))
    act = draw(st.lists(st.sampled_from([0.3, 0.7, 1.0]), min_size=len(seeds), max_size=len(seeds)))  # fmt: skip
    targets = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=n))
    w = draw(st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=len(targets), max_size=len(targets)))  # fmt: skip
    return graph(n, arcs), seeds, targets, w, act, arcs


def brute_force(
    n: int,
    arcs: list[tuple[int, int, float]],
    seeds: list[int],
    targets: list[int],
    w: list[float],
    act: list[float],
    hops: int,
) -> float:
    """Σ over every live-edge world × activation pattern, with networkx bounded BFS."""
    total = 0.0
    for live in itertools.product([False, True], repeat=len(arcs)):
        for on in itertools.product([False, True], repeat=len(seeds)):
            pr = math.prod(p if x else 1 - p for (_, _, p), x in zip(arcs, live, strict=True))
            pr *= math.prod(q if x else 1 - q for q, x in zip(act, on, strict=True))
            if pr == 0.0:
                continue
            G = nx.DiGraph()
            G.add_nodes_from(range(n))
            G.add_edges_from((u, v) for (u, v, _), x in zip(arcs, live, strict=True) if x)
            sources = {s for s, x in zip(seeds, on, strict=True) if x}
            near = nx.multi_source_dijkstra_path_length(G, sources, cutoff=hops) if sources else {}
            heard = set(near) | set(seeds)
            total += pr * sum(wt for t, wt in zip(targets, w, strict=True) if t in heard)
    return total


@settings(max_examples=40, deadline=None)
@given(small_cases(max_arcs=7), st.integers(0, 3))
def test_exact_matches_networkx_enumeration(case: tuple, hops: int) -> None:  # type: ignore[type-arg]
    g, seeds, targets, w, act, arcs = case
    want = brute_force(g.n, arcs, seeds, targets, w, act, hops)
    got = exact_reach(g, seeds, targets, w, activation=act, max_hops=hops).reach
    assert got == pytest.approx(want, abs=1e-12)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(small_cases())
def test_monte_carlo_within_four_standard_errors(case: tuple) -> None:  # type: ignore[type-arg]
    g, seeds, targets, w, act, _ = case
    exact = exact_reach(g, seeds, targets, w, activation=act).reach
    mc = monte_carlo_reach(g, seeds, targets, w, activation=act, rounds=3000, seed=11)
    assert abs(mc.reach - exact) <= 4 * mc.stderr + 1e-12


@settings(max_examples=30, deadline=None)
@given(small_cases(), st.integers(0, 2**32))
def test_sketch_and_forward_simulation_see_the_same_worlds(case: tuple, seed: int) -> None:  # type: ignore[type-arg]
    g, seeds, targets, w, act, _ = case
    fwd = monte_carlo_reach(g, seeds, targets, w, activation=act, rounds=200, seed=seed)
    sk = reach_sketch(g, seeds, targets, w, activation=act, rounds=200, seed=seed)
    assert sk.reach(seeds) == fwd


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6))
def test_forward_and_reverse_sketches_are_identical(seed: int) -> None:
    g, cands, targets = community(40, seed)
    act = np.random.default_rng(seed).uniform(0.2, 1.0, cands.size)
    fwd, rev = (
        reach_sketch(g, cands, targets, activation=act, rounds=60, seed=seed, direction=d)
        for d in (SketchDirection.FORWARD, SketchDirection.REVERSE)
    )
    assert np.array_equal(fwd.member_indptr, rev.member_indptr)
    assert np.array_equal(fwd.member_elems, rev.member_elems)
    assert fwd.member_elems.size > 0


# --- the plan ---------------------------------------------------------------------------------


def community(n: int, seed: int, p_max: float = 0.6) -> tuple[CascadeGraph, np.ndarray, np.ndarray]:
    """A random directed graph with a few dense groups, and job-transmission-like probabilities."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 4, n)
    same = group[:, None] == group[None, :]
    adj = rng.random((n, n)) < np.where(same, 0.25, 0.03)
    np.fill_diagonal(adj, False)
    u, v = np.nonzero(adj)
    p = rng.uniform(0.05, p_max, u.size)
    g = CascadeGraph.from_csr(sp.csr_array((p, (u, v)), shape=(n, n)))
    targets = np.flatnonzero(group == 3)
    candidates = np.flatnonzero(group != 3)
    return g, candidates, targets


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 6))
def test_celf_picks_the_plain_greedy_seeds(seed: int, k: int) -> None:
    g, cands, targets = community(40, seed)
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.5, 2.0, targets.size)
    act = rng.uniform(0.2, 1.0, cands.size)
    sketch = reach_sketch(g, cands, targets, w, activation=act, rounds=150, seed=seed)
    lazy = celf_plan(sketch, k)
    eager = greedy_plan(sketch, k)
    plain = plain_greedy(g, cands, targets, w, k, activation=act, rounds=150, seed=seed)
    assert lazy.seeds == eager.seeds == plain.seeds
    assert lazy.gains == eager.gains == plain.gains
    assert lazy.reach == plain.reach and lazy.stderr == pytest.approx(plain.stderr)
    assert lazy.method is PlanMethod.CELF and plain.method is PlanMethod.PLAIN_MONTE_CARLO
    # diminishing returns: each pick adds no more than the one before
    assert all(a >= b for a, b in itertools.pairwise(lazy.gains))
    assert lazy.reach == pytest.approx(sum(lazy.gains))
    assert lazy.evaluations <= eager.evaluations


def test_celf_saves_evaluations() -> None:
    g, cands, targets = community(200, 3, p_max=0.15)
    sketch = reach_sketch(g, cands, targets, rounds=100)
    lazy, eager = celf_plan(sketch, 8), greedy_plan(sketch, 8)
    assert lazy.seeds == eager.seeds
    # plain: C + (C−1) + … + (C−7); lazy: C singletons read off the sketch, then few re-checks
    assert eager.evaluations == sum(cands.size - i for i in range(8))
    assert lazy.evaluations < eager.evaluations / 3


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.data())
def test_sketch_reach_is_monotone_and_submodular(seed: int, data: st.DataObject) -> None:
    g, cands, targets = community(30, seed)
    sketch = reach_sketch(g, cands, targets, rounds=80, seed=seed)
    pool = cands.tolist()
    small = data.draw(st.lists(st.sampled_from(pool), unique=True, max_size=4))
    extra = data.draw(st.lists(st.sampled_from(pool), unique=True, max_size=4))
    big = list(dict.fromkeys(small + extra))
    x = data.draw(st.sampled_from([c for c in pool if c not in big] or pool))

    def f(s: list[int]) -> float:
        return sketch.reach(list(dict.fromkeys(s))).reach

    assert f(small) <= f(big) + 1e-12
    assert f([*small, x]) - f(small) >= f([*big, x]) - f(big) - 1e-12


def test_plan_explains_each_pick() -> None:
    # a reaches both targets for sure; b reaches only t1, c nothing. Greedy: a, then b adds 0.
    g = graph(6, [(0, 4, 1.0), (0, 5, 1.0), (1, 4, 1.0), (2, 3, 1.0)])
    plan = plan_asks(g, None, [1, 0, 2], [4, 5], [1.0, 3.0], 2, rounds=10)
    assert plan.seeds == (0, 1)
    assert plan.gains == (4.0, 0.0)
    assert plan.reach == 4.0 and plan.stderr == 0.0
    first = plan.picks[0]
    assert [(t.node, t.probability, t.weighted) for t in first.targets] == [
        (5, 1.0, 3.0),
        (4, 1.0, 1.0),
    ]
    assert plan.picks[1].targets == () and plan.picks[1].reach_after == 4.0
    assert plan.target_probs == (1.0, 1.0) and plan.targets == (4, 5)


def test_greedy_beats_the_strongest_redundant_ties() -> None:
    # 1 and 2 (my strongest) reach the same target; 3 alone reaches the other.
    g = graph(6, [(1, 4, 0.8), (2, 4, 0.8), (3, 5, 0.5)])
    cands, strength = np.array([1, 2, 3]), np.array([0.9, 0.8, 0.1])
    strong = strongest_baseline(cands, strength, 2)
    assert strong.tolist() == [1, 2]
    exact_strong = exact_reach(g, strong, [4, 5]).reach  # 1 − 0.2² = 0.96
    assert exact_strong == pytest.approx(0.96)
    sketch = reach_sketch(g, cands, [4, 5], rounds=4000, seed=5)
    plan = celf_plan(sketch, 2)
    assert set(plan.seeds) == {1, 3}
    assert exact_reach(g, plan.seeds, [4, 5]).reach == pytest.approx(1.3)
    given_plan = evaluate_seeds(sketch, strong)
    assert given_plan.method is PlanMethod.GIVEN and given_plan.seeds == (1, 2)
    assert abs(given_plan.reach - 0.96) <= 4 * given_plan.stderr


def test_plan_asks_accepts_csr_and_graph_alike() -> None:
    rng = np.random.default_rng(2)
    dense = (rng.random((25, 25)) < 0.2) * rng.uniform(0.1, 0.7, (25, 25))
    np.fill_diagonal(dense, 0.0)
    csr = sp.csr_matrix(dense)
    cands, targets = np.arange(0, 15), np.arange(15, 25)
    a = plan_asks(csr, None, cands, targets, None, 3, rounds=200, seed=4)
    b = plan_asks(CascadeGraph.from_csr(csr), None, cands, targets, None, 3, rounds=200, seed=4)
    c = plan_asks(csr, np.asarray(csr.data), cands, targets, None, 3, rounds=200, seed=4)
    assert a == b == c
    with pytest.raises(InvalidInput):
        plan_asks(CascadeGraph.from_csr(csr), csr.data, cands, targets, None, 3)


def test_baselines() -> None:
    cands = np.array([7, 3, 9, 1])
    assert strongest_baseline(cands, [0.2, 0.9, 0.9, 0.1], 3).tolist() == [3, 9, 7]
    r = random_baseline(cands, 3, seed=1)
    assert len(set(r.tolist())) == 3 and set(r.tolist()) <= set(cands.tolist())
    assert r.tolist() == random_baseline(cands, 3, seed=1).tolist()
    assert random_baseline(cands, 10).size == 4


@pytest.mark.parametrize(
    "bad",
    [
        {"candidates": [0, 0]},
        {"candidates": [9]},
        {"targets": [-1]},
        {"target_weight": [-1.0]},
        {"activation": [1.5, 1.0]},
        {"rounds": 0},
        {"max_hops": -1},
    ],
)
def test_bad_inputs_are_rejected(bad: dict[str, object]) -> None:
    g = graph(3, [(0, 1, 0.5), (1, 2, 0.5)])
    args: dict[str, object] = {
        "candidates": [0, 1],
        "targets": [2],
        "target_weight": [1.0],
        "activation": None,
        "rounds": 10,
        "max_hops": 3,
    }
    args.update(bad)
    with pytest.raises(InvalidInput):
        reach_sketch(
            g,
            args["candidates"],  # type: ignore[arg-type]
            args["targets"],  # type: ignore[arg-type]
            args["target_weight"],  # type: ignore[arg-type]
            activation=args["activation"],  # type: ignore[arg-type]
            rounds=args["rounds"],  # type: ignore[arg-type]
            max_hops=args["max_hops"],  # type: ignore[arg-type]
        )


def test_graph_rejects_bad_probabilities() -> None:
    with pytest.raises(InvalidInput):
        graph(2, [(0, 1, 1.5)])
    with pytest.raises(InvalidInput):
        CascadeGraph.from_csr(sp.csr_array(np.eye(2)), [0.5])
