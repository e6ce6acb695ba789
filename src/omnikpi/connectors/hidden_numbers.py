"""Caller ids that name nobody: what a platform writes when the caller hid the number.

Read as a customer, every caller who hid the number was one person calling again and
again, and FCR counted strangers as repeats of each other. Every voice connector leaves
the customer empty for them: the queue_log reader through :func:`is_hidden`, the mappings
(their SQL) through the ``hidden_number(x)`` macro that :data:`MACRO_SQL` defines on the
connection that runs them, so the list lives here only.
"""

from __future__ import annotations

import re

WITHHELD_WORDS = frozenset({"anonymous", "unknown", "<unknown>", "restricted", "private",
                            "unavailable", "withheld", "blocked"})
"""Words a PBX or carrier writes for a hidden number (SIP privacy gives ``anonymous``,
also as ``sip:anonymous@anonymous.invalid``; Asterisk ``<unknown>``)."""
PLACEHOLDER_NUMBERS = frozenset({"+266696687", "+86282452253", "+7378742833", "+2562533",
                                 "+8656696"})
"""Stand-in numbers Twilio writes for a hidden caller: ANONYMOUS, UNAVAILABLE, RESTRICTED,
BLOCKED and UNKNOWN spelled on a phone keypad."""

_SCHEME = re.compile(r"^(?:tel|sips?):", re.IGNORECASE)


def is_hidden(number: str) -> bool:
    """Whether a caller id is a hidden number's stand-in rather than a number: a word or
    a placeholder, bare or as the user of a ``tel:``/``sip:`` address."""
    user = _SCHEME.sub("", number.strip()).split("@", 1)[0].strip()
    return user.lower() in WITHHELD_WORDS or user in PLACEHOLDER_NUMBERS


def _sql_list(words: frozenset[str]) -> str:
    return ", ".join(f"'{word}'" for word in sorted(words))


_USER_SQL = ("regexp_replace(split_part(regexp_replace(regexp_replace(CAST(x AS VARCHAR), "
             "'^\\s+|\\s+$', '', 'g'), '^(tel|sips?):', '', 'i'), '@', 1), "
             "'^\\s+|\\s+$', '', 'g')")
"""The caller id's user part, white space (tabs, line ends too) taken off as Python's
``strip`` does; DuckDB's ``trim`` takes spaces only."""
MACRO_SQL = (
    "CREATE OR REPLACE MACRO hidden_number(x) AS ("
    f"{_USER_SQL} IN (" + _sql_list(PLACEHOLDER_NUMBERS) + ") OR "
    f"lower({_USER_SQL}) IN (" + _sql_list(WITHHELD_WORDS) + "))")
"""``hidden_number(x)`` for a mapping's SQL: true for a hidden caller id, as
:func:`is_hidden`; null for a null ``x``."""
