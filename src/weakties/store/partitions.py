"""Where a community member's private facts live: their own partition of the community store.

A member imports their exports exactly as a single user does, into a full weakties schema of
their own, so that their contacts, messages, notes and favours never share a table with anyone
else's. On PostgreSQL the partition is a schema of the community's database (the connection's
``search_path`` selects it, the conventional way to keep tenants apart on one server); on
SQLite it is a file in a folder beside the community's file. Removing a member drops the
partition whole.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from weakties.store.database import graph_cache_folder, sqlite_path

SCHEMA_PREFIX = "weakties_member_"


def _schema(member_id: int) -> str:
    return f"{SCHEMA_PREFIX}{int(member_id)}"


def partition_folder(community_url: str) -> Path | None:
    """The folder holding the members' files beside a SQLite community (None elsewhere)."""
    path = sqlite_path(community_url)
    return None if path is None else path.with_name(path.name + ".members")


def member_url(community_url: str, member_id: int) -> str:
    """The database URL of a member's partition."""
    folder = partition_folder(community_url)
    if folder is not None:
        return f"sqlite:///{folder / f'member-{int(member_id)}.db'}"
    from sqlalchemy.engine import make_url

    url = make_url(community_url)
    return url.update_query_dict(
        {"options": f"-csearch_path={_schema(member_id)}"}
    ).render_as_string(hide_password=False)


def create_partition(community_url: str, member_id: int, *, encrypted: bool = False) -> str:
    """Make the (empty) partition of a new member; returns its URL.

    ``encrypted`` says whether the community's SQLite file is encrypted, as its open
    workspace's driver knows (reading the file's header here would open and close a
    descriptor of it, which on POSIX drops the SQLite locks this process holds on it).
    """
    folder = partition_folder(community_url)
    if folder is not None:
        from weakties.errors import StoreError

        if encrypted:
            # a member's file would hold their facts in plain text beside the encrypted one
            raise StoreError(
                "an encrypted database cannot take community members yet",
                hint="run `weakties decrypt` first, or keep the community on PostgreSQL",
            )
        folder.mkdir(exist_ok=True)
        stale = folder / f"member-{int(member_id)}.db"
        for leftover in (stale, *(stale.with_name(stale.name + x) for x in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
    else:
        from sqlalchemy import create_engine, text

        engine = create_engine(community_url)
        try:
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{_schema(member_id)}" CASCADE'))
                conn.execute(text(f'CREATE SCHEMA "{_schema(member_id)}"'))
        finally:
            engine.dispose()
    return member_url(community_url, member_id)


def drop_partition(community_url: str, member_id: int) -> None:
    """Delete a member's partition and the graph cache built from it."""
    url = member_url(community_url, member_id)
    folder = partition_folder(community_url)
    if folder is not None:
        path = folder / f"member-{int(member_id)}.db"
        for suffix in ("", "-wal", "-shm", "-journal"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        shutil.rmtree(graph_cache_folder(url), ignore_errors=True)
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(community_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{_schema(member_id)}" CASCADE'))
    finally:
        engine.dispose()
    shutil.rmtree(graph_cache_folder(url), ignore_errors=True)
