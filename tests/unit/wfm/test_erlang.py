"""Erlang B/C/A against published values, independent computations and monotonicity."""

from __future__ import annotations

import doctest
import heapq
import math
import random
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import omnikpi.wfm.erlang as erlang_module
import omnikpi.wfm.planning as planning_module
from omnikpi.errors import UsageError
from omnikpi.wfm.erlang import erlang_a, erlang_b_value, erlang_c, erlang_c_value
from omnikpi.wfm.staffing import evaluate, staff


def test_doctests() -> None:
    for module in (erlang_module, planning_module):
        assert doctest.testmod(module).failed == 0


def test_published_erlang_c() -> None:
    # 10 Erlangs (100 calls per 30 min at 180 s), T = 20 s, 14 agents (textbook table and
    # the CLI contract's example): SL 0.888, ASA 7.84 s, P(wait) 0.174, occupancy 0.714.
    r = evaluate(100, 30, 180, 14, 20)
    assert r.service_level == pytest.approx(0.8884, abs=5e-4)
    assert r.asa == pytest.approx(7.84, abs=0.01)
    assert r.p_wait == pytest.approx(0.1741, abs=5e-4)
    assert r.occupancy == pytest.approx(0.7143, abs=1e-4)
    assert staff(100, 30, 180, 0.8, 20, shrinkage=0.3).positions == 20


@pytest.mark.parametrize(("traffic", "lines", "blocking"), [
    (10, 15, 0.0365), (5, 10, 0.0184), (2, 5, 0.0367), (20, 30, 0.0085),
])
def test_published_erlang_b(traffic: float, lines: int, blocking: float) -> None:
    assert erlang_b_value(traffic, lines) == pytest.approx(blocking, abs=5e-5)


def exact_erlang_c(a: int, n: int) -> Fraction:
    """The textbook formula with exact fractions (independent of the recursion)."""
    top = Fraction(a**n, math.factorial(n)) * Fraction(n, n - a)
    bottom = sum(Fraction(a**k, math.factorial(k)) for k in range(n)) + top
    return top / bottom


@pytest.mark.parametrize(("a", "n"), [(1, 2), (5, 7), (10, 14), (30, 35), (80, 95)])
def test_erlang_c_matches_exact_formula(a: int, n: int) -> None:
    assert erlang_c_value(a, n) == pytest.approx(float(exact_erlang_c(a, n)), rel=1e-12)


def test_large_loads_do_not_overflow() -> None:
    r = erlang_c(5000, 5100, 180, 20)
    assert 0.99 < r.service_level <= 1 and math.isfinite(r.asa_seconds or 0)
    a = erlang_a(5000, 4950, 180, 20, 120)
    assert 0 < a.service_level < 1 and 0 < (a.p_abandon or 0) < 0.1


def test_erlang_a_with_endless_patience_is_erlang_c() -> None:
    c = erlang_c(10, 14, 180, 20)
    a = erlang_a(10, 14, 180, 20, patience_seconds=1e12)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-6)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-5)
    assert a.p_wait == pytest.approx(c.p_wait, abs=1e-6)


def simulate_mmn_m(lam: float, mu: float, theta: float, n: int, customers: int,
                   threshold: float, seed: int = 1) -> tuple[float, float, float]:
    """Brute-force FCFS M/M/n+M: (P(abandon), SL over all arrivals, mean wait answered)."""
    rng = random.Random(seed)
    free_at = [0.0] * n
    heapq.heapify(free_at)
    t = 0.0
    abandoned = within = 0
    waits: list[float] = []
    # FCFS in arrival order: a caller starts at the earliest time an agent is free, unless
    # its patience ends first; an abandoner takes no agent time.
    for _ in range(customers):
        t += rng.expovariate(lam)
        patience = rng.expovariate(theta)
        start = max(t, free_at[0])
        if start - t > patience:
            abandoned += 1
            continue
        heapq.heapreplace(free_at, start + rng.expovariate(mu))
        waits.append(start - t)
        within += start - t <= threshold
    return abandoned / customers, within / customers, sum(waits) / len(waits)


def test_erlang_a_against_simulation() -> None:
    # 10 Erlangs, 11 agents, AHT 180 s, patience 120 s, T = 20 s; 200 000 callers: the
    # simulation's sampling error is well below the 0.01 tolerance.
    model = erlang_a(10, 11, 180, 20, 120)
    p_ab, sl, asa = simulate_mmn_m(10 / 180, 1 / 180, 1 / 120, 11, 200_000, 20)
    assert model.p_abandon == pytest.approx(p_ab, abs=0.01)
    assert model.service_level == pytest.approx(sl, abs=0.01)
    assert model.asa_seconds == pytest.approx(asa, rel=0.1)


@settings(max_examples=60, deadline=None)
@given(traffic=st.floats(0.5, 200), extra=st.integers(1, 40),
       aht=st.floats(30, 900), threshold=st.floats(0, 120),
       patience=st.one_of(st.none(), st.floats(10, 600)))
def test_more_agents_never_hurt(traffic: float, extra: int, aht: float, threshold: float,
                                patience: float | None) -> None:
    n = math.floor(traffic) + extra
    if patience is None:
        a, b = erlang_c(traffic, n, aht, threshold), erlang_c(traffic, n + 1, aht, threshold)
    else:
        a = erlang_a(traffic, n, aht, threshold, patience)
        b = erlang_a(traffic, n + 1, aht, threshold, patience)
    assert b.service_level >= a.service_level - 1e-9
    assert (b.asa_seconds or 0) <= (a.asa_seconds or 0) + 1e-9
    assert (b.p_abandon or 0) <= (a.p_abandon or 0) + 1e-12  # what --max-abandon relies on
    assert 0 <= a.service_level <= 1 + 1e-9


@settings(max_examples=40, deadline=None)
@given(volume=st.floats(1, 2000), aht=st.floats(30, 900), target=st.floats(0.5, 0.95),
       threshold=st.floats(5, 120))
def test_staff_is_the_fewest_meeting_the_target(volume: float, aht: float, target: float,
                                                threshold: float) -> None:
    result = staff(volume, 30, aht, target, threshold)
    assert result.service_level >= target
    if result.agents > 1:
        fewer = evaluate(volume, 30, aht, result.agents - 1, threshold)
        assert fewer.service_level < target


@settings(max_examples=40, deadline=None)
@given(volume=st.floats(1, 2000), aht=st.floats(30, 900), cap=st.floats(0.005, 0.3),
       patience=st.floats(10, 600))
def test_staff_is_the_fewest_keeping_abandonment_under_the_cap(
        volume: float, aht: float, cap: float, patience: float) -> None:
    result = staff(volume, 30, aht, None, 20, model="erlang_a", patience_seconds=patience,
                   max_abandon=cap)
    assert result.p_abandon is not None and result.p_abandon <= cap + 1e-12
    if result.agents > 1:
        fewer = evaluate(volume, 30, aht, result.agents - 1, 20, "erlang_a", patience)
        assert fewer.p_abandon is not None and fewer.p_abandon > cap


def test_an_sl_target_alone_lets_callers_hang_up() -> None:
    """1,000 calls in 30 min at 240 s with a mean patience of 60 s: 80/20 is met by 120
    agents while 11.5 % of the callers give up; a 2 % abandonment cap needs 142, and a
    simulation of that queue agrees on the share abandoned."""
    sl_only = staff(1000, 30, 240, 0.8, 20, model="erlang_a", patience_seconds=60)
    assert sl_only.agents == 120
    assert sl_only.p_abandon == pytest.approx(0.115, abs=0.001)
    capped = staff(1000, 30, 240, 0.8, 20, model="erlang_a", patience_seconds=60,
                   max_abandon=0.02)
    assert capped.agents == 142
    assert capped.p_abandon is not None and capped.p_abandon <= 0.02
    assert capped.service_level >= 0.8
    p_ab, _, _ = simulate_mmn_m(1000 / 1800, 1 / 240, 1 / 60, 142, 200_000, 20)
    assert capped.p_abandon == pytest.approx(p_ab, abs=0.005)


def test_bad_inputs_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="needs --model erlang_a"):
        staff(100, 30, 180, 0.8, 20, max_abandon=0.05)
    with pytest.raises(UsageError, match="max abandonment"):
        staff(100, 30, 180, None, 20, model="erlang_a", patience_seconds=60, max_abandon=1)
    with pytest.raises(UsageError, match="patience"):
        staff(100, 30, 180, 0.8, 20, model="erlang_a")
    with pytest.raises(UsageError, match="target SL"):
        staff(100, 30, 180, 1.5, 20)
    with pytest.raises(UsageError, match="unknown model"):
        staff(100, 30, 180, 0.8, 20, model="erlang_x")
    # in words a planner reads, each value apart with its own figure ("--patience 0" read
    # "aht_seconds and patience_seconds must be > 0")
    with pytest.raises(UsageError, match=r"^the interval must be more than 0 minutes, got 0$"):
        staff(100, 0, 180, 0.8, 20)
    with pytest.raises(UsageError, match=r"^the AHT must be more than 0 seconds, got -3$"):
        staff(100, 30, -3, 0.8, 20)
    with pytest.raises(UsageError, match=r"^the patience must be more than 0 seconds, got 0$"):
        erlang_a(5.0, 6, 180, 20, 0)


def test_an_occupancy_cap_staffs_a_queue_that_clears() -> None:
    """10 Erlangs under Erlang C need more than 10 agents: at 10 or fewer the queue never
    clears, and its occupancy reads 100 %, so a cap of 100 % was "met" by 1 agent. A 95 %
    cap staffs 11 (10/11 = 90.9 %); a cap of 100 % alone asks for nothing and is refused."""
    capped = staff(100, 30, 180, None, 20, max_occupancy=0.95)
    assert capped.agents == 11 and capped.occupancy == pytest.approx(10 / 11)
    with_sl = staff(100, 30, 180, 0.8, 20, max_occupancy=1.0)
    assert with_sl.agents == 14  # the published 80/20 answer; the cap adds nothing
    with pytest.raises(UsageError, match="occupancy cap of 100 % alone"):
        staff(100, 30, 180, None, 20, max_occupancy=1.0)


def test_erlang_b_takes_only_targets_it_measures() -> None:
    """Erlang B has no queue: its ASA is 0 and its occupancy falls as calls are blocked,
    so an ASA target or an occupancy cap alone was met by 1 agent blocking 91 %."""
    with pytest.raises(UsageError, match="--target-asa needs a model with a queue"):
        staff(100, 30, 180, None, 20, model="erlang_b", target_asa_seconds=20)
    with pytest.raises(UsageError, match="--max-occupancy alone cannot staff Erlang B"):
        staff(100, 30, 180, None, 20, model="erlang_b", max_occupancy=0.9)
    blocked = staff(100, 30, 180, 0.99, 20, model="erlang_b", max_occupancy=0.9)
    assert blocked.p_block is not None and blocked.p_block <= 0.01


def test_no_traffic_blocks_nothing() -> None:
    """A closed interval under Erlang B: nobody is blocked (B(0) = 1 read SL 0 %)."""
    assert erlang_b_value(0.0, 0) == 0.0 and erlang_b_value(0.0, 3) == 0.0
    night = staff(0, 30, 180, 0.8, 20, model="erlang_b")
    assert (night.agents, night.service_level, night.p_block) == (0, 1.0, 0.0)


@pytest.mark.parametrize("aht", [1.0, 0.5])
def test_erlang_a_service_level_is_a_share(aht: float) -> None:
    """100 calls in 30 min of a second's handling and 14 agents: every caller is answered
    at once, and the two sums that make the service level read 1.0000000000000002."""
    assert erlang_a(100 * aht / 1800, 14, aht, 20, 100).service_level == 1.0


def test_staff_near_the_agent_limit_is_found() -> None:
    """53,333 Erlangs (600,000 calls of 160 s in 30 minutes): 53,334 agents fall short, and
    doubling them would pass the 100,000-agent limit — the search then tries the limit
    itself and narrows down from there, where it used to give up ("no staffing up to
    100,000 agents")."""
    found = staff(600_000, 30, 160, 0.8, 20)
    assert 53_334 < found.agents < 54_000
    assert found.service_level >= 0.8
    assert evaluate(600_000, 30, 160, found.agents - 1, 20).service_level < 0.8
    with pytest.raises(UsageError, match="100,000 agents"):
        staff(1_200_000, 30, 160, 0.8, 20)  # 106,667 Erlangs: beyond the limit


@settings(max_examples=30, deadline=None)
@given(size=st.integers(1, 120), service_rate=st.floats(0.01, 50), patience=st.floats(5, 900),
       threshold=st.sampled_from([0.0, 5.0, 20.0, 60.0, 300.0]))
def test_the_waiting_chain_equals_its_dense_solution(size: int, service_rate: float,
                                                     patience: float,
                                                     threshold: float) -> None:
    """The bidiagonal solution (a banded solve, the exponential's action on one vector)
    against the chain's whole generator exponentiated and solved densely."""
    import numpy as np
    from scipy.linalg import expm

    theta = 1 / patience
    start = np.random.default_rng(size).random(size)
    forward = service_rate + np.arange(size) * theta
    generator = np.zeros((size + 1, size + 1))
    generator[np.arange(size), np.arange(size)] = -(forward + theta)
    generator[np.arange(1, size), np.arange(size - 1)] = forward[1:]
    generator[0, size] = forward[0]
    q = generator[:size, :size]
    p_served = np.cumprod(forward / (forward + theta))
    dense = (float(start @ expm(generator * threshold)[:size, size]),
             float(start @ p_served), float(start @ np.linalg.solve(-q, p_served)))
    assert erlang_module._waiting_customer(start, service_rate, theta, threshold) == \
        pytest.approx(dense, rel=1e-9, abs=1e-12)


def _birth_death_reference(lam: float, mu: float, theta: float, agents: int,
                           waiting: int) -> list[float]:
    """M/M/n+M stationary probabilities by the plain recursion over ``waiting`` positions,
    in log space (an independent, slow, obviously right loop)."""
    logs = [0.0]
    for n in range(1, agents + waiting + 1):
        out = min(n, agents) * mu + max(n - agents, 0) * theta
        logs.append(logs[-1] + math.log(lam) - math.log(out))
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    total = sum(weights)
    return [w / total for w in weights]


@settings(max_examples=25, deadline=None)
@given(traffic=st.floats(0.5, 60), extra=st.integers(-5, 10), patience=st.floats(5, 1e5))
def test_the_chain_built_in_blocks_equals_the_plain_recursion(traffic: float, extra: int,
                                                              patience: float) -> None:
    agents = max(1, math.ceil(traffic) + extra)
    mu, theta = 1 / 180, 1 / patience
    built = erlang_module._erlang_a_states(traffic * mu, mu, theta, agents)
    reference = _birth_death_reference(traffic * mu, mu, theta, agents, len(built) - 1 - agents)
    assert list(built) == pytest.approx(reference, rel=1e-9, abs=1e-15)
    # cut only past the peak, where the states weigh less than e⁻⁵⁰ of it
    assert built[-1] < max(built) * math.exp(-49)


def test_a_large_patient_pool_near_full_load_is_no_overload() -> None:
    """1,000 Erlangs, AHT 180 s, patience 10⁵ s: the tail of the chain is longer than the
    2,000 positions Erlang A once allowed, so every staff level near 1,011 counted as an
    overload and staffing planned 1,024 (SL 0.977). Independent figures (the audit's
    birth–death chain with uniformization): SL 0.8200 at 1,011 agents and 0.790 at 1,010.
    With a patience of 10⁹ s the answer is Erlang C's."""
    a = erlang_a(1000, 1011, 180, 20, 1e5)
    assert a.service_level == pytest.approx(0.8200, abs=5e-4)
    assert erlang_a(1000, 1010, 180, 20, 1e5).service_level == pytest.approx(0.790, abs=1e-3)
    assert staff(10_000, 30, 180, 0.8, 20, model="erlang_a", patience_seconds=1e5).agents \
        == 1011
    endless, c = erlang_a(1000, 1011, 180, 20, 1e9), erlang_c(1000, 1011, 180, 20)
    assert endless.service_level == pytest.approx(c.service_level, abs=1e-5)
    assert endless.p_wait == pytest.approx(c.p_wait, abs=1e-5)


@settings(max_examples=200, deadline=None)
@given(volume=st.one_of(st.just(0.0), st.floats(1, 5000)), aht=st.floats(30, 3600),
       hours=st.floats(1, 24), threshold=st.floats(0.25, 48),
       backlog=st.one_of(st.just(0.0), st.floats(1, 2000)), occupancy=st.floats(0.5, 1.0))
def test_the_backlog_staff_answers_every_e_mail_in_time_oldest_first(
        volume: float, aht: float, hours: float, threshold: float, backlog: float,
        occupancy: float) -> None:
    """A fluid oldest-first day, checked minute by minute: with the planned agents, what
    has arrived by t (backlog, then an even stream) is answered by t + T while the day
    lasts, and the day's work fits in it; with one agent fewer one of these fails (an
    e-mail longer than the promise or the day is refused: no staff answers it in time)."""
    assume(aht <= min(threshold, hours) * 3600)
    agents = planning_module.backlog_agents(volume, aht, hours, threshold, backlog, occupancy)

    def keeps(n: int) -> bool:
        rate = n * 3600 * occupancy / aht  # e-mails answered per hour
        arrivals = volume / hours
        window = min(threshold, hours)
        minutes = [m / 60 for m in range(int((hours - window) * 60) + 1)]
        in_time = all(backlog + arrivals * t <= rate * (t + window) * (1 + 1e-9) + 1e-9
                      for t in minutes)
        return in_time and backlog + volume <= rate * hours * (1 + 1e-9) + 1e-9

    assert keeps(agents)
    if agents > 0:
        assert not keeps(agents - 1)


class _ExpmBudget:
    """``expm_multiply`` counted: its cost grows with the rates times the time carried
    over (the 1-norm of the matrix it is given), so a budget of that product bounds the
    work without a clock. Past the budget it refuses to start (the old single stretch over
    a day's threshold was a product of millions: minutes to hours of work)."""

    def __init__(self, budget: float) -> None:
        from scipy.sparse.linalg import expm_multiply

        self.real = expm_multiply
        self.budget = budget
        self.calls = 0
        self.work = 0.0

    def __call__(self, matrix: object, vector: object, *args: object,
                 **kwargs: object) -> object:
        from scipy.sparse.linalg import norm

        self.calls += 1
        self.work += float(norm(matrix, 1))
        if self.work > self.budget:
            raise AssertionError(f"expm_multiply asked for {self.work:,.0f} (rates × "
                                 f"seconds) after {self.calls} call(s): over the budget")
        return self.real(matrix, vector, *args, **kwargs)


@pytest.mark.parametrize(("patience", "threshold", "expected"), [
    # the audit's cases: one evaluation took 161 s (patience 1 s, a day's threshold), 72 s
    # (patience 60 s, 10⁶ s) and never ended at 10⁷ s; 10⁹ s is the largest input allowed
    (1.0, 86_400.0, 0.8390589353524488),
    (60.0, 1e6, 0.8882195803687922),
    (60.0, 1e9, 0.8882195803687922),
])
def test_a_long_threshold_stops_once_nobody_waits(monkeypatch: pytest.MonkeyPatch,
                                                  patience: float, threshold: float,
                                                  expected: float) -> None:
    """10 Erlangs (100 calls in 30 min at 180 s) on 11 agents. Once every waiting caller
    has been answered or has hung up, the SL is P(no wait) + P(answered) = 1 − P(abandon)
    and a longer threshold cannot change it. Expected: the audit's dense reference (the
    whole absorbing chain's ``scipy.linalg.expm`` at the threshold), equal to
    1 − θ·E[queue]/λ from the plain birth–death recursion below."""
    import scipy.sparse.linalg as sparse_linalg

    budget = _ExpmBudget(5_000)
    monkeypatch.setattr(sparse_linalg, "expm_multiply", budget)
    result = erlang_a(10, 11, 180, threshold, patience)
    assert result.service_level == pytest.approx(expected, abs=1e-10)
    mu, theta = 1 / 180, 1 / patience
    states = _birth_death_reference(10 * mu, mu, theta, 11, 400)
    mean_queue = sum(k * p for k, p in enumerate(states[11:]))
    assert result.service_level == pytest.approx(1 - theta * mean_queue / (10 * mu), abs=1e-10)
    assert result.p_abandon == pytest.approx(1 - expected, abs=1e-10)
    assert budget.calls == 1  # carried once, to when nobody waits any more


def test_evaluate_and_staff_with_a_threshold_of_ten_million_seconds_or_a_day(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit's `wfm evaluate … --threshold 10000000 --patience 60` (killed after 400 s)
    through the staffing functions, and a staffing search to a day's threshold with a
    patience of 1 s (19 s for a threshold of an hour): the same SL as at 3,600 s."""
    import scipy.sparse.linalg as sparse_linalg

    budget = _ExpmBudget(200_000)
    monkeypatch.setattr(sparse_linalg, "expm_multiply", budget)
    evaluated = evaluate(100, 30, 180, 11, 1e7, "erlang_a", 60)
    assert evaluated.service_level == pytest.approx(0.8882195803687922, abs=1e-10)
    staffed = staff(100, 30, 180, 0.8, 86_400, model="erlang_a", patience_seconds=1)
    assert staffed.agents == 11  # the reference chain: SL 0.7879 at 10 agents
    assert staffed.service_level == pytest.approx(0.8390589353524488, abs=1e-10)


@pytest.mark.parametrize(("threshold", "patience"), [(0.0, 60.0), (20.0, 60.0),
                                                     (20.0, 1.0), (300.0, 30.0)])
def test_an_ordinary_threshold_keeps_its_answer(threshold: float, patience: float) -> None:
    """Thresholds where callers still wait are carried in full, as before (the audit's
    dense reference: the whole chain's ``expm`` at the threshold)."""
    expected = {(0.0, 60.0): 0.6732114000401483, (20.0, 60.0): 0.7965227114765875,
                (20.0, 1.0): 0.8390589353464675, (300.0, 30.0): 0.8725933277883067}
    assert erlang_a(10, 11, 180, threshold, patience).service_level == pytest.approx(
        expected[threshold, patience], abs=1e-10)


def test_erlang_a_probabilities_are_shares() -> None:
    """8,000 Erlangs (160,000 calls an hour at 180 s) on 6,917 agents, patience 120 s: the
    agents are busy all the time, so P(wait) and occupancy are 1 — they read
    1.0000000000000002 in the JSON — and exactly 6,917 of every 8,000 callers are answered:
    P(abandon) = 1 − 6,917/8,000 = 0.135375, the mean wait of all P(abandon)·patience."""
    result = erlang_a(8000, 6917, 180, 20, 120)
    assert result.p_wait == 1.0 and result.occupancy == 1.0
    assert result.p_abandon == pytest.approx(0.135375, abs=1e-12)
    assert result.avg_wait_seconds == pytest.approx(0.135375 * 120, abs=1e-9)
    shares = evaluate(160_000, 60, 180, 6917, 20, "erlang_a", 120).to_json()
    assert all(0 <= shares[key] <= 1 for key in  # type: ignore[operator]
               ("service_level", "p_wait", "occupancy", "p_abandon"))


def test_erlang_a_takes_asa_or_occupancy_only_with_sl_or_abandonment() -> None:
    """100 calls in 30 min at 180 s, patience 5 s: a 15 s ASA alone was "met" by 1 agent
    while 90.7 % of the callers hung up (ASA counts the answered only), a 90 % occupancy
    cap alone by 5 agents with 55.5 % abandoning. With an abandonment cap of 5 % beside
    the ASA the answer is 15 agents (the audit's reference chain: 14 abandon 5.10 %, 15
    abandon 3.22 % with an ASA of 0.047 s)."""
    asa_only = "--target-asa alone cannot staff Erlang A: impatient callers leave the queue"
    with pytest.raises(UsageError, match=asa_only):
        staff(100, 30, 180, None, 20, model="erlang_a", patience_seconds=5,
              target_asa_seconds=15)
    with pytest.raises(UsageError, match=r"--max-occupancy alone cannot staff Erlang A.*give "
                                         r"--target-sl or --max-abandon as well"):
        staff(100, 30, 180, None, 20, model="erlang_a", patience_seconds=5,
              max_occupancy=0.9)
    with pytest.raises(UsageError, match="--target-asa and --max-occupancy alone"):
        staff(100, 30, 180, 0, 20, model="erlang_a", patience_seconds=5,
              target_asa_seconds=15, max_occupancy=0.9)
    capped = staff(100, 30, 180, None, 20, model="erlang_a", patience_seconds=5,
                   target_asa_seconds=15, max_abandon=0.05)
    assert capped.agents == 15
    assert capped.p_abandon == pytest.approx(0.03221256569284383, abs=1e-9)
    assert capped.asa == pytest.approx(0.04669719544671182, abs=1e-9)
    with_sl = staff(100, 30, 180, 0.8, 20, model="erlang_a", patience_seconds=5,
                    target_asa_seconds=15)
    assert with_sl.agents == 11  # the reference chain: SL 0.7958 at 10, 0.8465 at 11
    assert with_sl.service_level == pytest.approx(0.8464580487950785, abs=1e-9)


def test_erlang_b_with_no_agent_answers_nobody_and_gives_no_wait() -> None:
    """0 lines block every call: the wait of the answered is none (null), as Erlang A
    says for the same case, not 0 s."""
    from omnikpi.wfm.erlang import erlang_b

    none = erlang_b(10.0, 0)
    assert (none.service_level, none.asa_seconds, none.p_block) == (0.0, None, 1.0)
    some = erlang_b(10.0, 18)
    assert some.asa_seconds == 0.0 and some.p_block == pytest.approx(0.00714, abs=1e-5)


def test_a_stable_queue_too_patient_to_compute_is_not_called_an_overload() -> None:
    """10,000 Erlangs on 10,001 agents is a stable queue; with a patience of 1e9 s its
    tail outgrows the positions Erlang A computes, which read "too great an overload".
    The refusal says what it is and what to use; a real overload keeps its words."""
    from omnikpi.wfm.erlang import QueueTooLong

    with pytest.raises(QueueTooLong, match=r"^with 10,001 agent\(s\) on 10,000 Erlangs and "
                                           r"a patience of 1e\+09 s the queue's tail .* "
                                           r"so use erlang_c"):
        erlang_a(10_000.0, 10_001, 180, 20, 1e9)
    with pytest.raises(QueueTooLong, match="too great an overload"):
        erlang_a(10_000.0, 9_000, 180, 20, 1e9)
    # the formula it points to answers: the service level of that stable queue
    assert 0.1 < erlang_c(10_000.0, 10_001, 180, 20).service_level < 0.13
