"""Cost of self-calibration beside the rescore it precedes, on synthetic events.

Usage: ``python bench/calibration_bench.py [--events N ...] [--json]``. For each size the
same events are scored as a rescore does without calibration (pair features and tie strength
at ``T``: the baseline) and then calibrated (the inner split, both inner tasks and both fits);
the ratio says how much calibrating adds to a rescore. Wall and CPU seconds are printed: on a
shared machine the CPU seconds show the work when other processes hold the cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from typing import Any

from scoring_bench import ours, synthetic
from weakties.analysis.calibration import calibrate


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[10**5, 10**6, 10**7])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for n in args.events:
        ev = synthetic(n)
        now = float(ev.t.max())
        ours(ev, now)  # first touch of memory, untimed
        score_wall, score_cpu = timed(lambda: ours(ev, now))  # noqa: B023
        cal_wall, cal_cpu = timed(lambda: calibrate(ev, now))  # noqa: B023
        rows.append(
            {
                "events": n,
                "rescore_seconds": round(score_wall, 3),
                "rescore_cpu_seconds": round(score_cpu, 3),
                "calibrate_seconds": round(cal_wall, 3),
                "calibrate_cpu_seconds": round(cal_cpu, 3),
                "calibrate_over_rescore": round(cal_wall / score_wall, 2),
            }
        )
        if not args.json:
            print(
                f"{n:>11,} events  rescore {score_wall:6.2f} s (cpu {score_cpu:6.2f})  "
                f"calibrate {cal_wall:6.2f} s (cpu {cal_cpu:6.2f})  "
                f"ratio {cal_wall / score_wall:5.2f}×",
                flush=True,
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps({"runs": rows, "peak_rss_mb": round(peak)}))
    else:
        print(f"peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
