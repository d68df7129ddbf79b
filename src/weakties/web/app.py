"""The app factory: FastAPI with the pages, the API, static files, auth and error handling."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from weakties import __version__
from weakties.errors import (
    Ambiguous,
    Conflict,
    ImportFailed,
    InvalidInput,
    NotFound,
    StoreError,
    WeaktiesError,
)
from weakties.web.auth import LOOPBACK_HOSTS, SESSION_COOKIE, AuthError, Guard
from weakties.web.cache import MAX_STALE, MarkStale, ResponseCache, ResponseStore
from weakties.web.jobs import ImportJobs
from weakties.web.security import MAX_BODY_BYTES, BodyLimit, LoginThrottle, SecurityHeaders
from weakties.web.services import Services

if TYPE_CHECKING:
    from weakties.workspace import Workspace

HERE = Path(__file__).parent
STATIC = HERE / "static"
SESSION_DAYS = 30
#: The API reference: Swagger UI from npm (``make web-assets``), started by a file, not inline.
API_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>weakties API</title>
<meta name="referrer" content="no-referrer">
<link rel="stylesheet" href="/static/vendor/swagger-ui.css"></head>
<body><div id="swagger-ui"><p>The API reference needs the front-end packages: run
<code>make web-assets</code>. The schema itself is at <a href="/openapi.json">/openapi.json</a>.</p>
</div>
<script src="/static/vendor/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body></html>
"""

_STATUS: list[tuple[type[WeaktiesError], int, str]] = [
    (Ambiguous, 409, "ambiguous"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (ImportFailed, 422, "import_failed"),
    (StoreError, 503, "store_error"),
    (InvalidInput, 400, "invalid_input"),
]


def status_of(exc: WeaktiesError) -> tuple[int, str]:
    """The HTTP status and error code for a weakties error."""
    for kind, status, code in _STATUS:
        if isinstance(exc, kind):
            return status, code
    return 400, "error"


def _cacheable(
    routers: list[APIRouter], uncached: set[Callable[..., Any]]
) -> Callable[[MutableMapping[str, Any]], bool]:
    """Whether a request's route answers ``GET`` from the request and the data alone."""
    endpoints = {
        route.endpoint
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and "GET" in (route.methods or ())
    } - uncached

    def cacheable(scope: MutableMapping[str, Any]) -> bool:
        route = scope.get("route")
        return isinstance(route, APIRoute) and route.endpoint in endpoints

    return cacheable


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/openapi.json"


def create_app(
    ws: Workspace,
    token: str,
    *,
    password: str | None = None,
    allowed_hosts: list[str] | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    throttle: LoginThrottle | None = None,
    max_stale: float = MAX_STALE,
) -> FastAPI:
    """The web app over ``ws``; ``token`` admits a browser (and ``password`` too, when given).

    ``allowed_hosts`` are the Host headers accepted (default: loopback names), which keeps a
    web page elsewhere from reaching the app through DNS rebinding. A request body larger than
    ``max_body_bytes`` is refused with 413; failed logins and wrong bearer tokens are counted
    per client address by ``throttle`` and answered 429 past its limit. After a change made
    elsewhere (another process, an import job), answers up to ``max_stale`` seconds old are
    served, marked stale, while fresh ones are computed (0: always wait for fresh ones).
    """
    from weakties.web import api, pages, sources

    guard = Guard(token, password, throttle or LoginThrottle())
    app = FastAPI(
        title="weakties",
        version=__version__,
        description=(
            "The weakties JSON API: every operation of the CLI over your local workspace. "
            "Authenticate with `Authorization: Bearer TOKEN` (the token `weakties serve` "
            "prints) or the session cookie plus an `X-CSRF-Token` header on changes. Errors "
            'are `{"error": {"code", "message", "hint", "candidates"}}`.'
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    plain_openapi = app.openapi

    def openapi_with_links() -> dict[str, Any]:
        if app.openapi_schema is None:
            from weakties.web.links import add_links

            app.openapi_schema = add_links(plain_openapi())
        return app.openapi_schema

    app.openapi = openapi_with_links  # type: ignore[method-assign]
    app.state.services = Services(ws, max_stale=max_stale)
    app.state.jobs = ImportJobs(app.state.services)
    app.state.guard = guard
    hosts = allowed_hosts or [*LOOPBACK_HOSTS, "[::1]"]
    app.state.answers = ResponseStore(app.state.services.cache.version)
    app.add_middleware(MarkStale)  # inside ResponseCache, which sees the mark and keeps nothing
    app.add_middleware(
        ResponseCache,
        store=app.state.answers,
        admits=guard.admits_read,
        # every GET of the API and the pages reads through the services, except the import
        # jobs' progress (held in memory, not in the database) and the export (a download)
        cacheable=_cacheable([api.router, pages.router], {api.import_job, pages.job, api.export}),
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)

    async def require_session(request: Request) -> None:
        await guard.authorize(request)

    app.include_router(api.router, dependencies=[Depends(require_session)])
    app.include_router(pages.router, dependencies=[Depends(require_session)])
    app.include_router(sources.router, dependencies=[Depends(require_session)])
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS_PAGE)

    @app.get("/login", include_in_schema=False)
    def login(request: Request, token: str | None = None, next: str = "/") -> Response:
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        if password is not None:
            return pages.render(
                request, "login.html", {"token": token or "", "next": target}, status=200
            )
        return _login(request, token, None, target)

    @app.post("/login", include_in_schema=False)
    async def login_form(request: Request) -> Response:
        form = await request.form()
        raw_next = str(form.get("next") or "/")
        target = raw_next if raw_next.startswith("/") and not raw_next.startswith("//") else "/"
        return _login(
            request, str(form.get("token") or ""), str(form.get("password") or ""), target
        )

    def _login(
        request: Request, given: str | None, given_password: str | None, target: str
    ) -> Response:
        address = guard.address(request)
        wait = guard.throttle.wait(address)
        if wait > 0:
            return HTMLResponse(
                "<!doctype html><title>weakties</title><p>Too many failed logins from this "
                "address: wait a few minutes and open the link again.</p>",
                status_code=429,
                headers={"Retry-After": str(int(wait) + 1)},
            )
        if not guard.check_login(given, given_password):
            guard.throttle.failed(address)
            return HTMLResponse(
                "<!doctype html><title>weakties</title><p>Wrong or missing token. Open the "
                "link <code>weakties serve</code> printed.</p>",
                status_code=401,
            )
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            guard.session_value,
            max_age=SESSION_DAYS * 86400,
            httponly=True,
            samesite="lax",
        )
        return response

    @app.post("/logout", include_in_schema=False, dependencies=[Depends(require_session)])
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.exception_handler(AuthError)
    async def on_auth(request: Request, exc: AuthError) -> Response:
        retry = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        if _wants_json(request):
            response = api.error_response(exc.status, exc.code, exc.message)
            response.headers.update(retry)
            return response
        page = pages.render(
            request,
            "error.html",
            {"status": exc.status, "message": exc.message, "login": exc.status == 401},
            status=exc.status,
        )
        page.headers.update(retry)
        return page

    @app.exception_handler(WeaktiesError)
    async def on_error(request: Request, exc: WeaktiesError) -> Response:
        status, code = status_of(exc)
        extra: dict[str, Any] = {"hint": exc.hint}
        if isinstance(exc, Ambiguous):
            extra["candidates"] = list(exc.candidates)
        if _wants_json(request):
            return api.error_response(status, code, exc.message, **extra)
        return pages.render(
            request, "error.html", {"status": status, "message": str(exc)}, status=status
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg"))
        message = "; ".join(str(p) for p in problems[:5]) or "invalid request"
        if _wants_json(request):
            return api.error_response(422, "invalid_parameters", message)
        return pages.render(request, "error.html", {"status": 422, "message": message}, status=422)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = str(exc.detail) if exc.detail else "error"
        if _wants_json(request) or request.url.path.startswith("/static"):
            response: Response = api.error_response(exc.status_code, code, message)
        else:
            response = pages.render(
                request,
                "error.html",
                {"status": exc.status_code, "message": message},
                status=exc.status_code,
            )
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(SecurityHeaders)

    return app
