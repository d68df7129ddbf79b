"""X/Twitter archives ("Download an archive of your data"): follows and DM headers.

The archive's ``data/*.js`` files are JSON arrays behind a JavaScript prefix
(``window.YTD.follower.part0 = [...]``). ``follower.js`` and ``following.js`` hold only account
ids: each is a SOCIAL FOLLOW, the weakest tie of all, with its direction kept (a follower's
follow is INBOUND, the owner's OUTBOUND), dated when the archive wrote the file (the lists carry
no dates; stable across re-imports). Direct-message files (``direct-messages.js``,
``direct-message-headers.js`` and the ``-group`` variants) give one MESSAGE per message, from
its sender to the conversation's other members; text is never kept. Group chats of more than
:data:`MAX_CONVERSATION` members are skipped.

Accounts are named by id: the identity is the HANDLE ``twitter-id:<id>`` (ids never change;
user names do). The owner is ``account.js``'s account, else the one id in every 1:1
conversation's ``<id>-<id>`` name, else the id ``--me`` gives.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from weakties.domain.identities import Identity, IdentityKind
from weakties.domain.ledger import MAX_CONVERSATION, Channel, Direction, InteractionKind, Role
from weakties.domain.records import InteractionRecord, Origin, PersonRef, Problem, Record, Skipped
from weakties.errors import ImportFailed, OwnerUnknown
from weakties.importers._dates import parse_moment
from weakties.importers._jsonfile import file_date, load_json
from weakties.importers._names import clean_text
from weakties.importers._reading import read_head
from weakties.importers.files import Source
from weakties.importers.registry import ImportOptions

SOURCE = "twitter"
_ID = re.compile(r"\d{1,25}")
_DM_FILES = re.compile(r"direct-messages?(?:-group)?(?:-headers)?(?:-part\d+)?\.js")
_FOLLOW_FILES = {"follower.js": "follower", "following.js": "following"}
SKIP_OTHER = "archive file without follows or messages"
SKIP_LARGE = f"large group chat (more than {MAX_CONVERSATION} members)"


def _ref(account: str, owner: str | None, name: str | None = None) -> PersonRef:
    identity = Identity(IdentityKind.HANDLE, f"twitter-id:{account}")
    return PersonRef(
        key=f"{SOURCE}:{account}", name=name, identities=(identity,), is_me=account == owner
    )


def _array(source: Source) -> list[Any]:
    data = load_json(source)
    if not isinstance(data, list):
        raise ImportFailed("not an archive data file (no JSON array)", location=source.name)
    return data


def _account(sources: list[Source]) -> tuple[str, str | None] | None:
    for source in sources:
        if source.basename == "account.js":
            for entry in _array(source):
                inner = entry.get("account") if isinstance(entry, dict) else None
                if isinstance(inner, dict) and _ID.fullmatch(str(inner.get("accountId", ""))):
                    name = inner.get("accountDisplayName")
                    return str(inner["accountId"]), clean_text(name) if isinstance(
                        name, str
                    ) else None
    return None


def _conversations(source: Source) -> Iterator[tuple[Origin, str, list[dict[str, Any]]] | Problem]:
    for index, entry in enumerate(_array(source), start=1):
        origin = Origin(source.name, f"conversation {index}")
        inner = entry.get("dmConversation") if isinstance(entry, dict) else None
        if not isinstance(inner, dict) or not isinstance(inner.get("messages"), list):
            yield Problem(origin, "not a dmConversation")
            continue
        events = [m for m in inner["messages"] if isinstance(m, dict)]
        yield origin, clean_text(str(inner.get("conversationId", index)), 100), events


def owner_candidates(sources: list[Source]) -> Counter[str]:
    """Ids of the 1:1 conversations' names, counted (the owner is in every one)."""
    counts: Counter[str] = Counter()
    for source in sources:
        if _DM_FILES.fullmatch(source.basename) and "group" not in source.basename:
            for item in _conversations(source):
                if not isinstance(item, Problem):
                    parts = item[1].split("-")
                    if len(parts) == 2 and all(_ID.fullmatch(p) for p in parts):
                        counts.update(sorted(set(parts)))
    return counts


def _owner(
    path: Path, sources: list[Source], options: ImportOptions
) -> tuple[str | None, str | None]:
    found = _account(sources)
    if found is not None:
        return found
    wanted = [m.strip() for m in options.me if _ID.fullmatch(m.strip())]
    counts = owner_candidates(sources)
    wanted += [m.strip() for m in options.known_me if m.strip() in counts]
    if wanted:
        return wanted[0], None
    conversations = max(counts.values(), default=0)
    top = [a for a, n in counts.items() if n == conversations]
    if len(top) == 1 and conversations > 1:
        return top[0], None
    if not counts:
        return None, None  # follows only: the owner is the archive's owner, unnamed
    raise OwnerUnknown(
        "account",
        list(counts.items()),
        unit="conversations",
        location=str(path),
        hint="pass --me with your account id (account.js in the archive names it)",
    )


def _messages(source: Source, owner: str | None, owner_name: str | None) -> Iterator[Record]:
    for item in _conversations(source):
        if isinstance(item, Problem):
            yield item
            continue
        origin, conversation, events = item
        parts = conversation.split("-")  # "<id>-<id>" names a 1:1 chat; a group's is one id
        members = {p for p in parts if _ID.fullmatch(p)} if len(parts) == 2 else set()
        for event in events:
            for value in event.values():
                if isinstance(value, dict):
                    for field in ("senderId", "recipientId", "initiatingUserId"):
                        if _ID.fullmatch(str(value.get(field, ""))):
                            members.add(str(value[field]))
                    for user in (
                        value.get("userIds", []) if isinstance(value.get("userIds"), list) else []
                    ):
                        if _ID.fullmatch(str(user)):
                            members.add(str(user))
        if owner is not None:
            members.add(owner)
        if len(members) > MAX_CONVERSATION:
            yield Skipped(origin, SKIP_LARGE)
            continue
        for position, event in enumerate(events, start=1):
            created = event.get("messageCreate")
            where = Origin(source.name, f"conversation {conversation}, event {position}")
            if not isinstance(created, dict):
                continue  # joins, leaves, name changes
            sender = str(created.get("senderId", ""))
            stamp = created.get("createdAt")
            when = parse_moment(stamp) if isinstance(stamp, str) else None
            if not _ID.fullmatch(sender) or when is None:
                yield Problem(where, "message without a sender id or a readable createdAt")
                continue
            others = sorted(members - {sender})
            if not others:
                continue
            name = owner_name if sender == owner else None
            participants = [(_ref(sender, owner, name), Role.FROM)]
            participants += [
                (_ref(o, owner, owner_name if o == owner else None), Role.TO) for o in others
            ]
            direction = Direction.UNKNOWN
            if owner is not None:
                direction = Direction.OUTBOUND if sender == owner else Direction.INBOUND
            message_id = str(created.get("id") or f"{conversation}:{position}")[:40]
            yield InteractionRecord(
                key=f"{SOURCE}:dm:{message_id}",
                origin=where,
                occurred_at=when,
                channel=Channel.MESSAGE,
                participants=tuple(participants),
                direction=direction,
                thread_key=f"{SOURCE}:dm:{conversation}",
            )


def _follows(source: Source, owner: str | None, owner_name: str | None) -> Iterator[Record]:
    kind = _FOLLOW_FILES[source.basename]
    when = file_date(source)
    me = _ref(owner, owner, owner_name) if owner else PersonRef(key="me", is_me=True)
    for index, entry in enumerate(_array(source), start=1):
        origin = Origin(source.name, f"entry {index}")
        inner = entry.get(kind) if isinstance(entry, dict) else None
        account = str(inner.get("accountId", "")) if isinstance(inner, dict) else ""
        if not _ID.fullmatch(account):
            yield Problem(origin, f"{kind} entry without an accountId")
            continue
        other = _ref(account, owner)
        inbound = kind == "follower"
        yield InteractionRecord(
            key=f"{SOURCE}:{kind}:{account}",
            origin=origin,
            occurred_at=when,
            channel=Channel.SOCIAL,
            participants=((other, Role.FROM), (me, Role.TO))
            if inbound
            else (
                (me, Role.FROM),
                (other, Role.TO),
            ),
            kind=InteractionKind.FOLLOW,
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        )


def _wanted(source: Source) -> bool:
    return source.basename in _FOLLOW_FILES or bool(_DM_FILES.fullmatch(source.basename))


class TwitterImporter:
    """Reads an X/Twitter archive; see the module docstring for what it keeps."""

    name = "twitter"
    title = "X/Twitter archive"
    reads = (
        "X/Twitter archive (data/follower.js, following.js, direct-messages*.js): follows as "
        "the weakest ties, direct-message headers (who and when, never text)"
    )

    def sniff(self, path: Path, sources: list[Source]) -> float:
        for source in sources[:10_000]:
            if (
                source.basename.endswith(".js")
                and (_wanted(source) or source.basename == "account.js")
                and read_head(source, 256).lstrip().startswith("window.YTD.")
            ):
                return 0.95
        return 0.0

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        wanted = [s for s in sources if _wanted(s)]
        if not wanted:
            raise ImportFailed(
                "not an X/Twitter archive (no follower.js, following.js or direct-messages.js)",
                location=str(path),
            )
        owner, owner_name = _owner(path, sources, options)
        for source in sources:
            if source.basename in _FOLLOW_FILES:
                yield from _follows(source, owner, owner_name)
            elif _DM_FILES.fullmatch(source.basename):
                yield from _messages(source, owner, owner_name)
            elif PurePosixPath(source.basename).suffix == ".js" and source.basename != "account.js":
                yield Skipped(Origin(source.name, "file"), SKIP_OTHER)


IMPORTER = TwitterImporter()
