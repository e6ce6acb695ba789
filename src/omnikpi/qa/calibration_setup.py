"""Setting up a calibration session: contacts found by agent, queue and date instead of
typed ids, and the people who may be invited to score them — supervisors whose scope
covers the contacts' sites, and the client's quality lead (a client account) of their
tenant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnikpi.auth.accounts import principal_of
from omnikpi.auth.scope import scope_of
from omnikpi.engine.backends import backend_for
from omnikpi.engine.run import parse_instant
from omnikpi.engine.timezones import to_datetime
from omnikpi.errors import UsageError
from omnikpi.qa.risk_sampling import handled_contacts
from omnikpi.qa.store import EVALUATOR_ROLES
from omnikpi.request import check_sql_text
from omnikpi.schema.dataset import Dataset
from omnikpi.store.models import User

INVITABLE_ROLES = ("admin", "supervisor", "client")
SHOWN_COLUMNS = ("contact_id", "agent_id", "queue", "channel", "site", "tenant",
                 "arrived_at", "handle_s")


@dataclass(frozen=True)
class Place:
    tenant: str | None
    site: str | None


def find_contacts(dataset: Dataset, agent: str = "", queue: str = "", from_: str = "",
                  to: str = "", tz: str = "UTC", limit: int = 50) -> list[dict[str, Any]]:
    """Handled contacts of the caller's (scoped) dataset matching the search, newest
    first: what a calibration session can be made of."""
    dataset.require("contacts", "calibration")
    check_sql_text("agent", agent)  # compared as SQL text: a NUL ended DuckDB's literal
    check_sql_text("queue", queue)
    handled = handled_contacts(dataset)
    if agent.strip():
        handled = handled.filter(handled.agent_id == agent.strip())
    if queue.strip():
        handled = handled.filter(handled.queue == queue.strip())
    start = parse_instant(from_ or None, tz, "from")
    end = parse_instant(to or None, tz, "to")
    if start is not None:
        handled = handled.filter(handled.arrived_at >= start)
    if end is not None:
        handled = handled.filter(handled.arrived_at < end)
    chosen = handled.select(*SHOWN_COLUMNS).order_by(
        handled.arrived_at.desc(), handled.contact_id).limit(limit)
    frame = backend_for("duckdb", dataset).execute(chosen)
    rows: list[dict[str, Any]] = frame.to_dict("records")
    for row in rows:
        row["arrived_at"] = to_datetime(int(row["arrived_at"])).isoformat(timespec="minutes")
    return rows


def places(rows: Iterable[dict[str, Any]]) -> set[Place]:
    return {Place(r.get("tenant"), r.get("site")) for r in rows}


def _may_score(user: User, where: set[Place]) -> bool:
    """Whether ``user`` may score contacts in every one of ``where``."""
    if user.disabled or user.role not in INVITABLE_ROLES:
        return False
    if user.role == "client":
        return bool(user.tenant) and all(p.tenant == user.tenant for p in where)
    scope = scope_of(principal_of(user))
    return all(scope.unbounded or scope.allows(p.tenant, p.site) for p in where)


def may_take_queue(session: Session, name: str, where: set[Place]) -> bool:
    """Whether the account ``name`` may work through a sample's queue of contacts at
    ``where``: an administrator, or a supervisor whose tenant and sites cover them (a
    client account scores calibrations only), enabled."""
    user = session.scalars(select(User).where(User.username == name)).first()
    return user is not None and user.role in EVALUATOR_ROLES and _may_score(user, where)


def invitable(session: Session, where: set[Place]) -> list[User]:
    """Accounts that may be invited to score contacts at ``where``: administrators,
    supervisors whose tenant and sites cover them, client accounts of their tenant."""
    users = session.scalars(select(User).order_by(User.role, User.username))
    return [u for u in users if _may_score(u, where)]


def check_invited(session: Session, names: list[str], where: set[Place]) -> None:
    """Every invited evaluator is an account that may score the chosen contacts."""
    users = {u.username: u for u in session.scalars(select(User).where(
        User.username.in_(names)))}
    unknown = [n for n in names if n not in users]
    if unknown:
        raise UsageError(f"no account named {', '.join(unknown[:5])}: invite evaluators "
                         "from the list")
    refused = [n for n in names if not _may_score(users[n], where)]
    if refused:
        raise UsageError(f"{', '.join(refused[:5])} may not see these contacts: invite "
                         "supervisors of their site or the client's quality lead")


def common_tenant(where: set[Place]) -> str | None:
    tenants = {p.tenant for p in where}
    return next(iter(tenants)) if len(tenants) == 1 else None
