"""First-contact resolution over chains of contacts of the same customer.

Every handled contact with a customer is a question (also one that is itself a repeat),
except a transfer leg (a contact with a ``parent_id``): that is the question continuing,
neither a question nor a repeat of its own. A question is repeated when another offered
contact of that customer of the same tenant (customer ids are each client's own; same
topic if topics are matched; a missing topic matches any)
arrives after it arrived and no later than the window after it ended. A question that was
transferred (``transferred``, or a leg points at it) was not resolved at first contact
(catalog v1.2, ``transfer_breaks_fcr``). Questions whose window has not elapsed by as-of
are left out: their answer is not known yet.
"""

from __future__ import annotations

import ibis.expr.types as ir

from omnikpi.engine.contact_facts import contact_facts
from omnikpi.engine.grains import key_expr
from omnikpi.engine.relations import without
from omnikpi.engine.sources import KEY, SourceRequest

HOUR_US = 3_600_000_000


def fcr_source(req: SourceRequest) -> ir.Table:
    params = dict(req.params)
    window_us = round(float(str(params["window_hours"])) * HOUR_US)
    match_topic = bool(params["match_topic"])
    transfer_breaks = bool(params.get("transfer_breaks_fcr", True))
    ctx = req.ctx
    facts = contact_facts(req.tables("contacts"), ctx)
    # repeats and transfer legs of the viewer's questions, wherever they went (an agent's
    # own login sees only their contacts; the customer's next call reached a colleague)
    wide = facts if ctx.repeat_contacts == "contacts" else \
        contact_facts(req.tables(ctx.repeat_contacts), ctx)
    questions = facts.filter(
        facts.handled & facts.customer_id.notnull() & facts.parent_id.isnull()
        & (facts.end + window_us <= ctx.as_of_us)
    )
    if ctx.from_us is not None:
        questions = questions.filter(questions.end >= ctx.from_us)
    if ctx.to_us is not None:
        questions = questions.filter(questions.end < ctx.to_us)
    # a leg continues its chain's question, whichever leg of the chain it follows (the
    # second transfer's leg points at the first leg, not at the question): never a repeat
    later = wide.filter(wide.offered & wide.customer_id.notnull()
                        & wide.parent_id.isnull()).select(
        r_id=wide.contact_id, r_customer=wide.customer_id, r_topic=wide.topic,
        r_arr=wide.arr, r_tenant=wide.tenant.fill_null(""),
    )
    q = questions.select(q_id=questions.contact_id, q_customer=questions.customer_id,
                         q_topic=questions.topic, q_arr=questions.arr, q_end=questions.end,
                         q_tenant=questions.tenant.fill_null(""))
    # a customer id is the client's own: a bank's cust02174 calling again is a repeat, the
    # telco's cust02174 is someone else (an outsourcer's bank FCR counted telco's calls)
    conditions = [
        q.q_customer == later.r_customer,
        q.q_tenant == later.r_tenant,
        later.r_id != q.q_id,
        later.r_arr > q.q_arr,
        later.r_arr <= q.q_end + window_us,
    ]
    if match_topic:
        conditions.append(
            q.q_topic.isnull() | later.r_topic.isnull() | (q.q_topic == later.r_topic)
        )
    pairs = q.join(later, conditions).select("q_id").distinct()
    marked = questions.left_join(pairs, questions.contact_id == pairs.q_id)
    marked = marked.mutate(repeated=marked.q_id.notnull()).drop("q_id")
    # a leg continues a question of its own tenant: a bank's contact naming the telco's
    # as its parent (any client's API key may post a parent id) broke the telco's FCR
    legs = wide.filter(wide.parent_id.notnull()).select(
        l_parent=wide.parent_id, l_tenant=wide.tenant.fill_null("")).distinct()
    marked = marked.left_join(legs, (marked.contact_id == legs.l_parent)
                              & (marked.tenant.fill_null("") == legs.l_tenant))
    marked = without(marked.mutate(
        was_transferred=marked.is_transferred | marked.l_parent.notnull()),
        "l_parent", "l_tenant")
    broken = marked.was_transferred if transfer_breaks else False
    marked = marked.mutate(unresolved_first=marked.repeated | broken)
    key = key_expr(ctx.grain, marked.end, ctx.offsets, ctx.nonnegative_keys)
    return marked.mutate(**{KEY: key})


