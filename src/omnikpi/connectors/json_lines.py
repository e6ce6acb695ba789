"""A JSON-lines export with a line that is not JSON: the other lines imported, that line
counted with its file, line number and the parser's reason.

One object per line is how event streams and log shippers write (Twilio Event Streams,
Kinesis Firehose, a transcript export): a file copied while it was being written ends
with half a line, and a crash or a disk hiccup leaves a line cut in the middle. DuckDB's
JSON reader stops at such a line and the whole file was refused. Once it has failed,
each line is checked on its own and a copy without the broken lines is read instead, in
the same way (so the types DuckDB infers do not change). This runs only after DuckDB
has refused the file; a file whose lines all parse is never copied.

Firehose writes objects back to back, several on one line (or a whole file on one
line): a line is as many complete JSON values as it holds. In the copy each of them is
on a line of its own, and a line whose end is cut keeps its complete objects; only the
cut rest is left out, listed with its line (before, a line of two objects was rejected
whole as "Extra data", both objects lost, and a file whose first line held two objects
was taken for one JSON document and refused whole).

A file that is one JSON document (an API page: an object or an array over many lines)
is left as it is: a line of it means nothing alone, and what a cut would lose cannot be
known.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from omnikpi.connectors.failing_rows import short
from omnikpi.connectors.reject_file import Reject
from omnikpi.schema import reject_reasons as said
from omnikpi.schema.files import open_bytes

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\r\n]*")
"""White space between JSON values (JSON's own: no other character)."""


@contextmanager
def without_broken_lines(files: list[Path]
                         ) -> Iterator[tuple[list[Path], Counter[str], list[Reject]]]:
    """The files with their lines that are not JSON taken out (temporary copies, removed
    after), those lines counted (one reason naming the first of them) and listed with
    their text for ``rejects.csv``. A line of several objects back to back is written as
    one object per line; a line whose complete objects are followed by a cut keeps the
    objects, and only the cut rest is counted and listed. Files that are not one object
    per line come back as they are."""
    counts: Counter[str] = Counter()
    firsts: dict[str, str] = {}
    listed: list[Reject] = []
    with tempfile.TemporaryDirectory(prefix="omnikpi-lines-") as scratch:
        readable = []
        for number, path in enumerate(files):
            broken, several = _broken_lines(path)
            if not broken:
                readable.append(path)
                continue
            copy = Path(scratch) / f"{number}-{path.name.removesuffix('.gz')}"
            skip = {cut_line for cut_line, _ in broken}
            with open_bytes(path) as source, copy.open("wb") as target:
                for line_number, line in enumerate(source, start=1):
                    if line_number not in skip and line_number not in several:
                        target.write(line)
                        continue
                    text, values, cut = line_values(line)
                    for start, end in values:  # each complete object on its own line
                        target.write(text[start:end].encode() + b"\n")
                    if cut is None:
                        continue
                    # the rest that does not parse (the whole line when nothing did)
                    rest = text[cut.at:] if values else line.decode("utf-8", "replace")
                    why = said.NOT_A_RECORD if cut.kind == NO_RECORD else said.NOT_JSON
                    listed.append(Reject(str(path), line_number,
                                         why.format(message=cut.reason),
                                         rest.replace("\x00", "")))
            readable.append(copy)
            for line_number, cut in broken:
                firsts.setdefault(cut.kind, f"first {path} line {line_number}: "
                                            f"{short(cut.reason, 80)}")
                counts[cut.kind] += 1
        reasons = Counter({f"{kind} ({firsts[kind]})": n for kind, n in counts.items()})
        yield readable, reasons, listed


NOT_JSON = "a line that is not JSON"
NO_RECORD = "a line that is JSON but not a record"


@dataclass(frozen=True)
class Cut:
    """Where a line stops reading as records: the offset, the reason in words, and
    which of the two kinds it is (:data:`NOT_JSON`, or :data:`NO_RECORD` for a value
    that parses but is no object, ``[1, 2]``)."""

    at: int
    reason: str
    kind: str


def _broken_lines(path: Path) -> tuple[list[tuple[int, Cut]], set[int]]:
    """The lines of a one-object-per-line file that do not parse (or whose end does not),
    each with its :class:`Cut` (where, why and which kind), and the lines holding several
    values (to be written one per line); none for a file that is one JSON document."""
    if _is_one_document(path):
        return [], set()
    broken = []
    several: set[int] = set()
    with open_bytes(path) as source:
        for line_number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            _, values, cut = line_values(line)
            if cut is not None:
                broken.append((line_number, cut))
            elif len(values) > 1:
                several.add(line_number)
    return broken, several


def line_values(line: bytes) -> tuple[str, list[tuple[int, int]], Cut | None]:
    """The line's text, where each complete JSON value written back to back on it starts
    and ends, and where its rest stops parsing with the parser's reason (none when the
    whole line parses)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "", [], Cut(0, str(exc), NOT_JSON)
    values: list[tuple[int, int]] = []
    at = _end_of_space(text, 0)
    while at < len(text):
        try:
            value, end = _DECODER.raw_decode(text, at)
        except ValueError as exc:
            return text, values, Cut(at, str(exc), NOT_JSON)
        if value is not None and not isinstance(value, dict):
            # a record per line: ``[1, 2]``, ``"text"`` or ``42`` is none (read beside
            # records, DuckDB turned the whole file into one column of JSON text)
            kind = _KINDS.get(type(value), "value")
            return text, values, Cut(at, f"a JSON {kind} where a record (an object) "
                                         "belongs", NO_RECORD)
        values.append((at, end))
        at = _end_of_space(text, end)
    return text, values, None


_KINDS: dict[type, str] = {list: "array", str: "string", int: "number", float: "number",
                           bool: "boolean"}


def _end_of_space(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at


def _is_one_document(path: Path) -> bool:
    """Whether the file holds one JSON document (``[…]``, or an object written over many
    lines) rather than objects line by line: it starts with ``[``, or neither of its
    first two lines reads as a line of them (one of them may be the broken line of a
    JSON-lines file)."""
    with open_bytes(path) as source:
        lines = []
        for line in source:
            if line.strip():
                lines.append(line.strip())
            if len(lines) == 2:
                break
    if not lines:
        return True
    if lines[0].startswith(b"["):
        # an array over many lines, or one line of a file of lines ("[1, 2, 3]" first,
        # then records): only the second reads as whole values line by line
        return not (len(lines) == 2 and all(_whole(line) for line in lines))
    return not any(_parses(line) for line in lines)


def _whole(line: bytes) -> bool:
    """Whether the line is one complete JSON value or more, back to back."""
    _, values, cut = line_values(line)
    return (bool(values) and cut is None) or (cut is not None and cut.kind == NO_RECORD)


def _parses(line: bytes) -> bool:
    """Whether a line reads as a line of a JSON-lines file: complete JSON values back to
    back, or complete objects followed by a cut (a line of an object written over many
    lines is neither: ``{``, or ``"key": {…},`` whose first value is no object)."""
    text, values, cut = line_values(line)
    return bool(values) and (cut is None or text[values[0][0]] == "{")
