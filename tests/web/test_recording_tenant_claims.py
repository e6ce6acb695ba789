"""A recording file two tenants' contacts name is nobody's to tell apart: the claim on a
file is decided by the file a recording_uri resolves to, as the player resolves it, not by
its text. A bank contact naming the file percent-encoded (``sub%20dir/%D0%B7…``) or
through a link was missed by a text match, and the telco viewer played the bank's call."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile
from fastapi import FastAPI

from omnikpi.auth.accounts import create_user
from omnikpi.recordings.paths import resolve
from omnikpi.schema.dataset import load_dataset
from omnikpi.store.db import session_scope
from omnikpi.web.tenant_claims import (
    ANOTHER_TENANTS_RECORDING,
    contacts_naming,
    foreign_claims,
)

PASSWORD = "claims-are-by-file-1"
SHARED = "sub dir/звонок ü 1.wav"
ENCODED = "sub%20dir/%D0%B7%D0%B2%D0%BE%D0%BD%D0%BE%D0%BA%20%C3%BC%201.wav"
HEADER = "contact_id,channel,queue,site,tenant,arrived_at,ended_at,agent_id,recording_uri"


def _wav(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(8000) / 8000)
    soundfile.write(str(path), np.column_stack([tone, tone]), 8000)


def _dataset(folder: Path, contacts: list[tuple[str, str, str]]) -> Path:
    """A dataset whose contacts (id, tenant, recording_uri) name files of its recordings
    folder: the shared file (with a link to it), two legs, and a file of telco's own."""
    recordings = folder / "recordings"
    _wav(recordings / SHARED)
    _wav(recordings / "own.wav")
    _wav(recordings / "legs-in.wav")
    _wav(recordings / "legs-out.wav")
    os.symlink(recordings / SHARED, recordings / "alias.wav")
    os.symlink(recordings / "legs-out.wav", recordings / "other name.wav")
    rows = [f"{c},voice,sales,kyiv,{t},2024-03-04T09:00:00Z,2024-03-04T09:01:00Z,a1,{u}"
            for c, t, u in contacts]
    (folder / "contacts.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    return folder


def test_contacts_naming_compares_the_resolved_file(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "data", [
        ("enc", "bank", ENCODED),                  # percent-encoded
        ("link", "bank", "alias.wav"),             # a link to the file
        ("twice", "bank", "sub%2520dir/%D0%B7%D0%B2%D0%BE%D0%BD%D0%BE%D0%BA%2520%C3%BC%25201.wav"),
        ("dot", "bank", "./sub dir/./звонок ü 1.wav"),
        ("plain", "telco", SHARED),
        ("own", "telco", "own.wav"),
        ("leg", "bank", "other name.wav"),         # a link to one leg names both
        ("url", "bank", "https://pbx.example/sub%20dir/x.wav"),
    ])
    folder = data / "recordings"
    shared = set(resolve(SHARED, folder).files)
    dataset = load_dataset(data)
    try:
        named = {c: (t, files) for c, t, files in contacts_naming(dataset, shared, folder)}
        assert sorted(named) == ["dot", "enc", "link", "plain", "twice"]
        assert all(files == shared for _, files in named.values())
        legs = set(resolve("legs-in.wav", folder).files)
        assert [c for c, _, _ in contacts_naming(dataset, legs, folder)] == ["leg"]
        own = set(resolve("own.wav", folder).files)
        assert [c for c, _, _ in contacts_naming(dataset, own, folder)] == ["own"]
    finally:
        dataset.close()


def test_live_ingest_refuses_a_file_another_tenant_names_in_any_form(tmp_path: Path) -> None:
    """foreign_claims, live ingest's check, uses the same comparison: a telco key posting
    the bank's file under any of its names is refused; its own file goes in."""
    data = _dataset(tmp_path / "data", [("enc", "bank", ENCODED),
                                        ("leg", "bank", "other name.wav")])
    folder = data / "recordings"
    dataset = load_dataset(data)
    try:
        rows = [{"contact_id": "t1", "tenant": "telco", "recording_uri": SHARED},
                {"contact_id": "t2", "tenant": "telco", "recording_uri": "alias.wav"},
                {"contact_id": "t3", "tenant": "telco", "recording_uri": "own.wav"},
                {"contact_id": "t4", "tenant": "telco", "recording_uri": "legs-in.wav"},
                {"contact_id": "b9", "tenant": "bank", "recording_uri": SHARED}]
        claims = foreign_claims(dataset, rows, folder)
    finally:
        dataset.close()
    assert claims == {0: ("recording_uri", ANOTHER_TENANTS_RECORDING),
                      1: ("recording_uri", ANOTHER_TENANTS_RECORDING),
                      3: ("recording_uri", ANOTHER_TENANTS_RECORDING)}


@pytest.mark.parametrize("bank_uri", [ENCODED, "alias.wav"])
def test_the_other_tenants_viewer_does_not_play_a_shared_file(
        make_app: Callable[..., FastAPI], tmp_path: Path, bank_uri: str) -> None:
    """The pass's reproduction: bank's contact names the file encoded or through a link,
    telco's plainly; telco's viewer got 200 and the whole audio."""
    from fastapi.testclient import TestClient

    data = _dataset(tmp_path / "data", [("vic-1", "bank", bank_uri),
                                        ("att-1", "telco", SHARED),
                                        ("own-1", "telco", "own.wav")])
    app = make_app(data, auth_required=True, live_updates=False)
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "telco-viewer", PASSWORD, "client", tenant="telco")
        create_user(session, "boss", PASSWORD, "admin")
    with TestClient(app) as client:
        def audio(user: str, contact: str) -> int:
            token = client.post("/api/v1/auth/token", data={"username": user,
                                                              "password": PASSWORD})
            return int(client.get(f"/recordings/{contact}/audio", headers={
                "Authorization": f"Bearer {token.json()['access_token']}"}).status_code)

        assert audio("telco-viewer", "att-1") == 404
        assert audio("telco-viewer", "own-1") == 200
        assert audio("boss", "att-1") == 200 and audio("boss", "vic-1") == 200


def test_a_link_made_after_a_scan_is_found(tmp_path: Path) -> None:
    """The folder scan for links is cached per folder by its modification time; a link
    added later (the folder's time changes) still makes its name count."""
    from omnikpi.recordings.paths import name_key, name_keys

    recordings = tmp_path / "recordings"
    _wav(recordings / "day" / "call-in.wav")
    target = set(resolve("day/call-in.wav", recordings).files)
    assert name_keys(target, recordings) == {"call"}
    old = 1_000_000_000
    os.utime(recordings / "day", (old, old))  # as if scanned long after it last changed
    assert name_keys(target, recordings) == {"call"}
    os.symlink(recordings / "day" / "call-in.wav", recordings / "day" / "Renamed.wav")
    assert name_keys(target, recordings) == {"call", "renamed"}
    assert name_key(" day%2FRenamed-out.wav ") == name_key("./renamed.WAV") == "renamed"
