"""A greedy schedule handed to CP-SAT as its first solution (a complete hint: a partial
one is ignored). On 200 agents × 4 weeks the solver alone found far worse schedules than
this within a minute; its large-neighbourhood search then improves on it.

Shifts: each class's weekly shifts one at a time where they cover the most requirement
still open, a shift counting at each slot with the share of the day its breaks leave it
(breaks spread over their windows). Breaks: one agent at a time at the start where the
staffing is highest above the requirement.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from omnikpi.wfm.schedule.solver import _Model

Key = tuple[int, int, int, str]


def _presence(model: _Model, pi: int) -> list[float]:
    """Per slot of pattern ``pi``: the expected share of its agents on work."""
    slot = model.slot
    length = model.patterns[pi][1]
    out = [1.0] * (length // slot)
    for act in model.rules.activities:
        starts = list(range(act.earliest_minutes, act.latest_minutes + 1, act.step_minutes))
        for o in starts:
            for t in range(o, o + act.minutes, slot):
                if t // slot < len(out):
                    out[t // slot] -= 1.0 / len(starts)
    return out


def _shifts(model: _Model) -> dict[Key, int]:
    slot, req = model.slot, model.req
    residual: dict[tuple[str, int], float] = {}
    for (k, at), need in req.required.items():
        for t in range(at, at + req.interval_minutes, slot):
            residual[k, t] = float(need)
    presence = [_presence(model, pi) for pi in range(len(model.patterns))]
    options: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for ci, d, pi, k in model.x:
        options[ci, d].append((pi, k))

    def gain(d: int, pi: int, k: str) -> float:
        begin = d * 1440 + model.patterns[pi][0]
        return sum(min(residual.get((k, begin + i * slot), 0.0), share)
                   for i, share in enumerate(presence[pi])
                   if residual.get((k, begin + i * slot), 0.0) > 0)

    chosen: dict[Key, int] = defaultdict(int)
    for ci, members in enumerate(model.classes):
        per_week = model.rules.days_per_week if members[0].days_per_week is None \
            else members[0].days_per_week
        for week in range((req.days + 6) // 7):
            days = [d for d in range(7 * week, min(7 * week + 7, req.days))
                    if options.get((ci, d))]
            total = len(members) * max(1, per_week - (7 - len(days)) if len(days) < 7
                                       else per_week)
            used = dict.fromkeys(days, 0)
            gains = {(d, pi, k): gain(d, pi, k) for d in days for pi, k in options[ci, d]}
            for _ in range(min(total, len(members) * len(days))):
                open_keys = [key for key in gains if used[key[0]] < len(members)]
                if not open_keys:
                    break
                d, pi, k = max(open_keys, key=lambda key: (gains[key], -used[key[0]]))
                used[d] += 1
                chosen[ci, d, pi, k] += 1
                begin = d * 1440 + model.patterns[pi][0]
                for i, share in enumerate(presence[pi]):
                    if (k, begin + i * slot) in residual:
                        residual[k, begin + i * slot] -= share
                for pj, kj in options[ci, d]:  # only that day's gains changed
                    gains[d, pj, kj] = gain(d, pj, kj)
    return chosen


def add_hint(model: _Model) -> None:
    chosen = _shifts(model)
    slot, req = model.slot, model.req
    value: dict[int, int] = {}
    for key, v in model.x.items():
        value[v.index] = chosen.get(key, 0)
    totals: dict[tuple[int, int, str], int] = defaultdict(int)
    for (_, d, pi, k), c in chosen.items():
        totals[d, pi, k] += c
    surplus: dict[tuple[str, int], float] = defaultdict(lambda: float("inf"))
    for (k, at), need in req.required.items():
        for t in range(at, at + req.interval_minutes, slot):
            surplus[k, t] = -need
    for (d, pi, k), total in totals.items():
        start, length = model.patterns[pi]
        for t in range(d * 1440 + start, d * 1440 + start + length, slot):
            surplus[k, t] += total
    for (d, pi, k), n in sorted(model.count.items()):
        total = totals.get((d, pi, k), 0)
        value[n.index] = total
        begin = d * 1440 + model.patterns[pi][0]
        for ri, act in enumerate(model.rules.activities):
            opts = model.offsets[d, pi, k, ri]
            placed = dict.fromkeys(opts, 0)
            for _ in range(total):
                best = max(opts, key=lambda o: min(
                    surplus[k, t] for t in range(begin + o, begin + o + act.minutes, slot)))
                placed[best] += 1
                for t in range(begin + best, begin + best + act.minutes, slot):
                    surplus[k, t] -= 1
            for o, var in opts.items():
                value[var.index] = placed[o]
    for (k, t), under in model.under.items():
        need = req.required[k, t - t % req.interval_minutes]
        have = sum(value[p.index] for p in model.plus.get((k, t), [])) - \
            sum(value[q.index] for q in model.minus.get((k, t), []))
        value[under.index] = max(0, need - have)
        value[model.over[k, t].index] = max(0, have - need)
    worst = 0
    for ci, members in enumerate(model.classes):
        bad = sum(c for (cj, d, pi, _), c in chosen.items() if cj == ci and model.unpopular(
            d, model.patterns[pi][0]))
        worst = max(worst, -(-bad // len(members)))
    value[model.unpopular_max.index] = worst
    for v in [*model.x.values(), *model.count.values(), *model.under.values(),
              *model.over.values(), model.unpopular_max,
              *(c for opts in model.offsets.values() for c in opts.values())]:
        model.model.add_hint(v, value[v.index])
