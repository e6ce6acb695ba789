"""CSV and TSV exports whose lines end in CR LF, or in CR LF and LF both: read like LF
(``connectors/csv_line_ends.py``, ``csv_rejects.py``).

An export made of a header written on Linux and rows from Windows (or the reverse, or
parts joined with ``cat``) was refused whole with DuckDB's ``Error when sniffing file ""``,
naming no file; and the text of a rejected line of a CR LF export began with a stray line
feed in ``rejects.csv``."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.unit.connectors.import_runs import run_import

from omnikpi.connectors import csv_line_ends
from omnikpi.schema import files

MAPPING = '''table = "contacts"
[source]
format = "csv"
[columns]
contact_id = "id"
channel = "'voice'"
queue = "queue"
arrived_at = "CAST(created AS TIMESTAMP)"
agent_id = "agent"
handle_seconds = "TRY_CAST(handle AS DOUBLE)"
'''
"""Calls whose last column is a number (``handle``): a CR left at its end would make
``280`` unreadable and an empty last field not empty."""

HEADER = "id,queue,created,agent,handle"
ROWS = ["1,sales,2024-03-05 10:00:00,Alice,280",
        "2,sales,2024-03-05 10:01:00,,",
        "3,support,2024-03-05 10:02:00,Bob,45"]


def _write(path: Path, lines: list[str], ends: list[str]) -> Path:
    """``lines`` each followed by its line end (``ends`` in the same order)."""
    path.write_bytes("".join(line + end for line, end in zip(lines, ends, strict=True))
                     .encode())
    return path


def _contacts(out: Path) -> list[tuple[object, ...]]:
    table = pq.read_table(out / "contacts.parquet").to_pylist()
    return sorted((r["contact_id"], r["queue"], r["agent_id"], r["handle_seconds"])
                  for r in table)


def _rejects(out: Path) -> list[tuple[str, str, str]]:
    with (out / "rejects.csv").open(newline="", encoding="utf-8") as listed:
        return [(r["line"], r["reason"].split(":")[0], r["text"])
                for r in csv.DictReader(listed)]


EXPECTED = [("1", "sales", "Alice", 280.0), ("2", "sales", None, None),
            ("3", "support", "Bob", 45.0)]
"""Read by hand from ``ROWS``: 280 is a number, the empty agent and handle are empty."""


@pytest.mark.parametrize("ends", [
    ["\n", "\r\n", "\r\n", "\r\n"],   # a Linux header, rows exported on Windows
    ["\r\n", "\n", "\n", "\n"],       # the reverse
    ["\n", "\r\n", "\n", "\r\n"],     # parts joined line by line
    ["\r\n", "\r\n", "\r\n", "\n"],   # one LF row appended to a Windows export
], ids=["lf-header", "crlf-header", "alternating", "last-lf"])
def test_a_file_with_both_line_ends_is_read_as_lf(tmp_path: Path, ends: list[str]) -> None:
    """Every shape of CR LF and LF mixed gives the rows of the all-LF file, with no CR
    in the last column; before, the whole file was refused naming ``file ""``."""
    (tmp_path / "m.toml").write_text(MAPPING)
    mixed = _write(tmp_path / "mixed.csv", [HEADER, *ROWS], ends)
    code, output = run_import("csv", mixed, "--mapping", tmp_path / "m.toml",
                              "--out", tmp_path / "out")
    assert code == 0, output
    assert _contacts(tmp_path / "out") == EXPECTED
    assert not (tmp_path / "out" / "rejects.csv").exists()  # 3 lines, 3 rows


def test_a_line_left_out_of_a_crlf_export_is_listed_as_in_the_file(tmp_path: Path) -> None:
    """DuckDB gives a CR LF file's rejected line with the LF of the line before it: its
    text in ``rejects.csv`` began with a line feed. It is now the line as in the file, at
    its line number, as for the same export with LF ends; every line is accounted for."""
    (tmp_path / "m.toml").write_text(MAPPING)
    extra = "4,sales,2024-03-05 10:03:00,Bob,60,EXTRA"  # line 4: a field too many
    lines = [HEADER, ROWS[0], ROWS[1], extra, ROWS[2]]
    listed = {}
    for name, end in (("crlf", "\r\n"), ("lf", "\n")):
        path = _write(tmp_path / f"{name}.csv", lines, [end] * len(lines))
        code, output = run_import("csv", path, "--mapping", tmp_path / "m.toml",
                                  "--out", tmp_path / name)
        assert code == 0, output
        assert f"too many columns (first {path} line 4:" in output
        assert _contacts(tmp_path / name) == EXPECTED
        listed[name] = _rejects(tmp_path / name)
        assert len(EXPECTED) + len(listed[name]) == len(lines) - 1  # 3 + 1 = 4 data lines
    assert listed["crlf"] == listed["lf"] == [("4", "too many columns", extra)]


def test_a_mixed_file_with_an_odd_line_and_a_blank_line(tmp_path: Path) -> None:
    """Both at once: an LF header, CR LF rows, a blank line and a line with a field too
    many. The odd line is listed at its own line number (5: the blank line 4 counts)
    with its text alone — no blank line or line end before or after it."""
    (tmp_path / "m.toml").write_text(MAPPING)
    extra = "4,sales,2024-03-05 10:03:00,Bob,60,EXTRA"
    lines = [HEADER, ROWS[0], ROWS[1], "", extra, ROWS[2]]
    path = _write(tmp_path / "mixed.csv", lines, ["\n"] + ["\r\n"] * 5)
    code, output = run_import("csv", path, "--mapping", tmp_path / "m.toml",
                              "--out", tmp_path / "out")
    assert code == 0, output
    assert _contacts(tmp_path / "out") == EXPECTED
    assert _rejects(tmp_path / "out") == [("5", "too many columns", extra)]


def test_a_stray_quote_in_a_crlf_export_leaves_out_that_line_only(tmp_path: Path) -> None:
    """A CR LF export with a stray quote: its line was blanked to a bare LF, which made
    the copy a file of both line ends that DuckDB refused whole. It is blanked with its
    own CR LF now: that line listed, the others imported with their quoting."""
    (tmp_path / "m.toml").write_text(MAPPING)
    stray = '9,"sales,2024-03-05 10:04:00,,'  # line 3: a quote nothing closes
    quoted = '3,support,2024-03-05 10:02:00,"Smith, Bob",45'  # a comma inside quotes
    lines = [HEADER, ROWS[0], stray, ROWS[1], quoted]
    path = _write(tmp_path / "calls.csv", lines, ["\r\n"] * len(lines))
    code, output = run_import("csv", path, "--mapping", tmp_path / "m.toml",
                              "--out", tmp_path / "out")
    assert code == 0, output
    assert _contacts(tmp_path / "out") == [*EXPECTED[:2], ("3", "support", "Smith, Bob", 45.0)]
    assert _rejects(tmp_path / "out") == [
        ("3", "a field opens a quote that no quote of its record closes (a stray quote)",
         stray)]


def test_a_vicidial_tsv_with_an_lf_header_and_crlf_rows(tmp_path: Path) -> None:
    """``import vicidial`` (a tab-separated dump, read without quoting) of the fixture
    with its header LF and its 16 rows CR LF gives the attempts of the LF file."""
    fixture = (Path(__file__).parent / "fixtures" / "platforms" / "vicidial"
               / "vicidial_log.tsv")
    lines = fixture.read_text().splitlines()
    mixed = _write(tmp_path / "vicidial_log.tsv", lines, ["\n"] + ["\r\n"] * (len(lines) - 1))
    rows = {}
    for name, path in (("lf", fixture), ("mixed", mixed)):
        code, output = run_import("vicidial", path, "--out", tmp_path / name)
        assert code == 0, output
        rows[name] = sorted(pq.read_table(tmp_path / name / "dial_attempts.parquet")
                            .to_pylist(), key=lambda r: str(r["attempt_id"]))
    assert len(rows["mixed"]) == 12  # 16 lines: 12 attempts, 4 skipped with a reason
    assert rows["mixed"] == rows["lf"]
    sale = next(r for r in rows["mixed"] if r["attempt_id"].endswith(".101"))
    assert (sale["agent_id"], sale["talk_seconds"]) == ("6001", 300.0)


def test_a_lone_cr_among_other_line_ends_is_a_line_end(tmp_path: Path) -> None:
    """Lines ended by a lone CR among CR LF and LF ones (an old Mac's line end in a file
    joined with others): refused whole before (DuckDB could not sniff it); each lone CR
    is a line end now and every row is read."""
    (tmp_path / "m.toml").write_text(MAPPING)
    path = _write(tmp_path / "odd.csv", [HEADER, *ROWS], ["\r", "\r\n", "\n", "\r\n"])
    code, output = run_import("csv", path, "--mapping", tmp_path / "m.toml",
                              "--out", tmp_path / "out")
    assert code == 0, output
    assert _contacts(tmp_path / "out") == EXPECTED


def test_line_ends_are_told_and_copied_across_chunks(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A CR LF cut between two chunks read is still one CR LF: counted as such, and
    copied as one LF (3-byte chunks put a CR at the end of a chunk)."""
    monkeypatch.setattr(files, "LINE_END_CHUNK", 3)
    crlf = _write(tmp_path / "crlf.csv", ["a", "bc", "d"], ["\r\n"] * 3)
    mixed = _write(tmp_path / "mixed.csv", ["a", "bc", "d"], ["\r\n", "\r\n", "\n"])
    assert not csv_line_ends.has_both_line_ends(crlf)
    assert csv_line_ends.has_both_line_ends(mixed)
    with csv_line_ends.lf_line_ends([crlf, mixed]) as read:
        assert read[0] == crlf
        assert read[1].read_bytes() == b"a\nbc\nd\n"
