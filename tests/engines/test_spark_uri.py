"""A dataset read by Spark from a URI that is not a local path, through Hadoop's file-system
layer — the way ``hdfs://`` or ``s3a://`` folders are read on a cluster.

Neither an HDFS name node nor the S3 connector (``hadoop-aws``) can be installed here
(they come from Maven, which this project cannot reach; PyPI's pyspark carries only
Hadoop's client). Hadoop's own ``viewfs://`` file system, which mounts a folder under a
name, takes the same path through the loader: the files are listed by Spark, not by this
machine, and each row is numbered by the file URI Hadoop gives back. The rows, the
problems and the report equal DuckDB's on the same files read as a local folder.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from omnikpi.engine.backends import spark_session
from omnikpi.engine.run import run_report
from omnikpi.engine.spark_load import load_on_spark
from omnikpi.schema.dataset import load_dataset

from ..conftest import require_spark

pytestmark = pytest.mark.spark

METRICS = ["offered", "answered", "abandoned", "service_level", "aht"]


def _day(day: int, ids: list[str]) -> pa.Table:
    """Calls of 2024-03-<day>: every third abandoned, one answered before it arrived."""
    rows: dict[str, list[Any]] = {k: [] for k in (
        "contact_id", "channel", "queue", "arrived_at", "accepted_at", "abandoned_at",
        "ended_at")}
    base = int(datetime(2024, 3, day, 8, tzinfo=UTC).timestamp()) * 1_000_000
    for i, cid in enumerate(ids):
        arrived = base + i * 600_000_000
        abandoned = i % 3 == 2
        wait = (-5 if i == 4 else 10 + i) * 1_000_000  # row 5 accepted before arrival
        rows["contact_id"].append(cid)
        rows["channel"].append("voice")
        rows["queue"].append(f"q{i % 2}")
        rows["arrived_at"].append(arrived)
        rows["accepted_at"].append(None if abandoned else arrived + wait)
        rows["abandoned_at"].append(arrived + 40_000_000 if abandoned else None)
        rows["ended_at"].append(None if abandoned else arrived + 200_000_000)
    columns = {k: pa.array(v, pa.int64()).cast(pa.timestamp("us")) if k.endswith("_at")
               else pa.array(v) for k, v in rows.items()}
    return pa.table(columns)


def test_a_folder_behind_a_hadoop_uri_reports_like_the_local_folder(tmp_path: Path) -> None:
    require_spark()
    folder = tmp_path / "pbx"
    for day, ids in ((1, [f"c{i}" for i in range(12)]),
                     (2, [f"d{i}" for i in range(11)] + ["c3"])):  # c3 sent again
        sub = folder / "contacts" / f"day=2024-03-{day:02d}"
        sub.mkdir(parents=True)
        pq.write_table(_day(day, ids), sub / "part-0.parquet")
    session = spark_session()
    hadoop = session.sparkContext._jsc.hadoopConfiguration()
    hadoop.set("fs.viewfs.mounttable.omnikpi.link./cc", tmp_path.resolve().as_uri())
    remote = load_on_spark(session, "viewfs://omnikpi/cc/pbx")
    local = load_dataset(folder, cache=False)
    assert remote is not None and hasattr(remote, "_spark_views")
    assert [str(p) for p in remote.problems] == [str(p) for p in local.problems]
    messages = [p.message for p in local.problems]
    assert ("duplicate contact_id 'c3' (first seen at "
            "contacts/day=2024-03-01/part-0.parquet row 4)") in messages
    assert sum("before" in m for m in messages) == 2  # row 5 of each day
    assert {n: (x.rows_read, x.rows_loaded) for n, x in remote.loads.items()} == {
        "contacts": (24, 21)}
    request: dict[str, Any] = {"metrics": METRICS, "by": ["queue"], "grain": "day"}
    got = run_report(remote, engine="spark", **request).rows
    expected = run_report(local, engine="duckdb", **request).rows
    assert len(got) == len(expected) == 4
    for g, e in zip(got, expected, strict=True):
        assert g.keys() == e.keys()
        for key, value in e.items():
            same = g[key] == pytest.approx(value) if isinstance(value, float) else g[key] == value
            assert same, (key, g, e)
