"""What makes pages light: compressed answers (never the event stream), fingerprinted
static files cached for a year, Plotly only on pages with charts, a favicon, and the
first dashboard load's bytes. Timings are measured by bench/bench_web.py, not here."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from omnikpi.web.assets import STATIC, plotly_js

GZIP = {"accept-encoding": "gzip"}
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.[a-z]+)"')


@pytest.fixture(scope="module")
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    application = make_app()

    @application.get("/test-only/events")
    def events() -> StreamingResponse:  # an event stream as the live endpoint sends one
        def chunks() -> Iterator[str]:
            for n in range(50):
                yield f"data: {'x' * 100} {n}\n\n"
        return StreamingResponse(chunks(), media_type="text/event-stream")

    return application


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture(scope="module")
def dashboard(client: TestClient) -> str:
    return client.get("/", params={"tz": "Europe/Kyiv"}, headers=GZIP).text


def test_pages_are_compressed_and_small_answers_and_streams_are_not(
        client: TestClient) -> None:
    page = client.get("/", params={"tz": "Europe/Kyiv"}, headers=GZIP)
    assert page.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in page.headers["vary"].lower()
    # what went over the wire is a fraction of the page
    assert int(page.headers["content-length"]) < len(page.content) / 4
    plain = client.get("/", params={"tz": "Europe/Kyiv"}, headers={"accept-encoding":
                                                                     "identity"})
    nonce = re.compile(r'nonce="[^"]+"')
    assert "content-encoding" not in plain.headers
    assert nonce.sub("", plain.text) == nonce.sub("", page.text)
    icon = client.get("/favicon.ico", headers=GZIP)  # under 1 KB: sent as it is
    assert "content-encoding" not in icon.headers
    stream = client.get("/test-only/events", headers=GZIP)
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert "content-encoding" not in stream.headers and stream.text.count("data: ") == 50


def test_static_files_have_fingerprinted_names_cached_for_a_year(client: TestClient,
                                                                  dashboard: str) -> None:
    assets = ASSET.findall(dashboard)
    css = next(a for a in assets if a.startswith("/static/style."))
    answer = client.get(css, headers=GZIP)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.content == (STATIC / "style.css").read_bytes()
    assert answer.headers["content-encoding"] == "gzip"
    # a name with another hash is not this file (an old page asks for what it knew)
    assert client.get(css[:-16] + "0" * 12 + ".css").status_code == 404
    # the plain name still answers, revalidated on each use
    assert client.get("/static/style.css").headers["cache-control"] == "no-cache"


def test_plotly_only_on_pages_with_charts(client: TestClient, dashboard: str) -> None:
    plotly = next(a for a in ASSET.findall(dashboard) if a.startswith("/static/plotly.min."))
    script = client.get(plotly, headers=GZIP)
    assert script.headers["content-encoding"] == "gzip"
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    # sent compressed once (4.8 MB → under 1.5 MB), read back as Plotly itself
    assert script.content == plotly_js()
    assert int(script.headers["content-length"]) == len(gzip.compress(plotly_js(), 9,
                                                                      mtime=0))
    agent = client.get("/agent/chat-01").text  # the state timeline is a chart
    assert plotly in agent
    for page in ("/agents", "/builder", "/wallboard", "/qa", "/login"):
        answer = client.get(page)
        assert answer.status_code == 200, page
        assert "plotly" not in answer.text.lower(), page


def test_favicon(client: TestClient, dashboard: str) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file with one image
    assert icon.content == (STATIC / "favicon.ico").read_bytes()
    svg = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', dashboard)
    assert svg and client.get(svg.group(1)).text.startswith("<svg")


def test_first_dashboard_load_stays_under_one_and_a_half_megabytes(
        client: TestClient) -> None:
    page = client.get("/", params={"tz": "Europe/Kyiv"}, headers=GZIP)
    wire = int(page.headers["content-length"])
    for asset in ASSET.findall(page.text):
        wire += int(client.get(asset, headers=GZIP).headers["content-length"])
    wire += int(client.get("/favicon.ico", headers=GZIP).headers["content-length"])
    assert wire <= 1_500_000
