"""What importers produce: records about people as one source knows them.

An importer cannot know database ids, so records name people by a :class:`PersonRef` (a
source-local key, a name, and identities); the store resolves refs to people on ingest. Every
record carries its :class:`Origin` (file and line or record) for provenance and error messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from weakties.domain.dates import PartialDate
from weakties.domain.identities import Identity
from weakties.domain.ledger import Channel, Direction, FavorSize, InteractionKind, Role
from weakties.domain.people import AffiliationKind, OrgKind


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record sits: the file (inside a zip: ``archive.zip!member``) and its locator."""

    file: str
    locator: str  # "line 12", "card 3", "message 1042", "event UID@example.com"

    def __str__(self) -> str:
        return f"{self.file}, {self.locator}"


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A person as a source names them. ``is_me`` marks the owner of the export."""

    key: str | None = None
    name: str | None = None
    identities: tuple[Identity, ...] = ()
    is_me: bool = False


ME = PersonRef(key="me", is_me=True)


@dataclass(frozen=True, slots=True)
class AffiliationRecord:
    org: str
    title: str | None = None
    kind: AffiliationKind = AffiliationKind.EMPLOYMENT
    start: PartialDate | None = None
    end: PartialDate | None = None
    org_kind: OrgKind = OrgKind.COMPANY
    org_domain: str | None = None


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A person as an address book, connection list or friend list describes them.

    ``key`` is the source's stable id for the record (a profile URL, a vCard UID, or a hash of
    the identifying fields) so that re-importing the same export updates instead of duplicating.
    """

    key: str
    origin: Origin
    name: str
    given_name: str | None = None
    family_name: str | None = None
    identities: tuple[Identity, ...] = ()
    affiliations: tuple[AffiliationRecord, ...] = ()
    tags: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    note: str | None = None
    location: str | None = None
    birthday: PartialDate | None = None
    met_when: PartialDate | None = None  # e.g. LinkedIn "Connected On", a friendship timestamp
    is_me: bool = False


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """An email, meeting, message, call or social event, with its participants' roles."""

    key: str
    origin: Origin
    occurred_at: datetime  # aware UTC
    channel: Channel
    participants: tuple[tuple[PersonRef, Role], ...]
    kind: InteractionKind = InteractionKind.CONVERSATION
    direction: Direction = Direction.UNKNOWN
    thread_key: str | None = None
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class FavorRecord:
    """Help given, as a source records it (an endorsement, a recommendation)."""

    key: str
    origin: Origin
    giver: PersonRef
    receiver: PersonRef
    what: str
    when: PartialDate | None = None
    size: FavorSize = FavorSize.SMALL


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """Evidence that two people know each other (vCard RELATED, Google "Relation")."""

    key: str
    origin: Origin
    a: PersonRef
    b: PersonRef
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A record the importer could not read: counted and reported, fatal under ``--strict``."""

    origin: Origin
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record deliberately left out (a newsletter, a declined meeting), counted by reason."""

    origin: Origin
    reason: str


Record = ContactRecord | InteractionRecord | FavorRecord | RelationRecord | Problem | Skipped
