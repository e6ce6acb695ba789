"""The lists of commands in ``omnikpi … --help`` show each summary as one sentence.

Typer keeps the line breaks of a docstring's first paragraph in a group's list of
commands, so a summary wrapped in the source broke mid-sentence on screen ("… in a
dataset's\\n talk_analytics table")."""

from __future__ import annotations

import pytest
import typer.main
from rich.text import Text
from typer.core import TyperGroup
from typer.testing import CliRunner

from omnikpi.cli.main import app

ROOT = typer.main.get_command(app)
GROUPS = [name for name, command in ROOT.commands.items()  # type: ignore[attr-defined]
          if isinstance(command, TyperGroup)]


def _listed(args: list[str]) -> str:
    done = CliRunner().invoke(app, [*args, "--help"], terminal_width=400,
                              env={"COLUMNS": "400"})
    assert done.exit_code == 0, done.output
    return done.output


@pytest.mark.parametrize("group", ["", *GROUPS])
def test_every_summary_is_one_line(group: str) -> None:
    args = [group] if group else []
    command = ROOT.commands[group] if group else ROOT  # type: ignore[attr-defined]
    shown = _listed(args)
    assert isinstance(command, TyperGroup)
    for name, sub in command.commands.items():
        summary = Text.from_markup(" ".join((sub.help or "").split("\n\n")[0].split())).plain
        assert summary, f"{name} has no help"
        assert f"{name} " in shown and summary in shown, (name, summary)


def test_the_groups_are_all_listed() -> None:
    assert {"qa", "wfm", "users", "schedule", "db"} <= set(GROUPS)
