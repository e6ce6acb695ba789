"""``GET /healthz``, the probe a load balancer or a monitoring check asks: 200 when the
server can work, 503 naming the part that cannot by a word, without a login and without
a word of the data or of the error (a host, a path, a database user)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.store.db import upgrade


@pytest.fixture()
def app(make_app: Callable[..., FastAPI], tmp_path: Path) -> Iterator[FastAPI]:
    data = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    application = make_app(data, auth_required=True, live_updates=False, scheduler=False)
    kept = application.state.omnikpi.database_url
    yield application
    application.state.omnikpi.database_url = kept


def _probe(app: FastAPI) -> tuple[int, dict[str, str], str]:
    with TestClient(app) as anonymous:
        answer = anonymous.get("/healthz")
    assert answer.headers["cache-control"] == "no-store"
    return answer.status_code, answer.json(), answer.text


def test_a_well_server_answers_ok_to_anyone(app: FastAPI) -> None:
    assert _probe(app)[:2] == (200, {"status": "ok", "version": omnikpi.__version__,
                                     "database": "ok", "data": "ok"})


def test_each_failing_part_is_named_by_a_word(app: FastAPI, tmp_path: Path) -> None:
    state = app.state.omnikpi
    state.database_url = f"sqlite:///{tmp_path / 'gone' / 'app.db'}"
    status, body, _ = _probe(app)
    assert (status, body["status"], body["database"]) == (503, "unavailable", "missing")
    assert not (tmp_path / "gone").exists()  # asking did not create it
    older = f"sqlite:///{tmp_path / 'older.db'}"
    upgrade(older, revision="0009")
    state.database_url = older
    assert _probe(app)[1]["database"] == "outdated"
    state.database_url = "postgresql+psycopg://omnikpi:s3cret@127.0.0.1:1/omnikpi"
    status, body, text = _probe(app)
    assert (status, body["database"], body["data"]) == (503, "unreachable", "ok")
    assert "s3cret" not in text and "127.0.0.1" not in text


def test_a_data_folder_gone_is_unreadable(app: FastAPI) -> None:
    state = app.state.omnikpi
    moved = state.data_path.with_name("moved")
    state.data_path.rename(moved)
    try:
        status, body, text = _probe(app)
    finally:
        moved.rename(state.data_path)
    assert (status, body["database"], body["data"]) == (503, "ok", "unreadable")
    assert str(state.data_path) not in text
