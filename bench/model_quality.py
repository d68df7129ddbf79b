"""Temporal tie benchmark, protocol v1: persistence and new-tie AUC of the product's models.

Usage: ``python bench/model_quality.py EVENTS_FILE [--json]``. Scores come from the same
feature and scoring code the product uses (``weakties.analysis``); the baselines run in the same
invocation. An ablation switches off one component group at a time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from weakties.analysis.events import EventArrays, load_snap_events
from weakties.analysis.features import DAY, PairValues, SideInputs, pair_features
from weakties.analysis.knows import (
    adamic_adar,
    common_neighbours,
    knows_probability,
    resource_allocation,
)
from weakties.analysis.protocol import (
    Split,
    new_tie_candidates,
    pair_keys,
    persistence_labels,
    roc_auc,
    split_events,
    unkey,
)
from weakties.analysis.strength import DEFAULT_WEIGHTS, StrengthWeights, tie_strength
from weakties.errors import WeaktiesError


def train_graph(split: Split, n: int) -> sp.csr_matrix:
    lo, hi = unkey(np.unique(pair_keys(split.train)))
    A = sp.csr_matrix((np.ones(len(lo)), (lo, hi)), shape=(n, n))
    return sp.csr_matrix(((A + A.T) > 0).astype(np.float64))


def persistence(split: Split, A: sp.csr_matrix) -> dict[str, object]:
    cand, y = persistence_labels(split)
    a, b = unkey(cand)
    mutual = common_neighbours(A, a, b)
    side = SideInputs(mutual_contacts=PairValues.of(a, b, mutual))
    f = pair_features(split.train, split.cut, side)
    assert np.array_equal(f.a, a) and np.array_equal(f.b, b)
    model = roc_auc(tie_strength(f, split.cut)[0], y)
    age = (split.cut - split.train.t) / DAY + 1
    key_of_event = np.searchsorted(cand, pair_keys(split.train))
    actr = np.log(np.bincount(key_of_event, weights=age**-0.5, minlength=len(cand)))
    out: dict[str, object] = {
        "model": model,
        "count": roc_auc(f.count.astype(np.float64), y),
        "recency": roc_auc(f.last_t, y),
        "actr": roc_auc(actr, y),
    }
    ablation = {}
    groups: dict[str, dict[str, float]] = {
        "activation": {"activation": 0.0},
        "silence": {"silence": 0.0, "colleague_silence": 0.0},
        "duration": {"duration": 0.0},
        "reciprocity": {"reciprocity": 0.0},
        "mutual": {"mutual": 0.0},
    }
    for name, change in groups.items():
        w: StrengthWeights = replace(DEFAULT_WEIGHTS, **change)
        ablation[f"without_{name}"] = roc_auc(tie_strength(f, split.cut, w)[0], y)
    out["ablation"] = ablation
    out["candidates"] = len(cand)
    out["positives"] = int(y.sum())
    return out


def last_seen(ev: EventArrays, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    np.fmax.at(out, ev.u, ev.t)
    np.fmax.at(out, ev.v, ev.t)
    return out


def new_ties(split: Split, A: sp.csr_matrix) -> dict[str, object]:
    keys, y = new_tie_candidates(split, seed=0)
    a, b = unkey(keys)
    seen = last_seen(split.train, A.shape[0])
    deg = np.asarray(A.sum(axis=1)).ravel()

    def model(use_closure: bool = True, use_activity: bool = True) -> float:
        k = knows_probability(
            A,
            a,
            b,
            last_seen=seen,
            now=split.cut,
            use_closure=use_closure,
            use_activity=use_activity,
        )
        return roc_auc(k.p, y)

    out: dict[str, object] = {
        "model": model(),
        "cn": roc_auc(common_neighbours(A, a, b), y),
        "aa": roc_auc(adamic_adar(A, a, b), y),
        "ra": roc_auc(resource_allocation(A, a, b), y),
        "pa": roc_auc(deg[a] * deg[b], y),
    }
    no_survival = roc_auc(knows_probability(A, a, b, use_closure=True).p, y)
    out["ablation"] = {
        "without_closure": model(use_closure=False),
        "without_activity": model(use_activity=False),
        "without_survival": no_survival,
    }
    out["candidates"] = len(keys)
    out["positives"] = int(y.sum())
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("events_file", type=Path)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    try:
        ev = load_snap_events(args.events_file)
        split = split_events(ev)
    except WeaktiesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    n = int(max(ev.u.max(), ev.v.max())) + 1
    A = train_graph(split, n)
    pers = persistence(split, A)
    newt = new_ties(split, A)
    result = {
        "dataset": args.events_file.name,
        "events": len(ev),
        "cut": split.cut,
        "persistence_auc": {k: pers[k] for k in ("model", "count", "recency", "actr")},
        "newtie_auc": {k: newt[k] for k in ("model", "cn", "aa", "ra", "pa")},
        "ablation": {"persistence": pers["ablation"], "newtie": newt["ablation"]},
        "sizes": {
            "persistence_candidates": pers["candidates"],
            "persistence_positives": pers["positives"],
            "newtie_candidates": newt["candidates"],
            "newtie_positives": newt["positives"],
        },
        "seconds": round(time.perf_counter() - started, 2),
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['dataset']}: {result['events']} events, cut at {split.cut:.0f}")
    for task in ("persistence_auc", "newtie_auc"):
        scores = result[task]
        assert isinstance(scores, dict)
        best = max(v for k, v in scores.items() if k != "model")
        print(f"  {task}: " + "  ".join(f"{k} {v:.3f}" for k, v in scores.items()))
        print(f"    model − best baseline = {scores['model'] - best:+.3f}")
    ablations = result["ablation"]
    assert isinstance(ablations, dict)
    for task, abl in ablations.items():
        print(f"  ablation {task}: " + "  ".join(f"{k} {v:.3f}" for k, v in abl.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
