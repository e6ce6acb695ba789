"""Chat concurrency: occupancy that never exceeds 100 % because of parallel sessions."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.metrics.agent_time import AVAILABLE_BY_CHANNEL
from omnikpi.metrics.base import Metric, Param, Params, register
from omnikpi.metrics.common import when
from omnikpi.schema.tables import ACTIVE_STATES


def active_time(t: ir.Table, p: Params) -> ir.Value:
    """ActiveTime: available + handling + hold + acw on any channel."""
    return when(t.state.isin(list(ACTIVE_STATES)), t.seconds)


def capacity_weighted_active(t: ir.Table, p: Params) -> ir.Value:
    """capacity × ActiveTime. An agent's capacity: its own in the configuration
    (``[agents.capacity]``), else its queues' or channels' (``chat_capacity`` under
    ``[queues.X]`` / ``[channels.X]``), else the ``capacity`` parameter."""
    capacities: dict[str, int] = p.get("agent_capacity") or {}
    default = t.queue_capacity.coalesce(float(p["capacity"]))
    if capacities:
        cap = ibis.cases(
            *[(t.agent_id == agent, float(c)) for agent, c in capacities.items()],
            else_=default,
        )
    else:
        cap = default
    return active_time(t, p) * cap


_CHAT_TABLES = ("contacts", "agent_states")
_SESSION_NOTE = (
    "Sessions: chat/messenger contacts of an agent from accepted_at to ended_at (ACW is "
    "not a session), counted only while the agent is active (session time outside the "
    "agent's available, handling, hold and acw states — of the session's client and site,"
    " or of none — counts nowhere; omnikpi validate notes it); ActiveTime counts the "
    "agents with at least one chat session in the report window; dimensions come from "
    "contacts for the numerator (a session naming no site is at its states' site) and "
    "agent_states for the denominator. Cut or filtered by "
    "channel, ActiveTime recorded without a channel is shared among the continuous "
    "channels each agent worked that day (available=pro_rata; as_recorded leaves it "
    "without a channel)."
)

register(
    Metric(
        id="chat_occupancy_relative", name="Chat occupancy (relative to capacity)",
        formulas={"ru": "∫ параллельных сессий dt / (ёмкость × активное время)",
                  "uk": "∫ паралельних сесій dt / (місткість × активний час)"},
        names={"ru": "Загрузка чатов (от ёмкости)", "uk": "Завантаження чатів (від місткості)"},
        sections={"productivity": 3},
        unit="ratio", area="productivity", source="chat_sessions", tables=_CHAT_TABLES,
        denominator_source="chat_agent_time",
        formula="∫ concurrent sessions dt / (capacity × ActiveTime)",
        params=(Param("capacity", "int", 4, "sessions an agent can hold at once (default: the "
                      "configuration's [agents] chat_capacity, 4); a capacity configured for "
                      "the agent ([agents.capacity]), else for the queues or channels of its "
                      "sessions (chat_capacity), takes precedence",
                      unit="sessions", default_from=lambda c: c.config.agents.chat_capacity,
                      minimum=1),
                Param("agent_capacity", "map", {}, "per-agent capacity ([agents.capacity])",
                      default_from=lambda c: dict(c.config.agents.capacity), settable=False),
                AVAILABLE_BY_CHANNEL),
        numerator=lambda t, p: t.seconds, denominator=capacity_weighted_active,
        notes=_SESSION_NOTE,
    ),
    Metric(
        id="chat_occupancy_absolute", name="Chat occupancy (absolute)",
        formulas={"ru": "время с ≥ 1 открытой сессией / активное время",
                  "uk": "час із ≥ 1 відкритою сесією / активний час"},
        names={"ru": "Загрузка чатов (абсолютная)", "uk": "Завантаження чатів (абсолютне)"},
        unit="ratio",
        area="productivity", source="chat_busy", tables=_CHAT_TABLES,
        denominator_source="chat_agent_time",
        formula="time with ≥ 1 open session / ActiveTime",
        params=(AVAILABLE_BY_CHANNEL,),
        numerator=lambda t, p: t.seconds, denominator=active_time,
        notes=_SESSION_NOTE,
    ),
    Metric(
        id="accs", name="Average concurrent chat sessions",
        formulas={"ru": "Σ по операторам ∫ сессий dt / Σ активного времени (в целом)",
                  "uk": "Σ за операторами ∫ сесій dt / Σ активного часу (загалом)"},
        names={"ru": "Среднее число параллельных чатов",
               "uk": "Середня кількість паралельних чатів"},
        sections={"productivity": 4}, unit="sessions",
        area="productivity", source="chat_sessions", tables=_CHAT_TABLES,
        denominator_source="chat_agent_time",
        formula="Σ over agents ∫ sessions dt / Σ ActiveTime (pooled)",
        params=(AVAILABLE_BY_CHANNEL,),
        numerator=lambda t, p: t.seconds, denominator=active_time,
        notes=_SESSION_NOTE,
    ),
    Metric(
        id="mccs", name="Maximum concurrent chat sessions",
        formulas={"ru": "максимум параллельных сессий каждого оператора за каждый день (или "
                        "более мелкий период), среднее по парам оператор–период с активным "
                        "временем (период без сессий считается 0)",
                  "uk": "максимум паралельних сесій кожного оператора за кожен день (або "
                        "дрібніший період), середнє за парами оператор–період з активним часом "
                        "(період без сесій рахується як 0)"},
        names={"ru": "Максимум параллельных чатов", "uk": "Максимум паралельних чатів"},
        unit="sessions",
        area="productivity", source="agent_peaks", tables=_CHAT_TABLES,
        formula="max concurrent sessions of each agent in each day (or finer period), "
        "averaged over agent-periods with ActiveTime (a period with no session counts 0)",
        params=(Param("by_piece", "bool", True, "an agent-period split among clients is "
                      "one agent-period per client, each with its own sessions' peak (only "
                      "in a report cut or filtered by tenant)",
                      settable=False, shapes_source=True, only_cut_by="tenant"),),
        numerator=lambda t, p: t.peak, denominator=lambda t, p: t.peak.notnull().cast("float64"),
        notes="Sessions as for the chat occupancy: counted only while the agent is active "
        "(available, handling, hold, acw), in the states of the session's client and site "
        "or of none.",
    ),
)
