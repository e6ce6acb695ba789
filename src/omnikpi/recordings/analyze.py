"""``omnikpi recordings analyze``: talk analytics for every recorded call not yet analysed,
written to the dataset's canonical ``talk_analytics`` table.

Each call whose ``recording_uri`` names a file in the recordings folder is decoded and
measured (:mod:`omnikpi.recordings.analytics`); a recording that cannot be analysed is
counted under its reason (:data:`REASONS`: no such file, a name outside the folder, a file
libsndfile cannot decode, an http(s) address the server does not fetch, two legs of
different sample rates, a file over 4 hours, one shorter than ``MIN_SECONDS``, one of more
than two channels, …) and analysed again next time. The new rows are added in one commit
(``connectors/transaction.py``), so a run killed half-way leaves the table as it was.

The rows go into the table's existing file, whatever ``--format`` says (it chooses the
format of a new table only): a table kept as ``talk_analytics.parquet`` gets no
``talk_analytics.csv`` beside it. Should both files be there (left by an older version),
the run folds them into one (the ``--format`` one if given, else Parquet) and removes the
other in the same commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from omnikpi.config import Config
from omnikpi.connectors.transaction import committed_import
from omnikpi.connectors.writer import merge_write_arrow, stored_rows, to_arrow
from omnikpi.errors import OmniKPIError
from omnikpi.recordings.analytics import TalkAnalytics, analyze_sides
from omnikpi.recordings.decode import (
    CUT_SHORT,
    LEG_RATES_DIFFER,
    NOT_DECODABLE,
    NOT_LOCAL,
    TOO_LONG,
    UnreadableRecording,
    decode,
)
from omnikpi.recordings.paths import (
    NOT_AUDIO,
    NOT_FOUND,
    NOT_READABLE,
    REFUSED_NAME,
    RefusedRecording,
    is_url,
    recordings_folder,
    resolve,
)
from omnikpi.schema.dataset import Dataset, load_dataset

TABLE = "talk_analytics"
FORMATS = ("parquet", "csv")
MIN_SECONDS = 0.5
"""A recording shorter than this holds no speech to measure (an empty file, a click): it
is refused rather than given a row whose near-zero figures pull the averages down."""
MAX_CHANNELS = 2
"""A stereo file's two channels are the customer and the agent; which of more channels
are is unknown, so such a file is refused rather than half read."""

URL = "http(s) address (not fetched)"
TOO_SHORT = f"too short to hold speech (under {MIN_SECONDS} s)"
TOO_MANY_CHANNELS = f"more than {MAX_CHANNELS} channels"
OTHER = "other error"
REASONS = (NOT_FOUND, URL, NOT_DECODABLE, NOT_AUDIO, NOT_READABLE, REFUSED_NAME,
           LEG_RATES_DIFFER, TOO_LONG, TOO_SHORT, TOO_MANY_CHANNELS, NOT_LOCAL, CUT_SHORT)
"""Every reason a recording is counted under (each raise in ``recordings/`` names one)."""


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
    """Rows in the table after the run (all of them, in its one file)."""
    table_format: str | None = None
    """The file the rows went to: the table's existing one whatever ``fmt`` said."""


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
        raise UnreadableRecording(
            "an http(s) recording is linked for the browser, not fetched by the server: "
            "download it into the recordings folder to analyse it", URL)
    settings = config.recordings
    recording = resolve(uri, folder)
    sides = decode(recording, settings.customer_channel, settings.customer_leg)
    if sides.channels > MAX_CHANNELS:
        raise UnreadableRecording(
            f"recording {recording.files[0]} has {sides.channels} channels: only a stereo "
            f"file (customer and agent), two mono legs or a mono file is analysed",
            TOO_MANY_CHANNELS)
    if sides.duration_seconds < MIN_SECONDS:
        raise UnreadableRecording(
            f"recording {uri} lasts {sides.duration_seconds:.3f} s, under the "
            f"{MIN_SECONDS} s a call needs to hold speech", TOO_SHORT)
    return analyze_sides(contact_id, sides)


def _reason(exc: OmniKPIError) -> str:
    """The reason a recording is counted under: the one its error names."""
    if isinstance(exc, RefusedRecording | UnreadableRecording):
        return exc.reason
    return OTHER


def analyze_dataset(data: Path, config: Config, recordings: Path | None = None, *,
                    fmt: str | None = None,
                    progress: Callable[[int, int], None] | None = None) -> AnalyzeSummary:
    """Analyse the dataset's recorded calls not yet in ``talk_analytics`` and add them."""
    dataset = load_dataset(data)
    try:
        pending, recorded, already = _pending(dataset)
        counted = dataset.con.execute(f"SELECT count(*) FROM {TABLE}").fetchone() \
            if dataset.has(TABLE) else None
        stored = int(counted[0]) if counted else 0
    finally:
        dataset.close()
    folder = recordings if recordings is not None else \
        recordings_folder(config.recordings.folder, data)
    summary = AnalyzeSummary(recorded=recorded, already=already, table_rows=stored)
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
        existing = [f for f in FORMATS if (data / f"{TABLE}.{f}").exists()]
        target = (fmt if fmt in existing else existing[0]) if existing else \
            (fmt or FORMATS[0])
        new = to_arrow(TABLE, rows)
        with committed_import(data) as run:
            for other in existing:
                if other == target:
                    continue
                # both files (an older version wrote csv beside parquet): fold into one
                old = stored_rows(data, TABLE, other)
                if old is not None:
                    new = pa.concat_tables([old.select(new.column_names).cast(new.schema),
                                            new])
                run.move_existing(data / f"{TABLE}.{other}",
                                  run.stage(f"replaced-{TABLE}.{other}"))
            summary.table_rows = merge_write_arrow(run, TABLE, new, target)
        summary.table_format = target
    return summary
