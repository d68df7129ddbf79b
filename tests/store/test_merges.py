"""Merging is reversible, and forgetting erases every fact about a person."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

from weakties.domain.ledger import Channel
from weakties.workspace import Workspace


def _dump(ws: Workspace) -> dict[str, list[dict[str, object]]]:
    buffer = io.StringIO()
    ws.export(buffer, "json")
    tables = json.loads(buffer.getvalue())["tables"]
    for row in tables["person"]:
        row.pop("updated_at")
    tables.pop("merge")
    tables.pop("search_term", None)
    return tables


def _world(ws: Workspace) -> None:
    ws.add_person(
        "Jane Roe", emails=["jane@example.org"], tags=["fintech"], org="Acme Bank", title="CTO"
    )
    ws.add_person(
        "J. Roe", phones=["+44 7700 900123"], tags=["fintech", "climbing"], location="Leeds"
    )
    ws.add_person("Bob Smith")
    ws.log(["jane@example.org"], channel=Channel.EMAIL, when="2024-01-02T10:00Z")
    ws.log(["+447700900123", "bob"], channel=Channel.MEETING, when="2024-02-02T10:00Z")
    ws.log(["jane@example.org", "+447700900123"], when="2024-03-02T10:00Z")  # both records in one
    ws.helped("+447700900123", "proofread a talk", when="2023")
    ws.intro("jane@example.org", "+447700900123", by="bob")  # an intro between the two records
    ws.note("+447700900123", "met at the crag")


def test_merge_moves_everything_and_unmerge_restores_it(ws: Workspace) -> None:
    _world(ws)
    before = _dump(ws)
    kept, _ = ws.merge("jane@example.org", "+447700900123")
    assert kept.name == "Jane Roe"
    assert {i.value for i in kept.identities} == {"jane@example.org", "+447700900123"}
    assert set(kept.tags) == {"fintech", "climbing"}
    assert kept.location == "Leeds" and "J. Roe" in kept.aliases
    profile = ws.profile("jane@example.org")
    assert profile.interaction_count == 3
    assert [f.what for f in profile.favors] == ["proofread a talk"]
    assert [r.name for r in ws.people("roe")] == ["Jane Roe"]  # the merged record is hidden
    assert [r.name for r in ws.people("crag")] == ["Jane Roe"]  # its note came along
    ws.unmerge("J. Roe")
    assert _dump(ws) == before


def test_forget_erases_every_fact(ws: Workspace, db_path: Path) -> None:
    _world(ws)
    name, counts = ws.forget("+447700900123")
    assert name == "J. Roe"
    assert counts["identities"] == 1 and counts["favours"] == 1 and counts["notes"] == 1
    assert counts["interactions"] == 2 and counts["introductions"] == 1
    ws.close()
    raw = sqlite3.connect(db_path)
    text = "\n".join(line for line in raw.iterdump())
    raw.close()
    for trace in ("J. Roe", "447700900123", "proofread", "crag", "climbing"):
        assert trace not in text, trace
    # the meeting with Bob survives (two people remain); the 1:1 chat with only me does not
    reopened = Workspace.open(str(db_path))
    assert reopened.profile("bob").interaction_count == 1
    assert reopened.profile("jane@example.org").interaction_count == 2
    reopened.close()


def test_forget_also_erases_records_merged_into_them(ws: Workspace) -> None:
    _world(ws)
    ws.merge("jane@example.org", "+447700900123")
    _name, counts = ws.forget("jane@example.org")
    assert counts["people"] == 2
    assert [r.name for r in ws.people()] == ["Bob Smith"]


def test_merging_two_people_suggested_with_the_same_third(ws: Workspace) -> None:
    from weakties.store.resolve import queue_candidate

    a = ws.add_person("Jane Roe")
    b = ws.add_person("J. Roe")
    c = ws.add_person("Janet Roe")
    with ws.transaction() as conn:
        queue_candidate(conn, a.id, c.id, 0.9, "test")  # type: ignore[arg-type]
        queue_candidate(conn, b.id, c.id, 0.9, "test")  # type: ignore[arg-type]
    ws.merge(str(a.id), str(b.id))  # must not collide on the (pair) uniqueness of suggestions
    pending = ws.merge_queue()
    assert [(s.a.name, s.b.name) for s in pending] == [("Jane Roe", "Janet Roe")]
    ws.unmerge(str(b.id))
    assert len(ws.merge_queue()) == 2
