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
    placed: list[Placed] = []
    with tempfile.TemporaryDirectory(prefix="omnikpi-synth-") as tmp:
        folder = Path(tmp)
        parts: dict[str, list[Path]] = {"customer": [], "agent": []}
        for number, turn in enumerate(turns):
            clip = folder / f"turn{number}.wav"
            length = _speak(turn.text, turn.voice, clip)
            padded = folder / f"turn{number}-{sample_rate}.wav"
            subprocess.run([sox, str(clip), "-r", str(sample_rate), "-c", "1", "-b", "16",
                            str(padded), "pad", f"{turn.start_s:.4f}"],
                           check=True, capture_output=True)
            parts[turn.side].append(padded)
            placed.append(Placed(turn.side, turn.start_s, turn.start_s + length))
        end = max((p.end_s for p in placed), default=0.0) + tail_s
        sides = {}
        for side, files in parts.items():
            silent = folder / f"{side}-silence.wav"
            subprocess.run([sox, "-n", "-r", str(sample_rate), "-c", "1", "-b", "16",
                            str(silent), "trim", "0", f"{end:.4f}"],
                           check=True, capture_output=True)
            mixed = folder / f"{side}.wav"
            inputs = [arg for f in [silent, *files] for arg in ("-v", "1", str(f))]
            subprocess.run([sox, "-m", *inputs, str(mixed), "trim", "0", f"{end:.4f}"],
                           check=True, capture_output=True)
            sides[side] = mixed
        if legs:
            stem = out.with_suffix("")
            shutil.copyfile(sides["agent"], f"{stem}-in.wav")
            shutil.copyfile(sides["customer"], f"{stem}-out.wav")
        else:
            subprocess.run([sox, "-M", str(sides["customer"]), str(sides["agent"]),
                            str(out)], check=True, capture_output=True)
    return placed
