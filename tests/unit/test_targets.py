"""Goals come from the configuration, else from the metric's declaration."""

from __future__ import annotations

from pathlib import Path

import pytest

from omnikpi.config import Config, load_config
from omnikpi.errors import UsageError
from omnikpi.metrics.base import get_metric
from omnikpi.web.goals import judge


def test_queue_then_channel_then_global_then_declaration(tmp_path: Path) -> None:
    path = tmp_path / "omnikpi.toml"
    path.write_text("[targets]\nservice_level = 0.85\n"
                    "[targets_by_queue.vip]\nservice_level = 0.95\n"
                    "[targets_by_channel.email]\nservice_level = 0.9\n")
    config = load_config(path)
    assert config.target("service_level", queue="vip", channel="email") == 0.95
    assert config.target("service_level", queue="other", channel="email") == 0.9
    assert config.target("service_level", channel="voice") == 0.85
    assert config.target("abandon_rate") == 0.05  # the declaration's default
    assert Config().target("service_level") == 0.8
    assert Config().target("received") is None


def test_status_follows_the_direction() -> None:
    config = Config(targets={"abandon_rate": 0.03})
    sl, abandons = get_metric("service_level"), get_metric("abandon_rate")
    assert judge(config, sl, 0.8) == ("good", "≥ 80.0 %")
    assert judge(config, sl, 0.79) == ("bad", "≥ 80.0 %")
    assert judge(config, abandons, 0.03)[0] == "good"
    assert judge(config, abandons, 0.031)[0] == "bad"
    assert judge(config, abandons, None) == (None, "≤ 3.0 %")
    assert judge(config, sl, 0.8, lang="uk") == ("good", "≥ 80,0\xa0%")  # no break
    assert judge(config, get_metric("received"), 12) == (None, None)


@pytest.mark.parametrize(("text", "words"), [
    ("[targets]\nsl = 0.8\n", "unknown metric 'sl'"),
    ("[targets]\nreceived = 10\n", "received has no direction"),
    ("[targets_by_queue.vip]\nservice_level = nan\n", "finite"),
])
def test_a_bad_target_names_itself(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "omnikpi.toml"
    path.write_text(text)
    with pytest.raises(UsageError, match=words):
        load_config(path)
