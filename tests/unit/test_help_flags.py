"""``omnikpi … --help`` in an 80-column terminal: a flag shows no value (every command
showed ``--dry-run <bool>``, ``--no-auth <bool>``, ``--help <bool>``), and no default or
word of an option's help is cut (``serve --help`` showed ``./omnikpi-demo-d…``,
``$OMNIKPI_DATABAS…``, ``--no-secure-coo…``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from omnikpi.cli.main import app

ROOT = typer.main.get_command(app)


def _paths(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in getattr(command, "commands", {}).items():
        found += _paths(sub, (*path, name))
    return found


def _command(path: tuple[str, ...]) -> Any:
    command: Any = ROOT
    for name in path:
        command = command.commands[name]
    return command


def _help(path: tuple[str, ...]) -> str:
    done = CliRunner().invoke(app, [*path, "--help"], terminal_width=80,
                              env={"COLUMNS": "80"})
    assert done.exit_code == 0, done.output
    return done.output


def _written_ellipses(command: Any) -> int:
    """The "…" the command's own words hold (prose such as "occupancy…")."""
    words = [command.help or "", *(getattr(p, "help", None) or "" for p in command.params),
             *(str(p.default) for p in command.params),
             *(sub.short_help or sub.help or "" for sub in
               getattr(command, "commands", {}).values())]
    return sum(w.count("…") for w in words)


@pytest.mark.parametrize("path", _paths(ROOT), ids=lambda p: " ".join(p) or "omnikpi")
def test_no_flag_shows_a_value_and_nothing_is_cut(path: tuple[str, ...]) -> None:
    shown = _help(path)
    assert "<bool>" not in shown
    assert shown.count("…") <= _written_ellipses(_command(path)), shown


def _cells(shown: str) -> str:
    """The options panel's text with the borders and line breaks gone, so that a word
    folded onto the next line of its cell reads whole again when the cell is the last one
    on the line (the help column)."""
    lines = [line.strip("│ ") for line in shown.splitlines() if line.startswith("│")]
    return "".join(re.sub(r"\s+", "", line) for line in lines)


def test_serve_shows_its_defaults_whole_at_80_columns() -> None:
    shown = _help(("serve",))
    assert "…" not in shown
    assert re.search(r"--no-auth\s+single-user demo", shown)  # no value between them
    text = _cells(shown)
    for whole in ("./omnikpi-demo-data)", "$OMNIKPI_DATABASE_URL", "sqlite:///omnikpi.db)",
                  "[default:no-secure-cookies]", "$FORWARDED_ALLOW_IPS"):
        assert whole in text, whole
    lines = shown.splitlines()  # the negative flag's name, folded onto the next line
    at = next(i for i, line in enumerate(lines) if "--no-secure-coo" in line)
    found = re.search(r"--no-secure-coo\S*", lines[at])
    assert found is not None
    first = found.group()
    rest = "" if first == "--no-secure-cookies" else lines[at + 1].split()[1]
    assert first + rest == "--no-secure-cookies"
