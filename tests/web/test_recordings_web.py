"""Call recordings in the web app: the audio with range requests, the waveform's peaks and
talk segments, who may listen, and (in Chromium) evaluating a call while playing it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from fastapi import FastAPI
from fastapi.testclient import TestClient

from omnikpi.auth.accounts import audit_entries, create_user
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.qa.forms import FormSpec, parse_item_lines, save_form
from omnikpi.qa.sampling import Sample, SampledUnit
from omnikpi.qa.store import save_sample
from omnikpi.store.db import session_scope
from tests.web.conftest import browser_log_in, log_in, needs_browser, running_server

PASSWORD = "listen-carefully-1"
CALL = "sales-000037"
"""A demo call with a recording (agent sales-01, tenant bank)."""
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
ITEMS = ("Style | greet | Greets by the standard | 1 | no | no\n"
         "Content | correct | Gives correct information | 3 | yes | yes\n")


@pytest.fixture(scope="module")
def site(make_app: Callable[..., FastAPI], tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[FastAPI, Path, int]:
    data = tmp_path_factory.mktemp("recorded") / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    # a two-leg recording: agent on -in, customer on -out (the default customer_leg)
    stereo, rate = soundfile.read(str(data / "recordings" / f"{CALL}.ogg"))
    soundfile.write(str(data / "recordings" / "legs-in.wav"), stereo[:, 1], rate)
    soundfile.write(str(data / "recordings" / "legs-out.wav"), stereo[:, 0], rate)
    contacts = (data / "contacts.csv").read_text().splitlines()
    contacts = [line[: line.rindex(",") + 1] + "legs-in.wav"
                if line.startswith("sales-000043,") else line for line in contacts]
    (data / "contacts.csv").write_text("\n".join(contacts) + "\n")
    app = make_app(data, auth_required=True, live_updates=False)
    url = app.state.omnikpi.database_url
    with session_scope(url) as session:
        create_user(session, "lead", PASSWORD, "admin")
        create_user(session, "own-agent", PASSWORD, "agent", tenant="bank",
                    agent_id="sales-01")
        create_user(session, "other-agent", PASSWORD, "agent", tenant="bank",
                    agent_id="sales-02")
        form = save_form(session, FormSpec("calls", "Calls", parse_item_lines(ITEMS)), "lead")
        form_id = form.id
    sample = Sample((SampledUnit(CALL, (CALL,), "sales-01", "voice", "sales", "kyiv", "bank"),),
                    population=1, rate=1.0, seed=1)
    save_sample(sample, "recorded", "lead", "lead", url, form_id=form_id)
    return app, data, form_id


@pytest.fixture(scope="module")
def lead(site: tuple[FastAPI, Path, int]) -> Iterator[TestClient]:
    with TestClient(site[0]) as client:
        yield log_in(client, "lead", PASSWORD)


def test_audio_answers_range_requests(lead: TestClient, site: tuple[FastAPI, Path, int]
                                      ) -> None:
    body = (site[1] / "recordings" / f"{CALL}.ogg").read_bytes()
    size = len(body)
    whole = lead.get(f"/recordings/{CALL}/audio")
    assert whole.status_code == 200 and whole.content == body
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"] == "audio/ogg"
    for header, first, last in (("bytes=0-99", 0, 99), ("bytes=100-", 100, size - 1),
                                ("bytes=-50", size - 50, size - 1),
                                (f"bytes={size - 10}-{size + 500}", size - 10, size - 1)):
        part = lead.get(f"/recordings/{CALL}/audio", headers={"Range": header})
        assert part.status_code == 206, header
        assert part.headers["content-range"] == f"bytes {first}-{last}/{size}"
        assert part.content == body[first:last + 1]
        assert part.headers["content-length"] == str(last - first + 1)
    for bad in (f"bytes={size}-", "bytes=50-10", "bytes=abc", "bytes=-0", "bytes=-"):
        refused = lead.get(f"/recordings/{CALL}/audio", headers={"Range": bad})
        assert refused.status_code == 416, bad
        assert refused.headers["content-range"] == f"bytes */{size}"
    several = lead.get(f"/recordings/{CALL}/audio", headers={"Range": "bytes=0-1,5-9"})
    assert several.status_code == 200 and len(several.content) == size


def test_the_range_unit_in_any_case_and_a_head_request(
        lead: TestClient, site: tuple[FastAPI, Path, int]) -> None:
    """``BYTES=0-3`` is the unit ``bytes`` (RFC 9110 §14.1: case-insensitive), not a 416;
    ``HEAD`` gives the size and type without the audio, and is not a playback."""
    body = (site[1] / "recordings" / f"{CALL}.ogg").read_bytes()
    part = lead.get(f"/recordings/{CALL}/audio", headers={"Range": "BYTES=0-3"})
    assert part.status_code == 206 and part.content == body[:4]

    def plays() -> int:
        with session_scope(site[0].state.omnikpi.database_url) as session:
            return sum(1 for e in audit_entries(session, 1000)
                       if e.action == "recording_played" and CALL in e.detail)

    before = plays()
    head = lead.head(f"/recordings/{CALL}/audio")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(body))
    assert head.headers["content-type"] == "audio/ogg"
    assert plays() == before


def test_two_legs_play_as_one_stereo_file(lead: TestClient) -> None:
    wav = lead.get("/recordings/sales-000043/audio")
    assert wav.status_code == 200 and wav.headers["content-type"] == "audio/wav"
    import io

    data, rate = soundfile.read(io.BytesIO(wav.content))
    assert rate == 8000 and data.shape[1] == 2
    part = lead.get("/recordings/sales-000043/audio", headers={"Range": "bytes=0-43"})
    assert part.status_code == 206 and part.content == wav.content[:44]


def test_peaks_and_segments(lead: TestClient, site: tuple[FastAPI, Path, int]) -> None:
    answer = lead.get(f"/recordings/{CALL}/peaks.json").json()
    assert answer["duration_s"] == pytest.approx(22.846, abs=0.01)
    assert set(answer["peaks"]) == {"customer", "agent"}
    assert all(0 <= v <= 1 for v in answer["peaks"]["agent"])
    assert len(answer["peaks"]["agent"]) == 600
    # the segments are what talk_analytics summed for this call
    talk = {line.split(",")[0]: line.split(",") for line in
            (site[1] / "talk_analytics.csv").read_text().splitlines()[1:]}[CALL]
    agent = sum(b - a for a, b in answer["segments"]["agent"])
    customer = sum(b - a for a, b in answer["segments"]["customer"])
    assert agent == pytest.approx(float(talk[2]), abs=0.05)
    assert customer == pytest.approx(float(talk[3]), abs=0.05)


def test_only_who_may_see_the_contact_listens(site: tuple[FastAPI, Path, int]) -> None:
    with TestClient(site[0]) as own, TestClient(site[0]) as other:
        log_in(own, "own-agent", PASSWORD)
        log_in(other, "other-agent", PASSWORD)
        assert own.get(f"/recordings/{CALL}/audio").status_code == 200
        for path in (f"/recordings/{CALL}/audio", f"/recordings/{CALL}/peaks.json"):
            assert other.get(path).status_code == 404
    with TestClient(site[0]) as anonymous:
        answer = anonymous.get(f"/recordings/{CALL}/audio", follow_redirects=False)
        assert answer.status_code in (303, 401) and not answer.content.startswith(b"OggS")


def test_no_recording_is_a_404(lead: TestClient) -> None:
    assert lead.get("/recordings/sales-000040/audio").status_code == 404  # none recorded
    assert lead.get("/recordings/no-such-contact/peaks.json").status_code == 404


def test_the_evaluation_page_has_the_player(lead: TestClient) -> None:
    page = lead.get("/qa").text
    import re

    item = re.search(r'href="/qa/evaluate/(\d+)"', page)
    assert item
    html = lead.get(f"/qa/evaluate/{item.group(1)}").text
    assert f'data-peaks="/recordings/{CALL}/peaks.json"' in html
    assert "/static/recording_player." in html and 'data-act="speed"' in html
    ru = lead.get(f"/qa/evaluate/{item.group(1)}", params={"lang": "uk"}).text
    assert "Відтворити" in ru and "Швидкість" in ru


@needs_browser
def test_evaluate_a_call_while_playing_it(site: tuple[FastAPI, Path, int], lead: TestClient,
                                          browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    SHOTS.mkdir(parents=True, exist_ok=True)
    import re

    item = re.search(r'href="/qa/evaluate/(\d+)"', lead.get("/qa").text)
    assert item
    with running_server(site[0]) as url:
        browser_log_in(browser, url, "lead", PASSWORD)
        wait = WebDriverWait(browser, 20)
        # a phone first (before the item is evaluated): the player fits, no sideways
        # scroll
        browser.set_window_size(390, 844)
        browser.get(f"{url}/qa/evaluate/{item.group(1)}?lang=uk")
        wait.until(lambda d: d.execute_script(
            "return window.omnikpiPlayers && window.omnikpiPlayers[0].data !== null"))
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
        player = browser.find_element(By.CSS_SELECTOR, ".recording-player")
        browser.execute_script("arguments[0].scrollIntoView()", player)
        browser.save_screenshot(str(SHOTS / "recording-player-390-uk.png"))
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], errors
        _crawl_checks(browser, f"{url}/qa/evaluate/{item.group(1)}")
        browser.set_window_size(1440, 900)
        browser.get(f"{url}/qa/evaluate/{item.group(1)}")
        wait.until(lambda d: d.execute_script(
            "return window.omnikpiPlayers && window.omnikpiPlayers[0].data !== null "
            "&& document.querySelector('.recording-player audio').readyState >= 1"))

        def now() -> float:
            return float(browser.execute_script(
                "return document.querySelector('.recording-player audio').currentTime"))

        def paused() -> bool:
            return bool(browser.execute_script(
                "return document.querySelector('.recording-player audio').paused"))

        browser.find_element(By.CSS_SELECTOR, ".recording-player [data-act=play]").click()
        wait.until(lambda d: now() > 0.8)
        assert not paused()
        body = browser.find_element(By.TAG_NAME, "body")
        body.send_keys("k")  # pause
        wait.until(lambda d: paused())
        before = now()
        body.send_keys("l")
        assert now() == pytest.approx(before + 5, abs=0.3)
        body.send_keys("j")
        body.send_keys("j")
        assert now() == pytest.approx(max(0.0, before - 5), abs=0.3)
        canvas = browser.find_element(By.CSS_SELECTOR, ".recording-player canvas")
        canvas.send_keys("\ue014")  # ArrowRight on the waveform
        assert now() == pytest.approx(max(0.0, before - 5) + 5, abs=0.3)
        Select(browser.find_element(By.CSS_SELECTOR, "[data-act=speed]")).select_by_value("1.5")
        assert browser.execute_script(
            "return document.querySelector('.recording-player audio').playbackRate") == 1.5
        browser.find_element(By.CSS_SELECTOR, ".recording-player [data-act=play]").click()
        started = now()
        time.sleep(1.0)
        assert now() > started + 0.5  # playing at 1.5×
        drawn = browser.execute_script(
            "var c = document.querySelector('.recording-player canvas');"
            "var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            "var n = 0; for (var i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;")
        assert drawn > 1000  # the waveform is drawn
        browser.save_screenshot(str(SHOTS / "recording-player-1440.png"))
        # evaluate while it plays: every item answered, then submit
        for radio in browser.find_elements(By.CSS_SELECTOR,
                                           "#evaluation-form input[type=radio][value='1']"):
            browser.execute_script("arguments[0].click()", radio)
        assert not paused()
        browser.execute_script("document.getElementById('submit-evaluation').click()")
        wait.until(lambda d: "/qa/evaluations/" in d.current_url)
        assert not browser.find_elements(By.CSS_SELECTOR, ".error")
        # once evaluated, the item's page shows its evaluation (no second form)
        browser.get(f"{url}/qa/evaluate/{item.group(1)}")
        wait.until(lambda d: "/qa/evaluations/" in d.current_url)
        browser.set_window_size(1366, 768)


def _crawl_checks(browser: Any, page: str) -> None:
    """The every-page crawl's checks on the page with the player (the crawl's own sample
    may hold no recorded call): axe-core finds nothing serious, ru/uk have no English."""
    from tests.web.test_every_page import (
        AXE,
        COLLECT_TEXT,
        NOT_WORDS_OF_THE_INTERFACE,
        RUN_AXE,
        TYPED_BY_THE_TEST,
        _data_words,
        english_words,
    )

    allowed = _data_words() | NOT_WORDS_OF_THE_INTERFACE | TYPED_BY_THE_TEST
    for lang in ("ru", "uk"):
        browser.get(f"{page}?lang={lang}")
        assert english_words(browser.execute_script(COLLECT_TEXT), allowed) == [], lang
    if AXE.exists():
        browser.set_window_size(1440, 900)
        browser.get(f"{page}?lang=en")
        browser.set_script_timeout(60)
        browser.execute_script(AXE.read_text(encoding="utf-8"))
        assert browser.execute_async_script(RUN_AXE) == []


def test_tone_file_helper_is_a_real_stereo_file(tmp_path: Path) -> None:
    """The tenant test's recordings (tests/web/tenants.py) decode as stereo 8 kHz."""
    from tests.web.tenants import write_two_tenants

    folder = write_two_tenants(tmp_path / "t")
    data, rate = soundfile.read(str(folder / "recordings" / "a-1.wav"))
    assert rate == 8000 and data.shape == (4000, 2) and np.abs(data).max() > 0.2


def test_listening_is_audited_once_per_playback(lead: TestClient,
                                               site: tuple[FastAPI, Path, int]) -> None:
    """Who listened to which call is in the audit log: a playback (from byte 0) writes one
    entry, a seek further into the file none, a refused range none."""
    def plays() -> int:
        with session_scope(site[0].state.omnikpi.database_url) as session:
            return sum(1 for e in audit_entries(session, 1000)
                       if e.action == "recording_played" and CALL in e.detail)

    before = plays()
    assert lead.get(f"/recordings/{CALL}/audio", headers={"Range": "bytes=0-"}
                    ).status_code == 206
    assert lead.get(f"/recordings/{CALL}/audio", headers={"Range": "bytes=100-"}
                    ).status_code == 206
    assert lead.get(f"/recordings/{CALL}/audio", headers={"Range": "bytes=50-10"}
                    ).status_code == 416
    assert plays() == before + 1
    with session_scope(site[0].state.omnikpi.database_url) as session:
        entry = next(e for e in audit_entries(session, 1000) if e.action == "recording_played")
    assert entry.actor == "lead" and entry.ip


def test_a_whole_file_taken_from_byte_one_is_audited(site: tuple[FastAPI, Path, int]
                                                     ) -> None:
    """The audit: "Range: bytes=1-" took all of the file but its first byte (known from
    the format: O for OGG) and left no entry, as a seek does. A range not from byte 0 by a
    caller with no playback of the call lately is audited, once; and the audio, like every
    page, is not kept in the browser's cache (it stayed five minutes after a logout)."""
    body = (site[1] / "recordings" / f"{CALL}.ogg").read_bytes()
    with TestClient(site[0]) as client:
        agent = log_in(client, "own-agent", PASSWORD)

        def plays() -> int:
            with session_scope(site[0].state.omnikpi.database_url) as session:
                return sum(1 for e in audit_entries(session, 1000)
                           if e.action == "recording_played" and CALL in e.detail
                           and e.actor == "own-agent")

        taken = agent.get(f"/recordings/{CALL}/audio", headers={"Range": "bytes=1-"})
        assert taken.status_code == 206 and b"O" + taken.content == body
        assert taken.headers["cache-control"] == "no-store"
        assert plays() == 1
        # its next range is the same playback
        assert agent.get(f"/recordings/{CALL}/audio",
                         headers={"Range": "bytes=200-"}).status_code == 206
        assert plays() == 1
        peaks = agent.get(f"/recordings/{CALL}/peaks.json")
        assert peaks.status_code == 200 and peaks.headers["cache-control"] == "no-store"
