"""Reading Asterisk queue_log lines: the flat file and realtime-table exports.

A line becomes an event ``(epoch, callid, queue, agent, name, data)`` or a reject with
its reason; nothing is dropped silently. Events are recognised by name and field count,
never by position alone, because one file can mix the layouts of several versions.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


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


@dataclass(frozen=True)
class Reject:
    source: str
    line: int
    reason: str
    text: str


def parse_flat(text: str, source: str, line: int) -> Event | Reject:
    """``epoch|callid|queue|agent|event|data1|…`` (old single-``data`` files split the same)."""
    fields = text.rstrip("\r\n").split("|")
    if len(fields) < 5:
        return Reject(source, line, "fewer than 5 fields", text[:200])
    epoch_text, callid, queue, agent, name = (f.strip() for f in fields[:5])
    try:
        epoch = float(epoch_text)
    except ValueError:
        return Reject(source, line, "epoch is not a number", text[:200])
    if not 0 < epoch < 4_102_444_800 or epoch != epoch:
        return Reject(source, line, "epoch out of range", text[:200])
    if not name or not name.replace("_", "").isalnum():
        return Reject(source, line, "missing or malformed event name", text[:200])
    data = tuple(fields[5:])
    while data and data[-1] == "":  # `…|CONFIGRELOAD|` ends with an empty field
        data = data[:-1]
    return Event(epoch, callid, queue, agent, name.upper(), data, source, line)


class RealtimeReader:
    """Rows of a realtime ``queue_log`` table exported as CSV with a header.

    ``time`` is local time of the server unless it carries an offset; ``data`` (old
    schema) is split on ``|``; ``data1``…``data5`` are taken as they are.
    """

    def __init__(self, header: list[str], tz: str) -> None:
        self.columns = [h.strip().lower() for h in header]
        self.tz = ZoneInfo(tz)

    def parse(self, row: list[str], source: str, line: int) -> Event | Reject:
        text = ",".join(row)[:200]
        if len(row) != len(self.columns):
            return Reject(source, line, "wrong number of columns", text)
        values = dict(zip(self.columns, row, strict=True))
        try:
            moment = datetime.fromisoformat(values.get("time", "").strip())
        except ValueError:
            return Reject(source, line, "unreadable time", text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.tz)
        name = values.get("event", "").strip().upper()
        if not name:
            return Reject(source, line, "missing event name", text)
        if "data1" in values:
            data = [values.get(f"data{i}", "") for i in range(1, 6)]
            if data[4] and "|" in data[4]:  # ATTENDEDTRANSFER LINK glues the 6th field
                data = data[:4] + data[4].split("|")
        else:
            data = values.get("data", "").split("|") if values.get("data") else []
        while data and data[-1] == "":
            data.pop()
        return Event(moment.timestamp(), values.get("callid", ""), values.get("queuename", ""),
                     values.get("agent", ""), name, tuple(data), source, line)


def is_realtime_header(first_line: str) -> bool:
    lowered = first_line.lower()
    return "callid" in lowered and "event" in lowered and ("time" in lowered)


def parse_csv_line(text: str) -> list[str]:
    return next(csv.reader([text]))
