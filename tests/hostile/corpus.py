"""A hostile corpus, generated on demand: every file here is built by code, never committed.

Each :class:`Case` is one file (or folder) to hand to ``weakties import``, with the importer
forced or left to detection. The kinds cover archives (zip bombs by ratio, nesting and entry
count; traversal, absolute and symlink members; truncated, corrupt and encrypted zips), special
files (FIFOs, /dev/zero, symlink loops), every registered importer's seed file damaged the same
ways (binary junk, truncation at random offsets, UTF-16, Latin-1, NUL bytes, empty, BOM only),
and format-specific traps (100k-deep JSON, 10^5 folded vCard lines, an endless RRULE, a 100 MB
mail header line, 10,000 recipients, years 0 and 9999, negative epochs, control and bidi
characters in names, a 50 MB field).

Importers are discovered through :mod:`weakties.importers.registry`, so an importer added later
gets the generic kinds from its golden files under ``tests/importers/golden/<name>/``.
``bench/hostile.py`` runs the same corpus and prints the tally.
"""

from __future__ import annotations

import io
import json
import os
import random
import stat
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from weakties.importers.registry import all_importers

GOLDEN = Path(__file__).resolve().parent.parent / "importers" / "golden"

# a valid file of each importer's format, damaged by the generic kinds; (golden path, name)
SEEDS: dict[str, list[tuple[str, str]]] = {
    "linkedin": [("linkedin/modern/Connections.csv", "Connections.csv")],
    "google_csv": [("google_csv/google_new.csv", "contacts.csv")],
    "vcard": [("vcard/iphone_3.0.vcf", "contacts.vcf")],
    "facebook": [("facebook/layout_2019/friends/friends.json", "friends.json")],
    "email": [("email/gmail.mbox", "mail.mbox"), ("email/single.eml", "single.eml")],
    "calendar": [("calendar/google.ics", "calendar.ics")],
    "whatsapp": [("whatsapp/WhatsApp Chat with Climbing Crew.txt", "WhatsApp Chat with X.txt")],
    "telegram": [("telegram/result.json", "result.json")],
}

EXTENSIONS = (".csv", ".vcf", ".json", ".mbox", ".eml", ".ics", ".txt", ".zip")
MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile input: ``build(folder)`` writes it and returns the path to import.

    ``expensive`` cases (tens of MB written) run in the bench and in one test only.
    ``expect_names_clean``: the import may succeed, and then no stored name may keep a
    control or bidi character.
    """

    kind: str
    label: str
    build: Callable[[Path], Path]
    fmt: str | None = None
    expensive: bool = False
    expect_names_clean: bool = False
    args: tuple[str, ...] = ()  # more options for ``weakties import``

    @property
    def id(self) -> str:
        return f"{self.kind}[{self.label}]"


def _write(name: str, data: bytes | Callable[[], bytes]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data() if callable(data) else data)
        return path

    return build


def _seed_bytes(rel: str) -> bytes:
    return (GOLDEN / rel).read_bytes()


def _is_golden_input(path: Path) -> bool:
    """A file an importer reads, not a golden output (``x.json`` beside ``x.csv`` or ``x/``).

    Only for importers without a seed in :data:`SEEDS`; a golden output taken for an input
    by mistake is still a fair hostile file.
    """
    if not path.is_file() or path.name.endswith(".golden.json"):
        return False
    if path.suffix != ".json":
        return True
    stem = path.with_suffix("")
    siblings = (q for q in stem.parent.glob(f"{stem.name}.*") if q.suffix != ".json")
    return not (stem.is_dir() or any(siblings))


def _seeds() -> Iterator[tuple[str, str, str]]:
    """(importer, golden path, file name) for every registered importer."""
    for importer in all_importers():
        seeds = SEEDS.get(importer.name)
        if seeds is None:  # an importer this corpus does not know yet: its golden inputs
            folder = GOLDEN / importer.name
            found = sorted(p for p in folder.rglob("*") if _is_golden_input(p))[:2]
            seeds = [(str(p.relative_to(GOLDEN)), p.name) for p in found]
        for rel, name in seeds:
            yield importer.name, rel, name


# ------------------------------------------------------------------ generic kinds per seed
def _truncations(data: bytes, rng: random.Random, count: int = 3) -> list[int]:
    return sorted({rng.randrange(1, max(len(data), 2)) for _ in range(count)})


def _nul_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(8):
        out.insert(rng.randrange(len(out) + 1), 0)
    return bytes(out)


def _reencode(data: bytes, codec: str, bom: bytes = b"") -> bytes:
    text = data.decode("utf-8-sig", errors="replace")
    return bom + text.encode(codec, errors="replace")


def generic_cases(seed: int = 15) -> Iterator[Case]:
    rng = random.Random(seed)
    for name, rel, filename in _seeds():
        data = _seed_bytes(rel)
        tag = f"{name}:{filename}"
        for offset in _truncations(data, rng):
            yield Case("truncated", f"{tag}@{offset}", _write(filename, data[:offset]), fmt=name)
        yield Case(
            "utf16le_bom",
            tag,
            _write(filename, _reencode(data, "utf-16-le", b"\xff\xfe")),
            fmt=name,
        )
        yield Case("utf16be_nobom", tag, _write(filename, _reencode(data, "utf-16-be")), fmt=name)
        yield Case("latin1", tag, _write(filename, _reencode(data, "latin-1")), fmt=name)
        yield Case("nul_bytes", tag, _write(filename, _nul_bytes(data, rng)), fmt=name)
        yield Case("empty", tag, _write(filename, b""), fmt=name)
        yield Case("bom_only", tag, _write(filename, b"\xef\xbb\xbf"), fmt=name)
        junk = rng.randbytes(64 * 1024)
        yield Case("junk_forced", tag, _write(filename, junk), fmt=name)
        yield Case(
            "junk_in_zip",
            tag,
            _write("export.zip", lambda f=filename, j=junk: _zip({f: j})),
            fmt=name,
        )
    for ext in EXTENSIONS:
        yield Case("junk_detected", ext, _write(f"export{ext}", rng.randbytes(64 * 1024)))


# ------------------------------------------------------------------------------ archives
def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for member, body in members.items():
            archive.writestr(member, body)
    return buffer.getvalue()


def _zip_bomb_ratio() -> bytes:
    # one member of 256 MB of zeros (~250 kB compressed): the ratio check must refuse it
    buffer = io.BytesIO()
    block = b"\0" * MB
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("Connections.csv", "w", force_zip64=True) as member,
    ):
        for _ in range(256):
            member.write(block)
    return buffer.getvalue()


def _zip_bomb_small_members() -> bytes:
    # many 15 MB members under the per-member size floor of the ratio check: total counts
    buffer = io.BytesIO()
    block = b"a" * (15 * MB)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(40):
            archive.writestr(f"messages/inbox/t{i}/message_1.json", block)
    return buffer.getvalue()


def _zip_nested() -> bytes:
    inner = _zip({"contacts.vcf": b"BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n" * 1000})
    for depth in range(6):
        inner = _zip({f"layer{depth}.zip": inner})
    return inner


def _zip_many_entries(count: int = 100_000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for i in range(count):
            archive.writestr(f"d/{i}.vcf", b"")
    return buffer.getvalue()


def _zip_symlink() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("Connections.csv")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
        archive.writestr("contacts.vcf", b"BEGIN:VCARD\r\nFN:Ok Person\r\nEND:VCARD\r\n")
    return buffer.getvalue()


def _zip_bad_crc() -> bytes:
    body = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Crc Person\r\nEND:VCARD\r\n" * 200
    data = bytearray(_zip({"contacts.vcf": body}))
    # flip a byte inside the compressed data (after the 30-byte local header and the name)
    data[30 + len("contacts.vcf") + 10] ^= 0xFF
    return bytes(data)


def _zip_encrypted_flag() -> bytes:
    data = bytearray(_zip({"contacts.vcf": b"BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n"}))
    # set "encrypted" (bit 0) in the local header and the central directory entry
    data[6] |= 1
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 1
    return bytes(data)


def _zip_unknown_method() -> bytes:
    data = bytearray(_zip({"contacts.vcf": b"BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n"}))
    struct.pack_into("<H", data, 8, 99)
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 10, 99)
    return bytes(data)


def _zip_lying_size() -> bytes:
    # the central directory claims 10 bytes; the member inflates to 64 MB
    body = b"BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n" + b"N" * (64 * MB)
    data = bytearray(_zip({"contacts.vcf": body}))
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)
    struct.pack_into("<I", data, 22, 10)
    return bytes(data)


def archive_cases() -> Iterator[Case]:
    vcard = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zip Person\r\nEND:VCARD\r\n"
    yield Case("zip_bomb_ratio", "256MB-zeros", _write("bomb.zip", _zip_bomb_ratio))
    yield Case(
        "zip_bomb_total", "40x15MB", _write("facebook.zip", _zip_bomb_small_members), expensive=True
    )
    yield Case("zip_bomb_nested", "6-deep", _write("nested.zip", _zip_nested))
    yield Case("zip_entry_count", "100k", _write("many.zip", _zip_many_entries))
    yield Case(
        "zip_traversal", "dotdot", _write("trav.zip", lambda: _zip({"../../evil.vcf": vcard}))
    )
    yield Case("zip_absolute", "slash", _write("abs.zip", lambda: _zip({"/tmp/evil.vcf": vcard})))
    yield Case("zip_drive", "c-colon", _write("drive.zip", lambda: _zip({"C:\\evil.vcf": vcard})))
    yield Case("zip_symlink", "to-etc-passwd", _write("link.zip", _zip_symlink))
    yield Case(
        "zip_truncated",
        "half",
        _write("cut.zip", lambda: _zip({"contacts.vcf": vcard * 500})[:700]),
    )
    yield Case("zip_bad_crc", "flipped", _write("crc.zip", _zip_bad_crc), fmt="vcard")
    yield Case("zip_encrypted", "flag", _write("enc.zip", _zip_encrypted_flag), fmt="vcard")
    yield Case("zip_unknown_method", "99", _write("method.zip", _zip_unknown_method), fmt="vcard")
    yield Case("zip_lying_size", "10B-claims", _write("lie.zip", _zip_lying_size), fmt="vcard")
    yield Case(
        "zip_duplicate_names",
        "twice",
        _write("dup.zip", lambda: _zip_dupes(vcard)),
    )


def _zip_dupes(vcard: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("contacts.vcf", vcard)
        archive.writestr("contacts.vcf", b"\xff" * 100)
    return buffer.getvalue()


# ------------------------------------------------------------------------- special files
def _fifo(folder: Path) -> Path:
    path = folder / "contacts.vcf"
    os.mkfifo(path)
    return path


def _dev_zero(folder: Path) -> Path:
    path = folder / "contacts.vcf"
    path.symlink_to("/dev/zero")
    return path


def _folder_with_escaping_link(folder: Path) -> Path:
    outside = folder / "outside"
    outside.mkdir()
    (outside / "secret.vcf").write_bytes(b"BEGIN:VCARD\r\nFN:Outside Secret\r\nEND:VCARD\r\n")
    export = folder / "export"
    export.mkdir()
    (export / "contacts.vcf").write_bytes(b"BEGIN:VCARD\r\nFN:Inside Person\r\nEND:VCARD\r\n")
    (export / "linked.vcf").symlink_to(outside / "secret.vcf")
    (export / "loop").symlink_to(export)
    return export


def _folder_with_fifo(folder: Path) -> Path:
    export = folder / "export"
    export.mkdir()
    (export / "contacts.vcf").write_bytes(b"BEGIN:VCARD\r\nFN:Inside Person\r\nEND:VCARD\r\n")
    os.mkfifo(export / "pipe.vcf")
    return export


def special_cases() -> Iterator[Case]:
    yield Case("fifo", "contacts.vcf", _fifo)
    yield Case("fifo", "forced-vcard", _fifo, fmt="vcard")
    yield Case("dev_zero", "symlink", _dev_zero, fmt="vcard")
    yield Case("folder_symlinks", "escape+loop", _folder_with_escaping_link)
    yield Case("folder_fifo", "pipe.vcf", _folder_with_fifo)
    yield Case(
        "hostile_filename",
        "newline+bidi",
        _write("evil\n\u202ename\x1b[31m.vcf", b"\x00\x01garbage"),
    )


# ------------------------------------------------------------------------ format traps
def _vcard(*cards: str) -> bytes:
    return "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\n{c}END:VCARD\r\n" for c in cards).encode()


def _google_csv(rows: list[list[str]]) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First Name", "Last Name", "E-mail 1 - Value", "Birthday", "Notes"])
    writer.writerows(rows)
    return out.getvalue().encode()


def _deep_json(depth: int) -> bytes:
    return b'{"friends_v2": ' + b"[" * depth + b"]" * depth + b"}"


def _deep_telegram(depth: int) -> bytes:
    return (
        b'{"personal_information": {"user_id": 1}, "chats": {"list": '
        + b'{"a":' * depth
        + b"1"
        + b"}" * depth
        + b"}}"
    )


def _folded_vcard(lines: int) -> bytes:
    return (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Folded Person\r\nNOTE:start"
        + b"\r\n x" * lines
        + b"\r\nEMAIL:folded@example.com\r\nEND:VCARD\r\n"
    )


def _ics(*events: str) -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{i}@example.com\r\n{e}"
        "ORGANIZER:mailto:org@example.com\r\nATTENDEE:mailto:guest@example.com\r\n"
        "END:VEVENT\r\n"
        for i, e in enumerate(events)
    )
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


def _ics_nested(depth: int) -> bytes:
    return (
        b"BEGIN:VCALENDAR\r\n"
        + b"BEGIN:VEVENT\r\n" * depth
        + b"END:VEVENT\r\n" * depth
        + b"END:VCALENDAR\r\n"
    )


def _mail(headers: str, body: str = "hello\n") -> str:
    return f"{headers}\nMessage-ID: <{random.random()}@example.com>\n\n{body}"


def _mbox(*messages: str) -> bytes:
    return "".join(
        f"From sender@example.com Mon Jan  1 00:00:00 2024\n{m}\n" for m in messages
    ).encode()


def _huge_header_mbox(size: int) -> bytes:
    head = b"From sender@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nTo: "
    return head + b"x" * size + b"@example.com\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nhi\n"


def _recipients(count: int) -> bytes:
    to = ", ".join(f"person{i}@example.com" for i in range(count))
    return _mbox(_mail(f"From: boss@example.com\nTo: {to}\nDate: Mon, 1 Jan 2024 00:00:00 +0000"))


def _whatsapp(lines: list[str]) -> bytes:
    return "\n".join(lines).encode()


def _telegram(date_unixtime: str, date: str) -> bytes:
    chat = {
        "name": "Jane Roe",
        "type": "personal_chat",
        "id": 7,
        "messages": [
            {
                "id": 1,
                "type": "message",
                "date": date,
                "date_unixtime": date_unixtime,
                "from": "Jane Roe",
                "from_id": "user7",
                "text": "hi",
            },
        ],
    }
    return json.dumps(
        {"personal_information": {"user_id": 1, "first_name": "Me"}, "chats": {"list": [chat]}}
    ).encode()


def _facebook_thread(timestamp: str) -> bytes:
    return (
        '{"participants": [{"name": "Jane Roe"}, {"name": "Me Person"}], "messages": ['
        '{"sender_name": "Jane Roe", "timestamp_ms": ' + timestamp + ', "content": "x"}],'
        ' "title": "Jane Roe", "thread_type": "Regular"}'
    ).encode()


def _facebook_zip(thread: bytes) -> bytes:
    return _zip({"messages/inbox/janeroe_1/message_1.json": thread})


BIDI_NAME = "Jane\u202e\u0000eoR\u200f\x07\x1b[2J"
CONTROL_CARD = f"FN:{BIDI_NAME}\r\nN:eoR\u202e;Jane\x08;;;\r\nEMAIL:bidi@example.com\r\n"


def format_cases() -> Iterator[Case]:
    cases = list(_format_cases())
    # the mail cases' senders are the owner: without --me the importer stops before reading
    me = ("--me", "a@example.com", "--me", "boss@example.com")
    for case in cases:
        mail = case.kind.startswith("mail_")
        yield replace(case, args=me) if mail else case


def _format_cases() -> Iterator[Case]:
    names = {i.name for i in all_importers()}
    if "vcard" in names:
        yield Case(
            "vcard_folded_100k", "note", _write("folded.vcf", lambda: _folded_vcard(100_000))
        )
        yield Case(
            "vcard_nested_100k", "begin", _write("nested.vcf", lambda: b"BEGIN:VCARD\r\n" * 100_000)
        )
        yield Case(
            "vcard_field_50mb",
            "note",
            _write("big.vcf", lambda: _vcard("FN:Big Note\r\nNOTE:" + "n" * (50 * MB) + "\r\n")),
            expensive=True,
        )
        yield Case(
            "vcard_control_bidi",
            "fn",
            _write("bidi.vcf", _vcard(CONTROL_CARD)),
            expect_names_clean=True,
        )
        yield Case(
            "vcard_shift_jis",
            "fn",
            _write(
                "sjis.vcf",
                _vcard("FN:山田 太郎\r\nEMAIL:yamada@example.jp\r\n").decode().encode("shift_jis"),
            ),
        )
        yield Case(
            "vcard_dates",
            "year0+9999",
            _write(
                "dates.vcf",
                _vcard(
                    "FN:Old One\r\nBDAY:0000-01-01\r\nREV:99991231T235959Z\r\n",
                    "FN:Neg One\r\nBDAY:-0001-01-01\r\n",
                ),
            ),
        )
        yield Case(
            "vcard_many_params",
            "100k",
            _write(
                "params.vcf",
                _vcard("FN;" + ";".join(f"X{i}=1" for i in range(100_000)) + ":Param Person\r\n"),
            ),
        )
        yield Case(
            "vcard_huge_photo",
            "20MB-base64",
            _write(
                "photo.vcf",
                lambda: _vcard(
                    "FN:Photo Person\r\nPHOTO;ENCODING=b;TYPE=JPEG:" + "QUJD" * (5 * MB) + "\r\n"
                ),
            ),
            expensive=True,
        )
    if "google_csv" in names:
        yield Case(
            "csv_field_50mb",
            "notes",
            _write(
                "contacts.csv",
                lambda: _google_csv([["Big", "Field", "big@example.com", "", "n" * (50 * MB)]]),
            ),
            fmt="google_csv",
            expensive=True,
        )
        yield Case(
            "csv_control_bidi",
            "name",
            _write(
                "contacts.csv",
                _google_csv([[BIDI_NAME, "R\u202eoe\x00", "ctl@example.com", "", ""]]),
            ),
            expect_names_clean=True,
        )
        yield Case(
            "csv_dates",
            "year0+9999+neg",
            _write(
                "contacts.csv",
                _google_csv(
                    [
                        ["A", "Zero", "a@example.com", "0000-01-01", ""],
                        ["B", "Nines", "b@example.com", "9999-12-31", ""],
                        ["C", "Neg", "c@example.com", "-0001-05-05", ""],
                        ["D", "Dashes", "d@example.com", "--05-05", ""],
                    ]
                ),
            ),
        )
        yield Case(
            "csv_shift_jis",
            "name",
            _write(
                "contacts.csv",
                _google_csv([["太郎", "山田", "yamada@example.jp", "", ""]])
                .decode()
                .encode("shift_jis"),
            ),
            fmt="google_csv",
        )
        yield Case(
            "csv_columns_100k",
            "header",
            _write(
                "contacts.csv",
                lambda: (
                    ",".join(f"c{i}" for i in range(100_000)) + "\n" + "," * 99_999 + "\n"
                ).encode(),
            ),
            fmt="google_csv",
        )
        yield Case(
            "csv_unbalanced_quote",
            "open",
            _write(
                "contacts.csv",
                b'First Name,Last Name,E-mail 1 - Value\n"Jane,Roe,jane@example.com\n'
                + b"x,y,z\n" * 50_000,
            ),
            fmt="google_csv",
        )
    if "linkedin" in names:
        header = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        rows = "Ada,Zero,,,Acme,CTO,01 Jan 0000\nBob,Nines,,,Acme,CTO,31 Dec 9999\nCy,Neg,,,Acme,CTO,-5\nDi,Huge,,,Acme,CTO,99999999999999999999 Jan 2020\n"
        yield Case(
            "linkedin_dates", "year0+9999", _write("Connections.csv", (header + rows).encode())
        )
    if "facebook" in names:
        yield Case(
            "json_deep_100k",
            "facebook",
            _write("friends.json", lambda: _deep_json(100_000)),
            fmt="facebook",
        )
        yield Case(
            "facebook_epochs",
            "negative",
            _write("facebook.zip", lambda: _facebook_zip(_facebook_thread("-62135596800001"))),
            fmt="facebook",
        )
        yield Case(
            "facebook_epochs",
            "1e400",
            _write("facebook.zip", lambda: _facebook_zip(_facebook_thread("1e400"))),
            fmt="facebook",
        )
        yield Case(
            "facebook_epochs",
            "huge",
            _write("facebook.zip", lambda: _facebook_zip(_facebook_thread("9" * 40))),
            fmt="facebook",
        )
        yield Case(
            "facebook_wrong_types",
            "strings",
            _write("friends.json", b'{"friends_v2": "nope", "friends": {"a": 1}}'),
            fmt="facebook",
        )
    if "telegram" in names:
        yield Case(
            "json_deep_100k",
            "telegram",
            _write("result.json", lambda: _deep_telegram(100_000)),
            fmt="telegram",
        )
        yield Case(
            "telegram_epochs",
            "negative",
            _write("result.json", _telegram("-99999999999", "0000-01-01T00:00:00")),
        )
        yield Case(
            "telegram_epochs",
            "year9999",
            _write("result.json", _telegram("253402300800", "9999-12-31T23:59:59")),
        )
        yield Case("telegram_epochs", "junk", _write("result.json", _telegram("x", "yesterday")))
    if "calendar" in names:
        yield Case(
            "rrule_secondly",
            "no-end",
            _write("cal.ics", _ics("DTSTART:20200101T000000Z\r\nRRULE:FREQ=SECONDLY\r\n")),
        )
        yield Case(
            "rrule_huge_count",
            "minutely",
            _write(
                "cal.ics",
                _ics("DTSTART:20200101T000000Z\r\nRRULE:FREQ=MINUTELY;COUNT=1000000000\r\n"),
            ),
        )
        yield Case(
            "rrule_garbage",
            "bad",
            _write(
                "cal.ics",
                _ics("DTSTART:20200101T000000Z\r\nRRULE:FREQ=NEVER;BYSETPOS=999999999\r\n"),
            ),
        )
        yield Case("ics_dates", "year0", _write("cal.ics", _ics("DTSTART:00000101T000000Z\r\n")))
        yield Case(
            "ics_dates",
            "year9999",
            _write("cal.ics", _ics("DTSTART:99991231T235959Z\r\nRRULE:FREQ=DAILY\r\n")),
        )
        yield Case("ics_dates", "negative", _write("cal.ics", _ics("DTSTART:-0001231T000000Z\r\n")))
        yield Case("ics_nested_100k", "vevent", _write("cal.ics", lambda: _ics_nested(100_000)))
        yield Case(
            "ics_attendees_10k",
            "10k",
            _write(
                "cal.ics",
                _ics(
                    "DTSTART:20240101T100000Z\r\n"
                    + "".join(f"ATTENDEE:mailto:p{i}@example.com\r\n" for i in range(10_000))
                ),
            ),
        )
    if "email" in names:
        yield Case(
            "mail_header_100mb",
            "to",
            _write("mail.mbox", lambda: _huge_header_mbox(100 * MB)),
            expensive=True,
        )
        yield Case("mail_header_2mb", "to", _write("mail.mbox", lambda: _huge_header_mbox(2 * MB)))
        yield Case("mail_recipients_10k", "to", _write("mail.mbox", lambda: _recipients(10_000)))
        yield Case(
            "mail_dates",
            "year0+9999+neg",
            _write(
                "mail.mbox",
                _mbox(
                    _mail(
                        "From: a@example.com\nTo: b@example.com\nDate: Mon, 1 Jan 0000 00:00:00 +0000"
                    ),
                    _mail(
                        "From: a@example.com\nTo: c@example.com\nDate: Fri, 31 Dec 9999 23:59:59 -2359"
                    ),
                    _mail("From: a@example.com\nTo: d@example.com\nDate: -1"),
                    _mail(
                        "From: a@example.com\nTo: e@example.com\nDate: Mon, 1 Jan 2024 00:00:00 +9999"
                    ),
                ),
            ),
        )
        yield Case(
            "mail_encoded_words",
            "broken",
            _write(
                "mail.mbox",
                _mbox(
                    _mail(
                        "From: =?utf-8?b?!!!?= <a@example.com>\nTo: =?x-unknown?q?=FF=FE?= <b@example.com>, =?utf-8?q?\u202eevil?= <c@example.com>\n"
                        'Cc: "\x00\x01" <@>, <<<>>>, @@@, \nDate: Mon, 1 Jan 2024 00:00:00 +0000'
                    )
                ),
            ),
            expect_names_clean=True,
        )
        yield Case(
            "mail_control_bidi",
            "from",
            _write(
                "mail.eml",
                _mail(
                    f"From: {BIDI_NAME} <bidi@example.com>\nTo: me@example.com\nDate: Mon, 1 Jan 2024 00:00:00 +0000"
                ).encode(),
            ),
            expect_names_clean=True,
        )
    if "whatsapp" in names:
        yield Case(
            "whatsapp_dates",
            "year9999",
            _write(
                "WhatsApp Chat with J.txt",
                _whatsapp(
                    [
                        "31/12/9999, 23:59 - Jane Roe: hi",
                        "00/00/0000, 25:61 - Jane Roe: hi",
                        "01/01/2024, 10:00 - Jane Roe: ok",
                    ]
                ),
            ),
        )
        yield Case(
            "whatsapp_long_line",
            "2MB",
            _write(
                "WhatsApp Chat with J.txt",
                lambda: _whatsapp(["01/01/2024, 10:00 - Jane Roe: " + "x" * (2 * MB)]),
            ),
        )
        yield Case(
            "whatsapp_control_bidi",
            "sender",
            _write(
                "WhatsApp Chat with J.txt",
                _whatsapp([f"01/01/2024, 10:00 - {BIDI_NAME}: hi", "01/01/2024, 10:01 - Me: yo"]),
            ),
            expect_names_clean=True,
        )


def all_cases(*, expensive: bool = True) -> list[Case]:
    """The whole corpus, in a stable order; ``expensive=False`` leaves out the big files."""
    cases = [*archive_cases(), *special_cases(), *format_cases(), *generic_cases()]
    return [c for c in cases if expensive or not c.expensive]


def kinds(cases: list[Case]) -> list[str]:
    return sorted({c.kind for c in cases})
