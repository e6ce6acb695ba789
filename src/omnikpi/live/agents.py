"""Agents now, one by one and counted: the wallboard's agent table and the agents
available / busy / not ready of each queue row."""

from __future__ import annotations

from typing import Any

import duckdb

from omnikpi.config import CHAT_CHANNELS, Config
from omnikpi.engine.timezones import to_datetime, zone
from omnikpi.instants import MICROS
from omnikpi.schema.convert import quote, sql_str

US = MICROS
BUSY_STATES = ("handling", "acw", "hold")


def unfinished_sql(now_us: int | None = None) -> str:
    """A contact nobody has ended or abandoned yet (as of ``now_us``; None: ever), and
    whose source has not closed it without an end: the queue_log connector writes a call
    Asterisk forgot (a restart's QUEUESTART) as outcome ``lost`` — final, its end unknown.
    Read as still going on, such a call was "waiting" on the wallboard for a day, and in
    the hand of an agent shown available.

    As of now, an end a few minutes ahead (ingest accepts instants up to 5 minutes after
    its clock) has not come yet: read as over, it took the contact out of "waiting" and
    out of its agent's hand while the so-far SL, computed as of now, still counted it
    unanswered."""
    return (f"({not_yet('ended_at', now_us)} AND {not_yet('abandoned_at', now_us)} "
            "AND coalesce(outcome, '') <> 'lost')")


def not_yet(column: str, now_us: int | None) -> str:
    """The instant ``column`` has not happened by ``now_us`` (None: it is not given)."""
    if now_us is None:
        return f"{column} IS NULL"
    return f"({column} IS NULL OR {column} > {now_us})"


UNFINISHED_SQL = unfinished_sql()
"""A contact whose life, as stored, is not over (whatever the instants say of now)."""


def session_capacity_sql(config: Config) -> str:
    """A chat session's configured capacity, SQL on ``contacts``: its queue's
    ``chat_capacity``, else its channel's, else NULL. The engine's rule
    (``engine/chat_sources.py`` ``_configured_capacity``, an Ibis expression the
    monitor's SQL cannot use), written on the same settings: the board held a chat agent
    to ``[agents] chat_capacity`` (4) where the report held them to their channel's 2,
    and "3 chats open, capacity 4" never fired ``agent_over_capacity``."""
    cases = [f"WHEN queue = {sql_str(q)} THEN {s.chat_capacity}"
             for q, s in config.queues.items() if s.chat_capacity]
    cases += [f"WHEN lower(channel) = {sql_str(c.lower())} THEN {s.chat_capacity}"
              for c, s in config.channels.items() if s.chat_capacity]
    return f"CASE {' '.join(cases)} END" if cases else "CAST(NULL AS INTEGER)"


def chat_capacity(agent: Any, sessions_capacity: int | None, channel: str | None,
                  config: Config) -> int:
    """An agent's chat capacity, in the engine's order (``metrics/chat.py``): the agent's
    own (``[agents.capacity]``), else the smallest configured for the queues (else
    channels) of the chats open now (``sessions_capacity``), else ``[agents]
    chat_capacity`` — with one step the board alone takes before that default: when no
    open chat's queue or channel sets one, the capacity configured for the channel of
    the agent's state (a report has no capacity for an agent without sessions; the board
    shows "0 of 2" for an idle chat agent whose channel allows 2, not "0 of 4")."""
    agents = config.agents
    if str(agent) in agents.capacity:
        return agents.capacity[str(agent)]
    if sessions_capacity is not None:
        return int(sessions_capacity)
    by_channel = {c.lower(): s.chat_capacity for c, s in config.channels.items()
                  if s.chat_capacity}
    return by_channel.get(str(channel or "").lower(), agents.chat_capacity)


def agent_list(con: duckdb.DuckDBPyConnection, now_us: int, tz: str,
               config: Config, every_queue: str = "contacts") -> list[dict[str, Any]]:
    """Every agent logged in now or busy with a contact: state, reason, since when,
    the contact in hand (its queue, channel, arrival: the one taken last), the queue and
    channel of every contact in hand (``held``: a chat agent holds several, of several
    queues, and is busy in each), chat sessions vs capacity, and for an agent in after-call
    work the queue and channel of the contact ended last (``wrapping``: the work is that
    queue's). ``every_queue`` names the contacts of every queue: on a board cut to some
    queues, an agent whose last call was of another queue wraps up that one's."""
    chat = ", ".join("'" + c + "'" for c in CHAT_CHANNELS)
    rows = con.execute(f"""
        WITH ordered AS (
            SELECT *, lag(state) OVER w AS before_state, lag("end") OVER w AS before_end
            FROM agent_states WHERE start <= {now_us}
            WINDOW w AS (PARTITION BY agent_id ORDER BY start)),
        spells AS (  -- not ready without a gap: a new reason (break, then lunch) goes on
                     -- with the same spell, as the not-ready alert judges it (a file's
                     -- states may overlap by the rounding of their ends)
            SELECT *, min(start) OVER (PARTITION BY agent_id, spell) AS spell_since
            FROM (SELECT *, sum(CASE WHEN state = 'not_ready'
                                      AND before_state = 'not_ready'
                                      AND before_end >= start THEN 0 ELSE 1 END)
                            OVER (PARTITION BY agent_id ORDER BY start) AS spell
                  FROM ordered)),
        now_state AS (  -- the latest state whole (arg_max skips NULLs: the
                        -- reason of an earlier state showed beside a later one)
            SELECT agent_id, state, reason, start AS since, channel, site, tenant,
                   spell_since
            FROM spells WHERE "end" >= {now_us}
            QUALIFY row_number() OVER (PARTITION BY agent_id ORDER BY start DESC) = 1),
        held_now AS (  -- a contact without a tenant is its agent's state's; one of a
                       -- tenant is that tenant's agent's (agent ids repeat across a
                       -- provider's clients: the bank's call held by the bank's support-01
                       -- made telco's support-01 busy on an unbounded board and fired its
                       -- alerts); a state without a tenant takes its contacts' tenants
            SELECT c.*, CASE WHEN s.agent_id IS NULL THEN c.tenant
                             WHEN c.tenant IS NULL OR s.tenant IS NULL THEN s.tenant
                             ELSE c.tenant END AS agent_tenant,
                   coalesce(c.tenant, s.tenant) AS own_tenant
            FROM (SELECT * FROM contacts
                  WHERE agent_id IS NOT NULL
                    AND coalesce(accepted_at, first_response_at) <= {now_us}
                    AND {unfinished_sql(now_us)}) c
            LEFT JOIN now_state s ON c.agent_id = s.agent_id),
        in_hand AS (
            SELECT agent_id, agent_tenant,
                   arg_max(queue, coalesce(accepted_at, first_response_at)) AS queue,
                   arg_max(channel, coalesce(accepted_at, first_response_at)) AS channel,
                   arg_max(arrived_at, coalesce(accepted_at, first_response_at))
                       AS arrived_at,
                   list(DISTINCT {{'queue': queue, 'channel': channel}}) AS held,
                   any_value(site) AS site, any_value(own_tenant) AS tenant,
                   count(*) FILTER (WHERE lower(channel) IN ({chat})) AS sessions,
                   min({session_capacity_sql(config)})
                       FILTER (WHERE lower(channel) IN ({chat})) AS capacity
            FROM held_now
            GROUP BY agent_id, agent_tenant),
        now_in_hand AS (
            SELECT coalesce(s.agent_id, h.agent_id) AS agent, s.state, s.reason, s.since,
                   coalesce(s.channel, h.channel), coalesce(s.site, h.site) AS site,
                   coalesce(s.tenant, h.tenant) AS tenant, h.queue,
                   h.channel AS contact_channel, h.arrived_at, coalesce(h.sessions, 0),
                   coalesce(h.held, []), h.capacity, s.spell_since
            FROM now_state s FULL JOIN in_hand h ON s.agent_id = h.agent_id
                 AND s.tenant IS NOT DISTINCT FROM h.agent_tenant
            WHERE coalesce(s.state, '') <> 'logged_out'),
        seen AS (
            SELECT n.*, CASE WHEN n.state = 'acw' THEN (
                       -- the agent of this tenant and site: agent ids repeat across a
                       -- provider's clients, and ``every_queue`` is read whole, not as
                       -- the viewer's scope (a side without one cannot tell and matches)
                       SELECT arg_max({{'queue': c.queue, 'channel': c.channel}},
                                      c.ended_at)
                       FROM {quote(every_queue)} c
                       WHERE c.agent_id = n.agent AND c.ended_at <= {now_us}
                         AND (c.tenant IS NULL OR n.tenant IS NULL
                              OR c.tenant = n.tenant)
                         AND (c.site IS NULL OR n.site IS NULL OR c.site = n.site))
                   END AS wrapping
            FROM now_in_hand n)
        SELECT * FROM seen ORDER BY agent, tenant""").fetchall()
    local = zone(tz)
    out = []
    for (agent, state, reason, since, channel, site, tenant, queue, contact_channel,
         arrived, sessions, held, capacity, spell_since, wrapping) in rows:
        in_state = (now_us - since) / US if since is not None else None
        out.append({
            "agent_id": agent, "state": state, "reason": reason, "channel": channel,
            "site": site, "tenant": tenant,
            "since": to_datetime(since).astimezone(local).isoformat() if since else None,
            "in_state_s": in_state,
            "not_ready_s": (now_us - spell_since) / US if state == "not_ready" else 0.0,
            "contact": None if queue is None else {
                "queue": queue, "channel": contact_channel,
                "waiting_since": to_datetime(arrived).astimezone(local).isoformat(),
                "waited_s": (now_us - arrived) / US},
            "held": sorted(held, key=lambda h: (str(h["queue"]), str(h["channel"]))),
            "wrapping": wrapping,
            "sessions": int(sessions),
            "capacity": chat_capacity(agent, capacity, channel, config),
            "adherence": None})
    return out


def by_state(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Agents counted by site, state and reason (the board's summary table).

    An agent holding a contact with no state reported (a platform that posts contacts but
    not states) counts as handling, as the queue rows count them busy: left out, the two
    tables of one board disagreed."""
    counts: dict[tuple[str, str, str], int] = {}
    for a in people:
        state = a["state"] or ("handling" if a["contact"] is not None else None)
        if state is not None:
            key = (a["site"] or "", state, a["reason"] or "")
            counts[key] = counts.get(key, 0) + 1
    return [{"site": s or None, "state": st, "reason": r or None, "agents": n}
            for (s, st, r), n in sorted(counts.items())]


def same_place(agent: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether an agent holding a contact of a queue row's queue is of the row's tenant and
    site: queue names repeat across tenants and sites (``sales`` of bank/kyiv and of
    telco/lviv), and a busy agent of one was counted busy for the other. A tenant or site
    unknown on either side (a dataset without them) cannot tell the two apart and
    matches."""
    return all(agent[k] is None or row.get(k) is None or agent[k] == row[k]
               for k in ("tenant", "site"))


def places(agent: dict[str, Any]) -> list[dict[str, Any]]:
    """The queues (and channels) an agent works for now: those of every contact in hand,
    else, in after-call work, that of the contact ended last (wrap-up belongs to the call
    just taken: counted for every queue of the channel, an agent wrapping up a sales call
    was busy on the support row too, and left off a board cut to sales); none for an agent
    free for any queue of the channel."""
    if agent["held"]:
        return list(agent["held"])
    if agent["state"] == "acw" and agent.get("wrapping"):
        return [agent["wrapping"]]
    return []


def agents_for(row: dict[str, Any], people: list[dict[str, Any]]) -> dict[str, int]:
    """Agents available / busy / not ready for a queue row: those of its tenant and site
    on its channel (agent states carry no queue; a state without a channel counts for
    every channel), and whoever of its tenant and site works for the queue (``places``) —
    for every queue they hold a contact of: a chat agent with chats of two queues counted
    busy only for the queue of the chat taken last, and a board cut to the other queue
    said busy 1 where the uncut board said 0. An agent counts once in the totals
    (``by_state``), whatever the rows."""
    out = {"agents_available": 0, "agents_busy": 0, "agents_not_ready": 0}
    for a in people:
        working = places(a)
        if any(p["queue"] == row["queue"] and p["channel"] == row["channel"]
               for p in working):
            mine = same_place(a, row)
        else:
            mine = all(a[k] in (None, row[k]) for k in ("tenant", "site", "channel")) \
                and not working
        if not mine:
            continue
        if a["state"] == "available":
            out["agents_available"] += 1
        elif a["state"] in BUSY_STATES or (a["state"] is None and a["held"]):
            out["agents_busy"] += 1
        elif a["state"] == "not_ready":
            out["agents_not_ready"] += 1
    return out
