"""Mastodon exports: the Import/Export page's CSVs, and optionally the post archive.

``following_accounts.csv`` (``Account address,Show boosts,…``; older exports have one address a
line and no header) lists whom the owner follows, ``lists.csv`` (``List name,account``) the
lists they sit on. Each followed account becomes a contact whose identity is its handle,
``@user@host`` normalised to the HANDLE ``mastodon:user@host`` (the ``service:name`` form
Telegram handles use), tagged with its lists; and a SOCIAL FOLLOW from the owner, the weakest
tie of all. A follow list has no dates: the follow is dated when the export wrote the file
(it held then), which is stable across re-imports of the same file.

From the archive (``actor.json``, ``outbox.json``) the owner's own handle is learnt, and every
post that mentions people is a lighter SOCIAL COMMENT from the owner to each one mentioned
(at most :data:`MAX_CONVERSATION`; more is a broadcast). Post text is never kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from weakties.domain.identities import Identity, IdentityKind
from weakties.domain.ledger import MAX_CONVERSATION, Channel, Direction, InteractionKind, Role
from weakties.domain.people import normalize_tag
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
from weakties.importers._csv import find_table
from weakties.importers._dates import parse_moment
from weakties.importers._jsonfile import file_date, load_json
from weakties.importers._reading import read_head
from weakties.importers.files import Source
from weakties.importers.registry import ImportOptions

SOURCE = "mastodon"
_ACCOUNT = re.compile(r"@?([a-z0-9_][a-z0-9_.\-]{0,63})@([a-z0-9\-]+(?:\.[a-z0-9\-]+)+)")
_FILES = ("following_accounts.csv", "lists.csv", "actor.json", "outbox.json")
SKIP_OTHER = "not a follow list, list file or archive file"


def account_handle(raw: str) -> str | None:
    """``@User@Host.Example`` (or a ``https://host/@user`` URL) → ``mastodon:user@host.example``."""
    text = raw.strip().lower()
    if text.startswith(("https://", "http://")):
        parts = urlsplit(text)
        path = parts.path.strip("/")
        user = path.removeprefix("@").removeprefix("users/")
        if not parts.hostname or "/" in user or not user:
            return None
        text = f"{user}@{parts.hostname}"
    match = _ACCOUNT.fullmatch(text)
    return f"{SOURCE}:{match.group(1)}@{match.group(2)}" if match else None


def _ref(handle: str) -> PersonRef:
    return PersonRef(key=handle, identities=(Identity(IdentityKind.HANDLE, handle),))


def _rows(source: Source) -> Iterator[tuple[str, list[str]] | Problem]:
    """(locator, cells) of each row of a Mastodon CSV, header or not."""
    table = find_table(source, lambda header: True)
    if table is None:
        return
    first = list(table.header)
    if not any(c in ("account address", "list name") for c in first):
        yield f"line {table.header_line}", first
    for row in table.rows():
        if isinstance(row, Problem):
            yield row
            continue
        cells = [row.cells.get(name, "") for name in table.header if name]
        yield f"line {row.line}", cells


def _owner(sources: list[Source]) -> PersonRef:
    for source in sources:
        if source.basename != "actor.json":
            continue
        data = load_json(source)
        if not isinstance(data, dict):
            raise ImportFailed("actor.json is not an object", location=source.name)
        user, url = data.get("preferredUsername"), data.get("id")
        if isinstance(user, str) and isinstance(url, str):
            host = urlsplit(url).hostname or ""
            handle = account_handle(f"{user}@{host}")
            if handle:
                return PersonRef(
                    key="me", is_me=True, identities=(Identity(IdentityKind.HANDLE, handle),)
                )
    return ME


def _follows(source: Source, owner: PersonRef, lists: dict[str, list[str]]) -> Iterator[Record]:
    when = file_date(source)
    seen: set[str] = set()
    for item in _rows(source):
        if isinstance(item, Problem):
            yield item
            continue
        locator, cells = item
        origin = Origin(source.name, locator)
        handle = account_handle(cells[0]) if cells else None
        if handle is None:
            yield Problem(origin, "not an account address (user@host)")
            continue
        if handle in seen:
            continue
        seen.add(handle)
        ref = _ref(handle)
        tags = ("mastodon-following", *(normalize_tag(n)[:60] for n in lists.get(handle, ())))
        yield ContactRecord(
            key=handle,
            origin=origin,
            name="@" + handle.removeprefix(f"{SOURCE}:"),
            identities=ref.identities,
            tags=tuple(dict.fromkeys(t for t in tags if t)),
        )
        yield InteractionRecord(
            key=f"{SOURCE}:follow:{handle}",
            origin=origin,
            occurred_at=when,
            channel=Channel.SOCIAL,
            participants=((owner, Role.FROM), (ref, Role.TO)),
            kind=InteractionKind.FOLLOW,
            direction=Direction.OUTBOUND,
        )


def _lists(sources: list[Source]) -> tuple[dict[str, list[str]], list[Problem]]:
    found: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for source in sources:
        if source.basename != "lists.csv":
            continue
        for item in _rows(source):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            locator, cells = item
            handle = account_handle(cells[1]) if len(cells) > 1 else None
            if handle is None or not cells[0].strip():
                problems.append(Problem(Origin(source.name, locator), "not a list, account row"))
                continue
            found.setdefault(handle, []).append(cells[0].strip())
    return found, problems


def _mentions(source: Source, owner: PersonRef) -> Iterator[Record]:
    data = load_json(source)
    items = data.get("orderedItems") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ImportFailed("outbox.json has no orderedItems list", location=source.name)
    for index, activity in enumerate(items, start=1):
        origin = Origin(source.name, f"item {index}")
        note: Any = activity.get("object") if isinstance(activity, dict) else None
        if not isinstance(note, dict) or not isinstance(note.get("tag"), list):
            continue
        handles: list[str] = []
        for tag in note["tag"][: MAX_CONVERSATION * 10]:
            if isinstance(tag, dict) and tag.get("type") == "Mention":
                raw = tag.get("name") if isinstance(tag.get("name"), str) else ""
                handle = account_handle(str(raw))
                if handle is None and isinstance(tag.get("href"), str):
                    handle = account_handle(tag["href"])
                if handle is not None:
                    handles.append(handle)
        handles = list(dict.fromkeys(handles))
        if not handles:
            continue
        if len(handles) >= MAX_CONVERSATION:
            yield Skipped(origin, f"post mentioning more than {MAX_CONVERSATION - 1} people")
            continue
        published = activity.get("published") or note.get("published")
        when = parse_moment(published) if isinstance(published, str) else None
        if when is None:
            yield Problem(origin, "post has no readable date")
            continue
        post = str(note.get("id") or activity.get("id") or index)[:300]
        for handle in handles:
            yield InteractionRecord(
                key=f"{SOURCE}:mention:{post}:{handle}",
                origin=origin,
                occurred_at=when,
                channel=Channel.SOCIAL,
                participants=((owner, Role.FROM), (_ref(handle), Role.TO)),
                kind=InteractionKind.COMMENT,
                direction=Direction.OUTBOUND,
                thread_key=f"{SOURCE}:{post}",
            )


class MastodonImporter:
    """Reads Mastodon's CSV exports and post archive; see the module docstring."""

    name = "mastodon"
    title = "Mastodon export"
    reads = (
        "Mastodon exports (following_accounts.csv, lists.csv; archive actor.json, outbox.json): "
        "follows as the weakest ties, handles as identities, mentions"
    )

    def sniff(self, path: Path, sources: list[Source]) -> float:
        names = {s.basename for s in sources[:10_000]}
        if "following_accounts.csv" in names or {"actor.json", "outbox.json"} <= names:
            return 0.9
        if names == {"lists.csv"}:
            head = read_head(sources[0]).splitlines()
            if head and all(account_handle(line.rsplit(",", 1)[-1]) for line in head[:5]):
                return 0.6
        return 0.0

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        if not any(s.basename in _FILES for s in sources):
            raise ImportFailed(
                "not a Mastodon export (no following_accounts.csv)", location=str(path)
            )
        owner = _owner(sources)
        lists, problems = _lists(sources)
        yield from problems
        for source in sources:
            if source.basename == "following_accounts.csv":
                yield from _follows(source, owner, lists)
            elif source.basename == "outbox.json":
                yield from _mentions(source, owner)
            elif source.basename not in _FILES:
                yield Skipped(Origin(source.name, "file"), SKIP_OTHER)


IMPORTER = MastodonImporter()
