"""Drill-down for every figure (issue 21): every metric of the catalog lists the rows of
its fact table, and the figure computed from ALL listed rows is the report's figure.

The demo data has no costs, IVR sessions, QA evaluations, employee surveys or roster: the
metrics that need them are checked on the two-tenant dataset (which has them) plus a few
IVR sessions. Each metric's rows are read once (one query per fact source).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.engine.drill import DEN, NUM, REASON, STATUS, drill
from omnikpi.engine.registry import metric_reads, metric_tables
from omnikpi.engine.timezones import to_datetime
from omnikpi.errors import DataError, OmniKPIError
from omnikpi.metrics.base import Metric, all_metrics
from omnikpi.schema.dataset import Dataset
from omnikpi.web.drill_labels import HEADERS

from ..builders import call, dataset, write_table
from .conftest import needs_browser, running_server
from .tenants import write_two_tenants

PARAMS = {"cost_per_customer.customer_base": 1000}
"""cost_per_customer has no default customer base: the report needs one."""
LATE_AS_OF = "2026-12-31T00:00:00Z"
"""FCR leaves out questions whose window (7 days) has not elapsed: judged well after."""


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return omnikpi.load_dataset(DEMO_DATA_DIR)


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = write_two_tenants(tmp_path_factory.mktemp("extra"))
    write_table(folder, "ivr_sessions", [
        {"session_id": "s1", "entered_at": "2026-11-02T08:59:00Z",
         "left_at": "2026-11-02T09:00:00Z", "result": "to_queue", "contact_id": "a-1"},
        {"session_id": "s2", "entered_at": "2026-11-02T09:30:00Z",
         "left_at": "2026-11-02T09:31:30Z", "result": "self_served", "channel": "voice"},
        {"session_id": "s3", "entered_at": "2026-11-02T09:40:00Z",
         "left_at": "2026-11-02T09:40:45Z", "result": "abandoned", "channel": "voice"},
    ])
    return omnikpi.load_dataset(folder)


def _data_for(metric: Metric, demo: Dataset, extra: Dataset) -> Dataset:
    if all(demo.has(t) for t in metric_tables(_variant(metric))) and metric.source != "fcr":
        return demo
    return extra


def _rows(found: Any) -> pd.DataFrame:
    frame: pd.DataFrame = found.everything("all", None, False)
    return frame


def _figure_of(metric: Metric, num_rows: pd.DataFrame, den_rows: pd.DataFrame | None,
               hours: float | None) -> float | None:
    """The figure recomputed in Python from every listed row."""
    num = num_rows[NUM].dropna()
    if metric.aggregate == "max":
        return float(num.max()) if len(num) else None
    total = float(num.sum())
    if metric.per_period_hours:
        assert hours
        return total / hours * metric.scale
    if metric.denominator is None:
        return total * metric.scale
    assert den_rows is not None
    den_values = den_rows[DEN].dropna()
    den = float(den_values.nunique()) if metric.denominator_aggregate == "distinct" \
        else float(den_values.astype(float).sum())
    return None if den == 0 else total / den * metric.scale


def _check_rows(rows: pd.DataFrame) -> None:
    """A row counts where its value says so; an excluded row says why."""
    counted = rows[STATUS] != "excluded"
    assert rows.loc[~counted, REASON].notna().all()
    assert rows.loc[rows[STATUS] == "both", REASON].isna().all()
    assert rows.loc[rows[STATUS].isin(["denominator", "both"]), DEN].notna().all()


def _variant(metric: Metric) -> Metric:
    params = {**metric.defaults(), **{k.split(".", 1)[1]: v for k, v in PARAMS.items()
                                      if k.startswith(metric.id + ".")}}
    return metric.resolve(params) if metric.resolve else metric


def _as_of(metric: Metric, data: Dataset) -> str:
    """The as-of a report of this metric alone takes (its tables' latest event), or a late
    one for FCR: given explicitly, so that metrics can share one oracle report."""
    if metric.source == "fcr" or metric.denominator_source == "fcr":
        return LATE_AS_OF
    latest = data.latest_event_us(metric_reads(_variant(metric)))
    assert latest is not None
    return to_datetime(latest).isoformat()


@pytest.fixture(scope="module")
def oracle(demo: Dataset, extra: Dataset) -> Callable[[Metric], list[dict[str, Any]]]:
    """The report's rows for a metric: one report per dataset, as-of and table key for
    all the metrics that share them (the engine pools each metric on its own)."""
    cache: dict[tuple[int, str, str | None], list[dict[str, Any]] | None] = {}

    def rows(metric: Metric) -> list[dict[str, Any]]:
        data = _data_for(metric, demo, extra)
        key = (id(data), _as_of(metric, data), metric.key_column)
        if key not in cache:
            group = [m.id for m in all_metrics() if _data_for(m, demo, extra) is data
                     and (id(data), _as_of(m, data), m.key_column) == key]
            try:
                cache[key] = omnikpi.report_result(data, metrics=group, params=PARAMS,
                                                   as_of=key[1]).rows
            except OmniKPIError:
                cache[key] = None
        found = cache[key]
        if found is None:  # one metric of the group cannot run here: ask alone
            return omnikpi.report_result(data, metrics=[metric.id], params=PARAMS,
                                         as_of=key[1]).rows
        return found

    return rows


@pytest.mark.parametrize("metric", sorted(all_metrics(), key=lambda m: m.id),
                         ids=lambda m: m.id)
def test_every_metric_drills_down_to_rows_that_give_its_figure(
        metric: Metric, demo: Dataset, extra: Dataset,
        oracle: Callable[[Metric], list[dict[str, Any]]]) -> None:
    data = _data_for(metric, demo, extra)
    as_of = _as_of(metric, data)
    found = drill(data, metric.id, PARAMS, as_of=as_of)
    rows = _rows(found)
    assert len(rows) > 0, metric.id
    assert found.columns and set(found.columns) <= set(rows.columns)
    # each column has a header in the page's language (the sales' "outcome" showed its
    # data-model name on a Russian page)
    missing = sorted(set(found.columns) - set(HEADERS))
    assert not missing, (metric.id, " ".join(missing))
    _check_rows(rows)
    den_rows = rows
    if len(found.sources) > 1:  # the denominator's rows are another fact table's
        other = drill(data, metric.id, PARAMS, as_of=as_of, source=found.sources[1])
        den_rows = _rows(other)
        assert len(den_rows) > 0
        assert set(other.columns) - set(HEADERS) == set(), metric.id
        _check_rows(den_rows)
    report_rows = oracle(metric)
    if found.keys:  # a table metric: one figure per key value
        expected = {tuple(r[k] for k in found.keys): r[metric.id] for r in report_rows}
        counted = rows[rows[STATUS] != "excluded"]
        assert expected, metric.id
        for key, value in expected.items():
            mask = pd.Series(True, index=counted.index)
            for column, part in zip(found.keys, key, strict=True):
                mask &= counted[column].isna() if part is None else counted[column] == part
            mine = _figure_of(found.variant, counted[mask], counted[mask], found.hours)
            assert mine == pytest.approx(value, rel=1e-9), (metric.id, key)
        return
    assert len(report_rows) == 1, metric.id
    expected = report_rows[0][metric.id]
    mine = _figure_of(found.variant, rows, den_rows, found.hours)
    if expected is None:  # e.g. cost per sale without a sale: no figure either way
        assert mine is None and found.figure.value is None, metric.id
        return
    assert mine == pytest.approx(expected, rel=1e-9), metric.id
    assert found.figure.value == pytest.approx(expected, rel=1e-9), metric.id


def test_a_metric_without_its_table_says_which(demo: Dataset) -> None:
    with pytest.raises(DataError, match="needs the table 'costs'"):
        drill(demo, "cost_per_contact")


# -- a hand-computed case: where each contact counts, and why not ----------------------------

DAY = "2024-03-05T"


def at(clock: str) -> str:
    return f"{DAY}{clock}Z"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """Voice, threshold 20 s, short abandons below 5 s; the window is 10:00–11:00, as-of
    12:00.

    - ok: answered after 10 s, ends 10:05 → SL on time; AHT (booked at its end)
    - late: answered after 40 s, ends 10:10 → SL denominator only (wait > threshold)
    - short: abandoned after 3 s → excluded from SL: a short abandon
    - long: abandoned after 30 s → SL denominator only (not answered)
    - blocked: blocked → excluded from SL: not offered
    - after: answered, ends 11:30 → AHT: outside the period (ended after the window)
    - open: still in queue at as-of (age 100 min) → AHT: not handled by as-of
    - early: arrived 09:00 → not listed (outside the window by its arrival)
    Surveys: a csat 5/5 (top box), a csat 2/5 (denominator only), an nps (not csat).
    """
    folder = dataset(
        tmp_path_factory.mktemp("small"),
        contacts=[
            call("ok", at("10:00:00"), answered=at("10:00:10"), ended=at("10:05:00"),
                 customer_id="c1"),
            call("late", at("10:01:00"), answered=at("10:01:40"), ended=at("10:10:00"),
                 customer_id="c2"),
            call("short", at("10:02:00"), abandoned=at("10:02:03")),
            call("long", at("10:03:00"), abandoned=at("10:03:30")),
            call("blocked", at("10:04:00"), blocked="true"),
            call("after", at("10:30:00"), answered=at("10:30:05"), ended=at("11:30:00"),
                 customer_id="c1"),
            call("open", at("10:20:00")),
            call("early", at("09:00:00"), answered=at("09:00:05"), ended=at("09:05:00")),
        ],
        surveys=[
            {"contact_id": "ok", "survey": "csat", "score": 5, "scale_min": 1, "scale_max": 5,
             "answered_at": at("10:06:00")},
            {"contact_id": "late", "survey": "csat", "score": 2, "scale_min": 1,
             "scale_max": 5, "answered_at": at("10:11:00")},
            {"contact_id": "late", "survey": "nps", "score": 9, "scale_min": 0,
             "scale_max": 10, "answered_at": at("10:12:00")},
        ],
    )
    return omnikpi.load_dataset(folder)


WINDOW = {"from_": at("10:00:00"), "to": at("11:00:00"), "as_of": at("12:00:00")}


def _by_id(found: Any, key: str = "contact_id") -> dict[str, dict[str, Any]]:
    frame = found.everything("all", None, False)
    return {r[key]: r for r in frame.to_dict(orient="records")}


def test_service_level_rows_count_where_the_rule_says(small: Dataset) -> None:
    from omnikpi.web.drill_labels import counts_in

    found = drill(small, "service_level", **WINDOW)
    rows = _by_id(found)
    assert set(rows) == {"ok", "late", "short", "long", "blocked", "after", "open"}
    said = {cid: counts_in(r[STATUS], r[REASON], str) for cid, r in rows.items()}
    assert said == {
        "ok": "numerator and denominator",
        "after": "numerator and denominator",
        "late": "denominator; not in the numerator: wait > threshold",
        "long": "denominator; not in the numerator: not answered",
        "short": "excluded because short abandon (< 5 s)",
        "blocked": "excluded because not offered",
        # in queue for 100 min at as-of: older than the threshold, so not on time
        "open": "denominator; not in the numerator: not answered",
    }
    assert (found.figure.numerator, found.figure.denominator) == (2, 5)
    assert found.figure.value == pytest.approx(omnikpi.report_result(
        small, metrics=["service_level"], **WINDOW).rows[0]["service_level"])


def test_a_parameter_changes_the_reasons(small: Dataset) -> None:
    found = drill(small, "service_level", {"service_level.short_abandon_seconds": 2},
                  **WINDOW)
    rows = _by_id(found)
    assert rows["short"][STATUS] == "denominator"  # 3 s is no longer a short abandon
    assert found.params["short_abandon_seconds"] == 2.0


def test_handle_time_rows_outside_the_period_are_listed_and_excluded(small: Dataset) -> None:
    from omnikpi.web.drill_labels import counts_in

    found = drill(small, "aht", **WINDOW)
    rows = _by_id(found)
    said = {cid: counts_in(r[STATUS], r[REASON], str) for cid, r in rows.items()}
    assert said["ok"] == said["late"] == "numerator and denominator"
    assert said["after"] == "excluded because outside the period"
    assert said["open"] == "excluded because not handled by the as-of time"
    # an abandoned contact will never be handled: "not by the as-of time" read as "not yet"
    assert said["short"] == "excluded because abandoned: nobody handled it"
    assert rows["ok"][NUM] == 290.0 and rows["late"][NUM] == 500.0
    assert found.figure.value == pytest.approx(395.0)
    assert found.figure.value == pytest.approx(
        omnikpi.report_result(small, metrics=["aht"], **WINDOW).rows[0]["aht"])


def test_survey_rows_say_which_survey_counts(small: Dataset) -> None:
    from omnikpi.web.drill_labels import counts_in

    found = drill(small, "csat", **WINDOW)
    frame = found.everything("all", None, False)
    said = sorted((r["survey"], counts_in(r[STATUS], r[REASON], str))
                  for r in frame.to_dict(orient="records"))
    # the top box is measured from the scale's both ends (at most half its points)
    assert said == [("csat", "denominator; not in the numerator: score < a bound from "
                             "the top of the scale, the bottom of the scale"),
                    ("csat", "numerator and denominator"),
                    ("nps", "excluded because survey is not csat")]
    assert found.figure.value == 0.5


def test_fcr_lists_the_questions_of_a_customer(small: Dataset) -> None:
    """c1 asked at 10:00 (ok) and again at 10:30 (after): ok was not resolved first time."""
    found = drill(small, "fcr", as_of="2024-03-20T00:00:00Z")
    rows = _by_id(found)
    assert set(rows) == {"ok", "late", "after"}  # handled contacts with a customer
    assert rows["ok"]["repeated"] and not rows["late"]["repeated"]
    assert rows["ok"][STATUS] == "denominator"
    assert rows["ok"][REASON] == "is|unresolved_first"
    assert rows["late"][STATUS] == rows["after"][STATUS] == "both"
    assert found.figure.value == pytest.approx(2 / 3)


# -- the page, the API, sorting and the exports ---------------------------------------------


@pytest.fixture(scope="module")
def client(make_app: Callable[..., FastAPI]) -> Iterator[TestClient]:
    with TestClient(make_app()) as c:
        yield c


@pytest.mark.parametrize(("metric", "shown"), [("fcr", "2024-03-06 21:57"),
                                              ("occupancy", "2024-03-06 18:19")])
def test_the_line_under_the_form_reads_the_metrics_own_as_of(
        client: TestClient, demo: Dataset, metric: str, shown: str) -> None:
    """The as-of under the form is the one the figure was read at: the latest event of
    the tables the metric reads (contacts end at 21:57, agent states at 18:19: a chat
    finished past the end of its shift), not the
    whole dataset's (22:00, the chat widget's availability log)."""
    page = client.get("/drill", params={"metric": metric, "tz": "UTC"}).text
    found = re.search(r'<span id="period-as-of">([^<]*)</span>', page)
    assert found and found.group(1) == shown
    read_at = to_datetime(drill(demo, metric).as_of_us)
    assert read_at.strftime("%Y-%m-%d %H:%M") == shown


def test_an_empty_figure_says_what_the_metric_counts(client: TestClient) -> None:
    """The demo's data end on 6 March: by that as-of no FCR question's window has ended,
    and the page says so under the "—" (in the page's language); with a later as-of the
    figure has a value and nothing is said."""
    note = re.compile(r'<p class="note" id="when-empty">(.*?)</p>', re.S)
    en = client.get("/drill", params={"metric": "fcr", "tz": "Europe/Kyiv", "lang": "en",
                                      "param": "fcr.window_hours=100"})
    found = note.search(en.text)
    assert found, en.text[:2000]
    assert found.group(1) == (
        "First-contact resolution: it counts handled contacts with a customer_id whose "
        "100-hour repeat window has ended by as-of (Mar 6, 2024, 23:57), and there are none: "
        "a later as-of or a shorter window_hours may give some")
    uk = client.get("/drill", params={"metric": "repeat_rate", "tz": "Europe/Kyiv",
                                      "lang": "uk"})
    found = note.search(uk.text)
    assert found and found.group(1).startswith(
        "Частка повторних: враховуються оброблені звернення з customer_id, у яких "
        "168-годинне вікно повторів закінчилося до моменту 6 бер. 2024\u202fр., 23:57")
    later = client.get("/drill", params={"metric": "fcr", "as_of": "2024-03-20T00:00",
                                         "lang": "en"})
    assert later.status_code == 200 and "when-empty" not in later.text
    assert "when-empty" not in client.get("/drill", params={"metric": "service_level"}).text


def test_page_shows_the_figure_with_the_parameters_used(client: TestClient,
                                                        demo: Dataset) -> None:
    page = client.get("/drill", params={"metric": "service_level", "tz": "Europe/Kyiv"})
    assert page.status_code == 200
    report = omnikpi.report_result(demo, metrics=["service_level"],
                                   tz="Europe/Kyiv").rows[0]["service_level"]
    assert f"{report * 100:.1f} %" in page.text
    assert "threshold_seconds=None" not in page.text
    assert "threshold_seconds=chat 60, email 86400, social 3600, voice 20" in page.text
    assert "short_abandon_seconds=5" in page.text
    assert "pending_on_time=false" in page.text and "exclude_short_abandons=true" in page.text
    assert "=False" not in page.text and "=True" not in page.text
    assert "excluded because short abandon (&lt; 5 s)" in page.text or \
        "excluded (102)" in page.text
    excluded = client.get("/drill", params={"metric": "service_level", "part": "excluded"})
    assert "excluded because short abandon (&lt; 5 s)" in excluded.text
    ru = client.get("/drill", params={"metric": "service_level", "part": "excluded",
                                      "lang": "ru"})
    assert "исключено: короткий отказ (&lt; 5 с)" in ru.text


@pytest.mark.parametrize("metric", ["csat", "cdsat", "nps", "ces", "utilization",
                                    "chat_occupancy_relative", "accs", "occupancy"])
def test_the_metrics_that_showed_no_rows_now_do(client: TestClient, metric: str,
                                                demo: Dataset) -> None:
    data = client.get("/api/v1/drill", params={"metric": metric, "size": 5}).json()
    report = omnikpi.report_result(demo, metrics=[metric]).rows[0][metric]
    assert data["total"] > 0 and len(data["rows"]) == 5
    assert data["figure"]["value"] == pytest.approx(report, rel=1e-9)
    if metric in ("csat", "utilization"):  # the page shows the same (a page of 50 rows)
        page = client.get("/drill", params={"metric": metric})
        assert page.status_code == 200 and 'id="drill-rows"' in page.text
        assert page.text.count("<tr class=") == 50


def test_chat_session_rows_name_their_contact(client: TestClient) -> None:
    """The rows behind the average concurrency name the chat each piece of session time
    is of (they showed agent and times only: a supervisor could not open the chat)."""
    data = client.get("/api/v1/drill", params={"metric": "accs",
                                               "part": "numerator", "size": 50}).json()
    assert data["total"] > 0 and data["columns"][0] == "contact_id"
    contacts = pd.read_csv(DEMO_DATA_DIR / "contacts.csv", dtype=str)
    chats = contacts[contacts.channel.isin(["chat", "messenger"])]
    by_id = chats.set_index("contact_id")
    for row in data["rows"]:
        assert row["contact_id"] in by_id.index, row
        assert by_id.loc[row["contact_id"], "agent_id"] == row["agent_id"]


def test_rows_sort_on_the_server(client: TestClient) -> None:
    params = {"metric": "aht", "part": "numerator", "sort": "handle_s", "dir": "desc",
              "size": 20}
    first = client.get("/api/v1/drill", params=params).json()
    values = [r["handle_s"] for r in first["rows"]]
    assert values == sorted(values, reverse=True)
    second = client.get("/api/v1/drill", params={**params, "page": 2}).json()
    assert second["rows"][0]["handle_s"] <= values[-1]
    asc = client.get("/api/v1/drill", params={**params, "dir": "asc"}).json()
    assert [r["handle_s"] for r in asc["rows"]] == sorted(r["handle_s"] for r in asc["rows"])
    assert asc["rows"][0]["handle_s"] < values[0]
    bad = client.get("/api/v1/drill", params={"metric": "aht", "sort": "1; DROP TABLE x"})
    assert bad.status_code == 400 and "cannot sort by" in bad.json()["detail"]
    page = client.get("/drill", params={"metric": "aht", "sort": "handle_s", "dir": "desc"})
    assert 'aria-sort="descending"' in page.text


def test_csv_export_has_every_row(client: TestClient) -> None:
    counts = client.get("/api/v1/drill", params={"metric": "csat", "size": 1}).json()
    body = client.get("/drill.csv", params={"metric": "csat", "tz": "Europe/Kyiv",
                                            "lang": "en"})
    assert body.status_code == 200 and body.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.text)))
    assert len(rows) == counts["counts"]["all"] > 50  # all rows, not one page
    counted = [r for r in rows if r["counts_in"] != "" and
               not r["counts_in"].startswith("excluded")]
    assert len(counted) == counts["counts"]["denominator"]
    num = sum(float(r["numerator"] or 0) for r in rows)
    den = sum(float(r["denominator"] or 0) for r in rows)
    assert num / den == pytest.approx(counts["figure"]["value"])
    assert rows[0]["answered_at"].endswith("+02:00")  # ISO in the report's zone
    only = list(csv.DictReader(io.StringIO(client.get(
        "/drill.csv", params={"metric": "csat", "part": "excluded", "lang": "en"}).text)))
    assert len(only) == counts["counts"]["excluded"]
    assert all(r["counts_in"] == "excluded because survey is not csat" for r in only)
    # the same file whatever the page's language: a script's columns never move
    for lang in ("ru", "uk"):
        assert client.get("/drill.csv", params={"metric": "csat", "part": "excluded",
                                                "lang": lang}).text == client.get(
            "/drill.csv", params={"metric": "csat", "part": "excluded", "lang": "en"}).text


def _seconds(value: Any) -> float:
    """A duration cell as read back (openpyxl gives a timedelta for [h]:mm:ss)."""
    if value is None:
        return 0.0
    return value.total_seconds() if isinstance(value, timedelta) else value * 86400


def test_xlsx_export_has_typed_cells(client: TestClient) -> None:
    window = {"metric": "aht", "tz": "Europe/Kyiv", "from": "2024-03-04T09:00",
              "to": "2024-03-04T11:00"}
    counts = client.get("/api/v1/drill", params={**window, "size": 1}).json()
    assert 50 < counts["counts"]["all"] < 1000
    body = client.get("/drill.xlsx", params={**window, "lang": "en"})
    assert body.status_code == 200
    sheet = load_workbook(io.BytesIO(body.content))["drill"]
    assert sheet["A1"].value == "Average handle time" and sheet["B1"].value == "aht"
    figure = sheet["B2"]
    assert figure.number_format == "[h]:mm:ss"
    assert _seconds(figure.value) == pytest.approx(counts["figure"]["value"])
    assert sheet["A7"].value == "Zone" and sheet["B7"].value == "Europe/Kyiv"
    # the figure's parts in the rows' formats: handle seconds as a duration, contacts
    # as a number (not 1767309.252000001 raw seconds)
    numerator, denominator = sheet["B3"], sheet["B4"]
    assert numerator.number_format == "[h]:mm:ss"
    assert _seconds(numerator.value) / denominator.value == pytest.approx(
        counts["figure"]["value"])
    assert sheet["B6"].value == "2024-03-04T09:00 — 2024-03-04T11:00"
    whole = load_workbook(io.BytesIO(client.get("/drill.xlsx", params={
        "metric": "aht", "lang": "en"}).content))["drill"]
    assert whole["B6"].value.startswith("all data up to the as-of time (20")
    header = [c.value for c in sheet[10]]
    assert header[:2] == ["contact_id", "channel"] and header[-1] == "counts in"
    data = list(sheet.iter_rows(min_row=11, values_only=False))
    assert len(data) == counts["counts"]["all"]
    arrived = data[0][header.index("arrived_at")]
    assert isinstance(arrived.value, datetime) and arrived.number_format == \
        "yyyy-mm-dd hh:mm:ss"
    # every duration column's header says its cells read h:mm:ss, not seconds
    durations = {header[i] for i, c in enumerate(data[0]) if c.number_format == "[h]:mm:ss"}
    assert {"handle_s (h:mm:ss)", "numerator (h:mm:ss)"} <= durations
    assert all(name.endswith(" (h:mm:ss)") for name in durations)
    handled = [r for r in data if r[header.index("handle_s (h:mm:ss)")].value is not None]
    cell = handled[0][header.index("handle_s (h:mm:ss)")]
    assert cell.number_format == "[h]:mm:ss" and 0 < _seconds(cell.value) < 86400
    num = sum(_seconds(r[header.index("numerator (h:mm:ss)")].value) for r in data)
    den = sum(r[header.index("denominator")].value or 0 for r in data)
    assert num / den == pytest.approx(counts["figure"]["value"])
    # printed as the report exports are: page-wide, the headers on every page, numbered
    assert sheet.print_title_rows == "$10:$10"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.oddFooter.right.text == "Page &P of &N"
    assert sheet.oddFooter.left.text.startswith("made ")


def test_a_table_metric_drills_per_key(client: TestClient, demo: Dataset) -> None:
    data = client.get("/api/v1/drill", params={"metric": "time_in_state",
                                               "key": "state:handling", "size": 3}).json()
    report = omnikpi.report_result(demo, metrics=["time_in_state"]).rows
    handling = sum(r["time_in_state"] for r in report if r["state"] == "handling")
    assert data["figure"]["value"] == pytest.approx(handling)
    assert {r["state"] for r in data["rows"]} == {"handling"}
    figures = {(f["state"], f["reason"]): f["value"] for f in data["key_figures"]}
    assert figures == {("handling", None): pytest.approx(handling)}
    every = client.get("/api/v1/drill", params={"metric": "time_in_state", "size": 1}).json()
    lunch = sum(r["time_in_state"] for r in report
                if (r["state"], r["reason"]) == ("not_ready", "lunch"))
    assert {(f["state"], f["reason"]) for f in every["key_figures"]} == {
        (r["state"], r["reason"]) for r in report}
    assert next(f["value"] for f in every["key_figures"]
                if f["reason"] == "lunch") == pytest.approx(lunch)
    assert client.get("/api/v1/drill", params={"metric": "time_in_state",
                                               "key": "nope"}).status_code == 400


def test_a_filter_the_data_cannot_have_is_named_not_silently_dropped(
        client: TestClient, demo: Dataset) -> None:
    page = client.get("/drill", params={"metric": "occupancy", "queue": "sales"})
    assert page.status_code == 200 and 'id="ignored"' in page.text
    data = client.get("/api/v1/drill", params={"metric": "occupancy", "queue": "sales",
                                               "agent_id": "chat-01"}).json()
    assert data["ignored_filters"] == ["queue"]
    report = omnikpi.report_result(demo, metrics=["occupancy"],
                                   where={"agent_id": ["chat-01"]}).rows[0]["occupancy"]
    assert data["figure"]["value"] == pytest.approx(report)


def test_bad_drill_input_is_a_message(client: TestClient, tmp_path: Path) -> None:
    page = client.get("/drill", params={"metric": "nope"})
    assert page.status_code == 400 and 'id="message"' in page.text
    assert client.get("/drill", params={"metric": "aht", "part": "x"}).status_code == 400
    assert client.get("/drill.pdf", params={"metric": "aht"}).status_code == 400


# -- in a browser: the page at desktop and phone widths, keyboard sorting -------------------


SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"


def _clock(text: str) -> int:
    seconds = 0
    for part in text.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


@needs_browser
def test_drill_page_in_a_browser(make_app: Callable[..., FastAPI], browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_server(make_app()) as base:
        for width, name in ((1440, "desktop"), (390, "phone")):
            browser.set_window_size(width, 900)
            for lang in ("en", "uk"):
                browser.get(f"{base}/drill?metric=service_level&part=excluded&lang={lang}")
                assert browser.find_element(By.ID, "figure-value").text == "79.2 %" or \
                    browser.find_element(By.ID, "figure-value").text == "79,2 %"
                browser.save_screenshot(str(SHOTS / f"drill-{name}-{lang}.png"))
                # the page never scrolls sideways: the table scrolls inside its box
                page_width = browser.execute_script(
                    "return document.documentElement.scrollWidth")
                assert page_width <= width, (name, lang, page_width)
        browser.set_window_size(1440, 900)
        browser.get(f"{base}/drill?metric=aht&lang=en")
        header = browser.find_element(By.CSS_SELECTOR, "a.sort[data-column='handle_s']")
        header.send_keys(Keys.ENTER)  # sorting works from the keyboard
        WebDriverWait(browser, 20).until(lambda d: "sort=handle_s" in d.current_url)
        header = browser.find_element(By.CSS_SELECTOR, "a.sort[data-column='handle_s']")
        header.send_keys(Keys.ENTER)
        WebDriverWait(browser, 20).until(lambda d: "dir=desc" in d.current_url)
        heads = [h.get_attribute("data-column") for h in
                 browser.find_elements(By.CSS_SELECTOR, "#drill-rows th a.sort")]
        column = heads.index("handle_s") + 1
        cells = browser.find_elements(By.CSS_SELECTOR,
                                      f"#drill-rows tbody tr td:nth-child({column})")
        shown = [_clock(c.text) for c in cells]  # handle time as m:ss / h:mm:ss
        assert len(shown) == 50 and shown == sorted(shown, reverse=True)
        browser.save_screenshot(str(SHOTS / "drill-sorted.png"))
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []


def test_the_sales_behind_a_tile_say_which_contact_or_attempt_made_each(
        client: TestClient) -> None:
    """Sales per hour's rows read "outbound-01 · numerator · 1 · voice · dial" 190 times,
    with no contact, attempt or time, the dial attempts' outcome empty, its source named
    "numerator ()", its denominator in seconds ("190 / 2,538,000.00 × 3,600.00"), and the
    tile's link opened on "denominator (0)"."""
    page = client.get("/drill", params={"metric": "sales_per_hour", "lang": "en"}).text
    figure = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", re.search(
        r'<p id="figure">(.*?)</p>', page, re.S).group(1))).strip()  # type: ignore[union-attr]
    # 190 sales in 708 logged-in hours (705 scheduled, and contacts finished after them)
    assert figure == "0.27 = 190 / 708:12:36"
    assert "numerator (contacts, dial_attempts, agent_states, roster)" in page
    exported = client.get("/drill.csv", params={"metric": "sales", "part": "numerator"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 190
    dials = [r for r in rows if r["kind"] == "dial"]
    contacts = [r for r in rows if r["kind"] == "contact"]
    assert (len(contacts), len(dials)) == (165, 25)
    assert all(r["attempt_id"] and r["dialed_at"] and r["outcome"] == "converted"
               and not r["contact_id"] for r in dials)
    assert all(r["contact_id"] and r["ended_at"] and r["outcome"] == "sale"
               and not r["attempt_id"] for r in contacts)
    assert len({r["contact_id"] or r["attempt_id"] for r in rows}) == 190  # each once
    dashboard = client.get("/", params={"lang": "en"}).text
    link = r'data-metric="{}"[^>]*?href="/drill\?metric=\w+&(?:amp;)?part=(\w+)'
    parts = {m: found.group(1) for m in ("sales", "sales_per_hour", "aht")
             if (found := re.search(link.format(m), dashboard))}
    assert parts == {"sales": "numerator", "sales_per_hour": "numerator",
                     "aht": "denominator"}


def test_the_engine_s_own_values_read_in_the_page_s_language(client: TestClient) -> None:
    """A sales row's kind ("contact", "dial") and a dial's outcome ("converted") are written
    by the engine, not found in the data: a Ukrainian page showed them in English. The
    data's own outcome ("sale") stays as it is, and the export keeps the values."""
    page = client.get("/drill", params={"metric": "sales", "part": "numerator",
                                        "lang": "uk", "sort": "kind", "dir": "asc"}).text
    cells = re.findall(r"<td>([^<]*)</td>", page)
    assert "звернення" in cells and "sale" in cells
    assert "contact" not in cells and "dial" not in cells
    last = client.get("/drill", params={"metric": "sales", "part": "numerator",
                                        "lang": "uk", "sort": "kind", "dir": "desc"}).text
    cells = re.findall(r"<td>([^<]*)</td>", last)
    assert "спроба дозвону" in cells and "продаж" in cells and "converted" not in cells
    english = client.get("/drill", params={"metric": "sales", "part": "numerator",
                                           "lang": "en", "sort": "kind", "dir": "desc"}).text
    assert "<td>dial attempt</td>" in english



def test_conversion_per_lead_rows_show_the_lead_sold(client: TestClient) -> None:
    """Conversion per lead counts a lead sold (by as-of) at its first real attempt: the
    rows behind it are leads, with that flag and that attempt's time (an unanswered first
    attempt of a lead sold later was listed as counted with nothing on the row to say
    why)."""
    params = {"metric": "conversion_rate", "param": "conversion_rate.per=leads",
              "size": 1000}
    numerator = client.get("/api/v1/drill", params={**params, "part": "numerator"}).json()
    denominator = client.get("/api/v1/drill",
                             params={**params, "part": "denominator"}).json()
    assert {"lead_id", "first_dialed_at", "lead_sold"} <= set(numerator["columns"])
    assert numerator["total"] > 0
    assert all(r["lead_sold"] for r in numerator["rows"])
    assert all(datetime.fromisoformat(r["first_dialed_at"]).tzinfo is not None
               for r in numerator["rows"])  # an instant, not microseconds
    sold = sum(r["lead_sold"] for r in denominator["rows"])
    assert denominator["total"] == len(denominator["rows"])  # one page holds them
    assert numerator["figure"]["value"] == pytest.approx(sold / denominator["total"])
