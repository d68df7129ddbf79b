"""Self-calibration through the workspace and the CLI: the product path, reset, ratings."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import Cli
from weakties.engines.local import build_network
from weakties.store.ties import read_ties
from weakties.synth.world import World, build_world
from weakties.workspace import Workspace


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(7)


@pytest.fixture(scope="module")
def loaded(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("calibration") / "world.db"
    with Workspace.open(str(db)) as ws:
        ws.load_world(world)
    yield db


def _scores(ws: Workspace) -> dict[int, tuple[float, str]]:
    ws.refresh_ties(force=True)
    with ws.transaction() as conn:
        return read_ties(conn)


def test_rescoring_is_calibrated_and_deterministic(loaded: Path) -> None:
    with Workspace.open(str(loaded)) as ws:
        state = ws.calibration()
        assert state.on and not state.ratings_refit
        assert state.calibration.persistence.calibrated and state.calibration.knows.calibrated
        moment = datetime(2026, 12, 1, tzinfo=UTC)
        with ws.transaction() as conn:
            _, one = ws._score(conn, moment)
            _, two = ws._score(conn, moment)
        assert one.calibration.as_dict() == two.calibration.as_dict()
        assert np.array_equal(one.strength, two.strength)
        assert np.array_equal(one.category, two.category)
        first = _scores(ws)
        # the same scores as the engine gives with calibration, and not the defaults' scores
        with ws.transaction() as conn:
            facts = ws._facts(conn)
        now = datetime.now(UTC).timestamp()
        cal = build_network(facts, now, calibrated=True)
        plain = build_network(facts, now)
        assert cal is not None and plain is not None
        rows = cal.owner_rows()
        want = dict(zip(cal.contact_of(rows).tolist(), cal.strength[rows].tolist(), strict=True))
        for pid, (s, _) in first.items():
            assert s == pytest.approx(want[pid], abs=1e-6)  # scored a moment apart
        assert not np.allclose(cal.strength, plain.strength)


def test_reset_returns_to_the_defaults_and_on_comes_back(loaded: Path) -> None:
    with Workspace.open(str(loaded)) as ws:
        calibrated = _scores(ws)
        ws.set_calibration(False)
        assert not ws.calibration().on
        defaults = _scores(ws)
        with ws.transaction() as conn:
            facts = ws._facts(conn)
        plain = build_network(facts, datetime.now(UTC).timestamp())
        assert plain is not None
        rows = plain.owner_rows()
        want = dict(
            zip(plain.contact_of(rows).tolist(), plain.strength[rows].tolist(), strict=True)
        )
        for pid, (s, _) in defaults.items():
            assert s == pytest.approx(want[pid], abs=1e-6)
        assert defaults != calibrated
        ws.set_calibration(True)
        back = _scores(ws)
        assert back.keys() == calibrated.keys()
        for pid, (s, _) in back.items():
            assert s == pytest.approx(calibrated[pid][0], abs=1e-6)


def test_calibration_at_a_past_date_ignores_the_later_history(loaded: Path) -> None:
    with Workspace.open(str(loaded)) as ws, ws.transaction() as conn:
        facts = ws._facts(conn)
    past = float(np.quantile(facts.p_time, 0.6))
    keep = facts.p_time <= past
    truncated = dataclasses.replace(
        facts,
        **{
            name: getattr(facts, name)[keep]
            for name in ("p_interaction", "p_person", "p_initiator", "p_time", "p_channel")
        },
    )
    with_future = build_network(facts, past, calibrated=True)
    without = build_network(truncated, past, calibrated=True)
    assert with_future is not None and without is not None
    assert with_future.calibration.as_dict() == without.calibration.as_dict()
    later = build_network(facts, float(facts.p_time.max()), calibrated=True)
    assert later is not None
    assert later.calibration.persistence.weights != without.calibration.persistence.weights


def test_ratings_refit_takes_precedence_over_the_calibrated_tie_model(
    loaded: Path, tmp_path: Path
) -> None:
    db = tmp_path / "rated.db"
    db.write_bytes(loaded.read_bytes())
    with Workspace.open(str(db)) as ws:
        ties = ws.ties(limit=12)
        for i, row in enumerate(ties):
            ws.rate(str(row.person_id), 0.9 if i % 2 else 0.2)
        state = ws.calibration()
        assert state.ratings_refit and state.on
        with ws.transaction() as conn:
            _, net = ws._score(conn)
        assert net.tie_model is None  # strength follows the ratings' refit weights
        assert net.calibration.knows.calibrated  # knows still learns from the history
        ws.reset_ratings()
        with ws.transaction() as conn:
            _, net = ws._score(conn)
        assert net.tie_model is not None and net.tie_model.calibrated


def test_cli_calibrate_shows_reset_and_on(loaded: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    db.write_bytes(loaded.read_bytes())
    cli = Cli(db)
    shown = cli.ok("calibrate")
    assert "tie strength: fitted on" in shown.output and "held-out AUC" in shown.output
    data = json.loads(cli.ok("calibrate", "--json").output)
    assert data["on"] is True and data["persistence"]["calibrated"] is True
    assert set(data["persistence"]["weights"]) >= {"recency", "volume", "reciprocity"}
    assert set(data["knows"]["weights"]) >= {"resource_allocation", "adamic_adar", "activity"}
    off = cli.ok("calibrate", "--reset")
    assert "literature defaults" in off.output
    assert json.loads(cli.ok("calibrate", "--json").output)["on"] is False
    assert "calibrating on your own history" in cli.ok("calibrate", "--on").output
    tie = cli.ok("tie", str(next(iter(_owner_contacts(db)))))
    assert "your history rewards" in tie.output
    bad = cli("calibrate", "--reset", "--on")
    assert bad.exit_code == 1 and "not both" in bad.output


def _owner_contacts(db: Path) -> list[int]:
    with Workspace.open(str(db)) as ws:
        return [r.person_id for r in ws.ties(limit=3)]
