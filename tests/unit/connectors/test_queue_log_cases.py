"""queue_log as PBXs really write it (issue 19, Asterisk / Wazo / FreePBX part).

Each case is a hand-written log with the fields the formats document (Asterisk's
app_queue, Wazo's agent daemon and WRAPUPSTART patch, QueueMetrics-style PAUSEREASON);
the expected rows are computed by hand in the comments. Times are seconds after
2024-03-05 09:00:00 UTC unless written as clock times.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.connectors.queue_log_events import EVENTS, markdown_table
from omnikpi.connectors.queue_log_import import OPEN_FILE, import_queue_log

FIXTURES = Path(__file__).parent / "fixtures"
NINE = 1709629200  # 2024-03-05T09:00:00Z
DOCS = Path(__file__).resolve().parents[3] / "docs" / "connectors.md"


def states(out: Path, agent: str | None = None) -> list[tuple[Any, ...]]:
    """(agent, state, reason, start, end) in seconds after 09:00, in time order."""
    table = pq.read_table(out / "agent_states").to_pylist()
    found = [(r["agent_id"], r["state"], r["reason"], round(r["start"].timestamp() - NINE, 4),
              round(r["end"].timestamp() - NINE, 4))
             for r in table if agent is None or r["agent_id"] == agent]
    return sorted(found, key=lambda s: (s[0], s[3]))


def contacts(out: Path) -> dict[str, dict[str, Any]]:
    rows = pq.read_table(out / "contacts").to_pylist()
    return {str(r["contact_id"]): r for r in rows}


def at(value: Any) -> float | None:
    return None if value is None else round(value.timestamp() - NINE, 4)


def open_rows(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / OPEN_FILE).read_text().splitlines()]


def test_agent_only_log_writes_agent_states_and_reports_work(tmp_path: Path) -> None:
    """Logins and pauses, no call that day: agent_states and no contacts (items 2–4)."""
    summary = import_queue_log([FIXTURES / "queue_log_agents_only"], tmp_path)
    assert not (tmp_path / "contacts").exists()
    assert (summary.contact_events, summary.agent_events, summary.lines) == (0, 15, 15)
    assert states(tmp_path) == [
        # Agent/52 logs in at 09:00 (AGENTCALLBACKLOGIN) and Wazo adds its interface
        # Local/id-61@agentcallback to both queues in the same second: one agent, not two.
        # Lunch 09:30–10:00 (PAUSEALL + a PAUSE per queue = one interval). Still logged in
        # when the file ends at 11:10 (7800): available up to there, not 36 s.
        ("Agent/52", "available", None, 0, 1800),
        ("Agent/52", "not_ready", "lunch", 1800, 3600),
        ("Agent/52", "available", None, 3600, 7800),
        # PJSIP/2002 is a static member of support: no login line, a pause 10:20–10:30
        # (no reason → unspecified) makes it a logged-in agent that is not ready.
        ("PJSIP/2002", "not_ready", "unspecified", 4800, 5400),
        ("PJSIP/2002", "available", None, 5400, 7800),
        # SIP/3003: PAUSEALL 11:00 (training) to UNPAUSEALL at the file's last second.
        ("SIP/3003", "not_ready", "training", 7200, 7800),
    ]
    # Logged in at the end of the file: shown as open (the wallboard's rows in progress)
    assert sorted((r["row"]["agent_id"], r["row"]["state"], r["row"]["start"])
                  for r in open_rows(tmp_path)) == [
        ("Agent/52", "available", "2024-03-05T11:10:00+00:00"),
        ("PJSIP/2002", "available", "2024-03-05T11:10:00+00:00"),
        ("SIP/3003", "available", "2024-03-05T11:10:00+00:00")]
    assert summary.open_agents == 3 and summary.open_visits == 0
    # Reports on agent time work on a dataset without contacts
    report = omnikpi.report_result(tmp_path, metrics=["occupancy"]).rows[0]
    assert report["occupancy"] == 0.0
    by_state = omnikpi.report(tmp_path, metrics=["time_in_state"])
    assert not by_state.empty


def test_following_a_log_leaves_open_states_open(tmp_path: Path) -> None:
    """With --follow the state in progress is not cut at each poll: the open rows file
    carries it (the wallboard counts it up to now); rows are written when it changes."""
    import_queue_log([FIXTURES / "queue_log_agents_only"], tmp_path, follow=True)
    assert states(tmp_path, "Agent/52") == [("Agent/52", "available", None, 0, 1800),
                                             ("Agent/52", "not_ready", "lunch", 1800, 3600)]
    assert {r["row"]["agent_id"]: r["row"]["start"] for r in open_rows(tmp_path)} == {
        "Agent/52": "2024-03-05T10:00:00+00:00", "PJSIP/2002": "2024-03-05T10:30:00+00:00",
        "SIP/3003": "2024-03-05T11:10:00+00:00"}


def test_interface_and_agent_name_are_one_agent_and_none_is_no_agent(tmp_path: Path) -> None:
    """AGENTLOGIN's channel SIP/1001-0000000a names SIP/1001 as Agent/1001: the
    ADDMEMBER/REMOVEMEMBER lines written with the interface are Agent/1001's (item 6)."""
    summary = import_queue_log([FIXTURES / "queue_log_agent_identity"], tmp_path)
    assert states(tmp_path) == [
        # in both queues at 09:00; rung 3 s before the RINGNOANSWER at 63 (60–63 ringing);
        # rung again 2 s before CONNECT 65 (its ringtime), COMPLETECALLER 125; both
        # REMOVEMEMBER lines at 10:00 (3600) log it out. One agent, 3600 s logged in (not
        # 7200 under two names).
        ("Agent/1001", "available", None, 0, 60),
        ("Agent/1001", "not_ready", "ringing", 60, 63),
        ("Agent/1001", "not_ready", "ringing", 63, 65),
        ("Agent/1001", "handling", None, 65, 125),
        ("Agent/1001", "available", None, 125, 3600),
    ]
    rows = contacts(tmp_path)
    assert rows["1709629258.11@sales"]["agent_id"] == "Agent/1001"
    # CONNECT with agent NONE: answered, by no agent (no agent state named NONE)
    support = rows["1709629398.13@support"]
    assert (support["agent_id"], at(support["accepted_at"]), at(support["ended_at"])) == (
        None, 204, 230)
    # RINGNOANSWER and PAUSEALL with agent NONE: rejected, not an agent called NONE
    assert summary.rejected == {"agent event without an agent": 2}
    assert summary.accounted == summary.lines == 15


def test_asterisk_14_queuemetrics_style_log(tmp_path: Path) -> None:
    """1.4 shapes (CONNECT with 2 fields, TRANSFER with 4, empty PAUSE reasons) and a
    QueueMetrics PAUSEREASON; a transfer into another queue is a leg of the call."""
    summary = import_queue_log([FIXTURES / "queue_log_asterisk14"], tmp_path)
    assert states(tmp_path) == [
        ("Agent/101", "available", None, 0, 30),
        # PAUSEALL and PAUSE without reason, PAUSEREASON code 10 in the same second
        ("Agent/101", "not_ready", "10", 30, 330),
        ("Agent/101", "available", None, 330, 408),
        ("Agent/101", "handling", None, 408, 468),     # CONNECT sales → TRANSFER
        ("Agent/101", "available", None, 468, 477),
        # the 1.6 CONNECT in support says it rang 3 s (the 1.4 one in sales says nothing)
        ("Agent/101", "not_ready", "ringing", 477, 480),
        ("Agent/101", "handling", None, 480, 600),     # CONNECT support → COMPLETEAGENT
        ("Agent/101", "available", None, 600, 700),
        # paused in sales and support (every queue it serves) with reason Lunch
        ("Agent/101", "not_ready", "Lunch", 700, 2500),
        ("Agent/101", "available", None, 2500, 3600),  # AGENTLOGOFF at 10:00
    ]
    rows = contacts(tmp_path)
    first, leg = rows["1709629598.3@sales"], rows["1709629598.3@support"]
    assert (at(first["arrived_at"]), at(first["accepted_at"]), at(first["ended_at"]),
            first["outcome"], first["transferred"], first["customer_id"]) == (
        400, 408, 468, "transfer", True, "5551234")
    # TRANSFER and the ENTERQUEUE into support in the same second: sales is left first
    assert (leg["parent_id"], at(leg["arrived_at"]), at(leg["accepted_at"]),
            at(leg["ended_at"]), leg["outcome"]) == (
        "1709629598.3@sales", 468, 480, 600, "completeagent")
    assert summary.rejected == {} and summary.accounted == summary.lines == 17


def test_wazo_export_newest_first(tmp_path: Path) -> None:
    """Wazo's queue_log table (time with microseconds, data1..data5), exported newest
    first: AGENTCALLBACKLOGIN + ADDMEMBER of Local/id-61@agentcallback, WRAPUPSTART, the
    EXITEMPTY + LEAVEEMPTY pair, a call re-entering another queue after COMPLETEAGENT."""
    summary = import_queue_log([FIXTURES / "queue_log_wazo.csv"], tmp_path)
    assert states(tmp_path) == [
        ("Agent/52", "available", None, 0, 309),
        ("Agent/52", "not_ready", "ringing", 309, 312),  # CONNECT's ringtime: 3 s
        ("Agent/52", "handling", None, 312, 492),      # 09:05:12–09:08:12
        # WRAPUPSTART 15 s, written 0.4 ms after the call's end: ACW from the end
        ("Agent/52", "acw", None, 492, 507),
        ("Agent/52", "available", None, 507, 1203),
        ("Agent/52", "not_ready", "ringing", 1203, 1205),  # CONNECT's ringtime: 2 s
        ("Agent/52", "handling", None, 1205, 1325),    # 09:20:05–09:22:05
        ("Agent/52", "acw", None, 1325, 1340),
        ("Agent/52", "available", None, 1340, 1800),
        ("Agent/52", "not_ready", "break", 1800, 2700),  # 09:30–09:45 in both queues
        # logged out when removed from its last queue (10:00:00.0003); the file ends at
        # the AGENTCALLBACKLOGOFF, 10:00:00.051
        ("Agent/52", "available", None, 2700, 3600.0003),
        ("Agent/52", "logged_out", None, 3600.0003, 3600.051),
    ]
    rows = contacts(tmp_path)
    first = rows["1709629497.41@support"]
    assert (at(first["accepted_at"]), at(first["ended_at"]), first["agent_id"],
            first["outcome"], first["acw_seconds"]) == (312, 492, "Agent/52",
                                                        "completecaller", 15.0)
    empty = rows["1709629795.43@support"]
    assert (empty["outcome"], at(empty["ended_at"]), empty["abandoned_at"]) == (
        "exitempty", 630, None)
    # after COMPLETEAGENT in support the caller enters sales: a transfer leg
    assert rows["1709630395.44@support"]["acw_seconds"] == 15.0
    leg = rows["1709630395.44@sales"]
    assert (leg["parent_id"], at(leg["arrived_at"]), at(leg["abandoned_at"])) == (
        "1709630395.44@support", 1326, 1340)
    assert len(rows) == 4
    # LEAVEEMPTY right after EXITEMPTY: the same exit, written twice (not a reject)
    assert summary.ignored == {"LEAVEEMPTY after EXITEMPTY": 1}
    assert summary.rejected == {}
    assert (summary.contact_events, summary.agent_events, summary.lines) == (10, 14, 25)
    report = omnikpi.report_result(tmp_path, metrics=["aht"]).rows[0]
    # (180 + 15) and (120 + 15): talk + wrap-up of the two answered calls
    assert report["aht"] == pytest.approx(165.0)


def test_open_visits_are_listed_not_dropped(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("1709629200|MANAGER|sales|Alice|ADDMEMBER|\n"
                   "1709629260|w1|sales|NONE|ENTERQUEUE||111|1\n"      # still waiting
                   "1709629270|t1|sales|NONE|ENTERQUEUE||222|1\n"
                   "1709629280|t1|sales|Alice|CONNECT|10|t1b|2\n"      # still talking
                   "1709629300|NONE|NONE|NONE|CONFIGRELOAD|\n")
    summary = import_queue_log([log], tmp_path / "out")
    assert summary.open_visits == 2 and summary.contacts == 0
    opened = {r["row"]["contact_id"]: r["row"] for r in open_rows(tmp_path / "out")
              if r["table"] == "contacts"}
    assert opened["w1@sales"]["accepted_at"] is None
    assert opened["t1@sales"]["agent_id"] == "Alice"
    assert summary.ignored == {"CONFIGRELOAD": 1}
    # the next lines close them
    with log.open("a") as handle:
        handle.write("1709629400|w1|sales|NONE|ABANDON|1|1|140\n"
                     "1709629500|t1|sales|Alice|COMPLETECALLER|10|220|1\n")
    again = import_queue_log([log], tmp_path / "out")
    assert again.open_visits == 0 and again.contacts == 2


def test_cli_summary_accounts_for_every_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log",
                                      str(FIXTURES / "queue_log_wazo.csv"), "--out",
                                      str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "25 new line(s) read from 1 file(s): 10 contact event(s), 14 agent event(s), " \
           "1 ignored, 0 rejected" in text
    assert "1 LEAVEEMPTY after EXITEMPTY" in text
    partial = tmp_path / "queue_log"
    partial.write_text("1709629200|MANAGER|sales|Alice|ADDMEMBER|\nthis is broken\n"
                       "1709629260|w1|sales|NONE|ENTERQUEUE||111|1\n1709629270|w2|sa")
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(partial),
                                      "--out", str(tmp_path / "two")])
    text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "1 contact event(s), 1 agent event(s), 0 ignored, 1 rejected" in text
    assert "1 fewer than 5 fields (first at queue_log line 2)" in text
    assert "1 call(s) still open" in text and "1 agent(s) logged in" in text
    assert re.search(r"last line of .*queue_log has no end of line", text)


def test_a_rotated_log_s_last_line_without_an_end_is_read(tmp_path: Path) -> None:
    """``queue_log.1`` ends without an end of line (Asterisk killed mid-write, the log
    rotated at its restart): it was kept waiting "for the next import" forever, its
    COMPLETECALLER never read and the call lost. A rotated file no longer grows; the live
    ``queue_log`` beside it still waits for its half-written last line."""
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "queue_log.1").write_text(
        "1709629200|MANAGER|sales|Eve|ADDMEMBER|\n"
        "1709629260|k1|sales|NONE|ENTERQUEUE||111|1\n"
        "1709629270|k1|sales|Eve|CONNECT|10|k1b|2\n"
        "1709629330|k1|sales|Eve|COMPLETECALLER|10|60|1")
    (folder / "queue_log").write_text("1709629400|NONE|NONE|NONE|QUEUESTART|\n"
                                      "1709629460|k2|sa")
    # written a minute ago, Asterisk may still write it (logrotate's create mode, before
    # the logger reopens): its last line waits, as the live log's does
    fresh = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(folder), "--out",
                                     str(tmp_path / "fresh")])
    assert re.search(r"last line of \S*logs/queue_log\.1 has no end of line",
                     " ".join(fresh.output.split())), fresh.output
    an_hour_ago = time.time() - 3600
    os.utime(folder / "queue_log.1", (an_hour_ago, an_hour_ago))
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(folder), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "5 new line(s) read from 2 file(s)" in text
    assert re.search(r"last line of \S*logs/queue_log has no end of line", text)
    assert "queue_log.1 has no end" not in text
    rows = omnikpi.report_result(tmp_path / "out", metrics=["answered", "aht"]).rows[0]
    assert rows == {"answered": 1, "aht": 60.0}


def test_docs_list_every_queue_log_event() -> None:
    """docs/connectors.md holds the table of every event and what it becomes."""
    docs = DOCS.read_text(encoding="utf-8")
    assert markdown_table() in docs
    for name in EVENTS:
        assert f"| `{name}` |" in docs


def test_the_ring_before_an_answer_is_not_available_time(tmp_path: Path) -> None:
    """CONNECT's third field (1.6+) is how long the answering member's phone rang: that
    time is ``not_ready``/``ringing``, as a RINGNOANSWER's ring is (``asterisk-queue-log.md``
    §5: ringing is not available time); it read as available and occupancy came out low
    by every answered call's ring. A field that is no number books none; a ring longer
    than the member has been logged in starts at the login, one longer than the caller
    waited at the caller's arrival."""
    log = tmp_path / "queue_log"
    log.write_text("\n".join(f"{NINE + t}|{rest}" for t, rest in [
        (0, "MANAGER|sales|Eve|ADDMEMBER|"),
        (100, "c1|sales|NONE|ENTERQUEUE||111|1"),
        (110, "c1|sales|Eve|CONNECT|10|c1b|8"),           # rang 102–110
        (410, "c1|sales|Eve|COMPLETECALLER|10|300|1"),
        (500, "c2|sales|NONE|ENTERQUEUE||222|1"),
        (505, "c2|sales|Eve|CONNECT|5|c2b|abc"),          # no ring known
        (605, "c2|sales|Eve|COMPLETEAGENT|5|100|1"),
        (995, "c3|sales|NONE|ENTERQUEUE||333|1"),
        (1000, "MANAGER|sales|Fay|ADDMEMBER|"),
        (1003, "c3|sales|Fay|CONNECT|8|c3b|6"),           # rang since 997: from 1000
        (1063, "c3|sales|Fay|COMPLETECALLER|8|60|1"),
        (1800, "MANAGER|sales|Fay|REMOVEMEMBER|"),
        (2000, "c4|sales|NONE|ENTERQUEUE||444|1"),
        (2005, "c4|sales|Eve|CONNECT|5|c4b|50"),          # 50 s, waited 5: 2000–2005
        (2065, "c4|sales|Eve|COMPLETECALLER|5|60|1"),
        (2100, "c5|sales|NONE|ENTERQUEUE||555|1"),
        (2101, "c5|sales|Eve|CONNECT|1|c5b|²"),           # no number of ASCII digits
        (2161, "c5|sales|Eve|COMPLETECALLER|1|60|1"),
        (3600, "MANAGER|sales|Eve|REMOVEMEMBER|"),
    ]) + "\n", encoding="utf-8")
    summary = import_queue_log([log], tmp_path / "out")
    assert summary.accounted == summary.lines == 19 and not summary.rejected
    assert states(tmp_path / "out") == [
        ("Eve", "available", None, 0, 102), ("Eve", "not_ready", "ringing", 102, 110),
        ("Eve", "handling", None, 110, 410), ("Eve", "available", None, 410, 505),
        ("Eve", "handling", None, 505, 605), ("Eve", "available", None, 605, 2000),
        ("Eve", "not_ready", "ringing", 2000, 2005), ("Eve", "handling", None, 2005, 2065),
        ("Eve", "available", None, 2065, 2101), ("Eve", "handling", None, 2101, 2161),
        ("Eve", "available", None, 2161, 3600),
        ("Fay", "not_ready", "ringing", 1000, 1003), ("Fay", "handling", None, 1003, 1063),
        ("Fay", "available", None, 1063, 1800), ("Fay", "logged_out", None, 1800, 3600)]
    # Eve: handling 520 s of 3600 − 13 s ringing; Fay: 60 s of 800 − 3 s ringing
    by_agent = omnikpi.report_result(tmp_path / "out", metrics=["occupancy"],
                                     by=["agent_id"]).rows
    assert {r["agent_id"]: round(r["occupancy"], 6) for r in by_agent} == {
        "Eve": round(520 / 3587, 6), "Fay": round(60 / 797, 6)}


RESTART = [
    (0, "MANAGER|sales|Eve|ADDMEMBER|"),
    (0, "MANAGER|sales|Fay|ADDMEMBER|"),
    (100, "NONE|sales|Fay|PAUSE|lunch"),
    (200, "c1|sales|NONE|ENTERQUEUE||111|1"),
    (210, "c1|sales|Eve|CONNECT|10|c1b|2"),           # rang 208–210
    (1000, "NONE|NONE|NONE|QUEUESTART|"),             # Asterisk restarted mid-call
    (1500, "c2|sales|NONE|ENTERQUEUE||222|1"),
    (1505, "c2|sales|Eve|CONNECT|5|c2b|3"),           # rang 1502–1505
    (1565, "c2|sales|Eve|COMPLETECALLER|5|60|1"),
    (3600, "MANAGER|sales|Eve|REMOVEMEMBER|"),
    (3600, "MANAGER|sales|Fay|REMOVEMEMBER|"),
]


@pytest.mark.parametrize(("persistent", "expected", "occupancy"), [
    # the spec's reading: every state before QUEUESTART is dead, each member logged out
    # until its next line (Eve's call proves her login again; Fay never speaks again)
    (False, [("Eve", "available", None, 0, 208), ("Eve", "not_ready", "ringing", 208, 210),
             ("Eve", "handling", None, 210, 1000), ("Eve", "logged_out", None, 1000, 1505),
             ("Eve", "handling", None, 1505, 1565), ("Eve", "available", None, 1565, 3600),
             ("Fay", "available", None, 0, 100), ("Fay", "not_ready", "lunch", 100, 1000),
             ("Fay", "logged_out", None, 1000, 3600)],
     # Eve: handling 790 + 60 s of available 208 + 2035 s and the handling itself
     {"Eve": (790 + 60) / (208 + 790 + 60 + 2035), "Fay": 0.0}),
    # persistentmembers = yes: both stay members, Fay still at lunch, Eve's call lost
    (True, [("Eve", "available", None, 0, 208), ("Eve", "not_ready", "ringing", 208, 210),
            ("Eve", "handling", None, 210, 1000), ("Eve", "available", None, 1000, 1502),
            ("Eve", "not_ready", "ringing", 1502, 1505), ("Eve", "handling", None, 1505, 1565),
            ("Eve", "available", None, 1565, 3600),
            ("Fay", "available", None, 0, 100), ("Fay", "not_ready", "lunch", 100, 3600)],
     {"Eve": (790 + 60) / (3600 - 5), "Fay": 0.0}),
])
def test_members_across_an_asterisk_restart(tmp_path: Path, persistent: bool,
                                            expected: list[tuple[Any, ...]],
                                            occupancy: dict[str, float]) -> None:
    """QUEUESTART logs every member out until its next line (the spec: the states before
    it are dead); ``--persistent-members`` (``persistentmembers = yes``, FreePBX's and the
    sample file's setting, where Asterisk restores its members and writes no ADDMEMBER)
    keeps them logged in with their queues and pauses, their calls and wrap-ups over."""
    log = tmp_path / "queue_log"
    log.write_text("\n".join(f"{NINE + t}|{rest}" for t, rest in RESTART) + "\n")
    command = ["import", "asterisk-queue-log", str(log), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, command + (["--persistent-members"] if persistent
                                                else []))
    assert result.exit_code == 0, result.output
    assert "1 visit(s) closed as lost" in " ".join(result.output.split())
    assert states(tmp_path / "out") == expected
    rows = omnikpi.report_result(tmp_path / "out", metrics=["occupancy"],
                                 by=["agent_id"]).rows
    assert {r["agent_id"]: round(r["occupancy"] or 0.0, 6) for r in rows} == {
        agent: round(value, 6) for agent, value in occupancy.items()}


def test_persistent_members_is_for_queue_log(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_text("id\n1\n")
    result = CliRunner().invoke(app, ["import", "zendesk", str(tmp_path / "calls.csv"),
                                      "--out", str(tmp_path / "out"),
                                      "--persistent-members"])
    assert result.exit_code == 2
    assert "it is for asterisk-queue-log" in " ".join(result.output.split())


def test_custom_dialplan_events_the_spec_names_are_ignored_by_name(tmp_path: Path) -> None:
    """``QueueLog()`` in dialplan writes ``WENTONBREAK`` (the spec's example of a custom
    event): a marker, not a state; the pause comes with its PAUSE line. Ignored by name,
    never rejected as unknown."""
    log = tmp_path / "queue_log"
    log.write_text("1709629200|MANAGER|sales|Alice|ADDMEMBER|\n"
                   "1709629260|NONE|sales|Alice|WENTONBREAK|lunch\n"
                   "1709629260|NONE|sales|Alice|PAUSE|lunch\n"
                   "1709629500|NONE|sales|Alice|UNPAUSE|\n")
    summary = import_queue_log([log], tmp_path / "out")
    assert summary.ignored == {"WENTONBREAK": 1}
    assert not summary.rejected and summary.agent_events == 3


def test_a_field_of_thousands_of_digits_is_a_reject_not_a_traceback(tmp_path: Path) -> None:
    """A CONNECT whose ring field held 5,000 digits stopped the import with a traceback
    (``int()`` refuses 4,300 digits and more); a 400-digit holdtime was compared as
    ``inf s``. The ring books none, the holdtime is no number Asterisk wrote."""
    big = "9" * 5000
    log = tmp_path / "queue_log"
    log.write_text("\n".join([
        "1709629200|MANAGER|sales|Eve|ADDMEMBER|",
        "1709629300|c1|sales|NONE|ENTERQUEUE||111|1",
        f"1709629310|c1|sales|Eve|CONNECT|10|c1b|{big}",
        f"1709629410|c1|sales|Eve|COMPLETECALLER|{'9' * 400}|100|1",
        "1709629500|c2|sales|NONE|ENTERQUEUE||222|1",
        f"1709629510|c2|sales|Eve|RINGNOANSWER|{big}"]) + "\n")
    summary = import_queue_log([log], tmp_path / "out")
    assert summary.accounted == summary.lines == 6
    assert dict(summary.rejected) == {"RINGNOANSWER ring time out of range": 1}
    assert summary.contacts == 1 and not summary.flagged
