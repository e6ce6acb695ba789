"""Rollups: a report read from the stored sums equals the same report read from the
contacts, for every metric, on random data (hypothesis), after appending or changing a day,
and on a DST day; a refresh computes only the days a new or changed file touches."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import omnikpi
from omnikpi.config import Config
from omnikpi.engine.rollups import read_manifest
from omnikpi.engine.run import plan_report
from omnikpi.rollup import refresh
from omnikpi.rollup.background import RollupWatcher
from omnikpi.schema import validation_cache
from omnikpi.schema.dataset import Dataset, load_dataset
from omnikpi.schema.model import FileScope

from ..builders import dataset, write_table
from .test_report_properties import contact as six_hour_contact
from .test_report_properties import rows_of

# every additive contact metric (the rollup's), and two that are not (read directly)
ROLLED = ["received", "offered", "answered", "abandoned", "handled", "transferred",
          "short_abandoned", "blocked_rate", "service_level", "asa", "avg_wait", "max_wait",
          "avg_abandon_time", "abandon_rate", "avg_time_late", "a1rt", "avg_queue_time",
          "avg_pickup_time", "aht", "avg_talk_time", "avg_hold_time", "avg_acw_time",
          "transfer_rate", "resolution_rate", "resolution_time", "resolved_within",
          "cross_sell_rate"]
DIRECT = ["fcr"]


@contextlib.contextmanager
def rollups(on: bool) -> Iterator[None]:
    before = os.environ.get("OMNIKPI_ROLLUPS")
    os.environ["OMNIKPI_ROLLUPS"] = "on" if on else "off"
    try:
        yield
    finally:
        if before is None:
            del os.environ["OMNIKPI_ROLLUPS"]
        else:
            os.environ["OMNIKPI_ROLLUPS"] = before


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return bool(a == b)


def both(data: Dataset, expect_rollup: bool = True, **request: Any) -> list[dict[str, Any]]:
    """The report read directly and from the rollup: the same rows, or fail."""
    with rollups(False):
        direct = plan_report(data, **request)
        assert "__rollup_sums" not in direct.sql()
        expected = direct.run().rows
    with rollups(True):
        plan = plan_report(data, **request)
        assert ("__rollup_sums" in plan.sql()) is expect_rollup, request
        got = plan.run().rows
    assert len(got) == len(expected), request
    for g, e in zip(got, expected, strict=True):
        assert g.keys() == e.keys()
        bad = {k: (g[k], e[k]) for k in g if not same(g[k], e[k])}
        assert not bad, (request, bad)
    return got


# the report-property contacts (arrivals over 6 hours) spread over 3 days
contact = six_hour_contact.map(lambda c: {**c, "arrive": c["arrive"] * 12})


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(contact, min_size=1, max_size=40),
       zone=st.sampled_from(["UTC", "Europe/Kyiv", "America/St_Johns", "Asia/Kathmandu"]),
       grain=st.sampled_from(["total", "15min", "hour", "day", "week", "month"]),
       by=st.sampled_from([[], ["queue"], ["channel", "queue"], ["direction"]]))
def test_rollup_equals_direct_on_random_contacts(
        specs: list[dict[str, Any]], zone: str, grain: str, by: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = dataset(Path(tmp), contacts=rows_of(specs))
        data = load_dataset(folder)
        try:
            refresh(data, Config())
            both(data, metrics=ROLLED + DIRECT, by=by, grain=grain, tz=zone,
                 params={"fcr.window_hours": 24})
            # a window on quarter hours reads the rollup
            both(data, metrics=["offered", "service_level", "aht", "max_wait",
                                "avg_time_late"], by=by, grain=grain, tz=zone,
                 from_="2024-03-05T09:15:00+00:00", to="2024-03-07T00:00:00+00:00")
        finally:
            data.close()


def _day(day: int, n: int) -> list[dict[str, Any]]:
    """``n`` contacts of 2024-03-0<day>: answered, abandoned, answered, blocked, …"""
    rows = []
    for i in range(n):
        hour = 8 + i % 14
        at = f"2024-03-0{day}T{hour:02d}:{(7 * i) % 60:02d}:00+00:00"
        answered = f"2024-03-0{day}T{hour:02d}:{(7 * i) % 60:02d}:{10 + i % 40:02d}+00:00"
        kind = i % 4
        rows.append({
            "contact_id": f"d{day}-{i}", "channel": "voice", "queue": f"q{i % 3}",
            "arrived_at": at, "blocked": "true" if kind == 3 else "false",
            "accepted_at": answered if kind in (0, 2) else None,
            "first_response_at": answered if kind in (0, 2) else None,
            "abandoned_at": answered if kind == 1 else None,
            # a call answered at 20:xx ends the next day
            "ended_at": None if kind not in (0, 2) else (
                f"2024-03-0{day + 1}T00:05:00+00:00" if hour == 20
                else f"2024-03-0{day}T{hour:02d}:59:00+00:00"),
        })
    return rows


@pytest.fixture(scope="module")
def days(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("days")
    (folder / "contacts").mkdir()
    for day in (1, 2, 3):
        sub = folder / "contacts" / f"day=2024-03-0{day}"
        sub.mkdir()
        write_table(sub, "contacts", _day(day, 30))
    return folder


def test_a_new_day_refreshes_only_its_days(days: Path) -> None:
    data = load_dataset(days)
    first = refresh(data, Config())
    assert first.full and first.days == 4  # 1 to 3 March, and a call ending on the 4th
    assert first.open_rows == 0  # no contact is still waiting
    data.close()
    data = load_dataset(days)
    again = refresh(data, Config())
    assert again.days == 0 and not again.full  # nothing changed
    before = read_manifest(days / "_rollups")
    assert before is not None
    assert sorted(before.metrics) == sorted(ROLLED)  # every additive metric is compared
    data.close()

    sub = days / "contacts" / "day=2024-03-04"
    sub.mkdir()
    rows = _day(4, 12)
    rows.append({"contact_id": "waiting", "channel": "voice", "queue": "q0",
                 "arrived_at": "2024-03-04T23:50:00+00:00"})
    write_table(sub, "contacts", rows)
    data = load_dataset(days)
    try:
        step = refresh(data, Config())
        # the new file's day and one on each side: 3, 4 and 5 March; never 1 or 2
        assert (step.days, step.full, step.open_rows) == (3, False, 1)
        after = read_manifest(days / "_rollups")
        assert after is not None and after.generation == before.generation + 1
        assert after.as_of_us > before.as_of_us
        old_days = data.con.execute(
            f"SELECT count(*) FROM read_parquet('{days}/_rollups/{after.sums_file}') "
            "WHERE __day < 19785").fetchone()  # 19785: 2024-03-04
        assert old_days is not None and old_days[0] > 0
        rows_out = both(data, metrics=ROLLED + DIRECT, grain="day", tz="Europe/Kyiv",
                        params={"fcr.window_hours": 24})
        # hand count: offered = contacts not blocked (i % 4 != 3): 30 a day, 23 offered,
        # on 1-3 March, 12 on 4 March (9 offered); the waiting one arrived at 23:50 UTC,
        # 01:50 on 5 March in Kyiv
        assert [r["offered"] for r in rows_out] == [23, 23, 23, 9, 1]
        assert [r["received"] for r in rows_out] == [30, 30, 30, 12, 1]
        # a report as of before the latest event cannot read the rollup
        both(data, False, metrics=["offered", "service_level"],
             as_of="2024-03-03T12:00:00+00:00")
        # cut by agent: the rollup has no agents, the contacts are read; so is a window
        # off the quarter hours
        both(data, False, metrics=["offered"], by=["agent_id"])
        both(data, False, metrics=["offered", "aht"], grain="hour",
             from_="2024-03-02T09:10:00+00:00")
    finally:
        data.close()


def test_a_changed_day_is_computed_again(days: Path) -> None:
    data = load_dataset(days)
    refresh(data, Config())
    data.close()
    rows = _day(2, 10)  # 2 March, replaced by a smaller file
    write_table(days / "contacts" / "day=2024-03-02", "contacts", rows)
    data = load_dataset(days)
    try:
        step = refresh(data, Config())
        # the old file's days (2 March, and a call that ended on the 3rd) and the new
        # file's (2 March), one more on each side: 1 to 4 March
        assert (step.days, step.full) == (4, False)
        got = both(data, metrics=["received", "offered", "service_level", "aht"],
                   grain="day", tz="UTC")
        assert [r["received"] for r in got][:3] == [30, 10, 30]
    finally:
        data.close()


def test_dst_day_in_berlin(tmp_path: Path) -> None:
    """31 March 2024 in Berlin has 23 hours (02:00 CET → 03:00 CEST): the quarter-hour
    UTC buckets fall into the same local hours and days as the contacts themselves."""
    rows = []
    # every 20 minutes from 30 March 22:00 UTC to 31 March 02:00 UTC, answered in 15 s
    for i in range(13):
        minute = 22 * 60 + 20 * i
        day, hour, m = (30, minute // 60, minute % 60) if minute < 24 * 60 else (
            31, minute // 60 - 24, minute % 60)
        at = f"2024-03-{day}T{hour:02d}:{m:02d}:00+00:00"
        done = f"2024-03-{day}T{hour:02d}:{m:02d}:15+00:00"
        rows.append({"contact_id": f"x{i}", "channel": "voice", "queue": "q",
                     "arrived_at": at, "accepted_at": done, "first_response_at": done,
                     "ended_at": f"2024-03-{day}T{hour:02d}:{m + 5:02d}:00+00:00"})
    data = load_dataset(dataset(tmp_path, contacts=rows))
    try:
        refresh(data, Config())
        by_day = both(data, metrics=["offered", "service_level", "aht"], grain="day",
                      tz="Europe/Berlin")
        # local 30 March: 22:00 and 22:20, 22:40 UTC are 23:xx CET → 3 contacts; the rest
        # (23:00 UTC = 00:00 CET 31 March onwards) 10 contacts
        assert [(r["period_start"][:10], r["offered"]) for r in by_day] == [
            ("2024-03-30", 3), ("2024-03-31", 10)]
        by_hour = both(data, metrics=["offered"], grain="hour", tz="Europe/Berlin")
        hours = [r["period_start"] for r in by_hour]
        assert "2024-03-31T01:00:00+01:00" in hours and "2024-03-31T03:00:00+02:00" in hours
        assert not any(h.startswith("2024-03-31T02:") for h in hours)  # the missing hour
        assert sum(r["offered"] for r in by_hour) == 13
    finally:
        data.close()


def test_the_server_refreshes_each_dataset_it_loads(tmp_path: Path) -> None:
    for day in (1, 2):
        (tmp_path / "contacts" / f"day=2024-03-0{day}").mkdir(parents=True)
    write_table(tmp_path / "contacts" / "day=2024-03-01", "contacts", _day(1, 8))
    loaded = [load_dataset(tmp_path)]
    watcher = RollupWatcher(lambda: loaded[-1], Config(), interval_seconds=0.05)
    watcher.start()
    try:
        assert watcher.refreshed.wait(120)
        first = read_manifest(tmp_path / "_rollups")
        assert first is not None and list(first.files) == [
            "contacts/day=2024-03-01/contacts.csv"]
        watcher.refreshed.clear()
        write_table(tmp_path / "contacts" / "day=2024-03-02", "contacts", _day(2, 8))
        loaded.append(load_dataset(tmp_path))  # what the server does when files change
        assert watcher.refreshed.wait(120)
        second = read_manifest(tmp_path / "_rollups")
        assert second is not None and second.generation == first.generation + 1
        assert len(second.files) == 2
        both(loaded[-1], metrics=["offered", "service_level"], grain="day")
    finally:
        watcher.stop()
        watcher.join()
        for data in loaded:
            data.close()


@pytest.mark.parametrize("from_cache", [False, True], ids=["validated", "cached-verdict"])
def test_a_new_day_reads_only_the_files_of_its_days(
        tmp_path: Path, from_cache: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refresh of a new day reads the files whose instants touch the due days (with
    their day of margin), not the whole history, and still leaves out a duplicate of a
    contact in a file it does not read."""
    for day in range(1, 6):
        sub = tmp_path / "contacts" / f"day=2024-03-0{day}"
        sub.mkdir(parents=True)
        write_table(sub, "contacts", _day(day, 14))  # the 13th call ends after midnight
    monkeypatch.setenv("OMNIKPI_CACHE_MIN_BYTES", "0" if from_cache else str(2**40))
    monkeypatch.setattr(validation_cache, "RACY_NS", 0)  # files written a moment ago
    data = load_dataset(tmp_path)
    refresh(data, Config())
    data.close()
    sub = tmp_path / "contacts" / "day=2024-03-06"
    sub.mkdir()
    rows = _day(6, 8)
    repeat = {**_day(1, 1)[0], "arrived_at": "2024-03-06T10:00:00+00:00",
              "accepted_at": None, "first_response_at": None, "ended_at": None,
              "abandoned_at": "2024-03-06T10:00:30+00:00"}
    rows.append(repeat)  # "d1-0" again: quarantined, its first occurrence is on 1 March
    write_table(sub, "contacts", rows)
    if from_cache:
        load_dataset(tmp_path).close()  # validated once: the verdict is cached
    read: list[list[int]] = []
    sql = FileScope.sql
    monkeypatch.setattr(FileScope, "sql",
                        lambda self, files: read.append(sorted(files)) or sql(self, files))
    data = load_dataset(tmp_path)
    try:
        assert data.from_cache is from_cache
        assert any("duplicate contact_id 'd1-0'" in p.message for p in data.problems)
        step = refresh(data, Config())
        # due: 6 March's file touches the 6th, one day of margin each side (5th to 7th);
        # read: the files touching them with their margin: 3 March's touches the 3rd and
        # 4th (a call ending after midnight; margin to the 5th), 4 and 5 March's, 6 March's;
        # 1 and 2 March's files are not read
        assert (step.days, step.full) == (3, False)
        assert read == [[2, 3, 4, 5]]
        got = both(data, metrics=ROLLED, grain="day", tz="UTC")
        # 8 contacts on 6 March (i % 4 == 3 blocked: 2), the repeat left out; a call of
        # each earlier day ends on the next
        assert [r["received"] for r in got] == [14, 14, 14, 14, 14, 8]
        assert [r["offered"] for r in got][-1] == 6
    finally:
        data.close()


def test_the_rollup_command_builds_refreshes_and_says_so(tmp_path: Path) -> None:
    """``omnikpi rollup --data DIR`` end to end: a first build, a new day's refresh of its
    days only, then nothing to do."""
    from typer.testing import CliRunner

    from omnikpi.cli.main import app

    for day in (1, 2):
        (tmp_path / "contacts" / f"day=2024-03-0{day}").mkdir(parents=True)
    write_table(tmp_path / "contacts" / "day=2024-03-01", "contacts", _day(1, 8))
    runner = CliRunner()
    first = runner.invoke(app, ["rollup", "--data", str(tmp_path)])
    assert first.exit_code == 0, first.output
    # 1 March and nothing after: 8 calls, none ending after midnight
    assert "rollup built 1 UTC day(s)" in first.output
    write_table(tmp_path / "contacts" / "day=2024-03-02", "contacts", _day(2, 8))
    # a report before the refresh reads the contacts, and says why and what to run (it
    # fell back without a word: long reports slow, and nobody knew the cron had failed)
    report = ["report", "--data", str(tmp_path), "--metrics", "received", "--format",
              "json"]
    stale = runner.invoke(app, report)
    assert stale.exit_code == 0, stale.output
    said = " ".join(stale.output.split())
    assert "were built before the contacts files changed" in said
    assert "`omnikpi rollup --data" in said
    with pytest.warns(omnikpi.ReportNote, match="built before the contacts files changed"):
        omnikpi.report(tmp_path, metrics=["received"])
    second = runner.invoke(app, ["rollup", "--data", str(tmp_path)])
    assert second.exit_code == 0, second.output
    assert "rollup refreshed 3 UTC day(s)" in second.output  # 2 March and one each side
    third = runner.invoke(app, ["rollup", "--data", str(tmp_path)])
    assert "rollup up to date" in third.output, third.output
    fresh = runner.invoke(app, report)
    assert fresh.exit_code == 0 and "built before" not in fresh.output
    # built without a configuration, read with one: never read, and nothing said why
    config = tmp_path.parent / f"{tmp_path.name}.toml"
    config.write_text("[channels.voice]\nthreshold_seconds = 30\n")
    other = runner.invoke(app, [*report, "--config", str(config)])
    said = " ".join(other.output.split())
    assert other.exit_code == 0 and "were built with other settings" in said, said
    assert f"`omnikpi rollup --data {tmp_path} --config` with the same configuration" \
        in said
    missing = runner.invoke(app, ["rollup", "--data", str(tmp_path / "nowhere")])
    assert missing.exit_code != 0 and "not found" in missing.output


def _three_days(folder: Path) -> Path:
    (folder / "contacts").mkdir(parents=True)
    for day in (1, 2, 3):
        sub = folder / "contacts" / f"day=2024-03-0{day}"
        sub.mkdir()
        write_table(sub, "contacts", _day(day, 30))
    return folder


def _received(folder: Path) -> list[int]:
    data = load_dataset(folder)
    try:
        return [int(r["received"]) for r in plan_report(
            data, metrics=["received"], grain="day").run().rows]
    finally:
        data.close()


def test_a_file_replaced_with_the_same_size_and_time_is_seen(tmp_path: Path) -> None:
    """A file rewritten with other contacts of the same size, its modification time put
    back (``touch -r``, a copy that keeps times): the rollup kept the old sums."""
    folder = _three_days(tmp_path / "data")
    data = load_dataset(folder)
    refresh(data, Config())
    data.close()
    target = next((folder / "contacts" / "day=2024-03-02").iterdir())
    stat = target.stat()
    target.write_bytes(target.read_bytes().replace(b"2024-03-02T", b"2024-03-03T"))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert target.stat().st_size == stat.st_size
    data = load_dataset(folder)
    try:
        step = refresh(data, Config())
        assert step.days > 0
        got = both(data, metrics=["received"], grain="day", tz="UTC")
        # 2 March's 30 contacts moved to the 3rd, but the two answered at 20:xx, whose
        # end (00:05 on the 3rd) now comes before their arrival, are quarantined
        assert [r["received"] for r in got] == [30, 58]
    finally:
        data.close()


def _without_the_third(sums: Path) -> None:
    """The sums file replaced by a valid one without 3 March's rows (day 19784)."""
    import duckdb

    con = duckdb.connect()
    fewer = str(sums) + ".fewer.parquet"
    con.execute(f"COPY (SELECT * FROM read_parquet('{sums}') WHERE __day <> 19784) "
                f"TO '{fewer}' (FORMAT parquet)")
    con.close()
    os.replace(fewer, sums)


def test_a_damaged_rollup_is_never_read(tmp_path: Path) -> None:
    """A truncated sums file broke every report with DuckDB's "No magic bytes found",
    and one with rows removed was read without a word: reports now read the contacts
    until ``omnikpi rollup`` builds the sums again."""
    folder = _three_days(tmp_path / "data")
    data = load_dataset(folder)
    refresh(data, Config())
    data.close()
    assert _received(folder) == [30, 30, 30]
    manifest = read_manifest(folder / "_rollups")
    assert manifest is not None
    sums = folder / "_rollups" / manifest.sums_file
    whole = sums.read_bytes()
    sums.write_bytes(whole[: len(whole) // 2])
    with rollups(True):
        assert _received(folder) == [30, 30, 30]  # the contacts, read directly
    data = load_dataset(folder)
    try:
        step = refresh(data, Config())  # rebuilt, not a crash
        assert step.full
        both(data, metrics=["received", "offered"], grain="day")
    finally:
        data.close()

    manifest = read_manifest(folder / "_rollups")
    assert manifest is not None
    _without_the_third(folder / "_rollups" / manifest.sums_file)
    with rollups(True):
        assert _received(folder) == [30, 30, 30]


@pytest.mark.parametrize("damage", ["[]", "0", '"x"', "files", "left_out", "stored"])
def test_a_manifest_of_another_shape_is_not_read(tmp_path: Path, damage: str) -> None:
    """Valid JSON that is not the manifest's shape (a list, a number, or a mapping where a
    list of files was) stopped every report and the rollup with a traceback, and the
    server's refresh for good: it is no manifest, and the next refresh builds one."""
    folder = _three_days(tmp_path / "data")
    data = load_dataset(folder)
    refresh(data, Config())
    data.close()
    path = folder / "_rollups" / "manifest.json"
    if damage in ("files", "left_out", "stored"):
        raw = json.loads(path.read_text())
        raw[damage] = ["a list"]
        path.write_text(json.dumps(raw))
    else:
        path.write_text(damage)
    assert read_manifest(folder / "_rollups") is None
    with rollups(True):
        assert _received(folder) == [30, 30, 30]
    data = load_dataset(folder)
    try:
        assert refresh(data, Config()).full
    finally:
        data.close()
    assert read_manifest(folder / "_rollups") is not None


def test_a_manifest_naming_a_missing_file_is_not_read(tmp_path: Path) -> None:
    """Two refreshes at once (a cron rollup while the server refreshes) could leave a
    manifest naming a sums file the other had deleted, with no check for it: every report
    and every plain ``omnikpi rollup`` failed on the missing file until ``--full``."""
    folder = _three_days(tmp_path / "data")
    data = load_dataset(folder)
    refresh(data, Config())
    data.close()
    manifest = read_manifest(folder / "_rollups")
    assert manifest is not None
    stored = dict(manifest.stored)
    del stored[manifest.sums_file]  # as the losing writer wrote it
    (folder / "_rollups" / manifest.sums_file).unlink()
    (folder / "_rollups" / "manifest.json").write_text(
        dataclasses.replace(manifest, stored=stored).to_json())
    with rollups(True):
        assert _received(folder) == [30, 30, 30]  # the contacts, read directly
    data = load_dataset(folder)
    try:
        assert refresh(data, Config()).full  # rebuilt, not a crash
    finally:
        data.close()


def test_refreshes_of_one_folder_take_turns(tmp_path: Path) -> None:
    """Two refreshes started together: the second waits for the first, and the folder
    holds one generation that the manifest names."""
    import threading

    folder = _three_days(tmp_path / "data")
    errors: list[BaseException] = []

    def run() -> None:
        data = load_dataset(folder)
        try:
            refresh(data, Config(), full=True)
        except BaseException as exc:
            errors.append(exc)
        finally:
            data.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    manifest = read_manifest(folder / "_rollups")
    assert manifest is not None
    for name in (manifest.sums_file, manifest.open_file):
        assert (folder / "_rollups" / name).exists()
    with rollups(True):
        assert _received(folder) == [30, 30, 30]


def test_a_folder_named_with_an_apostrophe(tmp_path: Path) -> None:
    """Every path given to DuckDB as text goes through one quoter (``sql_str``): the
    contacts, the validation cache's rows and the rollup's files in ``O'Brien's centre``."""
    folder = _three_days(tmp_path / "O'Brien's centre")
    data = load_dataset(folder)
    try:
        step = refresh(data, Config())
        assert step.days > 0
        got = both(data, metrics=["received"], grain="day", tz="UTC")
        assert [r["received"] for r in got] == [30, 30, 30]
    finally:
        data.close()
    assert _received(folder) == [30, 30, 30]  # again, from the cached verdict


def test_a_loaded_dataset_never_reads_a_rollup_of_files_it_did_not_load(
        tmp_path: Path) -> None:
    """A server keeps its dataset while a cron ``omnikpi rollup`` refreshes the sums for
    files changed since: the rollup was checked against the files on disk, so the old
    dataset read the new sums for offered (31 on 1 March) and its own rows for the rest —
    two datasets in one answer. It reads its own rows until it is loaded again."""
    folder = _three_days(tmp_path / "data")
    first = load_dataset(folder)
    try:
        refresh(first, Config())
        with rollups(True):
            assert [r["received"] for r in plan_report(
                first, metrics=["received"], grain="day").run().rows] == [30, 30, 30]
        write_table(folder / "contacts" / "day=2024-03-01", "contacts", _day(1, 31))
        newer = load_dataset(folder)
        try:
            refresh(newer, Config())  # the cron job, in another process
            assert [r["received"] for r in both(newer, metrics=["received"],
                                                grain="day")] == [31, 30, 30]
        finally:
            newer.close()
        got = both(first, expect_rollup=False, metrics=["received"], grain="day")
        assert [r["received"] for r in got] == [30, 30, 30]
    finally:
        first.close()


@pytest.mark.parametrize("damage", ["deleted", "half of its rows"])
def test_a_rollup_damaged_after_it_was_read_is_not_read_again(
        tmp_path: Path, damage: str) -> None:
    """The check that the stored sums are those the manifest wrote ran once per dataset:
    a sums file deleted after the first report gave every later report of a running
    server a 500 ("No files found that match the pattern"), one replaced by half its rows
    was read without a word. Every report checks it now, and reads the contacts."""
    folder = _three_days(tmp_path / "data")
    data = load_dataset(folder)
    try:
        refresh(data, Config())
        both(data, metrics=["received"], grain="day")  # read from the rollup
        manifest = read_manifest(folder / "_rollups")
        assert manifest is not None
        sums = folder / "_rollups" / manifest.sums_file
        if damage == "deleted":
            sums.unlink()
        else:
            _without_the_third(sums)
        got = both(data, expect_rollup=False, metrics=["received"], grain="day")
        assert [r["received"] for r in got] == [30, 30, 30]
    finally:
        data.close()


def test_the_server_sees_a_file_rewritten_with_its_size_and_time(tmp_path: Path) -> None:
    """The server reloads its dataset when the files' fingerprint changes; a file
    rewritten with the same size and its modification time put back was no change, and
    the server kept its old rows beside a rollup refreshed from the new ones."""
    from omnikpi.web.deps import fingerprint

    folder = _three_days(tmp_path / "data")
    before = fingerprint(folder)
    target = next((folder / "contacts" / "day=2024-03-02").iterdir())
    stat = target.stat()
    target.write_bytes(target.read_bytes().replace(b",q0,", b",q9,"))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert target.stat().st_size == stat.st_size
    assert fingerprint(folder) != before
