"""The `omnikpi` command: one Typer app, sub-commands registered from their own modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from omnikpi.errors import OmniKPIError, UsageError

app = typer.Typer(
    name="omnikpi",
    help="OmniKPI: exact contact-center KPIs over voice, chat, e-mail and more.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


def fail(error: OmniKPIError) -> NoReturn:
    """Print an OmniKPI error for a person and exit with the contract's code."""
    err_console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    raise typer.Exit(error.exit_code)


def check_output(path: Path | None) -> None:
    """A usage error, before any work, when ``--output`` names a file that cannot be
    written (a missing folder, a folder itself, no permission)."""
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"--output {path} is a folder: name a file in it")
    if not folder.is_dir():
        raise UsageError(f"--output {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"--output {path}: no permission to write there")


# Sub-command modules register themselves on `app` (or add a sub-app) when imported.
# Keep one import per line so that parallel work touches different lines.
from omnikpi.cli import accounts as _accounts  # noqa: E402,F401
from omnikpi.cli import demo as _demo  # noqa: E402,F401
from omnikpi.cli import importer as _importer  # noqa: E402,F401
from omnikpi.cli import qa as _qa  # noqa: E402,F401
from omnikpi.cli import report as _report  # noqa: E402,F401
from omnikpi.cli import serve as _serve  # noqa: E402,F401
from omnikpi.cli import simulate as _simulate  # noqa: E402,F401
from omnikpi.cli import wfm as _wfm  # noqa: E402,F401


def main() -> None:  # pragma: no cover - console entry point
    app(sys.argv[1:])
