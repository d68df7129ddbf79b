"""Credit along an opportunity's chain, chains suggested from introductions, and insights.

The chain of an opportunity lists the people it came through, nearest the owner first: the
owner's own contact, then whoever they passed it to, up to the person who made the final
recommendation. How much each of them "produced" the opportunity is the question answered here.

**The credit rule.** Half the credit is split equally along the chain, half goes to its two ends:

    share_i = ½ · 1/n  +  ¼ · [i is first]  +  ¼ · [i is last]        (n ≥ 1 links)

so one link takes everything, two links take half each, and in longer chains the ends take
``1/(2n) + 1/4`` and each middle link ``1/(2n)``. The shares always sum to one. Why:

* Every link of a referral chain is necessary: remove anyone and the opportunity never arrives.
  That is a *unanimity game*, whose Shapley value (Shapley 1953) is the equal split ``1/n`` —
  the equal half above.
* The two ends are not interchangeable with the middle, though. The first link is the owner's
  own tie, the relationship they built (often a weak or dormant one, the tie Granovetter 1973
  and Rajkumar et al. 2022 show carries job information); the last link vouched for the owner
  to the decision maker, and referral studies find the referrer's endorsement is what lifts
  hiring odds. Position-based ("U-shaped") multi-touch attribution gives the first and last
  touch the largest shares for the same reason; the bonus half encodes that.

With no one in between (a direct application) the whole credit is the owner's.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from weakties.errors import InvalidInput

K = TypeVar("K", bound=Hashable)

EQUAL_PART = 0.5
"""The part of the credit split equally along the chain (the Shapley value of a unanimity
game); the rest is shared by the first and last links."""


def credit_shares(length: int) -> tuple[float, ...]:
    """The share of each link of a chain of ``length`` people, nearest the owner first.

    ``()`` for an empty chain (see :func:`attribute`, which credits the owner then).
    """
    if length < 0:
        raise InvalidInput(f"a chain cannot have {length} links")
    if length == 0:
        return ()
    if length == 1:
        return (1.0,)
    shares = [EQUAL_PART / length] * length
    bonus = (1.0 - EQUAL_PART) / 2
    shares[0] += bonus
    shares[-1] += bonus
    return tuple(shares)


def attribute(chain: Sequence[K], owner: K) -> tuple[tuple[K, float], ...]:
    """Each person of ``chain`` with their share of the credit; the owner alone when empty.

    The shares sum to one for every chain, so totals over many opportunities read as
    "opportunities' worth of credit" per person.
    """
    if len(set(chain)) != len(chain):
        raise InvalidInput("a person appears twice in the chain")
    if not chain:
        return ((owner, 1.0),)
    return tuple(zip(chain, credit_shares(len(chain)), strict=True))


# --------------------------------------------------------------------- suggested chains


@dataclass(frozen=True, slots=True)
class IntroFact:
    """An introduction on record: ``by`` introduced ``a`` and ``b`` (``by`` None: unknown)."""

    a: int
    b: int
    by: int | None = None


def suggest_chains(
    owner: int,
    targets: Iterable[int],
    introductions: Sequence[IntroFact],
    contacts: Iterable[int] = (),
    *,
    max_links: int = 4,
    limit: int = 3,
) -> list[tuple[int, ...]]:
    """Chains from the owner to any of ``targets`` explained by the introductions on record.

    An introduction of ``a`` to ``b`` by ``c`` means the way from ``a`` to ``b`` went through
    ``c``: the step ``a → b`` puts ``c`` in the chain before ``b``. An introducer reaches the two
    people they introduced; an introduction with no known introducer is a direct step. The
    owner's own ``contacts`` are one-step chains, offered in the order given (pass the
    strongest first). The search is breadth-first from the owner and offers one chain per
    target, the first found: the owner's introductions are tried before their contacts, so a
    contact first met through an introduction is credited through it. Shortest chains come
    first; chains longer than ``max_links`` people are not offered. The owner is never part of
    a chain.
    """
    goal = set(targets) - {owner}
    if not goal:
        return []
    steps: dict[int, list[tuple[int, ...]]] = {}

    def add(frm: int, path: tuple[int, ...]) -> None:
        if frm != path[-1]:
            steps.setdefault(frm, []).append(path)

    for fact in introductions:
        for x, y in ((fact.a, fact.b), (fact.b, fact.a)):
            if fact.by is None:
                add(x, (y,))
            elif fact.by not in (x, y):
                add(x, (fact.by, y) if fact.by != owner else (y,))
        if fact.by is not None:
            add(fact.by, (fact.a,))
            add(fact.by, (fact.b,))
    for c in dict.fromkeys(contacts):
        if c != owner:
            add(owner, (c,))

    found: list[tuple[int, ...]] = []
    reached: set[int] = set()
    queue: deque[tuple[int, tuple[int, ...]]] = deque([(owner, ())])
    seen_at = {owner: 0}
    while queue and len(found) < limit:
        node, chain = queue.popleft()
        for step in steps.get(node, []):
            added = tuple(p for p in step if p != owner)
            new = chain + added
            if not added or len(new) > max_links or len(set(new)) != len(new):
                continue
            end = new[-1]
            if end in goal and end not in reached:
                reached.add(end)
                found.append(new)
                if len(found) >= limit:
                    break
            if end not in seen_at or seen_at[end] > len(new):
                seen_at[end] = len(new)
                queue.append((end, new))
    found.sort(key=len)
    return found


# ---------------------------------------------------------------------------- insights


class ContactFrequency(StrEnum):
    """Granovetter's (1974) answer bands to "how often did you see the contact at the time?"."""

    OFTEN = "often"  # at least twice a week
    OCCASIONALLY = "occasionally"  # more than once a year, less than twice a week
    RARELY = "rarely"  # once a year or less


OFTEN_PER_YEAR = 104.0
"""Twice a week, Granovetter's original "often" threshold (science anchors §1; secondary
sources print "once a week")."""


def contact_frequency(contacts_in_year_before: int) -> ContactFrequency:
    """Granovetter's band for a contact seen ``contacts_in_year_before`` times that year."""
    if contacts_in_year_before < 0:
        raise InvalidInput("a number of contacts cannot be negative")
    if contacts_in_year_before >= OFTEN_PER_YEAR:
        return ContactFrequency.OFTEN
    if contacts_in_year_before > 1:
        return ContactFrequency.OCCASIONALLY
    return ContactFrequency.RARELY


WEAK_CATEGORIES = frozenset({"weak", "dormant", "never"})
"""Tie categories that count as "weak" for the share asked about: weak, dormant (silent far
beyond its rhythm) and never (a connection or follow with no conversation)."""


@dataclass(frozen=True, slots=True)
class ShareOf:
    """``count`` of ``total``, and the share (None when there is nothing to count)."""

    count: int
    total: int
    share: float | None

    @classmethod
    def of(cls, count: int, total: int) -> ShareOf:
        if not 0 <= count <= total:
            raise InvalidInput(f"{count} of {total} is not a share")
        return cls(count, total, count / total if total else None)


def share_through(categories: Sequence[str], counted: frozenset[str] = WEAK_CATEGORIES) -> ShareOf:
    """How many of the opportunities' first links had a tie category in ``counted``."""
    return ShareOf.of(sum(c in counted for c in categories), len(categories))


def frequency_counts(bands: Sequence[ContactFrequency]) -> dict[str, int]:
    """Count of each Granovetter band, every band present (zero when absent)."""
    return {b.value: sum(x is b for x in bands) for b in ContactFrequency}


def median_or_none(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return float(statistics.median(values)) if values else None


def total_credit(
    chains: Iterable[Sequence[K]], owner: K, weights: Iterable[float] | None = None
) -> dict[K, float]:
    """Credit per person summed over many opportunities (each weighted, default 1)."""
    out: dict[K, float] = {}
    chain_list = list(chains)
    ws = list(weights) if weights is not None else [1.0] * len(chain_list)
    if len(ws) != len(chain_list):
        raise InvalidInput("one weight per chain")
    for chain, w in zip(chain_list, ws, strict=True):
        for person, share in attribute(chain, owner):
            out[person] = out.get(person, 0.0) + w * share
    return out
