"""Request bodies have a size limit, enforced while they arrive — before anything parses
them. A 400 MB ingest body once took 2.29 GB of memory before the row limit could say no.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

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
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
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
