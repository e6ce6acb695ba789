"""The shipped platform mappings (``mappings/``), each on a fixture written from the
platform's published export or API documentation (cited in the fixture's README), through
``omnikpi import PLATFORM FILE --out DIR``; first-response and resolution times are
worked out by hand in the comments."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app

FIXTURES = Path(__file__).parent / "fixtures" / "platforms"


def _import(platform: str, source: Path, out: Path, *extra: str) -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(app, ["import", platform, str(source), "--out", str(out),
                                      *extra])
    assert result.exit_code == 0, result.output
    assert omnikpi.load_dataset(out).problem_count == 0
    return {r["contact_id"]: r for r in pq.read_table(out / "contacts.parquet").to_pylist()}


def _said(platform: str, out: Path, *sources: Path) -> str:
    """``omnikpi import PLATFORM SOURCES --out OUT``: its output on one line."""
    result = CliRunner().invoke(app, ["import", platform, *map(str, sources), "--out",
                                      str(out)])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def _refused(platform: str, out: Path, *sources: Path) -> tuple[int, str]:
    """``omnikpi import PLATFORM SOURCES --out OUT`` expected to fail: its exit code and
    output on one line."""
    result = CliRunner().invoke(app, ["import", platform, *map(str, sources), "--out",
                                      str(out)])
    return result.exit_code, " ".join(result.output.split())


def _s(later: datetime | None, earlier: datetime | None) -> float | None:
    return None if later is None or earlier is None else (later - earlier).total_seconds()


def test_asterisk_cdr(tmp_path: Path) -> None:
    rows = _import("asterisk-cdr", FIXTURES / "asterisk_cdr" / "Master.csv", tmp_path)
    assert set(rows) == {"1709629200.1", "1709629800.3", "1709631600.4", "1709632200.6",
                         "1709632400.9", "1709632700.11"}
    queued = rows["1709629200.1"]  # 09:00:00 → answered 09:00:25 by SIP/1001, 240 s talk
    assert (queued["queue"], queued["agent_id"], queued["customer_id"]) == (
        "support", "SIP/1001", "0501234567")
    assert _s(queued["first_response_at"], queued["arrived_at"]) == 25.0
    assert queued["handle_seconds"] == 240.0
    assert queued["ended_at"].isoformat() == "2024-03-05T09:04:25"
    missed = rows["1709629800.3"]  # rang from 09:10:00 to 09:11:30, nobody answered
    assert missed["first_response_at"] is None
    assert missed["abandoned_at"].isoformat() == "2024-03-05T09:11:30"
    assert rows["1709632200.6"]["blocked"] is True  # BUSY
    assert rows["1709631600.4"]["queue"] == "1002"
    out = rows["1709632400.9"]  # the agent's call out, answered by the customer
    assert (out["direction"], out["queue"], out["customer_id"], out["agent_id"]) == (
        "outbound", "outbound", "0501112233", "SIP/1001")
    assert out["first_response_at"] is None and out["handle_seconds"] == 180.0
    unanswered_out = rows["1709632700.11"]
    assert unanswered_out["abandoned_at"] is None and unanswered_out["blocked"] is False
    report = omnikpi.report_result(tmp_path, metrics=["offered", "answered", "abandoned",
                                                      "asa", "handled", "aht"]).rows[0]
    # offered: the two queue calls and the direct call (the BUSY one was blocked; the
    # calls out are nobody's wait); waits 25 s and 8 s; talk 240 s, 120 s and the call
    # out's 180 s
    assert report == {"offered": 3, "answered": 2, "abandoned": 1, "asa": 16.5,
                      "handled": 3, "aht": 180.0}


def test_tz_reads_a_mappings_local_times_in_that_zone(tmp_path: Path) -> None:
    """Master.csv is in the PBX's local time: ``--tz Europe/Kyiv`` was silently ignored by
    every import but queue_log (and ``--tz Not/AZone`` accepted). It wins over the
    mapping's [timestamps] timezone; a mapping without local times refuses it."""
    source = FIXTURES / "asterisk_cdr" / "Master.csv"
    rows = _import("asterisk-cdr", source, tmp_path / "kyiv", "--tz", "Europe/Kyiv")
    queued = rows["1709629200.1"]  # 09:00:00 in Kyiv (UTC+2 in March) is 07:00:00 UTC
    assert queued["arrived_at"].isoformat() == "2024-03-05T07:00:00"
    assert _s(queued["first_response_at"], queued["arrived_at"]) == 25.0
    as_utc = _import("asterisk-cdr", source, tmp_path / "utc")  # the mapping's own zone
    assert as_utc["1709629200.1"]["arrived_at"].isoformat() == "2024-03-05T09:00:00"
    result = CliRunner().invoke(app, ["import", "asterisk-cdr", str(source), "--out",
                                      str(tmp_path / "x"), "--tz", "Mars/Olympus"])
    assert result.exit_code == 2 and "unknown time zone 'Mars/Olympus'" in result.output
    page = FIXTURES / "intercom" / "conversations-page-1.json"
    result = CliRunner().invoke(app, ["import", "intercom", str(page), "--out",
                                      str(tmp_path / "y"), "--tz", "Europe/Kyiv"])
    assert result.exit_code == 2
    assert "the mapping intercom.toml reads no local times" in " ".join(result.output.split())
    assert not (tmp_path / "y").exists()


def test_asterisk_cdr_transfers_keep_the_whole_talk_and_consultations_are_no_contacts(
        tmp_path: Path) -> None:
    """A blind transfer (1001 talks 120 s, then the transfer context dials 1003, who talks
    180 s) and an attended one (1001 talks 80 s, dials 1003 for a 25 s consultation, then
    the caller is bridged to 1003 for 210 s). Before: the talk after each transfer was
    lost (AHT from 120 s and 80 s), neither call was transferred, and the consultation
    was an outbound contact of 1001 (handled 3, not 2)."""
    def cdr(src: str, dst: str, context: str, channel: str, device: str, app_: str,
            start: str, answer: str, end: str, billsec: int, uniqueid: str) -> str:
        return ",".join(f'"{v}"' for v in (
            "", src, dst, context, f"<{src}>", channel, device, app_,
            "support,t,,,300" if app_ == "Queue" else f"{device.split('-')[0]},30",
            f"2024-03-07 {start}",
            f"2024-03-07 {answer}", f"2024-03-07 {end}", billsec + 5, billsec, "ANSWERED",
            "DOCUMENTATION", uniqueid, "", "", uniqueid, 1))
    trunk = "PJSIP/trunk-00000010"
    lines = [
        cdr("0672000002", "600", "from-pstn", trunk, "PJSIP/1001-00000011", "Queue",
            "10:10:00", "10:10:20", "10:12:20", 120, "1709806200.10"),
        cdr("0672000002", "1003", "from-internal-xfer", trunk, "PJSIP/1003-00000012", "Dial",
            "10:12:20", "10:12:25", "10:15:25", 180, "1709806200.10"),
        cdr("0673000003", "600", "from-pstn", "PJSIP/trunk-00000020", "PJSIP/1001-00000021",
            "Queue", "10:20:00", "10:20:10", "10:21:30", 80, "1709806800.20"),
        cdr("1001", "1003", "from-internal", "PJSIP/1001-00000022", "PJSIP/1003-00000023",
            "Dial", "10:21:00", "10:21:05", "10:21:30", 25, "1709806860.22"),
        cdr("0673000003", "600", "from-pstn", "PJSIP/trunk-00000020", "PJSIP/1003-00000023",
            "Queue", "10:21:30", "10:21:30", "10:25:00", 210, "1709806800.20"),
        cdr("1001", "0501234567", "from-internal", "PJSIP/1001-00000030",
            "PJSIP/mytrunk-00000031", "Dial", "11:00:00", "11:00:10", "11:02:10", 120,
            "1709809200.30"),  # a real call out: still an outbound contact
    ]
    source = tmp_path / "Master.csv"
    source.write_text("\n".join(lines) + "\n")
    said = _said("asterisk-cdr", tmp_path / "out", source)
    assert "1 an internal call from one extension to another" in said
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()}
    assert set(rows) == {"1709806200.10", "1709806800.20", "1709809200.30"}
    blind, attended = rows["1709806200.10"], rows["1709806800.20"]
    assert (blind["handle_seconds"], blind["transferred"], blind["agent_id"]) == (
        300.0, True, "PJSIP/1001")
    assert blind["ended_at"].isoformat() == "2024-03-07T10:15:25"
    assert (attended["handle_seconds"], attended["transferred"]) == (290.0, True)
    assert rows["1709809200.30"]["direction"] == "outbound"
    assert rows["1709809200.30"]["transferred"] is False
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "offered", "handled", "aht", "transferred"]).rows[0]
    assert report == {"offered": 2, "handled": 3, "aht": (300 + 290 + 120) / 3,
                      "transferred": 2}


def test_asterisk_cdr_a_withheld_number_is_no_customer(tmp_path: Path) -> None:
    """Callers who hid their number (``anonymous`` from SIP privacy, ``Restricted``) were
    one customer calling again and again in FCR; a number is still the customer."""
    def call(uniqueid: str, src: str) -> str:
        return ",".join(f'"{v}"' for v in (
            "", src, "600", "from-pstn", f"<{src}>", "SIP/trunk-00000001",
            "SIP/1002-00000002", "Queue", "support,t,,,300", "2024-03-05 09:00:00",
            "2024-03-05 09:00:20", "2024-03-05 09:04:20", 260, 240, "ANSWERED",
            "DOCUMENTATION", uniqueid, "", "", uniqueid, 1))
    (tmp_path / "Master.csv").write_text("\n".join([
        call("1709629200.1", "anonymous"), call("1709629300.2", "Restricted"),
        call("1709629400.3", "0501234567")]) + "\n")
    _said("asterisk-cdr", tmp_path / "out", tmp_path / "Master.csv")
    customers = sorted(str(r["customer_id"]) for r in
                       pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist())
    assert customers == ["0501234567", "None", "None"]


@pytest.mark.parametrize(("platform", "files", "number", "hidden"), [
    ("amazon-connect", ["amazon_connect/ctr.json"], "+380501234567", "anonymous"),
    ("genesys-cloud", ["genesys_cloud/details.json"], "tel:+380501234567",
     "sip:anonymous@anonymous.invalid"),
    ("twilio-taskrouter", ["twilio_taskrouter/events-page-1.json",
                           "twilio_taskrouter/events-page-2.json"], "+380442223344",
     "+266696687")])
def test_a_hidden_caller_is_no_customer_on_every_voice_platform(
        tmp_path: Path, platform: str, files: list[str], number: str, hidden: str) -> None:
    """A caller who hid the number comes as ``anonymous`` (Amazon Connect), a SIP
    anonymous URI (Genesys Cloud) or ``+266696687``, ANONYMOUS on a keypad (Twilio): read
    as a customer, such callers were one person calling again and again in FCR. The
    contacts that had the number have no customer, the others keep theirs."""
    sources = []
    for name in files:
        source = tmp_path / Path(name).name
        source.write_text((FIXTURES / name).read_text().replace(number, hidden))
        sources.append(source)
    _said(platform, tmp_path / "out", *sources)
    rows = pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()
    _said(platform, tmp_path / "before", *(FIXTURES / name for name in files))
    before = {r["contact_id"]: r["customer_id"]
              for r in pq.read_table(tmp_path / "before" / "contacts.parquet").to_pylist()}
    had = {c for c, customer in before.items() if customer == number}
    assert had, "the fixture's number is some contact's customer"
    for row in rows:
        expected = None if row["contact_id"] in had else before[row["contact_id"]]
        assert row["customer_id"] == expected, row["contact_id"]


def test_a_mapping_hides_the_numbers_queue_log_hides() -> None:
    """The mappings' ``hidden_number(x)`` and the queue_log reader's ``is_hidden`` are one
    rule: spellings, schemes, Twilio's stand-ins, real numbers and null."""
    import duckdb

    from omnikpi.connectors.hidden_numbers import MACRO_SQL, is_hidden

    con = duckdb.connect()
    con.execute(MACRO_SQL)
    for caller in ("anonymous", " Restricted ", "<unknown>", "PRIVATE", "+266696687",
                   "+7378742833", "sip:anonymous@anonymous.invalid", "tel:Anonymous",
                   "SIPS:withheld@x", "0501234567", "+380501234567", "sip:1001@pbx",
                   "client:alice", "Anonymous Bank", "266696687", "",
                   "\tanonymous", "anonymous\r\n", "tel:+266696687", "sip:+266696687@host"):
        assert con.execute("SELECT hidden_number(?)", [caller]).fetchone() == (
            is_hidden(caller),), caller
    assert is_hidden("anonymous") and not is_hidden("0501234567")
    assert con.execute("SELECT hidden_number(NULL)").fetchone() == (None,)


def test_asterisk_cdr_one_call_rung_to_several_agents(tmp_path: Path) -> None:
    """Asterisk 12+ writes a CDR per agent dialled, all with the caller's uniqueid: the
    queue rang 1001 for 15 s (NO ANSWER), then 1002, who answered at 09:00:20 and talked
    240 s; a second call rang both and nobody answered until 09:02:00. Two contacts: the
    first answered by 1002 after 20 s, the second abandoned when its last leg ended."""
    def leg(uniqueid: str, device: str, start: str, answer: str, end: str, billsec: int,
            disposition: str, sequence: int) -> str:
        return ",".join(f'"{v}"' for v in (
            "", "0501234567", "600", "from-pstn", "Olena <0501234567>",
            "SIP/trunk-00000001", f"{device}-0000000{sequence}", "Queue",
            "support,t,,,300", f"2024-03-05 {start}", answer and f"2024-03-05 {answer}",
            f"2024-03-05 {end}", billsec + 5, billsec, disposition, "DOCUMENTATION",
            uniqueid, "", "", uniqueid, sequence))
    (tmp_path / "Master.csv").write_text("\n".join([
        leg("1709629200.1", "SIP/1001", "09:00:00", "", "09:00:15", 0, "NO ANSWER", 1),
        leg("1709629200.1", "SIP/1002", "09:00:15", "09:00:20", "09:04:20", 240, "ANSWERED",
            2),
        leg("1709629300.5", "SIP/1001", "09:01:40", "", "09:01:50", 0, "NO ANSWER", 1),
        leg("1709629300.5", "SIP/1002", "09:01:50", "", "09:02:00", 0, "NO ANSWER", 2),
    ]) + "\n")
    said = _said("asterisk-cdr", tmp_path / "out", tmp_path / "Master.csv")
    assert "2 a further leg of a call rung to several agents" in said
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()}
    answered, missed = rows["1709629200.1"], rows["1709629300.5"]
    assert (answered["agent_id"], answered["handle_seconds"]) == ("SIP/1002", 240.0)
    assert _s(answered["accepted_at"], answered["arrived_at"]) == 20.0
    assert answered["abandoned_at"] is None
    assert _s(missed["abandoned_at"], missed["arrived_at"]) == 20.0
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "offered", "answered", "abandoned", "asa"]).rows[0]
    assert report == {"offered": 2, "answered": 1, "abandoned": 1, "asa": 20.0}


def test_the_shipped_mapping_is_picked_and_mapping_still_wins(tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    text = (Path(__file__).resolve().parents[3] / "mappings" / "asterisk_cdr.toml").read_text()
    other.write_text(text.replace("channel = \"'voice'\"", "channel = \"'phone'\""))
    rows = _import("asterisk-cdr", FIXTURES / "asterisk_cdr" / "Master.csv",
                   tmp_path / "out", "--mapping", str(other))
    assert {r["channel"] for r in rows.values()} == {"phone"}


def test_amazon_connect_contact_records(tmp_path: Path) -> None:
    rows = _import("amazon-connect", FIXTURES / "amazon_connect" / "ctr.json", tmp_path)
    assert set(rows) == {"c-0001", "c-0002", "c-0004", "c-0006"}
    call = rows["c-0001"]  # the later copy: queued 10:00:10, connected 10:00:40
    assert (call["queue"], call["agent_id"], call["channel"]) == ("Support", "olena", "voice")
    assert _s(call["first_response_at"], call["arrived_at"]) == 30.0
    assert call["ended_at"].isoformat() == "2024-03-05T10:04:20"
    assert (call["hold_seconds"], call["acw_seconds"]) == (20.0, 30.0)
    chat = rows["c-0002"]  # queued 11:00:05, left 11:02:00 unanswered
    assert chat["channel"] == "chat" and chat["first_response_at"] is None
    assert _s(chat["abandoned_at"], chat["arrived_at"]) == 115.0
    assert rows["c-0004"]["parent_id"] == "c-0005"
    assert chat["direction"] == "inbound"  # started by the StartChatContact API
    assert rows["c-0006"]["direction"] == "outbound"
    report = omnikpi.report_result(tmp_path, metrics=["offered", "answered", "abandoned",
                                                      "asa", "handled", "aht"]).rows[0]
    # offered: c-0001, c-0002, c-0004 (the outbound c-0006 is nobody's wait); waits 30 s
    # and 15 s; handle (10:00:40→10:04:20) 220 + 30 ACW, (13:00:17→13:06:00) 343 + 20 ACW,
    # and the outbound call (14:00:00→14:03:30) 210 + 10 ACW
    assert report == {"offered": 3, "answered": 2, "abandoned": 1, "asa": 22.5,
                      "handled": 3, "aht": (250 + 363 + 220) / 3}
    sessions = {r["session_id"]: (r["result"], r["contact_id"]) for r in
                pq.read_table(tmp_path / "ivr_sessions.parquet").to_pylist()}
    # the contact flow before the queue: c-0001 10 s, the chat c-0002 5 s; c-0003 hung
    # up in the flow after 45 s; the flow ended c-0007 after 90 s (served); the transfer
    # c-0004 and the outbound c-0006 are no customer's session
    assert sessions == {"flow-c-0001": ("to_queue", "c-0001"),
                        "flow-c-0002": ("to_queue", "c-0002"),
                        "flow-c-0003": ("abandoned", None),
                        "flow-c-0007": ("self_served", None)}
    ivr = omnikpi.report_result(tmp_path, metrics=[
        "ivr_sessions", "ivr_containment_rate", "ivr_abandon_rate", "avg_ivr_time",
        "avg_wait_with_ivr"]).rows[0]
    # the answered c-0001 waited 10 s in the flow and 30 s in the queue; the answered
    # transfer c-0004 15 s in the queue, its flow time is the first contact's
    assert ivr == pytest.approx({"ivr_sessions": 4, "ivr_containment_rate": 0.25,
                                 "ivr_abandon_rate": 0.25,
                                 "avg_ivr_time": (10 + 5 + 45 + 90) / 4,
                                 "avg_wait_with_ivr": (40 + 15) / 2})


def test_amazon_connect_keeps_the_newer_copy_whose_time_has_milliseconds(
        tmp_path: Path) -> None:
    """Copies of a contact record were ranked by LastUpdateTimestamp as text, and
    "…09:04:10Z" sorts after "…09:04:10.500Z": the newer copy, the one with the
    after-contact work, was dropped as "an earlier copy" (AHT 220 instead of 250)."""
    text = (FIXTURES / "amazon_connect" / "ctr.json").read_text()
    decoder = json.JSONDecoder()
    record, end = decoder.raw_decode(text)
    while record["ContactId"] != "c-0001" or record["Agent"] is None:
        record, end = decoder.raw_decode(text, end + 1)
    older = {**record, "LastUpdateTimestamp": "2024-03-05T10:04:25Z",
             "Agent": {**record["Agent"], "AfterContactWorkDuration": None}}
    newer = {**record, "LastUpdateTimestamp": "2024-03-05T10:04:25.500Z"}
    source = tmp_path / "ctr.json"
    source.write_text("\n".join(json.dumps(r) for r in (newer, older)) + "\n")
    rows = _import("amazon-connect", source, tmp_path / "out")
    assert rows["c-0001"]["acw_seconds"] == 30.0
    assert omnikpi.report_result(tmp_path / "out", metrics=["aht"]).rows[0] == {"aht": 250.0}


def test_amazon_connect_agent_events_give_the_agents_states(tmp_path: Path) -> None:
    folder = FIXTURES / "amazon_connect"
    _import("amazon-connect", folder / "ctr.json", tmp_path)
    said = _said("amazon-connect-agent-events", tmp_path, folder / "agent_events.json")
    assert "19 │ 15 │ 4" in said  # rows read, in the table, filtered
    for reason in ("1 an event delivered again", "1 no agent snapshot",
                   "2 the agent's last event in these files"):
        assert reason in said, reason
    assert omnikpi.load_dataset(tmp_path).problem_count == 0
    states = pq.read_table(tmp_path / "agent_states.parquet").to_pylist()
    seconds: dict[tuple[str, str, str | None], float] = {}
    for s in states:
        key = (s["agent_id"], s["state"], s["reason"] or s["channel"])
        seconds[key] = seconds.get(key, 0.0) + (s["end"] - s["start"]).total_seconds()
    assert seconds == {
        # olena: available 10:00:00-10:00:40 (ringing from 10:00:35 included), on the call
        # 10:00:40-10:04:20 with 20 s on hold, 30 s wrap-up, available 10:04:50-10:08:00
        # (a heart beat cuts it in two), a 10-minute break, logged out from 10:18:00
        ("olena", "available", None): 40 + 190, ("olena", "handling", "voice"): 200,
        ("olena", "hold", "voice"): 20, ("olena", "acw", "voice"): 30,
        ("olena", "not_ready", "Break"): 600, ("olena", "logged_out", None): 120,
        # ivan: one chat 11:01-11:03, two 11:03-11:05, one 11:05-11:06, wrap-up 30 s
        ("ivan", "available", None): 60, ("ivan", "handling", "chat"): 300,
        ("ivan", "acw", "chat"): 30}
    # yesterday's export, then it again with today's: each state once, the last event
    # of the first import (no end then) imported with the second
    split = tmp_path / "split"
    split.mkdir()
    lines = (folder / "agent_events.json").read_text().splitlines(keepends=True)
    (split / "first.json").write_text("".join(lines[:8]))
    for files in ([split / "first.json"], [folder / "agent_events.json"]):
        assert CliRunner().invoke(app, ["import", "amazon-connect-agent-events",
                                        *map(str, files), "--out",
                                        str(split / "out")]).exit_code == 0
    assert sorted(map(str, pq.read_table(split / "out" / "agent_states.parquet").to_pylist())
                  ) == sorted(map(str, states))
    report = omnikpi.report_result(tmp_path, metrics=["occupancy"], by=["agent_id"]).rows
    # busy (handling + hold + ACW) / (busy + available)
    assert {r["agent_id"]: r["occupancy"] for r in report} == pytest.approx(
        {"olena": 250 / 480, "ivan": 330 / 390})


def test_freshdesk_tickets_with_conversations(tmp_path: Path) -> None:
    rows = _import("freshdesk", FIXTURES / "freshdesk" / "tickets.json", tmp_path)
    assert set(rows) == {"101", "102", "103"}
    email = rows["101"]  # created 09:00; note 09:10 is private; first reply 09:30
    assert _s(email["first_response_at"], email["arrived_at"]) == 1800.0
    assert _s(email["resolved_at"], email["arrived_at"]) == 3 * 3600.0
    assert (email["channel"], email["queue"], email["agent_id"]) == ("email", "12", "77")
    assert rows["102"]["first_response_at"] is None and rows["102"]["resolved_at"] is None
    outbound = rows["103"]
    assert outbound["direction"] == "outbound" and outbound["first_response_at"] is None
    assert _s(outbound["resolved_at"], outbound["arrived_at"]) == 5400.0
    report = omnikpi.report_result(tmp_path, metrics=["resolution_time"]).rows[0]
    assert report == {"resolution_time": (10800 + 5400) / 2}


def test_freshdesk_satisfaction_ratings_give_csat(tmp_path: Path) -> None:
    folder = FIXTURES / "freshdesk"
    _import("freshdesk", folder / "tickets.json", tmp_path)
    said = _said("freshdesk-satisfaction", tmp_path, folder / "satisfaction_ratings.json")
    assert "1 no answer to the default question" in said
    assert "1 a rating code outside -103…103" in said
    answers = pq.read_table(tmp_path / "surveys.parquet").to_pylist()
    # codes 103, -102, 100, 102 placed on 1-7: 7, 2, 4, 6
    assert sorted((a["contact_id"], a["score"]) for a in answers) == [
        ("101", 7.0), ("102", 2.0), ("103", 4.0), ("104", 6.0)]
    report = omnikpi.report_result(tmp_path, metrics=["csat", "cdsat"]).rows[0]
    # happy answers (102, 103) 2 of 4; unhappy (-103, -102) 1 of 4; neutral 100 neither
    assert report == {"csat": 0.5, "cdsat": 0.25}
    # a 3-point survey's "happy" alone is its top box, "neutral" is not satisfied
    three = tmp_path / "three"
    three.mkdir()
    (three / "r.json").write_text(
        '[{"ticket_id": 1, "user_id": 1, "created_at": "2024-03-05T10:00:00Z", '
        '"ratings": {"default_question": 103}}, {"ticket_id": 2, "user_id": 2, '
        '"created_at": "2024-03-05T10:00:00Z", "ratings": {"default_question": 100}}]')
    out = tmp_path / "three-out"
    assert CliRunner().invoke(app, ["import", "freshdesk-satisfaction", str(three / "r.json"),
                                    "--out", str(out)]).exit_code == 0
    assert omnikpi.report_result(out, metrics=["csat"]).rows[0] == {"csat": 0.5}


def test_zendesk_tickets_and_metric_events(tmp_path: Path) -> None:
    folder = FIXTURES / "zendesk"
    result = CliRunner().invoke(app, ["import", "zendesk", str(folder / "tickets.json"),
                                      str(folder / "metric_events.json"), "--out",
                                      str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "12 ticket metric event" in " ".join(result.output.split())
    rows = {r["contact_id"]: r for r in pq.read_table(tmp_path / "contacts.parquet").to_pylist()}
    assert set(rows) == {"35436", "35437", "35438"}
    solved = rows["35436"]  # created 09:00, first reply 09:12:30, last solve 13:00
    assert _s(solved["first_response_at"], solved["arrived_at"]) == 750.0
    assert _s(solved["resolved_at"], solved["arrived_at"]) == 4 * 3600.0
    assert (solved["channel"], solved["queue"], solved["agent_id"]) == ("email", "98738",
                                                                        "235323")
    reopened = rows["35437"]  # first reply 10:45; solved at 15:00, reopened, open now
    assert _s(reopened["first_response_at"], reopened["arrived_at"]) == 2700.0
    assert reopened["resolved_at"] is None and reopened["channel"] == "email"  # web form
    assert rows["35438"]["first_response_at"] is None
    report = omnikpi.report_result(tmp_path, metrics=["answered", "resolution_time"]).rows[0]
    assert report == {"answered": 2, "resolution_time": 4 * 3600.0}


@pytest.mark.parametrize(("platform", "fixture", "change", "expected"), [
    ("zendesk", "zendesk/tickets.json",
     lambda d: [t["via"].update(channel=c) for t, c in zip(
         d["tickets"], ("api", "web", "whatsapp"), strict=True)],
     {"35436": "email", "35437": "email", "35438": "messenger"}),
    ("freshdesk", "freshdesk/tickets.json",
     lambda d: [t.update(source=c) for t, c in zip(d, (9, 2, 3), strict=True)],
     {"101": "email", "102": "email", "103": "voice"}),
    ("chatwoot", "chatwoot/conversations.json",
     lambda d: [c["meta"].update(channel=k) for c, k in zip(
         d["data"]["payload"], ("Channel::Whatsapp", "Channel::Instagram", "Channel::Email"),
         strict=True)],
     {"41": "messenger", "42": "social", "43": "email"}),
    # Chatwoot's X inbox class is Channel::TwitterProfile (an X conversation was measured
    # as a live chat), and a voice inbox is Channel::Voice (read as chat too)
    ("chatwoot", "chatwoot/conversations.json",
     lambda d: [c["meta"].update(channel=k) for c, k in zip(
         d["data"]["payload"], ("Channel::TwitterProfile", "Channel::Voice",
                                "Channel::WebWidget"), strict=True)],
     {"41": "social", "42": "voice", "43": "chat"}),
    ("genesys-cloud", "genesys_cloud/details.json",
     lambda d: [s.update(mediaType="message") for c in d["conversations"]
                for p in c["participants"] for s in p.get("sessions", [])
                if s.get("mediaType") == "chat"],
     None),
])
def test_shipped_mappings_write_channels_omnikpi_measures(
        tmp_path: Path, platform: str, fixture: str, change: Any,
        expected: dict[str, str] | None) -> None:
    """A Zendesk web-form or API ticket was channel "portal"/"api", Freshdesk's "portal",
    "widget" and "other", Chatwoot's "whatsapp", Genesys's "message": channels OmniKPI
    does not know, read as calls (a ticket answered in 5 minutes missed a 20-second
    service level). Each shipped mapping writes the channels the catalog measures."""
    from omnikpi.config import DEFAULT_MODES

    data = json.loads((FIXTURES / fixture).read_text())
    change(data)
    source = tmp_path / "export.json"
    source.write_text(json.dumps(data))
    rows = _import(platform, source, tmp_path / "out")
    channels = {key: row["channel"] for key, row in rows.items()}
    assert set(channels.values()) <= set(DEFAULT_MODES)
    if expected is not None:
        assert channels == expected
    else:  # Genesys web messaging
        assert "messenger" in channels.values()


def test_genesys_cloud_conversation_details(tmp_path: Path) -> None:
    rows = _import("genesys-cloud", FIXTURES / "genesys_cloud" / "details.json", tmp_path)
    assert set(rows) == {"5e0c5b3a-0001", "5e0c5b3a-0002", "5e0c5b3a-0003"}
    call = rows["5e0c5b3a-0001"]  # queued 09:00:30, answered 09:01:10, talk to 09:06:00
    assert (call["queue"], call["agent_id"], call["channel"]) == ("Support", "u-ivan", "voice")
    assert _s(call["first_response_at"], call["arrived_at"]) == 40.0
    assert _s(call["ended_at"], call["accepted_at"]) == 290.0
    assert (call["hold_seconds"], call["acw_seconds"]) == (40.0, 45.0)
    assert call["customer_id"] == "tel:+380501234567"
    chat = rows["5e0c5b3a-0002"]  # queued 10:00:05, left 10:03:05 unanswered
    assert chat["channel"] == "chat" and chat["first_response_at"] is None
    assert _s(chat["abandoned_at"], chat["arrived_at"]) == 180.0
    out = rows["5e0c5b3a-0003"]
    assert (out["direction"], out["first_response_at"], out["acw_seconds"]) == (
        "outbound", None, 10.0)
    # the number dialled (dnis), not the caller id the company called from (ani): every
    # outbound call had the company's number as its customer
    assert out["customer_id"] == "tel:+380509990000"
    assert _s(out["ended_at"], out["accepted_at"]) == 120.0
    report = omnikpi.report_result(tmp_path, metrics=["offered", "answered", "abandoned",
                                                      "asa", "handled", "aht"]).rows[0]
    # the outbound call is nobody's wait (not offered) and handled work: 120 s + 10 s
    # wrap-up beside the inbound call's 290 s + 45 s
    assert report == {"offered": 2, "answered": 1, "abandoned": 1, "asa": 40.0,
                      "handled": 2, "aht": (335 + 130) / 2}
    sessions = {r["session_id"]: (r["result"], r["contact_id"]) for r in
                pq.read_table(tmp_path / "ivr_sessions.parquet").to_pylist()}
    # …0001 left the IVR for the queue after 30 s; the customer of …0004 hung up in it
    # after 50 s (the ivr segment's disconnectType peer)
    assert sessions == {"ivr-5e0c5b3a-0001": ("to_queue", "5e0c5b3a-0001"),
                        "ivr-5e0c5b3a-0004": ("abandoned", None)}
    ivr = omnikpi.report_result(tmp_path, metrics=[
        "ivr_containment_rate", "ivr_abandon_rate", "avg_ivr_time",
        "avg_wait_with_ivr"]).rows[0]
    # the answered call: 30 s in the IVR and 40 s in the queue
    assert ivr == {"ivr_containment_rate": 0.0, "ivr_abandon_rate": 0.5,
                   "avg_ivr_time": 40.0, "avg_wait_with_ivr": 70.0}



def test_a_time_written_as_a_number_in_one_segment_spoils_no_other(tmp_path: Path) -> None:
    """A details job re-exported by a tool that wrote one segment's start as epoch
    milliseconds: DuckDB types the field JSON for every segment, and a cast of a JSON text
    to text kept its quotes, so every time of every conversation failed to read (all
    three contacts with their times left empty). Now only the odd value is odd."""
    clean = json.loads((FIXTURES / "genesys_cloud" / "details.json").read_text())
    expected = _import("genesys-cloud", FIXTURES / "genesys_cloud" / "details.json",
                       tmp_path / "clean")
    customer = json.loads(json.dumps(clean))  # a segment no column reads
    customer["conversations"][0]["participants"][0]["sessions"][0]["segments"][0][
        "segmentStart"] = 1709629200000
    (tmp_path / "customer.json").write_text(json.dumps(customer))
    assert _import("genesys-cloud", tmp_path / "customer.json", tmp_path / "a") == expected
    agent = json.loads(json.dumps(clean))  # the start of the talk that answered the call
    agent["conversations"][0]["participants"][3]["sessions"][0]["segments"][1][
        "segmentStart"] = 1709629270000
    (tmp_path / "agent.json").write_text(json.dumps(agent))
    said = _said("genesys-cloud", tmp_path / "b", tmp_path / "agent.json")
    # four conversations, one only in the IVR (filtered, as from the clean file)
    assert "│ contacts │ 4 │ 3 │ 1 │ 0 │ 0 │ 1 │" in said
    assert "1 contacts: [derived] talkers could not be computed" in said
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "b" / "contacts.parquet").to_pylist()}
    assert rows["5e0c5b3a-0001"]["accepted_at"] is None  # the odd one, named above
    assert {k: v for k, v in rows.items() if k != "5e0c5b3a-0001"} == {
        k: v for k, v in expected.items() if k != "5e0c5b3a-0001"}

def test_genesys_cloud_presence_and_routing_status(tmp_path: Path) -> None:
    folder = FIXTURES / "genesys_cloud"
    _import("genesys-cloud", folder / "details.json", tmp_path)
    for _ in range(2):  # the same page again adds no state
        said = _said("genesys-cloud-users", tmp_path, folder / "user_details.json")
    assert "1 a user without presence or routing records" in said
    assert "1 still going on at the query" in said
    assert "12 already imported" in said
    assert omnikpi.load_dataset(tmp_path).problem_count == 0  # no overlap, whatever skew
    seconds: dict[tuple[str, str, str | None], float] = {}
    for s in pq.read_table(tmp_path / "agent_states.parquet").to_pylist():
        key = (s["agent_id"], s["state"], s["reason"])
        seconds[key] = seconds.get(key, 0.0) + (s["end"] - s["start"]).total_seconds()
    assert seconds == pytest.approx({
        # u-ivan: offline 08:00-08:55, available off queue to 09:00, on queue 09:00-09:30
        # (routing idle from 09:00:00.150, the 150 ms before it were still off queue;
        # interacting 09:01:10-09:06:45; idle to 09:29:59.900), break 09:30-09:45, on
        # queue again idle 09:45-10:00 and interacting from 10:00 (still going: skipped)
        ("u-ivan", "logged_out", None): 3300, ("u-ivan", "not_ready", "available"): 300,
        ("u-ivan", "available", None): 69.85 + 1394.9 + 900,
        ("u-ivan", "handling", None): 335, ("u-ivan", "not_ready", "break"): 900,
        # u-olga: routing status alone (no presence records in the page)
        ("u-olga", "available", None): 600 + 540, ("u-olga", "handling", None): 600,
        ("u-olga", "not_ready", "off queue"): 600,
        ("u-olga", "not_ready", "not responding"): 60})
    report = omnikpi.report_result(tmp_path, metrics=["occupancy"], by=["agent_id"]).rows
    assert {r["agent_id"]: r["occupancy"] for r in report} == pytest.approx(
        {"u-ivan": 335 / (335 + 69.85 + 1394.9 + 900), "u-olga": 600 / 1740})


def test_genesys_cloud_time_on_queue_without_routing_status_is_named(
        tmp_path: Path) -> None:
    """A presence-only query: available off queue 00:00-00:30, on queue 00:30-01:00, no
    routing records. The off-queue half hour is kept; the on-queue one, idle or
    interacting nobody can tell, vanished without a reason: it is skipped under its own."""
    page = {"userDetails": [{"userId": "u1", "routingStatus": [], "primaryPresence": [
        {"systemPresence": "AVAILABLE", "startTime": "2026-07-14T00:00:00Z",
         "endTime": "2026-07-14T00:30:00Z"},
        {"systemPresence": "ON_QUEUE", "startTime": "2026-07-14T00:30:00Z",
         "endTime": "2026-07-14T01:00:00Z"}]}], "totalHits": 1}
    (tmp_path / "page.json").write_text(json.dumps(page))
    said = _said("genesys-cloud-users", tmp_path / "out", tmp_path / "page.json")
    assert "│ agent_states │ 2 │ 1 │ 1 │" in said, said
    assert "1 on queue, but the page has no routing status for the user" in said
    [kept] = pq.read_table(tmp_path / "out" / "agent_states.parquet").to_pylist()
    assert (kept["state"], kept["reason"]) == ("not_ready", "available")


def test_chatwoot_conversations(tmp_path: Path) -> None:
    rows = _import("chatwoot", FIXTURES / "chatwoot" / "conversations.json", tmp_path)
    assert set(rows) == {"41", "42", "43"}
    chat = rows["41"]  # created 10:00:00, first reply 10:00:30, resolved 12:00:00
    assert chat["arrived_at"].isoformat() == "2024-03-05T10:00:00"
    assert _s(chat["first_response_at"], chat["arrived_at"]) == 30.0
    assert _s(chat["resolved_at"], chat["arrived_at"]) == 7200.0
    assert (chat["queue"], chat["agent_id"], chat["customer_id"]) == ("inbox-3", "op1", "900")
    assert rows["42"]["first_response_at"] is None and rows["42"]["resolved_at"] is None
    mail = rows["43"]  # ISO first reply 12:20:00 after 12:00:00; resolved 15:00:00
    assert mail["channel"] == "email"
    assert _s(mail["first_response_at"], mail["arrived_at"]) == 1200.0
    assert _s(mail["resolved_at"], mail["arrived_at"]) == 3 * 3600.0
    report = omnikpi.report_result(tmp_path, metrics=["answered", "resolution_time"]).rows[0]
    assert report == {"answered": 2, "resolution_time": (7200 + 10800) / 2}


def test_every_platform_has_its_shipped_mapping() -> None:
    from omnikpi.cli.importer import PLATFORMS, shipped_mapping

    assert set(PLATFORMS) == {"zendesk", "freshdesk", "amazon-connect",
                              "amazon-connect-agent-events", "asterisk-cdr",
                              "genesys-cloud-users",
                              "genesys-cloud", "chatwoot", "vicidial",
                              "vicidial-agent-log", "zendesk-satisfaction",
                              "freshdesk-satisfaction", "intercom", "intercom-messages",
                              "twilio-taskrouter", "twilio-taskrouter-streams",
                              "zendesk-talk", "chatwoot-csat"}
    for platform in PLATFORMS:
        assert shipped_mapping(platform).is_file()


VICIDIAL_LOG = FIXTURES / "vicidial" / "vicidial_log.tsv"


def _vicidial(out: Path, *extra: str) -> tuple[dict[str, dict[str, Any]], str]:
    result = CliRunner().invoke(app, ["import", "vicidial", str(VICIDIAL_LOG), "--out",
                                      str(out), *extra])
    assert result.exit_code == 0, result.output
    assert omnikpi.load_dataset(out).problem_count == 0
    table = pq.read_table(out / "dial_attempts.parquet").to_pylist()
    return {r["attempt_id"].split(".")[1]: r for r in table}, " ".join(result.output.split())


def test_vicidial_outbound_log(tmp_path: Path) -> None:
    rows, output = _vicidial(tmp_path)
    # 16 lines: 12 attempts, 4 skipped with their reason (README of the fixture)
    assert sorted(rows) == ["101", "102", "103", "104", "105", "106", "107", "108", "109",
                            "113", "114", "116"]
    results = {k: r["result"] for k, r in rows.items()}
    assert results == {"101": "connected", "102": "no_answer", "103": "busy",
                       "104": "dropped", "105": "connected", "106": "no_answer",
                       "107": "invalid", "108": "connected", "109": "connected",
                       "113": "failed", "114": "connected", "116": "connected"}
    sale = rows["101"]  # start_epoch 1709629200 = 2024-03-05 09:00:00 UTC; call_date is
    # the server's wall time (04:00 in New York) and is not read
    assert sale["dialed_at"].isoformat() == "2024-03-05T09:00:00"
    assert (sale["campaign"], sale["lead_id"], sale["agent_id"]) == ("SALESQ1", "1001", "6001")
    assert (sale["right_party"], sale["converted"], sale["talk_seconds"]) == (True, True, 300.0)
    assert rows["104"]["agent_id"] is None and rows["104"]["talk_seconds"] is None  # VDAD
    assert rows["108"]["right_party"] is False  # APPSET: the campaign's own disposition
    assert rows["114"]["right_party"] is True and rows["114"]["talk_seconds"] == 200.0
    assert "1 still in progress when exported" in output
    assert "1 not dialled: the lead matched a do-not-call list" in output
    assert "1 a survey or broadcast call" in output
    assert "1 a status this mapping does not know, set by no agent: add it to a list in " \
           "the mapping's [derived]" in output
    report = omnikpi.report_result(
        tmp_path, metrics=["attempts", "connection_rate", "dialer_abandon_rate", "rpc_rate",
                           "conversion_rate"], by=["campaign"])
    figures = {r["campaign"]: r for r in report.rows}
    # SALESQ1: 11 attempts; connected 101 105 108 109 114; dropped 104;
    # right party 101 105 114; converted 101
    assert figures["SALESQ1"] == {"campaign": "SALESQ1", "attempts": 11,
                                  "connection_rate": pytest.approx(5 / 11),
                                  "dialer_abandon_rate": pytest.approx(1 / 6),
                                  "rpc_rate": pytest.approx(3 / 5),
                                  "conversion_rate": pytest.approx(1 / 3)}
    assert figures["WINBACK"]["attempts"] == 1


def test_vicidial_imported_again_keeps_each_attempt_once(tmp_path: Path) -> None:
    # a daily export re-run over the same hours: the dataset still validates, no duplicates
    _, first = _vicidial(tmp_path)
    rows, output = _vicidial(tmp_path)
    assert len(rows) == 12
    # every line of the second import is accounted for: 4 skipped, 12 already there
    assert "already imported" not in first
    assert "12 already imported, or repeated in these files (same attempt_id): kept " \
           "once, the first" in output


def test_vicidial_campaign_statuses_are_added_in_a_copy(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[3] / "mappings" / "vicidial.toml").read_text()
    own = tmp_path / "vicidial_ours.toml"
    own.write_text(text.replace("rpc_statuses = \"['SALE',", "rpc_statuses = \"['APPSET', 'SALE',")
                   .replace("failed_statuses = \"['ADCT',", "failed_statuses = \"['XYZ', 'ADCT',"))
    rows, output = _vicidial(tmp_path / "out", "--mapping", str(own))
    assert rows["108"]["right_party"] is True
    assert rows["112"]["result"] == "failed"
    # every status is known now: the reason is not listed (a reason no row met never is)
    assert "a status this mapping does not know" not in output


def test_vicidial_agent_log_gives_the_outbound_hours(tmp_path: Path) -> None:
    _vicidial(tmp_path)
    result = CliRunner().invoke(app, ["import", "vicidial-agent-log",
                                      str(FIXTURES / "vicidial" / "vicidial_agent_log.tsv"),
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert omnikpi.load_dataset(tmp_path).problem_count == 0
    output = " ".join(result.output.split())
    # 6 lines × 4 phases = 24 rows read: 6 phases of no time, 1 unclosed wrap-up (70000 s)
    assert "│ agent_states │ 24 │ 17 │ 7 │ 0 │" in output
    assert "6 a phase of no time" in output and "1 a phase longer than 65,000 s" in output
    states = pq.read_table(tmp_path / "agent_states.parquet").to_pylist()
    mine = [(s["state"], s["reason"], s["start"].strftime("%H:%M:%S"),
             (s["end"] - s["start"]).total_seconds())
            for s in states if s["agent_id"] == "6001"]
    assert mine == [
        ("not_ready", "LOGIN", "08:55:00", 60.0), ("available", None, "08:56:00", 240.0),
        ("handling", None, "09:00:00", 300.0), ("acw", None, "09:05:00", 20.0),
        ("available", None, "09:05:20", 100.0), ("handling", None, "09:07:00", 95.0),
        ("acw", None, "09:08:35", 15.0), ("not_ready", "BREAK", "09:08:50", 600.0)]
    report = omnikpi.report_result(tmp_path, metrics=["rpc_per_hour", "attempts_per_hour",
                                                      "occupancy"], by=["agent_id"])
    figures = {r["agent_id"]: r for r in report.rows}
    # 6001 logged in 60+240+300+20+100+95+15+600 = 1430 s: 1 right party (.101), 2 attempts
    # (.101, .108); busy 300+20+95+15 = 430 s of 430 + 240 + 100 available
    assert figures["6001"]["rpc_per_hour"] == pytest.approx(1 / (1430 / 3600))
    assert figures["6001"]["attempts_per_hour"] == pytest.approx(2 / (1430 / 3600))
    assert figures["6001"]["occupancy"] == pytest.approx(430 / 770)
    # 6002 logged in 30+210+180+10+50+60+20+220+200 = 980 s (the unclosed wrap-up not
    # counted): right parties .105 and .114 of 3 attempts; busy 470 s, available 480 s
    assert figures["6002"]["rpc_per_hour"] == pytest.approx(2 / (980 / 3600))
    assert figures["6002"]["attempts_per_hour"] == pytest.approx(3 / (980 / 3600))
    assert figures["6002"]["occupancy"] == pytest.approx(470 / 950)


def test_a_vicidial_phase_of_negative_length_is_filtered_with_its_reason(
        tmp_path: Path) -> None:
    """A wait of -3 s (the server's clock set back between two readings) was written and
    only quarantined when the data was loaded ("end is before start")."""
    lines = (FIXTURES / "vicidial" / "vicidial_agent_log.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    odd = dict(zip(header, lines[1].split("\t"), strict=True)) | {"wait_sec": "-3"}
    source = tmp_path / "log.tsv"
    source.write_text("\n".join(["\t".join(header), "\t".join(odd[c] for c in header)])
                      + "\n")
    said = _said("vicidial-agent-log", tmp_path / "out", source)
    assert "│ agent_states │ 4 │ 3 │ 1 │ 0 │ 0 │ 0 │" in said
    assert "1 a phase of negative length" in said
    assert omnikpi.load_dataset(tmp_path / "out").problem_count == 0


def test_a_row_rejected_for_two_reasons_is_one_row_rejected(tmp_path: Path) -> None:
    """A line with no user: its four phases lack an agent (4 rows); a line whose pause
    epoch reads "abc": its pause has neither start nor end (1 row, 2 reasons). The
    summary's rejected column counts rows (5), the reasons below it count each reason."""
    lines = (FIXTURES / "vicidial" / "vicidial_agent_log.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    good = dict(zip(header, lines[1].split("\t"), strict=True))
    no_user = {**good, "user": "", "agent_log_id": "901"}
    bad_epoch = {**good, "pause_epoch": "abc", "agent_log_id": "902", "user": "6099"}
    source = tmp_path / "log.tsv"
    source.write_text("\n".join(["\t".join(header), lines[1]]
                                + ["\t".join(row[c] for c in header)
                                   for row in (no_user, bad_epoch)]) + "\n")
    result = CliRunner().invoke(app, ["import", "vicidial-agent-log", str(source),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    # 3 lines × 4 phases (the first line has all four: 60, 240, 300 and 20 s), all written:
    # none filtered, none left out, no repeat; 5 of them with a value left empty
    assert "│ agent_states │ 12 │ 12 │ 0 │ 0 │ 0 │ 5 │" in output
    assert "4 agent_id empty or unreadable" in output
    assert "1 start empty or unreadable" in output and "1 end empty or unreadable" in output
    assert "5 rows with a value left empty, for 6 reasons" in output


def test_zendesk_satisfaction_ratings_give_csat(tmp_path: Path) -> None:
    folder = FIXTURES / "zendesk"
    assert CliRunner().invoke(app, ["import", "zendesk", str(folder / "tickets.json"),
                                    str(folder / "metric_events.json"), "--out",
                                    str(tmp_path)]).exit_code == 0
    for _ in range(2):  # the same page imported again adds no answer
        result = CliRunner().invoke(app, ["import", "zendesk-satisfaction",
                                          str(folder / "satisfaction_ratings.json"),
                                          "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
    assert omnikpi.load_dataset(tmp_path).problem_count == 0
    output = " ".join(result.output.split())
    assert "2 offered, not answered" in output and "3 already imported" in output
    answers = pq.read_table(tmp_path / "surveys.parquet").to_pylist()
    # good 35436, bad 35437, good 35439; 35438 offered and 35440 unoffered are no answers
    assert sorted((a["contact_id"], a["score"], a["answered_at"].strftime("%H:%M"))
                  for a in answers) == [("35436", 1.0, "14:10"), ("35437", 0.0, "15:30"),
                                        ("35439", 1.0, "17:00")]
    report = omnikpi.report_result(tmp_path, metrics=["csat", "cdsat"]).rows[0]
    # a 2-point scale: the top box is "good" alone, 2 of 3; the bottom box "bad", 1 of 3
    assert report == {"csat": pytest.approx(2 / 3), "cdsat": pytest.approx(1 / 3)}


INTERCOM = sorted((FIXTURES / "intercom").glob("conversations-page-*.json"))


def _intercom(out: Path, platform: str) -> str:
    return _said(platform, out, *INTERCOM)


def test_intercom_conversations_the_ai_agent_and_ratings(tmp_path: Path) -> None:
    said = _intercom(tmp_path, "intercom")
    # 12 conversations read (1001 twice: the pages overlapped), each accounted for in
    # each of the three tables
    for count, reason in [
            (1, "contacts: a preview a teammate ran"),
            (1, "contacts: no statistics in the export"),
            (1, "contacts: resolved by the AI agent with no teammate reply"),
            (1, "contacts: left while with the AI agent"),
            (1, "contacts: an automated message (Series, campaign, custom bot) nobody "
                "answered"),
            (1, "contacts: already imported, or repeated in these files"),
            (8, "ivr_sessions: the AI agent took no part"),
            (1, "ivr_sessions: a preview a teammate ran"),
            (7, "surveys: not rated by the customer"),
            (1, "surveys: already imported, or repeated in these files")]:
        assert f"{count} {reason}" in said, reason
    rows = {r["contact_id"]: r for r in pq.read_table(tmp_path / "contacts.parquet").to_pylist()}
    assert set(rows) == {"1001", "1002", "1003", "1005", "1007", "1009"}
    chat = rows["1001"]  # Messenger, created 09:00:00, first teammate reply 09:01:30
    assert (chat["channel"], chat["queue"], chat["agent_id"], chat["customer_id"]) == (
        "chat", "team-5", "814860", "cust-1001")
    assert _s(chat["first_response_at"], chat["arrived_at"]) == 90.0
    assert _s(chat["resolved_at"], chat["arrived_at"]) == 1200.0
    assert rows["1003"]["channel"] == "messenger" and rows["1003"]["first_response_at"] is None
    handed = rows["1005"]  # Fin from 11:10, handed over 11:13, a teammate replied 11:15
    assert handed["arrived_at"].isoformat() == "2024-03-05T11:13:00"
    assert _s(handed["first_response_at"], handed["arrived_at"]) == 120.0
    assert rows["1007"]["direction"] == "outbound"  # a teammate's e-mail nobody answered
    answered_series = rows["1009"]  # a Series e-mail the customer answered at 14:00
    assert (answered_series["direction"], answered_series["customer_id"]) == (
        "inbound", "cust-1009")
    assert answered_series["arrived_at"].isoformat() == "2024-03-05T14:00:00"
    sessions = {r["session_id"]: r for r in
                pq.read_table(tmp_path / "ivr_sessions.parquet").to_pylist()}
    assert {k: (v["result"], v["contact_id"]) for k, v in sessions.items()} == {
        "fin-1004": ("self_served", None), "fin-1005": ("to_queue", "1005"),
        "fin-1006": ("abandoned", None)}
    said = _intercom(tmp_path, "intercom")  # the same pages again add nothing
    assert "7 contacts: already imported" in said  # 1001 twice
    assert "3 ivr_sessions: already imported" in said
    assert "4 surveys: already imported" in said
    assert omnikpi.load_dataset(tmp_path).problem_count == 0

    report = omnikpi.report_result(tmp_path, metrics=[
        "offered", "answered", "asa", "resolution_time", "ivr_sessions",
        "ivr_containment_rate", "ivr_abandon_rate", "avg_ivr_time", "csat", "cdsat"]).rows[0]
    assert report == pytest.approx({
        "offered": 5,  # 1001, 1002, 1003, 1005, 1009 (1007 is outbound)
        "answered": 4,
        "asa": (90 + 10800 + 120 + 300) / 4,
        # closed: 1001 20 min, 1002 5 h, 1005 27 min (from the hand-over), 1009 30 min
        "resolution_time": (1200 + 18000 + 1620 + 1800) / 4,
        # Fin: 1004 resolved alone (4 min), 1005 handed over (3 min), 1006 lost (2 min)
        "ivr_sessions": 3, "ivr_containment_rate": 1 / 3, "ivr_abandon_rate": 1 / 3,
        "avg_ivr_time": 180.0,
        # ratings 5 (1001), 2 (1002), 4 (1005) on 1-5
        "csat": 2 / 3, "cdsat": 1 / 3,
    })
    chat = omnikpi.report_result(tmp_path, metrics=["asa", "avg_wait_with_ivr"],
                                 by=["channel"]).rows
    by_channel = {r["channel"]: r for r in chat}
    # 1005 waited 3 min with Fin and 2 min for a teammate; 1001 90 s
    assert by_channel["chat"] == pytest.approx({"channel": "chat", "asa": 105.0,
                                                "avg_wait_with_ivr": (90 + 300) / 2})


@pytest.mark.parametrize("state", ["abandoned", "assumed_resolution", "routed_to_team"])
def test_intercom_a_conversation_fin_passed_on_waits_from_the_hand_over(
        tmp_path: Path, state: str) -> None:
    """1005 with Fin from 11:10, assigned 11:13, a teammate's reply 11:15: whatever Fin's
    resolution state, a teammate answered after the hand-over, so the contact arrives at
    11:13 and waited 120 s, and the wait including the AI agent is 180 + 120 s. Only
    routed_to_team did: after "abandoned" or "assumed_resolution" it arrived at 11:10 (a
    300 s wait) and the 180 s with Fin counted twice."""
    import json

    [page] = [json.loads(p.read_text()) for p in INTERCOM if "page-1" in p.name]
    [fin] = [c for c in page["conversations"] if c["id"] == "1005"]
    fin["ai_agent"]["resolution_state"] = state
    (tmp_path / "page.json").write_text(json.dumps({**page, "conversations": [fin]}))
    rows = _import("intercom", tmp_path / "page.json", tmp_path / "out")
    assert rows["1005"]["arrived_at"].isoformat() == "2024-03-05T11:13:00"
    report = omnikpi.report_result(tmp_path / "out", metrics=["asa", "avg_wait_with_ivr"]
                                   ).rows[0]
    assert report == {"asa": 120.0, "avg_wait_with_ivr": 300.0}


def test_intercom_conversation_parts_give_in_session_response_times(tmp_path: Path) -> None:
    _intercom(tmp_path, "intercom")
    parts = sorted((FIXTURES / "intercom").glob("conversation-*.json"))
    said = _said("intercom-messages", tmp_path, *parts)
    assert "1 an internal note" in said and "2 an event without a message" in said
    assert omnikpi.load_dataset(tmp_path).problem_count == 0
    messages = pq.read_table(tmp_path / "messages.parquet").to_pylist()
    assert [(m["ts"].strftime("%H:%M:%S"), m["sender"]) for m in messages
            if m["contact_id"] == "1005"] == [
        ("11:10:00", "customer"), ("11:10:05", "bot"),
        ("11:13:00", "bot"),  # the hand-over, an assignment with a reply in it
        ("11:15:00", "agent"), ("11:16:00", "customer")]
    report = omnikpi.report_result(tmp_path, metrics=["art"], by=["channel"]).rows
    # 1001 after the first reply: asked 09:05 answered 09:06 (60 s); asked 09:10 (and
    # again 09:10:20) answered 09:12 (120 s); 1005's last question has no answer yet
    assert {r["channel"]: r["art"] for r in report}["chat"] == pytest.approx(90.0)
    assert "12 already imported" in _said("intercom-messages", tmp_path, *parts)  # again


def test_intercom_an_automated_opening_message_is_the_bots(tmp_path: Path) -> None:
    """A Series message at 09:00 in a teammate's name (author admin 900, delivered_as
    automated); the customer answers 09:10 and 09:20, teammate 814860 at 09:11 and 09:22.
    The automated message was read as the agent's first reply, so the 09:10 answer's wait
    (the first response) was an in-session one: art 90 s for 120 s."""
    import json

    def part(at: int, kind: str, who: str, who_id: str) -> dict[str, Any]:
        return {"type": "conversation_part", "part_type": kind, "body": "<p>…</p>",
                "created_at": 1709629200 + at, "author": {"type": who, "id": who_id}}
    conversation = {
        "type": "conversation", "id": "2001", "created_at": 1709629200,
        "source": {"type": "conversation", "delivered_as": "automated",
                   "author": {"type": "admin", "id": "900"}},
        "conversation_parts": {"conversation_parts": [
            part(600, "comment", "user", "cust-1"), part(660, "comment", "admin", "814860"),
            part(1200, "comment", "user", "cust-1"),
            part(1320, "comment", "admin", "814860")]}}
    (tmp_path / "conversation-2001.json").write_text(json.dumps(conversation))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,first_response_at,accepted_at,agent_id\n"
        "2001,chat,team-5,2024-03-05T09:10:00Z,2024-03-05T09:11:00Z,"
        "2024-03-05T09:11:00Z,814860\n")
    _said("intercom-messages", tmp_path / "out", tmp_path / "conversation-2001.json")
    messages = pq.read_table(tmp_path / "out" / "messages.parquet").to_pylist()
    assert [(m["ts"].strftime("%H:%M"), m["sender"], m["agent_id"]) for m in messages] == [
        ("09:00", "bot", None), ("09:10", "customer", None), ("09:11", "agent", "814860"),
        ("09:20", "customer", None), ("09:22", "agent", "814860")]
    art = omnikpi.report_result(tmp_path / "out", metrics=["art"]).rows[0]["art"]
    assert art == pytest.approx(120.0)


TASKROUTER = FIXTURES / "twilio_taskrouter"


def _seconds_by_state(states: list[dict[str, Any]]) -> dict[tuple[str, str, str | None], float]:
    seconds: dict[tuple[str, str, str | None], float] = {}
    for s in states:
        key = (s["agent_id"].split("@")[0], s["state"], s["reason"] or s["channel"])
        seconds[key] = seconds.get(key, 0.0) + (s["end"] - s["start"]).total_seconds()
    return seconds


def test_twilio_taskrouter_events_give_tasks_and_the_workers_time(tmp_path: Path) -> None:
    """Two pages of the Events API (newest first, one event on both pages): each task a
    contact, each worker's activities and reservations a timeline; every figure is worked
    out in the fixture's README."""
    pages = sorted(TASKROUTER.glob("events-page-*.json"))
    quiet = tmp_path / "in" / "events-page-3.json"  # a page of a quiet hour: no events
    quiet.parent.mkdir()
    quiet.write_text('{"events": [], "meta": {"page": 2, "key": "events"}}')
    said = _said("twilio-taskrouter", tmp_path / "out", *pages, quiet)
    tmp_path = tmp_path / "out"
    for reason in ("1 contacts: an event listed or delivered again",
                   "2 contacts: a task still open",
                   "1 contacts: a page or line without an event",
                   "1 agent_states: a page or line without",
                   "1 contacts: a task accepted before these events",
                   "7 contacts: not a task's event", "39 contacts: one of its task's events",
                   "2 agent_states: work on a reservation accepted before these events",
                   "2 agent_states: the worker's last change in these events",
                   "32 agent_states: changes no worker's state"):
        assert reason in said, reason
    # a reason no row met is not listed ("0 agent_states: superseded by …")
    assert " 0 contacts:" not in said and " 0 agent_states:" not in said, said
    assert omnikpi.load_dataset(tmp_path).problem_count == 0
    rows = {r["contact_id"][-1]: r for r in
            pq.read_table(tmp_path / "contacts.parquet").to_pylist()}
    assert set(rows) == {"1", "2", "3", "4", "5", "6", "8"}
    assert {k: (r["channel"], r["direction"], r["queue"]) for k, r in rows.items()} == {
        "1": ("voice", "inbound", "Support"), "2": ("voice", "inbound", "Support"),
        "3": ("chat", "inbound", "Chat"), "4": ("messenger", "inbound", "Chat"),
        "5": ("email", "inbound", "Email"), "6": ("voice", "outbound", "Outbound"),
        "8": ("voice", "inbound", "Support")}
    waits = {k: _s(r["first_response_at"], r["arrived_at"]) for k, r in rows.items()}
    assert waits == {"1": 20, "2": None, "3": 30, "4": 60, "5": 4200, "6": 1, "8": None}
    assert _s(rows["2"]["abandoned_at"], rows["2"]["arrived_at"]) == 60
    assert rows["8"]["abandoned_at"] is None and rows["8"]["outcome"] == "Task TTL Exceeded"
    assert rows["6"]["customer_id"] == "+380671112233"
    assert {k: r["acw_seconds"] for k, r in rows.items() if r["agent_id"]} == {
        "1": 40, "3": 60, "4": 30, "5": 60, "6": 30}
    states = pq.read_table(tmp_path / "agent_states.parquet").to_pylist()
    assert _seconds_by_state(states) == {
        ("olena", "available", None): 320 + 1200 + 270 + 90,
        ("olena", "handling", "voice"): 240, ("olena", "acw", "voice"): 40,
        ("olena", "not_ready", "Break"): 900, ("olena", "handling", "chat"): 90,
        ("olena", "handling", "messenger"): 240 + 60 + 120,
        ("olena", "acw", "messenger"): 30,
        ("ivan", "not_ready", "Unavailable"): 103,
        ("ivan", "available", None): 4320 + 541 + 989,
        ("ivan", "handling", "email"): 600, ("ivan", "acw", "email"): 60,
        ("ivan", "handling", "voice"): 180, ("ivan", "acw", "voice"): 30}
    by_channel = {r["channel"]: r for r in omnikpi.report_result(
        tmp_path, metrics=["offered", "abandoned", "asa", "aht"], by=["channel"]).rows}
    assert (by_channel["voice"]["offered"], by_channel["voice"]["abandoned"],
            by_channel["voice"]["asa"], by_channel["voice"]["aht"]) == (3, 1, 20, 245)
    assert by_channel["email"]["asa"] == 4200
    occupancy = {r["agent_id"]: r["occupancy"] for r in omnikpi.report_result(
        tmp_path, metrics=["occupancy"], by=["agent_id"]).rows}
    assert occupancy == pytest.approx({"olena@example.com": 820 / 2700,
                                       "ivan@example.com": 210 / 6060})


def test_twilio_taskrouter_yesterdays_events_then_with_todays(tmp_path: Path) -> None:
    """The first half of the events imported alone, then all of them: the tasks and states
    still open after the first import come with the second, and nothing twice."""
    import json

    pages = sorted(TASKROUTER.glob("events-page-*.json"))
    events = {e["sid"]: e for p in pages for e in json.loads(p.read_text())["events"]}
    early = [e for e in events.values() if e["event_date"] < "2024-03-05T09:52:00Z"]
    (tmp_path / "early.json").write_text(json.dumps({"events": early, "meta": {}}))
    said = _said("twilio-taskrouter", tmp_path / "split", tmp_path / "early.json")
    # the events of the two chats and of the e-mail not yet answered: 3 + 3 + 1
    assert "7 contacts: a task still open" in said
    _said("twilio-taskrouter", tmp_path / "split", *pages)
    _said("twilio-taskrouter", tmp_path / "whole", *pages)
    for table in ("contacts", "agent_states"):
        split = pq.read_table(tmp_path / "split" / f"{table}.parquet").to_pylist()
        whole = pq.read_table(tmp_path / "whole" / f"{table}.parquet").to_pylist()
        assert sorted(map(str, split)) == sorted(map(str, whole)), table


def test_twilio_taskrouter_event_streams_read_as_the_events_api(tmp_path: Path) -> None:
    """The same events as Event Streams deliver them (CloudEvents, one per line, one
    delivered twice, a batch late) give the same contacts and states as the list API's
    pages: the streams mapping extends the list API's and reads each field elsewhere."""
    said = _said("twilio-taskrouter-streams", tmp_path / "streams",
                 TASKROUTER / "event-streams.jsonl")
    assert "1 contacts: an event listed or delivered again" in said
    _said("twilio-taskrouter", tmp_path / "pages", *sorted(TASKROUTER.glob("events-page-*.json")))
    for table in ("contacts", "agent_states"):
        streams = pq.read_table(tmp_path / "streams" / f"{table}.parquet").to_pylist()
        pages = pq.read_table(tmp_path / "pages" / f"{table}.parquet").to_pylist()
        assert len(pages) == {"contacts": 7, "agent_states": 20}[table]
        assert sorted(map(str, streams)) == sorted(map(str, pages)), table


def _stream_event(number: int, kind: str, at: str, **payload: str) -> dict[str, Any]:
    """A TaskRouter event as Event Streams deliver it, on 5 March 2024 at ``at`` (UTC)."""
    sid = f"EV{number:03d}"
    return {"type": "com.twilio.taskrouter." + kind, "id": "NO" + sid,
            "data": {"payload": {"sid": sid, "eventtype": kind,
                                 "timestamp": f"2024-03-05T{at}Z", **payload}}}


def test_twilio_a_state_carries_the_channel_of_work_still_open(tmp_path: Path) -> None:
    """olga takes an e-mail at 10:00 and a web chat at 10:05; the chat wraps up at 10:10
    and completes 10:10:30, the e-mail wraps up at 10:30 and completes 10:31. The state
    took the channel of the last task taken, so the e-mail's 10:10:30–10:30 read as chat
    handling: occupancy 56.8 % (1500 / 2640). The chat is real-time work only 10:05–10:10
    (while it is open, before the e-mail): 300 / (300 + available 600 + 540) = 20.8 %."""
    olga = {"worker_name": "olga", "worker_activity_name": "Available"}
    mail = {"task_sid": "WTE", "task_channel_unique_name": "email", "task_queue_name": "Mail",
            "task_attributes": '{"from": "a@b.c"}'}
    chat = {"task_sid": "WTC", "task_channel_unique_name": "chat", "task_queue_name": "Chat",
            "task_attributes": '{"from": "web-1", "channelType": "web"}'}
    events: list[dict[str, Any]] = []
    for kind, at, fields in (
            ("worker.activity.update", "09:50:00", olga),
            ("task.created", "09:59:00", mail),
            ("reservation.accepted", "10:00:00", {**mail, **olga, "reservation_sid": "WRE"}),
            ("task.created", "10:04:00", chat),
            ("reservation.accepted", "10:05:00", {**chat, **olga, "reservation_sid": "WRC"}),
            ("reservation.wrapup", "10:10:00", {**chat, **olga, "reservation_sid": "WRC"}),
            ("task.wrapup", "10:10:00", chat),
            ("reservation.completed", "10:10:30", {**chat, **olga, "reservation_sid": "WRC"}),
            ("task.completed", "10:10:30", chat),
            ("reservation.wrapup", "10:30:00", {**mail, **olga, "reservation_sid": "WRE"}),
            ("task.wrapup", "10:30:00", mail),
            ("reservation.completed", "10:31:00", {**mail, **olga, "reservation_sid": "WRE"}),
            ("task.completed", "10:31:00", mail),
            ("worker.activity.update", "10:40:00", {**olga, "worker_activity_name": "Offline"}),
            ("worker.activity.update", "10:50:00", olga)):
        events.append(_stream_event(len(events), kind, at, **fields))
    source = tmp_path / "events.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in reversed(events)))
    _said("twilio-taskrouter-streams", tmp_path / "out", source)
    states = pq.read_table(tmp_path / "out" / "agent_states.parquet").to_pylist()
    assert [(s["state"], s["channel"], s["start"].strftime("%H:%M:%S"),
             s["end"].strftime("%H:%M:%S")) for s in states] == [
        ("available", None, "09:50:00", "10:00:00"),
        ("handling", "email", "10:00:00", "10:05:00"),
        ("handling", "chat", "10:05:00", "10:10:00"),  # both open: the real-time one
        ("handling", "email", "10:10:00", "10:10:30"),  # the chat in wrap-up, the e-mail open
        ("handling", "email", "10:10:30", "10:30:00"),
        ("acw", "email", "10:30:00", "10:31:00"),
        ("available", None, "10:31:00", "10:40:00"),
        ("logged_out", None, "10:40:00", "10:50:00")]
    occupancy = omnikpi.report_result(tmp_path / "out", metrics=["occupancy"]).rows[0]
    assert occupancy["occupancy"] == pytest.approx(300 / 1440)


def test_twilio_a_reservation_keeps_the_channel_its_acceptance_gave_it(
        tmp_path: Path) -> None:
    """A WhatsApp chat (task channel chat, channelType whatsapp: messenger) whose wrap-up
    and completion events carry no task attributes, then an e-mail: the chat's end was
    counted off "chat", its messenger stayed open, and the e-mail's handling read as
    messenger (real-time, in occupancy)."""
    olga = {"worker_name": "olga", "worker_activity_name": "Available"}
    chat = {"task_sid": "WTW", "task_channel_unique_name": "chat", "task_queue_name": "Chat",
            "reservation_sid": "WRW"}
    whatsapp = {**chat, "task_attributes": '{"from": "wa-1", "channelType": "whatsapp"}'}
    mail = {"task_sid": "WTE", "task_channel_unique_name": "email", "task_queue_name": "Mail",
            "task_attributes": '{"from": "a@b.c"}', "reservation_sid": "WRE"}
    events: list[dict[str, Any]] = []
    for kind, at, fields in (
            ("worker.activity.update", "09:50:00", olga),
            ("reservation.accepted", "10:00:00", {**whatsapp, **olga}),
            ("reservation.wrapup", "10:05:00", {**chat, **olga}),
            ("reservation.completed", "10:06:00", {**chat, **olga}),
            ("reservation.accepted", "10:10:00", {**mail, **olga}),
            ("reservation.wrapup", "10:20:00", {**mail, **olga}),
            ("reservation.completed", "10:21:00", {**mail, **olga}),
            ("worker.activity.update", "10:30:00", {**olga, "worker_activity_name": "Offline"})):
        events.append(_stream_event(len(events), kind, at, **fields))
    source = tmp_path / "events.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in events))
    _said("twilio-taskrouter-streams", tmp_path / "out", source)
    states = pq.read_table(tmp_path / "out" / "agent_states.parquet").to_pylist()
    assert [(s["state"], s["channel"], s["start"].strftime("%H:%M")) for s in states] == [
        ("available", None, "09:50"), ("handling", "messenger", "10:00"),
        ("acw", "messenger", "10:05"), ("available", None, "10:06"),
        ("handling", "email", "10:10"), ("acw", "email", "10:20"),
        ("available", None, "10:21")]


def test_zendesk_talk_calls_and_their_ivr(tmp_path: Path) -> None:
    """Three pages of the incremental calls export (a call exported twice, one going on,
    an empty page): each figure worked out in the fixture's README."""
    pages = sorted((FIXTURES / "zendesk_talk").glob("calls-*.json"))
    said = _said("zendesk-talk", tmp_path, *pages)
    for reason in ("1 contacts: a call exported again", "1 contacts: a call going on",
                   "1 contacts: a page without calls", "1 contacts: hung up in the IVR",
                   "1 contacts: served by the IVR", "2 ivr_sessions: no IVR before the queue"):
        assert reason in said, reason
    assert omnikpi.load_dataset(tmp_path).problem_count == 0
    rows = {r["contact_id"]: r for r in pq.read_table(tmp_path / "contacts.parquet").to_pylist()}
    assert set(rows) == {"101", "102", "105", "106", "107", "108"}
    assert rows["101"]["acw_seconds"] == 30  # the call's latest form, after its wrap-up
    assert rows["106"]["blocked"] and rows["107"]["direction"] == "outbound"
    assert _s(rows["101"]["first_response_at"], rows["101"]["arrived_at"]) == 25
    assert _s(rows["102"]["abandoned_at"], rows["102"]["arrived_at"]) == 50
    assert rows["105"]["abandoned_at"] is None and rows["105"]["outcome"] == "voicemail"
    report = omnikpi.report_result(tmp_path, metrics=[
        "received", "offered", "blocked_rate", "answered", "abandoned", "asa", "aht",
        "ivr_sessions", "ivr_containment_rate", "ivr_abandon_rate", "avg_ivr_time",
        "avg_wait_with_ivr"]).rows[0]
    assert report == pytest.approx({
        "received": 5, "offered": 4, "blocked_rate": 1 / 5, "answered": 2, "abandoned": 1,
        "asa": (25 + 10) / 2, "aht": (250 + 180 + 360) / 3, "ivr_sessions": 5,
        "ivr_containment_rate": 1 / 5, "ivr_abandon_rate": 1 / 5,
        "avg_ivr_time": (15 + 10 + 30 + 20 + 5) / 5,
        "avg_wait_with_ivr": ((15 + 25) + (5 + 10)) / 2})


def test_zendesk_talk_an_answered_call_of_an_account_without_an_ivr(tmp_path: Path) -> None:
    """An account without an IVR sends ``ivr_time_spent`` null; a call answered without
    ``time_to_answer`` is answered after its queue wait (it was neither answered nor
    abandoned)."""
    import json

    (tmp_path / "calls.json").write_text(json.dumps({"calls": [{
        "id": 5, "created_at": "2024-03-05T09:00:00Z", "updated_at": "2024-03-05T09:02:20Z",
        "completion_status": "completed", "agent_id": 9001, "call_group_id": 1,
        "direction": "inbound", "ivr_time_spent": None, "wait_time": 20,
        "time_to_answer": None, "duration": 140}], "count": 1}))
    call = _import("zendesk-talk", tmp_path / "calls.json", tmp_path / "out")["5"]
    assert _s(call["accepted_at"], call["arrived_at"]) == 20.0
    report = omnikpi.report_result(tmp_path / "out", metrics=["answered", "asa"]).rows[0]
    assert report == {"answered": 1, "asa": 20.0}


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_freshdesk_two_forms_of_a_ticket_in_one_import(tmp_path: Path, order: str) -> None:
    """The same ticket exported at 09:00 (open, the customer's message only) and at 12:00
    (resolved, an agent's reply at 09:30): in one import, in either order, the newer form
    is the ticket — answered after 30 min and resolved (a mix of the two kept the older
    form's status)."""
    import json

    def ticket(status: int, updated: str, resolved: str | None,
               replies: list[str]) -> dict[str, Any]:
        talk = [{"id": 1, "incoming": True, "private": False,
                 "created_at": "2024-03-05T09:00:00Z"}]
        talk += [{"id": 2 + i, "incoming": False, "private": False, "created_at": at}
                 for i, at in enumerate(replies)]
        return {"id": 1, "source": 1, "status": status, "requester_id": 101,
                "responder_id": 7, "group_id": 3, "created_at": "2024-03-05T09:00:00Z",
                "updated_at": updated, "stats": {"resolved_at": resolved},
                "conversations": talk}
    older = ticket(2, "2024-03-05T09:00:05Z", None, [])
    newer = ticket(4, "2024-03-05T12:00:00Z", "2024-03-05T12:00:00Z",
                   ["2024-03-05T09:30:00Z"])
    first, second = (older, newer) if order == "older first" else (newer, older)
    (tmp_path / "a.json").write_text(json.dumps([first]))
    (tmp_path / "b.json").write_text(json.dumps([second]))
    said = _said("freshdesk", tmp_path / "out", tmp_path / "a.json", tmp_path / "b.json")
    assert "kept once, the newest form" in said
    [row] = pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()
    assert (row["resolved"], row["outcome"]) == (True, "resolved")
    assert _s(row["first_response_at"], row["arrived_at"]) == 1800.0


def test_chatwoot_csat_survey_responses(tmp_path: Path) -> None:
    """Three pages of the CSAT responses list (one response on two pages, one opened and
    not rated, an empty page), imported into the conversations' folder: CSAT is cut by
    the conversation's agent."""
    folder = FIXTURES / "chatwoot"
    _import("chatwoot", folder / "conversations.json", tmp_path)
    said = _said("chatwoot-csat", tmp_path, *sorted(folder.glob("csat-page-*.json")))
    assert "1 a response listed again (same id)" in said
    assert "1 no rating (the survey opened, not answered)" in said
    assert omnikpi.load_dataset(tmp_path).problem_count == 0
    answers = pq.read_table(tmp_path / "surveys.parquet").to_pylist()
    assert sorted((a["contact_id"], a["customer_id"], a["score"]) for a in answers) == [
        ("41", "900", 5), ("43", "902", 2), ("45", None, 4)]
    total = omnikpi.report_result(tmp_path, metrics=["csat", "cdsat"]).rows[0]
    assert total == pytest.approx({"csat": 2 / 3, "cdsat": 1 / 3})
    by_agent = {r["agent_id"]: r["csat"] for r in omnikpi.report_result(
        tmp_path, metrics=["csat"], by=["agent_id"]).rows}
    assert by_agent == {"op1": 1.0, "op2": 0.0, None: 1.0}
    # a quiet day's export: an empty page alone imports nothing, without an error
    assert "│ surveys │ 0 │ 0 │ 0 │ 0 │" in _said("chatwoot-csat", tmp_path / "quiet",
                                               folder / "csat-page-3.json")


def test_chatwoot_csat_of_an_older_version_with_iso_times(tmp_path: Path) -> None:
    """An older Chatwoot's view wrote the response's created_at as ISO 8601 (today's as
    UNIX seconds): the same answers at the same instants, where it was refused whole
    ("holds TIMESTAMP values where the mapping reads BIGINT")."""
    def response(ident: int, rating: int, created: object) -> dict[str, object]:
        return {"id": ident, "rating": rating, "conversation_id": 40 + ident,
                "contact": {"id": 900 + ident}, "created_at": created}
    (tmp_path / "iso.json").write_text(json.dumps([
        response(1, 5, "2026-03-05T09:35:00.000Z"), response(2, 2, "2026-03-05T10:00:00Z"),
        response(1, 3, "2026-03-05T09:30:00.000Z")]))  # an older form of 1, listed again
    (tmp_path / "unix.json").write_text(json.dumps([response(3, 4, 1772703000)]))
    said = _said("chatwoot-csat", tmp_path / "out", tmp_path / "iso.json",
                 tmp_path / "unix.json")
    assert "1 a response listed again (same id)" in said
    answers = pq.read_table(tmp_path / "out" / "surveys.parquet").to_pylist()
    assert sorted((a["contact_id"], a["score"], a["answered_at"].isoformat())
                  for a in answers) == [  # stored in UTC
        ("41", 5, "2026-03-05T09:35:00"), ("42", 2, "2026-03-05T10:00:00"),
        ("43", 4, "2026-03-05T09:30:00")]


@pytest.mark.parametrize(("platform", "page", "lists", "earlier"), [
    ("intercom", '{"type": "conversation.list", "conversations": [], "total_count": 0}',
     "conversations", "intercom/conversations-page-1.json"),
    ("chatwoot", '{"data": {"meta": {"all_count": 0}, "payload": []}}', "payload",
     "chatwoot/conversations.json"),
    ("genesys-cloud", '{"conversations": [], "totalHits": 0}', "conversations",
     "genesys_cloud/details.json"),
    # the API leaves an empty list out: the page of a query that found nothing
    ("genesys-cloud", '{"totalHits": 0}', "conversations", "genesys_cloud/details.json"),
    ("zendesk-talk", '{"calls": [], "count": 0, "end_time": 1709672440}', "calls",
     "zendesk_talk/calls-1.json"),
    ("twilio-taskrouter", '{"events": [], "meta": {"page": 0}}', "events",
     "twilio_taskrouter/events-page-1.json"),
])
def test_a_quiet_days_empty_page_alone_imports_nothing(
        tmp_path: Path, platform: str, page: str, lists: str, earlier: str) -> None:
    """An export with nothing new (the list empty) imports alone without an error and
    leaves what an earlier import wrote as it was; the page is accounted for."""
    _said(platform, tmp_path / "out", FIXTURES / earlier)
    before = pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()
    (tmp_path / "quiet.json").write_text(page)
    said = _said(platform, tmp_path / "out", tmp_path / "quiet.json")
    assert f"a page with no {lists} (nothing new in the export; its fields: " in said
    if lists not in page:
        assert "(nothing new in the export; its fields: totalHits)" in said
    assert pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist() == before


def test_genesys_conversations_exported_while_going_on_then_ended(tmp_path: Path) -> None:
    """The same conversations first exported while going on (no conversationEnd in the
    whole page), then ended: the ended forms replace the first ones."""
    import json

    details = FIXTURES / "genesys_cloud" / "details.json"
    going_on = json.loads(details.read_text())
    for conversation in going_on["conversations"]:
        conversation.pop("conversationEnd", None)
    (tmp_path / "going-on.json").write_text(json.dumps(going_on))
    _said("genesys-cloud", tmp_path / "twice", tmp_path / "going-on.json")
    said = _said("genesys-cloud", tmp_path / "twice", details)
    # the ended forms are newer (their version) but equal in every canonical column here:
    # repeats, not updates (the summary counts as updated only rows that change)
    assert "3 contacts: already imported, or repeated in these files" in said
    assert "imported before in an older form" not in said
    direct = _import("genesys-cloud", details, tmp_path / "once")
    twice = {r["contact_id"]: r for r in
             pq.read_table(tmp_path / "twice" / "contacts.parquet").to_pylist()}
    assert twice == direct


def _conversation(conversation_id: str, *participants: dict[str, Any],
                  ended: bool = True) -> dict[str, Any]:
    """A Genesys Cloud details conversation, keys left out where the API leaves them."""
    conversation: dict[str, Any] = {"conversationId": conversation_id,
                                    "conversationStart": "2024-03-05T09:00:00.000Z",
                                    "originatingDirection": "inbound",
                                    "participants": list(participants)}
    if ended:
        conversation["conversationEnd"] = "2024-03-05T09:10:00.000Z"
    return conversation


def _participant(purpose: str, *segments: tuple[str, str, str | None], media: str = "voice",
                 ani: str | None = None, **keys: str) -> dict[str, Any]:
    """A participant with one session of ``(type, start, end)`` segments (times on
    2024-03-05; an end of None: still going on) and the caller's ``ani`` if given."""
    def segment(kind: str, start: str, end: str | None) -> dict[str, Any]:
        found = {"segmentType": kind, "segmentStart": f"2024-03-05T{start}.000Z"}
        return found if end is None else {**found, "segmentEnd": f"2024-03-05T{end}.000Z"}
    session: dict[str, Any] = {"mediaType": media,
                               "segments": [segment(*s) for s in segments]}
    if ani is not None:
        session["ani"] = ani
    return {"purpose": purpose, **keys, "sessions": [session]}


def test_genesys_ring_no_answer_then_answered_by_another_agent(tmp_path: Path) -> None:
    """Anna's phone rang 30 s and she did not pick up (an alert segment only, then
    noAnswerTransfer); Bob answered at 09:01:00. The call is Bob's, answered after 55 s
    in the queue — not an abandon, and not a transfer between two agents who talked."""
    import json

    anna = _participant("agent", ("alert", "09:00:10", "09:00:40"), userId="u-anna")
    anna["sessions"][0]["segments"][0]["disconnectType"] = "noAnswerTransfer"
    page = {"conversations": [_conversation(
        "c-rona",
        _participant("customer", ("interact", "09:00:00", "09:10:00"), ani="tel:+4930111"),
        _participant("acd", ("interact", "09:00:05", "09:01:00"), participantName="Support"),
        anna,
        _participant("agent", ("alert", "09:00:45", "09:01:00"),
                     ("interact", "09:01:00", "09:10:00"), userId="u-bob"))],
            "totalHits": 1}
    (tmp_path / "rona.json").write_text(json.dumps(page))
    call = _import("genesys-cloud", tmp_path / "rona.json", tmp_path / "out")["c-rona"]
    assert (call["agent_id"], call["transferred"], call["abandoned_at"]) == (
        "u-bob", False, None)
    assert _s(call["accepted_at"], call["arrived_at"]) == 55.0
    assert _s(call["ended_at"], call["accepted_at"]) == 540.0
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "answered", "abandoned", "asa"]).rows[0]
    assert report == {"answered": 1, "abandoned": 0, "asa": 55.0}


def test_genesys_ring_no_answer_then_abandoned_is_no_agents(tmp_path: Path) -> None:
    """Anna's phone rang 20 s, she did not pick up, and the caller hung up in the queue at
    09:01:00: an abandon after 55 s that nobody handled. It was Anna's (agent_id from
    the first agent participant), so the report by agent gave her 1 offered, 1 abandoned
    and a 100 % abandon rate for a call she never talked on."""
    import json

    anna = _participant("agent", ("alert", "09:00:10", "09:00:30"), userId="u-anna")
    anna["sessions"][0]["segments"][0]["disconnectType"] = "noAnswerTransfer"
    queue = _participant("acd", ("interact", "09:00:05", "09:01:00"),
                         participantName="Support")
    queue["sessions"][0]["segments"][0]["disconnectType"] = "peer"
    page = {"conversations": [_conversation(
        "c-lost", _participant("customer", ("interact", "09:00:00", "09:01:00"),
                               ani="tel:+4930111"), queue, anna)], "totalHits": 1}
    (tmp_path / "lost.json").write_text(json.dumps(page))
    call = _import("genesys-cloud", tmp_path / "lost.json", tmp_path / "out")["c-lost"]
    assert (call["agent_id"], call["accepted_at"]) == (None, None)
    assert _s(call["abandoned_at"], call["arrived_at"]) == 55.0
    rows = omnikpi.report_result(tmp_path / "out", metrics=["offered", "abandoned"],
                                 by=["agent_id"]).rows
    assert rows == [{"agent_id": None, "offered": 1, "abandoned": 1}]


def _segments(participant: dict[str, Any], *ends: str) -> dict[str, Any]:
    """The participant with its segments' ``disconnectType`` set, in order."""
    for segment, end in zip(participant["sessions"][0]["segments"], ends, strict=True):
        if end:
            segment["disconnectType"] = end
    return participant


def _transferred_call(*after_anna: dict[str, Any]) -> dict[str, Any]:
    """A call queued in Support at 09:00:05, answered by Anna at 09:01:00, who talked to
    09:05:00, passed it on (her interact segment ends by transfer) and wrapped up 30 s;
    then ``after_anna``."""
    anna = _segments(_participant("agent", ("alert", "09:00:50", "09:01:00"),
                                  ("interact", "09:01:00", "09:05:00"),
                                  ("wrapup", "09:05:00", "09:05:30"), userId="u-anna"),
                     "", "transfer", "")
    return {"conversations": [_conversation(
        "c-xfer",
        _participant("customer", ("interact", "09:00:00", "09:12:00"), ani="tel:+4930111"),
        _segments(_participant("acd", ("interact", "09:00:05", "09:01:00"),
                               participantName="Support"), "transfer"),
        anna, *after_anna)], "totalHits": 1}


def test_genesys_transfer_to_a_person_is_a_second_leg(tmp_path: Path) -> None:
    """Anna passed the call straight to Bob (no queue): his phone rang at 09:05:00, he
    talked 09:05:10–09:12:00 with 60 s on hold and wrapped up 20 s. Bob's 410 s + 20 s
    were nowhere before (the conversation was Anna's alone): now his leg, arriving when his
    phone rang, in Support where the call came from, with Anna's leg as its parent."""
    import json

    bob = _participant("agent", ("alert", "09:05:00", "09:05:10"),
                       ("interact", "09:05:10", "09:07:00"), ("hold", "09:07:00", "09:08:00"),
                       ("interact", "09:08:00", "09:12:00"), ("wrapup", "09:12:00", "09:12:20"),
                       userId="u-bob")
    (tmp_path / "xfer.json").write_text(json.dumps(_transferred_call(bob)))
    rows = _import("genesys-cloud", tmp_path / "xfer.json", tmp_path / "out")
    assert set(rows) == {"c-xfer", "c-xfer/2"}
    anna, bob_leg = rows["c-xfer"], rows["c-xfer/2"]
    assert (anna["agent_id"], anna["parent_id"], anna["transferred"], anna["acw_seconds"]) == (
        "u-anna", None, True, 30.0)
    assert _s(anna["ended_at"], anna["accepted_at"]) == 240.0
    assert (bob_leg["agent_id"], bob_leg["parent_id"], bob_leg["queue"],
            bob_leg["transferred"], bob_leg["hold_seconds"], bob_leg["acw_seconds"]) == (
        "u-bob", "c-xfer", "Support", False, 60.0, 20.0)
    assert _s(bob_leg["accepted_at"], bob_leg["arrived_at"]) == 10.0
    assert _s(bob_leg["ended_at"], bob_leg["accepted_at"]) == 410.0
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "answered", "transferred", "aht"], by=["agent_id"]).rows
    assert report == [{"agent_id": "u-anna", "answered": 1, "transferred": 1, "aht": 270.0},
                      {"agent_id": "u-bob", "answered": 1, "transferred": 0, "aht": 430.0}]
    # the customer asked one question: Bob's leg continues it, it is no repeat
    fcr = omnikpi.report_result(tmp_path / "out", metrics=["fcr", "repeat_rate"],
                                as_of="2024-03-20").rows
    assert fcr == [{"fcr": 0.0, "repeat_rate": 0.0}]


def test_genesys_transfer_to_a_queue_is_a_leg_in_that_queue(tmp_path: Path) -> None:
    """Anna transferred the call to Billing at 09:05:00; it waited there 60 s and Carl
    talked 09:06:00–09:10:00. Carl's leg arrives in Billing when the call entered it."""
    import json

    billing = _segments(_participant("acd", ("interact", "09:05:00", "09:06:00"),
                                     participantName="Billing"), "transfer")
    carl = _participant("agent", ("alert", "09:05:55", "09:06:00"),
                        ("interact", "09:06:00", "09:10:00"), userId="u-carl")
    (tmp_path / "xfer.json").write_text(json.dumps(_transferred_call(billing, carl)))
    rows = _import("genesys-cloud", tmp_path / "xfer.json", tmp_path / "out")
    leg = rows["c-xfer/2"]
    assert (leg["queue"], leg["agent_id"], leg["parent_id"]) == ("Billing", "u-carl", "c-xfer")
    assert _s(leg["accepted_at"], leg["arrived_at"]) == 60.0
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "offered", "answered", "asa", "aht"], by=["queue"]).rows
    assert report == [{"queue": "Billing", "offered": 1, "answered": 1, "asa": 60.0,
                       "aht": 240.0},
                      {"queue": "Support", "offered": 1, "answered": 1, "asa": 55.0,
                       "aht": 270.0}]


def test_genesys_caller_who_hangs_up_in_the_queue_transferred_to(tmp_path: Path) -> None:
    """Anna transferred the call to Billing at 09:05:00 and the caller hung up there at
    09:07:00 (the acd segment ends by peer): an abandon in Billing after 120 s, which was
    nowhere before."""
    import json

    billing = _segments(_participant("acd", ("interact", "09:05:00", "09:07:00"),
                                     participantName="Billing"), "peer")
    (tmp_path / "xfer.json").write_text(json.dumps(_transferred_call(billing)))
    rows = _import("genesys-cloud", tmp_path / "xfer.json", tmp_path / "out")
    leg = rows["c-xfer/2"]
    assert (leg["queue"], leg["agent_id"], leg["accepted_at"], leg["parent_id"]) == (
        "Billing", None, None, "c-xfer")
    assert _s(leg["abandoned_at"], leg["arrived_at"]) == 120.0
    assert rows["c-xfer"]["transferred"] is True
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "offered", "abandoned"], by=["queue"]).rows
    assert report == [{"queue": "Billing", "offered": 1, "abandoned": 1},
                      {"queue": "Support", "offered": 1, "abandoned": 0}]


def test_genesys_a_call_flowed_out_of_the_queue_is_no_abandon(tmp_path: Path) -> None:
    """Genesys counts no flow-out as an abandon (help.mypurecloud.com, "What do abandons
    include"). c-vm waited in Support 09:00:05–09:02:00 and an in-queue flow sent it to
    voicemail (the acd segment ends by transfer): offered, neither answered nor
    abandoned, ended at 09:02:00 — it was an abandon after 115 s. c-gone hung up in the
    queue (peer): an abandon. Anna's call transferred to Billing that flowed on to
    voicemail is a Billing leg that is no abandon either; a call moved to another queue
    and lost there is abandoned when it left that one."""
    import json

    def waited(conversation_id: str, how: str) -> dict[str, Any]:
        return _conversation(
            conversation_id,
            _participant("customer", ("interact", "09:00:00", "09:03:00"), ani="tel:+1"),
            _segments(_participant("acd", ("interact", "09:00:05", "09:02:00"),
                                   participantName="Support"), how),
            _participant("voicemail", ("interact", "09:02:00", "09:03:00")))
    page = {"conversations": [waited("c-vm", "transfer"), waited("c-gone", "peer")],
            "totalHits": 2}
    (tmp_path / "out.json").write_text(json.dumps(page))
    rows = _import("genesys-cloud", tmp_path / "out.json", tmp_path / "out")
    assert (rows["c-vm"]["abandoned_at"], rows["c-vm"]["outcome"]) == (None, "transfer")
    assert _s(rows["c-vm"]["ended_at"], rows["c-vm"]["arrived_at"]) == 115.0
    assert _s(rows["c-gone"]["abandoned_at"], rows["c-gone"]["arrived_at"]) == 115.0
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "offered", "answered", "abandoned", "abandon_rate"]).rows
    assert report == [{"offered": 2, "answered": 0, "abandoned": 1, "abandon_rate": 0.5}]
    billing = _segments(_participant("acd", ("interact", "09:05:00", "09:07:00"),
                                     participantName="Billing"), "transfer")
    (tmp_path / "xfer.json").write_text(json.dumps(_transferred_call(billing)))
    leg = _import("genesys-cloud", tmp_path / "xfer.json", tmp_path / "xfer")["c-xfer/2"]
    assert (leg["queue"], leg["abandoned_at"], leg["accepted_at"]) == ("Billing", None, None)
    assert _s(leg["ended_at"], leg["arrived_at"]) == 120.0
    # moved by an in-queue flow from Support to Overflow at 09:01:00, hung up there at
    # 09:02:30: abandoned after 145 s (it was an abandon at 09:01:00, when it left Support)
    moved = _conversation(
        "c-moved", _participant("customer", ("interact", "09:00:00", "09:02:30"), ani="tel:+2"),
        _segments(_participant("acd", ("interact", "09:00:05", "09:01:00"),
                               participantName="Support"), "transfer"),
        _segments(_participant("acd", ("interact", "09:01:00", "09:02:30"),
                               participantName="Overflow"), "peer"))
    (tmp_path / "moved.json").write_text(json.dumps({"conversations": [moved],
                                                     "totalHits": 1}))
    call = _import("genesys-cloud", tmp_path / "moved.json", tmp_path / "moved")["c-moved"]
    assert (call["queue"], call["ended_at"]) == ("Support", None)
    assert _s(call["abandoned_at"], call["arrived_at"]) == 145.0


@pytest.mark.parametrize(("left_out", "conversation", "expected"), [
    # a page of chats: no session has an ani
    ("ani", _conversation("c-chat", _participant(
        "customer", ("interact", "09:00:00", "09:02:00"), media="chat"), _participant(
        "acd", ("interact", "09:00:05", "09:02:00"), media="chat",
        participantName="Chat")), {"channel": "chat", "customer_id": None, "agent_id": None}),
    # a page of calls all abandoned: no participant has a userId
    ("userId", _conversation("c-lost", _participant(
        "customer", ("interact", "09:00:00", "09:02:00"), ani="tel:+1"), _participant(
        "acd", ("interact", "09:00:05", "09:02:00"), participantName="Support")),
     {"channel": "voice", "customer_id": "tel:+1", "agent_id": None}),
    # a page of conversations going on: no segment has a disconnectType, no conversationEnd
    ("disconnectType", _conversation("c-on", _participant(
        "customer", ("interact", "09:00:00", None), ani="tel:+2"), _participant(
        "acd", ("interact", "09:00:05", "09:00:30"), participantName="Support"), _participant(
        "agent", ("interact", "09:00:30", None), userId="u-1"), ended=False),
     # answered and going on: its hold and wrap-up to come are unknown (they read 0)
     {"channel": "voice", "customer_id": "tel:+2", "agent_id": "u-1", "ended_at": None,
      "hold_seconds": None, "acw_seconds": None}),
])
def test_genesys_page_without_an_optional_key(tmp_path: Path, left_out: str,
                                              conversation: dict[str, Any],
                                              expected: dict[str, Any]) -> None:
    """The API leaves out a key without a value; a page where no conversation has one
    imports (the key read as empty) instead of failing the whole import."""
    import json

    assert f'"{left_out}"' not in json.dumps(conversation)
    (tmp_path / "page.json").write_text(json.dumps({"conversations": [conversation],
                                                    "totalHits": 1}))
    [row] = _import("genesys-cloud", tmp_path / "page.json", tmp_path / "out").values()
    assert {key: row[key] for key in expected} == expected


def test_chatwoot_page_without_replies_or_assignees(tmp_path: Path) -> None:
    """A page of an older Chatwoot (no first_reply_created_at), of conversations nobody
    is assigned to (meta without assignee, or assignee null), and of today's Chatwoot
    (first_reply_created_at 0 for no reply yet): it imports, those values empty, and a
    later page that has them reads as before."""
    import json

    def conversation(number: int, meta: dict[str, Any], **keys: Any) -> dict[str, Any]:
        return {"id": number, "inbox_id": 1, "status": "open", "created_at": 1709629200,
                "last_activity_at": 1709632800, "meta": meta, **keys}

    pages = {"old.json": [conversation(21, {"sender": {"id": 501},
                                            "channel": "Channel::WebWidget"})],
             "unassigned.json": [conversation(22, {"sender": {"id": 502}, "assignee": None,
                                                   "channel": "Channel::Email"},
                                              first_reply_created_at=None)],
             "later.json": [conversation(23, {"sender": {"id": 503},
                                              "assignee": {"id": 7, "name": "Anna"},
                                              "channel": "Channel::WebWidget"},
                                         first_reply_created_at=1709629260)],
             # today's serializer writes the reply's time with to_i: nil.to_i is 0 (it was
             # answered in 1970, then quarantined: gone from the offered contacts)
             "zero.json": [conversation(24, {"sender": {"id": 504},
                                             "channel": "Channel::Whatsapp"},
                                        first_reply_created_at=0)]}
    for name, payload in pages.items():
        (tmp_path / name).write_text(json.dumps({"data": {"meta": {}, "payload": payload}}))
        _said("chatwoot", tmp_path / "out", tmp_path / name)
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()}
    assert {k: (r["channel"], r["customer_id"], r["agent_id"], r["first_response_at"])
            for k, r in rows.items()} == {
        "21": ("chat", "501", None, None), "22": ("email", "502", None, None),
        "23": ("chat", "503", "Anna", datetime(2024, 3, 5, 9, 1)),
        "24": ("messenger", "504", None, None)}
    assert omnikpi.report_result(tmp_path / "out", metrics=["offered", "answered"]).rows == [
        {"offered": 4, "answered": 1}]


def test_chatwoot_conversations_with_iso_times(tmp_path: Path) -> None:
    """created_at and last_activity_at as ISO 8601 (an older view, a fork), in a page
    beside one in UNIX seconds: both at their instants (the ISO conversation arrived
    empty and was quarantined, gone from the offered)."""
    import json

    def conversation(number: int, created: object, activity: object) -> dict[str, Any]:
        return {"id": number, "inbox_id": 1, "status": "resolved", "created_at": created,
                "last_activity_at": activity, "first_reply_created_at": 1709629260,
                "meta": {"sender": {"id": 500 + number}, "channel": "Channel::WebWidget"}}

    (tmp_path / "page.json").write_text(json.dumps({"data": {"meta": {}, "payload": [
        conversation(1, "2024-03-05T09:00:00.000Z", "2024-03-05T10:00:00Z"),
        conversation(2, 1709629200, 1709636400)]}}))
    said = _said("chatwoot", tmp_path / "out", tmp_path / "page.json")
    assert "left empty" not in said, said
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()}
    assert {k: (r["arrived_at"], r["resolved_at"]) for k, r in rows.items()} == {
        "1": (datetime(2024, 3, 5, 9, 0), datetime(2024, 3, 5, 10, 0)),
        "2": (datetime(2024, 3, 5, 9, 0), datetime(2024, 3, 5, 11, 0))}
    assert omnikpi.report_result(tmp_path / "out", metrics=["offered", "resolution_time"]
                                 ).rows == [{"offered": 2, "resolution_time": 5400.0}]


def test_zendesk_deleted_ticket_and_an_event_without_its_ticket(tmp_path: Path) -> None:
    """The incremental export lists a deleted ticket (status deleted): it is no contact,
    and is counted under its reason; a metric event whose ticket is not in the import is
    counted as not read, not as read into a ticket."""
    import json

    def ticket(number: int, status: str) -> dict[str, Any]:
        return {"id": number, "created_at": "2024-03-05T09:00:00Z",
                "updated_at": "2024-03-05T09:40:00Z", "status": status, "requester_id": 6,
                "assignee_id": 8, "group_id": 5, "via": {"channel": "email"}}

    def event(number: int, ticket_id: int) -> dict[str, Any]:
        return {"id": number, "ticket_id": ticket_id, "metric": "reply_time",
                "instance_id": 1, "type": "fulfill", "time": "2024-03-05T09:20:00Z"}

    (tmp_path / "tickets.json").write_text(json.dumps(
        {"tickets": [ticket(1, "open"), ticket(2, "deleted")], "end_of_stream": True}))
    (tmp_path / "events.json").write_text(json.dumps(
        {"ticket_metric_events": [event(11, 1), event(12, 99)]}))
    said = _said("zendesk", tmp_path / "out", tmp_path / "tickets.json",
                 tmp_path / "events.json")
    assert "1 a deleted ticket (status deleted): not a contact" in said
    assert "1 ticket metric event of a ticket not in these files: not read" in said
    assert "1 ticket metric event (read into its ticket's first reply" in said
    rows = pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()
    assert [(r["contact_id"], _s(r["first_response_at"], r["arrived_at"])) for r in rows] \
        == [("1", 1200.0)]


def test_a_timestamp_of_another_type_in_one_record_is_counted_not_a_traceback(
        tmp_path: Path) -> None:
    """Intercom's API gives epoch seconds; a record re-exported through a tool that wrote
    ISO text is one odd record among many. Its value is left empty under a named reason
    and the other conversations import as before (before: a TypeError traceback, because
    the rule of a table that filters every row out counted its failures over no rows)."""
    page = json.loads((FIXTURES / "intercom" / "conversations-page-1.json").read_text())
    first = page["conversations"][0]
    odd = json.loads(json.dumps(first))
    odd["id"] = "2001"
    odd["statistics"]["first_admin_reply_at"] = "2024-03-05T09:01:30Z"
    source = tmp_path / "page.json"
    source.write_text(json.dumps({**page, "conversations": [first, odd]}))
    said = _said("intercom", tmp_path / "out", source)
    # both written; the odd one's first reply left empty, and no AI-agent session in either
    assert "│ contacts │ 2 │ 2 │ 0 │ 0 │ 0 │ 1 │" in said
    assert "│ ivr_sessions │ 2 │ 0 │ 2 │ 0 │ 0 │" in said
    assert ("1 contacts: [source.fields] conversations.statistics.first_admin_reply_at: "
            "not a BIGINT (left empty)") in said
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()}
    assert _s(rows["1001"]["first_response_at"], rows["1001"]["arrived_at"]) == 90.0
    assert rows["2001"]["first_response_at"] is None


def test_a_page_whose_conversations_have_no_statistics_is_skipped_not_an_error(
        tmp_path: Path) -> None:
    """Intercom writes ``"statistics": null`` for a conversation it has none for; a page
    whose every conversation is such had no ``first_admin_reply_at`` anywhere, and the
    import stopped with "Could not find key" (exit 2). Those conversations are skipped
    under the mapping's reason; a page of statistics without the key is still refused,
    naming it, rather than read every conversation as unanswered."""
    page = json.loads((FIXTURES / "intercom" / "conversations-page-1.json").read_text())
    bare = {**page["conversations"][0], "id": "3001", "statistics": None}
    source = tmp_path / "page.json"
    source.write_text(json.dumps({**page, "conversations": [bare]}))
    said = _said("intercom", tmp_path / "out", source)
    assert "│ contacts │ 1 │ 0 │ 1 │ 0 │ 0 │ 0 │" in said
    assert "1 contacts: no statistics in the export" in said
    for conversation in page["conversations"]:
        conversation["statistics"].pop("first_admin_reply_at")
    source.write_text(json.dumps(page))
    code, said = _refused("intercom", tmp_path / "stripped", source)
    assert code == 3
    assert ("the export's conversations.statistics has no first_admin_reply_at, which the "
            "mapping intercom.toml needs") in said


def test_an_export_whose_times_are_all_of_another_kind_is_named(tmp_path: Path) -> None:
    """Every conversation's first reply as ISO text (an export re-written by another
    tool): the import stopped on "Cannot mix values of type BIGINT and TIMESTAMP in
    COALESCE" of some [derived] name; it names the field, its kind and a value."""
    page = json.loads((FIXTURES / "intercom" / "conversations-page-1.json").read_text())
    for conversation in page["conversations"]:
        if conversation["statistics"].get("first_admin_reply_at") is not None:
            conversation["statistics"]["first_admin_reply_at"] = "2024-03-05T09:01:30Z"
    source = tmp_path / "page.json"
    source.write_text(json.dumps(page))
    code, said = _refused("intercom", tmp_path / "out", source)
    assert code == 3
    assert ("the export's conversations.statistics.first_admin_reply_at holds TIMESTAMP "
            "values where the mapping intercom.toml reads BIGINT (3 rows, e.g. "
            "'2024-03-05 09:01:30')") in said
    assert not (tmp_path / "out" / "contacts.parquet").exists()


def test_the_import_summary_adds_up_when_a_value_is_left_empty(tmp_path: Path) -> None:
    """A contact record whose ``Queue`` is text, not an object: the row is written with
    its queue empty. The summary said "rejected 1" beside "in table 6" of 6 read; now
    rows read = in table + filtered + left out + repeated, and the emptied value is a
    column of its own."""
    text = (FIXTURES / "amazon_connect" / "ctr.json").read_text()
    _, end = json.JSONDecoder().raw_decode(text)
    answered = json.JSONDecoder().raw_decode(text, end + 1)[0]  # c-0001 with its agent
    odd = {**answered, "ContactId": "c-9001", "Queue": "Support"}
    source = tmp_path / "ctr.json"
    source.write_text("\n".join(json.dumps(r) for r in (answered, odd)) + "\n")
    said = _said("amazon-connect", tmp_path / "out", source)
    assert "│ contacts │ 2 │ 2 │ 0 │ 0 │ 0 │ 1 │" in said
    assert ("1 contacts: [source.fields] Queue: something else than an object (its fields "
            "left empty)") in said
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()}
    # the mapping names a contact without a queue, as for a call that never queued
    assert (rows["c-0001"]["queue"], rows["c-9001"]["queue"]) == ("Support", "no queue")


def test_twilio_a_deleted_task_is_said_so_not_still_open(tmp_path: Path) -> None:
    """A task created at 10:55 and deleted at 10:56 (task.deleted, never completed nor
    canceled) was filtered as "still open … import it with the next export", which could
    never make it whole: it is said deleted."""
    import json

    page = json.loads(sorted(TASKROUTER.glob("events-page-*.json"))[0].read_text())
    created = next(e for e in page["events"] if e["event_type"] == "task.created")
    deleted = {**created, "event_type": "task.deleted", "sid": "EV-deleted",
               "event_date": "2024-03-05T10:56:00Z", "event_date_ms": 1709636160000,
               "description": "Task deleted"}
    (tmp_path / "page.json").write_text(json.dumps({"events": [deleted, created],
                                                    "meta": {"page": 0}}))
    said = _said("twilio-taskrouter", tmp_path / "out", tmp_path / "page.json")
    assert "2 contacts: a task deleted before it completed or was canceled" in said, said
    assert "still open" not in said


def test_twilio_a_failed_transfer_is_no_transfer(tmp_path: Path) -> None:
    """Task 03 of the fixture twice more: T-failed with a transfer initiated that failed
    (task.transfer-initiated, task.transfer-failed), T-done with one that went through
    (task.transfer-completed). Every task.transfer… event counted as a transfer: the
    failed attempt too."""
    import copy
    import json

    events = [e for page in sorted(TASKROUTER.glob("events-page-*.json"))
              for e in json.loads(page.read_text())["events"]
              if e.get("event_data", {}).get("task_sid", "").endswith("03")]
    accepted = next(e for e in events if e["event_type"] == "reservation.accepted")

    def task(sid: str, *transfers: str) -> list[dict[str, Any]]:
        copies = copy.deepcopy(events)
        for number, kind in enumerate(transfers):
            extra = copy.deepcopy(accepted)
            extra.update(event_type=kind, event_date_ms=accepted["event_date_ms"] + 1000 * (
                number + 1))
            copies.append(extra)
        for number, event in enumerate(copies):
            event["event_data"]["task_sid"] = sid
            event["sid"] = f"EV-{sid}-{number}"
        return copies
    page = {"events": task("T-failed", "task.transfer-initiated", "task.transfer-failed")
            + task("T-done", "task.transfer-initiated", "task.transfer-completed"),
            "meta": {"page": 0}}
    (tmp_path / "page.json").write_text(json.dumps(page))
    rows = _import("twilio-taskrouter", tmp_path / "page.json", tmp_path / "out")
    assert (rows["T-failed"]["transferred"], rows["T-done"]["transferred"]) == (False, True)


def test_freshdesk_tickets_without_stats_import(tmp_path: Path) -> None:
    """Tickets fetched without ``include=stats`` have no ``stats`` object: the import
    stopped with DuckDB's "Could not find key resolved_at". Each ticket imports, answered
    by its first public agent reply, a resolved one without a resolution time (nothing
    says when); and a mapping reading a field no object has names it with the way out."""
    tickets = json.loads((FIXTURES / "freshdesk" / "tickets.json").read_text())
    for ticket in tickets:
        ticket.pop("stats", None)
    (tmp_path / "tickets.json").write_text(json.dumps(tickets))
    rows = _import("freshdesk", tmp_path / "tickets.json", tmp_path / "out")
    assert set(rows) == {str(t["id"]) for t in tickets}
    assert all(r["resolved_at"] is None for r in rows.values())
    mapping = (Path(__file__).parents[3] / "mappings" / "freshdesk.toml").read_text()
    (tmp_path / "m.toml").write_text(mapping.replace(
        '"stats.resolved_at" = "VARCHAR"\n', ""))
    result = CliRunner().invoke(app, ["import", "json", str(tmp_path / "tickets.json"),
                                      "--mapping", str(tmp_path / "m.toml"),
                                      "--out", str(tmp_path / "again")])
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert "the source's objects have no field 'resolved_at' where the mapping reads one" \
        in output and "[source.fields]" in output and "Binder Error" not in output


def test_freshdesk_a_forward_is_no_first_response(tmp_path: Path) -> None:
    """Ticket 101 (created 09:00): a private note at 09:10, its first public reply at
    09:30. A forward at 09:05 (conversation source 8: the ticket sent on to a vendor)
    answers nothing; it was the first response (5 minutes for 30)."""
    tickets = json.loads((FIXTURES / "freshdesk" / "tickets.json").read_text())
    first = next(t for t in tickets if t["id"] == 101)
    first["conversations"].insert(0, {**first["conversations"][1], "id": 9001, "source": 8,
                                      "created_at": "2024-03-05T09:05:00Z"})
    (tmp_path / "tickets.json").write_text(json.dumps(tickets))
    rows = _import("freshdesk", tmp_path / "tickets.json", tmp_path / "out")
    assert _s(rows["101"]["first_response_at"], rows["101"]["arrived_at"]) == 1800.0


def test_twilio_a_task_imported_again_with_its_late_events_takes_them(
        tmp_path: Path) -> None:
    """Event Streams deliver in no order across files: a task's completion came in one
    file, its wrap-up and failed transfer in the next. Imported again together (as the
    mapping says), the fuller form replaced nothing — kept once, the first — and the call
    read talk 340 s, no ACW and a transfer (the failed one). By hand: accepted 10:00:20,
    wrap-up 10:05:00, completed 10:06:00: talk 280 s, ACW 60 s, AHT 340 s, no transfer."""
    task = {"task_sid": "WT1", "task_channel_unique_name": "voice",
            "task_queue_name": "Support", "task_attributes": '{"from": "+15550001"}'}
    first = [_stream_event(1, "task.created", "10:00:00", **task),
             _stream_event(2, "reservation.accepted", "10:00:20", reservation_sid="WR1",
                           worker_name="alice", **task),
             _stream_event(3, "task.transfer-initiated", "10:02:00", **task),
             _stream_event(4, "task.completed", "10:06:00", **task),
             _stream_event(5, "reservation.completed", "10:06:00", reservation_sid="WR1",
                           worker_name="alice", **task)]
    late = [_stream_event(6, "task.transfer-failed", "10:02:10", **task),
            _stream_event(7, "task.wrapup", "10:05:00", **task)]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(json.dumps(e) + "\n" for e in first))
    b.write_text("".join(json.dumps(e) + "\n" for e in late))
    _said("twilio-taskrouter-streams", tmp_path / "inc", a)
    said = _said("twilio-taskrouter-streams", tmp_path / "inc", a, b)
    assert "1 contacts: imported before in an older form" in said
    _said("twilio-taskrouter-streams", tmp_path / "once", a, b)
    for folder in ("inc", "once"):
        row = omnikpi.report_result(
            tmp_path / folder, metrics=["aht", "avg_talk_time", "avg_acw_time",
                                        "transfer_rate"]).rows[0]
        assert row == {"aht": 340.0, "avg_talk_time": 280.0, "avg_acw_time": 60.0,
                       "transfer_rate": 0.0}, folder
