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

import contextlib
import hashlib
import os
import pickle
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from weakties.domain.identities import Identity, IdentityKind, normalize_email
from weakties.domain.ledger import MAX_CONVERSATION, Channel, Direction, Role
from weakties.domain.records import InteractionRecord, Origin, PersonRef, Problem, Record, Skipped
from weakties.errors import ImportFailed, InvalidInput
from weakties.importers._mailheaders import (
    MAX_HEADER_BYTES,
    MailBlock,
    decode_words,
    envelope_date,
    first_content,
    header_end,
    is_separator_at,
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

MASS_RECIPIENTS = MAX_CONVERSATION
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


# What one message comes to, as plain tuples: they cross the process boundary of the parallel
# reader in a few microseconds, where pickling the records themselves costs about 25.
#   ("m", key, when, is_chat, outbound, ((address, name, role), ...), thread)  an interaction
#   ("s", reason)                                                              skipped
#   ("p", message)                                                             a problem
_Facts = tuple[Any, ...]
_ROLES = {role.value: role for role in Role}
_FROM, _TO, _CC = Role.FROM.value, Role.TO.value, Role.CC.value


class _Reader:
    """Turns header blocks into records for one owner; keeps bounded caches of people.

    :meth:`facts` is the work (fields, addresses, dates, skip rules) and can run in a worker
    process; :meth:`to_record` builds the record from them, reusing one :class:`PersonRef`
    per correspondent, which the ingest relies on to resolve each person once.
    """

    def __init__(self, owners: frozenset[str], addresses: _Addresses | None = None) -> None:
        self.owners = owners
        self.addresses = addresses or _Addresses()
        self._refs: dict[tuple[str, str | None], PersonRef] = {}
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

    def _is_noreply(self, sender: str) -> bool:
        found = self._noreply.get(sender)
        if found is None:
            _make_room(self._noreply)
            found = self._noreply[sender] = _NOREPLY.match(sender) is not None
        return found

    def facts(self, block: MailBlock) -> _Facts:
        """What a message says, as plain tuples (see ``_Facts``)."""
        if block.header is None:
            return ("p", "header block is larger than 256 KB; message left out")
        fields = raw_fields(block.header)
        get = fields.get
        parse = self.addresses.parse
        senders = parse(get(b"from"))
        if not senders:
            why = "unreadable From address" if get(b"from", b"").strip() else "no From header"
            return ("p", f"{why}; message left out")
        sender = senders[0][0]
        to, cc = parse(get(b"to")), parse(get(b"cc"))
        bcc = parse(get(b"bcc")) if b"bcc" in fields else ()
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
                return ("s", reason)
        date = get(b"date")
        when = parse_mail_date(text(date)) if date else None
        if when is None and block.envelope:
            when = envelope_date(block.envelope)
        if when is None:
            shown = text(date)[:60] if date else ""
            why = f"unreadable Date {shown!r}" if shown else "no Date header"
            return ("p", f"{why}; message left out")
        participants = [(sender, senders[0][1], _FROM)]
        if len(to) == 1 and not cc and not bcc:  # the commonest case, one recipient
            if to[0][0] != sender:
                participants.append((to[0][0], to[0][1], _TO))
        else:
            seen = {sender}
            for pairs, role in ((to, _TO), (cc, _CC), (bcc, _CC)):
                for address, name in pairs:
                    if address not in seen:
                        seen.add(address)
                        participants.append((address, name, role))
        key = _first_id(get(b"message-id")) or (
            "sha1:" + hashlib.sha1(block.header).hexdigest()[:24]
        )
        thread = key
        if b"references" in fields or b"in-reply-to" in fields:
            thread = _first_id(get(b"references")) or _first_id(get(b"in-reply-to")) or key
        return ("m", key, when, "chat" in tags, sender in self.owners, tuple(participants), thread)

    def _ref(self, address: str, name: str | None) -> PersonRef:
        identity = (Identity(IdentityKind.EMAIL, address),)
        if address in self.owners:
            ref = PersonRef(key="me", identities=identity, is_me=True)
        else:
            ref = PersonRef(name=name, identities=identity)
        _make_room(self._refs)
        self._refs[(address, name)] = ref
        return ref

    def to_record(self, facts: _Facts, origin: Origin) -> Record:
        """The record that :meth:`facts` describe."""
        if facts[0] == "s":
            return Skipped(origin, facts[1])
        if facts[0] == "p":
            return Problem(origin, facts[1])
        _, key, when, chat, outbound, people, thread = facts
        refs = self._refs
        return InteractionRecord(
            key=key,
            origin=origin,
            occurred_at=when,
            channel=Channel.MESSAGE if chat else Channel.EMAIL,
            participants=tuple(
                [(refs.get((a, n)) or self._ref(a, n), _ROLES[role]) for a, n, role in people]
            ),
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            thread_key=thread,
        )

    def record(self, block: MailBlock, origin: Origin) -> Record:
        return self.to_record(self.facts(block), origin)


PARALLEL_MIN_BYTES = 64 * 1024**2
"""An mbox on disk at least this large is read by worker processes (below it, starting them
costs more than they save)."""
RANGE_BYTES = 16 * 1024**2  # the share of the file one worker task reads
_CUT_WINDOW = 1024 * 1024  # how far past a nominal cut to look for a separator

_Range = tuple[list[tuple[int, _Facts]], int | None]


def read_range(reader: _Reader, path: str, start: int, end: int | None, blank: bytes) -> _Range:
    """The facts of the messages that start in ``[start, end)``, by file offset, and the offset
    of the first message at or after ``end`` as this reading of the file finds it (None: there
    is none), which the next range must start at. Runs in a worker (:mod:`._mailworker`)."""
    found: list[tuple[int, _Facts]] = []
    with open(path, "rb") as handle:
        handle.seek(start)
        for block in iter_mbox_blocks(handle, base=start, blank=blank):
            if end is not None and block.offset >= end:
                return found, block.offset
            found.append((block.offset, reader.facts(block)))
    return found, None


def _range_starts(path: Path, first: int, size: int) -> list[int]:
    """Where worker tasks start: the first separator line after each nominal cut."""
    starts = [first]
    with open(path, "rb") as handle:
        for nominal in range(first + RANGE_BYTES, size, RANGE_BYTES):
            handle.seek(nominal - 1)
            window = handle.read(_CUT_WINDOW)
            at = window.find(b"\nFrom ")
            while at >= 0 and not is_separator_at(window, at + 1):
                at = window.find(b"\nFrom ", at + 1)
            if at >= 0 and nominal + at > starts[-1]:
                starts.append(nominal + at)
    return starts


class _Worker:
    """A worker process (``python -m weakties.importers._mailworker``) fed over pipes.

    Not ``multiprocessing``: its spawn start method re-runs the caller's main script in the
    child, which an API user's unguarded script would take as a second import, and fork is
    unsafe in the threaded web server. Tasks go in and results come out in order, pickled.
    """

    def __init__(self, owners: frozenset[str]) -> None:
        import subprocess
        import sys

        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "weakties.importers._mailworker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self.send(owners)

    def send(self, task: object) -> None:
        assert self.process.stdin is not None
        pickle.dump(task, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.flush()

    def receive(self) -> _Range:
        assert self.process.stdout is not None
        result: _Range = pickle.load(self.process.stdout)
        return result

    def close(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def _parallel_facts(source: Source, owners: frozenset[str]) -> Iterator[tuple[int, _Facts]]:
    """The facts of every message of a large mbox on disk, in file order, read by workers.

    Each worker reads a range that starts at a separator line. A separator found by looking
    at a cut can still be one the sequential reading would not take (a ``From`` line inside an
    oversized header block): so each range must start exactly where the previous range's
    reading says the next message starts, and where it does not, or a worker fails, the rest
    of the file is read here, sequentially, from the first message not yet read. The result
    is the sequential one, message for message. Memory: at most ``workers + 2`` ranges' facts
    in flight (a worker whose results are not read yet waits on its pipe).
    """
    path = source.path
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(_CUT_WINDOW)
    blank = header_end(head)
    starts = _range_starts(path, first_content(head), size)
    queue = iter(zip(starts, [*starts[1:], None], strict=True))
    count = max(1, min(4, (os.cpu_count() or 2) - 1))  # a core stays with the database
    workers: list[_Worker] = []
    pending: deque[tuple[int, _Worker]] = deque()
    expected: int | None = starts[0]
    try:
        workers = [_Worker(owners) for _ in range(count)]
        for number, task in enumerate(islice(queue, count + 2)):
            worker = workers[number % count]
            worker.send((str(path), *task, blank))
            pending.append((task[0], worker))
        while pending and expected is not None:
            start, worker = pending.popleft()
            if start != expected:
                break  # the cut was not a message boundary: read on sequentially
            found, expected = worker.receive()
            yield from found
            more = next(queue, None)
            if more is not None:
                worker.send((str(path), *more, blank))
                pending.append((more[0], worker))
    except (OSError, EOFError, pickle.UnpicklingError):
        pass  # a worker could not start or died: the rest is read here
    finally:
        for worker in workers:
            worker.close()
    if expected is None:
        return
    reader = _Reader(owners)
    with open(path, "rb") as handle:
        handle.seek(expected)
        for block in iter_mbox_blocks(handle, base=expected, blank=blank):
            yield block.offset, reader.facts(block)


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
            if kind == "mbox" and source.member is None and _parallel_worthwhile(source):
                for number, (offset, facts) in enumerate(_parallel_facts(source, reader.owners), 1):
                    origin = Origin(source.name, f"message {number}, byte {offset}")
                    yield reader.to_record(facts, origin)
                continue
            for block, origin in _iter_blocks(source, kind):
                yield reader.record(block, origin)


def _parallel_worthwhile(source: Source) -> bool:
    """A large mbox on disk whose line ends the first line decides (else: read sequentially)."""
    try:
        if source.path.stat().st_size < PARALLEL_MIN_BYTES:
            return False
        with open(source.path, "rb") as handle:
            return bool(header_end(handle.read(8192)))
    except OSError:
        return False


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


def header_reader(owners: Iterable[str]) -> Callable[[bytes, Origin], Record]:
    """The mbox importer's record mapping applied to one header block at a time.

    IMAP sync fetches header blocks instead of reading files; going through the same reader
    keeps one code path for the records: same keys (the Message-ID), skip rules, owner and
    participants, so a message synced and the same message imported from an mbox agree.
    """
    reader = _Reader(frozenset(owners))

    def record(header: bytes, origin: Origin) -> Record:
        block = MailBlock(0, 0, b"", header if len(header) <= MAX_HEADER_BYTES else None)
        return reader.record(block, origin)

    return record


def owners_from_headers(headers: Iterable[bytes]) -> frozenset[str]:
    """The owner's addresses as the mbox importer finds them in a sample of header blocks."""
    blocks = (MailBlock(0, 0, b"", header) for header in headers)
    return _owner_from(blocks, _Addresses())


def sender_of(header: bytes) -> str | None:
    """The normalised From address of a header block, or None."""
    found = _Addresses().parse(raw_fields(header).get(b"from"))
    return found[0][0] if found else None
