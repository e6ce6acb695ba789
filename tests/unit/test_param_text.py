"""A parameter left at "none" reads as ``none`` and is taken back as such by ``--param``."""

from __future__ import annotations

import pytest

from omnikpi.errors import UsageError
from omnikpi.metrics.base import get_metric
from omnikpi.param_text import param_texts


def test_a_parameter_without_a_value_reads_none_not_python() -> None:
    """contact_quality's pass_score is none by default (only critical errors make a
    contact defective): the drill-down and the exports wrote "pass_score=None"."""
    assert param_texts({"pass_score": None, "window_hours": 168.0}, "") == [
        ("pass_score", "none"), ("window_hours", "168")]


def test_none_is_taken_back_only_where_none_is_the_default() -> None:
    pass_score = next(p for p in get_metric("contact_quality").params
                      if p.name == "pass_score")
    assert pass_score.parse("contact_quality", "none") is None
    assert pass_score.parse("contact_quality", "None") is None
    assert pass_score.parse("contact_quality", "80") == 80.0
    threshold = next(p for p in get_metric("abandon_rate").params
                     if p.name == "short_abandon_seconds")
    with pytest.raises(UsageError, match="expected a finite number"):
        threshold.parse("abandon_rate", "none")

