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


def _refuse(uri: str, why: str) -> UsageError:
    shown = uri.replace("\x00", "\\0")[:200]
    return UsageError(f"recording {shown!r} cannot be read: {why}")


def safe_path(uri: str, folder: Path) -> Path:
    """The file a relative name points at inside ``folder``, or a usage error.

    The name is percent-decoded until it no longer changes (``%252e`` is ``%2e`` is
    ``.``), then checked before and after resolving links, so neither the text nor a link
    can lead outside the folder.
    """
    text = uri
    for _ in range(4):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
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
        raise _refuse(uri, f"no such file in the recordings folder {folder}") from None
    except (OSError, RuntimeError) as exc:  # a link loop, a name too long
        raise _refuse(uri, str(exc)) from None
    if not target.is_relative_to(root):
        raise _refuse(uri, "it links outside the recordings folder")
    if not target.is_file():
        raise _refuse(uri, "it is not a file")
    if target.suffix.lower() not in AUDIO_TYPES:
        raise _refuse(uri, f"not an audio file ({', '.join(sorted(AUDIO_TYPES))})")
    if not os.access(target, os.R_OK):
        raise _refuse(uri, "the file is not readable")
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
