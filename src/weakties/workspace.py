"""The workspace: the one façade the CLI, the web app and Python users go through.

A :class:`Workspace` owns a database connection pool and offers a method for everything a user
can do: add and edit people, log what happened, keep the goodwill ledger, set goals, record
opportunities, merge, forget, export. Each method runs in one transaction: it happens whole or
not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from weakties.domain.dates import PartialDate, parse_date, parse_moment
from weakties.domain.goals import (
    Goal,
    GoalStatus,
    GoalTag,
    GoalTagKind,
    Opportunity,
    OpportunityStatus,
)
from weakties.domain.identities import Identity, IdentityKind, normalize_identity
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
from weakties.domain.people import Affiliation, Note, Organization, OrgKind, Person
from weakties.errors import Conflict, InvalidInput, NotFound

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from weakties.store.ingest import IngestReport
    from weakties.store.people import PersonRow
    from weakties.synth.world import World

SortKey = Literal["name", "recent", "interactions", "added", "strength"]


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything ``show PERSON`` prints: the person and every fact about them."""

    person: Person
    affiliations: list[tuple[Affiliation, str]]
    interactions: list[Interaction]
    interaction_count: int
    favors: list[Favor]
    introductions: list[Introduction]
    goals: list[Goal]
    opportunities: list[Opportunity]
    notes: list[Note]
    names: dict[int, str] = field(default_factory=dict)  # every person id mentioned above
    org_names: dict[int, str] = field(default_factory=dict)
    merged_from: list[int] = field(default_factory=list)
    me_id: int | None = None
    strength: float | None = None
    category: str | None = None


MIN_RATINGS_TO_FIT = 10


@dataclass(frozen=True, slots=True)
class TieRow:
    """One of my ties, as ``weakties ties`` lists it."""

    person_id: int
    name: str
    strength: float
    category: str
    org: str | None
    title: str | None
    interactions: int
    last_contact: datetime | None


@dataclass(frozen=True, slots=True)
class TieDetail:
    """A tie explained, and how likely this person knows each of my other contacts."""

    person: Person
    explanation: Any  # weakties.analysis.strength.Explanation, or None without any facts
    between: list[tuple[int, str, float, float]]  # (id, name, knows probability, my strength)


@dataclass(frozen=True, slots=True)
class Circles:
    """Dunbar layers of my contacts by frequency, brokerage and community structure."""

    layer_names: tuple[str, ...]
    per_year_at_least: tuple[float, ...]
    sizes: tuple[int, ...]
    members: tuple[tuple[str, ...], ...]
    contacts: int
    constraint: float
    effective_size: float
    communities: int
    largest_communities: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RatingResult:
    """What a rating did: how many ratings exist, and the refit's cross-validated error."""

    person_id: int
    value: float
    ratings: int
    cv_mae: float | None
    default_cv_mae: float | None


@dataclass(frozen=True, slots=True)
class ImportRunRow:
    """One past import, for ``weakties imports``."""

    id: int
    importer: str
    path: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MergeSuggestion:
    """Two records that may be the same person, waiting for the user's decision."""

    id: int
    a: Person
    b: Person
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class ContactActivity:
    """My history with one contact, straight from the ledger."""

    person_id: int
    name: str
    interactions: int
    first: datetime | None
    last: datetime | None
    recent: int


def _when(text: str | None) -> PartialDate | None:
    return parse_date(text) if text else None


def _identities(
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
    urls: Sequence[str] = (),
    handles: Sequence[str] = (),
) -> list[Identity]:
    out = []
    for kind, values in (
        (IdentityKind.EMAIL, emails),
        (IdentityKind.PHONE, phones),
        (IdentityKind.URL, urls),
        (IdentityKind.HANDLE, handles),
    ):
        for raw in values:
            out.append(Identity(kind, normalize_identity(kind, raw)))
    return out


class Workspace:
    """A weakties database and everything one can do with it."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, db: str | None = None, *, create: bool = True) -> Workspace:
        """Open (creating or migrating when needed) the database at ``db``, ``WEAKTIES_DB`` or
        the per-user default."""
        from weakties.store.database import create_engine_for, ensure_schema, resolve_url

        url = resolve_url(db)
        engine = create_engine_for(url, create=create)
        ensure_schema(engine, url)
        return cls(engine, url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction; driver errors become one-line :mod:`weakties.errors`."""
        from weakties.store.database import translate_errors

        with translate_errors(self.url), self.engine.begin() as conn:
            yield conn

    # ------------------------------------------------------------------ owner
    def init(self, name: str | None = None, emails: Sequence[str] = ()) -> Person:
        """Set up the owner ("me"), or update their name and addresses if already there."""
        from weakties.store import people

        with self.transaction() as conn:
            me = people.me_id(conn)
            if me is None:
                me = people.add_person(
                    conn,
                    Person(name=name or "Me", is_me=True, identities=tuple(_identities(emails))),
                )
            else:
                if name:
                    people.update_person(conn, me, name=name)
                people.add_identities(conn, me, _identities(emails))
            return people.get_person(conn, me)

    def me(self) -> Person:
        from weakties.store import people

        with self.transaction() as conn:
            me = people.me_id(conn)
            if me is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            return people.get_person(conn, me)

    def _me_id(self, conn: Connection) -> int:
        from weakties.store import people

        me = people.me_id(conn)
        if me is None:
            me = people.add_person(conn, Person(name="Me", is_me=True))
        return me

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

    # ----------------------------------------------------------------- ledger
    def log(
        self,
        refs: Sequence[str],
        *,
        channel: Channel = Channel.MESSAGE,
        when: str = "now",
        direction: Direction = Direction.OUTBOUND,
        summary: str | None = None,
        kind: InteractionKind = InteractionKind.CONVERSATION,
    ) -> Interaction:
        """Record an interaction between me and one or more people."""
        from weakties.store import ledger
        from weakties.store.lookup import resolve_person

        if not refs:
            raise InvalidInput("name at least one person")
        channel, direction, kind = Channel(channel), Direction(direction), InteractionKind(kind)
        moment = parse_moment(when)
        if moment > datetime.now(UTC).replace(microsecond=0) + _SLACK:
            raise InvalidInput(f"{when!r} is in the future", hint="log what already happened")
        with self.transaction() as conn:
            me = self._me_id(conn)
            others = []
            for ref in refs:
                pid = resolve_person(conn, ref)
                if pid == me:
                    raise InvalidInput("you are always part of what you log; name the others")
                if pid not in others:
                    others.append(pid)
            group = channel in (Channel.MEETING, Channel.IN_PERSON) or len(others) > 1
            if direction is Direction.OUTBOUND:
                parts = [
                    Participant(
                        me, Role.ORGANIZER if group and channel is Channel.MEETING else Role.FROM
                    )
                ]
                parts += [
                    Participant(p, Role.ATTENDEE if channel is Channel.MEETING else Role.TO)
                    for p in others
                ]
            elif direction is Direction.INBOUND:
                first, rest = others[0], others[1:]
                parts = [
                    Participant(first, Role.ORGANIZER if channel is Channel.MEETING else Role.FROM)
                ]
                parts += [
                    Participant(p, Role.ATTENDEE if channel is Channel.MEETING else Role.TO)
                    for p in [me, *rest]
                ]
            else:
                parts = [Participant(p, Role.PARTICIPANT) for p in [me, *others]]
            item = Interaction(
                occurred_at=moment,
                channel=channel,
                kind=kind,
                direction=direction,
                summary=summary,
                participants=tuple(parts),
            )
            return replace(item, id=ledger.add_interaction(conn, item))

    def helped(
        self,
        ref: str,
        what: str,
        *,
        when: str | None = None,
        size: FavorSize = FavorSize.SMALL,
        by_them: bool = False,
    ) -> Favor:
        """Record a favour I did for someone (or, with ``by_them``, one they did for me)."""
        from weakties.store import ledger
        from weakties.store.lookup import resolve_person

        if not what.strip():
            raise InvalidInput("say what the favour was")
        happened, size = _when(when), FavorSize(size)
        with self.transaction() as conn:
            me = self._me_id(conn)
            pid = resolve_person(conn, ref)
            if pid == me:
                raise InvalidInput("a favour needs someone other than you")
            giver, receiver = (pid, me) if by_them else (me, pid)
            item = Favor(
                giver_id=giver, receiver_id=receiver, what=what.strip(), when=happened, size=size
            )
            return replace(item, id=ledger.add_favor(conn, item))

    def intro(
        self,
        a: str,
        b: str,
        *,
        by: str | None = None,
        when: str | None = None,
        outcome: IntroOutcome = IntroOutcome.PENDING,
        note: str | None = None,
    ) -> Introduction:
        """Record that A was introduced to B, by C (default: by me)."""
        from weakties.store import ledger
        from weakties.store.lookup import resolve_person

        happened, outcome = _when(when), IntroOutcome(outcome)
        with self.transaction() as conn:
            a_id, b_id = resolve_person(conn, a), resolve_person(conn, b)
            if a_id == b_id:
                raise InvalidInput("an introduction needs two different people")
            by_id = resolve_person(conn, by) if by else self._me_id(conn)
            if by_id in (a_id, b_id):
                raise InvalidInput("the introducer must be a third person")
            item = Introduction(
                a_id=a_id, b_id=b_id, introducer_id=by_id, when=happened, outcome=outcome, note=note
            )
            return replace(item, id=ledger.add_introduction(conn, item))

    # ----------------------------------------------------------- goals & opps
    def add_goal(
        self, text: str, *, tags: Sequence[str] = (), for_person: str | None = None
    ) -> Goal:
        """Set a goal of mine, or record a contact's ask (``for_person``).

        Tags are ``kind:value`` (role, industry, skill, org, location), e.g. ``industry:fintech``.
        """
        from weakties.store import goals
        from weakties.store.lookup import resolve_person

        if not text.strip():
            raise InvalidInput("a goal needs a text")
        parsed = tuple(parse_goal_tag(t) for t in tags)
        with self.transaction() as conn:
            owner = resolve_person(conn, for_person) if for_person else self._me_id(conn)
            item = Goal(
                owner_id=owner,
                text=text.strip(),
                tags=parsed,
                created=PartialDate.from_date(datetime.now().date()),
            )
            return replace(item, id=goals.add_goal(conn, item))

    def goals(
        self,
        *,
        for_person: str | None = None,
        status: GoalStatus | None = None,
        everyone: bool = False,
    ) -> list[Goal]:
        from weakties.store import goals
        from weakties.store.lookup import resolve_person

        with self.transaction() as conn:
            owner = (
                None
                if everyone
                else (resolve_person(conn, for_person) if for_person else self._me_id(conn))
            )
            return goals.list_goals(conn, owner_id=owner, status=status)

    def set_goal_status(self, goal_id: int, status: GoalStatus, *, when: str | None = None) -> Goal:
        from weakties.store import goals

        with self.transaction() as conn:
            goals.set_goal_status(
                conn, goal_id, status, _when(when) or PartialDate.from_date(datetime.now().date())
            )
            return goals.get_goal(conn, goal_id)

    def add_opportunity(
        self,
        title: str,
        *,
        org: str | None = None,
        via: Sequence[str] = (),
        status: OpportunityStatus = OpportunityStatus.LEAD,
        opened: str | None = None,
        goal_id: int | None = None,
        note: str | None = None,
    ) -> Opportunity:
        """Record a job, client or deal and the chain of people it came through (nearest me first)."""
        from weakties.store import goals, orgs

        if not title.strip():
            raise InvalidInput("an opportunity needs a title")
        status = OpportunityStatus(status)
        with self.transaction() as conn:
            chain = self._chain(conn, via)
            if goal_id is not None:
                goals.get_goal(conn, goal_id)
            item = Opportunity(
                title=title.strip(),
                org_id=orgs.ensure_org(conn, org) if org else None,
                status=status,
                opened=_when(opened) or PartialDate.from_date(datetime.now().date()),
                chain=chain,
                goal_id=goal_id,
                note=note,
            )
            return replace(item, id=goals.add_opportunity(conn, item))

    def _chain(self, conn: Connection, via: Sequence[str]) -> tuple[int, ...]:
        from weakties.store.lookup import resolve_person

        me = self._me_id(conn)
        chain: list[int] = []
        for ref in via:
            pid = resolve_person(conn, ref)
            if pid == me:
                raise InvalidInput(
                    "the chain lists the people between you and the opportunity, not you"
                )
            if pid in chain:
                raise InvalidInput(f"{ref!r} appears twice in the chain")
            chain.append(pid)
        return tuple(chain)

    def opportunities(self) -> list[Opportunity]:
        from weakties.store import goals

        with self.transaction() as conn:
            return goals.list_opportunities(conn)

    def update_opportunity(
        self,
        opp_id: int,
        *,
        status: OpportunityStatus | None = None,
        via: Sequence[str] | None = None,
        note: str | None = None,
        title: str | None = None,
        when: str | None = None,
    ) -> Opportunity:
        from weakties.store import goals

        with self.transaction() as conn:
            current = goals.list_opportunities(conn, ids=[opp_id])
            if not current:
                raise NotFound(f"no opportunity #{opp_id}")
            values: dict[str, object] = {}
            if status is not None:
                values["status"] = status.value
                if status.is_closed:
                    values["closed"] = (
                        _when(when) or PartialDate.from_date(datetime.now().date())
                    ).iso()
            if note is not None:
                values["note"] = note
            if title is not None:
                values["title"] = title
            goals.update_opportunity(conn, opp_id, **values)
            if via is not None:
                goals.set_chain(conn, opp_id, self._chain(conn, via))
            return goals.list_opportunities(conn, ids=[opp_id])[0]

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
            pid = resolve_person(conn, ref)
            person = people.get_person(conn, pid)
            if person.is_me:
                raise InvalidInput("you cannot forget yourself; delete the database instead")
            return person.name, forget_person(conn, pid)

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

    def contact_activity(
        self, *, recent_days: int = 365, now: datetime | None = None
    ) -> list[ContactActivity]:
        """How much I have talked with each contact: totals, first, last and recent counts."""
        from sqlalchemy import and_, case, func, select

        from weakties.store import people
        from weakties.store import schema as s

        now = now or datetime.now(UTC)
        cut = now - timedelta(days=recent_days)
        mine, theirs = s.participant.alias("mine"), s.participant.alias("theirs")
        with self.transaction() as conn:
            me = people.me_id(conn)
            if me is None:
                return []
            stmt = (
                select(
                    theirs.c.person_id,
                    s.person.c.name,
                    func.count(func.distinct(s.interaction.c.id)),
                    func.min(s.interaction.c.occurred_at),
                    func.max(s.interaction.c.occurred_at),
                    func.count(
                        func.distinct(
                            case((s.interaction.c.occurred_at >= cut, s.interaction.c.id))
                        )
                    ),
                )
                .select_from(
                    mine.join(
                        theirs,
                        and_(
                            theirs.c.interaction_id == mine.c.interaction_id,
                            theirs.c.person_id != me,
                        ),
                    )
                    .join(s.interaction, s.interaction.c.id == mine.c.interaction_id)
                    .join(s.person, s.person.c.id == theirs.c.person_id)
                )
                .where(mine.c.person_id == me, people.visible)
                .group_by(theirs.c.person_id, s.person.c.name)
            )
            return [
                ContactActivity(int(pid), name, int(total), first, last, int(recent))
                for pid, name, total, first, last, recent in conn.execute(stmt)
            ]

    def set_setting(self, key: str, value: str) -> None:
        from sqlalchemy import delete, insert

        from weakties.store import schema as s

        with self.transaction() as conn:
            conn.execute(delete(s.setting).where(s.setting.c.key == key))
            conn.execute(insert(s.setting).values(key=key, value=value))

    def setting(self, key: str) -> str | None:
        from sqlalchemy import select

        from weakties.store import schema as s

        with self.transaction() as conn:
            return conn.execute(select(s.setting.c.value).where(s.setting.c.key == key)).scalar()

    # ---------------------------------------------------------------- imports
    def import_path(
        self,
        path: str | Path,
        *,
        fmt: str | None = None,
        strict: bool = False,
        me: Sequence[str] = (),
        today: str | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Import one export file, folder or zip in one transaction; idempotent.

        The format is detected unless ``fmt`` names it. On any error the database is left as
        it was and the failure is logged in the import history.
        """
        from weakties.errors import ImportFailed
        from weakties.importers import registry
        from weakties.importers.files import iter_sources
        from weakties.store.ingest import Ingest, record_failure

        target = Path(path).expanduser()
        options = registry.ImportOptions(me=tuple(me), today=today)
        importer_name = fmt or "?"
        try:
            sources = list(iter_sources(target))
            importer = registry.get_importer(fmt) if fmt else registry.detect(target, sources)
            importer_name = importer.name
            with self.transaction() as conn:
                ingest = Ingest(
                    conn,
                    importer.name,
                    str(target.resolve()),
                    strict=strict,
                    on_progress=on_progress,
                )
                for record in importer.iter_records(target, sources, options):
                    ingest.add(record)
                return ingest.finish()
        except ImportFailed as exc:
            with self.transaction() as conn:
                record_failure(conn, importer_name, str(target), str(exc))
            raise
        except RecursionError:
            with self.transaction() as conn:
                record_failure(conn, importer_name, str(target), "nested too deeply")
            raise ImportFailed(
                "the file is nested too deeply to read", location=str(target)
            ) from None
        except MemoryError:
            raise ImportFailed(
                "the file needs more memory than is available", location=str(target)
            ) from None

    def importers(self) -> list[tuple[str, str, str]]:
        """Every importer: (name, title, what it reads)."""
        from weakties.importers.registry import all_importers

        return [(i.name, i.title, i.reads) for i in all_importers()]

    def import_runs(self, limit: int = 50) -> list[ImportRunRow]:
        """Past imports, newest first, with their counts."""
        import json

        from sqlalchemy import select

        from weakties.store import schema as s

        with self.transaction() as conn:
            rows = conn.execute(
                select(s.import_run).order_by(s.import_run.c.id.desc()).limit(limit)
            ).all()
            return [
                ImportRunRow(
                    r.id,
                    r.importer,
                    r.path,
                    r.started_at,
                    r.finished_at,
                    r.status,
                    json.loads(r.counts),
                )
                for r in rows
            ]

    def merge_queue(self) -> list[MergeSuggestion]:
        """Pending merge suggestions, best first."""
        from sqlalchemy import select

        from weakties.store import schema as s

        with self.transaction() as conn:
            rows = conn.execute(
                select(s.merge_candidate)
                .where(s.merge_candidate.c.status == "pending")
                .order_by(s.merge_candidate.c.score.desc(), s.merge_candidate.c.id)
            ).all()
            out = []
            from weakties.store import people

            for r in rows:
                a = people.get_person(conn, r.a_id)
                b = people.get_person(conn, r.b_id)
                if people.merged_into(conn, r.a_id) or people.merged_into(conn, r.b_id):
                    continue
                out.append(MergeSuggestion(r.id, a, b, r.score, r.reason))
            return out

    def decide_merge(
        self, suggestion_id: int, decision: Literal["accept", "reject", "skip"]
    ) -> Person | None:
        """Accept (merge), reject or skip a merge suggestion; returns the kept person on accept."""
        from sqlalchemy import select, update

        from weakties.store import people
        from weakties.store import schema as s
        from weakties.store.merges import merge_people

        if decision not in ("accept", "reject", "skip"):
            raise InvalidInput(
                f"unknown decision {decision!r}", hint="accepted: accept, reject, skip"
            )
        with self.transaction() as conn:
            row = conn.execute(
                select(s.merge_candidate).where(s.merge_candidate.c.id == suggestion_id)
            ).first()
            if row is None or row.status != "pending":
                raise NotFound(f"no pending merge suggestion #{suggestion_id}")
            if decision == "skip":
                return None  # stays pending: asked again at the next review
            status = {"accept": "accepted", "reject": "rejected"}[decision]
            conn.execute(
                update(s.merge_candidate)
                .where(s.merge_candidate.c.id == suggestion_id)
                .values(status=status, decided_at=datetime.now(UTC))
            )
            if decision != "accept":
                return None
            result = merge_people(conn, row.a_id, row.b_id, reason=f"reviewed: {row.reason}")
            return people.get_person(conn, result.kept_id)

    def knows(self, a: str, b: str, *, note: str | None = None) -> tuple[Person, Person]:
        """Record that two people know each other (evidence for the 2nd and 3rd degree)."""
        from sqlalchemy import insert

        from weakties.store import people
        from weakties.store import schema as s
        from weakties.store.lookup import resolve_person

        with self.transaction() as conn:
            a_id, b_id = resolve_person(conn, a), resolve_person(conn, b)
            if a_id == b_id:
                raise InvalidInput("knowing needs two different people")
            low, high = sorted((a_id, b_id))
            conn.execute(
                insert(s.knows).values(
                    a_id=low, b_id=high, kind="explicit", label=note, created_at=datetime.now(UTC)
                )
            )
            return people.get_person(conn, a_id), people.get_person(conn, b_id)

    # ------------------------------------------------------------------ ties
    def _weights(self, conn: Connection) -> Any:
        from weakties.analysis.strength import DEFAULT_WEIGHTS, StrengthWeights
        from weakties.store.ties import load_weights

        stored = load_weights(conn)
        return DEFAULT_WEIGHTS if stored is None else StrengthWeights(**stored)

    def _score(self, conn: Connection, now: datetime | None = None) -> tuple[Any, Any]:
        """Load the facts and score the network at ``now`` (default: this moment)."""
        from weakties.engines.local import build_network
        from weakties.store.facts import load_facts

        facts = load_facts(conn)
        moment = (now or datetime.now(UTC)).timestamp()
        return facts, build_network(facts, moment, self._weights(conn))

    def refresh_ties(self, *, force: bool = False) -> bool:
        """Rescore the owner's ties if anything changed since the last scoring (or a day passed).

        Returns whether it rescored. Every read of strengths calls this, so scores follow
        imports and edits without the user asking.
        """
        from weakties.store.ties import (
            FINGERPRINT_KEY,
            fingerprint,
            get_setting,
            put_setting,
            write_ties,
        )

        with self.transaction() as conn:
            current = f"{datetime.now(UTC).date()}|{fingerprint(conn)}"
            if not force and get_setting(conn, FINGERPRINT_KEY) == current:
                return False
            _, net = self._score(conn)
            if net is None:
                write_ties(conn, [], [], [])
            else:
                rows = net.owner_rows()
                write_ties(
                    conn,
                    net.contact_of(rows).tolist(),
                    net.strength[rows].tolist(),
                    net.category[rows].tolist(),
                )
            put_setting(conn, FINGERPRINT_KEY, current)
            return True

    def ties(
        self, *, category: str | None = None, sort: str = "strength", limit: int | None = None
    ) -> list[TieRow]:
        """The owner's ties with strength and category, strongest first by default."""
        from weakties.store import people as store_people
        from weakties.store.ties import read_ties

        if sort not in ("strength", "name", "recent", "weakest"):
            raise InvalidInput(
                f"unknown sort {sort!r}", hint="accepted: strength, weakest, recent, name"
            )
        self.refresh_ties()
        with self.transaction() as conn:
            scores = read_ties(conn)
            ids = [p for p, (_, c) in scores.items() if category is None or c == category]
            rows = store_people.people_rows(conn, ids)
        out = [
            TieRow(
                pid,
                rows[pid].name,
                scores[pid][0],
                scores[pid][1],
                rows[pid].org,
                rows[pid].title,
                rows[pid].interactions,
                rows[pid].last_contact,
            )
            for pid in ids
            if pid in rows
        ]
        keys: dict[str, Callable[[TieRow], Any]] = {
            "strength": lambda r: (-r.strength, r.name),
            "weakest": lambda r: (r.strength, r.name),
            "name": lambda r: r.name.lower(),
            "recent": lambda r: (
                -(r.last_contact.timestamp() if r.last_contact else -1e18),
                r.name,
            ),
        }
        out.sort(key=keys[sort])
        return out[:limit] if limit else out

    def tie(self, ref: str, *, between_limit: int = 10) -> TieDetail:
        """One tie in full: strength, category, the facts behind it, and who they know of mine."""
        import numpy as np

        from weakties.analysis.strength import explain
        from weakties.engines.local import knows_scores
        from weakties.store import people as store_people
        from weakties.store.ledger import names_of
        from weakties.store.lookup import resolve_person

        with self.transaction() as conn:
            pid = resolve_person(conn, ref)
            person = store_people.get_person(conn, pid)
            if person.is_me:
                raise InvalidInput("that is you; name one of your contacts")
            facts, net = self._score(conn)
            if net is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            name = person.given_name or person.name
            try:
                explanation = explain(
                    net.features, net.me, pid, net.now, self._weights(conn), names=("you", name)
                )
            except InvalidInput:
                explanation = None
            rows = net.owner_rows()
            contacts = net.contact_of(rows)
            others = contacts[contacts != pid]
            between: list[tuple[int, str, float, float]] = []
            if len(others):
                score = knows_scores(net, facts, np.full(len(others), pid), others)
                order = np.argsort(-score.p, kind="stable")[:between_limit]
                names = names_of(conn, [int(o) for o in others[order]])
                own = dict(zip(contacts.tolist(), net.strength[rows].tolist(), strict=True))
                between = [
                    (
                        int(others[i]),
                        names[int(others[i])],
                        float(score.p[i]),
                        float(own[int(others[i])]),
                    )
                    for i in order
                    if score.p[i] >= 0.05
                ]
            return TieDetail(person, explanation, between)

    def circles(self) -> Circles:
        """Dunbar-style layers by contact frequency in the last year, brokerage and communities."""
        import numpy as np

        from weakties.analysis.structure import (
            communities,
            constraint,
            dunbar_layers,
            effective_size,
        )

        with self.transaction() as conn:
            facts, net = self._score(conn)
            if net is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            from weakties.store.ledger import names_of

            year_ago = net.now - 365.25 * 86400
            mine = np.isin(facts.p_interaction, facts.p_interaction[facts.p_person == net.me])
            recent = mine & (facts.p_time >= year_ago) & (facts.p_person != net.me)
            people, counts = np.unique(facts.p_person[recent], return_counts=True)
            layers = dunbar_layers(counts.astype(np.float64))
            me_row = net.index(np.array([net.me]))
            ego_constraint = float(constraint(net.adjacency, me_row)[0])
            ego_size = float(effective_size(net.adjacency, me_row)[0])
            labels = communities(net.adjacency)
            contact_rows = np.flatnonzero(
                np.asarray(net.adjacency[int(me_row[0])].todense()).ravel()
            )
            groups = (
                np.unique(labels[contact_rows], return_counts=True)[1]
                if len(contact_rows)
                else np.array([])
            )
            order = np.argsort(-counts, kind="stable")
            names = names_of(conn, [int(p) for p in people])
            members = []
            for layer in range(len(layers.names)):
                ids = [int(people[i]) for i in order if layers.layer_of[i] == layer][:8]
                members.append(tuple(names[i] for i in ids))
            return Circles(
                layer_names=layers.names,
                per_year_at_least=layers.per_year_at_least,
                sizes=layers.sizes,
                members=tuple(members),
                contacts=len(contact_rows),
                constraint=ego_constraint,
                effective_size=ego_size,
                communities=int((groups >= 3).sum()),
                largest_communities=tuple(
                    int(g) for g in sorted(groups.tolist(), reverse=True)[:5]
                ),
            )

    def rate(self, ref: str, value: float) -> RatingResult:
        """Record my judgement of a tie (0..1); with enough ratings the weights are refit."""
        import dataclasses
        import json

        import numpy as np

        from weakties.analysis.strength import fit_weights
        from weakties.store import people as store_people
        from weakties.store.lookup import resolve_person
        from weakties.store.ties import FIT_KEY, WEIGHTS_KEY, put_setting, ratings, set_rating

        if not 0.0 <= value <= 1.0:
            raise InvalidInput(
                f"a rating is between 0 and 1, not {value}", hint="or say strong, moderate, weak"
            )
        with self.transaction() as conn:
            pid = resolve_person(conn, ref)
            if store_people.get_person(conn, pid).is_me:
                raise InvalidInput("rate your ties to other people, not to yourself")
            set_rating(conn, pid, value)
            given = ratings(conn)
            if len(given) < MIN_RATINGS_TO_FIT:
                return RatingResult(pid, value, len(given), None, None)
            from weakties.analysis.strength import DEFAULT_WEIGHTS
            from weakties.engines.local import build_network
            from weakties.store.facts import load_facts

            facts = load_facts(conn)
            net = build_network(facts, datetime.now(UTC).timestamp(), DEFAULT_WEIGHTS)
            assert net is not None
            y = np.full(len(net.features), np.nan)
            rows = net.owner_rows()
            contact = net.contact_of(rows)
            for r, c in zip(rows, contact, strict=True):
                if int(c) in given:
                    y[r] = given[int(c)]
            try:
                fit = fit_weights(net.features, y, net.now)
            except InvalidInput:
                return RatingResult(pid, value, len(given), None, None)
            put_setting(conn, WEIGHTS_KEY, json.dumps(dataclasses.asdict(fit.weights)))
            put_setting(
                conn,
                FIT_KEY,
                json.dumps(
                    {
                        "cv_mae": fit.cv_mae,
                        "default_cv_mae": fit.default_cv_mae,
                        "ratings": len(given),
                    }
                ),
            )
            return RatingResult(pid, value, len(given), fit.cv_mae, fit.default_cv_mae)

    def reset_ratings(self) -> int:
        """Forget my ratings and the refit weights: back to the literature defaults."""
        from weakties.store.ties import FIT_KEY, WEIGHTS_KEY, clear_ratings, put_setting

        with self.transaction() as conn:
            put_setting(conn, WEIGHTS_KEY, None)
            put_setting(conn, FIT_KEY, None)
            return clear_ratings(conn)

    # -------------------------------------------------------------- bulk load
    def load_world(self, world: World) -> dict[int, int]:
        """Load a synthetic world into this (empty) workspace; returns world index → person id."""
        from weakties.store.bulk import load_world

        with self.transaction() as conn:
            return load_world(conn, world)


_SLACK = timedelta(minutes=5)  # clocks disagree a little; "now" must not be refused


def parse_goal_tag(raw: str) -> GoalTag:
    """Read ``kind:value`` (``role:product manager``); a bare word is taken as a role."""
    kind, sep, value = raw.partition(":")
    if not sep:
        return GoalTag(GoalTagKind.ROLE, raw.strip())
    try:
        tag_kind = GoalTagKind(kind.strip().lower())
    except ValueError:
        kinds = ", ".join(k.value for k in GoalTagKind)
        raise InvalidInput(f"unknown goal tag kind {kind!r}", hint=f"accepted: {kinds}") from None
    if not value.strip():
        raise InvalidInput(f"empty goal tag {raw!r}")
    return GoalTag(tag_kind, value.strip())
