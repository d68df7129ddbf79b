"""The JSON API and the pages through FastAPI's test client: auth, CSRF, errors, operations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import BASE_URL, Client, Demo, copy_demo, make_client
from weakties.workspace import Workspace

VCARD = """BEGIN:VCARD
VERSION:3.0
FN:{name}
EMAIL:{email}
TEL:+44 20 7946 0991
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Zelda Quist
EMAIL:zelda.quist@example.net
END:VCARD
"""


def error_of(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}, body
    assert {"code", "message", "hint", "candidates"} <= set(body["error"])
    return dict(body["error"])


# ------------------------------------------------------------------------------- auth
def test_no_token_is_401_with_the_envelope(client: Client) -> None:
    response = client.get("/api/people")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert client.get("/api/people", headers={"Authorization": "Bearer wrong"}).status_code == 401
    page = client.get("/people")
    assert page.status_code == 401 and "log in" in page.text.lower()
    assert client.get("/api/people", headers=client.bearer).status_code == 200


def test_the_token_is_made_once_and_kept(ws: Workspace) -> None:
    from weakties.web.auth import ensure_token

    first = ensure_token(ws)
    assert len(first) >= 40 and ensure_token(ws) == first
    assert ws.setting("web_token") == first


def test_login_sets_a_session_cookie_not_the_token(client: Client) -> None:
    bad = client.get("/login?token=nope", follow_redirects=False)
    assert bad.status_code == 401
    good = client.get(f"/login?token={client.token}&next=/people", follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"] == "/people"
    cookie = good.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert client.token not in cookie
    assert client.get("/people").status_code == 200
    assert client.get("/api/me").status_code == 200
    # an open redirect through ?next= is not possible
    outside = client.get(f"/login?token={client.token}&next=//evil.example", follow_redirects=False)
    assert outside.headers["location"] == "/"


def test_csrf_is_required_for_changes_made_with_the_cookie(client: Client) -> None:
    client.login()
    body = {"name": "Jane Roe", "emails": ["jane@example.org"]}
    refused = client.post("/api/people", json=body)
    assert refused.status_code == 403 and error_of(refused)["code"] == "csrf"
    wrong = client.post("/api/people", json=body, headers={"X-CSRF-Token": "x" * 40})
    assert wrong.status_code == 403
    made = client.post("/api/people", json=body, headers={"X-CSRF-Token": client.csrf})
    assert made.status_code == 201, made.text
    # a form carries it as a hidden field
    form = client.post("/people", data={"name": "Bob Smith"}, follow_redirects=False)
    assert form.status_code == 403
    form = client.post(
        "/people", data={"name": "Bob Smith", "csrf_token": client.csrf}, follow_redirects=False
    )
    assert form.status_code == 303 and form.headers["location"].startswith("/people/")


def test_a_bearer_token_needs_no_csrf(client: Client) -> None:
    made = client.post("/api/people", json={"name": "Jane Roe"}, headers=client.bearer)
    assert made.status_code == 201


def test_foreign_host_headers_are_refused(client: Client) -> None:
    response = client.get("/api/me", headers={**client.bearer, "Host": "evil.example"})
    assert response.status_code == 400


def test_a_remote_app_needs_the_password_too(ws: Workspace) -> None:
    remote = make_client(ws, password="correct horse battery")
    page = remote.get(f"/login?token={remote.token}")
    assert page.status_code == 200 and 'type="password"' in page.text
    wrong = remote.post("/login", data={"token": remote.token, "password": "nope"})
    assert wrong.status_code == 401
    assert remote.get("/api/me", headers=remote.bearer).status_code == 401
    good = remote.post(
        "/login",
        data={"token": remote.token, "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert remote.get("/api/me").status_code == 200
    both = {"Authorization": f"Bearer {remote.token}:correct horse battery"}
    assert remote.get("/api/me", headers=both).status_code == 200


def test_serve_refuses_a_public_host_without_allow_remote_and_password(cli: object) -> None:
    result = cli("serve", "--host", "0.0.0.0")  # type: ignore[operator]
    assert result.exit_code == 1 and "--allow-remote" in result.output
    result = cli("serve", "--host", "0.0.0.0", "--allow-remote")  # type: ignore[operator]
    assert result.exit_code == 1 and "--password" in result.output


# ------------------------------------------------------------------------------- bad input
def test_bad_input_answers_the_envelope(client: Client) -> None:
    h = client.bearer
    empty = client.post("/api/people", json={"name": ""}, headers=h)
    assert empty.status_code == 422 and error_of(empty)["code"] == "invalid_parameters"
    blank = client.post("/api/people", json={"name": "   "}, headers=h)
    assert blank.status_code == 400 and "name" in str(error_of(blank)["message"])
    assert client.post("/api/people", content=b"{not json", headers=h).status_code == 422
    missing = client.get("/api/people/nobody-at-all", headers=h)
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    assert client.get("/api/people?limit=0", headers=h).status_code == 422
    assert client.get("/api/people?sort=shoe", headers=h).status_code == 422
    assert error_of(client.get("/api/nowhere", headers=h))["code"] == "not_found"
    bad_date = client.post(
        "/api/favours", json={"person": "1", "what": "x", "when": "the twelfth of never"}, headers=h
    )
    assert bad_date.status_code in (400, 404), bad_date.text
    error_of(bad_date)
    assert client.get("/api/paths", headers=h).status_code == 400
    assert client.get("/api/review?month=May", headers=h).status_code == 422


def test_an_ambiguous_name_lists_the_candidates(client: Client) -> None:
    h = client.bearer
    for email in ("jane@example.org", "jane@example.com"):
        client.post("/api/people", json={"name": "Jane Roe", "emails": [email]}, headers=h)
    response = client.get("/api/people/Jane Roe", headers=h)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "ambiguous" and len(error["candidates"]) == 2  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- operations
def test_people_operations_round_trip(client: Client) -> None:
    h = client.bearer
    jane = client.post(
        "/api/people",
        json={
            "name": "Jane Roe",
            "emails": ["jane@example.org"],
            "org": "Acme Bank",
            "title": "Engineering Manager",
            "tags": ["fintech"],
        },
        headers=h,
    ).json()
    dupe = client.post("/api/people", json={"name": "J. Roe"}, headers=h).json()
    assert (
        client.patch(f"/api/people/{jane['id']}", json={"location": "Leeds"}, headers=h).json()[
            "location"
        ]
        == "Leeds"
    )
    assert client.post(
        f"/api/people/{jane['id']}/tags", json={"tags": ["mentor"]}, headers=h
    ).json() == {"changed": ["mentor"]}
    assert (
        client.post(
            f"/api/people/{jane['id']}/notes", json={"text": "knows payments"}, headers=h
        ).status_code
        == 201
    )
    listed = client.get("/api/people?q=payments", headers=h).json()
    assert [p["name"] for p in listed["items"]] == ["Jane Roe"]
    merged = client.post(
        f"/api/people/{jane['id']}/merge", json={"other": str(dupe["id"])}, headers=h
    )
    assert merged.status_code == 200 and merged.json()["kept"]["id"] == jane["id"]
    shown = client.get(f"/api/people/{jane['id']}", headers=h).json()
    assert shown["merged_from"] == [dupe["id"]]
    assert shown["affiliations"][0]["org_name"] == "Acme Bank"
    restored = client.post(f"/api/people/{jane['id']}/unmerge", headers=h).json()
    assert restored["restored"]["id"] == dupe["id"]
    gone = client.delete(f"/api/people/{dupe['id']}", headers=h).json()
    assert gone["forgot"] == "J. Roe"
    assert client.get(f"/api/people/{dupe['id']}", headers=h).status_code == 404


def test_ledger_goals_and_opportunities(client: Client) -> None:
    h = client.bearer
    for name in ("Jane Roe", "Bob Smith"):
        client.post("/api/people", json={"name": name}, headers=h)
    assert (
        client.post(
            "/api/interactions",
            json={"people": ["Jane Roe"], "channel": "call", "when": "2024-05-03 14:00"},
            headers=h,
        ).status_code
        == 201
    )
    favour = client.post(
        "/api/favours",
        json={"person": "Jane Roe", "what": "migrated their email", "when": "2019"},
        headers=h,
    )
    assert favour.status_code == 201 and favour.json()["when"] == "2019"
    assert (
        client.post(
            "/api/favours",
            json={"person": "Bob Smith", "what": "reviewed my CV", "by_them": True},
            headers=h,
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/introductions",
            json={"a": "Jane Roe", "b": "Bob Smith", "outcome": "met"},
            headers=h,
        ).status_code
        == 201
    )
    assert (
        client.post("/api/knows", json={"a": "Jane Roe", "b": "Bob Smith"}, headers=h).status_code
        == 201
    )
    goodwill = client.get("/api/goodwill", headers=h).json()
    assert {g["name"] for g in goodwill["items"]} == {"Jane Roe", "Bob Smith"}
    goal = client.post(
        "/api/goals",
        json={"text": "product role at a fintech", "tags": ["role:product manager"]},
        headers=h,
    ).json()
    assert client.get("/api/goals", headers=h).json()["total"] == 1
    assert (
        client.post(f"/api/goals/{goal['id']}/status", json={"status": "done"}, headers=h).json()[
            "status"
        ]
        == "done"
    )
    bad_tag = client.post("/api/goals", json={"text": "x", "tags": ["colour:red"]}, headers=h)
    assert bad_tag.status_code == 400
    opp = client.post(
        "/api/opportunities",
        json={"title": "Product manager", "org": "Acme Bank", "via": ["Bob Smith", "Jane Roe"]},
        headers=h,
    ).json()
    assert opp["chain_names"] == ["Bob Smith", "Jane Roe"]
    updated = client.patch(
        f"/api/opportunities/{opp['id']}", json={"status": "accepted"}, headers=h
    )
    assert updated.json()["status"] == "accepted"
    credit = client.get(f"/api/opportunities/{opp['id']}/credit", headers=h).json()
    assert abs(sum(c["share"] for c in credit["credit"]) - 1.0) < 1e-6
    assert client.patch("/api/opportunities/999", json={"note": "x"}, headers=h).status_code == 404
    exported = client.get("/api/export?format=csv", headers=h)
    assert exported.status_code == 200 and "Jane Roe" in exported.text
    assert client.get("/api/export", headers=h).json()


def test_listings_are_paged(client: Client) -> None:
    h = client.bearer
    for i in range(5):
        client.post("/api/people", json={"name": f"Person {i}"}, headers=h)
    first = client.get("/api/people?limit=2", headers=h).json()
    assert first["total"] == 5 and len(first["items"]) == 2 and first["next_offset"] == 2
    last = client.get("/api/people?limit=2&offset=4", headers=h).json()
    assert len(last["items"]) == 1 and last["next_offset"] is None
    beyond = client.get("/api/people?offset=50", headers=h).json()
    assert beyond["items"] == [] and beyond["total"] == 5


def test_import_upload_merges_into_known_people(client: Client) -> None:
    h = client.bearer
    jane = client.post(
        "/api/people", json={"name": "Jane Roe", "emails": ["jane@example.org"]}, headers=h
    ).json()
    vcf = VCARD.format(name="Jane Roe", email="jane@example.org").encode()
    job = client.post(
        "/api/imports?wait=true", files={"files": ("contacts.vcf", vcf, "text/vcard")}, headers=h
    )
    assert job.status_code == 202, job.text
    data = job.json()
    assert data["state"] == "done" and data["files"][0]["importer"] == "vcard"
    assert data["files"][0]["counts"]["people.created"] == 1
    shown = client.get(f"/api/people/{jane['id']}", headers=h).json()
    assert any(i["kind"] == "phone" for i in shown["person"]["identities"])
    polled = client.get(f"/api/imports/jobs/{data['id']}", headers=h).json()
    assert polled["state"] == "done"
    assert client.get("/api/imports", headers=h).json()["total"] == 1
    broken = client.post(
        "/api/imports?wait=true", files={"files": ("x.vcf", b"\x00garbage", "x")}, headers=h
    ).json()
    assert broken["files"][0]["state"] == "failed" and broken["files"][0]["error"]
    assert client.get("/api/imports/jobs/nope", headers=h).status_code == 404


def test_writes_from_elsewhere_are_seen(client: Client, db_path: Path) -> None:
    h = client.bearer
    assert client.get("/api/people", headers=h).json()["total"] == 0
    with Workspace.open(str(db_path)) as other:  # the CLI, in another process, say
        other.add_person("Late Arrival")
    assert client.get("/api/people", headers=h).json()["total"] == 1


def test_openapi_lists_every_cli_operation(client: Client) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/people",
        "/api/people/{ref}",
        "/api/paths",
        "/api/plan",
        "/api/nudges",
        "/api/review",
        "/api/reviews",
        "/api/imports",
        "/api/merges",
        "/api/export",
        "/api/goals",
        "/api/opportunities",
        "/api/ties",
        "/api/circles",
        "/api/insights",
        "/api/interactions",
        "/api/favours",
        "/api/introductions",
        "/api/knows",
        "/api/orgs",
        "/api/goodwill",
        "/api/importers",
        "/api/review/due",
    ):
        assert path in paths, path
    assert "ErrorEnvelope" in schema["components"]["schemas"]


# ------------------------------------------------------------------------------- the demo
def test_demo_paths_to_the_target_with_a_draft(demo_client: Client, demo: Demo) -> None:
    h = demo_client.bearer
    found = demo_client.get("/api/paths", params={"org": demo.target_org, "draft": True}, headers=h)
    assert found.status_code == 200, found.text
    data = found.json()
    assert data["paths"] and data["draft"]
    assert all(p["nodes"][-1] for p in data["paths"])
    items = demo_client.get("/api/targets?q=" + demo.target_org[:4], headers=h).json()["items"]
    assert {"kind": "org", "value": demo.target_org, "label": demo.target_org} in items


def test_demo_pages_render(demo_client: Client, demo: Demo) -> None:
    demo_client.login()
    for url in (
        "/",
        "/people",
        "/people?q=nora&sort=strength",
        f"/people/{demo.helped}",
        "/network",
        f"/paths?kind=org&target={demo.target_org}",
        "/paths/suggest?target=ac",
        "/import",
        "/opportunities",
        "/reviews",
    ):
        response = demo_client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        assert "<html" in response.text or url.startswith("/paths/suggest")
    person = demo_client.get(f"/people/{demo.helped}").text
    assert demo.helped_name in person and "Why this strength" in person
    network = demo_client.get("/api/network", headers=demo_client.bearer).json()
    assert len(network["nodes"]) > 1000 and network["edges"]
    fragment = demo_client.get(
        "/people?q=nora", headers={"HX-Request": "true", "HX-Target": "people-rows"}
    )
    assert "<html" not in fragment.text and "Nora" in fragment.text


def test_demo_nudge_done_hides_it(demo: Demo, tmp_path: Path) -> None:
    with Workspace.open(str(copy_demo(demo, tmp_path))) as ws:
        client = make_client(ws)
        h = client.bearer
        before = client.get("/api/nudges?limit=5", headers=h).json()["items"]
        key = before[0]["key"]
        marked = client.post(f"/api/nudges/{key}", json={"status": "done"}, headers=h)
        assert marked.status_code == 200 and marked.json()["status"] == "done"
        after = client.get("/api/nudges?limit=5", headers=h).json()["items"]
        assert key not in [n["key"] for n in after]
        bad = client.post("/api/nudges/not-a-key", json={"status": "done"}, headers=h)
        assert bad.status_code == 400


@pytest.mark.parametrize(
    "url", ["/api/review", "/api/reviews", "/api/review/due", "/api/plan?k=3&rounds=50"]
)
def test_demo_reviews_and_plan(demo_client: Client, url: str) -> None:
    response = demo_client.get(url, headers=demo_client.bearer)
    assert response.status_code == 200, response.text
    assert response.json()


def test_base_url_is_loopback() -> None:
    assert BASE_URL.startswith("http://127.0.0.1")


def test_skill_targets_suggest_the_skills_people_have(client: Client, ws: Workspace) -> None:
    ws.add_person("Dee Designer", skills=["UX Research", "Figma"])
    ws.add_person("Eve Ux", skills=["ux research"])
    ws.add_person("Flo Dev", skills=["Rust"])
    items = client.get("/api/targets?q=ux", headers=client.bearer).json()["items"]
    skills = [i for i in items if i["kind"] == "skill"]
    # both spellings are one skill of two people; nothing else contains "ux"
    assert [s["label"] for s in skills] == ["people skilled in UX Research (2 people)"]
    typed = client.get("/api/targets?q=cobol", headers=client.bearer).json()["items"]
    assert {"kind": "skill", "value": "cobol", "label": "people skilled in cobol"} in typed
