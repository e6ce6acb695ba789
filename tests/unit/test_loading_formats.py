"""The same dataset as CSV, JSON Lines, Parquet (in memory or streamed) gives the same KPIs."""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import omnikpi
from omnikpi.schema.dataset import load_dataset
from omnikpi.schema.validation_cache import RACY_NS

from ..builders import call, dataset
from ..conftest import SPEC_EXAMPLES

METRICS = ["offered", "answered", "abandon_rate", "service_level", "asa", "aht", "occupancy"]


def convert(source: Path, target: Path, fmt: str) -> Path:
    target.mkdir()
    con = duckdb.connect()
    for csv in source.glob("*.csv"):
        relation = f"read_csv('{csv}', header = true, all_varchar = true)"
        if fmt == "parquet":
            # typed columns, as a platform export would have them
            relation = f"read_csv('{csv}', header = true)"
            con.execute(f"COPY (SELECT * FROM {relation}) TO '{target / csv.stem}.parquet' "
                        "(FORMAT parquet)")
        else:
            con.execute(f"COPY (SELECT * FROM {relation}) TO '{target / csv.stem}.jsonl' "
                        "(FORMAT json)")
    return target


def rows(folder: Path) -> list[dict[str, object]]:
    return omnikpi.report_result(folder, metrics=METRICS, by=["agent_id"], grain="30min",
                                 as_of="2024-03-05T11:00:00Z").rows


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_formats_agree(tmp_path: Path, fmt: str) -> None:
    source = SPEC_EXAMPLES / "voice_basic"
    assert rows(convert(source, tmp_path / fmt, fmt)) == rows(source)


def test_streamed_parquet_agrees_and_still_quarantines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = dataset(tmp_path / "csv", contacts=[
        call("a", "2024-03-05T10:00:00", answered="2024-03-05T10:00:10",
             ended="2024-03-05T10:01:00"),
        call("a", "2024-03-05T10:00:00"),
        call("b", "2024-03-05T10:00:00", abandoned="2024-03-05T10:00:30"),
    ])
    parquet = convert(data, tmp_path / "parquet", "parquet")
    in_memory = omnikpi.report_result(parquet, metrics=["offered", "abandon_rate"]).rows
    monkeypatch.setenv("OMNIKPI_STREAM_BYTES", "0")
    streamed = load_dataset(parquet)
    assert streamed.loads["contacts"].quarantined == 1
    assert "duplicate contact_id 'a'" in str(streamed.problems[0])
    assert omnikpi.report_result(streamed, metrics=["offered", "abandon_rate"]).rows == (
        in_memory) == [{"offered": 2, "abandon_rate": 0.5}]


def test_folder_per_table_is_read_as_one_table(tmp_path: Path) -> None:
    source = SPEC_EXAMPLES / "voice_basic"
    target = tmp_path / "split"
    (target / "contacts").mkdir(parents=True)
    shutil.copy(source / "agent_states.csv", target / "agent_states.csv")
    lines = (source / "contacts.csv").read_text().splitlines()
    (target / "contacts" / "part-1.csv").write_text("\n".join(lines[:12]) + "\n")
    (target / "contacts" / "part-2.csv").write_text("\n".join([lines[0], *lines[12:]]) + "\n")
    assert rows(target) == rows(source)


def test_json_lines_whose_ids_mix_text_and_numbers_keep_their_values(tmp_path: Path) -> None:
    """An export writes one contact's id as text and another's as a number: DuckDB types
    such a field JSON, whose text keeps a string's quotes. The ids must read ``c1`` and
    ``2`` (a quoted ``"c1"`` would join no survey or message of c1), and a valid ISO
    instant in a field that mixes kinds must load (only the epoch number is refused)."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "contacts.jsonl").write_text(
        '{"contact_id": "c1", "channel": "chat", "queue": "q", '
        '"arrived_at": "2024-03-05T10:00:00Z", "first_response_at": "2024-03-05T10:00:30Z"}\n'
        '{"contact_id": 2, "channel": "chat", "queue": "q", "arrived_at": 1709632800}\n'
        '{"contact_id": "c3", "channel": "chat", "queue": "q", '
        '"arrived_at": "2024-03-05T11:00:00Z"}\n')
    (folder / "surveys.csv").write_text(
        "contact_id,survey,score,scale_min,scale_max,answered_at\n"
        "c1,csat,5,1,5,2024-03-05T10:10:00Z\n")
    for cache in (False, True, True):  # a full pass, the pass that fills the cache, a hit
        loaded = load_dataset(folder, cache=cache)
        ids = sorted(r[0] for r in loaded.con.execute("SELECT contact_id FROM contacts")
                     .fetchall())
        assert ids == ["c1", "c3"]
        assert [str(p) for p in loaded.problems] == [
            "contacts.jsonl row 2: column arrived_at: cannot read '1709632800' as timestamp "
            "(ISO 8601 expected, e.g. 2024-03-05T10:00:00Z)"]
        loaded.close()
    row = omnikpi.report_result(folder, metrics=["offered", "answered", "asa"]).rows[0]
    assert row == {"offered": 2, "answered": 1, "asa": 30.0}
    # the survey of c1 finds its contact's queue (a quoted id would leave it without one)
    by_queue = omnikpi.report_result(folder, metrics=["csat"], by=["queue"]).rows
    assert by_queue == [{"queue": "q", "csat": 1.0}]


def test_a_required_column_written_in_another_case_is_named(tmp_path: Path) -> None:
    """``Contact_ID`` is not ``contact_id`` (names are exact): the problem says which
    column of the file was meant, instead of only "missing"."""
    folder = tmp_path / "cased"
    folder.mkdir()
    (folder / "contacts.csv").write_text(
        "Contact_ID,channel,QUEUE,arrived_at\nc1,voice,q1,2024-03-05T10:00:00Z\n")
    loaded = load_dataset(folder, cache=False)
    assert [str(p) for p in loaded.problems] == [
        "contacts.csv: column contact_id: required column is missing (the file has "
        "'Contact_ID': column names are exact, lower case)",
        "contacts.csv: column queue: required column is missing (the file has 'QUEUE': "
        "column names are exact, lower case)"]
    assert not loaded.loads["contacts"].usable
    loaded.close()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_channel_is_one_channel_whatever_its_case(tmp_path: Path, fmt: str) -> None:
    """Exports write ``Voice``, ``voice`` and ``CHAT``: the loader reads channels in lower
    case (the Parquet file, whose raw values decide its rules in one quick pass when they
    are canonical, takes the per-row pass here), so a cut by channel has one row per
    channel and a filter on ``chat`` finds the ``CHAT`` contact."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = {"contact_id": ["v1", "v2", "c1"], "channel": ["Voice", "voice", "CHAT"],
            "queue": ["q1", "q1", "q2"],
            "arrived_at": ["2024-03-05T10:00:00Z", "2024-03-05T10:01:00Z",
                           "2024-03-05T10:03:00Z"]}
    folder = tmp_path / fmt
    folder.mkdir()
    if fmt == "csv":
        (folder / "contacts.csv").write_text(
            "contact_id,channel,queue,arrived_at\n"
            + "".join(",".join(v) + "\n" for v in zip(*rows.values(), strict=True)))
    else:
        table = pa.table(rows)
        table = table.set_column(3, "arrived_at", pa.array(
            [datetime.fromisoformat(t) for t in rows["arrived_at"]], pa.timestamp("us")))
        pq.write_table(table, folder / "contacts.parquet")
    by_channel = omnikpi.report_result(folder, metrics=["offered"], by=["channel"]).rows
    assert by_channel == [{"channel": "chat", "offered": 1}, {"channel": "voice", "offered": 2}]
    chat = omnikpi.report_result(folder, metrics=["offered"], where={"channel": ["chat"]})
    assert chat.rows == [{"offered": 1}]


def test_a_semicolon_file_reads_decimal_commas(tmp_path: Path) -> None:
    """Excel where the comma is the decimal sign writes ``;`` between fields and ``12,5``
    for a number: there the comma can only be a decimal comma. AHT by hand: c1 talks
    10:00:10–10:05:00 (290 s) + 12.5 s hold counted in the talk + 30 s ACW = 320 s; c2
    talks 170 s + 7.25 s ACW = 177.25 s; mean 248.625 s. In a comma-separated file a
    quoted ``"1,234"`` may be a thousands separator: it stays unreadable, with its row."""
    semi = tmp_path / "semi"
    semi.mkdir()
    (semi / "contacts.csv").write_text(
        "contact_id;channel;queue;arrived_at;first_response_at;ended_at;hold_seconds;"
        "acw_seconds\n"
        "c1;voice;q1;2024-03-05 10:00:00;2024-03-05 10:00:10;2024-03-05 10:05:00;12,5;30\n"
        "c2;voice;q1;2024-03-05 10:01:00;2024-03-05 10:01:10;2024-03-05 10:04:00;0;7,25\n")
    loaded = load_dataset(semi, cache=False)
    assert loaded.problems == []
    assert loaded.con.execute("SELECT contact_id, hold_seconds, acw_seconds FROM contacts "
                              "ORDER BY 1").fetchall() == [("c1", 12.5, 30.0), ("c2", 0.0, 7.25)]
    loaded.close()
    assert omnikpi.report_result(semi, metrics=["aht"]).rows == [{"aht": 248.625}]
    comma = tmp_path / "comma"
    comma.mkdir()
    (comma / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,acw_seconds\n"
        'c1,voice,q1,2024-03-05 10:00:00,"1,234"\n')
    loaded = load_dataset(comma, cache=False)
    assert [str(p) for p in loaded.problems] == [
        "contacts.csv line 2 (row 1): column acw_seconds: cannot read '1,234' as float "
        "(a number expected, e.g. 12.5)"]
    loaded.close()


def test_json_lines_saved_by_a_windows_tool_load(tmp_path: Path) -> None:
    """A byte-order mark and CRLF line ends: DuckDB refuses the mark ("BOM is not
    supported") and the whole file was unusable, its message naming a temporary copy."""
    folder = tmp_path / "bom"
    folder.mkdir()
    (folder / "contacts.jsonl").write_bytes(
        b"\xef\xbb\xbf" + b"".join(
            f'{{"contact_id": "c{i}", "channel": "chat", "queue": "q", '
            f'"arrived_at": "2024-03-05T10:0{i}:00Z"}}\r\n'.encode() for i in range(3)))
    loaded = load_dataset(folder, cache=False)
    assert loaded.problems == []
    assert loaded.loads["contacts"].rows_loaded == 3
    loaded.close()


def test_an_agent_state_without_an_end_says_why_it_may_have_none(tmp_path: Path) -> None:
    """An export taken while agents work ends each one's current state without an end:
    the row is quarantined (intervals must be closed) and its problem says so."""
    folder = tmp_path / "open"
    folder.mkdir()
    (folder / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at\nc1,voice,q1,2024-03-05T10:00:00Z\n")
    (folder / "agent_states.csv").write_text(
        "agent_id,state,start,end\n"
        "a1,available,2024-03-05T10:00:00Z,2024-03-05T11:00:00Z\n"
        "a1,handling,2024-03-05T11:00:00Z,\n")
    loaded = load_dataset(folder, cache=False)
    assert [str(p) for p in loaded.problems] == [
        "agent_states.csv line 3 (row 2): column end: missing value (the column is "
        "required; a state still going on when the file was exported has no end yet: "
        "export closed intervals, cut at the export time)"]
    assert loaded.loads["agent_states"].rows_loaded == 1
    loaded.close()


@pytest.mark.parametrize("packed", [False, True])
def test_a_csv_with_lines_ending_two_ways_is_read_whole(tmp_path: Path, packed: bool) -> None:
    """Three rows ending in LF, then one added by a Windows tool ending in CRLF with a
    value in its last column (a recording link): DuckDB's reader could not tell the
    format and the whole table read as unusable (every figure gone, every recording
    404). All four rows count, the last value without its CR, and a note says why."""
    import gzip

    header = ("contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at,"
              "recording_uri")
    lines = [f"c{i},voice,q1,2024-03-05T10:0{i}:00Z,2024-03-05T10:0{i}:10Z,"
             f"2024-03-05T10:0{i}:10Z,2024-03-05T10:0{i}:50Z," for i in range(3)]
    text = (header + "\n" + "\n".join(lines) + "\n"
            + "c3,voice,q1,2024-03-05T10:05:00Z,,,,x.wav\r\n")
    folder = tmp_path / "mixed"
    folder.mkdir()
    if packed:
        (folder / "contacts.csv.gz").write_bytes(gzip.compress(text.encode()))
    else:
        (folder / "contacts.csv").write_bytes(text.encode())
    loaded = load_dataset(folder)
    assert loaded.loads["contacts"].rows_loaded == 4
    assert loaded.con.execute("SELECT recording_uri FROM contacts WHERE contact_id = 'c3'"
                              ).fetchone() == ("x.wav",)
    assert [p.message for p in loaded.problems] == [
        "its lines end in more than one way (CRLF, LF or a CR alone, as when rows are "
        "added by another tool): read line by line all the same"]
    assert omnikpi.report_result(folder, metrics=["offered", "answered"]).rows == [
        {"offered": 4, "answered": 3}]


@given(st.lists(st.tuples(st.text("ab,\r", max_size=5), st.sampled_from(["\n", "\r\n"])),
                max_size=8), st.integers(1, 4))
@settings(max_examples=150, deadline=None)
def test_line_ends_are_told_and_made_one_across_read_boundaries(
        tmp_path_factory: pytest.TempPathFactory, lines: list[tuple[str, str]],
        chunk: int) -> None:
    """Read in chunks of 1–4 bytes, a CR and its LF split between two reads are one line
    end; a CR no LF follows is a line end of its own (an old Mac's); the copy has LF
    where the file had CRLF or a CR alone, nothing else changed."""
    import re

    from omnikpi.schema import files
    from omnikpi.schema.files import Reading, TableFile

    text = "".join(body + end for body, end in lines).encode()
    path = tmp_path_factory.mktemp("ends") / "contacts.csv"
    path.write_bytes(text)
    pairs = text.count(b"\r\n")
    kinds = [n for n in (pairs, text.count(b"\n") - pairs, text.count(b"\r") - pairs) if n]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "LINE_END_CHUNK", chunk)
        assert files._mixed_line_ends(path) == (len(kinds) > 1)
        reading = Reading(TableFile("contacts", path, "csv"))
        files._copy_with_lf(reading)
        assert reading.copy is not None
        assert reading.copy.read_bytes() == re.sub(rb"\r\n?", b"\n", text)
        reading.close()


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_stray_quote_leaves_its_line_out_and_quoted_notes_after_it_read(
        tmp_path: Path, delimiter: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An agent's note typed ``"screen broken`` with no closing quote made DuckDB's sniffer
    give up quoting for the whole file: the stray line was loaded (its note with the
    quote), a valid two-line note after it was cut to ``"two`` with its second line
    rejected, and a valid note with a quoted comma rejected as one field too many. Now
    that line alone is quarantined with its reason (line 3, row 2), every other row is
    read as written, and a load from the validation cache agrees without scanning the
    file's quotes again (the cache keeps the lines left out: a hit walked every quoted
    line in Python on every report)."""
    from omnikpi.schema import files

    def no_scan(*_: object) -> list[tuple[int, int]]:
        raise AssertionError("a cache hit scanned the file again")

    header = ["contact_id", "channel", "queue", "arrived_at", "accepted_at", "ended_at",
              "outcome"]

    def row(n: int, note: str) -> str:
        return delimiter.join([f"c{n}", "voice", "q1", f"2024-03-05 10:0{n}:00",
                               f"2024-03-05 10:0{n}:10", f"2024-03-05 10:0{n}:50", note])

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "contacts.csv").write_text("\n".join([
        delimiter.join(header), row(1, "ok"), row(2, '"screen broken'),
        row(3, '"two\nlines"'), row(4, f'"quoted{delimiter} with separator"'),
        row(5, "done")]) + "\n")
    def check(cache: bool) -> None:
        loaded = load_dataset(folder, cache=cache)
        assert [(p.row, p.message) for p in loaded.problems] == [
            (2, "a field opens a quote that no quote of its record closes (a stray quote): "
                "the line left out")]
        assert str(loaded.problems[0]).startswith("contacts.csv line 3 (row 2)")
        assert sorted(loaded.con.execute("SELECT contact_id, outcome FROM contacts"
                                         ).fetchall()) == [
            ("c1", "ok"), ("c3", "two\nlines"), ("c4", f"quoted{delimiter} with separator"),
            ("c5", "done")]
        assert loaded.loads["contacts"].rows_loaded == 4
        loaded.close()

    monkeypatch.setenv("OMNIKPI_CACHE_MIN_BYTES", "0")  # a small file is cached too
    time.sleep(RACY_NS / 1e9 + 0.2)  # files changed just now are never cached
    check(cache=False)  # a full pass
    check(cache=True)   # the pass that fills the cache
    monkeypatch.setattr(files, "stray_quote_records", no_scan)
    check(cache=True)   # a hit: the cache says which lines to leave out


def test_json_lines_objects_and_lists_in_text_columns_are_unreadable(tmp_path: Path) -> None:
    """An export nests a contact's queue (``{"id": "q9", "name": "Billing"}``) in one line,
    lists two queues in another, and writes the agent as an object in every line that
    has one (DuckDB then reads that field as a struct). Each was kept as its JSON text —
    a queue named ``{"id":"q9","name":"Billing"}`` counted as one more queue. Each is an
    unreadable value now, its row quarantined and the value shown as written; the
    full pass, the pass that fills the cache and a cache hit agree."""
    folder = tmp_path / "nested"
    folder.mkdir()
    stamps = '"arrived_at": "2024-03-05T10:00:00Z", "ended_at": "2024-03-05T10:05:00Z"'
    (folder / "contacts.jsonl").write_text(
        f'{{"contact_id": "c1", "channel": "chat", "queue": "q1", {stamps}}}\n'
        f'{{"contact_id": "c2", "channel": "chat", "queue": {{"id": "q9", "name": "Billing"}},'
        f' {stamps}}}\n'
        f'{{"contact_id": "c3", "channel": "chat", "queue": ["q1", "q2"], {stamps}, '
        f'"agent_id": {{"x": 1}}}}\n')
    expected = " as string (a text or a number expected, not an object or a list: import " \
        "the export with a mapping that names the field inside it, see docs/connectors.md)"
    for cache in (False, True, True):
        loaded = load_dataset(folder, cache=cache)
        assert [str(p) for p in loaded.problems] == [
            "contacts.jsonl row 2: column queue: cannot read "
            f"'{{\"id\":\"q9\",\"name\":\"Billing\"}}'{expected}",
            f"contacts.jsonl row 3: column queue: cannot read '[\"q1\",\"q2\"]'{expected}",
            f"contacts.jsonl row 3: column agent_id: cannot read '{{\"x\":1}}'{expected}"]
        assert loaded.con.execute("SELECT contact_id, queue FROM contacts").fetchall() == [
            ("c1", "q1")]
        loaded.close()


def test_a_quoted_line_break_past_the_sniffers_sample_is_one_row(tmp_path: Path) -> None:
    """60,000 rows without a quote, then one whose topic is quoted over two lines: DuckDB's
    sniffer saw no quote in its sample and read without one, so the row was cut in two —
    topic '"a' loaded and a problem "row has 1 fields" for the rest. Read with the CSV
    rules' quote, the row is whole and nothing is quarantined."""
    lines = ["contact_id,channel,queue,arrived_at,topic"]
    lines += [f"c{i},voice,q,2024-03-05T10:00:00Z,t" for i in range(60_000)]
    (tmp_path / "contacts.csv").write_text(
        "\n".join(lines) + '\nlast,voice,q,2024-03-05T11:00:00Z,"a\nb"\n', encoding="utf-8")
    loaded = load_dataset(tmp_path)
    assert loaded.problem_count == 0, loaded.problems[:3]
    assert loaded.con.execute("SELECT count(*), max(topic) FILTER (WHERE contact_id = "
                              "'last') FROM contacts").fetchone() == (60_001, "a\nb")


def test_a_backslash_escaped_quote_still_reads(tmp_path: Path) -> None:
    """MySQL's INTO OUTFILE and PHP write a quote inside a quoted field as ``\\"``: the
    quote is the CSV rules' own, the escape still the one the file uses (forced to
    ``""``, the file read as one column and every required column missing)."""
    (tmp_path / "contacts.csv").write_text(
        'contact_id,channel,queue,arrived_at,topic\n'
        'c1,voice,q,2024-03-05T10:00:00Z,"say \\"hi\\""\n', encoding="utf-8")
    loaded = load_dataset(tmp_path)
    assert loaded.problem_count == 0, loaded.problems[:3]
    assert loaded.con.execute("SELECT topic FROM contacts").fetchone() == ('say "hi"',)


def test_a_lone_cr_among_lf_line_ends_is_a_line_end(tmp_path: Path) -> None:
    """A dataset file whose lines end in LF, two of them in a CR alone (a part saved by an
    old Mac): "cannot be read as csv: Error when sniffing file", the dataset unusable,
    where `omnikpi import csv` read the same bytes. Each lone CR is a line end: four rows,
    numbered as the lines are."""
    (tmp_path / "contacts.csv").write_bytes(
        b"contact_id,channel,queue,arrived_at\n"
        b"c1,voice,q,2024-03-05T10:00:00Z\r"
        b"c2,voice,q,2024-03-05T10:01:00Z\n"
        b"c3,voice,q,2024-03-05T10:02:00Z\r"
        b"c4,voice,q,not a time\n")
    loaded = load_dataset(tmp_path)
    assert loaded.usable
    assert loaded.con.execute("SELECT list(contact_id ORDER BY contact_id) FROM contacts"
                              ).fetchone() == (["c1", "c2", "c3"],)
    assert [(p.row, p.column) for p in loaded.problems if p.row] == [(4, "arrived_at")]
