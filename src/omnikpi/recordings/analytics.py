"""Talk analytics from the audio itself, without a speech model.

Voice activity is energy-based, per side: the signal is cut into frames of
``round(rate × 10 ms)`` samples (10 ms at 8, 16, 44.1 and 48 kHz; 220 samples = 9.977 ms
at 22,050 Hz, and every frame count is turned into seconds by that true duration), a frame is
speech when its level (dBFS) is above a threshold set per side from the file itself (the
loudest frames' level minus ``DYNAMIC_RANGE_DB``, never below the noise floor plus
``NOISE_MARGIN_DB`` nor below ``ABSOLUTE_FLOOR_DBFS``). A burst shorter than
``MIN_SPEECH_SECONDS`` is a click, not speech, and is dropped first; then a pause of at
most the hangover between speech bursts stays speech (words are separated by short
pauses) — so a run of clicks (a keyboard) is never bridged into speech. Segment edges are
the first and last speech frames, so they are found to within a frame or two.

From the two sides' segments, per call: talk time of each side, silence (neither speaks),
the longest silence, overtalk (both speak) and how often it starts, and the agent's
longest monologue (agent speech joined across the agent's own pauses until the customer
speaks).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from omnikpi.recordings.decode import Sides, Signal

FRAME_SECONDS = 0.010
"""The nominal frame: ``round(rate × FRAME_SECONDS)`` samples (:func:`hop_seconds`)."""
HANGOVER_SECONDS = 0.300
MIN_SPEECH_SECONDS = 0.080
DYNAMIC_RANGE_DB = 40.0
NOISE_MARGIN_DB = 12.0
ABSOLUTE_FLOOR_DBFS = -55.0
ECHO_MARGIN_DB = 20.0
"""A side this far or further below the other side, in a frame where the other speaks,
hears the other's voice (echo, crosstalk), not its own speaker: two people talking over
each other on their own channels are rarely 20 dB apart."""
SILENT_DBFS = -120.0
"""The level of a frame of digital silence (and of the frames a shorter leg lacks)."""

Mask = npt.NDArray[np.bool_]
Segment = tuple[float, float]


@dataclass(frozen=True)
class TalkAnalytics:
    """One row of the canonical ``talk_analytics`` table (seconds; None: not measurable,
    e.g. the sides of a mono file)."""

    contact_id: str
    duration_s: float
    agent_talk_s: float | None
    customer_talk_s: float | None
    silence_s: float
    longest_silence_s: float
    overtalk_s: float | None
    overtalk_count: float | None
    longest_agent_monologue_s: float | None

    def row(self) -> dict[str, object]:
        return asdict(self)


def hop_samples(sample_rate: int) -> int:
    """Samples in one frame at ``sample_rate``."""
    return max(1, round(sample_rate * FRAME_SECONDS))


def hop_seconds(sample_rate: int) -> float:
    """The true duration of one frame (220 samples at 22,050 Hz: 9.977 ms, not 10)."""
    return hop_samples(sample_rate) / sample_rate


def frame_levels(signal: Signal, sample_rate: int) -> npt.NDArray[np.float64]:
    """Level of each frame (:func:`hop_samples`) in dBFS (RMS; silence is -120)."""
    hop = hop_samples(sample_rate)
    count = len(signal) // hop
    frames = signal[: count * hop].astype(np.float64).reshape(count, hop)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return np.asarray(20.0 * np.log10(np.maximum(rms, 10 ** (SILENT_DBFS / 20))))


def _runs(mask: Mask) -> list[tuple[int, int]]:
    """[start, end) frame index pairs of the True runs."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _above_threshold(levels: npt.NDArray[np.float64]) -> Mask:
    """The frames louder than the side's own threshold (see the module's description)."""
    if levels.size == 0:
        return np.zeros(0, dtype=bool)
    loud = float(np.percentile(levels, 99))
    noise = float(np.percentile(levels, 10))
    threshold = max(loud - DYNAMIC_RANGE_DB, noise + NOISE_MARGIN_DB, ABSOLUTE_FLOOR_DBFS)
    active: Mask = levels > threshold
    return active


def voice_activity(signal: Signal, sample_rate: int) -> Mask:
    """Speech frames of one side (see the module's description)."""
    return _speech(_above_threshold(frame_levels(signal, sample_rate)), sample_rate)


def _speech(active: Mask, sample_rate: int) -> Mask:
    """Frames above the threshold as speech: clicks dropped, short pauses bridged."""
    if active.size == 0:
        return active
    frame = hop_seconds(sample_rate)
    shortest = round(MIN_SPEECH_SECONDS / frame)
    for start, end in _runs(active):  # drop clicks first: a run of clicks is no speech
        if end - start < shortest:
            active[start:end] = False
    hangover = round(HANGOVER_SECONDS / frame)
    for start, end in _runs(~active):  # bridge short pauses inside speech
        if start > 0 and end < len(active) and end - start <= hangover:
            active[start:end] = True
    return active


def two_sides(sides: Sides) -> tuple[Mask, Mask]:
    """Speech frames of the customer and of the agent, of equal length. A frame where one
    side is :data:`ECHO_MARGIN_DB` or more below the other side speaking is the other's
    voice leaking in (line or acoustic echo, crosstalk), not speech of its own: each side's
    threshold is set alone, and an agent's echo 30 dB down on the customer's channel was
    9 s of "overtalk" in an 18-s call."""
    assert sides.customer is not None and sides.agent is not None
    customer = frame_levels(sides.customer, sides.sample_rate)
    agent = frame_levels(sides.agent, sides.sample_rate)
    length = max(len(customer), len(agent))
    customer = np.pad(customer, (0, length - len(customer)), constant_values=SILENT_DBFS)
    agent = np.pad(agent, (0, length - len(agent)), constant_values=SILENT_DBFS)
    heard_customer, heard_agent = _above_threshold(customer), _above_threshold(agent)
    own_customer = heard_customer & ~(heard_agent & (customer <= agent - ECHO_MARGIN_DB))
    own_agent = heard_agent & ~(heard_customer & (agent <= customer - ECHO_MARGIN_DB))
    return (_speech(own_customer, sides.sample_rate),
            _speech(own_agent, sides.sample_rate))


def segments(mask: Mask, frame: float = FRAME_SECONDS) -> list[Segment]:
    """Speech segments (start, end) in seconds (``frame``: one frame's duration,
    :func:`hop_seconds`)."""
    return [(a * frame, b * frame) for a, b in _runs(mask)]


def _longest(mask: Mask, frame: float) -> float:
    return max((b - a for a, b in _runs(mask)), default=0) * frame


def _longest_monologue(agent: Mask, customer: Mask, frame: float) -> float:
    """Agent speech joined across the pauses in which the customer says nothing."""
    longest = 0
    first: int | None = None
    last = 0
    for start, end in _runs(agent):
        if first is None or customer[last:start].any():
            first = start
        last = end
        longest = max(longest, last - first)
    return longest * frame


def analyze_sides(contact_id: str, sides: Sides) -> TalkAnalytics:
    """A call's talk analytics from its decoded sides."""
    duration = round(sides.duration_seconds, 3)
    frame = hop_seconds(sides.sample_rate)
    if sides.mixed is not None:
        speech = voice_activity(sides.mixed, sides.sample_rate)
        quiet = ~speech
        tail = max(0.0, sides.duration_seconds - len(quiet) * frame)
        return TalkAnalytics(contact_id, duration, None, None,
                             round(float(quiet.sum()) * frame + tail, 3),
                             round(_longest(quiet, frame), 3), None, None, None)
    customer, agent = two_sides(sides)
    length = len(customer)
    both = customer & agent
    quiet = ~customer & ~agent
    # the tail of the file shorter than a frame is silence as far as anyone can tell
    tail = max(0.0, sides.duration_seconds - length * frame)
    return TalkAnalytics(
        contact_id, duration,
        agent_talk_s=round(float(agent.sum()) * frame, 3),
        customer_talk_s=round(float(customer.sum()) * frame, 3),
        silence_s=round(float(quiet.sum()) * frame + tail, 3),
        longest_silence_s=round(_longest(quiet, frame), 3),
        overtalk_s=round(float(both.sum()) * frame, 3),
        overtalk_count=float(len(_runs(both))),
        longest_agent_monologue_s=round(_longest_monologue(agent, customer, frame), 3),
    )


def talk_segments(sides: Sides) -> dict[str, list[Segment]]:
    """Speech segments per side (``mixed`` for a mono file), for the player's waveform."""
    frame = hop_seconds(sides.sample_rate)
    if sides.mixed is not None:
        return {"mixed": segments(voice_activity(sides.mixed, sides.sample_rate), frame)}
    customer, agent = two_sides(sides)
    return {"customer": segments(customer, frame), "agent": segments(agent, frame)}


def peaks(sides: Sides, buckets: int = 800) -> dict[str, list[float]]:
    """Per side, the peak amplitude (0–1, 3 decimals) of ``buckets`` equal slices: enough
    to draw a waveform, a few kilobytes of JSON whatever the call's length."""
    out: dict[str, list[float]] = {}
    for name in ("customer", "agent", "mixed"):
        signal: Signal | None = getattr(sides, name)
        if signal is None or len(signal) == 0:
            continue
        count = min(buckets, len(signal))
        edges = np.linspace(0, len(signal), count + 1).astype(int)
        magnitude = np.abs(signal)
        values = np.maximum.reduceat(magnitude, edges[:-1])
        out[name] = [round(float(v), 3) for v in np.minimum(values, 1.0)]
    return out
