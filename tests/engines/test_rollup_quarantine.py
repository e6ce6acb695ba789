"""Rollups and the quarantine: a change in one contacts file puts rows of another,
unchanged file in quarantine (a duplicate id that sorts first) or takes them out of it (the
first occurrence removed). The refresh recomputed only the changed file's days, so the
other file's day kept its old sums: rows no longer quarantined were missing, newly
quarantined ones still counted. Each case compares the report read from the rollup with
the same report read from the contacts (``both``), on a dataset validated now and on one
read from the cached verdict (the two places the left-out rows come from).

Reports on Spark never read a rollup (docs/rollups.md): DuckDB is the one engine here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omnikpi.config import Config
from omnikpi.rollup import refresh
from omnikpi.rollup.refresh import RefreshResult
from omnikpi.schema import validation_cache
from omnikpi.schema.dataset import load_dataset

from ..builders import write_table
from .test_rollup import ROLLED, _day, both

METRICS = ["received", "offered", "answered", "abandoned", "handled", "asa", "aht",
           "service_level", "abandon_rate"]


@pytest.fixture(params=[False, True], ids=["validated", "cached-verdict"])
def from_cache(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    cached = bool(request.param)
    monkeypatch.setenv("OMNIKPI_CACHE_MIN_BYTES", "0" if cached else str(2**40))
    monkeypatch.setattr(validation_cache, "RACY_NS", 0)  # files written a moment ago
    return cached


def _moved(row: dict[str, Any], day: int) -> dict[str, Any]:
    """``row`` of ``_day(d, …)`` with its instants moved to ``day`` (its next-day end
    too)."""
    first = int(str(row["arrived_at"])[9])
    out = {}
    for key, value in row.items():
        if isinstance(value, str) and value.startswith(f"2024-03-0{first}T"):
            value = f"2024-03-0{day}T" + value[11:]
        elif isinstance(value, str) and value.startswith(f"2024-03-0{first + 1}T"):
            value = f"2024-03-0{day + 1}T" + value[11:]
        out[key] = value
    return out


def _write(folder: Path, day: str, rows: list[dict[str, Any]]) -> None:
    sub = folder / "contacts" / f"day={day}"
    sub.mkdir(parents=True, exist_ok=True)
    write_table(sub, "contacts", rows)


def _refresh_and_compare(folder: Path, from_cache: bool) -> tuple[RefreshResult,
                                                                   list[dict[str, Any]]]:
    """Refresh the rollup of ``folder`` as loaded now; the day rows, rollup = direct."""
    if from_cache:
        load_dataset(folder).close()  # validated once: the verdict is cached
    data = load_dataset(folder)
    try:
        assert data.from_cache is from_cache
        step = refresh(data, Config())
        got = both(data, metrics=METRICS, grain="day", tz="UTC")
        both(data, metrics=ROLLED, grain="total", tz="Europe/Kyiv")
        return step, got
    finally:
        data.close()


def _by_day(rows: list[dict[str, Any]], metric: str) -> dict[str, Any]:
    return {str(r["period_start"])[:10]: r[metric] for r in rows}


def test_rows_taken_out_of_quarantine_by_another_file_are_counted(
        tmp_path: Path, from_cache: bool) -> None:
    """6 March's file repeats 8 contacts of 2 March (moved to the 6th): its rows are
    later duplicates, quarantined. 2 March's export is then corrected (the 8 removed):
    the 6th's rows count again, though the 6th's file did not change."""
    day2 = _day(2, 30)
    repeats = [_moved(r, 6) for r in day2[:8]]
    for day in (1, 2, 3):
        _write(tmp_path, f"2024-03-0{day}", _day(day, 30) if day != 2 else day2)
    _write(tmp_path, "2024-03-06", repeats)
    _, got = _refresh_and_compare(tmp_path, from_cache)
    assert "2024-03-06" not in _by_day(got, "received")  # all 8 quarantined

    _write(tmp_path, "2024-03-02", day2[8:])
    step, got = _refresh_and_compare(tmp_path, from_cache)
    assert not step.full
    received = _by_day(got, "received")
    assert (received["2024-03-02"], received["2024-03-06"]) == (22, 8)
    assert _by_day(got, "handled")["2024-03-06"] == 4  # d2-0, -2, -4, -6 answered

    again, _ = _refresh_and_compare(tmp_path, from_cache)
    assert again.days == 0  # nothing left to do


def test_rows_put_in_quarantine_by_a_new_earlier_file_are_left_out(
        tmp_path: Path, from_cache: bool) -> None:
    """A new file that sorts first (1 March) repeats 8 contacts of 4 March: the 4th's
    rows become later duplicates and are left out, though the 4th's file did not change
    (the rollup kept counting them)."""
    for day in (3, 4, 5):
        _write(tmp_path, f"2024-03-0{day}", _day(day, 30))
    _, got = _refresh_and_compare(tmp_path, from_cache)
    assert _by_day(got, "received")["2024-03-04"] == 30

    _write(tmp_path, "2024-03-01", [_moved(r, 1) for r in _day(4, 8)])
    step, got = _refresh_and_compare(tmp_path, from_cache)
    assert not step.full
    received = _by_day(got, "received")
    assert (received["2024-03-01"], received["2024-03-04"]) == (8, 22)
    assert _by_day(got, "offered")["2024-03-04"] == 30 - 8 - 5  # 5 blocked of the rest

    again, _ = _refresh_and_compare(tmp_path, from_cache)
    assert again.days == 0


def test_one_row_out_of_quarantine_and_another_in_on_the_same_day(
        tmp_path: Path, from_cache: bool) -> None:
    """1 March's file repeats d4-0 (answered) of 4 March; it is corrected to repeat d4-1
    (abandoned) instead: on the 4th one row leaves the quarantine and another enters it —
    as many quarantined rows as before, but not the same ones."""
    for day in (3, 4, 5):
        _write(tmp_path, f"2024-03-0{day}", _day(day, 30))
    answered, abandoned = _day(4, 2)
    _write(tmp_path, "2024-03-01", [_moved(answered, 1)])
    _, got = _refresh_and_compare(tmp_path, from_cache)
    assert (_by_day(got, "answered")["2024-03-04"],
            _by_day(got, "abandoned")["2024-03-04"]) == (14, 8)

    _write(tmp_path, "2024-03-01", [_moved(abandoned, 1)])
    step, got = _refresh_and_compare(tmp_path, from_cache)
    assert not step.full
    assert _by_day(got, "received")["2024-03-04"] == 29
    assert (_by_day(got, "answered")["2024-03-04"],
            _by_day(got, "abandoned")["2024-03-04"]) == (15, 7)


def test_left_out_rows_read_alike_validated_and_from_the_cached_verdict(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh validation and a cached verdict describe the same left-out rows (a
    duplicate and a row breaking a rule): a refresh after the other kind of load finds
    nothing to do, in either order."""
    monkeypatch.setenv("OMNIKPI_CACHE_MIN_BYTES", "0")
    monkeypatch.setattr(validation_cache, "RACY_NS", 0)
    for day in (1, 2, 3):
        _write(tmp_path, f"2024-03-0{day}", _day(day, 30))
    broken = {**_day(3, 1)[0], "contact_id": "broken", "arrived_at": "not a time"}
    _write(tmp_path, "2024-03-04", [_moved(_day(2, 1)[0], 4), broken, *_day(4, 6)])
    data = load_dataset(tmp_path)  # validated (and the verdict stored)
    try:
        assert not data.from_cache and data.quarantined == 2
        assert refresh(data, Config()).full
    finally:
        data.close()
    data = load_dataset(tmp_path)
    try:
        assert data.from_cache
        assert refresh(data, Config()).days == 0
    finally:
        data.close()
    _write(tmp_path, "2024-03-05", _day(5, 6))  # a new day: validated again
    monkeypatch.setenv("OMNIKPI_CACHE_MIN_BYTES", str(2**40))
    data = load_dataset(tmp_path)
    try:
        assert not data.from_cache
        assert refresh(data, Config()).days == 3  # the new file's days alone
        both(data, metrics=METRICS, grain="day", tz="UTC")
    finally:
        data.close()


def test_a_file_with_an_unreadable_instant_is_read_for_its_neighbours_days(
        tmp_path: Path) -> None:
    """A file with a value that cannot be read as an instant (its row breaks a rule) has
    no known days in the manifest: the refresh of a new neighbouring day read the files
    touching the due days only, left it out, and its day's contacts vanished from the
    rollup."""
    for day in (1, 2):
        rows = _day(day, 30)
        if day == 2:
            rows.append({**rows[0], "contact_id": "broken", "arrived_at": "not a time"})
        _write(tmp_path, f"2024-03-0{day}", rows)
    data = load_dataset(tmp_path)
    try:
        assert refresh(data, Config()).full
    finally:
        data.close()
    _write(tmp_path, "2024-03-03", _day(3, 30))
    data = load_dataset(tmp_path)
    try:
        step = refresh(data, Config())
        assert not step.full
        got = both(data, metrics=METRICS, grain="day", tz="UTC")
        assert [r["received"] for r in got] == [30, 30, 30, 0]  # (a call ends on the 4th)
    finally:
        data.close()
