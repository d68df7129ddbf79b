"""Community-sized synthetic networks (10^4–10^6 people) as numpy arrays, for benchmarks.

The generator is a degree-corrected block model with triadic closure, the recipe measured in
``research/perf-anchors.md``: people belong to organisations (log-normal, heavy-tailed sizes,
many of 20–200) and cities; each person's activity is Pareto(2.5), so a few are hubs; ties are
60% inside the organisation, 20% inside the city and 20% anywhere, endpoints chosen in proportion
to activity; then as many Holme–Kim wedge closures add clustering (about 0.15 at 10^4). Everything is vectorised (no
Python loop per person or edge), so 10^6 people and 10^7 ties take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from weakties.errors import InvalidInput
from weakties.synth import names as vocab

SKILLS_PER_PERSON = 3
_LEVEL_SHARES = np.array([0.18, 0.27, 0.2, 0.12, 0.11, 0.08, 0.04])
_FUNCTION_SHARES = np.array([0.24, 0.13, 0.1, 0.1, 0.1, 0.08, 0.1, 0.08, 0.07])
_KIND_SHARES = (0.6, 0.2)  # inside the organisation, inside the city; the rest anywhere
_CLOSURE_SHARE = 1.0  # wedge closures per base tie
_OVERSHOOT = 1.22  # duplicates and self-loops lost on the way; the surplus is dropped at random
_TICKETS_PER_ACTIVITY = 4
_PEOPLE_PER_CITY = 2000


@dataclass(frozen=True, slots=True, eq=False)
class CommunityGraph:
    """An undirected weighted network of ``n`` people: edge ``k`` joins ``src[k] < dst[k]``.

    ``title_of`` indexes :data:`titles`, ``skills`` (one row per person) indexes
    :data:`skill_names`; ``org_of`` and ``city_of`` are plain codes below ``n_orgs`` and
    ``n_cities``. Edges are sorted by (src, dst) and unique.
    """

    n: int
    src: NDArray[np.int32]
    dst: NDArray[np.int32]
    weight: NDArray[np.float32]
    org_of: NDArray[np.int32]
    city_of: NDArray[np.int32]
    title_of: NDArray[np.int16]
    skills: NDArray[np.int16]
    n_orgs: int
    n_cities: int
    titles: tuple[str, ...] = vocab.TITLES
    skill_names: tuple[str, ...] = vocab.SKILLS

    @property
    def n_edges(self) -> int:
        return int(self.src.shape[0])

    def degrees(self) -> NDArray[np.int64]:
        """Each person's number of ties."""
        return np.bincount(self.src, minlength=self.n) + np.bincount(self.dst, minlength=self.n)


def community_graph(n: int, avg_degree: float = 20, seed: int = 0) -> CommunityGraph:
    """A clustered, heavy-tailed network of ``n`` people with mean degree ``avg_degree``."""
    if n < 10:
        raise InvalidInput(f"n={n} is too small", hint="use 10 or more people")
    if not 0 < avg_degree <= (n - 1) / 4:
        raise InvalidInput(f"avg_degree={avg_degree} does not fit {n} people")
    rng = np.random.default_rng(seed)
    org_of, by_org, org_bounds = _organisations(n, rng)
    n_orgs = org_bounds.size - 1
    n_cities = max(1, n // _PEOPLE_PER_CITY)
    city_of_org = rng.integers(n_cities, size=n_orgs).astype(np.int32)
    city_of = city_of_org[org_of]
    # people in city order: whole organisations regrouped by their city (a stable radix sort)
    by_city = by_org[np.argsort(city_of[by_org].astype(np.uint16), kind="stable")]
    city_bounds = np.searchsorted(city_of[by_city], np.arange(n_cities + 1), side="left")
    activity = 1.0 + rng.pareto(2.5, size=n)
    # a person holds tickets in proportion to activity: a uniform ticket is an activity draw
    tickets = np.maximum(1, np.rint(activity * _TICKETS_PER_ACTIVITY)).astype(np.int64)
    everyone = _Lottery(np.arange(n), np.array([0, n]), tickets)
    in_org = _Lottery(by_org, org_bounds, tickets)
    in_city = _Lottery(by_city, city_bounds, tickets)
    target = round(n * avg_degree / 2)
    base = int(target * _OVERSHOOT / (1.0 + _CLOSURE_SHARE))
    u = everyone.draw(np.zeros(base, dtype=np.int64), rng)
    kind = rng.random(base)
    v = np.empty(base, dtype=np.int64)
    same_org = kind < _KIND_SHARES[0]
    same_city = ~same_org & (kind < _KIND_SHARES[0] + _KIND_SHARES[1])
    anywhere = ~(same_org | same_city)
    v[same_org] = in_org.draw(org_of[u[same_org]], rng)
    v[same_city] = in_city.draw(city_of[u[same_city]], rng)
    v[anywhere] = everyone.draw(np.zeros(int(anywhere.sum()), dtype=np.int64), rng)
    keys = _with_closures(u, v, n, int(_CLOSURE_SHARE * base), rng)
    for _ in range(8):
        if keys.size >= target:
            break
        extra = int((target - keys.size) * 1.1) + 16
        x = everyone.draw(np.zeros(extra, dtype=np.int64), rng)
        y = everyone.draw(np.zeros(extra, dtype=np.int64), rng)
        keys = _merge_unique(keys, _unique_keys(x, y, n))
    if keys.size > target:
        keys = np.delete(keys, rng.choice(keys.size, size=keys.size - target, replace=False))
    src = (keys // n).astype(np.int32)
    dst = (keys % n).astype(np.int32)
    colleagues = org_of[src] == org_of[dst]
    # tie strength: colleagues stronger on average (Beta(2,3), mean 0.4) than others (mean 0.19)
    weight = np.empty(keys.size, dtype=np.float32)
    weight[colleagues] = rng.beta(2.0, 3.0, int(colleagues.sum()))
    weight[~colleagues] = rng.beta(1.2, 5.0, int((~colleagues).sum()))
    np.clip(weight, 0.01, 1.0, out=weight)
    title_of, skills = _titles_and_skills(n, rng)
    return CommunityGraph(
        n=n,
        src=src,
        dst=dst,
        weight=weight,
        org_of=org_of,
        city_of=city_of,
        title_of=title_of,
        skills=skills,
        n_orgs=n_orgs,
        n_cities=n_cities,
    )


def _organisations(
    n: int, rng: np.random.Generator
) -> tuple[NDArray[np.int32], NDArray[np.int64], NDArray[np.int64]]:
    """Log-normal organisation sizes (median ~11, mean ~22, a long tail), shuffled over people.

    Returns each person's organisation, the people in organisation order, and where each
    organisation starts in that order (one more entry than organisations).
    """
    sizes = np.rint(np.exp(rng.normal(2.4, 1.2, size=n // 4 + 16)))
    sizes = np.clip(sizes, 1, max(1, n // 10)).astype(np.int64)
    total = np.cumsum(sizes)
    count = int(np.searchsorted(total, n)) + 1
    sizes = sizes[:count].copy()
    sizes[-1] -= int(total[count - 1]) - n
    by_org = rng.permutation(n).astype(np.int64)
    org_of = np.empty(n, dtype=np.int32)
    org_of[by_org] = np.repeat(np.arange(count, dtype=np.int32), sizes)
    return org_of, by_org, np.concatenate([[0], np.cumsum(sizes)])


class _Lottery:
    """Draw people of a group in proportion to their tickets, O(1) a draw.

    Each person appears in ``slots`` as many times as they hold tickets, groups one after
    another; a draw is one uniform slot inside the group's range (no binary search).
    """

    def __init__(
        self, people: NDArray[np.int64], bounds: NDArray[np.int64], tickets: NDArray[np.int64]
    ) -> None:
        counts = tickets[people]
        self.slots: NDArray[np.int64] = np.repeat(people, counts)
        ends = np.concatenate([[0], np.cumsum(counts)])
        self.first: NDArray[np.int64] = ends[bounds[:-1]]
        self.size: NDArray[np.int64] = ends[bounds[1:]] - self.first

    def draw(
        self, groups: NDArray[np.int64] | NDArray[np.int32], rng: np.random.Generator
    ) -> NDArray[np.int64]:
        size = self.size[groups]
        picks = self.first[groups] + (rng.random(groups.size) * size).astype(np.int64)
        return self.slots[picks].astype(np.int64)


def _with_closures(
    u: NDArray[np.int64],
    v: NDArray[np.int64],
    n: int,
    count: int,
    rng: np.random.Generator,
) -> NDArray[np.int64]:
    """The base ties plus ``count`` closed wedges x–y–w (Holme & Kim 2002), as unique keys.

    The adjacency comes from sorting arc keys ``tail * n + head``: one plain sort, several
    times faster than an argsort, and the canonical half of it is already the base's keys.
    """
    keep = u != v
    arcs = _sorted_unique(np.concatenate([u[keep] * n + v[keep], v[keep] * n + u[keep]]))
    tail, head = arcs // n, arcs % n
    start = np.searchsorted(tail, np.arange(n + 1), side="left")
    picks = rng.integers(arcs.size, size=count)
    x, y = tail[picks], head[picks]
    degree = start[y + 1] - start[y]
    w = head[start[y] + (rng.random(count) * degree).astype(np.int64)]
    return _merge_unique(arcs[tail < head], _unique_keys(x, w, n))


def _merge_unique(a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.int64]:
    """Union of two sorted key arrays (a stable sort merges the two runs in linear time)."""
    return _sorted_unique(np.concatenate([a, b]), kind="stable")


def _unique_keys(u: NDArray[np.int64], v: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """Undirected pairs as sorted unique keys ``lo * n + hi``, self-loops dropped."""
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keep = lo != hi
    return _sorted_unique(lo[keep] * n + hi[keep])


def _sorted_unique(
    keys: NDArray[np.int64], kind: Literal["quicksort", "stable"] = "quicksort"
) -> NDArray[np.int64]:
    """Sort and deduplicate (``np.unique`` hashes first in numpy 2, several times slower)."""
    keys = np.sort(keys, kind=kind)
    if keys.size == 0:
        return keys
    fresh = np.empty(keys.size, dtype=bool)
    fresh[0] = True
    np.not_equal(keys[1:], keys[:-1], out=fresh[1:])
    return keys[fresh]


def _titles_and_skills(
    n: int, rng: np.random.Generator
) -> tuple[NDArray[np.int16], NDArray[np.int16]]:
    functions = rng.choice(len(vocab.FUNCTIONS), size=n, p=_FUNCTION_SHARES)
    levels = rng.choice(len(_LEVEL_SHARES), size=n, p=_LEVEL_SHARES)
    ladder = len(vocab.TITLE_LADDERS[vocab.FUNCTIONS[0]])
    title_of = (functions * ladder + levels).astype(np.int16)
    index = {name: k for k, name in enumerate(vocab.SKILLS)}
    width = max(len(vocab.SKILLS_BY_FUNCTION[f]) for f in vocab.FUNCTIONS)
    table = np.full((len(vocab.FUNCTIONS), width), -1, dtype=np.int16)
    sizes = np.zeros(len(vocab.FUNCTIONS), dtype=np.int64)
    for f, name in enumerate(vocab.FUNCTIONS):
        codes = [index[s] for s in vocab.SKILLS_BY_FUNCTION[name]]
        table[f, : len(codes)] = codes
        sizes[f] = len(codes)
    # consecutive skills of the function from a random offset: distinct within a person
    offset = rng.integers(0, 1 << 30, size=n) % sizes[functions]
    columns = (offset[:, None] + np.arange(SKILLS_PER_PERSON)[None, :]) % sizes[functions][:, None]
    skills = table[functions[:, None], columns].astype(np.int16)
    return title_of, skills
