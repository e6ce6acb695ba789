"""`omnikpi report`, `omnikpi validate` and `omnikpi catalog` (the command-line contract)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from omnikpi.cli.main import app, check_output, err_console, fail
from omnikpi.errors import OmniKPIError, UsageError

if TYPE_CHECKING:  # the engine is imported by the commands that run it, not by --help
    from omnikpi.engine.result import ReportResult
    from omnikpi.request import ReportRequest
    from omnikpi.schema.dataset import Dataset

console = Console()


REPORT_FORMATS = ("table", "json", "csv", "xlsx", "pdf")
TABLE_SUFFIXES = ("", "txt", "text", "log")
"""Extensions of ``--output`` that mean the terminal table (none, or plain text)."""


def _format_of(output: Path | None) -> str:
    """The format ``--output``'s extension names: a report format, the table for plain
    text or no extension, else a usage error — ``--output report.parquet`` wrote the
    terminal's box-drawn table into a file no Parquet reader could open, exit 0."""
    suffix = output.suffix.lower().lstrip(".") if output else ""
    if suffix in REPORT_FORMATS:
        return suffix
    if suffix in TABLE_SUFFIXES:
        return "table"
    raise UsageError(f"--output {output}: .{suffix} is not a report format; give the file "
                     "the extension of one (.json, .csv, .xlsx, .pdf, .txt for the table) "
                     "or name it with --format table|json|csv|xlsx|pdf")


def _check_extension(format: str, output: Path | None) -> None:
    """``--format csv --output report.xlsx`` wrote CSV text into a file Excel refuses to
    open, exit 0: a file named for another report format is a usage error. A name with
    no extension, or one no report format has (``.tsv``, ``.dat``), takes any format, and
    a plain-text one (``.txt``, ``.log``) any text format."""
    suffix = output.suffix.lower().lstrip(".") if output else ""
    if suffix in TABLE_SUFFIXES and format in ("table", "json", "csv"):
        return  # plain text takes any text (CSV as .txt for Excel's import wizard)
    named = suffix if suffix in REPORT_FORMATS else "table" if suffix in TABLE_SUFFIXES \
        and suffix else None
    if named is not None and named != format:
        raise UsageError(f"--format {format} does not match --output {output}, a .{suffix} "
                         f"file: name the file .{_EXTENSION[format]} or leave --format out "
                         f"(the extension then chooses it)")


_EXTENSION = {"table": "txt", "json": "json", "csv": "csv", "xlsx": "xlsx", "pdf": "pdf"}


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def warn_quarantine(dataset: Dataset) -> None:
    if dataset.quarantined:
        per_table = ", ".join(
            f"{name}: {load.quarantined}" for name, load in dataset.loads.items()
            if load.quarantined
        )
        err_console.print(
            f"[yellow]warning:[/] {dataset.quarantined} row(s) quarantined and left out of "
            f"the KPIs ({per_table}); run `omnikpi validate --data {dataset.path}` to see why",
            highlight=False,
        )


def warn_unread(dataset: Dataset) -> None:
    """Name the folder's files no table reads (a misspelt table name, a spreadsheet): a
    directory listing, so every report can afford it."""
    from omnikpi.schema.files import unread_entries
    from omnikpi.schema.tables import TABLES

    unread = unread_entries(dataset.path, set(TABLES))
    if unread:
        named = "; ".join(f"{name}: {why}" for name, why in unread[:3])
        more = f" (and {len(unread) - 3} more)" if len(unread) > 3 else ""
        err_console.print(f"[yellow]note:[/] {len(unread)} file(s) of the folder are not "
                          f"read — {escape(named)}{more}", highlight=False)


def run_cli_report(data: Path, request: ReportRequest, config: Path | None,
                   cache: bool | None = None,
                   given_params: Mapping[str, str] | None = None) -> ReportResult:
    """Load, check and compute as ``omnikpi report`` does, notes on stderr.

    ``given_params`` are the ``--param`` values of the command line: one of them that no
    requested metric reads is noted (a saved definition's parameters may serve other
    reports, so they are not)."""
    from omnikpi.config import load_config
    from omnikpi.engine.rollups import stale_note
    from omnikpi.engine.run import plan_request, refuse_empty_tables
    from omnikpi.engine.spark_load import load_for_engine
    from omnikpi.report_notes import report_notes

    cfg = load_config(config)
    with err_console.status(f"Loading and validating {data} …"):
        dataset = load_for_engine(data, request.engine, cache)
    warn_quarantine(dataset)
    warn_unread(dataset)
    plan = plan_request(dataset, request, cfg)
    refuse_empty_tables(plan)
    with err_console.status(f"Computing on {request.engine} …"):
        result = plan.run()
    stale = stale_note(dataset, request.engine, cfg)
    for note in [*report_notes(dataset, result, filters=request.filters,
                               engine=request.engine, as_of_given=request.as_of,
                               as_of_name="--as-of", params=given_params),
                 *([stale] if stale else [])]:
        err_console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
    return result


def parse_filters(items: list[str]) -> dict[str, list[str]]:
    """``["channel=voice,chat", "queue=sales"]`` → {dimension: values}, with clear errors.
    A comma or backslash inside a value has a backslash before it (``agent_id=Doe\\,
    Jane``), as in the web service's filters."""
    from omnikpi.value_list import split_values

    out: dict[str, list[str]] = {}
    for item in items:
        dim, sep, values = item.partition("=")
        if not sep or not dim.strip() or not values.strip():
            raise UsageError(f"bad --filter {item!r}: write DIM=V1,V2, e.g. channel=voice,chat")
        out.setdefault(dim.strip(), []).extend(
            v.strip() for v in split_values(values) if v.strip())
    return out


def compiled_sql(data: Path, request: ReportRequest, config: Path | None,
                 cache: bool | None = None) -> str:
    from omnikpi.config import load_config
    from omnikpi.engine.backends import SqlOnlyBackend
    from omnikpi.engine.local_duckdb import LocalDuckDB
    from omnikpi.engine.run import plan_request
    from omnikpi.schema.dataset import load_dataset

    dataset = load_dataset(data, cache=cache)
    # DuckDB: the very SQL a report runs; other engines: compiled without running
    backend = LocalDuckDB(dataset) if request.engine == "duckdb" else \
        SqlOnlyBackend(dataset, request.engine)
    return plan_request(dataset, request, load_config(config), backend).sql()


@app.command()
def report(
    data: Annotated[Path, typer.Option(help="dataset folder (canonical tables)")],
    metrics: Annotated[str | None, typer.Option(help="catalog ids, comma separated")] = None,
    by: Annotated[str | None, typer.Option(help="dimensions, comma separated")] = None,
    grain: Annotated[str | None, typer.Option(
        help="total|15min|30min|hour|day|week|month  [default: total]")] = None,
    tz: Annotated[str | None, typer.Option(
        help="IANA zone for day/interval boundaries, and of --from/--to/--as-of "
        "written without an offset  [default: UTC]")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="window start (inclusive)")] = None,
    to: Annotated[str | None, typer.Option(help="window end (exclusive)")] = None,
    as_of: Annotated[str | None, typer.Option(help="default: latest timestamp")] = None,
    param: Annotated[
        list[str] | None, typer.Option(help="METRIC.NAME=VALUE or NAME=VALUE; repeatable")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="TOML configuration")] = None,
    engine: Annotated[str, typer.Option(help="duckdb|spark")] = "duckdb",
    format: Annotated[str | None, typer.Option(
        help="table|json|csv|xlsx|pdf (default: --output's extension; .txt or none: "
             "table)")] = None,
    output: Annotated[Path | None, typer.Option(help="write to this file")] = None,
    show_sql: Annotated[
        bool, typer.Option("--show-sql", help="print the engine's SQL instead of running it")
    ] = False,
    filter: Annotated[
        list[str] | None, typer.Option(
            help="DIM=V1,V2: only these values (a comma inside a value: \\,); repeatable")
    ] = None,
    definition: Annotated[
        Path | None, typer.Option(help="saved report definition (TOML/JSON); options given "
                                  "here override it")
    ] = None,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="validate every file again (ignore the validation cache)")] = False,
    title: Annotated[str | None, typer.Option(
        help="the title of an XLSX, PDF or table  [default: OmniKPI report — the dataset "
             "folder's name]")] = None,
    lang: Annotated[str, typer.Option(
        help="en|ru|uk: the language of an XLSX or PDF (names, units, header)")] = "en",
) -> None:
    """Compute KPIs of the catalog over a dataset."""
    from omnikpi.cli.render import best_table
    from omnikpi.definitions import load_definition
    from omnikpi.engine.params import parse_param_assignments
    from omnikpi.export import report_title, write, write_pdf
    from omnikpi.request import ReportRequest

    # the switch goes to this load only (the environment of a caller's process is theirs)
    cache = False if no_cache else None
    try:
        check_output(output)
        # options given here win over the saved definition's; None is "not given"
        saved = load_definition(definition) if definition else None
        base = saved.to_request() if saved else ReportRequest()
        given_params = parse_param_assignments(param or [])
        request = base.overridden(
            metrics=_split(metrics), by=_split(by), grain=grain, tz=tz, from_=from_, to=to,
            as_of=as_of, params=given_params,
            filters=parse_filters(filter or []), engine=engine)
        if show_sql:
            typer.echo(compiled_sql(data, request, config, cache))
            return
        if format is None:  # `--output report.xlsx` alone wrote a terminal table in it
            format = _format_of(output)
        if format not in REPORT_FORMATS:
            raise UsageError(f"unknown format {format!r}: choose table, json, csv, xlsx or pdf")
        _check_extension(format, output)
        if lang not in ("en", "ru", "uk"):
            raise UsageError(f"unknown language {lang!r}: choose en, ru or uk")
        # the folder's name, not its path: a client's file need not show the server's disk
        # in the file's language like every other label ("Отчёт OmniKPI — …" with --lang ru)
        # a definition's name is its title (docs/scheduled-reports.md said so; the file
        # read "OmniKPI report — demo"); --title wins
        shown = title if title is not None else saved.name if saved and saved.name else \
            f"{report_title(lang)} — {data.name or data.resolve().name}"
        result = run_cli_report(data, request, config, cache, given_params)
        if format == "table":
            target = Console(file=output.open("w", encoding="utf-8")) if output else console
            target.print(best_table(result, target.width, title=shown))
            return
        if format == "pdf":
            if output is None:
                raise UsageError("--format pdf needs --output FILE.pdf")
            write_pdf(result, output, shown, lang)
            return
        text = write(result, format, output, title=shown, lang=lang)
        if text is not None:
            # CSV text ends with its last record's line end: one more made an empty record
            typer.echo(text, nl=not text.endswith("\n"))
    except OmniKPIError as exc:
        fail(exc)


@app.command()
def validate(
    data: Annotated[Path, typer.Option(help="dataset folder (canonical tables)")],
    format: Annotated[str, typer.Option(help="table|json")] = "table",
    limit: Annotated[int, typer.Option(
        help="problems to print; 0 (the default) prints every problem kept (the first "
        "10,000; the count goes on)")] = 0,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="validate every file again (ignore the validation cache)")] = False,
    config: Annotated[Path | None, typer.Option(
        help="TOML configuration (its channels and queues are known ones)")] = None,
) -> None:
    """Check a dataset against the data model; list every problem with file, row, column."""
    from omnikpi.config import load_config
    from omnikpi.schema.dataset import load_dataset
    from omnikpi.schema.files import unread_entries
    from omnikpi.schema.hints import data_hints
    from omnikpi.schema.tables import TABLES

    if format not in ("table", "json"):
        fail(UsageError(f"unknown format {format!r}: choose table or json"))
    if limit < 0:
        fail(UsageError(f"--limit must be ≥ 0 (0 prints every problem kept), got {limit}"))
    try:
        settings = load_config(config)
        dataset = load_dataset(data, cache=False if no_cache else None)
    except OmniKPIError as exc:
        fail(exc)
    problems = dataset.problems if limit == 0 else dataset.problems[:limit]
    hints = data_hints(dataset, config=settings)
    unread = unread_entries(dataset.path, set(TABLES))
    # a table whose every row was quarantined stops its metrics as an unreadable one does
    # (``report`` exits 3): "usable" with exit 0 told a nightly check all was well
    emptied = [name for name, load in dataset.loads.items()
               if load.usable and load.rows_read and not load.rows_loaded]
    usable = dataset.usable and not emptied
    if format == "json":
        typer.echo(json.dumps({
            "usable": usable,
            "tables": {
                name: {"files": [str(f.path) for f in load.files], "rows": load.rows_read,
                       "loaded": load.rows_loaded, "quarantined": load.quarantined,
                       "usable": load.usable and name not in emptied}
                for name, load in dataset.loads.items()
            },
            "problem_count": dataset.problem_count,
            "problems": [
                {"table": p.table, "file": p.file, "row": p.row, "column": p.column,
                 "message": p.message, "fatal": p.fatal}
                for p in problems
            ],
            "hints": [{"table": h.table, "rows": h.rows, "message": h.message,
                       "values": list(h.values)} for h in hints],
            "ignored": [{"file": name, "why": why} for name, why in unread],
        }, indent=1))
    else:
        for p in problems:
            style = "red" if p.fatal else "yellow"
            console.print(f"[{style}]{p}[/]", highlight=False, soft_wrap=True)
        if dataset.problem_count > len(problems):
            kept = (f" (the first {len(problems):,} are kept: fix those and validate "
                    "again)" if len(problems) == len(dataset.problems) else "")
            console.print(f"… and {dataset.problem_count - len(problems)} more "
                          f"problem(s){kept}", soft_wrap=True)
        for hint in hints:
            console.print(f"[cyan]note:[/] {escape(str(hint))}", highlight=False,
                          soft_wrap=True)
        for name, why in unread:
            console.print(f"[cyan]ignored:[/] {escape(name)}: {escape(why)}",
                          highlight=False, soft_wrap=True)
        for name, load in dataset.loads.items():
            if load.usable:
                # every row quarantined is no "ok": its metrics read 0 (a Parquet file of
                # epoch integers for instants)
                verdict = ("[green]ok[/]" if load.rows_loaded or not load.rows_read else
                           "[red]no row loaded[/] (see its problems above)")
                console.print(f"{name}: {load.rows_read} rows, {load.rows_loaded} loaded, "
                              f"{load.quarantined} quarantined — {verdict}",
                              highlight=False)
            else:  # "0 rows, 0 loaded" hid a file of 925 rows none of which could be read
                console.print(f"{name}: not loaded (see its problems above) — "
                              "[red]unusable[/]", highlight=False)
        if usable:
            console.print(f"{dataset.problem_count} problem(s); dataset [green]usable[/]")
        else:
            unread_tables = [name for name, load in dataset.loads.items() if not load.usable]
            said = ([f"{', '.join(unread_tables)} cannot be read"] if unread_tables else []) \
                + ([f"{', '.join(emptied)} {'has' if len(emptied) == 1 else 'have'} no row "
                    "loaded"] if emptied else [])
            stopped = len(unread_tables) + len(emptied)
            why = (f"{'; '.join(said)} (the metrics that need "
                   f"{'it' if stopped == 1 else 'them'} stop; the other tables "
                   "are ready)" if said else
                   "the folder holds no table of the data model")  # was ": cannot be read"
            console.print(f"{dataset.problem_count} problem(s); dataset [red]not usable[/]: "
                          f"{why}", highlight=False)
    raise typer.Exit(0 if usable else 3)


@app.command()
def catalog(
    format: Annotated[str, typer.Option(help="table|json|markdown")] = "table",
    output: Annotated[Path | None, typer.Option(help="write to this file")] = None,
) -> None:
    """List every metric: id, name, unit, mode, tables, parameters, formula."""
    from omnikpi.docs_catalog import (
        WIDE_CATALOG,
        catalog_entries,
        catalog_json,
        catalog_markdown,
        catalog_table,
    )

    try:
        check_output(output)
    except UsageError as exc:
        fail(exc)
    if format == "json":
        text = json.dumps(catalog_json(), indent=1, ensure_ascii=False)
    elif format == "markdown":
        text = catalog_markdown()
    elif format == "table":
        target = Console(file=output.open("w", encoding="utf-8")) if output else console
        if target.width >= WIDE_CATALOG:
            target.print(catalog_table())
        else:
            target.print(catalog_entries(target.width), soft_wrap=True, highlight=False)
        return
    else:
        fail(UsageError(f"unknown format {format!r}: choose table, json or markdown"))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text)


@app.command()
def tables(
    format: Annotated[str, typer.Option(help="markdown")] = "markdown",
    output: Annotated[Path | None, typer.Option(help="write to this file")] = None,
) -> None:
    """Describe the canonical input tables: columns, types, required values, rules."""
    from omnikpi.docs_catalog import tables_markdown

    try:
        check_output(output)
    except UsageError as exc:
        fail(exc)
    if format != "markdown":
        fail(UsageError(f"unknown format {format!r}: choose markdown"))
    text = tables_markdown()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text)
