"""Scoped datasets: each table bounded through its own column, its contact, its evaluation
or its shift; tables with no link are empty; the same on a dataset read from the
validation cache, quarantined rows still left out."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from omnikpi.auth.scope import Scope, scoped_dataset
from omnikpi.schema.dataset import load_dataset
from omnikpi.schema.validation_cache import RACY_NS
from tests.web.tenants import MARK, write_two_tenants

COUNTS_A = {"contacts": 5, "agent_states": 4, "messages": 2, "surveys": 2,
            "qa_evaluations": 1, "qa_items": 1, "costs": 1, "shifts": 1,
            "shift_activities": 1, "roster": 1, "dial_attempts": 0, "availability": 0,
            "employee_surveys": 0}


def counts(dataset) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {t: int(dataset.con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
            for t in COUNTS_A}


@pytest.mark.parametrize("cached", [False, True])
def test_tenant_a_sees_its_rows_in_every_table(tmp_path: Path, cached: bool,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIKPI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OMNIKPI_CACHE_MIN_BYTES", "0")
    folder = write_two_tenants(tmp_path / "data")
    with (folder / "contacts.csv").open("a") as handle:  # a duplicate id of B: quarantined
        handle.write(f"{MARK}-1,voice,q,s,B,c,2026-11-02T09:00:00Z,,,,,true,t\n")
    if cached:
        time.sleep(RACY_NS / 1e9 + 0.2)  # files changed just now are never cached
    dataset = load_dataset(folder)
    if cached:
        dataset = load_dataset(folder)
        assert dataset.from_cache
    assert dataset.quarantined == 1
    scoped = scoped_dataset(dataset, Scope(("A",)))
    assert counts(scoped) == COUNTS_A
    assert scoped.quarantined == 0 and scoped.problems == []
    # the unscoped connection is untouched
    assert int(dataset.con.execute("SELECT count(*) FROM contacts").fetchone()[0]) == 8
    nothing = scoped_dataset(dataset, Scope(nothing=True))
    assert set(counts(nothing).values()) == {0}


def test_a_site_bound_supervisor(tmp_path: Path) -> None:
    dataset = load_dataset(write_two_tenants(tmp_path / "data"))
    scoped = scoped_dataset(dataset, Scope((), ("kyiv",)))
    seen = counts(scoped)
    # costs have a tenant but no site: a site-bound supervisor sees none of them
    assert seen["contacts"] == 5 and seen["costs"] == 0 and seen["agent_states"] == 4


@pytest.mark.parametrize("tables", ["states and roster", "roster only", "states only"])
def test_a_tenant_sees_the_dial_attempts_the_reports_give_it(tmp_path: Path,
                                                              tables: str) -> None:
    """Dial attempts have no tenant: a client saw none, while the administrator's report
    filtered by the client's tenant counts those of its agents when they dialed (the
    state they were in, else their roster row). The client's view holds exactly those."""
    import omnikpi
    from tests.builders import dataset as write

    states = [
        {"agent_id": "a1", "state": "available", "start": "2024-03-05T09:00:00Z",
         "end": "2024-03-05T10:00:00Z", "tenant": "A"},
        # b1 worked for A in the morning, for B in the afternoon
        {"agent_id": "b1", "state": "available", "start": "2024-03-05T09:00:00Z",
         "end": "2024-03-05T10:00:00Z", "tenant": "A"},
        {"agent_id": "b1", "state": "available", "start": "2024-03-05T13:00:00Z",
         "end": "2024-03-05T14:00:00Z", "tenant": "B"}]
    roster = [{"agent_id": "a1", "hired_on": "2020-01-01", "tenant": "A"},
              {"agent_id": "b1", "hired_on": "2020-01-01", "tenant": "B"},
              {"agent_id": "c1", "hired_on": "2020-01-01", "tenant": "B"},
              {"agent_id": "c1", "hired_on": "2023-06-01", "tenant": "A"}]  # hired again

    def dial(number: int, agent: str, at: str) -> dict[str, object]:
        return {"attempt_id": f"d{number}", "campaign": "k", "lead_id": f"L{number}",
                "dialed_at": f"2024-03-05T{at}:00Z", "agent_id": agent,
                "result": "connected"}

    parts = {"dial_attempts": [dial(1, "a1", "09:10"), dial(2, "b1", "09:20"),
                               dial(3, "b1", "13:30"), dial(4, "b1", "16:00"),
                               dial(5, "c1", "11:00"), dial(6, "x9", "11:00")]}
    if tables != "roster only":
        parts["agent_states"] = states
    if tables != "states only":
        parts["roster"] = roster
    loaded = load_dataset(write(tmp_path / "data", **parts))
    for tenant in ("A", "B"):
        filtered = omnikpi.report_result(loaded, metrics=["attempts"],
                                         where={"tenant": [tenant]}).rows
        scoped = scoped_dataset(loaded, Scope((tenant,)))
        seen = omnikpi.report_result(scoped, metrics=["attempts"]).rows
        ids = sorted(r[0] for r in scoped.con.execute(
            "SELECT attempt_id FROM dial_attempts").fetchall())
        assert seen == filtered and len(ids) == (filtered[0]["attempts"] if filtered else 0)
    expected_a = {"states and roster": ["d1", "d2", "d5"], "roster only": ["d1", "d5"],
                  "states only": ["d1", "d2"]}[tables]
    assert sorted(r[0] for r in scoped_dataset(loaded, Scope(("A",))).con.execute(
        "SELECT attempt_id FROM dial_attempts").fetchall()) == expected_a


def test_a_client_sees_its_campaigns_attempts_that_reached_nobody(tmp_path: Path) -> None:
    """A predictive dialer's no-answer, busy and dropped attempts have no agent: the
    client's view held its connected attempts only (connection rate 100 %). An agent-less
    attempt of a campaign dialed for one tenant is that tenant's, in the client's view as
    in the administrator's filtered report; one of a campaign dialed for two is nobody's."""
    import omnikpi
    from tests.builders import dataset as write

    states = [{"agent_id": agent, "state": "available", "start": "2024-03-05T09:00:00Z",
               "end": "2024-03-05T10:00:00Z", "tenant": tenant, "site": site}
              for agent, tenant, site in (("a1", "A", "kyiv"), ("b1", "B", "lviv"))]

    def dial(number: int, campaign: str, agent: str | None, result: str) -> dict[str, object]:
        return {"attempt_id": f"d{number}", "campaign": campaign, "lead_id": f"L{number}",
                "dialed_at": f"2024-03-05T09:{number:02d}:00Z", "agent_id": agent,
                "result": result}

    loaded = load_dataset(write(tmp_path / "data", agent_states=states, dial_attempts=[
        dial(1, "ka", "a1", "connected"), dial(2, "ka", None, "no_answer"),
        dial(3, "ka", None, "busy"), dial(4, "kab", "a1", "connected"),
        dial(5, "kab", "b1", "connected"), dial(6, "kab", None, "busy")]))
    expected = {"A": ["d1", "d2", "d3", "d4"], "B": ["d5"]}
    for tenant, ids in expected.items():
        filtered = omnikpi.report_result(loaded, metrics=["attempts", "connection_rate"],
                                         where={"tenant": [tenant]}).rows
        scoped = scoped_dataset(loaded, Scope((tenant,)))
        assert omnikpi.report_result(scoped, metrics=["attempts", "connection_rate"]
                                     ).rows == filtered
        assert sorted(r[0] for r in scoped.con.execute(
            "SELECT attempt_id FROM dial_attempts").fetchall()) == ids
    assert omnikpi.report_result(scoped_dataset(loaded, Scope(("A",))),
                                 metrics=["connection_rate"]).rows == [
        {"connection_rate": 0.5}]  # 2 connected of 4, not 2 of 2
    by_site = scoped_dataset(loaded, Scope((), ("kyiv",)))
    assert sorted(r[0] for r in by_site.con.execute(
        "SELECT attempt_id FROM dial_attempts").fetchall()) == ["d1", "d2", "d3", "d4"]


def test_an_agent_sees_only_the_dial_attempts_of_their_own_client(tmp_path: Path) -> None:
    """Agent ids repeat across an outsourcer's clients: "op1" dials for client A (its
    states say so), and client B has an agent of its own named op1. B's op1 saw every
    attempt of A's op1 (dial attempts have no tenant: they were cut by the agent id
    alone); now each sees the attempts placed in their own client, and an attempt
    placed in none (no state, no roster row) is still theirs."""
    from tests.builders import dataset as write

    data = write(tmp_path / "data", agent_states=[
        {"agent_id": "op1", "state": "available", "start": "2024-03-05T09:00:00Z",
         "end": "2024-03-05T10:00:00Z", "tenant": "A"},
        {"agent_id": "op2", "state": "available", "start": "2024-03-05T09:00:00Z",
         "end": "2024-03-05T10:00:00Z", "tenant": "A"}],
        dial_attempts=[
            {"attempt_id": f"d{n}", "campaign": campaign, "lead_id": f"L{n}",
             "dialed_at": f"2024-03-05T{at}:00Z", "agent_id": agent, "result": "connected"}
            for n, campaign, at, agent in ((1, "ka", "09:10", "op1"),
                                           (2, "ka", "09:20", "op2"),
                                           (3, "kz", "11:00", "op1"))])
    loaded = load_dataset(data)
    for tenant, expected in (("A", ["d1", "d3"]), ("B", ["d3"])):
        scoped = scoped_dataset(loaded, Scope((tenant,), agent="op1"))
        seen = sorted(r[0] for r in scoped.con.execute(
            "SELECT attempt_id FROM dial_attempts").fetchall())
        assert seen == expected, tenant
    loaded.close()
