"""Commands for introduction paths: path, connected."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from weakties.cli.output import console, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _ws() -> Any:
    from weakties.cli.app import open_workspace

    return open_workspace()


def print_path(rank: int, path: Any) -> None:
    """One path: the chain, its probability and weakest link, and each hop's facts."""
    from rich.markup import escape

    out = console()
    chain = " → ".join(["you", *(escape(n) for n in path.names[1:])])
    weakest = path.hops[path.weakest]
    out.print(f"[bold]{rank}.[/bold] {chain}  [cyan]{path.probability:.1%}[/cyan]")
    if path.target_role:
        out.print(f"   [dim]{escape(path.names[-1])}: {escape(path.target_role)}[/dim]")
    for i, hop in enumerate(path.hops):
        who = "you" if i == 0 else escape(hop.a_name)
        mark = (
            " [yellow]← weakest link[/yellow]" if i == path.weakest and len(path.hops) > 1 else ""
        )
        out.print(
            f"   {who} → {escape(hop.b_name)} ({hop.probability:.0%}): {escape('; '.join(hop.facts))}{mark}",
            soft_wrap=True,
        )
    if len(path.hops) > 1:
        out.print(
            f"   [dim]strengthen {escape(weakest.a_name if path.weakest else 'your tie')} → {escape(weakest.b_name)} first[/dim]"
        )


def path(
    to: Annotated[
        str | None, typer.Option("--to", help="A person (id, email, URL or name).")
    ] = None,
    org: Annotated[
        str | None,
        typer.Option("--org", help="An organisation (alone, or to narrow --role/--skill)."),
    ] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="A role, matched on current titles.")
    ] = None,
    skill: Annotated[str | None, typer.Option("--skill", help="A skill.")] = None,
    k: Annotated[int, typer.Option("-k", help="How many paths.", min=1, max=50)] = 5,
    max_hops: Annotated[int, typer.Option("--max-hops", help="1, 2 or 3.", min=1, max=3)] = 3,
    draft: Annotated[
        bool, typer.Option("--draft", help="Draft the intro request for the best path.")
    ] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Draft in Markdown instead of plain text.")
    ] = False,
    goal: Annotated[
        int | None,
        typer.Option("--goal", help="The goal the ask is for (default: your first open goal)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The warmest introduction paths (1–3 hops) to a person, organisation, role or skill."""
    from weakties.workspace.paths import path_target

    kind, text, within = path_target(to=to, org=org, role=role, skill=skill)
    with _ws() as ws:
        result = ws.paths(
            kind,
            text,
            org=within,
            k=k,
            max_hops=max_hops,
            goal_id=goal,
        )
        text_draft = (
            ws.draft(result.paths[0], goal=result.goal, fmt="md" if markdown else "text")
            if draft and result.paths
            else None
        )
    if as_json:
        data: dict[str, Any] = {
            "target": result.target,
            "targets": result.targets,
            "goal": result.goal,
            "paths": result.paths,
        }
        if hasattr(result, "reachable_pooled"):
            data["reachable_own"] = result.reachable_own
            data["reachable_pooled"] = result.reachable_pooled
        if text_draft is not None:
            data["draft"] = text_draft
        print_json(data)
        return
    out = console()
    if not result.paths:
        out.print(f"no path within {max_hops} hops to {result.target}")
        return
    out.print(
        f"[bold]Warmest paths to {result.target}[/bold] ({result.targets} target{'s' if result.targets != 1 else ''})\n"
    )
    for rank, found in enumerate(result.paths, 1):
        print_path(rank, found)
    if hasattr(result, "reachable_pooled"):
        out.print(
            f"\n[dim]within {max_hops} hops: {result.reachable_own} of {result.targets} from your "
            f"own data, {result.reachable_pooled} with the community; ask through a member with "
            "`weakties asks request --through HANDLE`[/dim]"
        )
    if text_draft is not None:
        out.print("\n[bold]Draft for the first hop[/bold]\n")
        console().print(text_draft, markup=False, highlight=False, soft_wrap=True)


def connected(
    person: Annotated[str, typer.Argument(help="Id, email, profile URL or name.")],
    as_json: JsonOpt = False,
) -> None:
    """How you are connected to someone: their degree, your mutual contacts and the best path."""
    from rich.markup import escape

    with _ws() as ws:
        c = ws.connected(person)
    if as_json:
        print_json(c)
        return
    out = console()
    status = "a direct contact" if c.direct else "not a direct contact"
    out.print(
        f"[bold]{escape(c.name)}[/bold] (#{c.person_id}): {status}; {c.degree} ties; {c.mutual_count} mutual contacts"
    )
    if c.mutual:
        out.print(
            "  mutual: "
            + escape(", ".join(name for _, name in c.mutual[:10]))
            + (" …" if c.mutual_count > 10 else "")
        )
    if c.best is not None:
        out.print("")
        print_path(1, c.best)
    else:
        out.print("  no path within 3 hops")


def register(app: typer.Typer) -> None:
    app.command()(path)
    app.command()(connected)
