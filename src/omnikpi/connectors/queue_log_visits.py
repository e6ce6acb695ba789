"""From queue_log events to canonical contacts and agent states.

A contact is one caller visit to one queue: ``(callid, queue)`` from ENTERQUEUE to its
closing event (``docs/spec/asterisk-queue-log.md`` §5). Open visits and agent states are
plain data, so an import can stop at the end of a file and go on with the next file (log
rotation) or with the same file once it has grown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omnikpi.connectors.queue_log_lines import Event, Reject

ANSWERED_ENDS = {"COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER",
                 "ATTENDEDTRANSFER", "AGENTDUMP", "SYSCOMPAT"}
TRANSFERS = {"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
EXITS = {"EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "WITHDRAW", "LEAVEEMPTY"}
BLOCKED = {"FULL", "JOINEMPTY", "CLOSED", "DIVERT_CA_RATIO", "DIVERT_HOLDTIME"}
INFORMATIONAL = {"DID", "INFO", "PENALTY", "RINGINUSE", "CONFIGRELOAD", "OUTCALL",
                 "REMOVEMEMBER_REALTIME"}
AGENT_EVENTS = {"ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL",
                "AGENTLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGIN", "AGENTCALLBACKLOGOFF"}
RING_EVENTS = {"RINGNOANSWER", "RINGCANCELED"}
KNOWN = (ANSWERED_ENDS | EXITS | BLOCKED | INFORMATIONAL | AGENT_EVENTS | RING_EVENTS
         | {"ENTERQUEUE", "CONNECT", "ABANDON", "QUEUESTART"})


@dataclass
class AgentState:
    queues: list[str] = field(default_factory=list)
    logged_in: bool = False
    paused: dict[str, str] = field(default_factory=dict)  # queue (or "*") → reason
    calls: int = 0
    label: tuple[str, str | None] | None = None
    since: float = 0.0


@dataclass
class ImportState:
    """Everything an import must remember to continue later."""

    visits: dict[str, dict[str, Any]] = field(default_factory=dict)  # "callid|queue" → visit
    visit_counts: dict[str, int] = field(default_factory=dict)
    last_exit: dict[str, list[Any]] = field(default_factory=dict)  # callid → [id, outcome]
    agents: dict[str, AgentState] = field(default_factory=dict)
    last_epoch: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"visits": self.visits, "visit_counts": self.visit_counts,
                "last_exit": self.last_exit, "last_epoch": self.last_epoch,
                "agents": {k: vars(v) | {"label": list(v.label) if v.label else None}
                           for k, v in self.agents.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportState:
        agents = {}
        for name, raw in data.get("agents", {}).items():
            state = AgentState(**{k: v for k, v in raw.items() if k != "label"})
            state.label = tuple(raw["label"]) if raw.get("label") else None
            agents[name] = state
        return cls(data.get("visits", {}), data.get("visit_counts", {}),
                   data.get("last_exit", {}), agents, data.get("last_epoch", 0.0))


@dataclass
class Output:
    contacts: list[dict[str, Any]] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    informational: int = 0
    lost_visits: int = 0


class VisitMachine:
    def __init__(self, state: ImportState | None = None) -> None:
        self.state = state or ImportState()
        self.out = Output()

    # -- contacts -----------------------------------------------------------------
    def _reject(self, event: Event, reason: str) -> None:
        self.out.rejects.append(Reject(event.source, event.line, reason, event.name))

    def _new_id(self, callid: str, queue: str) -> str:
        key = f"{callid}|{queue}"
        count = self.state.visit_counts.get(key, 0) + 1
        self.state.visit_counts[key] = count
        return f"{callid}@{queue}" + (f"#{count}" if count > 1 else "")

    def _emit(self, visit: dict[str, Any], ended: float | None, outcome: str, *,
              abandoned: float | None = None, transferred: bool = False) -> None:
        self.out.contacts.append({
            "contact_id": visit["id"], "parent_id": visit.get("parent"), "channel": "voice",
            "direction": "inbound", "queue": visit["queue"],
            "customer_id": visit.get("customer") or None, "arrived_at": visit["arrived"],
            "blocked": visit.get("blocked", False), "accepted_at": visit.get("connect"),
            "first_response_at": visit.get("connect"), "abandoned_at": abandoned,
            "ended_at": ended, "agent_id": visit.get("agent"), "transferred": transferred,
            "outcome": outcome,
        })

    def _close(self, event: Event) -> dict[str, Any] | None:
        visit = self.state.visits.pop(f"{event.callid}|{event.queue}", None)
        if visit is None:
            self._reject(event, f"{event.name} without an open ENTERQUEUE for this call/queue")
        return visit

    def feed(self, event: Event) -> None:
        self.state.last_epoch = max(self.state.last_epoch, event.epoch)
        name = event.name
        if name not in KNOWN:
            self._reject(event, f"unknown event {name}")
            return
        if name in INFORMATIONAL:
            self.out.informational += 1
            return
        if name == "QUEUESTART":
            for visit in self.state.visits.values():
                self.out.lost_visits += 1
                self._emit(visit, None, "lost")
            self.state.visits.clear()
            for agent, st in self.state.agents.items():
                st.calls, st.paused, st.logged_in = 0, {}, False
                self._relabel(agent, event.epoch)
            return
        if name in AGENT_EVENTS:
            self._agent_event(event)
            return
        if name in RING_EVENTS:
            self._ring(event)
            return
        getattr(self, f"_on_{name.lower()}", self._on_closing)(event)

    def _on_enterqueue(self, event: Event) -> None:
        key = f"{event.callid}|{event.queue}"
        if key in self.state.visits:  # a second ENTERQUEUE is a new visit
            self.out.lost_visits += 1
            self._emit(self.state.visits.pop(key), None, "lost")
        parent = self.state.last_exit.get(event.callid)
        visit = {"id": self._new_id(event.callid, event.queue), "queue": event.queue,
                 "arrived": event.epoch,
                 "customer": event.data[1] if len(event.data) > 1 else None,
                 "parent": parent[0] if parent and parent[2] != event.queue else None}
        self.state.visits[key] = visit

    def _on_connect(self, event: Event) -> None:
        visit = self.state.visits.get(f"{event.callid}|{event.queue}")
        if visit is None:
            self._reject(event, "CONNECT without ENTERQUEUE (not counted: no arrival known)")
            return
        if visit.get("connect") is not None:
            self._reject(event, "second CONNECT for the same visit")
            return
        visit["connect"], visit["agent"] = event.epoch, event.agent
        self._agent_call(event.agent, +1, event.epoch)

    def _on_abandon(self, event: Event) -> None:
        visit = self._close(event)
        if visit is None:
            return
        if visit.get("connect") is not None:
            self._reject(event, "ABANDON after CONNECT")
            self._agent_call(visit["agent"], -1, event.epoch)
            visit["connect"] = None
        self._emit(visit, None, "abandon", abandoned=event.epoch)

    def _on_closing(self, event: Event) -> None:
        name = event.name
        if name in BLOCKED:
            blocked: dict[str, Any] = {"id": self._new_id(event.callid, event.queue),
                                       "queue": event.queue, "arrived": event.epoch,
                                       "blocked": True}
            self._emit(blocked, None, name.lower())
            return
        visit = self._close(event)
        if visit is None:
            return
        if name in EXITS:
            self.state.last_exit[event.callid] = [visit["id"], name.lower(), event.queue]
            self._emit(visit, event.epoch, name.lower())
            return
        if visit.get("connect") is None:
            self._reject(event, f"{name} without CONNECT")
            self._emit(visit, None, "lost")
            return
        transferred = name in TRANSFERS
        if transferred:
            self.state.last_exit[event.callid] = [visit["id"], name.lower(), event.queue]
        self._agent_call(str(visit["agent"]), -1, event.epoch)
        self._emit(visit, event.epoch, name.lower(), transferred=transferred)

    # -- agents ---------------------------------------------------------------------
    def _agent(self, name: str) -> AgentState:
        return self.state.agents.setdefault(name, AgentState())

    def _label(self, st: AgentState) -> tuple[str, str | None]:
        if not st.logged_in:
            return ("logged_out", None)
        if st.calls > 0:
            return ("handling", None)
        if "*" in st.paused or (st.queues and all(q in st.paused for q in st.queues)):
            reason = st.paused.get("*") or next(iter(st.paused.values()), None)
            return ("not_ready", reason or "unspecified")
        return ("available", None)

    def _relabel(self, agent: str, epoch: float) -> None:
        st = self._agent(agent)
        label = self._label(st)
        if label == st.label:
            return
        if st.label is not None and epoch > st.since:
            self._emit_state(agent, st.label, st.since, epoch)
        st.label, st.since = label, epoch

    def _emit_state(self, agent: str, label: tuple[str, str | None], start: float,
                    end: float) -> None:
        self.out.states.append({"agent_id": agent, "state": label[0], "reason": label[1],
                                "start": start, "end": end,
                                "channel": "voice" if label[0] == "handling" else None})

    def _agent_call(self, agent: str, delta: int, epoch: float) -> None:
        st = self._agent(agent)
        st.calls = max(0, st.calls + delta)
        st.logged_in = st.logged_in or delta > 0  # a call proves a login we did not see
        self._relabel(agent, epoch)

    def _ring(self, event: Event) -> None:
        """Ringing before its own timestamp is not available time."""
        try:
            ring_seconds = float(event.data[0]) / 1000 if event.data else 0.0
        except ValueError:
            self._reject(event, f"{event.name} ring time is not a number")
            return
        st = self._agent(event.agent)
        if st.logged_in and st.label == ("available", None) and ring_seconds > 0:
            start = max(st.since, event.epoch - ring_seconds)
            if start > st.since:
                self._emit_state(event.agent, st.label, st.since, start)
            self._emit_state(event.agent, ("not_ready", "ringing"), start, event.epoch)
            st.since = event.epoch

    def _agent_event(self, event: Event) -> None:
        st = self._agent(event.agent)
        reason = event.data[0] if event.data else ""
        name = event.name
        if name in ("ADDMEMBER", "AGENTLOGIN", "AGENTCALLBACKLOGIN"):
            st.logged_in = True
            if event.queue not in ("", "NONE") and event.queue not in st.queues:
                st.queues.append(event.queue)
            if name == "ADDMEMBER" and reason.upper() == "PAUSED":
                st.paused[event.queue] = "unspecified"
        elif name in ("REMOVEMEMBER",):
            if event.queue in st.queues:
                st.queues.remove(event.queue)
            st.paused.pop(event.queue, None)
            st.logged_in = bool(st.queues)
        elif name in ("AGENTLOGOFF", "AGENTCALLBACKLOGOFF"):
            st.logged_in, st.queues, st.paused = False, [], {}
        elif name == "PAUSEALL":
            st.paused["*"] = reason or "unspecified"
        elif name == "UNPAUSEALL":
            st.paused.clear()
        elif name == "PAUSE":
            st.paused[event.queue] = reason or "unspecified"
            if event.queue not in ("", "NONE") and event.queue not in st.queues:
                st.queues.append(event.queue)
        elif name == "UNPAUSE":
            st.paused.pop(event.queue, None)
            st.paused.pop("*", None)
        self._relabel(event.agent, event.epoch)

    def flush_states(self) -> None:
        """Emit every agent's current state up to the last moment seen (it goes on later)."""
        end = self.state.last_epoch
        for agent, st in self.state.agents.items():
            if st.label is not None and end > st.since:
                self._emit_state(agent, st.label, st.since, end)
                st.since = end
