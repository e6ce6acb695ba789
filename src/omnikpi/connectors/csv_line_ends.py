"""A CSV export whose lines end in CR LF and in LF both: read as if every line ended in LF.

Exports made by joining parts are common: a header line written on Linux (LF) with rows
exported on Windows (CR LF), or the reverse, or files joined with ``cat``. DuckDB's reader
takes one line end for the whole file: on a file with both it cannot detect the dialect
(``Error when sniffing file ""``) or stops part way, and the whole file was refused. Such a
file is read here from a copy in which every CR LF is an LF: the same lines, so the same
line numbers, and no CR left at the end of a last field (``280``, a number, not
``280\\r``; a CR LF inside a quoted note of such a file becomes an LF too). A file with one
kind of line end is read as it is (an all-CR LF file keeps a CR LF inside a quoted note,
as DuckDB reads it). This runs only over the files DuckDB refused, and tells a file with
both by counting bytes, stopping at the first chunk that shows both kinds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnikpi.schema.files import open_bytes

CHUNK_BYTES = 1 << 20


def has_both_line_ends(path: Path) -> bool:
    """Whether some line of ``path`` ends in CR LF and another in a bare LF."""
    crlf = lf = 0
    after_cr = False
    with open_bytes(path) as handle:
        while chunk := handle.read(CHUNK_BYTES):
            lf += chunk.count(b"\n")
            crlf += chunk.count(b"\r\n") + (after_cr and chunk.startswith(b"\n"))
            if 0 < crlf < lf:
                return True
            after_cr = chunk.endswith(b"\r")
    return False


def _copy_with_lf(path: Path, copy: Path) -> None:
    """``path`` (decompressed) to ``copy`` with each CR LF written as LF."""
    with open_bytes(path) as source, copy.open("wb") as target:
        held = b""  # a CR at a chunk's end: its LF may start the next chunk
        while chunk := source.read(CHUNK_BYTES):
            data = held + chunk
            held = b"\r" if data.endswith(b"\r") else b""
            target.write(data[:len(data) - len(held)].replace(b"\r\n", b"\n"))
        target.write(held)


@contextmanager
def lf_line_ends(files: list[Path]) -> Iterator[list[Path]]:
    """The files, each with both kinds of line end read from a copy with LF only
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
