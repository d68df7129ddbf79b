"""Commands that write the ledger: log an interaction, record favours and introductions."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from weakties.cli.output import local_time, ok, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _ws() -> Any:
    from weakties.cli.app import open_workspace

    return open_workspace()


def _enum(kind: Any, value: str, what: str) -> Any:
    from weakties.errors import InvalidInput

    try:
        return kind(value.lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        raise InvalidInput(
            f"unknown {what} {value!r}", hint="accepted: " + ", ".join(k.value for k in kind)
        ) from None


def log(
    people: Annotated[
        list[str], typer.Argument(help="One or more people (id, email, URL or name).")
    ],
    channel: Annotated[
        str,
        typer.Option("--channel", "-c", help="email, meeting, call, message, in_person or social."),
    ] = "message",
    when: Annotated[
        str,
        typer.Option(
            "--when", "-w", help="When (now, 2024-05-03 14:00, yesterday, '2 weeks ago')."
        ),
    ] = "now",
    direction: Annotated[
        str,
        typer.Option(
            "--direction", "-d", help="outbound (you reached out), inbound (they did) or mutual."
        ),
    ] = "outbound",
    summary: Annotated[
        str | None, typer.Option("--summary", "-s", help="What it was about.")
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="conversation, follow, like, comment, connection, …")
    ] = "conversation",
    as_json: JsonOpt = False,
) -> None:
    """Log an interaction between you and one or more people."""
    from weakties.domain.ledger import Channel, Direction, InteractionKind

    aliases = {"out": "outbound", "in": "inbound", "sent": "outbound", "received": "inbound"}
    with _ws() as ws:
        item = ws.log(
            people,
            channel=_enum(Channel, channel, "channel"),
            when=when,
            direction=_enum(Direction, aliases.get(direction.lower(), direction), "direction"),
            summary=summary,
            kind=_enum(InteractionKind, kind, "kind"),
        )
    if as_json:
        print_json(item)
    else:
        ok(
            f"logged {item.channel.value.replace('_', ' ')} on {local_time(item.occurred_at)} (#{item.id})"
        )


def _favor(
    person: str, what: str, when: str | None, size: str, *, by_them: bool, as_json: bool
) -> None:
    from weakties.domain.ledger import FavorSize

    with _ws() as ws:
        favor = ws.helped(
            person, what, when=when, size=_enum(FavorSize, size, "size"), by_them=by_them
        )
        name = ws.person(favor.giver_id if by_them else favor.receiver_id).name
    if as_json:
        print_json(favor)
    elif by_them:
        ok(f"{name} helped you: {favor.what}")
    else:
        ok(f"you helped {name}: {favor.what}")


FavourWhen = Annotated[
    str | None, typer.Option("--when", "-w", help="When (2019, 2019-05, 'last year').")
]
FavourSize = Annotated[str, typer.Option("--size", help="small, medium or large.")]


def helped(
    person: Annotated[str, typer.Argument(help="Whom you helped.")],
    what: Annotated[str, typer.Argument(help="What you did, e.g. 'migrated their email'.")],
    when: FavourWhen = None,
    size: FavourSize = "small",
    as_json: JsonOpt = False,
) -> None:
    """Record a favour you did for someone (the goodwill ledger)."""
    _favor(person, what, when, size, by_them=False, as_json=as_json)


def helped_by(
    person: Annotated[str, typer.Argument(help="Who helped you.")],
    what: Annotated[str, typer.Argument(help="What they did.")],
    when: FavourWhen = None,
    size: FavourSize = "small",
    as_json: JsonOpt = False,
) -> None:
    """Record a favour someone did for you."""
    _favor(person, what, when, size, by_them=True, as_json=as_json)


def intro(
    a: Annotated[str, typer.Argument(help="First person.")],
    b: Annotated[str, typer.Argument(help="Second person.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Who made the introduction (default: you).")
    ] = None,
    when: Annotated[str | None, typer.Option("--when", "-w")] = None,
    outcome: Annotated[
        str,
        typer.Option("--outcome", help="pending, met, worked_together, no_response or declined."),
    ] = "pending",
    note_text: Annotated[
        str | None, typer.Option("--note", help="Why, or what came of it.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record that A was introduced to B (by you, or --by C)."""
    from weakties.domain.ledger import IntroOutcome

    with _ws() as ws:
        item = ws.intro(
            a, b, by=by, when=when, outcome=_enum(IntroOutcome, outcome, "outcome"), note=note_text
        )
        names = {
            pid: ws.person(pid).name for pid in (item.a_id, item.b_id, item.introducer_id) if pid
        }
        me = ws.me().id
    if as_json:
        print_json(item)
        return
    who = "you" if item.introducer_id == me else names.get(item.introducer_id or 0, "?")
    ok(f"{who} introduced {names[item.a_id]} to {names[item.b_id]} (#{item.id})")


def register(app: typer.Typer) -> None:
    app.command()(log)
    app.command()(helped)
    app.command("helped-by")(helped_by)
    app.command()(intro)
