"""What a report asks for, whoever asks: the Python API, the CLI, the web pages, a saved
definition. One value, so that a new option is added in one place and every surface
reads it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from omnikpi.errors import UsageError

Instant = str | datetime | None


@dataclass(frozen=True)
class ReportRequest:
    metrics: tuple[str, ...] = ()
    """Catalog ids; empty: the standard report for the data present."""
    by: tuple[str, ...] = ()
    grain: str = "total"
    tz: str = "UTC"
    from_: Instant = None
    """Window start (inclusive); instants without an offset are read in ``tz``."""
    to: Instant = None
    """Window end (exclusive)."""
    as_of: Instant = None
    """What has happened by this instant counts (default: the data's latest event)."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """``metric.name`` or ``name`` → value, as ``--param``."""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Dimension → the values kept (``--filter channel=voice,chat``)."""
    engine: str = "duckdb"

    def __post_init__(self) -> None:
        # a dimension or metric named twice (``--by queue,queue``) is asked for once: a
        # report cannot have two columns of one name
        object.__setattr__(self, "metrics", tuple(dict.fromkeys(self.metrics)))
        object.__setattr__(self, "by", tuple(dict.fromkeys(self.by)))

    @classmethod
    def of(cls, metrics: Sequence[str] | None = None, by: Sequence[str] = (),
           grain: str = "total", tz: str = "UTC", from_: Instant = None, to: Instant = None,
           as_of: Instant = None, params: Mapping[str, Any] | None = None,
           filters: Mapping[str, Sequence[str]] | None = None,
           engine: str = "duckdb") -> ReportRequest:
        """A request from loosely typed values (lists, None for "not given")."""
        return cls(tuple(metrics or ()), tuple(by), grain, tz, from_, to,
                   as_of, dict(params or {}),
                   {d: tuple(str(v) for v in values) for d, values in (filters or {}).items()},
                   engine)

    def overridden(self, **given: Any) -> ReportRequest:
        """This request with the options someone gave explicitly (None: not given).

        A saved definition overridden by command-line options: ``--grain total`` given
        on the command line wins over the definition's ``day``, and options not given
        keep the definition's. Parameters and filters given are added to the saved ones
        (a given one wins for the same key).
        """
        known = {f.name for f in fields(self)}
        unknown = set(given) - known
        if unknown:
            raise TypeError(f"unknown report option(s): {', '.join(sorted(unknown))}")
        changes: dict[str, Any] = {}
        for name, value in given.items():
            if value is None or (name in ("metrics", "by") and not value):
                continue
            if name == "params":
                changes[name] = {**self.params, **value}
            elif name == "filters":
                changes[name] = {**self.filters,
                                 **{d: tuple(str(v) for v in vs) for d, vs in value.items()}}
            elif name in ("metrics", "by"):
                changes[name] = tuple(value)
            else:
                changes[name] = value
        return replace(self, **changes)


def check_sql_text(what: str, value: str) -> str:
    """``value`` unchanged if a report can compare it as SQL text; a NUL character cannot
    be in SQL text (DuckDB's parser ends a literal there), so it is a usage error here
    rather than a parser error in the database."""
    if "\x00" in value:
        raise UsageError(f"{what}: a value holds a NUL character")
    return value


def check_filter_values(filters: Mapping[str, Sequence[str]]) -> None:
    """Filter values (``queue=…``, a wallboard's ``site=…``) pass :func:`check_sql_text`."""
    for dimension, values in filters.items():
        for value in values:
            check_sql_text(f"filter {dimension!s:.40}", str(value))
