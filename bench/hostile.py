"""Benchmark: the hostile corpus (tests/hostile/) through ``weakties import``, tallied.

Every case runs as a real subprocess bounded to 60 s wall time and judged against 1 GB peak
RSS (process tree, sampled), as tests/hostile/runner.py describes. Printed: the tally
(tried / clean / tracebacks / hangs / over memory / partial writes / unclear messages), then
per kind the number of cases, the slowest time and the largest peak RSS, then every case
that was not clean. As a baseline beside it, the same subprocess importing a valid vCard of
the same machine load (``baseline``): hostile files should cost about what a good one does.

    .venv/bin/python bench/hostile.py             # the whole corpus, big files included
    .venv/bin/python bench/hostile.py --cheap     # without the tens-of-MB cases
    .venv/bin/python bench/hostile.py --kind zip_bomb_ratio --kind fifo
    .venv/bin/python bench/hostile.py --jobs 2 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.hostile.corpus import Case, all_cases  # noqa: E402
from tests.hostile.runner import (  # noqa: E402
    SEED_VCARD,
    Outcome,
    Verdict,
    make_template,
    run_case,
    weakties,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cheap", action="store_true", help="leave out the big-file kinds")
    parser.add_argument("--kind", action="append", help="only these kinds (repeatable)")
    parser.add_argument("--jobs", type=int, default=1, help="cases run at once")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    cases = all_cases(expensive=not args.cheap)
    if args.kind:
        cases = [c for c in cases if c.kind in set(args.kind)]
    with tempfile.TemporaryDirectory(prefix="weakties-hostile-") as tmp:
        root = Path(tmp)
        template = make_template(root / "template")
        baseline = weakties(root / "template" / "template.db", "import", str(SEED_VCARD))

        def one(item: tuple[int, Case]) -> Outcome:
            index, case = item
            result = run_case(case, template, root / f"case{index}")
            if not args.json:
                mark = "ok " if result.verdict is Verdict.CLEAN else "BAD"
                print(f"{mark} {result.describe()}", flush=True)
            return result

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            outcomes = list(pool.map(one, enumerate(cases)))

    tally = Counter(o.verdict for o in outcomes)
    per_kind: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        per_kind.setdefault(outcome.case.kind, []).append(outcome)
    report = {
        "tried": len(outcomes),
        "kinds": len(per_kind),
        **{v.value: tally.get(v, 0) for v in Verdict},
        "baseline_valid_import": {
            "seconds": round(baseline.seconds, 2),
            "peak_rss_mb": round(baseline.peak_rss / 1024**2),
        },
        "per_kind": {
            kind: {
                "cases": len(items),
                "max_seconds": round(max(o.seconds for o in items), 2),
                "max_peak_rss_mb": round(max(o.peak_rss for o in items) / 1024**2),
                "not_clean": [o.describe() for o in items if o.verdict is not Verdict.CLEAN],
            }
            for kind, items in sorted(per_kind.items())
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print()
    print(
        f"tried {report['tried']} cases of {report['kinds']} kinds: "
        f"{report['clean']} clean, {report['traceback']} tracebacks, {report['hang']} hangs, "
        f"{report['over memory']} over memory, {report['partial write']} partial writes, "
        f"{report['unclear message']} unclear messages"
    )
    print(
        f"baseline (a valid 3-card vCard, same subprocess): {baseline.seconds:.2f} s, "
        f"{baseline.peak_rss / 1024**2:.0f} MB peak RSS"
    )
    print(f"{'kind':28} {'cases':>5} {'max s':>7} {'max MB':>7}  ratio s/baseline")
    for kind, row in report["per_kind"].items():
        ratio = row["max_seconds"] / max(baseline.seconds, 1e-9)
        print(
            f"{kind:28} {row['cases']:5} {row['max_seconds']:7.2f} "
            f"{row['max_peak_rss_mb']:7}  {ratio:5.1f}x"
        )


if __name__ == "__main__":
    main()
