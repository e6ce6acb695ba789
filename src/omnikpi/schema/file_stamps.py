"""A table file's identity as it was when the dataset was loaded.

The rollup of a folder (``DIR/_rollups``) is read for a report only when it was built from
the very files the report's dataset loaded. Compared with the files on disk at the time of
the report instead, a server that loaded yesterday's files read a rollup built since from
today's: in one answer, offered from the new files and FCR from the old. So the stamps are
taken when the files are found, before they are read.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from omnikpi.schema.files import TableFile

Stamps = dict[str, tuple[int, int]]
"""A file's path relative to the data folder → its size and :func:`file_stamp`."""


def file_stamp(stat: os.stat_result) -> int:
    """A file's modification and change times and inode as one number: a file rewritten
    with the same size and its modification time put back (``touch -r``, a copy keeping
    times) has a new change time, which no program can set."""
    text = f"{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}".encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=7).digest(), "big")


def stamps_of(folder: Path, files: list[TableFile]) -> Stamps | None:
    """The files' sizes and stamps now, None when one cannot be read."""
    out: Stamps = {}
    try:
        for file in files:
            stat = file.path.stat()
            out[str(file.path.relative_to(folder))] = (stat.st_size, file_stamp(stat))
    except (OSError, ValueError):
        return None
    return out
