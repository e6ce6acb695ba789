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
