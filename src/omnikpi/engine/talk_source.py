"""Fact source of talk analytics: one row per analysed call recording, with its contact.

A row takes its contact's dimensions (queue, agent, site, …) and is booked when the call
ended (its arrival when the end is unknown). A row whose contact is not in the data has
no time to be booked at and is left out.
"""

from __future__ import annotations

import ibis.expr.types as ir

from omnikpi.engine.sources import SourceRequest, book
from omnikpi.schema.tables import CONTACT_DIMENSIONS

TALK_COLUMNS = ("duration_s", "agent_talk_s", "customer_talk_s", "silence_s",
                "longest_silence_s", "overtalk_s", "overtalk_count",
                "longest_agent_monologue_s")


def talk_source(req: SourceRequest) -> ir.Table:
    talk = req.tables("talk_analytics")
    contacts = req.tables("contacts")
    c = contacts.select(__cid=contacts.contact_id, arrived_at=contacts.arrived_at,
                        ended_at=contacts.ended_at,
                        **{d: contacts[d] for d in CONTACT_DIMENSIONS})
    j = talk.join(c, talk.contact_id == c.__cid)
    j = j.select("contact_id", *TALK_COLUMNS, "arrived_at", "ended_at",
                 *CONTACT_DIMENSIONS)
    return book(j, j.ended_at.coalesce(j.arrived_at), req)
