"""Commands that copy the whole database: backup and restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from weakties.cli.output import ok, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it already exists.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Back up the database while it may be in use (SQLite: one file; PostgreSQL: pg_dump).

    The backup of an encrypted database is encrypted with the same key."""
    from weakties.cli.app import state
    from weakties.errors import Conflict
    from weakties.store import backup as copies
    from weakties.store.database import resolve_url, sqlite_path

    target = file.expanduser()
    if target.exists() and not force:
        raise Conflict(f"{target} already exists", hint="pass --force to replace it")
    url = resolve_url(state.db)
    path = sqlite_path(url)
    info = (
        copies.backup_sqlite(path, target)
        if path is not None
        else copies.backup_postgres(url, target)
    )
    if as_json:
        print_json(
            {
                "file": str(info.path),
                "engine": info.engine,
                "revision": info.revision,
                "encrypted": info.encrypted,
            }
        )
        return
    size = target.stat().st_size
    sealed = ", encrypted with the database's key" if info.encrypted else ""
    ok(f"backed up to {info.path} ({size / 1e6:.1f} MB, schema {info.revision}{sealed})")


def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by `weakties backup`.")],
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace a database that already holds data."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Replace the database with a backup, checked first and migrated if it is older."""
    from weakties.cli.app import state
    from weakties.errors import Conflict
    from weakties.store import backup as copies
    from weakties.store.database import resolve_url, sqlite_path

    source = file.expanduser()
    url = resolve_url(state.db)
    path = sqlite_path(url)
    if path is not None:
        key = copies.backup_key(source, path)
        copies.inspect_sqlite(source, key=key)
        if path.exists() and path.stat().st_size > 0 and not force:
            raise Conflict(
                f"the database {path} already exists",
                hint="pass --force to replace its contents with the backup",
            )
        info = copies.restore_sqlite(source, path, key=key)
    else:
        copies.inspect_pg_dump(source)
        if copies.postgres_holds_data(url) and not force:
            raise Conflict(
                "the PostgreSQL database already holds a weakties workspace",
                hint="pass --force to replace its contents with the backup",
            )
        info = copies.restore_postgres(source, url)
    if as_json:
        print_json(
            {
                "database": str(info.path),
                "engine": info.engine,
                "revision": info.revision,
                "encrypted": info.encrypted,
            }
        )
        return
    people = f", {info.people:,} people" if info.people is not None else ""
    sealed = ", encrypted" if info.encrypted else ""
    ok(f"restored {source}{people} (schema {info.revision}{sealed})")


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
