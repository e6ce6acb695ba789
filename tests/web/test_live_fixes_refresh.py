"""A served folder that starts without tables reloads when its first files appear."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from omnikpi.web.deps import AppState


def test_a_folder_that_started_empty_reloads_its_first_rows(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    state: AppState = make_app(data).state.omnikpi
    assert state.files == () and "contacts" not in state.dataset.loads
    (data / "contacts").mkdir()
    (data / "contacts" / "ingest-2026-12-01.jsonl").write_text(
        '{"contact_id":"c1","channel":"voice","queue":"sales",'
        '"arrived_at":"2026-12-01T10:00:00Z","abandoned_at":"2026-12-01T10:00:30Z"}\n')
    state.force_reload = True  # as if the reload interval had passed
    state.refresh()
    assert "contacts" in state.dataset.loads
    assert state.files != ()
