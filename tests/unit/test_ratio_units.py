"""A metric declared a ratio is a fraction (the catalog's output units), 0–1 but for
conformance (work at any time of the day / scheduled work: overtime passes 100 %): every
surface shows it as a percentage. ``contacts_per_shift`` (60.9 contacts a shift) was declared a
ratio and shown as 6,086.7 % in the terminal, the XLSX and the PDF."""

from __future__ import annotations

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.formatting import human
from omnikpi.metrics.base import all_metrics, get_metric

MOST = {"conformance": 1.5}
"""Ratios that may pass 1, and as far as the demo's may go."""


def test_every_ratio_of_the_demo_is_a_fraction_day_by_day() -> None:
    dataset = omnikpi.load_dataset(DEMO_DATA_DIR)
    ratios = [m.id for m in all_metrics()
              if m.unit == "ratio" and all(dataset.has(t) for t in m.tables)]
    assert len(ratios) > 20
    rows = omnikpi.report_result(dataset, metrics=ratios, grain="day").rows
    outside = {(row["period_start"][:10], metric): row[metric] for row in rows
               for metric in ratios
               if row[metric] is not None and not 0 <= row[metric] <= MOST.get(metric, 1)}
    assert outside == {}


def test_contacts_per_shift_is_a_number_per_shift() -> None:
    metric = get_metric("contacts_per_shift")
    assert metric.unit == "per_shift"
    row = omnikpi.report_result(DEMO_DATA_DIR, metrics=["contacts_per_shift", "handled"],
                                by=["site"]).rows
    assert [human(r["contacts_per_shift"], metric.unit) for r in row] == ["60.87", "91.33"]
