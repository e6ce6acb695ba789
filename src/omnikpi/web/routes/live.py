"""Real time: the wallboard page and its event stream, live ingest (alert rules:
``live_alerts``; saved boards and the TV mode: ``live_boards``)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from omnikpi.auth.accounts import Principal
from omnikpi.auth.scope import Scope, viewer_scope
from omnikpi.live.ingest import ANOTHER_TENANTS_ID, own_refusals
from omnikpi.live.monitor import Where
from omnikpi.recordings.paths import recordings_folder
from omnikpi.request import canonical_filters, check_filter_values
from omnikpi.schema.tables import TABLES
from omnikpi.value_labels import TRANSLATED_VALUES
from omnikpi.value_list import split_values
from omnikpi.web.deps import AppState, State, check_value_count
from omnikpi.web.imported_rows import imported_duplicates, imported_state_clashes
from omnikpi.web.known_params import REFUSE_UNKNOWN
from omnikpi.web.limits import MAX_INT, NAME_CHARS, check_live_rows
from omnikpi.web.live import LiveHub, Subscriber
from omnikpi.web.routes import live_alerts, live_alerts_page, live_boards
from omnikpi.web.security import Caller, still_signed_in
from omnikpi.web.templating import templates
from omnikpi.web.tenant_claims import foreign_claims, posted_contact_id

router = APIRouter()
router.include_router(live_alerts.router)
router.include_router(live_alerts_page.router)
router.include_router(live_boards.router)
HEARTBEAT_SECONDS = 15.0


def _hub(state: AppState) -> LiveHub:
    if state.live is None:
        raise HTTPException(503, "real-time monitoring is off on this server")
    return state.live


def _narrow(scope: Scope, tenant: str | None, site: str | None) -> Scope:
    """The viewer's scope, narrowed by the wallboard's own tenant/site choice (never
    widened: a bounded viewer asking for another tenant gets nothing)."""
    tenants = tuple(split_values(tenant or ""))
    sites = tuple(split_values(site or ""))
    check_filter_values({"tenant": tenants, "site": sites})
    check_value_count({"tenant": list(tenants), "site": list(sites)}, None)
    nothing = scope.nothing
    if tenants:
        tenants = tuple(t for t in tenants if not scope.tenants or t in scope.tenants)
        nothing = nothing or not tenants
    if sites:
        sites = tuple(s for s in sites if not scope.sites or s in scope.sites)
        nothing = nothing or not sites
    return Scope(tenants or scope.tenants, sites or scope.sites, nothing, scope.agent)


def live_scope(principal: Principal) -> Scope:
    """What the caller's wallboard shows: an agent account its own rows only (their
    contacts and states: the board listed colleagues' states and not-ready reasons), any
    other role its tenant and sites."""
    return viewer_scope(principal)


@router.get("/wallboard", response_class=HTMLResponse, include_in_schema=False)
def wallboard(request: Request, state: State, principal: Caller, tenant: str | None = None,
              site: str | None = None, queue: str | None = None,
              channel: str | None = None,
              board: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None) -> Response:
    """The wallboard: the filters typed, or a saved board's (``?board=ID``, its URL)."""
    from urllib.parse import urlencode

    saved = live_boards.get_board(state, principal, board) if board is not None else None
    if saved is not None:
        cuts = {k: ",".join(saved[k]) for k in live_boards.CUTS}
    else:
        cuts = {"tenant": tenant or "", "site": site or "", "queue": queue or "",
                "channel": channel or ""}
    config = {"tiles": saved["tiles"] if saved else list(live_boards.TILES),
              "amber_minutes": saved["not_ready_amber_minutes"] if saved
              else live_boards.DEFAULT_NOT_READY_AMBER_MINUTES,
              "query": urlencode({k: v for k, v in cuts.items() if v})}
    return templates.TemplateResponse(request, "wallboard.html", {
        "filters": None, **cuts, "query": config["query"], "board": saved,
        "boards": live_boards.visible_boards(state, principal), "config": config,
        "tiles": live_boards.TILES, "tile_names": live_boards.TILE_NAMES,
        "live": state.live is not None, "words": wallboard_words(request)})


AGENT_STATE_WORDS = ("available", "handling", "acw", "hold", "not_ready", "logged_out")
"""The canonical agent states (``omnikpi.schema.tables.AGENT_STATES``), as the wallboard
shows them."""
ALERT_TEMPLATES = {
    "sl": "service level {sl} below {threshold}",
    "wait": "longest wait {wait} s over {threshold} s",
    "unavailable": "{subject} is unavailable to customers",
    "capacity": "{sessions} chats open, capacity {capacity}",
    "agent": "agent {agent_id}",
}
"""The alert messages (and the agent subject) of ``omnikpi.live.alerts`` with their numbers
as ``{fields}``: the wallboard and the alerts page put them into the page's language."""
_ALERT_PATTERNS = {
    key: re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(text)) + "$")
    for key, text in ALERT_TEMPLATES.items()}


def wallboard_words(request: Request) -> dict[str, Any]:
    """What wallboard.js writes, in the page's language: state and channel names, time
    units, the "off" note and the alert sentences (``{field}`` marks a number or a name)."""
    from omnikpi.web.i18n import choose_language, translator

    _ = translator(choose_language(request))
    return {"states": {s: _(s) for s in AGENT_STATE_WORDS},
            "channels": {c: _(c) for c in sorted(TRANSLATED_VALUES["channel"]) if _(c) != c},
            "units": {"h": _("h"), "min": _("min"), "s": _("s")},
            "sort": {"ascending": _("ascending"), "descending": _("descending")},
            "off": _("Live updates are off on this server: the wallboard shows no numbers."),
            "empty": {"queues": _("No queue has contacts or agents today."),
                      "agent-table": _("No agent is logged in."),
                      "agents": _("No agent is logged in."),
                      "chats": _("No chat is open.")}}


def alert_message(text: str, lang: str) -> str:
    """An alert's message (English, as stored) in an interface language."""
    from omnikpi.web.i18n import translator

    _ = translator(lang)
    for key, pattern in _ALERT_PATTERNS.items():
        found = pattern.match(text)
        if found:
            return _(ALERT_TEMPLATES[key]).format(**found.groupdict())
    return _(text)


def _cut(queue: str | None, channel: str | None) -> Where:
    """The board's queues and channels (comma-separated lists, ``\\,`` a comma inside a
    value, as every filter; at most 200 values each), as the data holds them
    (``channel=Voice`` is voice: the board found no voice queue, as the reports did)."""
    where = canonical_filters({"queue": tuple(split_values(queue or "")),
                               "channel": tuple(split_values(channel or ""))})
    check_filter_values(where)
    check_value_count({k: list(v) for k, v in where.items()}, None)
    return {k: v for k, v in where.items() if v}


@router.get("/api/v1/live", tags=["live"], dependencies=REFUSE_UNKNOWN)
async def live_snapshot(state: State, principal: Caller, tenant: str | None = None,
                        site: str | None = None, queue: str | None = None,
                        channel: str | None = None) -> dict[str, Any]:
    """The wallboard's numbers now: waiting, longest wait, agents by state and one by
    one, SL and abandonment so far today, chats per agent vs capacity, firing alerts —
    all cut to the caller's scope and to ``tenant``, ``site``, ``queue`` and ``channel``
    (comma-separated lists)."""
    scope = _narrow(live_scope(principal), tenant, site)
    return await asyncio.to_thread(_hub(state).snapshot, scope, _cut(queue, channel))


MAX_STREAMS_PER_ACCOUNT = 30
"""Live streams one account may hold open: a floor's TVs and a supervisor's tabs, not the
hundreds of made-up queue cuts one client's script opened, each a snapshot computed every
tick (300 stretched every other tenant's updates from 2 s to 27 s)."""
RECHECK_SECONDS = 10.0
"""How often an open stream checks its caller is still signed in with the same rights
(``users disable`` ends a screen's live data within this long)."""


@router.get("/api/v1/live/stream", tags=["live"], dependencies=REFUSE_UNKNOWN,
            response_class=StreamingResponse, responses={200: {
                "description": "server-sent events (`event: snapshot`, `data:` the JSON of "
                               "/api/v1/live)",
                "content": {"text/event-stream": {"schema": {"type": "string"}}}}})
async def live_stream(request: Request, state: State, principal: Caller,
                      tenant: str | None = None, site: str | None = None,
                      queue: str | None = None, channel: str | None = None) -> Response:
    """Server-sent events: one ``snapshot`` event per change (and every 2 s while idle),
    cut as ``/api/v1/live`` is."""
    hub = _hub(state)
    owner = f"{principal.via}:{principal.name}"
    if principal.via != "none" and hub.streams_of(owner) >= MAX_STREAMS_PER_ACCOUNT:
        raise HTTPException(429, f"this account has {MAX_STREAMS_PER_ACCOUNT} live streams "
                                 "open already: close a wallboard first")
    subscriber = Subscriber(_narrow(live_scope(principal), tenant, site),
                            _cut(queue, channel), owner=owner)
    hub.opening[owner] += 1
    try:
        first = await asyncio.to_thread(hub.first_message, subscriber.scope, subscriber.where)
    finally:
        hub.opening[owner] -= 1

    async def events() -> AsyncIterator[str]:
        hub.subscribers.add(subscriber)
        hub.notify()
        try:
            yield "retry: 1000\n\n"
            yield f"event: snapshot\ndata: {first}\n\n"
            # no ``request.is_disconnected()`` per message: each call starts and cancels
            # a task group (a third of the server's CPU at 200 screens); a screen that left
            # is noticed when the next snapshot or keep-alive cannot be written, which ends
            # this generator and runs the ``finally``
            checked = time.monotonic()
            while True:
                try:
                    message = await asyncio.wait_for(subscriber.queue.get(),
                                                     timeout=HEARTBEAT_SECONDS)
                except TimeoutError:
                    message = None
                if time.monotonic() - checked >= RECHECK_SECONDS:
                    checked = time.monotonic()
                    if not await asyncio.to_thread(still_signed_in, request, principal):
                        yield "event: signed-out\ndata: {}\n\n"  # the page goes to login
                        return
                yield ": keep-alive\n\n" if message is None else \
                    f"event: snapshot\ndata: {message}\n\n"
        finally:
            hub.subscribers.discard(subscriber)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")  # {"tabel": …} was read as no table at all

    table: str = Field(description="contacts, agent_states or availability",
                       max_length=NAME_CHARS)
    rows: list[dict[str, Any]] = Field(description="canonical rows (docs/data-model.md)")


def _unknown_columns(table: str, rows: list[dict[str, Any]]) -> list[str]:
    """The posted columns the data model does not have. They are kept with the row, as a
    file's extra columns are, but no figure reads them: a misspelt ``abandonned_at`` was
    accepted without a word and the abandoned call showed as waiting."""
    known = set(TABLES[table].column_names) if table in TABLES else set()
    return sorted({str(c) for row in rows for c in row} - known) if known else []


def _bound_rows(principal: Principal, batch: EventBatch) -> list[dict[str, Any]]:
    """A tenant-bound key writes its own tenant's rows only."""
    if not principal.tenant:
        return batch.rows
    if batch.table == "availability":
        raise HTTPException(403, "a tenant-bound API key cannot post availability rows "
                                 "(they have no tenant)")
    out = []
    for index, row in enumerate(batch.rows):
        given = row.get("tenant")
        if isinstance(given, str):  # trimmed, as the loader reads it (" bank " is bank)
            given = given.strip()
        if given not in (None, "", principal.tenant):
            raise HTTPException(403, f"rows[{index}]: tenant {given!r} is not this key's "
                                     f"tenant")
        out.append({**row, "tenant": principal.tenant})
    return out


def _finished_in_the_monitor(hub: LiveHub, rows: list[dict[str, Any]]
                             ) -> tuple[set[int], dict[int, tuple[str, str]]]:
    """The posted contacts (by index) whose contact the monitor holds finished, and
    those of them that another tenant's contact holds (column, message). A final one is
    final (as a final row posted again is a duplicate), and an open version posted late
    would make an ended call wait again. The loaded dataset is refreshed by reports, not
    by the ingest: a file dropped since it loaded is known here only. Run in a thread:
    the monitor's lock is held by a snapshot for its whole computation."""
    ids = {i: str(found) for i, row in enumerate(rows)
           if (found := posted_contact_id(row)) is not None}
    finished = hub.monitor.finished_contacts(sorted(set(ids.values())))
    repeats: set[int] = set()
    claims: dict[int, tuple[str, str]] = {}
    for i, found in ids.items():
        if found not in finished:
            continue
        posted, held = rows[i].get("tenant"), finished[found]
        if posted and held and str(posted) != held:
            claims[i] = ("contact_id", ANOTHER_TENANTS_ID)
        else:
            repeats.add(i)
    return repeats, claims


@router.post("/api/v1/events", tags=["live"], dependencies=REFUSE_UNKNOWN)
async def post_events(state: State, principal: Caller,
                      batch: Annotated[EventBatch, Body()]) -> dict[str, Any]:
    """Canonical rows posted live (authenticated with an API key: ``X-API-Key`` or
    ``Authorization: Bearer ok_…``; or an administrator's token). Validated by the same
    rules as ``omnikpi validate``; idempotent by id (a final row posted again is counted as
    a duplicate); open rows (a contact still waiting, a state without end) may be posted
    again as they progress."""
    if principal.via != "api_key" and principal.role != "admin":
        raise HTTPException(403, "posting events needs an API key or an administrator")
    hub = _hub(state)
    check_live_rows(batch.rows)
    rows = _bound_rows(principal, batch)
    claims: dict[int, tuple[str, str]] = {}
    if principal.tenant and batch.table == "contacts":
        # a tenant's key may not take another tenant's contact id or recording file
        folder = recordings_folder(state.config.recordings.folder, state.data_path)
        claims = await asyncio.to_thread(foreign_claims, state.dataset, rows, folder)
    repeats: set[int] = set()
    if batch.table == "contacts":
        # a contact the imported dataset holds is final there: posted again, a duplicate
        repeats = await asyncio.to_thread(imported_duplicates, state.dataset, rows)
        # and one a dropped file (or a post) finished since the dataset was loaded
        finished, foreign = await asyncio.to_thread(_finished_in_the_monitor, hub, rows)
        claims = {**foreign, **claims}
        repeats = (repeats | finished) - claims.keys()
    elif batch.table == "agent_states":
        repeats, clashes = await asyncio.to_thread(imported_state_clashes, state.dataset,
                                                   rows)
        claims = {i: (o.column or "", o.message or "") for i, o in clashes.items()}
    if claims:
        # a claimed row that is invalid on its own says why, not whose id it is
        claimed = sorted(claims)
        own = await asyncio.to_thread(own_refusals, batch.table, [rows[i] for i in claimed])
        claims = {i: (own[n].column or "", own[n].message or "") if n in own else claims[i]
                  for n, i in enumerate(claimed)}
    kept = [i for i in range(len(rows)) if i not in claims and i not in repeats]
    result = await asyncio.wrap_future(hub.submit(batch.table, [rows[i] for i in kept]))
    answer = result.to_json()
    answer["duplicates"] += len(repeats)
    answer["unknown_columns"] = _unknown_columns(batch.table, rows)
    if not claims and not repeats:
        return answer
    answer["rejected"] = sorted(
        [{**r, "row": kept[r["row"]]} for r in answer["rejected"]]
        + [{"row": i, "column": column, "message": message}
           for i, (column, message) in claims.items()], key=lambda r: int(r["row"]))
    return answer


