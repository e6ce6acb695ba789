"""One mapping, several tables: ``[tables.NAME]`` sections write further canonical tables
from the same source rows, each with its own columns, filters and local timestamps, in the
same import commit; every source row is accounted for per table."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.connectors.mapped_table import MappedSummary, import_mapped
from omnikpi.errors import UsageError

CALLS = """id,entered,left,queued,outcome
a,2024-03-05 12:00:00,2024-03-05 12:00:40,2024-03-05 12:00:40,AGENT
b,2024-03-05 12:01:00,2024-03-05 12:01:30,,HANG
c,2024-03-05 12:02:00,2024-03-05 12:02:05,2024-03-05 12:02:05,HANG
d,2024-03-05 12:03:00,2024-03-05 12:03:20,2024-03-05 12:03:20,TEST
"""

CONTACTS = '''table = "contacts"
[source]
format = "csv"
[timestamps]
timezone = "Europe/Kyiv"
local = ["arrived_at"]
[[filters]]
when = "outcome = 'TEST'"
reason = "test call"
[[filters]]
when = "queued IS NULL"
reason = "hung up in the IVR"
[columns]
contact_id = "id"
channel = "'voice'"
queue = "'q'"
arrived_at = "CAST(queued AS TIMESTAMP)"
'''

IVR = '''
[tables.ivr_sessions.timestamps]
local = ["entered_at", "left_at"]
[[tables.ivr_sessions.filters]]
when = "outcome = 'TEST'"
reason = "test call"
[tables.ivr_sessions.columns]
session_id = "id"
entered_at = "CAST(entered AS TIMESTAMP)"
left_at = "CAST(\\"left\\" AS TIMESTAMP)"
result = "CASE WHEN queued IS NULL THEN 'abandoned' ELSE 'to_queue' END"
contact_id = "CASE WHEN queued IS NOT NULL THEN id END"
'''


def _run(tmp_path: Path, mapping: str,
         out: Path | None = None) -> tuple[Path, list[MappedSummary]]:
    source = tmp_path / "calls.csv"
    source.write_text(CALLS)
    path = tmp_path / "mapping.toml"
    path.write_text(mapping)
    out = out or tmp_path / "out"
    return out, import_mapped([source], path, out)


def test_further_tables_are_written_with_their_own_filters(tmp_path: Path) -> None:
    out, summaries = _run(tmp_path, CONTACTS + IVR)
    by_table = {s.table: s for s in summaries}
    assert [s.table for s in summaries] == ["contacts", "ivr_sessions"]
    contacts, sessions = by_table["contacts"], by_table["ivr_sessions"]
    # every row read is written or filtered with its reason, per table
    assert (contacts.read, contacts.written, dict(contacts.filtered)) == (
        4, 2, {"test call": 1, "hung up in the IVR": 1})
    assert (sessions.read, sessions.written, dict(sessions.filtered)) == (
        4, 3, {"test call": 1})
    assert not contacts.rejected and not sessions.rejected
    rows = pq.read_table(out / "ivr_sessions.parquet").to_pylist()
    assert [(r["session_id"], r["result"], r["contact_id"]) for r in rows] == [
        ("a", "to_queue", "a"), ("b", "abandoned", None), ("c", "to_queue", "c")]
    # the table's own local timestamps, in the mapping's zone (Kyiv, UTC+2 in March)
    assert str(rows[0]["entered_at"]) == "2024-03-05 10:00:00"
    assert str(rows[0]["left_at"]) == "2024-03-05 10:00:40"
    assert not list(out.glob(".import-*"))  # committed, nothing left staged


def test_a_reimport_adds_no_session_twice(tmp_path: Path) -> None:
    out, _ = _run(tmp_path, CONTACTS + IVR)
    _, summaries = _run(tmp_path, CONTACTS + IVR, out)
    # this import's rows in the table: none; the table still holds the first import's
    assert [(s.written, s.repeated, s.total) for s in summaries] == [(0, 2, 2), (0, 3, 3)]


def test_a_mapping_of_further_tables_only(tmp_path: Path) -> None:
    mapping = '[source]\nformat = "csv"\n[timestamps]\ntimezone = "UTC"\n' + IVR
    out, summaries = _run(tmp_path, mapping)
    assert [(s.table, s.written) for s in summaries] == [("ivr_sessions", 3)]
    assert not (out / "contacts.parquet").exists()


def test_an_error_in_a_further_table_writes_nothing(tmp_path: Path) -> None:
    broken = IVR.replace("session_id = \"id\"", "session_id = \"no_such_column\"")
    with pytest.raises(UsageError, match="ivr_sessions"):
        _run(tmp_path, CONTACTS + broken)
    out = tmp_path / "out"
    assert not out.exists() or not list(out.glob("*.parquet"))


@pytest.mark.parametrize(("extra", "message"), [
    ("[tables.contacts.columns]\ncontact_id = \"id\"\n", "contacts is mapped twice"),
    ("[tables.calls.columns]\nid = \"id\"\n", "not 'calls'"),
    ("[tables.ivr_sessions.columns]\nqueue = \"'q'\"\n", "queue are not columns of ivr_sessions"),
])
def test_bad_further_tables_are_usage_errors(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _run(tmp_path, CONTACTS + extra)


EVALUATIONS = '''table = "qa_evaluations"
[columns]
evaluation_id = "id"
agent_id = "'a1'"
evaluator_id = "'lead'"
form_id = "'f'"
evaluated_at = "CAST(entered AS TIMESTAMP)"
score = "80"
'''


def test_a_reimport_adds_no_evaluation_twice(tmp_path: Path) -> None:
    """An overlapping export imported again: each evaluation once, the dataset clean (the
    data model quarantines a repeated evaluation_id)."""
    import omnikpi

    out, _ = _run(tmp_path, EVALUATIONS)
    _, summaries = _run(tmp_path, EVALUATIONS, out)
    assert [(s.written, s.total) for s in summaries] == [(0, 4)]
    assert omnikpi.load_dataset(out).problem_count == 0


SHIFTS = """agent,day,morning_from,morning_to,evening_from,evening_to
a1,2024-03-05,08:00,12:00,13:00,17:00
a2,2024-03-05,09:00,13:00,,
a3,2024-03-05,,,,
"""
STATES = r'''table = "agent_states"
rows = "spans"
[[filters]]
when = "row IS NULL"
reason = "no shift that day"
[[filters]]
when = "row.since IS NULL"
reason = "no second half"
[derived]
spans = """CASE WHEN morning_from IS NOT NULL THEN
    [{'since': morning_from, 'until': morning_to}, {'since': evening_from, 'until': evening_to}]
    ELSE [] END"""
[columns]
agent_id = "agent"
state = "'available'"
start = "CAST(day || ' ' || row.since AS TIMESTAMP)"
"end" = "CAST(day || ' ' || row.until AS TIMESTAMP)"
'''


def _rows_import(tmp_path: Path, mapping: str) -> tuple[Path, list[MappedSummary]]:
    source = tmp_path / "shifts.csv"
    source.write_text(SHIFTS)
    path = tmp_path / "mapping.toml"
    path.write_text(mapping)
    return tmp_path / "out", import_mapped([source], path, tmp_path / "out")


def test_rows_makes_several_rows_of_one_line(tmp_path: Path) -> None:
    """``rows``: one canonical row per element of a list; a line with an empty list stays
    as one row with a null ``row``, so a filter accounts for it."""
    out, [summary] = _rows_import(tmp_path, STATES)
    # 2 + 2 + 1 elements (a3's empty list stands as one row)
    assert (summary.read, summary.written) == (5, 3)
    assert dict(summary.filtered) == {"no shift that day": 1, "no second half": 1}
    rows = pq.read_table(out / "agent_states.parquet").to_pylist()
    assert [(r["agent_id"], str(r["start"]), str(r["end"])) for r in rows] == [
        ("a1", "2024-03-05 08:00:00", "2024-03-05 12:00:00"),
        ("a1", "2024-03-05 13:00:00", "2024-03-05 17:00:00"),
        ("a2", "2024-03-05 09:00:00", "2024-03-05 13:00:00")]


@pytest.mark.parametrize(("change", "message"), [
    (('rows = "spans"', 'rows = "nope"'), "no source column or \\[derived\\] name"),
    (('rows = "spans"', 'rows = "agent"'), "not a list"),
    (('rows = "spans"', "rows = 3"), "rows names the list"),
])
def test_a_rows_mistake_is_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _rows_import(tmp_path, STATES.replace(*change))


COSTS = '''table = "costs"
[source]
format = "csv"
[columns]
period_start = "CAST(entered AS TIMESTAMP)"
period_end = "CAST(\\"left\\" AS TIMESTAMP)"
category = "'telephony'"
amount = "CASE outcome WHEN 'HANG' THEN 10 ELSE 25 END"
'''


def test_a_table_without_an_id_keeps_each_row_once(tmp_path: Path) -> None:
    """Costs (like shifts, roster and the other tables without an id) are keyed by the
    whole row: the same cost export imported twice does not double the amounts, and a row
    that differs in one value is another row."""
    out, first = _run(tmp_path, COSTS)
    _, again = _run(tmp_path, COSTS, out)
    assert [s.written for s in first] == [4] and [s.written for s in again] == [0]
    assert (again[0].repeated, again[0].total) == (4, 4)
    _, changed = _run(tmp_path, COSTS.replace("ELSE 25", "ELSE 30"), out)
    assert (changed[0].written, changed[0].repeated, changed[0].total) == (2, 2, 6)  # 30 now
    amounts = sorted(pq.read_table(out / "costs.parquet").column("amount").to_pylist())
    assert amounts == [10, 10, 25, 25, 30, 30]


ROSTER = '''table = "roster"
[source]
format = "csv"
[columns]
agent_id = "id"
hired_on = "CAST(CAST(entered AS TIMESTAMP) AS DATE)"
left_on = "CASE WHEN outcome = 'HANG' THEN DATE '2024-04-01' END"
leave_type = "CASE WHEN outcome = 'HANG' THEN 'voluntary' END"
'''


def test_a_roster_export_imported_later_is_the_current_state(tmp_path: Path) -> None:
    """The roster is a list of people as of its export: a later export that gives a person
    a leaving date replaces their row (without a version, the last import is the newer),
    never a second row of the same person and hiring that would count them twice."""
    before = ROSTER.replace("outcome = 'HANG'", "FALSE")
    out, first = _run(tmp_path, before)
    assert first[0].written == 4
    _, later = _run(tmp_path, ROSTER, out)
    # read 4 = 2 newer forms imported (replacing 2 stored rows) + 2 repeated
    assert (later[0].written, later[0].updated, later[0].repeated, later[0].total) == (
        2, 2, 2, 4)
    rows = {r["agent_id"]: r for r in pq.read_table(out / "roster.parquet").to_pylist()}
    assert sorted(a for a, r in rows.items() if r["left_on"] is not None) == ["b", "c"]
    _, again = _run(tmp_path, before, out)  # the old list imported again: it is now newer
    assert (again[0].updated, again[0].repeated) == (2, 2)
    assert all(r["left_on"] is None for r in pq.read_table(out / "roster.parquet").to_pylist())


def test_a_qa_item_is_kept_once_per_evaluation_and_item(tmp_path: Path) -> None:
    """QA items are keyed by evaluation and item, as their evaluation is kept once by id."""
    items = '''table = "qa_items"
[source]
format = "csv"
[columns]
evaluation_id = "id"
item_id = "'greeting'"
weight = "1"
score = "SCORE"
'''
    out, first = _run(tmp_path, items.replace("SCORE", "1"))
    _, again = _run(tmp_path, items.replace("SCORE", "0.5"), out)
    assert (first[0].written, again[0].written, again[0].repeated) == (4, 0, 4)
    assert set(pq.read_table(out / "qa_items.parquet").column("score").to_pylist()) == {1.0}


def test_a_local_time_the_clocks_skip_is_read_and_named(tmp_path: Path) -> None:
    """Kyiv's clocks go from 03:00 to 04:00 on 2024-03-31: a call queued at 03:30 there
    shows a time no clock showed (the export is in another zone than the mapping says).
    It is read with the offset before the change, as the queue_log import reads it, and
    counted per column; the IVR's times of the other calls are not."""
    spring = CALLS.replace("2024-03-05 12:00", "2024-03-31 03:30")
    source = tmp_path / "calls.csv"
    source.write_text(spring)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(CONTACTS + IVR)
    summaries = {s.table: s for s in import_mapped([source], mapping, tmp_path / "out")}
    assert dict(summaries["contacts"].skipped_hour) == {"arrived_at": 1}
    assert dict(summaries["ivr_sessions"].skipped_hour) == {"entered_at": 1, "left_at": 1}
    rows = pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()
    assert str(rows[0]["arrived_at"]) == "2024-03-31 01:30:40"  # 03:30:40 at UTC+2
    cli = CliRunner().invoke(app, ["import", "csv", str(source), "--mapping", str(mapping),
                                   "--out", str(tmp_path / "again")])
    assert cli.exit_code == 0, cli.output
    assert "1 contacts: arrived_at at a local time the clocks skip in Europe/Kyiv" in " ".join(
        cli.output.split())


EXPORTED_STATES = '''table = "agent_states"
[source]
format = "csv"
[columns]
agent_id = "agent"
state = "state"
start = "CAST(start AS TIMESTAMP)"
end = "CAST(\\"end\\" AS TIMESTAMP)"
'''


def test_a_state_cut_at_the_export_time_is_replaced_by_its_whole_form(
        tmp_path: Path) -> None:
    """The 10:00 export cut a1's available state at 10:00; the 11:00 export has it whole
    (09:00–10:30) and the break after it. The first form was kept (same agent, start and
    state) beside the break: 10:00–10:30 was lost and counted "repeated". The state
    imported last is the newer form; the same export imported again changes nothing."""
    mapping = tmp_path / "states.toml"
    mapping.write_text(EXPORTED_STATES)
    early, late = tmp_path / "early.csv", tmp_path / "late.csv"
    early.write_text("agent,state,start,end\na1,available,2024-03-05 09:00,2024-03-05 10:00\n")
    late.write_text("agent,state,start,end\n"
                    "a1,available,2024-03-05 09:00,2024-03-05 10:30\n"
                    "a1,not_ready,2024-03-05 10:30,2024-03-05 11:00\n")
    out = tmp_path / "out"
    import_mapped([early], mapping, out)
    (summary,) = import_mapped([late], mapping, out)
    assert (summary.written, summary.updated, summary.repeated, summary.total) == (2, 1, 0, 2)
    (again,) = import_mapped([late], mapping, out)
    assert (again.written, again.updated, again.repeated, again.total) == (0, 0, 2, 2)
    rows = pq.read_table(out / "agent_states.parquet").to_pylist()
    assert sorted((r["state"], r["start"].hour, r["end"].strftime("%H:%M")) for r in rows) == [
        ("available", 9, "10:30"), ("not_ready", 10, "11:00")]
