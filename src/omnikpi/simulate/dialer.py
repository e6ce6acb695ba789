"""Outbound campaigns as a predictive dialer: who talks, and which answered calls drop.

A predictive dialer places calls for the campaign, not for one agent, and connects a
call a person answered to a free agent of the campaign. When none is free the call is
*dropped* — the dialer abandon that regulators cap at 3 % (``dialer_abandon_rate``). So
drops come from pacing (attempts per hour against agents and talk time), never from a
random draw, and an agent's outbound talk and wrap-up are work like an inbound call's:
``handling`` then ``acw`` on the voice channel in ``agent_states``, counted by occupancy.

Dialing runs after the inbound day is simulated, so inbound work comes first: a blended
agent takes an outbound call only when no inbound work of theirs starts or runs during
it (a simplification: a real blended agent on an outbound call would make the inbound
caller wait). Attempts that reach nobody (no answer, busy, failed) and dropped calls have
no agent, as a predictive dialer's records do.
"""

from __future__ import annotations

import random
from bisect import bisect_left, insort
from dataclasses import dataclass, field

from omnikpi.simulate.model import HOUR, Agent, merged_spans
from omnikpi.simulate.scenario import Campaign

NOT_REACHED = ("no_answer", "busy", "failed")
"""Results of an attempt no person answered."""

Dial = tuple[str, str, str, float, str | None, str, bool, bool, float | None]
"""(attempt_id, campaign, lead_id, dialed_at, agent_id, result, right_party, converted,
talk_seconds)."""


@dataclass
class _Calendar:
    """When one agent can take an outbound call: on shift, not on a break, no other work."""

    shifts: list[tuple[float, float]]
    breaks: list[tuple[float, float, str]]
    work: list[tuple[float, float]] = field(default_factory=list)
    """Sorted (start, end) of everything the agent does (inbound and outbound)."""
    longest: float = 0.0
    """The longest work interval: how far back an overlapping one can start."""

    def book(self, start: float, end: float) -> None:
        insort(self.work, (start, end))
        self.longest = max(self.longest, end - start)

    def free(self, start: float, end: float) -> bool:
        if not any(a <= start < b for a, b in self.shifts):
            return False
        if any(a <= start < b for a, b, _ in self.breaks):
            return False
        first = bisect_left(self.work, (start - self.longest, start - self.longest))
        last = bisect_left(self.work, (end, end))
        return not any(b > start for _, b in self.work[first:last])


def on_duty(shifts: list[tuple[float, float]],
            breaks: list[tuple[float, float, str]]) -> list[tuple[float, float]]:
    """The parts of an agent's shifts outside their breaks."""
    spans: list[tuple[float, float]] = []
    for start, end in shifts:
        cursor = start
        for a, b, _ in sorted(breaks):
            if b <= cursor or a >= end:
                continue
            if a > cursor:
                spans.append((cursor, a))
            cursor = max(cursor, b)
        if cursor < end:
            spans.append((cursor, end))
    return spans


def dial(campaigns: list[Campaign], agents: list[Agent],
         shifts: dict[str, list[tuple[float, float]]],
         breaks: dict[str, list[tuple[float, float, str]]],
         seed: object, next_id: int) -> list[Dial]:
    """Every campaign's attempts, in order; connected calls are booked as the agents' work
    (``Agent.work``). Attempt ids continue from ``next_id``.

    Each campaign draws from a stream of its own (``seed`` and its name): drawn from the
    run's shared stream, which the inbound day also drew from (chat replies, surveys), a
    what-if on inbound staffing alone changed the campaign's attempts, connection and
    conversion — differences the comparison then showed as the change's effect."""
    calendars = {a.id: _Calendar(shifts[a.id], breaks[a.id]) for a in agents}
    for someone in agents:
        for start, end, _, _ in someone.work:
            calendars[someone.id].book(start, end)
    dials: list[Dial] = []
    for campaign in campaigns:
        dialers = [a for a in agents if a.group.name in campaign.agents]
        if not dialers or campaign.attempts_per_hour <= 0:
            continue
        rng = random.Random(f"{seed}-dial-{campaign.name}")
        # the dialer dials while an agent of the campaign is on shift and not on a break:
        # dialing from shifts alone went on through a shared lunch, and every call a
        # person answered then was dropped (13 % of 3 agents' calls for Erlang B's 0.5 %)
        windows = merged_spans([w for a in dialers
                                for w in on_duty(shifts[a.id], breaks[a.id])])
        turn = 0
        for start, end in windows:
            moment = start
            while True:
                moment += rng.expovariate(campaign.attempts_per_hour / HOUR)
                if moment >= end:
                    break
                lead = f"{campaign.name}-L{rng.randrange(campaign.leads):05d}"
                connected = rng.random() < campaign.connect_rate
                result = "connected" if connected else rng.choice(NOT_REACHED)
                rpc = connected and rng.random() < campaign.rpc_rate
                sale = rpc and rng.random() < campaign.conversion_rate
                talk = round(rng.expovariate(1 / campaign.talk_seconds), 1) \
                    if connected else None
                agent: Agent | None = None
                if talk is not None:
                    busy_until = moment + talk + campaign.wrap_seconds
                    # the longest-waiting in turn: start the search after the last taker
                    for k in range(len(dialers)):
                        candidate = dialers[(turn + k) % len(dialers)]
                        if calendars[candidate.id].free(moment, busy_until):
                            agent, turn = candidate, turn + k + 1
                            break
                    if agent is None:
                        result, rpc, sale, talk = "dropped", False, False, None
                    else:
                        calendars[agent.id].book(moment, busy_until)
                        agent.work.append((moment, moment + talk, "handling", "voice"))
                        if campaign.wrap_seconds > 0:
                            agent.work.append((moment + talk, busy_until, "acw", "voice"))
                next_id += 1
                dials.append((f"att-{next_id:06d}", campaign.name, lead, moment,
                              agent.id if agent else None, result, rpc, sale, talk))
    return dials
