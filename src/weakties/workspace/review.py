"""The monthly review, opportunity attribution and insights."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from weakties.domain.goals import Opportunity
from weakties.errors import InvalidInput, NotFound
from weakties.workspace.base import WorkspaceBase

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from weakties.analysis.attribution import ShareOf
    from weakties.analysis.review import ChainLink, Review

REVIEW_WEEKDAY_KEY = "review_weekday"
YEAR_S = 365.25 * 86400


@dataclass(frozen=True, slots=True)
class ChainSuggestion:
    """A chain the records suggest for an opportunity, with its credit split and why."""

    chain: tuple[ChainLink, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class OpportunityInsight:
    """One opportunity seen from its first link: how long the tie took, and how close it was.

    ``frequency`` answers Granovetter's (1974) question — how often did you see the contact at
    the time? — from the contacts logged in the year before the opportunity opened.
    """

    id: int
    title: str
    opened: str | None
    first_link_id: int | None
    first_link: str | None
    first_contact: str | None  # ISO date of the first contact on record with the first link
    days_to_opportunity: float | None
    category_then: str | None  # the tie's category scored as of the opening day
    contacts_year_before: int | None
    frequency: str | None  # often, occasionally, rarely


@dataclass(frozen=True, slots=True)
class FavourBefore:
    """A favour between the owner and someone in an opportunity's chain, done before it."""

    favour_id: int
    given: bool
    person_id: int
    name: str
    what: str
    when: str
    opportunity_id: int
    opportunity: str
    days_before: float


@dataclass(frozen=True, slots=True)
class Insights:
    """What the owner's own opportunities say about where opportunities come from."""

    opportunities: tuple[OpportunityInsight, ...]
    median_days_to_opportunity: float | None
    through_weak_ties: ShareOf  # first link weak, dormant or never at the time
    frequency: dict[str, int]  # Granovetter's bands
    less_than_often: ShareOf  # Granovetter found 83% (N = 54)
    favours_before: tuple[FavourBefore, ...]
    credit: tuple[ChainLink, ...]  # credit summed over all opportunities, most first
    direct: int  # opportunities with nobody in between


def _local_day(ts: float) -> date:
    return datetime.fromtimestamp(ts).date()


def _end_of(day: date) -> datetime:
    """The first instant after ``day`` ends in local time, in UTC."""
    return datetime.combine(day + timedelta(days=1), time()).astimezone().astimezone(UTC)


def _pdate_ts(text: str | None) -> float | None:
    from weakties.domain.dates import PartialDate

    return PartialDate.from_iso(text).midpoint().timestamp() if text else None


class ReviewOps(WorkspaceBase):
    """Monthly reviews (stored), credit along opportunity chains, and insights."""

    # -------------------------------------------------------------------- calendar
    def review_weekday(self) -> int:
        """The weekday reviews close on (0 = Monday; default Friday, setting ``review_weekday``)."""
        from weakties.analysis.review import FRIDAY, parse_weekday

        chosen = self.setting(REVIEW_WEEKDAY_KEY)
        return FRIDAY if chosen is None else parse_weekday(chosen)

    def review_due(self, today: date | None = None) -> str | None:
        """The month whose review is due (closed and not stored yet), or None."""
        from sqlalchemy import func, select

        from weakties.analysis.review import review_due
        from weakties.store import schema as s

        with self.transaction() as conn:
            last = conn.execute(select(func.max(s.review.c.month))).scalar()
        return review_due(today or date.today(), last, self.review_weekday())

    def reviews(self) -> list[Review]:
        """The stored reviews, newest month first."""
        from sqlalchemy import select

        from weakties.analysis.review import review_from_json
        from weakties.store import schema as s

        with self.transaction() as conn:
            rows = conn.execute(
                select(s.review.c.content).order_by(s.review.c.month.desc())
            ).scalars()
            return [review_from_json(text) for text in rows]

    # ---------------------------------------------------------------------- review
    def review(
        self, month: str | None = None, *, store: bool = True, today: date | None = None
    ) -> Review:
        """The review of ``month`` (``YYYY-MM``; default: the latest closed month).

        Scores are taken as of the closing day (interactions after it are ignored), and the
        ties are compared with the previous month's stored snapshot (or, when none is
        stored, with scores taken as of its closing day). A closed month's review is stored,
        replacing an earlier run of the same month; a month still in progress is shown but
        not stored, so that the archive holds only complete months.
        """
        from sqlalchemy import delete, func, insert, select

        from weakties.analysis.review import (
            last_closed_month,
            month_count,
            parse_month,
            period,
            review_from_json,
            review_to_json,
            shift_month,
            snapshot_from_json,
            snapshot_to_json,
        )
        from weakties.store import schema as s

        weekday = self.review_weekday()
        today = today or date.today()
        month = month or last_closed_month(today, weekday)
        parse_month(month)
        p = period(month, weekday)
        if p.start > today:
            raise InvalidInput(
                f"the review of {month} starts on {p.start}, after today",
                hint="choose a month that has begun",
            )
        in_progress = today < p.closes_on
        as_of = min(datetime.now(UTC), _end_of(today), _end_of(p.closes_on))
        previous_month = shift_month(month, -1)
        with self.transaction() as conn:
            me = self._me_id(conn)
            facts, net = self._score(conn, as_of)
            assert net is not None
            ties, first_contact = self._snapshot(conn, facts, net, as_of)
            stored = conn.execute(
                select(s.review.c.snapshot, s.review.c.content).where(
                    s.review.c.month == previous_month
                )
            ).first()
            if stored is not None:
                before, marks = snapshot_from_json(stored.snapshot)
                previous: str | None = previous_month
            else:
                marks = {}
                prev_as_of = _end_of(p.start - timedelta(days=1))
                prev_facts, prev_net = self._score(conn, prev_as_of)
                before = (
                    {}
                    if prev_net is None
                    else self._snapshot(conn, prev_facts, prev_net, prev_as_of)[0]
                )
                previous = previous_month if before else None
            content = self._assemble(
                conn, me, month, p, as_of, in_progress, previous, facts, net, ties,
                first_contact, before, marks,
            )  # fmt: skip
            earlier = conn.execute(
                select(s.review.c.content)
                .where(s.review.c.month < month)
                .order_by(s.review.c.month.desc())
                .limit(11)
            ).scalars()
            history = [
                month_count(r.month, r.shape)
                for r in (review_from_json(t) for t in earlier)
                if r.shape is not None
            ]
            assert content.shape is not None
            history = [*reversed(history), month_count(month, content.shape)]
            from dataclasses import replace

            content = replace(content, history=tuple(history))
            if store and not in_progress:
                max_favour = conn.execute(select(func.max(s.favor.c.id))).scalar() or 0
                max_intro = conn.execute(select(func.max(s.introduction.c.id))).scalar() or 0
                conn.execute(delete(s.review).where(s.review.c.month == month))
                conn.execute(
                    insert(s.review).values(
                        month=month,
                        closes_on=p.closes_on.isoformat(),
                        created_at=datetime.now(UTC),
                        content=review_to_json(content),
                        snapshot=snapshot_to_json(
                            ties, {"favour": int(max_favour), "introduction": int(max_intro)}
                        ),
                    )
                )
            return content

    def _snapshot(
        self, conn: Connection, facts: Any, net: Any, as_of: datetime
    ) -> tuple[dict[int, tuple[float, str]], dict[int, float]]:
        """The owner's ties as of ``as_of`` (person → (strength, category)) and the time of
        the first contact on record with each; people first met later are left out."""
        import numpy as np
        from sqlalchemy import select

        from weakties.store import schema as s

        moment = as_of.timestamp()
        me = net.me
        mine = np.unique(facts.p_interaction[facts.p_person == me])
        other = np.isin(facts.p_interaction, mine) & (facts.p_person != me)
        people = np.concatenate(
            [
                facts.p_person[other],
                facts.link_b[facts.link_a == me],
                facts.link_a[facts.link_b == me],
            ]
        )
        times = np.concatenate(
            [
                facts.p_time[other],
                facts.link_time[facts.link_a == me],
                facts.link_time[facts.link_b == me],
            ]
        )
        first: dict[int, float] = {}
        for pid, t in zip(people.tolist(), times.tolist(), strict=True):
            if t == t and (pid not in first or t < first[pid]):  # t == t: not NaN
                first[pid] = t
        rows = net.owner_rows()
        contacts = net.contact_of(rows).tolist()
        undated = [c for c in contacts if c not in first]
        created: dict[int, float] = {}
        for start in range(0, len(undated), 500):
            created.update(
                (int(pid), at.timestamp())
                for pid, at in conn.execute(
                    select(s.person.c.id, s.person.c.created_at).where(
                        s.person.c.id.in_(undated[start : start + 500])
                    )
                )
            )
        ties: dict[int, tuple[float, str]] = {}
        seen: dict[int, float] = {}
        for c, v, cat in zip(
            contacts, net.strength[rows].tolist(), net.category[rows].tolist(), strict=True
        ):
            when = first.get(c, created.get(c))
            if when is not None and when <= moment:
                ties[int(c)] = (float(v), str(cat))
                seen[int(c)] = when
        return ties, seen

    def _assemble(
        self,
        conn: Connection,
        me: int,
        month: str,
        p: Any,
        as_of: datetime,
        in_progress: bool,
        previous: str | None,
        facts: Any,
        net: Any,
        ties: dict[int, tuple[float, str]],
        first_contact: dict[int, float],
        before: dict[int, tuple[float, str]],
        marks: dict[str, int],
    ) -> Review:
        from sqlalchemy import or_, select

        from weakties.analysis.attribution import attribute
        from weakties.analysis.review import (
            ChainLink,
            ColdTie,
            FavourLine,
            GoalLine,
            IntroLine,
            NudgeLine,
            OpportunityLine,
            Review,
            TieLine,
            in_period,
            new_tie_ids,
            opportunity_event,
            went_cold,
        )
        from weakties.domain.goals import GoalStatus
        from weakties.store import goals as store_goals
        from weakties.store import schema as s
        from weakties.store.ledger import names_of

        new_ids = new_tie_ids({pid: _local_day(t) for pid, t in first_contact.items()}, p)
        cold = went_cold(before, ties)

        fav_rows = conn.execute(
            select(s.favor)
            .where(or_(s.favor.c.giver_id == me, s.favor.c.receiver_id == me))
            .order_by(s.favor.c.happened, s.favor.c.id)
        ).all()
        favours = [
            f
            for f in fav_rows
            if in_period(f.happened, p) or (f.happened is None and f.id > marks.get("favour", 0))
        ]
        intro_rows = conn.execute(
            select(s.introduction)
            .where(
                or_(
                    s.introduction.c.introducer_id == me,
                    s.introduction.c.a_id == me,
                    s.introduction.c.b_id == me,
                )
            )
            .order_by(s.introduction.c.happened, s.introduction.c.id)
        ).all()
        intros = [
            i
            for i in intro_rows
            if in_period(i.happened, p)
            or (i.happened is None and i.id > marks.get("introduction", 0))
        ]
        nudges = [
            NudgeLine(key, at.astimezone().date().isoformat())
            for key, at in conn.execute(
                select(s.nudge_state.c.key, s.nudge_state.c.updated_at)
                .where(s.nudge_state.c.status == "done")
                .order_by(s.nudge_state.c.updated_at)
            )
            if at.astimezone().date() in p
        ]
        opps = store_goals.list_opportunities(conn)
        my_goals = store_goals.list_goals(conn, owner_id=me)
        org_ids = {o.org_id for o in opps if o.org_id is not None}
        orgs = dict(
            conn.execute(
                select(s.organization.c.id, s.organization.c.name).where(
                    s.organization.c.id.in_(sorted(org_ids))
                )
            ).all()
        )
        wanted = set(new_ids) | {pid for pid, _ in cold}
        wanted |= {f.giver_id for f in favours} | {f.receiver_id for f in favours}
        for i in intros:
            wanted |= {i.a_id, i.b_id} | ({i.introducer_id} if i.introducer_id else set())
        for o in opps:
            wanted |= set(o.chain)
        names = names_of(conn, wanted)
        names[me] = "you"

        def chain_of(o: Opportunity) -> tuple[ChainLink, ...]:
            return tuple(
                ChainLink(pid, names.get(pid, f"#{pid}"), share)
                for pid, share in attribute(o.chain, me)
            )

        opp_lines = []
        for o in opps:
            event = opportunity_event(o.opened, o.closed, o.status.is_closed, p)
            if event is None:
                continue
            assert o.id is not None
            opp_lines.append(
                OpportunityLine(
                    o.id,
                    o.title,
                    orgs.get(o.org_id) if o.org_id is not None else None,
                    o.status.value,
                    o.opened.iso() if o.opened else None,
                    o.closed.iso() if o.closed else None,
                    event,
                    chain_of(o),
                )
            )
        goal_lines = []
        for g in my_goals:
            closed_now = g.status is not GoalStatus.OPEN and in_period(g.closed, p)
            if g.status is not GoalStatus.OPEN and not closed_now:
                continue
            if g.created is not None and g.created.first_day() > p.closes_on:
                continue
            linked = [o for o in opps if o.goal_id == g.id]
            assert g.id is not None
            goal_lines.append(
                GoalLine(
                    g.id,
                    g.text,
                    g.status.value,
                    len(linked),
                    sum(not o.status.is_closed for o in linked),
                    closed_now,
                )
            )

        return Review(
            month=month,
            start=p.start,
            closes_on=p.closes_on,
            as_of=as_of.isoformat(),
            in_progress=in_progress,
            previous=previous,
            new_ties=tuple(
                TieLine(
                    pid,
                    names.get(pid, f"#{pid}"),
                    _local_day(first_contact[pid]).isoformat(),
                    round(ties[pid][0], 4),
                    ties[pid][1],
                )
                for pid in new_ids
            ),
            went_cold=tuple(
                ColdTie(
                    pid,
                    names.get(pid, f"#{pid}"),
                    round(before[pid][0], 4),
                    before[pid][1],
                    round(ties[pid][0], 4),
                    ties[pid][1],
                    reason,
                )
                for pid, reason in cold
            ),
            favours=tuple(
                FavourLine(
                    f.id,
                    f.giver_id == me,
                    f.receiver_id if f.giver_id == me else f.giver_id,
                    names.get(f.receiver_id if f.giver_id == me else f.giver_id, "?"),
                    f.what,
                    f.happened,
                    f.size,
                )
                for f in favours
            ),
            introductions=tuple(
                IntroLine(
                    i.id,
                    i.introducer_id == me,
                    names.get(i.introducer_id) if i.introducer_id is not None else None,
                    names.get(i.a_id, "?"),
                    names.get(i.b_id, "?"),
                    i.happened,
                    i.outcome,
                )
                for i in intros
            ),
            nudges_done=tuple(nudges),
            goals=tuple(goal_lines),
            opportunities=tuple(opp_lines),
            shape=self._shape(facts, net, ties, as_of),
        )

    def _shape(
        self, facts: Any, net: Any, ties: dict[int, tuple[float, str]], as_of: datetime
    ) -> Any:
        import numpy as np

        from weakties.analysis.review import Shape, category_counts, strength_histogram
        from weakties.analysis.structure import constraint, dunbar_layers, effective_size

        moment = as_of.timestamp()
        mine = np.isin(facts.p_interaction, facts.p_interaction[facts.p_person == net.me])
        recent = (
            mine
            & (facts.p_time >= moment - YEAR_S)
            & (facts.p_time <= moment)
            & (facts.p_person != net.me)
        )
        _, counts = np.unique(facts.p_person[recent], return_counts=True)
        layers = dunbar_layers(counts.astype(np.float64))
        me_row = net.index(np.array([net.me]))
        c = float(constraint(net.adjacency, me_row)[0]) if ties else float("nan")
        e = float(effective_size(net.adjacency, me_row)[0]) if ties else float("nan")
        return Shape(
            contacts=len(ties),
            categories=category_counts(cat for _, cat in ties.values()),
            layer_names=layers.names,
            layer_min_per_year=layers.per_year_at_least,
            layer_sizes=layers.sizes,
            constraint=None if c != c else round(c, 4),
            effective_size=None if e != e else round(e, 2),
            histogram=strength_histogram(v for v, _ in ties.values()),
        )

    # ---------------------------------------------------------------- attribution
    def credit(self, opportunity_id: int) -> list[ChainLink]:
        """Each person of the opportunity's chain with their share of the credit (sums to 1).

        With nobody in the chain, the whole credit is yours (listed as "you").
        """
        from weakties.analysis.attribution import attribute
        from weakties.analysis.review import ChainLink
        from weakties.store import goals as store_goals
        from weakties.store.ledger import names_of

        with self.transaction() as conn:
            found = store_goals.list_opportunities(conn, ids=[opportunity_id])
            if not found:
                raise NotFound(f"no opportunity #{opportunity_id}")
            me = self._me_id(conn)
            names = names_of(conn, found[0].chain)
            names[me] = "you"
            return [
                ChainLink(pid, names.get(pid, f"#{pid}"), share)
                for pid, share in attribute(found[0].chain, me)
            ]

    def suggest_chain(
        self, opportunity: int | Opportunity, *, limit: int = 3
    ) -> list[ChainSuggestion]:
        """Chains the records suggest for an opportunity: from you to someone at its
        organisation, through the introductions on record (shortest first).

        Someone at the organisation who is one of your contacts is a one-link chain. Without
        an organisation there is nothing to aim at, and nothing is suggested.
        """
        from sqlalchemy import select

        from weakties.analysis.attribution import IntroFact, attribute, suggest_chains
        from weakties.analysis.review import ChainLink
        from weakties.store import goals as store_goals
        from weakties.store import schema as s
        from weakties.store.ledger import names_of
        from weakties.store.ties import read_ties

        opp_id = opportunity if isinstance(opportunity, int) else opportunity.id
        if opp_id is None:
            raise InvalidInput("that opportunity is not stored yet")
        self.refresh_ties()
        with self.transaction() as conn:
            found = store_goals.list_opportunities(conn, ids=[opp_id])
            if not found:
                raise NotFound(f"no opportunity #{opp_id}")
            opp = found[0]
            if opp.org_id is None:
                return []
            me = self._me_id(conn)
            targets = set(
                conn.execute(
                    select(s.affiliation.c.person_id).where(s.affiliation.c.org_id == opp.org_id)
                ).scalars()
            )
            org = conn.execute(
                select(s.organization.c.name).where(s.organization.c.id == opp.org_id)
            ).scalar()
            intros = [
                IntroFact(r.a_id, r.b_id, r.introducer_id)
                for r in conn.execute(
                    select(
                        s.introduction.c.a_id, s.introduction.c.b_id, s.introduction.c.introducer_id
                    ).order_by(s.introduction.c.id)
                )
            ]
            scores = read_ties(conn)
            contacts = sorted((c for c in scores if c in targets), key=lambda c: (-scores[c][0], c))
            chains = suggest_chains(me, targets, intros, contacts, limit=limit)
            names = names_of(conn, {p for c in chains for p in c})
        out = []
        for chain in chains:
            links = tuple(ChainLink(p, names[p], share) for p, share in attribute(chain, me))
            path = " → ".join(["you", *(names[p] for p in chain)])
            if len(chain) == 1 and chain[0] in contacts:
                reason = f"{names[chain[0]]} is at {org} and is one of your contacts"
            else:
                reason = f"through introductions on record: {path} (at {org})"
            out.append(ChainSuggestion(links, reason))
        return out

    # ------------------------------------------------------------------- insights
    def insights(self) -> Insights:
        """Where your opportunities came from: time from first contact, tie strength at the
        time (Granovetter's question on your own data), favours that came first, and credit."""
        import numpy as np
        from sqlalchemy import or_, select

        from weakties.analysis.attribution import (
            ShareOf,
            contact_frequency,
            frequency_counts,
            median_or_none,
            share_through,
            total_credit,
        )
        from weakties.analysis.review import ChainLink
        from weakties.store import goals as store_goals
        from weakties.store import schema as s
        from weakties.store.ledger import names_of

        with self.transaction() as conn:
            me = self._me_id(conn)
            opps = store_goals.list_opportunities(conn)
            facts, net = self._score(conn)
            assert net is not None
            chained = {p for o in opps for p in o.chain}
            names = names_of(conn, chained)
            met = dict(
                conn.execute(
                    select(s.person.c.id, s.person.c.met_when).where(
                        s.person.c.id.in_(sorted(chained))
                    )
                ).all()
            )
            favours = conn.execute(
                select(s.favor).where(or_(s.favor.c.giver_id == me, s.favor.c.receiver_id == me))
            ).all()
            scored_at: dict[float, dict[int, str]] = {}

            def category_then(pid: int, moment: float) -> str | None:
                if moment not in scored_at:
                    then = datetime.fromtimestamp(moment, UTC)
                    _, old = self._score(conn, then)
                    rows = old.owner_rows()
                    scored_at[moment] = dict(
                        zip(
                            old.contact_of(rows).tolist(),
                            old.category[rows].tolist(),
                            strict=True,
                        )
                    )
                return scored_at[moment].get(pid)

            mine = np.isin(facts.p_interaction, facts.p_interaction[facts.p_person == me])
            rows_out = []
            for o in opps:
                assert o.id is not None
                opened = o.opened.first_day() if o.opened else None
                opened_ts = datetime.combine(opened, time(), UTC).timestamp() if opened else None
                if not o.chain:
                    rows_out.append(
                        OpportunityInsight(
                            o.id,
                            o.title,
                            o.opened.iso() if o.opened else None,
                            None,
                            None,
                            None,
                            None,
                            None,
                            None,
                            None,
                        )
                    )
                    continue
                first = o.chain[0]
                seen = mine & (facts.p_person == first)
                times = list(facts.p_time[seen].tolist())
                linked = (facts.link_a == me) & (facts.link_b == first) | (facts.link_b == me) & (
                    facts.link_a == first
                )
                times += facts.link_time[linked].tolist()
                times += [
                    t
                    for f in favours
                    if first in (f.giver_id, f.receiver_id)
                    and (t := _pdate_ts(f.happened)) is not None
                ]
                if (m := _pdate_ts(met.get(first))) is not None:
                    times.append(m)
                times = [t for t in times if t == t]
                first_ts = min(times) if times else None
                days = (
                    (opened_ts - first_ts) / 86400
                    if first_ts is not None and opened_ts is not None
                    else None
                )
                count = freq = category = None
                if opened_ts is not None:
                    window = (
                        seen & (facts.p_time < opened_ts) & (facts.p_time >= opened_ts - YEAR_S)
                    )
                    count = len(np.unique(facts.p_interaction[window]))
                    freq = contact_frequency(count).value
                    category = category_then(first, opened_ts)
                rows_out.append(
                    OpportunityInsight(
                        o.id,
                        o.title,
                        o.opened.iso() if o.opened else None,
                        first,
                        names.get(first, f"#{first}"),
                        _local_day(first_ts).isoformat() if first_ts is not None else None,
                        None if days is None else round(days, 1),
                        category,
                        count,
                        freq,
                    )
                )
            before = []
            for o in opps:
                if o.opened is None or not o.chain:
                    continue
                assert o.id is not None
                opened_day = o.opened.first_day()
                for f in favours:
                    other = f.receiver_id if f.giver_id == me else f.giver_id
                    if other not in o.chain or f.happened is None:
                        continue
                    from weakties.domain.dates import PartialDate

                    done = PartialDate.from_iso(f.happened)
                    if done.last_day() >= opened_day:
                        continue
                    before.append(
                        FavourBefore(
                            f.id,
                            f.giver_id == me,
                            other,
                            names.get(other, f"#{other}"),
                            f.what,
                            f.happened,
                            o.id,
                            o.title,
                            float((opened_day - done.first_day()).days),
                        )
                    )
            totals = total_credit([o.chain for o in opps], me)
            totals.pop(me, None)
        from weakties.analysis.attribution import ContactFrequency

        with_chain = [r for r in rows_out if r.first_link_id is not None]
        categories = [r.category_then or "never" for r in with_chain if r.opened is not None]
        bands = [ContactFrequency(r.frequency) for r in with_chain if r.frequency is not None]
        counts = frequency_counts(bands)
        return Insights(
            opportunities=tuple(rows_out),
            median_days_to_opportunity=median_or_none(
                [r.days_to_opportunity for r in rows_out if r.days_to_opportunity is not None]
            ),
            through_weak_ties=share_through(categories),
            frequency=counts,
            less_than_often=ShareOf.of(len(bands) - counts["often"], len(bands)),
            favours_before=tuple(sorted(before, key=lambda b: (b.opportunity_id, b.when))),
            credit=tuple(
                ChainLink(pid, names.get(pid, f"#{pid}"), round(v, 4))
                for pid, v in sorted(totals.items(), key=lambda x: (-x[1], x[0]))
            ),
            direct=sum(not o.chain for o in opps),
        )
