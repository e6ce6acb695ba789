"""The FastAPI application: `omnikpi serve --data DIR` starts it on a dataset folder."""

from __future__ import annotations

import copy
import json
import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import func, select
from starlette.exceptions import HTTPException as StarletteHTTPException

from omnikpi.auth.accounts import Principal, unscoped_supervisors
from omnikpi.auth.scope_data import account_bindings, unmatched_bindings, warning_text
from omnikpi.config import Config
from omnikpi.engine.backends import ENGINES
from omnikpi.errors import DataError, NotFoundError, OmniKPIError, UsageError
from omnikpi.schema.dataset import Dataset, load_dataset
from omnikpi.store.db import require_current, session_scope, shown_url, upgrade
from omnikpi.store.models import User
from omnikpi.web.assets import install_assets
from omnikpi.web.client_address import ClientAddress
from omnikpi.web.deps import AppState, fingerprint
from omnikpi.web.headers import SecurityHeaders
from omnikpi.web.limits import BodyLimit
from omnikpi.web.page_errors import (
    error_page,
    forbidden_page,
    is_page,
    page_message,
    translator_of,
    validation_message,
)
from omnikpi.web.repeated_params import RepeatedParams
from omnikpi.web.routes import agents, api, auth, builder, drill, live, pages, qa, schedules
from omnikpi.web.routes import api_docs as api_docs_routes
from omnikpi.web.routes import audit_page as audit_page_routes
from omnikpi.web.routes import data_quality as data_quality_routes
from omnikpi.web.routes import health as health_routes
from omnikpi.web.routes import recordings as recordings_routes
from omnikpi.web.routes import wfm_schedule as wfm_schedule_routes
from omnikpi.web.routes import wfm_staffing as wfm_staffing_routes
from omnikpi.web.routes import wfm_whatif as wfm_whatif_routes
from omnikpi.web.security import LoginRequired, current_principal
from omnikpi.web.templating import templates
from omnikpi.web.warmup import DashboardWarmup
from omnikpi.web.workers import Overloaded, PoolLimits, WorkPool

log = logging.getLogger("omnikpi")


ECHO_CHARS = 200
"""A 422 answer shows at most this much of the value it refuses (it may be megabytes)."""


def _brief(error: Any) -> Any:
    """A validation error whose ``input`` can be sent back: cut short (a refused 500 kB
    name, or a whole ingest body missing one key, is not echoed) and valid JSON (a NaN or
    an infinite number refused by a model made the answer itself fail, a 500)."""
    error = dict(error)
    if "input" not in error:
        return error
    value = error["input"]
    if isinstance(value, str):
        if len(value) > ECHO_CHARS:
            error["input"] = f"{value[:ECHO_CHARS]}… ({len(value):,} characters)"
        return error
    try:
        text = json.dumps(jsonable_encoder(value), allow_nan=False)
    except (TypeError, ValueError):
        text = None
    if text is None or len(text) > ECHO_CHARS:
        error["input"] = repr(value)[:ECHO_CHARS] if text is None else \
            f"({type(value).__name__} not shown)"
    return error


QUERY_NAMES = {"--from": "from", "--to": "to", "--as-of": "as_of", "--param": "param",
               "--filter": "a filter", "--metrics": "metrics", "--by": "by",
               "--grain": "grain", "--tz": "tz"}
"""The command line's option names as an API caller writes them: an answer to
``?from=2024-13-01`` said "bad --from"."""


def _in_query_words(text: str) -> str:
    return re.sub(r"(?<![\w-])--(?:from|to|as-of|param|filter|metrics|by|grain|tz)\b",
                  lambda m: QUERY_NAMES[m.group(0)], text)


def _warn_about_accounts(database_url: str | None, auth_required: bool) -> None:
    """Say at start which supervisors see every tenant by omission (docs/accounts.md), and
    that nobody can log in to a database without accounts (a server started in another
    folder opened a new, empty one without a word)."""
    with session_scope(database_url) as session:
        names = unscoped_supervisors(session)
        accounts = session.scalar(select(func.count()).select_from(User))
    if auth_required and not accounts:
        log.warning("the database %s has no accounts, so nobody can log in: create one with "
                    "`omnikpi users add NAME --role admin` (or point OMNIKPI_DATABASE_URL at "
                    "the database that has them)", shown_url(database_url))
    if names:
        log.warning("%d supervisor(s) see every tenant because they were created without a "
                    "scope: %s (omnikpi users list; give them one with `omnikpi users set "
                    "NAME --role supervisor --tenant T`, --site or --all-tenants)", len(names),
                    ", ".join(names))


def _warn_about_bindings(database_url: str | None, dataset: Dataset) -> None:
    """Say at start which accounts are bound to a tenant, site or agent id that no row
    holds: they log in to empty pages (``auth.scope_data``)."""
    with session_scope(database_url) as session:
        bindings = account_bindings(session)
    for name, unmatched in unmatched_bindings(dataset, bindings).items():
        log.warning("%s", warning_text(name, unmatched))


def _reader_of(request: Request) -> None:
    """Who reads a page no route answered (a 404 of the router), for its menu: no route
    ran the dependency that finds them, so the administrator lost their links on it. A
    visitor not signed in stays nobody: the page is never a way in."""
    if isinstance(getattr(request.state, "principal", None), Principal):
        return
    try:
        current_principal(request)
    except (StarletteHTTPException, LoginRequired):
        request.state.principal = None
    except Exception:  # the accounts' database down: still the 404 page, not a 500
        log.exception("could not tell who reads a missing page")
        request.state.principal = None


def create_app(data: Path, config: Config | None = None, *, auth_required: bool = True,
               database_url: str | None = None, tz: str = "UTC", live_updates: bool = True,
               migrate: bool = True, secure_cookies: bool = False,
               limits: PoolLimits | None = None, engine: str = "duckdb",
               scheduler: bool = True, warm_up: bool = False) -> FastAPI:
    """The web application on the dataset folder ``data``.

    ``auth_required=False`` is the single-user demo (``omnikpi serve --no-auth``): every
    request acts as an administrator. ``migrate`` brings the database to the newest schema
    first (``omnikpi db upgrade`` does the same by hand); otherwise an outdated database
    is an error. ``scheduler`` runs the scheduled reports in the background (one process
    at a time holds the lease; see ``omnikpi.schedules.scheduler``). ``warm_up`` computes
    the dashboard at start, before anyone asks (``omnikpi.web.warmup``).
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if migrate:
        upgrade(database_url)
    else:
        require_current(database_url)
    _warn_about_accounts(database_url, auth_required)
    dataset = load_dataset(data)
    _warn_about_bindings(database_url, dataset)
    config = config or Config()
    state = AppState(Path(data), config, dataset, auth_required, database_url, tz,
                     files=fingerprint(Path(data)), secure_cookies=secure_cookies,
                     engine=engine, pool=WorkPool(limits or PoolLimits.from_environment()))
    if live_updates:
        from omnikpi.web.live import LiveHub

        state.live = LiveHub(Path(data), config, tz, dataset, database_url)

    running = [0]  # lifespans under way: a server and test clients may share the app
    running_lock = threading.Lock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # request threads only wait on the report pool while it works: let enough of
        # them wait that light requests (catalog, cached pages) always find a thread
        with running_lock:
            running[0] += 1
            if state.pool.closed:  # the app started again (a second server or client)
                state.pool = WorkPool(state.pool.limits)
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, state.pool.limits.max_waiting + 40)
        if state.live is not None:
            state.live.start()
        # one per start (tests start an app several times at once); its first check
        # runs what a downtime missed
        runner = schedules.scheduler_for(state) if scheduler else None
        app.state.scheduler = runner
        if runner is not None:
            runner.start()
        warming = DashboardWarmup(state) if warm_up else None
        app.state.warm_up = warming
        if warming is not None:
            warming.start()
        yield
        if warming is not None:
            warming.stop()
        if runner is not None:
            runner.stop()
        with running_lock:
            running[0] -= 1
            last = running[0] == 0
        if last:  # one client leaving closed the pool under the others: every later
            state.pool.close()  # request of theirs was refused as "shutting down"
        if state.live is not None:
            await state.live.stop()

    # the API reference and its schema are routes of their own (routes/api_docs.py):
    # FastAPI's load Swagger UI from a CDN and are open to anyone
    app = FastAPI(title="OmniKPI", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None,
                  description="Contact-center KPIs with exact, documented definitions.")
    app.state.omnikpi = state

    @app.exception_handler(OmniKPIError)
    async def omnikpi_error(request: Request, exc: OmniKPIError) -> Response:
        status = 404 if isinstance(exc, NotFoundError) else 400 if isinstance(exc, UsageError) \
            else 422 if isinstance(exc, DataError) else 500
        # where the server keeps its data is nobody's business but its administrators',
        # who read it on /data: every answer names the dataset by its folder's name
        folder = str(state.data_path)
        if folder in str(exc):
            exc = copy.copy(exc)
            exc.args = (str(exc).replace(folder, Path(folder).name or "data"),)
        if is_page(request) and status < 500:  # a page: the form as typed and a sentence
            return error_page(request, page_message(exc, translator_of(request)), status)
        return JSONResponse({"detail": _in_query_words(str(exc))}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if is_page(request):
            return error_page(request, validation_message(
                list(exc.errors()), translator_of(request)), 422)
        return JSONResponse({"detail": jsonable_encoder([_brief(e) for e in exc.errors()])},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def not_found_page(request: Request, exc: StarletteHTTPException) -> Response:
        """A page address that leads nowhere (a typo, a QA form that is not there) is a
        page in the reader's language with the way back, not ``{"detail": "Not Found"}``;
        the API, downloads and every other status keep FastAPI's JSON. (Pages with a 404
        of their own, such as another agent's page, keep their sentence.)"""
        if exc.status_code == 404 and is_page(request):
            _reader_of(request)
            return templates.TemplateResponse(request, "not_found.html", {"filters": None},
                                              status_code=404)
        if exc.status_code == 403 and is_page(request):  # a page, not {"detail": …}
            return forbidden_page(request, str(exc.detail))
        return await http_exception_handler(request, exc)

    @app.exception_handler(Overloaded)
    async def overloaded(request: Request, exc: Overloaded) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503,
                            headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    install_assets(app)  # static files, Plotly, favicon, gzip
    app.include_router(health_routes.router)
    app.include_router(auth.router)
    app.include_router(api_docs_routes.router)
    app.include_router(api.router)
    app.include_router(live.router)
    app.include_router(pages.router)
    app.include_router(drill.router)
    app.include_router(builder.router)
    app.include_router(agents.router)
    app.include_router(qa.router)
    app.include_router(qa.api)
    app.include_router(schedules.router)
    app.include_router(wfm_schedule_routes.router)
    app.include_router(wfm_staffing_routes.router)
    app.include_router(wfm_whatif_routes.router)
    app.include_router(recordings_routes.router)
    app.include_router(data_quality_routes.router)
    app.include_router(audit_page_routes.router)

    app.add_middleware(BodyLimit)
    app.add_middleware(RepeatedParams)  # before any route reads a parameter
    app.add_middleware(ClientAddress)  # the audit log's address of every change

    app.add_middleware(SecurityHeaders)  # outermost: it heads every answer
    return app
