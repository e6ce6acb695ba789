"""Dropping a file into a folder (a share, a synced directory, an SFTP server's inbox).

The file appears whole or not at all: it is written under a hidden temporary name in the
same folder and renamed, so a program watching the folder never reads half a report. A
name already taken gets ``-2``, ``-3`` … rather than overwriting an earlier report.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from omnikpi.delivery import DeliveryError


def drop(folder: Path, filename: str, content: bytes) -> Path:
    """Write ``content`` as ``folder/filename`` (created if missing); the path written."""
    if "/" in filename or "\\" in filename or filename.startswith("."):
        raise DeliveryError(f"{filename!r} is not a plain file name")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stem, dot, suffix = filename.rpartition(".")
        if not dot:
            stem, suffix = filename, ""
        path = folder / filename
        number = 1
        while path.exists():
            number += 1
            path = folder / (f"{stem}-{number}.{suffix}" if suffix else f"{stem}-{number}")
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".omnikpi-", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise DeliveryError(f"cannot write into the folder {folder}: "
                            f"{exc.strerror or exc}") from None
    return path
