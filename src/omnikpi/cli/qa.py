"""`omnikpi qa …`: sampling contacts for evaluation, forms, export, calibration report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from omnikpi.cli.actor import cli_actor
from omnikpi.cli.main import app, fail
from omnikpi.errors import OmniKPIError, UsageError

qa_app = typer.Typer(help="Quality assurance: sampling, forms, export, calibration, "
                          "errors, coaching.",
                     no_args_is_help=True)
app.add_typer(qa_app, name="qa")
console = Console()
DatabaseOption = Annotated[str | None, typer.Option(
    "--database-url", help="SQLAlchemy URL (default: $OMNIKPI_DATABASE_URL or "
                           "sqlite:///omnikpi.db)")]


@qa_app.command("sample")
def sample(
    data: Annotated[Path, typer.Option(help="dataset folder")],
    rate: Annotated[float, typer.Option(help="share of handled contacts, e.g. 0.03")],
    seed: Annotated[int, typer.Option(help="the same seed draws the same sample")],
    min_per_agent: Annotated[int, typer.Option(help="at least this many per group")] = 1,
    by: Annotated[str, typer.Option(
        help="group(s) the rate applies to; agent_id is an agent id in its tenant")
    ] = "agent_id",
    from_: Annotated[str | None, typer.Option("--from", help="arrived at or after")] = None,
    to: Annotated[str | None, typer.Option(help="arrived before")] = None,
    tz: Annotated[str, typer.Option(help="zone of --from/--to without offset")] = "UTC",
    evaluator: Annotated[str | None, typer.Option(
        help="leave out what this evaluator was already given or evaluated (database)")
    ] = None,
    save: Annotated[str | None, typer.Option(
        help="store the sample under this name: evaluators work through it in the web UI")
    ] = None,
    format: Annotated[str, typer.Option(help="table | json")] = "table",
    database_url: DatabaseOption = None,
    risk: Annotated[bool, typer.Option(
        "--risk", help="risk-weighted: new and low-scoring agents get more, contacts with "
                       "a negative survey, a long handle time or flagged talk analytics "
                       "are likelier (weights: docs/qa.md); per agent, no chat chains")
    ] = False,
) -> None:
    """Draw a random, reproducible sample of handled contacts (chats chained)."""
    from omnikpi.qa.risk_sampling import draw_risk_sample
    from omnikpi.qa.sampling import draw_sample
    from omnikpi.qa.store import (
        already_given,
        evaluator_problem,
        samples_named,
        save_sample,
    )
    from omnikpi.schema.dataset import load_dataset
    from omnikpi.store.db import require_current

    try:
        _check_format(format)
        if evaluator or save:  # both read or write the database: it must be up to date
            require_current(database_url)
        dataset = load_dataset(data)
        exclude = already_given(evaluator, database_url) if evaluator else set()
        if risk and by != "agent_id":
            raise UsageError("--risk samples per agent: leave --by out")
        flags: dict[str, tuple[str, ...]] = {}
        if risk:
            weighted = draw_risk_sample(dataset, rate, seed, min_per_agent, from_, to, tz,
                                        exclude)
            drawn, flags = weighted.sample, weighted.flags
        else:
            drawn = draw_sample(dataset, rate, seed, min_per_agent,
                                tuple(b.strip() for b in by.split(",") if b.strip()),
                                from_, to, tz, exclude)
        if save:
            namesakes = samples_named(save, database_url)
            sample_id = save_sample(drawn, save, evaluator, cli_actor(), database_url, from_, to,
                                    min_per_agent, risk=risk, tz=tz)
            Console(stderr=True).print(
                f"saved sample {save!r} (id {sample_id}): {len(drawn.units)} contact(s)"
                + (f" for {evaluator}" if evaluator else "")
                + (f"; {namesakes} earlier sample(s) have the same name: the web lists "
                   "them by date" if namesakes else ""), highlight=False, markup=False)
            problem = evaluator_problem(evaluator, database_url) if evaluator else None
            if problem:
                way_out = (f"until `omnikpi users add {evaluator} --role supervisor` (or the "
                           "evaluator's own login is given to --evaluator)"
                           if problem.startswith("no account") else
                           "for nobody; give an administrator's or a supervisor's login "
                           "to --evaluator")
                Console(stderr=True).print(f"note: {problem}: the queue waits {way_out}",
                                           highlight=False, markup=False)
    except OmniKPIError as exc:
        fail(exc)
    if format == "json":
        out = drawn.to_json()
        if risk:
            out["flags"] = {k: list(v) for k, v in flags.items()}
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    table = Table(title=f"{len(drawn.units)} of {drawn.population} handled "
                        f"contact(s) · rate {rate:.1%} · seed {seed}")
    for column in ("contact_id", "agent_id", "channel", "queue", "chain", "risk"):
        table.add_column(column)
    for unit in drawn.units:
        table.add_row(unit.contact_id, unit.agent_id, unit.channel or "", unit.queue or "",
                      str(len(unit.chain)) if len(unit.chain) > 1 else "",
                      ", ".join(flags.get(unit.contact_id, ())))
    console.print(table)


@qa_app.command("forms")
def forms_import(
    files: Annotated[list[Path], typer.Argument(help="form TOML files (see qa_forms/)")],
    database_url: DatabaseOption = None,
) -> None:
    """Load QA forms; a form whose key exists becomes its next version."""
    from sqlalchemy import func, select

    from omnikpi.qa.forms import load_form_file, save_form
    from omnikpi.store.db import require_current, session_scope
    from omnikpi.store.models import QaForm

    try:
        require_current(database_url)
        with session_scope(database_url) as session:
            for path in files:
                before = session.scalar(select(func.max(QaForm.id)))
                form = save_form(session, load_form_file(path), cli_actor())
                same = before is not None and form.id <= before
                typer.echo(f"{path}: form {form.form_key} version {form.version} "
                           f"(id {form.id}){', unchanged' if same else ''}")
    except OmniKPIError as exc:
        fail(exc)


@qa_app.command("export")
def export(
    out: Annotated[Path, typer.Option(help="dataset folder to write qa tables into")],
    database_url: DatabaseOption = None,
) -> None:
    """Write every evaluation as canonical qa_evaluations / qa_items files."""
    from omnikpi.qa.evaluations import export_canonical
    from omnikpi.store.db import require_current, session_scope

    try:
        require_current(database_url)
        with session_scope(database_url) as session:
            evaluations, items = export_canonical(session, out)
    except OmniKPIError as exc:
        fail(exc)
    typer.echo(f"{evaluations} evaluation(s) and {items} item score(s) written to "
               f"{out}/qa_evaluations and {out}/qa_items")


@qa_app.command("calibration-report")
def calibration(
    session_id: Annotated[int, typer.Argument(help="calibration session id")],
    format: Annotated[str, typer.Option(help="table | json")] = "table",
    database_url: DatabaseOption = None,
) -> None:
    """Agreement of the evaluators of a calibration session, item by item."""
    from omnikpi.qa.calibration import calibration_report
    from omnikpi.store.db import require_current, session_scope

    try:
        _check_format(format)
        require_current(database_url)
        with session_scope(database_url) as session:
            report = calibration_report(session, session_id)
    except OmniKPIError as exc:
        fail(exc)
    if format == "json":
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    console.print(f"[bold]{report['name']}[/] · form {report['form']} · reference "
                  f"{report['reference']} · {report['evaluations']}/{report['expected']} "
                  f"evaluations · score alpha {_fmt(report['score_alpha'])}")
    table = Table("item", "group", "weight", "spread (sd)", "alpha")
    for row in report["items"]:
        table.add_row(row["item"], row["group"], f"{row['weight']:g}", _fmt(row["spread"]),
                      _fmt(row["alpha"]))
    console.print(table)
    versus = Table("evaluator", "contacts", "mean |Δ score|", "same verdict")
    for row in report["versus_reference"]:
        versus.add_row(row["evaluator"], str(row["contacts"]),
                       _fmt(row["mean_abs_difference"]), _fmt(row["same_verdict"]))
    console.print(versus)


@qa_app.command("errors")
def errors(
    kind: Annotated[str, typer.Option(help="process (for the process owner) | operator")
                    ] = "process",
    format: Annotated[str, typer.Option(help="table | json")] = "table",
    database_url: DatabaseOption = None,
) -> None:
    """Failed items of one kind by item and queue (calibration evaluations left out)."""
    from omnikpi.qa.coaching import error_report
    from omnikpi.qa.sight import EVERYTHING
    from omnikpi.store.db import require_current, session_scope

    try:
        _check_format(format)
        require_current(database_url)
        with session_scope(database_url) as session:
            rows = error_report(session, EVERYTHING, kind)
    except OmniKPIError as exc:
        fail(exc)
    if format == "json":
        typer.echo(json.dumps([{"item": r.item_key, "text": r.text, "queue": r.queue,
                                "errors": r.errors, "evaluations": r.evaluations}
                               for r in rows], ensure_ascii=False))
        return
    table = Table("item", "queue", "errors", "evaluations", "share",
                  title=f"{kind} errors by item and queue")
    for r in rows:
        table.add_row(r.item_key, r.queue or "—", str(r.errors), str(r.evaluations),
                      f"{r.share:.0%}")
    console.print(table)


@qa_app.command("coaching")
def coaching(
    agent: Annotated[str | None, typer.Option(help="one agent's sessions")] = None,
    format: Annotated[str, typer.Option(help="table | json")] = "table",
    database_url: DatabaseOption = None,
) -> None:
    """Coaching sessions with each covered item's score before and after."""
    from omnikpi.qa.coaching import session_json, sessions_of
    from omnikpi.qa.sight import EVERYTHING
    from omnikpi.store.db import require_current, session_scope

    try:
        _check_format(format)
        require_current(database_url)
        with session_scope(database_url) as session:
            found = [session_json(session, s)
                     for s in sessions_of(session, EVERYTHING, agent)]
    except OmniKPIError as exc:
        fail(exc)
    if format == "json":
        typer.echo(json.dumps(found, ensure_ascii=False))
        return
    if not found:  # an empty table said nothing: a misspelt agent, or nothing held yet
        typer.echo(f"no coaching session of agent {agent!r} (agent ids as in the data, "
                   "e.g. `omnikpi qa coaching` lists every session)" if agent else
                   "no coaching session yet (a coach opens one on the /qa/coaching page)",
                   err=True)
        return
    # an agent is an agent id in a tenant (ids repeat across an outsourcer's clients)
    table = Table("session", "held on", "agent", "tenant", "coach", "item", "before",
                  "after", "follow-up")
    for row in found:
        for item in row["items"]:
            table.add_row(str(row["id"]), row["held_on"], row["agent_id"],
                          row["tenant"] or "—", row["coach"],
                          item["item"], _fmt(item["before"]), _fmt(item["after"]),
                          row["follow_up_on"] or "—")
    console.print(table)


def _check_format(format: str) -> None:
    if format not in ("table", "json"):
        raise UsageError("--format must be table or json")


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
