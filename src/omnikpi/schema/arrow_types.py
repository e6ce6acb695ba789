"""The Arrow type each canonical column type is written as in Parquet.

Timestamps are microseconds without a zone (the instants in UTC): the type every engine
reads — Spark refuses a Parquet timestamp in nanoseconds, and a zone-aware one reads as
a local time in some readers. Every writer of canonical Parquet (the imports, the
simulator) asks here.
"""

from __future__ import annotations

import pyarrow as pa

from omnikpi.schema.tables import ColumnType

ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    ColumnType.STRING: pa.string(), ColumnType.TIMESTAMP: pa.timestamp("us"),
    ColumnType.FLOAT: pa.float64(), ColumnType.BOOL: pa.bool_(),
    ColumnType.DATE: pa.date32()}
