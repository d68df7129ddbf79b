"""Commands for the nudges (see the workspace module of the same name)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
