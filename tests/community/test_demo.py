"""The community demo plays the story on SQLite and on PostgreSQL, checked against the truth
the generator kept (who is who, who knows whom), not against what the code computed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.pgserver import create_database, postgres_server
from weakties.store import schema as s
from weakties.synth.world import TARGET_ORG_NAME
from weakties.workspace.community import Community
from weakties.workspace.community_demo import build_community_demo, community_tour


def resolution(c: Community) -> tuple[float, float]:
    """(precision, recall) of people across members against the generator's truth: names are
    unique in the population, so a name is a human. Precision: pooled people holding one human;
    recall: humans in several members' data held by one pooled person."""
    with c.transaction() as conn:
        rows = conn.execute(select(s.pool_contact.c.pool_person_id, s.pool_contact.c.name)).all()
        members = dict(conn.execute(select(s.member.c.pool_person_id, s.member.c.name)).all())
    humans_of: dict[int, set[str]] = {}
    people_of: dict[str, set[int]] = {}
    for pid, name in rows:
        humans_of.setdefault(int(pid), set()).add(str(name))
        people_of.setdefault(str(name), set()).add(int(pid))
    for pid, name in members.items():
        humans_of.setdefault(int(pid), set()).add(str(name))
        people_of.setdefault(str(name), set()).add(int(pid))
    precision = sum(len(h) == 1 for h in humans_of.values()) / len(humans_of)
    shared = [p for p in people_of.values()]
    recall = sum(len(p) == 1 for p in shared) / len(shared)
    return precision, recall


def play(c: Community, members: int) -> None:
    demo = build_community_demo(c, members=members, contacts=40, seed=7)
    story = demo.alumni.story
    people = demo.alumni.people
    truth_acme = {
        people[i].name
        for m in demo.alumni.members
        if m.sharing.value == "full"
        for i in m.contacts
        if people[i].org == TARGET_ORG_NAME
    }
    tour = community_tour(c, demo.alumni)
    # the member has nobody at Acme Bank in their own data (the generator made sure), the pool
    # has the people there whom members sharing organisations know
    assert tour.pooled.reachable_own == 0
    assert tour.pooled.targets == len(truth_acme) and tour.pooled.reachable_pooled >= 1
    assert tour.pooled.paths
    assert tour.reach.people_pooled > tour.reach.people_own
    # the ask waits in the broker's inbox and nobody else's, until the broker accepts
    assert [a.id for a in tour.inbox if a.id == tour.ask.id] == [tour.ask.id]
    for m in demo.alumni.members:
        if m.handle not in (story.broker, story.member):
            assert tour.ask.id not in [a.id for a in c.asks(m.handle)[0]]
    assert tour.answered.status.value == "accepted"
    precision, recall = resolution(c)
    assert precision == 1.0
    assert recall >= 0.95


def test_the_community_demo_on_sqlite(tmp_path_factory: pytest.TempPathFactory) -> None:
    c = Community.open(str(tmp_path_factory.mktemp("demo") / "c.db"))
    play(c, 8)
    c.close()


@pytest.fixture(scope="module")
def pg_socket() -> Iterator[str]:
    with postgres_server() as socket_dir:
        yield socket_dir


def test_the_community_demo_on_postgres(pg_socket: str) -> None:
    c = Community.open(create_database(pg_socket, "community_demo"))
    play(c, 6)
    c.close()
