"""Vocabularies: fictional phone ranges, manager titles, slugs."""

from __future__ import annotations

from weakties.domain.identities import normalize_phone
from weakties.synth.names import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    TITLES,
    fictional_phone_pool,
    is_manager_title,
    slugify,
)


def test_phone_pools_are_the_fictional_ranges_in_e164() -> None:
    gb, us = fictional_phone_pool("GB"), fictional_phone_pool("US")
    assert (len(gb), len(set(gb))) == (1000, 1000)
    assert gb[0] == "+447700900000" and gb[-1] == "+447700900999"
    assert len(set(us)) == 2000 and "+12025550142" in us
    assert all(normalize_phone(p) == p for p in gb[:50] + us[:50])
    assert not any("5550200" in p or "5550099" in p for p in us)


def test_manager_titles() -> None:
    assert is_manager_title("Head of Product")
    assert is_manager_title("Engineering Manager")
    assert is_manager_title("VP of Sales")
    assert not is_manager_title("Product Manager")
    assert not is_manager_title("Senior Software Engineer")
    assert len(TITLES) == len(set(TITLES)) == 63


def test_slugify_folds_to_ascii() -> None:
    assert slugify("João Lachance") == "joao-lachance"
    assert slugify("  Acme Bank, plc ") == "acme-bank-plc"


def test_name_lists_have_no_duplicates() -> None:
    assert len(GIVEN_NAMES) == len(set(GIVEN_NAMES)) >= 150
    assert len(FAMILY_NAMES) == len(set(FAMILY_NAMES)) >= 150
