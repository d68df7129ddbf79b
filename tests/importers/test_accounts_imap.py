"""Account URLs, IMAP LIST parsing and UID sets: the pure parts of sync."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weakties.errors import InvalidInput
from weakties.importers.accounts import AccountKind, parse_account
from weakties.importers.imap import Folder, _uid_set, folders_to_read, parse_list


def test_account_urls() -> None:
    gmail = parse_account("imaps://me@example.com@imap.gmail.com")
    assert (gmail.kind, gmail.secure, gmail.user, gmail.host, gmail.port) == (
        AccountKind.IMAP,
        True,
        "me@example.com",
        "imap.gmail.com",
        993,
    )
    assert gmail.url == "imaps://me@example.com@imap.gmail.com"
    plain = parse_account("IMAP://bob@Mail.Example.org:1143/")
    assert (plain.secure, plain.host, plain.port, plain.url) == (
        False,
        "mail.example.org",
        1143,
        "imap://bob@mail.example.org:1143",
    )
    dav = parse_account("carddavs://ada@dav.example.com/remote.php/dav/addressbooks/users/ada/")
    assert dav.path == "/remote.php/dav/addressbooks/users/ada"
    assert dav.http_url == "https://dav.example.com:443/remote.php/dav/addressbooks/users/ada"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("https://example.com", "not an account URL"),
        ("imap://imap.example.com", "no user name"),
        ("imap://me:hunter2@imap.example.com", "password in the URL"),
        ("caldav://me@", "no host"),
    ],
)
def test_bad_account_urls(raw: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        parse_account(raw)


@given(
    st.sampled_from(["imap", "imaps", "carddav", "carddavs", "caldav", "caldavs"]),
    st.from_regex(r"[a-z0-9._+-]{1,20}(@[a-z0-9-]{1,10}\.example)?", fullmatch=True),
    st.from_regex(r"[a-z0-9-]{1,12}(\.[a-z0-9-]{1,8}){0,2}", fullmatch=True),
    st.integers(1, 65535),
)
def test_canonical_url_reads_back_the_same(scheme: str, user: str, host: str, port: int) -> None:
    account = parse_account(f"{scheme}://{user}@{host}:{port}")
    assert parse_account(account.url) == account


@given(st.sets(st.integers(1, 5000), min_size=1, max_size=300))
def test_uid_sets_name_exactly_the_uids(uids: set[int]) -> None:
    text = _uid_set(sorted(uids))
    named: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition(":")
        named |= set(range(int(low), int(high or low) + 1))
    assert named == uids


def test_list_responses_and_folder_roles() -> None:
    lines: list[bytes | tuple[bytes, bytes] | None] = [
        b'(\\HasNoChildren) "/" INBOX',
        b'(\\HasNoChildren \\Sent) "/" "Sent Items"',
        b'(\\HasNoChildren \\Junk) "/" Junk',
        b'(\\Noselect \\HasChildren) "/" "[Gmail]"',
        (b'(\\HasNoChildren) "/" {10}', b'Caf\xc3\xa9 "x"'),
        b'(\\HasNoChildren) "/" "quo\\"ted"',
    ]
    folders = parse_list(lines)
    assert [f.name for f in folders] == [
        "INBOX",
        "Sent Items",
        "Junk",
        "[Gmail]",
        'Café "x"',
        'quo"ted',
    ]
    assert [f.name for f in folders_to_read(folders)] == [
        "INBOX",
        "Sent Items",
        'Café "x"',
        'quo"ted',
    ]
    gmail = [
        Folder("INBOX", frozenset()),
        Folder("[Gmail]/All Mail", frozenset({"\\all"})),
        Folder("[Gmail]/Sent Mail", frozenset({"\\sent"})),
        Folder("[Gmail]/Spam", frozenset({"\\junk"})),
    ]
    assert [f.name for f in folders_to_read(gmail)] == ["[Gmail]/All Mail", "[Gmail]/Sent Mail"]
