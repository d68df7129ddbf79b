"""Nudges and the goodwill ledger: whom to reconnect with, help, introduce, thank, keep warm."""

from __future__ import annotations

from weakties.workspace.base import WorkspaceBase


class NudgeOps(WorkspaceBase):
    """Nudges with their remembered state, and goodwill balances."""
