"""Expected reach of a job search into target organisations, and the ask plan that maximises it.

Telling a contact starts an independent cascade (Kempe, Kleinberg & Tardos 2003, KDD): each
newly active person gets one chance to pass the search to each contact v with the tie's
probability p_uv (``transmission.job_transmission``). Jobs do not travel far, so a target
counts as reached only within ``max_hops`` hops of a told contact (DESIGN §4: paths of 1–3
hops). By the live-edge view of the cascade, a target is reached in a sampled world exactly
when a live path of at most ``max_hops`` arcs leads to it from an active seed; each told contact
also acts at all only with its own activation probability (Rajkumar et al.'s inverted U applies
to my tie with them first).

Expected reach — the weighted number of target people reached — is monotone and submodular
(Kempe et al.), and so is its estimate on any fixed set of sampled worlds: per world it is a
coverage function. Greedy seed choice is therefore within 1 − 1/e of optimal on the samples,
and lazy evaluation (CELF; Leskovec et al. 2007, KDD "Cost-effective outbreak detection")
picks exactly the plain greedy's seeds with far fewer evaluations. Exact spread is #P-hard
(Chen et al. 2010), so exact enumeration here is for small graphs and tests; plans use
Monte Carlo over sampled worlds with a stated standard error.

The sampled worlds are *counter-based*: arc a is live in world r when a hash of
(seed, r, a) falls below p_a. A world is then the same wherever it is looked at, so the
reverse sketch (which candidates reach each target, as in reverse-reachable sets, Borgs et al.
2014) and a forward Monte Carlo simulation from any seed set estimate the very same quantity
from the very same samples: the plain greedy baseline and CELF agree seed for seed.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from weakties.errors import InvalidInput

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
U64 = NDArray[np.uint64]
B8 = NDArray[np.bool_]

DEFAULT_HOPS = 3
DEFAULT_ROUNDS = 1000
_SKETCH_BATCH = 1 << 16  # reverse searches run at once; bounds the frontier arrays' memory
# A reverse search per target cost 5–25 forward searches per candidate in bench/plan_bench.py
# (10^4–10^5 people, degree 20): forward ones keep only targets on their last level.
_FORWARD_PER_TARGET = 8


class SketchDirection(StrEnum):
    """Which way ``reach_sketch`` searches: from the targets back, or from the candidates out."""

    AUTO = "auto"
    REVERSE = "reverse"
    FORWARD = "forward"


class PlanMethod(StrEnum):
    """How a plan's seeds were chosen."""

    CELF = "celf"  # lazy greedy over the reverse sketch
    GREEDY = "greedy"  # plain greedy over the reverse sketch (every candidate, every round)
    PLAIN_MONTE_CARLO = "plain-monte-carlo"  # Kempe et al.'s greedy, forward simulations
    GIVEN = "given"  # seeds chosen elsewhere (a baseline), evaluated in the given order


@dataclass(frozen=True, slots=True)
class CascadeGraph:
    """Arcs u→v with pass-on probabilities, indexed forwards (CSR) and backwards (by head).

    Arc ids are positions in the forward CSR; ``rev_arcs`` maps each backward slot to its arc,
    so a world's coin for an arc is the same seen from either end.
    """

    indptr: I64
    heads: I64
    probs: F64
    rev_indptr: I64
    rev_tails: I64
    rev_arcs: I64
    thresholds: U64  # per arc: a world's draw below it means the arc is live

    @property
    def n(self) -> int:
        return int(self.indptr.size - 1)

    @property
    def n_arcs(self) -> int:
        return int(self.heads.size)

    @classmethod
    def from_csr(
        cls, csr: sp.spmatrix | sp.sparray, probs: ArrayLike | None = None
    ) -> CascadeGraph:
        """Build from a square CSR matrix; ``probs`` lines up with its stored arcs (default data).

        Row u, column v is the arc "u passes to v". Store both directions for a symmetric tie
        (their probabilities may differ: willingness belongs to the one passing on).
        """
        if not sp.issparse(csr) or csr.format != "csr":
            raise InvalidInput("the tie graph must be a scipy CSR matrix")
        if csr.shape[0] != csr.shape[1]:
            raise InvalidInput("the tie graph must be square")
        n = int(csr.shape[0])
        indptr = np.asarray(csr.indptr, dtype=np.int64)
        heads = np.asarray(csr.indices, dtype=np.int64)
        p = np.asarray(csr.data if probs is None else probs, dtype=np.float64).ravel()
        if p.size != heads.size:
            raise InvalidInput(f"{p.size} probabilities for {heads.size} arcs")
        if not np.all(np.isfinite(p)) or np.any(p < 0.0) or np.any(p > 1.0):
            raise InvalidInput("arc probabilities must lie in [0, 1]")
        tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
        order = np.argsort(heads, kind="stable")
        rev_indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(heads, minlength=n), out=rev_indptr[1:])
        rev_tails, rev_arcs = tails[order], order.astype(np.int64)
        return cls(indptr, heads, p, rev_indptr, rev_tails, rev_arcs, _thresholds(p))


@dataclass(frozen=True, slots=True)
class ReachEstimate:
    """Expected weighted reach, its standard error (0 when exact) and each target's chance."""

    reach: float
    stderr: float
    target_probs: tuple[float, ...]
    rounds: int  # sampled worlds; 0 for an exact enumeration


@dataclass(frozen=True, slots=True)
class TargetGain:
    """How much one pick raised one target's chance of hearing (and that times its weight)."""

    node: int
    probability: float
    weighted: float


@dataclass(frozen=True, slots=True)
class SeedPick:
    """One person to tell: the marginal reach they add given the earlier picks, and where."""

    node: int
    gain: float
    stderr: float
    reach_after: float
    targets: tuple[TargetGain, ...]  # targets whose chance this pick raised, largest first


@dataclass(frozen=True, slots=True)
class Plan:
    """Whom to tell, in order, with expected reach into the targets and its standard error."""

    picks: tuple[SeedPick, ...]
    reach: float
    stderr: float
    targets: tuple[int, ...]
    target_probs: tuple[float, ...]
    method: PlanMethod
    rounds: int
    max_hops: int
    evaluations: int  # marginal-gain evaluations spent choosing (0 for given seeds)

    @property
    def seeds(self) -> tuple[int, ...]:
        return tuple(p.node for p in self.picks)

    @property
    def gains(self) -> tuple[float, ...]:
        return tuple(p.gain for p in self.picks)


# --- sampled worlds -------------------------------------------------------------------------

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_ODD = np.uint64(0xD1B54A32D192ED03)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x: U64) -> U64:
    """SplitMix64's finaliser: a bijection on 64 bits with full avalanche."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


_UNIT_BITS = 53


def _thresholds(p: F64) -> U64:
    """``ceil(p·2^53)``: a 53-bit draw m is below it exactly when m·2^-53 < p."""
    return np.ceil(np.asarray(p, dtype=np.float64) * float(1 << _UNIT_BITS)).astype(np.uint64)


@dataclass(frozen=True, slots=True)
class _Worlds:
    """``rounds`` live-edge worlds named by a seed; ``draw(r, key)`` is a uniform 53-bit integer.

    A coin with probability p lands "live" when the draw is below ``_thresholds(p)``. Keys are
    arc ids for arcs and ``n_arcs + node`` for a told person's activation.
    """

    codes: U64

    @classmethod
    def of(cls, rounds: int, seed: int) -> _Worlds:
        salt = _mix(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]
        return cls(_mix(np.arange(rounds, dtype=np.uint64) * _GOLDEN + salt))

    def draw(self, world: I64, key: I64) -> U64:
        return _mix(self.codes[world] ^ (key.view(np.uint64) * _ODD)) >> np.uint64(64 - _UNIT_BITS)


def _sorted_unique(keys: I64) -> I64:
    """``np.unique`` by sorting: numpy 2's hash-based unique is several times slower here."""
    keys = np.sort(keys)
    if keys.size < 2:
        return keys
    fresh = np.empty(keys.size, dtype=bool)
    fresh[0] = True
    np.not_equal(keys[1:], keys[:-1], out=fresh[1:])
    return keys[fresh]


def _live_balls(
    groups: I64,
    starts: I64,
    *,
    per_world: int,
    worlds: _Worlds,
    indptr: I64,
    nbrs: I64,
    arcs: I64 | None,
    thresholds: U64,
    n: int,
    hops: int,
    wanted: B8,
) -> I64:
    """Sorted keys ``group·n + node`` of ``wanted`` nodes within ``hops`` live arcs of a start.

    Every group searches its own world (``group // per_world``) breadth first, all groups at
    once in flat arrays; levels are exact shortest live distances, so the hop bound is exact.
    Unwanted nodes are still searched through, but the last level (the largest, and never
    expanded) flips coins only for arcs into wanted nodes. ``arcs`` maps CSR slots to arc ids (None: the slot
    is the arc id).
    """
    visited = _sorted_unique(groups * n + starts)
    frontier = visited
    for level in range(1, hops + 1):
        if frontier.size == 0:
            break
        g = frontier // n
        v = frontier - g * n
        first = indptr[v]
        deg = indptr[v + 1] - first
        total = int(deg.sum())
        if total == 0:
            break
        slot = np.repeat(first - (np.cumsum(deg) - deg), deg) + np.arange(total, dtype=np.int64)
        gg = np.repeat(g, deg)
        if level == hops:  # the last level: only arcs into wanted nodes can matter
            keep = wanted[nbrs[slot]]
            slot, gg = slot[keep], gg[keep]
        arc = slot if arcs is None else arcs[slot]
        live = worlds.draw(gg // per_world, arc) < thresholds[arc]
        found = _sorted_unique(gg[live] * n + nbrs[slot[live]])
        at = np.searchsorted(visited, found)
        seen = visited[np.minimum(at, visited.size - 1)] == found
        frontier = found[~seen]
        # Both runs are sorted, so the stable sort (timsort) merges them in linear time.
        visited = np.sort(np.concatenate([visited, frontier]), kind="stable")
    return visited[wanted[visited % n]]


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Problem:
    """Validated inputs shared by every estimator: who may be told, who should hear."""

    graph: CascadeGraph
    nodes: I64  # seeds or candidates
    activation: F64  # per entry of ``nodes``
    targets: I64
    weights: F64
    target_of: I64  # node → index in targets, −1 elsewhere
    max_hops: int


def _problem(
    graph: CascadeGraph,
    nodes: ArrayLike,
    targets: ArrayLike,
    target_weight: ArrayLike | None,
    activation: ArrayLike | None,
    max_hops: int,
    what: str,
) -> _Problem:
    n = graph.n
    sel = _node_ids(nodes, n, what)
    tgt = _node_ids(targets, n, "targets")
    w = np.ones(tgt.size) if target_weight is None else np.asarray(target_weight, np.float64)
    if w.shape != tgt.shape or not np.all(np.isfinite(w)) or np.any(w < 0.0):
        raise InvalidInput("target weights must be finite, ≥ 0, one per target")
    q = np.ones(sel.size) if activation is None else np.asarray(activation, np.float64)
    if q.shape != sel.shape or not np.all(np.isfinite(q)) or np.any((q < 0) | (q > 1)):
        raise InvalidInput(f"activation must lie in [0, 1], one per entry of {what}")
    if max_hops < 0:
        raise InvalidInput("max_hops must be ≥ 0")
    target_of = np.full(n, -1, dtype=np.int64)
    target_of[tgt] = np.arange(tgt.size)
    return _Problem(graph, sel, q, tgt, w, target_of, max_hops)


def _node_ids(values: ArrayLike, n: int, what: str) -> I64:
    arr = np.asarray(values).ravel()
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise InvalidInput(f"{what} must be node indices")
    ids = arr.astype(np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise InvalidInput(f"{what} must be node indices in [0, {n})")
    if np.unique(ids).size != ids.size:
        raise InvalidInput(f"{what} must not repeat a node")
    return ids


def _weighted(counts: I64, weights: F64, rounds: int) -> float:
    """Σ counts·w / rounds, exactly rounded so every path to the same counts gives the same float."""
    return math.fsum((counts * weights).tolist()) / rounds


def _stderr(per_world: F64) -> float:
    if per_world.size < 2:
        return 0.0
    return float(np.std(per_world, ddof=1) / math.sqrt(per_world.size))


# --- exact ------------------------------------------------------------------------------------


def exact_reach(
    graph: CascadeGraph,
    seeds: ArrayLike,
    targets: ArrayLike,
    target_weight: ArrayLike | None = None,
    *,
    activation: ArrayLike | None = None,
    max_hops: int = DEFAULT_HOPS,
    max_unknowns: int = 16,
) -> ReachEstimate:
    """Expected weighted reach by enumerating every live-edge world of the relevant arcs.

    Only arcs on some path of at most ``max_hops`` from a seed to a target matter; uncertain
    ones (0 < p < 1) and uncertain seed activations are enumerated, 2^m worlds. For small
    neighbourhoods only (a test oracle and the "exact where feasible" case); raises when
    more than ``max_unknowns`` coins would be needed.
    """
    pb = _problem(graph, seeds, targets, target_weight, activation, max_hops, "seeds")
    g, H = graph, max_hops
    d_from = _hop_distances(g.indptr, g.heads, g.probs, None, pb.nodes, H)
    d_to = _hop_distances(g.rev_indptr, g.rev_tails, g.probs, g.rev_arcs, pb.targets, H)
    tails = np.repeat(np.arange(g.n), np.diff(g.indptr))
    keep = (g.probs > 0) & (d_from[tails] + 1 + d_to[g.heads] <= H)
    arc_ids = np.flatnonzero(keep)
    unsure_arcs = arc_ids[g.probs[arc_ids] < 1.0]
    unsure_seeds = np.flatnonzero((pb.activation > 0) & (pb.activation < 1))
    m = unsure_arcs.size + unsure_seeds.size
    if m > max_unknowns:
        raise InvalidInput(
            f"exact reach needs 2^{m} worlds here",
            hint="use the Monte Carlo estimate",
        )
    worlds = 1 << m
    bits = ((np.arange(worlds)[:, None] >> np.arange(m)) & 1).astype(bool)
    p_unsure = np.concatenate([g.probs[unsure_arcs], pb.activation[unsure_seeds]])
    weight = np.ones(worlds)
    for j in range(m):
        weight *= np.where(bits[:, j], p_unsure[j], 1.0 - p_unsure[j])
    col = {int(a): j for j, a in enumerate(unsure_arcs)}
    # Only seeds, targets and the ends of relevant arcs can matter: index just those.
    local = np.unique(np.concatenate([pb.nodes, pb.targets, tails[arc_ids], g.heads[arc_ids]]))
    at = {int(v): j for j, v in enumerate(local)}
    reached = np.zeros((worlds, local.size), dtype=bool)
    for i, s in enumerate(pb.nodes):
        if pb.activation[i] >= 1.0:
            reached[:, at[int(s)]] = True
        elif pb.activation[i] > 0.0:
            bit = unsure_arcs.size + int(np.searchsorted(unsure_seeds, i))
            reached[:, at[int(s)]] = bits[:, bit]
    for _ in range(H):
        nxt = reached.copy()
        for a in arc_ids:
            live = bits[:, col[int(a)]] if int(a) in col else True
            nxt[:, at[int(g.heads[a])]] |= reached[:, at[int(tails[a])]] & live
        reached = nxt
    told = [at[int(s)] for s in pb.nodes]
    reached[:, told] = True  # a told target has heard, whether or not they pass it on
    probs = weight @ reached[:, [at[int(t)] for t in pb.targets]]
    reach = math.fsum((probs * pb.weights).tolist())
    return ReachEstimate(reach, 0.0, tuple(float(x) for x in probs), 0)


def _hop_distances(
    indptr: I64, nbrs: I64, probs: F64, arcs: I64 | None, starts: I64, hops: int
) -> I64:
    """Hop distance from ``starts`` over arcs with p > 0, ``hops + 1`` beyond the bound."""
    n = indptr.size - 1
    dist = np.full(n, hops + 1, dtype=np.int64)
    dist[starts] = 0
    frontier = starts
    for h in range(1, hops + 1):
        first = indptr[frontier]
        deg = indptr[frontier + 1] - first
        total = int(deg.sum())
        slots = np.repeat(first - (np.cumsum(deg) - deg), deg) + np.arange(total, dtype=np.int64)
        arc = slots if arcs is None else arcs[slots]
        nxt = np.unique(nbrs[slots[probs[arc] > 0]])
        nxt = nxt[dist[nxt] > h]
        dist[nxt] = h
        frontier = nxt
    return dist


# --- Monte Carlo, forwards --------------------------------------------------------------------


def _forward_hits(pb: _Problem, worlds: _Worlds, rounds: int, i: int) -> I64:
    """Elements ``world·T + target`` (unique) that telling ``nodes[i]`` reaches, per world."""
    g, T = pb.graph, pb.targets.size
    s = int(pb.nodes[i])
    all_worlds = np.arange(rounds, dtype=np.int64)
    key = np.full(rounds, g.n_arcs + s, dtype=np.int64)
    active = all_worlds[worlds.draw(all_worlds, key) < _thresholds(pb.activation[i : i + 1])]
    keys = _live_balls(
        active,
        np.full(active.size, s, dtype=np.int64),
        per_world=1,
        worlds=worlds,
        indptr=g.indptr,
        nbrs=g.heads,
        arcs=None,
        thresholds=g.thresholds,
        n=g.n,
        hops=pb.max_hops,
        wanted=pb.target_of >= 0,
    )
    world = keys // g.n
    t = pb.target_of[keys - world * g.n]
    hits: I64 = world[t >= 0] * T + t[t >= 0]
    if pb.target_of[s] >= 0:  # told directly: heard in every world
        hits = _sorted_unique(np.concatenate([hits, all_worlds * T + pb.target_of[s]]))
    return hits


def monte_carlo_reach(
    graph: CascadeGraph,
    seeds: ArrayLike,
    targets: ArrayLike,
    target_weight: ArrayLike | None = None,
    *,
    activation: ArrayLike | None = None,
    rounds: int = DEFAULT_ROUNDS,
    max_hops: int = DEFAULT_HOPS,
    seed: int = 0,
) -> ReachEstimate:
    """Expected weighted reach of telling ``seeds``, by forward simulation over sampled worlds.

    The standard error is that of the mean of the per-world weighted reach (worlds are iid).
    """
    pb = _problem(graph, seeds, targets, target_weight, activation, max_hops, "seeds")
    rounds = _positive_rounds(rounds)
    worlds = _Worlds.of(rounds, seed)
    covered = np.zeros(rounds * pb.targets.size, dtype=bool)
    for i in range(pb.nodes.size):
        covered[_forward_hits(pb, worlds, rounds, i)] = True
    return _estimate(covered, pb.weights, rounds)


def _estimate(covered: B8, weights: F64, rounds: int) -> ReachEstimate:
    grid = covered.reshape(rounds, weights.size)
    counts = grid.sum(axis=0)
    probs = tuple(float(c) / rounds for c in counts)
    return ReachEstimate(_weighted(counts, weights, rounds), _stderr(grid @ weights), probs, rounds)


def _positive_rounds(rounds: int) -> int:
    if rounds < 1:
        raise InvalidInput("rounds must be ≥ 1")
    return int(rounds)


# --- the reverse sketch -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReachSketch:
    """For each sampled world and target, the candidates whose telling would reach that target.

    Element ``r·T + t`` (world r, target t) belongs to candidate i when i is told-and-active in
    world r with a live path of at most ``max_hops`` arcs to t (or i is t). Reach of any
    candidate set is then a weighted coverage count, so evaluating a marginal gain costs one
    pass over a candidate's elements instead of a fresh simulation.
    """

    candidates: I64
    targets: I64
    weights: F64
    rounds: int
    max_hops: int
    member_indptr: I64
    member_elems: I64  # sorted within each candidate

    def elements(self, i: int) -> I64:
        return self.member_elems[self.member_indptr[i] : self.member_indptr[i + 1]]

    def index_of(self, seeds: ArrayLike) -> I64:
        """Positions of ``seeds`` among the candidates; every seed must be a candidate."""
        ids = np.asarray(seeds, dtype=np.int64).ravel()
        order = np.argsort(self.candidates)
        at = np.searchsorted(self.candidates[order], ids)
        at = np.minimum(at, self.candidates.size - 1)
        pos = order[at] if self.candidates.size else at
        if ids.size and (self.candidates.size == 0 or np.any(self.candidates[pos] != ids)):
            raise InvalidInput("every seed must be one of the sketch's candidates")
        return pos.astype(np.int64)

    def reach(self, seeds: ArrayLike) -> ReachEstimate:
        """Estimated reach of telling ``seeds`` (candidates), on the sketch's worlds."""
        covered = np.zeros(self.rounds * self.targets.size, dtype=bool)
        for i in self.index_of(seeds):
            covered[self.elements(int(i))] = True
        return _estimate(covered, self.weights, self.rounds)


def reach_sketch(
    graph: CascadeGraph,
    candidates: ArrayLike,
    targets: ArrayLike,
    target_weight: ArrayLike | None = None,
    *,
    activation: ArrayLike | None = None,
    rounds: int = DEFAULT_ROUNDS,
    max_hops: int = DEFAULT_HOPS,
    seed: int = 0,
    direction: SketchDirection = SketchDirection.AUTO,
) -> ReachSketch:
    """Which candidates reach which target in each sampled world, searched from the cheaper side.

    Reverse: one bounded search back from every (world, target), all at once in flat arrays;
    it scales with the targets. Forward: one search out of every candidate across all worlds;
    it scales with the candidates. The worlds are the same either way, so both give the same
    sketch; ``AUTO`` goes forwards when candidates are fewer than ``_FORWARD_PER_TARGET`` per
    target (a forward search, which keeps only targets, costs a fraction of a reverse one).
    """
    pb = _problem(graph, candidates, targets, target_weight, activation, max_hops, "candidates")
    rounds = _positive_rounds(rounds)
    worlds = _Worlds.of(rounds, seed)
    g, T = graph, pb.targets.size
    if direction is SketchDirection.AUTO:
        forward = pb.nodes.size < _FORWARD_PER_TARGET * T
        direction = SketchDirection.FORWARD if forward else SketchDirection.REVERSE
    if direction is SketchDirection.FORWARD:
        hits = [_forward_hits(pb, worlds, rounds, i) for i in range(pb.nodes.size)]
        indptr = np.zeros(pb.nodes.size + 1, dtype=np.int64)
        np.cumsum([h.size for h in hits], out=indptr[1:])
        elems = np.concatenate([np.sort(h) for h in hits]) if hits else np.zeros(0, np.int64)
        return ReachSketch(pb.nodes, pb.targets, pb.weights, rounds, max_hops, indptr, elems)
    cand_of = np.full(g.n, -1, dtype=np.int64)
    cand_of[pb.nodes] = np.arange(pb.nodes.size)
    act_thresholds = _thresholds(pb.activation)
    total = rounds * T
    step = max(1, T, (_SKETCH_BATCH // max(T, 1)) * T)
    pairs: list[I64] = []
    for lo in range(0, total, step):
        elems = np.arange(lo, min(lo + step, total), dtype=np.int64)
        keys = _live_balls(
            elems,
            pb.targets[elems % T],
            per_world=T,
            worlds=worlds,
            indptr=g.rev_indptr,
            nbrs=g.rev_tails,
            arcs=g.rev_arcs,
            thresholds=g.thresholds,
            n=g.n,
            hops=max_hops,
            wanted=cand_of >= 0,
        )
        elem = keys // g.n
        node = keys - elem * g.n
        ci = cand_of[node]
        elem, node, ci = elem[ci >= 0], node[ci >= 0], ci[ci >= 0]
        acts = worlds.draw(elem // T, g.n_arcs + node) < act_thresholds[ci]
        keep = acts | (node == pb.targets[elem % T])
        # Pack (candidate, element) into one sortable key: candidate-major, element-minor.
        pairs.append(ci[keep] * total + elem[keep])
    packed = np.sort(np.concatenate(pairs)) if pairs else np.zeros(0, dtype=np.int64)
    owner = packed // total
    indptr = np.zeros(pb.nodes.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=pb.nodes.size), out=indptr[1:])
    return ReachSketch(pb.nodes, pb.targets, pb.weights, rounds, max_hops, indptr, packed % total)


# --- choosing seeds -----------------------------------------------------------------------------


class _Coverage:
    """Covered elements so far, and the bookkeeping that turns a pick into a ``SeedPick``."""

    def __init__(self, targets: I64, weights: F64, rounds: int) -> None:
        self.targets, self.weights, self.rounds = targets, weights, rounds
        self.covered = np.zeros(rounds * targets.size, dtype=bool)
        self.picks: list[SeedPick] = []

    def counts(self, elems: I64) -> I64:
        fresh = elems[~self.covered[elems]]
        return np.bincount(fresh % self.targets.size, minlength=self.targets.size)

    def gain(self, elems: I64) -> float:
        return _weighted(self.counts(elems), self.weights, self.rounds)

    def take(self, node: int, elems: I64) -> None:
        T, R = self.targets.size, self.rounds
        fresh = elems[~self.covered[elems]]
        counts = np.bincount(fresh % T, minlength=T)
        gain = _weighted(counts, self.weights, R)
        per_world = np.bincount(fresh // T, self.weights[fresh % T], R).astype(np.float64)
        self.covered[fresh] = True
        reach = _weighted(self.covered.reshape(R, T).sum(axis=0), self.weights, R)
        hit = np.flatnonzero(counts)
        gains = [
            TargetGain(
                int(self.targets[t]), int(counts[t]) / R, float(counts[t] * self.weights[t]) / R
            )
            for t in hit
        ]
        gains.sort(key=lambda x: (-x.weighted, x.node))
        self.picks.append(SeedPick(node, gain, _stderr(per_world), reach, tuple(gains)))

    def plan(self, method: PlanMethod, max_hops: int, evaluations: int) -> Plan:
        est = _estimate(self.covered, self.weights, self.rounds)
        return Plan(
            tuple(self.picks),
            est.reach,
            est.stderr,
            tuple(int(t) for t in self.targets),
            est.target_probs,
            method,
            self.rounds,
            max_hops,
            evaluations,
        )


def celf_plan(sketch: ReachSketch, k: int) -> Plan:
    """Lazy greedy (CELF, Leskovec et al. 2007): re-evaluate a candidate only when it tops the queue.

    Submodularity makes every stored gain an upper bound, so a freshly evaluated top is the
    true best; ties go to the earlier candidate, as in ``greedy_plan``. The first round reads
    every singleton gain off the sketch in one pass.
    """
    cov = _Coverage(sketch.targets, sketch.weights, sketch.rounds)
    C, T = sketch.candidates.size, sketch.targets.size
    owner = np.repeat(np.arange(C), np.diff(sketch.member_indptr))
    first = np.bincount(owner * T + sketch.member_elems % T, minlength=C * T).reshape(C, T)
    heap = [(-_weighted(first[i], sketch.weights, sketch.rounds), i, 0) for i in range(C)]
    heapq.heapify(heap)
    evaluations = C
    for round_ in range(min(k, C)):
        while True:
            _, i, stamp = heapq.heappop(heap)
            if stamp == round_:
                break
            evaluations += 1
            heapq.heappush(heap, (-cov.gain(sketch.elements(i)), i, round_))
        cov.take(int(sketch.candidates[i]), sketch.elements(i))
    return cov.plan(PlanMethod.CELF, sketch.max_hops, evaluations)


def greedy_plan(sketch: ReachSketch, k: int) -> Plan:
    """Plain greedy over the sketch: every remaining candidate's gain, every round."""
    cov = _Coverage(sketch.targets, sketch.weights, sketch.rounds)
    left = list(range(sketch.candidates.size))
    evaluations = 0
    for _ in range(min(k, len(left))):
        gains = [cov.gain(sketch.elements(i)) for i in left]
        evaluations += len(left)
        best = left.pop(int(np.argmax(gains)))
        cov.take(int(sketch.candidates[best]), sketch.elements(best))
    return cov.plan(PlanMethod.GREEDY, sketch.max_hops, evaluations)


def evaluate_seeds(sketch: ReachSketch, seeds: ArrayLike) -> Plan:
    """A plan for seeds chosen elsewhere (a baseline), with marginal gains in the given order."""
    cov = _Coverage(sketch.targets, sketch.weights, sketch.rounds)
    for i in sketch.index_of(seeds):
        cov.take(int(sketch.candidates[i]), sketch.elements(int(i)))
    return cov.plan(PlanMethod.GIVEN, sketch.max_hops, 0)


def plain_greedy(
    graph: CascadeGraph,
    candidates: ArrayLike,
    targets: ArrayLike,
    target_weight: ArrayLike | None,
    k: int,
    *,
    activation: ArrayLike | None = None,
    rounds: int = DEFAULT_ROUNDS,
    max_hops: int = DEFAULT_HOPS,
    seed: int = 0,
) -> Plan:
    """Kempe et al.'s greedy with Monte Carlo: each round, simulate forwards from every candidate.

    The non-lazy baseline. It uses the same worlds as ``plan_asks`` with the same ``seed`` and
    ``rounds`` (the worlds are counter-based), caches what the chosen seeds already reach per
    world, and so returns the same seeds and gains — only slower.
    """
    pb = _problem(graph, candidates, targets, target_weight, activation, max_hops, "candidates")
    rounds = _positive_rounds(rounds)
    worlds = _Worlds.of(rounds, seed)
    cov = _Coverage(pb.targets, pb.weights, rounds)
    left = list(range(pb.nodes.size))
    evaluations = 0
    for _ in range(min(k, len(left))):
        best_gain, best_at, best_hits = -1.0, -1, np.zeros(0, dtype=np.int64)
        for at, i in enumerate(left):
            hits = _forward_hits(pb, worlds, rounds, i)
            gain = cov.gain(hits)
            if gain > best_gain:
                best_gain, best_at, best_hits = gain, at, hits
        evaluations += len(left)
        cov.take(int(pb.nodes[left.pop(best_at)]), best_hits)
    return cov.plan(PlanMethod.PLAIN_MONTE_CARLO, max_hops, evaluations)


def plan_asks(
    csr: CascadeGraph | sp.spmatrix | sp.sparray,
    probs: ArrayLike | None,
    candidates: ArrayLike,
    targets: ArrayLike,
    target_weight: ArrayLike | None,
    k: int,
    *,
    activation: ArrayLike | None = None,
    rounds: int = DEFAULT_ROUNDS,
    max_hops: int = DEFAULT_HOPS,
    seed: int = 0,
) -> Plan:
    """The ask plan: the k candidates to tell, chosen by CELF to maximise expected reach.

    ``csr`` is a ``CascadeGraph`` (then ``probs`` must be None) or a CSR matrix with per-arc
    pass-on probabilities in ``probs`` (default its data). ``activation[i]`` is the chance
    candidate i acts on being told (``job_transmission`` of my tie with them).
    """
    if isinstance(csr, CascadeGraph):
        if probs is not None:
            raise InvalidInput("probabilities already live in the CascadeGraph")
        graph = csr
    else:
        graph = CascadeGraph.from_csr(csr, probs)
    if k < 0:
        raise InvalidInput("k must be ≥ 0")
    sketch = reach_sketch(
        graph,
        candidates,
        targets,
        target_weight,
        activation=activation,
        rounds=rounds,
        max_hops=max_hops,
        seed=seed,
    )
    return celf_plan(sketch, k)


def strongest_baseline(candidates: ArrayLike, strength: ArrayLike, k: int) -> I64:
    """The k candidates with the strongest ties to me (ties: earlier candidate first)."""
    cand = np.asarray(candidates, dtype=np.int64).ravel()
    s = np.asarray(strength, dtype=np.float64).ravel()
    if s.shape != cand.shape:
        raise InvalidInput("one strength per candidate")
    return cand[np.argsort(-s, kind="stable")[: max(k, 0)]]


def random_baseline(candidates: ArrayLike, k: int, *, seed: int = 0) -> I64:
    """k candidates drawn uniformly without replacement."""
    cand = np.asarray(candidates, dtype=np.int64).ravel()
    rng = np.random.default_rng(seed)
    return rng.choice(cand, size=min(max(k, 0), cand.size), replace=False).astype(np.int64)
