"""The validation rules are declared once (``schema/rules.py``) and rendered per engine.

The DuckDB rendering must be exactly the SQL the loader ran before the rules became
declarations: ``snapshots/rules_duckdb.json`` was written by the hand-written
``convert.checks``/``value_sql`` (commit before ``rules.py``) for every table and four
kinds of source (CSV text, typed Parquet, other typed sources, JSON), so the same rows get
the same problems and messages. The Spark rendering is run by ``test_spark_cluster.py``.
Changed on purpose since, and only there: channels are read in lower case
(``Column.lowercase``), and a JSON-typed source is read as its values' own text
(``json_extract_string``, not a cast that keeps a string's quotes); and a survey's score
must lie within its scale (two more checks of ``surveys``), and a QA evaluation's score
within 0–100 (``Column.max_value``: one more check of ``qa_evaluations``); an unreadable
value's message says the form the column takes (``rules.EXPECTED``); an agent state's
missing end says why it may be missing (``Column.when_missing``); a cell of a column with
a default that cannot be read is not given the default (its problem is reported), a NaN
is read as a missing number, and an infinite number is a problem (``Kind.INFINITE``);
and a JSON object or list in a text column is unreadable, not its JSON text
(``rules.may_nest``: the ``json`` variant's text columns); and a survey scale must span
more than one point (``Table.wider``: one more check of ``surveys``); and an employee
survey's score must lie within the contract's 1–10 (two more checks of
``employee_surveys``; a minimum other than 0 is said as "below the minimum").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from omnikpi.schema import rules
from omnikpi.schema.convert import checks, raw_text, value_sql
from omnikpi.schema.rules import SPARK, Kind, row_rules, table_rules
from omnikpi.schema.tables import TABLES, ColumnType, Table

SNAPSHOT = Path(__file__).parent / "snapshots" / "rules_duckdb.json"
TYPED = {ColumnType.STRING: "VARCHAR", ColumnType.TIMESTAMP: "TIMESTAMP",
         ColumnType.FLOAT: "DOUBLE", ColumnType.BOOL: "BOOLEAN", ColumnType.DATE: "DATE"}
ALT = {ColumnType.STRING: "VARCHAR", ColumnType.TIMESTAMP: "TIMESTAMP WITH TIME ZONE",
       ColumnType.FLOAT: "BIGINT", ColumnType.BOOL: "INTEGER", ColumnType.DATE: "TIMESTAMP"}


def _variants(t: Table) -> Iterator[tuple[str, dict[str, str]]]:
    yield "text", {c.name: "VARCHAR" for c in t.columns} | {"extra_note": "VARCHAR"}
    yield "typed", {c.name: TYPED[c.type] for c in t.columns} | {"extra_n": "BIGINT"}
    yield "alt", {c.name: ALT[c.type] for c in t.columns if c.required}
    yield "json", {c.name: "JSON" for c in t.columns}


def test_duckdb_sql_is_exactly_the_sql_before_the_declarations() -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    rendered = {}
    for name, t in TABLES.items():
        for label, src in _variants(t):
            rendered[f"{name}/{label}"] = {
                "values": [value_sql(c, src.get(c.name)) for c in t.columns],
                "raw": [raw_text(c.name) for c in t.columns],
                "checks": [[k.condition, k.message] for k in checks(t, src)],
            }
    assert rendered.keys() == expected.keys()
    for key, value in expected.items():
        assert rendered[key] == value, key


def test_contacts_rules_as_declared() -> None:
    contacts = TABLES["contacts"]
    declared = table_rules(contacts)
    assert declared.key is not None and declared.key.column == "contact_id"
    assert declared.no_overlap is None
    assert "contact_id" in declared.required
    typed = {c.name: TYPED[c.type] for c in contacts.columns}
    before = [(r.column, r.other) for r in row_rules(contacts, typed) if r.kind is Kind.BEFORE]
    assert ("accepted_at", "arrived_at") in before  # accepted not before arrival
    assert table_rules(TABLES["agent_states"]).no_overlap == rules.NoOverlap(
        "agent_id", "start", "end")


def test_spark_literals_escape_as_spark_reads_them() -> None:
    # Spark SQL reads '' as nothing and a backslash as an escape
    assert SPARK.literal("it's a\\b") == "'it\\'s a\\\\b'"
    assert SPARK.quote("we`ird") == "`we``ird`"
    t = TABLES["contacts"]
    spark = rules.render_checks(t, {c.name: TYPED[c.type] for c in t.columns}, SPARK)
    duck = checks(t, {c.name: TYPED[c.type] for c in t.columns})
    assert len(spark) == len(duck)
    assert not any('"' in c.condition for c in spark)  # no DuckDB identifier quotes
    assert all("epoch_us" not in c.condition for c in spark)
