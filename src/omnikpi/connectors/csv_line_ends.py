"""A CSV export whose lines end in more than one way: read as if every line ended in LF.

Exports made by joining parts are common: a header line written on Linux (LF) with rows
exported on Windows (CR LF), or the reverse, or files joined with ``cat``. DuckDB's reader
takes one line end for the whole file: on a file with both it cannot detect the dialect
(``Error when sniffing file ""``) or stops part way, and the whole file was refused. Such a
file is read here from a copy in which every CR LF is an LF: the same lines, so the same
line numbers, and no CR left at the end of a last field (``280``, a number, not
``280\\r``; a CR LF inside a quoted note of such a file becomes an LF too).

A lone CR (one no LF follows) in a file whose lines end in LF or CR LF — a part saved by
an old Mac, whose lines end in CR, or a CR typed into a note — refused the whole file
too, naming no line. It is read as the line end it is in an old Mac's file (as Python's
and most editors' "universal" line ends do): the copy has an LF there, and the line
numbers of the summary and of ``rejects.csv`` count it as a line end. A record cut in
two by a CR inside an unquoted note is then two lines, the shorter ones rejected with
their file, line and text (a field too few), never a record lost without a word; a CR
inside a quoted note of such a file becomes an LF (still a line break in the note).

A file with one kind of line end is read as it is (an all-CR file keeps a CR LF inside a
quoted note, as DuckDB reads it). This runs only over the files DuckDB refused, and tells
a file with more than one kind by counting bytes, stopping at the first chunk that shows
two kinds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnikpi.schema.files import copy_with_lf as _copy_with_lf
from omnikpi.schema.files import line_end_kinds


def has_both_line_ends(path: Path) -> bool:
    """Whether the lines of ``path`` end in more than one way (CR LF, LF, a lone CR)."""
    return len(line_end_kinds(path)) > 1


@contextmanager
def lf_line_ends(files: list[Path]) -> Iterator[list[Path]]:
    """The files, each with more than one kind of line end read from a copy with LF only
    (temporary, removed after); the others as they are, in the same order."""
    mixed = [path for path in files if has_both_line_ends(path)]
    if not mixed:
        yield files
        return
    with tempfile.TemporaryDirectory(prefix="omnikpi-line-ends-") as scratch:
        copies: dict[Path, Path] = {}
        for number, path in enumerate(mixed):
            copy = Path(scratch) / f"{number}-{path.name.removesuffix('.gz')}"
            _copy_with_lf(path, copy)
            copies[path] = copy
        yield [copies.get(path, path) for path in files]
