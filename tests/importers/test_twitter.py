"""X/Twitter archive importer, on a synthetic archive written here."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.importers._contacts import GOLDEN, run, sniff, zip_folder
from tests.importers.goldens import check_golden
from weakties.domain.ledger import Channel, Direction, InteractionKind
from weakties.domain.records import InteractionRecord, Skipped
from weakties.errors import ImportFailed
from weakties.importers.registry import ImportOptions
from weakties.importers.twitter import IMPORTER, SKIP_LARGE

HERE = GOLDEN / "twitter"
WRITTEN = 1_700_000_000
ME, ANA, BO = "1001", "2002", "3003"


def _js(folder: Path, name: str, part: str, data: Any) -> None:
    text = f"window.YTD.{part}.part0 = " + json.dumps(data, indent=2)
    (folder / name).write_text(text)
    os.utime(folder / name, (WRITTEN, WRITTEN))


def _dm(sender: str, recipient: str, at: str, mid: str) -> dict[str, Any]:
    create = {
        "senderId": sender,
        "recipientId": recipient,
        "createdAt": at,
        "id": mid,
        "text": "secret",
        "reactions": [],
    }
    return {"messageCreate": create}


def write_archive(root: Path, *, account: bool = True) -> Path:
    data = root / "data"
    data.mkdir(parents=True)
    if account:
        _js(
            data,
            "account.js",
            "account",
            [
                {
                    "account": {
                        "accountId": ME,
                        "username": "robinq",
                        "accountDisplayName": "Robin Quist",
                        "email": "robin@example.com",
                    }
                }
            ],
        )
    _js(
        data,
        "follower.js",
        "follower",
        [
            {
                "follower": {
                    "accountId": ANA,
                    "userLink": f"https://twitter.com/intent/user?user_id={ANA}",
                }
            },
            {"follower": {"userLink": "no id"}},
        ],
    )
    _js(data, "following.js", "following", [{"following": {"accountId": BO}}])
    _js(
        data,
        "direct-messages.js",
        "direct_messages",
        [
            {
                "dmConversation": {
                    "conversationId": f"{ME}-{ANA}",
                    "messages": [
                        _dm(ANA, ME, "2023-05-02T10:00:00.000Z", "9001"),
                        _dm(ME, ANA, "2023-05-02T10:05:00.000Z", "9002"),
                    ],
                }
            },
            {
                "dmConversation": {
                    "conversationId": f"{ME}-{BO}",
                    "messages": [
                        _dm(ME, BO, "2023-06-01T08:00:00.000Z", "9003"),
                    ],
                }
            },
        ],
    )
    group = [
        {
            "messageCreate": {
                "senderId": str(5000 + i),
                "createdAt": "2023-07-01T00:00:00Z",
                "id": str(9100 + i),
            }
        }
        for i in range(21)
    ]
    _js(
        data,
        "direct-messages-group.js",
        "direct_messages_group",
        [
            {
                "dmConversation": {
                    "conversationId": "777",
                    "messages": [
                        {"joinConversation": {"initiatingUserId": ANA, "participantsSnapshot": []}},
                        {
                            "messageCreate": {
                                "senderId": ANA,
                                "createdAt": "2023-07-02T00:00:00Z",
                                "id": "9200",
                            }
                        },
                        {
                            "messageCreate": {
                                "senderId": ME,
                                "createdAt": "2023-07-02T00:01:00Z",
                                "id": "9201",
                            }
                        },
                    ],
                }
            },
            {"dmConversation": {"conversationId": "888", "messages": group}},
        ],
    )
    _js(data, "tweets.js", "tweets", [])
    return root


def test_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_archive(tmp_path / "archive")
    monkeypatch.chdir(tmp_path)
    check_golden(run(IMPORTER, Path("archive")), HERE / "archive.json")


def test_what_is_kept(tmp_path: Path) -> None:
    records = run(IMPORTER, write_archive(tmp_path / "a"))
    kept = [r for r in records if isinstance(r, InteractionRecord)]
    summary = [
        (
            r.channel,
            r.kind,
            r.participants[0][0].key,
            [p.key for p, _ in r.participants[1:]],
            r.direction,
        )
        for r in kept
    ]
    t = "twitter:"
    assert summary == [
        # direct-messages-group.js: the small group (ana and me); the 22-member one is skipped
        (Channel.MESSAGE, InteractionKind.CONVERSATION, t + ANA, [t + ME], Direction.INBOUND),
        (Channel.MESSAGE, InteractionKind.CONVERSATION, t + ME, [t + ANA], Direction.OUTBOUND),
        # direct-messages.js
        (Channel.MESSAGE, InteractionKind.CONVERSATION, t + ANA, [t + ME], Direction.INBOUND),
        (Channel.MESSAGE, InteractionKind.CONVERSATION, t + ME, [t + ANA], Direction.OUTBOUND),
        (Channel.MESSAGE, InteractionKind.CONVERSATION, t + ME, [t + BO], Direction.OUTBOUND),
        # follower.js, following.js
        (Channel.SOCIAL, InteractionKind.FOLLOW, t + ANA, [t + ME], Direction.INBOUND),
        (Channel.SOCIAL, InteractionKind.FOLLOW, t + ME, [t + BO], Direction.OUTBOUND),
    ]
    assert kept[-1].occurred_at.timestamp() == WRITTEN
    assert kept[2].participants[1][0].is_me and kept[2].participants[1][0].name == "Robin Quist"
    assert SKIP_LARGE in [r.reason for r in records if isinstance(r, Skipped)]
    assert "secret" not in repr(records)


def test_owner_from_conversations_and_candidates(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "a", account=False)
    records = run(IMPORTER, archive)  # ME is in both 1:1 conversations
    owners = {
        p.key
        for r in records
        if isinstance(r, InteractionRecord)
        for p, _ in r.participants
        if p.is_me
    }
    assert owners == {"twitter:" + ME}
    data = archive / "data"
    _js(
        data,
        "direct-messages.js",
        "direct_messages",
        [{"dmConversation": {"conversationId": f"{ME}-{ANA}", "messages": []}}],
    )
    with pytest.raises(ImportFailed, match=rf"candidates: {ME} \(1 conversations\), {ANA}"):
        run(IMPORTER, archive)
    assert any(r for r in run(IMPORTER, archive, ImportOptions(me=(ME,))))


def test_zip_sniff_and_keys(tmp_path: Path) -> None:
    folder = write_archive(tmp_path / "a")
    archive = zip_folder(folder, tmp_path / "twitter-2024.zip")
    assert sniff(IMPORTER, archive) > 0.9
    keys = [r.key for r in run(IMPORTER, archive) if isinstance(r, InteractionRecord)]
    assert len(keys) == len(set(keys)) == 7


def test_bad_file_is_one_line(tmp_path: Path) -> None:
    folder = write_archive(tmp_path / "a")
    (folder / "data" / "follower.js").write_text("window.YTD.follower.part0 = [{")
    with pytest.raises(ImportFailed, match=r"follower\.js: not valid JSON"):
        run(IMPORTER, folder)
