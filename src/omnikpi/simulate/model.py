"""Simulation entities: contacts, agents, queues, and how routing picks an agent."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

from omnikpi.simulate.scenario import AgentGroup, QueueSpec, Routing


def merged_spans(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The times covered by any of ``spans``, as sorted disjoint windows (spans that touch
    or overlap are one): two groups' overlapping shifts for the dialer, an agent's breaks
    that meet for the runner."""
    out: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out

HOUR = 3600.0
"""Simulated time is in seconds since the scenario's start."""


@dataclass
class Contact:
    id: str
    queue: str
    channel: str
    arrived: float
    customer: str
    topic: str
    parent: str | None = None
    blocked: bool = False
    accepted: float | None = None
    first_response: float | None = None
    abandoned: float | None = None
    ended: float | None = None
    agent: str | None = None
    hold: float = 0.0
    acw: float = 0.0
    transferred: bool = False
    resolved: bool | None = None
    waiting: bool = False
    key: str | None = None
    """Who the caller is across variants (``per_queue`` streams: its queue, instant,
    customer and, for a transferred leg, its parent's key); its own draws come from it,
    never from the id, which counts every queue's contacts."""


CONCURRENT_CHANNELS = ("chat", "messenger")
"""Channels an agent serves several sessions of at once (up to the group's capacity)."""


@dataclass
class Agent:
    id: str
    group: AgentGroup
    order: int
    active: int = 0
    idle_since: float = 0.0
    on_shift: bool = False
    on_break: bool = False
    work: list[tuple[float, float, str, str]] = field(default_factory=list)
    """(start, end, state, channel) of handling and ACW."""
    exclusive: int = 0
    """Work in hand that takes the whole agent (a call, an e-mail, a social post)."""

    def can_take(self, queue: str, channel: str) -> bool:
        """Whether the agent may start a contact of ``queue`` now. The group's capacity is
        its concurrent *chat* sessions: a call (or an e-mail, a post) needs the agent free
        of all work, and no chat starts while one is in hand — one agent held three calls
        at once when capacity applied to every channel."""
        if not (self.on_shift and not self.on_break and queue in self.group.skills):
            return False
        if channel in CONCURRENT_CHANNELS:
            return self.exclusive == 0 and self.active < self.group.capacity
        return self.active == 0


@dataclass
class QueueState:
    spec: QueueSpec
    waiting: deque[Contact] = field(default_factory=deque)
    pointer: int = 0


def choose_agent(routing: Routing, queue: QueueState, agents: list[Agent],
                 rng: random.Random) -> Agent | None:
    """The agent that gets a new contact of ``queue`` under the routing policy."""
    name = queue.spec.name
    eligible = [a for a in agents if a.can_take(name, queue.spec.channel)]
    if not eligible:
        return None
    if routing == "sequential":
        return min(eligible, key=lambda a: a.order)
    if routing == "ring_all":
        return eligible[rng.randrange(len(eligible))]
    if routing == "round_robin":
        ordered = sorted(eligible, key=lambda a: ((a.order - queue.pointer) % len(agents)))
        chosen = ordered[0]
        queue.pointer = (chosen.order + 1) % len(agents)
        return chosen
    if routing == "least_loaded":
        return min(eligible, key=lambda a: (a.active / a.group.capacity, a.idle_since, a.order))
    if routing == "skills_priority":
        return min(eligible, key=lambda a: (a.group.skills.index(name), a.idle_since, a.order))
    return min(eligible, key=lambda a: (a.active, a.idle_since, a.order))  # longest_idle
