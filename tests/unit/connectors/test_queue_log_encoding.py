"""queue_log files not saved in UTF-8 (``connectors/queue_log_text.py``).

A realtime queue_log table exported by a database client, or a log copied through a
Windows tool, may be Windows-1251 or UTF-16. Read as UTF-8, a Windows-1251 export had
every Cyrillic name read as ``�``: Олена and Ганна became one agent (one row of the
report, their calls summed), Продажі and Продажа one queue, with exit code 0 — and
``--encoding`` was refused for this source. A UTF-16 export was rejected line by line
("NUL byte in the line"), imported nothing, and exited 0."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.connectors.queue_log_import import import_queue_log
from omnikpi.connectors.queue_log_text import split_lines
from omnikpi.errors import DataError

EXPORT = (
    "time;callid;queuename;agent;event;data1;data2;data3;data4;data5\r\n"
    "2024-03-05 12:01:00;1.1;Продажі;NONE;ENTERQUEUE;;380501112233;1;;\r\n"
    "2024-03-05 12:01:08;1.1;Продажі;Олена;CONNECT;8;x;2;;\r\n"
    "2024-03-05 12:04:08;1.1;Продажі;Олена;COMPLETECALLER;8;180;1;;\r\n"
    "2024-03-05 12:01:00;2.1;Продажа;NONE;ENTERQUEUE;;380501112233;1;;\r\n"
    "2024-03-05 12:01:30;2.1;Продажа;Ганна;CONNECT;30;x;2;;\r\n"
    "2024-03-05 12:03:30;2.1;Продажа;Ганна;COMPLETECALLER;30;120;1;;\r\n")
"""Two calls, two agents, two queues whose names differ by one Cyrillic letter."""
FLAT = ("1709632860|1709632855.1|Продажі|NONE|ENTERQUEUE||380501112233|1\n"
        "1709632868|1709632855.1|Продажі|Олена|CONNECT|8|1709632860.2|5\n"
        "1709633048|1709632855.1|Продажі|Олена|COMPLETECALLER|8|180|1\n")
"""/var/log/asterisk/queue_log: one call answered by Олена after 8 s, talk 180 s."""


def _import(tmp_path: Path, data: bytes, *options: str, name: str = "export.csv",
            out: str = "out") -> tuple[int, str, Path]:
    source = tmp_path / name
    source.write_bytes(data)
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(source),
                                      "--out", str(tmp_path / out), *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split()), tmp_path / out


def _by_agent(out: Path) -> dict[str, tuple[int, float]]:
    """answered and AHT (s) per agent, as the report computes them."""
    frame = omnikpi.report(out, metrics=["answered", "aht"], by=["agent_id"])
    return {row.agent_id: (int(row.answered), float(row.aht))
            for row in frame.itertuples()}


def _queues(out: Path) -> dict[str, str]:
    return {r["contact_id"]: r["queue"] for r in pq.read_table(out / "contacts").to_pylist()}


def test_a_windows_1251_export_named_keeps_two_agents_two_agents(tmp_path: Path) -> None:
    """Hand-checked: Олена answered one call (12:01:08 → 12:04:08, 180 s), Ганна one
    (12:01:30 → 12:03:30, 120 s); each in its own queue."""
    code, said, out = _import(tmp_path, EXPORT.encode("cp1251"), "--encoding", "cp1251")
    assert code == 0, said
    assert "6 new line(s) read" in said and "0 rejected" in said and "not UTF-8" not in said
    assert _by_agent(out) == {"Олена": (1, 180.0), "Ганна": (1, 120.0)}
    assert _queues(out) == {"1.1@Продажі": "Продажі", "2.1@Продажа": "Продажа"}


def test_names_not_in_utf8_stop_the_import_instead_of_merging(tmp_path: Path) -> None:
    """Without --encoding the names were read as '�����', one agent with 2 answered
    calls. Now the import stops (exit 3), names the line and the option, and writes
    nothing: the same import with --encoding then reads every line (had the lines been
    rejected, the next import would start after them and never read them again)."""
    code, said, out = _import(tmp_path, EXPORT.encode("cp1251"))
    assert code == 3, said
    assert "export.csv line 2: the queue" in said and "is not UTF-8" in said
    assert "--encoding cp1251" in said and "Nothing of this import was written" in said
    assert not (out / "contacts").exists() and not (out / ".omnikpi-import.json").exists()
    code, said, out = _import(tmp_path, EXPORT.encode("cp1251"), "--encoding", "cp1251")
    assert code == 0 and "6 new line(s) read" in said, said
    assert _by_agent(out) == {"Олена": (1, 180.0), "Ганна": (1, 120.0)}


def test_an_agent_name_not_in_utf8_in_the_flat_log_stops_it_too(tmp_path: Path) -> None:
    """The same in the pipe-separated file: only the agent's name is cp1251 here (the
    queue is ASCII), and it is the agent the message names."""
    log = tmp_path / "queue_log"
    log.write_bytes(FLAT.replace("Продажі", "sales").encode("cp1251"))
    with pytest.raises(DataError, match=r"queue_log line 2: the agent \"\\xce\\xeb"):
        import_queue_log([log], tmp_path / "out")
    summary = import_queue_log([log], tmp_path / "out", encoding="cp1251")
    assert (summary.lines, summary.contacts, summary.not_utf8) == (3, 1, 0)


def test_a_callers_name_not_in_utf8_still_costs_nothing(tmp_path: Path) -> None:
    """A byte that is not UTF-8 in a data field (a caller's name, ENTERQUEUE's 4th field)
    merges nothing: the line is read with U+FFFD there and counted, as before."""
    log = tmp_path / "queue_log"
    log.write_bytes(FLAT.replace("|1\n", "|1|Müller\n", 1).replace("Продажі", "sales")
                    .replace("Олена", "Alice").encode("latin-1"))
    summary = import_queue_log([log], tmp_path / "out")
    assert (summary.not_utf8, summary.contacts, dict(summary.rejected)) == (1, 1, {})


def test_a_cp1251_log_growing_adds_only_its_new_lines(tmp_path: Path) -> None:
    """Offsets are kept in the file's bytes (one per Cyrillic letter in cp1251, two in
    its UTF-8 text): the second import reads exactly the line appended, and the call
    ends with the talk time of the whole call."""
    log = tmp_path / "queue_log"
    lines = FLAT.encode("cp1251").splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:2]))
    first = import_queue_log([log], tmp_path / "out", encoding="cp1251")
    assert (first.lines, first.contacts, first.open_visits) == (2, 0, 1)
    with log.open("ab") as handle:
        handle.write(lines[2])
    second = import_queue_log([log], tmp_path / "out", encoding="cp1251")
    assert (second.lines, second.contacts, dict(second.rejected)) == (1, 1, {})
    assert _by_agent(tmp_path / "out") == {"Олена": (1, 180.0)}
    again = import_queue_log([log], tmp_path / "out", encoding="cp1251")
    assert again.lines == 0


def test_a_file_s_encoding_named_once_is_remembered(tmp_path: Path) -> None:
    """A cron job (or ``--follow``) had to pass ``--encoding cp1251`` at every import of a
    growing log; without it, the import stopped at the first Cyrillic name. Named once, it
    is remembered for the file (and its rotated remainder); named again, it wins."""
    log = tmp_path / "queue_log"
    lines = FLAT.encode("cp1251").splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:2]))
    import_queue_log([log], tmp_path / "out", encoding="cp1251")
    with log.open("ab") as handle:
        handle.write(lines[2])
    second = import_queue_log([log], tmp_path / "out")  # no --encoding this time
    assert (second.lines, second.contacts, second.not_utf8) == (1, 1, 0)
    assert _by_agent(tmp_path / "out") == {"Олена": (1, 180.0)}
    # another file never named is UTF-8 as before: its cp1251 name stops the import
    other = tmp_path / "other_log"
    other.write_bytes(FLAT.replace("1709632855.1", "1709632999.1").encode("cp1251"))
    with pytest.raises(DataError, match="--encoding"):
        import_queue_log([other], tmp_path / "out")


def test_a_log_of_utf8_and_cp1251_lines_keeps_one_queue_and_one_agent(
        tmp_path: Path) -> None:
    """Asterisk's own UTF-8 lines after lines a Windows tool wrote in cp1251: without an
    encoding the import stops and advises --encoding cp1251, which then read the UTF-8
    lines as cp1251 — "Олена" as "РћР»РµРЅР°", one agent and one queue two, with exit
    code 0. The UTF-8 lines are read as UTF-8 and counted."""
    cp1251 = FLAT.replace("1709632855.1", "1709632855.2").encode("cp1251")
    utf8 = FLAT.encode()
    code, said, out = _import(tmp_path, utf8 + cp1251, name="queue_log")
    assert code == 3 and "--encoding cp1251" in said
    code, said, out = _import(tmp_path, utf8 + cp1251, "--encoding", "cp1251",
                              name="queue_log")
    assert code == 0, said
    assert "3 of its lines are UTF-8 (a log written by two systems): read as UTF-8" in said
    assert set(_queues(out).values()) == {"Продажі"}
    assert _by_agent(out) == {"Олена": (2, 180.0)}


def test_a_utf16_export_with_its_mark_needs_no_option(tmp_path: Path) -> None:
    """Excel's "Unicode text" of the realtime table: read as its UTF-8 twin (before: 4
    lines rejected for a NUL byte, "no end of line yet", nothing imported, exit 0). A
    mark that says otherwise than --encoding is a usage error."""
    code, said, out = _import(tmp_path, EXPORT.encode("utf-16"))
    assert code == 0, said
    assert "6 new line(s) read" in said and "0 rejected" in said
    assert "Read as utf-16-le (its byte-order mark)" in said and "no end of line" not in said
    assert _by_agent(out) == {"Олена": (1, 180.0), "Ганна": (1, 120.0)}
    assert _queues(out) == {"1.1@Продажі": "Продажі", "2.1@Продажа": "Продажа"}
    code, said, _ = _import(tmp_path, EXPORT.encode("utf-16"), "--encoding", "cp1251",
                            out="other")
    assert code == 2 and "byte-order mark of utf-16-le, not cp1251" in said, said


def test_a_utf16_log_followed_while_written_reads_each_line_once(tmp_path: Path) -> None:
    """A UTF-16 flat log cut in the middle of its last end of line (``0A`` written, its
    ``00`` not yet): that line waits, and the next import goes on from the end of the
    previous one — the offset counts UTF-16 bytes."""
    log = tmp_path / "queue_log"
    data = FLAT.encode("utf-16")
    cut = len(FLAT.rsplit("\n", 2)[0].encode("utf-16")) + 1  # after the 0A of line 2
    log.write_bytes(data[:cut])
    first = import_queue_log([log], tmp_path / "out", follow=True)
    assert (first.lines, first.waiting, first.open_visits) == (1, [str(log)], 1)
    log.write_bytes(data)
    second = import_queue_log([log], tmp_path / "out", follow=True)
    assert (second.lines, second.contacts, dict(second.rejected)) == (2, 1, {})
    assert _by_agent(tmp_path / "out") == {"Олена": (1, 180.0)}


def test_utf16_without_its_mark_is_named_not_rejected_line_by_line(tmp_path: Path) -> None:
    """One byte in two NUL, in lines of queue_log: exit 3 saying which --encoding to
    name, not every line rejected for its NUL bytes with exit 0. NUL padding left by a
    crash (NUL on both sides) is not taken for it: those lines are rejected as before."""
    code, said, _ = _import(tmp_path, EXPORT.encode("utf-16-le"))
    assert code == 3 and "as in utf-16-le saved without a byte-order mark" in said, said
    assert "--encoding utf-16-le" in said
    code, said, out = _import(tmp_path, EXPORT.encode("utf-16-le"), "--encoding",
                              "utf-16-le", out="named")
    assert code == 0 and "6 new line(s) read" in said, said
    assert _by_agent(out) == {"Олена": (1, 180.0), "Ганна": (1, 120.0)}
    log = tmp_path / "queue_log"
    log.write_bytes(b"\x00" * 300 + b"\n" + FLAT.encode())
    summary = import_queue_log([log], tmp_path / "padded")
    assert (summary.contacts, dict(summary.rejected)) == (1, {"NUL byte in the line": 1})


def test_a_byte_the_named_encoding_lacks_stops_with_the_line(tmp_path: Path) -> None:
    """0x98 is no letter of Windows-1251: the file is not what was named."""
    code, said, _ = _import(tmp_path, EXPORT.encode("cp1251").replace(b"x;2", b"\x98;2"),
                            "--encoding", "cp1251")
    assert code == 3 and "line 3, byte 0x98 is not cp1251" in said, said


def test_a_utf16_line_ends_only_at_a_whole_code_unit() -> None:
    """``0A 00`` across two letters (U+0A41 then U+0100: bytes ``41 0A 00 01``) is not an
    end of line: splitting there shifted every later letter by one byte."""
    data = "1|\u0a41\u0100|x\n2|y\n".encode("utf-16-le")
    lines = list(split_lines(io.BytesIO(data), b"\n\x00"))
    assert [line.decode("utf-16-le") for line in lines] == ["1|\u0a41\u0100|x\n", "2|y\n"]
