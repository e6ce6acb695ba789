"""Hand-computed cases for the catalog's shared rules, on every engine.

Each test states its arithmetic; times are UTC unless a zone is named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnikpi
from omnikpi.engine.result import ReportResult

from ..builders import call, dataset


def run(data: Path, engine: str, **kwargs: Any) -> ReportResult:
    return omnikpi.report_result(data, engine=engine, **kwargs)


def only(result: ReportResult) -> dict[str, Any]:
    assert len(result.rows) == 1, result.rows
    return result.rows[0]


def test_interval_booking_arrival_vs_end(tmp_path: Path, engine: str) -> None:
    # Arrives 10:29:50 (interval 10:00), answered 10:30:10, ends 10:35 (interval 10:30).
    data = dataset(tmp_path, contacts=[
        call("c1", "2024-03-05T10:29:50", answered="2024-03-05T10:30:10",
             ended="2024-03-05T10:35:00", acw_seconds=30),
    ])
    rows = run(data, engine, metrics=["offered", "answered", "asa", "handled", "aht"],
               grain="30min").rows
    assert rows == [
        {"period_start": "2024-03-05T10:00:00+00:00", "offered": 1, "answered": 1,
         "asa": 20.0, "handled": 0, "aht": None},
        {"period_start": "2024-03-05T10:30:00+00:00", "offered": 0, "answered": 0,
         "asa": None, "handled": 1, "aht": 4 * 60 + 50 + 30.0},
    ]


def test_threshold_is_inclusive_and_exact(tmp_path: Path, engine: str) -> None:
    # Waits 20.000000 s (on time) and 20.000001 s (late): SL = 1/2 at T = 20.
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T10:00:00", answered="2024-03-05T10:00:20",
             ended="2024-03-05T10:01:00"),
        call("b", "2024-03-05T10:00:00", answered="2024-03-05T10:00:20.000001",
             ended="2024-03-05T10:01:00"),
    ])
    row = only(run(data, engine, metrics=["service_level", "asa"],
                   params={"threshold_seconds": 20}))
    assert row["service_level"] == 0.5
    assert row["asa"] == pytest.approx(20.0000005, abs=1e-9)


def test_short_abandon_boundary(tmp_path: Path, engine: str) -> None:
    # Abandons after 4.9 s (short) and 5.0 s (not short), plus one answered on time.
    # abandon_rate = (2 − 1) / (3 − 1) = 0.5; SL = 1 / (3 − 1) = 0.5;
    # avg_abandon_time = 5.0 (short excluded); avg_wait keeps the short one:
    # (4.9 + 5 + 10) / 3; short_abandoned = 1; with exclusion off: abandon_rate 2/3.
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T10:00:00", abandoned="2024-03-05T10:00:04.9"),
        call("b", "2024-03-05T10:00:00", abandoned="2024-03-05T10:00:05"),
        call("c", "2024-03-05T10:00:00", answered="2024-03-05T10:00:10",
             ended="2024-03-05T10:02:00"),
    ])
    row = only(run(data, engine, metrics=[
        "abandon_rate", "service_level", "avg_abandon_time", "avg_wait", "short_abandoned",
        "abandoned"]))
    assert row["abandon_rate"] == 0.5
    assert row["service_level"] == 0.5
    assert row["avg_abandon_time"] == 5.0
    assert row["avg_wait"] == pytest.approx((4.9 + 5 + 10) / 3)
    assert row["short_abandoned"] == 1
    assert row["abandoned"] == 2
    off = only(run(data, engine, metrics=["abandon_rate"],
                   params={"exclude_short_abandons": "false"}))
    assert off["abandon_rate"] == pytest.approx(2 / 3)


def test_empty_denominators_are_null_and_counts_zero(tmp_path: Path, engine: str) -> None:
    # Queue q2 has only a blocked contact: offered 0, blocked_rate 1, every ratio null.
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T10:00:00", answered="2024-03-05T10:00:10",
             ended="2024-03-05T10:02:00"),
        call("b", "2024-03-05T10:00:00", queue="q2", blocked="true"),
    ])
    rows = run(data, engine, by=["queue"], metrics=[
        "offered", "blocked_rate", "service_level", "asa", "abandon_rate", "aht", "max_wait"],
    ).rows
    assert rows[1] == {"queue": "q2", "offered": 0, "blocked_rate": 1.0,
                       "service_level": None, "asa": None, "abandon_rate": None,
                       "aht": None, "max_wait": None}
    assert rows[0]["blocked_rate"] == 0.0 and rows[0]["max_wait"] == 10.0


def test_a_rate_per_hour_of_a_given_window_without_work_is_zero(tmp_path: Path,
                                                               engine: str) -> None:
    # Calls handled on 5 and 7 March. Over 6 March (24 h given): handled 0, 0 / 24 h = 0
    # per hour — as on a day holding only an unhandled call — not "no value", which a
    # window without a record gave (the hours are the window's, not the data's). Before
    # the data's first record (4 March) or past its last (8 March) nothing is known: no
    # value, as with no window given and no end to count hours from (a filter no row
    # holds).
    data = dataset(tmp_path, contacts=[
        call(c, f"2024-03-0{d}T10:00:00", answered=f"2024-03-0{d}T10:00:10",
             ended=f"2024-03-0{d}T10:02:00") for c, d in (("a", 5), ("b", 7))])

    def day(d: int) -> dict[str, str]:
        return {"from_": f"2024-03-0{d}T00:00:00Z", "to": f"2024-03-0{d + 1}T00:00:00Z"}

    assert only(run(data, engine, metrics=["handled", "transactions_per_hour", "aht"],
                    **day(6))) == {"handled": 0, "transactions_per_hour": 0.0, "aht": None}
    assert only(run(data, engine, metrics=["transactions_per_hour"], **day(7))) == \
        {"transactions_per_hour": 1 / 24}
    for before_or_after in (4, 8):  # before the first record, past the last
        with pytest.warns(omnikpi.ReportNote):
            assert only(run(data, engine, metrics=["transactions_per_hour"],
                            **day(before_or_after))) == {"transactions_per_hour": None}
    assert only(run(data, engine, metrics=["transactions_per_hour"],
                    where={"queue": ["none"]})) == {"transactions_per_hour": None}


def test_transactions_per_logged_in_hour_is_cut_by_agent_dimensions_only(
        tmp_path: Path, engine: str) -> None:
    # Logged-in time is the agent's, not a channel's: a blended agent's available state
    # carries no channel, so cut by channel the chat row divided 4 chats by the 1.25 h of
    # states marked chat (3.2 an hour) for an agent logged in 4 h (1.0). The catalog says
    # per=logged_in is cut only by agent dimensions: a cut by channel is refused; the
    # period's hours (per=period) still may be.
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T10:00:00", answered="2024-03-05T10:00:10",
             ended="2024-03-05T10:02:00", agent_id="a1")], agent_states=[
        {"agent_id": "a1", "state": s, "start": f"2024-03-05T{b}Z", "end": f"2024-03-05T{e}Z",
         "channel": c} for s, b, e, c in (("available", "09:00:00", "10:00:10", ""),
                                          ("handling", "10:00:10", "10:02:00", "voice"),
                                          ("available", "10:02:00", "11:00:00", ""))])
    assert only(run(data, engine, metrics=["transactions_per_hour"],
                    params={"per": "logged_in"})) == {"transactions_per_hour": 0.5}
    with pytest.raises(omnikpi.UsageError,
                       match="transactions_per_hour cannot be cut by channel"):
        run(data, engine, metrics=["transactions_per_hour"], by=["channel"],
            params={"per": "logged_in"})
    rows = run(data, engine, metrics=["transactions_per_hour"], by=["channel"],
               from_="2024-03-05T10:00:00Z", to="2024-03-05T11:00:00Z").rows
    assert rows == [{"channel": "voice", "transactions_per_hour": 1.0}]
    # sales per hour divides by the same hours
    with pytest.raises(omnikpi.UsageError, match="sales_per_hour cannot be cut by channel"):
        run(data, engine, metrics=["sales_per_hour"], by=["channel"])


def test_timeouts_stay_in_denominators(tmp_path: Path, engine: str) -> None:
    # c left the queue at 10:05 unanswered (timeout): SL 1/2 and abandon rate 0/2.
    # d is still waiting at as-of after 10 s (≤ T): left out of SL, not an abandon.
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T10:00:00", answered="2024-03-05T10:00:10",
             ended="2024-03-05T10:02:00"),
        call("c", "2024-03-05T10:00:00", ended="2024-03-05T10:05:00"),
        call("d", "2024-03-05T10:04:50"),
    ])
    row = only(run(data, engine, metrics=["service_level", "abandon_rate", "offered"],
                   as_of="2024-03-05T10:05:00Z"))
    assert row == {"service_level": 0.5, "abandon_rate": 0.0, "offered": 3}


def test_as_of_hides_what_has_not_happened(tmp_path: Path, engine: str) -> None:
    # At as-of 10:00:30 the call answered at 10:01 is still waiting (30 s > T = 20: late),
    # and the call arriving at 10:02 does not exist yet.
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T10:00:00", answered="2024-03-05T10:01:00",
             ended="2024-03-05T10:03:00"),
        call("b", "2024-03-05T10:02:00", answered="2024-03-05T10:02:05",
             ended="2024-03-05T10:03:00"),
    ])
    row = only(run(data, engine, metrics=["offered", "answered", "service_level", "handled"],
                   as_of="2024-03-05T10:00:30Z"))
    assert row == {"offered": 1, "answered": 0, "service_level": 0.0, "handled": 0}


def test_discrete_abandon_and_mixed_group(tmp_path: Path, engine: str) -> None:
    # Voice: 1 on time of 2 offered. E-mail (T = 86400): one answered after 2 h (on time),
    # one withdrawn by the customer (abandoned, not in SL). Pooled SL = (1 + 1) / (2 + 1).
    data = dataset(tmp_path, contacts=[
        call("v1", "2024-03-05T10:00:00", answered="2024-03-05T10:00:05",
             ended="2024-03-05T10:02:00"),
        call("v2", "2024-03-05T10:00:00", answered="2024-03-05T10:01:00",
             ended="2024-03-05T10:02:00"),
        call("m1", "2024-03-05T08:00:00", channel="email", queue="mail",
             answered="2024-03-05T10:00:00", ended="2024-03-05T10:00:00"),
        call("m2", "2024-03-05T08:00:00", channel="email", queue="mail",
             abandoned="2024-03-05T09:00:00"),
    ])
    row = only(run(data, engine, metrics=["service_level", "abandon_rate", "avg_time_late"],
                   as_of="2024-03-05T12:00:00Z"))
    assert row["service_level"] == pytest.approx(2 / 3)
    assert row["abandon_rate"] == 0.0  # continuous only: voice has no abandon
    assert row["avg_time_late"] is None  # discrete: nothing late


def test_transfers_and_resolution(tmp_path: Path, engine: str) -> None:
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T10:00:00", answered="2024-03-05T10:00:05",
             ended="2024-03-05T10:02:00", transferred="true", resolved="false"),
        call("b", "2024-03-05T10:02:00", answered="2024-03-05T10:02:05",
             ended="2024-03-05T10:05:00", parent_id="a", resolved="true"),
        call("c", "2024-03-05T10:03:00", answered="2024-03-05T10:03:05",
             ended="2024-03-05T10:06:00"),
    ])
    row = only(run(data, engine, metrics=["transferred", "transfer_rate", "resolution_rate"]))
    assert row == {"transferred": 1, "transfer_rate": pytest.approx(1 / 3),
                   "resolution_rate": 0.5}


def test_fcr_chains_windows_topics_and_transfers(tmp_path: Path, engine: str) -> None:
    # as-of 03-20 00:00, window 168 h.
    # q1 (cust A, billing) ends 03-05 10:05; A calls again 03-08 (billing): repeat.
    # q2 = that repeat, ends 03-08 10:05: no later contact → resolved.
    # q3 (cust B, billing) ends 03-05; B calls 03-06 about "tech": other topic, resolved.
    # q4 (cust C) transferred to leg q5 (parent_id q4): q4 is not resolved at first contact
    # (catalog v1.2: a transfer breaks FCR); q5, a leg, is not a question of its own.
    # q6 (cust D) ends 03-18: window not elapsed at as-of → left out.
    # q7 (cust E, 03-07) transferred to leg q8, itself transferred to leg q9 (parent q8,
    # not q7): the legs continue q7's question, neither questions nor repeats.
    # fcr = 3 resolved (q2, q3, q3b) / 6 questions (q1, q2, q3, q3b, q4, q7); q3b is B's
    # tech contact; repeat rate = 1 (q1) / 6.
    day = "2024-03-0{}T10:00:00"
    def c(i: str, d: int, cust: str, topic: str | None, **kw: Any) -> dict[str, Any]:
        return call(i, day.format(d), answered=day.format(d)[:-2] + "05",
                    ended=day.format(d)[:-5] + "05:00", customer_id=cust, topic=topic, **kw)
    data = dataset(tmp_path, contacts=[
        c("q1", 5, "A", "billing"), c("q2", 8, "A", "billing"),
        c("q3", 5, "B", "billing"), c("q3b", 6, "B", "tech"),
        c("q4", 5, "C", None, transferred="true"), c("q5", 5, "C", None, parent_id="q4"),
        call("q6", "2024-03-18T10:00:00", answered="2024-03-18T10:00:05",
             ended="2024-03-18T10:05:00", customer_id="D"),
        c("q7", 7, "E", None, transferred="true"),
        call("q8", "2024-03-07T10:05:00", answered="2024-03-07T10:05:05",
             ended="2024-03-07T10:10:00", customer_id="E", parent_id="q7",
             transferred="true"),
        call("q9", "2024-03-07T10:10:00", answered="2024-03-07T10:10:05",
             ended="2024-03-07T10:15:00", customer_id="E", parent_id="q8"),
    ])
    row = only(run(data, engine, metrics=["fcr", "repeat_rate"], as_of="2024-03-20T00:00:00Z"))
    assert row["fcr"] == pytest.approx(3 / 6)
    assert row["repeat_rate"] == pytest.approx(1 / 6)
    # Without topic matching B's tech contact repeats q3 too: 2 / 6.
    loose = only(run(data, engine, metrics=["fcr"], as_of="2024-03-20T00:00:00Z",
                     params={"match_topic": "false"}))
    assert loose["fcr"] == pytest.approx(2 / 6)
    # A 48 h window no longer reaches A's call three days later: q1 resolved too, 4 / 6.
    short = only(run(data, engine, metrics=["fcr"], as_of="2024-03-20T00:00:00Z",
                     params={"fcr.window_hours": 48}))
    assert short["fcr"] == pytest.approx(4 / 6)
    # The source text's other reading: only a repeat breaks FCR (q4 and q7 resolved — the
    # second leg q9 is no repeat of q7): 5 / 6.
    lenient = only(run(data, engine, metrics=["fcr", "repeat_rate"],
                       as_of="2024-03-20T00:00:00Z", params={"transfer_breaks_fcr": "false"}))
    assert lenient == {"fcr": pytest.approx(5 / 6), "repeat_rate": pytest.approx(1 / 6)}


def test_a_customer_id_is_each_tenants_own(tmp_path: Path, engine: str) -> None:
    """An outsourcer's clients number their customers each their own way: the bank's
    cust7 and the telco's cust7 are two people. The bank's question (b1) was counted
    repeated by the telco's call a day later; the bank's own call back (b3) repeats b2.
    The bank's FCR is 2/3 (b1 and b3 resolved, b2 repeated), cut by tenant or filtered."""
    def c(i: str, when: str, tenant: str) -> dict[str, Any]:
        return call(i, f"2024-03-{when}:00", answered=f"2024-03-{when}:05",
                    ended=f"2024-03-{when[:-2]}30:00", customer_id="cust7", tenant=tenant)
    data = dataset(tmp_path, contacts=[
        c("b1", "05T10:00", "bank"), c("t1", "06T10:00", "telco"),
        c("b2", "10T10:00", "bank"), c("b3", "11T10:00", "bank")])
    asked = {"metrics": ["fcr"], "as_of": "2024-03-20T00:00:00Z",
             "params": {"fcr.window_hours": 24}}
    by_tenant = {r["tenant"]: r["fcr"] for r in run(data, engine, by=["tenant"], **asked).rows}
    # bank: b1 resolved, b2 repeated by b3, b3 resolved: 2/3; telco: t1 alone, resolved
    assert by_tenant == {"bank": pytest.approx(2 / 3), "telco": pytest.approx(1.0)}
    filtered = only(run(data, engine, where={"tenant": ["bank"]}, **asked))
    assert filtered["fcr"] == pytest.approx(2 / 3)


def test_a_leg_of_another_tenant_transfers_nothing(tmp_path: Path, engine: str) -> None:
    """A transfer leg belongs to its question's tenant: a bank's contact posted with the
    telco's contact t1 as its parent (a bank API key may post any parent id) counted t1
    transferred, and the telco's FCR fell from 2/2 to 1/2 in the operator's reports."""
    def c(i: str, day: str, tenant: str, **more: Any) -> dict[str, Any]:
        return call(i, f"2024-03-{day}T10:00:00", answered=f"2024-03-{day}T10:00:05",
                    ended=f"2024-03-{day}T10:30:00", customer_id=f"cust-{i}",
                    tenant=tenant, **more)
    data = dataset(tmp_path, contacts=[
        c("t1", "05", "telco"), c("t2", "06", "telco"),
        c("b1", "05", "bank", parent_id="t1")])
    asked = {"metrics": ["fcr"], "as_of": "2024-03-20T00:00:00Z"}
    by_tenant = {r["tenant"]: r["fcr"] for r in run(data, engine, by=["tenant"], **asked).rows}
    assert by_tenant == {"telco": pytest.approx(1.0)}  # b1, a leg, is no question
    assert only(run(data, engine, where={"tenant": ["telco"]}, **asked))["fcr"] == \
        pytest.approx(1.0)


def test_dst_days_in_reporting_zone(tmp_path: Path, engine: str) -> None:
    # Europe/Kyiv springs forward on 2024-03-31 (03:00 → 04:00): that day has 23 h.
    # 2024-03-30T22:30Z is 00:30 local on 03-31; 2024-03-31T21:30Z is 00:30 on 04-01.
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-30T22:30:00", answered="2024-03-30T22:30:10",
             ended="2024-03-30T22:35:00"),
        call("b", "2024-03-31T21:30:00", answered="2024-03-31T21:30:10",
             ended="2024-03-31T21:35:00"),
    ])
    rows = run(data, engine, metrics=["offered", "transactions_per_hour"], grain="day",
               tz="Europe/Kyiv").rows
    assert rows == [
        {"period_start": "2024-03-31T00:00:00+02:00", "offered": 1,
         "transactions_per_hour": pytest.approx(1 / 23)},
        {"period_start": "2024-04-01T00:00:00+03:00", "offered": 1,
         "transactions_per_hour": pytest.approx(1 / 24)},
    ]


def test_a_day_whose_midnight_the_clocks_skip(tmp_path: Path, engine: str) -> None:
    """Africa/Cairo jumped from 00:00 to 01:00 (UTC+2 → UTC+3) on 2024-04-26: that day
    begins at 01:00+03 (2024-04-25T22:00Z) and has 23 hours. Its midnight read with the
    new offset (21:00Z, 23:00 of the 25th) dated the day's row the 25th, and a range of
    days across it was refused ("does not tile")."""
    data = dataset(tmp_path, contacts=[
        call("a", "2024-04-25T21:30:00", answered="2024-04-25T21:30:10",   # 23:30+02, 25th
             ended="2024-04-25T21:35:00"),
        call("b", "2024-04-25T22:30:00", answered="2024-04-25T22:30:10",   # 01:30+03, 26th
             ended="2024-04-25T22:35:00"),
        call("c", "2024-04-26T20:58:00", answered="2024-04-26T20:58:10",   # 23:58+03, 26th
             ended="2024-04-26T20:59:50"),
        call("d", "2024-04-26T21:00:00", answered="2024-04-26T21:00:10",   # 00:00+03, 27th
             ended="2024-04-26T21:05:00")])
    rows = run(data, engine, metrics=["offered", "transactions_per_hour"], grain="day",
               tz="Africa/Cairo").rows
    assert rows == [
        {"period_start": "2024-04-25T00:00:00+02:00", "offered": 1,
         "transactions_per_hour": pytest.approx(1 / 24)},
        {"period_start": "2024-04-26T01:00:00+03:00", "offered": 2,
         "transactions_per_hour": pytest.approx(2 / 23)},
        {"period_start": "2024-04-27T00:00:00+03:00", "offered": 1,
         "transactions_per_hour": pytest.approx(1 / 24)},
    ]


def test_fall_back_hour_gives_two_periods(tmp_path: Path, engine: str) -> None:
    # America/New_York falls back on 2024-11-03: 01:00–02:00 local happens twice
    # (05:00Z EDT and 06:00Z EST); hourly periods keep them apart.
    data = dataset(tmp_path, contacts=[
        call("a", "2024-11-03T05:10:00", abandoned="2024-11-03T05:11:00"),
        call("b", "2024-11-03T06:10:00", abandoned="2024-11-03T06:11:00"),
    ])
    rows = run(data, engine, metrics=["offered"], grain="hour", tz="America/New_York").rows
    assert [r["period_start"] for r in rows] == [
        "2024-11-03T01:00:00-04:00", "2024-11-03T01:00:00-05:00"]


def test_state_split_across_midnight_in_zone(tmp_path: Path, engine: str) -> None:
    # Kyiv is UTC+2 in January: 21:30Z–22:30Z is 23:30–00:30 local, split 30/30 min.
    data = dataset(
        tmp_path,
        contacts=[call("a", "2024-01-10T21:00:00")],
        agent_states=[
            {"agent_id": "x", "state": "handling", "start": "2024-01-10T21:30:00",
             "end": "2024-01-10T22:30:00", "channel": "voice"},
            {"agent_id": "x", "state": "available", "start": "2024-01-10T22:30:00",
             "end": "2024-01-10T23:00:00"},
        ],
    )
    rows = run(data, engine, metrics=["occupancy"], grain="day", tz="Europe/Kyiv",
               as_of="2024-01-11T00:00:00Z").rows
    assert rows == [
        {"period_start": "2024-01-10T00:00:00+02:00", "occupancy": 1.0},
        {"period_start": "2024-01-11T00:00:00+02:00", "occupancy": 0.5},
    ]


def test_from_to_half_open(tmp_path: Path, engine: str) -> None:
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T09:59:59", abandoned="2024-03-05T10:00:30"),
        call("b", "2024-03-05T10:00:00", abandoned="2024-03-05T10:00:30"),
        call("c", "2024-03-05T10:59:59", abandoned="2024-03-05T11:00:30"),
        call("d", "2024-03-05T11:00:00", abandoned="2024-03-05T11:00:30"),
    ])
    row = only(run(data, engine, metrics=["offered"], from_="2024-03-05T10:00:00Z",
                   to="2024-03-05T11:00:00Z"))
    assert row == {"offered": 2}


def test_transactions_per_hour_over_the_whole_span_of_a_parquet_dataset(
        tmp_path: Path, engine: str) -> None:
    """Without --from/--to the period of a total runs from the first handled contact's end
    (10:00) to the last one's (14:00): 3 handled in 4 h = 0.75 per hour. As Parquet, Spark
    reads and checks the rows on its executors, so the span must be asked of the engine,
    not of the driver's (empty) tables."""
    import duckdb

    folder = dataset(tmp_path / "csv", contacts=[
        call("a", "2024-05-06T09:50:00", answered="2024-05-06T09:51:00",
             ended="2024-05-06T10:00:00"),
        call("b", "2024-05-06T11:00:00", answered="2024-05-06T11:00:30",
             ended="2024-05-06T11:10:00"),
        call("c", "2024-05-06T13:40:00", answered="2024-05-06T13:41:00",
             ended="2024-05-06T14:00:00"),
        call("d", "2024-05-06T15:00:00", abandoned="2024-05-06T15:01:00"),
    ])
    data = tmp_path / "parquet"
    data.mkdir()
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{folder / 'contacts.csv'}', all_varchar=true))"
               f" TO '{data / 'contacts.parquet'}' (FORMAT parquet)")
    row = only(run(data, engine, metrics=["handled", "transactions_per_hour"], tz="UTC"))
    assert row == {"handled": 3, "transactions_per_hour": pytest.approx(3 / 4)}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_survey_score_outside_its_scale_is_quarantined(
        tmp_path: Path, engine: str, fmt: str) -> None:
    """A 7 on a 1–5 scale (an export that mixed two surveys' scales) would count as
    top-box satisfied; below the scale's floor it would count as dissatisfied; a scale of
    one point (3 of 3–3, 5 of 5–5) counted as neither top- nor bottom-box, neither
    promoter nor detractor, yet in the answers. The four rows are quarantined with their
    values named, and CSAT is read from the other three:
    5 and 4 of 1–5 are in the top two boxes, 2 is not → 2/3. NPS: 10 of 0–10 is a
    promoter, 6 a detractor → 0."""
    import duckdb

    def survey(contact: str, kind: str, score: float, low: float, high: float
               ) -> dict[str, Any]:
        return {"contact_id": contact, "survey": kind, "score": score, "scale_min": low,
                "scale_max": high, "answered_at": "2024-03-05T11:00:00"}

    folder = dataset(tmp_path / "csv", contacts=[
        call("c1", "2024-03-05T10:00:00", answered="2024-03-05T10:00:05",
             ended="2024-03-05T10:05:00")], surveys=[
        survey("c1", "csat", 5, 1, 5), survey("c1", "csat", 4, 1, 5),
        survey("c1", "csat", 2, 1, 5), survey("c1", "csat", 7, 1, 5),
        survey("c1", "csat", 0, 1, 5), survey("c1", "nps", 10, 0, 10),
        survey("c1", "nps", 6, 0, 10), survey("c1", "csat", 3, 3, 3),
        survey("c1", "nps", 5, 5, 5)])
    data = folder
    if fmt == "parquet":
        data = tmp_path / "parquet"
        data.mkdir()
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{folder / 'contacts.csv'}')) TO "
                   f"'{data / 'contacts.parquet'}' (FORMAT parquet)")
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{folder / 'surveys.csv'}')) TO "
                   f"'{data / 'surveys.parquet'}' (FORMAT parquet)")
    row = only(run(data, engine, metrics=["csat", "nps"]))
    assert row == {"csat": pytest.approx(2 / 3), "nps": 0.0}
    loaded = omnikpi.load_dataset(data, cache=False)
    where = "surveys.csv line 5 (row 4)" if fmt == "csv" else "surveys.parquet row 4"
    after = "surveys.csv line 6 (row 5)" if fmt == "csv" else "surveys.parquet row 5"

    def line(row: int) -> str:
        return (f"surveys.csv line {row + 1} (row {row})" if fmt == "csv"
                else f"surveys.parquet row {row}")

    assert [str(p) for p in loaded.problems] == [
        f"{where}: column scale_max: scale_max 5.0 is below score 7.0",
        f"{after}: column score: score 0.0 is below scale_min 1.0",
        *[f"{place}: column scale_max: scale_max {v} is not above scale_min {v} (a scale of "
          "one point places no answer on it)"
          for place, v in ((line(8), "3.0"), (line(9), "5.0"))]]
    loaded.close()


def test_survey_response_rate_counts_contacts_with_an_answer(
        tmp_path: Path, engine: str) -> None:
    """Two handled calls; c1 answered CSAT and NPS (one contact with an answer), c2 none,
    and three answers of a web survey that name no contact. Response rate = contacts with
    an answer / handled = 1/2 (the unlinked answers are no handled contact's: counted one
    contact each, the rate read (1 + 3)/2 = 2); CSAT still reads every answer: 5, 4 and 1
    of 1–5 → 2/3 in the top box."""
    def survey(contact: str | None, kind: str, score: float) -> dict[str, Any]:
        return {"contact_id": contact, "survey": kind, "score": score,
                "scale_min": 0 if kind == "nps" else 1, "scale_max": 10 if kind == "nps"
                else 5, "answered_at": "2024-03-05T11:00:00"}

    data = dataset(tmp_path, contacts=[
        call(c, "2024-03-05T10:00:00", answered="2024-03-05T10:00:05",
             ended="2024-03-05T10:05:00") for c in ("c1", "c2")], surveys=[
        survey("c1", "csat", 5), survey("c1", "nps", 9), survey(None, "csat", 4),
        survey(None, "csat", 1), survey(None, "nps", 10)])
    row = only(run(data, engine, metrics=["survey_response_rate", "csat"]))
    assert row == {"survey_response_rate": 0.5, "csat": pytest.approx(2 / 3)}


def test_survey_response_rate_puts_an_answer_in_its_contacts_period(
        tmp_path: Path, engine: str) -> None:
    """c1, a chat on 3 June, was rated the next morning; c2, on 4 June, that afternoon.
    By day each day has 1 handled contact with an answer: 1/1 and 1/1 (the answers were
    booked by the day they were given: 0/1 on the 3rd, 2/1 = 2.0 on the 4th). As of 4 June
    10:00 c1's answer is known and c2 not yet handled: the 3rd reads 1/1, the 4th has none."""
    def chat(contact: str, day: int, hour: int) -> dict[str, Any]:
        return call(contact, f"2024-06-0{day}T{hour}:00:00Z", channel="chat",
                    answered=f"2024-06-0{day}T{hour}:00:10Z",
                    ended=f"2024-06-0{day}T{hour}:10:00Z")

    def csat(contact: str, at: str) -> dict[str, Any]:
        return {"contact_id": contact, "survey": "csat", "score": 5, "scale_min": 1,
                "scale_max": 5, "answered_at": at}

    data = dataset(tmp_path, contacts=[chat("c1", 3, 11), chat("c2", 4, 10)], surveys=[
        csat("c1", "2024-06-04T09:00:00Z"), csat("c2", "2024-06-04T12:00:00Z")])
    by_day = run(data, engine, metrics=["handled", "survey_response_rate"], grain="day")
    assert [(r["handled"], r["survey_response_rate"]) for r in by_day.rows] == [
        (1, 1.0), (1, 1.0)]
    early = run(data, engine, metrics=["handled", "survey_response_rate"], grain="day",
                as_of="2024-06-04T10:00:00Z")
    assert [(r["handled"], r["survey_response_rate"]) for r in early.rows] == [(1, 1.0)]


def test_a_qa_score_above_100_is_quarantined(tmp_path: Path, engine: str) -> None:
    """QA scores are out of 100 (data-model.md): an 850 (a platform's points, another
    scale) would lift the mean QA score from (80 + 90) / 2 = 85 to 340."""

    def evaluation(number: int, score: float) -> dict[str, Any]:
        return {"evaluation_id": f"e{number}", "contact_id": "c1", "agent_id": "a1",
                "evaluator_id": "lead", "form_id": "f1",
                "evaluated_at": f"2024-03-05T12:0{number}:00", "score": score}

    data = dataset(tmp_path, contacts=[
        call("c1", "2024-03-05T10:00:00", answered="2024-03-05T10:00:05",
             ended="2024-03-05T10:05:00")],
        qa_evaluations=[evaluation(1, 80), evaluation(2, 850), evaluation(3, 90)])
    assert only(run(data, engine, metrics=["qa_score"])) == {"qa_score": 85.0}
    loaded = omnikpi.load_dataset(data, cache=False)
    assert [str(p) for p in loaded.problems] == [
        "qa_evaluations.csv line 3 (row 2): column score: value 850.0 above the maximum 100"]
    loaded.close()


def test_qa_scores_count_the_evaluations_known_at_as_of(tmp_path: Path,
                                                        engine: str) -> None:
    """c1 is scored 100 at 12:00 and again 39.13 at 13:00; c2 72.73 at 12:10. The QA
    score is the mean evaluation score, every evaluation counting (the catalog's "mean
    evaluation score"): (100 + 39.13 + 72.73) / 3; contact quality judges c1 by its
    latest. Each item's score counts the same evaluations: "greet" met in e1 and e3, not
    in e2 → 2/3. At 12:30 the second look has not happened: neither counts it. (The
    metrics' notes said every QA figure judged a contact by its latest evaluation.)"""

    def evaluation(eid: str, contact: str, at: str, score: float) -> dict[str, Any]:
        return {"evaluation_id": eid, "contact_id": contact, "agent_id": "a1",
                "evaluator_id": "lead", "form_id": "f1", "evaluated_at": at,
                "score": score}

    def item(eid: str, met: int) -> dict[str, Any]:
        return {"evaluation_id": eid, "item_id": "greet", "weight": 1, "score": met}

    data = dataset(tmp_path, contacts=[
        call(f"c{i}", "2024-03-05T10:00:00", answered="2024-03-05T10:00:05",
             ended="2024-03-05T10:05:00") for i in (1, 2)],
        qa_evaluations=[evaluation("e1", "c1", "2024-03-05T12:00:00", 100),
                        evaluation("e2", "c1", "2024-03-05T13:00:00", 39.13),
                        evaluation("e3", "c2", "2024-03-05T12:10:00", 72.73)],
        qa_items=[item("e1", 1), item("e2", 0), item("e3", 1)])
    row = only(run(data, engine, metrics=["qa_score", "contact_quality"],
                   as_of="2024-03-06T00:00:00"))
    assert row == {"qa_score": pytest.approx((100 + 39.13 + 72.73) / 3),
                   "contact_quality": 1.0}
    items = run(data, engine, metrics=["qa_item_score"], as_of="2024-03-06T00:00:00").rows
    assert items == [{"item_id": "greet", "qa_item_score": pytest.approx(2 / 3)}]
    early = only(run(data, engine, metrics=["qa_score"], as_of="2024-03-05T12:30:00"))
    assert early == {"qa_score": pytest.approx((100 + 72.73) / 2)}
    early_items = run(data, engine, metrics=["qa_item_score"],
                      as_of="2024-03-05T12:30:00").rows
    assert early_items == [{"item_id": "greet", "qa_item_score": 1.0}]


def test_a_qa_metric_in_a_report_does_not_move_the_others_as_of(
        tmp_path: Path, engine: str) -> None:
    """An evaluation made today of last week's calls put the report's default as-of at
    today for every metric in it: an e-mail unanswered at the end of the data read 237
    days late beside qa_score, 1 hour alone. Review tables (QA evaluations, employee
    surveys) set the as-of only when they are all the report reads, as on the web; QA
    metrics then count the evaluations made by that as-of (a later one is asked for)."""
    data = dataset(tmp_path, contacts=[
        call("m1", "2024-03-05T09:00:00", channel="email"),  # never answered
        call("v1", "2024-03-05T10:00:00", answered="2024-03-05T10:00:05",
             ended="2024-03-05T10:05:00")],
        qa_evaluations=[{"evaluation_id": "e1", "contact_id": "v1", "agent_id": "a1",
                         "evaluator_id": "lead", "form_id": "f1",
                         "evaluated_at": "2024-11-01T12:00:00", "score": 90}])
    late = {"metrics": ["avg_time_late"], "params": {"avg_time_late.threshold_seconds": 0}}
    alone = only(run(data, engine, **late))
    # as of the voice call's end, 10:05: the e-mail is 65 minutes late
    assert alone == {"avg_time_late": pytest.approx(65 * 60)}
    with pytest.warns(omnikpi.ReportNote, match="qa_score has no value"):
        mixed = only(run(data, engine, **{**late,
                                          "metrics": ["avg_time_late", "qa_score"]}))
    assert mixed == {"avg_time_late": pytest.approx(65 * 60), "qa_score": None}
    assert only(run(data, engine, metrics=["qa_score"])) == {"qa_score": 90.0}
    later = only(run(data, engine, metrics=["avg_time_late", "qa_score"],
                     params={"avg_time_late.threshold_seconds": 0},
                     as_of="2024-11-02T00:00:00"))
    assert later["qa_score"] == 90.0
    # one evaluation before the contacts' end and one after: the figure counts the first
    # and a note says the later is left out, and how to count it (it read 70 beside aht,
    # 90 alone, and nothing said why)
    both = dataset(tmp_path / "both", contacts=[
        call("v1", "2024-03-05T10:00:00", answered="2024-03-05T10:00:05",
             ended="2024-03-05T10:05:00")],
        qa_evaluations=[{"evaluation_id": e, "contact_id": "v1", "agent_id": "a1",
                         "evaluator_id": "lead", "form_id": "f1", "evaluated_at": at,
                         "score": score}
                        for e, at, score in (("e1", "2024-03-05T10:04:00", 90),
                                             ("e2", "2024-03-06T09:00:00", 50))])
    with pytest.warns(omnikpi.ReportNote, match=r"qa_score count\(s\) the reviews made by "
                      r"the as-of \(2024-03-05T10:05\+00:00\).*the latest "
                      r"2024-03-06T09:00\+00:00"):
        beside = only(run(both, engine, metrics=["aht", "qa_score"]))
    assert beside == {"aht": 295.0, "qa_score": 90.0}
    assert only(run(both, engine, metrics=["qa_score"])) == {"qa_score": 70.0}
