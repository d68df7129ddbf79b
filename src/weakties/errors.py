"""The one error hierarchy of weakties.

Every failure a user can cause (bad input, unknown person, unreadable database) is a
:class:`WeaktiesError`. Interfaces convert it once: the CLI prints one line and exits 1, the
API answers with its error envelope. Anything else escaping is a bug and shows a traceback.
"""

from __future__ import annotations


class WeaktiesError(Exception):
    """Base of every error weakties reports to its user as a one-line message."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InvalidInput(WeaktiesError):
    """A value typed by the user or read from a file does not parse (date, email, URL, …)."""


class NotFound(WeaktiesError):
    """A person, organisation or record named by the user does not exist."""


class Ambiguous(WeaktiesError):
    """A name matches several people; ``candidates`` lists them for the user to pick."""

    def __init__(self, message: str, candidates: list[str], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.candidates = candidates

    def __str__(self) -> str:
        listed = "; ".join(self.candidates)
        base = f"{self.message}: {listed}"
        return f"{base} ({self.hint})" if self.hint else base


class Conflict(WeaktiesError):
    """The change would contradict what is stored (an identity already owned by someone else)."""


class StoreError(WeaktiesError):
    """The database cannot be opened or written."""


class DatabaseTooNew(StoreError):
    """The database was written by a newer weakties than this one."""


class DatabaseCorrupt(StoreError):
    """The file is not a weakties database, or it is damaged."""


class WrongKey(DatabaseCorrupt):
    """An encrypted database did not open with the key given (or the file is no database)."""


class DatabaseLocked(StoreError):
    """Another process holds the database lock."""


class ImportFailed(WeaktiesError):
    """An import could not be carried out; the database was left as it was.

    ``location`` names the file and line or record at fault, when known.
    """

    def __init__(self, message: str, *, location: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.location = location

    def __str__(self) -> str:
        base = super().__str__()
        return f"{self.location}: {base}" if self.location else base


class OwnerUnknown(ImportFailed):
    """An export's owner cannot be told; ``candidates`` are (name or address, messages) pairs.

    The message lists the candidates, so scripts see them; a terminal is asked to pick one
    (``weakties import``), and the answer is remembered for later exports of the same person.
    """

    def __init__(
        self,
        what: str,
        candidates: list[tuple[str, int]],
        *,
        unit: str = "messages",
        location: str | None = None,
        hint: str | None = None,
    ):
        ranked = sorted(candidates, key=lambda item: (-item[1], item[0]))
        self.candidates = tuple(ranked)
        listed = ", ".join(f"{name} ({count} {unit})" for name, count in ranked[:8])
        more = f" and {len(ranked) - 8} more" if len(ranked) > 8 else ""
        message = f"cannot tell which {what} is you"
        if listed:
            message += f"; candidates: {listed}{more}"
        super().__init__(message, location=location, hint=hint)
