"""Members: adding, sharing, and removal that takes everything they contributed and nothing else."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.community.build import MemberSpec, build
from weakties.domain.community import Role, Sharing
from weakties.errors import Conflict, InvalidInput, NotFound
from weakties.workspace.community import Community

TABLES = ("person", "identity", "interaction", "participant", "affiliation", "tie")


def _community(tmp_path: Path) -> Community:
    c = Community.open(str(tmp_path / "c.db"))
    c.init("Example Alumni")
    return c


def _spec() -> list[MemberSpec]:
    return [
        MemberSpec("alice", "Alice Adams", Sharing.FULL, True, {0: 3, 2: 1}, [(0, 2)]),
        MemberSpec("bob", "Bob Brown", Sharing.EXISTS, False, {0: 1, 4: 2, 5: 1}, [(4, 5)]),
        MemberSpec("carol", "Carol Chen", Sharing.NONE, False, {1: 2, 6: 1}),
    ]


def _pool_rows(path: Path) -> dict[str, set[tuple[object, ...]]]:
    con = sqlite3.connect(path)
    try:
        return {
            t: set(con.execute(f"SELECT * FROM {t}"))
            for t in ("member", "pool_person", "pool_identity", "pool_contact", "pool_arc", "ask")
        }
    finally:
        con.close()


def _private_counts(c: Community, handle: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from weakties.store import schema as s

    ws = c.member_workspace(handle)
    try:
        with ws.transaction() as conn:
            return {
                t: int(
                    conn.execute(
                        select(func.count()).select_from(s.metadata.tables[t])
                    ).scalar_one()
                )
                for t in TABLES
            }
    finally:
        ws.engine.dispose()  # not close(): nothing to publish


def test_first_member_is_admin_and_handles_are_checked(tmp_path: Path) -> None:
    c = _community(tmp_path)
    first = c.add_member("alice", "Alice Adams", emails=["alice@example.com"])
    second = c.add_member("bob", "Bob Brown")
    assert (first.role, second.role) == (Role.ADMIN, Role.MEMBER)
    assert second.sharing == Sharing.EXISTS and not second.share_names  # the cautious default
    with pytest.raises(Conflict, match="already a member 'alice'"):
        c.add_member("alice", "Another Alice")
    with pytest.raises(InvalidInput, match="not a member handle"):
        c.add_member("Alice Adams!", "Alice Adams")
    with pytest.raises(NotFound, match="no member 'zed'"):
        c.member("zed")
    assert [m.handle for m in c.members()] == ["alice", "bob"]
    with c.member_workspace("alice") as ws:
        assert ws.me().name == "Alice Adams"


def test_a_personal_workspace_is_not_made_a_community(tmp_path: Path) -> None:
    from weakties.workspace import Workspace

    with Workspace.open(str(tmp_path / "mine.db")) as ws:
        ws.init("Alex Doe")
    with Community.open(str(tmp_path / "mine.db")) as c, pytest.raises(Conflict, match="personal"):
        c.init("Example Alumni")
    with (
        Community.open(str(tmp_path / "other.db")) as c,
        pytest.raises(NotFound, match="not a community"),
    ):
        c.members()


def test_remove_takes_what_the_member_contributed_and_nothing_else(tmp_path: Path) -> None:
    c = _community(tmp_path)
    build(c, _spec())
    bob = c.member("bob")
    c.ask("alice", "bob", "person", "Jane Roe")  # an ask to bob goes with him
    before = _pool_rows(tmp_path / "c.db")
    others = {h: _private_counts(c, h) for h in ("alice", "carol")}
    bob_file = tmp_path / "c.db.members" / f"member-{bob.id}.db"
    assert bob_file.exists()

    removed = c.remove_member("bob")

    after = _pool_rows(tmp_path / "c.db")
    gone = {t: before[t] - after[t] for t in before}
    assert all(not (after[t] - before[t]) for t in before), "removal added rows"
    # every row that went was bob's: his member row, his identities, ties and arcs, his asks
    assert {r[1] for r in gone["member"]} == {"bob"}
    for table in ("pool_identity", "pool_contact", "pool_arc"):
        assert gone[table] and all(r[0] == bob.id for r in gone[table]), table
        assert not any(r[0] == bob.id for r in after[table]), table
    assert len(gone["ask"]) == 1 and not after["ask"]
    # people only bob knew (Omar Haddad, Lena Berg, and bob himself) went; Jane, whom alice
    # knows too, stayed
    names_before = {r[1] for r in before["pool_person"]}
    names_after = {r[1] for r in after["pool_person"]}
    assert names_before - names_after == {"omar haddad", "lena berg", "bob brown"}
    assert "jane roe" in names_after
    assert removed["pool_contact"] == len(gone["pool_contact"])
    # the other members' private data is untouched, and bob's partition is gone
    assert {h: _private_counts(c, h) for h in ("alice", "carol")} == others
    assert not bob_file.exists()
    with pytest.raises(NotFound):
        c.member("bob")


def test_sharing_changes_take_effect_on_the_next_query(tmp_path: Path) -> None:
    c = _community(tmp_path)
    build(c, _spec())
    # Dan Fox (Acme Bank) is known only to carol, who shares nothing
    before = c.paths("bob", "org", "Acme Bank")
    assert before.targets == 1
    assert not any("Dan Fox" in p.names for p in before.paths)
    c.share("carol", Sharing.FULL, names=True)
    after = c.paths("bob", "org", "Acme Bank")
    assert after.targets == 2
    assert any(p.names[-2:] == ("Carol Chen", "Dan Fox") for p in after.paths)
    c.share("carol", Sharing.EXISTS)
    hidden = c.paths("bob", "org", "Acme Bank")
    assert hidden.targets == 1  # Dan's organisation is no longer shown, so he is no target
    with pytest.raises(NotFound):
        c.paths("bob", "person", "Dan Fox")
