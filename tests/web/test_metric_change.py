"""The change of a metric against another value (the dashboard's trend, the what-if's
change column): the size in the metric's unit, and better or worse by its direction."""

from __future__ import annotations

import pytest

from omnikpi.metrics.base import get_metric
from omnikpi.web.metric_change import change


@pytest.mark.parametrize(("metric", "value", "before", "lang", "expected"), [
    ("service_level", 0.8, 0.79, "en", ("▲", "+1.0", "better", True)),
    ("service_level", 0.7, 0.8, "ru", ("▼", "−10,0", "worse", True)),
    ("abandon_rate", 0.06, 0.05, "en", ("▲", "+1.0", "worse", True)),
    ("asa", 12.0, 40.0, "en", ("▼", "−0:28", "better", False)),
    ("offered", 120, 100, "uk", ("▲", "+20", "same", False)),  # no direction
    # smaller than the figures show is no change: 3:05 against 3:05
    ("aht", 185.2, 185.0, "en", ("=", "±0:00", "same", False)),
    ("service_level", 0.80004, 0.8, "en", ("=", "±0.0", "same", True)),
    ("service_level", 0.8, 0.8, "en", ("=", "±0.0", "same", True)),
])
def test_change_in_the_metrics_unit_and_direction(metric: str, value: float, before: float,
                                                   lang: str,
                                                   expected: tuple[str, str, str, bool]
                                                   ) -> None:
    found = change(value, before, get_metric(metric), lang)
    assert found is not None
    assert (found["arrow"], found["text"], found["verdict"], found["points"]) == expected


def test_no_change_without_both_values() -> None:
    assert change(None, 0.5, get_metric("service_level"), "en") is None
    assert change(0.5, None, get_metric("service_level"), "en") is None
