"""Answers kept in memory while the workspace's data is unchanged: values and whole responses.

Some workspace answers take seconds (nudges, the ask plan, the review) while the data behind
them changes rarely; the pages and the API would otherwise recompute them on every request,
and even a cached answer costs a millisecond or two to render again. Two caches share one
:class:`DataVersion`, a stamp that changes whenever anyone commits to the database:

- :class:`ResultCache` keeps workspace results (what the pages and the API both use);
- :class:`ResponseCache`, a pure ASGI middleware, keeps the bytes of whole ``GET`` answers and
  sends them again without entering the framework: the check is the session or token, the
  data version and a dictionary lookup, so a cached page costs about what a static file does.

For a SQLite workspace the stamp is SQLite's own ``PRAGMA data_version`` read on a connection
of the cache's own that never writes: SQLite changes it for every commit made by any other
connection, in this process or another (the CLI, a cron job), so a write from anywhere is seen
on the next request (an encrypted file's connection is keyed like the workspace's). Other
databases have no such counter; their entries expire after ``ttl`` seconds. Writes made
through the app also bump a generation at once, and the local date is part of the stamp,
since some answers depend on the day (what is due, "3 days ago").

A value is kept only when the stamp read before computing it equals the one read after: a
write that lands while an answer is computed (from another process, or the read's own write:
the review of a closed month is stored on first view) would otherwise leave a stale answer
under the new stamp. Such a read is computed again, once the data holds still, but only while
that is cheap (``RETRY_BUDGET``): under steady writes a slow answer is returned, not kept.

Reads of one answer are coalesced: a request that waited for another's computation of the
same key takes that result when the computation began after the request arrived (it read data
at least as new as the request would have), instead of computing it once more. Twenty readers
of a slow page after a write cost one computation, not twenty.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, MutableMapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from weakties.errors import StoreError

T = TypeVar("T")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ATTEMPTS = 3  # computations of one answer before giving up on keeping it (the data kept moving)
RETRY_BUDGET = 0.25  # seconds: past this, a read under steady writes answers without keeping


def sqlite_file(url: str) -> Path | None:
    """The file behind a ``sqlite:///PATH`` URL, or None."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    if not rest or rest.startswith(":memory:"):
        return None
    return Path(rest.split("?", 1)[0])


class DataVersion:
    """A stamp of the workspace's data that changes with every commit, from any process."""

    def __init__(self, url: str, *, ttl: float = 10.0) -> None:
        self.path = sqlite_file(url)
        self.ttl = ttl
        self.generation = 0
        self._lock = threading.Lock()
        self._conn: Any = None  # sqlite3's or SQLCipher's connection
        self._errors: tuple[type[Exception], ...] = (sqlite3.Error, StoreError)

    def bump(self) -> None:
        """Mark a write made through the app (seen at once, whatever the database)."""
        with self._lock:
            self.generation += 1

    def __call__(self) -> Hashable:
        today = date.today().toordinal()
        if self.path is None:
            return (self.generation, today, int(time.monotonic() // self.ttl))
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._connect(self.path)
                row = self._conn.execute("PRAGMA data_version").fetchone()
            except self._errors:  # unreadable for a moment: a stamp equal to nothing
                return object()
            return (self.generation, today, int(row[0]))

    def _connect(self, path: Path) -> Any:
        """A connection that only reads the pragma; an encrypted file's is keyed like the
        workspace's (the key is known by then: the workspace opened first)."""
        from weakties.store import encryption

        key = encryption.database_key(path) if encryption.is_encrypted(path) else None
        self._errors = (*encryption.driver_errors(), StoreError)
        # mode=rw: never create a database
        return encryption.connect(
            f"file:{path}?mode=rw",
            key,
            uri=True,
            timeout=0.5,
            check_same_thread=False,
            isolation_level=None,
        )

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class ResultCache:
    """Workspace results keyed by operation and arguments, dropped when the data changes."""

    def __init__(self, url: str, *, size: int = 512, ttl: float = 10.0) -> None:
        self.version = DataVersion(url, ttl=ttl)
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[object, Any]] = OrderedDict()
        self._locks: dict[Hashable, threading.Lock] = {}
        self._latest: dict[Hashable, tuple[float, Any]] = {}  # key: (computation began, value)
        self._guard = threading.Lock()
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        """Forget every answer (after a write through the app)."""
        self.version.bump()
        with self._guard:
            self._entries.clear()

    def _found(self, key: Hashable, current: object) -> tuple[bool, Any]:
        with self._guard:
            found = self._entries.get(key)
            if found is not None and found[0] == current:
                self._entries.move_to_end(key)
                self.hits += 1
                return True, found[1]
        return False, None

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computing it (once, under a lock) when stale."""
        arrived = time.monotonic()
        ok, value = self._found(key, self.version())
        if ok:
            return value  # type: ignore[no-any-return]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            latest = self._latest.get(key)
            if latest is not None and latest[0] >= arrived:
                self.hits += 1
                return latest[1]  # type: ignore[no-any-return]
            for _ in range(ATTEMPTS):
                before = self.version()
                ok, value = self._found(key, before)
                if ok:
                    return value  # type: ignore[no-any-return]
                self.misses += 1
                began = time.monotonic()
                fresh = compute()
                with self._guard:
                    self._latest[key] = (began, fresh)
                    while len(self._latest) > self.size:
                        self._latest.pop(next(iter(self._latest)))
                if time.monotonic() - arrived > RETRY_BUDGET and self.version() != before:
                    return fresh  # correct as of this read; the data keeps moving: not kept
                if self.version() == before:
                    with self._guard:
                        self._entries[key] = (before, fresh)
                        self._entries.move_to_end(key)
                        while len(self._entries) > self.size:
                            old, _ = self._entries.popitem(last=False)
                            self._locks.pop(old, None)
                            self._latest.pop(old, None)
                    return fresh
            return fresh  # correct for now, but the data kept changing: not kept


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete ``200`` answer as it was sent, and the data version it was made from."""

    version: object
    headers: list[tuple[bytes, bytes]]
    body: bytes


class ResponseStore:
    """The answers :class:`ResponseCache` keeps, least recently used first out."""

    def __init__(
        self,
        version: DataVersion,
        *,
        size: int = 256,
        max_body: int = 4 << 20,
        max_bytes: int = 64 << 20,
    ) -> None:
        self.version = version
        self.size = size
        self.max_body = max_body  # a larger answer is not kept
        self.max_bytes = max_bytes  # nor more than this in all
        self.bytes = 0
        self._entries: OrderedDict[Hashable, Answer] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, key: Hashable, version: object) -> Answer | None:
        found = self._entries.get(key)
        if found is None or found.version != version:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return found

    def keep(self, key: Hashable, answer: Answer) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= len(old.body)
        self._entries[key] = answer
        self.bytes += len(answer.body)
        while len(self._entries) > self.size or self.bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self.bytes -= len(dropped.body)


class ResponseCache:
    """Pure ASGI middleware: whole ``GET`` answers sent again from memory until the data changes.

    ``admits(scope)`` says whether the request may read (a valid session or token: a kept
    answer is never sent to anyone the app itself would refuse); ``cacheable(scope)``, asked
    after the app answered, whether the route's answer depends on nothing but the request and
    the data (not, say, an import's progress held in memory). Only complete ``200`` answers
    without cookies are kept, keyed by path, query and the HTMX headers the pages read.
    """

    VARY = (b"hx-request", b"hx-target")

    def __init__(
        self,
        app: ASGIApp,
        *,
        store: ResponseStore,
        admits: Callable[[Scope], bool],
        cacheable: Callable[[Scope], bool],
    ) -> None:
        self.app = app
        self.store = store
        self.admits = admits
        self.cacheable = cacheable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not self.admits(scope):
            await self.app(scope, receive, send)
            return
        store = self.store
        vary = tuple((k, v) for k, v in scope["headers"] if k in self.VARY)
        key = (scope["path"], scope["query_string"], vary)
        before = store.version()
        found = store.find(key, before)
        if found is not None:
            await send({"type": "http.response.start", "status": 200, "headers": found.headers})
            await send({"type": "http.response.body", "body": found.body})
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                start = message
                headers = message.get("headers", [])
                keep = message["status"] == 200 and all(k != b"set-cookie" for k, _ in headers)
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                keep = size <= store.max_body
                if keep:
                    chunks.append(body)
            await send(message)

        await self.app(scope, receive, capture)
        if start is None or not keep or not self.cacheable(scope) or store.version() != before:
            return
        store.keep(key, Answer(before, list(start.get("headers", [])), b"".join(chunks)))
