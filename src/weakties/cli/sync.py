"""Commands for keeping the network current from accounts: sync, sources add/list/remove."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from weakties.cli.output import console, err_console, local_time, ok, plain_table, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

sources_app = typer.Typer(
    help="Accounts `weakties sync` re-reads: add, list, remove.", no_args_is_help=True
)


def _ws() -> Any:
    from weakties.cli.app import open_workspace

    return open_workspace()


def _prompt() -> Any:
    """Asks for a password on a terminal; None when there is none (cron): then a missing
    password is a one-line error instead of a hang."""
    if not sys.stdin.isatty():
        return None

    def ask(label: str) -> str:
        return str(typer.prompt(label, hide_input=True))

    return ask


def _summary(report: Any) -> str:
    from weakties.workspace.sync import describe

    return describe(report)


def sync(
    url: Annotated[
        str | None,
        typer.Argument(
            help="imap[s]://, carddav[s]:// or caldav[s]://you@host[/path]; none: every configured source."
        ),
    ] = None,
    me: Annotated[
        list[str] | None,
        typer.Option("--me", help="Your address, when the account cannot tell (repeatable)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Read what is new since the last sync: mail headers, address books or calendars.

    Commits as it goes: Ctrl-C or a dropped connection keeps what was saved, and the next run
    resumes after it. The password comes from WEAKTIES_SYNC_PASSWORD, the keyring (see
    `weakties sources add --keyring`) or a prompt; it is never stored in the database. With no
    URL every configured source is synced (for cron before the monthly review).
    """
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from weakties.errors import WeaktiesError

    results: list[tuple[str, Any]] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with (
        _ws() as ws,
        Progress(*columns, console=err_console(), transient=True, disable=as_json) as progress,
    ):
        tasks: dict[str, Any] = {}

        def tick(source: str, done: int, total: int) -> None:
            if source not in tasks:
                tasks[source] = progress.add_task(f"syncing {source}", total=total)
            progress.update(tasks[source], completed=done, total=total)

        if url is not None:
            report = ws.sync(
                url,
                prompt=_prompt(),
                me=me or [],
                on_progress=lambda done, total: tick(url, done, total),
            )
            results.append((report.url, report))
        else:
            if not ws.sources():
                raise typer.BadParameter("no sources yet: add one with `weakties sources add URL`")
            results = ws.sync_all(prompt=_prompt(), me=me or [], on_progress=tick)
    failed = [r for r in results if isinstance(r[1], WeaktiesError)]
    if as_json:
        print_json(
            [
                {"url": u, "error": str(r)}
                if isinstance(r, WeaktiesError)
                else {"url": u, "counts": dict(r.counts), "fetched": r.fetched}
                for u, r in results
            ]
        )
    else:
        for source, result in results:
            if isinstance(result, WeaktiesError):
                err_console().print(f"[red]error:[/red] {escape(str(result))}", soft_wrap=True)
            else:
                ok(f"{escape(source)}: {escape(_summary(result))}")
    if failed:
        raise typer.Exit(1)


@sources_app.command("add")
def sources_add(
    url: Annotated[str, typer.Argument(help="imap[s]://, carddav[s]:// or caldav[s]:// URL")],
    use_keyring: Annotated[
        bool,
        typer.Option("--keyring", help="Ask for the password now and keep it in the OS keyring."),
    ] = False,
) -> None:
    """Add an account for `weakties sync` (the password never goes in the database)."""
    with _ws() as ws:
        row = ws.add_source(url)
    if use_keyring:
        from weakties.importers.accounts import parse_account
        from weakties.workspace.sync import store_password

        secret = typer.prompt(f"password for {row.url}", hide_input=True)
        store_password(parse_account(row.url), secret)
    ok(f"added {row.url}")


@sources_app.command("list")
def sources_list(as_json: JsonOpt = False) -> None:
    """The configured accounts and how their last sync went."""
    with _ws() as ws:
        rows = ws.sources()
    if as_json:
        print_json(rows)
        return
    if not rows:
        console().print("no sources yet: add one with `weakties sources add URL`")
        return
    plain_table(
        ["url", "last sync", "status", "result"],
        [
            [
                r.url,
                local_time(r.last_sync_at) if r.last_sync_at else "never",
                r.last_status or "",
                r.last_message or "",
            ]
            for r in rows
        ],
        widths={"url": 60, "result": 80},
    )


@sources_app.command("remove")
def sources_remove(url: Annotated[str, typer.Argument(help="The account URL.")]) -> None:
    """Forget an account and where its sync had got to (what it imported stays)."""
    with _ws() as ws:
        ws.remove_source(url)
    ok(f"removed {url}")


def register(app: typer.Typer) -> None:
    app.command()(sync)
    app.add_typer(sources_app, name="sources")
