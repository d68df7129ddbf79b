"""Tie strength: hand-checked ordering, hypothesis properties, true explanations, refitting."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.analysis.events import EventArrays
from weakties.analysis.features import DAY, PairValues, SideInputs, pair_features
from weakties.analysis.strength import (
    DEFAULT_WEIGHTS,
    TieCategory,
    components,
    explain,
    fit_weights,
    tie_strength,
)

T0 = 1_500_000_000.0
times = st.lists(st.floats(0, 2000), min_size=1, max_size=25)


def _strength(days: list[float], now_day: float, u_first: list[bool] | None = None) -> float:
    t = [T0 + d * DAY for d in days]
    ui = np.array(u_first if u_first is not None else [True] * len(days))
    f = pair_features(
        EventArrays.from_columns([1] * len(t), [2] * len(t), t, u_initiated=ui), T0 + now_day * DAY
    )
    return float(tie_strength(f, T0 + now_day * DAY)[0][0])


def test_hand_computed_single_contact() -> None:
    # One message 9 days before now: activation ln(10^-0.5), silence −0.716·ln 10.
    z = -0.5 * math.log(10) - 0.716 * math.log(10)
    expect = 1 / (1 + math.exp(-0.5 * (z + 1.2)))
    assert _strength([0.0], 9.0) == pytest.approx(expect)


def test_weekly_beats_yearly() -> None:
    weekly = _strength([7.0 * k for k in range(52)], 365.0)
    yearly = _strength([365.0 * k for k in range(5)], 5 * 365.0 + 180)
    assert weekly > 0.6 > 0.3 > yearly


@settings(max_examples=80, deadline=None)
@given(times, st.floats(0.0, 500.0))
def test_in_unit_interval_and_recent_contact_never_lowers(days: list[float], extra: float) -> None:
    now = max(days) + 600.0
    before = _strength(days, now)
    after = _strength([*days, max(days) + extra], now)
    assert 0.0 <= before <= 1.0
    assert after >= before - 1e-12


@settings(max_examples=80, deadline=None)
@given(times, st.floats(0.1, 3000.0))
def test_decays_as_now_advances(days: list[float], wait: float) -> None:
    now = max(days) + 1.0
    assert _strength(days, now + wait) <= _strength(days, now) + 1e-12


@settings(max_examples=60, deadline=None)
@given(times, st.lists(st.booleans(), min_size=25, max_size=25))
def test_symmetric_under_swap(days: list[float], flags: list[bool]) -> None:
    t = np.array([T0 + d * DAY for d in days])
    ui = np.array(flags[: len(days)])
    ev = EventArrays.from_columns([4] * len(t), [9] * len(t), t, u_initiated=ui)
    now = T0 + (max(days) + 10) * DAY
    s1 = tie_strength(pair_features(ev, now), now)[0]
    s2 = tie_strength(pair_features(ev.swapped(), now), now)[0]
    assert np.allclose(s1, s2)


def test_advanced_now_without_recompute_never_rises() -> None:
    ev = EventArrays.from_columns([1, 1], [2, 2], [T0, T0 + 10 * DAY])
    f = pair_features(ev, T0 + 20 * DAY)
    s_then = tie_strength(f, T0 + 20 * DAY)[0][0]
    s_later = tie_strength(f, T0 + 400 * DAY)[0][0]
    exact_later = tie_strength(pair_features(ev, T0 + 400 * DAY), T0 + 400 * DAY)[0][0]
    assert s_later < s_then
    assert s_later <= exact_later + 1e-12


def test_categories_dormant_and_never() -> None:
    # Weekly for a year, then silent 200 days (> 8 × 7 and > 90): dormant.
    days = [7.0 * k for k in range(52)]
    t = [T0 + d * DAY for d in days]
    ev = EventArrays.from_columns([1] * 52, [2] * 52, t)
    side = SideInputs(connections=PairValues.of([3], [4]))
    now = T0 + (days[-1] + 200) * DAY
    s, cats = tie_strength(pair_features(ev, now, side), now)
    assert cats.tolist() == [TieCategory.DORMANT, TieCategory.NEVER]
    assert s[1] == DEFAULT_WEIGHTS.never


def test_explanation_states_true_facts() -> None:
    t = [T0, T0 + 100 * DAY, T0 + 200 * DAY]
    ev = EventArrays.from_columns(
        [1, 2, 1], [2, 1, 2], t, channel=np.array([0, 0, 2], dtype=np.int8)
    )
    side = SideInputs(
        favours=PairValues.of([1], [2], [2.0]), mutual_contacts=PairValues.of([1], [2], [12.0])
    )
    now = T0 + 565.25 * DAY
    f = pair_features(ev, now, side)
    e = explain(f, 2, 1, now, names=("Ada", "Bo"))
    assert e.facts[0] == "in contact 3 times over 7 months (2 by email, 1 by call)"
    assert e.facts[1] == "first contact 2017-07-14, last 12 months ago"
    assert e.facts[2] == "Bo started 2 of them, Ada 1"
    assert "Bo did Ada favours (weight 2)" in e.facts
    assert "12 mutual contacts" in e.facts
    total = sum(v for _, v in e.contributions)
    assert e.strength == pytest.approx(1 / (1 + math.exp(-0.5 * (total + 1.2))))


def test_fit_weights_recovers_ratings_better_than_defaults() -> None:
    rng = np.random.default_rng(0)
    n = 200
    u = rng.integers(0, 40, n * 5)
    v = u + 1 + rng.integers(0, 40, n * 5)
    t = T0 + rng.uniform(0, 700, n * 5) * DAY
    now = T0 + 730 * DAY
    f = pair_features(EventArrays.from_columns(u, v, t), now)
    x = components(f, now)
    # Ratings generated from a known rule that ignores silence entirely.
    truth = 1 / (1 + np.exp(-(x[:, 0] + 2.0)))
    fitted = fit_weights(f, truth, now)
    assert fitted.cv_mae < fitted.default_cv_mae
    assert abs(fitted.weights.silence) < DEFAULT_WEIGHTS.silence


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 3000), st.integers(0, 5), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_explanation_counts_are_the_events(rows: list[tuple[float, int, bool]]) -> None:
    days = [r[0] for r in rows]
    ch = np.array([r[1] for r in rows], dtype=np.int8)
    mine = np.array([r[2] for r in rows])
    # Person 5 is "you"; u is 5 when you started the contact.
    u = np.where(mine, 5, 8)
    v = np.where(mine, 8, 5)
    t = np.array([T0 + d * DAY for d in days])
    now = float(t.max()) + DAY
    f = pair_features(EventArrays.from_columns(u, v, t, channel=ch, u_initiated=True), now)
    e = explain(f, 5, 8, now, names=("you", "Cy"))
    n = len(rows)
    head = "once" if n == 1 else f"{n} times"
    assert e.facts[0].startswith(f"in contact {head} over ")
    listed = e.facts[0].split("(")[1].rstrip(")").split(", ")
    assert sum(int(x.split(" by ")[0]) for x in listed) == n
    assert e.facts[2] == f"you started {int(mine.sum())} of them, Cy {n - int(mine.sum())}"


def test_a_single_burst_is_not_a_rhythm() -> None:
    """A thread answered within a week, 100 days ago, is weak but not dormant (its "rhythm" of
    a day says nothing); three contacts two months apart, silent for two years, do go dormant."""
    from weakties.analysis.events import EventArrays
    from weakties.analysis.features import DAY, pair_features
    from weakties.analysis.strength import tie_strength

    now = 1_700_000_000.0
    burst = [now - 100 * DAY - k * DAY for k in range(3)]
    spread = [now - 700 * DAY - k * 60 * DAY for k in range(3)]  # silent 700 d > 8 × 60 d
    events = EventArrays.from_columns([1, 1, 1, 3, 3, 3], [2, 2, 2, 4, 4, 4], burst + spread)
    features = pair_features(events, now)
    _, category = tie_strength(features, now)
    assert category[features.index_of(1, 2)] != "dormant"
    assert category[features.index_of(3, 4)] == "dormant"


@pytest.mark.parametrize("with_side", [False, True])
def test_strength_is_the_logistic_of_the_component_sum(with_side: bool) -> None:
    # tie_strength sums the columns without stacking them; it must match components() exactly.
    rng = np.random.default_rng(4)
    n = 3_000
    ev = EventArrays.from_columns(
        rng.integers(0, 80, n), rng.integers(0, 80, n), np.sort(rng.uniform(0, 400 * DAY, n))
    )
    side = SideInputs(
        favours=PairValues.of([1, 2], [2, 5], [3.0, 1.0]),
        mutual_contacts=PairValues.of([3], [4], [6.0]),
        tenure_overlap_days=PairValues.of([1], [2], [500.0]),
        introductions=PairValues.of([7], [9]),
    )
    f = pair_features(ev, 400 * DAY, side if with_side else None, workers=1)
    now = 430 * DAY
    s, _ = tie_strength(f, now)
    w = DEFAULT_WEIGHTS
    expect = 1.0 / (1.0 + np.exp(-w.scale * (components(f, now).sum(axis=1) + w.offset)))
    talked = f.count > 0
    assert np.array_equal(s[talked], expect[talked])
