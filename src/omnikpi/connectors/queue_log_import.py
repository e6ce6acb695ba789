"""Importing Asterisk queue_log files (flat or realtime exports, rotated, gzip) into a
canonical dataset, incrementally: each file is remembered by its first bytes and the
offset read so far, so re-importing a file adds nothing and a grown file adds only its new
lines."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from omnikpi.connectors import transaction
from omnikpi.connectors.queue_log_lines import (
    Event,
    RealtimeReader,
    Reject,
    is_realtime_header,
    parse_csv_line,
    parse_flat,
)
from omnikpi.connectors.queue_log_visits import ImportState, VisitMachine
from omnikpi.connectors.transaction import ImportCommit, committed_import
from omnikpi.connectors.writer import to_arrow
from omnikpi.errors import UsageError

STATE_FILE = ".omnikpi-import.json"


@dataclass
class ImportSummary:
    lines: int = 0
    contacts: int = 0
    states: int = 0
    lost_visits: int = 0
    informational: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)


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
        raise UsageError("no queue_log files to import")
    return files


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _head_hash(path: Path, length: int) -> str | None:
    """Hash of the file's first ``length`` bytes (None if it is shorter)."""
    with _open(path) as handle:
        head = handle.read(length)
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


def _events(path: Path, cursor: list[int], tz: str, summary: ImportSummary,
            rejects: list[Reject]) -> Iterator[Event]:
    """Events of a file from ``cursor`` = [line, offset], which follows every complete
    line read (rejected ones too), so the next import starts after them."""
    start_line, start_offset = cursor
    realtime: RealtimeReader | None = None
    with _open(path) as handle:
        first = handle.readline()
        header = first.decode("utf-8", "replace")
        if is_realtime_header(header):
            realtime = RealtimeReader(parse_csv_line(header), tz)
        if start_offset:
            handle.seek(start_offset)
            line_no = start_line
        else:
            handle.seek(0)
            line_no = 0
            if realtime is not None:
                handle.readline()
                line_no = 1
        offset = handle.tell()
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # a half-written last line: read it next time
            line_no += 1
            offset += len(raw)
            cursor[0], cursor[1] = line_no, offset
            summary.lines += 1
            text = raw.decode("utf-8", "replace")
            if "\ufffd" in text:
                rejects.append(Reject(path.name, line_no, "not valid UTF-8", text[:200]))
                continue
            if not text.strip():
                rejects.append(Reject(path.name, line_no, "empty line", ""))
                continue
            if realtime is not None:
                try:
                    parsed = realtime.parse(parse_csv_line(text), path.name, line_no)
                except (csv.Error, StopIteration):
                    parsed = Reject(path.name, line_no, "malformed CSV row", text[:200])
            else:
                parsed = parse_flat(text, path.name, line_no)
            if isinstance(parsed, Reject):
                rejects.append(parsed)
                continue
            yield parsed


CHUNK_ROWS = 200_000


class _PartWriter:
    """Writes rows in chunks to part files staged by the import's commit.

    Memory stays bounded whatever the log's size; until the commit nothing of the run is
    visible, so an import killed half-way leaves the previous dataset as it was.
    """

    def __init__(self, run: ImportCommit, fmt: str) -> None:
        self.run, self.fmt = run, fmt
        self.number = run.name.removeprefix(".import-")
        self.counts: Counter[str] = Counter()
        self.written = 0

    def write(self, table: str, rows: list[dict[str, object]]) -> None:
        if not rows:
            return
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
                     progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Import new lines of the inputs into ``out``; returns what was read and written.

    All outputs (parts, rejects, resume state, open calls) are committed together, so a
    run killed at any instant is either absent or complete when the next run starts.
    """
    files = expand_inputs(inputs)
    with committed_import(out) as run:
        return _import(files, run, tz, fmt, progress)


def _import(files: list[Path], run: ImportCommit, tz: str, fmt: str,
            progress: Callable[[int], None] | None) -> ImportSummary:
    out = run.out
    state_path = out / STATE_FILE
    saved = json.loads(state_path.read_text()) if state_path.exists() else {}
    machine = VisitMachine(ImportState.from_json(saved.get("machine", {})))
    positions: dict[str, dict[str, object]] = saved.get("files", {})
    summary = ImportSummary(files=[str(f) for f in files], recovered=run.recovered)
    rejects: list[Reject] = []
    parts = _PartWriter(run, fmt)
    result = machine.out
    for path in files:
        known = _known_position(path, positions)
        start_line = int(known["line"]) if known else 0  # type: ignore[call-overload]
        start_offset = int(known["offset"]) if known else 0  # type: ignore[call-overload]
        cursor = [start_line, start_offset]
        for event in _events(path, cursor, tz, summary, rejects):
            machine.feed(event)
            if len(result.contacts) >= CHUNK_ROWS:
                parts.write("contacts", result.contacts)
            if len(result.states) >= CHUNK_ROWS:
                parts.write("agent_states", result.states)
            if progress and summary.lines % 50_000 == 0:
                progress(summary.lines)
        read_to = cursor[1]
        head_length = min(1024, read_to)
        if known is not None:
            positions.pop(str(known["head_hash"]), None)
        head_hash = _head_hash(path, head_length) or ""
        positions[head_hash] = {"head_hash": head_hash, "head_length": head_length,
                                "path": str(path), "line": cursor[0], "offset": read_to}
    machine.flush_states()
    parts.write("contacts", result.contacts)
    parts.write("agent_states", result.states)
    rejects += result.rejects
    summary.contacts = parts.counts["contacts"]
    summary.states = parts.counts["agent_states"]
    summary.lost_visits = result.lost_visits
    summary.informational = result.informational
    summary.rejected = Counter(r.reason.split(" (")[0] for r in rejects)
    _stage_rejects(run, out / "rejects.csv", rejects)
    _stage_text(run, state_path, json.dumps(
        {"machine": machine.state.to_json(), "files": positions}, indent=1))
    _stage_text(run, out / OPEN_FILE, open_rows_jsonl(machine.state))
    return summary


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
                "channel": "voice" if st.label[0] == "handling" else None}})
    return "".join(json.dumps(r) + "\n" for r in rows)


def _stage_rejects(run: ImportCommit, path: Path, rejects: list[Reject]) -> None:
    """The reject list so far plus this run's rejects, replacing the old list at commit."""
    staged = run.stage(path.name)
    if path.exists():
        shutil.copyfile(path, staged)
    new = not path.exists()
    with staged.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(["file", "line", "reason", "text"])
        for r in rejects:
            writer.writerow([r.source, r.line, r.reason, r.text.rstrip("\r\n")])
    run.place(staged, path)
    transaction.checkpoint(f"staged {path.name}")
