"""Shared fixtures: the engines every engine test runs on, and dataset builders.

The suite stands alone: everything it reads lies in the repository (the spec's worked
examples in ``tests/cases/spec``, the spec texts in ``docs/spec``, the Anonymous Bank
month in ``data/``). Two guards keep it so:

- opening a file beside the repository (the spec hand-off folder and its siblings) fails the test
  that does it;
- the validation cache, the application database and DuckDB's spill folder go to this
  run's temporary folder, never to ``~/.cache`` or the repository root.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

REPO = Path(__file__).resolve().parents[1]
SPEC_EXAMPLES = REPO / "tests" / "cases" / "spec"
SPEC_DOCS = REPO / "docs" / "spec"
ANONYMOUS_BANK = REPO / "data" / "anonymous-bank-1999" / "august_1999_calls.csv.gz"
ENGINES = ["duckdb", "spark"]

_SCRATCH = Path(tempfile.mkdtemp(prefix="omnikpi-tests-"))
os.environ["OMNIKPI_CACHE_DIR"] = str(_SCRATCH / "cache")
os.environ["OMNIKPI_DATABASE_URL"] = f"sqlite:///{_SCRATCH / 'omnikpi.db'}"
os.environ["OMNIKPI_SPILL_DIR"] = str(_SCRATCH / "spill")
# Hypothesis keeps its example database and caches under ./.hypothesis by default: the
# repository root when the suite runs from it
set_hypothesis_home_dir(_SCRATCH / "hypothesis")
# users are created and log in hundreds of times: Argon2's cheapest parameters here (the
# strong default is checked by tests/web/test_accounts.py)
os.environ["OMNIKPI_INSECURE_FAST_PASSWORD_HASHING"] = "1"
# The local Spark sessions of the tests run tiny datasets, where the JVM's optimising
# compiler and parallel garbage collector only compete with the other test worker for the
# two cores: the fast-starting compiler and one shuffle partition took the Spark tests
# (all but the cluster's) from 168 s to 113 s under ``-n 2`` on 2 cores, same results.
# The standalone-cluster tests drop these (``engines/spark_cluster.py``): they measure the
# settings users run with.
SMALL_SPARK = {
    "PYSPARK_SUBMIT_ARGS":
        "--driver-java-options '-XX:+UseSerialGC -XX:TieredStopAtLevel=1' pyspark-shell",
    "OMNIKPI_SPARK_PARTITIONS": "1",
}
for _name, _value in SMALL_SPARK.items():
    os.environ.setdefault(_name, _value)


class OutsideRepository(PermissionError):
    """A test opened a file beside the repository: a clone alone would not have it."""


_TEMPORARY = tuple({os.path.realpath(tempfile.gettempdir()) + os.sep, "/tmp/"})


def _beside_repository(path: str) -> bool:
    """Whether ``path`` lies beside the repository: in its parent folder, outside it.

    ``shared`` (the spec's hand-off folder) is never allowed; other neighbours are, when
    the repository itself sits in a temporary folder (a clone in /tmp) and they are
    temporary files of the run.
    """
    parent = str(REPO.parent) + os.sep
    if not path.startswith(parent) or (path + os.sep).startswith(str(REPO) + os.sep):
        return False
    neighbour = path[len(parent):].split(os.sep, 1)[0]
    return neighbour == "shared" or not path.startswith(_TEMPORARY)


def _guard(event: str, args: tuple[Any, ...]) -> None:
    if event not in ("open", "os.listdir", "os.scandir") or not args:
        return
    target = args[0]
    if isinstance(target, int) or target is None:
        return
    if isinstance(target, bytes):
        target = os.fsdecode(target)
    path = os.path.abspath(os.fspath(target))
    if _beside_repository(path):
        raise OutsideRepository(f"the test suite opened {path}, outside the repository "
                                f"{REPO}: copy what it needs into the repository")


sys.addaudithook(_guard)


SPLIT_PER_TEST = {"tests/web/test_tenant_isolation.py", "tests/web/test_drill_every_metric.py",
                  "tests/web/test_every_page.py"}
"""Files too long for one worker's share (minutes each); their tests build what they need
from module fixtures, which a second worker builds again in a few seconds."""


def worker_group(nodeid: str) -> str:
    """Which worker runs a test when the suite runs in parallel (``pytest -n 2 --dist
    loadgroup``): a test file stays on one worker, so its module fixtures are built once
    and its tests keep their order (its DuckDB and Spark halves may be split); the
    PostgreSQL tests share one server's database.
    Spark tests run where their file runs (a worker starts its own local Spark: two JVMs
    finish sooner than one worker carrying every Spark test).
    Read from the node id alone, because the controller (which has no items) schedules by it."""
    if "test_database" in nodeid:
        return "postgres"
    path = nodeid.split("::", 1)[0]
    if path in SPLIT_PER_TEST:  # long files whose tests stand alone: spread them out
        return nodeid
    ids = nodeid.rsplit("[", 1)[1].rstrip("]").split("-") if nodeid.endswith("]") else []
    engine = next((name for name in ENGINES if name in ids), None)
    # the engine halves of one file are independent: each may run on its own worker
    return path + (f"[{engine}]" if engine else "")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` by :func:`worker_group`.

    xdist groups by a ``@group`` suffix that its worker hook writes into ``item._nodeid``;
    since pytest 9.2 a node id is no longer read from that attribute, so the suffix never
    appears and every test was scheduled alone (measured: one file's tests ran on both
    workers, its module fixtures built twice). This scheduler asks the same question of
    the plain node id.

    xdist also re-sorts the groups by how many tests each holds (``--loadscope-reorder``,
    on by default), which undid :func:`pytest_collection_modifyitems`' longest-first order:
    the cluster test file (a few tests, ~8 min) was handed out ~11 min into the run. The
    collection order is kept instead."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False

    class GroupScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return worker_group(nodeid)

    return GroupScheduling(config, log)


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """Whatever a test (or the code it runs in-process) sets in the environment is undone
    after it: a setting leaking into the next test of the same worker makes results depend
    on test order."""
    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)


GROUP_SECONDS = Path(__file__).resolve().parent / "group_seconds.json"
"""Measured seconds per worker group. After adding slow tests, refresh it with
``OMNIKPI_MEASURE_GROUPS=1 make test`` (or a run of the new files only: the measured
groups are merged into the file)."""
_MEASURED: dict[str, float] = {}


def _expected_seconds() -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(GROUP_SECONDS.read_text()).items()}
    except (OSError, ValueError):
        return {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Hand the worker groups out longest first.

    xdist gives groups to workers in collection order, one more each time a worker runs
    dry: a long group collected last keeps one worker busy while the other idles. Sorting
    by measured seconds (a new group counts one second per test) evens out the finish.
    The order inside a group is kept.

    Also marks what needs a JVM or a browser (``make test-quick`` leaves them out):
    ``spark`` for the Spark half of every engine test, ``browser`` for every test that
    drives Chromium."""
    for item in items:
        _mark_heavy(item)
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        groups.setdefault(worker_group(item.nodeid), []).append(item)
    seconds = _expected_seconds()

    def expected(group: str) -> float:
        return seconds.get(group, float(len(groups[group])))

    files: dict[str, list[str]] = {}
    for group in groups:
        files.setdefault(_file_of(group), []).append(group)
    # a split file's groups stay together (longest first inside it): a worker that takes
    # its tests one after the other builds the module fixtures once, where groups of
    # other files in between tore them down and rebuilt them for each test (measured:
    # 55 rebuilds of the drill-down file's datasets, 27 s of a worker)
    units = sorted(files.values(), key=lambda unit: -sum(expected(g) for g in unit))
    ordered = [g for unit in units for g in sorted(unit, key=lambda g: -expected(g))]
    items[:] = [item for group in ordered for item in groups[group]]


def _mark_heavy(item: pytest.Item) -> None:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("engine") == "spark":
        item.add_marker(pytest.mark.spark)
    if {"browser", "browser_of_the_module"} & set(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.browser)


def _file_of(group: str) -> str:
    """The unit a worker group is ordered with: its file when the file is split per test,
    else the group itself."""
    path = group.split("::", 1)[0]
    return path if path in SPLIT_PER_TEST else group


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    group = worker_group(report.nodeid)
    _MEASURED[group] = _MEASURED.get(group, 0.0) + report.duration


SHIPPED_DATA = tuple(Path(__file__).resolve().parents[1] / part for part in (
    "src/omnikpi/demo/data", "data", "tests/cases"))
"""Data the repository ships: a test that writes beside a dataset (a QA evaluation saved
next to the demo data it was served from) must work on a copy."""


def _shipped_files() -> set[tuple[str, int]]:
    return {(str(path), path.stat().st_size) for folder in SHIPPED_DATA if folder.is_dir()
            for path in folder.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts}


_SHIPPED_AT_START: set[tuple[str, int]] = set()


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        _SHIPPED_AT_START.update(_shipped_files())


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller fails the run if a test wrote into the shipped data; with
    ``OMNIKPI_MEASURE_GROUPS=1``, it writes what each group took."""
    if hasattr(session.config, "workerinput"):
        return
    written = sorted(path for path, _ in _shipped_files() - _SHIPPED_AT_START)
    if _SHIPPED_AT_START and written:
        sys.stderr.write("tests wrote into the repository's shipped data (work on a copy): "
                         + ", ".join(written[:10]) + "\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if not os.environ.get("OMNIKPI_MEASURE_GROUPS"):
        return
    if _MEASURED:
        # merged into what earlier runs measured: running one file refreshes its groups only
        merged = {**_expected_seconds(), **_MEASURED}
        ranked = sorted(merged.items(), key=lambda kv: -kv[1])
        GROUP_SECONDS.write_text(json.dumps({g: round(t, 1) for g, t in ranked}, indent=1)
                                 + "\n", encoding="utf-8")


def spark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None


_RUNNING: list[pytest.Item] = []
"""The test being set up or run (one per process: xdist workers are processes)."""


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _RUNNING[:] = [item]


def require_spark() -> None:
    """Skip a Spark test where Spark is not installed; fail it where CI requires Spark.

    A test that needs Spark must carry the ``spark`` mark (an ``engine`` parameter gives
    it): ``make test-quick`` leaves marked tests out, and an unmarked one starts a JVM in
    the inner loop (two did, 40 s of it)."""
    if _RUNNING and _RUNNING[0].get_closest_marker("spark") is None:
        pytest.fail(f"{_RUNNING[0].nodeid} starts Spark without the spark mark: "
                    "add @pytest.mark.spark")
    if spark_available():
        return
    if os.environ.get("OMNIKPI_REQUIRE_SPARK"):
        pytest.fail("Spark engine required (OMNIKPI_REQUIRE_SPARK) but pyspark/java missing")
    pytest.skip("Spark engine not installed here: uv sync --extra spark and Java 17")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each engine test runs once per engine; Spark is required in CI."""
    name = str(request.param)
    if name == "spark":
        require_spark()
    yield name
