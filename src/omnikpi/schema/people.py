"""Whose site and tenant people's time belongs to (catalog v1.2), decided once at load.

An agent interval (``agent_states``) or a shift (``shifts``) belongs to the site and tenant
of its own columns when they are set, else to the agent's ``roster`` row valid on the
interval's day, else to none. Deciding it in the loaded views — not in each metric — means
every reader agrees: the agent-time metrics cut and filtered by site or tenant, a tenant's
scoped view (an outsourcer's client sees the agent time of its own agents), drill-downs and
the Spark engine, which reads the same views.

The day is the UTC day of the interval's start; an agent whose roster row changes site
at midnight in another zone is attributed by the UTC day (roster dates have no zone).
When two roster rows of an agent are valid the same day, the one hired latest wins; of
two hired the same day, the one still open (else the one left latest), then the site and
tenant in name order (:data:`ROSTER_PRECEDENCE`), so that one row gives both the site and
the tenant, the same row wherever a place comes from the roster.
"""

from __future__ import annotations

import duckdb

from omnikpi.instants import DAY_US
from omnikpi.schema.convert import quote
from omnikpi.schema.model import TableLoad

ATTRIBUTED = ("agent_states", "shifts")
PEOPLE_DIMENSIONS = ("site", "tenant")

ROSTER_PRECEDENCE = ("r.hired_on DESC, r.left_on IS NULL DESC, r.left_on DESC, "
                     "r.site IS NULL, r.site, r.tenant IS NULL, r.tenant")
"""The order of an agent's roster rows ``r`` valid on one day, the first giving the place.
Without the tie-break past ``hired_on``, two rows hired the same day were met in any
order: the site of one and the tenant of the other, and another pick in each reader.
``engine/agent_place.roster_precedence`` is the same order for the engine's queries."""


def attribute_people(con: duckdb.DuckDBPyConnection, loads: dict[str, TableLoad]) -> None:
    """Replace the views of agent states and shifts by views that fill a missing site or
    tenant from the roster (nothing to do without a usable roster)."""
    roster = loads.get("roster")
    if roster is None or not roster.usable:
        return
    for name in ATTRIBUTED:
        load = loads.get(name)
        if load is None or not load.usable:
            continue
        own = f"__{name}_own"
        con.execute(f"ALTER VIEW {quote(name)} RENAME TO {own}")
        day = f"CAST(floor(a.start / {DAY_US}) AS BIGINT)"
        filled = ", ".join(
            f"coalesce(a.{d}, (SELECT first(r.{d} ORDER BY {ROSTER_PRECEDENCE}) "
            f"FROM roster r WHERE r.agent_id = a.agent_id AND r.hired_on <= {day} "
            f"AND (r.left_on IS NULL OR r.left_on >= {day}))) AS {d}"
            for d in PEOPLE_DIMENSIONS
        )
        con.execute(f"CREATE VIEW {quote(name)} AS SELECT a.* REPLACE ({filled}) "
                    f"FROM {own} a")
