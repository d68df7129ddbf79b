"""The batch command: rescore, rebuild knows and the path index, locally or on Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from weakties.cli.output import err_console, ok, plain_table, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def batch(
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local (numpy/scipy, in this process) or spark (pyspark: pip install "
            "'weakties[spark]' and Java 17+).",
        ),
    ] = "local",
    master: Annotated[
        str | None,
        typer.Option(
            "--master",
            help="Spark master URL, e.g. spark://host:7077 (default local[*]: this machine).",
        ),
    ] = None,
    scratch: Annotated[
        Path | None,
        typer.Option(
            "--scratch",
            help="Folder for the Parquet hand-over to Spark; on a cluster, one every executor "
            "can read (default: a temporary folder).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Rescore every tie, rebuild the knows estimates and the path index, ahead of the reads.

    Reads do this lazily after each change; run it from cron after imports, or with
    --engine spark when a community's interactions outgrow one process. In a community
    database without --member, every member's contribution is recomputed and published."""
    from weakties.cli.app import open_community, open_workspace, state
    from weakties.workspace.batch import ENGINES, BatchReport, Timer, engine_kernels

    if engine not in ENGINES:
        from weakties.errors import InvalidInput

        raise InvalidInput(f"unknown engine {engine!r}", hint="choose local or spark")
    say = _progress(as_json)
    if not state.member and _is_community():
        with open_community() as community:
            report = BatchReport(engine, master)
            timer = Timer(report, say)
            kernels = engine_kernels(engine, master, scratch, timer)
            with kernels as running, timer.step("publish members") as detail:
                done = community.refresh(force=True, kernels=running)
                detail.append(f"{len(done)} members")
            _show(report, as_json, members=len(done))
        return
    with open_workspace() as ws:
        report = ws.batch(engine, master=master, scratch=scratch, progress=say)
    _show(report, as_json)


def _is_community() -> bool:
    from weakties.cli.app import state
    from weakties.workspace import Workspace

    with Workspace.open(state.db) as ws:
        return ws.setting("community_name") is not None


def _progress(quiet: bool) -> Any:
    if quiet:
        return None

    def say(step: str) -> None:
        err_console().print(f"[dim]… {step}[/dim]")

    return say


def _show(report: Any, as_json: bool, members: int | None = None) -> None:
    if as_json:
        out = report.as_dict()
        if members is not None:
            out["members"] = members
        print_json(out)
        return
    plain_table(
        ["step", "seconds", "detail"],
        [[s.name, f"{s.seconds:.2f}", s.detail] for s in report.steps],
    )
    where = f" on {report.master or 'local[*]'}" if report.engine == "spark" else ""
    if members is not None:
        ok(f"{members} members rescored and published with the {report.engine} engine{where}")
        return
    ok(
        f"{report.ties} ties rescored, {report.arcs} ties in the path index "
        f"({report.engine} engine{where}, {report.seconds:.1f} s)"
    )


def register(app: typer.Typer) -> None:
    app.command()(batch)
