"""Staffing: the fewest agents that meet a service target, and what a staff level gives.

Chat concurrency is modelled as K servers per agent: an agent holding up to K sessions
is K servers, each serving at the concurrency-adjusted AHT the engine measures (the
session length when agents run K sessions at once). Positions add shrinkage on top:
``ceil(agents / (1 − shrinkage))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from omnikpi.errors import UsageError
from omnikpi.wfm.erlang import QueueResult, QueueTooLong, erlang_a, erlang_b, erlang_c

Model = Literal["erlang_c", "erlang_a", "erlang_b"]
MODELS = ("erlang_c", "erlang_a", "erlang_b")
MAX_AGENTS = 100_000
MAX_CONCURRENCY = 20
"""Sessions an agent holds at once: agents × concurrency servers are summed one by one."""
MAX_INPUT = 1_000_000_000
"""The largest number a planner gives (volumes, seconds, minutes, hours, shares)."""


def check_inputs(**values: float | None) -> None:
    """Every number given is finite and at most ``MAX_INPUT``: a NaN passed every range
    check (``nan <= 0`` is false) and an infinity overflowed ``ceil``; a usage error names
    the value instead."""
    for name, value in values.items():
        if value is not None and not (math.isfinite(value) and abs(value) <= MAX_INPUT):
            raise UsageError(f"{name} must be a finite number up to {MAX_INPUT:,}, "
                             f"got {value}")


def check_threshold(threshold_seconds: float) -> None:
    """A service-level threshold is a wait: 0 or more seconds (a negative one gave a
    service level above what answering at once gives)."""
    if not threshold_seconds >= 0:
        raise UsageError(f"threshold must be 0 or more seconds, got {threshold_seconds}")


def check_servers(concurrency: int, agents: int = 0) -> None:
    """At most ``MAX_AGENTS`` agents holding 1 to ``MAX_CONCURRENCY`` sessions each (the
    queueing formulas loop over every server: 2 billion agents never finished)."""
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise UsageError(f"concurrency must be from 1 to {MAX_CONCURRENCY}, got {concurrency}")
    if not 0 <= agents <= MAX_AGENTS:
        raise UsageError(f"agents must be from 0 to {MAX_AGENTS:,}, got {agents}")


def check_model_targets(model: str, target_sl: float | None, target_asa: float | None,
                        max_occupancy: float | None, max_abandon: float | None) -> None:
    """Targets the model can measure. Erlang B has no queue (its ASA is always 0, and its
    occupancy falls as more calls are blocked): an ASA target or an occupancy cap alone
    was "met" by 1 agent blocking 91 % of the calls. Erlang A's callers give up: the few
    answered wait little and the agents idle while the others hang up, so an ASA target or
    an occupancy cap alone was "met" by 1 agent with 91 % of the callers abandoning; it
    needs an SL target or an abandonment cap beside it. An occupancy cap of 100 % alone
    asks for nothing (callers who give up, or are blocked, keep every agent below it)."""
    if model == "erlang_a" and target_sl is None and max_abandon is None and (
            target_asa is not None or max_occupancy is not None):
        given = " and ".join(name for name, value in (("--target-asa", target_asa),
                                                      ("--max-occupancy", max_occupancy))
                             if value is not None)
        raise UsageError(f"{given} alone cannot staff Erlang A: impatient callers leave the "
                         "queue instead of waiting, so a short ASA (of the callers answered) "
                         "and a low occupancy are reached by too few agents while most "
                         "callers hang up: give --target-sl or --max-abandon as well")
    if model == "erlang_b" and target_asa is not None:
        raise UsageError("--target-asa needs a model with a queue (erlang_c or erlang_a): "
                         "with Erlang B nobody waits, the calls not answered are blocked")
    if target_sl is None and target_asa is None and max_abandon is None:
        if model == "erlang_b" and max_occupancy is not None:
            raise UsageError("--max-occupancy alone cannot staff Erlang B (its occupancy "
                             "falls as more calls are blocked): give --target-sl, the "
                             "share of calls not blocked")
        if max_occupancy is not None and max_occupancy >= 1:
            raise UsageError("an occupancy cap of 100 % alone asks for no agent: give "
                             "--target-sl, --target-asa or --max-abandon as well")


class NoStaffingMeets(UsageError):
    """No staff level up to ``MAX_AGENTS`` meets the targets (a page words it itself)."""


@dataclass(frozen=True)
class StaffingResult:
    agents: int
    positions: int
    service_level: float
    asa: float | None
    avg_wait: float | None
    p_wait: float | None
    occupancy: float
    p_abandon: float | None
    p_block: float | None

    def to_json(self) -> dict[str, float | int | None]:
        """The contract's JSON keys (``omnikpi wfm staff --format json``). A wait that
        has no finite value (fewer agents than the traffic: the queue grows without end)
        is null: JSON has no Infinity, and programs reading the answer refuse it."""
        def finite(value: float | None) -> float | None:
            return value if value is None or math.isfinite(value) else None
        return {
            "agents": self.agents, "positions": self.positions,
            "service_level": finite(self.service_level), "asa": finite(self.asa),
            "avg_wait": finite(self.avg_wait), "p_wait": finite(self.p_wait),
            "occupancy": finite(self.occupancy), "p_abandon": finite(self.p_abandon),
            "p_block": finite(self.p_block),
        }


def traffic_erlangs(volume: float, interval_minutes: float, aht_seconds: float) -> float:
    """Offered load: contacts × AHT / interval length."""
    check_inputs(volume=volume, interval_minutes=interval_minutes, aht_seconds=aht_seconds)
    if volume < 0 or not math.isfinite(volume):
        raise UsageError(f"volume must be ≥ 0, got {volume}")
    if interval_minutes <= 0:
        raise UsageError(f"the interval must be more than 0 minutes, got "
                         f"{interval_minutes:g}")
    if aht_seconds <= 0:
        raise UsageError(f"the AHT must be more than 0 seconds, got {aht_seconds:g}")
    return volume * aht_seconds / (interval_minutes * 60)


def _model(model: str, patience_seconds: float | None) -> Model:
    """The model, with the patience it uses: Erlang A needs one, and Erlang C and B have
    none to use. A --patience given with them was ignored without a word (while
    --max-abandon with them is refused), so the planner believed it counted."""
    if model not in MODELS:
        raise UsageError(f"unknown model {model!r}: choose one of {', '.join(MODELS)}")
    if model == "erlang_a" and patience_seconds is None:
        raise UsageError("--model erlang_a needs --patience SECONDS (mean patience)")
    if model != "erlang_a" and patience_seconds is not None:
        raise UsageError(f"--patience needs --model erlang_a: {model}'s callers never give "
                         "up, so a patience would be ignored")
    return model  # type: ignore[return-value]


def queue_result(model: Model, traffic: float, servers: int, aht_seconds: float,
                 threshold_seconds: float, patience_seconds: float | None) -> QueueResult:
    if model == "erlang_b":
        return erlang_b(traffic, servers)
    if model == "erlang_a":
        assert patience_seconds is not None
        return erlang_a(traffic, servers, aht_seconds, threshold_seconds, patience_seconds)
    return erlang_c(traffic, servers, aht_seconds, threshold_seconds)


def positions_for(agents: int, shrinkage: float) -> int:
    """Positions to schedule so that ``agents`` are on the phones after shrinkage (breaks,
    training, absence): ``ceil(agents / (1 − shrinkage))``."""
    if not 0 <= shrinkage < 1:
        raise UsageError(f"shrinkage must be in [0, 1), got {shrinkage}")
    return math.ceil(agents / (1 - shrinkage) - 1e-9)


def evaluate(volume: float, interval_minutes: float, aht_seconds: float, agents: int,
             threshold_seconds: float, model: str = "erlang_c",
             patience_seconds: float | None = None, shrinkage: float = 0.0,
             concurrency: int = 1) -> StaffingResult:
    """What ``agents`` agents give for this interval."""
    chosen = _model(model, patience_seconds)
    check_inputs(threshold_seconds=threshold_seconds, patience_seconds=patience_seconds,
                 shrinkage=shrinkage)
    check_threshold(threshold_seconds)
    check_servers(concurrency, agents)
    traffic = traffic_erlangs(volume, interval_minutes, aht_seconds)
    r = queue_result(chosen, traffic, agents * concurrency, aht_seconds, threshold_seconds,
                     patience_seconds)
    return StaffingResult(agents, positions_for(agents, shrinkage), r.service_level,
                          r.asa_seconds, r.avg_wait_seconds, r.p_wait, r.occupancy,
                          r.p_abandon, r.p_block)


def staff(volume: float, interval_minutes: float, aht_seconds: float, target_sl: float | None,
          threshold_seconds: float, model: str = "erlang_c",
          patience_seconds: float | None = None, max_occupancy: float | None = None,
          shrinkage: float = 0.0, concurrency: int = 1,
          target_asa_seconds: float | None = None,
          max_abandon: float | None = None) -> StaffingResult:
    """The fewest agents meeting the SL target (and ASA target, occupancy cap and, with
    Erlang A, abandonment cap).

    Every criterion improves with more agents, so a binary search over the agent count
    finds the smallest one that meets them all. ``target_sl`` None (or 0) staffs to the
    other targets alone; at least one target is needed (and with Erlang A an ASA target or
    an occupancy cap needs an SL target or ``max_abandon`` beside it:
    :func:`check_model_targets`). An SL target alone can look met
    while many callers hang up (those who abandon before the threshold leave the
    denominator's answered ones looking fast): ``max_abandon`` bounds that share.
    """
    chosen = _model(model, patience_seconds)
    check_inputs(target_sl=target_sl, threshold_seconds=threshold_seconds,
                 patience_seconds=patience_seconds, max_occupancy=max_occupancy,
                 shrinkage=shrinkage, target_asa_seconds=target_asa_seconds,
                 max_abandon=max_abandon)
    check_threshold(threshold_seconds)
    check_servers(concurrency)
    if target_sl == 0:
        target_sl = None  # `--target-sl 0`: no service-level target
    if target_sl is not None and not 0 < target_sl < 1:
        raise UsageError(f"target SL must be between 0 and 1 (exclusive), got {target_sl}")
    if target_sl is None and target_asa_seconds is None and max_occupancy is None \
            and max_abandon is None:
        raise UsageError("give a target: --target-sl, --target-asa, --max-occupancy or "
                         "--max-abandon")
    if max_abandon is not None:
        if chosen != "erlang_a":
            raise UsageError("--max-abandon needs --model erlang_a (with --patience): Erlang "
                             "C and B have no callers who give up")
        if not 0 < max_abandon < 1:
            raise UsageError(f"max abandonment must be between 0 and 1 (exclusive), got "
                             f"{max_abandon}")
    check_model_targets(chosen, target_sl, target_asa_seconds, max_occupancy, max_abandon)
    if target_asa_seconds is not None and target_asa_seconds <= 0:
        raise UsageError(f"target ASA must be > 0 seconds, got {target_asa_seconds}")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise UsageError(f"max occupancy must be in (0, 1], got {max_occupancy}")
    traffic = traffic_erlangs(volume, interval_minutes, aht_seconds)

    def meets(agents: int) -> bool:
        try:
            r = queue_result(chosen, traffic, agents * concurrency, aht_seconds,
                             threshold_seconds, patience_seconds)
        except QueueTooLong:  # an overload that deep meets no target
            return False
        if target_sl is not None and r.service_level < target_sl:
            return False
        if max_occupancy is not None and r.occupancy > max_occupancy + 1e-12:
            return False
        if max_abandon is not None and (r.p_abandon or 0.0) > max_abandon + 1e-12:
            return False
        return not (target_asa_seconds is not None and (
            r.asa_seconds is None or r.asa_seconds > target_asa_seconds))

    lo, hi = 0, max(1, math.ceil(traffic / concurrency))
    if hi > MAX_AGENTS:  # the traffic alone needs more agents than are ever searched
        raise NoStaffingMeets("no staffing up to 100,000 agents meets the targets")
    while not meets(hi):
        # doubling past the limit tries the limit itself: 53,334 agents short of a target
        # once jumped to 106,668 and gave up, though some 53,500 meet it
        if hi >= MAX_AGENTS:
            raise NoStaffingMeets("no staffing up to 100,000 agents meets the targets")
        lo, hi = hi, min(hi * 2, MAX_AGENTS)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    agents = hi if not meets(lo) or (lo == 0 and traffic > 0) else lo
    if traffic == 0:
        agents = 0
    return evaluate(volume, interval_minutes, aht_seconds, agents, threshold_seconds, chosen,
                    patience_seconds, shrinkage, concurrency)
