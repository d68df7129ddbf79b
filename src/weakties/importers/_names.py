"""People's names as exports write them, and the stable keys importers give people.

A key must survive re-importing the same export, so it is built only from what the source
says about the person (a profile URL, a UID, else the normalised name and first identity),
never from the position in the file.
"""

from __future__ import annotations

import hashlib
import unicodedata

from weakties.domain.identities import Identity

MAX_NAME_CHARS = 300


def clean_text(raw: str | None, limit: int = MAX_NAME_CHARS) -> str:
    """Collapse whitespace and drop control characters; '' for None."""
    if not raw:
        return ""
    text = "".join(c for c in raw if unicodedata.category(c)[0] != "C" or c in "\t\n")
    return " ".join(text.split())[:limit]


def split_name(full: str) -> tuple[str | None, str | None]:
    """Given and family name of a full name, "Last, First" included (nameparser does the work)."""
    from nameparser import HumanName

    text = clean_text(full)
    if not text:
        return None, None
    parsed = HumanName(text)
    given = " ".join(p for p in (parsed.first, parsed.middle) if p) or None
    family = parsed.last or None
    if given is None and family is None:
        return text, None
    return given, family


def display_name(full: str) -> str:
    """The name as it is spoken: "Doe, Jane" becomes "Jane Doe"; "Jane Doe, PhD" is kept."""
    text = clean_text(full)
    if text.count(",") == 1:
        family, given = (p.strip() for p in text.split(","))
        if given and family and given.lower().strip(".") not in _SUFFIXES:
            return f"{given} {family}"
    return text


_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba", "cpa", "jd"})


def join_name(*parts: str | None) -> str:
    return clean_text(" ".join(p for p in parts if p))


def name_token(name: str) -> str:
    """The form names are compared in: NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def person_key(source: str, name: str, identities: tuple[Identity, ...] = ()) -> str:
    """``source:<hash>`` of the normalised name and the first identity, for sources with no id."""
    first = f"{identities[0].kind.value}:{identities[0].value}" if identities else ""
    digest = hashlib.sha1(f"{name_token(name)}|{first}".encode()).hexdigest()[:16]
    return f"{source}:{digest}"


class KeyRegistry:
    """Makes keys unique within one file: a repeat of a key gets ``#2``, ``#3``, … in file order.

    Two people with the same name and no identity would otherwise merge; the suffix keeps
    them apart and stays stable as long as the export lists them in the same order.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def unique(self, key: str) -> str:
        count = self._seen.get(key, 0) + 1
        self._seen[key] = count
        return key if count == 1 else f"{key}#{count}"
