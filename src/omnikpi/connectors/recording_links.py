"""Linking Asterisk MixMonitor recordings to the calls of a queue_log import.

MixMonitor names a call's file after the call's ``uniqueid`` (the queue_log's callid), in
a pattern the dial plan chooses: ``{uniqueid}`` (``1715000000.123.wav``), FreePBX's
``*-{uniqueid}`` (``in-101-200-20240506-101010-1715000000.123.wav``), a dated folder
``*/*/*/*-{uniqueid}``. The pattern is matched against the file's path inside the
recordings folder without its extension; ``*`` stands for any text. Files of every type
the player and the analysis read (:data:`~omnikpi.recordings.paths.AUDIO_TYPES`) are
linked, stereo files or two legs (``name-in.wav`` / ``name-out.wav``: one name is linked,
its other leg is found beside it), to the call's first answered visit. Files that match no
answered call of the import, and files the pattern does not fit, are counted and named in
the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omnikpi.errors import UsageError
from omnikpi.recordings.paths import AUDIO_TYPES

LINKED_EXTENSIONS = tuple(AUDIO_TYPES)
"""Every type the player and ``recordings analyze`` read: a ``.flac`` file was passed
over without a word."""
PLACEHOLDER = "{uniqueid}"
MAX_SHOWN = 5


def pattern_regex(pattern: str) -> re.Pattern[str]:
    if pattern.count(PLACEHOLDER) != 1:
        raise UsageError(f"recording pattern {pattern!r} must hold {PLACEHOLDER} once "
                         "(e.g. {uniqueid} or *-{uniqueid})")
    before, after = pattern.split(PLACEHOLDER)

    def glob(text: str) -> str:
        return ".*".join(re.escape(part) for part in text.split("*"))

    return re.compile(f"^{glob(before)}(?P<uniqueid>[0-9A-Za-z_.:-]+?){glob(after)}$")


@dataclass
class RecordingIndex:
    """The recordings folder's files by the uniqueid their name carries."""

    folder: Path
    by_uniqueid: dict[str, str] = field(default_factory=dict)
    """uniqueid → path inside the folder (the ``recording_uri``)."""
    not_matching: list[str] = field(default_factory=list)
    linked: set[str] = field(default_factory=set)

    before: set[str] = field(default_factory=set)
    """uniqueids an earlier import linked (its visits already carry the recording)."""

    def link(self, rows: list[dict[str, Any]]) -> None:
        """Set ``recording_uri`` of the call's first answered visit. A call that overflowed
        from one queue to another is one conversation in one file: linked to every visit,
        the talk analytics booked it to the queue that never answered it too, and the
        center's totals counted it twice. A call nobody answered holds no conversation."""
        answered = sorted((r for r in rows if r.get("accepted_at") is not None),
                          key=lambda r: r["accepted_at"])
        for row in answered:
            uniqueid = str(row["contact_id"]).split("@", 1)[0]
            uri = self.by_uniqueid.get(uniqueid)
            if uri is not None and uniqueid not in self.linked \
                    and uniqueid not in self.before:
                row["recording_uri"] = uri
                self.linked.add(uniqueid)

    def unmatched(self) -> list[str]:
        """Recordings whose call is neither answered in this import nor linked by an
        earlier one."""
        return sorted(uri for uid, uri in self.by_uniqueid.items()
                      if uid not in self.linked and uid not in self.before)


def index_recordings(folder: Path, pattern: str = PLACEHOLDER) -> RecordingIndex:
    if not folder.is_dir():
        raise UsageError(f"recordings folder not found: {folder}")
    regex = pattern_regex(pattern)
    index = RecordingIndex(folder)
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in LINKED_EXTENSIONS or not path.is_file():
            continue
        relative = path.relative_to(folder).as_posix()
        stem = relative[: -len(path.suffix)]
        leg = next((s for s in ("-in", "-out") if stem.endswith(s)), "")
        match = regex.match(stem[: len(stem) - len(leg)] if leg else stem)
        if match is None:
            index.not_matching.append(relative)
            continue
        uniqueid = match.group("uniqueid")
        known = index.by_uniqueid.get(uniqueid)
        if known is None or (not leg and known.rsplit(".", 1)[0].endswith(("-in", "-out"))):
            index.by_uniqueid[uniqueid] = relative  # a stereo file wins over its legs
    return index
