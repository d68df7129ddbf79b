"""Feature extraction + scoring throughput on synthetic events, beside a pandas groupby baseline.

Usage: ``python bench/scoring_bench.py [--events N] [--json]``. Both implementations compute
the same per-pair features (count, initiated-by-a, first, last, mean log gap, intimacy, ACT-R
activation) from the same arrays in one run; the figures to trust are the ratios. Each runs once
untimed first: on a fresh VM the first touch of memory costs several times the work itself.
pandas is a bench-only dependency.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from weakties.analysis.events import EventArrays
from weakties.analysis.features import CHANNEL_WEIGHTS, DAY, MIN_GAP_DAYS, pair_features
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


def ours(ev: EventArrays, now: float) -> int:
    f = pair_features(ev, now)
    s, _ = tie_strength(f, now)
    return len(s)


def with_pandas(ev: EventArrays, now: float) -> int:
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
    out = g.agg(
        count=("t", "size"),
        first_t=("t", "min"),
        last_t=("t", "max"),
        from_a=("init_a", "sum"),
        log_gap_sum=("log_gap", "sum"),
        intimacy=("inv_group", "sum"),
        activation=("act", "sum"),
    )
    return len(out)


def measure(
    fn: Callable[[EventArrays, float], int], ev: EventArrays, now: float, runs: int
) -> dict[str, float]:
    fn(ev, now)  # untimed warm-up: page faults on a fresh VM dwarf the work
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pairs = fn(ev, now)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn(ev, now)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    best = min(times)
    return {
        "seconds_best": best,
        "seconds_median": float(np.median(times)),
        "events_per_s": len(ev) / best,
        "peak_traced_mib": peak / 2**20,
        "pairs": pairs,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    ev = synthetic(args.events)
    now = float(ev.t.max())
    a = measure(ours, ev, now, args.runs)
    b = measure(with_pandas, ev, now, args.runs)
    assert a["pairs"] == b["pairs"], "the two implementations disagree on the pairs"
    result = {
        "events": args.events,
        "weakties": a,
        "pandas": b,
        "speedup": b["seconds_best"] / a["seconds_best"],
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
            f"  median {r['seconds_median']:.3f} s  peak {r['peak_traced_mib']:.0f} MiB  {r['pairs']} pairs"
        )
    print(
        f"speed-up over pandas ×{result['speedup']:.1f}; pandas peak memory ×{result['memory_ratio']:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
