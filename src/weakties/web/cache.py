"""A small cache of workspace results, valid while the database is unchanged.

Some workspace answers take seconds (nudges, the ask plan, the review) while the data behind
them changes rarely; the pages and the API would otherwise recompute them on every request.
For a SQLite workspace the "version" of the data is the size and modification time of the
database file and its write-ahead log, which every commit changes, so a write from the CLI is
seen on the next request. For other databases entries expire after ``ttl`` seconds. A value is
stored under the version read *after* computing it, because some reads write (the review of a
closed month is stored; scores are refreshed once a day) and must not invalidate themselves.
One lock per key keeps twenty clients from computing the same answer twenty times.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def sqlite_file(url: str) -> Path | None:
    """The file behind a ``sqlite:///PATH`` URL, or None."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    if not rest or rest.startswith(":memory:"):
        return None
    return Path(rest.split("?", 1)[0])


class ResultCache:
    """Workspace results keyed by operation and arguments, dropped when the data changes."""

    def __init__(self, url: str, *, size: int = 512, ttl: float = 10.0) -> None:
        self.path = sqlite_file(url)
        self.size = size
        self.ttl = ttl
        self._entries: OrderedDict[Hashable, tuple[object, Any]] = OrderedDict()
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()
        self.hits = 0
        self.misses = 0

    def version(self) -> object:
        """A value that changes whenever the database is written."""
        if self.path is None:
            return int(time.monotonic() // self.ttl)
        parts: list[int] = []
        for suffix in ("", "-wal"):
            try:
                st = os.stat(f"{self.path}{suffix}")
            except OSError:
                parts += [0, 0]
            else:
                parts += [st.st_mtime_ns, st.st_size]
        return tuple(parts)

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computing it (once, under a lock) when stale."""
        current = self.version()
        with self._guard:
            found = self._entries.get(key)
            if found is not None and found[0] == current:
                self._entries.move_to_end(key)
                self.hits += 1
                value: T = found[1]
                return value
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            current = self.version()
            with self._guard:
                found = self._entries.get(key)
                if found is not None and found[0] == current:
                    self.hits += 1
                    value = found[1]
                    return value
            self.misses += 1
            value = compute()
            after = self.version()
            with self._guard:
                self._entries[key] = (after, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    old, _ = self._entries.popitem(last=False)
                    self._locks.pop(old, None)
            return value
