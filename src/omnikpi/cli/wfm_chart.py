"""HTML chart of a staffing plan (Plotly's JavaScript inlined: works offline)."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots

PANEL_HEIGHT = 350


def _by_queue(rows: list[dict[str, object]]) -> dict[str | None, list[dict[str, object]]]:
    """A plan per queue (a ``queue`` key) is drawn queue by queue: one queue's agents over
    another's volume would say nothing; a plan without queues is one group (None)."""
    groups: dict[str | None, list[dict[str, object]]] = {}
    for row in rows:
        name = row.get("queue")
        groups.setdefault(None if name is None else str(name), []).append(row)
    return groups


COLOURS = {"volume": "#636efa", "agents": "#ef553b", "positions": "#00cc96",
           "service level": "#ab63fa", "occupancy": "#ffa15a"}
"""Plotly's own first five: the same trace has the same colour in every queue's panels."""


def _add_queue(fig: go.Figure, rows: list[dict[str, object]], top: int,
               target_sl: float | None, first: bool) -> None:
    """One queue's two panels (volume and agents; SL and occupancy) from row ``top``; the
    legend is shown once, for every queue's panels alike."""
    x = [r["interval_start"] for r in rows]

    def legend(name: str) -> dict[str, object]:
        return {"name": name, "legendgroup": name, "showlegend": first}

    fig.add_trace(go.Bar(x=x, y=[r["volume"] for r in rows], opacity=0.4,
                         marker_color=COLOURS["volume"], **legend("volume")), row=top, col=1)
    for name in ("agents", "positions"):
        fig.add_trace(go.Scatter(x=x, y=[r[name] for r in rows], line_shape="hv",
                                 mode="lines+markers" if name == "agents" else "lines",
                                 line_color=COLOURS[name], **legend(name)), row=top, col=1)
    for name, key in (("service level", "service_level"), ("occupancy", "occupancy")):
        # an interval without contacts (a closed night) has no service level to draw:
        # the plan's 100 % there drew a line across the night as if it were served
        y = [r[key] if _has_contacts(r) else None for r in rows]
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", line_color=COLOURS[name],
                                 **legend(name)), row=top + 1, col=1)
    if target_sl:  # an ASA or occupancy plan has no SL line to draw
        fig.add_hline(y=target_sl, line_dash="dot", annotation_text="SL target",
                      row=top + 1, col=1)
    fig.update_yaxes(tickformat=".0%", row=top + 1, col=1)


def _has_contacts(row: dict[str, object]) -> bool:
    volume = row.get("volume")
    return isinstance(volume, int | float) and volume > 0


def write_plan_chart(rows: list[dict[str, object]], path: Path,
                     target_sl: float | None) -> None:
    plan_figure(rows, target_sl).write_html(path, include_plotlyjs=True, full_html=True)


def plan_figure(rows: list[dict[str, object]], target_sl: float | None) -> go.Figure:
    """Per queue, volume with agents and positions above, service level and occupancy
    below (broken over intervals without contacts)."""
    groups = _by_queue(rows)
    titles = [f"{name}: {panel}" if name is not None else panel
              for name in groups
              for panel in ("Volume and agents", "Service level and occupancy")]
    fig = make_subplots(rows=2 * len(groups), cols=1, shared_xaxes=True,
                        vertical_spacing=0.08 / len(groups), subplot_titles=titles)
    for index, own in enumerate(groups.values()):
        _add_queue(fig, own, 2 * index + 1, target_sl, first=index == 0)
    fig.update_layout(title="OmniKPI staffing plan", template="plotly_white",
                      height=2 * PANEL_HEIGHT * len(groups))
    return fig
