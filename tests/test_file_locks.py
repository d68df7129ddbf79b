"""Reads in this process keep their SQLite locks while the app works beside them.

On POSIX, closing any descriptor of a file drops every lock the process holds on it, SQLite's
included. Code that opens the database file itself (to read its header, say) while a read is
in progress lets another process take the file exclusively under that read: under a CLI
import beside the web app, that showed as "database disk image is malformed", "disk I/O
error" and failed imports. The probe is another process asking for the exclusive lock that a
journal-mode change needs; a read in progress here must keep refusing it.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from weakties.workspace import Workspace

PROBE = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=0)
try:
    print(conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0])
except sqlite3.OperationalError as exc:
    print("refused:", exc)
"""


def exclusive_refused(path: Path) -> bool:
    """Whether another process is refused the exclusive lock on ``path``."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, timeout=60
    )
    return out.stdout.startswith("refused")


@contextmanager
def read_in_progress(path: Path) -> Iterator[None]:
    """A read transaction held open on its own connection, as a slow page would."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM person").fetchone()
        yield
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_the_probe_sees_a_lock_dropped_by_opening_the_file(ws: Workspace, db_path: Path) -> None:
    """The check itself can fail: a plain open and close of the file does drop the lock."""
    with read_in_progress(db_path):
        assert exclusive_refused(db_path)
        db_path.open("rb").close()
        assert not exclusive_refused(db_path)


@pytest.mark.parametrize(
    "work",
    [
        pytest.param(lambda ws: ws.tie_graph(), id="tie_graph"),
        pytest.param(lambda ws: ws.encrypted, id="encrypted"),
    ],
)
def test_workspace_reads_leave_the_locks_of_a_read_in_progress(
    ws: Workspace, db_path: Path, work: Callable[[Workspace], object]
) -> None:
    ws.add_person("Jane Roe")
    with read_in_progress(db_path):
        work(ws)
        assert exclusive_refused(db_path)


def test_the_web_data_stamp_leaves_them_too(ws: Workspace, db_path: Path) -> None:
    from weakties.web.services import Services

    svc = Services(ws)
    try:
        with read_in_progress(db_path):
            svc.cache.version()  # its first call opens its connection
            assert exclusive_refused(db_path)
    finally:
        svc.cache.close()
