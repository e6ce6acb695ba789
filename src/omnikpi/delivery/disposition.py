"""The ``Content-Disposition`` of a file OmniKPI hands over (a web download, a webhook's
attachment): one function, so no route can forget that the header is Latin-1."""

from __future__ import annotations

import re
from urllib.parse import quote

_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "yo",
    "є": "ye", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
    "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "’": "", "'": ""})
"""Russian and Ukrainian letters in Latin ones, for the plain name only."""


def attachment(filename: str) -> str:
    """A plain ASCII name for every reader (a Cyrillic name put there as-is was a server
    error, since a header is Latin-1) and the whole name in ``filename*`` (RFC 6266) for
    those that read it: a schedule "Утренний отчёт" downloads as ``утренний-отчёт-….csv``,
    and as ``utrenniy-otchyot-….csv`` where only ``filename`` is read (a Cyrillic name
    had none left there: two schedules' files of one day were both ``2024-06-01.xlsx``)."""
    stem, dot, suffix = filename.rpartition(".")
    if not dot:
        stem, suffix = filename, ""
    plain = re.sub(r"[^a-z0-9_]+", "-", stem.lower().translate(_LATIN)).strip("-_")
    plain = re.sub(r"[^A-Za-z0-9_.-]", "", plain)[:120] or "report"
    ascii_name = f"{plain}.{suffix}" if suffix else plain
    return (f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(filename, safe='')}")
