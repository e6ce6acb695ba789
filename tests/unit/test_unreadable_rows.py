"""Rows a reader cannot read (a short or long CSV row, bytes that are not UTF-8, a NUL byte,
a JSON Lines line that is not a JSON object, a gzip file cut short) are quarantined one by
one with file, line and reason; the other rows load.

Before, each of these rejected the whole file with a false "required column is missing"
or a raw DuckDB error of many lines. Numbering: a CSV problem names the line of the file
(the header is line 1) and the data row (``line 3 (row 2)``); a JSON Lines problem names
the row, the n-th line holding a value (the line number when the file has no blank lines).
"""

from __future__ import annotations

import gzip
import json
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.schema import validation_cache
from omnikpi.schema.dataset import Dataset, load_dataset

HEADER = b"contact_id,channel,queue,arrived_at,first_response_at,ended_at\n"


def instant(n: int, seconds: int = 0) -> str:
    at = datetime(2024, 3, 4, tzinfo=UTC) + timedelta(seconds=3 * n + seconds)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_row(n: int) -> bytes:
    """A good call c<n>: arrived at 3n s past midnight, answered 1 s later, ended 1 s later."""
    return f"c{n},voice,q,{instant(n)},{instant(n, 1)},{instant(n, 2)}\n".encode()


def json_row(n: int) -> bytes:
    return json.dumps({"contact_id": f"c{n}", "channel": "voice", "queue": "q",
                       "arrived_at": instant(n), "first_response_at": instant(n, 1),
                       "ended_at": instant(n, 2)}).encode() + b"\n"


def offered(data: Path | Dataset) -> int:
    rows = omnikpi.report_result(data, metrics=["offered"]).rows
    return int(rows[0]["offered"])


def problems(data: Dataset) -> list[str]:
    return [str(p) for p in data.problems]


def validate(folder: Path) -> str:
    result = CliRunner().invoke(app, ["validate", "--data", str(folder), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for noise in ("Possible Solution", "LINE 1", "Original Line", "required column"):
        assert noise not in result.output
    return result.output


# one bad row at line 3 of contacts.csv, between good rows: (the line, the reason)
CSV_DEFECTS: dict[str, tuple[bytes, str]] = {
    "short row": (b"c2,voice,q,2024-03-04T10:02:00Z,\n", "row has 5 fields, the header has 6"),
    "extra field": (b"c2,voice,q,2024-03-04T10:02:00Z,,,surplus\n",
                    "row has 7 fields, the header has 6"),
    "not UTF-8": (b"c2,voice,q\xff,2024-03-04T10:02:00Z,,\n", "not valid UTF-8"),
    "NUL byte": (b"c2,voice,q\x00x,2024-03-04T10:02:00Z,,\n", "NUL byte in a value"),
}


@pytest.mark.parametrize("late", [False, True], ids=["early", "late"])
@pytest.mark.parametrize("defect", list(CSV_DEFECTS))
def test_a_bad_csv_row_is_quarantined_and_the_rest_loads(
    tmp_path: Path, defect: str, late: bool
) -> None:
    line, reason = CSV_DEFECTS[defect]
    # late: the bad row lies beyond the part of the file DuckDB samples for its dialect
    before = 25_000 if late else 1
    good = [csv_row(n) for n in range(1, before + 1)]
    after = [csv_row(before + 2), csv_row(before + 3)]
    (tmp_path / "contacts.csv").write_bytes(HEADER + b"".join([*good, line, *after]))
    data = load_dataset(tmp_path, cache=False)
    assert offered(data) == before + 2
    load = data.loads["contacts"]
    assert (load.rows_read, load.rows_loaded, load.quarantined) == (before + 3, before + 2, 1)
    bad_line = before + 2  # header, the good rows, then the bad one
    assert len(data.problems) == data.problem_count == 1
    assert problems(data)[0].startswith(f"contacts.csv line {bad_line} (row {bad_line - 1}):")
    assert reason in problems(data)[0]
    if not late:
        assert "contacts.csv line 3 (row 2):" in validate(tmp_path)


def test_several_bad_rows_keep_the_numbering_of_the_rows_after_them(tmp_path: Path) -> None:
    lines = [
        csv_row(1),
        CSV_DEFECTS["short row"][0],
        csv_row(3),
        CSV_DEFECTS["extra field"][0].replace(b"c2,", b"c4,"),
        CSV_DEFECTS["not UTF-8"][0].replace(b"c2,", b"c5,"),
        CSV_DEFECTS["NUL byte"][0].replace(b"c2,", b"c6,"),
        csv_row(7),
        # a rule broken after the unreadable rows: answered before it arrived
        b"c8,voice,q,2024-03-04T10:08:00Z,2024-03-04T10:07:00Z,2024-03-04T10:09:00Z\n",
        csv_row(9),
    ]
    (tmp_path / "contacts.csv").write_bytes(HEADER + b"".join(lines))
    data = load_dataset(tmp_path, cache=False)
    assert offered(data) == 4  # c1, c3, c7, c9
    load = data.loads["contacts"]
    assert (load.rows_read, load.rows_loaded, load.quarantined) == (9, 4, 5)
    assert problems(data) == [
        "contacts.csv line 3 (row 2): row has 5 fields, the header has 6",
        "contacts.csv line 5 (row 4): row has 7 fields, the header has 6",
        "contacts.csv line 6 (row 5): not valid UTF-8 (column queue): save the file as "
        "UTF-8, or import it naming its encoding (--encoding cp1251 for Windows Cyrillic)",
        "contacts.csv line 7 (row 6): column queue: NUL byte in a value",
        "contacts.csv line 9 (row 8): column first_response_at: "
        "first_response_at is before arrived_at",
    ]
    ids = sorted(r[0] for r in data.con.execute("SELECT contact_id FROM contacts").fetchall())
    assert ids == ["c1", "c3", "c7", "c9"]
    output = validate(tmp_path)
    assert "contacts: 9 rows, 4 loaded, 5 quarantined" in output
    assert "5 problem(s); dataset usable" in output


JSON_DEFECTS: dict[str, tuple[bytes, str]] = {
    "not JSON": (b"{not json\n", "not valid JSON"),
    "an array": (b'["c2", "voice"]\n', "not a JSON object (an array)"),
    "a number": (b"42\n", "not a JSON object (a number)"),
    "not UTF-8": (b'{"contact_id": "c2", "queue": "q\xff"}\n', "not valid UTF-8"),
    "raw NUL byte": (b'{"contact_id": "c2", "queue": "q\x00"}\n', "NUL byte in a value"),
    "escaped NUL": (json_row(2).replace(b'"q"', b'"q\\u0000"'),
                    "column queue: NUL byte in a value"),
}


@pytest.mark.parametrize("defect", list(JSON_DEFECTS))
def test_a_bad_json_line_is_quarantined_and_the_rest_loads(tmp_path: Path, defect: str) -> None:
    line, reason = JSON_DEFECTS[defect]
    (tmp_path / "contacts.jsonl").write_bytes(
        json_row(1) + line + json_row(3) + json_row(4))
    data = load_dataset(tmp_path, cache=False)
    assert offered(data) == 3
    load = data.loads["contacts"]
    assert (load.rows_read, load.rows_loaded, load.quarantined) == (4, 3, 1)
    assert len(problems(data)) == 1
    assert problems(data)[0].startswith("contacts.jsonl row 2:")
    assert reason in problems(data)[0]
    assert "contacts.jsonl row 2:" in validate(tmp_path)


def test_bad_json_lines_keep_the_numbering_of_the_rows_after_them(tmp_path: Path) -> None:
    late_rule = json.loads(json_row(6))
    late_rule["first_response_at"] = "2024-03-03T23:00:00Z"  # before it arrived
    (tmp_path / "contacts.jsonl").write_bytes(
        json_row(1) + b"{not json\n" + json_row(3) + b"[1, 2]\n" + json_row(5)
        + json.dumps(late_rule).encode() + b"\n" + json_row(7))
    data = load_dataset(tmp_path, cache=False)
    assert offered(data) == 4
    found = problems(data)
    assert [p.split(":")[0] for p in found] == [
        "contacts.jsonl row 2", "contacts.jsonl row 4", "contacts.jsonl row 6"]
    assert "first_response_at is before arrived_at" in found[2]


def cut_gzip(body: bytes) -> tuple[bytes, int]:
    """A gzip of ``body`` cut in the middle, and the number of complete lines before the cut."""
    whole = gzip.compress(body)
    cut = whole[: len(whole) // 2]
    inflate = zlib.decompressobj(wbits=31)
    readable = inflate.decompress(cut) + inflate.flush()
    return cut, readable.count(b"\n")


def test_a_truncated_csv_gzip_loads_the_complete_lines(tmp_path: Path) -> None:
    body = HEADER + b"".join(csv_row(n) for n in range(1, 400))
    cut, complete = cut_gzip(body)
    (tmp_path / "contacts.csv.gz").write_bytes(cut)
    data = load_dataset(tmp_path, cache=False)
    assert 50 < complete < 350
    assert offered(data) == complete - 1  # the complete lines but the header
    found = problems(data)
    assert len(found) == 1
    assert found[0].startswith("contacts.csv.gz")
    assert f"truncated after line {complete}" in found[0]
    load = data.loads["contacts"]
    # the line cut in the middle is a quarantined row
    assert (load.rows_read, load.rows_loaded) == (complete, complete - 1)
    assert f"truncated after line {complete}" in validate(tmp_path)


def test_a_truncated_json_lines_gzip_loads_the_complete_lines(tmp_path: Path) -> None:
    body = b"".join(json_row(n) for n in range(1, 400))
    cut, complete = cut_gzip(body)
    (tmp_path / "contacts.jsonl.gz").write_bytes(cut)
    data = load_dataset(tmp_path, cache=False)
    assert offered(data) == complete
    found = problems(data)
    assert len(found) == 1
    assert found[0].startswith(f"contacts.jsonl.gz row {complete + 1}:")
    assert f"truncated after line {complete}" in found[0]


def test_a_gzip_cut_at_the_end_of_a_line_is_reported(tmp_path: Path) -> None:
    body = HEADER + b"".join(csv_row(n) for n in range(1, 400))
    whole = gzip.compress(body)
    # cut at a line end: only the trailer (checksum and size) is missing
    (tmp_path / "contacts.csv.gz").write_bytes(whole[:-8])
    data = load_dataset(tmp_path, cache=False)
    assert offered(data) == 399
    assert problems(data) == [
        "contacts.csv.gz: the file is truncated after line 400: anything after it is lost"]
    assert data.loads["contacts"].quarantined == 0


def test_a_file_with_no_readable_line_is_unusable_with_a_short_message(tmp_path: Path) -> None:
    (tmp_path / "contacts.jsonl").write_bytes(b"{not json\n[1]\n")
    data = load_dataset(tmp_path, cache=False)
    assert not data.usable
    assert len(data.problems) == 1 and data.problems[0].fatal
    assert "\n" not in data.problems[0].message
    assert "no line of the file can be read" in data.problems[0].message


def test_an_empty_file_is_one_problem_and_the_summary_names_what_cannot_be_read(
        tmp_path: Path) -> None:
    """A 0-byte availability.csv was four "required column is missing" lines, a file of
    rows without a required column read "0 rows, 0 loaded, 0 quarantined", and the
    verdict "dataset not usable" did not say the other tables were fine."""
    (tmp_path / "contacts.csv").write_bytes(HEADER + csv_row(1) + csv_row(2))
    (tmp_path / "availability.csv").write_bytes(b"")
    (tmp_path / "surveys.csv").write_text("contact_id,survey,score\nc1,csat,5\nc2,csat,1\n")
    result = CliRunner().invoke(app, ["validate", "--data", str(tmp_path), "--no-cache"])
    said = [" ".join(line.split()) for line in result.output.splitlines()]
    assert result.exit_code == 3
    assert "availability.csv: the file is empty: not even a header line (it needs the " \
        "columns channel, start, end, status)" in said
    assert sum("availability.csv" in line for line in said) == 1
    assert "availability: not loaded (see its problems above) — unusable" in said
    assert "surveys: not loaded (see its problems above) — unusable" in said
    assert "contacts: 2 rows, 2 loaded, 0 quarantined — ok" in said
    assert " ".join(said[-2:]).endswith(
        "dataset not usable: availability, surveys cannot be read (the metrics that need "
        "them stop; the other tables are ready)")


def test_a_gzip_cut_in_its_first_line_is_unusable(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv.gz").write_bytes(gzip.compress(HEADER + csv_row(1))[:15])
    data = load_dataset(tmp_path, cache=False)
    assert [str(p) for p in data.problems] == [
        "contacts.csv.gz: the file is truncated within its first line: nothing can be read"]
    assert not data.usable


def test_a_column_really_missing_is_still_reported_so(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_bytes(
        b"contact_id,channel,arrived_at\nc1,voice,2024-03-04T10:00:00Z\nc2,voice\n")
    data = load_dataset(tmp_path, cache=False)
    assert [str(p) for p in data.problems] == [
        "contacts.csv: column queue: required column is missing"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIKPI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OMNIKPI_CACHE_MIN_BYTES", "0")
    monkeypatch.delenv("OMNIKPI_CACHE", raising=False)
    monkeypatch.setattr(validation_cache, "RACY_NS", 0)


def summary(data: Dataset) -> dict[str, Any]:
    load = data.loads["contacts"]
    ids = sorted(r[0] for r in data.con.execute("SELECT contact_id FROM contacts").fetchall())
    return {"offered": offered(data), "problems": problems(data), "count": data.problem_count,
            "rows": (load.rows_read, load.rows_loaded, load.quarantined), "ids": ids}


@pytest.mark.usefixtures("cache")
@pytest.mark.parametrize("kind", ["csv", "jsonl", "csv.gz"])
def test_the_validation_cache_gives_the_same_result(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    if kind == "csv":
        # a duplicate id after the unreadable rows: quarantined by its row number
        (folder / "contacts.csv").write_bytes(
            HEADER + csv_row(1) + CSV_DEFECTS["short row"][0] + csv_row(3)
            + CSV_DEFECTS["not UTF-8"][0].replace(b"c2,", b"c4,") + csv_row(5) + csv_row(1))
    elif kind == "jsonl":
        (folder / "contacts.jsonl").write_bytes(
            json_row(1) + b"{not json\n" + json_row(3) + json_row(1))
    else:
        body = HEADER + b"".join(csv_row(n) for n in range(1, 400)) + csv_row(1)
        (folder / "contacts.csv.gz").write_bytes(cut_gzip(body)[0])
    first = load_dataset(folder)
    second = load_dataset(folder)
    assert not first.from_cache and second.from_cache
    assert summary(first) == summary(second)
    expected = "the file is truncated" if kind == "csv.gz" else "duplicate contact_id 'c1'"
    assert any(expected in p for p in problems(second))
    assert second.loads["contacts"].quarantined > 0


def test_a_table_of_which_no_row_loads_is_not_said_ok(tmp_path: Path) -> None:
    """Every instant unreadable: "2 rows, 0 loaded, 2 quarantined — ok" said the table was
    fine while every metric on it read 0."""
    (tmp_path / "contacts.csv").write_text("contact_id,channel,queue,arrived_at\n"
                                           "c1,voice,q,yesterday\nc2,voice,q,soon\n")
    done = CliRunner().invoke(app, ["validate", "--data", str(tmp_path)])
    output = " ".join(done.output.split())
    assert ("contacts: 2 rows, 0 loaded, 2 quarantined — no row loaded (see its problems "
            "above)") in output, output
    # and the dataset is not usable (exit 3, as ``report`` on it): "dataset usable" with
    # exit 0 told a nightly check all was well
    assert done.exit_code == 3
    assert "dataset not usable: contacts has no row loaded (the metrics that need it stop" in \
        " ".join(done.output.split())
    shown = json.loads(CliRunner().invoke(app, ["validate", "--data", str(tmp_path),
                                                "--format", "json"]).stdout)
    assert shown["usable"] is False and shown["tables"]["contacts"]["usable"] is False


def test_a_report_on_a_table_of_which_no_row_loads_is_bad_data(tmp_path: Path) -> None:
    """Every instant unreadable: the report said offered 0 with exit 0 (a nightly script
    took it for a quiet day). A table a reported metric reads with rows and none loaded
    is bad data (exit 3, the contract's "unparsable required column"), named with its
    first problem; a report of metrics not reading it runs."""
    (tmp_path / "contacts.csv").write_text("contact_id,channel,queue,arrived_at\n"
                                           "c1,voice,q,yesterday\nc2,voice,q,soon\n")
    (tmp_path / "costs.csv").write_text("period_start,period_end,category,amount\n"
                                        "2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,staff,100\n")
    done = CliRunner().invoke(app, ["report", "--data", str(tmp_path), "--metrics",
                                    "offered", "--format", "json"])
    said = " ".join(done.output.split())
    assert done.exit_code == 3, said
    assert ("contacts: none of its 2 row(s) could be loaded, so the report would read "
            "nothing (first: contacts.csv line 2 (row 1): column arrived_at:") in said
    costs = CliRunner().invoke(app, ["report", "--data", str(tmp_path), "--metrics",
                                     "total_cost", "--format", "json"])
    assert costs.exit_code == 0, costs.output
