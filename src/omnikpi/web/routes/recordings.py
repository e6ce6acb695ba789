"""A contact's call recording: the audio with HTTP range requests (the player seeks), and
a compact JSON of its waveform peaks and the talk segments of each side.

A recording is reached through its contact only, in the caller's scoped data (tenant and
sites; an agent, only their own contacts), exactly like the contact itself: a contact the
caller may not see is a 404, never a hint that it exists. The file is found by
:func:`omnikpi.recordings.paths.resolve`, which reads nothing outside the recordings folder.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import soundfile
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy import select

from omnikpi.auth.accounts import detail_text
from omnikpi.errors import OmniKPIError
from omnikpi.recordings.analytics import peaks, talk_segments
from omnikpi.recordings.decode import Sides, decode
from omnikpi.recordings.paths import Recording, recordings_folder, resolve
from omnikpi.store.db import session_scope
from omnikpi.store.models import AuditEntry
from omnikpi.web.audit_trail import record_taken
from omnikpi.web.deps import View, ViewDep
from omnikpi.web.limits import KEY_CHARS
from omnikpi.web.tenant_claims import playable_for

router = APIRouter(include_in_schema=False)
CHUNK_BYTES = 64 * 1024
PEAK_BUCKETS = 600
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
"""One range; the unit in any case (RFC 9110 §14.1: ``BYTES=0-3`` was a 416)."""


def recording_of(view: View, contact_id: str) -> Recording | None:
    """The recording of a contact the caller may see; None when it has none; 404 when the
    contact is not there for this caller."""
    if len(contact_id) > KEY_CHARS or not view.dataset.has("contacts"):
        raise HTTPException(404, "no such contact")
    columns = view.dataset.loads["contacts"].columns
    uri_column = "recording_uri" if "recording_uri" in columns else "NULL"
    row = view.dataset.con.execute(
        f"SELECT agent_id, {uri_column} FROM contacts WHERE contact_id = ? LIMIT 1",
        [contact_id]).fetchone()
    if row is None:
        raise HTTPException(404, "no such contact")
    if view.principal.role == "agent" and row[0] != view.principal.agent_id:
        raise HTTPException(404, "no such contact")
    uri = row[1]
    if uri is None or not str(uri).strip():
        return None
    folder = recordings_folder(view.config.recordings.folder, view.state.data_path)
    try:
        recording = resolve(str(uri), folder)
    except OmniKPIError:
        return Recording(str(uri))  # named, but not a readable file: no player, a note
    if recording.files and not playable_for(view.state.dataset, view.dataset,
                                            set(recording.files), folder):
        # a file another tenant's contact names too: not played to this viewer
        return Recording(str(uri))
    return recording


def _local(view: View, contact_id: str) -> Recording:
    recording = recording_of(view, contact_id)
    if recording is None or not recording.files:
        raise HTTPException(404, "no playable recording for this contact")
    return recording


def _sides(view: View, recording: Recording) -> Sides:
    settings = view.config.recordings
    # the part a cut or still-written file holds is heard; only the analysis refuses it
    return decode(recording, settings.customer_channel, settings.customer_leg, whole=False)


def _stereo_wav(sides: Sides) -> bytes:
    """Two legs as one stereo WAV (channel 0 the customer), for the one audio element."""
    assert sides.customer is not None and sides.agent is not None
    buffer = io.BytesIO()
    soundfile.write(buffer, np.column_stack([sides.customer, sides.agent]),
                    sides.sample_rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single ``Range: bytes=…`` request; None: the whole file.
    A range that is malformed or lies past the end is a 416."""
    if header is None or not header.strip().lower().startswith("bytes"):
        return None
    match = _RANGE.match(header)
    if match is None:
        if "," in header:  # several ranges: the whole file (allowed by RFC 9110)
            return None
        raise HTTPException(416, "bad range", headers={"Content-Range": f"bytes */{size}"})
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        raise HTTPException(416, "bad range", headers={"Content-Range": f"bytes */{size}"})
    if not first_text:  # the last N bytes
        length = int(last_text)
        if length == 0 or size == 0:
            raise HTTPException(416, "empty range",
                                headers={"Content-Range": f"bytes */{size}"})
        return max(0, size - length), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        raise HTTPException(416, "range not satisfiable",
                            headers={"Content-Range": f"bytes */{size}"})
    return first, min(last, size - 1)


def _file_chunks(path: Path, first: int, last: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(first)
        left = last - first + 1
        while left > 0:
            chunk = handle.read(min(CHUNK_BYTES, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


PLAYBACK_SECONDS = 3600
"""How long a playback's seeks (ranges not from byte 0) count as the audited playback."""


def _played_lately(view: View, contact_id: str) -> bool:
    """Whether this caller's playback of this recording was audited in the last hour."""
    since = datetime.now(UTC) - timedelta(seconds=PLAYBACK_SECONDS)
    detail = detail_text({"contact_id": contact_id})
    with session_scope(view.state.database_url) as session:
        found = session.scalar(select(AuditEntry.id).where(
            AuditEntry.actor == view.principal.name,
            AuditEntry.action == "recording_played", AuditEntry.detail == detail,
            AuditEntry.at >= since).limit(1))
    return found is not None


@router.api_route("/recordings/{contact_id}/audio", methods=["GET", "HEAD"])
def audio(request: Request, view: ViewDep, contact_id: str) -> Response:
    """The call's audio, whole or a range of it; ``HEAD`` answers its size and type
    without the audio (a player asks before it streams), and is not audited: nothing of
    the call leaves the server."""
    recording = _local(view, contact_id)
    # not kept after the page: a call's audio stayed in a shared browser's cache for five
    # minutes after its viewer logged out (pages and answers are no-store)
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "no-store",
               "X-Content-Type-Options": "nosniff"}
    if recording.legs:
        try:
            body = _stereo_wav(_sides(view, recording))
        except OmniKPIError as exc:
            raise HTTPException(404, str(exc)) from None
        size, media_type = len(body), "audio/wav"
    else:
        path = recording.files[0]
        size, media_type = path.stat().st_size, recording.media_type
    wanted = _byte_range(request.headers.get("range"), size)
    first, last = wanted if wanted is not None else (0, size - 1)
    headers["Content-Length"] = str(last - first + 1)
    status = 200
    if wanted is not None:
        status = 206
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    if request.method == "HEAD":
        return Response(None, status, headers, media_type=media_type)
    # a playback or a download starts at byte 0, a seek asks from further on; a range not
    # from 0 is audited too unless this caller's playback of it was, lately: "bytes=1-"
    # took the whole file but its first byte (known from the format) with no entry
    if first == 0 or not _played_lately(view, contact_id):
        record_taken(request, view, "recording_played", {"contact_id": contact_id})
    if recording.legs:
        return Response(body[first:last + 1], status, headers, media_type=media_type)
    return StreamingResponse(_file_chunks(recording.files[0], first, last), status,
                             headers, media_type=media_type)


@router.get("/recordings/{contact_id}/peaks.json")
def waveform(view: ViewDep, contact_id: str) -> JSONResponse:
    """Peaks of each side (0–1) and where each side speaks, for the player's canvas."""
    recording = _local(view, contact_id)
    try:
        sides = _sides(view, recording)
    except OmniKPIError as exc:
        raise HTTPException(404, str(exc)) from None
    body: dict[str, Any] = {
        "duration_s": round(sides.duration_seconds, 3),
        "peaks": peaks(sides, PEAK_BUCKETS),
        "segments": {side: [[round(a, 2), round(b, 2)] for a, b in found]
                     for side, found in talk_segments(sides).items()},
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
