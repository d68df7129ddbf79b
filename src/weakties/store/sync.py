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
