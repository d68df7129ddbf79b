"""The HTML pages: server-rendered Jinja2 templates, made interactive with HTMX.

Each page calls the same :class:`~weakties.web.services.Services` as the API. Forms post to the
page routes here (with the CSRF token); HTMX swaps in the fragment a route returns when the
request came from HTMX (``HX-Request``), and a plain browser gets the whole page or a redirect.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from weakties.errors import InvalidInput
from weakties.web.cache import current_freshness
from weakties.web.services import CATEGORIES, Services, paginate, person_ref

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.auto_reload = False  # templates ship with the package: no stat per render
PAGE_SIZE = 50


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    days = (datetime.now(moment.tzinfo) - moment).total_seconds() / 86400
    for size, unit in ((365.25, "year"), (30.44, "month"), (7, "week"), (1, "day")):
        if days >= size:
            n = int(days // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "today"


def _local(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "—"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _tojson(value: Any) -> Markup:
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))


templates.env.filters["ago"] = _ago
templates.env.filters["local"] = _local
templates.env.filters["pct"] = _pct
templates.env.filters["tojson_safe"] = _tojson
templates.env.globals["vendor_ready"] = lambda: (STATIC / "vendor" / "htmx.min.js").exists()


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    """A template with the app's common context (CSRF token, current path, HTMX flag)."""
    guard = request.app.state.guard
    freshness = current_freshness()
    base = {
        "request": request,
        "csrf": guard.csrf,
        "path": request.url.path,
        "htmx": request.headers.get("hx-request") == "true",
        # the age of the oldest stale answer on the page (shown as a note), or None
        "stale": None if freshness is None else freshness.age,
    }
    return templates.TemplateResponse(
        request, name, {**base, **(context or {})}, status_code=status
    )


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


Svc = Annotated[Services, Depends(services)]


def _back(request: Request, url: str) -> Response:
    """After a form post: HTMX follows ``HX-Redirect``; a plain browser gets a 303."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _lines(text: str | None) -> list[str]:
    return [v.strip() for v in (text or "").replace("\n", ",").split(",") if v.strip()]


# --------------------------------------------------------------------------- dashboard
@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, svc: Svc) -> HTMLResponse:
    from weakties.workspace.render import sections, subtitle_of, title_of

    review = svc.latest_review()
    return render(
        request,
        "dashboard.html",
        {
            "me": svc.me(),
            "stats": svc.stats(),
            "review": review,
            "review_title": title_of(review),
            "review_subtitle": subtitle_of(review),
            "sections": [s for s in sections(review) if s.rows][:4],
            "nudges": svc.nudges(limit=12),
            "goals": svc.goals(status=None),
            "due": svc.review_due(),
        },
    )


@router.post("/nudges/{key}")
def nudge_action(
    request: Request,
    svc: Svc,
    key: str,
    status: Annotated[Literal["done", "snoozed", "dismissed"], Form()],
    until: Annotated[str | None, Form()] = None,
) -> Response:
    svc.write(lambda ws: ws.set_nudge(key, status, until=until or None))
    if request.headers.get("hx-request") == "true":
        return render(request, "_nudges.html", {"nudges": svc.nudges(limit=12)})
    return RedirectResponse("/", status_code=303)


# --------------------------------------------------------------------------- people
def _people_context(
    svc: Services,
    q: str | None,
    tag: str | None,
    org: str | None,
    title: str | None,
    category: str | None,
    sort: str,
    desc: bool,
    offset: int,
) -> dict[str, Any]:
    rows = svc.people(
        q, tag=tag, org=org, title=title, category=category or None, sort=sort, descending=desc
    )
    page = paginate(rows, offset, PAGE_SIZE)
    filters = {"q": q or "", "tag": tag or "", "org": org or "", "title": title or ""}
    filters["category"] = category or ""
    return {"page": page, "filters": filters, "sort": sort, "desc": desc, "categories": CATEGORIES}


@router.get("/people", response_class=HTMLResponse)
def people(
    request: Request,
    svc: Svc,
    q: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    org: Annotated[str | None, Query(max_length=200)] = None,
    title: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=20)] = None,
    sort: Annotated[str, Query(max_length=20)] = "name",
    desc: bool = False,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    context = _people_context(svc, q, tag, org, title, category, sort, desc, offset)
    if request.headers.get("hx-target") == "people-rows":
        return render(request, "_people_rows.html", context)
    return render(request, "people.html", context)


@router.post("/people")
def add_person(
    request: Request,
    svc: Svc,
    name: Annotated[str, Form(max_length=300)],
    email: Annotated[str | None, Form()] = None,
    org: Annotated[str | None, Form()] = None,
    title: Annotated[str | None, Form()] = None,
    tags: Annotated[str | None, Form()] = None,
) -> Response:
    person = svc.write(
        lambda ws: ws.add_person(
            name, emails=_lines(email), org=org or None, title=title or None, tags=_lines(tags)
        )
    )
    return _back(request, f"/people/{person.id}")


@router.get("/people/{ref}", response_class=HTMLResponse)
def person(request: Request, svc: Svc, ref: str) -> HTMLResponse:
    from weakties.errors import WeaktiesError

    profile = svc.profile(ref)
    pid = str(profile.person.id)
    tie = best = None
    goodwill: list[Any] = []
    if not profile.person.is_me:
        try:
            tie = svc.tie(pid)
        except WeaktiesError:
            tie = None
        try:
            best = svc.connected(pid)
        except WeaktiesError:
            best = None
        goodwill = svc.goodwill(pid)
    return render(
        request,
        "person.html",
        {"p": profile, "tie": tie, "connected": best, "goodwill": goodwill},
    )


@router.post("/people/{ref}/edit")
def edit_person(
    request: Request,
    svc: Svc,
    ref: str,
    name: Annotated[str | None, Form(max_length=300)] = None,
    location: Annotated[str | None, Form(max_length=300)] = None,
    how_met: Annotated[str | None, Form(max_length=1000)] = None,
    email: Annotated[str | None, Form()] = None,
    org: Annotated[str | None, Form(max_length=300)] = None,
    title: Annotated[str | None, Form(max_length=300)] = None,
    tags: Annotated[str | None, Form()] = None,
    note: Annotated[str | None, Form(max_length=20_000)] = None,
) -> Response:
    target = person_ref(ref)

    def change(ws: Any) -> Any:
        updated = ws.edit_person(
            target,
            name=name or None,
            location=location or None,
            how_met=how_met or None,
            add_emails=_lines(email),
            org=org or None,
            title=title or None,
        )
        if _lines(tags):
            ws.tag(str(updated.id), _lines(tags))
        if note and note.strip():
            ws.note(str(updated.id), note)
        return updated

    updated = svc.write(change)
    return _back(request, f"/people/{updated.id}")


@router.post("/people/{ref}/merge")
def merge(
    request: Request, svc: Svc, ref: str, other: Annotated[str, Form(max_length=300)]
) -> Response:
    kept, _ = svc.write(lambda ws: ws.merge(person_ref(ref), person_ref(other)))
    return _back(request, f"/people/{kept.id}")


@router.post("/people/{ref}/unmerge")
def unmerge(request: Request, svc: Svc, ref: str) -> Response:
    kept, _ = svc.write(lambda ws: ws.unmerge(person_ref(ref)))
    return _back(request, f"/people/{kept.id}")


@router.post("/people/{ref}/forget")
def forget(request: Request, svc: Svc, ref: str, confirm: Annotated[str, Form()] = "") -> Response:
    if confirm != "forget":
        raise InvalidInput("type forget to confirm")
    svc.write(lambda ws: ws.forget(person_ref(ref)))
    return _back(request, "/people")


@router.post("/people/{ref}/favour")
def favour(
    request: Request,
    svc: Svc,
    ref: str,
    what: Annotated[str, Form(min_length=1, max_length=2000)],
    when: Annotated[str | None, Form(max_length=100)] = None,
    by_them: Annotated[bool, Form()] = False,
) -> Response:
    svc.write(lambda ws: ws.helped(person_ref(ref), what, when=when or None, by_them=by_them))
    return _back(request, f"/people/{ref}")


# --------------------------------------------------------------------------- network
@router.get("/network", response_class=HTMLResponse)
def network(request: Request, svc: Svc) -> HTMLResponse:
    data = svc.network()
    return render(
        request,
        "network.html",
        {"orgs": data["orgs"], "tags": data["tags"], "count": len(data["nodes"]) - 1},
    )


# --------------------------------------------------------------------------- paths
@router.get("/paths", response_class=HTMLResponse)
def paths(
    request: Request,
    svc: Svc,
    kind: Literal["person", "org", "role", "skill", ""] = "",
    target: Annotated[str, Query(max_length=300)] = "",
    k: Annotated[int, Query(ge=1, le=20)] = 5,
) -> HTMLResponse:
    result = draft = None
    if kind and target.strip():
        result = svc.paths(kind, target, k=k)
        if result.paths:
            draft = svc.draft(result, 0)
    return render(
        request,
        "paths.html",
        {"result": result, "draft": draft, "kind": kind or "org", "target": target},
    )


@router.get("/paths/suggest", response_class=HTMLResponse)
def suggest(
    request: Request, svc: Svc, target: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    return render(request, "_suggest.html", {"items": svc.targets(target)})


# --------------------------------------------------------------------------- plan
@router.get("/plan", response_class=HTMLResponse)
def plan(
    request: Request,
    svc: Svc,
    goal: Annotated[int | None, Query(ge=1)] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> HTMLResponse:
    result = svc.plan(goal, k)
    post, notes = svc.ask_texts(result)
    cumulative, total = [], 0.0
    for pick in result.picks:
        total += pick.gain
        cumulative.append(round(total, 3))
    chart = {
        "labels": [p.name for p in result.picks],
        "gain": [round(p.gain, 3) for p in result.picks],
        "cumulative": cumulative,
        "strongest": result.strongest_reach,
    }
    from weakties.domain.goals import GoalStatus

    return render(
        request,
        "plan.html",
        {
            "plan": result,
            "post": post,
            "notes": notes,
            "chart": chart,
            "goals": svc.goals(status=GoalStatus.OPEN),
            "k": k,
        },
    )


# --------------------------------------------------------------------------- import
@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, svc: Svc) -> HTMLResponse:
    return render(
        request,
        "import.html",
        {
            "importers": svc.importers(),
            "runs": svc.import_runs(20),
            "queue": svc.merge_queue(),
        },
    )


@router.post("/import", response_class=HTMLResponse)
async def upload(
    request: Request,
    files: list[UploadFile],
    format: Annotated[str | None, Form(max_length=50)] = None,
) -> HTMLResponse:
    from starlette.concurrency import run_in_threadpool

    uploads = [(f.filename or "upload", await f.read()) for f in files if f.filename]
    jobs = request.app.state.jobs
    job = await run_in_threadpool(lambda: jobs.start(uploads, fmt=format or None))
    return render(request, "_job.html", {"job": job})


@router.get("/import/jobs/{job_id}", response_class=HTMLResponse)
def job(request: Request, job_id: str) -> HTMLResponse:
    return render(request, "_job.html", {"job": request.app.state.jobs.get(job_id)})


@router.post("/merges/{suggestion_id}")
def decide(
    request: Request,
    svc: Svc,
    suggestion_id: int,
    decision: Annotated[Literal["accept", "reject", "skip"], Form()],
) -> Response:
    svc.write(lambda ws: ws.decide_merge(suggestion_id, decision))
    if request.headers.get("hx-request") == "true":
        return render(request, "_queue.html", {"queue": svc.merge_queue()})
    return RedirectResponse("/import", status_code=303)


# --------------------------------------------------------------------------- opportunities, reviews
@router.get("/opportunities", response_class=HTMLResponse)
def opportunities(request: Request, svc: Svc) -> HTMLResponse:
    opps = svc.opportunities()
    orgs = svc.org_names()
    rows = []
    for o in opps:
        credit, suggestions = svc.credit(int(o.id)) if o.id is not None else ([], [])
        rows.append(
            {
                "o": o,
                "org": orgs.get(o.org_id) if o.org_id else None,
                "chain": svc.names(list(o.chain)),
                "credit": credit,
                "suggestions": suggestions,
            }
        )
    return render(request, "opportunities.html", {"rows": rows})


@router.get("/reviews", response_class=HTMLResponse)
def reviews(request: Request, svc: Svc) -> HTMLResponse:
    return render(request, "reviews.html", {"reviews": svc.reviews(), "due": svc.review_due()})


@router.get("/reviews/{month}", response_class=HTMLResponse)
def review(request: Request, svc: Svc, month: str) -> HTMLResponse:
    from weakties.workspace.render import sections, subtitle_of, title_of

    if len(month) != 7 or month[4] != "-":
        raise InvalidInput(f"not a month: {month!r}", hint="YYYY-MM")
    result = svc.review(month)
    return render(
        request,
        "review.html",
        {
            "review": result,
            "title": title_of(result),
            "subtitle": subtitle_of(result),
            "sections": sections(result),
        },
    )
