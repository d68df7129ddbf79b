"""The temporal tie benchmark, protocol v1 (see the project's data README), as functions.

Kept in the analysis layer so the benchmark script and the tests share one implementation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

from weakties.analysis.events import EventArrays
from weakties.errors import InvalidInput

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def roc_auc(scores: F64, labels: NDArray[np.bool_] | NDArray[np.integer]) -> float:
    """ROC AUC with tied scores counted as one half (Mann–Whitney via average ranks)."""
    y = np.asarray(labels).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        raise InvalidInput("AUC needs at least one positive and one negative")
    r = rankdata(s)
    return float((r[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


@dataclass(frozen=True, slots=True)
class Split:
    """Train/test split at the 0.7 quantile ``cut`` of event times; self-loops dropped."""

    cut: float
    train: EventArrays
    test: EventArrays


def split_events(events: EventArrays, quantile: float = 0.7) -> Split:
    """Sort by time, drop self-loops, cut at the time quantile (numpy's linear interpolation)."""
    ev = events.select(events.u != events.v)
    if len(ev) == 0:
        raise InvalidInput("no events between two different people")
    ev = ev.select(np.argsort(ev.t, kind="stable"))
    cut = float(np.quantile(ev.t, quantile))
    train = ev.t <= cut
    return Split(cut, ev.select(train), ev.select(~train))


def pair_keys(ev: EventArrays) -> NDArray[np.uint64]:
    """Unordered pair key ``min << 32 | max`` per event."""
    lo = np.minimum(ev.u, ev.v).astype(np.uint64)
    hi = np.maximum(ev.u, ev.v).astype(np.uint64)
    return (lo << np.uint64(32)) | hi


def unkey(keys: NDArray[np.uint64]) -> tuple[I64, I64]:
    return (keys >> np.uint64(32)).astype(np.int64), (keys & np.uint64(0xFFFFFFFF)).astype(np.int64)


def persistence_labels(split: Split) -> tuple[NDArray[np.uint64], NDArray[np.bool_]]:
    """Candidates (train pairs, sorted keys) and whether each has a test event."""
    cand = np.unique(pair_keys(split.train))
    return cand, np.isin(cand, pair_keys(split.test))


def new_tie_candidates(split: Split, seed: int = 0) -> tuple[NDArray[np.uint64], NDArray[np.bool_]]:
    """Positives: pairs of train people, new in test. Negatives: as many uniform random pairs.

    Negatives draw both endpoints uniformly from the train people with ``default_rng(seed)``,
    one pair at a time, rejecting self-pairs and pairs with any event in train or test.
    """
    people = np.unique(np.concatenate([split.train.u, split.train.v]))
    train_keys = np.unique(pair_keys(split.train))
    test_keys = np.unique(pair_keys(split.test))
    pos = np.setdiff1d(test_keys, train_keys)
    lo, hi = unkey(pos)
    pos = pos[np.isin(lo, people) & np.isin(hi, people)]
    seen = set(np.union1d(train_keys, test_keys).tolist())
    rng = np.random.default_rng(seed)
    neg: list[int] = []
    m = len(people)
    while len(neg) < len(pos):
        x = int(people[rng.integers(m)])
        y = int(people[rng.integers(m)])
        if x == y:
            continue
        k = (min(x, y) << 32) | max(x, y)
        if k in seen:
            continue
        neg.append(k)
    keys = np.concatenate([pos, np.array(neg, dtype=np.uint64)])
    return keys, np.r_[np.ones(len(pos), bool), np.zeros(len(neg), bool)]
