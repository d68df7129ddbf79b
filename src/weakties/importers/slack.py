"""Slack workspace exports (the admin's zip, or its folder) → who wrote with whom, and where.

An export holds ``users.json``, ``channels.json`` (and for Business+ exports ``groups.json``,
``dms.json``, ``mpims.json``) and one folder per conversation with a file per day,
``<channel>/<YYYY-MM-DD>.json``, each a list of messages (``user``, ``ts``, ``thread_ts``,
``reactions``, ``text``). Only metadata is kept; text is read for ``<@U…>`` mentions and dropped.

* A message in a channel of at most :data:`MAX_CONVERSATION` members is a MESSAGE from its
  author to the other members; a bigger channel is an announcement room (the conversation-size
  rule), so its plain messages are skipped.
* A thread is a conversation of its own: every reply (and the parent) is a MESSAGE from its
  author to the thread's other participants, in small and large channels alike, unless the
  thread itself has more than :data:`MAX_CONVERSATION` participants.
* A mention is a lighter SOCIAL interaction (kind COMMENT) from the author to the one mentioned;
  a reaction is a SOCIAL LIKE from the reactor to the author (at the message's time: Slack does
  not export when the reaction was made).
* Bots, Slackbot, and join/leave/topic/other system messages are ignored.

The owner is the user ``--me`` names (an email, user name or real name), else the user with an
address the owner gave before (``options.known_me``); without either the people are still
linked to each other, and the owner's own addresses (remembered identities)
join the owner to their Slack self on ingest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from weakties.domain.ledger import MAX_CONVERSATION, Channel, Direction, InteractionKind, Role
from weakties.domain.records import InteractionRecord, Origin, PersonRef, Problem, Record, Skipped
from weakties.errors import ImportFailed
from weakties.importers._dates import from_epoch
from weakties.importers._identities import email_identity, unique_identities
from weakties.importers._jsonfile import load_json
from weakties.importers._names import clean_text
from weakties.importers.files import Source
from weakties.importers.registry import ImportOptions

SOURCE = "slack"
_DAY_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
_MENTION = re.compile(r"<@([UW][A-Z0-9]{1,20})(?:\|[^>]*)?>")
_CHANNEL_LISTS = ("channels.json", "groups.json", "mpims.json", "dms.json")
# Message subtypes a person wrote; every other subtype is a system line or an integration.
_HUMAN_SUBTYPES = frozenset({"", "thread_broadcast", "me_message", "file_share", "file_comment"})

SKIP_SYSTEM = "join, leave or other system message"
SKIP_BOT = "bot or integration message"
SKIP_LARGE = f"message in a large channel (more than {MAX_CONVERSATION} members)"
SKIP_LARGE_THREAD = f"large thread (more than {MAX_CONVERSATION} participants)"
SKIP_UNKNOWN = "author not in users.json"
SKIP_NOT_MESSAGES = "not a Slack day file"


@dataclass(slots=True)
class _User:
    ref: PersonRef
    bot: bool


@dataclass(slots=True)
class _Conversation:
    """One channel, private group or DM: its id, folder and members as the lists give them."""

    id: str
    folder: str
    members: list[str] = field(default_factory=list)
    days: list[Source] = field(default_factory=list)


def _text(value: Any) -> str:
    return clean_text(value, 200) if isinstance(value, str) else ""


def _users(source: Source, me: tuple[str, ...]) -> dict[str, _User]:
    data = load_json(source)
    if not isinstance(data, list):
        raise ImportFailed("users.json is not a list of users", location=source.name)
    wanted = {m.strip().casefold() for m in me if m.strip()}
    found: dict[str, _User] = {}
    for entry in data:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        uid = entry["id"][:40]
        profile = entry.get("profile") if isinstance(entry.get("profile"), dict) else {}
        assert isinstance(profile, dict)
        name = (
            _text(entry.get("real_name"))
            or _text(profile.get("real_name"))
            or _text(profile.get("display_name"))
            or _text(entry.get("name"))
            or uid
        )
        email = profile.get("email")
        identities = unique_identities([email_identity(email) if isinstance(email, str) else None])
        names = {
            _text(v).casefold()
            for v in (entry.get("name"), entry.get("real_name"), profile.get("display_name"))
        }
        is_me = bool(wanted) and bool(wanted & ({i.value for i in identities} | (names - {""})))
        bot = bool(entry.get("is_bot")) or bool(entry.get("is_app_user")) or uid == "USLACKBOT"
        found[uid] = _User(
            PersonRef(key=f"{SOURCE}:{uid}", name=name, identities=identities, is_me=is_me), bot
        )
    return found


def _root(sources: list[Source]) -> tuple[Source, str] | None:
    """``users.json`` and the folder it sits in (members' paths are relative to it)."""
    for source in sources:
        if source.basename == "users.json":
            where = PurePosixPath((source.member or str(source.path)).replace("\\", "/"))
            return source, str(where.parent)
    return None


def _conversations(sources: list[Source], root: str) -> dict[str, _Conversation]:
    """Conversations by folder name, from the channel lists, with their day files."""
    by_folder: dict[str, _Conversation] = {}
    for source in sources:
        where = PurePosixPath((source.member or str(source.path)).replace("\\", "/"))
        if str(where.parent) != root or source.basename not in _CHANNEL_LISTS:
            continue
        data = load_json(source)
        if not isinstance(data, list):
            raise ImportFailed(f"{source.basename} is not a list", location=source.name)
        for entry in data:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                continue
            cid = entry["id"][:40]
            folder = entry.get("name") if isinstance(entry.get("name"), str) else cid
            members = entry.get("members")
            if not isinstance(members, list) and isinstance(entry.get("user"), str):
                members = [entry["user"]]  # a dms.json entry of the older kind
            found = _Conversation(cid, str(folder))
            if isinstance(members, list):
                found.members = [m for m in members if isinstance(m, str)]
            by_folder[found.folder] = found
            by_folder.setdefault(cid, found)
    for source in sources:
        where = PurePosixPath((source.member or str(source.path)).replace("\\", "/"))
        if not _DAY_FILE.fullmatch(where.name) or str(where.parent.parent) != root:
            continue
        folder = where.parent.name
        conversation = by_folder.get(folder)
        if conversation is None:  # a folder the lists do not name: members from its messages
            conversation = by_folder[folder] = _Conversation(folder, folder)
        conversation.days.append(source)
    return by_folder


@dataclass(frozen=True, slots=True)
class _Message:
    origin: Origin
    data: dict[str, Any]


def _messages(conversation: _Conversation) -> Iterator[_Message | Problem]:
    for source in sorted(conversation.days, key=lambda s: s.basename):
        data = load_json(source)
        if not isinstance(data, list):
            yield Problem(Origin(source.name, "file"), "a day file is not a list of messages")
            continue
        for index, entry in enumerate(data, start=1):
            origin = Origin(source.name, f"message {index}")
            if not isinstance(entry, dict):
                yield Problem(origin, "message is not an object")
                continue
            yield _Message(origin, entry)


def _ts(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"\d{1,12}(?:\.\d{1,9})?", value):
        return value
    return None


class _Writer:
    """Turns one conversation's messages into records, given the users and the owner."""

    def __init__(self, users: dict[str, _User]) -> None:
        self.users = users
        self.owner = next((uid for uid, u in users.items() if u.ref.is_me), None)

    def person(self, uid: Any) -> str | None:
        """The user id when it names a human in users.json."""
        if not isinstance(uid, str):
            return None
        user = self.users.get(uid)
        return uid if user is not None and not user.bot else None

    def direction(self, author: str, others: list[str]) -> Direction:
        if self.owner is None:
            return Direction.UNKNOWN
        if author == self.owner:
            return Direction.OUTBOUND
        return Direction.INBOUND if self.owner in others else Direction.UNKNOWN

    def record(
        self,
        key: str,
        origin: Origin,
        ts: str,
        author: str,
        others: list[str],
        channel: Channel,
        kind: InteractionKind,
        thread: str,
    ) -> InteractionRecord | Problem:
        when = from_epoch(float(ts))
        if when is None:
            return Problem(origin, f"not a valid Slack timestamp {ts!r}")
        participants = [(self.users[author].ref, Role.FROM)]
        participants += [(self.users[o].ref, Role.TO) for o in others]
        return InteractionRecord(
            key=key,
            origin=origin,
            occurred_at=when,
            channel=channel,
            participants=tuple(participants),
            kind=kind,
            direction=self.direction(author, others),
            thread_key=thread,
        )

    def conversation(self, conversation: _Conversation) -> Iterator[Record]:
        items = list(_messages(conversation))
        threads: dict[str, list[str]] = {}
        authors: list[str] = []
        for item in items:
            if isinstance(item, Problem):
                continue
            author = self.person(item.data.get("user"))
            if author is None or not self._human(item.data):
                continue
            authors.append(author)
            thread_ts = _ts(item.data.get("thread_ts"))
            if thread_ts is not None:
                threads.setdefault(thread_ts, []).append(author)
        listed = [m for m in dict.fromkeys(conversation.members) if not self._is_bot(m)]
        members = [m for m in listed if self.person(m)]
        if not members:
            members = listed = list(dict.fromkeys(authors))
        size = len(listed)  # members missing from users.json still make a channel large
        for item in items:
            if isinstance(item, Problem):
                yield item
                continue
            yield from self._message(conversation, members, size, threads, item)

    def _is_bot(self, uid: str) -> bool:
        user = self.users.get(uid)
        return user is not None and user.bot

    @staticmethod
    def _human(data: dict[str, Any]) -> bool:
        subtype = data.get("subtype") or ""
        return isinstance(subtype, str) and subtype in _HUMAN_SUBTYPES and not data.get("bot_id")

    def _message(
        self,
        conversation: _Conversation,
        members: list[str],
        size: int,
        threads: dict[str, list[str]],
        item: _Message,
    ) -> Iterator[Record]:
        data, origin = item.data, item.origin
        if data.get("type", "message") != "message":
            yield Skipped(origin, SKIP_SYSTEM)
            return
        if not self._human(data):
            yield Skipped(origin, SKIP_BOT if data.get("bot_id") else SKIP_SYSTEM)
            return
        uid = data.get("user")
        author = self.person(uid)
        if author is None:
            known = isinstance(uid, str) and uid in self.users
            yield Skipped(origin, SKIP_BOT if known else SKIP_UNKNOWN)
            return
        ts = _ts(data.get("ts"))
        if ts is None:
            yield Problem(origin, "message has no readable ts")
            return
        base = f"{SOURCE}:{conversation.id}:{ts}"
        thread_ts = _ts(data.get("thread_ts"))
        if thread_ts is not None:
            people = list(dict.fromkeys(threads.get(thread_ts, [author])))
            group, thread = people, f"{SOURCE}:{conversation.id}:{thread_ts}"
            too_big, count = SKIP_LARGE_THREAD, len(set(people) | {author})
        else:
            group, thread = members, f"{SOURCE}:{conversation.id}"
            too_big, count = SKIP_LARGE, max(size, len(set(members) | {author}))
        if count > MAX_CONVERSATION:
            yield Skipped(origin, too_big)
        else:
            others = [p for p in group if p != author]
            if others:
                yield self.record(
                    base,
                    origin,
                    ts,
                    author,
                    others,
                    Channel.MESSAGE,
                    InteractionKind.CONVERSATION,
                    thread,
                )
        text = data.get("text") if isinstance(data.get("text"), str) else ""
        assert isinstance(text, str)
        for mentioned in dict.fromkeys(_MENTION.findall(text[:40_000])):
            other = self.person(mentioned)
            if other is not None and other != author:
                yield self.record(
                    f"{base}:mention:{other}",
                    origin,
                    ts,
                    author,
                    [other],
                    Channel.SOCIAL,
                    InteractionKind.COMMENT,
                    thread,
                )
        reactions = data.get("reactions")
        for reaction in reactions[:100] if isinstance(reactions, list) else []:
            if not isinstance(reaction, dict) or not isinstance(reaction.get("users"), list):
                continue
            emoji = _text(reaction.get("name"))[:40]
            users = [u for u in reaction["users"][: MAX_CONVERSATION * 10] if isinstance(u, str)]
            for reactor_id in dict.fromkeys(users):
                reactor = self.person(reactor_id)
                if reactor is None or reactor == author:
                    continue
                yield self.record(
                    f"{base}:reaction:{emoji}:{reactor}",
                    origin,
                    ts,
                    reactor,
                    [author],
                    Channel.SOCIAL,
                    InteractionKind.LIKE,
                    thread,
                )


class SlackImporter:
    """Reads a Slack workspace export; see the module docstring for what it keeps."""

    name = "slack"
    title = "Slack workspace export"
    reads = (
        "Slack workspace export (users.json, channels.json, <channel>/<date>.json): who wrote "
        "in which channel and thread with whom; mentions and reactions as lighter ties"
    )

    def sniff(self, path: Path, sources: list[Source]) -> float:
        names = {s.basename for s in sources[:100_000]}
        if "users.json" not in names or not names & set(_CHANNEL_LISTS):
            return 0.0
        return 0.95

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        found = _root(sources)
        if found is None:
            raise ImportFailed("not a Slack export (no users.json)", location=str(path))
        users_source, root = found
        # Remembered addresses (never names: a big workspace has namesakes) tell the owner too.
        remembered = tuple(m for m in options.known_me if "@" in m)
        users = _users(users_source, options.me or remembered)
        conversations = _conversations(sources, root)
        listed = {id(s) for c in conversations.values() for s in c.days}
        for source in sources:
            where = PurePosixPath((source.member or str(source.path)).replace("\\", "/"))
            if id(source) not in listed and not (
                str(where.parent) == root and source.basename in (*_CHANNEL_LISTS, "users.json")
            ):
                yield Skipped(Origin(source.name, "file"), SKIP_NOT_MESSAGES)
        writer = _Writer(users)
        done: set[int] = set()
        for conversation in conversations.values():
            if id(conversation) in done:
                continue
            done.add(id(conversation))
            yield from writer.conversation(conversation)


IMPORTER = SlackImporter()
