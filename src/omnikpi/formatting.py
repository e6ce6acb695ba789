"""Numbers as people read them: one formatting for the terminal, the web pages, the
drill-downs, the builder's preview and the human-facing exports (PDF; the XLSX keeps real
numbers with number formats, CSV and JSON keep raw numbers for machines).

- durations (unit ``seconds``): ``m:ss`` below an hour, ``h:mm:ss`` from an hour on, also
  past 24 hours (an e-mail answered after 200 hours is ``200:05:00``, not "8 days");
  rounded to whole seconds, half up; a sign for negative durations;
- ratios: percent with one decimal; counts: whole numbers with group separators; other
  numbers: two decimals;
- dates and date-times in the language's own format (Babel's CLDR data), in the report's
  zone (an instant with an offset is shown in that offset, not the server's zone).

``lang`` is ``en``, ``ru`` or ``uk``; decimal and group separators follow it (ru/uk: a
comma and a non-breaking space).
"""

from __future__ import annotations

import math
import numbers
import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_decimal

NO_VALUE = "—"
LANGUAGES = ("en", "ru", "uk")
NBSP = "\u00a0"


def _locale(lang: str | None) -> str:
    return lang if lang in LANGUAGES else "en"


def _number(value: Any) -> float | None:
    """A finite number, or None (no value, NaN, infinity, not a number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def half_up(number: float, decimals: int, scale: int = 1) -> Decimal:
    """``number × scale`` rounded half away from zero to ``decimals``, from the number as
    written (its shortest repr), as Excel rounds a cell's display: Python's ``round`` goes
    to the even digit on the binary value, so a PDF said 4.12 and 6.2 % where the XLSX of
    the same report said 4.13 and 6.3 %. A zero is never negative."""
    exact = Decimal(repr(number)) * scale
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)


def whole_seconds(seconds: float) -> int:
    """Rounded half up by magnitude (59.5 s → 60 s, -59.5 s → -60 s), as a stopwatch would."""
    magnitude = math.floor(abs(seconds) + 0.5)
    return -magnitude if seconds < 0 else magnitude


def duration(seconds: Any, hours: bool = False) -> str:
    """``m:ss`` below an hour, ``h:mm:ss`` from an hour (``hours=True``: always
    ``h:mm:ss``, for a column of one unit); ``—`` for no value."""
    number = _number(seconds)
    if number is None:
        return NO_VALUE
    total = whole_seconds(number)
    sign = "-" if total < 0 else ""
    h, rest = divmod(abs(total), 3600)
    m, s = divmod(rest, 60)
    if h or hours:
        return f"{sign}{h}:{m:02d}:{s:02d}"
    return f"{sign}{m}:{s:02d}"


_DURATION = re.compile(r"^(-?)(?:(\d+):)?(\d+):(\d\d)$")


def parse_duration(text: str) -> int:
    """Seconds of an ``m:ss`` or ``h:mm:ss`` text (the inverse of :func:`duration`)."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    sign, h, m, s = match.groups()
    if int(s) > 59 or (h is not None and int(m) > 59):
        raise ValueError(f"not a duration: {text!r}")
    total = int(h or 0) * 3600 + int(m) * 60 + int(s)
    return -total if sign else total


def percent(value: Any, lang: str = "en", sign: bool = True) -> str:
    """A ratio (0–1) as percent with one decimal: ``85.3 %`` (``sign=False``: ``85.3``,
    for a column whose header carries the unit)."""
    number = _number(value)
    if number is None:
        return NO_VALUE
    text = format_decimal(half_up(number, 1, 100), "#,##0.0", locale=_locale(lang))
    if not sign:
        return text
    return f"{text} %" if _locale(lang) == "en" else f"{text}{NBSP}%"


def count(value: Any, lang: str = "en") -> str:
    """A whole number with the language's group separator: ``1,234,567`` / ``1 234 567``."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        whole = int(value)  # exact, however large (a float would round past 2**53)
    else:
        number = _number(value)
        if number is None:
            return NO_VALUE
        whole = int(half_up(number, 0))
    return format_decimal(whole, "#,##0", locale=_locale(lang))


def decimal(value: Any, lang: str = "en") -> str:
    """Any other number with two decimals: ``1,234.50`` / ``1 234,50``."""
    number = _number(value)
    if number is None:
        return NO_VALUE
    return format_decimal(half_up(number, 2), "#,##0.00", locale=_locale(lang))


def fixed(value: Any, lang: str = "en", decimals: int = 1) -> str:
    """A number with ``decimals`` decimals in the language's way: ``1,234.5`` /
    ``1 234,5``; ``—`` for no value."""
    number = _number(value)
    if number is None:
        return NO_VALUE
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(half_up(number, decimals), pattern, locale=_locale(lang))


def as_typed(value: Any, lang: str = "en") -> str:
    """A number someone typed (a rule's threshold, a checklist weight) with the decimals it
    has, up to six, in the language's way: ``0.75`` → ``0,75``, ``300.0`` → ``300`` (Python
    wrote ``300.0`` and ``0.75`` on Russian and Ukrainian pages)."""
    number = _number(value)
    if number is None:
        return NO_VALUE
    decimals = len(f"{number:.6f}".rstrip("0").partition(".")[2])
    return fixed(number, lang, decimals)


def human(value: Any, unit: str | None, lang: str = "en") -> str:
    """A metric value in its unit: durations as m:ss / h:mm:ss, ratios as %, counts with
    separators, other numbers with two decimals; ``—`` for no value (None, NaN)."""
    if value is None:
        return NO_VALUE
    if unit == "seconds":
        return duration(value)
    if unit == "ratio":
        return percent(value, lang)
    if unit == "count":
        return count(value, lang)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return decimal(value, lang)
    return str(value)


def to_datetime(value: Any) -> datetime | date | None:
    """A date or date-time from a value or an ISO-8601 text (None if it is neither)."""
    if isinstance(value, (datetime, date)):
        return value
    if isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if "T" not in value and " " not in value.strip() and moment == datetime(
                moment.year, moment.month, moment.day):
            return moment.date()
        return moment
    return None


def fmt_date(value: Any, lang: str = "en") -> str:
    """The day of a date or an instant (in the instant's own offset): ``Mar 1, 2024`` /
    ``1 мар. 2024 г.``."""
    moment = to_datetime(value)
    if moment is None:
        return NO_VALUE if value is None or value == "" else str(value)
    day = moment.date() if isinstance(moment, datetime) else moment
    return format_date(day, "medium", locale=_locale(lang))


def fmt_datetime(value: Any, lang: str = "en", seconds: bool = False) -> str:
    """An instant in its own offset to the minute: ``Mar 1, 2024, 08:00`` /
    ``1 мар. 2024 г., 08:00`` (a bare date: the date only); to the second with
    ``seconds`` (a transcript's messages, where replies come seconds apart)."""
    moment = to_datetime(value)
    if moment is None:
        return NO_VALUE if value is None or value == "" else str(value)
    if not isinstance(moment, datetime):
        return fmt_date(moment, lang)
    locale = _locale(lang)
    pattern = str(get_datetime_format("medium", locale=locale))
    day = format_date(moment.date(), "medium", locale=locale)
    clock = format_time(moment.replace(tzinfo=None), "HH:mm:ss" if seconds else "HH:mm",
                        locale=locale)
    return pattern.replace("{1}", day).replace("{0}", clock)


DAY_GRAINS = ("day", "week", "month")


def repeated_hours(values: list[Any], tz: str | None = None) -> dict[int, str]:
    """The periods whose local start is read twice (the hour the clocks go back: 03:00 at
    +03:00, then 03:00 at +02:00), by position, each with its offset (``UTC+02:00``) to
    tell them apart: shown without it, two rows of different figures bore one label.
    With the report's zone ``tz``, a start in that hour has its offset even when its twin
    is not among the rows (a single 03:00 after 02:00 read as the next hour, two hours
    later; at 15 minutes, 03:45 then 03:00 read as out of order)."""
    zone = ZoneInfo(tz) if tz else None
    starts: dict[int, tuple[datetime, int]] = {}  # position → (wall time, offset minutes)
    for position, value in enumerate(values):
        moment = to_datetime(value)
        shift = moment.utcoffset() if isinstance(moment, datetime) else None
        if isinstance(moment, datetime) and shift is not None:
            starts[position] = (moment.replace(tzinfo=None), int(shift.total_seconds() // 60))
    offsets: dict[datetime, set[int]] = {}
    for wall, minutes in starts.values():
        offsets.setdefault(wall, set()).add(minutes)
    return {position: f"UTC{'-' if minutes < 0 else '+'}"
                      f"{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
            for position, (wall, minutes) in starts.items()
            if len(offsets[wall]) > 1 or (zone is not None and _read_twice(wall, zone))}


def repeated_offset(moment: datetime, zone: ZoneInfo) -> str | None:
    """``UTC+02:00`` when ``moment``'s wall time in ``zone`` is read twice (the hour the
    clocks go back), to tell its two readings apart; None otherwise."""
    local = moment.astimezone(zone)
    wall = local.replace(tzinfo=None)
    shift = local.utcoffset()
    if shift is None or not _read_twice(wall, zone):
        return None
    minutes = int(shift.total_seconds() // 60)
    return (f"UTC{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:"
            f"{abs(minutes) % 60:02d}")


def _read_twice(wall: datetime, zone: ZoneInfo) -> bool:
    """Whether the zone's clocks show ``wall`` twice (its two folds have two offsets)."""
    return wall.replace(tzinfo=zone, fold=0).utcoffset() != \
        wall.replace(tzinfo=zone, fold=1).utcoffset() and \
        wall.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone).replace(
            tzinfo=None) == wall


def fmt_period(value: Any, grain: str | None, lang: str = "en") -> str:
    """A period's start: the date for day, week and month grains, else date and time."""
    if grain in DAY_GRAINS:
        return fmt_date(value, lang)
    return fmt_datetime(value, lang)
