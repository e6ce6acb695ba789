"""`omnikpi wfm`: staffing from volumes (Erlang B/C/A), plans, backlog and shrinkage."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from omnikpi.cli.main import app, check_output, fail
from omnikpi.errors import OmniKPIError, UsageError, read_text
from omnikpi.wfm.planning import ForecastInterval, PlannedInterval, backlog_agents, plan
from omnikpi.wfm.planning import total_shrinkage as shrinkage_total
from omnikpi.wfm.staffing import StaffingResult, evaluate, staff

if TYPE_CHECKING:
    from omnikpi.wfm.multiskill import Target

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
    format: Format = "table",
) -> None:
    """The fewest agents meeting the targets (SL, ASA, occupancy), and positions."""
    try:
        _print_result(staff(volume, interval_minutes, aht, target_sl, threshold, model,
                            patience, max_occupancy, shrinkage, concurrency, target_asa),
                      format)
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
    try:
        _print_result(evaluate(volume, interval_minutes, aht, agents, threshold, model,
                               patience, shrinkage, concurrency), format)
    except OmniKPIError as exc:
        fail(exc)


def read_forecast(path: Path) -> list[ForecastInterval]:
    """CSV with interval_start, volume, aht_seconds per row; every bad row is named."""
    text = read_text(path, "forecast file")
    reader = csv.DictReader(io.StringIO(text))
    needed = {"interval_start", "volume", "aht_seconds"}
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise UsageError(f"{path}: needs the columns {', '.join(sorted(needed))}")
    out, problems = [], []
    for line, row in enumerate(reader, start=2):
        try:
            volume = float(row["volume"])
            # an interval without contacts needs no AHT (and no agents)
            aht = float(row["aht_seconds"]) if (row["aht_seconds"] or "").strip() or volume \
                else 1.0
            if volume < 0 or aht <= 0:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"line {line}: volume must be ≥ 0 and aht_seconds > 0")
            continue
        out.append(ForecastInterval(row["interval_start"], volume, aht))
    if problems:
        raise UsageError(f"{path}: " + "; ".join(problems))
    return out


def _plan_rows(planned: list[PlannedInterval]) -> list[dict[str, object]]:
    return [{"interval_start": p.interval_start, "volume": p.volume,
             "aht_seconds": p.aht_seconds, **p.result.to_json()} for p in planned]


@wfm_app.command("plan")
def plan_command(
    forecast: Annotated[Path, typer.Option(help="CSV: interval_start, volume, aht_seconds")],
    interval_minutes: Minutes,
    target_sl: Annotated[float, typer.Option(help="target service level 0–1")],
    threshold: Threshold, model: ModelOpt = "erlang_c", patience: Patience = None,
    max_occupancy: Annotated[float | None, typer.Option(help="occupancy cap 0–1")] = None,
    shrinkage: Shrink = 0.0, concurrency: Concurrency = 1,
    format: Annotated[str, typer.Option(help="table|csv|json|html")] = "table",
    output: Annotated[Path | None, typer.Option(help="write to this file")] = None,
) -> None:
    """Agents and positions per forecast interval (table, CSV, JSON or an HTML chart)."""
    try:
        check_output(output)
        planned = plan(read_forecast(forecast), interval_minutes, target_sl, threshold,
                       model=model, patience_seconds=patience, max_occupancy=max_occupancy,
                       shrinkage=shrinkage, concurrency=concurrency)
        rows = _plan_rows(planned)
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
                table.add_row(str(r["interval_start"]), f"{r['volume']:.1f}",
                              f"{r['aht_seconds']:.0f}", str(r["agents"]), str(r["positions"]),
                              f"{r['service_level']:.1%}", f"{r['occupancy']:.1%}")
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
    try:
        agents = backlog_agents(volume, aht, working_hours, threshold_hours, opening_backlog,
                                max_occupancy)
        positions = evaluate(0, 60, 1, agents, 0, shrinkage=shrinkage).positions
        typer.echo(json.dumps({"agents": agents, "positions": positions}))
    except OmniKPIError as exc:
        fail(exc)


@wfm_app.command("shrinkage")
def shrinkage_command(
    component: Annotated[list[str], typer.Option(help="NAME=SHARE, e.g. vacation=0.10")],
    method: Annotated[str, typer.Option(help="additive|compound")] = "additive",
) -> None:
    """Total shrinkage from planned and unplanned components."""
    try:
        parts: dict[str, float] = {}
        for item in component:
            name, sep, value = item.partition("=")
            if not sep:
                raise UsageError(f"bad --component {item!r}: write NAME=SHARE")
            try:
                parts[name] = float(value)
            except ValueError:
                raise UsageError(f"bad share in --component {item!r}") from None
        typer.echo(json.dumps({"components": parts, "method": method,
                               "total": shrinkage_total(parts, method)}))
    except OmniKPIError as exc:
        fail(exc)


@wfm_app.command("forecast")
def forecast_command(
    data: Annotated[Path, typer.Option(help="dataset folder with history")],
    days: Annotated[int, typer.Option(help="days to forecast")] = 7,
    interval_minutes: Annotated[int, typer.Option(help="15, 30 or 60")] = 30,
    tz: Annotated[str, typer.Option(help="reporting time zone")] = "UTC",
    weeks: Annotated[int, typer.Option(help="weeks of history in the profile")] = 4,
    queue: Annotated[str | None, typer.Option(help="only this queue")] = None,
    model: Annotated[str, typer.Option(
        help="auto|profile|seasonal_naive|ets|mstl (auto: the best in the backtest)")] = "auto",
    backtest_days: Annotated[int | None, typer.Option(
        help="days held out for the backtest (default 7, or 1 under two weeks)")] = None,
    format: Annotated[str, typer.Option(help="csv|json")] = "csv",
    output: Annotated[Path | None, typer.Option(help="CSV for `wfm plan --forecast`")] = None,
) -> None:
    """Forecast interval volume and AHT from history, the model chosen by backtest."""
    from omnikpi.engine.run import run_report
    from omnikpi.schema.dataset import load_dataset
    from omnikpi.wfm.backtest import forecast_with
    from omnikpi.wfm.forecast import check_span
    from omnikpi.wfm.forecast_models import check_model, dense_series

    grains = {15: "15min", 30: "30min", 60: "hour"}
    try:
        check_output(output)
        if interval_minutes not in grains:
            raise UsageError("--interval-minutes must be 15, 30 or 60")
        if format not in ("csv", "json"):
            raise UsageError(f"unknown format {format!r}: choose csv or json")
        check_span(days, weeks)  # before the dataset is read
        check_model(model)
        dataset = load_dataset(data)
        result = run_report(dataset, ["offered", "aht"], by=["queue"] if queue else [],
                            grain=grains[interval_minutes], tz=tz)
        rows = [r for r in result.rows if not queue or r.get("queue") == queue]
        if queue and not rows:
            raise UsageError(f"queue {queue!r} has no contacts in {data}")
        if not any(float(r["offered"] or 0) > 0 for r in rows):
            raise UsageError(f"{data} has no contacts to forecast from")
        series = dense_series([str(r["period_start"]) for r in rows],
                              [float(r["offered"] or 0) for r in rows],
                              [None if r["aht"] is None else float(r["aht"]) for r in rows],
                              interval_minutes)
        predicted = forecast_with(series, model, days, backtest_days, weeks)
    except OmniKPIError as exc:
        fail(exc)
    if format == "json":
        text = json.dumps(predicted.to_json())
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["interval_start", "volume", "aht_seconds"])
        writer.writerows([i["interval_start"], i["volume"],
                          "" if i["aht_seconds"] is None else i["aht_seconds"]]
                         for i in predicted.intervals())
        text = buffer.getvalue()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=format != "csv")
    if format == "json":
        return

    def pct(value: float | None) -> str:
        return "n/a (not enough history)" if value is None else f"{value:.1%}"

    volume = predicted.scores[predicted.chosen].volume_wape
    aht = predicted.scores[predicted.chosen_aht].aht_wape
    Console(stderr=True).print(
        f"Backtest on the last {predicted.backtest_days} day(s): volume WAPE {pct(volume)} "
        f"({predicted.chosen}), AHT WAPE {pct(aht)} ({predicted.chosen_aht})",
        highlight=False)


def _targets(queues: list[str], target_sl: float, threshold: float,
             overrides: list[str]) -> dict[str, Target]:
    from omnikpi.wfm.multiskill import Target

    if not 0 < target_sl < 1:
        raise UsageError(f"--target-sl must be between 0 and 1 (exclusive), got {target_sl}")
    if not 0 <= threshold <= 86_400:
        raise UsageError(f"--threshold must be from 0 to 86400 seconds, got {threshold}")
    targets = {q: Target(target_sl, threshold) for q in queues}
    for item in overrides:
        name, sep, rest = item.partition("=")
        sl_text, _, seconds_text = rest.partition(":")
        try:
            sl = float(sl_text)
            seconds = float(seconds_text) if seconds_text else threshold
        except ValueError:
            sl = seconds = float("nan")
        if not sep or name not in queues or not 0 < sl < 1 or not 0 <= seconds <= 86_400:
            raise UsageError(f"bad --target {item!r}: write QUEUE=SL[:SECONDS] with a queue "
                             f"of the scenario ({', '.join(queues)}) and 0 < SL < 1")
        targets[name] = Target(sl, seconds)
    return targets


@wfm_app.command("staff-multiskill")
def staff_multiskill_command(
    scenario: Annotated[Path, typer.Option(help="simulator scenario (TOML): queues, "
                                           "agent groups with skills, routing")],
    target_sl: Annotated[float, typer.Option(help="target service level 0–1, every queue")],
    threshold: Threshold,
    target: Annotated[list[str] | None, typer.Option(
        help="QUEUE=SL[:SECONDS] for one queue (repeatable)")] = None,
    replications: Annotated[int, typer.Option(help="simulation runs per candidate")] = 5,
    warmup_hours: Annotated[float, typer.Option(
        help="hours at the start left out of the SL (empty queues)")] = 0.5,
    max_agents: Annotated[int, typer.Option(help="give up above this many agents")] = 500,
    format: Format = "table",
) -> None:
    """The fewest agents per agent group meeting every queue's SL target, by simulation."""
    from omnikpi.simulate.scenario import load_scenario
    from omnikpi.wfm.multiskill import MAX_REPLICATIONS, staff_multiskill

    try:
        if format not in ("table", "json"):
            raise UsageError(f"unknown format {format!r}: choose table or json")
        if not 2 <= replications <= MAX_REPLICATIONS:
            raise UsageError(f"--replications must be from 2 to {MAX_REPLICATIONS}, "
                             f"got {replications}")
        if not 1 <= max_agents <= 5000:
            raise UsageError(f"--max-agents must be from 1 to 5000, got {max_agents}")
        loaded = load_scenario(scenario)
        if not 0 <= warmup_hours < loaded.hours():
            raise UsageError(f"--warmup-hours must be from 0 to less than the scenario's "
                             f"{loaded.hours():g} hours, got {warmup_hours}")
        targets = _targets([q.name for q in loaded.queues], target_sl, threshold,
                           target or [])
        found = staff_multiskill(loaded, targets, replications, warmup_hours, max_agents)
    except OmniKPIError as exc:
        fail(exc)
    best = found.best
    if format == "json":
        typer.echo(json.dumps({**best.to_json(), "candidates_simulated": found.evaluations}))
        return
    console.print(f"{found.evaluations} staffings simulated, {replications} runs each",
                  highlight=False)
    table = Table(title="Agents per group")
    table.add_column("agent group")
    table.add_column("agents", justify="right")
    for name, count in best.agents.items():
        table.add_row(name, str(count))
    console.print(table)
    queues = Table(title="Service level per queue")
    for column in ("queue", "target", "SL", "95 % CI", "ASA"):
        queues.add_column(column, justify="left" if column == "queue" else "right")
    for q in best.queues:
        queues.add_row(q.queue, f"{q.target.service_level:.0%} in "
                       f"{q.target.threshold_seconds:g} s", f"{q.service_level:.1%}",
                       f"{q.ci_low:.1%}–{q.ci_high:.1%}",
                       "—" if q.asa_seconds is None else f"{q.asa_seconds:.1f} s")
    console.print(queues)


@wfm_app.command("reforecast")
def reforecast_command(
    forecast: Annotated[Path, typer.Option(help="today's forecast CSV (wfm forecast)")],
    data: Annotated[Path, typer.Option(help="dataset folder with today's contacts")],
    as_of: Annotated[str, typer.Option(
        help="start of the first interval not yet ended, e.g. 2024-03-04T12:00")],
    interval_minutes: Annotated[int, typer.Option(help="15, 30 or 60")] = 30,
    tz: Annotated[str, typer.Option(help="reporting time zone")] = "UTC",
    queue: Annotated[str | None, typer.Option(help="only this queue")] = None,
    min_contacts: Annotated[float, typer.Option(
        help="contacts behind a ratio before it is applied")] = 20,
    format: Annotated[str, typer.Option(help="csv|json")] = "csv",
    output: Annotated[Path | None, typer.Option(help="write to this file")] = None,
) -> None:
    """Rescale the rest of the day's forecast by today's actuals so far."""
    from omnikpi.engine.run import run_report
    from omnikpi.schema.dataset import load_dataset
    from omnikpi.wfm.reforecast import Interval, reforecast

    grains = {15: "15min", 30: "30min", 60: "hour"}
    try:
        check_output(output)
        if interval_minutes not in grains:
            raise UsageError("--interval-minutes must be 15, 30 or 60")
        if format not in ("csv", "json"):
            raise UsageError(f"unknown format {format!r}: choose csv or json")
        try:
            cut = datetime.fromisoformat(as_of).replace(tzinfo=None).isoformat()[:16]
        except ValueError:
            raise UsageError(f"--as-of {as_of!r} is not a time such as 2024-03-04T12:00") \
                from None
        planned = [Interval(f.interval_start[:16], f.volume, f.aht_seconds)
                   for f in read_forecast(forecast)]
        result = run_report(load_dataset(data), ["offered", "aht"],
                            by=["queue"] if queue else [], grain=grains[interval_minutes],
                            tz=tz)
        actual = {str(r["period_start"])[:16]: (float(r["offered"] or 0),
                                                None if r["aht"] is None else float(r["aht"]))
                  for r in result.rows if not queue or r.get("queue") == queue}
        out = reforecast(planned, actual, cut, min_contacts)
    except OmniKPIError as exc:
        fail(exc)
    rows = [{"interval_start": i.interval_start, "volume": round(i.volume, 4),
             "aht_seconds": None if i.aht_seconds is None else round(i.aht_seconds, 2)}
            for i in out.intervals]
    if format == "json":
        text = json.dumps({"volume_ratio": out.volume_ratio, "aht_ratio": out.aht_ratio,
                           "intervals": rows})
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["interval_start", "volume", "aht_seconds"])
        writer.writerows([r["interval_start"], r["volume"],
                          "" if r["aht_seconds"] is None else r["aht_seconds"]] for r in rows)
        text = buffer.getvalue()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=format == "json")
