"""Compiled SQL kept on disk between processes (``engine/shape_store.py``).

A new process (the next ``omnikpi report`` of a script, the web app after a restart)
finds the shapes other processes proved: it writes its own values into their SQL instead
of compiling, and that SQL is the compiler's own, character for character. The key that
names a shape on disk must be the same in every process (Python's string hashing is
not), differ whenever the SQL could, and a cache file that cannot be used must never
cost a report.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import ibis
import ibis.expr.operations as ops
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ibis.common.graph import Graph

import omnikpi
from omnikpi.engine import local_duckdb
from omnikpi.engine.local_duckdb import _duckdb_text
from omnikpi.engine.run import plan_request
from omnikpi.engine.shape_store import STALE_DAYS, ShapeStore
from omnikpi.engine.shaped_sql import ShapedSql
from omnikpi.engine.stable_key import UnstableArgument, stable_key, stable_text
from omnikpi.request import ReportRequest
from omnikpi.schema.dataset import Dataset

from ..builders import call, dataset
from .test_shaped_sql import with_dead_instant

CONTACTS = [call("c1", "2024-03-01T09:00:00Z", queue="sales", answered="2024-03-01T09:00:15Z",
                 ended="2024-03-01T09:04:00Z", agent_id="a1"),
            call("c2", "2024-03-01T10:00:00Z", queue="support",
                 abandoned="2024-03-01T10:01:00Z"),
            call("c3", "2024-03-02T11:00:00Z", queue="sales", answered="2024-03-02T11:00:40Z",
                 ended="2024-03-02T11:06:00Z", agent_id="a2")]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dataset(tmp_path_factory.mktemp("store"), contacts=CONTACTS)


@pytest.fixture(scope="module")
def data(folder: Path) -> Iterator[Dataset]:
    loaded = omnikpi.load_dataset(folder)
    yield loaded
    loaded.close()


def _node(data: Dataset, queue: str, threshold: float = 20.0) -> ops.Node:
    request = ReportRequest.of(["service_level", "aht"], by=["queue"], grain="day",
                               filters={"queue": [queue]},
                               params={"threshold_seconds": threshold})
    return plan_request(data, request).expr.op()


def _counting(store: ShapeStore) -> tuple[ShapedSql, list[ops.Node],
                                          Callable[[ops.Node], str]]:
    """A new process, as far as SQL goes: no shape in memory, the given store on disk,
    and a compiler that lists what it was asked to compile."""
    compiled: list[ops.Node] = []

    def compile_node(node: ops.Node) -> str:
        compiled.append(node)
        return _duckdb_text(node, pretty=False)

    return ShapedSql(store), compiled, compile_node


def test_the_third_process_writes_its_values_into_the_proven_shape(
        data: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "shapes.sqlite3"
    counts = []
    for queue in ("north", "south", "east", "west"):
        shaped, compiled, compile_node = _counting(ShapeStore(lambda: path))
        node = _node(data, queue)
        assert shaped.sql(node, compile_node) == _duckdb_text(node, pretty=False)
        counts.append(len(compiled))
    # first process: compiled, the shape noted; second: compiled, and the shape compiled
    # and proven; every later one: nothing compiled
    assert counts == [1, 2, 0, 0]


def test_a_shape_whose_instant_the_compiler_dropped_is_taken_from_disk(tmp_path: Path) -> None:
    """The compiler dropped one of the placeholders (a column nothing reads): the shape
    is proven all the same, and a third process writes its values in."""
    path = tmp_path / "shapes.sqlite3"
    counts = []
    for n, queue in enumerate(("north", "south", "east")):
        shaped, compiled, compile_node = _counting(ShapeStore(lambda: path))
        node = with_dead_instant(1_709_762_251_739_000 + n, queue)
        assert shaped.sql(node, compile_node) == _duckdb_text(node, pretty=False)
        counts.append(len(compiled))
    assert counts == [1, 2, 0]


def test_a_template_with_a_placeholder_the_values_lack_is_not_used(
        data: Dataset, tmp_path: Path) -> None:
    """A template on disk that names a placeholder this expression has no value for
    (another file's, a damaged entry) is compiled over, never run half filled."""
    path = tmp_path / "shapes.sqlite3"
    for queue in ("north", "south"):
        ShapedSql(ShapeStore(lambda: path)).sql(_node(data, queue), _counting(
            ShapeStore(lambda: path))[2])
    with sqlite3.connect(path) as db:
        changed = db.execute("UPDATE shapes SET sql = sql || ' AND omnikpim99x9q' "
                             "WHERE state = 'exact'").rowcount
    assert changed == 1
    shaped, compiled, compile_node = _counting(ShapeStore(lambda: path))
    node = _node(data, "east")
    assert shaped.sql(node, compile_node) == _duckdb_text(node, pretty=False)
    assert len(compiled) == 1


def test_a_shape_that_does_not_prove_exact_is_never_taken_from_disk(
        data: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "shapes.sqlite3"

    def lying(node: ops.Node) -> str:
        """A compiler whose placeholder form does not give back the real SQL."""
        return _duckdb_text(node, pretty=False).replace("omnikpiv0x9q", "elsewhere")

    for queue in ("north", "south"):
        ShapedSql(ShapeStore(lambda: path)).sql(_node(data, queue), lying)
    shaped, compiled, compile_node = _counting(ShapeStore(lambda: path))
    shaped.sql(_node(data, "east"), compile_node)
    assert len(compiled) == 1  # known inexact: compiled as it is, every time


def test_an_expression_without_variable_parts_is_kept_whole(tmp_path: Path) -> None:
    table = ibis.table({"queue": "string", "wait": "float64"}, name="contacts")
    node = table.group_by("queue").aggregate(late=(table.wait > 20).sum()).op()
    assert not local_duckdb.shaped_sql.variable_nodes(node, Graph.from_bfs(node))
    path = tmp_path / "shapes.sqlite3"
    first, compiled, compile_node = _counting(ShapeStore(lambda: path))
    expected = _duckdb_text(node, pretty=False)
    assert first.sql(node, compile_node) == expected and len(compiled) == 1
    second, compiled, compile_node = _counting(ShapeStore(lambda: path))
    assert second.sql(node, compile_node) == expected and not compiled


def test_processes_with_other_string_hashing_share_the_shapes(
        folder: Path, data: Dataset, tmp_path: Path) -> None:
    """Three real processes, each with its own ``PYTHONHASHSEED``, each asking the
    engine for the same report with another queue."""
    script = (
        "import json, sys\n"
        "import omnikpi\n"
        "from omnikpi.engine import local_duckdb\n"
        "compiled = []\n"
        "real = local_duckdb._compile_duckdb\n"
        "local_duckdb._compile_duckdb = lambda n: compiled.append(1) or real(n)\n"
        "from omnikpi.engine.run import plan_request\n"
        "from omnikpi.request import ReportRequest\n"
        "data = omnikpi.load_dataset(sys.argv[1])\n"
        "request = ReportRequest.of(['service_level', 'aht'], by=['queue'], grain='day',\n"
        "    filters={'queue': [sys.argv[2]]}, params={'threshold_seconds': 20.0})\n"
        "sql = local_duckdb._duckdb_sql(plan_request(data, request).expr.op())\n"
        "print(json.dumps({'compiled': len(compiled), 'sql': sql}))\n")
    env = {**os.environ, "OMNIKPI_CACHE_DIR": str(tmp_path / "cache"), "OMNIKPI_CACHE": "on"}
    runs = []
    for seed, queue in (("1", "north"), ("2", "south"), ("3", "east")):
        done = subprocess.run([sys.executable, "-c", script, str(folder), queue],
                              env={**env, "PYTHONHASHSEED": seed}, capture_output=True,
                              text=True, check=True, timeout=120)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert [run["compiled"] for run in runs] == [1, 2, 0]
    assert runs[2]["sql"] == _duckdb_text(_node(data, "east"), pretty=False)
    assert list((tmp_path / "cache" / "sql").glob("shapes-*.sqlite3"))


@settings(max_examples=25, deadline=None)
@given(first=st.sampled_from([5.0, 20.0, 20.5, 60.0]),
       second=st.sampled_from([5.0, 20.0, 20.5, 60.0]))
def test_the_key_follows_the_definition_not_the_process(first: float, second: float) -> None:
    """Equal expressions built apart have one key; a parameter that changes the SQL
    (a threshold is part of the shape, not a placeholder) changes the key."""
    table = ibis.table({"wait": "float64", "queue": "string"}, name="contacts")

    def key(threshold: float) -> str:
        node = table.filter(table.wait <= threshold).count().op()
        return stable_key(node, Graph.from_bfs(node))

    assert (key(first) == key(second)) == (first == second)


def test_a_set_of_several_names_or_an_unknown_object_has_no_stable_key() -> None:
    table = ibis.table({"a": "int64", "b": "int64", "c": "int64"}, name="t")
    node = table.select("a").op()
    assert stable_key(node, Graph.from_bfs(node))
    with pytest.raises(UnstableArgument):
        stable_text(frozenset({"a", "b"}))
    with pytest.raises(UnstableArgument):
        stable_text(object())
    assert stable_text(frozenset({"a"})) == stable_text(frozenset({"a"}))
    assert stable_text(ibis.dtype("timestamp('UTC', 6)")) != stable_text(
        ibis.dtype("timestamp('UTC', 9)"))


def test_a_damaged_file_is_started_afresh(data: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "shapes.sqlite3"
    path.write_bytes(b"this is not a database, but a damaged file " * 100)
    for queue in ("north", "south"):
        node = _node(data, queue)
        shaped, _, compile_node = _counting(ShapeStore(lambda: path))
        assert shaped.sql(node, compile_node) == _duckdb_text(node, pretty=False)
    shaped, compiled, compile_node = _counting(ShapeStore(lambda: path))
    node = _node(data, "east")
    assert shaped.sql(node, compile_node) == _duckdb_text(node, pretty=False)
    assert not compiled


def test_a_store_that_cannot_be_written_costs_nothing_but_a_line_of_log(
        data: Dataset, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A read-only home (a container) must not print a warning on every command: the
    store is off, logged once at INFO, and the in-process cache works as before."""
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    store = ShapeStore(lambda: blocker / "shapes.sqlite3")
    shaped, compiled, compile_node = _counting(store)
    with caplog.at_level(logging.INFO, logger="omnikpi.engine.shape_store"):
        for queue in ("north", "south", "east", "west"):
            node = _node(data, queue)
            assert shaped.sql(node, compile_node) == _duckdb_text(node, pretty=False)
    assert not store.working
    assert len(compiled) == 2  # the in-process cache works as before
    lines = [r for r in caplog.records if "compiled-SQL cache" in r.getMessage()]
    assert [r.levelno for r in lines] == [logging.INFO]


def test_the_switch_off_keeps_nothing_on_disk(data: Dataset, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIKPI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OMNIKPI_CACHE", "off")
    store = ShapeStore(local_duckdb._shape_file)
    shaped, compiled, compile_node = _counting(store)
    for queue in ("north", "south", "east"):
        shaped.sql(_node(data, queue), compile_node)
    assert len(compiled) == 2  # in the process: compiled; the shape, proven
    assert not (tmp_path / "cache").exists() and not store.working
    monkeypatch.setenv("OMNIKPI_CACHE", "on")
    located = local_duckdb._shape_file()
    assert located is not None and located.parent == tmp_path / "cache" / "sql"


def test_clearing_the_cache_forgets_the_disk_too(data: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "shapes.sqlite3"
    for queue in ("north", "south"):
        ShapedSql(ShapeStore(lambda: path)).sql(_node(data, queue),
                                                lambda n: _duckdb_text(n, pretty=False))
    shaped, compiled, compile_node = _counting(ShapeStore(lambda: path))
    shaped.clear()
    shaped.sql(_node(data, "east"), compile_node)
    assert len(compiled) == 1


def test_a_folder_others_can_write_is_refused(data: Dataset, tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    """The SQL kept there runs as it is: a shared folder could hand it any SQL."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    store = ShapeStore(lambda: shared / "shapes.sqlite3")
    shaped, compiled, compile_node = _counting(store)
    with caplog.at_level(logging.WARNING, logger="omnikpi.engine.shape_store"):
        node = _node(data, "north")
        assert not compiled
        assert shaped.sql(node, compile_node) == _duckdb_text(node, pretty=False)
    assert not store.working and not (shared / "shapes.sqlite3").exists()
    assert [r.levelno for r in caplog.records
            if "can be written by another user" in r.getMessage()] == [logging.WARNING]


def test_the_store_is_private_to_its_user(data: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "cache" / "sql" / "shapes.sqlite3"
    ShapedSql(ShapeStore(lambda: path)).sql(_node(data, "north"),
                                            lambda n: _duckdb_text(n, pretty=False))
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    path.chmod(0o666)  # someone opened it up: no longer trusted
    store = ShapeStore(lambda: path)
    store.get("any")
    assert not store.working


def test_a_new_file_removes_old_versions_files(data: Dataset, tmp_path: Path) -> None:
    """Each upgrade names a new file; the old ones are removed once nobody has written
    them for a month (a server of the old version may still be running before that)."""
    folder = tmp_path / "sql"
    folder.mkdir(mode=0o700)
    old, recent = folder / "shapes-oldversion.sqlite3", folder / "shapes-running.sqlite3"
    for other in (old, recent):
        other.write_bytes(b"")
    month_ago = time.time() - (STALE_DAYS + 1) * 86_400
    os.utime(old, (month_ago, month_ago))
    ShapedSql(ShapeStore(lambda: folder / "shapes-new.sqlite3")).sql(
        _node(data, "north"), lambda n: _duckdb_text(n, pretty=False))
    assert sorted(p.name for p in folder.iterdir()) == [
        "shapes-new.sqlite3", "shapes-running.sqlite3"]
