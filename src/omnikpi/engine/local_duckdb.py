"""The DuckDB engine on a loaded dataset: compiled SQL reused within a process, rows
converted as Ibis converts them."""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.types as pat
import sqlglot
import sqlglot.expressions as sge
from ibis.backends.duckdb.converter import DuckDBPandasData
from ibis.backends.sql.datatypes import DuckDBType

import omnikpi
from omnikpi.engine import duckdb_sql, merge_complexity, shape_store, shaped_sql, stable_key
from omnikpi.engine.backends import Backend
from omnikpi.engine.duckdb_sql import compiler as duckdb_compiler
from omnikpi.engine.shaped_sql import ShapedSql
from omnikpi.schema import validation_cache
from omnikpi.schema.dataset import Dataset


class _CompiledSql:
    """``_duckdb_sql(node)``: the DuckDB SQL of an expression, compiled once per process
    (and once per shape of its filters, instants and in-memory tables:
    :mod:`omnikpi.engine.shaped_sql`);
    ``cache_clear()`` forgets every compiled query and built report expression."""

    def __call__(self, node: ops.Node) -> str:
        return _SHAPED.sql(node, _compile_duckdb)

    def cache_clear(self) -> None:
        _SHAPED.clear()
        for forget in _ON_CLEAR:
            forget()


def _compile_duckdb(node: ops.Node) -> str:
    """The DuckDB SQL of an expression over unbound tables (kept per process by
    :class:`~omnikpi.engine.shaped_sql.ShapedSql`, keyed on the expression's node, which
    compares by structure: an identical request on tables of identical schemas gives an
    equal node; what is compiled does not depend on the data). Common table expressions
    are inlined (``NOT MATERIALIZED``): DuckDB then prunes their columns per use instead
    of writing every column of every row once more.
    """
    return _duckdb_text(node, pretty=False)


def _duckdb_text(node: ops.Node, pretty: bool) -> str:
    tree = duckdb_compiler.to_sqlglot(node.to_expr())
    for cte in tree.find_all(sge.CTE):
        cte.set("materialized", False)
    return str(tree.sql(dialect=duckdb_compiler.dialect, pretty=pretty))


_NAMESPACE = shape_store.namespace(
    duckdb_sql, merge_complexity, shaped_sql, stable_key, shape_store, sys.modules[__name__],
    versions=(ibis.__version__, str(getattr(sqlglot, "__version__", "?")), omnikpi.__version__,
              f"{sys.version_info[0]}.{sys.version_info[1]}"))
"""This compiler's name for its shapes on disk, read from the sources as they were imported
(an upgrade installed under a running server must not lend it the new compiler's name)."""


def _shape_file() -> Path | None:
    """Where this compiler's shapes are kept across processes: beside the validation
    cache (``OMNIKPI_CACHE_DIR``), or nowhere when ``OMNIKPI_CACHE`` or
    ``OMNIKPI_SQL_CACHE`` is off (the second keeps the validation cache)."""
    if not validation_cache.enabled(None) or not validation_cache.switched_on(
            "OMNIKPI_SQL_CACHE"):
        return None
    return validation_cache.cache_dir() / "sql" / f"shapes-{_NAMESPACE}.sqlite3"


_SHAPED = ShapedSql(shape_store.ShapeStore(_shape_file))
_ON_CLEAR: list[Any] = []
"""Other caches of compiled work to forget with the SQL (the planner's expressions)."""
_duckdb_sql = _CompiledSql()


@lru_cache(maxsize=256)
def _memtables(node: ops.Node) -> tuple[ops.InMemoryTable, ...]:
    """The in-memory tables (calendars, hours) an expression reads, found once per plan."""
    return tuple(node.find(ops.InMemoryTable))


@lru_cache(maxsize=64)
def _duckdb_type(name: str) -> Any:
    return DuckDBType.from_string(name, nullable=True)


class LocalDuckDB(Backend):
    """The DuckDB engine on a loaded dataset, with compiled SQL reused within a process.

    The expression is built over unbound tables named like the dataset's views (with
    their schemas), so it is the same expression for every load of the same tables; its
    SQL runs on the dataset's own connection, and the rows are converted as Ibis does.
    """

    name = "duckdb"

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        schemas: dict[str, Any] | None = getattr(dataset, "_ibis_schemas", None)
        if schemas is None:
            schemas = {}
            dataset._ibis_schemas = schemas  # type: ignore[attr-defined]
        self._schemas = schemas

    def table(self, name: str) -> ir.Table:
        if name not in self._schemas:
            # the relation's own column types (a bound Ibis table would ask the catalog
            # several times over; this is a tenth of its time on every report)
            relation = self._dataset.con.sql(f'SELECT * FROM "{name}"')
            self._schemas[name] = ibis.schema({
                column: _duckdb_type(str(kind))
                for column, kind in zip(relation.columns, relation.types, strict=True)
            })
        return ibis.table(self._schemas[name], name=name)

    def execute(self, expr: ir.Table) -> Any:
        return self.execute_sql(expr, _duckdb_sql(expr.op()))

    def compiled(self, expr: ir.Table) -> str:
        return _duckdb_sql(expr.op())

    def execute_sql(self, expr: ir.Table, sql: str) -> Any:
        """Run ``sql``, the expression's own SQL (possibly with literals the caller has
        verified to be substitutable), and convert the rows to the expression's schema."""
        table = self.arrow(expr, sql)
        frame = pd.DataFrame({
            name: (col.to_pylist()
                   if pat.is_nested(col.type) or pat.is_dictionary(col.type) or col.null_count
                   else col.to_pandas())
            for name, col in zip(table.column_names, table.columns, strict=True)
        })
        return DuckDBPandasData.convert_table(frame, expr.schema())

    def arrow(self, expr: ir.Table, sql: str) -> pa.Table:
        """The rows of ``sql`` (the expression's SQL) as DuckDB gives them, unconverted."""
        con = self._dataset.con
        for memtable in _memtables(expr.op()):
            con.register(memtable.name, memtable.data.to_pyarrow(memtable.schema))
        return con.sql(sql).to_arrow_table()

    def sql(self, expr: ir.Table) -> str:
        """The SQL this backend runs for ``expr``, laid out for reading."""
        return _duckdb_text(expr.op(), pretty=True)


