"""Bad input at the command line is a clear message and the contract's exit code, never a
traceback: each case below printed a Python traceback before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app

from ..conftest import SPEC_EXAMPLES

VOICE = SPEC_EXAMPLES / "voice_basic"


@pytest.mark.parametrize(("args", "words"), [
    (["--output", "/nonexistent/folder/x.json", "--format", "json"],
     "the folder /nonexistent/folder does not exist"),
    (["--from", "0001-01-01", "--to", "9999-12-31"], "outside the years"),
    (["--as-of", "0001-01-01"], "outside the years"),
    (["--param", "threshold_seconds=1e999"], "finite number"),
    (["--param", "threshold_seconds=inf"], "finite number"),
    (["--param", "threshold_seconds=nan"], "finite number"),
    # once 21.8 s of work in the web server for a 15-minute calendar to 2100
    (["--grain", "15min", "--as-of", "2199-01-01"], "at most 200,000"),
])
def test_report_options(args: list[str], words: str) -> None:
    result = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--metrics",
                                      "service_level", *args])
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_box_of_no_points_is_refused() -> None:
    """``csat.top_box=0`` counted nobody satisfied (CSAT 0 %) without a word."""
    scales = Path(__file__).parents[1] / "cases" / "data" / "csat_scales"
    result = CliRunner().invoke(app, ["report", "--data", str(scales), "--metrics", "csat",
                                      "--param", "csat.top_box=0"])
    assert result.exit_code == 2, result.output
    assert ("bad value '0' for parameter csat.top_box: expected a whole number from 1"
            in " ".join(result.output.split()))


@pytest.mark.parametrize(("fmt", "name", "refused"), [
    ("csv", "r.xlsx", True), ("xlsx", "r.csv", True), ("json", "r.pdf", True),
    ("table", "r.csv", True), ("xlsx", "r.txt", True), ("csv", "r.txt", False),
    ("json", "r.log", False), ("csv", "r.CSV", False), ("csv", "r.tsv", False),
    ("json", "r", False)])
def test_a_format_and_an_extension_that_disagree_are_refused(
        tmp_path: Path, fmt: str, name: str, refused: bool) -> None:
    """``--format csv --output r.xlsx`` wrote CSV text into a file Excel will not open,
    exit 0. A name without an extension, or with one no report format has, takes any; a
    plain-text one any text format (CSV as .txt for Excel's import wizard). An unknown
    format is refused as such before the extension is looked at (it was a KeyError)."""
    out = tmp_path / name
    result = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--metrics",
                                      "offered", "--format", fmt, "--output", str(out)])
    said = " ".join(result.output.split())
    if refused:
        assert result.exit_code == 2, result.output
        assert f"--format {fmt} does not match --output {out}" in said and not out.exists()
    else:
        assert result.exit_code == 0, result.output
        assert out.exists()
    for odd in ("parquet", "CSV"):
        unknown = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--metrics",
                                           "offered", "--format", odd, "--output", str(out)])
        assert unknown.exit_code == 2 and f"unknown format '{odd}'" in unknown.output


@pytest.mark.parametrize("name", ["r.parquet", "r.html", "r.xls"])
def test_an_output_extension_that_is_no_report_format_is_refused(tmp_path: Path,
                                                                  name: str) -> None:
    """``--output r.parquet`` wrote the terminal's box-drawn table into the file, exit 0:
    no Parquet reader could open it."""
    result = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--metrics",
                                      "offered", "--output", str(tmp_path / name)])
    assert result.exit_code == 2, result.output
    assert f".{name.split('.')[1]} is not a report format" in " ".join(result.output.split())
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize(("name", "starts"), [("r.txt", "voice_basic"), ("r", "voice_basic"),
                                              ("r.JSON", "{")])
def test_an_output_extension_names_its_format(tmp_path: Path, name: str, starts: str) -> None:
    result = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--metrics",
                                      "offered", "--output", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert starts in (tmp_path / name).read_text(encoding="utf-8")[:200]


def test_a_table_metric_beside_others_is_named_in_a_sentence() -> None:
    result = CliRunner().invoke(app, ["report", "--data", str(VOICE), "--metrics",
                                      "offered,time_in_state"])
    assert result.exit_code == 2, result.output
    assert "time_in_state gives one row per" in result.output  # was "give"


def test_validate_with_an_unknown_format_exits_2() -> None:
    result = CliRunner().invoke(app, ["validate", "--data", str(VOICE), "--format", "xml"])
    assert result.exit_code == 2 and "unknown format 'xml'" in result.output


def test_far_instants_in_data_are_quarantined_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,first_response_at,ended_at\n"
        "c1,voice,q,2024-03-04T10:00:00Z,2024-03-04T10:00:10Z,2024-03-04T10:05:00Z\n"
        "c2,voice,q,99999-03-04T10:00:00Z,,\n"
        "c3,voice,q,0001-01-01T00:00:00Z,,\n")
    checked = CliRunner().invoke(app, ["validate", "--data", str(tmp_path)])
    assert checked.exit_code == 0
    assert checked.output.count("instant outside the years 1900–2199") == 2
    report = CliRunner().invoke(app, ["report", "--data", str(tmp_path), "--metrics",
                                      "offered,service_level", "--format", "json"])
    assert report.exit_code == 0, report.output
    assert '"offered": 1' in report.stdout and '"service_level": 1.0' in report.stdout


@pytest.mark.parametrize("args", [["report", "--help"], ["validate", "--help"]])
def test_a_pipe_closed_by_its_reader_ends_the_command_quietly(args: list[str]) -> None:
    """``omnikpi report --help | head -1`` printed "error: cannot use a file: Broken
    pipe" (exit 2): the reader leaving is not a file someone named."""
    process = subprocess.Popen([sys.executable, "-m", "omnikpi", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    for _ in range(20):  # as ``head -20`` does: some lines, then the pipe closed
        process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) in (0, 1)  # 0 if everything fitted in the pipe
    assert errors == ""
