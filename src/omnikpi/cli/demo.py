"""`omnikpi demo`: the README's first command — a real report on bundled demo data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from omnikpi.cli.main import app, fail
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.errors import OmniKPIError

console = Console()

ACCESSIBILITY = ["offered", "answered", "abandon_rate", "service_level", "asa", "avg_wait",
                 "max_wait", "avg_time_late", "aht", "transfer_rate", "fcr"]
AGENTS = ["occupancy", "chat_occupancy_relative", "chat_occupancy_absolute", "accs", "mccs",
          "transactions_per_hour"]


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="folder for the JSON and CSV outputs")] = Path(
        "out/demo"),
    tz: Annotated[str, typer.Option(help="reporting time zone")] = "Europe/Kyiv",
    engine: Annotated[str, typer.Option(help="duckdb|spark")] = "duckdb",
) -> None:
    """Print KPI reports on the bundled omnichannel demo data and write them to JSON/CSV."""
    from omnikpi.cli.render import best_table
    from omnikpi.engine.run import run_report
    from omnikpi.export import to_csv_text, to_json_text
    from omnikpi.schema.dataset import load_dataset

    try:
        dataset = load_dataset(DEMO_DATA_DIR)
        out.mkdir(parents=True, exist_ok=True)
        reports = {
            "by_queue": run_report(dataset, ACCESSIBILITY, by=["queue", "channel"], tz=tz,
                                   engine=engine, params={"fcr.window_hours": 24}),
            "by_day": run_report(dataset, ["offered", "service_level", "asa", "abandon_rate",
                                           "aht"], by=["channel"], grain="day", tz=tz,
                                 engine=engine),
            "agents": run_report(dataset, AGENTS, by=["site"], tz=tz, engine=engine,
                                 params={"transactions_per_hour.per": "logged_in"}),
        }
        intervals = run_report(dataset, ["offered", "service_level"], by=["channel"],
                               grain="hour", tz=tz, engine=engine)
        per_agent = run_report(dataset, ["occupancy", "chat_occupancy_relative"],
                               by=["agent_id"], tz=tz, engine=engine)
    except OmniKPIError as exc:
        fail(exc)
    titles = {
        "by_queue": "Accessibility, productivity and quality by queue",
        "by_day": "Daily trend by channel",
        "agents": "Agent time and chat concurrency by site",
    }
    for name, result in reports.items():
        console.print(best_table(result, console.width, title=titles[name]))
        (out / f"{name}.json").write_text(to_json_text(result), encoding="utf-8")
        (out / f"{name}.csv").write_text(to_csv_text(result), encoding="utf-8")
    from omnikpi.cli.demo_charts import write_demo_page  # Plotly: only for this command

    write_demo_page(intervals, per_agent, out / "dashboard.html")
    console.print(
        f"Charts: {out / 'dashboard.html'} (open it in a browser; works offline).\n"
        f"Data: {DEMO_DATA_DIR} ({sum(load.rows_loaded for load in dataset.loads.values())} "
        f"rows). Reports written to {out}/ as JSON and CSV. Times in {tz}.\n"
        "Next: `uv run omnikpi serve --no-auth` serves the dashboards, report builder, live "
        "wallboard and QA module on http://127.0.0.1:8000 (docs/web.md).",
        highlight=False,
    )
