"""One report request for every surface; options given explicitly win over a saved
definition, the defaults included (``--grain total``, ``--tz UTC``)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.definitions import ReportDefinition, load_definition
from omnikpi.request import ReportRequest

from ..conftest import SPEC_EXAMPLES

VOICE = SPEC_EXAMPLES / "voice_basic"


def test_given_options_win_and_missing_ones_keep_the_saved() -> None:
    saved = ReportRequest.of(["offered"], ["queue"], "day", "Europe/Kyiv",
                             params={"service_level.threshold_seconds": 30},
                             filters={"channel": ["voice"]})
    merged = saved.overridden(metrics=[], by=None, grain="total", tz="UTC", from_=None,
                              params={"threshold_seconds": 10}, filters={"queue": ["a"]})
    assert merged.metrics == ("offered",) and merged.by == ("queue",)
    assert (merged.grain, merged.tz) == ("total", "UTC")
    # the given threshold is the one used: kept beside it, the saved
    # service_level.threshold_seconds was applied after it and won (silently)
    assert merged.params == {"threshold_seconds": 10}
    assert merged.filters == {"channel": ("voice",), "queue": ("a",)}
    both = ReportRequest.of(["offered"], params={"threshold_seconds": 30,
                                                  "asa.threshold_seconds": 40})
    assert both.overridden(params={"service_level.threshold_seconds": 5}).params == {
        "threshold_seconds": 30, "asa.threshold_seconds": 40,
        "service_level.threshold_seconds": 5}


def test_a_parameter_given_beside_a_definition_is_used(tmp_path: Path) -> None:
    """``omnikpi report --definition daily-sl.toml --param threshold_seconds=5``: the
    figure is the one of threshold 5 without the definition (it stayed at the saved 30,
    exit 0)."""
    import json

    from typer.testing import CliRunner

    from omnikpi.cli.main import app

    path = tmp_path / "daily-sl.toml"
    path.write_text('name = "Daily SL"\nmetrics = ["service_level"]\n'
                    '[params]\n"service_level.threshold_seconds" = 30\n')

    def service_level(*options: str) -> tuple[float, float]:
        result = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--format",
                                          "json", *options])
        assert result.exit_code == 0, result.output
        answer = json.loads(result.stdout)
        return (answer["rows"][0]["service_level"],
                answer["metrics"]["service_level"]["params"]["threshold_seconds"])

    plain = service_level("--metrics", "service_level", "--param", "threshold_seconds=5")
    saved = service_level("--definition", str(path))
    assert plain[1] == 5 and saved[1] == 30 and plain[0] != saved[0]
    assert service_level("--definition", str(path), "--param", "threshold_seconds=5") == plain


def test_a_definition_round_trips_through_a_request(tmp_path: Path) -> None:
    request = ReportRequest.of(["service_level", "asa"], ["queue"], "30min", "Europe/Kyiv",
                               "2024-03-05", "2024-03-06", "2024-03-05T11:00:00Z",
                               {"service_level.threshold_seconds": 20},
                               {"channel": ["voice"]})
    definition = ReportDefinition.from_request("Voice SL", request)
    path = tmp_path / "voice-sl.toml"
    path.write_text(definition.to_toml())
    assert load_definition(path).to_request() == request


def test_cli_grain_total_and_tz_utc_override_the_definition(tmp_path: Path) -> None:
    path = tmp_path / "daily.toml"
    path.write_text('metrics = ["offered", "answered"]\nby = ["queue"]\ngrain = "30min"\n'
                    'tz = "Europe/Kyiv"\n')
    printed = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--definition",
                                       str(path), "--grain", "total", "--tz", "UTC",
                                       "--format", "json"])
    assert printed.exit_code == 0, printed.output
    rows = json.loads(printed.stdout)["rows"]
    expected = omnikpi.report_result(VOICE, metrics=["offered", "answered"], by=["queue"])
    assert rows == expected.rows and "period_start" not in rows[0]
    kept = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--definition",
                                    str(path), "--format", "json"])
    periods = json.loads(kept.stdout)["rows"]
    assert periods[0]["period_start"].endswith("+02:00")  # the definition's 30min in Kyiv


def test_a_definitions_name_is_the_title_of_its_files(tmp_path: Path) -> None:
    """docs/scheduled-reports.md: ``name`` is the report's title; the XLSX read "OmniKPI
    report — voice_basic". ``--title`` still wins."""
    from openpyxl import load_workbook

    path = tmp_path / "daily.toml"
    path.write_text('name = "Daily SL by queue"\nmetrics = ["offered"]\n')
    for extra, title in (([], "Daily SL by queue"), (["--title", "Mine"], "Mine")):
        out = tmp_path / f"r{len(extra)}.xlsx"
        made = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--definition",
                                        str(path), "--output", str(out), *extra])
        assert made.exit_code == 0, made.output
        assert load_workbook(out).active["A1"].value == title


def test_a_dimension_or_metric_named_twice_is_asked_for_once() -> None:
    """``--by queue,queue`` used to end in Ibis's "Duplicate column name" traceback."""
    printed = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--metrics",
                                       "asa,offered,asa", "--by", "queue,queue",
                                       "--format", "json"])
    assert printed.exit_code == 0, printed.output
    rows = json.loads(printed.stdout)["rows"]
    assert rows == omnikpi.report_result(VOICE, metrics=["asa", "offered"],
                                         by=["queue"]).rows
    assert list(rows[0]) == ["queue", "asa", "offered"]
    assert ReportRequest(by=("queue", "queue")).by == ("queue",)
    assert ReportRequest().overridden(by=["agent_id", "agent_id"]).by == ("agent_id",)


def test_parameters_written_as_toml_tables_are_read(tmp_path: Path) -> None:
    """``service_level.threshold_seconds = 30`` under ``[params]`` (a bare dotted key) and
    ``[params.service_level]`` are TOML tables of tables: a definition written so was
    refused with pydantic's four types. They read as the quoted key does, and the report
    is the one of threshold 30."""
    quoted = tmp_path / "quoted.toml"
    quoted.write_text('metrics = ["service_level"]\n[params]\n'
                      '"service_level.threshold_seconds" = 30\n')
    dotted = tmp_path / "dotted.toml"
    dotted.write_text('metrics = ["service_level"]\n[params]\n'
                      "service_level.threshold_seconds = 30\nthreshold_seconds = 10\n")
    table = tmp_path / "table.toml"
    table.write_text('metrics = ["service_level"]\n[params.service_level]\n'
                     "threshold_seconds = 30\n")
    expected = {"service_level.threshold_seconds": 30}
    assert load_definition(quoted).params == expected
    assert load_definition(table).params == expected
    assert load_definition(dotted).params == {**expected, "threshold_seconds": 10}
    answers = []
    for path in (quoted, table):
        result = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--definition",
                                          str(path), "--format", "json"])
        assert result.exit_code == 0, result.output
        answers.append(json.loads(result.stdout))
    assert answers[0] == answers[1]
    assert answers[0]["metrics"]["service_level"]["params"]["threshold_seconds"] == 30
