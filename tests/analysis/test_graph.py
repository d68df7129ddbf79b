"""The CSR tie graph: construction, arc order, patches, the disk cache and the hop model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from weakties.analysis.graph import (
    StaleGraph,
    TieGraph,
    WillingnessModel,
    hop_probability,
)
from weakties.errors import InvalidInput, NotFound


def columns(rows: list[tuple[int, int, float, float]]) -> list[NDArray[Any]]:
    """Tie rows as the four arrays ``from_edges`` takes."""
    return [np.array([r[i] for r in rows]) for i in range(4)]


def arcs_of(g: TieGraph) -> dict[tuple[int, int], tuple[float, float]]:
    """(u_id, v_id) → (p of u→v, p of v→u) as the graph stores it."""
    rows = np.repeat(g.node_ids, g.degree())
    return {
        (int(u), int(v)): (float(p), float(r))
        for u, v, p, r in zip(rows, g.node_ids[g.indices], g.prob, g.prob_rev, strict=True)
    }


def check_consistent(g: TieGraph) -> None:
    arcs = arcs_of(g)
    assert len(arcs) == g.n_arcs  # no arc twice
    for (u, v), (p, r) in arcs.items():
        assert arcs[(v, u)] == (r, p)
    for u in range(g.n_nodes):
        row = g.prob[g.indptr[u] : g.indptr[u + 1]]
        assert np.all(row[:-1] >= row[1:])
        into = g.prob_rev[g.indptr[u] : g.indptr[u + 1]]
        assert g.max_in[u] == (into.max() if len(into) else 0.0)
    assert np.all(np.diff(g.node_ids) > 0)


def test_build_by_hand() -> None:
    g = TieGraph.from_edges(
        [30, 10, 10, 20], [10, 20, 10, 40], [0.2, 0.9, 0.5, 0.4], [0.3, 0.6, 0.5, 0.7]
    )
    assert g.node_ids.tolist() == [10, 20, 30, 40]
    assert g.n_ties == 3  # the self-tie 10–10 is dropped
    # Row of 10 sorted by its outgoing probability: →20 (0.9), →30 (0.3).
    assert g.node_ids[g.indices[g.indptr[0] : g.indptr[1]]].tolist() == [20, 30]
    assert g.prob[g.indptr[0] : g.indptr[1]].tolist() == pytest.approx([0.9, 0.3])
    assert g.arc_prob(30, 10) == pytest.approx(0.2)
    assert g.arc_prob(40, 20) == pytest.approx(0.7)
    assert g.arc_prob(10, 40) == 0.0 and g.arc_prob(10, 99) == 0.0
    assert g.max_in.tolist() == pytest.approx([0.6, 0.9, 0.3, 0.4])
    assert g.max_out().tolist() == pytest.approx([0.9, 0.6, 0.2, 0.7])
    assert g.node_of([40, 5, 10]).tolist() == [3, -1, 0]
    assert g.require_node(20) == 1
    with pytest.raises(NotFound):
        g.require_node(5)
    check_consistent(g)


def test_duplicates_keep_the_best_probability_each_way() -> None:
    g = TieGraph.from_edges([1, 2, 1], [2, 1, 3], [0.2, 0.5, 0.4], [0.7, 0.1, 0.4])
    assert g.n_ties == 2
    assert g.arc_prob(1, 2) == pytest.approx(0.2)  # max(0.2, 0.1)
    assert g.arc_prob(2, 1) == pytest.approx(0.7)  # max(0.7, 0.5)
    check_consistent(g)


def test_people_without_ties_and_bad_input() -> None:
    g = TieGraph.from_edges([1], [2], [0.5], people=[7, 1])
    assert g.node_ids.tolist() == [1, 2, 7] and g.degree().tolist() == [1, 1, 0]
    empty = TieGraph.from_edges([], [], [])
    assert empty.n_nodes == 0 and empty.node_of([1]).tolist() == [-1]
    for bad in ([0.0], [1.5], [float("nan")]):
        with pytest.raises(InvalidInput):
            TieGraph.from_edges([1], [2], bad)
    with pytest.raises(InvalidInput):
        TieGraph.from_edges([1, 2], [2], [0.5])


def test_sparse_large_ids_use_the_sorting_path() -> None:
    g = TieGraph.from_edges([-5, 10**15], [10**12, -5], [0.5, 0.25], [0.5, 0.75])
    assert g.node_ids.tolist() == [-5, 10**12, 10**15]
    assert g.arc_prob(10**15, -5) == 0.25 and g.arc_prob(-5, 10**15) == 0.75


ties_strategy = st.lists(
    st.tuples(
        st.integers(0, 12),
        st.integers(0, 12),
        st.floats(0.0625, 1.0, width=32),
        st.floats(0.0625, 1.0, width=32),
    ),
    max_size=40,
)


@settings(max_examples=80, deadline=None)
@given(ties=ties_strategy)
def test_arcs_equal_the_input_ties(ties: list[tuple[int, int, float, float]]) -> None:
    expected: dict[tuple[int, int], float] = {}
    for a, b, pf, pb in ties:
        if a != b:
            expected[(a, b)] = max(expected.get((a, b), 0.0), pf)
            expected[(b, a)] = max(expected.get((b, a), 0.0), pb)
    g = TieGraph.from_edges(*columns(ties))
    assert {k: v[0] for k, v in arcs_of(g).items()} == expected
    check_consistent(g)
    ea, eb, efw, ebw = g.edges()
    assert np.all(ea < eb) and len(ea) == g.n_ties
    again = TieGraph.from_edges(ea, eb, efw, ebw, unique_pairs=True)
    assert arcs_of(again) == arcs_of(g)


@settings(max_examples=60, deadline=None)
@given(ties=ties_strategy, patch=ties_strategy)
def test_patch_equals_rebuild(
    ties: list[tuple[int, int, float, float]], patch: list[tuple[int, int, float, float]]
) -> None:
    def build(rows: list[tuple[int, int, float, float]]) -> TieGraph:
        return TieGraph.from_edges(*columns(rows), unique_pairs=True)

    # Later entries win in a patch; dedupe both lists by unordered pair first.
    def last_wins(
        rows: list[tuple[int, int, float, float]],
    ) -> dict[tuple[int, int], tuple[float, float]]:
        out: dict[tuple[int, int], tuple[float, float]] = {}
        for a, b, pf, pb in rows:
            if a != b:
                out[(min(a, b), max(a, b))] = (pf, pb) if a < b else (pb, pf)
        return out

    base = last_wins(ties)
    change = last_wins(patch)
    g = build([(a, b, *p) for (a, b), p in base.items()])
    patched = g.patched(
        [a for a, _ in change], [b for _, b in change],
        [p[0] for p in change.values()], [p[1] for p in change.values()],
    )  # fmt: skip
    merged = {**base, **change}
    assert arcs_of(patched) == arcs_of(build([(a, b, *p) for (a, b), p in merged.items()]))
    check_consistent(patched)


def test_patch_reweights_in_place_and_keeps_the_original() -> None:
    g = TieGraph.from_edges([1, 1, 2], [2, 3, 3], [0.5, 0.4, 0.3])
    h = g.patched([3], [1], [0.9], [0.1])
    assert h.arc_prob(3, 1) == pytest.approx(0.9) and h.arc_prob(1, 3) == pytest.approx(0.1)
    assert g.arc_prob(3, 1) == pytest.approx(0.4)
    assert h.max_in[h.node_of([1])[0]] == pytest.approx(0.9)
    with pytest.raises(InvalidInput):
        g.patched([1], [2], [0.0])


def test_cache_round_trip_memory_mapped(tmp_path: Path) -> None:
    g = TieGraph.from_edges([1, 2, 3], [2, 3, 1], [0.5, 0.25, 0.75], [0.1, 0.2, 0.3])
    folder = tmp_path / "graph"
    g.save(folder, fingerprint="v1")
    assert TieGraph.cached_fingerprint(folder) == "v1"
    loaded = TieGraph.load(folder, "v1")
    assert isinstance(loaded.indices, np.memmap)
    for name in ("indptr", "indices", "prob", "prob_rev", "node_ids", "max_in"):
        assert np.array_equal(getattr(loaded, name), getattr(g, name))
        assert getattr(loaded, name).dtype == getattr(g, name).dtype
    assert not isinstance(TieGraph.load(folder, mmap=False).prob, np.memmap)
    with pytest.raises(StaleGraph):
        TieGraph.load(folder, "v2")
    g.patched([1], [3], [0.9]).save(folder, fingerprint="v2")  # replaces the old cache
    assert TieGraph.load(folder, "v2").arc_prob(1, 3) == pytest.approx(0.9)
    assert [p.name for p in tmp_path.iterdir()] == ["graph"]


def test_stale_or_damaged_cache_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StaleGraph):
        TieGraph.load(tmp_path / "missing")
    assert TieGraph.cached_fingerprint(tmp_path / "missing") is None
    folder = tmp_path / "g"
    TieGraph.from_edges([1], [2], [0.5]).save(folder, fingerprint="x")
    header = (folder / "header.json").read_text()
    (folder / "header.json").write_text(header.replace('"version": 1', '"version": 999'))
    assert TieGraph.cached_fingerprint(folder) is None
    with pytest.raises(StaleGraph):
        TieGraph.load(folder)
    (folder / "header.json").write_text(header.replace('"arcs": 2', '"arcs": 3'))
    with pytest.raises(StaleGraph):
        TieGraph.load(folder)


def test_to_networkx_weights_are_negative_log_probabilities() -> None:
    g = TieGraph.from_edges([1], [2], [0.5], [0.25], people=[9])
    d = g.to_networkx()
    assert set(d.nodes) == {1, 2, 9}
    assert d[1][2]["prob"] == 0.5 and d[2][1]["weight"] == pytest.approx(np.log(4))


def test_hop_probability_model() -> None:
    # Logistic midpoint: intercept −2.2 + 4.4·0.5 = 0 → 0.5 exactly.
    assert hop_probability(0.5)[()] == pytest.approx(0.5)
    assert hop_probability(0.5, knows=0.5)[()] == pytest.approx(0.25)
    # Goodwill: net favours done raise willingness, owed ones lower it, both saturate.
    base, up, down = hop_probability([0.3, 0.3, 0.3], [0, 4, 0], [0, 0, 4])
    assert down < base < up
    assert hop_probability(0.3, 1000.0)[()] < 1 / (1 + np.exp(-(-2.2 + 4.4 * 0.3 + 1.5))) + 1e-6
    s = np.linspace(0, 1, 11)
    assert np.all(np.diff(hop_probability(s)) > 0)
    m = WillingnessModel()
    assert hop_probability(0.0, knows=0.0)[()] == pytest.approx(m.floor)
    assert hop_probability(1.0)[()] == pytest.approx(1 / (1 + np.exp(-2.2)), rel=1e-6)


def test_one_small_favour_doubles_the_odds() -> None:
    """Regan (1971): one small favour about doubles compliance; here odds ×2 within 5%."""
    base = float(hop_probability(0.3)[()])
    helped = float(hop_probability(0.3, favours_done=1.0)[()])
    odds = (helped / (1 - helped)) / (base / (1 - base))
    assert odds == pytest.approx(2.0, rel=0.05)
