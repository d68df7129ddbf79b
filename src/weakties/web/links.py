"""OpenAPI links: which answer feeds which next call, for clients and stateful testing.

A created person's ``id`` is the ``ref`` of every per-person operation; a created
opportunity's ``id`` is what its update and credit take; a goal's ``id`` its status; the
first nudge or suggested merge of a listing is what the decision operations take. Written
into the schema (OpenAPI 3 ``links``) so that generated clients and schemathesis's stateful
runs chain real ids instead of guessing ones that do not exist.
"""

from __future__ import annotations

from typing import Any

#: (method, path, status) of the producing operation → [(method, path)] it feeds, and how.
LINKS: list[tuple[tuple[str, str, str], list[tuple[str, str]], dict[str, str]]] = [
    (
        ("post", "/api/people", "201"),
        [
            ("get", "/api/people/{ref}"),
            ("patch", "/api/people/{ref}"),
            ("delete", "/api/people/{ref}"),
            ("post", "/api/people/{ref}/tags"),
            ("post", "/api/people/{ref}/notes"),
            ("post", "/api/people/{ref}/merge"),
            ("post", "/api/people/{ref}/unmerge"),
            ("get", "/api/people/{ref}/tie"),
            ("get", "/api/people/{ref}/connected"),
            ("get", "/api/people/{ref}/goodwill"),
            ("post", "/api/people/{ref}/rating"),
        ],
        {"ref": "$response.body#/id"},
    ),
    (
        ("post", "/api/opportunities", "201"),
        [("patch", "/api/opportunities/{opp_id}"), ("get", "/api/opportunities/{opp_id}/credit")],
        {"opp_id": "$response.body#/id"},
    ),
    (
        ("post", "/api/goals", "201"),
        [("post", "/api/goals/{goal_id}/status")],
        {"goal_id": "$response.body#/id"},
    ),
    (
        ("get", "/api/nudges", "200"),
        [("post", "/api/nudges/{key}")],
        {"key": "$response.body#/items/0/key"},
    ),
    (
        ("get", "/api/merges", "200"),
        [("post", "/api/merges/{suggestion_id}")],
        {"suggestion_id": "$response.body#/items/0/id"},
    ),
    (
        ("post", "/api/imports", "202"),
        [("get", "/api/imports/jobs/{job_id}")],
        {"job_id": "$response.body#/id"},
    ),
]


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the links above written into its responses (operations it lacks skipped)."""
    paths = schema.get("paths", {})
    for (method, path, status), targets, parameters in LINKS:
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        links = response.setdefault("links", {})
        for target_method, target_path in targets:
            operation = paths.get(target_path, {}).get(target_method)
            if operation is None or "operationId" not in operation:
                continue
            name = operation["operationId"]
            links[name] = {"operationId": name, "parameters": dict(parameters)}
    return schema
