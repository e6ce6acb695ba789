"""Writing canonical tables safely: new rows merged with what is there, files replaced whole.

Each table is written to a temporary file and moved over the old one with ``os.replace``
(atomic on one file system), so an import killed half-way leaves the previous files
intact. Rows are de-duplicated on their key when merged, so repeating an import that was
interrupted after some tables were replaced adds nothing twice.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from omnikpi.schema.tables import TABLES, ColumnType

KEYS = {"contacts": ["contact_id"], "agent_states": ["agent_id", "start", "state"],
        "messages": ["contact_id", "ts", "sender"]}
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


def merge_write(out: Path, table: str, rows: list[dict[str, Any]], fmt: str = "parquet") -> int:
    """Append ``rows`` to ``out/table.<fmt>`` (de-duplicated on the key); returns row count."""
    return merge_write_arrow(out, table, to_arrow(table, rows), fmt)


def merge_write_arrow(out: Path, table: str, new: pa.Table, fmt: str = "parquet") -> int:
    """Append an Arrow table of canonical columns, de-duplicated on the table's key."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{table}.{fmt}"
    if target.exists():
        old = pq.read_table(target) if fmt == "parquet" else _read_csv(target, table)
        new = pa.concat_tables([old.select(new.column_names).cast(new.schema), new])
    key = KEYS.get(table)
    if key and new.num_rows:
        frame = new.to_pandas()
        frame = frame.drop_duplicates(subset=key, keep="first")
        new = pa.Table.from_pandas(frame, schema=new.schema, preserve_index=False)
    temporary = target.with_name(target.name + ".tmp")
    if fmt == "parquet":
        pq.write_table(new, temporary)
    else:
        import pyarrow.csv as pacsv

        pacsv.write_csv(new, temporary)
    os.replace(temporary, target)
    return int(new.num_rows)


def _read_csv(path: Path, table: str) -> pa.Table:
    import pyarrow.csv as pacsv

    schema = to_arrow(table, []).schema
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=schema))


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(temporary, path)
