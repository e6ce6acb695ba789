"""Rich rendering of report rows for people (JSON/CSV are for machines).

A value is never cut short: a report wider than the terminal is shown metrics-as-rows
when that fits, else as several tables of a few metrics each, every one repeating the
row's cut and period (a number shown as ``4:28…`` is a wrong number to its reader). Period
starts are shown as the day when every period starts at midnight (day, week and month
grains), else as day and minute; the full ISO instants are in the JSON and CSV.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from omnikpi.engine.result import ReportResult
from omnikpi.formatting import human, repeated_hours
from omnikpi.instants import begins_local_day
from omnikpi.no_value import no_value_label

__all__ = ["best_table", "human", "report_table", "transposed_table"]

PERIOD = "period_start"
MAX_TRANSPOSED_ROWS = 12
"""Above this many rows the metrics-as-rows layout is a wall of columns: not used."""


def _period_texts(values: list[Any], tz: str | None) -> list[str]:
    """Period starts as people read them: ``2024-03-04`` or ``2024-03-04 09:30``."""
    texts = ["—" if v is None else str(v) for v in values]
    at_midnight = all(t == "—" or t[10:19] == "T00:00:00" or (
        tz is not None and begins_local_day(datetime.fromisoformat(t), tz)) for t in texts)
    repeated = repeated_hours(values, tz)  # the hour the clocks go back: with its offset
    return [t if t == "—" else t[:10] if at_midnight else t[:16].replace("T", " ") + (
        f" ({repeated[i]})" if i in repeated else "") for i, t in enumerate(texts)]


def _texts(result: ReportResult) -> dict[str, list[str]]:
    """Each column's cells as shown."""
    out: dict[str, list[str]] = {}
    for column in result.columns:
        values = [row.get(column) for row in result.rows]
        if column in result.metrics:
            unit = result.metrics[column].get("unit")
            out[column] = [human(v, unit) for v in values]
        elif column == PERIOD:
            out[column] = _period_texts(values, result.tz)
        else:
            out[column] = [_missing(result, column) if v is None else str(v) for v in values]
    return out


def _missing(result: ReportResult, column: str) -> str:
    """A cut's missing value named as the XLSX and PDF files name it: agent time by
    channel showed channel "—" with offered 0, read as a total or a blank channel; it is
    "(not per channel)" (:mod:`omnikpi.no_value`). Other empty cells stay "—"."""
    return no_value_label(column) if column in result.by else "—"


def _title_width(title: str | None) -> int | None:
    """A table at least as wide as its title: a one-column table (a metric with no value)
    cut "OmniKPI report — src/omnikpi/demo/data" into pieces of seven letters. A terminal
    narrower than the title still wraps it, between words."""
    return None if title is None else len(title) + 4


def _plain(title: str | None) -> Text | None:
    """The title as plain text: "Daily SL [draft]" lost its "[draft]" to Rich's markup,
    and "Queue [/] test" stopped the command with a markup error."""
    return None if title is None else Text(title)


def _width(column: str, cells: list[str]) -> int:
    return max([len(column), *(len(c) for c in cells)])


def _table(result: ReportResult, texts: dict[str, list[str]], columns: list[str],
           title: str | None) -> Table:
    table = Table(title=_plain(title), show_lines=False, header_style="bold",
                  min_width=_title_width(title))
    for column in columns:
        table.add_column(column, justify="right" if column in result.metrics else "left",
                         no_wrap=True, min_width=_width(column, texts[column]),
                         overflow="fold")
    for i in range(len(result.rows)):  # plain text: a queue named "[vip]" is no markup
        table.add_row(*[Text(texts[c][i]) for c in columns])
    return table


def report_table(result: ReportResult, title: str | None = None) -> Table:
    """One row per group and period, one column per metric."""
    return _table(result, _texts(result), list(result.columns), title)


def _group_label(result: ReportResult, row: dict[str, Any], period: str | None) -> str:
    parts = [str(row.get(d)) if row.get(d) is not None else _missing(result, d)
             for d in result.by]
    if period is not None:
        parts.append(period)
    return "\n".join(parts) or "total"


def _labels(result: ReportResult) -> list[str]:
    periods: list[str | None] = (
        list(_period_texts([r.get(PERIOD) for r in result.rows], result.tz))
        if PERIOD in result.columns else [None] * len(result.rows))
    return [_group_label(result, row, period)
            for row, period in zip(result.rows, periods, strict=True)]


def transposed_table(result: ReportResult, title: str | None = None,
                     texts: dict[str, list[str]] | None = None) -> Table:
    """Metrics as rows, groups as columns: readable in a narrow terminal."""
    texts = _texts(result) if texts is None else texts
    table = Table(title=_plain(title), header_style="bold", min_width=_title_width(title))
    table.add_column("metric", no_wrap=True)
    for label in _labels(result):
        table.add_column(Text(label), justify="right", no_wrap=True)
    for metric_id in result.metrics:
        table.add_row(metric_id, *[Text(cell) for cell in texts[metric_id]])
    return table


def _chunks(widths: dict[str, int], keys: list[str], metrics: list[str],
            width: int) -> list[list[str]]:
    """The metric columns in as few consecutive groups as fit ``width`` beside the key
    columns (a group holds one metric at least), as even in size as they can be."""
    room = width - 1 - sum(widths[k] + 3 for k in keys)
    need = [widths[m] + 3 for m in metrics]

    def split(limit: int) -> list[list[str]]:
        chunks: list[list[str]] = [[]]
        used = 0
        for metric, wide in zip(metrics, need, strict=True):
            if chunks[-1] and used + wide > limit:
                chunks.append([])
                used = 0
            chunks[-1].append(metric)
            used += wide
        return chunks

    fewest = split(room)
    for limit in range(max(max(need), -(-sum(need) // len(fewest))), room):
        even = split(limit)  # the narrowest limit that needs no more groups
        if len(even) == len(fewest):
            return even
    return fewest


def best_table(result: ReportResult, width: int, title: str | None = None) -> RenderableType:
    """The wide layout when it fits the terminal; else metrics as rows when that fits;
    else the wide layout in parts of a few metrics, each part repeating the row keys."""
    texts = _texts(result)
    widths = {c: _width(c, texts[c]) for c in result.columns}
    if 1 + sum(w + 3 for w in widths.values()) <= width:
        return _table(result, texts, list(result.columns), title)
    labels = _labels(result)
    metric_width = max([len("metric"), *(len(m) for m in result.metrics)])
    transposed = 1 + metric_width + 3 + sum(
        max([len(line) for line in label.split("\n")]
            + [len(texts[m][i]) for m in result.metrics]) + 3
        for i, label in enumerate(labels))
    if transposed <= width and len(result.rows) <= MAX_TRANSPOSED_ROWS:
        return transposed_table(result, title, texts)
    metrics = [c for c in result.columns if c in result.metrics]
    keys = [c for c in result.columns if c not in result.metrics]
    chunks = _chunks(widths, keys, metrics, width)
    return Group(*[
        _table(result, texts, [*keys, *chunk],
               f"{title} ({n}/{len(chunks)})" if title and len(chunks) > 1 else title)
        for n, chunk in enumerate(chunks, start=1)])
