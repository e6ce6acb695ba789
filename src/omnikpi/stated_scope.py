"""The filters a file states: its reader's scope among them.

A client's or a site's file names the tenant or site its rows are cut to ("Filters:
none" on a bank's file, its figures the bank's alone, read as the whole center's), and a
value asked for outside the scope is no row of the file (a bank client's
"tenant=bank,telco" read "Tenant: bank, telco" over the bank's rows alone). The report
builder's exports, the drill-down's and the scheduled reports' files state it alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from omnikpi.auth.scope import Scope
from omnikpi.engine.result import ReportResult


def filters_in_scope(filters: Mapping[str, Sequence[str]],
                     scope: Scope) -> dict[str, tuple[str, ...]]:
    """``filters`` as a file of the rows ``scope`` sees states them."""
    shown = {dim: tuple(values) for dim, values in filters.items()}
    if scope.unbounded:
        return shown
    bounds = dict(scope.bounds())
    if scope.agent:
        bounds["agent_id"] = (scope.agent,)
    for dim, allowed in bounds.items():
        if dim not in shown:  # not asked: the file's rows are the scope's
            shown[dim] = tuple(allowed)
            continue
        # asked: the values the rows can hold; none inside the scope is no row at all,
        # so the file says what was asked (it said the scope's values, "Tenant: bank"
        # over an empty table, read as the bank having no contact)
        shown[dim] = tuple(v for v in shown[dim] if v in allowed) or shown[dim]
    return shown


def result_in_scope(result: ReportResult, scope: Scope) -> ReportResult:
    """``result`` with the filters its file states (its rows are cut already)."""
    window = result.window
    if window is None or scope.unbounded:
        return result
    shown = filters_in_scope(window.filters, scope)
    return dataclasses.replace(result, window=dataclasses.replace(window, filters=shown))
