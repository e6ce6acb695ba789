"""A CSV line whose field opens a quote that nothing closes (an agent's note typed
``"screen broken``): that line left out with its reason, and the valid quoted records
after it — a comma inside quotes, a line break inside quotes — read as written
(``connectors/csv_quotes.py``). Before, DuckDB's sniffer dropped quoting for the whole
file: a later multi-line note was cut to its first line and the rest rejected."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.connectors.import_runs import CSV_MAPPING, run_import

from omnikpi.schema.stray_quotes import physical_lines, stray_quote_lines

MAPPING = CSV_MAPPING.replace('queue = "q"', 'queue = "q"\noutcome = "note"')


def _notes(out: Path) -> dict[str, str | None]:
    return {str(r["contact_id"]): r["outcome"]
            for r in pq.read_table(out / "contacts.parquet").to_pylist()}


def test_a_stray_quote_is_one_line_left_out_and_the_quoted_records_after_it_read(
        tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text(MAPPING)
    (tmp_path / "calls.csv").write_text(
        "id,q,t,note\n"
        "c1,sales,2024-03-05 10:00:00,ok\n"
        'c2,sales,2024-03-05 10:01:00,"screen broken\n'          # line 3: never closed
        'c3,sales,2024-03-05 10:02:00,"two\nlines"\n'             # lines 4-5: one record
        'c4,sales,2024-03-05 10:03:00,12" monitor\n'             # a quote mid-field: text
        'c5,sales,2024-03-05 10:04:00,"quoted, comma"\n')
    code, output = run_import("csv", tmp_path / "calls.csv", "--mapping", tmp_path / "m.toml",
                              "--out", tmp_path / "out")
    assert code == 0, output
    # 5 records read: 4 written, 1 rejected
    assert "│ contacts │ 5 │ 4 │ 0 │ 1 │" in output, output
    assert ("a field opens a quote that no quote of its record closes (a stray quote): the "
            f"line left out (first {tmp_path / 'calls.csv'} line 3)") in output
    assert _notes(tmp_path / "out") == {"c1": "ok", "c3": "two\nlines", "c4": '12" monitor',
                                        "c5": "quoted, comma"}
    with (tmp_path / "out" / "rejects.csv").open(newline="") as listed:
        [reject] = list(csv.DictReader(listed))
    assert (reject["line"], reject["text"]) == ("3", 'c2,sales,2024-03-05 10:01:00,"screen broken')


def test_a_stray_quote_in_a_file_without_a_header(tmp_path: Path) -> None:
    """Columns named by the mapping (Asterisk's Master.csv shape): a short record is
    padded, so only the stray quote's line goes."""
    (tmp_path / "m.toml").write_text(MAPPING.replace(
        'format = "csv"', 'format = "csv"\ncolumns = ["id", "q", "t", "note"]'))
    (tmp_path / "calls.csv").write_text(
        'c1,sales,2024-03-05 10:00:00,"he said ""hi"""\n'
        'c2,sales,2024-03-05 10:01:00,"no end\n'
        'c3,sales,2024-03-05 10:02:00,"a\nb, c"\n'
        "c4,sales,2024-03-05 10:03:00\n")
    code, output = run_import("csv", tmp_path / "calls.csv", "--mapping", tmp_path / "m.toml",
                              "--out", tmp_path / "out")
    assert code == 0, output
    assert "│ contacts │ 4 │ 3 │ 0 │ 1 │" in output, output
    assert _notes(tmp_path / "out") == {"c1": 'he said "hi"', "c3": "a\nb, c", "c4": None}


def test_stray_quote_lines_by_hand() -> None:
    lines = ['id,note\n', '1,"open\n', '2,"x\n', 'y"\n', '3,"never closed\n', '4,ok\n']
    # line 1 opens a quote closed on line 2 by an opening quote followed by text: stray;
    # lines 2-3 are one valid record; line 4's quote swallows line 5 and never closes
    assert stray_quote_lines(lines, ",", '"', 0, None) == [1, 4]
    assert stray_quote_lines(['a;b\n', '1;"x;y"\n'], ";", '"', 0, None) == []
    # the header after a title block of one line
    assert stray_quote_lines(['report\n', 'a,b\n', '1,"x\n'], ",", '"', 1, None) == [2]


_text = st.text(alphabet=st.sampled_from(list('ab ,"\n;\r')), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_text, min_size=3, max_size=3), min_size=1, max_size=12))
def test_valid_csv_never_has_a_stray_quote(records: list[list[str]]) -> None:
    """Whatever quoting, commas and line breaks the fields hold, a file the CSV rules
    wrote has no stray quote: this pass never leaves out a valid record."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["a", "b", "c"])
    writer.writerows(records)
    lines = physical_lines(buffer.getvalue())
    assert stray_quote_lines(lines, ",", '"', 0, None) == []


def test_a_line_break_inside_quotes_in_a_file_without_a_header(tmp_path: Path) -> None:
    """No stray quote: DuckDB's parallel reader refused a padded file whose quoted field
    holds a line break (the whole file, "cannot read"); it is read on one thread."""
    (tmp_path / "m.toml").write_text(MAPPING.replace(
        'format = "csv"', 'format = "csv"\ncolumns = ["id", "q", "t", "note"]'))
    (tmp_path / "calls.csv").write_text(
        'c1,sales,2024-03-05 10:00:00,"first\nsecond"\nc2,sales,2024-03-05 10:01:00\n'
        'c3,sales,2024-03-05 10:02:00,"x\ny"\nc4,sales,2024-03-05 10:03:00\n')
    code, output = run_import("csv", tmp_path / "calls.csv", "--mapping", tmp_path / "m.toml",
                              "--out", tmp_path / "out")
    assert code == 0, output
    assert _notes(tmp_path / "out") == {"c1": "first\nsecond", "c2": None, "c3": "x\ny",
                                        "c4": None}
