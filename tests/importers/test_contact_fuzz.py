"""Fuzzing the contact-list importers: any bytes give records or ImportFailed, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.importers._contacts import GOLDEN, run, sniff
from weakties.domain.records import (
    ContactRecord,
    FavorRecord,
    InteractionRecord,
    Problem,
    RelationRecord,
    Skipped,
)
from weakties.errors import ImportFailed
from weakties.importers import facebook, google_csv, linkedin, vcard
from weakties.importers.registry import Importer

RECORD_TYPES = (ContactRecord, InteractionRecord, FavorRecord, RelationRecord, Problem, Skipped)

# (importer, file name to write, a valid file of that format to mutate)
CASES: list[tuple[Importer, str, Path]] = [
    (linkedin.IMPORTER, "Connections.csv", GOLDEN / "linkedin/modern/Connections.csv"),
    (linkedin.IMPORTER, "messages.csv", GOLDEN / "linkedin/modern/messages.csv"),
    (linkedin.IMPORTER, "Connections.csv", GOLDEN / "linkedin/legacy_2018/Connections.csv"),
    (google_csv.IMPORTER, "contacts.csv", GOLDEN / "google_csv/google_old.csv"),
    (google_csv.IMPORTER, "contacts.csv", GOLDEN / "google_csv/google_new.csv"),
    (google_csv.IMPORTER, "contacts.csv", GOLDEN / "google_csv/outlook.csv"),
    (vcard.IMPORTER, "contacts.vcf", GOLDEN / "vcard/iphone_3.0.vcf"),
    (vcard.IMPORTER, "contacts.vcf", GOLDEN / "vcard/android_2.1.vcf"),
    (vcard.IMPORTER, "contacts.vcf", GOLDEN / "vcard/outlook_2.1.vcf"),
    (vcard.IMPORTER, "contacts.vcf", GOLDEN / "vcard/vcard_4.0.vcf"),
    (
        facebook.IMPORTER,
        "message_1.json",
        GOLDEN
        / "facebook/layout_2023/your_activity_across_facebook/messages/inbox"
        / "ximenalowell_123/message_1.json",
    ),
    (facebook.IMPORTER, "friends.json", GOLDEN / "facebook/layout_2019/friends/friends.json"),
]
IDS = [f"{c[0].name}-{c[2].name}-{i}" for i, c in enumerate(CASES)]

JUNK = st.sampled_from(
    [
        b"\x00",
        b"\xff\xfe",
        b"\xef\xbb\xbf",
        b'"',
        b",",
        b"\r\n",
        b"\n ",
        b"=",
        b"=\r\n",
        b";",
        b":",
        b"\\",
        b"{",
        b"[",
        b"}",
        b"]",
        b"BEGIN:VCARD\r\n",
        b"END:VCARD\r\n",
        b"\xc3",
        b"\x80",
        b"item1.",
        b"ENCODING=QUOTED-PRINTABLE:",
        b"PHOTO;ENCODING=b:",
        b" ::: ",
        b"\t",
        b'"timestamp_ms": 1e400',
        b'"timestamp": -5',
        b"null",
        b"9" * 30,
    ]
)


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif op == "insert":
            data[at:at] = draw(JUNK)
        elif op == "truncate":
            del data[at:]
        elif op == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
    return bytes(data)


def check(importer: Importer, name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        score = sniff(importer, path)
        assert 0.0 <= score <= 1.0
        try:
            records = run(importer, path)
        except ImportFailed as exc:
            assert str(exc).strip() and "\n" not in str(exc)
            return
        assert all(isinstance(r, RECORD_TYPES) for r in records)


FUZZ = settings(
    max_examples=int(__import__("os").environ.get("FUZZ_N", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.parametrize(("importer", "name", "valid"), CASES, ids=IDS)
@FUZZ
@given(data=st.data())
def test_mutated_valid_files(
    importer: Importer, name: str, valid: Path, data: st.DataObject
) -> None:
    check(importer, name, data.draw(mutated(valid.read_bytes())))


@pytest.mark.parametrize(
    ("importer", "name"),
    [
        (linkedin.IMPORTER, "Connections.csv"),
        (google_csv.IMPORTER, "contacts.csv"),
        (vcard.IMPORTER, "contacts.vcf"),
        (facebook.IMPORTER, "friends.json"),
    ],
    ids=["linkedin", "google_csv", "vcard", "facebook"],
)
@FUZZ
@given(blob=st.binary(max_size=2000))
def test_random_bytes(importer: Importer, name: str, blob: bytes) -> None:
    check(importer, name, blob)


@FUZZ
@given(text=st.text(max_size=400))
def test_random_text_inside_a_card(text: str) -> None:
    body = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Ex\r\n" + text + "\r\nEND:VCARD\r\n"
    check(vcard.IMPORTER, "contacts.vcf", body.encode("utf-8", "surrogatepass"))
