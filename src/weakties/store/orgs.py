"""Organisations: find by name, alias or web domain; create when new."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from weakties.domain.people import Organization, OrgKind, normalize_org_name
from weakties.errors import Conflict
from weakties.store import schema as s


def find_org(conn: Connection, name: str) -> int | None:
    """The id of the organisation called ``name`` (by name, alias or domain), if any."""
    key = normalize_org_name(name)
    found = conn.execute(
        select(s.organization.c.id)
        .where(s.organization.c.name_key == key)
        .order_by(s.organization.c.id)
    ).first()
    if found:
        return int(found[0])
    found = conn.execute(select(s.org_alias.c.org_id).where(s.org_alias.c.alias_key == key)).first()
    if found:
        return int(found[0])
    domain = name.strip().lower()
    if "." in domain and " " not in domain:
        found = conn.execute(
            select(s.org_domain.c.org_id).where(s.org_domain.c.domain == domain)
        ).first()
        if found:
            return int(found[0])
    return None


def org_by_domain(conn: Connection, domain: str) -> int | None:
    found = conn.execute(
        select(s.org_domain.c.org_id).where(s.org_domain.c.domain == domain.lower())
    ).first()
    return int(found[0]) if found else None


def add_org(conn: Connection, org: Organization) -> int:
    """Insert a new organisation with its aliases and domains; returns its id."""
    org_id = int(
        conn.execute(
            insert(s.organization).values(
                name=org.name.strip(),
                name_key=normalize_org_name(org.name),
                kind=org.kind.value,
                industry=org.industry,
                location=org.location,
                created_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    add_aliases(conn, org_id, org.aliases)
    for domain in org.domains:
        domain = domain.strip().lower()
        owner = org_by_domain(conn, domain)
        if owner is not None and owner != org_id:
            raise Conflict(f"the domain {domain} already belongs to another organisation")
        if owner is None:
            conn.execute(insert(s.org_domain).values(domain=domain, org_id=org_id))
    return org_id


def add_aliases(conn: Connection, org_id: int, aliases: tuple[str, ...] | list[str]) -> None:
    existing = {
        k
        for (k,) in conn.execute(
            select(s.org_alias.c.alias_key).where(s.org_alias.c.org_id == org_id)
        )
    }
    for alias in aliases:
        key = normalize_org_name(alias)
        if key and key not in existing:
            conn.execute(
                insert(s.org_alias).values(org_id=org_id, alias_key=key, alias=alias.strip())
            )
            existing.add(key)


def ensure_org(conn: Connection, name: str, kind: OrgKind = OrgKind.COMPANY) -> int:
    """The id of ``name``, creating the organisation if it is new."""
    found = find_org(conn, name)
    if found is not None:
        return found
    return add_org(conn, Organization(name=name, kind=kind))


def get_org(conn: Connection, org_id: int) -> Organization | None:
    row = conn.execute(select(s.organization).where(s.organization.c.id == org_id)).one_or_none()
    if row is None:
        return None
    aliases = tuple(
        a
        for (a,) in conn.execute(select(s.org_alias.c.alias).where(s.org_alias.c.org_id == org_id))
    )
    domains = tuple(
        d
        for (d,) in conn.execute(
            select(s.org_domain.c.domain)
            .where(s.org_domain.c.org_id == org_id)
            .order_by(s.org_domain.c.domain)
        )
    )
    return Organization(
        id=row.id,
        name=row.name,
        kind=OrgKind(row.kind),
        industry=row.industry,
        location=row.location,
        aliases=aliases,
        domains=domains,
    )
