"""Run one hostile case through ``weakties import`` in a real, bounded subprocess and judge it.

Bounds: ``TIME_LIMIT`` seconds of wall time (then the process group is killed: a hang) and
``RSS_LIMIT`` bytes of peak resident memory summed over the process tree (sampled every
20 ms, and the kernel's own peak for the main process); an address-space cap of
``AS_LIMIT`` (setrlimit) keeps a runaway allocation from taking the machine with it.

A case is *clean* when weakties either

* fails with exit code 1 and exactly one stderr line ``error: …`` naming the file, and the
  database's logical dump (``iterdump``) is unchanged apart from the failed run noted in the
  import history; or
* succeeds (exit 0, a partly good file, problems counted) and importing it again changes
  nothing (idempotent), with no control or bidi character kept in any stored name.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from tests.hostile.corpus import Case

TIME_LIMIT = 60.0
RSS_LIMIT = 1024**3
AS_LIMIT = 4 * 1024**3
ROOT = Path(__file__).resolve().parents[2]
SEED_VCARD = ROOT / "tests" / "importers" / "golden" / "vcard" / "iphone_3.0.vcf"


class Verdict(StrEnum):
    CLEAN = "clean"
    TRACEBACK = "traceback"
    HANG = "hang"
    OVER_MEMORY = "over memory"
    PARTIAL_WRITE = "partial write"
    UNCLEAR = "unclear message"


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    verdict: Verdict
    exit_code: int | None
    seconds: float
    peak_rss: int
    message: str

    def describe(self) -> str:
        return (
            f"{self.case.id}: {self.verdict} (exit {self.exit_code}, {self.seconds:.1f} s, "
            f"{self.peak_rss / 1024**2:.0f} MB): {self.message[:400]}"
        )


@dataclass(frozen=True, slots=True)
class Run:
    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int


def _limits() -> None:
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    total = 0
    stack = [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * page
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def weakties(
    db: Path | str, *args: str, timeout: float = TIME_LIMIT, cwd: Path | None = None
) -> Run:
    """``weakties --db DB ARGS`` as a bounded subprocess, with its peak tree RSS."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONPATH": str(ROOT / "src")}
    env.pop("WEAKTIES_DEBUG", None)
    command = [sys.executable, "-m", "weakties", "--db", str(db), *args]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        preexec_fn=_limits,
        env=env,
        cwd=cwd,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, _tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        code = None
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    return Run(
        code,
        stdout.decode(errors="replace"),
        stderr.decode(errors="replace"),
        seconds,
        peak,
    )


def make_template(folder: Path) -> Path:
    """A database with an owner and a few contacts, which every case starts from."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "template.db"
    for args in (
        ("init", "--name", "Me Owner", "--email", "me@example.com"),
        ("import", str(SEED_VCARD)),
    ):
        run = weakties(db, *args)
        if run.exit_code != 0:
            raise RuntimeError(f"cannot build the template database: {run.stderr}")
    return db


def dump(db: Path) -> tuple[list[str], list[tuple[object, ...]]]:
    """The logical dump of every table but the import history, and the import history rows."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        lines = [
            line
            for line in conn.iterdump()
            if not line.startswith('INSERT INTO "import_run"')
            and not line.startswith('INSERT INTO "sqlite_sequence"')
        ]
        runs = conn.execute("SELECT id, importer, status FROM import_run ORDER BY id").fetchall()
    finally:
        conn.close()
    return lines, runs


def stored_names(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM person")]
        names += (
            [r[0] for r in conn.execute("SELECT name FROM alias")] if _has(conn, "alias") else []
        )
    finally:
        conn.close()
    return [n for n in names if n]


def _has(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,))
    return row.fetchone() is not None


def _unclean_name(name: str) -> bool:
    return any(unicodedata.category(c).startswith("C") for c in name)


def run_case(case: Case, template: Path, work: Path) -> Outcome:
    """Build the case's file in ``work``, import it into a copy of ``template``, judge it."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "case.db"
    shutil.copyfile(template, db)
    before, runs_before = dump(db)
    target = case.build(work)
    args = ["import", str(target), *case.args] + (["--format", case.fmt] if case.fmt else [])
    run = weakties(db, *args)
    peak, seconds = run.peak_rss, run.seconds

    def outcome(verdict: Verdict, message: str) -> Outcome:
        return Outcome(case, verdict, run.exit_code, seconds, peak, message)

    if run.exit_code is None:
        return outcome(Verdict.HANG, f"killed after {TIME_LIMIT:.0f} s")
    if peak > RSS_LIMIT:
        return outcome(Verdict.OVER_MEMORY, f"peak RSS {peak / 1024**2:.0f} MB")
    if "Traceback" in run.stderr or "Traceback" in run.stdout or run.exit_code not in (0, 1):
        tail = (run.stderr.strip().splitlines() or ["(no output)"])[-1]
        return outcome(Verdict.TRACEBACK, f"exit {run.exit_code}: {tail}")
    after, runs_after = dump(db)
    if run.exit_code == 1:
        new_runs = runs_after[len(runs_before) :]
        if (
            after != before
            or runs_after[: len(runs_before)] != runs_before
            or any(status != "failed" for _, _, status in new_runs)
        ):
            changed = sorted(set(after) ^ set(before))[:3]
            return outcome(Verdict.PARTIAL_WRITE, f"database changed: {changed or new_runs}")
        lines = run.stderr.strip().splitlines()
        if (
            len(lines) != 1
            or not lines[0].startswith("error: ")
            or not _names_file(lines[0], target)
        ):
            return outcome(Verdict.UNCLEAR, repr(run.stderr.strip()[:400]))
        return outcome(Verdict.CLEAN, lines[0])
    again = weakties(db, *args)
    peak = max(peak, again.peak_rss)
    seconds += again.seconds
    if again.exit_code != 0:
        return outcome(Verdict.PARTIAL_WRITE, f"re-import failed: {again.stderr.strip()[:300]}")
    if dump(db)[0] != after:
        return outcome(Verdict.PARTIAL_WRITE, "re-import changed the database (not idempotent)")
    if case.expect_names_clean:
        bad = [n for n in stored_names(db) if _unclean_name(n)]
        if bad:
            return outcome(Verdict.UNCLEAR, f"names keep control characters: {bad[:3]!r}")
    summary = (run.stdout.strip().splitlines() or [""])[0]
    return outcome(Verdict.CLEAN, summary)


def _names_file(line: str, target: Path) -> bool:
    from weakties.cli.app import one_line

    return one_line(target.name) in line
