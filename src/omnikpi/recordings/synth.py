"""Calls with known truth, for testing talk analytics and for the demo's recordings.

Each turn is rendered by Debian's ``espeak-ng`` (a formant synthesiser: no model files),
trimmed of its leading and trailing silence, and placed at its start time on its side by
``sox`` (resampled to the call's rate, padded, the side's turns mixed), and the two sides
become one stereo file (channel 0 customer, channel 1 agent) or two legs. The truth is
where each trimmed turn lies: the test compares the analysis with it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import soundfile

from omnikpi.errors import UsageError

Side = Literal["customer", "agent"]
TRIM_LEVEL = 0.01
"""A sample louder than this (-40 dBFS) is sound; the truth of a turn starts at the
first and ends at the last such sample."""


@dataclass(frozen=True)
class Turn:
    side: Side
    start_s: float
    text: str
    voice: str = "en"


@dataclass(frozen=True)
class Placed:
    side: Side
    start_s: float
    end_s: float


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise UsageError(f"{tool} is not installed (Debian: apt-get install espeak-ng sox)")
    return path


def _speak(text: str, voice: str, target: Path) -> float:
    """Render ``text``, trim it, write it to ``target``; its length in seconds."""
    raw = target.with_suffix(".raw.wav")
    subprocess.run([_need("espeak-ng"), "-v", voice, "-s", "165", "-w", str(raw), text],
                   check=True, capture_output=True)
    data, rate = soundfile.read(str(raw), dtype="float32")
    loud = np.flatnonzero(np.abs(data) > TRIM_LEVEL)
    data = data[loud[0]: loud[-1] + 1] if loud.size else data[:0]
    soundfile.write(str(target), data, rate)
    return float(len(data) / rate)


def render_call(turns: list[Turn], out: Path, *, sample_rate: int = 8000,
                legs: bool = False, tail_s: float = 0.5) -> list[Placed]:
    """Write the call to ``out`` (stereo WAV; with ``legs``, ``<stem>-in.wav`` for the
    agent and ``<stem>-out.wav`` for the customer) and return where each turn is."""
    sox = _need("sox")
    sox_args = [sox, "-R", "-D"]  # repeatable, no dither noise: the same call, same bytes
    placed: list[Placed] = []
    with tempfile.TemporaryDirectory(prefix="omnikpi-synth-") as tmp:
        folder = Path(tmp)
        parts: dict[str, list[Path]] = {"customer": [], "agent": []}
        for number, turn in enumerate(turns):
            clip = folder / f"turn{number}.wav"
            length = _speak(turn.text, turn.voice, clip)
            padded = folder / f"turn{number}-{sample_rate}.wav"
            subprocess.run([*sox_args, str(clip), "-r", str(sample_rate), "-c", "1", "-b", "16",
                            str(padded), "pad", f"{turn.start_s:.4f}"],
                           check=True, capture_output=True)
            parts[turn.side].append(padded)
            placed.append(Placed(turn.side, turn.start_s, turn.start_s + length))
        end = max((p.end_s for p in placed), default=0.0) + tail_s
        sides = {}
        for side, files in parts.items():
            silent = folder / f"{side}-silence.wav"
            subprocess.run([*sox_args, "-n", "-r", str(sample_rate), "-c", "1", "-b", "16",
                            str(silent), "trim", "0", f"{end:.4f}"],
                           check=True, capture_output=True)
            mixed = folder / f"{side}.wav"
            inputs = [arg for f in [silent, *files] for arg in ("-v", "1", str(f))]
            subprocess.run([*sox_args, "-m", *inputs, str(mixed), "trim", "0", f"{end:.4f}"],
                           check=True, capture_output=True)
            sides[side] = mixed
        if legs:
            stem = out.with_suffix("")
            shutil.copyfile(sides["agent"], f"{stem}-in.wav")
            shutil.copyfile(sides["customer"], f"{stem}-out.wav")
        else:
            subprocess.run([*sox_args, "-M", str(sides["customer"]), str(sides["agent"]),
                            str(out)], check=True, capture_output=True)
    return placed


def _ogg_crc(page: bytes) -> int:
    crc = 0
    for byte in page:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def write_ogg(path: Path, data: np.typing.NDArray[np.float64], sample_rate: int,
              serial: int = 1) -> None:
    """Ogg Vorbis with a fixed stream serial number (libsndfile picks a random one), so
    the same audio gives the same bytes (the demo's files stay unchanged when rebuilt)."""
    soundfile.write(str(path), data, sample_rate, format="OGG", subtype="VORBIS")
    raw = bytearray(path.read_bytes())
    at = 0
    while at < len(raw):
        if raw[at:at + 4] != b"OggS":
            raise ValueError(f"{path}: not an Ogg page at byte {at}")
        segments = raw[at + 26]
        size = 27 + segments + sum(raw[at + 27: at + 27 + segments])
        raw[at + 14: at + 18] = serial.to_bytes(4, "little")
        raw[at + 22: at + 26] = bytes(4)
        raw[at + 22: at + 26] = _ogg_crc(bytes(raw[at: at + size])).to_bytes(4, "little")
        at += size
    path.write_bytes(bytes(raw))
