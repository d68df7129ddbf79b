"""In a real browser: markup in contacts' names runs nowhere, and our own pages break no CSP rule.

Headless Debian Chromium (Playwright) visits every page of a workspace whose contacts,
organisations, notes, goals and opportunities are hostile markup, and of the demo. Each page
must render the markup as text (no element it would have created exists, the flags its
scripts would set stay unset, no dialog opens) and must raise no Content-Security-Policy
violation: the app's own scripts, the network view, the charts and the API reference run
under ``script-src 'self'; style-src 'self'`` as they are. The HTML review written by
``weakties review --html`` is opened from disk the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.web.conftest import Demo, copy_demo
from tests.web.test_e2e import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, _free_port
from tests.web.test_e2e import pytestmark as e2e_marks
from tests.web.test_security import HOSTILE, HOSTILE_ORG
from weakties.web.app import create_app
from weakties.web.auth import ensure_token
from weakties.workspace import Workspace

pytestmark = e2e_marks
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

#: Set on every page before its own scripts run: CSP violations and what hostile markup would
#: have set, had it run.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""
INJECTED = (
    'img[src="x"], svg[onload], svg, iframe, marquee, [onerror], [onload], [onclick], '
    "[onmouseover], [onstart], b[onmouseover], script:not([src])"
)


def hostile_workspace(path: Path) -> Workspace:
    ws = Workspace.open(str(path))
    ws.init("Alex Doe", ["alex@example.com"])
    ws.add_person(
        HOSTILE,
        emails=["img@example.com"],
        org=HOSTILE_ORG,
        title="</textarea><svg onload=window.__xss=3>",
        tags=["<b onmouseover=window.__xss=4>tag</b>"],
    )
    ws.add_person(
        "Rita <iframe src=javascript:window.__xss=9>",
        emails=["rita@example.org"],
        org=HOSTILE_ORG,
        title="<script>window.__xss=10</script>",
    )
    for month in ("2026-09-03", "2026-10-02", "2026-10-20"):
        ws.log(["img@example.com"], when=month, summary="<iframe src=javascript:alert(1)>")
    ws.log(["rita@example.org", "img@example.com"], when="2026-10-11")
    ws.note("img@example.com", "<script>window.__xss=5</script>")
    ws.helped("img@example.com", "<marquee onstart=window.__xss=8>", when="2026-10-05")
    ws.add_goal("<script>window.__xss=7</script> role", tags=[f"org:{HOSTILE_ORG}"])
    ws.add_opportunity("<svg/onload=window.__xss=6>", org=HOSTILE_ORG, via=["img@example.com"])
    ws.refresh_ties(force=True)
    ensure_token(ws)
    return ws


def serve(ws: Workspace) -> tuple[str, Any, threading.Thread]:
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(
        create_app(ws, ensure_token(ws)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    ws = hostile_workspace(tmp_path_factory.mktemp("hostile-web") / "h.db")
    base, server, thread = serve(ws)
    yield {"base": base, "token": ensure_token(ws), "ws": ws}
    server.should_exit = True
    thread.join(timeout=10)
    ws.close()


@pytest.fixture(scope="module")
def demo_server(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    ws = Workspace.open(str(copy_demo(demo, tmp_path_factory.mktemp("csp-demo"))))
    base, server, thread = serve(ws)
    yield {"base": base, "token": ensure_token(ws), "demo": demo}
    server.should_exit = True
    thread.join(timeout=10)
    ws.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Visit:
    """A logged-in tab that records dialogs, page errors and CSP violations."""

    def __init__(self, browser: Any, base: str, token: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(WATCH)
        self.tab = self.context.new_page()
        self.tab.set_default_timeout(TIMEOUT_MS)
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.tab.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.tab.on("pageerror", lambda e: self.errors.append(str(e)))
        self.base = base
        self.tab.goto(f"{base}/login?token={token}")

    def open(self, url: str) -> dict[str, Any]:
        response = self.tab.goto(self.base + url if url.startswith("/") else url)
        self.tab.wait_for_load_state("networkidle")
        self.tab.mouse.move(300, 300)  # hover handlers, had any been planted
        result: dict[str, Any] = self.tab.evaluate(
            "(sel) => ({xss: window.__xss, csp: window.__csp || [], "
            "injected: [...document.querySelectorAll(sel)].map(e => e.outerHTML.slice(0, 80)), "
            "text: document.body ? document.body.innerText : ''})",
            INJECTED,
        )
        result["status"] = response.status if response else None
        return result

    def close(self) -> None:
        self.context.close()


def test_hostile_names_run_nowhere(browser: Any, hostile: dict[str, Any]) -> None:
    ws: Workspace = hostile["ws"]
    person = next(p for p in ws.people(limit=None) if p.name == HOSTILE)
    opportunity = ws.opportunities()[0]
    urls = [
        "/",
        "/people",
        "/people?" + urlencode({"q": "img"}),
        f"/people/{person.id}",
        "/network",
        "/paths?" + urlencode({"kind": "org", "target": HOSTILE_ORG}),
        "/paths?" + urlencode({"kind": "person", "target": HOSTILE}),
        "/plan",
        "/opportunities",
        "/reviews",
        "/reviews/2026-10",
        "/people/999999",  # the error page echoes what was asked for
        "/paths?" + urlencode({"kind": "org", "target": "<img src=x onerror=window.__xss=11>"}),
    ]
    visit = Visit(browser, hostile["base"], hostile["token"])
    try:
        for url in urls:
            seen = visit.open(url)
            assert seen["xss"] is None, url
            assert seen["injected"] == [], (url, seen["injected"])
            assert seen["csp"] == [], (url, seen["csp"])
        person_page = visit.open(f"/people/{person.id}")["text"]
        assert HOSTILE in person_page  # the name is shown, as text
        assert opportunity.title in visit.open("/opportunities")["text"]
        # the network view draws labels on a canvas from JSON: the hostile node is there
        visit.open("/network")
        visit.tab.wait_for_function("() => window.weaktiesNetwork !== undefined")
        labels = visit.tab.evaluate("window.weaktiesNetwork.nodes().map(n => n.data('label'))")
        assert HOSTILE in labels
        assert visit.dialogs == [] and visit.errors == []
    finally:
        visit.close()


def test_the_html_review_escapes_names(
    browser: Any, hostile: dict[str, Any], tmp_path: Path
) -> None:
    from weakties.workspace.render import to_html

    ws: Workspace = hostile["ws"]
    review = ws.review("2026-10", store=False)
    target = tmp_path / "review.html"
    target.write_text(to_html(review, with_charts=False), encoding="utf-8")
    context = browser.new_context()
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.goto(target.as_uri())
    found = tab.evaluate(
        "(sel) => ({xss: window.__xss, injected: document.querySelectorAll(sel).length, "
        "text: document.body.innerText})",
        INJECTED,
    )
    context.close()
    assert found["xss"] is None and found["injected"] == 0 and dialogs == []
    assert HOSTILE in found["text"]


def test_our_own_pages_break_no_csp_rule(browser: Any, demo_server: dict[str, Any]) -> None:
    demo: Demo = demo_server["demo"]
    visit = Visit(browser, demo_server["base"], demo_server["token"])
    try:
        for url in (
            "/",
            "/people",
            f"/people/{demo.helped}",
            "/network",
            "/paths?" + urlencode({"kind": "org", "target": demo.target_org}),
            "/plan",
            "/import",
            "/sources",
            "/opportunities",
            "/reviews",
            "/api/docs",
        ):
            seen = visit.open(url)
            assert seen["status"] == 200, url
            assert seen["csp"] == [], (url, seen["csp"])
        # the scripts did run under the policy: bars sized, network drawn, API reference built
        visit.open("/people")
        width = visit.tab.evaluate(
            "() => document.querySelector('#people-rows .bar > span').style.width"
        )
        assert width.endswith("%") and width != "0%"
        visit.open("/network")
        visit.tab.wait_for_function("() => window.weaktiesNetwork !== undefined")
        visit.open("/api/docs")
        visit.tab.locator(".swagger-ui .opblock").first.wait_for()
        assert visit.errors == [], visit.errors
    finally:
        visit.close()
