"""A sampled chain's contact ids as the application database keeps them (one text column).

Written as a JSON array: ids were once joined with spaces and split on them, and a contact
id with a space ("o 1", which the data model allows) became a chain of two contacts — its
evaluation page showed no contact and its evaluation was filed as a chain's. Rows saved
before are still read by splitting on whitespace.
"""

from __future__ import annotations

import json
from collections.abc import Iterable


def chain_text(contact_ids: Iterable[str]) -> str:
    return json.dumps(list(contact_ids), ensure_ascii=False)


def chain_ids(text: str | None) -> list[str]:
    """The ids of ``text``: a JSON array, or (saved before) ids separated by spaces."""
    if not text:
        return []
    if text.startswith("["):
        try:
            values = json.loads(text)
        except ValueError:
            values = None
        if isinstance(values, list):
            return [str(v) for v in values]
    return text.split()
