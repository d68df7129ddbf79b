"""The tie graph as CSR arrays: per-arc introduction success probabilities, cached on disk.

Why arrays and not networkx: at 10^6 people / 10^7 ties CSR builds in about a second and needs
about 26 bytes per tie, where networkx needs about 400 (perf-anchors §2), and a memory-mapped
copy lets each CLI call open the graph without rebuilding it. networkx stays for export and as
the tests' oracle (:meth:`TieGraph.to_networkx`).

Each undirected tie becomes two arcs because willingness is asymmetric: arc ``u → v`` carries
the probability that ``v`` acts when ``u`` asks (:func:`hop_probability`). Rows are sorted by
that probability, highest first, so a search can read only the prefix of a row that could still
beat its current k-th best path; that is how the path search prunes hubs (:mod:`.paths`).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from weakties.errors import InvalidInput, NotFound, WeaktiesError

if TYPE_CHECKING:
    import networkx as nx

I32 = NDArray[np.int32]
I64 = NDArray[np.int64]
F32 = NDArray[np.float32]
F64 = NDArray[np.float64]

FORMAT = "weakties-tie-graph"
FORMAT_VERSION = 1
_ARRAYS = ("indptr", "indices", "prob", "prob_rev", "node_ids", "max_in")


class StaleGraph(WeaktiesError):
    """The cached graph on disk was written for other data or by another format version."""


@dataclass(frozen=True, slots=True)
class WillingnessModel:
    """Per-hop willingness ``P(v helps u)`` as a logistic in tie strength and goodwill.

    Calibration: Dodds, Muhamad & Watts (2003, *Science* 301:827) observed about 35% per-step
    continuation in e-mail chains that mostly ran over intermediate-to-weak ties, which this
    model gives near strength 0.35; strong ties approach ``1 − floor``. Goodwill follows the
    norm of reciprocity (Gouldner 1960, *Am. Sociol. Rev.* 25:161): favours ``u`` did for ``v``
    that ``v`` has not returned raise ``v``'s willingness, favours ``u`` still owes lower it;
    ``tanh`` saturates it so a ledger cannot buy certainty. The size of the effect: one small
    unsolicited favour about doubled compliance with a later request in Regan (1971, *J. Exp.
    Soc. Psychol.* 7:627), odds ×2 ≈ +0.7 on the logit; ``1.5 · tanh(1 / 2) ≈ 0.69`` gives that
    for one small favour, and a large one (weight 4) reaches about ×4. ``knows`` multiplies
    in: a hop between two other people only works if they actually know each other.
    """

    intercept: float = -2.2
    strength_slope: float = 4.4
    goodwill_slope: float = 1.5
    goodwill_scale: float = 2.0
    floor: float = 0.01

    def __call__(
        self, strength: ArrayLike, goodwill: ArrayLike = 0.0, knows: ArrayLike = 1.0
    ) -> F32:
        s = np.clip(np.asarray(strength, dtype=np.float64), 0.0, 1.0)
        g = np.tanh(np.asarray(goodwill, dtype=np.float64) / self.goodwill_scale)
        z = self.intercept + self.strength_slope * s + self.goodwill_slope * g
        will = 1.0 / (1.0 + np.exp(-z))
        k = np.clip(np.asarray(knows, dtype=np.float64), 0.0, 1.0)
        p = np.clip(will * k, self.floor, 1.0 - self.floor)
        return np.asarray(p, dtype=np.float32)


def hop_probability(
    strength: ArrayLike,
    favours_done: ArrayLike = 0.0,
    favours_owed: ArrayLike = 0.0,
    knows: ArrayLike = 1.0,
    model: WillingnessModel | None = None,
) -> F32:
    """Probability that an ask along ``u → v`` succeeds, from the facts about the tie.

    ``favours_done``: size-weighted favours ``u`` did for ``v`` (``v`` is in ``u``'s debt);
    ``favours_owed``: those ``v`` did for ``u`` that ``u`` has not returned. Vectorised.
    """
    goodwill = np.asarray(favours_done, dtype=np.float64) - np.asarray(favours_owed, np.float64)
    return (model or WillingnessModel())(strength, goodwill, knows)


@dataclass(frozen=True, slots=True)
class TieGraph:
    """Directed CSR view of the tie network; node ``i`` is the person ``node_ids[i]``.

    ``node_ids`` is sorted, so an id maps to its node by binary search and node order equals id
    order (which makes ties in rankings break the same way everywhere). Arc ``j`` in row ``u``
    goes to ``indices[j]`` with success probability ``prob[j]``; ``prob_rev[j]`` is the
    probability of the reverse arc, so a row also lists the arcs *into* ``u`` (the search walks
    backwards from targets with it). ``max_in[u]`` is the best probability of an arc into ``u``.
    Within a row arcs are sorted by ``prob``, highest first.
    """

    indptr: I64
    indices: I32
    prob: F32
    prob_rev: F32
    node_ids: I64
    max_in: F32

    # ----------------------------------------------------------------- construction

    @classmethod
    def from_edges(
        cls,
        src: ArrayLike,
        dst: ArrayLike,
        p_forward: ArrayLike,
        p_backward: ArrayLike | None = None,
        *,
        people: ArrayLike | None = None,
        unique_pairs: bool = False,
    ) -> TieGraph:
        """Build from undirected ties ``src–dst`` given as external person ids.

        ``p_forward`` is the probability of arc ``src → dst``, ``p_backward`` of ``dst → src``
        (defaults to ``p_forward``). ``people`` adds people without ties. Self-ties are dropped.
        A pair listed twice keeps its best probabilities, unless the caller promises
        ``unique_pairs`` (the tie table's key does), which skips the check's sort.
        No Python loop touches an edge: one counting sort by row (scipy's COO→CSR) whose
        column key is the probability bits does the grouping and the in-row order at once.
        """
        a = np.asarray(src, dtype=np.int64).ravel()
        b = np.asarray(dst, dtype=np.int64).ravel()
        pf = np.asarray(p_forward, dtype=np.float32).ravel()
        pb = pf if p_backward is None else np.asarray(p_backward, dtype=np.float32).ravel()
        if not (len(a) == len(b) == len(pf) == len(pb)):
            raise InvalidInput("edge arrays must have the same length")
        for p in (pf, pb):
            if len(p) and not (np.all(p > 0.0) and np.all(p <= 1.0)):
                raise InvalidInput("arc probabilities must lie in (0, 1]")
        keep = a != b
        if not keep.all():
            a, b, pf, pb = a[keep], b[keep], pf[keep], pb[keep]
        extra = np.zeros(0, np.int64) if people is None else np.asarray(people, np.int64).ravel()
        node_ids, ia, ib = _index_ids(a, b, extra)
        if not unique_pairs:
            ia, ib, pf, pb = _merge_duplicates(ia, ib, pf, pb, len(node_ids))
        return cls._from_node_arcs(ia, ib, pf, pb, node_ids)

    @classmethod
    def _from_node_arcs(cls, ia: I64, ib: I64, pf: F32, pb: F32, node_ids: I64) -> TieGraph:
        n, m = len(node_ids), len(ia)
        if 2 * m >= 2**31:
            raise InvalidInput("more than 2^30 ties: int32 arc indices would overflow")
        rows = np.concatenate([ia, ib])
        cols = np.concatenate([ib, ia]).astype(np.int32)
        prob = np.concatenate([pf, pb])
        rev = np.concatenate([pb, pf])
        del ia, ib
        # Column key = (descending probability bits, arc number): distinct per arc, so scipy's
        # duplicate summing never fires, and its in-row index sort yields probability order.
        # Positive float32 bit patterns order like the floats themselves.
        # In place: at 10^7 ties each temporary is 160 MB and costs a pass over memory.
        key = np.subtract(np.int64(0x7FFFFFFF), prob.view(np.int32), dtype=np.int64)
        np.left_shift(key, np.int64(31), out=key)
        np.bitwise_or(key, np.arange(2 * m, dtype=np.int64), out=key)
        csr = sp.csr_matrix((prob, (rows, key)), shape=(n, 1 << 62))
        del rows, key
        arc = np.bitwise_and(csr.indices, np.int64(0x7FFFFFFF), out=csr.indices)
        indptr = np.asarray(csr.indptr, dtype=np.int64)
        prob_sorted = np.asarray(csr.data, dtype=np.float32)
        del csr
        indices = cols[arc]
        prob_rev = rev[arc]
        del arc, cols, rev
        return cls(indptr, indices, prob_sorted, prob_rev, node_ids, _row_max(indptr, prob_rev))

    # ----------------------------------------------------------------- basic queries

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_arcs(self) -> int:
        return len(self.indices)

    @property
    def n_ties(self) -> int:
        return len(self.indices) // 2

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (what a memory-mapped copy pages in at most)."""
        return sum(getattr(self, name).nbytes for name in _ARRAYS)

    def degree(self) -> I64:
        return np.diff(self.indptr)

    def max_out(self) -> F32:
        """Best outgoing arc probability per node (0 for people without ties): rows are sorted."""
        out = np.zeros(self.n_nodes, np.float32)
        has = self.indptr[1:] > self.indptr[:-1]
        out[has] = self.prob[self.indptr[:-1][has]]
        return out

    def max_out_of(self, nodes: I64) -> F32:
        """:meth:`max_out` for a few nodes, without touching the others."""
        lo, hi = self.indptr[nodes], self.indptr[nodes + 1]
        best = self.prob[np.minimum(lo, max(self.n_arcs - 1, 0))] if self.n_arcs else lo * 0.0
        return np.where(hi > lo, best, 0.0).astype(np.float32)

    def node_of(self, person_ids: ArrayLike) -> I64:
        """Node index of each id, −1 where the person is not in the graph."""
        ids = np.asarray(person_ids, dtype=np.int64)
        pos = np.searchsorted(self.node_ids, ids)
        pos_c = np.minimum(pos, max(self.n_nodes - 1, 0))
        found = (pos < self.n_nodes) & (self.node_ids[pos_c] == ids) if self.n_nodes else pos < 0
        return np.where(found, pos_c, -1).astype(np.int64)

    def require_node(self, person_id: int) -> int:
        node = int(self.node_of(np.array([person_id]))[0])
        if node < 0:
            raise NotFound(f"person {person_id} has no ties in the graph")
        return node

    def arc_prob(self, u_id: int, v_id: int) -> float:
        """Probability of the arc ``u → v`` between two people, 0.0 when they have no tie."""
        nodes = self.node_of(np.array([u_id, v_id]))
        if nodes.min() < 0:
            return 0.0
        lo, hi = self.indptr[nodes[0]], self.indptr[nodes[0] + 1]
        hit = np.flatnonzero(self.indices[lo:hi] == nodes[1])
        return float(self.prob[lo + hit[0]]) if len(hit) else 0.0

    def edges(self) -> tuple[I64, I64, F32, F32]:
        """Each tie once as ``(src_id, dst_id, p_forward, p_backward)`` with ``src < dst``."""
        rows = np.repeat(np.arange(self.n_nodes, dtype=np.int64), self.degree())
        once = rows < self.indices
        return (
            self.node_ids[rows[once]],
            self.node_ids[self.indices[once]],
            self.prob[once],
            self.prob_rev[once],
        )

    # ----------------------------------------------------------------- updates

    def patched(
        self,
        src: ArrayLike,
        dst: ArrayLike,
        p_forward: ArrayLike,
        p_backward: ArrayLike | None = None,
    ) -> TieGraph:
        """A copy with a few ties added or re-weighted, without re-sorting the whole graph.

        Only the rows of the touched people are rebuilt; the rest is copied in slices, so a
        patch costs one pass of memory copies (tens of ms at 10^7 ties) instead of a sort.
        Ties to people not yet in the graph fall back to a full rebuild, which the benchmark
        measures at about 1–2 s per 10^7 ties.
        """
        a = np.asarray(src, dtype=np.int64).ravel()
        b = np.asarray(dst, dtype=np.int64).ravel()
        pf = np.asarray(p_forward, dtype=np.float32).ravel()
        pb = pf if p_backward is None else np.asarray(p_backward, dtype=np.float32).ravel()
        if not (len(a) == len(b) == len(pf) == len(pb)):
            raise InvalidInput("edge arrays must have the same length")
        if len(pf) and not (np.all(pf > 0) & np.all(pf <= 1) & np.all(pb > 0) & np.all(pb <= 1)):
            raise InvalidInput("arc probabilities must lie in (0, 1]")
        # A patch is a handful of ties: a dict makes "the last entry for a pair wins" plain.
        last: dict[tuple[int, int], tuple[float, float]] = {}
        for u, v, fw, bw in zip(a.tolist(), b.tolist(), pf.tolist(), pb.tolist(), strict=True):
            if u != v:
                last[(u, v) if u < v else (v, u)] = (fw, bw) if u < v else (bw, fw)
        a = np.array([k[0] for k in last], np.int64)
        b = np.array([k[1] for k in last], np.int64)
        pf = np.array([p[0] for p in last.values()], np.float32)
        pb = np.array([p[1] for p in last.values()], np.float32)
        na, nb = self.node_of(a), self.node_of(b)
        if len(a) and (na.min() < 0 or nb.min() < 0):
            ea, eb, efw, ebw = self.edges()
            n = np.int64(max(self.n_nodes, 1))
            known = (na >= 0) & (nb >= 0)
            ek = self.node_of(ea) * n + self.node_of(eb)
            kept = ~np.isin(ek, na[known] * n + nb[known])
            return TieGraph.from_edges(
                np.concatenate([a, ea[kept]]),
                np.concatenate([b, eb[kept]]),
                np.concatenate([pf, efw[kept]]),
                np.concatenate([pb, ebw[kept]]),
                people=self.node_ids,
                unique_pairs=True,
            )
        # Per touched row: neighbour → (p out, p in). Patches are a handful of ties, so plain
        # dicts over the touched rows are cheaper than any vector trick here.
        rows: dict[int, dict[int, tuple[float, float]]] = {}
        for u, v, fw, bw in zip(na.tolist(), nb.tolist(), pf.tolist(), pb.tolist(), strict=True):
            for x, y, out, inn in ((u, v, fw, bw), (v, u, bw, fw)):
                row = rows.get(x)
                if row is None:
                    lo, hi = int(self.indptr[x]), int(self.indptr[x + 1])
                    row = dict(
                        zip(
                            self.indices[lo:hi].tolist(),
                            zip(
                                self.prob[lo:hi].tolist(),
                                self.prob_rev[lo:hi].tolist(),
                                strict=True,
                            ),
                            strict=True,
                        )
                    )
                    rows[x] = row
                row[y] = (out, inn)
        touched = sorted(rows)
        pieces_i: list[NDArray[Any]] = []
        pieces_p: list[NDArray[Any]] = []
        pieces_r: list[NDArray[Any]] = []
        new_deg = self.degree().copy()
        prev = 0
        for u in touched:
            lo, hi = int(self.indptr[u]), int(self.indptr[u + 1])
            pieces_i.append(self.indices[self.indptr[prev] : lo])
            pieces_p.append(self.prob[self.indptr[prev] : lo])
            pieces_r.append(self.prob_rev[self.indptr[prev] : lo])
            nbr = np.fromiter(rows[u].keys(), np.int32, len(rows[u]))
            pr = np.array(list(rows[u].values()), dtype=np.float32).reshape(-1, 2)
            order = np.lexsort((nbr, -pr[:, 0]))
            pieces_i.append(nbr[order])
            pieces_p.append(pr[order, 0])
            pieces_r.append(pr[order, 1])
            new_deg[u] = len(nbr)
            prev = u + 1
            del hi
        tail = int(self.indptr[prev])
        pieces_i.append(self.indices[tail:])
        pieces_p.append(self.prob[tail:])
        pieces_r.append(self.prob_rev[tail:])
        indptr = np.zeros(self.n_nodes + 1, np.int64)
        np.cumsum(new_deg, out=indptr[1:])
        prob_rev = np.concatenate(pieces_r).astype(np.float32)
        max_in = np.array(self.max_in, dtype=np.float32, copy=True)
        t = np.array(touched, dtype=np.int64)
        max_in[t] = _row_max(indptr, prob_rev, t)
        return TieGraph(
            indptr,
            np.concatenate(pieces_i).astype(np.int32),
            np.concatenate(pieces_p).astype(np.float32),
            prob_rev,
            self.node_ids,
            max_in,
        )

    # ----------------------------------------------------------------- disk cache

    def save(self, folder: str | os.PathLike[str], fingerprint: str) -> None:
        """Write the arrays as ``.npy`` files plus ``header.json`` into ``folder``, atomically.

        ``fingerprint`` identifies the data the graph was built from (the caller's choice, e.g.
        a hash of the tie table's version); :meth:`load` refuses a cache whose fingerprint
        differs, so a CLI call never answers from a stale graph.
        """
        target = FsPath(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = FsPath(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            for name in _ARRAYS:
                np.save(tmp / f"{name}.npy", getattr(self, name), allow_pickle=False)
            header = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "nodes": self.n_nodes,
                "arcs": self.n_arcs,
                "fingerprint": fingerprint,
            }
            (tmp / "header.json").write_text(json.dumps(header, indent=1), encoding="utf-8")
            old = None
            if target.exists():
                old = target.with_name(f".{target.name}.old")
                if old.exists():
                    shutil.rmtree(old)
                os.replace(target, old)
            os.replace(tmp, target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @staticmethod
    def cached_fingerprint(folder: str | os.PathLike[str]) -> str | None:
        """The fingerprint of the graph cached in ``folder``, None if there is no usable one."""
        try:
            header = json.loads((FsPath(folder) / "header.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if header.get("format") != FORMAT or header.get("version") != FORMAT_VERSION:
            return None
        fp = header.get("fingerprint")
        return fp if isinstance(fp, str) else None

    @classmethod
    def load(
        cls,
        folder: str | os.PathLike[str],
        fingerprint: str | None = None,
        *,
        mmap: bool = True,
    ) -> TieGraph:
        """Open a cached graph; memory-mapped read-only by default, so opening costs no copy.

        Raises :class:`StaleGraph` when the cache is missing, from another format version,
        inconsistent, or (when ``fingerprint`` is given) built from other data.
        """
        base = FsPath(folder)
        try:
            header = json.loads((base / "header.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StaleGraph(f"no readable graph cache in {base}") from exc
        if header.get("format") != FORMAT or header.get("version") != FORMAT_VERSION:
            raise StaleGraph(f"graph cache in {base} has another format version")
        if fingerprint is not None and header.get("fingerprint") != fingerprint:
            raise StaleGraph(f"graph cache in {base} was built from other data")
        mode: Any = "r" if mmap else None
        try:
            arrays = [np.load(base / f"{name}.npy", mmap_mode=mode) for name in _ARRAYS]
        except (OSError, ValueError) as exc:
            raise StaleGraph(f"graph cache in {base} is damaged") from exc
        g = cls(*arrays)
        if g.n_nodes != header.get("nodes") or g.n_arcs != header.get("arcs"):
            raise StaleGraph(f"graph cache in {base} does not match its header")
        if len(g.indptr) != g.n_nodes + 1 or len(g.prob) != g.n_arcs:
            raise StaleGraph(f"graph cache in {base} is damaged")
        return g

    # ----------------------------------------------------------------- export

    def to_networkx(self) -> nx.DiGraph:
        """A networkx DiGraph on person ids with arc attributes ``prob`` and ``weight = −ln p``.

        For export (GraphML/GEXF) and as the tests' oracle; −ln p turns the product of hop
        probabilities into a path length, the form shortest-path algorithms expect.
        """
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(self.node_ids.tolist())
        rows = np.repeat(self.node_ids, self.degree()).tolist()
        cols = self.node_ids[self.indices].tolist()
        probs = self.prob.astype(np.float64).tolist()
        g.add_edges_from(
            (u, v, {"prob": p, "weight": -math.log(p)})
            for u, v, p in zip(rows, cols, probs, strict=True)
        )
        return g


def _index_ids(a: I64, b: I64, extra: I64) -> tuple[I64, I64, I64]:
    """Sorted distinct ids and each endpoint's node index.

    Dense non-negative ids (the store's autoincrement keys) use a presence table, linear time;
    anything else falls back to one sort.
    """
    total = len(a) + len(b) + len(extra)
    if total == 0:
        return np.zeros(0, np.int64), a, b
    lo = min(int(x.min()) for x in (a, b, extra) if len(x))
    hi = max(int(x.max()) for x in (a, b, extra) if len(x))
    if lo >= 0 and hi < 4 * total + 1024:
        present = np.zeros(hi + 1, np.bool_)
        present[a] = True
        present[b] = True
        present[extra] = True
        node_ids = np.flatnonzero(present).astype(np.int64)
        remap = np.cumsum(present, dtype=np.int64) - 1
        return node_ids, remap[a], remap[b]
    node_ids, inverse = np.unique(np.concatenate([a, b, extra]), return_inverse=True)
    inverse = inverse.astype(np.int64)
    return node_ids, inverse[: len(a)], inverse[len(a) : len(a) + len(b)]


def _merge_duplicates(ia: I64, ib: I64, pf: F32, pb: F32, n: int) -> tuple[I64, I64, F32, F32]:
    """One arc pair per unordered pair; repeated pairs keep each direction's best probability."""
    lo, hi = np.minimum(ia, ib), np.maximum(ia, ib)
    swap = ia > ib
    p_lohi = np.where(swap, pb, pf)
    p_hilo = np.where(swap, pf, pb)
    key = lo * np.int64(max(n, 1)) + hi
    ks = np.sort(key)  # a plain sort is several times faster than argsort; most inputs are clean
    if not len(ks) or bool(np.all(ks[1:] != ks[:-1])):
        return ia, ib, pf, pb
    order = np.argsort(key, kind="stable")
    ks = key[order]
    first = np.ones(len(ks), np.bool_)
    first[1:] = ks[1:] != ks[:-1]
    starts = np.flatnonzero(first)
    return (
        lo[order][starts],
        hi[order][starts],
        np.maximum.reduceat(p_lohi[order], starts).astype(np.float32),
        np.maximum.reduceat(p_hilo[order], starts).astype(np.float32),
    )


def _row_max(indptr: I64, values: F32, rows: I64 | None = None) -> F32:
    """Maximum of ``values`` over each row's arcs (0 for empty rows)."""
    if rows is None:
        out = np.zeros(len(indptr) - 1, np.float32)
        starts = indptr[:-1]
        has = indptr[1:] > starts
        if len(values):
            out[has] = np.maximum.reduceat(values, starts[has])
        return out
    res = np.zeros(len(rows), np.float32)
    for j, u in enumerate(rows.tolist()):
        lo, hi = int(indptr[u]), int(indptr[u + 1])
        if hi > lo:
            res[j] = values[lo:hi].max()
    return res
