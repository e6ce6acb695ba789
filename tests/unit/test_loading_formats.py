"""The same dataset as CSV, JSON Lines, Parquet (in memory or streamed) gives the same KPIs."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

import omnikpi
from omnikpi.schema.dataset import load_dataset

from ..builders import call, dataset
from ..conftest import SPEC_EXAMPLES

METRICS = ["offered", "answered", "abandon_rate", "service_level", "asa", "aht", "occupancy"]


def convert(source: Path, target: Path, fmt: str) -> Path:
    target.mkdir()
    con = duckdb.connect()
    for csv in source.glob("*.csv"):
        relation = f"read_csv('{csv}', header = true, all_varchar = true)"
        if fmt == "parquet":
            # typed columns, as a platform export would have them
            relation = f"read_csv('{csv}', header = true)"
            con.execute(f"COPY (SELECT * FROM {relation}) TO '{target / csv.stem}.parquet' "
                        "(FORMAT parquet)")
        else:
            con.execute(f"COPY (SELECT * FROM {relation}) TO '{target / csv.stem}.jsonl' "
                        "(FORMAT json)")
    return target


def rows(folder: Path) -> list[dict[str, object]]:
    return omnikpi.report_result(folder, metrics=METRICS, by=["agent_id"], grain="30min",
                                 as_of="2024-03-05T11:00:00Z").rows


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_formats_agree(tmp_path: Path, fmt: str) -> None:
    source = SPEC_EXAMPLES / "voice_basic"
    assert rows(convert(source, tmp_path / fmt, fmt)) == rows(source)


def test_streamed_parquet_agrees_and_still_quarantines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = dataset(tmp_path / "csv", contacts=[
        call("a", "2024-03-05T10:00:00", answered="2024-03-05T10:00:10",
             ended="2024-03-05T10:01:00"),
        call("a", "2024-03-05T10:00:00"),
        call("b", "2024-03-05T10:00:00", abandoned="2024-03-05T10:00:30"),
    ])
    parquet = convert(data, tmp_path / "parquet", "parquet")
    in_memory = omnikpi.report_result(parquet, metrics=["offered", "abandon_rate"]).rows
    monkeypatch.setenv("OMNIKPI_STREAM_BYTES", "0")
    streamed = load_dataset(parquet)
    assert streamed.loads["contacts"].quarantined == 1
    assert "duplicate contact_id 'a'" in str(streamed.problems[0])
    assert omnikpi.report_result(streamed, metrics=["offered", "abandon_rate"]).rows == (
        in_memory) == [{"offered": 2, "abandon_rate": 0.5}]


def test_folder_per_table_is_read_as_one_table(tmp_path: Path) -> None:
    source = SPEC_EXAMPLES / "voice_basic"
    target = tmp_path / "split"
    (target / "contacts").mkdir(parents=True)
    shutil.copy(source / "agent_states.csv", target / "agent_states.csv")
    lines = (source / "contacts.csv").read_text().splitlines()
    (target / "contacts" / "part-1.csv").write_text("\n".join(lines[:12]) + "\n")
    (target / "contacts" / "part-2.csv").write_text("\n".join([lines[0], *lines[12:]]) + "\n")
    assert rows(target) == rows(source)
