"""The DuckDB SQL the engine runs: Ibis's DuckDB compiler with two cheaper spellings.

Both keep the meaning; they only choose a faster DuckDB form (measured on the report
benchmark, 10 M contacts; see ``bench/RESULTS.md``):

- a sum of booleans (how every count of the catalog is built: "1 where the condition
  holds") becomes ``count_if(condition)`` instead of ``SUM(CAST(… AS INT))``: the same
  number for every non-empty group (a NULL condition counts as false either way) without
  a cast per row — about a tenth of the query's time;
- :class:`NonNegativeDivide` (period keys of instants known to be at or after 1970 in
  the reporting zone) is DuckDB's integer division ``//``, which truncates — the floor
  for a non-negative dividend — instead of ``CAST(FLOOR(a / b) AS BIGINT)``, which
  converts every row to floating point and back (about 6 %). Other engines keep Ibis's
  floor division: the engine uses this operation only on DuckDB.

Compiling remembers Ibis's measure of each node's complexity while it merges nested
selects (``engine/merge_complexity.py``): the same SQL, about a fifth less compile time.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.operations as ops
import sqlglot.expressions as sge
from ibis.backends.sql.compilers.duckdb import DuckDBCompiler

from omnikpi.engine import merge_complexity


class NonNegativeDivide(ops.FloorDivide):  # type: ignore[misc]
    """Floor division of a dividend known to be non-negative by a positive divisor."""


class EngineDuckDBCompiler(DuckDBCompiler):  # type: ignore[misc]
    """Ibis's DuckDB compiler, counting with ``count_if``, dividing keys as integers."""

    def translate(self, op: ops.Node, *, params: Any) -> sge.Expression:
        with merge_complexity.remembered():
            result: sge.Expression = super().translate(op, params=params)
        return result

    def visit_NonNegativeDivide(
        self, op: NonNegativeDivide, *, left: sge.Expression, right: sge.Expression
    ) -> sge.Expression:
        return sge.IntDiv(this=sge.paren(left), expression=sge.paren(right))

    def visit_Sum(self, op: ops.Sum, *, arg: sge.Expression, where: Any) -> sge.Expression:
        if op.arg.dtype.is_boolean():
            condition: sge.Expression = arg
            if where is not None:
                condition = sge.And(this=sge.paren(arg), expression=sge.paren(where))
            counted: sge.Expression = self.f.count_if(condition)
            return counted
        result: sge.Expression = super().visit_Sum(op, arg=arg, where=where)
        return result


merge_complexity.install()
compiler = EngineDuckDBCompiler()
