"""The demo workspace, built the way a user builds theirs: exports imported, the rest typed.

:func:`build_demo_workspace` writes a synthetic :class:`~weakties.synth.world.World` as the
export files its owner would have (:mod:`weakties.synth.exports`), imports them all, then
replays through this workspace what the owner would type by hand: favours given and received,
introductions, goals (theirs and their contacts' asks), past opportunities, and the job ad
that starts the story. People are named the way a user names them (an address they have, a
phone number, a profile URL, or the name), never by the world's ids, so everything the exports
and the typing do not carry (the careers and friendships of people beyond the owner's own
data) is missing, as it is for a real user. ``weakties demo`` and the story test share it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from weakties.domain.goals import GoalStatus, GoalTagKind, OpportunityStatus
from weakties.domain.identities import IdentityKind
from weakties.domain.names import fold_name
from weakties.domain.people import AffiliationKind
from weakties.errors import Ambiguous, NotFound
from weakties.synth.exports import ExportSet, write_exports

if TYPE_CHECKING:
    from weakties.synth.world import World
    from weakties.workspace import Workspace


@dataclass(frozen=True, slots=True)
class ImportedFile:
    """What importing one export file did."""

    importer: str
    name: str
    records: int
    seconds: float
    created: int  # new people
    merged: int  # records joined to an existing person on sight
    queued: int  # uncertain matches left for `weakties merges`
    skipped: int


@dataclass(frozen=True, slots=True)
class DemoBuild:
    """How the demo workspace was built, and the story's people and records in it."""

    exports: ExportSet
    imports: tuple[ImportedFile, ...]
    typed: dict[str, int]  # recorded by hand: organisations, favours, introductions, goals, …
    added_by_hand: int  # people named in the ledger that no export carried
    helped: int  # workspace id of the person helped years ago (found by their address)
    hiring_manager: int  # workspace id of the hiring manager (found by the job ad's address)
    ad_email: str  # the address the job ad gives
    goal: int  # the owner's open goal
    lead: int  # the opportunity recorded from the job ad

    @property
    def merged(self) -> int:
        return sum(f.merged for f in self.imports)

    @property
    def queued(self) -> int:
        return sum(f.queued for f in self.imports)


def build_demo_workspace(
    ws: Workspace,
    world: World,
    folder: Path,
    *,
    seed: int,
    progress: Callable[[str], None] | None = None,
) -> DemoBuild:
    """Fill the empty workspace ``ws`` from ``world``'s exports (written to ``folder``) and typing."""
    say = progress or (lambda _: None)
    owner = world.people[0]
    ws.init(owner.name, [i.value for i in owner.identities if i.kind is IdentityKind.EMAIL])
    say("writing the export files…")
    exports = write_exports(world, folder, seed=seed)
    orgs = _target_orgs(ws, world, exports)
    today = world.now.date().isoformat()
    done: list[ImportedFile] = []
    for f in exports.files:
        say(f"importing {f.path.name}…")
        started = time.perf_counter()
        report = ws.import_path(f.path, fmt=f.importer, me=f.me, today=today)
        c = report.counts
        done.append(
            ImportedFile(
                f.importer,
                f.path.name,
                report.records,
                time.perf_counter() - started,
                c.get("people.created", 0),
                c.get("merged.automatically", 0),
                c.get("merged.queued for review", 0),
                sum(v for k, v in c.items() if k.startswith("skipped.")),
            )
        )
    say("recording what you would type by hand…")
    return _type_by_hand(ws, world, exports, tuple(done), orgs)


def _target_orgs(ws: Workspace, world: World, exports: ExportSet) -> int:
    """The organisations of the goal's industry that the owner knows, typed in before importing.

    No export says what industry a company is in, so a user with an industry goal lists the
    companies they know in it (`weakties add org NAME --industry fintech`): those where someone
    in their exports works, and the one whose job ad they read. Imports then join people to them
    by name. Returns how many were added.
    """
    story = world.story
    industries = {t.value for t in world.goals[story.goal].tags if t.kind is GoalTagKind.INDUSTRY}
    described = {t.person for t in exports.truth}
    known = {story.target_org} | {
        a.org_id
        for a in world.affiliations
        if a.person_id in described and a.end is None and a.kind is AffiliationKind.EMPLOYMENT
    }
    added = 0
    for k in sorted(known):
        org = world.orgs[k]
        if org.industry in industries:
            ws.add_org(org.name, kind=org.kind, industry=org.industry, location=org.location)
            added += 1
    return added


class _Names:
    """World people → workspace people, through what the owner knows of them."""

    def __init__(self, ws: Workspace, world: World) -> None:
        self.ws, self.world = ws, world
        self.found: dict[int, int] = {0: int(ws.me().id or 0)}
        self.added = 0

    def __call__(self, p: int) -> str:
        """A reference the workspace resolves to world person ``p``; adds them if need be."""
        if p not in self.found:
            self.found[p] = self._find(p)
        return f"#{self.found[p]}"

    def _find(self, p: int) -> int:
        person = self.world.people[p]
        # an address or number the owner has for them, then the name they would type
        for ident in person.identities:
            try:
                return self.ws.resolve(ident.value)
            except NotFound:
                continue
        try:
            pid = self.ws.resolve(person.name)
        except (NotFound, Ambiguous):
            pid = None
        # a fuzzy match to someone else is what the owner would notice and refuse
        known = {fold_name(n) for n in (person.name, *person.aliases)}
        if pid is not None and fold_name(self.ws.person(pid).name) in known:
            return pid
        # nobody in the exports: the owner adds them, as `weakties add person` would
        emails = [i.value for i in person.identities if i.kind is IdentityKind.EMAIL][:1]
        self.added += 1
        return int(self.ws.add_person(person.name, emails=emails).id or 0)


def _type_by_hand(
    ws: Workspace,
    world: World,
    exports: ExportSet,
    imports: tuple[ImportedFile, ...],
    orgs: int,
) -> DemoBuild:
    names = _Names(ws, world)
    typed: Counter[str] = Counter({"organisations": orgs})
    for k, fav in enumerate(world.favors):
        # the owner keeps their own ledger; LinkedIn's recommendations came with its export
        if 0 not in (fav.giver_id, fav.receiver_id) or k in exports.favours:
            continue
        other = fav.receiver_id if fav.giver_id == 0 else fav.giver_id
        when = fav.when.iso() if fav.when else None
        ws.helped(names(other), fav.what, when=when, size=fav.size, by_them=fav.giver_id != 0)
        typed["favours"] += 1
    for x in world.introductions:
        ws.intro(
            names(x.a_id),
            names(x.b_id),
            by=None if x.introducer_id in (None, 0) else names(x.introducer_id),
            when=x.when.iso() if x.when else None,
            outcome=x.outcome,
            note=x.note,
        )
        typed["introductions"] += 1
    goal_ids: dict[int, int] = {}
    for k, g in enumerate(world.goals):
        tags = [f"{t.kind.value}:{t.value}" for t in g.tags]
        made = ws.add_goal(
            g.text, tags=tags, for_person=None if g.owner_id == 0 else names(g.owner_id)
        )
        goal_ids[k] = int(made.id or 0)
        if g.status is not GoalStatus.OPEN:
            ws.set_goal_status(goal_ids[k], g.status, when=g.closed.iso() if g.closed else None)
        typed["goals"] += 1
    for o in world.opportunities:
        made_opp = ws.add_opportunity(
            o.title,
            org=world.orgs[o.org_id].name if o.org_id is not None else None,
            via=[names(p) for p in o.chain],
            opened=o.opened.iso() if o.opened else None,
            goal_id=goal_ids.get(o.goal_id) if o.goal_id is not None else None,
            note=o.note,
        )
        if o.status is not OpportunityStatus.LEAD:
            ws.update_opportunity(
                int(made_opp.id or 0),
                status=o.status,
                when=o.closed.iso() if o.closed else None,
            )
        typed["opportunities"] += 1
    # the story: the owner reads the job ad, which names the hiring manager and their address
    story = world.story
    manager = world.people[story.hiring_manager]
    ad_email = next(i.value for i in manager.identities if i.kind is IdentityKind.EMAIL)
    target = world.orgs[story.target_org].name
    title = next(
        a.title
        for a in world.affiliations
        if a.person_id == story.hiring_manager and a.org_id == story.target_org and a.end is None
    )
    # the owner looks the name up (their address book has it) and adds what the ad says
    manager_id = int(names(story.hiring_manager).lstrip("#"))
    ws.edit_person(f"#{manager_id}", add_emails=[ad_email], org=target, title=title)
    helped = world.people[story.helped]
    helped_id = ws.resolve(next(i.value for i in helped.identities if i.kind is IdentityKind.EMAIL))
    lead = ws.add_opportunity(
        story.role,
        org=target,
        via=[ad_email],
        goal_id=goal_ids[story.goal],
        note=f"job ad; hiring manager {manager.name}, {ad_email}",
    )
    typed["opportunities"] += 1
    return DemoBuild(
        exports=exports,
        imports=imports,
        typed=dict(typed),
        added_by_hand=names.added,
        helped=helped_id,
        hiring_manager=manager_id,
        ad_email=ad_email,
        goal=goal_ids[story.goal],
        lead=int(lead.id or 0),
    )
