"""Bad input on an HTML page: the page's layout with the filter form as typed and a
sentence saying what to change (never a bare JSON answer, never a command-line flag).

The engine's usage errors are written for the command line (``bad --from 'x': use
ISO-8601``); :func:`page_message` words each kind for a page, in the page's language.
The JSON API keeps the engine's messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from omnikpi.errors import DataError, OmniKPIError, UsageError

Translate = Callable[[str], str]

FIELDS = {"--from": "From", "from": "From", "--to": "To", "to": "To", "--as-of": "As of",
          "as_of": "As of", "as-of": "As of"}
"""An option's name in a message → the form's label."""
FLAG_WORDS = {"from": "From", "to": "To", "as-of": "As of", "grain": "grain",
              "param": "parameter", "filter": "filter", "tz": "zone", "by": "cut",
              "metrics": "metrics", "format": "format", "output": "file",
              "definition": "saved report", "engine": "engine"}
"""Any other flag left in a message (``--grain``) → a word."""
NOT_PAGES = ("/api/", "/static/", "/builder/definition/", "/docs/assets/", "/openapi.json")
"""Paths whose errors stay JSON: the API, its schema and files (``/docs`` is a page)."""
DOWNLOADS = re.compile(r"/(?:export|drill)\.[a-z]+|/audit\.csv|/schedules/runs/[^/]+/file"
                       r"|/wfm/[a-z/]+\.(?:csv|xlsx|toml)|/recordings/.+", re.IGNORECASE)
"""Download links and files: a page when a browser opened them, JSON for a script (the
staffing plan's CSV, the audit log's, a run's file and a recording's peaks answered a
script's bad request with an HTML page)."""


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _metric_name(metric_id: str, _: Translate) -> str:
    from omnikpi.metrics.base import REGISTRY, all_metrics

    all_metrics()
    metric = REGISTRY.get(metric_id)
    return _(metric.name) if metric else metric_id


def _field(option: str, _: Translate) -> str:
    return _(FIELDS.get(option, option))


def _bad_instant(m: re.Match[str], _: Translate) -> str:
    return _("{field}: “{value}” is not a date. Use a date such as 2024-03-01, or a date "
             "and time such as 2024-03-01T08:00:00+02:00.").format(
        field=_field(m["option"], _), value=_unquote(m["value"]))


def _outside_years(m: re.Match[str], _: Translate) -> str:
    return _("{field}: {value} is outside the years OmniKPI reports on ({first}–{last})."
             ).format(field=_field(m["option"], _), value=m["value"], first=m["first"],
                      last=m["last"])


def _to_before_from(m: re.Match[str], _: Translate) -> str:
    return _("The To date is before the From date: choose a To date on or after the From "
             "date (both days are included).")


def _unknown_zone(m: re.Match[str], _: Translate) -> str:
    return _("Unknown time zone “{value}”: choose one from the list, such as Europe/Kyiv "
             "or America/New_York.").format(value=m["value"])


def _dimensions(ids: str, _: Translate) -> str:
    """Dimension ids as the filter form names them, quoted in the page's language
    (``agent_id, site`` → “Agent”, “Site”; «Оператор», «Площадка»)."""
    from omnikpi.web.filters import DIMENSION_LABELS

    return ", ".join(_("“{name}”").format(name=_(DIMENSION_LABELS.get(d.strip(), d.strip())))
                     for d in ids.split(","))


def _cut(m: re.Match[str], _: Translate) -> str:
    return _("{metric} cannot be cut by {bad}: its data can be cut only by {allowed}."
             ).format(metric=_metric_name(m["metric"], _), bad=_dimensions(m["bad"], _),
                      allowed=_dimensions(m["allowed"], _))


def _filter(m: re.Match[str], _: Translate) -> str:
    return _("{metric} cannot be filtered by {bad}: its data can be filtered only by "
             "{allowed}.").format(metric=_metric_name(m["metric"], _),
                                  bad=_dimensions(m["bad"], _),
                                  allowed=_dimensions(m["allowed"], _))


def _unknown_metric(m: re.Match[str], _: Translate) -> str:
    return _("Unknown metric “{value}”: choose the metrics from the list.").format(
        value=m["value"])


def _unknown_grain(m: re.Match[str], _: Translate) -> str:
    return _("Unknown grain “{value}”: choose one of {choices}.").format(
        value=m["value"], choices=m["choices"])


def _unknown_dimension(m: re.Match[str], _: Translate) -> str:
    return _("Unknown cut or filter “{value}”: choose one of {choices}.").format(
        value=m["value"], choices=m["choices"])


def _bad_param_form(m: re.Match[str], _: Translate) -> str:
    return _("Parameter “{value}”: write METRIC.NAME=VALUE or NAME=VALUE, such as "
             "service_level.threshold_seconds=30.").format(value=m["value"])


def _param_twice(m: re.Match[str], _: Translate) -> str:
    return _("Parameter {name} is given twice, as “{first}” and “{second}”: give it "
             "once.").format(name=m["name"], first=m["first"], second=m["second"])


def _language(_: Translate) -> str:
    """The language ``_`` translates into (``page_message`` is given only the translator):
    the one whose catalog words a probe sentence as ``_`` does; "en" when none does."""
    from omnikpi.web.i18n import LANGUAGES, translator

    probe = "Choose which rows to show: all rows, the numerator, the denominator or the " \
        "excluded rows."
    shown = _(probe)
    return next((lang for lang in LANGUAGES if lang != "en" and translator(lang)(probe) == shown
                 and shown != probe), "en")


def _number(text: str, _: Translate) -> str:
    """A number of a message (``1,000,000``, ``0``, ``0.5``) as the page's language
    writes it (``1 000 000``, ``0,5``); text that is not a number is kept as it is."""
    from omnikpi import formatting

    plain = text.replace(",", "")
    try:
        value = float(plain)
    except ValueError:
        return text
    lang = _language(_)
    if value.is_integer():
        return formatting.count(int(value), lang)
    from babel.numbers import format_decimal

    return str(format_decimal(value, "#,##0.######", locale=lang))


EXPECTED_NUMBER = re.compile(r"^a (?P<kind>finite|whole) number from (?P<least>\S+) to "
                             r"(?P<most>\S+)$")
"""What ``Param.parse`` expects of a number parameter (``metrics/base.py``)."""


def _bad_param_value(m: re.Match[str], _: Translate) -> str:
    """A parameter's value refused: the expectation (``Param.parse``'s "a finite number
    from 0 to 1,000,000,000") said in the page's language, its numbers written as the
    language writes them (the English sentence is the engine's words); an expectation of
    another kind is quoted as it is."""
    name, value, expected = m["name"], m["value"], m["expected"].strip()
    number = EXPECTED_NUMBER.match(expected)
    if number and number["kind"] == "finite":
        return _("Parameter {name}: “{value}” is not a valid value (a finite number from "
                 "{least} to {most}).").format(name=name, value=value,
                                              least=_number(number["least"], _),
                                              most=_number(number["most"], _))
    if number:
        return _("Parameter {name}: “{value}” is not a valid value (a whole number from "
                 "{least} to {most}).").format(name=name, value=value,
                                                   least=_number(number["least"], _),
                                                   most=_number(number["most"], _))
    if expected == "true or false":
        return _("Parameter {name}: “{value}” is not a valid value (true or false)."
                 ).format(name=name, value=value)
    return _("Parameter {name}: “{value}” is not a valid value ({expected}).").format(
        name=name, value=value, expected=expected)


def _bad_param_choice(m: re.Match[str], _: Translate) -> str:
    return _("Parameter {name}: “{value}” is not a valid value: choose one of {choices}."
             ).format(name=m["name"], value=m["value"], choices=m["choices"])


def _no_such_param(m: re.Match[str], _: Translate) -> str:
    metric = _metric_name(m["metric"], _)
    if m["names"] == "none":
        return _("{metric} has no parameters: remove the parameter “{name}”.").format(
            metric=metric, name=m["name"])
    return _("{metric} has no parameter “{name}”: its parameters are {names}.").format(
        metric=metric, name=m["name"], names=m["names"])


def _bad_sort(m: re.Match[str], _: Translate) -> str:
    return _("The rows cannot be sorted by “{value}”: click the heading of a column of the "
             "table to sort by it.").format(value=m["value"])


def _bad_page(m: re.Match[str], _: Translate) -> str:
    return _("The page number must be from 1 to {pages} and the page size from 1 to "
             "{size}.").format(pages=_number(m["pages"], _), size=_number(m["size"], _))


def _bad_part(m: re.Match[str], _: Translate) -> str:
    return _("Choose which rows to show: all rows, the numerator, the denominator or the "
             "excluded rows.")


def _bad_key(m: re.Match[str], _: Translate) -> str:
    return _("“{value}” does not name a row of the figure: choose a row in the table of "
             "figures.").format(value=m["value"])


def _no_key(m: re.Match[str], _: Translate) -> str:
    return _("{metric} has no column “{name}” to choose its rows by: choose a row in the "
             "table of figures.").format(metric=_metric_name(m["metric"], _), name=m["name"])


def _bad_source(m: re.Match[str], _: Translate) -> str:
    return _("{metric} has no rows of “{value}”: its rows are those of {names}.").format(
        metric=_metric_name(m["metric"], _), value=m["value"], names=m["names"])


def _unknown_param(m: re.Match[str], _: Translate) -> str:
    return _("Unknown parameter “{value}”.").format(value=m["value"])


def _report_of_someone_else(m: re.Match[str], _: Translate) -> str:
    return _("A report named “{name}” was saved by someone else: save yours under another "
             "name.").format(name=m["name"])


def _too_many_periods(m: re.Match[str], _: Translate) -> str:
    return _("A report by {grain} over this period would have about {periods} periods (at "
             "most {limit}): choose a coarser grain or a shorter period.").format(
        grain=m["grain"], periods=m["periods"], limit=m["limit"])


def _table_metrics(m: re.Match[str], _: Translate) -> str:
    names = ", ".join(_metric_name(n.strip(), _) for n in m["names"].split(","))
    return _("{metrics}: a table with one row per {keys}; choose it without other "
             "metrics, in a report of its own.").format(
        metrics=names, keys=_dimensions(m["keys"].replace("/", ","), _))


def _missing_table(m: re.Match[str], _: Translate) -> str:
    who = m["who"].removeprefix("metric ")
    return _("{metric} needs the table {table}, which this dataset does not have: load it, "
             "or choose other metrics.").format(metric=_metric_name(who, _), table=m["table"])


def _sentence(msgid: str) -> Callable[[re.Match[str], Translate], str]:
    """A rule whose page sentence quotes nothing from the message."""
    return lambda _m, _: _(msgid)


RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], Translate], str]]] = [
    (re.compile(r"^bad (?P<option>--from|--to|--as-of|from|to|as_of) (?P<value>.*): use "
                r"ISO-8601", re.S), _bad_instant),
    (re.compile(r"^(?P<option>--from|--to|--as-of|from|to|as_of) (?P<value>.*) is outside "
                r"the years OmniKPI reports on \((?P<first>\d+)–(?P<last>\d+)\)", re.S),
     _outside_years),
    # the report pages say "--to must be after --from"; the drill-down's engine "to must
    # be after from" (the audit log's "to (…) must be after from" has times, not days)
    (re.compile(r"^(?:--)?to must be after (?:--)?from"), _to_before_from),
    (re.compile(r"^day '(?P<value>.*)' is not a date \(YYYY-MM-DD\)$", re.S),
     lambda m, _: _("Day: “{value}” is not a date such as 2024-03-04.").format(
         value=_unquote(m["value"]))),
    (re.compile(r"^unknown time zone '(?P<value>.*)': use an IANA name", re.S), _unknown_zone),
    (re.compile(r"^nothing saved: no handled contact in this period to sample$"),
     lambda _m, _: _("No handled contact in this period to sample: nothing was saved. "
                     "Choose another period.")),
    (re.compile(r"^nothing saved: none of the (?P<count>[\d,]+) handled contact\(s\) of "
                r"this period was drawn"),
     lambda m, _: _("None of the {count} handled contacts of this period was drawn (the "
                    "evaluator's earlier samples had them, or the rate with no minimum per "
                    "agent draws none): nothing was saved.").format(
                        count=_number(m["count"], _))),
    (re.compile(r"^metric (?P<metric>\S+) cannot be cut by (?P<bad>.+?): its data \(.*\) "
                r"can be cut only by (?P<allowed>.*)$", re.S), _cut),
    (re.compile(r"^metric (?P<metric>\S+) cannot be filtered by (?P<bad>.+?): its data "
                r"\(.*\) can be filtered only by (?P<allowed>.*)$", re.S), _filter),
    (re.compile(r"^unknown metric '(?P<value>.*?)'(?: \(did you mean \w+\?\))?; valid ids",
                re.S), _unknown_metric),
    (re.compile(r"^unknown grain '(?P<value>.*)': choose one of (?P<choices>.*)$", re.S),
     _unknown_grain),
    (re.compile(r"^unknown (?:filter )?dimension '(?P<value>.*)': choose from "
                r"(?P<choices>.*)$", re.S), _unknown_dimension),
    (re.compile(r"^bad --param '(?P<value>.*)': write", re.S), _bad_param_form),
    (re.compile(r"^--param (?P<name>\S+) is given twice, as '(?P<first>.*)' and "
                r"'(?P<second>.*)': give it once$", re.S), _param_twice),
    (re.compile(r"^a report named '(?P<name>.*)' was saved by someone else", re.S),
     _report_of_someone_else),
    (re.compile(r"^bad value '(?P<value>.*)' for parameter (?P<name>\S+): expected "
                r"(?P<expected>.*)$", re.S), _bad_param_value),
    (re.compile(r"^unknown parameter '(?P<value>.*)'; parameters", re.S), _unknown_param),
    (re.compile(r"^bad value '(?P<value>.*)' for parameter (?P<name>\S+): choose one of "
                r"(?P<choices>.*)$", re.S), _bad_param_choice),
    (re.compile(r"^metric (?P<metric>\S+) has no parameter '(?P<name>.*)' \(its "
                r"parameters: (?P<names>.*)\)$", re.S), _no_such_param),
    # the drill-down's own (engine/drill.py, web/service.py, routes/drill.py)
    (re.compile(r"^cannot sort by '(?P<value>.*)': sort by one of ", re.S), _bad_sort),
    (re.compile(r"^page must be between 1 and (?P<pages>[\d,]+) and size between 1 and "
                r"(?P<size>[\d,]+)"), _bad_page),
    (re.compile(r"^part must be one of "), _bad_part),
    (re.compile(r"^bad key '(?P<value>.*)': use COLUMN:VALUE", re.S), _bad_key),
    (re.compile(r"^(?P<metric>[a-z0-9_]+) has no key '(?P<name>.*)'$", re.S), _no_key),
    (re.compile(r"^(?P<metric>[a-z0-9_]+) reads the fact source\(s\) (?P<names>.*), not "
                r"'(?P<value>.*)'$", re.S), _bad_source),
    (re.compile(r"^a report by (?P<grain>\S+) .* about (?P<periods>[\d,]+) periods \(at most "
                r"(?P<limit>[\d,]+)\)", re.S), _too_many_periods),
    (re.compile(r"^(?P<names>.+?) gives? one row per (?P<keys>\S+): request table metrics",
                re.S), _table_metrics),
    (re.compile(r"^(?P<who>.+?) needs the table '(?P<table>\w+)', but ", re.S), _missing_table),
    (re.compile(r"^(?P<fmt>PDF|XLSX) exports hold at most (?P<most>[\d,]+) rows and this "
                r"one has (?P<rows>[\d,]+)"),
     lambda m, _: _("A {format} file holds at most {most} rows and this report has {rows}: "
                    "choose a coarser grain, fewer cuts or a shorter period, or download "
                    "CSV.").format(format=m["fmt"], most=_number(m["most"], _),
                                   rows=_number(m["rows"], _))),
    (re.compile(r"^the follow-up date cannot be before the session"),
     _sentence("The follow-up date cannot be before the session.")),
    (re.compile(r"^--rate must be a share between 0 and 1"),
     _sentence("The rate is a share between 0 and 1, such as 0.03 for 3 %.")),
    (re.compile(r"^choose at least one item the session covered"),
     _sentence("Choose at least one item the session covered.")),
    (re.compile(r"^a calibration needs contacts and at least two evaluators"),
     _sentence("Choose at least one contact and invite at least two evaluators.")),
    (re.compile(r"^write the actions agreed with the agent"),
     _sentence("Write the actions agreed with the agent.")),
    (re.compile(r"^a report name cannot hold control characters"),
     _sentence("The name holds a control or invisible character: type it again without "
               "it.")),
    (re.compile(r"^a saved report needs a name with letters or digits"),
     _sentence("A report name needs at least one letter or digit.")),
    (re.compile(r"^no saved report '(?P<value>.*)'$", re.S),
     lambda m, _: _("There is no saved report “{value}”: choose one of your saved "
                    "reports.").format(value=_unquote(m["value"]))),
    (re.compile(r"^this server computes on (?P<engine>\w+); the engine is set"),
     lambda m, _: _("This server computes on {engine}: the engine is chosen when the server "
                    "starts, not in the page's address.").format(engine=m["engine"])),
    (re.compile(r"^format must be csv, xlsx or pdf"),
     _sentence("Choose the file's format: CSV, XLSX or PDF.")),
    (re.compile(r"^(?:filter )?(?P<what>[a-z_]+): a value holds a NUL character$"),
     lambda m, _: _("{field}: the value holds a NUL character (an invisible control "
                    "character): type it again without it.").format(
         field=_dimensions({"agent": "agent_id"}.get(m["what"], m["what"]), _))),
]
FLAG = re.compile(r"--(?P<name>[a-z][a-z-]*)")


def page_message(exc: Exception, _: Translate) -> str:
    """The sentence a page shows for ``exc`` in the page's language."""
    text = str(exc)
    for pattern, word in RULES:
        found = pattern.search(text)
        if found:
            return word(found, _)
    # anything else: the engine's own sentence with each flag named as the form names it
    return FLAG.sub(lambda m: _(FLAG_WORDS.get(m["name"], m["name"].replace("-", " "))),
                    text)


REASONS: dict[str, str] = {
    "string_too_long": "{field} has {length} characters: at most {limit} are allowed. "
                       "Shorten it and send again.",
    "too_long": "{field} has {length} entries: at most {limit} are allowed.",
    "missing": "{field} is needed: fill it in and send again.",
    "int_parsing": "{field}: “{value}” is not a whole number.",
    "int_from_float": "{field}: “{value}” is not a whole number.",
    "float_parsing": "{field}: “{value}” is not a number.",
    "greater_than": "{field}: “{value}” must be more than {limit}.",
    "greater_than_equal": "{field}: “{value}” must be at least {limit}.",
    "less_than": "{field}: “{value}” must be less than {limit}.",
    "less_than_equal": "{field}: “{value}” must be at most {limit}.",
}
"""Pydantic's refusals a page says in its own words (pydantic's ``msg`` is English); any
other kind keeps pydantic's reason inside a translated sentence."""
LIMIT_OF = {"string_too_long": "max_length", "too_long": "max_length",
            "greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt",
            "less_than_equal": "le"}


def validation_message(errors: list[Any], _: Translate) -> str:
    """A request refused by FastAPI's validation (``page=abc``, a 151-character QA form
    name), as sentences in the page's language naming the field as its label does."""
    parts = []
    for error in errors[:3]:
        where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "?"
        field = _(where.replace("_", " ").strip())
        value = error.get("input")
        shown = str(value if isinstance(value, str | int | float) else "")
        kind = error.get("type", "")
        limit = (error.get("ctx") or {}).get(LIMIT_OF.get(kind, ""), "")
        if kind in REASONS:
            parts.append(_(REASONS[kind]).format(
                field=field, value=shown[:80], limit=limit,
                length=len(value) if isinstance(value, str | list) else "?"))
            continue
        parts.append(_("{field}: “{value}” is not valid ({reason}).").format(
            field=field, value=shown[:80], reason=error.get("msg", "")))
    return " ".join(parts)


def is_page(request: Request) -> bool:
    """Whether ``request`` is a browser's page view (its error is a page, not JSON): a
    page address read, or a page's form sent by a browser (it asks for HTML) — a form
    refused with ``{"detail": …}`` left the user on a bare JSON text."""
    asks_html = "text/html" in request.headers.get("accept", "")
    if DOWNLOADS.fullmatch(request.url.path):
        # a download link a person clicked, or a download form sent (the custom what-if
        # scenario's), is answered with the page and a sentence in their language (the
        # browser asks for HTML); a script's request keeps the JSON
        return asks_html
    if request.url.path.startswith(NOT_PAGES):
        return False
    if request.method == "GET":
        return True
    return request.method == "POST" and asks_html


def status_of(exc: OmniKPIError) -> int:
    return 400 if isinstance(exc, UsageError) else 422 if isinstance(exc, DataError) else 500


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    """The page layout (navigation, the filter form as typed) with ``message`` in a box.
    A refused form sent by POST gets no filter form: it would GET the POST's address
    (``/qa/samples``), whose answer is a bare 405."""
    from omnikpi.web.deps import filters_of
    from omnikpi.web.templating import templates

    filters = filters_of(request) if request.method in ("GET", "HEAD") else None
    response: HTMLResponse = templates.TemplateResponse(
        request, "error.html", {"filters": filters, "error": message}, status_code=status)
    return response


EXPIRED_FORM = ("missing or wrong CSRF token", "the login form expired")
"""403 details that mean the form must be reloaded, not that the account may not."""


def forbidden_page(request: Request, detail: str) -> HTMLResponse:
    """A page a role may not open (an agent on /qa/errors), or a form that expired,
    said in the page's language with the way back; the service's English reason is
    shown under it on English pages only (the other languages would mix two)."""
    from omnikpi.web.i18n import choose_language
    from omnikpi.web.templating import templates

    _ = translator_of(request)
    if detail.startswith(EXPIRED_FORM):
        message = _("This form expired or came from another page: reload the page and send "
                    "it again.")
    else:
        message = _("Your account cannot open this page. Ask an administrator if you need "
                    "it.")
    shown = detail[:1].upper() + detail[1:] + "." \
        if choose_language(request) == "en" and not detail.startswith(EXPIRED_FORM) else ""
    response: HTMLResponse = templates.TemplateResponse(
        request, "forbidden.html", {"filters": None, "message": message, "detail": shown},
        status_code=403)
    return response


def translator_of(request: Request) -> Translate:
    from omnikpi.web.i18n import choose_language, translator

    return translator(choose_language(request))


Sentences = list[tuple[re.Pattern[str], str]]
"""A page's own error sentences: the service's English message (a pattern naming the
values it quotes) → the sentence a person reads, a msgid of the catalogs."""


def in_page_language(request: Request, text: str, sentences: Sentences,
                     counts: Collection[str] = ()) -> str:
    """``text`` (a service's message) as the page's sentence in the page's language, the
    values typed kept as typed; a message no pattern knows is looked up as it is."""
    worded = page_sentence(request, text, sentences, counts)
    return translator_of(request)(text) if worded is None else worded


def page_sentence(request: Request, text: str, sentences: Sentences,
                  counts: Collection[str] = ()) -> str | None:
    """``text`` as the page's sentence in the page's language when one of ``sentences``
    matches it whole, else None. The values named in ``counts`` are numbers the sentence
    quotes (``150``, ``1,000``), written as the language writes them (``1 000``)."""
    from omnikpi import formatting
    from omnikpi.web.i18n import choose_language, translator

    lang = choose_language(request)
    for pattern, sentence in sentences:
        found = pattern.fullmatch(text)
        if found:
            values = {name: formatting.count(int(value.replace(",", "")), lang)
                      if name in counts and value is not None else value
                      for name, value in found.groupdict().items()}
            return translator(lang)(sentence).format(**values)
    return None
