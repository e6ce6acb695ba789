"""Loaded data that breaks no rule of the data model yet will not read as its owner
expects: `omnikpi validate` lists these hints after the problems.

A problem quarantines a row; a hint changes nothing. It points at a column an export left
empty where the data model gives it a value, so that a KPI which reads 0 % is not taken
for the contact center's real figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from omnikpi.config import VOICE_CHANNELS
from omnikpi.instants import MICROS
from omnikpi.schema.model import Dataset
from omnikpi.schema.tables import INBOUND_SQL


@dataclass(frozen=True)
class Hint:
    table: str
    rows: int
    """How many rows it concerns."""
    message: str

    def __str__(self) -> str:
        return f"{self.table}: {self.rows} row(s): {self.message}"


VOICE_WITHOUT_FIRST_RESPONSE = (
    "Voice contacts with accepted_at but no first_response_at count as not answered: they "
    "lower the answered count and the service level, and have no ASA or handle time. For "
    "voice, the data model gives first_response_at = accepted_at: set it in the export or "
    "the import mapping.")
"""A hint's text, an English sentence (the web page translates it)."""

FUTURE_ARRIVALS = (
    "Contacts arrive more than a day after the time of the check: a report's as-of is the "
    "data's latest event by default, so a wrong date (a clock, a year typed wrong) moves "
    "it and changes every figure that depends on it (service level, FCR). Correct the "
    "dates, or give reports an --as-of.")
"""Said of contacts dated in the future (one contact of 2034 moved e-mail SL from 100 %
to 93 %, and made FCR's every window look elapsed, without a word from validate)."""

_VOICE_LIST = ", ".join(f"'{c}'" for c in VOICE_CHANNELS)

_CONTACT_HINTS = (
    (f"lower(channel) IN ({_VOICE_LIST}) AND accepted_at IS NOT NULL "
     f"AND first_response_at IS NULL AND {INBOUND_SQL}",
     VOICE_WITHOUT_FIRST_RESPONSE),
)
"""(condition on a loaded contact, what it means): the voice rule comes from
``data-model.md`` ("first_response_at … voice: same as accepted_at"). An outbound call
is left out: nobody waits on it, and it is handled work from its acceptance without a
first response (docs/decisions.md)."""


def data_hints(dataset: Dataset, now: datetime | None = None) -> list[Hint]:
    """Every hint about the loaded rows (the quarantined ones are problems already);
    ``now``: the time of the check (the clock's by default)."""
    if not dataset.has("contacts"):
        return []
    moment = now or datetime.now(UTC)
    tomorrow = int(moment.timestamp() * MICROS) + 86_400 * MICROS
    hints = (*_CONTACT_HINTS, (f"arrived_at > {tomorrow}", FUTURE_ARRIVALS))
    conditions = [condition for condition, _ in hints]
    counts = dataset.con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {c})" for c in conditions)
        + " FROM contacts").fetchone()
    assert counts is not None
    return [Hint("contacts", int(count), message)
            for count, (_, message) in zip(counts, hints, strict=True) if count]
