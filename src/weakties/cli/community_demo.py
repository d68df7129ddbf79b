"""``weakties demo --community``: a synthetic alumni network, each member's exports imported.

Builds the community in ``--db`` (a SQLite file, ``weakties-community-demo.db`` by default,
replaced only if it is an earlier community demo; or a PostgreSQL URL to an empty database),
then tours the story: who in the community can reach Acme Bank for the story's member, how much
larger their reachable world is than their own, and an ask through a member that the broker
accepts.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from weakties.cli.output import console
from weakties.errors import StoreError

DEMO_FILE = "weakties-community-demo.db"
MARK = "community_demo"


def _fresh(db: str | None) -> str:
    if db and "://" in db:
        return db
    path = Path(db or DEMO_FILE).expanduser().resolve()
    if path.exists():
        from weakties.workspace.community import Community

        try:
            with Community.open(str(path), create=False) as old:
                ours = old.setting(MARK) is not None
        except StoreError:
            ours = False
        if not ours:
            raise StoreError(
                f"{path} exists and is not a community demo; refusing to overwrite it",
                hint="pass --db with a new file name",
            )
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.rmtree(path.with_name(path.name + ".members"), ignore_errors=True)
    return f"sqlite:///{path}"


def run_community_demo(db: str | None, seed: int, members: int, contacts: int) -> None:
    from rich.markup import escape

    from weakties.cli.paths import print_path
    from weakties.errors import Conflict
    from weakties.workspace.community import Community
    from weakties.workspace.community_demo import build_community_demo, community_tour

    out = console()
    url = _fresh(db)
    started = time.perf_counter()
    out.print(
        f"[bold]weakties demo --community[/bold] — a synthetic alumni network of {members} "
        f"members (seed {seed})\n"
    )
    with Community.open(url) as c:
        if c.setting("community_name") and not c.setting(MARK):
            raise Conflict("that database is already a community", hint="give --db an empty one")
        c.set_setting(MARK, str(seed))
        with out.status("adding members and importing their exports…") as status:
            demo = build_community_demo(
                c,
                members=members,
                contacts=contacts,
                seed=seed,
                on_member=lambda i, h: status.update(f"member {i + 1}/{members}: {h} imported"),
            )
        counts = c.row_counts()
        out.print(
            f"{demo.members} members imported {demo.files} export files in {demo.seconds:.1f} s: "
            f"{counts['pool_person']} people in the pool, {counts['pool_contact']} member ties, "
            f"{counts['pool_arc']} introduction arcs"
        )
        levels = {
            lvl: sum(1 for m in c.members() if m.sharing.value == lvl)
            for lvl in ("none", "exists", "full")
        }
        out.print("sharing: " + ", ".join(f"{n} {lvl}" for lvl, n in levels.items()) + "\n")
        tour = community_tour(c, demo.alumni)
        me, broker = c.member(tour.member), c.member(tour.broker)
        p = tour.pooled
        out.print(
            f"[bold]1. {escape(me.name)} wants a way into {escape(demo.alumni.story.target_org)}[/bold]"
        )
        out.print(
            f"   from their own data: {p.reachable_own} of {p.targets} people there within 3 hops; "
            f"with the community: {p.reachable_pooled}\n"
        )
        for rank, found in enumerate(p.paths[:3], 1):
            print_path(rank, found)
        r = tour.reach
        out.print(
            f"\n[bold]2. How much larger the world is[/bold]: within 3 hops {r.people_own} people at "
            f"{r.orgs_own} organisations from {escape(me.name)}'s own data, {r.people_pooled} "
            f"people at {r.orgs_pooled} organisations with the community"
        )
        out.print(f"\n[bold]3. An ask through {escape(broker.name)}[/bold] (double opt-in)")
        out.print(f"   {escape(me.name)} asks: {escape(tour.ask.target)}")
        out.print(f"   [dim]{escape(tour.ask.message)}[/dim]", soft_wrap=True)
        waiting = [a for a in tour.inbox if a.id == tour.ask.id]
        if waiting:
            out.print(
                f"   in {escape(broker.name)}'s inbox: from {waiting[0].requester}, through their "
                f"contact {escape(waiting[0].via or '?')} — nobody is contacted before their yes"
            )
        out.print(
            f"   {escape(broker.name)} {tour.answered.status.value}: {escape(tour.answered.reply or '')}"
        )
        out.print(
            f"\n[dim]{time.perf_counter() - started:.1f} s in all. Try: weakties --db {escape(url)} "
            f"--member {tour.member} path --org 'Acme Bank'[/dim]",
            soft_wrap=True,
        )
