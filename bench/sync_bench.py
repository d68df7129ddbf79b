"""Benchmark: IMAP sync over loopback against Dovecot, beside the mbox import of the same mail.

Generates a synthetic mbox (``--mb``, default 32 MB; bench/import_bench.py's generator: Received
chains, DKIM signatures, replies, lists, attachments), stores the same messages in a private
Dovecot's Maildir (tests/imapserver.py: Debian's dovecot-imapd on 127.0.0.1) and measures, in
one run, each into a fresh SQLite workspace:

- ``mbox``: ``weakties import`` of the mbox (the baseline);
- ``sync, cold``: the first ``weakties sync`` (Dovecot builds its index and header cache);
- ``sync, warm``: the same sync into another fresh workspace, Dovecot's caches built, as an
  account a server has held for a while is;
- ``fetch only``: the IMAP header fetch without ingest (what the wire and Dovecot cost);
- ``sync, nothing new``: the second sync of a synced workspace.

Rates are messages a second; ratios are against the mbox import of the same run. The machine
may be shared: compare the ratios, not the absolute times.

    PYTHONPATH=src .venv/bin/python bench/sync_bench.py --mb 32
"""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT), str(ROOT / "bench")]

OWNER = "robin.quist@example.com"  # import_bench's owner


def _maildir(mbox: Path, folder: Path, uid: int, gid: int) -> int:
    """Write each message of ``mbox`` as a Maildir file in ``folder/cur``; their count."""
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        os.chown(folder / sub, uid, gid)
    os.chown(folder, uid, gid)
    count = 0
    box = mailbox.mbox(mbox, create=False)
    for key in box.iterkeys():
        count += 1
        target = folder / "cur" / f"{1_700_000_000 + count}.M{count}P1.bench:2,S"
        target.write_bytes(box.get_bytes(key).replace(b"\n", b"\r\n"))
        os.chown(target, uid, gid)
    os.chown(folder.parent, uid, gid)
    return count


def _interactions(ws: Any) -> int:
    from sqlalchemy import func, select

    from weakties.store import schema as s

    with ws.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(s.interaction)).scalar_one())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=32, help="size of the synthetic mbox")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    import pwd

    from tests.imapserver import PASSWORD, USER, Dovecot

    from import_bench import generate_mbox
    from weakties.importers.accounts import parse_account
    from weakties.importers.imap import ImapMailbox, folders_to_read
    from weakties.workspace import Workspace

    work = Path(tempfile.mkdtemp(prefix="weakties-sync-bench-"))
    mbox = work / "mail.mbox"
    messages = generate_mbox(mbox, args.mb)
    server = Dovecot()
    figures: dict[str, Any] = {"messages": messages, "mbox_mb": round(mbox.stat().st_size / 2**20)}
    try:
        owner = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        stored = _maildir(mbox, server.root / "mail" / USER, owner.pw_uid, owner.pw_gid)
        assert stored == messages, (stored, messages)

        def fresh(name: str) -> Any:
            ws = Workspace.open(str(work / f"{name}.db"))
            ws.init("Robin Quist", [OWNER])
            return ws

        results: dict[str, float] = {}
        counts: dict[str, int] = {}

        ws = fresh("mbox")
        started = time.perf_counter()
        ws.import_path(mbox, me=[OWNER])
        results["mbox"] = time.perf_counter() - started
        counts["mbox"] = _interactions(ws)
        ws.close()

        for stage in ("sync, cold", "sync, warm"):
            ws = fresh(stage.replace(", ", "-"))
            started = time.perf_counter()
            report = ws.sync(server.url, password=PASSWORD, me=[OWNER])
            results[stage] = time.perf_counter() - started
            counts[stage] = _interactions(ws)
            assert report.fetched == messages, (report.fetched, messages)
            if stage == "sync, warm":
                started = time.perf_counter()
                again = ws.sync(server.url, password=PASSWORD, me=[OWNER])
                results["sync, nothing new"] = time.perf_counter() - started
                assert again.fetched == 0
            ws.close()

        account = parse_account(server.url)
        started = time.perf_counter()
        box = ImapMailbox(account, PASSWORD)
        fetched = 0
        for folder in folders_to_read(box.folders()):
            box.examine(folder)
            uids = box.uids_from(1)
            for start in range(0, len(uids), 500):
                fetched += sum(1 for _ in box.headers(uids[start : start + 500]))
        box.close()
        results["fetch only"] = time.perf_counter() - started
        assert fetched == messages
    finally:
        server.stop()

    base = results["mbox"]
    rows = []
    for stage, seconds in results.items():
        rate = messages / seconds if stage != "sync, nothing new" else None
        rows.append((stage, seconds, rate, base / seconds))
    figures["stages"] = {
        stage: {
            "seconds": round(sec, 3),
            "per_second": round(rate) if rate else None,
            "speed_vs_mbox": round(ratio, 2),
        }
        for stage, sec, rate, ratio in rows
    }
    figures["interactions"] = counts
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{messages:,} messages ({figures['mbox_mb']} MB mbox), loopback IMAP to Dovecot")
    print(f"{'stage':<20} {'seconds':>8} {'messages/s':>11} {'speed vs mbox':>14}")
    for stage, seconds, rate, ratio in rows:
        shown = f"{rate:,.0f}" if rate else "—"
        print(f"{stage:<20} {seconds:>8.2f} {shown:>11} {ratio:>13.2f}x")
    print(f"interactions stored: {counts} (the same mail: they must agree)")


if __name__ == "__main__":
    main()
