"""Probability that two people (neither the owner) know each other, from combined evidence.

Independent evidence sources combine by noisy-OR, ``p = 1 − Π (1 − p_i)``:

* explicit entries and imported relations are near-certain;
* co-occurrence: each shared thread or meeting of ``g`` people is a ``1/(g − 1)`` chance that
  these two actually dealt with each other (Newman 2001's collaboration weighting);
* overlapping tenure: ``min(1, 150 / org size) · (1 − e^(−years))`` — in a small organisation
  everyone knows everyone, in a large one a person knows about Dunbar's 150;
* structure: triadic closure as a two-step random walk through common neighbours (resource
  allocation, Zhou, Lü & Zhang 2009), and activity-weighted preferential attachment in the
  Chung–Lu form ``k_u s_u · k_v s_v / 2m``, where ``s`` is a person's survival after their last
  activity, ``(1 + silence_days)^−0.716`` (Burt 2000). Time-aware activity beats static degree
  for predicting new links (de Bruin et al. 2021).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from weakties.analysis.calibration import LinearModel
from weakties.analysis.features import DAY
from weakties.analysis.signals import knows_signals
from weakties.errors import InvalidInput

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

EXPLICIT_P = 0.99
IMPORTED_P = 0.95
DUNBAR_NUMBER = 150.0
PERSON_SILENCE_EXPONENT = 0.716


def _f64() -> F64:
    return np.zeros(0)


@dataclass(frozen=True, slots=True)
class KnowsEvidence:
    """Per-candidate evidence aligned with the candidate pairs (zeros where none).

    ``shared_groups`` is ``Σ 1/(g − 1)`` over shared threads and meetings; ``tenure_years`` and
    ``org_size`` describe the longest overlapping tenure; flags mark explicit and imported ties.
    """

    shared_groups: F64 = field(default_factory=_f64)
    tenure_years: F64 = field(default_factory=_f64)
    org_size: F64 = field(default_factory=_f64)
    explicit: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    imported: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))


@dataclass(frozen=True, slots=True)
class KnowsScore:
    """Knows probability per candidate and the share each source contributed (same order)."""

    p: F64
    closure: F64
    activity: F64
    direct: F64


def knows_probability(
    adjacency: sp.csr_array | sp.csr_matrix,
    a: I64,
    b: I64,
    *,
    last_seen: F64 | None = None,
    now: float | None = None,
    evidence: KnowsEvidence | None = None,
    use_closure: bool = True,
    use_activity: bool = True,
    model: LinearModel | None = None,
    sums: F64 | None = None,
) -> KnowsScore:
    """Knows probabilities for candidate pairs ``(a[i], b[i])`` given a symmetric 0/1 adjacency.

    ``last_seen`` (unix seconds per person, NaN if never) and ``now`` enable the activity term's
    survival factor; without them every person counts as active. A calibrated ``model``
    (``weakties.analysis.calibration``) replaces the closure and activity terms by its
    probability over the ``KNOWS_SIGNALS`` columns (reported as ``closure``; ``activity`` is
    then zero); the direct evidence still joins it by noisy-OR. ``sums`` are the candidates'
    closure sums when an engine computed them (``weakties.analysis.signals.closure_sums``).
    """
    A = sp.csr_matrix(adjacency)
    n = A.shape[0]
    if A.shape[0] != A.shape[1]:
        raise InvalidInput("adjacency must be square")
    aa = np.asarray(a, dtype=np.int64)
    bb = np.asarray(b, dtype=np.int64)
    if len(aa) != len(bb):
        raise InvalidInput("candidate columns have different lengths")
    if len(aa) and (min(aa.min(), bb.min()) < 0 or max(aa.max(), bb.max()) >= n):
        raise InvalidInput("candidate person ids fall outside the adjacency")
    if model is not None and model.calibrated:
        x = knows_signals(A, aa, bb, last_seen=last_seen, now=now, sums=sums)
        structural = model.probability(x) if len(aa) else np.zeros(0)
        direct = np.zeros(len(aa)) if evidence is None else _direct(evidence, len(aa))
        p = 1.0 - (1.0 - structural) * (1.0 - direct)
        return KnowsScore(np.clip(p, 0.0, 1.0), structural, np.zeros(len(aa)), direct)
    deg = np.asarray(A.sum(axis=1)).ravel().astype(np.float64)
    two_m = max(float(deg.sum()), 1.0)
    survival = np.ones(n)
    if last_seen is not None and now is not None:
        silence = np.maximum(now - np.asarray(last_seen, dtype=np.float64), 0.0) / DAY
        survival = np.where(
            np.isnan(silence), 0.0, (1.0 + np.nan_to_num(silence)) ** -PERSON_SILENCE_EXPONENT
        )
    activity = np.zeros(len(aa))
    if use_activity:
        activity = np.minimum(1.0, deg[aa] * survival[aa] * deg[bb] * survival[bb] / two_m)
    closure = np.zeros(len(aa))
    if use_closure and len(aa):
        ra = resource_allocation(A, aa, bb, deg) if sums is None else sums[:, 2]
        ka, kb = np.maximum(deg[aa], 1.0), np.maximum(deg[bb], 1.0)
        walk = 1.0 - (1.0 - np.minimum(ra / ka, 1.0)) * (1.0 - np.minimum(ra / kb, 1.0))
        closure = walk * np.sqrt(survival[aa] * survival[bb])
    direct = np.zeros(len(aa))
    if evidence is not None:
        direct = _direct(evidence, len(aa))
    p = 1.0 - (1.0 - activity) * (1.0 - closure) * (1.0 - direct)
    return KnowsScore(np.clip(p, 0.0, 1.0), closure, activity, direct)


def _direct(ev: KnowsEvidence, m: int) -> F64:
    def num(x: F64) -> F64:
        if len(x) == 0:
            return np.zeros(m)
        if len(x) != m:
            raise InvalidInput("knows evidence must have one entry per candidate pair")
        return np.asarray(x, dtype=np.float64)

    def flag(x: NDArray[np.bool_]) -> NDArray[np.bool_]:
        return num(np.asarray(x, dtype=np.float64)) > 0

    groups = num(ev.shared_groups)
    years = num(ev.tenure_years)
    size = num(ev.org_size)
    explicit = flag(ev.explicit)
    imported = flag(ev.imported)
    p_groups = 1.0 - np.exp(-np.maximum(groups, 0.0))
    p_tenure = np.where(
        years > 0,
        np.minimum(1.0, DUNBAR_NUMBER / np.maximum(size, 1.0)) * (1.0 - np.exp(-years)),
        0.0,
    )
    keep = (1.0 - p_groups) * (1.0 - p_tenure)
    keep *= np.where(explicit, 1.0 - EXPLICIT_P, 1.0) * np.where(imported, 1.0 - IMPORTED_P, 1.0)
    return np.asarray(1.0 - keep, dtype=np.float64)


def resource_allocation(A: sp.csr_matrix, a: I64, b: I64, deg: F64 | None = None) -> F64:
    """Resource allocation ``Σ_{z ∈ Γ(a) ∩ Γ(b)} 1/k_z`` per candidate (Zhou, Lü & Zhang 2009)."""
    return _common_sum(A, a, b, _inv(deg if deg is not None else _deg(A)))


def adamic_adar(A: sp.csr_matrix, a: I64, b: I64) -> F64:
    """Adamic–Adar ``Σ 1/ln k_z`` over common neighbours (degree-1 neighbours cannot be common)."""
    deg = _deg(A)
    w = np.zeros_like(deg)
    w[deg > 1] = 1.0 / np.log(deg[deg > 1])
    return _common_sum(A, a, b, w)


def common_neighbours(A: sp.csr_matrix, a: I64, b: I64) -> F64:
    """Number of common neighbours per candidate pair."""
    return _common_sum(A, a, b, np.ones(A.shape[0]))


def _deg(A: sp.csr_matrix) -> F64:
    return np.asarray(A.sum(axis=1)).ravel().astype(np.float64)


def _inv(deg: F64) -> F64:
    out = np.zeros_like(deg)
    out[deg > 0] = 1.0 / deg[deg > 0]
    return out


def _common_sum(A: sp.csr_matrix, a: I64, b: I64, w: F64) -> F64:
    """``Σ_z A[a,z] A[b,z] w[z]`` per pair, in blocks so memory stays bounded."""
    out = np.zeros(len(a))
    A = sp.csr_matrix(A, dtype=np.float64)
    Aw = A @ sp.diags(w)
    step = 65_536
    for s in range(0, len(a), step):
        ra = A[a[s : s + step]]
        rb = Aw[b[s : s + step]]
        out[s : s + step] = np.asarray(ra.multiply(rb).sum(axis=1)).ravel()
    return out
