"""Exports saved in another encoding than UTF-8 (``connectors/text_encoding.py``).

A Windows-1251 CSV from a Cyrillic office used to lose every line with a Cyrillic letter
("invalid encoding") while its ASCII lines imported, and a UTF-16 file ("Unicode text" of
Excel) came out as columns of garbage; now the first is refused with the way to name its
encoding, and named (or marked, for UTF-16) it imports exactly as its UTF-8 twin."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from omnikpi.cli.main import app

MAPPING = '''table = "contacts"
[columns]
contact_id = "id"
channel = "'voice'"
queue = "queue"
arrived_at = "CAST(t AS TIMESTAMP)"
'''
CALLS = ("id,queue,t\r\na,Продажі,2024-03-05 12:00:00\r\nb,Підтримка,2024-03-05 12:05:00\r\n"
         "c,Sales,2024-03-05 12:07:00\r\n")


def _import(tmp_path: Path, data: bytes, name: str = "calls.csv", mapping: str = MAPPING,
            *options: str) -> tuple[int, str, Path]:
    source = tmp_path / name
    source.write_bytes(data)
    (tmp_path / "m.toml").write_text(mapping)
    out = tmp_path / f"out-{name}"
    result = CliRunner().invoke(app, ["import", "csv", str(source), "--mapping",
                                      str(tmp_path / "m.toml"), "--out", str(out), *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split()), out


def _rows(out: Path) -> list[tuple[str, str]]:
    return [(r["contact_id"], r["queue"]) for r in
            pq.read_table(out / "contacts.parquet").to_pylist()]


EXPECTED = [("a", "Продажі"), ("b", "Підтримка"), ("c", "Sales")]


def test_a_windows_1251_file_is_refused_with_how_to_name_its_encoding(tmp_path: Path) -> None:
    code, said, out = _import(tmp_path, CALLS.encode("cp1251"))
    assert code == 2, said
    assert "calls.csv is not UTF-8 text (line 2: byte 0xCF)" in said
    assert "--encoding" in said and "cp1251" in said
    assert not (out / "contacts.parquet").exists()  # not the ASCII lines alone


@pytest.mark.parametrize("how", ["option", "mapping", "option over mapping"])
def test_a_named_encoding_imports_as_its_utf8_twin(tmp_path: Path, how: str) -> None:
    mapping = MAPPING.replace('[columns]', '[source]\nencoding = "%s"\n[columns]' % (
        "windows-1251" if how == "mapping" else "latin-1"))
    options = [] if how == "mapping" else ["--encoding", "cp1251"]
    code, said, out = _import(tmp_path, CALLS.encode("cp1251"), "calls.csv",
                              mapping if how != "option" else MAPPING, *options)
    assert code == 0, said
    assert _rows(out) == EXPECTED


def test_a_gzip_file_in_a_named_encoding(tmp_path: Path) -> None:
    code, said, out = _import(tmp_path, gzip.compress(CALLS.encode("cp1251")), "calls.csv.gz",
                              MAPPING, "--encoding", "cp1251")
    assert code == 0, said
    assert _rows(out) == EXPECTED


def test_excel_unicode_text_utf16_with_its_mark_and_tabs_needs_no_option(
        tmp_path: Path) -> None:
    tabs = MAPPING.replace("[columns]", '[source]\ndelimiter = "\\t"\n[columns]')
    code, said, out = _import(tmp_path, CALLS.replace(",", "\t").encode("utf-16"),
                              "calls.txt", tabs)
    assert code == 0, said
    assert _rows(out) == EXPECTED


def test_utf16_without_its_mark_is_named_or_refused(tmp_path: Path) -> None:
    data = CALLS.encode("utf-16-le")
    code, said, _ = _import(tmp_path, data)
    assert code == 2 and "one byte in 2 is NUL" in said, said
    code, said, out = _import(tmp_path, data, "calls.csv", MAPPING, "--encoding", "utf-16-le")
    assert code == 0, said
    assert _rows(out) == EXPECTED


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_named_without_its_byte_order_reads_the_one_the_file_has(
        tmp_path: Path, encoding: str) -> None:
    """``--encoding utf-16`` on a file without its mark (the way out a dataset folder's
    refusal of such a file names) ended in Python's "UTF-16 stream does not start with
    BOM", a traceback: the byte order is the one the file's zero bytes say."""
    named = encoding[:6]
    code, said, out = _import(tmp_path, CALLS.encode(encoding), "calls.csv", MAPPING,
                              "--encoding", named)
    assert code == 0, said
    assert _rows(out) == EXPECTED


@pytest.mark.parametrize(("data", "options", "code", "message"), [
    (CALLS.encode("utf-16"), ["--encoding", "cp1251"], 2,
     "starts with the byte-order mark of utf-16, not cp1251 as named"),
    (CALLS.encode("cp1251"), ["--encoding", "klingon"], 2, "unknown encoding 'klingon'"),
    # 0x98 is the one byte Windows-1251 leaves undefined
    (CALLS.encode("cp1251").replace(b"c,Sales", b"c,Sa\x98les"), ["--encoding", "cp1251"], 3,
     "calls.csv as the encoding named, cp1251 (line 4: byte 0x98)"),
])
def test_an_encoding_that_does_not_fit_is_a_clear_error(
        tmp_path: Path, data: bytes, options: list[str], code: int, message: str) -> None:
    got, said, out = _import(tmp_path, data, "calls.csv", MAPPING, *options)
    assert got == code and message in said, said
    assert not (out / "contacts.parquet").exists()


def test_a_damaged_byte_in_utf8_text_leaves_out_its_line_alone(tmp_path: Path) -> None:
    """Valid Cyrillic letters around one damaged byte: UTF-8 with damage, not another
    encoding — the line is left out and counted, with the hint, the others imported."""
    data = CALLS.encode("utf-8").replace(b"Sales", b"Sa\xffles")
    code, said, out = _import(tmp_path, data)
    assert code == 0, said
    assert "1 a line the CSV reader could not split: invalid encoding" in said
    assert "name its encoding with --encoding" in said
    assert _rows(out) == EXPECTED[:2]


def test_a_utf8_file_with_its_mark_named_utf8(tmp_path: Path) -> None:
    code, said, out = _import(tmp_path, CALLS.encode("utf-8-sig"), "calls.csv", MAPPING,
                              "--encoding", "utf-8")
    assert code == 0, said
    assert _rows(out) == EXPECTED


NAMES = st.text(st.sampled_from("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВЇЄabcXYZ 019-"),
                min_size=1, max_size=12).map(str.strip).filter(bool)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(queues=st.lists(NAMES, min_size=1, max_size=6),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251", "koi8-u"]))
def test_any_encoding_named_or_marked_gives_the_utf8_rows(
        tmp_path_factory: pytest.TempPathFactory, queues: list[str], encoding: str) -> None:
    tmp_path = tmp_path_factory.mktemp("enc")
    text = "id,queue,t\n" + "".join(f"{i},{q},2024-03-05 12:{i:02}:00\n"
                                    for i, q in enumerate(queues))
    marked = encoding in ("utf-8", "utf-8-sig", "utf-16")  # no option needed
    options = [] if marked else ["--encoding", encoding]
    code, said, out = _import(tmp_path, text.encode(encoding), "calls.csv", MAPPING, *options)
    assert code == 0, said
    assert _rows(out) == [(str(i), q) for i, q in enumerate(queues)]


def test_the_queue_log_import_takes_the_encoding_too(tmp_path: Path) -> None:
    """It was refused ("Asterisk writes queue_log in UTF-8") while a realtime export of
    the queue_log table can be cp1251: its names were read as �, agents merged (the
    whole story in test_queue_log_encoding.py)."""
    log = tmp_path / "queue_log"
    log.write_bytes("1709629200|1709629200.1|Продажі|NONE|ENTERQUEUE||5551234|1\n"
                    .encode("cp1251"))
    result = CliRunner().invoke(app, ["import", "asterisk-queue-log", str(log), "--out",
                                      str(tmp_path / "out"), "--encoding", "cp1251"])
    assert result.exit_code == 0 and "1 call(s) still open" in result.output, result.output
    opened = (tmp_path / "out" / ".live" / "queue_log-open.jsonl").read_text("utf-8")
    assert json.loads(opened)["row"]["queue"] == "Продажі"


def test_a_line_left_out_of_a_named_encoding_names_the_file_given(tmp_path: Path) -> None:
    """The reader reads a UTF-8 copy; the summary and rejects.csv name the user's file."""
    more = "".join(f"{n},Продажі,2024-03-05 13:{n:02}:00\r\n" for n in range(10))
    data = (CALLS + more + "d,Продажі,2024-03-05 12:09:00,an extra field\r\n"
            ).encode("cp1251")
    code, said, out = _import(tmp_path, data, "calls.csv", MAPPING, "--encoding", "cp1251")
    assert code == 0, said
    given = str(tmp_path / "calls.csv")
    assert f"too many columns (first {given} line 15" in said
    rejects = (out / "rejects.csv").read_text(encoding="utf-8")
    assert f"{given},15," in rejects and "omnikpi-import-" not in rejects
    assert _rows(out)[:3] == EXPECTED and len(_rows(out)) == 13
