"""`omnikpi simulate`: run a scenario into a canonical dataset; compare two scenarios."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from omnikpi.cli.main import app, fail
from omnikpi.cli.render import human
from omnikpi.errors import OmniKPIError, UsageError
from omnikpi.simulate.output import tables, write
from omnikpi.simulate.runner import simulate
from omnikpi.simulate.scenario import load_scenario

simulate_app = typer.Typer(help="Contact-center simulator: what-ifs before production.",
                           invoke_without_command=True)
app.add_typer(simulate_app, name="simulate")
console = Console()
COMPARE = ["offered", "service_level", "asa", "abandon_rate", "aht", "occupancy",
           "chat_occupancy_relative", "blocked_rate"]


def run_to_folder(scenario_path: Path, out: Path, seed: int | None, fmt: str) -> dict[str, int]:
    if fmt not in ("csv", "parquet"):
        raise UsageError(f"unknown format {fmt!r}: choose csv or parquet")
    scenario = load_scenario(scenario_path)
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"Simulating {scenario_path.name}", total=1.0)
        result = simulate(scenario, seed, lambda done: progress.update(task, completed=done))
        progress.update(task, completed=1.0)
    return write(tables(result), out, fmt)


@simulate_app.callback()
def simulate_root(
    ctx: typer.Context,
    scenario: Annotated[Path | None, typer.Option(help="scenario TOML")] = None,
    out: Annotated[Path | None, typer.Option(help="dataset folder to write")] = None,
    seed: Annotated[int | None, typer.Option(help="overrides the scenario's seed")] = None,
    format: Annotated[str, typer.Option(help="csv|parquet")] = "csv",
) -> None:
    """`omnikpi simulate --scenario FILE --out DIR [--seed N]` runs a scenario."""
    if ctx.invoked_subcommand is not None:
        return
    if scenario is None or out is None:
        fail(UsageError("give --scenario FILE and --out DIR (or a sub-command: run, compare)"))
    _run(scenario, out, seed, format)


def _run(scenario: Path, out: Path, seed: int | None, fmt: str) -> None:
    try:
        counts = run_to_folder(scenario, out, seed, fmt)
    except OmniKPIError as exc:
        fail(exc)
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    console.print(f"Wrote {out}: {summary}", highlight=False)


@simulate_app.command("run")
def run_command(
    scenario: Annotated[Path, typer.Option(help="scenario TOML")],
    out: Annotated[Path, typer.Option(help="dataset folder to write")],
    seed: Annotated[int | None, typer.Option(help="overrides the scenario's seed")] = None,
    format: Annotated[str, typer.Option(help="csv|parquet")] = "csv",
) -> None:
    """Run a scenario and write a canonical dataset."""
    _run(scenario, out, seed, format)


@simulate_app.command("compare")
def compare_command(
    first: Annotated[Path, typer.Argument(help="scenario A (TOML)")],
    second: Annotated[Path, typer.Argument(help="scenario B (TOML)")],
    seed: Annotated[int | None, typer.Option(help="same seed for both runs")] = None,
) -> None:
    """Run two scenarios and print their KPIs side by side (the engine's numbers)."""
    from omnikpi.engine.run import run_report
    from omnikpi.schema.dataset import load_dataset

    try:
        results = []
        with tempfile.TemporaryDirectory() as tmp:
            for index, path in enumerate((first, second)):
                folder = Path(tmp) / str(index)
                run_to_folder(path, folder, seed, "csv")
                dataset = load_dataset(folder)
                metrics = [m for m in COMPARE if m != "occupancy" or dataset.has("agent_states")]
                results.append(run_report(dataset, metrics).rows[0])
    except OmniKPIError as exc:
        fail(exc)
    table = Table(title="Scenario comparison (whole run)")
    table.add_column("metric")
    table.add_column(first.name, justify="right")
    table.add_column(second.name, justify="right")
    units = {"offered": "count", "asa": "seconds", "aht": "seconds"}
    for metric in COMPARE:
        unit = units.get(metric, "ratio")
        table.add_row(metric, human(results[0].get(metric), unit),
                      human(results[1].get(metric), unit))
    console.print(table)
