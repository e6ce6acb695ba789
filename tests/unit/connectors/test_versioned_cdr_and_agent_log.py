"""Asterisk CDR calls and VICIdial agent-log lines read again from a later export take
their fuller form, in any import order (the mappings name a version).

A Master.csv copied while a ring-all call was ringing holds only the leg of the agent who
did not answer: the call stayed abandoned for good, even once the answered leg was
imported. A FreePBX queue call whose Local channel's ;2 row came in the next file kept
the Local channel as its agent. A VICIdial line exported while the agent was waiting and
again finished kept the wait it had when first seen, given first in one import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from omnikpi.cli.importer import shipped_mapping
from omnikpi.connectors.mapped_table import import_mapped


def cdr(channel: str, dstchannel: str, app: str, data: str, start: str, answer: str,
        end: str, billsec: int, disposition: str, uniqueid: str, linkedid: str,
        src: str = "0502223344", dst: str = "500", context: str = "from-trunk") -> str:
    """One Master.csv line (no header; cdr_csv's columns, in order)."""
    fields = ["", src, dst, context, f'"{src}" <{src}>', channel, dstchannel, app, data,
              f"2026-03-05 {start}", f"2026-03-05 {answer}" if answer else "",
              f"2026-03-05 {end}", "0", str(billsec), disposition, "DOCUMENTATION",
              uniqueid, "", "", linkedid, "1"]
    return ",".join('"' + f.replace('"', '""') + '"' for f in fields) + "\n"


RANG_1001 = cdr("PJSIP/trunk-00000003", "PJSIP/1001-00000004", "Queue", "support,t,,,300",
                "09:10:00", "", "09:10:25", 0, "NO ANSWER", "1741158600.3", "1741158600.3")
"""Ring-all: 1001 rang and did not answer — written when 1002 answered."""
ANSWERED_1002 = cdr("PJSIP/trunk-00000003", "PJSIP/1002-00000005", "Queue",
                    "support,t,,,300", "09:10:00", "09:10:25", "09:12:25", 120, "ANSWERED",
                    "1741158600.3", "1741158600.3")
"""1002's answered leg: written when the call ended."""
QUEUE_TO_LOCAL = cdr("PJSIP/trunk-00000009", "Local/1003@from-queue-0000000a;1", "Queue",
                     "support,t,,,300", "10:00:00", "10:00:15", "10:05:15", 300,
                     "ANSWERED", "1741161600.9", "1741161600.9", src="0503334455")
"""FreePBX: the caller's Queue() row, Party B the member's Local channel."""
LOCAL_DIALS_1003 = cdr("Local/1003@from-queue-0000000a;2", "PJSIP/1003-0000000b", "Dial",
                       "PJSIP/1003,,tr", "10:00:00", "10:00:15", "10:05:15", 300,
                       "ANSWERED", "1741161600.10", "1741161600.9", src="500", dst="1003",
                       context="from-queue")
"""The Local channel's ;2 half dialling the agent's phone (it names the agent)."""


def contacts(folder: Path) -> list[dict[str, Any]]:
    return sorted(pq.read_table(folder / "contacts.parquet").to_pylist(),
                  key=lambda r: r["contact_id"])


def cdr_import(folder: Path, files: list[Path]) -> None:
    import_mapped(files, shipped_mapping("asterisk-cdr"), folder, zone="Europe/Kyiv")


@pytest.mark.parametrize("imports", [
    [["part1"], ["part1", "part2"]],   # the summary's advice: again, together
    [["part1"], ["part2"]],            # the next rotated file alone
    [["part2"], ["part1"]],            # the older file last
    [["part1", "part2"], ["part1"]],   # an older file again
], ids=["1 then 1+2", "1 then 2", "2 then 1", "both then 1"])
def test_a_ring_all_call_seen_again_answered_is_answered(tmp_path: Path,
                                                         imports: list[list[str]]) -> None:
    """Once seen answered, a call is answered, whichever file held the answered leg."""
    files = {"part1": tmp_path / "part1.csv", "part2": tmp_path / "part2.csv"}
    files["part1"].write_text(RANG_1001)
    files["part2"].write_text(ANSWERED_1002)
    cdr_import(tmp_path / "once", list(files.values()))
    (once,) = contacts(tmp_path / "once")
    assert (once["agent_id"], once["handle_seconds"], once["abandoned_at"]) == \
        ("PJSIP/1002", 120.0, None)
    for files_of_import in imports:
        cdr_import(tmp_path / "out", [files[name] for name in files_of_import])
    assert contacts(tmp_path / "out") == [once]


@pytest.mark.parametrize("imports", [
    [["part1"], ["part1", "part2"]], [["part1", "part2"], ["part1"]]],
    ids=["1 then 1+2", "both then 1"])
def test_a_local_channel_call_seen_again_with_its_member_row_names_the_agent(
        tmp_path: Path, imports: list[list[str]]) -> None:
    """The ;2 row names the agent only beside its queue call's row (alone it is filtered:
    the summary says to import the files again together), and a form without it never
    replaces one with it."""
    files = {"part1": tmp_path / "part1.csv", "part2": tmp_path / "part2.csv"}
    files["part1"].write_text(QUEUE_TO_LOCAL)
    files["part2"].write_text(LOCAL_DIALS_1003)
    cdr_import(tmp_path / "first", [files["part1"]])
    assert contacts(tmp_path / "first")[0]["agent_id"] == "Local/1003@from-queue"
    for files_of_import in imports:
        cdr_import(tmp_path / "out", [files[name] for name in files_of_import])
    (call,) = contacts(tmp_path / "out")
    assert call["agent_id"] == "PJSIP/1003"


AGENT_LOG_HEADER = ("agent_log_id\tuser\tpause_epoch\tpause_sec\twait_epoch\twait_sec\t"
                    "talk_epoch\ttalk_sec\tdispo_epoch\tdispo_sec\tsub_status\n")
WAIT = 1_709_648_195  # 2024-03-05T14:16:35Z


def test_an_agent_log_line_seen_again_finished_takes_its_finished_form(
        tmp_path: Path) -> None:
    """Line 3 of agent 1001 exported while the agent waited (30 s so far) and again
    finished (waited 45 s, talked 90 s, wrapped up 20 s): available 45 s, whichever file
    comes first in one import or in which order they are imported."""
    waiting = tmp_path / "agent_log-1.tsv"
    finished = tmp_path / "agent_log-2.tsv"
    waiting.write_text(AGENT_LOG_HEADER + f"3\t1001\t{WAIT}\t0\t{WAIT}\t30\tNULL\t0\tNULL\t0\t\n")
    finished.write_text(AGENT_LOG_HEADER + f"3\t1001\t{WAIT}\t0\t{WAIT}\t45\t{WAIT + 45}\t90\t"
                        f"{WAIT + 135}\t20\t\n")
    mapping = shipped_mapping("vicidial-agent-log")

    def states(folder: Path) -> list[tuple[str, float]]:
        rows = pq.read_table(folder / "agent_states.parquet").to_pylist()
        return sorted((r["state"], (r["end"] - r["start"]).total_seconds()) for r in rows)

    for number, imports in enumerate([[[waiting, finished]], [[waiting], [finished]],
                                      [[finished], [waiting]], [[finished, waiting]]]):
        for files in imports:
            import_mapped(files, mapping, tmp_path / f"out{number}")
        assert states(tmp_path / f"out{number}") == [
            ("acw", 20.0), ("available", 45.0), ("handling", 90.0)], imports


def test_a_queue_that_times_out_into_voicemail_is_a_timeout_not_an_abandon(
        tmp_path: Path) -> None:
    """Queue(support,t,,,30) rang 1001 for 30 s, then the dialplan went on to VoiceMail
    (the caller's own row, 11:00:30–11:01:30): the caller did not hang up in the queue,
    the queue let them go (queue_log's EXITWITHTIMEOUT). Offered, neither answered nor
    abandoned, ended when the queue let go; the voicemail row itself is no contact."""
    (tmp_path / "Master.csv").write_text(
        cdr("PJSIP/trunk-00000011", "PJSIP/1001-00000012", "Queue", "support,t,,,30",
            "11:00:00", "", "11:00:30", 0, "NO ANSWER", "1741165200.20", "1741165200.20")
        + cdr("PJSIP/trunk-00000011", "", "VoiceMail", "500@default,u", "11:00:30",
              "11:00:30", "11:01:30", 60, "ANSWERED", "1741165200.20", "1741165200.20"))
    cdr_import(tmp_path / "out", [tmp_path / "Master.csv"])
    (call,) = contacts(tmp_path / "out")
    assert (call["abandoned_at"], call["accepted_at"], call["outcome"]) == \
        (None, None, "timeout")
    assert call["ended_at"].isoformat() == "2026-03-05T09:00:30"  # 11:00:30 in Kyiv
