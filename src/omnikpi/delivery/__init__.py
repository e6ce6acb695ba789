"""Sending what OmniKPI produces to people and systems: e-mail (SMTP), signed webhooks and
folders. Scheduled reports and alerts both deliver through here.

Every sender raises :class:`DeliveryError` with a sentence a person can act on (the server
refused the login, the host does not answer, the webhook answered 500 four times).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from omnikpi.errors import OmniKPIError


class DeliveryError(OmniKPIError):
    """Something could not be delivered; the message says where and why (exit code 1:
    the request was fine, the recipient was not reachable)."""


class DeliveryRefused(DeliveryError):
    """The recipient or the configuration said no, and will say it again until a person
    changes something: e-mail not configured, a login or recipients the mail server
    refuses, a webhook that answers 401 or 404. A scheduled report is not tried again by
    itself for it (it was, three times, each try refused alike — and a mail some
    recipients had got would have reached them again)."""


class PartlyDelivered(DeliveryRefused):
    """The mail server took the message for some recipients and refused others: those it
    took have it. A run that only said "refused" was marked failed as a whole, and its
    "Send again" mailed a second copy to everyone who already had the file; the run
    records ``delivered`` and sends again only to the ``refused``."""

    def __init__(self, message: str, delivered: Sequence[str],
                 refused: Mapping[str, str], lasting: bool) -> None:
        super().__init__(message)
        self.delivered = tuple(delivered)
        self.refused = dict(refused)
        """Address → the server's reply (``550 no such user``)."""
        self.lasting = lasting
        """Every refusal was a 5xx (it will be refused again); a 4xx may pass."""


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
