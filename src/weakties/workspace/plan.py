"""The ask plan: whom to tell about a goal so that the word reaches the target organisations.

Targets come from the goal's tags (organisations, industries, roles); the network is the
introduction graph, with each arc's pass-on chance from the job-transmission model (Rajkumar
et al. 2022's inverted U over mutual contacts, scaled by willingness and relevance); the plan
is CELF over sampled independent-cascade worlds (Kempe, Kleinberg & Tardos 2003; Leskovec et
al. 2007), compared with simply telling the strongest ties.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from weakties.errors import InvalidInput, NotFound
from weakties.workspace.paths import PathOps, _with_article
from weakties.workspace.results import AskPick, AskPlan

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

RELEVANT = 1.0
OTHER_RELEVANCE = 0.5
"""Someone outside the target industry still passes word on, but half as readily: the
relevance factor of the transmission model."""


@dataclass(frozen=True, slots=True)
class ChosenAsks:
    """The plan on a graph, the strongest-ties baseline on the same worlds, and per contact
    (in the order given) the mutual contacts and the chance they act on being told."""

    plan: Any
    strongest: Any
    mutual: Any
    activation: Any
    target_ids: Any


def plan_on_graph(
    graph: Any,
    me: int,
    contact_ids: Any,
    strength: Any,
    goodwill: Any,
    relevant: set[int],
    weights: dict[int, float],
    k: int,
    rounds: int,
    seed: int,
) -> ChosenAsks:
    """CELF over sampled cascades on ``graph`` from ``me``'s contacts to the weighted targets.

    Each arc passes word on with the job-transmission chance (mutual contacts, willingness,
    relevance); word leaves ``me`` only through the contacts told. Shared by the single-user
    plan and the community plan on the pooled graph.
    """
    import numpy as np
    import scipy.sparse as sp

    from weakties.analysis.reach import (
        CascadeGraph,
        celf_plan,
        evaluate_seeds,
        reach_sketch,
        strongest_baseline,
    )
    from weakties.analysis.transmission import job_transmission, mutual_contact_counts

    n = graph.n_nodes
    rows = np.repeat(np.arange(n), graph.degree())
    adj = sp.csr_array(
        (graph.prob.astype(np.float64), graph.indices.astype(np.int64), graph.indptr),
        shape=(n, n),
    )
    mutual = mutual_contact_counts(adj)
    heads = graph.node_ids[graph.indices]
    relevance = np.where(np.isin(heads, list(relevant)), RELEVANT, OTHER_RELEVANCE)
    arc_p = job_transmission(mutual, graph.prob.astype(np.float64), 0.0, relevance)
    arc_p[graph.node_ids[rows] == me] = 0.0  # word leaves me only through the people I tell
    cascade = CascadeGraph.from_csr(
        sp.csr_array(
            (np.maximum(arc_p, 0.0), graph.indices.astype(np.int64), graph.indptr),
            shape=(n, n),
        )
    )
    me_node = int(graph.node_of(np.array([me]))[0])
    if me_node < 0:
        raise NotFound("you have no ties yet: import an export or log some interactions")
    lo, hi = graph.indptr[me_node], graph.indptr[me_node + 1]
    row_of = {int(graph.node_ids[c]): lo + i for i, c in enumerate(graph.indices[lo:hi].tolist())}
    contact_ids = np.asarray(contact_ids, dtype=np.int64)
    contact_nodes = graph.node_of(contact_ids)
    my_mutual = np.array([mutual[row_of[int(c)]] for c in contact_ids], dtype=np.float64)
    activation = job_transmission(
        my_mutual,
        np.asarray(strength, dtype=np.float64),
        goodwill,
        np.where(np.isin(contact_ids, list(relevant)), RELEVANT, OTHER_RELEVANCE),
    )
    target_ids = np.array(sorted(weights), dtype=np.int64)
    target_nodes = graph.node_of(target_ids)
    on_graph = target_nodes >= 0
    target_nodes, target_ids = target_nodes[on_graph], target_ids[on_graph]
    target_w = np.array([weights[int(t)] for t in target_ids])
    if not len(target_nodes) or not len(contact_nodes):
        raise NotFound("none of the goal's targets is connected to your network yet")
    sketch = reach_sketch(
        cascade,
        contact_nodes,
        target_nodes,
        target_w,
        activation=activation,
        rounds=rounds,
        seed=seed,
    )
    plan = celf_plan(sketch, min(k, len(contact_nodes)))
    strongest = evaluate_seeds(
        sketch, strongest_baseline(contact_nodes, strength, min(k, len(contact_nodes)))
    )
    return ChosenAsks(plan, strongest, my_mutual, activation, target_ids)


class PlanOps(PathOps):
    """Planning whom to tell."""

    def _goal_targets(
        self, conn: Connection, goal_id: int | None
    ) -> tuple[Any, dict[int, float], set[int]]:
        """The goal, its target people with weights, and the people in its industry or orgs."""
        from sqlalchemy import func, select

        from weakties.domain.goals import GoalStatus, GoalTagKind
        from weakties.store import schema as s
        from weakties.store.goals import get_goal, list_goals
        from weakties.store.orgs import find_org
        from weakties.store.people import me_id
        from weakties.store.search import words

        me = me_id(conn)
        if goal_id is None:
            mine = list_goals(conn, owner_id=me, status=GoalStatus.OPEN)
            if not mine:
                raise NotFound(
                    "you have no open goal", hint="weakties goal add TEXT --tag industry:fintech"
                )
            goal = mine[0]
        else:
            goal = get_goal(conn, goal_id)
        orgs = [t.value for t in goal.tags if t.kind is GoalTagKind.ORG]
        industries = [t.value.lower() for t in goal.tags if t.kind is GoalTagKind.INDUSTRY]
        roles = [t.value for t in goal.tags if t.kind is GoalTagKind.ROLE]
        org_ids: set[int] = set()
        for name in orgs:
            found = find_org(conn, name)
            if found is None:
                raise NotFound(f"the goal names {name!r}, which is not an organisation here")
            org_ids.add(found)
        if industries:
            org_ids |= {
                int(i)
                for i in conn.execute(
                    select(s.organization.c.id).where(
                        func.lower(s.organization.c.industry).in_(industries)
                    )
                ).scalars()
            }
        a = s.affiliation
        current = select(a.c.person_id, a.c.title, a.c.org_id).where(a.c.end.is_(None))
        relevant: set[int] = set()
        weights: dict[int, float] = {}
        role_words = [words(r) for r in roles]
        for pid, title, org in conn.execute(current):
            in_scope = not org_ids or int(org) in org_ids
            title_words = set(words(title or ""))
            role_match = any(rw and set(rw) <= title_words for rw in role_words)
            if org_ids and in_scope:
                relevant.add(int(pid))
                # a hiring decision sits with people in the role's function: they count fully
                weights[int(pid)] = max(
                    weights.get(int(pid), 0.0), 1.0 if (role_match or not roles) else 0.5
                )
            elif not org_ids and role_match:
                relevant.add(int(pid))
                weights[int(pid)] = 1.0
        if me in weights:
            weights.pop(me)
        if not weights:
            raise NotFound(
                f"goal #{goal.id} names no target organisation, industry or role with people in it",
                hint="tag it: weakties goal add … --tag org:'Acme Bank' --tag industry:fintech",
            )
        return goal, weights, relevant

    def plan(
        self, *, goal_id: int | None = None, k: int = 10, rounds: int = 1000, seed: int = 0
    ) -> AskPlan:
        """The k people to tell first, chosen to maximise expected reach into the goal's targets."""
        import numpy as np

        from weakties.store.ledger import names_of
        from weakties.store.people import me_id
        from weakties.store.ties import read_ties

        if not 1 <= k <= 100:
            raise InvalidInput("-k must be between 1 and 100")
        graph = self.tie_graph()
        self.refresh_ties()
        with self.transaction() as conn:
            me = me_id(conn)
            if me is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            goal, weights, relevant = self._goal_targets(conn, goal_id)
            ties = read_ties(conn)
            blocked = set(self._do_not_ask(conn))
            me_node = int(graph.node_of(np.array([me]))[0])
            if me_node < 0:
                raise NotFound("you have no ties yet: import an export or log some interactions")
            lo, hi = graph.indptr[me_node], graph.indptr[me_node + 1]
            contact_ids = graph.node_ids[graph.indices[lo:hi].astype(np.int64)]
            contact_ids = contact_ids[~np.isin(contact_ids, list(blocked))]
            strength = np.array([ties.get(int(c), (0.0, ""))[0] for c in contact_ids])
            goodwill = self._goodwill_toward_me(conn, me, contact_ids)
            chosen = plan_on_graph(
                graph, me, contact_ids, strength, goodwill, relevant, weights, k, rounds, seed
            )
            plan, strongest, my_mutual, activation = (
                chosen.plan,
                chosen.strongest,
                chosen.mutual,
                chosen.activation,
            )
            target_ids = chosen.target_ids
            pick_ids = [int(graph.node_ids[p.node]) for p in plan.picks]
            mentioned = set(pick_ids) | {
                int(graph.node_ids[t.node]) for p in plan.picks for t in p.targets[:3]
            }
            mentioned |= {int(graph.node_ids[n_]) for n_ in strongest.seeds}
            names = names_of(conn, mentioned)
            position = {int(c): i for i, c in enumerate(contact_ids)}
            picks = []
            for p in plan.picks:
                pid = int(graph.node_ids[p.node])
                i = position[pid]
                picks.append(
                    AskPick(
                        person_id=pid,
                        name=names[pid],
                        gain=float(p.gain),
                        strength=float(strength[i]),
                        mutual=int(my_mutual[i]),
                        acts=float(activation[i]),
                        reaches=tuple(
                            (names.get(int(graph.node_ids[t.node]), "?"), float(t.probability))
                            for t in p.targets[:4]
                            if int(graph.node_ids[t.node]) != pid
                        )[:3],
                        is_target=pid in weights,
                    )
                )
            return AskPlan(
                goal_id=int(goal.id or 0),
                goal=goal.text,
                targets=len(target_ids),
                picks=tuple(picks),
                reach=float(plan.reach),
                stderr=float(plan.stderr),
                strongest_reach=float(strongest.reach),
                strongest=tuple(names[int(graph.node_ids[s_])] for s_ in strongest.seeds),
                rounds=plan.rounds,
                evaluations=plan.evaluations,
            )

    def _goodwill_toward_me(self, conn: Connection, me: int, contacts: Any) -> Any:
        """In [0, 1): how much each contact owes me in favours (1 − e^(−weight/2))."""
        import numpy as np
        from sqlalchemy import select

        from weakties.domain.ledger import FavorSize
        from weakties.store import schema as s

        owed: dict[int, float] = {}
        for giver, receiver, size in conn.execute(
            select(s.favor.c.giver_id, s.favor.c.receiver_id, s.favor.c.size)
        ):
            weight = FavorSize(size).weight
            if giver == me:
                owed[int(receiver)] = owed.get(int(receiver), 0.0) + weight
            elif receiver == me:
                owed[int(giver)] = owed.get(int(giver), 0.0) - weight
        values = np.array([max(0.0, owed.get(int(c), 0.0)) for c in contacts])
        return 1.0 - np.exp(-values / 2.0)

    def ask_texts(self, plan: AskPlan) -> tuple[str, dict[int, str]]:
        """A broadcast post for the goal, and a short personal note per pick."""
        me = self.me()
        first = me.given_name or me.name.split()[0]
        goal = _with_article(plan.goal[0].lower() + plan.goal[1:])
        post = (
            f"I'm looking for {goal}. If you know someone I should talk to — or a team that is "
            "hiring — I'd be grateful for an introduction or a pointer. Thank you!"
        )
        notes = {}
        for pick in plan.picks:
            name = pick.name.split()[0]
            near = " and ".join(n for n, _ in pick.reaches[:2])
            if pick.is_target:
                why = " You know that world from the inside: a pointer to the right team would mean a lot."
            elif near:
                why = f" I think you may know {near}, or people close to them."
            else:
                why = ""
            notes[pick.person_id] = (
                f"Hi {name}, a quick one: I'm looking for {goal}.{why} "
                f"If anyone comes to mind, I'd love an introduction. Thanks! — {first}"
            )
        return post, notes
