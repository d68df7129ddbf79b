"""The importer registry: which parser reads a file, found by sniffing or named by ``--format``.

Importer modules are imported lazily (only when an import runs) to keep CLI start-up fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from weakties.domain.records import Record
from weakties.errors import ImportFailed
from weakties.importers.files import Source


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Options a user can pass to any importer."""

    me: tuple[str, ...] = ()  # the owner's addresses (``--me``), when the source cannot tell
    # Names and addresses the owner answered to before (remembered by the workspace): used
    # only where an export holds them, never asserted like ``me``.
    known_me: tuple[str, ...] = ()
    today: str | None = None  # ISO date bounding recurrence expansion; None = today
    extra: dict[str, str] = field(default_factory=dict)


class Importer(Protocol):
    """One export format. ``sniff`` scores how sure it is (0 = not mine, 1 = certain)."""

    name: str
    title: str
    reads: str  # one line for ``weakties importers``: what files, what it keeps

    def sniff(self, path: Path, sources: list[Source]) -> float: ...

    def iter_records(
        self, path: Path, sources: list[Source], options: ImportOptions
    ) -> Iterator[Record]: ...


# module name under weakties.importers → attribute holding the Importer instance
IMPORTER_MODULES: tuple[str, ...] = (
    "linkedin",
    "google_csv",
    "vcard",
    "facebook",
    "email",
    "calendar",
    "whatsapp",
    "telegram",
    "slack",
    "mastodon",
    "twitter",
    "imessage",
)


def all_importers() -> list[Importer]:
    """Every registered importer, in registry order."""
    found: list[Importer] = []
    for module_name in IMPORTER_MODULES:
        try:
            module = importlib.import_module(f"weakties.importers.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"weakties.importers.{module_name}":
                continue  # not built yet
            raise
        found.append(module.IMPORTER)
    return found


def get_importer(name: str) -> Importer:
    for importer in all_importers():
        if importer.name == name:
            return importer
    names = ", ".join(i.name for i in all_importers())
    raise ImportFailed(f"unknown format {name!r}", hint=f"known formats: {names}")


def detect(path: Path, sources: list[Source]) -> Importer:
    """The importer most sure it reads ``path``; a clear error when none is."""
    best: tuple[float, Importer] | None = None
    for importer in all_importers():
        score = importer.sniff(path, sources)
        if score > 0 and (best is None or score > best[0]):
            best = (score, importer)
    if best is None:
        raise ImportFailed(
            "not an export weakties recognises",
            location=str(path),
            hint="see `weakties importers`, or force one with --format",
        )
    return best[1]
