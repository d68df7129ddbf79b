"""The signals the calibrated tie and knows models weigh: one column per signal, vectorised.

Each function returns a float matrix with one row per pair and one column per name in
``PERSISTENCE_SIGNALS`` or ``KNOWS_SIGNALS``, in raw units (logs of counts and days), so any
engine (numpy here, Arrow-backed pandas UDFs on Spark) computes the same columns and a model is
just a weight vector over them. The ``*_PRIOR`` vectors are today's literature defaults
expressed on these columns: the calibration (``weakties.analysis.calibration``) shrinks towards
them when the workspace's own history says little.

Persistence columns, for a pair at time ``now`` (Granovetter 1973's dimensions as Gilbert &
Karahalios 2009 operationalised them):

* ``activation`` — ACT-R base level ``ln Σ w_channel · age_days^-0.5 / (group − 1)``
  (Anderson & Lebiere 1998): recency and frequency in one memory trace;
* ``recency`` — ``−ln(1 + silence_days)``: the power-law survival of the current silence
  (Burt 2000);
* ``rhythm`` — ``−ln((1 + silence_days) / (1 + usual_gap_days))``: a silence long for *this*
  tie's rhythm means it is going dormant (Navarro et al. 2017); a tie with one contact has no
  rhythm of its own and gets the median rhythm of the ties that have one;
* ``volume`` — ``ln count``: intensity;
* ``reciprocity`` — ``ln(1 + contacts the quieter side started)``: both sides initiate
  (Raeder et al. 2011);
* ``duration`` — ``ln(1 + days from first to last contact)``;
* ``one_to_one`` — share of contacts that were one-to-one, ``Σ 1/(group − 1) / count``
  (intimacy: a ten-person meeting is not a conversation);
* ``mutual`` — ``ln(1 + mutual contacts)`` (Onnela et al. 2007).

Knows columns, for two people who have never been in contact (Liben-Nowell & Kleinberg 2007;
Lü & Zhou 2011 survey the indices):

* ``activity`` — ``ln(k_a · k_b)``, preferential attachment (Barabási & Albert 1999);
* ``person_recency`` — ``−ln(1 + silence_a) − ln(1 + silence_b)``: people who stopped being
  active make no new ties (time-aware activity, de Bruin et al. 2021);
* ``common`` — ``ln(1 + common neighbours)``;
* ``adamic_adar`` — ``ln(1 + Σ_z 1/ln k_z)`` (Adamic & Adar 2003);
* ``resource_allocation`` — ``ln(1 + Σ_z 1/k_z)`` (Zhou, Lü & Zhang 2009);
* ``shared_recency`` — ``ln(1 + Σ_z (1 + silence_z)^−0.716 / k_z)``: common contacts who are
  still active close triads, those gone quiet do not;
* ``three_step`` — ``ln(1 + Σ_{x,y} A_ax A_xy A_yb / (k_x k_y))``: resource sent along paths
  of length three, each intermediate person splitting it evenly. Paths of length three
  capture "similar to my friends" rather than "friend of a friend" and predict new links
  better in many networks (Kovács et al. 2019, Nature Communications: the L3 index);
* ``org_overlap`` — ``ln(1 + min(1, 150 / org size) · years of overlapping tenure)``
  (Dunbar's number bounds whom a person knows in a large organisation).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from weakties.analysis.features import DAY, PairFeatures
from weakties.errors import InvalidInput

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

PERSISTENCE_SIGNALS: tuple[str, ...] = (
    "activation",
    "recency",
    "rhythm",
    "volume",
    "reciprocity",
    "duration",
    "one_to_one",
    "mutual",
)
PERSISTENCE_PRIOR: tuple[float, ...] = (0.5, 0.358, 0.0, 0.0, 0.125, 0.1, 0.0, 0.15)
"""The literature tie model (``weakties.analysis.strength``) on these columns: its component
weights (activation 1, silence exponent 0.716, duration 0.2, reciprocity 0.25, mutual 0.3) times
its logistic slope 0.5. Rhythm, volume and one-to-one share enter it only through activation."""
PERSISTENCE_PRIOR_INTERCEPT = 0.6
"""The literature model's offset 1.2 times its slope 0.5: weekly contact → ~0.8, yearly → ~0.15."""

KNOWS_SIGNALS: tuple[str, ...] = (
    "activity",
    "person_recency",
    "common",
    "adamic_adar",
    "resource_allocation",
    "shared_recency",
    "three_step",
    "org_overlap",
)
KNOWS_PRIOR: tuple[float, ...] = (1.0, 0.716, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0)
"""The literature knows model on these columns: Chung–Lu preferential attachment (``k_a k_b /
2m``, unit weight on its log) with each person's power-law survival (Burt 2000's 0.716),
resource allocation for closure, and overlapping tenure."""

PERSON_SILENCE_EXPONENT = 0.716
"""Burt (2000): survival of a silence of ``d`` days as ``(1 + d)^-0.716``."""


def persistence_signals(features: PairFeatures, now: float) -> F64:
    """The ``PERSISTENCE_SIGNALS`` columns of every pair at ``now`` (zeros where no contact)."""
    if now < features.as_of:
        raise InvalidInput("signals are asked for before the features' as_of time")
    n = len(features)
    talked = features.count > 0
    count = np.maximum(features.count, 1).astype(np.float64)
    last = np.where(talked, features.last_t, now)
    first = np.where(talked, features.first_t, now)
    silence = np.maximum(now - last, 0.0) / DAY
    log_silence = np.log1p(silence)
    gap = features.usual_gap_days
    known = ~np.isnan(gap) & talked
    typical = float(np.median(gap[known])) if known.any() else 1.0
    gap = np.where(known, gap, typical)
    with np.errstate(divide="ignore"):
        activation = np.where(talked, np.log(np.maximum(features.activation, 1e-300)), 0.0)
    if now > features.as_of:
        age_last = np.where(talked, (features.as_of - last) / DAY + 1.0, 1.0)
        activation = activation - features.decay * np.log1p((now - features.as_of) / DAY / age_last)
    quieter = np.minimum(features.from_a, features.count - features.from_a).astype(np.float64)
    out = np.column_stack(
        [
            activation,
            -log_silence,
            np.log1p(gap) - log_silence,
            np.log(count),
            np.log1p(quieter),
            np.log1p(np.maximum(last - first, 0.0) / DAY),
            np.minimum(features.intimacy / count, 1.0),
            np.log1p(features.mutual_contacts),
        ]
    )
    out[~talked] = 0.0
    return np.asarray(out.reshape(n, len(PERSISTENCE_SIGNALS)), dtype=np.float64)


def knows_signals(
    adjacency: sp.csr_matrix | sp.csr_array,
    a: I64,
    b: I64,
    *,
    last_seen: F64 | None = None,
    now: float | None = None,
    org_overlap: F64 | None = None,
    sums: F64 | None = None,
    block: int = 65_536,
    max_block_entries: int = 4_000_000,
) -> F64:
    """The ``KNOWS_SIGNALS`` columns for candidate pairs ``(a[i], b[i])`` of a 0/1 adjacency.

    ``last_seen`` is each person's last activity (unix seconds, NaN: never) and ``now`` the
    scoring time; without them everyone counts as active. ``org_overlap`` is the Dunbar-scaled
    years of overlapping tenure per candidate (zeros when absent). ``sums`` are the candidates'
    :func:`closure_sums` when an engine computed them elsewhere (the Spark engine does, with
    joins); otherwise they are computed here from the adjacency. Common-neighbour sums run in
    blocks of ``block`` candidates, and the three-step sums in blocks holding at most about
    ``max_block_entries`` intermediate entries, so memory stays bounded.
    """
    A = sp.csr_matrix(adjacency, dtype=np.float64)
    n = A.shape[0]
    if A.shape[0] != A.shape[1]:
        raise InvalidInput("adjacency must be square")
    aa = np.asarray(a, dtype=np.int64)
    bb = np.asarray(b, dtype=np.int64)
    if len(aa) != len(bb):
        raise InvalidInput("candidate columns have different lengths")
    if len(aa) and (min(aa.min(), bb.min()) < 0 or max(aa.max(), bb.max()) >= n):
        raise InvalidInput("candidate person ids fall outside the adjacency")
    deg = np.asarray(A.sum(axis=1)).ravel()
    log_silence = person_log_silence(n, last_seen, now)
    if sums is None:
        weights = closure_weights(deg, log_silence)
        sums = closure_sums(A, aa, bb, weights, block=block, max_block_entries=max_block_entries)
    if sums.shape != (len(aa), len(CLOSURE_SUMS)):
        raise InvalidInput(f"closure sums must have {len(CLOSURE_SUMS)} columns per candidate")
    # Indices in units of "typical common contacts": one shared contact of average degree
    # counts 1 in every column, so the logs neither saturate nor flatten as the graph grows.
    active = deg > 0
    k_mean = max(float(deg[active].mean()) if active.any() else 1.0, np.e)
    overlap = np.zeros(len(aa)) if org_overlap is None else np.asarray(org_overlap, np.float64)
    if overlap.shape != (len(aa),):
        raise InvalidInput("org overlap must have one entry per candidate pair")
    out = np.column_stack(
        [
            np.log(np.maximum(deg[aa], 1.0)) + np.log(np.maximum(deg[bb], 1.0)),
            -log_silence[aa] - log_silence[bb],
            np.log1p(sums[:, 0]),
            np.log1p(sums[:, 1] * np.log(k_mean)),
            np.log1p(sums[:, 2] * k_mean),
            np.log1p(sums[:, 3] * k_mean),
            np.log1p(sums[:, 4] * k_mean**2),
            np.log1p(np.maximum(overlap, 0.0)),
        ]
    )
    return np.asarray(out.reshape(len(aa), len(KNOWS_SIGNALS)), dtype=np.float64)


CLOSURE_SUMS: tuple[str, ...] = (
    "common",
    "adamic_adar",
    "resource_allocation",
    "shared_recency",
    "three_step",
)
"""The structural sums behind the knows signals, per candidate pair: the first four are
``Σ_z A_az A_bz w_z`` with the :func:`closure_weights` columns, the last the L3 sum."""


def person_log_silence(n: int, last_seen: F64 | None, now: float | None) -> F64:
    """``ln(1 + silence days)`` of each person at ``now``; someone never seen is as quiet as
    the quietest person seen (zeros when the times are not given)."""
    log_silence = np.zeros(n)
    if last_seen is not None and now is not None:
        seen = np.asarray(last_seen, dtype=np.float64)
        never = np.isnan(seen)
        log_silence = np.log1p(np.maximum(now - np.where(never, now, seen), 0.0) / DAY)
        log_silence[never] = float(log_silence[~never].max()) if (~never).any() else 0.0
    return log_silence


def closure_weights(deg: F64, log_silence: F64) -> F64:
    """Per person ``z``: the weights of the common-neighbour sums, ``(1, 1/ln k_z, 1/k_z,
    survival_z / k_z)``, and in a fifth column ``1/k_z`` again for the three-step walk."""
    n = len(deg)
    survival = np.exp(-PERSON_SILENCE_EXPONENT * log_silence)
    inv = np.zeros(n)
    inv[deg > 0] = 1.0 / deg[deg > 0]
    inv_log = np.zeros(n)
    inv_log[deg > 1] = 1.0 / np.log(deg[deg > 1])
    return np.column_stack([np.ones(n), inv_log, inv, survival * inv, inv])


def closure_sums(
    A: sp.csr_matrix,
    a: I64,
    b: I64,
    weights: F64,
    *,
    block: int = 65_536,
    max_block_entries: int = 4_000_000,
) -> F64:
    """The :data:`CLOSURE_SUMS` of candidate pairs over adjacency ``A`` (sparse products)."""
    sums = np.zeros((len(a), len(CLOSURE_SUMS)))
    for s in range(0, len(a), block):
        both = A[a[s : s + block]].multiply(A[b[s : s + block]])
        sums[s : s + block, :4] = sp.csr_matrix(both) @ weights[:, :4]
    deg = np.asarray(A.sum(axis=1)).ravel()
    sums[:, 4] = _three_step(A, a, b, weights[:, 4], deg, max_block_entries)
    return sums


def closure_order(deg: F64, a: I64, b: I64) -> tuple[I64, I64]:
    """Each candidate pair turned so that ``a`` is its end of smaller degree (ties: unchanged).

    Every :data:`CLOSURE_SUMS` column is symmetric in the pair's ends (the adjacency is), so
    turning a pair changes no sum; the three-step sums then expand the small end's neighbours
    and share the large end's two-step row between all the pairs it is in. An engine that
    spreads candidates over workers groups them by the turned ``b`` for the same reason.
    """
    turn = deg[a] > deg[b]
    return np.where(turn, b, a), np.where(turn, a, b)


def _three_step(A: sp.csr_matrix, a: I64, b: I64, inv: F64, deg: F64, max_entries: int) -> F64:
    """``Σ_{x,y} A_ax w_x A_xy w_y A_yb`` per pair, ``w`` = ``inv`` (``1/k`` for the L3 index).

    Pairs are turned by :func:`closure_order` and grouped by ``b``. For each distinct ``b``
    the weighted two-step row ``P_b = Σ_y A_by w_y A_y`` is computed once (one sparse product
    per block of ``b``'s), and each pair's sum is ``Σ_{x ∈ Γ(a)} A_ax w_x P_b[x]``: ``k_a``
    look-ups into that row. The work is the two-step reach of each distinct ``b`` plus ``k_a``
    look-ups per pair, where expanding a two-step reach per pair cost a person in many pairs
    (a hub is in one with each of its contacts) their reach once per pair: at 10^6
    interactions 5.6·10^7 + 1.5·10^7 entries instead of 2.9·10^8. Blocks are cut so a block's
    rows and look-ups hold about ``max_entries`` entries (one ``b`` per block at least).
    """
    out = np.zeros(len(a))
    if not len(a):
        return out
    n = A.shape[0]
    A = sp.csr_matrix(A)
    A.sort_indices()
    a, b = closure_order(deg, a, b)
    order = np.argsort(b, kind="stable")
    ends, first = np.unique(b[order], return_index=True)
    row_len = np.diff(A.indptr)
    two_step = np.asarray(A.astype(np.bool_).astype(np.float64) @ row_len).ravel()
    lookups = np.add.reduceat(row_len[a[order]].astype(np.float64), first)
    cum = np.cumsum(two_step[ends] + lookups + 1.0)
    cuts = np.searchsorted(cum, np.arange(1, int(cum[-1] // max_entries) + 2) * float(max_entries))
    AD = sp.csr_matrix((A.data * inv[A.indices], A.indices, A.indptr), shape=A.shape)
    bounds = np.r_[first, len(order)]
    lo = 0
    for hi in np.unique(np.r_[np.minimum(cuts, len(ends) - 1) + 1, len(ends)]):
        if hi <= lo:
            continue
        block = ends[lo:hi]
        rows = sp.csr_matrix(AD[block] @ A)
        rows.sort_indices()
        keys = np.repeat(np.arange(hi - lo, dtype=np.int64) * n, np.diff(rows.indptr))
        keys += rows.indices
        pairs = order[bounds[lo] : bounds[hi]]
        at, owner = _row_positions(A, a[pairs])
        x = A.indices[at]
        need = np.searchsorted(block, b[pairs])[owner].astype(np.int64) * n + x
        found = np.minimum(np.searchsorted(keys, need), max(len(keys) - 1, 0))
        hit = keys[found] == need if len(keys) else np.zeros(len(need), np.bool_)
        value = np.where(hit, rows.data[found] if len(keys) else 0.0, 0.0)
        value *= A.data[at] * inv[x]
        out[pairs] = np.bincount(owner, value, minlength=len(pairs))
        lo = int(hi)
    return out


def _row_positions(A: sp.csr_matrix, rows: I64) -> tuple[I64, I64]:
    """Positions in ``A.indices`` of the entries of ``rows``, concatenated, and for each the
    index into ``rows`` it belongs to."""
    length = A.indptr[rows + 1] - A.indptr[rows]
    owner = np.repeat(np.arange(len(rows)), length)
    skip = np.repeat(A.indptr[rows] - (np.cumsum(length) - length), length)
    return (skip + np.arange(int(length.sum()))).astype(np.int64), owner
