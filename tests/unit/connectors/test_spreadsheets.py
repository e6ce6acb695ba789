"""Excel workbooks as a mapped import's source (``[source] format = "xlsx"``,
``connectors/spreadsheets.py``): the sheet's rows as CSV lines, values as Excel shows
them, blank rows counted, every mistake a clear error."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app

MAPPING = '''table = "contacts"
[source]
format = "xlsx"
[columns]
contact_id = "id"
channel = "'voice'"
queue = "queue"
arrived_at = "CAST(t AS TIMESTAMP)"
transferred = "CAST(moved AS BOOLEAN)"
handle_seconds = "CAST(talk AS DOUBLE)"
'''


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    calls = book.active
    assert calls is not None
    calls.title = "Calls"
    calls.append(["id", "queue", "t", "moved", "talk"])
    calls.append([1001, "Продажі", datetime(2024, 3, 5, 12, 0), False, 95.0])
    calls.append([])  # a blank row between the days
    calls.append([1002, "Sales", datetime(2024, 3, 5, 12, 5, 30), True, 12.5])
    for _ in range(3):  # the formatted end of the sheet
        calls.append([None, None])
    book.create_sheet("Notes").append(["nothing to import"])
    book.save(path)
    return path


def _import(tmp_path: Path, source: Path, mapping: str = MAPPING) -> tuple[int, str, Path]:
    (tmp_path / "m.toml").write_text(mapping)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", "xlsx", str(source), "--mapping",
                                      str(tmp_path / "m.toml"), "--out", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split()), out


def test_a_sheet_imports_as_excel_shows_it(tmp_path: Path) -> None:
    code, said, out = _import(tmp_path, _workbook(tmp_path / "calls.xlsx"))
    assert code == 0, said
    rows = pq.read_table(out / "contacts.parquet").to_pylist()
    assert [(r["contact_id"], r["queue"], r["arrived_at"], r["transferred"],
             r["handle_seconds"]) for r in rows] == [
        ("1001", "Продажі", datetime(2024, 3, 5, 12, 0), False, 95.0),  # 1001, not 1001.0
        ("1002", "Sales", datetime(2024, 3, 5, 12, 5, 30), True, 12.5)]
    # rows read: two calls and the blank row between them, not the sheet's formatted end
    assert "│ contacts │ 3 │ 2 │ 1 │ 0 │" in said
    assert "1 a blank row of the sheet (no value in any cell)" in said
    assert not (out / "rejects.csv").exists()


def test_a_named_sheet(tmp_path: Path) -> None:
    book = _workbook(tmp_path / "calls.xlsx")
    other = openpyxl.load_workbook(book)
    other.move_sheet("Notes", offset=-1)  # the calls are no longer the first sheet
    other.save(book)
    code, said, _ = _import(tmp_path, book)
    assert code == 2 and "no column 'id' in the source" in said, said
    named = MAPPING.replace('format = "xlsx"', 'format = "xlsx"\nsheet = "Calls"')
    code, said, out = _import(tmp_path, book, named)
    assert code == 0, said
    assert pq.read_table(out / "contacts.parquet").num_rows == 2


@pytest.mark.parametrize(("name", "content", "mapping_change", "code", "message"), [
    ("calls.xlsx", None, ('format = "xlsx"', 'format = "xlsx"\nsheet = "Anrufe"'), 2,
     "has no sheet 'Anrufe' (its sheets: Calls, Notes)"),
    ("calls.xlsx", b"id,queue\n1,a\n", None, 3, "cannot read"),
    ("calls.xls", b"\xd0\xcf\x11\xe0 an old workbook", None, 2,
     "an Excel 97–2003 workbook (.xls) is not read; save it as .xlsx"),
])
def test_a_workbook_that_cannot_be_read_is_a_clear_error(
        tmp_path: Path, name: str, content: bytes | None,
        mapping_change: tuple[str, str] | None, code: int, message: str) -> None:
    source = tmp_path / name
    if content is None:
        _workbook(source)
    else:
        source.write_bytes(content)
    mapping = MAPPING.replace(*mapping_change) if mapping_change else MAPPING
    got, said, out = _import(tmp_path, source, mapping)
    assert got == code and message in said, said
    assert not (out / "contacts.parquet").exists()


def test_a_workbook_given_to_a_csv_mapping_says_which_format_to_set(tmp_path: Path) -> None:
    code, said, out = _import(tmp_path, _workbook(tmp_path / "calls.xlsx"),
                              MAPPING.replace('format = "xlsx"', 'format = "csv"'))
    assert code == 2 and 'is a zip archive, not text: an Excel workbook is read with ' \
        '[source] format = "xlsx"' in said, said
    assert not (out / "contacts.parquet").exists()
