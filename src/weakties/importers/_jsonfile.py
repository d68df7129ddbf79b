"""JSON files of data exports (Slack, X/Twitter, Mastodon), read with the usual bounds.

X/Twitter archives wrap each JSON array in JavaScript (``window.YTD.follower.part0 = [...]``);
:func:`load_json` strips that prefix. Sizes, nesting depth and decoding go through the same
helpers as every other importer, so a hostile file gives one line naming it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from weakties.errors import ImportFailed
from weakties.importers._reading import READ_ERRORS, read_text
from weakties.importers.facebook import check_depth
from weakties.importers.files import MAX_TEXT_BYTES, Source

_DATE_ERRORS: tuple[type[BaseException], ...] = (*READ_ERRORS, ImportFailed)
_JS_PREFIX = re.compile(r"\A\s*window\.[A-Za-z0-9_.$\[\]\"']+\s*=\s*")


def load_json(source: Source, limit: int = MAX_TEXT_BYTES) -> Any:
    """Parse a JSON (or ``window.YTD… =`` JavaScript) file; one-line ImportFailed when bad."""
    text = read_text(source, limit)
    text = _JS_PREFIX.sub("", text, count=1).rstrip().removesuffix(";")
    check_depth(text, source.name)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ImportFailed(f"not valid JSON: {str(exc)[:80]}", location=source.name) from None


def file_date(source: Source) -> datetime:
    """When the export wrote ``source`` (zip member time, else the file's mtime), aware UTC.

    Follow lists carry no dates; a follow is known to hold when the export was made, so that
    is the date a follow interaction gets. It is stable across re-imports of the same file.
    """
    try:
        if source.member is not None:
            from weakties.importers.files import open_zip

            stamp = open_zip(source.path).getinfo(source.member).date_time
            return datetime(*stamp, tzinfo=UTC)
        return datetime.fromtimestamp(source.path.stat().st_mtime, UTC)
    except _DATE_ERRORS:
        return datetime(1980, 1, 1, tzinfo=UTC)
