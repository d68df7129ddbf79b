"""Structure vs networkx, knows evidence, and the benchmark protocol on hand-made events."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from weakties.analysis.events import EventArrays
from weakties.analysis.knows import (
    KnowsEvidence,
    adamic_adar,
    knows_probability,
    resource_allocation,
)
from weakties.analysis.protocol import (
    new_tie_candidates,
    persistence_labels,
    roc_auc,
    split_events,
    unkey,
)
from weakties.analysis.structure import communities, constraint, dunbar_layers, effective_size


def _graphs() -> list[nx.Graph]:
    star = nx.star_graph(5)
    clique = nx.complete_graph(5)
    broker = nx.union(nx.complete_graph(4), nx.complete_graph(range(4, 8)))
    broker.add_edges_from([(8, 0), (8, 4)])
    weighted = nx.DiGraph()
    weighted.add_weighted_edges_from(
        [(0, 1, 3.0), (1, 0, 1.0), (0, 2, 2.0), (2, 3, 5.0), (3, 0, 1.5), (1, 3, 0.5)]
    )
    rnd = nx.gnm_random_graph(30, 80, seed=2)
    for a, b in rnd.edges:
        rnd[a][b]["weight"] = 1.0 + (a * 7 + b) % 5
    rnd.add_node(30)  # isolated: NaN in both
    return [star, clique, broker, weighted, rnd]


@pytest.mark.parametrize("g", _graphs())
def test_constraint_and_effective_size_match_networkx(g: nx.Graph) -> None:
    weight = "weight" if nx.is_weighted(g) else None
    nodes = sorted(g.nodes)
    A = nx.to_scipy_sparse_array(g, nodelist=nodes, weight=weight or "weight")
    want_c = nx.constraint(g, nodes=nodes, weight=weight)
    # nodes= takes networkx's per-node path, which follows the documented formula; its
    # all-nodes sparse shortcut (3.6.1) divides by the wrong row's maximum on weighted graphs.
    want_e = nx.effective_size(g, nodes=nodes, weight=weight)
    got_c = constraint(A)
    got_e = effective_size(A)
    for i, node in enumerate(nodes):
        assert got_c[i] == pytest.approx(want_c[node], abs=1e-9, nan_ok=True)
        assert got_e[i] == pytest.approx(want_e[node], abs=1e-9, nan_ok=True)


def test_star_centre_constraint_is_one_over_n() -> None:
    A = nx.to_scipy_sparse_array(nx.star_graph(6))
    assert constraint(A, np.array([0]))[0] == pytest.approx(1 / 6)


def test_dunbar_layers() -> None:
    layers = dunbar_layers(np.array([100.0, 60, 20, 5, 1, 0.5]))
    assert layers.sizes == (2, 1, 1, 1)
    assert layers.cumulative == (2, 3, 4, 5)
    assert layers.layer_of.tolist() == [0, 0, 1, 2, 3, -1]


def test_communities_find_two_cliques() -> None:
    g = nx.union(nx.complete_graph(6), nx.complete_graph(range(6, 12)))
    g.add_edge(0, 6)
    labels = communities(nx.to_scipy_sparse_array(g, nodelist=range(12)))
    assert len(set(labels[:6].tolist())) == 1 and len(set(labels[6:].tolist())) == 1
    assert labels[0] != labels[6]


def test_link_indices_match_networkx() -> None:
    g = nx.gnm_random_graph(40, 120, seed=5)
    A = sp.csr_matrix(nx.to_scipy_sparse_array(g, nodelist=range(40)))
    pairs = [p for p in itertools.combinations(range(40), 2) if not g.has_edge(*p)][:200]
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    ra = {(x, y): s for x, y, s in nx.resource_allocation_index(g, pairs)}
    aa = {(x, y): s for x, y, s in nx.adamic_adar_index(g, pairs)}
    assert np.allclose(resource_allocation(A, a, b), [ra[p] for p in pairs])
    assert np.allclose(adamic_adar(A, a, b), [aa[p] for p in pairs])


def test_knows_evidence_combines_by_noisy_or() -> None:
    A = sp.csr_matrix((4, 4))
    ev = KnowsEvidence(
        shared_groups=np.array([1.0, 0.0, 0.0, 0.0]),
        tenure_years=np.array([0.0, 2.0, 0.0, 0.0]),
        org_size=np.array([0.0, 300.0, 0.0, 0.0]),
        explicit=np.array([False, False, True, False]),
        imported=np.array([False, False, False, False]),
    )
    k = knows_probability(A, np.array([0, 0, 1, 2]), np.array([1, 2, 3, 3]), evidence=ev)
    assert k.p[0] == pytest.approx(1 - np.exp(-1.0))
    assert k.p[1] == pytest.approx(0.5 * (1 - np.exp(-2.0)))
    assert k.p[2] == pytest.approx(0.99)
    assert k.p[3] == 0.0


def test_knows_rises_with_closure_and_falls_with_absence() -> None:
    g = nx.Graph([(0, 2), (1, 2), (0, 3), (1, 3), (4, 5)])
    A = nx.to_scipy_sparse_array(g, nodelist=range(6))
    k = knows_probability(A, np.array([0, 0]), np.array([1, 4]))
    assert k.p[0] > k.p[1] > 0
    seen = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    later = knows_probability(A, np.array([0]), np.array([1]), last_seen=seen, now=86400.0 * 365)
    assert later.p[0] < k.p[0]


def test_auc_matches_brute_force() -> None:
    rng = np.random.default_rng(1)
    s = rng.integers(0, 5, 60).astype(float)
    y = rng.random(60) < 0.4
    wins = sum(1.0 if p > q else 0.5 if p == q else 0.0 for p in s[y] for q in s[~y])
    assert roc_auc(s, y) == pytest.approx(wins / (y.sum() * (~y).sum()))


def test_protocol_split_on_tiny_events() -> None:
    # Ten events at t = 0..9; the self-loop at t = 5 is dropped first, leaving nine times.
    u = [1, 1, 2, 3, 1, 7, 1, 2, 6, 1]
    v = [2, 2, 3, 1, 6, 7, 2, 4, 3, 3]
    ev = EventArrays.from_columns(u, v, list(range(10)))
    split = split_events(ev)
    # Times 0,1,2,3,4,6,7,8,9: the 0.7 quantile sits at position 5.6 → 6 + 0.6·(7 − 6) = 6.6.
    assert split.cut == pytest.approx(6.6)
    assert len(split.train) == 6 and len(split.test) == 3
    cand, y = persistence_labels(split)
    assert list(zip(*unkey(cand), strict=True)) == [(1, 2), (1, 3), (1, 6), (2, 3)]
    assert y.tolist() == [False, True, False, False]  # only 1–3 talks again (t = 9)
    keys, yy = new_tie_candidates(split)
    # 3–6 is new at t = 8 between train people; 2–4 is not (4 is not in train).
    # The only pair of {1, 2, 3, 6} with no event at all is 2–6: it must be the negative.
    assert list(zip(*unkey(keys), strict=True)) == [(3, 6), (2, 6)]
    assert yy.tolist() == [True, False]
