"""Report builder: preview, save a named definition, exports, and the CLI runs the same file."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app as cli
from omnikpi.demo import DEMO_DATA_DIR

QUERY = "metrics=offered,service_level&by=queue&grain=day&tz=Europe/Kyiv&channel=voice"


def test_build_save_export_and_run_from_cli(tmp_path: Path,
                                           make_app: Callable[..., FastAPI]) -> None:
    client = TestClient(make_app())
    preview = client.get(f"/builder?{QUERY}")
    assert preview.status_code == 200 and "preview-table" in preview.text
    saved = client.post("/builder/save", data={"name": "Voice daily SL", "query": QUERY},
                        follow_redirects=False)
    assert saved.headers["location"] == "/builder?definition=voice-daily-sl"
    definition = tmp_path / "voice-daily-sl.toml"
    download = client.get("/builder/definition/voice-daily-sl.toml")
    assert download.status_code == 200 and 'name = "Voice daily SL"' in download.text
    definition.write_text(download.text)
    expected = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered", "service_level"],
                                     by=["queue"], grain="day", tz="Europe/Kyiv",
                                     where={"channel": ["voice"]})
    printed = CliRunner().invoke(cli, ["report", "--data", str(DEMO_DATA_DIR), "--definition",
                                       str(definition), "--format", "json"])
    assert json.loads(printed.stdout)["rows"] == expected.rows
    csv_text = client.get(f"/export.csv?{QUERY}").text
    assert csv_text.splitlines()[0] == "queue,period_start,offered,service_level"
    assert len(csv_text.splitlines()) == 1 + len(expected.rows)
    book = load_workbook(io.BytesIO(client.get(f"/export.xlsx?{QUERY}").content))
    assert book["report"].cell(2, 3).value == expected.rows[0]["offered"]
    assert client.get(f"/export.pdf?{QUERY}").content.startswith(b"%PDF")
    reopened = client.get("/builder?definition=voice-daily-sl", follow_redirects=True)
    assert "preview-table" in reopened.text and "Voice daily SL" in reopened.text
