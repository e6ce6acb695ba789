"""``omnikpi --help`` and the commands that compute nothing start without the engine.

Importing the engine brings Ibis, pandas, DuckDB and NumPy (about 1.5 s on two cores);
``omnikpi --help`` paid it before it printed a line. The command modules import what
they compute with inside the commands, and ``import omnikpi`` loads the Python API on
first use. What is checked here is which modules a fresh interpreter has loaded, not a
time."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("ibis", "pandas", "duckdb", "numpy", "pyarrow", "fastapi", "sqlalchemy", "plotly",
         "scipy")


def _loaded_after(code: str) -> list[str]:
    script = (f"import sys\n{code}\nimport json\n"
              f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=120)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("code", [
    "import omnikpi",
    "import omnikpi.errors",
    # the whole command line built, as for `omnikpi --help`
    "import typer.main\nfrom omnikpi.cli.main import app\ntyper.main.get_command(app)",
])
def test_starting_needs_no_engine(code: str) -> None:
    assert _loaded_after(code) == []


def test_the_python_api_is_there_on_first_use() -> None:
    loaded = _loaded_after("import omnikpi\nomnikpi.load_dataset\nomnikpi.report")
    assert {"duckdb", "ibis", "pandas"} <= set(loaded)
