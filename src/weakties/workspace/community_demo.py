"""The community demo: a synthetic alumni network built the way its members would build it.

:func:`build_community_demo` grows an alumni community (:mod:`weakties.synth.alumni`), adds each
member, writes each member's exports and imports them through the member's own workspace (the
importers, as a user would), so that everything the pool holds came from files. Then
:func:`community_tour` plays the story: the story's member has no way into Acme Bank from their
own data, the pooled graph has one through another member, they ask that member, the ask waits
in the broker's inbox, and the broker accepts.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from weakties.domain.community import Ask, AskStatus
from weakties.synth.alumni import Alumni, build_alumni, write_member_exports
from weakties.workspace.community import Community
from weakties.workspace.pooled import CommunityPaths, CommunityReach


@dataclass(frozen=True, slots=True)
class CommunityDemo:
    alumni: Alumni
    members: int
    files: int
    seconds: float


@dataclass(frozen=True, slots=True)
class CommunityTour:
    member: str
    broker: str
    pooled: CommunityPaths
    reach: CommunityReach
    ask: Ask
    inbox: tuple[Ask, ...]  # the broker's inbox right after the ask
    answered: Ask


def build_community_demo(
    community: Community,
    *,
    members: int = 40,
    contacts: int = 120,
    seed: int = 7,
    on_member: Callable[[int, str], None] | None = None,
) -> CommunityDemo:
    """Make ``community`` the demo alumni network (it must have no members yet)."""
    started = time.perf_counter()
    alumni = build_alumni(members, contacts, seed)
    community.init(alumni.name)
    files = 0
    with tempfile.TemporaryDirectory(prefix="weakties-alumni-") as folder:
        for i, m in enumerate(alumni.members):
            person = alumni.people[m.person]
            community.add_member(
                m.handle,
                person.name,
                emails=[person.email],
                sharing=m.sharing,
                share_names=m.share_names,
            )
            exports = write_member_exports(alumni, m, Path(folder) / m.handle)
            with community.member_workspace(m.handle) as ws:
                for path in exports:
                    ws.import_path(path, me=[person.email])
                    files += 1
            if on_member is not None:
                on_member(i, m.handle)
    return CommunityDemo(alumni, len(alumni.members), files, time.perf_counter() - started)


def community_tour(community: Community, alumni: Alumni) -> CommunityTour:
    """The story, step by step, as the story's member and the broker see it."""
    story = alumni.story
    pooled = community.paths(story.member, "org", story.target_org, k=5)
    reach = community.reach(story.member)
    ask = community.ask(story.member, story.broker, "org", story.target_org)
    inbox = tuple(community.asks(story.broker)[0])
    answered = community.answer(story.broker, ask.id, AskStatus.ACCEPTED, "Happy to introduce you.")
    return CommunityTour(
        member=story.member,
        broker=story.broker,
        pooled=pooled,
        reach=reach,
        ask=ask,
        inbox=inbox,
        answered=answered,
    )
