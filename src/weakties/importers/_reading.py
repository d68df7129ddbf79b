"""Reading export files without letting a damaged archive escape as a foreign exception.

:class:`~weakties.importers.files.Source` bounds sizes; a corrupt zip member can still fail
mid-read with ``zlib.error``, ``BadZipFile`` (CRC), ``NotImplementedError`` (unknown
compression) or ``RuntimeError`` (encrypted). These helpers turn all of them into
:class:`~weakties.errors.ImportFailed` naming the file, or into "" when only sniffing.
"""

from __future__ import annotations

import zipfile
import zlib

from weakties.errors import ImportFailed, WeaktiesError
from weakties.importers.files import MAX_TEXT_BYTES, Source, decode_text

SNIFF_BYTES = 16384

READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
)

_SNIFF_ERRORS: tuple[type[BaseException], ...] = (WeaktiesError, *READ_ERRORS)


def read_bytes(source: Source, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The whole file, bounded; any read failure is an :class:`ImportFailed` naming it."""
    try:
        return source.read_bytes(limit)
    except WeaktiesError:
        raise
    except READ_ERRORS as exc:
        raise ImportFailed(f"cannot read: {exc}", location=source.name) from None


def read_text(source: Source, limit: int = MAX_TEXT_BYTES) -> str:
    """The whole file decoded as :meth:`Source.read_text` does, with read failures converted."""
    return decode_text(read_bytes(source, limit), source.name)


def read_head(source: Source, size: int = SNIFF_BYTES) -> str:
    """The decoded start of a file for sniffing; '' when it cannot be read or is binary."""
    try:
        with source.open_bytes() as handle:
            data = handle.read(size)
        if len(data) >= size and len(data) % 2:
            data = data[:-1]  # keep UTF-16 text on a code-unit boundary
        return decode_text(data, source.name)
    except _SNIFF_ERRORS:
        return ""
