"""Erlang B, C and A, numerically stable for thousands of agents.

Erlang B uses the recursion ``B(n) = A·B(n−1) / (n + A·B(n−1))``, which never forms a
factorial or a power, so 5,000 Erlangs on 5,200 agents is as safe as 2 on 3. Erlang C
follows from B. Erlang A (M/M/n+M: exponential patience) is solved as a birth–death chain
in log space; its waiting-time results come from the absorbing Markov chain of one
waiting customer's position in the queue.

>>> r = erlang_c(traffic_erlangs=10, agents=14, aht_seconds=180, threshold_seconds=20)
>>> round(r.service_level, 3), round(r.asa_seconds, 2), round(r.p_wait, 3)
(0.888, 7.84, 0.174)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from omnikpi.errors import UsageError


@dataclass(frozen=True)
class QueueResult:
    """What a queueing model predicts for one interval."""

    agents: int
    service_level: float
    """Answered within the threshold over all arrivals (Erlang C: over all, no abandons)."""
    asa_seconds: float | None
    """Mean wait of answered contacts."""
    avg_wait_seconds: float | None
    """Mean time in queue over all arrivals (abandoners included)."""
    p_wait: float | None
    occupancy: float
    p_abandon: float | None = None
    p_block: float | None = None


MAX_QUEUE_STATES = 100_000
"""Waiting positions Erlang A is solved for. The chain is cut where its states weigh less
than e⁻⁵⁰ of the most likely one; with patient callers in a large pool near full load that
tail is thousands of positions long yet the queue stable (1,000 Erlangs on 1,011 agents
with a patience of a day): a limit of 2,000 counted such staff levels as overloads, and
staffing planned 1,024 agents where 1,011 meet the target. Only the probability of being
answered within the threshold needs the costly exponential, and only over the positions
from which that is possible (:func:`_reachable_within`); the rest is linear."""


class QueueTooLong(UsageError):
    """Erlang A asked about an overload beyond ``MAX_QUEUE_STATES`` waiting contacts (it
    once asked numpy for 74.5 GiB); staffing counts such a staff level as not enough."""


def _check(traffic_erlangs: float, agents: int) -> None:
    if not math.isfinite(traffic_erlangs) or traffic_erlangs < 0:
        raise UsageError(f"traffic must be a finite number ≥ 0 Erlangs, got {traffic_erlangs}")
    if agents < 0:
        raise UsageError(f"agents must be ≥ 0, got {agents}")


def erlang_b_value(traffic_erlangs: float, agents: int) -> float:
    """Blocking probability of M/M/n/n (the recursion: stable for any size). No traffic
    blocks nothing, with no agents too (B(0) = 1 read "100 % blocked" on a closed night
    interval, below any service-level target the plan claimed to meet)."""
    _check(traffic_erlangs, agents)
    if traffic_erlangs == 0:
        return 0.0
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic_erlangs * b / (n + traffic_erlangs * b)
    return b


def erlang_c_value(traffic_erlangs: float, agents: int) -> float:
    """Probability of waiting in M/M/n (1 when the agents cannot carry the traffic)."""
    if agents <= traffic_erlangs:
        return 1.0
    b = erlang_b_value(traffic_erlangs, agents)
    return agents * b / (agents - traffic_erlangs * (1 - b))


def erlang_b(traffic_erlangs: float, agents: int) -> QueueResult:
    """Blocked contacts are lost (no queue): SL is the share not blocked."""
    b = erlang_b_value(traffic_erlangs, agents)
    occupancy = traffic_erlangs * (1 - b) / agents if agents else 0.0
    if b >= 1:  # nobody answered: no wait of the answered to give (Erlang A says null too)
        return QueueResult(agents, 0.0, None, 0.0, 0.0, occupancy, None, b)
    return QueueResult(agents, 1 - b, 0.0, 0.0, 0.0, occupancy, None, b)


def erlang_c(traffic_erlangs: float, agents: int, aht_seconds: float,
             threshold_seconds: float) -> QueueResult:
    """M/M/n with infinite patience."""
    _check(traffic_erlangs, agents)
    if aht_seconds <= 0:
        raise UsageError(f"the AHT must be more than 0 seconds, got {aht_seconds:g}")
    if traffic_erlangs == 0:
        return QueueResult(agents, 1.0, 0.0, 0.0, 0.0, 0.0)
    if agents <= traffic_erlangs:
        occupancy = 1.0 if agents else 0.0
        return QueueResult(agents, 0.0, math.inf, math.inf, 1.0, occupancy)
    c = erlang_c_value(traffic_erlangs, agents)
    excess = agents - traffic_erlangs
    sl = 1 - c * math.exp(-excess * threshold_seconds / aht_seconds)
    asa = c * aht_seconds / excess
    return QueueResult(agents, sl, asa, asa, c, traffic_erlangs / agents)


def _erlang_a_states(lam: float, mu: float, theta: float, agents: int) -> np.ndarray:
    """Stationary probabilities of the M/M/n+M birth–death chain (log space), cut where
    the queue's states weigh less than e⁻⁵⁰ of the most likely state (or after
    ``MAX_QUEUE_STATES`` waiting positions). Built in blocks with numpy: a pool of 50,000
    agents is 50,000 states before anyone waits, and staffing evaluates it many times."""
    n = np.arange(1, agents + 1, dtype=float)
    logs = np.concatenate(([0.0], np.cumsum(math.log(lam) - np.log(n * mu))))
    peak = float(logs.max())
    blocks = [logs]
    last = float(logs[-1])
    waiting = 0
    block = 4096
    while waiting <= MAX_QUEUE_STATES:
        k = np.arange(waiting + 1, waiting + block + 1, dtype=float)
        tail = last + np.cumsum(math.log(lam) - np.log(agents * mu + k * theta))
        # the most likely state so far, position by position: a queue that still grows
        # is never cut, only one past its peak
        running = np.maximum(np.maximum.accumulate(tail), peak)
        peak = float(running[-1])
        below = np.flatnonzero(tail < running - 50)
        if below.size:
            blocks.append(tail[: below[0] + 1])
            break
        blocks.append(tail)
        last, waiting = float(tail[-1]), waiting + block
    arr = np.concatenate(blocks)
    arr -= arr.max()
    p = np.exp(arr)
    return np.asarray(p / p.sum(), dtype=float)


def erlang_a(traffic_erlangs: float, agents: int, aht_seconds: float,
             threshold_seconds: float, patience_seconds: float) -> QueueResult:
    """M/M/n+M: callers abandon after an exponential patience of the given mean.

    SL is answered within the threshold over all arrivals, as published Erlang A tables
    give it; ``asa_seconds`` is the mean wait of answered contacts and
    ``avg_wait_seconds`` the mean time in queue over all arrivals.
    """
    _check(traffic_erlangs, agents)
    if aht_seconds <= 0:  # each said apart: "--patience 0" blamed the AHT too
        raise UsageError(f"the AHT must be more than 0 seconds, got {aht_seconds:g}")
    if patience_seconds <= 0:
        raise UsageError(f"the patience must be more than 0 seconds, got "
                         f"{patience_seconds:g}")
    if traffic_erlangs == 0:
        return QueueResult(agents, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    if agents == 0:
        return QueueResult(0, 0.0, None, patience_seconds, 1.0, 0.0, 1.0)
    mu = 1 / aht_seconds
    lam = traffic_erlangs * mu
    theta = 1 / patience_seconds
    p = _erlang_a_states(lam, mu, theta, agents)
    queued = p[agents:]  # arrivals finding n ≥ agents wait (PASTA)
    if len(queued) > MAX_QUEUE_STATES:
        if agents > traffic_erlangs:  # stable, but callers this patient wait in a tail
            # longer than the model computes: no overload ("too great an overload" said
            # so of 10,001 agents on 10,000 Erlangs with a patience of 1e9 s)
            raise QueueTooLong(
                f"with {agents:,} agent(s) on {traffic_erlangs:,.6g} Erlangs and a patience "
                f"of {patience_seconds:,.6g} s the queue's tail is longer than the "
                f"{MAX_QUEUE_STATES:,} waiting positions Erlang A computes: callers this "
                "patient barely abandon, so use erlang_c (or add agents)")
        raise QueueTooLong(f"with {agents:,} agent(s) the queue grows past "
                           f"{MAX_QUEUE_STATES:,} waiting contacts: too great an overload "
                           "for Erlang A here (add agents, or use erlang_c)")
    # shares, as the SL below: a sum of many floats passes 1 by an ulp (P(wait) and
    # occupancy read 1.0000000000000002 in the JSON of 8,000 Erlangs on 6,917 agents)
    p_wait = min(1.0, float(queued.sum()))
    in_queue = np.arange(len(queued))  # customers already waiting ahead
    mean_queue = float((in_queue * queued).sum())
    p_abandon = theta * mean_queue / lam
    avg_wait = mean_queue / lam
    busy = min(float(agents), float(np.minimum(np.arange(len(p)), agents) @ p))
    served_within, _served, wait_served = _waiting_customer(
        queued, agents * mu, theta, threshold_seconds)
    # a share: the two float sums can pass 1 by an ulp (1.0000000000000002 printed in the
    # contract's JSON with an AHT of a millisecond)
    sl = min(1.0, float(p[:agents].sum()) + served_within)
    answered = 1 - p_abandon
    asa = wait_served / answered if answered > 0 else None
    return QueueResult(agents, sl, asa, avg_wait, p_wait, busy / agents, p_abandon)


def _waiting_customer(start: np.ndarray, service_rate: float, theta: float,
                      threshold_seconds: float) -> tuple[float, float, float]:
    """For an arriving customer who must wait: P(served by T), P(served), E[wait; served].

    The customer's state is the number of customers ahead (k); it moves k → k−1 at rate
    ``service_rate + k·θ`` (k = 0: it is served) and abandons at rate θ. ``start`` is the
    probability of each k at arrival (unnormalized: the states' stationary weights).

    The chain only moves down, so its generator is bidiagonal: the expected wait is a
    banded solve and P(served by T) the start distribution carried to T by the action of
    the matrix exponential on one vector (``expm_multiply``) — linear in the states where
    the dense ``expm`` and ``solve`` were cubic (a pool of 4,000 agents took 9 s to staff).
    """
    from scipy.linalg import solve_banded  # here: scipy costs every command a quarter second
    from scipy.sparse import diags
    from scipy.sparse.linalg import expm_multiply

    size = len(start)
    forward = service_rate + np.arange(size) * theta
    # P(served | start k): product of the forward probabilities down to 0
    step = forward / (forward + theta)
    p_served = np.cumprod(step)
    served = float(start @ p_served)
    # E[τ·1{served}] = start · (−Q)^{-1} · h, h = P(served | state); −Q is lower bidiagonal
    banded = np.zeros((2, size))
    banded[0] = forward + theta
    banded[1, :-1] = -forward[1:]
    wait_served = float(start @ solve_banded((1, 0), banded, p_served))
    # P(served by T): the distribution over k and "served" (state ``size``) carried to T,
    # d(π)/dt = π·G, as expm(Gᵀ·T)·π(0); Gᵀ has the k → k−1 rates above its diagonal and
    # state 0's service rate in its last row — over the positions from which being served
    # by T is possible at all (a long patient queue has thousands beyond them), and only
    # until nobody is left waiting (:func:`_settled_within`)
    horizon = _settled_within(start, service_rate, theta, threshold_seconds)
    size = _reachable_within(size, service_rate, theta, horizon)
    start, forward = start[:size], forward[:size]
    transposed = diags([np.append(-(forward + theta), 0.0), np.append(forward[1:], 0.0),
                        forward[:1]], [0, 1, -size], shape=(size + 1, size + 1),
                       format="csr")
    carried = expm_multiply(transposed * horizon, np.append(start, 0.0))
    served_within = float(carried[size])
    return served_within, served, wait_served


WAITING_TOLERANCE = 1e-12
"""Probability still waiting below which P(served by T) is final: every waiting caller has
been served or has hung up but for less than this, so a longer threshold cannot change the
SL by more (it is then P(no wait) + P(served) = 1 − P(abandon))."""


def _settled_within(start: np.ndarray, service_rate: float, theta: float,
                    threshold_seconds: float) -> float:
    """How long to carry the waiting callers (``start``, by customers ahead k) towards the
    threshold: the threshold itself, or an earlier time by which less than
    ``WAITING_TOLERANCE`` of them provably still waits — being served after it adds less
    than that to P(served by T). The exponential's action costs in proportion to the rates
    times the time it is carried: over the whole threshold, 10⁶ s took 72 s and 10⁷ s never
    ended (and a day with a patience of 1 s, 161 s), though everyone had been served or
    had hung up within minutes.

    Two bounds of the share still waiting at t, both falling with t: a caller still
    waiting has not abandoned (e^(−θ·t)); and from k ahead a caller waits until k + 1
    moves have happened, each state left at a rate of at least ``service_rate + θ``, so
    fewer than k + 1 events of a Poisson process of that rate have come by t (the
    regularized Γ(k + 1, rate·t)). Ordinary thresholds, where callers still wait, are
    carried in full as before; a longer one stops by doubling, then halving, the time
    until the smaller bound is below the tolerance (within 1/16 of the least such time).
    """
    from scipy.special import gammaincc

    moves = np.arange(1, len(start) + 1, dtype=float)
    mass = float(start.sum())
    slowest = service_rate + theta

    def still_waiting(t: float) -> float:
        return min(mass * math.exp(-theta * t), float(start @ gammaincc(moves, slowest * t)))

    if still_waiting(threshold_seconds) >= WAITING_TOLERANCE:
        return threshold_seconds
    settled = min(threshold_seconds, 1 / slowest)
    while still_waiting(settled) >= WAITING_TOLERANCE:
        settled *= 2
    low = settled / 2
    for _ in range(4):  # a tighter time, by bisection: the cost is in proportion to it
        middle = (low + settled) / 2
        if still_waiting(middle) < WAITING_TOLERANCE:
            settled = middle
        else:
            low = middle
    return min(settled, threshold_seconds)


def _reachable_within(size: int, service_rate: float, theta: float,
                      threshold_seconds: float) -> int:
    """How many positions (customers ahead) can still be served within the threshold: to
    be served from k ahead takes k + 1 moves, and the moves come at most at rate
    ``service_rate + size·θ``; beyond this many the Poisson tail of that rate over the
    threshold is below 1e-30, so those positions add nothing to P(served by T)."""
    moves = (service_rate + size * theta) * threshold_seconds
    return min(size, math.ceil(moves + 12 * math.sqrt(moves) + 60))
