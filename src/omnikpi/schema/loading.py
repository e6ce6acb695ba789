"""Reading one table's files into DuckDB in one pass: canonical values, the raw text
kept for messages, and every row's problems."""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from omnikpi.errors import DataError
from omnikpi.schema import database, first_pass, quick_pass
from omnikpi.schema import problem_messages as said
from omnikpi.schema.convert import (
    SEP,
    checks,
    parsed,
    quote,
    raw_text,
    sql_str,
    value_sql,
)
from omnikpi.schema.files import (
    GzipCheck,
    Reading,
    TableFile,
    collect_unreadable,
    describe,
    is_gzip,
    renumbered_sql,
    short_error,
    tolerant_reading,
)
from omnikpi.schema.model import MAX_PROBLEMS_KEPT, FileScope, Problem, TableLoad
from omnikpi.schema.people import ATTRIBUTED
from omnikpi.schema.quarantine import _flag_duplicates, _flag_overlaps
from omnikpi.schema.tables import Table


def _connect() -> duckdb.DuckDBPyConnection:
    return database.connect()


def _inner_sql(table: Table, reading: Reading, sources: dict[str, str],
               extras: list[str], *, raw: bool = True, rows: bool = True,
               plain: frozenset[str] = frozenset(), gaps: str | None = None,
               rejects: str | None = None, kept: tuple[str, ...] = ()) -> str:
    """The file with row numbers, canonical values and (for text columns) the raw text.

    ``plain`` names columns known (from the validation cache) to hold canonical values
    already, read as they are; ``raw=False`` leaves out the raw text kept for messages.
    ``gaps`` (of a tolerant reading) numbers the rows around the unreadable ones;
    ``rejects`` names the tables where DuckDB lists the CSV rows it skips; ``kept`` are
    further expressions selected as they are.
    """
    relation = reading.relation(rejects)
    if not rows:
        row = None
    elif reading.file.format == "parquet":
        row = "file_row_number + 1"
        relation = reading.relation(file_row_number=True)
    elif gaps:
        relation, row = renumbered_sql(relation, gaps)
    else:
        row = "row_number() OVER ()"
    columns = (
        ([f"{row} AS __row"] if row else [])
        + [
            quote(c.name) if c.name in plain
            else f"{value_sql(c, sources.get(c.name))} AS {quote(c.name)}"
            for c in table.columns
        ]
        + [
            f"{raw_text(c.name, sources.get(c.name))} AS {quote('__raw_' + c.name)}"
            for c in table.columns
            if raw and parsed(c, sources.get(c.name))
        ]
        + [quote(name) for name in extras]
        + list(kept)
    )
    return f"SELECT {', '.join(columns)} FROM {relation}"


def _streamed(file: TableFile) -> bool:
    limit = int(os.environ.get("OMNIKPI_STREAM_BYTES", str(512 * 1024 * 1024)))
    return file.path.stat().st_size > limit


def renumber(con: duckdb.DuckDBPyConnection, stage: str, gaps: str) -> None:
    """Give the rows of a staged table their number in the file (see ``renumbered_sql``):
    staged in the order read, they were numbered as if no row had been left out."""
    con.execute(
        f"CREATE OR REPLACE TABLE {stage} AS SELECT __s.* REPLACE "
        f"(__s.__row + coalesce(__g.__skip, 0) AS __row) FROM {stage} AS __s "
        f"ASOF LEFT JOIN {gaps} AS __g ON __s.__row > __g.__gap"
    )


def _fatal(table: Table, file: TableFile, message: str) -> tuple[None, list[Problem], int]:
    return None, [Problem(table.name, file.display, None, None, message, fatal=True)], 1


def _first_pass(con: duckdb.DuckDBPyConnection, table: Table, reading: Reading,
                sources: dict[str, str]) -> first_pass.FileFacts:
    """The aggregate first pass of a Parquet file (:mod:`omnikpi.schema.first_pass`), or,
    for a typed file its raw aggregates prove clean, those aggregates
    (:mod:`omnikpi.schema.quick_pass`)."""
    proved = quick_pass.prove_clean(con, table, reading, sources)
    return proved if proved is not None else full_first_pass(con, table, reading, sources)


def full_first_pass(con: duckdb.DuckDBPyConnection, table: Table, reading: Reading,
                    sources: dict[str, str]) -> first_pass.FileFacts:
    """The first pass with every rule evaluated on every row (:func:`first_pass.scan`)."""
    candidates = first_pass.plain_candidates(table, reading.file, sources)
    inner = _inner_sql(table, reading, sources, _extras(table, sources), rows=False,
                       kept=tuple(first_pass.source_columns(candidates)))
    return first_pass.scan(con, table, reading, sources, inner)


def _stage_clean(con: duckdb.DuckDBPyConnection, table: Table, reading: Reading,
                 sources: dict[str, str], index: int, plain: list[str]) -> str:
    """A file none of whose rows breaks a rule, staged as a view that reads it in place
    (its canonical columns ``plain`` as they are)."""
    extras = _extras(table, sources)
    keep = ", ".join([quote(c.name) for c in table.columns] + [quote(n) for n in extras])
    stage = f"__stage_{table.name}_{index}"
    numbered = _inner_sql(table, reading, sources, extras, raw=False, plain=frozenset(plain))
    con.execute(f"CREATE OR REPLACE VIEW {stage} AS "
                f"{first_pass.clean_view_sql(index, keep, numbered)}")
    return stage


@dataclass(frozen=True)
class _Prescan:
    sources: dict[str, str]
    facts: first_pass.FileFacts


def _prescan(con: duckdb.DuckDBPyConnection, table: Table, files: list[TableFile],
             known: dict[tuple[str, str], dict[str, Any]]) -> dict[int, _Prescan]:
    """The first pass of a table's Parquet files, several files at a time.

    A file of one row group is scanned by one thread, and a folder of daily files is
    mostly such files: scanned one after the other they kept one core busy (100 M contacts
    in 365 daily files validated in 114 s at ~1 core). Here each worker scans with a
    cursor of its own. A file whose scan fails here is simply scanned again in order,
    where its error is reported as always."""
    todo = [(i, f) for i, f in enumerate(files)
            if f.format == "parquet" and not is_gzip(f.path)
            and "clean" not in known.get((table.name, str(f.path.resolve())), {})]
    workers = min(len(todo), os.cpu_count() or 1)
    if workers < 2:
        return {}
    row = con.execute("SELECT current_database(), current_setting('TimeZone')").fetchone()
    assert row is not None
    cursors = [con.cursor() for _ in range(workers)]  # made here: one per worker
    for cursor in cursors:  # the loader's catalog and zone (text instants are read in it)
        cursor.execute(f"USE {quote(str(row[0]))}")
        cursor.execute(f"SET TimeZone = {sql_str(str(row[1]))}")

    def scanned(cursor: duckdb.DuckDBPyConnection, file: TableFile) -> _Prescan | None:
        reading = Reading(file)
        try:
            sources = describe(cursor, reading)
            if any(c.required and c.name not in sources for c in table.columns):
                return None
            return _Prescan(sources, _first_pass(cursor, table, reading, sources))
        except (DataError, duckdb.Error):
            return None
        finally:
            reading.close()

    def worker(k: int) -> dict[int, _Prescan]:
        found = {i: scanned(cursors[k], f) for i, f in todo[k::workers]}
        return {i: v for i, v in found.items() if v is not None}

    try:
        with ThreadPoolExecutor(workers, thread_name_prefix="omnikpi-scan") as pool:
            return {i: v for part in pool.map(worker, range(workers)) for i, v in part.items()}
    finally:
        for cursor in cursors:
            cursor.close()


def _stage_known(
    con: duckdb.DuckDBPyConnection, table: Table, file: TableFile, index: int,
    meta: list[dict[str, Any]], known: dict[str, Any],
) -> str:
    """Stage a Parquet file that broke no rule when the folder was last validated and is
    unchanged since: a view reading it in place, its first pass taken from the verdict."""
    facts = first_pass.facts_from_json(known["clean"])
    sources = {str(k): str(v) for k, v in known["sources"].items()}
    reading = Reading(file)
    try:
        stage = _stage_clean(con, table, reading, sources, index, facts.plain)
    finally:
        reading.close()
    meta.append({"sources": sources, "extras": _extras(table, sources), "plain": facts.plain,
                 "facts": facts})
    return stage


def _stage_file(
    con: duckdb.DuckDBPyConnection, table: Table, file: TableFile, index: int,
    meta: list[dict[str, Any]], known: dict[str, Any] | None = None,
    prescanned: _Prescan | None = None,
) -> tuple[str | None, list[Problem], int]:
    """Stage one file; return its relation name, its row problems and how many there are
    (or no name and the fatal problems).

    The file is read as it is first. If that fails (DuckDB cannot read it, its CSV dialect
    is misread because of a bad row, a gzip file is cut short), a text file is read again
    tolerantly (see ``files.Reading``): the rows that cannot be read are left out, each
    listed with its reason, and the others staged. ``meta`` receives what the validation
    cache keeps of the file; ``known`` is what it kept when the folder was last validated,
    if the file is unchanged since.
    """
    if known is not None and "clean" in known and file.format == "parquet":
        return _stage_known(con, table, file, index, meta, known), [], 0
    reading = Reading(file)
    sources: dict[str, str] | None = prescanned.sources if prescanned else None
    failure = ""
    try:
        sources = sources or describe(con, reading)
    except DataError as exc:
        failure = str(exc)
    if sources is not None:
        missing = [c.name for c in table.columns if c.required and c.name not in sources]
        if not missing:
            check = GzipCheck(file.path) if is_gzip(file.path) else None
            staged: tuple[str, list[Problem], int, int, first_pass.FileFacts | None] | None
            staged = None
            try:
                staged = _stage_rows(con, table, reading, sources, index,
                                     prescanned.facts if prescanned else None)
            except duckdb.Error as exc:
                failure = f"cannot be read as {file.format}: {short_error(exc)}"
            if check is not None and not check.intact():
                staged, failure = None, "the gzip data is damaged"
            if staged is not None:
                facts = staged[4]
                meta.append({"sources": sources, "extras": _extras(table, sources)}
                            | ({"plain": facts.plain, "facts": facts} if facts else {}))
                return staged[:3]
        elif file.format == "csv":
            failure = ""  # a bad row may have misled DuckDB's dialect detection: try again
        else:
            return None, _missing(table, file, missing, sources), len(missing)
    if file.format == "parquet":
        return _fatal(table, file, failure)
    try:
        reading = tolerant_reading(file)
    except DataError as exc:
        return _fatal(table, file, str(exc))
    try:
        sources = describe(con, reading)
        missing = [c.name for c in table.columns if c.required and c.name not in sources]
        if missing:
            return None, _missing(table, file, missing, sources), len(missing)
        stage, problems, count, unreadable, _ = _stage_rows(con, table, reading, sources,
                                                            index)
    except DataError as exc:
        return _fatal(table, file, str(exc))
    except duckdb.Error as exc:
        return _fatal(table, file, f"cannot be read as {file.format}: {reading.error_text(exc)}")
    finally:
        reading.close()
    meta.append({"sources": sources, "extras": _extras(table, sources), "tolerant": True,
                 "stray": [list(pair) for pair in reading.stray],
                 "unreadable": unreadable})
    return stage, problems, count


def _extras(table: Table, sources: dict[str, str]) -> list[str]:
    known = set(table.column_names)
    return [name for name in sources if name not in known and not name.startswith("__")]


def _missing(table: Table, file: TableFile, missing: list[str],
             present: Iterable[str] = ()) -> list[Problem]:
    """A fatal problem per required column the file lacks; one written in another case or
    with spaces around it (``Contact_ID``, `` queue``) is named, since names are exact."""
    near = {name.strip().lower(): name for name in present}
    # DuckDB names the one column of an empty CSV "column0"
    if set(near) <= {"column0"} and _is_empty(file.path):  # one problem, not one per column
        return [Problem(table.name, file.display, None, None,
                        said.EMPTY_FILE.format(columns=", ".join(missing)), True)]
    return [
        Problem(table.name, file.display, None, name,
                said.MISSING_COLUMN_NEAR.format(near=repr(near[name])) if name in near
                else said.MISSING_COLUMN, True)
        for name in missing
    ]


def _is_empty(path: Path) -> bool:
    """Whether the file holds nothing but white space (a 0-byte export of a day without
    data, a file truncated by a failed copy)."""
    try:
        with path.open("rb") as handle:
            return not handle.read(4096).strip(b" \t\r\n\xef\xbb\xbf")
    except OSError:
        return False


def _stage_rows(
    con: duckdb.DuckDBPyConnection, table: Table, reading: Reading, sources: dict[str, str],
    index: int, scanned: first_pass.FileFacts | None = None,
) -> tuple[str, list[Problem], int, int, first_pass.FileFacts | None]:
    """Stage the rows of one file; return the relation name, the problems, how many there
    are, how many rows could not be read (left out) and what its first aggregate pass
    found (:mod:`omnikpi.schema.first_pass`: for a Parquet file before staging, for a file
    staged as a table over its staged rows; none for a streamed or tolerant reading).

    A Parquet file is first read in one aggregate pass; when no row breaks a rule it is
    staged as a view that reads it in place (its canonical columns as they are), and
    nothing else is done here.

    Other files (and Parquet files with broken rules) are converted once into an in-memory
    table (fastest for repeated queries), except Parquet files larger than
    ``OMNIKPI_STREAM_BYTES`` (default 512 MiB), which are staged as views so that every
    report streams them from disk in bounded memory. Either way one pass flags rows that
    break a rule (``__bad``), and messages are built in a second pass over the flagged rows
    only.
    """
    file = reading.file
    extras = _extras(table, sources)
    rules = checks(table, sources)
    bad = " OR ".join(rule.condition for rule in rules) or "false"
    keep = ", ".join([quote(c.name) for c in table.columns] + [quote(n) for n in extras])
    name = f"{table.name}_{index}"
    stage = f"__stage_{name}"
    facts: first_pass.FileFacts | None = None
    if file.format == "parquet" and not reading.tolerant:
        facts = scanned or _first_pass(con, table, reading, sources)
        if not facts.bad:
            return _stage_clean(con, table, reading, sources, index, facts.plain), [], 0, 0, \
                facts
    kind = "VIEW" if file.format == "parquet" and _streamed(file) else "TABLE"
    rejects = f"__rejects_{name}" if reading.tolerant and file.format == "csv" else None
    if rejects:
        con.execute(f"DROP TABLE IF EXISTS {rejects}")
        con.execute(f"DROP TABLE IF EXISTS {rejects}_scans")
    con.execute(
        f"CREATE OR REPLACE {kind} {stage} AS SELECT {index} AS __file, __row, {keep}, "
        f"({bad}) AS __bad FROM ({_inner_sql(table, reading, sources, extras, rejects=rejects)})"
    )
    problems: list[Problem] = []
    count = unreadable = 0
    gaps = None
    if reading.tolerant:
        read = con.execute(f"SELECT count(*) FROM {stage}").fetchone()
        listed, unreadable, gaps = collect_unreadable(
            con, reading, name, int(read[0]) if read else 0, rejects)
        if gaps:
            renumber(con, stage, gaps)
        problems.extend(Problem(table.name, file.display, None, None, note)
                        for note in reading.notes)
        rows = con.execute(
            f"SELECT __row, reason FROM {listed} ORDER BY __row LIMIT {MAX_PROBLEMS_KEPT}"
        ).fetchall()
        problems.extend(Problem(table.name, file.display, int(row), None, str(reason))
                        for row, reason in rows)
        count = len(reading.notes) + unreadable
    if facts is None and kind == "TABLE" and not reading.tolerant:
        facts = first_pass.staged_facts(con, table, stage)
    flagged = (facts.bad,) if facts else con.execute(
        f"SELECT count(*) FROM {stage} WHERE __bad").fetchone()
    if flagged and flagged[0]:
        inner = _inner_sql(table, reading, sources, extras, gaps=gaps)
        messages = ", ".join(f"CASE WHEN {r.condition} THEN {r.message} END" for r in rules)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {stage}_problems AS SELECT __row, "
            f"unnest(list_filter([{messages}], x -> x IS NOT NULL)) AS text "
            f"FROM ({inner}) WHERE __row IN (SELECT __row FROM {stage} WHERE __bad)"
        )
        total = con.execute(f"SELECT count(*) FROM {stage}_problems").fetchone()
        count += int(total[0]) if total else 0
        rows = con.execute(
            f"SELECT __row, text FROM {stage}_problems ORDER BY __row "
            f"LIMIT {MAX_PROBLEMS_KEPT}"
        ).fetchall()
        con.execute(f"DROP TABLE {stage}_problems")
        for row, text in rows:
            column, _, message = str(text).partition(SEP)
            problems.append(Problem(table.name, file.display, int(row), column, message))
    return stage, problems, count, unreadable, facts


def _load_table(
    con: duckdb.DuckDBPyConnection, table: Table, files: list[TableFile],
    info: dict[str, Any], known: dict[tuple[str, str], dict[str, Any]] | None = None,
    known_keys: tuple[frozenset[str], Path] | None = None,
) -> tuple[TableLoad, list[Problem], int]:
    """Validate and stage one table; ``info`` receives what the validation cache keeps;
    ``known``, what it kept of the files unchanged since the folder was last validated
    (see ``validation_cache.unchanged_files``), ``known_keys`` the sorted key hashes of
    such files (``validation_cache.previous_key_hashes``)."""
    load = TableLoad(table.name, files)
    prescans = _prescan(con, table, files, known or {})
    ahead = _keys_ahead(con, table, files, known or {})
    try:
        return _validate_table(con, table, files, info, load, prescans, ahead, known,
                               known_keys)
    finally:
        if ahead is not None:
            ahead.close()


def _keys_ahead(con: duckdb.DuckDBPyConnection, table: Table, files: list[TableFile],
                known: dict[tuple[str, str], dict[str, Any]]) -> first_pass.KeysAhead | None:
    """The keys of the Parquet files about to get a first pass, read meanwhile."""
    if not table.key or os.environ.get("OMNIKPI_KEYS_AHEAD", "on") == "off":
        return None
    todo = [f for f in files if f.format == "parquet" and not is_gzip(f.path)
            and "clean" not in known.get((table.name, str(f.path.resolve())), {})]
    return first_pass.KeysAhead(con, table, todo) if todo else None


def _validate_table(
    con: duckdb.DuckDBPyConnection, table: Table, files: list[TableFile],
    info: dict[str, Any], load: TableLoad, prescans: dict[int, _Prescan],
    ahead: first_pass.KeysAhead | None,
    known: dict[tuple[str, str], dict[str, Any]] | None,
    known_keys: tuple[frozenset[str], Path] | None,
) -> tuple[TableLoad, list[Problem], int]:
    stages: list[str] = []
    problems: list[Problem] = []
    count = 0
    meta: list[dict[str, Any]] = []
    info["files"] = meta
    for index, file in enumerate(files):
        kept = (known or {}).get((table.name, str(file.path.resolve())))
        stage, found, found_count = _stage_file(con, table, file, index, meta, kept,
                                                prescans.get(index))
        if stage:
            stages.append(stage)
            problems.extend(found)
            count += found_count
        else:
            load.fatal.extend(found)
    if load.fatal:
        return load, list(load.fatal), len(load.fatal)
    found_facts = [m.pop("facts", None) for m in meta]
    for m, f in zip(meta, found_facts, strict=True):
        if f is not None and not f.bad:  # reused while the file is unchanged
            m["clean"] = first_pass.facts_to_json(f)
    facts = [f for f in found_facts if f is not None]
    measured = len(facts) == len(found_facts)
    staged = union_stages(con, table.name, stages)
    quarantine = f"__quarantine_{table.name}"
    con.execute(f"CREATE TABLE {quarantine} (__file INTEGER, __row BIGINT)")
    if table.key:
        plain_keys = {str(f.path.resolve()) for f, m in zip(files, found_facts, strict=True)
                      if m is not None and not m.bad and table.key in m.plain}
        keys, settled_keys = _sorted_keys(con, table, files, stages, staged,
                                          facts if measured else None, known_keys,
                                          (ahead, plain_keys) if ahead else None)
        if measured and settled_keys is not None:
            info["key_hashes"], info["key_files"] = settled_keys
        hashes = first_pass.repeated(keys)
        if len(hashes):
            candidates = first_pass.candidate_relation(con, table, staged, hashes)
            found, found_count = _flag_duplicates(con, table, candidates, files, quarantine)
            first_pass.drop_candidates(con, table)
            problems.extend(found)
            count += found_count
    if table.no_overlap:
        found, found_count = _flag_overlaps(con, table, staged, files, quarantine)
        problems.extend(found)
        count += found_count
    if measured:
        quarantined = con.execute(f"SELECT count(*) FROM {quarantine}").fetchone()
        assert quarantined is not None
        counts: tuple[Any, ...] | None = (sum(f.rows for f in facts),
                                          sum(f.bad for f in facts), int(quarantined[0]))
    else:
        counts = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE __bad), "
            f"(SELECT count(*) FROM {quarantine}) FROM {staged}"
        ).fetchone()
    assert counts is not None
    # rows that could not be read at all were never staged: they count as read, not loaded
    unreadable = sum(int(m.get("unreadable", 0)) for m in meta)
    load.rows_read = int(counts[0]) + unreadable
    load.rows_loaded = int(counts[0]) - int(counts[1]) - int(counts[2])
    info.update(staged=staged, flagged=int(counts[1]), quarantined=int(counts[2]),
                quarantine=quarantine)
    if measured and not counts[2] and table.name not in ATTRIBUTED:
        # nothing left out but the flagged rows: the facts of the aggregate pass hold
        info["facts"] = first_pass.merged_facts(table, facts, load.rows_loaded)
    columns = [
        str(r[0]) for r in con.execute(f"DESCRIBE {staged}").fetchall()
        if not str(r[0]).startswith("__")
    ]
    load.columns = tuple(columns)
    # A view over the staged rows: no second copy of the data.
    anti = f" ANTI JOIN {quarantine} USING (__file, __row)" if counts[2] else ""
    con.execute(
        f"CREATE VIEW {quote(table.name)} AS SELECT {', '.join(quote(c) for c in columns)} "
        f"FROM {staged}{anti} WHERE NOT __bad"
    )
    if table.name not in ATTRIBUTED:  # (their views are rebuilt with people's time)
        info["scope"] = FileScope(tuple(columns), tuple(stages),
                                  quarantine if counts[2] else "", flagged=True)
    order = {f.display: i for i, f in enumerate(files)}
    problems.sort(key=lambda p: (order.get(p.file, 0), p.row or 0))
    return load, problems[:MAX_PROBLEMS_KEPT], count




def _settled(file: TableFile) -> bool:
    """A file whose keys are worth keeping beside the verdict: a Parquet file, written
    once (a live ingest's JSONL file grows all day: keys kept with it would be thrown
    away at every reload, and a year of other keys read again with them)."""
    return file.format == "parquet"


KeptKeys = tuple[np.ndarray, list[str]]
"""The sorted key hashes of a table's settled files, and those files' resolved paths."""


def _sorted_keys(con: duckdb.DuckDBPyConnection, table: Table, files: list[TableFile],
                 stages: list[str], staged: str, facts: list[first_pass.FileFacts] | None,
                 known_keys: tuple[frozenset[str], Path] | None,
                 ahead: tuple[first_pass.KeysAhead, set[str]] | None = None
                 ) -> tuple[np.ndarray, KeptKeys | None]:
    """Every loaded key's hash, sorted, and those of the settled files (:func:`_settled`)
    to keep for the next load (None when they are not known apart).

    When the files whose hashes were kept are all still here, unchanged, only the other
    files' keys are read; the sum must be the count of keys the first passes found, else
    every file's keys are read again. ``ahead``: the keys read during the first passes,
    and the files whose raw keys are their loaded keys (see ``first_pass.KeysAhead``);
    used for the files it covers."""
    assert table.key
    paths = [str(f.path.resolve()) for f in files]
    settled = [_settled(f) for f in files]
    settled_paths = [p for p, ok in zip(paths, settled, strict=True) if ok]
    expected = sum(f.counts[table.key] for f in facts) if facts is not None else None

    def read_ahead(wanted: list[str]) -> np.ndarray | None:
        if ahead is None or not wanted or not set(wanted) <= ahead[1]:
            return None
        return ahead[0].take(wanted)

    def read(chosen: list[int]) -> np.ndarray:
        """The sorted hashes of the staged rows of these files (by index)."""
        if not chosen:
            return np.empty(0, dtype=np.uint64)
        union = "(" + " UNION ALL BY NAME ".join(f"SELECT * FROM {stages[i]}"
                                                 for i in chosen) + ")"
        rows = sum(facts[i].rows - facts[i].bad for i in chosen) if facts is not None else 0
        return first_pass.sorted_key_hashes(con, table, union, rows)

    if expected is not None and known_keys is not None:
        old_files, saved = known_keys
        try:
            old = np.load(saved, mmap_mode="r") if old_files <= set(paths) else None
        except (OSError, ValueError):
            old = None
        if old is not None:
            new = [i for i, path in enumerate(paths) if path not in old_files]
            new_settled = [paths[i] for i in new if settled[i]]
            added = read_ahead(new_settled)
            if added is None:
                added = read([i for i in new if settled[i]])
            others = read([i for i in new if not settled[i]])
            if len(old) + len(added) + len(others) == expected:
                kept = first_pass.with_new_keys(old, added)
                every = first_pass.with_new_keys(kept, others) if len(others) else kept
                covered = sorted(old_files | set(new_settled))
                return every, (kept, covered) if old_files <= set(settled_paths) else None
    if all(settled):
        found = read_ahead(paths)
        if found is None or (expected is not None and len(found) != expected):
            # (a file changed meanwhile: read again)
            rows = sum(f.rows - f.bad for f in facts) if facts is not None else 0
            found = first_pass.sorted_key_hashes(con, table, staged, rows)
        return found, (found, paths)
    ahead_kept = read_ahead(settled_paths)
    other_keys = read([i for i, ok in enumerate(settled) if not ok])
    if ahead_kept is not None and expected is not None and \
            len(ahead_kept) + len(other_keys) != expected:
        ahead_kept = None  # (a file changed meanwhile: read again)
    settled_keys = ahead_kept if ahead_kept is not None else read(
        [i for i, ok in enumerate(settled) if ok])
    return (first_pass.with_new_keys(settled_keys, other_keys) if len(other_keys)
            else settled_keys), (settled_keys, settled_paths)


def union_stages(con: duckdb.DuckDBPyConnection, table: str, stages: list[str]) -> str:
    """The one relation of a table's staged files (a view over their union when several)."""
    if len(stages) == 1:
        return stages[0]
    staged = f"__staged_{table}"
    union = " UNION ALL BY NAME ".join(f"SELECT * FROM {s}" for s in stages)
    con.execute(f"CREATE VIEW {staged} AS {union}")
    return staged
