"""Mastodon export importer, on synthetic exports written here."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.importers._contacts import GOLDEN, run, sniff, zip_folder
from tests.importers.goldens import check_golden
from weakties.domain.identities import IdentityKind
from weakties.domain.ledger import Direction, InteractionKind
from weakties.domain.records import ContactRecord, InteractionRecord, Problem
from weakties.errors import ImportFailed
from weakties.importers.mastodon import IMPORTER, account_handle

HERE = GOLDEN / "mastodon"
WRITTEN = 1_700_000_000  # the export's file time: the date follows get


def write_export(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    follows = folder / "following_accounts.csv"
    follows.write_text(
        "Account address,Show boosts,Notify on new posts,Languages\n"
        "ana@social.example,true,false,\n"
        "@Bo@Fosstodon.Example,true,false,en\n"
        "not an account,true,false,\n"
        "ana@social.example,true,false,\n"
    )
    (folder / "lists.csv").write_text(
        "Climbing,ana@social.example\nClimbing,bo@fosstodon.example\nWork,bo@fosstodon.example\n"
    )
    (folder / "actor.json").write_text(
        json.dumps({"id": "https://mastodon.example/users/robin", "preferredUsername": "robin"})
    )
    note = {
        "id": "https://mastodon.example/users/robin/statuses/1",
        "type": "Note",
        "tag": [
            {
                "type": "Mention",
                "name": "@ana@social.example",
                "href": "https://social.example/@ana",
            },
            {"type": "Hashtag", "name": "#climbing"},
            {"type": "Mention", "href": "https://elsewhere.example/users/cy"},
        ],
    }
    outbox = {
        "orderedItems": [
            {"type": "Create", "published": "2024-03-01T09:30:00Z", "object": note},
            {
                "type": "Announce",
                "published": "2024-03-02T09:30:00Z",
                "object": "https://x.example/1",
            },
        ]
    }
    (folder / "outbox.json").write_text(json.dumps(outbox))
    for path in folder.iterdir():
        os.utime(path, (WRITTEN, WRITTEN))
    return folder


def test_handles() -> None:
    assert account_handle("@Ana@Social.Example") == "mastodon:ana@social.example"
    assert account_handle("ana@social.example") == "mastodon:ana@social.example"
    assert account_handle("https://social.example/@ana") == "mastodon:ana@social.example"
    assert account_handle("https://social.example/users/ana") == "mastodon:ana@social.example"
    assert account_handle("ana") is None and account_handle("a b@example.com") is None


def test_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_export(tmp_path / "export")
    monkeypatch.chdir(tmp_path)
    check_golden(run(IMPORTER, Path("export")), HERE / "export.json")


def test_what_is_kept(tmp_path: Path) -> None:
    records = run(IMPORTER, write_export(tmp_path / "export"))
    contacts = [r for r in records if isinstance(r, ContactRecord)]
    assert [(c.name, c.tags) for c in contacts] == [
        ("@ana@social.example", ("mastodon-following", "climbing")),
        ("@bo@fosstodon.example", ("mastodon-following", "climbing", "work")),
    ]
    assert contacts[1].identities[0].kind is IdentityKind.HANDLE
    follows = [r for r in records if isinstance(r, InteractionRecord)]
    assert [(f.kind, f.direction, f.occurred_at.timestamp()) for f in follows[:2]] == [
        (InteractionKind.FOLLOW, Direction.OUTBOUND, WRITTEN),
        (InteractionKind.FOLLOW, Direction.OUTBOUND, WRITTEN),
    ]
    owner = follows[0].participants[0][0]
    assert owner.is_me and owner.identities[0].value == "mastodon:robin@mastodon.example"
    mentioned = [f.participants[1][0].key for f in follows if f.kind is InteractionKind.COMMENT]
    assert mentioned == ["mastodon:ana@social.example", "mastodon:cy@elsewhere.example"]
    assert [p.origin.locator for p in records if isinstance(p, Problem)] == ["line 4"]


def test_zip_and_reimport_keys(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export")
    archive = zip_folder(folder, tmp_path / "export.zip")
    assert sniff(IMPORTER, archive) > 0 and sniff(IMPORTER, folder) > 0
    first = [getattr(r, "key", None) for r in run(IMPORTER, archive)]
    assert first == [getattr(r, "key", None) for r in run(IMPORTER, archive)]


def test_headerless_old_export(tmp_path: Path) -> None:
    path = tmp_path / "following_accounts.csv"
    path.write_text("ana@social.example\nbo@fosstodon.example\n")
    names = [r.name for r in run(IMPORTER, path) if isinstance(r, ContactRecord)]
    assert names == ["@ana@social.example", "@bo@fosstodon.example"]


def test_bad_outbox_is_one_line(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export")
    (folder / "outbox.json").write_text('{"orderedItems": [')
    with pytest.raises(ImportFailed, match=r"outbox\.json: not valid JSON"):
        run(IMPORTER, folder)
