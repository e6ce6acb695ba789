"""Shared request dependencies (FastAPI ``Annotated`` aliases): the app's state, the
dataset as the caller may see it, and the report filters from the URL."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, Form, Query, Request
from fastapi import Path as PathParam

from omnikpi.auth.accounts import Principal
from omnikpi.auth.scope import Scope, scoped_dataset, viewer_scope
from omnikpi.config import Config
from omnikpi.engine.params import parse_param_assignments
from omnikpi.errors import UsageError
from omnikpi.request import ReportRequest, canonical_filters
from omnikpi.schema.dataset import Dataset, load_dataset
from omnikpi.schema.file_stamps import file_stamp
from omnikpi.schema.files import find_table_files
from omnikpi.schema.tables import TABLES
from omnikpi.value_list import split_values
from omnikpi.web.filters import (
    DIMENSION_LABELS,
    FilterForm,
    exclusive_to,
    filter_form,
    form_to_day,
    plus_restored,
)
from omnikpi.web.limits import MAX_INT
from omnikpi.web.security import Caller
from omnikpi.web.workers import ANONYMOUS, Requester, WorkPool

if TYPE_CHECKING:
    from omnikpi.web.live import LiveHub

RELOAD_CHECK_SECONDS = 5.0
RELOAD_MIN_SECONDS = 30.0
"""While events stream in, the ingest files change all the time: reports reload at most
this often (the wallboard shows the live numbers meanwhile); QA results force a reload."""


def fingerprint(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and stamps (modification and change times, inode) of the dataset's
    table files: a file rewritten with the same size and its modification time put back
    is a change too (the server kept its old rows and read a rollup built from the new)."""
    found = find_table_files(path, set(TABLES))
    out = []
    for files in found.values():
        for file in files:
            stat = file.path.stat()
            out.append((str(file.path), stat.st_size, file_stamp(stat)))
    return tuple(sorted(out))


@dataclass
class AppState:
    data_path: Path
    config: Config
    dataset: Dataset
    auth: bool = True
    database_url: str | None = None
    tz: str = "UTC"
    """The wallboard's day (midnight to midnight) is cut in this zone."""
    cache: dict[str, Any] = field(default_factory=dict)
    """Report results by request and scope (cleared when the dataset is reloaded)."""
    scoped: dict[str, Dataset] = field(default_factory=dict)
    live: LiveHub | None = None
    files: tuple[tuple[str, int, int], ...] = ()
    checked_at: float = 0.0
    loaded_at: float = field(default_factory=time.monotonic)
    force_reload: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    secure_cookies: bool = False
    """Mark cookies Secure even on plain http (behind a TLS-terminating proxy)."""
    engine: str = "duckdb"
    """Where reports run (``omnikpi serve --engine``); not a request's choice."""
    pool: WorkPool = field(default_factory=WorkPool)
    """Where reports and drill-downs run: a few workers and a bounded queue."""
    cache_lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self) -> None:
        """Reload the dataset when its files changed (new imports, live ingest), checked
        at most every few seconds; cached reports and scoped views go with the old one.

        ``files`` is the fingerprint the dataset was loaded from (taken when the app is
        made), an empty one included: an empty fingerprint once counted as "not taken
        yet", so the first live rows posted to a folder that started without tables were
        taken as the baseline and never reached the reports."""
        now = time.monotonic()
        if now - self.checked_at < RELOAD_CHECK_SECONDS and not self.force_reload:
            return
        with self.lock:
            if now - self.checked_at < RELOAD_CHECK_SECONDS and not self.force_reload:
                return
            self.checked_at = now
            current = fingerprint(self.data_path)
            due = self.force_reload or now - self.loaded_at >= RELOAD_MIN_SECONDS
            if current != self.files and due:
                self.dataset = load_dataset(self.data_path)
                self.files = current
                self.loaded_at = now
                self.force_reload = False
                self.cache.clear()
                self.scoped.clear()

    def dataset_for(self, scope: Scope) -> Dataset:
        if scope.unbounded:
            return self.dataset
        key = scope.key()
        with self.lock:
            if key not in self.scoped:
                self.scoped[key] = scoped_dataset(self.dataset, scope)
            return self.scoped[key]


RowId = Annotated[int, PathParam(ge=1, le=MAX_INT)]
"""A stored row's id in a URL (``/qa/forms/{form_id}``)."""
FormRowId = Annotated[int, Form(ge=1, le=MAX_INT)]
"""A stored row's id in a form field."""


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.omnikpi
    return state


State = Annotated[AppState, Depends(get_state)]


@dataclass
class View:
    """The caller's window on the app: their principal, scope and (scoped) dataset."""

    state: AppState
    principal: Principal
    scope: Scope
    dataset: Dataset
    caller: Requester = ANONYMOUS
    """Who asks, for the report pool's fair share: the account or API key, or the
    client's address when the server runs without logins."""

    @property
    def config(self) -> Config:
        return self.state.config

    @property
    def cache(self) -> dict[str, Any]:
        return self.state.cache

    @property
    def cache_key(self) -> str:
        return self.scope.key()


def get_view(request: Request, state: State, principal: Caller) -> View:
    state.refresh()
    # an agent account reads its own rows on every route (reports, drill-downs, exports,
    # the API), not its tenant's: a colleague's states, evaluations and figures are not
    # theirs to see (the agent pages always did; the report API and drill-downs did not)
    scope = viewer_scope(principal)
    view = View(state, principal, scope, state.dataset_for(scope), caller_of(request, principal))
    request.state.view = view  # the filter form's pickers and period line read it
    return view


def caller_of(request: Request, principal: Principal) -> Requester:
    """Who the report pool shares its workers by: an account is one caller whatever its
    sessions; without logins every visitor is ``demo``, so the client's address tells
    them apart (not capped: many people may share it)."""
    page = next(_PAGES)  # the request's turn among the caller's (``Requester.page``)
    if principal.via == "none":
        host = request.client.host if request.client is not None else "unknown"
        return Requester(f"address:{host}", capped=False, page=page)
    if principal.user_id is not None:
        return Requester(f"user:{principal.user_id}", page=page)
    return Requester(f"{principal.via}:{principal.name}", page=page)


_PAGES = itertools.count(1)
"""Requests in arrival order (``next`` on a count is atomic under the GIL)."""


ViewDep = Annotated[View, Depends(get_view)]


@dataclass
class Filters:
    """What every page and the report API accept; the URL carries them (shareable)."""

    metrics: str | None = None
    by: str | None = None
    grain: str = "total"
    tz: str = "UTC"
    from_: str | None = None
    to: str | None = None
    as_of: str | None = None
    param: list[str] | None = None
    engine: str | None = None
    """An engine the URL names: accepted only when it is the server's own."""
    where: dict[str, list[str]] | None = None
    """Dimension filters from the URL: channel, queue, site, tenant, agent_id (a,b,…)."""
    to_day: str | None = None
    """The form's inclusive To day as typed (``to`` is then that day + 1, exclusive)."""
    page: Request | None = field(default=None, repr=False, compare=False)
    """The request these filters came from (the form reads the caller's view from it)."""
    metric_as_of: bool = field(default=False, compare=False)
    """The line under the form states the as-of of the tables ``metrics`` read (a
    drill-down: its figure is cut there, as the engine's default); else the page's one
    as-of (``filters.at_one_as_of``), which the builder's figures and exports use."""

    def __post_init__(self) -> None:
        # the one place a URL's filters are read as the data holds them (``channel=Voice``
        # is ``voice``): the report lower-cased them when it built its request, while the
        # drill-down, /api/v1/contacts and their exports filtered on the text as typed and
        # found nothing (3,946 contacts received against 0 behind the figure)
        if self.where:
            self.where = {d: list(v) for d, v in canonical_filters(self.where).items()}

    @property
    def form(self) -> FilterForm:
        """The filter form's pickers, zones, presets and effective period."""
        view = getattr(self.page.state, "view", None) if self.page is not None else None
        return filter_form(view, self)

    @property
    def to_shown(self) -> str:
        """The To day the form shows (inclusive)."""
        return form_to_day(self)

    def request(self) -> ReportRequest:
        """The report these filters ask for."""
        return ReportRequest.of(
            [m.strip() for m in (self.metrics or "").split(",") if m.strip()],
            [d.strip() for d in (self.by or "").split(",") if d.strip()], self.grain,
            self.tz, self.from_, self.to, self.as_of, parse_param_assignments(self.param or []),
            self.where)


SortDirection = Literal["asc", "desc"]
"""A table's order: anything else is a 422 (``dir=sideways`` was read as ascending)."""
DrillPart = Literal["all", "numerator", "denominator", "excluded"]
"""Which fact rows ``/api/v1/drill`` lists (``engine.drill.PARTS``), named in the OpenAPI."""
ContactsPart = Literal["numerator", "denominator"]
"""Which contacts of a metric ``/api/v1/contacts`` lists, named in the OpenAPI (the
parameter was a bare string there: a script could not tell its values)."""

FILTER_DIMENSIONS = ("channel", "queue", "site", "tenant", "agent_id", "direction", "topic",
                     "campaign", "lead_type")
"""Every dimension a URL filters by, as ``--filter`` does (``topic=complaint`` was not
read: the API answered every topic's figures)."""


def get_filters(
    metrics: str | None = None, by: str | None = None, grain: str = "total", tz: str = "UTC",
    from_: Annotated[str | None, Query(alias="from")] = None, to: str | None = None,
    as_of: str | None = None, param: Annotated[list[str] | None, Query()] = None,
    engine: str | None = None, channel: str | None = None, queue: str | None = None,
    site: str | None = None, tenant: str | None = None, agent_id: str | None = None,
    to_day: str | None = None, request: Request = None,  # type: ignore[assignment]
    direction: str | None = None, topic: str | None = None, campaign: str | None = None,
    lead_type: str | None = None,
) -> Filters:
    """The filters of a URL. ``to_day`` (the form's inclusive To day) stands for
    ``to`` = the next day; a ``to`` given as well wins (docs/web.md, "Filters"). More than
    :data:`MAX_FILTER_VALUES` values of one dimension is a 400 (:func:`check_value_count`)."""
    values = {"channel": channel, "queue": queue, "site": site, "tenant": tenant,
              "agent_id": agent_id, "direction": direction, "topic": topic,
              "campaign": campaign, "lead_type": lead_type}
    check_value_count({k: split_values(v) for k, v in values.items() if v}, request)
    return _filters(metrics, by, grain, tz, from_, to, as_of, param, engine, values, to_day,
                    request)


MAX_FILTER_VALUES = 200
"""Values one filter dimension may hold in a URL (``agent_id=a,b,…``). Each count of values
is a query shape of its own, planned and compiled once (``web/dashboard_data.py``): a
dashboard filtered by 1,300 agents ran 50 s and then answered 503."""


FILTER_LABELS = {**DIMENSION_LABELS, "campaign": "Campaign", "lead_type": "Lead type"}
"""Each filter dimension as a page names it (msgids of the catalogs)."""


def check_value_count(where: dict[str, list[str]], request: Request | None) -> None:
    """A usage error (400) naming the first dimension with more than
    :data:`MAX_FILTER_VALUES` values, and the limit: in the page's language on a page,
    in English for the API (as its other messages)."""
    for dimension, chosen in where.items():
        if len(chosen) <= MAX_FILTER_VALUES:
            continue
        from omnikpi.web.page_errors import is_page, translator_of

        if request is not None and is_page(request):
            _ = translator_of(request)
            raise UsageError(_(
                "{field}: {count} values chosen; a filter takes at most {limit} values at "
                "once. Choose fewer values.").format(
                field=_(FILTER_LABELS.get(dimension, dimension)),
                count=len(chosen), limit=MAX_FILTER_VALUES))
        raise UsageError(f"filter {dimension} has {len(chosen):,} values: a filter takes at "
                         f"most {MAX_FILTER_VALUES} values at once")


def _filters(metrics: str | None, by: str | None, grain: str, tz: str, from_: str | None,
             to: str | None, as_of: str | None, param: list[str] | None, engine: str | None,
             values: dict[str, str | None], to_day: str | None,
             request: Request | None) -> Filters:
    """:func:`get_filters` without its limit on the number of values."""
    where = {k: split_values(v) for k, v in values.items() if v}
    to_day = to_day.strip() if to_day and to_day.strip() else None
    if to:
        to_day = None
    elif to_day:
        to = exclusive_to(to_day)
    params = [p for p in param or [] if p.strip()] or None
    from_, to, as_of = (plus_restored(v) for v in (from_, to, as_of))
    return Filters(metrics, by, grain or "total", tz or "UTC", from_ or None, to or None,
                   as_of or None, params, engine, {k: v for k, v in where.items() if v} or None,
                   to_day, request)


def filters_of(request: Request) -> Filters:
    """The filters of ``request``'s URL, as typed (for a page that shows an error)."""
    q = request.query_params
    # not refused for too many values: the error page of that refusal shows them as typed
    return _filters(
        q.get("metrics"), q.get("by"), q.get("grain") or "total", q.get("tz") or "UTC",
        q.get("from"), q.get("to"), q.get("as_of"), q.getlist("param") or None,
        q.get("engine"), {dim: q.get(dim) for dim in FILTER_DIMENSIONS}, q.get("to_day"),
        request)


FilterParams = Annotated[Filters, Depends(get_filters)]


def get_drill_filters(
    tz: str = "UTC", from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None, as_of: str | None = None,
    param: Annotated[list[str] | None, Query()] = None, engine: str | None = None,
    channel: str | None = None, queue: str | None = None, site: str | None = None,
    tenant: str | None = None, agent_id: str | None = None, to_day: str | None = None,
    request: Request = None,  # type: ignore[assignment]
    direction: str | None = None, topic: str | None = None, campaign: str | None = None,
    lead_type: str | None = None,
) -> Filters:
    """The filters of a drill-down API (``/api/v1/drill``, ``/api/v1/contacts``): those of
    :func:`get_filters` without ``metrics``, ``by`` and ``grain``, which a drill-down does
    not read (its metric is ``metric``, its figure one period); the API reference listed
    them, and a script sending them got an answer that had ignored them."""
    return get_filters(None, None, "total", tz, from_, to, as_of, param, engine, channel,
                       queue, site, tenant, agent_id, to_day, request, direction, topic,
                       campaign, lead_type)


DrillFilterParams = Annotated[Filters, Depends(get_drill_filters)]
