"""JSON sources with nested lists: ``[source] unnest`` makes one row per element of a list
(a ticket with its conversations), with the parent's fields; no external ``jq`` step."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from omnikpi.connectors.mapped_table import import_mapped
from omnikpi.errors import UsageError

TICKETS = [
    {"id": 1, "created_at": "2024-03-05T10:00:00Z", "group": "billing",
     "conversations": [
         {"id": 11, "incoming": True, "created_at": "2024-03-05T10:00:00Z"},
         {"id": 12, "incoming": False, "created_at": "2024-03-05T10:04:00Z", "user_id": 7},
         {"id": 13, "incoming": False, "created_at": "2024-03-05T10:09:00Z", "user_id": 8}]},
    {"id": 2, "created_at": "2024-03-05T11:00:00Z", "group": "sales", "conversations": []},
    {"id": 3, "created_at": "2024-03-05T12:00:00Z", "group": "sales"},
]

MESSAGES = '''table = "messages"
[source]
format = "json"
unnest = "conversations"
[[filters]]
when = "conversations IS NULL"
reason = "ticket without conversations"
[columns]
contact_id = "CAST(id AS VARCHAR)"
ts = "CAST(conversations.created_at AS TIMESTAMPTZ)"
sender = "CASE WHEN conversations.incoming THEN 'customer' ELSE 'agent' END"
agent_id = "CAST(conversations.user_id AS VARCHAR)"
'''

# contacts from the same unnested rows: the first agent reply per ticket, by a window
FIRST_REPLY = '''table = "contacts"
[source]
format = "json"
unnest = "conversations"
[derived]
reply_at = "CASE WHEN NOT conversations.incoming THEN conversations.created_at END"
first_reply = "min(CAST(reply_at AS TIMESTAMPTZ)) OVER (PARTITION BY id)"
first_row = "row_number() OVER (PARTITION BY id ORDER BY conversations.created_at) = 1"
[[filters]]
when = "NOT first_row"
reason = "further conversations of a ticket (one contact per ticket)"
[columns]
contact_id = "CAST(id AS VARCHAR)"
channel = "'email'"
queue = "\\"group\\""
arrived_at = "CAST(created_at AS TIMESTAMPTZ)"
first_response_at = "first_reply"
'''


def _write(tmp_path: Path, array: bool) -> Path:
    source = tmp_path / ("tickets.json" if array else "tickets.jsonl")
    source.write_text(json.dumps(TICKETS) if array else
                      "\n".join(json.dumps(t) for t in TICKETS) + "\n")
    return source


@pytest.mark.parametrize("array", [False, True])
def test_one_row_per_element_with_the_parents_fields(tmp_path: Path, array: bool) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(MESSAGES)
    out = tmp_path / "out"
    [summary] = import_mapped([_write(tmp_path, array)], mapping, out)
    # 3 conversations of ticket 1, and tickets 2 and 3 kept as one row each, filtered
    assert (summary.read, summary.written, dict(summary.filtered)) == (
        5, 3, {"ticket without conversations": 2})
    rows = pq.read_table(out / "messages.parquet").to_pylist()
    assert [(r["contact_id"], r["ts"].isoformat(), r["sender"], r["agent_id"]) for r in rows] == [
        ("1", "2024-03-05T10:00:00", "customer", None),
        ("1", "2024-03-05T10:04:00", "agent", "7"),
        ("1", "2024-03-05T10:09:00", "agent", "8")]


def test_derived_windows_over_the_unnested_rows(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(FIRST_REPLY)
    out = tmp_path / "out"
    [summary] = import_mapped([_write(tmp_path, False)], mapping, out)
    assert summary.written == 3
    rows = {r["contact_id"]: r for r in pq.read_table(out / "contacts.parquet").to_pylist()}
    assert rows["1"]["first_response_at"].isoformat() == "2024-03-05T10:04:00"
    assert rows["2"]["first_response_at"] is None and rows["3"]["queue"] == "sales"


@pytest.mark.parametrize(("unnest", "message"), [
    ('"tags"', "no column 'tags'"), ('"group"', "'group' is not a list")])
def test_unnest_of_a_missing_or_scalar_column(tmp_path: Path, unnest: str, message: str) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(MESSAGES.replace('"conversations"\n', unnest + "\n", 1))
    with pytest.raises(UsageError, match=message):
        import_mapped([_write(tmp_path, False)], mapping, tmp_path / "out")


def test_a_page_saved_as_one_object_over_16_mb_is_read(tmp_path: Path) -> None:
    """A day's events saved as one object of one list (18 MB here) is read whole: DuckDB's
    default refuses a JSON object over 16 MB ("maximum_object_size exceeded")."""
    page = {"calls": [{"id": i, "t": "2024-03-05T10:00:00Z", "note": "x" * 100_000}
                      for i in range(180)]}
    (tmp_path / "page.json").write_text(json.dumps(page))
    assert (tmp_path / "page.json").stat().st_size > 17_000_000
    (tmp_path / "m.toml").write_text('table = "contacts"\n[source]\nformat = "json"\n'
                                     'unnest = "calls"\n[columns]\n'
                                     'contact_id = "CAST(calls.id AS VARCHAR)"\n'
                                     "channel = \"'voice'\"\nqueue = \"'q'\"\n"
                                     'arrived_at = "CAST(calls.t AS TIMESTAMPTZ)"\n')
    summary = import_mapped([tmp_path / "page.json"], tmp_path / "m.toml", tmp_path / "out")
    assert summary[0].written == 180
