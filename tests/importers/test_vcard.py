"""vCard importer: goldens per writer and version, repairs, hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.importers._contacts import FOREIGN_FILES, GOLDEN, run, sniff
from tests.importers.goldens import check_golden
from weakties.domain.dates import PartialDate
from weakties.domain.records import ContactRecord, Problem, RelationRecord
from weakties.errors import ImportFailed
from weakties.importers.vcard import IMPORTER

HERE = GOLDEN / "vcard"
VARIANTS = ["iphone_3.0", "android_2.1", "vcard_4.0", "outlook_2.1", "google_3.0"]


def card(*lines: str, version: str = "3.0") -> str:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]) + "\r\n"


def contacts(path: Path) -> list[ContactRecord]:
    return [r for r in run(IMPORTER, path) if isinstance(r, ContactRecord)]


@pytest.mark.parametrize("variant", VARIANTS)
def test_golden(variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    check_golden(run(IMPORTER, Path(f"{variant}.vcf")), HERE / f"{variant}.json")


def test_quoted_printable_soft_breaks_and_charset(tmp_path: Path) -> None:
    path = tmp_path / "a.vcf"
    text = card(
        "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Gar=E7on;Fran=E7ois",
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:caf=C3=A9 au =",
        "lait =E2=82=AC",
        version="2.1",
    )
    path.write_text(text, encoding="ascii")
    (contact,) = contacts(path)
    assert (contact.given_name, contact.family_name) == ("François", "Garçon")
    assert contact.note == "café au lait €"


def test_base64_photo_without_indentation_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "a.vcf"
    photo = ["PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQ"] + ["QUFBQUFB" * 9] * 2000
    path.write_text(card("FN:Ida Pell", *photo, "", "EMAIL:ida@example.com", version="2.1"))
    (contact,) = run(IMPORTER, path)
    assert isinstance(contact, ContactRecord)
    assert [i.value for i in contact.identities] == ["ida@example.com"]


def test_folded_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.vcf"
    path.write_text(card("FN:Jo", " nas Ek", "EMAIL:jonas@exa", "\tmple.com"))
    (contact,) = contacts(path)
    assert (contact.name, contact.identities[0].value) == ("Jonas Ek", "jonas@example.com")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("BDAY:1985-03-15", PartialDate(1985, 3, 15)),
        ("BDAY:19850315", PartialDate(1985, 3, 15)),
        ("BDAY;VALUE=date:1985-03-15T00:00:00Z", PartialDate(1985, 3, 15)),
        ("BDAY:--0315", None),
        ("BDAY:--03-15", None),
        ("BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-15", None),
        ("BDAY:sometime in spring", None),
    ],
)
def test_birthdays(tmp_path: Path, line: str, expected: PartialDate | None) -> None:
    path = tmp_path / "a.vcf"
    path.write_text(card("FN:Kai Moss", line))
    (contact,) = contacts(path)
    assert contact.birthday == expected


def test_grouped_labels_and_relations(tmp_path: Path) -> None:
    path = tmp_path / "a.vcf"
    path.write_text(
        card(
            "FN:Lea Wand",
            "item1.EMAIL;type=INTERNET:lea@example.org",
            "item1.X-ABLabel:_$!<HomePage>!$_",
            "item2.X-ABRELATEDNAMES:Max Wand",
            "item2.X-ABLabel:_$!<Brother>!$_",
            "UID:lea-1",
        )
    )
    contact, relation = run(IMPORTER, path)
    assert isinstance(contact, ContactRecord) and isinstance(relation, RelationRecord)
    assert contact.key == "vcard:uid:lea-1"
    assert contact.identities[0].label == "homepage"
    assert (relation.a.key, relation.b.name, relation.label) == (
        "vcard:uid:lea-1",
        "Max Wand",
        "brother",
    )


def test_one_bad_card_does_not_stop_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.vcf"
    broken = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Lost Card\r\n"
    path.write_text(card("FN:First One") + broken + card("FN:Third One"))
    records = run(IMPORTER, path)
    assert [type(r) for r in records] == [ContactRecord, Problem, ContactRecord]
    assert records[1].origin.locator == "card 2, line 5"  # 4 lines of card 1 before it


def test_many_cards_utf16_from_outlook(tmp_path: Path) -> None:
    path = tmp_path / "a.vcf"
    text = "".join(card(f"FN:Person Ñ{i}", f"EMAIL:p{i}@example.com") for i in range(300))
    path.write_bytes(text.encode("utf-16"))
    found = contacts(path)
    assert [c.name for c in found] == [f"Person Ñ{i}" for i in range(300)]


def test_cp1252_card(tmp_path: Path) -> None:
    path = tmp_path / "a.vcf"
    path.write_bytes(card("FN:Zoë Ångström", "N:Ångström;Zoë", version="2.1").encode("cp1252"))
    (contact,) = contacts(path)
    assert (contact.name, contact.family_name) == ("Zoë Ångström", "Ångström")


def test_sniff(tmp_path: Path) -> None:
    for variant in VARIANTS:
        assert sniff(IMPORTER, HERE / f"{variant}.vcf") > 0
    renamed = tmp_path / "contacts.dat"
    renamed.write_bytes((HERE / "google_3.0.vcf").read_bytes())
    assert sniff(IMPORTER, renamed) > 0
    for name, data in FOREIGN_FILES.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert sniff(IMPORTER, path) == 0, name
    for other in ("linkedin/modern", "google_csv/outlook.csv", "facebook/layout_2019"):
        assert sniff(IMPORTER, GOLDEN / other) == 0, other


def test_not_a_vcard(tmp_path: Path) -> None:
    path = tmp_path / "contacts.vcf"
    path.write_bytes(FOREIGN_FILES["calendar.ics"])
    with pytest.raises(ImportFailed, match=r"contacts\.vcf: not a vCard"):
        run(IMPORTER, path)
    path.write_bytes(FOREIGN_FILES["photo.jpg"])
    with pytest.raises(ImportFailed, match="binary"):
        run(IMPORTER, path)


def test_overlong_line_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "a.vcf"
    path.write_text(card("FN:Nia Vo", "NOTE:" + "x" * (1024**2 + 10), "EMAIL:nia@example.com"))
    contact, problem = run(IMPORTER, path)
    assert isinstance(contact, ContactRecord) and contact.note is None
    assert isinstance(problem, Problem) and "unreadable line" in problem.message
