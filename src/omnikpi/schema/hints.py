"""Loaded data that breaks no rule of the data model yet will not read as its owner
expects: `omnikpi validate` lists these hints after the problems (and `/data` shows them).

A problem quarantines a row; a hint changes nothing. It points at a column an export left
empty where the data model gives it a value, so that a KPI which reads 0 % is not taken
for the contact center's real figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from omnikpi.config import CHAT_CHANNELS, DEFAULT_MODES, VOICE_CHANNELS, Config
from omnikpi.instants import MICROS
from omnikpi.schema.convert import sql_str
from omnikpi.schema.model import Dataset
from omnikpi.schema.tables import ACTIVE_STATES, INBOUND_SQL


@dataclass(frozen=True)
class Hint:
    table: str
    rows: int
    """How many rows it concerns."""
    message: str
    values: tuple[str, ...] = ()
    """The values the message is about, where it needs them (the unknown channels)."""

    def __str__(self) -> str:
        named = f" ({', '.join(self.values)})" if self.values else ""
        return f"{self.table}: {self.rows} row(s){named}: {self.message}"


VOICE_WITHOUT_FIRST_RESPONSE = (
    "Voice contacts with accepted_at but no first_response_at count as not answered: they "
    "lower the answered count and the service level, and have no ASA or handle time. For "
    "voice, the data model gives first_response_at = accepted_at: set it in the export or "
    "the import mapping.")
"""A hint's text, an English sentence (the web page translates it)."""

FUTURE_ARRIVALS = (
    "Contacts arrive more than a day after the time of the check: a report's as-of is the "
    "data's latest event by default, so a wrong date (a clock, a year typed wrong) moves "
    "it and changes every figure that depends on it (service level, FCR). Correct the "
    "dates, or give reports an --as-of.")
"""Said of contacts dated in the future (one contact of 2034 moved e-mail SL from 100 %
to 93 %, and made FCR's every window look elapsed, without a word from validate)."""

REPLIED_AFTER_ABANDON = (
    "Contacts with abandoned_at before first_response_at count as answered: abandoned_at is "
    "when the customer left before a first response, so a reply recorded after the customer "
    "had gone (a chat answered into an empty window) makes a lost contact look answered. "
    "Clear first_response_at where nobody was left to read it, or abandoned_at where the "
    "customer stayed.")
"""Said of the chat platforms' "ghost answer": the catalog counts a contact answered by
its first response, so these rows lower the abandon rate and raise the answered count."""

UNKNOWN_CHANNELS = (
    "Contacts of a channel that is neither one OmniKPI knows (voice, video, callback, chat, "
    "messenger, email, social, sms, letter) nor declared in the configuration are read as "
    "continuous, with a 20-second service-level threshold. Declare the channel's mode and "
    "threshold in [channels.NAME] of the configuration, or map it to a known channel in "
    "the import.")
"""Said of a channel spelt the platform's way (``phone``, ``web-chat``): its contacts
are measured as a call would be, which is wrong for a discrete one."""

CONVERTED_NOT_RPC = (
    "Dial attempts marked converted are not right-party connects (no answer, a wrong "
    "party): sales counts every converted attempt, as the catalog defines it, but "
    "conversion_rate counts only converted right-party connects, so the two disagree. "
    "Correct the dialer's export, or clear converted where nobody was sold to.")

OVERLAPPING_ACTIVITIES = (
    "Scheduled activities of one agent overlap (a break laid over a work block): the "
    "schedule is read in layers, the shorter activity on top where two overlap (the break, "
    "not the work under it). If your tool meant something else, export the schedule as "
    "consecutive pieces (work 08:00–12:00, break 12:00–12:15, work 12:15–16:00).")

OVERLAPPING_EMPLOYMENT = (
    "Employment periods of one agent overlap in the roster: the agent is counted twice in "
    "headcount, which lowers attrition. End the earlier period (left_on) before the next "
    "hired_on.")

LEFT_WITHOUT_LEAVE_TYPE = (
    "Roster rows end an employment (left_on) without saying how (leave_type): attrition "
    "counts a leaver by the leave type (the types in leave_types; internal_move is no "
    "leaver), so these agents are not counted as having left. Give each one's leave_type "
    "(voluntary, involuntary, company_move or internal_move).")

LEAVE_TYPE_WITHOUT_LEFT = (
    "Roster rows give a leave_type but no left_on: the agent is read as still employed, "
    "counted in headcount and not as a leaver. Give the last day employed in left_on, or "
    "clear leave_type.")

STATES_WITHOUT_SHIFTS = (
    "Agent states of agents who have no shift at all in the schedule: adherence, "
    "conformance, shrinkage and utilization have no scheduled time for them, so they are "
    "left out of those figures (a team's counts the agents with a schedule only). Add "
    "their shifts, or leave them out of the state export if they are not scheduled.")

SURVEYS_NO_METRIC_READS = (
    "Survey answers of type cdsat or esat are read by no metric: CDSAT is the bottom box "
    "of the csat answers (bottom_box points of their own scale), and employee "
    "satisfaction comes from employee_surveys. Export a dissatisfaction question's "
    "answers as csat (their scale places them in the bottom box), an employee survey's "
    "in employee_surveys (scores on its 1–10 scale).")
"""Said of a survey type the data model allows and no metric reads: a platform with a
separate dissatisfaction question exported as ``cdsat`` had CDSAT read from its csat
answers only, and its own answers counted nowhere without a word."""

REPEATED_ANSWERS = (
    "Survey answers repeated row for row (the same contact or person, survey, instant and "
    "score): each copy counts as another answer in the satisfaction figures and their "
    "response counts. An export read twice, or windows that overlap, repeat lines: "
    "remove the copies, or bring the files in with omnikpi import, which keeps each "
    "answer once.")
"""Said of survey rows equal in every column the answer is (no rule refuses them: a
survey answer has no id): two copies of a 1-point CSAT answer halved a small team's
figure without a word. Counted as the copies beyond the first."""

MESSAGES_WITHOUT_CONTACT = (
    "Messages of contacts that are not among the loaded contacts (missing from the "
    "contacts export, or quarantined): the response times (ART, first and in-session) "
    "read a conversation's messages with its contact, so these count nowhere. Export the "
    "contacts of the same period, or correct the contact_id the messages carry.")
"""Said of a messages export whose conversations the contacts export lacks (a shorter
window, another id form): ART read 40 s of one chat and left the other half of the
messages out without a word."""

CHATS_WITHOUT_STATES = (
    "Chat and messenger sessions outside their agent's active time (no available, "
    "handling, hold or acw state covers them, or the agent has no state at all): the chat "
    "occupancy and concurrency metrics count a session only while its agent is active, so "
    "this session time counts nowhere. Add the missing states to the agent-state export, "
    "or check that both exports name agents alike and keep the same clock.")
"""Said of chat sessions the state export does not cover (another id form, a bot account,
states cut short): counted against no active time, they read a center's absolute chat
occupancy 117 % with one such agent, and 400 % for an agent with two chats and 15
minutes of states; the metrics now leave that time out, and this counts the sessions
concerned."""

_OVERLAPS = (
    "SELECT count(*) FROM (SELECT {lo} AS lo, max({hi}) OVER (PARTITION BY agent_id "
    "ORDER BY {lo}, {hi} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before "
    "FROM {table}) WHERE lo {cmp} before")
"""Rows of one agent that begin before an earlier row of the agent has ended."""

_REPEATS = ("SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {table} "
            "GROUP BY {key} HAVING count(*) > 1)")
"""The copies beyond the first of rows equal in ``key`` (NULLs group together)."""

_ACTIVE_LIST = ", ".join(sql_str(s) for s in ACTIVE_STATES)
_CHATS_OUTSIDE_ACTIVE_TIME = (
    "WITH c AS (SELECT contact_id, agent_id, tenant, site, ended_at AS s1, "
    f"({INBOUND_SQL}) AS inbound, coalesce(accepted_at, first_response_at) AS worked, "
    "first_response_at, arrived_at, coalesce(blocked, false) AS blocked FROM contacts "
    "WHERE lower(channel) IN ({chats}) AND agent_id IS NOT NULL), "
    "s AS (SELECT contact_id, agent_id, tenant, site, s1, CASE WHEN inbound THEN worked "
    "ELSE coalesce(worked, arrived_at) END AS s0 FROM c WHERE NOT inbound OR "
    "(first_response_at IS NOT NULL AND NOT blocked)), "
    "a AS (SELECT agent_id, tenant, site, \"start\" AS a0, "
    "coalesce(\"end\", 9223372036854775807) AS a1 "
    f"FROM agent_states WHERE lower(state) IN ({_ACTIVE_LIST})) "
    "SELECT count(*) FROM (SELECT s.contact_id, min(s.s1 - s.s0) AS span, "
    "coalesce(sum(least(s.s1, a.a1) - greatest(s.s0, a.a0)) FILTER (WHERE a.a0 IS NOT "
    "NULL), 0) AS inside FROM s "
    "LEFT JOIN a ON a.agent_id = s.agent_id AND a.a0 < s.s1 AND a.a1 > s.s0 "
    "AND (s.tenant IS NULL OR a.tenant IS NULL OR s.tenant = a.tenant) "
    "AND (s.site IS NULL OR a.site IS NULL OR s.site = a.site) "
    "WHERE s.s1 > s.s0 GROUP BY s.contact_id) WHERE inside < span"
).replace("{chats}", ", ".join(sql_str(c) for c in CHAT_CHANNELS))
"""Ended chat sessions not wholly inside their agent's active states, by the engine's
rule (``engine/chat_sources``): a session is an answered inbound chat from its acceptance
(else its first response), or the agent's own outbound one from when it was made, to its
end; it counts in the active states of its client and site, or of none. A session still
open is not judged (its end is as-of's, which validation has not). An agent's states do
not overlap (validation quarantines those that do). A session no state meets is wholly
outside: ``least`` and ``greatest`` skip NULL, so the unmatched row is filtered out of
the sum rather than read as covering the session."""

_TABLE_HINTS = (
    ("dial_attempts", "SELECT count(*) FROM dial_attempts WHERE converted AND NOT "
     "(lower(result) = 'connected' AND coalesce(right_party, false))", CONVERTED_NOT_RPC),
    ("shift_activities", _OVERLAPS.format(lo='"start"', hi='"end"', cmp="<",
                                          table="shift_activities"), OVERLAPPING_ACTIVITIES),
    # left_on is the last day employed (inclusive); none yet: employed for ever
    ("roster", _OVERLAPS.format(lo="hired_on", hi="coalesce(left_on, 999999999)", cmp="<=",
                                table="roster"), OVERLAPPING_EMPLOYMENT),
    ("roster", "SELECT count(*) FROM roster WHERE left_on IS NOT NULL AND "
     "nullif(trim(leave_type), '') IS NULL", LEFT_WITHOUT_LEAVE_TYPE),
    ("roster", "SELECT count(*) FROM roster WHERE left_on IS NULL AND "
     "nullif(trim(leave_type), '') IS NOT NULL", LEAVE_TYPE_WITHOUT_LEFT),
    ("surveys", "SELECT count(*) FROM surveys WHERE lower(survey) IN ('cdsat', 'esat')",
     SURVEYS_NO_METRIC_READS),
    ("surveys", _REPEATS.format(key="contact_id, customer_id, survey, answered_at, score",
                                table="surveys"), REPEATED_ANSWERS),
    ("employee_surveys", _REPEATS.format(key="agent_id, dimension, answered_at, score",
                                         table="employee_surveys"), REPEATED_ANSWERS),
)
"""(table, a query counting its rows concerned, what it means): data no rule refuses —
the shapes are legal — that makes two metrics disagree or counts time twice."""

UNKNOWN_CHANNELS_NAMED = 10
"""Unknown channels named in the hint, the most frequent first."""

_VOICE_LIST = ", ".join(f"'{c}'" for c in VOICE_CHANNELS)

_CONTACT_HINTS = (
    (f"lower(channel) IN ({_VOICE_LIST}) AND accepted_at IS NOT NULL "
     f"AND first_response_at IS NULL AND {INBOUND_SQL}",
     VOICE_WITHOUT_FIRST_RESPONSE),
    ("abandoned_at < first_response_at", REPLIED_AFTER_ABANDON),
)
"""(condition on a loaded contact, what it means): the voice rule comes from
``data-model.md`` ("first_response_at … voice: same as accepted_at"). An outbound call
is left out: nobody waits on it, and it is handled work from its acceptance without a
first response (docs/decisions.md)."""


def data_hints(dataset: Dataset, now: datetime | None = None,
               config: Config | None = None) -> list[Hint]:
    """Every hint about the loaded rows (the quarantined ones are problems already);
    ``now``: the time of the check (the clock's by default); ``config``: the channels it
    declares are known ones."""
    found = [Hint(table, count, message) for table, query, message in _TABLE_HINTS
             if dataset.has(table) and (count := _count(dataset, query))]
    if dataset.has("agent_states") and dataset.has("shifts"):
        unscheduled = _count(dataset, "SELECT count(*) FROM agent_states WHERE agent_id "
                                      "NOT IN (SELECT agent_id FROM shifts)")
        if unscheduled:
            found.append(Hint("agent_states", unscheduled, STATES_WITHOUT_SHIFTS))
    if not dataset.has("contacts"):
        return found
    if dataset.has("agent_states"):
        outside = _count(dataset, _CHATS_OUTSIDE_ACTIVE_TIME)
        if outside:
            found.append(Hint("contacts", outside, CHATS_WITHOUT_STATES))
    if dataset.has("messages"):
        orphans = _count(dataset, "SELECT count(*) FROM messages WHERE contact_id NOT IN "
                                  "(SELECT contact_id FROM contacts WHERE contact_id IS NOT "
                                  "NULL)")
        if orphans:
            found.append(Hint("messages", orphans, MESSAGES_WITHOUT_CONTACT))
    moment = now or datetime.now(UTC)
    tomorrow = int(moment.timestamp() * MICROS) + 86_400 * MICROS
    hints = (*_CONTACT_HINTS, (f"arrived_at > {tomorrow}", FUTURE_ARRIVALS))
    conditions = [condition for condition, _ in hints]
    counts = dataset.con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {c})" for c in conditions)
        + " FROM contacts").fetchone()
    assert counts is not None
    found = [Hint("contacts", int(count), message)
             for count, (_, message) in zip(counts, hints, strict=True) if count] + found
    unknown = _unknown_channels(dataset, config or Config())
    if unknown:
        found.append(Hint("contacts", sum(n for _, n in unknown), UNKNOWN_CHANNELS,
                          tuple(name for name, _ in unknown[:UNKNOWN_CHANNELS_NAMED])))
    return found


def _count(dataset: Dataset, query: str) -> int:
    row = dataset.con.execute(query).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _unknown_channels(dataset: Dataset, config: Config) -> list[tuple[str, int]]:
    """(channel, contacts) of every channel neither known nor configured, most first; a
    contact of a queue the configuration sets is measured as that queue says."""
    known = ", ".join(sql_str(c) for c in sorted(set(DEFAULT_MODES) | set(config.channels)))
    queues = " AND ".join(f"queue <> {sql_str(q)}" for q in sorted(config.queues)) or "true"
    rows = dataset.con.execute(
        f"SELECT channel, count(*) AS n FROM contacts WHERE channel NOT IN ({known}) "
        f"AND (queue IS NULL OR ({queues})) GROUP BY channel ORDER BY n DESC, channel"
    ).fetchall()
    return [(str(name), int(n)) for name, n in rows]
