"""LinkedIn's "Get a copy of your data" export (the zip or its folder).

Connections become contacts with their current company and title, plus a SOCIAL/CONNECTION
interaction at the "Connected On" date: even a connection nobody ever wrote to is a weak tie,
and weak ties are where jobs come from (Rajkumar et al., Science 2022). Messages keep only
who wrote to whom and when, never the content. Endorsements and recommendations are
reciprocal services, so they enter the goodwill ledger as favours (small and medium).

Files are recognised by their header row, whatever their name, across the 2018 layout (no
preamble, no URL column, ``1/8/18, 6:14 PM`` dates), the 2020+ layout (``Notes:`` preamble,
``09 Sep 2022``) and Excel re-saves (``06-May-22``, ``;`` delimiters, cp1252, UTF-16).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from weakties.domain.dates import PartialDate
from weakties.domain.identities import Identity, IdentityKind
from weakties.domain.ledger import Channel, Direction, FavorSize, InteractionKind, Role
from weakties.domain.people import AffiliationKind, OrgKind
from weakties.domain.records import (
    ME,
    AffiliationRecord,
    ContactRecord,
    FavorRecord,
    InteractionRecord,
    Origin,
    PersonRef,
    Problem,
    Record,
    Skipped,
)
from weakties.errors import ImportFailed
from weakties.importers._csv import CsvRow, CsvTable, find_table, sniff_header
from weakties.importers._dates import parse_day, parse_moment
from weakties.importers._identities import (
    email_identity,
    phone_identity,
    profile_url_identity,
    unique_identities,
)
from weakties.importers._names import (
    KeyRegistry,
    clean_text,
    join_name,
    name_token,
    person_key,
)
from weakties.importers.files import Source
from weakties.importers.registry import ImportOptions

SOURCE = "linkedin"


class LinkedInFile(StrEnum):
    """The export files this importer reads, each recognised by its header."""

    CONNECTIONS = "connections"
    MESSAGES = "messages"
    INVITATIONS = "invitations"
    PROFILE = "profile"
    POSITIONS = "positions"
    EDUCATION = "education"
    SKILLS = "skills"
    EMAILS = "emails"
    PHONES = "phones"
    ENDORSEMENTS_RECEIVED = "endorsements_received"
    ENDORSEMENTS_GIVEN = "endorsements_given"
    RECOMMENDATIONS = "recommendations"


def _has(*columns: str) -> Callable[[tuple[str, ...]], bool]:
    wanted = frozenset(columns)
    return lambda header: wanted <= frozenset(header)


# Order matters: the first predicate that accepts a header names the file.
_HEADERS: tuple[tuple[LinkedInFile, Callable[[tuple[str, ...]], bool]], ...] = (
    (LinkedInFile.CONNECTIONS, _has("first name", "last name", "connected on")),
    (LinkedInFile.MESSAGES, _has("conversation id", "from", "to", "date")),
    (LinkedInFile.INVITATIONS, _has("from", "to", "sent at", "direction")),
    (LinkedInFile.ENDORSEMENTS_RECEIVED, _has("endorsement date", "endorser first name")),
    (LinkedInFile.ENDORSEMENTS_GIVEN, _has("endorsement date", "endorsee first name")),
    (LinkedInFile.RECOMMENDATIONS, _has("first name", "last name", "text", "creation date")),
    (LinkedInFile.POSITIONS, _has("company name", "title", "started on")),
    (LinkedInFile.EDUCATION, _has("school name", "start date", "end date")),
    (LinkedInFile.PROFILE, _has("first name", "last name", "headline")),
    (LinkedInFile.EMAILS, _has("email address", "confirmed", "primary")),
    (LinkedInFile.PHONES, _has("number", "type", "extension")),
)
_PRIMARY = frozenset({LinkedInFile.CONNECTIONS, LinkedInFile.MESSAGES, LinkedInFile.INVITATIONS})
_ORDER = tuple(LinkedInFile)


def _kind_of_header(header: tuple[str, ...], basename: str) -> LinkedInFile | None:
    for kind, accepts in _HEADERS:
        if accepts(header):
            return kind
    if header == ("name",) and basename.lower().startswith("skills"):
        return LinkedInFile.SKILLS
    return None


def _classify(source: Source) -> LinkedInFile | None:
    found: list[LinkedInFile] = []

    def accepts(header: tuple[str, ...]) -> bool:
        kind = _kind_of_header(header, source.basename)
        if kind is not None:
            found.append(kind)
        return kind is not None

    return found[0] if sniff_header(source, accepts) else None


def _accepts(kind: LinkedInFile, basename: str) -> Callable[[tuple[str, ...]], bool]:
    return lambda header: _kind_of_header(header, basename) is kind


def _candidates(path: Path, sources: list[Source]) -> list[Source]:
    if len(sources) == 1 and not path.is_dir() and sources[0].member is None:
        return sources
    return [s for s in sources if s.basename.lower().endswith(".csv")]


@dataclass(slots=True)
class _People:
    """The connections seen so far, so later files name the same person by the same key."""

    keys: KeyRegistry = field(default_factory=KeyRegistry)
    by_url: dict[str, PersonRef] = field(default_factory=dict)
    by_name: dict[str, PersonRef | None] = field(default_factory=dict)  # None: ambiguous

    def add(self, ref: PersonRef) -> None:
        for identity in ref.identities:
            if identity.kind is IdentityKind.URL:
                self.by_url[identity.value] = ref
        if ref.name:
            token = name_token(ref.name)
            self.by_name[token] = None if token in self.by_name else ref

    def ref(self, name: str, url: str = "") -> PersonRef | None:
        """The connection with this profile URL or (unambiguous) name, else a new ref."""
        name = clean_text(name)
        identity = profile_url_identity(url) if url else None
        if identity is not None and identity.value in self.by_url:
            return self.by_url[identity.value]
        if name and self.by_name.get(name_token(name)) is not None:
            return self.by_name[name_token(name)]
        if identity is not None:
            return PersonRef(f"{SOURCE}:url:{identity.value}", name or None, (identity,))
        if name:
            return PersonRef(person_key(SOURCE, name), name)
        return None


@dataclass(slots=True)
class _Owner:
    """What the export says about its owner, gathered from several files."""

    name: str = ""
    given: str | None = None
    family: str | None = None
    location: str | None = None
    birthday: PartialDate | None = None
    identities: list[Identity] = field(default_factory=list)
    affiliations: list[AffiliationRecord] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    origin: Origin | None = None


class LinkedInImporter:
    """Reads a LinkedIn data export; see the module docstring for what it keeps."""

    name = "linkedin"
    title = "LinkedIn data export"
    reads = (
        "LinkedIn 'Get a copy of your data' zip or folder: connections, invitations, message "
        "metadata (no content), profile, positions, education, skills, endorsements, "
        "recommendations"
    )

    def sniff(self, path: Path, sources: list[Source]) -> float:
        kinds = {_classify(s) for s in _candidates(path, sources)}
        kinds.discard(None)
        if kinds & _PRIMARY:
            return 0.95
        return 0.8 if kinds else 0.0

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        found: dict[LinkedInFile, list[Source]] = defaultdict(list)
        for source in _candidates(path, sources):
            kind = _classify(source)
            if kind is not None:
                found[kind].append(source)
        if not found:
            raise ImportFailed(
                "no LinkedIn export files found (expected Connections.csv or messages.csv)",
                location=str(path),
            )
        people = _People()
        owner = _Owner()
        owner_url = _owner_url(found.get(LinkedInFile.MESSAGES, []), options)
        for kind in _ORDER:
            for source in found.get(kind, []):
                table = find_table(source, _accepts(kind, source.basename))
                if table is None:
                    raise ImportFailed("header row not found", location=source.name)
                yield from _READERS[kind](table, people, owner, owner_url)
        if owner.origin is not None:
            if owner_url:
                owner.identities.insert(0, Identity(IdentityKind.URL, owner_url))
            yield ContactRecord(
                key=f"{SOURCE}:me",
                origin=owner.origin,
                name=owner.name or "Me",
                given_name=owner.given,
                family_name=owner.family,
                identities=unique_identities(owner.identities),
                affiliations=tuple(owner.affiliations),
                skills=tuple(dict.fromkeys(owner.skills)),
                location=owner.location,
                birthday=owner.birthday,
                is_me=True,
            )


def _origin(table: CsvTable, row: CsvRow) -> Origin:
    return Origin(table.source.name, f"line {row.line}")


def _rows(table: CsvTable) -> Iterator[CsvRow | Problem]:
    return table.rows()


def _digest(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def _read_connections(
    table: CsvTable, people: _People, owner: _Owner, owner_url: str | None
) -> Iterator[Record]:
    for row in _rows(table):
        if isinstance(row, Problem):
            yield row
            continue
        origin = _origin(table, row)
        given = clean_text(row.get("first name")) or None
        family = clean_text(row.get("last name")) or None
        name = join_name(given, family)
        url = profile_url_identity(row.get("url"))
        email = email_identity(row.get("email address"))
        if not name and url is None:
            yield Skipped(origin, "connection with no name and no profile URL")
            continue
        identities = unique_identities((url, email))
        if url is not None:
            base = f"{SOURCE}:url:{url.value}"
        elif email is not None:
            base = f"{SOURCE}:email:{email.value}"
        else:
            base = person_key(SOURCE, name)
        key = people.keys.unique(base)
        company = clean_text(row.get("company"))
        title = clean_text(row.get("position")) or None
        affiliations = (AffiliationRecord(org=company, title=title),) if company else ()
        connected_text = row.get("connected on")
        connected_day = parse_day(connected_text)
        connected_at = parse_moment(connected_text)
        display = name or (url.value if url else key)
        yield ContactRecord(
            key=key,
            origin=origin,
            name=display,
            given_name=given,
            family_name=family,
            identities=identities,
            affiliations=affiliations,
            met_when=connected_day,
        )
        ref = PersonRef(key, display, identities)
        people.add(ref)
        if connected_at is None:
            if connected_text:
                yield Problem(origin, f"unreadable Connected On date {connected_text[:40]!r}")
            continue
        yield InteractionRecord(
            key=f"{SOURCE}:connection:{key}",
            origin=origin,
            occurred_at=connected_at,
            channel=Channel.SOCIAL,
            participants=((ME, Role.PARTICIPANT), (ref, Role.PARTICIPANT)),
            kind=InteractionKind.CONNECTION,
            direction=Direction.MUTUAL,
        )


def _read_invitations(
    table: CsvTable, people: _People, owner: _Owner, owner_url: str | None
) -> Iterator[Record]:
    for row in _rows(table):
        if isinstance(row, Problem):
            yield row
            continue
        origin = _origin(table, row)
        direction_text = row.get("direction").upper()
        if direction_text == "OUTGOING":
            other = people.ref(row.get("to"), row.get("inviteeprofileurl"))
            direction = Direction.OUTBOUND
        elif direction_text == "INCOMING":
            other = people.ref(row.get("from"), row.get("inviterprofileurl"))
            direction = Direction.INBOUND
        else:
            yield Problem(origin, f"unknown invitation direction {direction_text[:20]!r}")
            continue
        sent_at = parse_moment(row.get("sent at"))
        if other is None or sent_at is None:
            yield Problem(origin, "invitation without a person or a readable Sent At date")
            continue
        me_role, other_role = (Role.FROM, Role.TO)
        if direction is Direction.INBOUND:
            me_role, other_role = (Role.TO, Role.FROM)
        yield InteractionRecord(
            key=f"{SOURCE}:invitation:{_digest(direction_text, other.key or '', str(sent_at))}",
            origin=origin,
            occurred_at=sent_at,
            channel=Channel.SOCIAL,
            participants=((ME, me_role), (other, other_role)),
            kind=InteractionKind.INVITATION,
            direction=direction,
        )


def _split_list(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _owner_url(sources: list[Source], options: ImportOptions) -> str | None:
    """The owner's profile URL: from ``--me``, else the one URL present in every conversation.

    Only the owner takes part in every conversation of their own export; with a single
    conversation both sides qualify, so the owner stays unknown.
    """
    for raw in options.me:
        identity = profile_url_identity(raw)
        if identity is not None:
            return identity.value
    per_conversation: dict[str, set[str]] = defaultdict(set)
    for source in sources:
        table = find_table(source, _accepts(LinkedInFile.MESSAGES, source.basename))
        if table is None:
            continue
        for row in table.rows():
            if isinstance(row, Problem):
                continue
            urls = [row.get("sender profile url"), *_split_list(row.get("recipient profile urls"))]
            for raw in urls:
                identity = profile_url_identity(raw)
                if identity is not None:
                    per_conversation[row.get("conversation id")].add(identity.value)
    if len(per_conversation) < 2:
        return None
    common = set.intersection(*per_conversation.values())
    return common.pop() if len(common) == 1 else None


def _read_messages(
    table: CsvTable, people: _People, owner: _Owner, owner_url: str | None
) -> Iterator[Record]:
    keys = KeyRegistry()
    told = False
    for row in _rows(table):
        if isinstance(row, Problem):
            yield row
            continue
        origin = _origin(table, row)
        if owner_url is None:
            if not told:
                told = True
                yield Problem(
                    origin,
                    "cannot tell which participant is you; "
                    "pass --me with your LinkedIn profile URL to import messages",
                )
            yield Skipped(origin, "message with unknown owner")
            continue
        occurred_at = parse_moment(row.get("date"))
        if occurred_at is None:
            yield Problem(origin, f"unreadable message date {row.get('date')[:40]!r}")
            continue
        sender = _participant(people, row.get("from"), row.get("sender profile url"), owner_url)
        names = _split_list(row.get("to"))
        urls = _split_list(row.get("recipient profile urls"))
        if len(names) != len(urls):
            names = [""] * len(urls) if urls else names
            urls = urls or [""] * len(names)
        recipients = [
            _participant(people, n, u, owner_url) for n, u in zip(names, urls, strict=True)
        ]
        if sender is None or not any(r is not None for r in recipients):
            yield Skipped(origin, "message without a sender or recipients")
            continue
        participants: list[tuple[PersonRef, Role]] = [(sender, Role.FROM)]
        participants += [(r, Role.TO) for r in recipients if r is not None]
        if sender is ME:
            direction = Direction.OUTBOUND
        elif any(r is ME for r in recipients):
            direction = Direction.INBOUND
        else:
            direction = Direction.UNKNOWN
        conversation = clean_text(row.get("conversation id"), 200)
        base = _digest(row.get("date"), row.get("sender profile url"), row.get("from"))
        yield InteractionRecord(
            key=keys.unique(f"{SOURCE}:message:{conversation}:{base}"),
            origin=origin,
            occurred_at=occurred_at,
            channel=Channel.MESSAGE,
            participants=tuple(participants),
            direction=direction,
            thread_key=f"{SOURCE}:conversation:{conversation}" if conversation else None,
        )
        owner_name = clean_text(row.get("from"))
        if sender is ME and owner_name and not owner.name:
            owner.name = owner_name


def _participant(people: _People, name: str, url: str, owner_url: str) -> PersonRef | None:
    identity = profile_url_identity(url) if url else None
    if identity is not None and identity.value == owner_url:
        return ME
    return people.ref(name, url)


def _read_profile(
    table: CsvTable, people: _People, owner: _Owner, owner_url: str | None
) -> Iterator[Record]:
    for row in _rows(table):
        if isinstance(row, Problem):
            yield row
            continue
        owner.origin = owner.origin or _origin(table, row)
        owner.given = clean_text(row.get("first name")) or None
        owner.family = clean_text(row.get("last name")) or None
        owner.name = join_name(owner.given, owner.family) or owner.name
        owner.location = clean_text(row.get("geo location")) or None
        owner.birthday = parse_day(row.get("birth date"))
        break  # the owner's profile is one row


def _read_owner_affiliations(
    table: CsvTable,
    owner: _Owner,
    *,
    org: str,
    title: str,
    start: str,
    end: str,
    missing: str,
    kind: AffiliationKind = AffiliationKind.EMPLOYMENT,
    org_kind: OrgKind = OrgKind.COMPANY,
) -> Iterator[Record]:
    """The owner's jobs or schools: one affiliation a row, read from the named columns."""
    for row in _rows(table):
        if isinstance(row, Problem):
            yield row
            continue
        owner.origin = owner.origin or _origin(table, row)
        name = clean_text(row.get(org))
        if not name:
            yield Skipped(_origin(table, row), missing)
            continue
        owner.affiliations.append(
            AffiliationRecord(
                org=name,
                title=clean_text(row.get(title)) or None,
                kind=kind,
                start=parse_day(row.get(start)),
                end=parse_day(row.get(end)),
                org_kind=org_kind,
            )
        )


def _read_positions(
    table: CsvTable, people: _People, owner: _Owner, owner_url: str | None
) -> Iterator[Record]:
    return _read_owner_affiliations(
        table,
        owner,
        org="company name",
        title="title",
        start="started on",
        end="finished on",
        missing="position without a company",
    )


def _read_education(
    table: CsvTable, people: _People, owner: _Owner, owner_url: str | None
) -> Iterator[Record]:
    return _read_owner_affiliations(
        table,
        owner,
        org="school name",
        title="degree name",
        start="start date",
        end="end date",
        missing="education without a school",
        kind=AffiliationKind.STUDY,
        org_kind=OrgKind.SCHOOL,
    )


def _read_skills(
    table: CsvTable, people: _People, owner: _Owner, owner_url: str | None
) -> Iterator[Record]:
    for row in _rows(table):
        if isinstance(row, Problem):
            yield row
            continue
        owner.origin = owner.origin or _origin(table, row)
        skill = clean_text(row.get("name"), 100)
        if skill:
            owner.skills.append(skill)


def _read_emails(
    table: CsvTable, people: _People, owner: _Owner, owner_url: str | None
) -> Iterator[Record]:
    for row in _rows(table):
        if isinstance(row, Problem):
            yield row
            continue
        owner.origin = owner.origin or _origin(table, row)
        identity = email_identity(row.get("email address"))
        if identity is None:
            yield Problem(_origin(table, row), "not an email address")
        else:
            owner.identities.append(identity)


def _read_phones(
    table: CsvTable, people: _People, owner: _Owner, owner_url: str | None
) -> Iterator[Record]:
    for row in _rows(table):
        if isinstance(row, Problem):
            yield row
            continue
        owner.origin = owner.origin or _origin(table, row)
        identity = phone_identity(row.get("number"), row.get("type"))
        if identity is None:
            yield Problem(_origin(table, row), "not a phone number")
        else:
            owner.identities.append(identity)


def _endorsement_reader(
    given: bool,
) -> Callable[[CsvTable, _People, _Owner, str | None], Iterator[Record]]:
    side = "endorsee" if given else "endorser"

    def read(
        table: CsvTable, people: _People, owner: _Owner, owner_url: str | None
    ) -> Iterator[Record]:
        for row in _rows(table):
            if isinstance(row, Problem):
                yield row
                continue
            origin = _origin(table, row)
            status = row.get("endorsement status").upper()
            if status in ("REJECTED", "HIDDEN"):
                yield Skipped(origin, f"endorsement {status.lower()}")
                continue
            name = join_name(row.get(f"{side} first name"), row.get(f"{side} last name"))
            other = people.ref(name, row.get(f"{side} public url"))
            skill = clean_text(row.get("skill name"), 100)
            if other is None or not skill:
                yield Problem(origin, "endorsement without a person or a skill")
                continue
            giver, receiver = (ME, other) if given else (other, ME)
            yield FavorRecord(
                key=f"{SOURCE}:endorsement:{side}:{_digest(other.key or '', skill)}",
                origin=origin,
                giver=giver,
                receiver=receiver,
                what=f"endorsed {skill} on LinkedIn",
                when=parse_day(row.get("endorsement date")),
                size=FavorSize.SMALL,
            )

    return read


def _read_recommendations(
    table: CsvTable, people: _People, owner: _Owner, owner_url: str | None
) -> Iterator[Record]:
    basename = table.source.basename.lower()
    if "given" in basename:
        given = True
    elif "received" in basename:
        given = False
    else:
        origin = Origin(table.source.name, f"line {table.header_line}")
        yield Problem(origin, "recommendations file not named given or received; skipped")
        return
    for row in _rows(table):
        if isinstance(row, Problem):
            yield row
            continue
        origin = _origin(table, row)
        status = row.get("status").upper()
        if status in ("REJECTED", "DELETED"):
            yield Skipped(origin, f"recommendation {status.lower()}")
            continue
        name = join_name(row.get("first name"), row.get("last name"))
        other = people.ref(name)
        if other is None:
            yield Problem(origin, "recommendation without a name")
            continue
        giver, receiver = (ME, other) if given else (other, ME)
        when = parse_day(row.get("creation date"))
        yield FavorRecord(
            key=f"{SOURCE}:recommendation:{'given' if given else 'received'}:"
            f"{_digest(other.key or '', when.iso() if when else '')}",
            origin=origin,
            giver=giver,
            receiver=receiver,
            what="wrote a LinkedIn recommendation",
            when=when,
            size=FavorSize.MEDIUM,
        )


_Reader = Callable[[CsvTable, _People, _Owner, "str | None"], Iterator[Record]]
_READERS: dict[LinkedInFile, _Reader] = {
    LinkedInFile.CONNECTIONS: _read_connections,
    LinkedInFile.MESSAGES: _read_messages,
    LinkedInFile.INVITATIONS: _read_invitations,
    LinkedInFile.PROFILE: _read_profile,
    LinkedInFile.POSITIONS: _read_positions,
    LinkedInFile.EDUCATION: _read_education,
    LinkedInFile.SKILLS: _read_skills,
    LinkedInFile.EMAILS: _read_emails,
    LinkedInFile.PHONES: _read_phones,
    LinkedInFile.ENDORSEMENTS_RECEIVED: _endorsement_reader(given=False),
    LinkedInFile.ENDORSEMENTS_GIVEN: _endorsement_reader(given=True),
    LinkedInFile.RECOMMENDATIONS: _read_recommendations,
}

IMPORTER = LinkedInImporter()
