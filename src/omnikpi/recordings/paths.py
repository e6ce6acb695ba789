"""Where a contact's recording is: a file under the configured recordings folder, or a URL.

``contacts.recording_uri`` comes from imported data, so it is untrusted: the server reads
a file only when the name, once decoded and resolved (symbolic links followed), is still
inside the recordings folder. Names that climb out (``../``, ``%2e%2e%2f``), absolute
paths, NUL bytes, backslashes and links pointing elsewhere are refused with a
:class:`~omnikpi.errors.UsageError`. An ``http(s)://`` address is only ever linked for the
browser to fetch; the server never fetches it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from omnikpi.errors import UsageError

AUDIO_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
               ".oga": "audio/ogg", ".opus": "audio/ogg", ".flac": "audio/flac"}
"""Extensions a recording may have, with the type the browser is told."""
LEGS = ("-in", "-out")
"""Suffixes of two-leg recordings (Asterisk MixMonitor's r() and t() files)."""
MAX_URI_CHARS = 2048


@dataclass(frozen=True)
class Recording:
    """A resolved recording: local files (one stereo or mono file, or the two legs of a
    call) or an address the browser fetches itself."""

    uri: str
    files: tuple[Path, ...] = ()
    url: str | None = None

    @property
    def media_type(self) -> str:
        return AUDIO_TYPES.get(self.files[0].suffix.lower(), "application/octet-stream") \
            if self.files else "application/octet-stream"

    @property
    def legs(self) -> bool:
        return len(self.files) == 2


def recordings_folder(configured: str | Path | None, data: Path) -> Path:
    """The configured folder (relative to the dataset folder when relative), else the
    dataset's ``recordings/`` folder."""
    folder = Path(configured) if configured else Path("recordings")
    return folder if folder.is_absolute() else data / folder


def is_url(uri: str) -> bool:
    return urlsplit(uri.strip()).scheme.lower() in ("http", "https")


REFUSED_NAME = "refused name (outside the recordings folder or not a file)"
NOT_FOUND = "file not found"
NOT_AUDIO = "not an audio file"
NOT_READABLE = "file not readable"


class RefusedRecording(UsageError):
    """A recording_uri that names no readable audio file in the recordings folder;
    ``reason`` is the short label ``omnikpi recordings analyze`` counts it under."""

    def __init__(self, message: str, reason: str = REFUSED_NAME) -> None:
        super().__init__(message)
        self.reason = reason


def _refuse(uri: str, why: str, reason: str = REFUSED_NAME) -> RefusedRecording:
    shown = uri.replace("\x00", "\\0")[:200]
    return RefusedRecording(f"recording {shown!r} cannot be read: {why}", reason)


def decoded_name(uri: str) -> str:
    """A relative name percent-decoded until it no longer changes (``%252e`` is ``%2e``
    is ``.``), at most four times: the text :func:`safe_path` resolves."""
    text = uri
    for _ in range(4):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


def safe_path(uri: str, folder: Path) -> Path:
    """The file a relative name points at inside ``folder``, or a usage error.

    The name is percent-decoded until it no longer changes (``%252e`` is ``%2e`` is
    ``.``), then checked before and after resolving links, so neither the text nor a link
    can lead outside the folder.
    """
    text = decoded_name(uri)
    if "\x00" in text:
        raise _refuse(uri, "the name holds a NUL byte")
    if "\\" in text:
        raise _refuse(uri, "backslashes are not path separators here")
    if not text.strip():
        raise _refuse(uri, "the name is empty")
    relative = Path(text)
    if relative.is_absolute() or text.startswith("/"):
        raise _refuse(uri, "absolute paths are not allowed: name a file inside the "
                           "recordings folder")
    if any(part == ".." for part in relative.parts):
        raise _refuse(uri, "the name climbs out of the recordings folder (..)")
    root = folder.resolve()
    try:
        target = (root / relative).resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise _refuse(uri, f"no such file in the recordings folder {folder}",
                      NOT_FOUND) from None
    except (OSError, RuntimeError) as exc:  # a link loop, a name too long
        raise _refuse(uri, str(exc)) from None
    if not target.is_relative_to(root):
        raise _refuse(uri, "it links outside the recordings folder")
    if not target.is_file():
        raise _refuse(uri, "it is not a file")
    if target.suffix.lower() not in AUDIO_TYPES:
        raise _refuse(uri, f"not an audio file ({', '.join(sorted(AUDIO_TYPES))})",
                      NOT_AUDIO)
    if not os.access(target, os.R_OK):
        raise _refuse(uri, "the file is not readable", NOT_READABLE)
    return target


def _other_leg(path: Path, folder: Path) -> Path | None:
    stem = path.stem
    for mine, other in zip(LEGS, reversed(LEGS), strict=True):
        if stem.endswith(mine):
            sibling = path.with_name(stem[: -len(mine)] + other + path.suffix)
            if sibling.exists():
                relative = sibling.relative_to(folder.resolve())
                return safe_path(str(relative), folder)
    return None


def resolve(uri: str, folder: Path) -> Recording:
    """A recording_uri → local files (both legs when the name is one of a pair) or a URL."""
    uri = uri.strip()
    if len(uri) > MAX_URI_CHARS:
        raise _refuse(uri, f"longer than {MAX_URI_CHARS} characters")
    if is_url(uri):
        return Recording(uri, url=uri)
    if urlsplit(uri).scheme:  # file:, ftp:, data:, a drive letter
        raise _refuse(uri, "only http(s) addresses and names of files in the recordings "
                           "folder")
    path = safe_path(uri, folder)
    other = _other_leg(path, folder)
    if other is None:
        return Recording(uri, (path,))
    first, second = sorted((path, other), key=lambda p: p.stem.endswith(LEGS[1]))
    return Recording(uri, (first, second))  # (-in, -out)


def name_key(uri: str) -> str:
    """The file name a local recording_uri reaches before links are followed, reduced to
    what every name of that call shares: percent-decoded as :func:`safe_path` decodes it,
    the last path part's stem without its leg suffix, in lower case (``sub%20dir/A-in.wav``
    and ``./sub dir/a-out.wav`` are ``a``). Two names whose files are one have one key,
    unless the name's last part is a link (:func:`name_keys` adds those)."""
    stem = Path(Path(decoded_name(uri.strip())).name).stem
    for leg in LEGS:
        if stem.endswith(leg):
            stem = stem[: -len(leg)]
            break
    return stem.lower()


_SCANNED: dict[Path, tuple[tuple[int, int], list[Path], list[Path]]] = {}
"""Per folder scanned for links: (inode, modification time), its links, its sub-folders."""
_RACY_NS = 2_000_000_000
"""A folder changed this recently is read again (a file system's clock may be coarse)."""


def links_in(root: Path) -> list[Path]:
    """Every symbolic link under ``root`` (links to folders are listed, not entered). A
    folder whose modification time has not changed since it was last read is not read
    again, so a large recordings folder costs one ``stat`` per sub-folder."""
    found: list[Path] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            status = os.lstat(folder)
        except OSError:
            continue
        stamp = (status.st_ino, status.st_mtime_ns)
        cached = _SCANNED.get(folder)
        if cached is not None and cached[0] == stamp and \
                time.time_ns() - status.st_mtime_ns > _RACY_NS:
            links, folders = cached[1], cached[2]
        else:
            links, folders = [], []
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if entry.is_symlink():
                            links.append(Path(entry.path))
                        elif entry.is_dir(follow_symlinks=False):
                            folders.append(Path(entry.path))
            except OSError:
                continue
            _SCANNED[folder] = (stamp, links, folders)
        found += links
        stack += folders
    return found


def name_keys(files: set[Path], folder: Path) -> set[str]:
    """The :func:`name_key` of every name that may resolve to one of ``files`` (resolved
    files in ``folder``): theirs, and those of the links in the folder that lead to them
    or to their other leg."""
    keys = {name_key(f.name) for f in files}
    parents = {f.parent for f in files}
    for link in links_in(folder.resolve()):
        target = Path(os.path.realpath(link))
        if target.parent in parents and name_key(target.name) in keys:
            keys.add(name_key(link.name))
    return keys
