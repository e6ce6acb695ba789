"""Talk analytics of call recordings (``talk_analytics``, computed from the audio by
``omnikpi recordings analyze``): who talks how much, silences, overtalk, monologues.

Sums travel as numerator and denominator, so a share pooled over queues or days is the
share of all their seconds, not an average of the calls' shares. A mono recording has no
sides: it counts in the silence measures only.
"""

from __future__ import annotations

from omnikpi.metrics.base import Metric, register
from omnikpi.metrics.common import n, when

_NOTE = ("From `talk_analytics` (one row per analysed call recording, `omnikpi recordings "
         "analyze`), with its contact's dimensions, booked when the call ended.")
_TABLES = ("talk_analytics", "contacts")

register(
    Metric(
        id="talk_listen_ratio", name="Talk-to-listen ratio",
        formulas={"ru": "Σ речь оператора / Σ речь клиента (звонки, где обе стороны записаны "
                        "раздельно)",
                  "uk": "Σ мовлення оператора / Σ мовлення клієнта (дзвінки, де обидві "
                        "сторони записано окремо)"},
        names={"ru": "Соотношение речи оператора и клиента",
               "uk": "Співвідношення мовлення оператора й клієнта"},
        unit="score", area="quality", source="talk", tables=_TABLES, booking="end",
        formula="Σ agent_talk_s / Σ customer_talk_s (calls whose two sides are recorded "
        "apart)", extension=True, notes=_NOTE,
        numerator=lambda t, p: when(t.customer_talk_s.notnull(), t.agent_talk_s),
        denominator=lambda t, p: when(t.agent_talk_s.notnull(), t.customer_talk_s),
    ),
    Metric(
        id="silence_share", name="Silence share",
        formulas={"ru": "Σ тишина (никто не говорит) / Σ длительность записей",
                  "uk": "Σ тиша (ніхто не говорить) / Σ тривалість записів"},
        names={"ru": "Доля тишины", "uk": "Частка тиші"}, better="lower",
        unit="ratio", area="quality", source="talk", tables=_TABLES, booking="end",
        formula="Σ silence_s (nobody speaks) / Σ duration_s of the recordings",
        extension=True, notes=_NOTE,
        numerator=lambda t, p: when(t.silence_s.notnull(), t.silence_s),
        denominator=lambda t, p: when(t.silence_s.notnull(), t.duration_s),
    ),
    Metric(
        id="overtalk_share", name="Overtalk share",
        formulas={"ru": "Σ одновременная речь обеих сторон / Σ длительность записей с "
                        "раздельными сторонами",
                  "uk": "Σ одночасне мовлення обох сторін / Σ тривалість записів з окремими "
                        "сторонами"},
        names={"ru": "Доля перебиваний", "uk": "Частка перебивань"}, better="lower",
        unit="ratio", area="quality", source="talk", tables=_TABLES, booking="end",
        formula="Σ overtalk_s (both sides speak) / Σ duration_s of recordings with "
        "separate sides", extension=True, notes=_NOTE,
        numerator=lambda t, p: when(t.overtalk_s.notnull(), t.overtalk_s),
        denominator=lambda t, p: when(t.overtalk_s.notnull(), t.duration_s),
    ),
    Metric(
        id="avg_longest_silence", name="Average longest silence",
        formulas={"ru": "Σ самая долгая тишина звонка / проанализированные звонки",
                  "uk": "Σ найдовша тиша дзвінка / проаналізовані дзвінки"},
        names={"ru": "Средняя самая долгая тишина", "uk": "Середня найдовша тиша"},
        better="lower", unit="seconds", area="quality", source="talk", tables=_TABLES,
        booking="end", formula="Σ longest_silence_s / analysed calls", extension=True,
        notes=_NOTE,
        numerator=lambda t, p: t.longest_silence_s,
        denominator=lambda t, p: n(t.longest_silence_s.notnull()),
    ),
    Metric(
        id="avg_longest_monologue", name="Average longest agent monologue",
        formulas={"ru": "Σ самый долгий монолог оператора в звонке / звонки с раздельными "
                        "сторонами",
                  "uk": "Σ найдовший монолог оператора в дзвінку / дзвінки з окремими "
                        "сторонами"},
        names={"ru": "Средний самый долгий монолог оператора",
               "uk": "Середній найдовший монолог оператора"},
        better="lower", unit="seconds", area="quality", source="talk", tables=_TABLES,
        booking="end", formula="Σ longest_agent_monologue_s / calls with separate sides",
        extension=True, notes=_NOTE,
        numerator=lambda t, p: t.longest_agent_monologue_s,
        denominator=lambda t, p: n(t.longest_agent_monologue_s.notnull()),
    ),
)
