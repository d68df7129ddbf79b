"""Network structure around a person: Burt's brokerage, Dunbar layers and communities.

Brokerage is kept apart from tie strength on purpose: Neal (2024) finds novel information
depends on bridging regardless of strength, so the two are reported side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from weakties.errors import InvalidInput

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def _mutual(adjacency: sp.spmatrix | sp.sparray) -> sp.csr_matrix:
    """``a_ij + a_ji`` with the diagonal removed: Burt's measures count both directions."""
    A = sp.csr_matrix(adjacency, dtype=np.float64)
    if A.shape[0] != A.shape[1]:
        raise InvalidInput("adjacency must be square")
    if A.nnz and A.data.min() < 0:
        raise InvalidInput("tie weights must be non-negative")
    S = (A + A.T).tocsr()
    S.setdiag(0.0)
    S.eliminate_zeros()
    return S


def _rows_scaled(S: sp.csr_matrix, by: F64) -> sp.csr_matrix:
    inv = np.zeros_like(by)
    inv[by > 0] = 1.0 / by[by > 0]
    return sp.csr_matrix(sp.diags(inv) @ S)


def constraint(adjacency: sp.spmatrix | sp.sparray, egos: I64 | None = None) -> F64:
    """Burt's (1992) aggregate constraint ``C_i = Σ_j (p_ij + Σ_q p_iq p_qj)²`` per ego.

    ``p_ij`` is the share of i's (mutual) tie weight that goes to j. Matches ``nx.constraint``;
    people without neighbours get NaN, as there.
    """
    S = _mutual(adjacency)
    P = _rows_scaled(S, np.asarray(S.sum(axis=1)).ravel())
    rows = np.arange(S.shape[0]) if egos is None else np.asarray(egos, dtype=np.int64)
    Pe = P[rows]
    total = (Pe + Pe @ P).multiply(S[rows] > 0)
    out = np.asarray(total.multiply(total).sum(axis=1)).ravel()
    return np.where(np.diff(S.indptr)[rows] > 0, out, np.nan)


def effective_size(adjacency: sp.spmatrix | sp.sparray, egos: I64 | None = None) -> F64:
    """Burt's effective size ``Σ_j (1 − Σ_q p_iq m_jq)`` per ego; matches ``nx.effective_size``.

    ``m_jq`` is j's tie to q over j's strongest tie. For a binary graph this is Borgatti's
    ``n − 2t/n``.
    """
    S = _mutual(adjacency)
    P = _rows_scaled(S, np.asarray(S.sum(axis=1)).ravel())
    row_max = np.asarray(S.max(axis=1).todense()).ravel()
    M = _rows_scaled(S, row_max)
    rows = np.arange(S.shape[0]) if egos is None else np.asarray(egos, dtype=np.int64)
    redundancy = (P[rows] @ M.T).multiply(S[rows] > 0)
    k = np.diff(S.indptr)[rows].astype(np.float64)
    out = k - np.asarray(redundancy.sum(axis=1)).ravel()
    return np.where(k > 0, out, np.nan)


@dataclass(frozen=True, slots=True)
class DunbarLayers:
    """Alters per layer by contact frequency, innermost first, and the cumulative sizes."""

    names: tuple[str, ...]
    per_year_at_least: tuple[float, ...]
    sizes: tuple[int, ...]
    cumulative: tuple[int, ...]
    layer_of: NDArray[np.int8]


LAYER_NAMES = ("support clique", "sympathy group", "affinity group", "active network")
LAYER_MIN_PER_YEAR = (52.0, 12.0, 4.0, 1.0)
"""Weekly, monthly, every few months, yearly: the contact frequency of Dunbar's 5/15/50/150
layers (Dunbar 2020; Hill & Dunbar 2003). Alters below a yearly contact are outside them."""


def dunbar_layers(contacts_per_year: F64) -> DunbarLayers:
    """Place each alter of one ego in a Dunbar layer by contacts per year (−1: outside)."""
    f = np.asarray(contacts_per_year, dtype=np.float64)
    if np.any(np.isnan(f)) or np.any(f < 0):
        raise InvalidInput("contact frequencies must be non-negative numbers")
    layer = np.full(len(f), -1, dtype=np.int8)
    for i, lo in reversed(list(enumerate(LAYER_MIN_PER_YEAR))):
        layer[f >= lo] = i
    sizes = tuple(int((layer == i).sum()) for i in range(len(LAYER_NAMES)))
    return DunbarLayers(
        LAYER_NAMES, LAYER_MIN_PER_YEAR, sizes, tuple(int(x) for x in np.cumsum(sizes)), layer
    )


def communities(
    adjacency: sp.spmatrix | sp.sparray, *, seed: int = 0, max_rounds: int = 100
) -> I64:
    """Community label per person by semi-synchronous label propagation (Raghavan et al. 2007).

    Each round a random half of the people adopt their neighbours' heaviest label (ties broken
    at random); updating half at a time avoids the two-colour oscillation of synchronous LPA.
    Labels are renumbered 0..k−1 by first appearance.
    """
    S = _mutual(adjacency)
    n = S.shape[0]
    rng = np.random.default_rng(seed)
    labels = np.arange(n)
    has_nb = np.diff(S.indptr) > 0
    for _ in range(max_rounds):
        onehot = sp.csr_matrix((np.ones(n), (np.arange(n), labels)), shape=(n, n))
        votes = (S @ onehot).tocsr()
        votes.data += rng.random(len(votes.data)) * 1e-6
        best = np.asarray(votes.argmax(axis=1)).ravel()
        move = has_nb & (rng.random(n) < 0.5) & (best != labels)
        # A label that already holds the maximal vote stays: only strict improvements move.
        cur = np.asarray(votes[np.arange(n), labels]).ravel()
        top = np.asarray(votes.max(axis=1).todense()).ravel()
        move &= cur < top - 1e-6
        if not move.any():
            if not (has_nb & (cur < top - 1e-6)).any():
                break
            continue
        labels = np.where(move, best, labels)
    _, renumbered = np.unique(labels, return_inverse=True)
    order = np.full(renumbered.max() + 1 if n else 0, -1)
    out = np.empty(n, dtype=np.int64)
    nxt = 0
    for i, lab in enumerate(renumbered):
        if order[lab] < 0:
            order[lab] = nxt
            nxt += 1
        out[i] = order[lab]
    return out
