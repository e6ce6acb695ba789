"""How validated tables reach Spark executors: a shared folder, or Arrow through the driver.

On a cluster the executors cannot read the driver's temporary folder, so without a
configured shared folder the tables go through the driver; both ways must give the very
rows DuckDB gives.
"""

from __future__ import annotations

import gc
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import omnikpi
from omnikpi.engine.backends import (
    DRIVER,
    TEMPORARY,
    _writable_folder,
    check_reachable,
    staging_choice,
    temporary_staging,
)
from omnikpi.errors import UsageError

from ..conftest import SPEC_EXAMPLES, require_spark

CLI = str(Path(sys.executable).with_name("omnikpi"))
METRICS = ["offered", "answered", "service_level", "asa", "abandon_rate", "aht"]


def test_local_spark_stages_in_a_temporary_folder() -> None:
    assert staging_choice("local[2]", None) == TEMPORARY


def test_the_temporary_folder_is_the_datasets_and_goes_with_it() -> None:
    """One folder per dataset, however many reports run on it, removed when the dataset
    is: a server that made one per report and never removed it filled the disk with
    copies of the tables."""
    dataset = omnikpi.load_dataset(SPEC_EXAMPLES / "voice_basic")
    folder = temporary_staging(dataset)
    (Path(folder) / "staged.parquet").write_bytes(b"a staged copy")
    assert temporary_staging(dataset) == folder
    assert temporary_staging(omnikpi.load_dataset(SPEC_EXAMPLES / "voice_basic")) != folder
    dataset.close()
    del dataset
    gc.collect()
    assert not os.path.exists(folder)


@pytest.mark.parametrize("master", ["yarn", "spark://head:7077", "k8s://https://api:6443"])
def test_a_cluster_without_a_shared_folder_goes_through_the_driver(master: str) -> None:
    assert staging_choice(master, None) == DRIVER


def test_a_configured_folder_wins() -> None:
    assert staging_choice("yarn", "/mnt/nfs/omnikpi") == "/mnt/nfs/omnikpi"
    assert staging_choice("local[*]", DRIVER) == DRIVER
    assert staging_choice("local[*]", "/srv/stage") == "/srv/stage"


def test_an_unwritable_staging_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(UsageError, match=r"OMNIKPI_SPARK_STAGING=.*cannot write there"):
        _writable_folder(str(blocker / "stage"))
    _writable_folder(str(tmp_path / "fine"))  # created when missing
    assert (tmp_path / "fine").is_dir()


def test_an_unreachable_connect_server_is_a_clear_error() -> None:
    with socket.socket() as listener:  # a port that was free a moment ago
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    with pytest.raises(UsageError, match=r"no Spark Connect server answers at 127\.0\.0\.1"):
        check_reachable(f"sc://127.0.0.1:{port}", seconds=2)
    with pytest.raises(UsageError, match="expected sc://host"):
        check_reachable("http://spark:15002")
    check_reachable("local")  # PySpark starts that server itself


@pytest.mark.spark
@pytest.mark.parametrize("staging", ["driver", "folder"])
def test_spark_rows_equal_duckdb_rows_either_way(
        staging: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_spark()
    shared = tmp_path / "shared"
    monkeypatch.setenv("OMNIKPI_SPARK_STAGING", DRIVER if staging == "driver" else str(shared))
    data = SPEC_EXAMPLES / "voice_basic"
    kwargs = {"metrics": METRICS, "by": ["queue"], "grain": "hour", "tz": "Europe/Kyiv"}
    dataset = omnikpi.load_dataset(data)
    spark = omnikpi.report(dataset, engine="spark", **kwargs)
    duck = omnikpi.report(omnikpi.load_dataset(data), **kwargs)
    assert len(duck) > 0
    pd.testing.assert_frame_equal(spark, duck, check_exact=False, rtol=1e-12)
    written = sorted(p.name for p in shared.glob("omnikpi-spark-*/*.parquet"))
    if staging == "driver":
        assert written == []
    else:
        assert any(name.startswith("omnikpi_contacts_") for name in written)
        del dataset  # its staged copies go with it; the shared folder stays
        gc.collect()
        assert shared.is_dir() and list(shared.iterdir()) == []


@pytest.mark.spark
def test_spark_connect_session_gives_the_duckdb_rows(tmp_path: Path) -> None:
    """``OMNIKPI_SPARK_REMOTE`` runs the report through a Spark Connect client; ``local``
    makes PySpark start a Connect server on this machine (a separate process, as a remote
    server would be). The CLI's JSON must equal DuckDB's."""
    require_spark()
    args = ["report", "--data", str(SPEC_EXAMPLES / "voice_basic"), "--metrics",
            ",".join(METRICS), "--by", "queue", "--grain", "hour", "--tz", "Europe/Kyiv",
            "--format", "json"]
    env = {**os.environ, "OMNIKPI_SPARK_REMOTE": "local", "OMNIKPI_CACHE_DIR": str(tmp_path)}
    spark = subprocess.run([CLI, *args, "--engine", "spark"],
                           env=env, capture_output=True, text=True, timeout=600)
    assert spark.returncode == 0, spark.stderr[-3000:]
    duck = subprocess.run([CLI, *args], env=env,
                          capture_output=True, text=True, timeout=600)
    assert duck.returncode == 0, duck.stderr[-3000:]
    spark_rows, duck_rows = json.loads(spark.stdout)["rows"], json.loads(duck.stdout)["rows"]
    assert len(duck_rows) > 0
    assert _close(spark_rows, duck_rows)


def _close(a: list[dict[str, object]], b: list[dict[str, object]]) -> bool:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for key in x:
            if isinstance(x[key], float) and isinstance(y[key], float):
                assert x[key] == pytest.approx(y[key], rel=1e-12), key
            else:
                assert x[key] == y[key], key
    return True
