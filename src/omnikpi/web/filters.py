"""What the filter form shows beside the values typed: the pickers' choices (from the data
the caller may see), the time zones, the period presets, and the effective period, zone
and as-of of the page.

Dates in the form are inclusive days (From = To = one day is that day); the API keeps
half-open instants ``[from, to)``. The form's To day ``D`` is sent as ``to_day=D`` and
read as ``to = D + 1 day`` (:func:`exclusive_to`); a ``to`` given with a time of day keeps
its exact meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

from omnikpi.errors import OmniKPIError, UsageError
from omnikpi.schema.tables import TABLES

if TYPE_CHECKING:
    from omnikpi.engine.filter_values import Unmatched
    from omnikpi.schema.dataset import Dataset
    from omnikpi.web.deps import Filters, View

PICKERS = ("channel", "queue", "site", "tenant", "agent_id", "direction")
"""The dimensions the form offers as searchable multi-selects."""
PICKER_SOURCES = {"channel": ("contacts",), "queue": ("contacts",),
                  "site": ("contacts", "agent_states"), "tenant": ("contacts", "agent_states"),
                  "agent_id": ("contacts", "agent_states"), "direction": ("contacts",)}
"""Where each picker's values come from (the tables that carry the column)."""
MAX_OPTIONS = 5000
"""A picker lists at most this many values (typing a value by hand still works)."""

PRESETS = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month",
           "last_7_days", "last_30_days")
PRESET_LABELS = {"today": "Today", "yesterday": "Yesterday", "this_week": "This week",
                 "last_week": "Last week", "this_month": "This month",
                 "last_month": "Last month", "last_7_days": "Last 7 days",
                 "last_30_days": "Last 30 days"}
GRAINS = ("total", "15min", "30min", "hour", "day", "week", "month")
GRAIN_LABELS = {"total": "whole period", "15min": "15 minutes", "30min": "30 minutes",
                "hour": "hourly", "day": "daily", "week": "weekly", "month": "monthly"}
DIMENSION_LABELS = {"channel": "Channel", "queue": "Queue", "site": "Site",
                    "tenant": "Tenant", "agent_id": "Agent", "topic": "Topic",
                    "direction": "Direction"}
COMMON_ZONES = ("UTC", "Europe/Kyiv", "Europe/London", "Europe/Berlin", "Europe/Warsaw",
                "Europe/Moscow", "Europe/Istanbul", "Asia/Dubai", "Asia/Kolkata",
                "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "America/New_York",
                "America/Chicago", "America/Denver", "America/Los_Angeles",
                "America/Sao_Paulo")


def preset_ranges(latest: date) -> dict[str, tuple[date, date]]:
    """Each preset's inclusive days relative to ``latest`` (the data's latest event day in
    the chosen zone, not the wall clock: a dataset is rarely about today). Weeks start on
    Monday (ISO 8601)."""
    monday = latest - timedelta(days=latest.weekday())
    first = latest.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return {
        "today": (latest, latest),
        "yesterday": (latest - timedelta(days=1), latest - timedelta(days=1)),
        "this_week": (monday, latest),
        "last_week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "this_month": (first, latest),
        "last_month": (last_month_end.replace(day=1), last_month_end),
        "last_7_days": (latest - timedelta(days=6), latest),
        "last_30_days": (latest - timedelta(days=29), latest),
    }


_LOST_PLUS = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) "
                        r"(\d{2}(?::?\d{2})?)$", re.ASCII)
"""An instant whose offset's ``+`` a URL turned into a space (``+`` means a space in a
query string unless written ``%2B``): nothing else puts a space before an offset."""


def plus_restored(value: str | None) -> str | None:
    """``value`` with the ``+`` of its offset back (every instant a URL carries):
    ``?from=2024-03-05T10:00:00+02:00`` pasted into a browser or a script arrived as
    ``…10:00:00 02:00`` and was a 400 ("bad from") that did not say why."""
    found = _LOST_PLUS.match(value) if value else None
    return f"{found[1]}+{found[2]}" if found else value


def exclusive_to(day: str) -> str:
    """The API's exclusive ``to`` for the form's inclusive To day (``2024-03-05`` →
    ``2024-03-06``). A value that is not a plain date is returned unchanged, so the
    report refuses it with the usual message (and the form shows it as typed)."""
    try:
        parsed = date.fromisoformat(day.strip())
    except ValueError:
        return day
    if parsed == date.max:
        return day
    return (parsed + timedelta(days=1)).isoformat()


def day_window(from_day: str, to_day: str) -> tuple[str, str]:
    """A form's inclusive From and To days as the half-open window ``[from, to)`` the
    engine takes (To = Mar 4 is Mar 4's contacts, not none), refused when To comes before
    From (an empty sample was drawn without a word)."""
    start = plus_restored(from_day.strip()) or ""
    to_day = plus_restored(to_day.strip()) or ""
    end = exclusive_to(to_day) if to_day else ""
    first, after = _moment(start) if start else None, _moment(end) if end else None
    if first is not None and after is not None and \
            after.replace(tzinfo=None) <= first.replace(tzinfo=None):
        raise UsageError("--to must be after --from (the window is [from, to))")
    return start, end


def _moment(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def is_day(value: str | None) -> bool:
    """Whether ``value`` is a whole day (a date, or a midnight without an offset): shown
    in a date field; anything else keeps its exact time in a text field."""
    if not value:
        return True
    moment = _moment(value)
    if moment is None:
        return False
    return moment.tzinfo is None and moment.time() == datetime.min.time()


def form_to_day(filters: Filters) -> str:
    """The To day the form shows: as typed, or the inclusive day before an exclusive
    day-boundary ``to`` from a shared URL or a saved report."""
    if filters.to_day is not None:
        return filters.to_day
    if not filters.to or not is_day(filters.to):
        return ""
    moment = _moment(filters.to)
    assert moment is not None
    return (moment.date() - timedelta(days=1)).isoformat()


def window_days(filters: Filters) -> tuple[str, str]:
    """The first and last days of the window in the report's zone, as its export's sheet
    states them (a file's name): ``from``'s day; for ``to`` the form's To day, or — the
    end being exclusive — the day before when ``to`` is midnight in the zone (a date, a
    midnight without an offset, ``2024-03-06T00:00:00+02:00`` in Kyiv), else the day it
    falls on. A value that cannot be read is given as it is ("" when not set)."""
    from omnikpi.engine.run import parse_instant

    def local(value: str | None, name: str) -> datetime | None:
        try:
            us = parse_instant(value, filters.tz, name)
            return _local(us, filters.tz) if us is not None else None
        except (OmniKPIError, ValueError, OverflowError):
            return None

    start = local(filters.from_, "from")
    first = start.date().isoformat() if start else (filters.from_ or "")
    last = form_to_day(filters)
    if not last and filters.to:
        end = local(filters.to, "to")
        last = (end - timedelta(microseconds=1)).date().isoformat() if end else filters.to
    return first, last


def days_text(from_: str | None, to: str | None) -> str:
    """A stored window ``[from, to)`` as the days a person chose ("2026-11-02 –
    2026-11-02", the exclusive end shown as the day before), "" when it has no bounds."""
    if not from_ and not to:
        return ""
    last = ""
    if to and is_day(to):
        moment = _moment(to)
        assert moment is not None
        last = (moment.date() - timedelta(days=1)).isoformat()
    elif to:
        last = to
    first = from_[:10] if from_ and is_day(from_) else (from_ or "")
    return f"{first} – {last}".strip()


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone the system knows, the common ones first."""
    known = available_timezones()
    rest = sorted(z for z in known if z not in COMMON_ZONES and "/" in z
                  and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    return (*[z for z in COMMON_ZONES if z in known or z == "UTC"], *rest)


def picker_options(view: View) -> dict[str, list[str]]:
    """The values each picker offers: those in the data the caller may see (the View's
    dataset is already scoped to their tenants and sites). Cached with the reports."""
    key = f"filters:pickers:{view.cache_key}"
    with view.state.cache_lock:
        cached = view.cache.get(key)
    if isinstance(cached, dict):
        return cached
    options = _distinct_values(view.dataset)
    with view.state.cache_lock:
        view.cache[key] = options
    return options


def _distinct_values(dataset: Dataset) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for dim, tables in PICKER_SOURCES.items():
        parts = [f'SELECT DISTINCT CAST("{dim}" AS VARCHAR) AS v FROM "{table}"'
                 for table in tables
                 if dataset.has(table) and any(c.name == dim for c in TABLES[table].columns)]
        if not parts:
            out[dim] = []
            continue
        sql = (f"SELECT v FROM ({' UNION '.join(parts)}) WHERE v IS NOT NULL AND v <> '' "
               f"ORDER BY v LIMIT {MAX_OPTIONS}")
        out[dim] = [str(v) for (v,) in dataset.con.execute(sql).fetchall()]
    return out


@dataclass(frozen=True)
class Effective:
    """The period, zone and as-of a page's numbers are for (shown under the form)."""

    first_day: str
    last_day: str
    tz: str
    as_of: str


def _local(us: int, tz: str) -> datetime:
    from omnikpi.engine.timezones import local_datetime

    return local_datetime(us, tz)


def _shown(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def effective(view: View, filters: Filters) -> Effective | None:
    """The page's effective period (inclusive days), zone and as-of: the ones given, else
    the data's first event and the default as-of — the page's one as-of
    (:func:`at_one_as_of`), or for a drill-down the latest event of the tables its metric
    reads, as the engine resolves it for a standard report. None when the filters
    themselves are bad (the page says why instead). The builder's line read its metrics'
    tables while its figures and exports were cut at the page's as-of (21:57 above a time
    late computed at 22:00)."""
    from omnikpi.engine.registry import metric_reads
    from omnikpi.engine.run import parse_instant
    from omnikpi.engine.timezones import zone
    from omnikpi.metrics.base import get_metric

    try:
        dataset = view.dataset
        tz = filters.tz
        zone(tz)
        if filters.metrics and filters.metric_as_of:
            tables = tuple(dict.fromkeys(
                t for m in filters.metrics.split(",") if m.strip()
                for t in metric_reads(get_metric(m.strip()))))
        else:
            tables = operation_tables(dataset)
        as_of_us = parse_instant(filters.as_of, tz, "as_of")
        if as_of_us is None:
            as_of_us = dataset.latest_event_us(tables, tz)
        from_us = parse_instant(filters.from_, tz, "from")
        to_us = parse_instant(filters.to, tz, "to")
        if from_us is None:
            key = f"filters:earliest:{view.cache_key}:{','.join(tables)}"
            with view.state.cache_lock:
                cached = view.cache.get(key)
            if isinstance(cached, tuple):
                from_us = cached[0]
            else:
                from_us = _earliest_us(dataset.owner or dataset, tables)
                with view.state.cache_lock:
                    view.cache[key] = (from_us,)
    except (OmniKPIError, ValueError, OverflowError):
        return None
    first = _local(from_us, tz).date().isoformat() if from_us is not None else "—"
    if to_us is not None:
        end = _local(to_us, tz)
        last_moment = end - timedelta(microseconds=1)
        last = last_moment.date().isoformat()
    elif as_of_us is not None:  # an as-of at midnight ends the day before (as the page says)
        last = _local(max(as_of_us - 1, 0), tz).date().isoformat()
    else:
        last = "—"
    as_of = _shown(_local(as_of_us, tz)) if as_of_us is not None else "—"
    return Effective(first, last, tz, as_of)


def _earliest_us(dataset: Dataset, tables: tuple[str, ...]) -> int | None:
    """The first event instant of ``tables`` (contacts: arrivals; agent time: starts)."""
    from omnikpi.schema.model import PLAN_TABLES
    from omnikpi.schema.tables import ColumnType

    events = [t for t in tables if t not in PLAN_TABLES] or list(tables)
    lows: list[int] = []
    for table in events:
        if not dataset.has(table) or table not in TABLES:
            continue
        columns = [c.name for c in TABLES[table].columns if c.type is ColumnType.TIMESTAMP]
        if not columns:
            continue
        parts = ", ".join(f'min("{c}")' for c in columns)
        row = dataset.con.execute(f'SELECT least({parts}) FROM "{table}"').fetchone()
        if row is not None and row[0] is not None:
            lows.append(int(row[0]))
    return min(lows) if lows else None


def operation_tables(dataset: Dataset) -> tuple[str, ...]:
    """The tables whose events say how far the operation's data reaches — a page of
    several reports is cut at their latest event. Reviews made later (a QA evaluation
    today of last month's calls) are left out unless they are all the data holds: one
    evaluation made today put the dashboard's as-of at today, and every e-mail unanswered
    at the end of the imported month became weeks late."""
    from omnikpi.schema.model import operation_reads

    return operation_reads(t for t in TABLES if dataset.has(t))


def at_one_as_of(view: View, filters: Filters) -> Filters:
    """The filters with the page's one as-of: the one given, else the latest event of the
    operation's tables (``operation_tables``: the instant the page says under its form).
    Each report chose its own before — the contact tiles the contacts' last event
    (23:57), agent time the states' (00:00) — so the dashboard said 00:00 while most of
    its figures were cut at 23:57, a drill-down (whose link did not carry it) could
    disagree with its tile, and the builder and its exports, cut at the contacts' last
    event, showed another average time late than the dashboard's tile for the same
    period. The dashboard, the builder and the builder's exports use this one."""
    import dataclasses

    from omnikpi.engine.timezones import to_datetime

    if filters.as_of:
        return filters
    dataset = view.dataset
    try:
        latest = dataset.latest_event_us(operation_tables(dataset), filters.tz)
    except (OmniKPIError, ValueError, OverflowError, LookupError):
        # a bad zone ("tz=0": ZoneInfoNotFoundError is a KeyError): the report names it
        return filters
    if latest is None:
        return filters
    return dataclasses.replace(filters, as_of=to_datetime(latest).isoformat())


def latest_day(view: View, tz: str) -> date | None:
    """The operation's latest event day in ``tz`` (what the presets count from): QA
    evaluations are left out, so one evaluation made today of a month imported for
    analysis does not turn "last 7 days" into seven empty days (they count when they
    are all the data holds)."""
    try:
        latest = view.dataset.latest_event_us(operation_tables(view.dataset))
        return _local(latest, tz).date() if latest is not None else None
    except (OmniKPIError, ValueError, OverflowError):
        return None


@dataclass
class FilterForm:
    """Everything the filter form needs besides the typed values."""

    options: dict[str, list[str]]
    zones: tuple[str, ...]
    presets: list[dict[str, Any]]
    effective: Effective | None
    unmatched: list[Unmatched] = field(default_factory=list)
    """Filter values no row holds (see ``omnikpi.engine.filter_values``)."""
    grain_labels: dict[str, str] = field(default_factory=lambda: dict(GRAIN_LABELS))
    dimension_labels: dict[str, str] = field(default_factory=lambda: dict(DIMENSION_LABELS))


def filter_form(view: View | None, filters: Filters) -> FilterForm:
    """The form's choices for ``view`` (none without one: plain inputs still work)."""
    if view is None:
        return FilterForm({}, zone_names(), [], None)
    try:
        options = picker_options(view)
    except Exception:  # a picker's choices are a convenience, never the page's error
        options = {}
    presets = []
    day = latest_day(view, filters.tz)
    if day is not None:
        presets = [{"id": key, "label": PRESET_LABELS[key], "from": lo.isoformat(),
                    "to": hi.isoformat()} for key, (lo, hi) in preset_ranges(day).items()]
    return FilterForm(options, zone_names(), presets, effective(view, filters),
                      unmatched=_unmatched(view, filters))


def _unmatched(view: View, filters: Filters) -> list[Unmatched]:
    """The filter values no row the caller may see holds (said under the form: a URL's
    ``tenant=Bank`` where the data says bank showed empty tiles and no word)."""
    from omnikpi.engine.filter_values import unmatched_filter_values

    where = {d: v for d, v in (filters.where or {}).items() if v}
    if not where or view.state.engine != "duckdb":
        return []
    key = f"filters:unmatched:{view.cache_key}:{sorted(where.items())!r}"
    with view.state.cache_lock:
        cached = view.cache.get(key)
    if isinstance(cached, list):
        return cached
    try:
        found = unmatched_filter_values(view.dataset, where)
    except (OmniKPIError, ValueError):
        return []  # the page names a bad filter itself
    with view.state.cache_lock:
        view.cache[key] = found
    return found
