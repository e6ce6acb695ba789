"""Two scenarios simulated and measured by the engine, side by side.

Each scenario is simulated, written as a canonical dataset (Parquet, in a temporary
folder) and reported by the same engine as any real dataset, so the numbers compared are
the catalog's — not the simulator's own counts. Accessibility is compared per channel
(an e-mail's reply time and a call's wait have nothing to pool), agent time for the whole
center, each outbound campaign on its own, and the service level per hour of each live
channel for the chart.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, get_args

from omnikpi.config import Config
from omnikpi.engine.registry import metric_tables
from omnikpi.engine.run import run_report
from omnikpi.metrics.base import get_metric
from omnikpi.schema.dataset import load_dataset
from omnikpi.simulate.output import tables, write
from omnikpi.simulate.runner import simulate
from omnikpi.simulate.scenario import LIVE_CHANNELS, Channel, Scenario

CHANNEL_METRICS = ("offered", "service_level", "asa", "abandon_rate", "aht", "blocked_rate")
CENTER_METRICS = ("occupancy", "chat_occupancy_relative")
CAMPAIGN_METRICS = ("attempts", "connection_rate", "dialer_abandon_rate", "rpc_rate",
                    "conversion_rate")
"""Each outbound campaign's numbers: how much it dialed, reached, dropped and sold (the
agents' time it took is in the center's occupancy)."""
HOURLY_METRIC = "service_level"
CHANNEL_ORDER = (*LIVE_CHANNELS, *(c for c in get_args(Channel) if c not in LIVE_CHANNELS))
"""Live channels first (voice, chat, messenger), then the deferred ones."""
Progress = Callable[[float], None]


@dataclass(frozen=True)
class Outcome:
    """One scenario's numbers."""

    channels: dict[str, dict[str, float | None]]
    """Channel → metric → value over the whole run (channels in the data's order)."""
    center: dict[str, float | None]
    """The center's agent-time metrics over the whole run."""
    hourly: dict[str, list[tuple[str, float | None]]]
    """Live channel → (hour's start in the scenario's clock, service level) per hour."""
    campaigns: dict[str, dict[str, float | None]] = field(default_factory=dict)
    """Outbound campaign → metric → value over the whole run."""

    def channel(self, name: str) -> dict[str, float | None]:
        """A channel's figures; one this run had no contact on (volume −100 %) offered 0,
        its rates none (it read "—" for offered)."""
        if name in self.channels:
            return self.channels[name]
        return {m: 0 if get_metric(m).is_count else None for m in CHANNEL_METRICS}


@dataclass(frozen=True)
class Comparison:
    baseline: Outcome
    whatif: Outcome
    zone: str
    """The time zone of the hourly figures (the scenario's own offset)."""

    def channels(self) -> list[str]:
        """Channels of either run: the live ones first, in the order of the data model."""
        seen = {*self.baseline.channels, *self.whatif.channels}
        return sorted(seen, key=lambda ch: (CHANNEL_ORDER.index(ch)
                                            if ch in CHANNEL_ORDER else len(CHANNEL_ORDER), ch))

    def campaigns(self) -> list[str]:
        """Outbound campaigns of either run, by name."""
        return sorted({*self.baseline.campaigns, *self.whatif.campaigns})

    def as_json(self) -> dict[str, Any]:
        """``omnikpi simulate compare --format json``."""
        return {
            "zone": self.zone,
            "channels": {ch: {m: {"baseline": self.baseline.channel(ch).get(m),
                                  "whatif": self.whatif.channel(ch).get(m)}
                              for m in CHANNEL_METRICS} for ch in self.channels()},
            "center": {m: {"baseline": self.baseline.center.get(m),
                           "whatif": self.whatif.center.get(m)} for m in CENTER_METRICS},
            "campaigns": {c: {m: {"baseline": self.baseline.campaigns.get(c, {}).get(m),
                                  "whatif": self.whatif.campaigns.get(c, {}).get(m)}
                              for m in CAMPAIGN_METRICS} for c in self.campaigns()},
            "hourly_service_level": {
                "baseline": {ch: dict(rows) for ch, rows in self.baseline.hourly.items()},
                "whatif": {ch: dict(rows) for ch, rows in self.whatif.hourly.items()}},
        }


def zone_of(scenario: Scenario) -> str:
    """The zone of the scenario's clock, as the hourly figures name it: the IANA zone of
    its start's offset when a whole number of hours (``Etc/GMT-2`` is UTC+2), else the
    offset itself ("UTC+05:30": IANA has no zone for it). The hourly figures are on that
    clock either way (:func:`_on_whole_hours`)."""
    offset = scenario.start.utcoffset() or timedelta(0)
    if offset % timedelta(hours=1):
        return timezone(offset).tzname(None)
    return _etc_zone(offset // timedelta(hours=1))


def _etc_zone(hours: int) -> str:
    """The IANA zone of a whole-hour offset (POSIX's sign: ``Etc/GMT-2`` is UTC+2)."""
    return "UTC" if not hours else f"Etc/GMT{-hours:+d}"


def _on_whole_hours(scenario: Scenario) -> tuple[Scenario, str]:
    """The scenario on the wall clock it shows, under the whole-hour offset just below
    its own, and that offset's IANA zone. The engine reports in IANA zones, which have
    none for UTC+05:30: its hours were UTC's, 30 minutes off the scenario's clock. Every
    instant moves by the same minutes (the wall clock and every duration stay), so each
    local hour of the scenario is an hour of that zone and the numbers over the whole
    run are unchanged."""
    offset = scenario.start.utcoffset() or timedelta(0)
    hours = offset // timedelta(hours=1)
    if not offset % timedelta(hours=1):
        return scenario, _etc_zone(hours)
    own, whole = scenario.start.tzinfo, timezone(timedelta(hours=hours))
    outages = [o.model_copy(update={key: getattr(o, key).astimezone(own).replace(
        tzinfo=whole) for key in ("start", "end")}) for o in scenario.outages]
    moved = scenario.model_copy(update={"start": scenario.start.replace(tzinfo=whole),
                                        "outages": outages})
    return moved, _etc_zone(hours)


def _on_own_clock(label: str, scenario: Scenario) -> str:
    """An hour's start from the whole-hour zone as the scenario's clock writes it: the
    same wall clock, the scenario's offset (08:00+05:00 → 08:00+05:30)."""
    if scenario.start.tzinfo is None:
        return label
    return datetime.fromisoformat(label).replace(tzinfo=scenario.start.tzinfo).isoformat()


def zone_label(zone: str) -> str:
    """``zone`` as a person reads it: ``Etc/GMT-2`` is "UTC+2" (POSIX's sign is the
    reverse of the offset's, which read as two hours behind UTC)."""
    if zone.startswith("Etc/GMT") and zone[7:] and zone[7] in "+-":
        return f"UTC{'-' if zone[7] == '+' else '+'}{zone[8:]}"
    return zone


def outcome(scenario: Scenario, seed: int | None = None,
            progress: Progress | None = None, max_contacts: int | None = None,
            config: Config | None = None) -> Outcome:
    """Simulate ``scenario`` and measure it with the center's ``config`` (its channels'
    and queues' thresholds and modes, as its own reports read them; the defaults when
    None). ``progress`` gets the share simulated; more than ``max_contacts`` contacts stop
    the run with ``ContactLimitReached``."""
    result = simulate(scenario, seed, progress, max_contacts)
    written, zone = _on_whole_hours(scenario)
    result = replace(result, scenario=written)
    # chat occupancy is relative to the sessions each agent holds in this very run
    base = config or Config()
    config = base.model_copy(update={"agents": base.agents.model_copy(update={
        "capacity": {a.id: a.group.capacity for a in result.agents}})})
    with tempfile.TemporaryDirectory(prefix="omnikpi-whatif-") as tmp:
        folder = Path(tmp)
        write(tables(result), folder, "parquet")
        dataset = load_dataset(folder, cache=False)
        by_campaign = run_report(dataset, list(CAMPAIGN_METRICS), by=["campaign"],
                                 config=config).rows if dataset.has("dial_attempts") else []
        campaigns = {str(r["campaign"]): {m: r.get(m) for m in CAMPAIGN_METRICS}
                     for r in by_campaign}
        center_metrics = [m for m in CENTER_METRICS if all(
            dataset.has(t) for t in metric_tables(get_metric(m)))]
        center = run_report(dataset, center_metrics, config=config).rows \
            if center_metrics else [{}]
        if not dataset.has("contacts"):  # a center that only dials
            return Outcome({}, {m: center[0].get(m) for m in CENTER_METRICS}, {}, campaigns)
        by_channel = run_report(dataset, list(CHANNEL_METRICS), by=["channel"],
                                config=config).rows
        live = [r["channel"] for r in by_channel if r["channel"] in LIVE_CHANNELS]
        hourly_rows = run_report(dataset, [HOURLY_METRIC], by=["channel"], grain="hour",
                                 tz=zone, where={"channel": live},
                                 config=config).rows if live else []
    channels = {r["channel"]: {m: r.get(m) for m in CHANNEL_METRICS} for r in by_channel}
    hourly: dict[str, list[tuple[str, float | None]]] = {ch: [] for ch in live}
    for row in sorted(hourly_rows, key=lambda r: str(r["period_start"])):
        hourly[row["channel"]].append((_on_own_clock(str(row["period_start"]), scenario),
                                       row[HOURLY_METRIC]))
    return Outcome(channels, {m: center[0].get(m) for m in CENTER_METRICS}, hourly,
                   campaigns)


def compare(baseline: Scenario, whatif: Scenario, seed: int | None = None,
            progress: Progress | None = None, max_contacts: int | None = None,
            config: Config | None = None) -> Comparison:
    """Both scenarios simulated with the same seed (the baseline's unless ``seed``), so
    both see the same callers, and measured with the center's ``config`` (a 30 s voice
    threshold there is the what-if's too); ``progress`` gets the share of the whole work
    done."""
    run_seed = baseline.seed if seed is None else seed

    def half(offset: float) -> Progress | None:
        return None if progress is None else (lambda done: progress(offset + done / 2))

    first = outcome(baseline, run_seed, half(0.0), max_contacts, config)
    second = outcome(whatif, run_seed, half(0.5), max_contacts, config)
    return Comparison(first, second, zone_of(baseline))
