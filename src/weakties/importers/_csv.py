"""Tables from CSV exports as services and Excel write them: preambles, delimiters, bad rows.

LinkedIn puts ``Notes:`` lines before its header; Excel re-saves with ``;`` in some locales and
as tab-separated UTF-16 ("Unicode Text"). The header is therefore found by content, trying each
delimiter, and every row keeps the physical line it starts on for error messages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from weakties.domain.records import Origin, Problem
from weakties.errors import WeaktiesError
from weakties.importers._reading import read_head, read_text
from weakties.importers.files import MAX_LINE_CHARS, Source

if TYPE_CHECKING:
    from _csv import Reader as _CsvReader

# The default limit (128 KiB) would reject long LinkedIn messages; this matches iter_lines.
csv.field_size_limit(MAX_LINE_CHARS)

DELIMITERS = (",", ";", "\t")
MAX_PREAMBLE_ROWS = 30


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row: cells keyed by lower-cased header name, stripped, '' when absent."""

    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True, slots=True)
class CsvTable:
    """A CSV file whose header was found; iterate ``rows()`` once."""

    source: Source
    header: tuple[str, ...]
    header_line: int
    delimiter: str
    _reader: Iterator[list[str]]
    _line_of: Callable[[], int]

    def rows(self) -> Iterator[CsvRow | Problem]:
        """Each non-blank row after the header, or a Problem for a row csv cannot split."""
        previous = self.header_line
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                line = previous + 1
                previous = self._line_of()
                yield Problem(Origin(self.source.name, f"line {line}"), f"unreadable row: {exc}")
                continue
            start = previous + 1
            previous = self._line_of()
            if not any(c.strip() for c in cells):
                continue
            values = {
                name: cells[i].strip() if i < len(cells) else ""
                for i, name in reversed(list(enumerate(self.header)))
                if name
            }
            yield CsvRow(start, values)


def clean_header(cells: list[str]) -> tuple[str, ...]:
    """Header names as compared: BOM and quotes gone, trimmed, lower-case."""
    return tuple(c.replace("\ufeff", "").strip().strip('"').strip().lower() for c in cells)


def find_table(
    source: Source, is_header: Callable[[tuple[str, ...]], bool], text: str | None = None
) -> CsvTable | None:
    """Read ``source`` and find the header row ``is_header`` accepts, or None if there is none."""
    if text is None:
        text = read_text(source)
    text = text.replace("\x00", "")
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for _ in range(MAX_PREAMBLE_ROWS):
                header = clean_header(next(reader))
                if is_header(header):
                    return CsvTable(
                        source, header, reader.line_num, delimiter, reader, _line_counter(reader)
                    )
        except (StopIteration, csv.Error):
            continue
    return None


def _line_counter(reader: _CsvReader) -> Callable[[], int]:
    return lambda: reader.line_num


def sniff_header(source: Source, is_header: Callable[[tuple[str, ...]], bool]) -> bool:
    """Whether the first few KiB of ``source`` hold a header ``is_header`` accepts; never raises."""
    head = read_head(source)
    if not head:
        return False
    cut = head.rfind("\n")
    head = head[: cut + 1] if cut > 0 else head
    try:
        return find_table(source, is_header, head) is not None
    except WeaktiesError:
        return False
