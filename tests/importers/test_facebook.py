"""Facebook export importer: goldens per layout, mojibake, owner detection, hostile JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.importers._contacts import (
    FOREIGN_FILES,
    GOLDEN,
    run,
    sniff,
    without_files,
    write_zip,
    zip_folder,
)
from tests.importers.goldens import check_golden
from weakties.domain.ledger import Channel, Direction, InteractionKind
from weakties.domain.records import ContactRecord, InteractionRecord, Problem
from weakties.errors import ImportFailed
from weakties.importers.facebook import IMPORTER, repair_mojibake
from weakties.importers.registry import ImportOptions

HERE = GOLDEN / "facebook"


def thread(participants: list[str], senders: list[str], path: str = "inbox/t_1") -> bytes:
    messages = [
        {"sender_name": s, "timestamp_ms": 1_600_000_000_000 + i * 60_000, "type": "Generic"}
        for i, s in enumerate(senders)
    ]
    data = {"participants": [{"name": p} for p in participants], "messages": messages}
    return json.dumps({**data, "thread_path": path}).encode()


@pytest.mark.parametrize("variant", ["layout_2019", "layout_2023"])
def test_golden(variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    check_golden(run(IMPORTER, Path(variant)), HERE / f"{variant}.json")


def test_zip_reads_the_same_as_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = zip_folder(HERE / "layout_2023", tmp_path / "facebook-wren.zip")
    monkeypatch.chdir(HERE)
    assert without_files(run(IMPORTER, archive)) == without_files(
        run(IMPORTER, Path("layout_2023"))
    )


@given(st.text(min_size=0, max_size=30))
def test_mojibake_round_trip(text: str) -> None:
    mangled = text.encode("utf-8").decode("latin-1")
    assert repair_mojibake(mangled) == text


def test_mojibake_leaves_real_text_alone() -> None:
    assert repair_mojibake("José García") == "José García"  # é alone is not valid UTF-8
    assert repair_mojibake("Żółw ☕") == "Żółw ☕"  # not Latin-1 at all
    assert repair_mojibake("plain") == "plain"


def test_names_are_repaired() -> None:
    names = {r.name for r in run(IMPORTER, HERE / "layout_2023") if isinstance(r, ContactRecord)}
    assert "Łukasz Żółw" in names


def test_messages_keep_no_content() -> None:
    records = run(IMPORTER, HERE / "layout_2023")
    assert "Secret" not in repr(records) and "Sunday" not in repr(records)
    calls = [r for r in records if isinstance(r, InteractionRecord) and r.channel is Channel.CALL]
    assert len(calls) == 1 and calls[0].direction is Direction.INBOUND


def test_owner_is_in_every_thread(tmp_path: Path) -> None:
    inbox = tmp_path / "messages" / "inbox"
    for i, other in enumerate(["Ann Ex", "Bo Ex", "Cy Ex"]):
        (inbox / f"t_{i}").mkdir(parents=True)
        (inbox / f"t_{i}" / "message_1.json").write_bytes(
            thread([other, "Me Owner"], [other, "Me Owner"], f"inbox/t_{i}")
        )
    records = [r for r in run(IMPORTER, tmp_path) if isinstance(r, InteractionRecord)]
    assert [r.direction for r in records] == [Direction.INBOUND, Direction.OUTBOUND] * 3
    assert all(any(p.is_me for p, _ in r.participants) for r in records)


def test_single_thread_needs_me(tmp_path: Path) -> None:
    folder = tmp_path / "messages" / "inbox" / "t_1"
    folder.mkdir(parents=True)
    (folder / "message_1.json").write_bytes(thread(["Ann Ex", "Bo Ex"], ["Ann Ex"]))
    records = run(IMPORTER, tmp_path)
    assert [type(r) for r in records] == [Problem]
    (message,) = run(IMPORTER, tmp_path, ImportOptions(me=("bo ex",)))
    assert isinstance(message, InteractionRecord) and message.direction is Direction.INBOUND


def test_friends_and_follows_are_social_ties() -> None:
    records = run(IMPORTER, HERE / "layout_2019")
    social = [
        (r.kind, r.direction)
        for r in records
        if isinstance(r, InteractionRecord) and r.channel is Channel.SOCIAL
    ]
    assert sorted(social) == sorted(
        [
            (InteractionKind.FOLLOW, Direction.OUTBOUND),
            (InteractionKind.CONNECTION, Direction.MUTUAL),
            (InteractionKind.CONNECTION, Direction.MUTUAL),
            (InteractionKind.INVITATION, Direction.INBOUND),
            (InteractionKind.INVITATION, Direction.OUTBOUND),
        ]
    )


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "your_friends.json"
    path.write_text('{"friends_v2": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ImportFailed, match="nested deeper"):
        run(IMPORTER, path)


def test_brackets_inside_strings_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "your_friends.json"
    name = "[[[[{{{{" * 20
    path.write_text(json.dumps({"friends_v2": [{"name": name, "timestamp": 1_600_000_000}]}))
    (contact, _) = run(IMPORTER, path)
    assert isinstance(contact, ContactRecord) and contact.name == name


def test_truncated_and_junk_json(tmp_path: Path) -> None:
    path = tmp_path / "friends.json"
    path.write_text('{"friends_v2": [{"name": "Ann Ex", "timest')
    with pytest.raises(ImportFailed, match=r"friends\.json: not valid JSON"):
        run(IMPORTER, path)
    path.write_bytes(FOREIGN_FILES["photo.jpg"])
    with pytest.raises(ImportFailed):
        run(IMPORTER, path)
    path.write_text("[1, 2, 3]")
    with pytest.raises(ImportFailed, match="not a Facebook export"):
        run(IMPORTER, path)


def test_sniff(tmp_path: Path) -> None:
    assert sniff(IMPORTER, HERE / "layout_2019") > 0
    assert sniff(IMPORTER, HERE / "layout_2023") > 0
    for name, data in FOREIGN_FILES.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert sniff(IMPORTER, path) == 0, name
    for other in ("linkedin/modern", "google_csv/google_new.csv", "vcard/vcard_4.0.vcf"):
        assert sniff(IMPORTER, GOLDEN / other) == 0, other


def test_zip_with_path_traversal_is_refused(tmp_path: Path) -> None:
    archive = write_zip(
        tmp_path / "facebook.zip",
        {"friends/friends.json": b'{"friends": []}', "/etc/passwd": b"x"},
    )
    with pytest.raises(ImportFailed, match="unsafe path"):
        run(IMPORTER, archive)
