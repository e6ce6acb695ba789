"""Saved report definitions in the database, each visible to its owner's tenant only."""

from __future__ import annotations

import logging
import tomllib

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnikpi.auth.accounts import Principal
from omnikpi.definitions import ReportDefinition, check_name, legacy_slug, slug
from omnikpi.errors import DataError, NotFoundError, UsageError
from omnikpi.store.models import SavedReport, utcnow

log = logging.getLogger(__name__)


def shelf(principal: Principal) -> str:
    """Where a principal's saved reports live (``saved_reports.tenant_key``): the tenant's
    own shelf for a tenant's people, ``""`` for the operator's unbounded staff (admins,
    supervisors of every tenant), and a shelf per set of sites for a supervisor bounded by
    sites alone — who shared the administrators' shelf before and read their definitions,
    filters on other tenants' agents included."""
    if principal.role == "admin" or (principal.role == "supervisor" and principal.tenant is None
                                     and not principal.sites):
        return ""
    sites = ",".join(sorted(principal.sites))
    return (principal.tenant or "") + (f"@sites:{sites}" if sites else "")


MANAGERS = ("admin", "supervisor")
"""Who may replace a saved report someone else saved on their shelf."""


class AlreadySaved(UsageError):
    """A report of that name (or of a name with the same key) is on the shelf: replacing
    it must be asked for (the builder's "Replace it" box)."""

    def __init__(self, message: str, saved_name: str) -> None:
        super().__init__(message)
        self.saved_name = saved_name


def save_report(session: Session, definition: ReportDefinition, owner: str,
                tenant: str | None, role: str = "admin", replace: bool = False) -> str:
    """Save a definition on the shelf ``tenant``; replace one of the same key only when
    ``replace`` says so ("Bank SL" saved after "bank sl" silently took its place). A
    client or an agent may replace only a report they saved themselves: an agent once
    overwrote the client's monthly report."""
    definition = definition.model_copy(update={"name": check_name(definition.name)})
    assert definition.name is not None
    key = slug(definition.name)
    tenant_key = tenant or ""
    row = session.scalar(select(SavedReport).where(SavedReport.slug == key,
                                                   SavedReport.tenant_key == tenant_key))
    if row is None and legacy_slug(definition.name) not in ("", key):
        row = session.scalar(select(SavedReport).where(  # saved under the older key
            SavedReport.slug == legacy_slug(definition.name),
            SavedReport.tenant_key == tenant_key, SavedReport.name == definition.name))
    if row is not None and row.owner != owner and role not in MANAGERS:
        raise UsageError(f"a report named {definition.name!r} was saved by someone else: "
                         "save yours under another name")
    if row is not None and not replace:
        same = row.name == definition.name
        raise AlreadySaved(
            f"a report named {row.name!r} is already saved"
            + ("" if same else f" (its name differs from {definition.name!r} only in case "
                               "or punctuation)")
            + ": tick “Replace it” to save over it, or choose another name", row.name)
    if row is None:
        row = SavedReport(slug=key, name=definition.name, tenant_key=tenant_key, owner=owner,
                          definition=definition.to_toml())
        session.add(row)
    else:
        row.slug = key  # a report saved under the older key moves to its new one
        row.name, row.owner, row.definition = definition.name, owner, definition.to_toml()
        row.updated_at = utcnow()
    return key


def list_reports(session: Session, tenant: str | None) -> list[tuple[str, ReportDefinition]]:
    """The tenant's saved reports; one whose stored text no longer reads (written by an
    older version, edited by hand) is left out with a warning, so one bad row never takes
    the builder down for the whole tenant."""
    rows = session.scalars(select(SavedReport).where(SavedReport.tenant_key == (tenant or ""))
                           .order_by(SavedReport.slug))
    out = []
    for row in rows:
        try:
            out.append((row.slug, ReportDefinition.model_validate(tomllib.loads(row.definition))))
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            log.warning("saved report %r of tenant %r cannot be read, left out: %s",
                        row.slug, row.tenant_key, exc)
    return out


def get_report(session: Session, key: str, tenant: str | None) -> tuple[ReportDefinition, str]:
    """The definition and its TOML text (what `omnikpi report --definition` runs)."""
    row = session.scalar(select(SavedReport).where(SavedReport.slug == key,
                                                   SavedReport.tenant_key == (tenant or "")))
    if row is None:
        raise NotFoundError(f"no saved report {key!r}")
    try:
        return ReportDefinition.model_validate(tomllib.loads(row.definition)), row.definition
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise DataError(f"saved report {key!r} cannot be read ({exc}): save it again") \
            from exc
