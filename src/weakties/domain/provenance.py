"""Where each fact came from: import runs and the source records they read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class RunStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ImportRun:
    """One import of one file: what read it, when, and what it counted."""

    importer: str
    path: str
    started_at: datetime
    id: int | None = None
    finished_at: datetime | None = None
    status: RunStatus = RunStatus.RUNNING
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record of a source file; ``(source, external_id)`` is unique, for idempotent re-import.

    ``locator`` is where it sits in the file (``line 12``, ``card 3``), shown when it is wrong.
    """

    source: str
    external_id: str
    file: str
    locator: str
    content_hash: str
    id: int | None = None
