"""The monthly review: its calendar, its sections as plain records, and month-on-month change.

**Calendar.** A review closes on the last Friday of its month (another weekday can be chosen).
The review for month M covers the days after the previous month's closing day up to and
including M's closing day, so consecutive reviews tile the calendar with no gap or overlap;
the few days after the last Friday of a month belong to the next month's review.

**Went cold.** Comparing this month's tie snapshot with the last one: a tie went cold when its
category fell from strong or moderate to weak or dormant, or its strength dropped by at least
0.2 (a fifth of the scale: more than the week-to-week wobble of an active tie).

Everything here is pure: the workspace gathers the facts and stores the result.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from weakties.domain.dates import PartialDate
from weakties.errors import InvalidInput

FRIDAY = 4  # date.weekday() numbering: Monday is 0
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
COLD_DROP = 0.2
WARM = frozenset({"strong", "moderate"})
COLD = frozenset({"weak", "dormant"})
CATEGORIES = ("strong", "moderate", "weak", "dormant", "never")
HISTOGRAM_BINS = 10
FORMAT_VERSION = 1


# ------------------------------------------------------------------------------ calendar


def last_weekday(year: int, month: int, weekday: int = FRIDAY) -> date:
    """The last ``weekday`` (0 = Monday … 6 = Sunday) of a month."""
    if not 0 <= weekday <= 6:
        raise InvalidInput(f"weekday {weekday} is out of range 0..6")
    if not 1 <= month <= 12:
        raise InvalidInput(f"month {month} is out of range")
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def last_friday(year: int, month: int) -> date:
    """The last Friday of a month: the default closing day of its review."""
    return last_weekday(year, month, FRIDAY)


def parse_weekday(text: str) -> int:
    """A weekday name (``friday``, ``fri``) as 0..6."""
    word = text.strip().lower()
    for i, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return i
    raise InvalidInput(f"not a weekday: {text!r}", hint="monday … sunday")


def parse_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` as (year, month)."""
    try:
        pd = PartialDate.from_iso(text)
    except InvalidInput:
        pd = None
    if pd is None or pd.month is None or pd.day is not None or len(text.strip()) != 7:
        raise InvalidInput(f"not a month: {text!r}", hint="write YYYY-MM, e.g. 2026-07")
    return pd.year, pd.month


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift_month(month: str, by: int) -> str:
    """The month ``by`` months after (negative: before) ``month``."""
    year, m = parse_month(month)
    index = year * 12 + (m - 1) + by
    return month_key(index // 12, index % 12 + 1)


@dataclass(frozen=True, slots=True)
class Period:
    """The days one review covers: ``start`` to ``closes_on``, both included."""

    month: str
    start: date
    closes_on: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.closes_on


def period(month: str, weekday: int = FRIDAY) -> Period:
    """The period of the review for ``month`` (``YYYY-MM``)."""
    year, m = parse_month(month)
    py, pm = parse_month(shift_month(month, -1))
    return Period(
        month, last_weekday(py, pm, weekday) + timedelta(days=1), last_weekday(year, m, weekday)
    )


def month_of(day: date, weekday: int = FRIDAY) -> str:
    """The review month a day belongs to (days after a month's closing go to the next)."""
    key = month_key(day.year, day.month)
    return key if day <= last_weekday(day.year, day.month, weekday) else shift_month(key, 1)


def last_closed_month(today: date, weekday: int = FRIDAY) -> str:
    """The latest month whose review has closed by ``today`` (closing day included)."""
    current = month_of(today, weekday)
    return current if today == period(current, weekday).closes_on else shift_month(current, -1)


def review_due(today: date, last_stored_month: str | None, weekday: int = FRIDAY) -> str | None:
    """The month whose review is due, or None: due once its closing day has come and no review
    of it (or of a later month) is stored."""
    due = last_closed_month(today, weekday)
    if last_stored_month is not None and parse_month(last_stored_month) >= parse_month(due):
        return None
    return due


def in_period(when: PartialDate | str | None, p: Period) -> bool:
    """Whether a remembered date falls in the period.

    A day counts when inside it; a month-only date counts in that month's review; a year-only
    or missing date cannot be placed in a month and never counts.
    """
    if when is None:
        return False
    pd = when if isinstance(when, PartialDate) else PartialDate.from_iso(when)
    if pd.day is not None:
        return pd.first_day() in p
    if pd.month is not None:
        return month_key(pd.year, pd.month) == p.month
    return False


# -------------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class TieLine:
    """A new tie: someone first in contact with the owner during the period."""

    person_id: int
    name: str
    first_contact: str | None  # ISO date; None when only added by hand
    strength: float
    category: str


@dataclass(frozen=True, slots=True)
class ColdTie:
    """A tie that cooled since the last review, with the reason."""

    person_id: int
    name: str
    strength_before: float
    category_before: str
    strength: float
    category: str
    reason: str


@dataclass(frozen=True, slots=True)
class FavourLine:
    """A favour given (by the owner) or received (by the owner)."""

    id: int
    given: bool
    person_id: int
    name: str
    what: str
    when: str | None
    size: str


@dataclass(frozen=True, slots=True)
class IntroLine:
    """An introduction the owner made (``by_me``) or was part of."""

    id: int
    by_me: bool
    introducer: str | None
    a: str
    b: str
    when: str | None
    outcome: str


@dataclass(frozen=True, slots=True)
class NudgeLine:
    """A nudge marked done in the period."""

    key: str
    done_on: str


@dataclass(frozen=True, slots=True)
class GoalLine:
    """One of the owner's goals and how far it got."""

    id: int
    text: str
    status: str
    opportunities: int
    open_opportunities: int
    closed_this_period: bool


@dataclass(frozen=True, slots=True)
class ChainLink:
    person_id: int
    name: str
    share: float


@dataclass(frozen=True, slots=True)
class OpportunityLine:
    """An opportunity opened, closed or still open in the period, with its credited chain."""

    id: int
    title: str
    org: str | None
    status: str
    opened: str | None
    closed: str | None
    event: str  # opened, closed, open
    chain: tuple[ChainLink, ...]


@dataclass(frozen=True, slots=True)
class Shape:
    """The network's shape at the closing day: size, categories, layers, brokerage."""

    contacts: int
    categories: dict[str, int]
    layer_names: tuple[str, ...]
    layer_min_per_year: tuple[float, ...]
    layer_sizes: tuple[int, ...]
    constraint: float | None
    effective_size: float | None
    histogram: tuple[int, ...]  # contacts per strength bin [0, .1), …, [.9, 1]


@dataclass(frozen=True, slots=True)
class MonthCount:
    """The headline counts of one month, for the month-on-month chart."""

    month: str
    contacts: int
    strong: int
    moderate: int
    weak: int
    dormant: int


@dataclass(frozen=True, slots=True)
class Review:
    """One monthly review: the sections as shown, and what it was compared with."""

    month: str
    start: date
    closes_on: date
    as_of: str  # ISO instant the scores were taken at
    in_progress: bool
    previous: str | None  # the month compared with (None: nothing to compare)
    new_ties: tuple[TieLine, ...] = ()
    went_cold: tuple[ColdTie, ...] = ()
    favours: tuple[FavourLine, ...] = ()
    introductions: tuple[IntroLine, ...] = ()
    nudges_done: tuple[NudgeLine, ...] = ()
    goals: tuple[GoalLine, ...] = ()
    opportunities: tuple[OpportunityLine, ...] = ()
    shape: Shape | None = None
    history: tuple[MonthCount, ...] = field(default=())  # earlier months, then this one


def month_count(month: str, shape: Shape) -> MonthCount:
    c = shape.categories
    return MonthCount(
        month,
        shape.contacts,
        c.get("strong", 0),
        c.get("moderate", 0),
        c.get("weak", 0),
        c.get("dormant", 0),
    )


# ------------------------------------------------------------------------------ sections


def new_tie_ids(first_contact: Mapping[int, date], p: Period) -> list[int]:
    """Contacts whose first contact with the owner fell in the period, earliest first."""
    return [
        pid for pid, day in sorted(first_contact.items(), key=lambda x: (x[1], x[0])) if day in p
    ]


def went_cold(
    before: Mapping[int, tuple[float, str]], after: Mapping[int, tuple[float, str]]
) -> list[tuple[int, str]]:
    """Ties that cooled from ``before`` to ``after`` (person → (strength, category)), with why.

    Cooled: the category fell from strong/moderate to weak/dormant, or the strength dropped by
    at least :data:`COLD_DROP`. Largest drop first. People missing on either side are skipped
    (new ties have no past; forgotten ones no present).
    """
    found: list[tuple[float, int, str]] = []
    for pid, (s_after, c_after) in after.items():
        if pid not in before:
            continue
        s_before, c_before = before[pid]
        drop = s_before - s_after
        reasons = []
        if c_before in WARM and c_after in COLD:
            reasons.append(f"{c_before} → {c_after}")
        if drop >= COLD_DROP - 1e-9:
            reasons.append(f"strength −{drop:.2f}")
        if reasons:
            found.append((drop, pid, "; ".join(reasons)))
    found.sort(key=lambda x: (-x[0], x[1]))
    return [(pid, reason) for _, pid, reason in found]


def strength_histogram(strengths: Iterable[float], bins: int = HISTOGRAM_BINS) -> tuple[int, ...]:
    """Counts of strengths in ``bins`` equal bins over [0, 1] (1.0 goes in the last)."""
    counts = [0] * bins
    for s in strengths:
        counts[min(bins - 1, max(0, int(s * bins)))] += 1
    return tuple(counts)


def category_counts(categories: Iterable[str]) -> dict[str, int]:
    """Contacts per tie category, every category present."""
    out = dict.fromkeys(CATEGORIES, 0)
    for c in categories:
        out[c] = out.get(c, 0) + 1
    return out


def opportunity_event(
    opened: PartialDate | None, closed: PartialDate | None, is_closed: bool, p: Period
) -> str | None:
    """Why an opportunity belongs in the review: closed or opened in the period, or still open
    (None: it does not belong)."""
    if is_closed and in_period(closed, p):
        return "closed"
    if in_period(opened, p):
        return "opened"
    if not is_closed and (opened is None or opened.first_day() <= p.closes_on):
        return "open"
    return None


# ----------------------------------------------------------------------------- storage


def review_to_json(review: Review) -> str:
    """The review as JSON text (what the ``review.content`` column holds)."""
    data = asdict(review)
    data["start"] = review.start.isoformat()
    data["closes_on"] = review.closes_on.isoformat()
    data["version"] = FORMAT_VERSION
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def review_from_json(text: str) -> Review:
    """Read back what :func:`review_to_json` wrote."""
    d: dict[str, Any] = json.loads(text)
    if d.pop("version", None) != FORMAT_VERSION:
        raise InvalidInput("a stored review in an unknown format; run the review again")
    shape = d.get("shape")
    return Review(
        month=d["month"],
        start=date.fromisoformat(d["start"]),
        closes_on=date.fromisoformat(d["closes_on"]),
        as_of=d["as_of"],
        in_progress=d["in_progress"],
        previous=d["previous"],
        new_ties=tuple(TieLine(**x) for x in d["new_ties"]),
        went_cold=tuple(ColdTie(**x) for x in d["went_cold"]),
        favours=tuple(FavourLine(**x) for x in d["favours"]),
        introductions=tuple(IntroLine(**x) for x in d["introductions"]),
        nudges_done=tuple(NudgeLine(**x) for x in d["nudges_done"]),
        goals=tuple(GoalLine(**x) for x in d["goals"]),
        opportunities=tuple(
            OpportunityLine(**{**x, "chain": tuple(ChainLink(**c) for c in x["chain"])})
            for x in d["opportunities"]
        ),
        shape=None
        if shape is None
        else Shape(
            **{
                **shape,
                "layer_names": tuple(shape["layer_names"]),
                "layer_min_per_year": tuple(shape["layer_min_per_year"]),
                "layer_sizes": tuple(shape["layer_sizes"]),
                "histogram": tuple(shape["histogram"]),
            }
        ),
        history=tuple(MonthCount(**x) for x in d["history"]),
    )


def snapshot_to_json(ties: Mapping[int, tuple[float, str]], marks: Mapping[str, int]) -> str:
    """Tie strengths and categories, as stored beside a review for next month's comparison.

    ``marks`` remembers the newest ledger ids the review saw (``favour``, ``introduction``), so
    that undated entries appear once, in the first review after they were recorded.
    """
    return json.dumps(
        {
            "ties": {str(k): [round(v[0], 6), v[1]] for k, v in sorted(ties.items())},
            "marks": dict(marks),
        }
    )


def snapshot_from_json(text: str) -> tuple[dict[int, tuple[float, str]], dict[str, int]]:
    """Read back what :func:`snapshot_to_json` wrote: (ties, marks)."""
    data = json.loads(text)
    ties = {int(k): (float(v[0]), str(v[1])) for k, v in data["ties"].items()}
    return ties, {str(k): int(v) for k, v in data.get("marks", {}).items()}
