"""Scenarios that passed validation and then crashed the simulation (a traceback on the
command line, HTTP 500 on the what-if page), hung it (``inf``) or quietly made wrong data
(two agent groups of one name, an outage of no channel): each is now a usage error that
names the field, on the command line (exit 2) and on the page alike."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.errors import UsageError
from omnikpi.simulate.runner import simulate
from omnikpi.simulate.scenario import parse_scenario
from omnikpi.web.app import create_app

BASE = """
seed = 1
start = "2024-01-01T00:00:00+00:00"
duration_hours = 2
[[queues]]
name = "q"
arrivals_per_hour = 60
aht_seconds = 120
{queue}
[[agent_groups]]
name = "g"
count = 3
skills = ["q"]
shift = "{shift}"
{group}
{tail}
"""
SURVEY = '[[surveys]]\nsurvey = "csat"\nresponse_rate = 0.5\n'
SECOND_GROUP = '[[agent_groups]]\nname = "g"\ncount = 3\nskills = ["q"]\n'
CAMPAIGN = ('[[campaigns]]\nname = "winback"\nattempts_per_hour = 20\nconnect_rate = 0.3\n'
            'rpc_rate = 0.5\nconversion_rate = 0.1\nagents = ["g"]\n')
OUTAGE = '[[outages]]\nchannel = "{channel}"\n{queue}start = "{start}"\nend = "{end}"\n'
PROBLEMS = re.compile(r'id="whatif-problems">(.*?)</div>', re.S)


def scenario(queue: str = "", group: str = "", tail: str = "",
             shift: str = "00:00-24:00") -> str:
    return BASE.format(queue=queue, group=group, tail=tail, shift=shift)


def outage(start: str = "2024-01-01T00:10:00+00:00", end: str = "2024-01-01T00:20:00+00:00",
           channel: str = "voice", queue: str | None = None) -> str:
    named = "" if queue is None else f'queue = "{queue}"\n'
    return OUTAGE.format(channel=channel, queue=named, start=start, end=end)


BAD = [
    pytest.param(scenario(tail=SURVEY + "weights = [1, 2]"),
                 "weights has 2 numbers, the scale 1..5 has 5 scores", id="weights-short"),
    pytest.param(scenario(tail=SURVEY + "scale_min = 5\nscale_max = 1\nweights = [1]"),
                 "scale_min 5 is above scale_max 1", id="scale-reversed"),
    pytest.param(scenario(tail=SURVEY + "weights = [0, 0, 0, 0, 0]"),
                 "weights must not all be 0", id="weights-zero"),
    pytest.param(scenario(tail=SURVEY + "weights = [1, 1, 1, -1, 1]"),
                 "weights must be ≥ 0", id="weights-negative"),
    pytest.param(scenario(queue="topics = []"), "queues.0.topics: List should have at least 1",
                 id="no-topics"),
    pytest.param(scenario(tail=outage("2024-01-01T00:30:00+00:00")),
                 "outage 1 end 2024-01-01T00:20:00+00:00 is not after its start",
                 id="outage-reversed"),
    pytest.param(scenario(tail=outage(end="2024-01-01T00:20:00")).replace("+00:00", "", 1),
                 "outage 1 start 2024-01-01T00:10:00+00:00 has a UTC offset but the scenario "
                 "start has none", id="outage-offset-start-none"),
    pytest.param(scenario().replace("duration_hours = 2", "duration_hours = inf"),
                 "duration_hours: Input should be a finite number", id="inf-duration"),
    pytest.param(scenario().replace("arrivals_per_hour = 60", "arrivals_per_hour = inf"),
                 "queues.0.arrivals_per_hour: Input should be a finite number",
                 id="inf-arrivals"),
    pytest.param(scenario(queue='arrivals_profile = [["08:00", inf]]'),
                 "queues.0.arrivals_profile.0.1: Input should be a finite number",
                 id="inf-profile"),
    pytest.param(scenario(tail=SECOND_GROUP), "agent group names must be unique (g twice)",
                 id="duplicate-group"),
    pytest.param(scenario(tail=outage(channel="phone")),
                 "outages.0.channel: Input should be 'voice', 'chat', 'email', 'social' or "
                 "'messenger'", id="outage-unknown-channel"),
    pytest.param(scenario(tail=outage(queue="nosuch")),
                 "outage 1 names unknown queue nosuch (queues: q)", id="outage-unknown-queue"),
    pytest.param(scenario(tail=outage(channel="chat", queue="q")),
                 "outage 1 is of channel chat but queue q is voice", id="outage-other-channel"),
    pytest.param(scenario(group='breaks = [["01:00", "00:30"]]'),
                 "agent_groups.0.breaks: Value error, break ['01:00', '00:30'] does not end "
                 "after it starts", id="break-reversed"),
    pytest.param(scenario(group='breaks = [["23:50", "00:20"]]', shift="22:00-06:00"),
                 "a break across midnight must be split in two: ['23:50', '24:00'] and "
                 "['00:00', '00:20']", id="break-across-midnight"),
    pytest.param(scenario().replace("duration_hours = 2", "duration_hours = 2\ndays = 3"),
                 "days: Value error, duration_hours = 2 and days = 3 are both given: give "
                 "one or the other", id="duration-and-days"),
    pytest.param(scenario(queue='arrivals_profile = [["08:00", 10], ["08:00:00", 20]]'),
                 "the arrival profile gives '08:00' twice ('08:00:00')",
                 id="profile-clock-twice"),
    # each of these ran, and the simulation ignored part of it without a word
    pytest.param(scenario(queue='arrivals_profile = [["00:00", 600]]'),
                 "queue q gives both arrivals_per_hour and arrivals_profile",
                 id="rate-and-profile"),
    pytest.param(scenario(queue='arrivals_profile = [["00:00", 0], ["24:00", 600]]')
                 .replace("arrivals_per_hour = 60\n", ""),
                 "the arrival profile gives a rate from '24:00', the end of the day",
                 id="profile-at-24"),
    pytest.param(scenario(queue="transfer_rate = 0.5"),
                 "queue q has transfer_rate 0.5 but no transfer_to", id="transfer-nowhere"),
    pytest.param(scenario(queue='channel = "email"\npatience_seconds = 600'),
                 "queue q is email, where nobody abandons: patience_seconds applies to "
                 "voice, chat, messenger queues", id="patience-on-email"),
    pytest.param(scenario(shift="08:00-08:00"),
                 "'08:00-08:00' starts and ends at the same time", id="empty-shift"),
    # two campaigns of one name dialed the same leads at the same instants
    pytest.param(scenario(tail=CAMPAIGN + CAMPAIGN),
                 "campaign names must be unique (winback twice)", id="duplicate-campaign"),
    # each ended in an OverflowError traceback
    pytest.param(scenario().replace("2024-01-01T00:00:00+00:00", "9999-12-31T00:00:00+00:00")
                 .replace("duration_hours = 2", "duration_hours = 48"),
                 "a run from 9999-12-31T00:00:00+00:00 for 48 hours ends after 9999-12-31 "
                 "(UTC), the latest end the simulation writes", id="past-9999"),
    pytest.param(scenario().replace("2024-01-01T00:00:00+00:00", "9999-12-31T20:00:00-05:00"),
                 "a run from 9999-12-31T20:00:00-05:00 for 2 hours ends after 9999-12-31",
                 id="past-9999-in-utc"),
    pytest.param(scenario().replace("duration_hours = 2", "duration_hours = 1e12"),
                 "for 1e+12 hours ends after 9999-12-31", id="duration-past-9999"),
    pytest.param(scenario().replace("2024-01-01T00:00:00+00:00", "0001-01-01T01:00:00+05:00"),
                 "start 0001-01-01T01:00:00+05:00 is before 0001-01-01 in UTC",
                 id="before-year-1-in-utc"),
]


@pytest.mark.parametrize(("text", "said"), BAD)
def test_a_scenario_the_simulation_could_not_run_is_refused(text: str, said: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_scenario(text, "t.toml")
    assert said in str(refused.value)


@pytest.mark.parametrize(("text", "said"), BAD)
def test_the_command_line_says_it_and_exits_2(tmp_path: Path, text: str, said: str) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", "run", "--scenario", str(file), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split()) and "Traceback" not in result.output


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("db")
    with TestClient(create_app(DEMO_DATA_DIR, auth_required=False, live_updates=False,
                               database_url=f"sqlite:///{folder / 'omnikpi.db'}")) as test:
        yield test


@pytest.mark.parametrize(("text", "said"), BAD)
def test_the_whatif_page_says_it(client: TestClient, text: str, said: str) -> None:
    """Was an HTTP 500 for the scenarios that crashed the simulation."""
    answer = client.post("/wfm/whatif?lang=en",
                         data={"scenario": "custom", "toml": text, "run": "1"})
    assert answer.status_code == 200, answer.text
    found = PROBLEMS.search(answer.text)
    assert found is not None and said in " ".join(html.unescape(found.group(1)).split())


def test_outage_times_without_an_offset_are_the_starts_offset() -> None:
    """Compared with the aware start they were a TypeError; now 00:10–00:20 in the
    scenario's +03:00 blocks the calls then, as if the offset were written."""
    text = scenario(tail=outage("2024-01-01T00:10:00", "2024-01-01T00:20:00")).replace(
        "+00:00", "+03:00", 1)
    naive = parse_scenario(text, "t.toml")
    aware = parse_scenario(scenario(tail=outage(
        "2024-01-01T00:10:00+03:00", "2024-01-01T00:20:00+03:00")).replace(
        "+00:00", "+03:00", 1), "t.toml")
    assert naive.outages == aware.outages and str(naive.outages[0].end.utcoffset()) == "3:00:00"
    blocked = [c.arrived for c in simulate(naive).contacts if c.blocked]
    assert blocked and all(600 <= moment < 1200 for moment in blocked)


def test_a_break_split_at_midnight_is_planned_on_both_sides() -> None:
    """What the message says to write instead of a break across midnight."""
    text = scenario(group='breaks = [["23:50", "24:00"], ["00:00", "00:20"]]',
                    shift="22:00-06:00").replace("duration_hours = 2", "days = 2")
    result = simulate(parse_scenario(text, "t.toml"))
    # one 30-minute break each night (its halves touch: a lunch), from the night before
    # the run's start to the one at its end
    assert result.breaks["g-01"] == [(-600, 1200, "lunch"), (85800, 87600, "lunch"),
                                     (172200, 174000, "lunch")]


def test_an_arrival_profiles_order_as_written_does_not_matter() -> None:
    """[["12:00", 0], ["08:00", 100]]: 100 an hour from 08:00, none from 12:00 to 08:00
    the next morning. Before the first clock time the simulation took the last pair as
    written (08:00's 100), so 00:00-08:00 offered 100 an hour; sorted, it offered none."""
    from omnikpi.simulate.runner import Simulation

    profile = 'arrivals_profile = [["12:00", 0], ["08:00", 100]]'
    unsorted = parse_scenario(scenario(queue=profile).replace("arrivals_per_hour = 60\n", ""),
                              "t.toml")
    run = Simulation(unsorted)
    queue = unsorted.queues[0]
    assert [run.rate(queue, hour * 3600) for hour in (0, 3, 7.99, 8, 11.99, 12, 23)] == \
        [0, 0, 0, 100, 100, 0, 0]


def test_a_file_given_as_the_folder_is_refused_before_the_run(tmp_path: Path) -> None:
    """``--out afile`` ran the whole simulation, then said "cannot use afile: File
    exists"."""
    (tmp_path / "s.toml").write_text(scenario(), encoding="utf-8")
    (tmp_path / "afile").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", "run", "--scenario", str(tmp_path / "s.toml"),
                                      "--out", str(tmp_path / "afile")])
    assert result.exit_code == 2 and "is a file: name the dataset folder" in result.output
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine"


def test_simulate_alone_shows_its_help_and_half_a_request_is_refused(tmp_path: Path) -> None:
    """``omnikpi simulate`` alone printed an error where ``omnikpi wfm`` shows its help."""
    alone = CliRunner().invoke(app, ["simulate"])
    assert alone.exit_code == 0, alone.output
    assert "Usage: omnikpi simulate" in alone.output and "compare" in alone.output
    half = CliRunner().invoke(app, ["simulate", "--out", str(tmp_path / "out")])
    assert half.exit_code == 2
    assert "give --scenario FILE and --out DIR" in " ".join(half.output.split())
