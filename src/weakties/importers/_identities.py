"""Lenient identity builders: a value an export holds becomes an :class:`Identity`, or None.

Address books are full of half-typed numbers and notes in e-mail fields; a value that does
not normalise is dropped rather than failing the whole record. Only URLs of known profile
services become identities: a company homepage shared by colleagues would merge them.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from weakties.domain.identities import (
    DEFAULT_REGION,
    Identity,
    IdentityKind,
    normalize_email,
    normalize_handle,
    normalize_phone,
    normalize_url,
)
from weakties.errors import InvalidInput

PROFILE_HOSTS = frozenset(
    {"linkedin.com", "twitter.com", "x.com", "github.com", "facebook.com", "instagram.com", "t.me"}
)
MAX_IDENTITY_CHARS = 320


def clean_label(raw: str | None) -> str | None:
    """ "* Work", "_$!<Mobile>!$_", "INTERNET,WORK" → "work", "mobile", "work"."""
    if not raw:
        return None
    text = raw.strip().lstrip("*").strip()
    if text.startswith("_$!<") and text.endswith(">!$_"):
        text = text[4:-4]
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    parts = [p for p in parts if p.lower() not in ("internet", "pref", "voice", "x400", "smtp")]
    return " ".join(parts).lower()[:60] or None


def email_identity(raw: str, label: str | None = None) -> Identity | None:
    text = raw.strip()
    if not text or len(text) > MAX_IDENTITY_CHARS:
        return None
    try:
        return Identity(IdentityKind.EMAIL, normalize_email(text), clean_label(label))
    except InvalidInput:
        return None


def phone_identity(
    raw: str, label: str | None = None, region: str = DEFAULT_REGION
) -> Identity | None:
    text = raw.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    if not text or len(text) > 64 or sum(c.isdigit() for c in text) < 5:
        return None
    try:
        return Identity(IdentityKind.PHONE, normalize_phone(text, region), clean_label(label))
    except (InvalidInput, ValueError):
        return None


def profile_url_identity(raw: str, label: str | None = None) -> Identity | None:
    """A URL on a known profile service, canonicalised; other URLs give None."""
    text = raw.strip()
    if not text or len(text) > MAX_IDENTITY_CHARS:
        return None
    try:
        value = normalize_url(text)
    except (InvalidInput, ValueError):
        return None
    host = (urlsplit(value).hostname or "").removeprefix("www.")
    if host not in PROFILE_HOSTS:
        return None
    return Identity(IdentityKind.URL, value, clean_label(label))


def handle_identity(raw: str, label: str | None = None) -> Identity | None:
    text = raw.strip()
    if not text or len(text) > 200:
        return None
    try:
        return Identity(IdentityKind.HANDLE, normalize_handle(text), clean_label(label))
    except InvalidInput:
        return None


def unique_identities(found: Iterable[Identity | None]) -> tuple[Identity, ...]:
    """Drop Nones and repeats of the same (kind, value), keeping the first label seen."""
    seen: set[tuple[IdentityKind, str]] = set()
    out: list[Identity] = []
    for identity in found:
        if identity is None or (identity.kind, identity.value) in seen:
            continue
        seen.add((identity.kind, identity.value))
        out.append(identity)
    return tuple(out)
