"""The drill-down page: the rows behind a figure (its numerator, denominator or both)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from omnikpi.errors import UsageError
from omnikpi.metrics.base import get_metric
from omnikpi.web import service
from omnikpi.web.deps import FilterParams, ViewDep
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/drill", response_class=HTMLResponse)
def drill(request: Request, state: ViewDep, filters: FilterParams, metric: str = "offered",
          part: str = "denominator", page: int = 1) -> Response:
    definition = get_metric(metric)
    data = None
    message = None
    try:
        if definition.source == "agent_time" and not definition.denominator_source:
            data = service.states_page(state, filters, metric, part, page, 50)
        else:
            data = service.contacts_page(state, filters, {}, None, page, 50, metric, part)
    except UsageError as exc:
        message = str(exc)
    query = str(request.url.query)
    return templates.TemplateResponse(request, "drill.html", {
        "data": data, "metric": definition, "part": part, "filters": filters,
        "message": message, "query": query,
    })
