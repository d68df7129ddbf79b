"""The small fixes the hostile corpus led to, pinned by hand-checked examples."""

from __future__ import annotations

import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from weakties.cli.app import one_line
from weakties.domain.dates import PartialDate
from weakties.errors import ImportFailed
from weakties.importers import files
from weakties.importers.files import Source, iter_sources


def test_the_last_day_of_year_9999_has_a_midpoint() -> None:
    # 31 Dec 9999 00:00 to 23:59 (no next day exists): the middle is 11:59:30
    assert PartialDate(9999, 12, 31).midpoint() == datetime(9999, 12, 31, 11, 59, 30, tzinfo=UTC)
    assert PartialDate(2024, 2).midpoint() == datetime(2024, 2, 15, 12, tzinfo=UTC)


def test_error_lines_escape_control_and_bidi_characters() -> None:
    assert one_line("a\nb") == "a\\nb"
    assert one_line("evil\u202eexe.vcf") == "evil\\u202eexe.vcf"
    assert one_line("\x1b[31mred") == "\\x1b[31mred"
    assert one_line("Tomás 山田") == "Tomás 山田"


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    pipe = tmp_path / "contacts.vcf"
    os.mkfifo(pipe)
    with pytest.raises(ImportFailed, match="not a regular file"):
        list(iter_sources(pipe))


def test_links_out_of_an_export_folder_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "secret.vcf").write_text("x")
    export = tmp_path / "export"
    export.mkdir()
    (export / "a.vcf").write_text("x")
    (export / "inside.vcf").symlink_to(export / "a.vcf")
    (export / "out.vcf").symlink_to(tmp_path / "secret.vcf")
    assert sorted(s.basename for s in iter_sources(export)) == ["a.vcf", "inside.vcf"]


def test_a_damaged_member_fails_as_import_failed_naming_it(tmp_path: Path) -> None:
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("contacts.vcf", b"BEGIN:VCARD\r\nFN:A B\r\nEND:VCARD\r\n" * 300)
    data = bytearray(archive.read_bytes())
    data[30 + len("contacts.vcf") + 10] ^= 0xFF
    archive.write_bytes(bytes(data))
    (source,) = iter_sources(archive)
    with pytest.raises(ImportFailed, match=r"x\.zip!contacts\.vcf: damaged archive member"):
        source.read_bytes()


def test_an_archive_is_opened_once_for_all_its_members(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for i in range(50):
            out.writestr(f"{i}.vcf", b"")
    sources = list(iter_sources(archive))
    assert len({id(files.open_zip(s.path)) for s in sources}) == 1
    assert isinstance(sources[0], Source)
