"""The Jinja templates every page renders with (translations and the caller in context).

Filters for numbers and dates people read, in the page's language (``lang`` of the
context; see :mod:`omnikpi.formatting`):

- ``value|shown_value(dimension)``: a channel or direction value in the page's language
  (``voice`` → "голос"; see :mod:`omnikpi.value_labels`), any other value as it is;
  ``values|value_labels(dimension)`` the translated ones of a list, for a picker;
- ``value|fmt(unit)``: a metric value in its unit (``4:05``, ``1:02:03``, ``85.3 %``,
  ``1,234``, ``12.50``; ``—`` for no value);
- ``seconds|fmt_duration``: ``m:ss`` / ``h:mm:ss``;
- ``n|counted_noun("row(s)")``: a count with its noun in the form the number takes;
- ``instant|fmt_date`` (the day), ``instant|fmt_datetime`` (day and time to the minute),
  ``period_start|fmt_period(grain)`` (the date for day/week/month grains, else date and
  time). Instants are ISO texts or datetimes, shown in their own offset (the report's
  zone).

And ``chart_date()``: the tick format of a chart's dates in the page's language;
``language_url(lang)``: this page's address in another language (the header's links).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.routing import Match

from omnikpi import formatting
from omnikpi.qa.calibration import calibration_evaluators
from omnikpi.qa.chain_text import chain_ids
from omnikpi.qa.forms import shown_score
from omnikpi.value_labels import value_label, value_labels
from omnikpi.value_list import join_values
from omnikpi.web.i18n import template_context
from omnikpi.web.limits import INSTANT_CHARS, KEY_CHARS, LONG_TEXT_CHARS, NAME_CHARS
from omnikpi.web.plurals import counted

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
def as_typed(context: Context, value: Any) -> str:
    return formatting.as_typed(value, _lang(context))


@pass_context
def counted_noun(context: Context, value: Any, noun: str) -> str:
    """``12|counted_noun("row(s)")``: "12 rows", "12 строк", "2 строки"."""
    return counted(int(value or 0), noun, _lang(context))


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


PATH_SAFE = "/:@!$&'()*+,;=~"
"""Characters a path keeps as they are (RFC 3986 ``pchar`` and ``/``); any other is
percent-encoded (the request's path arrives decoded)."""


ADDRESS_NOT_REPEATED = frozenset({"not_found.html", "forbidden.html"})
"""Pages whose language links do not repeat the address asked for: a 404 or 403 for
another tenant's contact would otherwise write that contact's id back into the page."""
KEYS_NOT_REPEATED = {"login.html": frozenset({"error"})}
"""Query keys a page's language links leave out: the login page's ``error`` names one of
its own messages, and a crafted link ("error=Call +1-555 to unlock") must not have its
text written back into the page, even inside a link."""


def _readable(request: Request) -> bool:
    """Whether the request's path answers GET (a form's address may not)."""
    scope = {**request.scope, "method": "GET"}
    return any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)


@pass_context
def language_url(context: Context, lang: str) -> str:
    """This page's address in ``lang``: its path and query as requested (filters, sort,
    page, repeated keys such as several ``param=`` in their order) with only ``lang``
    set; a path and a query, never a host. A bare ``?lang=`` reset the page: on
    ``/drill?metric=aht&channel=chat`` the "uk" link opened ``/drill?lang=uk``, another
    metric over all the data. (``?lang=`` also sets the language cookie, as before.)"""
    request = context.get("request")
    if request is None or context.name in ADDRESS_NOT_REPEATED:
        return "?" + urlencode({"lang": lang})
    if request.method != "GET" and not _readable(request):
        # a page answering a form sent to an address that only takes forms (a refused
        # "Save as" on /builder/save): its language link opened that address with GET, a
        # bare 405. The page names the address it stands for, else the start page.
        address = str(context.get("language_address") or "/")
        return f"{address}{'&' if '?' in address else '?'}{urlencode({'lang': lang})}"
    # one leading slash: a path of "//host/x" (a 404 page) must not become a link to
    # another host
    path = "/" + quote(str(request.scope.get("path") or "/"), safe=PATH_SAFE).lstrip("/")
    items: list[tuple[str, str]] = []
    placed = False
    dropped = KEYS_NOT_REPEATED.get(str(context.name), frozenset())
    for key, value in request.query_params.multi_items():
        if key in dropped:
            continue
        if key == "lang":
            if not placed:  # where it stood, once
                items.append(("lang", lang))
                placed = True
            continue
        items.append((key, value))
    if not placed:
        items.append(("lang", lang))
    return f"{path}?{urlencode(items)}"


FILTERS = {"shown_value": shown_value, "value_labels": picker_labels,
           "fmt": fmt, "fmt_duration": formatting.duration, "fmt_date": fmt_date,
           "counted_noun": counted_noun,
           "fmt_datetime": fmt_datetime, "fmt_period": fmt_period, "fixed": fixed,
           "as_typed": as_typed,
           "value_list": join_values, "chain_ids": chain_ids,
           "calibration_evaluators": calibration_evaluators, "shown_score": shown_score}
templates.env.filters.update(FILTERS)
templates.env.globals["chart_date"] = chart_date
templates.env.globals["language_url"] = language_url
templates.env.globals["limits"] = {"name": NAME_CHARS, "key": KEY_CHARS,
                                   "instant": INSTANT_CHARS, "text": LONG_TEXT_CHARS}
"""The forms' ``maxlength``: the browser stops typing where the server would refuse (a
151-character QA form name came back as an error page, the form lost)."""
