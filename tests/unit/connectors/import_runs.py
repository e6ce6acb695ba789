"""``omnikpi import`` run in-process as a user's terminal shows it: the exit code and
the output on one line, after checking it holds no traceback and no bare "Aborted."."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from omnikpi.cli.main import app

CSV_MAPPING = '''table = "contacts"
[source]
format = "csv"
[columns]
contact_id = "id"
channel = "'voice'"
queue = "q"
arrived_at = "CAST(t AS TIMESTAMP)"
'''
"""A plain CSV of calls (``id,q,t``) mapped to contacts."""


def run_import(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["import", *map(str, args)])
    assert "Traceback" not in result.output and "Aborted" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, " ".join(result.output.split())
