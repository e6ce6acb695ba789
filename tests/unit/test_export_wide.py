"""Wide reports printed and opened by people: a PDF of 24 to 70 metrics, a queue named in
290 characters, an XLSX with a name longer than its column.

Found on the demo data: headings split mid-word ("Abandone|d", "(h:mm:ss|)"), numbers
split ("4,84|0", "15:02|:34"), at 60 metrics ``FPDFException: Not enough horizontal space
to render a single character``; "Offe|red" beside a 290-character queue; in the XLSX an
88-character queue cut off at the column's edge. The PDF's text is read as fpdf wrote it,
line by line of each cell (pypdf's text visitor), so a value broken over two lines shows.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.engine.registry import metric_dimensions
from omnikpi.engine.result import ReportResult
from omnikpi.export import TABLE_ROW, columns, pdf_table, write_pdf, write_xlsx
from omnikpi.metrics.base import all_metrics

CAPTION = {"en": re.compile(r"Columns (\d+)–(\d+) of (\d+)"),
           "ru": re.compile(r"Столбцы (\d+)–(\d+) из (\d+)"),
           "uk": re.compile(r"Стовпці (\d+)–(\d+) з (\d+)")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo data (nothing is written into the package's)."""
    target = tmp_path_factory.mktemp("wide") / "demo"
    shutil.copytree(DEMO_DATA_DIR, target)
    return target


def _demo_metrics(demo: Path, by: str | None = None) -> list[str]:
    """The metrics the demo's tables give (no table metric such as time_in_state)."""
    tables = {p.stem for p in demo.glob("*.csv")}
    return [m.id for m in all_metrics() if set(m.tables) <= tables and m.key_column is None
            and (by is None or by in metric_dimensions(m))]


@pytest.fixture(scope="module")
def every_metric(demo: Path) -> ReportResult:
    """64 metrics over the whole period: one row."""
    result = omnikpi.report_result(demo, metrics=_demo_metrics(demo))
    assert len(result.metrics) >= 60
    return result


def _widened(result: ReportResult, count: int) -> ReportResult:
    """``result`` with ``count`` metric columns (copies of its own under new ids)."""
    metric_ids = list(result.metrics)
    values = dict(result.values)
    metrics = dict(result.metrics)
    extra = [f"copy_of_{metric_ids[i % len(metric_ids)]}"
             for i in range(max(0, count - len(metric_ids)))]
    for name, source in zip(extra, metric_ids, strict=False):
        values[name] = values[source]
        metrics[name] = metrics[source]
    keep = [*(c for c in result.columns if c not in result.metrics),
            *metric_ids[:count], *extra]
    metrics = {m: metrics[m] for m in keep if m in metrics}
    values = {k: values[k] for k in keep}
    return dataclasses.replace(result, values=values, metrics=metrics, columns=keep)


def _plain(text: str) -> str:
    """Spaces as spaces (ru and uk group digits with a no-break space)."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _fragments(path: Path) -> list[str]:
    """The PDF's text as fpdf wrote it: one piece per line of a cell."""
    found: list[str] = []
    for page in PdfReader(path).pages:
        page.extract_text(visitor_text=lambda text, *_: found.append(_plain(text))
                          if text.strip() else None)
    return found


def _assert_nothing_broken(result: ReportResult, path: Path, lang: str) -> list[str]:
    """Every value is one line of its cell, whole; every word of a heading is whole."""
    pieces = _fragments(path)
    labels, body = pdf_table(result, columns(result, lang), lang)
    labels = [_plain(label) for label in labels]
    body = [[_plain(value) for value in row] for row in body]
    shown = set(pieces)
    words = {w for piece in pieces for w in piece.split()}
    cols = columns(result, lang)
    for row in body:
        for column, value in zip(cols, row, strict=True):
            if column.unit is not None or column.key == "period_start":
                assert value in shown, (column.key, value)
    missing = [(label, w) for label in labels for w in label.split() if w not in words]
    assert missing == []
    return pieces


def _groups(pieces: list[str], lang: str) -> list[tuple[int, int, int]]:
    return [tuple(int(n) for n in m.groups())  # type: ignore[misc]
            for m in (CAPTION[lang].fullmatch(p) for p in pieces) if m]


@pytest.mark.parametrize("count", [24, 36, 60, 64, 70])
def test_a_pdf_of_many_metrics_splits_into_column_groups(
        tmp_path: Path, every_metric: ReportResult, count: int) -> None:
    result = _widened(every_metric, count)
    assert len(result.columns) == count
    path = tmp_path / f"m{count}.pdf"
    write_pdf(result, path)  # at 60 metrics: "Not enough horizontal space"
    pieces = _assert_nothing_broken(result, path, "en")
    groups = _groups(pieces, "en")
    assert len(groups) >= 2
    # the groups cover the columns in order, each once
    assert groups[0][0] == 1 and groups[-1][1] == count
    assert all(g[2] == count for g in groups)
    assert all(b[0] == a[1] + 1 for a, b in pairwise(groups))
    # about even: no group of one beside groups of twenty
    sizes = [last - first + 1 for first, last, _ in groups]
    assert max(sizes) - min(sizes) <= max(sizes) // 2, sizes
    text = " ".join(pieces)
    assert "Metric parameters" in text and re.search(r"Page 1 of \d+", text)


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_column_groups_in_russian_and_ukrainian(tmp_path: Path, every_metric: ReportResult,
                                                lang: str) -> None:
    result = _widened(every_metric, 60)
    path = tmp_path / f"{lang}.pdf"
    write_pdf(result, path, lang=lang)
    pieces = _assert_nothing_broken(result, path, lang)
    groups = _groups(pieces, lang)
    assert len(groups) >= 2 and groups[-1][1:] == (60, 60)
    assert not any(CAPTION["en"].search(p) for p in pieces)
    assert "?" not in "".join(pieces)  # the DejaVu font prints Cyrillic


def test_the_row_columns_repeat_in_every_group(tmp_path: Path, demo: Path) -> None:
    """By channel and day: each group starts with the channel and the day of each row."""
    metrics = _demo_metrics(demo, by="channel")
    result = omnikpi.report_result(demo, metrics=metrics, by=["channel"], grain="day")
    path = tmp_path / "by_channel.pdf"
    write_pdf(result, path)
    pieces = _assert_nothing_broken(result, path, "en")
    groups = _groups(pieces, "en")
    assert len(groups) >= 2
    assert groups[-1][1:] == (len(result.columns), len(result.columns))
    # "Channel" and "Period start" head every group (and every page of a group)
    assert pieces.count("Channel") >= len(groups)
    assert sum(p.startswith("Period") for p in pieces) >= len(groups)
    labels, body = pdf_table(result, columns(result, "en"), "en")
    assert labels[:2] == ["Channel", "Period start"]
    for channel, day, *_ in body:
        # a row's cut and period in each group
        assert pieces.count(day) >= len(groups) and pieces.count(channel) >= len(groups)


def _long_queue(folder: Path, name: str) -> Path:
    """The demo's contacts with the queue ``mail`` renamed ``name``."""
    shutil.copytree(DEMO_DATA_DIR, folder)
    path = folder / "contacts.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["queue"] == "mail":
            row["queue"] = name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


LONG_NAME = " ".join(["customer care escalations for premium retail banking clients"] * 5)
"""A queue named in 304 characters, in words."""
LONG_TOKEN = "x" * 290
"""A queue named in one token of 290 characters."""


@pytest.mark.parametrize("name", [LONG_NAME, LONG_TOKEN])
def test_a_long_queue_name_wraps_and_the_figures_do_not(tmp_path: Path, name: str) -> None:
    """Two metrics by queue: "Offered" printed as "Offe|red" beside a 290-character name."""
    data = _long_queue(tmp_path / "data", name)
    result = omnikpi.report_result(data, metrics=["offered", "answered"], by=["queue"])
    assert name in {row["queue"] for row in result.rows}
    path = tmp_path / "long.pdf"
    write_pdf(result, path)
    pieces = _assert_nothing_broken(result, path, "en")
    assert {"Offered", "Answered"} <= set(pieces)
    assert not _groups(pieces, "en")  # one table: the name wraps, the figures stay
    joined = "".join(p.replace(" ", "") for p in pieces)
    assert name.replace(" ", "") in joined  # every line of the name printed, in order
    if name == LONG_NAME:  # between words
        words = {w for p in pieces for w in p.split()}
        assert set(name.split()) <= words


def test_an_xlsx_name_longer_than_its_column_wraps(tmp_path: Path) -> None:
    """An 88-character queue was cut off beside the next cell in a 60-wide column."""
    name = "Customer care escalations for premium retail banking clients — Kyiv and Lviv sites"
    name += " (2024)"
    assert len(name) >= 88
    data = _long_queue(tmp_path / "data", name)
    result = omnikpi.report_result(data, metrics=["offered", "aht"], by=["queue"])
    path = tmp_path / "long.xlsx"
    write_xlsx(result, path)
    sheet = load_workbook(path)["report"]
    assert sheet.cell(TABLE_ROW, 1).value == "Queue"
    cells = {sheet.cell(r, 1).value: r for r in range(TABLE_ROW + 1,
                                                       TABLE_ROW + 1 + len(result.rows))}
    row = cells[name]
    long_cell = sheet.cell(row, 1)
    assert sheet.column_dimensions["A"].width == 60
    assert long_cell.alignment.wrap_text is True
    assert long_cell.alignment.vertical == "top"
    # numbers are untouched
    for column in (2, 3):
        figure = sheet.cell(row, column)
        assert isinstance(figure.value, (int, float)) or figure.value is not None
        assert not figure.alignment.wrap_text
    # a column of short names neither wraps nor grows
    result = omnikpi.report_result(data, metrics=["offered"], by=["channel"])
    write_xlsx(result, path)
    sheet = load_workbook(path)["report"]
    assert not sheet.cell(TABLE_ROW + 1, 1).alignment.wrap_text
