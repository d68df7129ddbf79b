"""The monthly review, credit and insights through the workspace and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, update

from tests.conftest import Cli
from weakties.analysis.review import last_closed_month, period, shift_month
from weakties.domain.goals import OpportunityStatus
from weakties.domain.ledger import Channel, Direction
from weakties.errors import InvalidInput, NotFound
from weakties.store import schema as s
from weakties.workspace import Workspace

TODAY = date.today()
MONTH = last_closed_month(TODAY)  # the review `weakties review` makes today
P = period(MONTH)
PREVIOUS = period(shift_month(MONTH, -1))


def _at(day: date, hour: int = 12) -> str:
    return datetime.combine(day, time(hour), UTC).isoformat()


@pytest.fixture
def month(ws: Workspace) -> Workspace:
    """A month with one of everything the review reports, and some things it must leave out."""
    for name in ("Old Friend", "New Person", "Cooling Friend", "Carol Diaz", "Bob Smith"):
        ws.add_person(name)
    ws.add_person("Jane Roe", org="Acme Bank")
    for k in range(10):  # known for years: not new
        ws.log(["Old Friend"], when=_at(P.start - timedelta(days=400 + 30 * k)))
    ws.log(["Old Friend"], when=_at(P.start + timedelta(days=1)))
    ws.log(["New Person"], when=_at(P.start + timedelta(days=2)), channel=Channel.CALL)
    for k in range(20):  # daily emails until the previous closing, then four weeks' silence
        ws.log(
            ["Cooling Friend"],
            when=_at(PREVIOUS.closes_on - timedelta(days=k)),
            channel=Channel.EMAIL,
            direction=Direction.INBOUND if k % 2 else Direction.OUTBOUND,
        )
    ws.log(["Carol Diaz"], when=_at(P.start - timedelta(days=800)))
    ws.log(["Bob Smith"], when=_at(P.start - timedelta(days=700)))
    ws.helped("Old Friend", "reviewed their CV", when=(P.start + timedelta(days=3)).isoformat())
    ws.helped(
        "Carol Diaz", "lent a camera", when=(P.start + timedelta(days=4)).isoformat(), by_them=True
    )
    ws.helped("Bob Smith", "old favour", when=(P.start - timedelta(days=3)).isoformat())
    ws.intro("Bob Smith", "Old Friend", when=(P.closes_on).isoformat())  # by me
    goal = ws.add_goal("product role at a fintech", tags=["industry:fintech"])
    ws.add_opportunity(
        "Product manager",
        org="Acme Bank",
        via=["Carol Diaz", "Bob Smith", "Jane Roe"],
        opened=(P.start + timedelta(days=5)).isoformat(),
        goal_id=goal.id,
    )
    ws.add_opportunity(
        "Old lead",
        opened=(P.start - timedelta(days=200)).isoformat(),
        status=OpportunityStatus.LOST,
    )
    with ws.transaction() as conn:
        conn.execute(  # the goal was set at the start of the month, not today
            update(s.goal).where(s.goal.c.id == goal.id).values(created=P.start.isoformat())
        )
        conn.execute(
            insert(s.nudge_state),
            [
                {
                    "key": "reconnect:old-friend",
                    "status": "done",
                    "until": None,
                    "updated_at": datetime.combine(P.start + timedelta(days=6), time(12), UTC),
                },
                {
                    "key": "help:carol",
                    "status": "snoozed",
                    "until": None,
                    "updated_at": datetime.combine(P.start + timedelta(days=6), time(12), UTC),
                },
            ],
        )
    return ws


def test_review_sections(month: Workspace) -> None:
    r = month.review()
    assert (r.month, r.start, r.closes_on, r.in_progress) == (MONTH, P.start, P.closes_on, False)
    assert [t.name for t in r.new_ties] == ["New Person"]
    assert r.new_ties[0].first_contact == (P.start + timedelta(days=2)).isoformat()
    assert r.previous == shift_month(MONTH, -1)  # scored as of its closing: nothing stored
    cold = {c.name: c for c in r.went_cold}
    assert "Cooling Friend" in cold and "Old Friend" not in cold
    assert cold["Cooling Friend"].strength_before - cold["Cooling Friend"].strength >= 0.2
    assert [(f.name, f.given, f.what) for f in r.favours] == [
        ("Old Friend", True, "reviewed their CV"),
        ("Carol Diaz", False, "lent a camera"),
    ]
    assert [(i.a, i.b, i.by_me) for i in r.introductions] == [("Bob Smith", "Old Friend", True)]
    assert [n.key for n in r.nudges_done] == ["reconnect:old-friend"]
    assert [(g.text, g.opportunities, g.open_opportunities) for g in r.goals] == [
        ("product role at a fintech", 1, 1)
    ]
    (opp,) = r.opportunities  # the lost lead closed long ago is left out
    assert (opp.title, opp.org, opp.event) == ("Product manager", "Acme Bank", "opened")
    assert [(c.name, round(c.share, 4)) for c in opp.chain] == [
        ("Carol Diaz", round(5 / 12, 4)),
        ("Bob Smith", round(1 / 6, 4)),
        ("Jane Roe", round(5 / 12, 4)),
    ]
    assert r.shape is not None
    # Old Friend, New Person, Cooling Friend, Carol, Bob; Jane has no contact with me
    assert r.shape.contacts == 5
    assert sum(r.shape.histogram) == 5 and sum(r.shape.categories.values()) == 5
    # contacts in the year to the closing: Cooling Friend 20 (monthly or more), Old Friend and
    # New Person once each (yearly); Carol and Bob were last seen two years ago
    assert r.shape.layer_sizes == (0, 1, 0, 2)
    assert [h.month for h in r.history] == [MONTH]


def test_reviews_are_stored_replaced_and_compared(month: Workspace) -> None:
    earlier = month.review(shift_month(MONTH, -1))
    assert earlier.previous is None or earlier.previous == shift_month(MONTH, -2)
    undated = month.helped("Old Friend", "an undated favour")  # recorded now, no date
    first = month.review()
    assert undated.id in {f.id for f in first.favours}
    assert first.previous == shift_month(MONTH, -1)
    assert [h.month for h in first.history] == [shift_month(MONTH, -1), MONTH]
    again = month.review()  # re-running replaces the stored month
    assert [r.month for r in month.reviews()] == [MONTH, shift_month(MONTH, -1)]
    assert again.new_ties == first.new_ties
    assert month.review_due() is None
    after_next = period(shift_month(MONTH, 1)).closes_on
    assert month.review_due(after_next) == shift_month(MONTH, 1)
    # the undated favour was shown once; the next month's review does not repeat it
    nxt = month.review(shift_month(MONTH, 1), today=period(shift_month(MONTH, 1)).start)
    assert nxt.in_progress is True and undated.id not in {f.id for f in nxt.favours}
    assert [r.month for r in month.reviews()] == [MONTH, shift_month(MONTH, -1)]  # not stored


def test_month_in_progress_is_shown_but_not_stored(month: Workspace) -> None:
    current = shift_month(MONTH, 1)
    start = period(current).start
    if start > TODAY:  # pragma: no cover - today is the closing day of MONTH
        start = TODAY
        current = MONTH
    r = month.review(current, today=start)
    assert r.in_progress is True
    assert month.reviews() == []
    assert month.review_due(TODAY) == MONTH


def test_review_refuses_future_and_bad_months(ws: Workspace) -> None:
    with pytest.raises(InvalidInput, match="after today"):
        ws.review(shift_month(MONTH, 3))
    with pytest.raises(InvalidInput, match="not a month"):
        ws.review("2026-7")


def test_review_closing_day_can_change(ws: Workspace) -> None:
    ws.set_setting("review_weekday", "monday")
    r = ws.review("2024-07", store=False)
    assert r.closes_on == date(2024, 7, 29) and r.start == date(2024, 6, 25)  # after Mon 24 June


def test_credit_and_suggested_chains(ws: Workspace) -> None:
    for name in ("Carol Diaz", "Bob Smith"):
        ws.add_person(name)
    ws.add_person("Jane Roe", org="Acme Bank")
    ws.log(["Carol Diaz"], when="2024-01-05")
    ws.intro("me", "Jane Roe", by="Carol Diaz", when="2024-02")
    chained = ws.add_opportunity("PM", org="Acme Bank", via=["Carol Diaz", "Jane Roe"])
    direct = ws.add_opportunity("Freelance gig", org="Acme Bank")
    assert chained.id is not None and direct.id is not None
    assert [(c.name, c.share) for c in ws.credit(chained.id)] == [
        ("Carol Diaz", 0.5),
        ("Jane Roe", 0.5),
    ]
    assert [(c.name, c.share) for c in ws.credit(direct.id)] == [("you", 1.0)]
    (suggestion,) = ws.suggest_chain(direct.id)
    assert [c.name for c in suggestion.chain] == ["Carol Diaz", "Jane Roe"]
    assert "Carol Diaz → Jane Roe" in suggestion.reason
    untargeted = ws.add_opportunity("Anything")
    assert untargeted.id is not None and ws.suggest_chain(untargeted.id) == []
    with pytest.raises(NotFound):
        ws.credit(999)


def test_insights_by_hand(ws: Workspace) -> None:
    ws.add_person("Carol Diaz")
    ws.add_person("Bob Smith")
    ws.log(["Carol Diaz"], when="2020-03-01T12:00:00+00:00")  # first contact
    for day in ("2022-04-10", "2022-09-01", "2023-01-15"):  # three in the year before
        ws.log(["Carol Diaz"], when=f"{day}T12:00:00+00:00")
    ws.helped("Carol Diaz", "migrated their email", when="2021-05-10")
    ws.helped("Bob Smith", "after the fact", when="2024-01")
    ws.add_opportunity("PM", via=["Carol Diaz", "Bob Smith"], opened="2023-03-01")
    ws.add_opportunity("Direct", opened="2023-05-01")
    found = ws.insights()
    chained = found.opportunities[0]
    assert chained.first_link == "Carol Diaz" and chained.first_contact == "2020-03-01"
    assert chained.days_to_opportunity == 1094.5  # 3 × 365 days less half a day
    assert (chained.contacts_year_before, chained.frequency) == (3, "occasionally")
    assert found.opportunities[1].first_link is None and found.direct == 1
    assert found.median_days_to_opportunity == 1094.5
    assert found.frequency == {"often": 0, "occasionally": 1, "rarely": 0}
    assert (found.less_than_often.count, found.less_than_often.total) == (1, 1)
    assert found.through_weak_ties.total == 1
    assert chained.category_then in ("strong", "moderate", "weak", "dormant", "never")
    assert [(f.name, f.what, f.days_before) for f in found.favours_before] == [
        ("Carol Diaz", "migrated their email", 660.0)  # 10 May 2021 → 1 Mar 2023
    ]
    assert [(c.name, c.share) for c in found.credit] == [("Carol Diaz", 0.5), ("Bob Smith", 0.5)]


def test_insights_when_empty(ws: Workspace) -> None:
    found = ws.insights()
    assert found.opportunities == () and found.through_weak_ties.share is None


# ---------------------------------------------------------------------------------- CLI


def test_cli_review_formats(cli: Cli, tmp_path: Path) -> None:
    cli.ok("add", "person", "Jane Roe")
    cli.ok("log", "Jane Roe", "--when", _at(P.start + timedelta(days=1)))
    due = cli("review", "--due")
    assert due.exit_code == 0 and MONTH in due.output
    shown = cli.ok("review")
    assert f"Monthly review {MONTH}" in shown.output and "Jane Roe" in shown.output
    assert cli("review", "--due").exit_code == 1  # stored now: nothing due
    md = tmp_path / "review.md"
    cli.ok("review", "--output", str(md))
    assert md.read_text().startswith(f"# Monthly review {MONTH}")
    page = tmp_path / "review.html"
    cli.ok("review", "--format", "html", "-o", str(page))
    text = page.read_text()
    assert text.startswith("<!doctype html>") and text.count("data:image/png;base64,") == 2
    listed = json.loads(cli.ok("reviews", "--json").output)
    assert [r["month"] for r in listed] == [MONTH]
    data = json.loads(cli.ok("review", "--json").output)
    assert data["new_ties"][0]["name"] == "Jane Roe"


def test_cli_errors_are_one_line(cli: Cli) -> None:
    for args, message in (
        (("review", "--month", "2026-13"), "not a month"),
        (("review", "--format", "pdf"), "unknown format"),
        (("credit", "42"), "no opportunity #42"),
    ):
        result = cli(*args)
        assert result.exit_code == 1 and message in result.output
        assert "Traceback" not in result.output


def test_cli_credit_and_insights(cli: Cli) -> None:
    cli.ok("add", "person", "Carol Diaz")
    cli.ok("add", "person", "Jane Roe", "--org", "Acme Bank")
    cli.ok("log", "Carol Diaz", "--when", "2023-01-10")
    cli.ok("intro", "me", "Jane Roe", "--by", "Carol Diaz", "--when", "2023-02")
    cli.ok("opportunity", "add", "PM", "--org", "Acme Bank", "--via", "Carol Diaz,Jane Roe")
    cli.ok("opportunity", "add", "Gig", "--org", "Acme Bank")
    credit = json.loads(cli.ok("credit", "1", "--json").output)
    assert [(c["name"], c["share"]) for c in credit["credit"]] == [
        ("Carol Diaz", 0.5),
        ("Jane Roe", 0.5),
    ]
    assert credit["suggestions"] == []
    shown = cli.ok("credit", "2")
    assert "no chain recorded" in shown.output and "--via" in shown.output
    insights = json.loads(cli.ok("insights", "--json").output)
    assert insights["direct"] == 1 and insights["opportunities"][0]["first_link"] == "Carol Diaz"
    assert "Granovetter" in cli.ok("insights").output
