"""LinkedIn export importer: goldens per layout, owner detection, hostile input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.importers._contacts import (
    FOREIGN_FILES,
    GOLDEN,
    run,
    sniff,
    without_files,
    write_zip,
    zip_folder,
)
from tests.importers.goldens import check_golden
from weakties.domain.ledger import Channel, Direction, FavorSize, InteractionKind
from weakties.domain.records import (
    ContactRecord,
    FavorRecord,
    InteractionRecord,
    Problem,
)
from weakties.errors import ImportFailed
from weakties.importers.files import iter_sources
from weakties.importers.linkedin import IMPORTER
from weakties.importers.registry import ImportOptions

HERE = GOLDEN / "linkedin"
CONNECTIONS_2022 = (
    'Notes:\n"When exporting your connection data, you may notice ..."\n\n'
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Ada,Quillfeather,https://www.linkedin.com/in/ada-q,,Acme Bank,PM,09 Sep 2022\n"
)


@pytest.mark.parametrize("variant", ["modern", "legacy_2018", "excel"])
def test_golden(variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    check_golden(run(IMPORTER, Path(variant)), HERE / f"{variant}.json")


def test_zip_reads_the_same_as_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = zip_folder(HERE / "modern", tmp_path / "Basic_LinkedInDataExport.zip")
    monkeypatch.chdir(HERE)
    assert without_files(run(IMPORTER, archive)) == without_files(run(IMPORTER, Path("modern")))


def test_connection_dates_in_every_layout(tmp_path: Path) -> None:
    rows = {
        "09 Sep 2022": datetime(2022, 9, 9, 12, tzinfo=UTC),  # no time: noon of the day
        "1/8/18, 6:14 PM": datetime(2018, 1, 8, 18, 14, tzinfo=UTC),
        "06-May-22": datetime(2022, 5, 6, 12, tzinfo=UTC),
    }
    lines = ["First Name,Last Name,Email Address,Company,Position,Connected On"]
    lines += [f'P{i},Q,,,,"{text}"' for i, text in enumerate(rows)]
    path = tmp_path / "Connections.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    moments = [r.occurred_at for r in run(IMPORTER, path) if isinstance(r, InteractionRecord)]
    assert moments == list(rows.values())


def test_messages_keep_no_content() -> None:
    records = run(IMPORTER, HERE / "modern")
    text = repr(records)
    assert "Secret content" not in text and "Multi-line" not in text
    messages = [
        r for r in records if isinstance(r, InteractionRecord) and r.channel is Channel.MESSAGE
    ]
    # 4 rows; one has an unreadable date
    assert len(messages) == 3
    assert [m.direction for m in messages] == [
        Direction.INBOUND,
        Direction.OUTBOUND,
        Direction.OUTBOUND,
    ]


def test_owner_is_the_url_in_every_conversation() -> None:
    records = run(IMPORTER, HERE / "modern")
    (me,) = [r for r in records if isinstance(r, ContactRecord) and r.is_me]
    assert me.name == "Wren Halloway"
    assert {i.value for i in me.identities} == {
        "https://www.linkedin.com/in/wren-halloway",
        "wren.halloway@example.net",
    }


def test_single_conversation_needs_me(tmp_path: Path) -> None:
    (tmp_path / "messages.csv").write_text(
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
        "DATE,SUBJECT,CONTENT,FOLDER\n"
        "c1,,Ann Ex,https://www.linkedin.com/in/ann-ex,Bo Ex,https://www.linkedin.com/in/bo-ex,"
        "2022-01-01 10:00:00 UTC,,hi,INBOX\n",
        encoding="utf-8",
    )
    records = run(IMPORTER, tmp_path)
    assert any(isinstance(r, Problem) and "--me" in r.message for r in records)
    assert not any(isinstance(r, InteractionRecord) for r in records)
    told = run(IMPORTER, tmp_path, ImportOptions(me=("linkedin.com/in/bo-ex",)))
    (message,) = [r for r in told if isinstance(r, InteractionRecord)]
    assert message.direction is Direction.INBOUND
    assert message.participants[1][0].is_me


def test_favours_sizes_and_directions() -> None:
    favours = [r for r in run(IMPORTER, HERE / "modern") if isinstance(r, FavorRecord)]
    summary = sorted((f.giver.is_me, f.size.value, f.what) for f in favours)
    assert summary == [
        (False, FavorSize.MEDIUM.value, "wrote a LinkedIn recommendation"),
        (False, FavorSize.SMALL.value, "endorsed SQL on LinkedIn"),
        (True, FavorSize.MEDIUM.value, "wrote a LinkedIn recommendation"),
        (True, FavorSize.SMALL.value, "endorsed Go on LinkedIn"),
    ]


def test_every_connection_is_a_social_tie() -> None:
    records = run(IMPORTER, HERE / "legacy_2018")
    contacts = [r for r in records if isinstance(r, ContactRecord)]
    ties = [r for r in records if isinstance(r, InteractionRecord)]
    assert len(contacts) == len(ties) == 3
    assert all(t.channel is Channel.SOCIAL and t.kind is InteractionKind.CONNECTION for t in ties)
    # Two namesakes without URL or email stay two people.
    assert len({c.key for c in contacts}) == 3


def test_reimport_gives_the_same_keys() -> None:
    first = [getattr(r, "key", None) for r in run(IMPORTER, HERE / "modern")]
    again = [getattr(r, "key", None) for r in run(IMPORTER, HERE / "modern")]
    assert first == again and len(set(k for k in first if k)) == len([k for k in first if k])


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8-sig"])
def test_excel_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "Connections.csv"
    text = "First Name,Last Name,Email Address,Company,Position,Connected On\r\n"
    text += "Zoë,Café,,Bäckerei,Owner,06-May-22\r\n"
    path.write_bytes(text.encode(encoding))
    (contact,) = [r for r in run(IMPORTER, path) if isinstance(r, ContactRecord)]
    assert (contact.name, contact.affiliations[0].org) == ("Zoë Café", "Bäckerei")


def test_sniff(tmp_path: Path) -> None:
    assert sniff(IMPORTER, HERE / "modern") == pytest.approx(0.95)
    renamed = tmp_path / "my-network.txt"
    renamed.write_text(CONNECTIONS_2022, encoding="utf-8")
    assert sniff(IMPORTER, renamed) > 0  # by content, not by name
    for name, data in FOREIGN_FILES.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert sniff(IMPORTER, path) == 0, name
    for other in ("google_csv/google_new.csv", "vcard/iphone_3.0.vcf", "facebook/layout_2023"):
        assert sniff(IMPORTER, GOLDEN / other) == 0, other


def test_not_what_the_name_says(tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_bytes(FOREIGN_FILES["photo.jpg"])
    with pytest.raises(ImportFailed, match=r"Connections\.csv"):
        run(IMPORTER, path)
    path.write_text("Name,Phone\nAnn,123\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="no LinkedIn export files"):
        run(IMPORTER, path)


def test_truncated_file_keeps_the_rows_before(tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_text(CONNECTIONS_2022 + 'Bo,Ex,https://www.linkedin.com/in/bo-ex,,"Glob', "utf-8")
    records = run(IMPORTER, path)
    assert next(r.name for r in records if isinstance(r, ContactRecord)) == "Ada Quillfeather"


def test_zip_with_path_traversal_is_refused(tmp_path: Path) -> None:
    archive = write_zip(
        tmp_path / "export.zip",
        {"Connections.csv": CONNECTIONS_2022.encode(), "../../evil.csv": b"x"},
    )
    with pytest.raises(ImportFailed, match="unsafe path"):
        run(IMPORTER, archive)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "bomb.zip", {"Connections.csv": b"\0" * (20 * 1024**2)})
    assert archive.stat().st_size < 200_000
    with pytest.raises(ImportFailed, match="zip bomb"):
        list(iter_sources(archive))
    with pytest.raises(ImportFailed):
        run(IMPORTER, archive)
