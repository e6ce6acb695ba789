"""Defects found by exploratory passes: transcripts stored ids with JSON's quotes, ignored a
misspelt or a body field, and did not account for the messages they left out; an Asterisk
CDR import read the PBX's clock as UTC and a Zendesk import without its metric events
made every ticket unanswered — both without a word."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
from tests.unit.connectors.import_runs import run_import
from tests.unit.connectors.test_import_summary_adds_up import adds_up, summary_rows

import omnikpi

PLATFORMS = Path(__file__).parent / "fixtures" / "platforms"
CHATWOOT_MAPPING = """timestamp = "epoch"
inactivity_timeout_seconds = 900
channel = "chat"
queue = "chatwoot"
skip_when = "coalesce(private, false) OR message_type IN (2, 3)"

[fields]
conversation = "conversation_id"
ts = "created_at"
role = "CASE WHEN sender.type = 'agent_bot' THEN 'bot' ELSE CAST(message_type AS VARCHAR) END"
{agent} = "CASE WHEN message_type = 1 AND sender.type <> 'agent_bot' THEN sender.name END"
customer = "CASE WHEN message_type = 0 THEN sender.id END"
queue = "'inbox-' || inbox_id"
body = "content"

[roles]
"0" = "customer"
"1" = "agent"
"bot" = "bot"
"""


def _message(number: int, conversation: object, at: object, kind: int, content: object,
             sender: str, name: str | None, private: bool = False) -> str:
    return json.dumps({"id": number, "conversation_id": conversation, "inbox_id": 1,
                       "created_at": at, "message_type": kind, "private": private,
                       "content": content,
                       "sender": {"id": 100 + number, "type": sender, "name": name}})


CHAT_LINES = [
    _message(1, 1, 1700000000, 0, "Hello, my card is blocked", "contact", None),
    _message(2, 1, 1700000000, 0, "Can you help?", "contact", None),  # same second: kept
    _message(4, 1, 1700000060, 1, "Hi, I am Anna", "user", "anna"),
    _message(5, 1, 1700000060, 1, "Let me check", "user", "anna"),  # same second: kept
    _message(3, 1, 1700000030, 0, "It is urgent", "contact", None),
    _message(6, 1, 1700000090, 1, "internal note", "user", "anna", private=True),  # skipped
    _message(7, 2, 1700000100, 3, "template", "agent_bot", "bot"),  # skipped (type 3)
    _message(8, 2, 1700000101, 1, "I am a bot", "agent_bot", "bot"),  # bot-only conversation
    _message(9, 3, 1700000200, 5, "???", "contact", None),  # role 5: left out (line 9)
    _message(10, 3, 1700000201, 0, "hello", "contact", None),
    _message(11, 4, 1700000300, 1, "We call you about your loan", "user", "ivan"),
    _message(12, 5, "2023-11-14T22:15:00Z", 0, {"text": "nested"}, "contact", None),
    _message(13, 5, 1700000160, 1, "reply", "user", "anna"),
    _message(14, None, 1700000400, 0, "no conversation", "contact", None),  # line 14
    _message(15, 6, "abc", 0, "bad time", "contact", None),  # line 15
    '{"id": 16, "conversation_id": 7, "created_at": 1700000500, "message_typ',  # cut
    _message(17, 8, 1700000600, 0, "hi", "contact", None)
    + _message(18, 8, 1700000660, 1, "hi", "user", "ivan"),  # two objects on one line
    "",
    _message(19, 9, 1700000700, 0, "Привіт ünïcode", "contact", None),
]


def _chat(folder: Path, agent_key: str = "agent") -> tuple[Path, Path]:
    source, mapping = folder / "chat.jsonl", folder / "map.toml"
    source.write_text("\n".join(CHAT_LINES) + "\n", encoding="utf-8")
    mapping.write_text(CHATWOOT_MAPPING.replace("{agent}", agent_key))
    return source, mapping


def test_a_field_whose_json_type_varies_is_read_without_quotes(tmp_path: Path) -> None:
    """The conversation id is "X1" in some messages and 42 in another, the agent 7 and
    "anna": DuckDB reads both fields as JSON, whose text kept the quotes (contact
    ``"X1"``, agent ``"anna"``). Nested (``meta.conv.id``) alike."""
    flat = tmp_path / "flat.jsonl"
    flat.write_text("\n".join([
        '{"conversation_id": "X1", "ts": "2024-03-04T07:00:00Z", "sender": "customer"}',
        '{"conversation_id": 42, "ts": "2024-03-04T07:01:00Z", "sender": "customer"}',
        '{"conversation_id": "X1", "ts": "2024-03-04T07:00:30Z", "sender": "agent", '
        '"agent_id": 7}',
        '{"conversation_id": "X1", "ts": "2024-03-04T07:00:40Z", "sender": "agent", '
        '"agent_id": "anna"}']) + "\n")
    (tmp_path / "flat.toml").write_text('[fields]\nconversation = "conversation_id"\n')
    code, output = run_import("transcripts", flat, "--mapping", tmp_path / "flat.toml",
                              "--out", tmp_path / "a")
    assert code == 0, output
    messages = sorted((m["contact_id"], m["agent_id"] or "") for m in
                      pq.read_table(tmp_path / "a" / "messages.parquet").to_pylist())
    assert messages == [("42", ""), ("X1", ""), ("X1", "7"), ("X1", "anna")]
    contacts = {c["contact_id"]: c["agent_id"] for c in
                pq.read_table(tmp_path / "a" / "contacts.parquet").to_pylist()}
    assert contacts == {"X1": "7", "42": None}  # the first agent to answer X1: 7 at 07:00:30

    nested = tmp_path / "nested.jsonl"
    nested.write_text("\n".join([
        '{"meta": {"conv": {"id": "A"}}, "ts": "2024-03-04T07:00:00Z", "sender": "customer"}',
        '{"meta": {"conv": {"id": "A"}}, "ts": "2024-03-04T07:00:30Z", "sender": "agent", '
        '"agent_id": "anna"}',
        '{"meta": {"conv": {"id": 5}}, "ts": "2024-03-04T07:06:00Z", "sender": "customer"}',
    ]) + "\n")
    (tmp_path / "nested.toml").write_text('[fields]\nconversation = "meta.conv.id"\n')
    code, output = run_import("transcripts", nested, "--mapping", tmp_path / "nested.toml",
                              "--out", tmp_path / "b")
    assert code == 0, output
    assert sorted(c["contact_id"] for c in pq.read_table(
        tmp_path / "b" / "contacts.parquet").to_pylist()) == ["5", "A"]


def test_a_misspelt_fields_key_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    """``agnet`` for ``agent`` imported every message with no agent, exit 0."""
    source, mapping = _chat(tmp_path, agent_key="agnet")
    code, output = run_import("transcripts", source, "--mapping", mapping,
                              "--out", tmp_path / "out")
    assert code == 2, output
    assert "[fields] agnet is not a field (did you mean agent?)" in output
    assert ("the fields: conversation, ts, role, agent, channel, customer, queue, body"
            in output)
    assert not (tmp_path / "out" / "messages.parquet").exists()


def test_the_body_is_the_messages_text_the_qa_page_shows(tmp_path: Path) -> None:
    """``body = "content"`` was ignored: no text column, so an imported chat could not be
    read while evaluating it (the QA page reads a messages column named text)."""
    source, mapping = _chat(tmp_path)
    code, output = run_import("transcripts", source, "--mapping", mapping,
                              "--out", tmp_path / "out")
    assert code == 0, output
    rows = pq.read_table(tmp_path / "out" / "messages.parquet").to_pylist()
    texts: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        texts.setdefault((r["contact_id"], r["ts"].isoformat()), set()).add(r["text"])
    # two messages of one side in the same second are two (the second was dropped as a
    # repeat, its words lost)
    assert texts[("1", "2023-11-14T22:13:20")] == {"Hello, my card is blocked",
                                                   "Can you help?"}
    assert texts[("1", "2023-11-14T22:13:50")] == {"It is urgent"}
    assert texts[("1", "2023-11-14T22:14:20")] == {"Hi, I am Anna", "Let me check"}
    assert texts[("9", "2023-11-14T22:25:00")] == {"Привіт ünïcode"}
    assert [json.loads(t) for t in texts[("5", "2023-11-14T22:15:00")]] == [
        {"text": "nested"}]
    dataset = omnikpi.load_dataset(tmp_path / "out")
    assert dataset.problem_count == 0
    assert "text" in dataset.loads["messages"].columns
    # a second export into the folder keeps the text (the column written again)
    code, output = run_import("transcripts", source, "--mapping", mapping,
                              "--out", tmp_path / "out")
    assert code == 0, output
    again = pq.read_table(tmp_path / "out" / "messages.parquet").to_pylist()
    assert sorted(map(str, (r["text"] for r in again))) == sorted(
        map(str, (r["text"] for r in rows)))


def test_a_transcript_summary_accounts_for_every_line(tmp_path: Path) -> None:
    """19 lines read: 12 imported (two of them a second message of the same side in
    the same second), 3 filtered (a private note and a template skipped, a bot-only
    conversation's message), 4 left out (a cut line, a role 5, no conversation, a time
    "abc"). The three messages the import removed were shown as "value left empty" (as
    if written), and the row read 19 = 10 + 3 + 1 + 2 (+ 2 repeated)."""
    source, mapping = _chat(tmp_path)
    code, output = run_import("transcripts", source, "--mapping", mapping, "--out",
                              tmp_path / "out", "--format", "csv")
    assert code == 0, output
    rows = summary_rows(output)
    assert rows["messages"] == [19, 12, 3, 4, 0, 0, 12], rows
    assert rows["contacts"] == [7, 6, 1, 0, 0, 0, 6], rows
    assert all(adds_up(numbers) for numbers in rows.values()), rows
    assert ("1 messages: a role that is not customer, agent, bot or system ('5': name it "
            "in [roles]): the message left out") in output
    assert ("1 messages: no conversation ([fields] conversation = 'conversation_id' is "
            "empty): the message left out") in output
    assert ("1 messages: [fields] ts could not be read (the first such value: Conversion "
            "Error") in output
    with (tmp_path / "out" / "rejects.csv").open(encoding="utf-8") as handle:
        listed = {int(r["line"]): r for r in csv.DictReader(handle)}
    assert sorted(listed) == [9, 14, 15, 16]
    assert all(r["file"] == str(source) for r in listed.values())
    assert json.loads(listed[14]["text"])["content"] == "no conversation"
    assert listed[9]["reason"].startswith("a role that is not customer")


def test_asterisk_cdr_without_tz_says_its_local_times_were_read_as_utc(
        tmp_path: Path) -> None:
    """The shipped CDR mapping reads the PBX's local clock; without --tz it was read as
    UTC without a word."""
    master = PLATFORMS / "asterisk_cdr" / "Master.csv"
    code, output = run_import("asterisk-cdr", master, "--out", tmp_path / "utc")
    assert code == 0, output
    assert ("Note: contacts: abandoned_at, accepted_at, arrived_at, ended_at, "
            "first_response_at are local times (no offset in the export) and the mapping "
            "names no zone, nor did --tz: read as UTC.") in output
    assert "--tz ZONE" in output
    code, output = run_import("asterisk-cdr", master, "--tz", "Europe/Kyiv",
                              "--out", tmp_path / "kyiv")
    assert code == 0, output
    assert "Note:" not in output
    # the same wall clock, two hours earlier in UTC in Kyiv's winter (the fixture's March)
    utc = {c["contact_id"]: c["arrived_at"] for c in
           pq.read_table(tmp_path / "utc" / "contacts.parquet").to_pylist()}
    kyiv = {c["contact_id"]: c["arrived_at"] for c in
            pq.read_table(tmp_path / "kyiv" / "contacts.parquet").to_pylist()}
    assert {k: (utc[k] - kyiv[k]).total_seconds() for k in utc} == {k: 7200.0 for k in utc}
    # a mapping that names its zone is taken at its word
    own = tmp_path / "own.toml"
    own.write_text('extends = "asterisk-cdr"\n[timestamps]\ntimezone = "UTC"\n')
    code, output = run_import("asterisk-cdr", master, "--mapping", own,
                              "--out", tmp_path / "own")
    assert code == 0, output
    assert "Note:" not in output


def test_zendesk_tickets_without_their_metric_events_are_said(tmp_path: Path) -> None:
    """tickets.json alone: every ticket unanswered (answered 0, ASA empty), no word."""
    tickets = PLATFORMS / "zendesk" / "tickets.json"
    code, output = run_import("zendesk", tickets, "--out", tmp_path / "alone")
    assert code == 0, output
    assert "Note: no ticket_metric_events among the inputs" in output
    assert "no ticket counts as answered or resolved" in output
    assert "omnikpi import zendesk tickets.json metric_events.json --out DIR" in output
    report = omnikpi.report_result(tmp_path / "alone", metrics=["answered"]).rows[0]
    assert report == {"answered": 0}  # what the note explains
    code, output = run_import("zendesk", tickets, PLATFORMS / "zendesk" / "metric_events.json",
                              "--out", tmp_path / "both")
    assert code == 0, output
    assert "Note:" not in output
