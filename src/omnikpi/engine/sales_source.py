"""Sales: inbound contacts closed with a sale and converted outbound attempts, one row each.

The catalog's ``sales`` adds the two kinds; a row says which kind it is, so one source
serves sales, sales per hour and (through the contact rows) cross-selling. Contacts are
booked at their end (when the sale was made), dial attempts when dialed. A dial attempt
has no queue of its own: cut by queue, its sales fall in the empty group; its site and
tenant are its agent's at that instant (:mod:`omnikpi.engine.agent_place`), as for the
hours sales per hour divides by.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.engine.agent_place import with_dial_place
from omnikpi.engine.contact_facts import contact_facts
from omnikpi.engine.sources import SourceRequest, book

_COLUMNS = ("kind", "contact_id", "attempt_id", "campaign", "agent_id", "channel", "queue",
            "ended_at", "dialed_at", "outcome", "site", "tenant")
"""A row's kind, the record it is (a drill-down lists which contact or attempt made each
sale, and when), and what it can be cut by."""


def sales_source(req: SourceRequest) -> ir.Table:
    facts = contact_facts(req.tables("contacts"), req.ctx)
    inbound = facts.filter(
        facts.handled & facts.received)
    dials = req.tables("dial_attempts")
    contacts = book(inbound.mutate(
        kind=ibis.literal("contact"), outcome=inbound.outcome.lower(),
        attempt_id=ibis.null("string"), campaign=ibis.null("string"),
        dialed_at=ibis.null().cast(dials.dialed_at.type())), inbound.end, req)
    # placed among all the campaign's attempts, then the sales kept
    placed = with_dial_place(dials, req)
    converted = placed.filter(placed.converted.fill_null(False))
    converted = converted.mutate(
        kind=ibis.literal("dial"), outcome=ibis.literal("converted"),
        channel=ibis.literal("voice"), contact_id=ibis.null("string"),
        ended_at=ibis.null().cast(inbound.ended_at.type()), queue=ibis.null("string"))
    attempts = book(converted, converted.dialed_at, req)
    keep = [*_COLUMNS, "__key"]
    return ibis.union(contacts.select(*keep), attempts.select(*keep), distinct=False)
