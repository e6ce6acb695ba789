"""One odd record in an export: its value left empty and counted under a reason, never the
whole export refused (``connectors/failing_rows.py``).

Found by mutating the platform fixtures: a Freshdesk ticket whose ``source`` was ``{}`` or
``" "`` (DuckDB then reads the whole column as JSON) ended the import with a traceback,
and one ``created_at`` of "not a date" refused every ticket with exit code 2, blaming the
shipped mapping.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.connectors.failing_rows import Failing, failing, keep_try_whole, raises

TICKETS = Path(__file__).parent / "fixtures" / "platforms" / "freshdesk" / "tickets.json"


def _import(folder: Path, tickets: list[dict[str, Any]], *extra: str) -> tuple[int, str]:
    export = folder / "tickets.json"
    export.write_text(json.dumps(tickets))
    result = CliRunner().invoke(app, ["import", "freshdesk", str(export), "--out",
                                      str(folder / "out"), *extra])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, " ".join(result.output.split())


def _contacts(folder: Path) -> dict[str, dict[str, Any]]:
    rows = pq.read_table(folder / "out" / "contacts.parquet").to_pylist()
    return {row["contact_id"]: row for row in rows}


def _tickets() -> list[dict[str, Any]]:
    return list(json.loads(TICKETS.read_text()))


def test_a_ticket_with_an_unreadable_date_leaves_the_others_as_they_were(
        tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    assert _import(good, _tickets())[0] == 0
    tickets = _tickets()
    tickets[1]["created_at"] = "not a date"  # ticket 102, no conversations
    odd = tmp_path / "odd"
    odd.mkdir()
    code, output = _import(odd, tickets)
    assert code == 0, output
    assert ('1 arrived_at could not be read (Conversion Error: invalid timestamp field '
            'format: "not a date"') in output and "left empty" in output
    # the other tickets exactly as imported from the clean export; 102 is kept, its
    # arrival empty (validation quarantines it, naming the row)
    before, after = _contacts(good), _contacts(odd)
    assert set(after) == {"101", "102", "103"}
    assert after["102"]["arrived_at"] is None
    assert after["102"] | {"arrived_at": before["102"]["arrived_at"]} == before["102"]
    assert {k: v for k, v in after.items() if k != "102"} == \
        {k: v for k, v in before.items() if k != "102"}
    validated = CliRunner().invoke(app, ["validate", "--data", str(odd / "out")])
    assert "column arrived_at: missing value" in validated.output


def test_an_unreadable_field_inside_a_nested_object_is_left_empty(tmp_path: Path) -> None:
    """``stats.resolved_at``: a cast of a struct's field, which DuckDB's column pruner
    moved out from under ``TRY`` (duckdb/duckdb#25236) before ``keep_try_whole``."""
    tickets = _tickets()
    tickets[0]["stats"]["resolved_at"] = "yesterday"
    code, output = _import(tmp_path, tickets)
    assert code == 0, output
    assert '1 resolved_at could not be read (Conversion Error: invalid timestamp field ' \
        'format: "yesterday"' in output
    contacts = _contacts(tmp_path)
    assert contacts["101"]["resolved_at"] is None and contacts["101"]["resolved"] is True
    assert contacts["103"]["resolved_at"] is not None


@pytest.mark.parametrize("odd_source", [{}, " ", [1, 2]])
def test_a_numeric_field_holding_something_else_is_counted_where_it_is_used(
        tmp_path: Path, odd_source: object) -> None:
    """Ticket 101 (four conversations: one contact) with a ``source`` that is no number:
    the derived ``outbound`` and the channel of that one contact are left empty; tickets
    102 and 103 keep their channels."""
    tickets = _tickets()
    tickets[0]["source"] = odd_source
    code, output = _import(tmp_path, tickets)
    assert code == 0, output
    assert "1 [derived] outbound could not be computed (Conversion Error" in output
    assert "1 channel could not be read (Conversion Error" in output
    assert "3 further conversations of a ticket" in output  # filtered as before
    contacts = _contacts(tmp_path)
    assert contacts["101"]["channel"] is None
    assert (contacts["102"]["channel"], contacts["103"]["channel"]) == ("email", "email")
    assert contacts["103"]["direction"] == "outbound"


def test_a_window_that_fails_on_one_row_names_its_derived_name_and_the_way_out(
        tmp_path: Path) -> None:
    """A window cannot be wrapped in ``TRY``: one reply's time written as epoch seconds
    among ISO times stopped the import with "the mapping's [derived] names cannot be
    computed", naming neither the name nor what to do. It names the window and the way
    out; followed, the odd row is left empty and counted, the others imported."""
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(json.dumps(e) for e in [
        {"conv": "a", "kind": "open", "at": "2024-03-05T10:00:00+01:00"},
        {"conv": "a", "kind": "reply", "at": "2024-03-05T10:01:30+01:00"},
        {"conv": "b", "kind": "open", "at": "2024-03-05T10:00:00Z"},
        {"conv": "b", "kind": "reply", "at": 1709632860}]) + "\n")
    window = ("min(CASE WHEN kind = 'reply' THEN CAST(\"at\" AS TIMESTAMPTZ) END) "
              "OVER (PARTITION BY conv)")
    mapping = tmp_path / "m.toml"
    columns = ('[columns]\ncontact_id = "conv"\nchannel = "\'chat\'"\nqueue = "\'q\'"\n'
               'arrived_at = "CAST(\\"at\\" AS TIMESTAMPTZ)"\n'
               'first_response_at = "first_reply"\naccepted_at = "first_reply"\n'
               '[[filters]]\nwhen = "kind <> \'open\'"\nreason = "a reply"\n')
    mapping.write_text(f'table = "contacts"\n[source]\nformat = "json"\n[derived]\n'
                       f'first_reply = "{window.replace(chr(34), chr(92) + chr(34))}"\n'
                       + columns)
    result = CliRunner().invoke(app, ["import", "json", str(events), "--mapping",
                                      str(mapping), "--out", str(tmp_path / "out")])
    said = " ".join(result.output.split())
    assert result.exit_code == 3, said
    # DuckDB's own words: the field is text (a JSON field of numbers and strings reads
    # as its text), so the epoch's text fails as a timestamp
    assert ("the mapping's [derived] first_reply cannot be computed on these files "
            "(Conversion Error: ") in said
    assert "compute the value that fails in a [derived] name of its own above first_reply" \
        in said
    mapping.write_text('table = "contacts"\n[source]\nformat = "json"\n[derived]\n'
                       'reply_at = "CASE WHEN kind = \'reply\' THEN CAST(\\"at\\" AS '
                       'TIMESTAMPTZ) END"\n'
                       'first_reply = "min(reply_at) OVER (PARTITION BY conv)"\n' + columns)
    result = CliRunner().invoke(app, ["import", "json", str(events), "--mapping",
                                      str(mapping), "--out", str(tmp_path / "out")])
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert ("1 [derived] reply_at could not be computed (Conversion Error") in said
    assert ("left empty, on rows filtered out: a value read from them into other rows (a "
            "window) is missing there") in said
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()}
    assert (rows["a"]["first_response_at"] - rows["a"]["arrived_at"]).total_seconds() == 90
    assert rows["b"]["first_response_at"] is None


def test_a_zendesk_event_whose_time_is_not_a_time_is_named_not_the_import_refused(
        tmp_path: Path) -> None:
    """One ticket metric event with ``"time": "n/a"`` refused the whole export (a cast
    inside the mapping's windows); it is named and left out, the tickets imported."""
    folder = TICKETS.parent.parent / "zendesk"
    events = json.loads((folder / "metric_events.json").read_text())
    odd = next(e for e in events["ticket_metric_events"] if e["metric"] == "resolution_time"
               and e["type"] == "fulfill")
    odd["time"] = "n/a"
    source = tmp_path / "events.json"
    source.write_text(json.dumps(events))
    result = CliRunner().invoke(app, ["import", "zendesk", str(folder / "tickets.json"),
                                      str(source), "--out", str(tmp_path / "out")])
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert ("1 ticket metric event whose time is not a time: not read (its ticket's first "
            "reply or resolution may be missing)") in said
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()}
    assert set(rows) == {"35436", "35437", "35438"}
    first = rows["35436"]  # its first reply still read: 09:12:30 after 09:00
    assert (first["first_response_at"] - first["arrived_at"]).total_seconds() == 750


def test_an_expression_failing_on_every_row_is_still_the_mappings_mistake(
        tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    shipped = Path(__file__).parents[3] / "mappings" / "freshdesk.toml"
    mapping.write_text(shipped.read_text().replace(
        'arrived_at = "CAST(created_at AS TIMESTAMPTZ)"',
        'arrived_at = "CAST(CAST(id AS VARCHAR) AS TIMESTAMPTZ)"'))
    code, output = _import(tmp_path, _tickets(), "--mapping", str(mapping))
    assert code == 2, output
    assert "column arrived_at" in output and "Conversion Error" in output
    assert not (tmp_path / "out" / "contacts.parquet").exists()


def test_a_filter_that_cannot_be_decided_keeps_the_row_and_says_so(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    shipped = Path(__file__).parents[3] / "mappings" / "freshdesk.toml"
    mapping.write_text(shipped.read_text().replace(
        "[columns]", '[[filters]]\nwhen = "CAST(status AS INTEGER) = 9"\n'
                     'reason = "a status nobody uses"\n\n[columns]', 1))
    tickets = _tickets()
    tickets[2]["status"] = "closed"  # ticket 103: one row, text where a number belongs
    code, output = _import(tmp_path, tickets, "--mapping", str(mapping))
    assert code == 0, output
    assert ("1 filter 2 (CAST(status AS INTEGER) = 9) could not be decided (Conversion "
            "Error") in output and "the row kept" in output
    assert set(_contacts(tmp_path)) == {"101", "102", "103"}


VALUES = st.one_of(st.integers(-5, 12), st.text(" 0123456789abc{}", max_size=4),
                   st.none(), st.booleans(), st.lists(st.integers(0, 3), max_size=2),
                   st.dictionaries(st.sampled_from("ab"), st.integers(0, 3), max_size=1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(VALUES, min_size=1, max_size=12))
def test_raises_is_true_exactly_where_the_expression_raises(values: list[object]) -> None:
    """The detector against a row-by-row oracle: each value cast alone. The expression
    repeats its cast in every branch, which DuckDB's common-subexpression optimizer
    hoisted out of ``TRY`` before ``keep_try_whole``."""
    con = duckdb.connect()
    keep_try_whole(con)
    con.execute("CREATE TABLE t (i INTEGER, source JSON, stats STRUCT(r VARCHAR))")
    con.executemany("INSERT INTO t VALUES (?, ?, {'r': ?})",
                    [(i, None if v is None else json.dumps(v), json.dumps(v))
                     for i, v in enumerate(values)])
    for expr in ("CASE source WHEN 1 THEN 'email' WHEN 2 THEN 'portal' WHEN 10 THEN 'x' END",
                 "CAST(CAST(stats.r AS INTEGER) AS VARCHAR)"):
        flagged = {i for (i,) in
                   con.execute(f"SELECT i FROM t WHERE {raises(expr)}").fetchall()}
        oracle = set()
        for i in range(len(values)):
            try:
                con.execute(f"SELECT {expr} FROM t WHERE i = {i}").fetchall()
            except duckdb.Error:
                oracle.add(i)
        assert flagged == oracle, expr


CHATWOOT = Path(__file__).parent / "fixtures" / "chatwoot.jsonl"
CHATWOOT_MAPPING = Path(__file__).parents[3] / "mappings" / "chatwoot_messages.toml"


def _transcripts(folder: Path, field: str, value: object) -> tuple[int, str]:
    """The Chatwoot messages with the second message's ``field`` set to ``value``."""
    lines = CHATWOOT.read_text().splitlines()
    odd = json.loads(lines[1])  # conversation 41: the agent's first reply
    odd[field] = value
    lines[1] = json.dumps(odd)
    export = folder / "messages.jsonl"
    export.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["import", "transcripts", str(export), "--mapping",
                                      str(CHATWOOT_MAPPING), "--out", str(folder / "out")])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, " ".join(result.output.split())


def test_a_transcript_message_with_an_unreadable_time_is_left_out_by_name(
        tmp_path: Path) -> None:
    code, output = _transcripts(tmp_path, "created_at", "not a date")
    assert code == 0, output
    # neither a number of seconds nor an ISO time (which an epoch export may also hold)
    assert ('1 messages: [fields] ts could not be read (the first such value: Conversion '
            'Error: invalid timestamp field format: "not a date"') in output
    assert "the message left out" in output
    assert "unreadable time or unknown role" not in output  # counted once, with its error
    messages = pq.read_table(tmp_path / "out" / "messages.parquet")
    assert messages.num_rows == 5  # 8 read, 2 skipped (private, activity), 1 left out


def test_a_transcript_message_whose_skip_rule_cannot_be_decided_is_kept(
        tmp_path: Path) -> None:
    code, output = _transcripts(tmp_path, "private", " ")
    assert code == 0, output
    assert "1 messages: skip_when could not be decided (Conversion Error" in output
    assert "the message kept" in output
    assert pq.read_table(tmp_path / "out" / "messages.parquet").num_rows == 6


def test_a_missing_transcript_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "transcripts", str(tmp_path / "no.jsonl"),
                                      "--mapping", str(CHATWOOT_MAPPING), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "input not found" in result.output and "no.jsonl" in result.output


INTERCOM_PAGE = (Path(__file__).parent / "fixtures" / "platforms" / "intercom"
                 / "conversations-page-1.json")


@pytest.mark.parametrize(("place", "odd"), [("source", "x"), ("statistics", 5)])
def test_one_object_of_another_kind_in_an_api_page(tmp_path: Path, place: str,
                                                   odd: object) -> None:
    """One Intercom conversation whose ``source`` (or ``statistics``) is no object: DuckDB
    types that place JSON for every conversation, and the declared fields could not be
    read from it (unknown keys of the others) — the page was refused. Now that place is
    left empty on that conversation, counted, and the others import as from the clean
    page."""
    page = json.loads(INTERCOM_PAGE.read_text())
    odd_id = page["conversations"][1]["id"]
    page["conversations"][1][place] = odd
    (tmp_path / "page.json").write_text(json.dumps(page))
    result = CliRunner().invoke(app, ["import", "intercom", str(tmp_path / "page.json"),
                                      "--out", str(tmp_path / "odd")])
    output = " ".join(result.output.split())
    assert result.exit_code == 0, output
    assert (f"1 contacts: [source.fields] conversations.{place}: something else than an "
            "object (its fields left empty)") in output
    clean = CliRunner().invoke(app, ["import", "intercom", str(INTERCOM_PAGE),
                                     "--out", str(tmp_path / "clean")])
    assert clean.exit_code == 0, clean.output
    odd_rows = {r["contact_id"]: r for r in
                pq.read_table(tmp_path / "odd" / "contacts.parquet").to_pylist()}
    clean_rows = {r["contact_id"]: r for r in
                  pq.read_table(tmp_path / "clean" / "contacts.parquet").to_pylist()}
    assert set(odd_rows) == set(clean_rows) and str(odd_id) in odd_rows
    assert {k: v for k, v in odd_rows.items() if k != str(odd_id)} == \
        {k: v for k, v in clean_rows.items() if k != str(odd_id)}


def test_try_over_a_struct_field_does_not_crash_the_import(tmp_path: Path) -> None:
    """A Zendesk rating whose ``updated_at`` is a NUL character, imported 15 times in a
    fresh process: with two DuckDB threads, ``TRY`` over ``CAST(rating.updated_at …)``
    crashed the process (segmentation fault) about one import in three."""
    import subprocess
    import sys

    page = json.loads((Path(__file__).parent / "fixtures" / "platforms" / "zendesk"
                       / "satisfaction_ratings.json").read_text())
    page["satisfaction_ratings"][0]["updated_at"] = "\u0000"
    (tmp_path / "ratings.json").write_text(json.dumps(page))
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from omnikpi.connectors.mapped_table import import_mapped\n"
        "from omnikpi.connectors.mapping_files import shipped_mapping\n"
        "folder = Path(sys.argv[1])\n"
        "for n in range(15):\n"
        "    [s] = import_mapped([folder / 'ratings.json'],\n"
        "                        shipped_mapping('zendesk-satisfaction'), folder / f'o{n}')\n"
        "    assert sum(s.rejected.values()) >= 1, s\n")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])


def test_an_expression_over_no_rows_fails_on_none() -> None:
    """Every row filtered out before a rule (DuckDB's ``count_if`` over no rows is null):
    nothing fails, nothing is considered — not a TypeError."""
    con = duckdb.connect()
    con.execute("CREATE TABLE src AS SELECT 'not a number' AS x")
    assert failing(con, "", "CAST(x AS INTEGER)", "FALSE") == Failing(0, 0, "")
    assert failing(con, "", "CAST(x AS INTEGER)").rows == 1


def test_a_local_time_behind_a_filter_names_its_error(tmp_path: Path) -> None:
    """A CSV with local times and a filter: call X3's "03.06.2024 12:00:00" failed both
    times read from it, and the first response's reason read "could not be read ()" —
    the row set apart to quote its error did not raise alone. Each reason names the
    value now, and the other calls are imported whole."""
    (tmp_path / "calls.csv").write_text(
        "call_id,arrived,answered_ms\nX1,2024-06-03 10:00:00,12000\n"
        "X2,2024-06-03 11:00:00,\nX3,03.06.2024 12:00:00,5000\n")
    (tmp_path / "calls.toml").write_text('''table = "contacts"
[source]
format = "csv"
[timestamps]
timezone = "Europe/Kyiv"
local = ["arrived_at", "first_response_at"]
[[filters]]
when = "call_id = 'zzz'"
reason = "a test call"
[columns]
contact_id = "call_id"
channel = "'voice'"
queue = "'q'"
arrived_at = "CAST(arrived AS TIMESTAMP)"
first_response_at = """CASE WHEN answered_ms IS NOT NULL
  THEN CAST(arrived AS TIMESTAMP) + to_milliseconds(CAST(answered_ms AS BIGINT)) END"""
''')
    result = CliRunner().invoke(app, ["import", "csv", str(tmp_path / "calls.csv"),
                                      "--mapping", str(tmp_path / "calls.toml"),
                                      "--out", str(tmp_path / "out")])
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert "()" not in said
    value = 'invalid timestamp field format: "03.06.2024 12:00:00"'
    for column in ("arrived_at", "first_response_at"):
        assert f"1 {column} could not be read (Conversion Error: {value}" in said, said
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()}
    assert (rows["X1"]["first_response_at"] - rows["X1"]["arrived_at"]).total_seconds() == 12
    assert rows["X3"]["arrived_at"] is None and rows["X3"]["first_response_at"] is None
