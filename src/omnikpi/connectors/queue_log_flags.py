"""Durations Asterisk wrote in queue_log lines that disagree with the lines' timestamps.

``docs/spec/asterisk-queue-log.md`` §5: a contact's wait and talk time come from the
timestamps (CONNECT − ENTERQUEUE, end − CONNECT, ABANDON/exit − ENTERQUEUE); the data
fields that say the same (the ``holdtime`` of CONNECT, COMPLETE* and the transfers, their
``calltime``, the ``waittime`` of ABANDON and the exits) are only compared with them. A
contact whose timestamps and data field differ by more than 1 s is *flagged*: its figures
stay the timestamps', the import summary counts the flagged contacts per field (naming
the first) and ``_queue_log_flags.csv`` in the dataset folder lists each one (file, line,
call, field, both values). A field that is missing (older versions write fewer), empty
or not a number is no disagreement.

Asterisk writes every duration as whole seconds taken with ``time(NULL)``: a line stamped
just after a second turns can make the two differ by 1 s, hence the 1 s tolerance.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from typing import Any, TextIO

from omnikpi.connectors import transaction
from omnikpi.connectors.queue_log_lines import Event
from omnikpi.connectors.transaction import ImportCommit

NAME = "_queue_log_flags.csv"
"""In the dataset folder beside ``rejects.csv``; a ``_`` name, so that validation does not
take it for a misnamed table (``schema.files.unread_entries``)."""
TOLERANCE_SECONDS = 1.0
COLUMNS = ["file", "line", "call_id", "contact_id", "event", "field",
           "timestamps_seconds", "field_seconds"]

HOLD, TALK, WAIT = "holdtime", "calltime", "waittime"
WHAT = {
    HOLD: "the wait from timestamps (CONNECT − ENTERQUEUE) differs from the holdtime "
          "Asterisk wrote by more than 1 s",
    TALK: "the talk time from timestamps (end − CONNECT) differs from the calltime "
          "Asterisk wrote by more than 1 s",
    WAIT: "the wait from timestamps (ABANDON or exit − ENTERQUEUE) differs from the "
          "waittime Asterisk wrote by more than 1 s",
}

_NUMBER = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,9})?")


def _seconds(text: str) -> float | None:
    """A duration field's seconds; None when it is empty or not a number."""
    text = text.strip()  # a realtime export's padded column, a negative or decimal one
    return float(text) if _NUMBER.fullmatch(text) else None


_FIXED: dict[str, tuple[tuple[str, int], ...]] = {
    # holdtime[, bridged uniqueid, ringtime]
    "CONNECT": ((HOLD, 0),),
    # holdtime, calltime[, origposition]
    "COMPLETEAGENT": ((HOLD, 0), (TALK, 1)),
    "COMPLETECALLER": ((HOLD, 0), (TALK, 1)),
    # extension, context[, holdtime, calltime[, origposition]] (1.2: the first two only)
    "TRANSFER": ((HOLD, 2), (TALK, 3)),
    "BLINDTRANSFER": ((HOLD, 2), (TALK, 3)),
    # position[, origposition, waittime[, withdraw info]]
    "ABANDON": ((WAIT, 2),),
    "EXITEMPTY": ((WAIT, 2),),
    "EXITWITHTIMEOUT": ((WAIT, 2),),
    "WITHDRAW": ((WAIT, 2),),
    # key, position[, origposition, waittime]
    "EXITWITHKEY": ((WAIT, 3),),
}
"""Event → (field, its index in the data) of the durations its line holds, by the
versions' layouts (``asterisk-queue-log.md`` §3–4); an index past the line's fields is a
field that version does not write. ATTENDEDTRANSFER counts from the end (its ``LINK``
method writes two channel names where the others write one datum)."""


def _fields(name: str, data: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """The durations of an event not in ``_FIXED``."""
    if name == "ATTENDEDTRANSFER" and len(data) >= 5:  # method, data…, hold, call, origpos
        return ((HOLD, len(data) - 3), (TALK, len(data) - 2))
    return ()


@dataclass(frozen=True)
class Flag:
    """One contact's field that disagrees with its timestamps (the first line saying so)."""

    source: str
    line: int
    callid: str
    contact_id: str
    event: str
    field: str
    timestamps: float
    data: float


def disagreements(event: Event, visit: dict[str, Any]) -> list[Flag]:
    """The fields of ``event`` (applied to ``visit``: its CONNECT or its end) that differ
    from the visit's timestamps by more than 1 s, each field once per visit (CONNECT and
    COMPLETE* both carry the holdtime). Marks the fields flagged in the visit. Run on
    every CONNECT and end, so written for speed: nothing found, nothing allocated."""
    data = event.data
    fields = _FIXED.get(event.name) or _fields(event.name, data)
    found = _NONE
    for field, index in fields:
        if index >= len(data):
            continue
        text = data[index]
        if text.isdigit() and text.isascii() and len(text) <= 12:  # what Asterisk writes
            written = float(text)
        else:
            parsed = _seconds(text)
            if parsed is None:
                continue
            written = parsed
        if field == WAIT:
            measured = event.epoch - visit["arrived"]
        else:
            connect = visit.get("connect")
            if connect is None:
                continue
            measured = (connect - visit["arrived"] if field == HOLD
                        else event.epoch - connect)
        if -TOLERANCE_SECONDS <= measured - written <= TOLERANCE_SECONDS:
            continue
        flagged = visit.setdefault("flagged", [])
        if field in flagged:
            continue
        flagged.append(field)
        if found is _NONE:
            found = []
        found.append(Flag(event.source, event.line, event.callid, str(visit["id"]),
                          event.name, field, float(measured), written))
    return found


_NONE: list[Flag] = []
"""What :func:`disagreements` returns when it finds nothing (never appended to)."""


def seconds_text(value: float) -> str:
    """90.0 → ``90``, 1.5 → ``1.5``."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def describe(flagged: Counter[str], first: dict[str, Flag]) -> list[tuple[int, str]]:
    """The summary's lines: per field, how many contacts were flagged, and what for,
    naming the first (``3``, ``contact(s): the wait from timestamps … first: call d1.1
    (90 s vs 20 s, queue_log line 5)``)."""
    lines = []
    for field in (HOLD, TALK, WAIT):
        count = flagged.get(field, 0)
        if not count:
            continue
        flag = first[field]
        lines.append((count, f"contact(s): {WHAT[field]} — timestamps kept; first: call "
                     f"{flag.callid} ({seconds_text(flag.timestamps)} s vs "
                     f"{seconds_text(flag.data)} s, {flag.source} line {flag.line})"))
    return lines


class FlagFile:
    """The folder's list of flagged contacts plus this run's, staged on the first flag
    (an import that flags nothing leaves the list, or its absence, as it is)."""

    def __init__(self, run: ImportCommit) -> None:
        self.run, self.target = run, run.out / NAME
        self.staged = run.stage(self.target.name)
        self.handle: TextIO | None = None
        self.writer: Any = None

    def write(self, flags: list[Flag]) -> None:
        if not flags:
            return
        if self.handle is None:
            new = not self.target.exists()
            if not new:
                shutil.copyfile(self.target, self.staged)
            self.handle = self.staged.open("a", newline="", encoding="utf-8")
            self.writer = csv.writer(self.handle)
            if new:
                self.writer.writerow(COLUMNS)
        for f in flags:
            self.writer.writerow([f.source, f.line, f.callid, f.contact_id, f.event, f.field,
                                  seconds_text(f.timestamps), seconds_text(f.data)])
        flags.clear()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()

    def place(self) -> None:
        if self.handle is None:
            return
        self.close()
        self.run.place(self.staged, self.target)
        transaction.checkpoint(f"staged {self.target.name}")
