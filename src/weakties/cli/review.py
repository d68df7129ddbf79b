"""Commands for the review (see the workspace module of the same name): review, reviews,
insights and credit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from weakties.cli.output import console, ok, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
FORMATS = ("terminal", "md", "html")
SUFFIX_FORMAT = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def _ws() -> Any:
    from weakties.cli.app import open_workspace

    return open_workspace()


def review(
    month: Annotated[
        str | None,
        typer.Option("--month", "-m", help="The month (YYYY-MM); default: the latest closed one."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="terminal, md or html (default: terminal, or from the --output suffix).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead.")
    ] = None,
    due: Annotated[
        bool,
        typer.Option(
            "--due",
            help="Only say whether a review is due (exit status 0 if due, 1 if not; for cron).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """The monthly review: new and cooled ties, favours, introductions, nudges, goals,
    opportunities with their chains, and the network's shape.

    A review closes on the last Friday of its month and covers the days since the previous
    closing. Closed months are stored (re-running one replaces it), so each month is compared
    with the last.
    """
    from weakties.errors import InvalidInput

    if due:
        with _ws() as ws:
            month_due = ws.review_due()
        if as_json:
            print_json({"due": month_due is not None, "month": month_due})
        elif month_due:
            console().print(f"the review of {month_due} is due: run `weakties review`")
        else:
            console().print("no review is due")
        raise typer.Exit(0 if month_due else 1)
    chosen = fmt
    if chosen is None:
        chosen = SUFFIX_FORMAT.get(output.suffix.lower(), "terminal") if output else "terminal"
    if chosen not in FORMATS:
        raise InvalidInput(f"unknown format {chosen!r}", hint="accepted: terminal, md, html")
    with _ws() as ws:
        result = ws.review(month)
    if as_json:
        print_json(result)
        return
    from weakties.workspace.render import print_review, to_html, to_markdown

    if chosen == "terminal" and output is None:
        print_review(result, console())
        return
    if chosen == "terminal":
        import io

        from rich.console import Console

        plain = Console(record=True, width=110, file=io.StringIO())
        print_review(result, plain)
        text = plain.export_text()
    else:
        text = to_markdown(result) if chosen == "md" else to_html(result)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write {output}: {exc.strerror}") from None
    state = " (in progress, not stored)" if result.in_progress else ""
    ok(f"review of {result.month}{state} written to {output}")


def reviews(as_json: JsonOpt = False) -> None:
    """The stored monthly reviews, newest first."""
    with _ws() as ws:
        archive = ws.reviews()
    if as_json:
        print_json(archive)
        return
    if not archive:
        console().print("no reviews stored yet: run `weakties review`")
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("month", "closed", "contacts", "new", "cooled", "favours", "opportunities"):
        table.add_column(column, no_wrap=True)
    for r in archive:
        table.add_row(
            r.month,
            r.closes_on.isoformat(),
            f"{r.shape.contacts:,}" if r.shape else "—",
            str(len(r.new_ties)),
            str(len(r.went_cold)),
            str(len(r.favours)),
            str(len(r.opportunities)),
        )
    console().print(table)


def insights(as_json: JsonOpt = False) -> None:
    """Where your opportunities came from: time from first contact, how weak the tie was at the
    time (Granovetter's question on your own data), favours that came first, and credit."""
    from rich.markup import escape

    with _ws() as ws:
        found = ws.insights()
    if as_json:
        print_json(found)
        return
    out = console()
    if not found.opportunities:
        out.print("no opportunities recorded yet: `weakties opportunity add TITLE --via …`")
        return
    out.print(f"[bold]Your opportunities[/bold] ({len(found.opportunities)})")
    for o in found.opportunities:
        if o.first_link is None:
            out.print(f"  #{o.id} {escape(o.title)}: direct, nobody in between")
            continue
        years = (
            f"{o.days_to_opportunity / 365.25:.1f} years after you first met"
            if o.days_to_opportunity is not None
            else "first contact unknown"
        )
        word = "never-spoken" if o.category_then == "never" else o.category_then
        then = f", a {word} tie" if word else ""
        seen = (
            f"; seen {o.contacts_year_before} times in the year before ({o.frequency})"
            if o.frequency
            else ""
        )
        out.print(
            f"  #{o.id} {escape(o.title)}: through {escape(o.first_link)}{then}, {years}{seen}"
        )
    if found.median_days_to_opportunity is not None:
        out.print(
            f"\n  median time from first contact to opportunity: "
            f"{found.median_days_to_opportunity / 365.25:.1f} years"
        )
    w = found.through_weak_ties
    if w.share is not None:
        out.print(
            f"  through weak, dormant or never-spoken ties at the time: {w.count} of {w.total} "
            f"({w.share:.0%})"
        )
    lt = found.less_than_often
    if lt.share is not None:
        bands = ", ".join(f"{k} {v}" for k, v in found.frequency.items())
        out.print(
            f"  seen less than twice a week in the year before: {lt.count} of {lt.total} "
            f"({lt.share:.0%}; {bands}) [dim]— Granovetter (1974) found 83%[/dim]"
        )
    if found.favours_before:
        out.print("\n[bold]Favours that came before an opportunity[/bold]")
        for f in found.favours_before:
            who = f"you helped {f.name}" if f.given else f"{f.name} helped you"
            out.print(
                f"  {f.when}: {escape(who)} ({escape(f.what)}) — "
                f"{f.days_before / 365.25:.1f} years before #{f.opportunity_id} "
                f"{escape(f.opportunity)}"
            )
    if found.credit:
        out.print("\n[bold]Credit over all opportunities[/bold]")
        for c in found.credit[:10]:
            out.print(f"  {c.share:5.2f}  {escape(c.name)} (#{c.person_id})")
        if found.direct:
            out.print(f"  [dim]{found.direct} found directly, credited to you[/dim]")


def credit(
    opportunity_id: Annotated[int, typer.Argument(help="The opportunity's id.")],
    suggest: Annotated[
        bool,
        typer.Option("--suggest", help="Also suggest chains from the introductions on record."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """An opportunity's credit along its chain (half equally, half to the first and last link).

    With no chain recorded, chains are suggested from the introductions on record and your
    contacts at the organisation; record one with `weakties opportunity update ID --via …`.
    """
    from rich.markup import escape

    with _ws() as ws:
        links = ws.credit(opportunity_id)
        empty = len(links) == 1 and links[0].name == "you"
        suggestions = ws.suggest_chain(opportunity_id) if suggest or empty else []
    if as_json:
        print_json({"credit": links, "suggestions": suggestions})
        return
    out = console()
    if empty:
        out.print(f"#{opportunity_id}: no chain recorded; the credit is yours")
    else:
        out.print(f"[bold]Credit for #{opportunity_id}[/bold] (nearest you first)")
        for c in links:
            out.print(f"  {c.share:4.0%}  {escape(c.name)} (#{c.person_id})")
    if suggestions:
        out.print("\n[bold]Suggested chains[/bold]")
        for s in suggestions:
            ids = ",".join(str(c.person_id) for c in s.chain)
            out.print(f"  {escape(s.reason)}  [dim]--via {ids}[/dim]")
    elif suggest or empty:
        out.print("  [dim]no chain can be suggested from the records[/dim]")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command()(review)
    app.command()(reviews)
    app.command()(insights)
    app.command()(credit)
