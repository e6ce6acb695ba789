"""`/api/v1/*`: the same parameters and JSON as `omnikpi report --format json`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from omnikpi.auth.accounts import audit_entries
from omnikpi.docs_catalog import catalog_json
from omnikpi.store.db import session_scope
from omnikpi.web import service
from omnikpi.web.deps import FilterParams, State, ViewDep
from omnikpi.web.security import Caller, require_roles

router = APIRouter(prefix="/api/v1", tags=["api"])


@router.get("/report")
def report(state: ViewDep, filters: FilterParams) -> dict[str, Any]:
    """Rows and metric units/parameters, exactly as the CLI prints them."""
    return service.report(state, filters).to_json()


@router.get("/audit")
def audit_log(state: State, principal: Caller, limit: int = 200) -> list[dict[str, Any]]:
    """The newest audit entries (logins, failed logins, exports, keys, rules): admins."""
    require_roles(principal, "admin")
    with session_scope(state.database_url) as session:
        return [{"at": e.at, "actor": e.actor, "action": e.action, "detail": e.detail,
                 "ip": e.ip} for e in audit_entries(session, min(max(limit, 1), 1000))]


@router.get("/catalog")
def catalog(principal: Caller) -> list[dict[str, Any]]:
    """Every metric: id, name, unit, mode, tables, parameters, formula."""
    return catalog_json()


@router.get("/contacts")
def contacts(state: ViewDep, filters: FilterParams, queue: str | None = None,
             channel: str | None = None, site: str | None = None, tenant: str | None = None,
             agent_id: str | None = None, flag: str | None = None, page: int = 1,
             size: int = 50, metric: str | None = None,
             part: str = "denominator") -> dict[str, Any]:
    """The contacts behind a figure (drill-down): those in a metric's numerator or
    denominator (``metric``, ``part``), or with one of the engine's flags."""
    where = {k: v.split(",") for k, v in {"queue": queue, "channel": channel, "site": site,
                                          "tenant": tenant, "agent_id": agent_id}.items()
             if v}
    return service.contacts_page(state, filters, where, flag, page, size, metric, part)
