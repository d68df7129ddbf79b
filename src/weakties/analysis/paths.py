"""Warm introduction paths: the best chains of at most three asks from you to a target.

A chain works only if every hop does, so its value is the product of the hop probabilities
(:func:`weakties.analysis.graph.hop_probability`), times the target's weight (a former
employee, or a weak match for a skill, is worth less than the person you really want). Chains
are ranked by that value, i.e. by Σ −ln p, not by hop count: a strong three-hop chain can beat
a weak two-hop one. Chains longer than three hops are not searched: at the ~35% per-step
continuation Dodds, Muhamad & Watts (2003) measured, a fourth hop leaves about 1.5%.

The search is exact and meets in the middle: best first hops from the source, in-arcs of the
targets from the other side, and the middle arc joined between the two from whichever side is
cheaper. Hubs are pruned by branch and bound: a first cheap probe finds k real chains, their
(diversified) k-th value θ is a lower bound of the answer's k-th value, and rows, which the
graph keeps sorted by probability, are then read only as far as ``p ≥ θ / (best rest)``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from weakties.analysis.graph import TieGraph
from weakties.errors import InvalidInput

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
I8 = NDArray[np.int8]

MAX_HOPS = 3
# Below this many middle arcs an exhaustive join is cheaper than probing for a bound first.
_PROBE_MIN_ARCS = 4096
# The probe reads this many best first contacts and this long a prefix of each one's row.
_PROBE_CONTACTS = 32
_PROBE_ROW = 32
# Pruning compares products computed in another order than the final values; this slack keeps
# every chain whose value could equal θ.
_SLACK = 1.0 - 1e-9
# Reach with a limit starts pruned at this chain probability and lowers it tenfold while too
# few people are found; below the last step it runs unpruned (down to ``min_prob``).
_FIRST_THRESHOLD = 0.1
_LAST_THRESHOLD = 1e-4


@dataclass(frozen=True, slots=True)
class Path:
    """One introduction chain: ``nodes[0]`` asks ``nodes[1]``, who asks ``nodes[2]``, …

    ``probability`` is the product of ``hop_probs`` times ``target_weight``; ``weakest`` is the
    index of the hop most likely to fail, the one worth strengthening before asking.
    """

    nodes: tuple[int, ...]
    probability: float
    hop_probs: tuple[float, ...]
    target_weight: float = 1.0
    weakest: int = field(default=0)

    @property
    def hops(self) -> int:
        return len(self.hop_probs)

    @property
    def first_contact(self) -> int:
        return self.nodes[1]

    @property
    def target(self) -> int:
        return self.nodes[-1]


@dataclass(frozen=True, slots=True)
class Reach:
    """People reachable within a hop bound, with the best chain probability to each.

    Sorted by probability, highest first; ``hops`` is the length of that best chain.
    """

    nodes: I64
    prob: F64
    hops: I8

    def __len__(self) -> int:
        return len(self.nodes)


def organisation_targets(
    current: ArrayLike, former: ArrayLike = (), former_weight: float = 0.5
) -> tuple[I64, F64]:
    """Target ids and weights for an organisation: current people count fully, former less.

    Former employees still know who is who, but they can no longer vouch from inside, so
    they are a weaker route; someone both current and former counts as current.
    """
    cur = np.unique(np.asarray(current, dtype=np.int64))
    old = np.setdiff1d(np.asarray(former, dtype=np.int64), cur)
    ids = np.concatenate([cur, old])
    weights = np.concatenate([np.ones(len(cur)), np.full(len(old), float(former_weight))])
    return ids, weights


# --------------------------------------------------------------------------- public search


def best_paths(
    graph: TieGraph,
    source: int,
    targets: ArrayLike,
    target_weight: ArrayLike | None = None,
    *,
    k: int = 10,
    max_hops: int = MAX_HOPS,
    blocked: Iterable[int] | ArrayLike | None = None,
    diversify: bool = True,
    per_first_hop: int = 2,
) -> list[Path]:
    """The ``k`` most probable simple chains of at most ``max_hops`` hops to any target.

    ``targets`` are person ids, ``target_weight`` their weights (default 1; a target listed
    twice keeps its larger weight). ``blocked`` people (do-not-ask) are never asked to pass a
    chain on, though they can still be its target. A source or target without ties yields no
    chain.

    Diversity (when ``diversify``): chains are taken in rank order, skipping a chain whose
    first contact already has ``per_first_hop`` chains; only when no other first contact has
    chains left are the skipped ones used, again in rank order. Asking one person for three
    introductions at once spends their goodwill, and one refusal would sink them all. The
    result is listed by probability, highest first; equal probabilities prefer the stronger
    last hop (the introducer closest to the target), then fewer hops.
    """
    if k < 1:
        raise InvalidInput("k must be at least 1")
    if not 1 <= max_hops <= MAX_HOPS:
        raise InvalidInput(f"max_hops must be between 1 and {MAX_HOPS}")
    if per_first_hop < 1:
        raise InvalidInput("per_first_hop must be at least 1")
    s = int(graph.node_of(np.array([source]))[0])
    if s < 0:
        return []
    tn, tw = _target_nodes(graph, s, targets, target_weight)
    if not len(tn):
        return []
    cap = per_first_hop if diversify else k
    with _scratch(graph.n_nodes) as sc:
        cands = _candidates(graph, s, tn, tw, _blocked_nodes(graph, blocked), max_hops, k, cap, sc)
    chosen, _ = _select(cands, k, cap)
    return [cands.path(graph, s, int(i)) for i in chosen]


def paths_between(
    graph: TieGraph,
    source: int,
    target: int,
    *,
    k: int = 10,
    max_hops: int = MAX_HOPS,
    blocked: Iterable[int] | ArrayLike | None = None,
    diversify: bool = False,
) -> list[Path]:
    """The ``k`` most probable simple chains between two people (no diversity by default)."""
    return best_paths(
        graph,
        source,
        np.array([target]),
        k=k,
        max_hops=max_hops,
        blocked=blocked,
        diversify=diversify,
    )


def reach_within(
    graph: TieGraph,
    source: int,
    hops: int = MAX_HOPS,
    *,
    min_prob: float = 0.0,
    blocked: Iterable[int] | ArrayLike | None = None,
    limit: int | None = None,
) -> Reach:
    """Everyone reachable from ``source`` in at most ``hops`` asks, with each best probability.

    A hop-bounded Bellman–Ford on max-product, one synchronous round per hop; exact for simple
    chains, since a chain that revisits someone is never more probable than the one without
    the detour. Blocked people are reached but never asked to pass on. ``min_prob`` keeps only
    chains at least that probable and, with rows sorted by probability, stops reading a row
    where it falls below.

    ``limit`` keeps only the ``limit`` most probable people (equal values by id), and bounds
    the work by it: a hub's 3-hop ball is about half the graph, a cost proportional to the
    graph however it is pruned, while its top thousand lie within a few thousand arcs. The
    answer is exact, the same as the first ``limit`` entries of the unlimited one.
    """
    if hops < 0:
        raise InvalidInput("hops must be non-negative")
    if limit is not None and limit < 1:
        raise InvalidInput("limit must be at least 1")
    s = int(graph.node_of(np.array([source]))[0])
    empty = Reach(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int8))
    if s < 0:
        return empty
    bl = _blocked_nodes(graph, blocked)
    floor = float(min_prob)
    with _scratch(graph.n_nodes) as sc:
        if limit is None:
            return _reach(graph, s, hops, floor, bl, sc)
        # Every person whose best chain is at least θ is found, with that chain's value, by
        # the search pruned at θ (a chain's prefixes are at least as probable as the chain).
        # So once a threshold yields `limit` people they are the true top: lower it tenfold
        # until then, ending at `min_prob`.
        threshold = max(_FIRST_THRESHOLD, floor)
        while True:
            found = _reach(graph, s, hops, threshold, bl, sc)
            if len(found) >= limit or threshold <= floor:
                return Reach(found.nodes[:limit], found.prob[:limit], found.hops[:limit])
            sc.reset()
            lower = threshold * 0.1
            threshold = lower if lower >= max(floor, _LAST_THRESHOLD) else floor


def reachable(
    graph: TieGraph,
    source: int,
    targets: ArrayLike,
    hops: int = MAX_HOPS,
    *,
    blocked: Iterable[int] | ArrayLike | None = None,
) -> NDArray[np.bool_]:
    """For each of ``targets``, whether a chain of at most ``hops`` asks reaches them.

    Exactly the membership of :func:`reach_within`'s answer (same rule for blocked people, the
    source itself never counted), without enumerating that answer: from a hub the 3-hop ball is
    about half the graph, while the people *two* hops out and the targets' own contacts are a
    few thousand. The search meets in the middle: a target is reachable when it lies within
    ``⌈hops/2⌉`` hops, or one of its contacts does and may pass the ask on.
    """
    ids = np.asarray(targets, dtype=np.int64).ravel()
    if hops < 0:
        raise InvalidInput("hops must be non-negative")
    s = int(graph.node_of(np.array([source]))[0])
    tn = graph.node_of(ids)
    out = np.zeros(len(ids), np.bool_)
    if s < 0 or hops == 0 or not len(ids):
        return out
    if hops > MAX_HOPS:  # the meeting below goes one hop back from the targets, no further
        out[:] = np.isin(ids, reach_within(graph, source, hops, blocked=blocked).nodes)
        return out
    bl = _blocked_nodes(graph, blocked)
    forward = (hops + 1) // 2
    with _scratch(graph.n_nodes) as sc:
        sc.set(sc.blocked, bl, True, False)
        _ball(graph, s, forward, sc)
        known = tn >= 0
        t = tn[known]
        hit = sc.hop[t] > 0
        if hops > forward:  # one hop back from the targets: a contact inside the ball
            pos, owner = _ranges(graph.indptr[t], graph.indptr[t + 1])
            u = graph.indices[pos].astype(np.int64)
            passes = (sc.hop[u] > 0) & ((u == s) | ~sc.blocked[u])
            hit[owner[passes]] = True
        hit &= t != s
        out[np.flatnonzero(known)] = hit
    return out


def _ball(g: TieGraph, s: int, depth: int, sc: _Scratch) -> None:
    """Mark (``sc.hop > 0``) everyone within ``depth`` hops of ``s``, ``s`` included.

    Blocked people are marked but not expanded, as in :func:`_reach`.
    """
    sc.set(sc.hop, np.array([s], np.int64), 1, 0)
    frontier = np.array([s], np.int64)
    for d in range(1, depth + 1):
        if d > 1:
            frontier = frontier[~sc.blocked[frontier]]
        if not len(frontier):
            return
        pos, _ = _ranges(g.indptr[frontier], g.indptr[frontier + 1])
        v = g.indices[pos].astype(np.int64)
        v = _distinct(v[sc.hop[v] == 0], sc)
        sc.set(sc.hop, v, d + 1, 0)
        frontier = v


# --------------------------------------------------------------------------- scratch space


class _Scratch:
    """Node-indexed work arrays, all at their neutral value between calls.

    Allocating and zeroing n-sized arrays would cost more than a whole query at 10^6 people,
    so each thread keeps one set and every query resets exactly the entries it touched.
    """

    __slots__ = ("apos", "best", "blocked", "hop", "stamp", "touched", "tpos", "tseg")

    def __init__(self, n: int) -> None:
        self.tpos = np.full(n, -1, np.int64)
        self.tseg = np.full(n, -1, np.int64)
        self.apos = np.full(n, -1, np.int64)
        self.stamp = np.full(n, -1, np.int64)
        self.blocked = np.zeros(n, np.bool_)
        self.best = np.zeros(n, np.float64)
        self.hop = np.zeros(n, np.int8)
        self.touched: list[tuple[NDArray[Any], I64, Any]] = []

    def set(self, arr: NDArray[Any], idx: I64, values: Any, neutral: Any) -> None:
        self.touched.append((arr, idx, neutral))
        arr[idx] = values

    def reset(self) -> None:
        for arr, idx, neutral in reversed(self.touched):
            arr[idx] = neutral
        self.touched.clear()


class _ScratchLease:
    def __init__(self, n: int) -> None:
        self.n = n
        self.sc: _Scratch | None = None

    def __enter__(self) -> _Scratch:
        cached: _Scratch | None = getattr(_local, "scratch", None)
        if cached is None or len(cached.tpos) < self.n:
            cached = _Scratch(self.n)
        # Taken out of the slot while in use, so a re-entrant call gets its own.
        _local.scratch = None
        self.sc = cached
        return cached

    def __exit__(self, *exc: object) -> None:
        assert self.sc is not None
        self.sc.reset()
        _local.scratch = self.sc


_local = threading.local()


def _scratch(n: int) -> _ScratchLease:
    return _ScratchLease(n)


# --------------------------------------------------------------------------- vector helpers


def _ranges(starts: I64, ends: I64) -> tuple[I64, I64]:
    """Concatenated ``arange(starts[i], ends[i])`` and, for each element, its ``i``."""
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(starts), dtype=np.int64), lens)
    offsets = np.cumsum(lens) - lens
    return np.arange(total, dtype=np.int64) + (starts - offsets)[owner], owner


def _distinct(nodes: I64, sc: _Scratch) -> I64:
    """``nodes`` without repeats, each at its last occurrence, without a sort: the last writer
    of each stamp wins (``sc.stamp`` is left at −1)."""
    order = np.arange(len(nodes), dtype=np.int64)
    sc.stamp[nodes] = order
    kept: I64 = nodes[sc.stamp[nodes] == order]
    sc.stamp[kept] = -1
    return kept


def _cut(values: NDArray[Any], lo: I64, hi: I64, thr: F64) -> I64:
    """First position in each descending segment ``values[lo:hi]`` whose value is below ``thr``.

    A bisection run on all segments at once: about log2(longest segment) vector steps.
    """
    lo = lo.copy()
    hi = hi.copy()
    last = max(len(values) - 1, 0)
    active = lo < hi
    while active.any():
        mid = (lo + hi) >> 1
        keep = values[np.minimum(mid, last)] >= thr
        right = active & keep
        lo = np.where(right, mid + 1, lo)
        hi = np.where(active & ~keep, mid, hi)
        active = lo < hi
    return lo


def _target_nodes(
    graph: TieGraph, s: int, targets: ArrayLike, weights: ArrayLike | None
) -> tuple[I64, F64]:
    ids = np.asarray(targets, dtype=np.int64).ravel()
    w = np.ones(len(ids)) if weights is None else np.asarray(weights, np.float64).ravel()
    if len(w) != len(ids):
        raise InvalidInput("target_weight must have one weight per target")
    if len(w) and not (np.all(np.isfinite(w)) and np.all(w > 0)):
        raise InvalidInput("target weights must be positive")
    tn = graph.node_of(ids)
    keep = (tn >= 0) & (tn != s)
    tn, w = tn[keep], w[keep]
    order = np.lexsort((-w, tn))
    tn, w = tn[order], w[order]
    first = np.ones(len(tn), np.bool_)
    first[1:] = tn[1:] != tn[:-1]
    return tn[first], w[first]


def _blocked_nodes(graph: TieGraph, blocked: Iterable[int] | ArrayLike | None) -> I64:
    if blocked is None:
        return np.zeros(0, np.int64)
    if isinstance(blocked, set | frozenset):
        blocked = list(blocked)
    nodes = graph.node_of(np.asarray(blocked, dtype=np.int64).ravel())
    return nodes[nodes >= 0]


# --------------------------------------------------------------------------- candidates


class _Candidates:
    """Chains found so far as parallel arrays; node −1 and probability 1 pad short chains."""

    __slots__ = ("hops", "n1", "n2", "n3", "p1", "p2", "p3", "value", "w")

    def __init__(self, parts: list[dict[str, NDArray[Any]]]) -> None:
        def cat(key: str, dtype: Any, pad: Any) -> NDArray[Any]:
            arrs = [p[key] if key in p else np.full(len(p["n1"]), pad, dtype) for p in parts] or [
                np.zeros(0, dtype)
            ]
            return np.concatenate(arrs).astype(dtype, copy=False)

        self.n1 = cat("n1", np.int64, -1)
        self.n2 = cat("n2", np.int64, -1)
        self.n3 = cat("n3", np.int64, -1)
        self.p1 = cat("p1", np.float64, 1.0)
        self.p2 = cat("p2", np.float64, 1.0)
        self.p3 = cat("p3", np.float64, 1.0)
        self.w = cat("w", np.float64, 1.0)
        self.hops = 1 + (self.n2 >= 0).astype(np.int8) + (self.n3 >= 0).astype(np.int8)
        # Multiplied hop by hop, then the weight: the same order a brute-force oracle uses.
        self.value = self.p1 * self.p2 * self.p3 * self.w

    def __len__(self) -> int:
        return len(self.n1)

    def last_hop(self) -> F64:
        h = self.hops
        return np.where(h == 1, self.p1, np.where(h == 2, self.p2, self.p3))

    def path(self, graph: TieGraph, s: int, i: int) -> Path:
        h = int(self.hops[i])
        nodes = [s, int(self.n1[i]), int(self.n2[i]), int(self.n3[i])][: h + 1]
        probs = tuple(float(x) for x in (self.p1[i], self.p2[i], self.p3[i])[:h])
        ids = tuple(int(x) for x in graph.node_ids[np.array(nodes)])
        return Path(
            nodes=ids,
            probability=float(self.value[i]),
            hop_probs=probs,
            target_weight=float(self.w[i]),
            weakest=int(np.argmin(probs)),
        )


def _select(c: _Candidates, k: int, cap: int) -> tuple[I64, int]:
    """Indices of the chosen chains in rank order, and how many passed the diversity cap.

    Greedy under a per-first-contact cap (a partition matroid): the i-th best chosen value
    is at least the i-th best of any set that respects the cap, which is what makes the
    pruning bound in :func:`_kth_value` safe.
    """
    if not len(c):
        return np.zeros(0, np.int64), 0
    order = np.lexsort((c.n3, c.n2, c.n1, c.hops, -c.last_hop(), -c.value))
    if cap >= k:
        return order[:k], min(k, len(order))
    first = c.n1[order]
    by_first = np.argsort(first, kind="stable")
    grouped = first[by_first]
    new = np.ones(len(grouped), np.bool_)
    new[1:] = grouped[1:] != grouped[:-1]
    starts = np.flatnonzero(new)
    idx = np.arange(len(grouped))
    within = np.empty(len(grouped), np.int64)
    within[by_first] = idx - starts[np.cumsum(new) - 1]
    ok = within < cap
    chosen = np.flatnonzero(ok)[:k]
    n_ok = len(chosen)
    if n_ok < k:
        chosen = np.sort(np.concatenate([chosen, np.flatnonzero(~ok)[: k - n_ok]]))
    return order[chosen], n_ok


def _kth_value(parts: list[dict[str, NDArray[Any]]], k: int, cap: int) -> float:
    """A lower bound of the answer's k-th value from chains found so far (0 if under k)."""
    c = _Candidates(parts)
    chosen, n_ok = _select(c, k, cap)
    return float(c.value[chosen[k - 1]]) if n_ok >= k else 0.0


def _candidates(
    g: TieGraph,
    s: int,
    tn: I64,
    tw: F64,
    blocked: I64,
    max_hops: int,
    k: int,
    cap: int,
    sc: _Scratch,
) -> _Candidates:
    indptr, indices, prob, prob_rev = g.indptr, g.indices, g.prob, g.prob_rev
    parts: list[dict[str, NDArray[Any]]] = []
    sc.set(sc.tpos, tn, np.arange(len(tn)), -1)
    sc.set(sc.blocked, blocked, True, False)

    lo, hi = int(indptr[s]), int(indptr[s + 1])
    a_all = indices[lo:hi].astype(np.int64)
    p_all = prob[lo:hi].astype(np.float64)
    j = sc.tpos[a_all]
    hit = j >= 0
    parts.append({"n1": a_all[hit], "p1": p_all[hit], "w": tw[j[hit]]})
    if max_hops == 1:
        return _Candidates(parts)

    free = ~sc.blocked[a_all]
    a1, p1 = a_all[free], p_all[free]

    # Target side: arcs b → t read from t's row (prob_rev), grouped by b, best q = p·w first.
    pos, owner = _ranges(indptr[tn], indptr[tn + 1])
    b = indices[pos].astype(np.int64)
    ok = (b != s) & ~sc.blocked[b]
    pos, owner, b = pos[ok], owner[ok], b[ok]
    p3 = prob_rev[pos].astype(np.float64)
    q = p3 * tw[owner]
    order = np.lexsort((-q, b))
    b, p3, q = b[order], p3[order], q[order]
    t_of, w_of = tn[owner[order]], tw[owner[order]]
    new = np.ones(len(b), np.bool_)
    new[1:] = b[1:] != b[:-1]
    seg_lo = np.flatnonzero(new).astype(np.int64)
    seg_hi = np.append(seg_lo[1:], len(b)).astype(np.int64)
    seg_b = b[seg_lo]
    seg_q = q[seg_lo]
    sc.set(sc.tseg, seg_b, np.arange(len(seg_b)), -1)

    # Two hops: s → a → t with a itself holding in-arcs of targets.
    j = sc.tseg[a1]
    hit = j >= 0
    if hit.any():
        pos2, own2 = _ranges(seg_lo[j[hit]], seg_hi[j[hit]])
        parts.append(
            {
                "n1": a1[hit][own2],
                "n2": t_of[pos2],
                "p1": p1[hit][own2],
                "p2": p3[pos2],
                "w": w_of[pos2],
            }
        )
    if max_hops == 2 or not len(a1) or not len(seg_b):
        return _Candidates(parts)

    side = _TargetSide(t_of, w_of, p3, q, seg_lo, seg_hi, seg_b, seg_q)
    sc.set(sc.apos, a1, np.arange(len(a1)), -1)
    deg_a = indptr[a1 + 1] - indptr[a1]
    theta = _kth_value(parts, k, cap)
    if int(deg_a.sum()) > _PROBE_MIN_ARCS:
        top = np.argsort(-(p1 * g.max_out_of(a1)), kind="stable")[:_PROBE_CONTACTS]
        lens = np.minimum(deg_a[top], _PROBE_ROW)
        probe = _three_hops(g, a1[top], p1[top], lens, side, theta, sc)
        theta = max(theta, _kth_value([*parts, *probe], k, cap))
    parts.extend(_three_hops_pruned(g, a1, p1, deg_a, side, theta, sc))
    return _Candidates(parts)


@dataclass(frozen=True, slots=True)
class _TargetSide:
    """In-arcs of the targets grouped by their tail ``b``, each group sorted by ``q``."""

    t: I64
    w: F64
    p: F64
    q: F64
    seg_lo: I64
    seg_hi: I64
    seg_b: I64
    seg_q: F64


def _three_hops_pruned(
    g: TieGraph, a1: I64, p1: F64, deg_a: I64, side: _TargetSide, theta: float, sc: _Scratch
) -> list[dict[str, NDArray[Any]]]:
    """All three-hop chains worth at least θ, joining the middle arc from the cheaper side."""
    bound = theta * _SLACK
    if bound > 0.0:
        q_best = float(side.seg_q.max())
        starts = g.indptr[a1]
        lens = _cut(g.prob, starts, starts + deg_a, bound / (p1 * q_best)) - starts
        # From the target side no row prefix applies (rows are sorted by outgoing p), but whole
        # rows of hopeless b's drop out.
        live = side.seg_q * g.max_in[side.seg_b] * float(p1.max()) >= bound
        segs = np.flatnonzero(live)
        rev_cost = int((g.indptr[side.seg_b[segs] + 1] - g.indptr[side.seg_b[segs]]).sum())
    else:
        lens = deg_a
        segs = np.arange(len(side.seg_b))
        rev_cost = int((g.indptr[side.seg_b + 1] - g.indptr[side.seg_b]).sum())
    if _forward_is_cheaper(int(lens.sum()), rev_cost):
        return _three_hops(g, a1, p1, lens, side, theta, sc)
    pos, owner = _ranges(g.indptr[side.seg_b[segs]], g.indptr[side.seg_b[segs] + 1])
    a = g.indices[pos].astype(np.int64)
    ai = sc.apos[a]
    hit = ai >= 0
    return _expand(a[hit], segs[owner[hit]], p1[ai[hit]], g.prob_rev[pos[hit]], side, theta)


def _forward_is_cheaper(forward_arcs: int, reverse_arcs: int) -> bool:
    """Which side reads fewer arcs for the middle hop (a seam the tests use to force each)."""
    return forward_arcs <= reverse_arcs


def _three_hops(
    g: TieGraph, a: I64, p1: F64, lens: I64, side: _TargetSide, theta: float, sc: _Scratch
) -> list[dict[str, NDArray[Any]]]:
    """Three-hop chains through the first ``lens`` arcs of each first contact's row."""
    starts = g.indptr[a]
    pos, owner = _ranges(starts, starts + lens)
    seg = sc.tseg[g.indices[pos]]
    hit = seg >= 0
    pos, owner = pos[hit], owner[hit]
    return _expand(a[owner], seg[hit], p1[owner], g.prob[pos].astype(np.float64), side, theta)


def _expand(
    a: I64, seg: I64, p1: F64, p2: NDArray[Any], side: _TargetSide, theta: float
) -> list[dict[str, NDArray[Any]]]:
    """Middle arcs ``a → b`` (b given as its target-side group) to full chains worth ≥ θ."""
    p2 = p2.astype(np.float64)
    v = p1 * p2
    bound = theta * _SLACK
    if bound > 0.0:
        keep = v * side.seg_q[seg] >= bound
        a, seg, p1, p2, v = a[keep], seg[keep], p1[keep], p2[keep], v[keep]
        hi = _cut(side.q, side.seg_lo[seg], side.seg_hi[seg], bound / v)
    else:
        hi = side.seg_hi[seg]
    pos, owner = _ranges(side.seg_lo[seg], hi)
    t = side.t[pos]
    simple = t != a[owner]
    pos, owner, t = pos[simple], owner[simple], t[simple]
    return [
        {
            "n1": a[owner],
            "n2": side.seg_b[seg[owner]],
            "n3": t,
            "p1": p1[owner],
            "p2": p2[owner],
            "p3": side.p[pos],
            "w": side.w[pos],
        }
    ]


# --------------------------------------------------------------------------- reach


def _reach(g: TieGraph, s: int, hops: int, min_prob: float, blocked: I64, sc: _Scratch) -> Reach:
    sc.set(sc.blocked, blocked, True, False)
    sc.set(sc.best, np.array([s]), 1.0, 0.0)
    frontier = np.array([s], np.int64)
    reached: list[I64] = []
    for h in range(1, hops + 1):
        if h > 1:
            frontier = frontier[~sc.blocked[frontier]]
        if not len(frontier):
            break
        fval = sc.best[frontier]
        starts = g.indptr[frontier]
        ends = g.indptr[frontier + 1]
        if min_prob > 0.0:
            ends = _cut(g.prob, starts, ends, min_prob / fval)
        pos, owner = _ranges(starts, ends)
        v = g.indices[pos].astype(np.int64)
        val = fval[owner] * g.prob[pos]
        better = val > sc.best[v]
        v, val = v[better], val[better]
        if not len(v):
            break
        # Synchronous rounds: values spread this round come from `fval`, a snapshot, so a
        # node improved now cannot pass its new value on before the next hop.
        np.maximum.at(sc.best, v, val)
        frontier = _distinct(v, sc)
        sc.set(sc.best, frontier, sc.best[frontier], 0.0)
        sc.set(sc.hop, frontier, h, 0)
        reached.append(frontier)
    if not reached:
        return Reach(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int8))
    # Each node counts once, with its final (best) value and the hop it got it at.
    nodes = _distinct(np.concatenate(reached), sc)
    prob = sc.best[nodes].copy()
    hop = sc.hop[nodes].copy()
    keep = prob >= min_prob
    nodes, prob, hop = nodes[keep], prob[keep], hop[keep]
    rank = np.lexsort((nodes, -prob))
    return Reach(g.node_ids[nodes[rank]], prob[rank], hop[rank])
