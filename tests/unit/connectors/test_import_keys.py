"""Rows without their key are each written (and quarantined when loaded), never merged as
repeats of one another; a mapping that maps no required column is refused.

calls.csv has c1, two rows with an empty contact_id, and c4. pandas counts empty keys as
equal: the second empty row was dropped as "repeated" while the summary said both were
written. A mapping without [columns] wrote one empty contact and called four rows repeats.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app

CALLS = ("contact_id,channel,queue,arrived_at\n"
         "c1,voice,q,2024-03-04T09:00:00Z\n"
         ",voice,q,2024-03-04T09:01:00Z\n"
         ",voice,q,2024-03-04T09:02:00Z\n"
         "c4,voice,q,2024-03-04T09:03:00Z\n")
COLUMNS = """[columns]
contact_id = "contact_id"
channel = "channel"
queue = "queue"
arrived_at = "arrived_at"
"""


def _import(tmp_path: Path, mapping: str) -> tuple[int, str]:
    (tmp_path / "map.toml").write_text('table = "contacts"\n[source]\nformat = "csv"\n'
                                       + mapping)
    (tmp_path / "calls.csv").write_text(CALLS)
    result = CliRunner().invoke(app, ["import", "csv", str(tmp_path / "calls.csv"),
                                      "--mapping", str(tmp_path / "map.toml"),
                                      "--out", str(tmp_path / "out")])
    return result.exit_code, " ".join(result.output.split())


def test_rows_without_their_key_are_each_written(tmp_path: Path) -> None:
    code, said = _import(tmp_path, COLUMNS)
    assert code == 0, said
    assert "│ contacts │ 4 │ 4 │ 0 │ 0 │ 0 │ 2 │ 4 │" in said, said
    rows = pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()
    assert sorted(str(r["arrived_at"]) for r in rows if r["contact_id"] is None) == [
        "2024-03-04 09:01:00", "2024-03-04 09:02:00"]
    assert omnikpi.load_dataset(tmp_path / "out").problem_count == 2
    code, said = _import(tmp_path, COLUMNS)  # the same file again: nothing twice
    assert "│ contacts │ 4 │ 0 │ 0 │ 0 │ 4 │ 2 │ 4 │" in said, said


def test_a_mapping_without_a_required_column_is_refused(tmp_path: Path) -> None:
    code, said = _import(tmp_path, COLUMNS.replace('queue = "queue"\n', ""))
    assert code == 2, said
    assert "[columns] does not map queue, which every contacts row needs" in said
    code, said = _import(tmp_path, "")
    assert "does not map contact_id, channel, queue, arrived_at" in said
    assert not (tmp_path / "out" / "contacts.parquet").exists()
