"""A throwaway PostgreSQL server for the tests that run the store on PostgreSQL for real.

``initdb`` makes a cluster in a temporary folder and ``pg_ctl`` starts it on a Unix socket
there (no TCP port is opened); it is stopped and removed at the end. PostgreSQL refuses to
run as root, so under root the server runs as the ``postgres`` user that Debian's package
creates. Without PostgreSQL the tests are skipped, except in CI (``CI`` set), where a missing
server is a failure: ``.ci/run`` installs it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {why}")
    pytest.skip(why)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a private PostgreSQL server; yields the folder holding its socket."""
    initdb, pg_ctl = _tool("initdb"), _tool("pg_ctl")
    if initdb is None or pg_ctl is None:
        _unavailable("PostgreSQL's initdb and pg_ctl are not installed")
    assert initdb is not None and pg_ctl is not None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[postgres]')")
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            _unavailable("running as root without runuser to start PostgreSQL as another user")
        as_user = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="weakties-pg-"))
    data, socket_dir = root / "data", root / "socket"
    socket_dir.mkdir()
    if as_user:
        shutil.chown(root, "postgres")
        shutil.chown(socket_dir, "postgres")
        os.chmod(root, 0o755)
    run = [*as_user, initdb, "-D", str(data), "-U", "weakties", "-A", "trust", "-E", "UTF8"]
    subprocess.run([*run, "--no-locale"], check=True, capture_output=True)
    options = f"-k {socket_dir} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    start = [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w"]
    subprocess.run([*start, "start"], check=True, capture_output=True)
    try:
        yield str(socket_dir)
    finally:
        stop = [*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"]
        subprocess.run(stop, check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def create_database(socket_dir: str, name: str) -> str:
    """A fresh database on the server; returns its SQLAlchemy URL."""
    import psycopg

    with psycopg.connect(host=socket_dir, user="weakties", dbname="postgres") as conn:
        conn.autocommit = True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://weakties@/{name}?host={socket_dir}"
