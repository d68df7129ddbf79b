"""Who is logged in to a community's web app: member passwords, sessions, CSRF, throttling.

Each member logs in with their handle and their own password, hashed with Argon2id
(argon2-cffi, the reference implementation's binding; the password never reaches the
database). A login opens a session: a random 256-bit id in an HttpOnly, SameSite=Strict
cookie, kept on the server with the member it belongs to and an expiry, so logging out or
removing the member ends it at once. Changes need the session's CSRF token (a form field or
the ``X-CSRF-Token`` header), an HMAC of the session id, which another site cannot read.
Failed logins are throttled per handle and per client address
(:class:`weakties.web.security.LoginThrottle`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from weakties.web.security import LoginThrottle

SESSION_COOKIE = "weakties_member_session"
SESSION_SECONDS = 12 * 3600


@dataclass(slots=True)
class _Session:
    member_id: int
    expires: float


@dataclass(slots=True)
class Sessions:
    """The open sessions of one running app (in memory: a restart logs everyone out)."""

    clock: Callable[[], float] = time.monotonic
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _open: dict[str, _Session] = field(default_factory=dict)
    _throttle: LoginThrottle | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, member_id: int) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._open[sid] = _Session(member_id, self.clock() + SESSION_SECONDS)
        return sid

    def member(self, sid: str | None) -> int | None:
        if not sid:
            return None
        with self._lock:
            found = self._open.get(sid)
            if found is None:
                return None
            if found.expires < self.clock():
                del self._open[sid]
                return None
            return found.member_id

    def close(self, sid: str | None) -> None:
        with self._lock:
            self._open.pop(sid or "", None)

    def close_member(self, member_id: int) -> None:
        """End every session of a member (removed, or their password changed)."""
        with self._lock:
            for sid in [s for s, v in self._open.items() if v.member_id == member_id]:
                del self._open[sid]

    def csrf(self, sid: str) -> str:
        return hmac.new(self.secret, sid.encode(), hashlib.sha256).hexdigest()[:40]

    def csrf_ok(self, sid: str | None, sent: str | None) -> bool:
        return bool(sid and sent) and hmac.compare_digest(self.csrf(sid or ""), sent or "")

    @property
    def throttle(self) -> LoginThrottle:
        """Failed logins, counted on the sessions' clock."""
        if self._throttle is None:
            self._throttle = LoginThrottle(clock=self.clock)
        return self._throttle
