"""`omnikpi wfm`: staffing from volumes (Erlang B/C/A), plans, backlog and shrinkage."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from omnikpi.cli.main import app, check_output, fail
from omnikpi.errors import OmniKPIError, UsageError, read_text

if TYPE_CHECKING:  # NumPy and SciPy come with the commands that compute, not with --help
    from omnikpi.wfm.planning import ForecastInterval
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


def read_forecast(path: Path) -> list[ForecastInterval]:
    """CSV with interval_start, volume, aht_seconds per row; every bad row is named."""
    from omnikpi.wfm.planning import ForecastInterval

    text = read_text(path, "forecast file")
    reader = csv.DictReader(io.StringIO(text))
    needed = {"interval_start", "volume", "aht_seconds"}
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise UsageError(f"{path}: needs the columns {', '.join(sorted(needed))}")
    parsed: list[tuple[str, float, float | None]] = []
    problems = []
    for line, row in enumerate(reader, start=2):
        try:
            volume = float(row["volume"])
            text = (row["aht_seconds"] or "").strip()
            aht = float(text) if text else None
            if not volume >= 0 or (aht is not None and not aht > 0):
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"line {line}: volume must be a number ≥ 0 and aht_seconds, "
                            "if given, a number > 0")
            continue
        start = (row["interval_start"] or "").strip()
        try:
            datetime.fromisoformat(start)
        except ValueError:
            problems.append(f"line {line}: interval_start {start!r} is not a time such as "
                            "2024-03-04T08:00")
            continue
        if any(start == earlier for earlier, _, _ in parsed):
            problems.append(f"line {line}: interval {start} is there twice")
            continue
        parsed.append((start, volume, aht))
    if problems:
        raise UsageError(f"{path}: " + "; ".join(problems))
    if not parsed:  # a header alone: the plan wrote a file holding "x"
        raise UsageError(f"{path}: no intervals (only the header line): write one row per "
                         "interval, or make the forecast with `omnikpi wfm forecast`")
    # an interval forecast to have contacts but no AHT (none was handled at that hour in
    # the history: e-mail at night) takes the forecast's mean AHT, weighted by volume;
    # an interval without contacts needs no AHT (and no agents)
    weighted = [(v, a) for _, v, a in parsed if a is not None and v > 0]
    mean_aht = (sum(v * a for v, a in weighted) / sum(v for v, _ in weighted)
                if weighted else None)
    if mean_aht is None and any(v > 0 and a is None for _, v, a in parsed):
        raise UsageError(f"{path}: no interval has an aht_seconds: the plan needs one")
    return [ForecastInterval(start, volume, aht if aht is not None else
                             (mean_aht if volume > 0 and mean_aht is not None else 1.0))
            for start, volume, aht in parsed]


def check_spacing(intervals: list[ForecastInterval], interval_minutes: float) -> None:
    """The forecast's own step is ``--interval-minutes``: a 30-minute forecast planned as
    15-minute intervals doubled every interval's traffic without a word."""
    starts = sorted(datetime.fromisoformat(i.interval_start) for i in intervals)
    steps = {round((b - a).total_seconds() / 60) for a, b in itertools.pairwise(starts)}
    step = min((s for s in steps if s > 0), default=interval_minutes)
    if step != interval_minutes:
        raise UsageError(f"the forecast's intervals are {step} minutes apart, but "
                         f"--interval-minutes is {interval_minutes:g}: give "
                         f"--interval-minutes {step}")


def _shown(value: object, spec: str) -> str:
    """A plan's number in the table; an interval without contacts has none ("—")."""
    return "—" if value is None else format(value, spec)


@wfm_app.command("plan")
def plan_command(
    forecast: Annotated[Path, typer.Option(help="CSV: interval_start, volume, aht_seconds")],
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
    format: Annotated[str, typer.Option(help="table|csv|json|html")] = "table",
    output: Annotated[Path | None, typer.Option(help="write to this file")] = None,
) -> None:
    """Agents and positions per forecast interval (table, CSV, JSON or an HTML chart)."""
    from omnikpi.wfm.planning import plan, plan_rows

    try:
        check_output(output)
        intervals = read_forecast(forecast)
        check_spacing(intervals, interval_minutes)
        planned = plan(intervals, interval_minutes, target_sl or 0.0,
                       threshold, model=model, patience_seconds=patience,
                       max_occupancy=max_occupancy, shrinkage=shrinkage,
                       concurrency=concurrency, target_asa_seconds=target_asa,
                       max_abandon=max_abandon)
        rows = plan_rows(planned)
        if format == "html":
            if output is None:
                raise UsageError("--format html needs --output FILE.html")
            from omnikpi.cli.wfm_chart import write_plan_chart

            write_plan_chart(rows, output, target_sl)
            return
        if format == "json":
            text = json.dumps({"rows": rows}, indent=1)
        elif format == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["x"],
                                    lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
            text = buffer.getvalue()
        elif format == "table":
            table = Table(title=f"Staffing plan — {forecast.name}")
            for column in ("interval_start", "volume", "aht_seconds", "agents", "positions",
                           "service_level", "occupancy"):
                table.add_column(column, justify="left" if column == "interval_start"
                                 else "right", no_wrap=column == "interval_start")
            for r in rows:
                table.add_row(escape(str(r["interval_start"])), _shown(r["volume"], ".1f"),
                              _shown(r["aht_seconds"], ".0f"), str(r["agents"]),
                              str(r["positions"]), _shown(r["service_level"], ".1%"),
                              _shown(r["occupancy"], ".1%"))
            console.print(table)
            return
        else:
            raise UsageError(f"unknown format {format!r}: choose table, csv, json or html")
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
