"""Fixtures for the web app: the demo workspace (built once per session), apps and clients.

The demo world (seed 7) takes a few seconds to build, so it is built once into a session
folder; tests that change data work on a copy (or on the small empty workspace of
``tests/conftest.py``), so the demo stays the same for every test that reads it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")

import warnings

with warnings.catch_warnings():  # starlette's notice about httpx2 is not ours to act on
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from weakties.web.app import create_app
from weakties.web.auth import ensure_token
from weakties.workspace import Workspace

BASE_URL = "http://127.0.0.1"


@dataclass(frozen=True)
class Demo:
    """The demo workspace file and the planted story's names and ids."""

    path: Path
    target_org: str
    hiring_manager: int
    helped: int
    helped_name: str


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    from weakties.synth.world import build_world

    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    world = build_world(7)
    with Workspace.open(str(path)) as ws:
        ids = ws.load_world(world)
        ws.set_setting("demo_seed", "7")
        ws.refresh_ties(force=True)
        ws.tie_graph()
        ensure_token(ws)
    story = world.story
    return Demo(
        path,
        world.orgs[story.target_org].name,
        ids[story.hiring_manager],
        ids[story.helped],
        world.people[story.helped].name,
    )


def copy_demo(demo: Demo, folder: Path) -> Path:
    """A private copy of the demo database (and its graph cache) that a test may change."""
    target = folder / "demo-copy.db"
    shutil.copyfile(demo.path, target)
    graph = Path(str(demo.path) + ".graph")
    if graph.is_dir():
        shutil.copytree(graph, Path(str(target) + ".graph"))
    return target


class Client(TestClient):
    """A test client with the token at hand."""

    token: str
    app: Any

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def csrf(self) -> str:
        return str(self.app.state.guard.csrf)

    def login(self) -> None:
        response = self.get(f"/login?token={self.token}", follow_redirects=False)
        assert response.status_code == 303, response.text


def make_client(ws: Workspace, *, password: str | None = None) -> Client:
    token = ensure_token(ws)
    app = create_app(ws, token, password=password)
    client = Client(app, base_url=BASE_URL)
    client.token = token
    return client


@pytest.fixture(scope="session")
def demo_ws(demo: Demo) -> Iterator[Workspace]:
    workspace = Workspace.open(str(demo.path))
    yield workspace
    workspace.close()


@pytest.fixture(scope="session")
def demo_client(demo_ws: Workspace) -> Client:
    """A client over the shared demo workspace: read-only use, please."""
    return make_client(demo_ws)


@pytest.fixture
def client(ws: Workspace) -> Client:
    """A client over a small, fresh workspace (owner Alex Doe) that tests may change."""
    return make_client(ws)
