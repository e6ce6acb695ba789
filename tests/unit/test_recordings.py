"""Recordings: no name leads outside the recordings folder; talk analytics measured on
calls rendered with known truth (espeak-ng speech placed by sox) agree with the truth to
within 100 ms (WAV, two legs, Ogg Vorbis, MP3); `omnikpi recordings analyze` adds only
what is new."""

from __future__ import annotations

import itertools
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.errors import UsageError
from omnikpi.recordings.analytics import analyze_sides, talk_segments
from omnikpi.recordings.decode import UnreadableRecording, decode
from omnikpi.recordings.paths import resolve, safe_path
from omnikpi.recordings.synth import Placed, Turn, render_call
from omnikpi.schema.dataset import load_dataset

TOLERANCE_S = 0.100
TURNS = [
    Turn("agent", 0.40, "Good morning thank you for calling the bank"),
    Turn("customer", 3.30, "Hello I would like to check my card"),
    # the agent starts before the customer has finished: overtalk
    Turn("agent", 4.70, "Of course let me look at your account"),
    Turn("customer", 8.20, "Thank you very much"),
    # a long silence, then two agent turns with a short pause between them (one monologue)
    Turn("agent", 12.00, "Your card was sent yesterday by post"),
    Turn("agent", 14.60, "It should arrive on Friday"),
]


# -- paths -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("paths")
    recordings = root / "recordings"
    (recordings / "2024" / "05").mkdir(parents=True)
    (root / "secret.wav").write_bytes(b"RIFF secret")
    (recordings / "2024" / "05" / "call.wav").write_bytes(b"RIFF")
    (recordings / "legs-in.wav").write_bytes(b"RIFF")
    (recordings / "legs-out.wav").write_bytes(b"RIFF")
    (recordings / "notes.txt").write_text("not audio")
    os.symlink(root / "secret.wav", recordings / "link-out.wav")
    os.symlink(recordings / "2024" / "05" / "call.wav", recordings / "link-in.wav")
    os.symlink(root, recordings / "up")
    return recordings


@pytest.mark.parametrize("uri", [
    "../secret.wav", "2024/../../secret.wav", "%2e%2e%2fsecret.wav", "%2E%2E/secret.wav",
    "%252e%252e%252fsecret.wav", "..%2fsecret.wav", str(Path("/etc/passwd")),
    "/../secret.wav", "%2fetc%2fpasswd", "file:///etc/passwd", "link-out.wav",
    "up/secret.wav", "2024/05/call.wav\x00.txt", "call.wav%00", "..\\secret.wav",
    "notes.txt", "2024", "", "missing.wav", "ftp://host/x.wav",
])
def test_no_name_leads_outside_the_folder(folder: Path, uri: str) -> None:
    with pytest.raises(UsageError, match="cannot be read"):
        resolve(uri, folder)


def test_names_inside_the_folder_resolve(folder: Path) -> None:
    inside = folder / "2024" / "05" / "call.wav"
    assert resolve("2024/05/call.wav", folder).files == (inside.resolve(),)
    assert resolve("2024%2F05%2Fcall.wav", folder).files == (inside.resolve(),)
    assert safe_path("link-in.wav", folder) == inside.resolve()  # a link that stays inside
    legs = resolve("legs-out.wav", folder)
    assert [p.name for p in legs.files] == ["legs-in.wav", "legs-out.wav"]
    url = resolve("https://pbx.example/rec/1.mp3", folder)
    assert url.url == "https://pbx.example/rec/1.mp3" and url.files == ()


# -- accuracy on generated calls ----------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Placed]]:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.fail("espeak-ng and sox are needed (apt-get install espeak-ng sox)")
    folder = tmp_path_factory.mktemp("calls")
    truth = render_call(TURNS, folder / "stereo.wav")
    render_call(TURNS, folder / "call.wav", legs=True)
    data, rate = soundfile.read(str(folder / "stereo.wav"))
    soundfile.write(str(folder / "stereo.ogg"), data, rate, format="OGG", subtype="VORBIS")
    soundfile.write(str(folder / "stereo.mp3"), data, rate, format="MP3",
                    subtype="MPEG_LAYER_III")
    soundfile.write(str(folder / "mono.wav"), data.mean(axis=1), rate)
    return folder, truth


def _union(segments: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(segments):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overlap(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _expected_segments(truth: list[Placed], side: str) -> list[tuple[float, float]]:
    """Where a side speaks: its turns (the last two agent turns are 0.6 s apart, longer
    than the hangover, so they stay two segments)."""
    return _union([(p.start_s, p.end_s) for p in truth if p.side == side])


@pytest.mark.parametrize("name", ["stereo.wav", "call-out.wav", "stereo.ogg", "stereo.mp3"])
def test_segments_within_100_ms_of_the_truth(rendered: tuple[Path, list[Placed]],
                                             name: str) -> None:
    folder, truth = rendered
    measured = talk_segments(decode(resolve(name, folder)))
    for side in ("customer", "agent"):
        expected = _expected_segments(truth, side)
        found = measured[side]
        assert len(found) == len(expected), (side, found, expected)
        for (start, end), (true_start, true_end) in zip(found, expected, strict=True):
            assert abs(start - true_start) <= TOLERANCE_S, (side, start, true_start)
            assert abs(end - true_end) <= TOLERANCE_S, (side, end, true_end)


def test_call_figures_agree_with_the_truth(rendered: tuple[Path, list[Placed]]) -> None:
    folder, truth = rendered
    sides = decode(resolve("stereo.wav", folder))
    result = analyze_sides("c1", sides)
    agent, customer = (_expected_segments(truth, s) for s in ("agent", "customer"))
    both = _union(agent + customer)
    duration = sides.duration_seconds
    tolerance = 2 * TOLERANCE_S * len(both)
    assert result.duration_s == pytest.approx(duration, abs=0.001)
    assert result.agent_talk_s == pytest.approx(sum(e - s for s, e in agent), abs=tolerance)
    assert result.customer_talk_s == pytest.approx(sum(e - s for s, e in customer),
                                                   abs=tolerance)
    overtalk = _overlap(agent, customer)
    assert overtalk > 0.3  # the script has one overlap of about half a second
    assert result.overtalk_s == pytest.approx(overtalk, abs=2 * TOLERANCE_S)
    assert result.overtalk_count == 1
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(both)]
    gaps += [both[0][0], duration - both[-1][1]]
    assert result.silence_s == pytest.approx(sum(gaps), abs=tolerance)
    assert result.longest_silence_s == pytest.approx(max(gaps), abs=2 * TOLERANCE_S)
    # the last two agent turns, with no customer speech between them, are one monologue
    monologue = agent[-1][1] - agent[-2][0]
    assert result.longest_agent_monologue_s == pytest.approx(monologue, abs=2 * TOLERANCE_S)
    assert result.agent_talk_s is not None and result.customer_talk_s is not None \
        and result.overtalk_s is not None
    assert result.agent_talk_s + result.customer_talk_s - result.overtalk_s \
        + result.silence_s == pytest.approx(duration, abs=0.02)


def test_a_mono_file_gives_silence_but_no_sides(rendered: tuple[Path, list[Placed]]) -> None:
    folder, _ = rendered
    result = analyze_sides("m", decode(resolve("mono.wav", folder)))
    stereo = analyze_sides("s", decode(resolve("stereo.wav", folder)))
    assert result.agent_talk_s is None and result.overtalk_s is None
    assert result.silence_s == pytest.approx(stereo.silence_s, abs=0.1)
    assert result.longest_silence_s == pytest.approx(stereo.longest_silence_s, abs=0.1)


def test_a_stereo_file_of_one_mix_twice_reads_as_mono(rendered: tuple[Path, list[Placed]],
                                                      tmp_path: Path) -> None:
    """A PBX that records "stereo" as the same mix on both channels: each side heard both
    speakers, and all the talk read as overtalk (10.5 s of 10.5). Two equal channels are
    one mix: the silence of the mono file, and no sides."""
    folder, _ = rendered
    data, rate = soundfile.read(str(folder / "mono.wav"))
    soundfile.write(str(tmp_path / "dual.wav"), np.stack([data, data], axis=1), rate)
    dual = analyze_sides("d", decode(resolve("dual.wav", tmp_path)))
    mono = analyze_sides("m", decode(resolve("mono.wav", folder)))
    assert dual.overtalk_s is None and dual.agent_talk_s is None
    assert (dual.silence_s, dual.longest_silence_s) == (mono.silence_s,
                                                        mono.longest_silence_s)


def test_channels_swap_by_configuration(rendered: tuple[Path, list[Placed]]) -> None:
    folder, _ = rendered
    plain = analyze_sides("c", decode(resolve("stereo.wav", folder)))
    swapped = analyze_sides("c", decode(resolve("stereo.wav", folder), customer_channel=1))
    legs = analyze_sides("c", decode(resolve("call-in.wav", folder), customer_leg="in"))
    assert (swapped.agent_talk_s, swapped.customer_talk_s) == (
        plain.customer_talk_s, plain.agent_talk_s)
    assert legs.agent_talk_s == pytest.approx(plain.customer_talk_s, abs=0.02)


def test_silence_is_silence() -> None:
    from omnikpi.recordings.decode import Sides

    quiet = np.zeros(8000 * 3, dtype=np.float32)
    result = analyze_sides("q", Sides(8000, customer=quiet, agent=quiet.copy()))
    assert (result.agent_talk_s, result.customer_talk_s, result.overtalk_count) == (0, 0, 0)
    assert result.silence_s == result.longest_silence_s == 3.0


# -- the command ---------------------------------------------------------------------------

def test_analyze_adds_only_what_is_new(rendered: tuple[Path, list[Placed]],
                                       tmp_path: Path) -> None:
    folder, _ = rendered
    (tmp_path / "recordings").mkdir()
    shutil.copy(folder / "stereo.wav", tmp_path / "recordings" / "a.wav")
    rows = ["contact_id,channel,queue,arrived_at,ended_at,agent_id,recording_uri",
            "a,voice,q,2024-05-06T10:00:00Z,2024-05-06T10:01:00Z,op,a.wav",
            "b,voice,q,2024-05-06T11:00:00Z,2024-05-06T11:01:00Z,op,%2e%2e%2fcontacts.csv",
            "c,voice,q,2024-05-06T12:00:00Z,2024-05-06T12:01:00Z,op,https://pbx/c.wav",
            "d,voice,q,2024-05-06T13:00:00Z,2024-05-06T13:01:00Z,op,"]
    (tmp_path / "contacts.csv").write_text("\n".join(rows) + "\n")
    runner = CliRunner()
    first = runner.invoke(app, ["recordings", "analyze", "--data", str(tmp_path),
                                "--format", "csv"])
    assert first.exit_code == 0, first.output
    assert "3 recorded contact(s): 0 analysed before, 1 analysed now, 2 not analysable" \
        in first.output
    again = runner.invoke(app, ["recordings", "analyze", "--data", str(tmp_path)])
    assert "1 analysed before, 0 analysed now" in again.output
    dataset = load_dataset(tmp_path)
    stored = dataset.con.execute("SELECT contact_id, agent_talk_s FROM talk_analytics"
                                 ).fetchall()
    direct = analyze_sides("a", decode(resolve("stereo.wav", folder)))
    assert stored == [("a", direct.agent_talk_s)]
    report = runner.invoke(app, ["report", "--data", str(tmp_path), "--format", "json",
                                 "--metrics", "talk_listen_ratio"])
    assert report.exit_code == 0, report.output
    assert direct.agent_talk_s is not None and direct.customer_talk_s is not None
    assert '"talk_listen_ratio": ' + str(round(
        direct.agent_talk_s / direct.customer_talk_s, 6))[:6] in report.stdout
    bad = runner.invoke(app, ["recordings", "analyze", "--data", str(tmp_path / "nope")])
    assert bad.exit_code == 2 and "not a dataset folder" in bad.output


def test_message_text_does_not_break_the_chat_metrics(tmp_path: Path) -> None:
    """A messages file may carry the text (the demo's ``body``, a platform's ``text``):
    the in-session response time reads the same rows with or without it."""
    contacts = ("contact_id,channel,queue,arrived_at,first_response_at,ended_at,agent_id\n"
                "c1,chat,web,2024-05-06T10:00:00Z,2024-05-06T10:00:10Z,"
                "2024-05-06T10:10:00Z,op\n")
    rows = [("10:00:00", "customer", "", "Hi"), ("10:00:10", "agent", "op", "Hello"),
            ("10:01:00", "customer", "", "My card?"), ("10:01:30", "agent", "op", "Sent.")]
    for column in ("", "text"):
        folder = tmp_path / (column or "plain")
        folder.mkdir()
        (folder / "contacts.csv").write_text(contacts)
        extra = f",{column}" if column else ""
        lines = [f"c1,2024-05-06T{ts}Z,{who},{agent}" + (f",{text}" if column else "")
                 for ts, who, agent, text in rows]
        (folder / "messages.csv").write_text(
            f"contact_id,ts,sender,agent_id{extra}\n" + "\n".join(lines) + "\n")
        result = CliRunner().invoke(app, ["report", "--data", str(folder), "--format",
                                          "json", "--metrics", "art"])
        assert result.exit_code == 0, result.output
        assert '"art": 30.0' in result.stdout  # 10:01:00 → 10:01:30


# -- fixes: true frame duration, clicks, reasons, short files, one table file -------------

def _tone(seconds: float, rate: int, amplitude: float = 0.3) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * 300 * np.arange(round(seconds * rate)) / rate)
            ).astype(np.float32)


def _placed(rate: int, length_s: float, *spans: tuple[float, float]) -> np.ndarray:
    """A side of ``length_s`` seconds, a tone in each (start, end) span, silence elsewhere."""
    side = np.zeros(round(length_s * rate), dtype=np.float32)
    for start, end in spans:
        first = round(start * rate)
        side[first: first + round((end - start) * rate)] = _tone(end - start, rate)
    return side


@pytest.mark.parametrize("rate", [22050, 11025])
def test_frames_count_by_their_true_duration(rate: int) -> None:
    """At 22,050 Hz a frame is 220 samples = 9.977 ms (11,025 Hz: 110): counted as 10 ms,
    the agent's 48 s read 48.109 s, the parts summed past the file (60.136 s of 60) and
    the customer's segment ended 0.136 s after the file."""
    from omnikpi.recordings.decode import Sides

    agent = _placed(rate, 60.0, (2.0, 50.0))
    customer = _placed(rate, 60.0, (50.0, 60.0))
    sides = Sides(rate, customer=customer, agent=agent, channels=2)
    result = analyze_sides("c", sides)
    # a frame is 220 / 22050 = 110 / 11025 = 0.0099773 s; one straddling a tone's edge
    # may count: within 2 frames (0.02 s)
    assert result.duration_s == 60.0
    assert result.agent_talk_s == pytest.approx(48.0, abs=0.02)
    assert result.customer_talk_s == pytest.approx(10.0, abs=0.02)
    assert result.silence_s == pytest.approx(2.0, abs=0.02)
    assert result.longest_silence_s == pytest.approx(2.0, abs=0.02)
    assert result.longest_agent_monologue_s == pytest.approx(48.0, abs=0.02)
    assert result.agent_talk_s is not None and result.customer_talk_s is not None \
        and result.overtalk_s is not None
    parts = result.agent_talk_s + result.customer_talk_s - result.overtalk_s \
        + result.silence_s
    assert parts <= 60.0 + 0.001 and parts == pytest.approx(60.0, abs=0.02)
    found = talk_segments(sides)
    assert found["agent"] == [pytest.approx((2.0, 50.0), abs=0.02)]
    assert found["customer"] == [pytest.approx((50.0, 60.0), abs=0.02)]
    assert found["customer"][0][1] <= 60.0


def test_a_run_of_clicks_is_no_speech() -> None:
    """Keyboard clicks every 250 ms (each 2 ms, one frame) were bridged into 4.77 s of
    agent talk before the clicks were dropped. Dropped first, they are nothing; the
    agent's two words 200 ms apart and the 100 ms syllables 50 ms apart are still one
    segment each."""
    from omnikpi.recordings.decode import Sides

    rate = 8000
    agent = _placed(rate, 20.0, (0.5, 1.5), (1.7, 2.7),                     # two words
                    *[(13.0 + 0.15 * k, 13.1 + 0.15 * k) for k in range(6)])  # syllables
    for k in range(20):                                          # clicks from 6 s to 10.75 s
        at = round((6.0 + 0.25 * k) * rate)
        agent[at: at + 16] = 0.5
    customer = _placed(rate, 20.0, (3.0, 5.0))
    sides = Sides(rate, customer=customer, agent=agent, channels=2)
    assert talk_segments(sides)["agent"] == [pytest.approx((0.5, 2.7), abs=0.011),
                                             pytest.approx((13.0, 13.85), abs=0.011)]
    result = analyze_sides("k", sides)
    assert result.agent_talk_s == pytest.approx(2.2 + 0.85, abs=0.02)
    assert result.customer_talk_s == pytest.approx(2.0, abs=0.02)
    # 20 s − 3.05 agent − 2.0 customer
    assert result.silence_s == pytest.approx(14.95, abs=0.04)
    # the clicks (6 to 10.75 s) lie inside the silence from 5.0 to 13.0
    assert result.longest_silence_s == pytest.approx(8.0, abs=0.02)


@pytest.mark.parametrize("echo_db", [-25.0, -30.0, -35.0])
def test_the_agent_s_echo_on_the_customer_s_channel_is_no_speech(echo_db: float) -> None:
    """The agent speaks 0.5–6.5 s and 9–14 s, the customer 7–8.5 s; the customer's channel
    also carries the agent's voice ``echo_db`` down (line echo). Each side's threshold set
    alone, the echo was the customer speaking over the agent: 9 s of overtalk at −30 dB.
    A customer's real speech over the agent, 6 dB below, is still overtalk."""
    from omnikpi.recordings.decode import Sides

    rate = 8000
    agent = _placed(rate, 16.0, (0.5, 6.5), (9.0, 14.0))
    customer = _placed(rate, 16.0, (7.0, 8.5)) + agent * np.float32(10 ** (echo_db / 20))
    result = analyze_sides("e", Sides(rate, customer=customer, agent=agent, channels=2))
    assert result.customer_talk_s == pytest.approx(1.5, abs=0.02)
    assert result.agent_talk_s == pytest.approx(11.0, abs=0.02)
    assert (result.overtalk_s, result.overtalk_count) == (0.0, 0.0)
    over = customer + _placed(rate, 16.0, (2.0, 3.0)) * np.float32(10 ** (-6 / 20))
    talking = analyze_sides("o", Sides(rate, customer=over, agent=agent, channels=2))
    assert talking.overtalk_s == pytest.approx(1.0, abs=0.02)
    assert talking.customer_talk_s == pytest.approx(2.5, abs=0.02)


def _contacts(folder: Path, uris: dict[str, str]) -> None:
    rows = ["contact_id,channel,queue,arrived_at,ended_at,agent_id,recording_uri"]
    rows += [f"{c},voice,q,2024-05-06T10:00:00Z,2024-05-06T10:01:00Z,op,{u}"
             for c, u in uris.items()]
    (folder / "contacts.csv").write_text("\n".join(rows) + "\n")


def test_every_failure_has_its_own_reason(tmp_path: Path) -> None:
    """Two legs of different sample rates and a file over 4 hours were counted as a
    "refused name (outside the recordings folder or not a file)"; a 0-frame and a 5 ms
    file got rows (duration 0 and 0.005) that pulled the averages down; a 4-channel file
    was read as its first two channels without a word."""
    from omnikpi.config import load_config
    from omnikpi.recordings.analyze import analyze_dataset

    recordings = tmp_path / "recordings"
    recordings.mkdir()
    soundfile.write(str(recordings / "rates-in.wav"), _tone(2.0, 8000), 8000)
    soundfile.write(str(recordings / "rates-out.wav"), _tone(2.0, 16000), 16000)
    soundfile.write(str(recordings / "long.wav"), np.zeros(4 * 3600 + 1, np.int16), 1,
                    subtype="PCM_16")  # 4 h 0 min 1 s at 1 Hz: 28 kB
    soundfile.write(str(recordings / "empty.wav"), np.zeros((0, 2), np.float32), 8000)
    soundfile.write(str(recordings / "blip.wav"), np.column_stack(
        [_tone(0.005, 8000)] * 2), 8000)                         # 5 ms
    soundfile.write(str(recordings / "four.wav"), np.column_stack(
        [_tone(2.0, 8000)] * 4), 8000)
    soundfile.write(str(recordings / "short-ok.wav"), np.column_stack(
        [_tone(0.6, 8000), np.zeros(4800, np.float32)]), 8000)  # 0.6 s: analysed
    (recordings / "folder.wav").mkdir()
    (recordings / "text.txt").write_text("x")
    (recordings / "junk.wav").write_bytes(b"not a wav at all")
    _contacts(tmp_path, {"rates": "rates-in.wav", "long": "long.wav", "empty": "empty.wav",
                         "blip": "blip.wav", "four": "four.wav", "ok": "short-ok.wav",
                         "dir": "folder.wav", "txt": "text.txt", "junk": "junk.wav",
                         "gone": "gone.wav", "up": "..%2fcontacts.csv",
                         "web": "https://pbx.example/a.wav"})
    summary = analyze_dataset(tmp_path, load_config(None))
    assert dict(summary.failed) == {
        "two legs with different sample rates": 1, "longer than 4 hours": 1,
        "too short to hold speech (under 0.5 s)": 2, "more than 2 channels": 1,
        "file not found": 1, "not an audio file": 1, "not decodable audio": 1,
        "refused name (outside the recordings folder or not a file)": 2,  # folder.wav, ..
        "http(s) address (not fetched)": 1}
    assert summary.analysed == 1 and summary.table_rows == 1
    assert summary.first_failure["more than 2 channels"].startswith("four: ")
    assert "4 channels" in summary.first_failure["more than 2 channels"]
    from omnikpi.recordings.analyze import REASONS

    assert set(summary.failed) <= set(REASONS)


def test_a_wav_cut_short_waits_until_it_is_whole(tmp_path: Path) -> None:
    """A copy interrupted (or a recording still being written) read as its first part: a
    10 s call measured as 3.3 s, its row kept and never analysed again. It is counted as
    cut short until the whole file is there; the player still plays what it holds, and a
    file whose header promises no length (sizes written at the end) is read as it is."""
    from omnikpi.config import load_config
    from omnikpi.recordings.analyze import analyze_dataset
    from omnikpi.recordings.paths import Recording

    recordings = tmp_path / "recordings"
    recordings.mkdir()
    whole = recordings / "call.wav"
    soundfile.write(str(whole), np.column_stack([_tone(10.0, 8000), _tone(10.0, 8000) * 0]),
                    8000, subtype="PCM_16")
    written = whole.read_bytes()
    whole.write_bytes(written[:len(written) // 3])
    _contacts(tmp_path, {"c1": "call.wav"})
    first = analyze_dataset(tmp_path, load_config(None))
    assert dict(first.failed) == {"cut short or still being written": 1}
    # 320,000 bytes of audio after a 44-byte header; 320,044 // 3 = 106,681 kept, 106,637
    # of them audio: 213,363 missing; 26,659 whole frames of 4 bytes heard
    assert len(written) == 320_044
    assert "promises 213,363 more bytes" in first.first_failure[
        "cut short or still being written"]
    heard = decode(Recording("call.wav", (whole,)), whole=False)
    assert heard.duration_seconds == pytest.approx(26_659 / 8000)
    whole.write_bytes(written)
    second = analyze_dataset(tmp_path, load_config(None))
    assert (second.analysed, dict(second.failed)) == (1, {})
    rows = load_dataset(tmp_path).con.execute(
        "SELECT contact_id, duration_s FROM talk_analytics").fetchall()
    assert rows == [("c1", pytest.approx(10.0))]
    # a recorder that fills in the sizes when it closes, 0xFFFFFFFF until then: still
    # being written while it changed in the last minute, read as it is after
    streamed = bytearray(written)
    streamed[40:44] = b"\xff\xff\xff\xff"
    (recordings / "open.wav").write_bytes(bytes(streamed))
    with pytest.raises(UnreadableRecording, match="is still being written"):
        decode(Recording("open.wav", (recordings / "open.wav",)))
    long_ago = time.time() - 120
    os.utime(recordings / "open.wav", (long_ago, long_ago))
    assert decode(Recording("open.wav", (recordings / "open.wav",))).duration_seconds \
        == pytest.approx(10.0)
    mixmonitor = bytearray(written)  # MixMonitor's size 0 until the call ends: the same
    mixmonitor[40:44] = bytes(4)
    (recordings / "zero.wav").write_bytes(bytes(mixmonitor))
    with pytest.raises(UnreadableRecording, match="is still being written"):
        decode(Recording("zero.wav", (recordings / "zero.wav",)))
    os.utime(recordings / "zero.wav", (long_ago, long_ago))  # never closed: no audio read
    assert decode(Recording("zero.wav", (recordings / "zero.wav",))).duration_seconds == 0
    # a header 36 bytes too generous (the RIFF size as the data size) is no cut file
    loose = bytearray(written)
    loose[40:44] = (320_000 + 36).to_bytes(4, "little")
    (recordings / "loose.wav").write_bytes(bytes(loose))
    assert decode(Recording("loose.wav", (recordings / "loose.wav",))).duration_seconds \
        == pytest.approx(10.0)


def test_every_raise_in_recordings_names_a_reason() -> None:
    """No error raised in ``recordings/`` falls through to a catch-all label: each is a
    RefusedRecording or UnreadableRecording naming one of REASONS."""
    import ast

    from omnikpi.recordings import analyze as module

    folder = Path(module.__file__).parent
    allowed = {"_refuse", "RefusedRecording", "UnreadableRecording"}
    for source in ("paths.py", "decode.py", "analyze.py"):
        for node in ast.walk(ast.parse((folder / source).read_text())):
            if isinstance(node, ast.Raise) and node.exc is not None:
                call = node.exc
                assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name) \
                    and call.func.id in allowed, (source, node.lineno)
                if call.func.id == "UnreadableRecording":
                    assert len(call.args) == 2, (source, node.lineno)


def _analysed_table(folder: Path, rows: list[str], fmt: str) -> None:
    lines = ["contact_id,duration_s,agent_talk_s,customer_talk_s,silence_s,"
             "longest_silence_s,overtalk_s,overtalk_count,longest_agent_monologue_s", *rows]
    (folder / "talk_analytics.csv").write_text("\n".join(lines) + "\n")
    if fmt == "parquet":
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        pq.write_table(pacsv.read_csv(folder / "talk_analytics.csv"),
                       folder / "talk_analytics.parquet")
        (folder / "talk_analytics.csv").unlink()


def test_format_csv_adds_to_the_existing_parquet_table(tmp_path: Path) -> None:
    """``--format csv`` on a folder whose talk_analytics is Parquet wrote a csv beside it
    (both then read) and said "talk_analytics has 2 row(s)" where 4 were."""
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    call = np.column_stack([_placed(8000, 4.0, (0.5, 1.5)), _placed(8000, 4.0, (2.0, 3.0))])
    for name in ("c.wav", "d.wav"):
        soundfile.write(str(recordings / name), call, 8000)
    _contacts(tmp_path, {"a": "a.wav", "b": "b.wav", "c": "c.wav", "d": "d.wav"})
    _analysed_table(tmp_path, ["a,60,20,30,10,5,0,0,20", "b,30,10,10,10,5,0,0,10"],
                    "parquet")
    result = CliRunner().invoke(app, ["recordings", "analyze", "--data", str(tmp_path),
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "2 analysed before, 2 analysed now, 0 not analysable; talk_analytics has 4 " \
           "row(s)" in result.output
    assert not (tmp_path / "talk_analytics.csv").exists()
    dataset = load_dataset(tmp_path)
    try:
        stored = dataset.con.execute("SELECT contact_id, agent_talk_s FROM talk_analytics "
                                     "ORDER BY contact_id").fetchall()
    finally:
        dataset.close()
    assert stored == [("a", 20.0), ("b", 10.0), ("c", 1.0), ("d", 1.0)]


def test_both_table_files_are_folded_into_one(tmp_path: Path) -> None:
    """A folder an older version left with both files: the run keeps one, every row once."""
    from omnikpi.config import load_config
    from omnikpi.recordings.analyze import analyze_dataset

    recordings = tmp_path / "recordings"
    recordings.mkdir()
    call = np.column_stack([_placed(8000, 4.0, (0.5, 1.5)), _placed(8000, 4.0, (2.0, 3.0))])
    soundfile.write(str(recordings / "c.wav"), call, 8000)
    _contacts(tmp_path, {"a": "a.wav", "b": "b.wav", "c": "c.wav"})
    _analysed_table(tmp_path, ["a,60,20,30,10,5,0,0,20"], "parquet")
    (tmp_path / "kept.parquet").write_bytes((tmp_path / "talk_analytics.parquet").read_bytes())
    _analysed_table(tmp_path, ["b,30,10,10,10,5,0,0,10"], "csv")
    (tmp_path / "talk_analytics.parquet").write_bytes((tmp_path / "kept.parquet").read_bytes())
    (tmp_path / "kept.parquet").unlink()
    summary = analyze_dataset(tmp_path, load_config(None), fmt="csv")
    assert not (tmp_path / "talk_analytics.parquet").exists()
    assert (summary.analysed, summary.table_rows, summary.table_format) == (1, 3, "csv")
    import csv

    with (tmp_path / "talk_analytics.csv").open() as handle:
        assert sorted(r["contact_id"] for r in csv.DictReader(handle)) == ["a", "b", "c"]
