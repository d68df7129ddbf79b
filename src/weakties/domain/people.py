"""People, organisations and the affiliations between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from weakties.domain.dates import PartialDate
from weakties.domain.identities import Identity


@dataclass(frozen=True, slots=True)
class Person:
    """One human. ``is_me`` marks the owner of the workspace (exactly one person)."""

    name: str
    id: int | None = None
    is_me: bool = False
    given_name: str | None = None
    family_name: str | None = None
    aliases: tuple[str, ...] = ()
    location: str | None = None
    how_met: str | None = None
    met_where: str | None = None
    met_when: PartialDate | None = None
    met_through_id: int | None = None
    do_not_ask: bool = False
    identities: tuple[Identity, ...] = ()
    tags: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()


class OrgKind(StrEnum):
    """What sort of organisation it is."""

    COMPANY = "company"
    AGENCY = "agency"
    SCHOOL = "school"
    COWORKING = "coworking"
    COMMUNITY = "community"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Organization:
    """A company, school, agency or community, known by names and web domains."""

    name: str
    id: int | None = None
    kind: OrgKind = OrgKind.COMPANY
    industry: str | None = None
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    location: str | None = None


class AffiliationKind(StrEnum):
    """How a person belongs to an organisation."""

    EMPLOYMENT = "employment"
    STUDY = "study"
    MEMBERSHIP = "membership"


@dataclass(frozen=True, slots=True)
class Affiliation:
    """Person ↔ organisation with a title and the (possibly partial) dates it ran."""

    person_id: int
    org_id: int
    id: int | None = None
    title: str | None = None
    kind: AffiliationKind = AffiliationKind.EMPLOYMENT
    start: PartialDate | None = None
    end: PartialDate | None = None

    @property
    def is_current(self) -> bool:
        return self.end is None


@dataclass(frozen=True, slots=True)
class Note:
    """Free text the user wrote about a person."""

    person_id: int
    text: str
    id: int | None = None
    created_at: str | None = field(default=None, compare=False)


def normalize_tag(raw: str) -> str:
    """Tags are lower-case, trimmed, with inner whitespace collapsed to one hyphen."""
    return "-".join(raw.strip().lower().split())


def normalize_org_name(raw: str) -> str:
    """The key two organisation names are compared by: case, punctuation and legal suffixes gone."""
    import re

    text = re.sub(r"[^\w\s&]", " ", raw.lower())
    words = [w for w in text.split() if w not in _LEGAL_SUFFIXES]
    return " ".join(words) or " ".join(text.split())


_LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "bv",
        "nv",
        "co",
        "corp",
        "corporation",
        "company",
        "pty",
        "oy",
        "ab",
        "as",
        "spa",
        "srl",
        "kg",
    ]
)
