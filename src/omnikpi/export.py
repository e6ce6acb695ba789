"""Writing report rows as JSON, CSV or XLSX (the CLI, the API and the UI share this)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from omnikpi.engine.result import ReportResult
from omnikpi.errors import UsageError

FORMATS = ("table", "json", "csv", "xlsx")


def to_json_text(result: ReportResult) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False, indent=1)


def to_csv_text(result: ReportResult) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=result.columns, lineterminator="\n")
    writer.writeheader()
    for row in result.rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue()


def write_xlsx(result: ReportResult, path: Path) -> None:
    """An Excel sheet with real numbers (ratios formatted as percent, not text)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "report"
    sheet.append(result.columns)
    for row in result.rows:
        sheet.append([row.get(c) for c in result.columns])
    for index, column in enumerate(result.columns, start=1):
        unit = result.metrics.get(column, {}).get("unit")
        if unit == "ratio":
            for cell in sheet.iter_cols(min_col=index, max_col=index, min_row=2):
                for c in cell:
                    c.number_format = "0.0%"
    meta = book.create_sheet("parameters")
    meta.append(["metric", "unit", "parameters"])
    for metric_id, info in result.metrics.items():
        meta.append([metric_id, info["unit"], json.dumps(info["params"])])
    book.save(path)


def write(result: ReportResult, fmt: str, output: Path | None) -> str | None:
    """Write to ``output`` (or return text for stdout); XLSX needs a file."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "xlsx":
        if output is None:
            raise UsageError("--format xlsx needs --output FILE.xlsx")
        write_xlsx(result, output)
        return None
    text: Any = to_json_text(result) if fmt == "json" else to_csv_text(result)
    if output is None:
        return str(text)
    output.write_text(text, encoding="utf-8")
    return None


def write_pdf(result: ReportResult, path: Path, title: str) -> None:
    """A printable PDF table (fpdf2, pure Python: no browser or system library needed)."""
    from fpdf import FPDF

    from omnikpi.formatting import human

    pdf = FPDF(orientation="L" if len(result.columns) > 6 else "P", unit="mm", format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 13)
    pdf.cell(0, 9, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=8)
    width = (pdf.w - 2 * pdf.l_margin) / max(1, len(result.columns))
    pdf.set_fill_color(230, 236, 242)
    for column in result.columns:
        pdf.cell(width, 6, _latin(column)[:28], border=1, fill=True)
    pdf.ln()
    for row in result.rows:
        for column in result.columns:
            unit = result.metrics.get(column, {}).get("unit")
            value = human(row.get(column), unit) if unit else (row.get(column) or "")
            pdf.cell(width, 5.5, _latin(str(value))[:32], border=1,
                     align="R" if unit else "L")
        pdf.ln()
    pdf.set_font("helvetica", "I", 7)
    pdf.ln(3)
    for metric_id, info in result.metrics.items():
        params = ", ".join(f"{k}={v}" for k, v in info["params"].items()) or "defaults"
        pdf.multi_cell(0, 4, _latin(f"{metric_id} ({info['unit']}): {params}"),
                       new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def _latin(text: str) -> str:
    """The core PDF fonts cover Latin-1 only; other characters become '?'."""
    return text.replace("—", "-").replace("…", "...").encode("latin-1", "replace").decode(
        "latin-1")
