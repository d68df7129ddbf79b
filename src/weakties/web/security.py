"""What every response of the web apps carries and what every request is held to.

Three pure-ASGI pieces shared by the single-user app and the community app:

* :class:`SecurityHeaders` — a Content-Security-Policy with no inline script or style and no
  ``eval`` (so text that slipped past the template's escaping still cannot run), no framing
  (clickjacking), ``nosniff``, no referrer (URLs carry names), no caching of pages that hold
  personal data, and a same-origin opener policy.
* :class:`BodyLimit` — refuses a request body larger than the limit with 413 before the app
  reads it: by its ``Content-Length`` at once, or, for a chunked upload, as soon as the bytes
  received pass the limit. An upload cannot fill the memory or the temporary folder.
* :class:`LoginThrottle` — failed logins counted per key (client address, handle) in a sliding
  window; past the limit a login answers 429 with ``Retry-After`` until the window has moved
  on. The clock is injectable so tests do not sleep.

OWASP's Secure Headers Project and its Authentication Cheat Sheet are the checklists followed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: No inline script or style, no eval, nothing from elsewhere, no plugins, no framing, and forms
#: post only back to the app. ``data:`` images are the charts the review embeds.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
MAX_FAILURES = 8  # failed logins per key within the window
FAILURE_WINDOW = 15 * 60.0
MAX_BODY_BYTES = 520 * 1024 * 1024  # the largest upload (512 MB) plus its multipart framing


class SecurityHeaders:
    """Adds the security headers to every HTTP response (pages, API, static files, errors)."""

    def __init__(self, app: Any, csp: str = CONTENT_SECURITY_POLICY) -> None:
        self.app = app
        self.csp = csp.encode()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static")

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != b"content-security-policy"
                ]
                headers += [
                    (b"content-security-policy", self.csp),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                ]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


class BodyLimit:
    """Answers 413 to a request whose body is larger than ``max_bytes``, before the app reads it."""

    def __init__(self, app: Any, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send: Any) -> None:
        limit = (
            f"{self.max_bytes / 1024 / 1024:.0f} MB"
            if self.max_bytes >= 1 << 20
            else (f"{self.max_bytes} bytes")
        )
        body = (
            b'{"error": {"code": "too_large", "message": "the request is larger than '
            + limit.encode()
            + b'", "hint": "import a large export with `weakties import` instead", '
            b'"candidates": []}}'
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                too_large = False
            if too_large:
                await self._refuse(send)
                return
        received = 0
        refused = False
        started = False

        async def receiving() -> Any:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not refused:
                    refused = True
                    if not started:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def sending(message: Any) -> None:
            nonlocal started
            if refused:  # the 413 has gone out; what the app says after it is dropped
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        except Exception:
            if not refused:
                raise


@dataclass(slots=True)
class LoginThrottle:
    """Failed logins per key in a sliding window; :meth:`wait` says how long a key is barred."""

    clock: Callable[[], float] = time.monotonic
    max_failures: int = MAX_FAILURES
    window: float = FAILURE_WINDOW
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, *keys: str) -> float:
        """Seconds before another login may be tried for any of ``keys`` (0: go ahead)."""
        now = self.clock()
        longest = 0.0
        with self._lock:
            for key in keys:
                recent = [t for t in self._failures.get(key, []) if t > now - self.window]
                if recent:
                    self._failures[key] = recent
                else:
                    self._failures.pop(key, None)
                if len(recent) >= self.max_failures:
                    longest = max(longest, recent[0] + self.window - now)
        return longest

    def failed(self, *keys: str) -> None:
        """Count a failed login against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, []).append(now)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of these keys (a right password clears its own count)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
