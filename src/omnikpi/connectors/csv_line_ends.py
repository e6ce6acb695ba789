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

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnikpi.schema.files import open_bytes

CHUNK_BYTES = 1 << 20
_LINE_END = re.compile(rb"\r\n?")
"""A CR LF, or a CR alone: each written as an LF."""


def line_end_kinds(path: Path) -> set[str]:
    """The kinds of line end in ``path`` (``"crlf"``, ``"lf"``, ``"cr"``: a CR no LF
    follows), counted until two kinds are seen."""
    kinds: set[str] = set()
    after_cr = False  # the previous chunk ended in a CR: its LF may start this chunk
    with open_bytes(path) as handle:
        while chunk := handle.read(CHUNK_BYTES):
            lf, cr = chunk.count(b"\n"), chunk.count(b"\r")
            crlf = chunk.count(b"\r\n")
            if after_cr:  # the CR that ended the last chunk
                if chunk.startswith(b"\n"):
                    crlf, lf = crlf + 1, lf - 1
                else:
                    kinds.add("cr")
            ends_cr = chunk.endswith(b"\r")
            kinds.update(kind for kind, count in (
                ("crlf", crlf), ("lf", lf - chunk.count(b"\r\n")),
                ("cr", cr - chunk.count(b"\r\n") - ends_cr)) if count > 0)
            if len(kinds) > 1:
                return kinds
            after_cr = ends_cr
    if after_cr:
        kinds.add("cr")  # the file's last byte
    return kinds


def has_both_line_ends(path: Path) -> bool:
    """Whether the lines of ``path`` end in more than one way (CR LF, LF, a lone CR)."""
    return len(line_end_kinds(path)) > 1


def _copy_with_lf(path: Path, copy: Path) -> None:
    """``path`` (decompressed) to ``copy`` with each CR LF, and each lone CR, an LF."""
    with open_bytes(path) as source, copy.open("wb") as target:
        held = b""  # a CR at a chunk's end: its LF may start the next chunk
        while chunk := source.read(CHUNK_BYTES):
            data = held + chunk
            held = b"\r" if data.endswith(b"\r") else b""
            target.write(_LINE_END.sub(b"\n", data[:len(data) - len(held)]))
        target.write(b"\n" if held else b"")


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
