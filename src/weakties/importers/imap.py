"""An IMAP mailbox read header by header: folders, UIDVALIDITY/UID and header fields only.

Only ``BODY.PEEK[HEADER.FIELDS (...)]`` is ever fetched (RFC 3501 §6.4.5): the fields the mbox
importer reads, never a body, and PEEK leaves the \\Seen flag alone. A folder's messages are
named by UID, which stays valid while the folder's UIDVALIDITY does; the caller keeps the
highest UID it ingested per folder and asks only for the ones above it. Folder roles come from
SPECIAL-USE flags (RFC 6154): \\Sent tells whose the mailbox is, \\Junk, \\Trash and \\Drafts
say nothing about a relationship, and where an \\All folder exists (Gmail) it alone is read,
since every other folder is a view of it.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

from weakties.errors import ImportFailed
from weakties.importers.accounts import Account

FIELDS = (
    "FROM TO CC BCC DATE MESSAGE-ID IN-REPLY-TO REFERENCES LIST-ID LIST-UNSUBSCRIBE PRECEDENCE "
    "AUTO-SUBMITTED X-AUTOREPLY X-AUTORESPOND DELIVERED-TO X-ORIGINAL-TO"
)
FETCH_ITEMS = f"(UID BODY.PEEK[HEADER.FIELDS ({FIELDS})])"
TIMEOUT = 60.0  # seconds without an answer before the connection counts as lost
SKIPPED_ROLES = frozenset({"\\junk", "\\trash", "\\drafts"})
UNSELECTABLE = frozenset({"\\noselect", "\\nonexistent"})

_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<delim>"(?:[^"\\]|\\.)*"|NIL) (?P<name>.*)$')
_UID = re.compile(rb"\bUID (\d+)")
_STATUS = re.compile(rb"\b(UIDVALIDITY|UIDNEXT|MESSAGES) (\d+)")


@dataclass(frozen=True, slots=True)
class Folder:
    """A mailbox on the server: its name (as the server spells it) and lower-case flags."""

    name: str
    flags: frozenset[str]

    @property
    def is_sent(self) -> bool:
        return "\\sent" in self.flags

    @property
    def is_all(self) -> bool:
        return "\\all" in self.flags


@dataclass(frozen=True, slots=True)
class FolderStatus:
    """A folder's UIDVALIDITY, next UID and message count (STATUS, RFC 3501 §6.3.10)."""

    uidvalidity: int
    uidnext: int
    messages: int


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquoted(raw: bytes) -> str:
    value = raw.strip()
    if value.startswith(b'"') and value.endswith(b'"') and len(value) >= 2:
        value = re.sub(rb"\\(.)", rb"\1", value[1:-1])
    return value.decode("utf-8", "replace")


def parse_list(lines: list[bytes | tuple[bytes, bytes] | None]) -> list[Folder]:
    """Folders from a LIST response; literal names (``{5}``) arrive as (line, name) tuples."""
    folders = []
    for item in lines:
        if item is None:
            continue
        line, literal = (item[0], item[1]) if isinstance(item, tuple) else (item, None)
        match = _LIST_LINE.match(line)
        if match is None:
            continue
        name = literal.decode("utf-8", "replace") if literal is not None else None
        if name is None:
            name = _unquoted(match.group("name"))
        flags = frozenset(
            f.lower() for f in match.group("flags").decode("ascii", "replace").split()
        )
        folders.append(Folder(name, flags))
    return folders


def folders_to_read(folders: list[Folder]) -> list[Folder]:
    """The folders whose mail is read: every selectable one except junk, trash and drafts, or
    only the \\All folder (with the \\Sent one) where the server has one."""
    usable = [
        f for f in folders if f.flags.isdisjoint(UNSELECTABLE) and f.flags.isdisjoint(SKIPPED_ROLES)
    ]
    every = [f for f in usable if f.is_all]
    if every:
        return every[:1] + [f for f in usable if f.is_sent]
    return usable


class ImapMailbox:
    """One logged-in IMAP connection; every failure becomes a one-line :class:`ImportFailed`."""

    def __init__(self, account: Account, password: str, *, timeout: float = TIMEOUT) -> None:
        self.account = account
        self.where = account.url
        try:
            if account.secure:
                context = ssl.create_default_context()
                self.imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    account.host, account.port, ssl_context=context, timeout=timeout
                )
            else:
                self.imap = imaplib.IMAP4(account.host, account.port, timeout=timeout)
                if "STARTTLS" in self.imap.capabilities:
                    self.imap.starttls(ssl.create_default_context())
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ImportFailed(
                f"cannot connect to {account.host}:{account.port}: {_reason(exc)}",
                location=self.where,
            ) from None
        try:
            self.imap.login(account.user, password)
        except imaplib.IMAP4.abort as exc:
            raise self.lost(exc) from None
        except imaplib.IMAP4.error as exc:
            self.close()
            raise ImportFailed(
                f"the server refused the login for {account.user}: {_reason(exc)}",
                location=self.where,
                hint="check the password; Gmail, iCloud, Fastmail and Outlook need an app "
                "password (docs/importers.md)",
            ) from None
        except OSError as exc:
            raise self.lost(exc) from None

    def lost(self, exc: BaseException) -> ImportFailed:
        """The error for a connection that broke mid-way."""
        return ImportFailed(
            f"lost the connection to {self.account.host}: {_reason(exc)}",
            location=self.where,
            hint="run the same sync again: it resumes after the last saved message",
        )

    def _call(self, command: str, *args: str) -> list[object]:
        try:
            if command == "uid":
                typ, data = self.imap.uid(*args)
            else:
                typ, data = getattr(self.imap, command)(*args)
        except (TimeoutError, imaplib.IMAP4.abort, OSError) as exc:
            raise self.lost(exc) from None
        except imaplib.IMAP4.error as exc:
            raise ImportFailed(
                f"the server refused {command.upper()} {' '.join(args[:1])}: {_reason(exc)}",
                location=self.where,
            ) from None
        if typ != "OK":
            shown = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
            raise ImportFailed(
                f"the server refused {command.upper()} {' '.join(args[:1])}: {shown[:200]}",
                location=self.where,
            )
        return list(data)

    def folders(self) -> list[Folder]:
        """Every folder the account has, with its flags."""
        return parse_list(self._call("list"))  # type: ignore[arg-type]

    def status(self, folder: Folder) -> FolderStatus:
        """UIDVALIDITY, UIDNEXT and MESSAGES of a folder without selecting it."""
        data = self._call("status", _quoted(folder.name), "(UIDVALIDITY UIDNEXT MESSAGES)")
        found = {
            k.decode(): int(v)
            for line in data
            if isinstance(line, bytes)
            for k, v in _STATUS.findall(line)
        }
        if "UIDVALIDITY" not in found:
            raise ImportFailed(
                f"the server gave no UIDVALIDITY for folder {folder.name!r}", location=self.where
            )
        return FolderStatus(found["UIDVALIDITY"], found.get("UIDNEXT", 0), found.get("MESSAGES", 0))

    def examine(self, folder: Folder) -> int:
        """Open a folder read-only; its UIDVALIDITY."""
        self._call("select", _quoted(folder.name), "True")
        found = self.imap.response("UIDVALIDITY")[1]
        if not found or not isinstance(found[-1], bytes):
            raise ImportFailed(
                f"the server gave no UIDVALIDITY for folder {folder.name!r}", location=self.where
            )
        return int(found[-1])

    def uids_from(self, low: int) -> list[int]:
        """The UIDs of the open folder at or above ``low``, ascending.

        ``UID SEARCH low:*`` also answers the highest UID when every UID is below ``low``
        (``*`` is the largest UID in use), so the answer is filtered.
        """
        data = self._call("uid", "SEARCH", f"UID {max(low, 1)}:*")
        uids = {int(u) for line in data if isinstance(line, bytes) for u in line.split()}
        return sorted(u for u in uids if u >= low)

    def headers(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """The header fields of the given messages of the open folder, by UID, ascending."""
        if not uids:
            return
        data = self._call("uid", "FETCH", _uid_set(uids), FETCH_ITEMS)
        found: dict[int, bytes] = {}
        for item in data:
            if isinstance(item, tuple) and len(item) >= 2:
                match = _UID.search(item[0])
                if match is not None and isinstance(item[1], bytes):
                    found[int(match.group(1))] = item[1]
        wanted = set(uids)
        for uid in sorted(found):
            if uid in wanted:
                yield uid, found[uid]

    def close(self) -> None:
        """Log out; a connection already gone is simply dropped."""
        try:
            self.imap.logout()
        except (imaplib.IMAP4.error, OSError):
            with contextlib.suppress(OSError):
                self.imap.shutdown()


def _uid_set(uids: list[int]) -> str:
    """A compact UID set (``1:40,42,45:50``) for ascending UIDs."""
    parts: list[str] = []
    start = prev = uids[0]
    for uid in uids[1:]:
        if uid == prev + 1:
            prev = uid
            continue
        parts.append(f"{start}:{prev}" if prev != start else str(start))
        start = prev = uid
    parts.append(f"{start}:{prev}" if prev != start else str(start))
    return ",".join(parts)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return (text or type(exc).__name__).splitlines()[0][:200]
