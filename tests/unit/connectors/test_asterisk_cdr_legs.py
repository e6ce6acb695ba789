"""How the shipped Asterisk CDR mapping (``mappings/asterisk_cdr.toml``) reads the legs
of one call: a queue member's busy phone is not the caller's block, a line written twice
is one record, and FreePBX's Local channel queue members name their agent. Every number
below is worked out by hand from the CDR lines."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.connectors.mapped_table import MappedSummary, import_mapped
from omnikpi.connectors.mapping_files import shipped_mapping

FIXTURES = Path(__file__).parent / "fixtures" / "asterisk_cdr_legs"

FURTHER_LEG = ("a further leg of a call rung to several agents or transferred (the call is "
               "its first answered leg, else its first; a transfer's talk is added to it)")
REPEATED = "a repeated CDR line (the same record twice): kept once"
LOCAL_LEG = ("the queue's Local channel leg (FreePBX): the queue call's own row holds the "
             "call, this row names its agent's device")
INTERNAL = ("an internal call from one extension to another (a consultation, a colleague): "
            "not a customer's contact")


def _cdr(src: str, dst: str, context: str, channel: str, dstchannel: str, app_: str,
         start: str, answer: str, end: str, billsec: int, disposition: str,
         uniqueid: str, sequence: int, lastdata: str = "support,t") -> str:
    """One cdr_csv line (newcdrcolumns), times on 2024-03-05."""
    duration = (datetime.fromisoformat(f"2024-03-05 {end}")
                - datetime.fromisoformat(f"2024-03-05 {start}")).seconds
    return ",".join(f'"{v}"' for v in (
        "", src, dst, context, f'""C"" <{src}>', channel, dstchannel, app_, lastdata,
        f"2024-03-05 {start}", answer and f"2024-03-05 {answer}", f"2024-03-05 {end}",
        duration, billsec, disposition, "DOCUMENTATION", uniqueid, "", "", uniqueid,
        sequence))


def _import(source: Path, out: Path) -> tuple[MappedSummary, dict[str, dict[str, Any]]]:
    """The shipped mapping on ``source`` (times read as UTC): its summary and contacts."""
    [summary] = import_mapped([source], shipped_mapping("asterisk-cdr"), out, zone="UTC")
    rows = {r["contact_id"]: r for r in pq.read_table(out / "contacts.parquet").to_pylist()}
    # every line read is imported, filtered with its reason, left out or repeated
    assert summary.read == (len(rows) + sum(summary.filtered.values())
                            + sum(summary.left_out.values()) + summary.repeated)
    assert omnikpi.load_dataset(out).problem_count == 0
    return summary, rows


def _s(later: datetime | None, earlier: datetime | None) -> float | None:
    return None if later is None or earlier is None else (later - earlier).total_seconds()


def test_a_queue_members_busy_phone_does_not_block_the_caller(tmp_path: Path) -> None:
    """Queue() rang 1001, whose phone was busy (BUSY 11:00:00–11:00:02), then 1002, who did
    not answer (11:00:02–11:00:32), and the caller hung up: the BUSY is 1001's phone (Party
    B), not the caller's. Before, the call was blocked (offered 0, blocked rate 100 %)
    because its first leg was the busy member's; with the members in the other order it
    was abandoned. Both orders are now one abandoned call after 32 s; a call the trunk
    refused (FAILED, nobody rung: no dstchannel) stays blocked."""
    trunk = "SIP/trunk-00000010"
    lines = [
        # call X: the busy member first
        _cdr("+15550007", "600", "from-trunk", trunk, "SIP/1001-00000011", "Queue",
             "11:00:00", "", "11:00:02", 0, "BUSY", "1709636400.10", 10),
        _cdr("+15550007", "600", "from-trunk", trunk, "SIP/1002-00000012", "Queue",
             "11:00:02", "", "11:00:32", 0, "NO ANSWER", "1709636400.10", 11),
        # call Y: the same with the members the other way round, written in reverse
        _cdr("+15550008", "600", "from-trunk", "SIP/trunk-00000020", "SIP/1001-00000022",
             "Queue", "12:00:30", "", "12:00:32", 0, "BUSY", "1709640000.20", 21),
        _cdr("+15550008", "600", "from-trunk", "SIP/trunk-00000020", "SIP/1002-00000021",
             "Queue", "12:00:00", "", "12:00:30", 0, "NO ANSWER", "1709640000.20", 20),
        # call Z: the trunk could not put it through (no Party B): blocked
        _cdr("+15550009", "700", "from-trunk", "SIP/trunk-00000030", "", "Dial",
             "13:00:00", "", "13:00:01", 0, "FAILED", "1709643600.30", 30,
             lastdata="SIP/1700,30"),
    ]
    source = tmp_path / "Master.csv"
    source.write_text("\n".join(lines) + "\n")
    summary, rows = _import(source, tmp_path / "out")
    assert +summary.filtered == Counter({FURTHER_LEG: 2})
    assert (summary.read, len(rows)) == (5, 3)
    for call, arrived in (("1709636400.10", "11:00:00"), ("1709640000.20", "12:00:00")):
        row = rows[call]
        assert row["blocked"] is False, call
        assert row["arrived_at"].isoformat() == f"2024-03-05T{arrived}"
        assert _s(row["abandoned_at"], row["arrived_at"]) == 32.0, call  # its last leg's end
        assert (row["accepted_at"], row["agent_id"], row["outcome"]) == (
            None, None, "no answer")
    refused = rows["1709643600.30"]
    assert (refused["blocked"], refused["abandoned_at"]) == (True, None)
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "offered", "answered", "abandoned", "avg_abandon_time", "blocked_rate"]).rows[0]
    # offered: the two queued callers; received: those and the blocked one (1 of 3)
    assert report == {"offered": 2, "answered": 0, "abandoned": 2, "avg_abandon_time": 32.0,
                      "blocked_rate": 1 / 3}


def test_a_repeated_cdr_line_is_kept_once(tmp_path: Path) -> None:
    """Master.csv copies that overlap, joined with cat: the answered leg of the first call
    (1002, 300 s) written twice, the second call's only leg three times. Before, each
    copy of the answered leg was a further leg whose billsec was added to the talk (AHT
    600 s, not 300 s); now the copies are counted under their own reason and read by no
    leg: 7 lines = 2 imported + 1 further leg + 4 repeated."""
    trunk = "SIP/trunk-00000001"
    rang = _cdr("+15550001", "600", "from-trunk", trunk, "SIP/1001-00000002", "Queue",
                "10:00:00", "", "10:00:15", 0, "NO ANSWER", "1709632800.1", 1)
    answered = _cdr("+15550001", "600", "from-trunk", trunk, "SIP/1002-00000003", "Queue",
                    "10:00:00", "10:00:20", "10:05:20", 300, "ANSWERED", "1709632800.1", 2)
    missed = _cdr("+15550002", "600", "from-trunk", "SIP/trunk-00000004",
                  "SIP/1001-00000005", "Queue", "10:10:00", "", "10:10:40", 0, "NO ANSWER",
                  "1709633400.4", 3)
    source = tmp_path / "Master.csv"
    source.write_text("\n".join([answered, rang, answered, missed, missed, answered, missed])
                      + "\n")
    summary, rows = _import(source, tmp_path / "out")
    assert summary.read == 7
    assert +summary.filtered == Counter({REPEATED: 4, FURTHER_LEG: 1})
    assert summary.repeated == 0 and not summary.left_out
    taken, lost = rows["1709632800.1"], rows["1709633400.4"]
    assert (taken["agent_id"], taken["handle_seconds"], taken["transferred"]) == (
        "SIP/1002", 300.0, False)
    assert _s(taken["accepted_at"], taken["arrived_at"]) == 20.0
    assert taken["ended_at"].isoformat() == "2024-03-05T10:05:20"
    assert _s(lost["abandoned_at"], lost["arrived_at"]) == 40.0
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "offered", "answered", "abandoned", "handled", "aht", "asa"]).rows[0]
    assert report == {"offered": 2, "answered": 1, "abandoned": 1, "handled": 1,
                      "aht": 300.0, "asa": 20.0}
    # the import's own words: the table adds up (7 read = 2 imported + 5 filtered)
    result = CliRunner().invoke(app, ["import", "asterisk-cdr", str(source), "--tz", "UTC",
                                      "--out", str(tmp_path / "said")])
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "│ contacts │ 7 │ 2 │ 5 │ 0 │ 0 │ 0 │ 2 │" in said
    assert f"4 {REPEATED}" in said and f"1 {FURTHER_LEG}" in said


def test_freepbx_local_channel_queue_members_name_their_agent(tmp_path: Path) -> None:
    """FreePBX queue members are Local channels: the caller's Queue row's Party B is
    ``Local/1002@from-queue-00000004;1``, and the Local channel's ``;2`` half writes a row
    of its own (Dial to PJSIP/1002). Before, the agent was empty (the device pattern did not
    read ``;1``) and each ``;2`` row was an internal call (dcontext from-internal) or, with
    dcontext from-queue, a second inbound contact. Now the agent is the device the ``;2``
    row dialled, as for a member rung directly, and the ``;2`` rows are filtered under
    their own reason; without its ``;2`` row, the agent is the Local channel,
    ``Local/1004@from-queue``."""
    summary, rows = _import(FIXTURES / "Master.csv", tmp_path / "out")
    # 7 lines: 3 calls, the unanswered Queue leg of the first, three ;2 halves
    assert summary.read == 7
    assert +summary.filtered == Counter({LOCAL_LEG: 3, FURTHER_LEG: 1})
    assert summary.filtered[INTERNAL] == 0
    assert set(rows) == {"1709640000.20", "1709643600.30", "1709647200.40"}
    ringall, direct, cut = (rows["1709640000.20"], rows["1709643600.30"],
                            rows["1709647200.40"])
    assert (ringall["agent_id"], ringall["queue"], ringall["direction"]) == (
        "PJSIP/1002", "600", "inbound")
    assert (_s(ringall["accepted_at"], ringall["arrived_at"]),
            ringall["handle_seconds"], ringall["transferred"]) == (20.0, 300.0, False)
    assert (direct["agent_id"], direct["queue"]) == ("PJSIP/1003", "601")
    assert (_s(direct["accepted_at"], direct["arrived_at"]), direct["handle_seconds"]) == (
        12.0, 120.0)
    assert (cut["agent_id"], _s(cut["accepted_at"], cut["arrived_at"]),
            cut["handle_seconds"]) == ("Local/1004@from-queue", 30.0, 60.0)
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "offered", "answered", "handled", "asa", "aht"]).rows[0]
    assert report == {"offered": 3, "answered": 3, "handled": 3,
                      "asa": (20 + 12 + 30) / 3, "aht": (300 + 120 + 60) / 3}
    by_agent = {r["agent_id"]: r["handled"] for r in omnikpi.report_result(
        tmp_path / "out", metrics=["handled"], by=["agent_id"]).rows}
    assert by_agent == {"PJSIP/1002": 1, "PJSIP/1003": 1, "Local/1004@from-queue": 1}
