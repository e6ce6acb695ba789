"""What one request may hold.

Request bodies have a size limit, enforced while they arrive — before anything parses
them. A 400 MB ingest body once took 2.29 GB of memory before the row limit could say no.

Every string a request stores has a length limit, declared here and nowhere else: forms
and JSON models declare them (``Form(max_length=NAME_CHARS)``), live rows and hand-read
form fields call :func:`check_length` / :func:`check_live_rows`. The limits stay within
the application database's columns (``String(150)``…), which PostgreSQL enforces.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from omnikpi.errors import UsageError

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

NAME_CHARS = 150
"""Names and identifiers: tenant, site, queue, agent, contact and customer ids, user and
evaluator names; names of alert rules, QA forms, samples and calibrations; every string of
a live row, and its column names (the application database's name columns hold 150)."""
KEY_CHARS = 100
"""Keys of QA forms and of their items."""
CHANNEL_CHARS = 50
"""A channel (voice, chat, …) in a live row or an alert rule."""
INSTANT_CHARS = 40
"""An instant as typed (ISO 8601) that is stored as typed: a QA sample's period."""
LONG_TEXT_CHARS = 10_000
"""Free text: QA comments and disputes, a QA form's items, lists of contacts or evaluators,
a webhook URL, a saved report's query."""
ROW_FIELDS = 100
"""Columns of one live row (a canonical table has at most 25)."""
EXPORT_ROWS = {"pdf": 5_000, "xlsx": 200_000}
"""Rows a file made on the server may hold (CSV has no limit: it is written in a second).
A PDF of 204,026 rows (a month by agent and half hour) took a core for about four
minutes and kept going after the person who asked had left; an XLSX of that size takes
about as long. Beyond these a report is for CSV, or for the command line."""


def check_export_rows(fmt: str, rows: int) -> None:
    """A usage error (the page says it in the reader's language) for an export too large
    to make on the server in the format asked."""
    most = EXPORT_ROWS.get(fmt)
    if most is not None and rows > most:
        raise UsageError(f"{fmt.upper()} exports hold at most {most:,} rows and this one "
                         f"has {rows:,}: choose a coarser grain, fewer cuts or a shorter "
                         "period, or download CSV")


MAX_INT = 2**31 - 1
"""Whole numbers that are stored or looked up — ids in URLs and forms (a form, a sample, a
rule…), a QA sample's seed and minimum per agent: the database's INTEGER, 32-bit on
PostgreSQL. A larger number is a 4xx, not an overflow in the database driver."""


def check_length(field: str, value: str | None, limit: int) -> str | None:
    """``value`` unchanged, or a usage error (HTTP 400, exit 2) naming ``field``, the length
    and the limit — never the value itself, which may be megabytes."""
    if value is not None and len(value) > limit:
        raise UsageError(f"{field} has {len(value):,} characters: at most {limit:,}")
    return value


def has_control_character(text: str) -> bool:
    """Whether ``text`` holds a control character (a NUL, a tab, a line break, DEL, C1):
    no name, queue or column of ours holds one, and a NUL made a batch unreadable."""
    return any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text)


def check_live_rows(rows: list[Any]) -> None:
    """Rows posted live hold flat values only, strings of at most ``NAME_CHARS``
    (``CHANNEL_CHARS`` for a channel), at most ``ROW_FIELDS`` columns with names of at
    most ``NAME_CHARS``: they are stored as posted."""
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            continue  # the ingest itself says rows must be JSON objects
        if len(row) > ROW_FIELDS:
            raise UsageError(f"rows[{index}] has {len(row):,} columns: at most {ROW_FIELDS}")
        for key, value in row.items():
            check_length(f"rows[{index}]: a column name", str(key), NAME_CHARS)
            if has_control_character(str(key)):
                raise UsageError(f"rows[{index}]: a column name holds a control "
                                 "character")
            where = f"rows[{index}].{key}"
            if isinstance(value, dict | list):
                raise UsageError(f"{where}: a value must be a string, a number, true, false "
                                 "or null")
            if isinstance(value, str):
                check_length(where, value, CHANNEL_CHARS if key == "channel" else NAME_CHARS)


DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
"""16 MiB: an ingest batch of 5,000 rows, a QA form, a saved report — with room to spare."""


def max_body_bytes() -> int:
    value = os.environ.get("OMNIKPI_WEB_MAX_BODY_BYTES")
    return int(value) if value and value.isdigit() and int(value) > 0 else \
        DEFAULT_MAX_BODY_BYTES


class BodyLimit:
    """ASGI middleware: 413 for a declared ``Content-Length`` over the limit at once, and
    for a streamed body as soon as it passes the limit (nothing more is read)."""

    def __init__(self, app: App, limit: int | None = None) -> None:
        self.app = app
        self.limit = limit or max_body_bytes()

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive,
                       send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        # 4,300 digits and more: int() refuses them (a 500); 20 are more than any body
        if declared is not None and declared.isdigit() \
                and (len(declared) > 20 or int(declared) > self.limit):
            await _too_large(send, self.limit)
            return
        received = 0
        limit = self.limit

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, _message(limit))
            return message

        await self.app(scope, limited, send)


def _message(limit: int) -> str:
    return (f"the request body is larger than {limit:,} bytes: send it in smaller batches "
            "(OMNIKPI_WEB_MAX_BODY_BYTES sets the limit)")


async def _too_large(send: Send, limit: int) -> None:
    body = ('{"detail": "' + _message(limit) + '"}').encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
