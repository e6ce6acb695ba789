"""The text encoding of a queue_log file, read line by line in the file's own bytes.

Asterisk writes its flat queue_log in UTF-8, but a realtime table exported from a database
client, or a log copied through a Windows tool, may be Windows-1251, latin-1 or UTF-16.
Read as UTF-8, a Windows-1251 export had every Cyrillic name read as ``�``: Олена and Ганна
became one agent, Продажі and Продажа one queue, and the import said only "held bytes that
are not UTF-8"; a UTF-16 export was rejected line by line ("NUL byte in the line") and
imported nothing, with exit code 0. So:

- a file starting with a UTF-16 or UTF-32 byte-order mark is read in that encoding, no
  option needed (as the csv and json imports do);
- ``--encoding`` names the encoding of the files (those with a mark excepted, which must
  agree with it); a byte it does not have stops the import with the file, line and byte;
- otherwise the file is UTF-8. A byte that is not, in a data field (a caller's name an
  older PBX wrote in latin-1), is read as ``�`` and the line counted; in a name — the call
  id, the queue, the agent — it stops the import before anything is written, naming the
  line and how to name the encoding: read as ``�``, every such name would be the same one
  and their calls and states merged. Nothing being written, the same import with
  ``--encoding`` then reads every line (a rejected line would have been passed for good:
  the next import starts after it);
- a file that looks like UTF-16 saved without a mark (one byte in two NUL, in lines of
  queue_log) stops the import with the ``--encoding`` to name.

Lines are split in the file's bytes (a UTF-16-LE line ends with ``0A 00`` at an even
offset from its start), so the offsets kept for re-imports and ``--follow`` are offsets
in the file as it is, whatever its encoding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from omnikpi.connectors.queue_log_lines import Event, realtime_dialect
from omnikpi.connectors.text_encoding import byte_order_mark, codec_name
from omnikpi.errors import DataError, UsageError
from omnikpi.schema.files import BOM

HEAD_BYTES = 4096
"""How much of a file's start tells its byte-order mark, or UTF-16 without one."""
CHUNK_BYTES = 1 << 20
ESCAPED = re.compile("[\udc80-\udcff]")
"""A byte that is not UTF-8, as ``surrogateescape`` keeps it in the text."""
SUGGESTION = ("e.g. --encoding cp1251 (Windows Cyrillic), cp1252 (Windows Western), "
              "latin-1, utf-16")


@dataclass(frozen=True)
class LineText:
    """How the lines of one file are split and decoded."""

    path: Path
    codec: str
    """The Python codec of a line (its byte-order mark left out)."""
    newline: bytes
    mark: bytes
    """What is left out at the start of a line: the file's byte-order mark (a UTF-8 one
    for the byte encodings: logs joined with ``cat`` carry it on a later line too)."""
    how: str | None = None
    """Why the file is not read as UTF-8 (for the summary); ``None``: it is."""

    @property
    def utf8(self) -> bool:
        return self.how is None

    def decode(self, raw: bytes, line: int) -> tuple[str, bool]:
        """The text of a line and whether it held bytes that are not UTF-8 (kept as
        surrogates: see :func:`readable`). A line the named or marked encoding cannot
        read stops the import."""
        if self.mixes_utf8(raw):
            return raw.decode("utf-8"), False
        try:
            return raw.decode(self.codec), False
        except UnicodeError as exc:
            if self.utf8:
                return raw.decode("utf-8", "surrogateescape"), True
            start = getattr(exc, "start", None)
            where = "" if start is None else f", byte 0x{raw[start]:02X}"
            raise DataError(f"cannot read {self.path} as {self.how}: line {line}{where} is "
                            f"not {self.codec}; is that its encoding? {SUGGESTION}"
                            ) from exc

    def mixes_utf8(self, raw: bytes) -> bool:
        """Whether ``raw``, in a file named to be in a one-byte encoding (cp1251), is a
        UTF-8 line: letters beyond ASCII that read as UTF-8. A log appended to by two
        systems (Asterisk's own UTF-8 lines after an import from a Windows tool) holds
        both; read as cp1251, the UTF-8 lines' "Підтримка" became "РџС–РґС‚СЂРёРјРєР°", one
        queue and one agent two. Text of a one-byte encoding with letters beyond ASCII
        is almost never valid UTF-8 (a Cyrillic letter of cp1251 is no UTF-8 lead byte
        followed by the right continuation bytes), so such a line is read as UTF-8."""
        if self.utf8 or self.newline != b"\n" or raw.isascii():
            return False
        try:
            raw.decode("utf-8")
        except UnicodeError:
            return False
        return True

    def loose(self, raw: bytes) -> str:
        """The text of a line, a byte its encoding does not have read as U+FFFD (where
        only its time or a header is looked for)."""
        try:
            return raw.decode(self.codec, "replace")
        except UnicodeError:  # a codec without that error handler
            return ""

    def check_names(self, event: Event) -> None:
        """Stop the import when a name of this event held bytes that are not UTF-8."""
        for what, value in (("call id", event.callid), ("queue", event.queue),
                            ("agent", event.agent)):
            if ESCAPED.search(value):
                shown = value.encode("utf-8", "surrogateescape").decode(
                    "ascii", "backslashreplace")
                raise DataError(
                    f"{self.path} line {event.line}: the {what} \"{shown}\" is not UTF-8 "
                    "text; read with � in place of its letters, every name saved in that "
                    "encoding would be the same one (their agents, queues and calls "
                    "merged). Name the file's encoding — a realtime export or a copy made "
                    f"by a Windows tool is often not UTF-8 — {SUGGESTION}. Nothing of "
                    "this import was written")


def readable(text: str) -> str:
    """Text with each byte that was not UTF-8 read as U+FFFD."""
    if not ESCAPED.search(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def readable_event(event: Event) -> Event:
    """The event with its data fields' bytes that were not UTF-8 read as U+FFFD."""
    return replace(event, data=tuple(readable(value) for value in event.data))


def named_codec(encoding: str | None) -> str | None:
    """The codec of the encoding named (``None``: none, or UTF-8), or a usage error when
    it is unknown or cannot hold queue_log lines."""
    named = codec_name(encoding)
    if named is None or named == "utf-8-sig":  # UTF-8 named: as if not named
        return None
    try:
        newline = "\n".encode(_without_mark(named))
    except (LookupError, UnicodeError) as exc:  # a codec of bytes: base64, uu …
        raise UsageError(f"--encoding {encoding}: not a text encoding; {SUGGESTION}"
                         ) from exc
    if newline != b"\n" and not _without_mark(named).startswith(("utf-16-", "utf-32-")):
        # EBCDIC, escapes, punycode: no queue_log lines
        raise UsageError(f"--encoding {encoding}: queue_log lines cannot be read in it "
                         f"(its end of line is not the byte 0x0A); {SUGGESTION}")
    return named


def _without_mark(codec: str) -> str:
    """The codec of a file in ``codec`` without its byte-order mark (Windows writes
    UTF-16 little-endian)."""
    return f"{codec}-le" if codec in ("utf-16", "utf-32") else codec


def line_text(path: Path, head: bytes, encoding: str | None) -> LineText:
    """How to read the file that starts with ``head``, the user having named
    ``encoding`` (or not)."""
    named = named_codec(encoding)
    marked = byte_order_mark(head)
    if marked is not None:
        mark, codec = marked
        if named is not None and not (named == codec or codec.startswith(f"{named}-")):
            raise UsageError(f"{path} starts with the byte-order mark of {codec}, not "
                             f"{named} as named: name {codec}, or no encoding")
        return LineText(path, codec, "\n".encode(codec), mark,
                        f"{codec} (its byte-order mark)")
    if named is None:
        unmarked = _unmarked_wide(head)
        if unmarked is not None:
            raise DataError(f"{path} is not UTF-8 text: one byte in two is NUL, as in "
                            f"{unmarked} saved without a byte-order mark; import it with "
                            f"--encoding {unmarked}")
        return LineText(path, "utf-8", b"\n", BOM)
    codec = _without_mark(named)
    newline = "\n".encode(codec)
    return LineText(path, codec, newline, BOM if newline == b"\n" else b"",
                    f"{codec} (the encoding named)")


def _unmarked_wide(head: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when ``head`` is queue_log lines in UTF-16 without
    a byte-order mark (a NUL beside every ASCII letter; NUL padding left by a crash is
    NUL on both sides and is not that), else ``None``."""
    sample = head[:HEAD_BYTES - HEAD_BYTES % 2]
    sample = sample[:len(sample) - len(sample) % 2]
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    for codec, zeros, letters in (("utf-16-le", sample[1::2], sample[0::2]),
                                  ("utf-16-be", sample[0::2], sample[1::2])):
        if zeros.count(0) * 2 >= pairs and letters.count(0) * 20 <= pairs:
            first = sample.decode(codec, "replace").split("\n", 1)[0]
            if first.count("|") >= 4 or realtime_dialect(first) is not None:
                return codec
    return None


def split_lines(handle: IO[bytes], newline: bytes) -> Iterator[bytes]:
    """The lines of ``handle`` from where it is, each with its ``newline`` (the last may
    have none). A newline of several bytes ends a line only at a whole number of code
    units from its start (``0A 00`` of UTF-16-LE, not the ``00`` of one letter and the
    ``0A`` of the next)."""
    if newline == b"\n":
        # not `yield from handle`: closing this generator would close the file
        yield from iter(handle.readline, b"")
        return
    unit = len(newline)
    buffer = b""
    while chunk := handle.read(CHUNK_BYTES):
        buffer += chunk
        start = search = 0
        while (at := buffer.find(newline, search)) >= 0:
            if (at - start) % unit:
                search = at + 1
                continue
            yield buffer[start:at + unit]
            start = search = at + unit
        buffer = buffer[start:]
    if buffer:
        yield buffer
