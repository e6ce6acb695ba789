"""The agent table and the agent page: the engine's numbers per agent, sorting, filters,
the day's Gantt and its legend, and an agent account that sees only itself."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import omnikpi
from omnikpi.auth.accounts import Principal, create_user
from omnikpi.auth.scope import UNBOUNDED, Scope, own_scope, scoped_dataset
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.formatting import human
from omnikpi.schema.dataset import Dataset
from omnikpi.store.db import session_scope
from omnikpi.web.deps import Filters, View
from omnikpi.web.gantt import color_of, period_days, timeline
from tests.web.conftest import log_in
from tests.web.tenants import DAY, MARK, write_two_tenants

PASSWORD = "agent password 1"
KYIV = "Europe/Kyiv"
ROW = re.compile(r'<tr data-agent="([^"]+)">(.*?)</tr>', re.S)
CELL = re.compile(r'<td data-metric="([^"]+)">(?:<a [^>]*>)?([^<]*)(?:</a>)?</td>')


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> TestClient:
    return TestClient(make_app())


def table(html: str) -> dict[str, dict[str, str]]:
    """The agent table as agent → metric → the text shown, in the page's row order."""
    return {agent: dict(CELL.findall(cells)) for agent, cells in ROW.findall(html)}


@functools.cache
def demo() -> Dataset:
    """The demo data, loaded once for the module's oracles."""
    return omnikpi.load_dataset(DEMO_DATA_DIR)


def report(metrics: list[str], **options: Any) -> dict[str, dict[str, Any]]:
    rows = omnikpi.report_result(demo(), metrics=metrics, by=["agent_id"], **options).rows
    return {r["agent_id"]: r for r in rows if r["agent_id"]}


def days_of(html: str) -> list[str]:
    found = re.search(r'<select name="day" id="day-select">(.*?)</select>', html, re.S)
    assert found
    return re.findall(r'<option value="([^"]+)"', found.group(1))


def states_csv() -> pd.DataFrame:
    frame = pd.read_csv(DEMO_DATA_DIR / "agent_states.csv")
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def test_the_table_shows_the_engines_handled_and_aht_per_agent(client: TestClient) -> None:
    page = client.get("/agents")
    assert page.status_code == 200
    shown = table(page.text)
    expected = report(["handled", "aht"])
    assert set(expected) <= set(shown)
    for agent, row in expected.items():
        assert shown[agent]["handled"] == human(row["handled"], "count")
        assert shown[agent]["aht"] == human(row["aht"], "seconds")
    # by hand for one agent: answered contacts of chat-01 that ended
    contacts = pd.read_csv(DEMO_DATA_DIR / "contacts.csv")
    mine = contacts[(contacts.agent_id == "chat-01") & contacts.first_response_at.notna()
                    & contacts.ended_at.notna() & ~contacts.blocked.astype(bool)]
    assert shown["chat-01"]["handled"] == str(len(mine)) == "335"
    assert shown["chat-01"]["aht"] == "10:01"
    # agents with states but no contacts are rows too: handled 0 (a count, as in
    # `omnikpi report --by agent_id`), their average handle time "—" (no contact to average)
    assert shown["outbound-01"]["handled"] == "0" and shown["outbound-01"]["aht"] == "—"
    assert shown["outbound-01"]["occupancy"]
    # every figure links to its drill-down for that agent, with the page's filters
    assert '/drill?metric=aht&amp;agent_id=chat-01' in page.text
    assert 'href="/agents/chat-01"' in page.text


def test_occupancy_adherence_csat_and_not_ready_per_agent(client: TestClient) -> None:
    shown = table(client.get("/agents").text)
    expected = report(["occupancy", "adherence", "csat"])
    for agent, row in expected.items():
        for metric in ("occupancy", "adherence", "csat"):
            assert shown[agent][metric] == human(row[metric], "ratio"), (agent, metric)
    # not ready: not-ready seconds / logged-in seconds, from the raw states by hand
    states = states_csv()
    mine = states[states.agent_id == "chat-01"]
    seconds = (mine["end"] - mine["start"]).dt.total_seconds()
    share = seconds[mine.state == "not_ready"].sum() / seconds.sum()
    assert shown["chat-01"]["not_ready_share"] == human(share, "ratio") == "2.3 %"
    # the demo has no QA evaluations: the column says so instead of a number
    assert {row["qa_score"] for row in shown.values()} == {"—"}
    assert "the dataset has no table <code>qa_evaluations</code>" in client.get("/agents").text


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "an agent who handles only those reads 0 %"),
    ("ru", "у оператора, который ведёт только их, — 0 %"),
    ("uk", "в оператора, який веде лише їх, — 0 %")])
def test_a_back_office_agents_zero_occupancy_is_explained(client: TestClient, lang: str,
                                                          words: str) -> None:
    """The demo's e-mail agents read 0 % occupancy (continuous work only, as the catalog
    defines it); the notes under the table say why, in the page's language."""
    try:
        page = client.get("/agents", params={"lang": lang})
    finally:
        client.cookies.clear()  # ?lang= sets the language cookie of the module's client
    shown = table(page.text)
    assert {shown[a]["occupancy"] for a in shown if a.startswith("backoffice")} == {
        human(0.0, "ratio", lang)}
    note = page.text.split('id="occupancy-note">', 1)[1].split("</p>", 1)[0]
    assert words in note


@pytest.mark.parametrize(("column", "descending"), [("aht", True), ("aht", False),
                                                    ("handled", True)])
def test_sorting_by_a_column(client: TestClient, column: str, descending: bool) -> None:
    page = client.get("/agents", params={"sort": column,
                                         "dir": "desc" if descending else "asc"})
    order = [agent for agent, _ in ROW.findall(page.text)]
    values = report([column])
    with_value = sorted((a for a in order if values.get(a, {}).get(column) is not None),
                        key=lambda a: (values[a][column], a) if not descending
                        else (-values[a][column], a))
    assert order[:len(with_value)] == with_value
    # agents without a value come last, whichever the direction
    assert set(order[len(with_value):]) == {"outbound-01", "outbound-02"}
    assert f'data-key="{column}" aria-sort="{"descending" if descending else "ascending"}"' \
        in page.text
    # the header's link turns the direction around
    other = "asc" if descending else "desc"
    assert f"sort={column}&amp;dir={other}" in page.text


def test_site_and_queue_filters(client: TestClient) -> None:
    shown = table(client.get("/agents", params={"site": "lviv"}).text)
    expected = report(["handled", "occupancy"], where={"site": ["lviv"]})
    assert set(shown) == set(expected) == {
        "chat-01", "chat-02", "chat-03", *(f"support-0{i}" for i in range(1, 9))}
    assert all(shown[a]["handled"] == human(r["handled"], "count")
               for a, r in expected.items())
    # a queue cuts the contact figures; agent time has no queue and says so
    page = client.get("/agents", params={"queue": "support"})
    shown = table(page.text)
    handled = report(["handled"], where={"queue": ["support"]})
    assert shown["support-01"]["handled"] == human(handled["support-01"]["handled"], "count")
    occupancy = report(["occupancy"])
    assert shown["support-01"]["occupancy"] == human(occupancy["support-01"]["occupancy"],
                                                     "ratio")
    assert "Occupancy: not cut by Queue" in re.sub(r"\s+", " ", page.text)
    russian = TestClient(client.app).get("/agents", params={"queue": "support", "lang": "ru"})
    assert "Занятость: без отбора по полю «Очередь»" in re.sub(r"\s+", " ", russian.text)
    # the rows: the queue's agents (those who handled its contacts), not every agent
    assert set(shown) == set(handled) == {f"support-0{i}" for i in range(1, 9)}
    # tenant: bank's agents only
    assert set(table(client.get("/agents", params={"tenant": "bank"}).text)) == {
        "backoffice-01", "backoffice-02", "backoffice-03", "outbound-01", "outbound-02",
        *(f"sales-0{i}" for i in range(1, 6))}


def bars_of(html: str) -> list[dict[str, Any]]:
    found = re.search(r"const bars = (\[.*?\]);", html, re.S)
    assert found
    bars: list[dict[str, Any]] = json.loads(found.group(1))
    return bars


def legend_of(html: str) -> list[str]:
    found = re.search(r'<ul class="gantt-legend"[^>]*>(.*?)</ul>', html, re.S)
    assert found
    items = re.findall(r"<li [^>]*>(.*?)</li>", found.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


def test_the_gantt_shows_one_day_of_the_period(client: TestClient) -> None:
    # chat-02: a day with a lunch (chat-01 finished its sessions past the end of its lunch
    # that day and had none)
    day = date(2024, 3, 5)
    page = client.get("/agents/chat-02", params={"tz": KYIV, "day": day.isoformat()})
    assert page.status_code == 200
    bars = bars_of(page.text)
    zone = ZoneInfo(KYIV)
    start = datetime(2024, 3, 5, tzinfo=zone)
    end = start + timedelta(days=1)
    states = states_csv()
    mine = states[(states.agent_id == "chat-02") & (states["end"] > start)
                  & (states["start"] < end)]
    assert len(bars) == len(mine) > 30
    assert all(b["start"] >= "2024-03-05T00:00" and b["end"] <= "2024-03-06T00:00:00.000"
               for b in bars)
    assert bars[0]["start"] == min(mine["start"]).tz_convert(zone).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3]
    total_ms = sum(b["ms"] for b in bars)
    clipped = (mine["end"].clip(upper=end) - mine["start"].clip(lower=start))
    assert total_ms == pytest.approx(clipped.dt.total_seconds().sum() * 1000, abs=len(bars))
    # one colour per state and per not-ready reason, named in the legend
    reasons = sorted(mine[mine.state == "not_ready"].reason.dropna().unique())
    assert legend_of(page.text) == ["Available", "Handling",
                                    *(f"Not ready: {r}" for r in reasons)]
    assert f'data-key="not_ready:{reasons[0]}"' in page.text
    assert f"background: {color_of('not_ready', reasons[0])}" in page.text
    assert 'id="day-previous" href="?tz=Europe%2FKyiv&amp;day=2024-03-04"' in page.text
    assert 'id="day-next" href="?tz=Europe%2FKyiv&amp;day=2024-03-06"' in page.text
    russian = TestClient(client.app).get(  # its own client: the language is remembered
        "/agents/chat-02", params={"tz": KYIV, "day": "2024-03-05", "lang": "ru"})
    names = {"lunch": "обед", "break": "перерыв"}
    assert legend_of(russian.text) == ["Доступен", "Обработка",
                                       *(f"Не готов: {names[r]}" for r in reasons)]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", russian.text))
    assert "Занятость 91,2 % цель ≤ 85,0 %" in text and "Не готов 2,2 %" in text


def test_the_gantt_follows_the_date_filter(client: TestClient) -> None:
    # no day asked: the last day with data of the period
    whole = client.get("/agents/chat-01", params={"tz": KYIV})
    assert {b["start"][:10] for b in bars_of(whole.text)} == {"2024-03-06"}
    assert days_of(whole.text) == [
        "2024-03-04", "2024-03-05", "2024-03-06"]
    # From = To = 4 March (inclusive days in the form): that day only, whatever is asked
    first = client.get("/agents/chat-01", params={"tz": KYIV, "from": "2024-03-04",
                                                  "to": "2024-03-05", "day": "2024-03-06"})
    assert {b["start"][:10] for b in bars_of(first.text)} == {"2024-03-04"}
    assert days_of(first.text) == ["2024-03-04"]
    assert 'id="day-note"' in first.text
    # the period's edge inside the day cuts the bars
    morning = client.get("/agents/chat-01", params={
        "tz": KYIV, "from": "2024-03-05T09:00", "to": "2024-03-05T10:00"})
    bars = bars_of(morning.text)
    assert bars and bars[0]["start"] == "2024-03-05T09:00:00.000"
    assert bars[-1]["end"] == "2024-03-05T10:00:00.000"
    assert sum(b["ms"] for b in bars) == 3_600_000
    # a day that is not a date: the default day, without a note
    odd = client.get("/agents/chat-01", params={"tz": KYIV, "day": "5th of March"})
    assert {b["start"][:10] for b in bars_of(odd.text)} == {"2024-03-06"}
    assert 'id="day-note"' not in odd.text
    # an agent without states in the period: a sentence, no empty chart
    none = client.get("/agents/chat-01", params={"from": "2023-01-01", "to": "2023-01-02"})
    assert 'id="gantt-empty"' in none.text and "const bars" not in none.text


def test_the_agent_page_tiles_are_the_agents_figures(client: TestClient) -> None:
    page = client.get("/agents/chat-01", params={"from": "2024-03-04", "to": "2024-03-05"})
    expected = omnikpi.report_result(
        demo(), metrics=["handled", "aht", "occupancy"], from_="2024-03-04",
        to="2024-03-05", where={"agent_id": ["chat-01"]}).rows[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert f"Handled {human(expected['handled'], 'count')}" in text
    assert f"Average handle time {human(expected['aht'], 'seconds')}" in text
    assert f"Occupancy {human(expected['occupancy'], 'ratio')} target ≤ 85.0 %" in text
    # the former address leads here, with the filters
    old = client.get("/agent/chat-01?tz=Europe/Kyiv", follow_redirects=False)
    assert old.status_code == 307
    assert old.headers["location"] == "/agents/chat-01?tz=Europe/Kyiv"


def test_a_dialing_agents_page_shows_their_outbound_figures(client: TestClient) -> None:
    """outbound-01 takes the calls the demo's dialer connects: their page adds an outbound
    row — the attempts they took, right-party rate, RPC per hour, conversion — each the
    engine's figure for them, and counted by hand from the CSV; an agent who never dialed
    has no such row."""
    page = client.get("/agents/outbound-01", params={"lang": "en"})
    found = re.search(r'<div class="tiles agent-tiles" id="agent-tiles-outbound">(.*?)</div>\s*'
                      r'(?:<div class="agent-notes">|<h)', page.text, re.S)
    assert found and '<h2 class="tiles-title" id="tiles-outbound">Outbound</h2>' in page.text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()
    engine = report(["attempts", "rpc_rate", "rpc_per_hour", "conversion_rate"])["outbound-01"]
    dials = pd.read_csv(DEMO_DATA_DIR / "dial_attempts.csv")
    mine = dials[dials.agent_id == "outbound-01"]
    assert engine["attempts"] == len(mine) and (mine.result == "connected").all()
    rpc = int(mine.right_party.sum())
    assert engine["rpc_rate"] == pytest.approx(rpc / len(mine))
    assert engine["conversion_rate"] == pytest.approx(mine.converted.sum() / rpc)
    assert text == (
        f"Dial attempts {human(engine['attempts'], 'count')} "
        f"Right-party contact rate {human(engine['rpc_rate'], 'ratio')} "
        f"Right-party contacts per hour {human(engine['rpc_per_hour'], 'per_hour')} "
        f"Conversion rate {human(engine['conversion_rate'], 'ratio')}")
    assert 'href="/drill?metric=rpc_rate&amp;agent_id=outbound-01' in found.group(1)
    assert "agent-tiles-outbound" not in client.get("/agents/sales-01").text
    uk = client.get("/agents/outbound-01", params={"lang": "uk"}).text
    assert '<h2 class="tiles-title" id="tiles-outbound">Вихідні дзвінки</h2>' in uk


@pytest.fixture(scope="module")
def accounts(make_app: Callable[..., FastAPI]) -> FastAPI:
    app = make_app(auth_required=True)
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "chat-person", PASSWORD, "agent", tenant="telco",
                    agent_id="chat-01")
        create_user(session, "back-person", PASSWORD, "agent", tenant="bank",
                    agent_id="backoffice-01")
        create_user(session, "lead", PASSWORD, "supervisor", tenant="bank")
    return app


def test_an_agent_sees_their_own_page_and_numbers(accounts: FastAPI) -> None:
    with TestClient(accounts) as client:
        log_in(client, "back-person", PASSWORD)
        page = client.get("/agents/backoffice-01", params={"tz": KYIV})
        assert page.status_code == 200
        # their bank contacts only (backoffice-01 also answers telco's), and their agent
        # time, which the demo attributes to no tenant (a back office serving both)
        expected = omnikpi.report_result(
            demo(), metrics=["handled", "aht"],
            where={"agent_id": ["backoffice-01"], "tenant": ["bank"]}).rows[0]
        occupancy = omnikpi.report_result(
            demo(), metrics=["adherence"],
            where={"agent_id": ["backoffice-01"]}).rows[0]["adherence"]
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
        assert expected["handled"] == 82
        assert f"Handled {human(expected['handled'], 'count')}" in text
        assert f"Average handle time {human(expected['aht'], 'seconds')}" in text
        assert f"Schedule adherence {human(occupancy, 'ratio')}" in text
        bars = bars_of(page.text)
        assert bars and {b["start"][:10] for b in bars} == {"2024-03-06"}
        assert "Not ready: lunch" in legend_of(page.text)
        # the table lists them alone; another agent's page does not exist for them
        assert list(table(client.get("/agents").text)) == ["backoffice-01"]
        assert list(table(client.get("/agents", params={"agent_id": "sales-01"}).text)) == []
        for other in ("sales-01", "chat-01", "nobody"):
            refused = client.get(f"/agents/{other}")
            assert refused.status_code == 404 and other not in refused.text.split("<main")[1]
            assert "No such agent among the agents you may see." in refused.text
        assert client.get("/agent/sales-01").status_code == 404


def test_an_agent_of_another_tenant_and_a_supervisor(accounts: FastAPI) -> None:
    with TestClient(accounts) as client:
        log_in(client, "chat-person", PASSWORD)
        shown = table(client.get("/agents").text)
        everyone = report(["handled", "occupancy"])
        assert list(shown) == ["chat-01"]
        assert shown["chat-01"]["handled"] == human(everyone["chat-01"]["handled"], "count")
        assert shown["chat-01"]["occupancy"] == human(everyone["chat-01"]["occupancy"],
                                                      "ratio")
        assert client.get("/agents/backoffice-01").status_code == 404
    with TestClient(accounts) as client:
        log_in(client, "lead", PASSWORD)
        agents = set(table(client.get("/agents").text))
        # the bank's agents: its contacts' and its agent time's (the back office's states
        # have no tenant: a tenant-bound supervisor does not see them)
        assert {"sales-01", "backoffice-01", "outbound-01"} <= agents
        assert not any(a.startswith(("chat", "support")) for a in agents)
        assert client.get("/agents/sales-01").status_code == 200


def test_an_agents_own_rows_in_every_table(tmp_path: Path) -> None:
    """``own_scope``: the agent's id in their tenant — another tenant's agent with the same
    id (ids repeat across an outsourcer's clients) stays out; tables without an agent id
    count through the agent's contacts, evaluations or shifts, or not at all."""
    folder = write_two_tenants(tmp_path / "data")
    with (folder / "agent_states.csv").open("a") as handle:  # tenant B's own "a1"
        handle.write(f"a1,available,,{DAY}T07:00:00Z,{DAY}T07:30:00Z,voice,site-{MARK},B\n")
    dataset = omnikpi.load_dataset(folder)
    principal = Principal("a1-person", "agent", "A", (), "a1")
    scope = own_scope(principal)
    assert scope == Scope(("A",), (), agent="a1") and scope.key() != Scope(("A",)).key()
    own = scoped_dataset(dataset, scope)
    tables = ("contacts", "agent_states", "messages", "surveys", "qa_evaluations", "qa_items",
              "costs", "shifts", "shift_activities", "roster", "dial_attempts",
              "availability", "employee_surveys")
    counts = {t: int(own.con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
              for t in tables}
    assert counts == {"contacts": 2, "agent_states": 3, "messages": 0, "surveys": 2,
                      "qa_evaluations": 1, "qa_items": 1, "costs": 0, "shifts": 1,
                      "shift_activities": 1, "roster": 1, "dial_attempts": 0,
                      "availability": 0, "employee_surveys": 0}
    assert own.con.execute("SELECT DISTINCT agent_id, tenant FROM agent_states").fetchall() \
        == [("a1", "A")]
    # other roles keep their scope; an agent account without an agent id sees nothing
    assert own_scope(Principal("lead", "supervisor", "A")) is None
    assert own_scope(Principal("odd", "agent", "A")) == Scope(nothing=True)


def test_a_state_over_several_days_is_on_every_day_it_covers(tmp_path: Path) -> None:
    folder = write_two_tenants(tmp_path / "data")
    with (folder / "agent_states.csv").open("a") as handle:  # 20:00 UTC to 03:00 two days on
        handle.write("a1,not_ready,training,2026-11-02T20:00:00Z,2026-11-04T03:00:00Z,,kyiv,A\n")
    dataset = omnikpi.load_dataset(folder)
    view = View(None, Principal("admin", "admin"), UNBOUNDED, dataset)  # type: ignore[arg-type]
    filters = Filters(tz=KYIV)
    assert period_days(view, filters, "a1") == [date(2026, 11, 2), date(2026, 11, 3),
                                                date(2026, 11, 4)]
    middle = timeline(view, filters, "a1", "2026-11-03")
    assert [(b["key"], b["start"], b["end"]) for b in middle.bars] == [
        ("not_ready:training", "2026-11-03T00:00:00.000", "2026-11-04T00:00:00.000")]
    assert middle.previous == date(2026, 11, 2) and middle.next == date(2026, 11, 4)
    assert [entry["color"] for entry in middle.legend] == [color_of("not_ready", "training")]
    # Kyiv is UTC+2 in November: the state ends at 05:00 on the last day
    last = timeline(view, filters, "a1", None)
    assert last.day == date(2026, 11, 4) and last.bars[-1]["end"] == "2026-11-04T05:00:00.000"
    # To is exclusive in the API: to=2026-11-03 leaves the 2nd only
    cut = timeline(view, Filters(tz=KYIV, to="2026-11-03"), "a1", "2026-11-03")
    assert cut.day == date(2026, 11, 2) and cut.asked == "2026-11-03"


def test_a_filter_the_agent_time_cannot_take_leaves_the_agents_own_figures(
        client: TestClient) -> None:
    """On outbound-01's page filtered to the sales queue (which they never served), they
    handled 0 contacts and their AHT is "—" (none of their contacts is in it), while
    occupancy — agent
    time has no queue — is their whole occupancy, as the "not cut by Queue" note under
    it says; it is not blanked because they are not among the queue's agents."""
    page = client.get("/agents/outbound-01", params={"queue": "sales", "lang": "en"}).text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    whole = report(["occupancy"])["outbound-01"]["occupancy"]
    assert whole > 0.1
    assert "Handled 0 " in text and "Average handle time — " in text
    assert f"Occupancy* {human(whole, 'ratio')} target ≤ 85.0 %" in text
    assert "* Occupancy: not cut by Queue: its data has no such column." in text
    # the table keeps the queue's agents only: outbound-01 is not a row there
    assert "outbound-01" not in table(client.get("/agents", params={"queue": "sales"}).text)


def _odd_agents(folder: Path) -> Path:
    """Two contacts each of agents whose ids hold a slash, a comma and a backslash."""
    folder.mkdir()
    rows = []
    for n, agent in enumerate(["team/a", "team/a", "Doe, Jane", "Doe, Jane", "x\\y", "x\\y"]):
        start = datetime(2024, 3, 4, 8, 10 + n * 6)
        iso = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append({"contact_id": f"c{n}", "channel": "voice", "direction": "inbound",
                     "queue": "q1", "arrived_at": iso, "accepted_at": iso,
                     "first_response_at": iso, "agent_id": agent,
                     "ended_at": (start + timedelta(seconds=60 * (n + 1))).strftime(
                         "%Y-%m-%dT%H:%M:%SZ")})
    pd.DataFrame(rows).to_csv(folder / "contacts.csv", index=False)
    return folder


def test_an_agent_id_with_a_slash_or_comma_has_its_page_and_drill_downs(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """"team/a" had no page (404 by every address); "Doe, Jane" had a page of "—" (the
    id was read as the filter "Doe" or " Jane") and drill-downs of 0 rows."""
    client = TestClient(make_app(_odd_agents(tmp_path / "data")))
    listing = client.get("/agents").text
    assert table(listing)["Doe, Jane"]["handled"] == "2"
    links = dict(re.findall(r'<a href="(/agents/[^"?]+)[^"]*">([^<]+)</a>', listing))
    assert set(links.values()) == {"team/a", "Doe, Jane", "x\\y"}
    for href, agent in links.items():
        page = client.get(href)
        assert page.status_code == 200, agent
        tile = re.search(r'data-metric="handled"(.*?)</(?:a|div)>', page.text, re.S)
        assert tile and re.search(r">\s*2\s*<", tile.group(1)), agent
        drills = re.findall(r'href="(/drill\?metric=handled&amp;[^"]+)"', page.text)
        assert drills, agent
        drill = client.get(drills[0].replace("&amp;", "&")).text
        assert re.search(r'<p id="count">2 ', drill), agent
    # the former address still leads to the page
    old = client.get("/agent/team/a", follow_redirects=False)
    assert old.status_code == 307 and old.headers["location"] == "/agents/team/a"


def test_the_agents_figures_are_at_the_as_of_the_page_states(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """An evaluation recorded in 2026 of an agent whose data ends in March 2024: the page
    said "As of 2024-03-06 22:00" and scored the agent 70.00 from it (its QA report chose
    its own as-of, the evaluation's); typing that same as-of gave "—"."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    (data / "qa_evaluations.csv").write_text(
        "evaluation_id,contact_id,chain_id,agent_id,evaluator_id,form_id,evaluated_at,score,"
        "critical_error,calibration\n"
        "e1,mail-000001,,backoffice-01,lead,f@v1,2026-12-01T10:00:00+00:00,70.0,false,false\n")
    (data / "qa_items.csv").write_text(
        "evaluation_id,item_id,weight,score,critical\ne1,a,1,0.7,false\n")
    client = TestClient(make_app(data))
    shown = client.get("/agents").text
    as_of = re.search(r'id="period-as-of">([^<]+)<', shown)
    assert as_of and as_of.group(1).startswith("2024-03-06")
    typed = client.get("/agents?as_of=2024-03-06T22:00:00Z").text
    assert table(shown)["backoffice-01"]["qa_score"] == \
        table(typed)["backoffice-01"]["qa_score"] == "—"
    page = client.get("/agents/backoffice-01").text
    tile = re.search(r'data-metric="qa_score"(.*?)</(?:a|div)>', page, re.S)
    assert tile and "70" not in tile.group(1)
    # its drill-downs show their figure at the same as-of
    drill = re.search(r'href="(/drill\?metric=handled&amp;[^"]+)"', page)
    assert drill and "as_of=2024-03-06" in drill.group(1)
    # an as-of after the evaluation counts it, on both pages
    later = client.get("/agents?as_of=2026-12-02T00:00:00Z").text
    assert table(later)["backoffice-01"]["qa_score"] == "70.00"


def test_an_agent_s_duration_tiles_say_their_clock(client: TestClient) -> None:
    """As on the dashboard: an agent's AHT of 5:03 is minutes, said in the page's
    language (the same "15:13" read as hours there)."""
    page = client.get("/agents/chat-01", params={"tz": KYIV, "lang": "ru"}).text
    clocks = re.findall(r'<span class="value">([^<]+) <span class="clock">([^<]+)</span>',
                        page)
    assert clocks and all(clock == ("ч:мин:с" if value.count(":") == 2 else "мин:с")
                          for value, clock in clocks), clocks
    assert not re.search(r'<span class="value">[^<:]+ <span class="clock">', page)
