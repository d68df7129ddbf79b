"""What the pages and the API both call: workspace methods, cached, plus view shaping.

Every operation is a workspace method; this module only caches reads (see
:mod:`weakties.web.cache`), clears the cache after writes, pages long listings and reshapes
results for a view (the network's nodes and edges, the target autocomplete). The pages render
what these functions return and the API serialises the same values, so both always agree.
"""

from __future__ import annotations

import math
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from weakties.errors import InvalidInput, NotFound
from weakties.web.cache import MAX_STALE, ResultCache

if TYPE_CHECKING:
    from weakties.workspace import Workspace
    from weakties.workspace.results import PathResult

T = TypeVar("T")

PEOPLE_SORTS = ("name", "recent", "interactions", "added", "strength")
CATEGORIES = ("strong", "moderate", "weak", "dormant", "never")
TargetKind = Literal["person", "org", "role", "skill"]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing: the items, the total, and where the next page starts."""

    items: list[Any]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.items)
        return end if end < self.total else None


def paginate(items: Sequence[T], offset: int, limit: int) -> Page:
    """A slice of ``items`` as a :class:`Page`."""
    if offset < 0 or limit < 1:
        raise InvalidInput("offset must be ≥ 0 and limit ≥ 1")
    return Page(list(items[offset : offset + limit]), len(items), offset, limit)


def person_ref(ref: str | int) -> str:
    """A person reference as the workspace reads it; bare numbers are ids."""
    text = str(ref).strip()
    if not text:
        raise InvalidInput("name a person: an id, email, profile URL or name")
    return text


class Services:
    """The operations of the app over one workspace, shared by the pages and the API."""

    def __init__(self, ws: Workspace, *, max_stale: float = MAX_STALE) -> None:
        self.ws = ws
        self.cache = ResultCache(ws.url, max_stale=max_stale, encrypted=ws.encrypted)
        self._archiving = threading.Lock()

    # ------------------------------------------------------------------ plumbing
    def cached(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        return self.cache.get(key, compute)

    def write(self, change: Callable[[Workspace], T], *, background: bool = False) -> T:
        """Run a change on the workspace and mark every cached answer stale.

        A change a user makes and waits to see (the default) is seen on the next page by
        everyone: no answer from before it is served stale. A ``background`` change (an import
        job) lets readers keep the previous answers for a few seconds, marked stale, while
        fresh ones are computed (see :class:`weakties.web.cache.ResultCache`).
        """
        try:
            return change(self.ws)
        finally:
            self.cache.clear(background=background)

    # ---------------------------------------------------------------- people
    def me(self) -> Any:
        return self.cached(("me",), self.ws.me)

    def stats(self) -> dict[str, int]:
        return self.cached(("stats",), self.ws.stats)

    def people(
        self,
        query: str | None = None,
        *,
        tag: str | None = None,
        org: str | None = None,
        title: str | None = None,
        category: str | None = None,
        sort: str = "name",
        descending: bool = False,
    ) -> list[Any]:
        """People matching every filter, sorted; ``strength`` sorts strongest first."""
        if sort not in PEOPLE_SORTS:
            raise InvalidInput(
                f"unknown sort {sort!r}", hint="accepted: " + ", ".join(PEOPLE_SORTS)
            )
        if category is not None and category not in CATEGORIES:
            raise InvalidInput(
                f"unknown category {category!r}", hint="accepted: " + ", ".join(CATEGORIES)
            )
        query = (query or "").strip() or None
        tag, org, title = (v.strip() or None if v else None for v in (tag, org, title))

        def compute() -> list[Any]:
            rows = self.ws.people(
                query,
                tag=tag,
                org=org,
                title=title,
                sort="name" if sort == "strength" else sort,  # type: ignore[arg-type]
            )
            if category is not None:
                rows = [r for r in rows if r.category == category]
            if sort == "strength":
                rows = sorted(rows, key=lambda r: -(r.strength or -1.0))
            return list(reversed(rows)) if descending else rows

        return self.cached(("people", query, tag, org, title, category, sort, descending), compute)

    def profile(self, ref: str | int, timeline: int = 20) -> Any:
        return self.cached(
            ("profile", str(ref), timeline),
            lambda: self.ws.profile(person_ref(ref), timeline=timeline),
        )

    def tie(self, ref: str) -> Any:
        return self.cached(("tie", ref), lambda: self.ws.tie(person_ref(ref)))

    def connected(self, ref: str) -> Any:
        return self.cached(("connected", ref), lambda: self.ws.connected(person_ref(ref)))

    def goodwill(self, ref: str | None = None) -> list[Any]:
        return self.cached(("goodwill", ref), lambda: self.ws.goodwill(ref))

    def orgs(self) -> list[Any]:
        return self.cached(("orgs",), self.ws.orgs)

    def ties(self, category: str | None = None, sort: str = "strength") -> list[Any]:
        if category is not None and category not in CATEGORIES:
            raise InvalidInput(
                f"unknown category {category!r}", hint="accepted: " + ", ".join(CATEGORIES)
            )
        return self.cached(
            ("ties", category, sort), lambda: self.ws.ties(category=category, sort=sort)
        )

    def circles(self) -> Any:
        return self.cached(("circles",), self.ws.circles)

    # ---------------------------------------------------------------- goals
    def goals(
        self, *, for_person: str | None = None, status: Any = None, everyone: bool = False
    ) -> list[Any]:
        return self.cached(
            ("goals", for_person, status, everyone),
            lambda: self.ws.goals(for_person=for_person, status=status, everyone=everyone),
        )

    def opportunities(self) -> list[Any]:
        return self.cached(("opportunities",), self.ws.opportunities)

    def credit(self, opportunity_id: int, suggest: bool = False) -> tuple[list[Any], list[Any]]:
        def compute() -> tuple[list[Any], list[Any]]:
            chain = self.ws.credit(opportunity_id)
            empty = len(chain) == 1 and chain[0].name == "you"  # no chain recorded
            suggestions = self.ws.suggest_chain(opportunity_id) if suggest or empty else []
            return chain, suggestions

        return self.cached(("credit", opportunity_id, suggest), compute)

    def org_names(self) -> dict[int, str]:
        return self.cached(
            ("org_names",), lambda: {int(o.id): o.name for o, _ in self.orgs() if o.id is not None}
        )

    def names(self, ids: Sequence[int]) -> dict[int, str]:
        """Names of these people (for chains), from the cached listing where possible."""
        known = self.cached(
            ("all_names",),
            lambda: {r.id: r.name for r in self.ws.people(include_me=True)},
        )
        return {i: known.get(i, f"#{i}") for i in ids}

    # ---------------------------------------------------------------- paths, plan
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
        text = text.strip()
        if not text:
            raise InvalidInput("say where to: a person, organisation, role or skill")
        return self.cached(
            ("paths", kind, text, org, k, max_hops, goal_id),
            lambda: self.ws.paths(kind, text, org=org, k=k, max_hops=max_hops, goal_id=goal_id),
        )

    def draft(self, result: PathResult, index: int = 0, fmt: Literal["text", "md"] = "text") -> str:
        if not result.paths:
            raise NotFound(f"no path to {result.target}")
        if not 0 <= index < len(result.paths):
            raise InvalidInput(
                f"there are {len(result.paths)} paths; pick 0–{len(result.paths) - 1}"
            )
        chosen = result.paths[index]
        return self.cached(
            ("draft", chosen.nodes, result.goal, fmt),
            lambda: self.ws.draft(chosen, goal=result.goal, fmt=fmt),
        )

    def plan(self, goal_id: int | None = None, k: int = 10, rounds: int = 1000) -> Any:
        return self.cached(
            ("plan", goal_id, k, rounds), lambda: self.ws.plan(goal_id=goal_id, k=k, rounds=rounds)
        )

    def ask_texts(self, plan: Any) -> tuple[str, dict[int, str]]:
        return self.cached(("ask_texts", plan.goal_id, plan.picks), lambda: self.ws.ask_texts(plan))

    # ---------------------------------------------------------------- nudges, reviews
    def nudges(
        self, kinds: Sequence[str] | None = None, limit: int | None = 20, hidden: bool = False
    ) -> list[Any]:
        chosen = tuple(kinds or ())
        return self.cached(
            ("nudges", chosen, limit, hidden),
            lambda: self.ws.nudges(list(chosen) or None, limit=limit, include_hidden=hidden),
        )

    def review(self, month: str | None = None) -> Any:
        """The review of ``month`` (default: the latest closed month), archived once closed.

        The workspace stores a closed month's review each time it computes one, a write that
        would make every view invalidate every cached answer; here the review is computed
        without storing, and stored (as the CLI would) only when the archive lacks it or holds
        a different one, so that viewing it again is a pure read.
        """
        content = self.cached(("review", month), lambda: self.ws.review(month, store=False))
        if not content.in_progress and self._archived(content.month) != content:
            with self._archiving:
                if self._archived(content.month) != content:
                    self.write(lambda ws: ws.review(content.month))
        return content

    def _archived(self, month: str) -> Any:
        return next((r for r in self.reviews() if r.month == month), None)

    def review_due(self) -> str | None:
        return self.cached(("review_due",), self.ws.review_due)

    def reviews(self) -> list[Any]:
        return self.cached(("reviews",), self.ws.reviews)

    def latest_review(self) -> Any:
        """The newest stored review, or the latest closed month's (which stores it)."""
        archive = self.reviews()
        return archive[0] if archive else self.review()

    def insights(self) -> Any:
        return self.cached(("insights",), self.ws.insights)

    # ---------------------------------------------------------------- imports
    def importers(self) -> list[tuple[str, str, str]]:
        return self.cached(("importers",), self.ws.importers)

    def import_runs(self, limit: int = 50) -> list[Any]:
        return self.cached(("import_runs", limit), lambda: self.ws.import_runs(limit))

    def merge_queue(self) -> list[Any]:
        return self.cached(("merge_queue",), self.ws.merge_queue)

    # ---------------------------------------------------------------- views
    def targets(self, query: str, limit: int = 8) -> list[dict[str, str]]:
        """Autocomplete for the paths page: people, organisations, roles (titles) and skills."""
        text = " ".join(query.split())
        if len(text) < 2:
            return []
        low = text.lower()

        def compute() -> list[dict[str, str]]:
            out: list[dict[str, str]] = []
            for row in self.people(text)[:limit]:
                label = row.name + (f" — {row.title} at {row.org}" if row.org else "")
                out.append({"kind": "person", "value": str(row.id), "label": label})
            orgs = [o.name for o, _ in self.orgs() if low in o.name.lower()]
            out += [{"kind": "org", "value": n, "label": n} for n in orgs[:limit]]
            titles = self.cached(
                ("titles",),
                lambda: sorted(
                    {r.title for r in self.ws.people() if r.title}, key=lambda t: t.lower()
                ),
            )
            roles = [t for t in titles if low in t.lower()]
            out += [{"kind": "role", "value": t, "label": t} for t in roles[:limit]]
            known = self.cached(("skills", low), lambda: self.ws.skills(text))[:limit]
            for skill, count in known:
                who = "person" if count == 1 else "people"
                label = f"people skilled in {skill} ({count} {who})"
                out.append({"kind": "skill", "value": skill, "label": label})
            if not known:  # a skill nobody in the workspace lists: search for it as typed
                out.append({"kind": "skill", "value": text, "label": f"people skilled in {text}"})
            return out

        return self.cached(("targets", low, limit), compute)

    def network(self, *, max_edges_per_node: int = 3, min_prob: float = 0.05) -> dict[str, Any]:
        """The ego network for the network view: my contacts placed in rings by strength.

        Nodes carry strength, category, organisation and tags so the browser can colour and
        filter without asking again; positions are computed here (rings: stronger nearer the
        centre; colleagues side by side) because a force layout of 2,000 nodes takes the
        browser seconds. Edges are each contact's few most likely introductions to my other
        contacts, taken from the workspace's tie graph.
        """
        return self.cached(("network", max_edges_per_node, min_prob), self._network)

    def network_json(self) -> bytes:
        """:meth:`network` serialised once (about 300 KB for 2,000 people)."""
        import json

        return self.cached(
            ("network_json",), lambda: json.dumps(self.network(), separators=(",", ":")).encode()
        )

    def _network(self, max_edges_per_node: int = 3, min_prob: float = 0.05) -> dict[str, Any]:
        import numpy as np

        me = self.me()
        rows = [r for r in self.people() if r.strength is not None]
        layer_of = self.circles().layer_of
        orgs_order = sorted({r.org or "" for r in rows})
        slot = {name: i for i, name in enumerate(orgs_order)}
        nodes: list[dict[str, Any]] = [
            {
                "id": str(me.id),
                "label": "you",
                "me": True,
                "x": 0.0,
                "y": 0.0,
                "strength": 1.0,
                "category": "me",
                "org": "",
                "tags": [],
            }
        ]
        for r in rows:
            # angle: organisation slot plus a stable jitter; radius: weaker further out
            base = (slot[r.org or ""] + 0.5) / max(len(orgs_order), 1)
            jitter = (zlib.crc32(str(r.id).encode()) % 1000) / 1000.0 / max(len(orgs_order), 1)
            angle = 2 * math.pi * (base + 0.8 * jitter)
            radius = 120 + 900 * (1.0 - float(r.strength or 0.0))
            nodes.append(
                {
                    "id": str(r.id),
                    "label": r.name,
                    "x": round(radius * math.cos(angle), 1),
                    "y": round(radius * math.sin(angle), 1),
                    "strength": round(float(r.strength or 0.0), 3),
                    "category": r.category or "never",
                    "circle": layer_of.get(r.id, "outside"),
                    "org": r.org or "",
                    "tags": list(r.tags),
                }
            )
        edges: list[dict[str, Any]] = []
        graph = self.ws.tie_graph()
        ids = np.array([r.id for r in rows], dtype=np.int64)
        if len(ids):
            node_of = graph.node_of(ids)
            mine = set(ids.tolist())
            seen: set[tuple[int, int]] = set()
            for pid, node in zip(ids.tolist(), node_of.tolist(), strict=True):
                if node < 0:
                    continue
                lo, hi = int(graph.indptr[node]), int(graph.indptr[node + 1])
                kept = 0
                for j in range(lo, hi):  # arcs are sorted by probability, highest first
                    if kept >= max_edges_per_node or graph.prob[j] < min_prob:
                        break
                    other = int(graph.node_ids[graph.indices[j]])
                    if other not in mine or other == pid:
                        continue
                    pair = (min(pid, other), max(pid, other))
                    if pair in seen:
                        continue
                    seen.add(pair)
                    kept += 1
                    edges.append(
                        {
                            "source": str(pid),
                            "target": str(other),
                            "p": round(float(graph.prob[j]), 3),
                        }
                    )
        for r in rows:
            if r.category == "strong":
                edges.append({"source": str(me.id), "target": str(r.id), "p": r.strength})
        return {
            "nodes": nodes,
            "edges": edges,
            "orgs": [o for o in orgs_order if o],
            "tags": sorted({t for r in rows for t in r.tags}),
        }
