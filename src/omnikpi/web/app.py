"""The FastAPI application: `omnikpi serve --data DIR` starts it on one loaded dataset."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from omnikpi.config import Config
from omnikpi.errors import DataError, OmniKPIError, UsageError
from omnikpi.schema.dataset import load_dataset
from omnikpi.web.deps import AppState
from omnikpi.web.i18n import LANGUAGES
from omnikpi.web.routes import agents, api, builder, pages

STATIC = Path(__file__).resolve().parent / "static"


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """Plotly's JavaScript from the Python package: no CDN, works offline."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def create_app(data: Path, config: Config | None = None,
               reports_dir: Path | None = None) -> FastAPI:
    app = FastAPI(title="OmniKPI", version="0.1.0",
                  description="Contact-center KPIs with exact, documented definitions.")
    app.state.omnikpi = AppState(load_dataset(data), config or Config(),
                                 reports_dir or Path("reports"))

    @app.exception_handler(OmniKPIError)
    async def omnikpi_error(request: Request, exc: OmniKPIError) -> JSONResponse:
        status = 400 if isinstance(exc, UsageError) else 422 if isinstance(exc, DataError) \
            else 500
        return JSONResponse({"detail": str(exc)}, status_code=status)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly() -> Response:
        return Response(plotly_js(), media_type="application/javascript",
                        headers={"Cache-Control": "max-age=86400"})

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(builder.router)
    app.include_router(agents.router)

    @app.middleware("http")
    async def remember_language(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        lang = request.query_params.get("lang")
        if lang in LANGUAGES:
            response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
        return response
    return app
