"""Every row of an import's summary adds up: rows read = imported + filtered + left out
+ repeated, also when the folder already holds rows and for the contacts a transcript
export is read into. The "in table" column was the table's total after the merge: a
second export of 3 records into a folder of 3 said 4 of 3 read were written, and a
transcript's contacts row counted messages read against conversations written."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.unit.connectors.import_runs import run_import

FIXTURES = Path(__file__).parent / "fixtures"
CHATWOOT = FIXTURES / "chatwoot.jsonl"
CHATWOOT_MAPPING = Path(__file__).parents[3] / "mappings" / "chatwoot_messages.toml"
CTR = FIXTURES / "platforms" / "amazon_connect" / "ctr.json"


def summary_rows(output: str) -> dict[str, list[int]]:
    """Each table's numbers: read, imported, filtered, left out, repeated, value left
    empty, table now."""
    # the output is on one line (run_import): "│ contacts │ 3 │ 1 │ … │ 4 │"
    return {name: [int(n) for n in numbers.split(" │ ")[:7]] for name, numbers in
            re.findall(r"│ ([a-z_]+) │ ((?:\d+ │ ){7})", output)}


def adds_up(numbers: list[int]) -> bool:
    read, imported, filtered, left_out, repeated = numbers[:5]
    return read == imported + filtered + left_out + repeated


def records(path: Path) -> list[dict[str, object]]:
    text, decoder, found, at = path.read_text(), json.JSONDecoder(), [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        record, at = decoder.raw_decode(text, at)
        found.append(record)
    return found


def test_a_second_export_into_a_folder_that_holds_rows(tmp_path: Path) -> None:
    ctr = records(CTR)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in ctr))
    new = {**ctr[0], "ContactId": "c-new-1"}
    # one record imported before, one new, one line cut short
    second.write_text(json.dumps(ctr[0]) + "\n" + json.dumps(new) + "\n{\"Contact\n")
    code, output = run_import("amazon-connect", first, "--out", tmp_path / "out")
    assert code == 0, output
    held = summary_rows(output)["contacts"][6]
    code, output = run_import("amazon-connect", second, "--out", tmp_path / "out")
    assert code == 0, output
    rows = summary_rows(output)
    assert rows["contacts"] == [3, 1, 0, 1, 1, 0, held + 1]
    assert all(adds_up(numbers) for numbers in rows.values()), rows


def test_a_transcript_exports_contacts_are_its_conversations(tmp_path: Path) -> None:
    lines = CHATWOOT.read_text().splitlines()
    conversations = {json.loads(line)["conversation_id"] for line in lines}
    bot = {"id": 990001, "conversation_id": 990, "message_type": "outgoing",
           "content": "Our hours are 9 to 5", "created_at": json.loads(lines[0])["created_at"],
           "sender": {"type": "agent_bot", "id": 1}}
    source = tmp_path / "m.jsonl"
    source.write_text("\n".join([*lines, json.dumps(bot), lines[0][:20]]) + "\n")
    code, output = run_import("transcripts", source, "--mapping", CHATWOOT_MAPPING,
                              "--out", tmp_path / "a")
    assert code == 0, output
    rows = summary_rows(output)
    # each conversation read once; the bot's alone is filtered, not a contact
    assert rows["contacts"][:3] == [len(conversations) + 1, len(conversations), 1]
    assert rows["messages"][0] == len(lines) + 2 and rows["messages"][3] == 1
    assert all(adds_up(numbers) for numbers in rows.values()), rows
    code, again = run_import("transcripts", source, "--mapping", CHATWOOT_MAPPING,
                             "--out", tmp_path / "a")
    assert code == 0, again
    again_rows = summary_rows(again)
    assert again_rows["contacts"][1] == 0 and again_rows["contacts"][6] == len(conversations)
    assert all(adds_up(numbers) for numbers in again_rows.values()), again_rows


def test_times_in_milliseconds_are_said_at_import(tmp_path: Path) -> None:
    """Intercom gives seconds; an export re-written with milliseconds was imported without
    a word into the year 56146, and validation then quarantined every row. The import
    says so, per column, and still accounts for every row."""
    page = json.loads((FIXTURES / "platforms" / "intercom" /
                       "conversations-page-1.json").read_text())

    def in_ms(value: object) -> object:
        if isinstance(value, dict):
            return {k: v * 1000 if k in ("created_at", "updated_at") and isinstance(v, int)
                    else in_ms(v) for k, v in value.items()}
        return [in_ms(v) for v in value] if isinstance(value, list) else value

    source = tmp_path / "page.json"
    source.write_text(json.dumps(in_ms(page)))
    code, output = run_import("intercom", source, "--out", tmp_path / "out")
    assert code == 0, output
    rows = summary_rows(output)
    # a rating's time is its created_at: every survey answer imported is said
    said = re.search(r"(\d+) surveys: answered_at outside the years 1900–2199 \(a time in "
                     r"milliseconds read as seconds\?\): written as read; validation "
                     r"quarantines these rows", output)
    assert said and int(said.group(1)) == rows["surveys"][1] > 0
    assert all(adds_up(numbers) for numbers in rows.values()), rows
