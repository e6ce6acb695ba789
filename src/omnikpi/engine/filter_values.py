"""Filter values that no row of the data holds: a report filtered by ``tenant=Alpha`` when
the data says ``alpha`` was an empty table, exit 0, and not a word. The engine still runs
the filter as asked (an empty period is a real answer); the callers say what matched
nothing, with the spelling the data uses when only the case differs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from omnikpi.request import check_filter_values
from omnikpi.schema.convert import quote, sql_str
from omnikpi.schema.dataset import Dataset
from omnikpi.schema.tables import TABLES

FOLDED = ("channel", "direction")
"""Dimensions the engine reads in lower case (``Voice`` is voice)."""


@dataclass(frozen=True)
class Unmatched:
    dimension: str
    value: str
    data_has: str | None
    """The value the data holds that differs only in case, if any."""

    def text(self) -> str:
        hint = f" (the data has {self.data_has!r}: values are case-sensitive)" \
            if self.data_has else ""
        return f"no row has {self.dimension} {self.value!r}{hint}"


def unmatched_filter_values(dataset: Dataset,
                            filters: Mapping[str, Sequence[str]]) -> list[Unmatched]:
    """The filter values no table of ``dataset`` that has the column holds (one query per
    filtered dimension, on the caller's own — possibly scoped — rows)."""
    check_filter_values(filters)
    out: list[Unmatched] = []
    for dimension, values in filters.items():
        tables = [name for name, table in TABLES.items()
                  if dataset.has(name) and dimension in table.column_names]
        if not tables or not values:
            continue
        lowered = ", ".join(sql_str(str(v).lower()) for v in values)
        column = f"CAST({quote(dimension)} AS VARCHAR)"
        union = " UNION ".join(
            f"SELECT DISTINCT {column} AS v FROM {quote(name)} WHERE lower({column}) IN "
            f"({lowered})" for name in tables)
        present = [str(v) for (v,) in dataset.con.execute(union).fetchall() if v is not None]
        for value in values:
            text = str(value)
            if dimension in FOLDED:
                if text.lower() in {p.lower() for p in present}:
                    continue
            elif text in present:
                continue
            twin = next((p for p in present if p.lower() == text.lower()), None)
            out.append(Unmatched(dimension, text, twin))
    return out
