"""The goodwill ledger and the nudge rules as pure functions, against hand-computed numbers."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from weakties.analysis.events import EventArrays
from weakties.analysis.features import DAY, pair_features
from weakties.analysis.goodwill import (
    INTRODUCTION_WEIGHT,
    EntryKind,
    GoodwillEntries,
    decay_factor,
    goodwill_balances,
    ledger_entries,
    unreturned,
)
from weakties.analysis.nudges import (
    Ask,
    HelpPick,
    Nudge,
    NudgeKind,
    NudgeState,
    NudgeStatus,
    PairGain,
    Received,
    Traits,
    best_helpers,
    date_words,
    first_person,
    help_nudges,
    interleave,
    introduce_nudges,
    introduction_candidates,
    is_hidden,
    keep_warm_nudges,
    layer_before_last,
    match_tags,
    reconnect_value,
    second_person,
    strength_when_quiet,
    thank_nudges,
)
from weakties.analysis.structure import LAYER_MIN_PER_YEAR
from weakties.domain.goals import GoalTag, GoalTagKind
from weakties.domain.ledger import Channel
from weakties.errors import InvalidInput

YEAR = 365.25 * DAY
NOW = 2_000_000_000.0
ME = 1


def _entries(rows: list[tuple[int, int, float, float]]) -> GoodwillEntries:
    n = len(rows)
    return GoodwillEntries(
        giver=np.array([r[0] for r in rows], dtype=np.int64),
        receiver=np.array([r[1] for r in rows], dtype=np.int64),
        weight=np.array([r[2] for r in rows], dtype=np.float64),
        t=np.array([r[3] for r in rows], dtype=np.float64),
        kind=np.zeros(n, dtype=np.int8),
        source=np.arange(n, dtype=np.int64),
    )


# ------------------------------------------------------------------ goodwill


def test_decay_halves_every_four_years() -> None:
    t = np.array([NOW, NOW - 4 * YEAR, NOW - 8 * YEAR, np.nan, NOW + DAY])
    assert decay_factor(t, NOW) == pytest.approx([1.0, 0.5, 0.25, 0.5, 1.0])
    assert decay_factor(np.array([NOW - 2 * YEAR]), NOW, 2.0) == pytest.approx([0.5])
    with pytest.raises(InvalidInput):
        decay_factor(t, NOW, 0.0)


def test_balances_by_hand() -> None:
    entries = _entries(
        [
            (ME, 2, 4.0, NOW),  # a large favour for 2, today: 4
            (2, ME, 1.0, NOW - 4 * YEAR),  # a small one from 2, four years ago: 0.5
            (ME, 3, 2.0, NOW - 8 * YEAR),  # a medium one for 3, eight years ago: 0.5
            (3, 4, 4.0, NOW),  # between two others: not mine
        ]
    )
    bal = goodwill_balances(entries, ME, NOW)
    assert bal.person.tolist() == [2, 3]
    assert bal.given == pytest.approx([4.0, 0.5])
    assert bal.received == pytest.approx([0.5, 0.0])
    assert bal.balance == pytest.approx([3.5, 0.5])
    given, received = bal.of(np.array([3, 4, 2]))
    assert given == pytest.approx([0.5, 0.0, 4.0])
    assert received == pytest.approx([0.0, 0.0, 0.5])


def test_ledger_entries_count_introductions_for_both_sides() -> None:
    e = ledger_entries(
        favour_giver=np.array([ME]),
        favour_receiver=np.array([2]),
        favour_weight=np.array([2.0]),
        favour_time=np.array([NOW]),
        favour_id=np.array([7]),
        intro_by=np.array([ME, -1]),
        intro_a=np.array([2, 3]),
        intro_b=np.array([3, 4]),
        intro_time=np.array([NOW, NOW]),
        intro_id=np.array([11, 12]),
    )
    assert len(e) == 3  # the favour, and me → 2 and me → 3; the unknown introducer's is nobody's
    assert e.receiver.tolist() == [2, 2, 3]
    assert e.weight.tolist() == [2.0, INTRODUCTION_WEIGHT, INTRODUCTION_WEIGHT]
    assert [e.kind_of(i) for i in range(3)] == [
        EntryKind.FAVOUR,
        EntryKind.INTRODUCTION,
        EntryKind.INTRODUCTION,
    ]
    assert e.source.tolist() == [7, 11, 11]
    bal = goodwill_balances(e, ME, NOW)
    assert bal.given == pytest.approx([4.0, 2.0])


def test_unreturned_needs_a_return_after_the_favour() -> None:
    e = _entries(
        [
            (2, ME, 1.0, 100.0),  # 0: returned before, not after → unreturned
            (ME, 2, 1.0, 50.0),
            (3, ME, 1.0, 100.0),  # 2: returned later → fine
            (ME, 3, 1.0, 200.0),
            (4, ME, 1.0, np.nan),  # 4: undated, nothing back → unreturned
            (5, ME, 1.0, 100.0),  # 5: an undated return counts
            (ME, 5, 1.0, np.nan),
        ]
    )
    assert np.flatnonzero(unreturned(e, ME)).tolist() == [0, 4]


# ------------------------------------------------------------------ matching

TRAITS = Traits(
    9,
    "Jane Roe",
    orgs=("ACME Bank Ltd",),
    industries=("fintech",),
    titles=("Senior Product Manager",),
    skills=("Python",),
)


def test_match_tags() -> None:
    k = GoalTagKind
    tags = (
        GoalTag(k.ROLE, "product manager"),
        GoalTag(k.INDUSTRY, "fintech"),
        GoalTag(k.ORG, "Acme Bank"),
        GoalTag(k.SKILL, "python"),
        GoalTag(k.SKILL, "go"),
        GoalTag(k.LOCATION, "london"),  # never counted
    )
    share, hits = match_tags(tags, TRAITS)
    assert share == pytest.approx(4 / 5)
    assert [h.value for h in hits] == ["product manager", "fintech", "Acme Bank", "python"]
    assert match_tags((GoalTag(k.LOCATION, "london"),), TRAITS) == (0.0, ())


# ------------------------------------------------------------------ reconnect


def test_reconnect_value_by_hand() -> None:
    value, g, novelty, reach = reconnect_value(
        past_strength=np.array([0.8, 0.8, 0.8, 0.8, 0.2]),
        goodwill=np.array([0.0, 4.0, 0.0, 0.0, 0.0]),
        mutual_contacts=np.array([0.0, 0.0, 5.0, 0.0, 0.0]),
        other_circle=np.array([False, False, False, True, False]),
        goal_self=np.array([False, False, False, False, True]),
        goal_neighbours=np.array([0.0, 0.0, 0.0, 2.0, 0.0]),
    )
    assert g == pytest.approx([0, math.tanh(1.0), 0, 0, 0])
    assert novelty == pytest.approx([0.5, 0.5, 0.25, 1.0, 0.5])
    assert reach == pytest.approx([0, 0, 0, 1 - 0.65**2, 1.0])
    assert value[0] == pytest.approx(0.4 * 0.8 + 0.2 * 0.5)  # 0.42
    assert value[1] == pytest.approx(0.42 + 0.2 * math.tanh(1.0))
    assert value[2] == pytest.approx(0.32 + 0.2 * 0.25)
    assert value[3] == pytest.approx(0.32 + 0.2 * 1.0 + 0.2 * (1 - 0.65**2))
    assert value[4] == pytest.approx(0.08 + 0.1 + 0.2)


def test_strength_when_quiet_by_hand() -> None:
    t0 = NOW - 1000 * DAY
    weekly = [t0 - 7 * DAY * k for k in range(52)]
    events = EventArrays.from_columns(
        [ME] + [ME] * 52,
        [2] + [3] * 52,
        [t0, *weekly],
        channel=Channel.EMAIL,
    )
    features = pair_features(events, NOW)
    past = strength_when_quiet(features, events)
    # one email, scored 30 days after: activation ln(31^-½), silence −0.716·ln 31, offset 1.2
    z = -0.5 * math.log(31) - 0.716 * math.log(31) + 1.2
    assert past[0] == pytest.approx(1 / (1 + math.exp(-0.5 * z)))  # 0.184
    assert past[1] > 0.6 > past[0]  # a year of weekly email was a strong tie when it stopped


# ------------------------------------------------------------------ state


def _nudge(facts_time: float = 100.0) -> Nudge:
    return Nudge(NudgeKind.THANK, "thank:favour:1", (2,), ("B",), 0.5, "", "", facts_time)


def test_hidden_states() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    n = _nudge(facts_time=now.timestamp() - 10)
    assert not is_hidden(n, None, now)
    assert is_hidden(n, NudgeState(n.key, NudgeStatus.DISMISSED, None, now), now)
    later = now + timedelta(days=3)
    snoozed = NudgeState(n.key, NudgeStatus.SNOOZED, later, now)
    assert is_hidden(n, snoozed, now)
    assert not is_hidden(n, snoozed, later)  # the snooze has run out
    done = NudgeState(n.key, NudgeStatus.DONE, None, now - timedelta(seconds=5))
    assert is_hidden(n, done, now)
    newer = _nudge(facts_time=now.timestamp())  # a fact after the decision
    assert not is_hidden(newer, done, now)


def test_interleave_takes_kinds_in_turn() -> None:
    a = [_nudge(), _nudge(), _nudge()]
    b = [Nudge(NudgeKind.HELP, "help:1", (2,), ("B",), 0.1, "", "")]
    assert [n.kind for n in interleave([a, b], 3)] == [
        NudgeKind.THANK,
        NudgeKind.HELP,
        NudgeKind.THANK,
    ]
    assert len(interleave([a, b], None)) == 4


# ------------------------------------------------------------------ keep warm


def test_keep_warm_cadence_by_layer() -> None:
    people = [Traits(p, f"P{p}") for p in (2, 3, 4, 5, 6)]
    layer = np.array([0, 1, 3, 0, -1], dtype=np.int8)
    last = np.array([NOW - 10 * DAY, NOW - 20 * DAY, NOW - 400 * DAY, NOW - 30 * DAY, NOW - 9e3])
    exclude = np.array([False, False, False, True, False])
    out = keep_warm_nudges(people, layer, last, NOW, exclude=exclude)
    assert [n.key for n in out] == ["keep-warm:2", "keep-warm:4"]  # 3 is within its month
    assert out[0].score == pytest.approx(1.0 * 10 / 21)
    assert out[1].score == pytest.approx(0.4 * 400 / (3 * 365.25))
    assert "once a week" in out[0].reason and "once a year" in out[1].reason


def test_layer_is_the_rate_before_the_last_contact() -> None:
    weekly = NOW - 500 * DAY - 7 * DAY * np.arange(52)  # weekly for a year, then silence
    monthly = NOW - 30.4 * DAY * np.arange(12)
    times = {2: weekly, 3: monthly, 4: np.array([NOW - 2000 * DAY])}
    assert layer_before_last(times, [2, 3, 4, 5], LAYER_MIN_PER_YEAR).tolist() == [0, 1, 3, -1]


# ------------------------------------------------------------------ help, introduce, thank

ASK = Ask(5, 2, "Looking for a Python expert", (GoalTag(GoalTagKind.SKILL, "python"),), 50.0)


def test_best_helper_is_me_when_i_match_else_the_best_contact() -> None:
    k = GoalTagKind
    traits = {
        ME: Traits(ME, "Me", skills=("python",)),
        2: Traits(2, "Asker", skills=("python",)),  # the asker never answers themself
        3: Traits(3, "Weak Python", skills=("python",)),
        4: Traits(4, "Strong Python", skills=("Python",), do_not_ask=True),
        5: Traits(5, "Close Python", titles=("Python developer",)),
    }
    strength = {2: 0.5, 3: 0.2, 4: 0.9, 5: 0.6}
    picks = best_helpers([ASK], ME, traits, strength)
    assert [(p.helper, p.match) for p in picks] == [(ME, 1.0)]
    del traits[ME]
    picks = best_helpers([ASK], ME, traits, strength)
    assert [p.helper for p in picks] == [5]  # 4 asked not to be asked
    other = Ask(6, 2, "Intro to Acme", (GoalTag(k.ORG, "Acme"),))
    assert best_helpers([other], ME, traits, strength) == []


def test_help_scores_and_hands_strangers_to_introductions() -> None:
    traits = {
        ME: Traits(ME, "Me"),
        2: Traits(2, "Asker Person"),
        5: Traits(5, "Helper Person", given_name="Helper", role="Dev at Acme"),
    }
    strength = {2: 0.5, 5: 0.6}
    mine = HelpPick(ASK, ME, 1.0, ASK.tags)
    via = HelpPick(Ask(7, 2, "Python help", ASK.tags), 5, 1.0, ASK.tags)
    out = help_nudges([mine, via], ME, traits, strength, knows={7: 0.1})
    assert [n.key for n in out] == ["help:5"]  # a stranger to the asker is an introduction
    assert out[0].score == pytest.approx(1.0 * (0.5 + 0.5 * 0.5))
    assert "you know python" in out[0].reason
    out = help_nudges([via], ME, traits, strength, knows={7: 0.8})
    assert out[0].people == (2, 5)
    assert out[0].score == pytest.approx(0.5 * 1.0 * 0.75 * 0.6)
    assert "have you asked Helper Person (Dev at Acme)?" in out[0].draft


def test_introductions_by_hand() -> None:
    traits = {
        ME: Traits(ME, "Me"),
        2: Traits(2, "Ann Asker", skills=("design",)),
        3: Traits(3, "Bo Builder", skills=("python",)),
        4: Traits(4, "Cy Coder", skills=("python",)),
    }
    strength = {2: 0.64, 3: 0.25, 4: 0.25}
    ask_b = Ask(8, 3, "Need a designer", (GoalTag(GoalTagKind.SKILL, "design"),), 60.0)
    pairs = introduction_candidates([ASK, ask_b], ME, traits, strength, exclude=[(4, 2)])
    assert [(p.x, p.y, p.gain) for p in pairs] == [(2, 3, 1.0)]  # both ways, capped at 1
    assert {a.goal_id for a, _, _ in pairs[0].asks} == {5, 8}
    out = introduce_nudges(pairs, np.array([0.1]), traits, strength)
    assert out[0].key == "introduce:2-3"
    assert out[0].score == pytest.approx(1.0 * math.sqrt(0.64 * 0.25) * 0.9)  # 0.36
    assert "Would you be open to an introduction?" in out[0].draft
    assert "To Bo:" in out[0].draft and "To Ann:" in out[0].draft
    assert introduce_nudges(pairs, np.array([0.5]), traits, strength) == []  # they know already
    lone = PairGain(2, 4, 0.5, ((ASK, 4, ASK.tags),))
    assert introduce_nudges([lone], np.array([0.0]), traits, strength)[0].score == pytest.approx(
        0.5 * math.sqrt(0.64 * 0.25)
    )


def test_thank_notes() -> None:
    traits = {2: Traits(2, "Bob Smith", given_name="Bob")}
    got = [
        Received("favour:1", 2, "reviewed my CV", "2021-05", 0.0, 4.0),
        Received("introduction:2", 2, "introduced them to Carol", None, float("nan"), 1.0),
    ]
    out = thank_nudges(got, traits)
    assert [n.key for n in out] == ["thank:favour:1", "thank:introduction:2"]
    assert out[0].score == pytest.approx(math.tanh(1.0))
    assert out[1].score == pytest.approx(math.tanh(0.25))
    assert out[0].draft.startswith("Hi Bob, thinking back to May 2021, when you reviewed my CV")
    assert "when you introduced me to Carol" in out[1].draft


def test_words() -> None:
    assert second_person("migrated their email for them") == "migrated your email for you"
    assert first_person("referred them for the role they got") == "referred me for the role I got"
    assert date_words("2019") == "in 2019"
    assert date_words("2019-05") == "in May 2019"
    assert date_words("2019-05-03") == "on 3 May 2019"
