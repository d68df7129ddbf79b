"""Self-calibration: no peeking past T, recovery of known generating weights, determinism."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from weakties.analysis.calibration import (
    MIN_LABELS,
    calibrate,
    fit_shrunk_logistic,
    persistence_task,
    sample_non_pairs,
)
from weakties.analysis.events import EventArrays
from weakties.analysis.protocol import unkey
from weakties.analysis.signals import (
    KNOWS_SIGNALS,
    PERSISTENCE_PRIOR,
    PERSISTENCE_SIGNALS,
    knows_signals,
)

DAY = 86_400.0


def _world(seed: int, pairs: int = 600, days: float = 400.0) -> EventArrays:
    """Pairs with their own contact rates, some starting late and some stopping early."""
    rng = np.random.default_rng(seed)
    people = pairs // 2
    u, v, t = [], [], []
    for _ in range(pairs):
        a, b = rng.choice(people, 2, replace=False)
        rate = rng.lognormal(-2.5, 1.2)  # contacts per day
        start = rng.uniform(0, days * 0.8)
        stop = rng.uniform(start, days * 1.3)
        k = max(1, rng.poisson(rate * (min(stop, days) - start)))
        times = np.sort(rng.uniform(start, min(stop, days), k))
        u += [a] * k
        v += [b] * k
        t += list(times)
    return EventArrays.from_columns(u, v, np.array(t) * DAY)


def test_calibration_never_reads_events_after_t() -> None:
    past = _world(1)
    t_cut = float(np.quantile(past.t, 0.9))
    # a planted future: every pair silent at T talks again right after it, many times
    quiet = past.select(past.t < t_cut - 60 * DAY)
    fu = np.repeat(quiet.u[:300], 5)
    fv = np.repeat(quiet.v[:300], 5)
    ft = t_cut + DAY * (1 + np.arange(len(fu)) % 30)
    future = EventArrays.from_columns(fu, fv, ft)
    both = EventArrays.from_columns(
        np.r_[past.u, future.u], np.r_[past.v, future.v], np.r_[past.t, future.t]
    )
    honest = calibrate(past.select(past.t <= t_cut), t_cut)
    given_future = calibrate(both, t_cut)
    assert honest.persistence.calibrated and honest.knows.calibrated
    assert given_future.as_dict() == honest.as_dict()
    # the planted future does change the fit when it is allowed in (so the check can fail)
    later = calibrate(both, float(both.t.max()))
    assert later.persistence.weights != honest.persistence.weights


def test_fit_recovers_the_ranking_of_generating_weights() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    x = rng.normal(size=(n, 4)) * np.array([1.0, 2.0, 0.5, 1.0]) + np.array([0, 3, -1, 2])
    true = np.array([1.5, 0.5, -1.2, 0.0])  # per raw unit
    p = 1 / (1 + np.exp(-(x @ true - 1.0)))
    y = rng.random(n) < p
    names = ("a", "b", "c", "d")
    fit = fit_shrunk_logistic(x, y, names, (0.0, 0.0, 0.0, 0.0))
    effect = np.abs(np.array(fit.weights) * x.std(axis=0))
    want = np.abs(true * x.std(axis=0))
    assert list(np.argsort(-effect)) == list(np.argsort(-want))
    assert fit.weights[0] == pytest.approx(1.5, rel=0.1)
    assert fit.weights[2] == pytest.approx(-1.2, rel=0.15)
    assert abs(fit.weights[3]) < 0.1
    assert fit.cv_auc > 0.7


def test_generated_history_recovers_which_signal_drives_persistence() -> None:
    """Ties of a generated history continue with a known logistic in three of their signals
    at the cut (recency most, then duration, then reciprocity); the fit ranks them so."""
    rng = np.random.default_rng(5)
    cut = 300 * DAY
    pairs = 6000
    u, v, t = [], [], []
    for i in range(pairs):
        k = int(rng.integers(1, 12))
        last = cut - rng.uniform(0, 250) * DAY
        times = np.sort(last - rng.uniform(0, 1, k) * rng.uniform(0, 40) * DAY)
        swap = rng.random(k) < rng.uniform(0, 0.5)
        u += list(np.where(swap, 2 * i + 1, 2 * i))
        v += list(np.where(swap, 2 * i, 2 * i + 1))
        t += list(times)
    ev = EventArrays.from_columns(u, v, np.array(t))
    x, _ = persistence_task(ev, cut, cut, 2 * pairs)
    true = {"recency": 1.5, "duration": 0.8, "reciprocity": 0.4}
    logit = np.zeros(pairs)
    for name, w in true.items():
        col = x[:, PERSISTENCE_SIGNALS.index(name)]
        logit += w * (col - col.mean()) / col.std()
    alive = rng.random(pairs) < 1 / (1 + np.exp(-logit))
    fu = 2 * np.flatnonzero(alive)
    future = EventArrays.from_columns(fu, fu + 1, np.full(len(fu), cut + 10 * DAY))
    both = EventArrays.from_columns(
        np.r_[ev.u, future.u], np.r_[ev.v, future.v], np.r_[ev.t, future.t]
    )
    xs, ys = persistence_task(both, cut, cut + 20 * DAY, 2 * pairs)
    fit = fit_shrunk_logistic(xs, ys, PERSISTENCE_SIGNALS, PERSISTENCE_PRIOR)
    assert fit.calibrated
    effect = dict(fit.rewarded(xs))
    assert effect["recency"] > effect["duration"] > effect["reciprocity"] > 0
    # signals the generator did not use but that share its information (activation and rhythm
    # move with recency) may carry some weight; the fitted score must still be the true one
    assert np.corrcoef(fit.logit(x), logit)[0, 1] > 0.95


def test_calibration_is_deterministic() -> None:
    ev = _world(7)
    t_cut = float(ev.t.max())
    first = calibrate(ev, t_cut)
    again = calibrate(ev, t_cut)
    assert first.as_dict() == again.as_dict()
    order = np.random.default_rng(0).permutation(len(ev))
    shuffled = calibrate(ev.select(order), t_cut)
    np.testing.assert_allclose(
        shuffled.persistence.weights, first.persistence.weights, rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(shuffled.knows.weights, first.knows.weights, rtol=1e-9, atol=1e-12)


def test_short_history_keeps_the_defaults() -> None:
    ev = EventArrays.from_columns([0, 1, 2], [1, 2, 0], [0.0, DAY, 2 * DAY])
    cal = calibrate(ev, 3 * DAY)
    assert not cal.persistence.calibrated and not cal.knows.calibrated
    assert cal.persistence.weights == PERSISTENCE_PRIOR
    assert "too short" in cal.persistence.reason
    x = np.zeros((2 * MIN_LABELS - 1, 2))
    y = np.r_[np.ones(MIN_LABELS - 1, bool), np.zeros(MIN_LABELS, bool)]
    assert not fit_shrunk_logistic(x, y, ("p", "q"), (1.0, 2.0)).calibrated


def test_knows_signals_match_networkx_indices() -> None:
    g = nx.gnm_random_graph(40, 120, seed=4)
    nodes = sorted(g.nodes)
    A = sp.csr_matrix(nx.to_scipy_sparse_array(g, nodelist=nodes))
    pairs = [(a, b) for a in range(40) for b in range(a + 1, 40) if not g.has_edge(a, b)][:200]
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    x = knows_signals(A, a, b, max_block_entries=50)  # tiny blocks: the blocking is exercised
    col = {name: x[:, i] for i, name in enumerate(KNOWS_SIGNALS)}
    k_mean = max(2 * 120 / sum(1 for n in g if g.degree(n) > 0), np.e)
    ra = {(p, q): s for p, q, s in nx.resource_allocation_index(g, pairs)}
    aa = {(p, q): s for p, q, s in nx.adamic_adar_index(g, pairs)}
    for i, (p, q) in enumerate(pairs):
        assert col["common"][i] == pytest.approx(np.log1p(len(list(nx.common_neighbors(g, p, q)))))
        assert col["resource_allocation"][i] == pytest.approx(np.log1p(ra[(p, q)] * k_mean))
        assert col["adamic_adar"][i] == pytest.approx(np.log1p(aa[(p, q)] * np.log(k_mean)))
        assert col["activity"][i] == pytest.approx(
            np.log(max(g.degree(p), 1)) + np.log(max(g.degree(q), 1))
        )
        # three-step resource: enumerate the paths p-x-y-q by hand
        three = sum(
            1 / (g.degree(x_) * g.degree(y_)) for x_ in g[p] for y_ in g[x_] if g.has_edge(y_, q)
        )
        assert col["three_step"][i] == pytest.approx(np.log1p(three * k_mean**2))


def test_sampled_non_pairs_are_distinct_and_excluded() -> None:
    people = np.arange(10, 30)
    exclude = np.array([(10 << 32) | 11, (12 << 32) | 13], dtype=np.uint64)
    keys = sample_non_pairs(people, 100, exclude, seed=1)
    assert len(keys) == len(np.unique(keys)) == 100
    lo, hi = unkey(keys)
    assert np.all(lo < hi) and np.all(np.isin(lo, people)) and np.all(np.isin(hi, people))
    assert not np.isin(keys, exclude).any()
    every = sample_non_pairs(people, 10_000, exclude, seed=1)
    assert len(every) == 20 * 19 // 2 - 2
