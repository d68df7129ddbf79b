"""Shared fixtures: a real SQLite workspace in a temporary folder, and a CLI runner on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from weakties.workspace import Workspace


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "weakties.db"


@pytest.fixture
def ws(db_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(str(db_path))
    workspace.init("Alex Doe", ["alex@example.com"])
    yield workspace
    workspace.close()


class Cli:
    """Runs ``weakties --db DB …`` in-process and returns the result."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Any:
        from weakties.cli.app import app

        return self.runner.invoke(app, ["--db", str(self.db), *args], input=input)

    def ok(self, *args: str, input: str | None = None) -> Any:
        result = self(*args, input=input)
        assert result.exit_code == 0, (result.output, result.exception)
        return result


@pytest.fixture
def cli(db_path: Path) -> Cli:
    runner = Cli(db_path)
    runner.ok("init", "--name", "Alex Doe", "--email", "alex@example.com")
    return runner
