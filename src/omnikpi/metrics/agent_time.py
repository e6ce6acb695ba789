"""Agent-time metrics from ``agent_states``: the paid-time funnel."""

from __future__ import annotations

import ibis.expr.types as ir

from omnikpi.metrics.base import Metric, Param, Params, register
from omnikpi.metrics.common import n, when

WORK_STATES = ("handling", "hold", "acw")


AVAILABLE_BY_CHANNEL = Param(
    "available", "choice", "pro_rata",
    "channel-less available time in a cut by channel: shared among the continuous channels "
    "each agent worked that day (pro_rata) or left without a channel (as_recorded)",
    ("pro_rata", "as_recorded"), shapes_source=True, only_cut_by="channel")
"""Where an agent's available time recorded without a channel goes in a report cut or
filtered by channel (``engine/available_share.py``); a source parameter of the metrics
whose denominator is agent time."""


def workload_rt(t: ir.Table, p: Params) -> ir.Value:
    """Seconds handling, on hold or in ACW on continuous channels (WorkloadRT)."""
    return when(t.state.isin(list(WORK_STATES)) & t.cont, t.seconds)


def active_rt(t: ir.Table, p: Params) -> ir.Value:
    """WorkloadRT + time available for continuous work (ActiveTimeRT): an agent waiting
    for e-mails (available on a discrete channel) is not available for calls or chats —
    counted, an agent busy on voice half the time it was available for either read 29 %
    busy where its voice work was 45 % of its voice time, and the e-mail row 0 %."""
    return when((t.state.isin(list(WORK_STATES)) | (t.state == "available")) & t.cont,
                t.seconds)


register(
    Metric(
        id="occupancy", name="Occupancy",
        formulas={"ru": "нагрузка / активное время; нагрузка = обработка + удержание + "
                        "постобработка в непрерывных каналах (строка без канала — непрерывная), "
                        "активное время = нагрузка + свободен в непрерывных каналах",
                  "uk": "навантаження / активний час; навантаження = обробка + утримання + "
                        "післяобробка в неперервних каналах (рядок без каналу — неперервний), "
                        "активний час = навантаження + вільний у неперервних каналах"},
        names={"ru": "Занятость", "uk": "Зайнятість"}, better="lower", target=0.85,
        better_past_target_only=True, sections={"productivity": 1}, standard=11, unit="ratio",
        area="productivity",
        source="agent_time", tables=("agent_states",), mode="continuous",
        formula="WorkloadRT / ActiveTimeRT; WorkloadRT = handling + hold + acw on continuous "
        "channels (a row without channel is continuous), ActiveTimeRT = WorkloadRT + "
        "available on continuous channels",
        notes="Cut or filtered by channel: available time recorded without a channel (as "
        "most platforms record it for blended agents) is shared among the continuous "
        "channels each agent worked that day, in proportion to the time worked on each "
        "(available=pro_rata), so the channels' rows add up to the total; an agent who worked "
        "no channel that day keeps it in the row without a channel. available=as_recorded "
        "leaves it there (each channel of a blended team then reads 100 %).",
        params=(AVAILABLE_BY_CHANNEL,),
        numerator=workload_rt, denominator=active_rt,
    ),
)


register(
    Metric(
        id="time_in_state", name="Time in state",
        formulas={"ru": "секунды по статусу и причине оператора (табличный показатель: строка на "
                        "статус и причину; у статусов без причины причина пуста)",
                  "uk": "секунди за статусом і причиною оператора (табличний показник: рядок на "
                        "статус і причину; у статусів без причини причина порожня)"},
        names={"ru": "Время в статусе", "uk": "Час у статусі"}, unit="seconds", area="productivity",
        source="agent_time", tables=("agent_states",),
        formula="seconds per agent state and reason (a table metric: one row per state and "
        "reason — key columns state and reason, reason null for a state without one)",
        numerator=lambda t, p: t.seconds, key_column="state,reason",
    ),
    Metric(
        id="contacts_per_shift", name="Contacts per shift",
        formulas={"ru": "обработанные обращения / начатые смены (учёт по началу смены)",
                  "uk": "оброблені звернення / розпочаті зміни (облік за початком зміни)"},
        # contacts per shift (60.9), not a share: as a ratio every surface showed 6,086.7 %
        names={"ru": "Обращений за смену", "uk": "Звернень за зміну"}, unit="per_shift",
        area="productivity",
        source="contacts", tables=("contacts", "shifts"), booking="end",
        denominator_source="shifts_count",
        formula="handled contacts / shifts started (booked at the shift's start)",
        numerator=lambda t, p: n(t.handled),
        denominator=lambda t, p: n(t.agent_id.notnull()),
    ),
)
