"""Saved report definitions in the database, each visible to its owner's tenant only."""

from __future__ import annotations

import tomllib

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnikpi.definitions import ReportDefinition, slug
from omnikpi.errors import UsageError
from omnikpi.store.models import SavedReport, utcnow


def save_report(session: Session, definition: ReportDefinition, owner: str,
                tenant: str | None) -> str:
    if not definition.name:
        raise UsageError("a saved report needs a name")
    key = slug(definition.name)
    tenant_key = tenant or ""
    row = session.scalar(select(SavedReport).where(SavedReport.slug == key,
                                                   SavedReport.tenant_key == tenant_key))
    if row is None:
        row = SavedReport(slug=key, name=definition.name, tenant_key=tenant_key, owner=owner,
                          definition=definition.to_toml())
        session.add(row)
    else:
        row.name, row.owner, row.definition = definition.name, owner, definition.to_toml()
        row.updated_at = utcnow()
    return key


def list_reports(session: Session, tenant: str | None) -> list[tuple[str, ReportDefinition]]:
    rows = session.scalars(select(SavedReport).where(SavedReport.tenant_key == (tenant or ""))
                           .order_by(SavedReport.slug))
    return [(r.slug, ReportDefinition.model_validate(tomllib.loads(r.definition)))
            for r in rows]


def get_report(session: Session, key: str, tenant: str | None) -> tuple[ReportDefinition, str]:
    """The definition and its TOML text (what `omnikpi report --definition` runs)."""
    row = session.scalar(select(SavedReport).where(SavedReport.slug == key,
                                                   SavedReport.tenant_key == (tenant or "")))
    if row is None:
        raise UsageError(f"no saved report {key!r}")
    return ReportDefinition.model_validate(tomllib.loads(row.definition)), row.definition
