"""The client's address for the audit log, for the length of each request.

Routes that record a change call ``audit`` deep inside helpers that never see the request;
this middleware makes the address known to them (``accounts.CLIENT_ADDRESS``) instead of
passing the request through every helper.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Receive, Send

from omnikpi.auth.accounts import CLIENT_ADDRESS


class ClientAddress:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive,
                       send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = CLIENT_ADDRESS.set(client[0] if client else "unknown")
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT_ADDRESS.reset(token)
