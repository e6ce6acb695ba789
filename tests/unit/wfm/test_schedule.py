"""Schedules: an exact hand-made cover, adherence over a schedule computed by hand, and the
demo scenario (coverage, break windows, weekly days, days off, availability, rest)."""

from __future__ import annotations

import csv
import itertools
import json
import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import omnikpi
from omnikpi.api import report
from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.errors import UsageError
from omnikpi.wfm.schedule import build_schedule, read_plan, rules_from_toml, schedule_tables
from omnikpi.wfm.schedule.inputs import Agent, numbered_agents, read_agents, requirement
from omnikpi.wfm.schedule.rules import ActivityRule, ShiftRules, rules_from_options
from omnikpi.wfm.schedule.tables import (
    ACTIVITY_COLUMNS,
    SHIFT_COLUMNS,
    coverage,
    csv_text,
    move_activity,
    scheduled_work,
    stamp,
    under_over,
    write_schedule,
)

CASE = Path(__file__).parent / "schedule_demo"
DAY = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday


def _at(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


def _work(folder: Path, shifts: list[dict[str, object]],
          activities: list[dict[str, object]]) -> list[tuple[datetime, datetime]]:
    """The scheduled work of these rows, read back from the canonical tables as the
    schedule page reads it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "shifts.csv").write_text(
        csv_text([{"tenant": "", "site": "", **s} for s in shifts], SHIFT_COLUMNS),
        encoding="utf-8")
    (folder / "shift_activities.csv").write_text(csv_text(activities, ACTIVITY_COLUMNS),
                                                 encoding="utf-8")
    return scheduled_work(omnikpi.load_dataset(folder))


def test_exact_cover_by_hand(tmp_path: Path) -> None:
    """Need 1, 2, 2, 1 agents 09–13 and 2-hour shifts starting 9, 10 or 11: the only
    schedule without a gap or surplus is one shift at each start."""
    req = requirement([("", _at(9 + i), n) for i, n in enumerate([1, 2, 2, 1])])
    rules = ShiftRules(shift_minutes=(120,), start_from_minutes=540, start_to_minutes=660,
                       start_step_minutes=60, activities=())
    schedule = build_schedule(req, numbered_agents(3), rules, 10, 1)
    assert (schedule.status, schedule.under, schedule.over, schedule.gap) == \
        ("optimal", 0, 0, 0)
    shifts, activities = schedule_tables(schedule)
    assert sorted((s["start"], s["end"]) for s in shifts) == [
        ("2024-03-04T09:00:00Z", "2024-03-04T11:00:00Z"),
        ("2024-03-04T10:00:00Z", "2024-03-04T12:00:00Z"),
        ("2024-03-04T11:00:00Z", "2024-03-04T13:00:00Z")]
    assert all(a["activity"] == "work" for a in activities) and len(activities) == 3
    points = coverage(_work(tmp_path, shifts, activities), 60,
                      {_at(9 + i): n for i, n in enumerate([1, 2, 2, 1])})
    assert [p.scheduled for p in points] == [1, 2, 2, 1]


def test_coverage_of_a_schedule_exported_in_layers(tmp_path: Path) -> None:
    """Agents on work per hour, by hand. A: paid 09–13, a work block over the whole shift
    with a training 10–11, a break 10:30–10:45 laid over the training and a lunch
    12:00–12:30 — the break inside the training is not taken off twice. B: paid 09–11
    with its break 09:30–09:45 only (the rest is work). C: an unpaid shift 11–12.
    09h: A 1 + B 0.75; 10h: A 0 + B 1; 11h: A 1; 12h: A 0.5."""
    def row(agent: str, activity: str, start: float, end: float) -> dict[str, object]:
        return {"agent_id": agent, "activity": activity, "start": stamp(_at(start)),
                "end": stamp(_at(end)), "paid": "true"}

    shifts = [{"agent_id": "A", "start": stamp(_at(9)), "end": stamp(_at(13)), "paid": "true"},
              {"agent_id": "B", "start": stamp(_at(9)), "end": stamp(_at(11)), "paid": "true"},
              {"agent_id": "C", "start": stamp(_at(11)), "end": stamp(_at(12)),
               "paid": "false"}]
    activities = [row("A", "work", 9, 13), row("A", "training", 10, 11),
                  row("A", "break", 10.5, 10.75), row("A", "lunch", 12, 12.5),
                  row("B", "break", 9.5, 9.75)]
    work = _work(tmp_path, shifts, activities)
    points = coverage(work, 60, {_at(9 + i): 1 for i in range(4)})
    assert [(p.interval_start, p.scheduled) for p in points] == [
        (_at(9), 1.75), (_at(10), 1.0), (_at(11), 1.0), (_at(12), 0.5)]
    assert under_over(points) == (0.5, 0.75)
    # only the stretches that touch the window asked for
    day = omnikpi.load_dataset(tmp_path)
    assert scheduled_work(day, within=(_at(12.25), _at(13))) == [(_at(12.5), _at(13))]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One agent, 09:00–11:00 with a break fixed at 09:45, and what they actually did:
    available 09:00–09:50, on break 09:50–10:05, available 10:05–11:00."""
    req = requirement([("", _at(9 + i / 4), 1) for i in range(8)])
    rules = ShiftRules(shift_minutes=(120,), start_from_minutes=540, start_to_minutes=540,
                       activities=(ActivityRule("break", 15, 45, 45, True),))
    schedule = build_schedule(req, numbered_agents(1), rules, 10, 1)
    assert (schedule.under, schedule.over) == (1, 0)  # the break's quarter hour
    folder = tmp_path_factory.mktemp("small")
    write_schedule(schedule, folder)
    (folder / "agent_states.csv").write_text(
        "agent_id,state,reason,start,end\n"
        "agent-001,available,,2024-03-04T09:00:00Z,2024-03-04T09:50:00Z\n"
        "agent-001,not_ready,break,2024-03-04T09:50:00Z,2024-03-04T10:05:00Z\n"
        "agent-001,available,,2024-03-04T10:05:00Z,2024-03-04T11:00:00Z\n", encoding="utf-8")
    (folder / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at\nc1,voice,q,2024-03-04T09:10:00Z\n",
        encoding="utf-8")
    return folder


def test_adherence_over_a_schedule_by_hand(small: Path) -> None:
    """Scheduled: work 45 min, break 15, work 60. Matching: 45 + 10 (break from 09:50)
    + 55 (work from 10:05) = 110 of 120 minutes."""
    rows = list(csv.DictReader((small / "shift_activities.csv").open(encoding="utf-8")))
    assert [(r["activity"], r["start"][11:16], r["end"][11:16], r["paid"]) for r in rows] == [
        ("work", "09:00", "09:45", "true"), ("break", "09:45", "10:00", "true"),
        ("work", "10:00", "11:00", "true")]
    frame = report(small, ["adherence", "conformance"])
    assert frame["adherence"].iloc[0] == pytest.approx(110 / 120)
    # worked 50 + 55 minutes of the 45 + 60 scheduled for work
    assert frame["conformance"].iloc[0] == pytest.approx(105 / 105)


def test_move_a_break_by_hand(small: Path, tmp_path: Path) -> None:
    shifts = list(csv.DictReader((small / "shifts.csv").open(encoding="utf-8")))
    acts = list(csv.DictReader((small / "shift_activities.csv").open(encoding="utf-8")))
    moved, placed = move_activity(shifts, acts, "agent-001", _at(9.75), _at(10.5))
    assert placed["start"] == "2024-03-04T10:30:00Z"
    assert [(r["activity"], r["start"][11:16], r["end"][11:16]) for r in moved] == [
        ("work", "09:00", "10:30"), ("break", "10:30", "10:45"), ("work", "10:45", "11:00")]
    need = {_at(9 + i / 4): 1 for i in range(8)}
    assert [p.scheduled for p in coverage(_work(tmp_path, shifts, moved), 15, need)] == \
        [1] * 6 + [0, 1]
    with pytest.raises(UsageError, match="inside the shift"):
        move_activity(shifts, acts, "agent-001", _at(9.75), _at(10.9))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    req = read_plan(CASE / "plan.csv")
    rules = rules_from_toml(CASE / "rules.toml", rules_from_options(8, "07:00-12:00", 30, 30))
    schedule = build_schedule(req, read_agents(CASE / "agents.csv"), rules, 30, 2)
    folder = tmp_path_factory.mktemp("demo")
    for name in ("contacts.csv", "agent_states.csv"):
        shutil.copy(DEMO_DATA_DIR / name, folder / name)
    write_schedule(schedule, folder)
    return schedule, folder


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader((folder / name).open(encoding="utf-8")))


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_demo_schedule_covers_the_requirement(demo: tuple[object, Path]) -> None:
    schedule, folder = demo
    need = {_t(r["interval_start"]): int(r["agents_required"])
            for r in _rows(CASE, "plan.csv")}
    points = coverage(scheduled_work(omnikpi.load_dataset(folder)), 30, need)
    assert under_over(points)[0] == 0
    assert all(p.scheduled >= p.required for p in points if p.required is not None)
    assert schedule.under == 0  # type: ignore[attr-defined]
    assert under_over(points)[1] == pytest.approx(schedule.over)  # type: ignore[attr-defined]


def test_a_days_work_is_the_whole_schedules_work_on_that_day(
        demo: tuple[object, Path], tmp_path: Path) -> None:
    """The page asks for one day and the engine reads only the rows near it: the same
    stretches as the whole schedule's that touch the day — on the demo's week and on a
    layered schedule with a shift over midnight and a three-day absence over it."""
    layered = tmp_path / "layered"
    _work(layered, [{"agent_id": "N", "start": stamp(_at(20)), "end": stamp(_at(28)),
                     "paid": "true"},
                    {"agent_id": "N", "start": stamp(_at(44)), "end": stamp(_at(52)),
                     "paid": "true"}],
          [{"agent_id": "N", "activity": "break", "start": stamp(_at(23.5)),
            "end": stamp(_at(24.5)), "paid": "true"},
           {"agent_id": "N", "activity": "vacation", "start": stamp(_at(40)),
            "end": stamp(_at(112)), "paid": "true"},
           {"agent_id": "N", "activity": "work", "start": stamp(_at(44)),
            "end": stamp(_at(46)), "paid": "true"}])
    for folder in (demo[1], layered):
        dataset = omnikpi.load_dataset(folder)
        whole = scheduled_work(dataset)
        assert whole
        first = whole[0][0].replace(hour=0, minute=0, second=0, microsecond=0)
        for n in range(-1, 8):
            day = (first + timedelta(days=n), first + timedelta(days=n + 1))
            assert scheduled_work(dataset, within=day) == sorted(
                w for w in whole if w[1] > day[0] and w[0] < day[1]), (folder, day)
    # the work row is shorter than the absence, so on top of it; the rest of the second
    # shift is the absence, which covers it though it began before it (an activity
    # claims the part of every shift it overlaps: docs/decisions.md)
    assert scheduled_work(omnikpi.load_dataset(layered)) == [
        (_at(20), _at(23.5)), (_at(24.5), _at(28)), (_at(44), _at(46))]


def test_demo_schedule_keeps_the_rules(demo: tuple[object, Path]) -> None:
    _, folder = demo
    shifts = _rows(folder, "shifts.csv")
    acts = _rows(folder, "shift_activities.csv")
    assert list(shifts[0]) == ["agent_id", "start", "end", "paid", "site", "tenant"]
    assert list(acts[0]) == ["agent_id", "activity", "start", "end", "paid"]
    days: dict[str, list[datetime]] = defaultdict(list)
    windows = {"break": [(90, 150), (330, 390)], "lunch": [(195, 255)]}
    for s in shifts:
        start, end = _t(s["start"]), _t(s["end"])
        assert end - start == timedelta(hours=8)
        assert timedelta(hours=6) <= start - start.replace(hour=0, minute=0) <= \
            timedelta(hours=10.5)
        days[s["agent_id"]].append(start)
        mine = [a for a in acts if a["agent_id"] == s["agent_id"]
                and start <= _t(a["start"]) < end]
        assert sum((_t(a["end"]) - _t(a["start"]) for a in mine), timedelta()) == \
            timedelta(hours=8)  # activities tile the shift
        breaks = sorted((a for a in mine if a["activity"] != "work"),
                        key=lambda a: a["start"])
        assert [a["activity"] for a in breaks] == ["break", "lunch", "break"]
        seen = {"break": 0, "lunch": 0}
        for a in breaks:
            after = (_t(a["start"]) - start) / timedelta(minutes=1)
            lo, hi = windows[a["activity"]][seen[a["activity"]]]
            seen[a["activity"]] += 1
            assert lo <= after <= hi, (s, a)
            assert a["paid"] == ("false" if a["activity"] == "lunch" else "true")
    assert len(days) == 33  # everyone works
    paid: dict[str, timedelta] = defaultdict(timedelta)
    for a in acts:
        if a["paid"] == "true":
            paid[a["agent_id"]] += _t(a["end"]) - _t(a["start"])
    # weekly hours: 1–3 days (a 3-day part of a 5-day week) of 7.5 paid hours
    assert all(timedelta(hours=7.5) <= p <= timedelta(hours=22.5) for p in paid.values())
    assert all(p == timedelta(hours=7.5) * len(days[agent]) for agent, p in paid.items())
    for _agent, starts in days.items():
        assert 1 <= len(starts) <= 3 and len({d.date() for d in starts}) == len(starts)
        ordered = sorted(starts)
        for a, b in itertools.pairwise(ordered):
            assert b - (a + timedelta(hours=8)) >= timedelta(hours=11)
    assert all(d.weekday() != 1 for d in days["relief-12"])  # Tuesdays off
    assert all(d.hour == 6 for d in days["relief-11"])  # ends by 14:00
    assert {s["site"] for s in shifts if s["agent_id"].startswith("sales")} == {"kyiv"}


def _hand_adherence(folder: Path) -> float:
    states: dict[str, list[tuple[datetime, datetime, str, str]]] = defaultdict(list)
    for r in _rows(folder, "agent_states.csv"):
        states[r["agent_id"]].append((_t(r["start"]), _t(r["end"]), r["state"], r["reason"]))
    matched = scheduled = 0.0
    for a in _rows(folder, "shift_activities.csv"):
        s, e = _t(a["start"]), _t(a["end"])
        scheduled += (e - s).total_seconds()
        for s2, e2, state, reason in states[a["agent_id"]]:
            ok = state in ("available", "handling", "acw", "hold") if a["activity"] == "work" \
                else state == "not_ready" and reason.lower() == a["activity"]
            if ok and s2 < e and s < e2:
                matched += (min(e, e2) - max(s, s2)).total_seconds()
    return matched / scheduled


def test_adherence_over_the_demo_schedule(demo: tuple[object, Path]) -> None:
    """The demo's agent states against the generated schedule: the engine's adherence
    equals a plain interval intersection."""
    _, folder = demo
    # as of the end of the plan: by default the report stops at the data's last instant
    value = report(folder, ["adherence"], as_of="2024-03-07T00:00:00Z")["adherence"].iloc[0]
    assert 0.3 < value < 1
    assert value == pytest.approx(_hand_adherence(folder), abs=1e-9)


def test_cli_json_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    plan = tmp_path / "plan.csv"
    plan.write_text("interval_start,agents_required\n" + "".join(
        f"2024-03-04T{h:02d}:00:00Z,{n}\n" for h, n in zip(range(9, 13), [1, 2, 2, 1],
                                                              strict=True)), encoding="utf-8")
    result = runner.invoke(app, ["wfm", "schedule", "--plan", str(plan), "--agents", "3",
                                 "--out", str(tmp_path / "out"), "--shift-hours", "2",
                                 "--start-between", "09:00-11:00", "--start-step", "60",
                                 "--lunch-minutes", "0", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["status"] in ("optimal", "feasible") and out["gap"] >= 0
    # one 15-minute break per 2-hour shift: 3 shifts, 3 agent-quarter-hours short
    assert (out["under"], out["over"]) == (0.75, 0)
    assert (tmp_path / "out" / "shifts.csv").read_text().count("\n") == 4
    bad = runner.invoke(app, ["wfm", "schedule", "--plan", str(plan), "--agents", "3",
                              "--out", str(tmp_path / "o2"), "--start-between", "12-9"])
    assert bad.exit_code == 2 and "--start-between" in bad.output


def test_skills_go_where_only_they_can() -> None:
    """Skill a and skill b each need one agent 09–11; x has a, y has a and b: y must
    take b."""
    rows = [(k, _at(9 + h), 1) for k in ("a", "b") for h in (0, 1)]
    rules = ShiftRules(shift_minutes=(120,), start_from_minutes=540, start_to_minutes=540,
                       activities=())
    agents = [Agent("x", skills=("a",)), Agent("y", skills=("a", "b"))]
    schedule = build_schedule(requirement(rows), agents, rules, 10, 1)
    assert {s.agent.agent_id: s.skill for s in schedule.shifts} == {"x": "a", "y": "b"}
    assert (schedule.under, schedule.over) == (0, 0)
    assert schedule.coverage == {("a", 540): 1, ("a", 600): 1, ("b", 540): 1, ("b", 600): 1}


def test_weekend_shifts_are_spread_fairly() -> None:
    """A week needing 2 agents 09–10 every day, 4 agents on 5 days each: the 4 weekend
    shifts go one to each agent."""
    rows = [("", _at(24 * d + 9), 2) for d in range(7)]
    rules = ShiftRules(shift_minutes=(60,), start_from_minutes=540, start_to_minutes=540,
                       activities=())
    schedule = build_schedule(requirement(rows), numbered_agents(4), rules, 10, 1)
    assert schedule.under == 0 and schedule.over == 6  # 20 shifts for 14 needed
    days: dict[str, list[int]] = defaultdict(list)
    for s in schedule.shifts:
        days[s.agent.agent_id].append(s.start_minutes // 1440)
    assert sorted(len(v) for v in days.values()) == [5, 5, 5, 5]
    assert sorted(sum(1 for d in v if d >= 5) for v in days.values()) == [1, 1, 1, 1]


def test_rules_no_one_can_keep_exit_3(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("interval_start,agents_required\n" + "".join(
        f"2024-03-{4 + d:02d}T09:00:00Z,1\n" for d in range(7)), encoding="utf-8")
    agents = tmp_path / "agents.csv"
    agents.write_text("agent_id,days_off,min_weekly_hours\nz,mon;tue;wed,40\n",
                      encoding="utf-8")
    result = CliRunner().invoke(app, ["wfm", "schedule", "--plan", str(plan), "--agents",
                                      str(agents), "--out", str(tmp_path / "o")])
    assert result.exit_code == 3 and "weekly hours" in result.output, result.output


def test_a_preferred_start_is_kept_when_coverage_allows() -> None:
    """One agent needed 12:00–13:00; every start 07:00–12:00 covers it: the agent's
    preferred 11:00 wins."""
    rules = ShiftRules(start_from_minutes=420, start_to_minutes=720, activities=())
    agents = [Agent("p", preferred_start_minutes=660)]
    schedule = build_schedule(requirement([("", _at(12), 1)]), agents, rules, 10, 1)
    assert [(s.start_minutes, s.end_minutes) for s in schedule.shifts] == [(660, 1140)]


def test_a_folder_holding_another_schedule_is_refused(tmp_path: Path) -> None:
    (tmp_path / "shifts.parquet").write_bytes(b"PAR1")
    req = requirement([("", _at(9), 1)])
    rules = ShiftRules(shift_minutes=(60,), start_from_minutes=540, start_to_minutes=540,
                       activities=())
    with pytest.raises(UsageError, match=r"shifts\.parquet"):
        write_schedule(build_schedule(req, numbered_agents(1), rules, 5, 1), tmp_path)
    assert not (tmp_path / "shifts.csv").exists()


def test_a_night_shift_runs_past_midnight() -> None:
    req = requirement([("", _at(23), 1), ("", _at(24), 1)])
    rules = ShiftRules(shift_minutes=(120,), start_from_minutes=23 * 60,
                       start_to_minutes=23 * 60, activities=())
    schedule = build_schedule(req, numbered_agents(1), rules, 5, 1)
    shifts, _ = schedule_tables(schedule)
    assert [(s["start"], s["end"]) for s in shifts] == [
        ("2024-03-04T23:00:00Z", "2024-03-05T01:00:00Z")]
    assert (schedule.under, schedule.over) == (0, 0)
