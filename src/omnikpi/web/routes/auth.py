"""Logging in and out: the login page (session cookie) and the OAuth2 password flow
(``POST /api/v1/auth/token``) for scripts."""

from __future__ import annotations

import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from omnikpi.auth.accounts import (
    BEARER_HOURS,
    SESSION_HOURS,
    TooManyAttempts,
    audit,
    authenticate,
    issue_token,
    revoke_token,
    user_count,
)
from omnikpi.store.db import session_scope
from omnikpi.web.deps import State
from omnikpi.web.known_params import REFUSE_UNKNOWN
from omnikpi.web.limits import NAME_CHARS
from omnikpi.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Caller, same_secret
from omnikpi.web.templating import templates

router = APIRouter()


def _ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.omnikpi.secure_cookies


def _safe_next(target: str | None) -> str:
    """Only a local path: a login link must not send people to another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


WRONG_PASSWORD = "wrong user name or password"
TOO_MANY = "too many failed logins; try again in {seconds} s"
_TOO_MANY = re.compile(r"too many failed logins; try again in (?P<seconds>\d+) s")


def _login_error(request: Request, error: str | None) -> str | None:
    """The login page's message in the page's language; only the page's own messages are
    shown (a link cannot make the login page say something else)."""
    from omnikpi.web.i18n import choose_language, translator

    if not error:
        return None
    _ = translator(choose_language(request))
    found = _TOO_MANY.fullmatch(error)
    said = _(TOO_MANY).format(seconds=found.group("seconds")) if found else _(WRONG_PASSWORD)
    return said[:1].upper() + said[1:]  # a sentence of its own on the page


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, state: State, next: str = "/",
               error: str | None = None) -> Response:
    return _login_form(request, state, next, error)


def _login_form(request: Request, state: State, next: str, error: str | None,
                username: str = "") -> Response:
    """The login page; after a refused login, with the name typed (never the password)."""
    token = secrets.token_urlsafe(24)
    with session_scope(state.database_url) as session:
        empty = user_count(session) == 0
    response = templates.TemplateResponse(request, "login.html", {
        "login_csrf": token, "next": _safe_next(next), "error": _login_error(request, error),
        "no_users": empty, "username": username})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=_secure(request), max_age=3600)
    return response


@router.post("/login", include_in_schema=False)
def login(request: Request, state: State,
          username: Annotated[str, Form(max_length=NAME_CHARS)],
          password: Annotated[str, Form()], csrf_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/") -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not same_secret(csrf_token, expected):
        raise HTTPException(403, "the login form expired: reload the page and retry")
    try:
        with session_scope(state.database_url) as session:
            user = authenticate(session, username, password, _ip(request))
            token = issue_token(session, user, "session")[0] if user else None
    except TooManyAttempts as exc:
        page = _login_form(request, state, next, TOO_MANY.format(seconds=exc.retry_after),
                           username)
        page.status_code = 429
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if token is None:
        # the page itself, the name kept (a redirect to /login?error= emptied it)
        page = _login_form(request, state, next, WRONG_PASSWORD, username)
        page.status_code = 401
        # a 401 names how to authenticate (RFC 9110): scripts take a bearer token from
        # /api/v1/auth/token; a browser shows no dialog for this scheme
        page.headers["WWW-Authenticate"] = 'Bearer realm="OmniKPI"'
        return page
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=_secure(request), max_age=SESSION_HOURS * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def _bearer(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    token = credentials.strip()
    return token if scheme.lower() == "bearer" and token and not token.startswith("ok_") \
        else None


@router.post("/logout", include_in_schema=False)
def logout(request: Request, state: State, principal: Caller) -> Response:
    """End the browser session, and the bearer token the request carries (a script's
    logout kept its token working for its whole 8 hours)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    bearer = _bearer(request)
    with session_scope(state.database_url) as session:
        for token in (cookie, bearer):
            if token:
                revoke_token(session, token)
        audit(session, principal.name, "logout", {}, _ip(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.delete("/api/v1/auth/token", tags=["auth"], dependencies=REFUSE_UNKNOWN)
def revoke(request: Request, state: State, principal: Caller) -> JSONResponse:
    """Revoke the bearer token this request is sent with (a script done with it, a token
    that leaked): it stops working at once."""
    bearer = _bearer(request)
    if bearer is None:
        raise HTTPException(400, "send the token to revoke as Authorization: Bearer TOKEN")
    with session_scope(state.database_url) as session:
        revoke_token(session, bearer)
        audit(session, principal.name, "token_revoked", {}, _ip(request))
    return JSONResponse({"revoked": True})


@router.post("/api/v1/auth/token", tags=["auth"], dependencies=REFUSE_UNKNOWN)
def token(request: Request, state: State,
          username: Annotated[str, Form(max_length=NAME_CHARS)],
          password: Annotated[str, Form()]) -> JSONResponse:
    """OAuth2 password flow: form fields ``username`` and ``password``; the returned bearer
    token is valid for 8 hours on every ``/api/v1/*`` route, and says so in seconds
    (``expires_in``, RFC 6749 §5.1) so that a script renews it before it runs out."""
    if not state.auth:
        raise HTTPException(400, "this server runs with --no-auth: no token is needed")
    try:
        with session_scope(state.database_url) as session:
            user = authenticate(session, username, password, _ip(request))
            issued = issue_token(session, user, "bearer")[0] if user else None
    except TooManyAttempts as exc:
        raise HTTPException(429, str(exc),
                            headers={"Retry-After": str(exc.retry_after)}) from None
    if issued is None:
        raise HTTPException(401, "wrong user name or password",
                            headers={"WWW-Authenticate": "Bearer"})
    return JSONResponse({"access_token": issued, "token_type": "bearer",
                         "expires_in": BEARER_HOURS * 3600},
                        headers={"Cache-Control": "no-store"})
