"""The goodwill ledger: a decaying balance of favours and introductions per counterpart.

Each entry is a service one person did another: a favour weighs its size (small 1, medium 2,
large 4, :class:`~weakties.domain.ledger.FavorSize`) and an introduction weighs
:data:`INTRODUCTION_WEIGHT`. Entries fade exponentially with a half-life of
:data:`HALF_LIFE_YEARS`. The balance with a person is what I gave them minus what they gave me:
positive means they are in my debt, which the norm of reciprocity (Gouldner 1960, *Am. Sociol.
Rev.* 25:161) says raises their willingness to help; the path model's ``WillingnessModel``
reads it on the same 1-2-4 scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from weakties.errors import InvalidInput

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
DAY = 86_400.0
HALF_LIFE_YEARS = 4.0
"""Goodwill halves every four years. A design choice, not a measured value: the chains this
tool exists for run four to five years from favour to job (DESIGN §1), and dormant ties silent
for three years and more still give trust when reactivated (Levin, Walter & Murnighan 2011), so
a favour must still count after that long; exponential so that every entry is easy to check."""
INTRODUCTION_WEIGHT = 2.0
"""An introduction is worth a medium favour: it costs the introducer some of their own credit."""
UNDATED_AGE_HALF_LIVES = 1.0
"""An undated entry is counted as one half-life old: remembered, but not as fresh as today."""


class EntryKind(StrEnum):
    """What a ledger entry was."""

    FAVOUR = "favour"
    INTRODUCTION = "introduction"


_KINDS = tuple(EntryKind)


@dataclass(frozen=True, slots=True)
class GoodwillEntries:
    """Aligned ledger entries: ``giver`` did ``receiver`` a service of ``weight`` at ``t``.

    ``t`` is unix seconds (NaN when undated); ``kind`` indexes :class:`EntryKind` in declaration
    order; ``source`` is the id of the favour or introduction row it came from.
    """

    giver: I64
    receiver: I64
    weight: F64
    t: F64
    kind: NDArray[np.int8]
    source: I64

    def __post_init__(self) -> None:
        n = len(self.giver)
        for name in ("receiver", "weight", "t", "kind", "source"):
            if len(getattr(self, name)) != n:
                raise InvalidInput(f"ledger column {name!r} has a different length")
        if n and float(self.weight.min()) < 0:
            raise InvalidInput("ledger weights must be non-negative")

    def __len__(self) -> int:
        return len(self.giver)

    def kind_of(self, i: int) -> EntryKind:
        return _KINDS[int(self.kind[i])]

    def select(self, mask: NDArray[np.bool_] | NDArray[np.intp]) -> GoodwillEntries:
        return GoodwillEntries(
            self.giver[mask],
            self.receiver[mask],
            self.weight[mask],
            self.t[mask],
            self.kind[mask],
            self.source[mask],
        )


def ledger_entries(
    *,
    favour_giver: I64,
    favour_receiver: I64,
    favour_weight: F64,
    favour_time: F64,
    intro_by: I64,
    intro_a: I64,
    intro_b: I64,
    intro_time: F64,
    favour_id: I64 | None = None,
    intro_id: I64 | None = None,
) -> GoodwillEntries:
    """One entry per favour, and one per person introduced by a known introducer.

    An introduction of A to B by C is a service C did A and one C did B; one with no known
    introducer (``intro_by`` < 0) is nobody's service and is left out. The ids (default: row
    positions) become each entry's ``source``. The store's ``Facts`` columns fit as they are,
    so an engine can weigh favours with :func:`decayed_weights` instead of their raw sizes.
    """
    if favour_id is None:
        favour_id = np.arange(len(favour_giver), dtype=np.int64)
    if intro_id is None:
        intro_id = np.arange(len(intro_by), dtype=np.int64)
    known = np.asarray(intro_by) >= 0
    by = np.asarray(intro_by, dtype=np.int64)[known]
    n_intro = int(known.sum())
    giver = np.concatenate([np.asarray(favour_giver, np.int64), by, by])
    receiver = np.concatenate(
        [
            np.asarray(favour_receiver, np.int64),
            np.asarray(intro_a, np.int64)[known],
            np.asarray(intro_b, np.int64)[known],
        ]
    )
    intro_t = np.asarray(intro_time, np.float64)[known]
    intro_src = np.asarray(intro_id, np.int64)[known]
    return GoodwillEntries(
        giver=giver,
        receiver=receiver,
        weight=np.concatenate(
            [np.asarray(favour_weight, np.float64), np.full(2 * n_intro, INTRODUCTION_WEIGHT)]
        ),
        t=np.concatenate([np.asarray(favour_time, np.float64), intro_t, intro_t]),
        kind=np.concatenate(
            [
                np.zeros(len(favour_giver), np.int8),
                np.ones(2 * n_intro, np.int8),
            ]
        ),
        source=np.concatenate([np.asarray(favour_id, np.int64), intro_src, intro_src]),
    )


def decay_factor(t: F64, now: float, half_life_years: float = HALF_LIFE_YEARS) -> F64:
    """``0.5 ** (age / half-life)`` per entry time; undated entries count one half-life old.

    Entries dated after ``now`` (a partial date's first day can be) count in full.
    """
    if half_life_years <= 0:
        raise InvalidInput(f"the half-life must be positive, got {half_life_years}")
    tt = np.asarray(t, dtype=np.float64)
    age = np.maximum(now - tt, 0.0) / (DAY * 365.25 * half_life_years)
    age = np.where(np.isnan(tt), UNDATED_AGE_HALF_LIVES, age)
    return np.asarray(np.exp2(-age), dtype=np.float64)


def decayed_weights(
    entries: GoodwillEntries, now: float, half_life_years: float = HALF_LIFE_YEARS
) -> F64:
    """Each entry's weight as it stands at ``now``: what it still counts for in a balance."""
    return np.asarray(
        entries.weight * decay_factor(entries.t, now, half_life_years), dtype=np.float64
    )


@dataclass(frozen=True, slots=True)
class Balances:
    """Decayed goodwill with each counterpart of one person, sorted by counterpart id.

    ``given``: what the person did for them; ``received``: what they did for the person;
    ``balance = given − received`` (positive: they owe the person).
    """

    person: I64
    given: F64
    received: F64

    @property
    def balance(self) -> F64:
        return np.asarray(self.given - self.received, dtype=np.float64)

    def of(self, person_ids: I64) -> tuple[F64, F64]:
        """``(given, received)`` for these counterparts (zeros for people with no entries)."""
        ids = np.asarray(person_ids, dtype=np.int64)
        pos = np.searchsorted(self.person, ids)
        pos = np.minimum(pos, max(len(self.person) - 1, 0))
        hit = (self.person[pos] == ids) if len(self.person) else np.zeros(len(ids), dtype=np.bool_)
        given = np.where(hit, self.given[pos] if len(self.person) else 0.0, 0.0)
        received = np.where(hit, self.received[pos] if len(self.person) else 0.0, 0.0)
        return given.astype(np.float64), received.astype(np.float64)


def goodwill_balances(
    entries: GoodwillEntries,
    me: int,
    now: float,
    *,
    half_life_years: float = HALF_LIFE_YEARS,
) -> Balances:
    """Decayed goodwill given to and received from every counterpart of ``me`` at ``now``."""
    value = decayed_weights(entries, now, half_life_years)
    out_ = entries.giver == me
    in_ = entries.receiver == me
    other = np.where(out_, entries.receiver, entries.giver)
    mine = (out_ | in_) & (entries.giver != entries.receiver)
    people, inverse = np.unique(other[mine], return_inverse=True)
    given = np.bincount(
        inverse, weights=np.where(out_[mine], value[mine], 0.0), minlength=len(people)
    )
    received = np.bincount(
        inverse, weights=np.where(in_[mine], value[mine], 0.0), minlength=len(people)
    )
    return Balances(people.astype(np.int64), given.astype(np.float64), received.astype(np.float64))


def unreturned(entries: GoodwillEntries, me: int) -> NDArray[np.bool_]:
    """Entries a contact gave ``me`` after which ``me`` gave that contact nothing back.

    A return is any entry from ``me`` to the giver dated on or after the received one; an
    undated entry on either side cannot be ordered, so it is taken as a return (the benefit of
    the doubt goes to the user, who can still thank them).
    """
    received = np.flatnonzero(entries.receiver == me)
    out = np.zeros(len(entries), dtype=np.bool_)
    given_by_me = entries.giver == me
    for i in received:
        giver = entries.giver[i]
        if giver == me:
            continue
        back = given_by_me & (entries.receiver == giver)
        t_back = entries.t[back]
        t_in = entries.t[i]
        returned = (
            bool(np.any(np.isnan(t_back) | (t_back >= t_in)))
            if np.isfinite(t_in)
            else (bool(back.any()))
        )
        out[i] = not returned
    return out
