"""Finding the person a user means: by id, email, profile URL, phone, handle or fuzzy name."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.engine import Connection

from weakties.domain.identities import guess_identity
from weakties.errors import Ambiguous, InvalidInput, NotFound
from weakties.store import schema as s
from weakties.store.people import merged_into, owner_of_identity, visible
from weakties.store.search import fold, matching_ids

FUZZY_CUTOFF = 82.0


def _label(conn: Connection, person_id: int) -> str:
    name = conn.execute(select(s.person.c.name).where(s.person.c.id == person_id)).scalar()
    org = conn.execute(
        select(s.organization.c.name)
        .select_from(s.affiliation.join(s.organization))
        .where(s.affiliation.c.person_id == person_id, s.affiliation.c.end.is_(None))
        .limit(1)
    ).scalar()
    return f"#{person_id} {name}" + (f" ({org})" if org else "")


def _follow_merges(conn: Connection, person_id: int) -> int:
    seen = {person_id}
    while (target := merged_into(conn, person_id)) is not None and target not in seen:
        person_id = target
        seen.add(target)
    return person_id


def resolve_person(conn: Connection, text: str, *, include_merged: bool = False) -> int:
    """The id of the one person ``text`` names; :class:`Ambiguous` lists candidates otherwise."""
    query = text.strip()
    if not query:
        raise InvalidInput("no person given", hint="give an id, an email, a profile URL or a name")
    if re.fullmatch(r"#?\d{1,12}", query) and not re.fullmatch(r"\d{7,}", query):
        person_id = int(query.lstrip("#"))
        exists = conn.execute(select(s.person.c.id).where(s.person.c.id == person_id)).first()
        if not exists:
            raise NotFound(f"no person #{person_id}")
        return person_id if include_merged else _follow_merges(conn, person_id)
    if query.lower() in ("me", "myself"):
        found = conn.execute(
            select(s.person.c.id).where(s.person.c.is_me.is_(True), visible)
        ).first()
        if found:
            return int(found[0])
    try:
        ident = guess_identity(query)
    except InvalidInput:
        ident = None
    if ident is not None:
        owner = owner_of_identity(conn, ident)
        if owner is None:
            raise NotFound(f"nobody has the {ident.kind.value} {ident.value}")
        return owner if include_merged else _follow_merges(conn, owner)
    return _by_name(conn, query)


def _by_name(conn: Connection, query: str) -> int:
    folded = " ".join(fold(query).split())
    ids_stmt = matching_ids(query)
    candidates: list[int] = []
    if ids_stmt is not None:
        sub = ids_stmt.subquery()
        candidates = [
            int(i)
            for i in conn.execute(
                select(s.person.c.id)
                .where(s.person.c.id.in_(select(sub.c.person_id)), visible)
                .limit(50)
            ).scalars()
        ]
    if candidates:
        names = dict(
            conn.execute(
                select(s.person.c.id, s.person.c.name).where(s.person.c.id.in_(candidates))
            ).all()
        )
        exact = [pid for pid in candidates if " ".join(fold(names[pid]).split()) == folded]
        if len(exact) == 1:
            return exact[0]
        if len(candidates) == 1:
            return candidates[0]
        pool = exact or candidates
        raise Ambiguous(
            f"{query!r} matches {len(pool)} people",
            [_label(conn, pid) for pid in sorted(pool)[:10]],
            hint="use the id, e.g. #12, or an email",
        )
    return _fuzzy(conn, query, folded)


def _fuzzy(conn: Connection, query: str, folded: str) -> int:
    from rapidfuzz import fuzz, process

    rows = conn.execute(select(s.person.c.id, s.person.c.name).where(visible)).all()
    choices = {int(pid): fold(name) for pid, name in rows}
    hits = process.extract(folded, choices, scorer=fuzz.WRatio, limit=5, score_cutoff=FUZZY_CUTOFF)
    if not hits:
        raise NotFound(f"nobody matches {query!r}", hint="try `weakties people QUERY` to search")
    best = hits[0][1]
    top = [h for h in hits if h[1] >= best - 3]
    if len(top) == 1:
        return int(top[0][2])
    raise Ambiguous(
        f"{query!r} is close to {len(top)} people",
        [_label(conn, int(h[2])) for h in top],
        hint="use the id, e.g. #12, or an email",
    )
