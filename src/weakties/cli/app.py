"""The ``weakties`` command: global options, error handling and command registration.

Errors a user can cause (:class:`~weakties.errors.WeaktiesError`) are printed as one line on
stderr with exit code 1; ``--debug`` shows the traceback instead. Commands import the workspace
lazily so that ``weakties --help`` starts fast.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from weakties import __version__
from weakties.errors import WeaktiesError


class _State:
    db: str | None = None
    member: str | None = None
    debug: bool = False


state = _State()


class WeaktiesGroup(TyperGroup):
    """Converts weakties errors, raised anywhere below, into one line and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except WeaktiesError as exc:
            if state.debug or os.environ.get("WEAKTIES_DEBUG"):
                raise
            from rich.markup import escape

            from weakties.cli.output import err_console

            err_console().print(
                f"[red]error:[/red] {escape(one_line(str(exc)))}",
                markup=True,
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            from weakties.cli.output import err_console

            err_console().print("interrupted; nothing was changed by the unfinished step")
            raise typer.Exit(130) from None


def one_line(text: str) -> str:
    """``text`` with control and bidi characters escaped, so an error stays one honest line.

    A hostile file name (a newline, an ANSI escape, a right-to-left override) must not split
    the message, recolour the terminal or reverse what the user reads.
    """
    import unicodedata

    return "".join(
        c if unicodedata.category(c)[0] != "C" else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


app = typer.Typer(
    cls=WeaktiesGroup,
    name="weakties",
    help="weakties — your network, from the exports you already have, scored and put to work.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"weakties {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database file or SQLAlchemy URL (default: WEAKTIES_DB or the user data folder).",
        ),
    ] = None,
    member: Annotated[
        str | None,
        typer.Option(
            "--member",
            envvar="WEAKTIES_MEMBER",
            help="In a community database: act as this member (their workspace, pooled paths).",
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """weakties — your network, from the exports you already have, scored and put to work."""
    state.db = db
    state.member = member
    state.debug = debug


def open_workspace() -> Any:
    """The workspace named by ``--db`` / ``WEAKTIES_DB`` (created on first use); with
    ``--member``, that member's workspace in the community database."""
    from weakties.workspace import Workspace

    if state.member:
        with open_community() as community:
            return community.member_workspace(state.member)
    ws = Workspace.open(state.db)
    if ws.setting("community_name"):
        ws.close()
        from weakties.errors import InvalidInput

        raise InvalidInput(
            "this database is a community", hint="say who you are: weakties --member HANDLE ..."
        )
    return ws


def open_community() -> Any:
    """The community database named by ``--db`` / ``WEAKTIES_DB``."""
    from weakties.workspace.community import Community

    return Community.open(state.db)


def _register() -> None:
    from weakties.cli import (
        backups,
        batch,
        community,
        data,
        encryption,
        goals,
        imports,
        ledger,
        nudges,
        paths,
        people,
        plan,
        review,
        sync,
        ties,
        web,
    )

    for module in (
        people,
        ledger,
        ties,
        paths,
        plan,
        goals,
        nudges,
        review,
        imports,
        data,
        web,
        sync,
        backups,
        encryption,
        batch,
        community,
    ):
        module.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    app()
