"""Why an import left a source line out: every reason of ``rejects.csv``, as a template.

The reasons are written in English into ``rejects.csv`` (scripts read the file, and
whoever fixes the source searches for the words). The data-quality page shows them in the
reader's language by reading a reason back against these templates
(:mod:`omnikpi.web.reject_texts`): a reason built from words written elsewhere would
stay English on a Russian page; one written here cannot. A field in braces is the
source's own text (an event name, a value) or a reader's message (DuckDB's, Python's
JSON parser's), which stays as it was written.
"""

from __future__ import annotations

from omnikpi.schema.stray_quotes import REASON as STRAY_QUOTE

# -- any line-oriented import -----------------------------------------------------------
EMPTY_LINE = "empty line"
NUL_IN_LINE = "NUL byte in the line"
NOT_UTF8 = "{reason} (not valid UTF-8)"
"""A line rejected for ``reason`` that also holds bytes that are not UTF-8."""

# -- Asterisk queue_log: reading the line -----------------------------------------------
NO_EVENT_NAME = "missing or malformed event name"
FEWER_FIELDS = "fewer than 5 fields"
EPOCH_NOT_A_NUMBER = "epoch is not a number"
TIME_IN_MILLISECONDS = ("time out of range: milliseconds? A queue_log time is seconds "
                        "since 1970")
TIME_OUT_OF_RANGE = "time out of range"
MALFORMED_CSV_ROW = "malformed CSV row"
WRONG_COLUMN_COUNT = "wrong number of columns"
UNREADABLE_TIME = "unreadable time"

# -- Asterisk queue_log: applying the event ---------------------------------------------
DUPLICATE_LINE = "duplicate line"
OLDER_THAN_LAST_IMPORT = "older than the last import"
ALREADY_IMPORTED = "line already imported"
AGENT_EVENT_WITHOUT_AGENT = "agent event without an agent"
UNKNOWN_EVENT = "unknown event {event}"
CALL_EVENT_WITHOUT_IDS = "call event without a callid or a queue"
CONNECT_WITHOUT_ENTERQUEUE = "CONNECT without ENTERQUEUE (not counted: no arrival known)"
SECOND_CONNECT = "second CONNECT for the same visit"
AGENTDUMP_AFTER_CONNECT = ("AGENTDUMP after CONNECT (Asterisk writes it before the call is "
                           "bridged)")
WITHOUT_OPEN_ENTERQUEUE = "{event} without an open ENTERQUEUE for this call/queue"
END_AFTER_CONNECT = "{event} after CONNECT"
END_WITHOUT_CONNECT = "{event} without CONNECT"
PAUSEREASON_WITHOUT_PAUSE = "PAUSEREASON without a pause in progress"
RING_TIME_NOT_A_NUMBER = "{event} ring time is not a number"
RING_TIME_OUT_OF_RANGE = "{event} ring time out of range"
WRAPUP_TIME_NOT_A_NUMBER = "WRAPUPSTART wrap-up time is not a number of seconds"

# -- CSV and JSON exports (the reader's own message follows) ----------------------------
CSV_LINE = "{kind}: {message}"
"""``kind``: DuckDB's reject error type in lower case (one of :data:`CSV_KINDS`)."""
CSV_KINDS = ("cast", "missing columns", "too many columns", "unquoted value",
             "line size over maximum", "invalid encoding", "invalid unicode")
NOT_JSON = "not JSON: {message}"
NOT_A_RECORD = "not a record: {message}"

# -- chat transcripts -------------------------------------------------------------------
FIELD_UNREADABLE = ("{field} could not be read (the first such value: {value}): the message "
                    "left out")
NO_CONVERSATION = ("no conversation ([fields] conversation = {value} is empty): the message "
                   "left out")
NO_TIME = "no time ([fields] ts = {value} is empty or not a time): the message left out"
NO_ROLE = "no role ([fields] role = {value} is empty): the message left out"
UNKNOWN_ROLE = ("a role that is not customer, agent, bot or system ({value}: name it in "
                "[roles]): the message left out")

TEMPLATES = (
    EMPTY_LINE, NUL_IN_LINE, NO_EVENT_NAME, FEWER_FIELDS, EPOCH_NOT_A_NUMBER,
    TIME_IN_MILLISECONDS, TIME_OUT_OF_RANGE, MALFORMED_CSV_ROW, WRONG_COLUMN_COUNT,
    UNREADABLE_TIME, DUPLICATE_LINE, OLDER_THAN_LAST_IMPORT, ALREADY_IMPORTED,
    AGENT_EVENT_WITHOUT_AGENT, CALL_EVENT_WITHOUT_IDS, CONNECT_WITHOUT_ENTERQUEUE,
    SECOND_CONNECT, AGENTDUMP_AFTER_CONNECT, PAUSEREASON_WITHOUT_PAUSE,
    WRAPUP_TIME_NOT_A_NUMBER, STRAY_QUOTE, NO_CONVERSATION, NO_TIME, NO_ROLE, UNKNOWN_ROLE,
    UNKNOWN_EVENT, WITHOUT_OPEN_ENTERQUEUE, END_AFTER_CONNECT, END_WITHOUT_CONNECT,
    RING_TIME_NOT_A_NUMBER, RING_TIME_OUT_OF_RANGE, FIELD_UNREADABLE, NOT_JSON,
    NOT_A_RECORD, CSV_LINE, NOT_UTF8)
"""Every template, the most specific first where two could read the same text (the
fixed texts before those with an event name, "{reason} (not valid UTF-8)" last)."""


def kind_of(reason: str) -> str:
    """A reason without its particulars, as the page counts reasons: up to the first
    colon or parenthesis ("too many columns: Expected … Found: 4" is "too many
    columns")."""
    return reason.split(":")[0].split(" (")[0].strip()
