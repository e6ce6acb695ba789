"""Writing canonical tables safely: new rows merged with what is there, files replaced whole.

Each table is written to the import's staging folder and moved over the old file when the
import commits (``connectors/transaction.py``), so an import killed half-way leaves the previous
files intact. Rows are also de-duplicated on their key when merged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from omnikpi.connectors import transaction
from omnikpi.connectors.transaction import ImportCommit
from omnikpi.schema.tables import TABLES, ColumnType

KEYS = {**{name: [table.key] for name, table in TABLES.items() if table.key},
        "agent_states": ["agent_id", "start", "state"],
        "messages": ["contact_id", "ts", "sender"],
        "surveys": ["contact_id", "customer_id", "survey", "answered_at", "score"]}
"""Each table's key: a row imported again (an overlapping export) is kept once, the first
time it came — the id the data model declares unique (``Table.key``: a later duplicate
would be quarantined), and for the event tables the event itself (a survey answer has no
id: the same answer of the same contact at the same instant is one answer)."""
_ARROW = {ColumnType.STRING: pa.string(), ColumnType.TIMESTAMP: pa.timestamp("us"),
          ColumnType.FLOAT: pa.float64(), ColumnType.BOOL: pa.bool_(),
          ColumnType.DATE: pa.date32()}


def to_arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows with epoch-second timestamps → a typed Arrow table of the canonical columns."""
    spec = TABLES[table]
    arrays = {}
    for col in spec.columns:
        values = [row.get(col.name) for row in rows]
        if col.type is ColumnType.TIMESTAMP:
            values = [None if v is None else round(float(v) * 1_000_000) for v in values]
            arrays[col.name] = pa.array(values, pa.int64()).cast(pa.timestamp("us"))
        else:
            arrays[col.name] = pa.array(values, _ARROW[col.type])
    return pa.table(arrays)


def merge_write_arrow(run: ImportCommit, table: str, new: pa.Table,
                      fmt: str = "parquet") -> int:
    """Append an Arrow table of canonical columns to ``table.<fmt>`` of the run's dataset,
    de-duplicated on the table's key; the file is replaced when the run commits. Returns
    the rows in the table (see :func:`merge_write` for the rows a repeat left out)."""
    return merge_write(run, table, new, fmt).rows


@dataclass(frozen=True)
class Merged:
    rows: int
    """Rows in the table after the merge."""
    repeated: int
    """New rows left out because their key was already in the table or came earlier in
    the same import: each is kept once, the first time it came."""


def merge_write(run: ImportCommit, table: str, new: pa.Table, fmt: str = "parquet"
                ) -> Merged:
    """:func:`merge_write_arrow`, also counting the new rows a repeated key left out, so
    an import can say where every row it read went."""
    out = run.out
    target = out / f"{table}.{fmt}"
    arriving = new.num_rows
    old_rows = 0
    if target.exists():
        old = pq.read_table(target) if fmt == "parquet" else _read_csv(target, table)
        old_rows = old.num_rows
        new = pa.concat_tables([old.select(new.column_names).cast(new.schema), new])
    key = KEYS.get(table)
    repeated = 0
    if key and new.num_rows:
        frame = new.to_pandas()
        kept = ~frame.duplicated(subset=key, keep="first")
        repeated = arriving - int(kept.iloc[old_rows:].sum())
        new = pa.Table.from_pandas(frame[kept], schema=new.schema, preserve_index=False)
    staged = run.stage(target.name)
    if fmt == "parquet":
        pq.write_table(new, staged)
    else:
        import pyarrow.csv as pacsv

        pacsv.write_csv(new, staged)
    run.place(staged, target)
    transaction.checkpoint(f"staged {target.name}")
    return Merged(int(new.num_rows), repeated)


def _read_csv(path: Path, table: str) -> pa.Table:
    import pyarrow.csv as pacsv

    schema = to_arrow(table, []).schema
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=schema))
