"""WhatsApp chat exports (``.txt``, iOS and Android) → one interaction per message.

Only metadata is kept: who wrote to whom and when; message text is never stored. Lines look
like ``[25/12/21, 9:41:05 AM] Jane Doe: text`` on iOS (with U+200E marks and a U+202F before
AM/PM) and ``25/12/2021, 21:41 - Jane Doe: text`` on Android, in many locale variants (``.``
or ``/`` or ``-`` between date parts, 2- or 4-digit years, 12- or 24-hour clocks, ``p.m.``).
Lines that do not start a message continue the one before. Day/month order is read from the
whole file (a first field above 12 means day-first, a second above 12 month-first; otherwise
the order that keeps the messages in time order wins; ``options.extra["date_order"]`` =
``dmy``/``mdy``/``ymd`` decides). System lines (encryption notice, joins, group changes,
missed calls, deleted messages) are skipped.

Times in an export have no zone: they are read in ``options.extra["tz"]``, else in this
machine's local zone (the phone's zone when it exported is not in the file). Senders are names
(or "+44 7700 900123" for contacts the phone did not save, which become phone identities).
The owner is the ``options.me`` name,
else a name the owner answered to before (``options.known_me``) when exactly one sender has it,
else the one name common to all the chat files given, else the sender who is not the other party
named by a 1:1 export's file name ("WhatsApp Chat with Jane Doe.txt"); a chat where none of
these tells is refused with :class:`OwnerUnknown`, listing the senders with their message counts.
Chats with more than 20 members are skipped as broadcast-like.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from itertools import pairwise
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from weakties.domain.identities import Identity, IdentityKind, normalize_phone
from weakties.domain.ledger import MAX_CONVERSATION, Channel, Direction, Role
from weakties.domain.records import (
    InteractionRecord,
    Origin,
    PersonRef,
    Problem,
    Record,
    Skipped,
)
from weakties.errors import ImportFailed, InvalidInput, OwnerUnknown
from weakties.importers.files import Source, iter_lines
from weakties.importers.registry import ImportOptions

MAX_MEMBERS = MAX_CONVERSATION
_ORDER_SAMPLE = 20_000  # dates kept to infer day/month order when no field exceeds 12

SKIP_SYSTEM = "system message"
SKIP_LARGE = f"large group chat (more than {MAX_MEMBERS} members)"
SKIP_NOT_CHAT = "not a chat text file"

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff\u2068\u2069"
_SPACE = r"[ \u00a0\u202f]"
_DATE = r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})\.?"
_TIME = (
    r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
    rf"(?:{_SPACE}*([AaPp])\.?{_SPACE}?[Mm]\.?)?"
)
_IOS = re.compile(rf"\[{_DATE},?{_SPACE}*{_TIME}\]{_SPACE}?(.*)")
_ANDROID = re.compile(rf"{_DATE},?{_SPACE}*{_TIME}{_SPACE}?[-–]{_SPACE}(.*)")
_ATTACHMENT = re.compile(
    r"<attached: |\b(?:image|video|audio|sticker|GIF|document|Contact card) omitted$"
    r"|weggelassen$|omitid[oa]$|omis$|omesso$|<Media omitted>",
    re.IGNORECASE,
)
_PHONE = re.compile(r"\+[\d \u00a0()\-]{6,}")
_TITLE_PREFIXES = (
    "whatsapp chat with ",
    "whatsapp chat - ",
    "whatsapp-chat mit ",
    "chat de whatsapp con ",
    "conversa do whatsapp com ",
    "discussion whatsapp avec ",
    "chat whatsapp con ",
)


@dataclass(frozen=True, slots=True)
class ChatLine:
    """A line that starts a message: its date fields as written, clock time, and the rest."""

    fields: tuple[int, int, int]
    hour: int
    minute: int
    second: int
    meridiem: str | None  # "a" or "p" on 12-hour clocks
    rest: str  # "Name: text", or a system line
    ios: bool


def read_chat_line(line: str) -> ChatLine | None:
    """The parts of a message's first line, or None for a continuation line."""
    text = line.lstrip(_MARKS)
    match = _IOS.match(text)
    ios = match is not None
    if match is None:
        match = _ANDROID.match(text)
        if match is None:
            return None
    a, b, c, hour, minute, second, meridiem, rest = match.groups()
    return ChatLine(
        (int(a), int(b), int(c)),
        int(hour),
        int(minute),
        int(second or 0),
        meridiem.lower() if meridiem else None,
        rest,
        ios,
    )


def split_sender(chat_line: ChatLine) -> tuple[str, str] | None:
    """(sender, text) of a message line, or None for a system line."""
    sender, sep, text = chat_line.rest.partition(": ")
    if not sep:
        return None
    sender = sender.strip(_MARKS + " ~\u00a0\u202f")
    if not sender:
        return None
    if text.startswith("\u200e") and chat_line.ios and not _ATTACHMENT.search(text):
        return None  # iOS marks system lines (and attachments) with a leading U+200E
    return sender, text


def date_order(samples: list[tuple[int, int, int]], forced: str | None = None) -> str:
    """``dmy``, ``mdy`` or ``ymd`` for a file's dates, as the module docstring describes.

    ``samples`` are the date fields as written, in file order (all of them, or a prefix when
    the caller has already looked for fields above 12 in the rest).
    """
    if forced:
        if forced not in ("dmy", "mdy", "ymd"):
            raise ImportFailed(f"unknown date order {forced!r}", hint="use dmy, mdy or ymd")
        return forced
    if any(a > 31 for a, _, _ in samples):
        return "ymd"  # a four-digit year first
    if any(a > 12 for a, _, _ in samples):
        return "dmy"
    if any(b > 12 for _, b, _ in samples):
        return "mdy"

    def backwards(order: str) -> int:
        keys = [(c, b, a) if order == "dmy" else (c, a, b) for a, b, c in samples]
        return sum(1 for x, y in pairwise(keys) if y < x)

    return "mdy" if backwards("mdy") < backwards("dmy") else "dmy"


def moment(line: ChatLine, order: str, zone: tzinfo | None) -> datetime | None:
    """The line's time as aware UTC, or None when the fields are not a real date."""
    a, b, c = line.fields
    year, month, day = (a, b, c) if order == "ymd" else (c, b, a) if order == "dmy" else (c, a, b)
    if year < 100:
        year += 2000
    hour = line.hour
    if line.meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if line.meridiem == "p" else 0)
    try:
        local = datetime(year, month, day, hour, line.minute, line.second)
    except ValueError:
        return None
    aware = local.replace(tzinfo=zone) if zone is not None else local.astimezone()
    return aware.astimezone(UTC)


def _export_name(source: Source) -> str:
    """The name that carries the chat's title: the file's, or for ``_chat.txt`` (iOS) the
    name of the zip or folder around it."""
    base = source.basename
    if base.lower() in ("_chat.txt", "chat.txt"):
        if source.member is None:
            return source.path.parent.name
        inner = PurePosixPath(source.member).parent.name
        return inner or source.path.name
    return base


def chat_title(source: Source) -> str:
    """The chat's name from its export's name (``WhatsApp Chat with X.txt``, ``… - X.zip``)."""
    base = _export_name(source)
    stem = base.rsplit(".", 1)[0] if base.lower().endswith((".txt", ".zip")) else base
    for prefix in _TITLE_PREFIXES:
        if stem.lower().startswith(prefix):
            return stem[len(prefix) :].strip()
    return stem.strip()


def _is_one_to_one_name(source: Source) -> bool:
    """Whether the export's name has the "WhatsApp Chat with X" form (1:1 chats and groups)."""
    return _export_name(source).lower().startswith(_TITLE_PREFIXES)


@dataclass(slots=True)
class _Chat:
    """What a first pass over one chat file learns."""

    source: Source
    title: str
    senders: dict[str, int] = field(default_factory=dict)  # name → messages
    samples: list[tuple[int, int, int]] = field(default_factory=list)
    telling: list[tuple[int, int, int]] = field(default_factory=list)  # fields above 12
    order: str = "dmy"

    @property
    def other_party(self) -> str | None:
        """The person a 1:1 export's file name names."""
        return self.title if _is_one_to_one_name(self.source) else None


def _scan(source: Source) -> _Chat:
    chat = _Chat(source, chat_title(source))
    first = True
    for number, line in iter_lines(source):
        if first and not line.strip():
            continue
        parsed = read_chat_line(line)
        if first:
            if parsed is None:
                raise ImportFailed(
                    "not a WhatsApp chat export (the first line is not a message)",
                    location=f"{source.name}, line {number}",
                )
            first = False
        if parsed is None:
            continue
        if len(chat.samples) < _ORDER_SAMPLE:
            chat.samples.append(parsed.fields)
        elif len(chat.telling) < 3 and (parsed.fields[0] > 12 or parsed.fields[1] > 12):
            chat.telling.append(parsed.fields)
        sender = split_sender(parsed)
        if sender is not None:
            chat.senders[sender[0]] = chat.senders.get(sender[0], 0) + 1
    if first:
        raise ImportFailed("not a WhatsApp chat export (no messages)", location=source.name)
    return chat


def _owner(chats: list[_Chat], options: ImportOptions) -> str:
    """The owner's name as the chats write it (or as ``--me`` gives it)."""
    names = [m.strip() for m in options.me if m.strip() and "@" not in m]  # --me may hold emails
    if names:
        wanted = {n.casefold() for n in names}
        for chat in chats:
            for name in chat.senders:
                if name.casefold() in wanted:
                    return name
        return names[0]  # the owner never wrote in these chats, but is in them
    known = {m.strip().casefold() for m in options.known_me if m.strip() and "@" not in m}
    matches = {n for chat in chats for n in chat.senders if n.casefold() in known}
    if len(matches) == 1:
        return matches.pop()  # a name the owner answered to before
    common = set(chats[0].senders)
    for chat in chats[1:]:
        common &= set(chat.senders)
    if len(chats) > 1:
        named = {c.other_party for c in chats if c.other_party}
        common -= named
        if len(common) == 1:
            return common.pop()
    else:
        chat = chats[0]
        other = chat.other_party
        if other is not None and len(chat.senders) <= 2 and other in chat.senders:
            rest = [n for n in chat.senders if n != other]
            if len(rest) == 1:
                return rest[0]
    counts: dict[str, int] = {}
    for chat in chats:
        for name, count in chat.senders.items():
            counts[name] = counts.get(name, 0) + count
    raise OwnerUnknown(
        "sender",
        list(counts.items()),
        location=chats[0].source.name,
        hint='pass --me "Your Name" as your name appears in the chat',
    )


def _zone(options: ImportOptions) -> tzinfo | None:
    name = options.extra.get("tz")
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFailed(f"unknown time zone {name!r}", hint="e.g. Europe/Berlin") from None


class _People:
    """PersonRefs by name: the owner, phone numbers of unsaved contacts, other names."""

    def __init__(self, owner: str | None) -> None:
        self.owner = owner
        self._refs: dict[str, PersonRef] = {}

    def ref(self, name: str) -> PersonRef:
        found = self._refs.get(name)
        if found is not None:
            return found
        if name == self.owner:
            found = PersonRef(key="me", name=name, is_me=True)
        elif _PHONE.fullmatch(name):
            try:
                phone = normalize_phone(name)
            except InvalidInput:
                found = PersonRef(key=f"whatsapp:{name}", name=name)
            else:
                identity = Identity(IdentityKind.PHONE, phone)
                found = PersonRef(key=f"whatsapp:{phone}", identities=(identity,))
        else:
            found = PersonRef(key=f"whatsapp:{name}", name=name)
        self._refs[name] = found
        return found


def _iter_chat(chat: _Chat, people: _People, zone: tzinfo | None) -> Iterator[Record]:
    members = set(chat.senders)
    if chat.other_party and not members - {people.owner}:
        members.add(chat.other_party)  # the other party of a 1:1 chat who never wrote
    if people.owner is not None:
        members.add(people.owner)
    if len(members) > MAX_MEMBERS:
        yield Skipped(Origin(chat.source.name, "chat"), SKIP_LARGE)
        return
    thread = "whatsapp:" + chat.title
    others = {m: [(people.ref(o), Role.TO) for o in sorted(members) if o != m] for m in members}
    seen: dict[tuple[str, str], int] = {}
    for number, line in iter_lines(chat.source):
        parsed = read_chat_line(line)
        if parsed is None:
            continue
        origin = Origin(chat.source.name, f"line {number}")
        sender_text = split_sender(parsed)
        if sender_text is None:
            yield Skipped(origin, SKIP_SYSTEM)
            continue
        when = moment(parsed, chat.order, zone)
        if when is None:
            yield Problem(origin, "not a valid date or time; message left out")
            continue
        sender = sender_text[0]
        # The time as written, not as converted: keys must not change with --tz or locale.
        stamp = f"{parsed.fields}{parsed.hour}:{parsed.minute}:{parsed.second}{parsed.meridiem}"
        ordinal = seen.get((stamp, sender), 0)
        if len(seen) > 10_000:  # equal stamps sit together in a chat: old ones can go
            seen.clear()
        seen[(stamp, sender)] = ordinal + 1
        digest = hashlib.sha1(f"{chat.title}\0{stamp}\0{sender}\0{ordinal}".encode()).hexdigest()
        participants = [(people.ref(sender), Role.FROM), *others[sender]]
        direction = Direction.UNKNOWN
        if people.owner is not None:
            direction = Direction.OUTBOUND if sender == people.owner else Direction.INBOUND
        yield InteractionRecord(
            key=f"whatsapp:{digest[:24]}",
            origin=origin,
            occurred_at=when,
            channel=Channel.MESSAGE,
            participants=tuple(participants),
            direction=direction,
            thread_key=thread,
        )


def _looks_like_chat(source: Source) -> bool:
    try:
        with source.open_bytes() as handle:
            head = handle.read(2048)
    except (ImportFailed, OSError, KeyError, ValueError):
        return False
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    return read_chat_line(first) is not None


class WhatsAppImporter:
    """The WhatsApp chat export importer."""

    name = "whatsapp"
    title = "WhatsApp chat export (.txt)"
    reads = "WhatsApp 'Export chat' text files (iOS, Android): who wrote to whom, when"

    def sniff(self, path: Path, sources: list[Source]) -> float:
        for source in sources[:50]:
            if source.basename.lower().endswith(".txt") and _looks_like_chat(source):
                return 0.9
        return 0.0

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        zone = _zone(options)
        if len(sources) == 1:
            texts = sources
        else:
            texts = [s for s in sources if s.basename.endswith(".txt") and _looks_like_chat(s)]
        chats = [_scan(s) for s in texts]
        if not chats:
            raise ImportFailed("no WhatsApp chat text file found", location=str(path))
        for source in sources:
            if source not in texts:
                yield Skipped(Origin(source.name, "file"), SKIP_NOT_CHAT)
        for chat in chats:
            samples = chat.samples + chat.telling
            chat.order = date_order(samples, options.extra.get("date_order"))
        people = _People(_owner(chats, options))
        for chat in chats:
            yield from _iter_chat(chat, people, zone)


IMPORTER = WhatsAppImporter()
