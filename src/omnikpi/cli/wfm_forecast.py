"""`omnikpi wfm forecast` and `wfm reforecast`: interval forecasts from a dataset's history
(models chosen by backtest) and the intraday re-forecast from today's actuals."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from omnikpi.cli.main import check_output, fail
from omnikpi.cli.progress import progress_bar
from omnikpi.cli.wfm import wfm_app
from omnikpi.errors import DataError, OmniKPIError, UsageError
from omnikpi.instants import FIRST_YEAR, LAST_YEAR, rows_on_clock, with_offset

if TYPE_CHECKING:
    from omnikpi.schema.model import Dataset
    from omnikpi.wfm.forecast_file import ForecastRow
    from omnikpi.wfm.reforecast import Interval

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
                   metrics: list[str] | None = None,
                   known_channels: bool = False) -> list[dict[str, Any]]:
    """Offered contacts and AHT per interval (and queue), from the KPI engine; without
    ``channel``, a note on stderr when several channels are forecast as one. With
    ``known_channels``, a channel the data has no contact of (a typo) is a usage error
    listing the data's channels."""
    from omnikpi.engine.run import run_report
    from omnikpi.engine.timezones import zone
    from omnikpi.schema.dataset import load_dataset
    from omnikpi.wfm.forecast import HISTORY_FILTER

    zone(tz)  # an unknown zone is said first, not after a note about channels
    dataset = load_dataset(data)
    where: dict[str, list[str]] = dict(HISTORY_FILTER)
    if channel:
        where["channel"] = [c.strip() for c in channel.split(",") if c.strip()]
        if known_channels:
            _check_channels(dataset, where["channel"], data)
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


def _check_channels(dataset: Dataset, names: list[str], data: Path) -> None:
    """`--channel vocie` said "demo has no contacts to forecast from": the channel is
    named, with the channels the data has."""
    from omnikpi.engine.run import run_report

    known: Iterable[object] | None = dataset.domain("contacts", "channel")
    if known is None:  # too many values to keep in the domain: ask the engine
        known = [r["channel"] for r in run_report(dataset, ["offered"], by=["channel"]).rows
                 if r["offered"]]
    have = sorted({str(c) for c in known if c})
    # channels are read in lower case (--channel Voice forecast the voice contacts)
    lowered = {h.lower() for h in have}
    unknown = [n for n in names if n.lower() not in lowered]
    if unknown:
        said = (f"channel {unknown[0]!r} has" if len(unknown) == 1 else
                f"channels {', '.join(map(repr, unknown))} have")
        raise UsageError(f"{said} no contacts in {data}; " + (
            f"its channels: {', '.join(have)}" if have else "it has no channel at all"))


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
    skipped: dict[str, str] = {}  # --by-queue: a queue too new to forecast → why
    try:
        _check(output, interval_minutes, format)
        check_span(days, weeks)  # before the dataset is read
        check_model(model)
        if by_queue and queue:
            raise UsageError("give --queue Q or --by-queue, not both")
        rows = _interval_rows(data, interval_minutes, tz, queue, by_queue, channel,
                              known_channels=True)
        _check_queue(rows, queue, data)
        if not any(float(r["offered"] or 0) > 0 for r in rows):
            of = f"inbound contacts of channel {channel}" if channel else "contacts"
            raise UsageError(f"{data} has no {of} to forecast from")
        names = sorted({str(r["queue"]) for r in rows}) if by_queue else [queue]
        # each queue's backtest fits every model: a minute or more over many queues
        with progress_bar() as progress:
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
                    interval_minutes, tz)
                try:
                    forecasts[name] = forecast_with(series, model, days, backtest_days,
                                                    weeks)
                except OmniKPIError as exc:
                    if not by_queue:
                        raise
                    skipped[str(name)] = _too_short(exc, series.volume.size // series.per_day,
                                                    backtest_days, str(name))
                progress.advance(task)
        if by_queue and not forecasts and skipped:
            raise UsageError("no queue has the history to forecast: " + "; ".join(
                f"queue {name} {why}" for name, why in skipped.items()))
    except OmniKPIError as exc:
        fail(exc)
    for name, why in skipped.items():  # after the progress bar, which shares stderr
        Console(stderr=True).print(f"warning: queue {name} is not forecast: it {why}",
                                   highlight=False, markup=False, soft_wrap=True)
    if by_queue:
        _write([{"queue": name, **i} for name, f in forecasts.items()
                for i in rows_on_clock(f.intervals(), tz)],
               {"queues": {name: {k: v for k, v in f.to_json().items() if k != "intervals"}
                           for name, f in forecasts.items()}}, format, output)
    else:
        predicted = forecasts[queue]
        payload = {k: v for k, v in predicted.to_json().items() if k != "intervals"}
        _write(rows_on_clock(predicted.intervals(), tz), payload, format, output)
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


def _too_short(exc: OmniKPIError, days: int, backtest_days: int | None, name: str) -> str:
    """Why one queue of a --by-queue forecast is left out (a queue opened last week must
    not stop the others' forecast), or its error re-raised naming the queue."""
    from omnikpi.wfm.backtest import MIN_HISTORY_DAYS, ShortHistory

    if isinstance(exc, ShortHistory):
        return (f"has {exc.days} day(s) of history; a forecast needs at least "
                f"{MIN_HISTORY_DAYS}")
    if backtest_days is not None and backtest_days >= 1 and days < backtest_days + 2:
        return (f"has {days} day(s) of history; --backtest-days {backtest_days} needs at "
                f"least {backtest_days + 2} (the days held out and two to train on)")
    raise type(exc)(f"queue {name}: {exc}") if type(exc) in (UsageError, DataError) \
        else exc


def _utc_key(moment: datetime) -> str:
    """An instant as the re-forecast compares intervals: UTC to the minute, so that the
    forecast's times (in their own offsets) and the actuals (in --tz) meet."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def _offset_text(moment: datetime) -> str:
    """An aware time's UTC offset as a time would be written with it: +02:00."""
    return moment.isoformat(timespec="minutes")[16:]


def _on_clock(at: datetime, tz: str) -> datetime:
    """A forecast's time as an instant: a time without an offset is one of --tz."""
    from omnikpi.engine.timezones import zone

    return at if at.utcoffset() is not None else at.replace(tzinfo=zone(tz))


def _check_grid(rows: list[ForecastRow], interval_minutes: int, tz: str) -> None:
    """The actuals are counted on --tz's grid: a forecast whose intervals start elsewhere
    in that zone (a +05:30 forecast of hours against UTC hours) would meet no actuals and
    scale the day by nothing."""
    from omnikpi.engine.timezones import zone

    for row in rows:
        local = _on_clock(row.at, tz).astimezone(zone(tz))
        if local.second or local.microsecond or local.minute % interval_minutes:
            raise UsageError(
                f"the forecast's interval {row.interval_start} starts at "
                f"{local:%H:%M} in --tz {tz}, off its {interval_minutes}-minute grid the "
                "actuals are counted on: give the --tz the forecast was made in")


def _cut(as_of: str, tz: str, rows: list[ForecastRow]) -> datetime:
    """--as-of as an instant. Without an offset it is a time of --tz (the clock the
    actuals are counted on); a forecast whose own times are at another offset there would
    put the cut hours from where the planner means it, so that is refused."""
    try:
        given = datetime.fromisoformat(as_of.strip())
    except ValueError:
        raise UsageError(f"--as-of {as_of!r} is not a time such as 2024-03-04T12:00") \
            from None
    if not FIRST_YEAR <= given.year <= LAST_YEAR:
        raise UsageError(f"--as-of {as_of!r} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
    cut = _on_clock(given, tz)
    if given.utcoffset() is not None or rows[0].at.utcoffset() is None:
        return cut  # an instant, or a forecast on --tz's clock as well
    starts = sorted(_on_clock(r.at, tz) for r in rows)
    own = next((s for s in reversed(starts) if s <= cut), starts[0])
    if own.utcoffset() != cut.utcoffset():
        raise UsageError(
            f"--as-of {as_of} has no UTC offset, so it is a time of --tz {tz} "
            f"({_offset_text(cut)}), but the forecast's times there are at "
            f"{_offset_text(own)}: give --as-of {given:%Y-%m-%dT%H:%M}{_offset_text(own)}, "
            "or the --tz the forecast was made in")
    return cut


def _check_within(moment: datetime, as_of: str, rows: list[ForecastRow],
                  interval_minutes: int, tz: str) -> None:
    """--as-of must fall in the forecast's own period (its first interval's start to its
    last one's end): outside it no interval has ended or every one has, and the ratios
    came out 1.0 without a word (the docs' 2024-03-04T12:00 against a forecast of Mar 7)."""
    from datetime import timedelta

    starts = sorted(_on_clock(r.at, tz) for r in rows)
    first, end = starts[0], starts[-1] + timedelta(minutes=interval_minutes)
    if not first <= moment <= end:
        raise UsageError(
            f"--as-of {as_of} is outside the forecast, which runs from "
            f"{first.isoformat(timespec='minutes')} to {end.isoformat(timespec='minutes')}: "
            "give a time of the forecast's day (the first interval not yet ended), or "
            "re-forecast the forecast of the day --as-of is in")


def _warn_without_actuals(by_key: dict[str, ForecastRow],
                          actual: dict[str, tuple[float, float | None]], cut: str,
                          as_of: str, data: Path, tz: str, ratio: float) -> None:
    """A warning on stderr when no contact came in the forecast's intervals that ended by
    --as-of: the volume ratio is then 0 (the rest of the day re-forecast as empty), which
    is right after an outage but is usually a dataset that does not hold that day yet."""
    from omnikpi.engine.timezones import zone

    ended = [key for key in by_key if key < cut]
    if not ended or any(actual.get(key, (0.0, None))[0] > 0 for key in ended):
        return
    busy = [key for key, (count, _) in actual.items() if count > 0]
    last = (datetime.fromisoformat(max(busy)).replace(tzinfo=UTC).astimezone(zone(tz))
            .isoformat(timespec="minutes")) if busy else None
    Console(stderr=True).print(
        f"warning: {data} has no contacts in the forecast's intervals before --as-of "
        f"{as_of} (the volume ratio is {ratio:g})"
        + (f"; its last contacts are in the interval of {last}" if last else
           "; it has no contacts of this queue and channel at all")
        + " — does --data hold the forecast's day?", highlight=False, markup=False,
        soft_wrap=True)


def _check_queue(rows: list[dict[str, Any]], queue: str | None, data: Path) -> None:
    """A queue the data never had (a typo) is an error, not a day of zeros."""
    if queue and not rows:
        raise UsageError(f"queue {queue!r} has no contacts in {data}")


def _forecast_of_queue(path: Path, queue: str | None) -> tuple[str | None, list[ForecastRow]]:
    """The forecast to re-forecast and the queue whose actuals it is compared with: a
    forecast per queue (a queue column) is re-forecast one queue at a time, and a file of
    one queue names it."""
    from omnikpi.wfm.forecast_file import by_queue, queues_in, read_forecast_rows

    rows = read_forecast_rows(path)
    names = queues_in(rows)
    if not names:
        return queue, rows
    if queue is None and len(names) > 1:
        raise UsageError(f"{path} is a forecast per queue ({', '.join(names)}): "
                         "re-forecast one at a time with --queue NAME")
    chosen = queue or names[0]
    return chosen, by_queue(rows, chosen, path)[chosen]


def _actuals(rows: list[dict[str, Any]]) -> tuple[dict[str, tuple[float, float | None]],
                                                  dict[str, float]]:
    """(contacts, AHT) and contacts handled per interval, keyed as the forecast's."""
    actual, handled = {}, {}
    for r in rows:
        key = _utc_key(datetime.fromisoformat(str(r["period_start"])))
        actual[key] = (float(r["offered"] or 0), None if r["aht"] is None else float(r["aht"]))
        # AHT is weighted by the contacts it averages (handled ones), not those offered
        handled[key] = float(r["handled"] or 0)
    return actual, handled


def _written(row: ForecastRow, interval: Interval, tz: str) -> dict[str, Any]:
    """A re-forecast interval as the forecast file had it: its queue, if any, and its own
    time (a time without an offset gains --tz's), so that `wfm plan` reads it back."""
    return {**({} if row.queue is None else {"queue": row.queue}),
            "interval_start": with_offset(row.interval_start, tz),
            "volume": round(interval.volume, 4),
            "aht_seconds": None if interval.aht_seconds is None
            else round(interval.aht_seconds, 2)}


@wfm_app.command("reforecast")
def reforecast_command(
    forecast: Annotated[Path, typer.Option(help="today's forecast CSV (wfm forecast)")],
    data: Annotated[Path, typer.Option(help="dataset folder with today's contacts")],
    as_of: Annotated[str, typer.Option(
        help="start of the first interval not yet ended, e.g. 2024-03-04T12:00 (a time of "
             "--tz) or 2024-03-04T12:00+02:00")],
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
    from omnikpi.engine.timezones import zone
    from omnikpi.wfm.forecast_file import check_spacing
    from omnikpi.wfm.reforecast import Interval, reforecast
    from omnikpi.wfm.staffing import check_inputs

    try:
        _check(output, interval_minutes, format)
        # nan or 1e300 switched the re-forecast off (ratios 1.0) and -3 passed, exit 0
        check_inputs(**{"--min-contacts": min_contacts})
        if min_contacts < 0:
            raise UsageError(f"--min-contacts must be 0 or more, got {min_contacts:g}")
        zone(tz)
        queue, planned = _forecast_of_queue(forecast, queue)
        check_spacing((_on_clock(r.at, tz) for r in planned), interval_minutes)
        _check_grid(planned, interval_minutes, tz)
        moment = _cut(as_of, tz, planned)
        _check_within(moment, as_of, planned, interval_minutes, tz)
        cut = _utc_key(moment)
        rows = _interval_rows(data, interval_minutes, tz, queue, channel=channel,
                              metrics=["offered", "aht", "handled"])
        _check_queue(rows, queue, data)
        actual, handled = _actuals(rows)
        by_key = {_utc_key(_on_clock(r.at, tz)): r for r in planned}
        out = reforecast([Interval(k, r.volume, r.aht_seconds) for k, r in by_key.items()],
                         actual, cut, min_contacts, handled)
        _warn_without_actuals(by_key, actual, cut, as_of, data, tz, out.volume_ratio)
    except OmniKPIError as exc:
        fail(exc)
    written = [_written(by_key[i.interval_start], i, tz) for i in out.intervals]
    _write(written, {"volume_ratio": out.volume_ratio, "aht_ratio": out.aht_ratio}, format,
           output)
