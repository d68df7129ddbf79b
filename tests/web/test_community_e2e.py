"""Two members in two browser contexts (headless Debian Chromium through Playwright).

bob finds the path to Acme Bank through alice and asks her; the ask appears in alice's inbox,
she accepts, and bob sees the answer. Neither ever sees the other's contacts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.test_community_web import PASSWORDS, make_community
from tests.web.test_e2e import CHROMIUM, CHROMIUM_ARGS, _free_port
from weakties.web.app import STATIC
from weakties.web.community_app import create_community_app

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
    pytest.mark.skipif(
        not (STATIC / "vendor" / "pico.min.css").exists(), reason="run `make web-assets`"
    ),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

SECRETS = {"alice": "Priya Secret", "bob": "Bob's Confidant"}  # each one's private contact


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    c = make_community(tmp_path_factory.mktemp("community") / "c.db")
    port = _free_port()
    config = uvicorn.Config(
        create_community_app(c), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    c.close()


def _logged_in(browser: Any, base: str, handle: str) -> Any:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=handle]", handle)
    page.fill("input[name=password]", PASSWORDS[handle])
    page.click("button[type=submit]")
    page.wait_for_selector("#inbox")
    return page


def _never_shows_the_other(page: Any, handle: str) -> None:
    other = "bob" if handle == "alice" else "alice"
    assert SECRETS[other] not in page.content()


def test_a_request_from_one_member_appears_for_the_other(base: str) -> None:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            bob = _logged_in(browser, base, "bob")
            alice = _logged_in(browser, base, "alice")
            assert "Nobody has asked you" in alice.inner_text("#inbox")

            bob.goto(f"{base}/paths?org=Acme+Bank")
            assert "someone Alice Adams knows" in bob.inner_text("#paths")
            _never_shows_the_other(bob, "bob")
            bob.click("button.ask-through[data-member=alice]")
            bob.wait_for_selector("#sent article.ask")
            assert "pending" in bob.inner_text("#sent")

            alice.reload()
            ask = alice.locator("#inbox article.ask")
            assert (
                "from bob" in ask.inner_text()
                and "through your contact Jane Roe" in ask.inner_text()
            )
            _never_shows_the_other(alice, "alice")
            alice.fill("#inbox input[name=reply]", "happy to help")
            alice.click("#inbox button.accept")
            alice.wait_for_selector("#inbox")

            bob.goto(base + "/")
            assert "accepted" in bob.inner_text("#sent .status")
            assert "happy to help" in bob.inner_text("#sent")
            for page, handle in ((bob, "bob"), (alice, "alice")):
                for path in ("/", "/paths?org=Acme+Bank", "/sharing"):
                    page.goto(base + path)
                    _never_shows_the_other(page, handle)
        finally:
            browser.close()
