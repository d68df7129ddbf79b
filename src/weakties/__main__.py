"""``python -m weakties`` runs the CLI."""

from __future__ import annotations

from weakties.cli.app import main

main()
