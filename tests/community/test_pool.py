"""One person across members, publication that is idempotent, and pooled paths by hand."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.community.build import MemberSpec, build
from weakties.analysis.graph import hop_probability
from weakties.domain.community import COMMUNITY_STRENGTH, Sharing
from weakties.errors import NotFound
from weakties.workspace.community import Community
from weakties.workspace.pooled import neutral_hop


def _community(tmp_path: Path) -> Community:
    c = Community.open(str(tmp_path / "c.db"))
    c.init("Example Alumni")
    return c


def _people(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in con.execute("SELECT name_key FROM pool_person"))
    finally:
        con.close()


def test_one_human_is_one_pooled_person(tmp_path: Path) -> None:
    c = _community(tmp_path)
    for handle, name in (("alice", "Alice Adams"), ("bob", "Bob Brown"), ("carol", "Carol Chen")):
        c.add_member(handle, name, emails=[f"{handle}@members.example.com"], sharing=Sharing.FULL)
    with c.member_workspace("alice") as ws:
        ws.add_person("Jane Roe", emails=["jane@acmebank.example"], org="Acme Bank")
        ws.add_person("Ria Patel", org="Beta Ltd")  # no address: name and organisation decide
        ws.add_person("Sam Lee")  # a bare name
        ws.add_person("Bob B.", emails=["bob@members.example.com"])  # a fellow member
    with c.member_workspace("bob") as ws:
        ws.add_person("Jane Roe", emails=["JANE@acmebank.example"], org="Acme Bank")
        ws.add_person("Ria Patel", org="Beta Ltd.")
        ws.add_person("Sam Lee")  # another member's bare "Sam Lee" is not assumed the same
    with c.member_workspace("carol") as ws:
        ws.add_person("J. Roe", emails=["jane@acmebank.example"])  # same address, other name
        ws.add_person("Ria Patel", org="Gamma Labs")  # same name, other organisation
    people = _people(tmp_path / "c.db")
    # the members, one Jane, Ria at Beta, Ria at Gamma, and two Sam Lees
    assert people == sorted(
        [
            "alice adams",
            "bob brown",
            "carol chen",
            "jane roe",
            "ria patel",
            "ria patel",
            "sam lee",
            "sam lee",
        ]
    )
    # "three members know someone at Acme Bank" is one human, each member's tie kept apart
    con = sqlite3.connect(tmp_path / "c.db")
    rows = con.execute(
        "SELECT pool_person_id, member_id FROM pool_contact WHERE org_key = 'acme bank'"
    ).fetchall()
    con.close()
    assert len({p for p, _ in rows}) == 1 and len(rows) == 2
    assert c.paths("carol", "org", "Acme Bank").targets == 1
    # alice's contact with bob's address is bob, the member
    con = sqlite3.connect(tmp_path / "c.db")
    query = "SELECT pool_person_id FROM pool_contact WHERE name = 'Bob B.'"
    (bob_b,) = con.execute(query).fetchone()
    (bob,) = con.execute("SELECT pool_person_id FROM member WHERE handle = 'bob'").fetchone()
    con.close()
    assert bob_b == bob


def test_publishing_again_changes_nothing(tmp_path: Path) -> None:
    c = _community(tmp_path)
    build(
        c,
        [
            MemberSpec("alice", "Alice Adams", Sharing.FULL, True, {0: 3, 2: 1, 3: 1}, [(0, 2)]),
            MemberSpec("bob", "Bob Brown", Sharing.EXISTS, False, {0: 1, 4: 2}),
        ],
    )

    def dump() -> list[object]:
        con = sqlite3.connect(tmp_path / "c.db")
        try:
            return [
                sorted(con.execute(f"SELECT * FROM {t}"))
                for t in ("pool_person", "pool_identity", "pool_contact", "pool_arc")
            ]
        finally:
            con.close()

    before = dump()
    assert c.publish("alice") is None  # unchanged since the last publication
    assert c.publish("alice", force=True) is not None
    assert c.publish("bob", force=True) is not None
    assert dump() == before


def test_forget_leaves_the_pool_with_the_next_publication(tmp_path: Path) -> None:
    c = _community(tmp_path)
    c.add_member("alice", "Alice Adams", sharing=Sharing.FULL, share_names=True)
    c.add_member("bob", "Bob Brown")
    with c.member_workspace("alice") as ws:
        ws.add_person("Lena Berg", org="Delta Health")
    assert "lena berg" in _people(tmp_path / "c.db")
    with c.member_workspace("alice") as ws:
        ws.forget("Lena Berg")
    assert "lena berg" not in _people(tmp_path / "c.db")


def test_a_pooled_path_by_hand(tmp_path: Path) -> None:
    """bob → alice (members: the community's weak tie) → Jane (alice's tie, shared in full)
    is worth the product of the two hops; through an ``exists`` member the second hop is the
    neutral probability instead of the real one."""
    c = _community(tmp_path)
    c.add_member("alice", "Alice Adams", sharing=Sharing.FULL, share_names=True)
    c.add_member("bob", "Bob Brown")
    with c.member_workspace("alice") as ws:
        ws.add_person("Jane Roe", org="Acme Bank", title="Product Manager")
        for day in ("2026-10-01", "2026-10-15", "2026-11-02"):
            ws.log(["Jane Roe"], when=day)
    con = sqlite3.connect(tmp_path / "c.db")
    (published,) = con.execute(
        "SELECT strength FROM pool_contact WHERE name = 'Jane Roe'"
    ).fetchone()
    con.close()
    first = float(hop_probability(COMMUNITY_STRENGTH)[()])
    second = float(hop_probability(published)[()])
    result = c.paths("bob", "org", "Acme Bank")
    best = result.paths[0]
    assert best.names == ("you", "Alice Adams", "Jane Roe")
    assert best.target_role == "Product Manager, Acme Bank"
    assert best.hops[0].probability == pytest.approx(first, rel=1e-5)
    assert best.hops[1].probability == pytest.approx(second, rel=1e-5)
    assert best.probability == pytest.approx(first * second, rel=1e-5)
    assert (result.reachable_own, result.reachable_pooled) == (0, 1)
    c.share("alice", Sharing.FULL, names=False)
    anonymous = c.paths("bob", "org", "Acme Bank").paths[0]
    assert anonymous.names == ("you", "Alice Adams", "someone Alice Adams knows")
    assert anonymous.target_role == "Product Manager, Acme Bank"
    c.share("alice", Sharing.EXISTS)
    with pytest.raises(NotFound, match="nobody the community may show you"):
        c.paths("bob", "org", "Acme Bank")  # nobody shares Jane's organisation now
    # carol shares Jane's job: the path through alice exists again, at the neutral value
    c.add_member("carol", "Carol Chen", sharing=Sharing.FULL)
    with c.member_workspace("carol") as ws:
        ws.add_person("Jane Roe", org="Acme Bank", title="Product Manager")
    through = {p.names[1]: p for p in c.paths("bob", "org", "Acme Bank").paths}
    assert through["Alice Adams"].names[2] == "someone Alice Adams knows"
    assert through["Alice Adams"].hops[1].probability == pytest.approx(neutral_hop(), rel=1e-5)
    assert neutral_hop() != pytest.approx(second, rel=1e-3)


def test_knows_evidence_from_several_members_adds_up() -> None:
    """Two members' data both say 5 and 7 know each other (0.3 and 0.5): the pair's arc is
    1 − 0.7 · 0.5 = 0.65 (and 1 − 0.8 · 0.6 = 0.52 the other way), credited to the member with
    the stronger arc; a member's own tie arc and a lone knows arc are left alone."""
    import numpy as np

    from weakties.workspace.pooled import _combine_knows, combine_evidence

    assert combine_evidence(np.array([0.3, 0.5])) == pytest.approx(0.65)
    kind = ["knows", "tie", "knows", "knows"]
    out = _combine_knows(
        np.array([k == "knows" for k in kind]),
        np.array([1, 1, 2, 3]),  # contributors
        np.array([5, 1, 5, 6]),
        np.array([7, 5, 7, 9]),
        kind,
        np.array([0.3, 0.4, 0.5, 0.2]),
        np.array([0.2, 0.4, 0.4, 0.1]),
    )
    arcs = sorted(zip(*(list(x) for x in out), strict=True))
    assert [(c, a, b, k) for c, a, b, k, _, _ in arcs] == [
        (1, 1, 5, "tie"),
        (2, 5, 7, "knows"),
        (3, 6, 9, "knows"),
    ]
    assert [round(float(p), 6) for *_, p, _ in arcs] == [0.4, 0.65, 0.2]
    assert [round(float(q), 6) for *_, q in arcs] == [0.4, 0.52, 0.1]
