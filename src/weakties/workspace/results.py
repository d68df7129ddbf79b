"""What workspace methods return: plain, frozen records for the CLI, the web app and scripts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from weakties.domain.goals import (
    Goal,
    Opportunity,
)
from weakties.domain.ledger import (
    Favor,
    Interaction,
    Introduction,
)
from weakties.domain.people import Affiliation, Note, Person

if TYPE_CHECKING:
    pass


SortKey = Literal["name", "recent", "interactions", "added", "strength"]


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything ``show PERSON`` prints: the person and every fact about them."""

    person: Person
    affiliations: list[tuple[Affiliation, str]]
    interactions: list[Interaction]
    interaction_count: int
    favors: list[Favor]
    introductions: list[Introduction]
    goals: list[Goal]
    opportunities: list[Opportunity]
    notes: list[Note]
    names: dict[int, str] = field(default_factory=dict)  # every person id mentioned above
    org_names: dict[int, str] = field(default_factory=dict)
    merged_from: list[int] = field(default_factory=list)
    me_id: int | None = None
    strength: float | None = None
    category: str | None = None


MIN_RATINGS_TO_FIT = 10


@dataclass(frozen=True, slots=True)
class TieRow:
    """One of my ties, as ``weakties ties`` lists it."""

    person_id: int
    name: str
    strength: float
    category: str
    org: str | None
    title: str | None
    interactions: int
    last_contact: datetime | None


@dataclass(frozen=True, slots=True)
class TieDetail:
    """A tie explained, and how likely this person knows each of my other contacts."""

    person: Person
    explanation: Any  # weakties.analysis.strength.Explanation, or None without any facts
    between: list[tuple[int, str, float, float]]  # (id, name, knows probability, my strength)


@dataclass(frozen=True, slots=True)
class CalibrationState:
    """Whether the models calibrate themselves, and the fit on the history as of now.

    ``calibration`` is a ``weakties.analysis.calibration.Calibration`` (the literature defaults
    when off, or when the history is too short); ``ratings_refit`` says that weights refit from
    the user's ratings take precedence over it for tie strength.
    """

    on: bool
    ratings_refit: bool
    calibration: Any


@dataclass(frozen=True, slots=True)
class Circles:
    """Dunbar layers of my contacts by frequency, brokerage and community structure."""

    layer_names: tuple[str, ...]
    per_year_at_least: tuple[float, ...]
    sizes: tuple[int, ...]
    members: tuple[tuple[str, ...], ...]
    contacts: int
    constraint: float
    effective_size: float
    communities: int
    largest_communities: tuple[int, ...]
    layer_of: dict[int, str] = field(default_factory=dict)  # contact id → layer name


@dataclass(frozen=True, slots=True)
class RatingResult:
    """What a rating did: how many ratings exist, and the refit's cross-validated error."""

    person_id: int
    value: float
    ratings: int
    cv_mae: float | None
    default_cv_mae: float | None


@dataclass(frozen=True, slots=True)
class ImportRunRow:
    """One past import, for ``weakties imports``."""

    id: int
    importer: str
    path: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MergeSuggestion:
    """Two records that may be the same person, waiting for the user's decision."""

    id: int
    a: Person
    b: Person
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class PathHop:
    """One ask along a path: ``a`` asks ``b``, with its probability and the facts behind it."""

    a: int
    a_name: str
    b: int
    b_name: str
    probability: float
    facts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WarmPath:
    """An introduction chain from me to a target, explained hop by hop."""

    nodes: tuple[int, ...]
    names: tuple[str, ...]
    probability: float
    weakest: int  # index into ``hops`` of the hop most likely to fail
    hops: tuple[PathHop, ...]
    target_role: str | None


@dataclass(frozen=True, slots=True)
class PathResult:
    """The answer to ``weakties path``: the target described and the ranked paths."""

    target: str
    targets: int
    paths: list[WarmPath]
    goal: str | None


@dataclass(frozen=True, slots=True)
class Connected:
    """How I am connected to someone."""

    person_id: int
    name: str
    degree: int
    direct: bool
    mutual: list[tuple[int, str]]
    mutual_count: int
    best: WarmPath | None


@dataclass(frozen=True, slots=True)
class AskPick:
    """One person to tell, with the reach they add and why."""

    person_id: int
    name: str
    gain: float
    strength: float
    mutual: int
    acts: float  # the chance they act on being told
    reaches: tuple[tuple[str, float], ...]  # target people whose chance they raise most
    is_target: bool = False  # they are in the goal's targets themselves


@dataclass(frozen=True, slots=True)
class AskPlan:
    """The ask plan and the strongest-ties baseline on the same sampled worlds."""

    goal_id: int
    goal: str
    targets: int
    picks: tuple[AskPick, ...]
    reach: float
    stderr: float
    strongest_reach: float
    strongest: tuple[str, ...]
    rounds: int
    evaluations: int
