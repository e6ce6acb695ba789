"""The dashboard computed when the server starts, before anyone asks for it.

After a restart the first person to open the dashboard waited while every report of the
page was planned and compiled through Ibis (2–5 s on the demo), and the first to filter it
by a channel or a queue as long again: the reusable form of a filtered report
(``web/dashboard_data.py``) is made at its first use. The warm-up opens the dashboard as
an administrator would, unfiltered, then filtered by one value of each dimension the
pickers offer, then by a channel and a queue together, in UTC (an address without
``tz``) and in the server's zone. Its reports run on the report pool like any request (a
person asking meanwhile takes turns with it); they stay cached for administrators, and
for everyone the filtered forms exist, so another value of a filter costs its queries
only. Then, with logins, the unfiltered dashboard of each client's and supervisor's scope
(:func:`account_scopes`): their pages are their own.

``omnikpi serve`` warms; test clients and embedding applications do not unless asked
(``create_app(warm_up=True)``): a warm-up is seconds of work at every start.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from omnikpi.auth.accounts import Principal
from omnikpi.auth.scope import UNBOUNDED, Scope, scope_of
from omnikpi.web.deps import Filters, View
from omnikpi.web.filters import picker_options
from omnikpi.web.workers import Requester

if TYPE_CHECKING:
    from omnikpi.web.deps import AppState

log = logging.getLogger("omnikpi.web")

WARMED_DIMENSIONS = ("channel", "queue", "site", "tenant", "direction")
"""The dashboard's usual filters (an agent's figures have pages of their own)."""
WARMED_PAIR = ("channel", "queue")
"""The usual two filters at once ("e-mail in the sales queue"): each combination of
filters is a form of its own, and warming every pair would be minutes at each start."""
WARM_UP = Principal("warm-up", "admin", via="none")
WARM_UP_CALLER = Requester("warm-up", capped=False)
MAX_SCOPES = 20
"""Clients' and supervisors' scopes warmed at most (a few seconds each on the demo)."""


def warm_up_filters(view: View) -> list[dict[str, list[str]]]:
    """The unfiltered dashboard, then one value of each dimension the data has, then
    :data:`WARMED_PAIR` together. On Spark the unfiltered one only: a filtered page's
    reusable form is DuckDB's (Spark plans every report anew), so warming a filter there
    would be minutes of work for nothing."""
    if view.state.engine != "duckdb":
        return [{}]
    options = picker_options(view)
    first = {dim: [options[dim][0]] for dim in WARMED_DIMENSIONS if options.get(dim)}
    return [{}, *({dim: values} for dim, values in first.items()), *_pair(view, first)]


def _pair(view: View, first: dict[str, list[str]]) -> list[dict[str, list[str]]]:
    """The first channel with a queue it has: a pair without rows would warm nothing
    (a page with no contacts skips the reports its tiles would need)."""
    channel, queue = WARMED_PAIR
    if channel not in first:
        return []
    found = view.dataset.con.execute(
        f'SELECT min(CAST("{queue}" AS VARCHAR)) FROM contacts '
        f'WHERE CAST("{channel}" AS VARCHAR) = ? AND "{queue}" <> \'\'',
        first[channel]).fetchone()
    return [{channel: first[channel], queue: [found[0]]}] if found and found[0] else []


def warm_up_zones(state: AppState) -> tuple[str, ...]:
    """UTC, the dashboard's zone when the address names none, and the server's own zone
    (``omnikpi serve --tz``), which the people of that center put in their links."""
    return tuple(dict.fromkeys(("UTC", state.tz)))


def account_scopes(state: AppState) -> list[tuple[Principal, Scope]]:
    """The bounded scopes of the accounts that open the dashboard — an outsourcer's
    clients (their tenant), supervisors of a tenant or of sites — one account of each,
    at most :data:`MAX_SCOPES`. Each scope's page is its own (its rows, its cache, its
    reusable forms): a client's first page after a restart took 3–4 s on the demo where
    the administrator's took 0.2 s. Agents (a scope each) and API keys are left out; on
    Spark none (every page there is a cluster's work, the administrator's only is
    warmed)."""
    if not state.auth or state.engine != "duckdb":
        return []
    from sqlalchemy import select

    from omnikpi.auth.accounts import principal_of
    from omnikpi.store.db import session_scope
    from omnikpi.store.models import User

    found: dict[str, tuple[Principal, Scope]] = {}
    with session_scope(state.database_url) as session:
        users = session.scalars(select(User).where(
            User.disabled.is_(False), User.role.in_(("client", "supervisor")))
            .order_by(User.id)).all()
        for user in users:
            principal = principal_of(user, via="none")
            scope = scope_of(principal)
            if not scope.unbounded and len(found) < MAX_SCOPES:
                found.setdefault(scope.key(), (principal, scope))
    return list(found.values())


class DashboardWarmup(threading.Thread):
    """Opens the dashboards of :func:`warm_up_filters` once, on its own thread."""

    def __init__(self, state: AppState) -> None:
        super().__init__(name="omnikpi-warm-up", daemon=True)
        self._state = state
        self._stopping = threading.Event()
        self.warmed: list[tuple[str, dict[str, list[str]]]] = []
        """The zone and filters of each dashboard computed, in order (tests read it)."""
        self.scopes: list[tuple[str, str]] = []
        """The zone and scope (its key) of each account's dashboard computed after."""
        self.done = threading.Event()

    def stop(self) -> None:
        """No further dashboard is started (the one under way ends with the pool)."""
        self._stopping.set()

    def run(self) -> None:
        from omnikpi.web.routes.pages import dashboard_context

        started = time.perf_counter()
        view = View(self._state, WARM_UP, UNBOUNDED, self._state.dataset, WARM_UP_CALLER)
        if not self._state.dataset.has("contacts"):
            # a center that loads agent states or schedules first: the dashboard's tiles
            # read contacts, and its page says so to whoever opens it
            log.info("dashboard not warmed up: the dataset has no contacts yet")
            self.done.set()
            return
        try:
            filters = warm_up_filters(view)
            for tz in warm_up_zones(self._state):
                for where in filters:
                    if self._stopping.is_set():
                        return
                    dashboard_context(view, Filters(tz=tz, where=where or None), "en")
                    self.warmed.append((tz, where))
            for principal, scope in account_scopes(self._state):
                scoped = View(self._state, principal, scope,
                              self._state.dataset_for(scope), WARM_UP_CALLER)
                for tz in warm_up_zones(self._state):
                    if self._stopping.is_set():
                        return
                    dashboard_context(scoped, Filters(tz=tz), "en")
                    self.scopes.append((tz, scope.key()))
            log.info("dashboard warmed up in %.1f s (%d pages, %d of accounts' scopes)",
                     time.perf_counter() - started, len(self.warmed), len(self.scopes))
        except Exception as exc:
            # the pool closing at shutdown, data that cannot answer: each page says the
            # same to its own visitor when asked
            if not self._stopping.is_set():
                log.warning("dashboard warm-up stopped: %s", exc)
        finally:
            self.done.set()
