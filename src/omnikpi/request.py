"""What a report asks for, whoever asks: the Python API, the CLI, the web pages, a saved
definition. One value, so that a new option is added in one place and every surface
reads it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from functools import cache
from typing import Any

from omnikpi.errors import UsageError
from omnikpi.value_list import split_values

Instant = str | datetime | None
Names = str | Sequence[str]
"""Ids as a list, or as one text with commas (``"asa,aht"``, as ``--metrics`` takes)."""


def names_of(value: Names | None, what: str = "ids",
             escaped: bool = False) -> tuple[str, ...]:
    """A list of ids from either form: a text is split at commas, not into its letters
    (``metrics="asa"`` asked for the metric ``a``). Anything else — a number, a list
    holding a number — is a usage error naming ``what`` (the Python API raised
    "'int' object is not iterable" from inside the package). ``escaped``: a comma or
    backslash inside a value is written with a backslash before it, as in a filter
    (``Doe\\, Jane``: omnikpi.value_list)."""
    if value is None:
        return ()
    if isinstance(value, str):
        parts = split_values(value) if escaped else value.split(",")
        return tuple(part.strip() for part in parts if part.strip())
    if isinstance(value, Sequence | set | frozenset) and \
            all(isinstance(v, str) for v in value):
        return tuple(value)
    shown = type(value).__name__ if not isinstance(value, Sequence | set | frozenset) else \
        f"a list holding {type(next(v for v in value if not isinstance(v, str))).__name__}"
    raise UsageError(f"{what}: names as a list of texts or one text with commas, not "
                     f"{shown}")


def instant_of(value: str | date | None, what: str = "instant") -> Instant:
    """An instant as the engine reads it; a ``date`` is its midnight in the report's zone.
    Anything but a text, a date or a datetime is a usage error naming ``what``."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if value is not None and not isinstance(value, str | datetime):
        raise UsageError(f"{what}: an ISO-8601 text, a date or a datetime, not "
                         f"{type(value).__name__} {value!r:.40}")
    return value


@cache
def _lower_case_dimensions() -> frozenset[str]:
    """Dimensions whose values are stored in lower case in every table that has them
    (``channel``, ``direction``)."""
    from omnikpi.schema.tables import TABLES

    columns = [c for t in TABLES.values() for c in t.columns]
    lower = {c.name for c in columns if c.lowercase or c.choices}
    mixed = {c.name for c in columns if not (c.lowercase or c.choices)}
    return frozenset(lower - mixed)


def canonical_filters(filters: Mapping[str, Names] | None) -> dict[str, tuple[str, ...]]:
    """Filter values as the data holds them: ``channel=Voice`` keeps the voice contacts
    (channels are read in lower case, and the filter found nothing without a word)."""
    lower = _lower_case_dimensions()
    if filters is not None and not isinstance(filters, Mapping):
        raise UsageError("filters: a mapping of dimension → values ({\"queue\": "
                         f'["Sales"]}}), not {type(filters).__name__}')
    return {d: tuple(v.lower() if d in lower else v for v in names_of(values, f"filter {d}",
                                                                     escaped=True))
            for d, values in (filters or {}).items()}


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
        object.__setattr__(self, "filters", canonical_filters(self.filters))
        for name in ("from_", "to", "as_of"):
            object.__setattr__(self, name, instant_of(getattr(self, name)))

    @classmethod
    def of(cls, metrics: Names | None = None, by: Names = (),
           grain: str = "total", tz: str = "UTC", from_: Instant | date = None,
           to: Instant | date = None, as_of: Instant | date = None,
           params: Mapping[str, Any] | None = None,
           filters: Mapping[str, Names] | None = None,
           engine: str = "duckdb") -> ReportRequest:
        """A request from loosely typed values (lists or comma-separated text, dates,
        None for "not given")."""
        return cls(names_of(metrics), names_of(by), grain, tz, instant_of(from_),
                   instant_of(to), instant_of(as_of), dict(params or {}),
                   canonical_filters(filters), engine)

    def overridden(self, **given: Any) -> ReportRequest:
        """This request with the options someone gave explicitly (None: not given).

        A saved definition overridden by command-line options: ``--grain total`` given
        on the command line wins over the definition's ``day``, and options not given
        keep the definition's. Parameters and filters given are added to the saved ones
        (a given one wins for the same key; a parameter given for every metric, ``NAME``,
        also wins over a saved ``METRIC.NAME``, which would otherwise be applied after
        it: ``--param threshold_seconds=5`` beside a definition saying
        ``service_level.threshold_seconds = 30`` was silently ignored).
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
                changes[name] = {**_not_given(self.params, value), **value}
            elif name == "filters":
                changes[name] = {**self.filters, **canonical_filters(value)}
            elif name in ("metrics", "by"):
                changes[name] = tuple(value)
            else:
                changes[name] = value
        return replace(self, **changes)


def _not_given(saved: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The saved parameters that none of ``given`` replaces: a given ``NAME`` replaces the
    saved ``NAME`` and every saved ``METRIC.NAME``."""
    bare = {key for key in given if "." not in key}
    return {key: value for key, value in saved.items()
            if key not in given and key.rpartition(".")[2] not in bare}


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
