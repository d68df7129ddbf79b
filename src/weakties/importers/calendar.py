"""Calendar exports (``.ics`` from Google, Outlook/Exchange, Apple) → one meeting per occurrence.

Reads VEVENTs with their ORGANIZER and ATTENDEEs (CN, PARTSTAT); DTSTART with a TZID, in UTC,
floating or all-day. Recurring events (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) are
expanded by ``recurring-ical-events`` into the occurrences up to ``options.today``, at most
the last 500 per series and none more than 10 years back: a weekly meeting is many contacts,
but a daily stand-up since 2009 should not drown everything else. Cancelled events, events the
owner declined, meetings with more than 20 attendees and events with nobody but the owner are
skipped and counted. Titles, descriptions and locations are not kept (only who met when).

Floating times (no zone) are read in ``options.extra["tz"]``, else the calendar's
``X-WR-TIMEZONE``, else this machine's local zone; all-day events count at noon UTC of their
day. The owner is ``options.me`` (addresses, plus any address whose CN is a ``--me`` name), else
the addresses the owner answered to before (``options.known_me``) and those whose CN is one of
the owner's names, else ``X-WR-CALNAME`` when it is an address (Google names a primary calendar
by its owner's address), else the address on the most events; a tie is :class:`OwnerUnknown`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events

from weakties.domain.identities import Identity, IdentityKind, normalize_email
from weakties.domain.ledger import MAX_CONVERSATION, Channel, Direction, Role
from weakties.domain.records import InteractionRecord, Origin, PersonRef, Problem, Record, Skipped
from weakties.errors import ImportFailed, InvalidInput, OwnerUnknown
from weakties.importers.files import Source
from weakties.importers.registry import ImportOptions

MAX_ATTENDEES = MAX_CONVERSATION
MAX_OCCURRENCES = 500  # per series, the most recent ones
YEARS_BACK = 10
_MAX_GENERATED = 200_000  # occurrences generated for one window: a guard against FREQ=SECONDLY
_WINDOWS_DAYS = (1, 8, 64, 512)  # widening look-back windows, then the full YEARS_BACK

SKIP_CANCELLED = "cancelled"
SKIP_DECLINED = "declined by you"
SKIP_LARGE = f"large meeting (more than {MAX_ATTENDEES} attendees)"
SKIP_ALONE = "no one but you"
SKIP_FUTURE = "in the future"
SKIP_NOT_CALENDAR = "not a calendar file"

_RESOURCE_TYPES = frozenset({"ROOM", "RESOURCE"})
_RESOURCE_DOMAINS = ("resource.calendar.google.com", "group.calendar.google.com")


def _address(value: Any) -> str | None:
    """The normalised email of an ORGANIZER/ATTENDEE value (``mailto:…``), or None."""
    try:
        address = normalize_email(str(value))
    except InvalidInput:
        return None
    return None if address.endswith(_RESOURCE_DOMAINS) else address


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _param(value: Any, name: str) -> str | None:
    params = getattr(value, "params", None)
    found = params.get(name) if params is not None else None
    return str(found) if found else None


class _People:
    """The people of one event: organizer and attendees, with the owner's status."""

    def __init__(self, event: icalendar.Component, owners: frozenset[str]) -> None:
        self.organizer: str | None = None
        self.names: dict[str, str | None] = {}
        self.roles: dict[str, Role] = {}
        self.owner_declined = False
        organizer = event.get("ORGANIZER")
        if organizer is not None:
            self.organizer = _address(organizer)
            if self.organizer is not None:
                self.names[self.organizer] = _param(organizer, "CN")
                self.roles[self.organizer] = Role.ORGANIZER
        for attendee in _as_list(event.get("ATTENDEE")):
            if (_param(attendee, "CUTYPE") or "").upper() in _RESOURCE_TYPES:
                continue
            address = _address(attendee)
            if address is None:
                continue
            partstat = (_param(attendee, "PARTSTAT") or "").upper()
            if address in owners and partstat == "DECLINED":
                self.owner_declined = True
            self.roles.setdefault(address, Role.ATTENDEE)
            self.names.setdefault(address, _param(attendee, "CN"))


def _zone(options: ImportOptions, calendar: icalendar.Component) -> tzinfo | None:
    name = options.extra.get("tz") or str(calendar.get("X-WR-TIMEZONE") or "") or None
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if "tz" in options.extra:
            raise ImportFailed(f"unknown time zone {name!r}", hint="e.g. Europe/Berlin") from None
        return None  # a calendar's own odd X-WR-TIMEZONE: fall back to local time


def to_utc(value: Any, zone: tzinfo | None) -> datetime | None:
    """A DTSTART value as aware UTC: zoned as given, floating in ``zone``, all-day at noon."""
    if isinstance(value, datetime):
        moment: datetime = value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()
        return moment.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(12), UTC)
    return None


class _Calendar:
    """One parsed calendar file and what it needs to turn events into records."""

    def __init__(
        self, source: Source, calendar: icalendar.Component, options: ImportOptions
    ) -> None:
        self.source = source
        self.calendar = calendar
        self.zone = _zone(options, calendar)
        today = date.fromisoformat(options.today) if options.today else date.today()
        self.end = datetime.combine(today + timedelta(days=1), time(), UTC)
        self.start = datetime.combine(today - timedelta(days=365 * YEARS_BACK + 2), time(), UTC)

    def events(self) -> list[icalendar.Component]:
        return list(self.calendar.walk("VEVENT"))


def _uid(event: icalendar.Component) -> str:
    uid = str(event.get("UID") or "").strip()
    if uid:
        return uid
    # No UID (some Outlook exports): the start and the people, which re-exports keep.
    parts = [str(_decoded(event, "DTSTART")), str(event.get("ORGANIZER") or "")]
    parts += sorted(str(a) for a in _as_list(event.get("ATTENDEE")))
    return "sha1:" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:24]


def _split_me(values: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """(addresses, folded names) among ``--me``-style values (names are for CN matching)."""
    addresses: set[str] = set()
    names: set[str] = set()
    for raw in values:
        try:
            addresses.add(normalize_email(raw))
        except InvalidInput:
            if raw.strip():
                names.add(" ".join(raw.split()).casefold())
    return addresses, names


def _seen(calendars: list[_Calendar]) -> tuple[Counter[str], dict[str, set[str]]]:
    """Events per address, and the folded CNs each address carries."""
    counts: Counter[str] = Counter()
    names: dict[str, set[str]] = {}
    for cal in calendars:
        for event in cal.events():
            try:
                people = _People(event, frozenset())
            except ValueError:
                continue  # a broken ORGANIZER/ATTENDEE: the event is reported when read
            counts.update(list(people.roles))
            for address, cn in people.names.items():
                if cn:
                    names.setdefault(address, set()).add(" ".join(cn.split()).casefold())
    return counts, names


def _owners_from(calendars: list[_Calendar], options: ImportOptions) -> frozenset[str]:
    """The owner's addresses: see the module docstring for the order they are looked for in."""
    given, given_names = _split_me(options.me)
    known, known_names = _split_me(options.known_me)
    wanted_names = given_names | known_names
    counts: Counter[str] | None = None
    cns: dict[str, set[str]] = {}
    if wanted_names or known or not given:
        counts, cns = _seen(calendars)
    # An address whose CN is one of the owner's names is theirs (a calendar where they are only
    # the organiser, or only named by CN).
    named = {a for a, names in cns.items() if names & wanted_names}
    if given:
        return frozenset(given | named)
    assert counts is not None
    found = ({a for a in known if a in counts}) | named
    if found:
        return frozenset(found)
    for cal in calendars:
        name = str(cal.calendar.get("X-WR-CALNAME") or "")
        address = _address(name) if "@" in name else None
        if address is not None:
            found.add(address)
    if found:
        return frozenset(found)
    ranked = counts.most_common(2)
    if not ranked:
        return frozenset()
    if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        raise OwnerUnknown(
            "address",
            counts.most_common(20),
            unit="events",
            location=calendars[0].source.name,
            hint="pass --me you@example.com",
        )
    return frozenset({ranked[0][0]})


def _record(
    event: icalendar.Component,
    cal: _Calendar,
    owners: frozenset[str],
    uid: str,
    recurring: bool,
) -> Record:
    where = f"event {uid}"
    when = to_utc(_decoded(event, "DTSTART"), cal.zone)
    if recurring and when is not None:
        where = f"{where}, {when.isoformat()}"
    origin = Origin(cal.source.name, where)
    if when is None:
        return Problem(origin, "no readable DTSTART; event left out")
    if str(event.get("STATUS") or "").upper() == "CANCELLED":
        return Skipped(origin, SKIP_CANCELLED)
    people = _People(event, owners)
    if people.owner_declined:
        return Skipped(origin, SKIP_DECLINED)
    others = [a for a in people.roles if a not in owners]
    if len(others) + (1 if owners & people.roles.keys() else 0) > MAX_ATTENDEES:
        return Skipped(origin, SKIP_LARGE)
    if not others:
        return Skipped(origin, SKIP_ALONE)
    if when >= cal.end:
        return Skipped(origin, SKIP_FUTURE)
    participants: list[tuple[PersonRef, Role]] = []
    for address, role in people.roles.items():
        identity = (Identity(IdentityKind.EMAIL, address),)
        if address in owners:
            ref = PersonRef(key="me", identities=identity, is_me=True)
        else:
            name = people.names.get(address)
            shown = name if name and name.strip().lower() != address else None  # Google: CN=addr
            ref = PersonRef(name=shown, identities=identity)
        participants.append((ref, role))
    key = uid
    if recurring:
        original = to_utc(_decoded(event, "RECURRENCE-ID"), cal.zone) or when
        key = f"{uid}/{original.strftime('%Y%m%dT%H%M%SZ')}"
    direction = Direction.UNKNOWN
    if people.organizer is not None:
        direction = Direction.OUTBOUND if people.organizer in owners else Direction.INBOUND
    return InteractionRecord(
        key=key,
        origin=origin,
        occurred_at=when,
        channel=Channel.MEETING,
        participants=tuple(participants),
        direction=direction,
        thread_key=uid if recurring else None,
    )


def _decoded(event: icalendar.Component, name: str) -> Any:
    """A date property's value; None when missing or broken (icalendar raises ValueError)."""
    try:
        return getattr(event.get(name), "dt", None)
    except ValueError:
        return None


def _occurrences(cal: _Calendar, events: list[icalendar.Component]) -> list[Any]:
    """The last MAX_OCCURRENCES occurrences of one series up to today, as components.

    Look-back windows widen from a day to YEARS_BACK until they hold enough occurrences, so
    that a rule that fires every minute costs one day of expansion, not ten years of it.
    """
    mini = icalendar.Calendar()
    for timezone in cal.calendar.walk("VTIMEZONE"):
        mini.add_component(timezone)
    for event in events:
        mini.add_component(event)
    series_list = recurring_ical_events.of(mini).series
    found: list[Any] = []
    end = cal.end.replace(tzinfo=None)
    earliest = cal.start.replace(tzinfo=None)
    for series in series_list:
        for days in (*_WINDOWS_DAYS, None):
            start = earliest if days is None else max(earliest, end - timedelta(days=days))
            occurrences = list(islice(series.between(start, end), _MAX_GENERATED))
            if len(occurrences) >= MAX_OCCURRENCES or start == earliest:
                break
        occurrences.sort()
        found.extend(o.as_component(False) for o in occurrences[-MAX_OCCURRENCES:])
    return found


_FREQ_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400}


def _rule_steps(events: list[icalendar.Component], zone: tzinfo | None, end: datetime) -> float:
    """How many steps the recurrence rules take from DTSTART to ``end``.

    The expander walks a rule from its DTSTART, whatever window is asked for, so a rule that
    fires every minute since 2010 costs millions of steps: such series are refused instead.
    """
    steps = 0.0
    for event in events:
        rule = event.get("RRULE")
        start = to_utc(_decoded(event, "DTSTART"), zone)
        if rule is None or start is None:
            continue
        for one in _as_list(rule):
            try:  # a broken RRULE raises on access; the expander reports it as a problem
                freq = str((one.get("FREQ") or [""])[0]).upper()
                interval = max(1, int((one.get("INTERVAL") or [1])[0]))
            except (TypeError, ValueError):
                continue
            seconds = _FREQ_SECONDS.get(freq)
            if seconds is not None:
                steps += (end - start).total_seconds() / (seconds * interval)
    return steps


def _is_recurring(events: list[icalendar.Component]) -> bool:
    return any(
        e.get("RRULE") is not None or e.get("RDATE") is not None or e.get("RECURRENCE-ID")
        for e in events
    )


def _parse(source: Source) -> list[icalendar.Component]:
    text = source.read_text()
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        raise ImportFailed("not an iCalendar file (no BEGIN:VCALENDAR)", location=source.name)
    if "END:VCALENDAR" not in text.upper():
        raise ImportFailed("the file is cut short (no END:VCALENDAR)", location=source.name)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as exc:  # icalendar raises many kinds of error on malformed input
        raise ImportFailed(f"not a readable iCalendar file: {exc}", location=source.name) from None
    return list(calendars)


def _is_calendar(source: Source) -> bool:
    try:
        with source.open_bytes() as handle:
            head = handle.read(4096)
    except (ImportFailed, OSError, KeyError, ValueError):
        return False
    return b"BEGIN:VCALENDAR" in head.upper()


class CalendarImporter:
    """The calendar importer (.ics)."""

    name = "calendar"
    title = "Calendar (.ics)"
    reads = ".ics from Google, Outlook, Apple: meetings with organizer and attendees"

    def sniff(self, path: Path, sources: list[Source]) -> float:
        for source in sources[:50]:
            if source.basename.lower().endswith((".ics", ".ical", ".ifb")) or (
                len(sources) == 1 and _is_calendar(source)
            ):
                return 0.9 if _is_calendar(source) else 0.3
        return 0.0

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        calendars: list[_Calendar] = []
        others: list[Source] = []
        for source in sources:
            if not _is_calendar(source):
                others.append(source)
                continue
            calendars.extend(_Calendar(source, c, options) for c in _parse(source))
        if not calendars and not any(_is_calendar(s) for s in sources):
            where = sources[0].name if len(sources) == 1 else str(path)
            raise ImportFailed("not an iCalendar file (no BEGIN:VCALENDAR)", location=where)
        for source in others:
            yield Skipped(Origin(source.name, "file"), SKIP_NOT_CALENDAR)
        owners = _owners_from(calendars, options)
        for cal in calendars:
            yield from _iter_calendar(cal, owners)


def _iter_calendar(cal: _Calendar, owners: frozenset[str]) -> Iterator[Record]:
    by_uid: dict[str, list[icalendar.Component]] = {}
    for event in cal.events():
        by_uid.setdefault(_uid(event), []).append(event)
    for uid, events in by_uid.items():
        if not _is_recurring(events):
            for event in events:
                yield _guarded(event, cal, owners, uid, recurring=False)
            continue
        if _rule_steps(events, cal.zone, cal.end) > _MAX_GENERATED:
            where = Origin(cal.source.name, f"event {uid}")
            yield Problem(where, "repeats too often to expand (more than 200000 steps)")
            continue
        try:
            occurrences = _occurrences(cal, events)
        except Exception as exc:  # recurring-ical-events raises many kinds on broken rules
            yield Problem(Origin(cal.source.name, f"event {uid}"), f"unreadable recurrence: {exc}")
            continue
        for occurrence in occurrences:
            yield _guarded(occurrence, cal, owners, uid, recurring=True)


def _guarded(
    event: icalendar.Component, cal: _Calendar, owners: frozenset[str], uid: str, recurring: bool
) -> Record:
    """:func:`_record`, with a broken property (icalendar raises ValueError) as a problem."""
    try:
        return _record(event, cal, owners, uid, recurring)
    except ValueError as exc:
        return Problem(Origin(cal.source.name, f"event {uid}"), f"unreadable event: {exc}")


IMPORTER = CalendarImporter()
