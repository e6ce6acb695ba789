"""Finding entries in the audit log: by who, what and when, a page at a time.

The log answers questions after the fact — who exported client A's contacts last month,
which address tried fifty passwords on Sunday, who paused that alert rule. The newest 200
entries (all the API gave) answer none of them once a center has a few weeks of logins;
the same search serves the admin page, the API and ``omnikpi audit``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from omnikpi.auth.accounts import readable_detail
from omnikpi.cell_text import csv_safe
from omnikpi.errors import UsageError
from omnikpi.store.models import AuditEntry

MAX_PAGE = 1000
"""Entries in one answer; older ones are asked for with ``before_id``."""


@dataclass(frozen=True)
class AuditSearch:
    """What to look for; every part is optional. ``start``/``end`` are half-open
    ``[start, end)`` instants, as a report's ``--from``/``--to``."""

    actors: Sequence[str] = ()
    actions: Sequence[str] = ()
    start: datetime | None = None
    end: datetime | None = None
    before_id: int | None = None
    """Only entries older than this one (the next page: the last id of the previous)."""
    limit: int = 200

    def __post_init__(self) -> None:
        from omnikpi.web.limits import MAX_INT

        if not 1 <= self.limit <= MAX_PAGE:
            raise UsageError(f"limit must be 1 to {MAX_PAGE}, not {self.limit}")
        # an id is the database's INTEGER: a larger one overflowed in the driver (a
        # traceback on the command line, 500 from the API)
        if self.before_id is not None and not 1 <= self.before_id <= MAX_INT:
            raise UsageError(f"before_id must be a whole number from 1 to {MAX_INT:,}, not "
                             f"{self.before_id}")
        for moment, name in ((self.start, "from"), (self.end, "to")):
            if moment is not None and moment.tzinfo is None:
                raise UsageError(f"{name} needs a time zone")  # a programming error
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise UsageError(f"to ({self.end.isoformat()}) must be after from "
                             f"({self.start.isoformat()})")


def search_of(actors: Sequence[str] = (), actions: Sequence[str] = (),
              from_: str | None = None, to: str | None = None, tz: str = "UTC",
              before_id: int | None = None, limit: int = 200) -> AuditSearch:
    """A search from what a person typed: ISO instants or days, read in ``tz`` when they
    carry no offset (``--from 2026-12-01 --tz Europe/Kyiv``: from Kyiv's midnight)."""
    from omnikpi.engine.run import parse_instant  # the reports' reading of --from/--to
    from omnikpi.engine.timezones import zone
    from omnikpi.instants import to_datetime

    zone(tz)  # a misspelt zone is refused even when no day needs it
    start, end = (parse_instant(value, tz, option)
                  for value, option in ((from_, "from"), (to, "to")))
    return AuditSearch(
        actors=tuple(a.strip() for a in actors if a.strip()),
        actions=tuple(a.strip() for a in actions if a.strip()),
        start=None if start is None else to_datetime(start),
        end=None if end is None else to_datetime(end), before_id=before_id, limit=limit)


def find_entries(session: Session, search: AuditSearch) -> list[AuditEntry]:
    """The entries matching ``search``, newest first (by id: the order they were written,
    which two entries of the same microsecond keep)."""
    conditions: list[ColumnElement[bool]] = []
    if search.actors:
        conditions.append(AuditEntry.actor.in_(list(search.actors)))
    if search.actions:
        conditions.append(AuditEntry.action.in_(list(search.actions)))
    # stored as UTC (SQLite keeps no offset): compare in UTC
    if search.start is not None:
        conditions.append(AuditEntry.at >= search.start.astimezone(UTC))
    if search.end is not None:
        conditions.append(AuditEntry.at < search.end.astimezone(UTC))
    if search.before_id is not None:
        conditions.append(AuditEntry.id < search.before_id)
    return list(session.scalars(select(AuditEntry).where(*conditions)
                                .order_by(AuditEntry.id.desc()).limit(search.limit)))


def every_entry(session: Session, search: AuditSearch,
                page_size: int = MAX_PAGE) -> Iterator[AuditEntry]:
    """Every entry matching ``search`` (its ``limit`` ignored), newest first, read a page
    at a time: a download of a month is not cut at a page."""
    before = search.before_id
    while True:
        page = find_entries(session, replace(search, before_id=before, limit=page_size))
        yield from page
        if len(page) < page_size:
            return
        before = page[-1].id


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    """One entry as the API, the CLI's JSON and the page's CSV give it: ``at`` in UTC;
    ``detail`` the JSON text it was written as (the API's shape since accounts came)."""
    at = entry.at if entry.at.tzinfo is not None else entry.at.replace(tzinfo=UTC)
    return {"id": entry.id, "at": at.astimezone(UTC).isoformat(), "actor": entry.actor,
            "action": entry.action, "detail": readable_detail(entry.detail), "ip": entry.ip}


COLUMNS = ("id", "at", "actor", "action", "detail", "ip")


def write_csv(out: TextIO, entries: list[dict[str, Any]], line_end: str = "\n") -> None:
    """Entries as CSV (a header, then one line each); text a spreadsheet would run as a
    formula is kept as text, as in every export."""
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(COLUMNS)
    writer.writerows([csv_safe(entry[c]) for c in COLUMNS] for entry in entries)
