"""A community: members, their private partitions, and what they publish to the pool.

``Community.open(db)`` opens a community database (``weakties community init NAME`` made it).
Each member has a private partition, a full weakties workspace of their own
(:mod:`weakties.store.partitions`), opened with :meth:`Community.member_workspace`: a member
imports, logs and edits there exactly as a single user does. Whenever their data has changed,
closing their workspace publishes their contribution to the pool (:mod:`weakties.store.pool`),
so the pooled graph follows imports, edits and ``forget`` without anyone asking. The pool is
read through consent-scoped views (:mod:`weakties.store.consent`) in
:mod:`weakties.workspace.pooled`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from weakties.domain.community import Member, Role, Sharing, check_handle
from weakties.errors import Conflict, InvalidInput, NotFound
from weakties.workspace import Workspace
from weakties.workspace.pooled import PooledOps

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from weakties.store.pool import Contribution, Published

NAME_KEY = "community_name"
SECRET_KEY = "community_secret"


class MemberWorkspace(Workspace):
    """A member's private workspace inside a community.

    Everything a single user can do works here unchanged; ``paths`` answers on the pooled
    graph (within consent), and closing publishes the member's contribution when it changed.
    """

    community: Community
    member: Member

    def paths(self, *args: Any, **kwargs: Any) -> Any:
        self.community.publish(self.member.handle, ws=self)
        return self.community.paths(self.member.handle, *args, **kwargs)

    def plan(
        self, *, goal_id: int | None = None, k: int = 10, rounds: int = 1000, seed: int = 0
    ) -> Any:
        """Whom to tell about the goal, on the pooled graph (the goal stays private)."""
        from weakties.domain.goals import GoalStatus
        from weakties.store.goals import get_goal, list_goals
        from weakties.store.people import me_id

        self.community.publish(self.member.handle, ws=self)
        with self.transaction() as conn:
            if goal_id is not None:
                goal = get_goal(conn, goal_id)
            else:
                mine = list_goals(conn, owner_id=me_id(conn), status=GoalStatus.OPEN)
                if not mine:
                    raise NotFound(
                        "you have no open goal", hint="weakties goal add TEXT --tag org:NAME"
                    )
                goal = mine[0]
        return self.community.plan(self.member.handle, goal, k=k, rounds=rounds, seed=seed)

    def draft(self, path: Any, *, goal: str | None = None, fmt: str = "text") -> str:
        """The note for an ask through the first member on a pooled path."""
        from weakties.workspace.pooled import draft_note

        broker = next((n for n in path.names[1:] if not n.startswith("someone ")), path.names[-1])
        target = path.names[-1] + (f" ({path.target_role})" if path.target_role else "")
        return draft_note(self.member.name, broker, target, self.community.name)

    def close(self) -> None:
        try:
            self.community.publish(self.member.handle, ws=self)
        finally:
            super().close()


class Community(PooledOps):
    """A community database: its members and the pool they contribute to."""

    # --------------------------------------------------------------- set-up
    def init(self, name: str) -> str:  # type: ignore[override]
        """Make this database a community called ``name`` (again: rename it)."""
        from sqlalchemy import select

        from weakties.store import schema as s

        if not name.strip():
            raise InvalidInput("a community needs a name")
        with self.transaction() as conn:
            owner = conn.execute(select(s.person.c.id).where(s.person.c.is_me)).first()
        if owner is not None:
            raise Conflict(
                "this database is a personal workspace, not a community",
                hint="give `--db` a new file or database for the community",
            )
        if not self.setting(SECRET_KEY):
            self.set_setting(SECRET_KEY, secrets.token_hex(32))
        self.set_setting(NAME_KEY, name.strip())
        return name.strip()

    @property
    def name(self) -> str:
        found = self.setting(NAME_KEY)
        if not found:
            raise NotFound(
                "this database is not a community", hint="run `weakties community init NAME`"
            )
        return found

    def _secret(self) -> str:
        self.name  # noqa: B018 - refuses a database that is not a community
        secret = self.setting(SECRET_KEY)
        assert secret is not None
        return secret

    # --------------------------------------------------------------- members
    def members(self) -> list[Member]:
        from weakties.store.members import members

        self.name  # noqa: B018
        with self.transaction() as conn:
            return members(conn)

    def member(self, handle: str) -> Member:
        from weakties.store.members import member_by_handle

        self.name  # noqa: B018
        with self.transaction() as conn:
            return member_by_handle(conn, handle)

    def add_member(
        self,
        handle: str,
        name: str,
        *,
        emails: Sequence[str] = (),
        sharing: Sharing = Sharing.EXISTS,
        share_names: bool = False,
        role: Role | None = None,
    ) -> Member:
        """Add a member with an empty private partition (the first member is an admin)."""
        from weakties.store.members import add_member, member_by_handle, members, remove_member
        from weakties.store.partitions import create_partition

        handle = check_handle(handle)
        self.name  # noqa: B018
        with self.transaction() as conn:
            first = not members(conn)
            member_id = add_member(
                conn,
                handle,
                name,
                role=role or (Role.ADMIN if first else Role.MEMBER),
                sharing=sharing,
                share_names=share_names,
            )
        try:
            url = create_partition(self.url, member_id, encrypted=self.encrypted)
            with Workspace.open(url) as ws:
                ws.init(name.strip(), list(emails))
            self.publish(handle, force=True)
        except BaseException:
            with self.transaction() as conn:
                remove_member(conn, member_id)
            from weakties.store.partitions import drop_partition

            drop_partition(self.url, member_id)
            raise
        with self.transaction() as conn:
            return member_by_handle(conn, handle)

    def remove_member(self, handle: str) -> dict[str, int]:
        """Remove a member: their partition and everything they contributed, nothing else.
        Returns the pool's row counts before the removal minus after."""
        from weakties.store.members import member_by_handle, remove_member, row_counts
        from weakties.store.partitions import drop_partition

        with self.transaction() as conn:
            member = member_by_handle(conn, handle)
            before = row_counts(conn)
            remove_member(conn, member.id)
            after = row_counts(conn)
        drop_partition(self.url, member.id)
        return {table: before[table] - after[table] for table in before}

    def share(self, handle: str, sharing: Sharing, names: bool | None = None) -> Member:
        """Change what a member shares; takes effect on the next query, nothing to rebuild."""
        from weakties.store.members import member_by_handle, set_sharing

        with self.transaction() as conn:
            member = member_by_handle(conn, handle)
            set_sharing(conn, member.id, sharing, names)
            return member_by_handle(conn, handle)

    def set_role(self, handle: str, role: Role) -> Member:
        from weakties.store.members import member_by_handle, set_role

        with self.transaction() as conn:
            member = member_by_handle(conn, handle)
            set_role(conn, member.id, role)
            return member_by_handle(conn, handle)

    def set_password(self, handle: str, password: str) -> None:
        """Set the member's web password (stored as an Argon2id hash)."""
        from weakties.store.members import member_by_handle, set_password_hash
        from weakties.store.passwords import hash_password

        if len(password) < 10:
            raise InvalidInput("a member's password needs at least 10 characters")
        with self.transaction() as conn:
            set_password_hash(conn, member_by_handle(conn, handle).id, hash_password(password))

    def check_password(self, handle: str, password: str) -> Member | None:
        """The member, if ``password`` is theirs (the same work is done for unknown handles)."""
        from weakties.store.members import member_by_handle, password_hash
        from weakties.store.passwords import password_matches

        try:
            with self.transaction() as conn:
                member = member_by_handle(conn, handle)
                stored = password_hash(conn, member.id)
        except NotFound:
            password_matches(None, password)
            return None
        return member if password_matches(stored, password) else None

    def member_workspace(self, handle: str) -> MemberWorkspace:
        """The member's private workspace (close it to publish what changed)."""
        from weakties.store.partitions import member_url

        member = self.member(handle)
        ws = MemberWorkspace.open(member_url(self.url, member.id), create=False)
        ws.community = self
        ws.member = member
        return ws

    def row_counts(self) -> dict[str, int]:
        from weakties.store.members import row_counts

        with self.transaction() as conn:
            return row_counts(conn)

    # ----------------------------------------------------------- publication
    def publish(
        self,
        handle: str,
        *,
        ws: Workspace | None = None,
        force: bool = False,
        kernels: Any = None,
    ) -> Published | None:
        """Publish the member's contribution if their data changed since the last one (or a
        day passed: silence weakens ties); None when nothing needed doing. ``kernels`` run the
        scoring's data-parallel steps (``weakties batch --engine spark``; default local)."""
        from weakties.store.members import member_by_handle
        from weakties.store.pool import publish, published_state

        with self.transaction() as conn:
            member = member_by_handle(conn, handle)
            previous = published_state(conn, member.id)
        if ws is None:
            from weakties.store.partitions import member_url

            with Workspace.open(member_url(self.url, member.id), create=False) as own:
                return self.publish(handle, ws=own, force=force, kernels=kernels)
        state = _state(ws)
        if not force and state == previous:
            return None
        contribution = _contribution(ws, self._secret(), state, kernels)
        with self.transaction() as conn:
            return publish(conn, member.id, contribution)

    def refresh(self, *, force: bool = False, kernels: Any = None) -> dict[str, Published | None]:
        """Publish every member whose data changed (``force``: every member), the batch job
        cron or ``weakties batch`` runs; ``kernels`` as for :meth:`publish`."""
        return {
            m.handle: self.publish(m.handle, force=force, kernels=kernels) for m in self.members()
        }


def _state(ws: Workspace) -> str:
    from weakties.store.ties import fingerprint

    with ws.transaction() as conn:
        return f"{datetime.now(UTC).date()}|{fingerprint(conn)}|{ws._calibrated(conn)}"


def _contribution(ws: Workspace, secret: str, state: str, kernels: Any = None) -> Contribution:
    """What the member's partition contributes: people, digests and introduction arcs."""
    import numpy as np

    from weakties.engines.local import graph_edges
    from weakties.store.pool import ContactFacts, Contribution

    with ws.transaction() as conn:
        me = _me(conn)
        people = _people(conn, secret)
        # scored at the end of the day, so that publishing again the same day gives the same
        # arcs (the state key holds the date; silence otherwise grows by the second)
        end_of_day = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(), UTC)
        facts, net = ws._score(conn, now=end_of_day, kernels=kernels)
        if net is None:
            a = b = np.zeros(0, np.int64)
            pab = pba = np.zeros(0)
        else:
            edges = graph_edges(net, facts, kernels)
            a, b, pab, pba = edges.src, edges.dst, edges.p_forward, edges.p_backward
            rows = net.owner_rows()
            scored = zip(
                net.contact_of(rows).tolist(),
                net.strength[rows].tolist(),
                net.category[rows].tolist(),
                strict=True,
            )
            for pid, strength, category in scored:  # the same moment as the arcs
                if int(pid) in people:
                    people[int(pid)] = replace(
                        people[int(pid)], strength=float(strength), category=str(category)
                    )
    mine = people.pop(me, None)
    contacts = list(people.values())
    if mine is not None and (mine.org or mine.title):
        # the member's own organisation and title, so others can find "Alice, at Acme"
        contacts.append(ContactFacts(local_id=me, name=mine.name, org=mine.org, title=mine.title))
    return Contribution(
        me=me,
        my_digests=mine.digests if mine else (),
        contacts=contacts,
        arc_a=a.tolist(),
        arc_b=b.tolist(),
        arc_p_ab=np.asarray(pab, dtype=float).tolist(),
        arc_p_ba=np.asarray(pba, dtype=float).tolist(),
        state=state,
    )


def _me(conn: Connection) -> int:
    from weakties.store.people import me_id

    me = me_id(conn)
    if me is None:
        raise NotFound("the member's workspace has no owner")
    return me


def _people(conn: Connection, secret: str) -> dict[int, Any]:
    """Every visible person of the partition with digests, current job and tie."""
    from sqlalchemy import select

    from weakties.store import schema as s
    from weakties.store.people import visible
    from weakties.store.pool import ContactFacts, identity_digest

    names = {
        int(pid): str(name)
        for pid, name in conn.execute(select(s.person.c.id, s.person.c.name).where(visible))
    }
    digests: dict[int, list[str]] = {}
    for pid, kind, value in conn.execute(
        select(s.identity.c.person_id, s.identity.c.kind, s.identity.c.value)
    ):
        if int(pid) in names:
            digests.setdefault(int(pid), []).append(identity_digest(secret, kind, value))
    jobs: dict[int, tuple[str, str | None]] = {}
    a, o = s.affiliation, s.organization
    rows = conn.execute(
        select(a.c.person_id, o.c.name, a.c.title)
        .join(o, o.c.id == a.c.org_id)
        .where(a.c.end.is_(None))
        .order_by(a.c.person_id, a.c.start, a.c.id)
    )
    for pid, org, title in rows:
        jobs[int(pid)] = (str(org), title)  # the latest start wins
    ties = {
        int(pid): (float(strength), str(category))
        for pid, strength, category in conn.execute(
            select(s.tie.c.person_id, s.tie.c.strength, s.tie.c.category)
        )
    }
    out = {}
    for pid, name in names.items():
        org, title = jobs.get(pid, (None, None))
        strength, category = ties.get(pid, (None, None))
        out[pid] = ContactFacts(
            local_id=pid,
            name=name,
            digests=tuple(sorted(set(digests.get(pid, ())))),
            org=org,
            title=title,
            strength=strength,
            category=category,
        )
    return out
