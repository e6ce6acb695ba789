"""The Spark loader's planning, without Spark: where it reads, how it names files and
types, which datasets it leaves to the driver path (the cluster runs are in
``test_spark_cluster.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from omnikpi.engine.spark_load import _file_keys, as_uri, load_for_engine, source_type
from omnikpi.errors import DataError

from ..conftest import SPEC_EXAMPLES


@pytest.mark.parametrize(("given", "uri"), [
    ("hdfs://nn:8020/cc/pbx", "hdfs://nn:8020/cc/pbx"),
    (Path("hdfs://nn:8020/cc/pbx"), "hdfs://nn:8020/cc/pbx"),  # typer's Path folds the //
    (Path("s3a://bucket/pbx"), "s3a://bucket/pbx"),
    ("file:///data/pbx", "file:///data/pbx"),
    (Path("file:///data/pbx"), "file:///data/pbx"),
    ("/data/pbx", "file:///data/pbx"),
])
def test_the_path_is_read_as_given(given: str | Path, uri: str) -> None:
    assert as_uri(given) == uri


def test_a_local_file_has_the_spellings_hadoop_gives_it() -> None:
    keys = _file_keys("file:///d/contacts/day=2024-03-01/a b.parquet")
    assert "file:/d/contacts/day=2024-03-01/a b.parquet" in keys
    assert "file:/d/contacts/day=2024-03-01/a%20b.parquet" in keys


def test_spark_types_by_the_names_the_rules_use() -> None:
    assert source_type("timestamp_ntz") == "TIMESTAMP"
    assert source_type("timestamp") == "TIMESTAMP WITH TIME ZONE"
    assert source_type("decimal(10,2)") == "DECIMAL"
    assert source_type("string") == "VARCHAR"


def test_csv_and_missing_folders_never_start_spark(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import omnikpi.engine.backends as backends

    def no_spark() -> None:
        raise AssertionError("Spark was started")

    monkeypatch.setattr(backends, "spark_session", no_spark)
    with pytest.raises(DataError, match="dataset folder not found"):
        load_for_engine(tmp_path / "nowhere", "spark")
    dataset = load_for_engine(SPEC_EXAMPLES / "voice_basic", "spark")  # CSV: driver path
    assert dataset.has("contacts") and not hasattr(dataset, "_spark_views")
    empty = load_for_engine(tmp_path, "spark")  # no table: the DuckDB loader says so
    assert empty.problems[0].fatal
