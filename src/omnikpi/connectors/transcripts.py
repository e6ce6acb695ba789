"""Chat and e-mail transcripts (one JSON object per message) → ``contacts`` + ``messages``.

A conversation becomes one contact: it arrives with its first customer message, is
answered by the first agent message, and ends at its last message plus the platform's
inactivity timeout (the stop-time rule: a chat is over when nobody wrote for that long).
A conversation that no agent answered is abandoned at its last customer message plus the
timeout. A conversation with no customer message (proactive, agent-only) is an outbound
contact from its first agent message, with no first response (nobody was waiting); one
with neither a customer nor an agent message (bot or system only) is left out and
counted with its reason. Field names and role values come from a TOML mapping
(``mappings/``), so any platform's export works; all of it is SQL over the whole file, no
row loops.
"""

from __future__ import annotations

import difflib
import tomllib
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from omnikpi.connectors.failing_rows import (
    can_try,
    failing,
    first_line,
    keep_try_whole,
    raises,
    tried,
)
from omnikpi.connectors.json_lines import line_values, without_broken_lines
from omnikpi.connectors.mapped_table import MappedSummary
from omnikpi.connectors.reject_file import Reject, as_given, keep_rejects
from omnikpi.connectors.sandbox import seal
from omnikpi.connectors.source_files import (
    checked_inputs,
    explain,
    no_inputs,
)
from omnikpi.connectors.text_encoding import readable_text
from omnikpi.connectors.transaction import committed_import
from omnikpi.connectors.writer import merge_write, stored_rows, to_arrow
from omnikpi.errors import DataError, UsageError
from omnikpi.schema import reject_reasons as said
from omnikpi.schema.convert import quote, sql_str
from omnikpi.schema.files import open_bytes

DEFAULT_FIELDS = {"conversation": "conversation_id", "ts": "ts", "role": "sender",
                  "agent": "agent_id", "channel": "channel", "customer": "customer_id",
                  "queue": "queue", "body": "text"}
"""The mapping's ``[fields]`` keys and the source field each reads when not mapped."""
TEXT = "text"
"""The messages' column a message's text (``[fields] body``) is written to: the QA
evaluation page shows a transcript from it."""
FILE = "__omnikpi_file"
"""The column of ``raw`` naming the file a message was read from (for ``rejects.csv``)."""
ROLES = ("customer", "agent", "bot", "system")


def _timestamp(expr: str, kind: str) -> str:
    """A message's time: ISO text with its offset; with ``timestamp = "epoch"`` a number of
    seconds, or ISO text all the same — Chatwoot's API gives seconds, its webhooks ISO
    text, which DuckDB reads as a timestamp column that cannot be cast to a number
    (every message of such an export stopped the import; mixed with numbers, the ISO
    ones were left out)."""
    if kind == "epoch":
        text = f"trim(CAST({expr} AS VARCHAR), '\"')"  # a JSON column's text is quoted
        return (f"coalesce(to_timestamp(TRY_CAST({text} AS DOUBLE)), "
                f"CAST({text} AS TIMESTAMPTZ))::TIMESTAMPTZ")
    return f"CAST({expr} AS TIMESTAMPTZ)"


_REQUIRED = ("contact_id", "ts", "sender")
"""A message without one of these is left out (``bad`` in :func:`import_transcripts`)."""


def _read_messages(con: duckdb.DuckDBPyConnection, files: list[Path]) -> None:
    """``raw``: one row per message line of ``files``."""
    names = "[" + ", ".join(sql_str(str(f)) for f in files) + "]"
    # the types from every message (not a sample): a field first seen late would be left
    # out of every message without a word
    # each message's file beside it, the messages in the files' order (raw's rowid): a
    # message left out is listed in rejects.csv with its file and line
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_json({names}, "
                "format = 'newline_delimited', records = true, union_by_name = true, "
                f"sample_size = -1, filename = {sql_str(FILE)})")


def _add_optional_columns(con: duckdb.DuckDBPyConnection, mapping: dict[str, Any],
                          label: str) -> set[str]:
    """The mapping's ``optional`` source fields that no message has, added to ``raw`` as
    empty text columns; their names.

    DuckDB makes a column of each key some message has: an export written without the
    messages' text (Chatwoot's ``content`` left out to keep a file small) had no such
    column, and the mapping reading it was refused as if mistyped. A field declared
    optional reads as empty then (the import says so); one not declared stays a mistake
    named by the usage error."""
    optional = mapping.get("optional", [])
    if not isinstance(optional, list) or not all(
            isinstance(n, str) and n.isidentifier() for n in optional):
        raise UsageError(f"{label}: optional must list source "
                         'field names (optional = ["content"])')
    present = {str(r[0]) for r in con.execute("DESCRIBE raw").fetchall()}
    absent = {name for name in optional if name not in present}
    for name in sorted(absent):
        con.execute(f"ALTER TABLE raw ADD COLUMN {quote(name)} VARCHAR")
    return absent


def _as_text(con: duckdb.DuckDBPyConnection, expr: str) -> str:
    """``expr`` as text. A field whose JSON type varies between messages (a string in
    some, a number in others) is read by DuckDB as JSON, whose cast to text keeps the
    quotes: ``"X1"`` was stored for the conversation X1 and ``"anna"`` for the agent.
    Such a value is read as the text it holds (an object or a list as its JSON)."""
    described = con.execute(f"DESCRIBE SELECT {expr} AS v FROM raw").fetchone()
    if described is not None and str(described[1]) == "JSON":
        return f"json_extract_string({expr}, '$')"
    return f"CAST({expr} AS VARCHAR)"


def _message_lines(path: Path) -> list[tuple[int, str]]:
    """The line and text of each message of a file read one object per line, in the
    order the reader reads them (several objects back to back on a line: each, that
    line's; a line that is not JSON: its complete objects only)."""
    found: list[tuple[int, str]] = []
    with open_bytes(path) as source:
        for number, line in enumerate(source, start=1):
            text, values, _ = line_values(line)
            found += [(number, text[start:end]) for start, end in values]
    return found


def _messages(con: duckdb.DuckDBPyConnection, selects: dict[str, str],
              skip: str | None, flags: dict[str, str] | None = None) -> None:
    """``msg``: one row per message the mapping does not skip, its fields as mapped, the
    ``flags`` beside them and the message's row of ``raw`` (``__row``)."""
    where = f"NOT coalesce({skip}, false)" if skip else "TRUE"
    columns = ", ".join([*(f"{expr} AS {name}" for name, expr in
                           {**selects, **(flags or {})}.items()), "rowid AS __row"])
    con.execute(f"CREATE OR REPLACE TABLE msg AS SELECT {columns} FROM raw WHERE {where}")


def import_transcripts(inputs: list[Path], mapping_path: Path | None, out: Path,
                       fmt: str = "parquet", encoding: str | None = None
                       ) -> list[MappedSummary]:
    with ExitStack() as stack:
        return _import_transcripts(stack, inputs, mapping_path, out, fmt, encoding)


def _import_transcripts(stack: ExitStack, inputs: list[Path], mapping_path: Path | None,
                        out: Path, fmt: str, encoding: str | None) -> list[MappedSummary]:
    # no mapping: every field by its default name (docs/connectors.md), as an empty file
    label = f"transcripts mapping {mapping_path}" if mapping_path is not None else \
        "transcripts (no --mapping: the default field names)"
    try:
        mapping: dict[str, Any] = {} if mapping_path is None else \
            tomllib.loads(mapping_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{label}: {exc}") from exc
    given = mapping.get("fields", {})
    roles = mapping.get("roles", {})
    if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
        raise UsageError(f"{label}: [fields] must name SQL "
                         "expressions (strings)")
    for key in given:  # a misspelt key left its field empty on every message, unsaid
        if key not in DEFAULT_FIELDS:
            close = difflib.get_close_matches(key, list(DEFAULT_FIELDS), n=1)
            raise UsageError(f"{label}: [fields] {key} is not a "
                             "field" + (f" (did you mean {close[0]}?)" if close else "")
                             + f"; the fields: {', '.join(DEFAULT_FIELDS)}")
    if not isinstance(roles, dict) or not all(
            v in ("customer", "agent", "bot", "system") for v in roles.values()):
        raise UsageError(f"{label}: [roles] maps platform values "
                         "to customer | agent | bot | system")
    by_case: dict[str, str] = {}
    for key, role in roles.items():  # matched in any case: Agent and AGENT are one value
        if by_case.setdefault(str(key).lower(), role) != role:
            raise UsageError(f"{label}: [roles] maps "
                             f"{str(key).lower()!r} twice (roles are matched in any case) to "
                             f"{by_case[str(key).lower()]} and {role}")
    try:
        timeout = float(mapping.get("inactivity_timeout_seconds", 600))
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{label}: inactivity_timeout_seconds "
                         "must be a number of seconds") from exc
    kind = mapping.get("timestamp", "iso")
    if kind not in ("iso", "epoch"):
        raise UsageError(f"{label}: timestamp must be iso or "
                         f"epoch (not {kind!r})")
    skip = mapping.get("skip_when")
    given_files = [f for item in inputs
                   for f in (sorted(item.iterdir()) if item.is_dir() else [item])]
    missing = [f for f in given_files if not f.exists()]
    if missing or not given_files:
        raise UsageError(f"input not found: {missing[0]}" if missing
                         else no_inputs(inputs))
    files = checked_inputs(given_files)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    broken: Counter[str] = Counter()
    listed: list[Reject] = []
    # the files read stay until the import ends: a message left out is listed with its
    # line, found in the file once the mapping has left it out
    readable = stack.enter_context(readable_text(files, encoding or mapping.get("encoding")))
    try:
        _read_messages(con, readable)
        read_as = readable
    except duckdb.Error as exc:
        lines, broken, listed = stack.enter_context(without_broken_lines(readable))
        try:
            if not broken:
                raise
            _read_messages(con, lines)
            read_as = lines
        except duckdb.Error:
            raise DataError(f"cannot read transcripts {files[0] if files else ''}: "
                            f"{first_line(exc)}") from exc
    broken, listed = as_given(broken, listed, readable, files)
    # the name the reader gives each file → the file of its lines (the lines of a copy
    # without the broken ones are numbered as in the file given) and the name given
    sources = {str(path): (readable[i], files[i]) for i, path in enumerate(read_as)}
    absent = _add_optional_columns(con, mapping, label)
    keep_try_whole(con)
    seal(con)  # the source is read: the mapping's SQL runs with no access outside
    present = {str(r[0]) for r in con.execute("DESCRIBE raw").fetchall()} - {FILE} - absent
    fields = {k: v for k, v in DEFAULT_FIELDS.items() if v in present}
    fields.update(given)
    for needed in ("conversation", "ts", "role"):
        if needed not in fields:
            raise UsageError(f"{label}: no field for {needed!r} "
                             f"(columns in the file: {', '.join(sorted(present))})")
    for name, expr in [*fields.items(), ("skip_when", skip)]:
        if expr is None:
            continue
        try:  # each field alone, so an error names its mapping key
            con.execute(f"SELECT {expr} FROM raw LIMIT 0")
        except duckdb.Error as exc:
            key = "skip_when" if name == "skip_when" else f"[fields] {name}"
            raise UsageError(f"{label}: {key} = {expr!r}: "
                             f"{explain(exc, present)}") from exc

    def col(name: str) -> str:
        expr = fields.get(name)
        return _as_text(con, expr) if expr else "CAST(NULL AS VARCHAR)"

    role_text = col("role")
    role_expr = f"lower({role_text})"
    if roles:  # without [roles] the values are taken as they are (customer, agent, …)
        # in any case, as without [roles]: a platform writing VISITOR in one export and
        # visitor in the next had the first's messages left out
        role_expr = "CASE " + " ".join(
            f"WHEN {role_expr} = lower({sql_str(str(k))}) THEN {sql_str(v)}"
            for k, v in roles.items()) + f" ELSE {role_expr} END"
    ts = _timestamp(fields["ts"], kind)
    read = int(con.execute("SELECT count(*) FROM raw").fetchone()[0])  # type: ignore[index]
    selects = {"contact_id": col("conversation"),
               "ts": f"CAST(TRY_CAST({ts} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)",
               "sender": role_expr, "agent_id": col("agent"), "channel": col("channel"),
               "customer_id": col("customer"), "queue": col("queue"), TEXT: col("body")}
    keys = {"contact_id": "conversation", "ts": "ts", "sender": "role", "agent_id": "agent",
            "channel": "channel", "customer_id": "customer", "queue": "queue", TEXT: "body"}
    unreadable: dict[str, int] = {}
    # a required field that raises on a message: whether it does (a flag beside the
    # message), under the reason the message is left out with
    unreadable_required: dict[str, tuple[str, str]] = {}
    try:
        _messages(con, selects, skip)
    except duckdb.Error as exc:
        # a message whose field raises (text where a number belongs): that field is left
        # empty on it (failing_rows), unless it raises on every message (the mapping)
        for name, expr in [*selects.items(), ("skip_when", skip or "")]:
            if not expr or not can_try(con, "", expr, "raw"):
                continue
            found = failing(con, "", expr, rows="raw")
            if not found.rows:
                continue
            key = "skip_when" if name == "skip_when" else f"[fields] {keys[name]}"
            if found.everywhere:
                raise UsageError(f"{label}: {key}: "
                                 f"{found.example}") from exc
            if name == "skip_when":
                skip = tried(str(skip))
                unreadable[f"skip_when could not be decided ({found.example}): the message "
                           "kept"] = found.rows
            elif name in _REQUIRED:  # counted below, on the messages not skipped
                unreadable_required[f"__unreadable_{name}"] = (
                    raises(expr), said.FIELD_UNREADABLE.format(field=key,
                                                               value=found.example))
                selects[name] = tried(expr)
            else:
                selects[name] = tried(expr)
                unreadable[f"{key} could not be read ({found.example}): left empty"] = \
                    found.rows
        try:
            _messages(con, selects, skip, {flag: condition for flag, (condition, _)
                                           in unreadable_required.items()})
        except duckdb.Error as again:
            raise UsageError(f"{label}: "
                             f"{first_line(again)}") from exc
    skipped = read - int(con.execute("SELECT count(*) FROM msg").fetchone()[0])  # type: ignore[index]
    _left_out_messages(con, unreadable_required, fields)
    left_out = Counter({reason: count for reason, count in con.execute(
        f"SELECT reason, count(*) FROM {DROPPED} GROUP BY reason").fetchall()})
    rejects = _listed(con, sources) if left_out else []
    con.execute(f"DELETE FROM msg WHERE __row IN (SELECT __row FROM {DROPPED})")
    conversations = int(con.execute(
        "SELECT count(DISTINCT contact_id) FROM msg").fetchone()[0])  # type: ignore[index]
    no_party = con.execute(
        "SELECT count(DISTINCT contact_id) FROM msg WHERE contact_id NOT IN (SELECT "
        "contact_id FROM msg WHERE sender IN ('customer', 'agent'))").fetchone()[0]  # type: ignore[index]
    no_party_messages = con.execute(
        "DELETE FROM msg WHERE contact_id NOT IN (SELECT contact_id FROM msg "
        "WHERE sender IN ('customer', 'agent'))").fetchone()[0]  # type: ignore[index]
    summaries = []
    default_channel = str(mapping.get("channel", "chat"))
    default_queue = str(mapping.get("queue", "chat"))
    stored_messages = stored_rows(out, "messages", fmt)
    # the text is a column of its own beside the canonical ones: written when the mapping
    # reads a body, and kept (empty on the new messages) when the stored ones have it
    with_text = (TEXT in stored_messages.column_names if stored_messages is not None
                 else "body" in fields)
    text_lost = "body" in fields and not with_text
    with committed_import(out) as run:
        keep_rejects(run, [*listed, *rejects])
        contacts, versions = _derived_contacts(con, out, fmt, timeout, default_channel,
                                               default_queue)
        messages = con.execute("SELECT contact_id, ts, sender, agent_id, text FROM msg "
                               "ORDER BY contact_id, ts").fetch_arrow_table()
        for table, data in (("contacts", contacts), ("messages", messages)):
            schema = to_arrow(table, []).schema
            columns = {f.name: (data[f.name] if f.name in data.column_names else None)
                       for f in schema}
            arrow = pa.table({name: (values if values is not None else
                                     pa.nulls(data.num_rows, schema.field(name).type))
                              for name, values in columns.items()}).cast(schema)
            if table == "messages" and with_text:
                arrow = arrow.append_column(TEXT, data[TEXT].cast(pa.string()))
            # a contact is read from a conversation, not from each of its messages: its
            # rows read are this import's conversations (messages in the contacts row
            # made 4 read of 1 written, 1 filtered and 1 left out)
            summary = (MappedSummary(table, read=conversations) if table == "contacts"
                       else MappedSummary(table, read=read + sum(broken.values()),
                                          left_out=Counter(broken)))
            if table == "contacts" and no_party:
                summary.filtered["conversation with only bot or system messages (no customer "
                                 "or agent): not a contact"] += int(no_party)
            merged = merge_write(run, table, arrow, fmt,
                                 versions=versions if table == "contacts" else None)
            summary.written, summary.repeated = merged.added, merged.repeated
            summary.total = merged.rows
            summary.updated = merged.updated
            if table == "messages":
                if skipped:
                    summary.filtered["skipped by the mapping's skip_when"] += skipped
                if no_party_messages:
                    summary.filtered["of a conversation with only bot or system messages"] += \
                        int(no_party_messages)
                # a message without its conversation, time or role is not written: left
                # out (listed in rejects.csv), not "value left empty" as if it were
                summary.left_out.update(left_out)
                summary.rejected.update(unreadable)
                if absent:
                    summary.notes.append(
                        f"no message of these files has {', '.join(sorted(absent))} (the "
                        "mapping's optional source fields): read as empty")
                if text_lost:
                    summary.notes.append(
                        f"the messages' text ([fields] body) is not written: the messages "
                        f"stored in {out} before were imported without it, and the new "
                        "ones are added to them column for column. Import all the exports "
                        "into a new folder to keep the text.")
            summaries.append(summary)
    return summaries


DROPPED = "dropped"
"""The messages left out for their conversation, time or role: ``__row`` and reason."""


def _left_out_messages(con: duckdb.DuckDBPyConnection,
                       unreadable: dict[str, tuple[str, str]],
                       fields: dict[str, str]) -> None:
    """``dropped``: each message of ``msg`` that cannot be part of a conversation, once,
    under the first of its reasons: a required field that could not be read, no
    conversation, no time, a role none of customer, agent, bot or system (with the
    values met, so ``[roles]`` can be completed)."""
    known = ", ".join(sql_str(r) for r in ROLES)
    odd = [str(r[0]) for r in con.execute(
        f"SELECT DISTINCT sender FROM msg WHERE sender NOT IN ({known}) ORDER BY 1 "
        "LIMIT 6").fetchall()]
    values = ", ".join(repr(v) for v in odd[:5]) + (", …" if len(odd) > 5 else "")
    reasons = [(flag, reason) for flag, (_, reason) in unreadable.items()] + [
        ("contact_id IS NULL", said.NO_CONVERSATION.format(value=repr(fields["conversation"]))),
        ("ts IS NULL", said.NO_TIME.format(value=repr(fields["ts"]))),
        ("sender IS NULL", said.NO_ROLE.format(value=repr(fields["role"]))),
        (f"sender NOT IN ({known})", said.UNKNOWN_ROLE.format(value=values))]
    cases = " ".join(f"WHEN coalesce({flag}, false) THEN {sql_str(reason)}"
                     for flag, reason in reasons)
    con.execute(f"CREATE OR REPLACE TABLE {DROPPED} AS SELECT __row, CASE {cases} END AS "
                f"reason FROM msg")
    con.execute(f"DELETE FROM {DROPPED} WHERE reason IS NULL")


def _listed(con: duckdb.DuckDBPyConnection,
            sources: dict[str, tuple[Path, Path]]) -> list[Reject]:
    """The messages left out (``dropped``), each with its file, line and text."""
    found = con.execute(
        f"SELECT file, number, reason FROM (SELECT rowid AS __row, {FILE} AS file, "
        f"row_number() OVER (PARTITION BY {FILE} ORDER BY rowid) AS number FROM raw) "
        f"JOIN {DROPPED} USING (__row) ORDER BY file, number").fetchall()
    rejects: list[Reject] = []
    lines: list[tuple[int, str]] = []
    current = None
    for name, number, reason in found:
        path, given = sources.get(str(name), (Path(str(name)), Path(str(name))))
        if current != path:  # each file read once, its rows in order
            current, lines = path, _message_lines(path) if path.exists() else []
        line, text = lines[number - 1] if number <= len(lines) else (0, "")
        rejects.append(Reject(str(given), line, reason, text))
    return rejects


def _derived_contacts(con: duckdb.DuckDBPyConnection, out: Path, fmt: str, timeout: float,
                      default_channel: str, default_queue: str
                      ) -> tuple[pa.Table, pa.Array]:
    """One contact per conversation of ``msg``, derived from all its messages: those of
    this import and those earlier imports stored in ``out``. A chat running over midnight
    is in two daily files; derived from one file alone, its customer message at 23:58
    and the agent's reply at 00:01 made an unanswered chat and an outbound one. Each
    contact's version is its number of messages, so the contact derived from more of the
    conversation replaces the one stored, whatever order the files are imported in."""
    earlier = stored_rows(out, "messages", fmt)
    earlier_contacts = stored_rows(out, "contacts", fmt)
    con.register("earlier_messages", (earlier if earlier is not None else
                                      to_arrow("messages", [])).select(
        ["contact_id", "ts", "sender", "agent_id"]))
    con.register("earlier_contacts", (earlier_contacts if earlier_contacts is not None else
                                      to_arrow("contacts", [])).select(
        ["contact_id", "channel", "queue", "customer_id"]))
    con.execute("""
        CREATE OR REPLACE TABLE conversation AS
        SELECT contact_id, ts, sender, any_value(agent_id) AS agent_id,
               any_value(channel) AS channel, any_value(customer_id) AS customer_id,
               any_value(queue) AS queue
        FROM (SELECT contact_id, ts, sender, agent_id, channel, customer_id, queue FROM msg
              UNION ALL
              SELECT contact_id, CAST(ts AS TIMESTAMP), sender, agent_id, NULL, NULL, NULL
              FROM earlier_messages
              WHERE contact_id IN (SELECT contact_id FROM msg))
        GROUP BY contact_id, ts, sender""")
    gap = f"to_microseconds(CAST({round(timeout * 1_000_000)} AS BIGINT))"
    contacts = con.execute(f"""
        WITH c AS (
          SELECT contact_id, min(ts) FILTER (sender = 'customer') AS first_customer,
            min(ts) AS first_any, max(ts) AS last_any,
            max(ts) FILTER (sender = 'customer') AS last_customer,
            any_value(channel) AS channel, any_value(customer_id) AS customer_id,
            any_value(queue) AS queue, count(*) AS known_messages
          FROM conversation GROUP BY contact_id),
        a AS (
          SELECT m.contact_id, min(m.ts) AS first_agent,
                 arg_min(m.agent_id, m.ts) AS agent_id
          FROM conversation m JOIN c USING (contact_id)
          WHERE m.sender = 'agent' AND m.ts >= coalesce(c.first_customer, c.first_any)
          GROUP BY m.contact_id),
        e AS (SELECT contact_id, any_value(channel) AS channel, any_value(queue) AS queue,
                     any_value(customer_id) AS customer_id
              FROM earlier_contacts GROUP BY contact_id)
        SELECT c.contact_id,
          coalesce(c.channel, e.channel, {sql_str(default_channel)}) AS channel,
          CASE WHEN c.first_customer IS NULL THEN 'outbound' ELSE 'inbound' END AS direction,
          coalesce(c.queue, e.queue, {sql_str(default_queue)}) AS queue,
          coalesce(c.customer_id, e.customer_id) AS customer_id,
          coalesce(c.first_customer, c.first_any) AS arrived_at, FALSE AS blocked,
          a.first_agent AS accepted_at,
          CASE WHEN c.first_customer IS NOT NULL THEN a.first_agent END AS first_response_at,
          CASE WHEN a.first_agent IS NULL THEN c.last_customer + {gap} END AS abandoned_at,
          CASE WHEN a.first_agent IS NOT NULL THEN c.last_any + {gap} END AS ended_at,
          a.agent_id, FALSE AS transferred, c.known_messages
        FROM c LEFT JOIN a USING (contact_id) LEFT JOIN e USING (contact_id)
        ORDER BY c.contact_id""").fetch_arrow_table()
    versions = contacts["known_messages"].combine_chunks().cast(pa.float64())
    return contacts.drop_columns(["known_messages"]), versions
