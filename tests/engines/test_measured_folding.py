"""What the engine assumes from measured facts of the data changes the SQL, never a number.

After validation the loader measures the distinct channels, the columns without a value
and each timestamp column's bounds; the DuckDB engine then folds a contact's mode and
threshold into constants or exact-value lists, drops empty columns from what it derives
and divides period keys as integers. Here every report is computed twice — with those
facts, and with them forgotten (the generic expressions of the catalog's rules) — over
random contacts whose channels are spelled in mixed case, include unknown ones, and meet
per-queue and per-channel configuration.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import omnikpi
from omnikpi.config import Config
from omnikpi.engine import run as engine_run
from omnikpi.engine.local_duckdb import _duckdb_sql
from omnikpi.schema.dataset import Dataset, load_dataset

from ..builders import dataset

BASE = datetime(2024, 3, 30, 20, tzinfo=UTC)  # the DST change of Europe/Kyiv is inside
METRICS = ["received", "offered", "answered", "abandoned", "service_level", "asa",
           "avg_wait", "max_wait", "aht", "transfer_rate", "avg_time_late",
           "handled", "a1rt", "blocked_rate"]
CONFIG = Config.model_validate({
    "channels": {"whatsapp": {"mode": "discrete", "threshold_seconds": 900}},
    "queues": {"vip": {"mode": "continuous", "threshold_seconds": 10}},
})

contact = st.fixed_dictionaries({
    "arrive": st.floats(min_value=0, max_value=30 * 3600, allow_nan=False),
    "wait": st.floats(min_value=0, max_value=4000, allow_nan=False),
    "talk": st.floats(min_value=1, max_value=900, allow_nan=False),
    "outcome": st.sampled_from(["answered", "abandoned", "blocked", "waiting"]),
    "queue": st.sampled_from(["sales", "vip", "mail"]),
    "channel": st.sampled_from(["voice", "Voice", "chat", "EMAIL", "whatsapp", "fax"]),
    "acw": st.one_of(st.none(), st.floats(min_value=0, max_value=120, allow_nan=False)),
    "transferred": st.booleans(),
})


def iso(seconds: float) -> str:
    return (BASE + timedelta(seconds=seconds)).isoformat()


def rows_of(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for i, s in enumerate(specs):
        answered = s["outcome"] == "answered"
        rows.append({
            "contact_id": f"k{i}", "queue": s["queue"], "channel": s["channel"],
            "arrived_at": iso(s["arrive"]), "blocked": str(s["outcome"] == "blocked").lower(),
            "first_response_at": iso(s["arrive"] + s["wait"]) if answered else None,
            "abandoned_at": iso(s["arrive"] + s["wait"]) if s["outcome"] == "abandoned"
            else None,
            "ended_at": iso(s["arrive"] + s["wait"] + s["talk"]) if answered else None,
            "acw_seconds": s["acw"], "transferred": str(s["transferred"]).lower(),
        })
    return rows


def forget_facts(data: Dataset) -> Dataset:
    data.bounds, data.domains, data.empty = None, None, None
    return data


def both_ways(folder: Path, config: Config = CONFIG, **kwargs: Any
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    _duckdb_sql.cache_clear()
    measured = load_dataset(folder, cache=False)
    assert measured.domains is not None and measured.empty is not None
    folded = omnikpi.report(measured, metrics=METRICS, config=config, **kwargs)
    generic = omnikpi.report(forget_facts(load_dataset(folder, cache=False)),
                             metrics=METRICS, config=config, **kwargs)
    return folded, generic


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(contact, min_size=1, max_size=25),
       grain=st.sampled_from(["day", "hour", "30min", "total"]),
       windowed=st.booleans())
def test_measured_facts_change_no_number(specs: list[dict[str, Any]], grain: str,
                                         windowed: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = dataset(Path(tmp), contacts=rows_of(specs))
        window = {"from_": iso(3600), "to": iso(20 * 3600)} if windowed else {}
        folded, generic = both_ways(folder, by=["queue", "channel"], grain=grain,
                                    tz="Europe/Kyiv", as_of=iso(26 * 3600), **window)
        pd.testing.assert_frame_equal(folded, generic, check_exact=False, rtol=1e-12)


def test_one_channel_folds_to_constants(tmp_path: Path) -> None:
    """A voice-only dataset compiles without a per-row channel test, and the SL numbers
    match the hand count: 2 of 3 offered answered within 20 s."""
    rows = rows_of([
        {"arrive": 0, "wait": 5, "talk": 60, "outcome": "answered", "queue": "sales",
         "channel": "voice", "acw": None, "transferred": False},
        {"arrive": 10, "wait": 20, "talk": 60, "outcome": "answered", "queue": "sales",
         "channel": "voice", "acw": 10.0, "transferred": True},
        {"arrive": 20, "wait": 21, "talk": 60, "outcome": "answered", "queue": "sales",
         "channel": "voice", "acw": None, "transferred": False},
    ])
    folder = dataset(tmp_path, contacts=rows)
    data = load_dataset(folder, cache=False)
    assert data.domain("contacts", "channel") == ("voice",)
    assert "handle_seconds" in (data.empty or {})["contacts"]
    plan = engine_run.plan_report(data, metrics=["service_level", "aht"], grain="day",
                                  tz="Europe/Kyiv")
    sql = plan.sql()
    assert "LOWER(" not in sql and "COUNT_IF(" in sql and "//" in sql
    row = plan.run().rows[0]
    assert row["service_level"] == 2 / 3
    assert row["aht"] == (60 + 70 + 60) / 3  # answer to end, plus 10 s of ACW on one


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(contact, min_size=1, max_size=25), latest=contact,
       after_last=st.sampled_from([0.0, 5.0, 29.999999, 30.0, 30.000001, 31.0, 3600.0]),
       pending_on_time=st.booleans())
def test_pending_rule_folds_only_when_no_arrival_is_young(
        specs: list[dict[str, Any]], latest: dict[str, Any], after_last: float,
        pending_on_time: bool) -> None:
    """With one threshold (30 s) for every contact, a contact still waiting at as-of and
    younger than 30 s leaves the SL denominator (or counts on time, for discrete ones):
    the engine drops that test when the latest arrival is older than 30 s at as-of.
    As-of falls just around that bound, and the numbers must not move."""
    last = max(s["arrive"] for s in specs)
    specs = [*specs, {**latest, "arrive": last, "outcome": "waiting"}]  # one waits at the end
    with tempfile.TemporaryDirectory() as tmp:
        folder = dataset(Path(tmp), contacts=rows_of(specs))
        folded, generic = both_ways(
            folder, Config(), by=["queue", "channel"], grain="total", tz="Europe/Kyiv",
            as_of=iso(last + after_last),
            params={"threshold_seconds": 30, "pending_on_time": pending_on_time})
        pd.testing.assert_frame_equal(folded, generic, check_exact=False, rtol=1e-12)


def test_pending_contact_left_out_until_the_threshold(tmp_path: Path) -> None:
    """Hand count: one contact answered in 10 s, one still waiting. Ten seconds after it
    arrived the waiting one is too early to judge (SL 1/1); a minute later it is late
    (SL 1/2); and the test on young contacts is compiled only in the first case."""
    rows = rows_of([
        {"arrive": 0, "wait": 10, "talk": 60, "outcome": "answered", "queue": "sales",
         "channel": "voice", "acw": None, "transferred": False},
        {"arrive": 100, "wait": 0, "talk": 1, "outcome": "waiting", "queue": "sales",
         "channel": "voice", "acw": None, "transferred": False},
    ])
    folder = dataset(tmp_path, contacts=rows)
    data = load_dataset(folder, cache=False)
    for as_of, expected, young_test in ((110, 1.0, True), (160, 0.5, False)):
        plan = engine_run.plan_report(data, metrics=["service_level"], tz="UTC",
                                      as_of=iso(as_of))
        assert plan.run().rows[0]["service_level"] == expected
        assert ('"arr" >=' in plan.sql()) is young_test
