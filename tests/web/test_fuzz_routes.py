"""Random values for every parameter of every route: never a 500, never a traceback.

The routes and their parameters (path, query, form fields, JSON models) are read from the
app itself, so a new route or parameter is fuzzed without touching this file. Each is sent
hostile values — huge, negative, NaN and infinite numbers, far dates, empty strings,
unicode, control characters, NUL, very long strings, ``../`` paths, SQL fragments — mixed
with plausible ones (so that a request gets past its first check), as an administrator and
as tenant A's supervisor.

The budget is small and fixed (``derandomize``: the same requests every run, so the suite
never turns red by luck); ``OMNIKPI_FUZZ_EXAMPLES=200`` explores more, with fresh random
requests. Every bug found so far is pinned by ``test_found_bugs_stay_fixed``.
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, get_args
from urllib.parse import quote, urlencode

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from omnikpi.auth.accounts import create_user
from omnikpi.metrics.base import all_metrics
from omnikpi.schema.tables import TABLES
from omnikpi.store.db import session_scope
from omnikpi.store.models import ALERT_KINDS
from tests.web.conftest import bearer_client, log_in
from tests.web.tenants import write_two_tenants

PASSWORD = "fuzzing-password-1"
EXPLORE = os.environ.get("OMNIKPI_FUZZ_EXAMPLES")
EXAMPLES_PER_ROUTE = int(EXPLORE or "3")
"""Random requests per route, method and role."""
READ_LIMIT = 4 * 1024 * 1024
URL_CHARS = 60_000
"""What httpx sends in one URL (servers take less: uvicorn reads 16 kB of headers)."""

# -- values ---------------------------------------------------------------------------------

NUMBERS = [
    "0", "-1", "1", "2147483648", "-2147483649", "9223372036854775808", "1" + "0" * 400,
    "1e308", "1e999", "-1e999", "1e18", "nan", "NaN", "inf", "-inf", "Infinity", "0.5", "-0.0",
    "1e-320", "0x10", "1_000", "",
]
HOSTILE = [
    *NUMBERS, " ", "99999-01-01", "0001-01-01", "9999-12-31T23:59:59Z", "1900-01-01",
    "2199-12-31T23:59:59+14:00", "2026-02-30", "2026-11-02T09:00:00Z", "24:00", "P1D",
    "2026-11-02T09:00:00.123456789+05:30", "../../../../etc/passwd", "..", "./", "/",
    "//evil.example", "%2e%2e%2f", "C:\\Windows", "' OR '1'='1", "'; DROP TABLE users; --",
    '"); SELECT 1; --', 'a"b', "1; ATTACH 'x' AS y", "\x00", "a\x00b", "\r\n", "\t",
    "\x1b[31m", "\u202e", "\ufeff", "🙂", "İ", "<script>alert(1)</script>", "{{7*7}}",
    "${jndi:ldap://x}", "%s%n", ",", ",,,", "a,b,", "=", "a=b", "x.y=1", "x.y=", "=1", "true",
    "null", "[]", "{}",
]
LONG = st.builds(lambda char, size: char * size,
                 st.sampled_from(["a", "é", "🙂", "0", ",", "\x00"]),
                 st.sampled_from([151, 10_001, 200_000]))
TEXT = st.one_of(
    st.sampled_from(HOSTILE), st.text(max_size=40), LONG,
    st.integers().map(str), st.floats().map(str),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.datetimes(min_value=datetime(1, 1, 1)).map(datetime.isoformat),
)
NUMBER = st.one_of(st.sampled_from(NUMBERS), st.integers().map(str), st.floats().map(str))
METRICS = sorted(m.id for m in all_metrics())
PARAMS = sorted({f"{m.id}.{p.name}" for m in all_metrics() for p in m.params if p.settable}
                | {p.name for m in all_metrics() for p in m.params if p.settable})
ITEM_LINE = st.builds(lambda group, key, text, weight: f"{group} | {key} | {text} | {weight}",
                      TEXT, TEXT, TEXT, NUMBER)


def _plausible() -> dict[str, st.SearchStrategy[str]]:
    """Values each parameter name is meant to take, from the product's own vocabularies:
    they carry a request past its first check so that the hostile values reach further."""
    with_params = ",".join(sorted({p.split(".")[0] for p in PARAMS if "." in p}))
    one = st.sampled_from
    return {
        "metrics": one([*METRICS, "offered,aht", with_params]), "metric": one(METRICS),
        "by": one(["queue", "channel", "site", "tenant", "agent_id", "topic",
                   "queue,agent_id"]),
        "part": one(["numerator", "denominator"]),
        "grain": one(["total", "15min", "30min", "hour", "day", "week", "month"]),
        "tz": one(["UTC", "Europe/Kyiv", "Asia/Kathmandu"]), "engine": one(["duckdb"]),
        "from": one(["2026-11-02", "2026-11-02T09:00:00Z"]), "to": one(["2026-11-03"]),
        "as_of": one(["2026-11-02T12:00:00Z"]), "tenant": one(["A", "B", "A,B"]),
        "site": one(["kyiv"]), "queue": one(["sales"]), "channel": one(["voice", "chat"]),
        "agent_id": one(["a1", "a2"]),
        "param": st.builds(lambda name, value: f"{name}={value}", one(PARAMS),
                           st.one_of(NUMBER, TEXT)),
        "fmt": one(["csv", "xlsx", "pdf"]), "kind": one(ALERT_KINDS),
        "table": one(["contacts", "agent_states", "availability"]),
        "action": one(["acknowledge", "dispute"]),
        "channel_kind": one(["voice", "text", "any"]),
        "items": st.lists(ITEM_LINE, min_size=1, max_size=3).map("\n".join),
        "pass_score": NUMBER, "rate": NUMBER, "seed": NUMBER, "min_per_agent": NUMBER,
        "threshold": NUMBER, "minutes": NUMBER, "limit": NUMBER, "page": NUMBER,
        "size": NUMBER, "form_id": one(["1", "2"]), "contacts": one(["a-1 a-2"]),
        "evaluators": one(["root sup-a"]), "reference": one(["root"]),
        "flag": one(["abandoned"]), "name": one(["weekly"]), "key": one(["calls"]),
        "query": st.builds(lambda q: "metrics=offered&" + urlencode(q),
                           st.lists(st.tuples(one(["from", "tz", "param", "queue"]), TEXT),
                                    max_size=2)),
        "item_1": one(["1", "0", "na"]),
    }


PLAUSIBLE = _plausible()
IDS = st.sampled_from(["1", "2", "0", "-1", "2147483648", "9223372036854775808", "1e3"])


def text_for(name: str) -> st.SearchStrategy[str]:
    choices = PLAUSIBLE.get(name)
    return st.one_of(choices, TEXT) if choices is not None else TEXT


JSON_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(), TEXT,  # NaN and ±Infinity are sent as JSON's extension literals
)
COLUMNS = sorted({c.name for t in TABLES.values() for c in t.columns})


def json_for(name: str, annotation: Any) -> st.SearchStrategy[Any]:
    """A JSON value for a model field: plausible, of the declared kind, or anything."""
    if "dict" in str(annotation):  # rows: objects keyed by (mostly) canonical columns
        row = st.dictionaries(st.one_of(st.sampled_from(COLUMNS), TEXT), JSON_SCALAR,
                              max_size=8)
        return st.one_of(st.lists(row, max_size=4), JSON_SCALAR)
    return st.one_of(text_for(name), JSON_SCALAR, st.lists(JSON_SCALAR, max_size=2))


# -- the routes, read from the app ----------------------------------------------------------


@dataclass
class Endpoint:
    method: str
    path: str
    path_params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    form: dict[str, Any] = field(default_factory=dict)
    body: dict[str, type[BaseModel]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        router = getattr(route, "original_router", None)  # an included router
        if router is not None:
            yield from api_routes(router.routes)
        elif isinstance(route, APIRoute):
            yield route


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every route and method with its parameters, from the route's dependency tree."""
    found = []
    for route in api_routes(app.routes):
        for method in sorted(route.methods):
            point = Endpoint(method, route.path)
            pending = [route.dependant]
            while pending:
                dependant = pending.pop()
                pending.extend(dependant.dependencies)
                for param in dependant.path_params:
                    point.path_params[param.alias] = param.field_info.annotation
                for param in dependant.query_params:
                    point.query[param.alias] = param.field_info.annotation
                for param in dependant.body_params:
                    annotation = param.field_info.annotation
                    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                        point.body[param.alias] = annotation
                    else:
                        point.form[param.alias] = annotation
                    if param.field_info.is_required():
                        point.required.add(param.alias)
            found.append(point)
    return found


def _wanted(draw: st.DrawFn, required: bool) -> bool:
    """Whether to send a parameter: a required one nearly always (else the request stops
    at the first check), an optional one half the time."""
    return draw(st.integers(0, 9)) > 0 if required else draw(st.booleans())


def _numeric(annotation: Any) -> bool:
    return any(t in (int, float) for t in (annotation, *get_args(annotation)))


@st.composite
def requests(draw: st.DrawFn, point: Endpoint) -> dict[str, Any]:
    """Keyword arguments for ``TestClient.request`` with random parameter values."""
    path = point.path
    for name, annotation in point.path_params.items():
        value = draw(IDS if annotation is int else text_for(name).filter(bool))
        path = path.replace(f"{{{name}}}", quote(value, safe=""))
    query: list[tuple[str, str]] = []
    for name, annotation in point.query.items():
        if _wanted(draw, False):
            values = draw(st.lists(text_for(name), min_size=1, max_size=3)) \
                if "list" in str(annotation) else [draw(text_for(name))]
            query += [(name, v) for v in values]
    while query and len(path) + len(urlencode(query)) > URL_CHARS:  # longest goes first
        query.remove(max(query, key=lambda pair: len(quote(pair[1]))))
    if len(path) > URL_CHARS:
        path = path[:URL_CHARS].rsplit("%", 1)[0]
    kwargs: dict[str, Any] = {"method": point.method, "url": path, "params": query}
    if point.form:
        form = {name: draw(st.one_of(NUMBER, text_for(name)) if _numeric(kind)
                           else text_for(name))
                for name, kind in point.form.items() if _wanted(draw, name in point.required)}
        # fields some routes read by hand (a QA answer per item, the comment)
        form.update(draw(st.dictionaries(st.sampled_from(["comment", "item_1", "item_2"]),
                                         text_for("item_1"), max_size=3)))
        kwargs["data"] = form
    for name, model in point.body.items():
        body = {key: draw(json_for(key, spec.annotation))
                for key, spec in model.model_fields.items()
                if _wanted(draw, spec.is_required())}
        kwargs["content"] = json.dumps(body if len(point.body) == 1 else {name: body})
        kwargs["headers"] = {"content-type": "application/json"}
    return kwargs


# -- the app and its callers ----------------------------------------------------------------


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    application = make_app(write_two_tenants(tmp_path_factory.mktemp("fuzz") / "data"),
                           auth_required=True)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "root", PASSWORD, "admin")
        create_user(session, "sup-a", PASSWORD, "supervisor", tenant="A")
    return application


def _client(app: FastAPI, user: str) -> TestClient:
    return bearer_client(app, user, PASSWORD)


@pytest.fixture(scope="module")
def callers(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    with _client(app, "root") as admin, _client(app, "sup-a") as supervisor:
        _seed(admin)
        yield {"admin": admin, "supervisor": supervisor}


def _seed(admin: TestClient) -> None:
    """One of each stored thing, so that ids 1 and 2 name something."""
    for key in ("one", "two"):
        made = admin.post("/qa/forms", data={"key": key, "name": key.title(),
                                             "items": "G | greet | Greets | 1 | no | yes"},
                          follow_redirects=False)
        assert made.status_code == 303, made.text
    sample = admin.post("/qa/samples", data={"name": "all", "rate": "1", "seed": "1"},
                        follow_redirects=False)
    assert sample.status_code == 303, sample.text
    done = admin.post("/qa/evaluate/1", data={"form_id": "1", "item_1": "1"},
                      follow_redirects=False)
    assert done.status_code == 303, done.text
    calibration = admin.post("/qa/calibrations", data={
        "name": "cal", "form_id": "1", "contacts": "a-1 a-2", "evaluators": "root sup-a",
        "reference": "root"}, follow_redirects=False)
    assert calibration.status_code == 303, calibration.text
    rule = admin.post("/api/v1/alerts", json={"name": "r", "kind": "sl_below",
                                              "threshold": 0.8})
    assert rule.status_code == 200, rule.text
    saved = admin.post("/builder/save", data={"name": "weekly",
                                              "query": "metrics=offered&by=queue"},
                       follow_redirects=False)
    assert saved.status_code == 303, saved.text


def send(client: TestClient, kwargs: dict[str, Any]) -> tuple[int, str]:
    """The status and (the start of) the body; an event stream is read to its first
    event and closed."""
    with client.stream(**kwargs, follow_redirects=False) as answer:
        streaming = answer.headers.get("content-type", "").startswith("text/event-stream")
        chunks: list[bytes] = []
        for chunk in answer.iter_bytes():
            chunks.append(chunk)
            if sum(map(len, chunks)) > READ_LIMIT or (streaming and b"event:" in chunk):
                break
        return answer.status_code, b"".join(chunks).decode("utf-8", "replace")


def check(client: TestClient, kwargs: dict[str, Any]) -> int:
    status, text = send(client, kwargs)
    assert status < 500, (status, text[:2000])
    assert "Traceback" not in text, text[:2000]
    return status


BUDGET = settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None,
                  derandomize=not EXPLORE, suppress_health_check=list(HealthCheck))
LOGINS = ("/login", "/api/v1/auth/token", "/logout")
"""Fuzzed anonymously (``test_logins_never_answer_500``): wrong logins lock the address,
and a logout or a token's DELETE ends the fuzzing caller's own token."""


def fuzz_all(client: TestClient, points: list[Endpoint]) -> None:
    """Every endpoint gets its budget; all failures are reported together."""
    failures: dict[str, str] = {}
    for point in points:
        @BUDGET
        @given(kwargs=requests(point))
        def fuzz(kwargs: dict[str, Any]) -> None:
            check(client, kwargs)

        try:
            fuzz()
        except Exception as exc:
            failures[point.id] = "".join(traceback.format_exception(exc))[-4000:]
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_no_route_answers_500_or_a_traceback(app: FastAPI, callers: dict[str, TestClient],
                                             role: str) -> None:
    fuzz_all(callers[role], [p for p in endpoints(app) if p.path not in LOGINS])


def test_logins_never_answer_500(app: FastAPI, callers: dict[str, TestClient]) -> None:
    logins = [p for p in endpoints(app) if p.path in LOGINS]
    assert len(logins) == 5  # GET and POST /login, POST and DELETE the token, POST /logout
    fuzz_all(TestClient(app), logins)  # (no second lifespan: it would close the app's pool)


def test_every_route_is_fuzzed(app: FastAPI) -> None:
    """The enumeration finds every route of the app with its parameters."""
    found = {p.id: p for p in endpoints(app)}
    paths = {p.path for p in found.values()}
    assert {"/api/v1/report", "/qa/evaluate/{item_id}", "/alerts/{rule_id}/delete",
            "/api/v1/live/stream", "/login"} <= paths and len(found) >= 35
    assert {"from", "param", "metrics", "tenant"} <= set(found["GET /api/v1/report"].query)
    assert set(found["POST /qa/calibrations"].form) == {
        "name", "form_id", "contacts", "evaluators", "reference",
        "contact", "evaluator"}  # ticked in the contact and evaluator pickers
    assert found["POST /api/v1/events"].body and found["GET /export.{fmt}"].path_params


# -- the bugs the fuzzing found: each was a 500 with a traceback ---------------------------

FOUND = [
    # a NUL character in a filter value or a text parameter: a DuckDB parser error
    ("GET", "/api/v1/report", {"params": {"metrics": "aht", "agent_id": "\x00"}}, 400),
    ("GET", "/", {"params": {"agent_id": "\x00"}}, 400),
    ("GET", "/api/v1/contacts", {"params": {"queue": "a\x00b"}}, 400),
    ("GET", "/api/v1/live", {"params": {"site": "\x00" * 10_001}}, 400),
    ("GET", "/api/v1/report", {"params": {"metrics": "sales",
                                          "param": "sales.sale_outcomes=\x00"}}, 400),
    # a number too large for the engine's 64-bit microseconds
    ("GET", "/api/v1/report", {"params": {"metrics": "fcr",
                                          "param": "fcr.window_hours=1e18"}}, 400),
    # a time zone name too long for a file name: OSError
    ("GET", "/api/v1/report", {"params": {"metrics": "aht", "tz": "a" * 300}}, 400),
    # ids beyond 64 bits: an OverflowError in the database driver
    ("GET", "/qa/forms/9223372036854775808", {}, 422),
    ("POST", "/alerts/9223372036854775808/delete", {}, 422),
    ("GET", "/api/v1/qa/calibrations/9223372036854775808", {}, 422),
    ("POST", "/qa/samples", {"data": {"name": "s", "rate": "1",
                                      "seed": "9223372036854775808"}}, 400),
    ("POST", "/qa/samples", {"data": {"name": "s", "rate": "1", "seed": "1",
                                      "min_per_agent": "9223372036854775808"}}, 400),
    # a NaN weight: a NOT NULL constraint failed
    ("POST", "/qa/forms", {"data": {"key": "k", "name": "n", "items": "G | a | b | nan"}}, 400),
    # a NaN refused by a model: the 422 answer itself could not be written as JSON
    ("POST", "/api/v1/alerts", {"content": '{"name": "x", "kind": "sl_below", '
                                           '"threshold": NaN}',
                                "headers": {"content-type": "application/json"}}, 422),
    # a live row's column name with a double quote: a DuckDB parser error
    ("POST", "/api/v1/events", {"json": {"table": "contacts", "rows": [
        {'a"b': 1, "contact_id": "q1", "channel": "voice", "queue": "q",
         "arrived_at": "2026-11-02T09:00:00Z"}]}}, 200),
]


@pytest.mark.parametrize(("method", "url", "kwargs", "status"), FOUND,
                         ids=[f"{m} {u[:40]} {str(k)[:60]!r}" for m, u, k, _ in FOUND])
def test_found_bugs_stay_fixed(callers: dict[str, TestClient], method: str, url: str,
                               kwargs: dict[str, Any], status: int) -> None:
    answer = check(callers["admin"], {"method": method, "url": url, **kwargs})
    assert answer == status


def test_a_csrf_token_with_non_ascii_characters_is_refused_not_a_500(
        app: FastAPI, callers: dict[str, TestClient]) -> None:
    """``secrets.compare_digest`` raised TypeError on non-ASCII strings: the login form
    and every cookie-authenticated form."""
    browser = TestClient(app)
    browser.get("/login")
    answer = browser.post("/login", data={"username": "root", "password": "x",
                                          "csrf_token": "\x80"})
    assert answer.status_code == 403
    log_in(browser, "root", PASSWORD)
    answer = browser.post("/builder/save", data={"name": "n", "query": "metrics=aht",
                                                 "csrf_token": "é"})
    assert answer.status_code == 403 and "CSRF" in answer.text
