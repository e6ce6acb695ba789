"""The contact facts expression is built once per contacts table and context parts.

``engine/contact_facts.py`` keeps the expression it built: a dashboard's dozen reports
over the same contacts and as-of share it. A part of the context it reads (as-of, the
configuration, the channels or columns the loader measured) gives another expression;
a part it does not read (the grain, the zone, the window) does not.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import ibis.expr.types as ir
import pytest

from omnikpi.config import ChannelSettings, Config
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.engine import sources
from omnikpi.engine.contact_facts import contact_facts
from omnikpi.engine.context import RunContext
from omnikpi.engine.local_duckdb import LocalDuckDB, _duckdb_text
from omnikpi.engine.run import plan_request
from omnikpi.request import ReportRequest
from omnikpi.schema.dataset import Dataset, load_dataset


@pytest.fixture(scope="module")
def demo() -> Iterator[Dataset]:
    dataset = load_dataset(DEMO_DATA_DIR)
    yield dataset
    dataset.close()


def _planned_context(demo: Dataset, monkeypatch: pytest.MonkeyPatch) -> RunContext:
    """The run context the engine plans a demo report with."""
    seen: list[RunContext] = []
    original = sources.contact_facts

    def spy(contacts: ir.Table, ctx: RunContext) -> ir.Table:
        seen.append(ctx)
        return original(contacts, ctx)

    monkeypatch.setattr(sources, "contact_facts", spy)
    plan_request(demo, ReportRequest.of(metrics=["service_level"], grain="day",
                                        as_of="2024-03-06T12:00:00Z"))
    monkeypatch.undo()
    return seen[0]


def test_the_same_context_parts_share_one_expression_and_others_do_not(
        demo: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = _planned_context(demo, monkeypatch)
    contacts = LocalDuckDB(demo).table("contacts")
    built = contact_facts(contacts, ctx)
    assert contact_facts(contacts, ctx) is built
    for unread in ({"grain": "total"}, {"tz": "Europe/Kyiv"}, {"from_us": ctx.as_of_us - 1}):
        assert contact_facts(contacts, dataclasses.replace(ctx, **unread)) is built

    later = contact_facts(contacts, dataclasses.replace(ctx, as_of_us=ctx.as_of_us + 1))
    assert later is not built
    assert str(ctx.as_of_us + 1) in _duckdb_text(later.op(), pretty=False)
    slower = Config(channels={"voice": ChannelSettings(threshold_seconds=37)})
    other = contact_facts(contacts, dataclasses.replace(ctx, config=slower))
    assert other is not built and "37" in _duckdb_text(other.op(), pretty=False)
    assert "37" not in _duckdb_text(built.op(), pretty=False)
    narrower = dataclasses.replace(ctx, contact_channels=("voice",))
    assert contact_facts(contacts, narrower) is not built
    assert contact_facts(contacts.filter(contacts.queue == "sales"), ctx) is not built
