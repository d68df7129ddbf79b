"""The closure sums of candidate pairs, against sums enumerated walk by walk with networkx."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.analysis.signals import closure_order, closure_sums


def _by_hand(g: nx.Graph, w: np.ndarray, p: int, q: int) -> list[float]:
    """The five sums for ``(p, q)`` from their definitions: common neighbours ``z`` weighted
    by columns 0–3, and every walk ``p–x–y–q`` weighted ``w_x w_y`` by column 4."""
    common = set(g[p]) & set(g[q])
    walks = sum(w[x, 4] * w[y, 4] for x in g[p] for y in g[x] if g.has_edge(y, q))
    return [*(sum(w[z, c] for z in common) for c in range(4)), walks]


@st.composite
def _graphs(draw: st.DrawFn) -> tuple[nx.Graph, list[tuple[int, int]], np.ndarray, int]:
    n = draw(st.integers(2, 24))
    p_edge = draw(st.floats(0.05, 0.6))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    g = nx.gnp_random_graph(n, p_edge, seed=seed)
    if draw(st.booleans()):  # a hub joined to everyone, as real networks have
        g.add_edges_from((0, v) for v in range(1, n))
    pairs = [(int(p), int(q)) for p, q in rng.integers(0, n, (draw(st.integers(1, 60)), 2))]
    weights = rng.random((n, 5))
    block = draw(st.sampled_from([1, 7, 50, 4_000_000]))
    return g, pairs, weights, block


@settings(max_examples=150, deadline=None)
@given(_graphs())
def test_closure_sums_equal_walks_enumerated_by_hand(
    case: tuple[nx.Graph, list[tuple[int, int]], np.ndarray, int],
) -> None:
    """Any graph (with or without a hub), any pairs (repeated, reversed, a person with
    themself, strangers), any weights, blocks from one entry up: the sums are the definitions."""
    g, pairs, weights, block = case
    n = g.number_of_nodes()
    A = sp.csr_matrix(nx.to_scipy_sparse_array(g, nodelist=range(n), dtype=np.float64))
    a = np.array([p for p, _ in pairs], dtype=np.int64)
    b = np.array([q for _, q in pairs], dtype=np.int64)
    got = closure_sums(A, a, b, weights, block=max(block, 1), max_block_entries=block)
    want = np.array([_by_hand(g, weights, p, q) for p, q in pairs])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_closure_order_puts_the_smaller_degree_first() -> None:
    deg = np.array([5.0, 1.0, 3.0, 3.0])
    a, b = closure_order(deg, np.array([0, 1, 2, 3]), np.array([1, 0, 3, 2]))
    assert a.tolist() == [1, 1, 2, 3] and b.tolist() == [0, 0, 3, 2]


def test_three_step_of_a_square_by_hand() -> None:
    """The 4-cycle 0–1–2–3–0, every degree 2, unit weights 1/2: from 0 to 1 the walks of
    three steps are 0–1–0–1, 0–1–2–1, 0–3–0–1 and 0–3–2–1, each weighing 1/4."""
    A = sp.csr_matrix(nx.to_scipy_sparse_array(nx.cycle_graph(4), dtype=np.float64))
    w = np.column_stack([np.ones(4), np.full(4, 1 / math.log(2)), *[np.full(4, 0.5)] * 3])
    got = closure_sums(A, np.array([0]), np.array([1]), w)
    np.testing.assert_allclose(got[0], [0, 0, 0, 0, 1.0], rtol=1e-12)
