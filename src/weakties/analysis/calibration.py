"""Self-calibration: fit the tie and knows models to the workspace's own past.

Networks disagree about what predicts a tie's future: in one, recency is everything; in
another, volume or closure. Any history has a known future at every point in its past, so
before scoring at ``T`` the calibration splits the events up to ``T`` at an inner time ``T'``
(the same 0.7 time quantile the outer benchmark protocol uses, so the inner task mirrors the
outer one), labels what happened in ``(T', T]`` — which ties were in contact again, which new
pairs met — and fits each model's weights to those labels. Safeguards:

* nothing after ``T`` is read: events are cut at ``T`` before anything else happens;
* the fit is a logistic regression on standardised signals with an L2 penalty pulling the
  weights towards the literature defaults (``weakties.analysis.signals``), not towards zero;
  the penalty's strength is chosen by K-fold cross-validation on the inner labels, and the
  largest penalty whose held-out AUC is within one standard error of the best wins (the
  "one-standard-error rule", Hastie, Tibshirani & Friedman 2009, §7.10) — short or noisy
  histories stay at the defaults;
* with fewer than :data:`MIN_LABELS` positives or negatives the defaults are kept outright;
* large histories are sampled (seeded), so a rescore costs seconds at 10^7 events, and the same
  data always gives the same weights.

The fitted weights apply to the same signal columns computed at ``T``; only their direction
matters for ranking, and the intercept makes the strength the estimated chance of contact
within the horizon ``T − T'``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from weakties.analysis.events import EventArrays
from weakties.analysis.features import PairValues, SideInputs, pair_features
from weakties.analysis.protocol import pair_keys, roc_auc, unkey
from weakties.analysis.signals import (
    KNOWS_PRIOR,
    KNOWS_SIGNALS,
    PERSISTENCE_PRIOR,
    PERSISTENCE_PRIOR_INTERCEPT,
    PERSISTENCE_SIGNALS,
    knows_signals,
    persistence_signals,
)
from weakties.errors import InvalidInput

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

INNER_QUANTILE = 0.7
"""The inner split mirrors the outer protocol's cut at the 0.7 quantile of event times."""
MIN_LABELS = 20
"""Below this many positives or negatives the inner labels say nothing reliable."""
MAX_FIT_ROWS = 60_000
"""Labelled rows used by the fit (a seeded sample beyond this): enough for a dozen weights."""
FOLDS = 4
NEGATIVES_PER_POSITIVE = 1
"""Non-pairs drawn per new pair in the inner knows task: negatives are free, and more of them
steady the fit on small histories (only the intercept depends on the ratio)."""
PENALTIES: tuple[float, ...] = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)
"""L2 strengths tried, per labelled row, on standardised signals: from almost free to the
defaults' shape with only a fitted scale."""


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A logistic model over named signal columns: ``logit = intercept + x · weights``.

    ``weights`` are in the columns' raw units. ``calibrated`` says whether they come from the
    workspace's history (False: the literature defaults, with ``reason``). ``cv_auc`` and
    ``prior_cv_auc`` are the held-out inner AUCs of the chosen fit and of the defaults.
    """

    names: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    prior: tuple[float, ...]
    calibrated: bool
    penalty: float = float("inf")
    cv_auc: float = float("nan")
    prior_cv_auc: float = float("nan")
    labels: int = 0
    positives: int = 0
    reason: str = ""
    untested: tuple[str, ...] = ()
    """Signals that never varied in the history: they keep their literature weight."""

    def logit(self, x: F64) -> F64:
        return np.asarray(self.intercept + x @ np.asarray(self.weights), dtype=np.float64)

    def probability(self, x: F64) -> F64:
        return np.asarray(1.0 / (1.0 + np.exp(-self.logit(x))), dtype=np.float64)

    def rewarded(self, x: F64 | None = None) -> tuple[tuple[str, float], ...]:
        """Signals by how much one standard deviation of each moves the logit (``x``: the
        rows to measure spread on; without them the raw weights), largest first."""
        w = np.asarray(self.weights)
        effect = w * (x.std(axis=0) if x is not None and len(x) else 1.0)
        order = np.argsort(-np.abs(effect), kind="stable")
        return tuple((self.names[i], float(effect[i])) for i in order if effect[i] != 0)

    def as_dict(self) -> dict[str, object]:
        return {
            "calibrated": self.calibrated,
            "weights": dict(zip(self.names, self.weights, strict=True)),
            "intercept": self.intercept,
            "penalty": _finite(self.penalty),
            "cv_auc": _finite(self.cv_auc),
            "prior_cv_auc": _finite(self.prior_cv_auc),
            "labels": self.labels,
            "positives": self.positives,
            "reason": self.reason,
            "untested": list(self.untested),
        }


def _finite(x: float) -> float | None:
    """``x``, or None where it is NaN or infinite (JSON has no such numbers)."""
    return x if np.isfinite(x) else None


def default_model(names: tuple[str, ...], prior: tuple[float, ...], reason: str) -> LinearModel:
    return LinearModel(names, prior, 0.0, prior, calibrated=False, reason=reason)


DEFAULT_PERSISTENCE = default_model(PERSISTENCE_SIGNALS, PERSISTENCE_PRIOR, "defaults")
DEFAULT_KNOWS = default_model(KNOWS_SIGNALS, KNOWS_PRIOR, "defaults")


@dataclass(frozen=True, slots=True)
class Calibration:
    """The fitted tie and knows models, the inner cut and horizon they were fitted on."""

    as_of: float
    inner_cut: float
    persistence: LinearModel
    knows: LinearModel

    @property
    def horizon_days(self) -> float:
        return (self.as_of - self.inner_cut) / 86_400.0

    def as_dict(self) -> dict[str, object]:
        return {
            "as_of": _finite(self.as_of),
            "inner_cut": _finite(self.inner_cut),
            "horizon_days": _finite(self.horizon_days),
            "persistence": self.persistence.as_dict(),
            "knows": self.knows.as_dict(),
        }


DEFAULT_CALIBRATION = Calibration(float("nan"), float("nan"), DEFAULT_PERSISTENCE, DEFAULT_KNOWS)


# ------------------------------------------------------------------------------ fitting
def _newton(x: F64, y: F64, lam: float, centre: F64, start: F64, iterations: int = 50) -> F64:
    """Minimise mean log-loss + ``lam/2 |β − centre|²`` (intercept ``β[0]`` unpenalised)."""
    n, p = x.shape
    beta = start.copy()
    pen = np.full(p, lam)
    pen[0] = 0.0
    for _ in range(iterations):
        z = np.clip(x @ beta, -35, 35)
        mu = 1.0 / (1.0 + np.exp(-z))
        grad = x.T @ (mu - y) / n + pen * (beta - centre)
        hess = (x * (mu * (1 - mu))[:, None]).T @ x / n + np.diag(pen + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta = beta - step
        if float(np.max(np.abs(step))) < 1e-7:
            break
    return beta


def fit_shrunk_logistic(
    x: F64,
    y: NDArray[np.bool_],
    names: tuple[str, ...],
    prior: tuple[float, ...],
    *,
    seed: int = 0,
    penalties: tuple[float, ...] = PENALTIES,
    folds: int = FOLDS,
) -> LinearModel:
    """Fit logistic weights over ``x``'s columns, shrunk towards ``prior`` (see module doc).

    The prior is first given its best scale (one logistic fit on the defaults' score), so the
    penalty pulls towards the defaults' *direction* at this network's scale. Columns without
    spread keep their prior weight.
    """
    y = np.asarray(y, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if min(n_pos, n_neg) < MIN_LABELS:
        return LinearModel(
            names,
            prior,
            0.0,
            prior,
            calibrated=False,
            labels=len(y),
            positives=n_pos,
            reason=f"history too short ({n_pos} positives, {n_neg} negatives)",
        )
    rng = np.random.default_rng(seed)
    if len(y) > MAX_FIT_ROWS:
        pick = np.sort(rng.choice(len(y), MAX_FIT_ROWS, replace=False))
        x, y = x[pick], y[pick]
    w0 = np.asarray(prior, dtype=np.float64)
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    live = sd > 1e-12
    z = np.zeros_like(x)
    z[:, live] = (x[:, live] - mean[live]) / sd[live]
    design = np.column_stack([np.ones(len(y)), z[:, live]])
    yf = y.astype(np.float64)
    # the defaults' score, and its best intercept and scale
    base = z[:, live] @ (w0[live] * sd[live])
    ab = _newton(np.column_stack([np.ones(len(y)), base]), yf, 0.0, np.zeros(2), np.zeros(2))
    scale = max(float(ab[1]), 0.0)
    centre = np.r_[0.0, scale * w0[live] * sd[live]]
    start = np.r_[ab[0], centre[1:]]

    fold = rng.permutation(len(y)) % folds
    aucs = np.zeros((len(penalties), folds))
    prior_aucs = np.zeros(folds)
    for k in range(folds):
        tr, te = fold != k, fold == k
        if len(np.unique(y[te])) < 2:
            aucs[:, k] = prior_aucs[k] = 0.5
            continue
        prior_aucs[k] = roc_auc(base[te], y[te])
        beta = start
        for j in range(len(penalties) - 1, -1, -1):  # strong to weak: warm starts
            beta = _newton(design[tr], yf[tr], penalties[j], centre, beta)
            aucs[j, k] = roc_auc(design[te] @ beta, y[te])
    mean_auc = aucs.mean(axis=1)
    se = aucs.std(axis=1, ddof=1) / np.sqrt(folds)
    best = int(np.argmax(mean_auc))
    good = np.flatnonzero(mean_auc >= mean_auc[best] - se[best])
    chosen = int(good.max())  # the strongest pull towards the defaults within one SE
    beta = _newton(design, yf, penalties[chosen], centre, start)
    # The penalty shrinks the scale as well as the direction, and AUC cannot see the scale:
    # refit intercept and slope of the chosen direction so the probabilities mean something.
    direction = design[:, 1:] @ beta[1:]
    ab = _newton(np.column_stack([np.ones(len(y)), direction]), yf, 0.0, np.zeros(2), np.zeros(2))
    beta = np.r_[ab[0], max(float(ab[1]), 0.0) * beta[1:]]
    weights = w0.copy()
    weights[live] = beta[1:] / sd[live]
    intercept = float(beta[0] - np.sum(weights[live] * mean[live]))
    return LinearModel(
        names,
        tuple(float(w) for w in weights),
        intercept,
        prior,
        calibrated=True,
        penalty=penalties[chosen],
        cv_auc=float(mean_auc[chosen]),
        prior_cv_auc=float(prior_aucs.mean()),
        labels=len(y),
        positives=int(y.sum()),
        untested=tuple(name for name, ok in zip(names, live, strict=True) if not ok),
    )


# ------------------------------------------------------------------------- inner tasks
def _graph(keys: NDArray[np.uint64], n: int) -> sp.csr_matrix:
    lo, hi = unkey(keys)
    A = sp.csr_matrix((np.ones(len(lo)), (lo, hi)), shape=(n, n))
    return sp.csr_matrix(((A + A.T) > 0).astype(np.float64))


def _last_seen(ev: EventArrays, n: int) -> F64:
    out = np.full(n, np.nan)
    np.fmax.at(out, ev.u, ev.t)
    np.fmax.at(out, ev.v, ev.t)
    return out


def _contains(sorted_keys: NDArray[np.uint64], keys: NDArray[np.uint64]) -> NDArray[np.bool_]:
    """Whether each of ``keys`` is in ``sorted_keys`` (sorted, distinct): a binary search,
    which spares sorting the large side as ``np.isin`` would."""
    if not len(sorted_keys):
        return np.zeros(len(keys), bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return np.asarray(sorted_keys[at] == keys, dtype=np.bool_)


def sample_non_pairs(
    people: I64, count: int, exclude: NDArray[np.uint64], seed: int = 0
) -> NDArray[np.uint64]:
    """``count`` distinct pair keys drawn uniformly over ``people``, none in ``exclude``."""
    rng = np.random.default_rng(seed)
    m = len(people)
    if m < 2:
        return np.zeros(0, np.uint64)
    if len(exclude) > 1 and not np.all(exclude[1:] > exclude[:-1]):
        exclude = np.unique(exclude)
    possible = m * (m - 1) // 2 - len(exclude)
    count = max(min(count, possible), 0)
    got = np.zeros(0, np.uint64)
    for _ in range(50):
        if len(got) >= count:
            break
        need = (count - len(got)) * 2 + 16
        x = people[rng.integers(m, size=need)].astype(np.uint64)
        y = people[rng.integers(m, size=need)].astype(np.uint64)
        keys = (np.minimum(x, y) << np.uint64(32)) | np.maximum(x, y)
        keys = keys[(x != y) & ~_contains(exclude, keys)]
        keys = keys[~np.isin(keys, got)]
        _, first = np.unique(keys, return_index=True)
        got = np.concatenate([got, keys[np.sort(first)]])
    return got[:count]


@dataclass(frozen=True, slots=True)
class PairTimes:
    """Every pair in contact up to a horizon (sorted keys) with its first and last contact:
    one pass over the events serves both inner tasks."""

    keys: NDArray[np.uint64]
    first: F64
    last: F64

    @classmethod
    def of(cls, events: EventArrays, horizon_end: float) -> PairTimes:
        ev = events.select(events.t <= horizon_end)
        keys, inverse = np.unique(pair_keys(ev), return_inverse=True)
        first = np.full(len(keys), np.inf)
        last = np.full(len(keys), -np.inf)
        np.minimum.at(first, inverse, ev.t)
        np.maximum.at(last, inverse, ev.t)
        return cls(keys, first, last)


def persistence_task(
    events: EventArrays,
    cut: float,
    horizon_end: float,
    n: int,
    pairs: PairTimes | None = None,
) -> tuple[F64, NDArray[np.bool_]]:
    """Signals at ``cut`` of every pair with contact up to ``cut``, and whether each had
    contact in ``(cut, horizon_end]`` (``pairs``: :meth:`PairTimes.of` the same events and
    horizon, when the caller has it)."""
    pairs = pairs or PairTimes.of(events, horizon_end)
    before = events.select(events.t <= cut)
    old = pairs.first <= cut
    keys = pairs.keys[old]
    A = _graph(keys, n)
    a, b = unkey(keys)
    mutual = _common(A, a, b)
    f = pair_features(before, cut, SideInputs(mutual_contacts=PairValues.of(a, b, mutual)))
    return persistence_signals(f, cut), pairs.last[old] > cut


def _common(A: sp.csr_matrix, a: I64, b: I64) -> F64:
    out = np.zeros(len(a))
    for s in range(0, len(a), 65_536):
        out[s : s + 65_536] = np.asarray(
            A[a[s : s + 65_536]].multiply(A[b[s : s + 65_536]]).sum(axis=1)
        ).ravel()
    return out


def knows_task(
    events: EventArrays,
    cut: float,
    horizon_end: float,
    n: int,
    seed: int = 0,
    pairs: PairTimes | None = None,
) -> tuple[F64, NDArray[np.bool_], float]:
    """Signals at ``cut`` for pairs that first met in ``(cut, horizon_end]`` (positives) and as
    many uniformly drawn pairs that never met up to ``horizon_end`` (negatives), both among the
    people active up to ``cut`` — the outer protocol's new-tie task, inside the past — and the
    share of all unmet pairs that did meet (the population rate the sample hides)."""
    pairs = pairs or PairTimes.of(events, horizon_end)
    before = events.select(events.t <= cut)
    every = pairs.keys
    old = every[pairs.first <= cut]
    active = np.zeros(n, bool)
    active[before.u] = True
    active[before.v] = True
    people = np.flatnonzero(active).astype(np.int64)
    new = every[pairs.first > cut]
    lo, hi = unkey(new)
    new = new[active[lo] & active[hi]]
    m = len(people)
    unmet = m * (m - 1) // 2 - len(old)
    rate = len(new) / unmet if unmet > 0 else 0.0
    rng = np.random.default_rng(seed)
    if len(new) > MAX_FIT_ROWS // 2:
        new = np.sort(rng.choice(new, MAX_FIT_ROWS // (1 + NEGATIVES_PER_POSITIVE), replace=False))
    neg = sample_non_pairs(people, NEGATIVES_PER_POSITIVE * len(new), every, seed)
    keys = np.concatenate([new, neg])
    a, b = unkey(keys)
    A = _graph(old, n)
    x = knows_signals(A, a, b, last_seen=_last_seen(before, n), now=cut)
    return x, np.r_[np.ones(len(new), bool), np.zeros(len(neg), bool)], rate


def on_literature_scale(model: LinearModel, x: F64) -> LinearModel:
    """Rescale a fitted tie model so its logits have the mean and spread of the literature
    model's over the same ties (``x``). The fit decides which ties are stronger; the scale stays
    the one the categories are defined on (strong ≥ 0.6: about weekly contact), so a strength
    means the same on every network and at every horizon."""
    if not model.calibrated or len(x) < 2:
        return model
    fitted = model.logit(x)
    literature = PERSISTENCE_PRIOR_INTERCEPT + x @ np.asarray(PERSISTENCE_PRIOR)
    spread = float(fitted.std())
    if spread <= 1e-12:
        return model
    slope = float(literature.std()) / spread
    return replace(
        model,
        weights=tuple(slope * w for w in model.weights),
        intercept=float(literature.mean() - slope * (fitted.mean() - model.intercept)),
    )


def with_base_rate(model: LinearModel, y: NDArray[np.bool_], rate: float) -> LinearModel:
    """Shift a fit on a case-control sample (as many non-pairs as new pairs) to the population
    rate of new pairs, the prior correction of King & Zeng (2001): the probabilities then mean
    "chance of a first contact within the horizon", not "as likely as a drawn pair"."""
    share = float(np.mean(y)) if len(y) else 0.0
    if not model.calibrated or not 0.0 < rate < 1.0 or not 0.0 < share < 1.0:
        return model
    shift = np.log(rate / (1 - rate)) - np.log(share / (1 - share))
    return replace(model, intercept=model.intercept + float(shift))


def _dense(u: I64, v: I64) -> tuple[I64, I64, I64]:
    """The distinct ids of ``u`` and ``v`` and both renumbered 0..n−1 in id order (a lookup
    table when ids are compact, as database ids are; a sort otherwise)."""
    top = int(max(u.max(), v.max())) + 1
    if top <= 4 * (len(u) + len(v)):
        present = np.zeros(top, bool)
        present[u] = True
        present[v] = True
        ids = np.flatnonzero(present).astype(np.int64)
        row = np.cumsum(present, dtype=np.int64) - 1
        return ids, row[u], row[v]
    ids, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
    k = len(u)
    return ids, inverse[:k].astype(np.int64), inverse[k:].astype(np.int64)


def calibrate(
    events: EventArrays,
    as_of: float,
    *,
    quantile: float = INNER_QUANTILE,
    seed: int = 0,
    without: frozenset[str] = frozenset(),
) -> Calibration:
    """Fit the tie and knows models on the events up to ``as_of`` (never later ones).

    ``without`` names signals to leave out (their column is zeroed before the fit; for
    ablations): a model fitted so must score rows whose same columns are zeroed.
    """
    unknown = without - set(PERSISTENCE_SIGNALS) - set(KNOWS_SIGNALS)
    if unknown:
        raise InvalidInput(f"unknown signals: {', '.join(sorted(unknown))}")
    if not np.isfinite(as_of):
        raise InvalidInput("as_of must be a finite time")
    ev = events.select((events.t <= as_of) & (events.u != events.v))
    if len(ev) < 2 * MIN_LABELS:
        reason = f"history too short ({len(ev)} events)"
        return Calibration(
            as_of,
            float("nan"),
            default_model(PERSISTENCE_SIGNALS, PERSISTENCE_PRIOR, reason),
            default_model(KNOWS_SIGNALS, KNOWS_PRIOR, reason),
        )
    # dense row ids: person ids may be sparse
    ids, u, v = _dense(ev.u, ev.v)
    ev = EventArrays(
        u,
        v,
        ev.t,
        ev.channel,
        ev.group,
        ev.u_initiated,
    )
    n = len(ids)
    cut = float(np.quantile(ev.t, quantile))
    pairs = PairTimes.of(ev, as_of)
    xp, yp = persistence_task(ev, cut, as_of, n, pairs)
    xp[:, [i for i, name in enumerate(PERSISTENCE_SIGNALS) if name in without]] = 0.0
    pers = on_literature_scale(
        fit_shrunk_logistic(xp, yp, PERSISTENCE_SIGNALS, PERSISTENCE_PRIOR, seed=seed), xp
    )
    xk, yk, rate = knows_task(ev, cut, as_of, n, seed, pairs)
    xk[:, [i for i, name in enumerate(KNOWS_SIGNALS) if name in without]] = 0.0
    knows = with_base_rate(
        fit_shrunk_logistic(xk, yk, KNOWS_SIGNALS, KNOWS_PRIOR, seed=seed), yk, rate
    )
    return Calibration(as_of, cut, pers, knows)
