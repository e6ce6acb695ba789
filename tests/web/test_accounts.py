"""Accounts from the CLI, logins, tokens, CSRF, rate limiting, cookies and the audit log."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from omnikpi.auth.accounts import MAX_FAILURES, MAX_FAILURES_PER_ADDRESS, audit_entries
from omnikpi.cli.actor import cli_actor
from omnikpi.cli.main import app as cli
from omnikpi.store.db import session_scope
from omnikpi.store.models import ApiKey, User

PASSWORD = "s3cret-enough"


@pytest.fixture()
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    done = CliRunner().invoke(cli, ["db", "upgrade", "--database-url", url])
    assert done.exit_code == 0, done.output
    assert "is at revision" in done.stdout
    return url


def _add(url: str, *args: str, password: str = PASSWORD) -> tuple[int, str]:
    done = CliRunner().invoke(cli, ["users", "add", *args, "--database-url", url],
                              input=password + "\n")
    return done.exit_code, done.output


def test_users_add_reads_the_password_from_stdin_and_hashes_it(database: str) -> None:
    assert _add(database, "ana", "--role", "admin")[0] == 0
    assert _add(database, "cli", "--role", "client", "--tenant", "A")[0] == 0
    assert _add(database, "sup", "--role", "supervisor", "--site", "kyiv", "--site", "lviv"
                )[0] == 0
    with session_scope(database) as session:
        users = {u.username: u for u in session.scalars(select(User))}
    assert users["ana"].password_hash.startswith("$argon2id$")
    assert PASSWORD not in users["ana"].password_hash
    assert users["cli"].tenant == "A" and users["sup"].sites == "kyiv,lviv"
    # clear errors: a client needs a tenant, roles are checked, names are unique
    code, output = _add(database, "nobody", "--role", "client")
    assert code == 2 and "needs --tenant" in output
    assert "role must be one of" in _add(database, "x", "--role", "boss")[1]
    assert "exists already" in _add(database, "ana", "--role", "admin")[1]
    assert "at least 8" in _add(database, "short", "--role", "admin", password="abc")[1]
    # the first guesses of an intruder, from the command line too (exit 2, nothing saved)
    code, output = _add(database, "maria", "--role", "admin", password="Password2024!")
    assert code == 2 and "anybody would try" in output
    assert "user name" in _add(database, "maria", "--role", "admin", password="maria-2024")[1]
    said = CliRunner().invoke(cli, ["users", "password", "ana", "--database-url", database],
                              input="12345678\n")
    assert said.exit_code == 2 and "row of the keyboard" in said.output
    with session_scope(database) as session:
        assert "maria" not in {u.username for u in session.scalars(select(User))}


def test_passwords_are_hashed_strongly_unless_a_test_suite_says_otherwise(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployment hashes with Argon2id at 3 passes over 64 MiB; the suite's cheap
    parameters (set in tests/conftest.py) are for tests only, and each verifies the
    other's hashes (a hash records its parameters)."""
    from omnikpi.auth.accounts import FAST_HASHING_FOR_TESTS, hasher

    cheap = hasher().hash(PASSWORD)
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    monkeypatch.delenv(FAST_HASHING_FOR_TESTS)
    strong = hasher().hash(PASSWORD)
    assert strong.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert hasher().verify(cheap, PASSWORD) and hasher().check_needs_rehash(cheap)
    monkeypatch.setenv(FAST_HASHING_FOR_TESTS, "1")
    assert hasher().verify(strong, PASSWORD)


def test_every_account_but_an_admin_is_scoped_explicitly(
        database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A supervisor created without --tenant/--site saw every tenant by omission."""
    code, output = _add(database, "sup", "--role", "supervisor")
    assert code == 2 and "--all-tenants" in output
    code, output = _add(database, "agent", "--role", "agent", "--agent-id", "a1")
    assert code == 2 and "needs --tenant" in output
    assert _add(database, "boss", "--role", "supervisor", "--all-tenants")[0] == 0
    code, output = _add(database, "mixed", "--role", "supervisor", "--all-tenants",
                        "--tenant", "A")
    assert code == 2 and "cannot go with" in output
    # an account made before scopes were explicit is reported, not locked out
    with session_scope(database) as session:
        session.add(User(username="legacy", password_hash="x", role="supervisor"))
    listed = CliRunner().invoke(cli, ["users", "list", "--database-url", database])
    assert listed.exit_code == 0
    assert "legacy\tsupervisor\tEVERY TENANT, UNSCOPED" in listed.stdout
    assert "boss\tsupervisor\tevery tenant (--all-tenants)" in listed.stdout
    assert "1 supervisor(s) see every tenant" in listed.stderr and "legacy" in listed.stderr
    from omnikpi.demo import DEMO_DATA_DIR
    from omnikpi.web.app import create_app

    with caplog.at_level("WARNING", logger="omnikpi"):
        create_app(DEMO_DATA_DIR, database_url=database, live_updates=False)
    assert "see every tenant" in caplog.text and "legacy" in caplog.text
    assert "nobody can log in" not in caplog.text


def test_a_server_on_a_database_without_accounts_says_nobody_can_log_in(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from omnikpi.demo import DEMO_DATA_DIR
    from omnikpi.web.app import create_app

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with caplog.at_level("WARNING", logger="omnikpi"):
        create_app(DEMO_DATA_DIR, database_url=url, live_updates=False, scheduler=False)
    assert f"the database sqlite:///{tmp_path / 'fresh.db'} has no accounts" in caplog.text
    assert "omnikpi users add NAME --role admin" in caplog.text


def test_an_unmigrated_database_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, output = _add(url, "ana", "--role", "admin")
    assert code == 2 and "omnikpi db upgrade" in output
    # a missing file is named by its absolute path and not created (a command run in
    # another folder left empty omnikpi.db files about, each "not up to date")
    assert f"no OmniKPI database at {tmp_path / 'new.db'}" in " ".join(output.split())
    assert not (tmp_path / "new.db").exists()
    listed = CliRunner().invoke(cli, ["users", "list", "--database-url", url])
    assert listed.exit_code == 2 and not (tmp_path / "new.db").exists()
    (tmp_path / "new.db").touch()  # there, but empty: the migration is what it lacks
    code, output = _add(url, "ana", "--role", "admin")
    assert code == 2 and "is not up to date: run `omnikpi db upgrade`" in output


def test_apikeys_add_prints_a_key_stored_only_as_a_hash(database: str) -> None:
    done = CliRunner().invoke(cli, ["apikeys", "add", "asterisk-1", "--tenant", "A",
                                    "--database-url", database])
    assert done.exit_code == 0
    key = done.stdout.strip()
    assert key.startswith("ok_") and len(key) > 40
    with session_scope(database) as session:
        row = session.scalars(select(ApiKey)).one()
    assert row.tenant == "A" and key not in row.key_hash and row.prefix == key[:10]


@pytest.fixture()
def app(make_app: Callable[..., FastAPI], database: str) -> FastAPI:
    _add(database, "ana", "--role", "admin")
    _add(database, "cli", "--role", "client", "--tenant", "acme")
    return make_app(auth_required=True, database_url=database, live_updates=False)


def _login(client: TestClient, user: str, password: str = PASSWORD) -> int:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post("/login", data={"username": user, "password": password,
                                         "csrf_token": token.group(1), "next": "/builder"},
                         follow_redirects=False)
    return answer.status_code if "error" not in answer.headers.get("location", "") else 401


def test_password_flow_token_opens_the_api(app: FastAPI) -> None:
    client = TestClient(app)
    assert client.get("/api/v1/report", params={"metrics": "offered"}).status_code == 401
    wrong = client.post("/api/v1/auth/token", data={"username": "ana", "password": "nope"})
    assert wrong.status_code == 401
    token = client.post("/api/v1/auth/token", data={"username": "ana", "password": PASSWORD})
    assert token.json()["token_type"] == "bearer"
    assert token.json()["expires_in"] == 8 * 3600  # the 8 hours the token is valid
    report = client.get("/api/v1/report", params={"metrics": "offered"},
                        headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert report.status_code == 200 and report.json()["rows"][0]["offered"] > 0


def test_session_cookie_is_httponly_and_forms_need_the_csrf_token(app: FastAPI) -> None:
    client = TestClient(app)
    assert client.get("/builder", follow_redirects=False).headers["location"] == \
        "/login?next=/builder"
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    forged = client.post("/login", data={"username": "ana", "password": PASSWORD,
                                         "csrf_token": "forged"})
    assert forged.status_code == 403
    answer = client.post("/login", data={"username": "ana", "password": PASSWORD,
                                         "csrf_token": token.group(1), "next": "/builder"},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/builder"
    cookie = answer.headers["set-cookie"]
    assert "omnikpi_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    query = "metrics=offered&by=queue"
    without = client.post("/builder/save", data={"name": "x", "query": query})
    assert without.status_code == 403 and "CSRF" in without.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/builder?" + query).text)
    assert csrf
    saved = client.post("/builder/save", data={"name": "x", "query": query,
                                               "csrf_token": csrf.group(1)},
                        follow_redirects=False)
    assert saved.status_code == 303
    # an outside link after login never leaves the site
    assert _login(TestClient(app), "ana") == 303
    logout = client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    assert logout.status_code == 303
    assert client.get("/builder", follow_redirects=False).status_code == 303


def test_login_is_rate_limited_and_audited(app: FastAPI) -> None:
    client = TestClient(app)
    for _ in range(MAX_FAILURES):
        assert client.post("/api/v1/auth/token", data={"username": "cli", "password": "bad"}
                           ).status_code == 401
    locked = client.post("/api/v1/auth/token", data={"username": "cli", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    # tried again during the lock: refused, and the lock is in the log once
    assert client.post("/api/v1/auth/token", data={"username": "cli", "password": "bad"}
                       ).status_code == 429
    # the lock is the account's: another user from the same address still gets in
    token = client.post("/api/v1/auth/token", data={"username": "ana", "password": PASSWORD})
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert client.get("/export.csv?metrics=offered", headers=headers).status_code == 200
    log = client.get("/api/v1/audit", headers=headers).json()
    actions = [(e["actor"], e["action"]) for e in log]
    assert actions.count(("cli", "login_failed")) == MAX_FAILURES
    assert actions.count(("cli", "login_locked")) == 1
    assert ("ana", "export") in actions and ("ana", "login") in actions
    # a refused format or a failed report took nothing out: no export in the log
    assert client.get("/export.xml?metrics=offered", headers=headers).status_code == 400
    assert client.get("/export.csv?metrics=nonsense", headers=headers).status_code == 400
    log = client.get("/api/v1/audit", headers=headers).json()
    assert [(e["actor"], e["action"]) for e in log].count(("ana", "export")) == 1
    # the rows behind a figure are an export too
    assert client.get("/drill.csv?metric=offered", headers=headers).status_code == 200
    drill = client.get("/api/v1/audit", headers=headers).json()[0]
    assert (drill["actor"], drill["action"]) == ("ana", "export")
    assert json.loads(drill["detail"])["what"] == "drill" and drill["ip"]
    # spraying many names from one address locks the address
    for index in range(MAX_FAILURES_PER_ADDRESS - MAX_FAILURES):
        client.post("/api/v1/auth/token", data={"username": f"guess{index}", "password": "x"})
    sprayed = client.post("/api/v1/auth/token", data={"username": "ana", "password": PASSWORD})
    assert sprayed.status_code == 429
    # more names sprayed at the locked address: one entry for the address's lock, not
    # one per name (each refusal cost an INSERT and nothing else: a log filled at will)
    for index in range(10):
        assert client.post("/api/v1/auth/token", data={"username": f"more{index}",
                                                       "password": "x"}).status_code == 429
    locks = [(e["actor"], json.loads(e["detail"])["lock"])
             for e in client.get("/api/v1/audit", headers=headers).json()
             if e["action"] == "login_locked"]
    assert sorted(locks) == [("address", "address"), ("cli", "name")]
    # a name no account has (a password typed into the name field) is kept as a digest
    actors = {e["actor"] for e in client.get("/api/v1/audit", headers=headers).json()}
    assert not any(a.startswith("guess") for a in actors)
    assert sum(a.startswith("unknown name ") for a in actors) == \
        MAX_FAILURES_PER_ADDRESS - MAX_FAILURES
    # keyed: a plain SHA-256 gave back a password typed as a name to a guess loop
    import hashlib

    plain = {f"unknown name {hashlib.sha256(f'guess{i}'.encode()).hexdigest()[:12]}"
             for i in range(MAX_FAILURES_PER_ADDRESS - MAX_FAILURES)}
    assert not plain & actors


def test_wrong_passwords_sent_at_once_are_limited_as_those_sent_one_by_one(
        app: FastAPI, database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forty wrong passwords sent at the same moment all passed the lock-out's count
    (about 18 were checked against a limit of five): each attempt was written only after
    its password had been hashed. An attempt is now recorded before it is checked."""
    from concurrent.futures import ThreadPoolExecutor

    from omnikpi.auth.accounts import FAST_HASHING_FOR_TESTS
    from omnikpi.store.models import LoginAttempt

    monkeypatch.delenv(FAST_HASHING_FOR_TESTS)  # a real hash: the time the race had

    def guess(index: int) -> int:
        client = TestClient(app, client=("203.0.113.9", 50000))
        return client.post("/api/v1/auth/token",
                           data={"username": "ana", "password": f"wrong-{index}"}).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(guess, range(40)))
    assert answers.count(401) == MAX_FAILURES
    assert answers.count(429) == 40 - MAX_FAILURES
    with session_scope(database) as session:
        tried = list(session.scalars(select(LoginAttempt).where(LoginAttempt.username == "ana")))
    assert len(tried) == MAX_FAILURES and not any(a.success for a in tried)
    # the owner, elsewhere, still gets in; their success is recorded as one
    owner = TestClient(app, client=("198.51.100.7", 50000))
    assert owner.post("/api/v1/auth/token", data={"username": "ana", "password": PASSWORD}
                      ).status_code == 200
    with session_scope(database) as session:
        assert [a.success for a in session.scalars(select(LoginAttempt).where(
            LoginAttempt.ip == "198.51.100.7"))] == [True]


def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(app: FastAPI) -> None:
    """Anyone could lock any account, the administrator's included, for 15 minutes with
    five wrong passwords: the lock is now the name's *from that address*."""
    attacker = TestClient(app, client=("203.0.113.9", 50000))
    for _ in range(MAX_FAILURES):
        attacker.post("/api/v1/auth/token", data={"username": "ana", "password": "bad"})
    locked = attacker.post("/api/v1/auth/token", data={"username": "ana", "password": PASSWORD})
    assert locked.status_code == 429
    owner = TestClient(app, client=("198.51.100.7", 50000))
    assert owner.post("/api/v1/auth/token", data={"username": "ana", "password": PASSWORD}
                      ).status_code == 200
    # the login form answers 429 (with the page and the wait) when locked
    page = attacker.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = attacker.post("/login", data={"username": "ana", "password": PASSWORD,
                                         "csrf_token": token.group(1), "next": "/"},
                         follow_redirects=False)
    assert form.status_code == 429 and int(form.headers["retry-after"]) > 0
    assert "Too many failed logins" in form.text


def test_client_cannot_read_the_audit_log(app: FastAPI) -> None:
    client = TestClient(app)
    token = client.post("/api/v1/auth/token", data={"username": "cli", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert client.get("/api/v1/audit", headers=headers).status_code == 403


def test_a_page_the_role_may_not_open_is_a_page_not_json(app: FastAPI) -> None:
    """A client opening the QA error report saw ``{"detail": "this needs the role admin
    or supervisor"}``: now a page in their language with the way back; the API keeps
    its JSON."""
    client = TestClient(app)
    assert _login(client, "cli") == 303
    page = client.get("/qa/errors")
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "Your account cannot open this page" in page.text
    assert "This needs the role admin or supervisor." in page.text
    ru = client.get("/qa/errors", params={"lang": "ru"})
    assert ru.status_code == 403
    assert "Ваша учётная запись не может открыть эту страницу" in ru.text
    assert "needs the role" not in ru.text  # one language on the page
    api = client.get("/api/v1/audit")
    assert api.status_code == 403 and "detail" in api.json()


def _cli(database: str, *args: str, password: str | None = None) -> str:
    done = CliRunner().invoke(cli, [*args, "--database-url", database],
                              input=None if password is None else password + "\n")
    assert done.exit_code == 0, done.output
    return done.output


def test_a_password_reset_and_a_disabled_account_end_their_logins(app: FastAPI,
                                                                  database: str) -> None:
    """Someone's password leaked, then they left: `users password` and `users disable`
    from the command line (there was no way but editing the database)."""
    client = TestClient(app)

    def bearer(password: str) -> str | None:
        answer = client.post("/api/v1/auth/token", data={"username": "cli",
                                                          "password": password})
        return answer.json()["access_token"] if answer.status_code == 200 else None

    def reads(token: str) -> int:
        return client.get("/api/v1/catalog",
                          headers={"Authorization": f"Bearer {token}"}).status_code

    old = bearer(PASSWORD)
    assert old and reads(old) == 200
    said = _cli(database, "users", "password", "cli", password="a fresh violet kettle")
    assert "every login ended" in said
    assert reads(old) == 401 and bearer(PASSWORD) is None
    new = bearer("a fresh violet kettle")
    assert new and reads(new) == 200
    _cli(database, "users", "disable", "cli")
    assert reads(new) == 401 and bearer("a fresh violet kettle") is None
    assert "cli\tclient\ttenant acme (disabled)" in _cli(database, "users", "list")
    _cli(database, "users", "enable", "cli")
    assert bearer("a fresh violet kettle") is not None
    short = CliRunner().invoke(cli, ["users", "password", "cli", "--database-url", database],
                               input="short\n")
    nobody = CliRunner().invoke(cli, ["users", "disable", "nobody", "--database-url",
                                      database])
    assert short.exit_code == 2 and "at least" in short.output
    assert nobody.exit_code == 2 and "no user 'nobody'" in nobody.output


def test_a_revoked_api_key_no_longer_opens_ingest(database: str) -> None:
    from omnikpi.auth.accounts import resolve_api_key

    key = _cli(database, "apikeys", "add", "pbx-1", "--tenant", "A").strip()
    with session_scope(database) as session:
        assert resolve_api_key(session, key) is not None
    assert "pbx-1\tok_" in _cli(database, "apikeys", "list")
    assert "API key pbx-1 revoked" in _cli(database, "apikeys", "revoke", "pbx-1")
    with session_scope(database) as session:
        assert resolve_api_key(session, key) is None
    listed = _cli(database, "apikeys", "list")
    assert "\tA\t" in listed and "\trevoked " in listed
    unknown = CliRunner().invoke(cli, ["apikeys", "revoke", "pbx-9", "--database-url",
                                       database])
    assert unknown.exit_code == 2 and "no API key 'pbx-9'" in unknown.output


def test_a_revoked_key_is_told_so_not_to_log_in(app: FastAPI, database: str) -> None:
    """A PBX with a revoked key was told to log in with a user name and password."""
    key = _cli(database, "apikeys", "add", "pbx-2").strip()
    _cli(database, "apikeys", "revoke", "pbx-2")
    with TestClient(app) as client:
        for headers in ({"X-API-Key": key}, {"Authorization": f"Bearer {key}"}):
            refused = client.post("/api/v1/events", headers=headers,
                                  json={"table": "contacts", "rows": []})
            assert refused.status_code == 401
            assert refused.json()["detail"].startswith("this API key is not valid")


def test_a_bearer_token_can_be_revoked_and_logout_ends_it(app: FastAPI) -> None:
    """A script's `POST /logout` answered 303 and its token kept working for 8 hours."""
    client = TestClient(app)

    def token() -> str:
        answer = client.post("/api/v1/auth/token", data={"username": "ana",
                                                          "password": PASSWORD})
        return str(answer.json()["access_token"])

    def reads(value: str) -> int:
        return client.get("/api/v1/catalog",
                          headers={"Authorization": f"Bearer {value}"}).status_code

    first, second = token(), token()
    assert reads(first) == 200 and reads(second) == 200
    gone = client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {first}"})
    assert gone.status_code == 200 and gone.json() == {"revoked": True}
    assert reads(first) == 401 and reads(second) == 200
    out = client.post("/logout", headers={"Authorization": f"Bearer {second}"},
                      follow_redirects=False)
    assert out.status_code == 303
    assert reads(second) == 401


@pytest.mark.parametrize(("args", "said"), [
    (["", "--role", "admin"], "the user name is empty"),
    ([" admin", "--role", "admin"], "begins or ends with a blank"),
    (["mallory\tclient\ttenant bank\nroot", "--role", "admin"], "control character"),
    (["boss", "--role", "admin", "--tenant", "bank"], "an administrator sees every tenant"),
    (["boss", "--role", "client", "--tenant", "bank", "--agent-id", "a1"],
     "--agent-id is for an agent account"),
])
def test_names_and_scopes_that_would_mislead_are_refused(database: str, args: list[str],
                                                         said: str) -> None:
    """A tab and a newline in a name printed a fake line in `users list`; an admin's
    --tenant was stored, applied to nothing, and stopped their schedules."""
    code, output = _add(database, *args)
    assert code == 2 and said in " ".join(output.split()), output


def test_a_name_differing_only_in_case_is_the_same_person(database: str) -> None:
    assert _add(database, "ana", "--role", "admin")[0] == 0
    code, output = _add(database, "ANA", "--role", "admin")
    assert code == 2 and "user 'ana' exists already" in output
    key = CliRunner().invoke(cli, ["apikeys", "add", " pbx", "--database-url", database])
    assert key.exit_code == 2 and "begins or ends with a blank" in key.output


def test_a_cyrillic_or_key_name_differing_only_in_case_is_the_same(database: str) -> None:
    """SQLite's lower() folds only ASCII: "ОКСАНА" was a second account beside "Оксана";
    API key names were compared as typed ("Asterisk-1" beside "asterisk-1")."""
    assert _add(database, "Оксана", "--role", "client", "--tenant", "telco")[0] == 0
    code, output = _add(database, "ОКСАНА", "--role", "client", "--tenant", "telco")
    assert code == 2 and "user 'Оксана' exists already" in output
    first = CliRunner().invoke(cli, ["apikeys", "add", "asterisk-1", "--database-url",
                                     database])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli, ["apikeys", "add", "Asterisk-1", "--database-url",
                                     database])
    assert again.exit_code == 2 and "API key 'asterisk-1' exists already" in again.output


def test_an_empty_scope_value_is_refused_not_read_as_every_tenant(database: str) -> None:
    """``--site "$SITE"`` with the variable unset: a supervisor who saw every tenant,
    listed without the warning unscoped supervisors get; ``apikeys add --tenant ''``: a
    key that writes every tenant's rows. Both refused; a blank stored before is named
    among the unscoped supervisors."""
    from omnikpi.auth.accounts import unscoped_supervisors
    from omnikpi.store.models import User

    for args in (["sup", "--role", "supervisor", "--site", ""],
                 ["sup", "--role", "supervisor", "--tenant", " "],
                 ["cli", "--role", "client", "--tenant", "bank", "--site", ""]):
        code, output = _add(database, *args)
        assert code == 2 and "is empty: name it" in output, (args, output)
    key = CliRunner().invoke(cli, ["apikeys", "add", "pbx", "--tenant", "",
                                   "--database-url", database])
    assert key.exit_code == 2 and "--tenant is empty" in key.output
    with session_scope(database) as session:
        session.add(User(username="old-blank", password_hash="x", role="supervisor",
                         sites=""))
    with session_scope(database) as session:
        assert "old-blank" in unscoped_supervisors(session)


def test_users_set_gives_an_account_a_new_scope_and_ends_its_logins(database: str) -> None:
    from omnikpi.auth.accounts import issue_token, resolve_token
    from omnikpi.store.models import User

    with session_scope(database) as session:
        session.add(User(username="legacy", password_hash="x", role="supervisor"))
    with session_scope(database) as session:
        user = session.scalars(select(User).where(User.username == "legacy")).one()
        token, _ = issue_token(session, user, "bearer")
    refused = CliRunner().invoke(cli, ["users", "set", "legacy", "--role", "supervisor",
                                       "--database-url", database])
    assert refused.exit_code == 2 and "a supervisor needs --tenant" in refused.output
    done = CliRunner().invoke(cli, ["users", "set", "legacy", "--role", "supervisor",
                                    "--tenant", "A", "--database-url", database])
    assert done.exit_code == 0, done.output
    listed = CliRunner().invoke(cli, ["users", "list", "--database-url", database])
    assert "legacy\tsupervisor\ttenant A" in listed.stdout and not listed.stderr
    with session_scope(database) as session:
        assert resolve_token(session, token) is None  # the old scope's login is over
    ghost = CliRunner().invoke(cli, ["users", "set", "ghost", "--role", "admin",
                                     "--database-url", database])
    assert ghost.exit_code == 2 and "no user 'ghost'" in ghost.output


def test_doing_it_twice_says_so_and_audits_once(database: str) -> None:
    from omnikpi.store.models import AuditEntry

    def run(*args: str) -> str:
        done = CliRunner().invoke(cli, [*args, "--database-url", database])
        assert done.exit_code == 0, done.output
        return done.stdout.strip()

    assert _add(database, "leaver", "--role", "admin")[0] == 0
    assert run("users", "disable", "leaver") == "user leaver disabled: every login ended"
    assert run("users", "disable", "leaver") == "user leaver was disabled already"
    assert run("users", "enable", "leaver") == "user leaver enabled"
    assert run("users", "enable", "leaver") == "user leaver was enabled already"
    run("apikeys", "add", "pbx")
    assert run("apikeys", "revoke", "pbx") == "API key pbx revoked"
    assert run("apikeys", "revoke", "pbx") == "API key pbx was revoked already"
    with session_scope(database) as session:
        actions = [e.action for e in session.scalars(select(AuditEntry))]
    assert actions.count("user_disabled") == actions.count("apikey_revoked") == 1
    again = CliRunner().invoke(cli, ["apikeys", "add", "pbx", "--database-url", database])
    assert again.exit_code == 2 and "give the new one another name, such as 'pbx-2'" in \
        " ".join(again.output.split())


def test_the_cheap_test_hashing_is_said_when_a_password_is_set(database: str) -> None:
    """The test suite sets OMNIKPI_INSECURE_FAST_PASSWORD_HASHING (tests/conftest.py):
    `serve` warned about it, `users add` stored weak hashes without a word."""
    code, output = _add(database, "ana", "--role", "admin")
    assert code == 0 and "OMNIKPI_INSECURE_FAST_PASSWORD_HASHING=1 stores this password" \
        in " ".join(output.split())


def test_a_command_line_change_names_the_login_that_made_it(
        database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit log names who ran the command — the login behind sudo first — not "cli"
    for every person with shell access."""
    monkeypatch.setenv("SUDO_USER", "maria")
    assert _add(database, "ana", "--role", "admin")[0] == 0
    monkeypatch.setenv("SUDO_USER", "")
    monkeypatch.setenv("USER", "oleh\tx")
    monkeypatch.setenv("LOGNAME", "oleh\tx")
    added = CliRunner().invoke(cli, ["apikeys", "add", "pbx", "--database-url", database])
    assert added.exit_code == 0, added.output
    with session_scope(database) as session:
        actors = {e.action: e.actor for e in audit_entries(session)}
    assert actors["user_created"] == "cli:maria"
    assert actors["apikey_created"] == "cli:olehx"  # no tab to forge a column


def test_an_agent_accounts_creation_is_audited_with_its_agent(database: str) -> None:
    """The entry left out --agent-id, which says whose QA the account shows."""
    import json

    assert _add(database, "ag", "--role", "agent", "--tenant", "bank", "--agent-id",
                "a01")[0] == 0
    with session_scope(database) as session:
        created = next(e for e in audit_entries(session) if e.action == "user_created")
        assert json.loads(created.detail)["agent_id"] == "a01"


def test_without_any_login_the_actor_is_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_login() -> str:
        raise OSError("no passwd entry for uid 4242")

    monkeypatch.delenv("SUDO_USER", raising=False)
    monkeypatch.setattr("omnikpi.cli.actor.getpass.getuser", no_login)
    assert cli_actor() == "cli"


def test_an_account_bound_to_what_no_row_holds_is_warned_about(
        database: str, caplog: pytest.LogCaptureFixture) -> None:
    """`--tenant Bank` on data that says `bank` made an account that sees empty pages
    without a word: `users add --data` says so at once, the server at every start."""
    from omnikpi.demo import DEMO_DATA_DIR
    from omnikpi.web.app import create_app

    demo = str(DEMO_DATA_DIR)
    code, output = _add(database, "bank-viewer", "--role", "client", "--tenant", "Bank",
                        "--data", demo)
    assert code == 0 and "user bank-viewer (client) created" in output
    assert "account 'bank-viewer' sees no figures: no row has tenant 'Bank' (the data has " \
        "'bank': values are case-sensitive)" in output
    code, output = _add(database, "floor", "--role", "supervisor", "--tenant", "bank",
                        "--site", "kyiv", "--site", "odesa", "--data", demo)
    assert code == 0 and "no row has site 'odesa'" in output and "'kyiv'" not in output
    code, output = _add(database, "own", "--role", "agent", "--tenant", "bank",
                        "--agent-id", "sales-01", "--data", demo)
    assert code == 0 and "sees no figures" not in output
    fixed = CliRunner().invoke(cli, ["users", "set", "bank-viewer", "--role", "client",
                                     "--tenant", "bank", "--data", demo,
                                     "--database-url", database])
    assert fixed.exit_code == 0 and "sees no figures" not in fixed.output
    _add(database, "late", "--role", "client", "--tenant", "Telco")  # no --data: no check
    with caplog.at_level("WARNING", logger="omnikpi"):
        create_app(DEMO_DATA_DIR, database_url=database, live_updates=False, scheduler=False)
    warned = [r.getMessage() for r in caplog.records if "sees no figures" in r.getMessage()]
    assert len(warned) == 2
    assert "account 'floor' sees no figures: no row has site 'odesa'" in warned[0]
    assert "account 'late' sees no figures: no row has tenant 'Telco' (the data has " \
        "'telco'" in warned[1]


def test_a_password_for_an_account_that_is_not_there_is_not_asked_for(database: str) -> None:
    """`users password ghost` read (or prompted for) the new password first and only then
    said there is no such account."""
    done = CliRunner().invoke(cli, ["users", "password", "ghost", "--database-url", database],
                              input="a fresh violet kettle\n")
    assert done.exit_code == 2 and "no user 'ghost'" in done.output, done.output
    # nothing was read: the suite's cheap-hashing warning comes with reading a password
    assert "stores this password" not in done.output


def test_login_page_offers_no_pages_until_someone_is_logged_in(app: FastAPI) -> None:
    """Each page link of a logged-out visitor only led back to the login form."""
    client = TestClient(app)
    nav = re.search(r"<nav>(.*?)</nav>", client.get("/login").text, re.S)
    assert nav and 'href="/builder"' not in nav.group(1) and 'href="/agents"' not in nav.group(1)
    assert 'hreflang="ru"' in nav.group(1)  # the language choice stays
    assert _login(client, "ana") == 303
    nav = re.search(r"<nav>(.*?)</nav>", client.get("/builder").text, re.S)
    assert nav and 'href="/builder"' in nav.group(1) and 'href="/agents"' in nav.group(1)
