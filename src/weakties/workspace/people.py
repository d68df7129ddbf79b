"""People and organisations: add, edit, search, show, tag, note, merge, forget, export."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TextIO

from weakties.domain.dates import PartialDate, parse_date
from weakties.domain.people import Affiliation, Note, Organization, OrgKind, Person
from weakties.errors import Conflict, InvalidInput, NotFound

if TYPE_CHECKING:
    from weakties.store.people import PersonRow


from weakties.workspace.base import WorkspaceBase, _identities, _when
from weakties.workspace.results import (
    Profile,
    SortKey,
)


class PeopleOps(WorkspaceBase):
    """Everything about people and organisations."""

    # ----------------------------------------------------------------- people
    def resolve(self, ref: str) -> int:
        """The id of the person ``ref`` names (id, email, URL, phone or name)."""
        from weakties.store.lookup import resolve_person

        with self.transaction() as conn:
            return resolve_person(conn, ref)

    def person(self, ref: str | int) -> Person:
        from weakties.store import people
        from weakties.store.lookup import resolve_person

        with self.transaction() as conn:
            pid = ref if isinstance(ref, int) else resolve_person(conn, ref)
            return people.get_person(conn, pid)

    def add_person(
        self,
        name: str,
        *,
        emails: Sequence[str] = (),
        phones: Sequence[str] = (),
        urls: Sequence[str] = (),
        handles: Sequence[str] = (),
        org: str | None = None,
        title: str | None = None,
        tags: Sequence[str] = (),
        skills: Sequence[str] = (),
        location: str | None = None,
        how_met: str | None = None,
        met_where: str | None = None,
        met_when: str | None = None,
        met_through: str | None = None,
        do_not_ask: bool = False,
    ) -> Person:
        """Add a contact. Identities are normalised; one already owned by someone is refused."""
        from nameparser import HumanName

        from weakties.store import orgs, people
        from weakties.store.lookup import resolve_person

        if not name.strip():
            raise InvalidInput("a person needs a name")
        if title and not org:
            raise InvalidInput("a title needs an organisation (--org)")
        parsed = HumanName(name.strip())
        identities = _identities(emails, phones, urls, handles)
        with self.transaction() as conn:
            through = resolve_person(conn, met_through) if met_through else None
            pid = people.add_person(
                conn,
                Person(
                    name=" ".join(name.split()),
                    given_name=parsed.first or None,
                    family_name=parsed.last or None,
                    location=location,
                    how_met=how_met,
                    met_where=met_where,
                    met_when=_when(met_when),
                    met_through_id=through,
                    do_not_ask=do_not_ask,
                    identities=tuple(identities),
                    tags=tuple(tags),
                    skills=tuple(skills),
                ),
            )
            if org:
                org_id = orgs.ensure_org(conn, org)
                people.add_affiliation(conn, Affiliation(person_id=pid, org_id=org_id, title=title))
            return people.get_person(conn, pid)

    def edit_person(
        self,
        ref: str,
        *,
        add_emails: Sequence[str] = (),
        add_phones: Sequence[str] = (),
        add_urls: Sequence[str] = (),
        add_handles: Sequence[str] = (),
        remove_identities: Sequence[str] = (),
        org: str | None = None,
        title: str | None = None,
        left_org: str | None = None,
        left_when: str | None = None,
        met_through: str | None = None,
        skills: Sequence[str] = (),
        **fields: Any,
    ) -> Person:
        """Change a person's profile, identities or current job."""
        from sqlalchemy import delete, update

        from weakties.domain.identities import guess_identity
        from weakties.store import orgs, people
        from weakties.store import schema as s
        from weakties.store.lookup import resolve_person

        changes = {k: v for k, v in fields.items() if v is not None}
        if "met_when" in changes:
            changes["met_when"] = parse_date(changes["met_when"])
        with self.transaction() as conn:
            pid = resolve_person(conn, ref)
            if met_through:
                through = resolve_person(conn, met_through)
                if through == pid:
                    raise InvalidInput("a person cannot have met you through themselves")
                changes["met_through_id"] = through
            if changes:
                people.update_person(conn, pid, **changes)
            people.add_identities(
                conn, pid, _identities(add_emails, add_phones, add_urls, add_handles)
            )
            for raw in remove_identities:
                ident = guess_identity(raw)
                gone = conn.execute(
                    delete(s.identity).where(
                        s.identity.c.person_id == pid,
                        s.identity.c.kind == ident.kind.value,
                        s.identity.c.value == ident.value,
                    )
                ).rowcount
                if not gone:
                    raise NotFound(f"{ident.value} is not one of this person's identities")
            if left_org:
                org_id = orgs.find_org(conn, left_org)
                ended = 0
                if org_id is not None:
                    ended = conn.execute(
                        update(s.affiliation)
                        .where(
                            s.affiliation.c.person_id == pid,
                            s.affiliation.c.org_id == org_id,
                            s.affiliation.c.end.is_(None),
                        )
                        .values(
                            end=(
                                _when(left_when) or PartialDate.from_date(datetime.now().date())
                            ).iso()
                        )
                    ).rowcount
                if not ended:
                    raise NotFound(f"no current affiliation with {left_org!r}")
            if org:
                org_id = orgs.ensure_org(conn, org)
                people.add_affiliation(conn, Affiliation(person_id=pid, org_id=org_id, title=title))
            elif title:
                raise InvalidInput("a title needs an organisation (--org)")
            if skills:
                people.add_skills(conn, pid, skills)
            people.touch(conn, [pid])
            from weakties.store.search import refresh_terms

            refresh_terms(conn, [pid])
            return people.get_person(conn, pid)

    def people(
        self,
        query: str | None = None,
        *,
        tag: str | None = None,
        org: str | None = None,
        title: str | None = None,
        sort: SortKey = "name",
        limit: int | None = None,
        include_me: bool = False,
    ) -> list[PersonRow]:
        """Search and list people; every filter narrows the list."""
        from sqlalchemy import func, select

        from weakties.domain.people import normalize_tag
        from weakties.store import people as store_people
        from weakties.store import schema as s
        from weakties.store.orgs import find_org
        from weakties.store.search import matching_ids, words

        self.refresh_ties()
        with self.transaction() as conn:
            stmt = select(s.person.c.id).where(store_people.visible)
            if not include_me:
                stmt = stmt.where(s.person.c.is_me.is_(False))
            if query:
                ids = matching_ids(query)
                if ids is None:
                    return []
                stmt = stmt.where(s.person.c.id.in_(ids))
            if tag:
                stmt = stmt.where(
                    s.person.c.id.in_(
                        select(s.person_tag.c.person_id).where(
                            s.person_tag.c.tag == normalize_tag(tag)
                        )
                    )
                )
            if org:
                org_id = find_org(conn, org)
                if org_id is None:
                    raise NotFound(f"no organisation called {org!r}")
                stmt = stmt.where(
                    s.person.c.id.in_(
                        select(s.affiliation.c.person_id).where(
                            s.affiliation.c.org_id == org_id, s.affiliation.c.end.is_(None)
                        )
                    )
                )
            if title:
                for word in words(title):
                    stmt = stmt.where(
                        s.person.c.id.in_(
                            select(s.affiliation.c.person_id).where(
                                s.affiliation.c.end.is_(None),
                                func.lower(s.affiliation.c.title).contains(word, autoescape=True),
                            )
                        )
                    )
            if sort == "added":
                stmt = stmt.order_by(s.person.c.id.desc())
            else:
                stmt = stmt.order_by(func.lower(s.person.c.name), s.person.c.id)
            if limit and sort in ("name", "added"):
                stmt = stmt.limit(limit)
            ids_found = [int(i) for i in conn.execute(stmt).scalars()]
            if sort in ("recent", "interactions"):
                rows = store_people.people_rows(conn, ids_found)
                ordered = sorted(
                    rows.values(),
                    key=(
                        (
                            lambda r: (
                                -(r.last_contact.timestamp() if r.last_contact else -1e18),
                                r.name,
                            )
                        )
                        if sort == "recent"
                        else (lambda r: (-r.interactions, r.name))
                    ),
                )
                return ordered[:limit] if limit else ordered
            if limit:
                ids_found = ids_found[:limit]
            rows = store_people.people_rows(conn, ids_found)
            return [rows[i] for i in ids_found]

    def profile(self, ref: str | int, *, timeline: int | None = 20) -> Profile:
        """The person and every fact about them, for ``show``."""
        from sqlalchemy import func, select

        from weakties.store import goals, ledger, people
        from weakties.store import schema as s
        from weakties.store.lookup import resolve_person
        from weakties.store.ties import read_ties

        self.refresh_ties()
        with self.transaction() as conn:
            pid = ref if isinstance(ref, int) else resolve_person(conn, ref)
            person = people.get_person(conn, pid)
            tie = read_ties(conn).get(pid)
            interactions = ledger.interactions_of(conn, pid, limit=timeline)
            total = conn.execute(
                select(func.count(func.distinct(s.participant.c.interaction_id))).where(
                    s.participant.c.person_id == pid
                )
            ).scalar_one()
            favors = ledger.favors_of(conn, pid)
            intros = ledger.introductions_of(conn, pid)
            goal_list = goals.goals_of(conn, pid)
            opps = goals.list_opportunities(conn, person_id=pid)
            mentioned: set[int] = {pid}
            for item in interactions:
                mentioned |= item.people()
            for f in favors:
                mentioned |= {f.giver_id, f.receiver_id}
            for i in intros:
                mentioned |= {i.a_id, i.b_id} | ({i.introducer_id} if i.introducer_id else set())
            for o in opps:
                mentioned |= set(o.chain)
            if person.met_through_id:
                mentioned.add(person.met_through_id)
            org_ids = {o.org_id for o in opps if o.org_id is not None}
            org_names = (
                dict(
                    conn.execute(
                        select(s.organization.c.id, s.organization.c.name).where(
                            s.organization.c.id.in_(org_ids)
                        )
                    ).all()
                )
                if org_ids
                else {}
            )
            merged_from = [
                int(i)
                for i in conn.execute(
                    select(s.person.c.id).where(s.person.c.merged_into_id == pid)
                ).scalars()
            ]
            return Profile(
                person=person,
                affiliations=people.affiliations_of(conn, pid),
                interactions=interactions,
                interaction_count=int(total),
                favors=favors,
                introductions=intros,
                goals=goal_list,
                opportunities=opps,
                notes=people.notes_of(conn, pid),
                names=ledger.names_of(conn, mentioned),
                org_names=org_names,
                merged_from=merged_from,
                me_id=people.me_id(conn),
                strength=tie[0] if tie else None,
                category=tie[1] if tie else None,
            )

    def add_org(
        self,
        name: str,
        *,
        kind: OrgKind = OrgKind.COMPANY,
        industry: str | None = None,
        aliases: Sequence[str] = (),
        domains: Sequence[str] = (),
        location: str | None = None,
    ) -> Organization:
        from weakties.store import orgs

        if not name.strip():
            raise InvalidInput("an organisation needs a name")
        for domain in domains:
            if "." not in domain or " " in domain.strip():
                raise InvalidInput(f"not a web domain: {domain!r}", hint="accepted: example.com")
        with self.transaction() as conn:
            existing = orgs.find_org(conn, name)
            if existing is not None:
                raise Conflict(f"{name!r} already exists (#{existing})")
            org_id = orgs.add_org(
                conn,
                Organization(
                    name=name,
                    kind=kind,
                    industry=industry,
                    aliases=tuple(aliases),
                    domains=tuple(d.strip().lower() for d in domains),
                    location=location,
                ),
            )
            org = orgs.get_org(conn, org_id)
            assert org is not None
            return org

    def orgs(self) -> list[tuple[Organization, int]]:
        """Every organisation with its number of current members, largest first."""
        from sqlalchemy import func, select

        from weakties.store import schema as s

        with self.transaction() as conn:
            counts: dict[int, int] = dict(
                conn.execute(
                    select(
                        s.affiliation.c.org_id, func.count(func.distinct(s.affiliation.c.person_id))
                    )
                    .where(s.affiliation.c.end.is_(None))
                    .group_by(s.affiliation.c.org_id)
                ).all()
            )
            rows = conn.execute(select(s.organization).order_by(s.organization.c.name)).all()
            out = [
                (
                    Organization(
                        id=r.id,
                        name=r.name,
                        kind=OrgKind(r.kind),
                        industry=r.industry,
                        location=r.location,
                    ),
                    int(counts.get(r.id, 0)),
                )
                for r in rows
            ]
            out.sort(key=lambda o: (-o[1], o[0].name.lower()))
            return out

    def skills(self, query: str = "") -> list[tuple[str, int]]:
        """Skills people in the workspace have, with how many have each, commonest first;
        ``query`` keeps those containing it (any case). Spellings that differ only in case
        count as one, shown as most people write it."""
        from sqlalchemy import func, select

        from weakties.store import people as store_people
        from weakties.store import schema as s

        with self.transaction() as conn:
            rows = conn.execute(
                select(s.person_skill.c.skill, func.count())
                .join(s.person, s.person.c.id == s.person_skill.c.person_id)
                .where(store_people.visible)
                .group_by(s.person_skill.c.skill)
            ).all()
        low = query.strip().lower()
        totals: dict[str, int] = {}
        shown: dict[str, tuple[int, str]] = {}  # the spelling most people use (then A→z)
        for skill, count in rows:
            key = skill.lower()
            if low in key:
                totals[key] = totals.get(key, 0) + int(count)
                shown[key] = min(shown.get(key, (0, skill)), (-int(count), skill))
        ranked = sorted(totals, key=lambda k: (-totals[k], k))
        return [(shown[k][1], totals[k]) for k in ranked]

    def tag(self, ref: str, tags: Sequence[str], *, remove: bool = False) -> list[str]:
        """Add (or remove) tags; returns the tags that changed."""
        from weakties.store import people
        from weakties.store.lookup import resolve_person

        with self.transaction() as conn:
            pid = resolve_person(conn, ref)
            return (
                people.remove_tags(conn, pid, tags) if remove else people.add_tags(conn, pid, tags)
            )

    def note(self, ref: str, text: str) -> Note:
        from weakties.store import people
        from weakties.store.lookup import resolve_person

        with self.transaction() as conn:
            pid = resolve_person(conn, ref)
            note_id = people.add_note(conn, pid, text)
            return Note(id=note_id, person_id=pid, text=text.strip())

    # -------------------------------------------------- merge, forget, export
    def merge(self, a: str, b: str) -> tuple[Person, int]:
        """Merge B into A (the owner always survives); returns the kept person and the merge id."""
        from weakties.store import people
        from weakties.store.lookup import resolve_person
        from weakties.store.merges import merge_people

        with self.transaction() as conn:
            result = merge_people(
                conn, resolve_person(conn, a), resolve_person(conn, b), reason="by hand"
            )
            return people.get_person(conn, result.kept_id), result.merge_id

    def unmerge(self, ref: str) -> tuple[Person, Person]:
        """Undo the latest merge involving this person; returns both people as restored."""
        from weakties.store import people
        from weakties.store.lookup import resolve_person
        from weakties.store.merges import unmerge

        with self.transaction() as conn:
            result = unmerge(conn, resolve_person(conn, ref, include_merged=True))
            return people.get_person(conn, result.kept_id), people.get_person(
                conn, result.merged_id
            )

    def forget(self, ref: str) -> tuple[str, dict[str, int]]:
        """Erase a person and every fact about them; returns their name and what was erased."""
        from weakties.store import people
        from weakties.store.lookup import resolve_person
        from weakties.store.merges import forget_person

        with self.transaction() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # freed pages are zeroed, not left holding the deleted rows
                conn.exec_driver_sql("PRAGMA secure_delete = ON")
            pid = resolve_person(conn, ref)
            person = people.get_person(conn, pid)
            if person.is_me:
                raise InvalidInput("you cannot forget yourself; delete the database instead")
            erased = person.name, forget_person(conn, pid)
        if sqlite:
            self._flush_log()
        return erased

    def _flush_log(self) -> None:
        """Copy the write-ahead log into the database file and empty it: the log still holds
        the pages as they were before the erasure until a checkpoint overwrites them."""
        from weakties.store.database import translate_errors

        with translate_errors(self.url), self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def export(self, stream: TextIO, fmt: Literal["json", "csv"] = "json") -> None:
        """Write the whole workspace as JSON, or the people as CSV."""
        from weakties.store import export

        with self.transaction() as conn:
            if fmt == "json":
                export.write_json(conn, stream)
            else:
                export.write_people_csv(conn, stream)

    def stats(self) -> dict[str, int]:
        """How many of each thing the workspace holds."""
        from sqlalchemy import func, select

        from weakties.store import schema as s
        from weakties.store.people import visible

        with self.transaction() as conn:

            def count(table: Any, *where: Any) -> int:
                return int(
                    conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
                )

            return {
                "people": count(s.person, visible),
                "organisations": count(s.organization),
                "interactions": count(s.interaction),
                "favours": count(s.favor),
                "introductions": count(s.introduction),
                "goals": count(s.goal),
                "opportunities": count(s.opportunity),
            }
