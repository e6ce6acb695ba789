"""HTML chart of a staffing plan (Plotly's JavaScript inlined: works offline)."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots


def write_plan_chart(rows: list[dict[str, object]], path: Path,
                     target_sl: float | None) -> None:
    x = [r["interval_start"] for r in rows]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("Volume and agents", "Service level and occupancy"))
    fig.add_trace(go.Bar(x=x, y=[r["volume"] for r in rows], name="volume",
                         opacity=0.4), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=[r["agents"] for r in rows], name="agents",
                             mode="lines+markers", line_shape="hv"), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=[r["positions"] for r in rows], name="positions",
                             mode="lines", line_shape="hv"), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=[r["service_level"] for r in rows], name="service level",
                             mode="lines"), row=2, col=1)
    fig.add_trace(go.Scatter(x=x, y=[r["occupancy"] for r in rows], name="occupancy",
                             mode="lines"), row=2, col=1)
    if target_sl:  # an ASA or occupancy plan has no SL line to draw
        fig.add_hline(y=target_sl, line_dash="dot", annotation_text="SL target", row=2,
                      col=1)
    fig.update_yaxes(tickformat=".0%", row=2, col=1)
    fig.update_layout(title="OmniKPI staffing plan", template="plotly_white", height=700)
    fig.write_html(path, include_plotlyjs=True, full_html=True)
