"""The local engine: the whole network scored in memory with numpy and scipy.

It receives the store's fact columns (anything shaped like :class:`FactColumns`), builds the
pairwise events and side inputs, and runs the analysis models: tie strength for the owner's
ties, knows probabilities for pairs of other people, Dunbar layers and brokerage.

The steps whose cost grows with the interactions — expanding them into pairwise events,
grouping the events by pair, and the closure sums over common neighbours — go through
:class:`Kernels`. :data:`LOCAL` runs them here with numpy and scipy; the Spark engine
(``weakties.engines.spark``) runs the same steps as Spark SQL jobs and hands back the same
columns, and everything else (the side inputs, the calibration, the scoring) is this module's
code on both engines: one definition of each model.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from weakties.analysis.calibration import (
    DEFAULT_CALIBRATION,
    Calibration,
    LinearModel,
    calibrate,
)
from weakties.analysis.events import EventArrays, expand_interactions
from weakties.analysis.features import (
    ACTR_DECAY,
    CHANNEL_WEIGHTS,
    DAY,
    PairAggregate,
    PairFeatures,
    PairValues,
    SideInputs,
    aggregate_events,
    join_side_inputs,
)
from weakties.analysis.goodwill import GoodwillEntries, decayed_weights, ledger_entries
from weakties.analysis.knows import KnowsEvidence, KnowsScore, knows_probability
from weakties.analysis.strength import DEFAULT_WEIGHTS, StrengthWeights, tie_strength

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
YEAR = 365.25 * DAY


class FactColumns(Protocol):
    """The columns the store hands over (see ``weakties.store.facts.Facts``)."""

    @property
    def me(self) -> int | None: ...
    @property
    def people(self) -> I64: ...
    @property
    def p_interaction(self) -> I64: ...
    @property
    def p_person(self) -> I64: ...
    @property
    def p_initiator(self) -> NDArray[np.bool_]: ...
    @property
    def p_time(self) -> F64: ...
    @property
    def p_channel(self) -> NDArray[np.int8]: ...
    @property
    def link_a(self) -> I64: ...
    @property
    def link_b(self) -> I64: ...
    @property
    def favour_giver(self) -> I64: ...
    @property
    def favour_receiver(self) -> I64: ...
    @property
    def favour_weight(self) -> F64: ...
    @property
    def favour_time(self) -> F64: ...
    @property
    def intro_time(self) -> F64: ...
    @property
    def intro_by(self) -> I64: ...
    @property
    def intro_a(self) -> I64: ...
    @property
    def intro_b(self) -> I64: ...
    @property
    def aff_person(self) -> I64: ...
    @property
    def aff_org(self) -> I64: ...
    @property
    def aff_start(self) -> F64: ...
    @property
    def aff_end(self) -> F64: ...
    @property
    def knows_a(self) -> I64: ...
    @property
    def knows_b(self) -> I64: ...
    @property
    def rating_person(self) -> I64: ...
    @property
    def rating_value(self) -> F64: ...


class Kernels(Protocol):
    """The data-parallel steps of scoring, which an engine may run elsewhere.

    ``pairwise`` expands the interactions among ``ids`` into pairwise events and returns a
    handle the other two steps accept (the local engine: :class:`EventArrays`; Spark: a
    DataFrame); ``aggregate`` groups them by pair up to ``as_of``, sorted by ``(a, b)``;
    ``collect`` brings the events themselves (the calibration's inner split needs them);
    ``closure`` gives candidate pairs' closure sums (``weakties.analysis.signals``).
    """

    def pairwise(self, facts: FactColumns, ids: I64) -> object: ...
    def aggregate(self, events: object, as_of: float) -> PairAggregate: ...
    def collect(self, events: object) -> EventArrays: ...
    def closure(self, adjacency: sp.csr_matrix, a: I64, b: I64, weights: F64) -> F64: ...


class LocalKernels:
    """:class:`Kernels` in this process: numpy and scipy."""

    def pairwise(self, facts: FactColumns, ids: I64) -> EventArrays:
        events = expand_interactions(
            facts.p_interaction, facts.p_person, facts.p_initiator, facts.p_time, facts.p_channel
        )
        return events.select(np.isin(events.u, ids) & np.isin(events.v, ids))

    def aggregate(self, events: object, as_of: float) -> PairAggregate:
        assert isinstance(events, EventArrays)
        return aggregate_events(events, as_of, decay=ACTR_DECAY, channel_weights=CHANNEL_WEIGHTS)

    def collect(self, events: object) -> EventArrays:
        assert isinstance(events, EventArrays)
        return events

    def closure(self, adjacency: sp.csr_matrix, a: I64, b: I64, weights: F64) -> F64:
        from weakties.analysis.signals import closure_sums

        return closure_sums(adjacency, a, b, weights)


LOCAL = LocalKernels()


@dataclass(frozen=True, slots=True)
class Network:
    """The scored network at ``now``: features of every pair and the owner's tie strengths."""

    now: float
    me: int
    ids: I64  # person id of each row/column of ``adjacency`` (sorted)
    adjacency: sp.csr_matrix  # 0/1: any contact, link, introduction or knows entry
    features: PairFeatures
    strength: F64  # aligned with ``features``
    category: NDArray[np.str_]
    last_seen: F64  # per person in ``ids``: last contact with anyone (NaN: never)
    calibration: Calibration = DEFAULT_CALIBRATION  # the models fitted on the history
    tie_model: LinearModel | None = None  # the calibrated tie model in use (None: ``weights``)

    def index(self, person_ids: I64) -> I64:
        """Rows of ``adjacency`` for these person ids (−1 when unknown)."""
        pos = np.searchsorted(self.ids, person_ids)
        pos = np.minimum(pos, max(len(self.ids) - 1, 0))
        found = len(self.ids) > 0
        ok = found & (self.ids[pos] == person_ids) if found else np.zeros(len(person_ids), bool)
        return np.where(ok, pos, -1).astype(np.int64)

    def owner_rows(self) -> I64:
        """Rows of ``features`` that are the owner's ties."""
        return np.flatnonzero((self.features.a == self.me) | (self.features.b == self.me))

    def contact_of(self, rows: I64) -> I64:
        """The other person of each of the owner's tie rows."""
        return np.where(
            self.features.a[rows] == self.me, self.features.b[rows], self.features.a[rows]
        )


def _tenure_overlap(facts: FactColumns, person: int, others: I64, now: float) -> F64:
    """Days each of ``others`` overlapped with ``person`` at the same organisation."""
    out = np.zeros(len(others))
    mine = np.flatnonzero(facts.aff_person == person)
    if not len(mine) or not len(others):
        return out
    where = {int(o): i for i, o in enumerate(others)}
    theirs = np.flatnonzero(
        np.isin(facts.aff_person, others) & np.isin(facts.aff_org, facts.aff_org[mine])
    )
    end = np.where(np.isnan(facts.aff_end), now, facts.aff_end)
    start = _placed_starts(facts, now)
    for m in mine:
        if np.isnan(start[m]):
            continue
        same = theirs[facts.aff_org[theirs] == facts.aff_org[m]]
        for t in same:
            if np.isnan(start[t]):
                continue
            days = (min(end[m], end[t]) - max(start[m], start[t])) / DAY
            if days > 0:
                i = where[int(facts.aff_person[t])]
                out[i] = max(out[i], days)
    return out


def _ledger(facts: FactColumns) -> GoodwillEntries:
    return ledger_entries(
        favour_giver=facts.favour_giver,
        favour_receiver=facts.favour_receiver,
        favour_weight=facts.favour_weight,
        favour_time=facts.favour_time,
        intro_by=facts.intro_by,
        intro_a=facts.intro_a,
        intro_b=facts.intro_b,
        intro_time=facts.intro_time,
    )


def _decayed_favours(facts: FactColumns, now: float) -> F64:
    """Favour sizes as they count today: the goodwill ledger's decay (weakties.analysis.goodwill)."""
    entries = _ledger(facts)
    favours = entries.kind == 0
    out: F64 = decayed_weights(entries, now)[favours][: len(facts.favour_giver)]
    return out


def build_network(
    facts: FactColumns,
    now: float,
    weights: StrengthWeights = DEFAULT_WEIGHTS,
    *,
    calibrated: bool = False,
    refit_weights: bool = False,
    kernels: Kernels | None = None,
) -> Network | None:
    """Score the network at ``now``; None when the workspace has no owner yet.

    With ``calibrated`` the tie and knows models are first fitted to the history before
    ``now`` (``weakties.analysis.calibration``); otherwise they use ``weights`` and the
    literature defaults. ``refit_weights`` says ``weights`` were refit from the user's ratings:
    they then take precedence over the calibrated tie model (the knows model still calibrates).
    ``kernels`` run the data-parallel steps (default :data:`LOCAL`).
    """
    if facts.me is None:
        return None
    kernels = kernels or LOCAL
    me = int(facts.me)
    ids = np.unique(np.concatenate([facts.people, [me]]))
    n = len(ids)

    def rows(x: I64) -> I64:
        return np.searchsorted(ids, x).astype(np.int64)

    events = kernels.pairwise(facts, ids)
    pairs = kernels.aggregate(events, now)
    pairs_a = np.concatenate([pairs.a, facts.link_a, facts.knows_a, facts.intro_a])
    pairs_b = np.concatenate([pairs.b, facts.link_b, facts.knows_b, facts.intro_b])
    ok = np.isin(pairs_a, ids) & np.isin(pairs_b, ids) & (pairs_a != pairs_b)
    ra, rb = rows(pairs_a[ok]), rows(pairs_b[ok])
    adj = sp.csr_matrix((np.ones(len(ra)), (ra, rb)), shape=(n, n))
    adj = ((adj + adj.T) > 0).astype(np.float64).tocsr()

    me_row = int(rows(np.array([me]))[0])
    mutual_row = np.asarray((adj @ adj[me_row].T).todense()).ravel()
    contacts = np.flatnonzero(np.asarray(adj[me_row].todense()).ravel())
    contact_ids = ids[contacts]
    mutual = PairValues.of(np.full(len(contacts), me), contact_ids, mutual_row[contacts])
    tenure = _tenure_overlap(facts, me, contact_ids, now)
    has_tenure = tenure > 0
    intro_pairs_a = np.concatenate([facts.intro_by, facts.intro_by])
    intro_pairs_b = np.concatenate([facts.intro_a, facts.intro_b])
    known_by = intro_pairs_a >= 0
    rated = np.isin(facts.rating_person, ids)
    side = SideInputs(
        favours=PairValues.of(
            facts.favour_giver, facts.favour_receiver, _decayed_favours(facts, now)
        ),
        introductions=PairValues.of(intro_pairs_a[known_by], intro_pairs_b[known_by]),
        mutual_contacts=mutual,
        tenure_overlap_days=PairValues.of(
            np.full(int(has_tenure.sum()), me), contact_ids[has_tenure], tenure[has_tenure]
        ),
        ratings=PairValues.of(
            np.full(int(rated.sum()), me), facts.rating_person[rated], facts.rating_value[rated]
        ),
        connections=PairValues.of(facts.link_a, facts.link_b),
    )
    features = join_side_inputs(pairs, side, now, ACTR_DECAY)
    cal = calibrate(kernels.collect(events), now) if calibrated else DEFAULT_CALIBRATION
    tie_model = None if refit_weights or not cal.persistence.calibrated else cal.persistence
    strength, category = tie_strength(features, now, weights, tie_model)
    last_seen = np.full(n, np.nan)  # each person's last contact with anyone up to ``now``
    if len(pairs.a):
        np.fmax.at(last_seen, rows(pairs.a), pairs.last_t)
        np.fmax.at(last_seen, rows(pairs.b), pairs.last_t)
    return Network(now, me, ids, adj, features, strength, category, last_seen, cal, tie_model)


def knows_scores(net: Network, facts: FactColumns, a: I64, b: I64) -> KnowsScore:
    """How likely each pair ``(a[i], b[i])`` of people knows each other, with the evidence."""
    ra, rb = net.index(a), net.index(b)
    ok = (ra >= 0) & (rb >= 0)
    ra, rb = np.where(ok, ra, 0), np.where(ok, rb, 0)
    shared = np.zeros(len(a))
    explicit = np.zeros(len(a), dtype=np.bool_)
    pair_index = {
        (int(x), int(y)): i
        for i, (x, y) in enumerate(zip(np.minimum(a, b), np.maximum(a, b), strict=True))
    }
    f = net.features
    for i in range(len(f)):
        key = (int(f.a[i]), int(f.b[i]))
        j = pair_index.get(key)
        if j is not None:
            shared[j] = f.intimacy[i]
    for x, y in zip(facts.knows_a, facts.knows_b, strict=True):
        j = pair_index.get((int(min(x, y)), int(max(x, y))))
        if j is not None:
            explicit[j] = True
    years = np.zeros(len(a))
    size = np.zeros(len(a))
    if len(a):
        org_size = np.bincount(
            facts.aff_org[np.isnan(facts.aff_end)], minlength=int(facts.aff_org.max(initial=0)) + 1
        )
        for j in range(len(a)):
            overlap = _tenure_overlap(facts, int(a[j]), np.array([b[j]]), net.now)[0]
            if overlap > 0:
                years[j] = overlap / 365.25
                orgs = set(facts.aff_org[facts.aff_person == a[j]]) & set(
                    facts.aff_org[facts.aff_person == b[j]]
                )
                size[j] = max(float(org_size[o]) if o < len(org_size) else 1.0 for o in orgs)
    score = knows_probability(
        net.adjacency,
        ra,
        rb,
        last_seen=net.last_seen,
        now=net.now,
        evidence=KnowsEvidence(
            shared_groups=shared, tenure_years=years, org_size=size, explicit=explicit
        ),
        model=net.calibration.knows,
    )
    zero = np.where(ok, 1.0, 0.0)
    return KnowsScore(
        score.p * zero, score.closure * zero, score.activity * zero, score.direct * zero
    )


UNOBSERVED_STRENGTH = 0.25
"""Tie strength assumed between two other people whose contact we cannot see (colleagues,
people who appear together in the owner's threads): weak to moderate, the commonest kind of
professional tie (Granovetter 1973); the knows probability then discounts it."""
MAX_ORG_FOR_PAIRS = 250
"""Organisations above this size give no colleague pairs: everyone-knows-everyone fails there
(a person knows about Dunbar's 150), and the pairs would grow as the square of the size."""
MIN_KNOWS = 0.02


@dataclass(frozen=True, slots=True)
class TenurePairs:
    """Pairs of people whose tenures at one organisation overlapped."""

    a: I64
    b: I64
    years: F64
    org: I64
    org_size: F64


UNDATED_OVERLAP_YEARS = 0.5
"""How long two people both at an organisation *now*, with no start dates (a LinkedIn
connection's or an address book's current employer), are taken to have overlapped. Their real
overlap is unknown; median job tenure is about four years (US BLS 2022), so half a year is a
deliberately cautious floor: it gives ``1 − e^(−0.5)`` ≈ 0.39 of the dated evidence's weight."""


def _placed_starts(facts: FactColumns, now: float) -> F64:
    """Affiliation starts, an undated current one's taken as :data:`UNDATED_OVERLAP_YEARS`
    ago; NaN where an affiliation cannot be placed in time (undated and over)."""
    undated_now = np.isnan(facts.aff_start) & np.isnan(facts.aff_end)
    return np.where(undated_now, now - UNDATED_OVERLAP_YEARS * YEAR, facts.aff_start)


def tenure_pairs(facts: FactColumns, now: float, max_org: int = MAX_ORG_FOR_PAIRS) -> TenurePairs:
    """Every pair that overlapped at an organisation of at most ``max_org`` people, vectorised.

    A current affiliation without a start date counts from :data:`UNDATED_OVERLAP_YEARS` ago;
    a past one without dates cannot be placed in time and gives no pairs.
    """
    current = np.isnan(facts.aff_end)
    placed = _placed_starts(facts, now)
    known = ~np.isnan(placed)
    person, org, start = facts.aff_person[known], facts.aff_org[known], placed[known]
    end = np.where(np.isnan(facts.aff_end[known]), now, facts.aff_end[known])
    size_by_org: dict[int, int] = {}
    if current.any():
        orgs, counts = np.unique(facts.aff_org[current], return_counts=True)
        size_by_org = dict(zip(orgs.tolist(), counts.tolist(), strict=True))
    order = np.argsort(org, kind="stable")
    person, org, start, end = person[order], org[order], start[order], end[order]
    bounds = np.flatnonzero(np.r_[True, org[1:] != org[:-1], True])
    out_a, out_b, out_y, out_o, out_s = [], [], [], [], []
    for lo, hi in itertools.pairwise(bounds):
        n = hi - lo
        if n < 2 or n > max_org * 2:
            continue
        members = len(np.unique(person[lo:hi]))
        if members > max_org:
            continue
        i, j = np.triu_indices(int(n), k=1)
        i, j = i + lo, j + lo
        days = (np.minimum(end[i], end[j]) - np.maximum(start[i], start[j])) / DAY
        keep = (days > 0) & (person[i] != person[j])
        if not keep.any():
            continue
        out_a.append(np.minimum(person[i][keep], person[j][keep]))
        out_b.append(np.maximum(person[i][keep], person[j][keep]))
        out_y.append(days[keep] / 365.25)
        o = int(org[lo])
        out_o.append(np.full(int(keep.sum()), o, dtype=np.int64))
        out_s.append(np.full(int(keep.sum()), float(size_by_org.get(o, members))))
    if not out_a:
        empty = np.zeros(0, np.int64)
        return TenurePairs(empty, empty, np.zeros(0), empty, np.zeros(0))
    a, b = np.concatenate(out_a), np.concatenate(out_b)
    years, orgs_, sizes = np.concatenate(out_y), np.concatenate(out_o), np.concatenate(out_s)
    # one row per pair: the longest overlap
    key = a * (int(b.max()) + 1) + b
    order = np.lexsort((-years, key))
    first = np.r_[True, key[order][1:] != key[order][:-1]]
    pick = order[first]
    return TenurePairs(a[pick], b[pick], years[pick], orgs_[pick], sizes[pick])


@dataclass(frozen=True, slots=True)
class GraphEdges:
    """Undirected ties with the success probability of an ask in each direction."""

    src: I64
    dst: I64
    p_forward: F64
    p_backward: F64


def graph_edges(net: Network, facts: FactColumns, kernels: Kernels | None = None) -> GraphEdges:
    """The introduction graph: my ties weighted by strength and goodwill, other people's ties by
    how likely they know each other (DESIGN §4, path value). ``kernels`` compute the closure
    sums of the candidate pairs (default :data:`LOCAL`)."""
    from weakties.analysis.graph import hop_probability
    from weakties.analysis.signals import closure_weights, person_log_silence

    kernels = kernels or LOCAL

    f = net.features
    me = net.me
    # goodwill per ordered pair: favours and introductions u did for v, decayed with time
    entries = _ledger(facts)
    weights = decayed_weights(entries, net.now)
    done: dict[tuple[int, int], float] = {}
    for g, r, w in zip(
        entries.giver.tolist(), entries.receiver.tolist(), weights.tolist(), strict=True
    ):
        done[(g, r)] = done.get((g, r), 0.0) + w
    mine = (f.a == me) | (f.b == me)
    other_rows = np.flatnonzero(~mine)
    src_parts, dst_parts, pf_parts, pb_parts = [], [], [], []
    rows = np.flatnonzero(mine)
    if len(rows):
        contact = np.where(f.a[rows] == me, f.b[rows], f.a[rows])
        gave = np.array([done.get((me, int(c)), 0.0) for c in contact])
        got = np.array([done.get((int(c), me), 0.0) for c in contact])
        s = net.strength[rows]
        src_parts.append(np.full(len(rows), me, dtype=np.int64))
        dst_parts.append(contact.astype(np.int64))
        pf_parts.append(hop_probability(s, gave, got).astype(np.float64))
        pb_parts.append(hop_probability(s, got, gave).astype(np.float64))
    tenure = tenure_pairs(facts, net.now)
    not_me = (tenure.a != me) & (tenure.b != me)
    cand_a = np.concatenate([f.a[other_rows], tenure.a[not_me], facts.knows_a])
    cand_b = np.concatenate([f.b[other_rows], tenure.b[not_me], facts.knows_b])
    lo, hi = np.minimum(cand_a, cand_b), np.maximum(cand_a, cand_b)
    ok = (lo != hi) & (lo != me) & (hi != me) & (net.index(lo) >= 0) & (net.index(hi) >= 0)
    lo, hi = lo[ok], hi[ok]
    if len(lo):
        span = int(hi.max()) + 1
        key = np.unique(lo * span + hi)
        lo, hi = key // span, key % span
        shared = np.zeros(len(lo))
        strength = np.full(len(lo), UNOBSERVED_STRENGTH)
        fkey = f.a[other_rows] * span + f.b[other_rows]
        at = np.searchsorted(key, fkey)
        hit = (at < len(key)) & (key[np.minimum(at, len(key) - 1)] == fkey)
        shared[at[hit]] = f.intimacy[other_rows][hit]
        strength[at[hit]] = np.maximum(net.strength[other_rows][hit], UNOBSERVED_STRENGTH)
        years = np.zeros(len(lo))
        size = np.zeros(len(lo))
        tkey = tenure.a[not_me] * span + tenure.b[not_me]
        at = np.searchsorted(key, tkey)
        hit = (at < len(key)) & (key[np.minimum(at, len(key) - 1)] == tkey)
        years[at[hit]] = tenure.years[not_me][hit]
        size[at[hit]] = tenure.org_size[not_me][hit]
        explicit = np.zeros(len(lo), dtype=np.bool_)
        kkey = np.minimum(facts.knows_a, facts.knows_b) * span + np.maximum(
            facts.knows_a, facts.knows_b
        )
        at = np.searchsorted(key, kkey)
        hit = (at < len(key)) & (key[np.minimum(at, len(key) - 1)] == kkey)
        explicit[at[hit]] = True
        a_rows, b_rows = net.index(lo), net.index(hi)
        deg = np.asarray(net.adjacency.sum(axis=1)).ravel()
        log_silence = person_log_silence(len(deg), net.last_seen, net.now)
        sums = kernels.closure(net.adjacency, a_rows, b_rows, closure_weights(deg, log_silence))
        score = knows_probability(
            net.adjacency,
            a_rows,
            b_rows,
            sums=sums,
            last_seen=net.last_seen,
            now=net.now,
            evidence=KnowsEvidence(
                shared_groups=shared, tenure_years=years, org_size=size, explicit=explicit
            ),
            model=net.calibration.knows,
        )
        keep = score.p >= MIN_KNOWS
        lo, hi, p_knows, strength = lo[keep], hi[keep], score.p[keep], strength[keep]
        gave = np.array([done.get((int(x), int(y)), 0.0) for x, y in zip(lo, hi, strict=True)])
        got = np.array([done.get((int(y), int(x)), 0.0) for x, y in zip(lo, hi, strict=True)])
        src_parts.append(lo)
        dst_parts.append(hi)
        pf_parts.append(hop_probability(strength, gave, got, p_knows).astype(np.float64))
        pb_parts.append(hop_probability(strength, got, gave, p_knows).astype(np.float64))
    if not src_parts:
        empty = np.zeros(0, np.int64)
        return GraphEdges(empty, empty, np.zeros(0), np.zeros(0))
    return GraphEdges(
        np.concatenate(src_parts),
        np.concatenate(dst_parts),
        np.concatenate(pf_parts),
        np.concatenate(pb_parts),
    )
