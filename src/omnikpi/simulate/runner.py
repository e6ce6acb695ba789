"""The event loop: arrivals, routing, service, abandonment, shifts and breaks.

Events are ``(time, rank, sequence, kind, payload)`` on a heap. At one instant an agent's
break start and shift end come first (rank 0), then everything else in creation order (the
sequence number): a break that starts as the shift starts, or as a contact ends, is taken
before any work is handed out. A run is a pure function of the scenario and the seed.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time, timedelta

from omnikpi.errors import UsageError
from omnikpi.simulate.dialer import Dial, dial
from omnikpi.simulate.fate import Fate, identity
from omnikpi.simulate.model import (
    CONCURRENT_CHANNELS,
    HOUR,
    Agent,
    Contact,
    QueueState,
    choose_agent,
    merged_spans,
)
from omnikpi.simulate.scenario import LIVE_CHANNELS, QueueSpec, Scenario


@dataclass
class Result:
    """What happened, in seconds since the scenario's start."""

    scenario: Scenario
    contacts: list[Contact] = field(default_factory=list)
    agents: list[Agent] = field(default_factory=list)
    shifts: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    breaks: dict[str, list[tuple[float, float, str]]] = field(default_factory=dict)
    messages: list[tuple[str, float, str, str | None]] = field(default_factory=list)
    surveys: list[tuple[str, str, str, int, int, int, float]] = field(default_factory=list)
    dials: list[Dial] = field(default_factory=list)
    seed: int | None = None
    """The seed the run drew from: the scenario's, unless the run was given another (the
    sale outcomes are drawn from it too, so ``--seed`` changes them as it changes the
    rest)."""


def _seconds_of(clock: str) -> float:
    if clock == "24:00":
        return 24 * HOUR
    t = time.fromisoformat(clock)
    return t.hour * HOUR + t.minute * 60 + t.second


def _window(text: str) -> tuple[float, float]:
    start, _, end = text.partition("-")
    a, b = _seconds_of(start), _seconds_of(end)
    return (a, b) if b > a else (a, b + 24 * HOUR)


def _break_in_shift(b_start: str, b_end: str, start: float,
                    end: float) -> tuple[float, float]:
    """A break's seconds from the midnight that starts its shift: a break belongs to the
    shift that contains it. The 02:00 break of a 22:00-06:00 shift is that night's
    (26:00 of the shift's day); placed on the day of its own clock it was left out with
    the shift of that day on a run's last night, whose next shift falls after the end.
    A break outside its shift stays at its clock time on the shift's day."""
    a, b = _seconds_of(b_start), _seconds_of(b_end)
    if a < start and start <= a + 24 * HOUR < end:
        return a + 24 * HOUR, b + 24 * HOUR
    return a, b


def merged_breaks(spans: list[tuple[float, float]]) -> list[tuple[float, float, str]]:
    """An agent's breaks as sorted disjoint ``(start, end, reason)``: breaks that touch or
    overlap are one break, as long as all of them together (up to 20 minutes a paid
    ``break``, longer an unpaid ``lunch``). The two halves of a break across midnight
    (23:50-24:00 and 00:00-00:20), back-to-back breaks and a break inside another each
    ended the break at the instant one of them ended, and the agent took calls during the
    rest of it."""
    return [(a, b, "break" if b - a <= 20 * 60 else "lunch") for a, b in merged_spans(spans)]


FIRST_AT_AN_INSTANT = ("break_start", "shift_end")
"""Events that go before every other event of the same instant (rank 0)."""


class Simulation:
    def __init__(self, scenario: Scenario, seed: int | None = None,
                 max_contacts: int | None = None) -> None:
        self.s = scenario
        self.max_contacts = max_contacts
        base = scenario.seed if seed is None else seed
        # Separate streams (common random numbers): two what-if scenarios with the same
        # queues see the same arrivals, so their differences come from the change itself.
        self.rng = random.Random(base)
        self.arrivals_rng = random.Random(f"{base}-arrivals")
        self.service_rng = random.Random(f"{base}-service")
        self.patience_rng = random.Random(f"{base}-patience")
        self.base = base
        self.fates: dict[str, Fate] = {}
        """Each caller's own numbers (``per_queue`` streams: :mod:`.fate`), by contact id."""
        self.streams: dict[str, tuple[random.Random, random.Random, random.Random]] = {
            q.name: (random.Random(f"{base}-arrivals-{q.name}"),
                     random.Random(f"{base}-service-{q.name}"),
                     random.Random(f"{base}-patience-{q.name}"))
            for q in scenario.queues} if scenario.streams == "per_queue" else {}
        self.horizon = scenario.hours() * HOUR
        midnight = scenario.start.replace(hour=0, minute=0, second=0, microsecond=0)
        self.day0 = -(scenario.start - midnight).total_seconds()  # scenario time of day 0
        self.events: list[tuple[float, int, int, str, object]] = []
        self.seq = 0
        self.queues = {q.name: QueueState(q) for q in scenario.queues}
        self.result = Result(scenario, seed=base)
        self.counter = 0
        self._make_agents()

    # -- scheduling -------------------------------------------------------------
    def at(self, moment: float, kind: str, payload: object = None) -> None:
        self.seq += 1
        rank = 0 if kind in FIRST_AT_AN_INSTANT else 1
        heapq.heappush(self.events, (moment, rank, self.seq, kind, payload))

    def days(self) -> range:
        return range(math.floor(-self.day0 / (24 * HOUR)) - 1,
                     math.ceil((self.horizon - self.day0) / (24 * HOUR)) + 1)

    def _make_agents(self) -> None:
        order = 0
        for group in self.s.agent_groups:
            start, end = _window(group.shift)
            for n in range(group.count):
                agent = Agent(f"{group.name}-{n + 1:02d}", group, order)
                order += 1
                self.result.agents.append(agent)
                shifts: list[tuple[float, float]] = []
                spans: list[tuple[float, float]] = []
                for day in self.days():
                    base = self.day0 + day * 24 * HOUR
                    s, e = base + start, base + end
                    if e <= 0 or s >= self.horizon:
                        continue
                    shifts.append((max(s, 0.0), min(e, self.horizon)))
                    self.at(max(s, 0.0), "shift_start", agent)
                    self.at(min(e, self.horizon), "shift_end", agent)
                    for b_start, b_end in group.breaks:
                        a, b = _break_in_shift(b_start, b_end, start, end)
                        spans.append((base + a, base + b))
                breaks = [(bs, be, reason) for bs, be, reason in merged_breaks(spans)
                          if be > 0 and bs < self.horizon]
                for bs, be, _ in breaks:
                    self.at(bs, "break_start", agent)
                    self.at(be, "break_end", agent)
                self.result.shifts[agent.id] = shifts
                self.result.breaks[agent.id] = breaks

    # -- arrivals -----------------------------------------------------------------
    def rate(self, q: QueueSpec, moment: float) -> float:
        """Arrivals per hour of a queue at a moment (its profile, its opening hours)."""
        of_day = (moment - self.day0) % (24 * HOUR)
        open_start, open_end = _window(q.open)
        if not (open_start <= of_day < open_end or open_start <= of_day + 24 * HOUR < open_end):
            return 0.0
        if q.arrivals_profile:  # in clock order (the scenario sorts it)
            current = q.arrivals_profile[-1][1]  # before the first clock: yesterday's last
            for clock, value in q.arrivals_profile:
                if _seconds_of(clock) <= of_day:
                    current = value
            return current
        return q.arrivals_per_hour or 0.0

    def open_hours_later(self, q: QueueSpec, moment: float, delay: float) -> float:
        """``delay`` seconds of the queue's opening hours after ``moment``: a customer who
        would call back while the queue is closed calls once it is open again, as much
        later as the opening hours they still had to wait (a call back at 23:00 to a queue
        open 08:00–20:00 is not offered to an empty floor, where it could only be lost).
        A queue open all day: ``moment + delay``."""
        open_start, open_end = _window(q.open)
        if open_end - open_start >= 24 * HOUR:
            return moment + delay
        day = math.floor((moment - self.day0) / (24 * HOUR)) - 1
        remaining = delay
        while True:
            start = self.day0 + day * 24 * HOUR + open_start
            end = self.day0 + day * 24 * HOUR + open_end
            day += 1
            if end <= moment:
                continue
            if start >= self.horizon:
                return self.horizon
            begin = max(start, moment)
            if remaining < end - begin:
                return begin + remaining
            remaining -= end - begin

    def max_rate(self, q: QueueSpec) -> float:
        rates = [r for _, r in q.arrivals_profile or []] + [q.arrivals_per_hour or 0.0]
        return max(rates)

    def arrivals_of(self, q: QueueSpec) -> random.Random:
        """The stream of the queue's arrivals, customers and topics."""
        return self.streams[q.name][0] if self.streams else self.arrivals_rng

    def service_of(self, q: QueueSpec) -> random.Random:
        return self.streams[q.name][1] if self.streams else self.service_rng

    def patience_of(self, q: QueueSpec) -> random.Random:
        return self.streams[q.name][2] if self.streams else self.patience_rng

    def next_arrival(self, q: QueueSpec, after: float) -> None:
        """Thinning: candidates at the peak rate, kept with probability rate / peak."""
        peak = self.max_rate(q)
        moment = after
        arrivals = self.arrivals_of(q)
        while peak > 0:
            moment += arrivals.expovariate(peak / HOUR)
            if moment >= self.horizon:
                return
            if arrivals.random() * peak <= self.rate(q, moment):
                self.at(moment, "arrival", q.name)
                return

    def new_contact(self, q: QueueSpec, moment: float, customer: str | None = None,
                    topic: str | None = None, parent: Contact | None = None) -> Contact:
        self.counter += 1
        if self.max_contacts is not None and self.counter > self.max_contacts:
            raise ContactLimitReached(self.counter, self.max_contacts)
        arrivals = self.arrivals_of(q)
        contact = Contact(
            f"{q.name}-{self.counter:06d}", q.name, q.channel, moment,
            # drawn as an index, never a list of every customer (customers = 10**9 held
            # one of 90 GB); the same draw as from the list, so runs are unchanged
            customer or f"cust{arrivals.randrange(self.s.customers):05d}",
            topic or q.topics[arrivals.randrange(len(q.topics))],
            parent.id if parent else None,
        )
        self.result.contacts.append(contact)
        if self.streams:
            # a transferred leg is known by its parent's key, not its id: the ids count
            # every queue's contacts, so one more chat changed the support leg's handle
            # time in a what-if that changed chat alone
            contact.key = identity(self.base, q.name, moment, contact.customer,
                                   parent.key if parent else None)
            self.fates[contact.id] = Fate(contact.key)
        return contact

    def outage(self, q: QueueSpec, moment: float) -> bool:
        when = self.s.start + timedelta(seconds=moment)
        return any(o.channel == q.channel and (o.queue in (None, q.name))
                   and o.start <= when < o.end for o in self.s.outages)

    def arrive(self, contact: Contact) -> None:
        """A contact to a free agent, else to the queue, else blocked: ``max_queue`` limits
        the contacts that wait, so with ``max_queue = 0`` (Erlang B's loss system) a free
        agent still answers. A full queue that holds contacts blocks before an agent is
        chosen, as it always did, so runs with ``max_queue ≥ 1`` draw the same numbers."""
        state = self.queues[contact.queue]
        q = state.spec
        full = q.max_queue is not None and len(state.waiting) >= q.max_queue
        if self.outage(q, contact.arrived) or (full and state.waiting):
            contact.blocked = True
            self.fates.pop(contact.id, None)
            return
        agent = choose_agent(self.s.routing, state, self.result.agents, self.rng)
        if agent is not None and not (q.channel not in LIVE_CHANNELS and state.waiting):
            self.start_work(agent, contact, contact.arrived)
            return
        if full:  # max_queue = 0: no agent free, and no one may wait
            contact.blocked = True
            self.fates.pop(contact.id, None)
            return
        contact.waiting = True
        state.waiting.append(contact)
        if q.patience_seconds is not None and q.channel in LIVE_CHANNELS:
            fate = self.fates.get(contact.id)
            patience = fate.exponential("patience", q.patience_seconds) if fate else \
                self.patience_of(q).expovariate(1 / q.patience_seconds)
            self.at(contact.arrived + patience, "abandon", contact)

    # -- service ------------------------------------------------------------------
    def handle_seconds(self, q: QueueSpec, fate: Fate | None = None) -> float:
        mean = q.aht_seconds
        if q.aht_distribution == "fixed":
            return mean
        if q.aht_distribution == "lognormal":
            sigma = 0.6
            mu = math.log(mean) - sigma**2 / 2
            return fate.lognormal("service", mu, sigma) if fate else \
                self.service_of(q).lognormvariate(mu, sigma)
        return fate.exponential("service", mean) if fate else \
            self.service_of(q).expovariate(1 / mean)

    def chance(self, fate: Fate | None, slot: str) -> float:
        """A uniform in [0, 1): the caller's own (``per_queue``), else the center's."""
        return fate.uniform(slot) if fate else self.rng.random()

    def start_work(self, agent: Agent, contact: Contact, moment: float) -> None:
        q = self.queues[contact.queue].spec
        contact.waiting = False
        contact.agent = agent.id
        contact.accepted = moment
        fate = self.fates.get(contact.id)
        duration = self.handle_seconds(q, fate)
        if q.channel == "voice":
            contact.first_response = moment
            if self.chance(fate, "hold") < 0.2:
                held = fate.exponential("hold_length", 40) if fate else \
                    self.rng.expovariate(1 / 40)
                contact.hold = round(min(duration / 3, held), 1)
        elif q.channel in LIVE_CHANNELS:
            reply = fate.uniform("first_response", 5, 30) if fate else self.rng.uniform(5, 30)
            contact.first_response = moment + min(duration / 2, reply)
        else:
            contact.first_response = moment + duration  # the reply is the work
        agent.active += 1
        if q.channel not in CONCURRENT_CHANNELS:
            agent.exclusive += 1
        self.at(moment + duration, "end", (agent, contact))

    def finish(self, agent: Agent, contact: Contact, moment: float) -> None:
        q = self.queues[contact.queue].spec
        contact.ended = moment
        assert contact.accepted is not None
        agent.work.append((contact.accepted, moment, "handling", q.channel))
        if q.channel in ("chat", "messenger"):
            self.chat_messages(contact)
        fate = self.fates.pop(contact.id, None)  # its last use: a run holds the open ones
        contact.resolved = self.chance(fate, "resolved") < q.resolution_rate
        if q.transfer_to and self.chance(fate, "transfer") < q.transfer_rate:
            contact.transferred = True
            target = self.queues[q.transfer_to].spec
            child = self.new_contact(target, moment, contact.customer, contact.topic,
                                     contact)
            self.at(moment, "arrive", child)
        elif self.chance(fate, "repeat") < q.repeat_rate:
            delay = fate.exponential("repeat_delay", 6 * HOUR) if fate else \
                self.rng.expovariate(1 / (6 * HOUR))
            again = self.open_hours_later(q, moment, delay)
            if again < self.horizon:
                self.at(again, "arrive",
                        self.new_contact(q, again, contact.customer, contact.topic))
        self.surveys(contact, moment)
        if q.acw_seconds > 0:
            share = fate.uniform("acw", 0.5, 1.5) if fate else self.rng.uniform(0.5, 1.5)
            contact.acw = round(share * q.acw_seconds, 1)
            agent.work.append((moment, moment + contact.acw, "acw", q.channel))
            self.at(moment + contact.acw, "free", (agent, q.channel))
        else:
            self.free(agent, moment, q.channel)

    def free(self, agent: Agent, moment: float, channel: str) -> None:
        agent.active -= 1
        if channel not in CONCURRENT_CHANNELS:
            agent.exclusive -= 1
        if agent.active == 0:
            agent.idle_since = moment
        self.dispatch(agent, moment)

    def dispatch(self, agent: Agent, moment: float) -> None:
        """Give a free agent the oldest waiting live contact of its skills, else e-mail."""
        while True:
            candidates = [
                self.queues[name] for name in agent.group.skills
                if self.queues[name].waiting
                and agent.can_take(name, self.queues[name].spec.channel)
            ]
            if not candidates:
                return
            live = [c for c in candidates if c.spec.channel in LIVE_CHANNELS]
            pool = live or candidates
            if self.s.routing == "skills_priority":
                chosen = pool[0]
            else:
                chosen = min(pool, key=lambda st: st.waiting[0].arrived)
            contact = chosen.waiting.popleft()
            self.start_work(agent, contact, moment)

    # -- side data ----------------------------------------------------------------
    def chat_messages(self, contact: Contact) -> None:
        assert contact.first_response is not None and contact.ended is not None
        out = self.result.messages
        out.append((contact.id, contact.arrived, "customer", None))
        out.append((contact.id, contact.first_response, "agent", contact.agent))
        moment = contact.first_response
        while True:
            moment += self.rng.expovariate(1 / 60)
            if moment >= contact.ended:
                return
            out.append((contact.id, moment, "customer", None))
            reply = moment + self.rng.expovariate(1 / 35)
            if reply >= contact.ended:
                return
            out.append((contact.id, reply, "agent", contact.agent))
            moment = reply

    def surveys(self, contact: Contact, moment: float) -> None:
        for spec in self.s.surveys:
            if self.rng.random() < spec.response_rate:
                scores = list(range(spec.scale_min, spec.scale_max + 1))
                score = self.rng.choices(scores, weights=spec.weights)[0]
                self.result.surveys.append((contact.id, contact.customer, spec.survey, score,
                                            spec.scale_min, spec.scale_max, moment + 600))

    # -- loop -----------------------------------------------------------------------
    def run(self, progress: Callable[[float], None] | None = None) -> Result:
        for q in self.s.queues:
            self.next_arrival(q, 0.0)
        handlers: dict[str, Callable[[float, object], None]] = {
            "arrival": self._on_arrival, "arrive": self._on_arrive,
            "abandon": self._on_abandon, "end": self._on_end, "free": self._on_free,
            "shift_start": self._on_shift_start, "shift_end": self._on_shift_end,
            "break_start": self._on_break_start, "break_end": self._on_break_end,
        }
        last_report = 0.0
        while self.events:
            moment, _, _, kind, payload = heapq.heappop(self.events)
            handlers[kind](moment, payload)
            if progress and moment - last_report > HOUR:
                progress(min(moment / self.horizon, 1.0))
                last_report = moment
        self.outbound()
        return self.result

    def _on_arrival(self, moment: float, name: object) -> None:
        q = self.queues[str(name)].spec
        self.arrive(self.new_contact(q, moment))
        self.next_arrival(q, moment)

    def _on_arrive(self, moment: float, contact: object) -> None:
        assert isinstance(contact, Contact)
        self.arrive(contact)

    def _on_abandon(self, moment: float, contact: object) -> None:
        assert isinstance(contact, Contact)
        if contact.waiting:
            contact.waiting = False
            contact.abandoned = moment
            self.queues[contact.queue].waiting.remove(contact)
            self.fates.pop(contact.id, None)

    def _on_end(self, moment: float, payload: object) -> None:
        assert isinstance(payload, tuple)
        agent, contact = payload
        assert isinstance(agent, Agent) and isinstance(contact, Contact)
        self.finish(agent, contact, moment)

    def _on_free(self, moment: float, payload: object) -> None:
        assert isinstance(payload, tuple)
        agent, channel = payload
        assert isinstance(agent, Agent)
        self.free(agent, moment, str(channel))

    def _on_shift_start(self, moment: float, agent: object) -> None:
        assert isinstance(agent, Agent)
        agent.on_shift, agent.idle_since = True, moment
        self.dispatch(agent, moment)

    def _on_shift_end(self, moment: float, agent: object) -> None:
        assert isinstance(agent, Agent)
        agent.on_shift = False

    def _on_break_start(self, moment: float, agent: object) -> None:
        assert isinstance(agent, Agent)
        agent.on_break = True

    def _on_break_end(self, moment: float, agent: object) -> None:
        assert isinstance(agent, Agent)
        agent.on_break = False
        self.dispatch(agent, moment)

    def outbound(self) -> None:
        """The campaigns' dial attempts, after the inbound day (:mod:`.dialer`)."""
        dials = dial(self.s.campaigns, self.result.agents, self.result.shifts,
                     self.result.breaks, self.base, self.counter)
        self.counter += len(dials)
        self.result.dials.extend(dials)


class ContactLimitReached(UsageError):
    """More contacts than ``max_contacts`` (a page's limit): repeats of repeats and
    transfers made a scenario bounded at 14,400 contacts run 51,049, so the page's size
    check before the run could not be the only one."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the simulation passed {limit:,} contacts")
        self.size, self.limit = size, limit


def simulate(scenario: Scenario, seed: int | None = None,
             progress: Callable[[float], None] | None = None,
             max_contacts: int | None = None) -> Result:
    return Simulation(scenario, seed, max_contacts).run(progress)
