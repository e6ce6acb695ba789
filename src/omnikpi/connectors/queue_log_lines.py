"""Reading Asterisk queue_log lines: the flat file and realtime-table exports.

A line becomes an event ``(epoch, callid, queue, agent, name, data)`` or a reject with
its reason; nothing is dropped silently and no input makes the reader raise. Events are
recognised by name and field count, never by position alone, because one file can mix
the layouts of several versions.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from omnikpi.connectors.reject_file import Reject
from omnikpi.schema import reject_reasons as said

EPOCH = re.compile(r"\d{1,16}(\.\d{1,9})?")
EVENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
LATEST_EPOCH = 4_102_444_800  # 2100-01-01: a later stamp is a broken line, not an event
TEXT_LIMIT = 200


@dataclass(frozen=True)
class Event:
    epoch: float
    callid: str
    queue: str
    agent: str
    name: str
    data: tuple[str, ...]
    source: str
    line: int


NULL_WORDS = frozenset({"NULL", "\\N"})
"""How database tools write a NULL cell (``mysql -B`` writes ``NULL``, ``SELECT … INTO
OUTFILE`` and ``mysqldump --tab`` ``\\N``): an empty field of the flat file. Read as
text, a pause without a reason had the reason "NULL" and every anonymous caller was the
customer "NULL", each one a repeat of the others."""


def _event(epoch: float, callid: str, queue: str, agent: str, name: str,
           data: list[str], source: str, line: int, text: str) -> Event | Reject:
    if not 0 < epoch < LATEST_EPOCH:
        # a 13-digit stamp is milliseconds (an export's own clock): said, not "not a number"
        why = (said.TIME_IN_MILLISECONDS if 1e12 <= epoch < LATEST_EPOCH * 1000
               else said.TIME_OUT_OF_RANGE)
        return Reject(source, line, why, text[:TEXT_LIMIT])
    if not (name.isalpha() and name.isascii() and len(name) < 64) \
            and not EVENT_NAME.fullmatch(name):
        return Reject(source, line, said.NO_EVENT_NAME, text[:TEXT_LIMIT])
    while data and data[-1] == "":  # `…|CONFIGRELOAD|` ends with an empty field
        data.pop()
    return Event(epoch, callid.strip(), queue.strip(), agent.strip(), name.upper(),
                 tuple(data), source, line)


def flat_epoch(text: str) -> float | None:
    """The time of a flat line, as :func:`parse_flat` reads it (None: not a number)."""
    stamp = text.split("|", 1)[0].strip()
    if stamp.isdigit() and stamp.isascii() and len(stamp) <= 16:
        return float(stamp)
    return float(stamp) if EPOCH.fullmatch(stamp) else None


def parse_flat(text: str, source: str, line: int) -> Event | Reject:
    """``epoch|callid|queue|agent|event|data1|…`` (old single-``data`` files split the same)."""
    text = text.rstrip("\r\n")
    if "\x00" in text:
        return Reject(source, line, said.NUL_IN_LINE, text[:TEXT_LIMIT].replace("\x00", ""))
    fields = text.split("|")
    if len(fields) < 5:
        return Reject(source, line, said.FEWER_FIELDS, text[:TEXT_LIMIT])
    epoch = flat_epoch(fields[0])
    if epoch is None:
        return Reject(source, line, said.EPOCH_NOT_A_NUMBER, text[:TEXT_LIMIT])
    return _event(epoch, fields[1], fields[2], fields[3], fields[4].strip(),
                  fields[5:], source, line, text)


REQUIRED_COLUMNS = {"time", "callid", "event"}
COLUMN_ALIASES = {"time_id": "time", "call_id": "callid", "verb": "event"}
"""QueueMetrics' names of the table's columns (its own ``queue_log`` table)."""


def column_names(header: list[str]) -> list[str]:
    """A header's column names as the reader knows them (lower case, aliases resolved)."""
    return [COLUMN_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in header]


def realtime_dialect(first_line: str) -> str | None:
    """The delimiter of a realtime-table export whose first line is this header (``,``
    from PostgreSQL/MySQL CSV, ``;``, or tab from MySQL ``INTO OUTFILE``), else None."""
    for delimiter in (",", ";", "\t"):
        try:
            columns = set(column_names(parse_csv_line(first_line, delimiter)))
        except (csv.Error, StopIteration):
            continue
        if columns >= REQUIRED_COLUMNS:
            return delimiter
    return None


def headerless_columns(first_line: str, events: frozenset[str]) -> tuple[str, list[str]] | None:
    """The delimiter and columns of a table's export without a header (``mysql … INTO
    OUTFILE`` and ``psql COPY … TO`` write none), read from its first row: the table's
    order (``time, callid, queuename, agent, event`` then ``data`` or ``data1``…), an
    ``id`` before them or not. None when the row is not one (its fifth or sixth field is
    no queue_log event, or the field before the call id no time): every line of such an
    export was rejected as "fewer than 5 fields", and the import said it had finished."""
    for delimiter in ("\t", ",", ";"):
        try:
            fields = [f.strip() for f in parse_csv_line(first_line, delimiter)]
        except (csv.Error, StopIteration):
            continue
        for lead in (0, 1):  # mysqldump and COPY keep the id column first
            if len(fields) < lead + 6 or fields[lead + 4].upper() not in events \
                    or not _time_like(fields[lead]):
                continue
            extra = len(fields) - lead - 5
            # data alone, data1…dataN, or Asterisk's table with both (data, data1…data5)
            data = ["data"] if extra == 1 else \
                ["data", *(f"data{i}" for i in range(1, 6))] if extra == 6 else \
                [f"data{i}" for i in range(1, extra + 1)]
            named = ["time", "callid", "queuename", "agent", "event", *data]
            return delimiter, (["id"] if lead else []) + named
    return None


def _time_like(value: str) -> bool:
    if EPOCH.fullmatch(value):
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def parse_csv_line(text: str, delimiter: str = ",") -> list[str]:
    return next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter))


class RealtimeReader:
    """Rows of a realtime ``queue_log`` table exported with a header.

    ``time`` is local time of the server unless it carries an offset (or is a number of
    seconds since the epoch); ``data`` (old schema) is split on ``|``; ``data1``…``dataN``
    are taken as they are (a ``|`` in the last one holds the parameters that did not fit).
    A table with both forms has one filled per row (Asterisk writes ``data`` unless
    ``queue_adaptive_realtime`` is set): each row is read from the one it filled.
    """

    def __init__(self, header: list[str], tz: str, delimiter: str = ",") -> None:
        self.columns = column_names(header)
        self.tz = ZoneInfo(tz)
        self.delimiter = delimiter
        numbered = sorted((int(c[4:]), c) for c in self.columns
                          if c.startswith("data") and c[4:].isdigit())
        self.data_columns = [c for _, c in numbered]
        self.queue_column = "queuename" if "queuename" in self.columns else "queue"
        self._last: float | None = None
        """The instant of the line read before (the repeated hour is read in order)."""
        self.local_times = 0
        """Lines whose time had no offset: read in ``tz`` (said when it was not given)."""
        self.skipped_hour = 0
        """Lines parsed whose local time the clocks skip (a spring morning's 03:30 in
        Kyiv): no clock of the zone showed it, so ``--tz`` is likely not the log's."""

    def epoch(self, text: str) -> float | None:
        """The time of a row, as :meth:`parse_text` reads it (None: unreadable)."""
        try:
            row = parse_csv_line(text, self.delimiter)
        except (csv.Error, StopIteration):
            return None
        if len(row) != len(self.columns):
            return None
        return self._epoch(row[self.columns.index("time")])  # (the look ahead: not counted)

    def _epoch(self, value: str, counted: bool = False) -> float | None:
        """A line's instant; a local time in the hour the clocks repeat (03:30 in Kyiv on
        the last Sunday of October happens twice) is read in the log's order: the first
        03:30 until a line steps back into the hour, then the second. Taken the first
        both times, a call queued at 03:50 and answered at the second 03:10 was
        answered before it arrived, and lost ("CONNECT without ENTERQUEUE")."""
        stamp = value.strip()
        if EPOCH.fullmatch(stamp):
            self._last = float(stamp)
            return self._last
        try:
            moment = datetime.fromisoformat(stamp)
            if moment.tzinfo is not None:
                self._last = moment.timestamp()
                return self._last
            first = moment.replace(tzinfo=self.tz, fold=0).timestamp()
            second = moment.replace(tzinfo=self.tz, fold=1).timestamp()
        except (ValueError, OverflowError, OSError):
            return None
        if counted:
            self.local_times += 1
        repeated = second > first
        if second < first and counted:  # in the hour the clocks skip: read with the
            self.skipped_hour += 1      # offset before the change, as DuckDB reads it
        stepped_back = self._last is not None and first < self._last <= second
        self._last = second if repeated and stepped_back else first
        return self._last

    def parse_text(self, text: str, source: str, line: int) -> Event | Reject:
        clipped = text.rstrip("\r\n")[:TEXT_LIMIT]
        if "\x00" in text:
            return Reject(source, line, said.NUL_IN_LINE, clipped.replace("\x00", ""))
        try:
            row = parse_csv_line(text, self.delimiter)
        except (csv.Error, StopIteration):
            return Reject(source, line, said.MALFORMED_CSV_ROW, clipped)
        return self.parse(row, source, line, clipped)

    def parse(self, row: list[str], source: str, line: int, text: str = "") -> Event | Reject:
        text = text or self.delimiter.join(row)[:TEXT_LIMIT]
        if len(row) != len(self.columns):
            return Reject(source, line, said.WRONG_COLUMN_COUNT, text)
        values = {column: "" if value.strip() in NULL_WORDS else value
                  for column, value in zip(self.columns, row, strict=True)}
        epoch = self._epoch(values["time"], counted=True)
        if epoch is None:
            return Reject(source, line, said.UNREADABLE_TIME, text)
        numbered = [values[c] for c in self.data_columns]
        if any(numbered):
            data = numbered
            if "|" in data[-1]:  # ATTENDEDTRANSFER LINK glues the 6th field
                data = data[:-1] + data[-1].split("|")
        else:  # the pipe-joined form: a table with both forms has one filled per row
            data = values.get("data", "").split("|") if values.get("data") else numbered
        return _event(epoch, values.get("callid", ""), values.get(self.queue_column, ""),
                      values.get("agent", ""), values.get("event", "").strip(), data,
                      source, line, text)
