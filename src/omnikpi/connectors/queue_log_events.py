"""Every queue_log event the connector knows: what a line of it becomes, and its place among
the lines written in the same second.

One table drives the reader (an event not in it is rejected as unknown), the order of the
lines (``queue_log_order``), the import summary (each line is a contact event, an agent
event, an ignored known event or a reject) and the table of ``docs/connectors.md``.
Sources of the shapes: ``docs/spec/asterisk-queue-log.md`` (Asterisk 1.2 → 22, Wazo/XiVO),
Wazo's ``WRAPUPSTART`` patch of app_queue and its agent daemon (``AGENTCALLBACKLOGIN``),
QueueMetrics-style ``PAUSEREASON`` lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

CONTACT = "contact event"
AGENT = "agent event"
IGNORED = "ignored"


class Slot(IntEnum):
    """Order of lines written in the same second, whatever their order in the file.

    A logoff before a login (a relog in one second ends logged in), both before the calls;
    unpauses before pauses (a pause code changed in one second ends paused with the new
    code), both after the calls (a pause right after a call's end is a pause).
    """

    SYSTEM = 0
    LOGOFF = 1
    LOGIN = 2
    CALL = 3
    UNPAUSE = 4
    PAUSE = 5
    MEMBER = 6
    UNKNOWN = 7


@dataclass(frozen=True)
class EventSpec:
    name: str
    kind: str
    slot: Slot
    rank: int
    """Order within the slot: for one call, arrival before ring, answer, end, wrap-up."""
    becomes: str
    opens: bool = False
    """Opens a visit (for the order of one call's visits in one second)."""
    closes: bool = False


def _specs() -> tuple[EventSpec, ...]:
    c, a, i = CONTACT, AGENT, IGNORED
    S = Slot
    return (
        EventSpec("QUEUESTART", c, S.SYSTEM, 0,
                  "Asterisk (re)started: open visits end as `lost` (counted in the "
                  "summary), every agent is logged out until its next line (with "
                  "`--persistent-members`: stays logged in, its calls and wrap-up over)"),
        EventSpec("CONFIGRELOAD", i, S.SYSTEM, 1, "nothing (configuration reloaded)"),
        EventSpec("REMOVEMEMBER", a, S.LOGOFF, 0,
                  "the member leaves that queue; `logged_out` once it is in no queue"),
        EventSpec("AGENTLOGOFF", a, S.LOGOFF, 1,
                  "`logged_out` (queue `NONE`: of every queue; a queue named, "
                  "QueueMetrics-style: of that queue)"),
        EventSpec("AGENTCALLBACKLOGOFF", a, S.LOGOFF, 1, "as AGENTLOGOFF (Wazo writes it)"),
        EventSpec("AGENTLOGIN", a, S.LOGIN, 0,
                  "logged in (`available`); data1, the agent's channel "
                  "(`SIP/1001-0000002a`), makes the interface `SIP/1001` this agent"),
        EventSpec("AGENTCALLBACKLOGIN", a, S.LOGIN, 0,
                  "logged in (Wazo's agent login, ≤ 1.4 callback agents); an ADDMEMBER "
                  "of one `Local/` interface within 2 s makes that interface this agent"),
        EventSpec("ADDMEMBER", a, S.LOGIN, 1,
                  "logged in, member of that queue (agent field: the member name or the "
                  "interface); data1 `PAUSED`: added paused (`not_ready`, `unspecified`)"),
        EventSpec("DID", i, S.CALL, 0, "nothing (the dialled number, written by dialplan)"),
        EventSpec("INFO", i, S.CALL, 0, "nothing (a dialplan annotation)"),
        EventSpec("ENTERQUEUE", c, S.CALL, 1,
                  "a new contact (visit) `callid@queue`: `arrived_at`, `customer_id` = "
                  "data2 (caller id); `parent_id` = the call's previous visit when that one "
                  "ended with a transfer, an exit or COMPLETE* in another queue",
                  opens=True),
        *(EventSpec(name, c, S.CALL, 1,
                    f"a blocked contact (`blocked`, outcome `{name.lower()}`): the caller was "
                    "refused before queueing (Wazo dialplan)")
          for name in ("FULL", "JOINEMPTY", "CLOSED", "DIVERT_CA_RATIO", "DIVERT_HOLDTIME")),
        EventSpec("RINGNOANSWER", a, S.CALL, 2,
                  "the member (logged in by it) rang data1 milliseconds before this line "
                  "without answering: that ring is `not_ready`/`ringing`, not available"),
        EventSpec("RINGCANCELED", a, S.CALL, 2, "as RINGNOANSWER (ring cut short)"),
        EventSpec("CONNECT", c, S.CALL, 3,
                  "answered: `accepted_at` = `first_response_at`, `agent_id` (agent `NONE`: "
                  "none); the agent is `handling` until the end, and the ringtime "
                  "seconds before it (third field, 1.6+) are `not_ready`/`ringing`"),
        *(EventSpec(name, c, S.CALL, 4,
                    f"the answered contact ends (`ended_at`, outcome `{name.lower()}`"
                    + (", `transferred`" if "TRANSFER" in name else "") + ")", closes=True)
          for name in ("COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER",
                       "ATTENDEDTRANSFER")),
        EventSpec("AGENTDUMP", c, S.CALL, 2,
                  "the member hung up on its announcement before the call was bridged "
                  "(written before any CONNECT): the visit goes on, the caller still "
                  "waiting (usually answered by the next ring)"),
        EventSpec("SYSCOMPAT", c, S.CALL, 4,
                  "the call was dropped before it was bridged (channels that could not be "
                  "made compatible; written before any CONNECT): the visit ends unanswered "
                  "(`ended_at`, outcome `syscompat`; not an abandon: the caller did not "
                  "hang up). The ABANDON Asterisk writes right after it is ignored, "
                  "counted as `ABANDON after SYSCOMPAT`", closes=True),
        EventSpec("ABANDON", c, S.CALL, 4,
                  "the caller hung up waiting: `abandoned_at` (with or without a member "
                  "in the agent field)", closes=True),
        *(EventSpec(name, c, S.CALL, 4,
                    f"left the queue unanswered, not an abandon (`ended_at`, outcome "
                    f"`{name.lower()}`)", closes=True)
          for name in ("EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "WITHDRAW")),
        EventSpec("LEAVEEMPTY", c, S.CALL, 5,
                  "Wazo's name for EXITEMPTY: ends the visit as `leaveempty`; right after "
                  "the visit's EXITEMPTY it is the same exit written twice (ignored, "
                  "counted as `LEAVEEMPTY after EXITEMPTY`)", closes=True),
        EventSpec("WRAPUPSTART", a, S.CALL, 6,
                  "wrap-up after the call (Wazo): the agent is `acw` for data1 seconds from "
                  "the call's end (cut short by its next call or a logoff), the contact "
                  "gets `acw_seconds` = data1"),
        EventSpec("OUTCALL", i, S.CALL, 3, "nothing (an outbound call written by dialplan)"),
        EventSpec("UNPAUSEALL", a, S.UNPAUSE, 0,
                  "pause over in every queue (a static member: logged in; after a logoff: "
                  "nothing more)"),
        EventSpec("UNPAUSE", a, S.UNPAUSE, 1, "pause over in that queue (as UNPAUSEALL)"),
        EventSpec("PAUSEALL", a, S.PAUSE, 0,
                  "`not_ready` with reason data1 (empty: the PAUSE lines' reason, else "
                  "`unspecified`) in every queue it serves (a queue joined later is "
                  "joined unpaused); logs in a static member"),
        EventSpec("PAUSE", a, S.PAUSE, 1,
                  "paused in that queue, reason data1; `not_ready` once paused in every "
                  "queue the agent serves (the PAUSE lines of one PAUSEALL are one interval)"),
        EventSpec("PAUSEREASON", a, S.PAUSE, 2,
                  "QueueMetrics-style pause code (data1): the reason of the pause in "
                  "progress from this line on (same second as the PAUSE: the whole pause); "
                  "rejected when the agent is not paused"),
        EventSpec("WENTONBREAK", i, S.MEMBER, 0,
                  "nothing (a break marker written by dialplan's `QueueLog()`: the pause "
                  "itself is its PAUSE line)"),
        EventSpec("PENALTY", i, S.MEMBER, 0, "nothing (member penalty changed)"),
        EventSpec("RINGINUSE", i, S.MEMBER, 0, "nothing (member ringinuse flag changed)"),
    )


EVENTS: dict[str, EventSpec] = {spec.name: spec for spec in _specs()}
KNOWN = frozenset(EVENTS)
UNKNOWN = EventSpec("?", "rejected", Slot.UNKNOWN, 0, "rejected: `unknown event NAME`")


def spec_of(name: str) -> EventSpec:
    return EVENTS.get(name, UNKNOWN)


def names(*, kind: str | None = None, closes: bool | None = None) -> frozenset[str]:
    return frozenset(s.name for s in EVENTS.values()
                     if (kind is None or s.kind == kind)
                     and (closes is None or s.closes == closes))


def markdown_table() -> str:
    """The table of ``docs/connectors.md``: every event, what a line of it becomes."""
    rows = ["| event | counted as | becomes |", "|---|---|---|"]
    for spec in EVENTS.values():
        rows.append(f"| `{spec.name}` | {spec.kind} | {spec.becomes} |")
    return "\n".join(rows)
