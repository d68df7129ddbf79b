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

Stale while revalidate: once the data has changed, a value kept from before is still served,
marked stale (``X-Weakties-Stale`` on the answer, a note on the pages), while one background
thread per key recomputes it, so readers do not queue behind a rescore that another process's
import set off. The staleness is bounded (``max_stale`` seconds since the value was last known
current) and never crosses a write made through the app that its user waits to see: after a
nudge is marked done, every answer from before is recomputed before it is shown. Changes from
other connections and processes, and the app's own import jobs, may be shown late by up to
``max_stale`` seconds. Whole responses made from stale values are not kept.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
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
MAX_STALE = 30.0  # seconds an answer may be served after the data changed, while recomputed
GRACE = 0.05  # seconds the reader that starts a recomputation waits for it before going stale
REFRESHERS = 1  # background recomputations at once: each may rescore, a write; one at a time
STALE_HEADER = b"x-weakties-stale"  # on an answer made from stale values: their age, seconds


def sqlite_file(url: str) -> Path | None:
    """The file behind a ``sqlite:///PATH`` URL, or None."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    if not rest or rest.startswith(":memory:"):
        return None
    return Path(rest.split("?", 1)[0])


class DataVersion:
    """A stamp of the workspace's data that changes with every commit, from any process.

    ``encrypted`` says whether the file is SQLCipher's (the workspace knows: its engine's
    driver); left None, the file's header is read once, which is safe only while this
    process holds no lock on it (closing any descriptor of the file drops SQLite's locks).
    """

    def __init__(self, url: str, *, ttl: float = 10.0, encrypted: bool | None = None) -> None:
        self.path = sqlite_file(url)
        self.ttl = ttl
        self.encrypted = encrypted
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

        encrypted = self.encrypted
        if encrypted is None:
            encrypted = encryption.is_encrypted(path)
        key = encryption.database_key(path) if encrypted else None
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


@dataclass(slots=True)
class Freshness:
    """What one request accepts and what it was given: the age of the oldest stale answer.

    :class:`MarkStale` makes one per request; :meth:`ResultCache.get` reads it through a
    context variable (the framework runs endpoints in worker threads with a copy of the
    request's context, so the same object is seen there) and records what it served.
    """

    refuse_stale: bool = False  # the request said ``Cache-Control: no-cache`` (or max-age=0)
    age: float | None = None  # seconds; None when every answer was fresh

    def served(self, age: float) -> None:
        self.age = age if self.age is None else max(self.age, age)


_request: ContextVar[Freshness | None] = ContextVar("weakties_request", default=None)
# set while a cached answer is computed: what it reads from the cache must be fresh, or a
# value built from stale parts would be kept as if fresh
_computing: ContextVar[bool] = ContextVar("weakties_computing", default=False)


def current_freshness() -> Freshness | None:
    """This request's :class:`Freshness`, or None outside a request."""
    return _request.get()


@contextmanager
def reading(freshness: Freshness) -> Iterator[Freshness]:
    """Run the reads inside under ``freshness``, as :class:`MarkStale` does for a request."""
    token = _request.set(freshness)
    try:
        yield freshness
    finally:
        _request.reset(token)


@dataclass(slots=True)
class Entry:
    """A kept value, the data version it was read from, and when it was last known current.

    ``as_of`` is a time on the cache's clock at which the value reflected the data: the end of
    its computation, moved forward by every read that found the version unchanged; for a value
    computed while the data moved, the start of its computation. A stale entry's age is
    ``now - as_of``: the data has differed from it for at most that long.
    """

    version: object
    value: Any
    as_of: float


class ResultCache:
    """Workspace results keyed by operation and arguments, recomputed when the data changes.

    Stale while revalidate: when the data has changed since a value was kept, a reader is
    given that value at once (and the request is marked stale, see :class:`Freshness`) while
    one background thread per key recomputes it, as long as

    - the value was current less than ``max_stale`` seconds ago (0 turns this off),
    - no write through the app itself has been made since then (:meth:`clear` without
      ``background``: whoever made it sees it on the next page, read-your-writes),
    - the request did not refuse stale answers, and the read is not part of computing
      another cached value.

    Otherwise the reader waits for the fresh value, as every reader did before. The reader
    that starts a recomputation waits up to ``grace`` seconds for it, so an answer that is
    quick to recompute is served fresh. Changes seen only through the data version (other
    connections and processes) and app writes marked ``background`` (imports run as jobs)
    therefore show up within ``max_stale`` seconds, or as soon as the recomputation ends.
    """

    def __init__(
        self,
        url: str,
        *,
        size: int = 512,
        ttl: float = 10.0,
        max_stale: float = MAX_STALE,
        grace: float = GRACE,
        refreshers: int = REFRESHERS,
        clock: Callable[[], float] = time.monotonic,
        encrypted: bool | None = None,
    ) -> None:
        self.version = DataVersion(url, ttl=ttl, encrypted=encrypted)
        self.size = size
        self.max_stale = max_stale
        self.grace = grace
        self.clock = clock
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self._locks: dict[Hashable, threading.Lock] = {}
        self._latest: dict[Hashable, tuple[float, Any]] = {}  # key: (computation began, value)
        self._refreshing: dict[Hashable, threading.Event] = {}  # key: set when it ends
        self._refreshers = refreshers
        self._pool: ThreadPoolExecutor | None = None
        self._barrier = -math.inf  # when the last write through the app ended
        self._guard = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.stale_hits = 0
        self.refreshes = 0  # background recomputations started

    def clear(self, *, background: bool = False) -> None:
        """Mark every answer stale after a write through the app.

        A write a user made and waits to see (``background=False``) also bars every answer
        from before it from being served stale; a background job's write (an import) leaves
        them servable for ``max_stale`` seconds while fresh ones are computed.
        """
        self.version.bump()
        if not background:
            with self._guard:
                self._barrier = self.clock()

    def close(self) -> None:
        """Stop the background recomputations (those running finish) and the version's
        connection."""
        with self._guard:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        self.version.close()

    def _found(self, key: Hashable, current: object) -> tuple[bool, Any]:
        with self._guard:
            found = self._entries.get(key)
            if found is not None and found.version == current:
                found.as_of = max(found.as_of, self.clock())
                self._entries.move_to_end(key)
                self.hits += 1
                return True, found.value
        return False, None

    def _servable(self, entry: Entry, now: float) -> bool:
        """Whether ``entry``, found stale, may be served now (the guard is held)."""
        request = _request.get()
        return (
            self.max_stale > 0
            and not _computing.get()
            and not (request is not None and request.refuse_stale)
            and entry.as_of > self._barrier
            and now - entry.as_of <= self.max_stale
        )

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``: fresh, stale while it is recomputed, or computed
        now (once, under a lock)."""
        arrived = self.clock()
        current = self.version()
        ok, value = self._found(key, current)
        if ok:
            return value  # type: ignore[no-any-return]
        with self._guard:
            entry = self._entries.get(key)
            stale = entry is not None and self._servable(entry, arrived)
        if stale:
            done, started = self._refresh(key, compute)
            if started and self.grace > 0:
                done.wait(self.grace)
            current = self.version()
            ok, value = self._found(key, current)
            if ok:
                return value  # type: ignore[no-any-return]
            now = self.clock()
            with self._guard:
                entry = self._entries.get(key)  # the refresh may have left a newer one
                if entry is not None and self._servable(entry, now):
                    self.stale_hits += 1
                    request = _request.get()
                    if request is not None:
                        request.served(now - entry.as_of)
                    return entry.value  # type: ignore[no-any-return]
        return self._compute(key, compute, arrived, ATTEMPTS)

    def _refresh(self, key: Hashable, compute: Callable[[], Any]) -> tuple[threading.Event, bool]:
        """The recomputation of ``key`` in the background: the running one, or a new one
        (then True)."""
        with self._guard:
            running = self._refreshing.get(key)
            if running is not None:
                return running, False
            done = threading.Event()
            self._refreshing[key] = done
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self._refreshers, thread_name_prefix="weakties-refresh"
                )
            pool = self._pool
            self.refreshes += 1
        try:
            pool.submit(self._run_refresh, key, compute, done)
        except RuntimeError:  # closed: no refresh; readers compute it themselves
            self._refreshed(key, done)
        return done, True

    def _run_refresh(
        self, key: Hashable, compute: Callable[[], Any], done: threading.Event
    ) -> None:
        try:
            self._compute(key, compute, self.clock(), 1)
        except Exception:  # the next reader computes it in the foreground and sees the error
            with self._guard:
                self._entries.pop(key, None)
        finally:
            self._refreshed(key, done)

    def _refreshed(self, key: Hashable, done: threading.Event) -> None:
        with self._guard:
            if self._refreshing.get(key) is done:
                del self._refreshing[key]
        done.set()

    def _compute(self, key: Hashable, compute: Callable[[], T], arrived: float, attempts: int) -> T:
        """Compute ``key`` under its lock, or take the result of a computation that began
        after ``arrived``; kept as fresh only if the data held still meanwhile."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            latest = self._latest.get(key)
            if latest is not None and latest[0] >= arrived:
                self.hits += 1
                return latest[1]  # type: ignore[no-any-return]
            for _ in range(attempts):
                before = self.version()
                ok, value = self._found(key, before)
                if ok:
                    return value  # type: ignore[no-any-return]
                self.misses += 1
                began = self.clock()
                token = _computing.set(True)
                try:
                    fresh = compute()
                finally:
                    _computing.reset(token)
                moved = self.version() != before
                # moved: a stale value at once, as of the moment its computation began
                self._keep(key, Entry(before, fresh, began if moved else self.clock()), began)
                if not moved:
                    return fresh
                if self.clock() - arrived > RETRY_BUDGET:
                    return fresh  # correct as of this read; the data keeps moving
            return fresh  # correct for now, but the data kept changing

    def _keep(self, key: Hashable, entry: Entry, began: float) -> None:
        with self._guard:
            self._latest[key] = (began, entry.value)
            while len(self._latest) > self.size:
                self._latest.pop(next(iter(self._latest)))
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                old, _ = self._entries.popitem(last=False)
                self._locks.pop(old, None)
                self._latest.pop(old, None)


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
    It sends only answers made from the current data: one made from stale values (marked by
    :class:`MarkStale`) is passed on but never kept, and the kept bytes of an older version
    are never sent; stale serving happens below, in :class:`ResultCache`, under its rules.
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
        if any(k == STALE_HEADER for k, _ in start.get("headers", [])):
            return  # made from stale values: kept under the current version, it would pass as fresh
        store.keep(key, Answer(before, list(start.get("headers", [])), b"".join(chunks)))


def refuses_stale(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a request's ``Cache-Control`` asks for a fresh answer (no-cache, max-age=0)."""
    for name, value in headers:
        if name == b"cache-control":
            words = {w.strip() for w in value.decode("latin-1").lower().split(",")}
            if words & {"no-cache", "max-age=0", "no-store"}:
                return True
    return False


class MarkStale:
    """Pure ASGI middleware: gives each request a :class:`Freshness` and marks stale answers.

    An answer made from at least one stale value carries ``X-Weakties-Stale: SECONDS`` (the
    age of the oldest), so scripts can tell, and the pages show a note (see ``base.html``).
    A request with ``Cache-Control: no-cache`` (or ``max-age=0``) waits for fresh values.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        freshness = Freshness(refuse_stale=refuses_stale(scope["headers"]))

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start" and freshness.age is not None:
                age = f"{freshness.age:.1f}".encode()
                message = {**message, "headers": [*message.get("headers", []), (STALE_HEADER, age)]}
            await send(message)

        with reading(freshness):
            await self.app(scope, receive, marked)
