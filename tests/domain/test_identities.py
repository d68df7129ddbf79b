from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weakties.domain.identities import (
    IdentityKind,
    guess_identity,
    normalize_email,
    normalize_handle,
    normalize_phone,
    normalize_url,
)
from weakties.errors import InvalidInput


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane.Roe@Example.COM", "jane.roe@example.com"),
        ("  <jane@example.org> ", "jane@example.org"),
        ("mailto:Bob@example.net", "bob@example.net"),
    ],
)
def test_emails(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw", ["jane", "jane@", "@example.com", "a b@example.com", "x@example", "a..b@example.com"]
)
def test_bad_emails(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_email(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+44 20 7946 0958", "+442079460958"),
        ("0044 20 7946 0958", "+442079460958"),
        ("(201) 555-0123", "+12015550123"),  # national numbers default to the US region
        ("+1 23", None),
        ("+44 7700 900123", "+447700900123"),
    ],
)
def test_phones(raw: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(InvalidInput):
            normalize_phone(raw)
    else:
        assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://uk.linkedin.com/in/Jane-Roe/?trk=abc", "https://www.linkedin.com/in/jane-roe"),
        ("linkedin.com/in/jane-roe", "https://www.linkedin.com/in/jane-roe"),
        (
            "https://www.linkedin.com/in/jane-roe/details/experience/",
            "https://www.linkedin.com/in/jane-roe",
        ),
        ("https://twitter.com/JaneRoe", "https://x.com/janeroe"),
        ("https://x.com/janeroe/status/1", "https://x.com/janeroe"),
        (
            "https://m.facebook.com/profile.php?id=1234&ref=x",
            "https://www.facebook.com/profile.php?id=1234",
        ),
        ("https://www.example.com/about/", "https://example.com/about"),
    ],
)
def test_urls(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "not a url", "ftp://example.com/x", "https://localhost/x", "https://linkedin.com/"]
)
def test_bad_urls(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_url(raw)


def test_handles_and_guessing() -> None:
    assert normalize_handle("Telegram:@Jane_R") == "telegram:jane_r"
    assert guess_identity("Jane@Example.com").kind is IdentityKind.EMAIL
    assert guess_identity("https://linkedin.com/in/x").kind is IdentityKind.URL
    assert guess_identity("+44 20 7946 0958").value == "+442079460958"
    with pytest.raises(InvalidInput):
        guess_identity("Jane Roe")


@given(st.from_regex(r"[A-Za-z0-9._%+-]{1,20}@[A-Za-z0-9]{1,10}\.(com|org|net)", fullmatch=True))
def test_email_normalisation_is_idempotent(raw: str) -> None:
    try:
        once = normalize_email(raw)
    except InvalidInput:
        return
    assert normalize_email(once) == once
    assert once == once.lower()
