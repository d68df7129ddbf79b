"""Golden-file support for importer tests: records ↔ reviewed JSON.

Run pytest with ``WEAKTIES_UPDATE_GOLDEN=1`` to (re)write a golden file; then read the diff like
code before committing it: the golden file is the reviewed statement of what a parser keeps.
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from weakties.domain.dates import PartialDate


def to_jsonable(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"type": type(value).__name__}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item in (None, (), "", False) and f.name not in ("key",):
                continue
            out[f.name] = to_jsonable(item)
        return out
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    return value


def check_golden(records: list[Any], golden: Path) -> None:
    """Compare records with the golden JSON file (or write it when updating goldens)."""
    actual = [to_jsonable(r) for r in records]
    if os.environ.get("WEAKTIES_UPDATE_GOLDEN") or not golden.exists():
        if not os.environ.get("WEAKTIES_UPDATE_GOLDEN"):
            raise AssertionError(f"missing golden file {golden}; run with WEAKTIES_UPDATE_GOLDEN=1")
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert actual == expected
