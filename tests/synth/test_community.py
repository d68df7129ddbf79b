"""Community-scale graphs: exact sizes, a clean edge list, heavy tails, clustering, vocabularies."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from weakties.errors import InvalidInput
from weakties.synth.community import CommunityGraph, community_graph
from weakties.synth.names import FUNCTIONS, SKILLS, SKILLS_BY_FUNCTION, TITLE_LADDERS, TITLES


@pytest.fixture(scope="module")
def g() -> CommunityGraph:
    return community_graph(10_000, 20, seed=3)


def test_edge_count_matches_the_average_degree(g: CommunityGraph) -> None:
    assert g.n == 10_000
    assert g.n_edges == 100_000  # 10,000 people × 20 / 2
    assert np.bincount(g.src, minlength=g.n).sum() + np.bincount(g.dst, minlength=g.n).sum() == (
        200_000
    )


def test_other_sizes_and_degrees() -> None:
    small = community_graph(3_000, 8, seed=1)
    assert small.n_edges == 12_000
    assert small.degrees().mean() == pytest.approx(8.0)


def test_edge_list_is_canonical(g: CommunityGraph) -> None:
    assert g.src.dtype == np.int32 and g.dst.dtype == np.int32 and g.weight.dtype == np.float32
    assert (g.src < g.dst).all()  # undirected, i < j, hence no self-loops
    assert g.src.min() >= 0 and g.dst.max() < g.n
    keys = g.src.astype(np.int64) * g.n + g.dst
    assert len(set(keys.tolist())) == g.n_edges  # no duplicates
    assert (np.diff(keys) > 0).all()  # sorted
    assert (g.weight > 0).all() and (g.weight <= 1).all()


def test_degrees_are_heavy_tailed_with_hubs(g: CommunityGraph) -> None:
    degrees = g.degrees()
    assert degrees.max() >= 8 * degrees.mean()
    assert np.median(degrees) < degrees.mean()
    assert (degrees >= 3 * degrees.mean()).mean() >= 0.01


def test_graph_is_clustered_and_mostly_connected(g: CommunityGraph) -> None:
    graph = nx.Graph()
    graph.add_nodes_from(range(g.n))
    graph.add_edges_from(zip(g.src.tolist(), g.dst.tolist(), strict=True))
    assert nx.average_clustering(graph) > 0.1
    assert len(max(nx.connected_components(graph), key=len)) >= 0.99 * g.n


def test_organisations_have_heavy_tailed_sizes(g: CommunityGraph) -> None:
    sizes = np.bincount(g.org_of, minlength=g.n_orgs)
    assert g.org_of.dtype == np.int32 and sizes.min() >= 1  # every code is used
    assert ((sizes >= 20) & (sizes <= 200)).sum() >= 50
    assert sizes.max() >= 10 * np.median(sizes)


def test_ties_live_mostly_inside_organisations_and_cities(g: CommunityGraph) -> None:
    same_org = g.org_of[g.src] == g.org_of[g.dst]
    same_city = g.city_of[g.src] == g.city_of[g.dst]
    # a random pair shares an organisation (a city) with probability sum(size²) / n²
    org_sizes = np.bincount(g.org_of).astype(np.float64)
    city_sizes = np.bincount(g.city_of).astype(np.float64)
    assert same_org.mean() > 10 * (org_sizes**2).sum() / g.n**2
    assert same_city.mean() > 2 * (city_sizes**2).sum() / g.n**2
    # and colleagues' ties are stronger on average
    assert g.weight[same_org].mean() > g.weight[~same_org].mean() + 0.1


def test_titles_and_skills_decode_to_one_function(g: CommunityGraph) -> None:
    assert g.titles == TITLES and g.skill_names == SKILLS
    assert g.skills.shape == (g.n, 3)
    for person in range(0, g.n, 97):
        title = g.titles[int(g.title_of[person])]
        function = next(f for f in FUNCTIONS if title in TITLE_LADDERS[f])
        skills = [g.skill_names[int(k)] for k in g.skills[person]]
        assert len(set(skills)) == 3
        assert set(skills) <= set(SKILLS_BY_FUNCTION[function])


def test_same_seed_same_graph_other_seed_other_graph(g: CommunityGraph) -> None:
    again = community_graph(10_000, 20, seed=3)
    other = community_graph(10_000, 20, seed=4)
    for name in ("src", "dst", "weight", "org_of", "city_of", "title_of", "skills"):
        assert np.array_equal(getattr(g, name), getattr(again, name))
    assert not np.array_equal(g.dst, other.dst)


@pytest.mark.parametrize(("n", "degree"), [(5, 2.0), (100, 0.0), (100, 60.0)])
def test_impossible_requests_are_refused(n: int, degree: float) -> None:
    with pytest.raises(InvalidInput):
        community_graph(n, degree)
