"""The validation cache: same numbers and problems as a full pass, invalidated by any change."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest

import omnikpi
from omnikpi.schema import validation_cache
from omnikpi.schema.dataset import Dataset, load_dataset

from ..builders import call, dataset

METRICS = ["offered", "answered", "abandoned", "abandon_rate", "asa", "aht", "occupancy"]
AS_OF = "2024-03-05T12:00:00Z"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("OMNIKPI_CACHE_DIR", str(folder))
    monkeypatch.setenv("OMNIKPI_CACHE_MIN_BYTES", "0")
    monkeypatch.delenv("OMNIKPI_CACHE", raising=False)
    # the files of a test are seconds old at most: accept them (the default guards against
    # coarse file-system clocks; test_fresh_files_are_not_cached checks it)
    monkeypatch.setattr(validation_cache, "RACY_NS", 0)
    return folder


def contacts_with_problems() -> list[dict[str, Any]]:
    return [
        call("a", "2024-03-05T10:00:00", answered="2024-03-05T10:00:10",
             ended="2024-03-05T10:02:00", agent_id="ag1", acw_seconds=30),
        call("a", "2024-03-05T10:05:00", answered="2024-03-05T10:05:20",
             ended="2024-03-05T10:06:00", agent_id="ag1"),  # duplicate id: quarantined
        call("b", "2024-03-05T10:10:00", abandoned="2024-03-05T10:10:30"),
        call("c", "2024-03-05T10:20:00", answered="2024-03-05T10:19:00",
             ended="2024-03-05T10:25:00", agent_id="ag1"),  # answered before arrival
        call("d", "2024-03-05T10:30:00", answered="2024-03-05T10:30:30",
             ended="2024-03-05T10:33:30", agent_id="ag2", acw_seconds=15, queue=" q1 "),
    ]


def agent_states() -> list[dict[str, Any]]:
    return [
        {"agent_id": "ag1", "state": "available", "start": "2024-03-05T09:00:00",
         "end": "2024-03-05T10:00:00"},
        {"agent_id": "ag1", "state": "handling", "start": "2024-03-05T10:00:00",
         "end": "2024-03-05T10:30:00"},
        {"agent_id": "ag1", "state": "available", "start": "2024-03-05T10:20:00",
         "end": "2024-03-05T11:00:00"},  # overlaps the handling block: quarantined
        {"agent_id": "ag2", "state": "handling", "start": "2024-03-05T10:30:00",
         "end": "2024-03-05T10:45:00"},
    ]


def to_parquet(source: Path, target: Path) -> Path:
    target.mkdir()
    con = duckdb.connect()
    for csv in source.glob("*.csv"):
        con.execute(f"COPY (SELECT * FROM read_csv('{csv}', header = true)) "
                    f"TO '{target / csv.stem}.parquet' (FORMAT parquet)")
    return target


def report(data: Dataset) -> list[dict[str, Any]]:
    return omnikpi.report_result(data, metrics=METRICS, as_of=AS_OF).rows


EXPECTED = [{
    # a (answered, 10 s wait, 110 s + 30 s ACW), b (abandoned), d (answered, 30 s wait,
    # 180 s + 15 s ACW); the duplicate a and the reversed c are quarantined
    "offered": 3, "answered": 2, "abandoned": 1, "abandon_rate": 1 / 3,
    "asa": 20.0, "aht": 167.5,
    # handling 10:00–10:30 (ag1) and 10:30–10:45 (ag2) over available 09:00–10:00 (ag1)
    "occupancy": 2700 / 6300,
}]


@pytest.fixture(params=["csv", "parquet"])
def folder(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    data = dataset(tmp_path / "csv", contacts=contacts_with_problems(),
                   agent_states=agent_states())
    return data if request.param == "csv" else to_parquet(data, tmp_path / "parquet")


def test_cached_load_gives_the_same_numbers_and_problems(folder: Path) -> None:
    first = load_dataset(folder)
    assert not first.from_cache
    second = load_dataset(folder)
    assert second.from_cache
    assert report(first) == report(second) == EXPECTED
    assert second.quarantined == first.quarantined == 3
    assert second.loads["contacts"].rows_read == 5
    assert second.loads["contacts"].rows_loaded == 3
    # c breaks two rules (accepted_at and first_response_at before arrived_at)
    assert second.problem_count == first.problem_count == 4
    assert [str(p) for p in second.problems] == [str(p) for p in first.problems]
    assert any("duplicate contact_id 'a'" in str(p) for p in second.problems)
    assert any("first_response_at is before arrived_at" in str(p) for p in second.problems)
    assert any("overlaps an earlier agent_states row" in str(p) for p in second.problems)
    # the quarantined rows are not in the tables the engine reads
    ids = sorted(r[0] for r in second.con.execute("SELECT contact_id FROM contacts").fetchall())
    assert ids == ["a", "b", "d"]
    assert second.con.execute("SELECT count(*) FROM agent_states").fetchone() == (3,)
    # queue ' q1 ' is trimmed on the cached path too
    assert second.con.execute("SELECT DISTINCT queue FROM contacts").fetchall() == [("q1",)]


def test_a_changed_file_invalidates_the_cache(folder: Path, tmp_path: Path) -> None:
    load_dataset(folder)
    assert load_dataset(folder).from_cache
    more = [*contacts_with_problems(),
            call("e", "2024-03-05T10:40:00", abandoned="2024-03-05T10:41:00")]
    new = dataset(tmp_path / "new", contacts=more)
    contacts = next(folder.glob("contacts.*"))
    if contacts.suffix == ".parquet":
        new = to_parquet(new, tmp_path / "new-parquet")
    os.replace(next(new.glob("contacts.*")), contacts)
    changed = load_dataset(folder)
    assert not changed.from_cache
    rows = report(changed)
    assert (rows[0]["offered"], rows[0]["abandoned"]) == (4, 2)
    assert load_dataset(folder).from_cache
    assert report(load_dataset(folder)) == rows


def test_same_size_and_content_with_a_new_timestamp_is_revalidated(folder: Path) -> None:
    load_dataset(folder)
    contacts = next(folder.glob("contacts.*"))
    st = contacts.stat()
    os.utime(contacts, ns=(st.st_atime_ns, st.st_mtime_ns - 5_000_000_000))
    again = load_dataset(folder)
    assert not again.from_cache
    assert report(again) == EXPECTED


def test_added_file_invalidates_the_cache(folder: Path) -> None:
    load_dataset(folder)
    (folder / "shifts.csv").write_text(
        "agent_id,start,end\nag1,2024-03-05T09:00:00,2024-03-05T17:00:00\n")
    data = load_dataset(folder)
    assert not data.from_cache
    assert data.has("shifts")


def test_bad_rows_of_a_later_file_stay_out(tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    (folder / "contacts").mkdir(parents=True)
    rows = contacts_with_problems()
    dataset(tmp_path / "p1", contacts=rows[:2])
    dataset(tmp_path / "p2", contacts=rows[2:])
    con = duckdb.connect()
    for i in (1, 2):
        con.execute(f"COPY (SELECT * FROM read_csv('{tmp_path}/p{i}/contacts.csv', "
                    f"header = true)) TO '{folder}/contacts/part-{i}.parquet' (FORMAT parquet)")
    first = load_dataset(folder)
    second = load_dataset(folder)
    assert second.from_cache
    expected = [{"queue": "q1", "offered": 3, "answered": 2, "abandoned": 1,
                 "abandon_rate": 1 / 3}]
    for data in (first, second):
        assert omnikpi.report_result(data, metrics=METRICS[:4], by=["queue"],
                                     as_of=AS_OF).rows == expected
        assert data.quarantined == 2


def test_the_cache_can_be_turned_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_dataset(folder)
    assert not load_dataset(folder, cache=False).from_cache
    monkeypatch.setenv("OMNIKPI_CACHE", "off")
    data = load_dataset(folder)
    assert not data.from_cache
    assert report(data) == EXPECTED


def test_fresh_files_are_not_cached(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation_cache, "RACY_NS", 3600 * 10**9)
    load_dataset(folder)
    assert not load_dataset(folder).from_cache


def test_small_datasets_are_not_cached(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIKPI_CACHE_MIN_BYTES", str(10**9))
    load_dataset(folder)
    assert not load_dataset(folder).from_cache


def test_a_damaged_entry_is_ignored(folder: Path, cache_dir: Path) -> None:
    load_dataset(folder)
    for entry in (cache_dir / "validation").glob("*.json"):
        entry.write_text("{not json")
    data = load_dataset(folder)
    assert not data.from_cache
    assert report(data) == EXPECTED
    assert load_dataset(folder).from_cache


def test_no_cache_switch_does_not_leak_into_the_process() -> None:
    """``--no-cache`` turns the cache off for that command's load only: it once set
    OMNIKPI_CACHE=off in the environment, and every later load in the same process (a
    notebook, a test run) silently stopped using the cache."""
    import os

    from typer.testing import CliRunner

    from omnikpi.cli.main import app

    from ..conftest import SPEC_EXAMPLES

    before = os.environ.get("OMNIKPI_CACHE")
    for command in (["report", "--metrics", "offered"], ["validate"]):
        result = CliRunner().invoke(app, [*command, "--data",
                                          str(SPEC_EXAMPLES / "voice_basic"), "--no-cache"])
        assert result.exit_code == 0, result.output
        assert os.environ.get("OMNIKPI_CACHE") == before
