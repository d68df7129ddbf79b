"""Sync: keeping the network current from mail accounts, and the configured sources.

A sync reads only what is new since the last one and ingests it through the same records and
ingest as the file importers. It commits one batch at a time, with the folder's cursor (the
UIDVALIDITY and the highest UID ingested) in the same transaction as the batch's records: a
sync stopped by Ctrl-C or a dropped connection leaves every committed batch whole and nothing
of the unfinished one, and the next run starts after the last committed message.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from weakties.errors import ImportFailed, InvalidInput, WeaktiesError
from weakties.workspace.base import WorkspaceBase

if TYPE_CHECKING:
    from weakties.importers.accounts import Account
    from weakties.importers.imap import Folder, ImapMailbox
    from weakties.store.sync import SourceRow

PASSWORD_ENV = "WEAKTIES_SYNC_PASSWORD"
KEYRING_SERVICE = "weakties"
BATCH = 500  # messages per transaction: small enough that an interruption loses little
OWNER_SAMPLE = 200  # Sent-folder messages read to learn the owner's addresses

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class SyncReport:
    """What one sync of one account did."""

    url: str
    counts: Counter[str] = field(default_factory=Counter)
    folders: int = 0
    fetched: int = 0
    problems: list[str] = field(default_factory=list)


def keyring_password(account: Account) -> str | None:
    """The account's password in the OS keyring (the optional ``keyring`` package), or None."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        found = keyring.get_password(KEYRING_SERVICE, account.url)
    except (KeyringError, RuntimeError):
        return None
    return found if isinstance(found, str) else None


def store_password(account: Account, password: str) -> None:
    """Keep the account's password in the OS keyring (never in the database)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        raise InvalidInput(
            "the keyring package is not installed", hint="pip install 'weakties[sync]'"
        ) from None
    try:
        keyring.set_password(KEYRING_SERVICE, account.url, password)
    except (KeyringError, RuntimeError) as exc:
        raise InvalidInput(f"the keyring refused the password: {exc}") from None


def password_for(account: Account, prompt: Callable[[str], str] | None = None) -> str:
    """The password from ``WEAKTIES_SYNC_PASSWORD``, the keyring, or ``prompt``, in that order."""
    found = os.environ.get(PASSWORD_ENV) or keyring_password(account)
    if not found and prompt is not None:
        found = prompt(f"password for {account.url}")
    if not found:
        raise ImportFailed(
            "no password",
            location=account.url,
            hint=f"set {PASSWORD_ENV}, or run weakties sources add --keyring {account.url}",
        )
    return found


class SyncOps(WorkspaceBase):
    """Syncing accounts and the list of configured sources."""

    def add_source(self, url: str) -> SourceRow:
        """Remember an account for ``weakties sync`` with no argument (never its password)."""
        from weakties.importers.accounts import parse_account
        from weakties.store import sync as store

        account = parse_account(url)
        with self.transaction() as conn:
            return store.add_source(conn, account.url)

    def sources(self) -> list[SourceRow]:
        """The configured sources and how their last sync went."""
        from weakties.store import sync as store

        with self.transaction() as conn:
            return store.sources(conn)

    def remove_source(self, url: str) -> None:
        """Forget a source and where its sync had got to (what it imported stays)."""
        from weakties.importers.accounts import parse_account
        from weakties.store import sync as store

        with self.transaction() as conn:
            store.remove_source(conn, parse_account(url).url)

    def sync(
        self,
        url: str,
        *,
        password: str | None = None,
        prompt: Callable[[str], str] | None = None,
        me: Sequence[str] = (),
        batch: int = BATCH,
        on_progress: Progress | None = None,
    ) -> SyncReport:
        """Sync one account: read what is new since the last sync and ingest it."""
        from weakties.importers.accounts import AccountKind, parse_account
        from weakties.store import sync as store

        account = parse_account(url)
        secret = password or password_for(account, prompt)
        try:
            if account.kind is AccountKind.IMAP:
                report = self._sync_imap(account, secret, me, max(1, batch), on_progress)
            else:
                from weakties.workspace.dav_sync import sync_dav

                report = sync_dav(self, account, secret, me, on_progress)
        except WeaktiesError as exc:
            with self.transaction() as conn:
                store.record_sync(conn, account.url, "failed", str(exc))
            raise
        with self.transaction() as conn:
            store.record_sync(conn, account.url, "done", describe(report))
        return report

    def sync_all(
        self,
        *,
        prompt: Callable[[str], str] | None = None,
        me: Sequence[str] = (),
        on_progress: Callable[[str, int, int], None] | None = None,
    ) -> list[tuple[str, SyncReport | WeaktiesError]]:
        """Sync every configured source; one failing does not stop the others."""
        results: list[tuple[str, SyncReport | WeaktiesError]] = []
        for row in self.sources():
            progress: Progress | None = None
            if on_progress is not None:

                def progress(done: int, total: int, url: str = row.url) -> None:
                    assert on_progress is not None
                    on_progress(url, done, total)

            try:
                results.append(
                    (row.url, self.sync(row.url, prompt=prompt, me=me, on_progress=progress))
                )
            except WeaktiesError as exc:
                results.append((row.url, exc))
        return results

    # ------------------------------------------------------------------ IMAP
    def _sync_imap(
        self,
        account: Account,
        password: str,
        me: Sequence[str],
        batch: int,
        on_progress: Progress | None,
    ) -> SyncReport:
        from weakties.domain.records import Origin
        from weakties.importers.email import header_reader
        from weakties.importers.imap import ImapMailbox, folders_to_read
        from weakties.store import sync as store
        from weakties.store.ingest import Ingest

        report = SyncReport(account.url)
        mailbox = ImapMailbox(account, password)
        try:
            folders = folders_to_read(mailbox.folders())
            owners = self._imap_owners(account, mailbox, folders, me)
            record = header_reader(owners)
            plan: list[tuple[str, int, list[int]]] = []
            with self.transaction() as conn:
                cursors = {f.name: store.cursor(conn, account.url, f.name) for f in folders}
            for folder in folders:
                status = mailbox.status(folder)
                known = cursors[folder.name]
                low = 1
                if known is not None and known.validity == str(status.uidvalidity):
                    low = int(known.position) + 1
                elif known is not None:
                    report.counts["folders re-read (UIDVALIDITY changed)"] += 1
                if status.uidnext and status.uidnext <= low:
                    continue  # nothing new: not even selected
                validity = mailbox.examine(folder)
                uids = mailbox.uids_from(low)
                if uids:
                    plan.append((folder.name, validity, uids))
            report.folders = len(folders)
            total = sum(len(uids) for _, _, uids in plan)
            done = 0
            if on_progress is not None:
                on_progress(0, total)
            by_name = {f.name: f for f in folders}
            for name, validity, uids in plan:
                if mailbox.examine(by_name[name]) != validity:
                    report.counts["folders re-read (UIDVALIDITY changed)"] += 1
                    continue  # changed under us: the next sync re-reads it
                where = f"{account.url}/{name}"
                for start in range(0, len(uids), batch):
                    chunk = uids[start : start + batch]
                    headers = list(mailbox.headers(chunk))
                    with self.transaction() as conn:
                        ingest = Ingest(conn, "email", where)
                        for uid, header in headers:
                            ingest.add(record(header, Origin(where, f"UID {uid}")))
                        store.save_cursor(conn, account.url, name, str(validity), str(chunk[-1]))
                        result = ingest.finish()
                    report.counts.update(result.counts)
                    if len(report.problems) < 5:
                        report.problems += result.problems[: 5 - len(report.problems)]
                    report.fetched += len(headers)
                    done += len(chunk)
                    if on_progress is not None:
                        on_progress(done, total)
        finally:
            mailbox.close()
        return report

    def _imap_owners(
        self, account: Account, mailbox: ImapMailbox, folders: list[Folder], me: Sequence[str]
    ) -> frozenset[str]:
        """The owner's addresses: ``me``; else the login (when it is an address) and the
        senders of the Sent folder; else what the mbox importer would conclude."""
        from weakties.domain.identities import normalize_email
        from weakties.importers.email import owners_from_headers, sender_of

        owners: set[str] = set()
        for raw in me:
            try:
                owners.add(normalize_email(raw))
            except InvalidInput:
                continue
        if owners:
            return frozenset(owners)
        with contextlib.suppress(InvalidInput):
            owners.add(normalize_email(account.user))
        sample: list[bytes] = []
        for folder in folders:
            if not folder.is_sent and owners:
                continue
            mailbox.examine(folder)
            uids = mailbox.uids_from(1)[-OWNER_SAMPLE:]
            for _, header in mailbox.headers(uids):
                if folder.is_sent:
                    sender = sender_of(header)
                    if sender:
                        owners.add(sender)
                else:
                    sample.append(header)
        if not owners:
            owners |= owners_from_headers(sample)
        if not owners:
            raise ImportFailed(
                "cannot tell which address is yours",
                location=account.url,
                hint="pass --me you@example.com",
            )
        return frozenset(owners)


def describe(report: SyncReport) -> str:
    """A one-line summary of a sync, as shown in ``weakties sources list``."""
    new = report.counts.get("interaction.new", 0) + report.counts.get("contact.new", 0)
    changed = report.counts.get("interaction.updated", 0) + report.counts.get("contact.updated", 0)
    parts = [f"{report.fetched} read", f"{new} new"]
    if changed:
        parts.append(f"{changed} updated")
    if report.counts.get("deleted"):
        parts.append(f"{report.counts['deleted']} deleted")
    for key, value in sorted(report.counts.items()):
        if key.startswith("folders re-read"):
            parts.append(f"{value} {key}")
    return ", ".join(parts)
