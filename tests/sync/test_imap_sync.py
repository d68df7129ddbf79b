"""IMAP sync against a real Dovecot on a loopback port (tests/imapserver.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import Cli
from tests.imapserver import PASSWORD, USER, Dovecot, append, message
from weakties.errors import ImportFailed
from weakties.store import schema as s
from weakties.workspace import Workspace


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()
    yield server
    server.stop()


def _inbox(count: int, first: int = 1) -> list[bytes]:
    senders = ["bob@example.com", "cleo@example.com", "dev@example.com"]
    return [message(n, sender=senders[n % 3]) for n in range(first, first + count)]


def _sent(count: int) -> list[bytes]:
    return [message(100 + n, sender=USER, to="erin@example.org") for n in range(count)]


def _interactions(ws: Workspace) -> int:
    with ws.transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(s.interaction)).scalar_one())


def _outbound(ws: Workspace) -> int:
    with ws.transaction() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(s.interaction)
                .where(s.interaction.c.direction == "outbound")
            ).scalar_one()
        )


def test_first_sync_then_only_what_is_new(dovecot: Dovecot, ws: Workspace, db_path: Path) -> None:
    imap = dovecot.client()
    append(imap, "INBOX", _inbox(23))
    append(imap, "Sent", _sent(4))
    append(imap, "Junk", [message(900, sender="spam@example.net")])
    append(imap, "Drafts", [message(901, sender=USER, to="zed@example.net")])
    imap.logout()

    report = ws.sync(dovecot.url, password=PASSWORD, batch=10)
    # 23 in INBOX and 4 in Sent; Junk and Drafts are not read (SPECIAL-USE)
    assert report.fetched == 27
    assert report.counts["interaction.new"] == 27
    assert _interactions(ws) == 27
    assert _outbound(ws) == 4  # the Sent folder's messages are the owner's

    again = ws.sync(dovecot.url, password=PASSWORD)
    assert again.fetched == 0
    assert _interactions(ws) == 27

    imap = dovecot.client()
    append(imap, "INBOX", _inbox(3, first=50))
    imap.logout()
    third = ws.sync(dovecot.url, password=PASSWORD)
    assert third.fetched == 3
    assert third.counts["interaction.new"] == 3
    assert _interactions(ws) == 30

    # headers only: no subject and no body ever reached the database
    ws.close()
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob("weakties.db*"))
    assert b"BODY-SECRET" not in raw
    assert b"secret subject" not in raw


def test_sync_agrees_with_the_mbox_importer(
    dovecot: Dovecot, ws: Workspace, tmp_path: Path
) -> None:
    mails = [
        *_inbox(12),
        message(60, extra="List-Id: <news.example.com>\r\n"),  # skipped as a mailing list
        message(61, sender="no-reply@example.com"),  # skipped as no-reply
    ]
    imap = dovecot.client()
    append(imap, "INBOX", mails)
    imap.logout()
    report = ws.sync(dovecot.url, password=PASSWORD)
    assert report.counts["interaction.new"] == 12
    assert report.counts["skipped.mailing list"] == 1
    assert report.counts["skipped.no-reply sender"] == 1

    mbox = tmp_path / "same.mbox"
    mbox.write_bytes(
        b"".join(
            b"From x@example.com Mon Jun  2 10:00:00 2025\n" + m.replace(b"\r\n", b"\n") + b"\n"
            for m in mails
        )
    )
    imported = ws.import_path(mbox, me=[USER])
    # the same records, keyed by Message-ID: nothing new and nothing changed
    assert imported.counts["interaction.unchanged"] == 12
    assert imported.counts.get("interaction.new", 0) == 0
    assert imported.counts.get("interaction.updated", 0) == 0


def test_changed_uidvalidity_rereads_the_folder_safely(dovecot: Dovecot, ws: Workspace) -> None:
    imap = dovecot.client()
    imap.create("Archive")
    append(imap, "Archive", _inbox(8))
    imap.logout()
    ws.sync(dovecot.url, password=PASSWORD)
    assert _interactions(ws) == 8

    # the folder is rebuilt: a new UIDVALIDITY, the same 8 messages and one more
    imap = dovecot.client()
    imap.delete("Archive")
    imap.create("Archive")
    append(imap, "Archive", _inbox(9))
    imap.logout()
    report = ws.sync(dovecot.url, password=PASSWORD)
    assert report.counts["folders re-read (UIDVALIDITY changed)"] == 1
    assert report.fetched == 9
    assert report.counts["interaction.unchanged"] == 8
    assert report.counts["interaction.new"] == 1
    assert _interactions(ws) == 9


def test_dropped_connection_keeps_saved_batches_and_resumes(
    dovecot: Dovecot, ws: Workspace
) -> None:
    imap = dovecot.client()
    append(imap, "INBOX", _inbox(25))
    imap.logout()
    seen: list[int] = []

    def kill_after_two_batches(done: int, total: int) -> None:
        seen.append(done)
        if done == 10:
            dovecot.kill()

    with pytest.raises(ImportFailed, match="lost the connection"):
        ws.sync(dovecot.url, password=PASSWORD, batch=5, on_progress=kill_after_two_batches)
    assert seen == [0, 5, 10]
    assert _interactions(ws) == 10  # two whole batches, nothing of the third

    dovecot.start()
    report = ws.sync(dovecot.url, password=PASSWORD, batch=5)
    assert report.fetched == 15  # resumed after the last saved UID
    assert report.counts.get("interaction.unchanged", 0) == 0
    assert _interactions(ws) == 25
    assert all(run.status == "done" for run in ws.import_runs())


def test_wrong_password_is_one_line(
    dovecot: Dovecot, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEAKTIES_SYNC_PASSWORD", "wrong")
    result = cli("sync", dovecot.url)
    assert result.exit_code == 1
    assert "refused the login" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_sources_and_sync_everything(
    dovecot: Dovecot, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap = dovecot.client()
    append(imap, "INBOX", _inbox(4))
    imap.logout()
    monkeypatch.setenv("WEAKTIES_SYNC_PASSWORD", PASSWORD)
    cli.ok("sources", "add", dovecot.url)
    listed = cli.ok("sources", "list")
    assert dovecot.url in listed.output and "never" in listed.output
    done = cli.ok("sync")
    assert "4 read, 4 new" in done.output
    listed = cli.ok("sources", "list")
    assert "done" in listed.output and "4 new" in listed.output
    again = cli.ok("sync")
    assert "0 read, 0 new" in again.output
    failing = cli("sources", "add", "imap://me:secret@example.com")
    assert failing.exit_code == 1 and "password in the URL" in failing.output
    cli.ok("sources", "remove", dovecot.url)
    assert "no sources yet" in cli.ok("sources", "list").output


def test_ctrl_c_keeps_saved_batches_and_resumes(dovecot: Dovecot, ws: Workspace) -> None:
    imap = dovecot.client()
    append(imap, "INBOX", _inbox(12))
    imap.logout()

    def interrupt(done: int, total: int) -> None:
        if done == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ws.sync(dovecot.url, password=PASSWORD, batch=4, on_progress=interrupt)
    assert _interactions(ws) == 4
    report = ws.sync(dovecot.url, password=PASSWORD, batch=4)
    assert report.fetched == 8
    assert _interactions(ws) == 12
