"""Alert rules on hand-made snapshots, minute by minute with an injected clock: every kind
fires after its hold time, once, and clears once; hysteresis; the rolling window; scope;
the sentence; the history rows."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from omnikpi.live.alert_kinds import KINDS, sentence
from omnikpi.live.alerts import AlertEngine, Notice
from omnikpi.store.db import head_revision, session_scope, upgrade
from omnikpi.store.models import AlertEvent, AlertRule
from omnikpi.store.models_live import AlertEventDetail, AlertRuleOptions

US = 1_000_000
MIN = 60 * US
START = 1_800_000_000 * US
QUEUE = {"tenant": "A", "site": "kyiv", "queue": "Sales", "channel": "voice",
         "mode": "continuous"}


def snap(**values: Any) -> dict[str, Any]:
    """A snapshot with one queue row, one e-mail queue row, one agent, one chat agent and
    the unavailable channels; ``values`` set the numbers the kinds read."""
    sales = {**QUEUE, "service_level": 0.9, "abandon_rate": 0.01, "longest_wait_s": 5.0,
             "waiting": 1, "agents_available": 4, "aht": 200.0}
    mail = {"tenant": "A", "site": "kyiv", "queue": "Mail", "channel": "email",
            "mode": "discrete", "longest_wait_s": 600.0, "waiting": 3}
    agent = {"agent_id": "a7", "tenant": "A", "site": "kyiv", "channel": "voice",
             "not_ready_s": 0.0, "adherence": 0.95}
    chat = {"agent_id": "c1", "tenant": "A", "site": "kyiv", "sessions": 3, "capacity": 4}
    for key, value in values.items():
        if key == "closed":
            continue
        target, _, name = key.partition("__")
        {"q": sales, "m": mail, "a": agent, "c": chat}[target][name] = value
    return {"queues": [sales, mail], "agent_list": [agent], "chat": [chat],
            "unavailable": [{"channel": "chat", "queue": "web"}] if values.get("closed")
            else []}


# kind → (threshold, the bad snapshot, the good snapshot, its subject key)
CASES: dict[str, tuple[float, dict[str, Any], dict[str, Any], str]] = {
    "sl_below": (0.8, snap(q__service_level=0.62), snap(), "A / kyiv / Sales / voice"),
    "abandon_over": (0.05, snap(q__abandon_rate=0.12), snap(), "A / kyiv / Sales / voice"),
    "longest_wait_over": (60, snap(q__longest_wait_s=95.0), snap(),
                          "A / kyiv / Sales / voice"),
    "waiting_over": (5, snap(q__waiting=9), snap(), "A / kyiv / Sales / voice"),
    "available_below": (2, snap(q__agents_available=1), snap(), "A / kyiv / Sales / voice"),
    "aht_over": (300, snap(q__aht=420.0), snap(), "A / kyiv / Sales / voice"),
    "not_ready_over": (600, snap(a__not_ready_s=900.0), snap(), "agent A / a7"),
    "adherence_below": (0.9, snap(a__adherence=0.7), snap(), "agent A / a7"),
    "backlog_age_over": (3600, snap(m__longest_wait_s=7200.0), snap(),
                         "A / kyiv / Mail / email"),
    "widget_unavailable": (0, snap(closed=True), snap(), "chat/web"),
    "agent_over_capacity": (0, snap(c__sessions=6), snap(), "agent A / c1"),
}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("alerts") / "empty.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture()
def db(migrated: Path, tmp_path: Path) -> str:
    """A fresh copy of a migrated database (migrating costs seconds, copying nothing)."""
    path = tmp_path / "a.db"
    shutil.copyfile(migrated, path)
    return f"sqlite:///{path}"


def add_rule(url: str, kind: str, threshold: float, minutes: float = 5, *,
             window: float = 0.0, clear: float | None = None, **where: str) -> None:
    with session_scope(url) as session:
        rule = AlertRule(name=kind, kind=kind, threshold=threshold, minutes=minutes, **where)
        session.add(rule)
        session.flush()
        session.add(AlertRuleOptions(rule_id=rule.id, window_minutes=window,
                                     clear_threshold=clear, emails="lead@example.com"))


def test_every_kind_is_covered() -> None:
    assert set(CASES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_every_kind_fires_after_its_hold_once_and_clears_once(db: str, kind: str) -> None:
    threshold, bad, good, subject = CASES[kind]
    add_rule(db, kind, threshold, minutes=5)
    sent: list[Notice] = []
    engine = AlertEngine(db, send=sent.append)
    for minute in range(5):                                    # held 0…4 min: pending
        assert engine.evaluate(bad, START + minute * MIN) == [], minute
    firing = engine.evaluate(bad, START + 5 * MIN)             # 5 min: fires
    assert [a.key for a in firing] == [subject]
    for minute in range(6, 9):                                 # still the one firing
        assert [a.key for a in engine.evaluate(bad, START + minute * MIN)] == [subject]
    for minute in range(9, 14):                                # recovered, held 0…4 min
        assert len(engine.evaluate(good, START + minute * MIN)) == 1
    assert engine.evaluate(good, START + 14 * MIN) == []       # cleared after 5 min
    assert engine.evaluate(good, START + 30 * MIN) == []
    with session_scope(db) as session:
        events = session.scalars(select(AlertEvent)).all()
        assert len(events) == 1                                # fired once
        assert events[0].started_at.replace(tzinfo=None).timestamp() * US == \
            START + 5 * MIN
        assert events[0].ended_at is not None                  # cleared once
    assert [n.payload["status"] for n in sent] == ["firing", "cleared"]


def test_hysteresis_a_value_hovering_at_the_threshold_fires_and_clears_once(db: str) -> None:
    add_rule(db, "sl_below", 0.8, minutes=0, clear=0.85)
    engine = AlertEngine(db, send=lambda n: None)
    levels = [0.79, 0.81, 0.79, 0.83, 0.79, 0.84, 0.86, 0.79]
    firing = [bool(engine.evaluate(snap(q__service_level=v), START + i * MIN))
              for i, v in enumerate(levels)]
    # fires at 0.79, stays through 0.81…0.84 (below the clearing level), clears at 0.86,
    # fires anew at the last 0.79
    assert firing == [True, True, True, True, True, True, False, True]
    with session_scope(db) as session:
        assert len(session.scalars(select(AlertEvent)).all()) == 2


def test_a_short_dip_does_not_fire(db: str) -> None:
    add_rule(db, "waiting_over", 5, minutes=3)
    engine = AlertEngine(db, send=lambda n: None)
    for i, waiting in enumerate([9, 9, 2, 9, 9, 2, 9]):
        assert engine.evaluate(snap(q__waiting=waiting), START + i * MIN) == []


def test_the_rolling_window_judges_the_mean(db: str) -> None:
    add_rule(db, "longest_wait_over", 60, minutes=0, window=3)
    engine = AlertEngine(db, send=lambda n: None)
    # one sample a minute; the window holds the samples of the last 3 minutes (4 points):
    # means 30, 30, 70, 67.5, 67.5, 67.5, 37.5 — without the window the 60 s sample alone
    # would have cleared it at minute 3
    waits = [30.0, 30.0, 150.0, 60.0, 30.0, 30.0, 30.0]
    out = [bool(engine.evaluate(snap(q__longest_wait_s=w), START + i * MIN))
           for i, w in enumerate(waits)]
    assert out == [False, False, True, True, True, True, False]


def test_scope_of_a_rule_and_the_sentence(db: str) -> None:
    add_rule(db, "sl_below", 0.8, minutes=5, queue="Sales")
    add_rule(db, "sl_below", 0.8, minutes=5, site="lviv")
    engine = AlertEngine(db, send=lambda n: None)
    bad = snap(q__service_level=0.62)
    engine.evaluate(bad, START)
    firing = engine.evaluate(bad, START + 5 * MIN)
    assert [a.rule.name for a in firing] == ["sl_below"] and len(firing) == 1
    assert firing[0].to_json()["message"] == \
        "SL 62 % < 80 % on queue Sales (voice, kyiv, A) for 5 min"
    with session_scope(db) as session:
        detail = session.scalars(select(AlertEventDetail)).one()
        facts = json.loads(detail.facts)
    assert facts["value"] == pytest.approx(0.62) and facts["held_s"] == 300
    assert sentence(facts) == "SL 62 % < 80 % on queue Sales (voice, kyiv, A) for 5 min"
    agent = {"kind": "not_ready_over", "value": 754.0, "threshold": 600, "unit": "seconds",
             "subject": {"agent_id": "a7", "site": "kyiv"}, "held_s": 0}
    assert sentence(agent) == "Not ready 12 min 34 s > 10 min on agent a7 (kyiv)"
    assert sentence({**agent, "cleared": True}).startswith("Cleared: Not ready")


def test_two_clients_agents_of_one_id_have_their_own_firings(db: str) -> None:
    """Agent ids repeat across a provider's clients: when the board's a7 passes from
    client A's state to client B's, B's a7 took over A's firing (A's banner showed B's
    2,000 s; B had none). Now A's firing clears and B's fires."""
    add_rule(db, "not_ready_over", 600, minutes=0)
    engine = AlertEngine(db, send=lambda n: None)
    a_only = snap(a__not_ready_s=900.0)
    b_only = {**a_only, "agent_list": [{**a_only["agent_list"][0], "tenant": "B",
                                        "not_ready_s": 2000.0}]}
    assert [(a.to_json()["tenant"], a.value) for a in engine.evaluate(a_only, START)] == [
        ("A", 900.0)]
    firing = engine.evaluate(b_only, START + MIN)
    assert [(a.to_json()["tenant"], a.value) for a in firing] == [("B", 2000.0)]
    with session_scope(db) as session:
        events = {e.subject: e.ended_at for e in session.scalars(select(AlertEvent))}
    assert set(events) == {"agent A / a7", "agent B / a7"}
    assert events["agent A / a7"] is not None and events["agent B / a7"] is None


def test_a_rule_given_another_kind_starts_afresh(db: str) -> None:
    """A firing service-level rule edited into an abandon-rate rule kept its window of
    service levels: "Abandon rate 62 % > 5 %" at an abandon rate of 1 %."""
    add_rule(db, "sl_below", 0.8, minutes=0, window=15)
    engine = AlertEngine(db, send=lambda n: None)
    bad = snap(q__service_level=0.62)  # abandon rate 0.01
    assert len(engine.evaluate(bad, START)) == 1
    with session_scope(db) as session:
        (rule,) = session.scalars(select(AlertRule)).all()
        rule.kind, rule.threshold = "abandon_over", 0.05
    engine.reload()
    assert engine.firing() == [] and engine.evaluate(bad, START + MIN) == []
    with session_scope(db) as session:
        (event,) = session.scalars(select(AlertEvent)).all()
        assert event.ended_at is not None  # the service-level firing was closed


def test_a_rule_s_channel_is_read_in_lower_case(db: str) -> None:
    """A rule for channel "Voice" (as typed) never fired: the live data's channels are in
    lower case, as the boards' filter reads them."""
    add_rule(db, "sl_below", 0.8, minutes=0, channel="Voice ")
    engine = AlertEngine(db, send=lambda n: None)
    assert len(engine.evaluate(snap(q__service_level=0.62), START)) == 1


def test_no_value_is_nothing_to_judge(db: str) -> None:
    add_rule(db, "sl_below", 0.8, minutes=0)
    engine = AlertEngine(db, send=lambda n: None)
    assert engine.evaluate(snap(q__service_level=None), START) == []


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def test_an_alert_reaches_a_real_smtp_server_and_a_signed_webhook(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Firing and clearing, each by e-mail (aiosmtpd on this machine) and by a webhook
    whose signature the receiver verifies with the shared secret."""
    import http.server
    import socket
    import threading

    from aiosmtpd.controller import Controller

    from omnikpi.config import AlertSettings, Config, EmailSettings
    from omnikpi.delivery.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

    received: list[tuple[bool, dict[str, Any]]] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = verify("hook-secret", self.headers[TIMESTAMP_HEADER],
                        self.headers[SIGNATURE_HEADER], body)
            received.append((ok, json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    monkeypatch.setenv("OMNIKPI_WEBHOOK_SECRET", "hook-secret")
    try:
        with session_scope(db) as session:
            rule = AlertRule(name="SL Sales", kind="sl_below", threshold=0.8, minutes=5,
                             queue="Sales",
                             webhook_url=f"http://127.0.0.1:{hook.server_address[1]}/h")
            session.add(rule)
            session.flush()
            session.add(AlertRuleOptions(rule_id=rule.id, emails="floor@example.com"))
        config = Config(alerts=AlertSettings(webhook_allowed_hosts=["127.0.0.1"]),
                        email=EmailSettings(host="127.0.0.1", port=port, security="none",
                                            sender="kpi@example.com"))
        notices: list[Notice] = []
        engine = AlertEngine(db, config=config, send=notices.append)
        for minute, sl in enumerate([0.62] * 6 + [0.9] * 6):
            engine.evaluate(snap(q__service_level=sl), START + minute * MIN)
        assert [n.payload["status"] for n in notices] == ["firing", "cleared"]
        for notice in notices:
            engine.deliver(notice)  # what the background thread does
    finally:
        smtp.stop()
        hook.shutdown()
    assert [(ok, body["status"]) for ok, body in received] == [(True, "firing"),
                                                               (True, "cleared")]
    assert received[0][1]["text"] == \
        "SL 62 % < 80 % on queue Sales (voice, kyiv, A) for 5 min"
    assert [to for to, _ in inbox.messages] == [["floor@example.com"]] * 2
    subjects = [str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])
                .strip()
                for _, raw in inbox.messages]
    assert subjects == ["OmniKPI alert: SL 62 % < 80 % on queue Sales (voice, kyiv, A) for "
                        "5 min",
                        "OmniKPI alert: Cleared: SL 62 % < 80 % on queue Sales (voice, kyiv, "
                        "A) for 5 min"]
    with session_scope(db) as session:
        event = session.scalars(select(AlertEvent)).one()
        detail = session.get(AlertEventDetail, event.id)
        assert event.delivered and detail is not None and detail.emailed


def test_an_alert_webhook_without_the_secret_is_not_sent_unsigned(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scheduled reports refused an unsigned webhook; alerts posted one without a word,
    which a receiver written from the docs rejects (or, worse, accepts)."""
    from omnikpi.config import AlertSettings, Config

    monkeypatch.delenv("OMNIKPI_WEBHOOK_SECRET", raising=False)
    with session_scope(db) as session:
        session.add(AlertRule(name="SL", kind="sl_below", threshold=0.8, minutes=0,
                              webhook_url="http://127.0.0.1:9/never-called"))
    config = Config(alerts=AlertSettings(webhook_allowed_hosts=["127.0.0.1"]))
    notices: list[Notice] = []
    engine = AlertEngine(db, config=config, send=notices.append)
    engine.evaluate(snap(q__service_level=0.5), START)
    assert len(notices) == 1
    engine.deliver(notices[0])
    with session_scope(db) as session:
        event = session.scalars(select(AlertEvent)).one()
        assert not event.delivered
        assert event.delivery_error == \
            "webhooks are signed: put the shared secret in $OMNIKPI_WEBHOOK_SECRET"


def test_revision_0007_matches_models_live(db: str) -> None:
    """The migration creates exactly what models_live.py declares."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from omnikpi.store.db import get_engine
    from omnikpi.store.models import Base

    mine = {"live_boards", "alert_rule_options", "alert_event_details"}
    with get_engine(db).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    def tables(diff: Any) -> set[str]:
        item = diff[0] if isinstance(diff, list) else diff
        found = set()
        for part in item[1:]:
            name = part if isinstance(part, str) else getattr(part, "name", None)
            table = getattr(getattr(part, "table", None), "name", None)
            found |= {str(n) for n in (name, table) if n in mine}
        return found

    assert [d for d in differences if tables(d)] == []
    assert set(Base.metadata.tables) >= mine


def test_a_rule_bound_to_a_tenant_or_site_never_fires_on_a_subject_without_one() -> None:
    """A site supervisor's rule fired on queues of no site (and on every tenant's chat
    widget, which has no tenant): those firings reached their history and e-mail. A
    queue or channel still does not narrow a subject without one (an agent's state)."""
    from types import SimpleNamespace

    from omnikpi.live.alert_kinds import matches

    kyiv = SimpleNamespace(tenant=None, site="kyiv", queue=None, channel=None)
    assert matches(kyiv, {"tenant": "A", "site": "kyiv", "queue": "sales"})
    assert not matches(kyiv, {"queue": "oldq", "channel": "voice"})
    assert not matches(kyiv, {"tenant": "A", "site": "lviv", "queue": "sales"})
    telco = SimpleNamespace(tenant="telco", site=None, queue=None, channel="chat")
    assert not matches(telco, {"channel": "chat", "queue": "web"})  # no tenant: not theirs
    sales = SimpleNamespace(tenant=None, site=None, queue="sales", channel=None)
    assert matches(sales, {"agent_id": "a7"})  # an agent has no queue
    assert matches(sales, {"queue": "sales", "channel": "voice"})


def test_an_alert_sentence_is_all_in_the_reader_s_language() -> None:
    """Russian and Ukrainian sentences kept the English channel ("voice") and decimal
    point ("244769.7 ч")."""
    from omnikpi.web.i18n import translator

    facts = {"kind": "longest_wait_over", "value": 244_769.7 * 3600, "threshold": 30,
             "unit": "seconds", "held_s": 0,
             "subject": {"tenant": "A", "site": "kyiv", "queue": "sales", "channel": "voice"}}
    assert sentence(facts, translator("ru")) == \
        "Максимальное ожидание 244\u202f769,7 ч > 30 с: очередь sales (голос, kyiv, A)"
    assert sentence(facts) == "Longest wait 244,769.7 h > 30 s on queue sales (voice, kyiv, A)"


def test_a_restart_keeps_a_firing_alert_instead_of_firing_it_again(db: str) -> None:
    """The state lived in memory alone: after a restart every alert still firing was
    recorded and e-mailed a second time, the first copy never ended, and its
    acknowledgement no longer applied. Now the open firing is watched again."""
    add_rule(db, "sl_below", 0.8, minutes=0)
    bad, good = snap(q__service_level=0.6), snap()
    sent: list[Notice] = []
    AlertEngine(db, send=sent.append).evaluate(bad, START)
    assert [n.payload["status"] for n in sent] == ["firing"]
    restarted = AlertEngine(db, send=sent.append)  # the server starts again
    assert [a.key for a in restarted.evaluate(bad, START + 10 * MIN)] == [
        "A / kyiv / Sales / voice"]
    assert [n.payload["status"] for n in sent] == ["firing"]  # nothing sent again
    assert restarted.evaluate(good, START + 11 * MIN) == []
    assert [n.payload["status"] for n in sent] == ["firing", "cleared"]
    with session_scope(db) as session:
        events = session.scalars(select(AlertEvent)).all()
    assert len(events) == 1 and events[0].ended_at is not None
    assert events[0].started_at.replace(tzinfo=None).timestamp() * US == START


def test_a_firing_left_open_by_a_removed_rule_is_closed_on_start(db: str) -> None:
    add_rule(db, "sl_below", 0.8, minutes=0)
    AlertEngine(db, send=lambda n: None).evaluate(snap(q__service_level=0.6), START)
    with session_scope(db) as session:
        rule = session.scalars(select(AlertRule)).one()
        rule.enabled = False
    AlertEngine(db, send=lambda n: None)
    with session_scope(db) as session:
        assert session.scalars(select(AlertEvent)).one().ended_at is not None


def test_a_rule_paused_while_firing_ends_its_firing(db: str) -> None:
    """Pausing (or deleting) a rule dropped its firing from memory but left the firing
    "ongoing" in the history until the server restarted."""
    add_rule(db, "waiting_over", 5, minutes=0)
    engine = AlertEngine(db, send=lambda n: None)
    assert len(engine.evaluate(snap(q__waiting=9), START)) == 1
    with session_scope(db) as session:
        (rule,) = session.scalars(select(AlertRule)).all()
        rule.enabled = False
    engine.reload()
    assert engine.firing() == []
    with session_scope(db) as session:
        (event,) = session.scalars(select(AlertEvent)).all()
        assert event.ended_at is not None


def test_revision_0010_copies_each_firing_s_subject_into_columns(tmp_path: Path) -> None:
    """A database with firings from before 0010: their subject's tenant and site are
    filled from the facts; a firing without a subject (an old one) keeps none."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0009")
    with session_scope(url) as session:
        session.execute(text("INSERT INTO alert_rules (id, name, kind, threshold, minutes, "
                             "enabled, created_by, created_at) VALUES (1, 'r', 'sl_below', "
                             "0.8, 0, 1, 'x', '2026-11-01 00:00:00')"))
        for event_id, facts in ((1, {"subject": {"tenant": "A", "site": "kyiv"}}),
                                (2, {"message": "from before 0007"})):
            session.execute(text(
                "INSERT INTO alert_events (id, rule_id, subject, message, started_at, "
                "delivered) VALUES (:id, 1, 's', 'm', '2026-11-01 00:00:00', 0)"),
                {"id": event_id})
            session.execute(text("INSERT INTO alert_event_details (event_id, kind, facts, "
                                 "emailed) VALUES (:id, 'sl_below', :facts, 0)"),
                            {"id": event_id, "facts": json.dumps(facts)})
    assert upgrade(url) == head_revision()  # 0010, and those after it
    with session_scope(url) as session:
        rows = session.execute(text("SELECT event_id, subject_tenant, subject_site FROM "
                                    "alert_event_details ORDER BY event_id")).all()
    assert [tuple(r) for r in rows] == [(1, "A", "kyiv"), (2, None, None)]


def test_a_new_firing_s_subject_is_in_its_columns(db: str) -> None:
    add_rule(db, "waiting_over", 5, minutes=0)
    AlertEngine(db, send=lambda n: None).evaluate(snap(q__waiting=9), START)
    with session_scope(db) as session:
        (detail,) = session.scalars(select(AlertEventDetail)).all()
        assert (detail.subject_tenant, detail.subject_site) == ("A", "kyiv")


# -- the window judges every reading; notices in order, outcome kept, clearing said -------


def test_a_short_dip_after_a_good_quarter_hour_is_averaged_with_it(db: str) -> None:
    """sl_below 0.8, 15-minute window, 2-minute hold, a snapshot every 15 s (a 60th of the
    window: each its own bucket): 13 minutes at 95 % (52 samples, 0…765 s) then 70 %. The
    window kept only the samples in breach, so it fired 2 minutes into the dip (900 s) at
    70 % although the 15-minute mean was 91.7 %. Now the window holds 61 samples (the
    last 900 s) and goes below 80 % with the 37th at 70 % (24 × 0.95 + 37 × 0.7 = 48.7,
    / 61 = 0.798, at 1320 s; with 36 it is 48.95 / 61 = 0.802); held 2 minutes it fires
    at 1440 s, at (16 × 0.95 + 45 × 0.7) / 61 = 46.7 / 61."""
    add_rule(db, "sl_below", 0.8, minutes=2, window=15)
    sent: list[Notice] = []
    engine = AlertEngine(db, send=sent.append)
    step = 15 * US
    fired_at = None
    for i in range(200):
        sl = 0.95 if i < 52 else 0.70
        firing = engine.evaluate(snap(q__service_level=sl), START + i * step)
        if firing:
            fired_at = i
            break
    assert fired_at == 96  # 1440 s, not 60 (900 s: 2 minutes into the dip)
    (alert,) = engine.firing()
    assert alert.value == pytest.approx(46.7 / 61)
    assert alert.breach_since_us == START + 88 * step
    assert [n.payload["status"] for n in sent] == ["firing"]


def test_a_window_keeps_at_most_60_buckets_and_their_exact_mean() -> None:
    """Four snapshots a second for 20 minutes into a 15-minute window: 3,601 samples,
    kept as 61 buckets of 15 s, whose mean is that of the samples kept (the last 900 s
    and at most one bucket more)."""
    from omnikpi.live.alerts import Window

    window = Window()
    values = [float(i % 7) for i in range(4800)]
    for i, value in enumerate(values):
        window.add(START + i * US // 4, value, 15 * MIN)
    assert len(window.buckets) <= 61
    # buckets of 60 samples (15 s); the oldest kept ends at or after now − 900 s
    first = window.buckets[0]
    kept = values[(first.first_us - START) * 4 // US:]
    assert sum(b.count for b in window.buckets) == len(kept)
    assert 3600 <= len(kept) <= 3660
    assert window.mean() == pytest.approx(sum(kept) / len(kept), abs=1e-12)


def test_the_cleared_notice_says_it_cleared_with_the_clearing_facts(db: str) -> None:
    """Its ``alert`` was the recovered value with the firing sentence: "Waiting 1 > 5"
    and ``cleared: false``. Each notice carries its firing's id, a sequence and the
    instant of its status."""
    add_rule(db, "waiting_over", 5, minutes=0)
    sent: list[Notice] = []
    engine = AlertEngine(db, send=sent.append)
    engine.evaluate(snap(q__waiting=9), START)
    engine.evaluate(snap(q__waiting=1), START + 3 * MIN)
    firing, cleared = (n.payload for n in sent)
    assert firing["alert"]["message"] == "Waiting 9 > 5 on queue Sales (voice, kyiv, A)"
    assert cleared["status"] == "cleared"
    assert cleared["text"] == "Cleared: Waiting 9 > 5 on queue Sales (voice, kyiv, A)"
    assert cleared["alert"]["message"] == cleared["text"]
    assert cleared["alert"]["facts"]["cleared"] is True
    assert cleared["alert"]["facts"]["value"] == 9.0
    assert cleared["alert"]["facts"]["cleared_value"] == 1.0
    assert firing["alert"]["facts"]["cleared"] is False
    assert [p["sequence"] for p in (firing, cleared)] == [1, 2]
    assert firing["event_id"] == cleared["event_id"] == firing["alert"]["event_id"] == 1
    assert firing["status_at"] == "2027-01-15T08:00:00+00:00"
    assert cleared["status_at"] == "2027-01-15T08:03:00+00:00"


def _hook_rule(url: str, emails: str | None = None) -> None:
    with session_scope(url) as session:
        rule = AlertRule(name="Wait", kind="waiting_over", threshold=5, minutes=0,
                         webhook_url="http://127.0.0.1:9/hook")
        session.add(rule)
        session.flush()
        session.add(AlertRuleOptions(rule_id=rule.id, emails=emails))


def test_a_clearing_waits_for_its_firing_s_attempts(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each notice had its own thread: while the firing waited to be retried the
    clearing got through, and the retried firing then left the receiver on "firing"
    for an alert that had ended. Now one sender per rule and subject sends them in turn."""
    import threading

    from omnikpi.delivery import DeliveryError, webhook

    monkeypatch.setenv("OMNIKPI_WEBHOOK_SECRET", "s3cret")
    _hook_rule(db)
    posted: list[str] = []
    firing_may_end = threading.Event()
    clearing_posted = threading.Event()

    def fake_post(url: str, body: bytes, **_: Any) -> None:
        payload = json.loads(body)
        if payload["status"] == "firing":
            posted.append("firing tried")
            firing_may_end.wait(5)  # the attempts and their back-off
            posted.append("firing failed")
            raise DeliveryError("the receiver answered 500 (2 attempts)")
        posted.append(f"cleared sent (sequence {payload.get('sequence')})")
        clearing_posted.set()

    monkeypatch.setattr(webhook, "post", fake_post)
    engine = AlertEngine(db)  # the background sender
    recorded: list[str] = []
    both_recorded = threading.Event()
    deliver = engine.deliver

    def deliver_and_count(notice: Notice) -> None:
        deliver(notice)
        recorded.append(notice.payload["status"])
        if len(recorded) == 2:
            both_recorded.set()

    monkeypatch.setattr(engine, "deliver", deliver_and_count)
    engine.evaluate(snap(q__waiting=9), START)
    engine.evaluate(snap(q__waiting=1), START + MIN)
    clearing_posted.wait(0.5)  # a sender of its own posts it at once
    firing_may_end.set()
    assert both_recorded.wait(5)
    assert posted == ["firing tried", "firing failed", "cleared sent (sequence 2)"]
    assert recorded == ["firing", "cleared"]
    with session_scope(db) as session:
        event = session.scalars(select(AlertEvent)).one()
        assert (event.delivered, event.delivery_error) == (
            False, "the receiver answered 500 (2 attempts)")


@pytest.mark.parametrize(("fails", "delivered", "error"), [
    ("firing", False, "HTTP 500 (firing)"),
    ("cleared", False, "clearing: HTTP 500 (cleared)"),
    ("", True, None),
    ("both", False, "HTTP 500 (firing); clearing: HTTP 500 (cleared)"),
])
def test_a_failed_firing_is_not_recorded_as_delivered_when_its_clearing_is(
        db: str, monkeypatch: pytest.MonkeyPatch, fails: str, delivered: bool,
        error: str | None) -> None:
    """The clearing's outcome overwrote the firing's: a firing never delivered read
    ``delivered: true`` in the history once its clearing got through. The same for the
    e-mail outcome."""
    from omnikpi.delivery import DeliveryError, webhook
    from omnikpi.delivery import email as mail

    monkeypatch.setenv("OMNIKPI_WEBHOOK_SECRET", "s3cret")
    _hook_rule(db, emails="lead@example.com")

    def outcome(status: str) -> None:
        if fails in (status, "both"):
            raise DeliveryError(f"HTTP 500 ({status})")

    monkeypatch.setattr(webhook, "post",
                        lambda url, body, **_: outcome(json.loads(body)["status"]))
    monkeypatch.setattr(mail, "send_email", lambda config, to, subject, text: outcome(
        "cleared" if subject.startswith("OmniKPI alert: Cleared") else "firing"))
    notices: list[Notice] = []
    engine = AlertEngine(db, send=notices.append)
    engine.evaluate(snap(q__waiting=9), START)
    engine.evaluate(snap(q__waiting=1), START + MIN)
    for notice in notices:
        engine.deliver(notice)
    with session_scope(db) as session:
        event = session.scalars(select(AlertEvent)).one()
        detail = session.get(AlertEventDetail, event.id)
        assert detail is not None
        assert (event.delivered, event.delivery_error) == (delivered, error)
        assert (detail.emailed, detail.email_error) == (delivered, error)
