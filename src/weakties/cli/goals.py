"""Commands for goals (mine and contacts' asks) and opportunities with their chains."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from weakties.cli.ledger import _enum
from weakties.cli.output import console, ok, print_json

goal_app = typer.Typer(help="Goals: yours, and your contacts' asks.", no_args_is_help=True)
opp_app = typer.Typer(
    help="Opportunities (jobs, clients, deals) and the people they came through.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _ws() -> Any:
    from weakties.cli.app import open_workspace

    return open_workspace()


def _people_list(values: list[str] | None) -> list[str]:
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


@goal_app.command("add")
def goal_add(
    text: Annotated[
        str, typer.Argument(help="What you (or they) want, e.g. 'product role at a fintech'.")
    ],
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            help="kind:value with kind role, industry, skill, org or location (repeatable).",
        ),
    ] = None,
    for_person: Annotated[
        str | None, typer.Option("--for", help="A contact's ask instead of your goal.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a goal, or record a contact's ask with --for."""
    with _ws() as ws:
        goal = ws.add_goal(text, tags=tag or [], for_person=for_person)
    if as_json:
        print_json(goal)
    else:
        ok(f"goal #{goal.id}: {goal.text}")


@goal_app.command("list")
def goal_list(
    for_person: Annotated[str | None, typer.Option("--for", help="This contact's asks.")] = None,
    everyone: Annotated[
        bool, typer.Option("--everyone", help="Your goals and every contact's asks.")
    ] = False,
    status: Annotated[str | None, typer.Option("--status", help="open, done or dropped.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List goals (yours by default)."""
    from weakties.domain.goals import GoalStatus

    with _ws() as ws:
        found = ws.goals(
            for_person=for_person,
            status=_enum(GoalStatus, status, "status") if status else None,
            everyone=everyone,
        )
        owners = {g.owner_id: ws.person(g.owner_id) for g in found}
    if as_json:
        print_json(found)
        return
    from rich.markup import escape

    if not found:
        console().print("no goals yet: `weakties goal add TEXT --tag industry:fintech`")
        return
    for g in found:
        owner = "" if owners[g.owner_id].is_me else f"{owners[g.owner_id].name}: "
        tags = ", ".join(f"{t.kind.value}:{t.value}" for t in g.tags)
        line = f"#{g.id} ({g.status.value}) {escape(owner + g.text)}"
        console().print(line + (f"  [dim]{escape(tags)}[/dim]" if tags else ""))


@goal_app.command("done")
def goal_done(
    goal_id: Annotated[int, typer.Argument(help="Goal id.")],
    dropped: Annotated[
        bool, typer.Option("--dropped", help="Given up rather than achieved.")
    ] = False,
    reopen: Annotated[bool, typer.Option("--reopen", help="Open it again.")] = False,
    when: Annotated[str | None, typer.Option("--when", "-w")] = None,
) -> None:
    """Mark a goal done (or dropped, or open again)."""
    from weakties.domain.goals import GoalStatus

    status = GoalStatus.OPEN if reopen else GoalStatus.DROPPED if dropped else GoalStatus.DONE
    with _ws() as ws:
        goal = ws.set_goal_status(goal_id, status, when=when)
    ok(f"goal #{goal.id} is {goal.status.value}")


def _print_opps(ws: Any, opps: list[Any]) -> None:
    from rich.markup import escape

    orgs = {o.id: o.name for o, _ in ws.orgs()}
    for o in opps:
        chain = " → ".join(["you", *(ws.person(p).name for p in o.chain)])
        where = f" at {orgs[o.org_id]}" if o.org_id in orgs else ""
        console().print(escape(f"#{o.id} {o.title}{where} ({o.status.value})  via {chain}"))


@opp_app.command("add")
def opp_add(
    title: Annotated[str, typer.Argument(help="e.g. 'Product manager'.")],
    org: Annotated[str | None, typer.Option("--org", "-o")] = None,
    via: Annotated[
        list[str] | None, typer.Option("--via", help="The chain, nearest you first: A,B,C.")
    ] = None,
    status: Annotated[
        str,
        typer.Option(
            "--status", help="lead, applied, interviewing, offer, accepted, won, declined, lost."
        ),
    ] = "lead",
    opened: Annotated[str | None, typer.Option("--when", "-w", help="When it appeared.")] = None,
    goal: Annotated[int | None, typer.Option("--goal", help="The goal it serves.")] = None,
    note_text: Annotated[str | None, typer.Option("--note")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record an opportunity and the chain of people it came through."""
    from weakties.domain.goals import OpportunityStatus

    with _ws() as ws:
        opp = ws.add_opportunity(
            title,
            org=org,
            via=_people_list(via),
            status=_enum(OpportunityStatus, status, "status"),
            opened=opened,
            goal_id=goal,
            note=note_text,
        )
        if as_json:
            print_json(opp)
        else:
            _print_opps(ws, [opp])


@opp_app.command("list")
def opp_list(as_json: JsonOpt = False) -> None:
    """List opportunities with their chains."""
    with _ws() as ws:
        opps = ws.opportunities()
        if as_json:
            print_json(opps)
        elif not opps:
            console().print(
                "no opportunities yet: `weakties opportunity add TITLE --org ORG --via A,B`"
            )
        else:
            _print_opps(ws, opps)


@opp_app.command("update")
def opp_update(
    opp_id: Annotated[int, typer.Argument(help="Opportunity id.")],
    status: Annotated[str | None, typer.Option("--status")] = None,
    via: Annotated[
        list[str] | None, typer.Option("--via", help="Replace the chain: A,B,C.")
    ] = None,
    note_text: Annotated[str | None, typer.Option("--note")] = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    when: Annotated[str | None, typer.Option("--when", "-w", help="When it closed.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an opportunity's status, chain or note."""
    from weakties.domain.goals import OpportunityStatus

    with _ws() as ws:
        opp = ws.update_opportunity(
            opp_id,
            status=_enum(OpportunityStatus, status, "status") if status else None,
            via=_people_list(via) if via is not None else None,
            note=note_text,
            title=title,
            when=when,
        )
        if as_json:
            print_json(opp)
        else:
            _print_opps(ws, [opp])


def register(app: typer.Typer) -> None:
    app.add_typer(goal_app, name="goal")
    app.add_typer(opp_app, name="opportunity")
