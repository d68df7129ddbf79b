"""Whole-workspace export: every table as JSON, or people as CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.engine import Connection

from weakties.store import schema as s
from weakties.store.people import people_rows, visible

EXPORT_TABLES = (
    "person",
    "person_alias",
    "identity",
    "organization",
    "org_alias",
    "org_domain",
    "affiliation",
    "interaction",
    "participant",
    "favor",
    "introduction",
    "goal",
    "goal_tag",
    "opportunity",
    "opportunity_link",
    "person_tag",
    "person_skill",
    "note",
    "rating",
    "merge",
    "import_run",
    "source_record",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def dump_tables(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every exported table as a list of rows (ordered by primary key): a faithful dump."""
    tables = {t.name: t for t in s.metadata.sorted_tables}
    out: dict[str, list[dict[str, Any]]] = {}
    for name in EXPORT_TABLES:
        table = tables[name]
        rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        out[name] = [{k: _plain(v) for k, v in row.items()} for row in rows]
    return out


def write_json(conn: Connection, stream: TextIO) -> None:
    json.dump(
        {"format": "weakties-export", "version": 1, "tables": dump_tables(conn)}, stream, indent=1
    )
    stream.write("\n")


CSV_COLUMNS = (
    "id",
    "name",
    "emails",
    "phones",
    "urls",
    "organization",
    "title",
    "tags",
    "interactions",
    "last_contact",
)


def write_people_csv(conn: Connection, stream: TextIO) -> None:
    """One row per visible person, with identities joined by ``;`` (spreadsheet friendly)."""
    ids = [
        int(i)
        for i in conn.execute(
            select(s.person.c.id).where(visible).order_by(s.person.c.id)
        ).scalars()
    ]
    idents: dict[int, dict[str, list[str]]] = {}
    for pid, kind, value in conn.execute(
        select(s.identity.c.person_id, s.identity.c.kind, s.identity.c.value).order_by(
            s.identity.c.id
        )
    ):
        idents.setdefault(pid, {}).setdefault(kind, []).append(value)
    rows = people_rows(conn, ids)
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    for pid in ids:
        row = rows[pid]
        mine = idents.get(pid, {})
        writer.writerow(
            [
                pid,
                row.name,
                ";".join(mine.get("email", [])),
                ";".join(mine.get("phone", [])),
                ";".join(mine.get("url", [])),
                row.org or "",
                row.title or "",
                ";".join(row.tags),
                row.interactions,
                row.last_contact.isoformat() if row.last_contact else "",
            ]
        )


def people_csv_text(conn: Connection) -> str:
    buffer = io.StringIO()
    write_people_csv(conn, buffer)
    return buffer.getvalue()
