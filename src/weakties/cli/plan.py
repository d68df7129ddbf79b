"""The ask plan command: whom to tell first about a goal."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from weakties.cli.output import console, jsonable, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _ws() -> Any:
    from weakties.cli.app import open_workspace

    return open_workspace()


def plan(
    goal: Annotated[
        int | None, typer.Option("--goal", help="Goal id (default: your first open goal).")
    ] = None,
    k: Annotated[int, typer.Option("-k", help="How many people to tell.", min=1, max=100)] = 10,
    rounds: Annotated[
        int,
        typer.Option(
            "--rounds", help="Sampled cascade worlds (more: smaller error).", min=50, max=20000
        ),
    ] = 1000,
    notes: Annotated[
        bool, typer.Option("--notes", help="Write the broadcast post and a note per person.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Whom to tell first about a goal: the k people who carry it furthest into the targets."""
    from rich.markup import escape

    with _ws() as ws:
        result = ws.plan(goal_id=goal, k=k, rounds=rounds)
        post, per_person = ws.ask_texts(result) if (notes or as_json) else ("", {})
    if as_json:
        data = dict(jsonable(result))
        data["expected_reach"] = result.reach
        data["strongest_ties_reach"] = result.strongest_reach
        data["post"] = post
        data["notes"] = {str(k_): v for k_, v in per_person.items()}
        print_json(data)
        return
    out = console()
    out.print(
        f"[bold]Whom to tell about[/bold] “{escape(result.goal)}” (goal #{result.goal_id}; {result.targets} people in the targets)\n"
    )
    for i, pick in enumerate(result.picks, 1):
        reach = ", ".join(f"{escape(name)} {p:.0%}" for name, p in pick.reaches)
        if pick.is_target:
            reach = "works in the target field" + (f"; also {reach}" if reach else "")
        out.print(
            f"{i:2}. {escape(pick.name):28} +{pick.gain:.2f}  [dim]tie {pick.strength:.2f}, {pick.mutual} mutual, "
            f"acts {pick.acts:.0%}[/dim]" + (f"\n      raises: {reach}" if reach else "")
        )
    gain = result.reach - result.strongest_reach
    out.print(
        f"\nExpected reach: [cyan]{result.reach:.2f}[/cyan] people at the targets (± {result.stderr:.2f}, "
        f"{result.rounds} sampled worlds)"
    )
    out.print(
        f"Telling your {len(result.strongest)} strongest ties instead reaches {result.strongest_reach:.2f}"
        + (
            f": this plan adds {gain:+.2f} ({result.reach / result.strongest_reach:.1f}×)."
            if result.strongest_reach > 0
            else "."
        )
    )
    if notes:
        out.print("\n[bold]Broadcast post[/bold]\n")
        out.print(post, markup=False)
        out.print("\n[bold]Personal notes[/bold]")
        for pick in result.picks:
            out.print(f"\n[dim]to {escape(pick.name)}:[/dim]")
            out.print(per_person[pick.person_id], markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command()(plan)
