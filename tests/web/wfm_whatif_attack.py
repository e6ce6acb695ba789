"""Attacks on the what-if page (/wfm/whatif): it reads no dataset, so no tenant's data can
show whatever the address names; clients and agents are refused its page and its scenario
files; a pasted scenario needs the session's CSRF token. Called from
test_tenant_isolation.py on its two-tenant folder."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import csrf, log_in
from tests.web.tenants import MARK

WFM_WHATIF_ROUTES = {"/wfm/whatif", "/wfm/whatif/scenario.toml"}
ERLANG_C = Path(__file__).resolve().parents[2] / "scenarios" / "erlang_c.toml"
RUN = "scenario=erlang_c&agents-0=12&run=1&lang=en"


def attack_wfm_whatif(app: FastAPI, password: str) -> None:
    supervisor = log_in(TestClient(app), "sup-a", password)
    page = supervisor.get(f"/wfm/whatif?{RUN}")
    assert page.status_code == 200 and 'id="compare-voice"' in page.text
    for attack in ("tenant=B", f"queue=q-{MARK}", f"site=site-{MARK}"):
        answer = supervisor.get(f"/wfm/whatif?{RUN}&{attack}")
        # the language links repeat the address as typed (the attack's own words), which
        # is no tenant's data: everything else must hold none of B
        shown = re.sub(r'<a class="lang" href="[^"]*"', "", answer.text)
        assert answer.status_code == 200 and MARK not in shown, attack
        assert 'id="compare-voice"' in answer.text, attack
    # a pasted scenario is a POST: without the session's CSRF token it is refused
    pasted = {"scenario": "custom", "toml": ERLANG_C.read_text(), "run": "0"}
    assert supervisor.post("/wfm/whatif?lang=en", data=pasted).status_code == 403
    token = csrf(supervisor, "/wfm/whatif?lang=en")
    accepted = supervisor.post("/wfm/whatif?lang=en", data={**pasted, "csrf_token": token})
    assert accepted.status_code == 200 and 'name="agents-0"' in accepted.text
    for user in ("client-a", "agent-a"):
        other = log_in(TestClient(app), user, password)
        for path in (f"/wfm/whatif?{RUN}",
                     f"/wfm/whatif/scenario.toml?{RUN}&which=whatif"):
            assert other.get(path).status_code == 403, (user, path)
