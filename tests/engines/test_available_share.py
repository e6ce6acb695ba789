"""Occupancy cut by channel: channel-less available time shared among the channels each
agent worked that day (``available=pro_rata``, the default), hand-computed, on every engine.

States (UTC), 4 March:
- a1 (blended): voice handling 09:00–11:00 (120 min), chat handling 11:00–12:00 (60 min),
  available without a channel 12:00–13:00 (60 min) → its 60 min go 2/3 to voice (40 min)
  and 1/3 to chat (20 min);
- a3: voice handling 09:00–09:30 (30 min), available *on voice* 09:30–10:00 (30 min):
  recorded with its channel, it stays on voice;
- a2: available without a channel 09:00–10:00, no work → nowhere to share: stays in the
  row without a channel;
- a4 (back office): e-mail handling 09:00–10:00 (discrete: not occupancy work),
  available without a channel 10:00–11:00 → no continuous work: stays without a channel.
5 March: a1 available without a channel 09:00–10:00 and nothing else that day → stays
without a channel (4 March's work does not reach it).

By channel, 4 March (grain day):
- voice = (120 + 30) / (120 + 30 + 40 + 30) = 150/220;
- chat = 60 / (60 + 20) = 0.75;
- no channel = 0 / (60 + 60) = 0; e-mail has no continuous time: no value.
5 March: {no channel: 0}.

The shares are each day's whatever the grain, so the whole window (grain total) reads
the same channel figures as the days add up to: voice 150/220, chat 0.75, no channel
0/180; the channels' rows add up to the total: (150 + 60) / (220 + 80 + 180) = 210/480.
By the hour, a1's idle 12:00–13:00 hour is still 2/3 voice (its day's work), though no
call was in that hour.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.engine.available_share import share_available
from omnikpi.engine.drill import drill
from omnikpi.engine.sources import KEY
from omnikpi.errors import UsageError
from omnikpi.schema.dataset import load_dataset

from ..builders import call, dataset


def state(agent: str, kind: str, start: str, end: str, channel: str | None = None
          ) -> dict[str, Any]:
    return {"agent_id": agent, "state": kind, "start": f"2024-03-0{start}:00Z",
            "end": f"2024-03-0{end}:00Z", "channel": channel}


STATES = [
    state("a1", "handling", "4T09:00", "4T11:00", "voice"),
    state("a1", "handling", "4T11:00", "4T12:00", "chat"),
    state("a1", "available", "4T12:00", "4T13:00"),
    state("a1", "available", "5T09:00", "5T10:00"),
    state("a2", "available", "4T09:00", "4T10:00"),
    state("a3", "handling", "4T09:00", "4T09:30", "voice"),
    state("a3", "available", "4T09:30", "4T10:00", "voice"),
    state("a4", "handling", "4T09:00", "4T10:00", "email"),
    state("a4", "available", "4T10:00", "4T11:00"),
]
AS_OF = "2024-03-06T00:00:00Z"
CON = ibis.duckdb.connect()


@pytest.fixture
def blended(tmp_path: Path) -> Path:
    return dataset(tmp_path / "blended", agent_states=STATES)


def occupancy(data: Path, engine: str, by: list[str], grain: str = "total",
              **params: Any) -> dict[Any, float | None]:
    rows = omnikpi.report_result(
        data, engine=engine, metrics=["occupancy"], by=by, grain=grain, tz="UTC",
        as_of=AS_OF, params={f"occupancy.{k}": v for k, v in params.items()}).rows
    return {tuple(r[d] for d in (["period_start"] if grain != "total" else []) + by):
            r["occupancy"] for r in rows}


def test_available_time_is_shared_by_the_channels_worked_each_day(
        blended: Path, engine: str) -> None:
    got = occupancy(blended, engine, ["channel"], grain="day")
    day4 = {k[1]: v for k, v in got.items() if str(k[0]).startswith("2024-03-04")}
    day5 = {k[1]: v for k, v in got.items() if str(k[0]).startswith("2024-03-05")}
    assert day4 == pytest.approx({"voice": 150 / 220, "chat": 0.75, None: 0.0, "email": None})
    assert day5 == {None: 0.0}


def test_over_the_whole_window_each_day_keeps_its_shares_and_they_add_up(
        blended: Path, engine: str) -> None:
    got = occupancy(blended, engine, ["channel"])
    assert got == pytest.approx({("voice",): 150 / 220, ("chat",): 0.75, (None,): 0.0,
                                 ("email",): None})
    assert occupancy(blended, engine, []) == pytest.approx({(): 210 / 480})


def test_an_idle_hour_goes_to_the_channels_of_its_day(blended: Path, engine: str) -> None:
    """By the hour: a1's 12:00 hour holds only available time, shared by its day's work
    (2/3 voice: 40 min over 40 min → 0 %), not left without a channel."""
    got = occupancy(blended, engine, ["channel"], grain="hour")
    noon = {k[1]: v for k, v in got.items() if str(k[0]).startswith("2024-03-04T12")}
    assert noon == {"voice": 0.0, "chat": 0.0}


def test_a_filter_on_a_channel_reads_the_same_share(blended: Path, engine: str) -> None:
    rows = omnikpi.report_result(blended, engine=engine, metrics=["occupancy"], tz="UTC",
                                 as_of=AS_OF, where={"channel": ["chat"]}).rows
    assert [r["occupancy"] for r in rows] == pytest.approx([0.75])


def test_by_agent_nothing_moves(blended: Path, engine: str) -> None:
    """Sharing moves available time between channels of one agent, never between agents."""
    assert occupancy(blended, engine, ["agent_id"]) == pytest.approx({
        ("a1",): 180 / 300, ("a2",): 0.0, ("a3",): 0.5, ("a4",): 0.0})


def test_as_recorded_leaves_it_without_a_channel(blended: Path, engine: str) -> None:
    got = occupancy(blended, engine, ["channel"], available="as_recorded")
    assert got == pytest.approx({("voice",): 150 / 180, ("chat",): 1.0, (None,): 0.0,
                                 ("email",): None})
    # the same total either way
    assert occupancy(blended, engine, [], available="as_recorded") == pytest.approx(
        {(): 210 / 480})


def test_a_bad_choice_names_the_choices(blended: Path) -> None:
    with pytest.raises(UsageError, match="pro_rata, as_recorded"):
        occupancy(blended, "duckdb", ["channel"], available="evenly")


def test_the_drill_down_lists_the_shared_pieces(blended: Path, engine: str) -> None:
    """Filtered by chat, the rows behind the figure: a1's chat hour and the third of its
    4 March available hour, saying which share of its recorded piece it is (5 March's
    hour, a day without work, is not chat's)."""
    found = drill(load_dataset(blended), "occupancy", tz="UTC", as_of=AS_OF,
                  where={"channel": ["chat"]}, engine=engine)
    assert found.figure.value == pytest.approx(0.75)
    assert "share" in found.columns
    rows = found.everything("all", "piece_start", False)
    records = rows.to_dict("records")
    assert [r["state"] for r in records] == ["handling", "available"]
    assert [r["seconds"] for r in records] == pytest.approx([3600.0, 1200.0])
    assert [r["share"] for r in records] == pytest.approx([1.0, 1 / 3])
    plain = drill(load_dataset(blended), "occupancy", tz="UTC", as_of=AS_OF, engine=engine)
    assert "share" not in plain.columns  # unfiltered: the pieces as recorded


PIECE = st.tuples(st.sampled_from(["a1", "a2", "a3"]), st.integers(0, 2),
                  st.sampled_from(["available", "handling", "hold", "acw", "not_ready"]),
                  st.sampled_from([None, "voice", "chat", "email"]),
                  st.integers(0, 3600), st.sampled_from([None, "A", "B"]),
                  st.sampled_from([None, "kyiv"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(PIECE, max_size=25))
def test_sharing_keeps_every_agents_seconds_and_follows_the_work(
        pieces: list[tuple[str, int, str, str | None, int, str | None, str | None]]) -> None:
    """On random pieces: each agent's seconds per period, tenant, site and state are
    kept; channel-less available time moves only to channels the agent worked in that
    period for the same tenant and site, in proportion to that work, and stays without a
    channel when there was none."""
    frame = pd.DataFrame(pieces, columns=["agent_id", KEY, "state", "channel", "seconds",
                                          "tenant", "site"])
    frame["seconds"] = frame["seconds"].astype("float64")
    frame["cont"] = frame["channel"].ne("email")
    schema = {"agent_id": "string", KEY: "int64", "state": "string", "channel": "string",
              "seconds": "float64", "tenant": "string", "site": "string", "cont": "boolean"}
    shared = CON.execute(share_available(ibis.memtable(frame, schema=schema), KEY))
    totals = ["agent_id", KEY, "tenant", "site", "state"]
    assert _sums(shared, totals) == pytest.approx(_sums(frame, totals))
    work = frame[frame.state.isin(["handling", "hold", "acw"]) & frame.cont
                 & frame.channel.notna()]
    place = ["agent_id", KEY, "tenant", "site"]
    for group, mine in frame.groupby(place, dropna=False):
        def same(table: pd.DataFrame, group: tuple[Any, ...] = group) -> pd.Series:
            agent, period, tenant, site = group
            return (table.agent_id == agent) & (table[KEY] == period) & (
                table.tenant.isna() if pd.isna(tenant) else table.tenant == tenant) & (
                table.site.isna() if pd.isna(site) else table.site == site)
        waiting = mine[(mine.state == "available") & mine.channel.isna()].seconds.sum()
        worked = work[same(work)]
        got = shared[same(shared) & (shared.state == "available")]
        recorded = mine[(mine.state == "available") & mine.channel.notna()]
        moved = _sums(got, ["channel"]) if len(got) else {}
        expected = _sums(recorded, ["channel"]) if len(recorded) else {}
        per_channel = worked.groupby("channel").seconds.sum()
        if per_channel.sum() > 0:
            for channel, seconds in per_channel.items():
                expected[(channel,)] = expected.get((channel,), 0.0) + \
                    waiting * seconds / per_channel.sum()
        elif waiting or ((mine.state == "available") & mine.channel.isna()).any():
            expected[(None,)] = waiting
        assert {k: v for k, v in moved.items() if v} == pytest.approx(
            {k: v for k, v in expected.items() if v})


def _sums(frame: pd.DataFrame, keys: list[str]) -> dict[tuple[Any, ...], float]:
    """Σ seconds per key (a missing channel as None)."""
    sums = frame.groupby(keys, dropna=False).seconds.sum()
    return {tuple(None if pd.isna(part) else part for part in
                  (key if isinstance(key, tuple) else (key,))): float(value)
            for key, value in sums.items()}


@pytest.fixture
def chat_agent(tmp_path: Path) -> Path:
    """A chat agent: one session 10:00–11:00 (handling on chat), then available without a
    channel 11:00–12:00."""
    return dataset(
        tmp_path / "chat",
        contacts=[call("s1", "2024-03-05T10:00:00Z", channel="chat",
                       answered="2024-03-05T10:00:00Z", ended="2024-03-05T11:00:00Z",
                       agent_id="c1")],
        agent_states=[state("c1", "handling", "5T10:00", "5T11:00", "chat"),
                      state("c1", "available", "5T11:00", "5T12:00")])


def test_chat_metrics_share_active_time_the_same_way(chat_agent: Path, engine: str) -> None:
    """∫ sessions = 3600 s; ActiveTime = 7200 s, all of it chat's when shared (the agent
    worked no other channel): accs = 0.5 on the chat row, as in total; as recorded, chat's
    row held only the handling hour (1.0) and the waiting sat in a row without a channel
    (0)."""
    data = chat_agent

    def accs(**params: Any) -> dict[Any, float | None]:
        rows = omnikpi.report_result(
            data, engine=engine, metrics=["accs", "chat_occupancy_absolute"], by=["channel"],
            tz="UTC", as_of=AS_OF, params={f"accs.{k}": v for k, v in params.items()}
            | {f"chat_occupancy_absolute.{k}": v for k, v in params.items()}).rows
        return {r["channel"]: (r["accs"], r["chat_occupancy_absolute"]) for r in rows}

    assert accs() == {"chat": pytest.approx((0.5, 0.5))}
    assert accs(available="as_recorded") == {"chat": pytest.approx((1.0, 1.0)),
                                             None: pytest.approx((0.0, 0.0))}


def test_the_chat_drill_down_of_active_time_shows_the_share(chat_agent: Path) -> None:
    found = drill(load_dataset(chat_agent), "accs", tz="UTC", as_of=AS_OF,
                  where={"channel": ["chat"]}, source="chat_agent_time")
    assert found.figure.value == pytest.approx(0.5)
    rows = found.everything("all", "piece_start", False).to_dict("records")
    assert [(r["state"], r["share"]) for r in rows] == [("handling", 1.0), ("available", 1.0)]


def test_from_the_command_line(blended: Path) -> None:
    """``omnikpi report --by channel``, then ``--param occupancy.available=as_recorded``."""
    def rows(*extra: str) -> dict[Any, Any]:
        done = CliRunner().invoke(app, ["report", "--data", str(blended), "--metrics",
                                        "occupancy", "--by", "channel", "--tz", "UTC",
                                        "--as-of", AS_OF, "--format", "json", *extra])
        assert done.exit_code == 0, done.output
        return {r["channel"]: r["occupancy"] for r in json.loads(done.stdout)["rows"]}

    assert rows() == pytest.approx({"voice": 150 / 220, "chat": 0.75, None: 0.0,
                                    "email": None})
    assert rows("--param", "occupancy.available=as_recorded") == pytest.approx(
        {"voice": 150 / 180, "chat": 1.0, None: 0.0, "email": None})
    bad = CliRunner().invoke(app, ["report", "--data", str(blended), "--metrics", "occupancy",
                                   "--param", "occupancy.available=evenly"])
    assert bad.exit_code == 2 and "pro_rata, as_recorded" in bad.output


def test_the_day_is_the_reports_local_day(tmp_path: Path, engine: str) -> None:
    """z1 handles voice 21:00–22:00 UTC and chat 22:00–23:00 UTC on 4 March, then waits
    23:00–23:30 UTC without a channel. In Kyiv (UTC+2) the voice hour is 4 March and the
    chat hour and the wait are 5 March: the wait is all chat's (voice 1.0, chat
    3600/5400). In UTC all three are 4 March: the wait is half each (0.8 and 0.8)."""
    data = dataset(tmp_path / "zone", agent_states=[
        state("z1", "handling", "4T21:00", "4T22:00", "voice"),
        state("z1", "handling", "4T22:00", "4T23:00", "chat"),
        state("z1", "available", "4T23:00", "4T23:30")])

    def by_channel(tz: str) -> dict[Any, float | None]:
        rows = omnikpi.report_result(data, engine=engine, metrics=["occupancy"],
                                     by=["channel"], tz=tz, as_of=AS_OF).rows
        return {r["channel"]: r["occupancy"] for r in rows}

    assert by_channel("Europe/Kyiv") == pytest.approx({"voice": 1.0, "chat": 3600 / 5400})
    assert by_channel("UTC") == pytest.approx({"voice": 0.8, "chat": 0.8})


@pytest.mark.parametrize("grain", ["day", "week", "total"])
def test_a_night_shifts_waiting_is_shared_by_each_day_it_lies_on(
        tmp_path: Path, engine: str, grain: str) -> None:
    """d1 (Kyiv, UTC+3 on 24 October 2026, +2 from 04:00 local on the 25th): available
    20:00–23:00 UTC (23:00–02:00 local: 60 min on the 24th, 120 on the 25th), voice
    23:15–02:00 UTC (165 min, the 25th), available 02:30–06:00 UTC (210 min, the 25th).
    The 24th worked no channel: its 60 min stay without one. The 25th: voice 165 /
    (165 + 120 + 210) = 1/3 at every grain (by week and in total the evening state
    counted on the 24th whole: voice 165 / (165 + 210) = 0.44)."""
    data = dataset(tmp_path / grain, agent_states=[
        {"agent_id": "d1", "state": "available", "start": "2026-10-24T20:00:00Z",
         "end": "2026-10-24T23:00:00Z"},
        {"agent_id": "d1", "state": "handling", "start": "2026-10-24T23:15:00Z",
         "end": "2026-10-25T02:00:00Z", "channel": "voice"},
        {"agent_id": "d1", "state": "available", "start": "2026-10-25T02:30:00Z",
         "end": "2026-10-25T06:00:00Z"}])
    rows = omnikpi.report_result(data, engine=engine, metrics=["occupancy"], by=["channel"],
                                 grain=grain, tz="Europe/Kyiv").rows
    voice = [r["occupancy"] for r in rows if r["channel"] == "voice"]
    assert voice == [pytest.approx(1 / 3)]
    assert [r["occupancy"] for r in rows if r["channel"] is None] == [0.0]


def test_an_agent_of_two_clients_waits_for_each_apart(tmp_path: Path, engine: str) -> None:
    """t9 handles voice for client A 09–10 and waits (no channel) for A 10–11, then chat for
    client B 11–12 and waits for B 12–13. A's waiting is A's voice: A voice 60/120 = 0.5,
    and A has no chat row (it read A voice 0.667, A chat 0, B voice 0 — a client's figures
    must equal its own login's)."""
    def piece(kind: str, start: str, end: str, channel: str | None, tenant: str
              ) -> dict[str, Any]:
        return {**state("t9", kind, start, end, channel), "tenant": tenant}
    data = dataset(tmp_path / "two", agent_states=[
        piece("handling", "4T09:00", "4T10:00", "voice", "A"),
        piece("available", "4T10:00", "4T11:00", None, "A"),
        piece("handling", "4T11:00", "4T12:00", "chat", "B"),
        piece("available", "4T12:00", "4T13:00", None, "B")])
    assert occupancy(data, engine, ["tenant", "channel"]) == pytest.approx({
        ("A", "voice"): 0.5, ("B", "chat"): 0.5})
