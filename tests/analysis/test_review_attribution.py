"""The review calendar, went-cold comparisons and credit along chains (pure functions)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weakties.analysis.attribution import (
    ContactFrequency,
    IntroFact,
    ShareOf,
    attribute,
    contact_frequency,
    credit_shares,
    frequency_counts,
    share_through,
    suggest_chains,
    total_credit,
)
from weakties.analysis.review import (
    ChainLink,
    OpportunityLine,
    Period,
    Review,
    Shape,
    TieLine,
    in_period,
    last_closed_month,
    last_friday,
    last_weekday,
    month_of,
    new_tie_ids,
    opportunity_event,
    parse_month,
    parse_weekday,
    period,
    review_due,
    review_from_json,
    review_to_json,
    shift_month,
    snapshot_from_json,
    snapshot_to_json,
    strength_histogram,
    went_cold,
)
from weakties.domain.dates import PartialDate
from weakties.errors import InvalidInput

# ------------------------------------------------------------------------------ calendar


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 7, date(2026, 7, 31)),  # the month ends on a Friday
        (2026, 6, date(2026, 6, 26)),  # 30 June 2026 is a Tuesday
        (2026, 2, date(2026, 2, 27)),  # 28 Feb 2026 is a Saturday
        (2024, 2, date(2024, 2, 23)),  # leap year: 29 Feb 2024 is a Thursday
        (2008, 2, date(2008, 2, 29)),  # leap year ending on a Friday
        (2025, 12, date(2025, 12, 26)),  # 31 Dec 2025 is a Wednesday
        (2026, 1, date(2026, 1, 30)),
        (2025, 7, date(2025, 7, 25)),  # 31 July 2025 is a Thursday
    ],
)
def test_last_friday(year: int, month: int, expected: date) -> None:
    assert last_friday(year, month) == expected
    assert expected.weekday() == 4


@given(st.integers(1900, 2200), st.integers(1, 12), st.integers(0, 6))
def test_last_weekday_is_the_last_in_its_month(year: int, month: int, weekday: int) -> None:
    day = last_weekday(year, month, weekday)
    assert (day.year, day.month, day.weekday()) == (year, month, weekday)
    assert (day + timedelta(days=7)).month != month


def test_bad_calendar_input() -> None:
    with pytest.raises(InvalidInput):
        last_weekday(2026, 13)
    with pytest.raises(InvalidInput):
        last_weekday(2026, 1, 7)
    for text in ("2026-13", "2026", "2026-07-01", "July", ""):
        with pytest.raises(InvalidInput):
            parse_month(text)
    assert parse_weekday("Thu") == 3 and parse_weekday("friday") == 4
    with pytest.raises(InvalidInput):
        parse_weekday("fr")


def test_months_shift_across_years() -> None:
    assert shift_month("2026-01", -1) == "2025-12"
    assert shift_month("2025-12", 1) == "2026-01"
    assert shift_month("2026-07", -19) == "2024-12"


def test_periods_tile_the_calendar_across_a_year_end() -> None:
    dec, jan = period("2025-12"), period("2026-01")
    assert dec == Period("2025-12", date(2025, 11, 29), date(2025, 12, 26))  # after Fri 28 Nov
    assert jan == Period("2026-01", date(2025, 12, 27), date(2026, 1, 30))
    month = "2023-01"
    for _ in range(40):
        nxt = shift_month(month, 1)
        assert period(nxt).start == period(month).closes_on + timedelta(days=1)
        month = nxt


def test_month_of_a_day() -> None:
    assert month_of(date(2026, 7, 31)) == "2026-07"  # the closing day itself
    assert month_of(date(2026, 8, 1)) == "2026-08"
    assert month_of(date(2025, 7, 31)) == "2025-08"  # after Friday 25 July
    assert month_of(date(2025, 12, 29)) == "2026-01"  # after Friday 26 Dec, into next year
    assert month_of(date(2025, 12, 26)) == "2025-12"
    # with reviews on Mondays: the last Monday of July 2026 is the 27th
    assert month_of(date(2026, 7, 28), weekday=0) == "2026-08"


def test_review_due() -> None:
    assert last_closed_month(date(2026, 7, 31)) == "2026-07"
    assert last_closed_month(date(2026, 7, 30)) == "2026-06"
    assert last_closed_month(date(2026, 1, 2)) == "2025-12"
    assert review_due(date(2026, 7, 31), "2026-06") == "2026-07"  # closing day: due
    assert review_due(date(2026, 7, 30), "2026-06") is None  # July not closed yet
    assert review_due(date(2026, 7, 30), None) == "2026-06"  # never reviewed
    assert review_due(date(2026, 8, 5), "2026-07") is None
    assert review_due(date(2026, 1, 3), "2025-11") == "2025-12"
    assert review_due(date(2026, 1, 3), "2026-01") is None  # a later month is stored


def test_partial_dates_in_a_period() -> None:
    p = period("2026-07")  # 27 June .. 31 July
    assert in_period("2026-06-27", p) and in_period("2026-07-31", p)
    assert not in_period("2026-06-26", p) and not in_period("2026-08-01", p)
    assert in_period("2026-07", p) and not in_period("2026-06", p)  # month-only: its month
    assert not in_period("2026", p) and not in_period(None, p)  # cannot be placed
    assert in_period(PartialDate(2026, 7, 1), p)


def test_new_ties_and_opportunity_events() -> None:
    p = period("2026-07")
    first = {1: date(2026, 6, 26), 2: date(2026, 7, 2), 3: date(2026, 6, 27), 4: date(2026, 8, 1)}
    assert new_tie_ids(first, p) == [3, 2]
    june, july = PartialDate(2026, 6, 1), PartialDate(2026, 7, 10)
    assert opportunity_event(july, None, False, p) == "opened"
    assert opportunity_event(june, july, True, p) == "closed"
    assert opportunity_event(june, None, False, p) == "open"
    assert opportunity_event(june, PartialDate(2026, 6, 2), True, p) is None
    assert opportunity_event(PartialDate(2026, 8, 3), None, False, p) is None  # not yet


# -------------------------------------------------------------------------- went cold


def test_went_cold_rules() -> None:
    before = {
        1: (0.70, "strong"),  # → weak: category fell (and strength −0.45)
        2: (0.40, "moderate"),  # → dormant with a small drop: category fell
        3: (0.70, "strong"),  # −0.20 exactly, stays strong... by strength
        4: (0.69, "strong"),  # −0.19: not enough, and still strong
        5: (0.30, "weak"),  # weak → dormant, −0.15: was not warm, and a small drop
        6: (0.50, "moderate"),  # forgotten since
    }
    after = {
        1: (0.25, "weak"),
        2: (0.35, "dormant"),
        3: (0.50, "moderate"),
        4: (0.50, "moderate"),
        5: (0.15, "dormant"),
        7: (0.90, "strong"),  # new: nothing to compare
    }
    assert went_cold(before, after) == [
        (1, "strong → weak; strength −0.45"),
        (3, "strength −0.20"),
        (2, "moderate → dormant"),
    ]
    assert went_cold({}, after) == []


def test_histogram_and_snapshot_round_trip() -> None:
    assert strength_histogram([0.0, 0.05, 0.1, 0.55, 0.99, 1.0]) == (2, 1, 0, 0, 0, 1, 0, 0, 0, 2)
    ties = {3: (0.123456789, "weak"), 1: (0.9, "strong")}
    back, marks = snapshot_from_json(snapshot_to_json(ties, {"favour": 4}))
    assert back == {1: (0.9, "strong"), 3: (0.123457, "weak")} and marks == {"favour": 4}


def test_review_round_trips_through_json() -> None:
    review = Review(
        month="2026-07",
        start=date(2026, 6, 27),
        closes_on=date(2026, 7, 31),
        as_of="2026-07-31T22:00:00+00:00",
        in_progress=False,
        previous="2026-06",
        new_ties=(TieLine(5, "Jane Roe", "2026-07-02", 0.3, "weak"),),
        opportunities=(
            OpportunityLine(
                1, "PM", "Acme", "offer", "2026-07", None, "opened", (ChainLink(5, "Jane", 1.0),)
            ),
        ),
        shape=Shape(3, {"strong": 1}, ("a", "b"), (52.0, 12.0), (1, 2), 0.5, 2.0, (1,) * 10),
    )
    assert review_from_json(review_to_json(review)) == review


# -------------------------------------------------------------------------- attribution


def test_credit_shares_by_hand() -> None:
    assert credit_shares(0) == ()
    assert credit_shares(1) == (1.0,)
    assert credit_shares(2) == (0.5, 0.5)
    third = [Fraction(5, 12), Fraction(1, 6), Fraction(5, 12)]  # ½·⅓ + ¼ at the ends
    assert list(credit_shares(3)) == pytest.approx([float(x) for x in third])
    assert list(credit_shares(4)) == pytest.approx([3 / 8, 1 / 8, 1 / 8, 3 / 8])
    with pytest.raises(InvalidInput):
        credit_shares(-1)


@pytest.mark.parametrize("length", range(0, 12))
def test_attribution_sums_to_one(length: int) -> None:
    chain = list(range(10, 10 + length))
    credited = attribute(chain, owner=1)
    assert sum(share for _, share in credited) == pytest.approx(1.0)
    assert all(share > 0 for _, share in credited)
    if length == 0:
        assert credited == ((1, 1.0),)  # found directly: the owner's
    else:
        assert [p for p, _ in credited] == chain
        shares = [s for _, s in credited]
        assert shares[0] == shares[-1] == max(shares)  # the ends weigh most
        assert shares == shares[::-1]


def test_attribution_refuses_repeats_and_totals_add_up() -> None:
    with pytest.raises(InvalidInput):
        attribute([3, 4, 3], owner=1)
    totals = total_credit([[3], [3, 4], []], owner=1)
    assert totals == {3: 1.5, 4: 0.5, 1: 1.0}
    assert sum(totals.values()) == pytest.approx(3.0)


def test_chains_suggested_from_introductions() -> None:
    me = 0
    intros = [
        IntroFact(a=me, b=2, by=1),  # Carol (1) introduced me to Jane (2)
        IntroFact(a=2, b=3),  # Jane met Bob (3), introducer unknown
        IntroFact(a=4, b=6, by=5),  # elsewhere: 5 introduced 4 and 6
        IntroFact(a=8, b=9, by=me),  # I introduced 8 and 9: I reach both directly
    ]
    assert suggest_chains(me, [2], intros) == [(1, 2)]
    assert suggest_chains(me, [3], intros) == [(1, 2, 3)]
    assert suggest_chains(me, [3], intros, max_links=2) == []
    assert suggest_chains(me, [6], intros) == []  # no way from me to that corner
    assert suggest_chains(me, [6], intros, contacts=[5]) == [(5, 6)]
    assert suggest_chains(me, [9], intros) == [(9,)]
    assert suggest_chains(me, [2, 7], intros, contacts=[7]) == [(7,), (1, 2)]  # shortest first
    assert suggest_chains(me, [me], intros) == []
    # Jane is now a contact, but was met through Carol: the chain keeps Carol; an unreachable
    # target does not make the search walk back and forth for ever
    assert suggest_chains(me, [2, 99], intros[:1], contacts=[2]) == [(1, 2)]


def test_granovetter_bands_and_shares() -> None:
    assert contact_frequency(104) is ContactFrequency.OFTEN  # twice a week
    assert contact_frequency(103) is ContactFrequency.OCCASIONALLY
    assert contact_frequency(2) is ContactFrequency.OCCASIONALLY
    assert contact_frequency(1) is ContactFrequency.RARELY
    assert contact_frequency(0) is ContactFrequency.RARELY
    bands = [ContactFrequency.RARELY, ContactFrequency.OFTEN, ContactFrequency.RARELY]
    assert frequency_counts(bands) == {"often": 1, "occasionally": 0, "rarely": 2}
    assert share_through(["weak", "strong", "dormant", "never"]) == ShareOf(3, 4, 0.75)
    assert share_through([]) == ShareOf(0, 0, None)
    with pytest.raises(InvalidInput):
        ShareOf.of(3, 2)
