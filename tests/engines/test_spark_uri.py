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


def test_nanosecond_timestamps_are_a_data_error_with_the_way_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A zone-aware nanosecond column (pyarrow's type for nanoseconds, what the
    simulator wrote): Spark refuses the file at its schema, and the report was a Python
    traceback. It is the command line's data error, naming the table and the ways out;
    validated on the driver (DuckDB reads nanoseconds) the same files report."""
    from typer.testing import CliRunner

    from omnikpi.cli.main import app

    require_spark()
    folder = tmp_path / "ns"
    folder.mkdir()
    day = _day(1, [f"c{i}" for i in range(6)])
    columns = {n: day[n].cast(pa.timestamp("ns", tz="UTC")) if n.endswith("_at") else day[n]
               for n in day.column_names}
    pq.write_table(pa.table(columns), folder / "contacts.parquet")
    result = CliRunner().invoke(app, ["report", "--data", str(folder), "--engine", "spark",
                                      "--metrics", "answered"])
    said = " ".join(result.output.split())
    assert result.exit_code == 3, result.output
    assert "contacts: Spark cannot read a Parquet timestamp in nanoseconds" in said
    assert "coerce_timestamps='us', allow_truncated_timestamps=True" in said
    assert "OMNIKPI_SPARK_LOAD=driver" in said
    monkeypatch.setenv("OMNIKPI_SPARK_LOAD", "driver")
    asked = ["report", "--data", str(folder), "--metrics", "offered,abandoned",
             "--format", "json"]
    driver = CliRunner().invoke(app, [*asked, "--engine", "spark"])
    assert driver.exit_code == 0, driver.output
    # six calls, the fifth quarantined (accepted before it arrived): 5 offered, the
    # third and the sixth abandoned
    assert '"offered": 5,' in driver.output and '"abandoned": 2' in driver.output
