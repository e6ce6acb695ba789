"""Messy sources a generic import must account for line by line, never lose nor refuse
whole: parts joined with ``cat`` that each start with a byte-order mark
(``repeated_headers.py``, ``text_encoding.py``), a lone CR among CR LF or LF line ends
(``csv_line_ends.py``), and Excel sheets with merged cells, durations over a day or no
value at all (``spreadsheets.py``)."""

from __future__ import annotations

import codecs
import csv
from datetime import datetime, time, timedelta
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from tests.unit.connectors.import_runs import run_import

from omnikpi.connectors import spreadsheets
from omnikpi.connectors.mapped_table import MappedSummary, import_mapped

CSV_MAPPING = '''table = "contacts"
[source]
format = "csv"
delimiter = ";"

[columns]
contact_id = "call_id"
channel = "'voice'"
queue = "queue_name"
arrived_at = "strptime(start_time, '%d.%m.%Y %H:%M:%S')"
agent_id = "agent"
handle_seconds = "CAST(replace(talk, ',', '.') AS DOUBLE)"
'''

HEADER = "call_id;queue_name;start_time;talk;agent"
REPEATED = "a header line repeated among the data (files joined, or blank lines above the header)"


def _import(tmp_path: Path, source: Path, mapping: str, out_name: str = "out"
            ) -> tuple[MappedSummary, Path]:
    (tmp_path / "m.toml").write_text(mapping, encoding="utf-8")
    out = tmp_path / out_name
    [summary] = import_mapped([source], tmp_path / "m.toml", out)
    return summary, out


def _contacts(out: Path, *columns: str) -> list[tuple[object, ...]]:
    rows = pq.read_table(out / "contacts.parquet").to_pylist()
    return sorted(tuple(r[c] for c in columns) for r in rows)


def _rejects(out: Path) -> list[tuple[str, str, str]]:
    with (out / "rejects.csv").open(newline="", encoding="utf-8") as listed:
        return [(r["file"], r["line"], r["text"]) for r in csv.DictReader(listed)]


# 1. parts joined with cat, each starting with a byte-order mark

def _part(*rows: str) -> str:
    return "".join(row + "\r\n" for row in rows)


PART_1 = _part(HEADER, "b1;Sales;05.03.2024 10:00:05;12,5;a1")
PART_2 = _part(HEADER, "b2;Sales;05.03.2024 11:00:05;10;a1")
PART_3 = _part("b3;Support;05.03.2024 12:00:00;7;a2")  # a part without its header


@pytest.mark.parametrize("encoding,mark", [("utf-8", codecs.BOM_UTF8),
                                           ("utf-16-le", codecs.BOM_UTF16_LE)])
def test_a_header_repeated_with_its_byte_order_mark_is_filtered(
        tmp_path: Path, encoding: str, mark: bytes) -> None:
    """Two exports saved with a BOM (Excel's "UTF-8 with BOM", or UTF-16) and joined with
    ``cat``: the second header (``\\ufeffcall_id``) was a contact named after it; it is a
    repeated header, and a data line after a mark reads its id without it."""
    path = tmp_path / "joined.csv"
    path.write_bytes(b"".join(mark + part.encode(encoding)
                              for part in (PART_1, PART_2, PART_3)))
    summary, out = _import(tmp_path, path, CSV_MAPPING)
    assert (summary.read, summary.written, dict(summary.filtered)) == (4, 3, {REPEATED: 1})
    assert _contacts(out, "contact_id", "queue", "agent_id", "handle_seconds") == [
        ("b1", "Sales", "a1", 12.5), ("b2", "Sales", "a1", 10.0),
        ("b3", "Support", "a2", 7.0)]


# 2. a lone CR among CR LF or LF line ends

@pytest.mark.parametrize("end", ["\r\n", "\n"])
def test_a_lone_cr_is_read_as_a_line_end(tmp_path: Path, end: str) -> None:
    """``m6;…;a1\\rm7;…;a1\\r\\n`` (a part an old Mac saved) refused the whole file with
    DuckDB's "Error when sniffing" and no line: both calls are read, as lines 3 and 4."""
    path = tmp_path / "lonecr.csv"
    path.write_bytes((HEADER + end + "m1;S;05.03.2024 10:00:05;1;a1" + end
                      + "m6;S;05.03.2024 10:00:10;5;a1\rm7;S;05.03.2024 10:00:11;6;a1" + end
                      + "m8;S;05.03.2024 10:00:12;7;a2" + end).encode())
    summary, out = _import(tmp_path, path, CSV_MAPPING)
    assert (summary.read, summary.written, sum(summary.left_out.values())) == (4, 4, 0)
    assert _contacts(out, "contact_id", "arrived_at", "agent_id", "handle_seconds") == [
        ("m1", datetime(2024, 3, 5, 10, 0, 5), "a1", 1.0),
        ("m6", datetime(2024, 3, 5, 10, 0, 10), "a1", 5.0),
        ("m7", datetime(2024, 3, 5, 10, 0, 11), "a1", 6.0),
        ("m8", datetime(2024, 3, 5, 10, 0, 12), "a2", 7.0)]


def test_a_cr_in_an_unquoted_note_loses_nothing_silently(tmp_path: Path) -> None:
    """A CR typed in an unquoted note (``…;a\\rb``): the line up to it is read, the rest
    (``b``, a field too few) is rejected with its file, line and text."""
    path = tmp_path / "note.csv"
    path.write_bytes((HEADER + ";note\r\n" + "n1;S;05.03.2024 10:00:05;1;a1;ok\r\n"
                      + "n2;S;05.03.2024 10:00:06;2;a1;call back\rtomorrow\r\n"
                      + "n3;S;05.03.2024 10:00:07;3;a2;ok\r\n").encode())
    summary, out = _import(tmp_path, path, CSV_MAPPING)
    assert (summary.read, summary.written, sum(summary.left_out.values())) == (4, 3, 1)
    [reason] = summary.left_out
    assert f"{path} line 4" in reason
    assert _rejects(out) == [(str(path), "4", "tomorrow")]
    assert [r[0] for r in _contacts(out, "contact_id")] == ["n1", "n2", "n3"]


def test_a_quoted_cr_in_a_file_with_a_lone_cr_stays_a_line_break(tmp_path: Path) -> None:
    """A file whose lines end in CR LF, LF and a lone CR, with a CR inside a quoted note
    too: every call read, the quoted CR a line break of the note (an LF, as a CR LF
    inside a quoted note of such a file is)."""
    mapping = CSV_MAPPING.replace('handle_seconds', 'topic = "note"\nhandle_seconds')
    path = tmp_path / "quoted.csv"
    path.write_bytes((HEADER + ";note\n" + "q1;S;05.03.2024 10:00:05;1;a1;ok\r"
                      + 'q2;S;05.03.2024 10:00:06;2;a1;"call back\rtomorrow"\r\n'
                      + "q3;S;05.03.2024 10:00:07;3;a2;\r\n").encode())
    (tmp_path / "m.toml").write_text(mapping, encoding="utf-8")
    code, said = run_import("csv", path, "--mapping", tmp_path / "m.toml", "--out",
                            tmp_path / "out")
    assert code == 0, said
    rows = pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()
    assert sorted((r["contact_id"], r["agent_id"], r["topic"]) for r in rows) == [
        ("q1", "a1", "ok"), ("q2", "a1", "call back\ntomorrow"), ("q3", "a2", None)]


# 3.–5. Excel sheets

XLSX_MAPPING = '''table = "contacts"
[source]
format = "xlsx"
skip = 1

[columns]
contact_id = "id"
channel = "'voice'"
queue = "queue"
arrived_at = "CAST(arrived AS TIMESTAMP)"
agent_id = "agent"
handle_seconds = "epoch(CAST(talk AS INTERVAL))"
'''


def _calls_sheet(book: openpyxl.Workbook, title: str) -> None:
    calls = book.create_sheet(title)
    calls.append(["Call report March 2024"])
    calls.merge_cells("A1:E1")  # a title over the columns
    calls.append(["id", "queue", "arrived", "talk", "agent"])
    calls.append(["x1", "Sales", datetime(2024, 3, 5, 10, 0, 5), time(0, 4, 5), "a1"])
    calls.append(["x2", None, datetime(2024, 3, 5, 10, 1, 7), time(0, 1), "a1"])
    calls.append(["x3", None, datetime(2024, 3, 5, 10, 2, 0), timedelta(hours=25, minutes=1),
                  "a2"])
    calls.append(["x4", "Support", datetime(2024, 3, 5, 11, 0), time(0, 0, 59), "a3"])
    calls.append(["x5", "Support", datetime(2024, 3, 5, 11, 5), time(0, 2), None])
    calls.merge_cells("B3:B5")  # one queue name over its three calls
    calls.merge_cells("E6:E7")  # one agent over two
    for row in (3, 4, 5, 6, 7):
        calls.cell(row, 4).number_format = "[h]:mm:ss"


def _workbook(path: Path, first_empty: bool = False) -> Path:
    book = openpyxl.Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    if first_empty:
        book.create_sheet("Empty")
    _calls_sheet(book, "Calls")
    book.save(path)
    return path


@pytest.mark.parametrize("chunk", [None, 7])
def test_each_cell_of_a_merged_range_reads_its_value(tmp_path: Path, chunk: int | None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Merged B3:B5 ("Sales") and E6:E7 ("a3") held their value in the top-left cell
    only: x2 and x3 had no queue, x5 no agent. Each reads the value Excel shows (also
    with the sheet's XML read in 7-byte chunks: a tag cut between two)."""
    if chunk is not None:
        monkeypatch.setattr(spreadsheets, "CHUNK_BYTES", chunk, raising=False)
    summary, out = _import(tmp_path, _workbook(tmp_path / "calls.xlsx"), XLSX_MAPPING)
    assert (summary.read, summary.written, sum(summary.filtered.values())) == (5, 5, 0)
    assert _contacts(out, "contact_id", "queue", "agent_id") == [
        ("x1", "Sales", "a1"), ("x2", "Sales", "a1"), ("x3", "Sales", "a2"),
        ("x4", "Support", "a3"), ("x5", "Support", "a3")]


def test_a_duration_over_a_day_reads_as_excel_shows_it(tmp_path: Path) -> None:
    """A ``[h]:mm:ss`` cell of 25 h 1 min was written ``1 day, 1:01:00`` (unreadable): it
    is ``25:01:00``, as Excel shows it and in the form of shorter durations."""
    assert spreadsheets._text(timedelta(hours=25, minutes=1)) == "25:01:00"
    assert spreadsheets._text(timedelta(minutes=1)) == "0:01:00"
    assert spreadsheets._text(timedelta(seconds=1.5)) == "0:00:01.500000"
    assert spreadsheets._text(timedelta(seconds=-5)) == "-0:00:05"
    _, out = _import(tmp_path, _workbook(tmp_path / "calls.xlsx"), XLSX_MAPPING)
    assert _contacts(out, "contact_id", "handle_seconds") == [
        ("x1", 245.0), ("x2", 60.0), ("x3", 90060.0), ("x4", 59.0), ("x5", 120.0)]


def test_an_empty_sheet_is_said_to_be_empty(tmp_path: Path) -> None:
    """The first sheet (or the one named) empty: "no column 'id' in the source (its
    columns: column0)" sent the user to the mapping; the sheet is named empty, with the
    workbook's sheets."""
    path = _workbook(tmp_path / "calls2.xlsx", first_empty=True)
    for mapping in (XLSX_MAPPING, XLSX_MAPPING.replace("skip", 'sheet = "Empty"\nskip')):
        (tmp_path / "m.toml").write_text(mapping, encoding="utf-8")
        code, said = run_import("xlsx", path, "--mapping", tmp_path / "m.toml", "--out",
                                tmp_path / "out")
        assert code == 3, said
        assert (f"sheet Empty of {path} is empty: nothing to import (the workbook's "
                "sheets: Empty, Calls)") in said
        assert not (tmp_path / "out" / "contacts.parquet").exists()
    summary, _ = _import(tmp_path, path, XLSX_MAPPING.replace("skip", 'sheet = "Calls"\nskip'))
    assert summary.written == 5
    # among several workbooks, one whose sheet is empty (a day without calls) is
    # nothing to read, as an empty CSV among others: the others import
    (tmp_path / "in").mkdir()
    _workbook(tmp_path / "in" / "a.xlsx")
    book = openpyxl.Workbook()
    assert book.active is not None
    book.active.title = "Calls"
    book.save(tmp_path / "in" / "b.xlsx")
    summary, _ = _import(tmp_path, tmp_path / "in", XLSX_MAPPING, "out2")
    assert (summary.read, summary.written) == (5, 5)


def test_a_quoted_line_break_past_the_sniffers_sample_is_one_record(tmp_path: Path) -> None:
    """60,000 plain records, then one whose agent is quoted over two lines ("a↵b"): the
    sniffer read no quote in its sample and chose none, so the record was cut in two —
    its head imported with agent '"a', its tail rejected. Read by the CSV rules' quote,
    every record is whole."""
    lines = [HEADER] + [f"m{i};S;05.03.2024 10:00:00;1;a1" for i in range(60_000)]
    source = tmp_path / "late.csv"
    source.write_text("\n".join(lines) + '\nlast;S;05.03.2024 11:00:00;7;"a\nb"\n',
                      encoding="utf-8")
    summary, out = _import(tmp_path, source, CSV_MAPPING)
    rows = pq.read_table(out / "contacts.parquet").to_pylist()
    assert len(rows) == 60_001 and not summary.rejected and not summary.left_out
    assert [r["agent_id"] for r in rows if r["contact_id"] == "last"] == ["a\nb"]
    assert not (out / "rejects.csv").exists() or _rejects(out) == []
