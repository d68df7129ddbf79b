"""The Spark engine against hand-computed values and against the local engine.

Every feature, score and closure sum must agree with the local engine to a relative 1e-9
(both sum the same terms, in a different order); counts, pair lists and categories exactly.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from weakties.analysis.features import DAY, PairAggregate, aggregate_events
from weakties.analysis.signals import closure_sums
from weakties.engines.local import LOCAL, build_network, graph_edges
from weakties.store.facts import Facts

RTOL = 1e-9
E = np.zeros(0, np.int64)
F = np.zeros(0)


def facts_of(
    rows: list[tuple[int, int, bool, float, int]], people: list[int], me: int = 1
) -> Facts:
    """Facts holding only interactions: rows of (interaction, person, initiator, day, channel)."""
    a = np.array(rows, dtype=object)
    return Facts(
        me=me,
        people=np.array(people, np.int64),
        do_not_ask=E,
        p_interaction=a[:, 0].astype(np.int64),
        p_person=a[:, 1].astype(np.int64),
        p_initiator=a[:, 2].astype(np.bool_),
        p_time=a[:, 3].astype(np.float64) * DAY,
        p_channel=a[:, 4].astype(np.int8),
        link_a=E,
        link_b=E,
        link_time=F,
        favour_giver=E,
        favour_receiver=E,
        favour_weight=F,
        favour_time=F,
        intro_by=E,
        intro_a=E,
        intro_b=E,
        intro_time=F,
        aff_person=E,
        aff_org=E,
        aff_start=F,
        aff_end=F,
        knows_a=E,
        knows_b=E,
        rating_person=E,
        rating_value=F,
        fingerprint="",
    )


EMAIL, MEETING, MESSAGE = 0, 1, 3
HAND = facts_of(
    [
        (1, 1, True, 0, EMAIL),  # 1 writes to 2
        (1, 2, False, 0, EMAIL),
        (2, 2, True, 10, EMAIL),  # 2 writes back
        (2, 1, False, 10, EMAIL),
        (3, 1, True, 5, MEETING),  # 1 invites 2 and 3
        (3, 2, False, 5, MEETING),
        (3, 3, False, 5, MEETING),
        (4, 3, True, 15, MESSAGE),  # 3 posts to a list of four: above the clique limit of 3
        (4, 1, False, 15, MESSAGE),
        (4, 2, False, 15, MESSAGE),
        (4, 4, False, 15, MESSAGE),
        (5, 1, True, 25, EMAIL),  # after as_of: not counted
        (5, 2, False, 25, EMAIL),
    ],
    [1, 2, 3, 4],
)
AS_OF = 20 * DAY


def test_the_hand_computed_example(kernels: Any) -> None:
    """Pairs, counts, gaps, intimacy and ACT-R activation worked out by hand (days from 0;
    ages are days before as_of plus one; email weighs 1, a meeting 2, a message 1)."""
    kernels.max_clique = 3
    got = kernels.aggregate(kernels.pairwise(HAND, HAND.people), AS_OF)
    assert list(zip(got.a.tolist(), got.b.tolist(), strict=True)) == [
        (1, 2),
        (1, 3),
        (2, 3),
        (3, 4),
    ]
    assert got.count.tolist() == [3, 2, 2, 1]
    assert got.from_a.tolist() == [2, 1, 0, 1]
    assert got.count_by_channel[0].tolist() == [2, 1, 0, 0, 0, 0]
    assert got.count_by_channel[1].tolist() == [0, 1, 0, 1, 0, 0]
    assert (got.first_t / DAY).tolist() == [0, 5, 5, 15]
    assert (got.last_t / DAY).tolist() == [10, 15, 15, 15]
    np.testing.assert_allclose(
        got.log_gap_sum, [2 * math.log(5), math.log(10), math.log(10), 0], rtol=RTOL
    )
    np.testing.assert_allclose(got.intimacy, [2.5, 1 / 2 + 1 / 3, 1 / 2 + 1 / 3, 1 / 3], rtol=RTOL)
    message = 1 / (3 * math.sqrt(6))
    np.testing.assert_allclose(
        got.activation,
        [1 / math.sqrt(21) + 0.25 + 1 / math.sqrt(11), 0.25 + message, 0.25 + message, message],
        rtol=RTOL,
    )


def test_hand_closure_sums(kernels: Any) -> None:
    """0 and 1 share neighbour 2 and are joined by the walk 0–3–4–1; every degree is 2."""
    edges = [(0, 2), (2, 1), (0, 3), (3, 4), (4, 1)]
    lo, hi = np.array(edges).T
    A = sp.csr_matrix((np.ones(10), (np.r_[lo, hi], np.r_[hi, lo])), shape=(5, 5))
    inv = np.full(5, 0.5)
    weights = np.column_stack([np.ones(5), np.full(5, 1 / math.log(2)), inv, inv, inv])
    got = kernels.closure(A, np.array([0, 2]), np.array([1, 3]), weights)
    np.testing.assert_allclose(got[0], [1, 1 / math.log(2), 0.5, 0.5, 0.25], rtol=RTOL)
    # 2 and 3 share neighbour 0; walks 2–1–4–3 and 2–0–… (0's other neighbour is 3 itself)
    np.testing.assert_allclose(got[1][:4], [1, 1 / math.log(2), 0.5, 0.5], rtol=RTOL)
    np.testing.assert_allclose(
        got[1][4], closure_sums(A, np.array([2]), np.array([3]), weights)[0, 4]
    )


def _same_aggregate(x: PairAggregate, y: PairAggregate) -> None:
    assert x.a.tolist() == y.a.tolist() and x.b.tolist() == y.b.tolist()
    for name in ("count", "count_by_channel", "from_a"):
        assert np.array_equal(getattr(x, name), getattr(y, name)), name
    for name in ("first_t", "last_t", "log_gap_sum", "intimacy", "activation"):
        np.testing.assert_allclose(getattr(x, name), getattr(y, name), rtol=RTOL, err_msg=name)


def _random_facts(seed: int, interactions: int = 400, people: int = 60) -> Facts:
    """Interactions of 2 to 60 people (some above the clique limit), over two years, on every
    channel, some with no initiator, some naming a person twice."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[int, int, bool, float, int]] = []
    for i in range(interactions):
        size = int(rng.choice([2, 2, 2, 3, 5, 8, 60]))
        who = rng.integers(0, people, size=size)
        day = float(rng.integers(0, 730)) + float(rng.random())
        channel = int(rng.integers(0, 6))
        initiator = int(rng.integers(-1, size))
        rows += [(i, int(p), j == initiator, day, channel) for j, p in enumerate(who)]
    return facts_of(rows, list(range(people)), me=0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_data_aggregates_like_the_local_engine(kernels: Any, seed: int) -> None:
    facts = _random_facts(seed)
    ids = facts.people
    local_events = LOCAL.pairwise(facts, ids)
    spark_events = kernels.pairwise(facts, ids)
    collected = kernels.collect(spark_events)
    for name in ("u", "v", "t", "channel", "group", "u_initiated"):
        assert np.array_equal(getattr(collected, name), getattr(local_events, name)), name
    for as_of in (200 * DAY, 800 * DAY):
        _same_aggregate(
            kernels.aggregate(spark_events, as_of), aggregate_events(local_events, as_of)
        )


def test_generated_closure_sums_match(kernels: Any) -> None:
    rng = np.random.default_rng(5)
    n = 80
    lo, hi = rng.integers(0, n, 400), rng.integers(0, n, 400)
    keep = lo != hi
    A = sp.csr_matrix(
        (np.ones(2 * keep.sum()), (np.r_[lo[keep], hi[keep]], np.r_[hi[keep], lo[keep]])),
        shape=(n, n),
    )
    A = sp.csr_matrix((A > 0).astype(np.float64))
    a, b = rng.integers(0, n, 300), rng.integers(0, n, 300)
    weights = rng.random((n, 5))
    np.testing.assert_allclose(
        kernels.closure(A, a, b, weights), closure_sums(A, a, b, weights), rtol=RTOL
    )


@pytest.fixture(scope="module")
def demo_facts(tmp_path_factory: pytest.TempPathFactory) -> Facts:
    from weakties.synth.world import build_world
    from weakties.workspace import Workspace

    with Workspace.open(str(tmp_path_factory.mktemp("w") / "w.db")) as ws:
        ws.load_world(build_world(7, contacts=400))
        with ws.transaction() as conn:
            facts: Facts = ws._facts(conn)
    return facts


@pytest.mark.parametrize("calibrated", [False, True])
def test_the_demo_scores_the_same_on_both_engines(
    kernels: Any, demo_facts: Facts, calibrated: bool
) -> None:
    now = float(demo_facts.p_time.max()) + 3 * DAY
    local = build_network(demo_facts, now, calibrated=calibrated)
    spark = build_network(demo_facts, now, calibrated=calibrated, kernels=kernels)
    assert local is not None and spark is not None
    assert len(local.features) > 500
    assert local.calibration.knows.calibrated == calibrated
    assert local.calibration == spark.calibration
    f, g = local.features, spark.features
    assert f.a.tolist() == g.a.tolist() and f.b.tolist() == g.b.tolist()
    for name in ("count", "count_by_channel", "from_a", "connected"):
        assert np.array_equal(getattr(f, name), getattr(g, name)), name
    for name in (
        "first_t",
        "last_t",
        "log_gap_sum",
        "intimacy",
        "activation",
        "favours_from_a",
        "favours_from_b",
        "introductions",
        "mutual_contacts",
        "tenure_overlap_days",
        "rating",
    ):
        np.testing.assert_allclose(
            getattr(f, name), getattr(g, name), rtol=RTOL, equal_nan=True, err_msg=name
        )
    np.testing.assert_allclose(local.strength, spark.strength, rtol=RTOL, atol=1e-12)
    assert local.category.tolist() == spark.category.tolist()
    assert (local.adjacency != spark.adjacency).nnz == 0
    np.testing.assert_array_equal(local.last_seen, spark.last_seen)
    e, h = graph_edges(local, demo_facts), graph_edges(spark, demo_facts, kernels)
    assert len(e.src) > 500
    assert e.src.tolist() == h.src.tolist() and e.dst.tolist() == h.dst.tolist()
    np.testing.assert_allclose(e.p_forward, h.p_forward, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(e.p_backward, h.p_backward, rtol=RTOL, atol=1e-12)


def test_batch_on_both_engines_writes_the_same_ties_and_a_path_index(
    tmp_path: Path, spark: Any
) -> None:
    from weakties.analysis.graph import TieGraph
    from weakties.engines.spark import SparkKernels
    from weakties.synth.world import build_world
    from weakties.workspace import Workspace

    world = build_world(3, contacts=200)
    now = datetime.now(UTC)  # one scoring moment for both: strengths decay by the second
    stored = {}
    for engine in ("local", "spark"):
        with Workspace.open(str(tmp_path / f"{engine}.db")) as ws:
            ws.load_world(world)
            if engine == "local":
                report = ws.batch("local", now=now)
            else:
                with SparkKernels(spark) as k:
                    report = ws.batch("spark", kernels=k, now=now)
            assert report.ties > 50 and report.arcs > report.ties
            assert [s.name for s in report.steps][-1] == "write path index"
            with ws.transaction() as conn:
                key = ws._graph_key(conn)
            folder = ws._graph_folder()
            assert folder is not None
            # the index is current (no rebuild) and holds every tie the batch counted
            assert len(TieGraph.load(folder, key).indices) == 2 * report.arcs
            assert not ws.refresh_ties()  # nor a rescore
            stored[engine] = {r.person_id: r.strength for r in ws.ties()}
    assert stored["local"].keys() == stored["spark"].keys()
    for pid, s in stored["local"].items():
        assert stored["spark"][pid] == pytest.approx(s, rel=RTOL, abs=1e-12)
