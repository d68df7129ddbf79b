"""Benchmark: identity resolution quality on the synthetic world's exports, and import speed.

``merge_quality(seed)`` builds the world, writes its exports (:mod:`weakties.synth.exports`)
to a temporary folder, imports every file into a fresh SQLite workspace in the export set's
order, and scores the merges against the truth, pairwise over person records: two records of
the same world person that end as one person are a true positive, two records of different
people that end as one are a false positive, two of the same person left apart are a false
negative. Pairs that share an identity (the same address twice) are easy; the "name-only"
figures count only pairs with no identity in common, where the fuzzy rules decide. The review
queue is reported too: pending suggestions, and how many of them are right.

``linkedin_speed(rows)`` writes a synthetic ``Connections.csv`` and times importing it into
a fresh workspace (rows/s). The baseline, in the same run, is reading the same file with the
standard library's ``csv`` module alone: the import's cost over parsing is what the ratio shows.

    PYTHONPATH=src .venv/bin/python bench/resolution_bench.py --seed 7 --json
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

from sqlalchemy import select

from weakties.domain.records import ContactRecord
from weakties.importers.files import iter_sources
from weakties.importers.registry import ImportOptions, get_importer
from weakties.store import schema as s
from weakties.synth.exports import ExportSet, RecordKind, TrueRecord, write_exports
from weakties.synth.world import World, build_world
from weakties.workspace import Workspace

TODAY = "2026-11-27"  # the synthetic world's "now": calendar events after it are future


def import_all(ws: Workspace, exports: ExportSet) -> list[dict[str, Any]]:
    """Import every export file in order; per file: records, seconds, records/s, counts."""
    out = []
    for f in exports.files:
        started = time.perf_counter()
        report = ws.import_path(f.path, fmt=f.importer, me=f.me, today=TODAY)
        seconds = time.perf_counter() - started
        out.append(
            {
                "file": f.path.name,
                "importer": f.importer,
                "records": report.records,
                "seconds": round(seconds, 3),
                "records_per_s": round(report.records / seconds) if seconds else None,
                "problems": report.counts.get("problems", 0),
                "merged": report.counts.get("merged.automatically", 0),
                "queued": report.counts.get("merged.queued for review", 0),
                "counts": dict(report.counts),
            }
        )
    return out


def locate(ws: Workspace, exports: ExportSet) -> dict[int, int | None]:
    """For each truth record (by position), the workspace person it ended up as."""
    with ws.transaction() as conn:
        redirect = {
            int(a): int(b)
            for a, b in conn.execute(
                select(s.person.c.id, s.person.c.merged_into_id).where(
                    s.person.c.merged_into_id.is_not(None)
                )
            )
        }
        identities = {
            (k, v): int(p)
            for k, v, p in conn.execute(
                select(s.identity.c.kind, s.identity.c.value, s.identity.c.person_id)
            )
        }
        sources = {
            (src, ext): pid
            for src, ext, pid in conn.execute(
                select(
                    s.source_record.c.source,
                    s.source_record.c.external_id,
                    s.source_record.c.person_id,
                )
            )
        }
        me = conn.execute(select(s.person.c.id).where(s.person.c.is_me.is_(True))).scalar()
        chats: dict[str, set[int]] = defaultdict(set)
        for file, member in conn.execute(
            select(s.source_record.c.file, s.participant.c.person_id)
            .select_from(
                s.source_record.join(
                    s.interaction, s.interaction.c.source_record_id == s.source_record.c.id
                ).join(s.participant, s.participant.c.interaction_id == s.interaction.c.id)
            )
            .where(s.source_record.c.source == "whatsapp")
        ):
            chats[Path(str(file)).name].add(int(member))

    def canon(pid: int | None) -> int | None:
        seen = set()
        while pid is not None and pid in redirect and pid not in seen:
            seen.add(pid)
            pid = redirect[pid]
        return pid

    contact_keys = _contact_keys(exports)
    found: dict[int, int | None] = {}
    for n, t in enumerate(exports.truth):
        pid: int | None = None
        if t.kind is RecordKind.CONTACT:
            importer, key = contact_keys[(t.file, int(t.key))]
            raw = sources.get((importer, key))
            pid = int(raw) if raw is not None else None
        elif t.kind is RecordKind.EMAIL:
            pid = identities.get(("email", t.key))
        elif t.kind is RecordKind.PHONE:
            pid = identities.get(("phone", t.key))
        else:
            others = {canon(p) for p in chats.get(t.key, set())} - {canon(me)}
            pid = others.pop() if len(others) == 1 else None
        found[n] = canon(pid)
    return found


def _contact_keys(exports: ExportSet) -> dict[tuple[str, int], tuple[str, str]]:
    """(file, n) → (importer, record key) of the n-th non-owner contact the importer reads."""
    keys: dict[tuple[str, int], tuple[str, str]] = {}
    for f in exports.files:
        if not any(t.kind is RecordKind.CONTACT and t.file == f.path.name for t in exports.truth):
            continue
        importer = get_importer(f.importer)
        n = 0
        options = ImportOptions(me=f.me, today=TODAY)
        for record in importer.iter_records(f.path, list(iter_sources(f.path)), options):
            if isinstance(record, ContactRecord) and not record.is_me:
                keys[(f.path.name, n)] = (f.importer, record.key)
                n += 1
    return keys


def score(truth: tuple[TrueRecord, ...], found: dict[int, int | None]) -> dict[str, Any]:
    """Pairwise merge precision and recall (all pairs, and pairs sharing no identity)."""
    ident = {n: (t.kind.value, t.key) for n, t in enumerate(truth) if t.kind in _IDENTITY_KINDS}
    # identities each contact record carries are unknown here; a record's own key suffices
    by_person: dict[int, list[int]] = defaultdict(list)
    by_result: dict[int, list[int]] = defaultdict(list)
    missing = 0
    for n, t in enumerate(truth):
        by_person[t.person].append(n)
        pid = found.get(n)
        if pid is None:
            missing += 1
        else:
            by_result[pid].append(n)
    true_pairs = {pair for recs in by_person.values() for pair in combinations(sorted(recs), 2)}
    merged_pairs = {pair for recs in by_result.values() for pair in combinations(sorted(recs), 2)}
    tp = len(true_pairs & merged_pairs)
    fp = len(merged_pairs - true_pairs)
    fn = len(true_pairs - merged_pairs)
    hard_true = {
        p for p in true_pairs if not (p[0] in ident and ident.get(p[0]) == ident.get(p[1]))
    }
    return {
        "records": len(truth),
        "records_not_found": missing,
        "people": len(by_person),
        "true_pairs": len(true_pairs),
        "merged_pairs": len(merged_pairs),
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "merge_precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "merge_recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "hard_pairs": len(hard_true),
        "_false_positive_pairs": sorted(merged_pairs - true_pairs),
        "_false_negative_pairs": sorted(true_pairs - merged_pairs),
    }


_IDENTITY_KINDS = (RecordKind.EMAIL, RecordKind.PHONE)


def review_queue(ws: Workspace, truth_people: dict[int, set[int]]) -> dict[str, int]:
    """Pending suggestions, and how many join two records of the same world person."""
    with ws.transaction() as conn:
        pending = list(
            conn.execute(
                select(s.merge_candidate.c.a_id, s.merge_candidate.c.b_id).where(
                    s.merge_candidate.c.status == "pending"
                )
            )
        )
    right = sum(1 for a, b in pending if truth_people.get(a, set()) & truth_people.get(b, set()))
    return {"queued": len(pending), "queued_right": right}


def merge_quality(
    seed: int = 7, *, contacts: int = 1500, keep: Path | None = None
) -> dict[str, Any]:
    """Resolution precision/recall on the world of ``seed`` imported from its exports."""
    started = time.perf_counter()
    world = build_world(seed, contacts=contacts)
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        exports = write_exports(world, folder / "exports", seed=seed)
        written = time.perf_counter()
        ws = Workspace.open(str(folder / "weakties.db"))
        try:
            files = import_all(ws, exports)
            imported = time.perf_counter()
            found = locate(ws, exports)
            people_of: dict[int, set[int]] = defaultdict(set)
            for n, pid in found.items():
                if pid is not None:
                    people_of[pid].add(exports.truth[n].person)
            result = score(exports.truth, found)
            result.update(review_queue(ws, people_of))
        finally:
            ws.close()
    result.update(
        {
            "seed": seed,
            "contacts": contacts,
            "files": files,
            "write_seconds": round(written - started, 2),
            "import_seconds": round(imported - written, 2),
            "seconds": round(time.perf_counter() - started, 2),
            "exports": exports.counts,
        }
    )
    result["_world"] = world
    result["_truth"] = exports.truth
    return result


def linkedin_speed(rows: int = 30_000) -> dict[str, Any]:
    """Import a synthetic Connections.csv of ``rows`` rows into a fresh workspace."""
    header = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
    given = ["Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Hana", "Ines", "Jonas"]
    family = ["Quill", "Marsh", "Oakes", "Vance", "Stirling", "Calder", "Jessop", "Yardley"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Connections.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write('Notes:\n"When exporting your connection data..."\n\n' + header + "\n")
            writer = csv.writer(out, lineterminator="\n")
            for k in range(rows):
                g, f = given[k % len(given)], family[(k // len(given)) % len(family)]
                writer.writerow(
                    [
                        g,
                        f"{f}{k}",
                        f"https://www.linkedin.com/in/{g.lower()}-{f.lower()}-{k:06x}",
                        f"{g.lower()}.{k}@example.com" if k % 10 == 0 else "",
                        f"Company {k % 997}",
                        "Product Manager",
                        f"{1 + k % 28:02d} Sep 20{10 + k % 15}",
                    ]
                )
        started = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as handle:
            parsed = sum(1 for _ in csv.reader(handle))
        baseline = time.perf_counter() - started
        ws = Workspace.open(str(Path(tmp) / "speed.db"))
        try:
            started = time.perf_counter()
            report = ws.import_path(path, fmt="linkedin")
            seconds = time.perf_counter() - started
        finally:
            ws.close()
    return {
        "linkedin_rows": rows,
        "linkedin_seconds": round(seconds, 2),
        "linkedin_rows_per_s": round(rows / seconds),
        "linkedin_people_created": report.counts.get("people.created", 0),
        "baseline_csv_rows_per_s": round(parsed / baseline),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--contacts", type=int, default=1500)
    parser.add_argument("--rows", type=int, default=30_000, help="LinkedIn speed test rows")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show", type=int, default=0, help="print N wrong pairs of each kind")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    quality = merge_quality(args.seed, contacts=args.contacts)
    world: World = quality.pop("_world")
    truth: tuple[TrueRecord, ...] = quality.pop("_truth")
    fps, fns = quality.pop("_false_positive_pairs"), quality.pop("_false_negative_pairs")
    speed = linkedin_speed(args.rows)
    result = {**quality, **speed, "seconds": round(time.perf_counter() - started, 2)}
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(f"world seed {args.seed}, {args.contacts} contacts: {quality['records']} records")
        for f in quality["files"]:
            print(
                f"  {f['importer']:<10} {f['records']:>7} records {f['seconds']:>7.2f} s "
                f"{f['records_per_s'] or 0:>8} rec/s  merged {f['merged']:>4} "
                f"queued {f['queued']:>4} problems {f['problems']}"
            )
        print(
            f"merge precision {quality['merge_precision']:.4f}  recall "
            f"{quality['merge_recall']:.4f}  (tp {quality['true_positives']}, fp "
            f"{quality['false_positives']}, fn {quality['false_negatives']}); queued "
            f"{quality['queued']} ({quality['queued_right']} right); import "
            f"{quality['import_seconds']} s"
        )
        print(
            f"LinkedIn: {speed['linkedin_rows']} rows in {speed['linkedin_seconds']} s = "
            f"{speed['linkedin_rows_per_s']} rows/s (csv alone: "
            f"{speed['baseline_csv_rows_per_s']} rows/s)"
        )
    for label, pairs in (("false positive", fps), ("false negative", fns)):
        for a, b in pairs[: args.show]:
            ta, tb = truth[a], truth[b]
            print(
                f"{label}: {ta.file[:14]}:{ta.name!r} (#{ta.person} {world.people[ta.person].name})"
                f" ~ {tb.file[:14]}:{tb.name!r} (#{tb.person} {world.people[tb.person].name})",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
