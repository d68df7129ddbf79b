"""Imports started from the browser: run in a background thread, with progress to poll.

An upload is written to a private temporary folder under its own file name (importers sniff the
format from the name and content), imported file by file through
:meth:`Workspace.import_path` exactly as ``weakties import`` does, then deleted. The page polls
the job for the running record count; the job keeps each file's report or its one-line error.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from weakties.errors import InvalidInput, NotFound, WeaktiesError

if TYPE_CHECKING:
    from weakties.web.services import Services

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
MAX_JOBS_KEPT = 50


@dataclass
class FileResult:
    """One uploaded file's import: progress while it runs, then its counts or its error."""

    name: str
    state: str = "queued"  # queued, running, done, failed
    records: int = 0
    importer: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def new_people(self) -> int:
        """People this file added to the workspace."""
        return self.counts.get("people.created", 0)

    @property
    def merged(self) -> int:
        """Records of people that were joined with someone already known."""
        records = sum(v for k, v in self.counts.items() if k.startswith("records."))
        return max(records - self.new_people, 0)

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "new_people": self.new_people, "merged": self.merged}


@dataclass
class ImportJob:
    """A batch of uploaded files imported in the background."""

    id: str
    files: list[FileResult]
    state: str = "queued"
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "started": self.started,
            "finished": self.finished,
            "files": [f.as_dict() for f in self.files],
        }


def safe_name(name: str) -> str:
    """The upload's base name without any folder part (a name is only a hint to the sniffer)."""
    base = Path(name.replace("\\", "/")).name.strip()
    base = "".join(c for c in base if c.isalnum() or c in "._- ()")
    if not base or base in (".", ".."):
        raise InvalidInput(f"not a usable file name: {name!r}")
    return base[:200]


class ImportJobs:
    """The import jobs of one running app."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.jobs: dict[str, ImportJob] = {}
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Lock()  # imports write a lot; run them in turn

    def start(
        self,
        uploads: list[tuple[str, bytes]],
        *,
        fmt: str | None = None,
        me: list[str] | None = None,
        strict: bool = False,
        wait: bool = False,
    ) -> ImportJob:
        """Save the uploads and import them in a thread (or here, with ``wait``)."""
        if not uploads:
            raise InvalidInput("choose at least one export file")
        folder = Path(tempfile.mkdtemp(prefix="weakties-upload-"))
        saved: list[tuple[Path, str]] = []
        try:
            for raw_name, content in uploads:
                if len(content) > MAX_UPLOAD_BYTES:
                    raise InvalidInput(f"{raw_name} is larger than 512 MB")
                name = safe_name(raw_name)
                sub = folder / str(len(saved))
                sub.mkdir()
                (sub / name).write_bytes(content)
                saved.append((sub / name, name))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        job = ImportJob(uuid.uuid4().hex[:12], [FileResult(name) for _, name in saved])
        with self._lock:
            self.jobs[job.id] = job
            while len(self.jobs) > MAX_JOBS_KEPT:
                self.jobs.pop(next(iter(self.jobs)))

        def run() -> None:
            with self._one_at_a_time:
                self._run(job, saved, folder, fmt, me or [], strict)

        if wait:
            run()
        else:
            threading.Thread(target=run, name=f"import-{job.id}", daemon=True).start()
        return job

    def _run(
        self,
        job: ImportJob,
        saved: list[tuple[Path, str]],
        folder: Path,
        fmt: str | None,
        me: list[str],
        strict: bool,
    ) -> None:
        job.state = "running"
        try:
            for (path, _), result in zip(saved, job.files, strict=True):
                result.state = "running"

                def tick(count: int, result: FileResult = result) -> None:
                    result.records = count

                def run_one(ws: Any, path: Path = path, tick: Any = tick) -> Any:
                    return ws.import_path(path, fmt=fmt, strict=strict, me=me, on_progress=tick)

                try:
                    # a job: readers may keep the previous answers while fresh ones are made
                    report = self.services.write(run_one, background=True)
                except WeaktiesError as exc:
                    result.state, result.error = "failed", str(exc)
                    continue
                except Exception as exc:  # a bug in an importer must not kill the server
                    result.state, result.error = "failed", f"unexpected error: {exc!r}"
                    continue
                result.state = "done"
                result.importer = report.importer
                result.counts = {k: int(v) for k, v in sorted(report.counts.items())}
                result.records = int(report.records)
                result.problems = list(report.problems)[:20]
                result.seconds = round(float(report.seconds), 3)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            job.state = "failed" if all(f.state == "failed" for f in job.files) else "done"
            job.finished = time.time()

    def get(self, job_id: str) -> ImportJob:
        job = self.jobs.get(job_id)
        if job is None:
            raise NotFound(f"no import job {job_id!r}")
        return job
