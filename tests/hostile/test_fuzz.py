"""Property fuzzing of every registered importer's parser, in process, for a bounded time.

Each importer's seed file (tests/hostile/corpus.py, so importers added later are covered
through the registry) is mutated by hypothesis (byte flips, cuts, junk insertions,
duplications), bare and inside a zip; the parser must yield records or raise a one-line
ImportFailed. atheris (coverage-guided) has a wheel for this Python, but hypothesis keeps
the run bounded and shrinking in CI: ``FUZZ_N`` examples per seed (default 100, under a minute in all).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.corpus import GOLDEN, _seeds
from tests.importers.test_contact_fuzz import check, mutated
from weakties.importers.registry import get_importer

SEEDS = list(_seeds())
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_N", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)


@pytest.mark.parametrize(("name", "rel", "filename"), SEEDS, ids=[f"{n}:{f}" for n, _, f in SEEDS])
@FUZZ
@given(data=st.data(), zipped=st.booleans())
def test_every_parser_survives_mutation(
    name: str, rel: str, filename: str, data: st.DataObject, zipped: bool, tmp_path: Path
) -> None:
    body = data.draw(mutated((GOLDEN / rel).read_bytes()))
    importer = get_importer(name)
    if not zipped:
        check(importer, filename, body)
        return
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(filename, body)
    check(importer, "export.zip", archive.read_bytes())
