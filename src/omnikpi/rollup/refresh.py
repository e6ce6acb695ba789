"""Building and refreshing the rollup of a data folder (``DIR/_rollups``).

The manifest lists every contacts file with its size, modification time and the UTC days
its timestamps touch, and, per file, a digest of the rows the validation leaves out of it
(quarantined as a duplicate of another file's row, or breaking a rule). A refresh
compares the folder with it: a new, changed or removed file makes its days (one day of
margin on each side) due, and so does an unchanged file whose left-out rows are not those
of the stored rollup — a change in another file put rows of it in quarantine or took them
out (a duplicate id added or removed elsewhere), in either direction. Only the due days
are computed again, from the whole validated dataset, so contacts that end on the next
day and the rows quarantined by any file are counted as a report counts them. A file
whose days are not known (a value not readable as an instant) is read by every refresh,
and every day is due when its own days are. Everything is computed again when there is
no manifest (or one without the digests), or when the configuration, the format or the
package version changed. See docs/rollups.md.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from omnikpi.config import Config
from omnikpi.engine.compile import MetricRequest
from omnikpi.engine.context import RunContext
from omnikpi.engine.local_duckdb import LocalDuckDB
from omnikpi.engine.params import DataContext, resolve_params
from omnikpi.engine.rollups import (
    DAY,
    FOLDER,
    MANIFEST,
    RollupManifest,
    contact_files,
    eligible,
    intact,
    params_text,
    read_manifest,
    rollup_expr,
    settings_key,
    stored_check,
)
from omnikpi.engine.run import _contact_highs
from omnikpi.engine.timezones import DAY_US, offset_ranges
from omnikpi.errors import DataError, OmniKPIError
from omnikpi.metrics.base import all_metrics
from omnikpi.schema.convert import sql_str
from omnikpi.schema.dataset import Dataset
from omnikpi.schema.files import raw_relation_sql
from omnikpi.schema.tables import TABLES, ColumnType

CONTACT_INSTANTS = tuple(c.name for c in TABLES["contacts"].columns
                         if c.type is ColumnType.TIMESTAMP)


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did."""

    days: int
    """UTC days computed again (0: the rollup was up to date)."""
    full: bool
    rows: int
    """Rollup rows stored in all."""
    open_rows: int
    """Unresolved contacts kept as rows (every report computes them directly)."""
    seconds: float
    folder: Path
    written: bool = True
    """False when nothing was written (days 0 can also be a rollup of no contact, built)."""


def _requests(dataset: Dataset, config: Config) -> list[MetricRequest]:
    """Every eligible metric with its default parameters for this data."""
    context = DataContext(config, dataset)
    out = []
    for metric in all_metrics():
        if metric.source != "contacts":
            continue
        try:  # a metric without a default for a parameter is left to the reports
            params = resolve_params([metric], {}, context)[metric.id]
        except OmniKPIError:
            continue
        variant = metric.resolve(params) if metric.resolve else metric
        if eligible(variant):
            out.append(MetricRequest(variant, params))
    return out


def _file_days(file_sql: str) -> tuple[int, int] | None:
    """First and last UTC day of a contacts file's instants read from the file itself,
    None when a value cannot be read as an instant here (the refresh is then full)."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        columns = [c for c in con.sql(f"SELECT * FROM {file_sql} LIMIT 0").columns
                   if c in CONTACT_INSTANTS]
        if not columns:
            return None
        parts = []
        for c in columns:
            cast = f'epoch_us(TRY_CAST("{c}" AS TIMESTAMPTZ))'
            parts += [f"min({cast})", f"max({cast})", f'count("{c}")', f"count({cast})"]
        row = con.execute(f"SELECT {', '.join(parts)} FROM {file_sql}").fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if row is None:
        return None
    lows, highs = [], []
    for i in range(0, len(row), 4):
        lo, hi, given, read = row[i:i + 4]
        if given != read:
            return None
        if lo is not None:
            lows.append(int(lo))
            highs.append(int(hi))
    if not lows:
        return (0, -1)  # no instant at all: touches no day
    return min(lows) // DAY_US, max(highs) // DAY_US


def _contact_span(dataset: Dataset) -> tuple[int, int] | None:
    """First and last instant of any contacts timestamp (None: no contact)."""
    known = dataset.bounds.get("contacts") if dataset.bounds else None
    if known is not None and all(c in known for c in CONTACT_INSTANTS):  # measured
        measured = [v for pair in known.values() for v in pair if v is not None]
        return (min(measured), max(measured)) if measured else None
    parts = [f'min("{c}"), max("{c}")' for c in CONTACT_INSTANTS]
    row = dataset.con.execute(f"SELECT {', '.join(parts)} FROM contacts").fetchone()
    values = [int(v) for v in (row or ()) if v is not None]
    return (min(values), max(values)) if values else None


def _left_out(dataset: Dataset) -> dict[str, str] | None:
    """Per contacts file (relative path), a digest of the rows the validation left out of
    it — their row numbers in the file; None when they cannot be told here.

    Read from the table's own record of them (``FileScope``): the quarantined rows
    (``left_out``: duplicates of a row of another file, found across files) and, for a dataset
    validated now, the rows breaking a rule (a cached verdict lists both kinds together,
    so both are taken either way). Nothing is read when no row is left out (the usual
    case), and otherwise the small list of left-out rows, plus, only when some row of a
    dataset validated now breaks a rule, the rule flag of the staged rows."""
    load = dataset.loads["contacts"]
    if load.rows_read == load.rows_loaded:
        return {}  # (rows that could not be read are never staged: none left out here)
    scope = dataset.file_scopes.get("contacts")
    if scope is None or len(scope.stages) != len(load.files):
        return None
    con = dataset.con
    parts = []
    quarantined = 0
    if scope.left_out:
        parts.append(f"SELECT __file, __row FROM {scope.left_out}")
        row = con.execute(f"SELECT count(*) FROM ({parts[0]})").fetchone()
        quarantined = int(row[0]) if row else 0
    if scope.flagged and load.rows_read - load.rows_loaded > quarantined:
        union = " UNION ALL BY NAME ".join(f"SELECT __file, __row, __bad FROM {s}"
                                           for s in scope.stages)
        parts.append(f"SELECT __file, __row FROM ({union}) WHERE __bad")
    if not parts:
        return {}
    rows = con.execute(
        f"SELECT __file, count(*), md5(string_agg(CAST(__row AS VARCHAR), ',' "
        f"ORDER BY __row)) FROM (SELECT DISTINCT __file, __row FROM "
        f"({' UNION ALL '.join(parts)})) GROUP BY __file").fetchall()
    names = [str(f.path.relative_to(dataset.path)) for f in load.files]
    return {names[int(index)]: f"{int(count)}:{digest}" for index, count, digest in rows}


def _margin(days: tuple[int, ...]) -> range:
    """The days a file touches and one more on each side: a zone-less instant read
    another way still falls in them. No day for a file whose days are not known
    (:func:`_known`)."""
    first, last = days[0], days[1]
    return range(first - 1, last + 2) if last >= first else range(0)


def _known(days: tuple[int, ...]) -> bool:
    """Whether a file's stored days are known: (0, -1) is stored for a file with a value
    that cannot be read as an instant here (and for one without any instant — only rows
    breaking the rules: never counted). Its rows may be counted on any day: a refresh
    that must recompute its days recomputes every day, and every refresh reads it."""
    return days[1] >= days[0]


def _runs(days: set[int]) -> list[tuple[int, int]]:
    """Consecutive days as inclusive (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for day in sorted(days):
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _sql_path(path: Path) -> str:
    return sql_str(str(path))


def refresh(dataset: Dataset, config: Config | None = None, full: bool = False
            ) -> RefreshResult:
    """Bring ``dataset.path/_rollups`` up to date with the dataset's contacts files."""
    if not dataset.has("contacts"):
        raise DataError(f"{dataset.path} has no contacts table: nothing to roll up")
    folder = dataset.path / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    with _one_writer(folder):
        return _refresh(dataset, config or Config(), full, folder)


@contextlib.contextmanager
def _one_writer(folder: Path) -> Iterator[None]:
    """One refresh of a folder at a time (a cron ``omnikpi rollup`` and ``serve``'s
    background refresh): two at once deleted each other's new files, and a manifest
    named a sums file that no longer existed — every report failed until ``--full``. The
    second waits for the first, then finds the rollups up to date."""
    with (folder / ".lock").open("a") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; one writer is the user's care
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _refresh(dataset: Dataset, config: Config, full: bool, folder: Path) -> RefreshResult:
    started = time.perf_counter()
    files = contact_files(dataset)
    old = None if full else read_manifest(folder)
    settings = settings_key(config)
    requests = _requests(dataset, config)
    params = {r.metric.id: params_text(r.params) for r in requests}
    if old is not None and (old.settings != settings or old.metrics != params
                            or not intact(dataset, folder, old)):
        old = None  # built again from the contacts
    left_out = _left_out(dataset)
    before_out = old.left_out if old is not None else None
    if before_out is None or left_out is None:
        old = None  # which rows were counted cannot be told apart: built again
    span = _contact_span(dataset)
    as_of = span[1] if span else 0
    ranges: dict[str, tuple[int, int, int, int]] = {}
    due: set[int] = set()
    whole = old is None
    for name, (size, stamp) in files.items():
        before = old.files.get(name) if old is not None else None
        if before is not None and before[:2] == (size, stamp):
            ranges[name] = before
            continue
        days = _file_days(raw_relation_sql(next(
            f for f in dataset.loads["contacts"].files
            if str(f.path.relative_to(dataset.path)) == name)))
        if days is None:
            whole = True
            days = (0, -1)
        ranges[name] = (size, stamp, *days)
        due.update(_margin(days))
        if before is not None:
            whole |= not _known(before[2:])
            due.update(_margin(before[2:]))
    if old is not None:
        for name, before in old.files.items():
            if name not in files:  # removed
                whole |= not _known(before[2:])
                due.update(_margin(before[2:]))
    if old is not None and left_out is not None and before_out is not None:
        # rows of an unchanged file put in quarantine or taken out of it by a change in
        # another file (a duplicate id added or removed there): its days are due too
        for name in files:
            if left_out.get(name) != before_out.get(name):
                whole |= not _known(ranges[name][2:])
                due.update(_margin(ranges[name][2:]))
    if whole:
        due = set(range(span[0] // DAY_US, span[1] // DAY_US + 1)) if span else set()
    if old is not None and not whole and not due and old.as_of_us == as_of:
        return RefreshResult(0, False, _count(dataset, folder / old.sums_file),
                             old.open_rows, time.perf_counter() - started, folder,
                             written=False)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = _write(dataset, config, requests, folder, old, due, whole, as_of, ranges,
                      settings, left_out)
    return RefreshResult(len(due), whole, _count(dataset, folder / manifest.sums_file),
                         manifest.open_rows, time.perf_counter() - started, folder)


def _scoped_contacts(dataset: Dataset, ranges: dict[str, tuple[int, int, int, int]],
                     due: set[int]) -> str | None:
    """The contacts the due days can count — those of the files whose instants touch them,
    with the file ranges' margin of a day, and those whose days are not known — or None
    to read them all (a table not read file by file, or a file not in the ranges).

    A contact is counted on a day by one of its instants, and a file's range covers all
    its contacts' instants: the other files cannot change the due days. Reading only
    these makes a new day's refresh scan that day's files instead of the whole history."""
    scope = dataset.file_scopes.get("contacts")
    files = dataset.loads["contacts"].files
    if scope is None or len(scope.stages) != len(files):
        return None
    chosen: list[int] = []
    for index, file in enumerate(files):
        known = ranges.get(str(file.path.relative_to(dataset.path)))
        if known is None:
            return None
        if not _known(known[2:]) or not due.isdisjoint(_margin(known[2:])):
            chosen.append(index)
    return scope.sql(chosen)


def _count(dataset: Dataset, path: Path) -> int:
    row = dataset.con.execute(f"SELECT count(*) FROM read_parquet({_sql_path(path)})"
                              ).fetchone()
    return int(row[0]) if row else 0


def _write(dataset: Dataset, config: Config, requests: list[MetricRequest], folder: Path,
           old: RollupManifest | None,
           due: set[int], whole: bool, as_of: int, ranges: dict[str, tuple[int, int, int, int]],
           settings: str, left_out: dict[str, str] | None) -> RollupManifest:
    """Compute the due days, keep the others from the old files, write new files and
    then the manifest that names them (a reader sees the old or the new, never half)."""
    con = dataset.con
    scoped = _scoped_contacts(dataset, ranges, due) if old is not None and not whole else None
    if scoped is not None:  # this thread's cursor alone reads the due days' files
        con.execute(f"CREATE OR REPLACE TEMP VIEW contacts AS {scoped}")
    try:
        return _write_files(dataset, config, requests, folder, old, due, whole, as_of, ranges,
                            settings, left_out)
    finally:
        if scoped is not None:
            con.execute("DROP VIEW IF EXISTS temp.main.contacts")


def _write_files(dataset: Dataset, config: Config, requests: list[MetricRequest],
                 folder: Path, old: RollupManifest | None, due: set[int], whole: bool,
                 as_of: int, ranges: dict[str, tuple[int, int, int, int]],
                 settings: str, left_out: dict[str, str] | None) -> RollupManifest:
    backend = LocalDuckDB(dataset)
    generation = (old.generation + 1) if old is not None else int(time.time())
    while (folder / f"sums-{generation}.parquet").exists() \
            or (folder / f"open-{generation}.parquet").exists():
        generation += 1  # never rewrite a file a reader may have open (a --full a second on)
    sums_file, open_file = f"sums-{generation}.parquet", f"open-{generation}.parquet"
    runs = _runs(due)
    sums_parts: list[str] = []
    open_parts: list[str] = []
    columns: dict[str, tuple[str, ...]] = {}
    aggregates: dict[str, str] = {}
    for first, last in runs:
        lo, hi = first * DAY_US, (last + 1) * DAY_US
        ctx = RunContext(
            as_of_us=as_of, from_us=lo, to_us=hi, tz="UTC", grain="15min", config=config,
            offsets=offset_ranges("UTC", lo, hi), span_start_us=lo, span_end_us=hi,
            contact_highs=_contact_highs(dataset),
            contact_channels=dataset.domain("contacts", "channel"),
            contact_directions=dataset.domain("contacts", "direction"),
            contact_empty=frozenset((dataset.empty or {}).get("contacts", ())),
        )
        expr, columns, aggregates = rollup_expr(backend, ctx, requests)
        sums_parts.append(f"SELECT * FROM ({backend.sql(expr)})")
        open_parts.append(
            "SELECT * FROM contacts WHERE NOT coalesce(blocked, false) AND "
            "first_response_at IS NULL AND abandoned_at IS NULL AND "
            f"arrived_at >= {lo} AND arrived_at < {hi}")
    if old is not None and not whole:
        kept = " OR ".join(f"{DAY} BETWEEN {a} AND {b}" for a, b in runs) or "false"
        sums_parts.insert(0, f"SELECT * FROM read_parquet({_sql_path(folder / old.sums_file)})"
                             f" WHERE NOT ({kept})")
        day = f"(arrived_at // {DAY_US})"
        kept_open = " OR ".join(f"{day} BETWEEN {a} AND {b}" for a, b in runs) or "false"
        open_parts.insert(0, f"SELECT * FROM read_parquet({_sql_path(folder / old.open_file)})"
                             f" WHERE NOT ({kept_open})")
        columns, aggregates = old.columns, old.aggregates
    if not runs and old is None:
        expr, columns, aggregates = rollup_expr(backend, _empty_ctx(config), requests)
        sums_parts.append(f"SELECT * FROM ({backend.sql(expr)}) WHERE false")
    if not open_parts:
        open_parts.append("SELECT * FROM contacts WHERE false")
    con = dataset.con
    con.execute(f"COPY ({' UNION ALL BY NAME '.join(sums_parts)} ORDER BY __booking, "
                f"__bucket) TO {_sql_path(folder / sums_file)} (FORMAT parquet)")
    con.execute(f"COPY ({' UNION ALL BY NAME '.join(open_parts)}) TO "
                f"{_sql_path(folder / open_file)} (FORMAT parquet)")
    opened = _count(dataset, folder / open_file)
    stored = {name: stored_check(dataset, folder / name) for name in (sums_file, open_file)}
    manifest = RollupManifest(
        settings, as_of, ranges,
        {r.metric.id: params_text(r.params) for r in requests}, columns, aggregates,
        sums_file, open_file, opened, generation,
        {name: check for name, check in stored.items() if check is not None}, left_out)
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    tmp.replace(folder / MANIFEST)
    _forget_old(folder, {sums_file, open_file} | (
        {old.sums_file, old.open_file} if old is not None else set()))
    return manifest


def _empty_ctx(config: Config) -> RunContext:
    return RunContext(as_of_us=0, from_us=0, to_us=DAY_US, tz="UTC", grain="15min",
                      config=config, offsets=offset_ranges("UTC", 0, DAY_US))


def _forget_old(folder: Path, keep: set[str]) -> None:
    """Delete the files of older generations (the previous one stays for readers that
    opened it a moment ago)."""
    for path in folder.glob("*.parquet"):
        if path.name not in keep:
            with contextlib.suppress(OSError):
                path.unlink()
