"""The HTTP API's reference at ``/docs``: Swagger UI served from a Python package.

FastAPI's own ``/docs`` and ``/redoc`` load Swagger UI and ReDoc from a CDN, which a
contact center's network (and this project's rule: no internet at run time) does not
reach, and the pages' Content-Security-Policy blocks anyway; they were also open to
anyone. Here the reference and the schema it reads (``/openapi.json``) are for signed-in
callers, the script and style come from the ``fastapi-offline`` package, and "Try it
out" sends the session's CSRF token, so a request runs as the reader, within their scope.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from omnikpi.web.security import Caller
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)

SWAGGER_FILES = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS = {"swagger-ui-bundle.js": "application/javascript", "swagger-ui.css": "text/css"}
"""The only files of the package the page needs (the whitelist of ``/docs/assets``)."""


@router.get("/openapi.json")
def openapi_schema(request: Request, principal: Caller) -> JSONResponse:
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


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
