"""Decoding a recording into one signal per side (customer, agent) with libsndfile.

libsndfile (through ``soundfile``) reads WAV, FLAC, Ogg Vorbis/Opus and MP3. A stereo file
carries both sides (which channel is the customer is configured); a two-leg recording is
two mono files, one per side; a mono file holds both voices mixed, so it gives no sides.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import soundfile

from omnikpi.errors import DataError
from omnikpi.recordings.paths import Recording

Signal = npt.NDArray[np.float32]
MAX_SECONDS = 4 * 3600
"""Longer files are refused (a multi-hour file is not one call)."""

NOT_DECODABLE = "not decodable audio"
TOO_LONG = f"longer than {MAX_SECONDS // 3600} hours"
LEG_RATES_DIFFER = "two legs with different sample rates"
NOT_LOCAL = "not a local file"
CUT_SHORT = "cut short or still being written"


class UnreadableRecording(DataError):
    """A recording file that cannot be turned into sides; ``reason`` is the short label
    ``omnikpi recordings analyze`` counts it under."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Sides:
    """A call's audio: ``customer``/``agent`` per side, or only ``mixed`` (mono file)."""

    sample_rate: int
    customer: Signal | None = None
    agent: Signal | None = None
    mixed: Signal | None = None
    channels: int = 0
    """Channels of the file (0: two mono legs); a file of more than two carries sides
    only in its first two (which the others are is unknown)."""

    @property
    def duration_seconds(self) -> float:
        signal = self.mixed if self.mixed is not None else self.customer
        assert signal is not None
        return len(signal) / self.sample_rate


OPEN_SIZES = (0, 0xFFFFFFFF)
"""Data sizes of a WAV header not filled in yet: Asterisk's MixMonitor writes 0 and puts
the size in when the call ends; others write 0xFFFFFFFF (and RF64 keeps it so)."""
WRITING_SECONDS = 60
"""A WAV file of an open size changed this recently is taken for a recording still being
written."""
SHORTFALL_BYTES = 4096
"""Missing audio below this is a header counted loosely (some writers put the RIFF size
as the data size, 36 bytes too many), not a cut file: such files were refused forever."""


def _wav_bytes_missing(path: object) -> int:
    """How many bytes of audio a WAV file's header promises that the file does not hold;
    -1 for a header of an open size (:data:`OPEN_SIZES`) in a file changed within
    :data:`WRITING_SECONDS`: a recording still being written.

    libsndfile reads such a file's first part without a word, so a copy interrupted, or a
    recording the PBX is still writing, was analysed as a call of a third of its length
    and never again. 0 when nothing is missing, or for an open size in a file left alone
    for a minute (a recorder that never fills it in; RF64).
    """
    with open(str(path), "rb") as handle:
        head = handle.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return 0
        while chunk := handle.read(8):
            if len(chunk) < 8:
                return 0
            size = int.from_bytes(chunk[4:8], "little")
            if chunk[:4] == b"data":
                stat = os.fstat(handle.fileno())
                held = stat.st_size - handle.tell()
                if size in OPEN_SIZES:  # audio after a header not filled in, lately
                    return -1 if held > 0 and time.time() - stat.st_mtime < WRITING_SECONDS \
                        else 0
                missing = size - held
                return missing if missing > SHORTFALL_BYTES else 0
            handle.seek(size + (size & 1), os.SEEK_CUR)
    return 0


def _read(path: object, whole: bool) -> tuple[npt.NDArray[np.float32], int]:
    try:
        info = soundfile.info(str(path))
        if info.frames > MAX_SECONDS * info.samplerate:
            raise UnreadableRecording(f"recording {path} is longer than "
                                      f"{MAX_SECONDS // 3600} hours", TOO_LONG)
        missing = _wav_bytes_missing(path) if whole and info.format in ("WAV", "WAVEX") \
            else 0
        if missing < 0:
            raise UnreadableRecording(
                f"recording {path} is still being written (its header has no length yet "
                f"and it changed in the last {WRITING_SECONDS} s); it is analysed once "
                "closed", CUT_SHORT)
        if missing:
            raise UnreadableRecording(
                f"recording {path} is cut short: its header promises {missing:,} more "
                "bytes of audio than the file holds (a copy interrupted, or a recording "
                "still being written); it is analysed again once whole", CUT_SHORT)
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as exc:
        raise UnreadableRecording(f"cannot decode the recording {path}: {exc}",
                                  NOT_DECODABLE) from None
    return data, int(rate)


SAME_MIX = 2 / 32768
"""Two channels no further apart than two steps of 16-bit audio carry one mix (a codec's
rounding of the same samples)."""


def _one_mix(data: npt.NDArray[np.float32], block: int = 1 << 20) -> bool:
    """Whether the two channels are one mix (:data:`SAME_MIX`), block by block: the first
    block that differs answers, and no copy of an hour's audio is made."""
    for start in range(0, len(data), block):
        part = data[start:start + block]
        if float(np.max(np.abs(part[:, 0] - part[:, 1]), initial=0.0)) > SAME_MIX:
            return False
    return True


def decode(recording: Recording, customer_channel: int = 0,
           customer_leg: str = "out", *, whole: bool = True) -> Sides:
    """The two sides of a local recording (a URL is not the server's to fetch).

    ``whole``: a WAV file cut short is refused (its measures would be a part's); the
    player asks without it, so an evaluator hears what the file holds."""
    if not recording.files:
        raise UnreadableRecording(f"recording {recording.uri} is not a local file",
                                  NOT_LOCAL)
    if recording.legs:
        (a, rate_a), (b, rate_b) = (_read(p, whole) for p in recording.files)  # (-in, -out)
        if rate_a != rate_b:
            raise UnreadableRecording(f"the legs of {recording.uri} differ in sample rate "
                                      f"({rate_a} and {rate_b} Hz)", LEG_RATES_DIFFER)
        length = max(len(a), len(b))
        legs = [np.pad(x.mean(axis=1), (0, length - len(x))).astype(np.float32)
                for x in (a, b)]
        customer, agent = (legs[1], legs[0]) if customer_leg == "out" else (legs[0], legs[1])
        return Sides(rate_a, customer=customer, agent=agent)
    data, rate = _read(recording.files[0], whole)
    if data.shape[1] == 1:
        return Sides(rate, mixed=data[:, 0], channels=1)
    if data.shape[1] == 2 and _one_mix(data):
        # one mix written on both channels (a PBX's "stereo" of the mono recording): each
        # side heard both speakers, and every word read as overtalk
        return Sides(rate, mixed=data[:, 0], channels=1)
    agent_channel = 1 - customer_channel
    return Sides(rate, customer=data[:, customer_channel], agent=data[:, agent_channel],
                 channels=data.shape[1])
