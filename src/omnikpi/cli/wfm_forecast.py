"""`omnikpi wfm forecast` and `wfm reforecast`: interval forecasts from a dataset's history
(models chosen by backtest) and the intraday re-forecast from today's actuals."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from omnikpi.cli.main import check_output, fail
from omnikpi.cli.wfm import read_forecast, wfm_app
from omnikpi.errors import OmniKPIError, UsageError
from omnikpi.instants import with_offset

GRAINS = {15: "15min", 30: "30min", 60: "hour"}
IntervalMinutes = Annotated[int, typer.Option(help="15, 30 or 60")]
Tz = Annotated[str, typer.Option(help="reporting time zone")]
Queue = Annotated[str | None, typer.Option(help="only this queue")]
Channel = Annotated[str | None, typer.Option(
    help="only these channels, e.g. voice or chat,email (default: every inbound channel)")]
IntervalFormat = Annotated[str, typer.Option(help="csv|json")]


def _check(output: Path | None, interval_minutes: int, format: str) -> None:
    check_output(output)
    if interval_minutes not in GRAINS:
        raise UsageError("--interval-minutes must be 15, 30 or 60")
    if format not in ("csv", "json"):
        raise UsageError(f"unknown format {format!r}: choose csv or json")


def _interval_rows(data: Path, interval_minutes: int, tz: str, queue: str | None,
                   by_queue: bool = False, channel: str | None = None,
                   metrics: list[str] | None = None) -> list[dict[str, Any]]:
    """Offered contacts and AHT per interval (and queue), from the KPI engine; without
    ``channel``, a note on stderr when several channels are forecast as one."""
    from omnikpi.engine.run import run_report
    from omnikpi.engine.timezones import zone
    from omnikpi.schema.dataset import load_dataset
    from omnikpi.wfm.forecast import HISTORY_FILTER

    zone(tz)  # an unknown zone is said first, not after a note about channels
    dataset = load_dataset(data)
    where: dict[str, list[str]] = dict(HISTORY_FILTER)
    if channel:
        where["channel"] = [c.strip() for c in channel.split(",") if c.strip()]
    else:
        mixed = sorted(c for c in (dataset.domain("contacts", "channel") or ()) if c)
        if len(mixed) > 1:
            Console(stderr=True).print(
                f"note: the forecast counts the contacts of {', '.join(mixed)} together; "
                "`wfm plan` staffs them as one queue of calls (Erlang) — forecast a channel "
                "with --channel voice (e-mail is planned with `wfm backlog`)",
                highlight=False, markup=False)
    result = run_report(dataset, metrics or ["offered", "aht"],
                        by=["queue"] if queue or by_queue else [],
                        grain=GRAINS[interval_minutes], tz=tz, where=where)
    return [r for r in result.rows if not queue or r.get("queue") == queue]


def _write(rows: list[dict[str, Any]], payload: dict[str, Any], format: str,
           output: Path | None) -> None:
    """JSON (``payload`` with the rows as ``intervals``) or the CSV `wfm plan` reads."""
    if format == "json":
        text = json.dumps({**payload, "intervals": rows})
    else:
        columns = (["queue"] if rows and "queue" in rows[0] else []) + [
            "interval_start", "volume", "aht_seconds"]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if r[c] is None else r[c] for c in columns] for r in rows)
        text = buffer.getvalue()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=format == "json")


@wfm_app.command("forecast")
def forecast_command(
    data: Annotated[Path, typer.Option(help="dataset folder with history")],
    days: Annotated[int, typer.Option(help="days to forecast")] = 7,
    interval_minutes: IntervalMinutes = 30,
    tz: Tz = "UTC",
    weeks: Annotated[int, typer.Option(help="weeks of history in the profile")] = 4,
    queue: Queue = None,
    channel: Channel = None,
    model: Annotated[str, typer.Option(
        help="auto|profile|seasonal_naive|ets|mstl (auto: the best in the backtest)")] = "auto",
    backtest_days: Annotated[int | None, typer.Option(
        help="days held out for the backtest (default 7, or 1 under two weeks)")] = None,
    format: IntervalFormat = "csv",
    output: Annotated[Path | None, typer.Option(help="CSV for `wfm plan --forecast`")] = None,
    by_queue: Annotated[bool, typer.Option(
        "--by-queue", help="forecast every queue with its own models (a queue column)")
    ] = False,
) -> None:
    """Forecast interval volume and AHT from history, the models chosen by backtest."""
    from omnikpi.wfm.backtest import Forecast, forecast_with
    from omnikpi.wfm.forecast import check_span
    from omnikpi.wfm.forecast_models import check_model, dense_series

    forecasts: dict[str | None, Forecast] = {}
    try:
        _check(output, interval_minutes, format)
        check_span(days, weeks)  # before the dataset is read
        check_model(model)
        if by_queue and queue:
            raise UsageError("give --queue Q or --by-queue, not both")
        rows = _interval_rows(data, interval_minutes, tz, queue, by_queue, channel)
        if queue and not rows:
            raise UsageError(f"queue {queue!r} has no contacts in {data}")
        if not any(float(r["offered"] or 0) > 0 for r in rows):
            raise UsageError(f"{data} has no contacts to forecast from")
        names = sorted({str(r["queue"]) for r in rows}) if by_queue else [queue]
        # each queue's backtest fits every model: a minute or more over many queues
        with Progress(console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("forecasting", total=len(names))
            for name in names:
                progress.update(task, description=f"forecasting {name or 'the contacts'}")
                own = [r for r in rows if not by_queue or str(r["queue"]) == name]
                if not any(float(r["offered"] or 0) > 0 for r in own):
                    progress.advance(task)
                    continue  # handle time booked in a queue that was offered nothing
                series = dense_series(
                    [str(r["period_start"]) for r in own],
                    [float(r["offered"] or 0) for r in own],
                    [None if r["aht"] is None else float(r["aht"]) for r in own],
                    interval_minutes)
                forecasts[name] = forecast_with(series, model, days, backtest_days, weeks)
                progress.advance(task)
    except OmniKPIError as exc:
        fail(exc)
    if by_queue:
        _write([{"queue": name, **i, "interval_start": with_offset(str(i["interval_start"]), tz)}
                for name, f in forecasts.items() for i in f.intervals()],
               {"queues": {name: {k: v for k, v in f.to_json().items() if k != "intervals"}
                           for name, f in forecasts.items()}}, format, output)
    else:
        predicted = forecasts[queue]
        payload = {k: v for k, v in predicted.to_json().items() if k != "intervals"}
        _write([{**i, "interval_start": with_offset(str(i["interval_start"]), tz)}
                for i in predicted.intervals()], payload, format, output)
    if format == "json":
        return

    def pct(value: float | None) -> str:
        return "n/a (not enough history)" if value is None else f"{value:.1%}"

    for name, predicted in forecasts.items():
        volume = predicted.scores[predicted.chosen].volume_wape
        aht = predicted.scores[predicted.chosen_aht].aht_wape
        Console(stderr=True).print(
            (f"{name}: " if name else "") +
            f"Backtest on the last {predicted.backtest_days} day(s): volume WAPE "
            f"{pct(volume)} ({predicted.chosen}), AHT WAPE {pct(aht)} "
            f"({predicted.chosen_aht})", highlight=False)


@wfm_app.command("reforecast")
def reforecast_command(
    forecast: Annotated[Path, typer.Option(help="today's forecast CSV (wfm forecast)")],
    data: Annotated[Path, typer.Option(help="dataset folder with today's contacts")],
    as_of: Annotated[str, typer.Option(
        help="start of the first interval not yet ended, e.g. 2024-03-04T12:00")],
    interval_minutes: IntervalMinutes = 30,
    tz: Tz = "UTC",
    queue: Queue = None,
    channel: Channel = None,
    min_contacts: Annotated[float, typer.Option(
        help="contacts behind a ratio before it is applied")] = 20,
    format: IntervalFormat = "csv",
    output: Annotated[Path | None, typer.Option(help="write to this file")] = None,
) -> None:
    """Rescale the rest of the day's forecast by today's actuals so far."""
    from omnikpi.wfm.reforecast import Interval, reforecast

    try:
        _check(output, interval_minutes, format)
        try:
            cut = datetime.fromisoformat(as_of).replace(tzinfo=None).isoformat()[:16]
        except ValueError:
            raise UsageError(f"--as-of {as_of!r} is not a time such as 2024-03-04T12:00") \
                from None
        planned = [Interval(f.interval_start[:16], f.volume, f.aht_seconds)
                   for f in read_forecast(forecast)]
        rows = _interval_rows(data, interval_minutes, tz, queue, channel=channel,
                              metrics=["offered", "aht", "handled"])
        actual = {str(r["period_start"])[:16]: (float(r["offered"] or 0),
                                                None if r["aht"] is None else float(r["aht"]))
                  for r in rows}
        # AHT is weighted by the contacts it averages (handled ones), not those offered
        handled = {str(r["period_start"])[:16]: float(r["handled"] or 0) for r in rows}
        out = reforecast(planned, actual, cut, min_contacts, handled)
    except OmniKPIError as exc:
        fail(exc)
    rows = [{"interval_start": with_offset(i.interval_start, tz), "volume": round(i.volume, 4),
             "aht_seconds": None if i.aht_seconds is None else round(i.aht_seconds, 2)}
            for i in out.intervals]
    _write(rows, {"volume_ratio": out.volume_ratio, "aht_ratio": out.aht_ratio}, format,
           output)
