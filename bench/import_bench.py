"""Benchmark: reading an mbox with weakties' email importer vs ``mailbox.mbox`` + ``email``.

Generates a synthetic mbox (``--mb``, default 1024 MB) with realistic header blocks (Received
chains, DKIM signatures, MIME headers, quoted and RFC 2047 names, replies, lists and
newsletters) and bodies (text, quoted replies, some base64 attachments). Each stage runs in a
child process so that its peak RSS (``resource.getrusage``) is its own:

- ``ours``: the email importer, every record it yields (owner sample pass included);
- ``baseline``: ``mailbox.mbox`` iteration with full ``email`` parsing and the same header
  reads (addresses, date), once with the default ``compat32`` message factory (the speedup is
  against this one) and once with ``email.policy.default``; it runs on a prefix of the file
  (``--baseline-mb``, default 64) and its rate is extrapolated, which the output says.

- ``ingest``: the whole import into a fresh SQLite workspace, end to end (a file this large is
  read by a worker process while the importing process resolves people and writes), and the
  SQLite floor: the same rows inserted again straight through the driver, which no Python
  above it can beat.

The ``STAGES`` table maps a stage name to a ``run_*(path) -> stats`` function.
``--json`` prints one object.

    PYTHONPATH=src .venv/bin/python bench/import_bench.py --mb 256
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import mailbox
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

Stats = dict[str, Any]

_FIRST = [
    "Ada",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Elif",
    "Farah",
    "Goran",
    "Hana",
    "Ines",
    "Jonas",
    "Keiko",
    "Lars",
    "Mirela",
    "Nadia",
]
_FIRST += [
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tamar",
    "Umar",
    "Vera",
    "Wanda",
    "Xavi",
    "Yusuf",
    "Zofia",
    "Ümit",
    "Åsa",
]
_LAST = [
    "Abara",
    "Brandt",
    "Costa",
    "Dubois",
    "Eklund",
    "Ferreira",
    "Gallo",
    "Horvat",
    "Ivanova",
    "Jansen",
    "Kowalski",
]
_LAST += [
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quist",
    "Rossi",
    "Santos",
    "Tanaka",
    "Urban",
    "Varga",
    "Weiss",
]
_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com", "corp.example.org"]
_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "you",
    "that",
    "it",
    "he",
    "was",
    "for",
    "on",
    "are",
    "as",
    "with",
    "his",
    "they",
    "at",
    "be",
    "this",
]
_WORDS += [
    "project",
    "meeting",
    "thanks",
    "update",
    "draft",
    "review",
    "plan",
    "budget",
    "launch",
    "notes",
    "team",
    "call",
]


def _person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    address = f"{first.lower()}.{last.lower()}{rng.randrange(100)}@{rng.choice(_DOMAINS)}"
    return f"{first} {last}", address.encode("ascii", "ignore").decode()


def _show(name: str, address: str, rng: random.Random) -> str:
    roll = rng.random()
    if not name.isascii() or roll < 0.05:
        encoded = base64.b64encode(name.encode()).decode()
        return f"=?UTF-8?B?{encoded}?= <{address}>"
    if roll < 0.25:
        last, first = name.split(" ", 1)[1], name.split(" ", 1)[0]
        return f'"{last}, {first}" <{address}>'
    if roll < 0.3:
        return address
    return f"{name} <{address}>"


def _body(rng: random.Random, attach_rate: float) -> str:
    lines = [
        " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(6, 14)))
        for _ in range(rng.randrange(3, 40))
    ]
    if rng.random() < 0.4:
        lines += ["", "On Mon, 3 Jun 2019 someone wrote:"] + [f"> {line}" for line in lines[:10]]
    if rng.random() < 0.02:
        lines += ["", "From here on the plan changes."]  # must be quoted by the writer
    text = "\n".join(lines)
    if rng.random() < attach_rate:  # an attachment: 20-120 KB of base64
        blob = base64.encodebytes(rng.randbytes(rng.randrange(20_000, 120_000))).decode()
        text = (
            "--b1\nContent-Type: text/plain; charset=utf-8\n\n"
            + text
            + "\n--b1\nContent-Type: application/pdf; name=notes.pdf\n"
            + "Content-Transfer-Encoding: base64\n\n"
            + blob
            + "--b1--"
        )
    return text.replace("\nFrom ", "\n>From ")


def generate_mbox(path: Path, megabytes: int, attach_rate: float = 0.12, seed: int = 7) -> int:
    """Write a synthetic mbox of about ``megabytes`` MB; return the number of messages.

    ``attach_rate`` is the share of messages with a 20-120 KB attachment: 0.12 gives about
    14 KB a message on average, 0 plain-text mail of about 3 KB.
    """
    rng = random.Random(seed)
    owner_name, owner = "Robin Quist", "robin.quist@example.com"
    people = [_person(rng) for _ in range(3000)]
    limit = megabytes * 1024 * 1024
    written = count = 0
    ids: list[str] = []
    moment = 1_400_000_000.0
    with open(path, "wb") as out:
        while written < limit:
            count += 1
            moment += rng.expovariate(1 / 900)
            when = time.gmtime(moment)
            outbound = rng.random() < 0.3
            sender = (owner_name, owner) if outbound else rng.choice(people)
            to = [rng.choice(people) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
            if not outbound:
                to[0] = (owner_name, owner)
            cc = [rng.choice(people) for _ in range(rng.choice((0, 0, 0, 1, 2, 4)))]
            if rng.random() < 0.01:
                cc = [rng.choice(people) for _ in range(30)]
            msg_id = f"<{count}.{rng.getrandbits(48):x}@{sender[1].split('@')[1]}>"
            stamp = time.strftime("%a %b %d %H:%M:%S +0000 %Y", when)
            offset = rng.choice(["+0000", "+0200", "-0700", "+0530", "-0400"])
            local = datetime.fromtimestamp(moment, UTC).astimezone(
                timezone(timedelta(hours=int(offset[:3]), minutes=int(offset[0] + offset[3:])))
            )
            lines = [
                f"From {rng.getrandbits(60)}@xxx {stamp}",
                f"X-GM-THRID: {rng.getrandbits(60)}",
                f"X-Gmail-Labels: {'Sent' if outbound else rng.choice(['Inbox', 'Important,Inbox', 'Archived'])}",
                f"Delivered-To: {owner}",
            ]
            for hop in range(rng.randrange(2, 6)):
                lines += [
                    f"Received: from mx{hop}.example.net (mx{hop}.example.net [192.0.2.{hop + 1}])",
                    f"        by mail.example.com with ESMTPS id {rng.getrandbits(64):x}",
                    f"        for <{owner}>; {format_datetime(local)}",
                ]
            lines += [
                "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel;",
                "        h=from:to:subject:date:message-id;",
                "        bh=" + base64.b64encode(rng.randbytes(32)).decode() + ";",
                "        b=" + base64.b64encode(rng.randbytes(128)).decode(),
                f"From: {_show(*sender, rng)}",
                "To: " + ", ".join(_show(n, a, rng) for n, a in to),
            ]
            if cc:
                lines.append("Cc: " + ",\n    ".join(_show(n, a, rng) for n, a in cc))
            lines += [
                f"Subject: {' '.join(rng.choice(_WORDS) for _ in range(5))}",
                f"Date: {format_datetime(local)}",
                f"Message-ID: {msg_id}",
            ]
            if ids and rng.random() < 0.4:
                parent = rng.choice(ids[-200:])
                lines += [f"In-Reply-To: {parent}", f"References: {ids[0]} {parent}"]
            if rng.random() < 0.1:
                lines += ["List-Id: <team.lists.example.org>", "Precedence: list"]
            elif rng.random() < 0.05:
                lines.append("List-Unsubscribe: <mailto:unsubscribe@example.net>")
            lines += [
                "MIME-Version: 1.0",
                'Content-Type: multipart/mixed; boundary="b1"',
                "",
                _body(rng, attach_rate),
                "",
                "",
            ]
            data = "\n".join(lines).encode()
            out.write(data)
            written += len(data)
            ids.append(msg_id)
            if len(ids) > 5000:
                del ids[:2500]
    return count


def run_ours(path: Path) -> Stats:
    """Parse the whole mbox with the email importer; count what it yields."""
    from weakties.importers.email import IMPORTER
    from weakties.importers.files import iter_sources
    from weakties.importers.registry import ImportOptions

    counts: dict[str, int] = {}
    started = time.perf_counter()
    sources = list(iter_sources(path))
    for record in IMPORTER.iter_records(path, sources, ImportOptions()):
        kind = type(record).__name__
        counts[kind] = counts.get(kind, 0) + 1
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": path.stat().st_size, "counts": counts}


def _prefix(path: Path, megabytes: int) -> Path:
    """A copy of the file cut at the first message boundary after ``megabytes`` MB."""
    cut = Path(str(path) + f".prefix{megabytes}")
    with open(path, "rb") as src:
        data = src.read(megabytes * 1024 * 1024)
        rest = src.read(8 * 1024 * 1024)
    end = rest.find(b"\nFrom ")
    data += rest[: end + 1] if end >= 0 else rest
    cut.write_bytes(data)
    return cut


def run_baseline(path: Path, megabytes: int = 64, modern: bool = False) -> Stats:
    """``mailbox.mbox`` with full ``email`` parsing of each message, on a prefix of the file.

    The default factory parses with the ``compat32`` policy (what ``for m in mailbox.mbox(p)``
    does); ``modern`` uses ``email.policy.default``, whose header objects cost more.
    """
    from email.parser import BytesParser

    prefix = _prefix(path, megabytes)
    messages = 0
    started = time.perf_counter()
    try:
        if modern:
            parser = BytesParser(policy=policy.default)
            # typeshed wants an mboxMessage factory; any message factory works at run time
            box = mailbox.mbox(prefix, factory=parser.parse, create=False)  # type: ignore[arg-type]
        else:
            box = mailbox.mbox(prefix, create=False)
        for message in box:
            messages += 1
            for field in ("from", "to", "cc"):
                getaddresses([str(v) for v in message.get_all(field, [])])
            date = message["date"]
            if date is not None:
                with contextlib.suppress(TypeError, ValueError):
                    parsedate_to_datetime(str(date))
            message.get("message-id"), message.get("references"), message.get("list-id")
    finally:
        seconds = time.perf_counter() - started
        size = prefix.stat().st_size
        prefix.unlink()
    return {"seconds": seconds, "bytes": size, "messages": messages}


def run_ingest(path: Path) -> Stats:
    """The whole import: parse, resolve people and write everything into a fresh SQLite file.

    Then the floor: the rows that import wrote for its messages (source records,
    interactions, participants) inserted again, straight through the driver in one
    transaction, into a fresh workspace: what SQLite alone costs for this mailbox.
    """
    from weakties.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="weakties-ingest-") as tmp:
        started = time.perf_counter()
        with Workspace.open(str(Path(tmp) / "bench.db")) as ws:
            report = ws.import_path(path)
        seconds = time.perf_counter() - started
        db_mb = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 1e6
        floor = _sqlite_floor(Path(tmp) / "bench.db", Path(tmp) / "floor.db")
    return {
        "seconds": seconds,
        "bytes": path.stat().st_size,
        "counts": dict(report.counts),
        "records": report.records,
        "db_mb": db_mb,
        "floor_seconds": floor,
    }


_FLOOR_TABLES = ("import_run", "person", "source_record", "interaction", "participant")


def _sqlite_floor(done: Path, fresh: Path) -> float:
    """Seconds to insert the imported messages' rows again into an empty workspace."""
    import sqlite3

    from weakties.workspace import Workspace

    Workspace.open(str(fresh)).close()
    source = sqlite3.connect(done)
    rows = {t: source.execute(f'SELECT * FROM "{t}"').fetchall() for t in _FLOOR_TABLES}
    source.close()
    target = sqlite3.connect(fresh, isolation_level=None)
    for pragma in ("foreign_keys = ON", "synchronous = NORMAL", "journal_mode = WAL"):
        target.execute(f"PRAGMA {pragma}")

    def insert(tables: tuple[str, ...]) -> None:
        for table in tables:
            if rows[table]:
                marks = ", ".join("?" * len(rows[table][0]))
                target.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows[table])

    target.execute("BEGIN")
    insert(_FLOOR_TABLES[:2])  # what the messages' rows refer to: not timed
    started = time.perf_counter()
    insert(_FLOOR_TABLES[2:])
    target.execute("COMMIT")
    seconds = time.perf_counter() - started
    target.close()
    return seconds


STAGES: dict[str, Callable[..., Stats]] = {
    "ours": run_ours,
    "ingest": run_ingest,
    "baseline": run_baseline,
}


def _child(stage: str, args: tuple[Any, ...], queue: Any) -> None:
    stats = STAGES[stage](*args)
    # the stage's own peak plus its largest worker's (the email importer's reader process)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stats["peak_rss_mb"] = (own + workers) / 1024
    queue.put(stats)


def in_child(stage: str, *args: Any) -> Stats:
    """Run a stage in a fresh process so its peak RSS is its own."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(stage, args, queue))
    process.start()
    stats: Stats = queue.get()
    process.join()
    return stats


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="size of the synthetic mbox")
    parser.add_argument("--baseline-mb", type=int, default=64, help="prefix the baseline reads")
    parser.add_argument(
        "--attach-rate", type=float, default=0.12, help="share of messages with an attachment"
    )
    parser.add_argument("--file", type=Path, help="use this mbox instead of generating one")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--linkedin-rows", type=int, default=30_000, help="rows of the LinkedIn import (0: skip)"
    )
    parser.add_argument(
        "--no-resolution", action="store_true", help="skip the resolution precision/recall run"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="weakties-bench-") as tmp:
        path = args.file or Path(tmp) / "synthetic.mbox"
        generated = None
        if args.file is None:
            started = time.perf_counter()
            generated = generate_mbox(path, args.mb, args.attach_rate)
            if not args.json:
                print(
                    f"generated {generated} messages, {path.stat().st_size / 1e6:.0f} MB "
                    f"in {time.perf_counter() - started:.1f} s",
                    file=sys.stderr,
                )
        ours = in_child("ours", path)
        ingest = in_child("ingest", path)
        base = in_child("baseline", path, args.baseline_mb)
        modern = in_child("baseline", path, args.baseline_mb, True)
    messages = sum(ours["counts"].values())
    parse_rate = messages / ours["seconds"]
    ours_rate = messages / ingest["seconds"]  # end to end: parsed, resolved and in SQLite
    base_rate = base["messages"] / base["seconds"]
    result = {
        "mbox_mb": round(ours["bytes"] / 1e6, 1),
        "mbox_messages": messages,
        "records": ours["counts"],
        "mbox_seconds": round(ingest["seconds"], 2),
        "mbox_msgs_per_s": round(ours_rate),
        "mbox_mb_per_s": round(ingest["bytes"] / 1e6 / ingest["seconds"], 1),
        "peak_rss_mb": round(ingest["peak_rss_mb"], 1),
        "ingest_counts": ingest["counts"],
        "sqlite_mb": round(ingest["db_mb"], 1),
        "sqlite_floor_msgs_per_s": round(messages / ingest["floor_seconds"]),
        "sqlite_floor_note": "the import's own source, interaction and participant rows "
        "inserted again through the driver in one transaction: SQLite's cost alone",
        "parse_only_msgs_per_s": round(parse_rate),
        "parse_only_mb_per_s": round(ours["bytes"] / 1e6 / ours["seconds"], 1),
        "parse_only_peak_rss_mb": round(ours["peak_rss_mb"], 1),
        "baseline_msgs_per_s": round(base_rate),
        "baseline_mb_per_s": round(base["bytes"] / 1e6 / base["seconds"], 1),
        "baseline_note": f"mailbox.mbox + email (compat32, the default) on the first "
        f"{base['bytes'] / 1e6:.0f} MB ({base['messages']} messages), rate extrapolated",
        "baseline_extrapolated_seconds": round(messages / base_rate, 1),
        "baseline_peak_rss_mb": round(base["peak_rss_mb"], 1),
        "speedup": round(ours_rate / base_rate, 1),
        "parse_only_speedup": round(parse_rate / base_rate, 1),
        "baseline_policy_default_msgs_per_s": round(modern["messages"] / modern["seconds"]),
        "speedup_vs_policy_default": round(ours_rate / (modern["messages"] / modern["seconds"]), 1),
        "cpu": os.cpu_count(),
    }
    sys.path.insert(0, str(Path(__file__).parent))
    import resolution_bench  # the contact-import and resolution halves of this benchmark

    if args.linkedin_rows:
        result.update(resolution_bench.linkedin_speed(args.linkedin_rows))
    if not args.no_resolution:
        quality = resolution_bench.merge_quality()
        goals = ("merge_precision", "merge_recall")
        result.update(
            {
                k if k in goals else f"resolution_{k}": v
                for k, v in quality.items()
                if not k.startswith("_") and not isinstance(v, dict | list)
            }
        )
    if args.json:
        print(json.dumps(result, indent=1))
        return
    for name, value in result.items():
        print(f"{name:>30}: {value}")


if __name__ == "__main__":
    main()
