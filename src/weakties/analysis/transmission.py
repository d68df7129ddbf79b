"""Job transmission: the chance one person passes a job search on to another, per tie.

The shape follows Rajkumar et al. (2022, *Science* 377:1304, "A causal test of the strength of
weak ties"): over mutual connections, job transmission is an inverted U — moderately weak ties,
about 10 mutual connections, transmit jobs best [F2: The Conversation; Cornell INFO 2040], and
moderately weak ties are "more than twice as effective as strong ties" [F2]. The absolute
probabilities on their binscatter were not retrieved, so the curve below is a *shape* scaled by a
ceiling taken from forwarding experiments: in Dodds, Muhamad & Watts (2003, *Science* 301:827)
most people did not pass a message on; per-step continuation was about 0.35 [R]. Per tie, the
likelihood of working where a friend works grows with tie strength (Gee et al. 2017 [F]), and
search runs disproportionately through professional relationships (Dodds et al. 2003 [F]), so
strength, goodwill (favours, the reciprocal-services ledger) and professional relevance scale it.

Tags: [F] found at the source, [F2] in a secondary source, [R] recalled, [D] our arithmetic,
[A] our assumption (a default to refit when outcomes are recorded). See
``research/science-anchors.md`` §2 and §7.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from weakties.errors import InvalidInput

F64 = NDArray[np.float64]

PEAK_MUTUAL = 10.0
"""Mutual connections at which transmission peaks: "about 10" (Rajkumar et al. 2022) [F2]."""

LOG_WIDTH = 0.85
"""Width σ of the bump in ln(1 + mutual). Chosen so a tie with 35 mutual connections (the right
end of Rajkumar et al.'s binscatter axis, 0–35 [F: replication code]) transmits 0.47 of the
peak, i.e. the peak is ~2.1× a strong tie's, matching "more than twice as effective" [D]."""

SHAPE_FLOOR = 0.15
"""Share of the peak kept at any overlap: a stranger you helped once (no mutual contacts) can
still pass your search on — the story in DESIGN §1 [A]."""

MAX_PASS = 0.35
"""Ceiling of the per-tie probability: per-step forwarding ≈ 0.35 in Dodds et al. (2003) [R];
most people do not forward, so no tie is ever certain."""

BASE_WILLINGNESS = 0.25
"""Willingness of a tie with no strength and no goodwill, as a share of a close tie's: weak and
intermediate ties carry most successful searches (Dodds et al. 2003 [F]), so it is not zero [A]."""


def mutual_shape(mutual_contacts: ArrayLike) -> F64:
    """The inverted U over mutual contacts, 1 at ``PEAK_MUTUAL`` and ``SHAPE_FLOOR`` far away.

    ``floor + (1 − floor)·exp(−(ln(1+m) − ln(1+peak))² / 2σ²)``: a log-normal bump, since the
    difference between 0 and 5 mutual contacts matters more than between 40 and 45.
    """
    m = _checked(mutual_contacts, "mutual_contacts", upper=None)
    z = (np.log1p(m) - np.log1p(PEAK_MUTUAL)) / LOG_WIDTH
    shape: F64 = SHAPE_FLOOR + (1.0 - SHAPE_FLOOR) * np.exp(-0.5 * z * z)
    return shape


def job_transmission(
    mutual_contacts: ArrayLike,
    strength: ArrayLike,
    goodwill: ArrayLike = 0.0,
    relevance: ArrayLike = 1.0,
) -> F64:
    """Per-tie probability in [0, ``MAX_PASS``] that the tie passes a job search on.

    ``MAX_PASS · shape(mutual) · willingness · relevance`` where willingness is the noisy-or
    ``1 − (1 − base)(1 − strength)(1 − goodwill)``: either closeness or owed favours make a
    contact act (the favour-to-a-stranger story needs goodwill alone to suffice). All inputs
    broadcast; strength, goodwill and relevance lie in [0, 1], mutual contacts are ≥ 0.
    """
    shape = mutual_shape(mutual_contacts)
    s = _checked(strength, "strength")
    g = _checked(goodwill, "goodwill")
    r = _checked(relevance, "relevance")
    willingness = 1.0 - (1.0 - BASE_WILLINGNESS) * (1.0 - s) * (1.0 - g)
    out: F64 = MAX_PASS * shape * willingness * r
    return out


def mutual_contact_counts(
    adjacency: sp.spmatrix | sp.sparray, *, chunk_nnz: int = 4_000_000
) -> F64:
    """Mutual contacts of each stored arc of ``adjacency``, in its CSR ``data`` order.

    ``(A @ A) ∘ A`` on the binary, symmetrised pattern, computed in row blocks so the full
    ``A @ A`` (≈ n·d² entries: 4·10⁷ at 10⁵ people of degree 20) never sits in memory at once.
    The result lines up with the stored arcs of ``sp.csr_array(adjacency)`` as given (sorted
    or not); the input is not modified.
    """
    A = sp.csr_array(adjacency)
    if A.shape[0] != A.shape[1]:
        raise InvalidInput("adjacency must be square")
    pattern = A.copy()
    pattern.data = np.ones_like(pattern.data, dtype=np.float64)
    sym = sp.csr_array(((pattern + pattern.T) > 0).astype(np.float64))
    sym.setdiag(0.0)
    sym.eliminate_zeros()
    degree = np.diff(sym.indptr)
    out = np.zeros(A.nnz, dtype=np.float64)
    n = A.shape[0]
    arc_keys = np.repeat(np.arange(n, dtype=np.int64), np.diff(A.indptr)) * n + A.indices
    start = 0
    while start < n:
        # Rows in a block cost about Σ deg² product entries; grow the block until that fills.
        cost = np.cumsum(degree[start:].astype(np.int64) ** 2 + 1)
        stop = start + max(1, int(np.searchsorted(cost, chunk_nnz)))
        rows = sym[start:stop]
        common = sp.coo_array(sp.csr_array(rows @ sym).multiply(rows))
        keys = (common.row.astype(np.int64) + start) * n + common.col
        order = np.argsort(keys)
        keys, counts = keys[order], common.data[order]
        lo, hi = A.indptr[start], A.indptr[stop]
        if keys.size:
            at = np.minimum(np.searchsorted(keys, arc_keys[lo:hi]), keys.size - 1)
            out[lo:hi] = np.where(keys[at] == arc_keys[lo:hi], counts[at], 0.0)
        start = stop
    return out  # a self-loop reads 0: the diagonal of ``sym`` is cleared


def _checked(values: ArrayLike, name: str, upper: float | None = 1.0) -> F64:
    arr = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise InvalidInput(f"{name} must be finite")
    if np.any(arr < 0.0) or (upper is not None and np.any(arr > upper)):
        bound = f"[0, {upper:g}]" if upper is not None else "≥ 0"
        raise InvalidInput(f"{name} must lie in {bound}")
    return arr
