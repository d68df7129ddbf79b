"""Account URLs that ``weakties sync`` reads: ``imap[s]://``, ``carddav[s]://``, ``caldav[s]://``.

An account is named by a URL without a password (``imaps://me@example.com@imap.example.com``
is accepted: the last ``@`` separates the host). Passwords never appear in the URL, so the URL
can be stored, shown and logged; they come from the keyring, an environment variable or a
prompt (:mod:`weakties.workspace.sync`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, unquote, urlsplit

from weakties.errors import InvalidInput


class AccountKind(StrEnum):
    """What an account holds."""

    IMAP = "imap"
    CARDDAV = "carddav"
    CALDAV = "caldav"


_SCHEMES: dict[str, tuple[AccountKind, bool]] = {
    "imap": (AccountKind.IMAP, False),
    "imaps": (AccountKind.IMAP, True),
    "carddav": (AccountKind.CARDDAV, False),
    "carddavs": (AccountKind.CARDDAV, True),
    "caldav": (AccountKind.CALDAV, False),
    "caldavs": (AccountKind.CALDAV, True),
}
_DEFAULT_PORTS = {
    (AccountKind.IMAP, False): 143,
    (AccountKind.IMAP, True): 993,
    (AccountKind.CARDDAV, False): 80,
    (AccountKind.CARDDAV, True): 443,
    (AccountKind.CALDAV, False): 80,
    (AccountKind.CALDAV, True): 443,
}
_ACCEPTED = "imap://, imaps://, carddav://, carddavs://, caldav://, caldavs://"


@dataclass(frozen=True, slots=True)
class Account:
    """One account to sync: kind, transport security, user, host, port and path."""

    kind: AccountKind
    secure: bool
    user: str
    host: str
    port: int
    path: str = ""

    @property
    def url(self) -> str:
        """The canonical URL: how the account is stored and how its cursors are keyed."""
        scheme = next(k for k, v in _SCHEMES.items() if v == (self.kind, self.secure))
        port = "" if _DEFAULT_PORTS[(self.kind, self.secure)] == self.port else f":{self.port}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{quote(self.user, safe='@')}@{host}{port}{self.path}"

    @property
    def http_url(self) -> str:
        """The DAV server's address (``https://`` for the ``s`` schemes)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.secure else 'http'}://{host}:{self.port}{self.path or '/'}"


def parse_account(raw: str) -> Account:
    """Read an account URL; a password in it is refused (it would end up stored and logged)."""
    text = raw.strip()
    scheme, sep, _ = text.partition("://")
    found = _SCHEMES.get(scheme.lower()) if sep else None
    if found is None:
        raise InvalidInput(f"not an account URL: {raw!r}", hint=f"accepted: {_ACCEPTED}")
    kind, secure = found
    rest = text[len(scheme) + 3 :]
    authority, slash, path = rest.partition("/")
    user_part, at, hostport = authority.rpartition("@")
    if not at or not user_part:
        raise InvalidInput(
            f"no user name in {raw!r}", hint=f"write it as {scheme}://you@example.com@host"
        )
    if ":" in user_part:
        raise InvalidInput(
            f"a password in the URL {raw!r} would be stored in the clear",
            hint="leave it out: weakties asks for it, or reads the keyring or "
            "WEAKTIES_SYNC_PASSWORD",
        )
    try:
        parts = urlsplit(f"//{hostport}")
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host:
        raise InvalidInput(f"no host in {raw!r}")
    return Account(
        kind=kind,
        secure=secure,
        user=unquote(user_part),
        host=host.lower(),
        port=port or _DEFAULT_PORTS[found],
        path=("/" + path).rstrip("/") if slash and path.strip("/") else "",
    )
