"""What one member may read of the pool: the only way member queries see other members' data.

Every read a member's query makes of the pool goes through a :class:`MemberView`, whose
selectables apply the contributors' sharing levels in SQL (DESIGN §5: the store enforces
consent, so no interface can forget a filter):

- a contributor's rows are visible to others only when their level is not ``none``;
- their contacts' organisation, organisation key, title, strength and category only at
  ``full``; their contacts' names only at ``full`` with names shared;
- their arcs' probabilities only at ``full``: at ``exists`` every arc of theirs carries the
  same neutral probability (``neutral_hop``, the willingness model's value at
  :data:`weakties.domain.community.ANONYMOUS_STRENGTH`), so a path's value cannot reveal how
  strong their ties are.

The viewer always sees their own contribution whole. Pooled people's digests are never
readable through a view.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, literal, null, or_, select, true
from sqlalchemy.sql import ColumnElement, Select

from weakties.store import schema as s


@dataclass(frozen=True, slots=True)
class MemberView:
    """The pool as the member ``viewer`` (a member id) may read it."""

    viewer: int
    neutral_hop: float

    def _own(self, column: ColumnElement[int]) -> ColumnElement[bool]:
        return column == self.viewer

    def contacts(
        self,
    ) -> Select[
        tuple[int, int, str | None, str | None, str | None, str | None, float | None, str | None]
    ]:
        """Pooled contact rows: (member_id, pool_person_id, name, org, org_key, title,
        strength, category), masked by each contributor's sharing level."""
        pc, m = s.pool_contact, s.member
        own = self._own(pc.c.member_id)
        full = or_(own, m.c.sharing == "full")
        named = or_(own, and_(m.c.sharing == "full", m.c.share_names == true()))

        def shown(
            column: ColumnElement[object], when: ColumnElement[bool]
        ) -> ColumnElement[object]:
            return case((when, column), else_=null())

        return (
            select(
                pc.c.member_id,
                pc.c.pool_person_id,
                shown(pc.c.name, named).label("name"),
                shown(pc.c.org, full).label("org"),
                shown(pc.c.org_key, full).label("org_key"),
                shown(pc.c.title, full).label("title"),
                shown(pc.c.strength, full).label("strength"),
                shown(pc.c.category, full).label("category"),
            )
            .join(m, m.c.id == pc.c.member_id)
            .where(or_(own, m.c.sharing != "none"))
        )

    def arcs(self) -> Select[tuple[int, int, int, str, float, float]]:
        """Pooled arcs: (member_id, a_id, b_id, kind, p_ab, p_ba), probabilities neutral for
        contributors who share that ties exist but not how strong they are."""
        pa, m = s.pool_arc, s.member
        own = self._own(pa.c.member_id)
        full = or_(own, m.c.sharing == "full")
        neutral = literal(self.neutral_hop)
        return (
            select(
                pa.c.member_id,
                pa.c.a_id,
                pa.c.b_id,
                pa.c.kind,
                case((full, pa.c.p_ab), else_=neutral).label("p_ab"),
                case((full, pa.c.p_ba), else_=neutral).label("p_ba"),
            )
            .join(m, m.c.id == pa.c.member_id)
            .where(or_(own, m.c.sharing != "none"))
        )

    def own_arcs(self) -> Select[tuple[int, int, int, str, float, float]]:
        """The viewer's own arcs only: their network from their own data."""
        pa = s.pool_arc
        return select(pa.c.member_id, pa.c.a_id, pa.c.b_id, pa.c.kind, pa.c.p_ab, pa.c.p_ba).where(
            pa.c.member_id == self.viewer
        )
