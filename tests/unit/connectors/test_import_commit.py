"""An import killed at any instant: the next run gives the files of a clean import.

Reproduces issue 20, item 2: a second import into a folder, killed after its data files were
moved into place but before its state was written, made the rerun import the same lines
again (twice the contacts, half of them quarantined as duplicates).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from omnikpi.connectors import transaction
from omnikpi.connectors.queue_log_import import OPEN_FILE, STATE_FILE, import_queue_log
from omnikpi.connectors.transcripts import import_transcripts
from omnikpi.errors import UsageError

FIXTURES = Path(__file__).parent / "fixtures"
LINES = (FIXTURES / "queue_log").read_text().splitlines(keepends=True)


class Killed(BaseException):
    """Stops an import at a checkpoint without any clean-up, as SIGKILL would."""


def table_rows(out: Path, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table (duplicates kept), in a stable order."""
    folder = out / table
    if not folder.exists():
        return []
    rows = pq.read_table(folder).to_pylist()
    return sorted(tuple(str(v) for v in row.values()) for row in rows)


def snapshot(out: Path) -> dict[str, Any]:
    """What a user's reports read from a queue_log dataset folder (``out/../queue_log``),
    with the run's own folder name taken out."""
    state = json.loads((out / STATE_FILE).read_text().replace(str(out.parent), "RUN"))
    return {
        "contacts": table_rows(out, "contacts"),
        "agent_states": table_rows(out, "agent_states"),
        "rejects": list(csv.reader((out / "rejects.csv").open())),
        "state": state,
        "open": (out / OPEN_FILE).read_text(),
        "staging": sorted(p.name for p in out.glob(".import-*")),
    }


def two_imports(run: Path) -> tuple[Path, Path]:
    """The issue's sequence: a first import, then the log grows; returns (log, out)."""
    run.mkdir()
    log, out = run / "queue_log", run / "out"
    log.write_text("".join(LINES[:9]))
    import_queue_log([log], out)
    log.write_text("".join(LINES))
    return log, out


def kill_at(monkeypatch: pytest.MonkeyPatch, number: int) -> list[str]:
    passed: list[str] = []

    def stop(step: str) -> None:
        passed.append(step)
        if len(passed) == number:
            raise Killed(step)

    monkeypatch.setattr(transaction, "checkpoint", stop)
    return passed


def test_killed_at_every_checkpoint_the_rerun_equals_a_clean_import(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log, clean = two_imports(tmp_path / "clean")
    import_queue_log([log], clean)
    expected = snapshot(clean)
    assert len(expected["contacts"]) == 6 and expected["staging"] == []

    number = 0
    while True:
        number += 1
        log, out = two_imports(tmp_path / f"killed-{number}")
        passed = kill_at(monkeypatch, number)
        try:
            import_queue_log([log], out)
        except Killed:
            killed = True
        else:
            killed = False
        monkeypatch.undo()
        if not killed:
            break  # the import ran to its end: every checkpoint was tried
        rerun = import_queue_log([log], out)
        assert snapshot(out) == expected, f"killed after: {passed[-1]}"
        assert rerun.recovered, passed[-1]
    # parts, rejects, state and open calls staged; the journal; the commit; five moves
    assert number - 1 == len(passed) >= 10, passed


def test_a_real_kill_after_the_commit_point(tmp_path: Path) -> None:
    """SIGKILL, not an exception: the fail point kills the process once the journal is
    written and two files are moved (the in-process loop above covers every other point)."""
    log, clean = two_imports(tmp_path / "clean")
    import_queue_log([log], clean)
    log, out = two_imports(tmp_path / "killed")
    environment = {**os.environ, transaction.FAILPOINT_VARIABLE: "9"}
    script = ("import sys; from pathlib import Path; "
              "from omnikpi.connectors.queue_log_import import import_queue_log; "
              "import_queue_log([Path(sys.argv[1])], Path(sys.argv[2]))")
    killed = subprocess.run([sys.executable, "-c", script, str(log), str(out)],
                            env=environment, capture_output=True, timeout=120)
    assert killed.returncode == -9, killed.stderr.decode()
    assert (next(out.glob(".import-*")) / transaction.JOURNAL).exists()
    import_queue_log([log], out)
    assert snapshot(out) == snapshot(clean)


def test_a_second_import_at_the_same_time_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("".join(LINES))
    with transaction.import_lock(tmp_path / "out"), pytest.raises(
            UsageError, match="another import is writing"):
        import_queue_log([log], tmp_path / "out")
    assert len(import_queue_log([log], tmp_path / "out").files) == 1


def test_stale_staging_of_an_old_killed_run_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = out / ".import-17a2b3c4"
    stale.mkdir(parents=True)
    (stale / "contacts-00000.parquet").write_bytes(b"x" * 1000)
    log = tmp_path / "queue_log"
    log.write_text("".join(LINES))
    summary = import_queue_log([log], out)
    assert not stale.exists()
    assert summary.recovered == [
        "removed .import-17a2b3c4, left by an import stopped before its commit"]


def test_a_killed_transcript_import_writes_both_tables_or_neither(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = FIXTURES / "chatwoot.jsonl"
    mapping = Path(__file__).resolve().parents[3] / "mappings" / "chatwoot_messages.toml"
    clean = [s.written for s in import_transcripts([source], mapping, tmp_path / "clean")]
    out = tmp_path / "out"
    kill_at(monkeypatch, 2)  # contacts and messages staged, no journal yet
    with pytest.raises(Killed):
        import_transcripts([source], mapping, out)
    monkeypatch.undo()
    assert not (out / "contacts.parquet").exists() and not (out / "messages.parquet").exists()
    assert [s.written for s in import_transcripts([source], mapping, out)] == clean
    assert clean[0] == 2 and not list(out.glob(".import-*"))
