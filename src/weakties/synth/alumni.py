"""A synthetic alumni network: members who share a population, and each member's exports.

The population is people of a few cohorts (the class years of an alumni association) working at
a few dozen organisations, one of them Acme Bank. Every member is one of them and knows a set
of others, mostly from their own cohort, so that members' networks overlap: the same human is
in several members' address books, sometimes with the same address, sometimes known by name and
employer only. Each member's exports are the kind today's importers read — an address book
(vCard 3.0) and a mailbox of message headers (mbox), with group threads that show who knows
whom — so the community demo imports them exactly as members would.

The story: member 0 (``story.member``) knows nobody at Acme Bank, while member 1
(``story.broker``, who shares ties with organisations but not names) knows two people there
well. Deterministic: the same arguments give the same people and the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import numpy as np

from weakties.domain.community import Sharing
from weakties.errors import InvalidInput
from weakties.synth import names as vocab
from weakties.synth.world import NOW, TARGET_ORG_NAME

COHORTS = 8
ORGS = 30  # at least; one per 15 people in larger populations
EMAIL_SHARE = 0.85  # contacts whose address the member's address book holds
OWN_COHORT = 0.7  # share of a member's contacts from their own cohort
GROUP_THREADS = 0.3  # group threads per contact (who knows whom)
_TITLES = ("Analyst", "Engineer", "Product Manager", "Designer", "Recruiter", "Director", "Founder")


@dataclass(frozen=True, slots=True)
class Alum:
    """One person of the population."""

    name: str
    email: str
    org: str
    title: str
    cohort: int


@dataclass(frozen=True, slots=True)
class AlumniMember:
    """A member: who they are, what they share, whom they know and how often they wrote."""

    handle: str
    person: int  # index into Alumni.people
    sharing: Sharing
    share_names: bool
    contacts: tuple[int, ...]
    messages: tuple[int, ...]  # per contact, messages exchanged
    with_email: tuple[bool, ...]  # per contact, whether the address book holds the address
    groups: tuple[tuple[int, int], ...]  # pairs of contacts written to together


@dataclass(frozen=True, slots=True)
class AlumniStory:
    member: str  # the member looking for a way into the target organisation
    broker: str  # a member who knows people there
    target_org: str


@dataclass(frozen=True, slots=True)
class Alumni:
    seed: int
    name: str
    people: tuple[Alum, ...]
    members: tuple[AlumniMember, ...]
    story: AlumniStory


def build_alumni(members: int = 40, contacts: int = 120, seed: int = 7) -> Alumni:
    """A community of ``members`` members with about ``contacts`` contacts each."""
    if members < 2 or contacts < 5:
        raise InvalidInput("an alumni network needs at least 2 members and 5 contacts each")
    rng = np.random.default_rng(seed)
    size = max(200, members * contacts // 4 + members)
    orgs = [TARGET_ORG_NAME, *_org_names(rng, max(ORGS, size // 15) - 1)]
    people = []
    used: set[str] = set()
    for i in range(size):
        while True:
            name = f"{rng.choice(vocab.GIVEN_NAMES)} {rng.choice(vocab.FAMILY_NAMES)}"
            if name not in used:
                used.add(name)
                break
        org = orgs[int(rng.integers(len(orgs)))]
        slug = vocab.slugify(name).replace("-", ".")
        domain = vocab.slugify(org).replace("-", "") + ".example"
        people.append(
            Alum(
                name=name,
                email=f"{slug}@{domain}",
                org=org,
                title=str(rng.choice(_TITLES)),
                cohort=i % COHORTS,
            )
        )
    acme = [i for i in range(members, size) if people[i].org == TARGET_ORG_NAME]
    by_cohort = [
        np.array([i for i in range(size) if people[i].cohort == c], dtype=np.int64)
        for c in range(COHORTS)
    ]
    made = []
    for m in range(members):
        own = by_cohort[people[m].cohort]
        n = min(contacts, size - 1)
        near = rng.choice(own, size=min(len(own), int(n * OWN_COHORT)), replace=False)
        far = rng.choice(size, size=n, replace=False)
        chosen = [int(x) for x in dict.fromkeys([*near.tolist(), *far.tolist()]) if int(x) != m]
        chosen = chosen[:n]
        if m == 0:  # the story's member: nobody at the target organisation
            chosen = [c for c in chosen if people[c].org != TARGET_ORG_NAME]
        if m == 1:  # the broker knows two people there well
            chosen = [c for c in chosen if c not in acme[:2]] + acme[:2]
        if m != 1 and 1 not in chosen and m < members // 2:
            chosen.append(1)  # half the members know the broker themselves
        messages = [int(rng.geometric(0.25)) for _ in chosen]
        if m == 1:
            messages[-2:] = [12, 9]
        with_email = [bool(rng.random() < EMAIL_SHARE) for _ in chosen]
        k = len(chosen)
        groups = []
        for _ in range(int(k * GROUP_THREADS)):
            a, b = rng.choice(k, size=2, replace=False)
            groups.append((chosen[int(a)], chosen[int(b)]))
        if m == 0:
            sharing, names = Sharing.FULL, True
        elif m == 1:
            sharing, names = Sharing.FULL, False
        else:
            sharing = [Sharing.NONE, Sharing.EXISTS, Sharing.FULL][
                int(rng.choice(3, p=[0.2, 0.4, 0.4]))
            ]
            names = sharing == Sharing.FULL and bool(rng.random() < 0.5)
        made.append(
            AlumniMember(
                handle=vocab.slugify(people[m].name.split()[0]) + f"{m}",
                person=m,
                sharing=sharing,
                share_names=names,
                contacts=tuple(chosen),
                messages=tuple(messages),
                with_email=tuple(with_email),
                groups=tuple(groups),
            )
        )
    for m in range(members):  # members are the community's own: their addresses say so
        p = people[m]
        people[m] = Alum(
            p.name,
            f"{vocab.slugify(p.name).replace('-', '.')}@alumni.example.org",
            p.org,
            p.title,
            p.cohort,
        )
    return Alumni(
        seed=seed,
        name="Example Alumni",
        people=tuple(people),
        members=tuple(made),
        story=AlumniStory(made[0].handle, made[1].handle, TARGET_ORG_NAME),
    )


def _org_names(rng: np.random.Generator, n: int) -> list[str]:
    suffixes = ("Labs", "Health", "Energy", "Capital", "Systems", "Foods", "Logistics", "Media")
    out: list[str] = []
    taken = {TARGET_ORG_NAME}
    while len(out) < n:
        word = str(rng.choice(vocab.BRAND_WORDS))
        if len(out) >= len(vocab.BRAND_WORDS) * len(suffixes) // 2:  # many: coin a word
            word = vocab.syllable_word([int(x) for x in rng.integers(0, 1000, size=3)])
        name = f"{word} {rng.choice(suffixes)}"
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def _vescape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")


def write_member_exports(alumni: Alumni, member: AlumniMember, folder: Path) -> list[Path]:
    """The member's address book and mailbox under ``folder`` (created); same input, same bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    people = alumni.people
    me = people[member.person]
    cards = []
    for contact, with_email in zip(member.contacts, member.with_email, strict=True):
        p = people[contact]
        given, _, family = p.name.partition(" ")
        lines = [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"FN:{_vescape(p.name)}",
            f"N:{_vescape(family)};{_vescape(given)};;;",
        ]
        if with_email:
            lines.append(f"EMAIL;TYPE=INTERNET:{p.email}")
        lines += [f"ORG:{_vescape(p.org)}", f"TITLE:{_vescape(p.title)}", "END:VCARD"]
        cards.append("\r\n".join(lines) + "\r\n")
    vcf = folder / "contacts.vcf"
    vcf.write_bytes("".join(cards).encode())
    mails = []
    n = 0

    def message(sender: Alum, to: list[Alum], when: datetime, subject: str) -> None:
        nonlocal n
        n += 1
        stamp = when.strftime("%a %b %d %H:%M:%S %Y")
        recipients = ", ".join(f"{p.name} <{p.email}>" for p in to)
        mails.append(
            f"From {sender.email} {stamp}\n"
            f"From: {sender.name} <{sender.email}>\n"
            f"To: {recipients}\n"
            f"Date: {format_datetime(when)}\n"
            f"Message-ID: <{member.handle}.{n}@alumni.example.org>\n"
            f"Subject: {subject}\n\n(body not kept)\n\n"
        )

    start = NOW - timedelta(days=720)
    for i, (contact, count) in enumerate(zip(member.contacts, member.messages, strict=True)):
        if not member.with_email[i]:
            continue  # an address-book entry without an address never wrote
        p = people[contact]
        for j in range(count):
            when = (start + timedelta(days=(i * 37 + j * 53) % 715, hours=9 + j % 8)).astimezone(
                UTC
            )
            if j % 2:
                message(p, [me], when, f"Re: catching up {j}")
            else:
                message(me, [p], when, f"catching up {j}")
    reachable = {c for c, e in zip(member.contacts, member.with_email, strict=True) if e}
    for k, (a, b) in enumerate(member.groups):
        if a in reachable and b in reachable:
            when = (start + timedelta(days=(k * 29) % 700, hours=14)).astimezone(UTC)
            message(me, [people[a], people[b]], when, f"introducing you two {k}")
    mbox = folder / "mail.mbox"
    mbox.write_bytes("".join(mails).encode())
    return [vcf, mbox]
