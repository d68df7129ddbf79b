"""Who may use the app: the per-install token, the session cookie, CSRF and the remote password.

The token is made once per workspace (``secrets.token_urlsafe``) and kept in its settings, so
the link ``weakties serve`` prints keeps working across restarts. Opening that link sets a
session cookie (HttpOnly, SameSite=Lax) holding a value derived from the token, never the token
itself. Scripts send ``Authorization: Bearer TOKEN`` instead. A state-changing request that
relies on the cookie must also carry the CSRF token (header ``X-CSRF-Token`` or form field
``csrf_token``), derived from the token as well, so another site cannot forge one: a browser
sends cookies on its own, but not headers or the page's hidden fields. When the app is served
beyond loopback (``--allow-remote``) the session also needs the password. Wrong tokens (at the
login or as a bearer) are counted per client address; past the throttle's limit the app answers
429 until its window has passed, so the password of a remote app cannot be guessed at speed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from weakties.web.security import LoginThrottle

if TYPE_CHECKING:
    from starlette.requests import Request

TOKEN_SETTING = "web_token"
SESSION_COOKIE = "weakties_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class _Settings(Protocol):
    def setting(self, key: str) -> str | None: ...

    def set_setting(self, key: str, value: str) -> None: ...


def ensure_token(ws: _Settings) -> str:
    """The workspace's web token, created (random, 256 bits) and stored on first use."""
    token = ws.setting(TOKEN_SETTING)
    if not token:
        token = secrets.token_urlsafe(32)
        ws.set_setting(TOKEN_SETTING, token)
    return token


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the app on this machine."""
    import ipaddress

    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class AuthError(Exception):
    """A request the app refuses: no session (401), a wrong CSRF token (403), throttled (429)."""

    def __init__(self, status: int, code: str, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def _derive(secret: str, purpose: str) -> str:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Guard:
    """Checks tokens, sessions and CSRF for one running app."""

    token: str
    password: str | None = None
    throttle: LoginThrottle = field(default_factory=LoginThrottle)

    @staticmethod
    def address(request: Request) -> str:
        """The key failed logins are counted under: the client's address."""
        return "addr:" + (request.client.host if request.client else "?")

    @property
    def session_value(self) -> str:
        """What the session cookie holds: bound to the token and, if any, the password."""
        return _derive(self.token, "session|" + (self.password or ""))

    @property
    def csrf(self) -> str:
        """The CSRF token the pages embed in their forms and HTMX headers."""
        return _derive(self.token, "csrf|" + (self.password or ""))[:40]

    def check_login(self, token: str | None, password: str | None) -> bool:
        """Whether a login presents the token (and the password, when one is required)."""
        good = token is not None and hmac.compare_digest(token.encode(), self.token.encode())
        if self.password is not None:
            good = (
                good
                and password is not None
                and hmac.compare_digest(password.encode(), self.password.encode())
            )
        return good

    def bearer_ok(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value:
            return False
        if self.password is not None:  # remote: "Bearer TOKEN:PASSWORD"
            token, _, password = value.strip().partition(":")
            return self.check_login(token, password)
        return self.check_login(value.strip(), None)

    def session_ok(self, request: Request) -> bool:
        cookie = request.cookies.get(SESSION_COOKIE)
        return cookie is not None and hmac.compare_digest(
            cookie.encode(), self.session_value.encode()
        )

    def admits_read(self, scope: MutableMapping[str, Any]) -> bool:
        """Whether a safe request (``GET``) presents the token or the session: no CSRF needed."""
        from starlette.requests import Request as Incoming

        request = Incoming(scope)
        return self.bearer_ok(request) or self.session_ok(request)

    async def authorize(self, request: Request) -> None:
        """Admit the request or raise :class:`AuthError`."""
        if request.headers.get("authorization"):
            address = self.address(request)
            wait = self.throttle.wait(address)
            if wait > 0:
                raise AuthError(
                    429,
                    "throttled",
                    "too many wrong tokens from this address; wait and try again",
                    int(wait) + 1,
                )
            if self.bearer_ok(request):
                return
            self.throttle.failed(address)
        if not self.session_ok(request):
            raise AuthError(
                401, "unauthorized", "log in with the link `weakties serve` printed (or a token)"
            )
        if request.method in SAFE_METHODS:
            return
        sent = request.headers.get(CSRF_HEADER.lower())
        if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        if sent is None or not hmac.compare_digest(sent.encode(), self.csrf.encode()):
            raise AuthError(403, "csrf", "missing or wrong CSRF token; reload the page")
