"""A JSON source's fields whose values are of several kinds, read as the text they hold.

DuckDB types a field that is a number in some records and a string in others (an id
``1`` here, ``"007"`` there) as JSON, and a cast of JSON to text keeps JSON's quotes:
``"007"`` was stored for the contact 007, and it joined with nothing. After the source is
read (and ``[source.fields]`` has given the declared fields their types), each such place
— a column, a field of an object, the elements of a list, at any depth — whose values are
all scalars becomes VARCHAR holding the text of each value, as the transcripts import
reads them (``json_extract_string(value, '$')``): a string without its quotes, a number
as DuckDB writes it (``1``, ``2.0``, ``1e3`` as ``1000.0``), a boolean as ``true`` /
``false``. A place that holds an object or a list in some record stays JSON (a mapping
reads it with JSON functions or ``[source.fields]``), and so does one only ever null (its
type is ``[source.fields]``'s to give). Applied by ``mapped_table.import_mapped``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

from omnikpi.schema.convert import quote, sql_str

Place = tuple[str, ...]
"""A field's path from its column (a list's elements under the list's own path)."""


def scalar_json_as_text(con: duckdb.DuckDBPyConnection, declared: Iterable[str] = ()) -> None:
    """``raw`` with each JSON place of scalars only as VARCHAR text (see the module); the
    ``declared`` paths of ``[source.fields]`` keep the type they were given."""
    described = con.sql("SELECT * FROM raw LIMIT 0")
    columns = list(zip(described.columns, described.types, strict=True))
    kept = {tuple(part.removesuffix("[]") for part in path.split(".")) for path in declared}
    places: dict[Place, tuple[str, str]] = {}
    for name, kind in columns:
        _probe(quote(name), kind, (name,), 0, places)
    places = {place: checks for place, checks in places.items() if place not in kept}
    if not places:
        return
    # one scan: whether a place holds an object or a list anywhere, and a value at all
    found = con.execute("SELECT " + ", ".join(
        f"bool_or(coalesce({nested}, false)), bool_or(coalesce({held}, false))"
        for nested, held in places.values()) + " FROM raw").fetchone()
    assert found is not None
    texts = {place for i, place in enumerate(places)
             if not found[2 * i] and found[2 * i + 1]}
    replaced = []
    for name, kind in columns:
        rebuilt = _rebuild(quote(name), kind, (name,), 0, texts)
        if rebuilt is not None:
            replaced.append(f"{rebuilt} AS {quote(name)}")
    if replaced:
        con.execute(f"CREATE OR REPLACE TABLE raw AS SELECT * REPLACE ({', '.join(replaced)}) "
                    "FROM raw")


def _probe(expr: str, kind: Any, place: Place, depth: int,
           out: dict[Place, tuple[str, str]]) -> None:
    """Each JSON place of ``expr`` (of DuckDB type ``kind``) with two conditions on a row:
    it holds an object or a list there, and it holds a value there."""
    if str(kind) == "JSON":
        out[place] = (f"json_type({expr}) IN ('OBJECT', 'ARRAY')",
                      f"coalesce(json_type({expr}) <> 'NULL', false)")
    elif kind.id == "struct":
        for name, child in kind.children:
            _probe(f"struct_extract({expr}, {sql_str(str(name))})", child,
                   (*place, str(name)), depth, out)
    elif kind.id == "list":
        element = f"v{depth}"
        inner: dict[Place, tuple[str, str]] = {}
        _probe(element, kind.children[0][1], place, depth + 1, inner)
        for at, (nested, held) in inner.items():
            out[at] = (f"list_bool_or(list_transform({expr}, lambda {element}: {nested}))",
                       f"list_bool_or(list_transform({expr}, lambda {element}: {held}))")


def _rebuild(expr: str, kind: Any, place: Place, depth: int, texts: set[Place]) -> str | None:
    """``expr`` with its places of ``texts`` as text, or None when it has none."""
    if str(kind) == "JSON":
        return f"json_extract_string({expr}, '$')" if place in texts else None
    if kind.id == "struct":
        fields = []
        changed = False
        for name, child in kind.children:
            value = f"struct_extract({expr}, {sql_str(str(name))})"
            rebuilt = _rebuild(value, child, (*place, str(name)), depth, texts)
            changed |= rebuilt is not None
            fields.append(f"{sql_str(str(name))}: {rebuilt or value}")
        # a missing object stays missing (not an object of empty fields)
        return (f"CASE WHEN {expr} IS NULL THEN NULL ELSE {{{', '.join(fields)}}} END"
                if changed else None)
    if kind.id == "list":
        element = f"v{depth}"
        rebuilt = _rebuild(element, kind.children[0][1], place, depth + 1, texts)
        return (f"list_transform({expr}, lambda {element}: {rebuilt})"
                if rebuilt is not None else None)
    return None
