"""What a principal may see: the tenant and site bounds of each role, applied to the data.

Isolation is enforced where the data is read, not where it is displayed: a bounded
principal gets a *scoped dataset* whose tables are views that only hold their tenant's
(and sites') rows. Every report, drill-down, export, agent page and wallboard then runs on
those views, so no route can forget a filter. Tables are bounded

- by their own ``tenant`` / ``site`` column when they have one (contacts, agent_states,
  shifts, roster, costs, and any table a connector gave such a column);
- through their contact (messages, surveys, qa_evaluations) or evaluation (qa_items), or
  through the agent's shift in scope (shift_activities);
- dial attempts without a place of their own through their agent's at the instant they
  were dialed (the agent-state interval, else the roster), else their campaign's, as the
  reports cut them;
- otherwise they are empty for a bounded principal (e.g. availability without a tenant
  column): never shown unbounded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from omnikpi.auth.accounts import Principal
from omnikpi.instants import DAY_US
from omnikpi.schema.convert import quote, sql_str
from omnikpi.schema.database import catalog_of
from omnikpi.schema.dataset import Dataset, TableLoad
from omnikpi.schema.people import ROSTER_PRECEDENCE

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Scope:
    tenants: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    nothing: bool = False
    """Sees no row at all (a bounded role without a tenant, a request outside the scope)."""
    agent: str | None = None
    """Only this agent's own rows (:func:`own_scope`: an agent's own pages)."""

    @property
    def unbounded(self) -> bool:
        return not self.tenants and not self.sites and not self.nothing and not self.agent

    def bounds(self) -> dict[str, tuple[str, ...]]:
        return {k: v for k, v in (("tenant", self.tenants), ("site", self.sites)) if v}

    def allows(self, tenant: str | None, site: str | None = None) -> bool:
        """Whether a row with this tenant and site is visible (a missing value is not)."""
        if self.nothing:
            return False
        if self.tenants and tenant not in self.tenants:
            return False
        return not (self.sites and site not in self.sites)

    def key(self) -> str:
        parts: tuple[object, ...] = (self.tenants, self.sites, self.nothing)
        text = repr(parts if self.agent is None else (*parts, self.agent))
        return hashlib.sha1(text.encode()).hexdigest()[:12]


UNBOUNDED = Scope()


def scope_of(principal: Principal) -> Scope:
    if principal.role == "admin":
        return UNBOUNDED
    if principal.role == "supervisor":
        return Scope((principal.tenant,) if principal.tenant else (), principal.sites)
    # client viewers, agents and tenant-bound API keys: their tenant only
    if principal.tenant:
        return Scope((principal.tenant,), principal.sites)
    if principal.role in ("client", "agent"):
        # a bounded role without a tenant sees nothing rather than everything
        return Scope(nothing=True)
    return UNBOUNDED


def own_scope(principal: Principal) -> Scope | None:
    """An agent account's own rows (their ``agent_id`` in their tenant and sites), for the
    agent pages; None for other roles (they see what :func:`scope_of` allows)."""
    if principal.role != "agent":
        return None
    if not principal.agent_id or not principal.tenant:
        return Scope(nothing=True)
    return Scope((principal.tenant,), principal.sites, agent=principal.agent_id)


def viewer_scope(principal: Principal) -> Scope:
    """The rows an account is shown, on every page, API, wallboard and scheduled report:
    an agent's own (:func:`own_scope`), anyone else's :func:`scope_of`."""
    return own_scope(principal) or scope_of(principal)


def _literal_list(values: tuple[str, ...]) -> str:
    return ", ".join(sql_str(v) for v in values)


def _dial_places_sql(loaded: set[str]) -> str:
    """Each dial attempt's site and tenant: its agent's at the instant it was dialed —
    the agent-state interval it falls in, else the agent's roster row valid that UTC day
    (the first in ``ROSTER_PRECEDENCE``) —, else its campaign's when all the campaign's
    placed attempts share one, as ``engine/agent_place.py`` attributes it for the reports
    (``tests/unit/test_scope.py`` checks the two agree)."""
    day = f"(d.dialed_at // {DAY_US})"
    joins, sites, tenants = [], [], []
    if "agent_states" in loaded:
        joins.append('LEFT JOIN main.agent_states s ON s.agent_id = d.agent_id '
                     'AND s.start <= d.dialed_at AND d.dialed_at < s."end"')
        sites.append("s.site")
        tenants.append("s.tenant")
    if "roster" in loaded:
        joins.append("LEFT JOIN LATERAL (SELECT r.site, r.tenant FROM main.roster r "
                     f"WHERE r.agent_id = d.agent_id AND r.hired_on <= {day} AND "
                     f"(r.left_on IS NULL OR r.left_on >= {day}) "
                     f"ORDER BY {ROSTER_PRECEDENCE} LIMIT 1) r ON true")
        sites.append("r.site")
        tenants.append("r.tenant")
    site = f"coalesce({', '.join(sites)}, NULL)" if sites else "NULL"
    tenant = f"coalesce({', '.join(tenants)}, NULL)" if tenants else "NULL"
    placed = (f"SELECT d.attempt_id, d.campaign, {site} AS site, {tenant} AS tenant "
              f"FROM main.dial_attempts d {' '.join(joins)}")
    # an attempt without a place (no agent: the dialer reached nobody) takes its
    # campaign's when all the campaign's placed attempts share one
    filled = ", ".join(f"coalesce({d}, CASE WHEN min({d}) OVER w = max({d}) OVER w THEN "
                       f"min({d}) OVER w END) AS {d}" for d in ("site", "tenant"))
    return (f"SELECT attempt_id, {filled} FROM ({placed}) "
            "WINDOW w AS (PARTITION BY campaign)")


def _view_sql(name: str, load: TableLoad, scope: Scope, schema: str,
              loaded: set[str] | None = None) -> str:
    columns = set(load.columns)
    if scope.nothing:
        return f"SELECT * FROM main.{quote(name)} a WHERE false"
    if scope.agent is not None:
        return _own_view_sql(name, columns, scope, schema, loaded or set())
    if name == "dial_attempts" and not {"site", "tenant"} & columns:
        # no place of its own: its agent's when dialing, as the reports cut it
        bounds = " AND ".join(f"p.{quote(d)} IN ({_literal_list(v)})"
                              for d, v in scope.bounds().items()) or "true"
        return (f"SELECT * FROM main.{quote(name)} a WHERE a.attempt_id IN (SELECT "
                f"p.attempt_id FROM ({_dial_places_sql(loaded or set())}) p WHERE {bounds})")
    conditions = []
    unmatched = []
    for dimension, values in scope.bounds().items():
        if dimension in columns:
            conditions.append(f"{quote(dimension)} IN ({_literal_list(values)})")
        else:
            unmatched.append(dimension)
    if unmatched:
        conditions.append(_through_related(name, columns, schema))
    where = " AND ".join(conditions) or "true"
    return f"SELECT * FROM main.{quote(name)} a WHERE {where}"


def _own_view_sql(name: str, columns: set[str], scope: Scope, schema: str,
                  loaded: set[str]) -> str:
    """An agent's own rows: their agent id, in their tenant (and sites) or in none. A row
    whose tenant (site) is empty belongs to no tenant (agent time of a shared back office,
    a single-tenant dataset): it is the agent's when it carries their id. Tables without
    an agent id are seen through the agent's contacts, evaluations or shifts, else not.

    Agent ids repeat across an outsourcer's clients ("the agent id alone is not a
    scope"): a dial attempt, which has no tenant or site of its own, is placed where its
    agent worked when dialing (:func:`_dial_places_sql`, as for every bounded view). It
    was cut by the agent id alone, and a client's agent saw every attempt another client's
    agent of the same id had dialed."""
    assert scope.agent is not None
    conditions = []
    if name in ("contacts", "agent_states", "shifts", "roster", "qa_evaluations",
                "dial_attempts") and "agent_id" in columns:
        conditions.append(f"agent_id = {_literal_list((scope.agent,))}")
        for dimension, values in scope.bounds().items():
            if dimension in columns:
                conditions.append(f"({quote(dimension)} IN ({_literal_list(values)}) OR "
                                  f"{quote(dimension)} IS NULL)")
        placed = [f"(p.{quote(d)} IN ({_literal_list(v)}) OR p.{quote(d)} IS NULL)"
                  for d, v in scope.bounds().items() if d not in columns]
        if name == "dial_attempts" and placed:
            conditions.append(f"attempt_id IN (SELECT p.attempt_id FROM "
                              f"({_dial_places_sql(loaded)}) p WHERE {' AND '.join(placed)})")
        if name == "qa_evaluations" and "contact_id" in columns:
            conditions.append(f"contact_id IN (SELECT contact_id FROM {schema}.contacts)")
    else:
        conditions.append(_through_related(name, columns, schema))
    return f"SELECT * FROM main.{quote(name)} a WHERE {' AND '.join(conditions)}"


def _through_related(name: str, columns: set[str], schema: str) -> str:
    """A table that cannot be cut by the scope's own columns is seen through the rows it
    belongs to: a contact's, an evaluation's, a shift's, which the scope has already cut
    (``schema`` holds those scoped views); a table with none of them is not seen at all."""
    if "contact_id" in columns and name != "contacts":
        return f"contact_id IN (SELECT contact_id FROM {schema}.contacts)"
    if name == "qa_items":
        return f"evaluation_id IN (SELECT evaluation_id FROM {schema}.qa_evaluations)"
    if name == "shift_activities":
        return (f"EXISTS (SELECT 1 FROM {schema}.shifts s WHERE s.agent_id = a.agent_id "
                "AND a.start >= s.start AND a.\"end\" <= s.\"end\")")
    return "false"


def scoped_dataset(dataset: Dataset, scope: Scope) -> Dataset:
    """The dataset as ``scope`` may see it (the same object when unbounded).

    The views live in a schema of the same in-memory database (no copy of the data) and a
    separate cursor resolves table names there first.
    """
    if scope.unbounded:
        return dataset
    schema = f"scope_{scope.key()}"
    catalog = catalog_of(dataset.con)
    con = dataset.con.cursor()
    con.execute(f"USE {catalog}")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    order = ["contacts", "shifts", "qa_evaluations"]
    names = sorted(dataset.loads, key=lambda n: (order.index(n) if n in order else 9, n))
    made: set[str] = set()
    for name in names:
        load = dataset.loads[name]
        if not load.usable:
            # the whole dataset holds an empty stand-in for it: so does the viewer's
            con.execute(f"CREATE OR REPLACE VIEW {schema}.{quote(name)} AS "
                        f"SELECT * FROM main.{quote(name)} WHERE false")
            made.add(name)
            continue
        sql = _view_sql(name, load, scope, schema,
                        {n for n, one in dataset.loads.items() if one.usable})
        if any(f"{schema}.{related}" in sql for related in ("contacts", "shifts",
                                                            "qa_evaluations")
               if related not in made and related != name):
            # seen through a table that could not be read (contacts.csv unreadable): none
            # of its rows is known to be the viewer's, so none is shown — every page of a
            # bounded viewer answered with a traceback
            sql = f"SELECT * FROM main.{quote(name)} a WHERE false"
        con.execute(f"CREATE OR REPLACE VIEW {schema}.{quote(name)} AS {sql}")
        made.add(name)
    repeats = _repeat_contacts(con, dataset, scope, schema)
    con.execute(f"SET search_path = '{catalog}.{schema}'")
    # quarantine counts and problem rows describe every tenant's data: not for a bounded eye
    loads = {n: replace(load, rows_read=load.rows_loaded) for n, load in dataset.loads.items()}
    return Dataset(dataset.path, con, loads, [], 0, owner=dataset, repeat_contacts=repeats)


REPEAT_VIEW = "contacts_of_tenant"


def _repeat_contacts(con: duckdb.DuckDBPyConnection, dataset: Dataset, scope: Scope,
                     schema: str) -> str:
    """Where FCR looks for the repeats of a bounded viewer's questions: their own contacts
    for a tenant's viewer (whose contacts are the tenant's); every contact of their tenant
    (of every tenant when unbound: a repeat is of the same tenant anyway) for an agent or
    a site supervisor, whose customers' next calls reach colleagues. Only the figure is
    computed from them: no row of theirs is shown."""
    load = dataset.loads.get("contacts")
    if scope.nothing or (scope.agent is None and not scope.sites) or load is None \
            or not load.usable:
        return "contacts"
    where = f"tenant IN ({_literal_list(scope.tenants)})" \
        if scope.tenants and "tenant" in load.columns else "true"
    con.execute(f"CREATE OR REPLACE VIEW {schema}.{REPEAT_VIEW} AS "
                f"SELECT * FROM main.contacts WHERE {where}")
    return REPEAT_VIEW
