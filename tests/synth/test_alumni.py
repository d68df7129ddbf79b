"""The synthetic alumni network: deterministic, overlapping, and the story holds."""

from __future__ import annotations

import hashlib
from pathlib import Path

from weakties.domain.community import Sharing
from weakties.synth.alumni import build_alumni, write_member_exports
from weakties.synth.world import TARGET_ORG_NAME


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    for run in ("a", "b"):
        alumni = build_alumni(6, 30, seed=3)
        for m in alumni.members:
            write_member_exports(alumni, m, tmp_path / run / m.handle)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    other = build_alumni(6, 30, seed=4)
    assert [p.name for p in other.people] != [p.name for p in build_alumni(6, 30, seed=3).people]


def test_the_story_and_the_overlap() -> None:
    alumni = build_alumni(20, 60, seed=7)
    people = alumni.people
    member, broker = alumni.members[0], alumni.members[1]
    assert alumni.story.member == member.handle and alumni.story.broker == broker.handle
    assert not any(people[c].org == TARGET_ORG_NAME for c in member.contacts)
    assert sum(people[c].org == TARGET_ORG_NAME for c in broker.contacts) >= 2
    assert broker.sharing == Sharing.FULL and not broker.share_names
    # members' networks overlap: some humans are in several address books
    seen: dict[int, int] = {}
    for m in alumni.members:
        assert len(set(m.contacts)) == len(m.contacts) and m.person not in m.contacts
        for c in m.contacts:
            seen[c] = seen.get(c, 0) + 1
    assert sum(1 for n in seen.values() if n >= 2) > len(seen) // 4
    assert {m.sharing for m in alumni.members} == set(Sharing)
    assert all(p.email.endswith((".example", ".example.org")) for p in people)


def test_exports_hold_what_the_member_knows(tmp_path: Path) -> None:
    alumni = build_alumni(4, 20, seed=1)
    m = alumni.members[2]
    vcf, mbox = write_member_exports(alumni, m, tmp_path)
    cards = vcf.read_text().count("BEGIN:VCARD")
    assert cards == len(m.contacts)
    emails = sum(m.with_email)
    assert vcf.read_text().count("EMAIL;") == emails
    written = sum(n for n, e in zip(m.messages, m.with_email, strict=True) if e)
    assert mbox.read_text().count("\nMessage-ID: ") >= written
