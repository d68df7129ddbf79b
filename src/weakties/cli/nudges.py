"""Commands for the nudges (see the workspace module of the same name): nudges, nudge, goodwill."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from weakties.cli.output import console, ok, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
KIND_STYLE = {
    "reconnect": "yellow",
    "help": "green",
    "introduce": "cyan",
    "thank": "magenta",
    "keep-warm": "blue",
}

nudge_app = typer.Typer(
    help="Mark a nudge done, snoozed or dismissed (it is remembered).", no_args_is_help=True
)


def _ws() -> Any:
    from weakties.cli.app import open_workspace

    return open_workspace()


def nudges(
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            "-k",
            help="reconnect, help, introduce, thank or keep-warm (repeat for several).",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many to show.")] = 20,
    draft: Annotated[
        bool, typer.Option("--draft", help="Show the drafted message under each nudge.")
    ] = False,
    hidden: Annotated[
        bool, typer.Option("--hidden", help="Include nudges you marked done, snoozed or dismissed.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """What to do next: reconnect, help, introduce, thank and keep warm, each with a reason."""
    from rich.markup import escape

    with _ws() as ws:
        rows = ws.nudges(kind or None, limit=limit, include_hidden=hidden)
    if as_json:
        print_json(rows)
        return
    out = console()
    if not rows:
        out.print("nothing to nudge about right now")
        return
    for n in rows:
        style = KIND_STYLE.get(n.kind.value, "white")
        status = f"  [dim]({n.status.value})[/dim]" if n.status else ""
        out.print(
            f"[{style}]{n.kind.value:9}[/{style}] {n.score:4.2f}  "
            f"[bold]{escape(' & '.join(n.names))}[/bold]  [dim]{escape(n.key)}[/dim]{status}"
        )
        out.print(f"          {escape(n.reason)}", soft_wrap=True)
        if draft:
            for line in n.draft.splitlines():
                out.print(f"          [italic]{escape(line)}[/italic]", soft_wrap=True)
    if not draft:
        out.print(
            "\n[dim]--draft shows a message for each; "
            "`weakties nudge done|snooze|dismiss KEY` puts one away[/dim]"
        )


def _set(key: str, status: str, until: str | None = None) -> None:
    with _ws() as ws:
        state = ws.set_nudge(key, status, until=until)
    if state.until is not None:
        from weakties.cli.output import local_time

        ok(f"{state.key} snoozed until {local_time(state.until, with_time=False)}")
    else:
        ok(f"{state.key} {state.status.value}")


KeyArg = Annotated[str, typer.Argument(help="The nudge's key, e.g. reconnect:12.")]


@nudge_app.command("done")
def done(key: KeyArg) -> None:
    """Done: hidden until something new happens (a new contact, favour or ask)."""
    _set(key, "done")


@nudge_app.command("snooze")
def snooze(
    key: KeyArg,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Date to bring it back (default: in 30 days)."),
    ] = None,
) -> None:
    """Snooze: hidden until a date (default: a month from now)."""
    _set(key, "snoozed", until)


@nudge_app.command("dismiss")
def dismiss(key: KeyArg) -> None:
    """Dismiss: never show this nudge again."""
    _set(key, "dismissed")


def goodwill(
    person: Annotated[
        str | None, typer.Argument(help="Id, email, profile URL or name (default: everyone).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The goodwill ledger: favours and introductions given and received, fading with time."""
    from rich.markup import escape
    from rich.table import Table

    from weakties.analysis.goodwill import HALF_LIFE_YEARS

    with _ws() as ws:
        rows = ws.goodwill(person)
    if as_json:
        print_json(rows if person is None else rows[0])
        return
    out = console()
    if person is not None:
        b = rows[0]
        out.print(
            f"[bold]{escape(b.name)}[/bold]  given {b.given:.2f}, received {b.received:.2f}, "
            f"balance {b.balance:+.2f}"
        )
        if not b.entries:
            out.print("  no favours or introductions either way yet")
        for e in b.entries:
            arrow = "you →" if e.direction == "given" else "→ you"
            out.print(
                f"  {e.when or 'undated':10}  {arrow}  {escape(e.what)}  "
                f"[dim]{e.kind}, weight {e.weight:g}, counts {e.weight_now:.2f} now[/dim]"
            )
    else:
        if not rows:
            out.print("the ledger is empty: `weakties helped` and `weakties intro` fill it")
            return
        table = Table(box=None, pad_edge=False)
        for column in ("id", "name", "given", "received", "balance"):
            table.add_column(column, no_wrap=True, justify="left" if column == "name" else "right")
        for b in rows:
            style = "green" if b.balance > 0 else ("red" if b.balance < 0 else "white")
            table.add_row(
                str(b.person_id),
                escape(b.name),
                f"{b.given:.2f}",
                f"{b.received:.2f}",
                f"[{style}]{b.balance:+.2f}[/{style}]",
            )
        out.print(table)
    out.print(
        f"[dim]favours weigh 1/2/4 by size, introductions 2; "
        f"each halves every {HALF_LIFE_YEARS:g} years. Positive: they owe you.[/dim]"
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command()(nudges)
    app.add_typer(nudge_app, name="nudge")
    app.command()(goodwill)
