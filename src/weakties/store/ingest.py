"""Idempotent ingest of importer records, in one transaction per file.

Every record gets a :data:`~weakties.store.schema.source_record` row keyed by
``(source, external id)`` with a hash of its content: the same record imported again changes
nothing, a changed record updates its facts, and facts the user typed by hand (rows without a
source record, or profile fields already filled) are never overwritten.

People are resolved in this order: the owner; a source key seen before; an exact identity
(email, phone, profile URL — several people sharing one record's identities are merged, since
an identity belongs to one person); then, for contacts, fuzzy name matching backed by evidence
(:mod:`weakties.store.resolve`), which merges when sure and queues for review when not.
Interactions, the bulk of any mailbox, are written in batches with explicit ids for speed.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from weakties.domain.identities import Identity
from weakties.domain.names import fold_name
from weakties.domain.people import Affiliation, OrgKind, normalize_org_name
from weakties.domain.records import (
    ContactRecord,
    FavorRecord,
    InteractionRecord,
    PersonRef,
    Problem,
    Record,
    RelationRecord,
    Skipped,
)
from weakties.errors import ImportFailed
from weakties.store import orgs as store_orgs
from weakties.store import people as store_people
from weakties.store import resolve
from weakties.store import schema as s
from weakties.store.merges import merge_people
from weakties.store.search import identity_terms, refresh_terms, words

BATCH = 5_000
MAX_SHOWN_PROBLEMS = 5
_REF_OBJECTS = 100_000  # remembered participant references: bounded memory on any mailbox


@dataclass
class IngestReport:
    """What one import did, for the user and for ``weakties imports``."""

    importer: str
    path: str
    run_id: int | None = None
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def records(self) -> int:
        return sum(v for k, v in self.counts.items() if k.startswith("records."))


def _ref_text(ref: PersonRef) -> str:
    text = "|".join([i.value for i in ref.identities]) if ref.identities else ref.key or ""
    return f"{text}|{ref.name}|{ref.is_me}"


def _interaction_hash(record: InteractionRecord, refs: str) -> str:
    """The content hash of an interaction whose participants' canonical text is ``refs``."""
    text = "\x1f".join(
        [
            record.key,
            record.occurred_at.isoformat(),
            record.channel,
            record.kind,
            record.direction,
            record.thread_key or "",
            record.summary or "",
            refs,
        ]
    )
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def content_hash(record: Record) -> str:
    """A stable hash of what a record says (not where it sits in the file).

    Interactions, the bulk of every mailbox, get a hand-written canonical text: ``repr`` of the
    nested dataclasses costs more than parsing the message did. StrEnum members are their
    values, so they join as text directly.
    """
    if isinstance(record, InteractionRecord):
        refs = ";".join([role + "=" + _ref_text(ref) for ref, role in record.participants])
        return _interaction_hash(record, refs)
    parts = [repr(getattr(record, f.name)) for f in fields(record) if f.name != "origin"]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()


_SOURCE_COLUMNS = (
    "id",
    "source",
    "external_id",
    "file",
    "locator",
    "content_hash",
    "person_id",
    "import_run_id",
)
_INTERACTION_COLUMNS = (
    "id",
    "occurred_at",
    "channel",
    "kind",
    "direction",
    "summary",
    "thread_key",
    "n_participants",
    "source_record_id",
)
_PARTICIPANT_COLUMNS = ("interaction_id", "person_id", "role")


def _sqlite_time(value: datetime | None) -> str | None:
    """An aware time in SQLAlchemy's SQLite text form, "YYYY-MM-DD HH:MM:SS.ffffff" UTC."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


_KIND_OF: dict[type, str] = {
    ContactRecord: "contact",
    InteractionRecord: "interaction",
    FavorRecord: "favor",
    RelationRecord: "relation",
}


class Ingest:
    """Feeds records of one import into the store; call :meth:`finish` at the end."""

    def __init__(
        self,
        conn: Connection,
        importer: str,
        path: str,
        *,
        strict: bool = False,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.conn = conn
        self.source = importer
        self.strict = strict
        self.on_progress = on_progress
        self.report = IngestReport(importer, path)
        self.started = datetime.now(UTC)
        if conn.dialect.name == "postgresql":
            # an import numbers its new rows itself (max(id) + 1, then fixes the sequences):
            # one writer at a time on these tables, as SQLite's write lock gives for free.
            # Two imports at once queued here instead of failing with a duplicate key.
            conn.exec_driver_sql(
                "LOCK TABLE person, identity, interaction, source_record"
                " IN SHARE ROW EXCLUSIVE MODE"
            )
        self.run_id = int(
            conn.execute(
                insert(s.import_run).values(
                    importer=importer,
                    path=path,
                    started_at=self.started,
                    status="running",
                    counts="{}",
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        self.report.run_id = self.run_id
        self.me = store_people.me_id(conn)
        self.identities: dict[tuple[str, str], int] = {
            (k, v): int(p)
            for k, v, p in conn.execute(
                select(s.identity.c.kind, s.identity.c.value, s.identity.c.person_id)
            )
        }
        self.redirect: dict[int, int] = {
            int(a): int(b)
            for a, b in conn.execute(
                select(s.person.c.id, s.person.c.merged_into_id).where(
                    s.person.c.merged_into_id.is_not(None)
                )
            )
        }
        self.sources: dict[str, tuple[int, str, int | None]] = {
            ext: (int(rid), h, pid)
            for rid, ext, h, pid in conn.execute(
                select(
                    s.source_record.c.id,
                    s.source_record.c.external_id,
                    s.source_record.c.content_hash,
                    s.source_record.c.person_id,
                ).where(s.source_record.c.source == importer)
            )
        }
        self.names: dict[str, list[int]] | None = None  # folded name → people, loaded on demand
        self.ref_cache: dict[str, int] = {}
        self.touched: set[int] = set()
        self.created_here: set[int] = set()
        self.run_profiles: dict[int, resolve.Profile] = {}
        self.org_cache: dict[str, int] = {}
        self.run_blocks: dict[str, list[int]] = {}
        self.next_interaction = self._next_id(s.interaction)
        self.next_person = self._next_id(s.person)
        self.pending_people: list[dict[str, Any]] = []
        self.pending_identities: list[dict[str, Any]] = []
        self.new_terms: dict[int, set[str]] = {}
        self.next_source = self._next_id(s.source_record)
        # the bulk tables are buffered as tuples in the column order below: no dict per row
        self.pending_sources: list[tuple[Any, ...]] = []
        self.pending_interactions: list[tuple[Any, ...]] = []
        self.pending_participants: list[tuple[Any, ...]] = []
        self.seen_keys: set[str] = set()
        self.count = 0
        # id(ref) → [ref, its canonical text, its person or None]: mail and chat importers hand
        # the same PersonRef object for every message of a correspondent, and describing and
        # resolving it again costs more than the rest of the message
        self.ref_objects: dict[int, list[Any]] = {}

    def _next_id(self, table: Any) -> int:
        return (
            int(self.conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
        )

    # ------------------------------------------------------------ people
    def canon(self, person_id: int) -> int:
        seen = set()
        while person_id in self.redirect and person_id not in seen:
            seen.add(person_id)
            person_id = self.redirect[person_id]
        return person_id

    def _me(self) -> int:
        if self.me is None:
            self.flush()
            self.me = self.next_person
            self.next_person += 1
            now = datetime.now(UTC)
            self.conn.execute(
                insert(s.person).values(
                    id=self.me,
                    name="Me",
                    is_me=True,
                    do_not_ask=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            self.touched.add(self.me)
        return self.me

    def _merge(self, kept: int, other: int, reason: str) -> int:
        kept, other = self.canon(kept), self.canon(other)
        if kept == other:
            return kept
        self.flush()  # moved rows must exist before the merge moves them
        result = merge_people(self.conn, kept, other, reason=reason)
        self.redirect[result.merged_id] = result.kept_id
        for key, pid in list(self.identities.items()):
            if pid == result.merged_id:
                self.identities[key] = result.kept_id
        if self.me == result.merged_id:
            self.me = result.kept_id
        self.names = None
        self.report.counts["merged.automatically"] += 1
        self.touched.add(result.kept_id)
        return result.kept_id

    def _by_identities(self, identities: Iterable[Identity]) -> int | None:
        owners = []
        for ident in identities:
            pid = self.identities.get((ident.kind.value, ident.value))
            if pid is not None:
                pid = self.canon(pid)
                if pid not in owners:
                    owners.append(pid)
        if not owners:
            return None
        kept = self.me if self.me in owners else owners[0]
        for other in owners:
            if other != kept:
                assert kept is not None
                kept = self._merge(kept, other, reason="same identity")
        return kept

    def _attach(self, person_id: int, identities: Iterable[Identity]) -> None:
        for ident in identities:
            key = (ident.kind.value, ident.value)
            if key in self.identities:
                continue
            self.pending_identities.append(
                {"person_id": person_id, "kind": key[0], "value": key[1], "label": ident.label}
            )
            self.identities[key] = person_id
            if person_id in self.new_terms:  # created in this run and not yet written
                self.new_terms[person_id] |= identity_terms(*key)
            else:
                self.touched.add(person_id)

    def _by_name(self, name: str) -> int | None:
        if self.names is None:
            self.names = {}
            for pid, pname in self.conn.execute(
                select(s.person.c.id, s.person.c.name).where(store_people.visible)
            ):
                self.names.setdefault(fold_name(pname), []).append(int(pid))
            for pid, alias in self.conn.execute(
                select(s.person_alias.c.person_id, s.person_alias.c.alias)
            ):
                self.names.setdefault(fold_name(alias), []).append(self.canon(int(pid)))
        found = sorted(set(self.names.get(fold_name(name), [])))
        return found[0] if len(found) == 1 else None

    def _create(self, name: str, identities: tuple[Identity, ...]) -> int:
        """A new person, buffered: written with the next batch, search terms and all."""
        last, comma, first = name.partition(",")
        if comma and last.strip() and first.strip() and "," not in first and len(last.split()) <= 2:
            name = f"{first.strip()} {last.strip()}"  # "Roe, Jane" as address books write it
        # a display name from a header or a chat: first and last word (nameparser is 100 µs a name)
        parts = name.split()
        given = parts[0] if len(parts) > 1 else None
        family = parts[-1] if len(parts) > 1 else None
        pid = self.next_person
        self.next_person += 1
        now = datetime.now(UTC)
        self.pending_people.append(
            {
                "id": pid,
                "name": name[:300],
                "given_name": given[:200] if given else None,
                "family_name": family[:200] if family else None,
                "is_me": False,
                "do_not_ask": False,
                "created_at": now,
                "updated_at": now,
            }
        )
        self.new_terms[pid] = set(words(name))
        self._attach(pid, identities)
        if self.names is not None:
            self.names.setdefault(fold_name(name), []).append(pid)
        self.created_here.add(pid)
        self.report.counts["people.created"] += 1
        return pid

    def person_for(self, ref: PersonRef) -> int:
        """The person a reference names, created when nobody matches."""
        if ref.is_me:
            me = self._me()
            other = self._by_identities(ref.identities)
            if other is not None and other != me:
                me = self._merge(me, other, reason="the owner's identity")
            self._attach(me, ref.identities)
            return me
        if ref.key and ref.key in self.ref_cache:
            cached = self.canon(self.ref_cache[ref.key])
            self._attach(cached, ref.identities)
            return cached
        pid = self._by_identities(ref.identities)
        if pid is None and ref.key and ref.key in self.sources:
            stored = self.sources[ref.key][2]
            pid = self.canon(stored) if stored is not None else None
        if pid is None and not ref.identities and ref.name:
            pid = self._by_name(ref.name)
        if pid is None:
            name = (ref.name or "").strip() or (
                ref.identities[0].value if ref.identities else "Unknown"
            )
            pid = self._create(name, ref.identities)
        else:
            self._attach(pid, ref.identities)
        if ref.key:
            self.ref_cache[ref.key] = pid
        return pid

    # ----------------------------------------------------------- records
    def add(self, record: Record) -> None:
        """Ingest one record (problems count, or raise under ``strict``)."""
        self.count += 1
        if self.on_progress is not None and self.count % 1000 == 0:
            self.on_progress(self.count)
        if isinstance(record, Problem):
            self.report.counts["problems"] += 1
            if self.strict:
                raise ImportFailed(
                    record.message,
                    location=str(record.origin),
                    hint="without --strict it is skipped",
                )
            if len(self.report.problems) < MAX_SHOWN_PROBLEMS:
                self.report.problems.append(str(record))
            return
        if isinstance(record, Skipped):
            self.report.counts[f"skipped.{record.reason}"] += 1
            return
        if type(record) is InteractionRecord:
            self._add_interaction(record)
            return
        kind = _KIND_OF[type(record)]
        self.report.counts[f"records.{kind}"] += 1
        if record.key in self.seen_keys:
            self.report.counts[f"{kind}.repeated"] += 1
            return  # the same record twice in one export: the first one stands
        self.seen_keys.add(record.key)
        digest = content_hash(record)
        known = self.sources.get(record.key)
        if known is not None and known[1] == digest:
            self.report.counts[f"{kind}.unchanged"] += 1
            if isinstance(record, ContactRecord) and known[2] is not None:
                self.ref_cache[record.key] = self.canon(known[2])
            return
        if isinstance(record, ContactRecord):
            self._contact(record, digest, known)
        elif isinstance(record, FavorRecord):
            self._favor(record, digest, known)
        elif isinstance(record, RelationRecord):
            self._relation(record, digest, known)
        self.report.counts[f"{kind}.{'updated' if known else 'new'}"] += 1

    def _ref_entry(self, ref: PersonRef) -> list[Any]:
        entry = self.ref_objects.get(id(ref))
        if entry is None or entry[0] is not ref:
            if len(self.ref_objects) >= _REF_OBJECTS:
                self.ref_objects.clear()
            entry = self.ref_objects[id(ref)] = [ref, _ref_text(ref), None]
        return entry

    def _add_interaction(self, record: InteractionRecord) -> None:
        """:meth:`add` for an interaction, the bulk of every mailbox and chat: participants'
        texts and people are remembered per reference object (see ``ref_objects``)."""
        counts = self.report.counts
        counts["records.interaction"] += 1
        if record.key in self.seen_keys:
            counts["interaction.repeated"] += 1
            return
        self.seen_keys.add(record.key)
        entries = [(self._ref_entry(ref), role) for ref, role in record.participants]
        digest = _interaction_hash(record, ";".join([role + "=" + e[1] for e, role in entries]))
        known = self.sources.get(record.key)
        if known is not None and known[1] == digest:
            counts["interaction.unchanged"] += 1
            return
        people: dict[int, list[str]] = {}
        for entry, role in entries:
            if entry[2] is None:
                entry[2] = self.person_for(entry[0])
            person = self.canon(entry[2])
            roles = people.get(person)
            if roles is None:
                people[person] = [role]
            elif role not in roles:
                roles.append(role)
        self._write_interaction(record, digest, known, people)
        counts["interaction.updated" if known else "interaction.new"] += 1

    def _source_row(self, record: Record, digest: str, person_id: int | None) -> int:
        assert not isinstance(record, Problem | Skipped)
        rid = self.next_source
        self.next_source += 1
        origin = record.origin
        self.pending_sources.append(
            (
                rid,
                self.source,
                record.key[:512],
                origin.file,
                origin.locator[:100],
                digest,
                person_id,
                self.run_id,
            )
        )
        self.sources[record.key] = (rid, digest, person_id)
        return rid

    def _update_source(self, rid: int, record: Record, digest: str, person_id: int | None) -> None:
        assert not isinstance(record, Problem | Skipped)
        self.flush()
        self.conn.execute(
            update(s.source_record)
            .where(s.source_record.c.id == rid)
            .values(
                content_hash=digest,
                file=record.origin.file,
                locator=record.origin.locator[:100],
                person_id=person_id,
                import_run_id=self.run_id,
            )
        )
        self.sources[record.key] = (rid, digest, person_id)

    def _contact(
        self, record: ContactRecord, digest: str, known: tuple[int, str, int | None] | None
    ) -> None:
        self.flush()  # contacts read and update rows directly: everything buffered goes first
        pid: int | None = None
        if record.is_me:
            pid = self.person_for(PersonRef(is_me=True, identities=record.identities))
        elif known is not None and known[2] is not None:
            pid = self.canon(known[2])
            other = self._by_identities(record.identities)
            if other is not None and other != pid:
                pid = self._merge(pid, other, reason="same identity")
        else:
            pid = self._by_identities(record.identities)
        if pid is None:
            pid = self._resolve_fuzzy(record)
        self._apply_contact(pid, record, known[0] if known else None)
        if known is None:
            rid = self._source_row(record, digest, pid)
        else:
            rid = known[0]
            self._update_source(rid, record, digest, pid)
        self._affiliations(pid, record, rid, replace=known is not None)
        self.ref_cache[record.key] = pid

    def _resolve_fuzzy(self, record: ContactRecord) -> int:
        emails = [i.value for i in record.identities if i.kind.value == "email"]
        profile = resolve.profile_of(
            record.name,
            record.given_name,
            record.family_name,
            [a.org for a in record.affiliations],
            emails,
            record.location,
            record.identities,
        )
        self.flush()
        found = [
            c
            for c in resolve.candidates_for(self.conn, profile, exclude=self.created_here)
            if c.person_id not in self.created_here
        ]
        # records of this same import: the same name twice in one address book is
        # usually two people, so these are only ever suggested, never merged
        same_run = []
        for other in self.run_blocks.get(profile.name.family or profile.name.given, []):
            score, reason = resolve.score_pair(profile, self.run_profiles[other])
            if score >= resolve.REVIEW:
                same_run.append(resolve.Candidate(other, score, reason + "; same export"))
        pid = self._create(record.name, ())
        self.flush()
        self.run_profiles[pid] = profile
        self.run_blocks.setdefault(profile.name.family or profile.name.given, []).append(pid)
        if found and resolve.is_auto_merge(found[0]):
            return self._merge(found[0].person_id, pid, reason=found[0].reason)
        for cand in sorted(found + same_run, key=lambda c: -c.score)[:3]:
            if resolve.queue_candidate(self.conn, cand.person_id, pid, cand.score, cand.reason):
                self.report.counts["merged.queued for review"] += 1
        return pid

    def _apply_contact(self, pid: int, record: ContactRecord, previous_source: int | None) -> None:
        self.flush()
        row = self.conn.execute(select(s.person).where(s.person.c.id == pid)).mappings().one()
        fills: dict[str, Any] = {}
        for column, value in (
            ("given_name", record.given_name),
            ("family_name", record.family_name),
            ("location", record.location),
            ("met_when", record.met_when.iso() if record.met_when else None),
        ):
            if value and not row[column]:
                fills[column] = value
        if row["name"] in ("Me", "Unknown") and record.name.strip():
            fills["name"] = record.name.strip()
        elif fold_name(row["name"]) != fold_name(record.name) and record.name.strip():
            store_people.add_aliases(self.conn, pid, [record.name.strip()])
        if fills:
            fills["updated_at"] = datetime.now(UTC)
            self.conn.execute(update(s.person).where(s.person.c.id == pid).values(**fills))
        self._attach(pid, record.identities)
        tags = [t for t in record.tags if t.strip()]
        if tags:
            store_people.add_tags(self.conn, pid, tags, refresh=False)
        if record.skills:
            store_people.add_skills(self.conn, pid, record.skills, refresh=False)
        if record.note and record.note.strip():
            exists = self.conn.execute(
                select(func.count())
                .select_from(s.note)
                .where(s.note.c.person_id == pid, s.note.c.text == record.note.strip())
            ).scalar_one()
            if not exists:
                store_people.add_note(self.conn, pid, record.note)
        self.touched.add(pid)

    def _org(self, name: str, kind: OrgKind) -> int:
        """The organisation's id, created if new; cached for the run (contacts share employers)."""
        key = normalize_org_name(name)
        found = self.org_cache.get(key)
        if found is None:
            found = store_orgs.ensure_org(self.conn, name, kind)
            self.org_cache[key] = found
        return found

    def _affiliations(self, pid: int, record: ContactRecord, rid: int, *, replace: bool) -> None:
        if not record.affiliations and not replace:
            return
        self.flush()
        if replace:  # what this source said before is replaced by what it says now
            self.conn.execute(delete(s.affiliation).where(s.affiliation.c.source_record_id == rid))
        for aff in record.affiliations:
            if not aff.org.strip():
                continue
            org_id = self._org(aff.org, aff.org_kind)
            if aff.org_domain and store_orgs.org_by_domain(self.conn, aff.org_domain) is None:
                self.conn.execute(
                    insert(s.org_domain).values(domain=aff.org_domain.lower(), org_id=org_id)
                )
            store_people.add_affiliation(
                self.conn,
                Affiliation(
                    person_id=pid,
                    org_id=org_id,
                    title=aff.title,
                    kind=aff.kind,
                    start=aff.start,
                    end=aff.end,
                ),
                source_record_id=rid,
                refresh=False,
            )

    def _write_interaction(
        self,
        record: InteractionRecord,
        digest: str,
        known: tuple[int, str, int | None] | None,
        people: dict[int, list[str]],
    ) -> None:
        """Buffer an interaction, its participants (person → roles) and its source record."""
        if known is not None:
            self.flush()
            self.conn.execute(
                delete(s.interaction).where(s.interaction.c.source_record_id == known[0])
            )
            rid = known[0]
            self._update_source(rid, record, digest, None)
        else:
            rid = self._source_row(record, digest, None)
        if len(people) < 2:
            self.report.counts["interaction.with nobody else"] += 1
            return
        iid = self.next_interaction
        self.next_interaction += 1
        thread = record.thread_key
        self.pending_interactions.append(
            (
                iid,
                record.occurred_at,
                str(record.channel),  # StrEnum: str() is the value, and cheap
                str(record.kind),
                str(record.direction),
                record.summary,
                thread[:512] if thread else None,
                len(people),
                rid,
            )
        )
        self.pending_participants += [
            (iid, pid, str(role)) for pid, roles in people.items() for role in roles
        ]
        if len(self.pending_interactions) >= BATCH:
            self.flush()

    def _favor(
        self, record: FavorRecord, digest: str, known: tuple[int, str, int | None] | None
    ) -> None:
        giver, receiver = self.person_for(record.giver), self.person_for(record.receiver)
        if known is not None:
            self.flush()
            self.conn.execute(delete(s.favor).where(s.favor.c.source_record_id == known[0]))
            rid = known[0]
            self._update_source(rid, record, digest, None)
        else:
            rid = self._source_row(record, digest, None)
        if giver == receiver:
            return
        self.flush()
        self.conn.execute(
            insert(s.favor).values(
                giver_id=giver,
                receiver_id=receiver,
                what=record.what,
                happened=record.when.iso() if record.when else None,
                size=record.size.value,
                source_record_id=rid,
            )
        )

    def _relation(
        self, record: RelationRecord, digest: str, known: tuple[int, str, int | None] | None
    ) -> None:
        a, b = self.person_for(record.a), self.person_for(record.b)
        if known is not None:
            self.flush()
            self.conn.execute(delete(s.knows).where(s.knows.c.source_record_id == known[0]))
            rid = known[0]
            self._update_source(rid, record, digest, None)
        else:
            rid = self._source_row(record, digest, None)
        if a == b:
            return
        self.flush()
        low, high = sorted((a, b))
        self.conn.execute(
            insert(s.knows).values(
                a_id=low,
                b_id=high,
                kind="relation",
                label=record.label,
                source_record_id=rid,
                created_at=datetime.now(UTC),
            )
        )

    # ------------------------------------------------------------ finish
    def _insert_many(self, table: Any, rows: list[dict[str, Any]]) -> None:
        """Insert rows given as dicts (all with the same keys)."""
        if rows:
            columns = tuple(rows[0])
            pick = itemgetter(*columns)
            values = map(pick, rows) if len(columns) > 1 else ((pick(row),) for row in rows)
            self._insert_rows(table, columns, list(values))

    def _insert_rows(
        self, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        """Insert rows given as tuples in ``columns`` order (times as aware datetimes); on
        SQLite straight through the driver: SQLAlchemy's per-row parameter processing costs
        more than SQLite's own work here."""
        if self.conn.dialect.name != "sqlite":
            self.conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
            return
        stamps = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, s.UTCDateTime)]
        values = rows
        if stamps:
            values = []
            for row in rows:
                converted = list(row)
                for i in stamps:
                    converted[i] = _sqlite_time(converted[i])
                values.append(tuple(converted))
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        self.conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)

    def flush(self) -> None:
        """Write the buffered people, identities, source records and interactions, in that order."""
        if self.pending_people:
            self._insert_many(s.person, self.pending_people)
            self.pending_people = []
        if self.pending_identities:
            self._insert_many(s.identity, self.pending_identities)
            self.pending_identities = []
        if self.new_terms:
            rows = [
                {"person_id": pid, "term": term}
                for pid, terms in self.new_terms.items()
                for term in sorted(t for t in terms if t)
            ]
            self._insert_many(s.search_term, rows)
            self.new_terms = {}
        if self.pending_sources:
            self._insert_rows(s.source_record, _SOURCE_COLUMNS, self.pending_sources)
            self.pending_sources = []
        if self.pending_interactions:
            self._insert_rows(s.interaction, _INTERACTION_COLUMNS, self.pending_interactions)
            self.pending_interactions = []
        if self.pending_participants:
            self._insert_rows(s.participant, _PARTICIPANT_COLUMNS, self.pending_participants)
            self.pending_participants = []

    def finish(self) -> IngestReport:
        self.flush()
        live = [self.canon(p) for p in self.touched]
        refresh_terms(self.conn, sorted(set(live)))
        if self.conn.dialect.name == "postgresql":
            from weakties.store.bulk import fix_sequences

            fix_sequences(self.conn, [s.person, s.interaction, s.source_record])
        finished = datetime.now(UTC)
        self.report.seconds = (finished - self.started).total_seconds()
        self.conn.execute(
            update(s.import_run)
            .where(s.import_run.c.id == self.run_id)
            .values(
                finished_at=finished,
                status="done",
                counts=json.dumps(dict(sorted(self.report.counts.items()))),
            )
        )
        return self.report


def record_failure(conn: Connection, importer: str, path: str, message: str) -> int:
    """Log an import that failed (its own transaction: the failed one was rolled back)."""
    now = datetime.now(UTC)
    return int(
        conn.execute(
            insert(s.import_run).values(
                importer=importer,
                path=path,
                started_at=now,
                finished_at=now,
                status="failed",
                counts=json.dumps({"error": message[:500]}),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
