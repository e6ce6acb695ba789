"""`omnikpi wfm`: staffing from volumes (Erlang B/C/A), plans, backlog and shrinkage."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from omnikpi.cli.main import app, check_output, fail
from omnikpi.cli.progress import progress_bar
from omnikpi.errors import OmniKPIError, UsageError

if TYPE_CHECKING:  # NumPy and SciPy come with the commands that compute, not with --help
    from omnikpi.wfm.forecast_file import ForecastRow
    from omnikpi.wfm.planning import ForecastInterval, PlannedInterval
    from omnikpi.wfm.staffing import StaffingResult

wfm_app = typer.Typer(help="Workforce planning: agents needed for a service target.",
                      no_args_is_help=True)
app.add_typer(wfm_app, name="wfm")
console = Console()

Volume = Annotated[float, typer.Option(help="contacts offered in the interval")]
Minutes = Annotated[float, typer.Option(help="interval length in minutes")]
Aht = Annotated[float, typer.Option("--aht", help="average handle time, seconds")]
Threshold = Annotated[float, typer.Option(help="service-level threshold, seconds")]
ModelOpt = Annotated[str, typer.Option(help="erlang_c|erlang_a|erlang_b")]
Patience = Annotated[float | None, typer.Option(help="mean patience, seconds (erlang_a)")]
Shrink = Annotated[float, typer.Option(help="shrinkage 0–1 for positions")]
Concurrency = Annotated[int, typer.Option(help="sessions an agent holds at once (chat)")]
MaxAbandon = Annotated[float | None, typer.Option(
    help="abandonment cap 0–1: the share of callers who give up (erlang_a)")]
Format = Annotated[str, typer.Option(help="table|json")]


def _print_result(result: StaffingResult, fmt: str) -> None:
    if fmt == "json":
        typer.echo(json.dumps(result.to_json()))
        return
    if fmt != "table":
        raise UsageError(f"unknown format {fmt!r}: choose table or json")
    table = Table(show_header=False)
    for key, value in result.to_json().items():
        shown = "—" if value is None else (
            f"{value:.1%}" if key in ("service_level", "p_wait", "occupancy", "p_abandon",
                                      "p_block") else
            f"{value:.1f} s" if key in ("asa", "avg_wait") else str(value))
        table.add_row(key, shown)
    console.print(table)


@wfm_app.command("staff")
def staff_command(
    volume: Volume, interval_minutes: Minutes, aht: Aht,
    target_sl: Annotated[float | None, typer.Option(
        help="target service level 0–1 (omit or 0 with --target-asa: ASA only)")] = None,
    threshold: Annotated[float, typer.Option(
        help="service-level threshold, seconds (also reported with an ASA target)")] = 20.0,
    model: ModelOpt = "erlang_c", patience: Patience = None,
    max_occupancy: Annotated[float | None, typer.Option(help="occupancy cap 0–1")] = None,
    shrinkage: Shrink = 0.0, concurrency: Concurrency = 1,
    target_asa: Annotated[float | None, typer.Option(help="ASA target, seconds")] = None,
    max_abandon: MaxAbandon = None,
    format: Format = "table",
) -> None:
    """The fewest agents meeting the targets (SL, ASA, occupancy, abandonment), and
    positions."""
    from omnikpi.wfm.staffing import staff

    try:
        _print_result(staff(volume, interval_minutes, aht, target_sl, threshold, model,
                            patience, max_occupancy, shrinkage, concurrency, target_asa,
                            max_abandon), format)
    except OmniKPIError as exc:
        fail(exc)


@wfm_app.command("evaluate")
def evaluate_command(
    volume: Volume, interval_minutes: Minutes, aht: Aht,
    agents: Annotated[int, typer.Option(help="agents on the phones")],
    threshold: Threshold, model: ModelOpt = "erlang_c", patience: Patience = None,
    shrinkage: Shrink = 0.0, concurrency: Concurrency = 1, format: Format = "table",
) -> None:
    """Service level, ASA, occupancy… that a given number of agents gives."""
    from omnikpi.wfm.staffing import evaluate

    try:
        _print_result(evaluate(volume, interval_minutes, aht, agents, threshold, model,
                               patience, shrinkage, concurrency), format)
    except OmniKPIError as exc:
        fail(exc)


def _shown(value: object, spec: str) -> str:
    """A plan's number in the table; an interval without contacts has none ("—")."""
    return "—" if value is None else format(value, spec)


PLAN_FORMATS = ("table", "csv", "json", "html")
PLAN_COLUMNS = ("interval_start", "volume", "aht_seconds", "agents", "positions",
                "service_level", "occupancy")


def _planned_rows(rows: list[ForecastRow], interval_minutes: float, name: str | None,
                  where: str, staff_plan: Callable[[list[ForecastInterval]],
                                                   list[PlannedInterval]]
                  ) -> list[dict[str, object]]:
    """One forecast (one queue's) staffed interval by interval; the queue, if any, is the
    first column of every row so that the plan says whose agents they are. An interval no
    staffing serves is named by the file's line and its start."""
    from omnikpi.wfm.forecast_file import check_spacing, planning_intervals
    from omnikpi.wfm.planning import IntervalNotStaffed, plan_rows
    from omnikpi.wfm.staffing import NoStaffingMeets

    check_spacing((r.at for r in rows), interval_minutes)
    try:
        planned = plan_rows(staff_plan(planning_intervals(rows, where)))
    except IntervalNotStaffed as exc:  # the interval as the forecast's other errors name it
        row = rows[exc.index]
        raise NoStaffingMeets(f"{where}: line {row.line}: interval_start "
                              f"{row.interval_start}: {exc.reason}") from exc
    return planned if name is None else [{"queue": name, **r} for r in planned]


def _plan_table(rows: list[dict[str, object]], title: str) -> Table:
    """The plan as a planner reads it: the model's own measures beside the service level
    (Erlang A's abandonment, Erlang B's blocking), which the table left to csv and json
    even when ``--max-abandon`` had decided the agents."""
    with_queue = bool(rows) and "queue" in rows[0]
    measured = [c for c in ("p_abandon", "p_block")
                if any(r.get(c) is not None for r in rows)]
    table = Table(title=title)
    for column in (("queue",) if with_queue else ()) + PLAN_COLUMNS + tuple(measured):
        text = column in ("queue", "interval_start")
        table.add_column(column, justify="left" if text else "right", no_wrap=text)
    for r in rows:
        table.add_row(*([escape(str(r["queue"]))] if with_queue else []),
                      escape(str(r["interval_start"])), _shown(r["volume"], ".1f"),
                      _shown(r["aht_seconds"], ".0f"), str(r["agents"]),
                      str(r["positions"]), _shown(r["service_level"], ".1%"),
                      _shown(r["occupancy"], ".1%"),
                      *(_shown(r.get(c), ".1%") for c in measured))
    return table


def _plain_text(table: Table) -> str:
    """The table as a file holds it: no colour codes, and as wide as its rows (a file has
    no terminal to fit, and 80 columns cut the headers to "aht_…")."""
    buffer = io.StringIO()
    Console(file=buffer, color_system=None, force_terminal=False, width=10_000,
            highlight=False).print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _plan_csv(rows: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["x"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
    return buffer.getvalue()


def _plan_text(rows: list[dict[str, object]], format: str, title: str) -> str:
    """The plan as ``--output`` holds it (or stdout, but for a table, which is printed)."""
    if format == "json":
        return json.dumps({"rows": rows}, indent=1)
    if format == "csv":
        return _plan_csv(rows)
    return _plain_text(_plan_table(rows, title))


@wfm_app.command("plan")
def plan_command(
    forecast: Annotated[Path, typer.Option(
        help="CSV: interval_start, volume, aht_seconds (and queue: each planned alone)")],
    interval_minutes: Minutes,
    target_sl: Annotated[float | None, typer.Option(
        help="target service level 0–1 (omit or 0 with --target-asa: ASA only)")] = None,
    threshold: Annotated[float, typer.Option(
        help="service-level threshold, seconds (also reported with an ASA target)")] = 20.0,
    model: ModelOpt = "erlang_c", patience: Patience = None,
    max_occupancy: Annotated[float | None, typer.Option(help="occupancy cap 0–1")] = None,
    shrinkage: Shrink = 0.0, concurrency: Concurrency = 1,
    target_asa: Annotated[float | None, typer.Option(help="ASA target, seconds")] = None,
    max_abandon: MaxAbandon = None,
    queue: Annotated[str | None, typer.Option(
        help="only this queue of a forecast with a queue column (wfm forecast --by-queue)")
    ] = None,
    format: Annotated[str, typer.Option(help="table|csv|json|html")] = "table",
    output: Annotated[Path | None, typer.Option(help="write to this file")] = None,
) -> None:
    """Agents and positions per forecast interval (table, CSV, JSON or an HTML chart);
    a forecast per queue is planned queue by queue."""
    from omnikpi.wfm.forecast_file import by_queue, read_forecast_rows
    from omnikpi.wfm.planning import plan

    staff_plan = partial(plan, interval_minutes=interval_minutes,
                         target_sl=target_sl or 0.0, threshold_seconds=threshold,
                         model=model, patience_seconds=patience,
                         max_occupancy=max_occupancy, shrinkage=shrinkage,
                         concurrency=concurrency, target_asa_seconds=target_asa,
                         max_abandon=max_abandon)
    try:
        check_output(output)
        if format not in PLAN_FORMATS:
            raise UsageError(f"unknown format {format!r}: choose table, csv, json or html")
        if format == "html" and output is None:
            raise UsageError("--format html needs --output FILE.html")
        rows: list[dict[str, object]] = []
        forecasts = by_queue(read_forecast_rows(forecast), queue, forecast)
        # a year of 15-minute intervals takes a quarter of a minute: say how far it is
        with progress_bar() as progress:
            task = progress.add_task("Staffing the intervals",
                                     total=sum(len(own) for own in forecasts.values()))
            counted = partial(staff_plan, on_interval=partial(progress.advance, task))
            for name, own in forecasts.items():
                where = str(forecast) if name is None else f"{forecast}, queue {name}"
                rows += _planned_rows(own, interval_minutes, name, where, counted)
        if format == "html":
            from omnikpi.cli.wfm_chart import write_plan_chart

            assert output is not None  # refused above, before the plan was computed
            write_plan_chart(rows, output, target_sl)
            return
        title = f"Staffing plan — {forecast.name}"
        if format == "table" and output is None:
            console.print(_plan_table(rows, title))
            return
        text = _plan_text(rows, format, title)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            typer.echo(text)
    except OmniKPIError as exc:
        fail(exc)


@wfm_app.command("backlog")
def backlog_command(
    volume: Annotated[float, typer.Option(help="e-mails arriving in the day")],
    aht: Aht,
    working_hours: Annotated[float, typer.Option(help="hours the team works per day")],
    threshold_hours: Annotated[float, typer.Option(help="answer within, hours")],
    opening_backlog: Annotated[float, typer.Option(help="unanswered at day start")] = 0.0,
    max_occupancy: Annotated[float, typer.Option(help="occupancy cap 0–1")] = 0.85,
    shrinkage: Shrink = 0.0,
) -> None:
    """Agents to answer a day's e-mail (discrete contacts) within the threshold."""
    from omnikpi.wfm.planning import backlog_agents
    from omnikpi.wfm.staffing import check_inputs, positions_for

    try:
        agents = backlog_agents(volume, aht, working_hours, threshold_hours, opening_backlog,
                                max_occupancy)
        check_inputs(shrinkage=shrinkage)
        positions = positions_for(agents, shrinkage)
        typer.echo(json.dumps({"agents": agents, "positions": positions}))
    except OmniKPIError as exc:
        fail(exc)


@wfm_app.command("shrinkage")
def shrinkage_command(
    component: Annotated[list[str], typer.Option(help="NAME=SHARE, e.g. vacation=0.10")],
    method: Annotated[str, typer.Option(help="additive|compound")] = "additive",
) -> None:
    """Total shrinkage from planned and unplanned components."""
    from omnikpi.wfm.planning import total_shrinkage as shrinkage_total

    try:
        parts: dict[str, float] = {}
        for item in component:
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep or not name:
                raise UsageError(f"bad --component {item!r}: write NAME=SHARE "
                                 "(e.g. vacation=0.10)")
            if name in parts:  # the second would replace the first without a word
                raise UsageError(f"--component {name} is given twice: give it once, with "
                                 "its whole share")
            try:
                parts[name] = float(value)
            except ValueError:
                raise UsageError(f"bad share in --component {item!r}") from None
        typer.echo(json.dumps({"components": parts, "method": method,
                               "total": shrinkage_total(parts, method)}))
    except OmniKPIError as exc:
        fail(exc)
