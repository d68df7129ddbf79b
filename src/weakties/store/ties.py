"""The cached scores of the owner's ties, and the user's ratings and fitted weights."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from weakties.store import schema as s

FINGERPRINT_KEY = "ties_fingerprint"
WEIGHTS_KEY = "strength_weights"
FIT_KEY = "strength_fit"
CALIBRATION_KEY = "calibration"
"""``off`` when the user turned self-calibration off; absent: on."""


def get_setting(conn: Connection, key: str) -> str | None:
    value = conn.execute(select(s.setting.c.value).where(s.setting.c.key == key)).scalar()
    return None if value is None else str(value)


def put_setting(conn: Connection, key: str, value: str | None) -> None:
    conn.execute(delete(s.setting).where(s.setting.c.key == key))
    if value is not None:
        conn.execute(insert(s.setting).values(key=key, value=value))


def write_ties(
    conn: Connection, person_ids: Sequence[int], strength: Sequence[float], category: Sequence[str]
) -> None:
    """Replace the cache with these scores."""
    conn.execute(delete(s.tie))
    now = datetime.now(UTC)
    rows = [
        {"person_id": int(p), "strength": float(v), "category": str(c), "computed_at": now}
        for p, v, c in zip(person_ids, strength, category, strict=True)
    ]
    for start in range(0, len(rows), 20_000):
        conn.execute(insert(s.tie), rows[start : start + 20_000])


def read_ties(conn: Connection) -> dict[int, tuple[float, str]]:
    return {
        int(p): (float(v), str(c))
        for p, v, c in conn.execute(select(s.tie.c.person_id, s.tie.c.strength, s.tie.c.category))
    }


def set_rating(conn: Connection, person_id: int, value: float) -> None:
    conn.execute(delete(s.rating).where(s.rating.c.person_id == person_id))
    conn.execute(
        insert(s.rating).values(person_id=person_id, value=value, rated_at=datetime.now(UTC))
    )


def ratings(conn: Connection) -> dict[int, float]:
    return {
        int(p): float(v) for p, v in conn.execute(select(s.rating.c.person_id, s.rating.c.value))
    }


def clear_ratings(conn: Connection) -> int:
    return int(conn.execute(delete(s.rating)).rowcount or 0)


def load_weights(conn: Connection) -> dict[str, Any] | None:
    text = get_setting(conn, WEIGHTS_KEY)
    return None if text is None else dict(json.loads(text))


def fingerprint(conn: Connection) -> str:
    """Changes whenever anything the models read changes (cheap: counts and maxima, one query)."""

    def stats(table: Any, *extra: Any) -> list[Any]:
        return [select(func.count()).select_from(table).scalar_subquery()] + [
            select(func.max(column)).scalar_subquery() for column in extra
        ]

    columns = [
        *stats(s.person, s.person.c.updated_at),
        *stats(s.interaction, s.interaction.c.id),
        *stats(s.participant),
        *stats(s.favor, s.favor.c.id),
        *stats(s.introduction, s.introduction.c.id),
        *stats(s.affiliation, s.affiliation.c.id),
        *stats(s.knows, s.knows.c.id),
        *stats(s.rating, s.rating.c.rated_at),
        select(func.count())
        .select_from(s.merge)
        .where(s.merge.c.undone_at.is_(None))
        .scalar_subquery(),
    ]
    row = conn.execute(select(*columns)).one()
    return ",".join(str(v) for v in row)
