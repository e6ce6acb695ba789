"""The Python API: the same numbers as ``omnikpi report``, as a DataFrame or Arrow table.

>>> import omnikpi
>>> df = omnikpi.report("data/", metrics=["service_level", "asa"], by=["queue"],
...                     grain="day", tz="Europe/Kyiv")                    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, overload

import pandas as pd
import pyarrow as pa

from omnikpi.config import Config, load_config
from omnikpi.engine.result import ReportResult
from omnikpi.engine.run import run_report
from omnikpi.engine.spark_load import load_for_engine
from omnikpi.schema.dataset import Dataset


def _dataset(data: str | Path | Dataset, engine: str = "duckdb") -> Dataset:
    """A folder is loaded for the engine (Spark validates Parquet on its executors)."""
    return data if isinstance(data, Dataset) else load_for_engine(data, engine)


@overload
def report(
    data: str | Path | Dataset, metrics: Sequence[str] | None = ..., by: Sequence[str] = ...,
    grain: str = ..., tz: str = ..., params: Mapping[str, Any] | None = ...,
    engine: str = ..., from_: str | datetime | None = ..., to: str | datetime | None = ...,
    as_of: str | datetime | None = ..., config: Config | str | Path | None = ...,
    output: Literal["pandas"] = ..., where: Mapping[str, Sequence[str]] | None = ...,
) -> pd.DataFrame: ...


@overload
def report(
    data: str | Path | Dataset, metrics: Sequence[str] | None = ..., by: Sequence[str] = ...,
    grain: str = ..., tz: str = ..., params: Mapping[str, Any] | None = ...,
    engine: str = ..., from_: str | datetime | None = ..., to: str | datetime | None = ...,
    as_of: str | datetime | None = ..., config: Config | str | Path | None = ...,
    output: Literal["arrow"] = ..., where: Mapping[str, Sequence[str]] | None = ...,
) -> pa.Table: ...


def report(
    data: str | Path | Dataset,
    metrics: Sequence[str] | None = None,
    by: Sequence[str] = (),
    grain: str = "total",
    tz: str = "UTC",
    params: Mapping[str, Any] | None = None,
    engine: str = "duckdb",
    from_: str | datetime | None = None,
    to: str | datetime | None = None,
    as_of: str | datetime | None = None,
    config: Config | str | Path | None = None,
    output: Literal["pandas", "arrow"] = "pandas",
    where: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame | pa.Table:
    """Compute KPIs of the catalog; the rows are those of ``omnikpi report --format json``.

    ``data`` is a dataset folder (or an already loaded :class:`Dataset`); ``params`` maps
    ``"metric.name"`` or ``"name"`` to a value, like ``--param``; ``where`` keeps only
    some dimension values, like ``--filter`` (``{"channel": ["voice"], "queue": ["sales"]}``).
    """
    result = report_result(
        data, metrics, by, grain, tz, params, engine, from_, to, as_of, config, where
    )
    frame = result.to_frame()
    return pa.Table.from_pandas(frame, preserve_index=False) if output == "arrow" else frame


def report_result(
    data: str | Path | Dataset,
    metrics: Sequence[str] | None = None,
    by: Sequence[str] = (),
    grain: str = "total",
    tz: str = "UTC",
    params: Mapping[str, Any] | None = None,
    engine: str = "duckdb",
    from_: str | datetime | None = None,
    to: str | datetime | None = None,
    as_of: str | datetime | None = None,
    config: Config | str | Path | None = None,
    where: Mapping[str, Sequence[str]] | None = None,
) -> ReportResult:
    """Like :func:`report`, with the metrics' units and parameters (the JSON's ``metrics``).

    ``where`` keeps only some dimension values, e.g. ``{"channel": ["voice", "chat"]}``.
    """
    cfg = config if isinstance(config, Config) else load_config(
        Path(config) if config else None
    )
    return run_report(
        _dataset(data, engine), metrics=metrics, by=by, grain=grain, tz=tz, from_=from_, to=to,
        as_of=as_of, params=params, config=cfg, engine=engine, where=where,
    )
