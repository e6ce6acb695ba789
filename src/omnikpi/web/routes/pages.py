"""Server-rendered pages: the KPI-system dashboard."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from babel.dates import format_interval
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from omnikpi.empty_figures import empty_notes
from omnikpi.engine.grains import buckets, check_grain, check_period_count, label
from omnikpi.engine.registry import SOURCES, metric_dimensions
from omnikpi.engine.result import ReportResult
from omnikpi.engine.run import parse_instant, parse_window
from omnikpi.engine.timezones import local_datetime, to_datetime, zone
from omnikpi.errors import OmniKPIError
from omnikpi.formatting import human
from omnikpi.instants import day_start_us
from omnikpi.metrics.base import Metric, get_metric
from omnikpi.metrics.display import SECTIONS, section_metrics
from omnikpi.value_list import join_values
from omnikpi.web.dashboard_data import report
from omnikpi.web.deps import FilterParams, Filters, View, ViewDep
from omnikpi.web.filters import DIMENSION_LABELS, at_one_as_of
from omnikpi.web.goals import judge
from omnikpi.web.i18n import choose_language, translator
from omnikpi.web.metric_change import change
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)

AGENT_FILTERS = ("agent_id", "site", "tenant")
"""What a people-time tile can be filtered by (agent time has no queue or contact channel)."""
CHANNELS_OF_MODE = {"continuous": ("voice", "video", "callback", "chat", "messenger"),
                    "discrete": ("email", "social", "sms", "letter")}
DAY_US = 86_400_000_000
T = TypeVar("T")


def _is_people_time(metric: Metric) -> bool:
    return SOURCES[metric.source].people_time


def _people_filters(metric: Metric) -> tuple[str, ...]:
    """What a people-time tile can be filtered by: the agent, site and tenant, and the
    channel for a metric that shares agent time recorded without a channel among the
    channels worked (occupancy, chat concurrency: ``Param.only_cut_by``)."""
    return AGENT_FILTERS + tuple(p.only_cut_by for p in metric.params
                                 if p.only_cut_by and p.only_cut_by not in AGENT_FILTERS)


def _unfilterable(metric: Metric, filtered: tuple[str, ...]) -> list[str]:
    """The page's filters that cannot apply to ``metric`` (agent time has no queue, and
    no channel unless the metric shares it out; costs have no site …)."""
    dims = metric_dimensions(metric)
    people = _is_people_time(metric)
    return [d for d in filtered
            if (people and d not in _people_filters(metric)) or d not in dims]


def _available(state: ViewDep, metrics: list[str],
               filtered: tuple[str, ...] = ()) -> list[str]:
    """Metrics whose tables exist and whose data can be cut by the page's filters."""
    return [m for m in metrics if all(state.dataset.has(t) for t in get_metric(m).tables)
            and not _unfilterable(get_metric(m), filtered)]


def _channels(state: ViewDep, mode: tuple[str, ...]) -> list[str]:
    present = {str(c) for (c,) in state.dataset.con.execute(
        "SELECT DISTINCT lower(channel) FROM contacts").fetchall()}
    return [c for c in mode if c in present]


@dataclasses.dataclass(frozen=True)
class Period:
    """The page's period [start, end) and the one of the same length just before it."""

    start_us: int
    end_us: int
    tz: str
    previous: bool
    """Whether the data reaches back into the previous period (else nothing to compare)."""
    data: tuple[int, int] | None = None
    """The first and last instants of the data (:func:`_data_span`): a chart's grid covers
    the days of the period that the data reaches, not every period of the window asked."""

    @property
    def length_us(self) -> int:
        return self.end_us - self.start_us

    def iso(self, us: int) -> str:
        return local_datetime(us, self.tz).isoformat()

    def text(self, lang: str, previous: bool = False) -> str:
        """The days it covers: ``Mar 4 – 6`` / ``4–6 мар.``."""
        shift = self.length_us if previous else 0
        local = zone(self.tz)
        first = to_datetime(self.start_us - shift).astimezone(local)
        last = to_datetime(self.end_us - shift - 1).astimezone(local)
        if first.date() == last.date():
            return str(format_interval(first.date(), last.date(), "yMMMd", locale=lang))
        skeleton = "yMMMd" if first.year != last.year else "MMMd"
        return str(format_interval(first.date(), last.date(), skeleton, locale=lang))


def _data_span(state: ViewDep) -> tuple[int, int] | None:
    """First and last event of the contacts and agent states."""
    parts = []
    if state.dataset.has("contacts"):
        parts.append("SELECT min(arrived_at) AS lo FROM contacts")
    if state.dataset.has("agent_states"):
        parts.append('SELECT min("start") AS lo FROM agent_states')
    if not parts:
        return None
    row = state.dataset.con.execute(
        f"SELECT min(lo) FROM ({' UNION ALL '.join(parts)})").fetchone()
    last = state.dataset.latest_event_us(("contacts", "agent_states"))
    if row is None or row[0] is None or last is None:
        return None
    return int(row[0]), int(last)


def _local_midnight(us: int, tz: str, after: bool = False) -> int:
    day = local_datetime(us, tz).date() + timedelta(days=1 if after else 0)
    return day_start_us(day, tz)


def _period(state: ViewDep, filters: Filters) -> Period | None:
    """From/To as given, else the data's first and last local days."""
    span = _data_span(state)
    try:
        start = parse_instant(filters.from_, filters.tz, "from")
        end = parse_instant(filters.to, filters.tz, "to")
    except OmniKPIError:
        return None
    if span is None and (start is None or end is None):
        return None
    if start is None and span is not None:
        start = _local_midnight(span[0], filters.tz)
    if end is None and span is not None:
        end = _local_midnight(span[1], filters.tz, after=True)
    if start is None or end is None or end <= start:
        return None
    return Period(start, end, filters.tz, previous=span is not None and span[0] < start,
                  data=span)


def drill_part(metric: Metric) -> str:
    """The rows a tile's link opens on: the denominator's (the contacts offered behind a
    service level) where the metric's own rows carry one, else the numerator's — a count
    has no denominator, and sales per hour's is agent time in rows of its own: its link
    opened on "denominator (0)"."""
    own = metric.denominator is not None and \
        (metric.denominator_source or metric.source) == metric.source
    return "denominator" if own else "numerator"


def _previous(filters: Filters, period: Period) -> Filters:
    """The same filters over the period of the same length just before."""
    return dataclasses.replace(filters, from_=period.iso(period.start_us - period.length_us),
                               to=period.iso(period.start_us))


def _values(state: ViewDep, filters: Filters, chosen: list[str], channels: list[str] | None,
            lang: str = "en") -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The metrics' pooled values (contact metrics cut to the section's channels; agent
    time with the people filters only), their units, and why a value is missing where
    the metric's declaration says (``empty_notes``)."""
    where = {"channel": channels} if channels else None
    contact_metrics = [m for m in chosen if not _is_people_time(get_metric(m))]
    people: dict[tuple[str, ...], tuple[Filters, list[str]]] = {}
    """People-time metrics by the page filters they take: one report for each set of
    filters (one for all of them when the page has no channel filter)."""
    for m in chosen:
        if m not in contact_metrics:
            scoped = _people(filters, get_metric(m))
            people.setdefault(tuple(sorted(scoped.where or {})), (scoped, []))[1].append(m)
    values: dict[str, Any] = {}
    units: dict[str, str] = {}
    empty: dict[str, str] = {}
    groups = [(contact_metrics, where, filters), *((group, None, scoped)
                                                   for scoped, group in people.values())]
    for group, cut, scoped in groups:
        if group:
            result = _report(state, scoped, group, by=[], grain="total", where=cut)
            row = result.rows[0] if result.rows else {}
            values.update({m: row.get(m) for m in group})
            units.update({m: result.metrics[m]["unit"] for m in group})
            empty.update(empty_notes(result, lang))
    return values, units, empty


def _tile_channels(section: list[str] | None, user: dict[str, list[str]]) -> list[str]:
    """The channels a tile's figure covers, for its drill-down link: the section's channels
    (already within the page's channel filter, :func:`_section_channels`), else the page's.
    Before, the link named the section's channels and dropped the page's filter: the
    chat page's Offered tile read 1,080 and opened a drill-down of 5,026 (voice and chat)."""
    return list(section) if section else [c.lower() for c in user.get("channel", [])]


def _section_channels(state: ViewDep, filters: Filters, mode: tuple[str, ...]) -> list[str]:
    """The channels of a section of one mode present in the data, within the page's
    channel filter: none, on a page filtered to chat, for the e-mail and social section
    (which then shows no tiles, rather than tiles of zero)."""
    present = _channels(state, mode)
    chosen = [c.lower() for c in (filters.where or {}).get("channel", [])]
    return [c for c in present if c in chosen] if chosen else present


def _tiles(state: ViewDep, filters: Filters, metrics: list[str],
           channels: list[str] | None, period: Period | None = None,
           lang: str = "en") -> list[dict[str, Any]]:
    """One tile per metric, pooled over the section's channels (never an average); a
    metric that a filter of the page cannot apply to gets a tile saying so (never the
    unfiltered figure)."""
    if channels == []:
        return []
    present = [m for m in metrics if all(state.dataset.has(t) for t in (
        *get_metric(m).tables, *get_metric(m).tile_needs))]
    # the viewer's own bounds are filters too: a client of tenant bank read "Dial attempts
    # 0" (dial attempts have no tenant) where an administrator's tenant=bank page says the
    # figure is not available for that tenant
    user = {**{dim: list(values) for dim, values in state.scope.bounds().items()},
            **(filters.where or {})}
    blocked = {m: _unfilterable(get_metric(m), tuple(user)) for m in present}
    section_cut = ("channel",) if channels else ()
    chosen = [m for m in present if not blocked[m]
              and not _unfilterable(get_metric(m), section_cut)]
    if not chosen and not any(blocked.values()):
        return []
    values, units, empty = _values(state, filters, chosen, channels, lang)
    before: dict[str, Any] = {}
    if period is not None and period.previous and chosen:
        before, _, _ = _values(state, _previous(filters, period), chosen, channels)
    tiles = []
    queues = user.get("queue", [])
    for metric_id in present:
        metric = get_metric(metric_id)
        tile: dict[str, Any] = {"id": metric_id, "name": metric.name,
                                "formula": metric.formula_in(lang),
                                "channels": ",".join(_tile_channels(channels, user)),
                                "part": drill_part(metric)}
        if blocked[metric_id]:
            words = translator(lang)
            tile.update({"na": ", ".join(f"{d}={','.join(user[d])}"
                                         for d in blocked[metric_id]),
                         "na_text": ", ".join(
                             f"{words(DIMENSION_LABELS.get(d, d)).lower()} {', '.join(user[d])}"
                             for d in blocked[metric_id]),
                         "value": "", "raw": None, "status": "na", "target": None,
                         "change": None})
            tiles.append(tile)
            continue
        if metric_id not in values:
            continue
        value, unit = values[metric_id], units[metric_id]
        queue = queues[0] if len(queues) == 1 else None
        channel = channels[0] if channels and len(channels) == 1 else None
        status, goal = judge(state.config, metric, value, queue=queue, channel=channel,
                             lang=lang)
        tile.update({"na": None, "value": human(value, unit, lang), "raw": value,
                     "unit": unit,
                     "status": status, "target": goal, "empty": empty.get(metric_id, ""),
                     "change": change(value, before.get(metric_id), metric, lang,
                                      state.config.target(metric_id, queue, channel))})
        tiles.append(tile)
    return tiles


def _grid(rows: list[dict[str, Any]], grain: str, period: Period | None,
          columns: tuple[str, ...], shift_us: int = 0) -> list[dict[str, Any]]:
    """``rows`` (one per period with data) on every period of the page that the data's
    days reach: a period without data is an explicit null point, so a line stops at a
    night or a missing day instead of joining across it. ``shift_us``: how far the rows
    were moved (the previous period's, overlaid on this one).

    The grid is the period cut to the data's first and last local days: a window of
    1900–2199 by day drew 109,573 points per chart (29 MB of page, 58 s) around the four
    days the data has; the page still names the window asked for."""
    if period is None:
        return rows
    in_order = sorted(rows, key=lambda r: str(r["period_start"]))
    if period.data is None:
        return in_order
    first = max(period.start_us, _local_midnight(period.data[0], period.tz) + shift_us)
    end = min(period.end_us,
              _local_midnight(period.data[1], period.tz, after=True) + shift_us)
    if end <= first:
        return in_order
    try:
        calendar = buckets(grain, period.tz, first, end)
    except OmniKPIError:
        return rows
    by_start = {r["period_start"]: r for r in rows}
    out = []
    for bucket in calendar:
        if bucket.start_us >= end:
            break
        start = label(grain, period.tz, bucket.key)
        out.append(by_start.get(start) or {"period_start": start,
                                           **{c: None for c in columns}})
    known = {r["period_start"] for r in out}
    out += [r for r in rows if r["period_start"] not in known]  # outside the page's days
    return sorted(out, key=lambda r: str(r["period_start"]))


def _length(period: Period | None) -> int:
    return period.length_us if period is not None else 0


def _shifted(rows: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
    """Previous-period rows moved onto the current period's time axis (for overlay)."""
    out = []
    for row in rows:
        start = parse_instant(row["period_start"], period.tz, "period_start")
        moved = period.iso(start + period.length_us) if start is not None else None
        out.append({**row, "period_start": moved, "previous_start": row["period_start"]})
    return out


def _series(state: ViewDep, filters: Filters, period: Period | None, metrics: list[str],
            grain: str, by: list[str] | None = None,
            where: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """A chart's rows on the full grid of the period and, shifted onto it, the previous
    period's (empty when the data does not reach back); ``where``: the chart's own cut."""
    now = _report(state, filters, metrics, by=by or [], grain=grain, where=where).rows
    before: list[dict[str, Any]] = []
    if period is not None and period.previous:
        previous = _report(state, _previous(filters, period), metrics, by=by or [],
                           grain=grain, where=where).rows
        before = _shifted(previous, period)
    return {"rows": now, "previous": before}


def _per_channel(state: ViewDep, filters: Filters, period: Period | None,
                 grain: str) -> list[dict[str, Any]]:
    """The interval profile as small multiples: one chart's data per channel."""
    metrics = ["offered", "service_level"]
    series = _series(state, filters, period, metrics, grain, by=["channel"])
    order = [*CHANNELS_OF_MODE["continuous"], *CHANNELS_OF_MODE["discrete"]]
    channels = sorted(dict.fromkeys(r["channel"] for r in series["rows"]),
                      key=lambda c: (order.index(c) if c in order else len(order), str(c)))
    charts = []
    for channel in channels:
        mine = [{k: v for k, v in r.items() if k != "channel"}
                for r in series["rows"] if r["channel"] == channel]
        before = [{k: v for k, v in r.items() if k != "channel"}
                  for r in series["previous"] if r["channel"] == channel]
        charts.append({"channel": channel,
                       "rows": _grid(mine, grain, period, tuple(metrics)),
                       "previous": _grid(before, grain, period, tuple(metrics),
                                         _length(period)) if before else []})
    return charts


GRAIN_WORDS = {"15min": "by 15 minutes", "30min": "by 30 minutes", "hour": "by hour",
               "day": "by day", "week": "by week", "month": "by month"}


def _funnel(state: ViewDep, filters: Filters) -> list[tuple[str, float]]:
    """The paid-time funnel: logged in ⊇ active + paid not-ready (the configuration's paid
    reasons) ⊇ active ⊇ workload, in hours."""
    totals = _report(state, _people(filters, get_metric("time_in_state")), ["time_in_state"],
                    by=None)
    seconds: dict[str, float] = {}
    # reasons compared as adherence compares them with the schedule's activities: in any
    # case (a "Break" is the configuration's "break"), and trimmed
    paid = {r.strip().lower() for r in state.config.agents.paid_not_ready_reasons}
    paid_breaks = 0.0
    for row in totals.rows:
        seconds[row["state"]] = seconds.get(row["state"], 0.0) + row["time_in_state"]
        if row["state"] == "not_ready" and str(row["reason"] or "").strip().lower() in paid:
            paid_breaks += row["time_in_state"]
    work = sum(seconds.get(k, 0.0) for k in ("handling", "hold", "acw"))
    active = work + seconds.get("available", 0.0)
    logged_in = sum(v for k, v in seconds.items() if k != "logged_out")
    return [("Logged in", logged_in / 3600),
            ("Active + paid not ready", (active + paid_breaks) / 3600),
            ("Active", active / 3600), ("Workload", work / 3600)]


def _people(filters: Filters, metric: Metric) -> Filters:
    """The page's filters that ``metric``'s agent time can take (it has no queue, and no
    channel unless the metric shares it out: :func:`_people_filters`)."""
    accepted = _people_filters(metric)
    return dataclasses.replace(filters, where={
        k: v for k, v in (filters.where or {}).items() if k in accepted} or None)


def _concurrency(state: ViewDep, filters: Filters, period: Period | None) -> dict[str, Any]:
    if not _channels(state, ("chat", "messenger")):
        return {"rows": [], "previous": []}
    # the page's channel filter reaches it: chat's share of the agents' time on a chat
    # filter, no chart on a voice one (never the chat figure under another channel's name)
    concurrency = _series(state, _people(filters, get_metric("accs")), period, ["accs"],
                          "hour")
    if concurrency["rows"]:
        concurrency["rows"] = _grid(concurrency["rows"], "hour", period, ("accs",))
    return concurrency


DASHBOARD_PART_THREADS = 12
"""Threads of one dashboard request that compute its parts (about nine) side by side. A
part only waits for its reports on the server's report pool, which bounds the real work
and shares it fairly between people; asking for them together instead of one after
another lets both cores run a filter change's nine small queries. The threads are the
request's own: one pool of 16 shared by every request queued a cached dashboard's parts
(answered from the cache in milliseconds) behind other people's uncached ones, which
held every thread while they waited for a worker — 14 s behind ten uncached dashboards,
a 30 s timeout behind fifty."""


def shown_dataset(view: View) -> str:
    """The dataset as a page names it: its folder on the server for the people who run
    OmniKPI (administrators, supervisors), its folder's name alone for a client or an
    agent — where the server keeps its data is none of their business."""
    path = Path(str(view.dataset.path))
    return str(path) if view.principal.role in ("admin", "supervisor") else path.name


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, state: ViewDep, filters: FilterParams) -> Response:
    context = dashboard_context(state, filters, choose_language(request))
    return templates.TemplateResponse(request, "dashboard.html", {**context,
                                                                  "filters": filters})


def dashboard_context(state: View, filters: Filters, lang: str) -> dict[str, Any]:
    """What the dashboard shows for ``filters`` (its template's values but the filters),
    its reports computed and cached (the server's warm-up computes it before anyone
    asks: ``web/warmup.py``)."""
    filters = at_one_as_of(state, filters)
    period = _period(state, filters)
    grain = "hour" if filters.grain == "total" else filters.grain
    _check_request(state, filters, period, grain)
    stop = threading.Event()
    pool = ThreadPoolExecutor(DASHBOARD_PART_THREADS, thread_name_prefix="dashboard")

    def submit(work: Callable[..., T], *args: Any) -> Future[T]:
        return pool.submit(_run_part, stop, work, *args)

    try:
        return _dashboard_parts(state, filters, lang, submit, period, grain)
    finally:
        # every part has answered, or one failed: the others are not waited for (a bad
        # request waited for the whole dashboard before its 400), those not begun never
        # begin, and the running ones ask for no further report (:func:`_report`)
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)


def _check_request(state: View, filters: Filters, period: Period | None,
                   grain: str) -> None:
    """The usage errors every part's reports would raise, raised once before any part
    runs, with the same messages (``engine/run.py``: ``plan_request``): the parameters'
    form, the zone, From/To, As of, the grain, and the periods of each chart's window.
    A bad request answered 400 only after the whole dashboard had run (17 s for a
    window of 1900–2199 by hour, whose interval profile has 2.6 million periods).

    A window not given is taken as the data's first and last instants, within the
    engine's own (which also reaches the as-of and the plans): never stricter than the
    reports; what this misses, the parts still say."""
    filters.request()
    zone(filters.tz)
    start, end = parse_window(filters.from_, filters.to, filters.tz)
    parse_instant(filters.as_of, filters.tz, "--as-of")
    check_grain(grain)
    people = state.dataset.has("agent_states")
    # the charts' grains: the interval profile (and the funnel's), the trend by day, and
    # chat concurrency by hour (:func:`_concurrency`)
    hourly = people and state.dataset.has("contacts") and bool(
        _channels(state, ("chat", "messenger")))
    grains = dict.fromkeys([grain, "day", *(["hour"] if hourly else [])])
    span = period.data if period is not None else None  # None: no data, or no period
    first = start if start is not None else span[0] if span is not None else None
    last = end if end is not None else span[1] if span is not None else None
    windows = [(first, max(last, first + 1))] if first is not None and last is not None \
        else []
    if period is not None and period.previous:
        windows.append((period.start_us - period.length_us, period.start_us))
    for chart_grain in grains:
        for lo, hi in windows:
            check_period_count(chart_grain, lo, hi)


class _Stopped(Exception):
    """A part not begun, or a report not asked for: another part of the page failed."""


_PART = threading.local()
"""The stop signal of the dashboard part a thread runs (:func:`_run_part`)."""


def _run_part(stop: threading.Event, work: Callable[..., T], *args: Any) -> T:
    """One part of a dashboard on a thread of its request; not begun once another part
    has failed (``stop``), and then asking for no further report (:func:`_report`)."""
    if stop.is_set():
        raise _Stopped
    _PART.stop = stop
    try:
        return work(*args)
    finally:
        _PART.stop = None


def _report(*args: Any, **kwargs: Any) -> ReportResult:
    """:func:`report` for a dashboard part: refused once another part of its page failed
    (a tile row's previous period is a second report)."""
    stop: threading.Event | None = getattr(_PART, "stop", None)
    if stop is not None and stop.is_set():
        raise _Stopped
    return report(*args, **kwargs)


Submit = Callable[..., Future[Any]]
"""Starts a part of the dashboard: ``submit(work, *args)``."""


def _results(parts: list[Future[Any]]) -> None:
    """Wait for ``parts`` until one fails, and raise the error of the first (in the
    page's order) that has: the others are not waited for."""
    done, _ = wait(parts, return_when=FIRST_EXCEPTION)
    for part in parts:
        error = part.exception() if part in done else None
        if error is not None:
            raise error


def _dashboard_parts(state: View, filters: Filters, lang: str, submit: Submit,
                     period: Period | None, grain: str) -> dict[str, Any]:
    tile_rows = []
    for section in SECTIONS:
        metrics = [m.id for m in section_metrics(section.id)]
        mode = CHANNELS_OF_MODE[section.channels] if section.channels else None
        tile_rows.append((section, submit(
            _tiles, state, filters, metrics,
            _section_channels(state, filters, mode) if mode else None, period, lang)))
    profile_part = submit(_per_channel, state, filters, period, grain)
    # the trend is the accessibility tiles' figure, day by day: the continuous channels'
    # service level (e-mail answered within a day counted as on time lifted the line to
    # 82 % while the voice tile read 75 %), unless the page picks its channels itself
    trend_channels = [] if "channel" in (filters.where or {}) else \
        _channels(state, CHANNELS_OF_MODE["continuous"])
    trend_part = submit(_series, state, filters, period, ["service_level", "abandon_rate"],
                        "day", None, {"channel": trend_channels} if trend_channels else None)
    people = state.dataset.has("agent_states")
    funnel_part = submit(_funnel, state, filters) if people else None
    concurrency_part = submit(_concurrency, state, filters, period) if people else None
    _results([part for _section, part in tile_rows] + [
        part for part in (profile_part, trend_part, funnel_part, concurrency_part)
        if part is not None])
    sections = [{"title": section.title, "tiles": tiles}
                for section, part in tile_rows if (tiles := part.result())]
    profile = profile_part.result()
    trend = trend_part.result()
    funnel = funnel_part.result() if funnel_part else []
    concurrency = concurrency_part.result() if concurrency_part else \
        {"rows": [], "previous": []}
    trend["rows"] = _grid(trend["rows"], "day", period, ("service_level", "abandon_rate"))
    # the tiles' drill-down links: the page's filters (the channel is the tile's own) and
    # its parameters, so that the drill-down shows the tile's figure (a 30-second service
    # level threshold was dropped: the tile read 81.1 %, its drill-down 79.6 %)
    query = urlencode([(k, v) for k, v in {
        "tz": filters.tz, "from": filters.from_, "to": filters.to, "grain": filters.grain,
        "as_of": filters.as_of,
        **{dim: join_values(values) for dim, values in (filters.where or {}).items()
           if dim != "channel"},
    }.items() if v] + [("param", given) for given in filters.param or []])
    return {
        "sections": sections, "profile": profile, "query": query,
        "dataset": shown_dataset(state), "trend": trend["rows"],
        "trend_channels": trend_channels,
        "trend_previous": trend["previous"], "funnel": funnel,
        "concurrency": concurrency["rows"], "concurrency_previous": concurrency["previous"],
        "grain_words": GRAIN_WORDS.get(grain, grain),
        "period": period.text(lang) if period else "",
        "previous_period": period.text(lang, previous=True) if period else "",
        "has_previous": bool(period and period.previous),
        "goals": {m: state.config.target(m) for m in ("service_level", "abandon_rate")},
        "charts": True,
        # said where the numbers are read (a bounded scope's dataset counts none: the
        # quarantine describes every tenant's files)
        "quarantined": state.dataset.quarantined,
        "unusable": sorted(name for name, load in state.dataset.loads.items()
                           if not load.usable),
    }
