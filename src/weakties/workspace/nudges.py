"""Nudges and the goodwill ledger: whom to reconnect with, help, introduce, thank, keep warm."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from weakties.errors import InvalidInput, NotFound
from weakties.workspace.base import WorkspaceBase

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from weakties.analysis.goodwill import GoodwillEntries
    from weakties.analysis.nudges import Nudge, NudgeKind, NudgeState, Traits

SNOOZE_DAYS = 30
"""A snooze without a date lasts a month."""
NUDGE_KINDS = ("reconnect", "help", "introduce", "thank", "keep-warm")


@dataclass(frozen=True, slots=True)
class GoodwillEntry:
    """One service in my ledger with a person: what, when, which way, and what it counts now."""

    kind: str  # favour or introduction
    source_id: int
    direction: str  # given (I did it for them) or received (they did it for me)
    what: str
    when: str | None
    weight: float
    weight_now: float


@dataclass(frozen=True, slots=True)
class GoodwillBalance:
    """My decayed goodwill with one person: given, received and the balance (given − received;
    positive means they owe me). ``entries`` is filled when one person was asked for."""

    person_id: int
    name: str
    given: float
    received: float
    balance: float
    entries: tuple[GoodwillEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class _Ledger:
    entries: GoodwillEntries
    what: list[str]
    when: list[str | None]


def _pdate_ts(text: str | None) -> float:
    from weakties.domain.dates import PartialDate

    if not text:
        return float("nan")
    day = PartialDate.from_iso(text).first_day()
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _moment(value: str | datetime | None) -> datetime | None:
    from weakties.domain.dates import parse_moment

    if value is None or isinstance(value, datetime):
        return value
    return parse_moment(value)


class NudgeOps(WorkspaceBase):
    """Nudges with their remembered state, and goodwill balances."""

    # ----------------------------------------------------------------- nudges
    def nudges(
        self,
        kinds: Sequence[str] | None = None,
        *,
        limit: int | None = 20,
        include_hidden: bool = False,
        now: datetime | None = None,
    ) -> list[Nudge]:
        """Nudges of the chosen kinds (default: all), best first within each kind and taken in
        turn across kinds; nudges the user marked done, snoozed or dismissed are hidden unless
        ``include_hidden`` (they then carry their status)."""
        from weakties.analysis.nudges import NudgeKind, interleave, is_hidden, with_state

        chosen = self._kinds(kinds)
        moment = now or datetime.now(UTC)
        with self.transaction() as conn:
            facts, net = self._score(conn, moment)
            if net is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            ctx = _Context(self, conn, facts, net)
            states = self._states(conn)
            builders = {
                NudgeKind.RECONNECT: ctx.reconnect,
                NudgeKind.HELP: ctx.help,
                NudgeKind.INTRODUCE: ctx.introduce,
                NudgeKind.THANK: ctx.thank,
                NudgeKind.KEEP_WARM: ctx.keep_warm,
            }
            groups = []
            for kind in chosen:
                shown = []
                for n in builders[kind]():
                    state = states.get(n.key)
                    if is_hidden(n, state, moment):
                        if include_hidden:
                            shown.append(with_state(n, state))
                    else:
                        shown.append(n)
                groups.append(shown)
        return interleave(groups, limit)

    @staticmethod
    def _kinds(kinds: Sequence[str] | None) -> list[NudgeKind]:
        from weakties.analysis.nudges import NudgeKind

        if not kinds:
            return list(NudgeKind)
        out = []
        for k in kinds:
            try:
                kind = NudgeKind(str(k).strip().lower())
            except ValueError:
                raise InvalidInput(
                    f"unknown nudge kind {k!r}", hint=f"accepted: {', '.join(NUDGE_KINDS)}"
                ) from None
            if kind not in out:
                out.append(kind)
        return out

    def _states(self, conn: Connection) -> dict[str, NudgeState]:
        from sqlalchemy import select

        from weakties.analysis.nudges import NudgeState, NudgeStatus
        from weakties.store import schema as s

        t = s.nudge_state.c
        return {
            r.key: NudgeState(r.key, NudgeStatus(r.status), r.until, r.updated_at)
            for r in conn.execute(select(t.key, t.status, t.until, t.updated_at))
        }

    def set_nudge(
        self,
        key: str,
        status: str,
        *,
        until: str | datetime | None = None,
        now: datetime | None = None,
    ) -> NudgeState:
        """Remember what I did with a nudge: ``done`` (hidden until its facts change),
        ``snoozed`` (hidden until ``until``, default a month) or ``dismissed`` (for good)."""
        from sqlalchemy import delete, insert

        from weakties.analysis.nudges import NudgeState, NudgeStatus
        from weakties.store import schema as s

        kind, sep, rest = key.strip().partition(":")
        if not sep or kind not in NUDGE_KINDS or not rest:
            raise InvalidInput(
                f"not a nudge key: {key!r}", hint="keys look like reconnect:12 or introduce:3-4"
            )
        try:
            chosen = NudgeStatus(status.strip().lower())
        except ValueError:
            raise InvalidInput(
                f"unknown nudge status {status!r}", hint="accepted: done, snoozed, dismissed"
            ) from None
        moment = now or datetime.now(UTC)
        end = _moment(until)
        if end is not None and chosen is not NudgeStatus.SNOOZED:
            raise InvalidInput("only a snooze has an end date")
        if chosen is NudgeStatus.SNOOZED:
            end = end or moment + timedelta(days=SNOOZE_DAYS)
            if end <= moment:
                raise InvalidInput("a snooze must end in the future")
        state = NudgeState(key.strip(), chosen, end, moment)
        with self.transaction() as conn:
            conn.execute(delete(s.nudge_state).where(s.nudge_state.c.key == state.key))
            conn.execute(
                insert(s.nudge_state).values(
                    key=state.key, status=chosen.value, until=end, updated_at=moment
                )
            )
        return state

    # --------------------------------------------------------------- goodwill
    def goodwill(
        self, ref: str | None = None, *, now: datetime | None = None
    ) -> list[GoodwillBalance]:
        """My decaying goodwill balance with one person (with the entries behind it), or with
        everyone I have exchanged favours or introductions with (largest balance first)."""
        import numpy as np

        from weakties.analysis.goodwill import decayed_weights, goodwill_balances
        from weakties.analysis.nudges import second_person
        from weakties.store.ledger import names_of
        from weakties.store.lookup import resolve_person

        moment = (now or datetime.now(UTC)).timestamp()
        with self.transaction() as conn:
            me = self._me_id(conn)
            pid = None
            if ref is not None:
                pid = resolve_person(conn, ref)
                if pid == me:
                    raise InvalidInput("that is you; name one of your contacts")
            ledger = _load_ledger(conn)
            e = ledger.entries
            bal = goodwill_balances(e, me, moment)
            if pid is None:
                names = names_of(conn, bal.person.tolist())
                rows = [
                    GoodwillBalance(
                        int(p), names.get(int(p), f"#{p}"), float(g), float(r), float(g - r)
                    )
                    for p, g, r in zip(bal.person, bal.given, bal.received, strict=True)
                ]
                rows.sort(key=lambda b: (-b.balance, -(b.given + b.received), b.name))
                return rows
            given, received = bal.of(np.array([pid]))
            now_w = decayed_weights(e, moment)
            items = []
            for i in np.flatnonzero(
                ((e.giver == me) & (e.receiver == pid)) | ((e.giver == pid) & (e.receiver == me))
            ):
                items.append(
                    GoodwillEntry(
                        kind=e.kind_of(int(i)).value,
                        source_id=int(e.source[i]),
                        direction="given" if e.giver[i] == me else "received",
                        what=(
                            second_person(ledger.what[i])
                            if e.kind[i] == 1 and e.receiver[i] == me
                            else ledger.what[i]
                        ),
                        when=ledger.when[i],
                        weight=float(e.weight[i]),
                        weight_now=float(now_w[i]),
                    )
                )
            items.sort(key=lambda x: (x.when is None, x.when or "", x.kind, x.source_id))
            name = names_of(conn, [pid])[pid]
            return [
                GoodwillBalance(
                    pid,
                    name,
                    float(given[0]),
                    float(received[0]),
                    float(given[0] - received[0]),
                    tuple(items),
                )
            ]


def _load_ledger(conn: Connection) -> _Ledger:
    """Favours and known-introducer introductions between visible people, as ledger entries,
    with each entry's description seen from its giver ("introduced them to Bob")."""
    import numpy as np
    from sqlalchemy import select

    from weakties.analysis.goodwill import ledger_entries
    from weakties.domain.ledger import FavorSize
    from weakties.store import schema as s
    from weakties.store.ledger import names_of
    from weakties.store.people import visible

    alive = set(conn.execute(select(s.person.c.id).where(visible)).scalars())
    fav = [
        r
        for r in conn.execute(
            select(
                s.favor.c.id,
                s.favor.c.giver_id,
                s.favor.c.receiver_id,
                s.favor.c.what,
                s.favor.c.happened,
                s.favor.c.size,
            ).order_by(s.favor.c.id)
        )
        if r.giver_id in alive and r.receiver_id in alive
    ]
    intro = [
        r
        for r in conn.execute(
            select(
                s.introduction.c.id,
                s.introduction.c.introducer_id,
                s.introduction.c.a_id,
                s.introduction.c.b_id,
                s.introduction.c.happened,
            ).order_by(s.introduction.c.id)
        )
        if r.introducer_id is not None and {r.introducer_id, r.a_id, r.b_id} <= alive
    ]
    entries = ledger_entries(
        favour_giver=np.array([r.giver_id for r in fav], dtype=np.int64),
        favour_receiver=np.array([r.receiver_id for r in fav], dtype=np.int64),
        favour_weight=np.array([FavorSize(r.size).weight for r in fav], dtype=np.float64),
        favour_time=np.array([_pdate_ts(r.happened) for r in fav], dtype=np.float64),
        favour_id=np.array([r.id for r in fav], dtype=np.int64),
        intro_by=np.array([r.introducer_id for r in intro], dtype=np.int64),
        intro_a=np.array([r.a_id for r in intro], dtype=np.int64),
        intro_b=np.array([r.b_id for r in intro], dtype=np.int64),
        intro_time=np.array([_pdate_ts(r.happened) for r in intro], dtype=np.float64),
        intro_id=np.array([r.id for r in intro], dtype=np.int64),
    )
    names = names_of(conn, [p for r in intro for p in (r.a_id, r.b_id)])
    what = [str(r.what) for r in fav]
    when: list[str | None] = [r.happened for r in fav]
    # ledger_entries lists each introduction twice: first for A (met B), then for B (met A)
    what += [f"introduced them to {names[r.b_id]}" for r in intro]
    what += [f"introduced them to {names[r.a_id]}" for r in intro]
    when += [r.happened for r in intro] * 2
    return _Ledger(entries, what, when)


class _Context:
    """The facts the nudge rules read, gathered once per call."""

    def __init__(self, ws: NudgeOps, conn: Connection, facts: Any, net: Any) -> None:
        import numpy as np

        from weakties.analysis.goodwill import goodwill_balances

        self.ws, self.conn, self.facts, self.net = ws, conn, facts, net
        self.me: int = int(net.me)
        self.now: float = float(net.now)
        self.traits = _traits(conn)
        rows = net.owner_rows()
        # only visible people (a fact may still name someone merged away)
        keep = np.isin(net.contact_of(rows), np.fromiter(self.traits, dtype=np.int64))
        self.rows = rows[keep]
        self.contacts = net.contact_of(self.rows)
        self.my_strength = {
            int(c): float(v) for c, v in zip(self.contacts, net.strength[self.rows], strict=True)
        }
        self.ledger = _load_ledger(conn)
        self.balances = goodwill_balances(self.ledger.entries, self.me, self.now)

    # --------------------------------------------------------------- asks
    def _asks(self, mine: bool) -> list[Any]:
        from sqlalchemy import select

        from weakties.analysis.nudges import Ask
        from weakties.domain.goals import GoalStatus
        from weakties.store import goals as store_goals
        from weakties.store import schema as s

        if mine:
            goals = store_goals.list_goals(self.conn, owner_id=self.me, status=GoalStatus.OPEN)
        else:
            goals = [
                g
                for g in store_goals.list_goals(self.conn, status=GoalStatus.OPEN)
                if g.owner_id != self.me and g.owner_id in self.my_strength
            ]
        created = {
            gid: _pdate_ts(c) for gid, c in self.conn.execute(select(s.goal.c.id, s.goal.c.created))
        }
        return [
            Ask(int(g.id or 0), g.owner_id, g.text, g.tags, created.get(g.id, 0.0) or 0.0)
            for g in goals
        ]

    # ---------------------------------------------------------- reconnect
    def reconnect(self) -> list[Nudge]:
        from dataclasses import fields, replace

        import numpy as np

        from weakties.analysis.events import expand_interactions
        from weakties.analysis.nudges import (
            History,
            match_tags,
            reconnect_nudges,
            reconnect_value,
            strength_when_quiet,
        )
        from weakties.analysis.structure import communities

        net, f = self.net, self.net.features
        rows, contacts = self.rows, self.contacts
        given, received = self.balances.of(contacts)
        goodwill = given + received
        talked = f.count[rows] > 0
        pick = (net.category[rows] == "dormant") | (~talked & (goodwill > 0))
        rows, contacts, goodwill = rows[pick], contacts[pick], goodwill[pick]
        if not len(rows):
            return []
        sub = replace(
            f,
            **{
                field.name: getattr(f, field.name)[rows]
                for field in fields(f)
                if field.name not in ("as_of", "decay")
            },
        )
        facts = self.facts
        mine = np.isin(facts.p_interaction, facts.p_interaction[facts.p_person == self.me])
        events = expand_interactions(
            facts.p_interaction[mine],
            facts.p_person[mine],
            facts.p_initiator[mine],
            facts.p_time[mine],
            facts.p_channel[mine],
        )
        events = events.select((events.u == self.me) | (events.v == self.me))
        past = strength_when_quiet(sub, events, self.ws._weights(self.conn))
        # my core circle: the community most of my strong and moderate ties belong to
        labels = communities(net.adjacency)
        all_rows = net.index(self.contacts)
        close = np.isin(net.category[self.rows], ("strong", "moderate"))
        core_pool = labels[all_rows[close]] if close.any() else labels[all_rows]
        core = int(np.bincount(core_pool).argmax()) if len(core_pool) else -1
        cand_nodes = net.index(contacts)
        other_circle = labels[cand_nodes] != core
        # reach into my goals: who matches a goal, and how many of their contacts do
        goals = self._asks(mine=True)
        targets: list[set[int]] = []
        for g in goals:
            targets.append(
                {
                    pid
                    for pid, t in self.traits.items()
                    if pid != self.me and match_tags(g.tags, t)[0] > 0
                }
            )
        every: set[int] = set().union(*targets) if targets else set()
        A = net.adjacency
        colleagues = self._colleagues(contacts, every)
        goal_self = np.array([int(c) in every for c in contacts], dtype=np.bool_)
        known: list[set[int]] = []
        for k, c in enumerate(contacts.tolist()):
            node = cand_nodes[k]
            nbrs = set(net.ids[A.indices[A.indptr[node] : A.indptr[node + 1]]].tolist())
            known.append((nbrs | colleagues.get(c, set())) - {self.me, c})
        goal_nb = np.array([len(k & every) for k in known], dtype=np.float64)
        value, g_term, novelty, reach = reconnect_value(
            past, goodwill, sub.mutual_contacts, other_circle, goal_self, goal_nb
        )
        # the details the reasons and openers cite
        last = self._last_interactions([int(c) for c in contacts])
        names = {pid: t.name for pid, t in self.traits.items()}
        helped: dict[int, list[tuple[str, str | None]]] = {}
        helped_me: dict[int, list[tuple[str, str | None]]] = {}
        e = self.ledger.entries
        for i in range(len(e)):
            if e.giver[i] == self.me:
                helped.setdefault(int(e.receiver[i]), []).append(
                    (self.ledger.what[i], self.ledger.when[i])
                )
            elif e.receiver[i] == self.me:
                helped_me.setdefault(int(e.giver[i]), []).append(
                    (self.ledger.what[i], self.ledger.when[i])
                )
        histories = []
        for k, c in enumerate(contacts.tolist()):
            goal_text: str | None = None
            goal_people: tuple[str, ...] = ()
            if reach[k] > 0:
                for g, tg in zip(goals, targets, strict=True):
                    if c in tg or known[k] & tg:
                        goal_text = g.text
                        goal_people = tuple(names[p] for p in sorted(known[k] & tg) if p in names)
                        break
            channel, summary = last.get(c, (None, None))
            histories.append(
                History(
                    person=self.traits[c],
                    interactions=int(sub.count[k]),
                    last_t=float(sub.last_t[k]),
                    last_channel=channel,
                    last_summary=summary,
                    i_helped=tuple(helped.get(c, ())),
                    they_helped=tuple(helped_me.get(c, ())),
                    goal_text=goal_text,
                    goal_self=bool(goal_self[k]),
                    goal_contacts=goal_people,
                )
            )
        return reconnect_nudges(
            histories,
            past,
            value,
            g_term,
            novelty,
            reach,
            sub.mutual_contacts,
            other_circle,
            self.now,
        )

    def _colleagues(self, people: Any, targets: set[int]) -> dict[int, set[int]]:
        """Which of ``targets`` each person worked alongside (overlapping tenure at the same
        organisation): people they very likely know though I never saw them together."""
        import numpy as np

        f = self.facts
        out: dict[int, set[int]] = {}
        if not targets:
            return out
        wanted = set(int(p) for p in people)
        end = np.where(np.isnan(f.aff_end), self.now, f.aff_end)
        by_org: dict[int, list[int]] = {}
        for row in np.flatnonzero(~np.isnan(f.aff_start)).tolist():
            by_org.setdefault(int(f.aff_org[row]), []).append(row)
        for rows in by_org.values():
            mine = [r for r in rows if int(f.aff_person[r]) in wanted]
            theirs = [r for r in rows if int(f.aff_person[r]) in targets]
            for i in mine:
                for j in theirs:
                    a, b = int(f.aff_person[i]), int(f.aff_person[j])
                    if a != b and min(end[i], end[j]) > max(f.aff_start[i], f.aff_start[j]):
                        out.setdefault(a, set()).add(b)
        return out

    def _last_interactions(self, people: list[int]) -> dict[int, tuple[str, str | None]]:
        """Channel and summary of my latest conversation with each of these people, preferring
        one that was not a mere like or comment online (the shared history an opener cites)."""
        import numpy as np
        from sqlalchemy import select

        from weakties.analysis.events import channel_code
        from weakties.domain.ledger import Channel
        from weakties.store import schema as s

        facts = self.facts
        social = channel_code(Channel.SOCIAL)
        mine = np.isin(facts.p_interaction, facts.p_interaction[facts.p_person == self.me])
        sel = mine & np.isin(facts.p_person, people) & (facts.p_time <= self.now)
        # latest non-social first, then latest of any kind: sort so the wanted row comes last
        order = np.lexsort((facts.p_time[sel], facts.p_channel[sel] != social, facts.p_person[sel]))
        person = facts.p_person[sel][order]
        interaction = facts.p_interaction[sel][order]
        last_of = np.flatnonzero(np.r_[person[1:] != person[:-1], True]) if len(person) else ()
        chosen = {int(interaction[k]): int(person[k]) for k in last_of}
        out: dict[int, tuple[str, str | None]] = {}
        ids = sorted(chosen)
        col = s.interaction.c
        for start in range(0, len(ids), 500):
            for iid, channel, summary in self.conn.execute(
                select(col.id, col.channel, col.summary).where(col.id.in_(ids[start : start + 500]))
            ):
                out[chosen[int(iid)]] = (str(channel), summary)
        return out

    # --------------------------------------------------------------- help
    def help(self) -> list[Nudge]:
        import numpy as np

        from weakties.analysis.nudges import best_helpers, help_nudges
        from weakties.engines.local import knows_scores

        picks = best_helpers(self._asks(mine=False), self.me, self._offerers(), self.my_strength)
        via = [p for p in picks if p.helper != self.me]
        knows: dict[int, float] = {}
        if via:
            p_knows = knows_scores(
                self.net,
                self.facts,
                np.array([p.ask.owner_id for p in via], dtype=np.int64),
                np.array([p.helper for p in via], dtype=np.int64),
            ).p
            knows = {p.ask.goal_id: float(k) for p, k in zip(via, p_knows, strict=True)}
        return help_nudges(picks, self.me, self.traits, self.my_strength, knows)

    def _offerers(self) -> dict[int, Traits]:
        """Me and my contacts: the people I can ask to answer someone's ask."""
        return {
            pid: t for pid, t in self.traits.items() if pid == self.me or pid in self.my_strength
        }

    # ---------------------------------------------------------- introduce
    def introduce(self) -> list[Nudge]:
        import numpy as np
        from sqlalchemy import select

        from weakties.analysis.nudges import introduce_nudges, introduction_candidates
        from weakties.engines.local import knows_scores
        from weakties.store import schema as s

        done = [
            (int(a), int(b))
            for a, b in self.conn.execute(select(s.introduction.c.a_id, s.introduction.c.b_id))
        ]
        candidates = introduction_candidates(
            self._asks(mine=False),
            self.me,
            self._offerers(),
            self.my_strength,
            exclude=done,
        )[:200]
        if not candidates:
            return []
        xs = np.array([c.x for c in candidates], dtype=np.int64)
        ys = np.array([c.y for c in candidates], dtype=np.int64)
        knows = knows_scores(self.net, self.facts, xs, ys).p
        return introduce_nudges(candidates, knows, self.traits, self.my_strength)

    # -------------------------------------------------------------- thank
    def thank(self) -> list[Nudge]:
        import numpy as np

        from weakties.analysis.goodwill import decayed_weights, unreturned
        from weakties.analysis.nudges import Received, thank_nudges

        e = self.ledger.entries
        owed = unreturned(e, self.me)
        now_w = decayed_weights(e, self.now)
        received = []
        for i in np.flatnonzero(owed):
            what = self.ledger.what[i]
            received.append(
                Received(
                    key=f"{e.kind_of(int(i)).value}:{int(e.source[i])}",
                    giver=int(e.giver[i]),
                    what=what,
                    when=self.ledger.when[i],
                    t=float(e.t[i]),
                    weight_now=float(now_w[i]),
                )
            )
        return thank_nudges(received, self.traits)

    # ---------------------------------------------------------- keep warm
    def keep_warm(self) -> list[Nudge]:
        import numpy as np

        from weakties.analysis.nudges import keep_warm_nudges, layer_before_last
        from weakties.analysis.structure import LAYER_MIN_PER_YEAR

        facts = self.facts
        mine = np.isin(facts.p_interaction, facts.p_interaction[facts.p_person == self.me])
        sel = mine & (facts.p_person != self.me) & (facts.p_time <= self.now)
        people, inverse = np.unique(facts.p_person[sel], return_inverse=True)
        times = facts.p_time[sel]
        by_person = {int(p): times[inverse == k] for k, p in enumerate(people)}
        ids = [int(p) for p in people if int(p) in self.traits]
        layer = layer_before_last(by_person, ids, LAYER_MIN_PER_YEAR)
        last = np.array([float(by_person[p].max()) for p in ids])
        category = dict(zip(self.contacts.tolist(), self.net.category[self.rows], strict=True))
        dormant = np.array([category.get(p) == "dormant" for p in ids], dtype=np.bool_)
        return keep_warm_nudges(
            [self.traits[p] for p in ids], layer, last, self.now, exclude=dormant
        )


def _traits(conn: Connection) -> dict[int, Traits]:
    """What every visible person offers: current organisations with their industries and
    titles, skills, and their do-not-ask flag."""
    from sqlalchemy import select

    from weakties.analysis.nudges import Traits
    from weakties.store import schema as s
    from weakties.store.people import visible

    base: dict[int, dict[str, Any]] = {}
    for r in conn.execute(
        select(s.person.c.id, s.person.c.name, s.person.c.given_name, s.person.c.do_not_ask).where(
            visible
        )
    ):
        base[r.id] = {
            "name": r.name,
            "given": r.given_name,
            "dna": bool(r.do_not_ask),
            "orgs": [],
            "industries": [],
            "titles": [],
            "skills": [],
            "role": None,
        }
    for pid, org, industry, title in conn.execute(
        select(
            s.affiliation.c.person_id,
            s.organization.c.name,
            s.organization.c.industry,
            s.affiliation.c.title,
        )
        .select_from(s.affiliation.join(s.organization))
        .where(s.affiliation.c.end.is_(None))
        .order_by(s.affiliation.c.person_id, s.affiliation.c.start.desc(), s.affiliation.c.id)
    ):
        row = base.get(pid)
        if row is None:
            continue
        if row["role"] is None:
            row["role"] = f"{title} at {org}" if title else org
        row["orgs"].append(org)
        if industry:
            row["industries"].append(industry)
        if title:
            row["titles"].append(title)
    for pid, skill in conn.execute(
        select(s.person_skill.c.person_id, s.person_skill.c.skill).order_by(
            s.person_skill.c.person_id, s.person_skill.c.skill
        )
    ):
        if pid in base:
            base[pid]["skills"].append(skill)
    return {
        pid: Traits(
            pid,
            r["name"],
            r["given"],
            tuple(r["orgs"]),
            tuple(r["industries"]),
            tuple(r["titles"]),
            tuple(r["skills"]),
            r["dna"],
            r["role"],
        )
        for pid, r in base.items()
    }
