"""Agent-time metrics from ``agent_states``: the paid-time funnel."""

from __future__ import annotations

import ibis.expr.types as ir

from omnikpi.metrics.base import Metric, Params, register
from omnikpi.metrics.common import when

WORK_STATES = ("handling", "hold", "acw")
AGENT_DIMENSIONS = ("agent_id", "site", "tenant", "channel")


def workload_rt(t: ir.Table, p: Params) -> ir.Value:
    """Seconds handling, on hold or in ACW on continuous channels (WorkloadRT)."""
    return when(t.state.isin(list(WORK_STATES)) & t.cont, t.seconds)


def active_rt(t: ir.Table, p: Params) -> ir.Value:
    """WorkloadRT + available (ActiveTimeRT)."""
    return when((t.state.isin(list(WORK_STATES)) & t.cont) | (t.state == "available"), t.seconds)


register(
    Metric(
        id="occupancy", name="Occupancy", unit="ratio", area="productivity",
        source="agent_time", tables=("agent_states",), mode="continuous",
        formula="WorkloadRT / ActiveTimeRT; WorkloadRT = handling + hold + acw on continuous "
        "channels (a row without channel is continuous), ActiveTimeRT = WorkloadRT + available",
        numerator=workload_rt, denominator=active_rt,
        dimensions=AGENT_DIMENSIONS,
    ),
)
