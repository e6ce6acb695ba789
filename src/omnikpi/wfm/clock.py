"""The clock of the interval starts a file gives (a forecast, a plan): one for the whole
file, so that its times can be put in order and on one grid."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from omnikpi.errors import UsageError


def check_one_clock(times: Iterable[tuple[str, datetime]], where: str) -> None:
    """Refuse a file whose times mix some with a UTC offset and some without.

    A time with an offset is an instant; one without is a wall-clock time of a zone the
    file does not name. The two cannot be compared (Python raised a TypeError and the
    command a traceback) nor placed on one grid. ``times`` are (label, time): the label
    (``line 3``) names where the first time of the other kind is."""
    first: tuple[str, datetime] | None = None
    for label, at in times:
        if first is None:
            first = (label, at)
        elif (at.utcoffset() is None) != (first[1].utcoffset() is None):
            raise UsageError(
                f"{where}: mix of times with and without a UTC offset: {_said(*first)}, "
                f"{_said(label, at)}; write every time with its offset "
                "(2024-03-04T08:00+02:00) or none")


def _said(label: str, at: datetime) -> str:
    return f"{label} ({at.isoformat()}) has {'none' if at.utcoffset() is None else 'one'}"
