"""A scheduled report owned by an agent account holds the agent's own rows, as every web
page does (``deps.get_view``: an agent reads their own rows, never a colleague's).

``owner_scope`` applied the owner's tenant scope: a schedule added with ``--owner`` an
agent delivered every agent of the tenant (and the contacts of no agent), and a client
later made an agent of the same tenant (``users set X --role agent``) kept mailing the
whole tenant, since the run re-checked only the tenant. The scope is now the web's rule,
re-evaluated at every run.

Tenant A on 2026-11-02 (tests/web/tenants.py): a1 handled a-1 and a-2, a2 handled a-4
and a-5, a-3 was abandoned (no agent); tenant B's agent handled bsecret-1 and bsecret-3.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from omnikpi.auth.accounts import create_user, set_scope
from omnikpi.cli.main import app
from omnikpi.store.db import session_scope, upgrade
from tests.web.tenants import MARK, write_two_tenants

runner = CliRunner()


def _cli(url: str, *args: str) -> Any:
    return runner.invoke(app, [*args, "--database-url", url])


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_an_agent_owner_s_schedule_holds_the_agent_s_own_rows(tmp_path: Path) -> None:
    data = write_two_tenants(tmp_path / "data")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    with session_scope(url) as session:
        create_user(session, "agent-a1", "orbit lamp horse", "agent", tenant="A",
                    agent_id="a1")
        create_user(session, "lead-a", "orbit lamp horse", "client", tenant="A")
    definition = tmp_path / "by-agent.toml"
    definition.write_text('name = "By agent"\nmetrics = ["offered", "handled"]\n'
                          'by = ["agent_id"]\n')
    out = tmp_path / "out"
    common = ["--definition", str(definition), "--cron", "0 8 * * *", "--tz", "UTC",
              "--folder", str(out), "--format", "csv", "--period", "day",
              "--data", str(data), "--since", "2026-11-02T00:00:00Z"]
    added = _cli(url, "schedule", "add", "Agent own", "--owner", "agent-a1", *common)
    assert added.exit_code == 0, added.output
    assert "agent-a1 is an agent account: each run holds only the rows of agent a1 in " \
           "tenant A" in " ".join(added.output.split())
    client = _cli(url, "schedule", "add", "Turned agent", "--owner", "lead-a", *common)
    assert client.exit_code == 0, client.output
    # the client is made an agent of the same tenant after the schedule was added
    with session_scope(url) as session:
        set_scope(session, "lead-a", "agent", tenant="A", agent_id="a2")

    ran = _cli(url, "schedule", "run-due", "--now", "2026-11-03T08:30:00Z")
    assert ran.exit_code == 0, ran.output
    assert sorted(line.split("\t")[:3] for line in ran.output.strip().splitlines()) == [
        ["ok", "Agent own", "2026-11-02"], ["ok", "Turned agent", "2026-11-02"]]
    own = _rows(out / "agent-own-2026-11-02.csv")
    assert own == [{"agent_id": "a1", "offered": "2", "handled": "2"}]
    turned = _rows(out / "turned-agent-2026-11-02.csv")
    assert turned == [{"agent_id": "a2", "offered": "2", "handled": "2"}]
    for name in ("agent-own", "turned-agent"):
        assert MARK not in (out / f"{name}-2026-11-02.csv").read_text()
