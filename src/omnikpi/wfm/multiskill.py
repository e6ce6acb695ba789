"""Multi-skill staffing by simulation: the smallest headcount per agent group that meets
every queue's service-level target under the scenario's own routing.

Erlang formulas assume one skill. With agents holding several skills, how much of a
shared group's time each queue gets depends on the routing, so the staffing is judged
by the simulator: each candidate headcount is run ``replications`` times (seeds
``seed``, ``seed + 1``, …; the same seeds for every candidate, so candidates are compared
on the same arrivals) and a queue's service level is the mean over the replications,
with a 95 % confidence interval from Student's t.

The search is greedy, as WFM tools do it: from a lower bound (each queue's offered load
in Erlangs shared out over the groups with its skill) add one agent at a time to the
group whose extra agent most reduces the total shortfall Σ max(0, target − SL), until
every queue's mean SL meets its target; then take agents away again, group by group,
while the targets still hold. The result is minimal in the sense that no single agent
can be removed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from omnikpi.confidence import mean_ci
from omnikpi.errors import UsageError
from omnikpi.simulate.runner import simulate
from omnikpi.simulate.scenario import Scenario

MAX_EVALUATIONS = 200
"""Candidate headcounts simulated before the search gives up."""
MAX_REPLICATIONS = 100
MAX_CONTACTS_PER_CANDIDATE = 2_000_000
"""Contacts simulated for one candidate (all replications): about a minute of work."""


@dataclass(frozen=True)
class Target:
    service_level: float
    threshold_seconds: float


@dataclass(frozen=True)
class QueueEstimate:
    queue: str
    target: Target
    service_level: float
    ci_low: float
    ci_high: float
    asa_seconds: float | None
    offered_per_replication: float

    def to_json(self) -> dict[str, object]:
        return {"queue": self.queue, "target_sl": self.target.service_level,
                "threshold_seconds": self.target.threshold_seconds,
                "service_level": round(self.service_level, 4),
                "ci95": [round(self.ci_low, 4), round(self.ci_high, 4)],
                "asa_seconds": None if self.asa_seconds is None else round(self.asa_seconds, 2),
                "offered_per_replication": self.offered_per_replication}


@dataclass(frozen=True)
class Evaluation:
    agents: dict[str, int]
    queues: list[QueueEstimate]
    replications: int

    def meets(self) -> bool:
        return all(q.service_level >= q.target.service_level for q in self.queues)

    def shortfall(self) -> float:
        return sum(max(0.0, q.target.service_level - q.service_level) for q in self.queues)

    def to_json(self) -> dict[str, object]:
        return {"agents": self.agents, "total_agents": sum(self.agents.values()),
                "meets_targets": self.meets(), "replications": self.replications,
                "queues": [q.to_json() for q in self.queues]}


def queue_service_levels(scenario: Scenario, agents: dict[str, int], seed: int,
                         targets: dict[str, Target], warmup_hours: float
                         ) -> dict[str, tuple[float, float | None, int]]:
    """One run: per queue (SL, ASA of answered, contacts offered after the warm-up).

    SL is the Erlang C one: contacts answered within the threshold / contacts offered
    (arrived after the warm-up); a contact still waiting at the end counts as missed only
    once it has waited longer than the threshold (else it is not counted)."""
    groups = [g.model_copy(update={"count": agents[g.name]}) for g in scenario.agent_groups]
    result = simulate(scenario.model_copy(update={"agent_groups": groups}), seed=seed)
    horizon = scenario.hours() * 3600
    start = warmup_hours * 3600
    out: dict[str, tuple[float, float | None, int]] = {}
    for name, target in targets.items():
        within = offered = answered = 0
        wait_total = 0.0
        for c in result.contacts:
            if c.queue != name or c.arrived < start:
                continue
            if c.accepted is not None:
                wait = c.accepted - c.arrived
                answered += 1
                wait_total += wait
                within += wait <= target.threshold_seconds
            elif c.abandoned is None and not c.blocked and \
                    horizon - c.arrived <= target.threshold_seconds:
                continue  # still within the threshold when the run ended
            offered += 1
        out[name] = (within / offered if offered else 1.0,
                     wait_total / answered if answered else None, offered)
    return out


def evaluate_multiskill(scenario: Scenario, agents: dict[str, int],
                        targets: dict[str, Target], replications: int = 5,
                        warmup_hours: float = 0.5) -> Evaluation:
    """Every queue's SL (mean and 95 % CI over ``replications`` runs) for a headcount."""
    runs = [queue_service_levels(scenario, agents, scenario.seed + i, targets, warmup_hours)
            for i in range(replications)]
    estimates = []
    for name, target in targets.items():
        levels = [run[name][0] for run in runs]
        waits = [w for run in runs if (w := run[name][1]) is not None]
        mean, low, high = mean_ci(levels)
        estimates.append(QueueEstimate(
            name, target, mean, max(0.0, low), min(1.0, high),
            sum(waits) / len(waits) if waits else None,
            sum(run[name][2] for run in runs) / replications))
    return Evaluation(dict(agents), estimates, replications)


def _lower_bound(scenario: Scenario) -> dict[str, int]:
    """Each queue's load (Erlangs at its peak rate) shared out over the groups that
    have its skill; a group gets the floor of its share (at least as many agents are
    needed in total, as every queue needs more servers than its load)."""
    share = {g.name: 0.0 for g in scenario.agent_groups}
    for q in scenario.queues:
        rate = max([q.arrivals_per_hour or 0.0] + [r for _, r in q.arrivals_profile or []])
        load = rate * q.aht_seconds / 3600
        holders = [g for g in scenario.agent_groups if q.name in g.skills]
        for g in holders:
            share[g.name] += load / len(holders) / g.capacity
    return {name: math.floor(value) for name, value in share.items()}


@dataclass(frozen=True)
class Search:
    best: Evaluation
    evaluations: int


def staff_multiskill(scenario: Scenario, targets: dict[str, Target], replications: int = 5,
                     warmup_hours: float = 0.5, max_agents: int = 500) -> Search:
    """The smallest headcount per agent group meeting every target (greedy, see above)."""
    if replications < 2:
        raise UsageError("--replications must be at least 2 (for a confidence interval)")
    unknown = sorted(set(targets) - {q.name for q in scenario.queues})
    if unknown:
        raise UsageError(f"no queue named {', '.join(unknown)} in the scenario")
    for q in scenario.queues:
        if q.name in targets and not any(q.name in g.skills for g in scenario.agent_groups):
            raise UsageError(f"no agent group has the skill {q.name}: its target cannot be met")
    peak = sum(max([q.arrivals_per_hour or 0.0] + [r for _, r in q.arrivals_profile or []])
               for q in scenario.queues)
    if peak * scenario.hours() * replications > MAX_CONTACTS_PER_CANDIDATE:
        raise UsageError(f"each candidate would simulate up to "
                         f"{peak * scenario.hours() * replications:,.0f} contacts (at most "
                         f"{MAX_CONTACTS_PER_CANDIDATE:,}): shorten the scenario's "
                         "duration or use fewer --replications")
    cache: dict[tuple[int, ...], Evaluation] = {}
    names = [g.name for g in scenario.agent_groups]

    def run(agents: dict[str, int]) -> Evaluation:
        key = tuple(agents[n] for n in names)
        if key not in cache:
            if len(cache) >= MAX_EVALUATIONS:
                raise UsageError(f"no staffing found within {MAX_EVALUATIONS} simulated "
                                 "candidates: check the targets and the agents' shifts")
            cache[key] = evaluate_multiskill(scenario, agents, targets, replications,
                                             warmup_hours)
        return cache[key]

    current = run(_lower_bound(scenario))
    while not current.meets():
        failing = {q.queue for q in current.queues
                   if q.service_level < q.target.service_level}
        candidates = [g.name for g in scenario.agent_groups if failing & set(g.skills)]
        if sum(current.agents.values()) >= max_agents:
            raise UsageError(f"the targets need more than {max_agents} agents "
                             "(--max-agents): check the targets and the agents' shifts")
        tried = [run({**current.agents, n: current.agents[n] + 1}) for n in candidates]
        current = min(tried, key=lambda e: (e.shortfall(), -sum(
            q.service_level for q in e.queues)))
    improved = True
    while improved:
        improved = False
        for n in names:
            if current.agents[n] == 0:
                continue
            fewer = run({**current.agents, n: current.agents[n] - 1})
            if fewer.meets():
                current, improved = fewer, True
    return Search(current, len(cache))
