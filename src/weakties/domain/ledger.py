"""The ledger of what happened between people: interactions, favours and introductions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from weakties.domain.dates import PartialDate

MAX_CONVERSATION = 20
"""More people than this in one mail, meeting or group chat make an announcement, not a
conversation: the importers skip it (it says nothing about any one relationship)."""


class Channel(StrEnum):
    """The medium of an interaction. Meetings and calls are richer than mass email."""

    EMAIL = "email"
    MEETING = "meeting"
    CALL = "call"
    MESSAGE = "message"
    IN_PERSON = "in_person"
    SOCIAL = "social"


class InteractionKind(StrEnum):
    """What kind of event it was within its channel."""

    CONVERSATION = "conversation"
    FOLLOW = "follow"
    CONNECTION = "connection"
    LIKE = "like"
    COMMENT = "comment"
    ENDORSEMENT = "endorsement"
    RECOMMENDATION = "recommendation"
    INVITATION = "invitation"


class Direction(StrEnum):
    """Who initiated, seen from the owner: reciprocity is measured from this."""

    OUTBOUND = "outbound"
    INBOUND = "inbound"
    MUTUAL = "mutual"
    UNKNOWN = "unknown"


class Role(StrEnum):
    """A participant's role in an interaction."""

    FROM = "from"
    TO = "to"
    CC = "cc"
    ORGANIZER = "organizer"
    ATTENDEE = "attendee"
    PARTICIPANT = "participant"


@dataclass(frozen=True, slots=True)
class Participant:
    person_id: int
    role: Role


@dataclass(frozen=True, slots=True)
class Interaction:
    """Something that happened between people at a time (aware UTC)."""

    occurred_at: datetime
    channel: Channel
    participants: tuple[Participant, ...]
    id: int | None = None
    kind: InteractionKind = InteractionKind.CONVERSATION
    direction: Direction = Direction.UNKNOWN
    summary: str | None = None
    thread_key: str | None = None
    source_record_id: int | None = None

    def people(self) -> frozenset[int]:
        return frozenset(p.person_id for p in self.participants)


class FavorSize(StrEnum):
    """How big a favour was; sizes weigh 1, 2 and 4 in the goodwill ledger."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"

    @property
    def weight(self) -> float:
        return {"small": 1.0, "medium": 2.0, "large": 4.0}[self.value]


@dataclass(frozen=True, slots=True)
class Favor:
    """Help given by ``giver_id`` to ``receiver_id``: the goodwill ledger's entries."""

    giver_id: int
    receiver_id: int
    what: str
    id: int | None = None
    when: PartialDate | None = None
    size: FavorSize = FavorSize.SMALL


class IntroOutcome(StrEnum):
    PENDING = "pending"
    MET = "met"
    WORKED_TOGETHER = "worked_together"
    NO_RESPONSE = "no_response"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Introduction:
    """``introducer_id`` introduced ``a_id`` to ``b_id`` (introducer unknown: ``None``)."""

    a_id: int
    b_id: int
    id: int | None = None
    introducer_id: int | None = None
    when: PartialDate | None = None
    outcome: IntroOutcome = IntroOutcome.PENDING
    note: str | None = None
