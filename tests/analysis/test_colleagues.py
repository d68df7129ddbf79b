"""Colleague pairs from affiliations, including current jobs known without dates (a LinkedIn
connection's company), which count as overlapping for a cautious half year."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pytest

from weakties.engines.local import UNDATED_OVERLAP_YEARS, FactColumns, tenure_pairs

YEAR = 365.25 * 86400.0
NOW = 2_000_000_000.0
NAN = float("nan")


@dataclass
class Affiliations:
    aff_person: np.ndarray
    aff_org: np.ndarray
    aff_start: np.ndarray
    aff_end: np.ndarray


def pairs(rows: list[tuple[int, int, float, float]]) -> dict[tuple[int, int], float]:
    person, org, start, end = (np.array(col) for col in zip(*rows, strict=True))
    facts = Affiliations(person.astype(np.int64), org.astype(np.int64), start, end)
    found = tenure_pairs(cast(FactColumns, facts), NOW)
    return {
        (int(a), int(b)): float(y) for a, b, y in zip(found.a, found.b, found.years, strict=True)
    }


def test_two_people_at_the_same_company_now_overlap_for_the_cautious_floor() -> None:
    assert UNDATED_OVERLAP_YEARS == 0.5
    assert pairs([(1, 7, NAN, NAN), (2, 7, NAN, NAN)]) == {(1, 2): pytest.approx(0.5)}


def test_a_dated_colleague_overlaps_an_undated_one_only_while_both_are_there() -> None:
    found = pairs(
        [
            (1, 7, NOW - 2 * YEAR, NAN),  # joined two years ago, still there
            (2, 7, NAN, NAN),  # there now, since when unknown
            (3, 7, NOW - 5 * YEAR, NOW - 3 * YEAR),  # left three years ago
            (4, 7, NOW - 5 * YEAR, NOW - 0.2 * YEAR),  # left two months ago
        ]
    )
    assert found[(1, 2)] == pytest.approx(0.5)
    assert (1, 3) not in found  # never there at the same time
    assert (2, 3) not in found  # gone before the floor of the undated job
    assert found[(2, 4)] == pytest.approx(0.3)  # from the floor until they left
    assert found[(1, 4)] == pytest.approx(1.8)


def test_a_past_job_without_dates_cannot_be_placed() -> None:
    assert pairs([(1, 7, NAN, NOW - YEAR), (2, 7, NAN, NAN)]) == {}
