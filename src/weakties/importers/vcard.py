"""vCard 2.1, 3.0 and 4.0 files as iPhone, macOS Contacts, Google, Android and Outlook write them.

The file is streamed and split card by card on BEGIN/END lines, so memory stays bounded and
one bad card is a Problem, not a failed import. Before vobject's content-line parser sees a
card, it is repaired the way real files need: vCard 2.1 quoted-printable values continued over
several lines (soft breaks ending in ``=``), base64 photo blocks whose lines are not indented,
and stray unfolded lines in Outlook notes and addresses. Photos, logos, sounds and keys are
dropped while streaming. Values are then decoded here, the same way for every version
(vobject only knows 3.0), with each property's charset.

Apple's grouped properties (``item1.EMAIL`` with ``item1.X-ABLabel``) give labels, and
RELATED / X-ABRELATEDNAMES become RelationRecords.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

from weakties.domain.dates import PartialDate
from weakties.domain.identities import DEFAULT_REGION, Identity
from weakties.domain.people import normalize_tag
from weakties.domain.records import (
    AffiliationRecord,
    ContactRecord,
    Origin,
    PersonRef,
    Problem,
    Record,
    RelationRecord,
    Skipped,
)
from weakties.errors import ImportFailed, InvalidInput, WeaktiesError
from weakties.importers._dates import parse_day
from weakties.importers._identities import (
    clean_label,
    email_identity,
    handle_identity,
    phone_identity,
    profile_url_identity,
    unique_identities,
)
from weakties.importers._names import KeyRegistry, clean_text, join_name, person_key
from weakties.importers._reading import READ_ERRORS, read_head
from weakties.importers.files import MAX_LINE_CHARS, Source
from weakties.importers.registry import ImportOptions

SOURCE = "vcard"
CHUNK = 1 << 16
MAX_CARD_CHARS = 4 * 1024**2  # photos are dropped while streaming; text beyond this is junk
MAX_NOTE_CHARS = 4000

_SKIPPED_PROPERTIES = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_KNOWN_PROPERTIES = frozenset(
    [
        "BEGIN",
        "END",
        "VERSION",
        "FN",
        "N",
        "NICKNAME",
        "PHOTO",
        "BDAY",
        "ANNIVERSARY",
        "GENDER",
        "ADR",
        "LABEL",
        "TEL",
        "EMAIL",
        "MAILER",
        "TZ",
        "GEO",
        "TITLE",
        "ROLE",
        "LOGO",
        "AGENT",
        "ORG",
        "CATEGORIES",
        "NOTE",
        "PRODID",
        "REV",
        "SORT-STRING",
        "SOUND",
        "UID",
        "URL",
        "CLASS",
        "KEY",
        "IMPP",
        "RELATED",
        "LANG",
        "XML",
        "SOURCE",
        "KIND",
        "MEMBER",
        "FBURL",
        "CALADRURI",
        "CALURI",
        "CLIENTPIDMAP",
        "NAME",
        "PROFILE",
    ]
)
_PROPERTY_START = re.compile(r"(?:[A-Za-z0-9_-]+\.)?([A-Za-z0-9_-]+)[;:]")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPED = {"n": "\n", "N": "\n"}


class VCardImporter:
    """Reads .vcf files (one or many cards, any version); see the module docstring."""

    name = "vcard"
    title = "vCard (.vcf)"
    reads = (
        "vCard 2.1/3.0/4.0 files from iPhone, macOS, Google, Android and Outlook: names, "
        "emails, phones, profiles, company and title, birthdays, relations (photos skipped)"
    )

    def sniff(self, path: Path, sources: list[Source]) -> float:
        for source in _candidates(path, sources):
            if _looks_like_vcard(source):
                return 0.95
        return 0.0

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        region = options.extra.get("region", DEFAULT_REGION)
        single = len(sources) == 1 and not path.is_dir() and sources[0].member is None
        read_any = False
        for source in _candidates(path, sources):
            if not single and not _looks_like_vcard(source):
                continue
            read_any = True
            yield from _read_file(source, region)
        if not read_any:
            raise ImportFailed("no vCard files found", location=str(path))


def _candidates(path: Path, sources: list[Source]) -> list[Source]:
    if len(sources) == 1 and not path.is_dir() and sources[0].member is None:
        return sources
    return [s for s in sources if s.basename.lower().endswith((".vcf", ".vcard", ".txt"))]


def _looks_like_vcard(source: Source) -> bool:
    head = read_head(source, 4096).lstrip("\ufeff \t\r\n")
    return head[:11].upper() == "BEGIN:VCARD"


def _iter_lines(source: Source) -> Iterator[tuple[int, str | None]]:
    """Physical lines with 1-based numbers; None stands for an overlong line that was skipped.

    Each line of an 8-bit file is decoded on its own (UTF-8, else cp1252), because vCard
    2.1 files mix charsets property by property; UTF-16 files are decoded as a stream.
    """
    try:
        with source.open_bytes() as raw:
            first = raw.read(CHUNK)
            utf16 = _utf16_encoding(first)
            if utf16 is None and b"\x00" in first:
                raise ImportFailed("binary data, not a vCard file", location=source.name)
            if first.startswith(codecs.BOM_UTF8):
                first = first[3:]
            yield from _split_lines(cast(BinaryIO, raw), first, utf16)
    except WeaktiesError:
        raise
    except READ_ERRORS as exc:
        raise ImportFailed(f"cannot read: {exc}", location=source.name) from None


def _utf16_encoding(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
        return "utf-16-be"
    return None


def _decode_line(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _split_lines(
    raw: BinaryIO, first: bytes, utf16: str | None
) -> Iterator[tuple[int, str | None]]:
    """Split the stream on newlines in bounded memory; overlong lines come out as None."""
    decoder = codecs.getincrementaldecoder(utf16)(errors="replace") if utf16 else None
    pending = ""
    pending_bytes = b""
    number = 0
    overlong = False
    block = first
    while True:
        final = not block
        parts: list[str | None]
        if decoder is not None:
            pieces = (pending + decoder.decode(block, final=final)).split("\n")
            pending = pieces.pop()
            parts = list(pieces)
            size = len(pending)
        else:
            raw_pieces = (pending_bytes + block).split(b"\n")
            pending_bytes = raw_pieces.pop()
            parts = [_decode_line(p) if len(p) <= MAX_LINE_CHARS else None for p in raw_pieces]
            size = len(pending_bytes)
        for part in parts:
            number += 1
            if overlong or part is None or len(part) > MAX_LINE_CHARS:
                overlong = False
                yield number, None
            else:
                yield number, part.rstrip("\r")
        if size > MAX_LINE_CHARS:
            overlong = True
            pending, pending_bytes = "", b""
        if final:
            break
        block = raw.read(CHUNK)
    tail = pending if decoder is not None else _decode_line(pending_bytes)
    if overlong:
        yield number + 1, None
    elif tail:
        yield number + 1, tail.rstrip("\r")


@dataclass(slots=True)
class _Card:
    number: int
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    chars: int = 0
    dropped: int = 0  # overlong lines skipped
    skipping: bool = False  # inside a photo, logo, sound or key


def _read_file(source: Source, region: str) -> Iterator[Record]:
    keys = KeyRegistry()
    card: _Card | None = None
    count = 0
    for number, line in _iter_lines(source):
        if line is None:
            if card is not None and not card.skipping:
                card.dropped += 1
            continue
        marker = line.strip().upper()
        if marker == "BEGIN:VCARD":
            if card is not None:
                yield Problem(_origin(source, card), "card has no END:VCARD; skipped")
            count += 1
            card = _Card(count, number)
        elif marker == "END:VCARD":
            if card is not None:
                yield from _read_card(source, card, keys, region)
                card = None
        elif card is not None:
            is_start, name = _is_property_start(line)
            if is_start:
                card.skipping = name in _SKIPPED_PROPERTIES
            if card.skipping:
                continue  # photo data never enters memory
            card.chars += len(line)
            if card.chars <= MAX_CARD_CHARS:
                card.lines.append((number, line))
    if card is not None:
        yield Problem(_origin(source, card), "file ends inside a card (no END:VCARD); skipped")
    if count == 0:
        raise ImportFailed("not a vCard file (no BEGIN:VCARD line)", location=source.name)


def _origin(source: Source, card: _Card) -> Origin:
    return Origin(source.name, f"card {card.number}, line {card.line}")


@dataclass(frozen=True, slots=True)
class _Property:
    name: str
    group: str | None
    params: dict[str, list[str]]
    value: str
    line: int

    def types(self) -> list[str]:
        return self.params.get("TYPE", [])


def _is_property_start(line: str) -> tuple[bool, str]:
    match = _PROPERTY_START.match(line)
    if not match:
        return False, ""
    name = match.group(1)
    upper = name.upper()
    if upper.startswith("X-"):
        return True, upper
    # Writers use upper case (or, rarely, all lower); "Tel: 555" in a note is not a property.
    return upper in _KNOWN_PROPERTIES and (name.isupper() or name.islower()), upper


def _logical_lines(card: _Card) -> list[tuple[int, str]]:
    """Unfold the card's physical lines into logical lines, repairing what vobject rejects."""
    out: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    quoted_printable = False
    skipping = False

    def flush() -> None:
        if current and not skipping:
            out.append((start, "".join(current)))

    for number, line in card.lines:
        if current and quoted_printable and current[-1].endswith("="):
            current[-1] = current[-1][:-1]  # a quoted-printable soft line break
            current.append(line)
            continue
        if not line.strip():
            continue  # blank lines end 2.1 base64 blocks; nothing else uses them
        if line[0] in " \t":
            if current:
                current.append(line[1:])
            continue
        is_start, name = _is_property_start(line)
        if is_start:
            flush()
            current = [line]
            start = number
            skipping = name in _SKIPPED_PROPERTIES
            head = line.split(":", 1)[0].upper()
            quoted_printable = "QUOTED-PRINTABLE" in head
            continue
        if current and not skipping:
            # A stray unfolded line: Outlook continues notes and addresses without folding.
            current.append("=0D=0A" + line if quoted_printable else "\\n" + line)
    flush()
    return out


def _parse_properties(card: _Card) -> tuple[list[_Property], int]:
    from vobject.base import VObjectError, parseLine

    properties: list[_Property] = []
    unreadable = card.dropped
    for number, text in _logical_lines(card):
        try:
            name, raw_params, value, group = parseLine(text)
        except (VObjectError, ValueError, IndexError):
            unreadable += 1
            continue
        params: dict[str, list[str]] = {}
        for entry in raw_params:
            if len(entry) == 1:  # vCard 2.1 bare parameter: EMAIL;INTERNET;WORK
                bare = str(entry[0]).upper()
                key = "ENCODING" if bare in ("QUOTED-PRINTABLE", "BASE64", "B") else "TYPE"
                params.setdefault(key, []).append(str(entry[0]))
                continue
            values = [v for item in entry[1:] for v in str(item).split(",")]
            params.setdefault(str(entry[0]).upper(), []).extend(v.strip() for v in values)
        try:
            decoded = _decode_value(str(value), params)
        except (ValueError, LookupError, binascii.Error):
            unreadable += 1
            continue
        if decoded is None:
            continue
        properties.append(
            _Property(name.upper(), group.lower() if group else None, params, decoded, number)
        )
    return properties, unreadable


def _decode_value(value: str, params: dict[str, list[str]]) -> str | None:
    """Undo the transfer encoding and charset; None for binary values that are not text."""
    encoding = {e.upper() for e in params.pop("ENCODING", [])}
    charset = (params.pop("CHARSET", None) or ["utf-8"])[0]
    if "QUOTED-PRINTABLE" in encoding:
        return _decode_bytes(quopri.decodestring(value.encode("utf-8")), charset)
    if encoding & {"B", "BASE64"}:
        if params.get("VALUE", [""])[0].lower() not in ("", "text"):
            return None
        return _decode_bytes(base64.b64decode(value, validate=False), charset)
    return value


def _decode_bytes(data: bytes, charset: str) -> str:
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        codec = "utf-8"
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), text)


def _components(text: str) -> list[str]:
    """Split a structured value (N, ADR, ORG) on unescaped semicolons, then unescape."""
    parts = re.split(r"(?<!\\);", text)
    return [_unescape(p).strip() for p in parts]


def _read_card(source: Source, card: _Card, keys: KeyRegistry, region: str) -> Iterator[Record]:
    origin = _origin(source, card)
    try:
        properties, unreadable = _parse_properties(card)
        yield from _card_records(origin, properties, keys, region)
    except (WeaktiesError, ValueError, LookupError, UnicodeError) as exc:
        yield Problem(origin, f"unreadable card: {exc}")
        return
    if unreadable:
        yield Problem(origin, f"{unreadable} unreadable line(s) in the card were skipped")


def _card_records(
    origin: Origin, properties: list[_Property], keys: KeyRegistry, region: str
) -> Iterator[Record]:
    labels = {
        p.group: clean_label(_unescape(p.value))
        for p in properties
        if p.group and p.name == "X-ABLABEL"
    }

    def label_of(prop: _Property) -> str | None:
        if prop.group and labels.get(prop.group):
            return labels[prop.group]
        return clean_label(",".join(prop.types()))

    first: dict[str, _Property] = {}
    for prop in properties:
        first.setdefault(prop.name, prop)

    given: str | None = None
    family: str | None = None
    if "N" in first:
        parts = [*_components(first["N"].value), *[""] * 5]
        family = clean_text(parts[0]) or None
        given = join_name(parts[1], parts[2]) or None
    name = clean_text(_unescape(first["FN"].value)) if "FN" in first else ""
    name = name or join_name(given, family)

    identities: list[Identity | None] = []
    for prop in properties:
        value = _unescape(prop.value).strip()
        if prop.name == "EMAIL":
            identities.append(email_identity(value, label_of(prop)))
        elif prop.name == "TEL":
            identities.append(phone_identity(value, label_of(prop), region))
        elif prop.name in ("URL", "X-SOCIALPROFILE"):
            identity = profile_url_identity(value, label_of(prop))
            user = prop.params.get("X-USER", [""])[0]
            if identity is None and user and prop.types():
                identity = handle_identity(f"{prop.types()[0]}:{user}", label_of(prop))
            identities.append(identity)
        elif prop.name == "IMPP":
            identities.append(handle_identity(value, label_of(prop)))
    found = unique_identities(identities)

    affiliations: tuple[AffiliationRecord, ...] = ()
    if "ORG" in first:
        org = clean_text(_components(first["ORG"].value)[0])
        title = clean_text(_unescape(first["TITLE"].value)) if "TITLE" in first else ""
        if org:
            affiliations = (AffiliationRecord(org=org, title=title or None),)

    show_as = first.get("X-ABSHOWAS")
    kind = first.get("KIND")
    is_org = (show_as is not None and show_as.value.strip().upper() == "COMPANY") or (
        kind is not None and kind.value.strip().lower() == "org"
    )
    if is_org:
        yield Skipped(origin, "an organisation's card, not a person's")
        return
    if not name and "NICKNAME" in first:
        name = clean_text(_unescape(first["NICKNAME"].value).split(",")[0])
    if not name and found:
        name = found[0].value
    if not name:
        yield Skipped(origin, "card with no name, email or phone")
        return

    uid = clean_text(_unescape(first["UID"].value), 200) if "UID" in first else ""
    key = keys.unique(f"{SOURCE}:uid:{uid}" if uid else person_key(SOURCE, name, found))
    tags: list[str] = []
    for prop in properties:
        if prop.name == "CATEGORIES":
            values = re.split(r"(?<!\\),", prop.value)
            tags += [normalize_tag(_unescape(t))[:60] for t in values if t.strip()]
    contact = ContactRecord(
        key=key,
        origin=origin,
        name=name,
        given_name=given,
        family_name=family,
        identities=found,
        affiliations=affiliations,
        tags=tuple(dict.fromkeys(t for t in tags if t and t not in ("mycontacts", "starred"))),
        note=clean_text(_unescape(first["NOTE"].value), MAX_NOTE_CHARS) or None
        if "NOTE" in first
        else None,
        location=_location(first.get("ADR")),
        birthday=_birthday(first.get("BDAY")),
    )
    yield contact
    ref = PersonRef(key, name, found)
    index = 0
    for prop in properties:
        if prop.name in ("RELATED", "X-ABRELATEDNAMES"):
            other = _related(_unescape(prop.value).strip())
            label = label_of(prop)
        elif prop.name == "X-ANDROID-CUSTOM":
            other, label = _android_relation(prop.value)
        else:
            continue
        if other is None:
            continue
        index += 1
        yield RelationRecord(
            key=f"{key}:relation:{index}", origin=origin, a=ref, b=other, label=label
        )


def _related(value: str) -> PersonRef | None:
    if not value:
        return None
    lower = value.lower()
    if lower.startswith("urn:"):
        return PersonRef(key=f"{SOURCE}:uid:{value[:200]}")
    if lower.startswith("mailto:"):
        identity = email_identity(value)
        return PersonRef(identities=(identity,)) if identity else None
    if lower.startswith(("http://", "https://")):
        identity = profile_url_identity(value)
        return PersonRef(identities=(identity,)) if identity else None
    name = clean_text(value)
    return PersonRef(name=name) if name else None


# Android's relation type codes (ContactsContract.CommonDataKinds.Relation).
_ANDROID_RELATIONS = {
    "1": "assistant",
    "2": "brother",
    "3": "child",
    "4": "domestic partner",
    "5": "father",
    "6": "friend",
    "7": "manager",
    "8": "mother",
    "9": "parent",
    "10": "partner",
    "11": "referred by",
    "12": "relative",
    "13": "sister",
    "14": "spouse",
}


def _android_relation(value: str) -> tuple[PersonRef | None, str | None]:
    """``vnd.android.cursor.item/relation;NAME;TYPE;LABEL;…`` as Android writes relations."""
    parts = [*_components(value), "", "", ""]
    if parts[0].lower() != "vnd.android.cursor.item/relation":
        return None, None
    name = clean_text(parts[1])
    label = _ANDROID_RELATIONS.get(parts[2]) or clean_label(parts[3])
    return (PersonRef(name=name) if name else None), label


def _location(prop: _Property | None) -> str | None:
    if prop is None:
        return None
    parts = [*_components(prop.value), *[""] * 7]
    text = ", ".join(clean_text(p) for p in (parts[3], parts[4], parts[6]) if clean_text(p))
    return text or None


def _birthday(prop: _Property | None) -> PartialDate | None:
    """BDAY with its year; yearless forms (``--0315``, Apple's X-APPLE-OMIT-YEAR) give None."""
    if prop is None:
        return None
    text = _unescape(prop.value).strip()
    omit = prop.params.get("X-APPLE-OMIT-YEAR", [""])[0]
    if not text or text.startswith("--") or (omit and text.startswith(omit)):
        return None
    text = text.split("T")[0]
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return parse_day(text)
    except InvalidInput:
        return None


IMPORTER = VCardImporter()
