"""Shared request dependencies (FastAPI ``Annotated`` aliases) and the loaded dataset."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from omnikpi.config import Config
from omnikpi.schema.dataset import Dataset


@dataclass
class AppState:
    dataset: Dataset
    config: Config
    reports_dir: Path
    """Where the report builder saves named definitions."""
    cache: dict[str, Any] = field(default_factory=dict)
    """Report results by request (the dataset is fixed while the app runs)."""


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.omnikpi
    return state


State = Annotated[AppState, Depends(get_state)]


@dataclass
class Filters:
    """What every page and the report API accept; the URL carries them (shareable)."""

    metrics: str | None = None
    by: str | None = None
    grain: str = "total"
    tz: str = "UTC"
    from_: str | None = None
    to: str | None = None
    as_of: str | None = None
    param: list[str] | None = None
    engine: str = "duckdb"
    where: dict[str, list[str]] | None = None
    """Dimension filters from the URL: channel, queue, site, tenant, agent_id (a,b,…)."""


FILTER_DIMENSIONS = ("channel", "queue", "site", "tenant", "agent_id")


def get_filters(
    metrics: str | None = None, by: str | None = None, grain: str = "total", tz: str = "UTC",
    from_: Annotated[str | None, Query(alias="from")] = None, to: str | None = None,
    as_of: str | None = None, param: Annotated[list[str] | None, Query()] = None,
    engine: str = "duckdb", channel: str | None = None, queue: str | None = None,
    site: str | None = None, tenant: str | None = None, agent_id: str | None = None,
) -> Filters:
    values = {"channel": channel, "queue": queue, "site": site, "tenant": tenant,
              "agent_id": agent_id}
    where = {k: [x for x in v.split(",") if x] for k, v in values.items() if v}
    return Filters(metrics, by, grain, tz, from_ or None, to or None, as_of or None, param,
                   engine, where or None)


FilterParams = Annotated[Filters, Depends(get_filters)]
