"""A JSON-lines export with a line that is not JSON (a file copied while it was being
written, a line cut in the middle): the other lines imported exactly as from the file
without that line, the line counted by file and number (``connectors/json_lines.py``).
Before, DuckDB's "Malformed JSON" refused the whole file."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.unit.connectors.import_runs import run_import

FIXTURES = Path(__file__).parent / "fixtures"
STREAMS = FIXTURES / "platforms" / "twilio_taskrouter" / "event-streams.jsonl"
CHATWOOT = FIXTURES / "chatwoot.jsonl"
CHATWOOT_MAPPING = Path(__file__).parents[3] / "mappings" / "chatwoot_messages.toml"


_import = run_import


def _tables(out: Path) -> dict[str, list[dict[str, object]]]:
    return {path.stem: sorted(pq.read_table(path).to_pylist(), key=repr)
            for path in sorted(out.glob("*.parquet"))}


@pytest.mark.parametrize("where", ["last", "middle"])
def test_event_streams_with_a_cut_line(tmp_path: Path, where: str) -> None:
    lines = STREAMS.read_text().splitlines()
    number = len(lines) if where == "last" else 6
    cut = list(lines)
    cut[number - 1] = lines[number - 1][: len(lines[number - 1]) // 2]  # half a line
    without = [line for n, line in enumerate(lines, start=1) if n != number]
    (tmp_path / "cut.jsonl").write_text("\n".join(cut) + ("" if where == "last" else "\n"))
    (tmp_path / "without.jsonl").write_text("\n".join(without) + "\n")
    code, output = _import("twilio-taskrouter-streams", tmp_path / "cut.jsonl",
                           "--out", tmp_path / "a")
    assert code == 0, output
    assert (f"1 agent_states: a line that is not JSON (first {tmp_path / 'cut.jsonl'} "
            f"line {number}:") in output
    listed = (tmp_path / "a" / "rejects.csv").read_text().splitlines()
    assert listed[0] == "file,line,reason,text" and len(listed) == 2
    assert listed[1].startswith(f"{tmp_path / 'cut.jsonl'},{number},not JSON: ")
    assert cut[number - 1].replace('"', '""') in listed[1]  # the half line, as CSV text
    code, clean = _import("twilio-taskrouter-streams", tmp_path / "without.jsonl",
                          "--out", tmp_path / "b")
    assert code == 0, clean
    assert _tables(tmp_path / "a") == _tables(tmp_path / "b")
    read_cut = output.split("│ agent_states │ ")[1].split()[0]
    read_clean = clean.split("│ agent_states │ ")[1].split()[0]
    assert int(read_cut) == int(read_clean) + 1  # the broken line is counted as read


def test_one_json_document_cut_short_is_still_refused(tmp_path: Path) -> None:
    """An API page (one array or object): what a cut loses cannot be known."""
    page = (FIXTURES / "platforms" / "freshdesk" / "tickets.json").read_text()
    (tmp_path / "tickets.json").write_text(json.dumps(json.loads(page), indent=2)[:-200])
    code, output = _import("freshdesk", tmp_path / "tickets.json", "--out", tmp_path / "o")
    assert code == 3, output
    assert f"cannot read {tmp_path / 'tickets.json'}" in output
    assert not (tmp_path / "o" / "contacts.parquet").exists()


def test_a_transcript_export_with_a_cut_line(tmp_path: Path) -> None:
    lines = CHATWOOT.read_text().splitlines()
    cut = list(lines)
    cut.insert(3, lines[3][:25])  # a fifth message cut, between two whole ones
    (tmp_path / "m.jsonl").write_text("\n".join(cut) + "\n")
    code, output = _import("transcripts", tmp_path / "m.jsonl", "--mapping",
                           CHATWOOT_MAPPING, "--out", tmp_path / "a")
    assert code == 0, output
    assert f"1 messages: a line that is not JSON (first {tmp_path / 'm.jsonl'} line 4:" \
        in output
    code, _ = _import("transcripts", CHATWOOT, "--mapping", CHATWOOT_MAPPING,
                      "--out", tmp_path / "b")
    assert code == 0
    assert _tables(tmp_path / "a") == _tables(tmp_path / "b")


@pytest.mark.parametrize("iso_from", [0, 3])
def test_a_chatwoot_export_with_iso_times_reads_as_the_epoch_one(tmp_path: Path,
                                                                  iso_from: int) -> None:
    """Chatwoot's webhooks give ``created_at`` as ISO text where its API gives seconds:
    every time ISO stopped the import ("Unimplemented type for cast (TIMESTAMP ->
    DOUBLE)", exit 2), and ISO times among numbers were left out with their messages.
    Both read as the same instants as the seconds."""
    from datetime import UTC, datetime

    lines = CHATWOOT.read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    for row in rows[iso_from:]:
        row["created_at"] = datetime.fromtimestamp(row["created_at"], UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.000Z")
    (tmp_path / "iso.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, output = _import("transcripts", tmp_path / "iso.jsonl", "--mapping",
                           CHATWOOT_MAPPING, "--out", tmp_path / "a")
    assert code == 0, output
    assert "could not be read" not in output
    code, _ = _import("transcripts", CHATWOOT, "--mapping", CHATWOOT_MAPPING,
                      "--out", tmp_path / "b")
    assert code == 0
    assert _tables(tmp_path / "a") == _tables(tmp_path / "b")
