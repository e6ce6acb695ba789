"""Source files as the UTF-8 text DuckDB's readers take, whatever they were saved in.

DuckDB reads UTF-8 only. A CSV that Excel or a Windows tool saved in a Cyrillic office is
often Windows-1251, Excel's "Unicode text" is UTF-16, and a JSON file may start with a
byte-order mark ``read_json`` refuses. Read as they are, a Windows-1251 file lost every line
with a Cyrillic letter ("invalid encoding") while its ASCII lines imported — a queue named
Продажі gone from the report — and a UTF-16 file came out as columns of garbage.

So, before DuckDB reads anything:
- a file whose byte-order mark says UTF-16 or UTF-32 is read from a UTF-8 copy;
- a file in the encoding the user named (``--encoding`` or the mapping's
  ``[source] encoding``) is read from a UTF-8 copy, decoded strictly: a byte that encoding
  does not have stops the import with the file, line and byte;
- otherwise the file must look like UTF-8: its first megabyte is checked, and a file that
  is not (or is one NUL byte in ten, as UTF-16 without its mark) stops the import with the
  line and byte and how to name its encoding. UTF-8 text with a few damaged bytes among
  valid letters is read as it is: the reader leaves out those lines, each counted with its
  reason, as it does the lines further on that are not UTF-8;
- a JSON file's UTF-8 byte-order mark is left out of its copy (``read_json`` refuses it).
The copies live in a temporary folder removed after the import.
"""

from __future__ import annotations

import codecs
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnikpi.errors import DataError, UsageError
from omnikpi.schema.files import BOM, open_bytes, wide_without_mark

CHECKED_BYTES = 1 << 20
"""How much of a file is checked for UTF-8 when no encoding is named."""
CHUNK_BYTES = 1 << 20
_JSON_NAMES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
_WIDE_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
               (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
"""Byte-order marks of the wide encodings (UTF-32 first: its little-endian mark begins
with UTF-16's)."""
_LINE_MARK = re.compile("(?<=[\r\n])\ufeff+")
"""Byte-order marks at the start of a line (after its line end)."""
HINT = ("name the encoding it was saved in with --encoding or the mapping's [source] "
        "encoding, e.g. cp1251 (Windows Cyrillic), cp1252 (Windows Western), latin-1, "
        "utf-16")


def byte_order_mark(head: bytes) -> tuple[bytes, str] | None:
    """The UTF-16 or UTF-32 byte-order mark ``head`` starts with and the codec of the text
    after it (``utf-16-le``, ``utf-32-be`` …), or ``None``."""
    for mark, codec in _WIDE_MARKS:
        if head.startswith(mark):
            little = mark in (codecs.BOM_UTF32_LE, codecs.BOM_UTF16_LE)
            return mark, f"{codec}-{'le' if little else 'be'}"
    return None


def codec_name(encoding: str | None) -> str | None:
    """The Python codec of an encoding the user named (``None``: not named)."""
    if encoding is None:
        return None
    if not isinstance(encoding, str):
        raise UsageError(f"[source] encoding: a name such as \"cp1251\" (not {encoding!r})")
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise UsageError(f"unknown encoding {encoding!r}: e.g. cp1251, cp1252, latin-1, "
                         "utf-16, utf-8") from exc
    return "utf-8-sig" if name == "utf-8" else name  # a UTF-8 file's mark is not text


@contextmanager
def readable_text(files: list[Path], encoding: str | None = None) -> Iterator[list[Path]]:
    """The files, each either itself or a UTF-8 copy DuckDB can read (see the module)."""
    codec = codec_name(encoding)
    plans: dict[Path, str] = {}
    for path in files:
        plan = _plan(path, codec)
        if plan is not None:
            plans[path] = plan
    if not plans:
        yield files
        return
    with tempfile.TemporaryDirectory(prefix="omnikpi-import-") as scratch:
        copies: dict[Path, Path] = {}
        for number, (path, plan) in enumerate(plans.items()):
            copy = Path(scratch) / f"{number}-{path.name.removesuffix('.gz')}"
            if plan == "strip-mark":
                with open_bytes(path) as source, copy.open("wb") as target:
                    source.read(len(BOM))
                    shutil.copyfileobj(source, target)
            else:
                _transcode(path, copy, plan, named=codec is not None)
            copies[path] = copy
        yield [copies.get(f, f) for f in files]


def _plan(path: Path, named: str | None) -> str | None:
    """How a file is made readable: the codec named or the wide encoding its mark names,
    ``strip-mark`` (a JSON file's UTF-8 mark), or ``None`` (read as it is)."""
    try:
        with open_bytes(path) as handle:
            head = handle.read(CHECKED_BYTES)
    except (OSError, EOFError):
        return named  # unreadable: the reader says why
    for mark, codec in _WIDE_MARKS:
        if head.startswith(mark):
            if named is not None and not named.startswith(codec):
                raise UsageError(f"{path} starts with the byte-order mark of {codec}, not "
                                 f"{named} as named: name {codec}, or no encoding")
            return named or codec
    if named in ("utf-16", "utf-32"):
        # no mark to say the byte order, which Python's codec then refuses (a traceback):
        # the order whose high bytes are the zeros of Latin text (Windows writes LE)
        return f"{named}-{'le' if head[1::2].count(0) >= head[0::2].count(0) else 'be'}"
    if named is not None:
        return named
    if head.startswith(b"PK\x03\x04"):
        raise UsageError(f"{path} is a zip archive, not text: an Excel workbook is read with "
                         "[source] format = \"xlsx\"; a zip of exports must be unpacked")
    body = head.removeprefix(BOM)
    if wide_without_mark(body):  # every other byte: UTF-16 without its mark
        raise UsageError(f"{path} is not UTF-8 text (one byte in {len(body) // body.count(0)}"
                         f" is NUL, as in UTF-16 saved without a byte-order mark): {HINT}")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(body, final=len(head) < CHECKED_BYTES)
    except UnicodeDecodeError as exc:
        if not _damaged_utf8(body):
            raise UsageError(f"{path} is not UTF-8 text ({_where(exc)}): {HINT}") from exc
    if head.startswith(BOM) and path.name.lower().endswith(_JSON_NAMES):
        return "strip-mark"
    return None


def _damaged_utf8(data: bytes) -> bool:
    """Whether bytes that are not all UTF-8 are UTF-8 text with a few damaged bytes (its
    letters beyond ASCII mostly valid: the damaged lines are left out by the reader, each
    counted) rather than text in another encoding (none of them valid: Windows-1251's
    Cyrillic letters almost never form a UTF-8 sequence)."""
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    letters = sum(1 for char in text if char > "\x7f") - damaged
    return letters > 4 * damaged


def _transcode(path: Path, copy: Path, codec: str, named: bool) -> None:
    """``path`` decoded from ``codec``, written to ``copy`` as UTF-8, without the
    byte-order marks (U+FEFF) that start its lines: the file's own (a mark the codec keeps,
    utf-16-le named), and those of the parts of files joined with ``cat`` (each part
    starts with one), which would start the first value of their lines (a repeated
    header's ``\ufeffcall_id`` is no header)."""
    decoder = codecs.getincrementaldecoder(codec)()
    consumed = 0  # bytes decoded before this chunk
    line_start = True  # the text written so far ends a line (or there is none)
    with open_bytes(path) as source, copy.open("wb") as target:
        while True:
            chunk = source.read(CHUNK_BYTES)
            try:
                text = decoder.decode(chunk, final=not chunk)
                if text:
                    text = _LINE_MARK.sub("", text)
                    if line_start:
                        text = text.lstrip("\ufeff")
                    line_start = text.endswith(("\n", "\r")) or (line_start and not text)
                target.write(text.encode("utf-8"))
            except UnicodeDecodeError as exc:
                where = (_where(exc) if consumed == 0 else
                         f"byte 0x{exc.object[exc.start]:02X} after {consumed:,} bytes")
                said = f"the encoding named, {codec}" if named else codec
                raise DataError(f"cannot read {path} as {said} ({where}): " + (
                    "is that its encoding?" if named else HINT)) from exc
            if not chunk:
                return
            consumed += len(chunk)


def _where(exc: UnicodeDecodeError) -> str:
    """The line and byte a decoding error stopped at (in the bytes it was decoding)."""
    data = bytes(exc.object)
    line = data.count(b"\n", 0, exc.start) + 1
    return f"line {line}: byte 0x{data[exc.start]:02X}"
