"""What the web service writes to the audit log when someone takes data out.

Exports and recordings are the ways rows about customers and agents leave the service:
an administrator asked "who downloaded the contact list of March?" must find the answer
in ``/api/v1/audit``. Written only once the thing was really handed over, so a refused
request is not mistaken for a download.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from omnikpi.auth.accounts import audit
from omnikpi.store.db import session_scope
from omnikpi.web.deps import View


def record_taken(request: Request, view: View, action: str, detail: dict[str, Any]) -> None:
    """One audit entry: the caller, the action, what it was, the caller's address."""
    record(request, view.state.database_url, view.principal.name, action, detail)


def record(request: Request, database_url: str | None, actor: str, action: str,
           detail: dict[str, Any]) -> None:
    """The same for a page that reads no dataset (the audit log's own download)."""
    with session_scope(database_url) as session:
        audit(session, actor, action, detail,
              request.client.host if request.client else None)
