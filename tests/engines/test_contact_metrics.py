"""Hand-computed values for the contact metrics not covered by the spec's examples."""

from __future__ import annotations

from pathlib import Path

import pytest

import omnikpi

from ..builders import call, dataset


def one(data: Path, engine: str, metrics: list[str], **kw: object) -> dict[str, object]:
    rows = omnikpi.report_result(data, metrics=metrics, engine=engine, **kw).rows  # type: ignore[arg-type]
    assert len(rows) == 1, rows
    return rows[0]


def test_handle_time_parts(tmp_path: Path, engine: str) -> None:
    # a: accepted 10:00:10, ended 10:05:10 (300 s, of which 40 s hold), ACW 20 → AHT 320.
    # b: platform handle_seconds 200 overrides; talk = 10:02:00−10:00:30 = 90, no hold, ACW 15.
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T10:00:00", answered="2024-03-05T10:00:10",
             ended="2024-03-05T10:05:10", hold_seconds=40, acw_seconds=20),
        call("b", "2024-03-05T10:00:00", answered="2024-03-05T10:00:30",
             ended="2024-03-05T10:02:00", acw_seconds=15, handle_seconds=200),
    ])
    row = one(data, engine, ["aht", "avg_talk_time", "avg_hold_time", "avg_acw_time",
                             "handled"])
    assert row == {"aht": (320 + 200) / 2, "avg_talk_time": (260 + 90) / 2,
                   "avg_hold_time": 20.0, "avg_acw_time": 17.5, "handled": 2}


def test_text_response_times(tmp_path: Path, engine: str) -> None:
    # Chat: queued 30 s (accepted), first reply 15 s later → queue 30, pick-up 15, A1RT 45.
    # The voice call (wait 10) is not a text contact: A1RT ignores it, ASA pools both.
    data = dataset(tmp_path, contacts=[
        {**call("c", "2024-03-05T10:00:00", channel="chat", ended="2024-03-05T10:10:00"),
         "accepted_at": "2024-03-05T10:00:30", "first_response_at": "2024-03-05T10:00:45"},
        call("v", "2024-03-05T10:00:00", answered="2024-03-05T10:00:10",
             ended="2024-03-05T10:03:00"),
    ])
    row = one(data, engine, ["a1rt", "asa", "avg_queue_time", "avg_pickup_time"])
    assert row == {"a1rt": 45.0, "asa": 27.5, "avg_queue_time": 20.0, "avg_pickup_time": 7.5}


def test_received_blocked_and_volume(tmp_path: Path, engine: str) -> None:
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T10:00:00", blocked="yes"),
        call("b", "2024-03-05T10:00:00", blocked="1"),
        call("c", "2024-03-05T10:00:00", abandoned="2024-03-05T10:00:02"),
        call("d", "2024-03-05T10:00:00", answered="2024-03-05T10:00:02",
             ended="2024-03-05T10:01:00"),
    ])
    row = one(data, engine, ["received", "offered", "blocked_rate", "answered", "abandoned",
                             "short_abandoned", "handled"])
    assert row == {"received": 4, "offered": 2, "blocked_rate": 0.5, "answered": 1,
                   "abandoned": 1, "short_abandoned": 1, "handled": 1}


def test_sl_variants_exclude_short_abandons(tmp_path: Path, engine: str) -> None:
    # Answered on time 1 (10 s), late 1 (40 s); abandoned short 1 (3 s), within T 1 (15 s),
    # after T 1 (60 s). T = 20.
    data = dataset(tmp_path, contacts=[
        call("on", "2024-03-05T10:00:00", answered="2024-03-05T10:00:10",
             ended="2024-03-05T10:02:00"),
        call("late", "2024-03-05T10:00:00", answered="2024-03-05T10:00:40",
             ended="2024-03-05T10:02:00"),
        call("short", "2024-03-05T10:00:00", abandoned="2024-03-05T10:00:03"),
        call("within", "2024-03-05T10:00:00", abandoned="2024-03-05T10:00:15"),
        call("after", "2024-03-05T10:00:00", abandoned="2024-03-05T10:01:00"),
    ])
    expected = {
        "offered": 1 / 4,                 # 1 / (5 − 1 short)
        "answered": 1 / 2,
        "answered_abandoned": 2 / 4,      # (1 + 1 within) / (2 + 3 − 1 short)
        "exclude_early_abandons": 1 / 3,  # 1 / (5 − 2 within T incl. the short one)
    }
    for variant, value in expected.items():
        row = one(data, engine, ["service_level"],
                  params={"service_level.variant": variant, "threshold_seconds": 20})
        assert row["service_level"] == pytest.approx(value), variant
    kept = one(data, engine, ["service_level"],
               params={"exclude_short_abandons": "false", "threshold_seconds": 20})
    assert kept["service_level"] == pytest.approx(1 / 5)
    assert one(data, engine, ["avg_abandon_time"])["avg_abandon_time"] == 37.5


def test_discrete_pending_on_time_and_vlna(tmp_path: Path, engine: str) -> None:
    # Social, T = 3600, as-of 12:00: answered after 30 min (on time), pending 20 min (left
    # out), pending 2 h (VLNA, 1 h late). SL 1/2; pending_on_time 2/3; ATL 3600.
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T09:00:00", channel="social", answered="2024-03-05T09:30:00",
             ended="2024-03-05T09:30:00"),
        call("b", "2024-03-05T11:40:00", channel="social"),
        call("c", "2024-03-05T10:00:00", channel="social"),
    ])
    row = one(data, engine, ["service_level", "avg_time_late"], as_of="2024-03-05T12:00:00Z")
    assert row == {"service_level": 0.5, "avg_time_late": 3600.0}
    pot = one(data, engine, ["service_level"], as_of="2024-03-05T12:00:00Z",
              params={"pending_on_time": "true"})
    assert pot["service_level"] == pytest.approx(2 / 3)


def test_channel_mode_and_threshold_from_config(tmp_path: Path, engine: str) -> None:
    # The same chat contacts, treated as discrete with a 30 s threshold by config.
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T10:00:00", channel="chat", answered="2024-03-05T10:00:25",
             ended="2024-03-05T10:05:00"),
        call("b", "2024-03-05T10:00:00", channel="chat", abandoned="2024-03-05T10:00:50"),
    ])
    default = one(data, engine, ["service_level", "abandon_rate"])
    assert default == {"service_level": 0.5, "abandon_rate": 0.5}  # chat T = 60
    config = tmp_path / "omnikpi.toml"
    config.write_text('[channels.chat]\nmode = "discrete"\nthreshold_seconds = 30\n')
    row = one(data, engine, ["service_level", "abandon_rate"], config=config)
    assert row == {"service_level": 1.0, "abandon_rate": None}  # abandon not in discrete SL
