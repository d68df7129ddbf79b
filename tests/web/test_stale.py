"""Stale while revalidate: the previous answer at once while one recomputation runs, bounded.

The workspaces are real SQLite files and the changes come from another connection on the same
file, as a CLI import would make them. The slow computations block on an event the test
releases, so "readers get the previous value while it runs" is shown by readers that return
while the computation is still held, not by timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Client, Demo, copy_demo, make_client
from weakties.web.cache import Freshness, ResultCache, reading
from weakties.web.services import Services
from weakties.workspace import Workspace

JOIN = 30.0  # seconds: only a guard against a hang, never reached when the code is right


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Held:
    """A computation that reports when it starts and waits until the test releases it."""

    def __init__(self, value: Callable[[], Any]) -> None:
        self.value = value
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self) -> Any:
        with self._lock:
            self.calls += 1
        self.started.set()
        assert self.release.wait(JOIN), "never released"
        return self.value()


def write_elsewhere(db_path: Path, key: str, value: str) -> None:
    """A commit from another connection (the way the CLI or a sync would make one)."""
    with Workspace.open(str(db_path)) as other:
        other.set_setting(key, value)


def read(cache: ResultCache, key: str, compute: Callable[[], Any]) -> tuple[Any, float | None]:
    """The value and the stale age a request reading ``key`` would get."""
    with reading(Freshness()) as freshness:
        value = cache.get((key,), compute)
    return value, freshness.age


def test_readers_get_the_previous_value_while_one_recomputation_runs(
    ws: Workspace, db_path: Path
) -> None:
    clock = Clock()
    cache = ResultCache(ws.url, grace=0, clock=clock)
    ws.set_setting("colour", "red")
    assert read(cache, "colour", lambda: ws.setting("colour")) == ("red", None)

    write_elsewhere(db_path, "colour", "blue")
    clock.now = 5.0
    held = Held(lambda: ws.setting("colour"))
    got: list[tuple[Any, float | None]] = []

    def reader() -> None:
        got.append(read(cache, "colour", held))

    readers = [threading.Thread(target=reader) for _ in range(20)]
    for t in readers:
        t.start()
    for t in readers:
        t.join(JOIN)
    # every reader is done while the recomputation is still held: none of them waited for it
    assert not held.release.is_set()
    assert got == [("red", 5.0)] * 20
    assert held.started.wait(JOIN)
    assert held.calls == 1  # one recomputation for twenty readers, in the background
    assert cache.refreshes == 1

    held.release.set()
    # a reader that refuses stale answers waits for the running recomputation, not a new one
    with reading(Freshness(refuse_stale=True)) as strict:
        assert cache.get(("colour",), held) == "blue"
    assert strict.age is None
    assert held.calls == 1
    assert read(cache, "colour", held) == ("blue", None)  # and then everyone has the fresh one
    assert held.calls == 1
    cache.close()


def test_staleness_is_bounded_past_it_readers_wait_for_the_fresh_value(
    ws: Workspace, db_path: Path
) -> None:
    clock = Clock()
    cache = ResultCache(ws.url, grace=0, max_stale=30.0, clock=clock)
    ws.set_setting("size", "small")
    assert read(cache, "size", lambda: ws.setting("size")) == ("small", None)
    clock.now = 20.0
    assert read(cache, "size", lambda: ws.setting("size")) == ("small", None)  # still current
    write_elsewhere(db_path, "size", "large")
    held = Held(lambda: ws.setting("size"))

    clock.now = 49.0  # last known current at 20 s: 29 s ago, within the bound
    assert read(cache, "size", held) == ("small", 29.0)
    assert held.started.wait(JOIN)

    clock.now = 51.0  # 31 s: too old to serve, so this reader waits for the recomputation
    got: list[tuple[Any, float | None]] = []
    late = threading.Thread(target=lambda: got.append(read(cache, "size", held)))
    late.start()
    late.join(0.5)
    assert late.is_alive() and not got  # waiting, not handed the old value
    held.release.set()
    late.join(JOIN)
    assert got == [("large", None)]
    assert held.calls == 1  # it took the running recomputation's result
    cache.close()


def test_no_stale_answers_when_max_stale_is_zero(ws: Workspace, db_path: Path) -> None:
    cache = ResultCache(ws.url, grace=0, max_stale=0)
    ws.set_setting("mood", "calm")
    assert read(cache, "mood", lambda: ws.setting("mood")) == ("calm", None)
    write_elsewhere(db_path, "mood", "busy")
    assert read(cache, "mood", lambda: ws.setting("mood")) == ("busy", None)
    cache.close()


def test_a_failed_recomputation_is_seen_by_the_next_reader(ws: Workspace, db_path: Path) -> None:
    clock = Clock()
    cache = ResultCache(ws.url, grace=0, clock=clock)
    assert read(cache, "gone", lambda: 1) == (1, None)
    write_elsewhere(db_path, "gone", "yes")
    failing = Held(lambda: 1 / 0)
    assert read(cache, "gone", failing) == (1, 0.0)  # stale, while the recomputation fails
    failing.release.set()
    clock.now = 1.0
    # once the background recomputation has failed, the old value is dropped: a reader then
    # computes it and sees the error (kept, it would be served for max_stale seconds)
    with pytest.raises(ZeroDivisionError):
        for _ in range(1000):
            read(cache, "gone", lambda: 1 / 0)
            time.sleep(0.01)
    cache.close()


def test_a_write_through_the_app_is_never_hidden_behind_a_stale_answer(ws: Workspace) -> None:
    svc = Services(ws)
    svc.cache.grace = 0
    assert svc.goals() == []
    svc.write(lambda w: w.add_goal("a product role"))
    with reading(Freshness()) as freshness:
        assert [g.text for g in svc.goals()] == ["a product role"]
    assert freshness.age is None

    # the same change as a background job (an import): the previous answer may be shown,
    # marked, while the fresh one is computed; which is why the one above had to be barred
    held = Held(lambda: ws.goals())
    svc.write(lambda w: w.add_goal("a second goal"), background=True)
    with reading(Freshness()) as freshness:
        previous = svc.cache.get(("goals", None, None, False), held)
    assert [g.text for g in previous] == ["a product role"]
    assert freshness.age is not None
    held.release.set()
    with reading(Freshness(refuse_stale=True)):
        texts = [g.text for g in svc.cache.get(("goals", None, None, False), held)]
    assert sorted(texts) == ["a product role", "a second goal"]
    svc.cache.close()


def hold(ws: Workspace, monkeypatch: pytest.MonkeyPatch, method: str) -> Held:
    """Make the workspace's ``method`` wait on the returned event (the real method runs)."""
    real = getattr(ws, method)
    held = Held(lambda: None)
    held.release.set()

    def waiting(*args: Any, **kwargs: Any) -> Any:
        held()
        return real(*args, **kwargs)

    monkeypatch.setattr(ws, method, waiting)
    return held


def test_a_stale_api_answer_says_so_and_is_not_kept(
    client: Client, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = client.bearer
    client.app.state.services.cache.grace = 0
    assert client.get("/api/goals", headers=h).json()["total"] == 0
    first = client.get("/api/goals", headers=h)  # kept, bytes and value
    assert "x-weakties-stale" not in first.headers

    held = hold(client.app.state.services.ws, monkeypatch, "goals")
    held.release.clear()
    with Workspace.open(str(db_path)) as other:
        other.add_goal("a goal added by the CLI")
    stale = client.get("/api/goals", headers=h)
    assert stale.status_code == 200
    assert stale.json()["total"] == 0  # the previous answer, at once
    assert float(stale.headers["x-weakties-stale"]) >= 0
    assert held.started.wait(JOIN)
    again = client.get("/api/goals", headers=h)  # still stale, and not sent from kept bytes
    assert "x-weakties-stale" in again.headers

    held.release.set()
    fresh = client.get("/api/goals", headers={**h, "Cache-Control": "no-cache"})
    assert fresh.json()["total"] == 1
    assert "x-weakties-stale" not in fresh.headers
    later = client.get("/api/goals", headers=h)
    assert later.json()["total"] == 1 and "x-weakties-stale" not in later.headers
    assert held.calls == 1


def test_a_stale_page_carries_a_note(
    client: Client, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = client.bearer
    client.app.state.services.cache.grace = 0
    page = client.get("/people", headers=h).text
    assert "stale-note" not in page
    held = hold(client.app.state.services.ws, monkeypatch, "people")
    held.release.clear()
    with Workspace.open(str(db_path)) as other:
        other.add_person("Late Arrival")
    stale = client.get("/people", headers=h)
    assert "stale-note" in stale.text and "Late Arrival" not in stale.text
    assert "style=" not in stale.text.split("stale-note", 1)[1].split("</p>", 1)[0]
    held.release.set()
    fresh = client.get("/people", headers={**h, "Cache-Control": "no-cache"}).text
    assert "Late Arrival" in fresh and "stale-note" not in fresh


def test_a_nudge_marked_done_is_seen_done(demo: Demo, tmp_path: Path) -> None:
    """Through the app, on the demo: the nudge list after the change never shows it open."""
    path = copy_demo(demo, tmp_path)
    with Workspace.open(str(path)) as ws:
        client = make_client(ws)
        client.app.state.services.cache.grace = 0  # a stale answer would be served at once
        h = client.bearer
        listed = client.get("/api/nudges?limit=100", headers=h).json()["items"]
        assert listed, "the demo has nudges"
        key = listed[0]["key"]
        assert client.get("/api/nudges?limit=100", headers=h).json()["items"][0]["key"] == key
        done = client.post(f"/api/nudges/{key}", json={"status": "done"}, headers=h)
        assert done.status_code == 200, done.text
        after = client.get("/api/nudges?limit=100", headers=h)
        assert key not in [n["key"] for n in after.json()["items"]]
        assert "x-weakties-stale" not in after.headers
        client.app.state.services.cache.close()
