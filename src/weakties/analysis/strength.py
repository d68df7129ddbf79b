"""Tie strength in [0, 1] from pair features: activation memory, power-law silence, dimensions.

The score follows Granovetter (1973) as Gilbert & Karahalios (2009) operationalised it: a linear
combination, on a log scale, of intensity and recency (the ACT-R base-level activation of the
pair's contacts, Anderson & Lebiere 1998, d = 0.5), survival of the current silence as a power
law ``(1 + silence_days)^-γ`` (Burt 2000, "Decay functions": γ = 0.716 for non-kin ties, 1.842 for
work-only colleagues), duration, reciprocity, reciprocal services (favours, introductions) and
structure (mutual contacts). A logistic maps the sum to [0, 1]. A pair is *dormant* when its
silence is more than eight times its own usual gap (Navarro et al. 2017) and at least three
months long (Dunbar 2020: friendships weaken after about three months without contact).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from weakties.analysis.calibration import LinearModel
from weakties.analysis.events import CHANNELS
from weakties.analysis.features import DAY, PairFeatures
from weakties.analysis.signals import persistence_signals
from weakties.errors import InvalidInput

F64 = NDArray[np.float64]


class TieCategory(StrEnum):
    """What a tie is now: strong, moderate, weak, dormant (gone quiet) or never (no contact)."""

    STRONG = "strong"
    MODERATE = "moderate"
    WEAK = "weak"
    DORMANT = "dormant"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class StrengthWeights:
    """Weights of the log-scale components; defaults from the literature cited per field."""

    activation: float = 1.0  # ACT-R base level ln Σ age^-d enters with unit weight.
    silence: float = 0.716  # Burt (2000) non-kin power-law exponent on (1 + silence_days).
    colleague_silence: float = (
        1.842  # Burt (2000) work ties: they decay fastest once contact stops.
    )
    duration: float = 0.2  # Granovetter's "amount of time"; small: activation already counts it.
    reciprocity: float = 0.25  # Both sides initiate (Raeder et al. 2011); G&K beta 0.146.
    favours: float = 0.5  # Reciprocal services, per ln(1 + size-weighted favours), each way.
    introductions: float = 0.5  # A made or received introduction is a service too.
    mutual: float = 0.3  # Overlap (Onnela et al. 2007); G&K mean-mutual-friend beta 0.257.
    tenure: float = 0.3  # Per ln(1 + years of overlapping tenure) (Kossinets & Watts 2006).
    offset: float = 1.2  # Centres the logistic: weekly contact → ~0.8, yearly → ~0.15.
    scale: float = 0.5  # Logistic slope on the summed log-scale components.
    never: float = 0.05  # A connection with no conversation: a weak prior, not zero.

    def as_array(self) -> F64:
        return np.array([getattr(self, f.name) for f in fields(self)])


DEFAULT_WEIGHTS = StrengthWeights()
_CATEGORY_TEXT = np.array([c.value for c in TieCategory])
_STRONG, _MODERATE, _WEAK, _DORMANT, _NEVER = range(len(TieCategory))
STRONG_AT = 0.6
MODERATE_AT = 0.3
DORMANT_GAP_RATIO = 8.0
DORMANT_MIN_DAYS = 90.0
DORMANT_NO_RHYTHM_DAYS = 3 * 365.25
"""Ties with a single contact have no rhythm: they are dormant after three silent years, the
threshold of Levin, Walter & Murnighan (2011)."""
MIN_RHYTHM_SPAN_DAYS = 30.0
"""A tie whose contacts all fall within a month has a burst, not a rhythm: it is judged by the
three-year rule, or a week-long email thread would count as dormant after three months."""

COMPONENTS: tuple[str, ...] = (
    "activation",
    "silence",
    "duration",
    "reciprocity",
    "favours",
    "introductions",
    "mutual",
    "tenure",
)


def components(
    features: PairFeatures, now: float, weights: StrengthWeights = DEFAULT_WEIGHTS
) -> F64:
    """The weighted log-scale contribution of each component, shape ``(pairs, len(COMPONENTS))``.

    Pairs with no contact get zeros for the contact components.
    """
    talked = features.count > 0
    out = np.column_stack(
        [np.zeros(len(features)) if c is None else c for c in _columns(features, now, weights)]
    )
    out[~talked, 0:4] = 0.0
    return out


def _columns(features: PairFeatures, now: float, weights: StrengthWeights) -> list[F64 | None]:
    """The columns of :func:`components` in ``COMPONENTS`` order, ``None`` where all zero.

    Contact columns are left as they fall for pairs without contact (the callers zero or
    override those rows). Side-input columns are skipped when the input is absent: at a
    million pairs each costs a few passes over memory, and adding zeros changes nothing.
    """
    if now < features.as_of:
        raise InvalidInput("strength is asked for before the features' as_of time")
    talked = features.count > 0
    silence = np.where(talked, (now - np.where(talked, features.last_t, now)) / DAY, 0.0)
    span = np.where(talked, (features.last_t - features.first_t) / DAY, 0.0)
    colleague = features.tenure_overlap_days > 0
    exponent = np.where(colleague, weights.colleague_silence, weights.silence)
    with np.errstate(divide="ignore"):
        act = np.where(talked, np.log(np.maximum(features.activation, 1e-300)), 0.0)
    if now > features.as_of:
        act = _advance_activation(features, now, act, talked)
    recip = (features.from_a > 0) & (features.from_a < features.count)

    def side(weight: float, *values: F64, scale: float = 1.0) -> F64 | None:
        if np.isfinite(weight) and not any(x.any() for x in values):
            return None
        total = np.log1p(values[0] / scale if scale != 1.0 else values[0])
        for x in values[1:]:
            total = total + np.log1p(x)
        return weight * total

    return [
        weights.activation * act,
        -exponent * np.log1p(silence),
        weights.duration * np.log1p(span),
        np.asarray(weights.reciprocity * recip, dtype=np.float64),
        side(weights.favours, features.favours_from_a, features.favours_from_b),
        side(weights.introductions, features.introductions),
        side(weights.mutual, features.mutual_contacts),
        side(weights.tenure, features.tenure_overlap_days, scale=365.25),
    ]


def _summed(columns: list[F64 | None]) -> F64:
    """Row sums of the columns, added in the pairwise order ``ndarray.sum(axis=1)`` uses for
    eight columns, so the result is the same to the last bit; absent columns add nothing."""

    def add(x: F64 | None, y: F64 | None) -> F64 | None:
        return y if x is None else x if y is None else x + y

    c = columns
    total = add(add(add(c[0], c[1]), add(c[2], c[3])), add(add(c[4], c[5]), add(c[6], c[7])))
    assert total is not None  # the contact columns are always present
    return total


def _logit(
    features: PairFeatures, now: float, weights: StrengthWeights, model: LinearModel | None
) -> F64:
    columns = _columns(features, now, weights)
    if model is None or not model.calibrated:
        return weights.scale * (_summed(columns) + weights.offset)
    services = [c for c in (columns[4], columns[5], columns[7]) if c is not None]
    z = model.logit(persistence_signals(features, now))
    for c in services:
        z = z + weights.scale * c
    return z


def _advance_activation(
    features: PairFeatures, now: float, act: F64, talked: NDArray[np.bool_]
) -> F64:
    """Lower bound of the activation at ``now`` from the one at ``as_of``, without the events.

    Every term ``age^-d`` shrinks by ``(1 + Δ/age)^-d``; the newest contact's term shrinks the
    most, so scaling the whole sum by its factor bounds the true activation from below and stays
    non-increasing in ``now``. Recompute the features at ``now`` for the exact value.
    """
    delta = (now - features.as_of) / DAY
    age_last = np.where(talked, (features.as_of - features.last_t) / DAY + 1.0, 1.0)
    return act - features.decay * np.log1p(delta / age_last)


def tie_strength(
    features: PairFeatures,
    now: float,
    weights: StrengthWeights = DEFAULT_WEIGHTS,
    model: LinearModel | None = None,
) -> tuple[F64, NDArray[np.str_]]:
    """Strength in [0, 1] and category (``TieCategory`` values) of every pair at ``now``.

    ``now`` may be later than ``features.as_of``: the activation is then bounded from below (see
    :func:`_advance_activation`). A user's rating, where given, is the strength. With a
    calibrated ``model`` (``weakties.analysis.calibration``) the contact history is weighed by
    it instead of the literature components; favours, introductions and tenure, which the
    history cannot test, keep their weights from ``weights`` on the same logit.
    """
    s = 1.0 / (1.0 + np.exp(-_logit(features, now, weights, model)))
    talked = features.count > 0
    s = np.where(talked, s, np.where(features.connected, weights.never, 0.0))
    rated = ~np.isnan(features.rating)
    s = np.where(rated, features.rating, s)
    code = np.full(len(s), _WEAK, dtype=np.int8)
    code[s >= MODERATE_AT] = _MODERATE
    code[s >= STRONG_AT] = _STRONG
    code[dormant_mask(features, now)] = _DORMANT
    code[~talked & ~rated] = _NEVER
    return np.clip(s, 0.0, 1.0), _CATEGORY_TEXT[code]


def dormant_mask(features: PairFeatures, now: float) -> NDArray[np.bool_]:
    """Ties silent for more than 8× their usual gap and at least 90 days (Navarro et al. 2017)."""
    talked = features.count > 0
    silence = np.where(talked, (now - np.where(talked, features.last_t, now)) / DAY, 0.0)
    gap = features.usual_gap_days
    # a single burst (one thread answered within days) shows no rhythm to fall out of
    span = np.where(talked, (features.last_t - features.first_t) / DAY, 0.0)
    gap = np.where(span < MIN_RHYTHM_SPAN_DAYS, np.nan, gap)
    limit = np.where(
        np.isnan(gap),
        DORMANT_NO_RHYTHM_DAYS,
        np.maximum(DORMANT_GAP_RATIO * np.nan_to_num(gap), DORMANT_MIN_DAYS),
    )
    return talked & (silence > limit)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a tie scored what it did: true facts in words, and each component's contribution."""

    strength: float
    category: TieCategory
    facts: tuple[str, ...]
    contributions: tuple[tuple[str, float], ...]
    rewarded: tuple[tuple[str, float], ...] = ()
    """With a calibrated model: each signal's effect on the logit per standard deviation
    across the network's ties, largest first (what this network rewards; negative: counts
    against). ``contributions`` are then each signal's pull relative to the average tie."""


def explain(
    features: PairFeatures,
    a: int,
    b: int,
    now: float,
    weights: StrengthWeights = DEFAULT_WEIGHTS,
    *,
    names: tuple[str, str] = ("you", "them"),
    model: LinearModel | None = None,
) -> Explanation:
    """The facts behind one pair's score, e.g. "emailed 41 times over 6 years, last 4 years ago"."""
    try:
        i = features.index_of(a, b)
    except KeyError:
        raise InvalidInput(f"no facts known about the pair {a}–{b}") from None
    row = _row(features, i)
    s, cats = tie_strength(row, now, weights, model)
    parts = components(row, now, weights)[0]
    rewarded: tuple[tuple[str, float], ...] = ()
    if model is not None and model.calibrated:
        everyone = persistence_signals(features, now)[features.count > 0]
        mine = persistence_signals(row, now)[0]
        centre = everyone.mean(axis=0) if len(everyone) else np.zeros(len(mine))
        w = np.asarray(model.weights)
        names_parts = [(n, float(v)) for n, v in zip(model.names, w * (mine - centre), strict=True)]
        side = {"favours": parts[4], "introductions": parts[5], "tenure": parts[7]}
        contributions = tuple((n, v) for n, v in names_parts if v) + tuple(
            (n, float(weights.scale * v)) for n, v in side.items() if v
        )
        rewarded = model.rewarded(everyone)
    else:
        contributions = tuple(
            (name, float(v)) for name, v in zip(COMPONENTS, parts, strict=True) if v
        )
    a_is_first = a <= b
    first_name, second_name = names if a_is_first else names[::-1]
    facts: list[str] = []
    n = int(row.count[0])
    if n:
        by_channel = ", ".join(
            f"{int(c)} by {CHANNELS[k].value.replace('_', ' ')}"
            for k, c in enumerate(row.count_by_channel[0])
            if c
        )
        span = (row.last_t[0] - row.first_t[0]) / DAY
        facts.append(f"in contact {_times(n)} over {_span(span)} ({by_channel})")
        facts.append(
            f"first contact {_date(row.first_t[0])}, last {_ago((now - row.last_t[0]) / DAY)}"
        )
        from_a = int(row.from_a[0])
        facts.append(f"{first_name} started {from_a} of them, {second_name} {n - from_a}")
        gap = float(row.usual_gap_days[0])
        if not np.isnan(gap):
            facts.append(f"usual gap between contacts {_span(gap)}")
    elif row.connected[0]:
        facts.append("connected, but never in contact")
    if row.favours_from_a[0]:
        facts.append(f"{first_name} did {second_name} favours (weight {row.favours_from_a[0]:g})")
    if row.favours_from_b[0]:
        facts.append(f"{second_name} did {first_name} favours (weight {row.favours_from_b[0]:g})")
    if row.introductions[0]:
        facts.append(f"{int(row.introductions[0])} introduction(s) between them")
    if row.mutual_contacts[0]:
        facts.append(f"{int(row.mutual_contacts[0])} mutual contacts")
    if row.tenure_overlap_days[0]:
        facts.append(f"worked at the same organisation for {_span(row.tenure_overlap_days[0])}")
    if not np.isnan(row.rating[0]):
        facts.append(f"rated {row.rating[0]:.2f} by you")
    return Explanation(
        strength=float(s[0]),
        category=TieCategory(str(cats[0])),
        facts=tuple(facts),
        contributions=contributions,
        rewarded=rewarded,
    )


def _row(features: PairFeatures, i: int) -> PairFeatures:
    sl = slice(i, i + 1)
    return replace(
        features,
        **{
            f.name: getattr(features, f.name)[sl]
            for f in fields(features)
            if f.name not in ("as_of", "decay")
        },
    )


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _span(days: float) -> str:
    if days < 1:
        return "less than a day"
    if days < 60:
        return f"{round(days)} day{'s' if round(days) != 1 else ''}"
    if days < 730:
        return f"{round(days / 30.44)} months"
    return f"{round(days / 365.25)} years"


def _ago(days: float) -> str:
    return "today" if days < 1 else f"{_span(days)} ago"


def _date(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).date().isoformat()


@dataclass(frozen=True, slots=True)
class FittedWeights:
    """Weights refit from the user's ratings, with the cross-validated mean absolute error."""

    weights: StrengthWeights
    cv_mae: float
    default_cv_mae: float


def fit_weights(
    features: PairFeatures,
    ratings: F64,
    now: float,
    *,
    ridge: float = 1.0,
    folds: int = 5,
    seed: int = 0,
) -> FittedWeights:
    """Refit the component weights to the user's 0..1 ratings by ridge regression on logits.

    Ridge pulls towards the literature defaults (not towards zero), so a handful of ratings moves
    the weights only as far as the ratings insist. ``ratings`` is aligned with ``features``
    (NaN where unrated); only pairs with contact are used.
    """
    y = np.asarray(ratings, dtype=np.float64)
    if y.shape != (len(features),):
        raise InvalidInput("ratings must have one entry per pair")
    use = ~np.isnan(y) & (features.count > 0)
    if np.any((y[use] < 0) | (y[use] > 1)):
        raise InvalidInput("ratings must lie between 0 and 1")
    if use.sum() < max(folds, 5):
        raise InvalidInput(
            f"need at least {max(folds, 5)} rated ties with contact to refit, got {int(use.sum())}"
        )
    base = DEFAULT_WEIGHTS
    # Unweighted components: divide the default weights back out where they are non-zero.
    x_all = components(features, now, _unit_weights())[use]
    target = (
        np.log(np.clip(y[use], 0.02, 0.98) / (1 - np.clip(y[use], 0.02, 0.98))) / base.scale
        - base.offset
    )
    prior = _prior_vector(base)
    rng = np.random.default_rng(seed)
    fold = rng.permutation(len(target)) % folds
    errs: list[float] = []
    default_errs: list[float] = []
    for k in range(folds):
        tr, te = fold != k, fold == k
        w = _ridge(x_all[tr], target[tr], prior, ridge)
        errs.extend(np.abs(_predict(x_all[te], w, base) - y[use][te]).tolist())
        default_errs.extend(np.abs(_predict(x_all[te], prior, base) - y[use][te]).tolist())
    w = _ridge(x_all, target, prior, ridge)
    fitted = replace(
        base,
        activation=float(w[0]),
        silence=float(-w[1]),
        colleague_silence=base.colleague_silence * float(-w[1]) / base.silence,
        duration=float(w[2]),
        reciprocity=float(w[3]),
        favours=float(w[4]),
        introductions=float(w[5]),
        mutual=float(w[6]),
        tenure=float(w[7]),
    )
    return FittedWeights(fitted, float(np.mean(errs)), float(np.mean(default_errs)))


def _unit_weights() -> StrengthWeights:
    return StrengthWeights(
        activation=1.0,
        silence=-1.0,
        colleague_silence=-1.0,
        duration=1.0,
        reciprocity=1.0,
        favours=1.0,
        introductions=1.0,
        mutual=1.0,
        tenure=1.0,
    )


def _prior_vector(w: StrengthWeights) -> F64:
    return np.array(
        [
            w.activation,
            -w.silence,
            w.duration,
            w.reciprocity,
            w.favours,
            w.introductions,
            w.mutual,
            w.tenure,
        ]
    )


def _ridge(x: F64, y: F64, prior: F64, lam: float) -> F64:
    # Solve min |x w - y|² + lam |w - prior|²: shrink towards the literature, not towards zero.
    lhs = x.T @ x + lam * np.eye(x.shape[1])
    rhs = x.T @ y + lam * prior
    return np.asarray(np.linalg.solve(lhs, rhs), dtype=np.float64)


def _predict(x: F64, w: F64, base: StrengthWeights) -> F64:
    return np.asarray(1.0 / (1.0 + np.exp(-base.scale * (x @ w + base.offset))), dtype=np.float64)
