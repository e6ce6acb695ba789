"""Alert webhooks: the checked, pinned POST of :mod:`omnikpi.delivery.webhook` (where the
guard against server-side request forgery lives, shared with scheduled reports)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from omnikpi.delivery import DeliveryError
from omnikpi.delivery.webhook import TIMEOUT_SECONDS, Target, resolve
from omnikpi.delivery.webhook import post as post_body
from omnikpi.errors import UsageError

__all__ = ["TIMEOUT_SECONDS", "Target", "post", "resolve"]


def post(url: str, payload: dict[str, Any], allowed_hosts: Sequence[str] = (),
         secret: str | None = None) -> str | None:
    """POST ``payload`` as JSON to a checked webhook; the error as text, or None when
    delivered."""
    try:
        post_body(url, json.dumps(payload).encode(), secret=secret,
                  allowed_hosts=allowed_hosts)
    except (UsageError, DeliveryError) as exc:
        return str(exc)
    return None
