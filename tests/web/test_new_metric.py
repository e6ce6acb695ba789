"""Adding a KPI is its declaration: a throw-away metric, declared once, shows up on every
surface — the catalog, the report API with its numbers, the dashboard section it names,
the exports, and the translation check (which reads its names from the declaration).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.metrics.base import REGISTRY, Metric, register
from omnikpi.metrics.common import n
from omnikpi.metrics.display import section_metrics
from omnikpi.web import i18n
from tests.web.test_translations import interface_strings

LONG_WAITS = Metric(
    id="tmp_long_waits", name="Long waits (test)", unit="count", area="accessibility",
    source="contacts", tables=("contacts",),
    formula="answered contacts that waited more than 60 s",
    numerator=lambda f, p: n(f.answered & (f.wait_s > 60)),
    names={"ru": "Долгие ожидания (тест)", "uk": "Довгі очікування (тест)"},
    better="lower", target=10, sections={"quality": 99},
)


@pytest.fixture
def declared() -> Iterator[Metric]:
    register(LONG_WAITS)
    i18n._messages.cache_clear()
    try:
        yield LONG_WAITS
    finally:
        del REGISTRY[LONG_WAITS.id]
        i18n._messages.cache_clear()


def _by_hand() -> int:
    """Answered contacts that waited more than 60 s, counted from the raw file."""
    contacts = pd.read_csv(DEMO_DATA_DIR / "contacts.csv")
    arrived = pd.to_datetime(contacts.arrived_at, utc=True, format="ISO8601")
    answered = pd.to_datetime(contacts.first_response_at, utc=True, format="ISO8601")
    offered = ~contacts.blocked.astype(str).str.lower().eq("true")
    waited = (answered - arrived).dt.total_seconds()
    return int((offered & answered.notna() & (waited > 60)).sum())


def test_a_declared_metric_reaches_every_surface(
        declared: Metric, make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app(live_updates=False))
    expected = _by_hand()
    assert expected > 0

    catalog = {m["id"]: m for m in client.get("/api/v1/catalog").json()}
    assert catalog["tmp_long_waits"]["name"] == "Long waits (test)"
    assert {"queue", "channel", "agent_id"} <= set(catalog["tmp_long_waits"]["dimensions"])

    report = client.get("/api/v1/report", params={"metrics": "tmp_long_waits"}).json()
    assert report["rows"] == [{"tmp_long_waits": expected}]
    assert report["metrics"]["tmp_long_waits"]["unit"] == "count"

    assert section_metrics("quality")[-1] is declared
    page = client.get("/", params={"lang": "uk"}).text
    assert 'data-metric="tmp_long_waits"' in page and "Довгі очікування (тест)" in page
    status = "bad" if expected > 10 else "good"
    tile = page[page.index('data-metric="tmp_long_waits"') - 200:][:400]
    assert status in tile

    csv_text = client.get("/export.csv", params={"metrics": "tmp_long_waits"}).text
    assert csv_text.splitlines() == ["tmp_long_waits", str(expected)]
    book = load_workbook(io.BytesIO(client.get(
        "/export.xlsx", params={"metrics": "tmp_long_waits"}).content))
    values = [cell for row in book.active.iter_rows(values_only=True) for cell in row]
    assert expected in values

    assert "Long waits (test)" in interface_strings()
    assert i18n._messages("ru")["Long waits (test)"] == "Долгие ожидания (тест)"


def test_the_translation_check_catches_a_metric_without_names(declared: Metric) -> None:
    unnamed = Metric(id="tmp_unnamed", name="Unnamed (test)", unit="count", area="volume",
                     source="contacts", tables=("contacts",), formula="offered",
                     numerator=lambda f, p: n(f.offered))
    register(unnamed)
    i18n._messages.cache_clear()
    try:
        missing = [s for s in interface_strings() if not i18n._messages("uk").get(s)]
        assert missing == ["Unnamed (test)"]
    finally:
        del REGISTRY[unnamed.id]
        i18n._messages.cache_clear()
