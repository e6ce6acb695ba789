"""Inputs that are cut short, damaged or empty, through `omnikpi import`: never a row lost
without a word, never "Aborted." or a raw DuckDB message.

- A gzip export cut short where its data happens to end at a line end: DuckDB reads the
  rows before the cut without a word (``test_duckdb_alone_reads_a_cut_gzip_file_silently``
  keeps that premise honest); the mapped import refuses the file, naming it, and writes
  nothing (one commit for all tables).
- A rotated queue_log cut short: its lines up to the damage are imported, the file is
  named, the exit code is 3; once a whole copy is there, the next import goes on from the
  last line read — every line imported exactly once.
- An empty input: "nothing to import", not "no column 'tickets' (columns: json)".
- A mapping naming a column the source does not have: the source's columns, not
  ``Binder Error: Referenced column … not found in FROM clause!``.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from tests.unit.connectors.import_runs import CSV_MAPPING, run_import

MAPPING = CSV_MAPPING
ROWS = 20_000


def _csv(rows: int = ROWS) -> bytes:
    return ("id,q,t\n" + "".join(f"c{i},q{i % 7},2024-03-05 12:{i % 60:02d}:00\n"
                                 for i in range(rows))).encode()


def _cut_at_a_line_end(rows: int = ROWS) -> bytes:
    """The gzip stream of :func:`_csv` cut where its first half of rows ends: everything
    before the cut is flushed (``Z_FULL_FLUSH``), so the readable data ends at a line
    end — a copy interrupted there."""
    lines = _csv(rows).splitlines(keepends=True)
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    return deflate.compress(b"".join(lines[: rows // 2 + 1])) + deflate.flush(zlib.Z_FULL_FLUSH)


_run = run_import


def test_duckdb_alone_reads_a_cut_gzip_file_silently(tmp_path: Path) -> None:
    (tmp_path / "calls.csv.gz").write_bytes(_cut_at_a_line_end())
    read = duckdb.connect().execute(
        f"SELECT count(*) FROM read_csv('{tmp_path / 'calls.csv.gz'}', header = true)"
    ).fetchone()
    assert read == (ROWS // 2,)


def test_a_cut_gzip_export_is_refused_by_name_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "calls.csv.gz").write_bytes(_cut_at_a_line_end())
    (tmp_path / "m.toml").write_text(MAPPING)
    out = tmp_path / "out"
    code, output = _run("csv", tmp_path / "calls.csv.gz", "--mapping", tmp_path / "m.toml",
                        "--out", out)
    assert code == 3, output
    assert "calls.csv.gz: it is cut short" in output and "nothing was imported" in output
    assert not out.exists() or not any(out.glob("contacts*"))
    # the whole file imports every row
    (tmp_path / "calls.csv.gz").write_bytes(gzip.compress(_csv()))
    code, output = _run("csv", tmp_path / "calls.csv.gz", "--mapping", tmp_path / "m.toml",
                        "--out", out)
    assert code == 0, output
    assert pq.read_table(out / "contacts.parquet").num_rows == ROWS


def test_bytes_that_are_not_gzip_are_named(tmp_path: Path) -> None:
    (tmp_path / "tickets.json.gz").write_bytes(gzip.compress(b'{"tickets": []}')[:10] +
                                               b"\xff" * 40)
    code, output = _run("zendesk", tmp_path / "tickets.json.gz", "--out", tmp_path / "out")
    assert code == 3, output
    assert "tickets.json.gz: it is not readable gzip data" in output


@pytest.mark.parametrize("name, content", [
    ("calls.csv", b""), ("calls.csv", b"\n \n"), ("calls.csv.gz", gzip.compress(b"", mtime=0)),
], ids=["empty", "blank-lines", "empty-gzip"])
def test_an_empty_input_says_so(tmp_path: Path, name: str, content: bytes) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "m.toml").write_text(MAPPING)
    code, output = _run("csv", tmp_path / name, "--mapping", tmp_path / "m.toml",
                        "--out", tmp_path / "out")
    assert code == 3 and f"nothing to import: {tmp_path / name} holds no data" in output


def test_an_empty_file_beside_others_is_no_problem(tmp_path: Path) -> None:
    folder = tmp_path / "daily"
    folder.mkdir()
    (folder / "2024-03-04.csv").write_bytes(b"")  # a day without calls
    (folder / "2024-03-05.csv").write_bytes(_csv(3))
    (tmp_path / "m.toml").write_text(MAPPING)
    code, output = _run("csv", folder, "--mapping", tmp_path / "m.toml",
                        "--out", tmp_path / "out")
    assert code == 0, output
    assert pq.read_table(tmp_path / "out" / "contacts.parquet").num_rows == 3


def test_an_empty_json_export_is_not_a_missing_column(tmp_path: Path) -> None:
    (tmp_path / "tickets.json").write_bytes(b"")
    code, output = _run("zendesk", tmp_path / "tickets.json", "--out", tmp_path / "out")
    assert code == 3 and "nothing to import" in output and "columns: json" not in output


def test_a_mapped_column_the_source_lacks_is_named_with_the_source_columns(
        tmp_path: Path) -> None:
    (tmp_path / "calls.csv").write_bytes(_csv(2))
    (tmp_path / "m.toml").write_text(MAPPING.replace('queue = "q"', 'queue = "queue_name"'))
    code, output = _run("csv", tmp_path / "calls.csv", "--mapping", tmp_path / "m.toml",
                        "--out", tmp_path / "out")
    assert code == 2, output
    assert "column queue = 'queue_name': no column 'queue_name' in the source " \
           "(its columns: id, q, t)" in output
    assert "Binder Error" not in output
    # a near miss is suggested
    (tmp_path / "m.toml").write_text(MAPPING.replace('contact_id = "id"', 'contact_id = "idd"'))
    code, output = _run("csv", tmp_path / "calls.csv", "--mapping", tmp_path / "m.toml",
                        "--out", tmp_path / "out")
    assert code == 2 and "no column 'idd' in the source; did you mean 'id'?" in output


def _queue_log(calls: int) -> bytes:
    return "".join(f"{1709280000 + i * 10}|{1709280000 + i}.1|q1|NONE|ENTERQUEUE||555{i}|1\n"
                   for i in range(calls)).encode()


def test_a_cut_rotated_queue_log_imports_what_it_can_and_goes_on_later(
        tmp_path: Path) -> None:
    whole = gzip.compress(_queue_log(5000), mtime=0)
    log = tmp_path / "queue_log.1.gz"
    log.write_bytes(whole[: len(whole) // 2])
    out = tmp_path / "out"
    code, output = _run("asterisk-queue-log", log, "--out", out)
    assert code == 3, output
    assert f"{log} is cut short" in output and "goes on from the last line read" in output
    first = int(output.split(" new line(s) read")[0].split()[-1])
    assert 0 < first < 5000
    # a whole copy: the lines after the damage, each read once
    log.write_bytes(whole)
    code, output = _run("asterisk-queue-log", log, "--out", out)
    assert code == 0, output
    second = int(output.split(" new line(s) read")[0].split()[-1])
    assert first + second == 5000
    assert "is cut short" not in output


def test_a_cut_transcript_export_is_refused_by_name(tmp_path: Path) -> None:
    messages = "".join(
        f'{{"conversation_id": {i}, "ts": "2024-03-05T09:{i % 60:02d}:00Z", '
        f'"sender": "customer"}}\n' for i in range(2000)).encode()
    lines = messages.splitlines(keepends=True)
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    cut = deflate.compress(b"".join(lines[:1000])) + deflate.flush(zlib.Z_FULL_FLUSH)
    (tmp_path / "chat.jsonl.gz").write_bytes(cut)
    (tmp_path / "m.toml").write_text("inactivity_timeout_seconds = 60\n")
    code, output = _run("transcripts", tmp_path / "chat.jsonl.gz", "--mapping",
                        tmp_path / "m.toml", "--out", tmp_path / "out")
    assert code == 3 and "chat.jsonl.gz: it is cut short" in output, output


def test_json_exports_saved_by_a_windows_tool_import(tmp_path: Path) -> None:
    """A byte-order mark before the first object: DuckDB's JSON reader refuses it ("BOM is
    not supported"), so the import stopped; it now reads a copy without the mark. The
    same conversation as tests/unit/connectors/test_transcripts.py's inbound chat."""
    lines = (b'{"conversation_id": 52, "ts": "2024-03-05T09:10:00Z", "sender": "customer"}\r\n'
             b'{"conversation_id": 52, "ts": "2024-03-05T09:10:45Z", "sender": "agent", '
             b'"agent_id": "op2"}\r\n')
    for name, data in (("chat.jsonl", b"\xef\xbb\xbf" + lines),
                       ("chat.jsonl.gz", gzip.compress(b"\xef\xbb\xbf" + lines, mtime=0))):
        folder = tmp_path / name
        folder.mkdir()
        (folder / name).write_bytes(data)
        (folder / "m.toml").write_text("inactivity_timeout_seconds = 60\n")
        code, output = _run("transcripts", folder / name, "--mapping", folder / "m.toml",
                            "--out", folder / "out")
        assert code == 0, output
        rows = pq.read_table(folder / "out" / "contacts.parquet").to_pylist()
        assert [(r["contact_id"], r["agent_id"]) for r in rows] == [("52", "op2")]
