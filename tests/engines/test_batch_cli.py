"""`weakties batch` from the command line: both engines, a workspace and a community."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import weakties.__main__ as weakties_main
from tests.conftest import Cli
from weakties.workspace.community import Community
from weakties.workspace.community_demo import build_community_demo


def weakties(db: Path, *args: str) -> Any:
    """Run the real CLI in a child process (its own Spark session and JVM)."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "weakties"), "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def arcs(db: Path) -> list[tuple[int, int, int, float, float]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT member_id, a_id, b_id, p_ab, p_ba FROM pool_arc ORDER BY member_id, a_id, b_id"
        ).fetchall()
    return [tuple(r) for r in rows]


def test_batch_refuses_what_it_cannot_do(cli: Cli) -> None:
    wrong = cli("batch", "--engine", "hadoop")
    assert wrong.exit_code != 0 and "unknown engine 'hadoop'" in wrong.output
    assert "Traceback" not in wrong.output
    master = cli("batch", "--master", "spark://example.com:7077")
    assert master.exit_code != 0 and "--engine spark" in master.output


def test_batch_local_on_a_workspace(cli: Cli) -> None:
    cli.ok("add", "person", "Sam Lee", "-e", "sam@example.com")
    cli.ok("log", "sam", "-c", "call", "--when", "2026-11-30 10:00")
    out = json.loads(cli.ok("batch", "--json").output)
    assert out["engine"] == "local" and out["ties"] == 1
    assert [s["name"] for s in out["steps"]] == [
        "load facts",
        "score ties",
        "write ties",
        "knows and path index",
        "write path index",
    ]


@pytest.mark.usefixtures("spark")
def test_batch_on_spark_publishes_a_community_as_the_local_engine_does(tmp_path: Path) -> None:
    pyspark = pytest.importorskip("pyspark")
    db = tmp_path / "community.db"
    with Community.open(str(db)) as c:
        build_community_demo(c, members=5, contacts=30, seed=3)
    local = weakties(db, "batch", "--json")
    assert local["members"] == 5
    before = arcs(db)
    assert len(before) > 100
    spark = weakties(db, "batch", "--engine", "spark", "--master", "local[2]", "--json")
    assert spark["engine"] == "spark" and spark["members"] == 5
    assert [s["name"] for s in spark["steps"]] == ["start Spark", "publish members"]
    after = arcs(db)
    assert [r[:3] for r in after] == [r[:3] for r in before]
    for x, y in zip(before, after, strict=True):
        assert x[3] == pytest.approx(y[3], rel=1e-9) and x[4] == pytest.approx(y[4], rel=1e-9)

    # Handed to spark-submit, weakties runs on the master spark-submit was given.
    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    main = Path(weakties_main.__file__).resolve()
    args = ["--db", str(db), "batch", "--engine", "spark", "--json"]
    done = subprocess.run(
        [str(submit), "--master", "local[1]", str(main), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYSPARK_PYTHON": sys.executable, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    submitted = json.loads(done.stdout)
    assert submitted["master"] == "local[1]" and submitted["members"] == 5
    again = arcs(db)
    assert [r[:3] for r in again] == [r[:3] for r in before]
    for x, y in zip(before, again, strict=True):
        assert x[3] == pytest.approx(y[3], rel=1e-9) and x[4] == pytest.approx(y[4], rel=1e-9)
