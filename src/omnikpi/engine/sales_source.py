"""Sales: inbound contacts closed with a sale and converted outbound attempts, one row each.

The catalog's ``sales`` adds the two kinds; a row says which kind it is, so one source
serves sales, sales per hour and (through the contact rows) cross-selling. Contacts are
booked at their end (when the sale was made), dial attempts when dialed. A dial attempt
has no queue, site or tenant of its own: cut by those, its sales fall in the empty group.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.engine.contact_facts import contact_facts
from omnikpi.engine.sources import SourceRequest, book

_COLUMNS = ("agent_id", "channel", "queue", "site", "tenant", "kind", "outcome")


def sales_source(req: SourceRequest) -> ir.Table:
    facts = contact_facts(req.tables("contacts"), req.ctx)
    inbound = facts.filter(
        facts.handled & facts.received)
    contacts = book(inbound.mutate(kind=ibis.literal("contact"),
                                   outcome=inbound.outcome.lower()), inbound.end, req)
    dials = req.tables("dial_attempts")
    converted = dials.filter(dials.converted.fill_null(False))
    converted = converted.mutate(
        kind=ibis.literal("dial"), outcome=ibis.null("string"), channel=ibis.literal("voice"),
        queue=ibis.null("string"), site=ibis.null("string"), tenant=ibis.null("string"))
    attempts = book(converted, converted.dialed_at, req)
    keep = [*_COLUMNS, "__key"]
    return ibis.union(contacts.select(*keep), attempts.select(*keep), distinct=False)
