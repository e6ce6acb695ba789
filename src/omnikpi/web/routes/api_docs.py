"""The HTTP API's reference at ``/docs``: Swagger UI served from a Python package.

FastAPI's own ``/docs`` and ``/redoc`` load Swagger UI and ReDoc from a CDN, which a
contact center's network (and this project's rule: no internet at run time) does not
reach, and the pages' Content-Security-Policy blocks anyway; they were also open to
anyone. Here the reference and the schema it reads (``/openapi.json``) are for signed-in
callers, the script and style come from the ``fastapi-offline`` package, and "Try it
out" sends the session's CSRF token, so a request runs as the reader, within their scope.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from omnikpi.web.security import SESSION_COOKIE, Caller
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)

SWAGGER_FILES = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS = {"swagger-ui-bundle.js": "application/javascript", "swagger-ui.css": "text/css"}
"""The only files of the package the page needs (the whitelist of ``/docs/assets``)."""


ERROR_SCHEMA = {"title": "Error", "type": "object", "required": ["detail"],
                "properties": {"detail": {"title": "Detail", "type": "string"}}}
"""The body of every refusal but FastAPI's own 422: ``{"detail": "…"}``, one sentence."""

SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "A token from `POST /api/v1/auth/token` (valid 8 hours): "
                              "`Authorization: Bearer TOKEN`."},
    "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                "description": "The browser's session after signing in at `/login` (this "
                               "reference's \"Try it out\" uses it); a POST, PUT or DELETE "
                               "sent with it also carries the session's CSRF token as "
                               "`X-CSRF-Token`."},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
               "description": "An ingest key (`omnikpi apikeys add`), also accepted as "
                              "`Authorization: Bearer ok_…`: it may only post events "
                              "(`POST /api/v1/events`); anywhere else it is a 403."},
}
"""How a caller is known (``web/security.py``); every route also runs without any on a
server started with ``--no-auth``."""

API_KEY_PATHS = ("/api/v1/events",)
"""Where an API key is accepted (``security.current_principal``)."""
PUBLIC = {("post", "/api/v1/auth/token")}
"""Operations that need no credentials: the login itself."""
BEARER_ONLY = {("delete", "/api/v1/auth/token")}
"""Operations that read the bearer token itself (revoking it)."""
POOLED = ("/api/v1/report", "/api/v1/drill", "/api/v1/contacts")
"""Operations that run on the report pool: a 503 with ``Retry-After`` when it is full."""
LIVE = ("/api/v1/live", "/api/v1/events")
"""Operations of the real-time hub: a 503 on a server that runs without it."""

REFUSALS = {
    400: "Bad input (an unknown metric, a bad date, a one-value parameter given twice "
         "with different values …): `detail` names the problem.",
    401: "Not signed in: no credentials, or an expired, revoked or mistyped token or key "
         "(the token route: a wrong user name or password).",
    403: "Signed in, but not allowed: the role cannot, an API key outside "
         "`/api/v1/events`, or a session's form without its CSRF token.",
    404: "No such item (or not one the caller may see).",
    413: "The request body is larger than the server takes "
         "(`OMNIKPI_WEB_MAX_BODY_BYTES`).",
    429: "Too many failed sign-ins: wait `Retry-After` seconds.",
    503: "Busy (every report worker taken: retry after `Retry-After` seconds), or the "
         "real-time monitoring is off on this server.",
}


def _refusals(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    """The statuses other than 200 and 422 that ``operation`` answers with."""
    secured = (method, path) not in PUBLIC
    codes = [400]  # a usage error, or a one-value parameter given twice (every route)
    if secured or path == "/api/v1/auth/token":
        codes.append(401)
    if secured:
        codes.append(403)
    if "{" in path:
        codes.append(404)
    if "requestBody" in operation:
        codes.append(413)
    if (method, path) in PUBLIC:
        codes.append(429)
    if path in POOLED or path.startswith(LIVE):
        codes.append(503)
    return codes


def _security(method: str, path: str) -> list[dict[str, list[str]]]:
    if (method, path) in PUBLIC:
        return []
    if (method, path) in BEARER_ONLY:
        return [{"bearer": []}]
    usual: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
    return [{"apiKey": []}, *usual] if path.startswith(API_KEY_PATHS) else usual


def documented(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's schema of the app with what it cannot see: how the API is signed in to
    (its security schemes, and which each operation takes) and the refusals each operation
    answers with, in the ``{"detail": …}`` they are sent as (only 200 and 422 were
    declared, and nothing said that a token was needed)."""
    schema = copy.deepcopy(schema)
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            operation["security"] = _security(method, path)
            responses = operation.setdefault("responses", {})
            for code in _refusals(method, path, operation):
                responses.setdefault(str(code), {
                    "description": REFUSALS[code],
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}})
            if path in POOLED and "422" in responses:
                responses["422"] = DATA_REFUSAL
    return schema


DATA_REFUSAL = {
    "description": "Parameters FastAPI cannot read (`detail`: a list of problems), or data "
                   "that cannot give the figure — a table the metric needs is missing or "
                   "unusable (`detail`: one sentence naming it).",
    "content": {"application/json": {"schema": {"anyOf": [
        {"$ref": "#/components/schemas/HTTPValidationError"},
        {"$ref": "#/components/schemas/Error"}]}}},
}
"""The 422 of the routes that compute figures: FastAPI declared only its own list, and a
client generated from the schema failed on a data error's sentence."""


@router.get("/openapi.json")
def openapi_schema(request: Request, principal: Caller) -> JSONResponse:
    return JSONResponse(documented(request.app.openapi()))


@router.get("/docs")
def api_reference(request: Request, principal: Caller) -> Response:
    return templates.TemplateResponse(request, "api_docs.html", {"filters": None})


@router.get("/docs/assets/{name}")
def swagger_asset(name: str) -> Response:
    """Swagger UI's script and style (cached for a day: they change with the package)."""
    if name not in ASSETS:
        raise HTTPException(404, "no such file")
    return FileResponse(SWAGGER_FILES / name, media_type=ASSETS[name],
                        headers={"Cache-Control": "public, max-age=86400"})
