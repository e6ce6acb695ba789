"""A cache of the loader's verdict on unchanged dataset files.

Validating a dataset costs a full pass over every file (converting each column, checking
every rule, looking for duplicate ids and overlapping intervals). When the same files are
loaded again (the next report, the next page of the web app), the verdict is the same, so
the loader keeps it in a small JSON sidecar: the problem summary (counts, the problems it
reports, the quarantine numbers), the numbers of the quarantined rows (a Parquet file next
to the JSON, so that those rows stay out of every KPI), what the loader learned about the
columns, and the span of the timestamps.

The entry is used only if it was written for exactly the same files: the same set of table
files, each with the same size, modification and status-change times (nanoseconds) and
inode, by a loader with the same schema and version. Any change to any file, a file added
or removed, a new loader or contract version invalidates it, and the full pass runs again.
Files modified less than :data:`RACY_NS` before the pass began are not cached (their
timestamps could still repeat on a coarse-clock file system). Small datasets (under
``OMNIKPI_CACHE_MIN_BYTES``, default 256 KiB) are not cached: validating them is cheap.

Switches: ``OMNIKPI_CACHE=off`` (or ``load_dataset(..., cache=False)``) disables it;
``OMNIKPI_CACHE_DIR`` chooses the folder (default ``$XDG_CACHE_HOME/omnikpi`` or
``~/.cache/omnikpi``); entries live under ``validation/``, at most :data:`MAX_ENTRIES`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from omnikpi.schema.convert import sql_str
from omnikpi.schema.files import TableFile
from omnikpi.schema.tables import TABLES

LOADER_VERSION = 6
"""Bump whenever validation rules, conversions or what an entry holds change."""

RACY_NS = 2_000_000_000
"""Files changed this recently (before the pass began) are not cached."""

MAX_ENTRIES = 64
KEY_HASHES_MIN = 1_000_000
"""A table with at least this many keys keeps their sorted hashes beside the entry (8
bytes a key), so that a new day's file is checked for duplicate ids against them instead
of reading every earlier file's keys again (most of a new day's reload at 100 M)."""
DEFAULT_MIN_BYTES = 256 * 1024
"""Below this a dataset is validated every time. Measured on the demo and cuts of it
(2026-12-01, 2 cores; median of 3 loads): 3.8 MB 1.84 s uncached / 0.66 s cached,
1.4 MB 1.90 / 1.23 s, 0.7 MB 1.28 / 0.58 s, 0.46 MB 0.51 / 0.23 s; writing an entry adds
nothing measurable to the first load. (It was 4 MiB, a guess: the web app reloaded the
3.8 MB demo at full cost.)"""


def _schema_digest() -> str:
    return hashlib.sha256(repr(sorted(TABLES.items())).encode()).hexdigest()[:16]


def enabled(requested: bool | None) -> bool:
    """Whether to use the cache: the caller's choice, else ``OMNIKPI_CACHE`` (default on)."""
    if requested is not None:
        return requested
    return switched_on("OMNIKPI_CACHE")


def switched_on(variable: str) -> bool:
    """An on/off environment variable, on unless it says 0, off, no or false."""
    return os.environ.get(variable, "on").strip().lower() not in ("0", "off", "no", "false")


def cache_dir() -> Path:
    explicit = os.environ.get("OMNIKPI_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "omnikpi"


def min_bytes() -> int:
    return int(os.environ.get("OMNIKPI_CACHE_MIN_BYTES", str(DEFAULT_MIN_BYTES)))


@dataclass(frozen=True)
class Fingerprint:
    """What identifies one state of a dataset's files (compared whole, never in part)."""

    folder: str
    files: tuple[tuple[str, str, str, int, int, int, int], ...]
    """(table, path, format, size, mtime_ns, ctime_ns, inode) per file, in loader order."""
    taken_ns: int

    @property
    def key(self) -> dict[str, Any]:
        return {
            "loader": LOADER_VERSION, "schema": _schema_digest(),
            "duckdb": duckdb.__version__, "folder": self.folder,
            "files": [list(f) for f in self.files],
        }

    @property
    def total_bytes(self) -> int:
        return sum(f[3] for f in self.files)

    def racy(self) -> bool:
        return any(max(f[4], f[5]) > self.taken_ns - RACY_NS for f in self.files)


def fingerprint(folder: Path, files: dict[str, list[TableFile]]) -> Fingerprint | None:
    """The files' identity now, or None if one cannot be read."""
    taken = time.time_ns()
    rows: list[tuple[str, str, str, int, int, int, int]] = []
    try:
        for table, table_files in files.items():
            for file in table_files:
                st = file.path.stat()
                rows.append((table, str(file.path.resolve()), file.format, st.st_size,
                             st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    except OSError:
        return None
    return Fingerprint(str(folder.resolve()), tuple(rows), taken)


def _entry_path(folder: str) -> Path:
    digest = hashlib.sha256(folder.encode()).hexdigest()[:24]
    return cache_dir() / "validation" / f"{digest}.json"


def lookup(fp: Fingerprint) -> dict[str, Any] | None:
    """The cached verdict for exactly these files, or None."""
    path = _entry_path(fp.folder)
    try:
        entry: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if entry.get("key") != fp.key:
        return None
    bad = entry.get("bad_rows_file")
    if bad and not (path.parent / str(bad)).is_file():
        return None
    with contextlib.suppress(OSError):  # refreshes the entry's age for pruning
        os.utime(path)
    return entry


def previous_entry(fp: Fingerprint) -> dict[str, Any] | None:
    """The folder's last stored verdict, whatever files it was for, if written by this
    loader, schema and DuckDB (None otherwise)."""
    try:
        entry: dict[str, Any] = json.loads(_entry_path(fp.folder).read_text(encoding="utf-8"))
        key = entry["key"]
        if (key["loader"], key["schema"], key["duckdb"]) == (
                LOADER_VERSION, _schema_digest(), duckdb.__version__):
            return entry
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def unchanged_files(fp: Fingerprint, entry: dict[str, Any] | None
                    ) -> dict[tuple[str, str], dict[str, Any]]:
    """What the previous verdict (:func:`previous_entry`) kept of each file unchanged since
    (same identity), by (table, resolved path): its columns and, for a Parquet file that
    broke no rule, its first pass (``"clean"``). A new day's file invalidates the folder's
    verdict; the files of the other days need not be read again for what is true of each
    file alone (rules across files are checked again)."""
    if entry is None:
        return {}
    try:
        now = {(f[0], f[1]): list(f) for f in fp.files}
        out: dict[tuple[str, str], dict[str, Any]] = {}
        seen: dict[str, int] = {}
        for row in entry["key"]["files"]:
            table, path = str(row[0]), str(row[1])
            index = seen[table] = seen.get(table, -1) + 1
            kept = entry["tables"].get(table, {}).get("files")
            if kept and index < len(kept) and now.get((table, path)) == list(row):
                out[(table, path)] = kept[index]
        return out
    except (KeyError, TypeError, AttributeError):
        return {}


def park_keys(hashes: np.ndarray) -> Path | None:
    """Write a table's sorted key hashes to a file of their own as soon as they are known,
    so that they take no memory for the rest of the load (at 100 M keys, 800 MB); the
    verdict's entry takes the file over (:func:`store`). None below
    :data:`KEY_HASHES_MIN` keys or when the cache folder cannot be written."""
    if len(hashes) < KEY_HASHES_MIN:
        return None
    folder = cache_dir() / "validation"
    path = folder / f"pending.{os.getpid()}.{time.time_ns()}.keys.npy"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(path, hashes)
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        return None
    return path


def previous_key_hashes(fp: Fingerprint, entry: dict[str, Any] | None
                        ) -> dict[str, tuple[frozenset[str], Path]]:
    """Per table, the sorted key hashes the previous verdict kept and the files they are
    the keys of (its settled files; every file of the table in entries written before
    that was told apart) — when every one of those files is unchanged since."""
    if entry is None:
        return {}
    try:
        now = {(f[0], f[1]): list(f) for f in fp.files}
        folder = _entry_path(fp.folder).parent
        out: dict[str, tuple[frozenset[str], Path]] = {}
        covered = entry.get("key_hash_files") or {}
        for table, name in (entry.get("key_hashes") or {}).items():
            rows = [row for row in entry["key"]["files"] if row[0] == table
                    and (table not in covered or str(row[1]) in covered[table])]
            if table in covered and len(rows) != len(covered[table]):
                continue  # a file the hashes cover is not in the entry's list: not used
            if rows and all(now.get((table, str(row[1]))) == list(row) for row in rows):
                out[str(table)] = (frozenset(str(row[1]) for row in rows), folder / str(name))
        return out
    except (KeyError, TypeError, AttributeError):
        return {}


def bad_rows_path(fp: Fingerprint, entry: dict[str, Any]) -> Path | None:
    name = entry.get("bad_rows_file")
    return _entry_path(fp.folder).parent / str(name) if name else None


def store(
    fp: Fingerprint, after: Fingerprint | None, verdict: dict[str, Any],
    con: duckdb.DuckDBPyConnection, bad_rows_sql: str | None,
    key_hashes: dict[str, tuple[Path, list[str]]] | None = None,
) -> bool:
    """Write the verdict for these files unless they changed meanwhile or are too fresh.

    ``bad_rows_sql`` selects ``__table, __file, __row`` of every row the loader left out
    (written next to the entry as Parquet); ``key_hashes`` are, per keyed table, the file
    of the sorted key hashes of its settled files (:func:`park_keys`), moved beside the
    entry, and those files' resolved paths. Returns whether an entry was written.
    """
    if after is None or after.files != fp.files or fp.racy():
        return False
    path = _entry_path(fp.folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"key": fp.key, **verdict, "bad_rows_file": None}
        if bad_rows_sql:
            name = f"{path.stem}.{fp.taken_ns}.bad.parquet"
            target = sql_str(str(path.parent / name))
            con.execute(f"COPY ({bad_rows_sql}) TO {target} (FORMAT parquet)")
            entry["bad_rows_file"] = name
        kept: dict[str, str] = {}
        covered: dict[str, list[str]] = {}
        for table, (parked, paths) in (key_hashes or {}).items():
            kept[table] = f"{path.stem}.{fp.taken_ns}.{table}.keys.npy"
            covered[table] = paths
            os.replace(parked, path.parent / kept[table])
        entry["key_hashes"] = kept
        entry["key_hash_files"] = covered
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entry), encoding="utf-8")
        os.replace(tmp, path)
        _prune(path.parent, path.stem, {entry["bad_rows_file"], *kept.values()})
    except (OSError, ValueError, duckdb.Error):
        return False
    return True


def _prune(folder: Path, current: str, keep: set[str | None]) -> None:
    """Drop this entry's older bad-row and key-hash files and the least recently used
    entries with theirs."""
    for pattern in ("*.bad.parquet", "*.keys.npy"):
        for old in folder.glob(f"{current}.{pattern}"):
            if old.name not in keep:
                old.unlink(missing_ok=True)
    for parked in folder.glob("pending.*.keys.npy"):  # of loads that stopped half way
        with contextlib.suppress(OSError):
            if parked.stat().st_mtime_ns < time.time_ns() - 3_600_000_000_000:
                parked.unlink()
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for stale in entries[MAX_ENTRIES:]:
        for pattern in ("*.bad.parquet", "*.keys.npy"):
            for old in folder.glob(f"{stale.stem}.{pattern}"):
                old.unlink(missing_ok=True)
        stale.unlink(missing_ok=True)
