"""Apps for the web tests: each on the demo data with its own fresh SQLite database."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.web.app import create_app


@pytest.fixture(scope="module")
def make_app(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., FastAPI]:
    """``make_app(**options)``: the demo app, no accounts unless ``auth_required=True``."""

    def build(data: Path = DEMO_DATA_DIR, **options: Any) -> FastAPI:
        folder = tmp_path_factory.mktemp("db")
        options.setdefault("auth_required", False)
        options.setdefault("database_url", f"sqlite:///{folder / 'omnikpi.db'}")
        return create_app(data, **options)

    return build


@contextmanager
def running_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free localhost port; yield its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
