"""An API route refuses a query parameter it does not read.

A script's ``topic=complaint`` (a filter the API did not have) or a misspelt ``quene=sales``
was answered 200 with every topic's, every queue's figures: numbers that looked filtered
and were not. Each ``/api/v1`` route now names the parameters it reads instead.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request
from fastapi.params import Depends as DependsParam

ALWAYS = frozenset({"lang"})
"""Read by every route (the language of a message), whatever its signature says."""
_KNOWN: dict[int, frozenset[str]] = {}


def refuse_unknown_query(request: Request, lang: Annotated[str | None, Query(
        description="language of the sentences an answer carries (a drill-down row's "
                    "reason): en, ru or uk; otherwise the lang cookie, then "
                    "Accept-Language, then en")] = None) -> None:
    """400 naming the query parameters ``request``'s route does not declare. ``lang`` is
    declared here, read by every route (the schema had it on none)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _KNOWN.get(id(route))
    if known is None:
        known = _KNOWN[id(route)] = ALWAYS | _query_names(dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise HTTPException(400, f"unknown query parameter(s) {', '.join(unknown)}: "
                                 f"{request.url.path} reads {', '.join(sorted(known))}")


def _query_names(dependant: Any) -> frozenset[str]:
    """The query parameters a route and its dependencies declare (their aliases)."""
    names: set[str] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        names.update(str(p.alias) for p in current.query_params)
        pending.extend(current.dependencies)
    return frozenset(names)


REFUSE_UNKNOWN: list[DependsParam] = [Depends(refuse_unknown_query)]
"""``dependencies=`` of every ``/api/v1`` route, on a router of its own or per route where
the router also serves pages (the live routes beside the wallboard): without it
``/api/v1/live?quene=sales`` gave every queue, and ``POST /api/v1/alerts?foo=1`` made a
rule all the same."""
