"""Whose site and tenant agent time belongs to (catalog v1.2), and reports that need only
the tables they read — hand-computed, on every engine.

Agents (all times UTC):
- a1: own site ``kyiv`` on its states, no tenant; roster: site lviv, tenant bank →
  site kyiv (its own column wins), tenant bank (from the roster).
- a2: nothing on its states; roster lviv/telco until 2024-03-04, then odesa/bank from
  2024-03-05 (rehired) → its 4 March time is lviv/telco, its 5 March time odesa/bank.
- a3: nothing on its states, no roster row → no site, no tenant.

States, 5 March: a1 available 10:00–10:30 (1800 s), handling 10:30–11:00 (1800 s);
a2 available 10:00–10:40 (2400 s), not_ready 10:40–10:45, handling 10:45–11:00 (900 s);
a3 handling 10:00–10:20 (1200 s), available 10:20–11:00 (2400 s). 4 March: a2 handling
12:00–12:30 (1800 s). Occupancy = handling / (available + handling):
a1 1800/3600; a2 (5 March) 900/3300; a3 1200/3600; a2 (4 March) 1800/1800.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnikpi
from omnikpi.errors import DataError

from ..builders import dataset


def state(agent: str, kind: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"agent_id": agent, "state": kind, "start": start, "end": end, **extra}


STATES = [
    state("a1", "available", "2024-03-05T10:00:00Z", "2024-03-05T10:30:00Z", site="kyiv"),
    state("a1", "handling", "2024-03-05T10:30:00Z", "2024-03-05T11:00:00Z", site="kyiv"),
    state("a2", "handling", "2024-03-04T12:00:00Z", "2024-03-04T12:30:00Z"),
    state("a2", "available", "2024-03-05T10:00:00Z", "2024-03-05T10:40:00Z"),
    state("a2", "not_ready", "2024-03-05T10:40:00Z", "2024-03-05T10:45:00Z", reason="break"),
    state("a2", "handling", "2024-03-05T10:45:00Z", "2024-03-05T11:00:00Z"),
    state("a3", "handling", "2024-03-05T10:00:00Z", "2024-03-05T10:20:00Z"),
    state("a3", "available", "2024-03-05T10:20:00Z", "2024-03-05T11:00:00Z"),
]
ROSTER = [
    {"agent_id": "a1", "hired_on": "2023-06-01", "site": "lviv", "tenant": "bank"},
    {"agent_id": "a2", "hired_on": "2024-01-01", "left_on": "2024-03-04",
     "leave_type": "internal_move", "site": "lviv", "tenant": "telco"},
    {"agent_id": "a2", "hired_on": "2024-03-05", "site": "odesa", "tenant": "bank"},
]


@pytest.fixture
def agents_only(tmp_path: Path) -> Path:
    """An agent-state log and a roster: no contacts at all (a WFM or PBX agent log)."""
    return dataset(tmp_path / "agents", agent_states=STATES, roster=ROSTER)


def by(data: Path, engine: str, dimension: str | None, **kwargs: Any) -> dict[Any, float]:
    rows = omnikpi.report_result(data, engine=engine, metrics=["occupancy"],
                                 by=[dimension] if dimension else [], **kwargs).rows
    return {r.get(dimension) if dimension else "total": r["occupancy"] for r in rows}


def test_agent_time_by_site_and_tenant(agents_only: Path, engine: str) -> None:
    assert by(agents_only, engine, "site") == pytest.approx(
        {"kyiv": 1800 / 3600, "odesa": 900 / 3300, "lviv": 1800 / 1800, None: 1200 / 3600})
    assert by(agents_only, engine, "tenant") == pytest.approx(
        {"bank": (1800 + 900) / (3600 + 3300), "telco": 1.0, None: 1200 / 3600})
    # the total pools every site's time (not an average of the sites' ratios)
    assert by(agents_only, engine, None) == pytest.approx(
        {"total": (1800 + 900 + 1200 + 1800) / (3600 + 3300 + 3600 + 1800)})


def test_agent_time_filtered_by_site_and_tenant(agents_only: Path, engine: str) -> None:
    assert by(agents_only, engine, None, where={"site": ["odesa"]}) == pytest.approx(
        {"total": 900 / 3300})
    assert by(agents_only, engine, None, where={"tenant": ["bank"]}) == pytest.approx(
        {"total": 2700 / 6900})


def test_utilization_without_activities_and_shift_site_from_the_roster(
        tmp_path: Path, engine: str) -> None:
    # a2's shift 10:00–11:00 on 5 March has no site of its own: the roster's odesa/bank.
    # No shift_activities table: no unpaid time. Used = available 2400 + handling 900.
    data = dataset(tmp_path, agent_states=STATES, roster=ROSTER, shifts=[
        {"agent_id": "a2", "start": "2024-03-05T10:00:00Z", "end": "2024-03-05T11:00:00Z"}])
    rows = omnikpi.report_result(data, engine=engine, metrics=["utilization"],
                                 by=["site", "tenant"]).rows
    assert rows == [{"site": "odesa", "tenant": "bank",
                     "utilization": pytest.approx(3300 / 3600)}]


def test_unpaid_time_outside_the_paid_shift_takes_nothing_off(
        tmp_path: Path, engine: str) -> None:
    """ShiftPaidTime is paid shifts minus the unpaid activities *inside* them. u1's unpaid
    lunch 16:30–17:30 runs past the 09:00–17:00 shift: only 30 min come off (paid time
    27 000 s); u2's day of unpaid leave on 2 March has no shift: nothing comes off. Both
    agents were available the whole of their paid time: utilization 1.0 and shrinkage 0
    (before, u1 showed 1.07 and u2 nothing, 28 800 − 28 800 s leaving no paid time)."""
    day = "2024-03-0{}T{}:00Z"
    data = dataset(tmp_path, shifts=[
        {"agent_id": a, "start": day.format(1, "09:00"), "end": day.format(1, "17:00"),
         "paid": "true"} for a in ("u1", "u2")], shift_activities=[
        {"agent_id": "u1", "activity": "work", "start": day.format(1, "09:00"),
         "end": day.format(1, "16:30"), "paid": "true"},
        {"agent_id": "u1", "activity": "lunch", "start": day.format(1, "16:30"),
         "end": day.format(1, "17:30"), "paid": "false"},
        {"agent_id": "u2", "activity": "work", "start": day.format(1, "09:00"),
         "end": day.format(1, "17:00"), "paid": "true"},
        {"agent_id": "u2", "activity": "unpaid_leave", "start": day.format(2, "09:00"),
         "end": day.format(2, "17:00"), "paid": "false"}], agent_states=[
        state("u1", "available", day.format(1, "09:00"), day.format(1, "17:00")),
        state("u1", "logged_out", day.format(1, "17:00"), day.format(1, "18:00")),
        state("u2", "available", day.format(1, "09:00"), day.format(1, "17:00")),
        state("u2", "logged_out", day.format(2, "09:00"), day.format(2, "17:00"))])
    rows = omnikpi.report_result(data, engine=engine, metrics=["utilization", "shrinkage"],
                                 by=["agent_id"]).rows
    assert rows == [{"agent_id": a, "utilization": pytest.approx(1.0), "shrinkage": 0.0}
                    for a in ("u1", "u2")]


def test_a_metric_needing_an_absent_table_names_it(agents_only: Path) -> None:
    with pytest.raises(DataError, match="needs the table 'contacts'"):
        omnikpi.report_result(agents_only, metrics=["offered"])
    with pytest.raises(DataError, match="needs the table 'shifts'"):
        omnikpi.report_result(agents_only, metrics=["adherence"])


def test_default_report_of_an_agent_log(agents_only: Path) -> None:
    """No metric named: the standard metrics that its tables allow (no contact metric)."""
    row = omnikpi.report_result(agents_only).rows[0]
    assert row["occupancy"] == pytest.approx(5700 / 12300)
    assert "offered" not in row
    states = omnikpi.report_result(agents_only, metrics=["time_in_state"], by=["site"]).rows
    odesa = {(r["state"], r["reason"]): r["time_in_state"] for r in states
             if r["site"] == "odesa"}
    assert odesa == {("available", None): 2400.0, ("not_ready", "break"): 300.0,
                     ("handling", None): 900.0}


def test_default_as_of_is_the_latest_event_of_the_tables_read(
        tmp_path: Path, engine: str) -> None:
    # The last contact ends 10:05; its survey is answered at 12:00 the same day. The
    # default as-of is 12:00 (surveys are read), so the answer counts: CSAT 4/5 → 1 of 1.
    data = dataset(tmp_path, contacts=[
        {"contact_id": "c1", "channel": "voice", "queue": "q", "arrived_at":
         "2024-03-05T10:00:00Z", "accepted_at": "2024-03-05T10:00:10Z",
         "first_response_at": "2024-03-05T10:00:10Z", "ended_at": "2024-03-05T10:05:00Z"}],
        surveys=[{"contact_id": "c1", "survey": "csat", "score": 4, "scale_min": 1,
                  "scale_max": 5, "answered_at": "2024-03-05T12:00:00Z"}])
    row = omnikpi.report_result(data, engine=engine, metrics=["csat", "offered"]).rows[0]
    assert row == {"csat": 1.0, "offered": 1}
    cut = omnikpi.report_result(data, engine=engine, metrics=["csat"],
                                as_of="2024-03-05T11:00:00Z").rows
    assert cut == [{"csat": None}]  # an as-of before the answer: no answer, no CSAT


def test_a_schedule_next_week_does_not_move_the_as_of(tmp_path: Path) -> None:
    """Plans are not events: a shift planned after the last state leaves the as-of at the
    last state's end, so a state still open then is not stretched to next week."""
    data = dataset(tmp_path, agent_states=STATES, shifts=[
        {"agent_id": "a1", "start": "2024-03-12T10:00:00Z", "end": "2024-03-12T18:00:00Z"}])
    from omnikpi.schema.dataset import load_dataset

    loaded = load_dataset(data)
    assert loaded.latest_event_us(("agent_states", "shifts")) == \
        loaded.latest_event_us(("agent_states",))


def test_time_available_for_email_is_not_time_available_for_calls(tmp_path: Path,
                                                                  engine: str) -> None:
    """e1, 12 March: available for e-mail 06:00–07:00, handling and hold on e-mail
    07:00–07:40, available for voice 07:40–08:40, handling + hold + ACW on voice
    08:40–09:30. Occupancy is continuous work over the time available for it:
    WorkloadRT = 50 min, ActiveTimeRT = 50 + 60 = 110 min → 50/110, on the voice row and
    for the agent; e-mail has no continuous time (no figure). The hour available for
    e-mail counted: 50/170 for the agent, 0 for e-mail."""
    e1 = [state("e1", "available", "2024-03-12T06:00:00Z", "2024-03-12T07:00:00Z",
                channel="email"),
          state("e1", "handling", "2024-03-12T07:00:00Z", "2024-03-12T07:30:00Z",
                channel="email"),
          state("e1", "hold", "2024-03-12T07:30:00Z", "2024-03-12T07:40:00Z",
                channel="email"),
          state("e1", "available", "2024-03-12T07:40:00Z", "2024-03-12T08:40:00Z",
                channel="voice"),
          state("e1", "handling", "2024-03-12T08:40:00Z", "2024-03-12T09:10:00Z",
                channel="voice"),
          state("e1", "hold", "2024-03-12T09:10:00Z", "2024-03-12T09:20:00Z",
                channel="voice"),
          state("e1", "acw", "2024-03-12T09:20:00Z", "2024-03-12T09:30:00Z",
                channel="voice")]
    data = dataset(tmp_path / "email", agent_states=e1)
    assert by(data, engine, None) == {"total": pytest.approx(50 / 110)}
    assert by(data, engine, "channel") == {"voice": pytest.approx(50 / 110), "email": None}


def test_unpaid_scheduled_work_is_no_shrinkage_of_paid_time(tmp_path: Path,
                                                            engine: str) -> None:
    """m8, 12 March: a paid shift 06:00–14:00 worked whole (available throughout), and an
    unpaid overtime slot 15:00–17:00 of work it did not work. Shrinkage is paid time not
    available / paid time = 0 / 480 min; the unpaid slot read 120 / 480 = 25 %. Had the
    slot been paid, its two hours would be unplanned shrinkage: 120 / 600."""
    shifts = [{"agent_id": "m8", "start": "2024-03-12T06:00:00Z",
               "end": "2024-03-12T14:00:00Z", "paid": True},
              {"agent_id": "m8", "start": "2024-03-12T15:00:00Z",
               "end": "2024-03-12T17:00:00Z", "paid": False}]
    slot = {"agent_id": "m8", "activity": "work", "start": "2024-03-12T15:00:00Z",
            "end": "2024-03-12T17:00:00Z", "paid": False}
    states = [state("m8", "available", "2024-03-12T06:00:00Z", "2024-03-12T14:00:00Z")]
    unpaid = dataset(tmp_path / "unpaid", shifts=shifts, shift_activities=[slot],
                     agent_states=states)
    row = omnikpi.report_result(unpaid, engine=engine, metrics=["shrinkage"]).rows[0]
    assert row["shrinkage"] == 0.0
    paid = dataset(tmp_path / "paid", shifts=[shifts[0], {**shifts[1], "paid": True}],
                   shift_activities=[{**slot, "paid": True}], agent_states=states)
    row = omnikpi.report_result(paid, engine=engine, metrics=["shrinkage"]).rows[0]
    assert row["shrinkage"] == pytest.approx(120 / 600)
