"""Facebook's "Download your information" JSON export (the zip or its folder).

Files are recognised by their top-level keys, not their paths, because the layout keeps
moving (``friends/friends.json`` → ``friends_and_followers/friends.json`` →
``connections/friends/your_friends.json``; ``friends`` → ``friends_v2``). Friends and follows
become contacts plus a SOCIAL interaction (CONNECTION or FOLLOW) at their timestamp: a tie
nobody ever messaged is still a weak tie. Messenger threads give one MESSAGE (or CALL)
interaction per message, without content; the owner is the participant present in every
thread, else ``--me NAME``.

Facebook writes UTF-8 bytes as ``\\u00XX`` escapes, so "José" arrives as "JosÃ©"; every string
is repaired (Latin-1 encode, UTF-8 decode) when, and only when, that round trip succeeds.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from weakties.domain.ledger import Channel, Direction, InteractionKind, Role
from weakties.domain.records import (
    ME,
    ContactRecord,
    InteractionRecord,
    Origin,
    PersonRef,
    Problem,
    Record,
    Skipped,
)
from weakties.errors import ImportFailed
from weakties.importers._dates import from_epoch, parse_day
from weakties.importers._names import KeyRegistry, clean_text, name_token, person_key
from weakties.importers._reading import read_head, read_text
from weakties.importers.files import MAX_TEXT_BYTES, Source
from weakties.importers.registry import ImportOptions

SOURCE = "facebook"
MAX_DEPTH = 64
MAX_JSON_BYTES = MAX_TEXT_BYTES
_UNKNOWN_USERS = frozenset({"facebook user", "utilisateur de facebook", "facebook-nutzer", ""})
_MESSAGE_FILE = re.compile(r"message_\d+\.json$", re.IGNORECASE)
_WANTED_PATHS = ("friend", "follow", "profile_information")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class ListKind(StrEnum):
    """The people lists of the export, by what they mean for the tie."""

    FRIENDS = "friends"
    REMOVED = "removed_friends"
    SENT = "sent_requests"
    RECEIVED = "received_requests"
    FOLLOWING = "following"
    FOLLOWERS = "followers"


_LIST_KEYS = re.compile(
    r"(?P<kind>friends|deleted_friends|removed_friends|sent_requests|received_requests"
    r"|following|followers)(?:_v\d+)?"
)
_KIND_OF = {
    "friends": ListKind.FRIENDS,
    "deleted_friends": ListKind.REMOVED,
    "removed_friends": ListKind.REMOVED,
    "sent_requests": ListKind.SENT,
    "received_requests": ListKind.RECEIVED,
    "following": ListKind.FOLLOWING,
    "followers": ListKind.FOLLOWERS,
}
_HEAD_MARKERS = re.compile(
    r'"(?:friends|deleted_friends|removed_friends|sent_requests|received_requests|following'
    r'|followers)(?:_v\d+)?"\s*:\s*\['
)


def repair_mojibake(text: str) -> str:
    """Undo Facebook's UTF-8-as-Latin-1 escaping; text that is not mojibake is returned as is."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _name(raw: object) -> str:
    return clean_text(repair_mojibake(raw)) if isinstance(raw, str) else ""


def _looks_like_facebook(source: Source) -> bool:
    head = read_head(source, 4096)
    if not head.lstrip().startswith("{"):
        return False
    if _HEAD_MARKERS.search(head) or re.search(r'"profile(?:_v\d+)?"\s*:\s*\{', head):
        return True
    return '"participants"' in head and ('"sender_name"' in head or '"timestamp_ms"' in head)


def _candidates(path: Path, sources: list[Source]) -> list[Source]:
    if len(sources) == 1 and not path.is_dir() and sources[0].member is None:
        return sources
    picked: list[Source] = []
    for source in sources:
        where = (source.member or str(source.path)).lower().replace("\\", "/")
        base = source.basename.lower()
        if not base.endswith(".json"):
            continue
        if _MESSAGE_FILE.search(base) or any(w in where for w in _WANTED_PATHS):
            picked.append(source)
    # The owner's profile first: it names the owner before Messenger threads need it.
    return sorted(picked, key=lambda s: "profile_information" not in s.basename.lower())


def check_depth(text: str, name: str, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than ``limit`` before parsing it (a cheap bracket count)."""
    depth = 0
    deepest = 0
    for match in _BRACKETS.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                raise ImportFailed(f"JSON nested deeper than {limit} levels", location=name)
        else:
            depth -= 1


def load_json(source: Source) -> Any:
    """Parse a JSON file with size and depth bounds; one-line ImportFailed on anything bad."""
    text = read_text(source, MAX_JSON_BYTES)
    check_depth(text, source.name)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ImportFailed(f"not valid JSON: {str(exc)[:80]}", location=source.name) from None


@dataclass(frozen=True, slots=True)
class _Thread:
    source: Source
    participants: tuple[str, ...]
    messages: list[Any]
    title: str
    thread_id: str


class FacebookImporter:
    """Reads a Facebook data export; see the module docstring for what it keeps."""

    name = "facebook"
    title = "Facebook data export (JSON)"
    reads = (
        "Facebook 'Download your information' JSON zip or folder: friends, removed friends, "
        "friend requests, following/followers, Messenger threads (metadata only)"
    )

    def sniff(self, path: Path, sources: list[Source]) -> float:
        for source in _candidates(path, sources)[:200]:
            if _looks_like_facebook(source):
                return 0.9
        return 0.0

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        single = len(sources) == 1 and not path.is_dir() and sources[0].member is None
        threads: list[Source] = []
        read_any = False
        owner_name: str | None = None
        for source in _candidates(path, sources):
            if not single and not _looks_like_facebook(source):
                continue
            data = load_json(source)
            if not isinstance(data, dict):
                if single:
                    raise ImportFailed("not a Facebook export file", location=source.name)
                continue
            if isinstance(data.get("participants"), list) and isinstance(
                data.get("messages"), list
            ):
                threads.append(source)
                read_any = True
                continue
            profile = data.get("profile_v2", data.get("profile"))
            if isinstance(profile, dict) and isinstance(profile.get("name"), dict):
                owner_name = _name(profile["name"].get("full_name")) or owner_name
                if owner_name:
                    read_any = True
                    origin = Origin(source.name, "record 1")
                    yield ContactRecord(f"{SOURCE}:me", origin, owner_name, is_me=True)
            for key, value in data.items():
                match = _LIST_KEYS.fullmatch(str(key))
                if match and isinstance(value, list):
                    read_any = True
                    yield from _read_list(source, _KIND_OF[match.group("kind")], value)
        if threads:
            me = options.me + ((owner_name,) if owner_name else ())
            yield from _read_threads(threads, replace(options, me=me))
        if not read_any:
            raise ImportFailed(
                "no Facebook friends, follows or Messenger threads found", location=str(path)
            )


def _person(name: str) -> PersonRef:
    return PersonRef(key=person_key(SOURCE, name), name=name)


def _read_list(source: Source, kind: ListKind, entries: list[Any]) -> Iterator[Record]:
    for index, entry in enumerate(entries, start=1):
        origin = Origin(source.name, f"record {index}")
        if not isinstance(entry, dict):
            yield Problem(origin, f"{kind.value} entry is not an object")
            continue
        name = _name(entry.get("name") or entry.get("title"))
        if name_token(name) in _UNKNOWN_USERS:
            yield Skipped(origin, "no name (deleted account)")
            continue
        stamp = entry.get("timestamp")
        when = from_epoch(float(stamp)) if isinstance(stamp, int | float) else None
        ref = _person(name)
        if kind in (ListKind.FRIENDS, ListKind.REMOVED, ListKind.FOLLOWERS, ListKind.FOLLOWING):
            # Friend lists carry only names, so the key is the name: the same person in the
            # friends and followers lists is one contact (two namesakes are one, too).
            assert ref.key is not None
            yield ContactRecord(
                key=ref.key,
                origin=origin,
                name=name,
                tags=_LIST_TAGS.get(kind, ()),
                met_when=parse_day(when.date().isoformat())
                if when and kind is ListKind.FRIENDS
                else None,
            )
        if when is None:
            if kind is not ListKind.FOLLOWERS and kind is not ListKind.REMOVED:
                yield Problem(origin, "no readable timestamp")
            continue
        interaction = _LIST_INTERACTIONS.get(kind)
        if interaction is None:
            continue
        event, direction = interaction
        me_role, other_role = (Role.FROM, Role.TO)
        if direction is Direction.INBOUND:
            me_role, other_role = (Role.TO, Role.FROM)
        if direction is Direction.MUTUAL:
            me_role = other_role = Role.PARTICIPANT
        yield InteractionRecord(
            key=f"{SOURCE}:{kind.value}:{ref.key}:{int(when.timestamp())}",
            origin=origin,
            occurred_at=when,
            channel=Channel.SOCIAL,
            participants=((ME, me_role), (ref, other_role)),
            kind=event,
            direction=direction,
        )


_LIST_TAGS: dict[ListKind, tuple[str, ...]] = {
    ListKind.REMOVED: ("facebook-removed-friend",),
    ListKind.FOLLOWING: ("facebook-following",),
    ListKind.FOLLOWERS: ("facebook-follower",),
}
_LIST_INTERACTIONS: dict[ListKind, tuple[InteractionKind, Direction]] = {
    ListKind.FRIENDS: (InteractionKind.CONNECTION, Direction.MUTUAL),
    ListKind.SENT: (InteractionKind.INVITATION, Direction.OUTBOUND),
    ListKind.RECEIVED: (InteractionKind.INVITATION, Direction.INBOUND),
    ListKind.FOLLOWING: (InteractionKind.FOLLOW, Direction.OUTBOUND),
    ListKind.FOLLOWERS: (InteractionKind.FOLLOW, Direction.INBOUND),
}


def _load_thread(source: Source) -> _Thread | None:
    data = load_json(source)
    if not isinstance(data, dict):
        return None
    participants = data.get("participants")
    messages = data.get("messages")
    if not isinstance(participants, list) or not isinstance(messages, list):
        return None
    names = tuple(
        dict.fromkeys(
            n for p in participants if isinstance(p, dict) and (n := _name(p.get("name")))
        )
    )
    where = (source.member or str(source.path)).replace("\\", "/")
    thread_path = data.get("thread_path")
    if isinstance(thread_path, str) and thread_path:
        thread_id = thread_path
    else:
        thread_id = "/".join(where.split("/")[-3:-1])
    return _Thread(source, names, messages, _name(data.get("title")), clean_text(thread_id, 200))


def _owner_name(threads: list[_Thread], options: ImportOptions) -> str | None:
    """The owner: ``--me`` when it names a participant, else the one in every thread."""
    everyone = Counter(name_token(n) for t in threads for n in set(t.participants))
    for raw in (*options.me, *options.known_me):  # a remembered name only when present
        if name_token(raw) in everyone:
            return name_token(raw)
    sets = [{name_token(n) for n in t.participants} for t in threads if t.participants]
    if len(sets) < 2:
        return None
    common = set.intersection(*sets) - _UNKNOWN_USERS
    return common.pop() if len(common) == 1 else None


def _read_threads(sources: list[Source], options: ImportOptions) -> Iterator[Record]:
    # Two passes (participants first, then messages) keep one thread in memory at a time.
    headers: list[tuple[Source, tuple[str, ...]]] = []
    for source in sources:
        thread = _load_thread(source)
        if thread is not None:
            headers.append((source, thread.participants))
    owner = _owner_name([_Thread(s, p, [], "", "") for s, p in headers], options)
    if owner is None:
        origin = Origin(sources[0].name, "record 1")
        yield Problem(
            origin,
            "cannot tell which Messenger participant is you; pass --me with your Facebook name",
        )
        return
    keys = KeyRegistry()
    for source, _ in headers:
        thread = _load_thread(source)
        if thread is not None:
            yield from _read_thread(thread, owner, keys)


def _ref(name: str, owner: str) -> PersonRef:
    return ME if name_token(name) == owner else _person(name)


def _read_thread(thread: _Thread, owner: str, keys: KeyRegistry) -> Iterator[Record]:
    people = [n for n in thread.participants if name_token(n) not in _UNKNOWN_USERS]
    thread_key = f"{SOURCE}:thread:{thread.thread_id}"
    for index, message in enumerate(thread.messages, start=1):
        origin = Origin(thread.source.name, f"message {index}")
        if not isinstance(message, dict):
            yield Problem(origin, "message is not an object")
            continue
        sender = _name(message.get("sender_name"))
        stamp = message.get("timestamp_ms")
        when: datetime | None = (
            from_epoch(float(stamp) / 1000) if isinstance(stamp, int | float) else None
        )
        if when is None:
            yield Problem(origin, "message without a readable timestamp_ms")
            continue
        kind = str(message.get("type", "Generic"))
        if kind in ("Subscribe", "Unsubscribe"):
            yield Skipped(origin, "joined or left the group")
            continue
        if name_token(sender) in _UNKNOWN_USERS:
            yield Skipped(origin, "sender unknown (deleted account)")
            continue
        others = [n for n in people if name_token(n) != name_token(sender)]
        if not others:
            yield Skipped(origin, "message with no recipient")
            continue
        sender_ref = _ref(sender, owner)
        participants = [(sender_ref, Role.FROM)] + [(_ref(n, owner), Role.TO) for n in others]
        direction = Direction.OUTBOUND if sender_ref is ME else Direction.INBOUND
        if sender_ref is not ME and all(r is not ME for r, _ in participants):
            direction = Direction.UNKNOWN
        digest = hashlib.sha1(f"{stamp}|{name_token(sender)}".encode()).hexdigest()[:16]
        yield InteractionRecord(
            key=keys.unique(f"{thread_key}:{digest}"),
            origin=origin,
            occurred_at=when,
            channel=Channel.CALL if kind == "Call" else Channel.MESSAGE,
            participants=tuple(participants),
            direction=direction,
            thread_key=thread_key,
        )


IMPORTER = FacebookImporter()
