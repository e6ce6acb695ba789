"""The parameters of the FCR fact source (``engine/fcr_source.py``), declared once for
every metric that reads it: fcr, repeat_rate and cost_per_resolution."""

from __future__ import annotations

from omnikpi.metrics.base import Param

FCR_PARAMS = (
    Param("window_hours", "float", 168.0,
          "a contact of the same customer arriving within this time after the question "
          "ended is a repeat (inclusive)", unit="hours", shapes_source=True),
    Param("match_topic", "bool", None,
          "a repeat must have the same topic (a missing topic matches any); default: true "
          "when the contacts have topics",
          default_from=lambda c: c.has_values("contacts", "topic"), shapes_source=True),
    Param("transfer_breaks_fcr", "bool", True,
          "a question that was transferred (transferred = true, or a leg's parent_id points "
          "at it) is not resolved at first contact; false: only a repeat contact breaks it",
          shapes_source=True),
)

FCR_WHEN_EMPTY = (
    "it counts handled contacts with a customer_id whose {window_hours:g}-hour repeat window "
    "has ended by as-of ({as_of}), and there are none: a later as-of or a shorter "
    "window_hours may give some"
)
"""What a metric of the FCR source says when it has no value: no question's window has
ended by as-of (fcr, repeat_rate, cost_per_resolution)."""
FCR_WHEN_EMPTY_TEXTS = {
    "ru": "учитываются обработанные обращения с customer_id, у которых {window_hours:g}-часовое "
          "окно повторов закончилось к моменту {as_of}, а таких нет: более поздний момент или "
          "меньший window_hours может их дать",
    "uk": "враховуються оброблені звернення з customer_id, у яких {window_hours:g}-годинне "
          "вікно повторів закінчилося до моменту {as_of}, а таких немає: пізніший момент або "
          "менший window_hours може їх дати",
}
