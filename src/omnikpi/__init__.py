"""OmniKPI: exact, documented contact-center KPIs over voice, chat, e-mail and more.

The Python API (``omnikpi.load_dataset``, ``omnikpi.report``, ``omnikpi.report_result``)
is imported on first use: the engine brings Ibis, pandas and DuckDB (about a second), which
``omnikpi --help``, ``omnikpi catalog`` or a module such as ``omnikpi.errors`` need not pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["DataError", "OmniKPIError", "QuarantineWarning", "ReportNote", "UsageError",
           "load_dataset", "report", "report_result"]

if TYPE_CHECKING:
    from omnikpi.api import report, report_result
    from omnikpi.errors import DataError, OmniKPIError, QuarantineWarning, ReportNote, UsageError
    from omnikpi.schema.dataset import load_dataset

_HOMES = {"report": "omnikpi.api", "report_result": "omnikpi.api",
          "load_dataset": "omnikpi.schema.dataset", "DataError": "omnikpi.errors",
          "OmniKPIError": "omnikpi.errors", "QuarantineWarning": "omnikpi.errors",
          "ReportNote": "omnikpi.errors", "UsageError": "omnikpi.errors"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'omnikpi' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
