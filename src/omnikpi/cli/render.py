"""Rich rendering of report rows for people (JSON/CSV are for machines)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from omnikpi.engine.result import ReportResult
from omnikpi.formatting import human

__all__ = ["best_table", "human", "report_table", "transposed_table"]


def report_table(result: ReportResult, title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in result.columns:
        table.add_column(column, justify="right" if column in result.metrics else "left",
                         no_wrap=column == "period_start")
    for row in result.rows:
        table.add_row(
            *[
                human(row.get(c), result.metrics.get(c, {}).get("unit"))
                if c in result.metrics
                else ("—" if row.get(c) is None else str(row.get(c)))
                for c in result.columns
            ]
        )
    return table


def _group_label(result: ReportResult, row: dict[str, Any]) -> str:
    parts = [str(row.get(d) if row.get(d) is not None else "—") for d in result.by]
    if "period_start" in row:
        parts.append(str(row["period_start"])[:16].replace("T", " "))
    return "\n".join(parts) or "total"


def transposed_table(result: ReportResult, title: str | None = None) -> Table:
    """Metrics as rows, groups as columns: readable in a narrow terminal."""
    table = Table(title=title, header_style="bold")
    table.add_column("metric", no_wrap=True)
    for row in result.rows:
        table.add_column(_group_label(result, row), justify="right")
    for metric_id, info in result.metrics.items():
        table.add_row(metric_id, *[human(r.get(metric_id), info["unit"]) for r in result.rows])
    return table


def best_table(result: ReportResult, width: int, title: str | None = None) -> Table:
    """The wide layout when it fits the terminal, else the transposed one."""
    needed = sum(
        max([len(c)] + [len(human(r.get(c), result.metrics.get(c, {}).get("unit")))
                        for r in result.rows]) + 3
        for c in result.columns
    )
    transposed = 18 + sum(
        max(len(_group_label(result, r).split("\n")[0]), 9) + 3 for r in result.rows
    )
    if needed <= width or len(result.rows) > 12 or transposed > width:
        return report_table(result, title)
    return transposed_table(result, title)
