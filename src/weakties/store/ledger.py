"""The ledger: interactions with their participants, favours and introductions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import insert, or_, select
from sqlalchemy.engine import Connection

from weakties.domain.dates import stored_date
from weakties.domain.ledger import (
    Channel,
    Direction,
    Favor,
    FavorSize,
    Interaction,
    InteractionKind,
    Introduction,
    IntroOutcome,
    Participant,
    Role,
)
from weakties.store import schema as s
from weakties.store.people import touch


def add_interaction(conn: Connection, item: Interaction) -> int:
    """Insert one interaction and its participants; returns its id."""
    people = {p.person_id for p in item.participants}
    interaction_id = int(
        conn.execute(
            insert(s.interaction).values(
                occurred_at=item.occurred_at,
                channel=item.channel.value,
                kind=item.kind.value,
                direction=item.direction.value,
                summary=item.summary,
                thread_key=item.thread_key,
                n_participants=len(people),
                source_record_id=item.source_record_id,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    rows = {(p.person_id, p.role.value) for p in item.participants}
    conn.execute(
        insert(s.participant),
        [
            {"interaction_id": interaction_id, "person_id": pid, "role": role}
            for pid, role in sorted(rows)
        ],
    )
    touch(conn, people)
    return interaction_id


def interactions_of(conn: Connection, person_id: int, limit: int | None = 50) -> list[Interaction]:
    """A person's interactions, newest first, with all participants."""
    ids_stmt = (
        select(s.interaction.c.id)
        .select_from(s.interaction.join(s.participant))
        .where(s.participant.c.person_id == person_id)
    )
    rows = conn.execute(
        select(s.interaction)
        .where(s.interaction.c.id.in_(ids_stmt))
        .order_by(s.interaction.c.occurred_at.desc(), s.interaction.c.id.desc())
        .limit(limit)
    ).all()
    return _with_participants(conn, rows)


def _with_participants(conn: Connection, rows: Sequence[object]) -> list[Interaction]:
    ids = [r.id for r in rows]  # type: ignore[attr-defined]
    parts: dict[int, list[Participant]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        for iid, pid, role in conn.execute(
            select(s.participant.c.interaction_id, s.participant.c.person_id, s.participant.c.role)
            .where(s.participant.c.interaction_id.in_(ids[start : start + 500]))
            .order_by(
                s.participant.c.interaction_id, s.participant.c.role, s.participant.c.person_id
            )
        ):
            parts[iid].append(Participant(pid, Role(role)))
    return [
        Interaction(
            id=r.id,  # type: ignore[attr-defined]
            occurred_at=r.occurred_at,  # type: ignore[attr-defined]
            channel=Channel(r.channel),  # type: ignore[attr-defined]
            kind=InteractionKind(r.kind),  # type: ignore[attr-defined]
            direction=Direction(r.direction),  # type: ignore[attr-defined]
            summary=r.summary,  # type: ignore[attr-defined]
            thread_key=r.thread_key,  # type: ignore[attr-defined]
            source_record_id=r.source_record_id,  # type: ignore[attr-defined]
            participants=tuple(parts[r.id]),  # type: ignore[attr-defined]
        )
        for r in rows
    ]


def add_favor(conn: Connection, item: Favor, *, source_record_id: int | None = None) -> int:
    favor_id = int(
        conn.execute(
            insert(s.favor).values(
                giver_id=item.giver_id,
                receiver_id=item.receiver_id,
                what=item.what,
                happened=item.when.iso() if item.when else None,
                size=item.size.value,
                source_record_id=source_record_id,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    touch(conn, [item.giver_id, item.receiver_id])
    return favor_id


def favors_of(conn: Connection, person_id: int) -> list[Favor]:
    """Favours the person gave or received, oldest first (undated last)."""
    rows = conn.execute(
        select(s.favor)
        .where(or_(s.favor.c.giver_id == person_id, s.favor.c.receiver_id == person_id))
        .order_by(s.favor.c.happened.is_(None), s.favor.c.happened, s.favor.c.id)
    ).all()
    return [
        Favor(
            id=r.id,
            giver_id=r.giver_id,
            receiver_id=r.receiver_id,
            what=r.what,
            when=stored_date(r.happened),
            size=FavorSize(r.size),
        )
        for r in rows
    ]


def add_introduction(conn: Connection, item: Introduction) -> int:
    intro_id = int(
        conn.execute(
            insert(s.introduction).values(
                introducer_id=item.introducer_id,
                a_id=item.a_id,
                b_id=item.b_id,
                happened=item.when.iso() if item.when else None,
                outcome=item.outcome.value,
                note=item.note,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    touch(conn, [p for p in (item.introducer_id, item.a_id, item.b_id) if p is not None])
    return intro_id


def introductions_of(conn: Connection, person_id: int) -> list[Introduction]:
    t = s.introduction.c
    rows = conn.execute(
        select(s.introduction)
        .where(or_(t.introducer_id == person_id, t.a_id == person_id, t.b_id == person_id))
        .order_by(t.happened.is_(None), t.happened, t.id)
    ).all()
    return [
        Introduction(
            id=r.id,
            introducer_id=r.introducer_id,
            a_id=r.a_id,
            b_id=r.b_id,
            when=stored_date(r.happened),
            outcome=IntroOutcome(r.outcome),
            note=r.note,
        )
        for r in rows
    ]


def names_of(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    out: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        out.update(
            conn.execute(
                select(s.person.c.id, s.person.c.name).where(
                    s.person.c.id.in_(wanted[start : start + 500])
                )
            ).all()
        )
    return out


def last_contact(conn: Connection, person_id: int) -> datetime | None:
    from sqlalchemy import func

    return conn.execute(
        select(func.max(s.interaction.c.occurred_at))
        .select_from(s.interaction.join(s.participant))
        .where(s.participant.c.person_id == person_id)
    ).scalar()
