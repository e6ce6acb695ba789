"""IVR (voice-bot) sessions: the ``ivr`` source, and the ``contacts_ivr`` source of the
answered contacts with the IVR time of the session that led to them (catalog v1.2).

A session is booked at ``entered_at``. A session still in the IVR at as-of is left out:
its result is not known yet. Its queue is the queue of the contact it led to
(``contact_id``); its channel, site and tenant are its own when set, else that contact's.
``contacts`` is optional: without it, sessions have no queue and only their own channel,
site and tenant.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from omnikpi.engine.relations import without
from omnikpi.engine.sources import SourceRequest, book, contacts_source
from omnikpi.instants import MICROS_FLOAT

IVR_DIMENSIONS = ("channel", "site", "tenant", "queue")
"""What IVR sessions can be cut and filtered by."""
_OWN = ("channel", "site", "tenant")
"""Dimensions a session can carry itself (they win over its contact's)."""


def _ivr_seconds(sessions: ir.Table) -> ir.FloatingValue:
    """Time in the IVR, in seconds, from integer microseconds."""
    return (sessions.left_at - sessions.entered_at).cast("float64") / MICROS_FLOAT


def _with_contact(sessions: ir.Table, req: SourceRequest) -> ir.Table:
    """The queue of the contact each session led to; the session's own channel, site and
    tenant win over the contact's."""
    contacts = req.tables("contacts")
    c = contacts.select(
        __cid=contacts.contact_id, __c_queue=contacts.queue,
        **{f"__c_{d}": contacts[d] for d in _OWN},
    )
    j = sessions.left_join(c, sessions.contact_id == c.__cid)
    return without(j.mutate(
        queue=j.__c_queue, **{d: j[d].coalesce(j[f"__c_{d}"]) for d in _OWN},
    ), "__cid", "__c_queue", *[f"__c_{d}" for d in _OWN])


def ivr_source(req: SourceRequest) -> ir.Table:
    """IVR sessions finished by as-of, booked at ``entered_at``, with ``result`` in lower
    case, ``ivr_s`` (time in the IVR, seconds) and the dimensions of :data:`IVR_DIMENSIONS`."""
    s = req.tables("ivr_sessions")
    s = s.filter(s.left_at <= req.ctx.as_of_us)
    s = _with_contact(s.mutate(result=s.result.lower(), ivr_s=_ivr_seconds(s)), req)
    return book(s, s.entered_at, req)


def contacts_ivr_source(req: SourceRequest) -> ir.Table:
    """The contact facts (booked like ``contacts``), each with ``ivr_s``: the IVR time of
    the sessions that led to it (0 without one; several sessions of one contact add up).

    Sessions are not cut at as-of: a session leads to a contact before it arrives, and
    the contact's own as-of rule applies.
    """
    facts = contacts_source(req)
    s = req.tables("ivr_sessions")
    s = s.filter(s.contact_id.notnull())
    per_contact = s.group_by(__ivr_cid=s.contact_id).aggregate(__ivr_s=_ivr_seconds(s).sum())
    j = facts.left_join(per_contact, facts.contact_id == per_contact.__ivr_cid)
    return without(j.mutate(ivr_s=j.__ivr_s.fill_null(ibis.literal(0.0))), "__ivr_cid", "__ivr_s")
