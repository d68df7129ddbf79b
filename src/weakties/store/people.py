"""People and what they are recognised by: identities, aliases, tags, skills, notes, affiliations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from weakties.domain.dates import PartialDate, storable_date, stored_date
from weakties.domain.identities import Identity, IdentityKind
from weakties.domain.people import Affiliation, AffiliationKind, Note, Person, normalize_tag
from weakties.errors import Conflict, InvalidInput, NotFound
from weakties.store import schema as s
from weakties.store.search import refresh_terms

visible = s.person.c.merged_into_id.is_(None)


def owner_of_identity(conn: Connection, ident: Identity) -> int | None:
    found = conn.execute(
        select(s.identity.c.person_id).where(
            s.identity.c.kind == ident.kind.value, s.identity.c.value == ident.value
        )
    ).first()
    return int(found[0]) if found else None


def add_identities(
    conn: Connection, person_id: int, identities: Iterable[Identity], *, new: bool = False
) -> None:
    """Attach identities; one already owned by someone else is a conflict (merge them instead).

    ``new``: the person is being added, so the hint points at the one who has the identity
    (the new person is rolled back with the conflict and has no id to merge).
    """
    for ident in identities:
        owner = owner_of_identity(conn, ident)
        if owner == person_id:
            continue
        if owner is not None:
            name = conn.execute(select(s.person.c.name).where(s.person.c.id == owner)).scalar()
            hint = (
                f"if they are the same person, add to them instead: `weakties edit {owner} …`"
                if new
                else f"use `weakties merge {owner} {person_id}` if they are the same person"
            )
            raise Conflict(f"{ident.value} already belongs to {name} (#{owner})", hint=hint)
        conn.execute(
            insert(s.identity).values(
                person_id=person_id, kind=ident.kind.value, value=ident.value, label=ident.label
            )
        )


def add_person(conn: Connection, person: Person, *, refresh: bool = True) -> int:
    """Insert a person with identities, aliases, tags and skills; returns the new id.

    Bulk callers pass ``refresh=False`` and refresh the search terms once at the end.
    """
    now = datetime.now(UTC)
    if person.is_me and me_id(conn) is not None:
        raise Conflict("the workspace already has an owner")
    person_id = int(
        conn.execute(
            insert(s.person).values(
                name=person.name.strip(),
                given_name=person.given_name,
                family_name=person.family_name,
                is_me=person.is_me,
                location=person.location,
                how_met=person.how_met,
                met_where=person.met_where,
                met_when=storable_date(person.met_when),
                met_through_id=person.met_through_id,
                do_not_ask=person.do_not_ask,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    add_identities(conn, person_id, person.identities, new=True)
    add_aliases(conn, person_id, person.aliases)
    add_tags(conn, person_id, person.tags, refresh=False)
    add_skills(conn, person_id, person.skills, refresh=False)
    if refresh:
        refresh_terms(conn, [person_id])
    return person_id


PERSON_FIELDS = (
    "name",
    "given_name",
    "family_name",
    "location",
    "how_met",
    "met_where",
    "met_when",
    "met_through_id",
    "do_not_ask",
)


def update_person(conn: Connection, person_id: int, **fields: Any) -> None:
    """Change profile fields (names, location, how met, do-not-ask)."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(sorted(unknown))}")
    values = {k: (storable_date(v) if isinstance(v, PartialDate) else v) for k, v in fields.items()}
    if "name" in values and not str(values["name"]).strip():
        raise InvalidInput("a name cannot be empty")
    values["updated_at"] = datetime.now(UTC)
    conn.execute(update(s.person).where(s.person.c.id == person_id).values(**values))
    refresh_terms(conn, [person_id])


def touch(conn: Connection, person_ids: Iterable[int]) -> None:
    ids = sorted(set(person_ids))
    if ids:
        conn.execute(
            update(s.person).where(s.person.c.id.in_(ids)).values(updated_at=datetime.now(UTC))
        )


def add_aliases(conn: Connection, person_id: int, aliases: Iterable[str]) -> None:
    existing = set(
        conn.execute(
            select(s.person_alias.c.alias).where(s.person_alias.c.person_id == person_id)
        ).scalars()
    )
    for alias in aliases:
        alias = alias.strip()
        if alias and alias not in existing:
            conn.execute(insert(s.person_alias).values(person_id=person_id, alias=alias))
            existing.add(alias)


def add_tags(
    conn: Connection, person_id: int, tags: Iterable[str], *, refresh: bool = True
) -> list[str]:
    """Add tags (normalised); returns the ones that were new."""
    existing = set(
        conn.execute(
            select(s.person_tag.c.tag).where(s.person_tag.c.person_id == person_id)
        ).scalars()
    )
    added = []
    for raw in tags:
        tag = normalize_tag(raw)
        if not tag:
            raise InvalidInput(f"not a tag: {raw!r}")
        if tag not in existing:
            conn.execute(insert(s.person_tag).values(person_id=person_id, tag=tag))
            existing.add(tag)
            added.append(tag)
    if refresh and added:
        refresh_terms(conn, [person_id])
    return added


def remove_tags(conn: Connection, person_id: int, tags: Iterable[str]) -> list[str]:
    removed = []
    for raw in tags:
        tag = normalize_tag(raw)
        result = conn.execute(
            delete(s.person_tag).where(
                s.person_tag.c.person_id == person_id, s.person_tag.c.tag == tag
            )
        )
        if result.rowcount:
            removed.append(tag)
    if removed:
        refresh_terms(conn, [person_id])
    return removed


def add_skills(
    conn: Connection, person_id: int, skills: Iterable[str], *, refresh: bool = True
) -> None:
    existing = set(
        conn.execute(
            select(s.person_skill.c.skill).where(s.person_skill.c.person_id == person_id)
        ).scalars()
    )
    for raw in skills:
        skill = " ".join(raw.strip().split())
        if skill and skill.lower() not in {e.lower() for e in existing}:
            conn.execute(insert(s.person_skill).values(person_id=person_id, skill=skill))
            existing.add(skill)
    if refresh:
        refresh_terms(conn, [person_id])


def add_note(conn: Connection, person_id: int, text: str) -> int:
    if not text.strip():
        raise InvalidInput("a note cannot be empty")
    note_id = int(
        conn.execute(
            insert(s.note).values(
                person_id=person_id, text=text.strip(), created_at=datetime.now(UTC)
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    refresh_terms(conn, [person_id])
    return note_id


def add_affiliation(
    conn: Connection, aff: Affiliation, *, source_record_id: int | None = None, refresh: bool = True
) -> int:
    """Record that a person works, studies or belongs at an organisation (deduplicated)."""
    existing = conn.execute(
        select(s.affiliation.c.id).where(
            s.affiliation.c.person_id == aff.person_id,
            s.affiliation.c.org_id == aff.org_id,
            s.affiliation.c.title.is_(None)
            if aff.title is None
            else s.affiliation.c.title == aff.title,
            s.affiliation.c.start.is_(None)
            if aff.start is None
            else s.affiliation.c.start == aff.start.iso(),
        )
    ).first()
    if existing:
        if aff.end is not None:
            conn.execute(
                update(s.affiliation)
                .where(s.affiliation.c.id == existing[0])
                .values(end=aff.end.iso())
            )
        return int(existing[0])
    aff_id = int(
        conn.execute(
            insert(s.affiliation).values(
                person_id=aff.person_id,
                org_id=aff.org_id,
                title=aff.title,
                kind=aff.kind.value,
                start=storable_date(aff.start),
                end=storable_date(aff.end),
                source_record_id=source_record_id,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    if refresh:
        refresh_terms(conn, [aff.person_id])
    return aff_id


def me_id(conn: Connection) -> int | None:
    found = conn.execute(select(s.person.c.id).where(s.person.c.is_me.is_(True), visible)).first()
    return int(found[0]) if found else None


def get_person(conn: Connection, person_id: int) -> Person:
    row = conn.execute(select(s.person).where(s.person.c.id == person_id)).one_or_none()
    if row is None:
        raise NotFound(f"no person #{person_id}")
    identities = tuple(
        Identity(IdentityKind(k), v, label)
        for k, v, label in conn.execute(
            select(s.identity.c.kind, s.identity.c.value, s.identity.c.label)
            .where(s.identity.c.person_id == person_id)
            .order_by(s.identity.c.kind, s.identity.c.id)
        )
    )
    aliases = tuple(
        conn.execute(
            select(s.person_alias.c.alias)
            .where(s.person_alias.c.person_id == person_id)
            .order_by(s.person_alias.c.alias)
        ).scalars()
    )
    tags = tuple(
        conn.execute(
            select(s.person_tag.c.tag)
            .where(s.person_tag.c.person_id == person_id)
            .order_by(s.person_tag.c.tag)
        ).scalars()
    )
    skills = tuple(
        conn.execute(
            select(s.person_skill.c.skill)
            .where(s.person_skill.c.person_id == person_id)
            .order_by(s.person_skill.c.skill)
        ).scalars()
    )
    return Person(
        id=row.id,
        name=row.name,
        is_me=row.is_me,
        given_name=row.given_name,
        family_name=row.family_name,
        aliases=aliases,
        location=row.location,
        how_met=row.how_met,
        met_where=row.met_where,
        met_when=stored_date(row.met_when),
        met_through_id=row.met_through_id,
        do_not_ask=row.do_not_ask,
        identities=identities,
        tags=tags,
        skills=skills,
    )


def merged_into(conn: Connection, person_id: int) -> int | None:
    return conn.execute(
        select(s.person.c.merged_into_id).where(s.person.c.id == person_id)
    ).scalar()


def affiliations_of(conn: Connection, person_id: int) -> list[tuple[Affiliation, str]]:
    """The person's affiliations with the organisation names, current ones first, newest first."""
    rows = conn.execute(
        select(s.affiliation, s.organization.c.name.label("org_name"))
        .select_from(s.affiliation.join(s.organization))
        .where(s.affiliation.c.person_id == person_id)
    ).all()
    out = [
        (
            Affiliation(
                id=r.id,
                person_id=r.person_id,
                org_id=r.org_id,
                title=r.title,
                kind=AffiliationKind(r.kind),
                start=stored_date(r.start),
                end=stored_date(r.end),
            ),
            r.org_name,
        )
        for r in rows
    ]
    out.sort(key=lambda a: (a[0].end is not None, -(int((a[0].start or PartialDate(1)).iso()[:4]))))
    return out


def notes_of(conn: Connection, person_id: int) -> list[Note]:
    return [
        Note(id=r.id, person_id=r.person_id, text=r.text, created_at=r.created_at.isoformat())
        for r in conn.execute(
            select(s.note).where(s.note.c.person_id == person_id).order_by(s.note.c.created_at)
        )
    ]


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One line of a people listing."""

    id: int
    name: str
    org: str | None
    title: str | None
    tags: tuple[str, ...]
    interactions: int
    last_contact: datetime | None
    is_me: bool
    strength: float | None = None
    category: str | None = None


def people_rows(conn: Connection, ids: Sequence[int]) -> dict[int, PersonRow]:
    """Listing rows for these people: current organisation and title, tags, contact stats."""
    if not ids:
        return {}
    out: dict[int, dict[str, Any]] = {}
    chunk = 500
    for start in range(0, len(ids), chunk):
        part = list(ids[start : start + chunk])
        for r in conn.execute(
            select(s.person.c.id, s.person.c.name, s.person.c.is_me).where(s.person.c.id.in_(part))
        ):
            out[r.id] = {"id": r.id, "name": r.name, "is_me": r.is_me, "org": None, "title": None}
            out[r.id].update(
                tags=[], interactions=0, last_contact=None, strength=None, category=None
            )
        for pid, strength, category in conn.execute(
            select(s.tie.c.person_id, s.tie.c.strength, s.tie.c.category).where(
                s.tie.c.person_id.in_(part)
            )
        ):
            out[pid]["strength"], out[pid]["category"] = float(strength), category
        for a in conn.execute(
            select(
                s.affiliation.c.person_id,
                s.organization.c.name,
                s.affiliation.c.title,
                s.affiliation.c.end,
                s.affiliation.c.start,
            )
            .select_from(s.affiliation.join(s.organization))
            .where(s.affiliation.c.person_id.in_(part))
            .order_by(s.affiliation.c.person_id, s.affiliation.c.start)
        ):
            row = out[a.person_id]
            if a.end is None or row["org"] is None:
                row["org"], row["title"] = a.name, a.title
        for pid, tag in conn.execute(
            select(s.person_tag.c.person_id, s.person_tag.c.tag)
            .where(s.person_tag.c.person_id.in_(part))
            .order_by(s.person_tag.c.tag)
        ):
            out[pid]["tags"].append(tag)
        for pid, count, last in conn.execute(
            select(
                s.participant.c.person_id,
                func.count(func.distinct(s.participant.c.interaction_id)),
                func.max(s.interaction.c.occurred_at),
            )
            .select_from(s.participant.join(s.interaction))
            .where(s.participant.c.person_id.in_(part))
            .group_by(s.participant.c.person_id)
        ):
            out[pid]["interactions"] = int(count)
            if last is not None:
                last = last if isinstance(last, datetime) else datetime.fromisoformat(str(last))
                out[pid]["last_contact"] = last.replace(tzinfo=UTC) if last.tzinfo is None else last
    return {
        pid: PersonRow(
            id=v["id"],
            name=v["name"],
            org=v["org"],
            title=v["title"],
            tags=tuple(v["tags"]),
            interactions=v["interactions"],
            last_contact=v["last_contact"],
            is_me=v["is_me"],
            strength=v["strength"],
            category=v["category"],
        )
        for pid, v in out.items()
    }
