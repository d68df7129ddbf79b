"""The batch jobs on both engines: local (numpy/scipy) beside Spark in local mode, same run.

Usage: ``python bench/spark_bench.py [--sizes 100000,1000000,10000000] [--master local[*]]
[--json]``.

Per size, a synthetic community's interaction table is generated: ``N`` interactions among
``N/4`` people (at least 2,000), 88% one-to-one and the rest threads and meetings of 3 to 6
(one in 25 of them a list of 60, above the clique limit), pair activity heavy-tailed (Pareto 1.2), over five
years, one owner in 2,000 of them. Both engines then run the two batch jobs of ``weakties batch`` on the same
facts:

- **ties**: expand interactions into pairwise events, group by pair, calibrate on the history,
  score every tie (``build_network``);
- **knows + paths**: closure sums of every candidate pair, knows probabilities, the path
  graph's arcs (``graph_edges``) and the CSR index (``TieGraph.from_edges``).

Printed per size and engine: seconds per job, the Spark/local ratio, and whether the answers
are equal (features, strengths and arc probabilities to a relative 1e-9; pairs, categories and
arcs exactly); then how each engine's time grows per tenfold size (the exponent of the fit
``time ∝ size^k``). Spark's session start (a JVM) is timed once, apart. Spark in local mode on
a laptop's cores is the floor of what a cluster adds: the same jobs, no network; the figure
to read is how each engine grows, and where the local engine runs out of memory.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from weakties.analysis.features import DAY
from weakties.analysis.graph import TieGraph
from weakties.engines.local import build_network, graph_edges
from weakties.store.facts import Facts

RTOL = 1e-9


def community(interactions: int, seed: int = 0) -> Facts:
    """A community's interaction table of about ``interactions`` interactions (see above)."""
    rng = np.random.default_rng(seed)
    n = interactions
    people = max(2_000, n // 4)
    size = np.where(
        rng.random(n) < 0.88, 2, np.where(rng.random(n) < 0.96, rng.integers(3, 7, n), 60)
    )
    # who: a heavy-tailed choice of "home pairs" for one-to-one contact, random others in groups
    pairs = max(100, n // 3)
    pa = rng.integers(0, people, pairs)
    pb = (pa + 1 + rng.integers(0, people - 1, pairs)) % people
    weight = rng.pareto(1.2, pairs) + 1.0
    home = rng.choice(pairs, size=n, p=weight / weight.sum())
    rows = int(size.sum())
    interaction = np.repeat(np.arange(n, dtype=np.int64), size)
    start = np.cumsum(size) - size
    pos = np.arange(rows) - np.repeat(start, size)
    person = rng.integers(0, people, rows)
    # one-to-one contact follows the home pairs; threads and lists are started by anyone (were
    # they started by the busiest pairs, those few people would become hubs whose degree grows
    # with the size, and the three-step closure sums with the square of that degree)
    pair_row = np.repeat(size == 2, size)
    person[(pos == 0) & pair_row] = pa[home][size == 2]
    person[(pos == 1) & pair_row] = pb[home][size == 2]
    # the owner (person 0) takes part in 2,000 interactions whatever the community's size: one
    # person's history does not grow with the community (a hub that did would make the
    # three-step closure sums grow as the square of the size, on either engine)
    mine = rng.choice(n, size=min(n // 2, 2_000), replace=False)
    person[start[mine]] = 0
    t = np.repeat(rng.uniform(1.5e9, 1.5e9 + 5 * 365 * DAY, n), size)
    channel = np.repeat(
        rng.choice(6, size=n, p=[0.45, 0.1, 0.1, 0.3, 0.03, 0.02]).astype(np.int8), size
    )
    initiator = pos == np.repeat(rng.integers(-1, 2, n), size)  # some have none
    empty_i, empty_f = np.zeros(0, np.int64), np.zeros(0)
    return Facts(
        me=0,
        people=np.arange(people, dtype=np.int64),
        do_not_ask=empty_i,
        p_interaction=interaction,
        p_person=person.astype(np.int64),
        p_initiator=initiator,
        p_time=t,
        p_channel=channel,
        link_a=empty_i,
        link_b=empty_i,
        link_time=empty_f,
        favour_giver=empty_i,
        favour_receiver=empty_i,
        favour_weight=empty_f,
        favour_time=empty_f,
        intro_by=empty_i,
        intro_a=empty_i,
        intro_b=empty_i,
        intro_time=empty_f,
        aff_person=empty_i,
        aff_org=empty_i,
        aff_start=empty_f,
        aff_end=empty_f,
        knows_a=empty_i,
        knows_b=empty_i,
        rating_person=empty_i,
        rating_value=empty_f,
        fingerprint="",
    )


@dataclass
class Run:
    ties_s: float
    paths_s: float
    net: Any
    edges: Any
    graph_arcs: int


def run(facts: Facts, now: float, kernels: Any) -> Run:
    engine = "local" if kernels is None else "spark"
    started = time.perf_counter()
    net = build_network(facts, now, calibrated=True, kernels=kernels)
    ties_s = time.perf_counter() - started
    print(f"  {engine}: ties {ties_s:.1f} s", file=sys.stderr, flush=True)
    started = time.perf_counter()
    edges = graph_edges(net, facts, kernels)
    graph = TieGraph.from_edges(
        edges.src, edges.dst, edges.p_forward, edges.p_backward, people=facts.people
    )
    paths_s = time.perf_counter() - started
    print(f"  {engine}: knows+paths {paths_s:.1f} s", file=sys.stderr, flush=True)
    return Run(ties_s, paths_s, net, edges, len(graph.indices))


def disagreements(x: Run, y: Run) -> list[str]:
    """What differs between two runs' answers (empty: equal within the stated tolerance)."""
    out: list[str] = []
    f, g = x.net.features, y.net.features
    if not (np.array_equal(f.a, g.a) and np.array_equal(f.b, g.b)):
        return ["pairs"]
    for name in ("count", "count_by_channel", "from_a"):
        if not np.array_equal(getattr(f, name), getattr(g, name)):
            out.append(name)
    for name in ("first_t", "last_t", "log_gap_sum", "intimacy", "activation", "mutual_contacts"):
        if not np.allclose(getattr(f, name), getattr(g, name), rtol=RTOL, atol=0, equal_nan=True):
            out.append(name)
    if not np.allclose(x.net.strength, y.net.strength, rtol=RTOL, atol=1e-12):
        out.append("strength")
    if not np.array_equal(x.net.category, y.net.category):
        out.append("category")
    if x.net.calibration != y.net.calibration:
        out.append("calibration")
    e, h = x.edges, y.edges
    if not (np.array_equal(e.src, h.src) and np.array_equal(e.dst, h.dst)):
        out.append("arcs")
    elif not (
        np.allclose(e.p_forward, h.p_forward, rtol=RTOL, atol=1e-12)
        and np.allclose(e.p_backward, h.p_backward, rtol=RTOL, atol=1e-12)
    ):
        out.append("arc probabilities")
    return out


def growth(sizes: list[int], seconds: list[float]) -> float:
    """The exponent ``k`` of ``seconds ∝ size^k`` (least squares on logs)."""
    if len(sizes) < 2:
        return float("nan")
    return float(np.polyfit(np.log10(sizes), np.log10(seconds), 1)[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    from weakties.engines.spark import SparkKernels, spark_session

    started = time.perf_counter()
    session = spark_session(args.master, driver_memory="8g")
    start_s = time.perf_counter() - started
    say = (lambda *_: None) if args.json else print
    say(f"Spark session on {args.master}: {start_s:.1f} s to start (once per batch run)")
    say(
        f"{'interactions':>13} {'people':>8} {'pairs':>10} {'arcs':>10} {'engine':>6} "
        f"{'ties s':>8} {'knows+paths s':>14} {'total s':>8} {'spark/local':>12}  answers"
    )
    rows: list[dict[str, Any]] = []
    all_equal = True
    try:
        for n in sizes:
            facts = community(n)
            now = float(facts.p_time.max()) + DAY
            local = run(facts, now, None)
            with SparkKernels(session) as kernels:
                spark = run(facts, now, kernels)
            diff = disagreements(local, spark)
            all_equal &= not diff
            ratio = (spark.ties_s + spark.paths_s) / (local.ties_s + local.paths_s)
            for name, r in (("local", local), ("spark", spark)):
                row = {
                    "interactions": n,
                    "participations": len(facts.p_interaction),
                    "people": len(facts.people),
                    "pairs": len(r.net.features),
                    "arcs": len(r.edges.src),
                    "engine": name,
                    "ties_s": round(r.ties_s, 3),
                    "knows_paths_s": round(r.paths_s, 3),
                    "total_s": round(r.ties_s + r.paths_s, 3),
                    "spark_over_local": round(ratio, 2),
                    "answers_equal": not diff,
                    "differs": diff,
                }
                rows.append(row)
                say(
                    f"{n:>13,} {row['people']:>8,} {row['pairs']:>10,} {row['arcs']:>10,} "
                    f"{name:>6} {r.ties_s:>8.2f} {r.paths_s:>14.2f} {row['total_s']:>8.2f} "
                    f"{ratio if name == 'spark' else 1.0:>12.2f}  "
                    + ("equal" if not diff else "DIFFER: " + ", ".join(diff))
                )
            del local, spark, facts
    finally:
        session.stop()
    grow = {
        name: growth(
            [r["interactions"] for r in rows if r["engine"] == name],
            [r["total_s"] for r in rows if r["engine"] == name],
        )
        for name in ("local", "spark")
    }
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(
            json.dumps(
                {
                    "spark_start_s": round(start_s, 2),
                    "rows": rows,
                    "growth_exponent": grow,
                    "driver_peak_rss_mb": round(peak_mb),
                },
                indent=2,
            )
        )
    else:
        for name, k in grow.items():
            if math.isfinite(k):
                say(f"{name}: time grows as size^{k:.2f} (×{10**k:.1f} per tenfold size)")
        say(f"driver peak RSS {peak_mb:,.0f} MB (the local engine and Spark's results)")
    return 0 if all_equal else 1


if __name__ == "__main__":
    sys.exit(main())
