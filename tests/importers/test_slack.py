"""Slack workspace export importer, on a synthetic export written here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.importers._contacts import GOLDEN, run, sniff, zip_folder
from tests.importers.goldens import check_golden
from weakties.domain.ledger import MAX_CONVERSATION, Channel, Direction, InteractionKind
from weakties.domain.records import InteractionRecord, Problem, Skipped
from weakties.errors import ImportFailed
from weakties.importers.registry import ImportOptions
from weakties.importers.slack import IMPORTER, SKIP_LARGE, SKIP_SYSTEM

HERE = GOLDEN / "slack"
T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC

USERS = [
    {
        "id": "U01",
        "name": "robin",
        "real_name": "Robin Quist",
        "profile": {"email": "robin@example.com", "display_name": "robin"},
    },
    {"id": "U02", "name": "ana", "real_name": "Ana Ruiz", "profile": {"email": "ana@example.org"}},
    {"id": "U03", "name": "bo", "profile": {"real_name": "Bo Lind"}},
    {"id": "B01", "name": "deploybot", "is_bot": True, "profile": {}},
    "not a user",
]


def _msg(user: str, at: int, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "user": user, "text": "hello", "ts": f"{at}.000100", **extra}


def write_export(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users.json").write_text(json.dumps(USERS))
    big = [f"U{i:03d}" for i in range(100, 100 + MAX_CONVERSATION)]
    channels = [
        {"id": "C01", "name": "climbing", "members": ["U01", "U02", "U03", "B01"]},
        {"id": "C02", "name": "general", "members": ["U01", "U02", "U03", *big]},
    ]
    (folder / "channels.json").write_text(json.dumps(channels))
    (folder / "climbing").mkdir()
    (folder / "climbing" / "2023-11-14.json").write_text(
        json.dumps(
            [
                {"type": "message", "subtype": "channel_join", "user": "U03", "ts": f"{T0}.1"},
                _msg(
                    "U01",
                    T0,
                    thread_ts=f"{T0}.000100",
                    reply_count=1,
                    reactions=[{"name": "+1", "users": ["U02", "U01"], "count": 2}],
                ),
                _msg("U02", T0 + 60, thread_ts=f"{T0}.000100", text="<@U03> any news?"),
                {"type": "message", "subtype": "bot_message", "bot_id": "B9", "ts": f"{T0 + 90}.5"},
                _msg("B01", T0 + 100),
                "garbage",
            ]
        )
    )
    (folder / "general").mkdir()
    (folder / "general" / "2023-11-15.json").write_text(
        json.dumps(
            [
                _msg(
                    "U03", T0 + 86400, text="welcome <@U01|robin>", thread_ts=f"{T0 + 86400}.000100"
                ),
                _msg("U02", T0 + 86500, thread_ts=f"{T0 + 86400}.000100"),
                _msg("U01", T0 + 86600),
            ]
        )
    )
    return folder


def test_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_export(tmp_path / "Example Slack export")
    monkeypatch.chdir(tmp_path)
    records = run(IMPORTER, Path("Example Slack export"), ImportOptions(me=("robin@example.com",)))
    check_golden(records, HERE / "export.json")


def test_what_is_kept(tmp_path: Path) -> None:
    """Checked by hand against the export written above."""
    records = run(IMPORTER, write_export(tmp_path / "x"), ImportOptions(me=("Robin Quist",)))
    kept = [r for r in records if isinstance(r, InteractionRecord)]
    summary = [
        (
            r.channel,
            r.kind,
            r.participants[0][0].name,
            sorted(str(p.name) for p, _ in r.participants[1:]),
            r.direction,
        )
        for r in kept
    ]
    assert summary == [
        # the thread parent: robin to the thread's other participant (ana)
        (
            Channel.MESSAGE,
            InteractionKind.CONVERSATION,
            "Robin Quist",
            ["Ana Ruiz"],
            Direction.OUTBOUND,
        ),
        # ana's reaction to it (robin's own reaction is not a tie)
        (Channel.SOCIAL, InteractionKind.LIKE, "Ana Ruiz", ["Robin Quist"], Direction.INBOUND),
        (
            Channel.MESSAGE,
            InteractionKind.CONVERSATION,
            "Ana Ruiz",
            ["Robin Quist"],
            Direction.INBOUND,
        ),
        # ana mentions bo, robin not involved
        (Channel.SOCIAL, InteractionKind.COMMENT, "Ana Ruiz", ["Bo Lind"], Direction.UNKNOWN),
        # general is large, but a thread in it is a small conversation (bo and ana)
        (Channel.MESSAGE, InteractionKind.CONVERSATION, "Bo Lind", ["Ana Ruiz"], Direction.UNKNOWN),
        (Channel.SOCIAL, InteractionKind.COMMENT, "Bo Lind", ["Robin Quist"], Direction.INBOUND),
        (Channel.MESSAGE, InteractionKind.CONVERSATION, "Ana Ruiz", ["Bo Lind"], Direction.UNKNOWN),
        # robin's plain message to the large channel is skipped
    ]
    reasons = [r.reason for r in records if isinstance(r, Skipped)]
    assert reasons.count(SKIP_SYSTEM) == 1 and reasons.count(SKIP_LARGE) == 1
    assert len([r for r in records if isinstance(r, Problem)]) == 1  # "garbage"
    assert kept[0].occurred_at.isoformat() == "2023-11-14T22:13:20.000100+00:00"


def test_zip_and_folder_read_the_same(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export")
    archive = zip_folder(folder, tmp_path / "slack.zip", prefix="Example Slack export/")
    assert sniff(IMPORTER, archive) > 0.9 and sniff(IMPORTER, folder) > 0.9
    keys = [r.key for r in run(IMPORTER, archive) if isinstance(r, InteractionRecord)]
    assert keys == [r.key for r in run(IMPORTER, folder) if isinstance(r, InteractionRecord)]
    assert len(keys) == len(set(keys))


def test_bad_users_file_is_one_line(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export")
    (folder / "users.json").write_text('{"users": [')
    with pytest.raises(ImportFailed, match=r"users\.json: not valid JSON"):
        run(IMPORTER, folder)


def test_not_slack(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text("[]")
    assert sniff(IMPORTER, tmp_path) == 0


def test_import_twice_into_a_workspace_changes_nothing(tmp_path: Path) -> None:
    from weakties.workspace import Workspace

    folder = write_export(tmp_path / "export")
    with Workspace.open(str(tmp_path / "w.db")) as ws:
        first = ws.import_path(folder, me=("robin@example.com",))
        assert first.importer == "slack"  # found by sniffing
        assert first.counts["interaction.new"] == 7
        again = ws.import_path(folder, me=("robin@example.com",))
        assert again.counts["interaction.unchanged"] == 7
        assert again.counts["interaction.new"] == 0


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_message = st.fixed_dictionaries(
    {},
    optional={
        "type": st.just("message") | _json,
        "user": st.sampled_from(["U01", "U02", "B01", "U99"]) | _json,
        "ts": st.sampled_from([f"{T0}.1", "99999999999999", "x"]) | _json,
        "thread_ts": st.sampled_from([f"{T0}.1", f"{T0}.2"]) | _json,
        "subtype": st.sampled_from(["", "channel_join", "thread_broadcast"]) | _json,
        "text": st.sampled_from(["<@U02>", "<@U01|x> <@B01>"]) | _json,
        "reactions": st.lists(
            st.fixed_dictionaries({"name": _json, "users": st.lists(_json, max_size=3) | _json}),
            max_size=2,
        )
        | _json,
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=st.lists(_message | _json, max_size=6) | _json, users=st.lists(_json, max_size=3))
def test_fuzzed_day_files_give_records_or_one_line_errors(
    tmp_path_factory: pytest.TempPathFactory, day: Any, users: list[Any]
) -> None:
    folder = write_export(tmp_path_factory.mktemp("fuzz") / "x")
    (folder / "climbing" / "2023-11-14.json").write_text(json.dumps(day))
    (folder / "users.json").write_text(json.dumps(USERS + users))
    try:
        records = run(IMPORTER, folder)
    except ImportFailed as exc:
        assert str(folder) in str(exc)
        return
    for record in records:
        if isinstance(record, InteractionRecord):
            assert record.occurred_at.utcoffset() is not None and len(record.participants) >= 2


def test_a_remembered_address_tells_the_owner(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "x")
    for known, owner in (
        (("ana@example.org", "Robin Quist"), {"Ana Ruiz"}),  # the address, not the name
        (("Robin Quist",), set()),
    ):
        records = run(IMPORTER, folder, ImportOptions(known_me=known))
        found = {
            p.name
            for r in records
            if isinstance(r, InteractionRecord)
            for p, _ in r.participants
            if p.is_me
        }
        assert found == owner
