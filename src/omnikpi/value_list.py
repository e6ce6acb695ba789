"""Several values of one filter in one URL parameter: ``queue=a,b``.

Values are joined with commas, and a comma or backslash inside a value is written with a
backslash before it (``agent_id=Doe\\, Jane``): an agent called "Doe, Jane" was read as the
two agents "Doe" and " Jane", so their page and drill-downs showed nothing. A value
without either character is written as it is, so every address written before reads the
same. The command line's ``--filter`` and the Python API's ``where`` text read values the
same way: the one filter gave 8 contacts on the API and 0 on the command line.
"""

from __future__ import annotations

from collections.abc import Iterable


def split_values(text: str) -> list[str]:
    """The values of ``text``, empty ones left out. Only ``\\,`` and ``\\\\`` are
    escapes: a backslash before anything else is itself (a Windows account
    ``CORP\\jdoe`` read as ``CORPjdoe`` and matched nothing)."""
    values: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char if char in ",\\" else "\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")  # a trailing backslash is itself
    values.append("".join(current))
    return [v for v in values if v]


def join_values(values: Iterable[str]) -> str:
    """The parameter that :func:`split_values` reads back as ``values``."""
    return ",".join(v.replace("\\", "\\\\").replace(",", "\\,") for v in values)
