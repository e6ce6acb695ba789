"""A JSON-lines export with a line that is not JSON: the other lines imported, that line
counted with its file, line number and the parser's reason.

One object per line is how event streams and log shippers write (Twilio Event Streams,
Kinesis Firehose, a transcript export): a file copied while it was being written ends
with half a line, and a crash or a disk hiccup leaves a line cut in the middle. DuckDB's
JSON reader stops at such a line and the whole file was refused. Once it has failed,
each line is checked on its own and a copy without the broken lines is read instead, in
the same way (so the types DuckDB infers do not change). This runs only after DuckDB
has refused the file; a file whose lines all parse is never copied.

A file that is one JSON document (an API page: an object or an array over many lines)
is left as it is: a line of it means nothing alone, and what a cut would lose cannot be
known.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnikpi.connectors.failing_rows import short
from omnikpi.connectors.reject_file import Reject
from omnikpi.schema.files import open_bytes


@contextmanager
def without_broken_lines(files: list[Path]
                         ) -> Iterator[tuple[list[Path], Counter[str], list[Reject]]]:
    """The files with their lines that are not JSON taken out (temporary copies, removed
    after), those lines counted (one reason naming the first of them) and listed with
    their text for ``rejects.csv``. Files that are not one object per line come back as
    they are."""
    count = 0
    first = ""
    listed: list[Reject] = []
    with tempfile.TemporaryDirectory(prefix="omnikpi-lines-") as scratch:
        readable = []
        for number, path in enumerate(files):
            broken = _broken_lines(path)
            if not broken:
                readable.append(path)
                continue
            copy = Path(scratch) / f"{number}-{path.name.removesuffix('.gz')}"
            skip = dict(broken)
            with open_bytes(path) as source, copy.open("wb") as target:
                for line_number, line in enumerate(source, start=1):
                    if line_number not in skip:
                        target.write(line)
                        continue
                    text = line.decode("utf-8", "replace").replace("\x00", "")
                    listed.append(Reject(str(path), line_number,
                                         f"not JSON: {skip[line_number]}", text))
            readable.append(copy)
            if not first:
                line_number, error = broken[0]
                first = f"first {path} line {line_number}: {short(error, 80)}"
            count += len(broken)
        reasons = Counter({f"a line that is not JSON ({first})": count} if count else {})
        yield readable, reasons, listed


def _broken_lines(path: Path) -> list[tuple[int, str]]:
    """The lines of a one-object-per-line file that do not parse, with the parser's
    reason; none for a file that is one JSON document."""
    if _is_one_document(path):
        return []
    broken = []
    with open_bytes(path) as source:
        for line_number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                json.loads(line)
            except ValueError as exc:  # also UnicodeDecodeError
                broken.append((line_number, str(exc)))
    return broken


def _is_one_document(path: Path) -> bool:
    """Whether the file holds one JSON document (``[…]``, or an object written over many
    lines) rather than an object per line: it starts with ``[``, or neither of its first
    two lines parses alone (one of them may be the broken line of a JSON-lines file)."""
    with open_bytes(path) as source:
        lines = []
        for line in source:
            if line.strip():
                lines.append(line.strip())
            if len(lines) == 2:
                break
    if not lines or lines[0].startswith(b"["):
        return True
    return not any(_parses(line) for line in lines)


def _parses(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True
