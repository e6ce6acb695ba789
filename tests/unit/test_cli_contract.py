"""The command-line contract: exit codes, messages, validation report, catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.metrics.base import all_metrics

from ..builders import call, dataset
from ..conftest import SPEC_EXAMPLES

VOICE = SPEC_EXAMPLES / "voice_basic"
runner = CliRunner()


def test_unknown_metric_exits_2_and_lists_ids() -> None:
    result = runner.invoke(app, ["report", "--data", str(VOICE), "--metrics", "sl"])
    assert result.exit_code == 2
    assert "unknown metric 'sl'" in result.output and "service_level" in result.output


def test_a_filter_the_metric_cannot_have_exits_2_naming_the_metric() -> None:
    result = runner.invoke(app, ["report", "--data", str(DEMO_DATA_DIR), "--metrics",
                                 "aht,utilization",
                                 "--filter", "channel=voice"])
    assert result.exit_code == 2
    assert ("metric utilization cannot be filtered by channel: its data (shifts, "
            "agent_states) can be filtered only by agent_id, site, tenant") in result.output


def test_bad_param_exits_2_naming_choices() -> None:
    result = runner.invoke(app, ["report", "--data", str(VOICE), "--metrics", "service_level",
                                 "--param", "service_level.variant=bogus"])
    assert result.exit_code == 2
    assert "answered_abandoned" in result.output
    bad_number = runner.invoke(app, ["report", "--data", str(VOICE), "--param",
                                     "threshold_seconds=abc"])
    assert bad_number.exit_code == 2 and "threshold_seconds" in bad_number.output
    no_equals = runner.invoke(app, ["report", "--data", str(VOICE), "--param", "x"])
    assert no_equals.exit_code == 2
    # the same parameter twice with two values: the last silently won
    twice = runner.invoke(app, ["report", "--data", str(VOICE), "--metrics", "service_level",
                                "--param", "threshold_seconds=30", "--param",
                                "threshold_seconds=40"])
    assert twice.exit_code == 2
    assert "--param threshold_seconds is given twice, as '30' and '40': give it once" in \
        " ".join(twice.output.split())
    same = runner.invoke(app, ["report", "--data", str(VOICE), "--metrics", "service_level",
                               "--param", "threshold_seconds=30", "--param",
                               "threshold_seconds=30", "--format", "json"])
    assert same.exit_code == 0, same.output
    spelled = runner.invoke(app, ["report", "--data", str(VOICE), "--metrics", "service_level",
                                  "--param", "threshold_seconds=30", "--param",
                                  "threshold_seconds=30.0"])
    assert spelled.exit_code == 0, spelled.output  # one number, two spellings


def test_a_param_no_requested_metric_reads_is_noted() -> None:
    """``--metrics aht --param threshold_seconds=20`` printed the AHT with no word: the
    reader took the threshold as applied. It is checked, passes (one parameter file
    serves several reports) and is noted, with the metrics that would read it; a
    parameter a requested metric reads is not noted."""
    result = runner.invoke(app, ["report", "--data", str(VOICE), "--metrics", "aht",
                                 "--param", "threshold_seconds=20", "--param",
                                 "abandon_rate.short_abandon_seconds=5", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["rows"][0]["aht"] is not None
    notes = " ".join(result.stderr.split())
    assert "note: parameter threshold_seconds is not applied: no metric of the report " \
        "reads it (it is a parameter of service_level" in notes
    assert "note: parameter abandon_rate.short_abandon_seconds is not applied: " \
        "abandon_rate is not in the report" in notes
    read = runner.invoke(app, ["report", "--data", str(VOICE), "--metrics",
                               "aht,service_level", "--param", "threshold_seconds=20",
                               "--format", "json"])
    assert read.exit_code == 0 and "not applied" not in read.stderr


COST_PER_SALE = Path(__file__).resolve().parents[1] / "cases" / "data" / "cost_per_sale_counts"


@pytest.mark.parametrize(("args", "note"), [
    (["--param", "cost_per_sale.sale_outcomes=sale,upsell"],
     "parameter cost_per_sale.sale_outcomes is not applied: cost_per_sale reads it only "
     "with sales=all"),
    (["--param", "sale_outcomes=sale,upsell"],
     "parameter sale_outcomes is not applied: cost_per_sale reads it only with sales=all"),
    (["--param", "sales=all", "--param", "sale_outcomes=sale,upsell"], None),
    (["--metrics", "cost_per_sale,sales", "--param", "sale_outcomes=sale,upsell"], None),
], ids=["qualified", "bare", "sales=all", "read by sales"])
def test_a_param_read_only_with_another_s_value_is_noted(args: list[str],
                                                         note: str | None) -> None:
    """``cost_per_sale`` counts contacts with outcome ``sale`` unless ``sales=all``:
    ``sale_outcomes=sale,upsell`` beside the default was accepted and changed nothing,
    and the reader took the upsells as counted."""
    result = runner.invoke(app, ["report", "--data", str(COST_PER_SALE), "--metrics",
                                 "cost_per_sale", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    notes = " ".join(result.stderr.split())
    if note is None:
        assert "not applied" not in notes
    else:
        assert f"note: {note}" in notes


def test_missing_table_exits_3_naming_it(tmp_path: Path) -> None:
    data = dataset(tmp_path, contacts=[call("a", "2024-03-05T10:00:00")])
    result = runner.invoke(app, ["report", "--data", str(data), "--metrics", "occupancy"])
    assert result.exit_code == 3
    assert "agent_states" in result.output


def test_missing_required_column_exits_3(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text("contact_id,channel,queue\na,voice,q\n")
    result = runner.invoke(app, ["report", "--data", str(tmp_path), "--metrics", "offered"])
    assert result.exit_code == 3
    assert "arrived_at" in result.output
    validate = runner.invoke(app, ["validate", "--data", str(tmp_path)])
    assert validate.exit_code == 3 and "arrived_at" in validate.output
    # the standard report too, when another table could give figures: it printed the
    # agents' occupancy alone and left every contact metric out without a word
    (tmp_path / "agent_states.csv").write_text(
        "agent_id,state,start,end\na1,available,2024-03-05T10:00:00Z,2024-03-05T11:00:00Z\n")
    standard = runner.invoke(app, ["report", "--data", str(tmp_path)])
    assert standard.exit_code == 3 and "arrived_at" in standard.output


def test_validate_lists_every_problem_and_report_quarantines(tmp_path: Path) -> None:
    rows = [
        call("a", "2024-03-05T10:00:00", answered="2024-03-05T10:00:10",
             ended="2024-03-05T10:01:00"),
        call("b", "not a time"),                                        # row 2
        call("c", "2024-03-05T10:00:00", answered="2024-03-05T09:59:00"),  # row 3
        call("a", "2024-03-05T10:00:00"),                               # row 4 duplicate
        call("d", "2024-03-05T10:00:00", direction="sideways", hold_seconds=-3),  # row 5
    ]
    data = dataset(tmp_path, contacts=rows)
    result = runner.invoke(app, ["validate", "--data", str(data), "--format", "json"])
    assert result.exit_code == 0  # usable: bad rows are quarantined
    report = json.loads(result.stdout)
    found = {(p["row"], p["column"]) for p in report["problems"]}
    assert {(2, "arrived_at"), (3, "accepted_at"), (3, "first_response_at"),
            (4, "contact_id"), (5, "direction"), (5, "hold_seconds")} <= found
    assert report["tables"]["contacts"]["quarantined"] == 4
    text = runner.invoke(app, ["validate", "--data", str(data)]).output
    assert "contacts.csv line 3 (row 2)" in text and "not a time" in text
    out = runner.invoke(app, ["report", "--data", str(data), "--metrics", "offered",
                              "--format", "json"])
    assert out.exit_code == 0
    assert json.loads(out.stdout)["rows"] == [{"offered": 1}]
    assert "4 row(s) quarantined" in out.stderr


def test_a_metric_without_any_value_says_what_it_counts_on_stderr() -> None:
    """The demo's last contact ends on 6 March: by the data's own as-of no question's
    seven-day window has ended, so FCR is empty; stderr says why, stdout stays JSON."""
    out = runner.invoke(app, ["report", "--data", str(DEMO_DATA_DIR), "--metrics",
                              "fcr,service_level", "--tz", "Europe/Kyiv",
                              "--param", "fcr.window_hours=100", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)["rows"]
    assert rows[0]["fcr"] is None and rows[0]["service_level"] is not None
    note = " ".join(out.stderr.split())
    assert ("note: fcr has no value: it counts handled contacts with a customer_id whose "
            "100-hour repeat window has ended by as-of (2024-03-06T23:57+02:00), and there "
            "are none: a later as-of or a shorter window_hours may give some") in note
    assert "service_level" not in note  # it has a value: nothing to say
    later = runner.invoke(app, ["report", "--data", str(DEMO_DATA_DIR), "--metrics", "fcr",
                                "--as-of", "2024-03-20T00:00:00Z", "--format", "json"])
    assert later.exit_code == 0 and json.loads(later.stdout)["rows"][0]["fcr"] > 0
    assert "note:" not in later.stderr


def test_an_as_of_before_all_data_is_an_empty_report_that_says_why(tmp_path: Path) -> None:
    """An as-of of 2000 over 2024's calls began the calendar in 2000: by 15 minutes the
    report was refused for its 841,000 periods, advising "an earlier --as-of"; by day it
    printed an empty table and no word. Nothing was known by then: it says so."""
    data = dataset(tmp_path / "d", contacts=[
        call("c1", "2024-03-04T08:00:00Z", answered="2024-03-04T08:00:10Z",
             ended="2024-03-04T08:02:00Z")])
    for grain in ("15min", "day"):
        out = runner.invoke(app, ["report", "--data", str(data), "--metrics", "offered",
                                  "--grain", grain, "--as-of", "2000-01-01",
                                  "--tz", "Europe/Kyiv", "--format", "json"])
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout)["rows"] == []
        assert ("note: the report is empty: --as-of 2000-01-01 is before the data's first "
                "record (2024-03-04T10:00+02:00), and nothing was known by then"
                ) in " ".join(out.stderr.split())
    known = runner.invoke(app, ["report", "--data", str(data), "--metrics", "offered",
                                "--as-of", "2024-03-05", "--format", "json"])
    assert json.loads(known.stdout)["rows"] == [{"offered": 1}]
    assert "note:" not in known.stderr


def test_catalog_lists_every_metric_with_formula() -> None:
    result = runner.invoke(app, ["catalog", "--format", "json"])
    assert result.exit_code == 0
    listed = {m["id"]: m for m in json.loads(result.stdout)}
    assert set(listed) == {m.id for m in all_metrics()}
    sl = listed["service_level"]
    assert sl["unit"] == "ratio" and "contacts" in sl["tables"]
    assert {p["name"] for p in sl["parameters"]} == {
        "threshold_seconds", "variant", "pending_on_time", "short_abandon_seconds",
        "exclude_short_abandons"}


def test_report_formats_csv_and_xlsx(tmp_path: Path) -> None:
    args = ["report", "--data", str(VOICE), "--metrics", "offered,service_level", "--by",
            "queue"]
    csv_out = runner.invoke(app, [*args, "--format", "csv"])
    assert csv_out.stdout.splitlines()[0] == "queue,offered,service_level"
    assert csv_out.stdout.splitlines()[1].startswith("sales,11,0.6")
    target = tmp_path / "r.xlsx"
    assert runner.invoke(app, [*args, "--format", "xlsx", "--output", str(target)]).exit_code == 0
    from openpyxl import load_workbook

    from omnikpi.export import TABLE_ROW

    sheet = load_workbook(target)["report"]
    # a header block (title, period, zone, as-of, grain, filters) above the table
    assert [c.value for c in sheet[TABLE_ROW]] == ["Queue", "Offered", "Service level (%)"]
    assert [c.value for c in sheet[TABLE_ROW + 1]] == ["sales", 11, 0.6]
    # --output alone: the format its extension names (a text table was written into it)
    for name in ("plain.xlsx", "plain.json", "plain.csv"):
        assert runner.invoke(app, [*args, "--output", str(tmp_path / name)]).exit_code == 0
    assert load_workbook(tmp_path / "plain.xlsx")["report"].cell(TABLE_ROW, 1).value == \
        "Queue"
    assert json.loads((tmp_path / "plain.json").read_text())["rows"][0]["queue"] == "sales"
    assert (tmp_path / "plain.csv").read_text().startswith("queue,offered,service_level")


@pytest.mark.parametrize(("page", "command"), [
    ("metrics.md", ["catalog", "--format", "markdown"]),
    ("data-model.md", ["tables", "--format", "markdown"]),
])
def test_generated_docs_are_current(page: str, command: list[str]) -> None:
    path = Path(__file__).resolve().parents[2] / "docs" / page
    generated = runner.invoke(app, command).stdout
    assert path.read_text(encoding="utf-8").strip() == generated.strip(), (
        f"docs/{page} is stale: run `make docs`")


def test_overlapping_states_are_reported_and_never_double_counted(tmp_path: Path) -> None:
    # Row 2 starts at 10:30, inside row 1 (10:00–11:00): quarantined. Occupancy is then
    # 3600 s handling / 3600 s active = 1.0, not (3600 + 1800) / 5400.
    states = [
        {"agent_id": "x", "state": "handling", "start": "2024-03-05T10:00:00",
         "end": "2024-03-05T11:00:00", "channel": "voice"},
        {"agent_id": "x", "state": "available", "start": "2024-03-05T10:30:00",
         "end": "2024-03-05T11:00:00"},
        {"agent_id": "y", "state": "available", "start": "2024-03-05T10:30:00",
         "end": "2024-03-05T11:00:00"},
    ]
    data = dataset(tmp_path, contacts=[call("a", "2024-03-05T11:00:00")], agent_states=states)
    report = json.loads(runner.invoke(app, ["validate", "--data", str(data), "--format",
                                            "json"]).stdout)
    assert [(p["row"], p["column"]) for p in report["problems"]] == [(2, "start")]
    assert "overlaps" in report["problems"][0]["message"]
    out = runner.invoke(app, ["report", "--data", str(data), "--metrics", "occupancy",
                              "--by", "agent_id", "--format", "json"])
    assert json.loads(out.stdout)["rows"] == [
        {"agent_id": "x", "occupancy": 1.0}, {"agent_id": "y", "occupancy": 0.0}]


def test_brackets_in_data_are_text_not_terminal_markup(tmp_path: Path) -> None:
    """Queues named "[vip]" and "[/]x": the terminal table printed the first as a blank
    (read as a style) and crashed on the second (a closing tag with nothing to close)."""
    data = dataset(tmp_path, contacts=[
        call("a", "2024-03-05T10:00:00", queue="[vip]", answered="2024-03-05T10:00:05",
             ended="2024-03-05T10:02:00"),
        call("b", "2024-03-05T10:01:00", queue="[/]x", answered="2024-03-05T10:01:05",
             ended="2024-03-05T10:03:00")])
    for extra in ([], ["--metrics", "offered,answered,asa,aht,abandon_rate,service_level,"
                                    "max_wait,avg_wait,handled,transfer_rate"]):
        printed = CliRunner().invoke(app, ["report", "--data", str(data), "--by", "queue",
                                           *extra])
        assert printed.exit_code == 0, printed.output
        assert "[vip]" in printed.output and "[/]x" in printed.output


def test_a_title_in_brackets_is_text_and_the_csv_ends_once(tmp_path: Path) -> None:
    """``--title "Daily SL [draft]"`` printed "Daily SL"; "Queue [/] test" stopped with a
    markup error (exit 1). CSV on stdout ended with an empty record (the text's own line
    end and one more), unlike the same CSV written with --output."""
    for title in ("Daily SL [draft]", "Queue [/] test"):
        printed = runner.invoke(app, ["report", "--data", str(VOICE), "--metrics", "offered",
                                      "--title", title])
        assert printed.exit_code == 0, printed.output
        assert title in printed.stdout
    shown = runner.invoke(app, ["report", "--data", str(VOICE), "--metrics", "offered",
                                "--by", "queue", "--format", "csv"])
    runner.invoke(app, ["report", "--data", str(VOICE), "--metrics", "offered", "--by",
                        "queue", "--output", str(tmp_path / "r.csv")])
    assert shown.stdout == (tmp_path / "r.csv").read_text()


def test_validate_names_a_folder_without_tables(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--data", str(tmp_path)])
    assert result.exit_code == 3
    assert ("dataset not usable: the folder holds no table of the data model"
            in " ".join(result.output.split()))


def test_serve_refuses_a_port_that_does_not_exist(tmp_path: Path) -> None:
    """70000 was accepted, announced as :70000 and listened on 4464 (70000 mod 65536)."""
    done = runner.invoke(app, ["serve", "--data", str(tmp_path), "--port", "70000"])
    assert done.exit_code == 2 and "65535" in done.output


def test_serve_on_a_port_in_use_says_so_before_loading(tmp_path: Path) -> None:
    """The server loaded the dataset, said "starting", then uvicorn stopped with exit code
    3 (bad data, to the contract) in its own words."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        taken.listen()
        port = taken.getsockname()[1]
        done = runner.invoke(app, ["serve", "--data", str(tmp_path / "no-such-folder"),
                                   "--port", str(port), "--no-scheduler"])
    shown = " ".join(done.output.split())
    assert done.exit_code == 2, done.output
    assert f"cannot listen on 127.0.0.1 port {port}: Address already in use" in shown
    assert "starting" not in shown


def test_a_cut_of_sales_names_its_data() -> None:
    """Sales need no table but read contacts or dial attempts: the refusal said "its data
    ()"."""
    result = runner.invoke(app, ["report", "--data", str(DEMO_DATA_DIR), "--metrics", "sales",
                                 "--by", "direction"])
    assert result.exit_code == 2
    assert ("metric sales cannot be cut by direction: its data (contacts, dial_attempts, "
            "agent_states, roster) can be cut only by agent_id, channel, queue, site, tenant"
            in " ".join(result.output.split()))


def test_a_file_for_the_data_folder_and_an_empty_import_folder_are_named(
        tmp_path: Path) -> None:
    """``--data contacts.csv`` said "dataset folder not found" of a file that is there;
    an import of an empty folder said "input not found: no files", naming nothing."""
    data = dataset(tmp_path / "d", contacts=[call("c1", "2024-03-04T08:00:00Z")])
    out = runner.invoke(app, ["report", "--data", str(data / "contacts.csv"),
                              "--metrics", "offered"])
    assert out.exit_code == 3
    assert (f"{data / 'contacts.csv'} is a file, not a dataset folder: give the folder "
            f"that holds it (--data {data})") in " ".join(out.output.split())
    # a file of a table's folder: the dataset is the folder above the table's (it said
    # --data DIR/contacts, which then had no contacts table)
    day = data / "contacts" / "contacts-2024-03-04.csv"
    day.parent.mkdir()
    (data / "contacts.csv").rename(day)
    out = runner.invoke(app, ["report", "--data", str(day), "--metrics", "offered"])
    assert f"(--data {data})" in " ".join(out.output.split()), out.output
    empty = tmp_path / "empty"
    empty.mkdir()
    for platform, words in (("zendesk", "no files to import in"),
                            ("asterisk-queue-log", "no queue_log files to import in")):
        result = runner.invoke(app, ["import", platform, str(empty), "--out",
                                     str(tmp_path / "out")])
        assert result.exit_code == 2, result.output
        assert f"{words} {empty}" in " ".join(result.output.split())


def test_an_import_into_a_file_says_so(tmp_path: Path) -> None:
    """``--out`` naming a file read "cannot use out.json: File exists"."""
    taken = tmp_path / "out.json"
    taken.write_text("{}")
    source = tmp_path / "calls.json"
    source.write_text("[]")
    for platform in ("zendesk", "asterisk-queue-log"):
        result = runner.invoke(app, ["import", platform, str(source), "--out", str(taken)])
        assert result.exit_code == 2, result.output
        assert (f"--out {taken} is a file: name the dataset folder to write"
                in " ".join(result.output.split()))
        assert taken.read_text() == "{}"


def test_a_file_where_a_folder_is_needed_says_so(tmp_path: Path) -> None:
    """A file named ``_rollups`` in the data folder read "cannot use data/_rollups: File
    exists" (mkdir's words, as if the folder were fine); a file in the middle of a path,
    "Not a directory"."""
    data = dataset(tmp_path / "data", contacts=[
        call("v1", "2024-03-05T10:00:00Z", answered="2024-03-05T10:00:10Z",
             ended="2024-03-05T10:02:00Z")])
    (data / "_rollups").write_text("notes")
    result = runner.invoke(app, ["rollup", "--data", str(data)])
    assert result.exit_code == 2, result.output
    assert (f"cannot use {data / '_rollups'}: it is a file where a folder is needed; move "
            "or rename the file and run again") in " ".join(result.output.split())
    assert (data / "_rollups").read_text() == "notes"
    out = tmp_path / "notes.txt"
    out.write_text("x")
    result = runner.invoke(app, ["demo", "--out", str(out / "demo")])
    assert result.exit_code == 2, result.output
    assert "a part of that path is a file, not a folder" in " ".join(result.output.split())


def test_the_json_says_the_threshold_the_service_level_used(tmp_path: Path) -> None:
    """``threshold_seconds`` left to the configuration read null in the JSON, so a script
    could not tell the service level's threshold. A voice report says 20, as the
    contract's example does; a report over channels of different thresholds keeps null
    and gives each under ``thresholds``; a --param is said as given."""

    data = dataset(tmp_path / "two", contacts=[
        call("v1", "2024-03-05T10:00:00Z", answered="2024-03-05T10:00:10Z",
             ended="2024-03-05T10:02:00Z"),
        call("c1", "2024-03-05T10:00:00Z", channel="chat", answered="2024-03-05T10:00:50Z",
             ended="2024-03-05T10:09:00Z")])

    def meta(*extra: str) -> dict[str, object]:
        done = runner.invoke(app, ["report", "--data", str(data), "--metrics",
                                   "service_level", "--format", "json", *extra])
        assert done.exit_code == 0, done.output
        return dict(json.loads(done.stdout)["metrics"]["service_level"])

    voice = meta("--filter", "channel=voice")
    assert voice["params"]["threshold_seconds"] == 20 and "thresholds" not in voice
    both = meta()
    assert both["params"]["threshold_seconds"] is None
    # every channel the configuration knows, whatever the data (and whoever asks: a
    # client's scoped view listed other channels than an operator's filter)
    assert both["thresholds"] == {"callback": 20, "chat": 60, "email": 86400,
                                  "letter": 86400, "messenger": 60, "sms": 3600,
                                  "social": 3600, "video": 20, "voice": 20}
    assert meta("--filter", "channel=voice,chat")["thresholds"] == {"chat": 60, "voice": 20}
    given = meta("--param", "service_level.threshold_seconds=30")
    assert given["params"]["threshold_seconds"] == 30 and "thresholds" not in given


@pytest.mark.parametrize(("window", "said"), [
    (["--from", "2025-01-01", "--to", "2025-01-05", "--grain", "day"],
     "its period starts after the data's last record (2024-03-06T22:00+00:00)"),
    (["--to", "2020-01-05"], "its period ends before the data's first record"),
])
def test_a_period_outside_the_data_is_said_to_be(window: list[str], said: str) -> None:
    """A January 2025 report over the demo's March 2024 printed an empty table (by day)
    or 0 and "—" (in total) and no word; a period with data says nothing."""
    done = runner.invoke(app, ["report", "--data", str(DEMO_DATA_DIR), "--metrics",
                               "offered,asa", *window])
    assert done.exit_code == 0, done.output
    assert said in " ".join(done.stderr.split())
    inside = runner.invoke(app, ["report", "--data", str(DEMO_DATA_DIR), "--metrics",
                                 "offered,asa", "--from", "2024-03-05", "--to", "2024-03-06"])
    assert "the report is empty" not in inside.stderr


def test_a_qa_figure_without_evaluations_says_why(tmp_path: Path) -> None:
    """Contact quality and the QA score read "—" on the dashboard with no word (an
    evaluation made today of last month's contacts is after the demo's as-of); the one
    evaluation here is on 5 March, the report 6 March."""
    data = dataset(tmp_path / "qa", contacts=[call("c1", "2024-03-06T10:00:00Z")],
                   qa_evaluations=[{"evaluation_id": "e1", "contact_id": "c1",
                                    "agent_id": "a1", "evaluator_id": "lead", "form_id": "f",
                                    "evaluated_at": "2024-03-05T10:00:00Z", "score": 90}])
    out = runner.invoke(app, ["report", "--data", str(data), "--metrics",
                              "contact_quality,qa_score", "--from", "2024-03-06", "--to",
                              "2024-03-07", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["rows"] == [{"contact_quality": None, "qa_score": None}]
    note = " ".join(out.stderr.split())
    for metric in ("contact_quality", "qa_score"):
        assert (f"note: {metric} has no value: it counts the QA evaluations (not calibration "
                "ones) made by as-of (2024-03-06T10:00+00:00) in the period, and there are "
                "none") in note


@pytest.mark.parametrize("ask", [["--by", "agent_id"], ["--filter", "agent_id=a1"]])
def test_a_cut_a_metric_never_has_is_said_before_what_it_needs(ask: list[str]) -> None:
    """Cost per customer by agent: the user was asked for the customer base, then for the
    costs table, and only then told that the metric cannot be cut by agent at all."""
    result = runner.invoke(app, ["report", "--data", str(DEMO_DATA_DIR),
                                 "--metrics", "cost_per_customer", *ask])
    shown = " ".join(result.output.split())
    assert result.exit_code == 2, shown
    verb = "cut" if ask[0] == "--by" else "filtered"
    assert (f"metric cost_per_customer cannot be {verb} by agent_id: its data (costs) can be "
            f"{verb} only by channel, queue, tenant") in shown


def test_catalog_names_what_books_each_metric() -> None:
    """Every metric not read from contact rows was listed as booked by the clock: CSAT
    (booked when answered), the survey response rate (at its contact's end) and dial
    attempts (when dialed) read as if spread over time. Each shows its own rule now."""
    result = runner.invoke(app, ["catalog", "--format", "json"])
    booking = {m["id"]: m["booking"] for m in json.loads(result.stdout)}
    assert {k: booking[k] for k in ("asa", "aht", "csat", "nps", "survey_response_rate",
                                    "attempts", "qa_score", "occupancy", "fcr")} == {
        "asa": "arrival", "aht": "end", "csat": "answered_at", "nps": "answered_at",
        "survey_response_rate": "end", "attempts": "dialed_at", "qa_score": "evaluated_at",
        "occupancy": "clock", "fcr": "ended_at"}


def test_cost_per_resolution_without_a_closed_window_says_why(tmp_path: Path) -> None:
    """Two calls of one customer on 6 March and a day's cost: by as-of (the calls' own
    last event) no question's 168-hour window has ended, so no resolution is counted yet
    and the figure is empty; stderr said nothing, as if cost data were missing. With a
    1-hour window c1's has ended by as-of (c2's end, 14:05) and c2's (to 15:05) has not:
    the day's whole cost over the one resolution known, 100 / 1 = 100 (the catalog's note:
    the figure reads high over the last window before as-of)."""
    data = dataset(tmp_path / "d", contacts=[
        call("c1", "2024-03-06T10:00:00Z", answered="2024-03-06T10:00:10Z",
             ended="2024-03-06T10:05:00Z", customer_id="k1"),
        call("c2", "2024-03-06T14:00:00Z", answered="2024-03-06T14:00:10Z",
             ended="2024-03-06T14:05:00Z", customer_id="k1")],
        costs=[{"period_start": "2024-03-06T00:00:00Z", "period_end": "2024-03-07T00:00:00Z",
                "category": "staff", "amount": 100}])
    args = ["report", "--data", str(data), "--metrics", "cost_per_resolution",
            "--from", "2024-03-06", "--to", "2024-03-07", "--format", "json"]
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["rows"] == [{"cost_per_resolution": None}]
    assert ("note: cost_per_resolution has no value: it counts handled contacts with a "
            "customer_id whose 168-hour repeat window has ended by as-of") in \
        " ".join(out.stderr.split())
    short = runner.invoke(app, [*args, "--param", "cost_per_resolution.window_hours=1"])
    assert json.loads(short.stdout)["rows"] == [{"cost_per_resolution": 100.0}]
