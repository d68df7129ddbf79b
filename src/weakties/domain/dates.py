"""Dates as people remember them: exact, partial ("2019", "2019-05") or relative ("3 years ago").

A :class:`PartialDate` keeps the precision the user gave. Its ISO text ("2019", "2019-05",
"2019-05-03") sorts lexicographically in time order, which is why the store keeps that text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from weakties.errors import InvalidInput

ACCEPTED_DATES = (
    "accepted: 2019-05-03, 2019-05, 2019, 2019-05-03T14:30, today, yesterday, "
    "'3 years ago', 'last friday', 'last month'"
)


class Precision(StrEnum):
    """How much of a date the user remembered."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise InvalidInput(f"year {self.year} is out of range")
        if self.month is None and self.day is not None:
            raise InvalidInput("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise InvalidInput(f"month {self.month} is out of range")
        if self.day is not None:
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise InvalidInput(
                    f"day {self.day} is out of range for {self.year}-{self.month:02d}"
                )

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        return Precision.MONTH if self.month is not None else Precision.YEAR

    def iso(self) -> str:
        """The ISO text of the known part: ``2019``, ``2019-05`` or ``2019-05-03``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        return self.iso()

    def first_day(self) -> date:
        """The earliest day the date can mean."""
        return date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> date:
        """The latest day the date can mean."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def midpoint(self) -> datetime:
        """A UTC instant in the middle of the range: the fair guess for scoring."""
        start = datetime.combine(self.first_day(), time(), UTC)
        last = self.last_day()
        # the last day of year 9999 has no next day in datetime: end at its last second
        step = timedelta(days=1) if last < date.max else timedelta(hours=23, minutes=59)
        end = datetime.combine(last, time(), UTC) + step
        return start + (end - start) / 2

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        """Parse the stored ISO text back; raises :class:`InvalidInput` on anything else."""
        match = _ISO_PARTIAL.fullmatch(text.strip())
        if not match:
            raise InvalidInput(f"not a date: {text!r}", hint=ACCEPTED_DATES)
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)


def stored_date(text: str | None) -> PartialDate | None:
    """A partial date as the store keeps it (ISO text, or NULL), back as a value."""
    return PartialDate.from_iso(text) if text else None


def storable_date(value: PartialDate | None) -> str | None:
    """A partial date as the store keeps it: its ISO text, which sorts in time order."""
    return value.iso() if value else None


_ISO_PARTIAL = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_AGO = re.compile(
    r"(?P<n>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?P<unit>minute|hour|day|week|month|year)s?\s+ago"
)
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_WORDS |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            (),
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_date(text: str, *, today: date | None = None) -> PartialDate:
    """Parse what a user typed into a :class:`PartialDate`.

    Accepts ISO dates and datetimes, partial dates ("2019", "2019-05"), month names
    ("May 2019", "3 May 2019"), and relative phrases: today, yesterday, "N days|weeks|months|
    years ago", "last <weekday>", "last week|month|year". Relative phrases keep the precision
    they imply: "last year" is a year, "2 months ago" a month.
    """
    raw = text
    text = " ".join(text.strip().lower().split())
    today = today or date.today()
    if not text:
        raise InvalidInput("empty date", hint=ACCEPTED_DATES)
    if _ISO_PARTIAL.fullmatch(text):
        try:
            return PartialDate.from_iso(text)
        except InvalidInput as exc:
            raise InvalidInput(f"not a date: {raw!r}: {exc.message}", hint=ACCEPTED_DATES) from None
    if re.fullmatch(
        r"\d{4}-\d{2}-\d{2}[t ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})?", text
    ):
        return PartialDate.from_date(
            parse_moment(raw, now=datetime.combine(today, time(), UTC)).date()
        )
    if text in ("today", "now"):
        return PartialDate.from_date(today)
    if text == "yesterday":
        return PartialDate.from_date(today - timedelta(days=1))
    if match := _AGO.fullmatch(text):
        n_text, unit = match.group("n"), match.group("unit")
        n = int(n_text) if n_text.isdigit() else _WORDS[n_text]
        if unit in ("minute", "hour"):
            return PartialDate.from_date(today)
        if unit == "day":
            return PartialDate.from_date(today - timedelta(days=n))
        if unit == "week":
            return PartialDate.from_date(today - timedelta(weeks=n))
        if unit == "month":
            shifted = _shift_months(today, n)
            return PartialDate(shifted.year, shifted.month)
        return PartialDate(today.year - n)
    if match := re.fullmatch(r"last (\w+)", text):
        word = match.group(1)
        if word in _WEEKDAYS:
            back = (today.weekday() - _WEEKDAYS.index(word)) % 7 or 7
            return PartialDate.from_date(today - timedelta(days=back))
        if word == "week":
            return PartialDate.from_date(today - timedelta(weeks=1))
        if word == "month":
            shifted = _shift_months(today, 1)
            return PartialDate(shifted.year, shifted.month)
        if word == "year":
            return PartialDate(today.year - 1)
    if match := re.fullmatch(r"(?:(\d{1,2}) )?([a-z]+)\.? (\d{4})", text):
        day_text, month_name, year_text = match.groups()
        if month_name in _MONTHS:
            day = int(day_text) if day_text else None
            try:
                return PartialDate(int(year_text), _MONTHS[month_name], day)
            except InvalidInput as exc:
                raise InvalidInput(
                    f"not a date: {raw!r}: {exc.message}", hint=ACCEPTED_DATES
                ) from None
    raise InvalidInput(f"not a date: {raw!r}", hint=ACCEPTED_DATES)


def parse_moment(text: str, *, now: datetime | None = None) -> datetime:
    """Parse a point in time (for interactions) into an aware UTC datetime.

    A full ISO datetime is taken as given (local time if it has no offset); anything
    :func:`parse_date` accepts maps to noon UTC of its first day ("now" keeps the time).
    """
    now = now or datetime.now(UTC)
    stripped = text.strip()
    if stripped.lower() == "now":
        return now.astimezone(UTC)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{1,2}:\d{2}.*", stripped):
        try:
            moment = datetime.fromisoformat(stripped.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"not a date: {text!r}", hint=ACCEPTED_DATES) from None
        if moment.tzinfo is None:
            moment = moment.astimezone()  # the user's local time zone
        return moment.astimezone(UTC)
    if match := _AGO.fullmatch(" ".join(stripped.lower().split())):
        n_text, unit = match.group("n"), match.group("unit")
        n = int(n_text) if n_text.isdigit() else _WORDS[n_text]
        if unit in ("minute", "hour", "day", "week"):
            return (now - timedelta(**{unit + "s": n})).astimezone(UTC)
        months = n * (12 if unit == "year" else 1)
        return datetime.combine(_shift_months(now.date(), months), now.timetz()).astimezone(UTC)
    day = parse_date(text, today=now.astimezone().date()).first_day()
    return datetime.combine(day, time(12), UTC)


def ensure_utc(moment: datetime) -> datetime:
    """Return ``moment`` as an aware UTC datetime; naive values are taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
