"""The Python API: the same numbers as ``omnikpi report``, as a DataFrame or Arrow table.

>>> import omnikpi
>>> df = omnikpi.report("data/", metrics=["service_level", "asa"], by=["queue"],
...                     grain="day", tz="Europe/Kyiv")                    # doctest: +SKIP
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, overload

import pandas as pd
import pyarrow as pa

from omnikpi.api_words import flat_params, in_api_words
from omnikpi.config import Config, load_config
from omnikpi.engine.result import ReportResult
from omnikpi.engine.rollups import stale_note
from omnikpi.engine.run import run_report
from omnikpi.engine.spark_load import load_for_engine
from omnikpi.errors import DataError, QuarantineWarning, ReportNote, UsageError
from omnikpi.report_notes import report_notes
from omnikpi.request import Names, canonical_filters, instant_of, names_of
from omnikpi.schema.dataset import Dataset


def _dataset(data: str | Path | Dataset, engine: str = "duckdb") -> Dataset:
    """A folder is loaded for the engine (Spark validates Parquet on its executors)."""
    return data if isinstance(data, Dataset) else load_for_engine(data, engine)


InstantArg = str | datetime | date | None
"""An instant: ISO-8601 text or a datetime (no offset: read in ``tz``), or a date (its
midnight in ``tz``)."""


@overload
def report(
    data: str | Path | Dataset, metrics: Names | None = ..., by: Names = ...,
    grain: str = ..., tz: str = ..., params: Mapping[str, Any] | None = ...,
    engine: str = ..., from_: InstantArg = ..., to: InstantArg = ...,
    as_of: InstantArg = ..., config: Config | str | Path | None = ...,
    output: Literal["pandas"] = ..., where: Mapping[str, Names] | None = ...,
) -> pd.DataFrame: ...


@overload
def report(
    data: str | Path | Dataset, metrics: Names | None = ..., by: Names = ...,
    grain: str = ..., tz: str = ..., params: Mapping[str, Any] | None = ...,
    engine: str = ..., from_: InstantArg = ..., to: InstantArg = ...,
    as_of: InstantArg = ..., config: Config | str | Path | None = ...,
    output: Literal["arrow"] = ..., where: Mapping[str, Names] | None = ...,
) -> pa.Table: ...


def report(
    data: str | Path | Dataset,
    metrics: Names | None = None,
    by: Names = (),
    grain: str = "total",
    tz: str = "UTC",
    params: Mapping[str, Any] | None = None,
    engine: str = "duckdb",
    from_: InstantArg = None,
    to: InstantArg = None,
    as_of: InstantArg = None,
    config: Config | str | Path | None = None,
    output: Literal["pandas", "arrow"] = "pandas",
    where: Mapping[str, Names] | None = None,
) -> pd.DataFrame | pa.Table:
    """Compute KPIs of the catalog; the rows are those of ``omnikpi report --format json``.

    - ``data``: a dataset folder (docs/data-model.md) or a loaded :class:`Dataset`.
    - ``metrics``, ``by``: catalog ids and dimensions, as a list or as one text with
      commas (``"service_level,asa"``); no metrics: the standard report for the data.
    - ``grain``: ``total``, ``15min``, ``30min``, ``hour``, ``day``, ``week`` or
      ``month``, the periods counted in ``tz`` (an IANA zone).
    - ``from_`` (inclusive) and ``to`` (exclusive): the window each metric's events are
      booked in — arrival for offered, SL and ASA, the end for handled contacts and
      handle times, the evaluation for QA (the catalog's booking, docs/metrics.md);
      ``as_of``: what has happened by then counts (default: the data's latest event).
    - ``params``: ``"metric.name"`` or ``"name"`` to a value, like ``--param``, or a
      metric's parameters nested (``{"service_level": {"threshold_seconds": 30}}``);
      ``where``: dimension to the values kept, like ``--filter``
      (``{"channel": ["voice"], "queue": "sales"}``).
    - ``output``: ``"pandas"`` (a DataFrame) or ``"arrow"`` (a pyarrow Table); with a
      grain, ``period_start`` is a zone-aware timestamp in ``tz``.

    Raises :class:`omnikpi.UsageError` for a request that cannot be answered (an unknown
    metric, a cut a metric cannot have) and :class:`omnikpi.DataError` for data that
    cannot be read. Rows the validation quarantined are left out, with an
    :class:`omnikpi.QuarantineWarning` saying how many (``omnikpi validate`` lists them).
    Why a report is empty or lacks a figure (a filter value no row holds — values are
    case-sensitive —, a period outside the data, FCR's repeat windows still open) comes as
    :class:`omnikpi.ReportNote` warnings, the sentences ``omnikpi report`` prints as notes.
    """
    if output not in ("pandas", "arrow"):
        raise UsageError(f"output must be 'pandas' or 'arrow', not {output!r}")
    result = report_result(
        data, metrics, by, grain, tz, params, engine, from_, to, as_of, config, where
    )
    frame = result.to_frame()
    if "period_start" in frame.columns:
        # real instants in the report's zone, not ISO text: an analyst resamples, plots
        # on a time axis and compares with their own timestamps (the text sorted and
        # plotted as labels); through UTC, since offsets differ across a DST change
        frame["period_start"] = pd.to_datetime(frame["period_start"], utc=True,
                                               format="ISO8601").dt.tz_convert(tz)
    return pa.Table.from_pandas(frame, preserve_index=False) if output == "arrow" else frame


def report_result(
    data: str | Path | Dataset,
    metrics: Names | None = None,
    by: Names = (),
    grain: str = "total",
    tz: str = "UTC",
    params: Mapping[str, Any] | None = None,
    engine: str = "duckdb",
    from_: InstantArg = None,
    to: InstantArg = None,
    as_of: InstantArg = None,
    config: Config | str | Path | None = None,
    where: Mapping[str, Names] | None = None,
) -> ReportResult:
    """Like :func:`report` (the same arguments), with the metrics' units and parameters
    (the JSON's ``metrics``) and ``quarantined``, the rows left out."""
    try:
        cfg = config if isinstance(config, Config) else load_config(
            Path(config) if config else None
        )
        for name, text in (("grain", grain), ("tz", tz), ("engine", engine)):
            if not isinstance(text, str):
                raise UsageError(f"{name}: a text, not {type(text).__name__} {text!r:.40}")
        if params is not None and not isinstance(params, Mapping):
            raise UsageError("params: a mapping of parameter → value "
                             f'({{"service_level.threshold_seconds": 30}}), not '
                             f"{type(params).__name__}")
        dataset = _dataset(data, engine)
        filters = _filters(where)
        result = run_report(
            dataset, metrics=names_of(metrics, "metrics"), by=names_of(by, "by"), grain=grain,
            tz=tz, from_=instant_of(from_, "from_"), to=instant_of(to, "to"),
            as_of=instant_of(as_of, "as_of"), params=flat_params(params), config=cfg,
            engine=engine, where=filters,
        )
        notes = report_notes(dataset, result, filters=filters, engine=engine,
                             as_of_given=instant_of(as_of, "as_of"), as_of_name="as_of",
                             params=flat_params(params))
        stale = stale_note(dataset, engine, cfg)
        notes += [stale] if stale else []
    except (UsageError, DataError) as error:  # "name the metrics with --metrics"
        raise in_api_words(error) from None
    if result.quarantined:
        tables = ", ".join(f"{name} {load.quarantined}" for name, load in dataset.loads.items()
                           if load.quarantined)
        _warn(f"{result.quarantined} row(s) quarantined and left out ({tables}): "
              f"omnikpi validate --data {dataset.path} lists them", QuarantineWarning)
    for note in notes:
        _warn(note, ReportNote)
    return result


def _filters(where: Mapping[str, Names] | None) -> dict[str, tuple[str, ...]]:
    """``where`` as the engine reads it. A dimension given no value (``{"queue": []}``,
    ``{"queue": ""}``) kept no row, silently: it is refused, as ``--filter queue=`` is."""
    filters = canonical_filters(where)
    empty = [d for d, values in filters.items() if not values]
    if empty:
        raise UsageError(f"where: {empty[0]} is given no value; leave it out to keep every "
                         f"{empty[0]}, or name the values to keep")
    return filters


def _warn(text: str, category: type[Warning]) -> None:
    """Warn at the caller's line: the first frame outside this module (through
    :func:`report` the warning named ``omnikpi/api.py`` instead)."""
    frame = sys._getframe(1)
    level = 2
    while frame.f_back is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
        level += 1
    warnings.warn(text, category, stacklevel=level)
