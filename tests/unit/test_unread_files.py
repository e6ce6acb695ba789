"""Files of a dataset folder that no table reads are named, with why — never skipped
without a word — and a table file's name is matched without case (``Contacts.CSV``)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app

CONTACTS = ("contact_id,channel,queue,arrived_at\n"
            "c1,voice,q1,2024-03-05T10:00:00Z\nc2,chat,q2,2024-03-05T10:05:00Z\n")


def _validate(folder: Path) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["validate", "--data", str(folder), "--format", "json"])
    return result.exit_code, json.loads(result.output)


def test_a_table_file_in_another_case_is_read(tmp_path: Path) -> None:
    (tmp_path / "Contacts.CSV").write_text(CONTACTS)
    assert omnikpi.report_result(tmp_path, metrics=["offered"]).rows == [{"offered": 2}]


def test_files_no_table_reads_are_named_with_why(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(CONTACTS)
    (tmp_path / "agent_state.csv").write_text("agent_id,state,start,end\n")  # a typo
    (tmp_path / "roster.xlsx").write_bytes(b"PK\x03\x04")  # a spreadsheet
    (tmp_path / "notes.txt").write_text("exported by hand\n")
    # OmniKPI's own and hidden entries, and a README, are not reported
    (tmp_path / "rejects.csv").write_text("file,line,reason,text\n")
    (tmp_path / ".omnikpi-import.json").write_text("{}")
    (tmp_path / "_rollups").mkdir()
    (tmp_path / "README.md").write_text("# calls\n")
    (tmp_path / "backups").mkdir()  # a folder of the user's own
    # the configuration a simulated run writes beside its tables: said to be one
    (tmp_path / "omnikpi.toml").write_text("[agents.capacity]\n\"chat-1\" = 2\n")
    code, body = _validate(tmp_path)
    assert code == 0
    assert body["ignored"] == [
        {"file": "agent_state.csv",
         "why": "not a table of the data model: did you mean agent_states?"},
        {"file": "notes.txt", "why": "not a table of the data model (see docs/data-model.md)"},
        {"file": "omnikpi.toml",
         "why": "a configuration, not a table: a report reads it with --config"},
        {"file": "roster.xlsx",
         "why": "not a format OmniKPI reads (.csv, .csv.gz, .json, .jsonl, .jsonl.gz, "
                ".ndjson, .parquet, .tsv): save it as CSV or Parquet"}]
    text = CliRunner().invoke(app, ["validate", "--data", str(tmp_path)]).output
    assert "ignored: agent_state.csv: not a table of the data model: did you mean " \
           "agent_states?" in " ".join(text.split())


def test_a_folder_without_a_table_says_what_it_found(tmp_path: Path) -> None:
    (tmp_path / "contact.csv").write_text(CONTACTS)
    code, body = _validate(tmp_path)
    assert code == 3
    problems = body["problems"]
    assert isinstance(problems, list) and len(problems) == 1
    assert problems[0]["message"].endswith(
        "; found contact.csv: not a table of the data model: did you mean contacts?")


def test_a_report_needing_a_misspelt_table_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(CONTACTS)
    (tmp_path / "agent_state.csv").write_text(
        "agent_id,state,start,end\na1,available,2024-03-05T10:00:00Z,2024-03-05T11:00:00Z\n")
    result = CliRunner().invoke(app, ["report", "--data", str(tmp_path),
                                      "--metrics", "occupancy"])
    assert result.exit_code == 3
    assert "(the folder has agent_state.csv: rename it agent_states.csv or save it as CSV " \
           "or Parquet)" in " ".join(result.output.split())


def test_a_report_notes_the_files_it_does_not_read(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(CONTACTS)
    (tmp_path / "agent_state.csv").write_text("agent_id,state,start,end\n")
    result = CliRunner().invoke(app, ["report", "--data", str(tmp_path),
                                      "--metrics", "offered", "--format", "json"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "note: 1 file(s) of the folder are not read — agent_state.csv: not a table of " \
           "the data model: did you mean agent_states?" in text
    # stdout stays the JSON document a script reads
    assert json.loads(result.stdout)["rows"] == [{"offered": 2}]
