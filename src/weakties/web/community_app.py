"""The community's web app: each member logs in to their own view of the pool.

``weakties serve`` on a community database serves this app instead of the single-user one.
A member sees their asks (the inbox with accept, decline and "tell me more", and the asks
they made), the pooled paths to an organisation or role with a button to ask through each
member on them, how much larger their reachable world is with the community, and their own
sharing setting; an admin also sees the members page (add, remove, sharing, roles). Every
query runs as the logged-in member through the community's consent-scoped views, so a page can
show nothing the owning member did not share. Pages are server-rendered with autoescaping;
the JSON API under ``/api`` answers the same questions for scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.trustedhost import TrustedHostMiddleware

from weakties.domain.community import AskStatus, Role, parse_sharing
from weakties.errors import InvalidInput, NotFound, WeaktiesError
from weakties.web.auth import LOOPBACK_HOSTS
from weakties.web.members import SESSION_COOKIE, SESSION_SECONDS, Sessions
from weakties.web.security import BodyLimit, SecurityHeaders
from weakties.web.serialize import jsonable

if TYPE_CHECKING:
    from weakties.domain.community import Member
    from weakties.workspace.community import Community

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates" / "community"))
CSRF_HEADER = "x-csrf-token"
_DECISIONS = {"accept": AskStatus.ACCEPTED, "decline": AskStatus.DECLINED, "more": AskStatus.MORE}


class _Denied(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def create_community_app(
    community: Community,
    *,
    allowed_hosts: list[str] | None = None,
    sessions: Sessions | None = None,
) -> FastAPI:
    """The web app over ``community``; members log in with their handle and password."""

    app = FastAPI(title=f"weakties community: {community.name}", docs_url=None, redoc_url=None)
    store = sessions or Sessions()
    app.state.sessions = store
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=allowed_hosts or [*LOOPBACK_HOSTS, "[::1]"]
    )
    app.mount("/static", StaticFiles(directory=HERE / "static", check_dir=False), name="static")

    def who(request: Request) -> Member:
        mid = store.member(request.cookies.get(SESSION_COOKIE))
        if mid is None:
            raise _Denied(401, "log in first")
        member = next((m for m in community.members() if m.id == mid), None)
        if member is None:  # removed since: the session dies with them
            store.close_member(mid)
            raise _Denied(401, "log in first")
        return member

    async def changing(request: Request) -> Member:
        member = who(request)
        sent = request.headers.get(CSRF_HEADER)
        if sent is None:
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
        if not store.csrf_ok(request.cookies.get(SESSION_COOKIE), sent):
            raise _Denied(403, "missing or wrong CSRF token; reload the page")
        return member

    def page(request: Request, name: str, member: Member | None, **context: Any) -> Response:
        sid = request.cookies.get(SESSION_COOKIE)
        return templates.TemplateResponse(
            request,
            name,
            {
                "me": member,
                "community": community.name,
                "csrf": store.csrf(sid) if sid and member else "",
                "path": request.url.path,
                **context,
            },
            status_code=context.pop("status", 200) if "status" in context else 200,
        )

    @app.exception_handler(_Denied)
    async def on_denied(request: Request, exc: _Denied) -> Response:
        if request.url.path.startswith("/api"):
            return JSONResponse({"error": {"message": exc.message}}, status_code=exc.status)
        if exc.status == 401:
            return RedirectResponse("/login", status_code=303)
        return page(request, "error.html", None, message=exc.message, status=exc.status)

    @app.exception_handler(WeaktiesError)
    async def on_error(request: Request, exc: WeaktiesError) -> Response:
        status = 404 if isinstance(exc, NotFound) else 400
        if request.url.path.startswith("/api"):
            return JSONResponse({"error": {"message": str(exc)}}, status_code=status)
        return page(request, "error.html", None, message=str(exc), status=status)

    # ------------------------------------------------------------------ login
    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> Response:
        return page(request, "login.html", None, failed=False)

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        handle = str(form.get("handle") or "").strip().lower()
        password = str(form.get("password") or "")
        client = request.client.host if request.client else "?"
        wait = store.throttle.wait(f"handle:{handle}", f"addr:{client}")
        if wait > 0:
            response = page(request, "login.html", None, failed=True, status=429)
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response
        member = community.check_password(handle, password) if handle else None
        if member is None:
            store.throttle.failed(f"handle:{handle}", f"addr:{client}")
            return page(request, "login.html", None, failed=True, status=401)
        store.throttle.succeeded(f"handle:{handle}")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            store.open(member.id),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
        )
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        await changing(request)
        store.close(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    # ------------------------------------------------------------------ pages
    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        member = who(request)
        inbox, sent = community.asks(member.handle)
        return page(
            request,
            "home.html",
            member,
            inbox=inbox,
            sent=sent,
            reach=community.reach(member.handle),
        )

    @app.get("/paths", response_class=HTMLResponse)
    def paths(request: Request, org: str = "", role: str = "") -> Response:
        member = who(request)
        result, error = None, None
        if org or role:
            kind, text = ("role", role) if role else ("org", org)
            try:
                result = community.paths(
                    member.handle, kind, text, org=org or None if role else None
                )
            except (NotFound, InvalidInput) as exc:
                error = str(exc)
        members = {m.name: m.handle for m in community.members() if m.id != member.id}
        return page(
            request,
            "paths.html",
            member,
            org=org,
            role=role,
            result=result,
            error=error,
            members=members,
        )

    @app.post("/asks")
    async def ask(request: Request) -> Response:
        member = await changing(request)
        form = await request.form()
        org, role = str(form.get("org") or ""), str(form.get("role") or "")
        kind, text = ("role", role) if role else ("org", org)
        community.ask(
            member.handle,
            str(form.get("through") or ""),
            kind,
            text,
            org=org or None if role else None,
            message=str(form.get("message") or "") or None,
        )
        return RedirectResponse("/", status_code=303)

    @app.post("/asks/{ask_id}/{decision}")
    async def answer(request: Request, ask_id: int, decision: str) -> Response:
        member = await changing(request)
        form = await request.form()
        if decision == "withdraw":
            community.answer(member.handle, ask_id, AskStatus.WITHDRAWN)
        elif decision in _DECISIONS:
            reply = str(form.get("reply") or "") or None
            community.answer(member.handle, ask_id, _DECISIONS[decision], reply)
        else:
            raise InvalidInput(f"unknown answer {decision!r}")
        return RedirectResponse("/", status_code=303)

    @app.get("/sharing", response_class=HTMLResponse)
    def sharing_page(request: Request) -> Response:
        return page(request, "sharing.html", who(request))

    @app.post("/sharing")
    async def sharing(request: Request) -> Response:
        member = await changing(request)
        form = await request.form()
        level = parse_sharing(str(form.get("sharing") or ""))
        community.share(member.handle, level, form.get("names") == "on")
        return RedirectResponse("/sharing", status_code=303)

    def admin(member: Member) -> None:
        if member.role != Role.ADMIN:
            raise _Denied(403, "only an admin can manage members")

    @app.get("/members", response_class=HTMLResponse)
    def members_page(request: Request) -> Response:
        member = who(request)
        admin(member)
        return page(request, "members.html", member, members=community.members())

    @app.post("/members")
    async def add_member(request: Request) -> Response:
        member = await changing(request)
        admin(member)
        form = await request.form()
        handle = str(form.get("handle") or "")
        community.add_member(
            handle,
            str(form.get("name") or ""),
            emails=[e for e in [str(form.get("email") or "").strip()] if e],
            sharing=parse_sharing(str(form.get("sharing") or "exists")),
        )
        if form.get("password"):
            community.set_password(handle, str(form.get("password")))
        return RedirectResponse("/members", status_code=303)

    @app.post("/members/{handle}/remove")
    async def remove_member(request: Request, handle: str) -> Response:
        member = await changing(request)
        admin(member)
        if handle == member.handle:
            raise InvalidInput("an admin cannot remove themselves here")
        gone = community.member(handle)
        community.remove_member(handle)
        store.close_member(gone.id)
        return RedirectResponse("/members", status_code=303)

    @app.post("/members/{handle}/sharing")
    async def member_sharing(request: Request, handle: str) -> Response:
        member = await changing(request)
        admin(member)
        form = await request.form()
        community.share(
            handle, parse_sharing(str(form.get("sharing") or "")), form.get("names") == "on"
        )
        return RedirectResponse("/members", status_code=303)

    # -------------------------------------------------------------------- API
    @app.get("/api/me")
    def api_me(request: Request) -> Any:
        return jsonable(who(request))

    @app.get("/api/asks")
    def api_asks(request: Request) -> Any:
        inbox, sent = community.asks(who(request).handle)
        return jsonable({"inbox": inbox, "sent": sent})

    @app.get("/api/paths")
    def api_paths(request: Request, org: str = "", role: str = "") -> Any:
        member = who(request)
        kind, text = ("role", role) if role else ("org", org)
        if not text:
            raise InvalidInput("give org or role")
        return jsonable(
            community.paths(member.handle, kind, text, org=org or None if role else None)
        )

    @app.get("/api/reach")
    def api_reach(request: Request) -> Any:
        return jsonable(community.reach(who(request).handle))

    app.add_middleware(BodyLimit, max_bytes=1024 * 1024)  # forms only: nothing is uploaded
    app.add_middleware(SecurityHeaders)
    return app
