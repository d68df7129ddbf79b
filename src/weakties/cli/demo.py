"""``weakties demo``: a synthetic owner's exports imported into a fresh workspace, then toured.

The workspace is built the way a user builds theirs (:mod:`weakties.workspace.demo`): the export
files are written beside the database and imported, and the ledger is typed in; what no export
or typing carries is not there, so the tour shows what weakties makes of a real user's data.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from weakties.cli.output import ago, console
from weakties.domain.goals import OpportunityStatus
from weakties.errors import StoreError

if TYPE_CHECKING:
    from weakties.workspace.demo import DemoBuild

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


def _exports_folder(path: Path) -> Path:
    """Where the demo writes its export files: beside the database, replaced only if ours."""
    import shutil

    folder = path.with_name(path.stem + "-exports")
    if (folder / DEMO_EXPORTS_MARK).exists():
        shutil.rmtree(folder)
    elif folder.exists():
        raise StoreError(f"{folder} exists and is not the demo's; refusing to overwrite it")
    return folder


def run_demo(db: str | None, seed: int) -> None:
    from weakties.synth.world import build_world
    from weakties.workspace import Workspace
    from weakties.workspace.demo import build_demo_workspace

    out = console()
    started = time.perf_counter()
    path = _fresh_path(db)
    folder = _exports_folder(path)
    out.print(f"[bold]weakties demo[/bold] — a synthetic professional world (seed {seed})\n")
    with out.status("building the world…"):
        world = build_world(seed)
    built = time.perf_counter()
    with Workspace.open(str(path)) as ws:
        ws.set_setting(DEMO_MARK, str(seed))  # first, so a half-built demo can be replaced
        with out.status("writing the export files…") as status:
            demo = build_demo_workspace(ws, world, folder, seed=seed, progress=status.update)
        (folder / DEMO_EXPORTS_MARK).write_text("written by weakties demo\n", encoding="utf-8")
        stats = ws.stats()
        loaded = time.perf_counter()
        ws.refresh_ties(force=True)
        scored = time.perf_counter()
        strongest = ws.ties(limit=5)
        dormant = ws.ties(category="dormant", limit=None)
        circles = ws.circles()
        found = ws.paths("person", f"#{demo.hiring_manager}", k=3)
        draft = ws.draft(found.paths[0], goal=found.goal) if found.paths else None
        pathed = time.perf_counter()
        plan = ws.plan(k=5)
        nudges = ws.nudges(limit=6)
        planned = time.perf_counter()
        review = ws.review()
        # the end of the story: the lead became an offer, credited along the chain that made it
        offer = ws.update_opportunity(
            demo.lead,
            status=OpportunityStatus.OFFER,
            via=[f"#{demo.helped}", f"#{demo.hiring_manager}"],
            note="recommended by the person helped years ago",
        )
        credit = ws.credit(demo.lead)
        helped_name = ws.person(demo.helped).name
    out.print(
        f"Built {len(world.people):,} people, {len(world.orgs):,} organisations and "
        f"{len(world.interactions):,} interactions in {built - started:.1f} s, and wrote what "
        f"their owner's exports would hold to [cyan]{folder}[/cyan]."
    )
    _imports(demo)
    out.print(
        f"Into [cyan]{path}[/cyan] in {loaded - built:.1f} s: {stats['people']:,} people, "
        f"{stats['interactions']:,} interactions, {stats['favours']} favours, "
        f"{stats['introductions']} introductions, {stats['goals']} goals, "
        f"{stats['opportunities']} opportunities."
    )
    out.print(f"Scored every tie in {scored - loaded:.1f} s.\n")
    _circles(circles, strongest, dormant)
    _story(world, demo)
    _paths(found, draft, pathed - scored)
    _plan_and_nudges(plan, nudges, planned - pathed)
    _review_and_offer(review, offer, credit)
    total = time.perf_counter() - started
    explore = f"weakties --db {path}"
    out.print("\n[bold]Explore it[/bold] (after `source .venv/bin/activate`):")
    target = world.orgs[world.story.target_org].name
    for command in (
        f"{explore} merges",
        f"{explore} imports",
        f'{explore} path --org "{target}" --draft',
        f"{explore} plan -k 10 --notes",
        f"{explore} nudges --draft",
        f"{explore} ties --dormant",
        f'{explore} tie "{helped_name}"',
        f'{explore} people --org "{target}"',
        f'{explore} show "{helped_name}"',
        f"{explore} people --sort recent -n 20",
        f"{explore} goal list --everyone",
    ):
        out.print(f"  {command}")
    out.print(f"\n[bold]In your browser[/bold]: weakties --db {path} serve --open")
    out.print("  (the printed link logs you in; the app listens on 127.0.0.1 only)")
    out.print(f"\n[dim]demo finished in {total:.1f} s[/dim]")


def _imports(demo: DemoBuild) -> None:
    """The exports as imported, and how the duplicates across them were merged."""
    out = console()
    out.print("Imported like a user would (`weakties import …`), in this order:")
    for f in demo.imports:
        out.print(
            f"  {f.importer:10} {f.records:6,} records {f.seconds:4.1f} s"
            f"  {f.created:5,} new  {f.merged:4} merged  {f.queued:3} to review"
            + (f"  {f.skipped} skipped" if f.skipped else "")
        )
    truth = demo.exports.truth
    real = len({t.person for t in truth})
    out.print(
        f"{len(truth):,} person records from {len(demo.imports)} sources: {real:,} real people, "
        f"{demo.merged} merged on sight, {demo.queued} waiting in `weakties merges`."
    )
    typed = demo.typed
    out.print(
        "Typed by hand, as `weakties add org`, `helped`, `intro`, `goal` and `opportunity` "
        f"record them: {typed.get('organisations', 0)} companies in your goal's industry "
        "(before importing), "
        f"{typed.get('favours', 0)} favours, {typed.get('introductions', 0)} introductions, "
        f"{typed.get('goals', 0)} goals and {typed.get('opportunities', 0)} opportunities"
        + (f" ({demo.added_by_hand} people added by hand)" if demo.added_by_hand else "")
        + "."
    )


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
    ratio = f" ({plan.reach / plan.strongest_reach:.1f}×)" if plan.strongest_reach >= 0.1 else ""
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


def _story(world: object, demo: DemoBuild) -> None:
    from weakties.synth.world import World

    assert isinstance(world, World)
    out, story = console(), world.story
    helped = world.people[story.helped]
    manager = world.people[story.hiring_manager]
    org = world.orgs[story.target_org]
    favor = world.favors[story.favor]
    goal = world.goals[story.goal]
    when = favor.when
    on = f"On {when.iso()}" if when and when.day else f"In {when.iso()}" if when else "Once"
    out.print("\n[bold]The story planted in this world[/bold]")
    out.print(f"  Your goal: [italic]{goal.text}[/italic]")
    out.print(
        f"  {on}, {helped.name} (#{demo.helped}) wrote to you out of the blue, and you "
        f"{favor.what}. Your mail holds the thread, you recorded the favour, and your contacts "
        f"still say who had referred them: {manager.name}. Since then, not one message (they only follow you online, which no export records)."
    )
    out.print(
        f"  Today {org.name} advertises a {story.role} role; the hiring manager is "
        f"{manager.name} (#{demo.hiring_manager}, {demo.ad_email}). You recorded it as a lead."
    )
    out.print("  Nobody would think to ask them. Can weakties find that path?")
