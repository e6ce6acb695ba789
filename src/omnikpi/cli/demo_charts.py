"""A self-contained HTML page of demo charts (Plotly's JavaScript inlined: no CDN)."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from omnikpi.engine.result import ReportResult


def write_demo_page(intervals: ReportResult, agents: ReportResult, path: Path) -> None:
    """Service level and offered volume per interval and channel, and agent occupancy."""
    fig = make_subplots(
        rows=3, cols=1, vertical_spacing=0.08,
        subplot_titles=("Offered contacts per hour", "Service level per hour (target 80 %)",
                        "Occupancy and chat concurrency per agent"),
    )
    channels = sorted({str(r["channel"]) for r in intervals.rows})
    for channel in channels:
        rows = [r for r in intervals.rows if r["channel"] == channel]
        x = [r["period_start"] for r in rows]
        fig.add_trace(go.Bar(x=x, y=[r["offered"] for r in rows], name=f"{channel} offered",
                             legendgroup=channel), row=1, col=1)
        fig.add_trace(go.Scatter(x=x, y=[r["service_level"] for r in rows], mode="lines",
                                 name=f"{channel} SL", legendgroup=channel), row=2, col=1)
    fig.add_hrect(y0=0.8, y1=1.0, fillcolor="green", opacity=0.08, line_width=0, row=2, col=1)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02], row=2, col=1)
    names = [str(r["agent_id"]) for r in agents.rows]
    fig.add_trace(go.Bar(x=names, y=[r["occupancy"] for r in agents.rows],
                         name="occupancy"), row=3, col=1)
    fig.add_trace(go.Bar(x=names, y=[r["chat_occupancy_relative"] for r in agents.rows],
                         name="chat occupancy (of capacity)"), row=3, col=1)
    fig.update_yaxes(tickformat=".0%", row=3, col=1)
    fig.update_layout(height=1100, title="OmniKPI demo — bundled omnichannel data",
                      barmode="group", template="plotly_white")
    fig.write_html(path, include_plotlyjs=True, full_html=True)
