"""Sending what OmniKPI produces to people and systems: e-mail (SMTP), signed webhooks and
folders. Scheduled reports and alerts both deliver through here.

Every sender raises :class:`DeliveryError` with a sentence a person can act on (the server
refused the login, the host does not answer, the webhook answered 500 four times).
"""

from __future__ import annotations

from dataclasses import dataclass

from omnikpi.errors import OmniKPIError


class DeliveryError(OmniKPIError):
    """Something could not be delivered; the message says where and why (exit code 1:
    the request was fine, the recipient was not reachable)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}
