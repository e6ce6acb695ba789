"""What-ifs on a scenario: the changes a planner tries before production.

A what-if is a scenario with a few settings changed — agents per group, the chat
sessions an agent holds, the routing rule, the volume, the handle time and each outbound
campaign's dialing rate — and nothing else, so that simulated with the same seed it sees
the same callers as the scenario it came from (the simulator draws arrivals, service
times and patience from separate streams) and the difference in the numbers is the
effect of the change.

The changed scenario is a scenario file of its own (:func:`scenario_toml`): what the page
compares, ``omnikpi simulate compare`` compares too.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from omnikpi.errors import UsageError, describe_validation_error
from omnikpi.simulate.scenario import Routing, Scenario, check_references

MAX_CONTACTS = 250_000
"""Most contacts (and dial attempts) a scenario may offer where the simulation runs for a
web request (about 3 s of simulation; the command line has no limit)."""
MAX_AGENTS = 2_000
"""Most agents a scenario may have there."""
MAX_SCHEDULE_EVENTS = 500_000
"""Most shift and break starts and ends (agents × days × (2 + 2 × breaks)) there: each is
an event of the simulation and rows of ``agent_states`` and ``shift_activities``, so a
thousand agents over 400 days (3.2 million of them) ran for minutes with no contact at
all. Measured: 240,000 took 21 s to simulate and measure, 100,000 contacts 65 s, so
500,000 stay within what the contacts' limit lets through."""
MAX_CUSTOMERS = 10_000_000
"""The largest customer pool there (``customers``: customer ids are drawn from it)."""


@dataclass(frozen=True)
class WhatIf:
    """The changes to a scenario; an empty one changes nothing."""

    agents: Mapping[str, int] = field(default_factory=dict)
    """Agents in a group, by the group's name."""
    capacity: Mapping[str, int] = field(default_factory=dict)
    """Chat sessions an agent of the group holds at once, by the group's name."""
    routing: Routing | None = None
    volume_change: float = 0.0
    """Change of every queue's arrival rates, as a share (0.1: 10 % more contacts)."""
    aht_change: float = 0.0
    """Change of every queue's handle time — service and after-call work alike, so the
    average handle time changes by exactly this share (−0.1: 10 % shorter)."""
    dialing: Mapping[str, float] = field(default_factory=dict)
    """Dial attempts per hour of an outbound campaign, by the campaign's name (the
    dialer's pace: faster, the agents talk more and more answered calls drop)."""

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario with these changes, checked as a scenario file is."""
        groups = {g.name for g in scenario.agent_groups}
        unknown = sorted({*self.agents, *self.capacity} - groups)
        if unknown:
            raise UsageError(f"the scenario has no agent group {', '.join(unknown)} "
                             f"(its groups: {', '.join(sorted(groups))})")
        campaigns = {c.name for c in scenario.campaigns}
        unknown = sorted(set(self.dialing) - campaigns)
        if unknown:
            raise UsageError(f"the scenario has no outbound campaign {', '.join(unknown)} "
                             f"(its campaigns: {', '.join(sorted(campaigns)) or 'none'})")
        if self.volume_change < -1 or self.aht_change <= -1:
            raise UsageError("volume can fall by 100 % at most, handle time by less than 100 %")
        volume, handling = 1 + self.volume_change, 1 + self.aht_change
        queues = [q.model_copy(update={
            "arrivals_per_hour": None if q.arrivals_per_hour is None
            else round(q.arrivals_per_hour * volume, 6),
            "arrivals_profile": None if q.arrivals_profile is None
            else [(clock, round(rate * volume, 6)) for clock, rate in q.arrivals_profile],
            "aht_seconds": round(q.aht_seconds * handling, 3),
            "acw_seconds": round(q.acw_seconds * handling, 3),
        }) for q in scenario.queues]
        agent_groups = [g.model_copy(update={
            "count": self.agents.get(g.name, g.count),
            "capacity": self.capacity.get(g.name, g.capacity),
        }) for g in scenario.agent_groups]
        dialers = [c.model_copy(update={
            "attempts_per_hour": self.dialing.get(c.name, c.attempts_per_hour),
        }) for c in scenario.campaigns]
        data = scenario.model_copy(update={
            "queues": queues, "agent_groups": agent_groups, "campaigns": dialers,
            "routing": self.routing or scenario.routing}).model_dump()
        try:  # model_copy does not validate: a negative count would pass it
            changed = Scenario.model_validate(data)
        except ValidationError as exc:
            raise UsageError(describe_validation_error("the what-if", exc)) from exc
        check_references(changed, "the what-if")
        return changed

    def changes(self, scenario: Scenario) -> list[Change]:
        """What differs from the scenario, in the order of the form."""
        found: list[Change] = []
        for group in scenario.agent_groups:
            if self.agents.get(group.name, group.count) != group.count:
                found.append(Change("agents", group.name, group.count, self.agents[group.name]))
            if self.capacity.get(group.name, group.capacity) != group.capacity:
                found.append(Change("capacity", group.name, group.capacity,
                                    self.capacity[group.name]))
        if self.routing is not None and self.routing != scenario.routing:
            found.append(Change("routing", None, scenario.routing, self.routing))
        if self.volume_change:
            found.append(Change("volume", None, 0.0, self.volume_change))
        if self.aht_change:
            found.append(Change("aht", None, 0.0, self.aht_change))
        for campaign in scenario.campaigns:
            pace = self.dialing.get(campaign.name, campaign.attempts_per_hour)
            if pace != campaign.attempts_per_hour:
                found.append(Change("dialing", campaign.name, campaign.attempts_per_hour,
                                    pace))
        return found


@dataclass(frozen=True)
class Change:
    """One setting changed: ``what`` (agents, capacity, routing, volume, aht, dialing),
    the agent group or campaign it is about (or None), before and after (volume and
    AHT: shares of change; dialing: attempts per hour)."""

    what: str
    group: str | None
    before: Any
    after: Any


def offered_at_most(scenario: Scenario) -> float:
    """An upper bound of the contacts and dial attempts the scenario offers: each queue
    at its highest rate, each campaign at its rate, all the time (repeats and transfers
    come on top of arrivals, at most one of each per contact)."""
    hours = scenario.hours()
    arrivals = 0.0
    for q in scenario.queues:
        rates = [rate for _, rate in q.arrivals_profile or []]
        highest = max([q.arrivals_per_hour or 0.0, *rates])
        arrivals += highest * hours * (1 + q.repeat_rate + q.transfer_rate)
    return arrivals + sum(c.attempts_per_hour for c in scenario.campaigns) * hours


def schedule_events_at_most(scenario: Scenario) -> int:
    """An upper bound of the shift and break starts and ends of a run: each agent works
    at most one shift a day for each day the run touches (a night shift: the one begun
    the evening before too), with its group's breaks."""
    shifts = math.ceil(scenario.hours() / 24) + 1
    return sum(g.count * shifts * (2 + 2 * len(g.breaks)) for g in scenario.agent_groups)


def check_size(scenario: Scenario, where: str) -> None:
    """A scenario small enough to simulate while someone waits for a page: contacts,
    agents, their shifts and breaks, and customers each bounded."""
    offered = offered_at_most(scenario)
    if offered > MAX_CONTACTS:
        raise ScenarioTooLarge(f"{where} offers up to {offered:,.0f} contacts; a page "
                               f"simulates at most {MAX_CONTACTS:,}: compare it on the "
                               "command line (omnikpi simulate compare)",
                               int(offered), MAX_CONTACTS, "contacts")
    agents = sum(g.count for g in scenario.agent_groups)
    if agents > MAX_AGENTS:
        raise ScenarioTooLarge(f"{where} has {agents:,} agents; a page simulates at most "
                               f"{MAX_AGENTS:,}: compare it on the command line (omnikpi "
                               "simulate compare)", agents, MAX_AGENTS, "agents")
    events = schedule_events_at_most(scenario)
    if events > MAX_SCHEDULE_EVENTS:
        raise ScenarioTooLarge(f"{where} has up to {events:,} shift and break starts and "
                               "ends (agents × days × (2 + 2 × breaks)); a page simulates at "
                               f"most {MAX_SCHEDULE_EVENTS:,}: fewer agents or days, or "
                               "compare it on the command line (omnikpi simulate compare)",
                               events, MAX_SCHEDULE_EVENTS, "shift and break events")
    if scenario.customers > MAX_CUSTOMERS:
        raise ScenarioTooLarge(f"{where} has {scenario.customers:,} customers; a page "
                               f"simulates at most {MAX_CUSTOMERS:,}: compare it on the "
                               "command line (omnikpi simulate compare)",
                               scenario.customers, MAX_CUSTOMERS, "customers")


class ScenarioTooLarge(UsageError):
    """Too large a scenario for a page: ``size`` of at most ``limit`` of ``what``
    (contacts, agents, shift and break events, customers)."""

    def __init__(self, message: str, size: int, limit: int, what: str = "contacts") -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit
        self.what = what


def scenario_toml(scenario: Scenario, title: str = "") -> str:
    """The scenario as a scenario file (settings at their defaults left out), headed by
    ``title`` as a comment; reading it back gives the same scenario. Lists are written on
    one line each, as people write an arrival profile."""
    data = scenario.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    lines = [f"# {line}" for line in title.splitlines()]
    tables = {key: value for key, value in data.items()
              if isinstance(value, list) and value and isinstance(value[0], dict)}
    lines += [f"{key} = {_toml_value(value)}" for key, value in data.items()
              if key not in tables]
    for key, rows in tables.items():
        for row in rows:
            lines += ["", f"[[{key}]]"]
            lines += [f"{name} = {_toml_value(value)}" for name, value in row.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    """A TOML value: a JSON string is a TOML basic string, JSON numbers are TOML's."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (int, float, str)):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"no TOML for {value!r}")
