"""`omnikpi serve --data DIR`: the web application on a dataset."""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from omnikpi.cli.main import app, fail
from omnikpi.errors import OmniKPIError, UsageError


@app.command()
def serve(
    data: Annotated[Path | None, typer.Option(
        help="dataset folder (default: a copy of the demo data in ./omnikpi-demo-data)")
    ] = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port (1–65535)", min=1, max=65535)] = 8000,
    no_auth: Annotated[bool, typer.Option(
        "--no-auth", help="single-user demo: no accounts, everyone is an administrator")] = False,
    tz: Annotated[str, typer.Option(help="time zone of the wallboard's day")] = "UTC",
    database_url: Annotated[str | None, typer.Option(
        help="SQLAlchemy URL (default: $OMNIKPI_DATABASE_URL or sqlite:///omnikpi.db)")] = None,
    secure_cookies: Annotated[bool, typer.Option(
        help="mark cookies Secure (behind a TLS proxy)")] = False,
    config: Annotated[Path | None, typer.Option(help="omnikpi.toml with channel modes, "
                                                     "thresholds, capacity")] = None,
    engine: Annotated[str, typer.Option(help="duckdb|spark: where every report runs")] =
    "duckdb",
    no_scheduler: Annotated[bool, typer.Option(
        "--no-scheduler", help="do not run scheduled reports here (a cron job or systemd "
                               "timer runs `omnikpi schedule run-due`)")] = False,
    no_warm_up: Annotated[bool, typer.Option(
        "--no-warm-up", help="do not compute the dashboard at start (by default it is "
                             "ready, unfiltered and by each filter, before anyone asks)")
    ] = False,
    trusted_proxies: Annotated[str | None, typer.Option(
        help="addresses or networks (comma-separated) of the reverse proxies whose "
             "X-Forwarded-For names the client; '' trusts none (default: "
             "$FORWARDED_ALLOW_IPS or 127.0.0.1)")] = None,
    log_level: Annotated[str, typer.Option(
        help="debug|info|warning|error: what the server logs on stderr (info: the "
             "warm-up, the scheduler's runs, uvicorn's start; debug: each request too)")
    ] = "warning",
) -> None:
    """Start the web application (dashboards, wallboard, /api/v1) on a dataset."""
    import uvicorn

    from omnikpi.config import load_config
    from omnikpi.web.app import create_app

    if host not in ("127.0.0.1", "localhost", "::1") and no_auth:
        typer.echo("warning: --no-auth on a public address lets anyone see every tenant",
                   err=True)
    from omnikpi.auth.accounts import FAST_HASHING_FOR_TESTS

    if os.environ.get(FAST_HASHING_FOR_TESTS) == "1":
        typer.echo(f"warning: {FAST_HASHING_FOR_TESTS}=1 stores passwords with the cheapest "
                   "Argon2 parameters (meant for test suites): unset it", err=True)
    try:
        configure_logging(log_level)
    except OmniKPIError as exc:
        fail(exc)
    if data is None:
        data = _demo_copy()
    try:
        proxy_options(trusted_proxies)  # a wrong address stops the start, by name
        check_port_free(host, port)
        application = create_app(data, load_config(config), auth_required=not no_auth,
                                 database_url=database_url, tz=tz,
                                 secure_cookies=secure_cookies, engine=engine,
                                 scheduler=not no_scheduler, warm_up=not no_warm_up)
    except OmniKPIError as exc:
        fail(exc)
    if engine == "duckdb":  # on Spark reports read the data directly
        from omnikpi.rollup.background import RollupWatcher

        state = application.state.omnikpi
        RollupWatcher(lambda: state.dataset, state.config).start()
    _quiet_garbage_collector()
    # Compiling a report is Python work that holds the GIL for ~0.2 s; a 1 ms switch
    # interval (default 5 ms) lets light requests (cached pages, the catalog) in between:
    # under 50 clients a cached dashboard's median fell from 0.45 s to 0.17 s.
    sys.setswitchinterval(0.001)
    # uvicorn logs warnings only by default: say where the pages are, once (a newcomer
    # saw nothing)
    shown_host = f"[{host}]" if ":" in host else host
    typer.echo(f"OmniKPI starting on http://{shown_host}:{port}/ — data {data}"
               + (" — no logins (--no-auth)" if no_auth else "") + " — Ctrl-C stops it",
               err=True)
    # requests still open 5 s after SIGTERM are cancelled; running queries are interrupted
    uvicorn.run(application, host=host, port=port, log_level=log_level.lower(),
                access_log=log_level.lower() == "debug",
                timeout_graceful_shutdown=5, **proxy_options(trusted_proxies))


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stderr`` as it is at each record (as Python's last-resort handler
    does), not the stream of the moment the handler was made."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


LOG_LEVELS = ("debug", "info", "warning", "error")
_HANDLER_NAME = "omnikpi-serve"


def configure_logging(level: str) -> None:
    """The ``omnikpi`` loggers (``omnikpi.web``'s warm-up, the scheduler, the live feed) at
    ``level``, written to stderr: uvicorn configures its own loggers only, so the server's
    INFO lines the docs quote ("dashboard warmed up in … s") were never shown, whatever
    anyone did. stdout stays the program's output."""
    name = level.strip().lower()
    if name not in LOG_LEVELS:
        raise UsageError(f"--log-level {level!r}: choose one of {', '.join(LOG_LEVELS)}")
    logger = logging.getLogger("omnikpi")
    logger.setLevel(name.upper())
    if not any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
        handler = _StderrHandler()
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(logging.Formatter("%(levelname)-9s %(name)s: %(message)s"))
        logger.addHandler(handler)


def check_port_free(host: str, port: int) -> None:
    """A usage error when another program listens on the port: the server loaded the whole
    dataset, said "starting", then uvicorn stopped with exit code 3 (bad data, to the
    contract) and its own message."""
    import socket

    try:
        with socket.create_server((host, port)):  # SO_REUSEADDR, as uvicorn binds
            pass
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise UsageError(f"cannot listen on {host} port {port}: {reason} "
                         "(another program — another OmniKPI? — uses it: choose --port)"
                         ) from None


def proxy_options(trusted_proxies: str | None) -> dict[str, Any]:
    """uvicorn's options for the client address: the login limits and the audit log key on
    it, so only a proxy named here may set it with X-Forwarded-For. ``None``: uvicorn's
    default (``$FORWARDED_ALLOW_IPS``, else the server's own machine); ``""``: nobody, the
    connection's own address always (a server reached directly, on a machine shared with
    other users who could otherwise claim any address)."""
    if trusted_proxies is None:
        return {}
    names = [name.strip() for name in trusted_proxies.split(",") if name.strip()]
    for name in names:
        if name == "*":
            continue
        try:
            ipaddress.ip_network(name, strict=False)
        except ValueError:
            raise UsageError(f"--trusted-proxies: {name!r} is not an address or a network "
                             "(e.g. 10.0.0.5 or 10.0.0.0/24)") from None
    if not names:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": names}


def _quiet_garbage_collector() -> None:
    """Keep Python's full garbage collections short and rare in a long-running server.

    The app's start (metric declarations, Ibis and sqlglot, the loaded dataset) leaves
    millions of long-lived objects that every full collection walks again: measured
    under 200 wallboards at 100 events/s, collections of 0.2–0.46 s every few seconds,
    each stalling the event loop, the ingest and the snapshot at once (a quarter of the
    events' p95 latency). What exists at start is frozen out of the collector, and
    collections run ~15× less often."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _demo_copy() -> Path:
    """The bundled demo data copied to a working folder: the server writes into its dataset
    folder (live events, QA evaluations), never into the installed package."""
    import shutil

    from omnikpi.demo import DEMO_DATA_DIR

    target = Path("omnikpi-demo-data")
    if not target.exists():
        shutil.copytree(DEMO_DATA_DIR, target)
        typer.echo(f"demo data copied to {target}/", err=True)
    return target
