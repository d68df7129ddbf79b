"""Shared output for the CLI: the Rich console, JSON output and local-time formatting."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from weakties.domain.dates import PartialDate

if TYPE_CHECKING:
    from rich.console import Console

_console: Console | None = None
_err: Console | None = None


def console() -> Console:
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(highlight=False, soft_wrap=False)
    return _console


def err_console() -> Console:
    global _err
    if _err is None:
        from rich.console import Console

        _err = Console(stderr=True, highlight=False)
    return _err


def jsonable(value: Any) -> Any:
    """Domain records, dates and enums as plain JSON values."""
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")


def local_time(moment: datetime | None, *, with_time: bool = True) -> str:
    """A stored UTC instant in the user's local time."""
    if moment is None:
        return "—"
    local = moment.astimezone()
    return local.strftime("%Y-%m-%d %H:%M") if with_time else local.strftime("%Y-%m-%d")


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """A rough "how long ago" in words: "3 days ago", "4 years ago"."""
    if moment is None:
        return "never"
    now = now or datetime.now(moment.tzinfo)
    days = (now - moment).total_seconds() / 86400
    if days < 1:
        return "today"
    for size, unit in ((365.25, "year"), (30.44, "month"), (7, "week"), (1, "day")):
        if days >= size:
            n = int(days // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "today"


def ok(message: str) -> None:
    console().print(f"[green]✓[/green] {message}")


def plain_table(
    headers: list[str], rows: list[list[str]], widths: dict[str, int] | None = None
) -> None:
    """Print a left-aligned table without Rich's layout engine.

    Rich lays out every cell of every row, which costs seconds for a few thousand people; a
    listing only needs columns sized to their content (capped, with "…" for what is cut).
    """
    caps = widths or {}
    sizes = []
    for i, head in enumerate(headers):
        cap = caps.get(head, 40)
        longest = max([len(head), *(len(r[i]) for r in rows)]) if rows else len(head)
        sizes.append(min(longest, cap))

    def cut(text: str, size: int) -> str:
        return text if len(text) <= size else text[: max(size - 1, 0)] + "…"

    lines = ["  ".join(cut(h, s).ljust(s) for h, s in zip(headers, sizes, strict=True)).rstrip()]
    for row in rows:
        lines.append(
            "  ".join(cut(c, s).ljust(s) for c, s in zip(row, sizes, strict=True)).rstrip()
        )
    sys.stdout.write("\n".join(lines) + "\n")
