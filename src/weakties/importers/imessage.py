"""The macOS Messages database (``~/Library/Messages/chat.db``): iMessage and SMS metadata.

The database is never opened in place: Messages keeps writing it, and a reader could block or
corrupt it. The file (with its ``-wal`` and ``-shm`` companions, which hold the newest
messages) is copied to a private temporary folder and the copy is opened read-only
(SQLite URI ``mode=ro``). Tables used, as macOS lays them out: ``handle`` (a phone number or
email per row), ``chat`` (one per conversation; ``style`` 43 is a group), ``chat_handle_join``
(members), ``message`` (``is_from_me``, ``handle_id``, ``date``), ``chat_message_join``.

``message.date`` counts from the Apple epoch, 2001-01-01 UTC: in seconds before macOS 10.13,
in nanoseconds since; values above 10^11 are read as nanoseconds. Each message is a MESSAGE
from its sender (the owner when ``is_from_me``) to the chat's other members; tapbacks
(``associated_message_type`` 2000–3005) are lighter SOCIAL LIKEs; group events
(``item_type`` ≠ 0) are skipped, and chats of more than :data:`MAX_CONVERSATION` members too.
Message text is never read.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from weakties.domain.identities import DEFAULT_REGION
from weakties.domain.ledger import MAX_CONVERSATION, Channel, Direction, InteractionKind, Role
from weakties.domain.records import (
    ME,
    InteractionRecord,
    Origin,
    PersonRef,
    Problem,
    Record,
    Skipped,
)
from weakties.errors import ImportFailed
from weakties.importers._identities import email_identity, phone_identity, unique_identities
from weakties.importers._reading import READ_ERRORS
from weakties.importers.files import MAX_TOTAL_BYTES, Source
from weakties.importers.registry import ImportOptions

SOURCE = "imessage"
APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
SQLITE_MAGIC = b"SQLite format 3\x00"
_NANOS_ABOVE = 10**11
REQUIRED_TABLES = frozenset({"handle", "chat", "chat_handle_join", "message", "chat_message_join"})
_SNIFF_ERRORS: tuple[type[BaseException], ...] = (ImportFailed, *READ_ERRORS)
SKIP_EVENT = "group event (rename, member added or left)"
SKIP_LARGE = f"large group chat (more than {MAX_CONVERSATION} members)"


def apple_time(value: int) -> datetime | None:
    """A ``message.date`` as aware UTC: seconds or nanoseconds since 2001-01-01."""
    if value <= 0:
        return None
    seconds = value / 1e9 if value > _NANOS_ABOVE else float(value)
    try:
        return APPLE_EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return None


def _handle_ref(handle: str, region: str) -> PersonRef:
    identity = email_identity(handle) if "@" in handle else phone_identity(handle, region=region)
    return PersonRef(
        key=f"{SOURCE}:{handle}",
        identities=unique_identities([identity]),
        name=None if identity else handle,
    )


def _copy(source: Source, folder: Path) -> Path:
    """A private copy of the database (and its WAL files, when they sit beside it)."""
    target = folder / "chat.db"
    try:
        if source.member is not None:
            with source.open_bytes() as raw, open(target, "wb") as out:
                shutil.copyfileobj(raw, out)
            return target
        if source.path.stat().st_size > MAX_TOTAL_BYTES:
            raise ImportFailed("the database is too large to copy", location=source.name)
        shutil.copyfile(source.path, target)
        for suffix in ("-wal", "-shm"):
            side = source.path.with_name(source.path.name + suffix)
            if side.exists():
                shutil.copyfile(side, folder / f"chat.db{suffix}")
    except READ_ERRORS as exc:
        raise ImportFailed(f"cannot copy the database: {exc}", location=source.name) from None
    return target


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _connect(copy: Path, name: str) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
        # A damaged file can hold text that is not UTF-8, even in the schema: decode leniently
        # so the damage surfaces as a problem record or a one-line error, never a traceback.
        conn.text_factory = _lenient_text
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise ImportFailed(f"not a readable Messages database ({exc})", location=name) from None
    except UnicodeDecodeError:  # SQLite's own message quoted the damaged, non-UTF-8 schema
        raise ImportFailed(
            "not a readable Messages database (damaged schema)", location=name
        ) from None
    if not tables >= REQUIRED_TABLES:
        conn.close()
        missing = ", ".join(sorted(REQUIRED_TABLES - tables))
        raise ImportFailed(f"not a Messages database (no table {missing})", location=name)
    return conn


def _records(conn: sqlite3.Connection, name: str, region: str) -> Iterator[Record]:
    handles = {rowid: str(value) for rowid, value in conn.execute("SELECT ROWID, id FROM handle")}
    refs = {rowid: _handle_ref(value, region) for rowid, value in handles.items() if value}
    members: dict[int, list[int]] = {}
    for chat_id, handle_id in conn.execute("SELECT chat_id, handle_id FROM chat_handle_join"):
        if handle_id in refs:
            members.setdefault(chat_id, []).append(handle_id)
    chats = {rowid: str(guid) for rowid, guid in conn.execute("SELECT ROWID, guid FROM chat")}
    rows = conn.execute(
        "SELECT m.ROWID, m.guid, m.handle_id, m.is_from_me, m.date, m.item_type,"
        " m.associated_message_type, j.chat_id"
        " FROM message m LEFT JOIN chat_message_join j ON j.message_id = m.ROWID"
        " ORDER BY m.ROWID"
    )
    for rowid, guid, handle_id, from_me, date, item_type, associated, chat_id in rows:
        origin = Origin(name, f"message {rowid}")
        if item_type:
            yield Skipped(origin, SKIP_EVENT)
            continue
        if chat_id in members:
            group = members[chat_id]
        elif handle_id in refs:
            group = [handle_id]
        else:
            yield Problem(origin, "message with no chat and no known sender")
            continue
        if len(group) + 1 > MAX_CONVERSATION:
            yield Skipped(origin, SKIP_LARGE)
            continue
        when = apple_time(date) if isinstance(date, int) else None
        if when is None:
            yield Problem(origin, "message with no readable date")
            continue
        if from_me:
            participants = [(ME, Role.FROM), *((refs[h], Role.TO) for h in group)]
            direction = Direction.OUTBOUND
        else:
            if handle_id not in refs:
                yield Problem(origin, "received message with an unknown sender")
                continue
            others = [(refs[h], Role.TO) for h in group if h != handle_id]
            participants = [(refs[handle_id], Role.FROM), (ME, Role.TO), *others]
            direction = Direction.INBOUND
        tapback = isinstance(associated, int) and 2000 <= associated <= 3005
        thread = chats.get(chat_id) if chat_id is not None else None
        yield InteractionRecord(
            key=f"{SOURCE}:{guid}",
            origin=origin,
            occurred_at=when,
            channel=Channel.SOCIAL if tapback else Channel.MESSAGE,
            participants=tuple(participants),
            kind=InteractionKind.LIKE if tapback else InteractionKind.CONVERSATION,
            direction=direction,
            thread_key=f"{SOURCE}:{thread or handles.get(handle_id, '?')}",
        )


def _is_database(source: Source) -> bool:
    try:
        with source.open_bytes() as handle:
            return handle.read(16) == SQLITE_MAGIC
    except _SNIFF_ERRORS:
        return False


class MessagesImporter:
    """Reads a copy of the macOS Messages database; see the module docstring."""

    name = "imessage"
    title = "macOS Messages database (chat.db)"
    reads = (
        "macOS Messages chat.db (iMessage, SMS): 1:1 and group chats, who wrote to whom and "
        "when, tapbacks; opened read-only from a copy, text never read"
    )

    def sniff(self, path: Path, sources: list[Source]) -> float:
        for source in sources[:1000]:
            if source.basename == "chat.db" and _is_database(source):
                return 0.95
        return 0.0

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        chosen = [s for s in sources if s.basename == "chat.db"] or sources[:1]
        if not chosen or not _is_database(chosen[0]):
            raise ImportFailed("not a Messages database (chat.db)", location=str(path))
        source = chosen[0]
        region = options.extra.get("region", DEFAULT_REGION)
        with tempfile.TemporaryDirectory(prefix="weakties-chatdb-") as folder:
            conn = _connect(_copy(source, Path(folder)), source.name)
            try:
                yield from _records(conn, source.name, region)
            except sqlite3.DatabaseError as exc:
                raise ImportFailed(
                    f"the Messages database is damaged ({exc})", location=source.name
                ) from None
            except UnicodeDecodeError:
                raise ImportFailed(
                    "the Messages database is damaged (text that is not UTF-8)",
                    location=source.name,
                ) from None
            finally:
                conn.close()


IMPORTER = MessagesImporter()
