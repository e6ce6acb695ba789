"""Any platform's CSV or JSON export, mapped to canonical tables by a TOML file.

The mapping is declarative: each canonical column is a DuckDB SQL expression over the
source columns (so conversions are vectorised, never row loops), local timestamps are
converted to UTC from the named zone, and filter rules drop rows with a stated reason
that the import counts. One mapping names its main ``table``; ``[tables.NAME]`` sections
write further tables from the same source rows, each with its own columns, filters and
local timestamps, all in the same import commit. ``[derived]`` names intermediate
expressions once (run as CTEs before the columns, each may use the ones above it);
``[source] unnest`` turns each element of a JSON list into a row with its parent's fields.
A mapping error names the mapping key and what is wrong (a usage error, never a
traceback). See ``mappings/anonymous_bank.toml`` and docs/connectors.md.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from omnikpi.connectors.csv_line_ends import lf_line_ends
from omnikpi.connectors.csv_quotes import without_stray_quotes
from omnikpi.connectors.csv_rejects import UnreadableFile, read_leaving_out_bad_lines
from omnikpi.connectors.declared_fields import declared_fields
from omnikpi.connectors.failing_rows import (
    can_try,
    failing,
    first_line,
    keep_try_whole,
    raises,
    short,
    tried,
)
from omnikpi.connectors.hidden_numbers import MACRO_SQL
from omnikpi.connectors.json_lines import without_broken_lines
from omnikpi.connectors.json_text import scalar_json_as_text
from omnikpi.connectors.mapping_files import read_mapping
from omnikpi.connectors.reject_file import Reject, as_given, keep_rejects
from omnikpi.connectors.repeated_headers import REASON as REPEATED_HEADER
from omnikpi.connectors.repeated_headers import drop_repeated_headers, strip_line_marks
from omnikpi.connectors.sandbox import seal
from omnikpi.connectors.source_files import (
    checked_inputs,
    explain,
    no_inputs,
)
from omnikpi.connectors.spreadsheets import sheets_as_csv
from omnikpi.connectors.text_encoding import readable_text
from omnikpi.connectors.transaction import committed_import
from omnikpi.connectors.writer import KEYS, SNAPSHOTS, TEXT_KEYED, merge_write
from omnikpi.errors import DataError, UsageError
from omnikpi.instants import FIRST_YEAR, LAST_YEAR
from omnikpi.schema.convert import quote, sql_str
from omnikpi.schema.tables import TABLES, ColumnType


@dataclass
class MappedSummary:
    table: str
    read: int = 0
    written: int = 0
    """This import's rows now in the table (new ones and newer forms of stored ones)."""
    total: int = 0
    """Rows in the table after the import (earlier imports' too)."""
    filtered: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    repeated: int = 0
    """Rows whose id was already in the table or came earlier in this import: kept once,
    the first (``connectors/writer.py``)."""
    updated: int = 0
    """Rows already in the table that a newer form of the same record replaced (a mapping
    with ``[source] version``)."""
    removed: int = 0
    """Rows already in the table, or older forms arriving with this import, left out
    because the record's newest form is one a filter with ``removes_older_forms`` skips
    (a conversation first exported while the AI agent worked on it, since resolved by
    it: a bot session, no longer a contact)."""
    versioned: bool = False
    """Whether the mapping names a version: a repeated record keeps its newest form."""
    recorded: bool = False
    """Whether the table's rows carry the source's record id (``TableMapping.record``)."""
    left_out: Counter[str] = field(default_factory=Counter)
    """Source lines no table could read (a CSV line of another shape), by reason: counted
    in ``read``, never written. Every row read is filtered, written, repeated or this."""
    skipped_hour: Counter[str] = field(default_factory=Counter)
    """Rows per ``[timestamps]`` column whose local time falls in the hour the clocks skip
    (no clock of the zone shows it): read with the offset before the change, and named,
    since such a time usually means the column is in another zone than the mapping's."""
    zone: str = ""
    """The zone of those local times."""
    out_of_years: Counter[str] = field(default_factory=Counter)
    """Rows per timestamp column whose instant falls outside the years OmniKPI reports on
    (a time in milliseconds read as seconds lands in the year 56146): written as they are,
    and said now — validation quarantines such rows, which an import that said nothing
    left the user to find out."""
    failed_filtered: Counter[str] = field(default_factory=Counter)
    """Rows the table filters out on which a ``[derived]`` name could not be computed
    (left empty), by reason: the row is accounted for under its filter, but a window may
    have read the value into the rows kept (a reply's time into its conversation), which
    then miss it. Before, such a failure was counted nowhere."""
    counted_twice: int = 0
    """Rejections beyond the first of their row: a row whose start and end are both
    unreadable is counted under both reasons, but is one row rejected."""
    notes: list[str] = field(default_factory=list)
    """What the import assumed or found missing, said below the summary: local times read
    in a zone the mapping does not name (no ``--tz``), a list of the export none of the
    inputs holds (Zendesk tickets without their metric events)."""

    @property
    def rejected_rows(self) -> int:
        """Rows rejected, each once whatever the number of its reasons."""
        return sum(self.rejected.values()) - self.counted_twice


@dataclass(frozen=True)
class TableMapping:
    """How one canonical table is made from the source rows."""

    table: str
    columns: dict[str, str]
    filters: list[dict[str, str]]
    zone: str
    local: frozenset[str]
    rows: str | None = None
    """``rows = "NAME"``: one canonical row per element of the list ``NAME`` (a source
    column or a ``[derived]`` name), the element read as ``row`` (``row.start``); see
    ``_each_row``."""
    record: str | None = None
    """``record = "SQL"``: the source's own identity of a row (a rating's id) when the
    table's key cannot be it — a survey answer is keyed by its score and time, so a rating
    the customer changed would otherwise be a second answer. A row arriving with a known
    record replaces the stored form of that record when it is newer (``[source] version``;
    without one, the form imported last is the newer)."""
    version: str | None = None
    """``[tables.NAME] version = "SQL"``: which form of a row is the newer, for this table
    only (else ``[source] version``). A worker's state derived from events ends at the next
    change the events show: the form with the earlier end saw more of them."""
    keep_older: dict[str, str] = field(default_factory=dict)
    """``[keep_older]``: column → SQL condition on the newer form. Where the newer form of
    a row has the column empty and the condition holds, the value an older form had stays
    (a Zendesk ticket's first reply, known from the metric events of the export that saw
    it, not from a later export that saw only the ticket updated)."""
    zone_named: bool = True
    """Whether the mapping names the zone of its local times (``[timestamps] timezone``):
    without it, and without ``--tz``, they are read as UTC and the summary says so (an
    Asterisk CDR's times, the PBX's clock, were read as UTC without a word)."""


def _load_mapping(path: Path) -> tuple[dict[str, Any], list[TableMapping]]:
    """The mapping file and its tables: the main ``table`` first, then ``[tables.NAME]``."""
    mapping = read_mapping(path)
    zone = mapping.get("timestamps", {}).get("timezone", "UTC")
    zone_named = "timezone" in mapping.get("timestamps", {})
    further = mapping.get("tables", {})
    if not isinstance(further, dict):
        raise UsageError(f"mapping {path}: [tables.NAME] sections name further tables")
    specs: list[tuple[Any, Any]] = []
    if "table" in mapping or not further:
        specs.append((mapping.get("table"), mapping))
    specs += list(further.items())
    tables = []
    seen: set[str] = set()
    for name, spec in specs:
        if not isinstance(name, str) or name not in TABLES:
            raise UsageError(f"mapping {path}: table must be one of {', '.join(TABLES)}"
                             + (f" (not {name!r})" if name else ""))
        if name in seen:
            raise UsageError(f"mapping {path}: table {name} is mapped twice")
        seen.add(name)
        if not isinstance(spec, dict):
            raise UsageError(f"mapping {path}: [tables.{name}] must be a table of settings")
        key = "" if spec is mapping else f"tables.{name}."
        if "keep" in spec:  # an old, never documented key: it let other names through
            raise UsageError(f"mapping {path}: {key}keep is not a mapping key: only the "
                             f"columns of {name} are mapped; name intermediate "
                             "expressions in [derived]")
        columns = spec.get("columns", {})
        if not isinstance(columns, dict) or not all(
                isinstance(v, str) for v in columns.values()):
            raise UsageError(f"mapping {path}: [{key}columns] must map column names to "
                             "SQL expressions (strings)")
        unknown = [c for c in columns if c not in TABLES[name].column_names]
        if unknown:
            raise UsageError(f"mapping {path}: [{key}columns] {', '.join(unknown)} are not "
                             f"columns of {name} (columns: {', '.join(TABLES[name].column_names)})")
        filters = spec.get("filters", [])
        if not isinstance(filters, list) or not all(
                isinstance(f, dict) and isinstance(f.get("when"), str) for f in filters):
            raise UsageError(f"mapping {path}: [[{key}filters]] each need `when` = an SQL "
                             "condition (and a `reason`)")
        if any(not isinstance(f.get(REMOVES_OLDER), bool) for f in filters
               if REMOVES_OLDER in f):
            raise UsageError(f"mapping {path}: [[{key}filters]] {REMOVES_OLDER} is true or "
                             "false")
        if any(f.get(REMOVES_OLDER) for f in filters) and name in TEXT_KEYED:
            raise UsageError(f"mapping {path}: [[{key}filters]] {REMOVES_OLDER} is not for "
                             f"{name}: its rows are told apart by their text too, which a "
                             "skipped form does not carry")
        if any(f.get(REMOVES_OLDER) for f in filters) and not (
                isinstance(spec.get("version"), str)
                or isinstance(mapping.get("source", {}).get("version"), str)):
            raise UsageError(f"mapping {path}: [[{key}filters]] {REMOVES_OLDER} needs a "
                             "version ([source] version or [tables.NAME] version): which "
                             "form of a record is the newer")
        stamps = spec.get("timestamps", {})
        local = stamps.get("local", []) if isinstance(stamps, dict) else None
        if not isinstance(local, list) or any(
                c not in TABLES[name].column_names
                or TABLES[name].column(c).type is not ColumnType.TIMESTAMP for c in local):
            raise UsageError(f"mapping {path}: [{key}timestamps] local must list timestamp "
                             f"columns of {name}")
        rows = spec.get("rows")
        if rows is not None and not isinstance(rows, str):
            raise UsageError(f"mapping {path}: {key}rows names the list (a source column "
                             "or a [derived] name) whose elements become the rows")
        record = spec.get("record")
        if record is not None and not isinstance(record, str):
            raise UsageError(f"mapping {path}: {key}record is an SQL expression: the "
                             "source's id of a row (a rating's id)")
        version = spec.get("version") if key else None  # the main table's: [source]
        if version is not None and not isinstance(version, str):
            raise UsageError(f"mapping {path}: {key}version is an SQL expression: a "
                             "number, bigger is newer")
        keep_older = spec.get("keep_older", {})
        if not isinstance(keep_older, dict) or not all(
                isinstance(v, str) and c in TABLES[name].column_names
                for c, v in keep_older.items()):
            raise UsageError(f"mapping {path}: [{key}keep_older] maps columns of {name} to "
                             "the SQL condition on the newer form under which an older "
                             "form's value stays where the newer one has none")
        if keep_older and not isinstance(mapping.get("source", {}).get("version"), str):
            raise UsageError(f"mapping {path}: [{key}keep_older] needs [source] version "
                             "(which form of a row is the newer)")
        tables.append(TableMapping(
            name, dict(columns), list(filters),
            stamps.get("timezone", zone), frozenset(local), rows, record, version,
            dict(keep_older), zone_named or "timezone" in stamps))
    derived = mapping.get("derived", {})
    if not isinstance(derived, dict) or not all(isinstance(v, str) for v in derived.values()):
        raise UsageError(f"mapping {path}: [derived] must name SQL expressions (strings)")
    return mapping, tables


def _read_json_again(con: duckdb.DuckDBPyConnection, files: list[Path],
                     source: dict[str, Any], concatenated: str
                     ) -> tuple[Counter[str], list[Reject]]:
    """``raw`` from JSON files DuckDB refused: as objects written back to back (Firehose
    concatenates them, some on one line), else without the lines that are not JSON
    (:mod:`omnikpi.connectors.json_lines`), which are counted by reason and listed."""
    try:
        con.execute(f"CREATE TABLE raw AS SELECT * FROM {concatenated}")
        return Counter(), []
    except duckdb.Error:
        with without_broken_lines(files) as (lines, broken, listed):
            if not broken:
                raise
            con.execute(f"CREATE TABLE raw AS SELECT * FROM {_source_sql(lines, source)}")
            return broken, listed


def _read_csv_again(con: duckdb.DuckDBPyConnection, files: list[Path],
                    source: dict[str, Any]) -> tuple[Counter[str], list[Reject]]:
    """``raw`` from CSV files DuckDB refused: a file whose lines end in CR LF and LF both
    read as all LF (``csv_line_ends``), each line that opens a quote no quote of its
    record closes left out (``csv_quotes``), then each line of another shape
    (``csv_rejects``); both counted by reason and listed."""
    quote_char = source.get("quote", '"')
    delimiter = str(source.get("delimiter", ","))
    columns = source.get("columns")
    skip = source.get("skip", 0)
    with lf_line_ends(files) as lf_files:
        if quote_char == "" or len(delimiter) != 1 or not isinstance(skip, int):
            reasons, listed = read_leaving_out_bad_lines(
                con, lf_files, lambda path: _source_sql([path], source, rejects=True))
            return as_given(reasons, listed, lf_files, files)
        with without_stray_quotes(lf_files, delimiter, str(quote_char), skip,
                                  len(columns) if isinstance(columns, list) else None
                                  ) as (copies, strays, listed):
            reasons, rejected = read_leaving_out_bad_lines(
                con, copies, lambda path: _source_sql([path], source, rejects=True))
            reasons, rejected = as_given(reasons, rejected, copies, lf_files)
        return as_given(strays + reasons, listed + rejected, lf_files, files)


def _cannot_read(files: list[Path], exc: duckdb.Error) -> str:
    """Why the files cannot be read, naming the one the reader stopped on (DuckDB names a
    temporary copy, or, reading several files, ``file ""``) and, when it could not make
    out the file's dialect, saying so."""
    error = exc.error if isinstance(exc, UnreadableFile) else exc
    named = files[exc.number] if isinstance(exc, UnreadableFile) else files[0]
    lines = [line.strip() for line in str(error).split("\n") if line.strip()]
    said = re.sub(r' file "[^"]*"', "", lines[0] if lines else "").rstrip(".")
    if "sniffing" in said and len(lines) > 1:
        said += (f": {lines[1]} (check the mapping's [source] delimiter, quote and skip, "
                 "and that the file is CSV text whose lines end in LF or CR LF)")
    return f"cannot read {named}: {said}"


def _source_sql(files: list[Path], source: dict[str, Any], rejects: bool = False) -> str:
    """The reader of the source files; with ``rejects`` (CSV, one file), a line the
    reader cannot split goes to DuckDB's ``reject_errors`` instead of stopping it."""
    fmt = source.get("format", "csv")
    names = "[" + ", ".join(sql_str(str(f)) for f in files) + "]"
    if fmt == "csv":
        delimiter = sql_str(source.get("delimiter", ","))
        columns = source.get("columns")
        # skip: left to itself, DuckDB's dialect sniffer takes a line with a field too many
        # near the end for the header and skips every line before it (all the data); the
        # lines before the header are the mapping's to say ([source] skip, a title block)
        skip = source.get("skip", 0)
        if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
            raise UsageError("mapping [source] skip: how many lines come before the header "
                             f"(a title block), 0 or more (not {skip!r})")
        reading = _csv_options(source) + f", skip = {skip}" + (
            f", max_line_size = {MAX_CSV_LINE_BYTES}") + (
            ", store_rejects = true" if rejects else "")
        # the CSV rules' quote unless the mapping names one: the sniffer chose "no quote"
        # when its sample held none, and a quoted line break past it (line 300,001) cut a
        # record in two — its head imported with a stray quote, its tail rejected
        quoting = "" if "quote" in source else ", quote = '\"'"
        if columns is None:  # the escape sniffed: `""`, or `\"` as MySQL and PHP write it
            union = "" if rejects else ", union_by_name = true"  # not with store_rejects
            return (f"read_csv({names}, all_varchar = true, header = true, "
                    f"delim = {delimiter}{union}{quoting}{reading})")
        quoting += "" if "quote" in source else ", escape = '\"'"
        # a file without a header line (Asterisk's Master.csv): the names, in order; a line
        # with fewer fields has nulls in the last columns
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise UsageError("mapping [source] columns: the names of the file's columns, "
                             "in order, for a file without a header line")
        listed = "[" + ", ".join(sql_str(c) for c in columns) + "]"
        # DuckDB's parallel scanner cannot pad short records when a quoted field holds a
        # line break ("does not support null_padding in conjunction with quoted new
        # lines"): read again, the reader on one thread reads them
        serial = ", parallel = false" if rejects else ""
        return (f"read_csv({names}, all_varchar = true, header = false, "
                f"delim = {delimiter}, names = {listed}, null_padding = true"
                f"{quoting}{serial}{reading})")
    if fmt == "json":  # one object per line, or a JSON array of objects
        # the types from every object (not a sample of the first ones): a field first seen
        # late in a large export would otherwise be left out of every row without a word
        # a page saved as one object can be large (all of a day's events in one list):
        # DuckDB refuses objects over 16 MB unless told
        return (f"read_json({names}, format = 'auto', union_by_name = true, sample_size = -1, "
                f"maximum_object_size = {MAX_JSON_OBJECT_BYTES})")
    raise UsageError(f"mapping [source] format: unknown format {fmt!r} (csv, json or xlsx)")


MAX_CSV_LINE_BYTES = 1 << 26
"""The longest CSV record a mapped import reads (64 MiB): DuckDB's own limit (2 MB)
refused a whole export for one long note or transcript field, naming line 1."""
MAX_JSON_OBJECT_BYTES = 1 << 30
"""The largest JSON object a mapped import reads (one page of an API export, saved whole)."""


def _csv_options(source: dict[str, Any]) -> str:
    """``[source] null`` (values that mean "empty", e.g. ``["NULL", "\\N"]`` of a MySQL
    dump) and ``quote`` (``""``: no quoting, for tab-separated dumps whose text may hold a
    lone ``"``) as ``read_csv`` options."""
    options = ""
    nulls = source.get("null")
    if nulls is not None:
        if not isinstance(nulls, list) or not all(isinstance(v, str) for v in nulls):
            raise UsageError('mapping [source] null: a list of the values that mean empty, '
                             'e.g. ["NULL", "\\N"]')
        options += ", nullstr = [" + ", ".join(sql_str(v) for v in ["", *nulls]) + "]"
    quote_char = source.get("quote")
    if quote_char is not None:
        if not isinstance(quote_char, str) or len(quote_char) > 1:
            raise UsageError('mapping [source] quote: one character, or "" for none')
        options += f", quote = {sql_str(quote_char)}"
        if quote_char == "":
            options += ", escape = ''"
    return options


def _unnest(con: duckdb.DuckDBPyConnection, source: dict[str, Any],
            mapping_path: Path | None = None) -> list[str]:
    """``[source] unnest = "conversations"`` (or a list, applied in order): one row per
    element of that list column, the element in the column's place, the parent's other
    fields repeated. A parent whose list is empty or missing stays, as one row with a
    null element (never dropped silently). Returns the columns the elements are in."""
    paths = source.get("unnest", [])
    elements: list[str] = []
    for name in [paths] if isinstance(paths, str) else paths:
        columns = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE raw").fetchall()}
        head, *rest = str(name).split(".")
        if head not in columns and not rest and source.get("format") == "json" and \
                not any(kind.endswith("[]") for kind in columns.values()):
            # an API page with nothing in it leaves the empty list out ({"totalHits": 0}
            # from Genesys Cloud): pages with no element, as with the list written []
            con.execute(f"CREATE OR REPLACE TABLE raw AS SELECT *, CAST(NULL AS JSON) AS "
                        f"{quote(head)} FROM raw")
            elements.append(head)
            break
        if head not in columns:
            described = (f"; the inputs this mapping reads are described at the top of "
                         f"{mapping_path}") if mapping_path is not None else ""
            raise UsageError(f"mapping [source] unnest: no column {name!r} in the source "
                             f"(columns: {', '.join(sorted(columns))}){described}")
        # a list inside an object (``data.payload``) becomes a column of its last name
        expr = ".".join(quote(part) for part in [head, *rest])
        alias = quote(rest[-1] if rest else head)
        try:
            kind = str(con.execute(f"SELECT typeof({expr}) FROM raw LIMIT 1").fetchone()[0])  # type: ignore[index]
        except duckdb.Error as exc:
            raise UsageError(f"mapping [source] unnest: no field {name!r} in the source "
                             f"({first_line(exc)})") from exc
        if not kind.endswith("[]"):
            raise UsageError(f"mapping [source] unnest: {name!r} is not a list "
                             f"(it is {kind})")
        element = f"unnest(CASE WHEN len({expr}) > 0 THEN {expr} ELSE [NULL] END)"
        select = (f"* REPLACE ({element} AS {alias})" if not rest
                  else f"* EXCLUDE ({quote(head)}), {element} AS {alias}")
        if rest and rest[-1] in columns:
            raise UsageError(f"mapping [source] unnest: {name!r} would become column "
                             f"{rest[-1]!r}, which the source already has")
        con.execute(f"CREATE OR REPLACE TABLE raw AS SELECT {select} FROM raw")
        elements.append(rest[-1] if rest else head)
    return elements


def _missing_lists(con: duckdb.DuckDBPyConnection, source: dict[str, Any],
                   elements: list[str], mapping_path: Path) -> list[str]:
    """What the summary says of each list of ``[source] unnest`` that none of the inputs
    holds while another list has elements: its columns are empty on every row, and what
    that means, in the mapping's words (``[source.missing] NAME = "…"``). Zendesk
    tickets imported without their metric events were all unanswered, without a word."""
    said = source.get("missing", {})
    if not isinstance(said, dict) or not all(isinstance(v, str) for v in said.values()):
        raise UsageError(f"mapping {mapping_path}: [source.missing] maps a list of [source] "
                         "unnest to what its absence from the inputs means (text)")
    if len(elements) < 2:
        return []
    notes = []
    for name in elements:
        held = con.execute(f"SELECT count(*) FROM raw WHERE {quote(name)} IS NOT NULL"
                           ).fetchone()
        if held is not None and not held[0]:
            meaning = said.get(name, "the columns the mapping reads from them are empty "
                               "on every row")
            notes.append(f"no {name} among the inputs (none of the files holds one): "
                         f"{meaning}")
    return notes


def _zone_assumed(spec: TableMapping) -> str:
    """The summary's word on local times read in a zone nobody named."""
    columns = ", ".join(sorted(spec.local))
    return (f"{spec.table}: {columns} are local times (no offset in the export) and the "
            f"mapping names no zone, nor did --tz: read as {spec.zone}. If the export "
            "holds another zone's clock (a PBX writes its own local time), import it "
            "again into a new folder with --tz ZONE (e.g. --tz Europe/Kyiv; a row already "
            "imported is kept as it was); --tz UTC says they are UTC.")


def _unnest_of_records(source: dict[str, Any], mapping_path: Path) -> bool:
    """``[source] unnest_of``: whether the unnested lists are pages' ("pages", the
    default: a page with no element holds nothing) or records' own ("records": a ticket
    with no conversation yet is a ticket). Any other value is a mapping error: a typo
    turned the records' reading on."""
    value = source.get("unnest_of", "pages")
    if value not in ("pages", "records"):
        raise UsageError(f"mapping {mapping_path}: [source] unnest_of = {value!r}: write "
                         "\"pages\" (the lists are an export's pages, the default) or "
                         "\"records\" (each is a record's own list)")
    return bool(value == "records")


def _all_lists_empty(con: duckdb.DuckDBPyConnection, elements: list[str]) -> bool:
    """Whether no page of the source holds an element of any unnested list (a quiet day's
    export): the elements have no fields to read, so the mapping cannot be applied."""
    return bool(elements) and not any(
        con.execute(f"SELECT count(*) FROM raw WHERE {quote(e)} IS NOT NULL").fetchone()[0]  # type: ignore[index]
        for e in elements)


_SOURCE_ROWS = "src AS (SELECT * FROM derived) "
"""The last CTE of ``[derived]``: what a table's filters and columns read (``src``)."""


def _derived_sql(con: duckdb.DuckDBPyConnection, derived: dict[str, str]) -> str:
    """``[derived]`` as a chain of CTEs ending in ``src``: each named expression is
    computed once per row and may use the source columns and the names above it."""
    present = {str(r[0]) for r in con.execute("DESCRIBE raw").fetchall()}
    keywords = {str(r[0]) for r in con.execute(
        "SELECT keyword_name FROM duckdb_keywords() "
        "WHERE keyword_category IN ('reserved', 'type_function')").fetchall()}
    ctes: list[str] = []
    previous = "raw"
    for i, (name, expr) in enumerate(derived.items()):
        if name in present:
            raise UsageError(f"mapping [derived] {name}: the source already has a column "
                             "of that name; choose another")
        if name.lower() in keywords:
            raise UsageError(f"mapping [derived] {name}: an SQL keyword, which the "
                             "expressions below could not name; choose another")
        present.add(name)
        ctes.append(_derived_step(i, name, expr, previous))
        previous = f"d{i}"
    if ctes:
        try:
            con.execute(f"WITH {', '.join(ctes)} SELECT * FROM {previous} LIMIT 0")
        except duckdb.Error:
            _name_the_broken_step(con, derived)
            raise
    ctes.append(f"derived AS (SELECT * FROM {previous})")
    return "WITH " + ", ".join(ctes) + ", " + _SOURCE_ROWS


def _derived_step(i: int, name: str, expr: str, previous: str) -> str:
    """The CTE ``d{i}`` computing one ``[derived]`` name over the step before it."""
    return f"d{i} AS (SELECT *, ({expr}) AS {quote(name)} FROM {previous})"


def _name_the_broken_step(con: duckdb.DuckDBPyConnection, derived: dict[str, str]) -> None:
    """The usage error naming the first ``[derived]`` expression that does not compile.

    Only once the whole chain has failed: compiling the chain up to every step was
    quadratic in the steps, and a mapping of many windows (Twilio's per-channel states)
    took seconds to check before reading a row."""
    present = {str(r[0]) for r in con.execute("DESCRIBE raw").fetchall()}
    ctes: list[str] = []
    previous = "raw"
    for i, (name, expr) in enumerate(derived.items()):
        cte = _derived_step(i, name, expr, previous)
        try:
            con.execute(f"WITH {', '.join([*ctes, cte])} SELECT * FROM d{i} LIMIT 0")
        except duckdb.Error as exc:
            raise UsageError(f"mapping [derived] {name}: {explain(exc, present)}") from exc
        ctes.append(cte)
        present.add(name)
        previous = f"d{i}"


def _derive(con: duckdb.DuckDBPyConnection, derived: dict[str, str]) -> dict[str, str]:
    """``derived_rows``: the source rows with the ``[derived]`` names computed once.

    A name whose expression raises on some rows is left empty there; the names that do,
    each with the reason its rows are counted under in every table that keeps them
    (:mod:`omnikpi.connectors.failing_rows`). One that raises on every row is the
    mapping's mistake."""
    try:
        con.execute(f"CREATE TABLE derived_rows AS {_derived_sql(con, derived)}"
                    "SELECT * FROM derived")
        return {}
    except duckdb.Error as exc:
        strict_error = exc
    ctes: list[str] = []
    wrapped: list[str] = []
    previous = "raw"
    for i, (name, expr) in enumerate(derived.items()):
        with_sql = f"WITH {', '.join(ctes)} " if ctes else ""
        if can_try(con, with_sql, expr, previous):
            wrapped.append(name)
            expr = tried(expr)
        ctes.append(_derived_step(i, name, expr, previous))
        previous = f"d{i}"
    try:
        con.execute(f"CREATE TABLE derived_rows AS WITH {', '.join(ctes)} "
                    f"SELECT * FROM {previous}")
    except duckdb.Error as exc:  # a window raises: nothing to leave empty
        raise DataError(_window_failure(con, ctes, list(derived), strict_error)) from exc
    broken: dict[str, str] = {}
    for name in wrapped:
        found = failing(con, "", derived[name], rows="derived_rows")
        if found.rows and found.everywhere:
            raise UsageError(f"mapping [derived] {name}: {found.example}") from strict_error
        if found.rows:
            broken[name] = f"[derived] {name} could not be computed ({found.example}): " \
                "left empty"
    return broken


def _window_failure(con: duckdb.DuckDBPyConnection, ctes: list[str], names: list[str],
                    error: duckdb.Error) -> str:
    """Why ``[derived]`` cannot be computed when a window raises (``TRY`` cannot wrap a
    window, so its failing rows cannot be left empty): the first name that fails, and
    the way out — the value that fails computed in a name of its own above the window,
    which is then left empty on those rows and counted. Before, the message named
    neither the name nor what to do."""
    for i, name in enumerate(names):
        try:
            con.execute(f"WITH {', '.join(ctes[:i + 1])} SELECT count(*) FROM d{i}")
        except duckdb.Error as failed:
            return (f"the mapping's [derived] {name} cannot be computed on these files "
                    f"({first_line(failed)}): a window (OVER …) cannot leave the rows it "
                    "fails on empty — compute the value that fails in a [derived] name of "
                    f"its own above {name} (e.g. reply_at = \"CAST(at AS TIMESTAMPTZ)\"), "
                    "which is left empty on those rows and counted, and let the window "
                    "read that name")
    return f"the mapping's [derived] names cannot be computed on these files: {first_line(error)}"


def _in_zone(tables: list[TableMapping], zone: str, mapping_path: Path) -> list[TableMapping]:
    """The tables with their local times read in ``zone`` (``--tz``, which wins over the
    mapping's ``[timestamps] timezone`` as ``--encoding`` wins over its encoding: the
    same Asterisk CDR mapping serves PBXs in several zones). Before, ``--tz`` was read by
    the queue_log import alone and silently ignored here. A mapping with no local times
    (its times carry an offset, or are epoch seconds) is refused the option: it would
    change nothing, and saying nothing let the user believe it had."""
    if not any(spec.local for spec in tables):
        raise UsageError(f"--tz {zone}: the mapping {mapping_path.name} reads no local times "
                         "(its times carry their offset or are epoch seconds), so a zone "
                         "changes nothing; leave --tz out")
    return [replace(spec, zone=zone) if spec.local else spec for spec in tables]


_NULL_TYPES = {ColumnType.STRING: "VARCHAR", ColumnType.TIMESTAMP: "TIMESTAMP",
               ColumnType.BOOL: "BOOLEAN", ColumnType.FLOAT: "DOUBLE", ColumnType.DATE: "DATE"}


def import_mapped(inputs: list[Path], mapping_path: Path, out: Path,
                  fmt: str = "parquet", encoding: str | None = None,
                  zone: str | None = None) -> list[MappedSummary]:
    """Import the source files into every table of the mapping, in one commit; a summary
    per table accounts for every source row (written, filtered with its reason, rejected).
    ``encoding`` (the files' text encoding) wins over the mapping's ``[source] encoding``,
    and ``zone`` (``--tz``) over its ``[timestamps] timezone``."""
    mapping, tables = _load_mapping(mapping_path)
    if zone is not None:
        tables = _in_zone(tables, zone, mapping_path)
    files = [f for item in inputs for f in (sorted(item.iterdir()) if item.is_dir() else [item])]
    missing = [f for f in files if not f.exists()]
    if missing or not files:
        raise UsageError(f"input not found: {missing[0]}" if missing
                         else no_inputs(inputs))
    files = checked_inputs(files)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(MACRO_SQL)  # hidden_number(x) for the mappings' customer_id
    source = mapping.get("source", {})
    if not isinstance(source, dict):
        raise UsageError(f"mapping {mapping_path}: [source] must be a table of settings")
    version = source.get("version")  # checked before any file is read
    if version is not None and not isinstance(version, str):
        raise UsageError(f"mapping {mapping_path}: [source] version is an SQL expression "
                         "(a number, bigger is newer: epoch(updated_at))")
    bad_lines: Counter[str] = Counter()
    listed: list[Reject] = []  # those lines, for rejects.csv
    from_sheets = source.get("format") == "xlsx"
    with ExitStack() as copies:
        texts, blank_rows = files, Counter[str]()
        if from_sheets:  # the sheets as CSV files, then read as any CSV
            texts, blank_rows = copies.enter_context(sheets_as_csv(files, source.get("sheet")))
            source = {**source, "format": "csv", "delimiter": ",", "quote": '"'}
        readable = copies.enter_context(readable_text(
            texts, None if from_sheets else encoding or source.get("encoding")))
        source_sql = _source_sql(readable, source)
        try:
            con.execute(f"CREATE TABLE raw AS SELECT * FROM {source_sql}")
        except duckdb.Error as exc:
            # JSON objects written back to back, some on one line (Firehose concatenates
            # them); a CSV line of another shape (csv_rejects)
            alternative = source_sql.replace("format = 'auto'", "format = 'unstructured'")
            try:
                if source.get("format", "csv") == "csv":
                    bad_lines, listed = _read_csv_again(con, readable, source)
                elif alternative == source_sql:
                    raise
                else:
                    bad_lines, listed = _read_json_again(con, readable, source, alternative)
            except duckdb.Error as again:
                raise DataError(_cannot_read(files, again if isinstance(
                    again, UnreadableFile) else exc)) from exc
        bad_lines, listed = as_given(bad_lines, listed, readable, files)
    if source.get("format", "csv") == "csv" and source.get("columns") is None:
        blank_rows[REPEATED_HEADER] += drop_repeated_headers(con)
    elif source.get("format", "csv") == "csv":
        strip_line_marks(con)  # joined parts' byte-order marks (no header to drop)
    keep_try_whole(con)
    seal(con)  # the source is read: the mapping's SQL runs with no access outside
    of_records = _unnest_of_records(source, mapping_path)
    held = {str(r[0]) for r in con.execute("DESCRIBE raw").fetchall()}
    elements = _unnest(con, source, mapping_path)
    # a list of records' own may be empty in every record (new tickets nobody answered):
    # they are records all the same; a list no input holds at all is an export made
    # without it (no include=conversations), read as before: nothing to import, and why
    if (not of_records or not all(e in held for e in elements)) and \
            _all_lists_empty(con, elements):
        return _commit_nothing(con, tables, elements, out, fmt, of_records)
    notes = _missing_lists(con, source, elements, mapping_path)
    odd_kinds = declared_fields(con, source, mapping_path)
    # a field that is a number in some records and a string in others: its text, never
    # JSON's quotes ("007" stored for the contact 007 joined with nothing)
    scalar_json_as_text(con, source.get("fields") or {})
    # computed once: every filter and table reads the same rows (a window such as
    # row_number() over ties numbers them once), and a chain of windows is not re-run per
    # filter (a mapping of 40 derived names took 7 s for 57 events)
    derived = mapping.get("derived", {})
    broken = {derived[name]: reason for name, reason in _derive(con, derived).items()}
    with_sql = "WITH derived AS (SELECT * FROM derived_rows), " + _SOURCE_ROWS
    read = _rows(con)
    mapped = [_map_table(con, spec, read, mapping_path, _each_row(con, spec, with_sql),
                         spec.version or version, broken)
              for spec in tables]
    mapped[0][0].notes.extend(notes)
    for (summary, _), spec in zip(mapped, tables, strict=True):
        if zone is None and spec.local and not spec.zone_named and summary.read:
            summary.notes.append(_zone_assumed(spec))
    for summary, _ in mapped:  # lines no table could read: each table accounts for them
        summary.read += sum(bad_lines.values())
        summary.left_out.update(bad_lines)
        summary.rejected.update(odd_kinds)
        summary.read += sum(blank_rows.values())  # no record: skipped, not a reject
        summary.filtered.update(+blank_rows)
    imported_at = time.time()
    with committed_import(out) as run:
        keep_rejects(run, listed)
        for summary, data in mapped:
            versions = records = None
            if RECORD in data.column_names:
                records = data[RECORD].combine_chunks()
                if VERSION not in data.column_names:  # the form imported last is newer
                    data = data.append_column(VERSION, pa.array(
                        [imported_at] * data.num_rows, pa.float64()))
            if VERSION in data.column_names:
                versions = data[VERSION].combine_chunks()
            keep_older = {c.removeprefix(KEEP_OLDER): data[c].combine_chunks()
                          for c in data.column_names if c.startswith(KEEP_OLDER)}
            removing = (data[REMOVING].combine_chunks() if REMOVING in data.column_names
                        else None)
            data = data.drop_columns([c for c in data.column_names
                                      if c in (VERSION, RECORD, REMOVING)
                                      or c.startswith(KEEP_OLDER)])
            merged = merge_write(run, summary.table, _canonical(summary.table, data), fmt,
                                 versions, records, keep_older or None, removing)
            summary.written, summary.repeated = merged.added, merged.repeated
            summary.removed = merged.removed
            summary.total = merged.rows
            summary.updated = merged.updated
            summary.versioned = versions is not None or summary.table in SNAPSHOTS
            summary.recorded = records is not None
    return [summary for summary, _ in mapped]


def _rows(con: duckdb.DuckDBPyConnection) -> int:
    """The source rows (after unnesting): what the summary accounts for."""
    return int(con.execute("SELECT count(*) FROM raw").fetchone()[0])  # type: ignore[index]


def _commit_nothing(con: duckdb.DuckDBPyConnection, tables: list[TableMapping],
                    elements: list[str], out: Path, fmt: str,
                    of_records: bool = False) -> list[MappedSummary]:
    """An import of pages that hold no element at all (or of records none of which has
    its list): every page accounted for under that reason, the tables as they were."""
    from omnikpi.connectors.writer import to_arrow

    read = _rows(con)
    fields = [str(r[0]) for r in con.execute("DESCRIBE raw").fetchall()
              if str(r[0]) not in elements]
    # the page's own fields say which export it is (a wrong file reads so too)
    listed = f"its fields: {', '.join(fields[:8]) or 'none'}"
    reason = (f"a record without its {' or '.join(elements)} (the export was made "
              f"without them, so nothing in it can be read; {listed})" if of_records else
              f"a page with no {' or '.join(elements)} (nothing new in the export; {listed})")
    summaries = [MappedSummary(spec.table, read=read, filtered=Counter({reason: read}))
                 for spec in tables]
    with committed_import(out) as run:
        for summary in summaries:
            summary.total = merge_write(run, summary.table, to_arrow(summary.table, []),
                                        fmt).rows
    return summaries


ROW = "row"
"""The name an element of a table's ``rows`` list is read under."""


def _each_row(con: duckdb.DuckDBPyConnection, spec: TableMapping, with_sql: str) -> str:
    """The rows a table is made of: the source rows, or with ``rows = "NAME"`` one row per
    element of that list, the element as ``row`` and the source row's columns repeated —
    several canonical rows from one line (a dialer's agent log gives a pause, a wait, a
    talk and a wrap-up per line). A line whose list is empty or null stays, as one row
    with a null ``row`` (never dropped: a filter names it)."""
    if spec.rows is None:
        return with_sql
    columns = {str(d[0]) for d in
               con.execute(f"{with_sql}SELECT * FROM src LIMIT 0").description}
    where = f"mapping ({spec.table}) rows = {spec.rows!r}"
    if spec.rows not in columns:
        raise UsageError(f"{where}: no source column or [derived] name of that name "
                         f"(names: {', '.join(sorted(columns))})")
    if ROW in columns:
        raise UsageError(f"{where}: the source already has a column {ROW!r}, the name "
                         "each element is read under; rename it in [derived]")
    name = quote(spec.rows)
    kind = con.execute(f"{with_sql}SELECT typeof({name}) FROM src LIMIT 1").fetchone()
    if kind is not None and not str(kind[0]).endswith("[]"):
        raise UsageError(f"{where}: it is {kind[0]}, not a list (write it as [a, b, …])")
    elements = f"CASE WHEN len({name}) > 0 THEN {name} ELSE [NULL] END"
    return with_sql.removesuffix(_SOURCE_ROWS) + (
        f"src AS (SELECT * EXCLUDE ({name}), unnest({elements}) AS {ROW} FROM derived) ")


REQUIRED_EMPTY = ("empty or unreadable after mapping: the row is written as it is, and "
                  "quarantined when the dataset is loaded (see omnikpi validate)")
"""Why a row whose required column came out empty is counted: it is kept, not dropped,
so that the quarantine shows it whole (every other value of the record) where it can be
fixed at the source."""
VERSION = "__version"
"""The column a mapping's ``[source] version`` is computed into (not a canonical column:
the writer keeps it beside the table)."""
RECORD = "__record"
"""The column a table's ``record`` is computed into (kept beside the table, as versions)."""
KEEP_OLDER = "__keep_older__"
"""The prefix of the columns ``[keep_older]`` conditions are computed into."""
REMOVING = "__removing__"
"""The column flagging the rows that only carry the key and version of a form a filter
with ``removes_older_forms`` skipped (never written: the merge reads them)."""
REMOVES_OLDER = "removes_older_forms"
"""A filter's key: a row it skips is the newest form of its record that counts, and the
record's older forms (stored, or in the same import) are left out with it."""
SKIPPED = "__skipped_hour__"
"""The prefix of the flags of local times the clocks skip (counted, never written)."""


def _map_table(con: duckdb.DuckDBPyConnection, spec: TableMapping, read: int,
               mapping_path: Path,
               with_sql: str = "WITH derived AS (SELECT * FROM raw), " + _SOURCE_ROWS,
               version: str | None = None,
               broken: dict[str, str] | None = None) -> tuple[MappedSummary, Any]:
    """One table's rows from the source (after ``[derived]``): filters counted by reason,
    columns mapped and cast to their canonical types (an unmapped column is a typed null),
    required columns that come out empty counted as rejected, and so are the rows kept
    whose ``broken`` derived expressions (each with its reason) could not be computed."""
    table = TABLES[spec.table]
    unmapped = [c.name for c in table.columns if c.required and c.name not in spec.columns]
    if unmapped:
        # unmapped, a required column is empty on every row: a mapping without [columns]
        # wrote one empty contact and called the other rows repeats of it
        raise UsageError(
            f"mapping {mapping_path} ({spec.table}): [columns] does not map "
            f"{', '.join(unmapped)}, which every {spec.table} row needs: map each to a "
            "source column or an expression")
    if spec.rows is not None:  # rows read: the elements (a line with none: one row)
        read = int(con.execute(f"{with_sql}SELECT count(*) FROM src").fetchone()[0])  # type: ignore[index]
    summary = MappedSummary(table.name, read=read)
    source_columns = [str(d[0]) for d in
                      con.execute(f"{with_sql}SELECT * FROM src LIMIT 0").description]
    keep = "TRUE"
    removing: list[str] = []
    """SQL true on a row a filter with ``removes_older_forms`` skips."""
    problems: list[str] = []
    """SQL over the source rows, true on a row counted under a rejected reason."""
    for i, rule in enumerate(spec.filters):
        when = rule["when"]
        try:
            count = con.execute(f"{with_sql}SELECT count(*) FROM src WHERE ({keep}) AND "
                                f"({when})").fetchone()[0]  # type: ignore[index]
        except duckdb.Error as exc:
            where = f"mapping {mapping_path} ({spec.table}) filter {i + 1} when = {when!r}"
            found = (failing(con, with_sql, when, keep)
                     if can_try(con, with_sql, when) else None)
            if found is None or not found.rows or found.everywhere:
                raise UsageError(f"{where}: {explain(exc, source_columns)}") from exc
            summary.rejected[f"filter {i + 1} ({when}) could not be decided "
                             f"({found.example}): the row kept"] += found.rows
            problems.append(raises(when))
            when = tried(when)
            count = con.execute(f"{with_sql}SELECT count(*) FROM src WHERE ({keep}) AND "
                                f"({when})").fetchone()[0]  # type: ignore[index]
        summary.filtered[rule.get("reason", rule["when"])] += int(count)
        if rule.get(REMOVES_OLDER):
            removing.append(f"(({keep}) AND coalesce({when}, false))")
        keep = f"{keep} AND NOT coalesce({when}, false)"
    for failing_expr, reason in (broken or {}).items():
        summary.rejected[reason] += failing(con, with_sql, failing_expr, keep).rows
        summary.failed_filtered[reason] += failing(con, with_sql, failing_expr,
                                                   f"NOT ({keep})").rows
        problems.append(raises(failing_expr))
    selects = {}
    local: dict[str, str] = {}  # a column given in local time → its local clock times
    kinds = _kinds(con, with_sql, {**spec.columns, RECORD: spec.record or "NULL",
                                   VERSION: version or "NULL"})
    for col in table.columns:
        expr = spec.columns.get(col.name)
        sql_type = _NULL_TYPES[col.type]
        if expr is None:  # not in the source: an empty column of the canonical type
            selects[col.name] = f"CAST(NULL AS {sql_type})"
            continue
        kind = kinds.get(col.name)
        if kind == "JSON":  # a JSON value (json_extract, a field of objects and text)
            expr, kind = _json_text(expr), "VARCHAR"
        if col.type is ColumnType.TIMESTAMP and col.name in spec.local:
            if kind != "TIMESTAMP WITH TIME ZONE":  # an instant already: kept as it is
                local[col.name] = _naive(expr, kind)
            expr = _local_time(expr, kind, spec.zone)
        elif col.type is ColumnType.TIMESTAMP:
            # through TIMESTAMPTZ: a value's own offset (11:00+02:00) is honoured, where a
            # cast of the text to TIMESTAMP dropped it (stored 11:00 UTC for 09:00); the
            # connection is in UTC, so a value without an offset reads as UTC, as before
            expr = f"CAST(({expr}) AS TIMESTAMPTZ)"
        selects[col.name] = f"CAST(({expr}) AS {sql_type})"
    if version is not None:  # [source] version: which form of a record is the newer
        read_as = _json_text(version) if kinds.get(VERSION) == "JSON" else version
        selects[VERSION] = f"CAST(({read_as}) AS DOUBLE)"
    if spec.record is not None:  # the source's id of the row (a rating's id)
        read_as = _json_text(spec.record) if kinds.get(RECORD) == "JSON" else spec.record
        selects[RECORD] = f"CAST(({read_as}) AS VARCHAR)"
    for column, condition in spec.keep_older.items():  # when an older value may stay
        selects[KEEP_OLDER + column] = f"coalesce(CAST(({condition}) AS BOOLEAN), false)"
    failed: Counter[str] = Counter()
    as_written = dict(selects)
    # whether a local time is one the clocks skip, in the same scan as the table
    flags = {SKIPPED + name: _skipped_flag(expr, spec.zone) for name, expr in local.items()}
    try:
        mapped = _select(con, with_sql, selects | flags, keep)
    except duckdb.Error as exc:
        failed = _leave_failing_empty(con, with_sql, selects, keep, summary, exc,
                                      f"mapping {mapping_path} ({spec.table})",
                                      spec.columns, source_columns)
        flags = {SKIPPED + name: _skipped_flag(tried(expr) if name in failed else expr,
                                               spec.zone) for name, expr in local.items()}
        try:
            mapped = _select(con, with_sql, selects | flags, keep)
        except duckdb.Error as again:
            raise UsageError(f"mapping {mapping_path} ({spec.table}): {first_line(again)}"
                             ) from exc
    problems += [raises(as_written[name]) for name in failed]
    required = [c.name for c in table.columns if c.not_null and c.name in spec.columns]
    for name in required:
        nulls = mapped[name].null_count - failed[name]  # those are counted with their error
        if nulls:
            summary.rejected[f"{name} {REQUIRED_EMPTY}"] += nulls
            problems.append(f"({selects[name]}) IS NULL")
    if len(problems) > 1:
        summary.counted_twice = sum(summary.rejected.values()) - _rows_with_any(
            con, with_sql, problems, keep)
    for name in local:
        count = pc.sum(mapped[SKIPPED + name]).as_py() or 0
        if count:
            summary.skipped_hour[name], summary.zone = count, spec.zone
    for spec_column in table.columns:
        if spec_column.type is ColumnType.TIMESTAMP and spec_column.name in spec.columns:
            count = _out_of_years(mapped[spec_column.name])
            if count:
                summary.out_of_years[spec_column.name] = count
    if removing and version is not None:
        mapped = _with_removing_forms(con, with_sql, selects, spec.table,
                                      " OR ".join(removing), mapped.drop_columns(list(flags)))
        return summary, mapped
    return summary, mapped.drop_columns(list(flags))


def _with_removing_forms(con: duckdb.DuckDBPyConnection, with_sql: str,
                         selects: dict[str, str], table: str, removing: str,
                         mapped: Any) -> Any:
    """``mapped`` with, appended, the key and version of each row a filter with
    ``removes_older_forms`` skipped (the other columns empty, :data:`REMOVING` true): the
    merge leaves out every older form of those records. A key that cannot be read there
    (an expression that raises on such a row) leaves that row out of this: it removes
    nothing."""
    wanted = {name: selects[name] for name in [*KEYS[table], VERSION] if name in selects}
    gone = None
    for exprs in (wanted, {name: tried(expr) for name, expr in wanted.items()}):
        try:
            gone = _select(con, with_sql, exprs, removing)
            break
        except duckdb.Error:
            continue
    if gone is not None:  # a form without its key or version removes nothing
        valid = pa.array([True] * gone.num_rows, pa.bool_())
        for column in gone.column_names:
            valid = pc.and_(valid, pc.is_valid(gone[column]))
        gone = gone.filter(valid)
    if gone is None or not gone.num_rows:
        return mapped.append_column(REMOVING, pa.array([False] * mapped.num_rows, pa.bool_()))
    columns = {}
    for field_ in mapped.schema:
        if field_.name in gone.column_names:
            columns[field_.name] = gone[field_.name].cast(field_.type)
        else:
            columns[field_.name] = pa.nulls(gone.num_rows, field_.type)
    forms = pa.table(columns, schema=mapped.schema)
    return pa.concat_tables([mapped, forms]).append_column(REMOVING, pa.array(
        [False] * mapped.num_rows + [True] * gone.num_rows, pa.bool_()))


def _kinds(con: duckdb.DuckDBPyConnection, with_sql: str,
           exprs: dict[str, str]) -> dict[str, str]:
    """The DuckDB type of each expression over the table's rows (``TIMESTAMP WITH TIME
    ZONE``, ``VARCHAR``, ``JSON``, …); one that does not compile is left out (its error
    is the table's query's to name)."""
    def described(names: list[str]) -> dict[str, str]:
        columns = ", ".join(f"({exprs[name]}) AS {quote(name)}" for name in names)
        found = con.execute(f"{with_sql}SELECT {columns} FROM src LIMIT 0").description
        return {name: str(d[1]) for name, d in zip(names, found, strict=True)}
    try:
        return described(list(exprs))
    except duckdb.Error:
        pass
    kinds: dict[str, str] = {}
    for name in exprs:
        try:
            kinds |= described([name])
        except duckdb.Error:
            continue
    return kinds


def _json_text(expr: str) -> str:
    """A JSON value as the text it holds: a string without JSON's quotes, a number as
    written (an object or a list as its JSON), as the transcripts import reads one."""
    return f"json_extract_string(({expr}), '$')"


OFFSET = ("[0-9]:[0-9]{2}(:[0-9]{2}([.][0-9]*)?)?"
          "(Z|[+-][0-9]{2}(:?[0-9]{2}){0,2}| (UTC|GMT|[A-Za-z_]+/[A-Za-z0-9_/+-]+))"
          "[[:space:]]*$")
"""A time's text that says its offset or zone after the time of day: ``Z``, ``+05:30``,
``-0300``, ``+02``, `` UTC``, `` Europe/Kyiv`` (as DuckDB's TIMESTAMPTZ reads them)."""


def _has_offset(text: str) -> str:
    return f"regexp_matches(({text}), {sql_str(OFFSET)})"


def _local_time(expr: str, kind: str | None, zone: str) -> str:
    """A ``[timestamps] local`` column's expression as UTC. Only a time without an offset
    is a clock time of ``zone``: an instant (TIMESTAMPTZ: ``to_timestamp(epoch)``) is kept
    as it is, and a text that carries its offset (``10:00+05:30``, ``10:00Z``) is read at
    it. Before, both were taken for clock times of the zone and moved (10:00Z stored as
    08:00 with --tz Europe/Kyiv). A clock time the zone shows twice or never is read as
    DuckDB reads it (the standard time; the offset before the change)."""
    if kind == "TIMESTAMP WITH TIME ZONE":
        return f"CAST(({expr}) AS TIMESTAMPTZ)"
    in_zone = f"CAST(({expr}) AS TIMESTAMP) AT TIME ZONE {sql_str(zone)}"
    if kind == "VARCHAR":  # per value: the offset its text may carry
        in_zone = (f"CASE WHEN {_has_offset(expr)} THEN CAST(({expr}) AS TIMESTAMPTZ) "
                   f"ELSE {in_zone} END")
    return f"CAST(({in_zone}) AT TIME ZONE 'UTC' AS TIMESTAMP)"


def _naive(expr: str, kind: str | None) -> str:
    """The values of a local column that are clock times of its zone (a text with its
    offset is none): what the hour the clocks skip is looked for in."""
    if kind == "VARCHAR":
        return f"CASE WHEN NOT {_has_offset(expr)} THEN ({expr}) END"
    return expr


def _out_of_years(values: Any) -> int:
    """How many instants of a timestamp column fall outside the years reported on."""
    years = pc.year(values)
    outside = pc.or_(pc.less(years, FIRST_YEAR), pc.greater(years, LAST_YEAR))
    return int(pc.sum(outside).as_py() or 0)


def _skipped_flag(expr: str, zone: str) -> str:
    """Whether the local time ``expr`` is one no clock of ``zone`` shows (the hour
    skipped when daylight saving starts): converted there and back it moves by the hour.
    An unreadable time is no (it is counted with its error)."""
    local = f"TRY_CAST(({expr}) AS TIMESTAMP)"
    return (f"coalesce(timezone({sql_str(zone)}, {local} AT TIME ZONE {sql_str(zone)}) "
            f"<> {local}, false)")


def _rows_with_any(con: duckdb.DuckDBPyConnection, with_sql: str, problems: list[str],
                   keep: str) -> int:
    """Rows kept on which any of ``problems`` holds (each computed in the select list,
    as the table's columns are: a column may be a window, which a WHERE cannot hold)."""
    flags = ", ".join(f"coalesce({problem}, false) AS p{i}"
                      for i, problem in enumerate(problems))
    any_flag = " OR ".join(f"p{i}" for i in range(len(problems)))
    found = con.execute(f"{with_sql}SELECT count(*) FROM (SELECT {flags} FROM src "
                        f"WHERE {keep}) WHERE {any_flag}").fetchone()
    return int(found[0]) if found else 0


def _select(con: duckdb.DuckDBPyConnection, with_sql: str, selects: dict[str, str],
            keep: str) -> Any:
    columns = ", ".join(f"{expr} AS {quote(name)}" for name, expr in selects.items())
    return con.execute(f"{with_sql}SELECT {columns} FROM src WHERE {keep}").fetch_arrow_table()


def _leave_failing_empty(con: duckdb.DuckDBPyConnection, with_sql: str,
                         selects: dict[str, str], keep: str, summary: MappedSummary,
                         exc: duckdb.Error, where: str, mapped: dict[str, str],
                         source_columns: list[str]) -> Counter[str]:
    """After the table's query failed: each column whose expression raises on some rows
    is made empty there (``selects`` changed in place) and the rows counted in
    ``summary`` under a reason; one that raises on every row, or that ``TRY`` cannot
    wrap, names the mapping's key (a usage error). The failing rows per column."""
    failed: Counter[str] = Counter()
    for name, select in list(selects.items()):
        try:
            con.execute(f"{with_sql}SELECT {select} FROM src WHERE {keep}").fetchall()
            continue
        except duckdb.Error as one:
            error = one
        what = _key_name(name, mapped)
        found = failing(con, with_sql, select, keep) if can_try(con, with_sql, select) \
            else None
        if found is None or not found.rows or found.everywhere:
            raise UsageError(f"{where} {what}: {explain(error, source_columns)}") from exc
        shown = {VERSION: "[source] version", RECORD: "record"}.get(
            name, name.replace(KEEP_OLDER, "[keep_older] "))
        # the row set apart may not raise alone (a local time's zone conversion with a
        # filter before it read "could not be read ()"): the column's own error says it
        example = found.example or short(first_line(error))
        summary.rejected[f"{shown} could not be read ({example}): left empty"] += \
            found.rows
        failed[name] = found.rows
        selects[name] = tried(select)
    return failed


def _key_name(name: str, mapped: dict[str, str]) -> str:
    """How an error names the mapping key a select came from."""
    if name == VERSION:
        return "[source] version"
    if name == RECORD:
        return "record"
    if name.startswith(KEEP_OLDER):
        return f"[keep_older] {name.removeprefix(KEEP_OLDER)}"
    return f"column {name} = {mapped[name]!r}"


def _canonical(table: str, mapped: Any) -> Any:
    """Cast to the canonical Arrow types (timestamps as naive UTC microseconds)."""
    from omnikpi.connectors.writer import to_arrow

    schema = to_arrow(table, []).schema
    return mapped.cast(schema)
