"""Per-pair features aggregated from pairwise events, vectorised (sort once, reduce by segment).

Pairs are unordered (``a < b``). Events are grouped with one sort of a composite key
``(a, b, time rank)``, so every reduction that needs time order (gaps, first, last) reads
contiguous, already ordered segments. The key range is split between worker threads: numpy
releases the GIL in sorts, gathers and reductions, so two cores nearly halve the time.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from weakties.analysis.events import CHANNELS, EventArrays
from weakties.errors import InvalidInput

DAY = 86_400.0
ACTR_DECAY = 0.5
"""ACT-R base-level decay ``d``: the manual's recommended value, "one of the few parameters
which have a strong recommended value" (Anderson & Lebiere 1998)."""
MIN_GAP_DAYS = 1.0
"""Gaps shorter than a day count as one day: a burst of chat messages is one contact when the
question is whether a tie is still alive (Navarro et al. 2017 reason about contact rhythm)."""

CHANNEL_WEIGHTS: tuple[float, ...] = (1.0, 2.0, 2.0, 1.0, 3.0, 0.25)
"""Weight of one contact by channel, in ``Channel`` order (email, meeting, call, message,
in person, social): richer media count more (Granovetter's intimacy; Gilbert & Karahalios 2009
weigh intimate channels over broadcast ones). A like or follow is a quarter of a message."""

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
_A = TypeVar("_A", bound=NDArray[np.generic])


@dataclass(frozen=True, slots=True)
class PairValues:
    """A value per pair, e.g. favours given (``a`` gave to ``b``) or mutual contacts."""

    a: I64
    b: I64
    value: F64

    @classmethod
    def of(
        cls, a: list[int] | I64, b: list[int] | I64, value: list[float] | F64 | None = None
    ) -> PairValues:
        aa = np.asarray(a, dtype=np.int64)
        vv = np.ones(len(aa)) if value is None else np.asarray(value, dtype=np.float64)
        return cls(aa, np.asarray(b, dtype=np.int64), vv)

    def __post_init__(self) -> None:
        if not len(self.a) == len(self.b) == len(self.value):
            raise InvalidInput("pair value columns have different lengths")
        if len(self.a) and (int(self.a.min()) < 0 or int(self.b.min()) < 0):
            raise InvalidInput("person ids must be non-negative")


def _empty_values() -> PairValues:
    return PairValues.of([], [], [])


@dataclass(frozen=True, slots=True)
class SideInputs:
    """Per-pair facts that are not interaction events, joined onto the pairs by ``(a, b)``.

    ``favours`` are directed (giver, receiver, size weight); ``connections`` are ties that exist
    without any conversation (a LinkedIn connection, a follow): their own state, not zero.
    ``ratings`` are the user's own 0..1 ratings.
    """

    favours: PairValues = field(default_factory=_empty_values)
    introductions: PairValues = field(default_factory=_empty_values)
    mutual_contacts: PairValues = field(default_factory=_empty_values)
    tenure_overlap_days: PairValues = field(default_factory=_empty_values)
    ratings: PairValues = field(default_factory=_empty_values)
    connections: PairValues = field(default_factory=_empty_values)


@dataclass(frozen=True, slots=True)
class PairFeatures:
    """Aligned per-pair arrays (``a < b``) describing each tie at ``as_of``.

    ``from_a`` counts events ``a`` initiated. ``activation`` is the ACT-R base-level sum
    ``Σ w_channel · age_days^-d / (group - 1)`` over the pair's events (Anderson & Lebiere 1998;
    ages from ``as_of`` plus one day, as in the benchmark's ``actr`` baseline). ``intimacy`` is
    ``Σ 1/(group - 1)``: a one-to-one contact counts 1, a ten-person meeting 1/9.
    ``log_gap_sum / (count - 1)`` is the mean log inter-contact gap in days.
    """

    as_of: float
    decay: float
    a: I64
    b: I64
    count: I64
    count_by_channel: I64
    from_a: I64
    first_t: F64
    last_t: F64
    log_gap_sum: F64
    intimacy: F64
    activation: F64
    favours_from_a: F64
    favours_from_b: F64
    introductions: F64
    mutual_contacts: F64
    tenure_overlap_days: F64
    rating: F64
    connected: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.a)

    @property
    def usual_gap_days(self) -> F64:
        """Geometric-mean gap between contacts in days (NaN with fewer than two contacts)."""
        gaps = self.count - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(gaps > 0, np.exp(self.log_gap_sum / np.maximum(gaps, 1)), np.nan)

    def index_of(self, a: int, b: int) -> int:
        """Row of the pair ``{a, b}``; raises ``KeyError`` when the pair has no features."""
        lo, hi = min(a, b), max(a, b)
        i = int(np.searchsorted(self.a, lo, side="left"))
        j = int(np.searchsorted(self.a, lo, side="right"))
        k = i + int(np.searchsorted(self.b[i:j], hi))
        if k < j and self.b[k] == hi:
            return k
        raise KeyError((a, b))


@dataclass(frozen=True, slots=True)
class _Chunk:
    a: I64
    b: I64
    count: I64
    count_by_channel: I64
    from_a: I64
    first_t: F64
    last_t: F64
    log_gap_sum: F64
    intimacy: F64
    activation: F64


def pair_features(
    events: EventArrays,
    as_of: float,
    side: SideInputs | None = None,
    *,
    decay: float = ACTR_DECAY,
    channel_weights: tuple[float, ...] = CHANNEL_WEIGHTS,
    workers: int | None = None,
) -> PairFeatures:
    """Aggregate ``events`` up to ``as_of`` into one row per unordered pair, plus side inputs.

    Events after ``as_of`` and self-pairs are ignored. ``workers`` threads share the work
    (default: up to two, the CPUs of the standard laptop).
    """
    if not np.isfinite(as_of):
        raise InvalidInput("as_of must be a finite time")
    if decay <= 0:
        raise InvalidInput(f"decay must be positive, got {decay}")
    ev = events
    keep = ev.u != ev.v
    if len(ev) and float(ev.t.max()) > as_of:
        keep &= ev.t <= as_of
    if not keep.all():
        ev = ev.select(keep)
    if len(ev) and not bool(np.all(ev.t[1:] >= ev.t[:-1])):
        ev = ev.select(np.argsort(ev.t, kind="stable"))
    n_workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    weights = np.asarray(channel_weights, dtype=np.float64)
    if weights.shape != (len(CHANNELS),) or np.any(weights < 0):
        raise InvalidInput(f"channel weights must be {len(CHANNELS)} non-negative numbers")
    chunk = _aggregate(ev, as_of, decay, weights, max(1, n_workers))
    return _join_side(chunk, side or SideInputs(), as_of, decay)


def _aggregate(
    ev: EventArrays, as_of: float, decay: float, channel_weights: F64, workers: int
) -> _Chunk:
    n = len(ev)
    if n == 0:
        return _empty_chunk()
    lo = np.minimum(ev.u, ev.v).view(np.uint64)
    hi = np.maximum(ev.u, ev.v).view(np.uint64)
    id_bits = max(int(hi.max()).bit_length(), 1)
    if id_bits > 32:
        raise InvalidInput(f"person ids need {id_bits} bits; at most 32 are supported")
    idx_bits = max(int(n - 1).bit_length(), 1)
    decode: NDArray[np.uint64] | None = None
    if 2 * id_bits + idx_bits <= 64:
        key = lo << np.uint64(id_bits + idx_bits)
        key |= hi << np.uint64(idx_bits)
        pair_bits = id_bits
    else:
        # Ids too wide to share a key with the time rank: rank the pairs first (a second sort).
        decode, rank = np.unique((lo << np.uint64(32)) | hi, return_inverse=True)
        key = rank.astype(np.uint64) << np.uint64(idx_bits)
        pair_bits = 32
    key |= np.arange(n, dtype=np.uint64)
    # One packed int32 per event (group << 4 | a-initiated << 3 | channel): one gather, not three.
    attr = np.minimum(ev.group, (1 << 27) - 1) << 4
    attr |= ev.channel
    attr |= (ev.u_initiated == (ev.u < ev.v)).view(np.int8).astype(np.int32) << 3
    parts = _split(key, idx_bits, workers)

    def run(part: NDArray[np.uint64]) -> _Chunk:
        return _reduce(part, ev.t, attr, as_of, decay, channel_weights, idx_bits, pair_bits, decode)

    if len(parts) == 1:
        return run(parts[0])
    with ThreadPoolExecutor(len(parts)) as pool:
        return _concat(list(pool.map(run, parts)))


def _split(key: NDArray[np.uint64], idx_bits: int, workers: int) -> list[NDArray[np.uint64]]:
    """Split by pair-key range (never inside a pair), balanced on a sample of the keys."""
    if workers == 1 or len(key) < 200_000:
        return [key]
    sample = np.sort(key[:: max(1, len(key) // 4096)] >> np.uint64(idx_bits))
    cuts = [sample[len(sample) * i // workers] << np.uint64(idx_bits) for i in range(1, workers)]
    parts: list[NDArray[np.uint64]] = []
    rest = key
    for cut in cuts:
        below = rest < cut
        parts.append(rest[below])
        rest = rest[~below]
    parts.append(rest)
    return [p for p in parts if len(p)]


def _reduce(
    key: NDArray[np.uint64],
    t_all: F64,
    attr_all: NDArray[np.int32],
    as_of: float,
    decay: float,
    channel_weights: F64,
    idx_bits: int,
    pair_bits: int,
    decode: NDArray[np.uint64] | None,
) -> _Chunk:
    n_ch = len(CHANNELS)
    key.sort()
    m = len(key)
    idx = (key & np.uint64((1 << idx_bits) - 1)).view(np.int64)
    pk = key  # the part is ours: shift the pair key out of it in place
    pk >>= np.uint64(idx_bits)
    new = np.empty(m, dtype=np.bool_)
    new[0] = True
    np.not_equal(pk[1:], pk[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    p = len(starts)
    count = np.diff(np.append(starts, m)).astype(np.int64)
    first_keys = pk[starts]
    del pk
    if decode is not None:
        first_keys = decode[first_keys.astype(np.intp)]
    a = (first_keys >> np.uint64(pair_bits)).view(np.int64)
    b = (first_keys & np.uint64((1 << pair_bits) - 1)).view(np.int64)

    t = t_all[idx]
    attr = attr_all[idx]
    del idx
    first_t = t[starts]
    last_t = t[starts + count - 1]
    # Gaps between consecutive events of one pair; a pair's first event has none (log 1 = 0).
    gap = np.empty(m)
    gap[0] = 0.0
    np.subtract(t[1:], t[:-1], out=gap[1:])
    gap *= 1.0 / DAY
    np.maximum(gap, MIN_GAP_DAYS, out=gap)
    np.log(gap, out=gap)
    gap[starts] = 0.0
    log_gap_sum = np.add.reduceat(gap, starts)

    from_a = np.add.reduceat((attr & 8).astype(np.int64), starts) >> 3
    ch = attr & 7
    pair_of = np.cumsum(new, dtype=np.int64)
    pair_of -= 1
    pair_of *= n_ch
    pair_of += ch
    count_by_channel = np.bincount(pair_of, minlength=p * n_ch).reshape(p, n_ch)
    del pair_of
    w = (attr >> 4).astype(np.float64)
    w -= 1.0
    np.divide(1.0, w, out=w)
    intimacy = np.add.reduceat(w, starts)
    w *= channel_weights[ch]
    # ACT-R base level: ages in days plus one, as the benchmark's actr baseline counts them.
    age = gap
    np.subtract(as_of, t, out=age)
    age *= 1.0 / DAY
    age += 1.0
    if decay == 0.5:
        np.sqrt(age, out=age)
        w /= age
    else:
        np.log(age, out=age)
        age *= -decay
        np.exp(age, out=age)
        w *= age
    activation = np.add.reduceat(w, starts)
    return _Chunk(
        a, b, count, count_by_channel, from_a, first_t, last_t, log_gap_sum, intimacy, activation
    )


def _concat(chunks: list[_Chunk]) -> _Chunk:
    if len(chunks) == 1:
        return chunks[0]
    cols = {name: np.concatenate([getattr(c, name) for c in chunks]) for name in _Chunk.__slots__}
    return _Chunk(**cols)


def _empty_chunk() -> _Chunk:
    n_ch = len(CHANNELS)
    z = np.zeros(0)
    zi = np.zeros(0, np.int64)
    return _Chunk(zi, zi, zi, np.zeros((0, n_ch), np.int64), zi, z, z, z, z, z)


def _join_side(c: _Chunk, side: SideInputs, as_of: float, decay: float) -> PairFeatures:
    """Union the event pairs with every pair named by a side input, and align the side values."""
    tables = (
        side.favours,
        side.introductions,
        side.mutual_contacts,
        side.tenure_overlap_days,
        side.ratings,
        side.connections,
    )
    side_keys = [_pair_key(t.a, t.b) for t in tables]
    ev_keys = (c.a.astype(np.uint64) << np.uint64(32)) | c.b.astype(np.uint64)
    extra = np.concatenate(side_keys) if any(len(k) for k in side_keys) else np.zeros(0, np.uint64)
    keys = np.union1d(ev_keys, extra) if len(extra) else ev_keys
    p = len(keys)
    at = np.searchsorted(keys, ev_keys)

    def spread(x: _A, fill: float = 0.0) -> _A:
        if len(keys) == len(ev_keys):
            return x
        out = np.full((p, *x.shape[1:]), fill, dtype=x.dtype)
        out[at] = x
        return cast(_A, out)

    def summed(t: PairValues, k: NDArray[np.uint64]) -> F64:
        return np.bincount(np.searchsorted(keys, k), weights=t.value, minlength=p).astype(
            np.float64
        )

    def maxed(t: PairValues, k: NDArray[np.uint64], fill: float) -> F64:
        out = np.full(p, fill)
        np.fmax.at(out, np.searchsorted(keys, k), t.value)
        return out

    fav = side.favours
    fav_keys = side_keys[0]
    fav_from_a = fav.a < fav.b
    favours_from_a = np.bincount(
        np.searchsorted(keys, fav_keys[fav_from_a]), weights=fav.value[fav_from_a], minlength=p
    ).astype(np.float64)
    favours_from_b = np.bincount(
        np.searchsorted(keys, fav_keys[~fav_from_a]), weights=fav.value[~fav_from_a], minlength=p
    ).astype(np.float64)
    rating = maxed(side.ratings, side_keys[4], np.nan)
    if np.any((rating < 0) | (rating > 1)):
        raise InvalidInput("ratings must lie between 0 and 1")
    connected = np.zeros(p, dtype=np.bool_)
    connected[np.searchsorted(keys, side_keys[5])] = True
    return PairFeatures(
        as_of=as_of,
        decay=decay,
        a=(keys >> np.uint64(32)).astype(np.int64),
        b=(keys & np.uint64(0xFFFFFFFF)).astype(np.int64),
        count=spread(c.count),
        count_by_channel=spread(c.count_by_channel),
        from_a=spread(c.from_a),
        first_t=spread(c.first_t, np.nan),
        last_t=spread(c.last_t, np.nan),
        log_gap_sum=spread(c.log_gap_sum),
        intimacy=spread(c.intimacy),
        activation=spread(c.activation),
        favours_from_a=favours_from_a,
        favours_from_b=favours_from_b,
        introductions=summed(side.introductions, side_keys[1]),
        mutual_contacts=maxed(side.mutual_contacts, side_keys[2], 0.0),
        tenure_overlap_days=maxed(side.tenure_overlap_days, side_keys[3], 0.0),
        rating=rating,
        connected=connected,
    )


def _pair_key(a: I64, b: I64) -> NDArray[np.uint64]:
    if len(a) and max(int(a.max()), int(b.max())) >= 1 << 32:
        raise InvalidInput("person ids must fit in 32 bits")
    lo = np.minimum(a, b).astype(np.uint64)
    hi = np.maximum(a, b).astype(np.uint64)
    if np.any(lo == hi):
        raise InvalidInput("a side input names the same person on both sides of a pair")
    return (lo << np.uint64(32)) | hi
