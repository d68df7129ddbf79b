"""The parallel mbox reader gives exactly the sequential reading, record for record.

The sequential reader (one process) is the oracle. Ranges are made small so that a few
hundred kilobytes give many worker tasks and cuts land in awkward places: inside bodies with
unquoted ``From`` lines, next to oversized header blocks, in CRLF files.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from tests.store.test_ingest import dump
from weakties.domain.records import Record
from weakties.importers import email
from weakties.importers.files import iter_sources
from weakties.importers.registry import ImportOptions
from weakties.workspace import Workspace

OWNER = "robin.quist@example.com"


def _message(rng: random.Random, number: int, *, trap: bool = False, huge: bool = False) -> str:
    sender = OWNER if rng.random() < 0.3 else f"p{rng.randrange(40)}@example.org"
    to = OWNER if sender != OWNER else f"p{rng.randrange(40)}@example.org"
    lines = [
        f"From {sender} Mon Jan  3 10:{number % 60:02d}:00 2022",
        f"From: Person {sender.split('@')[0]} <{sender}>",
        f"To: {to}",
    ]
    if trap:  # an obsolete "From :" field: a separator to a cut, not to the reader
        lines.append(f"From : Person {number} <{sender}>")
    if huge:  # a header block over the reader's limit: the message is a problem
        lines += [f"X-Filler-{i}: " + "x" * 990 for i in range(270)]
    lines += [
        f"Date: Mon, 3 Jan 2022 10:{number % 60:02d}:00 +0000",
        f"Message-ID: <{number}@example.org>",
        "",
        "Hello,",
    ]
    for _ in range(rng.randrange(1, 60)):
        lines.append(
            " ".join(rng.choice(["lorem", "ipsum", "dolor", "From", "sit"]) for _ in range(12))
        )
    if rng.random() < 0.2:  # an unquoted From line in a body, followed by a field-like line
        lines += ["From here on it gets odd", "Note: this line looks like a header"]
    lines += ["", ""]
    return "\n".join(lines)


def _mbox(path: Path, count: int, *, crlf: bool = False, seed: int = 3) -> Path:
    rng = random.Random(seed)
    text = "".join(
        _message(rng, n, trap=n % 7 == 0, huge=n % 97 == 50) for n in range(1, count + 1)
    )
    path.write_bytes(text.replace("\n", "\r\n").encode() if crlf else text.encode())
    return path


def _read(path: Path, *, parallel: bool, monkeypatch: pytest.MonkeyPatch) -> list[Record]:
    monkeypatch.setattr(email, "PARALLEL_MIN_BYTES", 0 if parallel else 1 << 60)
    monkeypatch.setattr(email, "RANGE_BYTES", 8 * 1024)
    sources = list(iter_sources(path))
    return list(email.IMPORTER.iter_records(path, sources, ImportOptions(me=(OWNER,))))


@pytest.mark.parametrize("crlf", [False, True])
def test_parallel_reading_is_the_sequential_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crlf: bool
) -> None:
    path = _mbox(tmp_path / "mail.mbox", 400, crlf=crlf)
    sequential = _read(path, parallel=False, monkeypatch=monkeypatch)
    parallel = _read(path, parallel=True, monkeypatch=monkeypatch)
    assert len(sequential) >= 400  # plus the body "From" lines that a field line follows
    assert parallel == sequential  # origins (message number, byte offset) included
    assert any("larger than 256 KB" in str(r) for r in sequential)


def test_a_cut_inside_a_header_block_falls_back_to_reading_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every message carries a "From :" field: cuts land on it and must be refused
    rng = random.Random(5)
    text = "".join(_message(rng, n, trap=True) for n in range(1, 200))
    path = tmp_path / "traps.mbox"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(email, "RANGE_BYTES", 8 * 1024)
    starts = email._range_starts(path, 0, path.stat().st_size)
    data = path.read_bytes()
    assert any(data[s : s + 7] == b"From : " for s in starts)  # the trap is really hit
    assert _read(path, parallel=True, monkeypatch=monkeypatch) == _read(
        path, parallel=False, monkeypatch=monkeypatch
    )


def test_workers_that_cannot_start_leave_the_reading_to_the_importer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _mbox(tmp_path / "mail.mbox", 120)
    expected = _read(path, parallel=False, monkeypatch=monkeypatch)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    assert _read(path, parallel=True, monkeypatch=monkeypatch) == expected


def test_a_parallel_import_stores_what_a_sequential_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _mbox(tmp_path / "mail.mbox", 300)
    dumps = []
    for parallel in (False, True):
        monkeypatch.setattr(email, "PARALLEL_MIN_BYTES", 0 if parallel else 1 << 60)
        monkeypatch.setattr(email, "RANGE_BYTES", 8 * 1024)
        with Workspace.open(str(tmp_path / f"p{parallel}.db")) as ws:
            report = ws.import_path(path, me=(OWNER,))
            assert report.counts["interaction.new"] > 200
            again = ws.import_path(path, me=(OWNER,))  # and re-importing changes nothing
            assert again.counts["interaction.unchanged"] == report.counts["interaction.new"]
            table = dump(ws)
            for row in table["source_record"]:
                row.pop("import_run_id")
            for row in table["person"]:
                row.pop("created_at")
            dumps.append(table)
    assert dumps[0] == dumps[1]  # the same people, interactions, participants and provenance
