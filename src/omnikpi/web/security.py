"""Who is asking: session cookies for pages, bearer tokens for scripts, API keys for ingest.

``omnikpi serve --no-auth`` (single-user demo) treats every request as an administrator.
Forms sent with a session cookie carry the session's CSRF token (hidden field
``csrf_token`` or header ``X-CSRF-Token``); bearer-token and API-key requests need none,
since a browser never attaches those by itself.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from omnikpi.auth.accounts import Principal, digest, resolve_api_key, resolve_token
from omnikpi.store.db import session_scope

SESSION_COOKIE = "omnikpi_session"
LOGIN_CSRF_COOKIE = "omnikpi_login_csrf"
NO_AUTH = Principal("demo", "admin", via="none")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


class LoginRequired(Exception):
    """A page was asked for without a valid session: the app redirects to /login."""


def same_secret(given: str, expected: str) -> bool:
    """A constant-time comparison of a secret someone sent; whatever it holds (a string
    with non-ASCII characters is compared as UTF-8, not a ``TypeError``)."""
    return secrets.compare_digest(given.encode("utf-8", "surrogatepass"),
                                  expected.encode("utf-8", "surrogatepass"))


def _is_api(request: Request) -> bool:
    """Read by scripts: an unauthenticated call gets 401, not the login page."""
    return request.url.path.startswith(("/api/", "/openapi.json"))


API_KEY_MEMORY_SECONDS = 5.0
"""An ingest key found valid is remembered this long, per database: a collector posting
events a hundred times a second would otherwise cost a database lookup per post. A key
revoked in the database stops working here within this time."""
_known_keys: dict[tuple[str, str], tuple[float, Principal]] = {}
_lookup_lock = threading.Lock()


def _api_key_principal(database_url: str, session_of: Any, key: str) -> Principal | None:
    """The key's principal, from memory if it was found valid in the last few seconds."""
    remembered = (database_url, digest(key))
    known = _known_keys.get(remembered)
    if known is not None and time.monotonic() - known[0] < API_KEY_MEMORY_SECONDS:
        return known[1]
    # one lookup at a time: when the memory runs out, the ~30 posts in flight at 100
    # events/s would otherwise all open a database session for the same key at once;
    # the others wait and find it remembered
    with _lookup_lock:
        known = _known_keys.get(remembered)
        now = time.monotonic()
        if known is not None and now - known[0] < API_KEY_MEMORY_SECONDS:
            return known[1]
        with session_of() as session:
            principal = resolve_api_key(session, key)
        if principal is None:
            _known_keys.pop(remembered, None)
        else:
            if len(_known_keys) > 1000:  # many keys: forget them all rather than grow
                _known_keys.clear()
            _known_keys[remembered] = (now, principal)
        return principal


def current_principal(request: Request) -> Principal:
    state = request.app.state.omnikpi
    if not state.auth:
        # the pages read the caller from here: the single-user demo's administrator sees
        # an administrator's links (alerts, schedules, quality, data quality)
        request.state.principal = NO_AUTH
        return NO_AUTH
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    principal: Principal | None = None
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    api_key = request.headers.get("x-api-key")
    token = credentials.strip() if scheme.lower() == "bearer" else ""
    if api_key or token.startswith("ok_"):
        principal = _api_key_principal(state.database_url,
                                       lambda: session_scope(state.database_url),
                                       api_key or token)
    else:
        with session_scope(state.database_url) as session:
            if token:
                principal = resolve_token(session, token)
            else:
                cookie = request.cookies.get(SESSION_COOKIE)
                if cookie:
                    principal = resolve_token(session, cookie, "session")
    if principal is None:
        if api_key or token.startswith("ok_"):
            # an ingest client (a PBX, a script): the login hint is not for it
            raise HTTPException(401, "this API key is not valid: it was revoked or mistyped "
                                     "(omnikpi apikeys list; a new one: omnikpi apikeys add)",
                                headers={"WWW-Authenticate": "Bearer"})
        if _is_api(request) or request.method in UNSAFE:
            raise HTTPException(401, "not authenticated: log in (POST /api/v1/auth/token) "
                                     "and send Authorization: Bearer TOKEN",
                                headers={"WWW-Authenticate": "Bearer"})
        raise LoginRequired()
    if principal.via == "api_key" and not request.url.path.startswith("/api/v1/events"):
        raise HTTPException(403, "an API key may only post events (/api/v1/events)")
    request.state.principal = principal
    return principal


def still_signed_in(request: Request, principal: Principal) -> bool:
    """Whether a long request's credentials (the wallboard's stream, open for hours)
    still give the same caller: a disabled account, a changed password, role or scope
    ends it. Rights were checked only when the stream opened, so a leaver's screen kept
    receiving live data."""
    if principal.via == "none":
        return True
    request.state.principal = None
    try:
        again = current_principal(request)
    except (HTTPException, LoginRequired):
        return False
    return (again.name, again.role, again.tenant, again.sites, again.agent_id) == \
        (principal.name, principal.role, principal.tenant, principal.sites, principal.agent_id)


async def check_csrf(request: Request, principal: Principal) -> None:
    """Reject a cookie-authenticated form or request without the session's CSRF token."""
    if principal.via != "session" or request.method not in UNSAFE:
        return
    sent = request.headers.get("x-csrf-token")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded",
                                    "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not sent or not principal.csrf_token or not same_secret(sent, principal.csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and retry")


async def principal_checked(request: Request,
                            principal: Annotated[Principal, Depends(current_principal)],
                            ) -> Principal:
    await check_csrf(request, principal)
    return principal


Caller = Annotated[Principal, Depends(principal_checked)]


def require_roles(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise HTTPException(403, f"this needs the role {' or '.join(roles)}")
