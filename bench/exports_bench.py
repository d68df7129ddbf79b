"""Benchmark: the Slack and macOS Messages importers beside the bare reads they are built on.

Writes a synthetic Slack export (``--messages`` messages over 40 channels of 2–60 members, a
third of them in threads, with mentions and reactions) and a synthetic chat.db with the same
number of messages in 1:1 and group chats, then times, in the same invocation:

- ``slack``: every record the Slack importer yields, beside ``json.load`` of every day file
  (the floor: parsing the JSON, nothing else);
- ``chat.db``: every record the Messages importer yields (the private copy included), beside a
  bare ``SELECT`` of the same message/chat_message_join rows through ``sqlite3``.

The ratios (ours / baseline) are what count; absolute figures depend on the machine's load.

    PYTHONPATH=src:. .venv/bin/python bench/exports_bench.py --messages 200000
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from tests.importers import test_imessage

from weakties.importers import imessage, slack
from weakties.importers.files import iter_sources
from weakties.importers.registry import ImportOptions

T0 = 1_600_000_000


def write_slack(root: Path, messages: int, rng: random.Random) -> Path:
    root.mkdir(parents=True)
    users = [
        {
            "id": f"U{i:05d}",
            "name": f"user{i}",
            "real_name": f"User {i}",
            "profile": {"email": f"user{i}@example.com"},
        }
        for i in range(500)
    ]
    (root / "users.json").write_text(json.dumps(users))
    channels = []
    for c in range(40):
        members = rng.sample([u["id"] for u in users], rng.choice([2, 5, 12, 20, 60]))
        channels.append({"id": f"C{c:04d}", "name": f"channel-{c}", "members": members})
    (root / "channels.json").write_text(json.dumps(channels))
    per_channel = messages // len(channels)
    for channel in channels:
        folder = root / channel["name"]
        folder.mkdir()
        members = channel["members"]
        at = T0
        for day in range(max(1, per_channel // 200)):
            batch = []
            parent = None
            for _ in range(200):
                at += rng.randint(1, 400)
                message = {
                    "type": "message",
                    "user": rng.choice(members),
                    "ts": f"{at}.000100",
                    "text": f"hi <@{rng.choice(members)}> " + "x" * rng.randint(0, 200),
                }
                if parent and rng.random() < 0.33:
                    message["thread_ts"] = parent
                elif rng.random() < 0.1:
                    parent = message["thread_ts"] = message["ts"]
                if rng.random() < 0.2:
                    message["reactions"] = [{"name": "+1", "users": rng.sample(members, 2)}]
                batch.append(message)
            (folder / f"2020-{day // 28 % 12 + 1:02d}-{day % 28 + 1:02d}.json").write_text(
                json.dumps(batch)
            )
    return root


def write_chat_db(path: Path, messages: int, rng: random.Random) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(test_imessage.SCHEMA)
    conn.executemany(
        "INSERT INTO handle (ROWID, id, service) VALUES (?, ?, 'iMessage')",
        [(i, f"+4477009{i:05d}") for i in range(1, 301)],
    )
    conn.executemany(
        "INSERT INTO chat (ROWID, guid, style) VALUES (?, ?, 45)",
        [(i, f"chat{i}") for i in range(1, 201)],
    )
    joins = {(c, rng.randint(1, 300)) for c in range(1, 201) for _ in range(rng.choice([1, 1, 4]))}
    conn.executemany("INSERT INTO chat_handle_join VALUES (?, ?)", sorted(joins))
    members: dict[int, list[int]] = {}
    for c, h in joins:
        members.setdefault(c, []).append(h)
    rows, links = [], []
    for m in range(1, messages + 1):
        chat = rng.randint(1, 200)
        from_me = rng.random() < 0.4
        rows.append(
            (
                m,
                f"G{m}",
                0 if from_me else rng.choice(members[chat]),
                int(from_me),
                (600_000_000 + m * 60) * 10**9,
            )
        )
        links.append((chat, m, 0))
    conn.executemany(
        "INSERT INTO message (ROWID, guid, handle_id, is_from_me, date) VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany("INSERT INTO chat_message_join VALUES (?, ?, ?)", links)
    conn.commit()
    conn.close()
    return path


def timed(label: str, work: object) -> tuple[float, int]:
    started = time.perf_counter()
    count = work()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"  {label:<28} {count:>9,} in {seconds:6.2f} s  ({count / seconds:>10,.0f}/s)")
    return seconds, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        root = write_slack(Path(tmp) / "slack", args.messages, rng)
        sources = list(iter_sources(root))
        print(f"Slack export: {args.messages:,} messages")
        ours, _ = timed(
            "slack importer (records)",
            lambda: sum(1 for _ in slack.IMPORTER.iter_records(root, sources, ImportOptions())),
        )
        base, _ = timed(
            "json.load of day files",
            lambda: sum(
                len(json.loads(s.path.read_text())) for s in sources if s.basename[:2] == "20"
            ),
        )
        print(f"  ratio ours/baseline: {ours / base:.2f}")
        db = write_chat_db(Path(tmp) / "chat.db", args.messages, rng)
        db_sources = list(iter_sources(db))
        print(f"chat.db: {args.messages:,} messages")
        ours, _ = timed(
            "imessage importer (records)",
            lambda: sum(1 for _ in imessage.IMPORTER.iter_records(db, db_sources, ImportOptions())),
        )

        def bare() -> int:
            conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
            rows = conn.execute(
                "SELECT m.ROWID, m.guid, m.handle_id, m.is_from_me, m.date, j.chat_id FROM message m"
                " LEFT JOIN chat_message_join j ON j.message_id = m.ROWID ORDER BY m.ROWID"
            ).fetchall()
            conn.close()
            return len(rows)

        base, _ = timed("bare sqlite3 SELECT", bare)
        print(f"  ratio ours/baseline: {ours / base:.2f}")


if __name__ == "__main__":
    main()
