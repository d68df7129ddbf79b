from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weakties.domain.dates import PartialDate, Precision, parse_date, parse_moment
from weakties.errors import InvalidInput

TODAY = date(2026, 11, 28)  # a Saturday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", PartialDate(2019)),
        ("2019-05", PartialDate(2019, 5)),
        ("2019-05-03", PartialDate(2019, 5, 3)),
        ("  2019-5-3 ", PartialDate(2019, 5, 3)),
        ("today", PartialDate(2026, 11, 28)),
        ("yesterday", PartialDate(2026, 11, 27)),
        ("3 years ago", PartialDate(2023)),
        ("a year ago", PartialDate(2025)),
        ("2 months ago", PartialDate(2026, 9)),
        ("11 months ago", PartialDate(2025, 12)),
        ("10 days ago", PartialDate(2026, 11, 18)),
        ("two weeks ago", PartialDate(2026, 11, 14)),
        ("last friday", PartialDate(2026, 11, 27)),
        ("last saturday", PartialDate(2026, 11, 21)),  # today is Saturday: a week back
        ("last monday", PartialDate(2026, 11, 23)),
        ("last month", PartialDate(2026, 10)),
        ("last year", PartialDate(2025)),
        ("May 2019", PartialDate(2019, 5)),
        ("3 May 2019", PartialDate(2019, 5, 3)),
        ("2019-05-03T14:30", PartialDate(2019, 5, 3)),
    ],
)
def test_parse_date_examples(text: str, expected: PartialDate) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text", ["", "soon", "2019-13", "2019-02-30", "32 May 2019", "19999", "last blursday"]
)
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_date(text, today=TODAY)
    assert "accepted" in str(info.value)


def test_month_shift_clamps_to_month_end() -> None:
    # 31 March minus one month is the end of February (a leap year here)
    assert parse_date("1 month ago", today=date(2024, 3, 31)) == PartialDate(2024, 2)


def test_precision_and_ranges() -> None:
    assert PartialDate(2019).precision is Precision.YEAR
    assert PartialDate(2019, 2).last_day() == date(2019, 2, 28)
    assert PartialDate(2020, 2).last_day() == date(2020, 2, 29)
    assert PartialDate(2019).midpoint() == datetime(2019, 7, 2, 12, tzinfo=UTC)


def test_parse_moment_keeps_time_and_offsets() -> None:
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert parse_moment("2024-05-03T14:30+02:00", now=now) == datetime(
        2024, 5, 3, 12, 30, tzinfo=UTC
    )
    assert parse_moment("2024-05-03T14:30Z", now=now) == datetime(2024, 5, 3, 14, 30, tzinfo=UTC)
    assert parse_moment("now", now=now) == now
    assert parse_moment("3 days ago", now=now) == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert parse_moment("2 years ago", now=now) == datetime(2024, 11, 28, 9, 0, tzinfo=UTC)
    assert parse_moment("2019", now=now) == datetime(2019, 1, 1, 12, tzinfo=UTC)


partial_dates = st.builds(
    lambda d, precision: (
        PartialDate(d.year)
        if precision == 0
        else PartialDate(d.year, d.month)
        if precision == 1
        else PartialDate.from_date(d)
    ),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(0, 2),
)


@given(partial_dates)
def test_iso_round_trip(value: PartialDate) -> None:
    assert PartialDate.from_iso(value.iso()) == value
    assert parse_date(value.iso()) == value


@given(partial_dates, partial_dates)
def test_iso_text_sorts_like_time(a: PartialDate, b: PartialDate) -> None:
    # the store sorts partial dates by their text: it must agree with the first possible day
    if a.first_day() < b.first_day():
        assert a.iso() < b.iso()
