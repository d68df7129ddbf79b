"""Ways to recognise a person, normalised so that the same address always compares equal.

Emails are lower-cased, phones go to E.164 through ``phonenumbers``, and profile URLs to one
canonical form per service (``https://www.linkedin.com/in/jane-doe``). Two records with the
same normalised identity are the same person: the store merges them on sight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from weakties.errors import InvalidInput


class IdentityKind(StrEnum):
    """What an identity value is."""

    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    HANDLE = "handle"


@dataclass(frozen=True, slots=True)
class Identity:
    """One normalised identity; ``label`` is free text such as "work" or "home"."""

    kind: IdentityKind
    value: str
    label: str | None = None


_EMAIL = re.compile(
    r"[^@\s<>(),;:\"\[\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
)
DEFAULT_REGION = "US"


def normalize_email(raw: str) -> str:
    """Lower-case and validate an email address ("mailto:" and angle brackets are removed)."""
    value = raw.strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    value = value.lower()
    if not _EMAIL.fullmatch(value) or ".." in value or len(value) > 254:
        raise InvalidInput(f"not an email address: {raw!r}", hint="accepted: name@example.com")
    return value


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return the E.164 form of a phone number; ``region`` applies when there is no +code."""
    import phonenumbers

    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise InvalidInput(
            f"not a phone number: {raw!r}", hint="accepted: +44 20 7946 0958, or a national number"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# service host → (canonical base, how many path segments identify the profile)
_PROFILE_HOSTS: dict[str, tuple[str, int]] = {
    "linkedin.com": ("https://www.linkedin.com", 2),  # /in/slug, /company/slug
    "twitter.com": ("https://x.com", 1),
    "x.com": ("https://x.com", 1),
    "github.com": ("https://github.com", 1),
    "facebook.com": ("https://www.facebook.com", 1),
    "instagram.com": ("https://www.instagram.com", 1),
    "t.me": ("https://t.me", 1),
}
_HOST_PREFIXES = ("www.", "m.", "mobile.", "uk.", "de.", "fr.", "nl.", "es.", "it.", "ca.", "au.")


def normalize_url(raw: str) -> str:
    """Canonicalise a profile URL: https, bare host, no query, fragment or trailing slash.

    Known services keep only the path segments that identify the profile, so
    ``http://uk.linkedin.com/in/Jane-Doe/?trk=x`` and ``linkedin.com/in/jane-doe`` agree.
    """
    text = raw.strip()
    if not text or any(c.isspace() for c in text):
        raise InvalidInput(f"not a URL: {raw!r}", hint="accepted: https://www.linkedin.com/in/name")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or "." not in host:
        raise InvalidInput(f"not a URL: {raw!r}", hint="accepted: https://www.linkedin.com/in/name")
    bare = host
    for prefix in _HOST_PREFIXES:
        if bare.startswith(prefix) and bare.count(".") >= 2:
            bare = bare[len(prefix) :]
            break
    segments = [s for s in parts.path.split("/") if s]
    if bare in _PROFILE_HOSTS:
        base, keep = _PROFILE_HOSTS[bare]
        if bare == "facebook.com" and segments[:1] == ["profile.php"] and parts.query:
            ident = re.search(r"(?:^|&)id=(\d+)", parts.query)
            if ident:
                return f"{base}/profile.php?id={ident.group(1)}"
        segments = [s.lower() for s in segments[:keep]]
        if not segments:
            raise InvalidInput(f"not a profile URL: {raw!r}", hint="the URL names no profile")
        return base + "/" + "/".join(segments)
    path = "/".join(segments)
    return f"https://{bare}" + (f"/{path}" if path else "")


def normalize_handle(raw: str) -> str:
    """Normalise ``service:name`` or ``@name`` handles to lower case without the ``@``."""
    text = raw.strip().lower()
    service, sep, name = text.partition(":")
    if not sep:
        service, name = "", text
    name = name.lstrip("@").strip()
    if not name or any(c.isspace() for c in name):
        raise InvalidInput(f"not a handle: {raw!r}", hint="accepted: telegram:@name or @name")
    return f"{service}:{name}" if service else name


def normalize_identity(kind: IdentityKind, raw: str) -> str:
    """Normalise ``raw`` as an identity of ``kind``."""
    if kind is IdentityKind.EMAIL:
        return normalize_email(raw)
    if kind is IdentityKind.PHONE:
        return normalize_phone(raw)
    if kind is IdentityKind.URL:
        return normalize_url(raw)
    return normalize_handle(raw)


def guess_identity(raw: str) -> Identity:
    """Read an identity of unknown kind (as ``show PERSON`` receives it); raises if none fits."""
    text = raw.strip()
    if "@" in text and not text.startswith("@") and ":" not in text.split("@")[0]:
        return Identity(IdentityKind.EMAIL, normalize_email(text))
    if text.lower().startswith(("http://", "https://", "www.")) or re.match(
        r"^[a-z0-9.-]+\.[a-z]{2,}/", text.lower()
    ):
        return Identity(IdentityKind.URL, normalize_url(text))
    if re.fullmatch(r"\+?[\d\s().-]{6,}", text):
        return Identity(IdentityKind.PHONE, normalize_phone(text))
    if text.startswith("@"):
        return Identity(IdentityKind.HANDLE, normalize_handle(text))
    raise InvalidInput(f"not an identity: {raw!r}")


def email_domain(email: str) -> str:
    """The domain part of a normalised email address."""
    return email.rsplit("@", 1)[1]


FREEMAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "yandex.ru",
        "mail.ru",
        # the synthetic world's webmail providers
        "mail.example",
        "post.example",
    ]
)
