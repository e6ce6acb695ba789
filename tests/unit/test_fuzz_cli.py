"""Random values for every option of every command: an exit code of the contract
(0 ok, 1 error, 2 bad usage, 3 bad data), never a traceback.

The commands and their options are read from the Typer app (click's introspection), so a
new command or option is fuzzed without touching this file. Each runs in a sandbox folder
(a copy of a tiny dataset, a tiny scenario, forecast, form and mapping; its own database)
with hostile values — huge, negative, NaN and infinite numbers, far dates, empty strings,
unicode, control characters, very long strings, ``../`` paths, SQL fragments — mixed
with plausible ones. A command line cannot carry a NUL byte, so none is sent. Paths are
relative to the sandbox (or ``/dev/null``): as root, a fuzzer must not write elsewhere.

The budget is small and fixed (``derandomize``); ``OMNIKPI_FUZZ_EXAMPLES=100`` explores
more with fresh random values.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.metrics.base import all_metrics

from ..conftest import REPO, SPEC_EXAMPLES

EXPLORE = os.environ.get("OMNIKPI_FUZZ_EXAMPLES")
BUDGET = settings(max_examples=int(EXPLORE or "4"), deadline=None, database=None,
                  derandomize=not EXPLORE, suppress_health_check=list(HealthCheck))
EXIT_CODES = {0, 1, 2, 3}
EXCLUDED = {
    ("serve",): "starts a web server that runs until it is stopped (its options are the "
                "web app's, fuzzed by tests/web/test_fuzz_routes.py)",
    ("demo",): "runs a dozen reports on the bundled demo data, seconds each; its --tz and "
               "--engine are checked by test_demo_refuses_bad_options",
}


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the app, and every group that takes options of its own."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None or (path and command.params):
        yield path, command
    for name, sub in (subcommands or {}).items():
        yield from commands(sub, (*path, name))


COMMANDS = dict(commands(typer.main.get_command(app)))
FUZZED = sorted(p for p in COMMANDS if p not in EXCLUDED)

# -- values ---------------------------------------------------------------------------------

NUMBERS = ["0", "-1", "1", "2147483648", "-2147483649", "9223372036854775808",
           "1" + "0" * 400, "1e308", "1e999", "-1e999", "1e18", "nan", "inf", "-inf", "0.5",
           "-0.0", "1e-320", "0x10", ""]
HOSTILE = [
    *NUMBERS, " ", "99999-01-01", "0001-01-01", "9999-12-31T23:59:59Z", "1900-01-01",
    "2199-12-31T23:59:59+14:00", "2026-02-30", "2024-03-05T10:00:00", "../../etc/passwd",
    "..", "/", "%2e%2e%2f", "' OR '1'='1", "'; DROP TABLE users; --", 'a"b', "\r\n", "\t",
    "\x1b[31m", "\u202e", "\ufeff", "🙂", "İ", "${jndi:ldap://x}", "%s%n", ",", ",,,",
    "a,b,", "=", "a=b", "x.y=1", "=1", "true", "null", "-", "--", "--help",
]
ARGV_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]),
                    max_size=40)
LONG = st.builds(lambda char, size: char * size, st.sampled_from(["a", "é", "🙂", ","]),
                 st.sampled_from([151, 10_001]))
TEXT = st.one_of(
    st.sampled_from(HOSTILE), ARGV_TEXT, LONG, st.integers().map(str), st.floats().map(str),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.datetimes(min_value=datetime(1, 1, 1)).map(datetime.isoformat),
)
NUMBER = st.one_of(st.sampled_from(NUMBERS), st.integers().map(str), st.floats().map(str))
PATHS = st.sampled_from([
    "data", "junk.txt", "form.toml", "scenario.toml", "forecast.csv", "mapping.toml",
    "queue_log", "missing", "missing/deeper/x.json", "out/new", ".", "..", "../..",
    "/dev/null", "é🙂", "a" * 300, "-", "x.json", "x.xlsx", "x.csv", "x.html", "x.parquet",
    "data/contacts.csv", "",
])
METRICS = sorted(m.id for m in all_metrics())
PARAMS = sorted({f"{m.id}.{p.name}" for m in all_metrics() for p in m.params if p.settable})
one = st.sampled_from
PLAUSIBLE: dict[str, st.SearchStrategy[str]] = {
    "metrics": one([*METRICS, "offered,aht,service_level"]),
    "by": one(["queue", "channel", "agent_id", "queue,agent_id"]),
    "grain": one(["total", "15min", "hour", "day", "week", "month"]),
    "tz": one(["UTC", "Europe/Kyiv"]), "engine": one(["duckdb"]),
    "from_": one(["2024-03-05"]), "to": one(["2024-03-06"]),
    "as_of": one(["2024-03-05T12:00:00"]),
    "param": st.builds(lambda name, value: f"{name}={value}", one(PARAMS), NUMBER),
    "filter": st.builds(lambda dim, value: f"{dim}={value}",
                        one(["queue", "channel", "agent_id", "site", "x"]), TEXT),
    "format": one(["table", "json", "csv", "xlsx", "markdown", "parquet", "html"]),
    "source": one(["asterisk-queue-log", "csv", "json", "transcripts"]),
    "role": one(["admin", "supervisor", "client", "agent"]),
    "model": one(["erlang_c", "erlang_a", "erlang_b"]),
    "method": one(["additive", "compound"]),
    "component": st.builds(lambda name, value: f"{name}={value}", one(["vacation", ""]),
                           NUMBER),
    "database_url": one(["sqlite:///app.db", "sqlite:///missing/dir/x.db", "nope://x",
                         "sqlite://", ""]),
    "session_id": one(["1", "0", "9223372036854775808"]),
}


def _kind(param: Any) -> str:
    return str(param.bare_type())


def value_for(param: Any) -> st.SearchStrategy[str]:
    kind = _kind(param)
    if "Path" in kind:
        return PATHS
    if "int" in kind or "float" in kind:
        return NUMBER
    plausible = PLAUSIBLE.get(param.name)
    return st.one_of(plausible, TEXT) if plausible is not None else TEXT


@st.composite
def arguments(draw: st.DrawFn, command: Any) -> list[str]:
    """A command line for ``command``: required parameters nearly always, optional ones
    half the time, each with a plausible or hostile value."""
    args: list[str] = []
    for param in command.params:
        wanted = draw(st.integers(0, 9)) > 0 if param.required else draw(st.booleans())
        if not wanted or param.name == "help":
            continue
        if param.param_type_name == "argument":
            count = draw(st.integers(1, 2)) if param.nargs == -1 else 1
            args += [draw(value_for(param)) for _ in range(count)]
        elif getattr(param, "is_flag", False):
            args.append(param.opts[0])
        else:
            for _ in range(draw(st.integers(1, 2)) if param.multiple else 1):
                args += [param.opts[0], draw(value_for(param))]
    if "--follow" in args:  # bounded: stop after the first pass, never sleep for long
        args += ["--max-seconds", "0", "--interval-seconds",
                 draw(st.sampled_from(["0", "0.01", "-1", "nan", "inf"]))]
    return args


# -- the sandbox ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sandbox's files, made once: a tiny dataset, a QA form, a mapping, a tiny
    scenario and forecast, a queue_log, a file of junk and a migrated database."""
    home = tmp_path_factory.mktemp("cli") / "template"
    shutil.copytree(SPEC_EXAMPLES / "voice_basic", home / "data")
    (home / "data" / "expected.json").unlink()
    (home / "junk.txt").write_bytes(b"\xff\xfe not toml, not csv \x00 \n" * 3)
    shutil.copy(REPO / "qa_forms" / "voice.toml", home / "form.toml")
    shutil.copy(REPO / "mappings" / "anonymous_bank.toml", home / "mapping.toml")
    (home / "scenario.toml").write_text(
        'seed = 1\nstart = "2024-01-01T00:00:00+00:00"\nduration_hours = 1\n'
        '[[queues]]\nname = "q"\nchannel = "voice"\narrivals_per_hour = 20\n'
        'aht_seconds = 120\n[[agent_groups]]\nname = "g"\ncount = 2\nskills = ["q"]\n'
        'shift = "00:00-24:00"\n')
    (home / "forecast.csv").write_text("interval_start,volume,aht_seconds\n"
                                       "2024-03-05T10:00:00,30,180\n"
                                       "2024-03-05T10:30:00,0,\n")
    (home / "queue_log").write_text(
        "1709632800|1709632800.1|support|NONE|ENTERQUEUE||100|1\n"
        "1709632805|1709632800.1|support|Agent/1|CONNECT|5|1709632800.2|3\n"
        "1709632900|1709632800.1|support|Agent/1|COMPLETECALLER|5|95|1\n")
    upgraded = CliRunner().invoke(app, ["db", "upgrade", "--database-url",
                                        f"sqlite:///{home / 'app.db'}"])
    assert upgraded.exit_code == 0, upgraded.output
    return home


@pytest.fixture()
def sandbox(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the template three levels inside ``tmp_path`` (``../..`` stays
    inside), the working folder, with its own application database."""
    home = tmp_path / "work" / "a" / "b"
    shutil.copytree(template, home)
    monkeypatch.chdir(home)
    monkeypatch.setenv("OMNIKPI_DATABASE_URL", f"sqlite:///{home / 'app.db'}")
    monkeypatch.delenv("OMNIKPI_CACHE", raising=False)  # `validate --no-cache` sets it
    return home


def run(args: list[str]) -> Any:
    result = CliRunner().invoke(app, args, input="plum tractor velvet\n")
    shown = f"omnikpi {' '.join(args)[:500]!r} → {result.exit_code}\n{result.output[-3000:]}"
    assert result.exit_code in EXIT_CODES, shown
    assert "Traceback" not in result.output, shown
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        shown, result.exception)
    return result


@pytest.mark.parametrize("path", FUZZED, ids=" ".join)
def test_no_command_exits_with_a_traceback(path: tuple[str, ...], sandbox: Path) -> None:
    command = COMMANDS[path]

    @BUDGET
    @given(args=arguments(command))
    def fuzz(args: list[str]) -> None:
        run([*path, *args])

    fuzz()


def test_every_command_is_fuzzed() -> None:
    """The enumeration finds every command (and the simulate group's own options)."""
    names = {" ".join(p) for p in COMMANDS}
    assert {"report", "validate", "import", "users add", "qa sample", "wfm staff",
            "simulate", "simulate run", "db upgrade"} <= names
    assert set(EXCLUDED) <= set(COMMANDS)
    assert len(FUZZED) == len(COMMANDS) - len(EXCLUDED) >= 20


def test_demo_refuses_bad_options(sandbox: Path) -> None:
    for option in (["--tz", "Mars/Olympus"], ["--engine", "nope"]):
        result = run(["demo", "--out", "demo", *option])
        assert result.exit_code == 2, result.output


# -- the bugs the fuzzing found: each was a traceback (or never finished) -------------------

FOUND = [
    # files that cannot be used as named: OSError / UnicodeDecodeError tracebacks
    ["catalog", "--output", "a" * 300],
    ["qa", "export", "--out", "junk.txt"],
    ["report", "--data", "data", "--definition", "data"],
    ["simulate", "--scenario", "data", "--out", "sim"],
    ["wfm", "plan", "--forecast", "data", "--interval-minutes", "30", "--target-sl", "0.8",
     "--threshold", "20"],
    ["qa", "forms", "junk.txt"],
    ["simulate", "compare", "junk.txt", "scenario.toml"],
    # a database that cannot be opened: sqlalchemy's OperationalError
    ["db", "upgrade", "--database-url", "sqlite:///missing/dir/x.db"],
    ["users", "list", "--database-url", "nope://x"],
    # numbers out of range
    ["qa", "calibration-report", "9223372036854775808"],
    ["qa", "sample", "--data", "data", "--rate", "1", "--seed", "9223372036854775808"],
    ["qa", "sample", "--data", "data", "--rate", "1", "--seed", "1", "--save", "x" * 300],
    ["report", "--data", "data", "--metrics", "service_level",
     "--param", "threshold_seconds=1e18"],
    ["wfm", "backlog", "--volume", "0", "--aht", "1", "--working-hours", "1",
     "--threshold-hours", "nan"],
    ["wfm", "forecast", "--data", "data", "--weeks", "2147483648"],
    ["wfm", "forecast", "--data", "data", "--days", "100000"],  # 48 s, rows to year 2297
    ["wfm", "evaluate", "--volume", "100", "--interval-minutes", "30", "--aht", "180",
     "--agents", "2147483648", "--threshold", "20"],  # never finished
    ["wfm", "evaluate", "--volume", "1e9", "--interval-minutes", "1e-9", "--aht", "1e9",
     "--agents", "100000", "--threshold", "20", "--model", "erlang_a",
     "--patience", "1"],  # a 74.5 GiB matrix: MemoryError
    ["import", "asterisk-queue-log", "queue_log", "--out", "imported", "--follow",
     "--interval-seconds", "nan", "--max-seconds", "1"],
    ["import", "asterisk-queue-log", "queue_log", "--out", "imported", "--follow",
     "--max-seconds", "nan"],  # never stopped
    ["validate", "--data", "data", "--limit", "-5"],  # silently dropped the last problems
]


@pytest.mark.parametrize("args", FOUND, ids=[" ".join(a)[:70] for a in FOUND])
def test_found_bugs_stay_fixed(args: list[str], sandbox: Path) -> None:
    result = run(args)
    assert result.exit_code == 2, result.output
    assert "error:" in result.output
