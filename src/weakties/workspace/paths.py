"""Warm introduction paths: the graph cache, targets, explanations in words and drafts."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any, Literal

from weakties.errors import InvalidInput, NotFound
from weakties.workspace.base import WorkspaceBase
from weakties.workspace.results import Connected, PathHop, PathResult, WarmPath

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from weakties.analysis.graph import TieGraph

TargetKind = Literal["person", "org", "role", "skill"]


def path_target(
    *,
    to: str | None = None,
    org: str | None = None,
    role: str | None = None,
    skill: str | None = None,
) -> tuple[TargetKind, str, str | None]:
    """Which target a path query names: (kind, text, organisation narrowing a role or skill).

    One person (``to``), or a group: an organisation, a role or a skill (the last two may be
    narrowed to an organisation). Shared by the CLI and the API so both read options alike.
    """
    if to and (org or role or skill):
        raise InvalidInput("`to` names one person; use org, role or skill for groups")
    if role and skill:
        raise InvalidInput("choose a role or a skill, not both")
    if to:
        return "person", to, None
    if role:
        return "role", role, org
    if skill:
        return "skill", skill, org
    if org:
        return "org", org, None
    raise InvalidInput("say where to: to PERSON, org NAME, role TEXT or skill TEXT")


class PathOps(WorkspaceBase):
    """Finding, explaining and drafting introduction paths."""

    # ------------------------------------------------------------ the graph
    def _graph_folder(self) -> FsPath | None:
        """Where the graph is cached on disk; None for an encrypted database, whose graph (who
        knows whom, and how well) must not sit beside it in plain files."""
        from weakties.store.database import graph_cache_folder

        if self.encrypted:  # asked of the engine: opening the file would drop SQLite's locks
            return None
        return graph_cache_folder(self.url)

    def tie_graph(self) -> TieGraph:
        """The introduction graph, from the disk cache when the data has not changed."""
        from weakties.analysis.graph import StaleGraph, TieGraph
        from weakties.engines.local import graph_edges

        with self.transaction() as conn:
            current = self._graph_key(conn)
            folder = self._graph_folder()
            if folder is not None:
                try:
                    return TieGraph.load(folder, current)
                except StaleGraph:
                    pass
            facts, net = self._score(conn)
            if net is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            edges = graph_edges(net, facts)
            graph = TieGraph.from_edges(
                edges.src, edges.dst, edges.p_forward, edges.p_backward, people=facts.people
            )
        if folder is not None:
            with contextlib.suppress(OSError):  # a read-only folder only costs a rebuild next time
                graph.save(folder, current)
        return graph

    def _graph_key(self, conn: Connection) -> str:
        """What the cached graph depends on: the data, the day (silence grows) and the
        models' parameters it was built with."""
        from weakties.analysis.graph import WillingnessModel
        from weakties.store.ties import fingerprint

        models = hashlib.sha1(
            f"{WillingnessModel()!r}|{self._weights(conn)!r}|{self._calibrated(conn)}".encode(),
            usedforsecurity=False,
        ).hexdigest()[:12]
        return f"{datetime.now(UTC).date()}|{models}|{fingerprint(conn)}"

    # -------------------------------------------------------------- targets
    def _targets(
        self, conn: Connection, kind: TargetKind, text: str, org: str | None
    ) -> tuple[list[int], list[float], str]:
        from sqlalchemy import func, select

        from weakties.store import schema as s
        from weakties.store.lookup import resolve_person
        from weakties.store.orgs import find_org
        from weakties.store.people import visible
        from weakties.store.search import words

        if kind == "person":
            pid = resolve_person(conn, text)
            name = conn.execute(select(s.person.c.name).where(s.person.c.id == pid)).scalar_one()
            return [pid], [1.0], str(name)
        org_id = None
        org_name = org or (text if kind == "org" else None)
        if org_name:
            org_id = find_org(conn, org_name)
            if org_id is None:
                raise NotFound(f"no organisation called {org_name!r}", hint="see `weakties orgs`")
        a = s.affiliation
        stmt = (
            select(a.c.person_id, a.c.end)
            .join(s.person, s.person.c.id == a.c.person_id)
            .where(visible)
        )
        if org_id is not None:
            stmt = stmt.where(a.c.org_id == org_id)
        if kind == "role":
            terms = words(text)
            if not terms:
                raise InvalidInput("describe the role, e.g. --role 'product manager'")
            for term in terms:
                stmt = stmt.where(func.lower(a.c.title).contains(term, autoescape=True))
        if kind == "skill":
            skill = " ".join(text.lower().split())
            if not skill:
                raise InvalidInput("name the skill, e.g. --skill kubernetes")
            stmt = stmt.where(
                a.c.person_id.in_(
                    select(s.person_skill.c.person_id).where(
                        func.lower(s.person_skill.c.skill).contains(skill, autoescape=True)
                    )
                )
            )
            stmt = stmt.where(a.c.end.is_(None))
        weights: dict[int, float] = {}
        for pid, end in conn.execute(stmt):
            # former people are a weaker route: alumni still know who is who
            weight = 1.0 if end is None else 0.5
            weights[int(pid)] = max(weights.get(int(pid), 0.0), weight)
        if kind == "skill" and not weights:
            rows = conn.execute(
                select(s.person_skill.c.person_id).where(
                    func.lower(s.person_skill.c.skill).contains(skill, autoescape=True)
                )
            ).scalars()
            weights = {int(p): 1.0 for p in rows}
        label = {
            "org": f"people at {org_name}",
            "role": f"{text} roles",
            "skill": f"people skilled in {text}",
        }[kind]
        if org_name and kind != "org":
            label += f" at {org_name}"
        if not weights:
            raise NotFound(f"nobody matches {label}")
        ids = sorted(weights)
        return ids, [weights[i] for i in ids], label

    # ---------------------------------------------------------------- paths
    def paths(
        self,
        kind: TargetKind,
        text: str,
        *,
        org: str | None = None,
        k: int = 5,
        max_hops: int = 3,
        goal_id: int | None = None,
    ) -> PathResult:
        """The ``k`` warmest introduction paths to a person, organisation, role or skill."""
        from weakties.analysis.paths import best_paths
        from weakties.store.people import me_id

        if not 1 <= max_hops <= 3:
            raise InvalidInput("--max-hops must be 1, 2 or 3")
        if k < 1:
            raise InvalidInput("-k must be at least 1")
        graph = self.tie_graph()
        with self.transaction() as conn:
            me = me_id(conn)
            if me is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            targets, weights, label = self._targets(conn, kind, text, org)
            if targets == [me]:
                raise InvalidInput("that is you")
            blocked = self._do_not_ask(conn)
            found = best_paths(graph, me, targets, weights, k=k, max_hops=max_hops, blocked=blocked)
            return PathResult(
                target=label,
                targets=len(targets),
                paths=[
                    self._explain(conn, me, p.nodes, p.hop_probs, p.probability, p.weakest)
                    for p in found
                ],
                goal=self._goal_text(conn, me, goal_id),
            )

    def connected(self, ref: str) -> Connected:
        """How I am connected to someone: their degree, our mutual contacts and the best path."""
        import numpy as np

        from weakties.analysis.paths import best_paths
        from weakties.store.ledger import names_of
        from weakties.store.lookup import resolve_person
        from weakties.store.people import get_person, me_id

        graph = self.tie_graph()
        with self.transaction() as conn:
            me = me_id(conn)
            pid = resolve_person(conn, ref)
            if me is None or pid == me:
                raise InvalidInput("name one of your contacts (or someone beyond them)")
            node = int(graph.node_of(np.array([pid]))[0])
            mine = int(graph.node_of(np.array([me]))[0])

            def neighbours(n: int) -> set[int]:
                if n < 0:
                    return set()
                return set(
                    graph.node_ids[graph.indices[graph.indptr[n] : graph.indptr[n + 1]]].tolist()
                )

            theirs, my_people = neighbours(node), neighbours(mine)
            mutual = sorted(theirs & my_people)
            names = names_of(conn, mutual[:20])
            found = best_paths(graph, me, [pid], k=1, blocked=self._do_not_ask(conn))
            best = (
                self._explain(
                    conn,
                    me,
                    found[0].nodes,
                    found[0].hop_probs,
                    found[0].probability,
                    found[0].weakest,
                )
                if found
                else None
            )
            return Connected(
                person_id=pid,
                name=get_person(conn, pid).name,
                degree=len(theirs),
                direct=pid in my_people,
                mutual=[(m, names[m]) for m in mutual[:20]],
                mutual_count=len(mutual),
                best=best,
            )

    def _do_not_ask(self, conn: Connection) -> list[int]:
        from sqlalchemy import select

        from weakties.store import schema as s

        return [
            int(i)
            for i in conn.execute(
                select(s.person.c.id).where(s.person.c.do_not_ask.is_(True))
            ).scalars()
        ]

    def _goal_text(self, conn: Connection, me: int, goal_id: int | None) -> str | None:
        from weakties.domain.goals import GoalStatus
        from weakties.store.goals import get_goal, list_goals

        if goal_id is not None:
            return get_goal(conn, goal_id).text
        open_goals = list_goals(conn, owner_id=me, status=GoalStatus.OPEN)
        return open_goals[0].text if open_goals else None

    # ------------------------------------------------------------ explaining
    def _explain(
        self,
        conn: Connection,
        me: int,
        nodes: Sequence[int],
        hop_probs: Sequence[float],
        probability: float,
        weakest: int,
    ) -> WarmPath:
        from weakties.store.ledger import names_of

        names = names_of(conn, nodes)
        hops = []
        for i in range(len(nodes) - 1):
            a, b = int(nodes[i]), int(nodes[i + 1])
            facts = self._hop_facts(conn, me, a, b, names)
            hops.append(PathHop(a, names[a], b, names[b], float(hop_probs[i]), tuple(facts)))
        target = int(nodes[-1])
        return WarmPath(
            nodes=tuple(int(n) for n in nodes),
            names=tuple(names[int(n)] for n in nodes),
            probability=float(probability),
            weakest=int(weakest),
            hops=tuple(hops),
            target_role=self._role_of(conn, target),
        )

    def _role_of(self, conn: Connection, pid: int) -> str | None:
        from weakties.store.people import affiliations_of

        current = [(aff, org) for aff, org in affiliations_of(conn, pid) if aff.end is None]
        if not current:
            return None
        aff, org = current[0]
        return f"{aff.title} at {org}" if aff.title else f"at {org}"

    def _hop_facts(
        self, conn: Connection, me: int, a: int, b: int, names: dict[int, str]
    ) -> list[str]:
        """True facts about the tie between ``a`` and ``b``, in words."""
        from sqlalchemy import and_, func, select

        from weakties.store import schema as s
        from weakties.store.ledger import favors_of, last_contact
        from weakties.store.people import affiliations_of
        from weakties.store.ties import read_ties

        facts: list[str] = []
        if me in (a, b):
            other = b if a == me else a
            tie = read_ties(conn).get(other)
            for favour in favors_of(conn, other):
                when = f" in {favour.when.year}" if favour.when else ""
                if favour.giver_id == me and favour.receiver_id == other:
                    facts.append(
                        f"you {favour.what}{when}"
                        if favour.what[:1].islower()
                        else f"you helped: {favour.what}{when}"
                    )
                elif favour.giver_id == other and favour.receiver_id == me:
                    facts.append(f"they helped you: {favour.what}{when}")
            last = last_contact(conn, other)
            if last is None:
                facts.append("you have never talked")
            else:
                days = (datetime.now(UTC) - last).days
                facts.append(f"last contact {_ago(days)}")
            if tie is not None:
                facts.append(f"tie {tie[0]:.2f} ({tie[1]})")
            return facts
        mine = affiliations_of(conn, a)
        theirs = affiliations_of(conn, b)
        for aff_a, org_a in mine:
            for aff_b, _ in theirs:
                if aff_a.org_id != aff_b.org_id:
                    continue
                start = max(_year(aff_a.start, 0), _year(aff_b.start, 0))
                end = min(_year(aff_a.end, 9999), _year(aff_b.end, 9999))
                if start and start <= end:
                    span = f"{start}–{'now' if end == 9999 else end}"
                    facts.append(f"worked together at {org_a} ({span})")
        part = s.participant
        partner = part.alias("partner")
        together = conn.execute(
            select(func.count(func.distinct(part.c.interaction_id)))
            .select_from(
                part.join(
                    partner,
                    and_(
                        partner.c.interaction_id == part.c.interaction_id, partner.c.person_id == b
                    ),
                )
            )
            .where(part.c.person_id == a)
        ).scalar_one()
        if together:
            facts.append(f"together in {together} of your threads or meetings")
        low, high = sorted((a, b))
        known = conn.execute(
            select(s.knows.c.kind, s.knows.c.label).where(
                s.knows.c.a_id == low, s.knows.c.b_id == high
            )
        ).first()
        if known is not None:
            facts.append(
                "you recorded that they know each other" + (f" ({known[1]})" if known[1] else "")
            )
        intro = conn.execute(
            select(s.introduction.c.introducer_id).where(
                ((s.introduction.c.a_id == a) & (s.introduction.c.b_id == b))
                | ((s.introduction.c.a_id == b) & (s.introduction.c.b_id == a))
            )
        ).first()
        if intro is not None:
            facts.append("were introduced to each other")
        if not facts:
            facts.append("probably know each other (many mutual contacts)")
        return facts

    # ---------------------------------------------------------------- drafts
    def draft(
        self, path: WarmPath, *, goal: str | None = None, fmt: Literal["text", "md"] = "text"
    ) -> str:
        """The intro request to the first person on the path: personal, specific, forwardable."""
        from weakties.store.ledger import favors_of, interactions_of, last_contact
        from weakties.store.people import get_person

        if len(path.nodes) < 2:
            raise InvalidInput("a path needs at least one hop")
        with self.transaction() as conn:
            me = self.me()
            first_id = path.nodes[1]
            first = get_person(conn, first_id)
            first_name = first.given_name or first.name.split()[0]
            my_first = me.given_name or me.name.split()[0]
            last = last_contact(conn, first_id)
            silence_days = (datetime.now(UTC) - last).days if last else None
            favours = [
                f
                for f in favors_of(conn, first_id)
                if f.giver_id == me.id and f.receiver_id == first_id
            ]
            recent = interactions_of(conn, first_id, limit=1)
            my_role = self._role_of(conn, int(me.id or 0))
        target_name = path.names[-1]
        target_role = path.target_role or ""
        want = _with_article(goal[0].lower() + goal[1:]) if goal else "a new role"
        lines: list[str] = []
        if silence_days is None or silence_days > 365:
            opener = "I know it has been a long time since we were last in touch, so apologies for the out-of-the-blue note."
            if favours:
                f = favours[-1]
                when = f" back in {f.when.year}" if f.when else ""
                opener = f"It has been a while — I still think of {_gerund(f.what)}{when}, and I hope things have gone well since."
        elif recent and recent[0].summary:
            opener = f"Good to have been in touch recently about “{recent[0].summary}”."
        else:
            opener = "I hope all is well with you."
        if len(path.nodes) == 2:
            ask = f"Would you be open to a short chat about {target_role or 'your work'}?"
            why = ""
        else:
            nxt = path.hops[1]
            why = _why_you(nxt.facts, nxt.b_name)
            who = (
                nxt.b_name
                if len(path.nodes) == 3
                else f"{nxt.b_name}, who could put me in touch with {target_name}"
            )
            ask = f"Would you be comfortable introducing me to {who}?"
        blurb = (
            f"{me.name}{', ' + my_role if my_role else ''}, is looking for {want} and would value "
            f"15 minutes with {target_name}{' (' + target_role + ')' if target_role else ''}."
        )
        subject = f"A small favour: an introduction to {target_name}"
        lines += [f"Hi {first_name},", "", opener, ""]
        body = f"I'm looking for {want}."
        if why:
            body += f" {why}"
        body += f" {ask}"
        lines += [body, ""]
        if fmt == "md":
            lines += [
                "If it helps, here is a note you could forward as it is:",
                "",
                f"> {blurb}",
                "",
            ]
        else:
            lines += [
                "If it helps, here is a note you could forward as it is:",
                "",
                "---",
                blurb,
                "---",
                "",
            ]
        lines += ["No worries at all if now isn't a good time.", "", "Thanks,", my_first]
        head = f"**Subject:** {subject}" if fmt == "md" else f"Subject: {subject}"
        return head + "\n\n" + "\n".join(lines) + "\n"

    def export_graph(self, stream: Any, fmt: Literal["graphml", "gexf"]) -> int:
        """Write the introduction graph for Gephi; returns the number of people written."""
        import networkx as nx

        from weakties.store.ledger import names_of

        graph = self.tie_graph()
        g = graph.to_networkx()
        with self.transaction() as conn:
            names = names_of(conn, list(g.nodes))
        for node in g.nodes:
            g.nodes[node]["label"] = names.get(node, str(node))
        if fmt == "graphml":
            nx.write_graphml(g, stream)
        else:
            nx.write_gexf(g, stream)
        return int(g.number_of_nodes())


_DETERMINERS = frozenset(
    ["a", "an", "the", "some", "more", "new", "my", "our", "work", "funding", "advice", "help"]
)


def _why_you(facts: Sequence[str], name: str) -> str:
    """Why the draft asks this person: what links them to the next one, as a sentence."""
    worked = next((f for f in facts if f.startswith("worked together")), None)
    if worked:
        return f"I noticed you and {name} {worked}."
    if any(f.startswith("together in") for f in facts):
        return f"I noticed you and {name} on some of the same threads and meetings."
    if any(f.startswith("were introduced") for f in facts):
        return f"I believe you were introduced to {name}."
    return f"I believe you know {name}."


def _with_article(text: str) -> str:
    """ "product role at a fintech" → "a product role at a fintech"; plurals stay as they are."""
    first = text.split(" ", 1)[0]
    if not first or first in _DETERMINERS or first.endswith("s"):
        return text
    return ("an " if first[0] in "aeiou" else "a ") + text


def _year(value: Any, default: int) -> int:
    return int(value.year) if value is not None else default


def _ago(days: int) -> str:
    if days < 30:
        return "this month"
    if days < 365:
        return f"{days // 30} months ago"
    years = days // 365
    return f"{years} year{'s' if years > 1 else ''} ago"


def _gerund(what: str) -> str:
    """ "migrated their email" → "migrating your email"; other texts are quoted as they are."""
    words = what.split()
    if words and words[0].endswith("ed") and len(words[0]) > 4:
        stem = words[0][:-2]
        if stem.endswith("at") or stem.endswith("iz"):
            stem += "e"
        rest = " ".join(words[1:]).replace("their ", "your ").replace("them", "you")
        return f"{stem[:-1] if stem.endswith('e') else stem}ing {rest}".strip()
    return f"the time I helped with “{what}”"
