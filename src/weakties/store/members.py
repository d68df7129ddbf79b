"""A community's members: adding, listing, sharing settings and removal (rows of ``member``).

Removing a member deletes their row, and with it (by cascade) every row they contributed to
the pool and every ask they made or received; pooled people nobody contributes any more go too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, union, update
from sqlalchemy.engine import Connection, RowMapping

from weakties.domain.community import Member, Role, Sharing, check_handle
from weakties.errors import Conflict, NotFound
from weakties.store import schema as s

POOL_TABLES = ("member", "pool_person", "pool_identity", "pool_contact", "pool_arc", "ask")


def _member(row: RowMapping) -> Member:
    return Member(
        id=int(row["id"]),
        handle=str(row["handle"]),
        name=str(row["name"]),
        role=Role(row["role"]),
        sharing=Sharing(row["sharing"]),
        share_names=bool(row["share_names"]),
        joined_at=row["joined_at"],
        published_at=row["published_at"],
    )


_COLUMNS = (
    s.member.c.id,
    s.member.c.handle,
    s.member.c.name,
    s.member.c.role,
    s.member.c.sharing,
    s.member.c.share_names,
    s.member.c.joined_at,
    s.member.c.published_at,
)


def add_member(
    conn: Connection,
    handle: str,
    name: str,
    *,
    role: Role = Role.MEMBER,
    sharing: Sharing = Sharing.EXISTS,
    share_names: bool = False,
) -> int:
    """Insert a member; their pooled person is made when they first publish."""
    handle = check_handle(handle)
    if conn.execute(select(s.member.c.id).where(s.member.c.handle == handle)).first():
        raise Conflict(f"there is already a member {handle!r}", hint="see `weakties member list`")
    if not name.strip():
        raise Conflict("a member needs a name")
    person_id = conn.execute(
        insert(s.pool_person).values(name_key=name.strip().casefold(), created_at=datetime.now(UTC))
    ).inserted_primary_key[0]  # type: ignore[index]
    return int(
        conn.execute(
            insert(s.member).values(
                handle=handle,
                name=name.strip(),
                role=role.value,
                sharing=sharing.value,
                share_names=share_names,
                pool_person_id=person_id,
                joined_at=datetime.now(UTC),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def members(conn: Connection) -> list[Member]:
    """Every member, by handle."""
    rows = conn.execute(select(*_COLUMNS).order_by(s.member.c.handle)).mappings()
    return [_member(r) for r in rows]


def member_by_handle(conn: Connection, handle: str) -> Member:
    row = (
        conn.execute(select(*_COLUMNS).where(s.member.c.handle == handle.strip().lower()))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no member {handle!r}", hint="see `weakties member list`")
    return _member(row)


def member_person(conn: Connection, member_id: int) -> int:
    """The pooled person who is the member."""
    found = conn.execute(
        select(s.member.c.pool_person_id).where(s.member.c.id == member_id)
    ).scalar_one()
    return int(found)


def set_sharing(
    conn: Connection, member_id: int, sharing: Sharing, share_names: bool | None = None
) -> None:
    values: dict[str, Any] = {"sharing": sharing.value}
    if share_names is not None:
        values["share_names"] = share_names
    conn.execute(update(s.member).where(s.member.c.id == member_id).values(**values))


def set_role(conn: Connection, member_id: int, role: Role) -> None:
    conn.execute(update(s.member).where(s.member.c.id == member_id).values(role=role.value))


def remove_member(conn: Connection, member_id: int) -> None:
    """Delete the member and everything they contributed (cascades), then orphaned people."""
    conn.execute(delete(s.member).where(s.member.c.id == member_id))
    prune_people(conn)


def prune_people(conn: Connection) -> int:
    """Delete pooled people nothing refers to any more; returns how many went."""
    used = union(
        select(s.pool_identity.c.pool_person_id),
        select(s.pool_contact.c.pool_person_id),
        select(s.pool_arc.c.a_id),
        select(s.pool_arc.c.b_id),
        select(s.member.c.pool_person_id).where(s.member.c.pool_person_id.is_not(None)),
    )
    result = conn.execute(delete(s.pool_person).where(s.pool_person.c.id.not_in(used)))
    return int(result.rowcount or 0)


def row_counts(conn: Connection) -> dict[str, int]:
    """Rows in each pool table (for the admin's overview and the removal tests)."""
    return {
        name: int(
            conn.execute(select(func.count()).select_from(s.metadata.tables[name])).scalar_one()
        )
        for name in POOL_TABLES
    }


def set_password_hash(conn: Connection, member_id: int, digest: str | None) -> None:
    conn.execute(update(s.member).where(s.member.c.id == member_id).values(password_hash=digest))


def password_hash(conn: Connection, member_id: int) -> str | None:
    found = conn.execute(
        select(s.member.c.password_hash).where(s.member.c.id == member_id)
    ).scalar_one_or_none()
    return None if found is None else str(found)
