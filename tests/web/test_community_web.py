"""The community web app: member logins, sessions, CSRF, roles, throttling, and isolation.

Runs the real app (FastAPI's TestClient over ASGI) on a real SQLite community; the browser
test below drives two members in two browser contexts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from weakties.domain.community import Sharing
from weakties.web.community_app import create_community_app
from weakties.web.members import SESSION_COOKIE, Sessions
from weakties.web.security import FAILURE_WINDOW, MAX_FAILURES
from weakties.workspace.community import Community

PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-22"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_community(path: Path) -> Community:
    c = Community.open(str(path))
    c.init("Example Alumni")
    c.add_member("alice", "Alice Adams", emails=["alice@members.example.com"], sharing=Sharing.FULL)
    c.add_member("bob", "Bob Brown", emails=["bob@members.example.com"])
    for handle, password in PASSWORDS.items():
        c.set_password(handle, password)
    with c.member_workspace("alice") as ws:
        ws.add_person("Jane Roe", emails=["jane@acmebank.example"], org="Acme Bank", title="PM")
        ws.log(["Jane Roe"], when="2026-11-02")
        ws.add_person("Priya Secret", emails=["priya@example.org"])
    with c.member_workspace("bob") as ws:
        ws.add_person("Bob's Confidant", emails=["confidant@example.net"])
        ws.log(["Bob's Confidant"], when="2026-11-03")
    return c


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Community, Clock, TestClient]]:
    c = make_community(tmp_path / "c.db")
    clock = Clock()
    app = create_community_app(c, allowed_hosts=["testserver"], sessions=Sessions(clock=clock))
    yield c, clock, TestClient(app)
    c.close()


def login(client: TestClient, handle: str, password: str | None = None) -> str:
    response = client.post(
        "/login",
        data={"handle": handle, "password": password or PASSWORDS[handle]},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    home = client.get("/")
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', home.text)
    assert found
    return found.group(1)


def test_pages_need_a_login_and_show_only_ones_own(
    setup: tuple[Community, Clock, TestClient],
) -> None:
    _, _, client = setup
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    assert client.get("/api/asks").status_code == 401
    login(client, "bob")
    page = client.get("/paths", params={"org": "Acme Bank"}).text
    assert "Alice Adams" in page and "someone Alice Adams knows" in page
    assert "Jane Roe" not in page  # alice shares jobs, not names
    for path in ("/", "/paths?org=Acme+Bank", "/sharing", "/api/asks", "/api/reach"):
        text = client.get(path).text
        assert "Priya Secret" not in text and "priya@example.org" not in text
        assert "jane@acmebank.example" not in text
    assert client.get("/members").status_code == 403  # bob is no admin
    assert client.get("/api/me").json()["handle"] == "bob"


def test_an_ask_from_one_member_reaches_the_other(
    setup: tuple[Community, Clock, TestClient],
) -> None:
    c, _, client = setup
    csrf = login(client, "bob")
    assert client.post("/asks", data={"through": "alice", "org": "Acme Bank"}).status_code == 403
    sent = client.post(
        "/asks",
        data={"through": "alice", "org": "Acme Bank", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    client.cookies.clear()
    csrf = login(client, "alice")
    inbox = client.get("/api/asks").json()["inbox"]
    assert [(a["requester"], a["via"]) for a in inbox] == [("bob", "Jane Roe")]
    answer = client.post(
        f"/asks/{inbox[0]['id']}/accept",
        data={"reply": "gladly", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert c.asks("bob")[1][0].status.value == "accepted"


def test_wrong_passwords_are_throttled_for_a_while(
    setup: tuple[Community, Clock, TestClient],
) -> None:
    _, clock, client = setup
    for _ in range(MAX_FAILURES):
        bad = client.post("/login", data={"handle": "alice", "password": "wrong-password"})
        assert bad.status_code == 401
    blocked = client.post("/login", data={"handle": "alice", "password": PASSWORDS["alice"]})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert client.post("/login", data={"handle": "nobody", "password": "x"}).status_code in (
        401,
        429,
    )
    clock.now += FAILURE_WINDOW + 1
    login(client, "alice")


def test_removal_and_logout_end_sessions(setup: tuple[Community, Clock, TestClient]) -> None:
    c, _, client = setup
    bob = TestClient(client.app)
    login(bob, "bob")
    csrf = login(client, "alice")
    assert client.get("/members").status_code == 200
    client.post("/members/bob/sharing", data={"sharing": "full", "names": "on", "csrf_token": csrf})
    assert c.member("bob").sharing == Sharing.FULL and c.member("bob").share_names
    client.post("/members/bob/remove", data={"csrf_token": csrf})
    assert [m.handle for m in c.members()] == ["alice"]
    assert bob.get("/", follow_redirects=False).status_code == 303  # back to the login
    client.post("/logout", data={"csrf_token": csrf})
    assert client.get("/api/me").status_code == 401
    assert SESSION_COOKIE  # the cookie's name is part of the contract with the docs


def test_a_foreign_host_is_refused(setup: tuple[Community, Clock, TestClient]) -> None:
    _, _, client = setup
    assert client.get("/login", headers={"host": "evil.example"}).status_code == 400
