"""Durations Asterisk wrote that disagree with the timestamps (asterisk-queue-log.md §5:
"Prefer timestamp differences … and flag disagreements larger than 1 s").

The figures stay the timestamps'; the contact is counted in the summary per field and
listed in ``_queue_log_flags.csv``. Times are seconds after T = 2024-05-06 08:00 UTC.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.connectors.queue_log_import import ImportSummary, import_queue_log

T = 1714982400
FLAGS = "_queue_log_flags.csv"

# the auditor's reproduction: waited 90 s by the timestamps, Asterisk's holdtime says 20
AUDIT = [
    f"{T + 10}|d1.1|q1|NONE|ENTERQUEUE||111|1",
    f"{T + 100}|d1.1|q1|PJSIP/b|CONNECT|20|d1.9|1",
    f"{T + 200}|d1.1|q1|PJSIP/b|COMPLETECALLER|20|100|1",
]


def run(tmp_path: Path, lines: list[str], name: str = "queue_log") -> ImportSummary:
    tmp_path.mkdir(parents=True, exist_ok=True)
    log = tmp_path / name
    log.write_text("".join(line + "\n" for line in lines))
    return import_queue_log([log], tmp_path / "out")


def flag_rows(tmp_path: Path) -> list[dict[str, str]]:
    path = tmp_path / "out" / FLAGS
    return list(csv.DictReader(path.open(encoding="utf-8"))) if path.exists() else []


def contacts(out: Path) -> dict[str, dict[str, Any]]:
    return {str(r["contact_id"]): r for r in pq.read_table(out / "contacts").to_pylist()}


def figures(row: dict[str, Any]) -> tuple[float | None, float | None]:
    """(wait, talk) in seconds, as the engine reads them from the row."""
    arrived, accepted = row["arrived_at"], row["accepted_at"]
    end = row["ended_at"] or row["abandoned_at"]
    wait = ((accepted or end).timestamp() - arrived.timestamp())
    talk = None if accepted is None else end.timestamp() - accepted.timestamp()
    return wait, talk


def test_the_auditors_reproduction_flags_one_contact(tmp_path: Path) -> None:
    summary = run(tmp_path, AUDIT)
    # CONNECT and COMPLETECALLER both say 20: one contact, flagged once, for the wait
    assert summary.flagged == {"holdtime": 1}
    first = summary.first_flag["holdtime"]
    assert (first.callid, first.contact_id, first.event, first.timestamps, first.data,
            first.line) == ("d1.1", "d1.1@q1", "CONNECT", 90.0, 20.0, 2)
    assert flag_rows(tmp_path) == [{
        "file": "queue_log", "line": "2", "call_id": "d1.1", "contact_id": "d1.1@q1",
        "event": "CONNECT", "field": "holdtime", "timestamps_seconds": "90",
        "field_seconds": "20"}]
    # calltime 100 = 200 − 100: the talk time agrees; every line still counted once
    assert summary.contact_events == 3 and summary.accounted == summary.lines == 3


def test_the_command_says_how_many_and_why(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("".join(line + "\n" for line in AUDIT))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(log),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "1 contact(s): the wait from timestamps (CONNECT − ENTERQUEUE) differs from " \
           "the holdtime Asterisk wrote by more than 1 s — timestamps kept; first: call " \
           "d1.1 (90 s vs 20 s, queue_log line 2)" in text
    assert str(out / FLAGS) in text


def test_figures_are_the_timestamps_flagged_or_not(tmp_path: Path) -> None:
    flagged = run(tmp_path / "a", AUDIT)
    agreeing = [AUDIT[0], AUDIT[1].replace("|20|", "|90|"),
                AUDIT[2].replace("|20|", "|90|")]
    clean = run(tmp_path / "b", agreeing)
    assert (flagged.flagged, clean.flagged) == ({"holdtime": 1}, {})
    rows, same = contacts(tmp_path / "a" / "out"), contacts(tmp_path / "b" / "out")
    assert figures(rows["d1.1@q1"]) == (90.0, 100.0)
    assert rows == same  # flagging changed no figure of the contact
    assert not (tmp_path / "b" / "out" / FLAGS).exists()  # nothing flagged, no list


def test_a_holdtime_within_one_second_is_no_disagreement(tmp_path: Path) -> None:
    summary = run(tmp_path, [
        # 1 s off either way: a line stamped just after its second turned
        f"{T}|a.1|q1|NONE|ENTERQUEUE||111|1",
        f"{T + 30}|a.1|q1|Alice|CONNECT|29|a.9|3",
        f"{T + 90}|a.1|q1|Alice|COMPLETEAGENT|31|61|1",
        # fractional times (a realtime table's microseconds): 0.7 s off
        f"{T + 100}.200000|b.1|q1|NONE|ENTERQUEUE||222|1",
        f"{T + 112}.900000|b.1|q1|Bob|CONNECT|12|b.9|2",
        f"{T + 120}.000000|b.1|q1|Bob|COMPLETECALLER|12|8|1",
    ])
    assert summary.flagged == {} and summary.contact_events == 6
    assert flag_rows(tmp_path) == []


def test_one_and_a_half_seconds_off_is_flagged(tmp_path: Path) -> None:
    summary = run(tmp_path, [
        f"{T}|a.1|q1|NONE|ENTERQUEUE||111|1",
        f"{T + 11}.5|a.1|q1|Alice|CONNECT|10|a.9|3",
        f"{T + 20}|a.1|q1|Alice|COMPLETEAGENT|10|9|1",  # talk 8.5 vs 9: agrees
    ])
    assert summary.flagged == {"holdtime": 1}
    assert (summary.first_flag["holdtime"].timestamps,
            summary.first_flag["holdtime"].data) == (11.5, 10.0)
    assert [(r["field"], r["timestamps_seconds"], r["field_seconds"])
            for r in flag_rows(tmp_path)] == [("holdtime", "11.5", "10")]


def test_a_completions_calltime_disagreement_is_flagged(tmp_path: Path) -> None:
    summary = run(tmp_path, [
        f"{T}|c.1|q1|NONE|ENTERQUEUE||111|1",
        f"{T + 10}|c.1|q1|Alice|CONNECT|10|c.9|3",
        f"{T + 130}|c.1|q1|Alice|COMPLETEAGENT|10|50|1",  # talked 120 s, calltime says 50
        f"{T + 200}|d.1|q1|NONE|ENTERQUEUE||222|1",
        f"{T + 205}|d.1|q1|Bob|CONNECT|5|d.9|3",
        f"{T + 265}|d.1|q1|Bob|BLINDTRANSFER|700|default|5|20|1",  # 60 s vs 20
    ])
    assert summary.flagged == {"calltime": 2}
    first = summary.first_flag["calltime"]
    assert (first.callid, first.event, first.timestamps, first.data) == \
        ("c.1", "COMPLETEAGENT", 120.0, 50.0)
    assert [(r["call_id"], r["event"], r["timestamps_seconds"], r["field_seconds"])
            for r in flag_rows(tmp_path)] == [("c.1", "COMPLETEAGENT", "120", "50"),
                                              ("d.1", "BLINDTRANSFER", "60", "20")]
    rows = contacts(tmp_path / "out")
    assert figures(rows["c.1@q1"]) == (10.0, 120.0)
    assert figures(rows["d.1@q1"]) == (5.0, 60.0)


def test_transfers_are_read_by_their_versions_layout(tmp_path: Path) -> None:
    summary = run(tmp_path, [
        # 1.4 TRANSFER extension, context, holdtime, calltime: talk 60 s vs 20
        f"{T}|p.1|q1|NONE|ENTERQUEUE||111",
        f"{T + 5}|p.1|q1|Alice|CONNECT|5|p.9",
        f"{T + 65}|p.1|q1|Alice|TRANSFER|700|default|5|20",
        # 12+ ATTENDEDTRANSFER LINK: two channel names, then hold, call, origposition
        f"{T + 100}|q.1|q1|NONE|ENTERQUEUE||222|1",
        f"{T + 130}|q.1|q1|Bob|CONNECT|30|q.9|2",
        f"{T + 190}|q.1|q1|Bob|ATTENDEDTRANSFER|LINK|PJSIP/b-01|PJSIP/c-02|4|60|1",
        # ATTENDEDTRANSFER BRIDGE agreeing
        f"{T + 200}|r.1|q1|NONE|ENTERQUEUE||333|1",
        f"{T + 210}|r.1|q1|Bob|CONNECT|10|r.9|2",
        f"{T + 250}|r.1|q1|Bob|ATTENDEDTRANSFER|BRIDGE|b-1234|10|40|1",
    ])
    assert summary.flagged == {"calltime": 1, "holdtime": 1}
    assert [(r["call_id"], r["event"], r["field"], r["timestamps_seconds"],
             r["field_seconds"]) for r in flag_rows(tmp_path)] == [
        ("p.1", "TRANSFER", "calltime", "60", "20"),
        ("q.1", "ATTENDEDTRANSFER", "holdtime", "30", "4")]


def test_an_abandons_waittime_disagreement_is_flagged(tmp_path: Path) -> None:
    summary = run(tmp_path, [
        f"{T}|e.1|q1|NONE|ENTERQUEUE||111|1",
        f"{T + 40}|e.1|q1|NONE|ABANDON|1|1|10",  # waited 40 s, waittime says 10
        f"{T + 100}|f.1|q1|NONE|ENTERQUEUE||222|2",
        f"{T + 130}|f.1|q1|NONE|EXITWITHTIMEOUT|1|2|300",  # 30 s vs 300
        f"{T + 200}|g.1|q1|NONE|ENTERQUEUE||333|1",
        f"{T + 203}|g.1|q1|NONE|ABANDON|1|1|3",  # agrees
    ])
    assert summary.flagged == {"waittime": 2}
    first = summary.first_flag["waittime"]
    assert (first.callid, first.event, first.timestamps, first.data) == \
        ("e.1", "ABANDON", 40.0, 10.0)
    assert [(r["call_id"], r["event"], r["timestamps_seconds"], r["field_seconds"])
            for r in flag_rows(tmp_path)] == [("e.1", "ABANDON", "40", "10"),
                                              ("f.1", "EXITWITHTIMEOUT", "30", "300")]
    rows = contacts(tmp_path / "out")
    assert figures(rows["e.1@q1"]) == (40.0, None)
    assert rows["e.1@q1"]["outcome"] == "abandon"


def test_versions_without_the_fields_are_not_flagged(tmp_path: Path) -> None:
    summary = run(tmp_path, [
        # 1.2: TRANSFER extension, context only; EXITWITHTIMEOUT position only;
        # ≤ 1.6 EXITWITHKEY key, position
        f"{T}|h.1|q1|NONE|ENTERQUEUE|url|111",
        f"{T + 30}|h.1|q1|Alice|CONNECT|30",
        f"{T + 90}|h.1|q1|Alice|TRANSFER|700|default",
        f"{T + 100}|i.1|q1|NONE|ENTERQUEUE|url|222",
        f"{T + 150}|i.1|q1|NONE|EXITWITHTIMEOUT|1",
        f"{T + 200}|j.1|q1|NONE|ENTERQUEUE|url|333",
        f"{T + 260}|j.1|q1|NONE|EXITWITHKEY|5|1",
        # dialplan-written (QueueLog()) lines: empty or not a number
        f"{T + 300}|k.1|q1|NONE|ENTERQUEUE||444|1",
        f"{T + 340}|k.1|q1|Bob|CONNECT||k.9|",
        f"{T + 400}|k.1|q1|Bob|COMPLETECALLER|n/a|ninety|1",
        f"{T + 500}|l.1|q1|NONE|ENTERQUEUE||555|1",
        f"{T + 520}|l.1|q1|NONE|ABANDON|1|1|",
        f"{T + 600}|m.1|q1|NONE|ENTERQUEUE||666|1",
        f"{T + 610}|m.1|q1|NONE|ABANDON|1|1|nan",
    ])
    assert summary.flagged == {} and summary.contact_events == 14
    assert summary.rejected == {}
    assert not (tmp_path / "out" / FLAGS).exists()


def test_a_call_flagged_in_one_import_is_not_flagged_again_in_the_next(
        tmp_path: Path) -> None:
    """The CONNECT flagged in the first import, the same holdtime in the COMPLETECALLER
    read by the next one: still one contact, one row; a later call adds its own row."""
    log = tmp_path / "queue_log"
    log.write_text("".join(line + "\n" for line in AUDIT[:2]))
    first = import_queue_log([log], tmp_path / "out")
    log.write_text("".join(line + "\n" for line in [
        *AUDIT,
        f"{T + 300}|n.1|q1|NONE|ENTERQUEUE||777|1",
        f"{T + 330}|n.1|q1|NONE|ABANDON|1|1|3"]))
    second = import_queue_log([log], tmp_path / "out")
    assert (first.flagged, second.flagged) == ({"holdtime": 1}, {"waittime": 1})
    assert [(r["call_id"], r["field"]) for r in flag_rows(tmp_path)] == [
        ("d1.1", "holdtime"), ("n.1", "waittime")]
