"""A cached dashboard is not queued behind other people's uncached dashboards.

Each dashboard computes about nine parts side by side; they waited on one thread pool of
16 shared by every request. Parts of uncached dashboards held those threads while they
waited for a report worker, and a cached dashboard's parts — answered from the cache in
milliseconds — waited behind them: 14 s behind ten uncached dashboards, a 30 s timeout
behind fifty. Here three dashboards' parts are held (their reports block), and the cached
dashboard must still answer at once."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from omnikpi.web.routes import pages

from .conftest import running_server


def test_a_cached_dashboard_answers_while_others_wait_for_workers(
        make_app: Callable[..., FastAPI], monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    held = threading.Semaphore(0)
    original = pages.report

    def slow_for_tokyo(state: Any, filters: Any, *args: Any, **kwargs: Any) -> Any:
        if filters.tz == "Asia/Tokyo":  # the uncached dashboards: a report that waits
            held.release()
            release.wait(60)
        return original(state, filters, *args, **kwargs)

    app = make_app(warm_up=False)
    with running_server(app) as base:
        def get(path: str, timeout: float) -> int:
            with urllib.request.urlopen(base + path, timeout=timeout) as answer:
                answer.read()
                return int(answer.status)

        assert get("/?tz=UTC", 120) == 200  # cached from now on
        monkeypatch.setattr(pages, "report", slow_for_tokyo)
        others = [threading.Thread(target=get, args=(f"/?tz=Asia/Tokyo&queue=q{i}", 120),
                                   daemon=True) for i in range(3)]
        try:
            for thread in others:
                thread.start()
            for _ in range(16):  # at least as many parts held as the old shared pool had
                assert held.acquire(timeout=30), "the other dashboards' parts never ran"
            # it waited until the others were released (a hang, not a slow answer)
            assert get("/?tz=UTC", 20) == 200
        finally:
            release.set()
            for thread in others:
                thread.join(60)
