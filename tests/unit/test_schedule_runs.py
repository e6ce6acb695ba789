"""`omnikpi schedule add|list|run-due` end to end on the two-tenant dataset: the period
just ended is reported, each instant runs once (also with two processes at once), the
owner's tenant scope holds, and the file reaches a folder, a real SMTP server and a real
webhook receiver that checks the signature.

Hand-computed numbers (tests/web/tenants.py, all on 2026-11-02 UTC, i.e. Kyiv the same day):
tenant A offered 5 (a-1..a-5), answered 4 (a-3 abandoned); tenant B offered 3, answered 2.
"""

from __future__ import annotations

import csv
import email
import email.policy
import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from typer.testing import CliRunner

from omnikpi.auth.accounts import create_user
from omnikpi.cli.main import app
from omnikpi.config import load_config
from omnikpi.delivery.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from omnikpi.schedules.runner import folder_datasets, run_due
from omnikpi.schedules.store import list_schedules, runs_of
from omnikpi.store.db import session_scope, upgrade
from tests.web.tenants import MARK, write_two_tenants

runner = CliRunner()
SECRET = "shared-secret"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


class Receiver(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[bool, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        genuine = verify(SECRET, self.headers.get(TIMESTAMP_HEADER, ""),
                         self.headers.get(SIGNATURE_HEADER, ""), body)
        type(self).received.append((genuine, dict(self.headers), body))
        self.send_response(204 if genuine else 401)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("schedules")
    data = write_two_tenants(root / "data")
    url = f"sqlite:///{root / 'app.db'}"
    upgrade(url)
    with session_scope(url) as session:
        create_user(session, "client-a", "pw-a-123456", "client", tenant="A")
    inbox = Inbox()
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    http_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=http_server.serve_forever, daemon=True).start()
    config = root / "omnikpi.toml"
    config.write_text(f'[email]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
                      'sender = "kpi@example.com"\n'
                      '[alerts]\nwebhook_allowed_hosts = ["127.0.0.1"]\n'
                      '[webhooks]\nattempts = 2\nfirst_retry_seconds = 0\n')
    definition = root / "volume.toml"
    definition.write_text('name = "Volume"\nmetrics = ["offered", "answered"]\n'
                          'by = ["tenant"]\n')
    yield {"root": root, "data": data, "url": url, "inbox": inbox, "config": config,
           "definition": definition,
           "hook": f"http://127.0.0.1:{http_server.server_address[1]}/hook"}
    smtp.stop()
    http_server.shutdown()


def cli(world: dict[str, Any], *args: str) -> Any:
    return runner.invoke(app, [*args, "--database-url", world["url"]],
                         env={"OMNIKPI_WEBHOOK_SECRET": SECRET})


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_schedules_run_once_for_the_day_just_ended_and_arrive(world: dict[str, Any]) -> None:
    since = ["--since", "2026-11-01T00:00:00Z", "--definition", str(world["definition"]),
             "--tz", "Europe/Kyiv", "--format", "csv", "--data", str(world["data"])]
    out = world["root"] / "out"
    added = [
        cli(world, "schedule", "add", "All tenants", "--cron", "0 8 * * *", "--folder",
            str(out), *since),
        cli(world, "schedule", "add", "Client A", "--cron", "daily", "--folder", str(out),
            "--owner", "client-a", *since),
        cli(world, "schedule", "add", "Mailed", "--cron", "0 8 * * *", "--email",
            "boss@example.com,ops@example.com", *since),
        cli(world, "schedule", "add", "Отправлено", "--cron", "0 8 * * *", "--webhook",
            world["hook"], "--config", str(world["config"]), *since),
    ]
    assert [r.exit_code for r in added] == [0, 0, 0, 0], [r.output for r in added]
    assert "next run 2026-11-01T08:00:00+02:00" in added[0].output

    ran = cli(world, "schedule", "run-due", "--now", "2026-11-03T09:30:00+02:00",
              "--config", str(world["config"]))
    assert ran.exit_code == 0, ran.output
    lines = [line.split("\t") for line in ran.output.strip().splitlines()]
    assert sorted((status, name, label) for status, name, label, _ in lines) == [
        ("ok", "All tenants", "2026-11-02"), ("ok", "Client A", "2026-11-02"),
        ("ok", "Mailed", "2026-11-02"), ("ok", "Отправлено", "2026-11-02")]

    everyone = rows_of((out / "all-tenants-2026-11-02.csv").read_text())
    assert everyone == [{"tenant": "A", "offered": "5", "answered": "4"},
                        {"tenant": "B", "offered": "3", "answered": "2"}]
    client = (out / "client-a-2026-11-02.csv").read_text()
    assert rows_of(client) == [{"tenant": "A", "offered": "5", "answered": "4"}]
    assert MARK not in client and ",B," not in client

    mail = email.message_from_bytes(world["inbox"].messages[-1], policy=email.policy.default)
    assert mail["To"] == "boss@example.com, ops@example.com"
    assert mail["Subject"] == "Mailed — 2026-11-02"
    (attachment,) = list(mail.iter_attachments())  # type: ignore[attr-defined]
    assert attachment.get_filename() == "mailed-2026-11-02.csv"
    assert rows_of(attachment.get_payload(decode=True).decode()) == everyone

    genuine, headers, body = Receiver.received[-1]
    # a name in Cyrillic: its key percent-encoded, as header values are ASCII
    assert genuine and headers["X-OmniKPI-Schedule"] == quote("отправлено")
    assert "filename*=UTF-8''%D0%BE%D1%82" in headers["Content-Disposition"]
    assert headers["Idempotency-Key"] == quote("отправлено/2026-11-02", safe="/")
    assert rows_of(body.decode()) == everyone

    again = cli(world, "schedule", "run-due", "--now", "2026-11-03T10:00:00+02:00",
                "--config", str(world["config"]))
    assert again.exit_code == 0 and again.stdout == ""
    with session_scope(world["url"]) as session:
        schedules = list_schedules(session, None)
        runs = runs_of(session, [s.id for s in schedules])
    assert len(runs) == 4 and {r.status for r in runs} == {"ok"}

    listed = json.loads(cli(world, "schedule", "list", "--format", "json").stdout)
    assert [s["name"] for s in listed] == ["All tenants", "Mailed", "Отправлено", "Client A"]
    assert listed[0]["next_run"] == "2026-11-04T08:00:00+02:00"
    assert listed[3]["tenant"] == "A" and listed[3]["owner"] == "client-a"
    for columns in ("80", "250"):  # in a narrow terminal, one block per schedule: every value whole
        shown = runner.invoke(app, ["schedule", "list", "--database-url", world["url"]],
                              env={"COLUMNS": columns}).stdout
        assert "2026-11-04T08:00:00+02:00" in shown and "Europe/Kyiv" in shown, shown
        assert "…" not in shown, shown
    wrong = cli(world, "schedule", "remove", "Client A")  # tenant A's: said so
    assert wrong.exit_code == 2 and "tenant 'A' has one (--tenant A)" in wrong.output
    assert cli(world, "schedule", "list", "--format", "xml").exit_code == 2
    assert cli(world, "schedule", "remove", "Client A", "--tenant", "A").exit_code == 0
    listed = json.loads(cli(world, "schedule", "list", "--format", "json").stdout)
    assert [s["name"] for s in listed] == ["All tenants", "Mailed", "Отправлено"]


def test_two_processes_at_the_same_minute_run_each_instant_once(
        world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime

    monkeypatch.setenv("OMNIKPI_WEBHOOK_SECRET", SECRET)
    now = datetime.fromisoformat("2026-11-05T08:01:00+02:00")
    config = load_config(world["config"])
    results: list[int] = []

    def worker() -> None:
        outcomes = run_due(world["url"], now, config, folder_datasets())
        results.append(len(outcomes))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_scope(world["url"]) as session:
        runs = runs_of(session, [s.id for s in list_schedules(session, None)], limit=500)
    fifth = [r for r in runs if r.period_from.startswith("2026-11-04")]
    assert len(fifth) == 3  # one run per schedule, whichever thread claimed it
    assert sum(results) == 3 and {r.status for r in fifth} == {"ok"}


def test_bad_input_is_a_usage_error(world: dict[str, Any]) -> None:
    base = ["schedule", "add", "X", "--definition", str(world["definition"])]
    cases = {
        ("--cron", "0 25 * * *", "--folder", "/tmp/x"): "cron expression",
        ("--tz", "Mars/Olympus", "--folder", "/tmp/x"): "unknown time zone",
        ("--email", "nobody"): "not an e-mail address",
        ("--folder", "/tmp/x", "--email", "a@example.com"): "give one delivery",
        ("--webhook", "http://127.0.0.1:9/x"): "webhook_allowed_hosts",
        ("--folder", "/tmp/x", "--owner", "ghost"): "no account",
        ("--folder", "/tmp/x", "--owner", "left"): "the account 'left' is disabled",
        ("--folder", "/tmp/x", "--format", "docx"): "unknown format",
        ("--folder", "/tmp/x", "--data", "/nonexistent/omnikpi-data"): "no such dataset",
        ("--folder", str(world["definition"])): "is a file, not a folder",
        ("--folder", "/nonexistent/omnikpi/out"): "nor its parent /nonexistent/omnikpi",
        ("--cron", "* * * * *", "--folder", "/tmp/x"): "runs every 1 min, but each run "
                                                      "reports the day just ended",
        ("--cron", "0 8 * * *", "--period", "week", "--folder", "/tmp/x"):
            "runs every 24 h, but each run reports the week just ended",
    }
    with session_scope(world["url"]) as session:  # someone who left: every run would fail
        create_user(session, "left", "quiet harbour lamp 42", "client", tenant="A").disabled = True
    future = cli(world, "schedule", "run-due", "--now", "2030-01-01T08:00:30Z")
    assert future.exit_code == 2 and "is in the future" in future.output
    for args, message in cases.items():
        result = cli(world, *base, *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    # what would fail at the first run, the next morning, is refused now
    for toml, message in (('metrics = ["nosuchmetric"]\n', "unknown metric 'nosuchmetric'"),
                          ('metrics = ["offered"]\nby = ["planet"]\n',
                           "unknown dimension 'planet'"),
                          # agent time has no queue: it failed on the first run, for good
                          ('metrics = ["offered", "occupancy"]\nby = ["queue"]\n',
                           "metric occupancy cannot be cut by queue"),
                          ('metrics = ["occupancy"]\n[filters]\nqueue = ["sales"]\n',
                           "metric occupancy cannot be filtered by queue"),
                          # accepted, then failing every run
                          ('metrics = ["offered"]\ngrain = "fortnight"\n',
                           "unknown grain 'fortnight'"),
                          ('metrics = ["service_level"]\n[params]\n'
                           '"service_level.threshold_seconds" = -5\n',
                           "bad value '-5' for parameter service_level.threshold_seconds")):
        definition = world["root"] / "bad-definition.toml"
        definition.write_text(toml)
        result = cli(world, "schedule", "add", "Bad", "--definition", str(definition),
                     "--folder", "/tmp/x")
        assert result.exit_code == 2 and message in result.output, result.output


def test_the_migration_matches_the_models(world: dict[str, Any]) -> None:
    """Revision 0004 creates exactly what models_schedules.py declares."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from omnikpi.store.db import get_engine
    from omnikpi.store.models import Base

    mine = {"report_schedules", "schedule_runs", "scheduler_lease"}
    with get_engine(world["url"]).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    def table_of(diff: Any) -> str:
        item = diff[0] if isinstance(diff, list) else diff
        for part in item[1:]:
            name = getattr(part, "name", None) if not isinstance(part, str) else part
            table = getattr(getattr(part, "table", None), "name", None)
            if table in mine or name in mine:
                return str(table or name)
        return ""

    assert [d for d in differences if table_of(d)] == []


def test_a_schedule_takes_its_report_s_zone_unless_told_another(
        world: dict[str, Any]) -> None:
    """The docs say the report's own zone becomes the schedule's; ``--tz`` defaulted to
    UTC, so a Kyiv report was cut at UTC midnight (and run at 08:00 UTC)."""
    kyiv = world["root"] / "kyiv.toml"
    kyiv.write_text('name = "Kyiv"\nmetrics = ["offered"]\ntz = "Europe/Kyiv"\n')
    out = str(world["root"] / "zones")
    for name, extra in (("Own zone", []), ("Told", ["--tz", "Asia/Tokyo"]),
                        ("No zone", ["--definition", str(world["definition"])])):
        definition = [] if extra[:1] == ["--definition"] else ["--definition", str(kyiv)]
        added = cli(world, "schedule", "add", name, "--cron", "daily", "--folder", out,
                    *definition, *extra)
        assert added.exit_code == 0, added.output
    listed = {s["name"]: s["tz"] for s in json.loads(
        cli(world, "schedule", "list", "--format", "json").stdout)
        if s["name"] in ("Own zone", "Told", "No zone")}
    assert listed == {"Own zone": "Europe/Kyiv", "Told": "Asia/Tokyo", "No zone": "UTC"}


def test_a_cron_that_names_no_real_date_is_refused_and_an_old_one_stops_nothing_else(
        world: dict[str, Any], tmp_path: Path) -> None:
    """31 April never comes: croniter accepts the expression but finds no fire time, and
    one such row (saved before it was refused) made every schedule's check, `list` and
    the Schedules page fail."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)

    def here(*args: str) -> Any:
        return runner.invoke(app, [*args, "--database-url", url])

    common = ["--definition", str(world["definition"]), "--format", "csv",
              "--data", str(world["data"]), "--since", "2026-11-01T00:00:00Z",
              "--tz", "Europe/Kyiv"]
    refused = here("schedule", "add", "Never", "--cron", "0 8 31 4 *", "--folder",
                   str(tmp_path / "out"), *common)
    assert refused.exit_code == 2 and "names no date that exists" in refused.output
    assert here("schedule", "add", "Leap", "--cron", "0 8 29 2 *", "--folder",
                str(tmp_path / "out"), *common).exit_code == 0  # every fourth year is a date
    for name in ("Broken", "Fine"):
        assert here("schedule", "add", name, "--cron", "0 8 * * *", "--folder",
                    str(tmp_path / "out"), *common).exit_code == 0
    with session_scope(url) as session:
        session.execute(text(
            "UPDATE report_schedules SET cron = '0 8 31 4 *' WHERE name = 'Broken'"))

    ran = here("schedule", "run-due", "--now", "2026-11-03T09:30:00+02:00")
    assert ran.exit_code == 0, ran.output
    assert [line.split("\t")[:3] for line in ran.stdout.strip().splitlines()] == [
        ["ok", "Fine", "2026-11-02"]]
    listed = here("schedule", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert {s["name"]: s["next_run"] for s in json.loads(listed.stdout)} == {
        "Leap": "2028-02-29T08:00:00+02:00", "Broken": None,
        "Fine": "2026-11-04T08:00:00+02:00"}
    table = runner.invoke(app, ["schedule", "list", "--database-url", url],
                          env={"COLUMNS": "250"})
    assert table.exit_code == 0 and "never" in table.stdout


def test_a_tenant_s_webhook_key_names_the_tenant(world: dict[str, Any], tmp_path: Path) -> None:
    """Two tenants' "Daily" sent the same Idempotency-Key (daily/2026-11-02): a receiver
    that drops repeats lost the second tenant's report."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    with session_scope(url) as session:
        create_user(session, "client-a", "pw-a-123456", "client", tenant="A")
    common = ["--definition", str(world["definition"]), "--format", "csv", "--tz",
              "Europe/Kyiv", "--data", str(world["data"]), "--since", "2026-11-01T00:00:00Z",
              "--cron", "0 8 * * *", "--webhook", world["hook"], "--config",
              str(world["config"]), "--database-url", url]
    env = {"OMNIKPI_WEBHOOK_SECRET": SECRET}
    for owner in ([], ["--owner", "client-a"]):
        added = runner.invoke(app, ["schedule", "add", "Daily", *owner, *common], env=env)
        assert added.exit_code == 0, added.output
        assert "is not set here" not in added.output
    unsigned = runner.invoke(app, ["schedule", "add", "Unsigned", *common],
                             env={"OMNIKPI_WEBHOOK_SECRET": ""})
    assert unsigned.exit_code == 0
    assert "$OMNIKPI_WEBHOOK_SECRET is not set here" in " ".join(unsigned.stderr.split())
    runner.invoke(app, ["schedule", "remove", "Unsigned", "--database-url", url])
    before = len(Receiver.received)
    ran = runner.invoke(app, ["schedule", "run-due", "--now", "2026-11-03T09:30:00+02:00",
                              "--config", str(world["config"]), "--database-url", url],
                        env=env)
    assert ran.exit_code == 0, ran.output
    sent = Receiver.received[before:]
    assert sorted((h["Idempotency-Key"], h.get("X-OmniKPI-Tenant")) for _, h, _ in sent) == [
        ("A/daily/2026-11-02", "A"), ("daily/2026-11-02", None)]
    assert all(genuine for genuine, _, _ in sent)


def test_a_run_s_file_is_kept_for_the_configured_days(world: dict[str, Any],
                                                      tmp_path: Path) -> None:
    """Every file sent stayed in the database for ever, each holding a period's figures."""
    from datetime import UTC, datetime, timedelta

    from omnikpi.config import Config, ScheduleSettings

    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    added = runner.invoke(app, [
        "schedule", "add", "Kept", "--definition", str(world["definition"]), "--format",
        "csv", "--folder", str(tmp_path / "out"), "--data", str(world["data"]),
        "--since", "2026-11-01T00:00:00Z", "--database-url", url])
    assert added.exit_code == 0, added.output
    config = Config(schedules=ScheduleSettings(keep_files_days=30))
    ran = run_due(url, datetime(2026, 11, 3, 9, 0, tzinfo=UTC), config, folder_datasets())
    assert [r.status for r in ran] == ["ok"]

    def files() -> list[bool]:
        with session_scope(url) as session:
            runs = runs_of(session, [s.id for s in list_schedules(session, None)], limit=50)
            return [r.content is not None for r in runs if r.period_from.startswith(
                "2026-11-02")]

    run_due(url, datetime.now(UTC) + timedelta(days=29), config, folder_datasets())
    assert files() == [True]
    run_due(url, datetime.now(UTC) + timedelta(days=31), config, folder_datasets())
    assert files() == [False]  # the run's line stays, its file is gone


class FlakyReceiver(http.server.BaseHTTPRequestHandler):
    """A client's webhook that is down (503) until told otherwise."""

    down: ClassVar[bool] = True
    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if type(self).down:
            self.send_response(503)
        else:
            type(self).received.append(body)
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_a_failed_run_is_tried_again_by_itself_until_its_tries_are_used_up(
        tmp_path: Path) -> None:
    """``[schedules] retry_minutes = [10, 60]``: the 08:00 run fails at 08:05 (the client's
    webhook is down), is tried again at 08:15 and fails, then at 09:15 succeeds — the day's
    report arrives without anyone pressing "Send again". A run whose tries are used up is
    left alone; a run a stopped process left "running" is tried again at once."""
    from datetime import datetime

    from omnikpi.store.models_schedules import ScheduleRun

    data = write_two_tenants(tmp_path / "data")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlakyReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = tmp_path / "omnikpi.toml"
    config.write_text('[alerts]\nwebhook_allowed_hosts = ["127.0.0.1"]\n'
                      '[webhooks]\nattempts = 1\n[schedules]\nretry_minutes = [10, 60]\n')
    definition = tmp_path / "volume.toml"
    definition.write_text('name = "Volume"\nmetrics = ["offered"]\nby = ["tenant"]\n')
    world = {"url": url}

    def run_due_at(instant: str) -> list[list[str]]:
        ran = cli(world, "schedule", "run-due", "--now", instant, "--config", str(config))
        lines = [line.split("\t") for line in ran.stdout.strip().splitlines()]
        # exit 1 when a run failed, as for cron's mail
        assert ran.exit_code == int(any(line[0] == "failed" for line in lines)), ran.output
        return lines

    def the_run() -> ScheduleRun:
        with session_scope(url) as session:
            (run,) = runs_of(session, [s.id for s in list_schedules(session, None)])
            session.expunge(run)
            return run

    try:
        added = cli(world, "schedule", "add", "Daily", "--cron", "0 8 * * *", "--webhook",
                    f"http://127.0.0.1:{server.server_address[1]}/hook", "--definition",
                    str(definition), "--tz", "UTC", "--format", "csv", "--data", str(data),
                    "--since", "2026-11-03T00:00:00Z", "--config", str(config))
        assert added.exit_code == 0, added.output
        first = run_due_at("2026-11-03T08:05:00Z")
        assert [line[0] for line in first] == ["failed"]
        (listed,) = json.loads(cli(world, "schedule", "list", "--format", "json").stdout)
        assert (listed["last_status"], listed["retry_at"]) == (
            "failed", "2026-11-03T08:15:00+00:00")
        run = the_run()
        assert (run.attempts, run.status) == (1, "failed")
        assert run.next_try_at is not None
        assert run.next_try_at.replace(tzinfo=None) == datetime(2026, 11, 3, 8, 15)
        assert run_due_at("2026-11-03T08:14:00Z") == []  # not yet
        second = run_due_at("2026-11-03T08:15:00Z")
        assert second[0][0] == "failed" and second[0][3].startswith("try 2: ")
        run = the_run()
        assert run.attempts == 2 and run.next_try_at is not None
        assert run.next_try_at.replace(tzinfo=None) == datetime(2026, 11, 3, 9, 15)
        FlakyReceiver.down = False
        third = run_due_at("2026-11-03T09:15:30Z")
        assert [(line[0], line[2]) for line in third] == [("ok", "2026-11-02")]
        run = the_run()
        assert (run.status, run.attempts, run.next_try_at) == ("ok", 3, None)
        assert rows_of(FlakyReceiver.received[-1].decode()) == [
            {"tenant": "A", "offered": "5"}, {"tenant": "B", "offered": "3"}]
        assert run_due_at("2026-11-03T12:00:00Z") == []  # sent: never again

        # the next day the webhook is down for good: two automatic tries, then it waits
        FlakyReceiver.down = True
        assert [line[0] for line in run_due_at("2026-11-04T08:00:00Z")] == ["failed"]
        assert [line[0] for line in run_due_at("2026-11-04T08:10:00Z")] == ["failed"]
        assert [line[0] for line in run_due_at("2026-11-04T09:10:00Z")] == ["failed"]
        assert run_due_at("2026-11-04T23:00:00Z") == []
        with session_scope(url) as session:
            newest = session.execute(text("SELECT attempts, next_try_at FROM schedule_runs "
                                          "ORDER BY id DESC LIMIT 1")).one()
        assert tuple(newest) == (3, None)

        # a run a stopped process left "running" an hour ago is failed and tried at once
        FlakyReceiver.down = False
        with session_scope(url) as session:
            session.execute(text("UPDATE schedule_runs SET status = 'running', attempts = 1, "
                                 "started_at = '2026-11-04 20:00:00.000000' "
                                 "WHERE id = (SELECT MAX(id) FROM schedule_runs)"))
        stale = run_due_at("2026-11-04T23:30:00Z")
        assert [line[0] for line in stale] == ["ok"]
    finally:
        FlakyReceiver.down = True
        server.shutdown()


def test_schedule_add_replace_pause_and_resume_keep_the_history(tmp_path: Path) -> None:
    """From the command line: `add --replace` gives a schedule new settings and keeps its
    runs (remove + add lost them); `pause` stops it, `resume` starts it again from its
    next time."""
    from omnikpi.store.models_schedules import ReportSchedule

    data = write_two_tenants(tmp_path / "data")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    with session_scope(url) as session:
        create_user(session, "client-a", "pw-a-123456", "client", tenant="A")
    definition = tmp_path / "volume.toml"
    definition.write_text('name = "Volume"\nmetrics = ["offered"]\nby = ["tenant"]\n')
    out = tmp_path / "out"
    out.mkdir()
    world = {"url": url}
    base = ["schedule", "add", "Daily", "--definition", str(definition), "--tz", "UTC",
            "--format", "csv", "--data", str(data)]
    assert cli(world, *base, "--folder", str(out), "--since",
               "2026-11-01T00:00:00Z").exit_code == 0
    assert cli(world, "schedule", "run-due", "--now", "2026-11-03T08:30:00Z").exit_code == 0
    twice = cli(world, *base, "--folder", str(out))
    assert twice.exit_code == 2 and "exists already" in twice.output
    replaced = cli(world, *base, "--cron", "0 9 * * *", "--folder", str(out), "--replace")
    assert replaced.exit_code == 0 and "schedule 'Daily' replaced: 0 9 * * *" in \
        replaced.output
    owned = cli(world, *base, "--folder", str(out), "--replace", "--owner", "client-a")
    assert owned.exit_code == 0 and "replaced" not in owned.output  # tenant A's own "Daily"
    with session_scope(url) as session:
        rows = {r.tenant_key: r for r in session.scalars(select_schedules())}
        assert rows[""].cron == "0 9 * * *" and len(runs_of(session, [rows[""].id])) == 1
    # the client's own "Weekly" to change, --owner left out: the operator's "Weekly" (every
    # tenant's rows, to the client's address) was added beside it
    weekly = ["schedule", "add", "Weekly", *base[3:], "--folder", str(out)]
    assert cli(world, *weekly, "--owner", "client-a").exit_code == 0
    unowned = cli(world, *weekly, "--cron", "0 7 * * 1", "--replace")
    assert unowned.exit_code == 2, unowned.output
    assert ("the operator has no schedule 'Weekly', and a new one would report every tenant "
            "beside the account's of that name: to change that one, give its owner "
            "(--owner client-a (tenant A))") in " ".join(unowned.output.split())
    assert cli(world, *weekly, "--cron", "0 7 * * 1", "--replace",
               "--owner", "client-a").exit_code == 0
    with session_scope(url) as session:
        assert session.execute(text("SELECT count(*) FROM report_schedules WHERE slug = "
                                    "'weekly'")).scalar() == 1
        session.execute(text("DELETE FROM report_schedules WHERE slug = 'weekly'"))

    assert cli(world, "schedule", "pause", "Daily").stdout == "schedule 'Daily' paused\n"
    assert "was paused already" in cli(world, "schedule", "pause", "Daily").stdout
    assert cli(world, "schedule", "pause", "Nope").exit_code == 2
    assert cli(world, "schedule", "pause", "Daily", "--tenant", "A").exit_code == 0
    with session_scope(url) as session:
        assert not any(r.enabled for r in session.scalars(select_schedules()))
    listed = json.loads(cli(world, "schedule", "list", "--format", "json").stdout)
    assert [(s["paused"], s["next_run"]) for s in listed] == [(True, None), (True, None)]
    assert "paused" in runner.invoke(app, ["schedule", "list", "--database-url", url],
                                     env={"COLUMNS": "250"}).stdout
    assert cli(world, "schedule", "resume", "Daily").stdout == "schedule 'Daily' resumed\n"
    with session_scope(url) as session:
        row = session.scalars(select_schedules().where(ReportSchedule.tenant_key == "")).one()
        assert row.enabled and row.last_due_at is not None


def _fresh(tmp_path: Path, definition_text: str) -> tuple[Path, str, Path, Path]:
    """Two tenants' data, a new application database, a saved definition and the folder
    files go to (not made): (data, database URL, definition, folder)."""
    data = write_two_tenants(tmp_path / "data")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    definition = tmp_path / "volume.toml"
    definition.write_text(definition_text)
    return data, url, definition, tmp_path / "out"


def test_a_zone_changed_after_a_run_does_not_send_that_day_again(tmp_path: Path) -> None:
    """Kyiv's 2 November is sent at 08:00 Kyiv; the schedule then moves to UTC. Its UTC
    2 November was sent again, with other figures, under the same Idempotency-Key (a
    receiver dropping repeated keys threw the second away): the day, by its name, has a
    run already. The next day goes on in the new zone."""
    data, url, definition, out = _fresh(tmp_path, 'name = "Volume"\nmetrics = ["offered"]\n')
    out.mkdir()
    world = {"url": url}
    base = ["schedule", "add", "Daily", "--definition", str(definition), "--format", "csv",
            "--data", str(data), "--folder", str(out)]
    assert cli(world, *base, "--tz", "Europe/Kyiv", "--since",
               "2026-11-02T00:00:00Z").exit_code == 0
    assert cli(world, "schedule", "run-due", "--now", "2026-11-03T06:30:00Z").exit_code == 0
    assert cli(world, *base, "--tz", "UTC", "--cron", "0 8 * * *",
               "--replace").exit_code == 0
    again = cli(world, "schedule", "run-due", "--now", "2026-11-03T08:30:00Z")
    assert again.exit_code == 0 and "2026-11-02" not in again.stdout, again.stdout
    next_day = cli(world, "schedule", "run-due", "--now", "2026-11-04T08:30:00Z")
    assert "2026-11-03" in next_day.stdout, next_day.stdout
    with session_scope(url) as session:
        periods = session.execute(text("SELECT period_from, period_to FROM schedule_runs "
                                       "ORDER BY id")).all()
    assert [tuple(p) for p in periods] == [
        ("2026-11-02T00:00:00+02:00", "2026-11-03T00:00:00+02:00"),
        ("2026-11-03T00:00:00+00:00", "2026-11-04T00:00:00+00:00")]
    assert sorted(f.name for f in out.iterdir()) == [
        "daily-2026-11-02.csv", "daily-2026-11-03.csv"], list(out.iterdir())


def select_schedules() -> Any:
    from sqlalchemy import select

    from omnikpi.store.models_schedules import ReportSchedule

    return select(ReportSchedule)


@pytest.mark.parametrize(("waits", "said"), [
    ("[0]", "each wait is 1 to 10080 minutes (a week), not 0"),
    ("[10, 20000]", "not 20000"),
    ('["soon"]', "schedules.retry_minutes"),
    ("[" + ", ".join(["5"] * 11) + "]", "schedules.retry_minutes"),
])
def test_retry_waits_that_make_no_sense_are_refused_by_name(tmp_path: Path, waits: str,
                                                             said: str) -> None:
    from omnikpi.errors import UsageError

    path = tmp_path / "omnikpi.toml"
    path.write_text(f"[schedules]\nretry_minutes = {waits}\n")
    with pytest.raises(UsageError, match=said.replace("(", r"\(").replace(")", r"\)")):
        load_config(path)
    path.write_text("[schedules]\nretry_minutes = []\n")  # no automatic tries: allowed
    assert load_config(path).schedules.retry_minutes == []


def test_a_saved_as_of_does_not_cut_the_schedules_periods(world: dict[str, Any],
                                                          tmp_path: Path) -> None:
    """A definition saved with a fixed period and as-of (2026-11-01, as of its noon) runs
    on 2026-11-02's figures when a schedule sends it for that day: tenant A offered 5,
    answered 4; B 3 and 2. The schedule replaced ``from`` and ``to`` only, so the old
    as-of cut the day off — a file of headers, sent as "ok"."""
    fixed = tmp_path / "fixed.toml"
    fixed.write_text('name = "Fixed"\nmetrics = ["offered", "answered"]\nby = ["tenant"]\n'
                     'from = "2026-11-01"\nto = "2026-11-02"\n'
                     'as_of = "2026-11-01T12:00:00"\n')
    out = tmp_path / "out"
    added = cli(world, "schedule", "add", "Fixed as-of", "--cron", "0 8 * * *", "--folder",
                str(out), "--since", "2026-11-02T00:00:00Z", "--definition", str(fixed),
                "--tz", "Europe/Kyiv", "--format", "csv", "--data", str(world["data"]))
    assert added.exit_code == 0, added.output
    ran = cli(world, "schedule", "run-due", "--now", "2026-11-03T09:30:00+02:00",
              "--config", str(world["config"]))
    assert ran.exit_code == 0, ran.output
    assert rows_of((out / "fixed-as-of-2026-11-02.csv").read_text()) == [
        {"tenant": "A", "offered": "5", "answered": "4"},
        {"tenant": "B", "offered": "3", "answered": "2"}]
    assert cli(world, "schedule", "remove", "Fixed as-of").exit_code == 0


def test_a_folder_target_that_became_a_file_is_said_as_such(tmp_path: Path) -> None:
    """The folder checked when the schedule was added was replaced by a file: the run
    said "cannot write into the folder …: File exists" (mkdir's words); it says what
    ``schedule add`` says, and stays a delivery failure, tried again (the file may go:
    tests/web/test_schedules_web.py)."""
    from omnikpi.delivery import DeliveryError
    from omnikpi.delivery.folder import drop

    target = tmp_path / "reports"
    target.write_text("not a folder")
    with pytest.raises(DeliveryError, match="reports is a file, not a folder"):
        drop(target, "daily-2026-11-02.csv", b"a,b\n")
    assert target.read_text() == "not a folder"


def test_a_run_whose_server_stopped_is_tried_again_by_the_next_lease_holder(
        tmp_path: Path) -> None:
    """A server restarted during the 08:00 run left it "running": the new server's
    scheduler waited an hour before trying it again ("Send again" refused it meanwhile).
    A server's run whose heartbeat is older than the lease is one whose server stopped
    (it renews the heartbeat while the run lasts), so the next check tries it again —
    also one marked before marks had a heartbeat, judged by its start. A run whose
    heartbeat is fresh goes on, whichever process marked it (another server's run that
    outlasted the lease was sent twice); those of ``schedule run-due`` (cron: no
    holder) wait for the hour."""
    from datetime import datetime, timedelta

    data, url, definition, out = _fresh(
        tmp_path, 'name = "Volume"\nmetrics = ["offered"]\nby = ["tenant"]\n')
    world = {"url": url}
    for name in ("Cut off", "Old mark", "Alive", "Cron"):
        added = cli(world, "schedule", "add", name, "--cron", "0 8 * * *", "--folder",
                    str(out), "--definition", str(definition), "--tz", "UTC", "--format",
                    "csv", "--data", str(data), "--since", "2026-11-03T07:00:00Z")
        assert added.exit_code == 0, added.output
    now = datetime.fromisoformat("2026-11-03T08:03:00+00:00")
    started = (now - timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M:%S.000000")
    beat = f"{now - timedelta(minutes=2):%Y-%m-%dT%H:%M:%S+00:00}"
    alive = f"{now - timedelta(seconds=10):%Y-%m-%dT%H:%M:%S+00:00}"
    marks = {"Cut off": f"running on old-host:41:dead, alive {beat}",
             "Old mark": "running on old-host:41:dead",
             "Alive": f"running on other-host:9:busy, alive {alive}", "Cron": ""}
    with session_scope(url) as session:
        for schedule in list_schedules(session, None):
            session.execute(text(
                "INSERT INTO schedule_runs (schedule_id, due_at, started_at, status, "
                "period_from, period_to, message, attempts) VALUES (:s, :due, :started, "
                "'running', '2026-11-02T00:00:00+00:00', '2026-11-03T00:00:00+00:00', :m, "
                "1)"), {"s": schedule.id, "due": "2026-11-03 08:00:00.000000",
                        "started": started, "m": marks[schedule.name]})
            session.execute(text("UPDATE report_schedules SET last_due_at = :due WHERE "
                                 "id = :s"), {"due": "2026-11-03 08:00:00.000000",
                                              "s": schedule.id})
    outcomes = run_due(url, now, load_config(None), folder_datasets(),
                       holder="new-host:7:live")
    assert sorted((o.schedule, o.status) for o in outcomes) == [("Cut off", "ok"),
                                                                  ("Old mark", "ok")]
    assert all(o.message.startswith("try 2: ") for o in outcomes)
    assert rows_of((out / "cut-off-2026-11-02.csv").read_text()) == [
        {"tenant": "A", "offered": "5"}, {"tenant": "B", "offered": "3"}]
    with session_scope(url) as session:
        names = {s.id: s.name for s in list_schedules(session, None)}
        statuses = {names[r.schedule_id]: r.status
                    for r in runs_of(session, list(names), limit=50)}
    assert statuses == {"Cut off": "ok", "Old mark": "ok", "Alive": "running",
                        "Cron": "running"}
    listed = json.loads(cli(world, "schedule", "list", "--format", "json").stdout)
    assert {s["name"]: s["last_message"] for s in listed}["Alive"] == ""


def test_a_webhook_that_refuses_the_report_waits_for_a_person(world: dict[str, Any],
                                                              tmp_path: Path) -> None:
    """The receiver answers 401 (the shared secret changed on its side): the run fails
    and is not tried again by itself — it was, three times, refused alike each time."""
    added = cli(world, "schedule", "add", "Refused", "--cron", "0 8 * * *", "--webhook",
                world["hook"], "--config", str(world["config"]), "--definition",
                str(world["definition"]), "--tz", "UTC", "--format", "csv", "--data",
                str(world["data"]), "--since", "2026-11-06T07:00:00Z")
    assert added.exit_code == 0, added.output
    ran = runner.invoke(app, ["schedule", "run-due", "--now", "2026-11-06T08:01:00Z",
                              "--config", str(world["config"]), "--database-url",
                              world["url"]], env={"OMNIKPI_WEBHOOK_SECRET": "not-theirs"})
    assert ran.exit_code == 1 and "HTTP 401" in ran.output, ran.output
    listed = json.loads(cli(world, "schedule", "list", "--format", "json").stdout)
    refused = next(s for s in listed if s["name"] == "Refused")
    assert (refused["last_status"], refused["retry_at"]) == ("failed", None)
    assert cli(world, "schedule", "remove", "Refused").exit_code == 0


def test_a_client_s_scheduled_file_states_the_client_s_scope(world: dict[str, Any],
                                                             tmp_path: Path) -> None:
    """A client's scheduled XLSX read "Filters: none" over tenant A's rows alone (read as
    the whole center's), and a definition filtered to A and B read "Tenant: A, B" over
    A's: the web's files state the viewer's scope, the scheduled ones did not."""
    from openpyxl import load_workbook

    both = tmp_path / "both.toml"
    both.write_text('name = "Both"\nmetrics = ["offered", "answered"]\nby = ["tenant"]\n'
                    '[filters]\ntenant = ["A", "B"]\n')
    out = tmp_path / "out"
    for name, definition in (("Client plain", world["definition"]), ("Client both", both)):
        added = cli(world, "schedule", "add", name, "--cron", "0 8 * * *", "--folder",
                    str(out), "--since", "2026-11-02T00:00:00Z", "--definition",
                    str(definition), "--tz", "Europe/Kyiv", "--format", "xlsx", "--data",
                    str(world["data"]), "--owner", "client-a")
        assert added.exit_code == 0, added.output
    ran = cli(world, "schedule", "run-due", "--now", "2026-11-03T09:30:00+02:00",
              "--config", str(world["config"]))
    assert ran.exit_code == 0, ran.output
    for slug in ("client-plain", "client-both"):
        sheet = load_workbook(out / f"{slug}-2026-11-02.xlsx")["report"]
        cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
        assert ["Filters", "Tenant: A"] in cells, cells
        assert [r for r in cells if r and r[0] in ("A", "B")] == [["A", 5, 4]]
    for name in ("Client plain", "Client both"):
        assert cli(world, "schedule", "remove", name, "--tenant", "A").exit_code == 0


class PickyInbox:
    """An SMTP server that refuses the recipients in ``refused`` (``550``) and answers
    the message's data with ``data_reply`` (default 250: taken)."""

    def __init__(self) -> None:
        self.refused: set[str] = set()
        self.data_reply = "250 OK"
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refused:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply.startswith("250"):
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return self.data_reply


@pytest.fixture()
def picky(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A fresh database, the two tenants' data and a picky SMTP server in the config."""
    inbox = PickyInbox()
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    config = tmp_path / "omnikpi.toml"
    config.write_text(f'[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                      'sender = "kpi@example.com"\n')
    definition = tmp_path / "volume.toml"
    definition.write_text('name = "Volume"\nmetrics = ["offered"]\nby = ["tenant"]\n')
    yield {"url": url, "inbox": inbox, "config": config, "port": port,
           "data": write_two_tenants(tmp_path / "data"), "definition": definition}
    smtp.stop()


def _add_mailed(picky: dict[str, Any], *extra: str,
                to: str = "boss@example.com,gone@example.com,ops@example.com") -> None:
    added = cli(picky, "schedule", "add", "Mailed", "--cron", "0 8 * * *", "--email", to,
                "--definition", str(picky["definition"]), "--tz", "UTC", "--format", "csv",
                "--data", str(picky["data"]), "--since", "2026-11-02T07:00:00Z", *extra)
    assert added.exit_code == 0, added.output


def _run_due(picky: dict[str, Any], now: str = "2026-11-03T08:01:00Z") -> Any:
    return cli(picky, "schedule", "run-due", "--now", now, "--config", str(picky["config"]))


def _last_run(url: str) -> Any:
    with session_scope(url) as session:
        return session.execute(text(
            "SELECT id, status, message, next_try_at, delivered_to FROM schedule_runs "
            "ORDER BY id DESC LIMIT 1")).one()


def _audited(url: str, action: str) -> list[dict[str, Any]]:
    with session_scope(url) as session:
        details = session.execute(text("SELECT detail FROM audit_log WHERE action = :a "
                                       "ORDER BY id"), {"a": action}).scalars().all()
    return [json.loads(d) for d in details]


def test_one_refused_recipient_leaves_the_run_partly_sent_and_send_again_skips_the_others(
        picky: dict[str, Any]) -> None:
    """One address the mail server refuses (550) marked the whole run failed though the
    two others had the file, and "Send again" mailed them a second copy. The run says who
    got it and who was refused, is not tried by itself (a 550 says the same each time),
    and a try after the address is put right reaches that one recipient only."""
    from omnikpi.schedules.runner import retry_run

    inbox = picky["inbox"]
    inbox.refused = {"gone@example.com"}
    _add_mailed(picky)
    ran = _run_due(picky)
    assert ran.exit_code == 1, ran.output
    run_id, status, message, next_try_at, delivered_to = _last_run(picky["url"])
    where = f"127.0.0.1:{picky['port']}"
    assert (status, next_try_at, delivered_to) == (
        "partial", None, "boss@example.com,ops@example.com")
    assert message == (f"sent to boss@example.com, ops@example.com; the SMTP server {where} "
                       "refused gone@example.com (550 5.1.1 no such user here)")
    assert [to for to, _ in inbox.messages] == [["boss@example.com", "ops@example.com"]]
    (listed,) = json.loads(cli(picky, "schedule", "list", "--format", "json").stdout)
    assert (listed["last_status"], listed["retry_at"]) == ("partial", None)

    inbox.refused = set()  # the mailbox is back: "Send again" reaches gone@ alone
    status, message = retry_run(picky["url"], run_id, load_config(picky["config"]),
                                folder_datasets(), actor="ana")
    assert status == "ok", message
    assert message == ("e-mailed to gone@example.com; boss@example.com, ops@example.com "
                       "had it already")
    assert [to for to, _ in inbox.messages] == [["boss@example.com", "ops@example.com"],
                                                ["gone@example.com"]]
    assert _last_run(picky["url"])[4] == \
        "boss@example.com,ops@example.com,gone@example.com"

    first, second = _audited(picky["url"], "export")
    assert {k: first[k] for k in ("what", "schedule", "owner", "tenant", "period",
                                  "format", "channel", "targets", "status", "delivered")} == {
        "what": "scheduled report", "schedule": "Mailed", "owner": None, "tenant": None,
        "period": "2026-11-02", "format": "csv", "channel": "email",
        "targets": ["boss@example.com", "gone@example.com", "ops@example.com"],
        "status": "partial", "delivered": ["boss@example.com", "ops@example.com"]}
    assert (second["targets"], second["status"], second["attempt"]) == (
        ["gone@example.com"], "ok", 2)


def test_a_delivery_is_audited_with_whose_data_went_where(picky: dict[str, Any]) -> None:
    """Deliveries were never audited, and the history goes with the schedule: who sent
    which tenant's data where could not be told afterwards. Each try (ok or failed) is an
    ``export`` entry with the schedule, its owner and tenant, period, format and
    targets; the schedule's own entries carry its settings, old and new."""
    with session_scope(picky["url"]) as session:
        create_user(session, "client-a", "pw-a-123456", "client", tenant="A")
    _add_mailed(picky, "--owner", "client-a", to="boss@example.com")
    (added,) = _audited(picky["url"], "schedule_added")
    assert {k: added[k] for k in ("name", "owner", "tenant", "cron", "channel", "target",
                                  "format", "lang", "data_path")} == {
        "name": "Mailed", "owner": "client-a", "tenant": "A", "cron": "0 8 * * *",
        "channel": "email", "target": "boss@example.com", "format": "csv", "lang": "en",
        "data_path": str(picky["data"].resolve())}
    assert 'metrics = ["offered"]' in added["definition"]
    assert added["definition_file"] == str(picky["definition"])

    _add_mailed(picky, "--owner", "client-a", "--replace", to="boss@example.com,new@example.com")
    (changed,) = _audited(picky["url"], "schedule_changed")
    assert changed == {"name": "Mailed", "owner": "client-a", "tenant": "A", "changed": {
        "target": {"old": "boss@example.com", "new": "boss@example.com, new@example.com"}}}

    assert _run_due(picky).exit_code == 0
    picky["inbox"].data_reply = "451 4.3.0 try later"
    with session_scope(picky["url"]) as session:
        session.execute(text("UPDATE report_schedules SET last_due_at = NULL, "
                             "created_at = '2026-11-03 07:00:00.000000'"))
    assert _run_due(picky, "2026-11-04T08:01:00Z").exit_code == 1
    sent, failed = _audited(picky["url"], "export")
    for entry, status, period in ((sent, "ok", "2026-11-02"), (failed, "failed", "2026-11-03")):
        assert {k: entry[k] for k in ("schedule", "owner", "tenant", "period", "format",
                                      "channel", "targets", "status")} == {
            "schedule": "Mailed", "owner": "client-a", "tenant": "A", "period": period,
            "format": "csv", "channel": "email",
            "targets": ["boss@example.com", "new@example.com"], "status": status}
    assert cli(picky, "schedule", "remove", "Mailed", "--tenant", "A").exit_code == 0
    (deleted,) = _audited(picky["url"], "schedule_deleted")
    assert (deleted["target"], deleted["owner"], deleted["tenant"]) == (
        "boss@example.com, new@example.com", "client-a", "A")


def test_a_mail_server_s_5xx_and_a_broken_definition_wait_for_a_person(
        picky: dict[str, Any]) -> None:
    """``552 message size exceeds fixed maximum`` was shown as smtplib's tuple and tried
    three more times; a stored definition that no longer reads gave pydantic's text and
    was tried again too. Both fail alike every time: no automatic try, a sentence. A 4xx
    (try later) is still tried again by itself."""
    inbox = picky["inbox"]
    inbox.data_reply = "552 5.3.4 message size exceeds fixed maximum"
    _add_mailed(picky, to="boss@example.com")
    assert _run_due(picky).exit_code == 1
    _, status, message, next_try_at, _ = _last_run(picky["url"])
    assert (status, next_try_at) == ("failed", None)
    assert message == (f"the mail server 127.0.0.1:{picky['port']} refused the message: "
                       "552 5.3.4 message size exceeds fixed maximum (the file is 1 kB)")

    inbox.data_reply = "451 4.3.0 try later"
    assert _run_due(picky, "2026-11-04T08:01:00Z").exit_code == 1
    _, status, message, next_try_at, _ = _last_run(picky["url"])
    assert status == "failed" and next_try_at is not None
    assert message == (f"the SMTP server 127.0.0.1:{picky['port']} answered 451 4.3.0 try "
                       "later: it is tried again later")

    inbox.data_reply = "250 OK"
    for stored, said in (('metrics = ["offered"]\nchart = "bar"\n',
                          "the saved report of schedule 'Mailed': chart: Extra inputs are "
                          "not permitted: choose its report again"),
                         ('metrics = ["offered"\n', "the saved report of schedule 'Mailed' "
                                                    "cannot be read (")):
        with session_scope(picky["url"]) as session:
            session.execute(text("UPDATE report_schedules SET definition = :d, "
                                 "last_due_at = NULL, created_at = :c"),
                            {"d": stored, "c": "2026-11-04 09:00:00.000000"})
            session.execute(text("DELETE FROM schedule_runs"))
        assert _run_due(picky, "2026-11-05T08:01:00Z").exit_code == 1
        _, status, message, next_try_at, _ = _last_run(picky["url"])
        assert (status, next_try_at) == ("failed", None), message
        assert said in message and "pydantic" not in message, message


def test_a_schedule_s_language_sets_its_file_and_its_mail(picky: dict[str, Any],
                                                          tmp_path: Path) -> None:
    """Scheduled files and e-mails were always in English: ``--lang ru`` writes the XLSX
    header in Russian, ``--lang uk`` the e-mail in Ukrainian; ``schedule list`` says
    which."""
    from openpyxl import load_workbook

    out = tmp_path / "out"
    base = ["--cron", "0 8 * * *", "--definition", str(picky["definition"]), "--tz", "UTC",
            "--data", str(picky["data"]), "--since", "2026-11-02T07:00:00Z"]
    assert cli(picky, "schedule", "add", "Файл", "--folder", str(out), "--format", "xlsx",
               "--lang", "ru", *base).exit_code == 0
    assert cli(picky, "schedule", "add", "Лист", "--email", "boss@example.com", "--format",
               "csv", "--lang", "uk", *base).exit_code == 0
    wrong = cli(picky, "schedule", "add", "X", "--folder", str(out), "--lang", "de", *base)
    assert wrong.exit_code == 2 and "unknown language 'de': choose en, ru, uk" in wrong.output
    assert _run_due(picky).exit_code == 0

    sheet = load_workbook(out / "файл-2026-11-02.xlsx")["report"]
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["Период", "2 нояб. 2026\u202fг."] in cells and ["Фильтры", "нет"] in cells, cells
    assert not any(row and row[0] == "Period" for row in cells)
    mail = email.message_from_bytes(picky["inbox"].messages[-1][1],
                                    policy=email.policy.default)
    body = mail.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    assert body == "Звіт OmniKPI «Лист» за 2026-11-02 (UTC) у вкладенні: лист-2026-11-02.csv.\n"
    listed = {s["name"]: s["lang"] for s in json.loads(
        cli(picky, "schedule", "list", "--format", "json").stdout)}
    assert listed == {"Файл": "ru", "Лист": "uk"}


def test_a_run_on_a_table_of_which_no_row_loads_fails(tmp_path: Path) -> None:
    """Every instant of the contacts unreadable: the schedule sent a file of offered 0
    as "ok" (a quiet day, to its reader). The run fails, naming the table and its first
    problem, and no file is written."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "contacts.csv").write_text("contact_id,channel,queue,arrived_at\n"
                                       "c1,voice,q,yesterday\nc2,voice,q,soon\n")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    definition = tmp_path / "offered.toml"
    definition.write_text('name = "Offered"\nmetrics = ["offered"]\n')
    out = tmp_path / "out"
    added = runner.invoke(app, ["schedule", "add", "Offered", "--cron", "0 8 * * *",
                                "--folder", str(out), "--since", "2026-11-01T00:00:00Z",
                                "--definition", str(definition), "--tz", "UTC", "--format",
                                "csv", "--data", str(data), "--database-url", url])
    assert added.exit_code == 0, added.output
    ran = runner.invoke(app, ["schedule", "run-due", "--now", "2026-11-02T09:00:00Z",
                              "--database-url", url])
    said = " ".join(ran.output.split())
    assert said.startswith("failed Offered 2026-11-01"), said
    assert "contacts: none of its 2 row(s) could be loaded" in said
    assert not out.exists() or not list(out.iterdir())
