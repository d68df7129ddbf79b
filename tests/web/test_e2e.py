"""End to end in a real browser: headless Debian Chromium driven by Playwright, on the demo.

The app runs in a uvicorn server thread on a copy of the demo workspace, bound to 127.0.0.1.
The browser logs in with the token link, searches a person, finds the path to the planted
target company and copies the draft, marks a nudge done, uploads an import file and sees it
merged, and opens a person from the network view. With ``WEAKTIES_SCREENSHOTS=DIR`` it also
saves screenshots of the main pages (that is how docs/screenshots/ is made).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Demo, copy_demo
from weakties.web.app import STATIC, create_app
from weakties.web.auth import ensure_token
from weakties.workspace import Workspace

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000  # the first visit of a page computes nudges, the review and paths

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="browser tests need Debian's chromium at /usr/bin/chromium"
    ),
    pytest.mark.skipif(
        not (STATIC / "vendor" / "htmx.min.js").exists(),
        reason="browser tests need the front-end packages: run `make web-assets` (npm ci)",
    ),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import uvicorn

    path = copy_demo(demo, tmp_path_factory.mktemp("e2e"))
    ws = Workspace.open(str(path))
    token = ensure_token(ws)
    port = _free_port()
    config = uvicorn.Config(
        create_app(ws, token), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    yield {"base": f"http://127.0.0.1:{port}", "token": token, "ws": ws, "demo": demo}
    uv.should_exit = True
    thread.join(timeout=10)
    ws.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server["base"])
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.goto(f"{server['base']}/login?token={server['token']}")
    yield tab
    context.close()


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("WEAKTIES_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        target = Path(folder) / f"{name}.png"
        page.screenshot(path=str(target))
        try:  # a 256-colour palette keeps each picture small enough to commit
            from PIL import Image
        except ImportError:
            return
        with Image.open(target) as image:
            rgb = image.convert("RGB")
        rgb.quantize(colors=256).save(target, optimize=True)
        if target.stat().st_size > 280_000:  # the network's thousands of dots: fewer colours
            half = rgb.resize((rgb.width * 3 // 4, rgb.height * 3 // 4))
            half.quantize(colors=48).save(target, optimize=True)


def test_login_with_the_token_link(browser: Any, server: dict[str, Any]) -> None:
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    response = tab.goto(f"{server['base']}/people")
    assert response.status == 401
    tab.goto(f"{server['base']}/login?token={server['token']}")
    assert tab.locator("h1").first.inner_text().startswith("Hello")
    assert "token=" not in tab.url
    context.close()


def test_search_a_person(page: Any, server: dict[str, Any]) -> None:
    demo: Demo = server["demo"]
    page.goto(f"{server['base']}/people")
    first_name = demo.helped_name.split()[0]
    page.fill("input[name=q]", demo.helped_name)
    link = page.locator("#people-rows a.person-link", has_text=demo.helped_name)
    link.first.wait_for()
    assert "q=" in page.url  # the search is in the address, so it can be shared and reloaded
    shot(page, "people")
    link.first.click()
    page.wait_for_url(f"**/people/{demo.helped}")
    assert demo.helped_name in page.locator("#person-name").inner_text()
    assert page.locator("#strength-facts li").count() > 0
    assert first_name


def test_path_to_the_target_company_and_copy_the_draft(page: Any, server: dict[str, Any]) -> None:
    demo: Demo = server["demo"]
    page.goto(f"{server['base']}/paths")
    page.fill("#target", demo.target_org[:4])
    option = page.locator("#suggestions a.suggestion[data-kind=org]", has_text=demo.target_org)
    option.first.click()
    page.wait_for_url("**/paths?kind=org*")
    paths = page.locator("article.path")
    assert paths.count() >= 1
    assert paths.first.locator("ol.chain li.node").count() >= 2
    draft = page.locator("#draft").input_value()
    assert len(draft) > 100
    page.click("#copy-draft")
    page.locator("#copy-status", has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == draft
    shot(page, "paths")


def test_mark_a_nudge_done(page: Any, server: dict[str, Any]) -> None:
    page.goto(f"{server['base']}/")
    first = page.locator("#nudges article.nudge").first
    key = first.get_attribute("data-key")
    assert key
    shot(page, "dashboard")
    first.get_by_role("button", name="Done").click()
    page.wait_for_function(
        "key => ![...document.querySelectorAll('#nudges article.nudge')]"
        ".some(a => a.dataset.key === key)",
        arg=key,
    )
    hidden = [n.key for n in server["ws"].nudges(include_hidden=True, limit=None) if n.status]
    assert key in hidden


def test_upload_an_import_file_and_see_it_merged(
    page: Any, server: dict[str, Any], tmp_path: Path
) -> None:
    ws: Workspace = server["ws"]
    known = ws.person(server["demo"].helped)
    email = next(i.value for i in known.identities if i.kind.value == "email")
    card = tmp_path / "phone-contacts.vcf"
    card.write_text(
        "BEGIN:VCARD\nVERSION:3.0\n"
        f"FN:{known.name}\nEMAIL:{email}\nTEL:+44 20 7946 0991\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Zelda Quist\nEMAIL:zelda.quist@example.net\nEND:VCARD\n",
        encoding="utf-8",
    )
    page.goto(f"{server['base']}/import")
    page.set_input_files("#files", str(card))
    page.click("#upload-form button[type=submit]")
    page.locator("article.job[data-state=done]").wait_for()
    summary = page.locator(".merged-summary").inner_text()
    assert "1 new person" in summary and "1 record merged" in summary
    shot(page, "import")
    after = ws.person(server["demo"].helped)
    assert any(i.kind.value == "phone" for i in after.identities)


def test_network_click_opens_the_person(page: Any, server: dict[str, Any]) -> None:
    page.goto(f"{server['base']}/network")
    page.locator("#network-status", has_text="drawn in").wait_for()
    count = page.evaluate("window.weaktiesNetwork.nodes().length")
    assert count > 1000
    page.select_option("#colour-by", "strength")
    shot(page, "network")
    target = page.evaluate(
        """() => {
            const cy = window.weaktiesNetwork;
            const node = cy.nodes().filter(n => !n.data('me')).max(n => n.data('strength')).ele;
            cy.zoom(2); cy.center(node);
            const box = document.getElementById('cy').getBoundingClientRect();
            const p = node.renderedPosition();
            return {id: node.id(), x: box.left + p.x, y: box.top + p.y};
        }"""
    )
    page.mouse.click(target["x"], target["y"])
    page.wait_for_url(f"**/people/{target['id']}")


def test_plan_and_reviews_pages(page: Any, server: dict[str, Any]) -> None:
    page.goto(f"{server['base']}/plan?k=8")
    page.wait_for_function("document.getElementById('reach-chart').getAttribute('width')")
    assert page.locator("table tbody tr").count() == 8
    shot(page, "plan")
    page.goto(f"{server['base']}/opportunities")
    assert page.locator("article.opportunity ol.chain").count() >= 1
    shot(page, "opportunities")
    page.goto(f"{server['base']}/reviews")
    page.locator("table a").first.click()
    assert page.locator("h1").inner_text().startswith("Monthly review")


def test_a_phone_screen_has_no_sideways_scrolling(browser: Any, server: dict[str, Any]) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.goto(f"{server['base']}/login?token={server['token']}")
    for url in ("/", "/people", f"/people/{server['demo'].helped}", "/paths", "/import"):
        tab.goto(server["base"] + url)
        wide = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, (url, wide)
    tab.goto(server["base"] + "/people")
    shot(tab, "people-phone")
    context.close()
