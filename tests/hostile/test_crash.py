"""Crashes and concurrent writers: SIGKILL mid-import, and two imports plus a third writer at once.

The import runs as a real ``weakties import`` subprocess on a generated mbox. Killed with
SIGKILL at several points of its run (fractions of a measured full import), the database must
pass ``PRAGMA integrity_check``, keep exactly its previous logical dump (row counts included),
and a clean re-import must then give what an uninterrupted import gives.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile.runner import ROOT, dump, make_template, weakties

ME = "me@example.com"


def _mbox(path: Path, messages: int, correspondents: int, domain: str) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for i in range(messages):
            who = f"person{i % correspondents}@{domain}"
            sender, to = (ME, who) if i % 3 else (who, ME)
            day = 1 + i % 28
            out.write(
                f"From {sender} Mon Jan  1 00:00:00 2024\n"
                f"From: Person {i % correspondents} <{sender}>\nTo: {to}\n"
                f"Date: Mon, {day} Jan 2024 10:{i % 60:02d}:00 +0000\n"
                f"Message-ID: <m{i}@{domain}>\nSubject: hello\n\nbody {i}\n\n"
            )
    return path


_STAMP = re.compile(r"'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?'")


def _untimed(lines: list[str]) -> list[str]:
    """The dump without the wall-clock times rows were written at (they differ per run)."""
    return [_STAMP.sub("'T'", line) for line in lines]


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if not r[0].startswith(("sqlite_", "alembic", "import_run"))
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _start_import(db: Path, path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "weakties", "--db", str(db), "import", str(path), "--me", ME],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("crash-template"))


def test_sigkill_mid_import_leaves_the_database_as_it_was(template: Path, tmp_path: Path) -> None:
    mbox = _mbox(tmp_path / "big.mbox", 30_000, 400, "example.org")
    reference = tmp_path / "reference.db"
    reference.write_bytes(template.read_bytes())
    started = time.perf_counter()
    full = weakties(reference, "import", str(mbox), "--me", ME)
    duration = time.perf_counter() - started
    assert full.exit_code == 0, full.stderr
    expected = dump(reference)[0]
    assert _counts(reference)["interaction"] >= 30_000 - 10

    before_lines, before_runs = dump(template)
    before_counts = _counts(template)
    mid_import = 0
    for fraction in (0.15, 0.3, 0.5, 0.7, 0.85):
        db = tmp_path / f"killed-{fraction}.db"
        db.write_bytes(template.read_bytes())
        process = _start_import(db, mbox)
        time.sleep(duration * fraction)
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        assert _integrity(db) == "ok"
        if process.returncode == 0 or _counts(db) != before_counts:
            # the kill came after the commit (the machine was fast): all of it is there
            assert _untimed(dump(db)[0]) == _untimed(expected)
            continue
        assert process.returncode == -signal.SIGKILL
        mid_import += 1
        assert dump(db) == (before_lines, before_runs)
        again = weakties(db, "import", str(mbox), "--me", ME)
        assert again.exit_code == 0, again.stderr
        assert _untimed(dump(db)[0]) == _untimed(expected)
    assert mid_import >= 1, "every kill came after the commit: make the mbox larger"


def test_two_imports_and_a_writer_at_once(template: Path, tmp_path: Path) -> None:
    """Both imports finish, or one fails with a one-line 'locked' error and wrote nothing."""
    first = _mbox(tmp_path / "a.mbox", 20_000, 150, "example.org")
    second = _mbox(tmp_path / "b.mbox", 20_000, 150, "example.net")
    db = tmp_path / "shared.db"
    db.write_bytes(template.read_bytes())
    imports = [_start_import(db, first), _start_import(db, second)]
    time.sleep(0.5)
    writer = weakties(db, "add", "person", "Walter Writer")
    results = [(p, *p.communicate()) for p in imports]

    done = []
    for (process, _out, err), path in zip(results, (first, second), strict=True):
        text = err.decode()
        assert "Traceback" not in text
        if process.returncode == 0:
            done.append(path)
        else:
            assert process.returncode == 1
            lines = text.strip().splitlines()
            assert len(lines) == 1 and "locked" in lines[0], text
    assert done, "neither import finished"
    assert writer.exit_code in (0, 1) and "Traceback" not in writer.stderr
    if writer.exit_code == 1:
        assert "locked" in writer.stderr
    assert _integrity(db) == "ok"

    # nothing lost: what finished is all there, as a sequential import of the same files gives
    sequential = tmp_path / "sequential.db"
    sequential.write_bytes(template.read_bytes())
    for path in done:
        assert weakties(sequential, "import", str(path), "--me", ME).exit_code == 0
    if writer.exit_code == 0:
        assert weakties(sequential, "add", "person", "Walter Writer").exit_code == 0
    got, want = _counts(db), _counts(sequential)
    assert got["interaction"] == want["interaction"]
    assert got["person"] == want["person"]
    # and a failed import imports cleanly afterwards
    for path in {first, second} - set(done):
        assert weakties(db, "import", str(path), "--me", ME).exit_code == 0


def test_an_import_blocked_past_the_busy_timeout_fails_in_one_line(
    template: Path, tmp_path: Path
) -> None:
    """Another program holds the write lock longer than weakties waits (busy_timeout)."""
    mbox = _mbox(tmp_path / "small.mbox", 200, 20, "example.org")
    db = tmp_path / "held.db"
    db.write_bytes(template.read_bytes())
    before = dump(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        blocked = weakties(db, "import", str(mbox), "--me", ME)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    lines = blocked.stderr.strip().splitlines()
    assert blocked.exit_code == 1, blocked.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and "locked" in lines[0]
    assert "Traceback" not in blocked.stderr
    assert dump(db) == before
    assert weakties(db, "import", str(mbox), "--me", ME).exit_code == 0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_web_app_writes_while_two_imports_run(template: Path, tmp_path: Path) -> None:
    """The real app on the same file: every write is done (201) or refused as busy (503)."""
    pytest.importorskip("fastapi")
    from tests.web.conftest import make_client
    from weakties.workspace import Workspace

    first = _mbox(tmp_path / "a.mbox", 20_000, 150, "example.org")
    second = _mbox(tmp_path / "b.mbox", 20_000, 150, "example.net")
    db = tmp_path / "shared.db"
    db.write_bytes(template.read_bytes())
    with Workspace.open(str(db)) as ws:
        client = make_client(ws)
        imports = [_start_import(db, first), _start_import(db, second)]
        made, busy = [], 0
        deadline = time.monotonic() + 60
        i = 0
        while any(p.poll() is None for p in imports) and time.monotonic() < deadline:
            answer = client.post(
                "/api/people", json={"name": f"Web Person {i}"}, headers=client.bearer
            )
            assert answer.status_code in (201, 503), answer.text
            if answer.status_code == 201:
                made.append(f"Web Person {i}")
            else:
                busy += 1
                assert "locked" in answer.text
            i += 1
        results = [p.communicate() for p in imports]
    for process, (_out, err) in zip(imports, results, strict=True):
        assert "Traceback" not in err.decode()
        assert process.returncode == 0 or "locked" in err.decode()
    assert made, "no web write got through"
    conn = sqlite3.connect(db)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM person")}
    finally:
        conn.close()
    assert set(made) <= names  # every write the app confirmed is there
    assert _integrity(db) == "ok"
