"""The JSON API under ``/api``: every operation the CLI offers, over the same services as the pages.

Listings are paged (``offset``, ``limit``; the answer says ``total`` and ``next_offset``).
Every error has one shape, ``{"error": {"code", "message", "hint", "candidates"}}``, whatever
raised it: bad input, an unknown person, an ambiguous name, a missing token or CSRF token.
Results are the CLI's ``--json`` objects.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from weakties.domain.goals import GoalStatus, OpportunityStatus
from weakties.domain.ledger import Channel, Direction, FavorSize, InteractionKind, IntroOutcome
from weakties.domain.people import OrgKind
from weakties.errors import InvalidInput
from weakties.web.serialize import jsonable
from weakties.web.services import Page, Services, paginate, person_ref
from weakties.workspace.paths import path_target

Json = dict[str, Any]


class ErrorBody(BaseModel):
    """What went wrong, in one line, with a hint and the candidates of an ambiguous name."""

    code: str
    message: str
    hint: str | None = None
    candidates: list[str] | None = None


class ErrorEnvelope(BaseModel):
    """Every API error: ``{"error": {...}}``."""

    error: ErrorBody


class PageModel(BaseModel):
    """One page of a listing."""

    items: list[Any]
    total: int
    offset: int
    limit: int
    next_offset: int | None


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text}
    for status, text in (
        (400, "Bad input"),
        (401, "No or wrong token"),
        (403, "Missing or wrong CSRF token"),
        (404, "Not found"),
        (409, "Ambiguous name or conflict"),
        (422, "Invalid parameters"),
        (503, "Database unavailable"),
    )
}

router = APIRouter(prefix="/api", responses=ERRORS)

Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many items.")]
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many items.")]


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


Svc = Annotated[Services, Depends(services)]


def page_json(page: Page) -> Json:
    return {
        "items": jsonable(page.items),
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "next_offset": page.next_offset,
    }


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


# --------------------------------------------------------------------------- owner
class InitBody(BaseModel):
    name: str | None = Field(None, max_length=200)
    emails: list[str] = Field(default_factory=list, max_length=20)


@router.get("/me", summary="The workspace owner")
def get_me(svc: Svc) -> Json:
    return {"person": jsonable(svc.me()), "stats": svc.stats()}


@router.post("/init", summary="Say who you are (weakties init)")
def post_init(svc: Svc, body: InitBody) -> Json:
    return {"person": jsonable(svc.write(lambda ws: ws.init(body.name, body.emails)))}


# --------------------------------------------------------------------------- people
class PersonBody(BaseModel):
    name: str = Field(..., min_length=1, max_length=300)
    emails: list[str] = Field(default_factory=list, max_length=20)
    phones: list[str] = Field(default_factory=list, max_length=20)
    urls: list[str] = Field(default_factory=list, max_length=20)
    handles: list[str] = Field(default_factory=list, max_length=20)
    org: str | None = Field(None, max_length=300)
    title: str | None = Field(None, max_length=300)
    tags: list[str] = Field(default_factory=list, max_length=50)
    skills: list[str] = Field(default_factory=list, max_length=50)
    location: str | None = Field(None, max_length=300)
    how_met: str | None = Field(None, max_length=1000)
    met_where: str | None = Field(None, max_length=300)
    met_when: str | None = Field(None, max_length=100)
    met_through: str | None = Field(None, max_length=300)
    do_not_ask: bool = False


class EditBody(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=300)
    location: str | None = Field(None, max_length=300)
    how_met: str | None = Field(None, max_length=1000)
    met_where: str | None = Field(None, max_length=300)
    met_when: str | None = Field(None, max_length=100)
    met_through: str | None = Field(None, max_length=300)
    add_emails: list[str] = Field(default_factory=list, max_length=20)
    add_phones: list[str] = Field(default_factory=list, max_length=20)
    add_urls: list[str] = Field(default_factory=list, max_length=20)
    add_handles: list[str] = Field(default_factory=list, max_length=20)
    remove_identities: list[str] = Field(default_factory=list, max_length=20)
    org: str | None = Field(None, max_length=300)
    title: str | None = Field(None, max_length=300)
    left_org: str | None = Field(None, max_length=300)
    left_when: str | None = Field(None, max_length=100)
    skills: list[str] = Field(default_factory=list, max_length=50)
    do_not_ask: bool | None = None


class TagsBody(BaseModel):
    tags: list[str] = Field(..., min_length=1, max_length=50)
    remove: bool = False


class TextBody(BaseModel):
    text: str = Field(..., min_length=1, max_length=20_000)


class MergeBody(BaseModel):
    other: str = Field(..., min_length=1, max_length=300, description="The duplicate to merge in.")


class RatingBody(BaseModel):
    value: float = Field(..., ge=0.0, le=1.0)


@router.get("/people", response_model=PageModel, summary="List and search people")
def list_people(
    svc: Svc,
    q: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    org: Annotated[str | None, Query(max_length=200)] = None,
    title: Annotated[str | None, Query(max_length=200)] = None,
    category: Literal["strong", "moderate", "weak", "dormant", "never"] | None = None,
    sort: Literal["name", "recent", "interactions", "added", "strength"] = "name",
    desc: bool = False,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Json:
    rows = svc.people(
        q, tag=tag, org=org, title=title, category=category, sort=sort, descending=desc
    )
    return page_json(paginate(rows, offset, limit))


@router.post("/people", status_code=201, summary="Add a person (weakties add person)")
def add_person(svc: Svc, body: PersonBody) -> Json:
    data = body.model_dump()
    return jsonable(svc.write(lambda ws: ws.add_person(data.pop("name"), **data)))  # type: ignore[no-any-return]


def profile_json(profile: Any) -> Json:
    data: Json = jsonable(profile)
    data["affiliations"] = [
        {**jsonable(aff), "org_name": name} for aff, name in profile.affiliations
    ]
    return data


@router.get("/people/{ref}", summary="Everything about one person (weakties show)")
def show_person(svc: Svc, ref: str, timeline: Annotated[int, Query(ge=0, le=1000)] = 20) -> Json:
    return profile_json(svc.profile(ref, timeline))


@router.patch("/people/{ref}", summary="Change a person (weakties edit)")
def edit_person(svc: Svc, ref: str, body: EditBody) -> Json:
    data = body.model_dump()
    return jsonable(svc.write(lambda ws: ws.edit_person(person_ref(ref), **data)))  # type: ignore[no-any-return]


@router.delete(
    "/people/{ref}", summary="Erase a person and every fact about them (weakties forget)"
)
def forget_person(svc: Svc, ref: str) -> Json:
    name, erased = svc.write(lambda ws: ws.forget(person_ref(ref)))
    return {"forgot": name, "erased": erased}


@router.post("/people/{ref}/tags", summary="Add or remove tags (weakties tag)")
def tag_person(svc: Svc, ref: str, body: TagsBody) -> Json:
    changed = svc.write(lambda ws: ws.tag(person_ref(ref), body.tags, remove=body.remove))
    return {"changed": changed}


@router.post("/people/{ref}/notes", status_code=201, summary="Write a note (weakties note)")
def note_person(svc: Svc, ref: str, body: TextBody) -> Json:
    return jsonable(svc.write(lambda ws: ws.note(person_ref(ref), body.text)))  # type: ignore[no-any-return]


@router.post("/people/{ref}/merge", summary="Merge a duplicate into this person (weakties merge)")
def merge_person(svc: Svc, ref: str, body: MergeBody) -> Json:
    kept, merge_id = svc.write(lambda ws: ws.merge(person_ref(ref), person_ref(body.other)))
    return {"kept": jsonable(kept), "merge_id": merge_id}


@router.post("/people/{ref}/unmerge", summary="Undo the latest merge (weakties unmerge)")
def unmerge_person(svc: Svc, ref: str) -> Json:
    kept, restored = svc.write(lambda ws: ws.unmerge(person_ref(ref)))
    return {"kept": jsonable(kept), "restored": jsonable(restored)}


@router.get("/people/{ref}/tie", summary="One tie explained (weakties tie)")
def tie_detail(svc: Svc, ref: str) -> Json:
    return jsonable(svc.tie(person_ref(ref)))  # type: ignore[no-any-return]


@router.get("/people/{ref}/connected", summary="How you are connected (weakties connected)")
def connected(svc: Svc, ref: str) -> Json:
    return jsonable(svc.connected(person_ref(ref)))  # type: ignore[no-any-return]


@router.get("/people/{ref}/goodwill", summary="The goodwill ledger with one person")
def goodwill_of(svc: Svc, ref: str) -> Json:
    return {"balances": jsonable(svc.goodwill(person_ref(ref)))}


@router.post("/people/{ref}/rating", summary="Rate a tie (weakties rate)")
def rate(svc: Svc, ref: str, body: RatingBody) -> Json:
    return jsonable(svc.write(lambda ws: ws.rate(person_ref(ref), body.value)))  # type: ignore[no-any-return]


@router.delete("/ratings", summary="Forget all ratings (weakties rate --reset)")
def reset_ratings(svc: Svc) -> Json:
    return {"removed": svc.write(lambda ws: ws.reset_ratings())}


@router.get(
    "/goodwill", response_model=PageModel, summary="The goodwill ledger (weakties goodwill)"
)
def goodwill(svc: Svc, offset: Offset = 0, limit: Limit = 50) -> Json:
    return page_json(paginate(svc.goodwill(None), offset, limit))


# --------------------------------------------------------------------------- orgs, ties
class OrgBody(BaseModel):
    name: str = Field(..., min_length=1, max_length=300)
    kind: OrgKind = OrgKind.COMPANY
    industry: str | None = Field(None, max_length=200)
    aliases: list[str] = Field(default_factory=list, max_length=20)
    domains: list[str] = Field(default_factory=list, max_length=20)
    location: str | None = Field(None, max_length=300)


@router.get("/orgs", response_model=PageModel, summary="Organisations with members (weakties orgs)")
def list_orgs(svc: Svc, offset: Offset = 0, limit: Limit = 50) -> Json:
    rows = [{**jsonable(o), "members": n} for o, n in svc.orgs()]
    return page_json(paginate(rows, offset, limit))


@router.post("/orgs", status_code=201, summary="Add an organisation (weakties add org)")
def add_org(svc: Svc, body: OrgBody) -> Json:
    data = body.model_dump()
    return jsonable(svc.write(lambda ws: ws.add_org(data.pop("name"), **data)))  # type: ignore[no-any-return]


@router.get("/ties", response_model=PageModel, summary="Your ties with strength (weakties ties)")
def list_ties(
    svc: Svc,
    category: Literal["strong", "moderate", "weak", "dormant", "never"] | None = None,
    sort: Literal["strength", "weakest", "recent", "name"] = "strength",
    offset: Offset = 0,
    limit: Limit = 50,
) -> Json:
    return page_json(paginate(svc.ties(category, sort), offset, limit))


@router.get("/circles", summary="Your circles (weakties circles)")
def circles(svc: Svc) -> Json:
    return jsonable(svc.circles())  # type: ignore[no-any-return]


@router.get(
    "/network",
    summary="The ego network for the network view",
    response_class=Response,
    responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def network(svc: Svc) -> Response:
    return Response(svc.network_json(), media_type="application/json")


# --------------------------------------------------------------------------- ledger
class LogBody(BaseModel):
    people: list[str] = Field(..., min_length=1, max_length=50)
    channel: Channel = Channel.MESSAGE
    when: str = Field("now", min_length=1, max_length=100)
    direction: Direction = Direction.OUTBOUND
    summary: str | None = Field(None, max_length=2000)
    kind: InteractionKind = InteractionKind.CONVERSATION


class FavourBody(BaseModel):
    person: str = Field(..., min_length=1, max_length=300)
    what: str = Field(..., min_length=1, max_length=2000)
    when: str | None = Field(None, max_length=100)
    size: FavorSize = FavorSize.SMALL
    by_them: bool = Field(False, description="They helped you (weakties helped-by).")


class IntroBody(BaseModel):
    a: str = Field(..., min_length=1, max_length=300)
    b: str = Field(..., min_length=1, max_length=300)
    by: str | None = Field(None, max_length=300)
    when: str | None = Field(None, max_length=100)
    outcome: IntroOutcome = IntroOutcome.PENDING
    note: str | None = Field(None, max_length=2000)


class KnowsBody(BaseModel):
    a: str = Field(..., min_length=1, max_length=300)
    b: str = Field(..., min_length=1, max_length=300)
    note: str | None = Field(None, max_length=2000)


@router.post("/interactions", status_code=201, summary="Log an interaction (weakties log)")
def log(svc: Svc, body: LogBody) -> Json:
    refs = [person_ref(p) for p in body.people]
    item = svc.write(
        lambda ws: ws.log(
            refs,
            channel=body.channel,
            when=body.when,
            direction=body.direction,
            summary=body.summary,
            kind=body.kind,
        )
    )
    return jsonable(item)  # type: ignore[no-any-return]


@router.post("/favours", status_code=201, summary="Record a favour (weakties helped / helped-by)")
def favour(svc: Svc, body: FavourBody) -> Json:
    item = svc.write(
        lambda ws: ws.helped(
            person_ref(body.person), body.what, when=body.when, size=body.size, by_them=body.by_them
        )
    )
    return jsonable(item)  # type: ignore[no-any-return]


@router.post("/introductions", status_code=201, summary="Record an introduction (weakties intro)")
def introduction(svc: Svc, body: IntroBody) -> Json:
    item = svc.write(
        lambda ws: ws.intro(
            person_ref(body.a),
            person_ref(body.b),
            by=body.by,
            when=body.when,
            outcome=body.outcome,
            note=body.note,
        )
    )
    return jsonable(item)  # type: ignore[no-any-return]


@router.post("/knows", status_code=201, summary="Two contacts know each other (weakties knows)")
def knows(svc: Svc, body: KnowsBody) -> Json:
    a, b = svc.write(lambda ws: ws.knows(person_ref(body.a), person_ref(body.b), note=body.note))
    return {"a": jsonable(a), "b": jsonable(b)}


# --------------------------------------------------------------------------- goals, opportunities
class GoalBody(BaseModel):
    text: str = Field(..., min_length=1, max_length=2000)
    tags: list[str] = Field(default_factory=list, max_length=20, description="kind:value")
    for_person: str | None = Field(None, max_length=300, description="A contact's ask.")


class GoalStatusBody(BaseModel):
    status: GoalStatus
    when: str | None = Field(None, max_length=100)


class OpportunityBody(BaseModel):
    title: str = Field(..., min_length=1, max_length=300)
    org: str | None = Field(None, max_length=300)
    via: list[str] = Field(default_factory=list, max_length=10)
    status: OpportunityStatus = OpportunityStatus.LEAD
    when: str | None = Field(None, max_length=100)
    goal: int | None = Field(None, ge=1, le=2**62)
    note: str | None = Field(None, max_length=2000)


class OpportunityUpdateBody(BaseModel):
    status: OpportunityStatus | None = None
    via: list[str] | None = Field(None, max_length=10)
    note: str | None = Field(None, max_length=2000)
    title: str | None = Field(None, min_length=1, max_length=300)
    when: str | None = Field(None, max_length=100)


@router.get("/goals", response_model=PageModel, summary="Goals and asks (weakties goal list)")
def list_goals(
    svc: Svc,
    for_person: Annotated[str | None, Query(alias="for", max_length=300)] = None,
    status: GoalStatus | None = None,
    everyone: bool = False,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Json:
    rows = svc.goals(for_person=for_person, status=status, everyone=everyone)
    return page_json(paginate(rows, offset, limit))


@router.post("/goals", status_code=201, summary="Set a goal or record an ask (weakties goal add)")
def add_goal(svc: Svc, body: GoalBody) -> Json:
    goal = svc.write(lambda ws: ws.add_goal(body.text, tags=body.tags, for_person=body.for_person))
    return jsonable(goal)  # type: ignore[no-any-return]


@router.post(
    "/goals/{goal_id}/status", summary="Mark a goal done, dropped or open (weakties goal done)"
)
def goal_status(
    svc: Svc, goal_id: Annotated[int, Path(ge=1, le=2**62)], body: GoalStatusBody
) -> Json:
    goal = svc.write(lambda ws: ws.set_goal_status(goal_id, body.status, when=body.when))
    return jsonable(goal)  # type: ignore[no-any-return]


def _opportunity_json(svc: Services, o: Any) -> Json:
    names = svc.names(list(o.chain))
    orgs = svc.org_names()
    return {
        **jsonable(o),
        "org": orgs.get(o.org_id) if o.org_id else None,
        "chain_names": [names[c] for c in o.chain],
    }


@router.get("/opportunities", response_model=PageModel, summary="Opportunities with chains")
def list_opportunities(svc: Svc, offset: Offset = 0, limit: Limit = 50) -> Json:
    rows = [_opportunity_json(svc, o) for o in svc.opportunities()]
    return page_json(paginate(rows, offset, limit))


@router.post(
    "/opportunities", status_code=201, summary="Record an opportunity (weakties opportunity add)"
)
def add_opportunity(svc: Svc, body: OpportunityBody) -> Json:
    opp = svc.write(
        lambda ws: ws.add_opportunity(
            body.title,
            org=body.org,
            via=body.via,
            status=body.status,
            opened=body.when,
            goal_id=body.goal,
            note=body.note,
        )
    )
    return _opportunity_json(svc, opp)


@router.patch(
    "/opportunities/{opp_id}", summary="Change an opportunity (weakties opportunity update)"
)
def update_opportunity(
    svc: Svc, opp_id: Annotated[int, Path(ge=1, le=2**62)], body: OpportunityUpdateBody
) -> Json:
    opp = svc.write(
        lambda ws: ws.update_opportunity(
            opp_id,
            status=body.status,
            via=body.via,
            note=body.note,
            title=body.title,
            when=body.when,
        )
    )
    return _opportunity_json(svc, opp)


@router.get("/opportunities/{opp_id}/credit", summary="Credit along the chain (weakties credit)")
def credit(svc: Svc, opp_id: Annotated[int, Path(ge=1, le=2**62)], suggest: bool = False) -> Json:
    links, suggestions = svc.credit(opp_id, suggest)
    return {"credit": jsonable(links), "suggestions": jsonable(suggestions)}


# --------------------------------------------------------------------------- paths, plan
@router.get("/paths", summary="The warmest introduction paths (weakties path)")
def paths(
    svc: Svc,
    to: Annotated[str | None, Query(max_length=300, description="A person.")] = None,
    org: Annotated[str | None, Query(max_length=300)] = None,
    role: Annotated[str | None, Query(max_length=300)] = None,
    skill: Annotated[str | None, Query(max_length=300)] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    max_hops: Annotated[int, Query(ge=1, le=3)] = 3,
    goal: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    draft: bool = False,
    markdown: bool = False,
) -> Json:
    kind, text, within = path_target(to=to, org=org, role=role, skill=skill)
    result = svc.paths(
        kind,
        text,
        org=within,
        k=k,
        max_hops=max_hops,
        goal_id=goal,
    )
    data: Json = {
        "target": result.target,
        "targets": result.targets,
        "goal": result.goal,
        "paths": jsonable(result.paths),
    }
    if draft and result.paths:
        data["draft"] = svc.draft(result, 0, "md" if markdown else "text")
    return data


@router.get("/targets", summary="Autocomplete for path targets: people, orgs, roles, skills")
def targets(svc: Svc, q: Annotated[str, Query(max_length=200)] = "") -> Json:
    return {"items": svc.targets(q)}


@router.get("/plan", summary="Whom to tell first about a goal (weakties plan)")
def plan(
    svc: Svc,
    goal: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    rounds: Annotated[int, Query(ge=50, le=20000)] = 1000,
    notes: bool = False,
) -> Json:
    result = svc.plan(goal, k, rounds)
    data: Json = jsonable(result)
    data["expected_reach"] = result.reach
    data["strongest_ties_reach"] = result.strongest_reach
    if notes:
        post, per_person = svc.ask_texts(result)
        data["post"] = post
        data["notes"] = {str(key): text for key, text in per_person.items()}
    return data


# --------------------------------------------------------------------------- nudges, reviews
class NudgeBody(BaseModel):
    status: Literal["done", "snoozed", "dismissed"]
    until: str | None = Field(None, max_length=100, description="Snooze until this date.")


@router.get("/nudges", response_model=PageModel, summary="What to do next (weakties nudges)")
def nudges(
    svc: Svc,
    kind: Annotated[
        list[Literal["reconnect", "help", "introduce", "thank", "keep-warm"]] | None, Query()
    ] = None,
    hidden: bool = False,
    offset: Offset = 0,
    limit: Limit = 20,
) -> Json:
    rows = svc.nudges(kind, limit=None, hidden=hidden)
    page = paginate(rows, offset, limit)
    return page_json(page)


@router.post("/nudges/{key}", summary="Mark a nudge done, snoozed or dismissed (weakties nudge)")
def set_nudge(svc: Svc, key: str, body: NudgeBody) -> Json:
    state = svc.write(lambda ws: ws.set_nudge(key, body.status, until=body.until))
    return jsonable(state)  # type: ignore[no-any-return]


@router.get("/review", summary="The monthly review (weakties review)")
def review(svc: Svc, month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None) -> Json:
    return jsonable(svc.review(month))  # type: ignore[no-any-return]


@router.get("/review/due", summary="Whether a review is due (weakties review --due)")
def review_due(svc: Svc) -> Json:
    month = svc.review_due()
    return {"due": month is not None, "month": month}


@router.get("/reviews", response_model=PageModel, summary="The stored reviews (weakties reviews)")
def reviews(svc: Svc, offset: Offset = 0, limit: Limit = 50) -> Json:
    return page_json(paginate(svc.reviews(), offset, limit))


@router.get("/insights", summary="Where your opportunities came from (weakties insights)")
def insights(svc: Svc) -> Json:
    return jsonable(svc.insights())  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- imports, merges
class DecisionBody(BaseModel):
    decision: Literal["accept", "reject", "skip"]


@router.get("/importers", summary="The export formats weakties reads (weakties importers)")
def importers(svc: Svc) -> Json:
    return {
        "items": [{"name": n, "description": d, "extensions": e} for n, d, e in svc.importers()]
    }


@router.get("/imports", response_model=PageModel, summary="Past imports (weakties imports)")
def import_runs(svc: Svc, offset: Offset = 0, limit: Limit = 50) -> Json:
    return page_json(paginate(svc.import_runs(500), offset, limit))


@router.post("/imports", status_code=202, summary="Upload export files to import (weakties import)")
async def upload(
    request: Request,
    files: Annotated[list[UploadFile], File(description="Export files, zips or folders' files.")],
    format: Annotated[str | None, Form(max_length=50)] = None,
    me: Annotated[list[str] | None, Form()] = None,
    strict: Annotated[bool, Form()] = False,
    wait: Annotated[bool, Query(description="Answer when the import is done.")] = False,
) -> Json:
    from starlette.concurrency import run_in_threadpool

    uploads = [(f.filename or "upload", await f.read()) for f in files]
    jobs = request.app.state.jobs
    job = await run_in_threadpool(
        lambda: jobs.start(uploads, fmt=format or None, me=_split(me), strict=strict, wait=wait)
    )
    return job.as_dict()  # type: ignore[no-any-return]


@router.get("/imports/jobs/{job_id}", summary="An upload's progress and reports")
def import_job(request: Request, job_id: Annotated[str, Path(max_length=40)]) -> Json:
    return request.app.state.jobs.get(job_id).as_dict()  # type: ignore[no-any-return]


@router.get("/merges", response_model=PageModel, summary="Suggested merges (weakties merges)")
def merges(svc: Svc, offset: Offset = 0, limit: Limit = 50) -> Json:
    return page_json(paginate(svc.merge_queue(), offset, limit))


@router.post("/merges/{suggestion_id}", summary="Accept, reject or skip a suggested merge")
def decide_merge(
    svc: Svc, suggestion_id: Annotated[int, Path(ge=1, le=2**62)], body: DecisionBody
) -> Json:
    kept = svc.write(lambda ws: ws.decide_merge(suggestion_id, body.decision))
    return {"decision": body.decision, "kept": jsonable(kept)}


# --------------------------------------------------------------------------- export
@router.get(
    "/export",
    summary="Export the workspace (weakties export)",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "text/csv": {}, "application/xml": {}}}},
)
def export(svc: Svc, format: Literal["json", "csv", "graphml", "gexf"] = "json") -> Response:
    import io

    if format in ("graphml", "gexf"):
        binary = io.BytesIO()
        try:
            count = svc.ws.export_graph(binary, format)
        except ImportError:
            raise InvalidInput("graph export needs networkx", hint="pip install networkx") from None
        return Response(
            binary.getvalue(),
            media_type="application/xml",
            headers={
                "Content-Disposition": f'attachment; filename="weakties.{format}"',
                "X-People": str(count),
            },
        )
    text = io.StringIO()
    svc.ws.export(text, "json" if format == "json" else "csv")
    return Response(
        text.getvalue(),
        media_type="application/json" if format == "json" else "text/csv",
        headers={"Content-Disposition": f'attachment; filename="weakties.{format}"'},
    )


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    """The one error envelope."""
    body = {"code": code, "message": message, "hint": None, "candidates": None}
    body.update(extra)
    return JSONResponse({"error": body}, status_code=status)
