"""Dates and times in the shapes exports write them, read without guessing wildly.

Each service writes a few fixed shapes (LinkedIn ``09 Sep 2022``, ``1/8/18, 6:14 PM``, Excel's
``06-May-22``; Google ``--03-15``); an explicit list of formats is predictable where a general
date guesser would silently misread. Numeric day/month order is US (what LinkedIn and Outlook
write) unless the first number cannot be a month.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from weakties.domain.dates import PartialDate
from weakties.errors import InvalidInput

_MOMENT_FORMATS = (
    "%Y-%m-%d %H:%M:%S %Z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S %Z",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%y, %I:%M %p",
    "%m/%d/%Y, %I:%M %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y, %H:%M",
    "%m/%d/%Y %H:%M",
    "%d/%m/%y, %I:%M %p",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S",
    "%Y%m%dT%H%M%SZ",
    "%Y%m%dT%H%M%S",
)
_DAY_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%m/%d/%y",
    "%m/%d/%Y",
    "%d/%m/%y",
    "%d/%m/%Y",
    "%d.%m.%Y",
)
_MONTH_FORMATS = ("%b %Y", "%B %Y", "%Y-%m", "%m/%Y")
_TIME_SUFFIX = re.compile(r"(?i)\s*(?:utc|gmt|z)$")


def _clean(raw: str) -> str:
    return " ".join(raw.replace("\u202f", " ").replace("\xa0", " ").split())


@lru_cache(maxsize=4096)  # exports repeat their dates (connections made the same day)
def parse_moment(raw: str) -> datetime | None:
    """An aware UTC instant from an export's timestamp (naive times are taken as UTC)."""
    text = _clean(raw)
    if not text or len(text) > 40:
        return None
    # every moment format has a time (":") or a "T": a failed strptime costs ~10 µs
    for fmt in _MOMENT_FORMATS if (":" in text or "T" in text) else ():
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    try:
        moment = datetime.fromisoformat(_TIME_SUFFIX.sub("", text).replace("Z", "+00:00"))
    except ValueError:
        day = parse_day(text)
        return day.midpoint() if day is not None else None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@lru_cache(maxsize=4096)
def parse_day(raw: str) -> PartialDate | None:
    """A date known to the day, month or year; None for anything else (a time is ignored)."""
    text = _clean(raw)
    if not text or len(text) > 40:
        return None
    for fmt in _DAY_FORMATS:
        try:
            return PartialDate.from_date(datetime.strptime(text, fmt).date())
        except (ValueError, InvalidInput):
            continue
    for fmt in _MONTH_FORMATS:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return PartialDate(moment.year, moment.month)
    if re.fullmatch(r"\d{4}", text):
        try:
            return PartialDate(int(text))
        except InvalidInput:
            return None
    for fmt in _MOMENT_FORMATS if (":" in text or "T" in text) else ():
        try:
            return PartialDate.from_date(datetime.strptime(text, fmt).date())
        except (ValueError, InvalidInput):
            continue
    return None


def from_epoch(seconds: float) -> datetime | None:
    """A UTC instant from Unix seconds, or None when out of any plausible range."""
    if not 0 < seconds < 253402300799:  # before year 10000
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
