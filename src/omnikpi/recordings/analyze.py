"""``omnikpi recordings analyze``: talk analytics for every recorded call not yet analysed,
written to the dataset's canonical ``talk_analytics`` table.

Each call whose ``recording_uri`` names a file in the recordings folder is decoded and
measured (:mod:`omnikpi.recordings.analytics`); a recording that cannot be analysed (no
such file, a name outside the folder, a file libsndfile cannot decode, an http(s) address
the server does not fetch) is counted with its reason and analysed again next time. The
new rows are added in one commit (``connectors/transaction.py``), so a run killed half-way
leaves the table as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from omnikpi.config import Config
from omnikpi.connectors.transaction import committed_import
from omnikpi.connectors.writer import merge_write_arrow, to_arrow
from omnikpi.errors import DataError, OmniKPIError
from omnikpi.recordings.analytics import TalkAnalytics, analyze_sides
from omnikpi.recordings.decode import decode
from omnikpi.recordings.paths import is_url, recordings_folder, resolve
from omnikpi.schema.dataset import Dataset, load_dataset

TABLE = "talk_analytics"


@dataclass
class AnalyzeSummary:
    recorded: int = 0
    """Contacts with a recording_uri."""
    already: int = 0
    """Of them, analysed by an earlier run."""
    analysed: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    first_failure: dict[str, str] = field(default_factory=dict)
    """Per reason, the first contact it happened to (``contact: message``)."""
    table_rows: int = 0


def _pending(dataset: Dataset) -> tuple[list[tuple[str, str]], int, int]:
    """(contact_id, recording_uri) of recorded contacts without analysis; recorded; done."""
    if not dataset.has("contacts") or "recording_uri" not in dataset.loads["contacts"].columns:
        return [], 0, 0
    rows = dataset.con.execute(
        "SELECT contact_id, recording_uri FROM contacts WHERE recording_uri IS NOT NULL "
        "AND trim(recording_uri) <> '' ORDER BY contact_id").fetchall()
    done: set[str] = set()
    if dataset.has(TABLE):
        done = {r[0] for r in dataset.con.execute(f"SELECT contact_id FROM {TABLE}")
                .fetchall()}
    pending = [(str(c), str(u)) for c, u in rows if c not in done]
    return pending, len(rows), len(rows) - len(pending)


def analyze_recording(contact_id: str, uri: str, folder: Path, config: Config
                      ) -> TalkAnalytics:
    if is_url(uri):
        raise DataError("an http(s) recording is linked for the browser, not fetched by "
                        "the server: download it into the recordings folder to analyse it")
    settings = config.recordings
    sides = decode(resolve(uri, folder), settings.customer_channel, settings.customer_leg)
    return analyze_sides(contact_id, sides)


def _reason(exc: OmniKPIError) -> str:
    text = str(exc)
    for marker, reason in (("no such file", "file not found"),
                           ("http(s) recording", "http(s) address (not fetched)"),
                           ("cannot decode", "not decodable audio"),
                           ("not an audio file", "not an audio file")):
        if marker in text:
            return reason
    return "refused name (outside the recordings folder or not a file)"


def analyze_dataset(data: Path, config: Config, recordings: Path | None = None, *,
                    fmt: str | None = None,
                    progress: Callable[[int, int], None] | None = None) -> AnalyzeSummary:
    """Analyse the dataset's recorded calls not yet in ``talk_analytics`` and add them."""
    dataset = load_dataset(data)
    try:
        pending, recorded, already = _pending(dataset)
    finally:
        dataset.close()
    folder = recordings if recordings is not None else \
        recordings_folder(config.recordings.folder, data)
    summary = AnalyzeSummary(recorded=recorded, already=already)
    rows: list[dict[str, object]] = []
    for number, (contact_id, uri) in enumerate(pending, start=1):
        try:
            rows.append(analyze_recording(contact_id, uri, folder, config).row())
        except OmniKPIError as exc:
            reason = _reason(exc)
            summary.failed[reason] += 1
            summary.first_failure.setdefault(reason, f"{contact_id}: {exc}")
        if progress is not None:
            progress(number, len(pending))
    summary.analysed = len(rows)
    if rows:
        if fmt is None:
            fmt = "csv" if (data / f"{TABLE}.csv").exists() else "parquet"
        with committed_import(data) as run:
            summary.table_rows = merge_write_arrow(run, TABLE, to_arrow(TABLE, rows), fmt)
    return summary
