"""Saved wallboards (which queues, which tiles; for a person or their team; a URL each)
and the TV mode that rotates through them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select

from omnikpi.auth.accounts import Principal, audit
from omnikpi.auth.scope import scope_of
from omnikpi.request import check_filter_values
from omnikpi.store.db import session_scope
from omnikpi.store.models_live import LiveBoard
from omnikpi.web.deps import AppState, RowId, State
from omnikpi.web.known_params import REFUSE_UNKNOWN
from omnikpi.web.limits import MAX_INT, NAME_CHARS
from omnikpi.web.security import Caller
from omnikpi.web.templating import templates

router = APIRouter()
TILES = ("waiting", "longest", "sl", "abandon", "asa", "offered", "backlog")
"""The wallboard's tiles, in their order (a board shows a subset)."""
TILE_NAMES = {"waiting": "Waiting now", "longest": "Longest wait",
              "sl": "Service level today", "abandon": "Abandoned today", "asa": "ASA",
              "offered": "Offered today", "backlog": "E-mail / social backlog"}
CUTS = ("tenant", "site", "queue", "channel")
DEFAULT_ROTATE_SECONDS = 30
DEFAULT_NOT_READY_AMBER_MINUTES = 10.0
MAX_BOARDS = 200


class BoardIn(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_CHARS)
    shared: bool = False
    """True: a team board, seen by every account whose scope holds the board's tenants
    (its owner's and those its filters name) and the sites it names (a site-bound owner's
    sites when it names none; a tenant's board naming no site is seen at all its sites)."""
    tenant: list[str] = Field(default_factory=list, max_length=50)
    site: list[str] = Field(default_factory=list, max_length=50)
    queue: list[str] = Field(default_factory=list, max_length=200)
    channel: list[str] = Field(default_factory=list, max_length=50)
    tiles: list[str] = Field(default_factory=lambda: list(TILES), max_length=len(TILES))
    rotate_seconds: int = Field(default=DEFAULT_ROTATE_SECONDS, ge=5, le=3600)
    not_ready_amber_minutes: float = Field(default=DEFAULT_NOT_READY_AMBER_MINUTES, ge=0,
                                           le=24 * 60, allow_inf_nan=False)
    """An agent not ready longer than this shows amber in the agent table."""

    @field_validator("tiles")
    @classmethod
    def _known_tiles(cls, tiles: list[str]) -> list[str]:
        unknown = [t for t in tiles if t not in TILES]
        if unknown:
            raise ValueError(f"unknown tile {unknown[0]!r}; tiles: {', '.join(TILES)}")
        return [t for t in TILES if t in tiles]

    def definition(self) -> dict[str, Any]:
        check_filter_values({k: getattr(self, k) for k in CUTS})
        return self.model_dump(exclude={"name", "shared"})


def _bounds(board: LiveBoard) -> tuple[set[str], set[str]]:
    """The tenants and sites a board is bound to: its owner's tenant when saved, and the
    tenants and sites its filters name (an empty set: every one)."""
    definition = json.loads(board.definition)
    tenants = {str(t) for t in definition.get("tenant") or []}
    if board.tenant:
        tenants.add(board.tenant)
    return tenants, {str(s) for s in definition.get("site") or []}


def _visible(principal: Principal, board: LiveBoard) -> bool:
    """The owner's own boards; a team board when its own bounds lie within the viewer's
    scope: each tenant and site it is bound to (:func:`_bounds`) is one of the viewer's,
    for every dimension the viewer is bound by. An unbounded (operator's) board is
    therefore seen by unbounded accounts only; the operator's unbounded staff see every
    team board. (``board.tenant == principal.tenant`` held for None == None: every
    site supervisor without a tenant saw the operator's boards and the other sites'.)"""
    if board.owner == principal.name:
        return True
    if not board.shared:
        return False
    scope = scope_of(principal)
    if scope.unbounded:
        return True
    if scope.nothing:
        return False
    tenants, sites = _bounds(board)
    of_my_tenants = bool(tenants) and tenants <= set(scope.tenants)
    if scope.tenants and not of_my_tenants:
        return False
    # a board of the viewer's tenant that names no site is the tenant's whole team board:
    # its figures are cut to the viewer's sites anyway (a board bound to nothing stays
    # the operator's staff's)
    return not scope.sites or (bool(sites) and sites <= set(scope.sites)) or \
        (not sites and bool(scope.tenants) and of_my_tenants)


def board_json(board: LiveBoard) -> dict[str, Any]:
    return {"id": board.id, "name": board.name, "owner": board.owner,
            "shared": board.shared, "url": f"/wallboard?board={board.id}",
            **BoardIn.model_validate({"name": board.name,
                                      **json.loads(board.definition)}).definition()}


def visible_boards(state: AppState, principal: Principal) -> list[dict[str, Any]]:
    with session_scope(state.database_url) as session:
        rows = session.scalars(select(LiveBoard).order_by(LiveBoard.name, LiveBoard.id))
        return [board_json(b) for b in rows if _visible(principal, b)]


def get_board(state: AppState, principal: Principal, board_id: int) -> dict[str, Any]:
    if not 1 <= board_id <= MAX_INT:  # no such row (and past SQLite's integers)
        raise HTTPException(404, "no such board")
    with session_scope(state.database_url) as session:
        board = session.get(LiveBoard, board_id)
        if board is None or not _visible(principal, board):
            raise HTTPException(404, "no such board")
        return board_json(board)


def _save(state: AppState, principal: Principal, board: BoardIn) -> int:
    """Store a board. A team board of a site-bound account that names no site names the
    account's sites (the figures of its owner were cut to them anyway): it is bound to
    them, so the accounts of those sites see it (:func:`_visible`)."""
    definition = board.definition()
    scope = scope_of(principal)
    # a board cut to a tenant or site outside the account's scope shows nothing at all
    # (the scope narrows it): refused, as an alert rule for one is, not saved empty
    for key, allowed in (("tenant", scope.tenants), ("site", scope.sites)):
        outside = [v for v in definition[key] if allowed and v not in allowed]
        if outside:
            raise HTTPException(403, f"your boards are for {key} {', '.join(allowed)}, "
                                     f"not {', '.join(outside)}")
    sites = scope.sites
    if board.shared and sites and not definition["site"]:
        definition["site"] = list(sites)
    with session_scope(state.database_url) as session:
        count = len(session.scalars(select(LiveBoard.id)
                                    .where(LiveBoard.owner == principal.name)).all())
        if count >= MAX_BOARDS:
            raise HTTPException(409, f"at most {MAX_BOARDS} boards per person")
        row = LiveBoard(name=board.name, owner=principal.name, tenant=principal.tenant,
                        shared=board.shared, definition=json.dumps(definition),
                        updated_at=datetime.now(UTC))
        session.add(row)
        session.flush()
        audit(session, principal.name, "board_saved", {"id": row.id, "name": board.name})
        return row.id


@router.get("/api/v1/boards", tags=["live"], dependencies=REFUSE_UNKNOWN)
def list_boards(state: State, principal: Caller) -> dict[str, Any]:
    """Saved wallboards the caller may open: their own and their team's."""
    return {"boards": visible_boards(state, principal)}


@router.post("/api/v1/boards", tags=["live"], dependencies=REFUSE_UNKNOWN)
def create_board(state: State, principal: Caller, board: BoardIn) -> dict[str, Any]:
    """Save a wallboard; the answer carries its URL."""
    return get_board(state, principal, _save(state, principal, board))


@router.post("/wallboard/boards", include_in_schema=False)
def save_board_form(state: State, principal: Caller,
                    name: Annotated[str, Form(max_length=NAME_CHARS)],
                    shared: Annotated[str, Form(max_length=10)] = "",
                    tiles: Annotated[list[str] | None, Form()] = None,
                    tenant: Annotated[str, Form(max_length=2000)] = "",
                    site: Annotated[str, Form(max_length=2000)] = "",
                    queue: Annotated[str, Form(max_length=2000)] = "",
                    channel: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """The wallboard's "save this board" form: its filters as they are, the tiles ticked."""
    def values(text: str) -> list[str]:
        return [v.strip() for v in text.split(",") if v.strip()]

    try:
        board = BoardIn(name=name.strip() or "board", shared=bool(shared),
                        tiles=list(tiles) if tiles else list(TILES), tenant=values(tenant),
                        site=values(site), queue=values(queue), channel=values(channel))
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    board_id = _save(state, principal, board)
    return RedirectResponse(f"/wallboard?board={board_id}", status_code=303)


@router.post("/wallboard/boards/{board_id}/delete", include_in_schema=False)
def delete_board(state: State, principal: Caller, board_id: RowId) -> Response:
    """Only the owner (or an administrator) deletes a board."""
    with session_scope(state.database_url) as session:
        board = session.get(LiveBoard, board_id)
        if board is None or not _visible(principal, board):
            raise HTTPException(404, "no such board")
        if board.owner != principal.name and not principal.is_admin:
            raise HTTPException(403, "only its owner deletes a board")
        session.delete(board)
        audit(session, principal.name, "board_deleted", {"id": board_id})
    return RedirectResponse("/wallboard", status_code=303)


@router.get("/tv", response_class=HTMLResponse, include_in_schema=False)
def tv(request: Request, state: State, principal: Caller, boards: str | None = None,
       rotate: int | None = None) -> Response:
    """Full screen, dark, large type: rotates through the boards named
    (``?boards=3,5``), else every board the viewer may open, else the whole scope."""
    from omnikpi.web.routes.live import wallboard_words

    chosen: list[dict[str, Any]]
    if boards:
        try:
            ids = [int(b) for b in boards.split(",") if b.strip()][:50]
        except ValueError:
            raise HTTPException(422, "boards: a comma-separated list of board numbers") \
                from None
        chosen = [get_board(state, principal, i) for i in ids]
    else:
        chosen = visible_boards(state, principal)
    if not chosen:
        chosen = [{"id": None, "name": "", **BoardIn(name="all").definition()}]
    seconds = rotate if rotate is not None else chosen[0]["rotate_seconds"]
    return templates.TemplateResponse(request, "tv.html", {
        "filters": None, "boards": chosen, "rotate_seconds": max(5, min(3600, seconds)),
        "live": state.live is not None, "words": wallboard_words(request)})
