"""A posted row's values as the loader will read them, so that live ingest and
``omnikpi validate`` agree on which rows are the same and on what may be written.

The loader reads a text column's cell as trimmed text (a JSON number ``12345`` is the text
``12345``, lower case where the vocabulary is fixed) and a timestamp as an instant. Ingest
compared the posted JSON instead: ``12345`` and ``"12345"`` were two contacts to it and one
to the loader, which quarantined the second as a duplicate after both had been written.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from omnikpi.schema.tables import TABLES, Column, ColumnType


def text_columns(table: str) -> frozenset[str]:
    """The table's text columns (the data model's ``string``)."""
    return frozenset(c.name for c in TABLES[table].columns if c.type is ColumnType.STRING)


def loaded_text(value: Any) -> Any:
    """A JSON number or true/false in a text column as the text the loader reads for it
    (``12345`` → ``"12345"``); other values unchanged."""
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return value


def with_text_values(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row with the numbers of its text columns written as text: what is stored and
    compared is what the loader will read (``"contact_id": "12345"``), whichever way the
    sender wrote it."""
    texts = text_columns(table)
    return {k: loaded_text(v) if k in texts else v for k, v in row.items()}


def key_value(column: Column, value: Any) -> Any:
    """One identifying value as the loader reads it: text trimmed (of spaces, as DuckDB's
    ``trim``), lower case where the loader lowers it, empty as missing; a timestamp with a
    zone as its UTC instant (``…Z`` and ``…+00:00`` are one moment)."""
    if column.type is ColumnType.TIMESTAMP:
        return instant_text(value)
    text = loaded_text(value)
    if not isinstance(text, str):
        return text
    text = text.strip(" ")
    if column.lowercase or column.choices:
        text = text.lower()
    return text or None


def instant_text(value: Any) -> Any:
    """A timestamp as its UTC instant in ISO form, one without an offset read as UTC (as
    the loader reads it: ``10:51:59`` and ``10:51:59Z`` are one start, and were two open
    states of which one was never closed); text Python cannot read as its trimmed text,
    compared as written."""
    if not isinstance(value, str):
        return value
    text = value.strip(" ")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text or None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def key_parts(table: str, columns: tuple[str, ...], row: dict[str, Any]) -> list[Any]:
    """The identifying values of a row (``columns``) as the loader reads them."""
    spec = TABLES[table]
    return [key_value(spec.column(c), row.get(c)) for c in columns]


def non_finite_value(row: dict[str, Any]) -> tuple[str, str] | None:
    """(column, why) of the row's first NaN or infinite number, None if it has none.

    Python's JSON reader accepts ``NaN`` and ``Infinity``, JSON does not: written as posted,
    ``NaN`` made the ingest file invalid JSON (and a text column read it as the word
    ``nan``)."""
    for column, value in row.items():
        found = _first_non_finite(value)
        if found is not None:
            why = ("not a number (NaN is not a JSON value; send null for a missing number)"
                   if math.isnan(found) else "infinite value")
            return column, why
    return None


def _first_non_finite(value: Any) -> float | None:
    if isinstance(value, float):
        return None if math.isfinite(value) else value
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = _first_non_finite(item)
            if found is not None:
                return found
    return None
