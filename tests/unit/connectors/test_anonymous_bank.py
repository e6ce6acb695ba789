"""The real Anonymous Bank month through the CSV mapping, checked against totals computed
independently from the raw file with plain pandas (none of the mapping code)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app

from ...conftest import ANONYMOUS_BANK as RAW
from ...conftest import REPO as ROOT

MAPPING = ROOT / "mappings" / "anonymous_bank.toml"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bank")
    result = CliRunner().invoke(app, ["import", "csv", str(RAW), "--mapping", str(MAPPING),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "PHANTOM" in result.output and "VRU" in result.output
    return out


def test_totals_match_an_independent_count(imported: Path) -> None:
    raw = pd.read_csv(RAW, dtype=str)
    assert len(raw) == 42078
    served = raw[raw.outcome == "AGENT"]
    hung_in_queue = raw[(raw.outcome == "HANG") & (raw.q_start != "00:00:00")]
    rows = omnikpi.report_result(imported, metrics=["offered", "answered", "abandoned"],
                                 by=["queue"]).rows
    by_queue = {r["queue"]: r for r in rows}
    for queue, group in served.groupby("type"):
        assert by_queue[queue]["answered"] == len(group)
    for queue, group in hung_in_queue.groupby("type"):
        assert by_queue[queue]["abandoned"] == len(group)
    total = omnikpi.report_result(imported, metrics=["offered", "answered", "asa"]).rows[0]
    assert total["answered"] == 31402
    assert total["offered"] == 31402 + len(hung_in_queue)
    # mean wait of served calls from the source's own q_time column (0 when not queued);
    # the mapping derives waits from timestamps, clamping 60 calls with a VRU/ACD clock
    # skew of up to 5 s to a zero wait — the two agree within a tenth of a second
    independent_asa = served.q_time.astype(float).mean()
    assert total["asa"] == pytest.approx(independent_asa, abs=0.1)


def test_aht_is_the_sources_own_service_time(imported: Path) -> None:
    """AHT is the mean of the source's ser_time over served calls whose end is recorded
    (ser_exit 00:00:00 is no end: answered, not handled) — not ser_exit − q_exit, which
    mixes the queue and service clocks (184.06 s)."""
    raw = pd.read_csv(RAW, dtype=str)
    handled = raw[(raw.outcome == "AGENT") & (raw.ser_exit != "00:00:00")]
    row = omnikpi.report_result(imported, metrics=["aht"]).rows[0]
    assert row["aht"] == pytest.approx(handled.ser_time.astype(float).mean())
    assert row["aht"] == pytest.approx(184.73, abs=0.005)


def test_nothing_is_quarantined(imported: Path) -> None:
    dataset = omnikpi.load_dataset(imported)
    assert dataset.problem_count == 0
    assert dataset.loads["contacts"].rows_loaded == 42078 - 310 - 3057
    assert dataset.loads["ivr_sessions"].rows_loaded == 42078 - 310


def test_ivr_sessions_match_an_independent_count(imported: Path) -> None:
    """Every call but the PHANTOMs passed the VRU: one session each. Nothing is served by
    the VRU alone in this log (a call reaches a queue or an agent, or hangs up in the
    VRU), so containment is 0; the VRU abandon rate is the callers who hung up there."""
    raw = pd.read_csv(RAW, dtype=str)
    calls = raw[raw.outcome != "PHANTOM"]
    hung_in_vru = (calls.outcome == "HANG") & (calls.q_start == "00:00:00")
    # the source's own vru_time; 19 negative ones (clock skew) count as 0 s in the VRU
    vru_seconds = calls.vru_time.astype(float).clip(lower=0)
    served = calls.outcome == "AGENT"
    wait_with_vru = (vru_seconds[served] + calls.q_time[served].astype(float)).mean()
    row = omnikpi.report_result(imported, metrics=[
        "ivr_sessions", "ivr_containment_rate", "ivr_abandon_rate", "avg_ivr_time",
        "avg_wait_with_ivr"]).rows[0]
    assert row["ivr_sessions"] == len(calls) == 41768
    assert row["ivr_containment_rate"] == 0.0
    assert row["ivr_abandon_rate"] == pytest.approx(hung_in_vru.sum() / len(calls))
    assert hung_in_vru.sum() == 3057
    assert row["avg_ivr_time"] == pytest.approx(vru_seconds.mean())
    assert row["avg_wait_with_ivr"] == pytest.approx(wait_with_vru)
    # the sessions that reached a queue lead to their contacts: by queue, the type of call
    by_queue = {r["queue"]: r["ivr_sessions"] for r in omnikpi.report_result(
        imported, metrics=["ivr_sessions"], by=["queue"]).rows}
    assert by_queue == {None: 3057, **calls[~hung_in_vru].groupby("type").size().to_dict()}
