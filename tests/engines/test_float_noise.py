"""A figure whose numerator and denominator are equal sums of float seconds is exactly
1 (or 0), on every engine: times with milliseconds read adherence 1.0000000000000002 and
shrinkage −1.3e-16 for agents who kept to their schedule (41 figures of the bundled
demo's 63 agent-days)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import omnikpi
from omnikpi.engine.result import without_summation_noise

from ..builders import dataset

START = datetime(2024, 3, 4, 6, tzinfo=UTC)


def _at(ms: int) -> str:
    return (START + timedelta(milliseconds=ms)).isoformat(timespec="milliseconds")


def test_an_agent_who_kept_to_the_schedule_reads_exactly_one_and_zero(
        tmp_path: Path, engine: str) -> None:
    """a1 is scheduled for work 06:00–09:00 and is in work states all of it, in 37 pieces
    cut at odd milliseconds (every 291.337 s), handling and available in turn: adherence
    1, utilization 1 (logged in the whole paid time), shrinkage 0 — exactly, not
    1 ± 2⁻⁵²."""
    cuts = [0]
    step = 291_337  # ms: the pieces end at odd milliseconds
    while cuts[-1] + step < 3 * 3600 * 1000:
        cuts.append(cuts[-1] + step)
    cuts.append(3 * 3600 * 1000)
    states: list[dict[str, Any]] = [
        {"agent_id": "a1", "state": "available" if i % 2 else "handling", "start": _at(lo),
         "end": _at(hi), **({} if i % 2 else {"channel": "voice"})}
        for i, (lo, hi) in enumerate(pairwise(cuts))]
    data = dataset(
        tmp_path / "ms",
        shifts=[{"agent_id": "a1", "start": _at(0), "end": _at(3 * 3600 * 1000),
                 "paid": True}],
        shift_activities=[{"agent_id": "a1", "activity": "work", "start": _at(0),
                           "end": _at(3 * 3600 * 1000), "paid": True}],
        agent_states=states)
    rows = omnikpi.report_result(data, engine=engine,
                                 metrics=["adherence", "shrinkage", "utilization"],
                                 by=["agent_id"], grain="day").rows
    assert [(r["adherence"], r["shrinkage"], r["utilization"]) for r in rows] == [
        (1.0, 0.0, 1.0)]
    assert math.copysign(1.0, rows[0]["shrinkage"]) == 1.0  # not -0.0
    if engine == "duckdb":  # the drill-down's figure is the report's, to the last digit
        from omnikpi.engine.drill import drill
        from omnikpi.schema.dataset import load_dataset

        loaded = load_dataset(data)
        assert drill(loaded, "adherence").figure.value == 1.0
        assert drill(loaded, "shrinkage").figure.value == 0.0
        states = {f["state"]: f["value"] for f in drill(loaded, "time_in_state").key_figures}
        report = omnikpi.report_result(data, metrics=["time_in_state"]).rows
        assert states == {r["state"]: r["time_in_state"] for r in report}


@given(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False))
def test_a_share_moves_only_within_noise_and_to_twelve_decimals(value: float) -> None:
    rounded = float(without_summation_noise(np.array([value]), ratio=True)[0])
    assert abs(rounded - value) <= 1e-14 * max(1.0, abs(value))
    if rounded != value and abs(value) <= 1:
        assert rounded == round(value, 12)
    again = float(without_summation_noise(np.array([rounded]), ratio=True)[0])
    assert again == rounded
    assert math.copysign(1.0, rounded) == 1.0 or rounded < 0


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300))
def test_another_figure_moves_only_within_noise_to_twelve_digits(value: float) -> None:
    rounded = float(without_summation_noise(np.array([value]), ratio=False)[0])
    assert rounded == value or (abs(rounded - value) <= 1e-14 * abs(value)
                                and rounded == float(f"{value:.12g}"))


def test_noise_of_a_sum_is_taken_away_and_an_exact_figure_kept() -> None:
    noisy = np.array([1.0000000000000002, -1.2631870857957337e-16, 0.1 + 0.2, 2 / 3, np.nan])
    shares = without_summation_noise(noisy, ratio=True)
    assert shares[:4].tolist() == [1.0, 0.0, 0.3, 2 / 3] and np.isnan(shares[4])
    seconds = without_summation_noise(
        np.array([300.00000000000006, 515 / 3, 171.5, 0.0, 1e-300]), ratio=False)
    assert seconds.tolist() == [300.0, 515 / 3, 171.5, 0.0, 1e-300]
