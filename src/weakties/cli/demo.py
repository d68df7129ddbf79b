"""``weakties demo``: build the synthetic world into a fresh workspace and tour it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from weakties.cli.output import ago, console
from weakties.domain.goals import OpportunityStatus
from weakties.errors import StoreError

DEMO_FILE = "weakties-demo.db"
DEMO_MARK = "demo_seed"
DEMO_EXPORTS_MARK = ".weakties-demo"


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
        loaded = time.perf_counter()
        ws.refresh_ties(force=True)
        scored = time.perf_counter()
        strongest = ws.ties(limit=5)
        dormant = ws.ties(category="dormant", limit=None)
        circles = ws.circles()
        manager_ref = str(ids[world.story.hiring_manager])
        found = ws.paths("person", manager_ref, k=3)
        draft = ws.draft(found.paths[0], goal=found.goal) if found.paths else None
        pathed = time.perf_counter()
        plan = ws.plan(k=5)
        nudges = ws.nudges(limit=6)
        planned = time.perf_counter()
        review = ws.review()
        # the end of the story: the offer, credited along the chain that produced it
        helped_ref, manager = str(ids[world.story.helped]), str(ids[world.story.hiring_manager])
        offer = ws.add_opportunity(
            world.story.role,
            org=world.orgs[world.story.target_org].name,
            via=[helped_ref, manager],
            status=OpportunityStatus.OFFER,
            note="recommended by the person helped years ago",
        )
        credit = ws.credit(int(offer.id or 0))
    out.print(
        f"Built {len(world.people):,} people, {len(world.orgs):,} organisations and "
        f"{len(world.interactions):,} interactions in {built - started:.1f} s; "
        f"loaded into [cyan]{path}[/cyan] in {loaded - built:.1f} s."
    )
    out.print(
        f"The workspace holds {stats['people']:,} people, {stats['interactions']:,} interactions, "
        f"{stats['favours']} favours, {stats['introductions']} introductions, {stats['goals']} goals."
    )
    out.print(f"Scored every tie in {scored - loaded:.1f} s.\n")
    _circles(circles, strongest, dormant)
    _story(world, ids)
    _paths(found, draft, pathed - scored)
    _plan_and_nudges(plan, nudges, planned - pathed)
    _review_and_offer(review, offer, credit)
    imported = _import_tour(world, path, seed)
    total = time.perf_counter() - started
    explore = f"weakties --db {path}"
    out.print("\n[bold]Explore it[/bold] (after `source .venv/bin/activate`):")
    target = world.orgs[world.story.target_org].name
    helped = world.people[world.story.helped].name
    for command in (
        f'{explore} path --org "{target}" --draft',
        f"{explore} plan -k 10 --notes",
        f"{explore} nudges --draft",
        f"{explore} ties --dormant",
        f'{explore} tie "{helped}"',
        f'{explore} people --org "{target}"',
        f'{explore} show "{helped}"',
        f"{explore} people --sort recent -n 20",
        f"{explore} goal list --everyone",
        f"{explore} people fintech",
    ):
        out.print(f"  {command}")
    out.print(f"  weakties --db {imported} merges")
    out.print(f"\n[bold]In your browser[/bold]: weakties --db {path} serve --open")
    out.print("  (the printed link logs you in; the app listens on 127.0.0.1 only)")
    out.print(f"\n[dim]demo finished in {total:.1f} s[/dim]")


def _circles(circles: Any, strongest: list[Any], dormant: list[Any]) -> None:
    from rich.markup import escape

    from weakties.cli.ties import bar

    out = console()
    out.print(
        f"[bold]Your circles[/bold] ({circles.contacts:,} contacts; by contacts in the last 12 months)"
    )
    for name, freq, size in zip(
        circles.layer_names, circles.per_year_at_least, circles.sizes, strict=True
    ):
        out.print(f"  {name:15} at least {freq:>2.0f} a year: {size:4}")
    out.print("\n[bold]Strongest ties[/bold]")
    for t in strongest:
        out.print(
            f"  {escape(t.name):28} {bar(t.strength)} {t.strength:.2f}  last {ago(t.last_contact)}"
        )
    # formerly close ties gone quiet: the reconnections worth most (Levin, Walter & Murnighan 2011)
    dormant = sorted(dormant, key=lambda t: -t.interactions)
    out.print(f"\n[bold]Dormant ties[/bold] ({len(dormant)} silent far beyond their usual rhythm)")
    for t in dormant[:5]:
        out.print(
            f"  {escape(t.name):28} {t.interactions:5} interactions, last {ago(t.last_contact)}"
        )


def _import_tour(world: Any, path: Path, seed: int) -> Path:
    """Write the world as the export files people have, import them into a second workspace,
    and show how the duplicates across sources were merged."""
    import shutil

    from weakties.synth.exports import write_exports
    from weakties.workspace import Workspace

    out = console()
    folder = path.with_name(path.stem + "-exports")
    target = _fresh_path(str(path.with_name(path.stem + "-imported.db")))
    if (folder / DEMO_EXPORTS_MARK).exists():
        shutil.rmtree(folder)
    elif folder.exists():
        raise StoreError(f"{folder} exists and is not the demo's; refusing to overwrite it")
    exports = write_exports(world, folder, seed=seed)
    (folder / DEMO_EXPORTS_MARK).write_text("written by weakties demo\n", encoding="utf-8")
    out.print(f"\n[bold]The same network from export files[/bold] ([cyan]{folder}[/cyan])")
    out.print("LinkedIn, Google, iPhone, mail, calendar and WhatsApp exports, imported:")
    merged = queued = 0
    with Workspace.open(str(target)) as ws:
        ws.set_setting(DEMO_MARK, str(seed))
        for f in exports.files:
            started = time.perf_counter()
            with out.status(f"importing {f.path.name}…"):
                report = ws.import_path(
                    f.path, fmt=f.importer, me=f.me, today=world.now.date().isoformat()
                )
            c = report.counts
            merged += c.get("merged.automatically", 0)
            queued += c.get("merged.queued for review", 0)
            skipped = sum(v for k, v in c.items() if k.startswith("skipped."))
            out.print(
                f"  {f.importer:10} {report.records:6,} records {time.perf_counter() - started:4.1f} s"
                f"  {c.get('people.created', 0):5,} new  {c.get('merged.automatically', 0):4} merged"
                f"  {c.get('merged.queued for review', 0):3} to review"
                + (f"  {skipped} skipped" if skipped else "")
            )
        people = ws.stats()["people"]
    true_people = len({t.person for t in exports.truth})
    out.print(
        f"{len(exports.truth):,} person records from {len(exports.files)} sources became {people:,} people"
        f" ({true_people:,} real ones):\n{merged} merged on sight, {queued} waiting in `weakties merges`."
    )
    return target


def _review_and_offer(review: Any, offer: Any, credit: list[Any]) -> None:
    from rich.markup import escape

    out = console()
    out.print(f"\n[bold]The monthly review[/bold] for {review.month} (closes {review.closes_on})")
    out.print(
        f"  {len(review.new_ties)} new ties, {len(review.went_cold)} gone cold, "
        f"{len(review.favours)} favours, {len(review.introductions)} introductions — "
        "`weakties review --format html -o review.html` for the charts"
    )
    out.print(
        f"\n[bold]The offer[/bold]: {escape(offer.title)} (#{offer.id}), credited along its chain"
    )
    for link in credit:
        out.print(f"  {escape(link.name):28} {link.share:5.0%}")


def _plan_and_nudges(plan: Any, nudges: list[Any], seconds: float) -> None:
    from rich.markup import escape

    out = console()
    out.print(f"\n[bold]Whom to tell first[/bold] (`weakties plan`, with nudges: {seconds:.1f} s)")
    for i, pick in enumerate(plan.picks, 1):
        out.print(
            f"  {i}. {escape(pick.name):26} +{pick.gain:.2f} people reached (tie {pick.strength:.2f})"
        )
    ratio = f" ({plan.reach / plan.strongest_reach:.1f}×)" if plan.strongest_reach else ""
    out.print(
        f"  expected reach {plan.reach:.2f} ± {plan.stderr:.2f}; your {len(plan.strongest)} strongest"
        f" ties would reach {plan.strongest_reach:.2f}{ratio}"
    )
    out.print("\n[bold]Nudges[/bold] (`weakties nudges`)")
    for nudge in nudges:
        who = " & ".join(nudge.names)
        out.print(
            f"  [bold]{nudge.kind.value}[/bold] {escape(who)}: {escape(nudge.reason)}",
            soft_wrap=True,
        )


def _paths(found: Any, draft: str | None, seconds: float) -> None:
    from weakties.cli.paths import print_path

    out = console()
    out.print(f"\n[bold]weakties finds it[/bold] (`weakties path --to …`, {seconds:.1f} s)\n")
    for rank, path in enumerate(found.paths, 1):
        print_path(rank, path)
    if draft:
        out.print("\n[bold]The draft to the first person on the path[/bold] (`--draft`)\n")
        out.print(draft, markup=False, highlight=False, soft_wrap=True)


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
    out.print("  Nobody would think to ask them. Can weakties find that path?")
