"""What the imports into a dataset folder left out: ``rejects.csv``, as the data-quality
page shows it.

Validation's problems describe the rows that are in the folder's files; the lines an
import could not read never reached them (a queue_log line without an event name, a CSV
line with a field too many, half a JSON line). The imports keep those lines with their
reason and text in ``rejects.csv`` (``connectors/reject_file.py``); without this page
only the import's own terminal had said so.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from omnikpi.schema.reject_reasons import kind_of

NAME = "rejects.csv"
LINES_SHOWN = 100
"""Lines listed on the page; the file keeps every one."""


@dataclass(frozen=True)
class LeftOutLine:
    file: str
    line: str
    reason: str
    text: str


@dataclass
class ImportRejects:
    """The count, the count per kind of reason, and the first lines."""

    count: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)
    first: list[LeftOutLine] = field(default_factory=list)


def import_rejects(folder: Path) -> ImportRejects:
    """The lines ``folder``'s imports left out (none when it has no ``rejects.csv``)."""
    found = ImportRejects()
    path = Path(folder) / NAME
    if not path.is_file():
        return found
    with path.open(newline="", encoding="utf-8", errors="replace") as listed:
        for row in csv.DictReader(listed):
            reason = row.get("reason") or ""
            found.count += 1
            found.by_reason[kind_of(reason)] += 1
            if len(found.first) < LINES_SHOWN:
                found.first.append(LeftOutLine(row.get("file") or "", row.get("line") or "",
                                               reason, row.get("text") or ""))
    return found

