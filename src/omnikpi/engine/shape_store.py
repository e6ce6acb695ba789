"""Compiled SQL shapes kept on disk, so that a new process need not compile them again.

Every ``omnikpi report`` from a script and the web app's first dashboard after a restart
start with nothing compiled: planning and compiling a report through Ibis costs up to a
second of Python before DuckDB runs for milliseconds. The in-process cache of
:mod:`omnikpi.engine.shaped_sql` forgets everything when the process ends; this store
keeps what it learned, under the process-independent key of
:mod:`omnikpi.engine.stable_key`.

What an entry says is what the in-process cache says of a shape: *seen* once (by some
process), *exact* with its SQL template (a process compiled an expression of this shape
both as it was and with placeholders, and writing the values into the placeholders' SQL
gave the compiler's own SQL character for character), or *inexact* (that check failed:
always compiled). A template is therefore never trusted before a real compilation proved
it, and a process reading it writes in its own values exactly as the one that proved it.

The file is SQLite (``$OMNIKPI_CACHE_DIR/sql/``, see ``schema/validation_cache.py``), one
file per *namespace*: the versions of Ibis and sqlglot and the source of the modules that
turn an expression into SQL. Another version of either, or an edit of the compiler's
modules, opens a new file, so a template is read only by the compiler that proved it
(making one removes the files of other namespaces unwritten for :data:`STALE_DAYS` days).
The SQL read from the file runs as it is, so the folder and the file must be this user's
and writable by nobody else (the folder is made ``0700`` and the file ``0600``; a shared
folder turns the store off). The file is a cache: at most :data:`MAX_ENTRIES` entries
(the oldest go first); a file that cannot be opened, read or written (read-only folder, a
damaged file, another process holding it too long) turns the store off for this process
(logged), and every query is compiled as before. ``OMNIKPI_CACHE=off`` turns it
off with the validation cache, ``OMNIKPI_SQL_CACHE=off`` alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

MAX_ENTRIES = 4096
STALE_DAYS = 30
"""Another namespace's file unwritten this long is removed when a new file is made."""
BUSY_TIMEOUT_MS = 2000
"""How long a process waits for another one's write before giving up the store."""
_LOG = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS shapes (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('seen', 'exact', 'inexact')),
    sql TEXT,
    written_ns INTEGER NOT NULL
)"""


class NotPrivate(OSError):
    """The store's folder or file can be written by another user."""


def _check_private(path: Path) -> None:
    """The SQL read from the store runs as it is: a folder or file that another user can
    write (a shared ``OMNIKPI_CACHE_DIR``) could hand this process any SQL, so it is
    refused."""
    status = path.stat()
    if status.st_mode & 0o022 or (hasattr(os, "getuid") and status.st_uid != os.getuid()):
        raise NotPrivate(f"{path} can be written by another user "
                         f"(mode {stat.filemode(status.st_mode)})")


def _forget_other_compilers(path: Path) -> None:
    """Remove the files of other namespaces (earlier versions of OmniKPI or Ibis) that no
    process has written for :data:`STALE_DAYS` days: each upgrade starts a new file, and
    nothing reads the old ones again. Done when a new file is made, so once per upgrade."""
    stale_before = time.time() - STALE_DAYS * 86_400
    for other in path.parent.glob("shapes-*.sqlite3"):
        with contextlib.suppress(OSError):
            if other != path and other.stat().st_mtime < stale_before:
                other.unlink()


class _NoStore(Exception):
    """No file to keep shapes in (the cache is off)."""


def namespace(*modules: ModuleType, versions: tuple[str, ...] = ()) -> str:
    """A digest of ``versions`` and the source files of ``modules``: what makes one
    compiler's SQL differ from another's."""
    digest = hashlib.sha256(repr(versions).encode())
    for module in modules:
        source = Path(module.__file__ or "")
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class Entry:
    state: str
    """``seen``, ``exact`` or ``inexact``."""
    sql: str | None
    """The template of an exact shape."""


class ShapeStore:
    """One namespace's shapes in one SQLite file, shared by every process (thread-safe).

    ``locate`` gives the file's path, or ``None`` for no store; it is asked once, when
    the store is first used (so that the environment a program sets up after importing
    OmniKPI is the one that counts)."""

    def __init__(self, locate: Callable[[], Path | None]) -> None:
        self._locate = locate
        self.path: Path | None = None
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._off = False
        self._located = False
        self._pid = 0

    def get(self, key: str) -> Entry | None:
        row = self._run("SELECT state, sql FROM shapes WHERE key = ?", (key,), fetch=True)
        return Entry(str(row[0]), row[1]) if row else None

    def seen(self, key: str) -> None:
        """Note a shape's first coming (an entry already there stays as it is)."""
        self._write("INSERT OR IGNORE INTO shapes VALUES (?, 'seen', NULL, ?)", key)

    def settle(self, key: str, template: str | None) -> None:
        """Keep the verdict on a shape: its proven template, or ``None`` if inexact."""
        self._write("INSERT OR REPLACE INTO shapes VALUES (?, ?, ?, ?)", key,
                    "exact" if template is not None else "inexact", template)

    def clear(self) -> None:
        self._run("DELETE FROM shapes", ())

    @property
    def working(self) -> bool:
        """False once the store is off (none located, or a failure); unknown before its
        first use counts as working."""
        return not self._off

    def _write(self, sql: str, key: str, *values: str | None) -> None:
        if self._run(sql, (key, *values, time.time_ns())) is not None:
            self._prune()

    def _prune(self) -> None:
        self._run("DELETE FROM shapes WHERE key IN (SELECT key FROM shapes "
                  "ORDER BY written_ns DESC LIMIT -1 OFFSET ?)", (MAX_ENTRIES,))

    def _run(self, sql: str, values: tuple[object, ...],
             fetch: bool = False) -> tuple[Any, ...] | None:
        """Run one statement; ``None`` (and the store off) on any failure."""
        with self._lock:
            if self._off:
                return None
            try:
                if self._connection is not None and self._pid != os.getpid():
                    self._connection = None  # a forked child: SQLite's handle is the parent's
                connection = self._connection or self._open()
                with connection:
                    cursor = connection.execute(sql, values)
                    return cursor.fetchone() if fetch else ()
            except _NoStore:
                self._off = True
                return None
            except (sqlite3.Error, OSError) as error:
                self._turn_off(error)
                return None

    def _open(self) -> sqlite3.Connection:
        if not self._located:
            self._located = True
            self.path = self._locate()
        if self.path is None:
            raise _NoStore
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _check_private(self.path.parent)
        if self.path.exists():
            _check_private(self.path)
        else:
            _forget_other_compilers(self.path)
        try:
            connection = self._connect()
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError:  # not a database (damaged): a cache starts afresh
            self.path.unlink(missing_ok=True)
            connection = self._connect()
        self.path.chmod(0o600)
        self._connection = connection
        self._pid = os.getpid()
        return connection

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                     isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA synchronous = OFF")  # a cache: lost is harmless
            connection.execute(_SCHEMA)
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def _turn_off(self, error: Exception) -> None:
        """Stop using the store. A folder others can write is a warning (someone set up
        a shared cache folder and should know); a place that cannot be written (a
        read-only home in a container) is logged at INFO only, as the validation cache
        is silent there: every command would print it."""
        self._off = True
        _LOG.log(logging.WARNING if isinstance(error, NotPrivate) else logging.INFO,
                 "the compiled-SQL cache %s is not used (%s); queries are compiled "
                 "as usual", self.path, error)
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None
