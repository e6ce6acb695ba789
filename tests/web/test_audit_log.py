"""Searching the audit log: by actor, action and time, a page at a time — the same search
behind ``/api/v1/audit``, the administrators' ``/audit`` page with its CSV, and
``omnikpi audit``.

The log of the fixture (ids in the order written, times UTC):
1 ana   login         2026-11-30 21:30   (Kyiv: 23:30 on the 30th)
2 ana   export        2026-11-30 22:30   (Kyiv: 00:30 on 1 December)
3 bob   login_failed  2026-12-01 08:00
4 bob   login         2026-12-01 08:01
5 =cmd  export        2026-12-02 09:00   (a name a spreadsheet would run)
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from typer.testing import CliRunner

from omnikpi.auth.accounts import create_user
from omnikpi.auth.audit_search import AuditSearch, every_entry, find_entries, search_of
from omnikpi.cli.main import app as cli
from omnikpi.errors import UsageError
from omnikpi.store.db import session_scope, upgrade
from omnikpi.store.models import AuditEntry

PASSWORD = "audit-search-pass-1"
LOG = [("ana", "login", datetime(2026, 11, 30, 21, 30, tzinfo=UTC)),
       ("ana", "export", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
       ("bob", "login_failed", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
       ("bob", "login", datetime(2026, 12, 1, 8, 1, tzinfo=UTC)),
       ("=cmd", "export", datetime(2026, 12, 2, 9, 0, tzinfo=UTC))]


def _write_log(url: str) -> None:
    with session_scope(url) as session:
        session.execute(delete(AuditEntry))  # creating accounts wrote nothing, but be sure
        for actor, action, at in LOG:
            session.add(AuditEntry(actor=actor, action=action, at=at,
                                   detail=json.dumps({"n": actor}), ip="10.1.1.1"))


@pytest.fixture()
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    _write_log(url)
    return url


def _actors(url: str, search: AuditSearch) -> list[tuple[str, str]]:
    with session_scope(url) as session:
        return [(e.actor, e.action) for e in find_entries(session, search)]


def test_each_part_of_a_search(database: str) -> None:
    everything = _actors(database, AuditSearch())
    assert everything == [(a, b) for a, b, _ in reversed(LOG)]  # newest first
    assert _actors(database, search_of(actors=["bob"])) == [("bob", "login"),
                                                             ("bob", "login_failed")]
    assert _actors(database, search_of(actions=["login", "login_failed"])) == [
        ("bob", "login"), ("bob", "login_failed"), ("ana", "login")]
    # days in UTC: 1 December is entries 3 and 4; [from, to) excludes 2 December
    assert _actors(database, search_of(from_="2026-12-01", to="2026-12-02")) == [
        ("bob", "login"), ("bob", "login_failed")]
    # the same day in Kyiv (UTC+2) begins at 22:00 UTC on the 30th: ana's export is in
    assert _actors(database, search_of(from_="2026-12-01", to="2026-12-02",
                                       tz="Europe/Kyiv")) == [
        ("bob", "login"), ("bob", "login_failed"), ("ana", "export")]
    # an instant with its offset is read as written
    assert _actors(database, search_of(from_="2026-12-01T10:00:00+02:00")) == [
        ("=cmd", "export"), ("bob", "login"), ("bob", "login_failed")]


def test_pages_follow_each_other_without_gaps_or_repeats(database: str) -> None:
    first = search_of(limit=2)
    with session_scope(database) as session:
        page1 = [e.id for e in find_entries(session, first)]
        page2 = [e.id for e in find_entries(session, search_of(before_id=page1[-1], limit=2))]
        page3 = [e.id for e in find_entries(session, search_of(before_id=page2[-1], limit=2))]
    assert (page1, page2, page3) == ([5, 4], [3, 2], [1])
    with session_scope(database) as session:  # a download reads every page
        assert [e.id for e in every_entry(session, search_of(limit=1), page_size=2)] == \
            [5, 4, 3, 2, 1]
        assert [e.id for e in every_entry(session, search_of(actors=["bob"]),
                                          page_size=2)] == [4, 3]


@pytest.mark.parametrize(("kwargs", "said"), [
    ({"from_": "yesterday"}, "bad from 'yesterday'"),
    ({"to": "2026-13-01"}, "bad to '2026-13-01'"),
    ({"from_": "2026-12-02", "to": "2026-12-01"}, "must be after from"),
    ({"tz": "Mars/Base"}, "unknown time zone"),
    ({"limit": 0}, "limit must be 1 to 1000"),
    ({"limit": 1001}, "limit must be 1 to 1000"),
])
def test_a_search_that_makes_no_sense_is_refused_by_name(kwargs: dict[str, object],
                                                         said: str) -> None:
    with pytest.raises(UsageError, match=re.escape(said)):
        search_of(**kwargs)  # type: ignore[arg-type]


# -- the service ------------------------------------------------------------------------


@pytest.fixture()
def app(make_app: Callable[..., FastAPI], database: str) -> FastAPI:
    with session_scope(database) as session:
        create_user(session, "root", PASSWORD, "admin")
        create_user(session, "lead", PASSWORD, "supervisor", tenant="A")
    return make_app(auth_required=True, database_url=database, live_updates=False,
                    tz="Europe/Kyiv")


def _client(app: FastAPI, user: str) -> TestClient:
    client = TestClient(app)
    token = client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    assert token.status_code == 200, token.text
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def test_the_api_searches_and_pages(app: FastAPI) -> None:
    root = _client(app, "root")
    found = root.get("/api/v1/audit", params={"actor": ["bob", "ana"],
                                              "action": "login"}).json()
    assert [(e["actor"], e["at"]) for e in found] == [
        ("bob", "2026-12-01T08:01:00+00:00"), ("ana", "2026-11-30T21:30:00+00:00")]
    assert json.loads(found[0]["detail"]) == {"n": "bob"} and found[0]["ip"] == "10.1.1.1"
    page = root.get("/api/v1/audit", params={"before_id": found[0]["id"],
                                             "action": "login"}).json()
    assert [e["actor"] for e in page] == ["ana"]
    kyiv_day = root.get("/api/v1/audit", params={"from": "2026-12-01", "to": "2026-12-02",
                                                 "tz": "Europe/Kyiv",
                                                 "actor": "ana"}).json()
    assert [e["action"] for e in kyiv_day] == ["export"]
    # an offset's "+" a URL turned into a space is read back (the same day, as +02:00)
    lost_plus = root.get("/api/v1/audit", params={"from": "2026-12-01T00:00:00 02:00",
                                                  "to": "2026-12-02T00:00:00 02:00",
                                                  "actor": "ana"}).json()
    assert [e["action"] for e in lost_plus] == ["export"]
    refused = root.get("/api/v1/audit", params={"from": "yesterday"})
    assert refused.status_code == 400 and "bad from 'yesterday'" in refused.text
    for limit in (0, -1, 5000):  # 0 ("every entry" to the CLI) gave one, 5000 was clamped
        refused = root.get("/api/v1/audit", params={"limit": limit})
        assert refused.status_code == 400 and "limit must be 1 to 1000" in refused.text
    for before in (99999999999999999999, 0):  # the first overflowed the driver: a 500
        refused = root.get("/api/v1/audit", params={"before_id": before})
        assert refused.status_code == 400 and "before_id must be a whole number from 1 to " \
            "2,147,483,647" in refused.text, refused.text
    assert _client(app, "lead").get("/api/v1/audit").status_code == 403


def test_the_page_searches_in_the_server_zone_and_downloads_what_it_found(
        app: FastAPI, database: str) -> None:
    root = _client(app, "root")
    # the To day is inclusive and days are the server's (Kyiv): 1 December in Kyiv holds
    # ana's export (00:30 local) and bob's two entries, not ana's login (23:30 the day before)
    page = root.get("/audit", params={"from": "2026-12-01", "to": "2026-12-01"})
    assert page.status_code == 200
    rows = re.findall(r'<tr data-id="(\d+)">', page.text)
    assert rows == ["4", "3", "2"]
    assert "Dec 1, 2026, 00:30:00" in page.text  # ana's export, in Kyiv time
    assert 'value="2026-12-01"' in page.text  # the form keeps what was asked
    # a pasted instant whose offset's "+" the URL made a space: the same entries (a 400)
    pasted = root.get("/audit", params={"from": "2026-12-01T00:00:00 02:00",
                                        "to": "2026-12-01T23:59:59 02:00"})
    assert re.findall(r'<tr data-id="(\d+)">', pasted.text) == ["4", "3", "2"], pasted.text
    # each action by its label, its id beside it (what the API, the CLI and the CSV carry)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page.text)
    assert options == [("", "any"), ("export", "Data exported"), ("login_failed", "Failed login"),
                       ("login", "Login")]  # by name, alphabetically
    assert 'Failed login<br><code translate="no">login_failed</code>' in page.text
    only_bob = root.get("/audit", params={"actor": "bob", "action": "login_failed"})
    assert re.findall(r'<tr data-id="(\d+)">', only_bob.text) == ["3"]
    # the download: what the search found, a spreadsheet-safe actor, and itself audited
    download = root.get("/audit.csv", params={"action": "export"})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert [(r["id"], r["actor"]) for r in table] == [("5", "'=cmd"), ("2", "ana")]
    with session_scope(database) as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and (last.actor, last.action) == ("root", "export")
    assert json.loads(last.detail) == {"what": "audit log", "query": "action=export",
                                       "entries": 2}
    # the file holds every page, so a page's before_id is refused, not ignored (it gave
    # the whole log, read as entries before that id)
    paged = root.get("/audit.csv", params={"action": "export", "before_id": "3"})
    assert paged.status_code == 400 and "before_id" in paged.json()["detail"]
    # nothing found says so; a search that makes no sense says why
    assert 'id="audit-none"' in root.get("/audit", params={"actor": "nobody"}).text
    # in the filters' words and the page's language (it said "to (2026-12-02…) must be
    # after from (…)" in English, naming the day after the one typed)
    wrong = root.get("/audit", params={"from": "2026-12-05", "to": "2026-12-01"})
    assert wrong.status_code == 400 and "The To date is before the From date" in wrong.text
    assert "2026-12-02" not in wrong.text
    russian = root.get("/audit", params={"from": "2026-12-05", "to": "2026-12-01",
                                         "lang": "ru"})
    assert russian.status_code == 400 and "must be after" not in russian.text
    garbage = root.get("/audit", params={"from": "garbage", "lang": "uk"})
    assert garbage.status_code == 400 and "«garbage»" in garbage.text
    assert "ISO-8601" not in garbage.text
    # in Ukrainian, the actions too; one a newer version wrote shows its id alone
    with session_scope(database) as session:
        session.add(AuditEntry(actor="ana", action="written_by_a_newer_version",
                               at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC), detail="{}"))
    ukrainian = root.get("/audit", params={"lang": "uk"}).text
    assert "Журнал аудиту" in ukrainian
    assert 'Невдала спроба входу<br><code translate="no">login_failed</code>' in ukrainian
    assert ('<td class="audit-action"><code translate="no">written_by_a_newer_version'
            '</code>') in ukrainian
    # by name in Ukrainian (Вивантаження, Вхід, Невдала…), the unnamed one last
    assert re.findall(r'<option value="([^"]+)"', ukrainian) == [
        "export", "login", "login_failed", "written_by_a_newer_version"]
    assert ('<option value="written_by_a_newer_version" translate="no">'
            'written_by_a_newer_version</option>') in ukrainian
    # supervisors are refused the page and its file
    lead = _client(app, "lead")
    assert lead.get("/audit").status_code == 403 and lead.get("/audit.csv").status_code == 403


def test_older_entries_link_pages_through_the_log(app: FastAPI,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Two entries a page: following "Older entries" visits each entry once, newest
    first, keeping the search (the five of the log and root's own login)."""
    from omnikpi.web.routes import audit_page

    monkeypatch.setattr(audit_page, "PAGE", 2)
    root = _client(app, "root")
    page = root.get("/audit", params={"action": "", "actor": ""})
    seen = re.findall(r'<tr data-id="(\d+)">', page.text)
    older = re.search(r'id="audit-older" href="([^"]+)"', page.text)
    while older:
        page = root.get(older.group(1).replace("&amp;", "&"))
        assert 'id="audit-newest"' in page.text, (older.group(1), page.text[-3000:])
        seen += re.findall(r'<tr data-id="(\d+)">', page.text)
        older = re.search(r'id="audit-older" href="([^"]+)"', page.text)
    assert seen == ["6", "5", "4", "3", "2", "1"]
    only_logins = root.get("/audit", params={"action": "login"})
    link = re.search(r'id="audit-older" href="([^"]+)"', only_logins.text)
    assert link is not None and "action=login" in link.group(1)


def test_the_command_line_searches_too(database: str) -> None:
    runner = CliRunner()
    base = ["audit", "--database-url", database]
    text = runner.invoke(cli, [*base, "--actor", "bob"])
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines() == [
        '4\t2026-12-01T08:01:00+00:00\tbob\tlogin\t10.1.1.1\t{"n": "bob"}',
        '3\t2026-12-01T08:00:00+00:00\tbob\tlogin_failed\t10.1.1.1\t{"n": "bob"}']
    as_json = runner.invoke(cli, [*base, "--from", "2026-12-01", "--tz", "Europe/Kyiv",
                                  "--to", "2026-12-02", "--format", "json"])
    assert [e["id"] for e in json.loads(as_json.stdout)] == [4, 3, 2]
    as_csv = runner.invoke(cli, [*base, "--action", "export", "--format", "csv"])
    assert list(csv.reader(io.StringIO(as_csv.stdout)))[1][:3] == [
        "5", "2026-12-02T09:00:00+00:00", "'=cmd"]
    every = runner.invoke(cli, [*base, "--limit", "0", "--format", "json"])
    assert [e["id"] for e in json.loads(every.stdout)] == [5, 4, 3, 2, 1]
    assert "more may be older" not in every.stderr
    paged = runner.invoke(cli, [*base, "--limit", "2"])
    assert "more may be older: --before-id 4" in paged.stderr
    assert "no entry matches" in runner.invoke(cli, [*base, "--actor", "zed"]).stderr
    bad = runner.invoke(cli, [*base, "--from", "soon"])
    assert bad.exit_code == 2 and "bad from 'soon'" in bad.output


def test_every_change_made_on_the_web_says_its_address(
        make_app: Callable[..., FastAPI]) -> None:
    """An alert rule, a board, a QA form: their entries had an empty address (only
    logins, exports and a few others passed theirs)."""
    app = make_app(auth_required=True, scheduler=False)
    url = app.state.omnikpi.database_url
    with session_scope(url) as session:
        create_user(session, "boss", "audit-pass-word-1", "admin")
    client = TestClient(app)
    token = client.post("/api/v1/auth/token", data={
        "username": "boss", "password": "audit-pass-word-1"}).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    made = client.post("/api/v1/alerts", json={"name": "slow", "kind": "sl_below",
                                               "threshold": 0.8})
    assert made.status_code in (200, 201), made.text
    with session_scope(url) as session:
        entries = {e.action: e.ip for e in session.scalars(select(AuditEntry))}
    assert entries["alert_rule_created"] == "testclient"


def test_names_in_other_alphabets_read_as_written(app: FastAPI, database: str) -> None:
    """A schedule named «Утро» was logged as ``\\u0423\\u0442\\u0440\\u043e``: an entry
    is written with its letters, and one written before (escaped) shows them too."""
    from omnikpi.auth.accounts import audit

    with session_scope(database) as session:
        audit(session, "ana", "schedule_added", {"name": "Утро"}, ip="10.1.1.2")
        session.add(AuditEntry(actor="ana", action="schedule_added", ip="10.1.1.3",
                               detail=json.dumps({"name": "Вечір"})))
    with session_scope(database) as session:
        stored = [e.detail for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "schedule_added")
            .order_by(AuditEntry.id))]
    assert stored[0] == '{"name": "Утро"}'
    page = _client(app, "root").get("/audit", params={"action": "schedule_added",
                                                      "lang": "uk"})
    assert "Утро" in page.text and "Вечір" in page.text and "\\u04" not in page.text
    assert '<p id="error-message" lang="en">' not in _client(app, "root").get(
        "/audit", params={"from": "garbage", "lang": "uk"}).text
