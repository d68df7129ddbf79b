"""Small communities built from a plain spec, for the community tests.

A spec lists the members (handle, name, address, sharing, names shared) and, for each, the
contacts they hold: a person of a shared synthetic population (name, address, organisation,
title) and how many times they met. The tests compute what each member may see from the spec
itself, never from the pool's tables, so the oracle is independent of the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from weakties.domain.community import Sharing
from weakties.workspace.community import Community


@dataclass(frozen=True)
class Human:
    name: str
    email: str | None
    org: str | None
    title: str | None


@dataclass
class MemberSpec:
    handle: str
    name: str
    sharing: Sharing
    names: bool
    contacts: dict[int, int] = field(default_factory=dict)  # population index → meetings
    knows: list[tuple[int, int]] = field(default_factory=list)  # pairs met together

    @property
    def email(self) -> str:
        return f"{self.handle}@members.example.com"


POPULATION = [
    Human("Jane Roe", "jane@acmebank.example", "Acme Bank", "Product Manager"),
    Human("Dan Fox", "dan@acmebank.example", "Acme Bank", "Engineer"),
    Human("Sam Lee", "sam@beta.example", "Beta Ltd", "CTO"),
    Human("Ria Patel", None, "Beta Ltd", "Designer"),
    Human("Omar Haddad", "omar@gamma.example", "Gamma Labs", "Recruiter"),
    Human("Lena Berg", None, "Delta Health", "Nurse"),
    Human("Tom Quist", "tom@example.net", None, None),
    Human("Ines Costa", None, "Epsilon Energy", "Analyst"),
]


def build(community: Community, members: list[MemberSpec]) -> None:
    """Add the members and their contacts (through their own workspaces, as they would)."""
    for m in members:
        community.add_member(
            m.handle, m.name, emails=[m.email], sharing=m.sharing, share_names=m.names
        )
    for m in members:
        with community.member_workspace(m.handle) as ws:
            refs: dict[int, str] = {}
            for index in sorted(m.contacts):
                h = POPULATION[index]
                added = ws.add_person(
                    h.name,
                    emails=[h.email] if h.email else [],
                    org=h.org,
                    title=h.title,
                )
                refs[index] = f"#{added.id}"
            for index, meetings in sorted(m.contacts.items()):
                for day in range(meetings):
                    ws.log([refs[index]], when=f"2026-{1 + day % 11:02d}-{1 + day % 27:02d}")
            for x, y in m.knows:
                if x in refs and y in refs and x != y:
                    ws.log([refs[x], refs[y]], when="2026-06-15")
