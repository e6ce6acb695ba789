"""Values a mapped import reads as the export means them: a time in a ``[timestamps]
local`` column that carries its offset (or is an instant already) is read at it, not moved
as a clock time of the zone; a JSON field that is a number in some records and a string in
others is read as the text it holds, never with JSON's quotes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from omnikpi.connectors.mapped_table import MappedSummary, import_mapped

LOCAL = '''table = "contacts"
[source]
format = "csv"
delimiter = ","
null = ["NULL", "-"]
[timestamps]
local = ["arrived_at"]
[columns]
contact_id = "id"
channel = "'voice'"
queue = "'Q'"
arrived_at = "ARRIVED"
ended_at = "t_end"
'''


def _import(tmp_path: Path, mapping: str, name: str, text: str,
            zone: str | None = None) -> tuple[MappedSummary, dict[str, dict[str, Any]]]:
    (tmp_path / name).write_text(text)
    (tmp_path / "m.toml").write_text(mapping)
    [summary] = import_mapped([tmp_path / name], tmp_path / "m.toml", tmp_path / "out",
                              zone=zone)
    rows = pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()
    return summary, {str(r["contact_id"]): r for r in rows}


def test_a_local_time_with_an_offset_in_its_text_is_read_at_that_offset(
        tmp_path: Path) -> None:
    """Kyiv is UTC+2 in March, UTC+3 in July. A time without an offset is a Kyiv clock
    time; one whose text says its offset (Z, +05:30, -0300, -03, a zone's name) is that
    instant wherever the export was made. Before, i2's 10:00Z was stored as 08:00 UTC and
    i5's 10:00:00.123+05:30 as 08:00:00.123 (its offset dropped, then moved by Kyiv's)."""
    times = ("id,t,t_end\n"
             "i1,2024-03-05T10:00:00+02:00,2024-03-05T10:05:00+02:00\n"
             "i2,2024-03-05T10:00:00Z,2024-03-05T10:05:00Z\n"
             "i3,2024-03-05 10:00:00,2024-03-05 10:05:00\n"
             "i4,2024-07-05T10:00:00,2024-07-05T10:05:00\n"
             "i5,2024-03-05T10:00:00.123+05:30,2024-03-05T10:05:00-0300\n"
             "i6,2024-03-05T10:00:00-03,-\n"
             "i7,2024-03-05 10:00:00 UTC,-\n"
             "i8,2024-03-05 10:00:00 America/New_York,-\n"
             "i9,2024-03-05T10:00:00-0300,-\n")
    summary, rows = _import(tmp_path, LOCAL.replace("ARRIVED", "t"), "times.csv", times,
                            zone="Europe/Kyiv")
    arrived = {key: str(row["arrived_at"]) for key, row in rows.items()}
    assert arrived == {
        "i1": "2024-03-05 08:00:00", "i2": "2024-03-05 10:00:00",
        "i3": "2024-03-05 08:00:00", "i4": "2024-07-05 07:00:00",
        "i5": "2024-03-05 04:30:00.123000", "i6": "2024-03-05 13:00:00",
        "i7": "2024-03-05 10:00:00", "i8": "2024-03-05 15:00:00",
        "i9": "2024-03-05 13:00:00"}
    # ended_at is not local: a time without an offset is UTC there, as before
    assert str(rows["i3"]["ended_at"]) == "2024-03-05 10:05:00"
    assert str(rows["i5"]["ended_at"]) == "2024-03-05 13:05:00"
    assert (summary.written, dict(summary.rejected), dict(summary.skipped_hour)) == (9, {}, {})


def test_an_instant_in_a_local_column_is_kept(tmp_path: Path) -> None:
    """``to_timestamp(epoch)`` is an instant (TIMESTAMPTZ): 1709632805 is 10:00:05 UTC,
    which a local column stored as 08:00:05 with --tz Europe/Kyiv."""
    mapping = LOCAL.replace("ARRIVED", "to_timestamp(CAST(t AS BIGINT))")
    _, rows = _import(tmp_path, mapping, "epoch.csv",
                      "id,t,t_end\ne1,1709632805,-\ne2,1720173600,-\n", zone="Europe/Kyiv")
    assert {k: str(r["arrived_at"]) for k, r in rows.items()} == {
        "e1": "2024-03-05 10:00:05", "e2": "2024-07-05 10:00:00"}


def test_an_offset_in_the_hours_the_clocks_change_says_which_instant(tmp_path: Path) -> None:
    """Kyiv's clocks skip 03:00–04:00 on 2024-03-31 and repeat it on 2024-10-27. A clock
    time without an offset there is read as before (the skipped one with the offset
    before the change, and counted; the repeated one as standard time, the second pass);
    a text with its offset is the instant it names, never counted as skipped (before, its
    offset was dropped and the time read, and counted, as a skipped Kyiv clock time)."""
    times = ("id,t,t_end\n"
             "s1,2024-03-31 03:30:00,-\n"
             "s2,2024-03-31T03:30:00+03:00,-\n"
             "r1,2024-10-27 03:30:00,-\n"
             "r2,2024-10-27T03:30:00+03:00,-\n"
             "r3,2024-10-27T03:30:00+02:00,-\n")
    summary, rows = _import(tmp_path, LOCAL.replace("ARRIVED", "t"), "dst.csv", times,
                            zone="Europe/Kyiv")
    assert {k: str(r["arrived_at"]) for k, r in rows.items()} == {
        "s1": "2024-03-31 01:30:00", "s2": "2024-03-31 00:30:00",
        "r1": "2024-10-27 01:30:00", "r2": "2024-10-27 00:30:00",
        "r3": "2024-10-27 01:30:00"}
    assert dict(summary.skipped_hour) == {"arrived_at": 1}


def test_an_unreadable_local_time_is_left_empty_and_named(tmp_path: Path) -> None:
    """A text that is no time, with an offset or without, is still counted under its
    value (the import goes on with the other rows)."""
    times = ("id,t,t_end\nu1,2024-03-05 10:00:00,-\nu2,05.03.2024 10:00:00,-\n"
             "u3,05.03.2024 10:00:00+02:00,-\n")
    summary, rows = _import(tmp_path, LOCAL.replace("ARRIVED", "t"), "bad.csv", times,
                            zone="Europe/Kyiv")
    assert str(rows["u1"]["arrived_at"]) == "2024-03-05 08:00:00"
    assert rows["u2"]["arrived_at"] is None and rows["u3"]["arrived_at"] is None
    reasons = " ".join(summary.rejected)
    assert "05.03.2024 10:00:00" in reasons, reasons
    assert summary.rejected_rows == 2


JSON_IDS = '''table = "contacts"
[source]
format = "json"
[columns]
contact_id = "ID"
channel = "'chat'"
queue = "'q'"
arrived_at = "CAST(created AS TIMESTAMPTZ)"
'''


def _json_lines(records: list[Any]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


AT = "2024-03-05T10:00:00Z"
MIXED = [{"id": 1, "created": AT}, {"id": "007", "created": AT}, {"id": 2.0, "created": AT},
         {"id": "X-1", "created": AT}, {"id": True, "created": AT}]


def test_a_json_id_of_several_kinds_is_read_as_its_text(tmp_path: Path) -> None:
    """A field that is a number in some records and a string in others is typed JSON by
    DuckDB, whose cast to text kept the quotes: contact "007" (quotes stored) joined with
    nothing. Read as the text it holds; a number as written (2.0 stays 2.0)."""
    expected = {"1", "007", "2.0", "X-1", "true"}
    for expression in ("id", "CAST(id AS VARCHAR)", "trim(id)"):
        out = tmp_path / expression.replace("(", "_").replace(")", "_").replace(" ", "_")
        out.mkdir()
        summary, rows = _import(out, JSON_IDS.replace("ID", expression), "ids.jsonl",
                                _json_lines(MIXED))
        assert set(rows) == expected, (expression, set(rows))
        assert summary.written == 5


def test_json_fields_of_several_kinds_inside_objects_and_lists(tmp_path: Path) -> None:
    """The same inside an object (``who.id``), inside the elements of a list unnested
    (``calls.id``) and in a list of values (``tags``); a field that holds an object in
    some records and text in others stays JSON, read with JSON functions as before."""
    records = [
        {"id": "t1", "created": AT, "who": {"id": 7, "name": "a"}, "tags": [1, "vip"],
         "extra": {"k": "K1"}, "calls": [{"id": 1}, {"id": "c-2"}]},
        {"id": "t2", "created": AT, "who": {"id": "A-7", "name": "b"}, "tags": ["x"],
         "extra": "plain", "calls": [{"id": 3.5}]},
        {"id": "t3", "created": AT, "who": None, "tags": None, "extra": None, "calls": []},
    ]
    mapping = '''table = "contacts"
[source]
format = "json"
unnest = "calls"
[columns]
contact_id = "id || '/' || coalesce(calls.id, '-')"
channel = "'chat'"
queue = "CASE WHEN list_contains(tags, 'vip') THEN 'vip' ELSE 'q' END"
customer_id = "who.id"
agent_id = "json_extract_string(extra, '$.k')"
topic = "json_extract(extra, '$.k')"
arrived_at = "CAST(created AS TIMESTAMPTZ)"
'''
    summary, rows = _import(tmp_path, mapping, "nested.jsonl", _json_lines(records))
    assert summary.written == 4 and not summary.rejected
    assert {k: (r["customer_id"], r["queue"], r["agent_id"], r["topic"])
            for k, r in rows.items()} == {
        "t1/1": ("7", "vip", "K1", "K1"), "t1/c-2": ("7", "vip", "K1", "K1"),
        "t2/3.5": ("A-7", "q", None, None), "t3/-": (None, "q", None, None)}


def test_a_declared_json_field_keeps_its_declared_type(tmp_path: Path) -> None:
    """``[source.fields]`` still decides: a field declared VARCHAR reads as text (as it
    did), one declared BIGINT as a number, the odd value left empty and counted."""
    mapping = JSON_IDS.replace("ID", "CAST(n + 1 AS VARCHAR) || '-' || id").replace(
        "[columns]", '[source.fields]\nid = "VARCHAR"\nn = "BIGINT"\n[columns]')
    records = [{"id": 1, "n": 1, "created": AT}, {"id": "007", "n": "2", "created": AT}]
    _, rows = _import(tmp_path, mapping, "declared.jsonl", _json_lines(records))
    assert set(rows) == {"2-1", "3-007"}


def test_a_time_of_several_kinds_in_a_local_column(tmp_path: Path) -> None:
    """A JSON time that is text in some records and a number in others is read as text
    (DuckDB's JSON type, cast to text, kept the quotes, and no text function matched
    it): a Kyiv clock time, or the instant its offset names."""
    mapping = '''table = "contacts"
[source]
format = "json"
[timestamps]
timezone = "Europe/Kyiv"
local = ["arrived_at"]
[columns]
contact_id = "id"
channel = "'chat'"
queue = "'q'"
arrived_at = """CASE WHEN regexp_full_match(created, '[0-9]+')
  THEN strftime(make_timestamp(CAST(created AS BIGINT) * 1000000), '%Y-%m-%d %H:%M:%S')
  ELSE created END"""
'''
    records = [{"id": "a", "created": "2024-03-05 10:00:00"}, {"id": "b", "created": 1709632800},
               {"id": "c", "created": "2024-03-05T10:00:00+05:30"}]
    _, rows = _import(tmp_path, mapping, "times.jsonl", _json_lines(records))
    assert rows["a"]["arrived_at"] == datetime(2024, 3, 5, 8, 0)
    assert rows["b"]["arrived_at"] == datetime(2024, 3, 5, 8, 0)  # 10:00 read as Kyiv's
    assert rows["c"]["arrived_at"] == datetime(2024, 3, 5, 4, 30)
