"""Warm-path search on CSR against networkx on the same synthetic community, in one run.

Usage: ``python bench/paths_bench.py [--sizes 10000,100000[,1000000,10000000]] [--json]
[--seed S]``.

Per size (people; 10 ties each, so 10^7 people are 10^8 ties): build the :class:`TieGraph` from
the community's ties (time per 10^7 ties, bytes per tie, peak memory), write it as the path
index the batch writes (``TieGraph.save``) and answer every query from that index opened
memory-mapped (``TieGraph.load``), as the CLI does: its size on disk, the time to open it and
the resident memory the queries add are printed. Then five queries from 40 random sources plus
the 10 highest-degree hubs (where 3-hop searches explode): the best ≤3-hop chains to an
organisation of 20–200 people (top 10, diversified), the top 10 chains between two people at
most 3 hops apart, the whole 3-hop reach (everyone within 3 asks with their best chain: about
half the graph from a hub, so its cost grows with the graph), the 1,000 most probable people of
that reach (``limit``, exact) and which of the organisation's people are within 3 hops
(``reachable``, exact, met in the middle).

networkx answers the same queries — ``all_simple_paths(cutoff=3)`` ranked with the same
diversity rule, and ``single_source_shortest_path_length(cutoff=3)`` — for a sample of those
sources, and the answers are checked equal: the same ranked probabilities within 1e-6, the same
reach counts, the same reachable people. Up to 10^5 people it runs on the whole graph for every
source; at 10^6 for 12 sources (the networkx graph alone takes a minute and ~4 GB); above, where
it would not fit in memory, on the subgraph induced by each random source's 3-hop ball (which
holds every chain of at most 3 hops from it) for the sources whose ball has at most 200,000
people. The top-1,000 reach is checked against the first 1,000 of the whole reach. Speedups
compare medians over the sources both answered. Figures are medians of 3 runs per source.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import networkx as nx
import numpy as np

from weakties.analysis.graph import TieGraph
from weakties.analysis.paths import Path, best_paths, paths_between, reach_within, reachable
from weakties.synth.community import community_graph

RANDOM_SOURCES = 40
HUB_SOURCES = 10
K = 10
PER_FIRST_HOP = 2
TOP = 1000
WHOLE_GRAPH_NX = 1_000_000  # above this size networkx runs on 3-hop balls only
BALL_NX_MAX = 200_000


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


def _mapped_mb(folder: str) -> float:
    """Resident pages of the files under ``folder`` mapped into this process, in MB."""
    total_kb, inside = 0, False
    with open("/proc/self/smaps") as fh:
        for line in fh:
            head = line.split()
            if head and not head[0].endswith(":"):  # a mapping's header (anonymous: 5 fields)
                inside = len(head) >= 6 and head[5].startswith(folder)
            elif inside and head[0] == "Rss:":
                total_kb += int(head[1])
    return total_kb / 1e3


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _ball_networkx(g: TieGraph, ball: np.ndarray) -> nx.DiGraph:
    """The subgraph induced by ``ball`` (node indices), as :meth:`TieGraph.to_networkx` would
    give it: every chain of at most 3 hops from the ball's source lies inside it."""
    inside = np.zeros(g.n_nodes, np.bool_)
    inside[ball] = True
    lens = g.indptr[ball + 1] - g.indptr[ball]
    pos = np.concatenate([np.arange(g.indptr[u], g.indptr[u + 1]) for u in ball.tolist()])
    rows = np.repeat(ball, lens)
    cols = g.indices[pos].astype(np.int64)
    keep = inside[cols]
    d = nx.DiGraph()
    d.add_nodes_from(g.node_ids[ball].tolist())
    d.add_edges_from(
        (int(u), int(v), {"prob": float(p)})
        for u, v, p in zip(
            g.node_ids[rows[keep]], g.node_ids[cols[keep]], g.prob[pos[keep]], strict=True
        )
    )
    return d


def _pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) if xs else float("nan")


def run_size(n: int, seed: int) -> list[dict[str, Any]]:
    t0 = time.perf_counter()
    world = community_graph(n, avg_degree=20, seed=seed)
    gen_s = time.perf_counter() - t0
    org_of, n_orgs = world.org_of, world.n_orgs
    # Asymmetric willingness, as in real data: the backward arc a little weaker or stronger.
    rng = np.random.default_rng(seed + 1)
    back = np.clip(world.weight * rng.uniform(0.7, 1.3, world.n_edges), 0.01, 1.0)
    TieGraph.from_edges(world.src[:1000], world.dst[:1000], world.weight[:1000], back[:1000])
    t0 = time.perf_counter()
    built = TieGraph.from_edges(
        world.src, world.dst, world.weight, back, people=np.arange(n), unique_pairs=True
    )
    build_s = time.perf_counter() - t0
    build_checked_s = None
    if n <= WHOLE_GRAPH_NX:  # the duplicate check's sort needs twice the memory at 10^8 ties
        t0 = time.perf_counter()
        TieGraph.from_edges(world.src, world.dst, world.weight, back, people=np.arange(n))
        build_checked_s = time.perf_counter() - t0
    del world, back
    n_ties, nbytes = built.n_ties, built.nbytes
    per_1e7 = build_s * 1e7 / n_ties
    bytes_per_tie = nbytes / n_ties
    peak_build = _peak_mb()

    # The online path: the index on disk, opened memory-mapped.
    folder = tempfile.TemporaryDirectory(prefix="paths-bench-")
    index = f"{folder.name}/graph"
    t0 = time.perf_counter()
    built.save(index, "bench")
    save_s = time.perf_counter() - t0
    del built
    gc.collect()
    t0 = time.perf_counter()
    g = TieGraph.load(index, "bench", mmap=True)
    open_ms = (time.perf_counter() - t0) * 1e3
    deg = g.degree()
    checked = (
        "" if build_checked_s is None else f"; {build_checked_s:.2f}s with the duplicate check"
    )
    print(
        f"n={n:,}: {n_ties:,} ties, max degree {deg.max()}, generated in {gen_s:.1f}s; "
        f"build {build_s:.2f}s ({per_1e7:.2f}s per 1e7 ties{checked}), {bytes_per_tie:.1f} B/tie "
        f"({nbytes / 1e9:.2f} GB), peak RSS {peak_build / 1e3:.1f} GB; index saved in "
        f"{save_s:.1f}s, opened memory-mapped in {open_ms:.1f} ms",
        file=sys.stderr,
    )

    pick = np.random.default_rng(seed + 2)
    hubs = np.argsort(-deg, kind="stable")[:HUB_SOURCES]
    randoms = pick.choice(n, size=RANDOM_SOURCES, replace=False)
    sources = [int(x) for x in np.concatenate([randoms, hubs])]
    hub_set = {int(h) for h in hubs}
    org_size = np.bincount(org_of, minlength=n_orgs)
    mid_orgs = np.flatnonzero((org_size >= 20) & (org_size <= 200))
    members = np.argsort(org_of, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(org_size)])
    del org_of

    whole_nx = n <= WHOLE_GRAPH_NX
    nx_sample = set(sources) if n <= 100_000 else set(sources[:10] + sources[-2:])
    d_whole: nx.DiGraph | None = None
    if whole_nx:
        t0 = time.perf_counter()
        d_whole = g.to_networkx()
        print(f"  networkx DiGraph built in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    rows: dict[str, dict[str, list[float]]] = {}
    equal: dict[str, bool] = {}
    ball_sizes: list[int] = []

    def record(query: str, ours_ms: float, theirs_ms: float | None, same: bool | None) -> None:
        r = rows.setdefault(query, {"ours": [], "ours_paired": [], "nx": []})
        r["ours"].append(ours_ms)
        if theirs_ms is not None:
            r["ours_paired"].append(ours_ms)
            r["nx"].append(theirs_ms)
        if same is not None:
            equal[query] = equal.get(query, True) and same

    for i, s in enumerate(sources):
        sid = int(g.node_ids[s])
        org = int(pick.choice(mid_orgs))
        targets = g.node_ids[members[bounds[org] : bounds[org + 1]]]
        tdict = {int(t): 1.0 for t in targets}
        reach_ms, reach = _timed(partial(reach_within, g, sid, 3))
        d: nx.DiGraph | None = None
        if whole_nx and s in nx_sample:
            d = d_whole
        elif not whole_nx and s not in hub_set and len(reach) < BALL_NX_MAX:
            ball = np.concatenate([[s], g.node_of(reach.nodes)])
            d = _ball_networkx(g, ball)
            ball_sizes.append(len(ball))

        ours_ms, ours = _timed(
            partial(best_paths, g, sid, targets, k=K, per_first_hop=PER_FIRST_HOP)
        )
        if d is not None:
            nx_ms, theirs = _timed(partial(_nx_ranked, d, sid, tdict, PER_FIRST_HOP), 1)
            record("organisation", ours_ms, nx_ms, _same(ours, theirs))
        else:
            record("organisation", ours_ms, None, None)

        lengths: dict[int, int] | None = None
        if d is not None:
            nx_ms, lengths = _timed(
                partial(nx.single_source_shortest_path_length, d, sid, cutoff=3), 1
            )
            record("reach3", reach_ms, nx_ms, len(lengths) - 1 == len(reach))
        else:
            record("reach3", reach_ms, None, None)

        top_ms, top = _timed(partial(reach_within, g, sid, 3, limit=TOP))
        record(
            f"reach3_top{TOP}",
            top_ms,
            None,
            bool(np.array_equal(top.nodes, reach.nodes[:TOP]))
            and bool(np.array_equal(top.prob, reach.prob[:TOP])),
        )

        hit_ms, hit = _timed(partial(reachable, g, sid, targets, 3))
        same = bool(np.array_equal(hit, np.isin(targets, reach.nodes)))
        if lengths is not None:  # and networkx's own count of who is within 3 hops
            same &= bool(
                np.array_equal(hit, [int(t) in lengths and int(t) != sid for t in targets])
            )
        record("org_reachable", hit_ms, None, same)

        # A partner 2–3 hops away, where ranking chains is not trivial.
        far = reach.nodes[reach.hops >= 2]
        if len(far):
            tid = int(far[pick.integers(len(far))])
            ours_ms, ours = _timed(partial(paths_between, g, sid, tid, k=K))
            if d is not None:
                nx_ms, theirs = _timed(partial(_nx_ranked, d, sid, {tid: 1.0}, K), 1)
                record("pair_top10", ours_ms, nx_ms, _same(ours, theirs))
            else:
                record("pair_top10", ours_ms, None, None)
        if (i + 1) % 10 == 0:
            print(f"  {i + 1}/{len(sources)} sources", file=sys.stderr)
    mapped = _mapped_mb(folder.name)
    scratch = n * 42 / 1e6  # the search's per-thread work arrays (analysis.paths._Scratch)
    resident = mapped + scratch
    if ball_sizes:
        print(
            f"  networkx on {len(ball_sizes)} sources' 3-hop balls "
            f"(median {int(np.median(ball_sizes)):,} people)",
            file=sys.stderr,
        )
    print(
        f"  resident for the queries: {mapped:.0f} MB of the index's pages "
        f"({mapped * 1e6 / n_ties:.1f} B/tie) + {scratch:.0f} MB of work arrays; the whole "
        f"index is {nbytes / 1e6:.0f} MB",
        file=sys.stderr,
    )
    folder.cleanup()

    out = []
    for query, r in rows.items():
        nx_p50 = _pct(r["nx"], 50)
        hub_ms = r["ours"][-HUB_SOURCES:] if len(r["ours"]) >= HUB_SOURCES else []
        out.append(
            {
                "size": n,
                "ties": n_ties,
                "query": query,
                "ours_p50_ms": round(_pct(r["ours"], 50), 3),
                "ours_p99_ms": round(_pct(r["ours"], 99), 3),
                "ours_max_ms": round(max(r["ours"]), 3),
                "hubs_p50_ms": round(_pct(hub_ms, 50), 3),
                "networkx_p50_ms": round(nx_p50, 3),
                "speedup": round(nx_p50 / _pct(r["ours_paired"], 50), 1) if r["nx"] else None,
                "answers_equal": equal.get(query, False),
                "networkx_sources": len(r["nx"]),
                "build_s": round(build_s, 3),
                "build_s_per_1e7_ties": round(per_1e7, 3),
                "bytes_per_tie": round(bytes_per_tie, 1),
                "index_gb": round(nbytes / 1e9, 3),
                "open_ms": round(open_ms, 1),
                "build_peak_rss_gb": round(peak_build / 1e3, 2),
                "query_resident_mb": round(resident, 1),
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
    head = f"{'size':>10} {'query':<16} {'p50 ms':>8} {'p99 ms':>9} {'hubs p50':>9} {'nx p50':>9}"
    print(head + f" {'speedup':>8} {'equal':>6} {'build s':>8} {'B/tie':>6} {'index GB':>8}")
    for r in results:
        speedup = "—" if r["speedup"] is None else f"{r['speedup']:.1f}x"
        nx_p50 = "—" if r["speedup"] is None else f"{r['networkx_p50_ms']:.2f}"
        print(
            f"{r['size']:>10,} {r['query']:<16} {r['ours_p50_ms']:>8.2f} {r['ours_p99_ms']:>9.2f} "
            f"{r['hubs_p50_ms']:>9.2f} {nx_p50:>9} {speedup:>8} "
            f"{r['answers_equal']!s:>6} {r['build_s']:>8.2f} {r['bytes_per_tie']:>6.1f} "
            f"{r['index_gb']:>8.2f}"
        )


if __name__ == "__main__":
    main()
