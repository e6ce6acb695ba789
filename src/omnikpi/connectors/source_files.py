"""What the mapped imports (CSV, JSON, transcripts) check about their input files before
DuckDB reads them, and how they word DuckDB's errors for the person who wrote a mapping.

DuckDB reads a gzip file cut short as far as it goes, without a word, when the cut falls at
the end of a line: the rows after it would be lost silently. And a file that holds no
record reads as one column named ``json`` (or ``column0``), so the mapping's first column
would be reported missing instead of the file being empty.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

from omnikpi.errors import DataError
from omnikpi.schema.files import BOM, GZIP_DAMAGE_WORDS, gzip_damage, is_gzip, open_bytes

_MISSING_KEY = re.compile(r'Could not find key "([^"]+)" in struct')
"""DuckDB's error for a struct field the source's objects lack."""
_MISSING_COLUMN = re.compile(r'Referenced column "([^"]+)" not found')


def no_inputs(inputs: Sequence[Path]) -> str:
    """Why an import has nothing to read: the folders given hold no file ("input not
    found: no files" named none, and said "not found" of a folder that is there)."""
    folders = ", ".join(str(p) for p in inputs if p.is_dir())
    return f"no files to import in {folders}" if folders else "no files to import"


def checked_inputs(files: list[Path]) -> list[Path]:
    """The files to read, once none is a damaged gzip file and not every one is empty.

    A mapped import writes all of its tables in one commit, so a damaged file stops it
    with nothing written (to be copied again), rather than importing part of it."""
    for path in files:
        if is_gzip(path) and (damage := gzip_damage(path)) is not None:
            raise DataError(f"cannot read {path}: it {GZIP_DAMAGE_WORDS[damage]}; nothing "
                            "was imported (copy the file again from its source)")
    if files and all(_is_empty(path) for path in files):
        named = files[0] if len(files) == 1 else f"all {len(files)} input files"
        raise DataError(f"nothing to import: {named} holds no data (an empty file)")
    return files



def _is_empty(path: Path) -> bool:
    """No byte but white space (decompressed, for gzip): nothing a reader could import."""
    try:
        with open_bytes(path) as handle:
            while chunk := handle.read(1 << 16):
                if chunk.removeprefix(BOM).strip():
                    return False
    except (OSError, EOFError):
        return False  # unreadable: the reader says why
    return True


def explain(exc: duckdb.Error, columns: Iterable[str]) -> str:
    """DuckDB's error in the mapping's terms: a column the source does not have is named
    with the source's columns (and DuckDB's near miss, when it has one)."""
    text = str(exc)
    missing = _MISSING_COLUMN.search(text)
    if missing:
        names = sorted(columns)
        by_lower = {name.lower(): name for name in names}
        near = difflib.get_close_matches(missing.group(1).lower(), list(by_lower), n=1,
                                         cutoff=0.75)
        hint = f"; did you mean {by_lower[near[0]]!r}?" if near else ""
        return (f"no column {missing.group(1)!r} in the source{hint} (its columns: "
                f"{', '.join(names)}){_delimiter_hint(names)}{_wrapper_hint(names)}")
    key = _MISSING_KEY.search(text)
    if key:  # an export without a field its objects sometimes carry (Freshdesk's stats)
        return (f"the source's objects have no field {key.group(1)!r} where the mapping "
                "reads one: an export may leave it out (an API call without an include, "
                "an older version); list the field's dotted path under [source.fields] to "
                "read it as empty then (docs/connectors.md, \"JSON exports whose fields come "
                "and go\")")
    return " ".join(text.split("\n")[:1]).strip()


_DELIMITERS = {";": ";", "\t": "\\t", "|": "|"}
"""Delimiters of other exports (Excel in a European locale: ``;``; Unicode text: a tab)
and how a mapping writes them."""


_WRAPPERS = ("payload", "data", "results", "items", "records", "entries")
"""Where an API page keeps its list of records (``{"meta": …, "payload": [ … ]}``)."""


def _wrapper_hint(names: list[str]) -> str:
    """A source whose few columns include an API page's list: the records are inside it.
    Chatwoot's messages API answers ``{"meta", "payload"}``, and the import said only
    that ``conversation_id`` was not among ``meta, payload``."""
    wrapper = next((n for n in names if n.lower() in _WRAPPERS), None)
    # a page holds its list and a few fields about it (meta, links, count); a record
    # that merely has a "data" field among many is no page
    if wrapper is None or len(names) > 4:
        return ""
    return (f"; the records look wrapped in an API page's {wrapper!r}: give the list "
            f"itself, one record per line (jq -c '.{wrapper}[]' page.json > records.jsonl)")


def _delimiter_hint(names: list[str]) -> str:
    """A source read as one column whose name holds another delimiter: how to name it."""
    if len(names) != 1:
        return ""
    for char, written in _DELIMITERS.items():
        if char in names[0]:
            shown = "a tab" if char == "\t" else repr(char)
            return (f"; the header is one column holding {shown}: if that is the file's "
                    f"delimiter, set [source] delimiter = \"{written}\"")
    return ""

