"""The workspace: the one façade the CLI, the web app and Python users go through.

A :class:`Workspace` owns a database connection pool and offers a method for everything a user
can do: add and edit people, log what happened, keep the goodwill ledger, set goals, record
opportunities, import exports, score ties, merge, forget, export. Each method runs in one
transaction: it happens whole or not at all. The methods are grouped by subject in the modules
of this package.
"""

from __future__ import annotations

from weakties.workspace.base import parse_goal_tag
from weakties.workspace.batch import BatchOps
from weakties.workspace.imports import ImportOps
from weakties.workspace.ledger import LedgerOps
from weakties.workspace.nudges import NudgeOps
from weakties.workspace.people import PeopleOps
from weakties.workspace.plan import PlanOps
from weakties.workspace.results import (
    Circles,
    ImportRunRow,
    MergeSuggestion,
    Profile,
    RatingResult,
    TieDetail,
    TieRow,
)
from weakties.workspace.review import ReviewOps
from weakties.workspace.sync import SyncOps
from weakties.workspace.ties import TieOps

__all__ = [
    "Circles",
    "ImportRunRow",
    "MergeSuggestion",
    "Profile",
    "RatingResult",
    "TieDetail",
    "TieRow",
    "Workspace",
    "parse_goal_tag",
]


class Workspace(
    BatchOps, SyncOps, ReviewOps, NudgeOps, PlanOps, TieOps, ImportOps, LedgerOps, PeopleOps
):
    """A weakties database and everything one can do with it (see the package docstring)."""
