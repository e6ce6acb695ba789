"""The schedule as a CP-SAT model.

One boolean per agent, day, shift pattern (start × length) and skill says the agent works
that shift. Breaks and lunches do not need a variable per agent: their windows never
overlap (``ShiftRules.check``), so any choice of one start per activity is a valid day,
and only *how many* of the agents on a pattern take each break start matters for
coverage — one integer per pattern, activity and start. Coverage of a slot is then the
patterns covering it minus the breaks covering it, and individual break times are dealt
out to the agents afterwards.

Objective (weighted sum, under-staffing weighted far above the rest): agent-slots short
of the requirement, agent-slots above it, paid hours × cost, the most unpopular shifts
any one agent gets, and missed preferences.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from ortools.sat.python import cp_model

from omnikpi.errors import DataError
from omnikpi.wfm.schedule.inputs import Agent, Requirement
from omnikpi.wfm.schedule.rules import ShiftRules

Pattern = tuple[int, int]
"""(start minute of the day, length in minutes)."""


@dataclass(frozen=True)
class PlacedActivity:
    name: str
    start_minutes: int
    end_minutes: int
    paid: bool


@dataclass(frozen=True)
class PlacedShift:
    agent: Agent
    skill: str
    start_minutes: int
    """From the plan's origin (midnight of its first day)."""
    end_minutes: int
    activities: tuple[PlacedActivity, ...]

    @property
    def paid_minutes(self) -> int:
        unpaid = sum(a.end_minutes - a.start_minutes for a in self.activities if not a.paid)
        return self.end_minutes - self.start_minutes - unpaid


@dataclass
class Schedule:
    requirement: Requirement
    rules: ShiftRules
    slot_minutes: int
    shifts: list[PlacedShift]
    status: str
    objective: float
    bound: float
    wall_seconds: float
    under: float = 0.0
    """Agent-intervals short of the requirement (agent-slots × slot / interval)."""
    over: float = 0.0
    coverage: dict[tuple[str, int], float] = field(default_factory=dict)
    """(skill, interval start minute) → agents on work, averaged over the interval."""
    unused_agents: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """Relative distance of the objective to the solver's bound (0 = proven optimal)."""
        return abs(self.objective - self.bound) / max(1.0, abs(self.objective))


def paid_minutes(rules: ShiftRules, length: int) -> int:
    return length - sum(a.minutes for a in rules.activities if not a.paid)


def _allowed(agent: Agent, req: Requirement, rules: ShiftRules,
             day: int, pattern: Pattern) -> bool:
    when = req.origin.date() + timedelta(days=day)
    if when.weekday() in agent.days_off or when in agent.dates_off:
        return False
    start, length = pattern
    return agent.available_from_minutes <= start and \
        start + length <= agent.available_to_minutes


def _unpopular(rules: ShiftRules, req: Requirement, day: int, start: int) -> bool:
    weekday = (req.origin.date() + timedelta(days=day)).weekday()
    before, after = rules.unpopular_start_before_minutes, rules.unpopular_start_after_minutes
    return weekday in rules.unpopular_weekdays or (before is not None and start < before) \
        or (after is not None and start > after)


def _class_key(agent: Agent) -> tuple[object, ...]:
    """What the solver sees of an agent: agents alike in all of it are interchangeable."""
    return (agent.skills, agent.days_per_week, agent.min_weekly_minutes,
            agent.max_weekly_minutes, agent.available_from_minutes,
            agent.available_to_minutes, agent.days_off, agent.dates_off,
            agent.preferred_start_minutes, agent.preferred_days_off, agent.cost_per_hour)


def agent_classes(agents: list[Agent], rules: ShiftRules) -> list[list[Agent]]:
    """Agents grouped into interchangeable classes. A class can be solved as counts (how
    many of its agents work each shift) and dealt out afterwards by rotation, which keeps
    each agent's days per week within the rule. Rest between days and weekly hours with
    several shift lengths depend on the individual sequence: then one class per agent."""
    patterns = [(s, n) for s in rules.starts() for n in rules.shift_minutes]
    short_rest = any(1440 + s2 - (s1 + n1) < rules.min_rest_minutes
                     for s1, n1 in patterns for s2, _ in patterns)
    hours = len(set(rules.shift_minutes)) > 1 and (
        rules.min_weekly_minutes is not None or rules.max_weekly_minutes is not None or
        any(a.min_weekly_minutes is not None or a.max_weekly_minutes is not None
            for a in agents))
    if short_rest or hours:
        return [[a] for a in agents]
    groups: dict[tuple[object, ...], list[Agent]] = defaultdict(list)
    for a in agents:
        groups[_class_key(a)].append(a)
    return list(groups.values())


class _Model:
    def __init__(self, req: Requirement, agents: list[Agent], rules: ShiftRules) -> None:
        self.req, self.agents, self.rules = req, agents, rules
        self.slot = rules.slot_minutes(req.interval_minutes)
        self.model = cp_model.CpModel()
        self.patterns: list[Pattern] = [(s, n) for s in rules.starts()
                                        for n in rules.shift_minutes]
        self.classes = agent_classes(agents, rules)
        plan_skills = set(req.skills)
        self.skills_of = [
            [""] if plan_skills == {""} else [s for s in c[0].skills if s in plan_skills]
            for c in self.classes]
        self.x: dict[tuple[int, int, int, str], cp_model.IntVar] = {}
        """(class, day, pattern, skill) → how many of the class work it."""
        self.offsets: dict[tuple[int, int, str, int], dict[int, cp_model.IntVar]] = {}
        self.count: dict[tuple[int, int, str], cp_model.IntVar] = {}
        self.under: dict[tuple[str, int], cp_model.IntVar] = {}
        self.over: dict[tuple[str, int], cp_model.IntVar] = {}
        self.plus: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        self.minus: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)

    def build(self, hint: bool = True) -> None:
        m, w = self.model, self.rules.weights
        terms: list[tuple[cp_model.IntVar, int]] = []
        groups: dict[tuple[int, int, str], list[tuple[cp_model.IntVar, int]]] = \
            defaultdict(list)
        unpopular_max = m.new_int_var(0, 7 * self.req.days, "unpopular_max")
        self.unpopular_max = unpopular_max
        for ci, members in enumerate(self.classes):
            agent, size = members[0], len(members)
            per_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            unpopular = []
            minutes: dict[int, list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
            for d in range(self.req.days):
                for pi, p in enumerate(self.patterns):
                    if not _allowed(agent, self.req, self.rules, d, p):
                        continue
                    for k in self.skills_of[ci]:
                        v = m.new_int_var(0, size, f"x{ci}_{d}_{pi}_{k}")
                        self.x[ci, d, pi, k] = v
                        groups[d, pi, k].append((v, size))
                        per_day[d].append(v)
                        minutes[d // 7].append((v, paid_minutes(self.rules, p[1])))
                        if _unpopular(self.rules, self.req, d, p[0]):
                            unpopular.append(v)
                        cost = self._cost(agent, d, p)
                        if cost:
                            terms.append((v, cost))
            for vs in per_day.values():
                m.add(sum(vs) <= size)
            self._week_rules(agent, size, per_day, minutes)
            self._rest(ci)
            if unpopular:
                # dealt by rotation, no agent of the class gets more than its share, rounded up
                m.add(sum(unpopular) <= unpopular_max * size)
        terms.append((unpopular_max, 10 * w.unpopular_spread))
        for (d, pi, k), sized in groups.items():
            top = sum(people for _, people in sized)
            n = m.new_int_var(0, top, f"n{d}_{pi}_{k}")
            m.add(n == sum(var for var, _ in sized))
            self.count[d, pi, k] = n
            for ri, act in enumerate(self.rules.activities):
                opts = {o: m.new_int_var(0, top, f"c{d}_{pi}_{k}_{ri}_{o}")
                        for o in range(act.earliest_minutes, act.latest_minutes + 1,
                                       act.step_minutes)}
                m.add(sum(opts.values()) == n)
                self.offsets[d, pi, k, ri] = opts
        self._coverage(terms)
        m.minimize(sum(c * v for v, c in terms))
        if hint:
            from omnikpi.wfm.schedule.hint import add_hint

            add_hint(self)

    def unpopular(self, day: int, start: int) -> bool:
        return _unpopular(self.rules, self.req, day, start)

    def _cost(self, agent: Agent, d: int, p: Pattern) -> int:
        """Cost and missed preferences of one agent working pattern ``p`` on day ``d``,
        in tenths of the weights."""
        w = self.rules.weights
        cost = 10 * w.cost_per_paid_hour * agent.cost_per_hour * \
            paid_minutes(self.rules, p[1]) / 60
        if agent.preferred_start_minutes is not None:
            cost += 10 * w.preference * abs(p[0] - agent.preferred_start_minutes) / \
                self.rules.start_step_minutes
        weekday = (self.req.origin.date() + timedelta(days=d)).weekday()
        if weekday in agent.preferred_days_off:
            cost += 10 * w.preference * 4
        return round(cost)

    def _week_rules(self, agent: Agent, size: int, per_day: dict[int, list[cp_model.IntVar]],
                    minutes: dict[int, list[tuple[cp_model.IntVar, int]]]) -> None:
        m, rules = self.model, self.rules
        # an agent's own 0 days or 0 hours is a limit (no shift), not "the rules' value"
        per_week = rules.days_per_week if agent.days_per_week is None else agent.days_per_week
        top = rules.max_weekly_minutes if agent.max_weekly_minutes is None \
            else agent.max_weekly_minutes
        low = rules.min_weekly_minutes if agent.min_weekly_minutes is None \
            else agent.min_weekly_minutes
        if top == 0:  # no hours at all (an agent on leave): no day of work either
            per_week = 0
        if per_week == 0 and agent.min_weekly_minutes is None:
            low = None  # the rules' weekly minimum is for agents who work (it refused all)
        one_length = len(set(rules.shift_minutes)) == 1
        paid_one = paid_minutes(rules, rules.shift_minutes[0])
        for week in range((self.req.days + 6) // 7):
            days = range(7 * week, min(7 * week + 7, self.req.days))
            worked = [v for d in days for v in per_day.get(d, [])]
            open_days = sum(1 for d in days if per_day.get(d))
            most = min(per_week, len(days))
            # a part week keeps the days off the contract allows in the days outside it
            least = min(open_days, max(0, per_week - (7 - len(days))))
            if one_length and top is not None:
                most = min(most, top // paid_one)
            if one_length and low is not None and len(days) == 7:
                least = max(least, -(-low // paid_one))
            if least > most:
                raise DataError(f"agent {agent.agent_id}: the weekly hours allow no number "
                                f"of {paid_one / 60:g}-hour shifts in week {week + 1}: relax "
                                "the weekly hours or the days per week")
            # dealt by rotation, each agent then works between least and most days
            m.add(sum(worked) <= most * size)
            if least:
                m.add(sum(worked) >= least * size)
            if not one_length:  # one agent per class here (agent_classes)
                paid = sum(v * p for v, p in minutes.get(week, []))
                if top is not None:
                    m.add(paid <= top)
                if low is not None and len(days) == 7:
                    m.add(paid >= low)

    def _rest(self, ci: int) -> None:
        gap = self.rules.min_rest_minutes
        short = [(p1, p2) for p1, (s1, n1) in enumerate(self.patterns)
                 for p2, (s2, _) in enumerate(self.patterns) if 1440 + s2 - (s1 + n1) < gap]
        if not short:
            return
        skills = self.skills_of[ci]
        for d in range(self.req.days - 1):
            for p1, p2 in short:
                pair = [self.x[key] for key in
                        [(ci, d, p1, k) for k in skills] + [(ci, d + 1, p2, k) for k in skills]
                        if key in self.x]
                if len(pair) > 1:
                    self.model.add(sum(pair) <= 1)

    def _coverage(self, terms: list[tuple[cp_model.IntVar, int]]) -> None:
        m, slot = self.model, self.slot
        plus, minus = self.plus, self.minus
        for (d, pi, k), n in self.count.items():
            start, length = self.patterns[pi]
            begin = d * 1440 + start
            for t in range(begin, begin + length, slot):
                plus[k, t].append(n)
            for ri, act in enumerate(self.rules.activities):
                for o, c in self.offsets[d, pi, k, ri].items():
                    for t in range(begin + o, begin + o + act.minutes, slot):
                        minus[k, t].append(c)
        w = self.rules.weights
        for (k, at), need in self.req.required.items():
            for t in range(at, at + self.req.interval_minutes, slot):
                under = m.new_int_var(0, need, f"u{k}_{t}")
                over = m.new_int_var(0, len(self.agents), f"o{k}_{t}")
                m.add(sum(plus[k, t]) - sum(minus[k, t]) - need == over - under)
                self.under[k, t], self.over[k, t] = under, over
                terms += [(under, 10 * w.under), (over, 10 * w.over)]


def build_schedule(req: Requirement, agents: list[Agent], rules: ShiftRules,
                   time_limit_seconds: float | None = None,
                   workers: int | None = None, hint: bool = True) -> Schedule:
    """The schedule minimising under-staffing, then over-staffing and cost (``hint``:
    start the search from the greedy schedule; off only to measure what it brings)."""
    rules.check()
    began = time.perf_counter()
    model = _Model(req, agents, rules)
    model.build(hint)
    solver = cp_model.CpSolver()
    # the limit is the whole run's: building the model and the hint count in it
    budget = time_limit_seconds or rules.time_limit_seconds
    # (a second and a half is kept for dealing the shifts out and writing them)
    solver.parameters.max_time_in_seconds = max(
        1.0, budget - (time.perf_counter() - began) - 1.5)
    # within 0.01 % of the bound is as good as it gets for a plan: stop there
    solver.parameters.relative_gap_limit = 1e-4
    solver.parameters.num_workers = workers or rules.workers
    solver.parameters.random_seed = 7
    status = solver.solve(model.model)
    if status == cp_model.INFEASIBLE:
        raise DataError("no schedule meets the rules: the weekly days or hours cannot be "
                        "met with the agents' availability and days off — relax them")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise DataError(f"no schedule found within {budget:g} s:"
                        " allow more time ([solver] time_limit_seconds) or fewer agents")
    # stopped at the gap limit, CP-SAT says OPTIMAL too: only a closed gap is optimal here
    optimal = status == cp_model.OPTIMAL and \
        solver.objective_value <= solver.best_objective_bound
    return _extract(model, solver, optimal, time.perf_counter() - began)


def _deal(model: _Model, solver: cp_model.CpSolver) -> dict[tuple[int, int, str], list[Agent]]:
    """Agents of each class onto the shifts the solver counted: day by day, the next
    agents in rotation (so everyone's days per week stay within the rule), unpopular
    shifts first to those who had the fewest so far."""
    on: dict[tuple[int, int, str], list[Agent]] = defaultdict(list)
    counted: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for (c, day, pi, k), v in model.x.items():
        counted[c, day] += [(pi, k)] * solver.value(v)
    for ci, members in enumerate(model.classes):
        pointer = 0
        had: dict[str, int] = defaultdict(int)
        for d in range(model.req.days):
            todo = counted.get((ci, d), [])
            if not todo:
                continue
            chosen = [members[(pointer + i) % len(members)] for i in range(len(todo))]
            pointer += len(todo)
            todo.sort(key=lambda t: not _unpopular(model.rules, model.req, d,
                                                   model.patterns[t[0]][0]))
            chosen.sort(key=lambda a: (had[a.agent_id], a.agent_id))
            for (pi, k), agent in zip(todo, chosen, strict=True):
                if _unpopular(model.rules, model.req, d, model.patterns[pi][0]):
                    had[agent.agent_id] += 1
                on[d, pi, k].append(agent)
    return on


def _extract(model: _Model, solver: cp_model.CpSolver, optimal: bool,
             seconds: float) -> Schedule:
    req, rules = model.req, model.rules
    on = _deal(model, solver)
    shifts: list[PlacedShift] = []
    for (d, pi, k), people in sorted(on.items()):
        start, length = model.patterns[pi]
        begin = d * 1440 + start
        dealt: list[list[PlacedActivity]] = [[] for _ in people]
        for ri, act in enumerate(rules.activities):
            starts = [o for o, c in sorted(model.offsets[d, pi, k, ri].items())
                      for _ in range(solver.value(c))]
            for i, o in enumerate(starts):
                dealt[i].append(PlacedActivity(act.name, begin + o, begin + o + act.minutes,
                                               act.paid))
        for agent, acts in zip(sorted(people, key=lambda a: a.agent_id), dealt, strict=True):
            shifts.append(PlacedShift(agent, k, begin, begin + length, tuple(acts)))
    shifts.sort(key=lambda s: (s.agent.agent_id, s.start_minutes))
    share = model.slot / req.interval_minutes
    coverage: dict[tuple[str, int], float] = defaultdict(float)
    under = over = 0
    for (k, t), short in model.under.items():
        need = req.required[k, t - t % req.interval_minutes]
        # a schedule short of optimal may carry both slacks on one slot: the difference
        # is the coverage
        scheduled = need + solver.value(model.over[k, t]) - solver.value(short)
        coverage[k, t - t % req.interval_minutes] += scheduled * share
        under += max(0, need - scheduled)
        over += max(0, scheduled - need)
    used = {s.agent.agent_id for s in shifts}
    return Schedule(
        requirement=req, rules=rules, slot_minutes=model.slot, shifts=shifts,
        status="optimal" if optimal else "feasible",
        objective=solver.objective_value / 10, bound=solver.best_objective_bound / 10,
        wall_seconds=seconds,
        under=under * share, over=over * share,
        coverage=dict(coverage),
        unused_agents=[a.agent_id for a in model.agents if a.agent_id not in used])
