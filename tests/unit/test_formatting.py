"""Numbers people read (omnikpi.formatting): hand-written expectations and properties."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment

from omnikpi import formatting
from omnikpi.formatting import (
    count,
    decimal,
    duration,
    fixed,
    fmt_date,
    fmt_datetime,
    fmt_period,
    human,
    parse_duration,
    percent,
)

NBSP = "\u00a0"
NNBSP = "\u202f"  # CLDR: between the year and "г." / "р."


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "0:00"),
    (0.4, "0:00"),
    (0.5, "0:01"),
    (12.3, "0:12"),
    (59.4, "0:59"),
    (59.5, "1:00"),          # half up, not to even
    (60, "1:00"),
    (61, "1:01"),
    (336.48376, "5:36"),
    (3599.4, "59:59"),
    (3599.6, "1:00:00"),     # rounds into the next hour: shown with hours
    (3600, "1:00:00"),
    (3661, "1:01:01"),
    (86399, "23:59:59"),
    (86400, "24:00:00"),     # a day is 24 hours, not "1 day"
    (200 * 3600 + 300, "200:05:00"),  # an e-mail answered after 200 hours
    (-5, "-0:05"),
    (-59.5, "-1:00"),
    (-3725, "-1:02:05"),
    (-0.4, "0:00"),          # no "-0:00"
    (10**9, "277777:46:40"),
])
def test_durations(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown
    assert human(seconds, "seconds") == shown
    assert human(seconds, "seconds", "ru") == shown


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, -math.inf, "x"])
def test_no_value_is_a_dash(missing: object) -> None:
    assert duration(missing) == "—"
    for unit in ("seconds", "ratio", "count"):
        assert human(missing, unit) == "—"
    assert human(None, "points") == "—" and human(math.nan, "points") == "—"


def test_a_column_of_one_unit_shows_hours_always() -> None:
    assert duration(65, hours=True) == "0:01:05"
    assert duration(0, hours=True) == "0:00:00"
    assert duration(-65, hours=True) == "-0:01:05"


@pytest.mark.parametrize(("value", "en", "ru"), [
    (0.0, "0.0 %", f"0,0{NBSP}%"),
    (0.8, "80.0 %", f"80,0{NBSP}%"),
    (0.12345, "12.3 %", f"12,3{NBSP}%"),
    (1.0, "100.0 %", f"100,0{NBSP}%"),
    (12.5, "1,250.0 %", f"1{NBSP}250,0{NBSP}%"),
    (-1e-12, "0.0 %", f"0,0{NBSP}%"),   # a rounding residue is not "-0.0 %"
    (-0.05, "-5.0 %", f"-5,0{NBSP}%"),
])
def test_ratios(value: float, en: str, ru: str) -> None:
    assert human(value, "ratio") == en
    assert human(value, "ratio", "ru") == ru
    assert human(value, "ratio", "uk") == ru
    assert percent(value, "en", sign=False) == en.removesuffix(" %")


@pytest.mark.parametrize(("value", "en", "ru"), [
    (0, "0", "0"),
    (7, "7", "7"),
    (1234, "1,234", f"1{NBSP}234"),
    (1234567, "1,234,567", f"1{NBSP}234{NBSP}567"),
    (-1234, "-1,234", f"-1{NBSP}234"),
    (10**20 + 1, "100,000,000,000,000,000,001",   # exact: not through a float
     NBSP.join(["100"] + ["000"] * 5 + ["001"])),
    (1234.0, "1,234", f"1{NBSP}234"),
])
def test_counts(value: int, en: str, ru: str) -> None:
    assert human(value, "count") == en == count(value)
    assert human(value, "count", "ru") == ru == human(value, "count", "uk")


@pytest.mark.parametrize(("value", "en", "uk"), [
    (0, "0.00", "0,00"),
    (4.5, "4.50", "4,50"),
    (1234.567, "1,234.57", f"1{NBSP}234,57"),
    (-0.001, "0.00", "0,00"),
    (3, "3.00", "3,00"),
])
def test_other_numbers_have_two_decimals(value: float, en: str, uk: str) -> None:
    assert human(value, "points") == en == decimal(value)
    assert human(value, "per_hour", "uk") == uk


def test_numpy_numbers_are_numbers() -> None:
    import numpy as np

    assert human(np.int64(3), "points") == "3.00"
    assert human(np.int64(1234), "count", "ru") == f"1{NBSP}234"
    assert human(np.float64(0.5), "ratio") == "50.0 %"
    assert human(np.float64(61.0), "seconds") == "1:01"


def test_other_values_pass_through() -> None:
    assert human("sales", None) == "sales"
    assert human(True, None) == "True"


def test_dates_in_the_languages_own_format() -> None:
    kyiv = timezone(timedelta(hours=2))
    moment = datetime(2024, 3, 1, 8, 5, tzinfo=kyiv)
    assert fmt_date(moment) == "Mar 1, 2024"
    assert fmt_date(moment, "ru") == f"1 мар. 2024{NNBSP}г."
    assert fmt_date(moment, "uk") == f"1 бер. 2024{NNBSP}р."
    assert fmt_datetime(moment) == "Mar 1, 2024, 08:05"
    assert fmt_datetime(moment, "ru") == f"1 мар. 2024{NNBSP}г., 08:05"
    assert fmt_datetime(moment, "uk") == f"1 бер. 2024{NNBSP}р., 08:05"
    # an ISO text with an offset is shown in its own offset, not the server's zone
    assert fmt_datetime("2024-03-01T23:30:00+02:00") == "Mar 1, 2024, 23:30"
    # QA scores and rates with the language's decimal separator (the QA pages wrote 3.0 %)
    assert (fixed(3.0, "ru"), fixed(1234.56, "uk", 1), fixed(33.333, "en")) == (
        "3,0", "1\u00a0234,6", "33.3")
    # a transcript's messages, seconds apart (the evaluation page printed raw ISO text)
    assert fmt_datetime("2024-03-05T18:05:53+00:00", "ru", seconds=True) == \
        f"5 мар. 2024{NNBSP}г., 18:05:53"
    assert fmt_date("2024-03-01T23:30:00-05:00") == "Mar 1, 2024"
    assert fmt_date(date(2024, 12, 31), "ru") == f"31 дек. 2024{NNBSP}г."
    assert fmt_datetime("2024-12-31") == "Dec 31, 2024"   # a bare date stays a date
    assert fmt_date(None) == "—" and fmt_datetime("") == "—"
    assert fmt_date("not a date") == "not a date"


def test_period_starts_follow_the_grain() -> None:
    start = "2024-03-04T00:00:00+02:00"
    assert fmt_period(start, "day") == "Mar 4, 2024"
    assert fmt_period(start, "week", "uk") == f"4 бер. 2024{NNBSP}р."
    assert fmt_period("2024-03-04T08:30:00+02:00", "30min") == "Mar 4, 2024, 08:30"
    assert fmt_period(start, "hour", "ru") == f"4 мар. 2024{NNBSP}г., 00:00"


def test_unknown_language_falls_back_to_english() -> None:
    assert human(1234, "count", "de") == "1,234"
    assert fmt_date(date(2024, 3, 1), "xx") == "Mar 1, 2024"


def test_the_jinja_filters_use_the_pages_language() -> None:
    from omnikpi.web.templating import FILTERS, templates

    assert set(FILTERS) <= set(templates.env.filters)
    env = Environment()
    env.filters.update(FILTERS)
    template = env.from_string(
        "{{ v|fmt('seconds') }} | {{ r|fmt('ratio') }} | {{ c|fmt('count') }} | "
        "{{ d|fmt_date }} | {{ d|fmt_datetime }} | {{ d|fmt_period('day') }} | "
        "{{ 65|fmt_duration }} | {{ none|fmt('ratio') }}")
    values = {"v": 3725, "r": 0.853, "c": 12345, "d": "2024-03-04T08:30:00+02:00",
              "none": None}
    assert template.render(lang="ru", **values) == (
        f"1:02:05 | 85,3{NBSP}% | 12{NBSP}345 | 4 мар. 2024{NNBSP}г. | "
        f"4 мар. 2024{NNBSP}г., 08:30 | 4 мар. 2024{NNBSP}г. | 1:05 | —")
    assert template.render(**values) == (  # no lang in the context: English
        "1:02:05 | 85.3 % | 12,345 | Mar 4, 2024 | Mar 4, 2024, 08:30 | Mar 4, 2024 | "
        "1:05 | —")


@pytest.mark.parametrize("text", ["1:5", "1:60", "1:60:00", "a:00", "", "1:00:00:00"])
def test_parse_duration_refuses_what_duration_never_writes(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(finite)
def test_a_duration_reads_back_to_its_seconds(seconds: float) -> None:
    shown = duration(seconds)
    assert parse_duration(shown) == formatting.whole_seconds(seconds)
    assert abs(parse_duration(shown) - seconds) <= 0.5
    assert parse_duration(duration(seconds, hours=True)) == parse_duration(shown)
    # the form follows the size: m:ss below an hour, h:mm:ss from an hour on
    assert shown.lstrip("-").count(":") == (2 if abs(parse_duration(shown)) >= 3600 else 1)


@given(st.integers(min_value=-10**15, max_value=10**15), st.sampled_from(["en", "ru", "uk"]))
def test_a_count_reads_back(value: int, lang: str) -> None:
    shown = human(value, "count", lang)
    separator = "," if lang == "en" else NBSP
    assert int(shown.replace(separator, "")) == value


@given(st.floats(min_value=-10, max_value=10, allow_nan=False), st.sampled_from(["en", "ru"]))
def test_a_ratio_reads_back_within_rounding(value: float, lang: str) -> None:
    shown = human(value, "ratio", lang)
    number = shown.removesuffix(" %").removesuffix(f"{NBSP}%")
    number = number.replace(",", "") if lang == "en" else number.replace(NBSP, "").replace(
        ",", ".")
    assert abs(float(number) - value * 100) <= 0.05 + 1e-9


@pytest.mark.parametrize(("shown", "expected"), [
    (lambda: formatting.decimal(4.125), "4.13"),
    (lambda: formatting.decimal(12345.675, "ru"), "12\u00a0345,68"),
    (lambda: formatting.decimal(2.625), "2.63"),
    (lambda: formatting.percent(0.0625), "6.3 %"),
    (lambda: formatting.percent(0.0125, "uk"), "1,3\u00a0%"),
    (lambda: formatting.count(2.5), "3"),
    (lambda: formatting.fixed(-0.04), "0.0"),
    (lambda: formatting.percent(-0.0004), "0.0 %")])
def test_halves_round_up_as_the_spreadsheet_shows_them(shown: Callable[[], str],
                                                       expected: str) -> None:
    """The PDF and the pages rounded halves to the even digit (4.12, 6.2 %), the XLSX of
    the same report up (4.13, 6.3 %): one report, two figures. A zero is never -0."""
    assert shown() == expected
