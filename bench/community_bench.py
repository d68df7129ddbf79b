"""Communities: how much the pool widens a member's reach, and what a pooled path query costs.

Usage: ``python bench/community_bench.py [--members 10,100,1000] [--contacts 60] [--sample 20]
[--json]``.

Per size, a synthetic alumni network (:mod:`weakties.synth.alumni`) is built the way members
would build it: every member added to a SQLite community, their address book and mailbox written
and imported through their own workspace (the real importers, scoring and publication), so the
pool holds what the product would hold. Then, for a sample of members:

- **reach**: the share of the network's organisations with someone reachable within 3 hops, from
  the member's own data vs on the pooled graph (``Community.reach``);
- **path queries**: the warmest paths to an organisation, p50/p99 over the sample's queries, on
  the pooled graph (``Community.paths``: consent-scoped SQL for the targets, the cached pooled
  graph, labels) beside the same query on the member's own workspace as a single user
  (``Workspace.paths``) in the same run; and the bare graph search (``best_paths``) on the
  pooled graph beside the member's own graph.

Build time (adding members, writing and importing their files), pool size and the first pooled
query (which builds the member's pooled graph) are printed too.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from weakties.analysis.paths import best_paths
from weakties.errors import NotFound
from weakties.workspace.community import Community
from weakties.workspace.community_demo import build_community_demo


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) if values else float("nan")


def run_size(members: int, contacts: int, sample: int, seed: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="weakties-community-bench-"))
    c = Community.open(str(folder / "c.db"))
    started = time.perf_counter()
    demo = build_community_demo(c, members=members, contacts=contacts, seed=seed)
    build_s = time.perf_counter() - started
    counts = c.row_counts()
    alumni = demo.alumni
    orgs = sorted({p.org for p in alumni.people})
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(alumni.members), size=min(sample, len(alumni.members)), replace=False)
    own_share, pooled_share = [], []
    people_own: list[int] = []
    people_pooled: list[int] = []
    pooled_ms, single_ms, graph_pooled_ms, graph_own_ms, first_ms = [], [], [], [], []
    for index in chosen.tolist():
        m = alumni.members[int(index)]
        t = time.perf_counter()
        r = c.reach(m.handle)
        first_ms.append((time.perf_counter() - t) * 1e3)
        people_own.append(r.people_own)
        people_pooled.append(r.people_pooled)
        own_share.append(r.orgs_own / len(orgs))
        pooled_share.append(r.orgs_pooled / len(orgs))
        mine = {alumni.people[i].org for i in m.contacts}
        queries = [o for o in orgs if o in mine][:5]
        for org in queries:
            t = time.perf_counter()
            try:
                c.paths(m.handle, "org", org)
            except NotFound:
                continue
            pooled_ms.append((time.perf_counter() - t) * 1e3)
        ws = c.member_workspace(m.handle)
        try:
            ws_paths = super(type(ws), ws).paths  # the single-user query on their own data
            for org in queries:
                t = time.perf_counter()
                try:
                    ws_paths("org", org)
                except NotFound:
                    continue
                single_ms.append((time.perf_counter() - t) * 1e3)
        finally:
            ws.engine.dispose()
        viewer = c.member(m.handle)
        with c.transaction() as conn:
            pooled = c._pooled(conn, viewer)
            own = c._pooled(conn, viewer, own_only=True)
        targets = pooled.graph.node_ids[: max(1, pooled.graph.n_nodes // 30)]
        for graph, store in ((pooled.graph, graph_pooled_ms), (own.graph, graph_own_ms)):
            for _ in range(3):
                t = time.perf_counter()
                best_paths(graph, pooled.me, targets, k=5)
                store.append((time.perf_counter() - t) * 1e3)
    c.close()
    return {
        "members": members,
        "contacts_each": contacts,
        "build_s": round(build_s, 1),
        "pool_people": counts["pool_person"],
        "pool_ties": counts["pool_contact"],
        "pool_arcs": counts["pool_arc"],
        "orgs": len(orgs),
        "reach_own": round(float(np.mean(own_share)), 3),
        "reach_pooled": round(float(np.mean(pooled_share)), 3),
        "people_own": int(np.median(people_own)),
        "people_pooled": int(np.median(people_pooled)),
        "first_query_ms_p50": round(_pct(first_ms, 50), 1),
        "pooled_ms": [round(_pct(pooled_ms, 50), 2), round(_pct(pooled_ms, 99), 2)],
        "single_ms": [round(_pct(single_ms, 50), 2), round(_pct(single_ms, 99), 2)],
        "graph_pooled_ms": [
            round(_pct(graph_pooled_ms, 50), 3),
            round(_pct(graph_pooled_ms, 99), 3),
        ],
        "graph_own_ms": [round(_pct(graph_own_ms, 50), 3), round(_pct(graph_own_ms, 99), 3)],
        "queries": len(pooled_ms),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="10,100,1000")
    parser.add_argument("--contacts", type=int, default=60)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    for size in (int(x) for x in args.members.split(",")):
        row = run_size(size, args.contacts, args.sample, args.seed)
        rows.append(row)
        if not args.json:
            print(
                f"{row['members']:>5} members ({row['contacts_each']} contacts each): built in "
                f"{row['build_s']} s; pool {row['pool_people']} people, {row['pool_ties']} ties, "
                f"{row['pool_arcs']} arcs",
                flush=True,
            )
            print(
                f"      organisations reachable in 3 hops: {row['reach_own']:.1%} own data, "
                f"{row['reach_pooled']:.1%} pooled ({row['orgs']} organisations); people "
                f"(median): {row['people_own']} own, {row['people_pooled']} pooled"
            )
            p, s = row["pooled_ms"], row["single_ms"]
            print(
                f"      path query p50/p99: pooled {p[0]:.1f}/{p[1]:.1f} ms, single member "
                f"{s[0]:.1f}/{s[1]:.1f} ms (x{p[0] / s[0]:.1f} at p50); first pooled query "
                f"(builds the graph) {row['first_query_ms_p50']:.0f} ms"
            )
            gp, go = row["graph_pooled_ms"], row["graph_own_ms"]
            print(
                f"      bare search p50/p99: pooled {gp[0]:.2f}/{gp[1]:.2f} ms, own graph "
                f"{go[0]:.2f}/{go[1]:.2f} ms",
                flush=True,
            )
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
