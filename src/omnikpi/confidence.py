"""The 95 % confidence interval of a mean over independent runs (Student's t).

Simulated figures are draws: a single seed's service level moves by several points. Both
the multi-skill staffing search and the replicated what-if comparison judge a mean over
seeds by this one interval, so they agree on what "significant" means.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import fmean, stdev

from scipy.stats import t as student_t

CONFIDENCE = 0.95


def mean_ci(values: Sequence[float], confidence: float = CONFIDENCE
            ) -> tuple[float, float, float]:
    """Mean and the two ends of its confidence interval; with one value both ends are
    the mean itself (one run says nothing of the spread)."""
    if not values:
        raise ValueError("mean_ci needs at least one value")
    mean = fmean(values)
    if len(values) < 2:
        return mean, mean, mean
    quantile = float(student_t.ppf((1 + confidence) / 2, len(values) - 1))
    half = quantile * stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half
