"""Asterisk queue_log import: hand-made fixtures, layouts, rotation, increments, fuzzing."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.connectors.queue_log_import import import_queue_log
from omnikpi.connectors.queue_log_lines import Event, parse_flat
from omnikpi.connectors.queue_log_visits import KNOWN, VisitMachine

FIXTURES = Path(__file__).parent / "fixtures"
T0 = 1709632860  # 2024-03-05T10:01:00Z


def contacts(out: Path) -> dict[str, dict[str, object]]:
    rows = pq.read_table(out / "contacts").to_pylist()
    return {str(r["contact_id"]): r for r in rows}


def seconds(value: object) -> float | None:
    return None if value is None else value.timestamp()  # type: ignore[attr-defined]


def test_flat_file_to_canonical_rows(tmp_path: Path) -> None:
    summary = import_queue_log([FIXTURES / "queue_log"], tmp_path)
    rows = contacts(tmp_path)
    # Hand-mapped from the fixture (epochs relative to T0):
    # .1 sales: ENTERQUEUE +0, CONNECT +8 (Alice), COMPLETECALLER +188 → answered, 8 s wait
    first = rows["1709632855.1@sales"]
    assert (seconds(first["arrived_at"]), seconds(first["accepted_at"]),
            seconds(first["ended_at"])) == (T0, T0 + 8, T0 + 188)
    assert first["agent_id"] == "Alice" and first["customer_id"] == "380501112233"
    assert first["outcome"] == "completecaller" and first["abandoned_at"] is None
    # .3 abandons after 3 s
    assert seconds(rows["1709633099.3@sales"]["abandoned_at"]) == T0 + 243
    # .4 times out of sales (not an abandon) and overflows to support, where it is
    # answered and blind-transferred: parent_id links the two visits
    timeout = rows["1709633190.4@sales"]
    assert timeout["outcome"] == "exitwithtimeout" and timeout["abandoned_at"] is None
    overflow = rows["1709633190.4@support"]
    assert overflow["parent_id"] == "1709633190.4@sales" and overflow["transferred"] is True
    # FULL: blocked, never queued
    assert rows["1709633795.6@support"]["blocked"] is True
    assert len(rows) == 6
    assert summary.rejected == {"fewer than 5 fields": 1,
                                "COMPLETEAGENT without an open ENTERQUEUE for this call/queue": 1,
                                "unknown event MADEUPEVENT": 1}
    assert summary.ignored == {"DID": 1} and summary.lines == 26
    assert summary.accounted == 26
    rejects = (tmp_path / "rejects.csv").read_text().splitlines()
    assert rejects[1].startswith("queue_log,23,fewer than 5 fields")


def test_agent_states_from_the_fixture(tmp_path: Path) -> None:
    import_queue_log([FIXTURES / "queue_log"], tmp_path)
    states = [(r["agent_id"], r["state"], r["reason"], seconds(r["start"]) - T0,
               seconds(r["end"]) - T0)
              for r in pq.read_table(tmp_path / "agent_states").to_pylist()
              if r["agent_id"] == "Alice"]
    # logged in at −110 s; rang 4 s before RINGNOANSWER at +6 (not available); rang again
    # 2 s before CONNECT +8 (its ringtime field: not available either); call ends +188;
    # PAUSEALL/PAUSE lunch +540 (one interval, not two) until UNPAUSE +840.
    assert sorted(states, key=lambda s: s[3]) == [
        ("Alice", "available", None, -110, 2), ("Alice", "not_ready", "ringing", 2, 6),
        ("Alice", "not_ready", "ringing", 6, 8), ("Alice", "handling", None, 8, 188),
        ("Alice", "available", None, 188, 540), ("Alice", "not_ready", "lunch", 540, 840),
        ("Alice", "available", None, 840, 1440)]


def test_report_on_imported_log(tmp_path: Path) -> None:
    import_queue_log([FIXTURES / "queue_log"], tmp_path)
    row = omnikpi.report_result(tmp_path, metrics=["received", "offered", "answered",
                                                   "abandoned", "service_level"]).rows[0]
    # 6 visits, 1 blocked; 3 answered; the 3 s abandon is short; the timeout stays in SL:
    # SL = 3 on time / (5 offered − 1 short) = 0.75
    assert row == {"received": 6, "offered": 5, "answered": 3, "abandoned": 1,
                   "service_level": 0.75}


@pytest.mark.parametrize("fixture", ["queue_log_realtime.csv", "queue_log_old_data.csv"])
def test_realtime_exports(tmp_path: Path, fixture: str) -> None:
    tz = "Europe/Kyiv" if fixture == "queue_log_realtime.csv" else "UTC"
    import_queue_log([FIXTURES / fixture], tmp_path, tz=tz)
    first = contacts(tmp_path)["1709632855.1@sales"]
    assert (seconds(first["arrived_at"]), seconds(first["ended_at"])) == (T0, T0 + 188)
    if fixture == "queue_log_realtime.csv":  # ATTENDEDTRANSFER LINK: 6 data fields
        assert contacts(tmp_path)["1709633190.4@support"]["outcome"] == "attendedtransfer"


def test_reimport_adds_nothing_and_growth_adds_only_new(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    lines = (FIXTURES / "queue_log").read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:9]))  # up to the middle of call .3 (ENTERQUEUE only)
    out = tmp_path / "out"
    import_queue_log([log], out)
    assert set(contacts(out)) == {"1709632855.1@sales"}
    again = import_queue_log([log], out)
    assert again.lines == 0 and len(contacts(out)) == 1
    log.write_text("".join(lines))  # the log grew: the open visit .3 is finished now
    grown = import_queue_log([log], out)
    assert grown.lines == 17 and len(contacts(out)) == 6
    assert contacts(out)["1709633099.3@sales"]["abandoned_at"] is not None


@pytest.mark.parametrize(("end", "start"), [(9, 6), (12, 8), (16, 10), (20, 1), (12, 0)])
def test_overlapping_exports_add_each_call_once(tmp_path: Path, end: int, start: int) -> None:
    """Exports of the realtime table that overlap (``WHERE time >= last_seen`` repeats
    the last second; a day exported again repeats hours): the second export's lines that
    the first already applied are rejected as already imported — the repeated
    ENTERQUEUE of a call still waiting used to close it as lost and open a phantom visit
    ``…#2``. The contacts are those of one import of the whole log."""
    lines = (FIXTURES / "queue_log").read_text().splitlines(keepends=True)
    (tmp_path / "export-1").write_text("".join(lines[:end]))
    (tmp_path / "export-2").write_text("".join(lines[start:]))
    out = tmp_path / "out"
    import_queue_log([tmp_path / "export-1"], out)
    second = import_queue_log([tmp_path / "export-2"], out)
    import_queue_log([FIXTURES / "queue_log"], tmp_path / "whole")
    assert contacts(out) == contacts(tmp_path / "whole")
    assert second.lost_visits == 0 and second.accounted == second.lines
    if start > 0:  # (a file starting as the first one did is read on from where it ended)
        assert second.rejected["line already imported"] >= 1


@pytest.mark.parametrize("compressed", [False, True])
def test_lines_written_just_before_a_rotation_are_read_from_the_rotated_copy(
        tmp_path: Path, compressed: bool) -> None:
    """A daily import (or ``--follow``) of ``/var/log/asterisk/queue_log``: after the last
    import the PBX wrote a few more lines, then logrotate renamed the file to
    ``queue_log.1`` (``.1.gz`` with compression) and a new one began. Importing the path
    again reads the rest of the rotated copy, then the new file: every call is complete
    (the rest of the old file was never read, and its calls ended as lost)."""
    lines = (FIXTURES / "queue_log").read_text().splitlines(keepends=True)
    folder = tmp_path / "asterisk"
    folder.mkdir()
    log = folder / "queue_log"
    log.write_text("".join(lines[:9]))
    out = tmp_path / "out"
    import_queue_log([log], out)
    log.write_text("".join(lines[:14]))  # written after that import, before the rotation
    if compressed:
        with gzip.open(folder / "queue_log.1.gz", "wt") as rotated:
            rotated.write(log.read_text())
        log.unlink()
    else:
        log.rename(folder / "queue_log.1")
    log.write_text("".join(lines[14:]))
    after = import_queue_log([log], out)
    assert after.lines == len(lines) - 9 and after.lost_visits == 0
    assert any(name.endswith((".1", ".1.gz")) for name in after.files)
    import_queue_log([FIXTURES / "queue_log"], tmp_path / "whole")
    assert contacts(out) == contacts(tmp_path / "whole")


def test_a_long_log_remembers_only_the_recent_calls(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A day of calls, one every 10 minutes, read in one import: the calls more than 4 h
    old are forgotten while reading (every FORGET_EVERY events), not only at the end, so a
    month read at once holds hours of calls in memory; the contacts are the same."""
    from omnikpi.connectors import queue_log_visits

    lines = []
    for n in range(144):
        at, call = T0 + n * 600, f"{T0 + n * 600}.{n}"
        lines += [f"{at}|{call}|sales|NONE|ENTERQUEUE||38050{n:07d}|1\n",
                  f"{at + 5}|{call}|sales|Alice|CONNECT|5|{call}.1|2\n",
                  f"{at + 65}|{call}|sales|Alice|COMPLETECALLER|5|60|1\n"]
    (tmp_path / "queue_log").write_text("".join(lines))
    import_queue_log([tmp_path / "queue_log"], tmp_path / "kept")
    monkeypatch.setattr(queue_log_visits, "FORGET_EVERY", 30)
    held: list[int] = []
    forget = queue_log_visits.VisitMachine._forget_old_calls

    def counting(machine: queue_log_visits.VisitMachine, now: float) -> None:
        forget(machine, now)
        held.append(len(machine.state.calls))
    monkeypatch.setattr(queue_log_visits.VisitMachine, "_forget_old_calls", counting)
    import_queue_log([tmp_path / "queue_log"], tmp_path / "forgetting")
    assert contacts(tmp_path / "forgetting") == contacts(tmp_path / "kept")
    assert len(contacts(tmp_path / "kept")) == 144
    # 4 h of calls every 10 min: at most 25 remembered (more were read by then)
    assert len(held) > 5 and max(held) <= 25


def test_rotated_folder_stitches_a_call_across_files(tmp_path: Path) -> None:
    lines = (FIXTURES / "queue_log").read_text().splitlines(keepends=True)
    folder = tmp_path / "logs"
    folder.mkdir()
    with gzip.open(folder / "queue_log.2.gz", "wt") as old:
        old.write("".join(lines[:6]))       # ENTERQUEUE of call .1 and its ring
    (folder / "queue_log.1").write_text("".join(lines[6:12]))
    (folder / "queue_log").write_text("".join(lines[12:]))
    import_queue_log([folder], tmp_path / "out")
    stitched = contacts(tmp_path / "out")["1709632855.1@sales"]
    assert seconds(stitched["accepted_at"]) == T0 + 8 and len(contacts(tmp_path / "out")) == 6


def test_interrupted_write_leaves_the_previous_dataset(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    log = tmp_path / "queue_log"
    lines = (FIXTURES / "queue_log").read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:9]))
    import_queue_log([log], out)
    before = sorted(p.name for p in (out / "contacts").iterdir())
    log.write_text("".join(lines))

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("pyarrow.parquet.write_table", crash)
    with pytest.raises(KeyboardInterrupt):
        import_queue_log([log], out)
    assert sorted(p.name for p in (out / "contacts").iterdir()) == before
    assert len(contacts(out)) == 1  # the previous dataset, untouched
    monkeypatch.undo()
    import_queue_log([log], out)
    assert len(contacts(out)) == 6  # the retry adds everything once (keys de-duplicated)


def test_cli_import_prints_a_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log",
                                      str(FIXTURES / "queue_log"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "26 new line(s)" in result.output and "6 contact(s)" in result.output
    bad = CliRunner().invoke(app, ["import", "nonsense", str(FIXTURES / "queue_log"),
                                   "--out", str(tmp_path)])
    assert bad.exit_code == 2


field = st.text(alphabet=st.characters(blacklist_characters="|\n\r"), max_size=12)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.one_of(field, st.sampled_from(sorted(KNOWN)),
                                st.integers(0, 2_000_000_000).map(str)), max_size=9),
       cut=st.integers(0, 80))
def test_fuzzed_lines_never_crash(parts: list[str], cut: int) -> None:
    text = "|".join(parts)[: cut or None]
    parsed = parse_flat(text, "fuzz", 1)
    machine = VisitMachine()
    if isinstance(parsed, Event):
        machine.feed(parsed)  # an event is either used or rejected with a reason
        machine.flush_states()
    else:
        assert parsed.reason


def test_fuzzed_file_accounts_for_every_line(tmp_path: Path) -> None:
    lines = (FIXTURES / "queue_log").read_bytes().splitlines(keepends=True)
    noisy = b"".join(lines[:10]) + b"\xff\xfe garbage\n" + b"|||\n" + b"".join(lines[10:])
    log = tmp_path / "queue_log"
    log.write_bytes(noisy)
    summary = import_queue_log([log], tmp_path / "out")
    rejects = (tmp_path / "out" / "rejects.csv").read_text().splitlines()[1:]
    assert summary.lines == len(lines) + 2
    assert len(rejects) == 5 and any("UTF-8" in r for r in rejects)
    shutil.rmtree(tmp_path / "out")


def test_a_callers_name_not_in_utf8_costs_nothing(tmp_path: Path) -> None:
    """An older PBX wrote a caller's name in latin-1 (M\xfcller): the ENTERQUEUE was
    rejected as not UTF-8, and with it the call (its CONNECT and end followed nothing).
    The line is read with U+FFFD in the name: the call is answered, and counted."""
    log = tmp_path / "queue_log"
    log.write_bytes(b"1709632860|1709632855.1|sales|NONE|ENTERQUEUE||380501112233|1|"
                    b"M\xfcller\n"
                    b"1709632868|1709632855.1|sales|Alice|CONNECT|8|1709632860.2|5\n"
                    b"1709633048|1709632855.1|sales|Alice|COMPLETECALLER|8|180|1\n")
    summary = import_queue_log([log], tmp_path / "out")
    assert (summary.not_utf8, summary.contact_events, dict(summary.rejected)) == (1, 3, {})
    call = contacts(tmp_path / "out")["1709632855.1@sales"]
    assert call["customer_id"] == "380501112233" and call["agent_id"] == "Alice"
    assert seconds(call["accepted_at"]) == T0 + 8


def test_every_other_event(tmp_path: Path) -> None:
    summary = import_queue_log([FIXTURES / "queue_log_more_events"], tmp_path)
    rows = contacts(tmp_path)
    outcome = {k: (r["outcome"], r["blocked"], r["accepted_at"] is not None,
                   r["ended_at"] is not None, r["abandoned_at"] is not None)
               for k, r in rows.items()}
    # exits leave the queue unanswered and are not abandons; they carry their exit time
    for call, event in (("c1", "exitempty"), ("c2", "exitwithkey"), ("c3", "withdraw"),
                        ("c11", "leaveempty")):
        assert outcome[f"{call}@billing"] == (event, False, False, True, False)
    # Asterisk writes both before CONNECT (app_queue.c, try_calling): AGENTDUMP, the
    # member hung up on the announcement, leaves the caller waiting (answered at 68 by a
    # second ring); SYSCOMPAT drops the call unbridged: ended, not answered, no abandon
    # (an answered call after an AGENTDUMP was lost, with its agent's handling time)
    assert outcome["c4@billing"] == ("completeagent", False, True, True, False)
    assert seconds(rows["c4@billing"]["accepted_at"]) == 1709640068
    assert outcome["c5@billing"] == ("syscompat", False, False, True, False)
    assert outcome["c6@billing"][:4] == ("transfer", False, True, True)
    assert rows["c6@billing"]["transferred"] is True
    # Wazo's admission refusals are blocked contacts without ENTERQUEUE
    for call, event in (("c7", "joinempty"), ("c8", "closed"), ("c9", "divert_ca_ratio"),
                        ("c10", "divert_holdtime")):
        assert outcome[f"{call}@billing"][:2] == (event, True)
    # a second ENTERQUEUE is a new visit; QUEUESTART closes open visits as lost
    assert outcome["c12@billing"][0] == "lost" and "c12@billing#2" in rows
    assert outcome["c12@billing#2"][0] == "lost" and outcome["c14@billing"][0] == "lost"
    assert summary.lost_visits == 3
    assert summary.rejected == {"CONNECT without ENTERQUEUE": 1}
    # Queue() writes ABANDON after every unbridged call, the dropped one too (app_queue.c,
    # queue_exec's stop): the system's drop stays one, that line ignored by its name
    assert summary.ignored["ABANDON after SYSCOMPAT"] == 1
    report = omnikpi.report_result(tmp_path, metrics=["received", "offered", "answered",
                                                      "abandoned"]).rows[0]
    # 14 visits: c1–c6, c11, c12 twice, c14 and the 4 blocked ones
    assert report == {"received": 14, "offered": 10, "answered": 2, "abandoned": 0}


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_realtime_exports_in_other_dialects(tmp_path: Path, delimiter: str) -> None:
    """MySQL ``SELECT … INTO OUTFILE`` writes tabs; spreadsheets write ``;``; ``time`` may
    be an epoch. The last row of a finished export needs no end of line."""
    rows = [["id", "time", "callid", "queuename", "agent", "event", "data1", "data2",
             "data3", "data4", "data5"],
            ["7", "1709632860", "1709632855.1", "sales", "NONE", "ENTERQUEUE", "",
             "380501112233", "1", "", ""],
            ["8", "1709632868", "1709632855.1", "sales", "Alice", "CONNECT", "8",
             "1709632866.2", "2", "", ""],
            ["9", "1709633048", "1709632855.1", "sales", "Alice", "COMPLETECALLER", "8",
             "180", "1", "", ""]]
    export = tmp_path / "queue_log.txt"
    export.write_text("\n".join(delimiter.join(r) for r in rows))
    summary = import_queue_log([export], tmp_path / "out")
    first = contacts(tmp_path / "out")["1709632855.1@sales"]
    assert (seconds(first["arrived_at"]), seconds(first["accepted_at"]),
            seconds(first["ended_at"])) == (T0, T0 + 8, T0 + 188)
    assert summary.lines == 3 and summary.accounted == 3 and summary.waiting == []


def test_a_table_with_both_data_forms_reads_the_filled_one(tmp_path: Path) -> None:
    """The realtime table often has ``data`` and ``data1``…``data5`` both, and Asterisk
    fills one form only (``data``, pipe-joined, unless ``queue_adaptive_realtime``): the
    numbered columns were read, empty, and the pause lost its reason, the caller their
    number, the call its wait. Each row reads the form it filled."""
    header = "id,time,callid,queuename,agent,event,data,data1,data2,data3,data4,data5"
    lines = [header,
             "1,1709632800,NONE,sales,Carol,ADDMEMBER,,,,,,",
             "2,1709632810,NONE,sales,Carol,PAUSE,Lunch,,,,,",
             "3,1709632850,NONE,sales,Carol,UNPAUSE,,,,,,",
             "4,1709632860,g1,sales,NONE,ENTERQUEUE,|380501112233|1,,,,,",
             "5,1709632870,g1,sales,Carol,CONNECT,10|g1b|2,,,,,",
             "6,1709632930,g1,sales,Carol,COMPLETECALLER,10|60|1,,,,,",
             # a row of the adaptive form beside them (the setting changed mid-export)
             "7,1709632940,g2,sales,NONE,ENTERQUEUE,,,380509998877,1,,",
             "8,1709632945,g2,sales,NONE,ABANDON,,1,1,5,,"]
    export = tmp_path / "queue_log.csv"
    export.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    summary = import_queue_log([export], out)
    assert summary.accounted == summary.lines == 8 and not summary.rejected
    rows = contacts(out)
    assert (rows["g1@sales"]["customer_id"], rows["g2@sales"]["customer_id"]) == (
        "380501112233", "380509998877")
    states = pq.read_table(out / "agent_states").to_pylist()
    assert [(s["state"], s["reason"]) for s in states if s["state"] == "not_ready"] == [
        ("not_ready", "Lunch"), ("not_ready", "ringing")]  # CONNECT's 2 s of ringing
    row = omnikpi.report_result(out, metrics=["asa", "abandoned"]).rows[0]
    assert row == {"asa": 10.0, "abandoned": 1}


CALL_ROWS = [["1709632800", "NONE", "sales", "Carol", "ADDMEMBER", "", "", "", "", ""],
             ["1709632860", "g1", "sales", "NONE", "ENTERQUEUE", "", "0501112233", "1", "",
              ""],
             ["1709632870", "g1", "sales", "Carol", "CONNECT", "10", "g1b", "2", "", ""],
             ["1709632930", "g1", "sales", "Carol", "COMPLETECALLER", "10", "60", "1", "",
              ""]]


@pytest.mark.parametrize(("name", "lines"), [
    # mysql INTO OUTFILE and psql COPY … TO write no header: the table's column order
    ("outfile.tsv", ["\t".join(r) for r in CALL_ROWS]),
    ("with-id.csv", [",".join([str(i), *r]) for i, r in enumerate(CALL_ROWS, 1)]),
    ("pipe-joined.tsv", ["\t".join([*r[:5], "|".join(r[5:8])]) for r in CALL_ROWS]),
    # Asterisk's own table has both forms: data (pipe-joined) and data1…data5, empty here
    ("both-forms.tsv", ["\t".join([str(i), *r[:5], "|".join(r[5:8]), "", "", "", "", ""])
                        for i, r in enumerate(CALL_ROWS, 1)]),
    # QueueMetrics' own table: time_id, call_id, verb, and a partition before them
    ("queuemetrics.csv", ["partition,time_id,call_id,queue,agent,verb,data1,data2,data3,"
                          "data4,data5,serverid,unique_row_count"]
     + [",".join(["P001", *r, "", str(i)]) for i, r in enumerate(CALL_ROWS, 1)]),
])
def test_database_exports_without_the_asterisk_header(tmp_path: Path, name: str,
                                                      lines: list[str]) -> None:
    """Every line was rejected as "fewer than 5 fields" and the import said it had
    finished: a table's export without a header, or with QueueMetrics' column names, is
    read by its columns' places or names."""
    export = tmp_path / name
    export.write_text("\n".join(lines) + "\n")
    summary = import_queue_log([export], tmp_path / "out")
    assert summary.rejected == {} and summary.accounted == summary.lines == 4
    call = contacts(tmp_path / "out")["g1@sales"]
    assert (seconds(call["arrived_at"]), seconds(call["accepted_at"]), seconds(
        call["ended_at"]), call["customer_id"]) == (T0, T0 + 10, T0 + 70, "0501112233")


@pytest.mark.parametrize("together", [True, False])
def test_the_flat_file_and_the_table_of_the_same_events_count_once(
        tmp_path: Path, together: bool) -> None:
    """``queue_log_to_file = yes`` writes every event to the file and to the table: the
    table's times carry microseconds and its data five columns, so no line equalled its
    copy, and every call was counted twice (23 offered for 11, the copies closed as
    lost). A line equal to another of the same second, trailing empty fields aside, is
    the same event."""
    flat = [f"{T0}|NONE|sales|Carol|ADDMEMBER|",
            f"{T0 + 60}|g1|sales|NONE|ENTERQUEUE||0501|1",
            f"{T0 + 70}|g1|sales|Carol|CONNECT|10|g1b|2",
            f"{T0 + 130}|g1|sales|Carol|COMPLETECALLER|10|60|1",
            f"{T0 + 200}|g2|sales|NONE|ENTERQUEUE||0502|1",
            f"{T0 + 230}|g2|sales|NONE|ABANDON|1|1|30"]
    (tmp_path / "queue_log").write_text("\n".join(flat) + "\n")
    table = ["time,callid,queuename,agent,event,data1,data2,data3,data4,data5"]
    for i, line in enumerate(flat):
        epoch, callid, queue, agent, event, *data = line.split("|")
        data = (data + [""] * 5)[:5]
        table.append(",".join([f"{int(epoch)}.{(137 * (i + 1)) % 1000:03d}412", callid,
                               queue, agent, event, *data]))
    (tmp_path / "queue_log.csv").write_text("\n".join(table) + "\n")
    alone = tmp_path / "alone"
    import_queue_log([tmp_path / "queue_log"], alone)
    both = tmp_path / "both"
    if together:
        summary = import_queue_log([tmp_path / "queue_log", tmp_path / "queue_log.csv"], both)
        assert summary.rejected == {"duplicate line": 6}
    else:
        import_queue_log([tmp_path / "queue_log"], both)
        again = import_queue_log([tmp_path / "queue_log.csv"], both)
        assert sum(again.rejected.values()) == 6 and again.contact_events == 0
    metrics = ["offered", "answered", "abandoned", "aht", "occupancy"]
    assert omnikpi.report_result(both, metrics=metrics).rows == \
        omnikpi.report_result(alone, metrics=metrics).rows
    assert len(contacts(both)) == 2


def test_local_times_read_as_utc_say_so(tmp_path: Path) -> None:
    """A database export whose times carry no offset (MySQL's DATETIME: the server's
    clock) was read as UTC without a word: every call two hours off in Kyiv, and beside
    a flat file of epochs the two did not line up. The summary says how they were read."""
    export = tmp_path / "queue_log.csv"
    export.write_text("time,callid,queuename,agent,event,data1,data2,data3\n"
                      "2024-03-05 12:01:00,g1,sales,NONE,ENTERQUEUE,,0501,1\n"
                      "1709640070,g1,sales,Carol,CONNECT,10,g1b,2\n")

    def said(*option: str) -> str:
        result = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(export),
                                          "--out", str(tmp_path / "-".join(option or ("utc",))),
                                          *option])
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())

    assert ("1 line(s) have a local time without an offset: read as UTC, as no --tz was "
            "given") in said()
    assert "without an offset" not in said("--tz", "Europe/Kyiv")


def test_a_file_with_no_queue_log_line_stops_the_import(tmp_path: Path) -> None:
    """A file none of whose lines is a queue_log line (another export, a header this
    reader does not know) was "imported" with exit 0 and marked read: its lines would
    never be read again once the import learned the format. Now it stops (exit 3), writes
    nothing, and says what a line should look like."""
    export = tmp_path / "export.csv"
    export.write_text("moment;call;line\n2024-03-05 10:00;g1;sales\n")
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(export),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    said = " ".join(result.output.split())
    assert "none of the 2 lines read is a queue_log line" in said
    assert "export.csv line 1" in said and "time, callid, queuename, agent, event" in said
    assert not (tmp_path / "out" / "contacts").exists()
    # one good line among them is an import as before: the others are rejected by name
    export.write_text("moment;call;line\n1709632860|g1|sales|NONE|ENTERQUEUE||0501|1\n")
    summary = import_queue_log([export], tmp_path / "out")
    assert summary.rejected == {"fewer than 5 fields": 1} and summary.open_visits == 1
    # a log read before whose new lines are all broken (a crash's NUL padding): rejected
    # by name, as any broken line; refused, it stopped every later import and --follow
    with export.open("ab") as log:
        log.write(b"\x00\x00\x00\x00\n")
    after = import_queue_log([export], tmp_path / "out")
    assert after.lines == 1 and after.rejected == {"NUL byte in the line": 1}
    one = tmp_path / "one.csv"
    one.write_text("moment;call;line\n")
    refused = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(one),
                                       "--out", str(tmp_path / "one")])
    assert refused.exit_code == 3 and "the only line read is not a queue_log line" in \
        " ".join(refused.output.split())


@pytest.mark.parametrize("null", ["NULL", "\\N"], ids=["mysql -B", "INTO OUTFILE"])
def test_a_database_export_s_null_cells_are_empty_fields(tmp_path: Path, null: str) -> None:
    """``mysql -B`` writes a NULL cell as ``NULL``, ``INTO OUTFILE`` as ``\\N``: a pause
    without a reason had the reason "NULL", and an anonymous caller was the customer
    "NULL" (every such caller a repeat of the others in FCR)."""
    header = "time\tcallid\tqueuename\tagent\tevent\tdata1\tdata2\tdata3\tdata4\tdata5"
    n = null
    lines = [header,
             f"1709632800\tNONE\tsales\tCarol\tADDMEMBER\t{n}\t{n}\t{n}\t{n}\t{n}",
             f"1709632860\tg1\tsales\tNONE\tENTERQUEUE\t{n}\t{n}\t1\t{n}\t{n}",
             f"1709632870\tg1\tsales\tCarol\tCONNECT\t10\tg1b\t2\t{n}\t{n}",
             f"1709632930\tg1\tsales\tCarol\tCOMPLETECALLER\t10\t60\t1\t{n}\t{n}",
             f"1709632980\tNONE\tsales\tCarol\tPAUSE\t{n}\t{n}\t{n}\t{n}\t{n}",
             f"1709633100\tNONE\tsales\tCarol\tUNPAUSE\t{n}\t{n}\t{n}\t{n}\t{n}"]
    export = tmp_path / "queue_log.tsv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = import_queue_log([export], tmp_path / "out")
    assert summary.rejected == {}
    assert contacts(tmp_path / "out")["g1@sales"]["customer_id"] is None
    paused = [r for r in pq.read_table(tmp_path / "out" / "agent_states").to_pylist()
              if r["state"] == "not_ready"]
    # the 2 s CONNECT says Carol's phone rang, then the pause without a reason
    assert [(r["reason"], seconds(r["end"]) - seconds(r["start"])) for r in paused] == [
        ("ringing", 2), ("unspecified", 120)]


@pytest.mark.parametrize("withheld", ["anonymous", "Anonymous", "unknown", "Restricted",
                                      "<unknown>", "private"])
def test_a_withheld_number_is_no_customer(tmp_path: Path, withheld: str) -> None:
    """Three callers who hid their number (SIP privacy gives ``anonymous``) were one
    customer calling three times: FCR 1/3 and a repeat rate of 2/3 for three first calls."""
    log = tmp_path / "queue_log"
    calls = [f"{1700470900 + 600 * i}|w{i}|sales|NONE|ENTERQUEUE||{withheld}|1\n"
             f"{1700470910 + 600 * i}|w{i}|sales|Dave|CONNECT|10|x|2\n"
             f"{1700470970 + 600 * i}|w{i}|sales|Dave|COMPLETECALLER|10|60|1\n"
             for i in range(3)]
    log.write_text("1700470800|NONE|sales|Dave|ADDMEMBER|\n" + "".join(calls))
    import_queue_log([log], tmp_path / "out")
    assert {r["customer_id"] for r in contacts(tmp_path / "out").values()} == {None}
    row = omnikpi.report_result(tmp_path / "out", metrics=["fcr", "repeat_rate"],
                                as_of="2023-12-30T00:00:00Z").rows[0]
    assert row == {"fcr": None, "repeat_rate": None}


@pytest.mark.parametrize(("hours", "option"), [(4, []), (1, ["--open-visit-hours", "1"])])
def test_a_visit_without_a_line_for_hours_times_out(tmp_path: Path, hours: int,
                                                    option: list[str]) -> None:
    """A call whose closing line never came (a log cut by a crash or a rotation, an old
    Asterisk's dangling ENTERQUEUE) stayed open forever, its agent handling it for days:
    occupancy 0.999. The spec (§ pitfalls 11): open visits time out, reported, never
    counted as abandoned. After ``--open-visit-hours`` (4) without a line the visit is
    closed as lost and its agent's call ends then: the bound is all the handling it gets."""
    t0, day = 1700470800, 86_400
    log = tmp_path / "queue_log"
    log.write_text("\n".join([
        f"{t0}|NONE|sales|Dave|ADDMEMBER|",
        f"{t0 + 100}|a|sales|NONE|ENTERQUEUE||0501|1",
        f"{t0 + 110}|a|sales|Dave|CONNECT|10|a2|1",        # … and no end ever
        f"{t0 + 200}|c|sales|NONE|ENTERQUEUE||0503|1",       # nothing after it
        f"{t0 + 3 * day}|b|sales|NONE|ENTERQUEUE||0502|1",
        f"{t0 + 3 * day + 10}|b|sales|Dave|CONNECT|10|b2|1",
        f"{t0 + 3 * day + 70}|b|sales|Dave|COMPLETECALLER|10|60|1"]) + "\n")
    if hours == 4:  # a line of the visit moves its time-out: a ring 3 h after arrival,
        # the caller gone 5 h after it (2 h after the ring) is an abandon, not lost
        log.write_text(log.read_text() + "\n".join([
            f"{t0 + 4 * day}|d|sales|NONE|ENTERQUEUE||0504|1",
            f"{t0 + 4 * day + 3 * 3600}|d|sales|Dave|RINGNOANSWER|15000",
            f"{t0 + 4 * day + 5 * 3600}|d|sales|NONE|ABANDON|1|1|18000"]) + "\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(log), "--out",
                                      str(out), *option])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"2 visit(s) closed as lost (2 without a line for {hours} hour(s))" in said, said
    if hours == 4:
        assert contacts(out)["d@sales"]["outcome"] == "abandon"
    rows = contacts(out)
    assert (rows["a@sales"]["outcome"], rows["c@sales"]["outcome"]) == ("lost", "lost")
    assert rows["c@sales"]["abandoned_at"] is None and rows["c@sales"]["accepted_at"] is None
    handling = sum(seconds(s["end"]) - seconds(s["start"])  # type: ignore[operator]
                   for s in pq.read_table(out / "agent_states").to_pylist()
                   if s["state"] == "handling")
    assert handling == hours * 3600 + 60
    report = omnikpi.report_result(out, metrics=["offered", "answered"]).rows
    assert report == [{"offered": 3 + (hours == 4), "answered": 2}]


@pytest.mark.parametrize("hours", ["0", "-1", "169", "nan", "inf"])
def test_an_open_visit_bound_out_of_range_is_refused_before_anything_is_written(
        tmp_path: Path, hours: str) -> None:
    """A zero or negative bound would close every call at its own arrival, NaN none ever:
    a usage error naming the range, and no folder left behind."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log",
                                      str(FIXTURES / "queue_log_wazo.csv"), "--out", str(out),
                                      "--open-visit-hours", hours])
    assert result.exit_code == 2, result.output
    assert "--open-visit-hours must be more than 0 and at most 168 (a week)" in \
        " ".join(result.output.split())
    assert not out.exists()


@pytest.mark.parametrize(("cut", "target"), [(None, "sales"), (3, "sales"),
                                             (None, "support"), (3, "support")])
def test_a_blind_transfer_written_after_its_leg_entered_the_next_queue_is_its_parent(
        tmp_path: Path, cut: int | None, target: str) -> None:
    """Asterisk writes BLINDTRANSFER when the bridge ends, after the caller entered the
    target queue, here a second later: the sales visit had no parent, and FCR counted a
    second question of a caller who asked one. Also when the two lines come in two
    imports, and when the transfer is back into the same queue (the second ENTERQUEUE
    made the talking visit lost, and its transfer, the leg's answer and its end were
    rejected)."""
    leg = "1700035000.8@sales" if target == "sales" else "1700035000.8@support#2"
    lines = [
        "1700036000|1700035000.8|support|NONE|ENTERQUEUE||5551008|1",
        "1700036005|1700035000.8|support|PJSIP/1001|CONNECT|5|1700035805.9|3",
        f"1700036065|1700035000.8|{target}|NONE|ENTERQUEUE||5551008|1",
        f"1700036066|1700035000.8|support|PJSIP/1001|BLINDTRANSFER|{target}|from-internal|"
        "5|61|1",
        f"1700036080|1700035000.8|{target}|PJSIP/2001|CONNECT|15|1700035880.11|2",
        f"1700036180|1700035000.8|{target}|PJSIP/2001|COMPLETEAGENT|15|100|1"]
    log, out = tmp_path / "queue_log", tmp_path / "out"
    for part in ([lines] if cut is None else [lines[:cut], lines]):
        log.write_text("\n".join(part) + "\n")
        summary = import_queue_log([log], out)
        assert not summary.rejected, summary.rejected
    rows = contacts(out)
    assert set(rows) == {"1700035000.8@support", leg}
    assert rows[leg]["parent_id"] == "1700035000.8@support"
    assert (rows[leg]["outcome"], rows[leg]["agent_id"]) == ("completeagent", "PJSIP/2001")
    first = rows["1700035000.8@support"]
    assert (first["parent_id"], first["outcome"], first["agent_id"]) == (
        None, "blindtransfer", "PJSIP/1001")
    assert seconds(first["ended_at"]) == 1700036066
    report = omnikpi.report_result(out, metrics=["fcr"], as_of="2023-11-30T00:00:00Z")
    # one question, transferred (not resolved at first contact); its leg is no question:
    # read as one, sales answered a second question at first contact and FCR was 0.5
    assert report.rows == [{"fcr": 0.0}]


def test_a_call_id_seen_again_a_day_later_is_another_call(tmp_path: Path) -> None:
    """Two PBXs' logs merged: ``.42`` and ``.43`` come back a day later for other callers.
    Linked to the day before, 0799 was a transfer leg of 0701 and 0798 the second visit of
    0702's transferred call: FCR read 0.0 for 3 of 4 questions resolved."""
    day = 86_400
    log = tmp_path / "queue_log"
    log.write_text("\n".join([
        "1700470800|NONE|sales|Dave|ADDMEMBER|", "1700470800|NONE|support|Dave|ADDMEMBER|",
        "1700470900|A.42|sales|NONE|ENTERQUEUE||0701|1",
        "1700470910|A.42|sales|Dave|CONNECT|10|x|2",
        "1700470970|A.42|sales|Dave|COMPLETECALLER|10|60|1",
        "1700471000|A.43|sales|NONE|ENTERQUEUE||0702|1",
        "1700471010|A.43|sales|Dave|CONNECT|10|x|2",
        "1700471070|A.43|sales|Dave|BLINDTRANSFER|200|from-internal|10|60|1",
        f"{1700470900 + day}|A.42|support|NONE|ENTERQUEUE||0799|1",
        f"{1700470910 + day}|A.42|support|Dave|CONNECT|10|x|2",
        f"{1700470970 + day}|A.42|support|Dave|COMPLETECALLER|10|60|1",
        f"{1700471000 + day}|A.43|sales|NONE|ENTERQUEUE||0798|1",
        f"{1700471010 + day}|A.43|sales|Dave|CONNECT|10|x|2",
        f"{1700471070 + day}|A.43|sales|Dave|COMPLETECALLER|10|60|1"]) + "\n")
    import_queue_log([log], tmp_path / "out")
    rows = contacts(tmp_path / "out")
    assert rows["A.42@support"]["parent_id"] is None
    assert rows["A.43@sales#2"]["parent_id"] is None
    fcr = omnikpi.report_result(tmp_path / "out", metrics=["fcr"], as_of="2023-11-23T00:00:00Z",
                                params={"window_hours": 1}).rows[0]["fcr"]
    assert fcr == 0.75  # 0701, 0799 and 0798 resolved; 0702 transferred


def test_an_agent_pool_login_by_bare_id_is_the_agent_of_the_calls(tmp_path: Path) -> None:
    """Asterisk 12+ (app_agent_pool) writes AGENTLOGIN/AGENTLOGOFF as ``1001`` and the
    calls as the member ``Agent/1001``: two agents, the login available 30 minutes and
    the member logged in by its call until the file ended, occupancy 0.038 for 0.111
    (200 s handling over 1,800 s logged in less the CONNECT's 4 s ring)."""
    log = tmp_path / "queue_log"
    log.write_text("\n".join([
        "1700816400|1700816400.11|NONE|1001|AGENTLOGIN|PJSIP/1001-00000005",
        "1700816500|l1|support|NONE|ENTERQUEUE||0911|1",
        "1700816510|l1|support|Agent/1001|CONNECT|10|1700816500.13|4",
        "1700816710|l1|support|Agent/1001|COMPLETECALLER|10|200|1",
        "1700818200|1700816400.11|NONE|1001|AGENTLOGOFF|PJSIP/1001-00000005|1800",
        "1700820000|l2|support|NONE|ENTERQUEUE||0912|1",
        "1700820030|l2|support|NONE|ABANDON|1|1|30"]) + "\n")
    import_queue_log([log], tmp_path / "out")
    assert contacts(tmp_path / "out")["l1@support"]["agent_id"] == "1001"
    states = pq.read_table(tmp_path / "out" / "agent_states").to_pylist()
    assert {r["agent_id"] for r in states} == {"1001"}
    occupancy = omnikpi.report_result(tmp_path / "out", metrics=["occupancy"]).rows[0]
    assert occupancy["occupancy"] == pytest.approx(200 / 1796)


def test_a_member_named_like_an_agent_s_id_stays_another_person(tmp_path: Path) -> None:
    """Without a login line pairing them, ``Agent/1001`` (taking calls) and a static
    member named ``1001`` (pausing) are two people: only app_agent_pool's AGENTLOGIN by
    bare id says they are one."""
    log = tmp_path / "queue_log"
    log.write_text("\n".join([
        "1700816400|NONE|support|1001|PAUSE|Lunch",
        "1700816500|l1|support|NONE|ENTERQUEUE||0911|1",
        "1700816510|l1|support|Agent/1001|CONNECT|10|1700816500.13|4",
        "1700816710|l1|support|Agent/1001|COMPLETECALLER|10|200|1",
        "1700818200|NONE|support|1001|UNPAUSE|"]) + "\n")
    import_queue_log([log], tmp_path / "out")
    states = pq.read_table(tmp_path / "out" / "agent_states").to_pylist()
    assert {r["agent_id"] for r in states} == {"1001", "Agent/1001"}


def test_a_queue_joined_after_a_pauseall_is_joined_unpaused(tmp_path: Path) -> None:
    """Hana pauses everywhere at 09:10 (sales, support), leaves support at 09:15 and joins
    billing unpaused at 09:20, taking a call there at 09:25. The PAUSEALL held for billing
    too: not_ready 1,140 s, through the call, for 600 s (until she joined billing)."""
    log = tmp_path / "queue_log"
    log.write_text("\n".join([
        "1700989200|MANAGER|sales|Hana|ADDMEMBER|", "1700989200|MANAGER|support|Hana|ADDMEMBER|",
        "1700989800|NONE|NONE|Hana|PAUSEALL|Training",
        "1700989800|NONE|sales|Hana|PAUSE|Training",
        "1700989800|NONE|support|Hana|PAUSE|Training",
        "1700990100|MANAGER|support|Hana|REMOVEMEMBER|",
        "1700990400|MANAGER|billing|Hana|ADDMEMBER|",
        "1700990700|n1|billing|NONE|ENTERQUEUE||0931|1",
        "1700990705|n1|billing|Hana|CONNECT|5|n1b|2",
        "1700990765|n1|billing|Hana|COMPLETEAGENT|5|60|1",
        "1700991000|NONE|NONE|Hana|UNPAUSEALL|", "1700991000|NONE|sales|Hana|UNPAUSE|",
        "1700991600|MANAGER|sales|Hana|REMOVEMEMBER|",
        "1700991600|MANAGER|billing|Hana|REMOVEMEMBER|"]) + "\n")
    import_queue_log([log], tmp_path / "out")
    spent: dict[str, float] = {}
    for r in pq.read_table(tmp_path / "out" / "agent_states").to_pylist():
        spent[r["state"]] = spent.get(r["state"], 0) + seconds(r["end"]) - seconds(r["start"])
    # the CONNECT at 09:25:05 rang 2 s: 303 s available between joining and ringing
    assert spent == {"available": 600 + 303 + 835, "not_ready": 600 + 2, "handling": 60}


MEMBER_NAME_LOG = "\n".join([
    "1700643600|MANAGER|sales|Local/101@from-queue/n|ADDMEMBER|",
    "1700643700|j1|sales|NONE|ENTERQUEUE||0801|1",
    "1700643710|j1|sales|Alice|CONNECT|10|j1b|3",
    "1700644010|j1|sales|Alice|COMPLETECALLER|10|300|1",
    "1700644200|NONE|sales|Alice|PAUSE|Break",
    "1700644800|NONE|sales|Alice|UNPAUSE|",
    "1700647200|MANAGER|sales|Local/101@from-queue/n|REMOVEMEMBER|",
    "1700650800|j2|sales|NONE|ENTERQUEUE||0802|1",
    "1700650860|j2|sales|NONE|EXITEMPTY|1|1|60"]) + "\n"
"""``log_membername_as_agent = no``: the member added and removed as its interface, its
call and pause under its name."""


def test_members_name_each_interface(tmp_path: Path) -> None:
    """Without ``--members`` one person was two agents: the interface available 09:00–10:00
    and Alice logged in by her call until the file ended at 11:01 (occupancy 0.030). With
    the PBX's list, Alice is in sales 09:00–10:00: 300 s handling over 3,000 s not paused
    less her CONNECT's 3 s ring."""
    log = tmp_path / "queue_log"
    log.write_text(MEMBER_NAME_LOG)
    members = tmp_path / "members.csv"
    members.write_text("interface,membername\nLocal/101@from-queue/n,Alice\n")
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(log), "--out",
                                      str(tmp_path / "out"), "--members", str(members)])
    assert result.exit_code == 0, result.output
    states = pq.read_table(tmp_path / "out" / "agent_states").to_pylist()
    assert {r["agent_id"] for r in states} == {"Alice"}
    present = [r for r in states if r["state"] != "logged_out"]
    assert (min(seconds(r["start"]) for r in present),
            max(seconds(r["end"]) for r in present)) == (1700643600, 1700647200)
    occupancy = omnikpi.report_result(tmp_path / "out", metrics=["occupancy"]).rows[0]
    assert occupancy["occupancy"] == pytest.approx(300 / 2997)
    without = import_queue_log([log], tmp_path / "two")
    assert without.rejected == {}
    names = {r["agent_id"] for r in pq.read_table(tmp_path / "two" / "agent_states")
             .to_pylist()}
    assert names == {"Alice", "Local/101@from-queue/n"}


@pytest.mark.parametrize(("text", "said"), [
    ("interface,name\nx,y\n", "needs the columns interface and agent (or membername)"),
    ("interface,agent\nx,\n", "line 2: interface and agent must both be given"),
    ("interface,agent\nx,A\nx,B\n", "line 3: x is A on an earlier line, B here"),
])
def test_a_bad_members_file_is_a_usage_error(tmp_path: Path, text: str, said: str) -> None:
    (tmp_path / "queue_log").write_text(MEMBER_NAME_LOG)
    (tmp_path / "m.csv").write_text(text)
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log",
                                      str(tmp_path / "queue_log"), "--out",
                                      str(tmp_path / "out"), "--members",
                                      str(tmp_path / "m.csv")])
    assert result.exit_code == 2 and said in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


def test_a_log_saved_by_a_windows_tool_reads_the_same(tmp_path: Path) -> None:
    """A byte-order mark before the first line and CRLF line ends (a log copied through a
    Windows editor): the first line's epoch was "not a number", which lost the first
    call's ENTERQUEUE and rejected the rest of that call."""
    plain = (FIXTURES / "queue_log").read_bytes()
    windows = tmp_path / "windows" / "queue_log"
    windows.parent.mkdir()
    windows.write_bytes(b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n"))
    plain_summary = import_queue_log([FIXTURES / "queue_log"], tmp_path / "plain_out")
    summary = import_queue_log([windows], tmp_path / "windows_out")
    # the fixture's own broken lines, and nothing else
    assert summary.rejected == plain_summary.rejected
    assert "epoch is not a number" not in summary.rejected
    assert summary.lines == plain_summary.lines
    assert contacts(tmp_path / "windows_out") == contacts(tmp_path / "plain_out")


FALL_BACK = """time,callid,queuename,agent,event,data1,data2,data3,data4,data5
2024-10-27 02:55:00,0.1,sales,NONE,ENTERQUEUE,,380500000000,1,,
2024-10-27 02:55:10,0.1,sales,Agent/2,CONNECT,10,x,2,,
2024-10-27 03:00:10,0.1,sales,Agent/2,COMPLETEAGENT,10,300,1,,
2024-10-27 03:50:00,1.1,sales,NONE,ENTERQUEUE,,380501112233,1,,
2024-10-27 03:10:00,1.1,sales,Agent/1,CONNECT,1200,x,2,,
2024-10-27 03:15:00,1.1,sales,Agent/1,COMPLETECALLER,1200,300,1,,
"""
"""A realtime export in Kyiv's local time over the night the clocks go back (04:00 EEST
is 03:00 EET again): call 0.1 in the first 03:00 hour; call 1.1 queued at the first 03:50
and answered at the second 03:10, twenty minutes later."""


def test_the_hour_the_clocks_repeat_is_read_in_the_log_s_order(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text(FALL_BACK)
    summary = import_queue_log([source], tmp_path / "out", tz="Europe/Kyiv")
    assert not summary.rejected
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts").to_pylist()}
    first, second = rows["0.1@sales"], rows["1.1@sales"]
    # 03:00:10 before the step back is the first one (EEST, UTC+3): 00:00:10 UTC
    assert first["ended_at"].isoformat() == "2024-10-27T00:00:10"
    assert second["arrived_at"].isoformat() == "2024-10-27T00:50:00"  # the first 03:50
    assert second["accepted_at"].isoformat() == "2024-10-27T01:10:00"  # the second 03:10
    report = omnikpi.report_result(tmp_path / "out", metrics=["answered", "asa"]).rows[0]
    assert report == {"answered": 2, "asa": pytest.approx((10 + 1200) / 2)}


SPRING_FORWARD = """time,callid,queuename,agent,event,data1,data2,data3,data4,data5
2024-03-31 02:50:00,2.1,sales,NONE,ENTERQUEUE,,380500000000,1,,
2024-03-31 03:20:00,2.1,sales,Agent/2,CONNECT,10,x,2,,
2024-03-31 03:25:00,2.1,sales,Agent/2,COMPLETEAGENT,10,300,1,,
2024-03-31 04:10:00,3.1,sales,NONE,ENTERQUEUE,,380501112233,1,,
2024-03-31 04:10:20,3.1,sales,Agent/1,CONNECT,20,x,2,,
2024-03-31 04:15:00,3.1,sales,Agent/1,COMPLETECALLER,20,280,1,,
"""
"""A realtime export read as Kyiv's local time over the night the clocks go forward
(03:00 EET becomes 04:00 EEST): no clock in Kyiv showed 03:20 or 03:25 that night, so the
log was likely written in another zone than ``--tz`` says."""


def test_a_time_the_clocks_skip_is_read_and_named(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_text(SPRING_FORWARD)
    summary = import_queue_log([source], tmp_path / "out", tz="Europe/Kyiv")
    assert not summary.rejected
    assert summary.skipped_hour == 2  # CONNECT and COMPLETEAGENT of call 2.1
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts").to_pylist()}
    # read with the offset before the change (EET, UTC+2), as DuckDB reads a mapped export
    assert rows["2.1@sales"]["accepted_at"].isoformat() == "2024-03-31T01:20:00"
    assert rows["3.1@sales"]["accepted_at"].isoformat() == "2024-03-31T01:10:20"
    cli = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(source), "--out",
                                   str(tmp_path / "again"), "--tz", "Europe/Kyiv"])
    assert cli.exit_code == 0, cli.output
    assert "2 line(s) have a local time the clocks skip in Europe/Kyiv" in cli.output
    quiet = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(source), "--out",
                                     str(tmp_path / "utc"), "--tz", "UTC"])
    assert "clocks skip" not in quiet.output


def test_a_time_in_milliseconds_is_said_to_be_one(tmp_path: Path) -> None:
    """``1717405380000`` (a log written by a tool with a millisecond clock) was "epoch is
    not a number" — it is a number, and the message sent the user looking for a broken
    line. It is out of range, and said to be milliseconds; a stamp past 2100 in seconds
    is only out of range, and a word is still not a number."""
    log = tmp_path / "queue_log"
    log.write_text("1717405380000|1.6|support|NONE|ENTERQUEUE||+1|1\n"
                   "4102444801|1.7|support|NONE|ENTERQUEUE||+1|1\n"
                   "later|1.8|support|NONE|ENTERQUEUE||+1|1\n"
                   "1717405380|1.9|support|NONE|ENTERQUEUE||+1|1\n")
    summary = import_queue_log([log], tmp_path / "out")
    assert dict(summary.rejected) == {
        "time out of range: milliseconds? A queue_log time is seconds since 1970": 1,
        "time out of range": 1, "epoch is not a number": 1}
    assert summary.lines == summary.accounted == 4
