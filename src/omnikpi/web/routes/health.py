"""``GET /healthz``: whether this server can do its work — for a load balancer, a
container's probe, systemd or a monitoring check.

It answers without a login (a probe has none) and so says nothing of the data: the
status, the version, and which part is not well, by a word — never an error's text, which
could name a host, a path or a database user. 200 when everything is well, 503 otherwise
(a balancer then sends people to another server).
"""

from __future__ import annotations

import os

from fastapi import APIRouter
from fastapi.responses import JSONResponse

import omnikpi
from omnikpi.store.db import database_state
from omnikpi.web.deps import AppState, State

router = APIRouter()


def _database(state: AppState) -> str:
    """``ok``; ``outdated`` when a migration waits (``omnikpi db upgrade``), ``missing``
    when its SQLite file is gone; ``unreachable`` when the database does not answer."""
    try:
        return database_state(state.database_url)
    except Exception:  # a probe reports what it found, it does not fail
        return "unreachable"


def _data(state: AppState) -> str:
    """``ok`` when the dataset folder is there and readable (a network share gone away
    makes every report fail), ``unreadable`` otherwise."""
    path = state.data_path
    return "ok" if path.is_dir() and os.access(path, os.R_OK | os.X_OK) else "unreadable"


@router.get("/healthz", tags=["ops"])
def health(state: State) -> JSONResponse:
    """``{"status": "ok", "version": …, "database": "ok", "data": "ok"}``; 503 with
    ``"status": "unavailable"`` and the word of the part that failed."""
    checks = {"database": _database(state), "data": _data(state)}
    well = all(word == "ok" for word in checks.values())
    return JSONResponse({"status": "ok" if well else "unavailable",
                         "version": omnikpi.__version__, **checks},
                        status_code=200 if well else 503,
                        headers={"Cache-Control": "no-store"})
