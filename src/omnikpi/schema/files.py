"""Finding a dataset's table files and reading them raw with DuckDB.

A table may be stored as CSV, Parquet or JSON Lines (optionally gzip-compressed), as one
file named after the table or as a folder of such files (e.g. partitioned by day). Every
file is read separately so that problems can name the file and the row.

A file is first read as it is, in one DuckDB scan. Only when that fails (a row with too
few or too many fields, bytes that are not UTF-8, a line that is not a JSON object, a gzip
file cut short) is it read again tolerantly (a :class:`Reading`): DuckDB skips the CSV rows
it cannot read and lists them, a pass in Python picks the readable lines of a JSON Lines
file and the complete lines of a damaged gzip file into a temporary copy, and every row
left out is kept with its reason, to be reported and counted as quarantined.
"""

from __future__ import annotations

import contextlib
import difflib
import gzip
import json
import re
import shutil
import tempfile
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import duckdb

from omnikpi.errors import DataError
from omnikpi.schema.convert import sql_str
from omnikpi.schema.rules import DECIMAL_COMMA_TEXT
from omnikpi.schema.stray_quotes import REASON as STRAY_QUOTE
from omnikpi.schema.stray_quotes import physical_lines, stray_quote_records

_FORMATS = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".jsonl": "json",
    ".jsonl.gz": "json",
    ".ndjson": "json",
    ".json": "json",
}
FILE_SUFFIXES = tuple(_FORMATS)
"""The endings of the files a table is read from (the docs and messages list these)."""


@dataclass(frozen=True)
class TableFile:
    table: str
    path: Path
    format: str

    @property
    def display(self) -> str:
        """The file as a problem names it: from its table's folder when it is in one
        (``contacts/day=2024-03-05/part-0.parquet``: a daily layout's files all share
        the name ``part-0.parquet``), else its name."""
        if _stem(self.path).lower() != self.table.lower():  # not ``contacts.csv`` itself
            for folder in list(self.path.parents)[:4]:
                if folder.name.lower() == self.table.lower():
                    return self.path.relative_to(folder.parent).as_posix()
        return self.path.name


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return _FORMATS[suffix]
    return None


def _stem(path: Path) -> str:
    name = path.name
    for suffix in sorted(_FORMATS, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def find_table_files(folder: Path, known_tables: set[str]) -> dict[str, list[TableFile]]:
    """Map each known table name to its files in ``folder`` (files sorted by name)."""
    folder = Path(folder)
    if folder.is_file():  # "dataset folder not found" for a file that is there misled
        # a file of a table's folder (contacts/contacts-2024-03-29.csv): the dataset is
        # the folder above the table's
        holder = next((p.parent for p in folder.parents if p.name.lower() in known_tables),
                      folder.parent)
        raise DataError(f"{folder} is a file, not a dataset folder: give the folder that "
                        f"holds it (--data {holder})")
    if not folder.is_dir():
        raise DataError(f"dataset folder not found: {folder}")
    found: dict[str, list[TableFile]] = {}
    for entry in sorted(folder.iterdir()):
        # names are matched without case: Windows exports write Contacts.CSV
        if entry.is_dir() and entry.name.lower() in known_tables:
            table = entry.name.lower()
            for sub in sorted(entry.rglob("*")):
                fmt = _format_of(sub)
                if sub.is_file() and fmt:
                    found.setdefault(table, []).append(TableFile(table, sub, fmt))
        elif entry.is_file():
            fmt = _format_of(entry)
            stem = _stem(entry).lower()
            if fmt and stem in known_tables:
                found.setdefault(stem, []).append(TableFile(stem, entry, fmt))
    return found


OWN_ENTRIES = {"rejects.csv", "recordings"}
"""What OmniKPI itself keeps in a dataset folder beside the tables (an import's rejected
lines, the recordings folder) — besides hidden (``.``) and ``_`` entries such as
``_rollups`` and ``_omnikpi_quarantine``."""


NOT_A_FORMAT_READ = "not a format OmniKPI reads ({formats}): save it as CSV or Parquet"
MISSPELT_TABLE = "not a table of the data model: did you mean {table}?"
A_CONFIGURATION = "a configuration, not a table: a report reads it with --config"
NOT_A_TABLE = "not a table of the data model (see docs/data-model.md)"
UNREAD_TEMPLATES = (NOT_A_FORMAT_READ, MISSPELT_TABLE, A_CONFIGURATION, NOT_A_TABLE)
"""Why a file of a dataset folder is not read: the data-quality page reads these back in
its language (:mod:`omnikpi.web.reject_texts`)."""


def unread_entries(folder: Path, known_tables: set[str]) -> list[tuple[str, str]]:
    """The folder's files that no table reads, each with why (a table name misspelt, a
    format OmniKPI does not read): a file named ``agent_state.csv`` must not leave the
    occupancy tiles empty without a word."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    out = []
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name.startswith((".", "_")) or name in OWN_ENTRIES or \
                name.lower().startswith(("readme", "license")):
            continue
        readable = entry.is_dir() or _format_of(entry) is not None
        stem = (_stem(entry) if readable and entry.is_file() else name.split(".")[0]).lower()
        if stem in known_tables and readable:
            continue  # read
        near = difflib.get_close_matches(stem, sorted(known_tables), n=1, cutoff=0.75)
        if not readable and stem in known_tables:
            why = NOT_A_FORMAT_READ.format(formats=", ".join(sorted(_FORMATS)))
        elif near:
            why = MISSPELT_TABLE.format(table=near[0])
        elif entry.is_dir():
            continue  # a folder of the user's own (backups, exports) is theirs to keep
        elif name.lower().endswith(".toml"):  # the one a simulated run writes beside them
            why = A_CONFIGURATION
        else:
            why = NOT_A_TABLE
        out.append((name, why))
    return out


def _relation(path: Path, fmt: str, options: str = "") -> str:
    target = sql_str(str(path))
    if fmt == "csv":
        # the CSV rules' quote, never the sniffer's guess: with no quote in its sample it
        # chose none, and a quoted line break further on (row 60,002) cut a record in two;
        # the escape is still sniffed (`""`, or `\"` as MySQL and PHP write it)
        return (f"read_csv({target}, all_varchar = true, header = true, auto_detect = true, "
                f"quote = '\"'{options})")
    if fmt == "json":
        return (f"read_json({target}, format = 'newline_delimited', records = true, "
                f"sample_size = -1{options})")
    return f"read_parquet({target}{options})"


def raw_relation_sql(file: TableFile) -> str:
    """SQL reading one file as it is: CSV as text, JSON and Parquet with their own types."""
    return _relation(file.path, file.format)


def short_error(exc: BaseException) -> str:
    """The first line of a DuckDB error: what went wrong, without the SQL it echoes, the
    line it quotes or its advice on reader options."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


@dataclass
class Reading:
    """How one file is read: as it is, or tolerantly (after reading it as it is failed).

    A tolerant reading skips the rows it cannot read: DuckDB skips CSV rows (and lists
    them in a rejects table when asked), and a JSON Lines file or a damaged gzip file is
    read from a temporary copy of its readable, complete lines. The rows left out keep
    their row number and reason (``skipped``, and the cut-off last line of a file cut
    short, ``cut_off``) so that they are reported and counted as quarantined.
    """

    file: TableFile
    tolerant: bool = False
    copy: Path | None = None
    """The temporary copy read instead of the file, if any."""
    skipped: list[tuple[int, str]] = field(default_factory=list)
    """Rows left out of the copy: (row, reason)."""
    cut_off: str | None = None
    """The reason of a cut-off last line (its row follows every other row of the file)."""
    notes: list[str] = field(default_factory=list)
    """Problems of the whole file that lose no row of it."""
    quoted: bool = False
    """Lines with a stray quote were left out of the copy read (every CSV file is read
    with ``"`` as the quote, never the one DuckDB sniffs)."""
    stray: list[tuple[int, int]] = field(default_factory=list)
    """The lines with a stray quote left out, (0-based line, data row): kept by the
    validation cache, so that a later load blanks them again without scanning the file."""

    def relation(self, rejects: str | None = None, *, file_row_number: bool = False) -> str:
        """SQL reading the file; ``rejects`` names the tables that list the CSV rows
        DuckDB skips (only for a tolerant reading); ``file_row_number`` numbers the rows
        of a Parquet file."""
        options = ", file_row_number = true" if file_row_number else ""
        if self.tolerant and self.file.format == "csv":
            options += ", ignore_errors = true"
            if rejects:
                options += (f", store_rejects = true, rejects_table = {sql_str(rejects)}, "
                            f"rejects_scan = {sql_str(rejects + '_scans')}")
        return _relation(self.copy or self.file.path, self.file.format, options)

    def error_text(self, exc: BaseException) -> str:
        """DuckDB's error about this reading, naming the file, not its temporary copy."""
        text = short_error(exc)
        if self.copy is not None:
            text = text.replace(str(self.copy), self.file.display)
        return text

    def close(self) -> None:
        if self.copy is not None:
            shutil.rmtree(self.copy.parent, ignore_errors=True)
            self.copy = None


def wide_without_mark(head: bytes) -> bool:
    """Whether text is UTF-16 (or UTF-32) saved without its byte-order mark: one byte in
    ten or more is NUL (Latin text in UTF-16 has one beside every letter; UTF-8 text has
    none). The import and the dataset folder read a file's start by this one rule."""
    return bool(head) and head.count(0) * 10 > len(head)


def _utf16(path: Path) -> bool:
    """Whether a text file is UTF-16 (Excel's "Unicode text"): its byte-order mark, or
    NUL bytes as :func:`wide_without_mark` finds them in its first 4 KiB."""
    try:
        with open_bytes(path) as handle:
            head = handle.read(4096)
    except (OSError, EOFError, gzip.BadGzipFile):
        return False
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or wide_without_mark(head)


def utf16_refusal(fmt: str) -> str:
    """Why a UTF-16 file is not read, and the way out: DuckDB said "Error when sniffing
    file", or, without a byte-order mark, read one column and called every required
    column missing."""
    return ("is UTF-16 text (Excel's \"Unicode text\"); OmniKPI reads UTF-8: save it as "
            "\"CSV UTF-8\" (Excel: Save as, CSV UTF-8), or import it with its encoding "
            f"(omnikpi import {fmt} FILE --mapping M --encoding utf-16 --out DIR)")


def describe(con: duckdb.DuckDBPyConnection, reading: Reading) -> dict[str, str]:
    """Column name → DuckDB type of a file, or a data error saying why it cannot be read."""
    if reading.file.format in ("csv", "json") and reading.copy is None \
            and _utf16(reading.file.path):
        raise DataError(utf16_refusal(reading.file.format))
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {reading.relation()}").fetchall()
    except duckdb.Error as exc:
        raise DataError(f"cannot be read as {reading.file.format}: "
                        f"{reading.error_text(exc)}") from exc
    types = {str(r[0]): str(r[1]) for r in rows}
    if reading.file.format == "csv" and _delimiter(con, reading) != ",":
        types = {c: DECIMAL_COMMA_TEXT if t.upper() == "VARCHAR" else t
                 for c, t in types.items()}
    return types


def _delimiter(con: duckdb.DuckDBPyConnection, reading: Reading) -> str:
    """The field separator DuckDB's reader detects in a CSV file (``,`` when it cannot
    tell: a one-column file)."""
    try:
        found = con.execute(f"SELECT Delimiter FROM sniff_csv("
                            f"{sql_str(str(reading.copy or reading.file.path))})").fetchone()
    except duckdb.Error:
        return ","
    return str(found[0]) if found and found[0] else ","


_CHUNK = 1 << 20


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


BOM = b"\xef\xbb\xbf"
"""UTF-8's byte-order mark, which Windows tools write at the start of a text file."""


def open_bytes(path: Path) -> IO[bytes]:
    """A file's bytes, decompressed when it is gzip (a damaged one raises ``EOFError`` or
    ``gzip.BadGzipFile`` where its readable data ends)."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _chunks(path: Path, damage: list[str]) -> Iterator[bytes]:
    """The bytes of a file, decompressed if it is gzip (of one member or several).

    A gzip file cut short or damaged ends the bytes where its readable data ends, and
    ``damage`` receives what is wrong ("truncated" or "damaged").
    """
    with path.open("rb") as handle:
        if not is_gzip(path):
            while chunk := handle.read(_CHUNK):
                yield chunk
            return
        limit = 8 * _CHUNK  # output per call: a highly compressed file stays in bounds
        inflate = zlib.decompressobj(wbits=31)
        begun = False  # whether the current member has had any input
        while data := handle.read(_CHUNK):
            while True:
                if not begun:
                    data = data.lstrip(b"\0")  # zero padding after the last member
                    if not data:
                        break
                    begun = True
                try:
                    out = inflate.decompress(data, limit)
                except zlib.error:
                    damage.append("damaged")
                    return
                if out:
                    yield out
                if inflate.eof:  # a member ends; another may follow
                    data = inflate.unused_data
                    inflate, begun = zlib.decompressobj(wbits=31), False
                    continue
                data = inflate.unconsumed_tail
                if not data and len(out) < limit:
                    break
        if begun:
            with contextlib.suppress(zlib.error):
                rest = inflate.flush()
                if rest:
                    yield rest
            damage.append("truncated")


def gzip_intact(path: Path) -> bool:
    """Whether a gzip file decompresses whole (DuckDB reads one cut short without a word)."""
    return gzip_damage(path) is None


def gzip_damage(path: Path) -> str | None:
    """What is wrong with a gzip file's data ("truncated": cut short, "damaged": not
    gzip data or corrupt), None when it decompresses whole or cannot be opened at all
    (the reader that opens it next says why)."""
    damage: list[str] = []
    try:
        for _ in _chunks(path, damage):
            pass
    except OSError:
        return None
    return damage[0] if damage else None


GZIP_DAMAGE_WORDS = {"truncated": "is cut short (the end of its gzip data is missing)",
                     "damaged": "is not readable gzip data (damaged, or not gzip at all)"}
"""How an import names a gzip file's damage (:func:`gzip_damage`)."""


class GzipCheck:
    """:func:`gzip_intact` on a thread of its own, alongside the DuckDB scan of the same
    file (both leave Python's lock while they decompress), so that it costs no wall time
    on a machine with a core to spare."""

    def __init__(self, path: Path) -> None:
        self._intact = True
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        self._intact = gzip_intact(path)

    def intact(self) -> bool:
        self._thread.join()
        return self._intact


def _lines(path: Path, damage: list[str], tail: list[bytes]) -> Iterator[bytes]:
    """The complete lines of a file (without their line end). If the file is cut short,
    the bytes after its last complete line go to ``tail`` instead."""
    pending = b""
    for chunk in _chunks(path, damage):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        yield from complete
    if damage:
        tail.append(pending)
    elif pending:
        yield pending


def _damage(damage: list[str]) -> str:
    return ("the file is truncated" if damage[0] == "truncated"
            else "the compressed data of the file is damaged")


def _damage_notes(reading: Reading, damage: list[str], complete: int, tail: bytes) -> None:
    """Note a damaged gzip file: the cut-off line, or the whole file if none is."""
    what = _damage(damage)
    if tail.strip():
        reading.cut_off = (f"{what} after line {complete}: this line is cut off and "
                           "anything after it is lost")
    else:
        reading.notes.append(f"{what} after line {complete}: anything after it is lost")


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return "true, false or null"
    return "a number"


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def json_line_problem(line: bytes) -> str | None:
    """Why one line of a JSON Lines file cannot be a row (None if it can)."""
    if b"\0" in line:
        return "NUL byte in a value"
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return "not valid UTF-8"
    try:
        value = json.loads(text.lstrip("\ufeff"), parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at character {exc.pos + 1})"
    except ValueError as exc:
        return f"not valid JSON ({exc})"
    if not isinstance(value, dict):
        return f"not a JSON object ({_json_kind(value)})"
    return None


def _temporary_copy(file: TableFile) -> Path:
    name = file.path.name[:-3] if is_gzip(file.path) else file.path.name
    return Path(tempfile.mkdtemp(prefix="omnikpi-read-")) / name


def _copy_json_lines(reading: Reading) -> None:
    """Copy the lines that are JSON objects; list the others with their reason."""
    path = reading.file.path
    copy = reading.copy = _temporary_copy(reading.file)
    damage: list[str] = []
    tail: list[bytes] = []
    row = lines = kept = 0
    with copy.open("wb") as out:
        for line in _lines(path, damage, tail):
            lines += 1
            if lines == 1:  # a file saved by a Windows tool starts with a byte-order mark
                line = line.removeprefix(BOM)
            if not line.strip():
                continue  # a blank line is no row
            row += 1
            problem = json_line_problem(line)
            if problem:
                reading.skipped.append((row, problem))
            else:
                out.write(line + b"\n")
                kept += 1
    if damage:
        _damage_notes(reading, damage, lines, tail[0])
    if not kept:
        why = (f"row {reading.skipped[0][0]}: {reading.skipped[0][1]}" if reading.skipped
               else reading.cut_off or "the file is empty")
        raise DataError(f"no line of the file can be read ({why})")


def _copy_complete_lines(reading: Reading) -> None:
    """Copy the complete lines of a damaged gzip file (decompressed)."""
    copy = reading.copy = _temporary_copy(reading.file)
    damage: list[str] = []
    complete = 0
    pending = b""
    with copy.open("wb") as out:
        for chunk in _chunks(reading.file.path, damage):
            pending += chunk
            end = pending.rfind(b"\n") + 1
            if end:
                out.write(pending[:end])
                complete += pending.count(b"\n", 0, end)
                pending = pending[end:]
        if not damage:  # whole after all
            out.write(pending)
    if damage and not complete:
        raise DataError(f"{_damage(damage)} within its first line: nothing can be read")
    if damage:
        _damage_notes(reading, damage, complete, pending)


LINE_END_CHUNK = 1 << 20
_LINE_END = re.compile(rb"\r\n?")
"""A CR LF, or a CR alone: each written as an LF."""


def line_end_kinds(path: Path) -> set[str]:
    """The kinds of line end in ``path`` (``"crlf"``, ``"lf"``, ``"cr"``: a CR no LF
    follows), counted until two kinds are seen. The dataset folder and the imports read
    a file's line ends by this one rule."""
    kinds: set[str] = set()
    after_cr = False  # the previous chunk ended in a CR: its LF may start this chunk
    with open_bytes(path) as handle:
        while chunk := handle.read(LINE_END_CHUNK):
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


def copy_with_lf(path: Path, copy: Path) -> None:
    """``path`` (decompressed) to ``copy`` with each CR LF, and each lone CR, an LF (a
    lone CR among other line ends is the line end of an old Mac's part)."""
    with open_bytes(path) as source, copy.open("wb") as target:
        held = b""  # a CR at a chunk's end: its LF may start the next chunk
        while chunk := source.read(LINE_END_CHUNK):
            data = held + chunk
            held = b"\r" if data.endswith(b"\r") else b""
            target.write(_LINE_END.sub(b"\n", data[:len(data) - len(held)]))
        target.write(b"\n" if held else b"")


def _mixed_line_ends(path: Path) -> bool:
    """Whether a text file ends its lines in more than one way (CRLF, LF, a lone CR: rows
    appended by a Windows tool to a file written elsewhere, a part saved by an old Mac).
    DuckDB's reader cannot tell its format and reads no row of it, though every line is
    whole."""
    return len(line_end_kinds(path)) > 1


def _copy_with_lf(reading: Reading) -> None:
    """Copy a file of mixed line ends with every line ending in LF (one line per line:
    row numbers are kept, a lone CR counted as the line end it is)."""
    copy = reading.copy = _temporary_copy(reading.file)
    copy_with_lf(reading.file.path, copy)
    reading.notes.append("its lines end in more than one way (CRLF, LF or a CR alone, as "
                         "when rows are added by another tool): read line by line all the "
                         "same")


def _header_delimiter(header: str) -> str:
    """The field separator of a canonical CSV file, told by its header line (column names
    never hold one): the most frequent of comma, semicolon, tab and bar; comma if none."""
    counts = {mark: header.count(mark) for mark in ",;\t|"}
    best = max(counts, key=lambda mark: counts[mark])
    return best if counts[best] else ","


def _blank_stray_quotes(reading: Reading, known: list[tuple[int, int]] | None) -> None:
    """Leave out each line whose quote no quote of its record closes (see
    :mod:`omnikpi.schema.stray_quotes`): a copy with those lines blank, each listed as
    skipped under its data row, and the rest read with quoting on. A file without such a
    line is left as it is. ``known``: the lines a validation found (from its cache), to
    blank without scanning again — the scan walks quoted lines in Python, and a cached
    load of a large file paid it on every report."""
    source = reading.copy or reading.file.path
    if known is not None and not known:
        return
    if known is None and not any(b'"' in chunk for chunk in _chunks(source, [])):
        return  # the common case: a file without quotes is not held in memory
    with open_bytes(source) as handle:
        lines = physical_lines(handle.read().decode("utf-8", "surrogateescape"))
    found = known if known is not None else \
        stray_quote_records(lines, _header_delimiter(lines[0]), '"') if lines else []
    if not found:
        return
    reading.stray = [(line, row) for line, row in found if line < len(lines)]
    for line, row in reading.stray:
        reading.skipped.append((row, STRAY_QUOTE))
        lines[line] = "\r\n" if lines[line].endswith("\r\n") else "\n"
    copy = _temporary_copy(reading.file) if reading.copy is None else reading.copy
    copy.write_bytes("".join(lines).encode("utf-8", "surrogateescape"))
    reading.copy, reading.quoted = copy, True


def tolerant_reading(file: TableFile, stray: list[tuple[int, int]] | None = None) -> Reading:
    """A tolerant reading of a text file (see :class:`Reading`); it may make a temporary
    copy (closed by ``close``). Raises a data error if no line of it can be read.
    ``stray``: the stray-quote lines an earlier reading of the same file found
    (``Reading.stray``, kept by the validation cache); None: look for them."""
    reading = Reading(file, tolerant=True)
    try:
        if file.format == "json":
            _copy_json_lines(reading)
        elif is_gzip(file.path) and not gzip_intact(file.path):
            _copy_complete_lines(reading)
        elif file.format == "csv" and _mixed_line_ends(file.path):
            _copy_with_lf(reading)
        if file.format == "csv":
            _blank_stray_quotes(reading, stray)
    except OSError as exc:
        reading.close()
        raise DataError(f"cannot be read: {exc.strerror or exc}") from exc
    except DataError:
        reading.close()
        raise
    return reading


_REASONS = """
    CASE error_type
      WHEN 'MISSING COLUMNS' THEN 'row has ' || min(found) || ' fields, the header has '
                                  || max(expected)
      WHEN 'TOO MANY COLUMNS' THEN 'row has ' || max(found) || ' fields, the header has '
                                   || max(expected)
      WHEN 'INVALID ENCODING' THEN 'not valid UTF-8 (column '
                                   || string_agg(DISTINCT column_name, ', ') || '): save '
                                   || 'the file as UTF-8, or import it naming its encoding '
                                   || '(--encoding cp1251 for Windows Cyrillic)'
      WHEN 'UNQUOTED VALUE' THEN 'a quoted value is not closed properly'
      WHEN 'LINE SIZE OVER MAXIMUM' THEN 'the line is too long'
      ELSE min(split_part(error_message, chr(10), 1))
    END"""


def collect_unreadable(con: duckdb.DuckDBPyConnection, reading: Reading, name: str,
                       rows: int, rejects: str | None) -> tuple[str, int, str | None]:
    """List the rows of a tolerant reading that were left out, in a temporary table
    ``(__row, reason)``, from the reading and from DuckDB's ``rejects`` tables (a CSV row
    on line n is data row n - 1); ``rows`` is how many rows were read.

    Returns the table, its row count and, if it has rows, a table of the gaps they leave
    in the numbering of the rows read (:func:`renumbered_sql`).
    """
    table = f"__unreadable_{name}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (__row BIGINT, reason VARCHAR)")
    if reading.skipped:
        con.execute(f"INSERT INTO {table} SELECT unnest($rows), unnest($reasons)", {
            "rows": [row for row, _ in reading.skipped],
            "reasons": [reason for _, reason in reading.skipped]})
    if rejects:
        con.execute(
            f"""INSERT INTO {table}
                SELECT line - 1, string_agg(reason, '; ' ORDER BY reason) FROM (
                  SELECT line, {_REASONS} AS reason FROM (
                    SELECT line, CAST(error_type AS VARCHAR) AS error_type, column_name,
                      error_message,
                      TRY_CAST(regexp_extract(error_message, 'Expected Number of Columns: ([0-9]+)',
                               1) AS BIGINT) AS expected,
                      TRY_CAST(regexp_extract(error_message, 'Found: ([0-9]+)', 1) AS BIGINT)
                        AS found
                    FROM {rejects})
                  GROUP BY line, error_type)
                GROUP BY line""")
        con.execute(f"DROP TABLE IF EXISTS {rejects}")
        con.execute(f"DROP TABLE IF EXISTS {rejects}_scans")
    if reading.cut_off:
        con.execute(f"INSERT INTO {table} SELECT {rows} + count(*) + 1, $reason FROM {table}",
                    {"reason": reading.cut_off})
    found = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    count = int(found[0]) if found else 0
    if not count:
        return table, 0, None
    gaps = f"__gaps_{name}"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {gaps} AS
            SELECT __row - n AS __gap, max(n) AS __skip FROM (
              SELECT __row, row_number() OVER (ORDER BY __row) AS n FROM {table})
            GROUP BY 1""")
    return table, count, gaps


def renumbered_sql(relation: str, gaps: str) -> tuple[str, str]:
    """The rows of ``relation`` with their number in the file: the k-th row read is row k
    plus the number of unreadable rows before it (the last gap below k). Returns the
    relation and the expression of the row number."""
    return (
        f"(SELECT row_number() OVER () AS __k, * FROM {relation}) AS __read "
        f"ASOF LEFT JOIN {gaps} AS __gaps ON __read.__k > __gaps.__gap",
        "__read.__k + coalesce(__gaps.__skip, 0)",
    )
