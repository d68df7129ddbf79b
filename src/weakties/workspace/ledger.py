"""The ledger: interactions, favours, introductions, goals and opportunities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from weakties.domain.dates import PartialDate, parse_moment
from weakties.domain.goals import (
    Goal,
    GoalStatus,
    Opportunity,
    OpportunityStatus,
)
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
from weakties.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


from weakties.workspace.base import _SLACK, WorkspaceBase, _when, parse_goal_tag


class LedgerOps(WorkspaceBase):
    """Writing and reading the ledger."""

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
