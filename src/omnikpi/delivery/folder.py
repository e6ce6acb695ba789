"""Dropping a file into a folder (a share, a synced directory, an SFTP server's inbox).

The file appears whole or not at all: it is written under a hidden temporary name in the
same folder, then given its name. A name already taken gets ``-2``, ``-3`` … rather than
overwriting an earlier report, also when two schedules write the same name at once: the
name is taken with a hard link, which fails when it exists (a look, then a rename, let
the second overwrite the first). The file gets the modes of any file the user writes
(``0666`` less the umask): a private temporary file's ``0600`` kept the SFTP server and
the colleague reading the share out.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

from omnikpi.delivery import DeliveryError

NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK,
                 errno.ENOSYS}
"""A file system without hard links (some SMB and FAT mounts): names are then taken by a
look and a rename, as well as such a share allows."""


def drop(folder: Path, filename: str, content: bytes) -> Path:
    """Write ``content`` as ``folder/filename``; the path written. A missing folder is
    created, but not a missing parent: a path whose parent went away (an unmounted share)
    is an error, not a new tree on the local disk."""
    if "/" in filename or "\\" in filename or filename.startswith("."):
        raise DeliveryError(f"{filename!r} is not a plain file name")
    if folder.exists() and not folder.is_dir():  # said as `schedule add` says it
        raise DeliveryError(f"{folder} is a file, not a folder: the reports are written "
                            "into a folder of that name")
    try:
        folder.mkdir(exist_ok=True)
        temporary = _write_hidden(folder, content)
        try:
            return _take_name(folder, filename, temporary)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as exc:
        raise DeliveryError(f"cannot write into the folder {folder}: "
                            f"{exc.strerror or exc}") from None


def _write_hidden(folder: Path, content: bytes) -> Path:
    """The content under a hidden name no other writer uses, with the umask's modes."""
    while True:
        path = folder / f".omnikpi-{secrets.token_hex(8)}.part"
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        return path


def _candidates(filename: str) -> list[str]:
    stem, dot, suffix = filename.rpartition(".")
    if not dot:
        stem, suffix = filename, ""
    return [filename] + [f"{stem}-{n}.{suffix}" if suffix else f"{stem}-{n}"
                         for n in range(2, 10_000)]


def _take_name(folder: Path, filename: str, temporary: Path) -> Path:
    for name in _candidates(filename):
        path = folder / name
        try:
            os.link(temporary, path)
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in NO_HARD_LINKS:
                raise
            if path.exists():
                continue
            os.replace(temporary, path)
            return path
    raise DeliveryError(f"{folder} holds 10,000 files named like {filename}: clear it")
