"""Safe reading of untrusted export files: zips, encodings, size caps.

Every export is hostile until proven otherwise: zip bombs, path-traversal members, UTF-16 or
cp1252 text from Excel, a BOM, huge lines. These helpers give importers bounded, decoded input
and raise :class:`~weakties.errors.ImportFailed` with the file name on anything unreadable.
"""

from __future__ import annotations

import codecs
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from weakties.errors import ImportFailed

MAX_MEMBER_BYTES = 2 * 1024**3  # one member of an archive, uncompressed
MAX_TOTAL_BYTES = 8 * 1024**3  # the whole archive, uncompressed
MAX_RATIO = 200  # uncompressed / compressed, per member: beyond it is a zip bomb
MAX_TEXT_BYTES = 512 * 1024**2  # a whole text file read into memory (CSV, JSON, vCard)
MAX_LINE_CHARS = 1024 * 1024  # one line or field


@dataclass(frozen=True, slots=True)
class Source:
    """A readable file: on disk, or a member of a zip. ``name`` is what errors show."""

    name: str
    path: Path
    member: str | None = None

    @property
    def basename(self) -> str:
        return PurePosixPath(self.member).name if self.member else self.path.name

    def open_bytes(self) -> io.BufferedIOBase:
        """Open the raw bytes for streaming (zip members are size-checked on open)."""
        if self.member is None:
            try:
                return open(self.path, "rb")
            except OSError as exc:
                raise ImportFailed(f"cannot read: {exc.strerror}", location=self.name) from None
        archive = open_zip(self.path)
        info = archive.getinfo(self.member)
        check_member(self.path, info)
        try:
            member = archive.open(info)
        except (RuntimeError, NotImplementedError, zipfile.BadZipFile, OSError) as exc:
            # encrypted members, unknown compression methods, a damaged local header
            raise ImportFailed(
                f"cannot read this archive member ({exc})", location=self.name
            ) from None
        return _GuardedMember(member, self.name)

    def read_bytes(self, limit: int = MAX_TEXT_BYTES) -> bytes:
        with self.open_bytes() as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise ImportFailed(
                f"file is larger than {limit // 1024**2} MB; split it", location=self.name
            )
        return data

    def read_text(self, limit: int = MAX_TEXT_BYTES) -> str:
        """Read and decode the whole file (BOM-aware UTF-8/UTF-16, cp1252 fallback)."""
        return decode_text(self.read_bytes(limit), self.name)


def decode_text(data: bytes, name: str) -> str:
    """Decode export text the way the tools that write it encode it.

    A BOM decides (UTF-8, UTF-16 LE/BE); otherwise UTF-8, then cp1252 (what Excel writes on
    Windows), then Latin-1 as the last resort. Binary junk (NUL bytes in a non-UTF-16 file)
    is refused rather than imported as garbage.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[3:], "utf-8", name)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16", name)
    if len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        return _decode(data, "utf-16-le", name)
    if len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        return _decode(data, "utf-16-be", name)
    if b"\x00" in data[:65536]:
        raise ImportFailed("binary data, not a text export", location=name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"not valid {encoding} text at byte {exc.start}", location=name
        ) from None


class _GuardedMember(io.BufferedIOBase):
    """A zip member's stream whose read failures are :class:`ImportFailed` naming the member.

    A corrupt member fails mid-read with ``zlib.error``, ``BadZipFile`` (a bad CRC, or a
    member longer than its header claims) or ``EOFError``; importers read members through
    many paths (csv, json, line streams), so the conversion happens here, once.
    """

    def __init__(self, raw: IO[bytes], name: str) -> None:
        super().__init__()
        self._raw = raw
        self._name = name

    def _fail(self, exc: BaseException) -> ImportFailed:
        return ImportFailed(f"damaged archive member ({exc})", location=self._name)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        try:
            return self._raw.read(-1 if size is None else size)
        except (zlib.error, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise self._fail(exc) from None

    def read1(self, size: int = -1) -> bytes:
        return self.read(size if size >= 0 else 1 << 16)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        try:
            return self._raw.readline(-1 if size is None else size)
        except (zlib.error, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise self._fail(exc) from None

    def close(self) -> None:
        self._raw.close()
        super().close()


_ZIPS: dict[tuple[str, int, int], zipfile.ZipFile] = {}


def open_zip(path: Path) -> zipfile.ZipFile:
    """The archive at ``path``, opened once per process.

    Parsing the central directory costs time in its entry count; opening the archive again
    for each member made an archive of 100,000 entries take minutes (quadratic).
    """
    try:
        status = path.stat()
        key = (str(path.resolve()), status.st_mtime_ns, status.st_size)
        archive = _ZIPS.get(key)
        if archive is None:
            if len(_ZIPS) > 16:
                _ZIPS.clear()
            archive = _ZIPS[key] = zipfile.ZipFile(path)
        return archive
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFailed(f"not a readable zip archive ({exc})", location=str(path)) from None


def check_member(path: Path, info: zipfile.ZipInfo) -> None:
    """Refuse path traversal, absurd sizes and zip-bomb compression ratios."""
    name = info.filename
    where = f"{path}!{name}"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
        raise ImportFailed("unsafe path inside the archive", location=where)
    if info.file_size > MAX_MEMBER_BYTES:
        raise ImportFailed("archive member is too large", location=where)
    if (
        info.compress_size
        and info.file_size / info.compress_size > MAX_RATIO
        and (info.file_size > 16 * 1024**2)
    ):
        raise ImportFailed(
            "archive member is compressed suspiciously well (zip bomb?)", location=where
        )


def iter_sources(path: Path) -> Iterator[Source]:
    """Every file under ``path``: itself, the files of a folder, or the members of a zip."""
    if path.is_dir():
        root = path.resolve()
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if child.is_symlink() and not child.resolve().is_relative_to(root):
                continue  # a link out of the export folder is not part of the export
            yield Source(str(child), child)
    elif path.is_file() and zipfile.is_zipfile(path):
        archive = open_zip(path)
        total = 0
        for info in archive.infolist():
            if info.is_dir():
                continue
            check_member(path, info)
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise ImportFailed("archive expands to too much data", location=str(path))
            yield Source(f"{path}!{info.filename}", path, info.filename)
    elif path.is_file():
        yield Source(str(path), path)
    elif path.exists():
        # a FIFO would block the import forever, /dev/zero would never end
        raise ImportFailed("not a regular file (a pipe or a device?)", location=str(path))
    else:
        raise ImportFailed("no such file or folder", location=str(path))


def iter_lines(source: Source, chunk: int = 1 << 20) -> Iterator[tuple[int, str]]:
    """Stream decoded lines with 1-based numbers, in bounded memory; overlong lines are refused."""
    with source.open_bytes() as raw:
        head = raw.read(4)
        rest = raw
        encoding = "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        buffer = decoder.decode(head)
        number = 0
        while True:
            block = rest.read(chunk)
            buffer += decoder.decode(block, final=not block)
            lines = buffer.split("\n")
            buffer = lines.pop()
            for line in lines:
                number += 1
                if len(line) > MAX_LINE_CHARS:
                    raise ImportFailed("line is too long", location=f"{source.name}, line {number}")
                yield number, line.rstrip("\r")
            if len(buffer) > MAX_LINE_CHARS:
                raise ImportFailed("line is too long", location=f"{source.name}, line {number + 1}")
            if not block:
                break
        if buffer:
            yield number + 1, buffer.rstrip("\r")
