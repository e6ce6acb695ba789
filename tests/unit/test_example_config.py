"""The example configuration shipped at the top of the repository (``omnikpi.example.toml``,
which docs/deployment.md installs as /etc/omnikpi/omnikpi.toml and the README copies to
omnikpi.toml) is one the program accepts — as it is, and with every commented section
and key turned on: a key renamed in ``omnikpi.config`` must not leave a newcomer copying
a file that is refused."""

from __future__ import annotations

import re
from pathlib import Path

from omnikpi.config import Config, load_config

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "omnikpi.example.toml"
COMMENTED_TOML = re.compile(r"^# (\[[a-z_.]+\]|[a-z_]+ = .*)$")


def test_the_example_loads_and_changes_nothing() -> None:
    """Its values are the defaults: as shipped it sets what no file would."""
    config = load_config(EXAMPLE)
    default = Config()
    for channel in ("voice", "chat", "email"):
        assert config.channel_mode(channel) == default.channel_mode(channel)
        assert config.channel_threshold(channel) == default.channel_threshold(channel)
    assert config.agents == default.agents
    assert config.schedules == default.schedules
    assert config.retention == default.retention  # nothing is deleted unless it is set


def test_every_commented_key_is_valid_too(tmp_path: Path) -> None:
    """Remove the "# " before every commented section and key: still a valid file."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    opened = [COMMENTED_TOML.sub(r"\1", line) for line in lines]
    turned_on = sum(a != b for a, b in zip(lines, opened, strict=True))
    assert turned_on >= 20, turned_on
    path = tmp_path / "omnikpi.toml"
    path.write_text("\n".join(opened) + "\n", encoding="utf-8")
    config = load_config(path)
    assert config.email.host == "smtp.example.com"
    assert config.retention.audit_days == 730
    assert config.queues["vip"].threshold_seconds == 10


def test_the_docs_point_to_it() -> None:
    """The deployment creates /etc/omnikpi/omnikpi.toml from it (the service stopped with
    "config file not found"), and the README's `--config omnikpi.toml` starts from it."""
    deployment = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert "omnikpi.example.toml /etc/omnikpi/omnikpi.toml" in deployment
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "cp omnikpi.example.toml omnikpi.toml" in readme
