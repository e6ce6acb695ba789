"""A CSV export with lines of another shape: the other lines imported exactly as from a
clean export, each odd line counted with its file, line number and the reader's reason
(``connectors/csv_rejects.py``). Before, one line with a field too many refused the whole
export with DuckDB's dialect-sniffing message."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.unit.connectors.import_runs import CSV_MAPPING, run_import

MAPPING = CSV_MAPPING


def _lines(first: int, count: int) -> list[str]:
    return [f"c{i},q{i % 3},2024-03-05 12:{i % 60:02d}:00" for i in range(first, first + count)]


_import = run_import


def _rows(out: Path) -> list[dict[str, object]]:
    return sorted(pq.read_table(out / "contacts.parquet").to_pylist(),
                  key=lambda row: str(row["contact_id"]))


def test_odd_lines_are_counted_by_file_and_line_and_the_rest_imported(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text(MAPPING)
    good_a, good_b = _lines(0, 40), _lines(100, 30)
    odd = list(good_a)
    odd.insert(10, "c900,q1,2024-03-05 12:00:00,a note, with a comma")  # line 12: one more
    odd.insert(20, "c901,q1")  # line 22: one field short
    messy, clean = tmp_path / "messy", tmp_path / "clean"
    messy.mkdir(), clean.mkdir()
    for folder, first in ((messy, odd), (clean, good_a)):
        (folder / "a.csv").write_text("id,q,t\n" + "\n".join(first) + "\n")
        (folder / "b.csv").write_text("id,q,t\n" + "\n".join(good_b) + "\n")
    code, output = _import("csv", messy, "--mapping", tmp_path / "m.toml",
                           "--out", tmp_path / "out_messy")
    assert code == 0, output
    assert "a line the CSV reader could not split: too many columns (first " \
        f"{messy / 'a.csv'} line 12: Expected Number of Columns: 3 Found: 5" in output
    assert "a line the CSV reader could not split: missing columns (first " \
        f"{messy / 'a.csv'} line 22: Expected Number of Columns: 3 Found: 2" in output
    # 72 lines read: 70 written, 2 rejected — and the 70 exactly as from the clean export
    assert "│ contacts │ 72 │ 70 │ 0 │ 2 │" in output, output
    # each left-out line kept with its text, to be fixed at the source
    assert f"the lines left out are listed, with their text, in " \
        f"{tmp_path / 'out_messy' / 'rejects.csv'}" in output
    with (tmp_path / "out_messy" / "rejects.csv").open(newline="") as listed:
        rows = list(csv.DictReader(listed))
    assert [(r["file"], r["line"], r["reason"].split(":")[0], r["text"]) for r in rows] == [
        (str(messy / "a.csv"), "12", "too many columns", odd[10]),
        (str(messy / "a.csv"), "22", "missing columns", odd[20])]
    code, output = _import("csv", clean, "--mapping", tmp_path / "m.toml",
                           "--out", tmp_path / "out_clean")
    assert code == 0, output
    assert _rows(tmp_path / "out_messy") == _rows(tmp_path / "out_clean")



@pytest.mark.parametrize("where", [0, 5, 13, 14])
def test_a_wide_line_anywhere_is_left_out_never_taken_for_the_header(
        tmp_path: Path, where: int) -> None:
    """A line with a field too many near the end of a small export: DuckDB's dialect
    sniffer took it for the header and skipped every line before it (the whole export's
    data, then a missing-column error); the reader now keeps line 1 as the header."""
    (tmp_path / "m.toml").write_text(MAPPING)
    good = _lines(0, 14)
    odd = [*good[:where], "c900,q1,2024-03-05 12:00:00,a note", *good[where:]]
    (tmp_path / "calls.csv").write_text("id,q,t\n" + "\n".join(odd) + "\n")
    code, output = _import("csv", tmp_path / "calls.csv", "--mapping", tmp_path / "m.toml",
                           "--out", tmp_path / "out")
    assert code == 0, output
    assert f"too many columns (first {tmp_path / 'calls.csv'} line {where + 2}:" in output
    assert [row["contact_id"] for row in _rows(tmp_path / "out")] == sorted(
        f"c{i}" for i in range(14))


def test_a_title_block_before_the_header_is_skipped_as_the_mapping_says(tmp_path: Path) -> None:
    report = "Calls report\nExported 2024-03-06 by admin\nid,q,t\n" + "\n".join(_lines(0, 5))
    (tmp_path / "calls.csv").write_text(report + "\n")
    (tmp_path / "m.toml").write_text(MAPPING)
    code, output = _import("csv", tmp_path / "calls.csv", "--mapping", tmp_path / "m.toml",
                           "--out", tmp_path / "out")
    assert code == 2, output  # the title is not the header: the mapping's columns are missing
    (tmp_path / "m.toml").write_text(MAPPING.replace("[source]", "[source]\nskip = 2"))
    code, output = _import("csv", tmp_path / "calls.csv", "--mapping", tmp_path / "m.toml",
                           "--out", tmp_path / "out")
    assert code == 0, output
    assert len(_rows(tmp_path / "out")) == 5


@pytest.mark.parametrize("layout", ["joined", "blank lines above", "both"])
def test_a_header_line_among_the_data_is_no_contact(tmp_path: Path, layout: str) -> None:
    """Exports joined with ``cat`` repeat the header line; a report saved with blank lines
    above its header makes the reader return the header as data. Neither is a contact
    (no contact ``id`` in queue ``q``): each is counted as a repeated header, and the
    rows are those of the clean export."""
    (tmp_path / "m.toml").write_text(MAPPING)
    part_a, part_b = _lines(0, 3), _lines(10, 2)
    head = "\n\n" if layout != "joined" else ""
    text = head + "id,q,t\n" + "\n".join(part_a) + "\n"
    text += ("id,q,t\n" if layout != "blank lines above" else "") + "\n".join(part_b) + "\n"
    (tmp_path / "calls.csv").write_text(text)
    (tmp_path / "clean.csv").write_text("id,q,t\n" + "\n".join(part_a + part_b) + "\n")
    code, output = _import("csv", tmp_path / "calls.csv", "--mapping", tmp_path / "m.toml",
                           "--out", tmp_path / "out")
    assert code == 0, output
    headers = output.count("a header line repeated among the data")
    said = " ".join(output.split())
    expected = {"joined": 1, "blank lines above": 1, "both": 2}[layout]
    assert headers == 1 and f"{expected} a header line repeated among the data" in said
    assert f"│ contacts │ {5 + expected} │ 5 │ {expected} │ 0 │" in output, output
    code, output = _import("csv", tmp_path / "clean.csv", "--mapping", tmp_path / "m.toml",
                           "--out", tmp_path / "clean")
    assert code == 0, output
    assert _rows(tmp_path / "out") == _rows(tmp_path / "clean")


def test_a_field_longer_than_duckdbs_two_megabytes_is_read(tmp_path: Path) -> None:
    """One quoted note of 3 MB (a pasted log, a long transcript) refused the whole export
    ("CSV Error on Line: 1"); it is one record like the others."""
    (tmp_path / "m.toml").write_text(MAPPING.replace('queue = "q"', 'queue = "q"\n'
                                                     'outcome = "note"'))
    long_note = "x" * 3_000_000
    (tmp_path / "calls.csv").write_text(
        "id,q,t,note\nc1,sales,2024-03-05 12:00:00,short\n"
        f'c2,sales,2024-03-05 12:01:00,"{long_note}"\nc3,sales,2024-03-05 12:02:00,\n')
    code, output = _import("csv", tmp_path / "calls.csv", "--mapping", tmp_path / "m.toml",
                           "--out", tmp_path / "out")
    assert code == 0, output
    rows = _rows(tmp_path / "out")
    assert [r["contact_id"] for r in rows] == ["c1", "c2", "c3"]
    assert rows[1]["outcome"] == long_note


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("packed", [False, True])
def test_an_odd_line_after_a_quoted_line_break_is_named_by_its_line(
        tmp_path: Path, end: str, packed: bool) -> None:
    """c1's note holds a line break, so c3's line with a field too many is the file's line
    5, and DuckDB's record number said 4 (c2's line): the user was sent to the wrong
    call. The same through a gzip file, with CR LF line ends, and with CR alone (an old
    Mac's: counted by LF, every odd line was "line 1")."""
    import gzip

    (tmp_path / "m.toml").write_text(MAPPING)
    text = end.join(["id,q,t", 'c1,"q1', 'more",2024-03-05 12:00:00',
                     "c2,q1,2024-03-05 12:01:00", "c3,q1,2024-03-05 12:02:00,extra",
                     "c4,q1,2024-03-05 12:03:00", ""])
    source = tmp_path / ("calls.csv.gz" if packed else "calls.csv")
    if packed:
        source.write_bytes(gzip.compress(text.encode()))
    else:
        source.write_bytes(text.encode())
    code, output = _import("csv", source, "--mapping", tmp_path / "m.toml",
                           "--out", tmp_path / "out")
    assert code == 0, output
    assert f"{source} line 5: Expected Number of Columns: 3" in output, output
    with (tmp_path / "out" / "rejects.csv").open(newline="") as listed:
        assert [(r["line"], r["text"]) for r in csv.DictReader(listed)] == [
            ("5", "c3,q1,2024-03-05 12:02:00,extra")]
