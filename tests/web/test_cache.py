"""The answers kept in memory: sent again while the data holds still, never once it has moved.

Writes come from the app, from another connection and from another process (the CLI), as in
daily use; the caches must see every one on the next request, and must never hand a kept
answer to a request the app would refuse.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.web.conftest import Client, Demo, copy_demo, make_client
from weakties.web.cache import ATTEMPTS, DataVersion, ResponseStore, ResultCache
from weakties.workspace import Workspace


def answers(client: Client) -> ResponseStore:
    store: ResponseStore = client.app.state.answers
    return store


def test_data_version_moves_with_every_commit_and_only_then(ws: Workspace, db_path: Path) -> None:
    version = DataVersion(ws.url)
    ws.people()  # the first read of the day refreshes the scores: a write
    first = version()
    ws.people()  # a read
    assert version() == first
    ws.add_person("Jane Roe")  # a commit on the workspace's own connection
    second = version()
    assert second != first
    with Workspace.open(str(db_path)) as other:
        other.set_setting("somewhere", "else")
    assert version() not in (first, second)
    version.close()


def test_a_page_seen_before_is_sent_from_memory(client: Client) -> None:
    h = client.bearer
    store = answers(client)
    client.get("/api/people", headers=h)  # the first read of the day refreshes the scores
    first = client.get("/api/people", headers=h)
    hits = store.hits
    again = client.get("/api/people", headers=h)
    assert store.hits == hits + 1
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["cache-control"] == "no-store"  # the security headers still apply


def test_a_write_from_another_process_is_seen_at_once(client: Client, db_path: Path) -> None:
    h = client.bearer
    assert "Late Arrival" not in client.get("/people", headers=h).text
    assert client.get("/api/people", headers=h).json()["total"] == 0
    store = answers(client)
    hits = store.hits
    assert client.get("/api/people", headers=h).json()["total"] == 0
    assert store.hits == hits + 1  # kept: so the next answer is fresh only if the write is seen
    env = {**os.environ, "WEAKTIES_DB": str(db_path)}
    subprocess.run(
        [sys.executable, "-m", "weakties", "add", "person", "Late Arrival"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert client.get("/api/people", headers=h).json()["total"] == 1
    assert "Late Arrival" in client.get("/people", headers=h).text


def test_a_write_through_the_app_is_seen_at_once(client: Client) -> None:
    h = client.bearer
    assert client.get("/api/goals", headers=h).json()["total"] == 0
    assert client.get("/api/goals", headers=h).json()["total"] == 0
    made = client.post("/api/goals", json={"text": "a product role"}, headers=h)
    assert made.status_code in (200, 201), made.text
    assert client.get("/api/goals", headers=h).json()["total"] == 1


def test_kept_answers_go_only_to_those_the_app_admits(client: Client) -> None:
    h = client.bearer
    assert client.get("/api/people", headers=h).status_code == 200
    assert client.get("/api/people", headers=h).status_code == 200  # now kept
    assert client.get("/api/people").status_code == 401
    assert client.get("/api/people", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/people").status_code == 401
    client.login()  # the session cookie admits the kept answer too
    assert client.get("/api/people").status_code == 200


def test_htmx_fragments_and_whole_pages_are_kept_apart(client: Client) -> None:
    h = client.bearer
    page = client.get("/people", headers=h).text
    rows = client.get("/people", headers={**h, "HX-Request": "true", "HX-Target": "people-rows"})
    assert "<html" in page.lower() and "<html" not in rows.text.lower()
    assert client.get("/people", headers=h).text == page


def test_import_progress_is_never_kept(client: Client) -> None:
    h = client.bearer
    vcf = b"BEGIN:VCARD\nVERSION:3.0\nFN:Jane Roe\nEMAIL:jane@example.org\nEND:VCARD\n"
    job = client.post(
        "/api/imports?wait=true", files={"files": ("c.vcf", vcf, "text/vcard")}, headers=h
    ).json()
    store = answers(client)
    hits = store.hits
    for _ in range(3):
        assert client.get(f"/api/imports/jobs/{job['id']}", headers=h).status_code == 200
    assert store.hits == hits


def test_an_answer_computed_while_the_data_moves_is_not_kept(ws: Workspace) -> None:
    cache = ResultCache(ws.url, max_stale=0)  # no stale answers: every read recomputes
    calls: list[int] = []

    def restless() -> int:  # a read that writes every time: never the same data twice
        calls.append(1)
        ws.set_setting("restless", str(len(calls)))
        return len(calls)

    cache.get(("restless",), restless)
    cache.get(("restless",), restless)
    assert len(calls) == 2 * ATTEMPTS

    settled: list[int] = []

    def writes_once() -> int:  # a read that writes the first time only (a score refresh)
        settled.append(1)
        if len(settled) == 1:
            ws.set_setting("once", "done")
        return len(settled)

    assert cache.get(("once",), writes_once) == 2  # the second run saw the data hold still
    assert cache.get(("once",), writes_once) == 2
    assert len(settled) == 2
    cache.version.close()


def test_viewing_the_review_again_writes_nothing(demo: Demo, tmp_path: Path) -> None:
    path = copy_demo(demo, tmp_path)
    with Workspace.open(str(path)) as ws:
        client = make_client(ws)
        version = client.app.state.services.cache.version
        h = client.bearer
        first = client.get("/api/review", headers=h)
        assert first.status_code == 200, first.text
        month = first.json()["month"]
        assert month in [r["month"] for r in client.get("/api/reviews", headers=h).json()["items"]]
        settled = version()
        again = client.get("/api/review", headers=h)
        assert again.json() == first.json()
        assert client.get("/", headers=h).status_code == 200
        assert version() == settled
        client.app.state.services.cache.version.close()


def test_the_store_stays_within_its_bounds(ws: Workspace) -> None:
    from weakties.web.cache import Answer

    version = DataVersion(ws.url)
    store = ResponseStore(version, size=3, max_bytes=250)
    for i in range(5):
        store.keep(("page", i), Answer(version(), [], b"x" * 100))
        assert len(store) <= 3 and store.bytes <= 250
    assert store.find(("page", 4), version()) is not None  # the newest stay
    assert store.find(("page", 0), version()) is None  # the oldest went first
    assert store.bytes == 200
    version.close()


def test_readers_waiting_on_a_slow_answer_under_writes_share_one_computation(
    ws: Workspace,
) -> None:
    """Twenty readers of a slow answer while the data keeps moving: a few computations, each
    reader's answer computed from a read that began after that reader arrived."""
    import threading
    import time

    from weakties.web.cache import RETRY_BUDGET

    cache = ResultCache(ws.url)
    began: list[float] = []
    lock = threading.Lock()

    def slow_and_written_under() -> float:
        start = time.monotonic()
        with lock:
            began.append(start)
        time.sleep(RETRY_BUDGET * 0.8)
        cache.version.bump()  # a write lands while the answer is computed, every time
        return start

    answers: dict[int, tuple[float, float]] = {}

    def reader(n: int) -> None:
        arrived = time.monotonic()
        answers[n] = (arrived, cache.get(("slow",), slow_and_written_under))

    first = threading.Thread(target=reader, args=(0,))
    first.start()
    time.sleep(RETRY_BUDGET * 0.3)  # the others arrive while the first computes
    others = [threading.Thread(target=reader, args=(n,)) for n in range(1, 20)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join()
    assert len(answers) == 20
    assert all(computed >= arrived for arrived, computed in answers.values())  # never stale
    assert len(began) <= 3, len(began)  # without coalescing: 20 readers x 2 attempts
    cache.version.close()
