"""Telegram Desktop exports (``result.json``) → contacts and one interaction per message.

Reads the machine-readable export of Telegram Desktop (Settings → Advanced → Export Telegram
data, format JSON): ``personal_information`` names the owner, ``contacts.list`` gives names and
phone numbers, and ``chats.list[]`` holds each chat with its ``type`` and ``messages[]``. Only
metadata is kept: one interaction per message (who wrote, to whom, when; the text is not
stored), and phone calls (service messages with ``action: phone_call``) as calls. Other service
messages, channels, bots, saved messages and groups with more than 20 members are skipped and
counted. A single-chat export (a file with top-level ``messages``) works too.

People are keyed by their Telegram user id (``from_id`` such as ``user123``), which stays the
same when they rename themselves. Times come from ``date_unixtime`` (UTC); exports older than
that field carry only local ``date`` text, read in ``options.extra["tz"]`` or local time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from weakties.domain.identities import Identity, IdentityKind, normalize_handle, normalize_phone
from weakties.domain.ledger import MAX_CONVERSATION, Channel, Direction, Role
from weakties.domain.records import (
    ContactRecord,
    InteractionRecord,
    Origin,
    PersonRef,
    Problem,
    Record,
    Skipped,
)
from weakties.errors import ImportFailed, InvalidInput
from weakties.importers.files import Source
from weakties.importers.registry import ImportOptions

MAX_MEMBERS = MAX_CONVERSATION
KEPT_CHAT_TYPES = frozenset({"personal_chat", "private_group", "private_supergroup"})

SKIP_SERVICE = "service message"
SKIP_CHAT_TYPE = "not a personal chat or private group"
SKIP_LARGE = f"large group chat (more than {MAX_MEMBERS} members)"
SKIP_NOT_TELEGRAM = "not a Telegram export file"


def _zone(options: ImportOptions) -> tzinfo | None:
    name = options.extra.get("tz")
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFailed(f"unknown time zone {name!r}", hint="e.g. Europe/Berlin") from None


def message_time(message: dict[str, Any], zone: tzinfo | None) -> datetime | None:
    """A message's time as aware UTC: ``date_unixtime`` if present, else the local ``date``."""
    unix = message.get("date_unixtime")
    if isinstance(unix, str | int) and not isinstance(unix, bool):
        try:
            return datetime.fromtimestamp(int(unix), UTC)
        except (ValueError, OverflowError, OSError):
            return None
    text = message.get("date")
    if not isinstance(text, str):
        return None
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone) if zone is not None else local.astimezone()
    return local.astimezone(UTC)


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def user_id(value: Any) -> str | None:
    """A sender id as newer exports write it (``user123``); older ones give the bare number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"user{value}"
    return value if isinstance(value, str) and value else None


def _full_name(block: dict[str, Any]) -> str | None:
    parts = [_text(block.get("first_name")), _text(block.get("last_name"))]
    return " ".join(p for p in parts if p) or None


def _phone(value: Any) -> Identity | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return Identity(IdentityKind.PHONE, normalize_phone(text))
    except InvalidInput:
        return None


class _People:
    """PersonRefs by Telegram user id; the owner's id maps to the owner."""

    def __init__(self, owner_id: str | None, owner: PersonRef) -> None:
        self.owner_id = owner_id
        self.owner = owner

    def ref(self, user_id: str, name: str | None) -> PersonRef:
        if user_id == self.owner_id:
            if self.owner.name is None and name:  # a one-chat export has no profile block
                self.owner = PersonRef(key="me", name=name, is_me=True)
            return self.owner
        return PersonRef(key=f"telegram:{user_id}", name=name)


def _owner(data: dict[str, Any]) -> tuple[str | None, PersonRef]:
    info = data.get("personal_information")
    if not isinstance(info, dict):
        return None, PersonRef(key="me", is_me=True)
    identities: list[Identity] = []
    phone = _phone(info.get("phone_number"))
    if phone is not None:
        identities.append(phone)
    username = _text(info.get("username"))
    if username:
        try:
            handle = normalize_handle(f"telegram:{username}")
            identities.append(Identity(IdentityKind.HANDLE, handle))
        except InvalidInput:
            pass
    user_id = info.get("user_id")
    owner_id = f"user{user_id}" if isinstance(user_id, int | str) and str(user_id) else None
    return owner_id, PersonRef(
        key="me", name=_full_name(info), identities=tuple(identities), is_me=True
    )


def _iter_contacts(data: dict[str, Any], name: str) -> Iterator[Record]:
    contacts = data.get("contacts")
    entries = contacts.get("list") if isinstance(contacts, dict) else None
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries, 1):
        origin = Origin(name, f"contact {index}")
        if not isinstance(entry, dict):
            yield Problem(origin, "contact is not an object")
            continue
        full = _full_name(entry)
        phone = _phone(entry.get("phone_number"))
        if full is None and phone is None:
            yield Problem(origin, "contact has neither a name nor a phone number")
            continue
        uid = entry.get("user_id")
        if isinstance(uid, int) and not isinstance(uid, bool) and uid > 0:
            key = f"telegram:user{uid}"  # the key chats use for the same person
        else:
            ident = phone.value if phone else full or ""
            key = "telegram:contact:" + hashlib.sha1(ident.encode()).hexdigest()[:20]
        yield ContactRecord(
            key=key,
            origin=origin,
            name=full or (phone.value if phone else ""),
            given_name=_text(entry.get("first_name")),
            family_name=_text(entry.get("last_name")),
            identities=(phone,) if phone else (),
        )


def _chat_members(chat: dict[str, Any], people: _People) -> dict[str, str | None]:
    """user id → name, for everyone who wrote in the chat (and a 1:1 chat's other party)."""
    members: dict[str, str | None] = {}
    chat_id = chat.get("id")
    if chat.get("type") == "personal_chat" and isinstance(chat_id, int | str):
        members[f"user{chat_id}"] = _text(chat.get("name"))
    for message in chat.get("messages") or []:
        if not isinstance(message, dict):
            continue  # reported when the messages are read
        sender = user_id(message.get("from_id") or message.get("actor_id"))
        if sender is not None:
            name = _text(message.get("from") if "from_id" in message else message.get("actor"))
            if name or sender not in members:
                members[sender] = name
    if people.owner_id is not None:
        members.setdefault(people.owner_id, None)
    return members


def _iter_chat(
    chat: Any, index: int, name: str, people: _People, zone: tzinfo | None
) -> Iterator[Record]:
    chat_origin = Origin(name, f"chat {index}")
    if not isinstance(chat, dict) or not isinstance(chat.get("messages", []), list):
        yield Problem(chat_origin, "chat is not an object with a list of messages")
        return
    chat_id = chat.get("id", index)
    chat_origin = Origin(name, f"chat {chat_id}")
    chat_type = chat.get("type")
    if not isinstance(chat_type, str) or chat_type not in KEPT_CHAT_TYPES:
        yield Skipped(chat_origin, SKIP_CHAT_TYPE)
        return
    members = _chat_members(chat, people)
    if len(members) > MAX_MEMBERS:
        yield Skipped(chat_origin, SKIP_LARGE)
        return
    refs = {uid: people.ref(uid, member) for uid, member in members.items()}
    for position, message in enumerate(chat.get("messages") or [], 1):
        if not isinstance(message, dict):
            yield Problem(Origin(name, f"chat {chat_id}, message #{position}"), "not an object")
            continue
        origin = Origin(name, f"chat {chat_id}, message {message.get('id', f'#{position}')}")
        kind = message.get("type")
        channel = Channel.MESSAGE
        sender = user_id(message.get("from_id"))
        if kind == "service":
            if message.get("action") != "phone_call":
                yield Skipped(origin, SKIP_SERVICE)
                continue
            channel = Channel.CALL
            sender = user_id(message.get("actor_id"))
        elif kind != "message":
            yield Problem(origin, f"unknown message type {str(kind)[:40]!r}")
            continue
        if sender is None or sender not in refs:
            yield Problem(origin, "no sender (from_id); message left out")
            continue
        when = message_time(message, zone)
        if when is None:
            yield Problem(origin, "no readable date; message left out")
            continue
        participants = [(refs[sender], Role.FROM)]
        participants += [(ref, Role.TO) for uid, ref in refs.items() if uid != sender]
        direction = Direction.UNKNOWN
        if people.owner_id is not None:
            direction = Direction.OUTBOUND if sender == people.owner_id else Direction.INBOUND
        yield InteractionRecord(
            key=f"telegram:{chat_id}:{message.get('id', f'#{position}')}",
            origin=origin,
            occurred_at=when,
            channel=channel,
            participants=tuple(participants),
            direction=direction,
            thread_key=f"telegram:{chat_id}",
        )


def _single_chat_owner(data: dict[str, Any]) -> str | None:
    """In a one-chat export of a personal chat, the sender who is not the chat's peer."""
    peer = f"user{data.get('id')}"
    messages = data.get("messages")
    senders = {
        user_id(m.get("from_id"))
        for m in (messages if isinstance(messages, list) else [])
        if isinstance(m, dict)
    }
    others = senders - {peer, None}
    return others.pop() if len(others) == 1 else None


def _load(source: Source) -> dict[str, Any]:
    text = source.read_text()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            f"not valid JSON: {exc.msg}", location=f"{source.name}, line {exc.lineno}"
        ) from None
    except RecursionError:
        raise ImportFailed("JSON nested too deeply", location=source.name) from None
    if not isinstance(data, dict) or not (
        "chats" in data
        or "personal_information" in data
        or ("messages" in data and "type" in data and "id" in data)  # a one-chat export
    ):
        raise ImportFailed(
            "not a Telegram export (no personal_information, chats or messages)",
            location=source.name,
        )
    return data


def _is_export(source: Source) -> bool:
    try:
        with source.open_bytes() as handle:
            head = handle.read(8192)
    except (ImportFailed, OSError, KeyError, ValueError):
        return False
    text = head.decode("utf-8", "replace").lstrip("\ufeff \r\n\t")
    return text.startswith("{") and any(f'"{k}"' in text for k in _TELEGRAM_WORDS)


# Keys and values only Telegram's export has: Facebook's message JSON also has "messages".
_TELEGRAM_WORDS = (
    "personal_information",
    "date_unixtime",
    "from_id",
    "personal_chat",
    "private_group",
    "private_supergroup",
    "saved_messages",
)


class TelegramImporter:
    """The Telegram Desktop JSON export importer."""

    name = "telegram"
    title = "Telegram Desktop export (result.json)"
    reads = "Telegram Desktop JSON export: contacts, and who wrote or called whom, when"

    def sniff(self, path: Path, sources: list[Source]) -> float:
        for source in sources[:200]:
            if source.basename == "result.json" and _is_export(source):
                return 0.95
        if len(sources) == 1 and _is_export(sources[0]):
            return 0.7
        return 0.0

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        zone = _zone(options)
        exports = [s for s in sources if s.basename == "result.json" or len(sources) == 1]
        if not exports:
            raise ImportFailed("no result.json found", location=str(path))
        for source in sources:
            if source not in exports:
                yield Skipped(Origin(source.name, "file"), SKIP_NOT_TELEGRAM)
        for source in exports:
            data = _load(source)
            owner_id, owner = _owner(data)
            if "messages" in data and "chats" not in data:
                owner_id = owner_id or _single_chat_owner(data)
                chats: Any = [data]
            else:
                listed = data.get("chats")
                chats = listed.get("list") if isinstance(listed, dict) else []
                if not isinstance(chats, list):
                    raise ImportFailed("chats.list is not a list", location=source.name)
            people = _People(owner_id, owner)
            yield from _iter_contacts(data, source.name)
            for index, chat in enumerate(chats, 1):
                yield from _iter_chat(chat, index, source.name, people, zone)


IMPORTER = TelegramImporter()
