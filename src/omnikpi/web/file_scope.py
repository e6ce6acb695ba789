"""The filters a downloaded file states: the viewer's scope among them.

A client's or a site's file names the tenant or site its rows are cut to ("Filters:
none" on a bank's file, its figures the bank's alone, read as the whole center's), and a
value asked for outside the scope is no row of the file (a bank client's
"tenant=bank,telco" read "Tenant: bank, telco" over the bank's rows alone). The report
builder's exports and the drill-down's state it alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from omnikpi.web.deps import View


def filters_in_scope(filters: Mapping[str, Sequence[str]],
                     view: View) -> dict[str, tuple[str, ...]]:
    """``filters`` as the file of ``view``'s rows states them."""
    shown = {dim: tuple(values) for dim, values in filters.items()}
    if view.scope.unbounded:
        return shown
    bounds = dict(view.scope.bounds())
    if view.scope.agent:
        bounds["agent_id"] = (view.scope.agent,)
    for dim, allowed in bounds.items():
        inside = tuple(v for v in shown.get(dim, allowed) if v in allowed)
        shown[dim] = inside or tuple(allowed)
    return shown
