"""Instants as integer microseconds since the Unix epoch (UTC): the one time unit of the
canonical tables, the engine and the live monitor.

Kept apart from the engine so that every layer (schema, engine, live, web) reads
instants the same way without importing the engine.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MICROS = 1_000_000
"""Microseconds in a second."""
HOUR_US = 3600 * MICROS
DAY_US = 24 * HOUR_US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_datetime(us: int) -> datetime:
    """Epoch microseconds (UTC) to an aware datetime, exactly (no float rounding)."""
    return EPOCH + timedelta(microseconds=us)


def to_us(moment: datetime) -> int:
    """Aware datetime to epoch microseconds, exactly."""
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * MICROS + delta.microseconds
