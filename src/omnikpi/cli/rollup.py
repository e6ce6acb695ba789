"""`omnikpi rollup --data DIR`: build or refresh the stored sums long-range reports read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from omnikpi.cli.main import app, fail
from omnikpi.errors import OmniKPIError


@app.command()
def rollup(
    data: Annotated[Path, typer.Option(help="dataset folder (canonical tables)")],
    config: Annotated[Path | None, typer.Option(help="omnikpi.toml with channel modes, "
                                                     "thresholds, capacity")] = None,
    full: Annotated[bool, typer.Option(
        "--full", help="compute every day again (default: only new or changed files' days)")
    ] = False,
) -> None:
    """Keep per-15-minute sums of the additive contact metrics in DIR/_rollups.

    Reports read them instead of the contacts wherever the numbers are the same
    (docs/rollups.md); run it after each import, or let `omnikpi serve` do it.
    """
    from rich.console import Console

    from omnikpi.config import load_config
    from omnikpi.rollup import refresh
    from omnikpi.schema.dataset import load_dataset

    # minutes at 100 M contacts: say what is running (on a terminal; nothing in a pipe)
    console = Console(stderr=True)
    try:
        cfg = load_config(config)
        with console.status(f"Loading and validating {data} …"):
            dataset = load_dataset(data)
        try:
            with console.status("Computing the rollup's days (a first build reads every "
                                "contact) …"):
                result = refresh(dataset, cfg, full=full)
        finally:
            dataset.close()
    except OmniKPIError as exc:
        fail(exc)
    what = ("up to date" if not result.written else
            f"{'built' if result.full else 'refreshed'} {result.days} UTC day(s)")
    typer.echo(f"rollup {what} in {result.seconds:.2f} s: {result.rows:,} rows, "
               f"{result.open_rows:,} unresolved contacts kept as rows, in {result.folder}")
