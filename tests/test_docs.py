"""Docs are tests: docs/cli.md is the CLI reference rendered from the commands themselves.

Every command must have help text and appear in the reference; when a command or option
changes, regenerate the file with ``WEAKTIES_UPDATE_GOLDEN=1 pytest tests/test_docs.py`` and
review the diff. The README must keep showing the two set-up commands.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from typer.main import get_command

from weakties.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "cli.md"


def _commands(group: Any, prefix: list[str]) -> list[tuple[str, Any]]:
    found = []
    for name in sorted(group.commands):
        sub = group.commands[name]
        if hasattr(sub, "commands"):
            found += _commands(sub, [*prefix, name])
        else:
            found.append((" ".join([*prefix, name]), sub))
    return found


def render() -> str:
    root = get_command(app)
    lines = [
        "# CLI reference",
        "",
        "Generated from the commands themselves (`WEAKTIES_UPDATE_GOLDEN=1 pytest tests/test_docs.py`).",
        "Every command takes the global options `--db PATH|URL` (or `WEAKTIES_DB`) and `--debug`,",
        "placed before the command: `weakties --db demo.db people`.",
        "",
        "A PERSON is an id (`12`, `#12`), an email, a phone, a profile URL or a (fuzzy) name.",
        "Dates accept `2019-05-03`, `2019-05`, `2019`, `yesterday`, `3 years ago`, `last friday`.",
        "",
    ]
    for name, command in _commands(root, ["weakties"]):
        lines += [f"## `{name}`", "", (command.help or "").strip(), ""]
        args = [p for p in command.params if p.param_type_name == "argument"]
        opts = [p for p in command.params if p.param_type_name == "option" and p.name != "help"]
        if args:
            usage = " ".join(
                (p.name or "").upper() + ("..." if p.nargs == -1 else "") for p in args
            )
            lines += [f"Usage: `{name} {usage}`", ""]
        for p in opts:
            flags = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
            lines.append(f"- {flags} — {p.help or ''}".rstrip(" —"))
        if opts:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def test_every_command_has_help() -> None:
    missing = [
        name for name, command in _commands(get_command(app), ["weakties"]) if not command.help
    ]
    assert not missing


def test_cli_reference_is_current() -> None:
    text = render()
    if os.environ.get("WEAKTIES_UPDATE_GOLDEN"):
        REFERENCE.write_text(text, encoding="utf-8")
    assert REFERENCE.read_text(encoding="utf-8") == text, "docs/cli.md is stale: regenerate it"


def test_readme_keeps_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
