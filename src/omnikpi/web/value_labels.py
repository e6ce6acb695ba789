"""Canonical values a person reads in the page's language: the channels and directions of
the data model (``voice`` → "голос" in Russian, ``inbound`` → "вхідні" in Ukrainian).

Only what is shown changes: URLs, filters, exports and the API keep the values as they are
in the data (a script that filters ``channel=voice`` works in every language). A value
outside these vocabularies (a queue, a site, a channel of the user's own naming) is shown
as it is.
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


def value_label(dimension: str, value: object, gettext: Callable[[str], str]) -> str:
    """The text shown for ``value`` of ``dimension`` (none: "(no agent)" and the like)."""
    if value is None:
        return gettext(no_value_label(dimension))
    text = str(value)
    return gettext(text) if text in TRANSLATED_VALUES.get(dimension, ()) else text


def value_labels(dimension: str, values: Iterable[object],
                 gettext: Callable[[str], str]) -> dict[str, str]:
    """The translated values among ``values`` (the picker shows these, sends the value)."""
    known = TRANSLATED_VALUES.get(dimension, frozenset())
    return {str(v): gettext(str(v)) for v in values if str(v) in known}
