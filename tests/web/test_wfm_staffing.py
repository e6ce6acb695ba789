"""The staffing calculator page (/wfm/staffing): the textbook Erlang C case by hand, the
same answers as ``omnikpi wfm staff|backlog --format json`` for chats, Erlang A and B,
e-mail; every kind of bad input said on the page in its language; the measured busiest
interval equal to the engine's report; who may open it."""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnikpi.api import report_result
from omnikpi.cli.main import app as cli
from omnikpi.demo import DEMO_DATA_DIR

from .conftest import needs_browser, running_server

TILE = re.compile(r'<span class="value" id="([a-z-]+)">([^<]*)</span>')
LEVEL = re.compile(r'<tr data-agents="(\d+)"[^>]*><td>[^<]*</td><td>(\d+)</td><td>([^<]*)</td>')
PROBLEMS = re.compile(r'id="staffing-problems">(.*?)</div>', re.S)
CHART = re.compile(r"const points = (\[.*?\]);", re.S)


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> Iterator[TestClient]:
    with TestClient(make_app(DEMO_DATA_DIR, live_updates=False)) as test_client:
        yield test_client


def _page(client: TestClient, query: str) -> str:
    if "lang=" not in query:  # the language chosen is remembered (a cookie)
        query += "&lang=en"
    answer = client.get(f"/wfm/staffing?{query}")
    assert answer.status_code == 200, answer.text
    return answer.text


def _tiles(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in TILE.findall(page)}


def _problems(page: str) -> list[str]:
    found = PROBLEMS.search(page)
    return [] if found is None else [html.unescape(p) for p in
                                     re.findall(r"<p>(.*?)</p>", found.group(1))]


def _cli(*args: str) -> dict[str, Any]:
    done = CliRunner().invoke(cli, ["wfm", *args])
    assert done.exit_code == 0, done.output
    result: dict[str, Any] = json.loads(done.output)
    return result


def test_the_textbook_erlang_c_case(client: TestClient) -> None:
    """100 calls in 30 minutes at 180 s: A = 100 × 180 / 1800 = 10 Erlangs. With 14 agents
    Erlang C gives P(wait) = 0.1741 and SL = 1 − 0.1741 · e^(−(14 − 10) · 20 / 180) = 88.8 %
    ≥ 80 %; 13 agents give 79.6 % < 80 %. ASA = 0.1741 · 180 / 4 = 7.8 s, occupancy
    10 / 14 = 71.4 %, positions ⌈14 / 0.7⌉ = 20."""
    page = _page(client, "volume=100&interval_minutes=30&aht=180&target_sl=80&threshold=20"
                         "&shrinkage=30")
    assert _problems(page) == []
    assert _tiles(page) == {"agents": "14", "positions": "20", "service-level": "88.8 %",
                            "asa": "0:08", "occupancy": "71.4 %"}
    levels = {int(agents): (int(positions), sl) for agents, positions, sl in LEVEL.findall(page)}
    assert levels == {11: (16, "39.0 %"), 12: (18, "64.0 %"), 13: (19, "79.6 %"),
                      14: (20, "88.8 %"), 15: (22, "94.1 %"), 16: (23, "97.1 %"),
                      17: (25, "98.6 %")}
    assert '<tr data-agents="14" class="chosen">' in page
    chart = json.loads(CHART.search(page).group(1))  # type: ignore[union-attr]
    # Erlang C under the traffic (10 Erlangs) is no service: the chart starts at 10
    assert [p["agents"] for p in chart] == list(range(10, 25))
    assert chart[0]["service_level"] == 0 and chart[4]["service_level"] == pytest.approx(
        0.88835, abs=1e-5)
    assert ("omnikpi wfm staff --volume 100 --interval-minutes 30 --aht 180 --target-sl 0.8 "
            "--threshold 20 --shrinkage 0.3") in page


@pytest.mark.parametrize(("query", "options"), [
    ("kind=chat&volume=100&aht=480&target_sl=80&threshold=60&concurrency=2&shrinkage=30",
     ["--volume", "100", "--interval-minutes", "30", "--aht", "480", "--target-sl", "0.8",
      "--threshold", "60", "--concurrency", "2", "--shrinkage", "0.3"]),
    ("kind=calls&model=erlang_a&patience=90&volume=300&interval_minutes=15&aht=240"
     "&target_sl=90&threshold=30&max_occupancy=85&shrinkage=0",
     ["--volume", "300", "--interval-minutes", "15", "--aht", "240", "--target-sl", "0.9",
      "--threshold", "30", "--max-occupancy", "0.85", "--model", "erlang_a",
      "--patience", "90"]),
    ("kind=calls&model=erlang_b&volume=100&aht=180&target_sl=99&shrinkage=10",
     ["--volume", "100", "--interval-minutes", "30", "--aht", "180", "--target-sl", "0.99",
      "--model", "erlang_b", "--shrinkage", "0.1"]),
    ("kind=calls&volume=100&aht=180&target_sl=&target_asa=15&shrinkage=30",
     ["--volume", "100", "--interval-minutes", "30", "--aht", "180", "--target-asa", "15",
      "--shrinkage", "0.3"]),
    ("kind=calls&model=erlang_a&patience=60&volume=1000&aht=240&target_sl=80&threshold=20"
     "&max_abandon=2&shrinkage=0",
     ["--volume", "1000", "--interval-minutes", "30", "--aht", "240", "--target-sl", "0.8",
      "--threshold", "20", "--model", "erlang_a", "--patience", "60",
      "--max-abandon", "0.02"]),
])
def test_the_page_gives_the_command_lines_answer(client: TestClient, query: str,
                                                 options: list[str]) -> None:
    page = _page(client, query)
    assert _problems(page) == []
    expected = _cli("staff", *options, "--format", "json")
    tiles = _tiles(page)
    assert int(tiles["agents"]) == expected["agents"]
    assert int(tiles["positions"]) == expected["positions"]
    assert tiles["service-level"] == f"{expected['service_level']:.1%}".replace("%", " %")
    if expected["p_abandon"] is not None:
        assert tiles["p-abandon"] == f"{expected['p_abandon']:.1%}".replace("%", " %")
    if expected["p_block"] is not None:
        assert tiles["p-block"] == f"{expected['p_block']:.1%}".replace("%", " %")
        assert "asa" not in tiles  # a blocked call never waits
    # the page shows its own command line, and it gives the same answer
    shown = html.unescape(re.search(r'<code translate="no">(omnikpi wfm staff [^<]*)</code>',
                                    page).group(1))  # type: ignore[union-attr]
    assert _cli(*shown.split()[2:], "--format", "json") == expected


def test_chats_need_fewer_agents_than_calls_of_the_same_work(client: TestClient) -> None:
    """An agent holding two chats is two servers: the same traffic needs about half the
    agents (never more)."""
    query = "volume=100&aht=480&target_sl=80&threshold=60&shrinkage=0"
    calls = int(_tiles(_page(client, f"kind=calls&{query}"))["agents"])
    chats = int(_tiles(_page(client, f"kind=chat&concurrency=2&{query}"))["agents"])
    assert chats < calls and chats >= calls / 2 - 1


def test_a_day_of_e_mail(client: TestClient) -> None:
    """400 e-mails of 360 s in an 8-hour day, answered within 24 h at 85 % occupancy: the
    day's work is 400 × 360 / 3600 = 40 hours, 40 / (8 × 0.85) = 5.88 → 6 agents;
    ⌈6 / 0.7⌉ = 9 positions. With 100 left from yesterday and a 2-hour promise, oldest
    first: the 100 (10 hours of work) must be done in the first 2 hours, 10 / (2 × 0.85) =
    5.9 → 6 agents, and the day's 500 (50 hours) in its 8, 50 / (8 × 0.85) = 7.35 → 8
    (each new e-mail then waits less than 2 h: 8 agents answer 68 an hour against 50
    arriving). The earlier rule also made the first 2 hours' arrivals due in them: 12."""
    page = _page(client, "kind=email&volume=400&aht=360&working_hours=8&threshold_hours=24"
                         "&opening_backlog=0&max_occupancy=85&shrinkage=30")
    assert _tiles(page) == {"agents": "6", "positions": "9", "work-hours": "40.00"}
    urgent = _page(client, "kind=email&volume=400&aht=360&working_hours=8&threshold_hours=2"
                           "&opening_backlog=100&max_occupancy=85&shrinkage=0")
    assert _tiles(urgent)["agents"] == "8"
    assert _cli("backlog", "--volume", "400", "--aht", "360", "--working-hours", "8",
                "--threshold-hours", "2", "--opening-backlog", "100") == {
        "agents": 8, "positions": 8}


@pytest.mark.parametrize(("query", "lang", "said"), [
    ("volume=abc", "en", "Contacts in the interval: “abc” is not a number."),
    ("volume=", "en", "Contacts in the interval: enter a number."),
    ("aht=0", "en", "Average handle time, seconds must be more than 0."),
    ("target_sl=100", "en", "Service level target, % must be less than 100."),
    ("shrinkage=-5", "en", "Shrinkage, % must be at least 0."),
    ("kind=chat&concurrency=2.5", "en", "Sessions an agent holds at once must be a whole "
                                        "number."),
    ("kind=chat&concurrency=21", "en", "Sessions an agent holds at once must be at most 20."),
    # the limit as the form asks it typed ("at most 1e+06")
    ("volume=2000000", "en", "Contacts in the interval must be at most 1000000."),
    ("interval_minutes=45", "en", "Interval, minutes: choose one of the list."),
    ("model=erlang_x", "en", "Model: choose one of the list."),
    ("target_sl=", "en", "Give a target: a service level, an ASA, an occupancy cap or an "
                         "abandonment cap."),
    ("max_abandon=5", "en", "An abandonment cap needs the model where customers give up "
                            "(Erlang A)."),
    ("volume=1000000&aht=86400", "en",
     "No staffing up to 100,000 agents meets these targets."),
    # targets the model cannot measure were "met" by 1 agent (91 % blocked, or a queue
    # that never clears)
    ("model=erlang_b&target_sl=&target_asa=20", "en",
     "An ASA target needs a model with a queue (Erlang C or Erlang A): with Erlang B nobody "
     "waits."),
    ("model=erlang_b&target_sl=&max_occupancy=90", "en",
     "Erlang B cannot be staffed to an occupancy cap alone (its occupancy falls as more calls "
     "are blocked): give a service level target."),
    # Erlang A's callers give up: an ASA target alone was "met" by 1 agent with 90.7 % of
    # the callers hanging up, an occupancy cap alone by 5 with 55.5 %
    ("model=erlang_a&patience=5&target_sl=&target_asa=15", "en",
     "Erlang A cannot be staffed to an ASA target or an occupancy cap alone: impatient "
     "callers leave the queue instead of waiting, so too few agents meet them while most "
     "callers hang up. Give a service level target or an abandonment cap as well."),
    ("model=erlang_a&patience=5&target_sl=&max_occupancy=90", "uk",
     "Erlang A не можна розрахувати лише за ціллю ASA або межею зайнятості: нетерплячі "
     "клієнти йдуть із черги, а не чекають, тож їх виконує замало операторів, поки більшість "
     "клієнтів кладе слухавку. Задайте також ціль щодо рівня сервісу або межу частки "
     "покинутих."),
    ("kind=chat&model=erlang_a&patience=5&target_sl=&target_asa=15&max_occupancy=90", "ru",
     "Erlang A нельзя рассчитать только по цели ASA или пределу занятости: нетерпеливые "
     "клиенты уходят из очереди, а не ждут, поэтому их выполняет слишком мало операторов, "
     "пока большинство клиентов бросает трубку. Задайте также цель по уровню сервиса или "
     "предел доли брошенных."),
    ("kind=day&model=erlang_a&patience=5&target_sl=&target_asa=15", "en",
     "Erlang A cannot be staffed to an ASA target or an occupancy cap alone: impatient "
     "callers leave the queue instead of waiting, so too few agents meet them while most "
     "callers hang up. Give a service level target or an abandonment cap as well."),
    ("target_sl=&max_occupancy=100", "uk",
     "Межа зайнятості 100 % сама по собі не потребує жодного оператора: задайте також ціль "
     "щодо рівня сервісу, ASA або частки покинутих."),
    ("kind=email&working_hours=25", "en", "Hours the team works in the day must be at most "
                                          "24."),
    # the backlog rule treats work as divisible: one 10-hour e-mail and a 2-hour promise
    # read "2 agents"; 326 trillion agents were a plan
    ("kind=email&volume=1&aht=36000&working_hours=8&threshold_hours=2", "en",
     "One e-mail takes 36000 s to handle, longer than the promise (2 h): no number of agents "
     "answers it in time."),
    ("kind=email&volume=1&aht=36000&working_hours=8&threshold_hours=48", "uk",
     "Обробка одного листа триває 36000 с — довше, ніж робочий день (8 год): жодна кількість "
     "операторів не відповість на нього вчасно."),
    ("kind=email&volume=1000000&aht=86400&working_hours=24&threshold_hours=48", "en",
     "No staffing up to 100,000 agents meets these targets."),
    ("volume=1,000", "en", "Contacts in the interval: “1,000” could be thousands or a "
                           "decimal: write thousands without a separator (1000) and decimals "
                           "with a point (1.5)."),
    ("volume=abc", "ru", "Обращений в интервале: «abc» — не число."),
    # a share where per cents are asked planned 11 agents for a 0.8 % target (39 % SL)
    ("target_sl=0.8", "en", "Service level target, %: 0.8 % looks like a share: type per "
                            "cents (80 for 80 %)."),
    ("max_occupancy=0,85", "uk", "Межа зайнятості, %: 0,85 % схоже на частку: введіть "
                                 "відсотки (85 для 85 %)."),
    ("target_sl=", "uk", "Задайте ціль: рівень сервісу, ASA, межу зайнятості або межу "
                         "частки покинутих."),
    ("volume=1000000&aht=86400", "ru",
     "Ни один штат до 100\u00a0000 операторов не выполняет эти цели."),
])
def test_bad_input_is_said_on_the_page(client: TestClient, query: str, lang: str,
                                       said: str) -> None:
    page = _page(client, f"{query}&lang={lang}")
    assert _problems(page) == [said]
    assert 'id="staffing-answer"' not in page
    # the form keeps what was typed, to be corrected
    typed = dict(part.split("=") for part in query.split("&"))
    for name, value in typed.items():
        if name not in ("kind", "model", "interval_minutes"):
            assert f'name="{name}" id="f-{name}" value="{value}"' in page


def test_an_unknown_kind_says_so_and_answers_for_calls(client: TestClient) -> None:
    """``kind=chats`` (the page's kind is ``chat``) showed the calls form without a word."""
    page = _page(client, "kind=chats&volume=100&aht=180&target_sl=80&lang=uk")
    notice = re.search(r'id="staffing-notice">([^<]*)<', page)
    assert notice and notice.group(1) == ("Такого виду роботи немає: показано дзвінки "
                                          "(вкладки вище обирають чати, ел. пошту або план "
                                          "дня).")
    assert _tiles(page)["agents"] == _tiles(_page(client, "volume=100&aht=180&target_sl=80"))[
        "agents"]


def test_a_decimal_comma_is_read(client: TestClient) -> None:
    page = _page(client, "volume=100&aht=180,0&target_sl=80,0&shrinkage=30")
    assert _tiles(page)["agents"] == "14"
    # 1 000 calls of 1.8 s in 15 minutes: A = 1000 × 1.8 / 900 = 2 Erlangs; 3 agents wait
    # 0.44 · e^(−20/1.8) ≈ 0 (SL ≈ 100 %), 2 cannot carry 2 Erlangs
    assert _tiles(_page(client, "volume=1 000&aht=1,8&interval_minutes=15"))["agents"] == "3"


def test_the_measured_busiest_interval_is_the_engines(client: TestClient) -> None:
    """The filters' busiest 30-minute voice interval and the period's voice AHT, as the
    report computes them; "Plan for these numbers" fills the form with them."""
    rows = report_result(DEMO_DATA_DIR, metrics=["offered"], grain="30min",
                         tz="Europe/Kyiv", where={"channel": ["voice"], "queue": ["sales"]}
                         ).rows
    busiest = max(rows, key=lambda r: (r["offered"], r["period_start"]))
    aht = report_result(DEMO_DATA_DIR, metrics=["aht"], tz="Europe/Kyiv",
                        where={"channel": ["voice"], "queue": ["sales"]}).rows[0]["aht"]
    page = _page(client, "tz=Europe/Kyiv&queue=sales")
    found = re.search(r'id="measured">.*?had (\d+) contacts;.*?href="([^"]+)" '
                      r'id="use-measured"', page, re.S)
    assert found, page
    assert int(found.group(1)) == busiest["offered"]
    link = html.unescape(found.group(2))
    assert f"volume={busiest['offered']}" in link and f"aht={round(aht)}" in link
    assert "queue=sales" in link and "tz=Europe%2FKyiv" in link
    planned = _page(client, link.split("?", 1)[1])
    assert f'name="aht" id="f-aht" value="{round(aht)}"' in planned
    assert f'name="volume" id="f-volume" value="{busiest["offered"]}"' in planned
    # a chat plan measures chats, an e-mail plan the busiest day of e-mail
    chats = _page(client, "kind=chat&tz=Europe/Kyiv")
    chat_rows = report_result(DEMO_DATA_DIR, metrics=["offered"], grain="30min",
                              tz="Europe/Kyiv", where={"channel": ["chat"]}).rows
    assert f"had {max(r['offered'] for r in chat_rows)} contacts" in chats
    mail = _page(client, "kind=email&tz=Europe/Kyiv")
    days = report_result(DEMO_DATA_DIR, metrics=["offered"], grain="day", tz="Europe/Kyiv",
                         where={"channel": ["email"]}).rows
    assert f"had {max(r['offered'] for r in days)} e-mails" in mail


def test_tabs_keep_the_filters_not_the_numbers(client: TestClient) -> None:
    page = _page(client, "kind=calls&volume=55&queue=sales&tz=Europe/Kyiv")
    tab = html.unescape(re.search(r'href="([^"]+)" id="kind-email"',
                                  page).group(1))  # type: ignore[union-attr]
    assert "queue=sales" in tab and "kind=email" in tab and "volume" not in tab


def _equal_days(folder: Path, days: tuple[int, ...] = (4, 5, 6)) -> Path:
    """Ten voice calls arriving 09:00–09:18 UTC on each of the days of March 2024, answered
    after 5 s and handled for 180 s: every model forecasts the next day the same."""
    folder.mkdir()
    lines = ["contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at,"
             "agent_id"]
    for day in days:
        for i in range(10):
            arrived = datetime(2024, 3, day, 9, 2 * i, tzinfo=UTC)
            accepted = arrived + timedelta(seconds=5)
            ended = accepted + timedelta(seconds=180)
            lines.append(f"c{day}-{i},voice,sales,{arrived.isoformat()},{accepted.isoformat()},"
                         f"{accepted.isoformat()},{ended.isoformat()},a{i}")
    (folder / "contacts.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_a_day_plan_forecasts_and_staffs_each_interval(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """The fourth day: 10 calls at 09:00–09:30, AHT 180 s → A = 10 × 180 / 1800 = 1 Erlang.
    Erlang C, 80/20: 2 agents give C = 2·B/(2 − (1 − B)) with B = 0.2, so C = 1/3 and SL =
    1 − (1/3)·e^(−20/180) = 70.2 %; 3 agents give B = 0.0625, C = 0.0909, SL = 1 −
    0.0909·e^(−40/180) = 92.7 % ≥ 80 % → 3 agents, ⌈3 / 0.7⌉ = 5 positions, every other
    interval none. The CSV is the requirement the scheduler reads."""
    from omnikpi.wfm.schedule.inputs import read_plan

    app = make_app(_equal_days(tmp_path / "data"), live_updates=False)
    with TestClient(app) as day_client:
        query = "kind=day&days=1&interval_minutes=30&target_sl=80&threshold=20&shrinkage=30"
        page = _page(day_client, query)
        assert _problems(page) == []
        assert _tiles(page)["peak-agents"] == "3"
        assert _tiles(page)["peak-positions"] == "5"
        assert _tiles(page)["contacts"] == "10"
        assert _tiles(page)["agent-hours"] == "1.50"  # 3 agents for half an hour
        answer = day_client.get(f"/wfm/staffing/plan.csv?{query}")
        assert answer.status_code == 200
        assert answer.headers["content-disposition"].endswith("schedule_plan.csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    # each start with its offset, as `wfm plan` writes it (without, the data model reads
    # UTC and `wfm schedule --plan` put a Kyiv plan's shifts two hours late)
    assert len(rows) == 48 and rows[0]["interval_start"] == "2024-03-07T00:00:00+00:00"
    busy = [r for r in rows if float(r["agents"]) > 0]
    # the 47 idle intervals have no AHT (not a stand-in number)
    assert [r["aht_seconds"] for r in rows if float(r["volume"]) == 0] == [""] * 47
    assert [(r["interval_start"], float(r["volume"]), float(r["aht_seconds"]),
             int(r["agents"]), int(r["positions"])) for r in busy] == [
        ("2024-03-07T09:00:00+00:00", pytest.approx(10.0), pytest.approx(180.0), 3, 5)]
    assert float(busy[0]["service_level"]) == pytest.approx(0.9272, abs=1e-4)
    (tmp_path / "schedule_plan.csv").write_text(answer.text, encoding="utf-8")
    requirement = read_plan(tmp_path / "schedule_plan.csv")
    assert {k: v for k, v in requirement.required.items() if v} == {("", 9 * 60): 5}
    with TestClient(app) as day_client:
        kyiv = day_client.get(f"/wfm/staffing/plan.csv?{query}&tz=Europe/Kyiv")
    assert kyiv.status_code == 200, kyiv.text
    first = next(csv.DictReader(io.StringIO(kyiv.text)))
    assert first["interval_start"].endswith("+02:00"), first


def test_a_day_plan_without_history_says_so(client: TestClient) -> None:
    page = _page(client, "kind=day&from=2030-01-01&to=2030-01-02")
    assert _problems(page) == ["The filters' period has no contacts to forecast from: choose "
                               "a longer period, another queue or channel."]


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_day_plan_on_a_reversed_period_says_so_as_every_tab(client: TestClient,
                                                              lang: str) -> None:
    """The day tab showed the engine's "--to must be after --from (the window is [from,
    to))", in English, with a 200; the calls tab says it in the page's language, a 400."""
    answers = [client.get(f"/wfm/staffing?kind={kind}&from=2024-03-09&to_day=2024-03-01"
                          f"&lang={lang}") for kind in ("calls", "day")]
    assert [a.status_code for a in answers] == [400, 400]
    texts = [re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", a.text)) for a in answers]
    assert "--to must be after" not in texts[1]
    said = "The To date is before the From date" if lang == "en" else "Дата «По»"
    assert said in texts[0] and said in texts[1]


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "The filters' period holds 2 day(s) of history: a day plan needs at least 3 (the "
           "last is held out to choose the forecast model)."),
    ("uk", "У періоді фільтрів днів історії: 2; плану на день потрібно не менше 3 (останній "
           "відкладається, щоб вибрати модель прогнозу)."),
])
def test_a_day_plan_on_two_days_of_history_says_what_it_needs(
        make_app: Callable[..., FastAPI], tmp_path: Path, lang: str, said: str) -> None:
    app = make_app(_equal_days(tmp_path / "data", (4, 5)), live_updates=False)
    with TestClient(app) as short:
        assert _problems(_page(short, f"kind=day&lang={lang}")) == [said]


@needs_browser
def test_the_day_plan_chart_has_round_ticks_and_the_page_s_dates(
        make_app: Callable[..., FastAPI], browser: Any) -> None:
    """The contacts axis beside the agents' was synced to the agents' grid (Plotly's
    default for an overlaying axis) and read 16.2, 32.3, 48.5; the time axis read
    "07.03 00:00" beside a table that says "Mar 7, 2024, 00:00"."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with running_server(make_app(DEMO_DATA_DIR, live_updates=False)) as url:
        browser.set_window_size(1440, 900)
        browser.get(f"{url}/wfm/staffing?kind=day&lang=en")
        WebDriverWait(browser, 90).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "#plan-chart .y2tick"))

        def ticks(kind: str) -> list[str]:
            found: list[str] = browser.execute_script(
                f"return [...document.querySelectorAll('#plan-chart .{kind} text')]"
                ".map(t => t.textContent)")
            return found

        contacts = [float(t.replace(",", "")) for t in ticks("y2tick")]
        steps = {round(b - a, 6) for a, b in itertools.pairwise(contacts)}
        assert len(steps) == 1, contacts
        step = steps.pop()
        assert step == int(step) and str(int(step)).rstrip("0") in ("1", "2", "5"), contacts
        times = ticks("xtick")
        assert times and all(re.match(r"[A-Z][a-z]{2} \d{1,2}, \d\d:\d\d$", t) for t in times)


def test_erlang_a_with_a_day_s_threshold_answers(client: TestClient,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit's page (patience 1 s, a threshold of 86,400 s) ran some 35 Erlang A
    evaluations of 161 s each: over an hour for one request. Every caller has been
    answered or has hung up long before a day, so the SL is 1 − P(abandon): 11 agents
    give 83.9 % (16.1 % abandon; the audit's dense reference 0.8390589), 10 give 78.8 %.
    The work is bounded by the rates × seconds the exponential is asked to carry."""
    import scipy.sparse.linalg as sparse_linalg

    real, asked = sparse_linalg.expm_multiply, [0.0]

    def counted(matrix: Any, vector: Any, *args: Any, **kwargs: Any) -> Any:
        asked[0] += float(sparse_linalg.norm(matrix, 1))
        if asked[0] > 200_000:  # the old single stretch: millions per evaluation
            raise AssertionError(f"expm_multiply asked for {asked[0]:,.0f}")
        return real(matrix, vector, *args, **kwargs)

    monkeypatch.setattr(sparse_linalg, "expm_multiply", counted)
    page = _page(client, "kind=calls&model=erlang_a&patience=1&threshold=86400&volume=100"
                         "&aht=180&target_sl=80&shrinkage=0")
    assert _problems(page) == []
    tiles = _tiles(page)
    assert (tiles["agents"], tiles["service-level"], tiles["p-abandon"]) == (
        "11", "83.9 %", "16.1 %")
    levels = {int(agents): sl for agents, _, sl in LEVEL.findall(page)}
    assert (levels[10], levels[11]) == ("78.8 %", "83.9 %")
