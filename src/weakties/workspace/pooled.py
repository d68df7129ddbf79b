"""Paths, reach and asks across a community's pooled graph, always read through consent.

The pooled graph for a member is the union of the arcs every member contributed that the
viewer may read (:class:`weakties.store.consent.MemberView`), plus a weak arc between every
two members: belonging to the same community is itself a tie one can ask through. Node ids are
pooled people; a path that passes through another member's contact names that contact only if
the member shares names, and shows organisation and role only if they share them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from weakties.domain.community import (
    ANONYMOUS_STRENGTH,
    COMMUNITY_STRENGTH,
    OPEN_ASKS,
    Ask,
    AskStatus,
    Member,
)
from weakties.errors import Conflict, InvalidInput, NotFound
from weakties.workspace.base import WorkspaceBase
from weakties.workspace.results import AskPick, AskPlan, PathHop, PathResult, WarmPath

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from weakties.analysis.graph import TieGraph
    from weakties.domain.goals import Goal
    from weakties.store.consent import MemberView

COMMUNITY_ARC = -1  # the contributor of a member-to-member arc: the community itself
_CACHED_GRAPHS = 16  # pooled graphs kept in memory (two per member queried: pooled and own)
HIDDEN = 0  # the node id shown for a pooled person the viewer may not identify


@dataclass(frozen=True, slots=True)
class CommunityPaths(PathResult):
    """Paths on the pooled graph, and how many of the targets each graph reaches in 3 hops."""

    reachable_own: int = 0
    reachable_pooled: int = 0


@dataclass(frozen=True, slots=True)
class CommunityReach:
    """How much larger the reachable world is on the pooled graph than on one's own data."""

    member: str
    members: int
    people_own: int
    people_pooled: int
    orgs_own: int
    orgs_pooled: int


@dataclass(slots=True)
class _Pooled:
    graph: TieGraph
    me: int
    member_of: dict[int, Member]  # pooled person → member
    contributor: np.ndarray[Any, np.dtype[np.int64]]
    a: np.ndarray[Any, np.dtype[np.int64]]
    b: np.ndarray[Any, np.dtype[np.int64]]
    kind: list[str]
    p_ab: np.ndarray[Any, np.dtype[np.float64]]
    p_ba: np.ndarray[Any, np.dtype[np.float64]]


def combine_evidence(p: np.ndarray[Any, np.dtype[np.float64]]) -> float:
    """Several members' data saying two people know each other, as independent evidence:
    the ask fails only if it would fail on every one (noisy-OR), ``1 − Π(1 − p_i)``."""
    return float(1.0 - np.prod(1.0 - np.asarray(p, dtype=np.float64)))


def _combine_knows(
    knows: np.ndarray[Any, np.dtype[np.bool_]],
    contributor: np.ndarray[Any, np.dtype[np.int64]],
    a: np.ndarray[Any, np.dtype[np.int64]],
    b: np.ndarray[Any, np.dtype[np.int64]],
    kind: list[str],
    p_ab: np.ndarray[Any, np.dtype[np.float64]],
    p_ba: np.ndarray[Any, np.dtype[np.float64]],
) -> tuple[Any, Any, Any, list[str], Any, Any]:
    """One arc per pair of people for the ``knows`` evidence of all contributors (noisy-OR,
    vectorised), credited to the contributor whose own arc is the most probable; the members'
    own ``tie`` arcs stay as they are."""
    rows = np.flatnonzero(knows)
    span = int(max(a.max(), b.max())) + 1
    key = a[rows] * span + b[rows]
    pairs, group = np.unique(key, return_inverse=True)
    fail_ab = np.zeros(len(pairs))
    fail_ba = np.zeros(len(pairs))
    np.add.at(fail_ab, group, np.log1p(-np.minimum(p_ab[rows], 1.0 - 1e-12)))
    np.add.at(fail_ba, group, np.log1p(-np.minimum(p_ba[rows], 1.0 - 1e-12)))
    order = np.lexsort((-p_ab[rows], group))  # per pair, the best single arc first
    first = order[np.r_[True, group[order][1:] != group[order][:-1]]]
    best = rows[first]
    keep = np.flatnonzero(~knows)
    take = np.concatenate([keep, best])
    new_ab = np.concatenate([p_ab[keep], -np.expm1(fail_ab[group[first]])])
    new_ba = np.concatenate([p_ba[keep], -np.expm1(fail_ba[group[first]])])
    return (
        contributor[take],
        a[take],
        b[take],
        [kind[i] for i in take.tolist()],
        np.minimum(new_ab, 0.99),
        np.minimum(new_ba, 0.99),
    )


def neutral_hop() -> float:
    from weakties.analysis.graph import hop_probability

    return float(hop_probability(ANONYMOUS_STRENGTH)[()])


class PooledOps(WorkspaceBase):
    """Queries a member makes of the pool (mixed into :class:`weakties.workspace.community.Community`)."""

    # provided by the community
    def member(self, handle: str) -> Member:
        raise NotImplementedError

    def members(self) -> list[Member]:
        raise NotImplementedError

    def member_workspace(self, handle: str) -> Any:
        raise NotImplementedError

    @property
    def name(self) -> str:
        raise NotImplementedError

    # ------------------------------------------------------------- the graph
    def _view(self, member: Member) -> MemberView:
        from weakties.store.consent import MemberView

        return MemberView(member.id, neutral_hop())

    def _pooled(self, conn: Connection, viewer: Member, *, own_only: bool = False) -> _Pooled:
        """The viewer's pooled graph (or their own arcs only), kept while the pool is unchanged:
        the key is every member's last publication and sharing setting."""
        from sqlalchemy import select

        from weakties.store import schema as s

        m = s.member.c
        version = tuple(
            conn.execute(
                select(m.id, m.sharing, m.share_names, m.published_at, m.published_state).order_by(
                    m.id
                )
            )
        )
        key = (viewer.id, own_only)
        cache: dict[tuple[int, bool], tuple[Any, _Pooled]] = self.__dict__.setdefault(
            "_pooled_cache", {}
        )
        hit = cache.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        built = self._build_pooled(conn, viewer, own_only=own_only)
        if len(cache) >= _CACHED_GRAPHS:
            cache.pop(next(iter(cache)))
        cache[key] = (version, built)
        return built

    def _build_pooled(self, conn: Connection, viewer: Member, *, own_only: bool) -> _Pooled:
        from weakties.analysis.graph import TieGraph, hop_probability
        from weakties.store.members import members

        view = self._view(viewer)
        rows: list[Any] = list(conn.execute(view.own_arcs() if own_only else view.arcs()))
        everyone = members(conn)
        pids = {m.id: 0 for m in everyone}
        from sqlalchemy import select

        from weakties.store import schema as s

        for mid, pid in conn.execute(select(s.member.c.id, s.member.c.pool_person_id)):
            pids[int(mid)] = int(pid)
        member_of = {pids[m.id]: m for m in everyone}
        me = pids[viewer.id]
        contributor = np.array([r[0] for r in rows], dtype=np.int64)
        a = np.array([r[1] for r in rows], dtype=np.int64)
        b = np.array([r[2] for r in rows], dtype=np.int64)
        kind = [str(r[3]) for r in rows]
        p_ab = np.array([r[4] for r in rows], dtype=np.float64)
        p_ba = np.array([r[5] for r in rows], dtype=np.float64)
        knows = np.array([k == "knows" for k in kind], dtype=np.bool_)
        if knows.sum() > 1:
            contributor, a, b, kind, p_ab, p_ba = _combine_knows(
                knows, contributor, a, b, kind, p_ab, p_ba
            )
        if not own_only and len(everyone) > 1:
            ids = np.array(sorted(member_of), dtype=np.int64)
            i, j = np.triu_indices(len(ids), k=1)
            weak = float(hop_probability(COMMUNITY_STRENGTH)[()])
            contributor = np.concatenate([contributor, np.full(len(i), COMMUNITY_ARC)])
            a = np.concatenate([a, ids[i]])
            b = np.concatenate([b, ids[j]])
            kind += ["member"] * len(i)
            p_ab = np.concatenate([p_ab, np.full(len(i), weak)])
            p_ba = np.concatenate([p_ba, np.full(len(i), weak)])
        graph = TieGraph.from_edges(a, b, p_ab, p_ba, people=np.array([me]))
        return _Pooled(graph, me, member_of, contributor, a, b, kind, p_ab, p_ba)

    # --------------------------------------------------------------- targets
    def _targets(
        self, conn: Connection, viewer: Member, kind: str, text: str, org: str | None
    ) -> tuple[list[int], str]:
        from sqlalchemy import func, select

        from weakties.domain.people import normalize_org_name
        from weakties.store import schema as s
        from weakties.store.search import fold, words

        contacts = self._view(viewer).contacts().subquery()
        if kind == "skill":
            raise InvalidInput(
                "skills are not pooled across members", hint="search by --org or --role"
            )
        stmt = select(contacts.c.pool_person_id).distinct()
        if kind == "person":
            wanted = fold(text.strip())
            for m in self.members():
                if fold(m.name) == wanted or m.handle == text.strip().lower():
                    with_member = conn.execute(
                        select(s.member.c.pool_person_id).where(s.member.c.id == m.id)
                    ).scalar_one()
                    return [int(with_member)], m.name
            stmt = stmt.where(func.lower(contacts.c.name) == text.strip().lower())
            label = text.strip()
        else:
            org_name = org or (text if kind == "org" else None)
            if org_name:
                stmt = stmt.where(contacts.c.org_key == normalize_org_name(org_name))
            if kind == "role":
                terms = words(text)
                if not terms:
                    raise InvalidInput("describe the role, e.g. --role 'product manager'")
                for term in terms:
                    stmt = stmt.where(func.lower(contacts.c.title).contains(term, autoescape=True))
            label = f"people at {org_name}" if kind == "org" else f"{text} roles"
            if org_name and kind != "org":
                label += f" at {org_name}"
        found = [int(p) for p in conn.execute(stmt).scalars()]
        if not found:
            raise NotFound(f"nobody the community may show you matches {label}")
        return sorted(found), label

    # ----------------------------------------------------------------- paths
    def paths(
        self,
        handle: str,
        kind: str,
        text: str,
        *,
        org: str | None = None,
        k: int = 5,
        max_hops: int = 3,
        goal_id: int | None = None,
    ) -> CommunityPaths:
        """The warmest paths for member ``handle`` on the pooled graph (within consent)."""
        from weakties.analysis.paths import best_paths, reachable

        if not 1 <= max_hops <= 3:
            raise InvalidInput("--max-hops must be 1, 2 or 3")
        if k < 1:
            raise InvalidInput("-k must be at least 1")
        viewer = self.member(handle)
        with self.transaction() as conn:
            targets, label = self._targets(conn, viewer, kind, text, org)
            pooled = self._pooled(conn, viewer)
            own = self._pooled(conn, viewer, own_only=True)
            targets = [t for t in targets if t != pooled.me]
            if not targets:
                raise InvalidInput("that is you")
            found = best_paths(pooled.graph, pooled.me, targets, k=k, max_hops=max_hops)
            wanted = np.array(targets, dtype=np.int64)
            reach_all = reachable(pooled.graph, pooled.me, wanted, max_hops)
            reach_own = reachable(own.graph, own.me, wanted, max_hops)
            paths = [
                self._explain(conn, viewer, pooled, p.nodes, p.hop_probs, p.probability, p.weakest)
                for p in found
            ]
        return CommunityPaths(
            target=label,
            targets=len(targets),
            paths=paths,
            goal=None,
            reachable_own=int(reach_own.sum()),
            reachable_pooled=int(reach_all.sum()),
        )

    def _arc_of(self, pooled: _Pooled, u: int, v: int) -> tuple[int, str]:
        """Who contributed the best visible arc u → v, and its kind."""
        forward = (pooled.a == u) & (pooled.b == v)
        backward = (pooled.a == v) & (pooled.b == u)
        p = np.where(forward, pooled.p_ab, np.where(backward, pooled.p_ba, -1.0))
        i = int(np.argmax(p))
        return int(pooled.contributor[i]), pooled.kind[i]

    def _explain(
        self,
        conn: Connection,
        viewer: Member,
        pooled: _Pooled,
        nodes: Sequence[int],
        hop_probs: Sequence[float],
        probability: float,
        weakest: int,
    ) -> WarmPath:
        from sqlalchemy import select

        contacts = self._view(viewer).contacts().subquery()
        rows = conn.execute(
            select(contacts).where(contacts.c.pool_person_id.in_([int(n) for n in nodes]))
        ).mappings()
        seen: dict[int, dict[int, Any]] = {}
        for r in rows:
            seen.setdefault(int(r["pool_person_id"]), {})[int(r["member_id"])] = r
        by_id = {m.id: m for m in pooled.member_of.values()}
        names = ["you"]
        shown_ids = [pooled.me]
        hops: list[PathHop] = []
        role: str | None = None
        for i in range(1, len(nodes)):
            u, v = int(nodes[i - 1]), int(nodes[i])
            who, kind = self._arc_of(pooled, u, v)
            mine = seen.get(v, {})
            own = mine.get(viewer.id)
            via = mine.get(who)
            member = pooled.member_of.get(v)
            contributor = by_id.get(who)
            if member is not None:
                name, shown = member.name, v
            elif own is not None and own["name"]:
                name, shown = str(own["name"]), v
            elif via is not None and via["name"]:
                name, shown = str(via["name"]), v
            else:
                name = f"someone {contributor.name if contributor else 'a member'} knows"
                shown = HIDDEN
            job = own if own is not None and own["org"] else via
            if job is None or not job["org"]:
                job = next((r for r in mine.values() if r["org"]), None)
            job_text = None
            if job is not None and job["org"]:
                job_text = f"{job['title']}, {job['org']}" if job["title"] else str(job["org"])
            if i == len(nodes) - 1:
                role = job_text
            hops.append(
                PathHop(
                    a=shown_ids[-1],
                    a_name=names[-1],
                    b=shown,
                    b_name=name,
                    probability=float(hop_probs[i - 1]),
                    facts=_hop_facts(viewer, contributor, kind, via, self.name),
                )
            )
            names.append(name)
            shown_ids.append(shown)
        return WarmPath(
            nodes=tuple(shown_ids),
            names=tuple(names),
            probability=float(probability),
            weakest=weakest,
            hops=tuple(hops),
            target_role=role,
        )

    # ------------------------------------------------------------------ plan
    def plan(
        self, handle: str, goal: Goal, *, k: int = 10, rounds: int = 1000, seed: int = 0
    ) -> AskPlan:
        """Whom member ``handle`` should tell about ``goal`` on the pooled graph: their own
        contacts and the other members, chosen for reach into the goal's organisations and
        roles (the single-user plan's model, :func:`weakties.workspace.plan.plan_on_graph`)."""
        from sqlalchemy import func, or_, select

        from weakties.domain.goals import GoalTagKind
        from weakties.domain.people import normalize_org_name
        from weakties.store.search import words
        from weakties.workspace.plan import plan_on_graph

        if not 1 <= k <= 100:
            raise InvalidInput("-k must be between 1 and 100")
        orgs = [normalize_org_name(t.value) for t in goal.tags if t.kind is GoalTagKind.ORG]
        roles = [words(t.value) for t in goal.tags if t.kind is GoalTagKind.ROLE]
        if not orgs and not roles:
            raise InvalidInput(
                "a community plan needs the goal's organisations or roles",
                hint="weakties goal add TEXT --tag org:'Acme Bank' --tag role:'product manager'",
            )
        viewer = self.member(handle)
        with self.transaction() as conn:
            view = self._view(viewer).contacts().subquery()
            pooled = self._pooled(conn, viewer)
            graph = pooled.graph
            weights: dict[int, float] = {}
            relevant: set[int] = set()
            at_org = view.c.org_key.in_(orgs) if orgs else None
            role_terms = [
                func.lower(view.c.title).contains(term, autoescape=True)
                for terms in roles
                for term in terms
            ]
            if at_org is not None:
                relevant |= {
                    int(p)
                    for p in conn.execute(select(view.c.pool_person_id).where(at_org)).scalars()
                }
            stmt = select(view.c.pool_person_id)
            if at_org is not None:
                stmt = stmt.where(at_org)
            if role_terms:
                stmt = stmt.where(or_(*role_terms))
            for pid in conn.execute(stmt).scalars():
                weights[int(pid)] = 1.0
            weights.pop(pooled.me, None)
            if not weights:
                raise NotFound("nobody the community may show you matches the goal's targets")
            me_node = int(graph.node_of(np.array([pooled.me]))[0])
            lo, hi = graph.indptr[me_node], graph.indptr[me_node + 1]
            neighbours = graph.node_ids[graph.indices[lo:hi].astype(np.int64)]
            own = {
                int(r[0]): (r[1], r[2])
                for r in conn.execute(
                    select(view.c.pool_person_id, view.c.name, view.c.strength).where(
                        view.c.member_id == viewer.id
                    )
                )
            }
            # whom one can tell: one's own contacts and the members, never a hidden person
            tellable = [int(c) for c in neighbours if int(c) in own or int(c) in pooled.member_of]
            contact_ids = np.array(sorted(tellable), dtype=np.int64)

            def tie_to(c: int) -> float:
                mine = own[c][1] if c in own else None
                base = float(mine) if mine is not None else 0.0
                # a fellow member is at least a community tie, whatever one's own data says
                return max(base, COMMUNITY_STRENGTH) if c in pooled.member_of else base

            strength = np.array([tie_to(c) for c in contact_ids.tolist()])
            chosen = plan_on_graph(
                graph,
                pooled.me,
                contact_ids,
                strength,
                np.zeros(len(contact_ids)),
                relevant,
                weights,
                k,
                rounds,
                seed,
            )
            labels = self._target_labels(conn, viewer, pooled, weights)

        def name_of(pid: int) -> str:
            if pid in pooled.member_of:
                return pooled.member_of[pid].name
            if pid in own and own[pid][0]:
                return str(own[pid][0])
            return labels.get(pid, "someone in the community")

        position = {int(c): i for i, c in enumerate(contact_ids.tolist())}
        picks = []
        for p in chosen.plan.picks:
            pid = int(graph.node_ids[p.node])
            i = position[pid]
            picks.append(
                AskPick(
                    person_id=pid,
                    name=name_of(pid),
                    gain=float(p.gain),
                    strength=float(strength[i]),
                    mutual=int(chosen.mutual[i]),
                    acts=float(chosen.activation[i]),
                    reaches=tuple(
                        (name_of(int(graph.node_ids[t.node])), float(t.probability))
                        for t in p.targets[:4]
                        if int(graph.node_ids[t.node]) != pid
                    )[:3],
                    is_target=pid in weights,
                )
            )
        return AskPlan(
            goal_id=int(goal.id or 0),
            goal=goal.text,
            targets=len(chosen.target_ids),
            picks=tuple(picks),
            reach=float(chosen.plan.reach),
            stderr=float(chosen.plan.stderr),
            strongest_reach=float(chosen.strongest.reach),
            strongest=tuple(name_of(int(graph.node_ids[n])) for n in chosen.strongest.seeds),
            rounds=chosen.plan.rounds,
            evaluations=chosen.plan.evaluations,
        )

    def _target_labels(
        self, conn: Connection, viewer: Member, pooled: _Pooled, ids: dict[int, float]
    ) -> dict[int, str]:
        """How a target may be named to the viewer: a name someone shares, else their job."""
        from sqlalchemy import select

        view = self._view(viewer).contacts().subquery()
        labels: dict[int, str] = {}
        rows = conn.execute(
            select(view.c.pool_person_id, view.c.name, view.c.title, view.c.org).where(
                view.c.pool_person_id.in_(list(ids))
            )
        )
        for pid, name, title, org in rows:
            if name:
                labels[int(pid)] = str(name)
            elif int(pid) not in labels and org:
                labels[int(pid)] = f"someone at {org}" if not title else f"a {title} at {org}"
        return labels

    # ----------------------------------------------------------------- reach
    def reach(self, handle: str, hops: int = 3) -> CommunityReach:
        """People and organisations member ``handle`` reaches within ``hops``: own vs pooled."""
        from sqlalchemy import select

        from weakties.analysis.paths import reach_within

        viewer = self.member(handle)
        with self.transaction() as conn:
            pooled = self._pooled(conn, viewer)
            own = self._pooled(conn, viewer, own_only=True)
            far = reach_within(pooled.graph, pooled.me, hops).nodes
            near = reach_within(own.graph, own.me, hops).nodes
            contacts = self._view(viewer).contacts().subquery()
            org_of: dict[int, set[str]] = {}
            own_org_of: dict[int, set[str]] = {}
            for mid, pid, key in conn.execute(
                select(contacts.c.member_id, contacts.c.pool_person_id, contacts.c.org_key).where(
                    contacts.c.org_key.is_not(None)
                )
            ):
                org_of.setdefault(int(pid), set()).add(str(key))
                if int(mid) == viewer.id:  # what the member's own data says
                    own_org_of.setdefault(int(pid), set()).add(str(key))
        far_orgs = {k for p in far.tolist() if p != pooled.me for k in org_of.get(int(p), ())}
        near_orgs = {k for p in near.tolist() if p != own.me for k in own_org_of.get(int(p), ())}
        return CommunityReach(
            member=viewer.handle,
            members=len(pooled.member_of),
            people_own=len(near) - 1 if len(near) else 0,
            people_pooled=len(far) - 1 if len(far) else 0,
            orgs_own=len(near_orgs),
            orgs_pooled=len(far_orgs),
        )

    # ------------------------------------------------------------------ asks
    def ask(
        self,
        handle: str,
        through: str,
        kind: str,
        text: str,
        *,
        org: str | None = None,
        message: str | None = None,
    ) -> Ask:
        """Ask member ``through`` for an introduction towards a target (double opt-in: it
        waits in their inbox; nobody is contacted until they accept)."""
        from sqlalchemy import insert

        from weakties.analysis.paths import best_paths
        from weakties.store import schema as s

        viewer, broker = self.member(handle), self.member(through)
        if viewer.id == broker.id:
            raise InvalidInput("you cannot ask yourself")
        with self.transaction() as conn:
            targets, label = self._targets(conn, viewer, kind, text, org)
            pooled = self._pooled(conn, viewer)
            broker_pid = next(p for p, m in pooled.member_of.items() if m.id == broker.id)
            found = best_paths(pooled.graph, pooled.me, targets, k=20, diversify=False)
            chosen = next((p for p in found if broker_pid in p.nodes[1:]), None)
            if chosen is None:
                raise NotFound(
                    f"no path to {label} goes through {broker.name}",
                    hint="see `weakties path` for who can help",
                )
            at = chosen.nodes.index(broker_pid)
            via = chosen.nodes[at + 1] if at + 1 < len(chosen.nodes) else None
            warm = self._explain(
                conn, viewer, pooled, chosen.nodes, chosen.hop_probs, chosen.probability, 0
            )
            shown = warm.names[-1] + (f" ({warm.target_role})" if warm.target_role else "")
            note = message or draft_note(viewer.name, broker.name, shown, self.name)
            ask_id = conn.execute(
                insert(s.ask).values(
                    requester_id=viewer.id,
                    broker_id=broker.id,
                    target_person_id=int(chosen.nodes[-1]),
                    via_person_id=int(via) if via is not None else None,
                    target_label=shown,
                    message=note,
                    status=AskStatus.PENDING.value,
                    created_at=datetime.now(UTC),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return self._ask(handle, int(ask_id))

    def asks(self, handle: str) -> tuple[list[Ask], list[Ask]]:
        """(asks waiting for this member's answer or answered by them, asks they made)."""
        from sqlalchemy import or_, select

        from weakties.store import schema as s

        viewer = self.member(handle)
        with self.transaction() as conn:
            ids = conn.execute(
                select(s.ask.c.id)
                .where(or_(s.ask.c.broker_id == viewer.id, s.ask.c.requester_id == viewer.id))
                .order_by(s.ask.c.id)
            ).scalars()
            everything = [self._ask_row(conn, viewer, int(i)) for i in ids]
        inbox = [a for a in everything if a.broker == viewer.handle]
        sent = [a for a in everything if a.requester == viewer.handle]
        return inbox, sent

    def _ask(self, handle: str, ask_id: int) -> Ask:
        viewer = self.member(handle)
        with self.transaction() as conn:
            return self._ask_row(conn, viewer, ask_id)

    def _ask_row(self, conn: Connection, viewer: Member, ask_id: int) -> Ask:
        from sqlalchemy import select

        from weakties.store import schema as s

        q, r, b = s.ask, s.member.alias("r"), s.member.alias("b")
        row = (
            conn.execute(
                select(q, r.c.handle.label("requester"), b.c.handle.label("broker"))
                .join(r, r.c.id == q.c.requester_id)
                .join(b, b.c.id == q.c.broker_id)
                .where(q.c.id == ask_id)
            )
            .mappings()
            .first()
        )
        if row is None or viewer.id not in (row["requester_id"], row["broker_id"]):
            raise NotFound(f"no ask #{ask_id} of yours", hint="see `weakties asks`")
        via = None
        if viewer.id == row["broker_id"] and row["via_person_id"] is not None:
            # the broker's own contact: their own data, shown to them alone
            via = conn.execute(
                select(s.pool_contact.c.name).where(
                    s.pool_contact.c.member_id == viewer.id,
                    s.pool_contact.c.pool_person_id == row["via_person_id"],
                )
            ).scalar()
        return Ask(
            id=int(row["id"]),
            requester=str(row["requester"]),
            broker=str(row["broker"]),
            target=str(row["target_label"]),
            status=AskStatus(row["status"]),
            message=str(row["message"]),
            reply=row["reply"],
            created_at=row["created_at"],
            decided_at=row["decided_at"],
            via=via,
        )

    def answer(
        self, handle: str, ask_id: int, decision: AskStatus, reply: str | None = None
    ) -> Ask:
        """The broker's answer: accept (the introduction is recorded in both members' ledgers),
        decline, or ask for more; the requester may withdraw an open ask."""
        from sqlalchemy import update

        from weakties.store import schema as s

        current = self._ask(handle, ask_id)
        me = self.member(handle)
        if decision == AskStatus.WITHDRAWN:
            if current.requester != me.handle:
                raise InvalidInput("only the member who asked can withdraw an ask")
        elif current.broker != me.handle:
            raise InvalidInput("only the member asked can answer", hint="you made this ask")
        if decision == AskStatus.PENDING:
            raise InvalidInput("answer with accept, decline or more")
        if current.status not in OPEN_ASKS:
            raise Conflict(f"ask #{ask_id} is already {current.status.value}")
        with self.transaction() as conn:
            conn.execute(
                update(s.ask)
                .where(s.ask.c.id == ask_id)
                .values(
                    status=decision.value,
                    reply=reply if reply is not None else current.reply,
                    decided_at=datetime.now(UTC) if decision not in OPEN_ASKS else None,
                )
            )
        if decision == AskStatus.ACCEPTED:
            self._record_introduction(current)
        return self._ask(handle, ask_id)

    def _record_introduction(self, ask: Ask) -> None:
        """The accepted ask as an introduction in both ledgers: the broker introduces the
        requester to their contact (``via``, or the target when the broker knows them)."""
        broker_view = self._ask(ask.broker, ask.id)
        requester, broker = self.member(ask.requester), self.member(ask.broker)
        contact = broker_view.via
        with self.member_workspace(ask.broker) as ws:
            # the broker's own addresses: with their yes, the requester may write to them
            addresses = [i.value for i in ws.me().identities if i.kind.value == "email"]
        with self.member_workspace(ask.requester) as ws:
            who = _person_for(ws, broker.name, self.name, addresses)
            other = _person_for(ws, contact or ask.target.split(" (")[0], self.name)
            me = ws.me()
            ws.intro(
                f"#{me.id}",
                f"#{other}",
                by=f"#{who}",
                when=datetime.now(UTC).date().isoformat(),
                note=f"through {broker.name} ({self.name}), ask #{ask.id}",
            )
        if contact:
            with self.member_workspace(ask.broker) as ws:
                them = _person_for(ws, requester.name, self.name)
                mine = _person_for(ws, contact, self.name)
                ws.intro(
                    f"#{them}",
                    f"#{mine}",
                    when=datetime.now(UTC).date().isoformat(),
                    note=f"asked by {requester.name} ({self.name}), ask #{ask.id}",
                )


def _person_for(ws: Any, name: str, community: str, emails: Sequence[str] = ()) -> int:
    """The person called ``name`` (or with one of ``emails``) in a member's workspace, added
    (tagged with the community) when missing."""
    from weakties.errors import Ambiguous

    for address in emails:
        try:
            return int(ws.resolve(address))
        except NotFound:
            continue
    try:
        return int(ws.resolve(name))
    except Ambiguous as exc:  # candidates read "#12 Name (Org)": the oldest is the likeliest
        return int(exc.candidates[0].split()[0].lstrip("#"))
    except NotFound:
        return int(ws.add_person(name, emails=list(emails), tags=[f"community:{community}"]).id)


def _hop_facts(
    viewer: Member, contributor: Member | None, kind: str, row: Any, community: str
) -> tuple[str, ...]:
    if contributor is None:
        return (f"both members of {community}",)
    whose = "your" if contributor.id == viewer.id else f"{contributor.name}'s"
    category = row["category"] if row is not None else None
    if kind == "tie":
        return (f"{whose} {category} tie",) if category else (f"{whose} tie",)
    return (f"they know each other ({whose} mail, calendar or contacts say so)",)


def draft_note(requester: str, broker: str, target: str, community: str) -> str:
    """The forwardable request a member sends another member (or edits first)."""
    first = broker.split()[0] if broker.split() else broker
    return (
        f"Hi {first}, we are both in {community}. Would you be willing to introduce me to "
        f"{target}? I am happy to send a short note you can forward. Thanks, {requester}"
    )
