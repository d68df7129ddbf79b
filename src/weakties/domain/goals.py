"""Goals (mine, or a contact's ask) and the opportunities they lead to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from weakties.domain.dates import PartialDate


class GoalTagKind(StrEnum):
    ROLE = "role"
    INDUSTRY = "industry"
    SKILL = "skill"
    ORG = "org"
    LOCATION = "location"


@dataclass(frozen=True, slots=True)
class GoalTag:
    kind: GoalTagKind
    value: str


class GoalStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class Goal:
    """What someone wants: the owner's own goal, or a contact's ask (``owner_id`` is them)."""

    owner_id: int
    text: str
    id: int | None = None
    tags: tuple[GoalTag, ...] = ()
    status: GoalStatus = GoalStatus.OPEN
    created: PartialDate | None = None
    closed: PartialDate | None = None


class OpportunityStatus(StrEnum):
    LEAD = "lead"
    APPLIED = "applied"
    INTERVIEWING = "interviewing"
    OFFER = "offer"
    ACCEPTED = "accepted"
    WON = "won"
    DECLINED = "declined"
    LOST = "lost"

    @property
    def is_closed(self) -> bool:
        return self in (
            OpportunityStatus.ACCEPTED,
            OpportunityStatus.WON,
            OpportunityStatus.DECLINED,
            OpportunityStatus.LOST,
        )


@dataclass(frozen=True, slots=True)
class Opportunity:
    """A job, client or deal and the ordered chain of people it came through (me excluded)."""

    title: str
    id: int | None = None
    org_id: int | None = None
    status: OpportunityStatus = OpportunityStatus.LEAD
    opened: PartialDate | None = None
    closed: PartialDate | None = None
    chain: tuple[int, ...] = ()
    goal_id: int | None = None
    note: str | None = None
