"""A caller's own random numbers, for what-ifs that compare two variants of a scenario.

With ``streams = "per_queue"`` (the what-if page's default) each caller's handle time,
patience, hold, first reply, resolution, transfer, repeat and after-call work come from
numbers drawn once from the caller's identity — the queue, the arrival instant and the
customer — not from a stream consumed in the order events happen. Two variants that see
the same caller arrive (the arrivals have streams of their own) give that caller the
same numbers, whatever happened before: with streams drawn in event order, 23 of 3,101
callers answered in both of two runs differing by one agent kept their handle time, so
"AHT +10 %" moved AHT by ×1.0993 rather than ×1.1, and a change to the mail queue moved
callers of every other queue (their repeats were drawn from one stream for the center).

Each number is a uniform in [0, 1) turned into the distribution by its inverse: an
exponential ``-log(1 - u) × mean`` (as ``random.expovariate`` does), a lognormal through
the normal's inverse, so a mean scaled by 1.1 scales each caller's draw by exactly 1.1.
"""

from __future__ import annotations

import math
import random
from statistics import NormalDist

SLOTS = ("service", "patience", "hold", "hold_length", "first_response", "resolved",
         "transfer", "repeat", "repeat_delay", "acw")
"""What each of a caller's numbers is for (a fixed place each: a number used or not
leaves the others where they were)."""
_INDEX = {name: i for i, name in enumerate(SLOTS)}
_SMALLEST = 1e-12
"""A uniform of 0 has no normal quantile: the least one used instead."""


class Fate:
    """The numbers of one caller."""

    __slots__ = ("_u",)

    def __init__(self, identity: str) -> None:
        draw = random.Random(identity)
        self._u = tuple(draw.random() for _ in SLOTS)

    def uniform(self, slot: str, low: float = 0.0, high: float = 1.0) -> float:
        return low + (high - low) * self._u[_INDEX[slot]]

    def exponential(self, slot: str, mean: float) -> float:
        return -math.log(1.0 - self._u[_INDEX[slot]]) * mean

    def lognormal(self, slot: str, mu: float, sigma: float) -> float:
        u = max(self._u[_INDEX[slot]], _SMALLEST)
        return math.exp(NormalDist(mu, sigma).inv_cdf(u))


def identity(seed: object, queue: str, arrived: float, customer: str,
             parent: str | None) -> str:
    """Who a caller is across variants: the same queue, instant and customer (and, for a
    transferred leg, the contact it came from)."""
    return f"{seed}|{queue}|{arrived!r}|{customer}|{parent or ''}"
