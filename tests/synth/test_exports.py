"""The synthetic world's export files: readable by the real importers, deterministic, fictional,
and joined back into the world's people by identity resolution."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import func, select

from weakties.domain.records import Problem, Skipped
from weakties.importers.files import iter_sources
from weakties.importers.registry import ImportOptions, get_importer
from weakties.store import schema as s
from weakties.synth.exports import ExportSet, RecordKind, write_exports
from weakties.synth.world import World, build_world
from weakties.workspace import Workspace

SEED = 11
CONTACTS = 300
TODAY = "2026-11-27"


def _bench() -> ModuleType:
    """bench/resolution_bench.py, which holds the import-and-score procedure."""
    path = Path(__file__).resolve().parents[2] / "bench" / "resolution_bench.py"
    spec = importlib.util.spec_from_file_location("resolution_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("resolution_bench", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(SEED, contacts=CONTACTS)


@pytest.fixture(scope="module")
def exports(world: World, tmp_path_factory: pytest.TempPathFactory) -> ExportSet:
    return write_exports(world, tmp_path_factory.mktemp("exports"), seed=SEED)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_every_export_parses_with_its_importer(exports: ExportSet) -> None:
    skipped: Counter[str] = Counter()
    for f in exports.files:
        importer = get_importer(f.importer)
        sources = list(iter_sources(f.path))
        assert importer.sniff(f.path, sources) > 0, f.path.name
        records = list(importer.iter_records(f.path, sources, ImportOptions(me=f.me, today=TODAY)))
        problems = [str(r) for r in records if isinstance(r, Problem)]
        assert problems == [], f.path.name
        skipped.update(f"{f.importer}: {r.reason}" for r in records if isinstance(r, Skipped))
        assert len(records) > len(skipped)
    # only what was planted to be skipped: six bulk mails and WhatsApp's encryption notices
    assert sum(v for k, v in skipped.items() if k.startswith("email")) == 6
    assert {k for k in skipped if not k.startswith("email")} <= {"whatsapp: system message"}


def test_exports_are_deterministic(world: World, exports: ExportSet, tmp_path: Path) -> None:
    again = write_exports(world, tmp_path / "again", seed=SEED)
    assert _files(again.folder) == _files(exports.folder)
    assert again.truth == exports.truth
    other = write_exports(world, tmp_path / "other", seed=SEED + 1)
    assert _files(other.folder) != _files(exports.folder)


_EMAIL = re.compile(rb"[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]+)")
_PHONE = re.compile(rb"\+44 7700 9\d{5}|\(\d{3}\) 555-01\d\d|\+[\d ]{10,}")


def test_only_reserved_domains_and_fictional_numbers(exports: ExportSet) -> None:
    import zipfile

    texts = []
    for path in sorted(exports.folder.rglob("*")):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                texts += [archive.read(name) for name in archive.namelist()]
        elif path.is_file():
            texts.append(path.read_bytes().replace(b"\r\n ", b""))  # unfold iCalendar lines
    domains = {m.group(1).decode().lower() for t in texts for m in _EMAIL.finditer(t)}
    assert domains
    reserved = ("example.com", "example.net", "example.org")
    assert all(d in reserved or d.endswith(".example") for d in domains), domains
    phones = {m.group(0).decode() for t in texts for m in _PHONE.finditer(t)}
    assert phones
    assert all(
        p.startswith("+44 7700 9") or re.fullmatch(r"\(\d{3}\) 555-01\d\d", p) for p in phones
    ), phones


def test_truth_covers_every_file(exports: ExportSet) -> None:
    by_file = Counter(t.file.split("/")[0] for t in exports.truth)
    for f in exports.files:
        assert f.records > 0, f.path.name
    assert set(by_file) == {f.path.name for f in exports.files}
    kinds = Counter(t.kind for t in exports.truth)
    assert kinds[RecordKind.CONTACT] and kinds[RecordKind.EMAIL] and kinds[RecordKind.CHAT]


def test_importing_everything_rebuilds_the_worlds_people(
    world: World, exports: ExportSet, tmp_path: Path
) -> None:
    bench = _bench()
    ws = Workspace.open(str(tmp_path / "w.db"))
    try:
        reports = bench.import_all(ws, exports)
        assert all(r["problems"] == 0 for r in reports)
        found = bench.locate(ws, exports)
        quality = bench.score(exports.truth, found)
        assert quality["records_not_found"] == 0
        assert quality["merge_precision"] >= 0.99, quality
        assert quality["merge_recall"] >= 0.95, quality

        # the planted story: the helped stranger is one person, known by email and profile
        helped = world.people[world.story.helped]
        emails = [i.value for i in helped.identities if i.kind.value == "email"]
        url = next(i.value for i in helped.identities if i.kind.value == "url")
        person = ws.person(emails[0])
        assert person.id == ws.person(url).id
        assert fold(person.name) == fold(helped.name)
        # LinkedIn recommendations and endorsements arrive in the goodwill ledger
        with ws.transaction() as conn:
            favors = conn.execute(select(func.count()).select_from(s.favor)).scalar_one()
        assert favors == sum(
            v for k, v in exports.counts.items() if k.startswith("linkedin.endorse")
        ) + sum(v for k, v in exports.counts.items() if k.startswith("linkedin.recommend"))

        before = _snapshot(ws)
        again = bench.import_all(ws, exports)
        assert _snapshot(ws) == before
        assert all(r["merged"] == 0 and r["queued"] == 0 for r in again)
    finally:
        ws.close()


def fold(name: str) -> str:
    from weakties.domain.names import fold_name

    return fold_name(name)


def _snapshot(ws: Workspace) -> dict[str, int]:
    with ws.transaction() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (
                s.person,
                s.identity,
                s.interaction,
                s.participant,
                s.favor,
                s.merge_candidate,
                s.affiliation,
                s.person_alias,
            )
        }


def test_only_the_helped_persons_card_names_who_referred_them(
    world: World, exports: ExportSet
) -> None:
    import csv

    with (exports.folder / "contacts.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    related = [r for r in rows if r["Relation 1 - Value"]]
    helped = world.people[world.story.helped]
    addresses = {i.value for i in helped.identities if i.value.count("@") == 1}
    assert len(related) == 1 and related[0]["E-mail 1 - Value"] in addresses
    assert related[0]["Relation 1 - Label"] == "Referred by"
    assert related[0]["Relation 1 - Value"] == world.people[world.story.hiring_manager].name


def test_the_favours_carried_are_the_linkedin_recommendations_written(tmp_path: Path) -> None:
    import csv
    import io
    import zipfile

    world = build_world(7)  # the small world of this module has no recommendations
    exports = write_exports(world, tmp_path, seed=7)
    linkedin = next(f.path for f in exports.files if f.importer == "linkedin")
    with zipfile.ZipFile(linkedin) as archive:
        written = sum(
            len(list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8")))))
            for name in archive.namelist()
            if name.startswith("Recommendations_")
        )
    assert written == len(exports.favours) > 0
    for k in exports.favours:
        favour = world.favors[k]
        assert 0 in (favour.giver_id, favour.receiver_id)
        assert "LinkedIn recommendation" in favour.what
