"""Address-book CSV exports: Google Contacts (both header styles) and Outlook.

Google wrote ``Name, Given Name, …, E-mail 1 - Type, E-mail 1 - Value, Organization 1 - Name,
Group Membership`` until about 2020 and ``First Name, Middle Name, Last Name, …, E-mail 1 -
Label, Organization Name, Relation 1 - Label, Labels`` since; several values share one cell
joined by `` ::: ``. Outlook writes ``First Name, Last Name, E-mail Address, Company, Job
Title, …``; Outlook on the web, Exchange admin tools and CRM exports write Outlook's column
names with extra columns wherever they like (``Action,ID,Name,E-mail Address,…``) and a single
``Name``/``Display Name`` instead of first and last names. Columns are found by name, so
reordered, trimmed or extended files (Excel re-saves, with ``;`` or tab delimiters, cp1252 or
UTF-16) read the same. Relations become RelationRecords.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from enum import StrEnum
from pathlib import Path

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
from weakties.errors import ImportFailed
from weakties.importers._csv import CsvRow, CsvTable, find_table, sniff_header
from weakties.importers._dates import parse_day
from weakties.importers._identities import (
    clean_label,
    email_identity,
    phone_identity,
    profile_url_identity,
    unique_identities,
)
from weakties.importers._names import (
    KeyRegistry,
    clean_text,
    display_name,
    join_name,
    person_key,
    split_name,
)
from weakties.importers.files import Source
from weakties.importers.registry import ImportOptions

MULTI = " ::: "
MAX_NOTE_CHARS = 4000


class CsvStyle(StrEnum):
    """Which address book wrote the file."""

    GOOGLE_OLD = "google-old"
    GOOGLE_NEW = "google-new"
    OUTLOOK = "outlook"


def style_of(header: tuple[str, ...]) -> CsvStyle | None:
    """The writer of a CSV, from its (lower-cased) header; None for anything else."""
    columns = frozenset(header)
    if "e-mail 1 - value" in columns or "phone 1 - value" in columns:
        if {"given name", "family name"} & columns or "group membership" in columns:
            return CsvStyle.GOOGLE_OLD
        if {"first name", "last name"} & columns or "labels" in columns:
            return CsvStyle.GOOGLE_NEW
        if "name" in columns:
            return CsvStyle.GOOGLE_OLD
        return None
    outlook = {"e-mail address", "business phone", "mobile phone", "home phone", "job title"}
    if {"first name", "last name"} <= columns and len(outlook & columns) >= 2:
        return CsvStyle.OUTLOOK
    if _OUTLOOK_EMAILS[0] in columns and _OUTLOOK_NAMES & columns:
        return CsvStyle.OUTLOOK  # a one-name Outlook variant: the columns may stand anywhere
    return None


def _is_header(header: tuple[str, ...]) -> bool:
    return style_of(header) is not None


# Outlook's phone columns worth keeping: shared numbers (company main, fax, assistant) would
# merge colleagues into one person.
_OUTLOOK_PHONES = (
    ("mobile phone", "mobile"),
    ("home phone", "home"),
    ("home phone 2", "home"),
    ("business phone", "work"),
    ("business phone 2", "work"),
    ("primary phone", "main"),
    ("other phone", "other"),
    ("car phone", "car"),
)
_OUTLOOK_EMAILS = ("e-mail address", "e-mail 2 address", "e-mail 3 address")
# Whole-name columns of the one-name variants, in the order they are trusted.
_OUTLOOK_NAMES = frozenset({"name", "display name", "full name", "first name", "last name"})
_OUTLOOK_FULL_NAMES = ("name", "display name", "full name")
_NUMBERED = re.compile(r"(e-mail|phone|relation|website|organization|address) (\d+) - (.+)")
_SYSTEM_GROUPS = frozenset({"mycontacts", "starred", "imported on"})


class GoogleCsvImporter:
    """Reads Google Contacts CSV (both header styles) and Outlook contact CSV."""

    name = "google_csv"
    title = "Google Contacts / Outlook CSV"
    reads = (
        "Google Contacts CSV (Google and Outlook style) and Outlook contacts CSV: names, "
        "emails, phones, company and title, labels, birthdays, relations"
    )

    def sniff(self, path: Path, sources: list[Source]) -> float:
        for source in _candidates(path, sources):
            if sniff_header(source, _is_header):
                return 0.9
        return 0.0

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        region = options.extra.get("region", DEFAULT_REGION)
        single = len(sources) == 1 and not path.is_dir() and sources[0].member is None
        read_any = False
        for source in _candidates(path, sources):
            if not single and not sniff_header(source, _is_header):
                continue
            table = find_table(source, _is_header)
            if table is None:
                raise ImportFailed(
                    "not a Google Contacts or Outlook CSV (no known header row)",
                    location=source.name,
                )
            read_any = True
            yield from _read_table(table, region)
        if not read_any:
            raise ImportFailed("no Google Contacts or Outlook CSV found", location=str(path))


def _candidates(path: Path, sources: list[Source]) -> list[Source]:
    if len(sources) == 1 and not path.is_dir() and sources[0].member is None:
        return sources
    return [s for s in sources if s.basename.lower().endswith((".csv", ".txt", ".tsv"))]


def _read_table(table: CsvTable, region: str) -> Iterator[Record]:
    style = style_of(table.header)
    assert style is not None
    numbered = _numbered_columns(table.header)
    keys = KeyRegistry()
    prefix = "outlook" if style is CsvStyle.OUTLOOK else "google"
    for row in table.rows():
        if isinstance(row, Problem):
            yield row
            continue
        origin = Origin(table.source.name, f"line {row.line}")
        if style is CsvStyle.OUTLOOK:
            contact = _outlook_contact(row, origin, region)
            relations: list[tuple[str, str | None]] = []
        else:
            contact = _google_contact(row, origin, style, numbered, region)
            relations = _google_relations(row, numbered)
        if contact is None:
            yield Skipped(origin, "row with no name, email or phone (an organisation or empty)")
            continue
        key = keys.unique(person_key(prefix, contact.name, contact.identities))
        contact = replace(contact, key=key)
        yield contact
        ref = PersonRef(key, contact.name, contact.identities)
        for index, (other, label) in enumerate(relations, start=1):
            yield RelationRecord(
                key=f"{key}:relation:{index}",
                origin=origin,
                a=ref,
                b=PersonRef(name=other),
                label=label,
            )


def _numbered_columns(header: tuple[str, ...]) -> dict[str, dict[str, dict[str, str]]]:
    """``{"e-mail": {"1": {"value": "e-mail 1 - value", "type": …}}}`` from the header."""
    found: dict[str, dict[str, dict[str, str]]] = {}
    for column in header:
        match = _NUMBERED.fullmatch(column)
        if match:
            group, number, part = match.groups()
            part = "label" if part == "type" else part
            found.setdefault(group, {}).setdefault(number, {})[part] = column
    return found


def _values(row: CsvRow, columns: dict[str, str]) -> list[tuple[str, str | None]]:
    """The ``::: ``-joined values of one numbered field, each with the field's label."""
    raw = row.get(columns.get("value", ""))
    label = clean_label(row.get(columns.get("label", "")))
    return [(v.strip(), label) for v in raw.split(MULTI) if v.strip()]


def _google_contact(
    row: CsvRow,
    origin: Origin,
    style: CsvStyle,
    numbered: dict[str, dict[str, dict[str, str]]],
    region: str,
) -> ContactRecord | None:
    if style is CsvStyle.GOOGLE_OLD:
        given = clean_text(join_name(row.get("given name"), row.get("additional name"))) or None
        family = clean_text(row.get("family name")) or None
        full = clean_text(row.get("name"))
    else:
        given = clean_text(join_name(row.get("first name"), row.get("middle name"))) or None
        family = clean_text(row.get("last name")) or None
        full = ""
    name = display_name(full) if full else join_name(given, family)
    if full and given is None and family is None:
        given, family = split_name(full)
    identities: list[Identity | None] = []
    for group in numbered.get("e-mail", {}).values():
        identities += [email_identity(v, label) for v, label in _values(row, group)]
    for group in numbered.get("phone", {}).values():
        identities += [phone_identity(v, label, region) for v, label in _values(row, group)]
    for group in numbered.get("website", {}).values():
        identities += [profile_url_identity(v, label) for v, label in _values(row, group)]
    found = unique_identities(identities)
    affiliations = _google_affiliations(row, numbered)
    location = _google_location(row, numbered)
    groups = row.get("labels") or row.get("group membership")
    name = name or clean_text(row.get("nickname")) or clean_text(row.get("file as"))
    if not name and found:
        name = found[0].value
    if not name:
        return None
    return ContactRecord(
        key="",
        origin=origin,
        name=name,
        given_name=given,
        family_name=family,
        identities=found,
        affiliations=affiliations,
        tags=_tags(groups),
        note=clean_text(row.get("notes"), MAX_NOTE_CHARS) or None,
        location=location,
        birthday=_birthday(row.get("birthday")),
    )


def _google_affiliations(
    row: CsvRow, numbered: dict[str, dict[str, dict[str, str]]]
) -> tuple[AffiliationRecord, ...]:
    pairs: list[tuple[str, str]] = [(row.get("organization name"), row.get("organization title"))]
    for group in numbered.get("organization", {}).values():
        names = row.get(group.get("name", "")).split(MULTI)
        titles = row.get(group.get("title", "")).split(MULTI)
        titles += [""] * (len(names) - len(titles))
        pairs += list(zip(names, titles, strict=False))
    out: list[AffiliationRecord] = []
    for org, title in pairs:
        org_name = clean_text(org)
        if org_name and all(a.org != org_name for a in out):
            out.append(AffiliationRecord(org=org_name, title=clean_text(title) or None))
    return tuple(out)


def _google_location(row: CsvRow, numbered: dict[str, dict[str, dict[str, str]]]) -> str | None:
    if row.get("location"):
        return clean_text(row.get("location")) or None
    for group in numbered.get("address", {}).values():
        parts = [row.get(group.get(p, "")).split(MULTI)[0] for p in ("city", "region", "country")]
        text = ", ".join(clean_text(p) for p in parts if clean_text(p))
        if text:
            return text
    return None


def _google_relations(
    row: CsvRow, numbered: dict[str, dict[str, dict[str, str]]]
) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for group in numbered.get("relation", {}).values():
        for value, label in _values(row, group):
            name = clean_text(value)
            if name:
                out.append((name, label))
    return out


def _tags(raw: str) -> tuple[str, ...]:
    tags: list[str] = []
    for part in raw.split(MULTI):
        tag = normalize_tag(part.strip().lstrip("*"))
        if tag and tag.replace("-", "") not in _SYSTEM_GROUPS and not tag.startswith("imported-on"):
            tags.append(tag[:60])
    return tuple(dict.fromkeys(tags))


def _birthday(raw: str) -> PartialDate | None:
    """A birthday with its year; "--03-15" and Outlook's "0/0/00" carry none and are dropped."""
    text = raw.strip()
    if not text or text.startswith("--") or text in ("0/0/00", "0/0/0000", "1/1/1601"):
        return None
    return parse_day(text)


def _outlook_contact(row: CsvRow, origin: Origin, region: str) -> ContactRecord | None:
    given = clean_text(join_name(row.get("first name"), row.get("middle name"))) or None
    family = clean_text(row.get("last name")) or None
    name = join_name(given, family)
    identities: list[Identity | None] = []
    for index, column in enumerate(_OUTLOOK_EMAILS, start=1):
        kind = row.get(f"e-mail {index} type" if index > 1 else "e-mail type").upper()
        if kind not in ("", "SMTP"):
            continue  # an Exchange directory path, not an address
        identities.append(email_identity(row.get(column)))
    for column, label in (*_OUTLOOK_PHONES, ("phone", None), ("mobile", "mobile")):
        identities.append(phone_identity(row.get(column), label, region))
    identities.append(profile_url_identity(row.get("web page")))
    found = unique_identities(identities)
    company = clean_text(row.get("company"))
    title = clean_text(row.get("job title")) or None
    affiliations = (AffiliationRecord(org=company, title=title),) if company else ()
    city = clean_text(row.get("home city")) or clean_text(row.get("business city"))
    country = clean_text(row.get("home country/region")) or clean_text(
        row.get("business country/region")
    )
    location = ", ".join(p for p in (city, country) if p) or None
    categories = row.get("categories").replace(",", ";").split(";")
    if not name:
        full = next((row.get(c) for c in _OUTLOOK_FULL_NAMES if clean_text(row.get(c))), "")
        name = display_name(full) if full else ""
        if name and given is None and family is None:
            given, family = split_name(name)
    name = name or clean_text(row.get("nickname")) or clean_text(row.get("e-mail display name"))
    name = name or (found[0].value if found else "")
    if not name:
        return None
    return ContactRecord(
        key="",
        origin=origin,
        name=name,
        given_name=given,
        family_name=family,
        identities=found,
        affiliations=affiliations,
        tags=tuple(dict.fromkeys(normalize_tag(c) for c in categories if c.strip())),
        note=clean_text(row.get("notes"), MAX_NOTE_CHARS) or None,
        location=location,
        birthday=_birthday(row.get("birthday")),
    )


IMPORTER = GoogleCsvImporter()
