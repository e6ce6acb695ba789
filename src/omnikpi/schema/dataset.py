"""Loading a canonical dataset folder: read, convert, validate, quarantine.

Every file is checked in one DuckDB pass that gives each row the list of its problems;
rows with a problem are quarantined (kept in the problem report, left out of KPIs), never
dropped silently. A table whose file misses a required column or cannot be read is
unusable; a KPI that needs it then fails with a data error naming the file and column.
A table the folder does not have at all is an empty relation of the canonical columns, so
a metric that reads it only as an option (utilization without ``shift_activities``) works,
while a metric that needs it asks for it by name (``Dataset.require``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from omnikpi.schema import validation_cache
from omnikpi.schema.cached_load import _load_cached, _store_verdict
from omnikpi.schema.convert import SQL_TYPES, quote
from omnikpi.schema.facts import _measure
from omnikpi.schema.file_stamps import stamps_of
from omnikpi.schema.files import FILE_SUFFIXES, find_table_files, unread_entries
from omnikpi.schema.loading import _connect, _load_table
from omnikpi.schema.model import MAX_PROBLEMS_KEPT, Bounds, Dataset, Domains, Problem, TableLoad
from omnikpi.schema.people import attribute_people
from omnikpi.schema.tables import TABLES

__all__ = ["Bounds", "Dataset", "Domains", "Problem", "TableLoad", "load_dataset"]


def load_dataset(path: Path | str, cache: bool | None = None, *,
                 rows_only: bool = False) -> Dataset:
    """Read every canonical table found in ``path`` into an in-memory DuckDB database.

    When these very files were validated before (see :mod:`omnikpi.schema.validation_cache`;
    ``cache=False`` or ``OMNIKPI_CACHE=off`` turns it off), the cached verdict is used: the
    same problems and quarantine counts, the same rows left out, without a second pass.

    ``rows_only=True`` stops once the rows are checked: no facts measured, no empty
    stand-ins for the tables the folder lacks, no cache. A live batch of posted rows
    needs only which rows pass and why the others do not, and at 100 events a second
    the rest was a third of each pass.
    """
    folder = Path(path)
    files = find_table_files(folder, set(TABLES))
    # before any file is read: a file changed while loading has another stamp
    stamps = stamps_of(folder, files.get("contacts", []))
    con = _connect()
    fp = None
    if validation_cache.enabled(cache) and not rows_only:
        fp = validation_cache.fingerprint(folder, files)
        if fp is not None and fp.total_bytes < validation_cache.min_bytes():
            fp = None
    if fp is not None:
        entry = validation_cache.lookup(fp)
        if entry is not None:
            cached = _load_cached(con, folder, files, fp, entry)
            if cached is not None:
                attribute_people(cached.con, cached.loads)
                add_empty_tables(cached)
                cached.contact_stamps = stamps
                return cached
            con.close()
            con = _connect()
    loads: dict[str, TableLoad] = {}
    problems: list[Problem] = []
    total = 0
    if not files:
        problems.append(_no_tables(folder))
        total += 1
    infos: dict[str, dict[str, Any]] = {}
    previous = validation_cache.previous_entry(fp) if fp is not None else None
    known = validation_cache.unchanged_files(fp, previous) if fp is not None else None
    known_keys = validation_cache.previous_key_hashes(fp, previous) if fp is not None else {}
    for name, table_files in files.items():
        infos[name] = {}
        load, table_problems, count = _load_table(con, TABLES[name], table_files, infos[name],
                                                  known, known_keys.get(name))
        keys = infos[name].pop("key_hashes", None)
        parked = validation_cache.park_keys(keys) if keys is not None and fp else None
        if parked is not None:
            infos[name]["key_hashes"] = parked
        del keys
        loads[name] = load
        problems.extend(table_problems[: MAX_PROBLEMS_KEPT - len(problems)])
        total += count
    attribute_people(con, loads)
    dataset = Dataset(folder, con, loads, problems, total)
    dataset.contact_stamps = stamps
    dataset.file_scopes = {name: info["scope"] for name, info in infos.items()
                           if "scope" in info}
    if rows_only:
        return dataset
    _measure(dataset, {name: info["facts"] for name, info in infos.items() if "facts" in info})
    if fp is not None:
        try:
            _store_verdict(dataset, fp, files, infos)
        finally:  # the hashes the entry did not take (files too fresh, the folder full)
            for info in infos.values():
                if "key_hashes" in info:
                    info["key_hashes"].unlink(missing_ok=True)
    add_empty_tables(dataset)
    return dataset


def _no_tables(folder: Path) -> Problem:
    unread = unread_entries(folder, set(TABLES))
    found = "; ".join(f"{name}: {why}" for name, why in unread[:5])
    return Problem("contacts", str(folder), None, None,
                   "no canonical table in the folder (contacts.csv, agent_states.csv, … "
                   f"as {', '.join(FILE_SUFFIXES)}: see docs/data-model.md)"
                   + (f"; found {found}" if found else ""), fatal=True)


def add_empty_tables(dataset: Dataset) -> None:
    """An empty relation of the canonical columns for each table the folder lacks, and for
    each it has but could not use (a contacts.csv without arrived_at): what reads it only
    for its dimensions (surveys joined to their contacts) then reads none, as when the file
    is absent, instead of failing on a relation that does not exist. Metrics that need the
    table still say why it cannot be used (``Dataset.require``)."""
    for name, table in TABLES.items():
        if name in dataset.loads and (dataset.loads[name].usable or _exists(dataset, name)):
            continue
        columns = ", ".join(f"CAST(NULL AS {SQL_TYPES[c.type]}) AS {quote(c.name)}"
                            for c in table.columns)
        dataset.con.execute(f"CREATE OR REPLACE VIEW {quote(name)} AS SELECT {columns} "
                            "WHERE false")


def _exists(dataset: Dataset, name: str) -> bool:
    try:
        dataset.con.execute(f"SELECT 1 FROM {quote(name)} LIMIT 0")
    except duckdb.Error:
        return False
    return True


