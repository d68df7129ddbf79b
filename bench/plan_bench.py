"""The ask plan (CELF over a reverse sketch) beside plain Monte Carlo greedy and two baselines.

Usage: ``python bench/plan_bench.py [--sizes 10000 100000] [-k 10] [--rounds 1000] [--json]``.

Per size: a synthetic community (``weakties.synth.community``, mean degree 20); an owner who
knows ``--contacts`` people (their neighbours plus friends-of-friends, the clustered way real
address books grow); one target organisation of 20–200 people. Tie probabilities come from
``job_transmission`` (mutual contacts from a blocked sparse product). In the same run:

- ``celf``: ``reach_sketch`` + ``celf_plan`` (what ``plan_asks`` does), timed together;
- ``plain``: ``plain_greedy``, Kempe et al.'s greedy re-simulating every candidate every round,
  forwards over the same sampled worlds — it must return the same seeds (``same``);
- laziness alone: ``greedy_plan`` (non-lazy) over the same sketch, selection time only, beside
  CELF's selection time (``sel c/e``);
- ``strongest``: the k strongest ties; ``random``: k contacts at random.

Every plan's reach is then re-estimated on an independent set of worlds (another seed), so the
greedy plans are not flattered by the samples they were chosen on; ± is one standard error.
Synthetic details marked SYNTHETIC below are the bench's inventions, not models.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from weakties.analysis.reach import (
    CascadeGraph,
    celf_plan,
    greedy_plan,
    plain_greedy,
    random_baseline,
    reach_sketch,
    strongest_baseline,
)
from weakties.analysis.transmission import job_transmission, mutual_contact_counts
from weakties.synth.community import community_graph

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class World:
    """One benchmark world: the cascade graph, my contacts and my target organisation."""

    graph: CascadeGraph
    owner: int
    contacts: I64
    strength: F64  # my tie to each contact
    activation: F64  # chance each contact acts when told
    mutual: F64  # mutual contacts between me and each contact
    targets: I64
    prep_s: float


def build_world(n: int, n_contacts: int, seed: int) -> World:
    t0 = time.perf_counter()
    g = community_graph(n, avg_degree=20, seed=seed)
    rng = np.random.default_rng(seed + 1)
    rows = np.concatenate([g.src, g.dst]).astype(np.int64)
    cols = np.concatenate([g.dst, g.src]).astype(np.int64)
    w = np.concatenate([g.weight, g.weight]).astype(np.float64)
    A = sp.csr_array((w, (rows, cols)), shape=(n, n))
    A.sort_indices()
    mutual = mutual_contact_counts(A)
    tails = np.repeat(np.arange(n), np.diff(A.indptr))
    # SYNTHETIC: professional relevance per person; goodwill on 5% of arcs (logged favours).
    relevance = rng.uniform(0.5, 1.0, n)
    goodwill = np.where(rng.random(A.nnz) < 0.05, rng.uniform(0.3, 1.0, A.nnz), 0.0)
    probs = job_transmission(mutual, A.data, goodwill, relevance[tails])

    # The owner is the best-connected person; I am never a relay for my own search.
    owner = int(np.argmax(np.diff(A.indptr)))
    probs[A.indices == owner] = 0.0
    first = A.indices[A.indptr[owner] : A.indptr[owner + 1]]
    second = np.setdiff1d(np.unique(A[first].indices), np.append(first, owner))
    # SYNTHETIC: the rest of my address book comes from friends-of-friends, most-shared first.
    shared = np.asarray(A[first][:, second].sum(axis=0)).ravel() + rng.random(second.size)
    extra = second[np.argsort(-shared)[: max(0, n_contacts - first.size)]]
    contacts = np.sort(np.concatenate([first, extra])[:n_contacts]).astype(np.int64)
    is_contact = np.zeros(n, dtype=bool)
    is_contact[contacts] = True
    sub = A[contacts]
    my_mutual = np.bincount(
        np.repeat(np.arange(contacts.size), np.diff(sub.indptr)),
        weights=is_contact[sub.indices].astype(np.float64),
        minlength=contacts.size,
    ).astype(np.float64)
    # SYNTHETIC: strength grows with overlap (Granovetter 1973) plus a personal component.
    strength = np.clip(0.5 * rng.beta(1.2, 3.0, contacts.size) + 0.5 * my_mutual / 25, 0, 1)
    my_goodwill = np.where(
        rng.random(contacts.size) < 0.1, rng.uniform(0.3, 1.0, contacts.size), 0.0
    )
    activation = job_transmission(my_mutual, strength, my_goodwill, relevance[contacts])

    # Target: an organisation of 20–200 people, not mine, with none of my contacts inside,
    # and the most of my contacts one tie away from it (a company I have some ways into).
    sizes = np.bincount(g.org_of, minlength=g.n_orgs)
    org = g.org_of.astype(np.int64)
    inside = np.bincount(org[contacts], minlength=g.n_orgs)
    near = np.bincount(org[sub.indices], minlength=g.n_orgs)
    ok = (sizes >= 20) & (sizes <= 200) & (inside == 0)
    ok[org[owner]] = False
    target_org = int(np.argmax(np.where(ok, near, -1)))
    targets = np.flatnonzero(org == target_org).astype(np.int64)
    graph = CascadeGraph.from_csr(A, probs)
    strength_of = strength
    return World(
        graph,
        owner,
        contacts,
        strength_of,
        activation,
        my_mutual,
        targets,
        time.perf_counter() - t0,
    )


def run(n: int, k: int, rounds: int, n_contacts: int, seed: int) -> dict[str, float | int | bool]:
    world = build_world(n, n_contacts, seed)
    g, cands, tgt = world.graph, world.contacts, world.targets

    t0 = time.perf_counter()
    sketch = reach_sketch(
        g, cands, tgt, None, activation=world.activation, rounds=rounds, seed=seed
    )
    sketch_s = time.perf_counter() - t0
    celf = celf_plan(sketch, k)
    celf_s = time.perf_counter() - t0
    # Laziness alone: the plain greedy over the same sketch (the rest of the speedup is the
    # sketch: one reverse search per target instead of a forward one per candidate per round).
    t0 = time.perf_counter()
    eager = greedy_plan(sketch, k)
    eager_select_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    plain = plain_greedy(
        g, cands, tgt, None, k, activation=world.activation, rounds=rounds, seed=seed
    )
    plain_s = time.perf_counter() - t0

    strongest = strongest_baseline(cands, world.strength, k)
    rand = random_baseline(cands, k, seed=seed)
    check = reach_sketch(
        g, cands, tgt, None, activation=world.activation, rounds=rounds, seed=seed + 10_007
    )
    est = {
        name: check.reach(seeds)
        for name, seeds in (
            ("greedy", celf.seeds),
            ("plain", plain.seeds),
            ("strongest", strongest),
            ("random", rand),
        )
    }
    pos = np.searchsorted(cands, np.asarray(celf.seeds))
    return {
        "size": n,
        "k": k,
        "greedy_reach": round(est["greedy"].reach, 4),
        "strongest_reach": round(est["strongest"].reach, 4),
        "random_reach": round(est["random"].reach, 4),
        "celf_s": round(celf_s, 4),
        "plain_s": round(plain_s, 4),
        "speedup": round(plain_s / celf_s, 1),
        "plain_reach": round(est["plain"].reach, 4),
        "reach_se": round(max(e.stderr for e in est.values()), 4),
        "same_seeds": celf.seeds == plain.seeds == eager.seeds,
        "in_sample_reach": round(celf.reach, 4),
        "sketch_s": round(sketch_s, 4),
        "celf_select_s": round(celf_s - sketch_s, 4),
        "eager_select_s": round(eager_select_s, 4),
        "celf_evals": celf.evaluations,
        "plain_evals": plain.evaluations,
        "contacts": int(cands.size),
        "targets": int(tgt.size),
        "rounds": rounds,
        "prep_s": round(world.prep_s, 2),
        "greedy_mutual_median": float(np.median(world.mutual[pos])),
        "strongest_mutual_median": float(
            np.median(world.mutual[np.searchsorted(cands, strongest)])
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [run(n, args.k, args.rounds, args.contacts, args.seed) for n in args.sizes]
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return
    print(
        f"{'size':>8} {'k':>3} {'contacts':>8} {'targets':>7} "
        f"{'greedy':>8} {'plain':>8} {'strongest':>9} {'random':>8} {'±se':>6} "
        f"{'celf_s':>7} {'plain_s':>8} {'speedup':>7} {'evals c/p':>12} "
        f"{'sel c/e ms':>12} same"
    )
    for r in rows:
        print(
            f"{r['size']:>8} {r['k']:>3} {r['contacts']:>8} {r['targets']:>7} "
            f"{r['greedy_reach']:>8.3f} {r['plain_reach']:>8.3f} {r['strongest_reach']:>9.3f} "
            f"{r['random_reach']:>8.3f} {r['reach_se']:>6.3f} {r['celf_s']:>7.3f} "
            f"{r['plain_s']:>8.2f} {r['speedup']:>6.0f}× "
            f"{r['celf_evals']:>5}/{r['plain_evals']:<6} "
            f"{1e3 * r['celf_select_s']:>5.0f}/{1e3 * r['eager_select_s']:<6.0f} {r['same_seeds']}"
        )
    print(
        "reach: expected number of target-organisation people who hear, re-estimated on "
        "independent worlds; median mutual contacts of picks: "
        + ", ".join(
            f"{r['size']}: greedy {r['greedy_mutual_median']:.0f} / strongest "
            f"{r['strongest_mutual_median']:.0f}"
            for r in rows
        )
    )


if __name__ == "__main__":
    main()
