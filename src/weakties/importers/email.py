"""Email exports (mbox, ``.eml``, maildir) → one interaction per personal message, headers only.

Reads Gmail Takeout, Thunderbird and Apple Mail mboxes, single ``.eml`` files and maildir
folders. Only From/To/Cc/Bcc, Date, Message-ID, In-Reply-To, References and the headers that
mark list, bulk and automated mail are read; bodies and subjects are never parsed or kept.
Mailing lists, newsletters, automated and no-reply mail, drafts, spam and mass mail (more than
20 recipients) are skipped and counted by reason: they say nothing about a relationship.

The owner's addresses are ``options.me``; else the ``Delivered-To``/``X-Original-To``
addresses and the senders of Gmail's "Sent" messages in the first 2,000 messages; else the
address that takes part in the most of those messages (in a personal mailbox the owner is in
nearly all of them; a tie is refused with a hint to pass ``--me``).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from weakties.domain.identities import Identity, IdentityKind, normalize_email
from weakties.domain.ledger import Channel, Direction, Role
from weakties.domain.records import InteractionRecord, Origin, PersonRef, Problem, Record, Skipped
from weakties.errors import ImportFailed, InvalidInput
from weakties.importers._mailheaders import (
    MailBlock,
    decode_words,
    envelope_date,
    iter_mbox_blocks,
    looks_like_mbox,
    looks_like_message,
    message_ids,
    parse_addresses,
    parse_mail_date,
    raw_fields,
    read_single_block,
    text,
)
from weakties.importers.files import Source
from weakties.importers.registry import ImportOptions

MASS_RECIPIENTS = 20  # more recipients than this: an announcement, not a conversation
OWNER_SAMPLE = 2000  # messages read to find the owner when --me is not given
_CACHE_LIMIT = 50_000  # entries per cache: keeps memory bounded (well under 100 MB in all)

SKIP_SPAM = "spam"
SKIP_DRAFT = "draft"
SKIP_LIST = "mailing list"
SKIP_NEWSLETTER = "newsletter or bulk mail"
SKIP_AUTOMATED = "automated mail"
SKIP_NOREPLY = "no-reply sender"
SKIP_MASS = f"mass mail (more than {MASS_RECIPIENTS} recipients)"
SKIP_NOT_EMAIL = "not an email file"

_NOREPLY = re.compile(
    r"(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?"
    r"|notifications?)(?:[-+_.].*)?@",
    re.IGNORECASE,
)
_MAIL_SUFFIXES = (".mbox", ".mbx", ".eml")
_MBOX_START = re.compile(rb"\A(?:\xef\xbb\xbf)?[\r\n]*From [^\n]*\n[!-9;-~]+[ \t]*:")


_SKIP_FIELDS = frozenset(
    {
        b"list-id",
        b"list-unsubscribe",
        b"precedence",
        b"auto-submitted",
        b"x-autoreply",
        b"x-autorespond",
    }
)
_Mailbox = tuple[str, PersonRef]  # normalised address, and the person it names


def labels(value: bytes | None) -> frozenset[str]:
    """Gmail's labels of a message (``X-Gmail-Labels``), lower-case."""
    if not value:
        return frozenset()
    return frozenset(label.strip().lower() for label in text(value).split(","))


def skip_reason(
    fields: dict[bytes, bytes], tags: frozenset[str], recipients: int, sender: str | None
) -> str | None:
    """Why a message says nothing about a relationship, or None to keep it."""
    if tags:
        if "spam" in tags:
            return SKIP_SPAM
        if "draft" in tags or "drafts" in tags:
            return SKIP_DRAFT
    if not _SKIP_FIELDS.isdisjoint(fields):
        precedence = text(fields.get(b"precedence", b"")).lower()
        if text(fields.get(b"list-id", b"")) or precedence == "list":
            return SKIP_LIST
        if text(fields.get(b"list-unsubscribe", b"")) or precedence == "bulk":
            return SKIP_NEWSLETTER
        auto = text(fields.get(b"auto-submitted", b"no")).lower()
        if (auto and auto != "no") or precedence in ("junk", "auto_reply"):
            return SKIP_AUTOMATED
        if b"x-autoreply" in fields or b"x-autorespond" in fields:
            return SKIP_AUTOMATED
    if sender is not None and _NOREPLY.match(sender):
        return SKIP_NOREPLY
    if recipients > MASS_RECIPIENTS:
        return SKIP_MASS
    return None


def _make_room(cache: dict[Any, Any]) -> None:
    """Forget the older half of a full cache (dicts keep insertion order): bounded memory
    without the miss storm that clearing everything at once would cause."""
    if len(cache) >= _CACHE_LIMIT:
        for key in list(islice(cache, _CACHE_LIMIT // 2)):
            del cache[key]


class _Addresses:
    """Address fields parsed to (normalised address, display name), cached by their raw bytes.

    The same From and To lines come back thousands of times in a mailbox, and parsing them is
    most of the cost of a message. Independent of the owner, so the owner sample pass and the
    main pass share it. Bounded: cleared when full.
    """

    def __init__(self) -> None:
        self._fields: dict[bytes, tuple[tuple[str, str | None], ...]] = {}
        self._pairs: dict[tuple[str, str], tuple[str, str | None] | None] = {}

    def _pair(self, name: str, raw: str) -> tuple[str, str | None] | None:
        try:
            address = normalize_email(raw)
        except InvalidInput:
            return None  # groups ("undisclosed-recipients:;") and junk name no one
        if name:
            name = decode_words(name).strip("'\" ")
        return address, (name if name and name.lower() != address else None)

    def parse(self, value: bytes | None) -> tuple[tuple[str, str | None], ...]:
        if not value:
            return ()
        found = self._fields.get(value)
        if found is not None:
            return found
        pairs: list[tuple[str, str | None]] = []
        for pair in parse_addresses(text(value)):
            if pair in self._pairs:
                parsed = self._pairs[pair]
            else:
                parsed = self._pair(*pair) if pair[1] else None
                _make_room(self._pairs)
                self._pairs[pair] = parsed
            if parsed:
                pairs.append(parsed)
        found = tuple(pairs)
        _make_room(self._fields)
        self._fields[value] = found
        return found


_FIRST_ID = re.compile(rb"<([^<>\s]+)>")


def _first_id(value: bytes | None) -> str | None:
    """The first message id of a Message-ID/References/In-Reply-To field, without brackets."""
    if not value:
        return None
    match = _FIRST_ID.search(value)
    if match is not None:
        return text(match.group(1))
    found = message_ids(text(value))  # an id without angle brackets, as broken mailers write
    return found[0] if found else None


class _Reader:
    """Turns header blocks into records for one owner; keeps bounded caches of people."""

    def __init__(self, owners: frozenset[str], addresses: _Addresses | None = None) -> None:
        self.owners = owners
        self.addresses = addresses or _Addresses()
        self._fields: dict[bytes, tuple[_Mailbox, ...]] = {}
        self._boxes: dict[tuple[str, str | None], _Mailbox] = {}
        self._labels: dict[bytes, frozenset[str]] = {}
        self._noreply: dict[str, bool] = {}

    def labels(self, value: bytes | None) -> frozenset[str]:
        if not value:
            return frozenset()
        found = self._labels.get(value)
        if found is None:
            _make_room(self._labels)
            found = self._labels[value] = labels(value)
        return found

    def mailboxes(self, value: bytes | None) -> tuple[_Mailbox, ...]:
        """The valid addresses of an address field, in order, each with its person."""
        if not value:
            return ()
        found = self._fields.get(value)
        if found is not None:
            return found
        boxes = []
        for pair in self.addresses.parse(value):
            box = self._boxes.get(pair)
            if box is None:
                address, name = pair
                identity = (Identity(IdentityKind.EMAIL, address),)
                if address in self.owners:
                    ref = PersonRef(key="me", identities=identity, is_me=True)
                else:
                    ref = PersonRef(name=name, identities=identity)
                box = (address, ref)
                _make_room(self._boxes)
                self._boxes[pair] = box
            boxes.append(box)
        found = tuple(boxes)
        _make_room(self._fields)
        self._fields[value] = found
        return found

    def _is_noreply(self, sender: str) -> bool:
        found = self._noreply.get(sender)
        if found is None:
            _make_room(self._noreply)
            found = self._noreply[sender] = _NOREPLY.match(sender) is not None
        return found

    def record(self, block: MailBlock, origin: Origin) -> Record:
        if block.header is None:
            return Problem(origin, "header block is larger than 256 KB; message left out")
        fields = raw_fields(block.header)
        get = fields.get
        senders = self.mailboxes(get(b"from"))
        if not senders:
            why = "unreadable From address" if get(b"from", b"").strip() else "no From header"
            return Problem(origin, f"{why}; message left out")
        sender = senders[0][0]
        to, cc = self.mailboxes(get(b"to")), self.mailboxes(get(b"cc"))
        bcc = self.mailboxes(get(b"bcc")) if b"bcc" in fields else ()
        tags = self.labels(get(b"x-gmail-labels"))
        count = len(to) + len(cc) + len(bcc)
        if (
            tags
            or count > MASS_RECIPIENTS
            or not _SKIP_FIELDS.isdisjoint(fields)
            or self._is_noreply(sender)
        ):
            reason = skip_reason(fields, tags, count, sender)
            if reason is not None:
                return Skipped(origin, reason)
        date = get(b"date")
        when = parse_mail_date(text(date)) if date else None
        if when is None and block.envelope:
            when = envelope_date(block.envelope)
        if when is None:
            shown = text(date)[:60] if date else ""
            why = f"unreadable Date {shown!r}" if shown else "no Date header"
            return Problem(origin, f"{why}; message left out")
        participants = [(senders[0][1], Role.FROM)]
        if len(to) == 1 and not cc and not bcc:  # the commonest case, one recipient
            if to[0][0] != sender:
                participants.append((to[0][1], Role.TO))
        else:
            seen = {sender}
            for boxes, role in ((to, Role.TO), (cc, Role.CC), (bcc, Role.CC)):
                for address, ref in boxes:
                    if address not in seen:
                        seen.add(address)
                        participants.append((ref, role))
        key = _first_id(get(b"message-id")) or (
            "sha1:" + hashlib.sha1(block.header).hexdigest()[:24]
        )
        thread = key
        if b"references" in fields or b"in-reply-to" in fields:
            thread = _first_id(get(b"references")) or _first_id(get(b"in-reply-to")) or key
        return InteractionRecord(
            key=key,
            origin=origin,
            occurred_at=when,
            channel=Channel.MESSAGE if "chat" in tags else Channel.EMAIL,
            participants=tuple(participants),
            direction=Direction.OUTBOUND if sender in self.owners else Direction.INBOUND,
            thread_key=thread,
        )


def _kind(source: Source) -> str:
    """ "mbox", "message" or "other", from the first bytes of the file."""
    try:
        with source.open_bytes() as handle:
            head = handle.read(4096)
    except ImportFailed:
        raise
    except (OSError, ValueError) as exc:
        raise ImportFailed(f"cannot read: {exc}", location=source.name) from None
    if looks_like_mbox(head):
        return "mbox"
    if looks_like_message(head):
        return "message"
    return "other"


def _iter_blocks(source: Source, kind: str) -> Iterator[tuple[MailBlock, Origin]]:
    with source.open_bytes() as handle:
        if kind == "mbox":
            for block in iter_mbox_blocks(handle):  # type: ignore[arg-type]
                where = f"message {block.number}, byte {block.offset}"
                yield block, Origin(source.name, where)
        else:
            yield read_single_block(handle), Origin(source.name, "message 1")  # type: ignore[arg-type]


def _owner_from(blocks: Iterable[MailBlock], addresses: _Addresses) -> frozenset[str]:
    delivered: set[str] = set()
    participation: Counter[str] = Counter()
    sent_from: set[str] = set()
    for block in blocks:
        if block.header is None:
            continue
        fields = raw_fields(block.header)
        for field in (b"delivered-to", b"x-original-to"):
            delivered.update(a for a, _ in addresses.parse(fields.get(field)))
        senders = addresses.parse(fields.get(b"from"))
        everyone = {a for f in (b"from", b"to", b"cc") for a, _ in addresses.parse(fields.get(f))}
        tags = labels(fields.get(b"x-gmail-labels"))
        if skip_reason(fields, tags, len(everyone) - 1, senders[0][0] if senders else None):
            continue
        if senders and "sent" in tags:
            sent_from.add(senders[0][0])
        participation.update(everyone)
    if delivered or sent_from:
        return frozenset(delivered | sent_from)
    ranked = participation.most_common(2)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return frozenset({ranked[0][0]})
    return frozenset()


def _sample(sources: list[tuple[Source, str]]) -> Iterator[MailBlock]:
    count = 0
    for source, kind in sources:
        for block, _ in _iter_blocks(source, kind):
            yield block
            count += 1
            if count >= OWNER_SAMPLE:
                return


class EmailImporter:
    """The email importer (mbox, .eml, maildir)."""

    name = "email"
    title = "Email (mbox, .eml, maildir)"
    reads = "mbox (Gmail Takeout, Thunderbird, Apple Mail), .eml, maildir: headers of personal mail"

    def sniff(self, path: Path, sources: list[Source]) -> float:
        if path.is_dir() and any((path / sub).is_dir() for sub in ("cur", "new")):
            return 0.9
        for source in sources[:20]:
            try:
                with source.open_bytes() as handle:
                    head = handle.read(4096)
            except (ImportFailed, OSError, KeyError, ValueError):
                continue
            if looks_like_mbox(head) and _MBOX_START.search(head):
                return 0.9
            if looks_like_message(head):
                return 0.8
        if any(s.basename.lower().endswith(_MAIL_SUFFIXES) for s in sources[:1000]):
            return 0.3
        return 0.0

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]:
        mail: list[tuple[Source, str]] = []
        others: list[Source] = []
        for source in sources:
            kind = _kind(source)
            if kind == "other":
                others.append(source)
            else:
                mail.append((source, kind))
        if not mail:
            where = sources[0].name if len(sources) == 1 else str(path)
            raise ImportFailed(
                "not an email file (no mbox 'From ' line and no message headers)", location=where
            )
        addresses = _Addresses()
        reader = _Reader(_owners(options, mail, addresses), addresses)
        for source in others:
            yield Skipped(Origin(source.name, "file"), SKIP_NOT_EMAIL)
        for source, kind in mail:
            for block, origin in _iter_blocks(source, kind):
                yield reader.record(block, origin)


def _owners(
    options: ImportOptions, mail: list[tuple[Source, str]], addresses: _Addresses
) -> frozenset[str]:
    if options.me:
        found = set()
        for raw in options.me:
            try:
                found.add(normalize_email(raw))
            except InvalidInput:
                continue  # --me may also carry names for the chat importers
        if found:
            return frozenset(found)
    owners = _owner_from(_sample(mail), addresses)
    if not owners:
        raise ImportFailed(
            "cannot tell which address is yours",
            location=mail[0][0].name,
            hint="pass --me you@example.com",
        )
    return owners


IMPORTER = EmailImporter()
