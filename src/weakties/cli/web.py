"""The web app command (see weakties.web): ``weakties serve``."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback unless --allow-remote).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8765,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the app in your browser.")
    ] = False,
    allow_remote: Annotated[
        bool,
        typer.Option("--allow-remote", help="Allow a non-loopback --host (needs --password)."),
    ] = False,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            envvar="WEAKTIES_WEB_PASSWORD",
            help="Password asked at login with --allow-remote (or WEAKTIES_WEB_PASSWORD).",
        ),
    ] = None,
    max_stale: Annotated[
        float,
        typer.Option(
            "--max-stale",
            min=0,
            help="Seconds a page may show the previous figures, marked, while fresh ones are "
            "computed after a change made elsewhere (0: always wait).",
        ),
    ] = 30.0,
) -> None:
    """Serve the local web app and JSON API; the printed link logs your browser in."""
    from weakties.errors import InvalidInput, WeaktiesError

    try:
        import uvicorn

        from weakties.web.app import create_app
        from weakties.web.auth import ensure_token, is_loopback
    except ImportError as exc:
        raise WeaktiesError(
            f"the web app needs the `web` extra ({exc.name} is missing)",
            hint="pip install 'weakties[web]'",
        ) from None
    from weakties.cli.app import open_workspace
    from weakties.cli.output import console

    remote = not is_loopback(host)
    if remote and not allow_remote:
        raise InvalidInput(
            f"refusing to listen on {host}: only this machine (127.0.0.1) is allowed",
            hint="pass --allow-remote --password … to serve your network to other machines",
        )
    if remote and not (password and len(password) >= 12):
        raise InvalidInput(
            "--allow-remote needs --password (at least 12 characters)",
            hint="or set WEAKTIES_WEB_PASSWORD",
        )
    if _serve_community(host, port, remote, open_browser):
        return
    ws = open_workspace()
    token = ensure_token(ws)
    shown = "127.0.0.1" if not remote else host
    hosts = None if not remote else ["*"]
    app = create_app(
        ws,
        token,
        password=password if remote else None,
        allowed_hosts=hosts,
        max_stale=max_stale,
    )
    link = f"http://{shown}:{port}/login?token={token}"
    out = console()
    out.print(f"[bold]weakties[/bold] is serving {ws.url.split('///')[-1]}")
    out.print(f"Open this link to log in (keep it private): [cyan]{link}[/cyan]", soft_wrap=True)
    out.print(f"[dim]API: http://{shown}:{port}/api/docs · Ctrl-C stops[/dim]")
    if open_browser:
        import webbrowser

        webbrowser.open(link)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        ws.close()


def _serve_community(host: str, port: int, remote: bool, open_browser: bool) -> bool:
    """Serve the community app when ``--db`` is a community (members log in themselves)."""
    import uvicorn

    from weakties.cli.app import open_community, state
    from weakties.cli.output import console

    if state.member:
        return False  # --member: the member's own workspace, as a single user
    community = open_community()
    if not community.setting("community_name"):
        community.close()
        return False
    from weakties.web.community_app import create_community_app

    app = create_community_app(community, allowed_hosts=["*"] if remote else None)
    shown = host if remote else "127.0.0.1"
    link = f"http://{shown}:{port}/login"
    out = console()
    out.print(f"[bold]{community.name}[/bold]: members log in at [cyan]{link}[/cyan]")
    out.print(
        "[dim]set a member's password with `weakties member password HANDLE` · Ctrl-C stops[/dim]"
    )
    if open_browser:
        import webbrowser

        webbrowser.open(link)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        community.close()
    return True


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command()(serve)
