"""`omnikpi serve --data DIR`: the web application on a dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from omnikpi.cli.main import app, fail
from omnikpi.errors import OmniKPIError


@app.command()
def serve(
    data: Annotated[Path, typer.Option(help="dataset folder")] = Path("src/omnikpi/demo/data"),
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    reports: Annotated[Path, typer.Option(help="folder for saved report definitions")] = Path(
        "reports"),
) -> None:
    """Start the web application (dashboards and /api/v1) on a dataset."""
    import uvicorn

    from omnikpi.web.app import create_app

    try:
        application = create_app(data, reports_dir=reports)
    except OmniKPIError as exc:
        fail(exc)
    uvicorn.run(application, host=host, port=port, log_level="warning")
