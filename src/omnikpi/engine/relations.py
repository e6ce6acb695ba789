"""Column operations on Ibis tables that compile to one SQL text, always."""

from __future__ import annotations

import ibis.expr.types as ir


def without(table: ir.Table, *names: str) -> ir.Table:
    """``table`` without the columns ``names``, the others in their order.

    ``Table.drop`` keeps the names in a frozenset, and the order of DuckDB's
    ``EXCLUDE (…)`` list follows that set's iteration order: it depends on the process's
    string hashing and on how the set was built, so the same plan rebuilt (as the shapes of
    ``engine/shaped_sql.py`` are) could compile to another text — the same meaning, but
    not the same SQL, and the shape would be compiled every time. Naming the kept columns
    fixes the text.
    """
    unknown = [name for name in names if name not in table.columns]
    if unknown:
        raise KeyError(f"no such columns to drop: {', '.join(unknown)}")
    dropped = set(names)
    return table.select(*[column for column in table.columns if column not in dropped])
