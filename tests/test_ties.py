"""Tie strength through the workspace: categories, favours, refresh after edits, ratings, circles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from weakties.domain.ledger import Channel, Direction, InteractionKind
from weakties.errors import InvalidInput
from weakties.workspace import Workspace

NOW = datetime.now(UTC)


def _log(
    ws: Workspace, who: str, days_ago: float, channel: Channel = Channel.EMAIL, **kw: object
) -> None:
    when = (NOW - timedelta(days=days_ago)).isoformat()
    ws.log([who], channel=channel, when=when, **kw)  # type: ignore[arg-type]


@pytest.fixture
def network(ws: Workspace) -> Workspace:
    for name in ("Weekly Friend", "Old Colleague", "Linked Only", "Helped Once", "Not Helped"):
        ws.add_person(name)
    for week in range(52):  # weekly, both directions
        _log(
            ws,
            "Weekly Friend",
            3 + 7 * week,
            direction=Direction.OUTBOUND if week % 2 else Direction.INBOUND,
        )
    for month in range(36):  # monthly for three years, then silence for four
        _log(ws, "Old Colleague", 4 * 365 + 30 * month)
    _log(ws, "Linked Only", 400, channel=Channel.SOCIAL, kind=InteractionKind.CONNECTION)
    for who in ("Helped Once", "Not Helped"):  # the same history...
        _log(ws, who, 200)
        _log(ws, who, 100, direction=Direction.INBOUND)
    ws.helped("Helped Once", "migrated their email", when="2021", by_them=False)  # ...plus a favour
    return ws


def test_categories_follow_the_rules(network: Workspace) -> None:
    ties = {t.name: t for t in network.ties(limit=None)}
    assert ties["Weekly Friend"].category == "strong"
    assert ties["Old Colleague"].category == "dormant"  # silent for ≫ 8× its monthly rhythm
    assert ties["Linked Only"].category == "never"
    assert 0 < ties["Linked Only"].strength < ties["Not Helped"].strength
    assert (
        ties["Weekly Friend"].strength
        > ties["Not Helped"].strength
        > ties["Old Colleague"].strength
    )
    assert ties["Helped Once"].strength > ties["Not Helped"].strength  # goodwill counts
    assert [t.name for t in network.ties(category="dormant")] == ["Old Colleague"]


def test_scores_refresh_after_an_edit(network: Workspace) -> None:
    before = {t.name: t.strength for t in network.ties(limit=None)}
    assert network.refresh_ties() is False  # nothing changed: the cache stands
    for day in (1, 2, 3, 5, 8):
        _log(network, "Not Helped", day)
    after = {t.name: t.strength for t in network.ties(limit=None)}
    assert after["Not Helped"] > before["Not Helped"]
    assert after["Weekly Friend"] == pytest.approx(before["Weekly Friend"])


def test_explanation_states_true_facts(network: Workspace) -> None:
    detail = network.tie("Old Colleague")
    text = " ".join(detail.explanation.facts)
    assert "36 times" in text and "36 by email" in text
    assert detail.explanation.category.value == "dormant"
    helped = " ".join(network.tie("Helped Once").explanation.facts)
    assert "you did Helped favours" in helped
    with pytest.raises(InvalidInput):
        network.tie("me")


def test_ratings_override_and_refit(network: Workspace) -> None:
    result = network.rate("Linked Only", 0.9)
    assert result.cv_mae is None and result.ratings == 1
    ties = {t.name: t for t in network.ties(limit=None)}
    assert ties["Linked Only"].strength == pytest.approx(0.9)
    for i in range(10):
        network.add_person(f"Rated {i}")
        for k in range(i + 1):
            _log(network, f"Rated {i}", 10 + 30 * k)
        network.rate(f"Rated {i}", min(1.0, 0.1 * (i + 1)))
    fitted = network.rate("Rated 0", 0.1)
    assert fitted.cv_mae is not None and fitted.cv_mae >= 0
    assert network.reset_ratings() == 11
    with pytest.raises(InvalidInput):
        network.rate("Weekly Friend", 1.5)


def test_circles(network: Workspace) -> None:
    circles = network.circles()
    sizes = dict(zip(circles.layer_names, circles.sizes, strict=True))
    assert sizes["support clique"] == 1  # the weekly friend: 52 contacts in a year
    assert sizes["active network"] == 2  # two contacts in the last year, twice each
    assert circles.contacts == 5


def test_circles_place_every_recent_contact_in_a_layer(network: Workspace) -> None:
    layers = network.circles().layer_of
    names = {network.person(pid).name: layer for pid, layer in layers.items()}
    assert names == {
        "Weekly Friend": "support clique",
        "Helped Once": "active network",
        "Not Helped": "active network",
    }
