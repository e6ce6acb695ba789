"""The declaration format of a KPI: one place that the engine, CLI, docs and UI read.

A metric is data plus two small expression builders. The engine aggregates the
numerator and the denominator separately for every group and divides last, so a ratio
pooled over a coarser grouping is always Σ numerator / Σ denominator, never an average of
ratios.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import ibis.expr.types as ir

from omnikpi.errors import UsageError
from omnikpi.request import check_sql_text

Better = Literal["higher", "lower"]
Unit = Literal["count", "ratio", "seconds", "per_hour", "per_shift", "points", "score",
               "sessions", "money"]
Mode = Literal["any", "continuous", "discrete"]
Aggregate = Literal["sum", "max", "distinct"]
ParamKind = Literal["float", "int", "bool", "choice", "str", "map"]

Params = Mapping[str, Any]
ExprBuilder = Callable[[ir.Table, Params], ir.Value]

PARAM_MAX = 1_000_000_000
"""The largest number a parameter takes: a billion seconds or hours still fits the engine's
64-bit microseconds once added to an instant (``fcr.window_hours=1e18`` did not)."""
_TRUE = {"true", "1", "yes", "y", "on"}
NONE_TEXT = "none"
"""How a number parameter whose default is none is set back to none (``--param
pass_score=none``), as the drill-down and the exports write it."""
_FALSE = {"false", "0", "no", "n", "off"}


class ParamContext(Protocol):
    """What a parameter's default may come from besides the declaration: the report's
    configuration and facts of the data (e.g. whether the contacts carry topics)."""

    @property
    def config(self) -> Any: ...

    def has_values(self, table: str, column: str) -> bool: ...


@dataclass(frozen=True)
class Param:
    name: str
    kind: ParamKind
    default: Any
    description: str
    choices: tuple[str, ...] = ()
    unit: str | None = None
    default_from: Callable[[ParamContext], Any] | None = None
    """The default when nobody gives a value, from the configuration or the data
    (``default`` is then what the docs show)."""
    settable: bool = True
    """False for a value only the configuration provides (never ``--param``, not shown)."""
    shapes_source: bool = False
    """The metric's fact source is built with it: its rows differ with the value (the FCR
    window, the leave types that count as attrition), so reports and drill-downs group
    and cache sources by it (:attr:`Metric.source_params`)."""
    minimum: float = 0
    """The least value of an int or float parameter (a box of 0 points counts nobody)."""
    only_cut_by: str | None = None
    """A source parameter that changes the rows only in a report cut or filtered by this
    dimension (where available time without a channel goes, in a cut by channel):
    elsewhere the source is built without it, the same rows as one plan shared with the
    source's other metrics."""
    read_only_with: tuple[str, str] | None = None
    """(parameter, value): the metric reads this parameter only when its parameter of
    that name has that value (``cost_per_sale`` reads ``sale_outcomes`` with
    ``sales=all``); given otherwise, the report says it was not applied."""

    def default_in(self, context: ParamContext | None) -> Any:
        """The default for a report in ``context`` (the declared one without context)."""
        if self.default_from is not None and context is not None:
            return self.default_from(context)
        return self.default

    def parse(self, metric_id: str, raw: Any) -> Any:
        """Turn a CLI/API value into the parameter's type, or say what is allowed."""
        where = f"{metric_id}.{self.name}"
        text = str(raw).strip()
        if self.default is None and self.default_from is None and \
                (raw is None or text.lower() == NONE_TEXT):
            return None  # "pass_score=none": the parameter's own "not set" (its default)
        try:
            if self.kind == "bool":
                if isinstance(raw, bool):
                    return raw
                if text.lower() in _TRUE:
                    return True
                if text.lower() in _FALSE:
                    return False
                raise ValueError
            if self.kind in ("float", "int") and isinstance(raw, bool):
                raise ValueError  # float(True) is 1: threshold_seconds=True read as 1 s
            if self.kind == "float":
                value = float(raw)
                if not math.isfinite(value) or not self.minimum <= value <= PARAM_MAX:
                    raise ValueError
                return value
            if self.kind == "int":
                as_int = int(text)
                if not self.minimum <= as_int <= PARAM_MAX:
                    raise ValueError
                return as_int
        except (TypeError, ValueError):
            least = f"{self.minimum:g}"
            expected = {"bool": "true or false",
                        "float": f"a finite number from {least} to {PARAM_MAX:,}",
                        "int": f"a whole number from {least} to {PARAM_MAX:,}"}[self.kind]
            raise UsageError(
                f"bad value {text!r} for parameter {where}: expected {expected}"
            ) from None
        if self.kind == "str":
            check_sql_text(f"parameter {where}", text)
        if self.kind == "choice" and text not in self.choices:
            raise UsageError(
                f"bad value {text!r} for parameter {where}: choose one of {', '.join(self.choices)}"
            )
        return text


@dataclass(frozen=True)
class Metric:
    """One KPI of the catalog.

    ``numerator``/``denominator`` build per-row values on the metric's fact table; the
    engine sums them per group (or takes the max, for ``aggregate="max"``). A metric without
    a denominator is a count (or a max). ``scale`` multiplies the final ratio (NPS points,
    per-hour rates).
    """

    id: str
    name: str
    unit: Unit
    area: str
    source: str
    """Fact source the rows come from: contacts, agent_time, chat_sessions, fcr, ..."""
    tables: tuple[str, ...]
    formula: str
    numerator: ExprBuilder
    denominator: ExprBuilder | None = None
    params: tuple[Param, ...] = ()
    mode: Mode = "any"
    booking: str = "arrival"
    aggregate: Aggregate = "sum"
    scale: float = 1.0
    per_period_hours: bool = False
    """Denominator is the length of the row's period in hours (rates per hour)."""
    denominator_source: str | None = None
    """Fact source of the denominator when it differs from ``source`` (e.g. agent time)."""
    denominator_aggregate: Aggregate = "sum"
    """``distinct``: the denominator counts the distinct non-null values its builder gives
    per group (distinct customers), which cannot be summed from smaller groups."""
    unknown_without_numerator: bool = False
    """A group with no row of the numerator's source has no value, not 0: a queue or a
    day that no cost row covers has unknown costs (cost per contact read 0.00 for a
    queue whose costs were simply not given)."""
    resolve: Callable[[Params], Metric] | None = None
    """Returns the variant of this metric that the parameters select (e.g. per=logged_in)."""
    notes: str = ""
    when_empty: str = ""
    """What the metric counts, said when it has no value in any row of a report
    (``omnikpi report`` prints it on stderr, the drill-down page under the figure):
    ``{as_of}`` and the parameters' names (``{window_hours}``) are filled in with the
    report's own."""
    when_empty_texts: Mapping[str, str] = field(default_factory=dict)
    """``when_empty`` in the other interface languages (``{"ru": …, "uk": …}``)."""
    key_column: str | None = None
    """Table metrics (one row per value of this column, e.g. ``state``)."""

    # -- how the surfaces show it (the web pages, wallboard, exports, translations) -------
    names: Mapping[str, str] = field(default_factory=dict)
    """``name`` in the other interface languages (``{"ru": …, "uk": …}``)."""
    formulas: Mapping[str, str] = field(default_factory=dict)
    """``formula`` in the other interface languages (``{"ru": …, "uk": …}``); column and
    parameter ids (``short_abandon_seconds``) stay as they are written in code."""
    better: Better | None = None
    """Which side of a target is good: ``higher`` (SL, FCR) or ``lower`` (abandons)."""
    better_past_target_only: bool = False
    """The direction holds only on the wrong side of the target: occupancy above its 85 %
    burns agents out, but under it a lower figure means agents waiting for work, which
    is not better. A change that stays on the target's side is then neither better nor
    worse (the what-if page called 82 % → 75 % "better")."""
    target: float | None = None
    """The default goal (a tile's green or red); the configuration's ``[targets]``
    overrides it per metric, queue or channel."""
    sections: Mapping[str, int] = field(default_factory=dict)
    """Dashboard sections (``omnikpi.metrics.display.SECTIONS``) showing the metric's tile,
    with its position in each."""
    tile_needs: tuple[str, ...] = ()
    """Optional tables without which the dashboard leaves the tile out, because its
    figure would only repeat another's (average wait including IVR, without
    ``ivr_sessions``, is the ASA beside it). Reports still compute it."""
    standard: int | None = None
    """Position in the standard report (a report asked without metrics); None: not in it."""
    wallboard: int | None = None
    """Position among the wallboard's so-far-today figures; None: not there."""
    extension: bool = False
    """Not in the spec's KPI catalog: an OmniKPI addition (see docs/decisions.md)."""

    @property
    def source_params(self) -> tuple[str, ...]:
        """Parameters the fact source itself needs (rows differ with them): those declared
        ``shapes_source``."""
        return tuple(p.name for p in self.params if p.shapes_source)

    def source_params_for(self, params: Mapping[str, Any], cuts: Collection[str]
                          ) -> tuple[tuple[str, object], ...]:
        """The parameters its fact source is built with, in a report cut or filtered by
        ``cuts`` (a parameter declared ``only_cut_by`` another dimension is left out)."""
        return tuple((p.name, params[p.name]) for p in self.params if p.shapes_source
                     and (p.only_cut_by is None or p.only_cut_by in cuts))

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name and p.settable:
                return p
        names = ", ".join(p.name for p in self.params) or "none"
        raise UsageError(f"metric {self.id} has no parameter {name!r} (its parameters: {names})")

    @property
    def is_count(self) -> bool:
        return self.unit == "count"

    def defaults(self, context: ParamContext | None = None) -> dict[str, Any]:
        return {p.name: p.default_in(context) for p in self.params}

    def name_in(self, lang: str) -> str:
        """The metric's name in an interface language (English when not translated)."""
        return self.names.get(lang, self.name)

    def when_empty_in(self, lang: str, **values: Any) -> str:
        """``when_empty`` in an interface language, its placeholders filled in ("" when
        the metric declares none)."""
        text = self.when_empty_texts.get(lang, self.when_empty)
        return text.format(**values) if text else ""

    def formula_in(self, lang: str) -> str:
        """The metric's formula in an interface language (English when not translated)."""
        return self.formulas.get(lang, self.formula)

    def __post_init__(self) -> None:
        if self.target is not None and self.better is None:
            raise AssertionError(f"metric {self.id} has a target but no direction (better)")


REGISTRY: dict[str, Metric] = {}


def register(*metrics: Metric) -> None:
    for metric in metrics:
        if metric.id in REGISTRY:
            raise AssertionError(f"metric {metric.id} declared twice")
        REGISTRY[metric.id] = metric


def get_metric(metric_id: str) -> Metric:
    from omnikpi.metrics import catalog  # noqa: F401  (fills the registry)

    try:
        return REGISTRY[metric_id]
    except KeyError:
        near = difflib.get_close_matches(str(metric_id).lower(), sorted(REGISTRY), n=1,
                                         cutoff=0.75)
        guess = f" (did you mean {near[0]}?)" if near else ""
        raise UsageError(
            f"unknown metric {metric_id!r}{guess}; valid ids: {', '.join(sorted(REGISTRY))}"
        ) from None


def all_metrics() -> list[Metric]:
    from omnikpi.metrics import catalog  # noqa: F401

    return list(REGISTRY.values())
