"""The web apps' attack surface, over ASGI: headers, hosts, cookies, throttling, body limits.

Each check is what an attacker would try: a foreign Host (DNS rebinding), framing the app,
guessing the token or the remote password at speed, posting a body too large to hold, and
smuggling script into a page through a contact's name. The browser side (the CSP actually
blocking script in Chromium) is in ``test_security_browser.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.web.conftest import BASE_URL, Client, Demo
from weakties.web.app import create_app
from weakties.web.auth import ensure_token
from weakties.web.security import FAILURE_WINDOW, MAX_FAILURES, LoginThrottle
from weakties.workspace import Workspace

HOSTILE = '<img src=x onerror="window.__xss=1">'
HOSTILE_ORG = 'Acme"><script>window.__xss=2</script>'


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def client_with(
    ws: Workspace, *, password: str | None = None, clock: Clock | None = None, max_body: int = 0
) -> Client:
    token = ensure_token(ws)
    kwargs: dict[str, object] = {}
    if max_body:
        kwargs["max_body_bytes"] = max_body
    app = create_app(
        ws,
        token,
        password=password,
        throttle=LoginThrottle(clock=clock or Clock()),
        **kwargs,  # type: ignore[arg-type]
    )
    client = Client(app, base_url=BASE_URL)
    client.token = token
    return client


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


# ----------------------------------------------------------------------------- headers
def directives(csp: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for part in csp.split(";"):
        name, *values = part.split()
        out[name] = set(values)
    return out


@pytest.mark.parametrize(
    "url", ["/", "/people", "/api/people", "/static/app.css", "/nowhere", "/login", "/api/docs"]
)
def test_every_response_carries_the_security_headers(client: Client, url: str) -> None:
    client.login()
    response = client.get(url)
    csp = directives(response.headers["content-security-policy"])
    # no inline script or style and no eval anywhere: only the app's own files run
    assert csp["script-src"] == {"'self'"} and csp["style-src"] == {"'self'"}
    assert csp["object-src"] == {"'none'"} and csp["frame-ancestors"] == {"'none'"}
    assert csp["base-uri"] == {"'none'"} and csp["form-action"] == {"'self'"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    if not url.startswith("/static"):
        assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "host", ["evil.example.com", "127.0.0.1.evil.example.com", "attacker.example:8000", ""]
)
def test_a_rebound_host_is_refused_before_any_data_is_read(client: Client, host: str) -> None:
    response = client.get("/api/people", headers={**client.bearer, "host": host})
    assert response.status_code == 400
    assert "Jane" not in response.text and "Alex" not in response.text


def test_loopback_hosts_with_ports_are_accepted(client: Client) -> None:
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765"):
        assert client.get("/api/me", headers={**client.bearer, "host": host}).status_code == 200


def test_the_session_cookie_is_httponly_and_samesite(client: Client) -> None:
    response = client.get(f"/login?token={client.token}", follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert client.token.lower() not in cookie


# ----------------------------------------------------------------------------- throttling
def test_wrong_tokens_at_the_login_are_throttled_then_allowed_again(ws: Workspace) -> None:
    clock = Clock()
    client = client_with(ws, clock=clock)
    for _ in range(MAX_FAILURES):
        assert client.get("/login?token=guess", follow_redirects=False).status_code == 401
    blocked = client.get(f"/login?token={client.token}", follow_redirects=False)
    assert blocked.status_code == 429  # even the right token waits: no oracle while barred
    assert 0 < int(blocked.headers["retry-after"]) <= FAILURE_WINDOW + 1
    clock.now += FAILURE_WINDOW + 1
    assert client.get(f"/login?token={client.token}", follow_redirects=False).status_code == 303


def test_wrong_bearer_tokens_are_throttled(ws: Workspace) -> None:
    clock = Clock()
    client = client_with(ws, clock=clock)
    for _ in range(MAX_FAILURES):
        wrong = client.get("/api/people", headers={"Authorization": "Bearer guess"})
        assert wrong.status_code == 401
    blocked = client.get("/api/people", headers=client.bearer)
    assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "throttled"
    assert int(blocked.headers["retry-after"]) > 0
    clock.now += FAILURE_WINDOW + 1
    assert client.get("/api/people", headers=client.bearer).status_code == 200


def test_a_remote_password_cannot_be_guessed_at_speed(ws: Workspace) -> None:
    client = client_with(ws, password="correct horse battery", clock=Clock())
    tried = [
        client.post(
            "/login",
            data={"token": client.token, "password": f"guess-{i}"},
            follow_redirects=False,
        ).status_code
        for i in range(MAX_FAILURES + 3)
    ]
    assert tried[:MAX_FAILURES] == [401] * MAX_FAILURES
    assert set(tried[MAX_FAILURES:]) == {429}


def test_the_throttle_window_slides() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock, max_failures=3, window=60.0)
    for step in (0, 10, 20):
        clock.now = 5000.0 + step
        throttle.failed("addr:a")
    assert throttle.wait("addr:a") == pytest.approx(40.0)  # the first failure expires at +60
    assert throttle.wait("addr:b") == 0
    clock.now = 5000.0 + 61
    assert throttle.wait("addr:a") == 0  # two left in the window: below the limit
    throttle.failed("addr:a")
    assert throttle.wait("addr:a") == pytest.approx(9.0)  # the failure at +10 expires at +70
    throttle.succeeded("addr:a")
    assert throttle.wait("addr:a") == 0


# ----------------------------------------------------------------------------- body limits
def test_an_upload_over_the_limit_is_refused_by_its_length(ws: Workspace, db_path: Path) -> None:
    client = client_with(ws, max_body=64 * 1024)
    before = dump(db_path)
    card = b"BEGIN:VCARD\nVERSION:3.0\nFN:Big Card\nNOTE:" + b"x" * 100_000 + b"\nEND:VCARD\n"
    response = client.post(
        "/api/imports?wait=true",
        headers=client.bearer,
        files={"files": ("big.vcf", card, "text/vcard")},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert dump(db_path) == before


def test_a_chunked_upload_is_cut_off_at_the_limit(ws: Workspace, db_path: Path) -> None:
    client = client_with(ws, max_body=64 * 1024)
    before = dump(db_path)
    sent = 0

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must count what arrives
        nonlocal sent
        for _ in range(100):
            sent += 8192
            yield b"y" * 8192

    response = client.post(
        "/api/imports?wait=true",
        headers={**client.bearer, "content-type": "multipart/form-data; boundary=zz"},
        content=chunks(),
    )
    assert response.status_code == 413
    assert dump(db_path) == before


def test_an_upload_under_the_limit_still_imports(ws: Workspace) -> None:
    client = client_with(ws, max_body=64 * 1024)
    card = b"BEGIN:VCARD\nVERSION:3.0\nFN:Small Card\nEMAIL:small@example.com\nEND:VCARD\n"
    response = client.post(
        "/api/imports?wait=true",
        headers=client.bearer,
        files={"files": ("small.vcf", card, "text/vcard")},
    )
    assert response.status_code in (200, 201, 202), response.text
    assert any(p.name == "Small Card" for p in ws.people(limit=None))


# ----------------------------------------------------------------------------- escaping
class InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: inline script, style attributes, handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k.lower() for k, _ in attrs}
        if tag == "script" and "src" not in names:
            self._in_script = True
        if tag == "style":
            self.inline.append("<style>")
        for name in names:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"<{tag} {name}=…>")
        for name, value in attrs:
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.inline.append(f"<{tag} {name}=javascript:…>")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("inline <script>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def inline_parts(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.inline


@pytest.fixture
def hostile_ws(ws: Workspace) -> Workspace:
    """A workspace whose contacts, organisations, tags and notes are all markup."""
    ws.add_person(
        HOSTILE,
        emails=["img@example.com"],
        org=HOSTILE_ORG,
        title="</textarea><svg onload=window.__xss=3>",
        tags=["<b onmouseover=window.__xss=4>tag</b>"],
    )
    ws.log(["img@example.com"], when="2026-10-02", summary="<iframe src=javascript:alert(1)>")
    ws.note("img@example.com", "<script>window.__xss=5</script>")
    ws.add_opportunity("<svg/onload=window.__xss=6>", org=HOSTILE_ORG, via=[])
    ws.add_goal("<script>window.__xss=7</script> role", tags=[f"org:{HOSTILE_ORG}"])
    ws.helped("img@example.com", "<marquee onstart=window.__xss=8>", when="2026-10-05")
    return ws


def test_no_page_holds_inline_script_style_or_handlers(
    hostile_ws: Workspace, demo_client: Client, demo: Demo
) -> None:
    client = client_with(hostile_ws)
    client.login()
    person = next(p for p in hostile_ws.people(limit=None) if p.name == HOSTILE)
    pages = {
        "/": client,
        "/people": client,
        "/people?q=img": client,
        f"/people/{person.id}": client,
        "/network": client,
        "/paths?" + urlencode({"kind": "org", "target": HOSTILE_ORG}): client,
        "/paths?" + urlencode({"kind": "person", "target": HOSTILE}): client,
        "/plan": client,
        "/import": client,
        "/sources": client,
        "/opportunities": client,
        "/reviews": client,
        "/reviews/2026-10": client,
        "/api/docs": client,
    }
    demo_client.login()
    for url in ("/", "/people", f"/people/{demo.helped}", "/network", "/reviews", "/plan"):
        pages["demo:" + url] = demo_client
    for key, who in pages.items():
        url = key.removeprefix("demo:")
        response = who.get(url)
        assert response.status_code == 200, (key, response.text[:300])
        assert inline_parts(response.text) == [], key
        assert "<script>window.__xss" not in response.text, key
        assert "<img src=x" not in response.text, key
    page = client.get(f"/people/{person.id}").text
    assert "&lt;img src=x onerror=" in page  # shown, as text


def test_the_api_returns_names_as_data_not_markup(hostile_ws: Workspace) -> None:
    client = client_with(hostile_ws)
    people = client.get("/api/people?q=img", headers=client.bearer)
    assert people.headers["content-type"].startswith("application/json")
    assert any(p["name"] == HOSTILE for p in people.json()["items"])
