"""The progress bar of a command's long work, on stderr, shown only to a person at a
terminal: to a pipe or a file rich wrote a bare newline when the bar ended, the first
line a script reading the command's output then saw."""

from __future__ import annotations

from rich.console import Console
from rich.progress import Progress


def progress_bar() -> Progress:
    """A transient bar on stderr, silent when stderr is not a terminal."""
    console = Console(stderr=True)
    return Progress(console=console, transient=True, disable=not console.is_terminal)
