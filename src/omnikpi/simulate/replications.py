"""A comparison replicated over several seeds: each figure's mean and the what-if's
difference with its 95 % confidence interval.

One simulated day is one draw: on ``erlang_c.toml`` the service level of a single 24-hour
run has a standard deviation of about 4.6 points from seed to seed (300 seeds), so
"+1 agent: 80 % → 83 %" from one seed may be noise. Each replication runs both
scenarios with one seed (the same callers in both), so the difference is paired: its
interval is Student's t over the per-seed differences, far narrower than the two
scenarios' own spreads. Every figure is still
measured by the engine on the simulated dataset (:func:`omnikpi.simulate.compare.outcome`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from omnikpi.confidence import CONFIDENCE, mean_ci
from omnikpi.config import Config
from omnikpi.errors import UsageError
from omnikpi.simulate.compare import (
    CAMPAIGN_METRICS,
    CENTER_METRICS,
    CHANNEL_METRICS,
    CHANNEL_ORDER,
    Comparison,
    Progress,
    compare,
)
from omnikpi.simulate.scenario import Scenario

MAX_REPLICATIONS = 100


@dataclass(frozen=True)
class Interval:
    """The mean of a figure over the replications and its 95 % interval (``low`` and
    ``high`` are None with fewer than two replications that have the figure)."""

    mean: float
    low: float | None
    high: float | None
    runs: int

    def as_json(self) -> dict[str, float | int | None]:
        return {"mean": self.mean, "low": self.low, "high": self.high, "runs": self.runs}


def interval(values: Iterable[float | None]) -> Interval | None:
    """The t-interval of the values that are numbers (a rate with no denominator in a
    run — no call offered — has none there); None when no run has one."""
    found = [float(v) for v in values if v is not None]
    if not found:
        return None
    if len(found) < 2:
        return Interval(found[0], None, None, 1)
    mean, low, high = mean_ci(found)
    return Interval(mean, low, high, len(found))


def _cell(found: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any] | None:
    """``found[k1][k2]…``, None where a run has no such key (a campaign one seed never
    dialed)."""
    for key in keys:
        if not isinstance(found, dict) or key not in found:
            return None
        found = found[key]
    return found


def _differences(pairs: Iterable[tuple[Any, Any]]) -> list[float | None]:
    return [None if a is None or b is None else float(b) - float(a) for a, b in pairs]


@dataclass(frozen=True)
class Replicated:
    """Both scenarios over ``seeds``, one :class:`Comparison` per seed."""

    runs: list[Comparison]
    seeds: list[int]

    def as_json(self) -> dict[str, Any]:
        """The one-run JSON's keys with each figure the replications' mean, beside its
        interval (``baseline_interval``, ``whatif_interval``) and the paired difference
        what-if − baseline (``difference``); the hourly service level is the mean per
        hour. ``replications`` and ``seeds`` say what was run."""
        each = [run.as_json() for run in self.runs]
        first = each[0]

        def figure(*keys: str) -> dict[str, Any]:
            if keys[0] == "channels":  # a seed without a contact there offered 0
                pairs = [(run.baseline.channel(keys[1]).get(keys[2]),
                          run.whatif.channel(keys[1]).get(keys[2])) for run in self.runs]
            else:
                pairs = [(cell.get("baseline"), cell.get("whatif"))
                         for cell in (_cell(e, keys) for e in each) if cell is not None]
            found = {side: interval(p[i] for p in pairs)
                     for i, side in enumerate(("baseline", "whatif"))}
            change = interval(_differences(pairs))
            return {"baseline": found["baseline"].mean if found["baseline"] else None,
                    "whatif": found["whatif"].mean if found["whatif"] else None,
                    "baseline_interval": found["baseline"].as_json()
                    if found["baseline"] else None,
                    "whatif_interval": found["whatif"].as_json() if found["whatif"] else None,
                    "difference": change.as_json() if change else None}

        channels = self._channel_order()
        campaigns = sorted({c for e in each for c in e["campaigns"]})
        return {
            "zone": first["zone"], "replications": len(self.runs), "seeds": self.seeds,
            "confidence": CONFIDENCE,
            "channels": {ch: {m: figure("channels", ch, m)
                              for m in CHANNEL_METRICS} for ch in channels},
            "center": {m: figure("center", m) for m in CENTER_METRICS},
            "campaigns": {c: {m: figure("campaigns", c, m)
                              for m in CAMPAIGN_METRICS} for c in campaigns},
            "hourly_service_level": {
                side: self._hourly_means([e["hourly_service_level"][side] for e in each])
                for side in ("baseline", "whatif")},
        }

    def _channel_order(self) -> list[str]:
        """Channels of any run, the live ones first (as one comparison orders them)."""
        seen = {ch for run in self.runs for ch in run.channels()}
        return sorted(seen, key=lambda ch: (CHANNEL_ORDER.index(ch) if ch in CHANNEL_ORDER
                                            else len(CHANNEL_ORDER), ch))

    @staticmethod
    def _hourly_means(runs: list[dict[str, dict[str, float | None]]]
                      ) -> dict[str, dict[str, float | None]]:
        """Per live channel and hour, the mean of the runs that had a figure there."""
        out: dict[str, dict[str, float | None]] = {}
        for channel in sorted({ch for run in runs for ch in run}):
            hours = sorted({h for run in runs for h in run.get(channel, {})})
            out[channel] = {}
            for hour in hours:
                values = [v for run in runs
                          if (v := run.get(channel, {}).get(hour)) is not None]
                out[channel][hour] = fmean(values) if values else None
        return out


def replicate(baseline: Scenario, whatif: Scenario, replications: int,
              seed: int | None = None, progress: Progress | None = None,
              max_contacts: int | None = None, config: Config | None = None) -> Replicated:
    """``replications`` comparisons with the seeds ``seed``, ``seed + 1``, … (``seed``
    the baseline's unless given), measured with ``config``; ``progress`` gets the share
    of the whole work done."""
    if not 2 <= replications <= MAX_REPLICATIONS:
        raise UsageError(f"--replications must be 2–{MAX_REPLICATIONS} (1 is the plain "
                         "comparison: leave the option out)")
    first = baseline.seed if seed is None else seed
    seeds = [first + i for i in range(replications)]
    runs = [compare(baseline, whatif, run_seed, _share(progress, i, replications),
                    max_contacts, config) for i, run_seed in enumerate(seeds)]
    return Replicated(runs, seeds)


def _share(progress: Progress | None, index: int, count: int) -> Progress | None:
    """The progress of run ``index`` of ``count`` as a share of the whole work."""
    if progress is None:
        return None
    return lambda part: progress((index + part) / count)
