"""A comma inside a filter value is written ``\\,`` on every surface: the web service
read ``agent_id=Doe\\, Jane`` as one agent while the command line's ``--filter`` and the
Python API's ``where`` text split it, so one filter gave 8 contacts there and 0 here."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.cli.report import parse_filters

ROWS = ("contact_id,channel,queue,direction,agent_id,arrived_at,accepted_at,"
        "first_response_at,ended_at\n"
        "c1,voice,q,inbound,\"Doe, Jane\",2024-03-04T09:00:00Z,2024-03-04T09:00:10Z,"
        "2024-03-04T09:00:10Z,2024-03-04T09:02:00Z\n"
        "c2,voice,q,inbound,\"Doe, Jane\",2024-03-04T10:00:00Z,2024-03-04T10:00:10Z,"
        "2024-03-04T10:00:10Z,2024-03-04T10:02:00Z\n"
        "c3,voice,q,inbound,Doe,2024-03-04T11:00:00Z,2024-03-04T11:00:10Z,"
        "2024-03-04T11:00:10Z,2024-03-04T11:02:00Z\n")


def folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "contacts.csv").write_text(ROWS)
    return data


def test_the_command_line_reads_an_escaped_comma_as_part_of_the_value(
        tmp_path: Path) -> None:
    answer = CliRunner().invoke(app, [
        "report", "--data", str(folder(tmp_path)), "--metrics", "handled",
        "--filter", "agent_id=Doe\\, Jane", "--format", "json"])
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout)["rows"] == [{"handled": 2}]


def test_the_python_api_reads_a_where_text_the_same_way(tmp_path: Path) -> None:
    data = folder(tmp_path)
    escaped = omnikpi.report(data, metrics="handled", where={"agent_id": "Doe\\, Jane"})
    assert escaped["handled"].tolist() == [2]
    both = omnikpi.report(data, metrics="handled", where={"agent_id": "Doe\\, Jane, Doe"})
    assert both["handled"].tolist() == [3]
    listed = omnikpi.report(data, metrics="handled", where={"agent_id": ["Doe, Jane"]})
    assert listed["handled"].tolist() == [2]


def test_plain_values_read_as_before() -> None:
    assert parse_filters(["channel=voice, chat", "queue=sales"]) == {
        "channel": ["voice", "chat"], "queue": ["sales"]}
    assert parse_filters(["agent_id=a\\\\b"]) == {"agent_id": ["a\\b"]}


def test_many_values_that_match_nothing_are_one_note(tmp_path: Path) -> None:
    """A list of 201 agents of which 2 are in the data printed 199 notes, one per line."""
    agents = ",".join(["Doe", *(f"x{i}" for i in range(200))])
    answer = CliRunner().invoke(app, [
        "report", "--data", str(folder(tmp_path)), "--metrics", "handled",
        "--filter", f"agent_id={agents}", "--filter", "queue=Q,nowhere",
        "--format", "json"], terminal_width=400)
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout)["rows"] == [{"handled": 0}]  # queue q, not Q
    said = " ".join(answer.stderr.split())  # the terminal wraps long notes
    notes = ["note: " + note.strip() for note in said.split("note: ")[1:]]
    assert notes == [
        "note: no row has agent_id 'x0', 'x1', 'x2' or 197 other value(s) the filter names "
        "(200 of 201 match no row)",
        "note: no row has queue 'Q' (the data has 'q': values are case-sensitive)",
        "note: no row has queue 'nowhere'"]


def test_a_backslash_before_anything_but_a_comma_or_backslash_is_itself() -> None:
    """A Windows account ``CORP\\jdoe`` was read as ``CORPjdoe`` and matched nothing."""
    assert parse_filters(["agent_id=CORP\\jdoe,Doe\\, Jane"]) == {
        "agent_id": ["CORP\\jdoe", "Doe, Jane"]}
    from omnikpi.value_list import join_values, split_values

    values = ["CORP\\jdoe", "a,b", "c\\,d", "end\\"]
    assert split_values(join_values(values)) == values
