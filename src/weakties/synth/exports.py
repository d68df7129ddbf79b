"""A synthetic world written out as the export files a real owner would have, with the truth.

:func:`write_exports` turns a :class:`~weakties.synth.world.World` into the files weakties'
importers read: a LinkedIn data export zip, a Google Contacts CSV, an iPhone vCard file, a
Gmail mbox, a Google Calendar ``.ics`` and a folder of WhatsApp chats. Each source knows people
only the way the real one would: LinkedIn by profile URL and the name people typed themselves
(accents kept), the address books by the names the owner typed (nicknames, "Last, First",
accents dropped, stale employers, missing emails), mail and calendar by address and display
name, WhatsApp by the name saved in the phone or, for unsaved contacts, the number. The same
person therefore arrives several times, as in life, and identity resolution has to join them.

The returned :class:`ExportSet` lists the files in a sensible import order and holds the
truth: for every person record a file contains, the world person it describes, so resolution
precision and recall can be measured (``bench/resolution_bench.py``), and which of the world's
favours the files carry (LinkedIn recommendations), so that what a user types by hand is not
counted twice. ``weakties demo`` builds its workspace from these files alone, plus that typing
(:mod:`weakties.workspace.demo`), so they carry what its story needs the way real files would:
the favour's mail thread, and the Google Contacts card of the person helped, saved when they
first wrote, naming who had referred them (the hiring manager, their former colleague). That
"Referred by" relation is the only trace of their friendship in the owner's data; the careers
and friendships of everyone beyond the owner are not in any export.

What is left out, and why: calls and in-person meetings (no export records them), likes and
follows (LinkedIn's export has neither), messages with people outside the WhatsApp sample
(other chat apps), and mail is exported whole (``email_fraction`` = 1.0 by default; the world's
~14k messages import in seconds). Only :mod:`weakties.domain`, :mod:`weakties.errors` and the
standard library are used, so the synthetic layer stays below the importers it feeds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from weakties.domain.identities import IdentityKind
from weakties.domain.ledger import Channel, Interaction, InteractionKind, Role
from weakties.domain.people import AffiliationKind, Person
from weakties.errors import InvalidInput
from weakties.synth.world import World

WHATSAPP_CHATS = 14
"""Close contacts whose WhatsApp chats are exported (the owner exports a few, not all)."""

UNSAVED_CHATS = 2
"""Of those, chats with numbers the phone never saved: WhatsApp shows the number instead."""

IMPORT_ORDER = ("email", "calendar", "google_csv", "vcard", "whatsapp", "linkedin")
"""The order :attr:`ExportSet.files` lists the exports in. Sources that name people by
address come first; address books then join those people by identity, or by name backed by
evidence; LinkedIn, whose connections carry almost no emails, comes last, when there is the
most to match its names against. (People created from mail or chat participants are matched
by identity only, so a name-only source imported first could not be joined to them later.)"""

_NATIVE_SPELLING: dict[str, str] = {
    "Ines": "Inês",
    "Joao": "João",
    "Soren": "Søren",
    "Chloe": "Chloé",
    "Zoe": "Zoë",
    "Lucia": "Lucía",
    "Ruben": "Rubén",
    "Sofia": "Sofía",
    "Elise": "Élise",
    "Garcia": "García",
    "Lopez": "López",
    "Gomez": "Gómez",
    "Alvarez": "Álvarez",
    "Diaz": "Díaz",
    "Jovanovic": "Jovanović",
    "Yilmaz": "Yılmaz",
}
"""How people whose names carry accents write them; the world keeps their ASCII spelling."""

_GOOGLE_HEADER = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Phonetic First Name",
    "Phonetic Middle Name",
    "Phonetic Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "File As",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Birthday",
    "Notes",
    "Photo",
    "Labels",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "E-mail 2 - Label",
    "E-mail 2 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Address 1 - Label",
    "Address 1 - Formatted",
    "Address 1 - Street",
    "Address 1 - City",
    "Address 1 - PO Box",
    "Address 1 - Region",
    "Address 1 - Postal Code",
    "Address 1 - Country",
    "Address 1 - Extended Address",
    "Relation 1 - Label",
    "Relation 1 - Value",
    "Website 1 - Label",
    "Website 1 - Value",
]
_LINKEDIN_NOTE = (
    "When exporting your connection data, you may notice that some of the email addresses "
    "are missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    "https://www.linkedin.com/help/linkedin/answer/261"
)
_COUNTRY = {
    "London": "United Kingdom",
    "Manchester": "United Kingdom",
    "Edinburgh": "United Kingdom",
    "Bristol": "United Kingdom",
    "New York": "United States",
    "San Francisco": "United States",
    "Chicago": "United States",
    "Austin": "United States",
    "Boston": "United States",
    "Berlin": "Germany",
    "Lisbon": "Portugal",
    "Amsterdam": "Netherlands",
    "Toronto": "Canada",
    "Dublin": "Ireland",
}
_BODIES = (
    "Thanks, that works for me.",
    "Sounds good, see you then.",
    "Attached are my notes from today.",
    "Could you take a look when you have a minute?",
    "Happy to help, let me know.",
    "Great to hear from you!",
    "Let's find a time next week.",
)
_CHAT_LINES = (
    "Hey!",
    "On my way",
    "Thanks 🙏",
    "Sounds good",
    "See you at 7?",
    "😂",
    "Call later?",
)


class RecordKind(StrEnum):
    """How a person record of an export is found again after import."""

    CONTACT = "contact"  # the n-th person entry of a contact list (``key`` = n, from 0)
    EMAIL = "email"  # a correspondent or attendee, by address (``key`` = the address)
    PHONE = "phone"  # an unsaved WhatsApp number (``key`` = E.164)
    CHAT = "chat"  # the other party of a 1:1 chat, named only (``key`` = the chat's file name)


@dataclass(frozen=True, slots=True)
class TrueRecord:
    """One person record in one export file, and the world person it really is."""

    file: str  # path relative to the export folder
    kind: RecordKind
    key: str
    name: str  # as the source writes it
    person: int  # index into World.people


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One export to import: the path, the importer that reads it, and the ``--me`` it needs."""

    path: Path
    importer: str
    me: tuple[str, ...] = ()
    records: int = 0  # person records in it (entries of ExportSet.truth)


@dataclass(frozen=True, slots=True)
class ExportSet:
    """The files written for a world, in import order, and the ground truth of who is who."""

    folder: Path
    files: tuple[ExportFile, ...]
    truth: tuple[TrueRecord, ...]
    owner_emails: tuple[str, ...]
    owner_url: str | None
    owner_name: str
    email_fraction: float = 1.0
    counts: dict[str, int] = field(default_factory=dict)  # what each file holds, for reports
    favours: frozenset[int] = frozenset()  # World.favors the files carry (LinkedIn recommendations)


def write_exports(
    world: World, folder: Path, *, seed: int = 0, email_fraction: float = 1.0
) -> ExportSet:
    """Write ``world`` as export files under ``folder`` (created); same inputs, same bytes.

    ``email_fraction`` keeps that share of mail threads (whole threads, chosen at random) for
    quick tests; the truth only lists what was written.
    """
    if not 0.0 < email_fraction <= 1.0:
        raise InvalidInput(f"email_fraction={email_fraction} is out of range", hint="0 < f <= 1")
    folder.mkdir(parents=True, exist_ok=True)
    return _Writer(world, folder, seed, email_fraction).write()


def _emails(p: Person) -> list[str]:
    return [i.value for i in p.identities if i.kind is IdentityKind.EMAIL]


def _phone(p: Person) -> str | None:
    return next((i.value for i in p.identities if i.kind is IdentityKind.PHONE), None)


def _linkedin(p: Person) -> str | None:
    return next(
        (i.value for i in p.identities if i.kind is IdentityKind.URL and i.label == "linkedin"),
        None,
    )


def _native(word: str) -> str:
    return _NATIVE_SPELLING.get(word, word)


def _national(e164: str) -> str:
    """A number as people type it: UK in spaced international form, US in national form."""
    if e164.startswith("+44"):
        rest = e164[3:]
        return f"+44 {rest[:4]} {rest[4:]}"
    if e164.startswith("+1") and len(e164) == 12:
        return f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    return e164


def _vescape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")


def _csv_text(rows: list[list[str]], header: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _day_text(when: datetime) -> str:
    return when.strftime("%d %b %Y")


class _Writer:
    """Writes one world's exports; one instance per call of :func:`write_exports`."""

    def __init__(self, world: World, folder: Path, seed: int, email_fraction: float) -> None:
        self.w = world
        self.folder = folder
        self.r = random.Random(f"exports:{world.seed}:{seed}")
        self.email_fraction = email_fraction
        self.truth: list[TrueRecord] = []
        self.favours: set[int] = set()
        self.counts: Counter[str] = Counter()
        self.owner = world.people[0]
        self.current: dict[int, tuple[str, str | None]] = {}
        self.previous: dict[int, str] = {}
        for aff in world.affiliations:
            if aff.kind is not AffiliationKind.EMPLOYMENT:
                continue
            org = world.orgs[aff.org_id].name
            if aff.end is None:
                self.current[aff.person_id] = (org, aff.title)
            else:
                self.previous[aff.person_id] = org
        self.talks: Counter[int] = Counter()
        self.channels: dict[int, Counter[Channel]] = defaultdict(Counter)
        for it in world.interactions:
            if it.channel is Channel.SOCIAL:
                continue
            for part in it.participants:
                if part.person_id != 0:
                    self.talks[part.person_id] += 1
                    self.channels[part.person_id][it.channel] += 1
        # which address each person writes from, and the odd thread from their other one
        self.primary: dict[int, str] = {}
        for p in world.people:
            found = _emails(p)
            if found:
                self.primary[p.id or 0] = found[0]

    # ------------------------------------------------------------------ names
    def full(self, p: Person, *, native: bool, nickname: bool = False) -> tuple[str, str]:
        given, family = p.given_name or p.name, p.family_name or ""
        if nickname and p.aliases:
            given = p.aliases[0].rsplit(" ", 1)[0]
        if native:
            given, family = _native(given), _native(family)
        return given, family

    def add_truth(self, file: str, kind: RecordKind, key: str, name: str, person: int) -> None:
        self.truth.append(TrueRecord(file, kind, key, name, person))

    # ------------------------------------------------------------------ driver
    def write(self) -> ExportSet:
        owner_emails = tuple(_emails(self.owner))
        owner_url = _linkedin(self.owner)
        files: list[ExportFile] = []
        vcard_people = self.choose_vcard_people()
        chats = self.choose_chats(vcard_people)
        for make in (
            self.linkedin,
            self.google,
            lambda: self.vcard(vcard_people, chats),
            self.mbox,
            self.calendar,
            lambda: self.whatsapp(chats),
        ):
            before = len(self.truth)
            path, importer, me = make()
            files.append(ExportFile(path, importer, me, len(self.truth) - before))
        files.sort(key=lambda f: IMPORT_ORDER.index(f.importer))
        return ExportSet(
            folder=self.folder,
            files=tuple(files),
            truth=tuple(self.truth),
            owner_emails=owner_emails,
            owner_url=owner_url,
            owner_name=self.owner.name,
            email_fraction=self.email_fraction,
            counts=dict(sorted(self.counts.items())),
            favours=frozenset(self.favours),
        )

    # ------------------------------------------------------------------ LinkedIn
    def linkedin(self) -> tuple[Path, str, tuple[str, ...]]:
        w, r = self.w, self.r
        connected: dict[int, datetime] = {}
        endorsements: list[tuple[Interaction, int, bool]] = []
        for it in w.interactions:
            if it.channel is not Channel.SOCIAL:
                continue
            other = next(p.person_id for p in it.participants if p.person_id != 0)
            if it.kind is InteractionKind.CONNECTION:
                connected.setdefault(other, it.occurred_at)
            elif it.kind is InteractionKind.ENDORSEMENT:
                gave = it.participants[0].person_id == 0
                endorsements.append((it, other, gave))
        name = f"Basic_LinkedInDataExport_{w.now.strftime('%m-%d-%Y')}.zip"
        rows: list[list[str]] = []
        order = sorted(connected, key=lambda p: (connected[p], p), reverse=True)
        for p in order:
            person = w.people[p]
            url = _linkedin(person)
            if url is None:
                continue
            given, family = self.full(person, native=True)
            email = self.primary.get(p, "") if r.random() < 0.1 else ""
            company, title = self.current.get(p, ("", None))
            rows.append([given, family, url, email, company, title or "", _day_text(connected[p])])
            self.add_truth(name, RecordKind.CONTACT, str(len(rows) - 1), f"{given} {family}", p)
        self.counts["linkedin.connections"] = len(rows)
        header = [
            "First Name",
            "Last Name",
            "URL",
            "Email Address",
            "Company",
            "Position",
            "Connected On",
        ]
        members: dict[str, str] = {
            "Connections.csv": f'Notes:\n"{_LINKEDIN_NOTE}"\n\n' + _csv_text(rows, header)
        }
        me = self.owner
        members["Profile.csv"] = _csv_text(
            [
                [
                    me.given_name or "",
                    me.family_name or "",
                    "",
                    "",
                    "",
                    "Product Manager",
                    "",
                    "",
                    "",
                    f"{me.location}, {_COUNTRY.get(me.location or '', '')}",
                    "",
                    "",
                    "",
                ]
            ],
            [
                "First Name",
                "Last Name",
                "Maiden Name",
                "Address",
                "Birth Date",
                "Headline",
                "Summary",
                "Industry",
                "Zip Code",
                "Geo Location",
                "Twitter Handles",
                "Websites",
                "Instant Messengers",
            ],
        )
        members["Email Addresses.csv"] = _csv_text(
            [
                [e, "Yes", "Yes" if k == 0 else "No", "Not Available"]
                for k, e in enumerate(_emails(me))
            ],
            ["Email Address", "Confirmed", "Primary", "Updated On"],
        )
        positions = []
        for aff in w.affiliations:
            if aff.person_id == 0 and aff.kind is AffiliationKind.EMPLOYMENT:
                start = aff.start.iso() if aff.start else ""
                end = aff.end.iso() if aff.end else ""
                positions.append([w.orgs[aff.org_id].name, aff.title or "", "", "", start, end])
        members["Positions.csv"] = _csv_text(
            positions[::-1],
            ["Company Name", "Title", "Description", "Location", "Started On", "Finished On"],
        )
        for gave in (False, True):
            side = "Endorsee" if gave else "Endorser"
            erows = []
            for it, other, by_me in endorsements:
                person = w.people[other]
                if by_me is not gave or other not in connected or _linkedin(person) is None:
                    continue
                given, family = self.full(person, native=True)
                skill = person.skills[0] if gave and person.skills else r.choice(me.skills)
                erows.append(
                    [
                        it.occurred_at.strftime("%Y/%m/%d %H:%M:%S UTC"),
                        skill.replace("-", " ").title(),
                        given,
                        family,
                        (_linkedin(person) or "").removeprefix("https://"),
                        "ACCEPTED",
                    ]
                )
            member = f"Endorsement_{'Given' if gave else 'Received'}_Info.csv"
            members[member] = _csv_text(
                erows,
                [
                    "Endorsement Date",
                    "Skill Name",
                    f"{side} First Name",
                    f"{side} Last Name",
                    f"{side} Public Url",
                    "Endorsement Status",
                ],
            )
            self.counts[f"linkedin.endorsements.{'given' if gave else 'received'}"] = len(erows)
        for gave in (True, False):
            rrows = []
            for k, fav in enumerate(w.favors):
                other = fav.receiver_id if gave else fav.giver_id
                mine = fav.giver_id if gave else fav.receiver_id
                if mine != 0 or "LinkedIn recommendation" not in fav.what:
                    continue
                if other not in connected or fav.when is None:
                    continue
                self.favours.add(k)
                person = w.people[other]
                given, family = self.full(person, native=True)
                company, title = self.current.get(other, ("", None))
                day = datetime(fav.when.year, fav.when.month or 6, fav.when.day or 15, 12)
                rrows.append(
                    [
                        given,
                        family,
                        company,
                        title or "",
                        "A pleasure to work with.",
                        day.strftime("%m/%d/%y, %I:%M %p"),
                        "VISIBLE",
                    ]
                )
            member = f"Recommendations_{'Given' if gave else 'Received'}.csv"
            members[member] = _csv_text(
                rrows,
                [
                    "First Name",
                    "Last Name",
                    "Company",
                    "Job Title",
                    "Text",
                    "Creation Date",
                    "Status",
                ],
            )
            self.counts[f"linkedin.recommendations.{'given' if gave else 'received'}"] = len(rrows)
        path = self.folder / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, text in members.items():
                info = zipfile.ZipInfo(member, date_time=(2026, 11, 27, 12, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text.encode("utf-8"))
        url = _linkedin(me)
        return path, "linkedin", (url,) if url else ()

    # ------------------------------------------------------------------ Google Contacts
    def google(self) -> tuple[Path, str, tuple[str, ...]]:
        """The Gmail address book: people written to or met more than once, and family."""
        w, r = self.w, self.r
        name = "contacts.csv"
        rows: list[list[str]] = []
        for p in range(1, len(w.people)):
            person = w.people[p]
            mailish = self.channels[p][Channel.EMAIL] + self.channels[p][Channel.MEETING]
            saved = p == w.story.helped or "family" in person.tags
            if not saved and not (mailish >= 3 and r.random() < 0.8) and r.random() >= 0.06:
                continue
            if not saved and not mailish and _phone(person) is None:
                continue
            accents = r.random() < 0.5
            given, family = self.full(person, native=accents, nickname=r.random() < 0.6)
            if r.random() < 0.03:
                given = given[0] + "."
            emails = _emails(person)
            if r.random() < 0.15 and p != w.story.helped:
                emails = []  # saved from a phone call or a business card: no address
            phone = _phone(person) if r.random() < 0.7 else None
            if not emails and phone is None and r.random() < 0.5:
                phone = _phone(person)
            org, title = self.current.get(p, ("", None))
            x = r.random()
            if x < 0.15 and p in self.previous:
                org, title = self.previous[p], None  # saved years ago, never updated
            elif x < 0.35:
                org, title = "", None
            city = person.location if r.random() < 0.4 else None
            website = _linkedin(person) if p == w.story.helped or r.random() < 0.05 else None
            labels = " ::: ".join([*person.tags[:1], "* myContacts"])
            row = [""] * len(_GOOGLE_HEADER)
            col = {h: k for k, h in enumerate(_GOOGLE_HEADER)}
            row[col["First Name"]] = given
            row[col["Last Name"]] = family
            row[col["Organization Name"]] = org
            row[col["Organization Title"]] = title or ""
            row[col["Labels"]] = labels
            for k, address in enumerate(emails[:2], start=1):
                row[col[f"E-mail {k} - Label"]] = "* Work" if k == 1 else "Home"
                row[col[f"E-mail {k} - Value"]] = address
            if phone:
                row[col["Phone 1 - Label"]] = "Mobile"
                row[col["Phone 1 - Value"]] = _national(phone)
            if city:
                row[col["Address 1 - Label"]] = "Home"
                row[col["Address 1 - Formatted"]] = f"{city}\n{_COUNTRY.get(city, '')}"
                row[col["Address 1 - City"]] = city
                row[col["Address 1 - Country"]] = _COUNTRY.get(city, "")
            if p == w.story.helped:
                # they wrote saying who had sent them: their former colleague, the hiring manager
                row[col["Relation 1 - Label"]] = "Referred by"
                row[col["Relation 1 - Value"]] = w.people[w.story.hiring_manager].name
            if website:
                row[col["Website 1 - Label"]] = "Profile"
                row[col["Website 1 - Value"]] = website
            rows.append(row)
            self.add_truth(name, RecordKind.CONTACT, str(len(rows) - 1), f"{given} {family}", p)
        self.counts["google.contacts"] = len(rows)
        path = self.folder / name
        path.write_text(_csv_text(rows, _GOOGLE_HEADER), encoding="utf-8")
        return path, "google_csv", ()

    # ------------------------------------------------------------------ vCard
    def choose_vcard_people(self) -> list[int]:
        """The phone's address book: people with a number who text, call or are family."""
        w, r = self.w, self.r
        chosen = []
        for p in range(1, len(w.people)):
            person = w.people[p]
            if _phone(person) is None:
                continue
            phoney = self.channels[p][Channel.MESSAGE] + self.channels[p][Channel.CALL]
            if "family" in person.tags or phoney or (self.talks[p] and r.random() < 0.3):
                chosen.append(p)
        return chosen

    def choose_chats(self, vcard_people: list[int]) -> list[tuple[int, bool]]:
        """The WhatsApp chats exported: (person, saved in the phone)."""
        by_messages = sorted(
            (
                p
                for p in self.channels
                if self.channels[p][Channel.MESSAGE] and _phone(self.w.people[p]) is not None
            ),
            key=lambda p: (-self.channels[p][Channel.MESSAGE], p),
        )
        top = by_messages[:WHATSAPP_CHATS]
        return [(p, k >= UNSAVED_CHATS) for k, p in enumerate(reversed(top))]

    def vcard(
        self, people: list[int], chats: list[tuple[int, bool]]
    ) -> tuple[Path, str, tuple[str, ...]]:
        w, r = self.w, self.r
        name = "iPhone Contacts.vcf"
        unsaved = {p for p, saved in chats if not saved}
        chat_people = {p for p, saved in chats if saved}
        self.saved_as: dict[int, str] = {}
        cards: list[str] = []
        for p in people:
            if p in unsaved:
                continue
            person = w.people[p]
            given, family = self.full(person, native=False, nickname=r.random() < 0.5)
            shown = f"{given} {family}"
            fn = f"{family}, {given}" if r.random() < 0.12 and p not in chat_people else shown
            self.saved_as[p] = shown
            uid = hashlib.sha1(f"{w.seed}:{p}:vcard".encode()).hexdigest().upper()
            lines = [
                "BEGIN:VCARD",
                "VERSION:3.0",
                "PRODID:-//Apple Inc.//iPhone OS 17.4//EN",
                f"N:{_vescape(family)};{_vescape(given)};;;",
                f"FN:{_vescape(fn)}",
            ]
            org, title = self.current.get(p, ("", None))
            if org and r.random() < 0.5:
                lines.append(f"ORG:{_vescape(org)};")
                if title:
                    lines.append(f"TITLE:{_vescape(title)}")
            emails = _emails(person)
            if emails and r.random() < 0.55:
                for k, address in enumerate(reversed(emails)):
                    kind = "HOME;type=pref" if k == 0 else "WORK"
                    lines.append(f"EMAIL;type=INTERNET;type={kind}:{address}")
            phone = _phone(person)
            assert phone is not None
            lines.append(f"TEL;type=CELL;type=VOICE;type=pref:{_national(phone)}")
            url = _linkedin(person)
            if url and r.random() < 0.1:
                lines.append(f"X-SOCIALPROFILE;type=linkedin:{url}")
            if person.location and r.random() < 0.3:
                country = _COUNTRY.get(person.location, "")
                lines.append(f"item1.ADR;type=HOME;type=pref:;;;{person.location};;;{country}")
                lines.append(
                    "item1.X-ABADR:gb" if country == "United Kingdom" else "item1.X-ABADR:us"
                )
            lines += [
                f"UID:{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:32]}",
                "END:VCARD",
            ]
            cards.append("\r\n".join(lines))
            self.add_truth(name, RecordKind.CONTACT, str(len(cards) - 1), fn, p)
        self.counts["vcard.cards"] = len(cards)
        path = self.folder / name
        path.write_bytes(("\r\n".join(cards) + "\r\n").encode("utf-8"))
        return path, "vcard", ()

    # ------------------------------------------------------------------ mail
    def display(self, p: int) -> str:
        """How a person's mail client signs their name (set once, kept)."""
        person = self.w.people[p]
        h = int(hashlib.sha1(f"{self.w.seed}:{p}:display".encode()).hexdigest()[:8], 16)
        given, family = self.full(person, native=h % 2 == 0, nickname=h % 7 == 0)
        if h % 11 == 0:
            return f"{family}, {given}"
        return f"{given} {family}"

    def address(self, p: int, thread: str) -> str:
        emails = _emails(self.w.people[p])
        h = int(hashlib.sha1(f"{thread}:{p}".encode()).hexdigest()[:8], 16)
        if len(emails) > 1 and p != 0 and h % 5 == 0:
            return emails[1]
        if p == 0:
            return emails[h % len(emails)] if h % 4 == 0 else emails[0]
        return emails[0]

    @staticmethod
    def mailbox(name: str, address: str) -> str:
        if any(c in name for c in ',."') or not name.isascii():
            if not name.isascii():
                from email.header import Header

                return f"{Header(name, 'utf-8').encode()} <{address}>"
            return f'"{name}" <{address}>'
        return f"{name} <{address}>"

    def mbox(self) -> tuple[Path, str, tuple[str, ...]]:
        w, r = self.w, self.r
        name = "All mail Including Spam and Trash.mbox"
        threads: dict[str, list[Interaction]] = defaultdict(list)
        for it in w.interactions:
            if it.channel is Channel.EMAIL:
                threads[it.thread_key or f"single-{it.id}"].append(it)
        keep = {
            key
            for key in sorted(threads)
            if self.email_fraction >= 1.0
            or any(0 in it.people() and it.people() & {w.story.helped} for it in threads[key])
            or r.random() < self.email_fraction
        }
        seen: dict[str, int] = {}
        blocks: list[tuple[datetime, str]] = []
        message_ids: dict[int, str] = {}
        for key in sorted(keep):
            previous: list[str] = []
            for it in threads[key]:
                mid = (
                    f"<{hashlib.sha1(f'{w.seed}:{it.id}'.encode()).hexdigest()[:20]}@mail.example>"
                )
                message_ids[it.id or 0] = mid
                by_role: dict[Role, list[str]] = defaultdict(list)
                for part in it.participants:
                    address = self.address(part.person_id, key)
                    by_role[part.role].append(self.mailbox(self.display(part.person_id), address))
                    if part.person_id != 0 and address not in seen:
                        seen[address] = part.person_id
                        self.add_truth(
                            name,
                            RecordKind.EMAIL,
                            address,
                            self.display(part.person_id),
                            part.person_id,
                        )
                sent = it.participants[0].person_id == 0
                head = [
                    f"From {mid.strip('<>')} {it.occurred_at.strftime('%a %b %d %H:%M:%S +0000 %Y')}",
                    f"X-Gmail-Labels: {'Sent' if sent else 'Inbox'}",
                    f"From: {by_role[Role.FROM][0]}",
                    f"To: {', '.join(by_role[Role.TO])}",
                ]
                if by_role[Role.CC]:
                    head.append(f"Cc: {', '.join(by_role[Role.CC])}")
                head += [
                    f"Subject: {it.summary or '(no subject)'}",
                    f"Date: {it.occurred_at.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
                    f"Message-ID: {mid}",
                ]
                if previous:
                    head.append(f"In-Reply-To: {previous[-1]}")
                    head.append(f"References: {' '.join(previous[-5:])}")
                head.append("Content-Type: text/plain; charset=UTF-8")
                body = r.choice(_BODIES)
                blocks.append((it.occurred_at, "\n".join(head) + "\n\n" + body + "\n"))
                previous.append(mid)
        self.counts["mail.messages"] = len(blocks)
        # mail that is not personal and must be skipped: newsletters, lists, no-reply senders
        owner = _emails(self.owner)[0]
        for k in range(6):
            when = w.now - timedelta(days=30 * (k + 1), hours=k)
            extra = {
                0: (
                    "Weekly Digest <digest@news.example>",
                    "List-Unsubscribe: <mailto:u@news.example>",
                ),
                1: ("Shop <offers@shop.example>", "Precedence: bulk"),
                2: ("Service <no-reply@service.example>", ""),
                3: ("Builds <notifications@ci.example>", ""),
                4: ("Product Circle <circle@lists.example>", "List-Id: <circle.lists.example>"),
                5: ("Away <away@auto.example>", "Auto-Submitted: auto-replied"),
            }[k]
            head = [
                f"From MAILER-DAEMON {when.strftime('%a %b %d %H:%M:%S +0000 %Y')}",
                "X-Gmail-Labels: Inbox",
                f"From: {extra[0]}",
                f"To: {owner}",
                "Subject: News",
                f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
                f"Message-ID: <bulk-{w.seed}-{k}@bulk.example>",
            ]
            if extra[1]:
                head.append(extra[1])
            blocks.append((when, "\n".join(head) + "\n\nNothing personal here.\n"))
        self.counts["mail.bulk"] = 6
        blocks.sort(key=lambda b: b[0])
        path = self.folder / name
        with path.open("w", encoding="utf-8", newline="\n") as out:
            for _, block in blocks:
                out.write(block)
                out.write("\n")
        return path, "email", tuple(_emails(self.owner))

    # ------------------------------------------------------------------ calendar
    def calendar(self) -> tuple[Path, str, tuple[str, ...]]:
        w = self.w
        owner = _emails(self.owner)[0]
        name = f"{owner}.ics"
        seen: set[str] = set()
        lines = [
            "BEGIN:VCALENDAR",
            "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{owner}",
            "X-WR-TIMEZONE:UTC",
        ]
        events = 0
        for it in w.interactions:
            if it.channel is not Channel.MEETING:
                continue
            events += 1
            start = it.occurred_at.strftime("%Y%m%dT%H%M%SZ")
            end = (it.occurred_at + timedelta(minutes=30)).strftime("%Y%m%dT%H%M%SZ")
            lines += [
                "BEGIN:VEVENT",
                f"DTSTART:{start}",
                f"DTEND:{end}",
                f"DTSTAMP:{start}",
                f"UID:{hashlib.sha1(f'{w.seed}:{it.id}'.encode()).hexdigest()[:24]}@calendar.example",
                f"SUMMARY:{it.summary or 'Meeting'}",
                "STATUS:CONFIRMED",
            ]
            key = f"meeting-{it.id}"
            for part in it.participants:
                p = part.person_id
                address = _emails(self.owner)[0] if p == 0 else self.address(p, key)
                cn = self.display(p).replace('"', "")
                value = f'"{cn}"' if any(c in cn for c in ",;:") else cn
                if part.role is Role.ORGANIZER:
                    lines.append(f"ORGANIZER;CN={value}:mailto:{address}")
                lines.append(
                    f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
                    f"CN={value}:mailto:{address}"
                )
                if p != 0 and address not in seen:
                    seen.add(address)
                    self.add_truth(name, RecordKind.EMAIL, address, self.display(p), p)
            lines.append("END:VEVENT")
        lines.append("END:VCALENDAR")
        self.counts["calendar.events"] = events
        path = self.folder / name
        path.write_bytes(("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8"))
        return path, "calendar", (owner,)

    # ------------------------------------------------------------------ WhatsApp
    def whatsapp(self, chats: list[tuple[int, bool]]) -> tuple[Path, str, tuple[str, ...]]:
        w = self.w
        folder = self.folder / "WhatsApp"
        folder.mkdir(exist_ok=True)
        me = f"{self.owner.given_name} {self.owner.family_name}"
        by_person: dict[int, list[Interaction]] = defaultdict(list)
        wanted = {p for p, _ in chats}
        for it in w.interactions:
            if it.channel is Channel.MESSAGE:
                other = next(p.person_id for p in it.participants if p.person_id != 0)
                if other in wanted:
                    by_person[other].append(it)
        messages = 0
        for p, saved in chats:
            phone = _phone(w.people[p])
            assert phone is not None
            shown = self.saved_as.get(p, w.people[p].name) if saved else _national(phone)
            file = f"WhatsApp Chat with {shown}.txt"
            items = by_person[p]
            first = items[0].occurred_at
            lines = [
                f"{first.strftime('%d/%m/%Y, %H:%M')} - Messages and calls are end-to-end "
                "encrypted. No one outside of this chat, not even WhatsApp, can read or listen "
                "to them. Tap to learn more."
            ]
            for k, it in enumerate(items):
                sender = me if it.participants[0].person_id == 0 else shown
                text = _CHAT_LINES[(k * 7 + p) % len(_CHAT_LINES)]
                lines.append(f"{it.occurred_at.strftime('%d/%m/%Y, %H:%M')} - {sender}: {text}")
            messages += len(items)
            (folder / file).write_text("\n".join(lines) + "\n", encoding="utf-8")
            rel = f"WhatsApp/{file}"
            if saved:
                self.add_truth(rel, RecordKind.CHAT, file, shown, p)
            else:
                self.add_truth(rel, RecordKind.PHONE, phone, shown, p)
        self.counts["whatsapp.chats"] = len(chats)
        self.counts["whatsapp.messages"] = messages
        return folder, "whatsapp", (me,)


def _fold(line: str) -> str:
    """Fold an iCalendar content line at 75 octets (RFC 5545 §3.1)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)
