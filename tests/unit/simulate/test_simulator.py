"""The simulator against queueing theory, and the guarantees of its datasets."""

from __future__ import annotations

import filecmp
import importlib.util
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.schema.dataset import load_dataset
from omnikpi.simulate import load_scenario, simulate
from omnikpi.simulate.output import tables, write
from omnikpi.simulate.scenario import Scenario
from omnikpi.wfm.erlang import erlang_a, erlang_c

ROOT = Path(__file__).resolve().parents[3]
ERLANG_C = ROOT / "scenarios" / "erlang_c.toml"
DEMO = ROOT / "scenarios" / "demo.toml"


def long_run(patience: float | None, hours: float = 1000) -> Scenario:
    scenario = load_scenario(ERLANG_C)
    queue = scenario.queues[0].model_copy(update={"patience_seconds": patience})
    return scenario.model_copy(update={"duration_hours": hours, "queues": [queue]})


def test_erlang_c_is_reproduced() -> None:
    """8 Erlangs on 10 agents, exponential service, infinite patience, 1000 simulated hours
    (~160,000 calls, first hour dropped as warm-up). Tolerances: SL and P(wait) ±0.02,
    ASA ±15 % (the wait distribution is heavy-tailed, its mean converges slowest)."""
    result = simulate(long_run(None))
    waits = [c.first_response - c.arrived for c in result.contacts
             if c.arrived > 3600 and c.first_response is not None]
    theory = erlang_c(8, 10, 180, 20)
    assert sum(w <= 20 for w in waits) / len(waits) == pytest.approx(theory.service_level,
                                                                     abs=0.02)
    assert sum(w > 0 for w in waits) / len(waits) == pytest.approx(theory.p_wait, abs=0.02)
    assert sum(waits) / len(waits) == pytest.approx(theory.asa_seconds, rel=0.15)


def test_erlang_a_abandonment_is_reproduced() -> None:
    """Same queue with exponential patience of mean 120 s over 1000 hours: P(abandon)
    within ±0.01 of M/M/n+M."""
    result = simulate(long_run(120.0))
    calls = [c for c in result.contacts if c.arrived > 3600]
    abandoned = sum(c.abandoned is not None for c in calls) / len(calls)
    assert abandoned == pytest.approx(erlang_a(8, 10, 180, 20, 120).p_abandon, abs=0.01)


def test_same_seed_same_bytes_and_clean_data(tmp_path: Path) -> None:
    scenario = load_scenario(DEMO)
    write(tables(simulate(scenario)), tmp_path / "a")
    write(tables(simulate(scenario)), tmp_path / "b")
    write(tables(simulate(scenario, seed=8)), tmp_path / "c")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", names, shallow=False)[0] == names
    assert not filecmp.cmp(tmp_path / "a" / "contacts.csv", tmp_path / "c" / "contacts.csv",
                           shallow=False)
    dataset = load_dataset(tmp_path / "a")  # overlapping states or reversed times would show
    assert dataset.problem_count == 0 and dataset.usable


def test_chat_capacity_and_outage_hold(tmp_path: Path) -> None:
    scenario = load_scenario(DEMO)
    result = simulate(scenario)
    chat = sorted((c.accepted, c.ended, c.agent) for c in result.contacts
                  if c.channel == "chat" and c.accepted is not None)
    for agent in {a for *_, a in chat}:
        events = sorted([(s, 1) for s, _, a in chat if a == agent]
                        + [(e, -1) for _, e, a in chat if a == agent],
                        key=lambda ev: (ev[0], ev[1]))
        running = peak = 0
        for _, delta in events:
            running += delta
            peak = max(peak, running)
        assert peak <= scenario.agent_groups[2].capacity == 4
    outage = scenario.outages[0]
    start = (outage.start - scenario.start).total_seconds()
    end = (outage.end - scenario.start).total_seconds()
    during = [c for c in result.contacts if c.queue == "webchat" and start <= c.arrived < end]
    assert during and all(c.blocked for c in during)


@pytest.mark.parametrize("routing", ["longest_idle", "round_robin", "sequential", "ring_all",
                                     "least_loaded", "skills_priority"])
def test_routing_policies(routing: str) -> None:
    scenario = load_scenario(ERLANG_C).model_copy(update={"routing": routing,
                                                          "duration_hours": 24})
    result = simulate(scenario)
    per_agent: dict[str, int] = {}
    for c in result.contacts:
        if c.agent:
            per_agent[c.agent] = per_agent.get(c.agent, 0) + 1
    counts = sorted(per_agent.values())
    assert sum(counts) > 3000
    if routing == "sequential":
        # the first agent in the list is always tried first, the last only when all busy
        assert per_agent["tier1-01"] == max(counts)
        assert per_agent["tier1-10"] == min(counts) < 0.7 * max(counts)
    if routing in ("round_robin", "longest_idle"):
        assert counts[-1] - counts[0] < 0.2 * counts[-1]  # balanced


def test_cli_run_compare_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["simulate", "--scenario", str(ERLANG_C), "--out",
                                 str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rows = omnikpi.report_result(tmp_path / "out", metrics=["offered"]).rows
    assert rows[0]["offered"] > 3000
    fewer = tmp_path / "nine.toml"
    fewer.write_text(ERLANG_C.read_text().replace("count = 10", "count = 9"))
    compared = runner.invoke(app, ["simulate", "compare", str(ERLANG_C), str(fewer)])
    assert compared.exit_code == 0 and "service_level" in compared.output
    bad = tmp_path / "bad.toml"
    bad.write_text(ERLANG_C.read_text().replace('skills = ["support"]', 'skills = ["nope"]'))
    failed = runner.invoke(app, ["simulate", "run", "--scenario", str(bad), "--out",
                                 str(tmp_path / "x")])
    assert failed.exit_code == 2 and "unknown skills nope" in failed.output
    # the Parquet run into the folder of the CSV run above left both, every row twice
    mixed = runner.invoke(app, ["simulate", "run", "--scenario", str(ERLANG_C), "--out",
                                str(tmp_path / "out"), "--format", "parquet"])
    assert mixed.exit_code == 2 and "holds tables this run would not replace (" \
        "agent_states.csv" in " ".join(mixed.output.split())
    assert not list((tmp_path / "out").glob("*.parquet"))
    again = runner.invoke(app, ["simulate", "--scenario", str(ERLANG_C), "--out",
                                str(tmp_path / "out")])  # the same run again: replaced
    assert again.exit_code == 0, again.output


def _demo_media() -> Any:
    """``scripts/make_demo_media.py``: the step of the demo's build that adds recordings
    (espeak-ng and sox render them), talk analytics and message texts."""
    spec = importlib.util.spec_from_file_location(
        "make_demo_media", ROOT / "scripts" / "make_demo_media.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_data_is_the_committed_scenario(tmp_path: Path) -> None:
    """The bundled demo is exactly what ``scripts/make_demo_data.py`` builds: the
    scenario's simulation, then the media step — byte for byte, recordings included."""
    write(tables(simulate(load_scenario(DEMO))), tmp_path)
    _demo_media().main(tmp_path)
    bundled = ROOT / "src" / "omnikpi" / "demo" / "data"
    names = sorted(p.name for p in bundled.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    files = [name for name in names if (bundled / name).is_file()]
    assert filecmp.cmpfiles(tmp_path, bundled, files, shallow=False)[0] == files
    recordings = sorted(p.name for p in (bundled / "recordings").iterdir())
    assert recordings and filecmp.cmpfiles(tmp_path / "recordings", bundled / "recordings",
                                           recordings, shallow=False)[0] == recordings


@pytest.mark.parametrize(("moment", "delay", "expected"), [
    (10.0, 2.0, 12.0),  # open the whole time
    (19 + 50 / 60, 6.0, 24 + 13 + 50 / 60),  # 10 min left today, 5 h 50 min tomorrow
    (23.0, 3.0, 24 + 11.0),  # closed: counted from 08:00
    (2.0, 1.0, 9.0),  # before opening
    (19.0, 1.0 + 1 / 3600, 24 + 8 + 1 / 3600),  # closes at 20:00 itself
    (70.0, 10.0, 72.0),  # past the run's end (72 h): the horizon, so never offered
])
def test_a_call_back_counts_the_queues_opening_hours(moment: float, delay: float,
                                                     expected: float) -> None:
    """Hours since the demo's start (midnight, Kyiv); sales is open 08:00–20:00."""
    from omnikpi.simulate.runner import Simulation

    demo = load_scenario(ROOT / "scenarios" / "demo.toml")
    simulation = Simulation(demo)
    sales, mail = demo.queues[0], demo.queues[3]
    later = simulation.open_hours_later(sales, moment * 3600, delay * 3600)
    assert later / 3600 == pytest.approx(expected)
    assert simulation.open_hours_later(mail, moment * 3600, delay * 3600) == pytest.approx(
        (moment + delay) * 3600)  # e-mail is open all day


def test_no_live_contact_arrives_while_its_queue_is_closed() -> None:
    """Repeat contacts of the demo's live queues (open 08:00–20:00 Kyiv) come in opening
    hours too: none is offered to an empty floor at night."""
    demo = load_scenario(ROOT / "scenarios" / "demo.toml")
    assert all(q.repeat_rate == 0.1 for q in demo.queues if q.channel in ("voice", "chat"))
    live = [c for c in simulate(demo).contacts if c.channel in ("voice", "chat")]
    assert len(live) > 4000
    # the scenario's clock starts at local midnight: hours since the start are local hours
    night = [c.id for c in live if not 8 <= (c.arrived / 3600) % 24 < 20]
    assert night == []


def _peak_per_agent(spans: list[tuple[float, float, str]]) -> int:
    """The most spans (start, end, agent) one agent holds at once."""
    peak = 0
    for agent in {a for *_, a in spans}:
        events = sorted([(s, 1) for s, _, a in spans if a == agent]
                        + [(e, -1) for _, e, a in spans if a == agent])
        running = 0
        for _, delta in events:
            running += delta
            peak = max(peak, running)
    return peak


def test_a_groups_chat_capacity_never_lets_an_agent_hold_two_calls() -> None:
    """``capacity`` is concurrent chat sessions. Applied to every channel, a voice group of
    capacity 3 held up to three calls per agent: SL 0.998 where Erlang C gives 0.67. Now a
    call takes the whole agent (the Erlang C figures hold whatever the capacity), and in a
    blended voice + chat group no chat starts beside a call, nor a call beside a chat."""
    scenario = long_run(None, hours=300)
    group = scenario.agent_groups[0].model_copy(update={"capacity": 3})
    result = simulate(scenario.model_copy(update={"agent_groups": [group]}))
    calls = [c for c in result.contacts if c.accepted is not None and c.ended is not None]
    assert _peak_per_agent([(c.accepted, c.ended, c.agent) for c in calls]) == 1
    waits = [c.first_response - c.arrived for c in result.contacts
             if c.arrived > 3600 and c.first_response is not None]
    assert sum(w <= 20 for w in waits) / len(waits) == pytest.approx(
        erlang_c(8, 10, 180, 20).service_level, abs=0.03)

    blended = load_scenario(DEMO)
    chat_group = blended.agent_groups[2].model_copy(update={
        "skills": [*blended.agent_groups[2].skills, blended.agent_groups[0].skills[0]]})
    mixed = simulate(blended.model_copy(update={
        "agent_groups": [*blended.agent_groups[:2], chat_group, *blended.agent_groups[3:]],
        "duration_hours": 24}))
    voice = [(c.accepted, c.ended, c.agent) for c in mixed.contacts
             if c.channel == "voice" and c.accepted is not None and c.ended is not None]
    chats = [(c.accepted, c.ended, c.agent) for c in mixed.contacts
             if c.channel == "chat" and c.accepted is not None and c.ended is not None]
    group_agents = {a.id for a in mixed.agents if a.group.name == chat_group.name}
    for start, end, agent in voice:
        if agent in group_agents:
            assert not any(a == agent and s < end and start < e for s, e, a in chats)


@pytest.mark.parametrize(("find", "replace", "said"), [
    ('shift = "', 'shift = "25:00-26:00" #', "'25:00' is not a clock time"),
    ('shift = "', 'shift = "0800" #', "'0800' is not a window"),
    ('name = "tier1"', 'name = "tier1"\nbreaks = [["12:99", "13:00"]]',
     "'12:99' is not a clock time"),
    ('name = "support"', 'name = "support"\nopen = "8-20"', "'8' is not a clock time"),
])
def test_a_bad_clock_time_in_a_scenario_is_a_usage_error(tmp_path: Path, find: str,
                                                        replace: str, said: str) -> None:
    """Each was a Python traceback (exit 1) when the simulation read the time."""
    text = ERLANG_C.read_text()
    assert find in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(find, replace, 1))
    result = CliRunner().invoke(app, ["simulate", "run", "--scenario", str(bad), "--out",
                                      str(tmp_path / "x")])
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split()) and "Traceback" not in result.output


def test_an_opening_past_midnight_is_planned_from_the_runs_start() -> None:
    """A queue open 20:00-08:00 in a run starting at midnight: contacts arrive from 00:00,
    but the planned availability began at 20:00 (the window from the day before was
    missing), so the blocked time rate undercounted planned time."""
    from omnikpi.simulate.scenario import parse_scenario

    scenario = parse_scenario('''
seed = 1
start = "2024-01-01T00:00:00+00:00"
duration_hours = 24
[[queues]]
name = "night"
arrivals_per_hour = 20
aht_seconds = 120
open = "20:00-08:00"
[[agent_groups]]
name = "g"
count = 2
skills = ["night"]
shift = "00:00-24:00"
''', "night.toml")
    planned = [(r["start"], r["end"]) for r in tables(simulate(scenario))["availability"]
               if r["status"] == "planned"]
    assert [(s[11:16], e[11:16]) for s, e in planned] == [("00:00", "08:00"),
                                                          ("20:00", "00:00")]


def test_max_queue_0_is_erlang_bs_loss_system() -> None:
    """``max_queue = 0`` blocked every contact, free agents or not. Now no contact waits, a
    contact is blocked only when every agent is busy, and over 300 hours (~48,000 calls of
    8 Erlangs on 10 agents, first hour dropped as warm-up) the blocked share is Erlang B's
    within ±0.01."""
    from omnikpi.wfm.erlang import erlang_b_value

    scenario = long_run(None, hours=300)
    queue = scenario.queues[0].model_copy(update={"max_queue": 0})
    result = simulate(scenario.model_copy(update={"queues": [queue]}))
    busy = [(c.accepted, c.ended) for c in result.contacts
            if c.accepted is not None and c.ended is not None]
    assert busy and all(c.accepted in (None, c.arrived) for c in result.contacts)
    calls = [c for c in result.contacts if c.arrived > 3600]
    blocked = [c.arrived for c in calls if c.blocked]
    for moment in blocked[:200]:  # each found all 10 agents busy
        assert sum(start <= moment < end for start, end in busy) == 10
    assert len(blocked) / len(calls) == pytest.approx(erlang_b_value(8, 10), abs=0.01)


NIGHT_SHIFT = '''
seed = 3
start = "2024-01-01T18:00:00+00:00"
duration_hours = 14
[[queues]]
name = "q"
arrivals_per_hour = 10
aht_seconds = 180
[[agent_groups]]
name = "night"
count = 1
skills = ["q"]
shift = "22:00-06:00"
breaks = [["02:00", "02:15"]]
'''


def test_a_night_shifts_break_is_kept_on_the_runs_last_night() -> None:
    """A run from 18:00 for 14 hours holds one night, 22:00-06:00, whose break is at
    02:00 the next morning: 8 h to 8 h 15 min after the start. The break was placed on
    the day of its clock, whose own shift (22:00 on the 2nd) starts after the run, so it
    was left out: a work row 22:00→06:00 and no break."""
    from omnikpi.simulate.scenario import parse_scenario

    result = simulate(parse_scenario(NIGHT_SHIFT, "night.toml"))
    assert result.shifts["night-01"] == [(4 * 3600, 12 * 3600)]
    assert result.breaks["night-01"] == [(8 * 3600, 8 * 3600 + 15 * 60, "break")]
    rows = [(r["activity"], r["start"][11:16], r["end"][11:16])
            for r in tables(result)["shift_activities"]]
    assert rows == [("work", "22:00", "02:00"), ("break", "02:00", "02:15"),
                    ("work", "02:15", "06:00")]


def test_a_parquet_run_has_the_canonical_types_and_the_csv_run_s_numbers(
        tmp_path: Path) -> None:
    """Its columns were typed by guessing from the values: every time a zone-aware
    nanosecond, which Spark refuses ("Illegal Parquet type: INT64 (TIMESTAMP(NANOS,
    true))", a traceback). They are the data model's types now, as an import writes them
    (microseconds, no zone), and the report equals the CSV run's."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from omnikpi.schema.arrow_types import ARROW_TYPES
    from omnikpi.schema.tables import TABLES

    result = tables(simulate(load_scenario(DEMO)))
    write(result, tmp_path / "csv")
    write(result, tmp_path / "parquet", "parquet")
    for name in result:
        schema = pq.read_schema(tmp_path / "parquet" / f"{name}.parquet")
        assert {f.name: f.type for f in schema} == {
            c.name: ARROW_TYPES[c.type] for c in TABLES[name].columns}, name
        assert pa.timestamp("us", tz="UTC") not in schema.types
    request: dict[str, Any] = {"metrics": ["offered", "service_level", "aht", "csat",
                                           "abandon_rate"], "by": ["queue"]}
    assert omnikpi.report_result(tmp_path / "parquet", **request).rows == \
        omnikpi.report_result(tmp_path / "csv", **request).rows
    people: dict[str, Any] = {"metrics": ["occupancy", "adherence"], "by": ["site"]}
    assert omnikpi.report_result(tmp_path / "parquet", **people).rows == \
        omnikpi.report_result(tmp_path / "csv", **people).rows
