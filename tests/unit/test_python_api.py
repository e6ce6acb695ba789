"""The Python API as an analyst calls it: ids as a list or as text with commas, filter
values as a list or one text, dates as ``datetime.date``, a channel in any case, and a
warning when quarantined rows were left out. Each used to fail or give nothing quietly:
``metrics="asa"`` asked for the metric ``a``, ``where={"channel": "voice"}`` kept the
channels ``v``, ``o``, ``i``…, ``channel=Voice`` found nothing, a ``date`` was an
AttributeError, ``output="polars"`` returned pandas."""

from __future__ import annotations

import sys
import warnings
from datetime import date
from pathlib import Path

import pytest

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR

METRICS = ["offered", "answered", "service_level"]
WINDOW = {"from_": "2024-03-04", "to": "2024-03-06", "tz": "Europe/Kyiv"}


def _rows(**given: object) -> list[dict[str, object]]:
    return omnikpi.report_result(DEMO_DATA_DIR, **given).rows  # type: ignore[arg-type]


def test_ids_and_values_as_text_mean_what_the_command_line_means() -> None:
    listed = _rows(metrics=METRICS, by=["queue"], where={"channel": ["voice"]}, **WINDOW)
    assert listed and all(r["offered"] for r in listed)
    assert _rows(metrics="offered,answered,service_level", by="queue",
                 where={"channel": "voice"}, **WINDOW) == listed
    assert _rows(metrics=METRICS, by=["queue"], where={"channel": ["Voice"]}, **WINDOW) == listed
    everything = _rows(metrics=["offered"], **WINDOW)[0]["offered"]
    assert isinstance(everything, int) and everything > sum(
        int(r["offered"]) for r in listed)  # type: ignore[call-overload]


def test_dates_are_midnights_in_the_report_zone() -> None:
    as_text = _rows(metrics=METRICS, **WINDOW)
    as_dates = _rows(metrics=METRICS, **{**WINDOW, "from_": date(2024, 3, 4),
                                         "to": date(2024, 3, 6)})
    assert as_dates == as_text and as_text[0]["offered"]


def test_an_unknown_output_is_refused() -> None:
    with pytest.raises(omnikpi.UsageError, match="output must be 'pandas' or 'arrow'"):
        omnikpi.report(DEMO_DATA_DIR, metrics=["offered"], output="polars")  # type: ignore[call-overload]


def test_quarantined_rows_are_said_in_a_warning(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,hold_seconds\n"
        "c1,voice,q,2024-03-05T10:00:00Z,\n"
        "c2,voice,q,2024-03-05T10:01:00Z,-3\n")
    with pytest.warns(omnikpi.QuarantineWarning, match=r"1 row\(s\) quarantined .*contacts 1"):
        frame = omnikpi.report(tmp_path, metrics=["offered"])
    assert frame["offered"].tolist() == [1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", omnikpi.QuarantineWarning)
        omnikpi.report(DEMO_DATA_DIR, metrics=["offered"])  # clean data: no warning


@pytest.mark.parametrize("given, words", [
    ({"from_": "2024-13-01"}, "bad from_ '2024-13-01': use ISO-8601"),
    ({"to": "yesterday"}, "bad to 'yesterday'"),
    ({"as_of": "x"}, "bad as_of 'x'"),
    ({"from_": "2024-03-06", "to": "2024-03-04"}, "to must be after from_"),
    ({"params": {"bogus": 1}}, '(or "metric.name")'),
    ({"metrics": "cost_per_customer"},
     'params={"cost_per_customer.customer_base": N}'),
    # each of these raised from inside the package ("'int' object has no attribute
    # 'strip'", "'int' object is not iterable")
    ({"from_": 20240304}, "from_: an ISO-8601 text, a date or a datetime, not int"),
    ({"metrics": 5}, "metrics: names as a list of texts or one text with commas, not int"),
    ({"metrics": ["offered", 3]}, "metrics: names as a list of texts or one text with "
     "commas, not a list holding int"),
    ({"where": {"queue": 5}}, "filter queue: names as a list of texts"),
    ({"tz": 3}, "tz: a text, not int 3"),
    ({"params": [1]}, "params: a mapping of parameter → value"),
    # a base of 0 customers said the base was not given
    ({"metrics": "cost_per_customer", "params": {"cost_per_customer.customer_base": 0}},
     "bad value '0' for parameter cost_per_customer.customer_base: expected a finite "
     "number from 1 to 1,000,000,000"),
    # a chat capacity of 0 sessions gave no value in every row
    ({"metrics": "chat_occupancy_relative",
      "params": {"chat_occupancy_relative.capacity": 0}},
     "bad value '0' for parameter chat_occupancy_relative.capacity: expected a whole "
     "number from 1 to 1,000,000,000"),
])
def test_errors_name_the_arguments_not_the_command_line_options(
        given: dict[str, object], words: str) -> None:
    """``bad --from`` told a notebook user about an option they never typed."""
    request = {"metrics": ["offered"], **given}
    with pytest.raises(omnikpi.UsageError) as raised:
        omnikpi.report(DEMO_DATA_DIR, **request)  # type: ignore[arg-type]
    assert words in str(raised.value)
    assert "--" not in str(raised.value)


def test_a_metrics_parameters_may_be_given_nested() -> None:
    flat = _rows(metrics=["service_level"], params={"service_level.threshold_seconds": 5},
                 **WINDOW)
    nested = _rows(metrics=["service_level"],
                   params={"service_level": {"threshold_seconds": 5}}, **WINDOW)
    default = _rows(metrics=["service_level"], **WINDOW)
    assert nested == flat and flat != default  # 5 s is stricter than voice's 20 s
    assert flat[0]["service_level"] < default[0]["service_level"]  # type: ignore[operator]


def test_a_misspelt_metric_is_named() -> None:
    with pytest.raises(omnikpi.UsageError, match=r"unknown metric 'servce_level' \(did you "
                       r"mean service_level\?\); valid ids: a1rt"):
        omnikpi.report(DEMO_DATA_DIR, metrics=["servce_level"])


def test_a_report_raises_no_library_warning_under_w_error() -> None:
    """Ibis's pandas conversion warned twice per report that a pandas option is going
    away: a script run with ``-W error`` (to catch QuarantineWarning) stopped on it."""
    import subprocess
    import sys

    code = (f"import omnikpi; r = omnikpi.report_result({str(DEMO_DATA_DIR)!r}, "
            "metrics=['offered', 'aht'], by=['queue']); print(len(r.rows))")
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "5"


def test_a_period_with_nothing_in_it_is_a_row_of_zero_counts() -> None:
    """A window with no contact, or a filter value no row holds, gave no row at all: a
    count of nothing read as missing data. A total report is one row: counts 0, the
    ratios and means without a value."""
    with pytest.warns(omnikpi.ReportNote, match="its period starts after the data's last"):
        empty = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered", "service_level",
                                                              "aht"],
                                      from_="2030-01-01", to="2030-01-02")
    assert empty.rows == [{"offered": 0, "service_level": None, "aht": None}]
    with pytest.warns(omnikpi.ReportNote):
        cut = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered"], by=["queue"],
                                    from_="2030-01-01", to="2030-01-02")
    assert cut.rows == []  # a cut by queue has no queue to show


def test_the_api_says_why_a_report_is_empty_as_the_command_line_does() -> None:
    """``where={"queue": "Sales"}`` (the data says sales), an as-of before the data, FCR's
    open repeat windows: the command line printed why, the Python API gave None and no
    word. The same sentences come as ReportNote warnings, at the caller's line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        frame = omnikpi.report(DEMO_DATA_DIR, metrics="aht", where={"queue": "Sales"})
        omnikpi.report_result(DEMO_DATA_DIR, metrics="offered", as_of="2000-01-01")
        omnikpi.report(DEMO_DATA_DIR, metrics="fcr", to="2024-03-05")
    assert frame["aht"].isna().tolist() == [True]  # no value: NaN, as in any float column
    caught = [w for w in caught if issubclass(w.category, omnikpi.ReportNote)]
    notes = [(w.category, str(w.message)) for w in caught]
    assert notes == [
        (omnikpi.ReportNote,
         "no row has queue 'Sales' (the data has 'sales': values are case-sensitive)"),
        (omnikpi.ReportNote, "the report is empty: as_of 2000-01-01 is before the data's "
                             "first record (2024-03-03T22:00+00:00), and nothing was known "
                             "by then"),
        (omnikpi.ReportNote, "fcr has no value: it counts handled contacts with a "
                             "customer_id whose 168-hour repeat window has ended by as-of "
                             "(2024-03-06T21:57+00:00), and there are none: a later as-of "
                             "or a shorter window_hours may give some")]
    # the line of this file that asked, through report() too (it named omnikpi/api.py)
    assert [(Path(w.filename).name, w.lineno) for w in caught][::2] == [
        ("test_python_api.py", line), ("test_python_api.py", line + 2)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", omnikpi.ReportNote)
        omnikpi.report(DEMO_DATA_DIR, metrics=["offered"])  # figures: nothing to say
    # a parameter no requested metric reads passed without a word (the threshold read as
    # applied to the AHT beside it)
    with pytest.warns(omnikpi.ReportNote, match="parameter service_level.threshold_seconds "
                      "is not applied: service_level is not in the report"):
        omnikpi.report(DEMO_DATA_DIR, metrics=["aht"],
                       params={"service_level": {"threshold_seconds": 20}})


@pytest.mark.parametrize("empty", [[], "", ()])
def test_a_dimension_given_no_value_is_refused(empty: object) -> None:
    """``where={"queue": []}`` kept no row and said nothing (``--filter queue=`` is an
    error on the command line)."""
    with pytest.raises(omnikpi.UsageError, match="where: queue is given no value"):
        omnikpi.report(DEMO_DATA_DIR, metrics="aht", where={"queue": empty})  # type: ignore[dict-item]


def test_periods_are_instants_in_the_report_zone_across_a_dst_change(tmp_path: Path) -> None:
    """`period_start` was ISO text in the DataFrame: it sorted and plotted as labels and
    could not be resampled. It is a zone-aware timestamp, each period's local midnight —
    +02:00 before 31 March 2024 in Kyiv, +03:00 from then on."""
    import pandas as pd
    import pyarrow as pa

    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,direction,queue,arrived_at,ended_at\n"
        "c1,voice,inbound,sales,2024-03-30T08:00:00Z,2024-03-30T08:05:00Z\n"
        "c2,voice,inbound,sales,2024-03-31T08:00:00Z,2024-03-31T08:05:00Z\n"
        "c3,voice,inbound,sales,2024-03-31T09:00:00Z,2024-03-31T09:05:00Z\n"
        "c4,voice,inbound,sales,2024-04-01T08:00:00Z,2024-04-01T08:05:00Z\n")
    window = {"from_": "2024-03-30", "to": "2024-04-02", "tz": "Europe/Kyiv"}
    frame = omnikpi.report(tmp_path, metrics=["offered"], grain="day", **window)
    dtype = frame["period_start"].dtype
    assert isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "Europe/Kyiv"
    assert list(frame["period_start"]) == [
        pd.Timestamp("2024-03-30T00:00:00+02:00"), pd.Timestamp("2024-03-31T00:00:00+02:00"),
        pd.Timestamp("2024-04-01T00:00:00+03:00")]
    rows = omnikpi.report_result(tmp_path, metrics=["offered"], grain="day", **window).rows
    texts = [r["period_start"] for r in rows]
    assert texts == ["2024-03-30T00:00:00+02:00", "2024-03-31T00:00:00+02:00",
                     "2024-04-01T00:00:00+03:00"]  # the JSON keeps its text
    assert list(frame["offered"]) == [1, 2, 1]
    table = omnikpi.report(tmp_path, metrics=["offered"], grain="day", output="arrow",
                           **window)
    kind = table.schema.field("period_start").type
    assert pa.types.is_timestamp(kind) and kind.tz == "Europe/Kyiv"


@pytest.mark.parametrize(("name", "value"), [("service_level.threshold_seconds", True),
                                             ("fcr.window_hours", False)])
def test_a_truth_value_is_no_number(name: str, value: bool) -> None:
    """``threshold_seconds=True`` was read as 1 second (``float(True)``): the command line
    refuses ``threshold_seconds=true``, and so does the API."""
    with pytest.raises(omnikpi.UsageError, match=f"bad value '{value}' for parameter {name}"):
        omnikpi.report(DEMO_DATA_DIR, metrics=name.split(".")[0], params={name: value})


def test_a_shared_cost_in_the_row_without_a_tenant_is_said_so(tmp_path: Path) -> None:
    """A cost row naming no tenant (the center's rent) is divided by the contacts naming
    none: four bank calls and one call of the center's own read bank "—" and 500 per
    contact in the row without a tenant. The figures stay the catalog's null group; a
    note says why the row reads so high."""
    calls = "".join(
        f"c{i},voice,q1,2024-05-06T1{i}:00:00Z,2024-05-06T1{i}:00:10Z,"
        f"2024-05-06T1{i}:00:10Z,2024-05-06T1{i}:05:00Z,a1,{'bank' if i < 5 else ''}\n"
        for i in range(1, 6))
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at,"
        "agent_id,tenant\n" + calls)
    (tmp_path / "costs.csv").write_text(
        "period_start,period_end,channel,category,amount\n"
        "2024-05-06T00:00:00Z,2024-05-07T00:00:00Z,voice,rent,500\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = omnikpi.report_result(tmp_path, metrics=["cost_per_contact", "handled"],
                                       by=["tenant"])
    assert result.rows == [{"tenant": "bank", "cost_per_contact": None, "handled": 4},
                           {"tenant": None, "cost_per_contact": 500.0, "handled": 1}]
    notes = [str(w.message) for w in caught if issubclass(w.category, omnikpi.ReportNote)]
    assert notes == ["cost_per_contact: the cost rows that name no tenant are in the row "
                     "without a tenant, divided by the contacts that name none (if any), "
                     "and in no tenant's figure: a cost shared by every tenant (rent, "
                     "licences) is then no tenant's; give each cost row its tenant to "
                     "compare tenants, or read the total"]
    # every call a tenant's: the rent is in no row's figure, said all the same; with the
    # rent given to the bank, nothing to say
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at,"
        "agent_id,tenant\n" + calls.replace(",\n", ",bank\n"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = omnikpi.report_result(tmp_path, metrics=["cost_per_contact"], by=["tenant"])
    assert result.rows == [{"tenant": "bank", "cost_per_contact": None},
                           {"tenant": None, "cost_per_contact": None}]
    assert [str(w.message) for w in caught
            if issubclass(w.category, omnikpi.ReportNote)] == notes
    (tmp_path / "costs.csv").write_text(
        "period_start,period_end,channel,category,amount,tenant\n"
        "2024-05-06T00:00:00Z,2024-05-07T00:00:00Z,voice,rent,500,bank\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = omnikpi.report_result(tmp_path, metrics=["cost_per_contact"], by=["tenant"])
    assert result.rows == [{"tenant": "bank", "cost_per_contact": 100.0}]
    assert not [w for w in caught if issubclass(w.category, omnikpi.ReportNote)]
    with warnings.catch_warnings(record=True) as total:
        warnings.simplefilter("always")
        assert omnikpi.report_result(tmp_path, metrics=["cost_per_contact"]).rows == [
            {"cost_per_contact": 100.0}]
    assert not [w for w in total if issubclass(w.category, omnikpi.ReportNote)]


def test_a_data_error_names_the_arguments_too(tmp_path: Path) -> None:
    """A folder with no table a standard metric reads: "name the metrics with --metrics"
    told a notebook user about an option they never typed."""
    (tmp_path / "notes.txt").write_text("not a table\n")
    with pytest.raises(omnikpi.DataError) as raised:
        omnikpi.report(tmp_path)
    assert "name the metrics with metrics" in str(raised.value)
    assert "--" not in str(raised.value)


@pytest.mark.filterwarnings("ignore::omnikpi.ReportNote")
def test_a_metric_column_is_numbers_even_with_no_value() -> None:
    """An all-null ratio came back as an object column (pandas) and a null-typed one
    (Arrow), and the counts of an empty day report as objects: the dtypes depended on the
    data, and a concat of daily frames changed its arithmetic."""
    data = DEMO_DATA_DIR
    empty = omnikpi.report(data, metrics="offered,service_level,aht", grain="day",
                           from_="2030-01-01", to="2030-01-03")
    assert len(empty) == 0
    assert str(empty["offered"].dtype) == "int64"
    assert str(empty["service_level"].dtype) == "float64"
    total = omnikpi.report(data, metrics="offered,service_level,aht",
                           from_="2030-01-01", to="2030-01-03")
    assert total["offered"].tolist() == [0]
    assert str(total["service_level"].dtype) == "float64"
    assert total["service_level"].isna().all()
    arrow = omnikpi.report(data, metrics="offered,service_level,aht", output="arrow",
                           from_="2030-01-01", to="2030-01-03")
    assert str(arrow.schema.field("service_level").type) == "double"
    assert str(arrow.schema.field("aht").type) == "double"
