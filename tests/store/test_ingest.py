"""Ingest: idempotent re-import, merging across sources, hand-typed facts kept, transactions."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from weakties.errors import ImportFailed
from weakties.workspace import Workspace

GOOGLE_HEADER = (
    "First Name,Middle Name,Last Name,Organization Name,Organization Title,Labels,"
    "E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value\n"
)


def google_csv(path: Path, rows: list[str]) -> Path:
    path.write_text(GOOGLE_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def vcard(path: Path, cards: list[dict[str, str]]) -> Path:
    out = []
    for card in cards:
        out += ["BEGIN:VCARD", "VERSION:3.0", f"FN:{card['fn']}", f"N:{card['n']}"]
        for key in ("EMAIL", "TEL", "ORG", "TITLE"):
            if key in card:
                out.append(f"{key}:{card[key]}")
        out.append("END:VCARD")
    path.write_text("\r\n".join(out) + "\r\n", encoding="utf-8")
    return path


MBOX = """From alex@example.com Thu Feb  1 09:00:00 2024
From: Alex Doe <alex@example.com>
To: Jane Roe <jane@example.org>
Subject: hello
Date: Thu, 1 Feb 2024 09:00:00 +0000
Message-ID: <m1@example.com>

Body text.

From jane@example.org Thu Feb  1 10:00:00 2024
From: Jane Roe <jane@example.org>
To: Alex Doe <alex@example.com>
Cc: Bob Smith <bob@example.net>
Subject: Re: hello
Date: Thu, 1 Feb 2024 10:00:00 +0000
Message-ID: <m2@example.org>
In-Reply-To: <m1@example.com>

Reply text.
"""


def dump(ws: Workspace) -> dict[str, object]:
    buffer = io.StringIO()
    ws.export(buffer, "json")
    tables = json.loads(buffer.getvalue())["tables"]
    tables.pop("import_run")
    for row in tables["person"]:
        row.pop("updated_at")
    return tables


def three_exports(tmp_path: Path) -> list[Path]:
    """An address book, a vCard file and a mailbox that share Jane Roe."""
    (tmp_path / "mail.mbox").write_text(MBOX, encoding="utf-8")
    return [
        google_csv(
            tmp_path / "contacts.csv",
            ["Jane,,Roe,Acme Bank,CTO,friends,Work,jane@example.org,Mobile,+44 7700 900123"],
        ),
        vcard(
            tmp_path / "cards.vcf",
            [{"fn": "Bob Smith", "n": "Smith;Bob;;;", "EMAIL": "bob@example.net"}],
        ),
        tmp_path / "mail.mbox",
    ]


def test_import_twice_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    files = three_exports(tmp_path)
    for f in files:
        ws.import_path(f, me=["alex@example.com"])
    first = dump(ws)
    reports = [ws.import_path(f, me=["alex@example.com"]) for f in files]
    assert dump(ws) == first
    for report in reports:
        assert not [
            k for k in report.counts if k.endswith((".new", ".updated")) or k.startswith("people.")
        ]
    people = {p["name"] for p in first["person"]}  # type: ignore[union-attr, index]
    assert people == {"Alex Doe", "Jane Roe", "Bob Smith"}
    assert len(first["interaction"]) == 2  # type: ignore[arg-type]


def test_same_identity_across_sources_is_one_person(ws: Workspace, tmp_path: Path) -> None:
    ws.import_path(
        google_csv(tmp_path / "g.csv", ["Jane,,Roe,Acme Bank,CTO,,Work,jane@example.org,,"])
    )
    ws.import_path(
        vcard(
            tmp_path / "c.vcf",
            [
                {
                    "fn": "Jane R.",
                    "n": "R.;Jane;;;",
                    "EMAIL": "JANE@example.org",
                    "TEL": "+44 7700 900123",
                }
            ],
        )
    )
    (tmp_path / "m.mbox").write_text(MBOX, encoding="utf-8")
    ws.import_path(tmp_path / "m.mbox", me=["alex@example.com"])
    jane = ws.person("jane@example.org")
    assert ws.resolve("+447700900123") == jane.id
    assert "Jane R." in jane.aliases
    assert ws.profile(jane.id).interaction_count == 2  # type: ignore[arg-type]
    assert [r.name for r in ws.people("roe")] == ["Jane Roe"]
    # the owner was recognised in the mailbox: no second "Alex Doe"
    assert len([r for r in ws.people(include_me=True) if r.name == "Alex Doe"]) == 1


def test_fuzzy_names_merge_with_evidence_and_queue_without(ws: Workspace, tmp_path: Path) -> None:
    ws.import_path(
        google_csv(
            tmp_path / "g.csv",
            [
                "Robert,,Smith,Globex,Engineer,,,,,",
                "Jane,,Roe,,,,,,Mobile,+44 7700 900123",
            ],
        )
    )
    ws.import_path(
        vcard(
            tmp_path / "c.vcf",
            [
                {
                    "fn": "Bob Smith",
                    "n": "Smith;Bob;;;",
                    "ORG": "Globex Inc.",
                    "EMAIL": "bob@example.net",
                },
                # the same name, but a different phone: maybe two people, so only suggested
                {
                    "fn": "Jane Roe",
                    "n": "Roe;Jane;;;",
                    "EMAIL": "jane@example.org",
                    "TEL": "+44 7700 900456",
                },
            ],
        )
    )
    names = sorted(r.name for r in ws.people())
    assert names == ["Jane Roe", "Jane Roe", "Robert Smith"]  # Bob merged into Robert (same org)
    assert ws.person("bob@example.net").name == "Robert Smith"
    (suggestion,) = ws.merge_queue()  # the two Jane Roes: same name, phones disagree
    assert {suggestion.a.name, suggestion.b.name} == {"Jane Roe"}
    kept = ws.decide_merge(suggestion.id, "accept")
    assert kept is not None and [r.name for r in ws.people("jane")] == ["Jane Roe"]
    assert ws.merge_queue() == []


def test_imports_never_overwrite_what_the_user_typed(ws: Workspace, tmp_path: Path) -> None:
    ws.add_person(
        "Jane Roe", emails=["jane@example.org"], location="Leeds", org="Initech", title="Advisor"
    )
    ws.import_path(
        google_csv(tmp_path / "g.csv", ["Janet,,Roe-Smith,Acme Bank,CTO,,Work,jane@example.org,,"])
    )
    jane = ws.person("jane@example.org")
    assert jane.name == "Jane Roe" and jane.location == "Leeds"
    orgs = {org for _, org in ws.profile(jane.id).affiliations}  # type: ignore[arg-type]
    assert orgs == {"Initech", "Acme Bank"}
    # a newer export with a new job replaces what that export said, not what was typed
    ws.import_path(
        google_csv(tmp_path / "g.csv", ["Janet,,Roe-Smith,Globex,VP,,Work,jane@example.org,,"])
    )
    orgs = {org for _, org in ws.profile(jane.id).affiliations}  # type: ignore[arg-type]
    assert orgs == {"Initech", "Globex"}


def test_failed_import_leaves_the_database_as_it_was(ws: Workspace, tmp_path: Path) -> None:
    ws.add_person("Jane Roe", emails=["jane@example.org"])
    before = dump(ws)
    bad = tmp_path / "c.vcf"
    good = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Smith\r\nEMAIL:bob@example.net\r\nEND:VCARD\r\n"
    bad.write_text(good + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Off\r\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as info:
        ws.import_path(bad, strict=True)
    assert "c.vcf" in str(info.value)
    assert dump(ws) == before
    runs = ws.import_runs()
    assert runs[0].status == "failed"


def test_unknown_file_is_a_one_line_error(ws: Workspace, tmp_path: Path) -> None:
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 10)
    with pytest.raises(ImportFailed, match="not an export weakties recognises"):
        ws.import_path(junk)
    with pytest.raises(ImportFailed, match="no such file"):
        ws.import_path(tmp_path / "missing.csv")
