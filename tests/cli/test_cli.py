"""The CLI through Typer's runner: every command, and every bad-input case of the foundation issue."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import Cli


def test_help_lists_every_command(cli: Cli) -> None:
    out = cli.ok("--help").output
    for command in (
        "init",
        "add",
        "edit",
        "people",
        "show",
        "log",
        "helped",
        "helped-by",
        "intro",
        "goal",
        "opportunity",
        "tag",
        "note",
        "merge",
        "unmerge",
        "forget",
        "export",
        "demo",
    ):
        assert command in out


def test_add_list_show(cli: Cli) -> None:
    cli.ok(
        "add",
        "person",
        "Jane Roe",
        "-e",
        "jane@example.org",
        "--org",
        "Acme Bank",
        "-t",
        "Engineering Manager",
        "--tag",
        "fintech,ex-colleague",
        "--when",
        "2019",
        "--how",
        "at a meetup",
    )
    cli.ok("add", "person", "Bob Smith", "--url", "linkedin.com/in/bob-smith", "--through", "jane")
    rows = json.loads(cli.ok("people", "--json").output)
    assert [r["name"] for r in rows] == ["Bob Smith", "Jane Roe"]
    jane = json.loads(cli.ok("show", "jane@example.org", "--json").output)
    assert jane["person"]["tags"] == ["ex-colleague", "fintech"]
    assert jane["affiliations"][0]["org_name"] == "Acme Bank"
    shown = cli.ok("show", "Bob Smith").output
    assert "https://www.linkedin.com/in/bob-smith" in shown and "through Jane Roe" in shown
    assert [
        r["name"] for r in json.loads(cli.ok("people", "--tag", "fintech", "--json").output)
    ] == ["Jane Roe"]
    assert [
        r["name"] for r in json.loads(cli.ok("people", "--org", "acme bank", "--json").output)
    ] == ["Jane Roe"]
    assert (
        json.loads(cli.ok("people", "--title", "manager", "--json").output)[0]["name"] == "Jane Roe"
    )
    assert "Jane Roe" in cli.ok("people", "acme").output


def test_ledger_commands(cli: Cli) -> None:
    cli.ok("add", "person", "Jane Roe", "-e", "jane@example.org")
    cli.ok("add", "person", "Bob Smith")
    cli.ok("log", "jane", "bob", "-c", "meeting", "--when", "2024-05-03 14:00", "-s", "planning")
    cli.ok("log", "jane", "-c", "email", "--when", "yesterday", "-d", "in")
    cli.ok("helped", "jane", "migrated their email", "--when", "2019", "--size", "medium")
    cli.ok("helped-by", "bob", "reviewed my CV", "--when", "last year")
    cli.ok("intro", "jane", "bob", "--outcome", "met")
    data = json.loads(cli.ok("show", "jane", "--json").output)
    assert data["interaction_count"] == 2
    assert data["favors"][0]["what"] == "migrated their email"
    assert data["favors"][0]["size"] == "medium"
    assert data["introductions"][0]["outcome"] == "met"
    shown = cli.ok("show", "jane").output
    assert "planning" in shown and "you helped Jane Roe (#2): migrated their email" in shown
    assert "you introduced Jane Roe (#2) to Bob Smith (#3)" in shown


def test_goals_and_opportunities(cli: Cli) -> None:
    cli.ok("add", "person", "Jane Roe")
    cli.ok("add", "person", "Bob Smith")
    cli.ok(
        "goal",
        "add",
        "product role at a fintech",
        "--tag",
        "role:product manager",
        "--tag",
        "industry:fintech",
    )
    cli.ok("goal", "add", "needs a designer", "--for", "jane")
    mine = json.loads(cli.ok("goal", "list", "--json").output)
    assert [g["text"] for g in mine] == ["product role at a fintech"]
    everyone = json.loads(cli.ok("goal", "list", "--everyone", "--json").output)
    assert len(everyone) == 2
    cli.ok("goal", "done", str(mine[0]["id"]))
    assert (
        json.loads(cli.ok("goal", "list", "--status", "done", "--json").output)[0]["status"]
        == "done"
    )
    cli.ok("opportunity", "add", "Product manager", "--org", "Acme Bank", "--via", "bob,jane")
    opps = json.loads(cli.ok("opportunity", "list", "--json").output)
    assert len(opps[0]["chain"]) == 2
    out = cli.ok("opportunity", "update", str(opps[0]["id"]), "--status", "offer").output
    assert "you → Bob Smith → Jane Roe" in out and "offer" in out


def test_tag_note_merge_unmerge_forget(cli: Cli) -> None:
    cli.ok("add", "person", "Jane Roe", "-e", "jane@example.org")
    cli.ok("add", "person", "J Roe", "-p", "+44 7700 900123")
    cli.ok("tag", "jane@example.org", "fintech", "climbing")
    cli.ok("tag", "jane@example.org", "climbing", "--remove")
    cli.ok("note", "jane@example.org", "loves sourdough")
    assert json.loads(cli.ok("people", "sourdough", "--json").output)[0]["name"] == "Jane Roe"
    cli.ok("merge", "jane@example.org", "+447700900123")
    assert len(json.loads(cli.ok("people", "--json").output)) == 1
    cli.ok("unmerge", "jane@example.org")
    assert len(json.loads(cli.ok("people", "--json").output)) == 2
    result = cli("forget", "J Roe", input="n\n")
    assert result.exit_code == 1
    out = cli.ok("forget", "J Roe", "--yes").output
    assert "forgot J Roe" in out and "1 identities" in out
    assert len(json.loads(cli.ok("people", "--json").output)) == 1


def test_edit(cli: Cli) -> None:
    cli.ok(
        "add",
        "person",
        "Jane Roe",
        "-e",
        "jane@example.org",
        "--org",
        "Acme Bank",
        "-t",
        "Engineer",
    )
    cli.ok(
        "edit",
        "jane",
        "--name",
        "Jane Roe-Smith",
        "--location",
        "Leeds",
        "-e",
        "jr@example.net",
        "--remove",
        "jane@example.org",
        "--left",
        "Acme Bank",
        "--org",
        "Globex",
        "-t",
        "CTO",
        "--do-not-ask",
    )
    data = json.loads(cli.ok("show", "jr@example.net", "--json").output)
    assert data["person"]["name"] == "Jane Roe-Smith" and data["person"]["do_not_ask"] is True
    assert [i["value"] for i in data["person"]["identities"]] == ["jr@example.net"]
    current = [a for a in data["affiliations"] if a["end"] is None]
    assert [(a["org_name"], a["title"]) for a in current] == [("Globex", "CTO")]


def test_export(cli: Cli, tmp_path: Path) -> None:
    cli.ok("add", "person", "Jane Roe", "-e", "jane@example.org")
    target = tmp_path / "out.csv"
    cli.ok("export", "--format", "csv", "-o", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [r["name"] for r in rows] == ["Alex Doe", "Jane Roe"]
    data = json.loads(cli.ok("export").output)
    assert data["format"] == "weakties-export"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "Nobody Atall"), "nobody matches"),
        (("show", "#999"), "no person #999"),
        (("show", "ghost@example.com"), "nobody has the email"),
        (("show", "Jan"), "matches 2 people"),
        (("log", "Jane Roe", "--when", "someday"), "not a date"),
        (("log", "Jane Roe", "--channel", "pigeon"), "unknown channel"),
        (("helped", "Jane Roe", "x", "--when", "2019-13"), "not a date"),
        (("add", "person", "X", "-e", "not-an-email"), "not an email address"),
        (("add", "person", "X", "-u", "not a url"), "not a URL"),
        (("add", "person", "X", "-p", "12"), "not a phone number"),
        (("add", "person", "X", "-e", "jane@example.org"), "already belongs to Jane Roe"),
        (("add", "person", "  "), "needs a name"),
        (("add", "org", "Acme", "--kind", "castle"), "unknown organisation kind"),
        (("goal", "add", "x", "--tag", "colour:blue"), "unknown goal tag kind"),
        (("goal", "done", "999"), "no goal #999"),
        (("opportunity", "update", "999", "--status", "offer"), "no opportunity #999"),
        (("people", "--sort", "height"), "unknown sort"),
        (("unmerge", "Jane Roe"), "no merge to undo"),
        (("export", "--format", "xml"), "unknown format"),
    ],
)
def test_bad_input_gives_one_line_and_exit_1(cli: Cli, args: tuple[str, ...], message: str) -> None:
    cli.ok("add", "person", "Jane Roe", "-e", "jane@example.org")
    cli.ok("add", "person", "Janet Rowe")
    before = cli.ok("export").output
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    after = cli.ok("export").output
    assert after == before  # nothing half-written


def test_bad_database_paths(tmp_path: Path) -> None:
    missing = Cli(tmp_path / "no" / "such" / "dir" / "w.db")
    result = missing("people")
    assert result.exit_code == 1 and "does not exist" in result.output
    junk = tmp_path / "junk.db"
    junk.write_text("hello")
    result = Cli(junk)("people")
    assert result.exit_code == 1 and "not a weakties database" in result.output


def test_debug_shows_the_traceback(cli: Cli) -> None:
    result = cli.runner.invoke(
        __import__("weakties.cli.app", fromlist=["app"]).app,
        ["--db", str(cli.db), "--debug", "show", "#999"],
    )
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "NotFound"
