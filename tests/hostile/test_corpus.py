"""Every hostile case through the real ``weakties import`` subprocess: one clean line or a clean import.

Bounds per case (tests/hostile/runner.py): 60 s wall time, 1 GB peak RSS over the process
tree, a 4 GB address-space cap. A failure must leave the database's logical dump as it was
(only the failed run noted in the import history); a success must be idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.corpus import Case, all_cases, kinds
from tests.hostile.runner import Verdict, make_template, run_case

CHEAP = all_cases(expensive=False)
# the two biggest files run here too (they are what a size cap is for); the rest in the bench
EXPENSIVE = [c for c in all_cases() if c.kind in {"mail_header_100mb", "csv_field_50mb"}]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield make_template(tmp_path_factory.mktemp("hostile-template"))


def test_the_corpus_is_broad() -> None:
    every = all_cases()
    assert len(kinds(every)) >= 40
    fmts = {c.fmt for c in every if c.kind == "truncated"}
    from weakties.importers.registry import all_importers

    assert fmts == {i.name for i in all_importers()}  # every importer is damaged somehow


@pytest.mark.parametrize("case", CHEAP + EXPENSIVE, ids=lambda c: c.id)
def test_hostile_case(case: Case, template: Path, tmp_path: Path) -> None:
    outcome = run_case(case, template, tmp_path)
    assert outcome.verdict is Verdict.CLEAN, outcome.describe()
