"""Every command line the documentation shows is one the program accepts.

A newcomer copies commands from the README and docs/ (the CLI contract among them); a
renamed option or subcommand left in a page is a first error message before any number.
Each ``omnikpi …`` written in a page (lines continued with ``\\`` joined) is resolved
against the real command tree: its subcommands must exist, and every ``--option`` after
them (up to a ``#`` comment or a parenthesis) must be one of that command's options.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import typer.main

from omnikpi.cli.main import app

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
INVOCATION = re.compile(r"omnikpi((?: [a-z][a-z-]*)+)([^`\n|;&]*)")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def _options(command: click.Command) -> set[str]:
    found = {"--help"}
    for parameter in command.params:
        found.update(o for o in [*parameter.opts, *parameter.secondary_opts]
                     if o.startswith("--"))
    return found


def _subcommands(command: click.Command) -> dict[str, click.Command]:
    """A group's commands (the CLI's groups are Typer's, not all ``click.Group``)."""
    return dict(getattr(command, "commands", {}))


def problems_in(text: str, where: str) -> list[str]:
    """The commands of ``text`` the program would refuse, one line each."""
    root = typer.main.get_command(app)
    found = []
    joined = re.sub(r"\\\n\s*", " ", text)
    for number, line in enumerate(joined.splitlines(), 1):
        for match in INVOCATION.finditer(line):
            words = match.group(1).split()
            command: click.Command = root
            path: list[str] = []
            for word in words:
                sub = _subcommands(command).get(word)
                if sub is None:
                    break
                command, path = sub, [*path, word]
            if not path:
                continue  # prose: "omnikpi is …"
            if _subcommands(command):
                if len(words) > len(path):
                    found.append(f"{where}:{number}: no command "
                                 f"`omnikpi {' '.join(words[:len(path) + 1])}`")
                continue
            rest = (" ".join(words[len(path):]) + " " + match.group(2))
            rest = rest.split("#")[0].split("(")[0]
            for option in OPTION.findall(rest):
                if option not in _options(command):
                    found.append(f"{where}:{number}: `omnikpi {' '.join(path)}` has no "
                                 f"{option}")
    return found


def test_the_check_finds_a_wrong_option_and_a_wrong_command() -> None:
    page = ("uv run omnikpi serve --data DIR --no-such-flag\n"
            "omnikpi wfm stafing --agents 3\n"
            "omnikpi report --data DIR \\\n  --metrics asa --by nonsense-not --formatt csv\n"
            "omnikpi is a program  # prose\n"
            "omnikpi serve --no-auth   # (--or-this in a comment)\n")
    assert problems_in(page, "page") == [
        "page:1: `omnikpi serve` has no --no-such-flag",
        "page:2: no command `omnikpi wfm stafing`",
        "page:3: `omnikpi report` has no --formatt"]


def test_every_command_the_docs_show_is_accepted() -> None:
    found = [problem for page in PAGES
             for problem in problems_in(page.read_text(encoding="utf-8"),
                                        str(page.relative_to(REPO)))]
    assert found == []
