"""What of the QA records a caller sees, as one value usable both ways: in Python on a
row at hand, and as a SQL condition so that lists are cut to the caller's scope *before*
their limit. (Filtering the newest 500 evaluations in Python left an agent, or a site's
supervisor, with an empty list once other sites had evaluated 500 contacts since.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, true

from omnikpi.auth.scope import UNBOUNDED, Scope


@dataclass(frozen=True)
class Sight:
    """The caller's tenants and sites (:class:`Scope`) and, for an agent account, their
    own agent id: an agent sees only their own evaluations (agent ids repeat across an
    outsourcer's clients, hence the tenant as well)."""

    scope: Scope = UNBOUNDED
    agent_only: bool = False
    agent_id: str | None = None

    def __call__(self, tenant: str | None, site: str | None, agent_id: str | None) -> bool:
        """Whether a row with these values is visible."""
        in_scope = self.scope.unbounded or self.scope.allows(tenant, site)
        if self.agent_only:
            return in_scope and self.agent_id is not None and agent_id == self.agent_id
        return in_scope

    def clause(self, model: Any) -> ColumnElement[bool]:
        """The same test as a condition on a table with ``tenant``, ``site`` and
        ``agent_id`` columns (a missing tenant or site is not visible to a bounded
        caller, as in :meth:`Scope.allows`)."""
        if self.scope.nothing or (self.agent_only and self.agent_id is None):
            return false()
        terms: list[ColumnElement[bool]] = []
        if self.scope.tenants:
            terms.append(model.tenant.in_(self.scope.tenants))
        if self.scope.sites:
            terms.append(model.site.in_(self.scope.sites))
        if self.agent_only:
            terms.append(model.agent_id == self.agent_id)
        return and_(true(), *terms) if terms else true()


EVERYTHING = Sight()
"""The sight of an administrator (and of the command line)."""
