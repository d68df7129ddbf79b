"""Commands for bringing exports in: import, importers, imports, merges (the review queue), knows."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from weakties.cli.output import console, err_console, local_time, ok, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _ws() -> Any:
    from weakties.cli.app import open_workspace

    return open_workspace()


def import_(
    paths: Annotated[list[Path], typer.Argument(help="Export files, folders or zips.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="Force an importer (see `weakties importers`)."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first unreadable record.")
    ] = False,
    me: Annotated[
        list[str] | None,
        typer.Option("--me", help="Your address or name in this export (repeatable)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import exports: LinkedIn, Google/Outlook CSV, vCard, Facebook, mail, ICS, chats, Slack, X, Mastodon.

    Each file is one transaction: an error or Ctrl-C leaves the database as it was. Importing
    the same export again changes nothing; a newer export updates what changed.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from weakties.errors import OwnerUnknown

    reports = []
    with _ws() as ws:
        for path in paths:
            started = time.perf_counter()
            columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
            with Progress(
                *columns, console=err_console(), transient=True, disable=as_json
            ) as progress:
                task = progress.add_task(f"importing {path.name}", total=None)

                def tick(
                    count: int, task: Any = task, started: float = started, path: Path = path
                ) -> None:
                    rate = count / max(time.perf_counter() - started, 1e-9)
                    progress.update(
                        task, description=f"importing {path.name}: {count:,} records, {rate:,.0f}/s"
                    )

                try:
                    report = ws.import_path(
                        path, fmt=fmt, strict=strict, me=me or [], on_progress=tick
                    )
                except OwnerUnknown as exc:
                    choice = _ask_owner(exc, progress) if not as_json else None
                    if choice is None:
                        raise
                    report = ws.import_path(
                        path, fmt=fmt, strict=strict, me=[*(me or []), choice], on_progress=tick
                    )
            reports.append(report)
            if not as_json:
                _print_report(report)
    if as_json:
        print_json(
            [
                {
                    "importer": r.importer,
                    "path": r.path,
                    "run_id": r.run_id,
                    "counts": dict(r.counts),
                    "problems": r.problems,
                    "seconds": r.seconds,
                }
                for r in reports
            ]
        )


def _ask_owner(exc: Any, progress: Any) -> str | None:
    """On a terminal, let the user pick which candidate is them; None when not interactive.

    Scripts (stdin not a terminal) get the error, which lists the candidates, and use ``--me``.
    """
    import sys

    from rich.markup import escape

    if not exc.candidates or not sys.stdin.isatty():
        return None
    progress.stop()
    out = err_console()
    out.print(f"{escape(str(exc.location or ''))}: which of these is you?")
    shown = exc.candidates[:20]
    for number, (name, count) in enumerate(shown, start=1):
        out.print(f"  {number}. {escape(name)} ({count})")
    answer = typer.prompt("number (or your name as it appears; empty to stop)", default="")
    answer = answer.strip()
    if not answer:
        return None
    if answer.isdigit() and 1 <= int(answer) <= len(shown):
        return str(shown[int(answer) - 1][0])
    return answer


def _print_report(report: Any) -> None:
    from rich.markup import escape

    counts = report.counts
    out = console()
    rate = report.records / report.seconds if report.seconds else 0
    ok(
        f"{escape(report.path)} ({report.importer}): {report.records:,} records in {report.seconds:.1f} s ({rate:,.0f}/s)"
    )
    groups: dict[str, list[str]] = {}
    for key, value in sorted(counts.items()):
        if key.startswith("records.") or not value:
            continue
        head, _, tail = key.partition(".")
        groups.setdefault(head, []).append(f"{value:,} {tail}" if tail else f"{value:,}")
    for head, parts in groups.items():
        out.print(f"  {head}: {', '.join(parts)}")
    for problem in report.problems:
        out.print(f"  [yellow]problem:[/yellow] {escape(problem)}", soft_wrap=True)
    if counts.get("problems", 0) > len(report.problems):
        out.print(
            f"  … and {counts['problems'] - len(report.problems)} more problems (use --strict to stop at the first)"
        )
    if counts.get("merged.queued for review"):
        out.print("  review the suggested merges with `weakties merges`")


def importers(as_json: JsonOpt = False) -> None:
    """List the export formats weakties reads."""
    with _ws() as ws:
        rows = ws.importers()
    if as_json:
        print_json([{"name": n, "title": t, "reads": r} for n, t, r in rows])
        return
    for name, title, reads in rows:
        console().print(f"[bold]{name:10}[/bold] {title}\n           [dim]{reads}[/dim]")


def imports(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1)] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List past imports with what they counted."""
    with _ws() as ws:
        runs = ws.import_runs(limit)
    if as_json:
        print_json(runs)
        return
    if not runs:
        console().print("no imports yet: `weakties import PATH`")
        return
    from rich.markup import escape

    for run in runs:
        counts = ", ".join(
            f"{k} {v}" for k, v in run.counts.items() if not k.startswith("records.")
        )
        console().print(
            f"#{run.id} {local_time(run.started_at)} {run.importer} [{'green' if run.status == 'done' else 'red'}]"
            f"{run.status}[/] {escape(run.path)}\n    [dim]{escape(counts)}[/dim]",
            soft_wrap=True,
        )


def merges(
    accept: Annotated[
        list[int] | None, typer.Option("--accept", help="Accept this suggestion id.")
    ] = None,
    reject: Annotated[
        list[int] | None, typer.Option("--reject", help="Reject this suggestion id.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Review suggested merges one pair at a time (accept / reject / skip)."""
    with _ws() as ws:
        if accept or reject:
            for sid in accept or []:
                kept = ws.decide_merge(sid, "accept")
                ok(f"merged #{sid} into {kept.name} (#{kept.id})")
            for sid in reject or []:
                ws.decide_merge(sid, "reject")
                ok(f"rejected #{sid}")
            return
        queue = ws.merge_queue()
        if as_json:
            print_json(queue)
            return
        if not queue:
            console().print("no merges waiting for review")
            return
        for item in queue:
            _show_pair(item)
            answer = (
                typer.prompt("merge them? [a]ccept / [r]eject / [s]kip / [q]uit", default="s")
                .strip()
                .lower()
            )
            if answer.startswith("q"):
                break
            decision = {"a": "accept", "r": "reject"}.get(answer[:1], "skip")
            kept = ws.decide_merge(item.id, decision)
            if kept is not None:
                ok(f"merged into {kept.name} (#{kept.id}); undo with `weakties unmerge {kept.id}`")


def _show_pair(item: Any) -> None:
    from rich.markup import escape

    out = console()
    out.print(f"\n[bold]#{item.id}[/bold]  score {item.score:.2f} — {escape(item.reason)}")
    for person in (item.a, item.b):
        idents = ", ".join(i.value for i in person.identities) or "no identities"
        out.print(f"  #{person.id} {escape(person.name)}  [dim]{escape(idents)}[/dim]")


def knows(
    a: Annotated[str, typer.Argument(help="A person.")],
    b: Annotated[str, typer.Argument(help="Someone they know.")],
    note_text: Annotated[
        str | None, typer.Option("--note", help="How they know each other.")
    ] = None,
) -> None:
    """Record that two of your contacts know each other."""
    with _ws() as ws:
        first, second = ws.knows(a, b, note=note_text)
    ok(f"{first.name} knows {second.name}")


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command()(importers)
    app.command()(imports)
    app.command()(merges)
    app.command()(knows)
