"""A mapping with a mistake, or one that leaves optional columns out, through the CLI:
unmapped columns are typed nulls; a mapping error names the key and what is wrong and
exits 2, never with a traceback."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app

CALLS = "id,t\na,2024-03-05 12:00:00\nb,2024-03-05 12:05:00\n"
BASE = '''table = "contacts"
[columns]
contact_id = "id"
channel = "'voice'"
queue = "'q'"
arrived_at = "CAST(t AS TIMESTAMP)"
'''


def _import(tmp_path: Path, mapping: str, source: str = "csv",
            data: str = CALLS, name: str = "calls.csv") -> tuple[int, str, Path]:
    (tmp_path / name).write_text(data)
    (tmp_path / "m.toml").write_text(mapping)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", source, str(tmp_path / name),
                                      "--mapping", str(tmp_path / "m.toml"), "--out", str(out)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output, out


@pytest.mark.parametrize("value", ["NULL", "CASE WHEN FALSE THEN 1 END", "NULL::INTEGER"])
def test_an_optional_timestamp_mapped_to_a_null_is_a_typed_null(
        tmp_path: Path, value: str) -> None:
    code, output, out = _import(tmp_path, BASE + f'accepted_at = "{value}"\n'
                                'resolved_at = "NULL"\nhandle_seconds = "NULL"\n')
    assert code == 0, output
    table = pq.read_table(out / "contacts.parquet")
    assert str(table.schema.field("accepted_at").type) == "timestamp[us]"
    assert table["accepted_at"].null_count == 2 and table["resolved_at"].null_count == 2


def test_unmapped_columns_are_typed_nulls(tmp_path: Path) -> None:
    code, output, out = _import(tmp_path, BASE)
    assert code == 0, output
    table = pq.read_table(out / "contacts.parquet")
    assert str(table.schema.field("ended_at").type) == "timestamp[us]"
    assert str(table.schema.field("handle_seconds").type) == "double"
    assert table["ended_at"].null_count == 2


@pytest.mark.parametrize(("extra", "names"), [
    ('ended_at = "no_such_column"\n', ["ended_at", "no_such_column"]),
    ('ended_at = "CAST(id AS TIMESTAMP)"\n', ["ended_at", "Conversion"]),
    ('handle_seconds = "id"\n', ["handle_seconds"]),
    ('[[filters]]\nwhen = "nope = 1"\nreason = "x"\n', ["filter 1", "nope"]),
    ('[derived]\nx = "no_such + 1"\n', ["[derived] x", "no_such"]),
    ('[derived]\nid = "1"\n', ["[derived] id", "already has a column"]),
    ('[derived]\nat = "1"\n', ["[derived] at", "an SQL keyword"]),
    ('[source]\nformat = "xml"\n', ["[source] format", "xml"]),
    ('[source]\nnull = "NULL"\n', ["[source] null", "a list"]),
    ('[source]\nquote = "<>"\n', ["[source] quote", "one character"]),
    ('waiting = "1"\n', ["waiting", "not columns of contacts"]),
    ('[timestamps]\nlocal = ["queue"]\n', ["[timestamps] local"]),
    ('keep = ["waiting"]\n', ["keep is not a mapping key", "[derived]"]),
])
def test_a_mapping_error_names_the_key_and_exits_2(
        tmp_path: Path, extra: str, names: list[str]) -> None:
    # a section goes before [columns] (TOML), a column line or [derived] after it
    before = ((extra.startswith("[") and not extra.startswith("[derived]"))
              or extra.startswith("keep"))
    mapping = BASE.replace("[columns]", extra + "[columns]", 1) if before else BASE + extra
    code, output, out = _import(tmp_path, mapping)
    assert code == 2, output
    flat = " ".join(output.split())
    for name in names:
        assert name in flat, flat
    assert not (out / "contacts.parquet").exists()


def test_a_transcripts_mapping_without_roles(tmp_path: Path) -> None:
    lines = ('{"conversation_id": 1, "ts": "2024-03-05T10:00:00Z", "sender": "customer"}\n'
             '{"conversation_id": 1, "ts": "2024-03-05T10:00:20Z", "sender": "Agent"}\n')
    code, output, out = _import(tmp_path, 'timestamp = "iso"\n', "transcripts", lines,
                                "m.jsonl")
    assert code == 0, output
    row = pq.read_table(out / "contacts.parquet").to_pylist()[0]
    assert row["first_response_at"].isoformat() == "2024-03-05T10:00:20"


@pytest.mark.parametrize(("mapping", "names"), [
    ('[fields]\nrole = "no_such"\n', ["[fields] role", "no_such"]),
    ('skip_when = "nope IS NULL"\n', ["skip_when", "nope"]),
    ('timestamp = "unix"\n', ["timestamp must be iso or epoch"]),
    ('[roles]\n"c" = "client"\n', ["[roles]"]),
    ('[fields]\nconversation = "id"\n', ["id"]),
])
def test_a_transcripts_mapping_error_exits_2(
        tmp_path: Path, mapping: str, names: list[str]) -> None:
    lines = '{"conversation_id": 1, "ts": "2024-03-05T10:00:00Z", "sender": "customer"}\n'
    code, output, _ = _import(tmp_path, mapping, "transcripts", lines, "m.jsonl")
    assert code == 2, output
    flat = " ".join(output.split())
    for name in names:
        assert name in flat, flat


def test_a_mysql_dump_null_words_and_no_quoting(tmp_path: Path) -> None:
    """``[source] null`` reads MySQL's NULL words as empty; ``quote = ""`` keeps a lone
    double quote of a tab-separated dump as text instead of opening a quoted field."""
    data = ('id\tt\ttopic\n'
            'a\t2024-03-05 12:00:00\tNULL\n'
            'b\t2024-03-05 12:05:00\t\\N\n'
            'c\t2024-03-05 12:10:00\tsaid "call me\n')
    mapping = BASE.replace("[columns]", '[source]\ndelimiter = "\\t"\nquote = ""\n'
                           'null = ["NULL", "\\\\N"]\n[columns]', 1) + 'topic = "topic"\n'
    code, output, out = _import(tmp_path, mapping, data=data, name="calls.tsv")
    assert code == 0, output
    rows = {r["contact_id"]: r["topic"]
            for r in pq.read_table(out / "contacts.parquet").to_pylist()}
    assert rows == {"a": None, "b": None, "c": 'said "call me'}


@pytest.mark.parametrize(("version", "said"), [
    ('"no_such_column"', "(contacts) [source] version: "),
    ("3", "[source] version is an SQL expression"),
])
def test_a_version_that_cannot_be_read_is_named(tmp_path: Path, version: str,
                                                 said: str) -> None:
    code, output, out = _import(tmp_path, BASE + f"[source]\nversion = {version}\n")
    assert code == 2 and said in " ".join(output.split()), output
    assert not (out / "contacts.parquet").exists()


def test_a_version_keeps_the_newest_form_of_a_csv_row(tmp_path: Path) -> None:
    """Two exports of the same call, the later one first: the row with the greater version
    is kept, the older export imported after it changes nothing."""
    mapping = BASE + 'outcome = "state"\n[source]\nversion = "CAST(v AS DOUBLE)"\n'
    newer = "id,t,v,state\na,2024-03-05 12:00:00,2,answered\n"
    older = "id,t,v,state\na,2024-03-05 12:00:00,1,waiting\n"
    for data in (newer, older):
        code, output, out = _import(tmp_path, mapping, data=data)
        assert code == 0, output
    assert pq.read_table(out / "contacts.parquet").to_pylist()[0]["outcome"] == "answered"


@pytest.mark.parametrize(("record", "said"), [
    ('"CAST(nope AS VARCHAR)"', "(contacts) record: no column 'nope' in the source"),
    ("5", "record is an SQL expression"),
])
def test_a_record_that_cannot_be_read_names_the_key(tmp_path: Path, record: str,
                                                     said: str) -> None:
    mapping = BASE.replace('table = "contacts"\n', f'table = "contacts"\nrecord = {record}\n')
    code, output, _ = _import(tmp_path, mapping)
    assert code == 2 and said in " ".join(output.split()), output


@pytest.mark.parametrize(("data", "written"), [
    (CALLS.replace(",", ";"), 'delimiter = ";"'),  # Excel in a European locale
    (CALLS.replace(",", "\t"), 'delimiter = "\\t"'),
])
def test_a_file_of_another_delimiter_says_which_to_set(tmp_path: Path, data: str,
                                                       written: str) -> None:
    code, output, _ = _import(tmp_path, BASE, data=data)
    said = " ".join(output.split())
    assert code == 2 and "the header is one column holding" in said, said
    assert f"set [source] {written}" in said
    mapping = BASE.replace("[columns]", f"[source]\n{written}\n[columns]")
    code, output, out = _import(tmp_path, mapping, data=data)
    assert code == 0, output
    assert pq.read_table(out / "contacts.parquet").num_rows == 2


def test_an_unknown_unnest_of_is_a_mapping_error(tmp_path: Path) -> None:
    """``[source] unnest_of`` is "pages" or "records": "record" (a typo) turned the
    records' reading on without a word."""
    from omnikpi.connectors.mapped_table import import_mapped
    from omnikpi.errors import UsageError

    mapping = tmp_path / "m.toml"
    mapping.write_text('table = "contacts"\n[source]\nformat = "json"\nunnest = "items"\n'
                       'unnest_of = "record"\n[columns]\ncontact_id = "items.id"\n')
    (tmp_path / "page.json").write_text('{"items": [{"id": 1}]}\n')
    with pytest.raises(UsageError, match=r'unnest_of = .record.: write "pages"'):
        import_mapped([tmp_path / "page.json"], mapping, tmp_path / "out")
