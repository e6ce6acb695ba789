"""Real time end to end: ingest validation and idempotency, the wallboard's numbers, the
event stream, files dropped into the dataset folder, alerts with a webhook."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from omnikpi.auth.accounts import create_api_key, create_user
from omnikpi.config import AlertSettings, Config
from omnikpi.store.db import session_scope
from omnikpi.store.models import AlertEvent, AlertRule
from tests.web.conftest import midday_zone, running_server
from tests.web.tenants import DAY, MARK, write_two_tenants

PASSWORD = "live-password-1"


def ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat()


@pytest.fixture()
def live_app(make_app: Callable[..., FastAPI], tmp_path: Path) -> tuple[FastAPI, dict[str, str]]:
    # the test's webhook listens on this machine: an administrator allows it explicitly
    config = Config(alerts=AlertSettings(webhook_allowed_hosts=["127.0.0.1"]))
    app = make_app(write_two_tenants(tmp_path / "data"), config=config, auth_required=True,
                   tz=midday_zone())
    url = app.state.omnikpi.database_url
    with session_scope(url) as session:
        create_user(session, "boss", PASSWORD, "admin")
        keys = {"all": create_api_key(session, "pbx"),
                "acme": create_api_key(session, "acme-bot", tenant="A")}
    return app, keys


@pytest.fixture()
def server(live_app: tuple[FastAPI, dict[str, str]]) -> Iterator[tuple[str, dict[str, str]]]:
    app, keys = live_app
    with running_server(app) as url:
        token = httpx.post(f"{url}/api/v1/auth/token",
                           data={"username": "boss", "password": PASSWORD}).json()
        keys["admin"] = token["access_token"]
        yield url, keys


def post(url: str, key: str, table: str, rows: list[dict[str, Any]]) -> httpx.Response:
    return httpx.post(f"{url}/api/v1/events", json={"table": table, "rows": rows},
                      headers={"X-API-Key": key}, timeout=30)


def live(url: str, token: str, **params: str) -> dict[str, Any]:
    answer = httpx.get(f"{url}/api/v1/live", params=params,
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_ingest_validates_and_is_idempotent(server: tuple[str, dict[str, str]]) -> None:
    url, keys = server
    rows = [
        {"contact_id": "v1", "channel": "voice", "queue": "sales", "tenant": "A",
         "arrived_at": ago(60), "first_response_at": ago(50), "ended_at": ago(5),
         "agent_id": "a1"},
        {"contact_id": "v2", "channel": "voice", "queue": "sales", "tenant": "A",
         "arrived_at": "yesterday-ish"},
        {"contact_id": "v3", "channel": "voice", "queue": "sales", "tenant": "A",
         "arrived_at": ago(30), "first_response_at": ago(40)},
    ]
    first = post(url, keys["all"], "contacts", rows)
    assert first.status_code == 200
    body = first.json()
    assert body["accepted"] == 1 and body["duplicates"] == 0
    assert [(r["row"], r["column"]) for r in body["rejected"]] == [
        (1, "arrived_at"), (2, "first_response_at")]
    again = post(url, keys["all"], "contacts", rows[:1]).json()
    assert again["accepted"] == 0 and again["duplicates"] == 1 and again["seq"] > body["seq"]
    assert post(url, keys["all"], "surveys", []).status_code == 400
    assert post(url, "ok_forged", "contacts", rows[:1]).status_code == 401
    # an API key writes, it does not read
    assert httpx.get(f"{url}/api/v1/report?metrics=offered",
                     headers={"X-API-Key": keys["all"]}).status_code == 403


def test_a_tenant_key_writes_its_tenant_only(server: tuple[str, dict[str, str]]) -> None:
    url, keys = server
    row = {"contact_id": "k1", "channel": "voice", "queue": "sales", "arrived_at": ago(10)}
    assert post(url, keys["acme"], "contacts", [{**row, "tenant": "B"}]).status_code == 403
    assert post(url, keys["acme"], "contacts", [row]).json()["accepted"] == 1
    queues = live(url, keys["admin"])["queues"]
    assert [(q["tenant"], q["waiting"]) for q in queues] == [("A", 1)]


def test_wallboard_numbers_by_hand(server: tuple[str, dict[str, str]]) -> None:
    url, keys = server
    base = datetime.now(UTC).replace(microsecond=0)

    def ago(seconds: float) -> str:  # one instant for all rows: exact differences
        return (base - timedelta(seconds=seconds)).isoformat()

    contacts = [
        # answered after 10 s (within the 20 s voice threshold), ended
        {"contact_id": "h1", "channel": "voice", "queue": "sales", "site": "kyiv",
         "tenant": "A", "arrived_at": ago(300), "first_response_at": ago(290),
         "ended_at": ago(100), "agent_id": "a1"},
        # abandoned after 30 s
        {"contact_id": "h2", "channel": "voice", "queue": "sales", "site": "kyiv",
         "tenant": "A", "arrived_at": ago(200), "abandoned_at": ago(170)},
        # still waiting, for 50 s: past the threshold, so it already counts as late
        {"contact_id": "h3", "channel": "voice", "queue": "sales", "site": "kyiv",
         "tenant": "A", "arrived_at": ago(50)},
        # two chats in progress on agent a2 (capacity 4), one e-mail unanswered for 2 h
        {"contact_id": "h4", "channel": "chat", "queue": "web", "site": "kyiv",
         "tenant": "A", "arrived_at": ago(120), "first_response_at": ago(110),
         "agent_id": "a2"},
        {"contact_id": "h5", "channel": "chat", "queue": "web", "site": "kyiv",
         "tenant": "A", "arrived_at": ago(60), "first_response_at": ago(55),
         "agent_id": "a2"},
        {"contact_id": "h6", "channel": "email", "queue": "mail", "site": "kyiv",
         "tenant": "A", "arrived_at": ago(7200)},
    ]
    assert post(url, keys["all"], "contacts", contacts).json()["accepted"] == 6
    states = [
        {"agent_id": "a1", "state": "available", "start": ago(100), "site": "kyiv"},
        {"agent_id": "a2", "state": "handling", "start": ago(110), "site": "kyiv",
         "channel": "chat"},
        {"agent_id": "a3", "state": "not_ready", "reason": "lunch", "start": ago(900),
         "site": "kyiv"},
        {"agent_id": "a4", "state": "not_ready", "reason": "lunch", "start": ago(1200),
         "end": ago(600), "site": "kyiv"},
    ]
    assert post(url, keys["all"], "agent_states", states).json()["accepted"] == 4
    board = live(url, keys["admin"])
    voice = next(q for q in board["queues"] if q["channel"] == "voice")
    assert (voice["offered"], voice["answered"], voice["abandoned"]) == (3, 1, 1)
    assert voice["service_level"] == pytest.approx(1 / 3)
    assert voice["abandon_rate"] == pytest.approx(1 / 3)
    assert voice["asa"] == pytest.approx(10.0)
    assert voice["waiting"] == 1 and 50 <= voice["longest_wait_s"] < 60
    totals = board["totals"]
    assert totals["waiting"] == 1 and totals["backlog"] == 1
    assert 7200 <= totals["oldest_backlog_s"] < 7260
    assert {(a["state"], a["reason"]): a["agents"] for a in board["agents"]} == {
        ("available", None): 1, ("handling", None): 1, ("not_ready", "lunch"): 1}
    assert board["chat"] == [{"agent_id": "a2", "site": "kyiv", "tenant": "A", "sessions": 2,
                              "capacity": 4}]
    # agent by agent: state, time in it, the contact in hand (the newest accepted chat)
    people = {a["agent_id"]: a for a in board["agent_list"]}
    assert sorted(people) == ["a1", "a2", "a3"]
    assert (people["a1"]["state"], people["a1"]["contact"]) == ("available", None)
    assert 100 <= people["a1"]["in_state_s"] < 110 and people["a1"]["not_ready_s"] == 0
    assert people["a3"]["reason"] == "lunch" and 900 <= people["a3"]["not_ready_s"] < 910
    a2 = people["a2"]
    assert (a2["state"], a2["sessions"], a2["capacity"]) == ("handling", 2, 4)
    assert (a2["contact"]["queue"], a2["contact"]["channel"]) == ("web", "chat")
    assert 60 <= a2["contact"]["waited_s"] < 70  # h5 arrived 60 s ago
    # per queue: a1 and a3 have no channel (they count for every queue of their site);
    # a2 holds a chat of "web", so counts there only
    agents_of = {q["queue"]: (q["agents_available"], q["agents_busy"], q["agents_not_ready"])
                 for q in board["queues"]}
    assert agents_of == {"sales": (1, 0, 1), "web": (1, 1, 1), "mail": (1, 0, 1)}
    # the goals colour the figures: SL 1/3 < 80 % (the declaration's target) is bad
    assert voice_goals(board) == {"service_level": "bad", "abandon_rate": "bad"}
    assert board["has_data"] is True
    # a board's queue and channel cut every figure, not only the queue table
    sales = live(url, keys["admin"], queue="sales")
    assert [q["queue"] for q in sales["queues"]] == ["sales"]
    assert (sales["totals"]["offered"], sales["totals"]["waiting"],
            sales["totals"]["backlog"]) == (3, 1, 0)
    assert sorted(a["agent_id"] for a in sales["agent_list"]) == ["a1", "a3"]
    assert {a["state"]: a["agents"] for a in sales["agents"]} == {"available": 1,
                                                                 "not_ready": 1}
    chat = live(url, keys["admin"], channel="chat")
    assert (chat["totals"]["offered"], chat["totals"]["waiting"]) == (2, 0)
    assert [c["agent_id"] for c in chat["chat"]] == ["a2"]
    # channels as the data holds them, as in the reports (Chat found nothing)
    assert live(url, keys["admin"], channel="Chat")["totals"] == chat["totals"]
    mail = live(url, keys["admin"], channel="email,fax")
    assert (mail["totals"]["offered"], mail["totals"]["backlog"], mail["chat"]) == (1, 1, [])
    assert live(url, keys["admin"], tenant="B")["has_data"] is False
    # the waiting call is answered: posting it again updates the board
    answered = {**contacts[2], "first_response_at": ago(1), "agent_id": "a1"}
    assert post(url, keys["all"], "contacts", [answered]).json()["accepted"] == 1
    voice = next(q for q in live(url, keys["admin"])["queues"] if q["channel"] == "voice")
    assert voice["waiting"] == 0 and voice["answered"] == 2


def voice_goals(board: dict[str, Any]) -> dict[str, str]:
    voice = next(q for q in board["queues"] if q["channel"] == "voice")
    return {k: v["status"] for k, v in voice["goals"].items() if v["status"]}


def test_stream_pushes_a_snapshot_after_an_event(server: tuple[str, dict[str, str]]) -> None:
    url, keys = server
    seen: list[dict[str, Any]] = []
    ready = threading.Event()

    def listen() -> None:
        headers = {"Authorization": f"Bearer {keys['admin']}"}
        with httpx.stream("GET", f"{url}/api/v1/live/stream", headers=headers,
                          timeout=30) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    seen.append(json.loads(line[5:]))
                    ready.set()
                    if any(s["totals"].get("waiting") for s in seen):
                        return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(20)
    started = time.monotonic()
    posted = post(url, keys["all"], "contacts", [{
        "contact_id": "s1", "channel": "voice", "queue": "sales", "arrived_at": ago(3)}])
    thread.join(timeout=10)
    assert not thread.is_alive(), "no snapshot with the new contact arrived"
    assert time.monotonic() - started < 5
    assert seen[-1]["seq"] >= posted.json()["seq"] and seen[-1]["totals"]["waiting"] == 1


def test_one_account_holds_a_bounded_number_of_live_streams(
        server: tuple[str, dict[str, str]], live_app: tuple[FastAPI, dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every open stream's cut is a snapshot computed each tick: one client's script opened
    300 made-up queue cuts and stretched every tenant's updates from 2 s to 27 s. An
    account holds at most ``MAX_STREAMS_PER_ACCOUNT`` (2 here); another account still
    opens its own, and a stream closed frees its place."""
    import omnikpi.web.routes.live as live_routes

    monkeypatch.setattr(live_routes, "MAX_STREAMS_PER_ACCOUNT", 2)
    url, keys = server
    boss = {"Authorization": f"Bearer {keys['admin']}"}
    held_lines: list[Any] = []

    def opened(headers: dict[str, str], cut: str) -> Any:
        stream = httpx.stream("GET", f"{url}/api/v1/live/stream", params={"queue": cut},
                              headers=headers, timeout=30)
        answer = stream.__enter__()
        if answer.status_code == 200:  # read up to the first snapshot: the stream is open
            lines = answer.iter_lines()  # kept: a reader dropped closes its stream
            next(line for line in lines if line.startswith("data:"))
            held_lines.append(lines)
        return stream, answer

    held = [opened(boss, f"q{i}") for i in range(2)]
    assert [answer.status_code for _, answer in held] == [200, 200]
    stream, refused = opened(boss, "q2")
    assert refused.status_code == 429
    assert "2 live streams open already" in refused.read().decode()
    stream.__exit__(None, None, None)
    # another account opens its own meanwhile
    with session_scope(live_app[0].state.omnikpi.database_url) as session:
        create_user(session, "floor", PASSWORD, "admin")
    token = httpx.post(f"{url}/api/v1/auth/token",
                       data={"username": "floor", "password": PASSWORD}).json()
    other_stream, other = opened({"Authorization": f"Bearer {token['access_token']}"}, "q0")
    assert other.status_code == 200
    held_lines.clear()
    for stream, _ in [*held, (other_stream, other)]:
        stream.__exit__(None, None, None)
    # the server notices a closed stream when it next writes to it (a snapshot or a
    # keep-alive); a posted contact makes the next snapshot at once
    post(url, keys["all"], "contacts", [{"contact_id": "free", "channel": "voice",
                                         "queue": "sales", "arrived_at": ago(3)}])
    deadline = time.monotonic() + 20
    while True:
        stream, again = opened(boss, "q3")
        stream.__exit__(None, None, None)
        if again.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert again.status_code == 200


def test_a_file_dropped_in_the_folder_reaches_the_wallboard(
        server: tuple[str, dict[str, str]], live_app: tuple[FastAPI, dict[str, str]]) -> None:
    url, keys = server
    folder = live_app[0].state.omnikpi.data_path / "contacts"
    folder.mkdir(exist_ok=True)
    (folder / "export-0001.csv").write_text(
        "contact_id,channel,queue,tenant,arrived_at\n"
        f"f1,voice,support,A,{ago(20)}\nf2,voice,support,A,{ago(25)}\n")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        queues = live(url, keys["admin"])["queues"]
        support = [q for q in queues if q["queue"] == "support"]
        if support:
            assert support[0]["waiting"] == 2
            return
        time.sleep(0.3)
    raise AssertionError("the dropped file never reached the wallboard")


class Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_alert_fires_on_the_wallboard_and_the_webhook(
        server: tuple[str, dict[str, str]], live_app: tuple[FastAPI, dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIKPI_WEBHOOK_SECRET", "hook-secret")  # webhooks are signed
    url, keys = server
    hook = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    headers = {"Authorization": f"Bearer {keys['admin']}"}
    rule = httpx.post(f"{url}/api/v1/alerts", headers=headers, json={
        "name": "long wait", "kind": "longest_wait_over", "threshold": 30, "minutes": 0,
        "queue": "sales", "webhook_url": f"http://127.0.0.1:{hook.server_port}/hook"})
    assert rule.status_code == 200, rule.text
    assert httpx.post(f"{url}/api/v1/alerts", headers=headers, json={
        "name": "bad", "kind": "sl_wobbly"}).status_code == 422
    # a ratio as a percent ("SL 100 % < 8000 %" fired on every queue), as the page says
    for numbers in ({"threshold": 80}, {"threshold": 0.8, "clear_threshold": 1.5},
                    {"threshold": -1, "kind": "longest_wait_over"}):
        refused = httpx.post(f"{url}/api/v1/alerts", headers=headers, json={
            "name": "pct", "kind": "sl_below", **numbers})
        assert refused.status_code == 422, refused.text
        assert "ratio from 0 to 1" in refused.text or "negative" in refused.text
    post(url, keys["all"], "contacts", [
        {"contact_id": "w1", "channel": "voice", "queue": "sales", "tenant": "A",
         "site": "kyiv", "arrived_at": ago(45)},
        {"contact_id": "w2", "channel": "voice", "queue": "other", "tenant": "A",
         "site": "kyiv", "arrived_at": ago(500)}])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not Hook.received:
        time.sleep(0.2)
    hook.shutdown()
    assert Hook.received, "the webhook was not called"
    alert = Hook.received[0]["alert"]
    assert alert["rule"] == "long wait" and alert["subject"] == "A / kyiv / sales / voice"
    board = live(url, keys["admin"])
    assert [a["subject"] for a in board["alerts"]] == ["A / kyiv / sales / voice"]
    assert board["alerts"][0]["text"]["en"].startswith("Longest wait ")
    assert " > 30 s on queue sales (voice, kyiv, A)" in board["alerts"][0]["text"]["en"]
    assert "черга sales" in board["alerts"][0]["text"]["uk"]
    assert board["banner"] == [{"rule": "long wait", "count": 1,
                                "text": board["alerts"][0]["text"]}]
    # the board's cut applies to alerts too
    assert len(live(url, keys["admin"], queue="sales")["alerts"]) == 1
    assert live(url, keys["admin"], queue="other")["alerts"] == []
    assert live(url, keys["admin"], channel="chat")["alerts"] == []
    assert live(url, keys["admin"], tenant="B")["alerts"] == []
    with session_scope(live_app[0].state.omnikpi.database_url) as session:
        events = session.scalars(select(AlertEvent)).all()
        assert len(events) == 1 and events[0].delivered
    # the history: acknowledged once (the first to acknowledge is kept), in words
    event_id = events[0].id
    acked = httpx.post(f"{url}/api/v1/alerts/events/{event_id}/ack", headers=headers)
    assert acked.status_code == 200 and acked.json()["acknowledged_by"] == "boss"
    assert acked.json()["rule_name"] == "long wait"  # it was null, the list named it
    again = httpx.post(f"{url}/api/v1/alerts/events/{event_id}/ack", headers=headers).json()
    assert again["acknowledged_at"][:26] == acked.json()["acknowledged_at"][:26]
    history = httpx.get(f"{url}/api/v1/alerts", headers=headers).json()["events"]
    assert history[0]["facts"]["kind"] == "longest_wait_over"
    # instants in the API carry their zone (UTC), every time
    assert history[0]["started_at"].endswith(("Z", "+00:00"))
    assert acked.json()["acknowledged_at"].endswith(("Z", "+00:00"))
    assert again["acknowledged_at"].endswith(("Z", "+00:00"))
    page = httpx.get(f"{url}/alerts?lang=uk", headers=headers).text
    assert "Максимальне очікування" in page and "черга sales (голос, kyiv, A)" in page
    # the page's times are the wallboard's zone's, and it says which (was UTC, unsaid)
    zone_name = live_app[0].state.omnikpi.tz
    started = datetime.fromisoformat(history[0]["started_at"]).astimezone(ZoneInfo(zone_name))
    assert f'Час: <span translate="no">{zone_name}</span>' in page
    assert started.strftime("%H:%M") in page
    assert "Підтвердити" not in page  # acknowledged: the button gave way to who and when


def test_a_followed_queue_log_reaches_the_wallboard(
        server: tuple[str, dict[str, str]], live_app: tuple[FastAPI, dict[str, str]],
        tmp_path: Path) -> None:
    """What `omnikpi import asterisk-queue-log --follow --out DATA` writes on each poll."""
    from omnikpi.connectors.queue_log_import import import_queue_log

    url, keys = server
    data = live_app[0].state.omnikpi.data_path
    now = int(time.time())
    log = tmp_path / "queue_log"

    def hotline_when(check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            rows = [q for q in live(url, keys["admin"])["queues"] if q["queue"] == "hotline"]
            if rows and check(rows[0]):
                return rows[0]
            time.sleep(0.3)
        raise AssertionError("the followed queue_log never reached the wallboard")

    # the call is still waiting after the first poll: the wallboard shows it waiting
    log.write_text(f"{now - 60}|{now - 60}.1|hotline|NONE|ENTERQUEUE||380501234567|1\n")
    import_queue_log([log], data, "UTC", "parquet", lambda _: None)
    waiting = hotline_when(lambda q: q["waiting"] == 1)
    assert waiting["longest_wait_s"] >= 55
    # the next poll reads the answer and the hang-up
    with log.open("a") as handle:
        handle.write(f"{now - 48}|{now - 60}.1|hotline|PJSIP/101|CONNECT|12|{now - 48}.2|3\n"
                     f"{now - 5}|{now - 60}.1|hotline|PJSIP/101|COMPLETECALLER|12|43|1\n")
    import_queue_log([log], data, "UTC", "parquet", lambda _: None)
    done = hotline_when(lambda q: q["waiting"] == 0)
    assert (done["offered"], done["answered"]) == (1, 1)
    assert done["asa"] == pytest.approx(12.0)


def test_a_switched_off_chat_widget_shows_until_it_is_back(
        server: tuple[str, dict[str, str]]) -> None:
    url, keys = server
    off = {"channel": "chat", "queue": "web", "start": ago(120), "status": "unavailable"}
    assert post(url, keys["all"], "availability", [off]).json()["accepted"] == 1
    assert live(url, keys["admin"])["unavailable"] == [{"channel": "chat", "queue": "web"}]
    back = post(url, keys["all"], "availability", [{**off, "end": ago(1)}]).json()
    assert back["accepted"] == 1
    assert live(url, keys["admin"])["unavailable"] == []


def test_webhooks_refuse_internal_targets_and_hide_from_non_admins(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """A supervisor could make the server POST to 127.0.0.1 and private addresses, and
    clients could read every rule's webhook URL (with its token)."""
    from fastapi.testclient import TestClient

    app = make_app(write_two_tenants(tmp_path / "data"), auth_required=True,
                   live_updates=False)
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "boss", PASSWORD, "admin")
        create_user(session, "lead", PASSWORD, "supervisor", tenant="A")
    client = TestClient(app)

    def bearer(user: str) -> dict[str, str]:
        token = client.post("/api/v1/auth/token", data={"username": user,
                                                        "password": PASSWORD}).json()
        return {"Authorization": f"Bearer {token['access_token']}"}

    lead, boss = bearer("lead"), bearer("boss")
    for target in ("http://127.0.0.1:8000/admin", "http://169.254.169.254/latest/",
                   "http://10.0.0.5/hook"):
        refused = client.post("/api/v1/alerts", headers=lead, json={
            "name": "x", "kind": "sl_below", "threshold": 0.8, "webhook_url": target})
        assert refused.status_code == 400 and "private network" in refused.json()["detail"]
    made = client.post("/api/v1/alerts", headers=lead, json={
        "name": "sl", "kind": "sl_below", "threshold": 0.8,
        "webhook_url": "https://93.184.216.34/hook?token=s3cret"})
    assert made.status_code == 200 and made.json()["webhook_url"] is None
    seen = client.get("/api/v1/alerts", headers=lead).json()["rules"][0]
    assert seen["has_webhook"] and seen["webhook_url"] is None
    assert "s3cret" not in client.get("/alerts", headers=lead).text
    admin_view = client.get("/api/v1/alerts", headers=boss).json()["rules"][0]
    assert admin_view["webhook_url"].endswith("token=s3cret")


def test_a_body_over_the_limit_is_refused_before_parsing(
        make_app: Callable[..., FastAPI], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A 400 MB ingest body was parsed (2.29 GB of memory) before the row limit said no."""
    from fastapi.testclient import TestClient

    monkeypatch.setenv("OMNIKPI_WEB_MAX_BODY_BYTES", "4096")
    app = make_app(write_two_tenants(tmp_path / "data"), auth_required=True)
    with session_scope(app.state.omnikpi.database_url) as session:
        key = create_api_key(session, "pbx")
    with TestClient(app) as client:
        _post_over_the_limit(client, key)


def _post_over_the_limit(client: Any, key: str) -> None:
    from collections.abc import Iterator as Chunks

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    big = b'{"table": "contacts", "rows": [' + b'{"contact_id": "x"},' * 2000 + b"{}]}"
    declared = client.post("/api/v1/events", content=big, headers=headers)
    assert declared.status_code == 413 and "4,096 bytes" in declared.json()["detail"]

    def streamed() -> Chunks[bytes]:
        for start in range(0, len(big), 1000):
            yield big[start:start + 1000]

    chunked = client.post("/api/v1/events", content=streamed(), headers=headers)
    assert chunked.status_code == 413
    # a length of 5,000 digits: int() refuses it, and the server answered 500
    absurd = client.post("/api/v1/events", content=b"{}",
                         headers={**headers, "Content-Length": "9" * 5000})
    assert absurd.status_code == 413
    small = client.post("/api/v1/events", headers=headers, json={
        "table": "contacts", "rows": [{"contact_id": "s1", "channel": "voice",
                                       "queue": "q", "arrived_at": ago(5)}]})
    assert small.status_code == 200, small.text


def test_a_tenant_key_cannot_take_another_tenants_contact_or_recording(
        live_app: tuple[FastAPI, dict[str, str]], tmp_path: Path) -> None:
    """Tenant A's key posted a contact with tenant B's id (bsecret-1): B's row was
    quarantined as the duplicate and its survey, messages and talk analytics became A's.
    And a contact naming B's recording file let A's viewers play B's call. Both are refused
    row by row; the batch's other rows go in, and live ids keep their tenant too."""
    app, keys = live_app
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "viewer-a", PASSWORD, "client", tenant="A")
    done = {"channel": "voice", "queue": "sales", "arrived_at": f"{DAY}T09:00:00Z",
            "first_response_at": f"{DAY}T09:00:05Z", "ended_at": f"{DAY}T09:02:00Z",
            "agent_id": "a1"}
    with running_server(app) as url:
        answer = post(url, keys["acme"], "contacts", [
            {**done, "contact_id": f"{MARK}-1"},                              # B's id
            {**done, "contact_id": f" {MARK}-1 "},       # the same, as the loader reads it
            {**done, "contact_id": "a-new"},                                 # fine
            {**done, "contact_id": "a-evil", "recording_uri": f"{MARK}-1.wav"},  # B's file
            {**done, "contact_id": "a-own", "recording_uri": "a-1.wav"}])    # A's own file
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert result["accepted"] == 2
        assert [(r["row"], r["column"]) for r in result["rejected"]] == [
            (0, "contact_id"), (1, "contact_id"), (3, "recording_uri")]
        assert "another tenant" in result["rejected"][0]["message"]
        # an id first seen live (open, not in the dataset yet) keeps its tenant as well
        waiting = {"channel": "voice", "queue": "sales", "arrived_at": ago(30)}
        assert post(url, keys["all"], "contacts", [
            {**waiting, "contact_id": "b-live", "tenant": "B"}]).json()["accepted"] == 1
        taken = post(url, keys["acme"], "contacts", [{**waiting, "contact_id": "b-live"}])
        assert [r["column"] for r in taken.json()["rejected"]] == ["contact_id"]
        # the unbound key is trusted with every tenant, as before
        assert post(url, keys["all"], "contacts", [
            {**done, "contact_id": "z-1", "tenant": "A"}]).json()["accepted"] == 1


def test_a_recording_another_tenant_names_is_not_played(make_app: Callable[..., FastAPI],
                                                        tmp_path: Path) -> None:
    """Imported data where an A contact names B's file (a mistake, or an old import): whose
    call it is cannot be told, so no tenant's viewer plays it (an administrator does); A's
    own files, and B's others, play as before."""
    from fastapi.testclient import TestClient

    data = write_two_tenants(tmp_path / "data")
    contacts = (data / "contacts.csv").read_text().splitlines()
    contacts.append(f"a-odd,voice,sales,kyiv,A,cust-x,{DAY}T09:40:00Z,{DAY}T09:40:05Z,,"
                    f"{DAY}T09:45:00Z,a1,true,topic-x,./{MARK}-1.wav")
    (data / "contacts.csv").write_text("\n".join(contacts) + "\n")
    app = make_app(data, auth_required=True)
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "viewer-a", PASSWORD, "client", tenant="A")
        create_user(session, "viewer-b", PASSWORD, "client", tenant="B")
        create_user(session, "boss", PASSWORD, "admin")
    with TestClient(app) as client:
        def audio(user: str, contact: str) -> int:
            token = client.post("/api/v1/auth/token", data={"username": user,
                                                              "password": PASSWORD})
            return client.get(f"/recordings/{contact}/audio", headers={
                "Authorization": f"Bearer {token.json()['access_token']}"}).status_code

        assert audio("viewer-a", "a-odd") == 404
        assert audio("viewer-b", f"{MARK}-1") == 404
        assert audio("boss", f"{MARK}-1") == 200 and audio("boss", "a-odd") == 200
        assert audio("viewer-a", "a-1") == 200


def _fired(session: Any, rule: AlertRule, subject: dict[str, str]) -> int:
    """A firing of ``rule`` about ``subject`` (tenant, site, queue), as the monitor records
    it; its id."""
    from omnikpi.store.models_live import AlertEventDetail

    event = AlertEvent(rule_id=rule.id, subject=" / ".join(subject.values()),
                       message="SL below")
    session.add(event)
    session.flush()
    session.add(AlertEventDetail(event_id=event.id, kind="sl_below",
                                 facts=json.dumps({"subject": subject})))
    return int(event.id)


def test_a_site_supervisor_sees_and_acknowledges_alerts_about_their_site(
        live_app: tuple[FastAPI, dict[str, str]]) -> None:
    """The administrator's rule fired about queue sales at kyiv: the kyiv supervisor saw
    the banner but got 404 acknowledging it, and no history. A rule asked for another
    site was quietly made for theirs; it is refused."""
    from fastapi.testclient import TestClient

    from tests.web.conftest import csrf, log_in

    app, _ = live_app
    url = app.state.omnikpi.database_url
    with session_scope(url) as session:
        create_user(session, "kyiv-lead", PASSWORD, "supervisor", tenant="A", sites=["kyiv"])
        rule = AlertRule(name="Sales SL", kind="sl_below", threshold=0.8, created_by="boss")
        session.add(rule)
        session.flush()
        for subject in ({"tenant": "A", "site": "kyiv", "queue": "sales"},
                        {"tenant": "B", "site": f"site-{MARK}", "queue": f"q-{MARK}"}):
            _fired(session, rule, subject)
        session.flush()
        ids = [e.id for e in session.scalars(select(AlertEvent).order_by(AlertEvent.id))]
    lead = log_in(TestClient(app), "kyiv-lead", PASSWORD)
    lead.headers["X-CSRF-Token"] = csrf(lead)
    history = lead.get("/api/v1/alerts").json()["events"]
    assert [e["id"] for e in history] == [ids[0]]  # theirs, not tenant B's
    assert lead.post(f"/api/v1/alerts/events/{ids[0]}/ack").status_code == 200
    assert lead.post(f"/api/v1/alerts/events/{ids[1]}/ack").status_code == 404
    lviv = lead.post("/api/v1/alerts", json={"name": "Lviv SL", "kind": "sl_below",
                                             "threshold": 0.8, "site": "lviv"})
    assert lviv.status_code == 403 and "kyiv" in lviv.text
    own = lead.post("/api/v1/alerts", json={"name": "Kyiv SL", "kind": "sl_below",
                                            "threshold": 0.8})
    assert own.status_code == 200 and own.json()["site"] == "kyiv"
    page = lead.get("/alerts").text  # deleting a rule (and its history) asks first
    assert 'data-confirm="Delete this rule and the history of its alerts?"' in page


def test_older_firings_page_on_without_gaps_and_stay_in_scope(
        live_app: tuple[FastAPI, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Seven firings, kyiv's and another tenant's in turn, two a page: the kyiv supervisor
    pages through their four, newest first, each once (the API's ``older_before_id`` and
    the page's "Older entries" link), and never sees the other tenant's three."""
    from fastapi.testclient import TestClient

    from omnikpi.web.routes import live_alerts
    from tests.web.conftest import csrf, log_in

    monkeypatch.setattr(live_alerts, "FIRINGS_PAGE", 2)
    app, _ = live_app
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "kyiv-lead", PASSWORD, "supervisor", tenant="A", sites=["kyiv"])
        rule = AlertRule(name="SL", kind="sl_below", threshold=0.8, created_by="boss")
        session.add(rule)
        session.flush()
        kyiv = []
        for n in range(7):
            subject = {"tenant": "A", "site": "kyiv", "queue": f"q{n}"} if n % 2 == 0 else \
                {"tenant": "B", "site": f"site-{MARK}", "queue": f"q-{MARK}"}
            event_id = _fired(session, rule, subject)
            if n % 2 == 0:
                kyiv.append(event_id)
    lead = log_in(TestClient(app), "kyiv-lead", PASSWORD)
    seen: list[int] = []
    before: int | None = None
    while True:
        answer = lead.get("/api/v1/alerts", params={} if before is None
                          else {"before_id": before}).json()
        seen += [e["id"] for e in answer["events"]]
        assert MARK not in json.dumps(answer["events"])
        before = answer["older_before_id"]
        if before is None:
            break
    assert seen == kyiv[::-1]
    page = lead.get("/alerts").text
    older = re.search(r'id="alerts-older" href="([^"#]+)', page)
    assert older is not None and 'id="alerts-newest"' not in page
    second = lead.get(older.group(1)).text
    assert 'id="alerts-newest"' in second
    assert re.findall(r"A / kyiv / q(\d)<", second) == ["2", "0"]
    assert 'id="alerts-older"' not in second
    # acknowledging there keeps the page it was on
    before = re.search(r"before_id=(\d+)", older.group(1))
    assert before is not None
    form = re.search(rf'action="/alerts/events/{kyiv[1]}/ack">(.*?)</form>', second)
    assert form is not None and f'name="before_id" value="{before.group(1)}"' in form.group(1)
    acked = lead.post(f"/alerts/events/{kyiv[1]}/ack", follow_redirects=False,
                      data={"csrf_token": csrf(lead), "before_id": before.group(1)})
    assert acked.status_code == 303
    assert acked.headers["location"] == f"/alerts?before_id={before.group(1)}#alert-events"
    assert lead.get("/alerts", params={"before_id": kyiv[0]}).text.count(
        'id="no-older-alerts"') == 1
    assert lead.get("/api/v1/alerts", params={"before_id": 0}).status_code == 422


def test_a_rule_is_edited_and_paused_keeping_its_history(
        live_app: tuple[FastAPI, dict[str, str]]) -> None:
    """Raising a threshold meant deleting the rule with its firings and adding it again.
    A rule is edited (page and API) and paused; a supervisor edits only their own rules
    and, never shown the webhook's address, keeps it by leaving the field empty."""
    from fastapi.testclient import TestClient

    from omnikpi.auth.accounts import audit_entries
    from tests.web.conftest import csrf, log_in

    app, _ = live_app
    url = app.state.omnikpi.database_url
    with session_scope(url) as session:
        create_user(session, "kyiv-lead", PASSWORD, "supervisor", tenant="A", sites=["kyiv"])
    boss = log_in(TestClient(app), "boss", PASSWORD)
    boss.headers["X-CSRF-Token"] = csrf(boss)
    lead = log_in(TestClient(app), "kyiv-lead", PASSWORD)
    lead.headers["X-CSRF-Token"] = csrf(lead)
    central = boss.post("/api/v1/alerts", json={"name": "Sales SL", "kind": "sl_below",
                                                "threshold": 0.8, "minutes": 5}).json()
    own = lead.post("/api/v1/alerts", json={"name": "Kyiv wait", "kind": "longest_wait_over",
                                            "threshold": 60}).json()
    with session_scope(url) as session:
        event = AlertEvent(rule_id=central["id"], subject="A / kyiv / sales / voice",
                           message="SL below", ended_at=datetime.now(UTC))
        session.add(event)

    form = boss.get(f"/alerts?edit={central['id']}&lang=en").text
    assert f'action="/alerts/{central["id"]}/edit"' in form and 'value="Sales SL"' in form
    assert 'name="threshold" value="0.8"' in form
    # in Russian as the new-rule form writes it (the edit form said 0.8 beside "0,8")
    assert 'name="threshold" value="0,8"' in \
        boss.get(f"/alerts?edit={central['id']}&lang=ru").text
    changed = boss.put(f"/api/v1/alerts/{central['id']}", json={
        "name": "Sales SL", "kind": "sl_below", "threshold": 0.75, "minutes": 5,
        "webhook_url": "http://127.0.0.1:9/hook"})
    assert changed.status_code == 200 and changed.json()["threshold"] == 0.75
    history = boss.get("/api/v1/alerts").json()["events"]
    assert [(e["rule_id"], e["rule_name"]) for e in history] == [(central["id"], "Sales SL")]
    assert ">Sales SL</td>" in boss.get("/alerts?lang=en").text  # named, not numbered

    # the supervisor: not the central rule; their own, with the webhook the admin set kept
    assert lead.get(f"/alerts?edit={central['id']}").status_code == 404
    assert lead.put(f"/api/v1/alerts/{central['id']}", json={
        "name": "x", "kind": "sl_below", "threshold": 0.5}).status_code == 404
    assert boss.put(f"/api/v1/alerts/{own['id']}", json={
        "name": "Kyiv wait", "kind": "longest_wait_over", "threshold": 60,
        "site": "kyiv", "tenant": "A", "webhook_url": "http://127.0.0.1:9/kyiv"}
                    ).status_code == 200
    shown = lead.get(f"/alerts?edit={own['id']}&lang=en").text
    assert 'placeholder="kept as it is"' in shown and "127.0.0.1:9/kyiv" not in shown
    saved = lead.post(f"/alerts/{own['id']}/edit", data={
        "name": "Kyiv wait", "kind": "longest_wait_over", "threshold": "90", "minutes": "2",
        "tenant": "A", "site": "kyiv", "webhook_url": "", "emails": ""},
        follow_redirects=False)
    assert saved.status_code == 303
    bad = lead.post(f"/alerts/{own['id']}/edit", data={
        "name": "Kyiv wait", "kind": "longest_wait_over", "threshold": "lots"})
    assert bad.status_code == 422 and f'action="/alerts/{own["id"]}/edit"' in bad.text
    assert lead.post(f"/alerts/{own['id']}/pause", follow_redirects=False).status_code == 303
    with session_scope(url) as session:
        row = session.get(AlertRule, own["id"])
        assert row is not None
        assert (row.threshold, row.minutes, row.enabled) == (90.0, 2.0, False)
        assert row.webhook_url == "http://127.0.0.1:9/kyiv"
        actions = [(e.actor, e.action) for e in audit_entries(session)]
    assert ("kyiv-lead", "alert_rule_paused") in actions
    assert ("kyiv-lead", "alert_rule_changed") in actions
    page = lead.get("/alerts?lang=en").text
    assert ">paused<" in page and "Resume rule" in page
    # an edit from the page leaves a paused rule paused
    assert lead.post(f"/alerts/{own['id']}/edit", data={
        "name": "Kyiv wait", "kind": "longest_wait_over", "threshold": "95",
        "tenant": "A", "site": "kyiv"}, follow_redirects=False).status_code == 303
    listed = {r["id"]: r for r in lead.get("/api/v1/alerts").json()["rules"]}
    assert listed[own["id"]]["enabled"] is False and listed[own["id"]]["threshold"] == 95
    assert lead.post(f"/alerts/{own['id']}/resume", follow_redirects=False).status_code == 303
    assert {r["id"]: r for r in lead.get("/api/v1/alerts").json()["rules"]}[own["id"]][
        "enabled"] is True


def test_a_disabled_account_s_stream_ends(live_app: tuple[FastAPI, dict[str, str]],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Rights were checked only when the stream opened: a leaver's wallboard kept its
    live data after ``users disable``. The stream now checks again and says so."""
    from omnikpi.auth.accounts import set_disabled
    from omnikpi.web.routes import live as live_routes

    monkeypatch.setattr(live_routes, "RECHECK_SECONDS", 0.2)
    monkeypatch.setattr(live_routes, "HEARTBEAT_SECONDS", 0.2)
    app, _ = live_app
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "leaver", PASSWORD, "supervisor", tenant="A")
    with running_server(app) as url:
        token = httpx.post(f"{url}/api/v1/auth/token",
                           data={"username": "leaver", "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        seen: list[str] = []
        with httpx.stream("GET", f"{url}/api/v1/live/stream", headers=headers,
                          timeout=30) as stream:
            for line in stream.iter_lines():
                seen.append(line)
                if line == "event: snapshot" and seen.count("event: snapshot") == 1:
                    with session_scope(app.state.omnikpi.database_url) as session:
                        set_disabled(session, "leaver", True)
                if line == "event: signed-out" or len(seen) > 400:
                    break
        assert "event: signed-out" in seen


def test_an_agent_account_sees_only_itself_on_the_wallboard(
        live_app: tuple[FastAPI, dict[str, str]]) -> None:
    """An agent's wallboard listed colleagues' states and not-ready reasons (and the alert
    about a colleague): their own rows only, as on every other page."""
    app, keys = live_app
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "agent-a1", PASSWORD, "agent", tenant="A", agent_id="a1")
    with running_server(app) as url:
        states = [{"agent_id": agent, "state": state, "reason": reason, "start": ago(200),
                   "channel": "voice", "site": "kyiv", "tenant": "A"}
                  for agent, state, reason in (("a1", "available", None),
                                               ("a2", "not_ready", "private-reason"))]
        assert post(url, keys["all"], "agent_states", states).json()["accepted"] == 2
        admin = live(url, httpx.post(f"{url}/api/v1/auth/token", data={
            "username": "boss", "password": PASSWORD}).json()["access_token"])
        assert {a["agent_id"] for a in admin["agent_list"]} >= {"a1", "a2"}
        token = httpx.post(f"{url}/api/v1/auth/token", data={
            "username": "agent-a1", "password": PASSWORD}).json()["access_token"]
        own = live(url, token)
        assert [a["agent_id"] for a in own["agent_list"]] == ["a1"]
        assert "private-reason" not in json.dumps(own)


@pytest.mark.parametrize(("body", "said"), [
    # "treshold" made a rule at 0 that fired on every queue with a caller waiting
    ({"name": "a", "kind": "longest_wait_over", "treshold": 60}, "threshold"),
    ({"name": "a", "kind": "longest_wait_over", "threshold": 60, "minuts": 5}, "minuts"),
    ({"name": "", "kind": "longest_wait_over", "threshold": 60}, "name"),  # was a 500
    ({"name": "   ", "kind": "longest_wait_over", "threshold": 60}, "name"),
])
def test_a_rule_without_its_fields_or_with_a_stranger_is_refused(
        make_app: Callable[..., FastAPI], tmp_path: Path, body: dict[str, object],
        said: str) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(make_app(write_two_tenants(tmp_path / "data"), auth_required=False,
                                 live_updates=False))
    refused = client.post("/api/v1/alerts", json=body)
    assert refused.status_code == 422 and said in refused.text, refused.text
    assert client.get("/api/v1/alerts").json()["rules"] == []
    made = client.post("/api/v1/alerts", json={"name": "wait", "kind": "longest_wait_over",
                                               "threshold": 60})
    assert made.status_code == 200, made.text
    rule = made.json()["id"]
    # an update leaving the threshold out reset it to 0
    left_out = client.put(f"/api/v1/alerts/{rule}", json={"name": "wait",
                                                           "kind": "longest_wait_over"})
    assert left_out.status_code == 422 and "threshold" in left_out.text
    assert client.get("/api/v1/alerts").json()["rules"][0]["threshold"] == 60
