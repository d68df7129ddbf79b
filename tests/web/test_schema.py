"""Schemathesis against the OpenAPI schema: no 5xx, and every answer matches the schema.

Hypothesis generates requests for every operation (valid and invalid ones), run against a
small synthetic workspace so that even the heavy operations answer quickly. The checks are
the ones the issue asks for: no server error, a documented status code, the documented content
type, and a body that matches the documented schema (the error envelope included).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.specs.openapi import checks as oas_checks  # noqa: E402

from weakties.web.app import create_app  # noqa: E402
from weakties.web.auth import ensure_token  # noqa: E402
from weakties.workspace import Workspace  # noqa: E402

TOKEN_HEADER: dict[str, str] = {}


@pytest.fixture(scope="module")
def small_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path: Path = tmp_path_factory.mktemp("schema") / "small.db"
    ws = Workspace.open(str(path))
    ws.init("Alex Doe", ["alex@example.com"])
    ws.add_person("Jane Roe", emails=["jane@example.org"], org="Acme Bank", title="Product Manager")
    ws.add_person("Bob Smith", emails=["bob@example.org"], org="Beta Ltd", tags=["mentor"])
    ws.log(["Jane Roe"], when="2024-05-03")
    ws.log(["Bob Smith", "Jane Roe"], when="2023-01-10")
    ws.helped("Jane Roe", "migrated their email", when="2019")
    ws.add_goal("product role at a fintech", tags=["role:product manager"])
    ws.add_opportunity("Product manager", org="Acme Bank", via=["Bob Smith", "Jane Roe"])
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def api_schema(small_ws: Workspace) -> Any:
    token = ensure_token(small_ws)
    TOKEN_HEADER["Authorization"] = f"Bearer {token}"
    app = create_app(small_ws, token, allowed_hosts=["127.0.0.1", "localhost", "testserver"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return schemathesis.openapi.from_asgi("/openapi.json", app)


CHECKS = [
    oas_checks.status_code_conformance,
    oas_checks.content_type_conformance,
    oas_checks.response_schema_conformance,
]


def _labels() -> list[str]:
    """Every operation in the schema (built on a throwaway workspace: the schema is static)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder, Workspace.open(f"{folder}/x.db") as ws:
        app = create_app(ws, "x", allowed_hosts=["testserver"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
            return [result.ok().label for result in loaded.get_all_operations()]


@pytest.mark.parametrize("label", _labels())
def test_api_conforms_to_its_schema(api_schema: Any, label: str) -> None:
    from hypothesis import given
    from schemathesis.checks import not_a_server_error

    method, _, path = label.partition(" ")
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            case.call_and_validate(headers=dict(TOKEN_HEADER), checks=[not_a_server_error, *CHECKS])

    run()


def test_api_statefully_with_linked_calls(api_schema: Any) -> None:
    """Sequences of calls chained by the schema's links: ids from real answers, 0 server errors.

    The links (``weakties.web.links``) let a created person's id feed every per-person
    operation, an opportunity's its update and credit, a listing's first nudge or merge its
    decision. The run must reach linked operations with real ids (2xx answers there), or it
    would only be the stateless run again.
    """
    from hypothesis import settings as hsettings
    from schemathesis.checks import not_a_server_error

    base = api_schema.as_state_machine()
    calls: list[tuple[str, str, int]] = []

    class Machine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": dict(TOKEN_HEADER)}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(
                response, checks=[not_a_server_error, *CHECKS], transport_kwargs=kwargs
            )

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            calls.append((case.method, case.path, response.status_code))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        Machine.run(
            settings=hsettings(
                max_examples=40,
                stateful_step_count=8,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
        )
    assert not [c for c in calls if c[2] >= 500]
    linked_ok = {(m, p) for m, p, status in calls if "{" in p and 200 <= status < 300}
    assert len(linked_ok) >= 3, linked_ok
