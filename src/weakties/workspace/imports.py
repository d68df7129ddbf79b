"""Imports, the merge review queue, knows entries and bulk loading of a world."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from weakties.domain.people import Person
from weakties.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from weakties.store.ingest import IngestReport
    from weakties.synth.world import World


from weakties.workspace.base import WorkspaceBase
from weakties.workspace.results import (
    ImportRunRow,
    MergeSuggestion,
)

KNOWN_ME_SETTING = "import.known_me"
"""Setting key: JSON list of the owner's names and addresses given to imports before."""


class ImportOps(WorkspaceBase):
    """Bringing data in."""

    # ---------------------------------------------------------------- imports
    def import_path(
        self,
        path: str | Path,
        *,
        fmt: str | None = None,
        strict: bool = False,
        me: Sequence[str] = (),
        today: str | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Import one export file, folder or zip in one transaction; idempotent.

        The format is detected unless ``fmt`` names it. On any error the database is left as
        it was and the failure is logged in the import history.
        """
        from weakties.errors import ImportFailed
        from weakties.importers import registry
        from weakties.importers.files import iter_sources
        from weakties.store.ingest import Ingest, record_failure

        target = Path(path).expanduser()
        known = self.known_me()
        options = registry.ImportOptions(me=tuple(me), today=today, known_me=known)
        importer_name = fmt or "?"
        try:
            sources = list(iter_sources(target))
            importer = registry.get_importer(fmt) if fmt else registry.detect(target, sources)
            importer_name = importer.name
            with self.transaction() as conn:
                ingest = Ingest(
                    conn,
                    importer.name,
                    str(target.resolve()),
                    strict=strict,
                    on_progress=on_progress,
                )
                for record in importer.iter_records(target, sources, options):
                    ingest.add(record)
                report = ingest.finish()
            self.remember_me(me)
            return report
        except ImportFailed as exc:
            with self.transaction() as conn:
                record_failure(conn, importer_name, str(target), str(exc))
            raise
        except RecursionError:
            with self.transaction() as conn:
                record_failure(conn, importer_name, str(target), "nested too deeply")
            raise ImportFailed(
                "the file is nested too deeply to read", location=str(target)
            ) from None
        except MemoryError:
            raise ImportFailed(
                "the file needs more memory than is available", location=str(target)
            ) from None

    def known_me(self) -> tuple[str, ...]:
        """The names and addresses the owner gave with ``--me`` (or picked) before.

        Importers use them only where an export holds them, so the second WhatsApp chat or
        calendar of the same person needs no question.
        """
        import json

        raw = self.setting(KNOWN_ME_SETTING)
        try:
            values = json.loads(raw) if raw else []
        except ValueError:
            return ()
        return tuple(str(v) for v in values if isinstance(v, str))

    def remember_me(self, values: Sequence[str]) -> None:
        """Add ``values`` to :meth:`known_me` (after an import that used them succeeded)."""
        import json

        cleaned = [" ".join(v.split()) for v in values if v.strip()]
        if not cleaned:
            return
        merged = list(dict.fromkeys([*self.known_me(), *cleaned]))[-200:]
        self.set_setting(KNOWN_ME_SETTING, json.dumps(merged, ensure_ascii=False))

    def importers(self) -> list[tuple[str, str, str]]:
        """Every importer: (name, title, what it reads)."""
        from weakties.importers.registry import all_importers

        return [(i.name, i.title, i.reads) for i in all_importers()]

    def import_runs(self, limit: int = 50) -> list[ImportRunRow]:
        """Past imports, newest first, with their counts."""
        import json

        from sqlalchemy import select

        from weakties.store import schema as s

        with self.transaction() as conn:
            rows = conn.execute(
                select(s.import_run).order_by(s.import_run.c.id.desc()).limit(limit)
            ).all()
            return [
                ImportRunRow(
                    r.id,
                    r.importer,
                    r.path,
                    r.started_at,
                    r.finished_at,
                    r.status,
                    json.loads(r.counts),
                )
                for r in rows
            ]

    def merge_queue(self) -> list[MergeSuggestion]:
        """Pending merge suggestions, best first."""
        from sqlalchemy import select

        from weakties.store import schema as s

        with self.transaction() as conn:
            rows = conn.execute(
                select(s.merge_candidate)
                .where(s.merge_candidate.c.status == "pending")
                .order_by(s.merge_candidate.c.score.desc(), s.merge_candidate.c.id)
            ).all()
            out = []
            from weakties.store import people

            for r in rows:
                a = people.get_person(conn, r.a_id)
                b = people.get_person(conn, r.b_id)
                if people.merged_into(conn, r.a_id) or people.merged_into(conn, r.b_id):
                    continue
                out.append(MergeSuggestion(r.id, a, b, r.score, r.reason))
            return out

    def decide_merge(
        self, suggestion_id: int, decision: Literal["accept", "reject", "skip"]
    ) -> Person | None:
        """Accept (merge), reject or skip a merge suggestion; returns the kept person on accept."""
        from sqlalchemy import select, update

        from weakties.store import people
        from weakties.store import schema as s
        from weakties.store.merges import merge_people

        if decision not in ("accept", "reject", "skip"):
            raise InvalidInput(
                f"unknown decision {decision!r}", hint="accepted: accept, reject, skip"
            )
        with self.transaction() as conn:
            row = conn.execute(
                select(s.merge_candidate).where(s.merge_candidate.c.id == suggestion_id)
            ).first()
            if row is None or row.status != "pending":
                raise NotFound(f"no pending merge suggestion #{suggestion_id}")
            if decision == "skip":
                return None  # stays pending: asked again at the next review
            status = {"accept": "accepted", "reject": "rejected"}[decision]
            conn.execute(
                update(s.merge_candidate)
                .where(s.merge_candidate.c.id == suggestion_id)
                .values(status=status, decided_at=datetime.now(UTC))
            )
            if decision != "accept":
                return None
            result = merge_people(conn, row.a_id, row.b_id, reason=f"reviewed: {row.reason}")
            return people.get_person(conn, result.kept_id)

    def knows(self, a: str, b: str, *, note: str | None = None) -> tuple[Person, Person]:
        """Record that two people know each other (evidence for the 2nd and 3rd degree)."""
        from sqlalchemy import insert

        from weakties.store import people
        from weakties.store import schema as s
        from weakties.store.lookup import resolve_person

        with self.transaction() as conn:
            a_id, b_id = resolve_person(conn, a), resolve_person(conn, b)
            if a_id == b_id:
                raise InvalidInput("knowing needs two different people")
            low, high = sorted((a_id, b_id))
            conn.execute(
                insert(s.knows).values(
                    a_id=low, b_id=high, kind="explicit", label=note, created_at=datetime.now(UTC)
                )
            )
            return people.get_person(conn, a_id), people.get_person(conn, b_id)

    # -------------------------------------------------------------- bulk load
    def load_world(self, world: World) -> dict[int, int]:
        """Load a synthetic world into this (empty) workspace; returns world index → person id."""
        from weakties.store.bulk import load_world

        with self.transaction() as conn:
            return load_world(conn, world)
