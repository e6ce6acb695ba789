"""Accounts bound to a tenant, site or agent id that no row of the data holds.

``omnikpi users add NAME --role client --tenant Bank`` on data that says ``bank`` made an
account that logs in and sees empty pages, with nothing to say why: the command does not
read the data. The server does, so it says so at start; ``users add`` and ``users set``
say so at once when given ``--data``. A binding is only reported when the data has the
column at all — a tenant whose first rows have not arrived is no mistake yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnikpi.engine.filter_values import Unmatched, unmatched_filter_values
from omnikpi.schema.dataset import Dataset
from omnikpi.store.models import User


@dataclass(frozen=True)
class Binding:
    """What one account is bound to."""

    name: str
    tenant: str | None
    sites: tuple[str, ...]
    agent_id: str | None

    def values(self) -> dict[str, list[str]]:
        wanted = {"tenant": [self.tenant] if self.tenant else [], "site": list(self.sites),
                  "agent_id": [self.agent_id] if self.agent_id else []}
        return {dimension: values for dimension, values in wanted.items() if values}


def unmatched_bindings(dataset: Dataset, bindings: Iterable[Binding]
                       ) -> dict[str, list[Unmatched]]:
    """Per account name, the values it is bound to that no row holds (one query per
    dimension for all accounts together: a center has hundreds of agent accounts)."""
    bindings = list(bindings)
    wanted: dict[str, list[str]] = {}
    for binding in bindings:
        for dimension, values in binding.values().items():
            wanted.setdefault(dimension, []).extend(
                v for v in values if v not in wanted.get(dimension, []))
    missing = {(u.dimension, u.value): u for u in unmatched_filter_values(dataset, wanted)}
    found: dict[str, list[Unmatched]] = {}
    for binding in bindings:
        mine = [missing[(dimension, value)]
                for dimension, values in binding.values().items() for value in values
                if (dimension, value) in missing]
        if mine:
            found[binding.name] = mine
    return found


def account_bindings(session: Session) -> list[Binding]:
    """The bindings of every enabled account that has one."""
    users = session.scalars(select(User).where(User.disabled.is_(False)).order_by(
        User.username))
    return [Binding(u.username, u.tenant, tuple(s for s in (u.sites or "").split(",") if s),
                    u.agent_id) for u in users if u.tenant or u.sites or u.agent_id]


def warning_text(name: str, unmatched: list[Unmatched]) -> str:
    """One sentence for one account."""
    said = "; ".join(u.text() for u in unmatched)
    return (f"account {name!r} sees no figures: {said} (bound by omnikpi users add/set; "
            f"`omnikpi users set {name} --role …` binds it anew)")
