"""Canonical values a person reads in the page's language: the channels and directions of
the data model (``voice`` → "голос" in Russian, ``inbound`` → "вхідні" in Ukrainian).

Only what is read changes: the pages and the PDF export (a printed page) show the words;
URLs, filters, the CSV, XLSX and JSON exports and the API keep the values as they are in
the data (a script that filters ``channel=voice``, a pivot table keyed on it, works in
every language). A value outside these vocabularies (a queue, a site, a channel of the
user's own naming) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from omnikpi.no_value import no_value_label

TRANSLATED_VALUES: dict[str, frozenset[str]] = {
    "channel": frozenset({"voice", "chat", "email", "social", "messenger", "sms", "video",
                          "callback", "letter"}),
    "direction": frozenset({"inbound", "outbound"}),
}
"""Per dimension, the values with a translation (their msgid is the value itself)."""

ENGINE_VALUES: dict[str, dict[str, str]] = {
    "kind": {
        "contact": "contact", "dial": "dial attempt", "shift": "shift",
        "activity": "scheduled activity", "state_in_shift": "state in a paid shift",
        "paid_activity_in_shift": "paid activity in a shift",
        "unpaid_in_shift": "unpaid activity in a shift",
        "state_in_unpaid": "state in unpaid time", "match": "state as scheduled",
        "unavailable": "channel unavailable", "planned": "planned opening hours",
    },
    "outcome": {"converted": "converted"},
    # the data model's agent states, named as the agent page names them (the report
    # builder's time-in-state rows read "not_ready" on a Russian page)
    "state": {"available": "Available", "handling": "Handling", "hold": "Hold",
              "acw": "After-call work", "not_ready": "Not ready", "logged_out": "Logged out"},
}
"""Values the engine itself writes into a drill-down's rows (which part of a metric's
source a row is: a sale made on a contact or on a dial attempt, a shift or a state inside
it), and the data model's agent states → the words a supervisor reads, translated by the
catalogs."""


def value_label(dimension: str, value: object, gettext: Callable[[str], str]) -> str:
    """The text shown for ``value`` of ``dimension`` (none: "(no agent)" and the like)."""
    if value is None:
        return gettext(no_value_label(dimension))
    text = str(value)
    words = ENGINE_VALUES.get(dimension, {}).get(text)
    if words is not None:
        return gettext(words)
    return gettext(text) if text in TRANSLATED_VALUES.get(dimension, ()) else text


def value_labels(dimension: str, values: Iterable[object],
                 gettext: Callable[[str], str]) -> dict[str, str]:
    """The translated values among ``values`` (the picker shows these, sends the value)."""
    known = TRANSLATED_VALUES.get(dimension, frozenset())
    return {str(v): gettext(str(v)) for v in values if str(v) in known}
