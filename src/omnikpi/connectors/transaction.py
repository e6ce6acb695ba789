"""One import, one commit: every output of an import becomes visible together, or none does.

An import writes data parts, its reject list and its resume state. Written one after the
other, a kill between two of them leaves a dataset that the next run reads twice (parts in
place, state not yet saved: the same lines imported again). So an import stages all of its
outputs in a folder ``.import-<run>/`` of the dataset and then writes a journal,
``COMMIT.json``, listing the moves that put them in place. Writing the journal (one atomic
rename) is the commit point:

- killed before it, the run never happened: the next import deletes the staging folder;
- killed after it, the run happened: the next import (or the same one) finishes the moves,
  which are idempotent (a move whose source is gone was done).

One import at a time writes a dataset folder: a lock file is held for the whole run, so
recovery never touches the staging of a live import.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from omnikpi.errors import UsageError

STAGING_PREFIX = ".import-"
JOURNAL = "COMMIT.json"
LOCK_FILE = ".omnikpi-import.lock"


FAILPOINT_VARIABLE = "OMNIKPI_IMPORT_KILL_AT"
_passed = 0


def checkpoint(step: str) -> None:
    """A point between two writes where a kill must leave a recoverable dataset.

    A fail point, as etcd's and TiKV's: with ``OMNIKPI_IMPORT_KILL_AT=N`` in the
    environment the process kills itself (SIGKILL, no clean-up) at the N-th checkpoint, so
    a test can stop an import between any two of its writes. Otherwise it does nothing.
    """
    global _passed
    wanted = os.environ.get(FAILPOINT_VARIABLE)
    if not wanted:
        return
    _passed += 1
    if _passed == int(wanted):
        os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def import_lock(out: Path) -> Iterator[None]:
    """Hold the dataset folder's import lock (an error at once if another import has it)."""
    out.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = (out / LOCK_FILE).open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UsageError(f"another import is writing to {out}: wait for it to finish"
                             ) from exc
        yield
    finally:
        handle.close()  # closing releases the lock, also when the process is killed


def recover(out: Path) -> list[str]:
    """Finish committed runs and delete uncommitted staging; call with the lock held.

    Returns what was done, one line per staging folder, for the import's summary.
    """
    done: list[str] = []
    for staging in sorted(out.glob(STAGING_PREFIX + "*")):
        if not staging.is_dir():
            continue
        journal = staging / JOURNAL
        if journal.exists():
            _apply(out, json.loads(journal.read_text(encoding="utf-8")))
            done.append(f"finished the interrupted commit of {staging.name}")
        else:
            done.append(f"removed {staging.name}, left by an import stopped before its commit")
        shutil.rmtree(staging)
    return done


def _apply(out: Path, moves: list[list[str]]) -> None:
    for source, target in moves:
        origin, destination = out / source, out / target
        if origin.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(origin, destination)


class ImportCommit:
    """Outputs of one import: staged files, then one journal, then moves into place."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.name = f"{STAGING_PREFIX}{time.time_ns():x}"
        self.staging = out / self.name
        self.moves: list[list[str]] = []
        self.recovered: list[str] = []

    def stage(self, filename: str) -> Path:
        """A path in the staging folder for an output that will be moved into place."""
        self.staging.mkdir(parents=True, exist_ok=True)
        return self.staging / filename

    def place(self, staged: Path, target: Path) -> None:
        """At commit, move ``staged`` (from :meth:`stage`) to ``target`` in the dataset."""
        self.moves.append([str(staged.relative_to(self.out)), str(target.relative_to(self.out))])

    def move_existing(self, source: Path, target: Path) -> None:
        """At commit, move a file already in the dataset (a layout change) if it is there."""
        move = [str(source.relative_to(self.out)), str(target.relative_to(self.out))]
        if source.exists() and move not in self.moves:
            self.moves.append(move)

    def commit(self) -> None:
        """Write the journal (the commit point), apply it, remove the staging folder."""
        journal = self.stage(JOURNAL)
        scratch = journal.with_suffix(".tmp")
        scratch.write_text(json.dumps(self.moves), encoding="utf-8")
        _fsync(scratch)
        checkpoint("journal written")
        os.replace(scratch, journal)
        checkpoint("committed")
        for move in self.moves:
            _apply(self.out, [move])
            checkpoint(f"moved {move[1]}")
        shutil.rmtree(self.staging)


@contextmanager
def committed_import(out: Path) -> Iterator[ImportCommit]:
    """Lock the dataset folder, recover what a killed run left, and commit at the end.

    An error inside the block leaves nothing of this run: its staging is removed at once
    (a kill, or Ctrl-C, leaves it for the next run's recovery, which removes it too).
    """
    with import_lock(out):
        recovered = recover(out)
        run = ImportCommit(out)
        run.recovered = recovered
        try:
            yield run
        except Exception:
            shutil.rmtree(run.staging, ignore_errors=True)
            raise
        run.commit()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
