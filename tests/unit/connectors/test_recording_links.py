"""MixMonitor recordings linked to queue_log calls by uniqueid: patterns, legs, formats,
unmatched files reported, increments that do not report a linked file again."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.connectors.queue_log_import import import_queue_log
from omnikpi.connectors.recording_links import index_recordings, pattern_regex
from omnikpi.errors import UsageError

FIXTURES = Path(__file__).parent / "fixtures"


def _uris(out: Path) -> dict[str, str | None]:
    return {str(r["contact_id"]): r["recording_uri"]
            for r in pq.read_table(out / "contacts").to_pylist()}


def test_plain_uniqueid_names_are_linked(tmp_path: Path) -> None:
    folder = tmp_path / "monitor"
    folder.mkdir()
    for name in ("1709632855.1.wav", "1709633190.4-in.ogg", "1709633190.4-out.ogg",
                 "1709633890.7.FLAC", "9999999999.9.mp3", "notes.txt", "weird name.wav"):
        (folder / name).write_bytes(b"x")
    summary = import_queue_log([FIXTURES / "queue_log"], tmp_path / "out",
                               recordings=folder)
    uris = _uris(tmp_path / "out")
    assert uris["1709632855.1@sales"] == "1709632855.1.wav"
    # the call that timed out of sales and was answered in support: one conversation,
    # on the visit that was answered (on both, sales's talk analytics counted it too)
    assert uris["1709633190.4@support"] == "1709633190.4-in.ogg"
    assert uris["1709633190.4@sales"] is None
    assert uris["1709633099.3@sales"] is None
    # a FLAC file plays and is analysed: it is linked too (it was passed over silently)
    assert uris["1709633890.7@support"] == "1709633890.7.FLAC"
    assert summary.recordings_linked == 3
    assert summary.recordings_unmatched == ["9999999999.9.mp3"]
    assert summary.recordings_not_matching == ["weird name.wav"]
    # the next import of the same log links nothing new and reports no linked file again
    again = import_queue_log([FIXTURES / "queue_log"], tmp_path / "out", recordings=folder)
    assert again.recordings_unmatched == ["9999999999.9.mp3"]


def test_a_call_answered_nowhere_links_no_visit(tmp_path: Path) -> None:
    """A recording of a call nobody answered holds no conversation: no visit carries it,
    and the summary names it among the files matching no answered call."""
    (tmp_path / "rec").mkdir()
    (tmp_path / "rec" / "1709633099.3.wav").write_bytes(b"x")
    summary = import_queue_log([FIXTURES / "queue_log"], tmp_path / "out",
                               recordings=tmp_path / "rec")
    assert not any(_uris(tmp_path / "out").values())
    assert summary.recordings_unmatched == ["1709633099.3.wav"]


def test_freepbx_pattern_in_dated_folders(tmp_path: Path) -> None:
    folder = tmp_path / "monitor" / "2024" / "03" / "05"
    folder.mkdir(parents=True)
    (folder / "in-380501112233-200-20240305-100101-1709632855.1.wav").write_bytes(b"x")
    index = index_recordings(tmp_path / "monitor", "*/*/*/*-{uniqueid}")
    assert index.by_uniqueid == {
        "1709632855.1": "2024/03/05/in-380501112233-200-20240305-100101-1709632855.1.wav"}
    assert pattern_regex("*-{uniqueid}").match("out-1-2-1709632855.1")


def test_a_stereo_file_wins_over_its_legs(tmp_path: Path) -> None:
    for name in ("5.1-in.wav", "5.1-out.wav", "5.1.wav"):
        (tmp_path / name).write_bytes(b"x")
    assert index_recordings(tmp_path).by_uniqueid == {"5.1": "5.1.wav"}


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="must hold"):
        pattern_regex("call-*")
    with pytest.raises(UsageError, match="not found"):
        index_recordings(tmp_path / "missing")
    result = CliRunner().invoke(app, [
        "import", "asterisk-queue-log", str(FIXTURES / "queue_log"), "--out",
        str(tmp_path / "out"), "--recordings", str(tmp_path), "--recording-pattern", "x"])
    assert result.exit_code == 2 and "must hold {uniqueid}" in result.output


def test_the_command_reports_links(tmp_path: Path) -> None:
    (tmp_path / "rec").mkdir()
    (tmp_path / "rec" / "1709632855.1.wav").write_bytes(b"x")
    result = CliRunner().invoke(app, [
        "import", "asterisk-queue-log", str(FIXTURES / "queue_log"), "--out",
        str(tmp_path / "out"), "--recordings", str(tmp_path / "rec")])
    assert result.exit_code == 0, result.output
    assert "Recordings: 1 call(s) linked; 0 recording(s) match no answered call; 0 " \
        "audio file(s) do not fit the pattern '{uniqueid}'" in result.output
