"""Communities: members who pool their networks, what each shares, and asks between them.

A community is one database holding several members. Each member's own facts (contacts,
messages, notes, favours) live in a private partition of their own; what they contribute to
the pool is their ties and the who-knows-whom among their contacts, and their sharing level
decides what of it other members' queries may read:

- ``none``: nothing; other members see only that they are a member (and may ask them).
- ``exists``: that a tie exists, so other members' paths can pass through their contacts,
  who appear as "someone Alice knows" (no name, organisation, role or strength).
- ``full``: ties with strength, and the contacts' organisation and role; their names too only
  when the member also shares names.

An introduction through another member is an :class:`AskStatus` request that waits for the
broker's answer: nobody is contacted without their yes (double opt-in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from weakties.errors import InvalidInput


class Sharing(StrEnum):
    """What of a member's contribution other members may read."""

    NONE = "none"
    EXISTS = "exists"
    FULL = "full"


class Role(StrEnum):
    """An admin manages members; a member uses the pool."""

    ADMIN = "admin"
    MEMBER = "member"


class AskStatus(StrEnum):
    """Where an introduction request through a member stands."""

    PENDING = "pending"  # waiting in the broker's inbox
    MORE = "more"  # the broker asked the requester for more before deciding
    ACCEPTED = "accepted"  # the broker agreed to make the introduction
    DECLINED = "declined"  # the broker said no; nobody was contacted
    WITHDRAWN = "withdrawn"  # the requester took it back


ANONYMOUS_STRENGTH = 0.3
"""The tie strength assumed for an arc whose contributor shares that it exists but not how
strong it is: an intermediate tie, the kind Dodds, Muhamad & Watts (2003, *Science* 301:827)
found most completed small-world chains ran over."""

COMMUNITY_STRENGTH = 0.2
"""The tie strength assumed between two members who have no tie of their own: belonging to
the same community is a weak tie (a shared affiliation), about what a rare contact scores."""

OPEN_ASKS = frozenset({AskStatus.PENDING, AskStatus.MORE})

_HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")


def check_handle(text: str) -> str:
    """A member's handle: 1–40 lower-case letters, digits, ``.``, ``_`` or ``-``."""
    handle = text.strip().lower()
    if not _HANDLE.match(handle):
        raise InvalidInput(
            f"not a member handle: {text!r}",
            hint="use 1-40 lower-case letters, digits, '.', '_' or '-', e.g. alice",
        )
    return handle


def parse_sharing(text: str) -> Sharing:
    try:
        return Sharing(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"unknown sharing level {text!r}", hint="choose none, exists or full"
        ) from None


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a community, as every member may see them."""

    id: int
    handle: str
    name: str
    role: Role
    sharing: Sharing
    share_names: bool
    joined_at: datetime
    published_at: datetime | None = None

    @property
    def shares_ties(self) -> bool:
        return self.sharing != Sharing.NONE


@dataclass(frozen=True, slots=True)
class Ask:
    """An introduction request from one member through another (the broker)."""

    id: int
    requester: str  # handles
    broker: str
    target: str  # what the requester was shown: "a product manager at Acme Bank"
    status: AskStatus
    message: str  # the requester's note, forwardable by the broker
    reply: str | None
    created_at: datetime
    decided_at: datetime | None
    # what only the broker sees: their own contact the request goes through
    via: str | None = None
