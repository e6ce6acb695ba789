"""JSON exports whose fields come and go: ``[source.fields]`` declares the fields a mapping
reads that an export may not have, and every object's fields are read, not a sample's.

An export of an older API version, a day without a transfer, a page where every value of a
field is null: each changes the shape DuckDB infers, and an expression naming a field the
shape lacks failed the whole import ("Could not find key"). A field first seen after the
first 20,480 objects was left out of every row without a word.
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

import omnikpi
from omnikpi.cli.main import app
from omnikpi.connectors.declared_fields import TypeNode, _type_node
from omnikpi.connectors.declared_fields import declared_fields as _declared_fields
from omnikpi.connectors.mapped_table import import_mapped
from omnikpi.connectors.transcripts import import_transcripts
from omnikpi.errors import DataError, UsageError

FIXTURES = Path(__file__).parent / "fixtures" / "platforms"

MAPPING = '''
table = "contacts"

[source]
format = "json"
unnest = "items"

[source.fields]
"items.agent.name" = "VARCHAR"
"items.waits[].seconds" = "DOUBLE"
"items.parent" = "VARCHAR"
"items.answered" = "VARCHAR"

[columns]
contact_id = "items.id"
channel = "'chat'"
queue = "'q'"
arrived_at = "CAST(items.at AS TIMESTAMPTZ)"
first_response_at = "CAST(items.answered AS TIMESTAMPTZ)"
agent_id = "items.agent.name"
parent_id = "items.parent"
hold_seconds = "list_sum(list_transform(items.waits, lambda w: w.seconds))"
'''


def _import(tmp_path: Path, pages: list[dict[str, Any]], mapping: str = MAPPING
            ) -> list[dict[str, Any]]:
    source = tmp_path / "pages.json"
    source.write_text("\n".join(json.dumps(p) for p in pages) + "\n")
    (tmp_path / "m.toml").write_text(mapping)
    out = tmp_path / "out"
    import_mapped([source], tmp_path / "m.toml", out)
    return sorted(pq.read_table(out / "contacts.parquet").to_pylist(),
                  key=lambda r: r["contact_id"])


def test_absent_fields_read_as_empty(tmp_path: Path) -> None:
    # no agent object, no waits, no parent and no answer anywhere in this export
    rows = _import(tmp_path, [{"items": [{"id": "a", "at": "2024-03-05T10:00:00Z"}]}])
    assert [(r["contact_id"], r["agent_id"], r["parent_id"], r["hold_seconds"],
             r["first_response_at"]) for r in rows] == [("a", None, None, None, None)]


def test_present_fields_keep_their_values(tmp_path: Path) -> None:
    rows = _import(tmp_path, [{"items": [
        {"id": "a", "at": "2024-03-05T10:00:00Z", "agent": {"name": "olena", "team": 5},
         "waits": [{"seconds": 3}, {"seconds": 4.5}], "parent": "p",
         "answered": "2024-03-05T10:00:20Z"},
        # the agent only ever null on this object, waits empty
        {"id": "b", "at": "2024-03-05T10:01:00Z", "agent": None, "waits": []}]}])
    assert [(r["contact_id"], r["agent_id"], r["parent_id"], r["hold_seconds"])
            for r in rows] == [("a", "olena", "p", 7.5), ("b", None, None, None)]
    assert (rows[0]["first_response_at"] - rows[0]["arrived_at"]).total_seconds() == 20


def test_a_field_always_null_takes_the_declared_type(tmp_path: Path) -> None:
    # "agent": null everywhere is typed JSON by DuckDB: agent.name could not be read
    rows = _import(tmp_path, [{"items": [{"id": "a", "at": "2024-03-05T10:00:00Z",
                                          "agent": None, "waits": None}]}])
    assert rows[0]["agent_id"] is None


@pytest.mark.parametrize(("fields", "message"), [
    ('"items.id.name" = "VARCHAR"', "items.id is VARCHAR in the source, not an object"),
    ('"items.other" = "NOT_A_TYPE"', "not a DuckDB type"),
    ('nope = 3', "dotted field paths and their DuckDB types"),
    ('"items.at[].x" = "VARCHAR"', "items.at[] is TIMESTAMP in the source, not a list"),
])
def test_a_fields_mistake_is_named(tmp_path: Path, fields: str, message: str) -> None:
    mapping = MAPPING.replace('"items.parent" = "VARCHAR"', fields)
    with pytest.raises(UsageError, match=r"\[source\.fields\]") as raised:
        _import(tmp_path, [{"items": [{"id": "a", "at": "2024-03-05T10:00:00Z"}]}], mapping)
    assert message in str(raised.value)


def test_a_field_of_another_kind_in_one_object_is_left_empty_there(tmp_path: Path) -> None:
    # "agent" holds a number in one object and an object in another (typed JSON): the
    # number cannot become an object with a name — that agent is left empty and counted,
    # the other keeps its name (the whole export was refused before)
    rows = _import(tmp_path, [{"items": [
        {"id": "a", "at": "2024-03-05T10:00:00Z", "agent": 5},
        {"id": "b", "at": "2024-03-05T10:00:00Z", "agent": {"name": "x", "team": 7}}]}])
    assert [(r["contact_id"], r["agent_id"]) for r in rows] == [("a", None), ("b", "x")]
    [summary] = import_mapped([tmp_path / "pages.json"], tmp_path / "m.toml",
                              tmp_path / "again")
    assert summary.rejected["[source.fields] items.agent: something else than an object "
                            "(its fields left empty)"] == 1


def test_a_field_first_seen_late_in_a_large_export_is_read(tmp_path: Path) -> None:
    """25,000 objects, the last one with a field none before it has: DuckDB's type
    detection samples the first 20,480 objects, and left the field out of every row."""
    lines = [json.dumps({"id": f"c{i}", "ts": "2024-03-05T10:00:00Z"}) for i in range(25_000)]
    lines.append(json.dumps({"id": "late", "ts": "2024-03-05T10:00:00Z", "who": "olena"}))
    source = tmp_path / "contacts.json"
    source.write_text("\n".join(lines) + "\n")
    (tmp_path / "m.toml").write_text(
        'table = "contacts"\n[source]\nformat = "json"\n[columns]\ncontact_id = "id"\n'
        'channel = "\'voice\'"\nqueue = "\'q\'"\narrived_at = "CAST(ts AS TIMESTAMPTZ)"\n'
        'agent_id = "who"\n')
    import_mapped([source], tmp_path / "m.toml", tmp_path / "out")
    table = pq.read_table(tmp_path / "out" / "contacts.parquet")
    assert table.num_rows == 25_001
    assert [a for a in table["agent_id"].to_pylist() if a] == ["olena"]


def test_a_transcripts_field_first_seen_late_is_read(tmp_path: Path) -> None:
    """The same for transcripts: 12,000 two-message chats, the agent's name written only
    on the last agent message of the file."""
    lines = []
    for i in range(12_000):
        lines.append(json.dumps({"conversation_id": f"k{i}", "ts": 1709632800 + i,
                                 "sender": "customer"}))
        agent = {"agent_name": "olena"} if i == 11_999 else {}
        lines.append(json.dumps({"conversation_id": f"k{i}", "ts": 1709632830 + i,
                                 "sender": "agent", **agent}))
    source = tmp_path / "messages.jsonl"
    source.write_text("\n".join(lines) + "\n")
    (tmp_path / "t.toml").write_text('timestamp = "epoch"\nchannel = "chat"\n'
                                     '[fields]\nagent = "agent_name"\n')
    import_transcripts([source], tmp_path / "t.toml", tmp_path / "out")
    agents = pq.read_table(tmp_path / "out" / "contacts.parquet")["agent_id"].to_pylist()
    assert len(agents) == 12_000 and [a for a in agents if a] == ["olena"]


def test_intercom_pages_of_an_older_api_version_import(tmp_path: Path) -> None:
    """A workspace without the AI agent, on an API version before it: no ai_agent fields,
    no ratings, statistics with three times only."""
    page = json.loads((FIXTURES / "intercom" / "conversations-page-1.json").read_text())
    for conversation in page["conversations"]:
        for key in ("ai_agent", "ai_agent_participated", "conversation_rating"):
            conversation.pop(key)
        if conversation["statistics"]:
            conversation["statistics"] = {k: v for k, v in conversation["statistics"].items()
                                          if k in ("first_contact_reply_at",
                                                   "first_admin_reply_at", "last_close_at")}
    source = tmp_path / "old.json"
    source.write_text(json.dumps(page))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", "intercom", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    contacts = {r["contact_id"] for r in pq.read_table(out / "contacts.parquet").to_pylist()}
    # 1004 and 1005 are ordinary conversations without the AI agent's fields
    assert contacts == {"1001", "1002", "1003", "1004", "1005"}
    for table in ("ivr_sessions", "surveys"):  # no AI agent, no rating: no rows
        assert not (out / f"{table}.parquet").exists() or \
            pq.read_table(out / f"{table}.parquet").num_rows == 0
    report = omnikpi.report_result(out, metrics=["answered", "asa"]).rows[0]
    # 1001 90 s, 1002 3 h, 1005 5 min from its first message (no hand-over known)
    assert report == pytest.approx({"answered": 3, "asa": (90 + 10800 + 300) / 3})


def test_amazon_connect_records_of_abandoned_calls_only_import(tmp_path: Path) -> None:
    """A file whose records have no agent and no transfer (an hour of abandoned calls)."""
    record = {"ContactId": "c-1", "Channel": "VOICE", "InitiationMethod": "INBOUND",
              "InitiationTimestamp": "2024-03-05T11:00:00Z",
              "DisconnectTimestamp": "2024-03-05T11:02:00Z",
              "LastUpdateTimestamp": "2024-03-05T11:02:10Z", "Agent": None,
              "Queue": {"Name": "Support", "EnqueueTimestamp": "2024-03-05T11:00:05Z",
                        "DequeueTimestamp": "2024-03-05T11:02:00Z"}}
    source = tmp_path / "ctr.json"
    source.write_text(json.dumps(record) + "\n")
    result = CliRunner().invoke(app, ["import", "amazon-connect", str(source), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    report = omnikpi.report_result(tmp_path / "out", metrics=["abandoned",
                                                              "avg_abandon_time"]).rows[0]
    assert report == {"abandoned": 1, "avg_abandon_time": 115.0}


# -- any shape, any declared field (hypothesis) ------------------------------------------------

NAMES = st.sampled_from(["a", "b", "c"])
LEAVES = st.one_of(st.none(), st.integers(-5, 5), st.text("xyz", max_size=3), st.booleans())
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=2), st.dictionaries(NAMES, inner, max_size=3)), max_leaves=6)
OBJECTS = st.lists(st.dictionaries(NAMES, VALUES, max_size=3), min_size=1, max_size=4)
PATHS = st.lists(st.lists(st.tuples(NAMES, st.booleans()), min_size=1, max_size=3),
                 max_size=3)


def _resolve(node: TypeNode | None, parts: list[str]) -> TypeNode | None:
    """The type at ``parts`` (into list elements), None when the path does not exist."""
    for part in parts:
        while isinstance(node, list):
            node = node[0]
        if not isinstance(node, dict) or part.removesuffix("[]") not in node:
            return None
        node = node[part.removesuffix("[]")]
    return node


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects=OBJECTS, paths=PATHS)
def test_declared_fields_of_any_shape_become_readable_or_are_named(
        tmp_path_factory: pytest.TempPathFactory, objects: list[dict[str, Any]],
        paths: list[list[tuple[str, bool]]]) -> None:
    """Whatever the JSON's shape and the declared paths: the import either refuses a path
    by name (a usage error) or every declared path then exists, the rows are the same
    rows, and a column no path touched keeps every value."""
    folder = tmp_path_factory.mktemp("shape")
    source = folder / "rows.json"
    source.write_text("\n".join(json.dumps(o) for o in objects) + "\n")
    con = duckdb.connect()
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_json('{source}', format = 'auto', "
                "union_by_name = true, sample_size = -1)")
    before = con.execute("SELECT * FROM raw").fetchall()
    columns = [str(d[0]) for d in con.execute("SELECT * FROM raw LIMIT 0").description]
    declared = {".".join(f"{n}[]" if is_list else n for n, is_list in path): "VARCHAR"
                for path in paths}
    try:
        _declared_fields(con, {"fields": declared}, folder / "m.toml")
    except (UsageError, DataError) as exc:
        assert "[source.fields]" in str(exc)
        return
    described = con.sql("SELECT * FROM raw LIMIT 0")
    tree = {n: _type_node(t) for n, t in zip(described.columns, described.types,
                                             strict=True)}
    for path in declared:
        assert _resolve(tree, path.split(".")) is not None, (path, tree)
    after = con.execute("SELECT * FROM raw").fetchall()
    assert len(after) == len(before)
    touched = {path.split(".")[0].removesuffix("[]") for path in declared}
    for i, name in enumerate(columns):
        if name not in touched:
            j = described.columns.index(name)
            assert [row[j] for row in after] == [row[i] for row in before], name
