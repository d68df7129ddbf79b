"""CardDAV/CalDAV sync: changed resources through the vCard and ICS importers, deletions retired.

One transaction per collection: its deletions, its new and changed resources (each parsed by
the very importer that reads a ``.vcf`` or ``.ics`` file, so the records are the same as a file
import's), the etags seen and the collection's change marker all commit together.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from weakties.errors import ImportFailed

if TYPE_CHECKING:
    from weakties.importers.accounts import Account
    from weakties.workspace.base import WorkspaceBase
    from weakties.workspace.sync import Progress, SyncReport


def sync_dav(
    ws: WorkspaceBase,
    account: Account,
    password: str,
    me: Sequence[str],
    on_progress: Progress | None,
) -> SyncReport:
    """Sync the address books or calendars of one account."""
    from weakties.domain.records import Origin, Problem, Skipped
    from weakties.importers import calendar, vcard
    from weakties.importers.accounts import AccountKind
    from weakties.importers.dav import DavClient
    from weakties.importers.files import Source
    from weakties.importers.registry import ImportOptions
    from weakties.store import sync as store
    from weakties.store.ingest import Ingest
    from weakties.workspace.sync import SyncReport

    report = SyncReport(account.url)
    is_cards = account.kind is AccountKind.CARDDAV
    importer = vcard.IMPORTER if is_cards else calendar.IMPORTER
    suffix = ".vcf" if is_cards else ".ics"
    owners = tuple(me) or ((account.user,) if "@" in account.user else ())
    options = ImportOptions(me=owners)
    client = DavClient(account, password)
    try:
        collections = client.collections()
        if not collections:
            what = "address books" if is_cards else "calendars"
            raise ImportFailed(
                f"no {what} found",
                location=account.url,
                hint="give the collection's path in the URL (docs/importers.md lists them)",
            )
        report.folders = len(collections)
        plans = []
        for collection in collections:
            with ws.transaction() as conn:
                cursor = store.cursor(conn, account.url, collection.href)
                known = store.items(conn, account.url, collection.href)
            if cursor is not None and collection.marker and cursor.position == collection.marker:
                continue  # unchanged since the last sync (sync-token or ctag)
            listed = client.resources(collection)
            hrefs = {r.href for r in listed}
            changed = [r for r in listed if r.href not in known or known[r.href][0] != r.etag]
            gone = [href for href in known if href not in hrefs]
            plans.append((collection, known, changed, gone))
        total = sum(len(p[2]) for p in plans)
        done = 0
        if on_progress is not None:
            on_progress(0, total)
        for collection, known, changed, gone in plans:
            bodies = list(client.fetch(changed))
            with (
                tempfile.TemporaryDirectory(prefix="weakties-dav-") as folder,
                ws.transaction() as conn,
            ):
                for href in gone:
                    held = store.held_keys(conn, account.url, (collection.href, href))
                    retired = set(known[href][1]) - held
                    report.counts["deleted"] += store.retire_records(conn, importer.name, retired)
                    store.drop_item(conn, account.url, collection.href, href)
                where = f"{account.url}{collection.href}"
                ingest = Ingest(conn, importer.name, where)
                stale: set[str] = set()
                saved: list[tuple[str, str, list[str]]] = []
                for number, (resource, body) in enumerate(bodies):
                    name = f"{account.url}{resource.href}"
                    if body is None:
                        ingest.add(Problem(Origin(name, "resource"), "larger than 16 MB; left out"))
                        continue
                    path = Path(folder) / f"{number}{suffix}"
                    path.write_bytes(body)
                    keys: list[str] = []
                    try:
                        for record in importer.iter_records(path, [Source(name, path)], options):
                            ingest.add(record)
                            if not isinstance(record, Problem | Skipped):
                                keys.append(record.key)
                    except ImportFailed as exc:
                        ingest.add(Problem(Origin(name, "resource"), exc.args[0]))
                    before = known.get(resource.href)
                    if before is not None:
                        stale |= set(before[1]) - set(keys)
                    saved.append((resource.href, resource.etag, keys))
                result = ingest.finish()
                for href, etag, keys in saved:
                    store.save_item(conn, account.url, collection.href, href, etag, keys)
                if stale:
                    held = store.held_keys(conn, account.url, ("", ""))
                    report.counts["deleted"] += store.retire_records(
                        conn, importer.name, stale - held
                    )
                store.save_cursor(
                    conn, account.url, collection.href, collection.href, collection.marker
                )
            report.counts.update(result.counts)
            report.problems += result.problems[: max(0, 5 - len(report.problems))]
            report.fetched += len(bodies)
            done += len(changed)
            if on_progress is not None:
                on_progress(done, total)
    finally:
        client.close()
    return report
