"""A tenant's own login and an administrator filtering that tenant get the same numbers.

A scoped viewer used to read its own clock (the latest event among its own rows): when
its last contact came hours before the center's, FCR windows that had elapsed for the
center were cut short for the client, and transactions per hour divided by its own span
while an administrator's ``tenant=`` filter divided by the whole center's.

Hand arithmetic (UTC; FCR window 23 h, voice, every contact answered and handled):

    alpha  a1  customer X  ended 03-04 08:05  → window to 03-05 07:05; a2 (X, arrived
                                                03-05 07:00) repeats it: unresolved
           a3  customer Y  ended 03-04 09:10  → window to 03-05 08:10: resolved
           a4  customer Z  ended 03-04 22:35  → window to 03-05 21:35
           a2  customer X  ended 03-05 07:05  → window to 03-06 06:05 (not elapsed)
           a5  customer W  ended 03-05 16:00  → alpha's last event
    beta   b1  customer V  ended 03-05 21:46  → the center's last event

At the center's as-of (21:46) a4's window has elapsed: FCR = resolved {a3, a4} /
questions {a1, a3, a4} = 2/3. At alpha's own clock (16:00) it had not: 1/2.
Transactions per hour of alpha: 5 handled / (first end 03-04 08:05 → last end
03-05 16:00 = 31 h 55 min) = 5 / 31.9167 h.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.accounts import create_user
from omnikpi.store.db import session_scope
from tests.builders import call, dataset

PASSWORD = "plum tractor velvet"


def _contact(cid: str, tenant: str, customer: str, arrived: str, ended: str) -> dict[str, str]:
    row = call(cid, f"2024-03-{arrived}:00Z", answered=f"2024-03-{arrived}:10Z",
               ended=f"2024-03-{ended}:00Z", tenant=tenant, customer_id=customer)
    return {k: v for k, v in row.items() if v is not None}


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = dataset(tmp_path_factory.mktemp("clock") / "data", contacts=[
        _contact("a1", "alpha", "X", "04T08:00", "04T08:05"),
        _contact("a3", "alpha", "Y", "04T09:00", "04T09:10"),
        _contact("a4", "alpha", "Z", "04T22:30", "04T22:35"),
        _contact("a2", "alpha", "X", "05T07:00", "05T07:05"),
        _contact("a5", "alpha", "W", "05T15:55", "05T16:00"),
        _contact("b1", "beta", "V", "05T21:40", "05T21:46"),
    ])
    application = make_app(folder, auth_required=True, scheduler=False, live_updates=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "root", PASSWORD, "admin")
        create_user(session, "alpha-viewer", PASSWORD, "client", tenant="alpha")
    return application


def _as(app: FastAPI, user: str) -> TestClient:
    client = TestClient(app)
    token = client.post("/api/v1/auth/token",
                        data={"username": user, "password": PASSWORD}).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


QUERY = {"metrics": "fcr,transactions_per_hour,handled", "param": "fcr.window_hours=23"}


def test_a_tenant_login_reads_the_center_s_clock(app: FastAPI) -> None:
    mine = _as(app, "alpha-viewer").get("/api/v1/report", params=QUERY)
    filtered = _as(app, "root").get("/api/v1/report", params={**QUERY, "tenant": "alpha"})
    assert mine.status_code == filtered.status_code == 200, (mine.text, filtered.text)
    expected = {"fcr": pytest.approx(2 / 3), "handled": 5,
                "transactions_per_hour": pytest.approx(5 / (31 + 55 / 60))}
    assert mine.json()["rows"] == [expected]
    assert filtered.json()["rows"] == [expected]


def test_the_center_s_own_transactions_per_hour_span_all_its_handled_contacts(
        app: FastAPI) -> None:
    """6 handled / (03-04 08:05 → 03-05 21:46 = 37 h 41 min)."""
    everyone = _as(app, "root").get("/api/v1/report", params=QUERY).json()["rows"]
    assert everyone == [{"fcr": pytest.approx(2 / 3), "handled": 6,
                         "transactions_per_hour": pytest.approx(6 / (37 + 41 / 60))}]
