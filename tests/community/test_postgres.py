"""The community on PostgreSQL for real: a schema per member, the pool in the public schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.community.build import MemberSpec, build
from tests.pgserver import create_database, postgres_server
from weakties.domain.community import AskStatus, Sharing
from weakties.workspace.community import Community


@pytest.fixture(scope="module")
def pg_socket() -> Iterator[str]:
    with postgres_server() as socket_dir:
        yield socket_dir


def _schemas(url: str) -> set[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                str(r[0])
                for r in conn.execute(text("SELECT nspname FROM pg_namespace"))
                if str(r[0]).startswith("weakties_member_")
            }
    finally:
        engine.dispose()


def test_members_paths_asks_and_removal_on_postgres(pg_socket: str) -> None:
    url = create_database(pg_socket, "community")
    c = Community.open(url)
    c.init("Example Alumni")
    build(
        c,
        [
            MemberSpec("alice", "Alice Adams", Sharing.FULL, False, {0: 3, 2: 1}, [(0, 2)]),
            MemberSpec("bob", "Bob Brown", Sharing.EXISTS, False, {0: 1, 4: 2}),
            MemberSpec("carol", "Carol Chen", Sharing.NONE, False, {1: 2}),
        ],
    )
    ids = {m.handle: m.id for m in c.members()}
    assert _schemas(url) == {f"weakties_member_{i}" for i in ids.values()}
    # each member's private data is in their own schema
    with c.member_workspace("carol") as ws:
        assert {p.name for p in ws.people()} >= {"Dan Fox"}
    with c.member_workspace("bob") as ws:
        assert "Dan Fox" not in {p.name for p in ws.people()}
    result = c.paths("bob", "org", "Acme Bank")
    assert result.targets == 1  # Jane; Dan is carol's, and carol shares nothing
    assert any(p.names == ("you", "Jane Roe") for p in result.paths)
    ask = c.ask("bob", "alice", "org", "Acme Bank")
    assert ask.target == "Jane Roe (Product Manager, Acme Bank)"  # bob knows her himself
    assert c.answer("alice", ask.id, AskStatus.ACCEPTED).status == AskStatus.ACCEPTED
    before = c.row_counts()
    removed = c.remove_member("carol")
    assert removed["member"] == 1 and removed["pool_contact"] == 1
    assert c.row_counts()["pool_contact"] == before["pool_contact"] - 1
    assert _schemas(url) == {f"weakties_member_{ids[h]}" for h in ("alice", "bob")}
    c.close()
