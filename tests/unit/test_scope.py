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
