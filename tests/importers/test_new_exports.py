"""The Slack, chat.db, X/Twitter and Mastodon importers through the registry and the store:
found by sniffing (and no other importer claims them, nor they another's files), and imported
twice into a real workspace with nothing changed the second time."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.importers import test_imessage, test_mastodon, test_slack, test_twitter
from tests.importers._contacts import GOLDEN
from weakties.importers.files import iter_sources
from weakties.importers.registry import detect

BUILDERS: dict[str, Callable[[Path], Path]] = {
    "slack": lambda tmp: test_slack.write_export(tmp / "slack"),
    "imessage": lambda tmp: test_imessage.build(tmp / "chat.db"),
    "twitter": lambda tmp: test_twitter.write_archive(tmp / "twitter"),
    "mastodon": lambda tmp: test_mastodon.write_export(tmp / "mastodon"),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_detected_and_reimport_changes_nothing(name: str, tmp_path: Path) -> None:
    from weakties.workspace import Workspace

    path = BUILDERS[name](tmp_path)
    assert detect(path, list(iter_sources(path))).name == name
    with Workspace.open(str(tmp_path / "w.db")) as ws:
        first = ws.import_path(path)
        again = ws.import_path(path)
    assert first.importer == name and first.counts["interaction.new"] > 0
    assert again.counts["interaction.new"] == again.counts["interaction.updated"] == 0
    assert again.counts["interaction.unchanged"] == first.counts["interaction.new"]
    assert again.counts["people.created"] == 0


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        ("linkedin/modern", "linkedin"),
        ("facebook/layout_2023", "facebook"),
        ("telegram/result.json", "telegram"),
        ("google_csv/outlook_action.csv", "google_csv"),
        ("vcard/google_3.0.vcf", "vcard"),
    ],
)
def test_the_older_formats_are_still_theirs(other: str, expected: str) -> None:
    path = GOLDEN / other
    assert detect(path, list(iter_sources(path))).name == expected


def test_a_terminal_is_asked_who_you_are(tmp_path: Path) -> None:
    """A real pseudo-terminal on stdin: the candidates are shown, the answer picks the owner and
    is remembered, so the next chat of the same person imports without a question."""
    import pty

    chat = tmp_path / "WhatsApp Chat with Climbing Crew.txt"
    chat.write_text(
        "25/12/2023, 21:43 - Marta Silva: hi\n25/12/2023, 21:44 - Robin Quist: hello\n"
        "25/12/2023, 21:45 - Jo Park: hey\n",
        encoding="utf-8",
    )
    env = {**os.environ, "WEAKTIES_DB": str(tmp_path / "w.db"), "COLUMNS": "200", "TZ": "UTC"}
    command = [sys.executable, "-m", "weakties", "import", str(chat)]
    controller, terminal = pty.openpty()
    try:
        os.write(controller, b"3\n")  # the third candidate: Robin Quist (ties sorted by name)
        done = subprocess.run(
            command, stdin=terminal, capture_output=True, text=True, env=env, timeout=120
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 0, done.stderr
    assert "which of these is you?" in done.stderr
    assert "3. Robin Quist (1)" in done.stderr
    second = tmp_path / "WhatsApp Chat with Board Games.txt"
    second.write_text(chat.read_text(encoding="utf-8"), encoding="utf-8")
    script = subprocess.run(
        [*command[:-1], str(second)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert script.returncode == 0, script.stderr  # remembered: no question, no error
    (tmp_path / "WhatsApp Chat with Strangers.txt").write_text(
        "25/12/2023, 21:43 - Ana: hi\n25/12/2023, 21:44 - Bo: hello\n", encoding="utf-8"
    )
    refused = subprocess.run(
        [*command[:-1], str(tmp_path / "WhatsApp Chat with Strangers.txt")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert refused.returncode == 1
    assert "candidates: Ana (1 messages), Bo (1 messages)" in refused.stderr
    assert "Traceback" not in refused.stderr
