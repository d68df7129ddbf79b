"""``weakties demo``: build the synthetic world into a fresh workspace and tour it."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from weakties.cli.output import ago, console
from weakties.errors import StoreError

DEMO_FILE = "weakties-demo.db"
DEMO_MARK = "demo_seed"


def _fresh_path(db: str | None) -> Path:
    """The demo database path; an existing file is replaced only if it is an earlier demo."""
    path = Path(db or DEMO_FILE).expanduser().resolve()
    if path.exists():
        from weakties.workspace import Workspace

        try:
            with Workspace.open(str(path), create=False) as old:
                is_demo = old.setting(DEMO_MARK) is not None
        except StoreError:
            is_demo = False
        if not is_demo:
            raise StoreError(
                f"{path} exists and is not a weakties demo; refusing to overwrite it",
                hint="pass --db with a new file name",
            )
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def run_demo(db: str | None, seed: int) -> None:
    from weakties.synth.world import build_world
    from weakties.workspace import Workspace

    out = console()
    started = time.perf_counter()
    path = _fresh_path(db)
    out.print(f"[bold]weakties demo[/bold] — a synthetic professional world (seed {seed})\n")
    with out.status("building the world…"):
        world = build_world(seed)
    built = time.perf_counter()
    with out.status("loading it into a fresh workspace…"), Workspace.open(str(path)) as ws:
        ids = ws.load_world(world)
        ws.set_setting(DEMO_MARK, str(seed))
        stats = ws.stats()
        activity = ws.contact_activity(now=world.now)
    loaded = time.perf_counter()
    out.print(
        f"Built {len(world.people):,} people, {len(world.orgs):,} organisations and "
        f"{len(world.interactions):,} interactions in {built - started:.1f} s; "
        f"loaded into [cyan]{path}[/cyan] in {loaded - built:.1f} s."
    )
    out.print(
        f"The workspace holds {stats['people']:,} people, {stats['interactions']:,} interactions, "
        f"{stats['favours']} favours, {stats['introductions']} introductions, {stats['goals']} goals.\n"
    )
    _circles(activity, world.now)
    _story(world, ids)
    total = time.perf_counter() - started
    explore = f"weakties --db {path}"
    out.print("\n[bold]Explore it[/bold] (after `source .venv/bin/activate`):")
    target = world.orgs[world.story.target_org].name
    helped = world.people[world.story.helped].name
    for command in (
        f'{explore} people --org "{target}"',
        f'{explore} show "{helped}"',
        f"{explore} people --sort recent -n 20",
        f"{explore} goal list --everyone",
        f"{explore} people fintech",
    ):
        out.print(f"  {command}")
    out.print(f"\n[dim]demo finished in {total:.1f} s[/dim]")


def _circles(activity: list, now: datetime) -> None:  # type: ignore[type-arg]
    out = console()
    contacts = len(activity)
    talked = [a for a in activity if a.interactions > 0]
    recent = [a for a in activity if a.recent > 0]
    # Dunbar-style layers by contact frequency over the last year (weekly, monthly, yearly)
    weekly = sum(1 for a in activity if a.recent >= 52)
    monthly = sum(1 for a in activity if 12 <= a.recent < 52)
    yearly = sum(1 for a in activity if 1 <= a.recent < 12)
    out.print("[bold]Your circles[/bold] (contact in the last 12 months)")
    out.print(
        f"  {contacts:,} people you have any history with; {len(recent):,} heard from this year"
    )
    out.print(f"  weekly or more: {weekly}   monthly: {monthly}   a few times a year: {yearly}")
    strongest = sorted(talked, key=lambda a: (-a.recent, -a.interactions, a.name))[:5]
    out.print("\n[bold]Most in touch this year[/bold]")
    for a in strongest:
        out.print(
            f"  {a.name:28} {a.recent:4} this year, {a.interactions:5} in all, last {ago(a.last, now)}"
        )
    dormant = [
        a
        for a in activity
        if a.last is not None and (now - a.last).days > 3 * 365 and a.interactions >= 10
    ]
    dormant.sort(key=lambda a: (-a.interactions, a.name))
    out.print(
        f"\n[bold]Dormant-looking ties[/bold] ({len(dormant)} once-frequent, silent for 3+ years)"
    )
    for a in dormant[:5]:
        out.print(f"  {a.name:28} {a.interactions:5} interactions, last {ago(a.last, now)}")


def _story(world: object, ids: dict[int, int]) -> None:
    from weakties.synth.world import World

    assert isinstance(world, World)
    out, story = console(), world.story
    helped = world.people[story.helped]
    manager = world.people[story.hiring_manager]
    org = world.orgs[story.target_org]
    favor = world.favors[story.favor]
    goal = world.goals[story.goal]
    out.print("\n[bold]The story planted in this world[/bold]")
    out.print(f"  Your goal: [italic]{goal.text}[/italic]")
    out.print(
        f"  In {favor.when}, you helped {helped.name} (#{ids[story.helped]}): {favor.what}. "
        "Since then they have only followed you online."
    )
    out.print(
        f"  {helped.name} is close to {manager.name} (#{ids[story.hiring_manager]}), who is hiring a "
        f"{story.role} at {org.name}."
    )
    out.print("  Nobody would think to ask them — weakties will find that path.")
