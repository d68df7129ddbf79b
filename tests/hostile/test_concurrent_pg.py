"""Two ``weakties import`` processes at once on PostgreSQL (tests/pgserver.py): nothing lost.

Both imports finish, or one fails with a one-line error and wrote nothing; either way the
failed one then imports cleanly, and the database ends as two sequential imports leave it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.runner import ROOT, weakties
from tests.hostile.test_crash import ME, _mbox
from tests.pgserver import create_database, postgres_server


@pytest.fixture(scope="module")
def pg_socket() -> Iterator[str]:
    with postgres_server() as socket_dir:
        yield socket_dir


def _people_and_interactions(url: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            people = conn.execute(text("SELECT count(*) FROM person")).scalar_one()
            events = conn.execute(text("SELECT count(*) FROM interaction")).scalar_one()
    finally:
        engine.dispose()
    return int(people), int(events)


def test_two_imports_at_once_on_postgres(pg_socket: str, tmp_path: Path) -> None:
    first = _mbox(tmp_path / "a.mbox", 6_000, 120, "example.org")
    second = _mbox(tmp_path / "b.mbox", 6_000, 120, "example.net")
    url = create_database(pg_socket, "concurrent")
    oracle = create_database(pg_socket, "sequential")
    for target in (url, oracle):
        assert weakties(target, "init", "--name", "Me Owner", "--email", ME).exit_code == 0
    env = {"PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "weakties", "--db", url, "import"]
    processes = [
        subprocess.Popen(
            [*command, str(path), "--me", ME],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **env},
        )
        for path in (first, second)
    ]
    failed = []
    for process, path in zip(processes, (first, second), strict=True):
        _out, err = process.communicate(timeout=120)
        text = err.decode()
        assert "Traceback" not in text, text
        if process.returncode != 0:
            assert process.returncode == 1
            assert len(text.strip().splitlines()) == 1 and text.startswith("error: "), text
            failed.append(path)
    assert len(failed) < 2
    for path in failed:
        again = weakties(url, "import", str(path), "--me", ME)
        assert again.exit_code == 0, again.stderr
    for path in (first, second):
        assert weakties(oracle, "import", str(path), "--me", ME).exit_code == 0
    assert _people_and_interactions(url) == _people_and_interactions(oracle)
