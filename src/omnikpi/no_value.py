"""What a row's missing dimension value reads as, for people (XLSX, PDF, the builder).

A report cut by agent has a row for the contacts no agent handled (abandoned calls,
unanswered chats); one cut by channel has a row for agent time, which belongs to no
channel (occupancy, shrinkage). In CSV and JSON that value is empty or ``null``, as a
program expects; a person reading "—" or an empty cell under the last agent takes it for
a grand total. So the files and pages for people name it.
"""

from __future__ import annotations

NO_VALUE_LABELS = {
    "agent_id": "(no agent)", "channel": "(not per channel)", "queue": "(no queue)",
    "site": "(no site)", "tenant": "(no tenant)", "topic": "(no topic)",
    "direction": "(no direction)", "campaign": "(no campaign)",
    "lead_type": "(no lead type)", "state": "(no state)", "reason": "(no reason)",
}
OTHER_NO_VALUE = "(not set)"
STRINGS = (*NO_VALUE_LABELS.values(), OTHER_NO_VALUE)
"""Translated in the web catalogs, as the exports' other strings."""


def no_value_label(dimension: str) -> str:
    """The English text for a missing value of ``dimension`` (translate it to show it)."""
    return NO_VALUE_LABELS.get(dimension, OTHER_NO_VALUE)
