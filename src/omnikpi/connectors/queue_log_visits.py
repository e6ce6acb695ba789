"""From ordered queue_log events to canonical contacts and agent states.

A contact is one caller visit to one queue: ``(callid, queue)`` from ENTERQUEUE to its
closing event (``docs/spec/asterisk-queue-log.md`` §5). Events arrive in the order of
``queue_log_order`` (time, then a fixed order within a second), so the result does not
depend on the order of the lines. Open visits and agent states are plain data, so an
import can stop at the end of a file and go on with the next file (log rotation) or with
the same file once it has grown.

Every event fed is accounted for exactly once: a contact event, an agent event, an
ignored known event (counted by name) or a reject (with its reason).

Lines older than the last import (a late line in a grown file, an older file imported
after a newer one) are merged when what they change is still open: an event of a visit
still waiting or talking, an agent event no older than the agent's last written change.
Anything else is rejected as ``older than the last import`` — the rows written before
are never rewritten. A late call event's effect on its agent starts, at the earliest,
where that agent's written time ends.
"""

from __future__ import annotations

import heapq
import math
import re
import zlib
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from omnikpi.connectors.hidden_numbers import is_hidden
from omnikpi.connectors.queue_log_events import CONTACT, EVENTS, IGNORED
from omnikpi.connectors.queue_log_flags import Flag, disagreements
from omnikpi.connectors.queue_log_lines import Event
from omnikpi.connectors.queue_log_order import content
from omnikpi.connectors.reject_file import Reject
from omnikpi.schema import reject_reasons as said

TRANSFERS = frozenset({"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"})
ANSWERED_ENDS = TRANSFERS | {"COMPLETEAGENT", "COMPLETECALLER"}
EXITS = frozenset({"EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "WITHDRAW", "LEAVEEMPTY"})
DROPPED = frozenset({"SYSCOMPAT"})
"""Ends of a visit never bridged that are no exit of the caller's: Asterisk writes
SYSCOMPAT before CONNECT, when it cannot make the two channels compatible, and drops the
call (app_queue.c, ``try_calling``)."""
BLOCKED = frozenset({"FULL", "JOINEMPTY", "CLOSED", "DIVERT_CA_RATIO", "DIVERT_HOLDTIME"})
HANDOFFS = frozenset(name.lower() for name in TRANSFERS | EXITS
                     | {"COMPLETEAGENT", "COMPLETECALLER"})
"""A visit ended this way and the same call entering another queue next is a transfer leg
(an explicit transfer may also come back to the same queue)."""
KNOWN = frozenset(EVENTS)
PARKED = "|talking"
"""Key suffix of a talking visit whose own queue the call entered again: its end line may
still come (a transfer back into the same queue, written when the bridge ends)."""
PARK_SECONDS = 5.0
"""How long such a visit waits for its end before it is lost (before, it was lost at the
new arrival at once)."""

LATE = said.OLDER_THAN_LAST_IMPORT
LONGEST_SECONDS = 86_400
"""A ring or a wrap-up of a day or more is a broken field, not time an agent spent."""
ALREADY = said.ALREADY_IMPORTED
"""A call's line equal in every field to one an earlier import applied: an export that
overlaps the previous one (``WHERE time >= last_seen``, a day exported again)."""
NO_AGENT = said.AGENT_EVENT_WITHOUT_AGENT
PAIR_SECONDS = 2.0
"""An agent login and the ADDMEMBER lines of one Local/ interface this close in time are
one agent (Wazo logs the agent in, then adds its interface to its queues)."""
WRAPUP_WAIT_SECONDS = 2.0
"""An ended answered contact waits this long for its WRAPUPSTART before it is written."""
CALL_MEMORY_SECONDS = 4 * 3600.0
"""How long a call's visit numbers and last exit are remembered after its last event."""
OPEN_VISIT_HOURS = 4.0
"""Hours without a line after which an open visit is closed as lost (``--open-visit-hours``):
a caller waiting or talking that long is not seen in practice, a closing line that never
came (a log cut by a crash or a rotation, an old Asterisk's dangling ENTERQUEUE) is."""
UNSPECIFIED = "unspecified"

_CHANNEL_SUFFIX = re.compile(r"-[0-9a-fA-F]+(;\d+)?$")


def _line_key(event: Event) -> int:
    """A CRC-32 of a line's whole second and its fields but its place (file, line
    number), trailing empty data fields left out: the same event in the flat file and in
    the table (``queue_log_to_file``) has one key, as ``queue_log_order`` finds it a
    duplicate. It is only ever compared with the few lines of the same call, so two
    lines of one call would have to share a checksum by chance (about one in 10⁹) to be
    taken for each other; a checksum keeps the import's hot path fast and the saved state
    small."""
    callid, queue, agent, name, data = content(event)
    text = "|".join((str(math.floor(event.epoch)), callid, queue, agent, name, *data))
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def _earlier_line_key(event: Event) -> int:
    """The key an import before the whole-second keys stored (its exact time, every
    field): a line it applied is still known after the upgrade."""
    text = "|".join((repr(event.epoch), event.callid, event.queue, event.agent, event.name,
                     *event.data))
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


FORGET_EVERY = 100_000
"""Events between two passes forgetting the calls long over, so that a month of log read
in one import holds the calls of the last hours, not every call of the month."""


def interface_of(channel: str) -> str | None:
    """``SIP/1001-0000002a`` → ``SIP/1001``; ``Local/1001@agents-00000001;1`` →
    ``Local/1001@agents``; None when the text is not a channel name."""
    channel = channel.strip()
    if "/" not in channel or channel.startswith("/") or " " in channel:
        return None
    return _CHANNEL_SUFFIX.sub("", channel) or None


def _none(value: str) -> bool:
    """An empty field or ``NONE`` (fields arrive stripped)."""
    return value in ("NONE", "") or (len(value) == 4 and value.upper() == "NONE")


def _is_agent_name(name: str) -> bool:
    return name.lower().startswith("agent/")


@dataclass
class AgentState:
    queues: list[str] = field(default_factory=list)
    logged_in: bool = False
    logged_off: bool = False
    """Its last login event was a logoff (an UNPAUSE then does not log it back in)."""
    paused: dict[str, str] = field(default_factory=dict)  # queue (or "*") → reason
    calls: int = 0
    acw_until: float | None = None
    last_call_end: float | None = None
    label: list[Any] | None = None  # [state, reason]
    since: float = 0.0


@dataclass
class ImportState:
    """Everything an import must remember to continue later."""

    visits: dict[str, dict[str, Any]] = field(default_factory=dict)  # "callid|queue" → visit
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    """callid → {"n": {queue: visits so far}, "last": [id, outcome, queue, epoch], "seen",
    "lines": digests of the call's lines applied}"""
    agents: dict[str, AgentState] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # interface → agent
    logins: list[list[Any]] = field(default_factory=list)  # [epoch, agent] not yet paired
    adds: list[list[Any]] = field(default_factory=list)  # [epoch, interface] not yet paired
    last_epoch: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"visits": self.visits, "calls": self.calls, "last_epoch": self.last_epoch,
                "aliases": self.aliases, "logins": self.logins, "adds": self.adds,
                "agents": {k: vars(v) for k, v in self.agents.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportState:
        last_epoch = float(data.get("last_epoch", 0.0))
        agents = {}
        known = set(AgentState.__dataclass_fields__)
        for name, raw in data.get("agents", {}).items():
            agents[name] = AgentState(**{k: v for k, v in raw.items() if k in known})
        calls: dict[str, dict[str, Any]] = data.get("calls", {})
        # state files written before the call memo (visit_counts, last_exit)
        for key, count in data.get("visit_counts", {}).items():
            callid, _, queue = key.partition("|")
            memo = calls.setdefault(callid, {"n": {}, "last": None, "seen": last_epoch})
            memo["n"][queue] = count
        for callid, last in data.get("last_exit", {}).items():
            memo = calls.setdefault(callid, {"n": {}, "last": None, "seen": last_epoch})
            memo["last"] = [*last[:3], last_epoch]
        return cls(data.get("visits", {}), calls, agents, data.get("aliases", {}),
                   data.get("logins", []), data.get("adds", []), last_epoch)


@dataclass
class Output:
    contacts: list[dict[str, Any]] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    contact_events: int = 0
    agent_events: int = 0
    ignored: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    lost_visits: int = 0
    timed_out: int = 0
    """Of the lost visits, those closed after ``open_visit_hours`` without a line."""
    late_merged: int = 0
    flags: list[Flag] = field(default_factory=list)
    """Contacts whose data fields disagree with their timestamps (``queue_log_flags``),
    written out in chunks like the rows."""
    flagged: Counter[str] = field(default_factory=Counter)  # field → contacts flagged
    first_flag: dict[str, Flag] = field(default_factory=dict)


@dataclass(frozen=True)
class Ignored:
    label: str


Verdict = str | Ignored | None
"""What a handler made of its event: None (used), a reject reason, or ignored."""


class VisitMachine:
    def __init__(self, state: ImportState | None = None, *,
                 persistent_members: bool = False,
                 open_visit_hours: float = OPEN_VISIT_HOURS) -> None:
        self.state = state or ImportState()
        self.persistent_members = persistent_members
        """Members stay logged in across QUEUESTART, with their queues and pauses
        (``queues.conf`` ``persistentmembers = yes``: Asterisk restores its dynamic
        members from its database and writes no ADDMEMBER for them). Off, as the spec
        reads QUEUESTART: every state before it is dead, each member logged out until
        its next line."""
        self.open_visit_seconds = open_visit_hours * 3600.0
        """An open visit without a line for that long is closed as lost, at that moment
        of the stream (deterministic whatever the files' order or the imports' cuts)."""
        self.out = Output()
        self.watermark = self.state.last_epoch
        """The latest moment of the previous imports: an event before it is late."""
        self.pending: dict[str, dict[str, Any]] = {}  # contact id → row waiting for WRAPUPSTART
        self.pending_by_visit: dict[str, str] = {}  # "callid|queue" → its waiting row's id
        self.pending_order: deque[tuple[float, str]] = deque()
        self._fed = 0
        self.handlers: dict[str, Callable[[Event, bool], Verdict]] = {
            name: getattr(self, f"_on_{name.lower()}", None)
            or (self._on_blocked if name in BLOCKED else self._on_end)
            for name, spec in EVENTS.items() if spec.kind != IGNORED}
        self.timers: list[tuple[float, str]] = [
            (st.acw_until, name) for name, st in self.state.agents.items()
            if st.acw_until is not None]
        heapq.heapify(self.timers)
        self.visit_timers: list[tuple[float, str]] = [
            (self._deadline(visit), key) for key, visit in self.state.visits.items()]
        heapq.heapify(self.visit_timers)

    # -- one event, one verdict ------------------------------------------------------
    def feed(self, event: Event) -> None:
        self._advance(event.epoch)
        spec = EVENTS.get(event.name)
        late = event.epoch < self.watermark
        verdict: Verdict
        if spec is None:
            verdict = said.UNKNOWN_EVENT.format(event=event.name)
        elif spec.kind == IGNORED:
            verdict = Ignored(event.name)
        elif late and event.name == "QUEUESTART":
            verdict = LATE
        elif spec.kind == CONTACT and event.name != "QUEUESTART" and (
                _none(event.callid) or _none(event.queue)):
            verdict = said.CALL_EVENT_WITHOUT_IDS
        elif spec.kind == CONTACT and event.epoch < math.floor(self.watermark) + 1 \
                and self._was_applied(event):
            verdict = ALREADY
        else:
            verdict = self.handlers[event.name](event, late)
        if verdict is None:
            assert spec is not None
            if spec.kind == CONTACT:
                self.out.contact_events += 1
                if event.name != "QUEUESTART":
                    self._memo(event).setdefault("lines", []).append(_line_key(event))
            else:
                self.out.agent_events += 1
            self._seen_line(event)  # a ring is an agent event of the call's visit too
            if late:
                self.out.late_merged += 1
        elif isinstance(verdict, Ignored):
            self.out.ignored[verdict.label] += 1
        else:
            self._reject(event, verdict)
        if verdict != ALREADY:  # a copy of a line applied tells no later moment
            self.state.last_epoch = max(self.state.last_epoch, event.epoch)
        self._fed += 1
        if self._fed % FORGET_EVERY == 0:  # by the stream's own time (a late file's too)
            self._forget_old_calls(event.epoch)

    def reject_duplicate(self, event: Event) -> None:
        """A line equal to an earlier one in every field: reported, not applied twice."""
        self._reject(event, said.DUPLICATE_LINE)

    def _reject(self, event: Event, reason: str) -> None:
        stamp = str(int(event.epoch)) if event.epoch == int(event.epoch) else repr(event.epoch)
        text = "|".join((stamp, event.callid, event.queue, event.agent,
                         event.name, *event.data))
        self.out.rejects.append(Reject(event.source, event.line, reason, text[:200]))
        self.out.rejected[reason.split(" (")[0]] += 1

    def _advance(self, epoch: float) -> None:
        """Wrap-ups that ended and visits that timed out before ``epoch``, in time order;
        contacts no WRAPUPSTART can follow now."""
        while True:
            acw = self.timers[0][0] if self.timers else None
            visit = self.visit_timers[0][0] if self.visit_timers else None
            if visit is not None and visit <= epoch and (acw is None or visit < acw):
                self._time_out(*heapq.heappop(self.visit_timers))
            elif acw is not None and acw <= epoch:
                until, agent = heapq.heappop(self.timers)
                st = self.state.agents.get(agent)
                if st is not None and st.acw_until == until:
                    st.acw_until = None
                    self._relabel(agent, until)
            else:
                break
        while self.pending_order and self.pending_order[0][0] < epoch - WRAPUP_WAIT_SECONDS:
            self._release(self.pending_order.popleft()[1])

    def _release(self, contact_id: str) -> None:
        row = self.pending.pop(contact_id, None)
        if row is None:
            return
        key = str(row.pop("_visit"))
        if self.pending_by_visit.get(key) == contact_id:
            del self.pending_by_visit[key]
        self.out.contacts.append(row)

    # -- contacts -----------------------------------------------------------------
    def _was_applied(self, event: Event) -> bool:
        applied = self._applied(event.callid)
        return bool(applied) and (_line_key(event) in applied
                                  or _earlier_line_key(event) in applied)

    def _applied(self, callid: str) -> list[int]:
        """The keys of the call's lines applied so far (this import and the earlier ones,
        for as long as the call is remembered)."""
        memo = self.state.calls.get(callid)
        return [] if memo is None else list(memo.get("lines", ()))

    def _memo(self, event: Event) -> dict[str, Any]:
        memo = self.state.calls.setdefault(event.callid, {"n": {}, "last": None, "seen": 0.0})
        memo["seen"] = max(float(memo["seen"]), event.epoch)
        return memo

    def _new_id(self, event: Event, memo: dict[str, Any] | None = None) -> str:
        counts = (memo or self._memo(event))["n"]
        count = counts[event.queue] = int(counts.get(event.queue, 0)) + 1
        return f"{event.callid}@{event.queue}" + (f"#{count}" if count > 1 else "")

    def _row(self, visit: dict[str, Any], ended: float | None, outcome: str, *,
             abandoned: float | None = None, transferred: bool = False) -> dict[str, Any]:
        return {
            "contact_id": visit["id"], "parent_id": visit.get("parent"), "channel": "voice",
            "direction": "inbound", "queue": visit["queue"],
            "customer_id": visit.get("customer") or None, "arrived_at": visit["arrived"],
            "blocked": visit.get("blocked", False), "accepted_at": visit.get("connect"),
            "first_response_at": visit.get("connect"), "abandoned_at": abandoned,
            "ended_at": ended, "agent_id": visit.get("agent"), "transferred": transferred,
            "outcome": outcome, "acw_seconds": None,
        }

    def _deadline(self, visit: dict[str, Any]) -> float:
        """When ``visit`` times out: ``open_visit_seconds`` after its last line (a visit
        an older version saved knows its answer or its arrival)."""
        if visit.get("parked") is not None:
            return float(visit["parked"]) + PARK_SECONDS
        last = visit.get("last", visit.get("connect"))
        return float(last if last is not None else visit["arrived"]) + self.open_visit_seconds

    def _seen_line(self, event: Event) -> None:
        """A line of an open visit (its arrival, a ring, its answer) moves its time-out."""
        key = f"{event.callid}|{event.queue}"
        visit = self.state.visits.get(key)
        if visit is not None:
            visit["last"] = max(float(visit.get("last", event.epoch)), event.epoch)
            heapq.heappush(self.visit_timers, (self._deadline(visit), key))

    def _time_out(self, deadline: float, key: str) -> None:
        """Close the visit ``key`` as lost if it is still open with this deadline (a
        later line moved it, or it ended, and left this entry stale)."""
        visit = self.state.visits.get(key)
        if visit is None or self._deadline(visit) != deadline:
            return
        del self.state.visits[key]
        if visit.get("parked") is not None:  # no end came: lost, not a time-out (its
            self._lost(visit, deadline)       # agent's call ends with the wait, in order)
            return
        self.out.timed_out += 1
        self._lost(visit, deadline)

    def _lost(self, visit: dict[str, Any], epoch: float) -> None:
        """A visit whose end is unknown: written as ``lost``, its agent's call over."""
        self.out.lost_visits += 1
        if visit.get("connect") is not None and visit.get("agent"):
            self._call_ends(str(visit["agent"]), epoch)
        self.out.contacts.append(self._row(visit, None, "lost"))

    def _on_queuestart(self, event: Event, late: bool) -> Verdict:
        """Asterisk (re)started: its calls are gone; its members too, unless they are
        ``persistent_members`` (then only their calls and wrap-ups end)."""
        for visit in list(self.state.visits.values()):
            self._lost(visit, event.epoch)
        self.state.visits.clear()
        for agent, st in self.state.agents.items():
            st.calls, st.acw_until = 0, None
            if not self.persistent_members:
                st.paused, st.queues = {}, []
                st.logged_in = st.logged_off = False  # static members come back by themselves
            self._relabel(agent, event.epoch)
        return None

    def _on_enterqueue(self, event: Event, late: bool) -> Verdict:
        key = f"{event.callid}|{event.queue}"
        if key in self.state.visits:  # a second ENTERQUEUE is a new visit
            old = self.state.visits.pop(key)
            parked = key + PARKED
            if old.get("connect") is not None and parked not in self.state.visits:
                # talking: a transfer back into its own queue whose line comes after the
                # leg's arrival (Asterisk writes BLINDTRANSFER when the bridge ends). It
                # waits PARK_SECONDS for its end; without one it is lost then
                old["parked"] = event.epoch
                self.state.visits[parked] = old
                heapq.heappush(self.visit_timers, (self._deadline(old), parked))
            else:
                self._lost(old, event.epoch)
        memo = self._memo(event)
        last = memo["last"]
        parent = None
        # a call id seen again after the call memory (PBXs merged, a clock reset) is
        # another call: linked, a caller of the next day was a transfer leg of this one's
        if last and last[1] in HANDOFFS and (last[2] != event.queue
                                             or last[1].upper() in TRANSFERS) \
                and event.epoch - float(last[3]) <= CALL_MEMORY_SECONDS:
            parent = last[0]
        self.state.visits[key] = {
            "id": self._new_id(event, memo), "queue": event.queue, "arrived": event.epoch,
            "customer": _customer(event), "parent": parent}
        return None

    def _adopt_transfer_leg(self, event: Event, memo: dict[str, Any],
                            visit: dict[str, Any]) -> None:
        """A transfer's leg whose ENTERQUEUE was written before the transfer line.

        Asterisk writes BLINDTRANSFER when the bridge ends, after the caller has already
        entered the target queue, often in the next second: the new visit found no ended
        visit to hang on and FCR counted a new question. A caller's channel is in one queue
        at a time, so a visit of the same call that arrived while this one was bridged is
        its transfer leg."""
        for queue in memo["n"]:
            other = self.state.visits.get(f"{event.callid}|{queue}")
            if other is not None and other is not visit and other.get("parent") is None \
                    and float(other["arrived"]) >= float(visit["connect"]):
                other["parent"] = visit["id"]

    def _on_blocked(self, event: Event, late: bool) -> Verdict:
        visit = {"id": self._new_id(event), "queue": event.queue, "arrived": event.epoch,
                 "blocked": True}
        self.out.contacts.append(self._row(visit, None, event.name.lower()))
        return None

    def _unbridged_visit(self, event: Event, late: bool, no_visit: str, bridged: str
                         ) -> tuple[dict[str, Any] | None, Verdict]:
        """The event's open visit not yet bridged to an agent, or the verdict that rejects
        the event: older than the last import, no visit open (``no_visit``), or a CONNECT
        already read (``bridged``)."""
        visit = self.state.visits.get(f"{event.callid}|{event.queue}")
        if visit is None:
            return None, LATE if late else no_visit
        if visit.get("connect") is not None:
            return None, bridged
        self._memo(event)
        return visit, None

    def _on_connect(self, event: Event, late: bool) -> Verdict:
        visit, verdict = self._unbridged_visit(
            event, late, said.CONNECT_WITHOUT_ENTERQUEUE, said.SECOND_CONNECT)
        if visit is None:
            return verdict
        agent = self._who(event.agent)
        visit["connect"], visit["agent"] = event.epoch, agent
        if agent is not None:
            self._rang_before_answer(agent, event, float(visit["arrived"]))
            self._call_starts(agent, event.queue, event.epoch)
        self._compare(event, visit)
        return None

    def _on_agentdump(self, event: Event, late: bool) -> Verdict:
        """The member hung up while its announcement played, before the call was bridged
        (Asterisk writes AGENTDUMP before any CONNECT): the caller stays in the queue and
        is usually answered by another ring. The visit goes on; read as its end, the
        answer that followed was rejected and the call lost."""
        _, verdict = self._unbridged_visit(
            event, late, said.WITHOUT_OPEN_ENTERQUEUE.format(event="AGENTDUMP"),
            said.AGENTDUMP_AFTER_CONNECT)
        return verdict

    def _compare(self, event: Event, visit: dict[str, Any]) -> None:
        """Flag the durations the line wrote that disagree with the visit's timestamps
        (the figures stay the timestamps')."""
        for flag in disagreements(event, visit):
            self.out.flags.append(flag)
            self.out.flagged[flag.field] += 1
            self.out.first_flag.setdefault(flag.field, flag)

    def _on_end(self, event: Event, late: bool) -> Verdict:
        """Every event that ends a visit: answered ends, ABANDON, the exits."""
        name, key = event.name, f"{event.callid}|{event.queue}"
        memo = self._memo(event)
        current = self.state.visits.get(key)
        if name in ANSWERED_ENDS and key + PARKED in self.state.visits and (
                current is None or current.get("connect") is None):
            visit: dict[str, Any] | None = self.state.visits.pop(key + PARKED)
        else:
            visit = self.state.visits.pop(key, None)
        if visit is None:
            last = memo["last"]
            if name == "LEAVEEMPTY" and last and last[1] == "exitempty" \
                    and last[2] == event.queue:
                return Ignored("LEAVEEMPTY after EXITEMPTY")
            if name == "ABANDON" and last and last[1] == "syscompat" \
                    and last[2] == event.queue:
                # Queue() writes ABANDON for every call that leaves it unbridged, the
                # dropped one too: the drop is the system's, told by SYSCOMPAT
                return Ignored("ABANDON after SYSCOMPAT")
            if late:
                return LATE
            return said.WITHOUT_OPEN_ENTERQUEUE.format(event=name)
        outcome = name.lower()
        answered = visit.get("connect") is not None
        memo["last"] = [visit["id"], outcome, event.queue, event.epoch]
        if answered != (name in ANSWERED_ENDS):
            self._lost(visit, event.epoch)
            memo["last"][1] = "lost"
            ended = said.END_AFTER_CONNECT if answered else said.END_WITHOUT_CONNECT
            return ended.format(event=name)
        self._compare(event, visit)
        if name == "ABANDON":
            self.out.contacts.append(self._row(visit, None, outcome, abandoned=event.epoch))
        elif name in EXITS or name in DROPPED:
            self.out.contacts.append(self._row(visit, event.epoch, outcome))
        else:
            if visit.get("agent"):
                self._call_ends(str(visit["agent"]), event.epoch)
            if name in TRANSFERS:
                self._adopt_transfer_leg(event, memo, visit)
            row = self._row(visit, event.epoch, outcome, transferred=name in TRANSFERS)
            row["_visit"] = key  # written once its WRAPUPSTART had time to follow
            self.pending[row["contact_id"]] = row
            self.pending_by_visit[key] = row["contact_id"]
            self.pending_order.append((event.epoch, row["contact_id"]))
        return None

    # -- agents ---------------------------------------------------------------------
    def _who(self, raw: str) -> str | None:
        """The agent a queue_log agent field names: ``NONE`` is no agent; an interface
        known to be an agent's is that agent."""
        name = raw.strip()
        if not name or name.upper() == "NONE":
            return None
        return self.state.aliases.get(name, name)

    def _agent(self, name: str) -> AgentState:
        st = self.state.agents.get(name)
        if st is None:
            st = self.state.agents[name] = AgentState()
        return st

    def _member(self, event: Event, late: bool) -> tuple[str, AgentState] | str:
        """The event's agent, or why the event cannot be applied."""
        agent = self._who(event.agent)
        if agent is None:
            return NO_AGENT
        st = self._agent(agent)
        if late and st.label is not None and event.epoch < st.since:
            return LATE
        return agent, st

    @staticmethod
    def _label(st: AgentState) -> list[Any]:
        if not st.logged_in:
            return ["logged_out", None]
        if st.calls > 0:
            return ["handling", None]
        if st.acw_until is not None:
            return ["acw", None]
        paused = st.paused
        if paused and ("*" in paused or (st.queues and all(q in paused for q in st.queues))):
            reasons = [st.paused["*"]] if "*" in st.paused else []
            reasons += [st.paused[q] for q in sorted(st.paused) if q != "*"]
            named = [r for r in reasons if r and r != UNSPECIFIED]
            return ["not_ready", named[0] if named else UNSPECIFIED]
        return ["available", None]

    def _relabel(self, agent: str, epoch: float) -> None:
        st = self._agent(agent)
        label = self._label(st)
        if st.label is None and label[0] == "logged_out":
            return  # never seen logged in (a logoff, the file starting later): nothing to say
        if st.label is not None:
            epoch = max(epoch, st.since)  # time already written is not rewritten
        if label == st.label:
            return
        if st.label is not None and epoch > st.since:
            self._emit_state(agent, st.label, st.since, epoch)
        st.label, st.since = label, epoch

    def _emit_state(self, agent: str, label: list[Any], start: float, end: float) -> None:
        self.out.states.append({
            "agent_id": agent, "state": label[0], "reason": label[1], "start": start,
            "end": end, "channel": "voice" if label[0] in ("handling", "acw") else None})

    @staticmethod
    def _serves(st: AgentState, queue: str) -> None:
        st.logged_in, st.logged_off = True, False
        if not _none(queue) and queue not in st.queues:
            st.queues.append(queue)

    def _call_starts(self, agent: str, queue: str, epoch: float) -> None:
        st = self._agent(agent)
        self._serves(st, queue)  # a call proves a login we did not see
        st.calls += 1
        st.acw_until = None
        self._relabel(agent, epoch)

    def _call_ends(self, agent: str, epoch: float) -> None:
        st = self._agent(agent)
        st.calls = max(0, st.calls - 1)
        if st.calls == 0:
            st.last_call_end = epoch
        self._relabel(agent, epoch)

    def _merge(self, interface: str, agent: str) -> None:
        """The interface is the agent's from now on; its state so far joins the agent's."""
        self.state.aliases[interface] = agent
        old = self.state.agents.pop(interface, None)
        if old is None:
            return
        st = self._agent(agent)
        st.queues += [q for q in old.queues if q not in st.queues]
        st.paused = {**old.paused, **st.paused}
        st.logged_in = st.logged_in or old.logged_in
        if st.label is None and old.label is not None:
            st.label, st.since = old.label, old.since

    def name_members(self, members: dict[str, str]) -> None:
        """Each interface is its member's (``--members``): its lines and its state so
        far count under the member's name."""
        for interface, named in members.items():
            agent = self.state.aliases.get(named, named)  # a name already someone's
            if self.state.aliases.get(interface) != agent:
                self._merge(interface, agent)
                if agent in self.state.agents:
                    self._relabel(agent, self.state.last_epoch)

    def _recent(self, pairs: list[list[Any]], epoch: float) -> list[list[Any]]:
        return [p for p in pairs if epoch - PAIR_SECONDS <= float(p[0]) <= epoch]

    def _pool_login(self, event: Event) -> None:
        """Asterisk 12+ (app_agent_pool) logs AGENTLOGIN/AGENTLOGOFF with the agent's bare
        id (``1001``) and the calls with its member, ``Agent/1001``: one person (as two,
        the login was available all along and the member logged in by its calls). The
        name seen first stays; only a login line pairs them (a static member named
        ``1001`` beside an agent ``Agent/1001`` stays another person)."""
        bare = event.agent.strip()
        if "/" in bare or _none(bare) or bare in self.state.aliases:
            return
        member = f"Agent/{bare}"
        if member in self.state.agents and bare not in self.state.agents:
            self.state.aliases[bare] = member
        elif member not in self.state.agents and member not in self.state.aliases:
            self.state.aliases[member] = bare

    def _login(self, event: Event, late: bool) -> Verdict:
        if event.name == "AGENTLOGIN":
            self._pool_login(event)
        found = self._member(event, late)
        if isinstance(found, str):
            return found
        agent, st = found
        channel = interface_of(event.data[0]) if event.name == "AGENTLOGIN" and event.data \
            else None
        if channel is not None and channel != agent:
            self._merge(channel, agent)
        elif _is_agent_name(agent):
            adds = {str(p[1]) for p in self._recent(self.state.adds, event.epoch)}
            if len(adds) == 1:
                self._merge(adds.pop(), agent)
                self.state.adds = []
            else:
                self.state.logins = [*self._recent(self.state.logins, event.epoch),
                                     [event.epoch, agent]]
        st = self._agent(agent)
        self._serves(st, event.queue)
        self._relabel(agent, event.epoch)
        return None

    _on_agentlogin = _login
    _on_agentcallbacklogin = _login

    def _on_addmember(self, event: Event, late: bool) -> Verdict:
        raw = event.agent.strip()
        if raw.lower().startswith("local/") and raw not in self.state.aliases:
            logins = {str(p[1]) for p in self._recent(self.state.logins, event.epoch)}
            if len(logins) == 1:
                self._merge(raw, logins.pop())
                self.state.logins = []
            else:
                self.state.adds = [*self._recent(self.state.adds, event.epoch),
                                   [event.epoch, raw]]
        found = self._member(event, late)
        if isinstance(found, str):
            return found
        agent, st = found
        if "*" in st.paused and st.queues and not _none(event.queue) \
                and event.queue not in st.queues:
            # a PAUSEALL pauses the queues served then; a queue joined later is joined
            # unpaused (unless PAUSED says so). Kept as "every queue", the agent stayed
            # not_ready in the new queue, its calls there between two pauses
            reason = st.paused.pop("*")
            for queue in st.queues:
                st.paused.setdefault(queue, reason)
        self._serves(st, event.queue)
        if event.data and event.data[0].upper() == "PAUSED":
            st.paused[event.queue] = UNSPECIFIED
        self._relabel(agent, event.epoch)
        return None

    def _leave(self, agent: str, st: AgentState, queue: str, epoch: float) -> None:
        if not _none(queue):
            if queue in st.queues:
                st.queues.remove(queue)
            st.paused.pop(queue, None)
            if st.queues:
                self._relabel(agent, epoch)
                return
        st.logged_in, st.logged_off, st.queues, st.paused = False, True, [], {}
        st.acw_until = None
        self._relabel(agent, epoch)

    def _on_removemember(self, event: Event, late: bool) -> Verdict:
        found = self._member(event, late)
        if isinstance(found, str):
            return found
        self._leave(*found, event.queue, event.epoch)
        return None

    _on_agentlogoff = _on_removemember
    _on_agentcallbacklogoff = _on_removemember

    def _pause(self, event: Event, late: bool) -> Verdict:
        found = self._member(event, late)
        if isinstance(found, str):
            return found
        agent, st = found
        reason = (event.data[0].strip() if event.data else "") or UNSPECIFIED
        self._serves(st, event.queue)  # paused proves a member: static ones never log in
        everywhere = event.name == "PAUSEALL" or _none(event.queue)
        st.paused["*" if everywhere else event.queue] = reason
        self._relabel(agent, event.epoch)
        return None

    _on_pause = _pause
    _on_pauseall = _pause

    def _unpause(self, event: Event, late: bool) -> Verdict:
        found = self._member(event, late)
        if isinstance(found, str):
            return found
        agent, st = found
        if event.name == "UNPAUSEALL":
            st.paused.clear()
        else:
            st.paused.pop(event.queue, None)
            st.paused.pop("*", None)
        if not st.logged_off:  # a static member's unpause; after a logoff it proves nothing
            self._serves(st, event.queue)
        self._relabel(agent, event.epoch)
        return None

    _on_unpause = _unpause
    _on_unpauseall = _unpause

    def _on_pausereason(self, event: Event, late: bool) -> Verdict:
        found = self._member(event, late)
        if isinstance(found, str):
            return found
        agent, st = found
        if not st.paused or not st.logged_in:
            return said.PAUSEREASON_WITHOUT_PAUSE
        reason = (event.data[0].strip() if event.data else "") or UNSPECIFIED
        for queue in st.paused:
            st.paused[queue] = reason
        self._relabel(agent, event.epoch)
        return None

    def _ring(self, event: Event, late: bool) -> Verdict:
        """Ringing before its own timestamp is not available time."""
        try:
            ring_seconds = float(event.data[0]) / 1000 if event.data else 0.0
        except ValueError:
            return said.RING_TIME_NOT_A_NUMBER.format(event=event.name)
        if not 0 <= ring_seconds < LONGEST_SECONDS:
            return said.RING_TIME_OUT_OF_RANGE.format(event=event.name)
        found = self._member(event, late)
        if isinstance(found, str):
            return found
        agent, st = found
        self._serves(st, event.queue)  # rung: a logged-in member
        self._relabel(agent, event.epoch)
        self._book_ring(agent, st, event.epoch, ring_seconds)
        return None

    def _rang_before_answer(self, agent: str, event: Event, arrived: float) -> None:
        """The answering member's phone rang for CONNECT's third field (whole seconds,
        1.6+) before the answer: not available time (it was, and occupancy read low by
        the ring of every answered call). No earlier than the caller's arrival (Asterisk
        never rings longer than the caller waited); a field that is missing, no number
        of ASCII digits or a day or longer books none (the answer still counts)."""
        text = event.data[2].strip() if len(event.data) > 2 else ""
        if not (text.isascii() and text.isdigit()) or len(text) > 9 \
                or int(text) >= LONGEST_SECONDS:  # 4,300 digits and more: int() refuses
            return
        st = self._agent(agent)
        if st.logged_in:
            self._relabel(agent, event.epoch)
            self._book_ring(agent, st, event.epoch,
                            min(float(text), max(0.0, event.epoch - arrived)))

    def _book_ring(self, agent: str, st: AgentState, epoch: float,
                   ring_seconds: float) -> None:
        """The ``ring_seconds`` before ``epoch`` of an available agent are ringing
        (``not_ready``/``ringing``), from the agent's last change at the earliest."""
        if st.label == ["available", None] and ring_seconds > 0 and epoch > st.since:
            start = max(st.since, epoch - ring_seconds)
            if start > st.since:
                self._emit_state(agent, st.label, st.since, start)
            self._emit_state(agent, ["not_ready", "ringing"], start, epoch)
            st.since = epoch

    _on_ringnoanswer = _ring
    _on_ringcanceled = _ring

    def _on_wrapupstart(self, event: Event, late: bool) -> Verdict:
        try:
            seconds = float(event.data[0]) if event.data else float("nan")
        except ValueError:
            seconds = float("nan")
        if not 0 <= seconds < LONGEST_SECONDS:
            return said.WRAPUP_TIME_NOT_A_NUMBER
        found = self._member(event, late)
        if isinstance(found, str):
            return found
        agent, st = found
        waiting = self.pending_by_visit.get(f"{event.callid}|{event.queue}")
        if waiting is not None:
            self.pending[waiting]["acw_seconds"] = seconds
        if seconds > 0 and st.logged_in and st.calls == 0:
            start = event.epoch
            ended = st.last_call_end
            if ended is not None and 0 <= start - ended <= WRAPUP_WAIT_SECONDS \
                    and st.since <= ended:  # wrap-up time runs from the call's end
                start = ended
            st.acw_until = start + seconds
            heapq.heappush(self.timers, (st.acw_until, agent))
            self._relabel(agent, start)
        return None

    # -- end of input ---------------------------------------------------------------
    def finish(self, flush_states: bool = True) -> None:
        """Write what is final: wrap-ups over by the last moment read, contacts waiting
        for a WRAPUPSTART; with ``flush_states``, every agent's current state up to the
        last moment read (it goes on in the next import). Forget calls long over."""
        end = self.state.last_epoch
        self._advance(end)  # wrap-ups over and visits timed out by the last moment read
        while self.pending_order:
            self._release(self.pending_order.popleft()[1])
        if flush_states:
            for agent, st in self.state.agents.items():
                if st.label is not None and end > st.since:
                    self._emit_state(agent, st.label, st.since, end)
                    st.since = end
        self._forget_old_calls(end)
        self.state.logins = self._recent(self.state.logins, end)
        self.state.adds = self._recent(self.state.adds, end)

    def _forget_old_calls(self, now: float) -> None:
        """Drop the memory of calls whose last event is more than CALL_MEMORY_SECONDS
        before ``now`` (a call still open is kept)."""
        open_calls = {key.split("|", 1)[0] for key in self.state.visits}
        horizon = now - CALL_MEMORY_SECONDS
        self.state.calls = {callid: memo for callid, memo in self.state.calls.items()
                            if float(memo["seen"]) >= horizon or callid in open_calls}

    # kept for callers of the previous interface
    def flush_states(self) -> None:
        self.finish(flush_states=True)


def _customer(event: Event) -> str | None:
    """The caller's number of an ENTERQUEUE (its second field), none when it is hidden."""
    number = event.data[1] if len(event.data) > 1 else None
    return None if number is None or is_hidden(number) else number
