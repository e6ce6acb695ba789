"""The drill-down's CSV, made column by column and sent in pieces, says exactly what a
cell-by-cell writer says: ``datetime.isoformat`` instants in the report's zone (a
fraction of a second only when there is one, the offset of that instant), empty cells for
missing values, an apostrophe before text a spreadsheet would run, the "counts in"
sentence — whatever the rows, the zone and where the pieces are cut."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnikpi import export
from omnikpi.engine.drill import DEN, NUM, REASON, STATUS
from omnikpi.web import drill_export
from omnikpi.web.drill_export import drill_csv

COLUMNS = ["contact_id", "arrived_at", "ended_at", "handle_s"]
ZONES = ["UTC", "Europe/Kyiv", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe"]
FOUND: Any = SimpleNamespace(columns=COLUMNS)
US_2000, US_2040 = 946_684_800_000_000, 2_208_988_800_000_000


def reference(frame: pd.DataFrame, tz: str) -> str:
    """The file as a writer of one cell at a time makes it (the export's former code)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, "numerator", "denominator", "counts_in"])
    for row in frame.to_dict(orient="records"):
        cells: list[Any] = []
        for column in [*COLUMNS, NUM, DEN]:
            value = row[column]
            if value is None or value != value:
                cells.append("")
            elif column.endswith("_at"):
                moment = datetime.fromtimestamp(int(value) / 1e6, UTC)
                cells.append(moment.replace(microsecond=int(value) % 1_000_000)
                             .astimezone(ZoneInfo(tz)).isoformat())
            elif isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
                cells.append("'" + value)
            elif isinstance(value, float):  # the report's CSV: 15 significant digits
                cells.append(repr(float(format(value, ".15g"))))
            else:
                cells.append(value.item() if hasattr(value, "item") else value)
        cells.append({"both": "numerator and denominator", "numerator": "numerator",
                      "denominator": "denominator"}.get(
            row[STATUS], "excluded because outside the period"))
        writer.writerow(cells)
    return out.getvalue()


instants = st.one_of(st.none(), st.integers(US_2000, US_2040),
                     st.integers(US_2000 // 1_000_000, US_2040 // 1_000_000)
                     .map(lambda s: s * 1_000_000))
rows = st.lists(st.tuples(
    st.text(alphabet="ab=+-@ ,\"\n1", max_size=6), instants, instants,
    st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)),
    st.sampled_from(["both", "numerator", "denominator", "excluded"])), max_size=40)


def frame_of(drawn: list[tuple[Any, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(drawn, columns=[*COLUMNS, STATUS])
    frame["arrived_at"] = frame["arrived_at"].astype("float64")
    frame["ended_at"] = frame["ended_at"].astype("float64")
    frame["handle_s"] = frame["handle_s"].astype("float64")
    frame[NUM] = frame["handle_s"]
    frame[DEN] = 1.0
    frame[REASON] = [None if s != "excluded" else "period" for s in frame[STATUS]]
    return frame


@settings(max_examples=150, deadline=None)
@given(drawn=rows, tz=st.sampled_from(ZONES), piece=st.integers(1, 7))
def test_the_streamed_file_is_the_cell_by_cell_file(drawn: list[tuple[Any, ...]], tz: str,
                                                     piece: int) -> None:
    frame = frame_of(drawn)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(drill_export, "CSV_CHUNK_ROWS", piece)
        made = b"".join(drill_csv(FOUND, frame, tz)).decode()
    assert made == reference(frame, tz)


def test_instants_by_hand_across_a_change_of_offset() -> None:
    """Kyiv moves from +02:00 to +03:00 at 01:00 UTC on 2024-03-31."""
    frame = frame_of([("c1", 1_711_846_799_000_000, 1_711_846_800_250_000, 60.0, "both"),
                      ("=SUM(A1)", None, None, None, "excluded")])
    lines = b"".join(drill_csv(FOUND, frame, "Europe/Kyiv")).decode().splitlines()
    assert lines[1] == ("c1,2024-03-31T02:59:59+02:00,2024-03-31T04:00:00.250000+03:00,"
                        "60.0,60.0,1.0,numerator and denominator")
    assert lines[2] == "'=SUM(A1),,,,,1.0,excluded because outside the period"


def test_numbers_read_as_the_report_s_csv_writes_them() -> None:
    """A sum of costs is 320.66200000000003 as a double: the report's CSV says 320.662,
    the drill-down's said every digit. A whole number keeps its ".0" in both."""
    frame = frame_of([("c1", None, None, 320.66200000000003, "both"),
                      ("c2", None, None, 12.0, "both"),
                      ("c3", None, None, 0.1 + 0.2, "both"),
                      ("c4", None, None, 1e16, "both"),
                      ("c5", None, None, 999999999999999.9, "both")])
    lines = b"".join(drill_csv(FOUND, frame, "UTC")).decode().splitlines()
    assert [line.split(",")[3] for line in lines[1:]] == [
        "320.662", "12.0", "0.3", "1e+16", "1000000000000000.0"]
    assert [line.split(",")[3] for line in lines[1:]] == [
        export._csv_cell(v) for v in frame["handle_s"]]


def test_a_drill_down_of_costs_no_cost_row_covers_has_no_figure(tmp_path: Path) -> None:
    """The report gives a queue without cost rows no cost figure (unknown, not free); its
    drill-down said 0.00 for total cost and cost per contact. The `sales` queue's costs
    are 100 over its 2 handled calls (50 per contact); `support` has none."""
    from omnikpi.engine.drill import drill
    from omnikpi.schema.dataset import load_dataset

    source = Path(__file__).parents[1] / "cases" / "data" / "costs_not_given"
    for name in ("contacts.csv", "costs.csv"):
        (tmp_path / name).write_text((source / name).read_text())
    loaded = load_dataset(tmp_path)
    for metric in ("total_cost", "cost_per_contact"):
        found = drill(loaded, metric, tz="UTC", where={"queue": ["support"]})
        assert found.figure.value is None, (metric, found.figure)
    sales = drill(loaded, "cost_per_contact", tz="UTC", where={"queue": ["sales"]})
    assert sales.figure.value == 100 / 3
