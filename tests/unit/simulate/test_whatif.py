"""What-ifs on a scenario (``simulate/whatif.py``) and two scenarios compared by the engine
(``simulate/compare.py``, ``omnikpi simulate compare``): the changes by hand, the scenario
file written back exactly, the size limit, each queue's callers kept when another queue
changes, and the compared numbers equal to the engine's report on the simulated data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.errors import UsageError
from omnikpi.simulate.bundled import bundled_scenarios
from omnikpi.simulate.compare import CAMPAIGN_METRICS, CHANNEL_METRICS, compare, zone_of
from omnikpi.simulate.runner import simulate
from omnikpi.simulate.scenario import load_scenario, parse_scenario
from omnikpi.simulate.whatif import (
    MAX_CONTACTS,
    Change,
    ScenarioTooLarge,
    WhatIf,
    check_size,
    offered_at_most,
    scenario_toml,
)

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "scenarios" / "demo.toml"
ERLANG_C = ROOT / "scenarios" / "erlang_c.toml"
TWO_QUEUES = """
seed = 3
start = "2024-05-06T08:00:00+03:00"
duration_hours = 8
streams = "per_queue"

[[queues]]
name = "sales"
arrivals_per_hour = 60
aht_seconds = 200

[[queues]]
name = "help"
channel = "chat"
arrivals_profile = [["08:00", 20], ["12:00", 40]]
aht_seconds = 400
repeat_rate = 0.5

[[agent_groups]]
name = "phones"
count = 4
skills = ["sales"]
shift = "00:00-24:00"

[[agent_groups]]
name = "chat"
count = 3
capacity = 2
skills = ["help"]
shift = "00:00-24:00"
"""


def test_the_shipped_scenarios_are_found() -> None:
    shipped = bundled_scenarios()
    assert next(iter(shipped)) == "demo"
    assert {"demo", "erlang_c", "multiskill"} <= set(shipped)


def test_a_whatif_changes_exactly_what_it_says() -> None:
    demo = load_scenario(DEMO)
    whatif = WhatIf(agents={"sales": 7}, capacity={"chat": 2}, routing="round_robin",
                    volume_change=0.1, aht_change=-0.1)
    changed = whatif.apply(demo)
    sales = changed.queues[0]
    # the demo's sales profile is 30, 55, 40, 50, 25, 0 an hour; AHT 240 s, ACW 25 s
    assert sales.arrivals_profile == [("08:00", 33.0), ("10:00", 60.5), ("13:00", 44.0),
                                      ("15:00", 55.0), ("18:00", 27.5), ("20:00", 0.0)]
    assert (sales.aht_seconds, sales.acw_seconds) == (216.0, 22.5)
    mail = changed.queues[3]
    assert (mail.arrivals_per_hour, mail.aht_seconds) == (3.3, 324.0)
    groups = {g.name: (g.count, g.capacity) for g in changed.agent_groups}
    assert groups["sales"] == (7, 1) and groups["chat"] == (3, 2)
    assert changed.routing == "round_robin"
    # nothing else moved
    assert changed.model_copy(update={"queues": demo.queues, "agent_groups":
                                      demo.agent_groups, "routing": demo.routing}) == demo
    assert whatif.changes(demo) == [
        Change("agents", "sales", 5, 7), Change("capacity", "chat", 4, 2),
        Change("routing", None, "longest_idle", "round_robin"),
        Change("volume", None, 0.0, 0.1), Change("aht", None, 0.0, -0.1)]
    assert WhatIf().changes(demo) == [] and WhatIf().apply(demo) == demo


@pytest.mark.parametrize(("whatif", "message"), [
    (WhatIf(agents={"nobody": 3}), "has no agent group nobody (its groups: backoffice"),
    (WhatIf(agents={"sales": -1}), "count"),
    (WhatIf(capacity={"chat": 0}), "capacity"),
    (WhatIf(aht_change=-1.0), "handle time by less than 100 %"),
    (WhatIf(volume_change=-1.5), "volume can fall by 100 % at most"),
    (WhatIf(dialing={"spring": 10}), "has no outbound campaign spring (its campaigns: "
     "winback)"),
    (WhatIf(dialing={"winback": -5}), "attempts_per_hour"),
])
def test_a_whatif_that_cannot_be_is_said(whatif: WhatIf, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        whatif.apply(load_scenario(DEMO))


def test_no_volume_at_all_is_a_whatif_too() -> None:
    silent = WhatIf(volume_change=-1.0).apply(load_scenario(ERLANG_C))
    assert silent.queues[0].arrivals_per_hour == 0.0
    assert simulate(silent).contacts == []
    # the channel the baseline had is offered 0 in the what-if, its rates none (offered
    # read "—", as if nobody knew)
    voice = compare(load_scenario(ERLANG_C), silent).as_json()["channels"]["voice"]
    assert voice["offered"]["whatif"] == 0 and voice["offered"]["baseline"] > 0
    assert voice["service_level"]["whatif"] is None and voice["aht"]["whatif"] is None


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(bundled_scenarios())),
       volume=st.floats(-1, 5, allow_nan=False), aht=st.floats(-0.99, 5, allow_nan=False),
       agents=st.integers(0, 50), routing=st.sampled_from([None, "ring_all", "sequential"]))
def test_the_scenario_file_reads_back_as_the_same_scenario(
        name: str, volume: float, aht: float, agents: int, routing: str | None) -> None:
    scenario = load_scenario(bundled_scenarios()[name])
    first = scenario.agent_groups[0].name
    changed = WhatIf(agents={first: agents}, routing=routing,  # type: ignore[arg-type]
                     volume_change=volume, aht_change=aht).apply(scenario)
    text = scenario_toml(changed, f"What-if of {name}.toml\nline two")
    assert text.startswith(f"# What-if of {name}.toml\n# line two\n")
    assert parse_scenario(text, "written") == changed


def test_odd_names_are_written_as_toml_strings() -> None:
    scenario = parse_scenario(TWO_QUEUES.replace('"sales"', '"Продажи \\"VIP\\" \\\\ 1"'), "x")
    text = scenario_toml(scenario)
    assert 'name = "Продажи \\"VIP\\" \\\\ 1"' in text
    assert parse_scenario(text, "written") == scenario


def test_the_size_a_page_simulates_is_bounded_by_hand() -> None:
    scenario = parse_scenario(TWO_QUEUES, "two queues")
    # sales 60/h × 8 h; help at its peak 40/h × 8 h, and as many again as repeats (50 %)
    assert offered_at_most(scenario) == 60 * 8 + 40 * 8 * 1.5
    check_size(scenario, "two queues")
    huge = WhatIf(volume_change=MAX_CONTACTS / 960).apply(scenario)
    with pytest.raises(ScenarioTooLarge, match="offers up to 2") as raised:
        check_size(huge, "the what-if")
    assert raised.value.limit == MAX_CONTACTS and raised.value.size > MAX_CONTACTS
    crowd = WhatIf(agents={"phones": 1_998}).apply(scenario)  # and 3 chat agents
    with pytest.raises(ScenarioTooLarge, match="2,001 agents"):
        check_size(crowd, "the what-if")


def _arrivals(scenario_text: str, queue: str) -> list[tuple[float, str]]:
    return [(c.arrived, c.customer) for c in simulate(parse_scenario(scenario_text, "x")).contacts
            if c.queue == queue and c.parent is None]


def test_each_queue_keeps_its_callers_when_another_changes() -> None:
    """Per-queue streams: more chats (a busier chat profile) leave every call where it
    was, time and customer; with one stream for the whole center they do not — the
    reason for the option."""
    busier = '[["08:00", 30], ["12:00", 70]]'
    busier_chat = TWO_QUEUES.replace('[["08:00", 20], ["12:00", 40]]', busier)
    assert busier in busier_chat
    calls = _arrivals(TWO_QUEUES, "sales")
    assert len(calls) > 300 and calls == _arrivals(busier_chat, "sales")
    assert len(_arrivals(busier_chat, "help")) > len(_arrivals(TWO_QUEUES, "help"))

    def shared(text: str) -> str:
        return text.replace('streams = "per_queue"', "")

    assert _arrivals(shared(TWO_QUEUES), "sales") != _arrivals(shared(busier_chat), "sales")


def test_a_chat_agent_more_leaves_the_other_queues_sales_and_transfers() -> None:
    """The audit's case: the demo with per_queue streams and seed 2, one chat agent more.
    The sales queue handled the same 1,337 callers at the same times, yet its sales fell
    170 → 152 (the sale was drawn by contact id, a counter over every queue's contacts),
    and 41 support legs transferred from another queue got new handle times (their draws
    were keyed by the parent's id). Every contact outside the chat queue is now the same,
    outcome included."""
    from omnikpi.simulate.output import tables

    text = DEMO.read_text().replace("seed = 7", 'seed = 2\nstreams = "per_queue"', 1)
    more_chat = text.replace('name = "chat"\ncount = 3', 'name = "chat"\ncount = 4', 1)
    assert 'streams = "per_queue"' in text and "count = 4" in more_chat

    def others(scenario_text: str) -> list[tuple[object, ...]]:
        rows = tables(simulate(parse_scenario(scenario_text, "x")))["contacts"]
        return sorted((r["queue"], r["arrived_at"], r["accepted_at"], r["ended_at"],
                       r["agent_id"], r["outcome"], r["transferred"], r["parent_id"] is None)
                      for r in rows if r["channel"] != "chat")

    before, after = others(text), others(more_chat)
    assert sum(r[5] == "sale" for r in before) > 100
    assert before == after


def test_the_zone_is_the_scenario_clock() -> None:
    assert zone_of(parse_scenario(TWO_QUEUES, "x")) == "Etc/GMT-3"  # UTC+3
    assert zone_of(load_scenario(ERLANG_C)) == "UTC"


HALF_HOUR_CLOCK = """
seed = 5
start = "2024-05-06T08:00:00+05:30"
duration_hours = 2

[[queues]]
name = "calls"
arrivals_per_hour = 60
aht_seconds = 30
aht_distribution = "fixed"

[[agent_groups]]
name = "morning"
count = 10
skills = ["calls"]
shift = "08:00-09:00"
"""


def test_the_hourly_service_level_is_on_a_half_hour_clock() -> None:
    """A center at UTC+05:30 whose ten agents work 08:00-09:00 and answer every call at
    once (60 calls an hour, 30 s each): 08:00-09:00 local has a service level of 100 %,
    09:00-10:00 none (nobody answers). The hours were UTC's, 08:30-09:30 local, which
    mixed the two; now they are the scenario's own, and named in its offset."""
    scenario = parse_scenario(HALF_HOUR_CLOCK, "x")
    found = compare(scenario, scenario)
    assert found.zone == zone_of(scenario) == "UTC+05:30"
    assert found.baseline.hourly["voice"] == [("2024-05-06T08:00:00+05:30", 1.0),
                                              ("2024-05-06T09:00:00+05:30", 0.0)]
    assert zone_of(parse_scenario(HALF_HOUR_CLOCK.replace("+05:30", "-03:30"),
                                  "x")) == "UTC-03:30"


def test_compared_numbers_are_the_engines_report_of_each_run(tmp_path: Path) -> None:
    """Ten agents against twelve on the Erlang C queue (8 Erlangs): the same callers
    (offered equal), a better service level with twelve, and each side equal to
    ``omnikpi report`` on ``omnikpi simulate run``'s data of the same scenario."""
    baseline = load_scenario(ERLANG_C)
    twelve = WhatIf(agents={"tier1": 12}).apply(baseline)
    found = compare(baseline, twelve)
    assert found.channels() == ["voice"]
    before, after = found.baseline.channels["voice"], found.whatif.channels["voice"]
    assert before["offered"] == after["offered"] > 3000
    assert after["service_level"] > before["service_level"]  # type: ignore[operator]
    assert after["asa"] < before["asa"]  # type: ignore[operator]
    for side, scenario in (("baseline", baseline), ("whatif", twelve)):
        path = tmp_path / f"{side}.toml"
        path.write_text(scenario_toml(scenario))
        out = tmp_path / side
        done = CliRunner().invoke(app, ["simulate", "run", "--scenario", str(path),
                                        "--out", str(out)])
        assert done.exit_code == 0, done.output
        row = omnikpi.report_result(out, metrics=list(CHANNEL_METRICS), by=["channel"]).rows[0]
        measured = getattr(found, side).channels["voice"]
        assert measured == pytest.approx({m: row[m] for m in CHANNEL_METRICS}, rel=1e-12)
        occupancy = omnikpi.report_result(out, metrics=["occupancy"]).rows[0]["occupancy"]
        assert getattr(found, side).center["occupancy"] == pytest.approx(occupancy)
    hours = found.baseline.hourly["voice"]
    assert len(hours) == 24 and hours[0][0].startswith("2024-01-01T00:00:00")


def test_the_command_line_compares_per_channel(tmp_path: Path) -> None:
    twelve = tmp_path / "twelve.toml"
    twelve.write_text(ERLANG_C.read_text().replace("count = 10", "count = 12"))
    runner = CliRunner()
    done = runner.invoke(app, ["simulate", "compare", str(ERLANG_C), str(twelve),
                               "--format", "json"])
    assert done.exit_code == 0, done.output
    printed = json.loads(done.output)
    expected = compare(load_scenario(ERLANG_C), load_scenario(twelve)).as_json()
    assert printed == json.loads(json.dumps(expected))
    assert set(printed["channels"]) == {"voice"}
    table = runner.invoke(app, ["simulate", "compare", str(ERLANG_C), str(twelve)])
    assert table.exit_code == 0 and "voice (whole run)" in table.output
    assert "Whole center" in table.output
    wrong = runner.invoke(app, ["simulate", "compare", str(ERLANG_C), str(twelve),
                                "--format", "xml"])
    assert wrong.exit_code == 2 and "unknown format 'xml'" in wrong.output


def test_chat_occupancy_is_relative_to_the_sessions_of_each_run(tmp_path: Path) -> None:
    """The chat team holds 2 sessions in the baseline and 1 in the what-if: each run's
    chat occupancy is measured against its own capacity (the report's ``capacity``)."""
    baseline = parse_scenario(TWO_QUEUES, "two queues")
    single = WhatIf(capacity={"chat": 1}).apply(baseline)
    found = compare(baseline, single)
    for side, scenario, capacity in (("baseline", baseline, 2), ("whatif", single, 1)):
        path, out = tmp_path / f"{side}.toml", tmp_path / side
        path.write_text(scenario_toml(scenario))
        done = CliRunner().invoke(app, ["simulate", "run", "--scenario", str(path),
                                        "--out", str(out)])
        assert done.exit_code == 0, done.output
        expected = omnikpi.report_result(out, metrics=["chat_occupancy_relative"],
                                         params={"capacity": capacity}).rows[0]
        measured = getattr(found, side).center["chat_occupancy_relative"]
        assert measured == pytest.approx(expected["chat_occupancy_relative"], rel=1e-12)
    assert found.whatif.center["chat_occupancy_relative"] > \
        found.baseline.center["chat_occupancy_relative"]  # type: ignore[operator]


DIALING = """
seed = 5
start = "2024-05-06T00:00:00+00:00"
duration_hours = 400

[[queues]]
name = "quiet"
arrivals_per_hour = 0
aht_seconds = 60

[[agent_groups]]
name = "dialers"
count = 2
skills = []
shift = "00:00-24:00"

[[campaigns]]
name = "renewals"
attempts_per_hour = 40
connect_rate = 0.35
rpc_rate = 0.7
conversion_rate = 0.15
agents = ["dialers"]
talk_seconds = 120
wrap_seconds = 20
"""


def test_pacing_the_dialer_and_adding_a_dialer_agent(tmp_path: Path) -> None:
    """The planner's outbound questions on a center of two dialing agents (40 attempts an
    hour, 35 % answered, 140 s of talk and wrap-up: 0.544 Erlangs, Erlang B 8.8 % dropped,
    over the 3 % the regulators allow): a third agent brings the drops under 3 %
    (Erlang B 1.6 %), and so does pacing at 15 an hour with two (0.204 Erlangs, 1.7 %).
    Each run's campaign figures are ``omnikpi report --by campaign`` on ``omnikpi
    simulate run``'s data of its scenario file."""
    baseline = parse_scenario(DIALING, "dialing")
    three = WhatIf(agents={"dialers": 3}).apply(baseline)
    slower = WhatIf(dialing={"renewals": 15}).apply(baseline)
    assert slower.campaigns[0].attempts_per_hour == 15
    assert WhatIf(dialing={"renewals": 15}).changes(baseline) == [
        Change("dialing", "renewals", 40, 15)]
    found = compare(baseline, three)
    assert found.campaigns() == ["renewals"]
    before, after = found.baseline.campaigns["renewals"], found.whatif.campaigns["renewals"]
    assert before["attempts"] == after["attempts"]  # the dialer's pace is unchanged
    # the agents' occupancy is the carried traffic over the agents: A(1 − B)/n
    assert found.baseline.center["occupancy"] == pytest.approx(0.544 * 0.912 / 2, abs=0.02)
    assert before["dialer_abandon_rate"] == pytest.approx(0.088, abs=0.015)
    assert after["dialer_abandon_rate"] == pytest.approx(0.016, abs=0.01)
    paced = compare(baseline, slower).whatif.campaigns["renewals"]
    assert paced["attempts"] == pytest.approx(15 * 400, rel=0.05)
    assert paced["dialer_abandon_rate"] == pytest.approx(0.017, abs=0.01)
    for side, scenario in (("baseline", baseline), ("whatif", three)):
        path, out = tmp_path / f"{side}.toml", tmp_path / side
        path.write_text(scenario_toml(scenario))
        done = CliRunner().invoke(app, ["simulate", "run", "--scenario", str(path),
                                        "--out", str(out)])
        assert done.exit_code == 0, done.output
        row = omnikpi.report_result(out, metrics=list(CAMPAIGN_METRICS),
                                    by=["campaign"]).rows[0]
        assert getattr(found, side).campaigns["renewals"] == pytest.approx(
            {m: row[m] for m in CAMPAIGN_METRICS}, rel=1e-12)
    printed = CliRunner().invoke(app, ["simulate", "compare", str(tmp_path / "baseline.toml"),
                                       str(tmp_path / "whatif.toml")])
    assert printed.exit_code == 0 and "campaign renewals (whole run)" in printed.output
    assert "dialer_abandon_rate" in printed.output


def _handled(text: str) -> dict[tuple[str, float, str], float]:
    """Each first-time caller answered: (queue, arrival, customer) → handle time."""
    return {(c.queue, c.arrived, c.customer): c.ended - c.accepted
            for c in simulate(parse_scenario(text, "x")).contacts
            if c.parent is None and c.ended is not None and c.accepted is not None}


@pytest.mark.parametrize("distribution", ["exponential", "lognormal"])
def test_a_caller_keeps_their_handle_time_in_every_variant(distribution: str) -> None:
    """Per-queue streams: a caller's handle time is the caller's own (drawn from who
    they are, not from a stream consumed in event order). With one more agent, every
    caller answered in both runs has the same handle time; with AHT +10 % each one's is
    exactly 1.1 times as long (it was ×1.0993 overall, 23 of 3,101 callers unchanged)."""
    text = TWO_QUEUES.replace("aht_seconds = 200",
                              f'aht_seconds = 200\naht_distribution = "{distribution}"')
    base = _handled(text)
    more_agents = _handled(text.replace("count = 4", "count = 5"))
    longer = _handled(text.replace("aht_seconds = 200", "aht_seconds = 220"))
    both = base.keys() & more_agents.keys()
    assert len(both) > 400
    assert all(base[k] == pytest.approx(more_agents[k], rel=1e-12) for k in both)
    calls = [k for k in base.keys() & longer.keys() if k[0] == "sales"]
    assert len(calls) > 300
    assert all(longer[k] == pytest.approx(1.1 * base[k], rel=1e-9) for k in calls)


def test_two_files_of_one_name_are_told_apart_in_the_table(tmp_path: Path) -> None:
    """`simulate compare a/s.toml b/s.toml` headed both columns `s.toml`: the columns say
    which run is the baseline and which the what-if, each with as much of its path as
    tells the two apart."""
    for folder, count in (("a", 4), ("b", 5)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "s.toml").write_text(
            TWO_QUEUES.replace("count = 4", f"count = {count}"))
    done = CliRunner().invoke(app, ["simulate", "compare", str(tmp_path / "a" / "s.toml"),
                                    str(tmp_path / "b" / "s.toml")])
    assert done.exit_code == 0, done.output
    header = next(line for line in done.output.splitlines() if "metric" in line)
    assert re.findall(r"[\w-]+ \([^)]*\)", header) == ["baseline (a/s.toml)",
                                                       "what-if (b/s.toml)"]
    from omnikpi.cli.simulate import _distinct_names

    assert _distinct_names(Path("x.toml"), Path("y.toml")) == ("x.toml", "y.toml")
    assert _distinct_names(Path("/p/a/s.toml"), Path("/q/a/s.toml")) == ("p/a/s.toml",
                                                                         "q/a/s.toml")
    assert _distinct_names(Path("s.toml"), Path("s.toml")) == ("s.toml", "s.toml")
