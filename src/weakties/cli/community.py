"""Commands for communities: community init/show/reach/refresh, member add/list/remove/share, asks.

A community database (``--db``) holds members; ``--member HANDLE`` (or ``WEAKTIES_MEMBER``)
makes every other command act as that member: ``import``, ``log`` and the rest on their private
workspace, ``path`` on the pooled graph within everyone's consent.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from weakties.cli.output import console, ok, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

community_app = typer.Typer(help="A community pooling its members' networks, with consent.")
member_app = typer.Typer(help="A community's members and what each shares.")
asks_app = typer.Typer(
    help="Introductions asked through members: your inbox and your requests (double opt-in).",
    invoke_without_command=True,
)


def _community() -> Any:
    from weakties.cli.app import open_community

    return open_community()


def _me() -> str:
    from weakties.cli.app import state
    from weakties.errors import InvalidInput

    if not state.member:
        raise InvalidInput(
            "say which member you are", hint="pass --member HANDLE before the command"
        )
    return state.member


# ------------------------------------------------------------------- community
@community_app.command("init")
def init(
    name: Annotated[str, typer.Argument(help="The community's name, e.g. 'Example Alumni'.")],
) -> None:
    """Make the database (``--db``) a community: members are added with `weakties member add`."""
    with _community() as c:
        c.init(name)
    ok(f"community {name!r} is ready; add members with `weakties member add HANDLE --name NAME`")


@community_app.command("show")
def show(as_json: JsonOpt = False) -> None:
    """The community: its members and what the pool holds."""
    with _community() as c:
        name, members, counts = c.name, c.members(), c.row_counts()
    if as_json:
        print_json({"name": name, "members": members, "rows": counts})
        return
    out = console()
    out.print(f"[bold]{name}[/bold]: {len(members)} member{'s' if len(members) != 1 else ''}")
    shares = {
        level: sum(1 for m in members if m.sharing.value == level)
        for level in ("none", "exists", "full")
    }
    out.print("sharing: " + ", ".join(f"{n} {level}" for level, n in shares.items()))
    out.print(
        f"pool: {counts['pool_person']} people, {counts['pool_contact']} member ties, "
        f"{counts['pool_arc']} arcs, {counts['ask']} asks"
    )


@community_app.command("reach")
def reach(
    hops: Annotated[int, typer.Option("--hops", min=1, max=3, help="1, 2 or 3.")] = 3,
    as_json: JsonOpt = False,
) -> None:
    """How much larger your reachable world is on the pooled graph than on your own data."""
    with _community() as c:
        r = c.reach(_me(), hops)
    if as_json:
        print_json(r)
        return
    out = console()
    out.print(f"[bold]Within {hops} hops[/bold] ({r.members} members)")
    out.print(f"people: {r.people_own} from your own data, {r.people_pooled} with the community")
    out.print(f"organisations: {r.orgs_own} from your own data, {r.orgs_pooled} with the community")


@community_app.command("refresh")
def refresh(as_json: JsonOpt = False) -> None:
    """Publish every member whose data changed (a batch job; cron it before the review)."""
    with _community() as c:
        done = c.refresh()
    if as_json:
        print_json({h: p is not None for h, p in done.items()})
        return
    changed = [h for h, p in done.items() if p is not None]
    ok(f"{len(changed)} of {len(done)} members republished")


# --------------------------------------------------------------------- members
def _sharing(value: str) -> Any:
    from weakties.domain.community import parse_sharing

    return parse_sharing(value)


@member_app.command("add")
def member_add(
    handle: Annotated[str, typer.Argument(help="A short handle, e.g. alice.")],
    name: Annotated[str, typer.Option("--name", help="The member's full name.")],
    email: Annotated[
        list[str] | None, typer.Option("--email", help="The member's address (repeatable).")
    ] = None,
    sharing: Annotated[
        str, typer.Option("--sharing", help="none, exists (paths pass, names hidden) or full.")
    ] = "exists",
    names: Annotated[
        bool, typer.Option("--names/--no-names", help="With full: also share contacts' names.")
    ] = False,
    admin: Annotated[bool, typer.Option("--admin", help="Make them an admin.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a member with an empty private workspace (they import with --member HANDLE)."""
    from weakties.domain.community import Role

    with _community() as c:
        m = c.add_member(
            handle,
            name,
            emails=email or [],
            sharing=_sharing(sharing),
            share_names=names,
            role=Role.ADMIN if admin else None,
        )
    if as_json:
        print_json(m)
        return
    ok(f"added {m.name} as {m.handle} ({m.role.value}, shares {m.sharing.value})")


@member_app.command("list")
def member_list(as_json: JsonOpt = False) -> None:
    """The members, their roles and what each shares."""
    from rich.markup import escape
    from rich.table import Table

    with _community() as c:
        members = c.members()
    if as_json:
        print_json(members)
        return
    table = Table("handle", "name", "role", "shares", "names", "published")
    for m in members:
        table.add_row(
            m.handle,
            escape(m.name),
            m.role.value,
            m.sharing.value,
            "yes" if m.share_names else "no",
            m.published_at.date().isoformat() if m.published_at else "never",
        )
    console().print(table)


@member_app.command("remove")
def member_remove(
    handle: Annotated[str, typer.Argument(help="The member to remove.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove a member: their private workspace and everything they contributed, nothing else."""
    if not yes and not typer.confirm(f"remove {handle} and everything they contributed?"):
        raise typer.Exit(1)
    with _community() as c:
        removed = c.remove_member(handle)
    if as_json:
        print_json(removed)
        return
    ok(
        f"removed {handle}: {removed['pool_contact']} ties, {removed['pool_arc']} arcs, "
        f"{removed['pool_person']} people only they knew, {removed['ask']} asks"
    )


@member_app.command("share")
def member_share(
    handle: Annotated[str, typer.Argument(help="The member.")],
    level: Annotated[str, typer.Argument(help="none, exists or full.")],
    names: Annotated[
        bool | None,
        typer.Option("--names/--no-names", help="With full: also share contacts' names."),
    ] = None,
) -> None:
    """Change what a member shares; it holds from the next query on."""
    with _community() as c:
        m = c.share(handle, _sharing(level), names)
    ok(f"{m.handle} shares {m.sharing.value}" + (", with names" if m.share_names else ""))


@member_app.command("password")
def member_password(
    handle: Annotated[str, typer.Argument(help="The member.")],
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Read the password from standard input (scripts).")
    ] = False,
) -> None:
    """Set a member's password for the community web app (stored as an Argon2id hash)."""
    import sys

    if stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with _community() as c:
        c.set_password(handle, password)
    ok(f"{handle} can log in to the web app")


# ------------------------------------------------------------------------ asks
def _print_ask(a: Any, mine: str) -> None:
    from rich.markup import escape

    out = console()
    other = a.requester if a.broker == mine else a.broker
    arrow = "from" if a.broker == mine else "to"
    out.print(
        f"[bold]#{a.id}[/bold] {arrow} {escape(other)}: {escape(a.target)} [cyan]{a.status.value}[/cyan]"
    )
    if a.via:
        out.print(f"   [dim]through your contact {escape(a.via)}[/dim]")
    out.print(f"   {escape(a.message)}", soft_wrap=True)
    if a.reply:
        out.print(f"   [dim]reply:[/dim] {escape(a.reply)}", soft_wrap=True)


@asks_app.callback()
def asks(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Your inbox (asks through you) and the asks you made."""
    if ctx.invoked_subcommand is not None:
        return
    me = _me()
    with _community() as c:
        inbox, sent = c.asks(me)
    if as_json:
        print_json({"inbox": inbox, "sent": sent})
        return
    out = console()
    out.print(
        f"[bold]Inbox[/bold] ({sum(1 for a in inbox if a.status.value in ('pending', 'more'))} waiting)"
    )
    for a in inbox:
        _print_ask(a, me)
    out.print(f"\n[bold]Sent[/bold] ({len(sent)})")
    for a in sent:
        _print_ask(a, me)


@asks_app.command("request")
def request(
    through: Annotated[str, typer.Option("--through", help="The member to ask (handle).")],
    to: Annotated[str | None, typer.Option("--to", help="A person.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="An organisation.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="A role.")] = None,
    message: Annotated[
        str | None, typer.Option("--message", help="Your note (default: a drafted one).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Ask a member for an introduction; it waits in their inbox until they answer."""
    from weakties.workspace.paths import path_target

    kind, text, within = path_target(to=to, org=org, role=role)
    with _community() as c:
        a = c.ask(_me(), through, kind, text, org=within, message=message)
    if as_json:
        print_json(a)
        return
    ok(f"ask #{a.id} waits for {a.broker}: {a.target}")
    console().print(a.message, markup=False, highlight=False, soft_wrap=True)


def _answer(ask_id: int, decision: str, reply: str | None, as_json: bool) -> None:
    from weakties.domain.community import AskStatus

    with _community() as c:
        a = c.answer(_me(), ask_id, AskStatus(decision), reply)
    if as_json:
        print_json(a)
        return
    ok(f"ask #{a.id} is {a.status.value}")


ReplyOpt = Annotated[str | None, typer.Option("--reply", help="A word back to the requester.")]


@asks_app.command("accept")
def accept(ask_id: int, reply: ReplyOpt = None, as_json: JsonOpt = False) -> None:
    """Agree to make the introduction (it is recorded in both ledgers)."""
    _answer(ask_id, "accepted", reply, as_json)


@asks_app.command("decline")
def decline(ask_id: int, reply: ReplyOpt = None, as_json: JsonOpt = False) -> None:
    """Say no; nobody is contacted."""
    _answer(ask_id, "declined", reply, as_json)


@asks_app.command("more")
def more(ask_id: int, reply: ReplyOpt = None, as_json: JsonOpt = False) -> None:
    """Ask the requester for more before deciding."""
    _answer(ask_id, "more", reply, as_json)


@asks_app.command("withdraw")
def withdraw(ask_id: int, as_json: JsonOpt = False) -> None:
    """Take back an ask you made."""
    _answer(ask_id, "withdrawn", None, as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(community_app, name="community")
    app.add_typer(member_app, name="member")
    app.add_typer(asks_app, name="asks")
