"""Feature extraction + scoring throughput on synthetic events, beside a pandas groupby baseline.

Usage: ``python bench/scoring_bench.py [--events N] [--runs R] [--json]``. Both implementations
compute the same per-pair features (count, initiated-by-a, first, last, mean log gap, intimacy,
ACT-R activation) from the same arrays in one run, and the run fails unless they agree; the
figures to trust are the ratios. Each runs once untimed first: on a fresh VM the first touch of
memory costs several times the work itself. CPU seconds are reported beside wall seconds: on a
shared machine they show the work done when other processes hold the cores. pandas is a
bench-only dependency.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from weakties.analysis.events import EventArrays
from weakties.analysis.features import (
    CHANNEL_WEIGHTS,
    DAY,
    MIN_GAP_DAYS,
    PairFeatures,
    pair_features,
)
from weakties.analysis.strength import tie_strength


def synthetic(n: int, seed: int = 0) -> EventArrays:
    """``n`` events over 5 years; pair activity Pareto(1.2) so a few ties carry most contacts."""
    rng = np.random.default_rng(seed)
    people = max(1_000, n // 20)
    pairs = max(100, n // 10)
    u = rng.integers(0, people, pairs)
    v = (u + 1 + rng.integers(0, people - 1, pairs)) % people
    weight = rng.pareto(1.2, pairs) + 1.0
    which = rng.choice(pairs, size=n, p=weight / weight.sum())
    t = np.sort(rng.uniform(1.5e9, 1.5e9 + 5 * 365 * DAY, n))
    return EventArrays.from_columns(
        u[which],
        v[which],
        t,
        channel=rng.choice(6, size=n, p=[0.45, 0.1, 0.1, 0.3, 0.03, 0.02]).astype(np.int8),
        group=np.where(rng.random(n) < 0.8, 2, rng.integers(3, 12, n)).astype(np.int32),
        u_initiated=rng.random(n) < 0.5,
    )


def ours(ev: EventArrays, now: float) -> PairFeatures:
    f = pair_features(ev, now)
    tie_strength(f, now)
    return f


def with_pandas(ev: EventArrays, now: float) -> pd.DataFrame:
    lo = np.minimum(ev.u, ev.v)
    df = pd.DataFrame(
        {
            "a": lo,
            "b": np.maximum(ev.u, ev.v),
            "t": ev.t,
            "init_a": ev.u_initiated == (ev.u == lo),
            "inv_group": 1.0 / (ev.group - 1.0),
            "cw": np.asarray(CHANNEL_WEIGHTS)[ev.channel],
        }
    )
    df = df[df.a != df.b].sort_values(["a", "b", "t"], kind="stable")
    g = df.groupby(["a", "b"], sort=True)
    gap = g["t"].diff() / DAY
    df["log_gap"] = np.log(np.maximum(gap.fillna(MIN_GAP_DAYS), MIN_GAP_DAYS))
    df["act"] = df.cw * df.inv_group * ((now - df.t) / DAY + 1.0) ** -0.5
    return g.agg(
        count=("t", "size"),
        first_t=("t", "min"),
        last_t=("t", "max"),
        from_a=("init_a", "sum"),
        log_gap_sum=("log_gap", "sum"),
        intimacy=("inv_group", "sum"),
        activation=("act", "sum"),
    )


def disagreements(f: PairFeatures, table: pd.DataFrame) -> list[str]:
    """Features on which the two implementations differ (sums to rounding, the rest exactly)."""
    out: list[str] = []
    if not (
        np.array_equal(f.a, table.index.get_level_values("a"))
        and np.array_equal(f.b, table.index.get_level_values("b"))
    ):
        return ["pairs"]
    for name in ("count", "from_a", "first_t", "last_t"):
        if not np.array_equal(getattr(f, name), table[name].to_numpy()):
            out.append(name)
    for name in ("log_gap_sum", "intimacy", "activation"):
        if not np.allclose(getattr(f, name), table[name].to_numpy(), rtol=1e-9, atol=1e-9):
            out.append(name)
    return out


def measure(
    fn: Callable[[EventArrays, float], Any], ev: EventArrays, now: float, runs: int
) -> tuple[dict[str, float], Any]:
    """Timings of ``fn`` (after one untimed warm-up), its traced memory peak and its result."""
    result = fn(ev, now)  # untimed warm-up: page faults on a fresh VM dwarf the work
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(ev, now)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    tracemalloc.start()
    fn(ev, now)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    best = min(times)
    stats = {
        "seconds_best": best,
        "seconds_median": float(np.median(times)),
        "cpu_seconds_median": float(np.median(cpu)),
        "events_per_s": len(ev) / best,
        "events_per_s_median": len(ev) / float(np.median(times)),
        "peak_traced_mib": peak / 2**20,
        "pairs": len(result),
    }
    return stats, result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    ev = synthetic(args.events)
    now = float(ev.t.max())
    a, features = measure(ours, ev, now, args.runs)
    b, table = measure(with_pandas, ev, now, args.runs)
    differ = disagreements(features, table)
    if differ:
        raise SystemExit(f"the two implementations disagree on: {', '.join(differ)}")
    del features, table
    result = {
        "events": args.events,
        "weakties": a,
        "pandas": b,
        "speedup": b["seconds_best"] / a["seconds_best"],
        "speedup_median": b["seconds_median"] / a["seconds_median"],
        "cpu_ratio": b["cpu_seconds_median"] / a["cpu_seconds_median"],
        "memory_ratio": b["peak_traced_mib"] / max(a["peak_traced_mib"], 1e-9),
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if args.json:
        print(json.dumps(result))
        return 0
    for name in ("weakties", "pandas"):
        r = result[name]
        assert isinstance(r, dict)
        print(
            f"{name:9s} {r['events_per_s'] / 1e6:6.2f} M events/s  best {r['seconds_best']:.3f} s"
            f"  median {r['seconds_median']:.3f} s ({r['events_per_s_median'] / 1e6:.2f} M/s)"
            f"  cpu {r['cpu_seconds_median']:.3f} s  peak {r['peak_traced_mib']:.0f} MiB"
            f"  {r['pairs']} pairs"
        )
    print(
        f"speed-up over pandas ×{result['speedup']:.1f} best, ×{result['speedup_median']:.1f}"
        f" median, ×{result['cpu_ratio']:.1f} in CPU time; features agree;"
        f" pandas peak memory ×{result['memory_ratio']:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
