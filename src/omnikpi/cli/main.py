"""The `omnikpi` command: one Typer app, sub-commands registered from their own modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from omnikpi.errors import OmniKPIError, UsageError


class CommandGroup(TyperGroup):
    """The ``omnikpi`` command: a file that cannot be used as named (a folder given for a
    file, a file for a folder, a name too long, no permission, bytes that are not UTF-8)
    is a usage error that names it, exit code 2, in every command — not a traceback.
    Output into a pipe whose reader has gone (``omnikpi validate … | head``) is not a file
    someone named: it ends the command quietly, as click does for the whole program."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command, its summary in the list of commands on one line (``omnikpi users
        --help``): Typer keeps the line breaks of a docstring's first paragraph there,
        so a summary wrapped at 88 columns in the source broke mid-sentence on screen."""
        command = super().get_command(ctx, cmd_name)
        for listed in (command, *getattr(command, "commands", {}).values()):
            if listed is not None and listed.help and not listed.short_help:
                listed.short_help = " ".join(listed.help.split("\n\n")[0].split())
        if command is not None:
            readable_help(command, ctx)
        return command

    def get_help_option(self, ctx: Any) -> Any:
        """``omnikpi --help``'s own ``--help``, shown without a value (see
        :func:`readable_help`)."""
        option = super().get_help_option(ctx)
        _no_value_shown(option)
        return option

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _fold_long_words()
        super().format_help(ctx, formatter)

    def invoke(self, ctx: Any) -> Any:  # a click Context (typer vendors click)
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise  # click's main: exit 1, nothing printed, no error at interpreter exit
        except OSError as exc:
            fail(UsageError(path_error(exc)))
        except UnicodeDecodeError as exc:
            fail(UsageError(f"a file is not UTF-8 text: {exc.reason} at byte {exc.start:,}"))
        except Exception as exc:
            # a database that refused a write (a read-only file) or is not a database: its
            # words, never the statement whose parameters held a password hash
            from omnikpi.store.db import database_problem

            problem = database_problem(exc)
            if problem is None:
                raise
            fail(UsageError(problem))



def _no_value_shown(option: Any) -> None:
    """A flag takes no value: its help shows none (Typer printed ``--dry-run <bool>``,
    ``--help <bool>``, as if the command wanted ``--dry-run true``)."""
    if option is not None and getattr(option, "is_flag", False) \
            and not getattr(option, "count", False):
        option.metavar = ""


def _folding_before_help(option: Any) -> None:
    """``--help`` first makes long words fold (:func:`_fold_long_words`): done when help
    is shown only, so a command that computes pays nothing for it."""
    shown = getattr(option, "callback", None)
    if shown is None or getattr(shown, "folds", False):
        return

    def show(ctx: Any, param: Any, value: Any) -> Any:
        if value:
            _fold_long_words()
        return shown(ctx, param, value)

    show.folds = True  # type: ignore[attr-defined]
    option.callback = show


def readable_help(command: Any, ctx: Any) -> None:
    """Every flag of ``command`` and of its subcommands, ``--help`` included, shown
    without a value; long words in the help fold instead of being cut (see
    :func:`_fold_long_words`)."""
    for param in getattr(command, "params", ()):
        _no_value_shown(param)
    get_help_option = getattr(command, "get_help_option", None)
    if get_help_option is not None:
        option = get_help_option(ctx)  # made once per command, then reused
        _no_value_shown(option)
        _folding_before_help(option)
    for sub in getattr(command, "commands", {}).values():
        readable_help(sub, ctx)


_folding = False


def _fold_long_words() -> None:
    """An option's help whose word is wider than its column is folded onto the next line,
    whole: in 80 columns ``serve --help`` showed ``./omnikpi-demo-d…``,
    ``$OMNIKPI_DATABAS…`` and ``[default: no-secure-cookie…`` (Rich's table cuts a word
    too long for its cell unless the text itself says to fold). Typer builds the cell from
    ``typer.rich_utils._get_parameter_help``; it is wrapped once, and left alone if a
    later Typer no longer has it (the help then stays readable, only cut)."""
    global _folding
    if _folding:
        return
    _folding = True
    try:
        from typer import rich_utils
    except ImportError:  # pragma: no cover - Typer without Rich: click's plain help
        return
    build = getattr(rich_utils, "_get_parameter_help", None)
    if build is None:  # pragma: no cover - another Typer
        return

    from rich.text import Text

    def folded(*args: Any, **kwargs: Any) -> Any:
        cell = build(*args, **kwargs)
        for part in getattr(cell, "renderables", ()):
            if isinstance(part, Text):
                part.overflow = "fold"
        return cell

    def folding(highlight: Any) -> Any:
        """The option names' cells (``--no-secure-cookies`` was ``--no-secure-coo…``)."""
        def names(text: Any) -> Any:
            shown = highlight(text)
            if isinstance(shown, Text):
                shown.overflow = "fold"
            return shown
        return names

    rich_utils._get_parameter_help = folded
    for name in ("highlighter", "negative_highlighter"):
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, folding(getattr(rich_utils, name)))


def path_error(exc: OSError) -> str:
    """``cannot use data: Is a directory`` from an ``OSError`` on a path someone gave."""
    name = exc.filename if exc.filename is not None else "a file"
    shown = str(name)[:200]
    if isinstance(exc, FileExistsError) and Path(name).is_file():
        # mkdir's "File exists" on a file where OmniKPI keeps a folder (``_rollups``)
        return (f"cannot use {shown}: it is a file where a folder is needed; move or "
                "rename the file and run again")
    if isinstance(exc, NotADirectoryError):
        return (f"cannot use {shown}: a part of that path is a file, not a folder; move or "
                "rename it and run again")
    return f"cannot use {shown}: {exc.strerror or exc}"


app = typer.Typer(
    cls=CommandGroup,
    name="omnikpi",
    help="OmniKPI: exact contact-center KPIs over voice, chat, e-mail and more.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


def fail(error: OmniKPIError) -> NoReturn:
    """Print an OmniKPI error for a person and exit with the contract's code."""
    # the message as written: "[alerts] webhook_allowed_hosts" is a section, not markup
    err_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False,
                      soft_wrap=True)
    raise typer.Exit(error.exit_code)


def check_output(path: Path | None) -> None:
    """A usage error, before any work, when ``--output`` names a file that cannot be
    written (a missing folder, a folder itself, no permission)."""
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if path.is_dir():
            raise UsageError(f"--output {path} is a folder: name a file in it")
        if not folder.is_dir():
            raise UsageError(f"--output {path}: the folder {folder} does not exist")
        writable = os.access(folder, os.W_OK) and \
            (not path.exists() or os.access(path, os.W_OK))
    except OSError as exc:  # a name too long, a loop of links…
        raise UsageError(f"--output: {path_error(exc)}") from None
    if not writable:
        raise UsageError(f"--output {path}: no permission to write there")


# Sub-command modules register themselves on `app` (or add a sub-app) when imported.
# Keep one import per line so that parallel work touches different lines.
from omnikpi.cli import accounts as _accounts  # noqa: E402,F401
from omnikpi.cli import audit as _audit  # noqa: E402,F401
from omnikpi.cli import demo as _demo  # noqa: E402,F401
from omnikpi.cli import importer as _importer  # noqa: E402,F401
from omnikpi.cli import qa as _qa  # noqa: E402,F401
from omnikpi.cli import recordings as _recordings  # noqa: E402,F401
from omnikpi.cli import report as _report  # noqa: E402,F401
from omnikpi.cli import rollup as _rollup  # noqa: E402,F401
from omnikpi.cli import schedule as _schedule  # noqa: E402,F401
from omnikpi.cli import serve as _serve  # noqa: E402,F401
from omnikpi.cli import simulate as _simulate  # noqa: E402,F401
from omnikpi.cli import wfm as _wfm  # noqa: E402,F401
from omnikpi.cli import wfm_forecast as _wfm_forecast  # noqa: E402,F401
from omnikpi.cli import wfm_multiskill as _wfm_multiskill  # noqa: E402,F401
from omnikpi.cli import wfm_schedule as _wfm_schedule  # noqa: E402,F401


def main() -> None:  # pragma: no cover - console entry point
    app(sys.argv[1:])
