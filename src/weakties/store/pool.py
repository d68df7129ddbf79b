"""Publishing a member's contribution to the pool, and resolving people across members.

A contribution is what a member's private partition says about the network: the people they
know (the name they know them by, current organisation and title, tie strength), keyed digests
of those people's addresses, phones and profile URLs, and the introduction arcs of their graph
(their own ties, and pairs of their contacts who know each other). Publishing replaces the
member's previous contribution in one transaction, so re-publishing unchanged data changes
nothing and a forgotten contact disappears from the pool with the next publication.

One human is one pooled person across members (DESIGN §5, communities). Identities decide
first: a digest another member also holds names the same person. Without one, the rule of
:mod:`weakties.store.resolve` applies: names that agree (the same name, a nickname, accents or
order aside: similarity ≥ 0.85) backed by one piece of evidence, here the same organisation.
A name with no organisation matches only the member's own earlier publication of that name,
never someone else's: two members' "Sam Lee" with nothing else in common stay two people.
Identities are kept as HMAC-SHA256 digests under the community's secret, so the pool can match
addresses without holding them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from weakties.domain.names import name_similarity, split_name
from weakties.domain.people import normalize_org_name
from weakties.store import schema as s
from weakties.store.members import member_person, prune_people

NAME_AGREES = 0.85  # the same name or a nickname (store.resolve's bar for a merge with evidence)
_BATCH = 2000


def identity_digest(secret: str, kind: str, value: str) -> str:
    """The pool's key for an identity: HMAC-SHA256 under the community secret, hex."""
    message = f"{kind}:{value}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """One person of a member's partition as the member contributes them."""

    local_id: int
    name: str
    digests: tuple[str, ...] = ()
    org: str | None = None
    title: str | None = None
    strength: float | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Contribution:
    """Everything a member publishes; arcs use the partition's person ids (``me`` is the
    member)."""

    me: int
    my_digests: tuple[str, ...]
    contacts: Sequence[ContactFacts]
    arc_a: Sequence[int]
    arc_b: Sequence[int]
    arc_p_ab: Sequence[float]
    arc_p_ba: Sequence[float]
    state: str  # what the contribution was made from: unchanged state, no publication needed


@dataclass(slots=True)
class Published:
    """What a publication wrote: people, arcs, and how many people were new to the pool."""

    contacts: int = 0
    arcs: int = 0
    new_people: int = 0
    matched_by_identity: int = 0
    matched_by_name: int = 0
    removed_people: int = 0
    mapping: dict[int, int] = field(default_factory=dict)  # partition id → pooled id


def _in_batches(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[i : i + _BATCH] for i in range(0, len(values), _BATCH)]


def _by_digest(conn: Connection, digests: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in _in_batches(sorted(set(digests))):
        rows = conn.execute(
            select(s.pool_identity.c.digest, s.pool_identity.c.pool_person_id)
            .where(s.pool_identity.c.digest.in_(part))
            .order_by(s.pool_identity.c.pool_person_id)
        )
        for digest, pid in rows:
            found.setdefault(str(digest), int(pid))
    return found


def _by_org(conn: Connection, org_keys: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
    """Pooled people already known at each organisation: (pooled id, a name they go by)."""
    found: dict[str, list[tuple[int, str]]] = {}
    for part in _in_batches(sorted(set(org_keys))):
        rows = conn.execute(
            select(s.pool_contact.c.org_key, s.pool_contact.c.pool_person_id, s.pool_contact.c.name)
            .where(s.pool_contact.c.org_key.in_(part))
            .order_by(s.pool_contact.c.pool_person_id)
        )
        for key, pid, name in rows:
            found.setdefault(str(key), []).append((int(pid), str(name)))
    return found


def _own_names(conn: Connection, member_id: int) -> dict[str, int]:
    rows = conn.execute(
        select(s.pool_contact.c.name, s.pool_contact.c.pool_person_id).where(
            s.pool_contact.c.member_id == member_id, s.pool_contact.c.org_key.is_(None)
        )
    )
    return {str(name).casefold(): int(pid) for name, pid in rows}


def _members_by_digest(conn: Connection, digests: Sequence[str]) -> dict[str, int]:
    """Digests of members' own identities: a contact with one of them is that member."""
    found: dict[str, int] = {}
    for part in _in_batches(sorted(set(digests))):
        rows = conn.execute(
            select(s.pool_identity.c.digest, s.member.c.pool_person_id)
            .join(s.member, s.member.c.id == s.pool_identity.c.member_id)
            .where(
                s.pool_identity.c.digest.in_(part),
                s.pool_identity.c.pool_person_id == s.member.c.pool_person_id,
            )
        )
        for digest, pid in rows:
            found[str(digest)] = int(pid)
    return found


def publish(conn: Connection, member_id: int, contribution: Contribution) -> Published:
    """Replace the member's contribution with ``contribution`` (in the caller's transaction)."""
    out = Published()
    me = member_person(conn, member_id)
    all_digests = [d for c in contribution.contacts for d in c.digests]
    members = _members_by_digest(conn, all_digests)
    known = _by_digest(conn, all_digests)
    org_keys = [normalize_org_name(c.org) for c in contribution.contacts if c.org]
    at_org = _by_org(conn, org_keys)
    own_names = _own_names(conn, member_id)
    mapping: dict[int, int] = {contribution.me: me}
    used = {me}
    new_names: list[tuple[int, str]] = []
    for c in contribution.contacts:
        if c.local_id == contribution.me:
            continue  # the member's own row: always their pooled person
        pid = next((members[d] for d in c.digests if d in members), None)
        if pid is None:
            pid = next((known[d] for d in c.digests if d in known), None)
        if pid is not None:
            out.matched_by_identity += 1
        elif c.org:
            key = normalize_org_name(c.org)
            parts = split_name(c.name)
            pid = next(
                (
                    p
                    for p, name in at_org.get(key, [])
                    if name_similarity(parts, split_name(name)) >= NAME_AGREES
                ),
                None,
            )
            if pid is not None:
                out.matched_by_name += 1
        else:
            pid = own_names.get(c.name.casefold())
        if pid is None or pid in used:
            new_names.append((c.local_id, c.name))
            continue
        mapping[c.local_id] = pid
        used.add(pid)
    now = datetime.now(UTC)
    for local_id, name in new_names:
        mapping[local_id] = int(
            conn.execute(
                insert(s.pool_person).values(name_key=name.casefold()[:300], created_at=now)
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        out.new_people += 1
    for table in (s.pool_identity, s.pool_contact, s.pool_arc):
        conn.execute(delete(table).where(table.c.member_id == member_id))
    identity_rows = {(d, me) for d in contribution.my_digests}
    contact_rows = []
    for c in contribution.contacts:
        pid = mapping[c.local_id]
        identity_rows.update((d, pid) for d in c.digests)
        contact_rows.append(
            {
                "member_id": member_id,
                "pool_person_id": pid,
                "name": c.name[:300],
                "org": c.org[:300] if c.org else None,
                "org_key": normalize_org_name(c.org)[:300] if c.org else None,
                "title": c.title[:300] if c.title else None,
                "strength": c.strength,
                "category": c.category,
            }
        )
    seen_digests: set[str] = set()
    unique_identities = []
    for digest, pid in sorted(identity_rows):
        if digest not in seen_digests:
            seen_digests.add(digest)
            unique_identities.append(
                {"member_id": member_id, "digest": digest, "pool_person_id": pid}
            )
    arcs: dict[tuple[int, int], dict[str, object]] = {}
    for a, b, pab, pba in zip(
        contribution.arc_a,
        contribution.arc_b,
        contribution.arc_p_ab,
        contribution.arc_p_ba,
        strict=True,
    ):
        pa, pb = mapping.get(int(a)), mapping.get(int(b))
        if pa is None or pb is None or pa == pb:
            continue
        if pa > pb:
            pa, pb, pab, pba = pb, pa, pba, pab
        kind = "tie" if me in (pa, pb) else "knows"
        row = arcs.get((pa, pb))
        if row is None or float(pab) > float(row["p_ab"]):  # type: ignore[arg-type]
            arcs[(pa, pb)] = {
                "member_id": member_id,
                "a_id": pa,
                "b_id": pb,
                "kind": kind,
                "p_ab": float(pab),
                "p_ba": float(pba),
            }
    for rows, table in (
        (unique_identities, s.pool_identity),
        (contact_rows, s.pool_contact),
        (list(arcs.values()), s.pool_arc),
    ):
        for i in range(0, len(rows), _BATCH):
            conn.execute(insert(table), rows[i : i + _BATCH])
    out.removed_people = prune_people(conn)
    conn.execute(
        update(s.member)
        .where(s.member.c.id == member_id)
        .values(published_at=now, published_state=contribution.state)
    )
    out.contacts = len(contact_rows)
    out.arcs = len(arcs)
    out.mapping = mapping
    return out


def published_state(conn: Connection, member_id: int) -> str | None:
    return conn.execute(
        select(s.member.c.published_state).where(s.member.c.id == member_id)
    ).scalar_one_or_none()
