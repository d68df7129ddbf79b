"""The raw facts the models read, as numpy columns, in a few queries.

Scoring never walks the ORM: it asks the store for columns (participants with times and
channels, favours, introductions, affiliations, knows entries, ratings) and hands them to the
analysis layer, which is the same code whatever the engine. Merged-away records are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.engine import Connection

from weakties.domain.dates import PartialDate
from weakties.domain.ledger import Channel, FavorSize
from weakties.store import schema as s
from weakties.store.people import visible
from weakties.store.ties import fingerprint

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
CHANNEL_CODE = {c.value: i for i, c in enumerate(Channel)}
INITIATOR_ROLES = ("from", "organizer")
NO_CONVERSATION_KINDS = ("connection", "follow")


@dataclass(frozen=True, slots=True)
class Facts:
    """Every fact the tie and knows models need, as aligned columns."""

    me: int | None
    people: I64
    do_not_ask: I64
    # participants of interactions that were conversations (one row per person per interaction)
    p_interaction: I64
    p_person: I64
    p_initiator: NDArray[np.bool_]
    p_time: F64
    p_channel: NDArray[np.int8]
    # social links with no conversation (a LinkedIn connection, a follow)
    link_a: I64
    link_b: I64
    link_time: F64
    favour_giver: I64
    favour_receiver: I64
    favour_weight: F64
    favour_time: F64
    intro_by: I64  # -1 when unknown
    intro_a: I64
    intro_b: I64
    intro_time: F64
    aff_person: I64
    aff_org: I64
    aff_start: F64  # NaN when unknown
    aff_end: F64  # NaN while current
    knows_a: I64
    knows_b: I64
    rating_person: I64
    rating_value: F64
    fingerprint: str


def _ts(value: Any) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return float(value.timestamp())


def _pdate_ts(text: str | None, *, end: bool = False) -> float:
    if not text:
        return float("nan")
    pd = PartialDate.from_iso(text)
    day = pd.last_day() if end else pd.first_day()
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def load_facts(conn: Connection) -> Facts:
    """Read every fact the models use (visible people only)."""
    from weakties.store.people import me_id

    people = np.array(
        sorted(conn.execute(select(s.person.c.id).where(visible)).scalars()), dtype=np.int64
    )
    alive = visible
    dna = np.array(
        list(
            conn.execute(
                select(s.person.c.id).where(alive, s.person.c.do_not_ask.is_(True))
            ).scalars()
        ),
        dtype=np.int64,
    )
    rows = conn.execute(
        select(
            s.participant.c.interaction_id,
            s.participant.c.person_id,
            s.participant.c.role,
            s.interaction.c.occurred_at,
            s.interaction.c.channel,
            s.interaction.c.kind,
        )
        .select_from(
            s.participant.join(s.interaction).join(
                s.person, s.person.c.id == s.participant.c.person_id
            )
        )
        .where(alive)
        .order_by(s.participant.c.interaction_id, s.participant.c.person_id)
    ).all()
    conv = [r for r in rows if r[5] not in NO_CONVERSATION_KINDS]
    links = [r for r in rows if r[5] in NO_CONVERSATION_KINDS]
    # one row per (interaction, person): a person with two roles initiates if either role does
    merged: dict[tuple[int, int], list[Any]] = {}
    for iid, pid, role, at, channel, _kind in conv:
        key = (iid, pid)
        entry = merged.get(key)
        if entry is None:
            merged[key] = [iid, pid, role in INITIATOR_ROLES, _ts(at), CHANNEL_CODE[channel]]
        elif role in INITIATOR_ROLES:
            entry[2] = True
    cols: list[tuple[Any, ...]] = (
        list(zip(*merged.values(), strict=True)) if merged else [(), (), (), (), ()]
    )
    link_by: dict[int, list[tuple[int, float]]] = {}
    for iid, pid, _role, at, _channel, _kind in links:
        link_by.setdefault(iid, []).append((pid, _ts(at)))
    la, lb, lt = [], [], []
    for members in link_by.values():
        ids = sorted({m[0] for m in members})
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                la.append(a)
                lb.append(b)
                lt.append(members[0][1])
    fav = conn.execute(
        select(s.favor.c.giver_id, s.favor.c.receiver_id, s.favor.c.size, s.favor.c.happened)
    ).all()
    intro = conn.execute(
        select(
            s.introduction.c.introducer_id,
            s.introduction.c.a_id,
            s.introduction.c.b_id,
            s.introduction.c.happened,
        )
    ).all()
    aff = conn.execute(
        select(
            s.affiliation.c.person_id,
            s.affiliation.c.org_id,
            s.affiliation.c.start,
            s.affiliation.c.end,
        )
    ).all()
    knows = conn.execute(select(s.knows.c.a_id, s.knows.c.b_id)).all()
    ratings = conn.execute(select(s.rating.c.person_id, s.rating.c.value)).all()

    def ints(values: Any) -> I64:
        return np.asarray(list(values), dtype=np.int64)

    def floats(values: Any) -> F64:
        return np.asarray(list(values), dtype=np.float64)

    return Facts(
        me=me_id(conn),
        people=people,
        do_not_ask=dna,
        p_interaction=ints(cols[0]),
        p_person=ints(cols[1]),
        p_initiator=np.asarray(list(cols[2]), dtype=np.bool_),
        p_time=floats(cols[3]),
        p_channel=np.asarray(list(cols[4]), dtype=np.int8),
        link_a=ints(la),
        link_b=ints(lb),
        link_time=floats(lt),
        favour_giver=ints(r[0] for r in fav),
        favour_receiver=ints(r[1] for r in fav),
        favour_weight=floats(FavorSize(r[2]).weight for r in fav),
        favour_time=floats(_pdate_ts(r[3]) for r in fav),
        intro_by=ints(-1 if r[0] is None else r[0] for r in intro),
        intro_a=ints(r[1] for r in intro),
        intro_b=ints(r[2] for r in intro),
        intro_time=floats(_pdate_ts(r[3]) for r in intro),
        aff_person=ints(r[0] for r in aff),
        aff_org=ints(r[1] for r in aff),
        aff_start=floats(_pdate_ts(r[2]) for r in aff),
        aff_end=floats(_pdate_ts(r[3], end=True) for r in aff),
        knows_a=ints(r[0] for r in knows),
        knows_b=ints(r[1] for r in knows),
        rating_person=ints(r[0] for r in ratings),
        rating_value=floats(r[1] for r in ratings),
        fingerprint=fingerprint(conn),
    )
