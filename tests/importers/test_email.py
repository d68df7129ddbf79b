"""The email importer: golden files per mailbox flavour, hostile input, and the fast header
parsers checked against the standard library (``mailbox``, ``email.utils``) as the oracle."""

from __future__ import annotations

import io
import mailbox
import string
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.importers.goldens import check_golden
from weakties.domain.records import InteractionRecord, Problem, Record, Skipped
from weakties.errors import ImportFailed
from weakties.importers._mailheaders import (
    iter_mbox_blocks,
    parse_addresses,
    parse_mail_date,
    raw_fields,
)
from weakties.importers.email import IMPORTER, MASS_RECIPIENTS
from weakties.importers.files import iter_sources
from weakties.importers.registry import ImportOptions, detect

GOLDEN = Path(__file__).parent / "golden" / "email"


def run(path: Path, me: tuple[str, ...] = ()) -> list[Record]:
    return list(IMPORTER.iter_records(path, list(iter_sources(path)), ImportOptions(me=me)))


@pytest.fixture
def in_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the golden folder so that origins name files relative to it."""
    monkeypatch.chdir(GOLDEN)


@pytest.mark.usefixtures("in_golden")
@pytest.mark.parametrize(
    ("name", "me", "golden"),
    [
        ("gmail.mbox", (), "gmail.json"),  # owner from Delivered-To and Sent labels
        ("thunderbird.mbox", (), "thunderbird.json"),  # CRLF; owner by participation
        ("maildir", (), "maildir.json"),
        ("single.eml", (), "single.json"),
        ("apple", ("Tomas.Berg@example.org",), "apple.json"),  # Apple Mail .mbox bundle
    ],
)
def test_golden(name: str, me: tuple[str, ...], golden: str) -> None:
    check_golden(run(Path(name), me), GOLDEN / golden)


def test_sniff_recognises_each_flavour() -> None:
    for name in ("gmail.mbox", "thunderbird.mbox", "maildir", "single.eml", "apple"):
        path = GOLDEN / name
        assert IMPORTER.sniff(path, list(iter_sources(path))) >= 0.8, name
        assert detect(path, list(iter_sources(path))).name == "email", name
    other = GOLDEN.parent / "calendar" / "google.ics"
    assert IMPORTER.sniff(other, list(iter_sources(other))) == 0.0


def test_locators_point_at_the_separator_lines() -> None:
    data = (GOLDEN / "gmail.mbox").read_bytes()
    records = run(GOLDEN / "gmail.mbox")
    offsets = [int(r.origin.locator.rsplit(" ", 1)[1]) for r in records]
    assert len(offsets) == 13
    # the independent count: separator lines in the file (its one unquoted body "From " line
    # is followed by body text, so it is not one)
    starts = [0] + [i + 1 for i in range(len(data)) if data.startswith(b"\nFrom 1", i)]
    assert offsets == starts


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def message(
    sender: str = "Ann Example <ann@example.com>",
    to: str = "Bo Example <bo@example.org>",
    date: str = "Mon, 1 Jul 2024 10:00:00 +0000",
    extra: str = "",
    msg_id: str = "<m1@example.com>",
) -> str:
    lines = [f"From: {sender}", f"To: {to}", f"Date: {date}", f"Message-ID: {msg_id}"]
    return "\n".join(line for line in lines if not line.endswith(": ")) + extra + "\n\nbody\n"


def mbox(*messages: str) -> bytes:
    return "".join(f"From x@example.com Mon Jul  1 10:00:00 2024\n{m}\n" for m in messages).encode()


def test_me_option_decides_the_direction(tmp_path: Path) -> None:
    path = write(tmp_path, "box.mbox", mbox(message()))
    (inbound,) = run(path, me=("bo@example.org",))
    (outbound,) = run(path, me=("ann@example.com",))
    assert isinstance(inbound, InteractionRecord) and isinstance(outbound, InteractionRecord)
    assert inbound.direction == "inbound" and outbound.direction == "outbound"
    assert [ref.is_me for ref, _ in inbound.participants] == [False, True]


def test_owner_that_cannot_be_told_is_refused_with_a_hint(tmp_path: Path) -> None:
    # two people, each in every message: nothing says which one is the owner
    path = write(tmp_path, "box.mbox", mbox(message(), message(msg_id="<m2@example.com>")))
    with pytest.raises(ImportFailed) as caught:
        run(path)
    assert "--me" in str(caught.value) and "box.mbox" in str(caught.value)


def test_owner_is_the_address_in_most_messages(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "box.mbox",
        mbox(
            message(),
            message(sender="Cy <cy@example.net>", msg_id="<m2@example.com>"),
            message(sender="Bo <bo@example.org>", to="Dee <dee@example.net>", msg_id="<m3@x>"),
        ),
    )
    records = [r for r in run(path) if isinstance(r, InteractionRecord)]
    assert [r.direction for r in records] == ["inbound", "inbound", "outbound"]


def test_thread_key_is_the_root_of_references(tmp_path: Path) -> None:
    reply = message(
        msg_id="<r2@example.org>",
        extra="\nIn-Reply-To: <r1@example.com>\nReferences: <r0@example.com>\n <r1@example.com>",
    )
    only_reply_to = message(msg_id="<r3@example.org>", extra="\nIn-Reply-To: <r1@example.com>")
    path = write(tmp_path, "box.mbox", mbox(reply, only_reply_to))
    first, second = run(path, me=("bo@example.org",))
    assert isinstance(first, InteractionRecord) and isinstance(second, InteractionRecord)
    assert (first.key, first.thread_key) == ("r2@example.org", "r0@example.com")
    assert (second.key, second.thread_key) == ("r3@example.org", "r1@example.com")


def test_mass_mail_threshold(tmp_path: Path) -> None:
    def to(n: int) -> str:
        return ", ".join(f"p{i}@example.net" for i in range(n))

    path = write(
        tmp_path,
        "box.mbox",
        mbox(message(to=to(MASS_RECIPIENTS)), message(to=to(MASS_RECIPIENTS + 1))),
    )
    kept, skipped = run(path, me=("ann@example.com",))
    assert isinstance(kept, InteractionRecord) and len(kept.participants) == MASS_RECIPIENTS + 1
    assert isinstance(skipped, Skipped) and skipped.reason.startswith("mass mail")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("\nList-Id: <club.example.org>", "mailing list"),
        ("\nPrecedence: bulk", "newsletter or bulk mail"),
        ("\nAuto-Submitted: auto-replied", "automated mail"),
        ("\nX-Autoreply: yes", "automated mail"),
        ("\nAuto-Submitted: no", None),
    ],
)
def test_skip_rules(tmp_path: Path, header: str, reason: str | None) -> None:
    (record,) = run(write(tmp_path, "b.mbox", mbox(message(extra=header))), me=("bo@example.org",))
    if reason is None:
        assert isinstance(record, InteractionRecord)
    else:
        assert isinstance(record, Skipped) and record.reason == reason


@pytest.mark.parametrize(
    "sender", ["noreply@example.com", "No-Reply <no_reply@example.com>", "bounces+x@example.com"]
)
def test_no_reply_senders_are_skipped(tmp_path: Path, sender: str) -> None:
    (record,) = run(write(tmp_path, "b.mbox", mbox(message(sender=sender))), me=("bo@example.org",))
    assert isinstance(record, Skipped) and record.reason == "no-reply sender"


def test_broken_and_missing_headers_become_problems(tmp_path: Path) -> None:
    data = (
        b"From - junk\n"
        + message(date="the day after tomorrow").encode()
        + b"\nFrom - junk\n"
        + message(sender="").encode()
        + b"\nFrom - junk\n"
        + message(sender="not an address").encode()
    )
    records = run(write(tmp_path, "b.mbox", data), me=("bo@example.org",))
    assert all(isinstance(r, Problem) for r in records)
    assert [str(r).split(": ", 1)[1] for r in records] == [
        "unreadable Date 'the day after tomorrow'; message left out",
        "no From header; message left out",
        "unreadable From address; message left out",
    ]
    assert [r.origin.locator.split(",")[0] for r in records] == [
        "message 1",
        "message 2",
        "message 3",
    ]


def test_huge_header_is_refused_and_the_next_message_still_read(tmp_path: Path) -> None:
    huge = message(extra="\nX-Junk: " + "a" * 300_000)
    path = write(tmp_path, "b.mbox", mbox(huge, message(msg_id="<after@example.com>")))
    first, second = run(path, me=("bo@example.org",))
    assert isinstance(first, Problem) and "larger than 256 KB" in first.message
    assert isinstance(second, InteractionRecord) and second.key == "after@example.com"


def test_truncated_mbox_keeps_what_is_there(tmp_path: Path) -> None:
    data = mbox(message(), message(msg_id="<m2@example.com>"))
    cut = data[: data.rindex(b"Message-ID")]  # the second message loses its id and body
    records = run(write(tmp_path, "b.mbox", cut), me=("bo@example.org",))
    assert [type(r) for r in records] == [InteractionRecord, InteractionRecord]
    assert isinstance(records[1], InteractionRecord) and records[1].key.startswith("sha1:")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        b"name,email\nAnn,ann@example.com\n",
        b"",
    ],
)
def test_a_file_that_is_not_mail_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ImportFailed) as caught:
        run(write(tmp_path, "inbox.mbox", data))
    assert "inbox.mbox" in str(caught.value)


def test_rfc2047_names_are_decoded(tmp_path: Path) -> None:
    names = [
        "=?utf-8?q?Zo=C3=AB_Kaplan?= <zoe@example.net>",
        "=?iso-8859-1?b?SvxyZ2Vu?= Smith <js@example.net>",
        '"=?utf-8?b?w4VzYQ==?=" <asa@example.net>',
        "=?bogus-charset?q?Raw?= <raw@example.net>",
    ]
    records = run(write(tmp_path, "b.mbox", mbox(message(to=", ".join(names)))), me=("ann@x.com",))
    (record,) = records
    assert isinstance(record, InteractionRecord)
    shown = [ref.name for ref, _ in record.participants[1:]]
    assert shown == ["Zoë Kaplan", "Jürgen Smith", "Åsa", "=?bogus-charset?q?Raw?="]


# --- the fast parsers against the standard library --------------------------------------

_atom = st.text(string.ascii_letters + string.digits, min_size=1, max_size=8)
_address = st.builds(lambda a, b: f"{a}@{b}.example.com", _atom, _atom)
_name = st.lists(_atom, min_size=1, max_size=3).map(" ".join)
_mailbox = st.one_of(
    _address,
    st.builds(lambda n, a: f"{n} <{a}>", _name, _address),
    st.builds(lambda n, a: f'"{n}" <{a}>', _name.map(lambda s: s.replace(" ", ", ", 1)), _address),
    st.builds(lambda n, a: f"{a} ({n})", _name, _address),
)


@given(st.lists(_mailbox, min_size=1, max_size=6))
def test_parse_addresses_agrees_with_getaddresses(boxes: list[str]) -> None:
    value = ", ".join(boxes)
    expected = [(" ".join(n.split()), a) for n, a in getaddresses([value])]
    assert parse_addresses(value) == expected


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2090, 1, 1)),
    st.integers(-12 * 60, 14 * 60),
    st.booleans(),
)
def test_parse_mail_date_agrees_with_parsedate(
    moment: datetime, minutes: int, weekday: bool
) -> None:
    zone = timezone(timedelta(minutes=minutes))
    text = format_datetime(moment.replace(microsecond=0, tzinfo=zone))
    if not weekday:
        text = text.split(", ", 1)[1]
    expected = parsedate_to_datetime(text).astimezone(UTC)
    assert parse_mail_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Fri, 2 Feb 24 08:00 +0000", "2 Feb 2024 08:00:00 GMT", "Fri, 02 Feb 2024 08:00:00 EST"],
)
def test_parse_mail_date_odd_forms(text: str) -> None:
    assert parse_mail_date(text) == parsedate_to_datetime(text).astimezone(UTC)


_line = st.text(string.ascii_letters + " .,>!", max_size=30)
_body = st.lists(
    st.one_of(_line, _line.map(lambda s: ">From " + s), _line.map(lambda s: "From" + s)),
    max_size=8,
)


def _mbox_of(bodies: list[list[str]]) -> bytes:
    out = []
    for i, body in enumerate(bodies):
        lines = "\n".join(line for line in body if not line.startswith("From "))
        out.append(
            f"From sender{i}@example.com Mon Jul  1 10:00:00 2024\n"
            f"From: S{i} <s{i}@example.com>\nMessage-ID: <{i}@example.com>\n\n{lines}\n\n"
        )
    return "".join(out).encode()


def _ids(blocks: Iterator[object]) -> list[bytes]:
    found = []
    for block in blocks:
        header = getattr(block, "header", None)
        assert header is not None
        found.append(raw_fields(header)[b"message-id"])
    return found


@settings(max_examples=60)
@given(st.lists(_body, min_size=1, max_size=6), st.integers(1, 64))
def test_mbox_split_agrees_with_mailbox_and_any_chunk_size(
    bodies: list[list[str]], chunk: int
) -> None:
    data = _mbox_of(bodies)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.mbox"
        path.write_bytes(data)
        expected = [m["Message-ID"].encode() for m in mailbox.mbox(path, create=False)]
    assert _ids(iter_mbox_blocks(io.BytesIO(data))) == expected
    assert _ids(iter_mbox_blocks(io.BytesIO(data), chunk=chunk)) == expected


def test_unquoted_from_line_in_a_body_does_not_split(tmp_path: Path) -> None:
    body = "\n\nFrom the team: hello\nmore text\n"
    data = mbox(message() + body, message(msg_id="<m2@example.com>"))
    records = run(write(tmp_path, "b.mbox", data), me=("bo@example.org",))
    assert [r.key for r in records if isinstance(r, InteractionRecord)] == [
        "m1@example.com",
        "m2@example.com",
    ]
