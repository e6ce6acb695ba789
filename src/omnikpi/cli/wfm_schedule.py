"""`omnikpi wfm schedule`: shifts, breaks and lunches from an interval requirement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from omnikpi.cli.main import fail
from omnikpi.cli.wfm import wfm_app
from omnikpi.errors import OmniKPIError, UsageError

console = Console()


@wfm_app.command("schedule")
def schedule_command(
    plan: Annotated[Path, typer.Option(help="CSV: interval_start, agents_required "
                                            "(`wfm plan --format csv`; optional skill)")],
    agents: Annotated[str, typer.Option(help="how many agents, or AGENTS.csv")],
    out: Annotated[Path, typer.Option(help="folder for shifts.csv, shift_activities.csv")],
    rules: Annotated[Path | None, typer.Option(help="shift rules (TOML)")] = None,
    shift_hours: Annotated[float, typer.Option(help="shift length, hours")] = 8.0,
    start_between: Annotated[str, typer.Option(help="shift starts allowed, HH:MM-HH:MM")]
    = "07:00-12:00",
    start_step: Annotated[int, typer.Option(help="shift start step, minutes")] = 30,
    lunch_minutes: Annotated[int, typer.Option(help="unpaid lunch, minutes (0: none)")] = 30,
    time_limit: Annotated[float | None, typer.Option(help="solver time limit, seconds")]
    = None,
    format: Annotated[str, typer.Option(help="table|json")] = "table",
    tz: Annotated[str | None, typer.Option(
        help="the center's IANA zone: when its clock changes (a plan's offsets only "
             "show it where a row falls on each side); a time without an offset is "
             "one of its wall times")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="overwrite the schedule already in --out (shifts.csv, "
                          "shift_activities.csv)")] = False,
) -> None:
    """Schedule agents (OR-Tools CP-SAT): the fewest agent-intervals short of the plan,
    then the fewest above it, then the least paid time; unpopular shifts spread fairly."""
    from omnikpi.engine.timezones import zone
    from omnikpi.wfm.schedule import (
        agents_option,
        build_schedule,
        read_plan,
        rules_from_options,
        rules_from_toml,
        write_schedule,
    )

    try:
        if format not in ("table", "json"):
            raise UsageError(f"unknown format {format!r}: choose table or json")
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {out} is a file: name a folder")
        if not replace:
            _refuse_to_overwrite(out)
        shift_rules = rules_from_options(shift_hours, start_between, start_step,
                                         lunch_minutes)
        if rules is not None:
            shift_rules = rules_from_toml(rules, shift_rules)
        if time_limit is not None and not 0 < time_limit <= 24 * 3600:
            raise UsageError("--time-limit must be 0–86400 seconds")
        requirement = read_plan(plan, zone(tz) if tz is not None else None)
        people = agents_option(agents)
        schedule = build_schedule(requirement, people, shift_rules, time_limit)
        shifts, _ = write_schedule(schedule, out)
    except OmniKPIError as exc:
        fail(exc)
    req = schedule.requirement
    rows = [{"interval_start": req.at(at).isoformat(), "skill": skill, "required": need,
             "scheduled": round(schedule.coverage.get((skill, at), 0.0), 3)}
            for (skill, at), need in sorted(req.required.items(), key=lambda i: i[0][::-1])]
    summary = {"under": round(schedule.under, 3), "over": round(schedule.over, 3),
               "status": schedule.status, "gap": round(schedule.gap, 6),
               "objective": schedule.objective, "bound": schedule.bound,
               "shifts": len(shifts), "agents_unused": len(schedule.unused_agents),
               "seconds": round(schedule.wall_seconds, 2)}
    if format == "json":
        typer.echo(json.dumps({**summary, "intervals": rows}))
        return
    table = Table(title=f"Coverage — {plan.name}")
    for column in ("interval_start", "skill", "required", "scheduled"):
        table.add_column(column, justify="left" if column in ("interval_start", "skill")
                         else "right")
    for r in rows:
        table.add_row(str(r["interval_start"]), str(r["skill"]) or "—", str(r["required"]),
                      f"{r['scheduled']:g}")
    console.print(table)
    console.print(
        f"{summary['status']} (gap {schedule.gap:.2%}), {len(shifts)} shifts; "
        f"short {schedule.under:g} and above {schedule.over:g} agent-intervals; "
        f"written to {out}/shifts.csv and shift_activities.csv", highlight=False)


SCHEDULE_FILES = ("shifts.csv", "shift_activities.csv")


def _refuse_to_overwrite(out: Path) -> None:
    """A usage error, before the solver runs, when ``out`` already holds a schedule: the
    demo's 63 real shifts were replaced without a word by ``--out`` naming its folder."""
    found = [name for name in SCHEDULE_FILES if (out / name).exists()]
    if found:
        raise UsageError(f"--out {out} already holds {' and '.join(found)}: the new "
                         "schedule would replace them; give --replace to overwrite them, or "
                         "another --out folder")
