"""Temporal tie benchmark, protocol v1: persistence and new-tie AUC of the product's models.

Usage: ``python bench/model_quality.py EVENTS_FILE [--json]`` or
``python bench/model_quality.py --all DIR [--json]`` (every events file in ``DIR``, one row per
network and the wins per task). Scores come from the same feature, calibration and scoring code
the product uses (``weakties.analysis``; ``weakties ties`` calibrates the same way): ``model``
is the self-calibrated model, fitted on the train events only, with no per-network setting;
``default`` is the literature model beside it. The baselines run in the same invocation. The
ablation refits the calibrated model without one signal at a time.
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

from weakties.analysis.calibration import Calibration, calibrate
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
from weakties.analysis.signals import (
    KNOWS_SIGNALS,
    PERSISTENCE_SIGNALS,
    knows_signals,
    persistence_signals,
)
from weakties.analysis.strength import DEFAULT_WEIGHTS, StrengthWeights, tie_strength
from weakties.errors import WeaktiesError

PERSISTENCE_BASELINES = ("count", "recency", "actr")
NEWTIE_BASELINES = ("cn", "aa", "ra", "pa")


def train_graph(split: Split, n: int) -> sp.csr_matrix:
    lo, hi = unkey(np.unique(pair_keys(split.train)))
    A = sp.csr_matrix((np.ones(len(lo)), (lo, hi)), shape=(n, n))
    return sp.csr_matrix(((A + A.T) > 0).astype(np.float64))


def persistence(split: Split, A: sp.csr_matrix, cal: Calibration) -> dict[str, object]:
    cand, y = persistence_labels(split)
    a, b = unkey(cand)
    mutual = common_neighbours(A, a, b)
    side = SideInputs(mutual_contacts=PairValues.of(a, b, mutual))
    f = pair_features(split.train, split.cut, side)
    assert np.array_equal(f.a, a) and np.array_equal(f.b, b)
    age = (split.cut - split.train.t) / DAY + 1
    key_of_event = np.searchsorted(cand, pair_keys(split.train))
    actr = np.log(np.bincount(key_of_event, weights=age**-0.5, minlength=len(cand)))
    out: dict[str, object] = {
        "model": roc_auc(tie_strength(f, split.cut, DEFAULT_WEIGHTS, cal.persistence)[0], y),
        "default": roc_auc(tie_strength(f, split.cut)[0], y),
        "count": roc_auc(f.count.astype(np.float64), y),
        "recency": roc_auc(f.last_t, y),
        "actr": roc_auc(actr, y),
    }
    x = persistence_signals(f, split.cut)
    ablation = {}
    for i, name in enumerate(PERSISTENCE_SIGNALS):
        if x[:, i].std() == 0:
            continue
        refit = calibrate(split.train, split.cut, without=frozenset({name}))
        xi = x.copy()
        xi[:, i] = 0.0
        ablation[f"without_{name}"] = roc_auc(refit.persistence.logit(xi), y)
    groups: dict[str, dict[str, float]] = {
        "activation": {"activation": 0.0},
        "silence": {"silence": 0.0, "colleague_silence": 0.0},
        "duration": {"duration": 0.0},
        "reciprocity": {"reciprocity": 0.0},
        "mutual": {"mutual": 0.0},
    }
    default_ablation = {}
    for name, change in groups.items():
        w: StrengthWeights = replace(DEFAULT_WEIGHTS, **change)
        default_ablation[f"without_{name}"] = roc_auc(tie_strength(f, split.cut, w)[0], y)
    out["ablation"] = ablation
    out["default_ablation"] = default_ablation
    out["candidates"] = len(cand)
    out["positives"] = int(y.sum())
    return out


def last_seen(ev: EventArrays, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    np.fmax.at(out, ev.u, ev.t)
    np.fmax.at(out, ev.v, ev.t)
    return out


def new_ties(split: Split, A: sp.csr_matrix, cal: Calibration) -> dict[str, object]:
    keys, y = new_tie_candidates(split, seed=0)
    a, b = unkey(keys)
    seen = last_seen(split.train, A.shape[0])
    deg = np.asarray(A.sum(axis=1)).ravel()

    def default(use_closure: bool = True, use_activity: bool = True) -> float:
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

    model = knows_probability(A, a, b, last_seen=seen, now=split.cut, model=cal.knows)
    out: dict[str, object] = {
        "model": roc_auc(model.p, y),
        "default": default(),
        "cn": roc_auc(common_neighbours(A, a, b), y),
        "aa": roc_auc(adamic_adar(A, a, b), y),
        "ra": roc_auc(resource_allocation(A, a, b), y),
        "pa": roc_auc(deg[a] * deg[b], y),
    }
    x = knows_signals(A, a, b, last_seen=seen, now=split.cut)
    ablation = {}
    for i, name in enumerate(KNOWS_SIGNALS):
        if x[:, i].std() == 0:
            continue
        refit = calibrate(split.train, split.cut, without=frozenset({name}))
        xi = x.copy()
        xi[:, i] = 0.0
        ablation[f"without_{name}"] = roc_auc(refit.knows.logit(xi), y)
    out["ablation"] = ablation
    out["default_ablation"] = {
        "without_closure": default(use_closure=False),
        "without_activity": default(use_activity=False),
        "without_survival": roc_auc(knows_probability(A, a, b, use_closure=True).p, y),
    }
    out["candidates"] = len(keys)
    out["positives"] = int(y.sum())
    return out


def evaluate(path: Path) -> dict[str, object]:
    """Every figure of one events file; raises ``WeaktiesError`` on unreadable input."""
    started = time.perf_counter()
    ev = load_snap_events(path)
    split = split_events(ev)
    n = int(max(ev.u.max(), ev.v.max())) + 1
    A = train_graph(split, n)
    tick = time.perf_counter()
    cal = calibrate(split.train, split.cut)
    calibration_seconds = time.perf_counter() - tick
    pers = persistence(split, A, cal)
    newt = new_ties(split, A, cal)
    return {
        "dataset": path.name,
        "events": len(ev),
        "cut": split.cut,
        "persistence_auc": {k: pers[k] for k in ("model", *PERSISTENCE_BASELINES)},
        "newtie_auc": {k: newt[k] for k in ("model", *NEWTIE_BASELINES)},
        "default_model_auc": {"persistence": pers["default"], "newtie": newt["default"]},
        "calibration": cal.as_dict(),
        "ablation": {"persistence": pers["ablation"], "newtie": newt["ablation"]},
        "default_ablation": {
            "persistence": pers["default_ablation"],
            "newtie": newt["default_ablation"],
        },
        "sizes": {
            "persistence_candidates": pers["candidates"],
            "persistence_positives": pers["positives"],
            "newtie_candidates": newt["candidates"],
            "newtie_positives": newt["positives"],
        },
        "calibration_seconds": round(calibration_seconds, 3),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _best(scores: dict[str, float]) -> tuple[str, float]:
    name = max((k for k in scores if k != "model"), key=lambda k: scores[k])
    return name, scores[name]


def _print_one(result: dict[str, object]) -> None:
    print(f"{result['dataset']}: {result['events']} events, cut at {result['cut']:.0f}")
    defaults = result["default_model_auc"]
    assert isinstance(defaults, dict)
    for task, key in (("persistence_auc", "persistence"), ("newtie_auc", "newtie")):
        scores = result[task]
        assert isinstance(scores, dict)
        name, best = _best(scores)
        print(f"  {task}: " + "  ".join(f"{k} {v:.3f}" for k, v in scores.items()))
        print(
            f"    calibrated {scores['model']:.3f}  default {defaults[key]:.3f}  "
            f"best baseline {name} {best:.3f}  (calibrated − best {scores['model'] - best:+.3f})"
        )
    cal = result["calibration"]
    assert isinstance(cal, dict)
    for task in ("persistence", "knows"):
        m = cal[task]
        weights = "  ".join(f"{k} {v:+.3f}" for k, v in m["weights"].items())
        state = f"penalty {m['penalty']:g}" if m["calibrated"] else m["reason"]
        print(f"  calibrated {task} weights ({state}): {weights}")
    ablations = result["ablation"]
    assert isinstance(ablations, dict)
    for task, abl in ablations.items():
        print(f"  ablation {task}: " + "  ".join(f"{k} {v:.3f}" for k, v in abl.items()))


def _summary(results: list[dict[str, object]]) -> dict[str, object]:
    rows = []
    wins = {"persistence": 0, "newtie": 0}
    for r in results:
        row: dict[str, object] = {"dataset": r["dataset"], "events": r["events"]}
        defaults = r["default_model_auc"]
        assert isinstance(defaults, dict)
        for task, key in (("persistence_auc", "persistence"), ("newtie_auc", "newtie")):
            scores = r[task]
            assert isinstance(scores, dict)
            name, best = _best(scores)
            win = scores["model"] > best
            wins[key] += int(win)
            row[key] = {
                "calibrated": scores["model"],
                "default": defaults[key],
                "best_baseline": name,
                "best_baseline_auc": best,
                "win": win,
            }
        rows.append(row)
    return {"networks": len(results), "wins": wins, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("events_file", type=Path, nargs="?")
    ap.add_argument("--all", type=Path, metavar="DIR", help="every events file in DIR")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    if (args.events_file is None) == (args.all is None):
        ap.error("give one EVENTS_FILE or --all DIR")
    if args.events_file is not None:
        try:
            result = evaluate(args.events_file)
        except WeaktiesError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if args.json:
            print(json.dumps(result))
        else:
            _print_one(result)
        return 0
    files = sorted(
        p for p in args.all.iterdir() if p.is_file() and p.suffix.lower() not in (".md", ".json")
    )
    results, failed = [], []
    for path in files:
        try:
            results.append(evaluate(path))
        except WeaktiesError as exc:
            failed.append(f"{path.name}: {exc}")
    summary = _summary(results)
    if args.json:
        print(json.dumps({"summary": summary, "results": results, "errors": failed}))
        return 0 if results else 1
    for r in results:
        _print_one(r)
    print()
    head = f"{'network':28} {'events':>8}  {'persistence cal/def/best':>34}  {'new ties cal/def/best':>30}"
    print(head)
    rows = summary["rows"]
    assert isinstance(rows, list)
    for row in rows:
        cells = []
        for key in ("persistence", "newtie"):
            c = row[key]
            mark = "win" if c["win"] else "LOSS"
            cells.append(
                f"{c['calibrated']:.3f}/{c['default']:.3f}/{c['best_baseline_auc']:.3f} "
                f"{c['best_baseline']:7} {mark:4}"
            )
        print(f"{row['dataset']:28} {row['events']:>8}  {cells[0]:>34}  {cells[1]:>30}")
    wins = summary["wins"]
    assert isinstance(wins, dict)
    print(
        f"wins over the best baseline: persistence {wins['persistence']}/{len(rows)}, "
        f"new ties {wins['newtie']}/{len(rows)}"
    )
    for line in failed:
        print(f"error: {line}", file=sys.stderr)
    return 0 if results else 1


if __name__ == "__main__":
    raise SystemExit(main())
