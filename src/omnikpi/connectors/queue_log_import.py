"""Importing Asterisk queue_log files (flat or realtime exports, rotated, gzip) into a
canonical dataset, incrementally: each file is remembered by its first bytes and the
offset read so far, so re-importing a file adds nothing and a grown file adds only its new
lines.

An import reads its new lines (parsing them in Python), spools the events to Arrow files,
orders them by time in DuckDB (``queue_log_order``: bounded memory, any line order) and
feeds them to the visit machine. Every line read is accounted for in the summary: a
contact event, an agent event, an ignored known event (by name) or a reject (reason and
line number in ``rejects.csv``). A contact whose durations written in its lines disagree
with its timestamps by more than 1 s is flagged, its figures kept (``queue_log_flags``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from omnikpi.connectors import transaction
from omnikpi.connectors.queue_log_events import KNOWN as KNOWN_EVENTS
from omnikpi.connectors.queue_log_flags import Flag, FlagFile
from omnikpi.connectors.queue_log_lines import (
    Event,
    RealtimeReader,
    flat_epoch,
    headerless_columns,
    parse_csv_line,
    parse_flat,
    realtime_dialect,
)
from omnikpi.connectors.queue_log_order import EventSpool, within_seconds
from omnikpi.connectors.queue_log_text import (
    HEAD_BYTES,
    LineText,
    line_text,
    named_codec,
    readable,
    readable_event,
    split_lines,
)
from omnikpi.connectors.queue_log_visits import OPEN_VISIT_HOURS, ImportState, VisitMachine
from omnikpi.connectors.recording_links import RecordingIndex, index_recordings
from omnikpi.connectors.reject_file import Reject, RejectFile
from omnikpi.connectors.source_files import no_inputs
from omnikpi.connectors.transaction import ImportCommit, committed_import
from omnikpi.connectors.writer import to_arrow
from omnikpi.errors import DataError, UsageError
from omnikpi.schema import reject_reasons as said
from omnikpi.schema.files import open_bytes

STATE_FILE = ".omnikpi-import.json"
MAX_OPEN_VISIT_HOURS = 168.0
"""The longest bound ``--open-visit-hours`` takes (a week)."""
NOT_A_LINE = frozenset({said.FEWER_FIELDS, said.EPOCH_NOT_A_NUMBER, said.WRONG_COLUMN_COUNT,
                        said.MALFORMED_CSV_ROW, said.UNREADABLE_TIME, said.NUL_IN_LINE})
"""Reasons that say a line is not written in a queue_log form at all."""


@dataclass
class ImportSummary:
    """What an import read and made of it. Every line read is counted exactly once in
    ``contact_events``, ``agent_events``, ``ignored`` or ``rejected`` (:attr:`accounted`
    equals ``lines``); a realtime export's header is not a line."""

    lines: int = 0
    contact_events: int = 0
    agent_events: int = 0
    ignored: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    first_reject: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Where each reject reason was first met: (file, line)."""
    contacts: int = 0
    states: int = 0
    lost_visits: int = 0
    timed_out: int = 0
    open_visit_hours: float = OPEN_VISIT_HOURS
    open_visits: int = 0
    """Calls still waiting or talking at the end: in the open rows file, not dropped."""
    open_agents: int = 0
    """Agents logged in at the end (their state goes on in the next import)."""
    late_merged: int = 0
    """Lines older than the last import merged into what was still open."""
    flagged: Counter[str] = field(default_factory=Counter)
    """Contacts whose timestamps disagree by more than 1 s with a duration Asterisk wrote
    (field → contacts; ``queue_log_flags``): timestamps kept, each listed in
    ``_queue_log_flags.csv``. Not lines: every line is still counted once above."""
    first_flag: dict[str, Flag] = field(default_factory=dict)
    """The first contact flagged for each field."""
    not_utf8: int = 0
    """Lines used though they held bytes that are not UTF-8 in a data field (read with
    U+FFFD); such a byte in a name stops the import (``queue_log_text``)."""
    skipped_hour: int = 0
    """Lines whose local time falls in the hour the clocks skip in ``--tz`` (no clock of
    the zone shows it): read with the offset before the change, and named, since such a
    time usually means the log was written in another zone than ``--tz``."""
    local_times: int = 0
    """Lines of realtime exports whose time had no offset (read in the zone given)."""
    read_as: dict[str, str] = field(default_factory=dict)
    """Files not read as UTF-8 (file → its encoding and why: its mark, or named)."""
    utf8_among: Counter[str] = field(default_factory=Counter)
    """Lines read as UTF-8 in a file named to be in a one-byte encoding (file → lines):
    a log written by two systems (``LineText.mixes_utf8``)."""
    waiting: list[str] = field(default_factory=list)
    """Files whose last line has no end of line yet: read once it is complete."""
    damaged: dict[str, str] = field(default_factory=dict)
    """Gzip files whose data is cut short or damaged (file → what is wrong): their lines
    up to the damage are imported; the rest cannot be read until the file is copied
    again, and the next import goes on from the last line read."""
    files: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    recordings_linked: int = 0
    """Calls of this import given a recording (``--recordings``)."""
    recordings_unmatched: list[str] = field(default_factory=list)
    """Recordings whose call is in no import so far."""
    recordings_not_matching: list[str] = field(default_factory=list)
    """Audio files the recording pattern does not fit."""

    @property
    def accounted(self) -> int:
        return (self.contact_events + self.agent_events + sum(self.ignored.values())
                + sum(self.rejected.values()))

    @property
    def informational(self) -> int:
        """Ignored known events (the name of earlier versions)."""
        return sum(self.ignored.values())


def _rotation_key(path: Path) -> tuple[int, str]:
    """queue_log.3.gz (oldest) … queue_log.1, queue_log (newest)."""
    match = re.search(r"\.(\d+)(\.gz)?$", path.name)
    return (-int(match.group(1)) if match else 0, path.name)


def expand_inputs(inputs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            files += sorted((p for p in item.iterdir() if p.is_file()), key=_rotation_key)
        elif item.exists():
            files.append(item)
        else:
            raise UsageError(f"input not found: {item}")
    if not files:
        raise UsageError(no_inputs(inputs).replace("files", "queue_log files", 1))
    return files


def _head_hash(path: Path, length: int) -> str | None:
    """Hash of the file's first ``length`` bytes (None if it is shorter, or a gzip file
    whose data ends before them)."""
    try:
        with open_bytes(path) as handle:
            head = handle.read(length)
    except (EOFError, zlib.error, gzip.BadGzipFile):
        return None
    return hashlib.sha256(head).hexdigest() if len(head) == length else None


def _known_position(path: Path, positions: dict[str, dict[str, object]]
                    ) -> dict[str, object] | None:
    """The position read so far in this file, recognised by its first bytes (so a file
    that grew, or was renamed by log rotation, continues where it was left)."""
    for entry in positions.values():
        length = int(entry["head_length"])  # type: ignore[call-overload]
        if length and _head_hash(path, length) == entry["head_hash"]:
            return entry
    return None


ROTATED_SUFFIXES = (".1", ".1.gz")
"""What log rotation renames ``queue_log`` to (logrotate, Asterisk's own rotation)."""


def _with_rotated_remainders(files: list[Path], positions: dict[str, dict[str, object]]
                             ) -> list[Path]:
    """``files`` with, before a file given by its path, that path's rotated copy when an
    earlier import read it under the old name: the lines written between that import and
    the rotation are read from the copy (a daily cron import of
    ``/var/log/asterisk/queue_log``, or ``--follow``, lost them for good)."""
    out: list[Path] = []
    for path in files:
        for suffix in ROTATED_SUFFIXES:
            rotated = path.with_name(path.name + suffix)
            if rotated.is_file() and rotated not in files and rotated not in out \
                    and _known_position(rotated, positions) is not None:
                out.append(rotated)
        out.append(path)
    return out


class _FileLines:
    """The complete lines of a file from a position ``[line, offset]``.

    A flat file's last line without an end of line is being written: it waits for the
    next import (``waiting``). A realtime export (a header names its columns) and a
    rotated log (:func:`rotated`) are complete: the last line is read as it is (a
    realtime export's header is not a line).
    """

    def __init__(self, path: Path, start: list[int], tz: str, stop: int | None = None,
                 encoding: str | None = None) -> None:
        self.path, self.start, self.tz, self.stop = path, start, tz, stop
        self.encoding = encoding
        self.text = LineText(path, "utf-8", b"\n", b"")
        """How its lines are split and decoded (``queue_log_text``): set on reading."""
        self.realtime: RealtimeReader | None = None
        self.waiting = False
        self.damage: str | None = None
        """Why a gzip file stopped before its end ("truncated", "damaged")."""
        self.end = start[1]
        """Offset after the last complete line given."""

    def __iter__(self) -> Iterator[tuple[int, int, bytes]]:
        """(line number, offset after the line, bytes) of each complete line; a gzip file
        cut short or damaged ends at its last readable line (``damage`` says why)."""
        try:
            yield from self._read()
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            self.damage = "truncated" if isinstance(exc, EOFError) else "damaged"

    def _read(self) -> Iterator[tuple[int, int, bytes]]:
        start_line, start_offset = self.start
        with open_bytes(self.path) as handle:
            self.text = text = line_text(self.path, handle.read(HEAD_BYTES), self.encoding)
            newline = text.newline
            handle.seek(0)
            first = next(split_lines(handle, newline), b"")
            header = text.loose(first.removeprefix(text.mark))
            dialect = realtime_dialect(header) if first.endswith(newline) else None
            headerless = headerless_columns(header, KNOWN_EVENTS) if dialect is None \
                else None
            if dialect is not None:
                self.realtime = RealtimeReader(parse_csv_line(header, dialect), self.tz,
                                               dialect)
            elif headerless is not None:
                self.realtime = RealtimeReader(headerless[1], self.tz, headerless[0])
            skipped = len(first) if dialect is not None else 0  # the header line
            if start_offset:
                handle.seek(start_offset)
                line_no = start_line
            else:
                handle.seek(skipped)
                line_no = 1 if skipped else 0
            offset = handle.tell()
            self.end = offset
            for raw in split_lines(handle, newline):
                if not raw.endswith(newline) and self.realtime is None \
                        and not rotated(self.path):
                    self.waiting = True
                    return
                if self.stop is not None and offset + len(raw) > self.stop:
                    return  # written after the import looked at the file: next time
                line_no += 1
                offset += len(raw)
                self.end = offset
                # a file saved by a Windows tool starts with a byte-order mark, and logs
                # joined with `cat` carry it at the start of a later line: the same line
                # reads the same wherever it stands (never text, never a reject's reason)
                yield line_no, offset, raw.removeprefix(text.mark)


ROTATED = re.compile(r"(\.\d+|-\d{8}(\d{2})?)(\.(gz|bz2|xz))?$|\.(gz|bz2|xz)$")
"""A rotated log's name: ``queue_log.1``, ``queue_log.3.gz``, logrotate's ``dateext``
``queue_log-20240305``, any compressed file."""


ROTATED_QUIET_SECONDS = 60.0
"""How long a rotated log, not compressed, must have been left alone to be finished:
with logrotate's ``create`` mode Asterisk writes on into ``queue_log.1`` until its
logger is told to reopen (``logger rotate``, a reload)."""


def rotated(path: Path) -> bool:
    """Whether ``path`` is a rotated log Asterisk no longer writes (compressed, or named
    as rotated and unchanged for :data:`ROTATED_QUIET_SECONDS`): its last line without an
    end of line is complete (Asterisk killed mid-write, then the log rotated) and read as
    it is. Waiting for it, as for the live log's, lost it for good, with the promise of
    "the next import" made on every import."""
    found = ROTATED.search(path.name)
    if found is None:
        return False
    if found.group(0).endswith((".gz", ".bz2", ".xz")):
        return True
    try:
        return time.time() - path.stat().st_mtime >= ROTATED_QUIET_SECONDS
    except OSError:
        return False


def _lines(path: Path, cursor: list[int], tz: str, summary: ImportSummary, stop: int,
           encoding: str | None = None) -> Iterator[Event | Reject]:
    """Events (or rejects) of a file's new lines up to offset ``stop``; ``cursor`` =
    [line, offset] follows every complete line read (rejected ones too), so the next
    import starts after them."""
    lines = _FileLines(path, list(cursor), tz, stop, encoding)
    source = path.name
    for line_no, offset, raw in lines:
        cursor[0], cursor[1] = line_no, offset
        summary.lines += 1
        # a byte that is not UTF-8 in a free-text field (a caller's name saved by an
        # older PBX in cp1251 or latin-1): the line is read with U+FFFD in its place, so
        # one odd letter does not cost the call (its CONNECT and end would follow an
        # ENTERQUEUE that was never applied). In a name (queue, agent, call id) it stops
        # the import: every such name would read the same (queue_log_text)
        text, damaged = lines.text.decode(raw, line_no)
        if lines.text.mixes_utf8(raw):
            summary.utf8_among[str(path)] += 1
        if not text.strip():
            item: Event | Reject = Reject(source, line_no, said.EMPTY_LINE, "")
        elif lines.realtime is not None:
            item = lines.realtime.parse_text(text, source, line_no)
        else:
            item = parse_flat(text, source, line_no)
        if damaged:
            if isinstance(item, Reject):
                item = Reject(item.source, item.line, said.NOT_UTF8.format(reason=item.reason),
                              readable(item.text))
            else:
                lines.text.check_names(item)
                item = readable_event(item)
                summary.not_utf8 += 1
        yield item
    if lines.realtime is not None:
        summary.skipped_hour += lines.realtime.skipped_hour
        summary.local_times += lines.realtime.local_times
    if lines.text.how is not None:
        summary.read_as[str(path)] = lines.text.how
    if lines.waiting:
        summary.waiting.append(str(path))
    if lines.damage is not None:
        summary.damaged[str(path)] = lines.damage


Source = tuple[Path, list[int], str | None]
"""A file to read: its path, where to start ([line, offset]) and its encoding (None:
UTF-8 or what its byte-order mark says)."""


def _first_pass(sources: list[Source], tz: str
                ) -> tuple[bool, list[int]]:
    """Whether the new lines of the files, one file after the other, never go back in
    time (every line the reader turns into an event has its time read the same way here),
    and where each file's complete lines end now: the import reads up to there, so lines
    appended meanwhile wait for the next import."""
    latest = float("-inf")
    ordered = True
    stops = []
    for path, start, encoding in sources:
        lines = _FileLines(path, start, tz, encoding=encoding)
        for _, _, raw in lines:
            if not ordered:
                continue
            text = lines.text.loose(raw)  # its time as :func:`_lines` reads it
            epoch = lines.realtime.epoch(text) if lines.realtime is not None \
                else flat_epoch(text)
            if epoch is None:
                continue
            if epoch < latest:
                ordered = False
            latest = epoch
        stops.append(lines.end)
    return ordered, stops


CHUNK_ROWS = 200_000


class _PartWriter:
    """Writes rows in chunks to part files staged by the import's commit.

    Memory stays bounded whatever the log's size; until the commit nothing of the run is
    visible, so an import killed half-way leaves the previous dataset as it was.
    """

    def __init__(self, run: ImportCommit, fmt: str,
                 recordings: RecordingIndex | None = None) -> None:
        self.run, self.fmt, self.recordings = run, fmt, recordings
        self.number = run.name.removeprefix(".import-")
        self.counts: Counter[str] = Counter()
        self.written = 0

    def write(self, table: str, rows: list[dict[str, object]]) -> None:
        if not rows:
            return
        if table == "contacts" and self.recordings is not None:
            self.recordings.link(rows)
        arrow = to_arrow(table, rows)
        part = f"part-{self.number}-{self.written:05d}.{self.fmt}"
        path = self.run.stage(f"{table}-{part}")
        if self.fmt == "parquet":
            pq.write_table(arrow, path)
        else:
            pacsv.write_csv(arrow, path)
        out = self.run.out
        # an older single ``table.<fmt>`` file joins the table's folder of parts
        self.run.move_existing(out / f"{table}.{self.fmt}", out / table / f"part-0.{self.fmt}")
        self.run.place(path, out / table / part)
        transaction.checkpoint(f"staged {path.name}")
        self.written += 1
        self.counts[table] += len(rows)
        rows.clear()


def import_queue_log(inputs: list[Path], out: Path, tz: str = "UTC", fmt: str = "parquet",
                     progress: Callable[[int], None] | None = None, *,
                     follow: bool = False, recordings: Path | None = None,
                     recording_pattern: str = "{uniqueid}", encoding: str | None = None,
                     members: dict[str, str] | None = None,
                     persistent_members: bool = False,
                     open_visit_hours: float = OPEN_VISIT_HOURS) -> ImportSummary:
    """Import new lines of the inputs into ``out``; returns what was read and written.

    All outputs (parts, rejects, resume state, open calls) are committed together, so a
    run killed at any instant is either absent or complete when the next run starts.
    Agents' states still going on at the end are written up to the last moment read and
    continue in the next import; with ``follow`` (a log being followed) they are not
    written piecewise at each poll but stay open (the wallboard counts them up to now).
    With ``recordings``, each call's MixMonitor recording found there by its uniqueid
    (``connectors/recording_links.py``) is linked in ``recording_uri``. ``encoding``
    names the files' text encoding when it is not UTF-8 (``queue_log_text``).
    ``members`` (interface → member name, ``queue_log_members``) makes each interface
    its member's. ``persistent_members`` keeps members logged in across QUEUESTART
    (``persistentmembers = yes``: ``VisitMachine.persistent_members``). A visit without
    a line for ``open_visit_hours`` is closed as lost (``VisitMachine.open_visit_seconds``).
    """
    if not 0 < open_visit_hours <= MAX_OPEN_VISIT_HOURS:  # NaN too
        raise UsageError(f"--open-visit-hours must be more than 0 and at most "
                         f"{MAX_OPEN_VISIT_HOURS:g} (a week)")
    files = expand_inputs(inputs)
    named_codec(encoding)  # an unknown name is refused before the dataset is touched
    index = index_recordings(recordings, recording_pattern) if recordings else None
    with committed_import(out) as run:
        return _import(files, run, tz, fmt, progress, follow, index, encoding, members,
                       persistent_members, open_visit_hours)


def _parsed(sources: list[Source], stops: list[int], tz: str,
            summary: ImportSummary, rejects: RejectFile,
            progress: Callable[[int], None] | None,
            positions: dict[str, dict[str, object]]
            ) -> Iterator[Event]:
    """The events of the files' new lines; rejects written as they come; each file's
    position recorded once it is read."""
    for (path, start, encoding), stop in zip(sources, stops, strict=True):
        cursor = list(start)
        for item in _lines(path, cursor, tz, summary, stop, encoding):
            if isinstance(item, Reject):
                summary.rejected[item.reason.split(" (")[0]] += 1
                rejects.write([item])
            else:
                yield item
            if progress and summary.lines % 50_000 == 0:
                progress(summary.lines)
        head_length = min(1024, cursor[1])
        head_hash = _head_hash(path, head_length) or ""
        positions[head_hash] = {"head_hash": head_hash, "head_length": head_length,
                                "path": str(path), "line": cursor[0], "offset": cursor[1]}
        if encoding is not None:
            positions[head_hash]["encoding"] = encoding


def _import(files: list[Path], run: ImportCommit, tz: str, fmt: str,
            progress: Callable[[int], None] | None, follow: bool,
            recordings: RecordingIndex | None = None, encoding: str | None = None,
            members: dict[str, str] | None = None,
            persistent_members: bool = False,
            open_visit_hours: float = OPEN_VISIT_HOURS) -> ImportSummary:
    out = run.out
    state_path = out / STATE_FILE
    saved = json.loads(state_path.read_text()) if state_path.exists() else {}
    machine = VisitMachine(ImportState.from_json(saved.get("machine", {})),
                           persistent_members=persistent_members,
                           open_visit_hours=open_visit_hours)
    if members:
        machine.name_members(members)
    positions: dict[str, dict[str, object]] = saved.get("files", {})
    if recordings is not None:
        recordings.before = set(saved.get("recordings_linked", []))
    files = _with_rotated_remainders(files, positions)
    summary = ImportSummary(files=[str(f) for f in files], recovered=run.recovered)
    sources = []
    for path in files:
        known = _known_position(path, positions)
        if known is not None:
            positions.pop(str(known["head_hash"]), None)
        sources.append((path, [int(known["line"]), int(known["offset"])]  # type: ignore[call-overload]
                        if known else [0, 0],
                        # named once, a file's encoding is remembered (a cron job or
                        # --follow need not repeat --encoding); named again, it wins
                        encoding or (str(known["encoding"]) if known and known.get("encoding")
                                     else None)))
    rejects = RejectFile(run)
    flags = FlagFile(run)
    parts = _PartWriter(run, fmt, recordings)
    result = machine.out
    try:
        spool = EventSpool(run.stage("ordering"))
        streaming, stops = _first_pass(sources, tz)
        visits = machine.state.visits

        def is_open(callid: str, queue: str) -> bool:
            return f"{callid}|{queue}" in visits

        events = within_seconds(_parsed(sources, stops, tz, summary, rejects, progress,
                                        positions), is_open) if streaming else None
        if events is None:  # out of order: every event to the spool, sorted by time
            for event in _parsed(sources, stops, tz, summary, rejects, progress,
                                 positions):
                spool.add(event)
            events = spool.ordered(is_open)
        for event, duplicate in events:
            if duplicate:
                machine.reject_duplicate(event)
            else:
                machine.feed(event)
            if len(result.contacts) >= CHUNK_ROWS:
                parts.write("contacts", result.contacts)
            if len(result.states) >= CHUNK_ROWS:
                parts.write("agent_states", result.states)
            if len(result.rejects) >= CHUNK_ROWS:
                rejects.write(result.rejects)
            if len(result.flags) >= CHUNK_ROWS:
                flags.write(result.flags)
        shutil.rmtree(spool.folder, ignore_errors=True)
        machine.finish(flush_states=not follow)
        parts.write("contacts", result.contacts)
        parts.write("agent_states", result.states)
        rejects.write(result.rejects)
        flags.write(result.flags)
    finally:
        rejects.close()
        flags.close()
    rejects.place()
    flags.place()
    summary.contacts = parts.counts["contacts"]
    summary.states = parts.counts["agent_states"]
    summary.contact_events, summary.agent_events = result.contact_events, result.agent_events
    summary.ignored = result.ignored
    summary.rejected += result.rejected
    summary.first_reject = rejects.first
    summary.lost_visits, summary.late_merged = result.lost_visits, result.late_merged
    summary.timed_out, summary.open_visit_hours = result.timed_out, open_visit_hours
    summary.flagged, summary.first_flag = result.flagged, result.first_flag
    if all(start == [0, 0] for _, start, _ in sources):  # not a log read on from before
        _refuse_a_foreign_format(summary)
    summary.open_visits = len(machine.state.visits)
    summary.open_agents = sum(1 for st in machine.state.agents.values()
                              if st.label is not None and st.label[0] != "logged_out")
    linked: list[str] = saved.get("recordings_linked", [])
    if recordings is not None:
        summary.recordings_linked = len(recordings.linked)
        summary.recordings_unmatched = recordings.unmatched()
        summary.recordings_not_matching = recordings.not_matching
        linked = sorted(set(linked) | recordings.linked)
    _stage_text(run, state_path, json.dumps(
        {"machine": machine.state.to_json(), "files": positions,
         "recordings_linked": linked}, indent=1))
    _stage_text(run, out / OPEN_FILE, open_rows_jsonl(machine.state))
    return summary


def _refuse_a_foreign_format(summary: ImportSummary) -> None:
    """Stop an import none of whose lines is a queue_log line: another export, or a
    table's header this reader does not know. Imported, it said 0 events with exit 0 and
    marked the file read, so a later import that knew the format would skip its lines.
    Only for files read from their start: the new lines of a log read before may all be
    broken (a crash's NUL padding, a cut line), and refusing them stopped every later
    import and ``--follow`` until Asterisk wrote a good line."""
    rejected = sum(summary.rejected.values())
    if not summary.lines or rejected < summary.lines \
            or not set(summary.rejected) <= NOT_A_LINE:
        return
    where = min(summary.first_reject.values(), default=None)
    first = f" (the first at {where[0]} line {where[1]})" if where else ""
    lines = "the only line read is not" if summary.lines == 1 else \
        f"none of the {summary.lines:,} lines read is"
    raise DataError(
        f"{lines} a queue_log line{first}, so nothing "
        "was imported. A line of the flat file is epoch|callid|queue|agent|event|data…; a "
        "database export has a header naming time, callid, queuename, agent, event and "
        "data or data1…data5 (QueueMetrics' time_id, call_id and verb are read too), or "
        "no header and those columns in that order. Is this the queue_log?")


def _stage_text(run: ImportCommit, target: Path, text: str) -> None:
    staged = run.stage(target.name)
    staged.write_text(text, encoding="utf-8")
    run.place(staged, target)
    transaction.checkpoint(f"staged {target.name}")


OPEN_FILE = Path(".live") / "queue_log-open.jsonl"
"""Calls and agent states still in progress after an import: the wallboard shows them
(waiting calls, who is talking or paused now) until their final rows are written."""


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()


def open_rows_jsonl(state: ImportState) -> str:
    """The calls and agent states still open, one JSON line each."""
    rows = []
    for visit in state.visits.values():
        rows.append({"table": "contacts", "row": {
            "contact_id": visit["id"], "channel": "voice", "direction": "inbound",
            "queue": visit["queue"], "customer_id": visit.get("customer") or None,
            "parent_id": visit.get("parent"), "arrived_at": _iso(visit["arrived"]),
            "accepted_at": _iso(visit.get("connect")),
            "first_response_at": _iso(visit.get("connect")), "agent_id": visit.get("agent")}})
    for agent, st in state.agents.items():
        if st.label is not None:
            rows.append({"table": "agent_states", "row": {
                "agent_id": agent, "state": st.label[0], "reason": st.label[1],
                "start": _iso(st.since),
                "channel": "voice" if st.label[0] in ("handling", "acw") else None}})
    return "".join(json.dumps(r) + "\n" for r in rows)
