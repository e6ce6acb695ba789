"""The Jinja templates every page renders with (translations and the caller in context).

Filters for numbers and dates people read, in the page's language (``lang`` of the
context; see :mod:`omnikpi.formatting`):

- ``value|shown_value(dimension)``: a channel or direction value in the page's language
  (``voice`` → "голос"; see :mod:`omnikpi.web.value_labels`), any other value as it is;
  ``values|value_labels(dimension)`` the translated ones of a list, for a picker;
- ``value|fmt(unit)``: a metric value in its unit (``4:05``, ``1:02:03``, ``85.3 %``,
  ``1,234``, ``12.50``; ``—`` for no value);
- ``seconds|fmt_duration``: ``m:ss`` / ``h:mm:ss``;
- ``instant|fmt_date`` (the day), ``instant|fmt_datetime`` (day and time to the minute),
  ``period_start|fmt_period(grain)`` (the date for day/week/month grains, else date and
  time). Instants are ISO texts or datetimes, shown in their own offset (the report's
  zone).

And ``chart_date()``: the tick format of a chart's dates in the page's language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from omnikpi import formatting
from omnikpi.web.i18n import template_context
from omnikpi.web.value_labels import value_label, value_labels

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"),
                            context_processors=[template_context])


def _lang(context: Context) -> str:
    return str(context.get("lang") or "en")


@pass_context
def fmt(context: Context, value: Any, unit: str | None = None) -> str:
    return formatting.human(value, unit, _lang(context))


@pass_context
def fixed(context: Context, value: Any, decimals: int = 1) -> str:
    return formatting.fixed(value, _lang(context), decimals)


@pass_context
def fmt_date(context: Context, value: Any) -> str:
    return formatting.fmt_date(value, _lang(context))


@pass_context
def fmt_datetime(context: Context, value: Any, seconds: bool = False) -> str:
    return formatting.fmt_datetime(value, _lang(context), seconds)


@pass_context
def fmt_period(context: Context, value: Any, grain: str | None = None) -> str:
    return formatting.fmt_period(value, grain, _lang(context))


@pass_context
def shown_value(context: Context, value: Any, dimension: str) -> str:
    return value_label(dimension, value, context["_"])


@pass_context
def picker_labels(context: Context, values: Any, dimension: str) -> dict[str, str]:
    return value_labels(dimension, values or [], context["_"])


@pass_context
def chart_date(context: Context) -> str:
    """The d3 format of a chart's date-and-time ticks, in the page's order of day and
    month ("Mar 4, 08:00", "4 мар 08:00"), as the tables beside the charts read."""
    return "%b %-d, %H:%M" if _lang(context) == "en" else "%-d %b %H:%M"


FILTERS = {"shown_value": shown_value, "value_labels": picker_labels,
           "fmt": fmt, "fmt_duration": formatting.duration, "fmt_date": fmt_date,
           "fmt_datetime": fmt_datetime, "fmt_period": fmt_period, "fixed": fixed}
templates.env.filters.update(FILTERS)
templates.env.globals["chart_date"] = chart_date
