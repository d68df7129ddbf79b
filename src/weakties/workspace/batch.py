"""Batch jobs: rescore every tie, rebuild the knows estimates and the path index, on an engine.

``weakties batch`` does at once what reads otherwise do lazily (a read after an import
rescores, a path query after a rescore rebuilds the graph): on the local engine that is the
same code, run ahead of time; on the Spark engine (``weakties.engines.spark``) the steps that
grow with the interactions run as Spark jobs and the rest is the local code on their output.
Results are written back in one transaction per job, under the state of the data they were
computed from, so a concurrent import simply makes the next read score again.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from weakties.errors import InvalidInput, NotFound
from weakties.workspace.paths import PathOps

EngineName = Literal["local", "spark"]
ENGINES: tuple[EngineName, ...] = ("local", "spark")


@dataclass(frozen=True, slots=True)
class BatchStep:
    """One step of a batch run and how long it took."""

    name: str
    seconds: float
    detail: str = ""


@dataclass(slots=True)
class BatchReport:
    """What a batch run computed and wrote."""

    engine: EngineName
    master: str | None
    people: int = 0
    pairs: int = 0
    ties: int = 0
    arcs: int = 0
    steps: list[BatchStep] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.steps)

    def as_dict(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "master": self.master,
            "people": self.people,
            "pairs": self.pairs,
            "ties": self.ties,
            "arcs": self.arcs,
            "seconds": round(self.seconds, 3),
            "steps": [
                {"name": s.name, "seconds": round(s.seconds, 3), "detail": s.detail}
                for s in self.steps
            ],
        }


class Timer:
    """Records named steps into a report and tells ``progress`` as each one starts."""

    def __init__(self, report: BatchReport, progress: Callable[[str], None] | None) -> None:
        self.report = report
        self.progress = progress or (lambda _: None)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[list[str]]:
        self.progress(name)
        detail: list[str] = []
        started = time.perf_counter()
        yield detail
        self.report.steps.append(BatchStep(name, time.perf_counter() - started, "; ".join(detail)))


@contextlib.contextmanager
def engine_kernels(
    engine: EngineName,
    master: str | None = None,
    scratch: Path | None = None,
    timer: Timer | None = None,
) -> Iterator[Any]:
    """The kernels of ``engine`` for the duration of a batch (a Spark session is started and
    stopped around it; ``None`` stands for the local engine's)."""
    if engine not in ENGINES:
        raise InvalidInput(f"unknown engine {engine!r}", hint="choose local or spark")
    if engine == "local":
        if master:
            raise InvalidInput("--master names a Spark master", hint="add --engine spark")
        yield None
        return
    from weakties.engines.spark import SparkKernels, spark_session

    starting = timer.step("start Spark") if timer else None
    with starting or contextlib.nullcontext():
        session = spark_session(master)
    if timer is not None:  # the master it runs on: spark-submit's when none was named
        timer.report.master = str(session.sparkContext.master)
    try:
        with SparkKernels(session, scratch) as kernels:
            yield kernels
    finally:
        session.stop()


class BatchOps(PathOps):
    """Rescoring the whole network ahead of the reads that need it."""

    def batch(
        self,
        engine: EngineName = "local",
        *,
        master: str | None = None,
        scratch: Path | None = None,
        progress: Callable[[str], None] | None = None,
        kernels: Any = None,
        now: datetime | None = None,
    ) -> BatchReport:
        """Rescore every tie, rebuild the knows estimates and the path index on ``engine``.

        ``kernels`` may be passed by a caller that keeps one engine open across several
        workspaces (a community's members); otherwise the engine is started for this run.
        ``now`` is the scoring moment (default: this one; the same day, or the scores written
        are stale at once).
        """
        report = BatchReport(engine, master)
        timer = Timer(report, progress)
        if kernels is not None:
            self._batch(report, timer, kernels, now)
            return report
        with engine_kernels(engine, master, scratch, timer) as started:
            self._batch(report, timer, started, now)
        return report

    def _batch(self, report: BatchReport, timer: Timer, kernels: Any, now: datetime | None) -> None:
        from weakties.analysis.graph import TieGraph
        from weakties.engines.local import build_network, graph_edges
        from weakties.store.ties import FINGERPRINT_KEY, load_weights, put_setting

        with timer.step("load facts") as detail, self.transaction() as conn:
            facts = self._facts(conn)
            weights = self._weights(conn)
            calibrated = self._calibrated(conn)
            refit = load_weights(conn) is not None
            ties_key, graph_key = self._ties_key(conn), self._graph_key(conn)
            report.people = len(facts.people)
            detail.append(f"{len(facts.people)} people, {len(facts.p_interaction)} participations")
        moment = (now or datetime.now(UTC)).timestamp()
        with timer.step("score ties") as detail:
            net = build_network(
                facts, moment, weights, calibrated=calibrated, refit_weights=refit, kernels=kernels
            )
            if net is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            report.pairs = len(net.features)
            report.ties = len(net.owner_rows())
            detail.append(f"{report.pairs} pairs, {report.ties} of them yours")
        with timer.step("write ties"), self.transaction() as conn:
            self._write_ties(conn, net)
            put_setting(conn, FINGERPRINT_KEY, ties_key)
        with timer.step("knows and path index") as detail:
            edges = graph_edges(net, facts, kernels)
            graph = TieGraph.from_edges(
                edges.src, edges.dst, edges.p_forward, edges.p_backward, people=facts.people
            )
            report.arcs = len(edges.src)
            detail.append(f"{len(edges.src)} ties in the graph")
        folder = self._graph_folder()
        if folder is not None:  # None: the database has no place for a cache beside it
            with timer.step("write path index"):
                graph.save(folder, graph_key)
