"""Whose X-Forwarded-For names the client (``omnikpi serve --trusted-proxies``).

The login limits (20 failures from one address lock it) and the audit log key on the
client's address. uvicorn believes the header from the server's own machine by default —
right behind a local reverse proxy, wrong on a machine shared with other users, any of
whom could then claim any address. Each server here is the real uvicorn with the options
``omnikpi serve`` gives it; a failed login is sent claiming 203.0.113.9 from 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from omnikpi.auth.accounts import audit_entries
from omnikpi.cli.main import app as cli
from omnikpi.cli.serve import proxy_options
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.store.db import session_scope
from tests.web.conftest import running_server

CLAIMED = "203.0.113.9"


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    return make_app(DEMO_DATA_DIR, auth_required=True, live_updates=False, scheduler=False)


@pytest.mark.parametrize(("trusted", "recorded"), [
    (None, CLAIMED),  # uvicorn's default: the proxy on this machine is believed
    ("", "127.0.0.1"),  # nobody: the connection's own address
    ("10.0.0.0/8", "127.0.0.1"),  # a proxy elsewhere; this connection is not it
    ("10.0.0.0/8, 127.0.0.1", CLAIMED),
])
def test_only_a_trusted_proxy_names_the_client(app: FastAPI, trusted: str | None,
                                               recorded: str) -> None:
    with running_server(app, **proxy_options(trusted)) as url:
        answer = httpx.post(f"{url}/api/v1/auth/token",
                            data={"username": "nobody", "password": "wrong"},
                            headers={"X-Forwarded-For": CLAIMED}, timeout=30)
    assert answer.status_code == 401
    with session_scope(app.state.omnikpi.database_url) as session:
        newest = audit_entries(session, limit=1)
    assert [(e.action, e.ip) for e in newest] == [("login_failed", recorded)]


def test_a_proxy_that_is_no_address_stops_the_start_by_name(tmp_path: Path) -> None:
    done = CliRunner().invoke(cli, ["serve", "--data", str(DEMO_DATA_DIR),
                                    "--database-url", f"sqlite:///{tmp_path / 'app.db'}",
                                    "--trusted-proxies", "10.0.0.5, proxy.local"])
    assert done.exit_code == 2
    assert "--trusted-proxies: 'proxy.local' is not an address or a network" in \
        " ".join(done.output.split())
