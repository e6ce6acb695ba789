"""How the declarations are laid out on the surfaces: the dashboard's sections, the
standard report and the wallboard's figures, all read from the metrics' own fields.

A section names what it shows; which metrics appear in it, and in what order, each metric
declares (``Metric.sections``), so adding a KPI to the dashboard touches its declaration
only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from omnikpi.metrics.base import Metric, all_metrics

ChannelModes = Literal["continuous", "discrete"]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    """English title (translated by the interface's catalogs)."""
    channels: ChannelModes | None = None
    """Tiles pooled over the channels of this mode only (accessibility differs by mode)."""


SECTIONS = (
    Section("experience", "Customer experience and cost"),
    Section("accessibility_continuous", "Accessibility — continuous channels", "continuous"),
    Section("accessibility_discrete", "Accessibility — discrete channels", "discrete"),
    Section("quality", "Quality"),
    Section("productivity", "Productivity"),
    Section("outbound", "Outbound"),
)
SECTION_IDS = tuple(section.id for section in SECTIONS)


def section_metrics(section_id: str) -> list[Metric]:
    """The metrics whose tiles a dashboard section shows, in their declared order."""
    if section_id not in SECTION_IDS:
        raise KeyError(section_id)
    return sorted((m for m in all_metrics() if section_id in m.sections),
                  key=lambda m: (m.sections[section_id], m.id))


def standard_metrics() -> list[Metric]:
    """The standard report's metrics (a report asked without metric ids), in order."""
    return sorted((m for m in all_metrics() if m.standard is not None),
                  key=lambda m: (m.standard, m.id))


def wallboard_metrics() -> list[Metric]:
    """The wallboard's so-far-today figures, in order."""
    return sorted((m for m in all_metrics() if m.wallboard is not None),
                  key=lambda m: (m.wallboard, m.id))


def check_declarations() -> None:
    """Every section a metric names exists (a typo would hide its tile)."""
    for metric in all_metrics():
        unknown = [s for s in metric.sections if s not in SECTION_IDS]
        if unknown:
            raise AssertionError(f"metric {metric.id} names unknown sections {unknown}")
