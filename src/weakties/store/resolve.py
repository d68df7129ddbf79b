"""Fuzzy identity resolution: is this new contact someone already in the workspace?

Exact identities (email, phone, profile URL) merge outright in :mod:`weakties.store.ingest`.
Here, a contact with no shared identity is compared with people who share its family name
(or its only name). Names agree when they are the same, a nickname, an initial, or differ
only by accents or "Last, First" order (:mod:`weakties.domain.names`). Agreement must be
backed by evidence before an automatic merge:

- the same organisation;
- an email domain that is the other side's organisation ("acmebank.example" and "Acme Bank"),
  since work addresses are issued by employers;
- the same non-webmail email domain;
- the same city.

Identities of the same kind that disagree are counter-evidence, because each person has one
of them in the sources that give them: two different profile URLs on one service mean two
people (no merge, not even a suggestion), and two different mobile numbers cancel one piece
of evidence. The same name or a nickname needs one net piece of evidence, an initial two; a
likely match short of that goes to the review queue. A wrong merge mixes two people's
histories and is hard to notice, a missed one only waits in the queue: the rules lean to
caution (Fellegi & Sunter 1969 frame the same trade-off as two error rates).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from weakties.domain.identities import FREEMAIL_DOMAINS, Identity, IdentityKind
from weakties.domain.names import NameParts, name_similarity, split_name
from weakties.domain.people import normalize_org_name
from weakties.store import schema as s
from weakties.store.people import visible

AUTO_MERGE = 0.95  # name ≥ 0.85 (same name or a nickname) plus one net piece of evidence
REVIEW = 0.8
MAX_CANDIDATES = 200  # people compared per contact (a family name shared by more is rare)

SHARED_DOMAINS = FREEMAIL_DOMAINS | {"example.com", "example.net", "example.org"}
"""Mail domains that say nothing about an employer: webmail, and RFC 2606's documentation
domains, which belong to no organisation."""

_GENERIC_LABELS = frozenset({"mail", "email", "smtp", "corp", "group", "team", "post", "www"})
_COMPACT = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person who may be the incoming contact; ``auto`` when the evidence suffices."""

    person_id: int
    score: float
    reason: str
    auto: bool = False
    name: float = 0.0  # how well the names alone agree
    contested: bool = False  # some fact disagrees (identities or employers)


@dataclass(frozen=True, slots=True)
class Profile:
    """What resolution compares: names, organisations, email domains, city, identities."""

    name: NameParts
    orgs: frozenset[str]
    domains: frozenset[str]
    location: str | None
    phones: frozenset[str] = frozenset()
    profiles: frozenset[tuple[str, str]] = frozenset()  # (service host, profile URL)


def city_of(location: str | None) -> str | None:
    """The city of a location as exports write it: "London, United Kingdom" → "london"."""
    if not location:
        return None
    first = location.split(",")[0].strip().casefold()
    return first or None


def profile_of(
    name: str,
    given: str | None,
    family: str | None,
    orgs: Iterable[str],
    emails: Iterable[str],
    location: str | None,
    identities: Iterable[Identity] = (),
) -> Profile:
    """The profile of a contact; ``identities`` (phones, profile URLs) add counter-evidence."""
    domains = {e.rsplit("@", 1)[1] for e in emails if "@" in e}
    phones, profiles = set(), set()
    for identity in identities:
        if identity.kind is IdentityKind.EMAIL:
            domains.add(identity.value.rsplit("@", 1)[-1])
        elif identity.kind is IdentityKind.PHONE:
            phones.add(identity.value)
        elif identity.kind is IdentityKind.URL:
            profiles.add(((urlsplit(identity.value).hostname or ""), identity.value))
    return Profile(
        split_name(name, given, family),
        frozenset(k for k in (normalize_org_name(o) for o in orgs if o.strip()) if k),
        frozenset(d for d in domains if d not in SHARED_DOMAINS),
        city_of(location),
        frozenset(phones),
        frozenset(profiles),
    )


def _stored_profiles(conn: Connection, ids: list[int]) -> dict[int, Profile]:
    people = {
        r.id: r
        for r in conn.execute(
            select(
                s.person.c.id,
                s.person.c.name,
                s.person.c.given_name,
                s.person.c.family_name,
                s.person.c.location,
            ).where(s.person.c.id.in_(ids))
        )
    }
    orgs: dict[int, list[str]] = {i: [] for i in ids}
    for pid, name in conn.execute(
        select(s.affiliation.c.person_id, s.organization.c.name)
        .select_from(s.affiliation.join(s.organization))
        .where(s.affiliation.c.person_id.in_(ids))
    ):
        orgs[pid].append(name)
    identities: dict[int, list[Identity]] = {i: [] for i in ids}
    for pid, kind, value in conn.execute(
        select(s.identity.c.person_id, s.identity.c.kind, s.identity.c.value).where(
            s.identity.c.person_id.in_(ids)
        )
    ):
        identities[pid].append(Identity(IdentityKind(kind), value))
    return {
        pid: profile_of(
            row.name, row.given_name, row.family_name, orgs[pid], (), row.location, identities[pid]
        )
        for pid, row in people.items()
    }


def _domain_names_org(domain: str, orgs: frozenset[str]) -> bool:
    """Whether a mail domain is one of these organisations' own ("acme-bank.example")."""
    labels = [_COMPACT.sub("", label) for label in domain.split(".")[:-1]]
    labels = [x for x in labels if len(x) >= 4 and x not in _GENERIC_LABELS]
    if not labels:
        return False
    for org in orgs:
        compact = _COMPACT.sub("", org)
        if len(compact) < 4:
            continue
        if any(compact == x or (compact.startswith(x) and len(x) >= 5) for x in labels):
            return True
    return False


def score_pair(a: Profile, b: Profile) -> tuple[float, str]:
    """Score (name agreement plus 0.1 per net piece of evidence) and the reason in words."""
    candidate = judge(a, b)
    return candidate.score, candidate.reason


def judge(a: Profile, b: Profile, person_id: int = 0) -> Candidate:
    """Compare two profiles: the score, the reason in words, and whether to merge on sight."""
    name = name_similarity(a.name, b.name)
    evidence = []
    if a.orgs & b.orgs:
        evidence.append("same organisation")
    elif any(_domain_names_org(d, b.orgs) for d in a.domains) or any(
        _domain_names_org(d, a.orgs) for d in b.domains
    ):
        evidence.append("email domain of their organisation")
    if a.domains & b.domains:
        evidence.append("same email domain")
    if a.location and a.location == b.location:
        evidence.append("same city")
    against = []
    shared_services = {h for h, _ in a.profiles} & {h for h, _ in b.profiles}
    clash = any(
        not {u for h, u in a.profiles if h == host} & {u for h, u in b.profiles if h == host}
        for host in shared_services
    )
    if clash:
        against.append("different profiles")
    if a.phones and b.phones and not a.phones & b.phones:
        against.append("different phone numbers")
    employer_a, employer_b = a.orgs | a.domains, b.orgs | b.domains
    employer_agrees = bool(
        {"same organisation", "email domain of their organisation", "same email domain"}
        & set(evidence)
    )
    if employer_a and employer_b and not employer_agrees:
        against.append("different organisations")
    identity_against = [x for x in against if x != "different organisations"]
    net = len(evidence) - len(identity_against) - (2 if clash else 0)
    score = round(name + 0.1 * net, 4)
    words = f"names agree {name:.2f}" + (
        f"; {', '.join(evidence)}" if evidence else "; no other evidence"
    )
    if against:
        words += f"; but {', '.join(against)}"
    needed = 1 if name >= 0.85 else 2
    auto = not clash and name >= 0.75 and net >= needed and score >= AUTO_MERGE
    return Candidate(person_id, score, words, auto, name, bool(against))


def candidates_for(
    conn: Connection, profile: Profile, *, exclude: Iterable[int] = ()
) -> list[Candidate]:
    """People who may be the person ``profile`` describes, best first."""
    block = profile.name.family or profile.name.given
    if not block:
        return []
    skip = set(exclude)
    # only a shared family name (or the same single name) can score high enough to matter:
    # names with different family names agree at most 0.6, below REVIEW
    terms = {block}
    ids = [
        int(i)
        for i in conn.execute(
            select(s.search_term.c.person_id)
            .join(s.person, s.person.c.id == s.search_term.c.person_id)
            .where(
                s.search_term.c.term.in_(sorted(t for t in terms if t)),
                visible,
                s.person.c.is_me.is_(False),
            )
            .distinct()
            .limit(MAX_CANDIDATES)
        ).scalars()
        if int(i) not in skip
    ]
    if not ids:
        return []
    found = []
    for pid, other in _stored_profiles(conn, ids).items():
        candidate = judge(profile, other, pid)
        if candidate.score >= REVIEW:
            found.append(candidate)
    found.sort(key=lambda c: (not c.auto, -c.score, c.person_id))
    if found and not found[0].auto:
        found = _only_namesake(found)
    if sum(c.auto for c in found) > 1:  # two people fit equally well: let the user choose
        found = [Candidate(c.person_id, c.score, c.reason + "; ambiguous") for c in found]
    return found


def _only_namesake(found: list[Candidate]) -> list[Candidate]:
    """Merge an exact full-name match when it is the workspace's only person of that name.

    With no evidence either way, agreement on a whole name is strong when nobody else comes
    close (Fellegi & Sunter weigh agreement on a value by how rare it is): one other
    "Aaron Price" in a personal network is almost always the same Aaron Price. Any
    disagreement (another profile URL or mobile number, another employer) or a second
    plausible namesake leaves the pair for review instead.
    """
    near = [c for c in found if c.name >= 0.85]
    best = found[0]
    if len(near) != 1 or near[0] is not best or best.name < 1.0 or best.contested:
        return found
    only = Candidate(
        best.person_id, best.score, best.reason + "; the only person of that name", True, 1.0
    )
    return [only, *found[1:]]


def is_auto_merge(candidate: Candidate) -> bool:
    """Whether the best candidate is sure enough to merge without asking."""
    return candidate.auto


def queue_candidate(conn: Connection, a_id: int, b_id: int, score: float, reason: str) -> bool:
    """Put a pair in the review queue (once per pair); returns whether it was new."""
    low, high = sorted((a_id, b_id))
    exists = conn.execute(
        select(s.merge_candidate.c.id).where(
            s.merge_candidate.c.a_id == low, s.merge_candidate.c.b_id == high
        )
    ).first()
    if exists:
        return False
    conn.execute(
        insert(s.merge_candidate).values(
            a_id=low,
            b_id=high,
            score=score,
            reason=reason,
            status="pending",
            created_at=datetime.now(UTC),
        )
    )
    return True
