"""Fast bulk loading of a whole world (the demo, benchmarks) with explicit ids and executemany.

Row-by-row inserts through the repositories cost a round trip per fact; a world of tens of
thousands of interactions loads here in a few statements per table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection

from weakties.domain.people import normalize_org_name, normalize_tag
from weakties.errors import Conflict
from weakties.store import schema as s
from weakties.store.search import bulk_terms

if TYPE_CHECKING:
    from weakties.synth.world import World


def _next_id(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def _insert(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], chunk: int = 20_000
) -> None:
    for start in range(0, len(rows), chunk):
        conn.execute(insert(table), list(rows[start : start + chunk]))


def fix_sequences(conn: Connection, tables: Sequence[Table]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
            )
        )


def load_world(conn: Connection, world: World) -> dict[int, int]:
    """Insert every fact of ``world``; refuses a workspace that already has people."""
    existing = conn.execute(select(func.count()).select_from(s.person)).scalar_one()
    if existing:
        raise Conflict("the workspace is not empty; load a world into a fresh database (--db)")
    now = datetime.now(UTC)
    first_person, first_org = _next_id(conn, s.person), _next_id(conn, s.organization)
    pid = {i: first_person + i for i in range(len(world.people))}
    oid = {i: first_org + i for i in range(len(world.orgs))}
    p_rows, alias_rows, ident_rows, tag_rows, skill_rows = [], [], [], [], []
    for person in world.people:
        assert person.id is not None
        new = pid[person.id]
        p_rows.append(
            {
                "id": new,
                "name": person.name,
                "given_name": person.given_name,
                "family_name": person.family_name,
                "is_me": person.is_me,
                "location": person.location,
                "how_met": person.how_met,
                "met_where": person.met_where,
                "met_when": person.met_when.iso() if person.met_when else None,
                "met_through_id": pid[person.met_through_id]
                if person.met_through_id is not None
                else None,
                "do_not_ask": person.do_not_ask,
                "merged_into_id": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        alias_rows += [{"person_id": new, "alias": a} for a in dict.fromkeys(person.aliases)]
        seen_ident = set()
        for ident in person.identities:
            if (ident.kind, ident.value) in seen_ident:
                continue
            seen_ident.add((ident.kind, ident.value))
            ident_rows.append(
                {
                    "person_id": new,
                    "kind": ident.kind.value,
                    "value": ident.value,
                    "label": ident.label,
                }
            )
        tag_rows += [
            {"person_id": new, "tag": t}
            for t in dict.fromkeys(normalize_tag(t) for t in person.tags)
        ]
        skill_rows += [{"person_id": new, "skill": k} for k in dict.fromkeys(person.skills)]
    # met_through points at other people: insert people first without it, then set it
    through = {r["id"]: r.pop("met_through_id") for r in p_rows}
    _insert(conn, s.person, p_rows)
    for person_id, target in through.items():
        if target is not None:
            conn.execute(
                s.person.update().where(s.person.c.id == person_id).values(met_through_id=target)
            )
    _insert(conn, s.person_alias, alias_rows)
    _insert(conn, s.identity, ident_rows)
    _insert(conn, s.person_tag, tag_rows)
    _insert(conn, s.person_skill, skill_rows)

    o_rows, oa_rows, od_rows = [], [], []
    for org in world.orgs:
        assert org.id is not None
        new = oid[org.id]
        o_rows.append(
            {
                "id": new,
                "name": org.name,
                "name_key": normalize_org_name(org.name),
                "kind": org.kind.value,
                "industry": org.industry,
                "location": org.location,
                "created_at": now,
            }
        )
        keys = {normalize_org_name(org.name)}
        for alias in org.aliases:
            key = normalize_org_name(alias)
            if key not in keys:
                keys.add(key)
                oa_rows.append({"org_id": new, "alias_key": key, "alias": alias})
        od_rows += [{"org_id": new, "domain": d.lower()} for d in org.domains]
    _insert(conn, s.organization, o_rows)
    _insert(conn, s.org_alias, oa_rows)
    _insert(conn, s.org_domain, od_rows)

    org_names = {o.id: o.name for o in world.orgs}
    terms: dict[int, list[str]] = {}
    for person in world.people:
        assert person.id is not None
        texts = [person.name, *person.aliases, *person.tags, *person.skills]
        texts += [i.value for i in person.identities]
        texts += [i.value.split("@")[0] for i in person.identities if i.kind.value == "email"]
        if person.location:
            texts.append(person.location)
        terms[pid[person.id]] = texts
    aff_rows = []
    first_aff = _next_id(conn, s.affiliation)
    for i, aff in enumerate(world.affiliations):
        aff_rows.append(
            {
                "id": first_aff + i,
                "person_id": pid[aff.person_id],
                "org_id": oid[aff.org_id],
                "title": aff.title,
                "kind": aff.kind.value,
                "start": aff.start.iso() if aff.start else None,
                "end": aff.end.iso() if aff.end else None,
                "source_record_id": None,
            }
        )
        terms[pid[aff.person_id]] += [org_names[aff.org_id], aff.title or ""]
    _insert(conn, s.affiliation, aff_rows)
    bulk_terms(conn, sorted(terms.items()))

    first_int = _next_id(conn, s.interaction)
    i_rows, part_rows = [], []
    for i, item in enumerate(world.interactions):
        new = first_int + i
        people = {p.person_id for p in item.participants}
        i_rows.append(
            {
                "id": new,
                "occurred_at": item.occurred_at,
                "channel": item.channel.value,
                "kind": item.kind.value,
                "direction": item.direction.value,
                "summary": item.summary,
                "thread_key": item.thread_key,
                "n_participants": len(people),
                "source_record_id": None,
            }
        )
        seen_roles: set[tuple[int, str]] = set()
        for part in item.participants:
            role_key = (part.person_id, part.role.value)
            if role_key not in seen_roles:
                seen_roles.add(role_key)
                part_rows.append(
                    {
                        "interaction_id": new,
                        "person_id": pid[part.person_id],
                        "role": part.role.value,
                    }
                )
    _insert(conn, s.interaction, i_rows)
    _insert(conn, s.participant, part_rows)

    _insert(
        conn,
        s.favor,
        [
            {
                "giver_id": pid[f.giver_id],
                "receiver_id": pid[f.receiver_id],
                "what": f.what,
                "happened": f.when.iso() if f.when else None,
                "size": f.size.value,
                "source_record_id": None,
            }
            for f in world.favors
        ],
    )
    _insert(
        conn,
        s.introduction,
        [
            {
                "introducer_id": pid[x.introducer_id] if x.introducer_id is not None else None,
                "a_id": pid[x.a_id],
                "b_id": pid[x.b_id],
                "happened": x.when.iso() if x.when else None,
                "outcome": x.outcome.value,
                "note": x.note,
            }
            for x in world.introductions
        ],
    )
    first_goal = _next_id(conn, s.goal)
    gid = {i: first_goal + i for i in range(len(world.goals))}
    _insert(
        conn,
        s.goal,
        [
            {
                "id": gid[i],
                "owner_id": pid[g.owner_id],
                "text": g.text,
                "status": g.status.value,
                "created": g.created.iso() if g.created else None,
                "closed": g.closed.iso() if g.closed else None,
            }
            for i, g in enumerate(world.goals)
        ],
    )
    _insert(
        conn,
        s.goal_tag,
        [
            {"goal_id": gid[i], "kind": kind, "value": value}
            for i, g in enumerate(world.goals)
            for kind, value in sorted({(t.kind.value, t.value) for t in g.tags})
        ],
    )
    first_opp = _next_id(conn, s.opportunity)
    _insert(
        conn,
        s.opportunity,
        [
            {
                "id": first_opp + i,
                "title": o.title,
                "org_id": oid[o.org_id] if o.org_id is not None else None,
                "status": o.status.value,
                "opened": o.opened.iso() if o.opened else None,
                "closed": o.closed.iso() if o.closed else None,
                "goal_id": gid[o.goal_id] if o.goal_id is not None else None,
                "note": o.note,
            }
            for i, o in enumerate(world.opportunities)
        ],
    )
    _insert(
        conn,
        s.opportunity_link,
        [
            {"opportunity_id": first_opp + i, "position": k, "person_id": pid[p]}
            for i, o in enumerate(world.opportunities)
            for k, p in enumerate(o.chain)
        ],
    )
    fix_sequences(
        conn, [s.person, s.organization, s.affiliation, s.interaction, s.goal, s.opportunity]
    )
    return pid
