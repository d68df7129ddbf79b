"""Fast, header-only reading of mail files: mbox splitting, header fields, addresses and dates.

Python's ``mailbox`` + ``email`` parse every body and build a full message object; an mbox of
personal mail is mostly bodies and attachments, so that spends nearly all its time on bytes we
never keep. Here the stream is split on ``From `` separator lines with ``bytes.find`` (C speed),
only the header block up to the first blank line is looked at, and only the fields the email
importer needs are decoded. The common address and date forms are parsed by hand; anything
unusual falls back to ``email.utils``, whose results the tests use as the oracle.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.errors import MessageError
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_tz
from typing import BinaryIO

MAX_HEADER_BYTES = 256 * 1024  # one message's header block; beyond it the message is refused
CHUNK_BYTES = 1024 * 1024  # small enough to stay in cache while it is searched

WANTED_FIELDS = (
    "from",
    "to",
    "cc",
    "bcc",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "list-id",
    "list-unsubscribe",
    "precedence",
    "auto-submitted",
    "x-autoreply",
    "x-autorespond",
    "x-gmail-labels",
    "delivered-to",
    "x-original-to",
)
# Only these field names are matched, so a 40-line header with Received/DKIM chains costs one
# ``findall`` in C instead of a Python loop over every line.
_FIELD = re.compile(
    rb"\n(" + b"|".join(f.encode() for f in WANTED_FIELDS) + rb")[ \t]*:[ \t]*"
    rb"([^\n]*(?:\n[ \t][^\n]*)*)",
    re.IGNORECASE,
)
_FOLD = re.compile(rb"\r?\n")
HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")  # a field name (RFC 5322 ftext) and a colon
_REPEATABLE = frozenset({b"to", b"cc", b"bcc", b"delivered-to", b"x-original-to"})


@dataclass(frozen=True, slots=True)
class MailBlock:
    """One message's header block as found in a file; the body is never read."""

    number: int  # 1-based position of the message in its file
    offset: int  # byte offset of the message (its mbox ``From `` line) in the file
    envelope: bytes  # the mbox ``From `` line, or b"" for a single message
    header: bytes | None  # None: the header block is larger than MAX_HEADER_BYTES


def first_content(data: bytes) -> int:
    """Offset of the first byte after a UTF-8 BOM and leading blank lines."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while start < len(data) and data[start] in b"\r\n":
        start += 1
    return start


def looks_like_mbox(head: bytes) -> bool:
    """Whether the first bytes of a file are an mbox ``From `` separator line."""
    return head[first_content(head) :].startswith(b"From ")


_MESSAGE_FIELDS = (b"\nfrom:", b"\ndate:", b"\nmessage-id:", b"\nreceived:", b"\nreturn-path:")


def looks_like_message(head: bytes) -> bool:
    """Whether the first bytes of a file are the header of one message (``.eml``, maildir).

    A header line alone is not enough: vCards and calendars start with ``BEGIN:`` lines.
    """
    start = first_content(head)
    if HEADER_LINE.match(head, start) is None or b"\x00" in head:
        return False
    lowered = b"\n" + head[start:].lower()
    return any(field in lowered for field in _MESSAGE_FIELDS)


_MAX_ENVELOPE = 4096  # a longer ``From `` line is body text, not a separator


_SEPARATOR = re.compile(rb"\nFrom ")  # a regex finds it about twice as fast as bytes.find


def header_end(head: bytes) -> bytes:
    """The blank line that ends a header block in this file, decided by its first line end
    (``\n\r\n`` for CRLF files); b"" when the first bytes hold no line end."""
    start = first_content(head)
    eol = head.find(b"\n", start, start + _MAX_ENVELOPE)
    if eol <= 0:
        return b""
    return b"\n\r\n" if head[eol - 1] == 13 else b"\n\n"


def is_separator_at(data: bytes, at: int) -> bool:
    """Whether the ``From `` line starting at ``at`` separates messages: its next line, whole
    in ``data``, is a header field (the rule :func:`iter_mbox_blocks` follows)."""
    field_at = data.find(b"\n", at, at + _MAX_ENVELOPE)
    return field_at >= 0 and HEADER_LINE.match(data, field_at + 1) is not None


def iter_mbox_blocks(
    raw: BinaryIO, chunk: int = CHUNK_BYTES, *, base: int = 0, blank: bytes = b""
) -> Iterator[MailBlock]:
    """Split an mbox stream into header blocks in bounded memory.

    A ``From `` line only separates messages when the next line is a header field: bodies of
    mboxes written without ``>From`` quoting then stay whole where ``mailbox.mbox`` would cut
    them. The caller has checked that the stream starts with a separator. Memory holds one
    chunk plus at most one header block, whatever the file size.

    ``base`` is the file offset of the stream's first byte and ``blank`` the file's
    :func:`header_end`, for a stream that starts at a separator in the middle of a file (the
    parallel reader of :mod:`weakties.importers.email`); numbers then count from that point.
    """
    buf = raw.read(chunk)
    eof = not buf
    pos = first_content(buf) if base == 0 else 0
    number = 0
    while pos < len(buf):
        eol = buf.find(b"\n", pos, pos + _MAX_ENVELOPE)
        if not blank and eol > 0:
            blank = b"\n\r\n" if buf[eol - 1] == 13 else b"\n\n"
        end = buf.find(blank, eol, eol + MAX_HEADER_BYTES) if eol >= 0 and blank else -1
        if end < 0 and not eof and len(buf) - pos < MAX_HEADER_BYTES + 2 * _MAX_ENVELOPE:
            more = raw.read(chunk)
            eof = not more
            base += pos
            buf = buf[pos:] + more
            pos = 0
            continue
        number += 1
        if eol < 0:  # no line end: junk, or a file cut inside its separator line
            yield MailBlock(number, base + pos, buf[pos : pos + 200], None if not eof else b"")
            search = pos + 1
        elif end >= 0:
            yield MailBlock(number, base + pos, buf[pos:eol].rstrip(b"\r"), buf[eol + 1 : end + 1])
            search = end
        elif eof and len(buf) - eol <= MAX_HEADER_BYTES:  # a file cut inside the headers
            yield MailBlock(number, base + pos, buf[pos:eol].rstrip(b"\r"), buf[eol + 1 :])
            return
        else:
            yield MailBlock(number, base + pos, buf[pos:eol].rstrip(b"\r"), None)
            search = eol
        while True:  # skip the body: find the next separator
            found = _SEPARATOR.search(buf, search)
            nxt = found.start() if found is not None else -1
            if nxt >= 0:
                field_at = buf.find(b"\n", nxt + 1, nxt + 1 + _MAX_ENVELOPE)
                if not eof and (
                    (field_at < 0 and len(buf) - nxt <= _MAX_ENVELOPE + 1)
                    or (field_at >= 0 and len(buf) - field_at < 1024)
                ):
                    keep = nxt  # the separator's next line is not all here yet: read on
                elif field_at >= 0 and HEADER_LINE.match(buf, field_at + 1):
                    break
                else:
                    search = nxt + 1
                    continue
            elif eof:
                return
            else:
                keep = max(search, len(buf) - 5)
            more = raw.read(chunk)
            eof = not more
            base += keep
            buf = buf[keep:] + more
            search = 0
        pos = nxt + 1


def read_single_block(raw: BinaryIO) -> MailBlock:
    """The header block of a file holding one message (``.eml``, a maildir entry)."""
    data = raw.read(MAX_HEADER_BYTES + 4)
    start = first_content(data)
    ends = [e for e in (data.find(b"\n\n", start), data.find(b"\n\r\n", start)) if e >= 0]
    if ends:
        return MailBlock(1, 0, b"", data[start : min(ends) + 1])
    if len(data) > MAX_HEADER_BYTES:
        return MailBlock(1, 0, b"", None)
    return MailBlock(1, 0, b"", data[start:])


def text(value: bytes) -> str:
    """Header bytes as text: unfolded, UTF-8 (what modern mailers send raw), stripped."""
    if b"\n" in value:
        value = _FOLD.sub(b"", value)
    try:
        return value.decode("ascii").strip()
    except UnicodeDecodeError:
        return value.decode("utf-8", "replace").strip()


def raw_fields(header: bytes) -> dict[bytes, bytes]:
    """The wanted fields of a header block: lower-case name → raw value, still folded.

    The first occurrence of a field wins, except that address and ``Delivered-To`` fields that
    appear several times are joined with commas, which is how broken mailers that repeat
    ``To:`` mean them.
    """
    fields: dict[bytes, bytes] = {}
    for name, value in _FIELD.findall(b"\n" + header):
        name = name.lower()
        if name not in fields:
            fields[name] = value
        elif name in _REPEATABLE and value.strip():
            fields[name] = fields[name] + b", " + value if fields[name].strip() else value
    return fields


def header_fields(header: bytes) -> dict[str, str]:
    """:func:`raw_fields` decoded: lower-case name → unfolded text."""
    return {name.decode("ascii"): text(value) for name, value in raw_fields(header).items()}


_MAILBOX = re.compile(
    r"""[\s,]*(?:
        "(?P<q>(?:[^"\\]|\\.)*)"[ \t]*<(?P<qa>[^<>"\\]*)>
      | (?P<n>[^",<>\\]*?)[ \t]*<(?P<na>[^<>"\\]*)>
      | (?P<b>[^\s",<>\\]+)
    )[ \t]*(?=,|$)""",
    re.VERBOSE,
)
_QUOTED_PAIR = re.compile(r"\\(.)")
_UNSIMPLE = re.compile(r"[()\\;:\[\]]")


def parse_addresses(value: str) -> list[tuple[str, str]]:
    """``(display name, address)`` pairs of an address-list field, in order.

    The usual forms (``Name <a@b>``, ``"Last, First" <a@b>``, bare ``a@b``) are read by one
    regex; comments, groups, quoted pairs and anything the regex does not cover in full go
    through ``email.utils.getaddresses``. Names have their white space collapsed.
    """
    if not value:
        return []
    if '"' not in value and _UNSIMPLE.search(value) is None:
        simple = _split_simple(value)
        if simple is not None:
            return simple
    if _UNSIMPLE.search(value) is None:
        found: list[tuple[str, str]] = []
        pos, end = 0, len(value)
        while pos < end:
            match = _MAILBOX.match(value, pos)
            if match is None:
                rest = value[pos:].strip(" \t,")
                if rest:
                    break  # not the simple grammar: let the standard library decide
                return found
            q, qa, n, na, b = match.group("q", "qa", "n", "na", "b")
            if b is not None:
                found.append(("", b))
            elif qa is not None:
                found.append((" ".join(q.split()), qa.strip()))
            else:
                found.append((" ".join(n.split()), na.strip()))
            pos = match.end()
        else:
            return found
    pairs = getaddresses([value])
    return [(" ".join(_QUOTED_PAIR.sub(r"\1", n).split()), a) for n, a in pairs if a or n]


def _split_simple(value: str) -> list[tuple[str, str]] | None:
    """The commonest form, ``Name <a@b>, c@d`` without quotes: plain string splitting."""
    found: list[tuple[str, str]] = []
    for part in value.split(","):
        if "<" in part:
            name, _, rest = part.partition("<")
            address, close, tail = rest.partition(">")
            if not close or tail.strip() or "<" in rest or not address.strip():
                return None
            found.append((" ".join(name.split()), address.strip()))
        else:
            address = part.strip()
            if not address:
                continue
            if ">" in address or " " in address or "\t" in address:
                return None
            found.append(("", address))
    return found


def decode_words(name: str) -> str:
    """Decode RFC 2047 encoded words (``=?utf-8?q?J=C3=BCrgen?=``); broken ones stay as written."""
    if "=?" not in name:
        return name
    try:
        return " ".join(str(make_header(decode_header(name))).split())
    except (LookupError, ValueError, UnicodeError, MessageError):
        return name


_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_DATE = re.compile(
    r"(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})\s+"
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|UT|UTC|GMT|Z)?(?:\s*\(.*\))?\s*"
)
_OFFSETS: dict[str, timedelta] = {}


def parse_mail_date(value: str) -> datetime | None:
    """An RFC 5322 date as an aware UTC datetime, or None when it cannot be read.

    The regular form is read by hand (it is most of the per-message cost otherwise);
    obsolete and odd forms go through ``email.utils.parsedate_tz``. A date without a zone is
    taken as UTC, as RFC 5322 says of ``-0000``.
    """
    match = _DATE.fullmatch(value)
    if match is not None:
        day, mon, year, hour, minute, second, zone = match.groups()
        month = _MONTHS.get(mon.lower())
        if month is not None:
            zone = zone or "UTC"
            offset = _OFFSETS.get(zone)
            if offset is None:
                offset = timedelta(0)
                if zone[0] in "+-":
                    sign = -1 if zone[0] == "-" else 1
                    offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
                _OFFSETS[zone] = offset
            try:
                local = datetime(
                    int(year), month, int(day), int(hour), int(minute), int(second or 0), tzinfo=UTC
                )
                return local - offset
            except (ValueError, OverflowError):
                return None
    return _parse_date_slow(value)


def _parse_date_slow(value: str) -> datetime | None:
    try:
        parts = parsedate_tz(value)
    except (ValueError, IndexError, TypeError):
        return None
    if parts is None:
        return None
    year, month, day, hour, minute, second = parts[:6]
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        return local - timedelta(seconds=parts[9] or 0)
    except (ValueError, OverflowError):
        return None


def envelope_date(envelope: bytes) -> datetime | None:
    """The date on an mbox ``From sender date`` line (asctime, sometimes with a zone)."""
    _, _, rest = text(envelope).partition(" ")
    _, _, when = rest.strip().partition(" ")
    return _parse_date_slow(when.strip()) if when.strip() else None


_MSG_ID = re.compile(r"<([^<>\s]+)>")


def message_ids(value: str) -> list[str]:
    """The message ids of a ``References`` or ``In-Reply-To`` field, without angle brackets."""
    found = _MSG_ID.findall(value)
    if found:
        return found
    bare = value.strip().strip("<>").split()
    return bare[:1]
