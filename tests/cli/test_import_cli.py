"""The import commands: import, importers, imports, merges, knows."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli

CSV = (
    "First Name,Middle Name,Last Name,Organization Name,Organization Title,Labels,"
    "E-mail 1 - Label,E-mail 1 - Value\n"
    "Jane,,Roe,Acme Bank,CTO,,Work,jane@example.org\n"
    "Jane,,Roe,,,,,\n"
)


def test_import_and_review(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(CSV, encoding="utf-8")
    out = cli.ok("import", str(path)).output
    assert "google_csv" in out and "2 new" in out and "weakties merges" in out
    again = json.loads(cli.ok("import", str(path), "--json").output)
    assert again[0]["counts"]["contact.unchanged"] == 2
    runs = json.loads(cli.ok("imports", "--json").output)
    assert [r["status"] for r in runs] == ["done", "done"]
    queue = json.loads(cli.ok("merges", "--json").output)
    assert len(queue) == 1
    out = cli.ok("merges", input="a\n").output
    assert "merged into Jane Roe" in out
    assert len(json.loads(cli.ok("people", "--json").output)) == 1
    assert "no merges waiting" in cli.ok("merges").output


def test_importers_are_listed(cli: Cli) -> None:
    names = {i["name"] for i in json.loads(cli.ok("importers", "--json").output)}
    assert {"linkedin", "google_csv", "vcard", "facebook"} <= names


def test_import_errors_are_one_line(cli: Cli, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 40)
    for args, message in (
        (("import", str(junk)), "not an export weakties recognises"),
        (("import", str(tmp_path / "missing.csv")), "no such file"),
        (("import", str(junk), "--format", "nonsense"), "unknown format"),
    ):
        result = cli(*args)
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert "Traceback" not in result.output


def test_knows(cli: Cli) -> None:
    cli.ok("add", "person", "Jane Roe")
    cli.ok("add", "person", "Bob Smith")
    assert (
        "Jane Roe knows Bob Smith"
        in cli.ok("knows", "jane", "bob", "--note", "climbing partners").output
    )
    result = cli("knows", "jane", "jane")
    assert result.exit_code == 1 and "two different people" in result.output
