"""queue_log lines in any order give the same canonical files (issue 19, Asterisk part).

A queue_log exported from the realtime table comes in any order; before, a file written
newest-first gave 0 of 3 answered calls (every CONNECT rejected "without ENTERQUEUE") and
no pauses. Every line read is accounted for, whatever the bytes.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from omnikpi.connectors.queue_log_events import KNOWN
from omnikpi.connectors.queue_log_import import ImportSummary, import_queue_log
from omnikpi.connectors.queue_log_lines import headerless_columns, realtime_dialect
from omnikpi.connectors.text_encoding import byte_order_mark
from omnikpi.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures"
FLAT = ["queue_log", "queue_log_more_events", "queue_log_agents_only",
        "queue_log_agent_identity", "queue_log_asterisk14"]
REALTIME = ["queue_log_realtime.csv", "queue_log_old_data.csv", "queue_log_wazo.csv"]


def rows(out: Path, table: str) -> list[tuple[Any, ...]]:
    """Every row of a canonical table (duplicates kept), in a stable order."""
    folder = out / table
    if not folder.exists():
        return []
    return sorted(tuple(str(v) for v in r.values()) for r in pq.read_table(folder).to_pylist())


def rejects(out: Path) -> list[tuple[str, str, str]]:
    """The reject list without line numbers (they are the lines' places in the file)."""
    with (out / "rejects.csv").open(newline="") as handle:
        return sorted((r["file"], r["reason"], r["text"]) for r in csv.DictReader(handle))


def canonical(out: Path) -> dict[str, Any]:
    return {"contacts": rows(out, "contacts"), "agent_states": rows(out, "agent_states"),
            "rejects": rejects(out)}


def import_lines(tmp: Path, name: str, lines: list[bytes], **kwargs: Any) -> tuple[
        ImportSummary, dict[str, Any]]:
    folder = tmp / name
    folder.mkdir()
    log = folder / "queue_log"
    log.write_bytes(b"".join(lines))
    summary = import_queue_log([log], folder / "out", **kwargs)
    return summary, canonical(folder / "out")


def test_original_and_reversed_order_give_identical_canonical_files(tmp_path: Path) -> None:
    """The issue's "done means", on every fixture: flat files reversed line by line,
    realtime exports reversed below their header."""
    for fixture in FLAT + REALTIME:
        lines = (FIXTURES / fixture).read_bytes().splitlines(keepends=True)
        header = lines[:1] if fixture.endswith(".csv") else []
        body = lines[len(header):]
        original = import_lines(tmp_path, f"{fixture}-original", header + body)
        backwards = import_lines(tmp_path, f"{fixture}-reversed", header + body[::-1])
        assert original[1] == backwards[1], fixture
        assert original[0].accounted == original[0].lines == backwards[0].lines, fixture
        assert original[1]["contacts"] or original[1]["agent_states"], fixture


def test_a_newest_first_file_keeps_every_call_and_pause(tmp_path: Path) -> None:
    """The issue's case: newest first, 0 of 3 answered calls and no pauses before."""
    lines = (FIXTURES / "queue_log").read_bytes().splitlines(keepends=True)
    summary, tables = import_lines(tmp_path, "newest-first", lines[::-1])
    answered = [r for r in pq.read_table(tmp_path / "newest-first" / "out" / "contacts")
                .to_pylist() if r["accepted_at"] is not None]
    assert len(answered) == 3
    assert any(r[1] == "not_ready" and r[2] == "lunch" for r in tables["agent_states"])
    assert "CONNECT without ENTERQUEUE" not in summary.rejected


def test_rotated_files_given_newest_first_are_stitched(tmp_path: Path) -> None:
    """queue_log.1 (older) named after queue_log (newer) on the command line, or an
    export cut in pieces in any order: one import orders all their lines together."""
    lines = (FIXTURES / "queue_log").read_bytes().splitlines(keepends=True)
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "newer").write_bytes(b"".join(lines[12:]))
    (folder / "older").write_bytes(b"".join(lines[:12]))
    import_queue_log([folder / "newer", folder / "older"], tmp_path / "out")
    import_queue_log([FIXTURES / "queue_log"], tmp_path / "whole")
    assert rows(tmp_path / "out", "contacts") == rows(tmp_path / "whole", "contacts")
    assert rows(tmp_path / "out", "agent_states") == rows(tmp_path / "whole", "agent_states")


def test_a_call_sent_back_into_the_same_queue_in_one_second(tmp_path: Path) -> None:
    """The end of the open visit and the new ENTERQUEUE share a second and a queue: the
    open visit ends first, whatever the order of the two lines."""
    lines = [b"1709629200|c9|sales|NONE|ENTERQUEUE||111|1\n",            # 0
             b"1709629205|c9|sales|Alice|CONNECT|5|c9b|2\n",             # 5
             b"1709629265|c9|sales|Alice|BLINDTRANSFER|600|default|5|60|1\n",  # 65
             b"1709629265|c9|sales|NONE|ENTERQUEUE||111|1\n",            # 65 again in sales
             b"1709629270|c9|sales|Bob|CONNECT|5|c9c|2\n",               # 70
             b"1709629300|c9|sales|Bob|COMPLETECALLER|5|30|1\n"]         # 100
    for name, order in (("given", lines), ("reversed", lines[::-1])):
        summary, _ = import_lines(tmp_path, name, order)
        found = {r["contact_id"]: r for r in
                 pq.read_table(tmp_path / name / "out" / "contacts").to_pylist()}
        first, second = found["c9@sales"], found["c9@sales#2"]
        assert (first["agent_id"], first["outcome"], first["ended_at"].timestamp()) == (
            "Alice", "blindtransfer", 1709629265)
        assert (second["parent_id"], second["agent_id"], second["arrived_at"].timestamp(),
                second["ended_at"].timestamp()) == ("c9@sales", "Bob", 1709629265,
                                                    1709629300)
        assert summary.rejected == {} and summary.lost_visits == 0, name


def test_duplicated_lines_are_reported_not_applied_twice(tmp_path: Path) -> None:
    lines = (FIXTURES / "queue_log_asterisk14").read_bytes().splitlines(keepends=True)
    once = import_lines(tmp_path, "once", lines)
    twice = import_lines(tmp_path, "twice", lines + lines)
    assert once[1]["contacts"] == twice[1]["contacts"]
    assert once[1]["agent_states"] == twice[1]["agent_states"]
    assert twice[0].rejected == {"duplicate line": len(lines)}
    assert twice[0].accounted == twice[0].lines == 2 * len(lines)


def test_a_late_line_is_merged_while_its_call_is_open_else_rejected(tmp_path: Path) -> None:
    """Incremental imports: the file grows with lines older than the last import."""
    log, out = tmp_path / "queue_log", tmp_path / "out"
    first = [
        "1709629200|MANAGER|sales|Alice|ADDMEMBER|",                  # 09:00:00
        "1709629260|c1|sales|NONE|ENTERQUEUE||111|1",                 # 09:01:00
        "1709629265|c1|sales|Alice|CONNECT|5|c1b|1",                  # 09:01:05
        "1709629325|c1|sales|Alice|COMPLETECALLER|5|60|1",            # 09:02:05
        "1709629500|c2|sales|NONE|ENTERQUEUE||222|1",                 # 09:05:00 open
        "1709629800|c3|sales|NONE|ENTERQUEUE||333|1",                 # 09:10:00 open
    ]
    log.write_text("\n".join(first) + "\n")
    import_queue_log([log], out)  # written up to 09:10:00 (the last moment read)
    late = [
        "1709629510|c2|sales|Alice|CONNECT|10|c2b|1",                 # 09:05:10 late, c2 open
        "1709629325|c1|sales|Alice|WRAPUPSTART|10",                   # 09:02:05 late, c1 over
        "1709629400|NONE|sales|Alice|PAUSE|lunch",                    # 09:03:20 late agent
        "1709629330|c1|sales|NONE|ABANDON|1|1|70",                    # 09:02:10 late, c1 over
        "1709629900|c2|sales|Alice|COMPLETEAGENT|10|390|1",           # 09:11:40 on time
        "1709629805|c3|sales|NONE|ABANDON|1|1|5",                     # 09:10:05 on time
    ]
    with log.open("a") as handle:
        handle.write("\n".join(late) + "\n")
    summary = import_queue_log([log], out)
    contacts = {r["contact_id"]: r for r in pq.read_table(out / "contacts").to_pylist()}
    # c2 was still waiting: its late CONNECT is merged (answered after 10 s, by Alice)
    c2 = contacts["c2@sales"]
    assert (c2["accepted_at"].timestamp(), c2["ended_at"].timestamp(), c2["agent_id"]) == (
        1709629510, 1709629900, "Alice")
    assert summary.late_merged == 1
    # c1 was written in the first import; Alice's time up to 09:10:00 too
    assert summary.rejected == {"older than the last import": 3}
    states = sorted((r["state"], r["start"].timestamp() - 1709629200,
                     r["end"].timestamp() - 1709629200)
                    for r in pq.read_table(out / "agent_states").to_pylist())
    # Alice: available 0–64, ringing 64–65 (c1's CONNECT rang 1 s), handling 65–125,
    # available 125–600 (first import, to its last moment); the late CONNECT's handling
    # starts where her written time ends (600; its 1 s ring lies in written time) and
    # lasts to the COMPLETEAGENT (700); available after it to the last moment (700).
    assert states == [("available", 0, 64), ("available", 125, 600), ("handling", 65, 125),
                      ("handling", 600, 700), ("not_ready", 64, 65)]


# -- any bytes, any order ------------------------------------------------------------------
VALID = [line for fixture in FLAT
         for line in (FIXTURES / fixture).read_bytes().splitlines(keepends=True)]
line_bytes = st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"") + b"\n")
truncated = st.tuples(st.sampled_from(VALID), st.integers(0, 60)).map(
    lambda pair: pair[0][:pair[1]].rstrip(b"\n") + b"\n")
any_line = st.one_of(st.sampled_from(VALID), st.sampled_from(VALID), line_bytes, truncated)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(any_line, min_size=1, max_size=30), duplicates=st.integers(0, 5),
       seed=st.integers(0, 2**32 - 1), partial=st.binary(max_size=20))
def test_any_bytes_in_any_order_every_line_accounted_for(
        tmp_path_factory: Any, lines: list[bytes], duplicates: int, seed: int,
        partial: bytes) -> None:
    """Any bytes, duplicated and truncated lines, any order: no traceback, every line read
    counted once (contact event, agent event, ignored or rejected), the same files."""
    rng = random.Random(seed)
    lines = lines + [rng.choice(lines) for _ in range(duplicates)]
    shuffled = rng.sample(lines, len(lines))
    for order in (lines, shuffled):  # a realtime header first would change the layout,
        assume(realtime_dialect(order[0].decode("utf-8", "replace")) is None)
        assume(byte_order_mark(order[0]) is None)  # a UTF-16 mark first the encoding
        assume(headerless_columns(order[0].decode("utf-8", "replace"), KNOWN) is None)
    tmp = tmp_path_factory.mktemp("fuzz")
    tail = partial.replace(b"\n", b"")
    try:
        first, tables = import_lines(tmp, "given", [*lines, tail])
    except DataError as refused:  # no line is a queue_log line: the import stops whole
        assert "a queue_log line" in str(refused) and "nothing was imported" in str(refused)
        with pytest.raises(DataError, match=r"a queue_log line .*nothing was imported"):
            import_lines(tmp, "shuffled", [*shuffled, tail])
        assert not (tmp / "given" / "out" / "contacts").exists()
        return
    second, again = import_lines(tmp, "shuffled", [*shuffled, tail])
    for summary in (first, second):
        assert summary.lines == len(lines)
        assert summary.accounted == summary.lines
        assert len(summary.waiting) == (1 if tail else 0)  # read once it is complete
    assert tables == again


def test_a_byte_order_mark_reads_the_same_on_any_line(tmp_path: Path) -> None:
    """Found by the test above: a log saved by a Windows tool, joined after another with
    `cat`, carries its byte-order mark at the start of a later line. Read first, the mark
    was stripped; read later, the line was rejected with the mark as its text."""
    call = [b"1709629200|1709629200.1|support|NONE|ENTERQUEUE||0501234567|1\n",
            b"1709629230|1709629200.1|support|NONE|ABANDON|1|1|30\n"]
    other = [line.replace(b"9200.1|", b"9200.2|") for line in call]
    marked = [b"\xef\xbb\xbf" + other[0], other[1]]
    first, tables = import_lines(tmp_path, "first", [*marked, *call])
    second, again = import_lines(tmp_path, "second", [*call, *marked])
    assert tables == again
    assert len(tables["contacts"]) == 2 and not tables["rejects"]
    assert first.accounted == second.accounted == 4
    bare, _ = import_lines(tmp_path, "bare", [*call, b"\xef\xbb\xbf\n"])
    assert dict(bare.rejected) == {"empty line": 1}


def test_lines_appended_during_an_import_wait_for_the_next(
        tmp_path: Path, monkeypatch: Any) -> None:
    """The first pass decides the order of the lines it saw; lines written to the log
    after it (Asterisk goes on writing) are read by the next import, not half-checked."""
    from omnikpi.connectors import queue_log_import

    lines = (FIXTURES / "queue_log_asterisk14").read_text().splitlines(keepends=True)
    log = tmp_path / "queue_log"
    log.write_text("".join(lines[:8]))
    first_pass = queue_log_import._first_pass

    def then_append(*args: Any) -> Any:
        found = first_pass(*args)
        with log.open("a") as handle:  # an older line: out of order, after the check
            handle.write("1709629000|NONE|NONE|Agent/101|PAUSEALL|\n")
        return found

    monkeypatch.setattr(queue_log_import, "_first_pass", then_append)
    summary = import_queue_log([log], tmp_path / "out")
    assert summary.lines == 8
    monkeypatch.undo()
    later = import_queue_log([log], tmp_path / "out")
    assert later.lines == 1 and later.rejected == {"older than the last import": 1}
