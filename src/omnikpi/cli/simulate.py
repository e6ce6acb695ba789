"""`omnikpi simulate`: run a scenario into a canonical dataset; compare two scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from omnikpi.cli.main import app, fail
from omnikpi.cli.progress import progress_bar
from omnikpi.errors import OmniKPIError, UsageError

simulate_app = typer.Typer(help="Contact-center simulator: what-ifs before production.",
                           invoke_without_command=True)
app.add_typer(simulate_app, name="simulate")
console = Console()


def run_to_folder(scenario_path: Path, out: Path, seed: int | None,
                  fmt: str) -> tuple[dict[str, int], Path | None]:
    """The run's tables written to ``out`` (row counts), and the configuration file
    written beside them when its chat agents' capacity is not the default."""
    from omnikpi.simulate.output import CONFIG_FILE, capacity_config, tables, write
    from omnikpi.simulate.runner import simulate
    from omnikpi.simulate.scenario import load_scenario

    if fmt not in ("csv", "parquet"):
        raise UsageError(f"unknown format {fmt!r}: choose csv or parquet")
    if out.exists() and not out.is_dir():  # said "cannot use out: File exists", after the run
        raise UsageError(f"--out {out} is a file: name the dataset folder to write "
                         "(created when missing)")
    scenario = load_scenario(scenario_path)
    with progress_bar() as progress:
        task = progress.add_task(f"Simulating {scenario_path.name}", total=1.0)
        result = simulate(scenario, seed, lambda done: progress.update(task, completed=done))
        progress.update(task, completed=1.0)
    counts = write(tables(result), out, fmt)
    config = capacity_config(result)
    if config is None:
        return counts, None
    (out / CONFIG_FILE).write_text(config, encoding="utf-8")
    return counts, out / CONFIG_FILE


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
    if scenario is None and out is None:  # `omnikpi simulate` alone: its help, as `wfm`
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    if scenario is None or out is None:
        fail(UsageError("give --scenario FILE and --out DIR (or a sub-command: run, compare)"))
    _run(scenario, out, seed, format)


def _run(scenario: Path, out: Path, seed: int | None, fmt: str) -> None:
    try:
        counts, config = run_to_folder(scenario, out, seed, fmt)
    except OmniKPIError as exc:
        fail(exc)
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    console.print(f"Wrote {out}: {summary}", highlight=False)
    if config is not None:
        console.print(f"Its chat agents' capacities are in {config}: report with "
                      f"--config {config} to measure chat occupancy against them.",
                      highlight=False)


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
    first: Annotated[Path, typer.Argument(help="scenario A, the baseline (TOML)")],
    second: Annotated[Path, typer.Argument(help="scenario B, the what-if (TOML)")],
    seed: Annotated[int | None, typer.Option(
        help="seed of both runs (default: the baseline's)")] = None,
    format: Annotated[str, typer.Option(help="table|json")] = "table",
    replications: Annotated[int, typer.Option(
        help="run both N times (seeds SEED, SEED+1, …): each figure's mean, and the "
             "difference with its 95 % confidence interval")] = 1,
    config: Annotated[Path | None, typer.Option(
        help="the center's omnikpi.toml: both runs are measured with its channel and "
             "queue thresholds and modes, as its reports are (default: the built-in "
             "ones)")] = None,
) -> None:
    """Run two scenarios with the same callers and print their KPIs side by side, per
    channel and for the whole center (the engine's numbers)."""
    from omnikpi.cli.render import human
    from omnikpi.metrics.base import get_metric
    from omnikpi.simulate.compare import Comparison, compare
    from omnikpi.simulate.replications import Replicated, replicate
    from omnikpi.simulate.scenario import load_scenario

    if format not in ("table", "json"):
        fail(UsageError(f"unknown format {format!r}: choose table or json"))
    from omnikpi.config import load_config

    try:
        settings = load_config(config)
        baseline, whatif = load_scenario(first), load_scenario(second)
        with progress_bar() as progress:
            task = progress.add_task(
                "Simulating both scenarios" + (f", {replications} seeds"
                                               if replications != 1 else ""), total=1.0)


            def advance(done: float) -> None:
                progress.update(task, completed=done)

            found: Comparison | Replicated
            if replications == 1:
                found = compare(baseline, whatif, seed, advance, config=settings)
            else:
                found = replicate(baseline, whatif, replications, seed, advance,
                                  config=settings)
    except OmniKPIError as exc:
        fail(exc)
    figures = found.as_json()
    if format == "json":
        print(json.dumps(figures, indent=2))
        return
    baseline_name, whatif_name = _distinct_names(first, second)
    for title, rows in _tables(figures):
        table = Table(title=title)
        table.add_column("metric")
        mean = " (mean)" if replications != 1 else ""
        table.add_column(f"baseline ({baseline_name}){mean}", justify="right")
        table.add_column(f"what-if ({whatif_name}){mean}", justify="right")
        if replications != 1:
            table.add_column("difference (95 % interval)", justify="right")
        for metric_id, pair in rows.items():
            unit = get_metric(metric_id).unit
            cells = [human(pair["baseline"], unit), human(pair["whatif"], unit)]
            if replications != 1:
                cells.append(_difference(pair["difference"], unit))
            table.add_row(metric_id, *cells)
        console.print(table)
    if replications != 1:
        console.print(f"{replications} replications, seeds {figures['seeds'][0]}–"
                      f"{figures['seeds'][-1]}: an interval that does not include 0 is a "
                      "difference the seeds do not explain.", highlight=False)


def _difference(found: dict[str, Any] | None, unit: str) -> str:
    """What-if − baseline ± the half-width of its interval: ``+3.1 ± 1.2 pts``; rates in
    percentage points, durations in seconds, counts as they are."""
    from omnikpi.formatting import NO_VALUE

    if found is None:
        return NO_VALUE
    scale, decimals, suffix = {"ratio": (100, 1, " pts"), "seconds": (1, 1, " s"),
                               "count": (1, 1, "")}.get(unit, (1, 2, ""))
    mean = round(found["mean"] * scale, decimals) + 0.0  # never "-0.0"
    text = f"{mean:+,.{decimals}f}"
    if found["high"] is not None:
        half = (found["high"] - found["mean"]) * scale
        text += f" ± {half:,.{decimals}f}"
    return text + suffix


def _distinct_names(first: Path, second: Path) -> tuple[str, str]:
    """The two scenarios' names in the table's header: the files' names, or as many of
    their paths' last parts as tell them apart (a/s.toml and b/s.toml were both headed
    ``s.toml``). The same file twice is the same name; "baseline" and "what-if" before
    them tell the columns apart."""
    a, b = first.parts, second.parts
    for count in range(1, max(len(a), len(b)) + 1):
        shown_a, shown_b = str(Path(*a[-count:])), str(Path(*b[-count:]))
        if shown_a != shown_b:
            return shown_a, shown_b
    return str(first), str(second)


def _tables(found: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The comparison's tables: one per channel, the center's agent time, then one per
    outbound campaign."""
    tables = [(f"{channel} (whole run)", rows) for channel, rows in found["channels"].items()]
    campaigns = [(f"campaign {name} (whole run)", rows)
                 for name, rows in found["campaigns"].items()]
    return [*tables, ("Whole center: agents' time", found["center"]), *campaigns]
