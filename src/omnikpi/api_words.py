"""The engine's usage errors in the Python API's words.

The engine words its errors for the command line (``bad --from 'x'``, ``write
METRIC.NAME=VALUE``), which a notebook user calling :func:`omnikpi.report` never typed:
the API names its own arguments instead, as the web pages name their form fields
(:mod:`omnikpi.web.page_errors`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from omnikpi.errors import OmniKPIError

E = TypeVar("E", bound=OmniKPIError)

_WORDS = (
    (re.compile(r"--param (\w+)\.(\w+)=N\b"), r'params={"\1.\2": N}'),
    (re.compile(r"write METRIC\.NAME=VALUE or NAME=VALUE, e\.g\. (\w+)\.(\w+)=(\w+)"),
     r'give params as {"metric.name": value} or {"name": value}, e.g. {"\1.\2": \3}'),
    (re.compile(r"\(or METRIC\.NAME=VALUE\)"), '(or "metric.name")'),
    (re.compile(r"--from/--to"), "from_/to"),
    (re.compile(r"--from\b"), "from_"),
    (re.compile(r"--as-of\b"), "as_of"),
    (re.compile(r"--to\b"), "to"),
    (re.compile(r"--grain\b"), "grain"),
    (re.compile(r"--metrics\b"), "metrics"),
    (re.compile(r"--param\b"), "params"),
    (re.compile(r"--filter\b"), "where"),
    (re.compile(r"--by\b"), "by"),
    (re.compile(r"--tz\b"), "tz"),
)
"""(a command-line wording, the API's): the longest first."""


def api_message(message: str) -> str:
    """``message`` with the command line's options named as the API's arguments."""
    for pattern, words in _WORDS:
        message = pattern.sub(words, message)
    return message


def in_api_words(error: E) -> E:
    """The same error, worded for the API (its class kept: a subclass stays one)."""
    worded = type(error)(api_message(str(error)))
    worded.__cause__ = error.__cause__
    return worded


def flat_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``{"service_level": {"threshold_seconds": 30}}`` as ``{"service_level.
    threshold_seconds": 30}``: a metric's parameters may be given nested, as a notebook
    user writes them first; the flat form (``--param``'s) is kept as it is."""
    if params is None:
        return None
    flat: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Mapping):
            for name, inner in value.items():
                flat[f"{key}.{name}"] = inner
        else:
            flat[key] = value
    return flat
