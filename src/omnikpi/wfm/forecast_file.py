"""The forecast file as ``wfm plan`` and ``wfm reforecast`` read it: ``interval_start``,
``volume`` and ``aht_seconds`` per row (``wfm forecast``'s CSV), and a ``queue`` column when
it was forecast per queue (``--by-queue``). Every bad line is named."""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from omnikpi.errors import UsageError, read_text
from omnikpi.instants import FIRST_YEAR, LAST_YEAR
from omnikpi.wfm.clock import check_one_clock

if TYPE_CHECKING:  # planning brings NumPy and SciPy: not needed to read a file
    from omnikpi.wfm.planning import ForecastInterval

COLUMNS = ("aht_seconds", "interval_start", "volume")
MAX_VALUE = 1_000_000_000
"""The largest volume or AHT of a line: the staffing's ``MAX_INPUT`` (not imported: it
brings NumPy), checked here so that the error names the line as every other one does."""
SHOWN_PROBLEMS = 10
"""Lines named in one error: a file of a wrong shape repeats one problem on every line."""


@dataclass(frozen=True)
class ForecastRow:
    line: int
    queue: str | None
    """None: the file has no queue column (one forecast)."""
    interval_start: str
    """As written in the file: the output keeps it, offset and all."""
    at: datetime
    volume: float
    aht_seconds: float | None
    """None where the file leaves it empty (an interval without contacts)."""


def _number(text: str) -> float:
    """A number written in the file, NaN for anything else ("100,5", "abc")."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def _row(line: int, raw: dict[str, str], has_queue: bool) -> ForecastRow:
    """One line, or a ValueError saying what is wrong with it. ``inf`` is a float and
    ``inf ≥ 0``: an infinite volume or AHT passed here and was refused later by the
    staffing, without the line it came from (as a volume or AHT above ``MAX_VALUE``
    was)."""
    volume_text = (raw["volume"] or "").strip()
    volume = _number(volume_text)
    if not (math.isfinite(volume) and volume >= 0):  # the column and its value, each
        raise ValueError(f"volume {volume_text!r} is not a finite number ≥ 0")
    text = (raw["aht_seconds"] or "").strip()
    aht = _number(text) if text else None
    if aht is not None and not (math.isfinite(aht) and aht > 0):
        raise ValueError(f"aht_seconds {text!r} is not a finite number > 0 (leave it empty "
                         "for the forecast's mean)")
    for name, value in (("volume", volume), ("aht_seconds", aht)):
        if value is not None and value > MAX_VALUE:
            raise ValueError(f"{name} must be at most {MAX_VALUE:,}, got "
                             f"{(raw[name] or '').strip()}")
    start = (raw["interval_start"] or "").strip()
    try:
        at = datetime.fromisoformat(start)
    except ValueError:
        raise ValueError(f"interval_start {start!r} is not a time such as "
                         "2024-03-04T08:00") from None
    if not FIRST_YEAR <= at.year <= LAST_YEAR:  # year 1 at +02:00 has no UTC instant
        raise ValueError(f"interval_start {start!r} is outside the years "
                         f"{FIRST_YEAR}–{LAST_YEAR}")
    queue = (raw.get("queue") or "").strip() if has_queue else None
    return ForecastRow(line, queue, start, at, volume, aht)


def _repeated(rows: Iterable[ForecastRow]) -> list[str]:
    """An interval given twice (of one queue) would be staffed twice."""
    seen: set[tuple[str | None, datetime]] = set()
    problems = []
    for row in rows:
        if (row.queue, row.at) in seen:
            of_queue = "" if row.queue is None else f" of queue {row.queue}"
            problems.append(f"line {row.line}: interval {row.interval_start}{of_queue} is "
                            "there twice")
        seen.add((row.queue, row.at))
    return problems


def read_forecast_rows(path: Path) -> list[ForecastRow]:
    """The file's rows as written (an empty AHT stays None), or a usage error naming
    every bad line."""
    reader = csv.DictReader(io.StringIO(read_text(path, "forecast file")))
    fields = reader.fieldnames or []
    if not set(COLUMNS) <= set(fields):
        raise UsageError(f"{path}: needs the columns {', '.join(COLUMNS)}")
    rows, problems = [], []
    for raw in reader:
        line = reader.line_num
        extra = raw.get(None) or ()  # restkey None: the fields past the header
        given = len(fields) + len(extra) - sum(1 for name in fields if raw.get(name) is None)
        if given != len(fields):
            # a short line was planned with the mean AHT as if the file had it, a long
            # one's extra field dropped, neither named
            problems.append(f"line {line}: {given} field(s) where the header has "
                            f"{len(fields)}")
            continue
        try:
            rows.append(_row(line, raw, "queue" in fields))
        except ValueError as exc:
            problems.append(f"line {line}: {exc}")
    check_one_clock(((f"line {r.line}", r.at) for r in rows), str(path))
    problems += _repeated(rows)
    if problems:
        more = len(problems) - SHOWN_PROBLEMS
        raise UsageError(f"{path}: " + "; ".join(problems[:SHOWN_PROBLEMS]) +
                         (f"; and {more} more" if more > 0 else ""))
    if not rows:  # a header alone: the plan wrote a file holding "x"
        raise UsageError(f"{path}: no intervals (only the header line): write one row per "
                         "interval, or make the forecast with `omnikpi wfm forecast`")
    return rows


def queues_in(rows: Iterable[ForecastRow]) -> list[str]:
    """The queues of a forecast per queue, in the file's order; none without a queue
    column."""
    return list(dict.fromkeys(r.queue for r in rows if r.queue is not None))


def by_queue(rows: list[ForecastRow], queue: str | None,
             path: Path) -> dict[str | None, list[ForecastRow]]:
    """Each queue's rows (``--by-queue`` wrote them one after another), or only those of
    ``queue``: each queue is its own queue of calls to staff. A file without a queue
    column is one forecast (key None), and a --queue asked of it is refused rather than
    ignored."""
    names = queues_in(rows)
    if queue is None:
        return {name: [r for r in rows if r.queue == name] for name in names} or {None: rows}
    if not names:
        raise UsageError(f"--queue {queue}: {path} has no queue column (it is one forecast, "
                         "e.g. `wfm forecast --queue Q`'s): leave out --queue")
    if queue not in names:
        raise UsageError(f"{path} has no rows of queue {queue!r}; its queues: "
                         f"{', '.join(names)}")
    return {queue: [r for r in rows if r.queue == queue]}


def planning_intervals(rows: list[ForecastRow], where: str) -> list[ForecastInterval]:
    """The intervals to staff. One forecast to have contacts but no AHT (none was handled
    at that hour in the history: e-mail at night) takes the forecast's mean AHT, weighted
    by volume; one without contacts needs no AHT (and no agents): 1 s stands in."""
    from omnikpi.wfm.planning import ForecastInterval

    weighted = [(r.volume, r.aht_seconds) for r in rows
                if r.aht_seconds is not None and r.volume > 0]
    mean_aht = (sum(v * a for v, a in weighted) / sum(v for v, _ in weighted)
                if weighted else None)
    if mean_aht is None and any(r.volume > 0 and r.aht_seconds is None for r in rows):
        raise UsageError(f"{where}: no interval has an aht_seconds: the plan needs one")
    return [ForecastInterval(r.interval_start, r.volume, r.aht_seconds
                             if r.aht_seconds is not None else
                             (mean_aht if r.volume > 0 and mean_aht is not None else 1.0))
            for r in rows]


SPACING_TOLERANCE_SECONDS = 0.001
"""How far the forecast's step may be from ``--interval-minutes``: 0.1 minutes is
6.000000000000001 s in floating point, not a different interval."""


def check_spacing(starts: Iterable[datetime], interval_minutes: float) -> None:
    """The forecast's own step is ``--interval-minutes``: a 30-minute forecast planned (or
    re-forecast) as 15-minute intervals doubled (or halved) every interval's traffic
    without a word. The step is compared in seconds, not rounded to whole minutes: a
    7.5-minute forecast was said to be 8 minutes apart, and planned with 8 it under-planned
    every interval's traffic by 6.25 %. The times are on one clock (``check_one_clock``);
    a forecast of one interval has no step and takes ``--interval-minutes`` as it is."""
    ordered = sorted(starts)
    steps = {(b - a).total_seconds() for a, b in itertools.pairwise(ordered)}
    step = min((s for s in steps if s > 0), default=interval_minutes * 60)
    if not abs(step - interval_minutes * 60) <= SPACING_TOLERANCE_SECONDS:  # NaN too
        minutes = f"{step / 60:.15g}"
        raise UsageError(f"the forecast's intervals are {minutes} minutes apart, but "
                         f"--interval-minutes is {interval_minutes:g}: give "
                         f"--interval-minutes {minutes}")
