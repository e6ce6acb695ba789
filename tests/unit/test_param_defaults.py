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


def _two_chat_agents(tmp_path: Path) -> Path:
    """Agents A (queue vip) and B (queue general), each active 10:00–11:00 (3600 s).
    A holds two chats 10:00–10:30 (∫ = 3600 session-seconds), B one 10:00–11:00 (3600)."""
    from ..builders import call, dataset

    def chat(cid: str, queue: str, agent: str, end: str) -> dict[str, object]:
        return call(cid, "2024-03-05T10:00:00Z", queue=queue, channel="chat",
                    answered="2024-03-05T10:00:00Z", ended=end, agent_id=agent)

    states = [{"agent_id": a, "state": "handling", "start": "2024-03-05T10:00:00Z",
               "end": "2024-03-05T11:00:00Z"} for a in ("A", "B")]
    return dataset(tmp_path / "data", agent_states=states, contacts=[
        chat("a1", "vip", "A", "2024-03-05T10:30:00Z"),
        chat("a2", "vip", "A", "2024-03-05T10:30:00Z"),
        chat("b1", "general", "B", "2024-03-05T11:00:00Z")])


@pytest.mark.parametrize(("config", "total", "per_agent"), [
    ("", 7200 / (4 * 3600 + 4 * 3600), {"A": 3600 / 14400, "B": 3600 / 14400}),
    # the VIP queue's two sessions hold A; B keeps the catalog's 4
    ("[queues.vip]\nchat_capacity = 2\n", 7200 / (2 * 3600 + 4 * 3600),
     {"A": 3600 / 7200, "B": 3600 / 14400}),
    # a channel's capacity applies where the queue has none
    ("[channels.chat]\nchat_capacity = 3\n[queues.vip]\nchat_capacity = 2\n",
     7200 / (2 * 3600 + 3 * 3600), {"A": 3600 / 7200, "B": 3600 / 10800}),
    # an agent's own capacity wins over its queue's
    ("[queues.vip]\nchat_capacity = 2\n[agents.capacity]\nA = 6\n",
     7200 / (6 * 3600 + 4 * 3600), {"A": 3600 / 21600, "B": 3600 / 14400}),
])
def test_chat_capacity_per_queue_and_channel(tmp_path: Path, config: str, total: float,
                                             per_agent: dict[str, float]) -> None:
    import omnikpi
    from omnikpi.config import load_config

    path = tmp_path / "omnikpi.toml"
    path.write_text(config)
    data = _two_chat_agents(tmp_path)
    settings = load_config(path)
    pooled = omnikpi.report_result(data, metrics=["chat_occupancy_relative"],
                                   config=settings).rows
    assert pooled == [{"chat_occupancy_relative": pytest.approx(total)}]
    rows = omnikpi.report_result(data, metrics=["chat_occupancy_relative"], by=["agent_id"],
                                 config=settings).rows
    assert {r["agent_id"]: r["chat_occupancy_relative"] for r in rows} == pytest.approx(
        per_agent)


def test_a_short_parameter_is_judged_by_the_reports_metrics() -> None:
    """``per`` means other choices for ``transactions_per_hour`` (period, logged_in,
    agent_day) than for ``conversion_rate`` (rpc, connected, leads): ``--param
    per=logged_in`` in a report of the first used to fail on the second's choices."""
    from omnikpi.errors import UsageError

    tph, fcr = get_metric("transactions_per_hour"), get_metric("fcr")
    assert resolve_params([tph], {"per": "logged_in"})["transactions_per_hour"]["per"] \
        == "logged_in"
    with pytest.raises(UsageError, match=r"transactions_per_hour\.per"):
        resolve_params([tph], {"per": "leads"})
    with pytest.raises(UsageError, match=r"fcr\.match_topic"):  # the report's own metric
        resolve_params([fcr], {"match_topic": "maybe"})
    # a value for no metric of the report must still suit some metric that has it
    assert resolve_params([fcr], {"per": "leads"}) == resolve_params([fcr], {})
    with pytest.raises(UsageError, match="per"):
        resolve_params([fcr], {"per": "nonsense"})


SHRINKAGE_CASE = Path(__file__).resolve().parents[1] / "cases" / "data" / "shrinkage_paid_time"
"""a7's hour of work adhered to, of 25 h scheduled: 8 h of it vacation (a6), 8 h sick (a9)."""


def _adherence(tmp_path: Path, config: str, *extra: str) -> float | None:
    path = tmp_path / "omnikpi.toml"
    path.write_text(config)
    printed = CliRunner().invoke(app, [
        "report", "--data", str(SHRINKAGE_CASE), "--metrics", "adherence", "--config",
        str(path), "--format", "json", *extra])
    assert printed.exit_code == 0, printed.output
    value: float | None = json.loads(printed.stdout)["rows"][0]["adherence"]
    return value


def test_the_configured_days_off_leave_adherence(tmp_path: Path) -> None:
    days_off = '[agents]\nadherence_excluded_activities = ["vacation", "SICK"]\n'
    assert _adherence(tmp_path, "") == pytest.approx(1 / 25)  # every activity counts
    assert _adherence(tmp_path, days_off) == pytest.approx(1 / 9)
    # a report's own value wins, an empty one included
    assert _adherence(tmp_path, days_off, "--param",
                      "adherence.excluded_activities=") == pytest.approx(1 / 25)
    assert _adherence(tmp_path, "", "--param",
                      "adherence.excluded_activities=vacation") == pytest.approx(1 / 17)


def test_the_dashboard_reads_the_configured_days_off(tmp_path: Path) -> None:
    """The web service has no --param: the configuration is how a center sets it."""
    from fastapi.testclient import TestClient

    from omnikpi.config import Config
    from omnikpi.web.app import create_app

    config = Config.model_validate(
        {"agents": {"adherence_excluded_activities": ["vacation", "sick"]}})
    app = create_app(SHRINKAGE_CASE, config, auth_required=False, live_updates=False,
                     database_url=f"sqlite:///{tmp_path / 'app.db'}", scheduler=False)
    with TestClient(app) as client:
        report = client.get("/api/v1/report", params={"metrics": "adherence"}).json()
    assert report["rows"][0]["adherence"] == pytest.approx(1 / 9)
