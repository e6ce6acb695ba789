"""The `omnikpi` command: one Typer app, sub-commands registered from their own modules."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console

from omnikpi.errors import OmniKPIError

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
