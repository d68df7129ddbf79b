"""Pairwise interaction events as aligned numpy arrays, and the ways to build them.

The store expands every interaction into pairs of participants; the analysis layer only ever
sees these arrays, which keeps the scoring code identical for SQLite, PostgreSQL and Spark.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from weakties.domain.ledger import Channel
from weakties.errors import InvalidInput

CHANNELS: tuple[Channel, ...] = tuple(Channel)
"""Channel codes are positions in this tuple (the declaration order of ``Channel``)."""

DEFAULT_MAX_CLIQUE = 50
"""Above this many participants only initiator pairs are kept: a 1,000-person list is not
500,000 acquaintanceships, and expanding it would swamp every other signal."""


def channel_code(channel: Channel) -> int:
    """The int8 code of ``channel`` used in :class:`EventArrays`."""
    return CHANNELS.index(channel)


@dataclass(frozen=True, slots=True)
class EventArrays:
    """Pairwise events: ``u`` and ``v`` met at ``t`` over ``channel`` in a group of ``group``."""

    u: NDArray[np.int64]
    v: NDArray[np.int64]
    t: NDArray[np.float64]
    channel: NDArray[np.int8]
    group: NDArray[np.int32]
    u_initiated: NDArray[np.bool_]

    def __post_init__(self) -> None:
        n = len(self.u)
        for name in ("v", "t", "channel", "group", "u_initiated"):
            if len(getattr(self, name)) != n:
                raise InvalidInput(
                    f"event column {name!r} has {len(getattr(self, name))} rows, u has {n}"
                )
        if n and (int(self.u.min()) < 0 or int(self.v.min()) < 0):
            raise InvalidInput("person ids in events must be non-negative")
        if n and not np.all(np.isfinite(self.t)):
            raise InvalidInput("event times must be finite unix seconds")
        if n and (int(self.channel.min()) < 0 or int(self.channel.max()) >= len(CHANNELS)):
            raise InvalidInput(f"channel codes must lie in 0..{len(CHANNELS) - 1}")
        if n and int(self.group.min()) < 2:
            raise InvalidInput("group size must be at least 2 (two people met)")

    def __len__(self) -> int:
        return len(self.u)

    @classmethod
    def from_columns(
        cls,
        u: NDArray[np.integer] | list[int],
        v: NDArray[np.integer] | list[int],
        t: NDArray[np.floating] | NDArray[np.integer] | list[float],
        *,
        channel: NDArray[np.integer] | Channel = Channel.MESSAGE,
        group: NDArray[np.integer] | int = 2,
        u_initiated: NDArray[np.bool_] | bool = True,
    ) -> EventArrays:
        """Events from columns, filling the optional ones with one value for every row."""
        uu = np.ascontiguousarray(u, dtype=np.int64)
        n = len(uu)
        ch = (
            np.full(n, channel_code(channel), dtype=np.int8)
            if isinstance(channel, Channel)
            else np.ascontiguousarray(channel, dtype=np.int8)
        )
        gr = (
            np.full(n, group, dtype=np.int32)
            if isinstance(group, int)
            else np.ascontiguousarray(group, dtype=np.int32)
        )
        ui = (
            np.full(n, u_initiated, dtype=np.bool_)
            if isinstance(u_initiated, bool)
            else np.ascontiguousarray(u_initiated, dtype=np.bool_)
        )
        return cls(
            uu,
            np.ascontiguousarray(v, dtype=np.int64),
            np.ascontiguousarray(t, dtype=np.float64),
            ch,
            gr,
            ui,
        )

    def select(self, mask: NDArray[np.bool_] | NDArray[np.intp]) -> EventArrays:
        """The events picked by a boolean mask or an index array, in that order."""
        return EventArrays(
            self.u[mask],
            self.v[mask],
            self.t[mask],
            self.channel[mask],
            self.group[mask],
            self.u_initiated[mask],
        )

    def swapped(self) -> EventArrays:
        """The same events with ``u`` and ``v`` exchanged (and the initiator flag with them)."""
        return EventArrays(self.v, self.u, self.t, self.channel, self.group, ~self.u_initiated)


def expand_interactions(
    interaction_id: NDArray[np.integer],
    person_id: NDArray[np.integer],
    is_initiator: NDArray[np.bool_],
    t: NDArray[np.floating],
    channel: NDArray[np.integer],
    *,
    max_clique: int = DEFAULT_MAX_CLIQUE,
) -> EventArrays:
    """Expand participant rows into pairwise events, one per pair of people in an interaction.

    Rows give ``(interaction_id, person_id, is_initiator)`` with the interaction's time and
    channel repeated on each row. A pair's ``u`` is its initiator when there is one. Groups larger
    than ``max_clique`` keep only the initiator's pairs (see :data:`DEFAULT_MAX_CLIQUE`).
    """
    iid = np.asarray(interaction_id, dtype=np.int64)
    pid = np.asarray(person_id, dtype=np.int64)
    ini = np.asarray(is_initiator, dtype=np.bool_)
    tt = np.asarray(t, dtype=np.float64)
    ch = np.asarray(channel, dtype=np.int8)
    n = len(iid)
    if not (len(pid) == len(ini) == len(tt) == len(ch) == n):
        raise InvalidInput("participant columns have different lengths")
    # Initiators first inside each interaction, so a pair's first member is the initiator.
    order = np.lexsort((pid, ~ini, iid))
    iid, pid, ini, tt, ch = iid[order], pid[order], ini[order], tt[order], ch[order]
    if n == 0:
        return EventArrays.from_columns([], [], [])
    starts = np.flatnonzero(np.r_[True, iid[1:] != iid[:-1]])
    sizes = np.diff(np.r_[starts, n])
    size_of_row = np.repeat(sizes, sizes)
    pos = np.arange(n) - np.repeat(starts, sizes)
    # Each row pairs with the rows after it in its interaction; big groups only from the head.
    partners = size_of_row - 1 - pos
    big = size_of_row > max_clique
    partners[big] = np.where(pos[big] == 0, np.where(ini[big], partners[big], 0), 0)
    first = np.repeat(np.arange(n), partners)
    block_start = np.repeat(np.cumsum(partners) - partners, partners)
    second = first + 1 + (np.arange(len(first)) - block_start)
    keep = pid[first] != pid[second]
    first, second = first[keep], second[keep]
    return EventArrays(
        pid[first],
        pid[second],
        tt[first],
        ch[first],
        np.minimum(size_of_row[first], np.iinfo(np.int32).max).astype(np.int32),
        ini[first] & ~ini[second],
    )


def load_snap_events(path: str | Path, *, channel: Channel = Channel.MESSAGE) -> EventArrays:
    """Read a SNAP temporal edge list: one ``SRC DST UNIX_SECONDS`` line per message.

    ``SRC`` sent to ``DST``; lines starting with ``#`` or ``%`` are comments. Bad lines raise
    :class:`InvalidInput` naming the file and line.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{p}: cannot read events ({exc})") from exc
    rows: list[str] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if not s or s[0] in "#%":
            continue
        parts = s.split()
        if (
            len(parts) != 3
            or not all(_is_int(x) for x in parts)
            or parts[0][0] == "-"
            or parts[1][0] == "-"
        ):
            raise InvalidInput(f"{p}:{lineno}: expected 'SRC DST UNIX_SECONDS', got {s[:60]!r}")
        rows.append(s)
    if not rows:
        return EventArrays.from_columns([], [], [], channel=channel)
    data = np.array(" ".join(rows).split(), dtype=np.int64).reshape(-1, 3)
    return EventArrays.from_columns(
        data[:, 0], data[:, 1], data[:, 2].astype(np.float64), channel=channel
    )


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()
