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
    # the difference of the figures as shown: 77.4 % → 73.0 % is −4.4, not −4.3 from
    # 0.77351 − 0.73049 (the what-if page's "77,4 % → 73,0 % ▼ −4,3 п. п.")
    ("service_level", 0.73049, 0.77351, "ru", ("▼", "−4,4", "worse", True)),
    ("asa", 20.4, 10.6, "en", ("▲", "+0:09", "worse", False)),  # 0:20 against 0:11
    ("offered", 10.4, 9.6, "en", ("=", "±0", "same", False)),   # 10 against 10
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


@pytest.mark.parametrize(("value", "before", "target", "verdict"), [
    (0.75, 0.82, None, "same"),    # both under the declared 85 %: agents idle, not better
    (0.82, 0.75, None, "same"),
    (0.84, 0.93, None, "better"),  # from burning out back under the goal
    (0.88, 0.93, None, "better"),  # still over it, less so
    (0.93, 0.80, None, "worse"),   # past the goal
    (0.84, 0.93, 0.80, "better"),  # a configured goal of 80 % is the one judged
    (0.82, 0.84, 0.80, "better"),  # over a configured 80 %: lower is better
])
def test_occupancy_is_better_lower_only_past_its_target(value: float, before: float,
                                                        target: float | None,
                                                        verdict: str) -> None:
    """The what-if page called occupancy 82 % → 75 % "(better)": under the goal a lower
    occupancy is agents waiting for work. The direction holds past the target only."""
    found = change(value, before, get_metric("occupancy"), "en", target)
    assert found is not None and found["verdict"] == verdict
