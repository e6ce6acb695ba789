"""The ``Content-Disposition`` of a file OmniKPI hands over (a web download, a webhook's
attachment): one function, so no route can forget that the header is Latin-1."""

from __future__ import annotations

import re
from urllib.parse import quote


def attachment(filename: str) -> str:
    """A plain ASCII name for every reader (a Cyrillic name put there as-is was a server
    error, since a header is Latin-1) and the whole name in ``filename*`` (RFC 6266) for
    those that read it: a schedule "Утренний отчёт" downloads as ``утренний-отчёт-….csv``."""
    stem, dot, suffix = filename.rpartition(".")
    if not dot:
        stem, suffix = filename, ""
    plain = re.sub(r"[^a-z0-9_]+", "-", stem.lower()).strip("-_")
    plain = re.sub(r"[^A-Za-z0-9_.-]", "", plain)[:120] or "report"
    ascii_name = f"{plain}.{suffix}" if suffix else plain
    return (f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(filename, safe='')}")
