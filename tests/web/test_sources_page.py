"""The sources page: last sync shown, and the button syncs against a real Dovecot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.imapserver import PASSWORD, Dovecot, append, message
from tests.web.conftest import Client


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()
    yield server
    server.stop()


def test_sources_page_shows_and_runs_a_sync(
    client: Client, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap = dovecot.client()
    append(imap, "INBOX", [message(n) for n in range(1, 6)])
    imap.logout()
    monkeypatch.setenv("WEAKTIES_SYNC_PASSWORD", PASSWORD)
    client.login()
    assert "No sources yet" in client.get("/sources").text
    client.app.state.services.ws.add_source(dovecot.url)
    page = client.get("/sources").text
    assert dovecot.url in page and "never" in page

    refused = client.post("/sources/sync", data={"url": dovecot.url})
    assert refused.status_code == 403  # no CSRF token
    done = client.post("/sources/sync", data={"url": dovecot.url, "csrf_token": client.csrf})
    assert done.status_code == 200
    assert "5 read, 5 new" in done.text
    assert "done" in client.get("/sources").text

    other = client.post(
        "/sources/sync", data={"url": "imap://x@example.com", "csrf_token": client.csrf}
    )
    assert "is not a configured source" in other.text

    monkeypatch.setenv("WEAKTIES_SYNC_PASSWORD", "wrong")
    failed = client.post("/sources/sync", data={"url": dovecot.url, "csrf_token": client.csrf})
    assert "refused the login" in failed.text
    assert "failed" in client.get("/sources").text
