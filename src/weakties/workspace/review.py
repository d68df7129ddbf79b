"""The monthly review, opportunity attribution and insights."""

from __future__ import annotations

from weakties.workspace.base import WorkspaceBase


class ReviewOps(WorkspaceBase):
    """Monthly reviews (stored), credit along opportunity chains, and insights."""
