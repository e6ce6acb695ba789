"""Writing canonical tables safely: new rows merged with what is there, files replaced whole.

Each table is written to the import's staging folder and moved over the old file when the
import commits (``connectors/transaction.py``), so an import killed half-way leaves the previous
files intact. Rows are also de-duplicated on their key when merged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from omnikpi.connectors import transaction
from omnikpi.connectors.transaction import ImportCommit
from omnikpi.schema.arrow_types import ARROW_TYPES
from omnikpi.schema.tables import TABLES, ColumnType

_EVENTS = {"agent_states": ["agent_id", "start"],
           "messages": ["contact_id", "ts", "sender"],
           "surveys": ["contact_id", "customer_id", "survey", "answered_at", "score"],
           "qa_items": ["evaluation_id", "item_id"],
           "roster": ["agent_id", "hired_on"]}
KEYS = {name: ([table.key] if table.key else _EVENTS.get(name, list(table.column_names)))
        for name, table in TABLES.items()}
"""Each table's key: a row imported again (an overlapping export) is kept once, the first
time it came — the id the data model declares unique (``Table.key``: a later duplicate
would be quarantined), for the event tables the event itself (a survey answer has no id:
the same answer of the same contact at the same instant is one answer), a QA item by its
evaluation and item, a person of the roster by their hiring, and for the other tables
without an id (shifts, costs, …) the whole row: the same schedule or cost export imported
twice doubled the hours and the amounts."""
TEXT_KEYED = {"messages": "text"}
"""Tables whose key also holds their text column when the rows carry one: two messages a
customer sent in the same second ("Hello", "Can you help?") are two messages — the
second was dropped as a repeat and its words lost to the QA page — while the same
message exported twice still has the same words."""
WHOLE_ROW = frozenset(name for name, table in TABLES.items()
                      if not table.key and name not in _EVENTS)
"""The tables keyed by every column (see ``KEYS``)."""
SNAPSHOTS = frozenset({"roster", "agent_states"})
"""Tables whose rows a later export knows better: without a version, the rows imported
last are the newer form of a stored row with the same key. An HR system's list of people:
a leaver's ``left_on`` arrives in a later export of the same person and must replace the
row without it. An agent state (agent, start: one agent is in one state at an instant):
its end is the next change the export saw — a state cut at the export time ends later in
the next export, and events imported together with earlier ones can show a change that
ends it sooner, or another state (a page alone read a break where the whole view saw the
agent still chatting). The first form kept beside the later rows made overlapping states,
quarantined (or a gap reported as "repeated")."""


def to_arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows with epoch-second timestamps → a typed Arrow table of the canonical columns."""
    spec = TABLES[table]
    arrays = {}
    for col in spec.columns:
        values = [row.get(col.name) for row in rows]
        if col.type is ColumnType.TIMESTAMP:
            values = [None if v is None else round(float(v) * 1_000_000) for v in values]
            arrays[col.name] = pa.array(values, pa.int64()).cast(ARROW_TYPES[col.type])
        else:
            arrays[col.name] = pa.array(values, ARROW_TYPES[col.type])
    return pa.table(arrays)


def merge_write_arrow(run: ImportCommit, table: str, new: pa.Table,
                      fmt: str = "parquet") -> int:
    """Append an Arrow table of canonical columns to ``table.<fmt>`` of the run's dataset,
    de-duplicated on the table's key; the file is replaced when the run commits. Returns
    the rows in the table (see :func:`merge_write` for the rows a repeat left out)."""
    return merge_write(run, table, new, fmt).rows


VERSIONS_FOLDER = "_import_versions"
"""Beside the tables: each versioned row's key, version (``[source] version`` of a
mapping) and record (a table's ``record``), so a later import knows which form of a record
is the newer one."""


@dataclass(frozen=True)
class Merged:
    rows: int
    """Rows in the table after the merge (this import's and the earlier ones')."""
    repeated: int
    """New rows left out because their key was already in the table or came earlier in
    the same import: each is kept once, the first time it came (with versions: the newest
    form, ties to the first)."""
    updated: int = 0
    """Rows already in the table replaced by a newer form of the same record (versions
    only: a ticket imported open, then again once solved)."""
    added: int = 0
    """This import's rows now in the table (new, or a newer form of a stored row): with
    ``repeated``, every row the merge was given. The table's total counted here made an
    import into a folder of 3 rows say 4 rows of 3 read were written."""
    removed: int = 0
    """Rows already in the table left out because their record's newest form is one a
    filter with ``removes_older_forms`` skipped (see :func:`merge_write`)."""


def merge_write(run: ImportCommit, table: str, new: pa.Table, fmt: str = "parquet",
                versions: pa.Array | None = None, records: pa.Array | None = None,
                keep_older: dict[str, pa.Array] | None = None,
                removing: pa.Array | None = None) -> Merged:
    """:func:`merge_write_arrow`, also counting the new rows a repeated key left out, so
    an import can say where every row it read went.

    ``versions`` (one number per new row, bigger is newer; null unknown) makes the newest
    form of a record win instead of the first: a ticket imported while open and again
    once solved keeps the solved form, and an older export imported later changes
    nothing. Rows stored without a version count as the oldest.

    ``records`` (with ``versions``: the source's id of each new row, null unknown) is the
    identity of a row the table's key cannot give: a rating the customer changed has
    another score and time — another key — and the same record, so its newest form
    replaces the older one instead of counting as a second answer.

    ``keep_older`` (with ``versions``: per column, one flag per new row) keeps an older
    form's value of that column where the newest form has none and its flag is set: a
    Zendesk ticket's first reply, read from the metric events of the export that saw it,
    stays when a later export sees the ticket updated without those events. The flags are
    kept beside the versions, so the exports may still come in any order.

    ``removing`` (with ``versions``: one flag per new row) marks rows that only carry the
    key and version of a form a mapping's filter skipped with ``removes_older_forms``:
    every form of that record older than it — stored, or arriving now — is left out
    (``Merged.removed`` counts the stored ones; the arriving ones are ``repeated``). The
    removing forms are remembered beside the versions, so an older export imported later
    does not bring the record back."""
    if (records is not None or keep_older or removing is not None) and versions is None:
        raise ValueError("records, keep_older and removing need versions: which form is "
                         "the newer")
    gone = None
    if removing is not None and versions is not None:
        flags = removing.fill_null(False)
        gone = new.filter(flags).select(KEYS[table]).to_pandas().astype(object)
        gone["__version"] = versions.filter(flags).to_numpy(zero_copy_only=False)
        real = pc.invert(flags)
        new, versions = new.filter(real), versions.filter(real)
        records = records.filter(real) if records is not None else None
        keep_older = {c: f.filter(real) for c, f in (keep_older or {}).items()} or None
    removals = _removal_forms(run, table, gone) if versions is not None else None
    if versions is None and table in SNAPSHOTS:
        versions = pa.array([time.time()] * new.num_rows, pa.float64())
    out = run.out
    target = out / f"{table}.{fmt}"
    arriving = new.num_rows
    old_rows = 0
    key = KEYS.get(table)
    if key and TEXT_KEYED.get(table) in new.column_names:
        key = [*key, TEXT_KEYED[table]]
    stored_versions: pa.Array = pa.array([], pa.float64())
    stored_records: pa.Array = pa.array([], pa.string())
    stored_side: Any = None
    if target.exists():
        old = pq.read_table(target) if fmt == "parquet" else _read_csv(target, table)
        old_rows = old.num_rows
        if key:
            stored_versions, stored_records, stored_side = _stored_versions(
                out, table, old, key)
        new = pa.concat_tables([old.select(new.column_names).cast(new.schema), new])
    repeated = updated = removed = 0
    added = arriving
    if key and new.num_rows:
        frame = new.to_pandas()
        if versions is not None:
            frame["__version"] = pa.concat_arrays(
                [stored_versions, versions.cast(pa.float64())]).to_numpy(zero_copy_only=False)
            frame["__order"] = range(len(frame))
            newest = _newest(frame, key)
            kept = frame.index.isin(newest.index) | _keyless_kept(frame, key, new.column_names)
            for column in _side_columns(frame, stored_side, keep_older or {}, old_rows):
                _keep_older_values(frame, key, column, kept)
            if records is not None or stored_records.null_count < len(stored_records):
                arriving_records = (records if records is not None
                                    else pa.nulls(arriving, pa.string()))
                frame["__record"] = pa.concat_arrays(
                    [stored_records, arriving_records.cast(pa.string())]
                ).to_numpy(zero_copy_only=False)
                recorded = frame[kept & frame["__record"].notna().to_numpy()]
                kept &= ~frame.index.isin(recorded.index.difference(
                    _newest(recorded, ["__record"]).index))
            removed_here = _older_than_removals(frame, kept, KEYS[table], removals)
            kept &= ~removed_here
            same = _replaced_by_their_twin(frame, kept, old_rows, new.column_names)
            # a stored row is removed when its record is (the newest form it lost to may
            # have arrived with the removing one): it was counted as replaced
            removed = int((~kept[:old_rows] & _of_keys(frame, KEYS[table], removed_here)
                           [:old_rows]).sum())
            updated = int((~kept[:old_rows]).sum()) - same - removed
        else:
            kept = (~frame.duplicated(subset=key, keep="first")).to_numpy() \
                | _keyless_kept(frame, key, new.column_names)
            same = 0
        repeated = arriving - int(kept[old_rows:].sum()) + same
        added = arriving - repeated
        if versions is not None:
            _stage_versions(run, table, frame[kept], key)
            frame = frame.drop(columns=[c for c in frame.columns if c.startswith("__")])
        new = pa.Table.from_pandas(frame[kept], schema=new.schema, preserve_index=False)
    staged = run.stage(target.name)
    if fmt == "parquet":
        pq.write_table(new, staged)
    else:
        import pyarrow.csv as pacsv

        pacsv.write_csv(new, staged)
    run.place(staged, target)
    transaction.checkpoint(f"staged {target.name}")
    return Merged(int(new.num_rows), repeated, updated, added, removed)


def _of_keys(frame: Any, key: list[str], rows: Any) -> Any:
    """Which rows of ``frame`` share their key with one of ``rows`` (a mask)."""
    import pandas as pd

    keys = pd.MultiIndex.from_frame(frame[key].astype(object))
    return keys.isin(keys[rows])


def _removal_forms(run: ImportCommit, table: str, arriving: Any) -> Any:
    """The forms a filter with ``removes_older_forms`` skipped, newest per key: those
    remembered from earlier imports and the ``arriving`` ones (key and ``__version``;
    None: none arrive), remembered again for the next import (None: there are none)."""
    import pandas as pd

    path = _removals_path(run.out, table)
    known = pq.read_table(path).to_pandas() if path.exists() else None
    parts = [p for p in (known, arriving) if p is not None and len(p)]
    if not parts:
        return None
    key = KEYS[table]
    forms = pd.concat([p.rename(columns={"version": "__version"}) for p in parts],
                      ignore_index=True)
    forms[key] = forms[key].astype(object)
    forms["__version"] = forms["__version"].astype(float)
    newest = forms.sort_values("__version", ascending=False).drop_duplicates(subset=key)
    if arriving is not None and len(arriving):
        staged = run.stage(f"removals-{table}.parquet")
        pq.write_table(pa.Table.from_pandas(
            newest.rename(columns={"__version": "version"}), preserve_index=False), staged)
        run.place(staged, path)
    return newest


def _older_than_removals(frame: Any, kept: Any, key: list[str], removals: Any) -> Any:
    """Which kept rows of ``frame`` are older forms (or of no version) of a record whose
    newest form is in ``removals`` (see :func:`_removal_forms`); a newer form — the
    conversation reopened and answered — stays."""
    import numpy as np

    if removals is None:
        return np.zeros(len(frame), dtype=bool)
    rows = frame[key].astype(object).merge(
        removals.rename(columns={"__version": "__removed_at"}), on=key, how="left")
    removed_at = rows["__removed_at"].astype(float).to_numpy()
    version = frame["__version"].astype(float).to_numpy()
    older: Any = kept & ~np.isnan(removed_at) & (np.isnan(version) | (version < removed_at))
    return older


def _removals_path(out: Path, table: str) -> Path:
    return out / VERSIONS_FOLDER / f"{table}-removed.parquet"


def _versions_path(out: Path, table: str) -> Path:
    return out / VERSIONS_FOLDER / f"{table}.parquet"


def _replaced_by_their_twin(frame: Any, kept: Any, stored: int, columns: list[str]) -> int:
    """Stored rows replaced by an arriving row equal in every column (the same export
    imported again, a snapshot unchanged): counted as repeated, not as updated."""
    rows = frame.index.to_numpy()
    replaced = frame.loc[(rows < stored) & ~kept, columns]
    if replaced.empty:
        return 0
    winners = frame.loc[(rows >= stored) & kept, columns]
    return len(replaced.merge(winners, on=columns, how="inner"))


def _keyless_kept(frame: Any, key: list[str], columns: list[str]) -> Any:
    """Rows without their key (an empty contact_id), each kept unless an equal row came
    before: pandas counts empty keys as equal, so every row of a file with an empty id
    but the first was dropped as "repeated", while the summary said each was written
    (validation then quarantines them, naming each)."""
    keyless = frame[key].isna().any(axis=1).to_numpy()
    if not keyless.any():  # the usual case: no pass over every column
        return keyless
    return keyless & ~frame.duplicated(subset=columns, keep="first").to_numpy()


def _newest(frame: Any, key: list[str]) -> Any:
    """Per key, the row of the greatest ``__version`` (ties: the first in ``__order``; a
    row without a version counts as the oldest)."""
    return frame.sort_values(["__version", "__order"], ascending=[False, True],
                             na_position="last").drop_duplicates(subset=key)


FLAG = "__keep_older__"
"""Beside a row (in the merge and the versions file): its ``keep_older`` flag of a column."""
KNOWN = "__known__"
KNOWN_VERSION = "__known_version__"
"""Beside a row: the newest value any form of it had of a ``keep_older`` column, and that
form's version — remembered after a form without the value replaced it, so the result
does not depend on the order the exports come in."""
FILLED = "__filled__"
"""Beside a row: whether its value of a ``keep_older`` column came from an older form (not
its own, so not a value of its version)."""
_SIDE = (FLAG, KNOWN, KNOWN_VERSION, FILLED)


def _side_columns(frame: Any, stored: Any, arriving: dict[str, pa.Array],
                  stored_rows: int) -> list[str]:
    """The ``keep_older`` columns of the versions file (stored rows) and of the arriving
    rows (their flags) set on ``frame``; returns the canonical columns they are about."""
    import pandas as pd

    if stored is not None:
        for name in stored.columns:
            frame[name] = pd.concat([stored[name].astype(object), pd.Series(
                [None] * (len(frame) - stored_rows), dtype=object)], ignore_index=True)
    for column, flags in arriving.items():
        if FLAG + column not in frame.columns:
            frame[FLAG + column] = None
        frame.loc[frame.index[stored_rows:], FLAG + column] = \
            flags.to_numpy(zero_copy_only=False)
    return sorted(c.removeprefix(FLAG) for c in frame.columns if c.startswith(FLAG))


def _keep_older_values(frame: Any, key: list[str], column: str, kept: Any) -> None:
    """Where a kept (newest) row has ``column`` empty and its flag set, the newest value
    any form of its key had — those in the frame and those remembered (``frame`` changed
    in place, the remembered value and version updated on the kept rows)."""
    import pandas as pd

    value, version, filled = KNOWN + column, KNOWN_VERSION + column, FILLED + column
    for name in (value, version, filled):
        if name not in frame.columns:
            frame[name] = None
    borrowed = frame[filled].fillna(False).astype(bool).to_numpy()
    own = frame.loc[frame[column].notna().to_numpy() & ~borrowed,
                    [*key, column, "__version", "__order"]]
    remembered = frame.loc[frame[value].notna(), [*key, value, version, "__order"]]
    candidates = pd.concat([
        own.rename(columns={column: "value", "__version": "version"}),
        remembered.rename(columns={value: "value", version: "version"})])
    candidates["version"] = candidates["version"].astype(float)
    best = candidates.sort_values(["version", "__order"], ascending=[False, True],
                                  na_position="last").drop_duplicates(subset=key)
    found = frame.loc[kept, key].merge(best[[*key, "value", "version"]], on=key, how="left")
    frame.loc[kept, value] = found["value"].to_numpy()
    frame.loc[kept, version] = found["version"].to_numpy()
    flagged = frame[FLAG + column].fillna(False).astype(bool).to_numpy()
    empty = kept & (frame[column].isna().to_numpy() | borrowed) & flagged
    if empty.any():
        frame[column] = frame[column].astype(object)
        frame.loc[empty, column] = frame.loc[empty, value]
        frame.loc[empty, filled] = frame.loc[empty, value].notna().to_numpy()


def _stored_versions(out: Path, table: str, old: pa.Table, key: list[str]
                     ) -> tuple[pa.Array, pa.Array, Any]:
    """The version, the record and the ``keep_older`` columns (a frame, or ``None``) of
    each stored row (null where none was kept)."""
    path = _versions_path(out, table)
    if not path.exists():
        return pa.nulls(old.num_rows, pa.float64()), pa.nulls(old.num_rows, pa.string()), None
    known = pq.read_table(path).to_pandas()
    if "record" not in known.columns:  # kept before records were
        known["record"] = None
    rows = old.select(key).to_pandas().astype(object)
    known[key] = known[key].astype(object)
    joined = rows.merge(known.drop_duplicates(subset=key), on=key, how="left")
    side = [c for c in joined.columns if c.startswith(_SIDE)]
    return (pa.array(joined["version"].to_numpy(), pa.float64(), from_pandas=True),
            pa.array(joined["record"].astype(object).to_numpy(), pa.string(),
                     from_pandas=True), joined[side] if side else None)


def _stage_versions(run: ImportCommit, table: str, kept: Any, key: list[str]) -> None:
    columns = [*key, "__version", *(["__record"] if "__record" in kept.columns else []),
               *[c for c in kept.columns if c.startswith(_SIDE)]]
    versions = pa.Table.from_pandas(
        kept[columns].rename(columns={"__version": "version", "__record": "record"}),
        preserve_index=False)
    staged = run.stage(f"versions-{table}.parquet")
    pq.write_table(versions, staged)
    run.place(staged, _versions_path(run.out, table))


def _read_csv(path: Path, table: str) -> pa.Table:
    import pyarrow.csv as pacsv

    schema = to_arrow(table, []).schema
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=schema))


def stored_rows(out: Path, table: str, fmt: str = "parquet") -> pa.Table | None:
    """The rows of ``table`` an earlier import wrote into ``out`` (None when there are
    none): for a connector that derives a row from records split across imports (a chat
    over midnight in two daily transcript files)."""
    target = out / f"{table}.{fmt}"
    if not target.exists():
        return None
    return pq.read_table(target) if fmt == "parquet" else _read_csv(target, table)
