"""``rejects.csv`` in a dataset folder: every source line an import left out, with its
file, line number, reason and text — so that a line is never lost, only set aside where
someone can read it, fix it at the source and import it again.

The queue_log import writes the lines it cannot parse; the mapped and transcript imports
the lines their reader cannot split or parse. Each import appends to the list so far, in
the same commit as its tables (a staged copy replaces the old list).
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from omnikpi.connectors import transaction
from omnikpi.connectors.transaction import ImportCommit

NAME = "rejects.csv"
TEXT_LIMIT = 2000
"""A line longer than this is kept to this many characters (a binary file has no lines)."""


@dataclass(frozen=True)
class Reject:
    source: str
    line: int
    reason: str
    text: str


class RejectFile:
    """The list so far plus this run's rejects, written as they come to a staged copy
    that replaces the old list at commit."""

    def __init__(self, run: ImportCommit) -> None:
        self.run, self.target = run, run.out / NAME
        self.staged = run.stage(self.target.name)
        if self.target.exists():
            shutil.copyfile(self.target, self.staged)
        new = not self.target.exists()
        self.first: dict[str, tuple[str, int]] = {}
        self.handle = self.staged.open("a", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle)
        if new:
            self.writer.writerow(["file", "line", "reason", "text"])

    def write(self, rejects: list[Reject]) -> None:
        for r in rejects:
            self.first.setdefault(r.reason.split(" (")[0], (r.source, r.line))
            self.writer.writerow([r.source, r.line, r.reason,
                                  r.text.rstrip("\r\n")[:TEXT_LIMIT]])
        rejects.clear()

    def close(self) -> None:
        self.handle.close()

    def place(self) -> None:
        self.close()
        self.run.place(self.staged, self.target)
        transaction.checkpoint(f"staged {self.target.name}")


def keep_rejects(run: ImportCommit, rejects: list[Reject]) -> None:
    """Append ``rejects`` to the folder's list in this import's commit (none: no change)."""
    if not rejects:
        return
    listed = RejectFile(run)
    listed.write(list(rejects))
    listed.place()


def as_given(reasons: Counter[str], listed: list[Reject], read: list[Path],
             given: list[Path]) -> tuple[Counter[str], list[Reject]]:
    """Reasons and rejects that name the files as the user gave them, not the temporary
    copies that were read (a file in another encoding, an Excel sheet): ``read`` and
    ``given`` are the same files in the same order."""
    names = {str(copy): str(original) for copy, original in zip(read, given, strict=True)
             if copy != original}
    if not names:
        return reasons, listed

    def named(text: str) -> str:
        for copy, original in names.items():
            text = text.replace(copy, original)
        return text

    return (Counter({named(reason): count for reason, count in reasons.items()}),
            [replace(reject, source=named(reject.source)) for reject in listed])

