"""Goals with their tags, and opportunities with the chain of people they came through."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from weakties.domain.dates import PartialDate, stored_date
from weakties.domain.goals import (
    Goal,
    GoalStatus,
    GoalTag,
    GoalTagKind,
    Opportunity,
    OpportunityStatus,
)
from weakties.errors import NotFound
from weakties.store import schema as s


def add_goal(conn: Connection, item: Goal) -> int:
    goal_id = int(
        conn.execute(
            insert(s.goal).values(
                owner_id=item.owner_id,
                text=item.text,
                status=item.status.value,
                created=item.created.iso() if item.created else None,
                closed=item.closed.iso() if item.closed else None,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    tags = {(t.kind.value, t.value) for t in item.tags}
    if tags:
        conn.execute(
            insert(s.goal_tag),
            [{"goal_id": goal_id, "kind": k, "value": v} for k, v in sorted(tags)],
        )
    return goal_id


def get_goal(conn: Connection, goal_id: int) -> Goal:
    found = list_goals(conn, ids=[goal_id])
    if not found:
        raise NotFound(f"no goal #{goal_id}")
    return found[0]


def list_goals(
    conn: Connection,
    *,
    owner_id: int | None = None,
    status: GoalStatus | None = None,
    ids: Sequence[int] | None = None,
) -> list[Goal]:
    stmt = select(s.goal).order_by(s.goal.c.id)
    if owner_id is not None:
        stmt = stmt.where(s.goal.c.owner_id == owner_id)
    if status is not None:
        stmt = stmt.where(s.goal.c.status == status.value)
    if ids is not None:
        stmt = stmt.where(s.goal.c.id.in_(list(ids)))
    rows = conn.execute(stmt).all()
    tags: dict[int, list[GoalTag]] = {r.id: [] for r in rows}
    if rows:
        for gid, kind, value in conn.execute(
            select(s.goal_tag.c.goal_id, s.goal_tag.c.kind, s.goal_tag.c.value)
            .where(s.goal_tag.c.goal_id.in_(list(tags)))
            .order_by(s.goal_tag.c.kind, s.goal_tag.c.value)
        ):
            tags[gid].append(GoalTag(GoalTagKind(kind), value))
    return [
        Goal(
            id=r.id,
            owner_id=r.owner_id,
            text=r.text,
            status=GoalStatus(r.status),
            created=stored_date(r.created),
            closed=stored_date(r.closed),
            tags=tuple(tags[r.id]),
        )
        for r in rows
    ]


def set_goal_status(
    conn: Connection, goal_id: int, status: GoalStatus, when: PartialDate | None
) -> None:
    result = conn.execute(
        update(s.goal)
        .where(s.goal.c.id == goal_id)
        .values(
            status=status.value,
            closed=when.iso() if when and status is not GoalStatus.OPEN else None,
        )
    )
    if not result.rowcount:
        raise NotFound(f"no goal #{goal_id}")


def add_opportunity(conn: Connection, item: Opportunity) -> int:
    opp_id = int(
        conn.execute(
            insert(s.opportunity).values(
                title=item.title,
                org_id=item.org_id,
                status=item.status.value,
                opened=item.opened.iso() if item.opened else None,
                closed=item.closed.iso() if item.closed else None,
                goal_id=item.goal_id,
                note=item.note,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    set_chain(conn, opp_id, item.chain)
    return opp_id


def set_chain(conn: Connection, opp_id: int, chain: Sequence[int]) -> None:
    conn.execute(delete(s.opportunity_link).where(s.opportunity_link.c.opportunity_id == opp_id))
    if chain:
        conn.execute(
            insert(s.opportunity_link),
            [
                {"opportunity_id": opp_id, "position": i, "person_id": p}
                for i, p in enumerate(chain)
            ],
        )


def update_opportunity(conn: Connection, opp_id: int, **values: object) -> None:
    if values:
        result = conn.execute(
            update(s.opportunity).where(s.opportunity.c.id == opp_id).values(**values)
        )
        if not result.rowcount:
            raise NotFound(f"no opportunity #{opp_id}")


def list_opportunities(
    conn: Connection, *, person_id: int | None = None, ids: Sequence[int] | None = None
) -> list[Opportunity]:
    stmt = select(s.opportunity).order_by(s.opportunity.c.id)
    if ids is not None:
        stmt = stmt.where(s.opportunity.c.id.in_(list(ids)))
    if person_id is not None:
        stmt = stmt.where(
            s.opportunity.c.id.in_(
                select(s.opportunity_link.c.opportunity_id).where(
                    s.opportunity_link.c.person_id == person_id
                )
            )
        )
    rows = conn.execute(stmt).all()
    chains: dict[int, list[int]] = {r.id: [] for r in rows}
    if rows:
        for oid, pid in conn.execute(
            select(s.opportunity_link.c.opportunity_id, s.opportunity_link.c.person_id)
            .where(s.opportunity_link.c.opportunity_id.in_(list(chains)))
            .order_by(s.opportunity_link.c.opportunity_id, s.opportunity_link.c.position)
        ):
            chains[oid].append(pid)
    return [
        Opportunity(
            id=r.id,
            title=r.title,
            org_id=r.org_id,
            status=OpportunityStatus(r.status),
            opened=stored_date(r.opened),
            closed=stored_date(r.closed),
            goal_id=r.goal_id,
            note=r.note,
            chain=tuple(chains[r.id]),
        )
        for r in rows
    ]


def goals_of(conn: Connection, person_id: int) -> list[Goal]:
    return list_goals(conn, owner_id=person_id)
