"""Rollups: the stored partial sums of the additive contact metrics, read by reports
instead of the contacts wherever that gives the very same numbers.

A rollup row holds, for one 15-minute bucket of UTC time (keyed by its start instant),
one booking rule (arrival, end, resolved) and one combination of the contact dimensions
other than ``agent_id`` (``DIMENSIONS``), the Σ numerator and Σ denominator (or the max)
of every metric that can be summed from such rows (``eligible``): a metric of the contacts
source whose parts are sums or maxima of per-contact values. Ratios are still divided
last, from the summed parts, so a rollup report is pooled exactly like a direct one.

Why 15 minutes of UTC: every time zone offset in use is a whole number of quarter hours,
so every local period (15 min to a month, in any zone, across DST changes) starts and
ends on a quarter-hour bucket edge, and a bucket belongs entirely to one period of any
report. A report whose zone had an offset off the quarter hour over the data's span, or
whose window does not start and end on a quarter hour, reads the contacts.

Only settled contacts are rolled up: a contact still unresolved (offered, neither
answered nor abandoned) is judged by its age at as-of, so those few rows are kept as
they are (``open.parquet``) and every report computes them directly. Settled contacts'
numbers do not depend on as-of once as-of is at or after the latest contact event, which
is the condition for reading the rollup (``RollupManifest.as_of_us``).

Written by :mod:`omnikpi.rollup` (``omnikpi rollup``, ``omnikpi serve``): see
docs/rollups.md.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import operator
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir

from omnikpi.config import Config
from omnikpi.engine.backends import Backend
from omnikpi.engine.compile import DirectPartial, MetricRequest, _Part, _parts, _values
from omnikpi.engine.context import RunContext
from omnikpi.engine.grains import key_expr
from omnikpi.engine.registry import SOURCES, metric_tables
from omnikpi.engine.sources import KEY, SourceRequest, TableGetter
from omnikpi.engine.timezones import DAY_US, MICROS
from omnikpi.metrics.base import Metric
from omnikpi.schema.convert import sql_str
from omnikpi.schema.dataset import Dataset
from omnikpi.schema.file_stamps import stamps_of
from omnikpi.schema.tables import CONTACT_DIMENSIONS

LOG = logging.getLogger(__name__)
FOLDER = "_rollups"
MANIFEST = "manifest.json"
FORMAT_VERSION = 2
"""2: files are known by size and a stamp of their times and inode, the stored files by
their size and rows, the sums by the code that computed them."""
BUCKET_US = 15 * 60 * MICROS
DIMENSIONS = tuple(d for d in CONTACT_DIMENSIONS if d != "agent_id")
"""What a rollup row is cut by: the contact dimensions but the agent (a report cut or
filtered by agent reads the contacts: a rollup per agent would be nearly as large)."""
BOOKED_AT = {"arrival": "arrived_at", "end": "ended_at", "resolved": "resolved_at"}
"""The raw instant of each booking rule of the contacts (``sources.contact_booking_ts``)."""
BUCKET = "__bucket"
BOOKING = "__booking"
DAY = "__day"
"""UTC day number of the bucket: what a refresh replaces."""


def eligible(metric: Metric) -> bool:
    """Whether a metric's parts can be summed from rollup rows: contact rows booked at
    one instant, summed or maximised, nothing counted distinct, no per-period hours."""
    return (metric.source == "contacts" and metric.denominator_source in (None, "contacts")
            and not metric.per_period_hours and metric.aggregate in ("sum", "max")
            and metric.denominator_aggregate == "sum" and metric.key_column is None
            and not metric.source_params and metric_tables(metric) == ("contacts",))


def params_text(params: Mapping[str, Any]) -> str:
    return repr(sorted((k, repr(v)) for k, v in params.items()))


CODE_PARTS = ("metrics", "engine", "schema", "rollup")
"""The packages the sums are computed and written by; with them, every module at the
package's top
(``config.py`` holds the built-in SL thresholds and channel modes, ``instants.py`` the
time arithmetic)."""


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the code the sums come from, read once per process: a checkout or an
    editable install keeps the package version while its code changes, and the sums of
    the old code were read. The configuration's defaults are code too: a chat SL threshold
    changed from 60 to 30 s in ``config.py`` left the rollup "up to date" (0.960 beside
    the direct 0.955), the settings it keeps saying only "default"."""
    return code_digest_of(Path(__file__).resolve().parents[1])


def code_digest_of(root: Path) -> str:
    digest = hashlib.sha256()
    sources = sorted(root.glob("*.py"))
    for part in CODE_PARTS:
        sources += sorted((root / part).rglob("*.py"))
    for source in sources:
        digest.update(str(source.relative_to(root)).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:20]


NUMBER_SETTINGS = {"channels", "queues", "agents"}
"""The parts of the configuration numbers depend on (modes, SL thresholds, paid reasons,
chat capacity); targets, e-mail and webhooks change no sum (and the SMTP host has no
place in a file beside the data)."""


def settings_key(config: Config) -> str:
    """What the stored sums depend on besides the data: the configuration's numbers,
    this format and the code (:func:`code_digest`)."""
    return json.dumps([FORMAT_VERSION, code_digest(),
                       config.model_dump(mode="json", include=NUMBER_SETTINGS)],
                      sort_keys=True)


@dataclass(frozen=True)
class RollupManifest:
    """``_rollups/manifest.json``: what the stored rollup was built from."""

    settings: str
    as_of_us: int
    """The latest contact event of the data it was built on."""
    files: dict[str, tuple[int, int, int, int]]
    """Contacts file (relative path) → size, stamp (:func:`file_stamp`), first and last
    UTC day it touches."""
    metrics: dict[str, str]
    """Metric id → the parameters (``params_text``) its sums were computed with."""
    columns: dict[str, tuple[str, ...]]
    """Booking → the part columns stored for it (``<metric>__num``, ``<metric>__den``)."""
    aggregates: dict[str, str]
    """Part column → sum or max."""
    sums_file: str
    open_file: str
    open_rows: int
    generation: int
    stored: dict[str, tuple[int, int]]
    """Each file written (sums, open) → its size and rows: a file damaged or replaced
    since is never read (:func:`intact`)."""
    left_out: dict[str, str] | None = None
    """Contacts file → a digest of the rows the validation left out of it (files without
    any not listed); None: not known, so a refresh builds everything again
    (``rollup/refresh.py``)."""

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT_VERSION, "settings": self.settings, "as_of_us": self.as_of_us,
            "files": {k: list(v) for k, v in self.files.items()}, "metrics": self.metrics,
            "columns": {k: list(v) for k, v in self.columns.items()},
            "aggregates": self.aggregates, "sums_file": self.sums_file,
            "open_file": self.open_file, "open_rows": self.open_rows,
            "generation": self.generation,
            "stored": {k: list(v) for k, v in self.stored.items()},
            "left_out": self.left_out,
        }, indent=1, sort_keys=True)


def read_manifest(folder: Path) -> RollupManifest | None:
    """The manifest of ``folder`` (the data folder's ``_rollups``), None when there is
    none or it is not one this version wrote."""
    try:
        raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT_VERSION:
            return None
        return RollupManifest(
            raw["settings"], int(raw["as_of_us"]),
            {k: (int(v[0]), int(v[1]), int(v[2]), int(v[3])) for k, v in raw["files"].items()},
            {str(k): str(v) for k, v in raw["metrics"].items()},
            {str(k): tuple(v) for k, v in raw["columns"].items()},
            {str(k): str(v) for k, v in raw["aggregates"].items()},
            str(raw["sums_file"]), str(raw["open_file"]), int(raw["open_rows"]),
            int(raw["generation"]),
            {str(k): (int(v[0]), int(v[1])) for k, v in raw["stored"].items()},
            None if raw.get("left_out") is None
            else {str(k): str(v) for k, v in raw["left_out"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None  # AttributeError: JSON of another shape (a list where a mapping was)


def settled(contacts: ir.Table) -> ir.BooleanValue:
    """Contacts whose numbers no longer depend on as-of (see the module docstring)."""
    return (contacts.blocked.fill_null(False) | contacts.first_response_at.notnull()
            | contacts.abandoned_at.notnull())


def rollup_expr(backend: Backend, ctx: RunContext, requests: list[MetricRequest]
                ) -> tuple[ir.Table, dict[str, tuple[str, ...]], dict[str, str]]:
    """The rollup rows of the settled contacts booked in ``ctx``'s window (zone UTC,
    grain 15min), the part columns per booking and each column's aggregate."""
    assert ctx.grain == "15min" and ctx.tz == "UTC"
    parts = _parts(requests, list(DIMENSIONS))

    def tables(name: str) -> ir.Table:
        t = backend.table(name)
        if name != "contacts":
            return t
        # a contact booked in the window (at arrival, end or resolution) has that raw
        # instant in it: the other rows are dropped before their facts are derived
        inside = [t[c].between(ctx.from_us, ctx.to_us - 1) for c in BOOKED_AT.values()
                  if ctx.from_us is not None and ctx.to_us is not None
                  and {b for _, b, _ in parts} <= set(BOOKED_AT)]
        if inside:
            t = t.filter(functools.reduce(operator.or_, inside))
        return t.filter(settled(t))

    metric_of = {r.metric.id: r.metric for r in requests}
    all_columns = [p.column for plist in parts.values() for p in plist]
    columns: dict[str, tuple[str, ...]] = {}
    aggregates: dict[str, str] = {
        p.column: p.aggregate for plist in parts.values() for p in plist}
    pieces: list[ir.Table] = []
    for (source, booking, _), plist in parts.items():
        assert source == "contacts"
        t = SOURCES[source].build(SourceRequest(tables, ctx, lambda: [], booking))
        values = _values(t, plist, metric_of)
        agg = t.group_by([*DIMENSIONS, KEY]).aggregate(**values)
        columns[booking] = tuple(values)
        pieces.append(agg.select(
            *DIMENSIONS, **{BOOKING: ibis.literal(booking), BUCKET: agg[KEY],
                            DAY: agg[KEY] // DAY_US},
            **{c: agg[c] if c in values else ibis.null("float64") for c in all_columns}))
    expr = ibis.union(*pieces, distinct=False) if len(pieces) > 1 else pieces[0]
    return expr, columns, aggregates


@dataclass(frozen=True)
class StoredRollup:
    """A report's view of the stored rollup (``compile.RollupReader``)."""

    sums: ir.Table
    open_rows: ir.Table | None
    columns: dict[str, frozenset[str]]
    """Booking → the part columns this report may read from the rollup."""

    @property
    def key(self) -> str:
        """What a compiled report built on this rollup depends on (the plan cache's key)."""
        return repr((self.sums.get_name(),
                     None if self.open_rows is None else self.open_rows.get_name(),
                     sorted((b, sorted(c)) for b, c in self.columns.items())))

    def split(self, source: str, bookings: dict[str, list[_Part]]
              ) -> tuple[dict[str, list[_Part]], dict[str, list[_Part]]]:
        if source != "contacts":
            return {}, bookings
        rolled: dict[str, list[_Part]] = {}
        rest: dict[str, list[_Part]] = {}
        for booking, plist in bookings.items():
            kept = self.columns.get(booking, frozenset())
            mine = [p for p in plist if p.column in kept]
            others = [p for p in plist if p.column not in kept]
            if mine:
                rolled[booking] = mine
            if others:
                rest[booking] = others
        return rolled, rest

    def partials(self, rolled: dict[str, list[_Part]], by: list[str],
                 source_request: SourceRequest, all_columns: list[str],
                 where: dict[str, list[str]] | None, direct: DirectPartial) -> list[ir.Table]:
        out: list[ir.Table] = []
        ctx = source_request.ctx
        for booking, plist in rolled.items():
            out.append(self._stored(booking, plist, by, ctx, all_columns, where))
            if self.open_rows is not None:
                open_request = SourceRequest(
                    _replacing(source_request.tables, self.open_rows), ctx,
                    source_request.calendar, booking)
                out.append(direct(booking, plist, open_request))
        return out

    def _stored(self, booking: str, plist: list[_Part], by: list[str], ctx: RunContext,
                all_columns: list[str], where: dict[str, list[str]] | None) -> ir.Table:
        t = self.sums
        cond = t[BOOKING] == booking
        if ctx.from_us is not None:
            cond &= t[BUCKET] >= ctx.from_us
        if ctx.to_us is not None:
            cond &= t[BUCKET] < ctx.to_us
        for dim, allowed in (where or {}).items():
            cond &= t[dim].isin(allowed)
        t = t.filter(cond)
        t = t.mutate(**{KEY: key_expr(ctx.grain, t[BUCKET], ctx.offsets,
                                      ctx.nonnegative_keys)})
        values = {p.column: t[p.column].max() if p.aggregate == "max" else t[p.column].sum()
                  for p in plist}
        keys = [*by, KEY]
        agg = t.group_by(keys).aggregate(**values)
        return agg.select(*keys, **{c: agg[c] if c in values else ibis.null("float64")
                                    for c in all_columns})


def _replacing(tables: TableGetter, contacts: ir.Table) -> TableGetter:
    def table(name: str) -> ir.Table:
        return contacts if name == "contacts" else tables(name)
    return table


_LOCK = threading.Lock()


def _views(dataset: Dataset, folder: Path, manifest: RollupManifest) -> tuple[str, str] | None:
    """The dataset's views of the manifest's files (created once per generation), or
    None when the rollup was not built from the very files this dataset loaded, or its
    files are no longer those the manifest wrote. That is checked for every report (a
    file's size and its Parquet row count): once a generation was found intact, a file
    deleted since gave every report of a running server a 500, and one replaced by half
    its rows was read without a word."""
    known: dict[int, tuple[str, str] | None] = getattr(dataset, "_rollup_views", {})
    if manifest.generation in known:
        found = known[manifest.generation]
        return found if found is not None and intact(dataset, folder, manifest) else None
    with _LOCK:
        answer: tuple[str, str] | None = None
        if _same_files(dataset, manifest) and intact(dataset, folder, manifest):
            sums = f"__rollup_sums_{manifest.generation}"
            opened = f"__rollup_open_{manifest.generation}"
            for view, name in ((sums, manifest.sums_file), (opened, manifest.open_file)):
                dataset.con.execute(f"CREATE OR REPLACE VIEW \"{view}\" AS SELECT * FROM "
                                    f"read_parquet({sql_str(str(folder / name))})")
            answer = (sums, opened)
        known = {**known, manifest.generation: answer}
        dataset._rollup_views = known  # type: ignore[attr-defined]
        return answer


def contact_files(dataset: Dataset) -> dict[str, tuple[int, int]]:
    """The dataset's contacts files (path relative to the data folder) → size, stamp, as
    they were when it was loaded (a dataset made otherwise: as they are now)."""
    if dataset.contact_stamps is not None:
        return dataset.contact_stamps
    load = dataset.loads.get("contacts")
    stamps = stamps_of(dataset.path, load.files if load is not None else [])
    if stamps is None:
        raise OSError("a contacts file cannot be read")
    return stamps


def stored_check(dataset: Dataset, path: Path) -> tuple[int, int] | None:
    """A stored file's size and rows, None when it cannot be read as Parquet."""
    try:
        size = path.stat().st_size
        row = dataset.con.cursor().execute(
            f"SELECT count(*) FROM read_parquet('{str(path).replace(chr(39), chr(39) * 2)}')"
        ).fetchone()
    except (OSError, duckdb.Error):
        return None
    return (size, int(row[0])) if row else None


def intact(dataset: Dataset, folder: Path, manifest: RollupManifest) -> bool:
    """Whether the stored files are those the manifest wrote: a truncated file broke
    every report, and one with rows removed was read without a word."""
    for name in (manifest.sums_file, manifest.open_file):
        check = stored_check(dataset, folder / name)
        # a file gone is never intact (its absent check equalled the manifest's absent
        # entry, and every report failed on the missing file)
        if check is None or check != manifest.stored.get(name):
            LOG.warning("the rollup file %s is damaged or was replaced: reports read the "
                        "contacts until `omnikpi rollup` builds it again", folder / name)
            return False
    return True


def _same_files(dataset: Dataset, manifest: RollupManifest) -> bool:
    try:
        current = contact_files(dataset)
    except (OSError, ValueError):
        return False
    # a dataset of no files (the live monitor's tables of the day) never matches
    return bool(current) and current == {k: (v[0], v[1]) for k, v in manifest.files.items()}


def stale_note(dataset: Dataset, engine: str, config: Config | None = None) -> str | None:
    """What a report on the command line or in Python says when the folder's rollup was
    built from other contacts files than those it loaded (a day added or a file changed
    after the last ``omnikpi rollup``): its reports read the contacts — the same numbers,
    slower over long periods — and nothing said why. ``serve`` refreshes by itself, so
    the web says nothing. Also when it was built with other settings (another
    configuration's numbers, another version of OmniKPI) than ``config``: never read,
    and nothing said why."""
    if engine != "duckdb" or not enabled() or dataset.owner is not None:
        return None
    folder = dataset.path / FOLDER
    manifest = read_manifest(folder)
    if manifest is None or not dataset.has("contacts"):
        return None
    if not _same_files(dataset, manifest):
        return (f"the rollups in {folder} were built before the contacts files changed: "
                "reports read the contacts (the same numbers, slower over long periods) "
                f"until `omnikpi rollup --data {dataset.path}` refreshes them")
    if config is not None and manifest.settings != settings_key(config):
        return (f"the rollups in {folder} were built with other settings (another "
                "configuration, or another version of OmniKPI): reports read the contacts "
                "(the same numbers, slower over long periods) until "
                f"`omnikpi rollup --data {dataset.path} --config` with the same "
                "configuration builds them again")
    return None


def enabled() -> bool:
    return os.environ.get("OMNIKPI_ROLLUPS", "on").lower() not in ("off", "0", "false", "no")


def reader_for(dataset: Dataset, backend: Backend, ctx: RunContext,
               requests: list[MetricRequest], by: list[str],
               filters: Mapping[str, list[str]]) -> StoredRollup | None:
    """The rollup a report may read, or None when it reads the contacts: no fresh
    rollup, a scoped dataset (a tenant's view), another engine, a cut or filter the
    rollup does not have, an as-of before the latest contact event, a zone or window off
    the quarter hour, or no requested metric whose parameters match the stored ones."""
    from omnikpi.engine.local_duckdb import LocalDuckDB

    if not enabled() or not isinstance(backend, LocalDuckDB) or dataset.owner is not None:
        return None
    if any(d not in DIMENSIONS for d in [*by, *filters]):
        return None
    if any(r.offset_us % BUCKET_US for r in ctx.offsets) or any(
            edge is not None and edge % BUCKET_US for edge in (ctx.from_us, ctx.to_us)):
        return None
    folder = dataset.path / FOLDER
    manifest = read_manifest(folder)
    if manifest is None or ctx.as_of_us < manifest.as_of_us:
        return None
    if manifest.settings != settings_key(ctx.config):
        return None
    columns: dict[str, set[str]] = {}
    for request in requests:
        metric = request.metric
        if not eligible(metric) or manifest.metrics.get(metric.id) != params_text(
                request.params):
            continue
        for booking, stored in manifest.columns.items():
            mine = [c for c in stored if c.rsplit("__", 1)[0] == metric.id]
            columns.setdefault(booking, set()).update(mine)
    if not any(columns.values()):
        return None
    views = _views(dataset, folder, manifest)
    if views is None:
        return None
    sums, opened = views
    return StoredRollup(backend.table(sums),
                        backend.table(opened) if manifest.open_rows else None,
                        {b: frozenset(c) for b, c in columns.items()})
