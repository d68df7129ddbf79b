"""Cold start-up of the CLI beside the bare interpreter (issue: at most 0.4 s above it).

Runs each command several times in fresh processes and reports medians:
``python -c pass`` (the baseline), ``weakties --help``, and ``weakties people`` on the demo
database (built first if missing). Usage: ``python bench/startup.py [--runs N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _time(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument(
        "--db", help="demo database to list (default: a fresh one in a temp folder)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="0")
    weakties = [sys.executable, "-m", "weakties"]
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "demo.db"
    if not db.exists():
        subprocess.run(
            [*weakties, "demo", "--db", str(db)], check=True, stdout=subprocess.DEVNULL, env=env
        )
    for warm in ([sys.executable, "-c", "pass"], [*weakties, "--help"]):
        subprocess.run(warm, check=True, stdout=subprocess.DEVNULL, env=env)  # compile caches
    base = _time([sys.executable, "-c", "pass"], args.runs, env)
    help_s = _time([*weakties, "--help"], args.runs, env)
    people_s = _time([*weakties, "--db", str(db), "people", "-n", "50"], args.runs, env)
    result = {
        "runs": args.runs,
        "python_pass_s": round(base, 4),
        "help_s": round(help_s, 4),
        "people_s": round(people_s, 4),
        "help_over_python_s": round(help_s - base, 4),
        "people_over_python_s": round(people_s - base, 4),
        "goal_over_python_s": 0.4,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"median of {args.runs} cold runs")
    print(f"  python -c pass            {base * 1000:7.1f} ms  (baseline)")
    print(
        f"  weakties --help           {help_s * 1000:7.1f} ms  (+{(help_s - base) * 1000:.0f} ms)"
    )
    print(
        f"  weakties people (demo db) {people_s * 1000:7.1f} ms  (+{(people_s - base) * 1000:.0f} ms)"
    )
    print("  goal: at most +400 ms over the bare interpreter")


if __name__ == "__main__":
    main()
