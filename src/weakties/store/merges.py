"""Merging two records of the same person, reversibly; and forgetting a person entirely.

A merge moves every fact of the merged person onto the kept one and hides the merged row
(``merged_into_id``). Each moved row is logged in ``merge_move``, so ``unmerge`` can put every
fact back exactly; facts that cannot move (a duplicate tag, a favour between the two) stay with
the hidden row and come back with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from weakties.errors import Conflict, NotFound
from weakties.store import schema as s
from weakties.store.search import refresh_terms

# columns that point at a person, with the other person column a row must not collapse onto
_PAIR_COLUMNS: dict[str, tuple[str, ...]] = {
    "favor": ("giver_id", "receiver_id"),
    "introduction": ("a_id", "b_id", "introducer_id"),
    "merge": ("kept_id", "merged_id"),
    "merge_candidate": ("a_id", "b_id"),
    "knows": ("a_id", "b_id"),
}
# unordered pairs that must stay unique: moving one end must not duplicate an existing pair
_UNIQUE_PAIRS = {"merge_candidate"}
_FILLABLE = (
    "given_name",
    "family_name",
    "location",
    "how_met",
    "met_where",
    "met_when",
    "met_through_id",
)


def _person_columns() -> list[tuple[Table, str]]:
    found = []
    for table in s.metadata.sorted_tables:
        if table.name in ("merge", "merge_move"):
            continue
        for column in table.columns:
            for fk in column.foreign_keys:
                if fk.column.table is s.person and column.name != "merged_into_id":
                    found.append((table, column.name))
    return found


@dataclass(frozen=True, slots=True)
class MergeResult:
    merge_id: int
    kept_id: int
    merged_id: int
    moved: int
    left: int


def merge_people(
    conn: Connection, kept_id: int, merged_id: int, reason: str | None = None
) -> MergeResult:
    """Merge ``merged_id`` into ``kept_id``; returns what moved. Undo with :func:`unmerge`."""
    if kept_id == merged_id:
        raise Conflict("cannot merge a person with themselves")
    rows = {
        r["id"]: r
        for r in conn.execute(
            select(s.person).where(s.person.c.id.in_([kept_id, merged_id]))
        ).mappings()
    }
    for pid in (kept_id, merged_id):
        if pid not in rows:
            raise NotFound(f"no person #{pid}")
        if rows[pid]["merged_into_id"] is not None:
            raise Conflict(f"#{pid} is already merged into #{rows[pid]['merged_into_id']}")
    if rows[merged_id]["is_me"] and not rows[kept_id]["is_me"]:
        kept_id, merged_id = merged_id, kept_id  # the owner always survives
    now = datetime.now(UTC)
    merge_id = int(
        conn.execute(
            insert(s.merge).values(
                kept_id=kept_id, merged_id=merged_id, created_at=now, reason=reason
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    moves: list[dict[str, Any]] = []
    left = 0
    for table, column in _person_columns():
        col = table.c[column]
        pk_cols = [c for c in table.primary_key.columns]
        for row in conn.execute(select(table).where(col == merged_id)).mappings().all():
            others = [o for o in _PAIR_COLUMNS.get(table.name, ()) if o != column]
            if any(row[o] == kept_id for o in others):
                left += 1
                continue
            if table.name in _UNIQUE_PAIRS:
                other = row[others[0]]
                clash = conn.execute(
                    select(func.count())
                    .select_from(table)
                    .where(
                        ((table.c.a_id == kept_id) & (table.c.b_id == other))
                        | ((table.c.a_id == other) & (table.c.b_id == kept_id))
                    )
                ).scalar_one()
                if clash:
                    left += 1
                    continue
            new_key = {c.name: (kept_id if c.name == column else row[c.name]) for c in pk_cols}
            if column in new_key:
                clash = conn.execute(
                    select(func.count())
                    .select_from(table)
                    .where(and_(*(table.c[k] == v for k, v in new_key.items())))
                ).scalar_one()
                if clash:
                    left += 1
                    continue
            old_key = {c.name: row[c.name] for c in pk_cols}
            conn.execute(
                update(table)
                .where(and_(*(table.c[k] == v for k, v in old_key.items())))
                .values({column: kept_id})
            )
            moves.append(
                {"table_name": table.name, "row_key": json.dumps(new_key), "column_name": column}
            )
    kept_row, merged_row = rows[kept_id], rows[merged_id]
    fills = {
        f: merged_row[f] for f in _FILLABLE if kept_row[f] is None and merged_row[f] is not None
    }
    if fills.get("met_through_id") in (kept_id, merged_id):
        fills.pop("met_through_id")
    if fills:
        conn.execute(update(s.person).where(s.person.c.id == kept_id).values(**fills))
        for field in fills:
            moves.append(
                {
                    "table_name": "person",
                    "row_key": json.dumps({"id": kept_id}),
                    "column_name": "fill:" + field,
                }
            )
    if merged_row["name"].strip().casefold() != kept_row["name"].strip().casefold():
        exists = conn.execute(
            select(func.count())
            .select_from(s.person_alias)
            .where(
                s.person_alias.c.person_id == kept_id, s.person_alias.c.alias == merged_row["name"]
            )
        ).scalar_one()
        if not exists:
            conn.execute(insert(s.person_alias).values(person_id=kept_id, alias=merged_row["name"]))
            key = {"person_id": kept_id, "alias": merged_row["name"]}
            moves.append(
                {"table_name": "person_alias", "row_key": json.dumps(key), "column_name": "insert"}
            )
    if moves:
        conn.execute(
            insert(s.merge_move),
            [{"merge_id": merge_id, "seq": i, **m} for i, m in enumerate(moves)],
        )
    conn.execute(
        update(s.person)
        .where(s.person.c.id == merged_id)
        .values(merged_into_id=kept_id, updated_at=now)
    )
    conn.execute(update(s.person).where(s.person.c.id == kept_id).values(updated_at=now))
    conn.execute(delete(s.search_term).where(s.search_term.c.person_id == merged_id))
    refresh_terms(conn, [kept_id])
    return MergeResult(merge_id, kept_id, merged_id, moved=len(moves), left=left)


def unmerge(conn: Connection, person_id: int) -> MergeResult:
    """Undo the latest merge that involved ``person_id`` (as the kept or the merged person)."""
    found = conn.execute(
        select(s.merge)
        .where(
            s.merge.c.undone_at.is_(None),
            (s.merge.c.kept_id == person_id) | (s.merge.c.merged_id == person_id),
        )
        .order_by(s.merge.c.id.desc())
        .limit(1)
    ).first()
    if found is None:
        raise NotFound(f"#{person_id} has no merge to undo")
    merge_id, kept_id, merged_id = found.id, found.kept_id, found.merged_id
    later = conn.execute(
        select(func.count())
        .select_from(s.merge)
        .where(s.merge.c.undone_at.is_(None), s.merge.c.id > merge_id, s.merge.c.kept_id == kept_id)
    ).scalar_one()
    if later:
        raise Conflict(f"undo the later merges into #{kept_id} first")
    tables = {t.name: t for t in s.metadata.sorted_tables}
    moves = conn.execute(
        select(s.merge_move)
        .where(s.merge_move.c.merge_id == merge_id)
        .order_by(s.merge_move.c.seq.desc())
    ).all()
    for move in moves:
        table = tables[move.table_name]
        key = json.loads(move.row_key)
        where = and_(*(table.c[k] == v for k, v in key.items()))
        if move.column_name == "insert":
            conn.execute(delete(table).where(where))
        elif move.column_name.startswith("fill:"):
            conn.execute(update(table).where(where).values({move.column_name[5:]: None}))
        else:
            conn.execute(update(table).where(where).values({move.column_name: merged_id}))
    now = datetime.now(UTC)
    conn.execute(update(s.merge).where(s.merge.c.id == merge_id).values(undone_at=now))
    conn.execute(
        update(s.person)
        .where(s.person.c.id == merged_id)
        .values(merged_into_id=None, updated_at=now)
    )
    refresh_terms(conn, [kept_id, merged_id])
    return MergeResult(merge_id, kept_id, merged_id, moved=len(moves), left=0)


def _mentions(value: Any, ids: set[int], words: tuple[str, ...]) -> bool:
    """Whether a stored review's JSON names one of ``ids`` or contains one of ``words``."""
    if isinstance(value, dict):
        if value.get("person_id") in ids:
            return True
        return any(_mentions(v, ids, words) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, ids, words) for v in value)
    if isinstance(value, str):
        low = value.lower()
        return any(w in low for w in words)
    return False


def _drop_reviews_naming(conn: Connection, ids: list[int]) -> int:
    """Delete the stored monthly reviews that mention the forgotten people (by id, name, alias
    or identity): a review is a rendering of facts, and ``weakties review --month`` makes it
    again from what is left. Returns how many went."""
    import json

    names = conn.execute(select(s.person.c.name).where(s.person.c.id.in_(ids))).scalars()
    aliases = conn.execute(
        select(s.person_alias.c.alias).where(s.person_alias.c.person_id.in_(ids))
    ).scalars()
    values = conn.execute(
        select(s.identity.c.value).where(s.identity.c.person_id.in_(ids))
    ).scalars()
    words = tuple(
        {w.strip().lower() for w in (*names, *aliases, *values) if w and len(w.strip()) >= 3}
    )
    wanted = set(ids)
    doomed = []
    for rid, content in conn.execute(select(s.review.c.id, s.review.c.content)):
        try:
            parsed = json.loads(content)
        except ValueError:
            parsed = content
        if _mentions(parsed, wanted, words):
            doomed.append(int(rid))
    if doomed:
        conn.execute(delete(s.review).where(s.review.c.id.in_(doomed)))
    return len(doomed)


def forget_person(conn: Connection, person_id: int) -> dict[str, int]:
    """Erase a person and every fact about them (and records merged into them); returns counts.

    Interactions they shared with only one other person disappear too: a conversation with
    nobody left in it says nothing but that the forgotten person existed.
    """
    ids = [person_id]
    while True:
        more = [
            int(i)
            for i in conn.execute(
                select(s.person.c.id).where(
                    s.person.c.merged_into_id.in_(ids), s.person.c.id.notin_(ids)
                )
            ).scalars()
        ]
        if not more:
            break
        ids += more

    def count(table: Table, *conds: Any) -> int:
        return int(conn.execute(select(func.count()).select_from(table).where(*conds)).scalar_one())

    p = s.participant.c
    shared = select(p.interaction_id).where(p.person_id.in_(ids))
    remaining = (
        select(p.interaction_id)
        .where(p.interaction_id.in_(shared), p.person_id.notin_(ids))
        .group_by(p.interaction_id)
        .having(func.count(func.distinct(p.person_id)) >= 2)
    )
    doomed = [
        int(i)
        for i in conn.execute(
            select(s.interaction.c.id).where(
                s.interaction.c.id.in_(shared), s.interaction.c.id.notin_(remaining)
            )
        ).scalars()
    ]
    counts = {
        "people": len(ids),
        "identities": count(s.identity, s.identity.c.person_id.in_(ids)),
        "affiliations": count(s.affiliation, s.affiliation.c.person_id.in_(ids)),
        "interactions": count(s.interaction, s.interaction.c.id.in_(shared)),
        "favours": count(s.favor, s.favor.c.giver_id.in_(ids) | s.favor.c.receiver_id.in_(ids)),
        "introductions": count(
            s.introduction,
            s.introduction.c.a_id.in_(ids)
            | s.introduction.c.b_id.in_(ids)
            | s.introduction.c.introducer_id.in_(ids),
        ),
        "goals": count(s.goal, s.goal.c.owner_id.in_(ids)),
        "opportunity links": count(s.opportunity_link, s.opportunity_link.c.person_id.in_(ids)),
        "notes": count(s.note, s.note.c.person_id.in_(ids)),
        "tags": count(s.person_tag, s.person_tag.c.person_id.in_(ids)),
        "source records": count(s.source_record, s.source_record.c.person_id.in_(ids)),
    }
    counts["stored reviews"] = _drop_reviews_naming(conn, ids)
    for start in range(0, len(doomed), 500):
        conn.execute(
            delete(s.interaction).where(s.interaction.c.id.in_(doomed[start : start + 500]))
        )
    # merges that mention them go; the people they were merged with stay as they are
    conn.execute(delete(s.merge).where(s.merge.c.kept_id.in_(ids) | s.merge.c.merged_id.in_(ids)))
    conn.execute(update(s.person).where(s.person.c.id.in_(ids)).values(merged_into_id=None))
    conn.execute(delete(s.person).where(s.person.c.id.in_(ids)))
    return counts
