"""A mapped import honours a time's own UTC offset.

o1 arrives 11:00+02:00 (09:00 UTC) and is answered 10 s later, 11:00:10+02:00; o2 arrives
11:00+02:00 and is answered at 09:00:30Z, 30 s later. Cast from text to a timestamp, the
offset was dropped: o1 stored at 11:00 UTC, o2 quarantined as answered before it arrived
(ASA 10 s over 1 answered for 20 s over 2).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app

MAPPING = """table = "contacts"
[source]
format = "csv"
[columns]
contact_id = "contact_id"
channel = "channel"
queue = "queue"
arrived_at = "arrived_at"
accepted_at = "accepted_at"
first_response_at = "accepted_at"
"""


def test_an_offset_in_the_text_is_honoured(tmp_path: Path) -> None:
    (tmp_path / "map.toml").write_text(MAPPING)
    (tmp_path / "calls.csv").write_text(
        "contact_id,channel,queue,arrived_at,accepted_at\n"
        "o1,voice,q,2024-03-04T11:00:00+02:00,2024-03-04T11:00:10+02:00\n"
        "o2,voice,q,2024-03-04T11:00:00+0200,2024-03-04T09:00:30Z\n")
    result = CliRunner().invoke(app, ["import", "csv", str(tmp_path / "calls.csv"),
                                      "--mapping", str(tmp_path / "map.toml"),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()}
    assert {k: r["arrived_at"].isoformat() for k, r in rows.items()} == {
        "o1": "2024-03-04T09:00:00", "o2": "2024-03-04T09:00:00"}
    assert omnikpi.load_dataset(tmp_path / "out").problem_count == 0
    [row] = omnikpi.report_result(tmp_path / "out", metrics=["answered", "asa"]).rows
    assert (row["answered"], row["asa"]) == (2, 20.0)
