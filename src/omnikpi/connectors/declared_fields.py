"""``[source.fields]`` of a mapped import: the fields a mapping reads that an export may
leave out, given a type so that every expression naming them reads (empty when absent).

An export of an older API version, a day without a transfer, a page where every value of
a field is null: each changes the shape DuckDB infers, and an expression naming a field
the shape lacks failed the whole import. And a place that holds an object in most rows
and something else in a few is typed JSON by DuckDB for every row: it is read leniently,
the odd values left empty and counted. Split out of ``mapped_table.py``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from omnikpi.connectors.failing_rows import first_line
from omnikpi.errors import DataError, UsageError
from omnikpi.schema.convert import quote, sql_str

TypeTree = dict[str, "TypeNode"]
TypeNode = str | TypeTree | list["TypeNode"]
"""A column's type as the mapping sees it: a DuckDB type name, an object's fields, or a
list of one element type (``[node]``)."""


def declared_fields(con: duckdb.DuckDBPyConnection, source: dict[str, Any],
                     mapping_path: Path) -> Counter[str]:
    """``[source.fields]``: fields an export may leave out (an older API version, a day
    without a transfer, a key that is always null), each a dotted path of the rows (after
    ``unnest``; a list's elements are entered as if the list were the element) and a
    DuckDB type. Absent, a field reads as empty instead of failing every expression that
    names it; present, it keeps the type the source gives it."""
    fields = source.get("fields")
    if fields is None:
        return Counter()
    where = f"mapping {mapping_path} [source.fields]"
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise UsageError(f"{where}: dotted field paths and their DuckDB types, e.g. "
                         '"Agent.Username" = "VARCHAR"')
    described = con.sql("SELECT * FROM raw LIMIT 0")
    source_types = _source_types(described)  # as the source has them (``tree`` merges)
    _check_required(source, source_types, fields, mapping_path)
    _check_kinds(con, source_types, fields, mapping_path)
    tree = _source_types(described)
    before = {name: _render_type(node) for name, node in tree.items()}
    for path, type_name in fields.items():
        try:
            con.execute(f"SELECT CAST(NULL AS {type_name})")
        except duckdb.Error as exc:
            raise UsageError(f"{where} {path} = {type_name!r}: not a DuckDB type "
                             f"({first_line(exc)})") from exc
        _merge_field(tree, path.split("."), type_name, f"{where} {path}")
    changed = [name for name, node in tree.items() if before.get(name) != _render_type(node)]
    if not changed:
        return Counter()
    kept = [quote(name) for name in described.columns if name not in changed]
    casts = [f"CAST({quote(name) if name in before else 'NULL'} AS {_render_type(tree[name])})"
             f" AS {quote(name)}" for name in changed]
    # a place typed JSON (values of several kinds: a time as text in most conversations,
    # as epoch milliseconds in one) is read leniently at once: a cast of a JSON text to
    # VARCHAR keeps its quotes, and every time of every row then failed to read
    strict_error: duckdb.Error | None = None
    if not any(_has_json(source_types[name]) for name in changed if name in source_types):
        try:
            con.execute(f"CREATE OR REPLACE TABLE raw AS SELECT {', '.join([*kept, *casts])} "
                        "FROM raw")
            return Counter()
        except duckdb.Error as exc:
            strict_error = exc
    # an object of the source typed JSON because some rows hold something else there (a
    # text where the others hold an object): read it leniently, each odd value left
    # empty and counted, instead of refusing the whole export
    odd = _odd_kinds(con, fields, set(changed) & set(before), source_types)
    found = _source_types(described)
    for path, type_name in fields.items():
        _objects_found(con, found, path.split("."))
        _merge_field(found, path.split("."), type_name, f"{where} {path}")
    lenient = [f"json_transform(to_json({quote(name)}), {sql_str(_structure(found[name]))})"
               f" AS {quote(name)}" if name in before else
               f"CAST(NULL AS {_render_type(tree[name])}) AS {quote(name)}"
               for name in changed]
    try:
        con.execute(f"CREATE OR REPLACE TABLE raw AS SELECT {', '.join([*kept, *lenient])} "
                    "FROM raw")
    except duckdb.Error as exc:
        raise DataError(f"{where}: the source's {', '.join(changed)} cannot be read with "
                        f"the declared fields: {first_line(strict_error or exc)}") from exc
    return odd


def _check_required(source: dict[str, Any], source_types: TypeTree,
                    fields: dict[str, str], mapping_path: Path) -> None:
    """``[source] required_fields``: declared fields an export must carry wherever the
    object holding them is there. Intercom's ``statistics`` without
    ``first_admin_reply_at`` cannot say which conversation was answered: reading it as
    empty would count every one unanswered, so the import stops naming it. But a page
    whose every ``statistics`` is null has no object to carry it: the field reads as empty
    there and the rows meet the mapping's own filter (before: "Could not find key" for a
    page whose one conversation had no statistics)."""
    required = source.get("required_fields", [])
    where = f"mapping {mapping_path} [source] required_fields"
    if not isinstance(required, list) or not all(isinstance(p, str) for p in required):
        raise UsageError(f"{where}: a list of dotted field paths of [source.fields]")
    for path in required:
        if path not in fields:
            raise UsageError(f"{where}: {path} is not in [source.fields] (give its type "
                             "there)")
        parts = [part.removesuffix("[]") for part in path.split(".")]
        node: TypeNode = source_types
        for depth, part in enumerate(parts):
            while isinstance(node, list):
                node = node[0]
            if not isinstance(node, dict):
                break  # something else than an object: read leniently, counted
            if part not in node:
                if depth == 0 or depth < len(parts) - 1:
                    break  # the object holding it is not there: nothing to carry it
                raise DataError(
                    f"the export's {'.'.join(parts[:depth])} has no {part}, which the "
                    f"mapping {mapping_path.name} needs (required_fields): an export of "
                    "another shape or API version — export with the fields the mapping "
                    "names, or adapt the mapping")
            node = node[part]
            if node == "JSON":
                break  # only ever empty: nothing to read


def _check_kinds(con: duckdb.DuckDBPyConnection, source_types: TypeTree,
                 fields: dict[str, str], mapping_path: Path) -> None:
    """A declared field the source has with values of another kind in every row (ISO
    times where the mapping reads epoch seconds: an export re-written by another tool) is
    named with one of its values. Before, the import stopped on whichever expression met
    it first ("Cannot mix values of type BIGINT and TIMESTAMP in COALESCE"). A field
    whose values all read as the declared type keeps its own; a field only some of whose
    rows hold another kind is typed JSON by DuckDB and read leniently, counted."""
    for path, type_name in fields.items():
        parts = path.split(".")
        if any(part.endswith("[]") for part in parts) or _through_a_list(source_types, parts):
            continue
        node: TypeNode = source_types
        for part in parts:
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
        else:
            if not isinstance(node, str) or node == "JSON" or \
                    node.upper() == type_name.strip().upper():
                continue
            value = quote(parts[0]) + "".join(f"[{sql_str(p)}]" for p in parts[1:])
            row = con.execute(f"SELECT count(*), any_value(CAST({value} AS VARCHAR)) FROM raw "
                              f"WHERE {value} IS NOT NULL AND TRY_CAST({value} AS "
                              f"{type_name}) IS NULL").fetchone()
            if row is not None and row[0]:
                rows = f"{row[0]} row" + ("" if row[0] == 1 else "s")
                raise DataError(
                    f"the export's {path} holds {node} values where the mapping "
                    f"{mapping_path.name} reads {type_name} ({rows}, e.g. "
                    f"{row[1]!r}): an export of another shape or written by another tool "
                    "— export it as the platform does, or adapt the mapping")


def _through_a_list(tree: TypeTree, parts: list[str]) -> bool:
    """Whether the path ``parts`` crosses a list of the source before its last part."""
    node: TypeNode = tree
    for part in parts[:-1]:
        if isinstance(node, list):
            return True
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, list)


def _has_json(node: TypeNode) -> bool:
    """Whether a place of ``node`` is typed JSON."""
    if isinstance(node, dict):
        return any(_has_json(child) for child in node.values())
    if isinstance(node, list):
        return _has_json(node[0])
    return node == "JSON"


def _source_types(described: Any) -> TypeTree:
    """The raw rows' columns and their types, as the mapping sees them."""
    return {name: _type_node(t) for name, t in
            zip(described.columns, described.types, strict=True)}


def _objects_found(con: duckdb.DuckDBPyConnection, tree: TypeTree, parts: list[str]) -> None:
    """Along a declared path, each place typed JSON because its rows hold objects and
    other things takes the structure of the objects found there (every key the data has,
    not only the declared ones: ``[derived]`` may read others)."""
    node: Any = tree
    for depth, part in enumerate(parts[:-1]):
        if not isinstance(node, dict) or part.endswith("[]") or part not in node:
            return
        if node[part] == "JSON":
            value = f"to_json({quote(parts[0])})"
            at = sql_str("$" + "".join(f".{quote(p)}" for p in parts[1:depth + 1]))
            row = con.execute(
                f"SELECT json_group_structure(json_extract({value}, {at})) FROM raw "
                f"WHERE json_type({value}, {at}) = 'OBJECT'").fetchone()
            if row is None or row[0] is None:
                return
            node[part] = _found_node(json.loads(str(row[0])))
        node = node[part]


def _found_node(structure: Any) -> TypeNode:
    """``json_group_structure``'s answer as a type node (a key only ever null: JSON)."""
    if isinstance(structure, dict):
        return {str(key): _found_node(value) for key, value in structure.items()}
    if isinstance(structure, list):
        return [_found_node(structure[0]) if structure else "JSON"]
    return "JSON" if structure == "NULL" else str(structure)


def _structure(node: TypeNode) -> str:
    """A type as ``json_transform`` takes it: ``{"a": "VARCHAR", "l": [{…}]}``."""
    def plain(part: TypeNode) -> Any:
        if isinstance(part, dict):
            return {key: plain(value) for key, value in part.items()}
        if isinstance(part, list):
            return [plain(part[0])]
        return part
    return json.dumps(plain(node))


def _odd_kinds(con: duckdb.DuckDBPyConnection, fields: dict[str, str],
               columns: set[str], source: TypeTree) -> Counter[str]:
    """For the declared fields of ``columns`` (paths without lists): the source rows where
    a place on a field's path holds something else than an object, and where a field's
    value is not of its type — what the lenient reading leaves empty, once per place. A
    path through a list of the source (a conversation's participants, named as if the
    list were its element) is read element by element and not counted here: an odd
    value there is named by the expression that fails to read it."""
    checks: dict[str, str] = {}  # reason → the rows it counts
    for path, type_name in fields.items():
        parts = path.split(".")
        if parts[0] not in columns or len(parts) < 2 or any(p.endswith("[]") for p in parts) \
                or _through_a_list(source, parts):
            continue
        value = f"to_json({quote(parts[0])})"
        for depth in range(len(parts) - 1):  # the column itself, then each object inside
            at = sql_str("$" + "".join(f".{quote(p)}" for p in parts[1:depth + 1]))
            place = ".".join(parts[:depth + 1])
            checks[f"[source.fields] {place}: something else than an object (its fields "
                   "left empty)"] = f"json_type({value}, {at}) NOT IN ('OBJECT', 'NULL')"
        leaf = sql_str("$" + "".join(f".{quote(p)}" for p in parts[1:]))
        checks[f"[source.fields] {path}: not a {type_name} (left empty)"] = (
            f"json_type({value}, {leaf}) NOT IN ('NULL', 'OBJECT', 'ARRAY') AND "
            f"TRY_CAST(json_extract_string({value}, {leaf}) AS {type_name}) IS NULL")
    odd: Counter[str] = Counter()
    for reason, condition in checks.items():
        found = con.execute(f"SELECT count_if(coalesce({condition}, false)) FROM raw"
                            ).fetchone()
        if found and found[0]:
            odd[reason] = int(found[0])
    return odd


def _type_node(duck_type: Any) -> TypeNode:
    if duck_type.id == "struct":
        return {str(name): _type_node(child) for name, child in duck_type.children}
    if duck_type.id == "list":
        return [_type_node(duck_type.children[0][1])]
    return str(duck_type)


def _render_type(node: TypeNode) -> str:
    if isinstance(node, dict):
        return "STRUCT(" + ", ".join(f"{quote(k)} {_render_type(v)}"
                                     for k, v in node.items()) + ")"
    if isinstance(node, list):
        return _render_type(node[0]) + "[]"
    return node


def _merge_field(tree: TypeTree, parts: list[str], type_name: str, where: str) -> None:
    """Add the field at ``parts`` to ``tree`` unless the source has it (a field the
    source only ever held empty, typed JSON, takes the declared type). A part written
    ``name[]`` is a list whose elements the path goes on into; a list the source has is
    entered with or without the brackets."""
    node: TypeTree = tree
    for i, raw_part in enumerate(parts):
        last = i == len(parts) - 1
        is_list = raw_part.endswith("[]")
        part = raw_part.removesuffix("[]")
        here = ".".join(parts[:i + 1])
        child = node.get(part)
        if child is None or child == "JSON":  # absent, or only ever empty
            if last and not is_list:
                node[part] = type_name
                return
            child = [type_name if last else {}] if is_list else {}
            node[part] = child
            if last:
                return
        elif is_list and not isinstance(child, list):
            raise UsageError(f"{where}: {here} is {_render_type(child)} in the source, not "
                             "a list")
        if last:
            return  # the source has it: its own type stays
        while isinstance(child, list):  # into the elements
            if child[0] == "JSON":
                child[0] = {}
            child = child[0]
        if not isinstance(child, dict):
            raise UsageError(f"{where}: {here} is {_render_type(node[part])} in the source, "
                             "not an object with fields")
        node = child
