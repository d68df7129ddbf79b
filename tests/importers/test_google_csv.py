"""Google Contacts (both header styles) and Outlook CSV importer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.importers._contacts import FOREIGN_FILES, GOLDEN, run, sniff, write_zip
from tests.importers.goldens import check_golden
from weakties.domain.dates import PartialDate
from weakties.domain.identities import IdentityKind
from weakties.domain.records import ContactRecord, Problem, RelationRecord, Skipped
from weakties.errors import ImportFailed
from weakties.importers.google_csv import IMPORTER, CsvStyle, style_of

HERE = GOLDEN / "google_csv"
NEW_HEADER = (
    "First Name,Middle Name,Last Name,Organization Name,Organization Title,Birthday,Labels,"
    "E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,"
    "Relation 1 - Label,Relation 1 - Value"
)


VARIANTS = [
    "google_old",
    "google_new",
    "outlook",
    "outlook_action",
    "outlook_display",
    "google_extra_columns",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_golden(variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    check_golden(run(IMPORTER, Path(f"{variant}.csv")), HERE / f"{variant}.json")


@pytest.mark.parametrize(
    ("variant", "style"),
    [
        ("google_old", CsvStyle.GOOGLE_OLD),
        ("google_new", CsvStyle.GOOGLE_NEW),
        ("outlook", CsvStyle.OUTLOOK),
        ("outlook_action", CsvStyle.OUTLOOK),
        ("outlook_display", CsvStyle.OUTLOOK),
        ("google_extra_columns", CsvStyle.GOOGLE_OLD),
    ],
)
def test_style_from_header(variant: str, style: CsvStyle) -> None:
    raw = (HERE / f"{variant}.csv").read_bytes().decode("cp1252").splitlines()[0]
    assert style_of(tuple(c.strip().lower() for c in raw.split(","))) is style


def test_multiple_values_and_relations(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        NEW_HEADER + "\n"
        "Ana,,Ruiz,Acme,CTO,1990-02-03,Friends ::: * myContacts,* Work,"
        "ana@example.com ::: ana.ruiz@example.org,Mobile,+34 600 000 001,Sister,Eva Ruiz\n",
        encoding="utf-8",
    )
    contact, relation = run(IMPORTER, path)
    assert isinstance(contact, ContactRecord) and isinstance(relation, RelationRecord)
    assert [(i.kind, i.value, i.label) for i in contact.identities] == [
        (IdentityKind.EMAIL, "ana@example.com", "work"),
        (IdentityKind.EMAIL, "ana.ruiz@example.org", "work"),
        (IdentityKind.PHONE, "+34600000001", "mobile"),
    ]
    assert contact.tags == ("friends",)
    assert contact.birthday == PartialDate(1990, 2, 3)
    assert (relation.a.key, relation.b.name, relation.label) == (contact.key, "Eva Ruiz", "sister")


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8-sig"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_excel_resaves(tmp_path: Path, encoding: str, delimiter: str) -> None:
    header = NEW_HEADER.replace(",", delimiter)
    row = delimiter.join(["Renée", "", "Dupré", "Café Été", "", "", "", "", "r@example.com"])
    path = tmp_path / "contacts.csv"
    path.write_bytes((header + "\r\n" + row + "\r\n").encode(encoding))
    (contact,) = run(IMPORTER, path)
    assert isinstance(contact, ContactRecord)
    assert (contact.name, contact.affiliations[0].org) == ("Renée Dupré", "Café Été")


def test_last_first_names_are_turned_round(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(
        "Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value\n"
        '"van der Berg, Anna",,,* Home,anna@example.net\n',
        encoding="utf-8",
    )
    (contact,) = run(IMPORTER, path)
    assert isinstance(contact, ContactRecord)
    assert (contact.name, contact.given_name, contact.family_name) == (
        "Anna van der Berg",
        "Anna",
        "van der Berg",
    )


def test_rows_without_a_person_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(
        "Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,Organization 1 - Name\n"
        ",,,,,Some Company\n,,,,not-an-email,\n",
        encoding="utf-8",
    )
    assert [type(r) for r in run(IMPORTER, path)] == [Skipped, Skipped]


def test_outlook_keeps_personal_numbers_only() -> None:
    (priya, *_) = run(IMPORTER, HERE / "outlook.csv")
    assert isinstance(priya, ContactRecord)
    phones = [i.value for i in priya.identities if i.kind is IdentityKind.PHONE]
    # Company main phone and business fax would merge colleagues: left out.
    assert phones == ["+12125550199", "+12125550123"]


def test_sniff(tmp_path: Path) -> None:
    for variant in VARIANTS:
        assert sniff(IMPORTER, HERE / f"{variant}.csv") > 0
    for name, data in FOREIGN_FILES.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert sniff(IMPORTER, path) == 0, name
    for other in ("linkedin/modern", "linkedin/legacy_2018", "vcard/google_3.0.vcf"):
        assert sniff(IMPORTER, GOLDEN / other) == 0, other


def test_not_a_contacts_csv(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes((GOLDEN / "vcard" / "google_3.0.vcf").read_bytes())
    with pytest.raises(ImportFailed, match=r"contacts\.csv: not a Google Contacts"):
        run(IMPORTER, path)
    path.write_bytes(b"\x00\x01\x02binary\x00" * 100)
    with pytest.raises(ImportFailed, match="binary"):
        run(IMPORTER, path)


def test_bad_row_is_a_problem_not_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    huge = "x" * (2 * 1024**2)
    path.write_text(
        NEW_HEADER + f"\nAna,,Ruiz\n{huge},,\nBea,,Soto\n",
        encoding="utf-8",
    )
    records = run(IMPORTER, path)
    assert [type(r) for r in records] == [ContactRecord, Problem, ContactRecord]
    assert records[1].origin.locator == "line 3"


def test_zip_of_csv(tmp_path: Path) -> None:
    archive = write_zip(
        tmp_path / "takeout.zip",
        {"Takeout/Contacts/All Contacts/All Contacts.csv": (HERE / "google_new.csv").read_bytes()},
    )
    assert sniff(IMPORTER, archive) > 0
    names = [r.name for r in run(IMPORTER, archive) if isinstance(r, ContactRecord)]
    assert names == ["Mirela Ana Dovrin", "Nils Åberg"]


def test_outlook_one_name_variant_with_leading_columns(tmp_path: Path) -> None:
    """The issue's example: ``Action,ID,Name,E-mail Address,…`` (checked by hand)."""
    path = tmp_path / "export.csv"
    path.write_text(
        "Action,ID,Name,E-mail Address,Phone\n"
        'Add,1,"Okafor, Chidi",CHIDI@example.com,+1 212 555 0142\n',
        encoding="utf-8",
    )
    assert sniff(IMPORTER, path) > 0
    (contact,) = run(IMPORTER, path)
    assert isinstance(contact, ContactRecord)
    assert (contact.name, contact.given_name, contact.family_name) == (
        "Chidi Okafor",
        "Chidi",
        "Okafor",
    )
    assert [(i.kind, i.value) for i in contact.identities] == [
        (IdentityKind.EMAIL, "chidi@example.com"),
        (IdentityKind.PHONE, "+12125550142"),
    ]


def test_a_name_and_email_alone_is_not_outlook() -> None:
    """Plenty of CSVs have a Name and an Email column; only Outlook's spelling counts."""
    assert style_of(("name", "email", "phone")) is None
    assert style_of(("id", "name", "e-mail")) is None
