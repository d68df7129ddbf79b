"""Full-text search over people, portable to every engine.

Each person gets a set of terms (name words, identity values and their parts, organisations,
titles, tags, skills, note words), folded to lower-case ASCII where possible. A query matches
people having, for every query word, a term that starts with it: an index range scan per word,
which SQLite, PostgreSQL and Spark SQL all run the same way (no engine-specific FTS).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from weakties.store import schema as s

_WORD = re.compile(r"[\w]+", re.UNICODE)
TERM_MAX = 100
_TOP = "\U0010ffff"


def fold(text: str) -> str:
    """Lower-case and strip diacritics: "Zoë Ångström" → "zoe angstrom"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The searchable words of ``text`` (folded)."""
    return [w[:TERM_MAX] for w in _WORD.findall(fold(text))]


def identity_terms(kind: str, value: str) -> set[str]:
    """What an identity is found by: the whole value and its parts (email user and domain)."""
    terms = {fold(value)[:TERM_MAX]}
    if kind == "email":
        local, _, domain = value.partition("@")
        terms.update(words(local))
        terms.add(domain[:TERM_MAX])
        terms.update(words(domain))
    elif kind == "url":
        terms.update(words(value.rsplit("/", 1)[-1]))
    elif kind == "phone":
        terms.add(value.lstrip("+"))
    return terms


def person_terms(conn: Connection, person_id: int) -> set[str]:
    """Everything a search should find this person by."""
    return terms_of(conn, [person_id])[person_id]


def terms_of(conn: Connection, person_ids: Sequence[int]) -> dict[int, set[str]]:
    """:func:`person_terms` of many people, with one query per kind of fact."""
    ids = list(person_ids)
    terms: dict[int, set[str]] = {pid: set() for pid in ids}
    for pid, *values in conn.execute(
        select(
            s.person.c.id,
            s.person.c.name,
            s.person.c.location,
            s.person.c.how_met,
            s.person.c.met_where,
        ).where(s.person.c.id.in_(ids))
    ):
        for value in values:
            if value:
                terms[pid].update(words(value))
    for pid, alias in conn.execute(
        select(s.person_alias.c.person_id, s.person_alias.c.alias).where(
            s.person_alias.c.person_id.in_(ids)
        )
    ):
        terms[pid].update(words(alias))
    for pid, kind, value in conn.execute(
        select(s.identity.c.person_id, s.identity.c.kind, s.identity.c.value).where(
            s.identity.c.person_id.in_(ids)
        )
    ):
        terms[pid] |= identity_terms(kind, value)
    for pid, name, title in conn.execute(
        select(s.affiliation.c.person_id, s.organization.c.name, s.affiliation.c.title)
        .select_from(s.affiliation.join(s.organization))
        .where(s.affiliation.c.person_id.in_(ids))
    ):
        terms[pid].update(words(name))
        if title:
            terms[pid].update(words(title))
    for pid, tag in conn.execute(
        select(s.person_tag.c.person_id, s.person_tag.c.tag).where(
            s.person_tag.c.person_id.in_(ids)
        )
    ):
        terms[pid].add(fold(tag)[:TERM_MAX])
        terms[pid].update(words(tag))
    for pid, skill in conn.execute(
        select(s.person_skill.c.person_id, s.person_skill.c.skill).where(
            s.person_skill.c.person_id.in_(ids)
        )
    ):
        terms[pid].update(words(skill))
    for pid, text in conn.execute(
        select(s.note.c.person_id, s.note.c.text).where(s.note.c.person_id.in_(ids))
    ):
        terms[pid].update(words(text))
    return {pid: {t for t in found if t} for pid, found in terms.items()}


_REFRESH_CHUNK = 500  # ids per IN list: well under every engine's parameter limit


def refresh_terms(conn: Connection, person_ids: Iterable[int]) -> None:
    """Recompute the search terms of these people (after any change to what they are found by)."""
    ids = sorted(set(person_ids))
    for at in range(0, len(ids), _REFRESH_CHUNK):
        chunk = ids[at : at + _REFRESH_CHUNK]
        conn.execute(delete(s.search_term).where(s.search_term.c.person_id.in_(chunk)))
        found = terms_of(conn, chunk)
        rows = [{"person_id": pid, "term": t} for pid in chunk for t in sorted(found[pid])]
        if rows:
            conn.execute(insert(s.search_term), rows)


def bulk_terms(conn: Connection, rows: Sequence[tuple[int, Iterable[str]]]) -> None:
    """Insert terms for many fresh people at once (bulk loads; no prior terms exist)."""
    payload = [
        {"person_id": pid, "term": term}
        for pid, texts in rows
        for term in sorted({w for text in texts for w in words(text)})
    ]
    if payload:
        conn.execute(insert(s.search_term), payload)


def matching_ids(query: str) -> Select[tuple[int]] | None:
    """A SELECT of the ids of people matching every word of ``query`` (None: no words)."""
    tokens = sorted(set(words(query)))
    if not tokens:
        return None
    stmt: Select[tuple[int]] | None = None
    for token in tokens:
        sub = (
            select(s.search_term.c.person_id)
            .where(and_(s.search_term.c.term >= token, s.search_term.c.term < token + _TOP))
            .distinct()
        )
        stmt = sub if stmt is None else stmt.where(s.search_term.c.person_id.in_(sub))
    return stmt
