"""Warm-path search on CSR against networkx on the same synthetic community, in one run.

Usage: ``python bench/paths_bench.py [--sizes 10000,100000[,1000000]] [--json] [--seed S]``.

Per size: build the :class:`TieGraph` from the community's ties (time per 10^7 ties, bytes per
tie), then time three queries from 40 random sources plus the 10 highest-degree hubs (where
3-hop searches explode): the best ≤3-hop chains to an organisation of 20–200 people (top 10,
diversified), the top 10 chains between two people at most 3 hops apart, and 3-hop reach.
networkx answers the same queries on the same graph — ``all_simple_paths(cutoff=3)`` ranked
with the same diversity rule, and ``single_source_shortest_path_length(cutoff=3)`` — for a
sample of those sources (all of them up to 10^5; 12 at 10^6, where building the networkx
graph alone takes a minute and ~4 GB), and the answers are checked equal: the same ranked
probabilities within 1e-6 and the same reach counts. Speedups compare medians over the
sources both answered. Figures are medians of 3 runs per source; trust the ratios.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import networkx as nx
import numpy as np

from weakties.analysis.graph import TieGraph
from weakties.analysis.paths import Path, best_paths, paths_between, reach_within
from weakties.synth.community import community_graph

RANDOM_SOURCES = 40
HUB_SOURCES = 10
K = 10
PER_FIRST_HOP = 2


def _timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    times = []
    out: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3, out


def _nx_ranked(d: nx.DiGraph, s: int, targets: dict[int, float], cap: int) -> list[float]:
    """The straightforward networkx answer: enumerate every simple ≤3-hop path, rank, pick."""
    rows = []
    for p in nx.all_simple_paths(d, s, set(targets), cutoff=3):
        probs = [d[u][v]["prob"] for u, v in itertools.pairwise(p)]
        value = 1.0
        for x in probs:
            value *= x
        value *= targets[p[-1]]
        pad = [*p[1:], -1, -1][:3]
        rows.append((-value, -probs[-1], len(probs), *pad))
    rows.sort()
    chosen: list[tuple[Any, ...]] = []
    skipped: list[tuple[Any, ...]] = []
    used: dict[int, int] = {}
    for r in rows:
        if len(chosen) == K:
            break
        if used.get(r[3], 0) < cap:
            used[r[3]] = used.get(r[3], 0) + 1
            chosen.append(r)
        else:
            skipped.append(r)
    chosen = sorted(chosen + skipped[: K - len(chosen)])
    return [-r[0] for r in chosen]


def _same(ours: list[Path], theirs: list[float]) -> bool:
    a = [p.probability for p in ours]
    return len(a) == len(theirs) and bool(np.allclose(a, theirs, rtol=1e-6, atol=0))


def _pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) if xs else float("nan")


def run_size(n: int, seed: int) -> list[dict[str, Any]]:
    t0 = time.perf_counter()
    world = community_graph(n, avg_degree=20, seed=seed)
    gen_s = time.perf_counter() - t0
    src = world.src.astype(np.int64)
    dst = world.dst.astype(np.int64)
    # Asymmetric willingness, as in real data: the backward arc a little weaker or stronger.
    rng = np.random.default_rng(seed + 1)
    back = np.clip(world.weight * rng.uniform(0.7, 1.3, world.n_edges), 0.01, 1.0)
    TieGraph.from_edges(src[:1000], dst[:1000], world.weight[:1000], back[:1000])  # warm-up
    t0 = time.perf_counter()
    g = TieGraph.from_edges(src, dst, world.weight, back, people=np.arange(n), unique_pairs=True)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    TieGraph.from_edges(src, dst, world.weight, back, people=np.arange(n))
    build_checked_s = time.perf_counter() - t0
    per_1e7 = build_s * 1e7 / g.n_ties
    bytes_per_tie = g.nbytes / g.n_ties
    deg = g.degree()
    print(
        f"n={n:,}: {g.n_ties:,} ties, max degree {deg.max()}, generated in {gen_s:.1f}s; "
        f"build {build_s:.2f}s ({per_1e7:.2f}s per 1e7 ties; {build_checked_s:.2f}s with the "
        f"duplicate check), {bytes_per_tie:.1f} B/tie",
        file=sys.stderr,
    )

    pick = np.random.default_rng(seed + 2)
    hubs = np.argsort(-deg, kind="stable")[:HUB_SOURCES]
    randoms = pick.choice(n, size=RANDOM_SOURCES, replace=False)
    sources = [int(x) for x in np.concatenate([randoms, hubs])]
    org_size = np.bincount(world.org_of, minlength=world.n_orgs)
    mid_orgs = np.flatnonzero((org_size >= 20) & (org_size <= 200))
    members = np.argsort(world.org_of, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(org_size)])

    nx_every = n <= 100_000
    nx_sample = set(sources) if nx_every else set(sources[:10] + sources[-2:])
    t0 = time.perf_counter()
    d = g.to_networkx()
    nx_build_s = time.perf_counter() - t0
    print(f"  networkx DiGraph built in {nx_build_s:.1f}s", file=sys.stderr)

    rows: dict[str, dict[str, list[float]]] = {}
    equal: dict[str, bool] = {}

    def record(query: str, ours_ms: float, theirs_ms: float | None, same: bool | None) -> None:
        r = rows.setdefault(query, {"ours": [], "ours_paired": [], "nx": []})
        r["ours"].append(ours_ms)
        if theirs_ms is not None:
            r["ours_paired"].append(ours_ms)
            r["nx"].append(theirs_ms)
        if same is not None:
            equal[query] = equal.get(query, True) and same

    for s in sources:
        sid = int(g.node_ids[s])
        org = int(pick.choice(mid_orgs))
        targets = g.node_ids[members[bounds[org] : bounds[org + 1]]]
        tdict = {int(t): 1.0 for t in targets}
        ours_ms, ours = _timed(
            partial(best_paths, g, sid, targets, k=K, per_first_hop=PER_FIRST_HOP)
        )
        if s in nx_sample:
            nx_ms, theirs = _timed(partial(_nx_ranked, d, sid, tdict, PER_FIRST_HOP), 1)
            record("organisation", ours_ms, nx_ms, _same(ours, theirs))
        else:
            record("organisation", ours_ms, None, None)

        reach_ms, reach = _timed(partial(reach_within, g, sid, 3))
        if s in nx_sample:
            nx_ms, count = _timed(
                partial(nx.single_source_shortest_path_length, d, sid, cutoff=3), 1
            )
            record("reach3", reach_ms, nx_ms, len(count) - 1 == len(reach))
        else:
            record("reach3", reach_ms, None, None)

        # A partner 2–3 hops away, where ranking chains is not trivial.
        far = reach.nodes[reach.hops >= 2]
        if not len(far):
            continue
        tid = int(far[pick.integers(len(far))])
        ours_ms, ours = _timed(partial(paths_between, g, sid, tid, k=K))
        if s in nx_sample:
            nx_ms, theirs = _timed(partial(_nx_ranked, d, sid, {tid: 1.0}, K), 1)
            record("pair_top10", ours_ms, nx_ms, _same(ours, theirs))
        else:
            record("pair_top10", ours_ms, None, None)

    out = []
    for query, r in rows.items():
        nx_p50 = _pct(r["nx"], 50)
        out.append(
            {
                "size": n,
                "query": query,
                "ours_p50_ms": round(_pct(r["ours"], 50), 3),
                "ours_p99_ms": round(_pct(r["ours"], 99), 3),
                "ours_max_ms": round(max(r["ours"]), 3),
                "networkx_p50_ms": round(nx_p50, 3),
                "speedup": round(nx_p50 / _pct(r["ours_paired"], 50), 1),
                "answers_equal": equal.get(query, False),
                "networkx_sources": len(r["nx"]),
                "build_s": round(build_s, 3),
                "build_s_per_1e7_ties": round(per_1e7, 3),
                "bytes_per_tie": round(bytes_per_tie, 1),
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    for size in (int(x) for x in args.sizes.split(",")):
        results.extend(run_size(size, args.seed))
    if args.json:
        print(json.dumps(results, indent=1))
        return
    head = f"{'size':>9} {'query':<13} {'p50 ms':>8} {'p99 ms':>8} {'nx p50':>9} {'speedup':>8}"
    print(head + f" {'equal':>6} {'build s':>8} {'s/1e7':>6} {'B/tie':>6}")
    for r in results:
        print(
            f"{r['size']:>9,} {r['query']:<13} {r['ours_p50_ms']:>8.2f} {r['ours_p99_ms']:>8.2f} "
            f"{r['networkx_p50_ms']:>9.2f} {r['speedup']:>7.1f}x {r['answers_equal']!s:>6} "
            f"{r['build_s']:>8.2f} {r['build_s_per_1e7_ties']:>6.2f} {r['bytes_per_tie']:>6.1f}"
        )


if __name__ == "__main__":
    main()
