"""Parameter defaults that come from the configuration or the data, declared with the
parameter (no parameter name is special-cased by the engine)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.engine.params import resolve_params
from omnikpi.metrics.base import get_metric

from ..conftest import SPEC_EXAMPLES

CHAT = SPEC_EXAMPLES / "chat_concurrency_seed"
"""The seed timeline: 91 session-slots over 34 active slots of 15 min (op1)."""


def _relative(tmp_path: Path, config: str, *extra: str) -> float:
    path = tmp_path / "omnikpi.toml"
    path.write_text(config)
    printed = CliRunner().invoke(app, [
        "report", "--data", str(CHAT), "--metrics", "chat_occupancy_relative", "--as-of",
        "2024-04-02T17:30:00Z", "--config", str(path), "--format", "json", *extra])
    assert printed.exit_code == 0, printed.output
    answer = json.loads(printed.stdout)
    value: float = answer["rows"][0]["chat_occupancy_relative"]
    assert "agent_capacity" not in answer["metrics"]["chat_occupancy_relative"]["params"]
    return value


def test_the_configured_chat_capacity_reaches_the_report(tmp_path: Path) -> None:
    assert _relative(tmp_path, "") == pytest.approx(91 / (4 * 34))  # the catalog's 4
    assert _relative(tmp_path, "[agents]\nchat_capacity = 2\n") == pytest.approx(91 / (2 * 34))
    # a value given for the report wins over the configuration
    assert _relative(tmp_path, "[agents]\nchat_capacity = 2\n", "--param",
                     "capacity=4") == pytest.approx(91 / (4 * 34))
    # a per-agent capacity wins over both
    assert _relative(tmp_path, "[agents]\nchat_capacity = 2\n[agents.capacity]\nop1 = 7\n",
                     "--param", "capacity=4") == pytest.approx(91 / (7 * 34))


def test_configuration_only_values_cannot_be_set_per_report() -> None:
    with pytest.raises(Exception, match="unknown parameter 'agent_capacity'"):
        resolve_params([get_metric("chat_occupancy_relative")], {"agent_capacity": "3"})
    assert "agent_capacity" not in [p["name"] for p in _catalog_params()]


def _catalog_params() -> list[dict[str, object]]:
    printed = CliRunner().invoke(app, ["catalog", "--format", "json"])
    entry = next(m for m in json.loads(printed.stdout) if m["id"] == "chat_occupancy_relative")
    params: list[dict[str, object]] = entry["parameters"]
    return params
