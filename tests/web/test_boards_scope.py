"""Team wallboards are seen by the accounts whose scope holds the board's own bounds.

``_visible`` compared ``board.tenant == principal.tenant``, true for None == None: every
site supervisor without a tenant listed the operator's team boards and the other sites'
(their names, owners and cut values), and opened them on the wallboard and the TV. A team
board is now seen by a bounded account only when the tenants and sites it is bound to
(its owner's tenant, the tenants and sites it names) are the account's; a board bound to
nothing only by unbounded accounts. A site-bound owner's team board that names no site
is bound to the owner's sites. Own boards stay their owner's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from omnikpi.auth.accounts import create_user
from omnikpi.store.db import session_scope
from tests.web.conftest import bearer_client
from tests.web.tenants import MARK, write_two_tenants

PASSWORD = "boards-scope-pw-1"


def test_team_boards_are_seen_within_their_own_bounds(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    app = make_app(write_two_tenants(tmp_path / "data"), auth_required=True,
                   live_updates=False, scheduler=False)
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "boss", PASSWORD, "admin")
        create_user(session, "kyiv-lead", PASSWORD, "supervisor", sites=["kyiv"])
        create_user(session, "kyiv-other", PASSWORD, "supervisor", sites=["kyiv"])
        create_user(session, "b-site-lead", PASSWORD, "supervisor", sites=[f"site-{MARK}"])
        create_user(session, "client-a", PASSWORD, "client", tenant="A")
        create_user(session, "sup-a", PASSWORD, "supervisor", tenant="A")
        create_user(session, "sup-a-kyiv", PASSWORD, "supervisor", tenant="A", sites=["kyiv"])
    clients = {user: bearer_client(app, user, PASSWORD) for user in (
        "boss", "kyiv-lead", "kyiv-other", "b-site-lead", "client-a", "sup-a",
        "sup-a-kyiv")}

    def save(user: str, body: dict[str, object]) -> int:
        made = clients[user].post("/api/v1/boards", json=body)
        assert made.status_code == 200, made.text
        return int(made.json()["id"])

    ids = {
        "B escalations": save("boss", {"name": "B escalations", "shared": True,
                                       "tenant": ["B"], "site": [f"site-{MARK}"],
                                       "queue": [f"q-{MARK}"]}),
        "Operator floor": save("boss", {"name": "Operator floor", "shared": True}),
        "Kyiv team": save("kyiv-lead", {"name": "Kyiv team", "shared": True}),
        "Kyiv mine": save("kyiv-lead", {"name": "Kyiv mine", "queue": ["sales"]}),
        "B site team": save("b-site-lead", {"name": "B site team", "shared": True}),
        "A team": save("client-a", {"name": "A team", "shared": True}),
    }

    def listed(user: str) -> list[str]:
        answer = clients[user].get("/api/v1/boards")
        assert answer.status_code == 200, answer.text
        return [b["name"] for b in answer.json()["boards"]]

    assert listed("boss") == ["A team", "B escalations", "B site team", "Kyiv team",
                              "Operator floor"]
    assert listed("kyiv-lead") == ["Kyiv mine", "Kyiv team"]
    assert listed("kyiv-other") == ["Kyiv team"]
    assert listed("b-site-lead") == ["B escalations", "B site team"]
    assert listed("client-a") == ["A team"]
    assert listed("sup-a") == ["A team"]
    # a site supervisor of client A sees A's team board (it names no site: all of A's),
    # not the operator's site board of kyiv
    assert listed("sup-a-kyiv") == ["A team"]
    assert MARK not in clients["kyiv-other"].get("/api/v1/boards").text
    # the site supervisor's team board is bound to their site, as saved
    kyiv_team = clients["kyiv-other"].get("/api/v1/boards").json()["boards"][0]
    assert (kyiv_team["tenant"], kyiv_team["site"]) == ([], ["kyiv"])

    other = clients["kyiv-other"]
    for name in ("Operator floor", "B escalations", "B site team", "Kyiv mine", "A team"):
        for path in (f"/wallboard?board={ids[name]}", f"/tv?boards={ids[name]}"):
            answer = other.get(path)
            assert answer.status_code == 404, (name, path)
            assert name not in answer.text and MARK not in answer.text
    assert other.get(f"/wallboard?board={ids['Kyiv team']}").status_code == 200
    tv = other.get("/tv")
    assert tv.status_code == 200 and "Operator floor" not in tv.text


def test_a_board_outside_the_accounts_scope_is_refused(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """A client of A saving a board of tenant B got 200 and a board of zeros (the scope
    narrowed it to nothing): refused as an alert rule for B is."""
    app = make_app(write_two_tenants(tmp_path / "data"), auth_required=True,
                   live_updates=False, scheduler=False)
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "client-a", PASSWORD, "client", tenant="A")
        create_user(session, "sup-a-kyiv", PASSWORD, "supervisor", tenant="A", sites=["kyiv"])
    client = bearer_client(app, "client-a", PASSWORD)
    refused = client.post("/api/v1/boards", json={"name": "A asks B", "shared": True,
                                                  "tenant": ["A", "B"]})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "your boards are for tenant A, not B"
    assert client.get("/api/v1/boards").json()["boards"] == []
    lead = bearer_client(app, "sup-a-kyiv", PASSWORD)
    elsewhere = lead.post("/api/v1/boards", json={"name": "Lviv", "site": ["lviv"]})
    assert elsewhere.status_code == 403
    assert elsewhere.json()["detail"] == "your boards are for site kyiv, not lviv"
    own = lead.post("/api/v1/boards", json={"name": "Kyiv", "tenant": ["A"],
                                            "site": ["kyiv"]})
    assert own.status_code == 200, own.text
