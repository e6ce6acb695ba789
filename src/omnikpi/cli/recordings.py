"""`omnikpi recordings analyze`: talk analytics of call recordings → ``talk_analytics``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from omnikpi.cli.main import app, fail
from omnikpi.cli.progress import progress_bar
from omnikpi.errors import OmniKPIError, UsageError

recordings_app = typer.Typer(help="Call recordings: talk analytics from the audio.",
                             no_args_is_help=True)
app.add_typer(recordings_app, name="recordings")
console = Console(soft_wrap=True)


@recordings_app.command("analyze")
def analyze(
    data: Annotated[Path, typer.Option(help="dataset folder (its contacts name the "
                                            "recordings in recording_uri)")],
    recordings: Annotated[Path | None, typer.Option(
        help="recordings folder (default: \\[recordings] folder of --config, else "
             "DATA/recordings); no file outside it is read")] = None,
    config: Annotated[Path | None, typer.Option(
        help="omnikpi.toml (\\[recordings]: folder, customer_channel, customer_leg)")] = None,
    format: Annotated[str | None, typer.Option(
        help="parquet|csv for a new talk_analytics table (default: the existing file's, "
             "else parquet)")] = None,
) -> None:
    """Measure talk, silence, overtalk and monologues of every recorded call not yet
    analysed, and add them to the dataset's talk_analytics table."""
    from omnikpi.config import load_config
    from omnikpi.recordings.analyze import analyze_dataset

    try:
        if format not in (None, "parquet", "csv"):
            raise UsageError(f"unknown format {format!r}: choose parquet or csv")
        if not data.is_dir():
            raise UsageError(f"--data {data} is not a dataset folder")
        if recordings is not None and not recordings.is_dir():
            raise UsageError(f"--recordings {recordings} is not a folder")
        settings = load_config(config)
        with progress_bar() as progress:
            task = progress.add_task("Analysing recordings", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            summary = analyze_dataset(data, settings, recordings, fmt=format,
                                      progress=advance)
    except OmniKPIError as exc:
        fail(exc)
    failed = sum(summary.failed.values())
    console.print(
        f"{summary.recorded} recorded contact(s): {summary.already} analysed before, "
        f"{summary.analysed} analysed now, {failed} not analysable; talk_analytics has "
        f"{summary.table_rows or summary.already} row(s)", highlight=False)
    for reason, count in summary.failed.most_common():
        console.print(f"  {count:>7} {reason} (first: {summary.first_failure[reason]})",
                      highlight=False)
