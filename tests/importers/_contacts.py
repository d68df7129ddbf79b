"""Shared helpers for the contact-list importer tests (LinkedIn, Google/Outlook CSV, vCard, Facebook)."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path
from typing import Any

from weakties.domain.records import Record
from weakties.importers.files import iter_sources
from weakties.importers.registry import Importer, ImportOptions

GOLDEN = Path(__file__).parent / "golden"

# Other engineers' formats: every contact importer must say "not mine" to these.
FOREIGN_FILES: dict[str, bytes] = {
    "inbox.mbox": (
        b"From alice@example.com Sat Jan  1 10:00:00 2022\n"
        b"From: Alice <alice@example.com>\nTo: bob@example.org\nSubject: hi\n"
        b"Date: Sat, 1 Jan 2022 10:00:00 +0000\n\nHello\n"
    ),
    "calendar.ics": (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1@example.com\r\n"
        b"DTSTART:20220101T100000Z\r\nSUMMARY:Coffee\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ),
    "WhatsApp Chat with Bob.txt": (
        b"1/8/22, 6:14 PM - Bob Example: Hi there\n1/8/22, 6:15 PM - Me: Hello\n"
    ),
    "result.json": (
        b'{"about": "Here is the data you requested.", "personal_information": {"user_id": 1},'
        b' "chats": {"list": [{"name": "Bob", "type": "personal_chat", "id": 2, "messages":'
        b' [{"id": 1, "type": "message", "date": "2022-01-08T18:14:00", "from": "Bob",'
        b' "from_id": "user2", "text": "hi"}]}]}}'
    ),
    "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4,
    "empty.csv": b"",
}


def run(importer: Importer, path: Path, options: ImportOptions | None = None) -> list[Record]:
    """Everything the importer yields for ``path`` (a file, folder or zip)."""
    sources = list(iter_sources(path))
    return list(importer.iter_records(path, sources, options or ImportOptions()))


def sniff(importer: Importer, path: Path) -> float:
    return importer.sniff(path, list(iter_sources(path)))


def zip_folder(folder: Path, target: Path, prefix: str = "") -> Path:
    """Zip a folder the way the services ship exports (members relative to the folder)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return target


def without_files(records: list[Record]) -> list[Any]:
    """Records with the origin's file name reduced to the part inside the export."""
    out: list[Any] = []
    for record in records:
        origin = record.origin
        inner = origin.file.split("!", 1)[1] if "!" in origin.file else origin.file
        inner = inner.split("/", 1)[1] if "/" in inner and "!" not in origin.file else inner
        out.append(dataclasses.replace(record, origin=dataclasses.replace(origin, file=inner)))
    return out


def write_zip(target: Path, members: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    target.write_bytes(buffer.getvalue())
    return target
