"""Any rows, any bytes, through a mapping: every row read is filtered (by its reason),
written as a new row, or left out as a repeat of an id already there (said as such) —
never lost and never a traceback."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnikpi.connectors.mapped_table import import_mapped
from omnikpi.errors import OmniKPIError

MAPPING = '''table = "dial_attempts"
[[filters]]
when = "result_code = 'skip'"
reason = "a test row"
[columns]
attempt_id = "id"
campaign = "'c'"
lead_id = "coalesce(lead, 'none')"
dialed_at = "TRY_CAST(t AS TIMESTAMP)"
result = "CASE WHEN result_code = 'A' THEN 'connected' ELSE 'no_answer' END"
'''

ids = st.sampled_from(["a", "b", "c", "d", ""])
times = st.sampled_from(["2024-03-05 12:00:00", "2024-03-05T13:00:00", "not a time", ""])
codes = st.sampled_from(["A", "N", "skip", ""])
text = st.text(max_size=8)
rows = st.lists(st.tuples(ids, text, times, codes), max_size=12)


def _csv(records: list[tuple[str, str, str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "lead", "t", "result_code"])
    writer.writerows(records)
    return buffer.getvalue()


def _table_rows(out: Path) -> int:
    path = out / "dial_attempts.parquet"
    return pq.read_metadata(path).num_rows if path.exists() else 0


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=rows, second=rows)
def test_every_row_is_filtered_written_or_a_repeat(
        tmp_path_factory: Any, first: list[tuple[str, str, str, str]],
        second: list[tuple[str, str, str, str]]) -> None:
    """Two imports into one folder (an overlapping daily export): in each, rows read =
    filtered + new rows in the table + repeats; the rows read are the file's records."""
    folder = tmp_path_factory.mktemp("mapped")
    (folder / "m.toml").write_text(MAPPING)
    out = folder / "out"
    for number, records in enumerate((first, second)):
        source = folder / f"day{number}.csv"
        # a lone "\r" in a field would be a line end to the CSV reader: not a record
        records = [tuple(f.replace("\r", " ") for f in r) for r in records]  # type: ignore[misc]
        source.write_text(_csv(records), encoding="utf-8")
        before = _table_rows(out)
        try:
            [summary] = import_mapped([source], folder / "m.toml", out)
        except OmniKPIError:
            continue  # said to the user (a file with no data rows, …), nothing written
        assert summary.read == len(records)
        added = _table_rows(out) - before
        assert summary.read == sum(summary.filtered.values()) + added + summary.repeated
        assert summary.filtered["a test row"] == sum(r[3] == "skip" for r in records)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_any_bytes_are_imported_or_refused_in_words(tmp_path_factory: Any,
                                                   data: bytes) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    (folder / "m.toml").write_text(MAPPING)
    source = folder / "any.csv"
    source.write_bytes(b"id,lead,t,result_code\n" + data)
    try:
        [summary] = import_mapped([source], folder / "m.toml", folder / "out")
    except OmniKPIError:
        return
    added = _table_rows(folder / "out")
    assert summary.read == sum(summary.filtered.values()) + added + summary.repeated + \
        sum(summary.left_out.values())  # a line the CSV reader could not split
