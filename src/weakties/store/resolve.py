"""Fuzzy identity resolution: is this new contact someone already in the workspace?

Exact identities (email, phone, profile URL) merge outright in :mod:`weakties.store.ingest`.
Here, a contact with no shared identity is compared with people who share its family name
(or its only name): name agreement (nicknames, initials, diacritics) must be backed by
evidence — a shared organisation, a shared non-webmail email domain, the same city — before
an automatic merge. A likely match without evidence goes to the review queue instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, or_, select
from sqlalchemy.engine import Connection

from weakties.domain.identities import FREEMAIL_DOMAINS
from weakties.domain.names import NameParts, name_similarity, split_name
from weakties.domain.people import normalize_org_name
from weakties.store import schema as s
from weakties.store.people import visible

AUTO_MERGE = 0.95  # name ≥ 0.85 (same name or a nickname) plus one kind of evidence
REVIEW = 0.8


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: int
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class Profile:
    """What resolution compares: names, organisation keys, email domains, city."""

    name: NameParts
    orgs: frozenset[str]
    domains: frozenset[str]
    location: str | None


def profile_of(
    name: str,
    given: str | None,
    family: str | None,
    orgs: Iterable[str],
    emails: Iterable[str],
    location: str | None,
) -> Profile:
    domains = {e.rsplit("@", 1)[1] for e in emails if "@" in e}
    return Profile(
        split_name(name, given, family),
        frozenset(normalize_org_name(o) for o in orgs if o.strip()),
        frozenset(d for d in domains if d not in FREEMAIL_DOMAINS),
        location.strip().casefold() if location else None,
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
    orgs: dict[int, set[str]] = {i: set() for i in ids}
    for pid, key in conn.execute(
        select(s.affiliation.c.person_id, s.organization.c.name_key)
        .select_from(s.affiliation.join(s.organization))
        .where(s.affiliation.c.person_id.in_(ids))
    ):
        orgs[pid].add(key)
    emails: dict[int, list[str]] = {i: [] for i in ids}
    for pid, value in conn.execute(
        select(s.identity.c.person_id, s.identity.c.value).where(
            s.identity.c.person_id.in_(ids), s.identity.c.kind == "email"
        )
    ):
        emails[pid].append(value)
    out = {}
    for pid, row in people.items():
        base = profile_of(row.name, row.given_name, row.family_name, [], emails[pid], row.location)
        out[pid] = Profile(base.name, frozenset(orgs[pid]), base.domains, base.location)
    return out


def score_pair(a: Profile, b: Profile) -> tuple[float, str]:
    """Score in [0, ~1.3] and the reason in words; see the module docstring for the rules."""
    name = name_similarity(a.name, b.name)
    evidence = []
    if a.orgs & b.orgs:
        evidence.append("same organisation")
    if a.domains & b.domains:
        evidence.append("same email domain")
    if a.location and a.location == b.location:
        evidence.append("same city")
    score = name + 0.1 * len(evidence)
    words = f"names agree {name:.2f}" + (
        f"; {', '.join(evidence)}" if evidence else "; no other evidence"
    )
    return score, words


def candidates_for(
    conn: Connection, profile: Profile, *, exclude: Iterable[int] = ()
) -> list[Candidate]:
    """People who may be the person ``profile`` describes, best first."""
    block = profile.name.family or profile.name.given
    if not block:
        return []
    skip = set(exclude)
    ids = [
        int(i)
        for i in conn.execute(
            select(s.search_term.c.person_id)
            .join(s.person, s.person.c.id == s.search_term.c.person_id)
            .where(
                or_(s.search_term.c.term == block, s.search_term.c.term == profile.name.given)
                if profile.name.family
                else s.search_term.c.term == block,
                visible,
                s.person.c.is_me.is_(False),
            )
            .distinct()
            .limit(200)
        ).scalars()
        if int(i) not in skip
    ]
    if not ids:
        return []
    found = []
    for pid, other in _stored_profiles(conn, ids).items():
        score, reason = score_pair(profile, other)
        if score >= REVIEW:
            found.append(Candidate(pid, score, reason))
    found.sort(key=lambda c: (-c.score, c.person_id))
    return found


def is_auto_merge(candidate: Candidate) -> bool:
    return candidate.score >= AUTO_MERGE and "no other evidence" not in candidate.reason


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
