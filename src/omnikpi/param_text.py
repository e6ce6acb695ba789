"""A figure's parameters as a reader can give them back: ``name=value`` texts.

A service level computed with ``threshold_seconds`` left to the configuration ran with a
threshold per channel (20 s for a call, a day for an e-mail), and "threshold_seconds=None"
would hide the most important number behind it. The drill-down page and the exports a
client receives spell it out from the configuration of the run; switches read ``true``
or ``false`` and numbers without a needless ".0", as ``--param`` and the TOML files take
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from omnikpi.config import DEFAULT_THRESHOLDS_SECONDS, Config


def thresholds_text(config: Config, channels: Sequence[str]) -> str:
    """The service-level threshold of each channel (the dataset's, else the catalog's
    channels) and of each queue the configuration sets one for: "chat 60, voice 20"."""
    return ", ".join(f"{name} {seconds:g}"
                     for name, seconds in thresholds_of(config, channels).items())


def thresholds_of(config: Config, channels: Sequence[str]) -> dict[str, float]:
    """The thresholds :func:`thresholds_text` says, as numbers: channel → seconds, and
    ``queue NAME`` → seconds for each queue the configuration sets one for. Without
    ``channels``, every channel of the catalog and of the configuration."""
    named = sorted({c.lower() for c in channels}
                   or set(DEFAULT_THRESHOLDS_SECONDS) | set(config.channels))
    out = {channel: float(config.channel_threshold(channel)) for channel in named}
    out |= {f"queue {queue}": float(settings.threshold_seconds)
            for queue, settings in sorted(config.queues.items())
            if settings.threshold_seconds is not None}
    return out


def param_texts(params: dict[str, Any], thresholds: str) -> list[tuple[str, str]]:
    """(name, value) of each parameter; a threshold left to the configuration is
    ``thresholds`` (:func:`thresholds_text` of the run)."""
    out: list[tuple[str, str]] = []
    for name, value in params.items():
        if name.startswith("__"):
            continue
        if value is None and name == "threshold_seconds" and thresholds:
            out.append((name, thresholds))
        elif value is None:  # "pass_score=None" read as a Python leftover
            out.append((name, "none"))
        elif isinstance(value, bool):
            out.append((name, "true" if value else "false"))
        elif isinstance(value, float):
            out.append((name, f"{value:g}"))
        else:
            out.append((name, str(value)))
    return out
