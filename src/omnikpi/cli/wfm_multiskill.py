"""`omnikpi wfm staff-multiskill`: agents per group for several skills, by simulation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from omnikpi.cli.main import fail
from omnikpi.cli.wfm import Format, Threshold, console, wfm_app
from omnikpi.errors import OmniKPIError, UsageError

if TYPE_CHECKING:
    from omnikpi.wfm.multiskill import Target


def _targets(queues: list[str], target_sl: float, threshold: float,
             overrides: list[str]) -> dict[str, Target]:
    from omnikpi.wfm.multiskill import Target

    if not 0 < target_sl < 1:
        raise UsageError(f"--target-sl must be between 0 and 1 (exclusive), got {target_sl}")
    if not 0 <= threshold <= 86_400:
        raise UsageError(f"--threshold must be from 0 to 86400 seconds, got {threshold}")
    targets = {q: Target(target_sl, threshold) for q in queues}
    for item in overrides:
        name, sep, rest = item.partition("=")
        sl_text, _, seconds_text = rest.partition(":")
        try:
            sl = float(sl_text)
            seconds = float(seconds_text) if seconds_text else threshold
        except ValueError:
            sl = seconds = float("nan")
        if not sep or name not in queues or not 0 < sl < 1 or not 0 <= seconds <= 86_400:
            raise UsageError(f"bad --target {item!r}: write QUEUE=SL[:SECONDS] with a queue "
                             f"of the scenario ({', '.join(queues)}) and 0 < SL < 1")
        targets[name] = Target(sl, seconds)
    return targets


@wfm_app.command("staff-multiskill")
def staff_multiskill_command(
    scenario: Annotated[Path, typer.Option(help="simulator scenario (TOML): queues, "
                                           "agent groups with skills, routing")],
    target_sl: Annotated[float, typer.Option(help="target service level 0–1, every queue")],
    threshold: Threshold,
    target: Annotated[list[str] | None, typer.Option(
        help="QUEUE=SL[:SECONDS] for one queue (repeatable)")] = None,
    replications: Annotated[int, typer.Option(help="simulation runs per candidate")] = 5,
    warmup_hours: Annotated[float, typer.Option(
        help="hours at the start left out of the SL (empty queues)")] = 0.5,
    max_agents: Annotated[int, typer.Option(help="give up above this many agents")] = 500,
    format: Format = "table",
) -> None:
    """The fewest agents per agent group meeting every queue's SL target, by simulation."""
    from omnikpi.simulate.scenario import load_scenario
    from omnikpi.wfm.multiskill import MAX_REPLICATIONS, staff_multiskill

    try:
        if format not in ("table", "json"):
            raise UsageError(f"unknown format {format!r}: choose table or json")
        if not 2 <= replications <= MAX_REPLICATIONS:
            raise UsageError(f"--replications must be from 2 to {MAX_REPLICATIONS}, "
                             f"got {replications}")
        if not 1 <= max_agents <= 5000:
            raise UsageError(f"--max-agents must be from 1 to 5000, got {max_agents}")
        loaded = load_scenario(scenario)
        if not 0 <= warmup_hours < loaded.hours():
            raise UsageError(f"--warmup-hours must be from 0 to less than the scenario's "
                             f"{loaded.hours():g} hours, got {warmup_hours}")
        targets = _targets([q.name for q in loaded.queues], target_sl, threshold,
                           target or [])
        found = staff_multiskill(loaded, targets, replications, warmup_hours, max_agents)
    except OmniKPIError as exc:
        fail(exc)
    best = found.best
    if format == "json":
        typer.echo(json.dumps({**best.to_json(), "candidates_simulated": found.evaluations}))
        return
    console.print(f"{found.evaluations} staffings simulated, {replications} runs each",
                  highlight=False)
    table = Table(title="Agents per group")
    table.add_column("agent group")
    table.add_column("agents", justify="right")
    for name, count in best.agents.items():
        table.add_row(name, str(count))
    console.print(table)
    queues = Table(title="Service level per queue")
    for column in ("queue", "target", "SL", "95 % CI", "ASA"):
        queues.add_column(column, justify="left" if column == "queue" else "right")
    for q in best.queues:
        queues.add_row(q.queue, f"{q.target.service_level:.0%} in "
                       f"{q.target.threshold_seconds:g} s", f"{q.service_level:.1%}",
                       f"{q.ci_low:.1%}–{q.ci_high:.1%}",
                       "—" if q.asa_seconds is None else f"{q.asa_seconds:.1f} s")
    console.print(queues)
