"""Workspace-level commands: init, organisations, export, and the demo."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from weakties.cli.output import console, ok, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _ws() -> Any:
    from weakties.cli.app import open_workspace

    return open_workspace()


def init(
    name: Annotated[str | None, typer.Option("--name", help="Your name.")] = None,
    email: Annotated[
        list[str] | None, typer.Option("--email", "-e", help="Your email address(es).")
    ] = None,
) -> None:
    """Create the workspace (if needed) and say who you are."""
    from weakties.cli.app import state
    from weakties.store.database import resolve_url

    with _ws() as ws:
        me = ws.init(name, email or [])
    ok(
        f"workspace ready at {resolve_url(state.db).removeprefix('sqlite:///')}; you are {me.name} (#{me.id})"
    )


def orgs(as_json: JsonOpt = False) -> None:
    """List organisations with how many of your people are there now."""
    with _ws() as ws:
        rows = ws.orgs()
    if as_json:
        print_json([{**_org(o), "current_people": n} for o, n in rows])
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("id", "organisation", "kind", "industry", "people now"):
        table.add_column(column)
    for o, n in rows:
        table.add_row(str(o.id), o.name, o.kind.value, o.industry or "", str(n))
    console().print(table)


def _org(o: Any) -> dict[str, Any]:
    from weakties.cli.output import jsonable

    data: dict[str, Any] = jsonable(o)
    return data


def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="json (everything) or csv (people).")
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Export the workspace: everything as JSON, or people as CSV."""
    from weakties.errors import InvalidInput, WeaktiesError

    if fmt not in ("json", "csv", "graphml", "gexf"):
        raise InvalidInput(f"unknown format {fmt!r}", hint="accepted: json, csv, graphml, gexf")
    with _ws() as ws:
        if fmt in ("graphml", "gexf"):
            if output is None:
                raise InvalidInput(f"{fmt} export needs --output FILE")
            with open(output, "wb") as handle:
                count = ws.export_graph(handle, fmt)
            ok(f"exported {count:,} people to {output} (open it in Gephi)")
            return
        if output is None:
            ws.export(sys.stdout, fmt)
            return
        tmp = output.with_name(output.name + ".partial")
        try:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                ws.export(handle, fmt)
            tmp.replace(output)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise WeaktiesError(f"cannot write {output}: {exc.strerror}") from None
    ok(f"exported to {output}")


def demo(
    db: Annotated[
        str | None, typer.Option("--db", help="Where to build the demo workspace.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic world.")] = 7,
    community: Annotated[
        bool,
        typer.Option(
            "--community", help="A synthetic alumni community instead: members, pool, asks."
        ),
    ] = False,
    members: Annotated[
        int, typer.Option("--members", min=2, max=2000, help="With --community: how many members.")
    ] = 40,
    contacts: Annotated[
        int, typer.Option("--contacts", min=5, max=2000, help="With --community: contacts each.")
    ] = 120,
) -> None:
    """Build a realistic synthetic network and tour it (or, with --community, a community)."""
    if community:
        from weakties.cli.community_demo import run_community_demo

        run_community_demo(db, seed, members, contacts)
        return
    from weakties.cli.demo import run_demo

    run_demo(db, seed)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(orgs)
    app.command()(export)
    app.command()(demo)
