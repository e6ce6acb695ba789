"""Chat transcripts (Chatwoot messages) → contacts + messages with the stop-time rule."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app

FIXTURES = Path(__file__).parent / "fixtures"
MAPPING = Path(__file__).resolve().parents[3] / "mappings" / "chatwoot_messages.toml"


def test_chatwoot_export(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "transcripts", str(FIXTURES / "chatwoot.jsonl"),
                                      "--mapping", str(MAPPING), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "skipped by the mapping" in result.output  # private note and activity message
    rows = {r["contact_id"]: r for r in pq.read_table(tmp_path / "contacts.parquet").to_pylist()}
    # conversation 41: customer 10:00:00, agent 10:00:30, customer 10:01:40, agent 10:02:40;
    # ends at the last message + 900 s inactivity timeout = 10:17:40
    talk = rows["41"]
    assert (talk["arrived_at"].isoformat(), talk["first_response_at"].isoformat(),
            talk["ended_at"].isoformat()) == ("2024-03-05T10:00:00", "2024-03-05T10:00:30",
                                              "2024-03-05T10:17:40")
    assert talk["agent_id"] == "op1" and talk["queue"] == "inbox-3"
    # conversation 42: two customer messages and no answer → abandoned 900 s after the last
    assert rows["42"]["abandoned_at"].isoformat() == "2024-03-05T11:15:10"
    assert rows["42"]["first_response_at"] is None
    report = omnikpi.report_result(tmp_path, metrics=["offered", "answered", "abandoned",
                                                      "a1rt", "art"]).rows[0]
    assert report == {"offered": 2, "answered": 1, "abandoned": 1, "a1rt": 30.0, "art": 60.0}


def test_a_chatwoot_bot_message_is_a_bot_message(tmp_path: Path) -> None:
    """An Agent Bot answers first (message_type 1, sender type agent_bot): a bot message,
    no agent's reply; the agent's answer at 09:01 is the first response. Every bot message
    was left out before ('bot' could not be read as a number)."""
    import json

    def message(number: int, seconds: int, kind: int, sender: dict[str, object]) -> str:
        return json.dumps({"id": number, "conversation_id": 20, "inbox_id": 1,
                           "created_at": 1709629200 + seconds, "message_type": kind,
                           "private": False, "sender": sender})
    customer = {"id": 720, "type": "contact", "name": None}
    (tmp_path / "m.jsonl").write_text("\n".join([
        message(1, 0, 0, customer),
        message(2, 5, 1, {"id": 3, "type": "agent_bot", "name": "Bot"}),
        message(3, 8, 0, customer),
        message(4, 60, 1, {"id": 9, "type": "user", "name": "agentA"})]) + "\n")
    result = CliRunner().invoke(app, ["import", "transcripts", str(tmp_path / "m.jsonl"),
                                      "--mapping", str(MAPPING), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "could not be read" not in result.output
    senders = [r["sender"] for r in sorted(pq.read_table(tmp_path / "o" / "messages.parquet")
                                           .to_pylist(), key=lambda r: r["ts"])]
    assert senders == ["customer", "bot", "customer", "agent"]
    [contact] = pq.read_table(tmp_path / "o" / "contacts.parquet").to_pylist()
    assert contact["agent_id"] == "agentA"
    assert (contact["first_response_at"] - contact["arrived_at"]).total_seconds() == 60
    assert omnikpi.load_dataset(tmp_path / "o").problem_count == 0



def test_a_chatwoot_automation_or_campaign_message_is_no_agents_reply(
        tmp_path: Path) -> None:
    """Chatwoot's own first-reply rule (Message#human_response?): an outgoing message is a
    person's reply only when a user wrote it without an automation rule or a campaign.
    The customer writes at 0 s; an automation rule's auto-reply (no sender,
    content_attributes.automation_rule_id) follows at 10 s, a campaign message from the
    agent's name at 20 s, and agentA answers at 130 s: the first response is at 130 s
    (it was at 10 s), and only agentA's message is an agent's."""
    import json

    def message(number: int, seconds: int, kind: int, sender: object,
                **extra: object) -> str:
        return json.dumps({"id": number, "conversation_id": 25, "inbox_id": 1,
                           "created_at": 1709629200 + seconds, "message_type": kind,
                           "private": False, "sender": sender, **extra})
    agent = {"id": 9, "type": "user", "name": "agentA"}
    (tmp_path / "m.jsonl").write_text("\n".join([
        message(1, 0, 0, {"id": 720, "type": "contact", "name": None},
                content_attributes={}),
        message(2, 10, 1, None, content_attributes={"automation_rule_id": 4}),
        message(3, 20, 1, agent, additional_attributes={"campaign_id": 7}),
        message(4, 130, 1, agent, content_attributes={"in_reply_to": 1})]) + "\n")
    result = CliRunner().invoke(app, ["import", "transcripts", str(tmp_path / "m.jsonl"),
                                      "--mapping", str(MAPPING), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    senders = [r["sender"] for r in sorted(pq.read_table(tmp_path / "o" / "messages.parquet")
                                           .to_pylist(), key=lambda r: r["ts"])]
    assert senders == ["customer", "bot", "bot", "agent"]
    [contact] = pq.read_table(tmp_path / "o" / "contacts.parquet").to_pylist()
    assert contact["agent_id"] == "agentA"
    assert (contact["first_response_at"] - contact["arrived_at"]).total_seconds() == 130

def test_a_conversation_without_a_customer_message(tmp_path: Path) -> None:
    """Proactive (agent-only) conversations are outbound with no first response; a
    bot-only conversation is not a contact, counted with its reason."""
    lines = [
        # 50: the agent writes first and nobody answers (proactive message)
        '{"conversation_id": 50, "ts": "2024-03-05T09:00:00Z", "sender": "agent", '
        '"agent_id": "op2"}',
        '{"conversation_id": 50, "ts": "2024-03-05T09:01:00Z", "sender": "agent", '
        '"agent_id": "op2"}',
        # 51: a bot greeting and nothing else
        '{"conversation_id": 51, "ts": "2024-03-05T09:05:00Z", "sender": "bot"}',
        # 52: an ordinary inbound chat, answered after 45 s
        '{"conversation_id": 52, "ts": "2024-03-05T09:10:00Z", "sender": "customer"}',
        '{"conversation_id": 52, "ts": "2024-03-05T09:10:45Z", "sender": "agent", '
        '"agent_id": "op2"}',
    ]
    source = tmp_path / "chat.jsonl"
    source.write_text("\n".join(lines) + "\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text("inactivity_timeout_seconds = 60\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", "transcripts", str(source), "--mapping",
                                      str(mapping), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "only bot or system messages" in " ".join(result.output.split())
    rows = {r["contact_id"]: r for r in pq.read_table(out / "contacts.parquet").to_pylist()}
    assert set(rows) == {"50", "52"}
    proactive = rows["50"]
    assert proactive["direction"] == "outbound"
    assert proactive["first_response_at"] is None
    assert proactive["arrived_at"].isoformat() == "2024-03-05T09:00:00"
    assert proactive["ended_at"].isoformat() == "2024-03-05T09:02:00"
    assert rows["52"]["direction"] == "inbound"
    # the first response is the inbound chat's alone (the engine's contact counts do not
    # look at direction: the outbound conversation is a contact the agent handled)
    report = omnikpi.report_result(out, metrics=["a1rt"]).rows[0]
    assert report == {"a1rt": 45.0}


def test_an_export_of_the_default_field_names_needs_no_mapping(tmp_path: Path) -> None:
    """The docs say a field without a mapping key is read by its default name, yet the
    import refused to start without --mapping (an empty mapping file worked)."""
    source = tmp_path / "chat.jsonl"
    source.write_text(
        '{"conversation_id": "c1", "ts": "2024-03-05T09:10:00Z", "sender": "customer", '
        '"text": "hi"}\n'
        '{"conversation_id": "c1", "ts": "2024-03-05T09:10:30Z", "sender": "agent", '
        '"agent_id": "op2", "text": "hello"}\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", "transcripts", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = pq.read_table(out / "contacts.parquet").to_pylist()
    assert [(r["contact_id"], r["agent_id"]) for r in rows] == [("c1", "op2")]
    assert omnikpi.report_result(out, metrics=["a1rt"]).rows[0] == {"a1rt": 30.0}
    other = tmp_path / "other.jsonl"  # another export's names, no mapping: said so
    other.write_text('{"conv": 1, "time": "2024-03-05T09:10:00Z", "who": "customer"}\n')
    refused = CliRunner().invoke(app, ["import", "transcripts", str(other), "--out",
                                       str(tmp_path / "o2")])
    assert refused.exit_code == 2, refused.output
    assert "transcripts (no --mapping: the default field names):" in \
        " ".join(refused.output.split())


def test_a_utf16_export_with_a_cut_line_names_the_file_given(tmp_path: Path) -> None:
    """A transcript export saved as UTF-16 (its mark says so) with a line cut short: read
    from a UTF-8 copy, the cut line counted and listed under the file the user gave."""
    lines = (FIXTURES / "chatwoot.jsonl").read_text().splitlines()
    export = tmp_path / "messages.jsonl"
    export.write_text("\n".join([*lines, lines[0][:40]]) + "\n", encoding="utf-16")
    result = CliRunner().invoke(app, ["import", "transcripts", str(export), "--mapping",
                                      str(MAPPING), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"a line that is not JSON (first {export} line {len(lines) + 1}" in said, said
    rejects = (tmp_path / "out" / "rejects.csv").read_text()
    assert f"{export},{len(lines) + 1}," in rejects and "omnikpi-import-" not in rejects
    report = omnikpi.report_result(tmp_path / "out", metrics=["offered", "answered"]).rows[0]
    assert report == {"offered": 2, "answered": 1}


def test_a_chat_over_midnight_in_two_daily_files(tmp_path: Path) -> None:
    """Conversation 70 starts at 23:58 (customer), is answered at 00:01 and ends at
    00:04 — in two daily exports. Imported in either order, it is one contact: arrived
    23:58, first response 00:01 (180 s), ended 00:04 + 600 s timeout. Derived per file,
    the first file made it unanswered (abandoned 00:08) and kept that; the second file
    alone would make it an outbound chat at 00:01."""
    def line(seconds_after_2358: int, sender: str) -> str:
        minute = 58 * 60 + seconds_after_2358
        day, rest = (5, minute) if minute < 3600 else (6, minute - 3600)
        hour = 23 if day == 5 else 0
        stamp = f"2024-03-0{day}T{hour:02d}:{rest // 60:02d}:{rest % 60:02d}Z"
        agent = ', "agent_id": "op7"' if sender == "agent" else ""
        return (f'{{"conversation_id": 70, "ts": "{stamp}", "sender": "{sender}", '
                f'"queue": "night"{agent}}}')
    (tmp_path / "day1.jsonl").write_text(line(0, "customer") + "\n" + line(60, "customer") + "\n")
    (tmp_path / "day2.jsonl").write_text(line(180, "agent") + "\n" + line(240, "customer")
                                         + "\n" + line(360, "agent") + "\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text("inactivity_timeout_seconds = 600\n")
    for order in (("day1", "day2"), ("day2", "day1")):
        out = tmp_path / "-".join(order)
        for name in order:
            result = CliRunner().invoke(app, ["import", "transcripts",
                                              str(tmp_path / f"{name}.jsonl"), "--mapping",
                                              str(mapping), "--out", str(out)])
            assert result.exit_code == 0, result.output
        [contact] = pq.read_table(out / "contacts.parquet").to_pylist()
        assert (contact["direction"], contact["queue"], contact["agent_id"]) == (
            "inbound", "night", "op7"), order
        assert contact["arrived_at"].isoformat() == "2024-03-05T23:58:00", order
        assert contact["first_response_at"].isoformat() == "2024-03-06T00:01:00", order
        assert contact["abandoned_at"] is None, order
        assert contact["ended_at"].isoformat() == "2024-03-06T00:14:00", order
        assert pq.read_table(out / "messages.parquet").num_rows == 5
        report = omnikpi.report_result(out, metrics=["offered", "answered", "a1rt"]).rows[0]
        assert report == {"offered": 1, "answered": 1, "a1rt": 180.0}, order
    # the first file again: nothing new, the contact from all five messages stays
    again = CliRunner().invoke(app, ["import", "transcripts", str(tmp_path / "day1.jsonl"),
                                     "--mapping", str(mapping), "--out",
                                     str(tmp_path / "day1-day2")])
    assert again.exit_code == 0, again.output
    [contact] = pq.read_table(tmp_path / "day1-day2" / "contacts.parquet").to_pylist()
    assert contact["first_response_at"].isoformat() == "2024-03-06T00:01:00"


def test_chatwoot_text_is_kept_and_an_export_without_it_still_imports(tmp_path: Path) -> None:
    """The shipped mapping reads each message's ``content`` as its text (the QA page's
    transcript: it read none before); an export without ``content`` anywhere imports
    with the text empty and a note, where a mapping naming it was refused."""
    import json

    def message(number: int, seconds: int, kind: int, content: str | None) -> dict[str, object]:
        return {"id": number, "conversation_id": 7, "inbox_id": 2,
                "created_at": 1709629200 + seconds, "message_type": kind, "private": False,
                "content": content, "sender": {"id": 55 if kind == 0 else 3,
                                               "type": "contact" if kind == 0 else "user",
                                               "name": "ivan"}}
    messages = [message(1, 0, 0, "Where is my order?"), message(2, 30, 1, "Checking now"),
                message(3, 40, 1, None)]  # an attachment alone: no text
    (tmp_path / "with.jsonl").write_text("".join(json.dumps(m) + "\n" for m in messages))
    (tmp_path / "without.jsonl").write_text("".join(
        json.dumps({k: v for k, v in m.items() if k != "content"}) + "\n" for m in messages))
    texts = {}
    for name in ("with", "without"):
        result = CliRunner().invoke(app, ["import", "transcripts", str(tmp_path / f"{name}.jsonl"),
                                          "--mapping", str(MAPPING),
                                          "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        absent = "additional_attributes, content_attributes" if name == "with" else \
            "additional_attributes, content, content_attributes"
        assert f"no message of these files has {absent} (the mapping's optional" in \
            result.output
        rows = pq.read_table(tmp_path / name / "messages.parquet").to_pylist()
        texts[name] = [r["text"] for r in sorted(rows, key=lambda r: r["ts"])]
    assert texts == {"with": ["Where is my order?", "Checking now", None],
                     "without": [None, None, None]}


def test_a_mapping_optional_field_must_be_a_field_name(tmp_path: Path) -> None:
    (tmp_path / "m.jsonl").write_text('{"conversation_id": 1, "ts": "2024-03-05T10:00:00Z", '
                                      '"sender": "customer"}\n')
    (tmp_path / "map.toml").write_text('optional = "content"\n')
    result = CliRunner().invoke(app, ["import", "transcripts", str(tmp_path / "m.jsonl"),
                                      "--mapping", str(tmp_path / "map.toml"),
                                      "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "optional must list source field names" in result.output


def _import(tmp_path: Path, lines: list[str], mapping: str) -> tuple[str, Path]:
    tmp_path.mkdir(exist_ok=True)
    source = tmp_path / "chat.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(mapping, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", "transcripts", str(source), "--mapping",
                                      str(tmp_path / "m.toml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split()), out


def test_a_line_that_is_no_record_is_left_out_alone(tmp_path: Path) -> None:
    """``[1, 2, 3]`` among messages: DuckDB read the whole file as one column of JSON
    text and the import failed blaming the mapping ("no field for 'conversation'"). The
    line is left out with its reason and listed; the messages around it are imported."""
    lines = ['{"conversation_id": 60, "ts": "2024-03-05T09:00:00Z", "sender": "customer"}',
             "[1, 2, 3]",
             '"a note"',
             '{"conversation_id": 60, "ts": "2024-03-05T09:00:40Z", "sender": "agent", '
             '"agent_id": "op2"}']
    output, out = _import(tmp_path, lines, "")
    assert "2 messages: a line that is JSON but not a record (first" in output
    assert "line 2: a JSON array where a record (an object) belongs" in output
    rejects = (out / "rejects.csv").read_text(encoding="utf-8")
    assert "not a record: a JSON array" in rejects
    assert "[1, 2, 3]" in rejects and "a note" in rejects
    assert omnikpi.report_result(out, metrics=["offered", "a1rt"]).rows[0] == {
        "offered": 1, "a1rt": 40.0}
    # the same line first: the file was taken for one JSON document ("[" starts it)
    first, out = _import(tmp_path / "first", [lines[1], lines[0], lines[3]], "")
    assert "1 messages: a line that is JSON but not a record (first" in first
    assert omnikpi.report_result(out, metrics=["offered", "a1rt"]).rows[0] == {
        "offered": 1, "a1rt": 40.0}


def test_roles_are_matched_in_any_case(tmp_path: Path) -> None:
    """``[roles] visitor = "customer"`` and a message from ``VISITOR``: it was left out as
    a role "'visitor': name it in [roles]" — already named there."""
    lines = ['{"conversation_id": 61, "ts": "2024-03-05T09:00:00Z", "sender": "VISITOR"}',
             '{"conversation_id": 61, "ts": "2024-03-05T09:00:20Z", "sender": "Operator", '
             '"agent_id": "op2"}']
    output, out = _import(tmp_path, lines,
                          '[roles]\nvisitor = "customer"\noperator = "agent"\n')
    assert "left out" not in output
    assert omnikpi.report_result(out, metrics=["offered", "a1rt"]).rows[0] == {
        "offered": 1, "a1rt": 20.0}


def test_roles_differing_only_in_case_must_agree(tmp_path: Path) -> None:
    lines = ['{"conversation_id": 62, "ts": "2024-03-05T09:00:00Z", "sender": "AGENT"}']
    (tmp_path / "chat.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text('[roles]\nAgent = "agent"\nAGENT = "bot"\n',
                                     encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "transcripts", str(tmp_path / "chat.jsonl"),
                                      "--mapping", str(tmp_path / "m.toml"), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "[roles] maps 'agent' twice (roles are matched in any case) to agent and bot" \
        in " ".join(result.output.split())


def test_an_api_page_of_messages_says_the_records_are_inside_it(tmp_path: Path) -> None:
    """Chatwoot's messages API answers ``{"meta": …, "payload": [ … ]}``; the mapping
    reads one message per line. The import said only that conversation_id was not among
    meta, payload: it now says the records are inside payload, and how to take them out."""
    page = tmp_path / "page.json"
    page.write_text('{"meta": {"contact": {"id": 7}}, "payload": [{"id": 1, '
                    '"conversation_id": 101, "created_at": 1709632800, "message_type": 0, '
                    '"content": "Hello", "sender": {"id": 7, "type": "contact"}}]}\n')
    result = CliRunner().invoke(app, ["import", "transcripts", str(page), "--mapping",
                                      str(MAPPING), "--out", str(tmp_path / "out")])
    said = " ".join(result.output.split())
    assert result.exit_code != 0 and "Traceback" not in said
    assert ("no column 'conversation_id' in the source (its columns: meta, payload); the "
            "records look wrapped in an API page's 'payload': give the list itself, one "
            "record per line (jq -c '.payload[]' page.json > records.jsonl)") in said
