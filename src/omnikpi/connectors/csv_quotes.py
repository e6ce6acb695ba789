"""A CSV export with a field that opens a quote and never closes it: that line left out
and counted, the records after it read with their quoting.

An agent's note typed as ``"screen broken`` (no closing quote) opens a quoted field that,
read by the CSV rules, runs on into the next lines until some other quote closes it.
DuckDB's dialect sniffer then gives up quoting for the whole file: every later record
with a quoted comma or a line break inside quotes (valid CSV) was split in the wrong
places, one record kept cut short and others rejected. Here each record is followed by
the quoting rules; a record that opens a quote on one line and only closes it on a later
one with the wrong number of fields (or never) is a stray quote: that one line is
rejected with its reason and the reading starts again on the next line. The file is then
read from a copy with the stray lines blanked (so the line numbers stay) and quoting on.
This runs only after DuckDB refused the file; a file without a stray quote is never
copied. A line-by-line pass in Python, but only over the files DuckDB refused.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnikpi.connectors.reject_file import Reject
from omnikpi.schema.files import open_bytes
from omnikpi.schema.stray_quotes import REASON, physical_lines, stray_quote_lines


@contextmanager
def without_stray_quotes(files: list[Path], delimiter: str, quote: str, skip: int,
                         columns: int | None
                         ) -> Iterator[tuple[list[Path], Counter[str], list[Reject]]]:
    """The files with each line that opens a quote no quote of its record closes blanked
    (temporary copies, removed after), those lines counted under one reason naming the
    first and listed with their text for ``rejects.csv``. Files without such a line come
    back as they are."""
    reasons: Counter[str] = Counter()
    listed: list[Reject] = []
    with tempfile.TemporaryDirectory(prefix="omnikpi-quotes-") as scratch:
        readable = []
        for number, path in enumerate(files):
            with open_bytes(path) as source:
                lines = physical_lines(source.read().decode("utf-8", "surrogateescape"))
            bad = stray_quote_lines(lines, delimiter, quote, skip, columns)
            if not bad:
                readable.append(path)
                continue
            for index in bad:
                text = lines[index].encode("utf-8", "surrogateescape").decode(
                    "utf-8", "replace").rstrip("\r\n").replace("\x00", "")
                listed.append(Reject(str(path), index + 1, REASON, text))
                # blanked with its own line end: a blank LF among CR LF lines would make
                # a file DuckDB refuses (two kinds of line end)
                lines[index] = "\r\n" if lines[index].endswith("\r\n") else "\n"
            named = f"{REASON} (first {path} line {bad[0] + 1})"
            reasons[named] += len(bad)
            copy = Path(scratch) / f"{number}-{path.name.removesuffix('.gz')}"
            copy.write_bytes("".join(lines).encode("utf-8", "surrogateescape"))
            readable.append(copy)
        yield readable, reasons, listed
