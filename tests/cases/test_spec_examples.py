"""Every worked example, through the CLI (``--format json``), on every engine.

The spec's examples (``tests/cases/spec``, copied from the spec) and our own hand-computed cases
(``tests/cases/data``) share one format.

The cases are data: each folder of ``tests/cases/spec`` holds a dataset, the hand
arithmetic in its README and ``expected.json`` with the command's arguments and rows.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.value_list import join_values

from ..conftest import SPEC_EXAMPLES

OWN_CASES = Path(__file__).resolve().parent / "data"
FOLDERS = sorted(
    p for root in (SPEC_EXAMPLES, OWN_CASES) for p in root.iterdir()
    if (p / "expected.json").exists()
)
CASES = [
    pytest.param(folder, index, case, id=f"{folder.name}:{case['name']}")
    for folder in FOLDERS
    for index, case in enumerate(json.loads((folder / "expected.json").read_text())["cases"])
]


def cli_args(folder: Path, args: dict[str, Any], engine: str) -> list[str]:
    out = ["report", "--data", str(folder), "--format", "json", "--engine", engine]
    if args.get("metrics"):
        out += ["--metrics", ",".join(args["metrics"])]
    if args.get("by"):
        out += ["--by", ",".join(args["by"])]
    for option in ("grain", "tz", "from", "to", "as_of"):
        if args.get(option) is not None:
            out += [f"--{option.replace('_', '-')}", str(args[option])]
    for key, value in (args.get("params") or {}).items():
        out += ["--param", f"{key}={value}"]
    for dimension, values in (args.get("filters") or {}).items():
        out += ["--filter", f"{dimension}={join_values(values)}"]  # a comma: \\,
    return out


def same_instant(a: str, b: str) -> bool:
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


def close(actual: Any, expected: Any) -> bool:
    if expected is None or actual is None:
        return actual is expected
    return abs(actual - expected) <= 1e-6 * max(1.0, abs(expected))


@pytest.mark.parametrize(("folder", "index", "case"), CASES)
def test_spec_example(folder: Path, index: int, case: dict[str, Any], engine: str) -> None:
    """The printed rows are exactly the expected ones: no row more or less, and every
    requested metric of every row agrees (a case lists all of them)."""
    result = CliRunner().invoke(app, cli_args(folder, case["args"], engine))
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    by = (case["args"].get("by") or []) + [
        k for k in ("state", "reason", "dimension", "item_id")
        if any(k in r for r in case["rows"])]
    metrics = case["args"]["metrics"]
    assert len(printed["rows"]) == len(case["rows"]), (printed["rows"], case["rows"])
    for expected in case["rows"]:
        matches = [
            row for row in printed["rows"]
            if all(row.get(d) == expected.get(d) for d in by)
            and ("period_start" not in expected
                 or same_instant(row["period_start"], expected["period_start"]))
        ]
        assert len(matches) == 1, f"no single row for {expected} in {printed['rows']}"
        row = matches[0]
        for metric in metrics:
            assert metric in expected, f"the case lists no {metric} for {expected}"
            assert close(row[metric], expected[metric]), (metric, row, expected)
