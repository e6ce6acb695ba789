"""FCR seen through an agent's or a site supervisor's own login counts a repeat that
reached a colleague. Customer c1 of the bank calls twice within the week's window: first
to agent a1 at Kyiv, then to a2 at Lviv; a1's other customer c2 does not call again. By
hand, a1's FCR is 1/2 — what an administrator gets with ``agent_id=a1`` (and Kyiv's with
``site=kyiv``). The agent's own login saw only a1's contacts and counted 2/2 (the Kyiv
supervisor too). The telco's c2 is another customer than the bank's c2: no repeat. Only
the figure changes: the viewer's rows are still theirs alone."""

from __future__ import annotations

import pytest

from omnikpi.auth.scope import Scope, scoped_dataset
from omnikpi.engine.drill import drill
from omnikpi.engine.run import run_report
from omnikpi.schema.dataset import Dataset, load_dataset

CONTACTS = "\n".join([
    "contact_id,channel,queue,site,tenant,customer_id,agent_id,arrived_at,accepted_at,first_response_at,ended_at",
    "q1,voice,sales,kyiv,bank,c1,a1,2026-11-02T09:00:00Z,2026-11-02T09:00:10Z,2026-11-02T09:00:10Z,2026-11-02T09:05:00Z",
    "r1,voice,sales,lviv,bank,c1,a2,2026-11-02T15:00:00Z,2026-11-02T15:00:10Z,2026-11-02T15:00:10Z,2026-11-02T15:04:00Z",
    "q2,voice,sales,kyiv,bank,c2,a1,2026-11-02T10:00:00Z,2026-11-02T10:00:10Z,2026-11-02T10:00:10Z,2026-11-02T10:05:00Z",
    "t1,voice,sales,kyiv,telco,c2,a3,2026-11-02T11:00:00Z,2026-11-02T11:00:10Z,2026-11-02T11:00:10Z,2026-11-02T11:05:00Z",
    ""])
AS_OF = "2026-11-20T00:00:00Z"
"""Past every question's window (the default is a week)."""


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = tmp_path_factory.mktemp("fcr-logins")
    (folder / "contacts.csv").write_text(CONTACTS)
    return load_dataset(folder, cache=False)


@pytest.mark.parametrize(("scope", "admin_filter"), [
    (Scope(("bank",), agent="a1"), {"agent_id": ["a1"]}),
    (Scope((), agent="a1"), {"agent_id": ["a1"]}),
    (Scope(("bank",), ("kyiv",)), {"tenant": ["bank"], "site": ["kyiv"]}),
    (Scope((), ("kyiv",)), {"site": ["kyiv"]}),
], ids=["agent-of-bank", "agent-unbound", "bank-kyiv-supervisor", "kyiv-supervisor"])
def test_a_bounded_login_counts_the_repeats_that_reached_colleagues(
        dataset: Dataset, scope: Scope, admin_filter: dict[str, list[str]]) -> None:
    viewer = scoped_dataset(dataset, scope)
    seen = run_report(viewer, ["fcr"], as_of=AS_OF).rows[0]["fcr"]
    admin = run_report(dataset, ["fcr"], as_of=AS_OF, where=admin_filter).rows[0]["fcr"]
    assert seen == admin
    if scope.agent == "a1":  # q1 repeated, q2 not: 1/2
        assert seen == pytest.approx(1 / 2)
    else:  # Kyiv: q1 repeated, q2 not, and the telco's t1 (no repeat) when unbound
        assert seen == pytest.approx(1 / 2 if scope.tenants else 2 / 3)
    # the drill-down's figure is the report's; its rows are the viewer's questions only
    rows = drill(viewer, "fcr", as_of=AS_OF).everything("all", None, False)
    assert set(rows["contact_id"]) <= {"q1", "q2", "t1"}
    assert drill(viewer, "fcr", as_of=AS_OF).figure.value == pytest.approx(seen)


def test_a_tenants_viewer_is_unchanged(dataset: Dataset) -> None:
    viewer = scoped_dataset(dataset, Scope(("bank",)))
    assert viewer.repeat_contacts == "contacts"
    # bank: q1 repeated (r1), q2 not (the telco's c2 is another customer), r1 not → 2/3
    assert run_report(viewer, ["fcr"], as_of=AS_OF).rows[0]["fcr"] == pytest.approx(2 / 3)
