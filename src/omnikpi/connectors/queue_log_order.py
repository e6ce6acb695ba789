"""The order queue_log lines are read in: by time, then a fixed order within a second.

A queue_log exported from the realtime table comes in any order (newest first, by id, by
queue…), and rotated files may be given in any order. The order is a total order on the
lines' content, so the same lines in any order give the same events in the same order:

1. time;
2. the slot of the event (``queue_log_events.Slot``: logoffs, logins, call events,
   unpauses, pauses…);
3. for call events, the call (callid), then its visits: a visit that only ends in this
   second before one that starts and ends in it, before one that only starts (a call
   leaving queue A for queue B in one second leaves A first), then the visit's own order
   (ENTERQUEUE, ring, CONNECT, end, wrap-up) — unless that visit is already open, when
   its end and wrap-up come first (a call sent back into the same queue in one second
   leaves, then enters again);
4. every other field, so that equal keys are equal lines (then file and line number).

A line equal to an earlier one of the same second in every field (callid, queue, agent,
event, data, trailing empty fields aside) is a duplicate: it is reported, not applied
twice. The same second, not the same instant: ``queue_log_to_file = yes`` writes each
event to the flat file (whole seconds, as many fields as it has) and to the table
(microseconds, ``data1``…``data5``), and both exports given counted every call twice.

Lines already in time order (a flat file as Asterisk writes it) stream through: only the
lines of one second are held and ordered. Otherwise (:class:`EventSpool`) the events are
written to Arrow part files and DuckDB sorts them by time, spilling to disk beyond its
memory limit, so a log of any size and order is read in bounded memory.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from omnikpi.connectors.queue_log_events import Slot, spec_of
from omnikpi.connectors.queue_log_lines import Event
from omnikpi.schema.convert import sql_str

PART_ROWS = 200_000
READ_ROWS = 50_000
MEMORY_LIMIT = "512MB"
CALL = Slot.CALL
CLOSE_RANK = 4
"""Ranks from here on (the end of a visit, LEAVEEMPTY, WRAPUPSTART) follow a visit's end."""

SCHEMA = pa.schema([
    ("epoch", pa.float64()), ("callid", pa.string()), ("queue", pa.string()),
    ("agent", pa.string()), ("name", pa.string()), ("data", pa.list_(pa.string())),
    ("source", pa.string()), ("line", pa.int64()),
])


class OutOfOrder(Exception):
    """Events given to :func:`within_seconds` went back in time."""


IsOpen = Callable[[str, str], bool]
"""Whether the visit (callid, queue) is open before this second's events."""


def _sorted_second(group: list[Event], is_open: IsOpen | None = None
                   ) -> list[tuple[Event, bool]]:
    """One second's events in the order above, each with whether it is a duplicate."""
    if len(group) == 1:
        return [(group[0], False)]
    specs = [spec_of(e.name) for e in group]
    opens: set[tuple[str, str]] = set()
    closes: set[tuple[str, str]] = set()
    for event, spec in zip(group, specs, strict=True):
        if spec.opens:
            opens.add((event.callid, event.queue))
        if spec.closes:
            closes.add((event.callid, event.queue))
    reentered = {v for v in opens & closes if is_open is not None and is_open(*v)}

    def key(item: tuple[Event, Any]) -> tuple[Any, ...]:
        event, spec = item
        if spec.slot == CALL:
            visit = (event.callid, event.queue)
            order = 0 if visit in closes and visit not in opens else \
                2 if visit in opens and visit not in closes else 1
            rank = spec.rank
            if visit in reentered:  # the open visit ends first, the new one starts after
                rank = rank - CLOSE_RANK if rank >= CLOSE_RANK else rank + CLOSE_RANK
            return (spec.slot, event.callid, order, event.queue, rank, event.agent,
                    event.name, event.queue, event.callid, event.data, event.source,
                    event.line)
        return (spec.slot, "", 0, "", spec.rank, event.agent, event.name, event.queue,
                event.callid, event.data, event.source, event.line)

    return [(event, False) for event, _ in sorted(zip(group, specs, strict=True), key=key)]


def content(event: Event) -> tuple[Any, ...]:
    """A line's fields but its time and place, trailing empty data fields left out (the
    flat file writes as many as the event has, the table five)."""
    data = list(event.data)
    while data and not data[-1]:
        data.pop()
    return (event.callid, event.queue, event.agent, event.name, tuple(data))


def _same_second_copies(ordered: Iterator[tuple[Event, bool]]
                        ) -> Iterator[tuple[Event, bool]]:
    """The events with each marked a duplicate when an earlier event of its whole
    second has its :func:`content`."""
    second: int | None = None
    seen: set[tuple[Any, ...]] = set()
    for event, _ in ordered:
        whole = math.floor(event.epoch)
        if whole != second:
            second, seen = whole, set()
        found = content(event)
        yield event, found in seen
        seen.add(found)


def within_seconds(events: Iterable[Event], is_open: IsOpen | None = None
                   ) -> Iterator[tuple[Event, bool]]:
    """Events in time order → the same events in the full order, with duplicates marked.

    A second is ordered once the events before it are consumed, so ``is_open`` sees the
    visits as they are when that second begins. Raises :class:`OutOfOrder` if the events
    go back in time.
    """
    return _same_second_copies(_in_order(events, is_open))


def _in_order(events: Iterable[Event], is_open: IsOpen | None
              ) -> Iterator[tuple[Event, bool]]:
    group: list[Event] = []
    for event in events:
        if group and event.epoch != group[0].epoch:
            if event.epoch < group[0].epoch:
                raise OutOfOrder(f"{event.source} line {event.line}")
            yield from _sorted_second(group, is_open)
            group = []
        group.append(event)
    if group:
        yield from _sorted_second(group, is_open)


class EventSpool:
    """Events collected in any order, given back in time order (spilled to disk)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.parts: list[Path] = []
        self.count = 0
        self._rows: list[tuple[Any, ...]] = []

    def add(self, event: Event) -> None:
        self._rows.append((event.epoch, event.callid, event.queue, event.agent, event.name,
                           list(event.data), event.source, event.line))
        self.count += 1
        if len(self._rows) >= PART_ROWS:
            self._write()

    def _write(self) -> None:
        if not self._rows:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"events-{len(self.parts):05d}.parquet"
        columns = list(zip(*self._rows, strict=True))
        arrays = [pa.array(values, type=f.type)
                  for values, f in zip(columns, SCHEMA, strict=True)]
        pq.write_table(pa.Table.from_arrays(arrays, schema=SCHEMA), path)
        self.parts.append(path)
        self._rows = []

    def by_time(self) -> Iterator[Event]:
        """Every event added, in time order (ties in any order)."""
        self._write()
        if not self.parts:
            return
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"SET temp_directory = {sql_str(str(self.folder / 'spill'))}")
            limit = os.environ.get("OMNIKPI_MEMORY_LIMIT") or MEMORY_LIMIT
            con.execute(f"SET memory_limit = {sql_str(str(limit))}")
            parts = "[" + ", ".join(sql_str(str(p)) for p in self.parts) + "]"
            reader = con.execute(f"SELECT * FROM read_parquet({parts}) ORDER BY epoch"
                                 ).fetch_record_batch(READ_ROWS)
            for batch in reader:
                c = batch.to_pydict()
                for row in zip(c["epoch"], c["callid"], c["queue"], c["agent"], c["name"],
                               c["data"], c["source"], c["line"], strict=True):
                    yield Event(row[0], row[1], row[2], row[3], row[4], tuple(row[5]),
                                row[6], row[7])
        finally:
            con.close()

    def ordered(self, is_open: IsOpen | None = None) -> Iterator[tuple[Event, bool]]:
        """Every event added, in the full order, with duplicates marked."""
        return within_seconds(self.by_time(), is_open)
