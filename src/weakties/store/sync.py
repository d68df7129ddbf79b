"""Configured sync sources and the cursors that make a sync incremental and resumable."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from weakties.errors import Conflict, NotFound
from weakties.store import schema as s


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A configured account and how its last sync went."""

    id: int
    url: str
    added_at: datetime
    last_sync_at: datetime | None
    last_status: str | None
    last_message: str | None


@dataclass(frozen=True, slots=True)
class Cursor:
    """How far one folder or collection has been read."""

    validity: str
    position: str


def add_source(conn: Connection, url: str) -> SourceRow:
    if conn.execute(select(s.sync_source.c.id).where(s.sync_source.c.url == url)).first():
        raise Conflict(f"{url} is already a source")
    conn.execute(insert(s.sync_source).values(url=url, added_at=datetime.now(UTC)))
    return source(conn, url)


def source(conn: Connection, url: str) -> SourceRow:
    row = conn.execute(select(s.sync_source).where(s.sync_source.c.url == url)).first()
    if row is None:
        raise NotFound(f"no source {url}", hint="see weakties sources list")
    return SourceRow(*row)


def sources(conn: Connection) -> list[SourceRow]:
    rows = conn.execute(select(s.sync_source).order_by(s.sync_source.c.id)).all()
    return [SourceRow(*row) for row in rows]


def remove_source(conn: Connection, url: str) -> None:
    """Forget a source and its cursors (what it imported stays, like any import)."""
    source(conn, url)
    conn.execute(delete(s.sync_source).where(s.sync_source.c.url == url))
    conn.execute(delete(s.sync_cursor).where(s.sync_cursor.c.url == url))
    conn.execute(delete(s.sync_item).where(s.sync_item.c.url == url))


def record_sync(conn: Connection, url: str, status: str, message: str) -> None:
    """Note how a sync of a configured source went (nothing when the URL is not a source)."""
    conn.execute(
        update(s.sync_source)
        .where(s.sync_source.c.url == url)
        .values(last_sync_at=datetime.now(UTC), last_status=status, last_message=message[:1000])
    )


def cursor(conn: Connection, url: str, folder: str) -> Cursor | None:
    row = conn.execute(
        select(s.sync_cursor.c.validity, s.sync_cursor.c.position).where(
            s.sync_cursor.c.url == url, s.sync_cursor.c.folder == folder
        )
    ).first()
    return Cursor(row[0], row[1]) if row else None


def save_cursor(conn: Connection, url: str, folder: str, validity: str, position: str) -> None:
    now = datetime.now(UTC)
    done = conn.execute(
        update(s.sync_cursor)
        .where(s.sync_cursor.c.url == url, s.sync_cursor.c.folder == folder)
        .values(validity=validity, position=position, updated_at=now)
    )
    if not done.rowcount:
        conn.execute(
            insert(s.sync_cursor).values(
                url=url, folder=folder, validity=validity, position=position, updated_at=now
            )
        )


def items(conn: Connection, url: str, folder: str) -> dict[str, tuple[str, list[str]]]:
    """The DAV resources seen at a collection: href → (etag, record keys)."""
    rows = conn.execute(
        select(s.sync_item.c.href, s.sync_item.c.etag, s.sync_item.c.record_keys).where(
            s.sync_item.c.url == url, s.sync_item.c.folder == folder
        )
    )
    return {href: (etag, json.loads(keys)) for href, etag, keys in rows}


def save_item(
    conn: Connection, url: str, folder: str, href: str, etag: str, keys: list[str]
) -> None:
    conn.execute(
        delete(s.sync_item).where(
            s.sync_item.c.url == url, s.sync_item.c.folder == folder, s.sync_item.c.href == href
        )
    )
    conn.execute(
        insert(s.sync_item).values(
            url=url, folder=folder, href=href, etag=etag, record_keys=json.dumps(keys)
        )
    )


def drop_item(conn: Connection, url: str, folder: str, href: str) -> None:
    conn.execute(
        delete(s.sync_item).where(
            s.sync_item.c.url == url, s.sync_item.c.folder == folder, s.sync_item.c.href == href
        )
    )


def held_keys(conn: Connection, url: str, exclude: tuple[str, str]) -> set[str]:
    """The record keys other resources of the account still give (a card kept in two
    address books stays while one of them has it)."""
    found: set[str] = set()
    for folder, href, keys in conn.execute(
        select(s.sync_item.c.folder, s.sync_item.c.href, s.sync_item.c.record_keys).where(
            s.sync_item.c.url == url
        )
    ):
        if (folder, href) != exclude:
            found.update(json.loads(keys))
    return found


def _supported(conn: Connection, person_id: int) -> bool:
    """Whether anything but a retired record still says this person exists."""
    from sqlalchemy import exists, or_

    ids = [person_id] + [
        int(i)
        for i in conn.execute(
            select(s.person.c.id).where(s.person.c.merged_into_id == person_id)
        ).scalars()
    ]
    checks = [
        select(s.person.c.id).where(s.person.c.id == person_id, s.person.c.is_me.is_(True)),
        select(s.source_record.c.id).where(s.source_record.c.person_id.in_(ids)),
        select(s.participant.c.person_id).where(s.participant.c.person_id.in_(ids)),
        select(s.favor.c.id).where(
            or_(s.favor.c.giver_id.in_(ids), s.favor.c.receiver_id.in_(ids))
        ),
        select(s.introduction.c.id).where(
            or_(
                s.introduction.c.a_id.in_(ids),
                s.introduction.c.b_id.in_(ids),
                s.introduction.c.introducer_id.in_(ids),
            )
        ),
        select(s.note.c.id).where(s.note.c.person_id.in_(ids)),
        select(s.goal.c.id).where(s.goal.c.owner_id.in_(ids)),
        select(s.opportunity_link.c.person_id).where(s.opportunity_link.c.person_id.in_(ids)),
    ]
    return any(conn.execute(select(exists(check))).scalar() for check in checks)


def _created_with(conn: Connection, record_ids: list[int]) -> set[int]:
    """The participants of these records' interactions who were created by the same import
    (a person the user added by hand, or any earlier import named, is never among them)."""
    p, i, r, run = s.participant.c, s.interaction.c, s.source_record.c, s.import_run.c
    rows = conn.execute(
        select(p.person_id, s.person.c.created_at, run.started_at, run.finished_at)
        .select_from(
            s.participant.join(s.interaction, i.id == p.interaction_id)
            .join(s.source_record, r.id == i.source_record_id)
            .join(s.import_run, run.id == r.import_run_id)
            .join(s.person, s.person.c.id == p.person_id)
        )
        .where(i.source_record_id.in_(record_ids))
    )
    return {
        int(pid)
        for pid, created, started, finished in rows
        if created >= started and (finished is None or created <= finished)
    }


def retire_records(conn: Connection, importer: str, keys: set[str]) -> int:
    """Remove the source records a server deleted, the facts they gave, and the people
    nothing else supports; returns how many records went."""
    from weakties.store.merges import forget_person

    if not keys:
        return 0
    wanted = sorted(keys)
    rows: list[tuple[int, int | None]] = []
    for start in range(0, len(wanted), 500):
        rows += [
            (int(rid), None if pid is None else int(pid))
            for rid, pid in conn.execute(
                select(s.source_record.c.id, s.source_record.c.person_id).where(
                    s.source_record.c.source == importer,
                    s.source_record.c.external_id.in_(wanted[start : start + 500]),
                )
            )
        ]
    ids = [rid for rid, _ in rows]
    people = {p for _, p in rows if p is not None}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        people |= _created_with(conn, chunk)
        for table in (s.interaction, s.affiliation, s.knows, s.favor):
            conn.execute(delete(table).where(table.c.source_record_id.in_(chunk)))
        conn.execute(delete(s.source_record).where(s.source_record.c.id.in_(chunk)))
    for pid in sorted(people):
        if conn.execute(select(s.person.c.id).where(s.person.c.id == pid)).first() is None:
            continue
        if not _supported(conn, pid):
            forget_person(conn, pid)
    return len(ids)
