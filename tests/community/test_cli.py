"""The community commands end to end, through the CLI as a user types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from weakties.cli.app import app


class Run:
    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, member: str | None = None, ok: bool = True) -> str:
        head = ["--db", str(self.db)] + (["--member", member] if member else [])
        result = self.runner.invoke(app, [*head, *args], env={"WEAKTIES_MEMBER": ""})
        if ok:
            assert result.exit_code == 0, (result.output, result.exception)
        else:
            assert result.exit_code == 1, result.output
        return str(result.output)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    run = Run(tmp_path / "c.db")
    run("community", "init", "Example Alumni")
    run(
        "member",
        "add",
        "alice",
        "--name",
        "Alice Adams",
        "--email",
        "alice@example.com",
        "--sharing",
        "full",
        "--names",
    )
    run("member", "add", "bob", "--name", "Bob Brown", "--email", "bob@example.com")
    return run


def test_members_import_find_paths_and_ask(run: Run, tmp_path: Path) -> None:
    card = tmp_path / "contacts.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Roe\r\nN:Roe;Jane;;;\r\n"
        "EMAIL:jane@acmebank.example\r\nORG:Acme Bank\r\nTITLE:Product Manager\r\nEND:VCARD\r\n"
    )
    run("import", str(card), member="alice")
    run("log", "Jane Roe", "--when", "2026-11-02", member="alice")
    listed = json.loads(run("member", "list", "--json"))
    assert [(m["handle"], m["role"], m["sharing"]) for m in listed] == [
        ("alice", "admin", "full"),
        ("bob", "member", "exists"),
    ]
    out = run("path", "--org", "Acme Bank", member="bob")
    assert "you → Alice Adams → Jane Roe" in out
    assert "0 of 1 from your own data, 1 with the community" in out
    data = json.loads(run("path", "--org", "Acme Bank", "--json", member="bob"))
    assert (data["reachable_own"], data["reachable_pooled"]) == (0, 1)
    run("asks", "request", "--through", "alice", "--org", "Acme Bank", member="bob")
    inbox = run("asks", member="alice")
    assert "#1 from bob: Jane Roe (Product Manager, Acme Bank) pending" in inbox
    assert "Inbox (0 waiting)" in run("asks", member="bob")
    run("asks", "accept", "1", "--reply", "gladly", member="alice")
    sent = json.loads(run("asks", "--json", member="bob"))["sent"]
    assert sent[0]["status"] == "accepted" and sent[0]["reply"] == "gladly"
    reach = json.loads(run("community", "reach", "--json", member="bob"))
    assert reach["orgs_pooled"] >= 1
    assert "2 members" in run("community", "show")


def test_errors_are_one_line(run: Run) -> None:
    out = run("ties", ok=False)
    assert "this database is a community" in out and "--member" in out
    assert "no member 'zed'" in run("path", "--org", "Acme Bank", member="zed", ok=False)
    assert "say which member you are" in run("asks", ok=False)
    assert "unknown sharing level" in run("member", "share", "bob", "some", ok=False)
    assert "already a member" in run("member", "add", "bob", "--name", "B", ok=False)


def test_remove_reports_what_went(run: Run) -> None:
    run("add", "person", "Sam Lee", "--org", "Beta Ltd", member="bob")
    out = run("member", "remove", "bob", "--yes")
    assert "removed bob: 1 ties" in out
    assert [m["handle"] for m in json.loads(run("member", "list", "--json"))] == ["alice"]


def test_the_community_demo_command(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    runner = CliRunner()
    args = ["demo", "--community", "--members", "4", "--contacts", "15", "--db", str(db)]
    first = runner.invoke(app, args, env={"WEAKTIES_MEMBER": ""})
    assert first.exit_code == 0, first.output
    assert "wants a way into Acme Bank" in first.output and "accepted" in first.output
    again = runner.invoke(app, args, env={"WEAKTIES_MEMBER": ""})  # an earlier demo is replaced
    assert again.exit_code == 0, again.output
    from weakties.workspace import Workspace

    with Workspace.open(str(tmp_path / "mine.db")) as ws:
        ws.init("Alex Doe")
    refused = runner.invoke(
        app, [*args[:-1], str(tmp_path / "mine.db")], env={"WEAKTIES_MEMBER": ""}
    )
    assert refused.exit_code == 1 and "not a community demo" in refused.output
