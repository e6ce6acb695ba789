"""What a report run knows besides the data: as-of, window, zone, grain, config."""

from __future__ import annotations

from dataclasses import dataclass

from omnikpi.config import Config
from omnikpi.engine.timezones import OffsetRange


@dataclass(frozen=True)
class RunContext:
    as_of_us: int
    from_us: int | None
    to_us: int | None
    tz: str
    grain: str
    config: Config
    offsets: tuple[OffsetRange, ...]
    """UTC-offset ranges of the reporting zone over the data span."""
    span_start_us: int = 0
    span_end_us: int = 0
    """First and last instant of the data inside the window (for calendars)."""
    contact_highs: tuple[tuple[str, int | None], ...] = ()
    """Latest value of each contacts timestamp column when the loader knows it (None: no
    value): a column whose latest value is at or before as-of needs no as-of masking."""
    contact_channels: tuple[str, ...] | None = None
    """Every channel value of the contacts when the loader knows them (exact spelling):
    what a contact's channel decides (mode, SL threshold, text, chat) is then folded into
    constants or lists of those values instead of a case-insensitive test per row."""
    contact_directions: tuple[str, ...] | None = None
    """Every direction value of the contacts when the loader knows them: with no outbound
    contact, "received" folds to true instead of a test per row."""
    contact_empty: frozenset[str] = frozenset()
    """Contacts columns known to hold no value at all (e.g. ``handle_seconds`` when the
    platform does not export it): derived columns skip them instead of testing each row."""
    plans_until_us: int | None = None
    """The as-of of plans (shifts, scheduled activities), see ``engine.plan_time``;
    None: the as-of."""
    repeat_contacts: str = "contacts"
    """The table a question's repeats are looked for in (``Dataset.repeat_contacts``)."""
    nonnegative_keys: bool = False
    """Period keys may divide as integers (see ``grains.key_expr``): the backend is DuckDB
    and every instant of the data, plus any zone offset, is at or after 1970-01-01."""

    @property
    def plan_end_us(self) -> int:
        """Plans count up to this instant; events up to ``as_of_us``."""
        return self.as_of_us if self.plans_until_us is None else self.plans_until_us
