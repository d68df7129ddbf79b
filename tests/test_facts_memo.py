"""The facts the models read are loaded once per state of the database, and never reused
after a write: from this workspace, from another connection, or from another process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from weakties.domain.ledger import Channel
from weakties.workspace import Workspace


def _tied(ws: Workspace) -> set[str]:
    return {t.name for t in ws.ties()}


def test_a_write_anywhere_is_seen_by_the_next_score(ws: Workspace, db_path: Path) -> None:
    ws.add_person("Ann Able", emails=["ann@example.org"])
    ws.log(["Ann Able"], channel=Channel.EMAIL, when="2024-02-01")
    assert _tied(ws) == {"Ann Able"}
    ws.insights()  # scores again, at several dates, on the same unchanged state

    ws.add_person("Ben Bold")  # this workspace writes
    ws.log(["Ben Bold"], channel=Channel.CALL, when="2024-03-01")
    assert _tied(ws) == {"Ann Able", "Ben Bold"}

    ws.insights()  # facts kept again, as of this state
    with Workspace.open(str(db_path)) as other:  # another connection writes
        other.add_person("Cai Calm")
        other.log(["Cai Calm"], channel=Channel.MEETING, when="2024-04-01")
    assert _tied(ws) == {"Ann Able", "Ben Bold", "Cai Calm"}

    ws.insights()
    env = {**os.environ, "WEAKTIES_DB": str(db_path)}
    for args in (["add", "person", "Dee Deft"], ["log", "Dee Deft", "--when", "2024-05-01"]):
        subprocess.run([sys.executable, "-m", "weakties", *args], check=True, env=env)
    assert _tied(ws) == {"Ann Able", "Ben Bold", "Cai Calm", "Dee Deft"}


def test_the_shared_facts_cannot_be_changed_by_a_caller(ws: Workspace) -> None:
    ws.add_person("Ann Able")
    ws.log(["Ann Able"], channel=Channel.EMAIL, when="2024-02-01")
    with ws.transaction() as conn:
        facts, _ = ws._score(conn)
        with pytest.raises(ValueError, match="read-only"):
            facts.p_time[0] = 0.0
