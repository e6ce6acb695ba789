"""The site and tenant an agent worked for at an instant: where a dial attempt belongs.

A dial attempt has no site or tenant of its own, yet its rates divide by agent time that
has them (catalog v1.2: the agent-time metrics — attempts and right-party contacts per
hour among them — are cut and filtered by site and tenant). The attempt belongs where its
agent's time was at that instant: the agent-state interval it falls in (whose site and
tenant are its own columns, else the roster's, :mod:`omnikpi.schema.people`), else the
agent's roster row valid that UTC day (the first in :func:`roster_precedence`), else
none. So an attempt and the hour it was made in are counted in the same row, and a site's
attempts per hour divide its own attempts by its own hours (the attempts were the empty
group's: "can be cut only by agent_id").

A predictive dialer's attempts that reached nobody (no answer, busy, a failure) have no
agent, so no place: the client of an outsourcer saw only its connected attempts, a
connection rate of 100 % and a dialer abandon rate of 0 %. Such an attempt takes its
campaign's place when the campaign's placed attempts all share one (a campaign is dialed
for one client); a campaign dialed for several keeps its agent-less attempts unplaced.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.engine.sources import SourceRequest
from omnikpi.instants import DAY_US

PLACE = ("site", "tenant")


def roster_precedence(hired: ir.Column, left: ir.Column, site: ir.Column,
                      tenant: ir.Column) -> list[ir.Value]:
    """The order of an agent's roster rows valid on one day, the first giving the place:
    hired latest, then still open (else left latest), then site and tenant by name —
    ``schema/people.ROSTER_PRECEDENCE`` in the engine's terms, so that every reader
    picks the same row. Missing values are ordered by their own keys (engines place
    nulls differently)."""
    return [ibis.desc(hired), ibis.desc(left.isnull()), ibis.desc(left), site.isnull(),
            site, tenant.isnull(), tenant]


def with_agent_place(t: ir.Table, at: str, row_id: str, req: SourceRequest) -> ir.Table:
    """``t`` (with ``agent_id``, the instant column ``at`` and the unique ``row_id``)
    with ``site`` and ``tenant`` of its agent at that instant."""
    states = req.tables("agent_states")
    s = states.select(__s_agent=states.agent_id, __s_from=states.start,
                      __s_to=states.end, __s_site=states.site, __s_tenant=states.tenant)
    j = t.left_join(s, [t.agent_id == s.__s_agent, s.__s_from <= t[at], t[at] < s.__s_to])
    roster = req.tables("roster")
    r = roster.select(__r_agent=roster.agent_id, __r_hired=roster.hired_on,
                      __r_left=roster.left_on, __r_site=roster.site,
                      __r_tenant=roster.tenant)
    day = j[at] // DAY_US
    j = j.left_join(r, [j.agent_id == r.__r_agent, r.__r_hired <= day,
                        r.__r_left.isnull() | (r.__r_left >= day)])
    # one row per record: the interval it falls in is one (overlaps are quarantined at
    # load), the roster row valid that day the first in roster_precedence
    first = ibis.window(group_by=j[row_id], order_by=roster_precedence(
        j.__r_hired, j.__r_left, j.__r_site, j.__r_tenant))
    j = j.mutate(__place_rank=ibis.row_number().over(first))
    j = j.filter(j.__place_rank == 0)
    placed = j.mutate(site=j.__s_site.coalesce(j.__r_site),
                      tenant=j.__s_tenant.coalesce(j.__r_tenant))
    return placed.select(*[c for c in t.columns if c not in PLACE], *PLACE)


def with_dial_place(d: ir.Table, req: SourceRequest) -> ir.Table:
    """Dial attempts with their ``site`` and ``tenant``: their agent's when dialed
    (:func:`with_agent_place`), else their campaign's when all of its placed attempts share
    one (``auth/scope.py`` gives a bounded user's view the same rows)."""
    placed = with_agent_place(d, "dialed_at", "attempt_id", req)
    campaign = ibis.window(group_by=placed.campaign)
    filled = {}
    for dimension in PLACE:
        value = placed[dimension]
        least, most = value.min().over(campaign), value.max().over(campaign)
        filled[dimension] = value.coalesce(ibis.ifelse(least == most, least,
                                                       ibis.null(value.type())))
    return placed.mutate(**filled)
