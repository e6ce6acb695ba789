"""What belongs to one tenant stays theirs: a contact id and a recording file.

Tables join on ``contact_id`` (surveys, messages, evaluations, talk analytics), and a
recording is a file named by a contact's ``recording_uri``. A tenant-bound API key that
posted a contact under another tenant's id made that contact, with everything joined to
it, the poster's — another tenant's chat text and survey answers in its drill-downs — and
a contact naming another tenant's recording file let its viewers play that call. Here a
posted contact may not take an id or a recording file another tenant's contact has, and a
recording is played only to a viewer who may see every contact that names its file (a
file that contacts of two tenants name is nobody's to tell apart: only an unbounded viewer,
an administrator, plays it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omnikpi.errors import OmniKPIError
from omnikpi.live.as_loaded import key_parts
from omnikpi.live.ingest import ANOTHER_TENANTS_ID
from omnikpi.recordings.paths import name_key, name_keys, resolve
from omnikpi.schema.database import catalog_of
from omnikpi.schema.dataset import Dataset

ANOTHER_TENANTS_RECORDING = "names a recording file of another tenant's contact"


def dataset_connection(dataset: Dataset) -> Any:
    """A cursor of the whole dataset (safe beside the report workers); a scoped view's own
    connection, whose search path holds the scope (a new cursor would see every tenant)."""
    if dataset.owner is not None:
        return dataset.con
    cursor = dataset.con.cursor()
    cursor.execute(f"USE {catalog_of(dataset.con)}")  # a new cursor starts in no catalog
    return cursor


def _files(uri: object, folder: Path) -> set[Path]:
    """The local files a recording_uri names (none: a URL, or not a readable file)."""
    if uri is None or not str(uri).strip():
        return set()
    try:
        return set(resolve(str(uri), folder).files)
    except OmniKPIError:
        return set()


def contacts_naming(dataset: Dataset, files: set[Path], folder: Path
                    ) -> list[tuple[str, str | None, set[Path]]]:
    """(contact_id, tenant, the files of ``files`` it names) of each contact whose
    recording_uri names one of ``files``, compared by the files it resolves to exactly as
    the player resolves it: ``./a.ogg``, ``a.ogg``, ``sub%20dir/a.ogg`` for ``sub dir/a.ogg``
    and a link to the file are one file.

    Only names that can reach the files are resolved: those whose name key (the decoded
    last part's stem without its leg suffix, :func:`~omnikpi.recordings.paths.name_key`)
    is one of the files' or of a link in the folder leading to them. One query finds the
    candidate names (a name holding ``%`` may be any file until decoded), one their
    contacts."""
    if not files or not dataset.has("contacts") or \
            "recording_uri" not in dataset.loads["contacts"].columns:
        return []
    wanted_keys = name_keys(files, folder)
    keys = sorted(wanted_keys)
    text = "CAST(recording_uri AS VARCHAR)"
    wanted = " OR ".join([f"strpos({text}, '%') > 0"]
                         + [f"strpos(lower({text}), ?) > 0" for _ in keys])
    connection = dataset_connection(dataset)
    uris = [str(u) for (u,) in connection.execute(
        f"SELECT DISTINCT {text} FROM contacts WHERE recording_uri IS NOT NULL "
        f"AND ({wanted})", keys).fetchall()]
    named_by = {uri: found for uri in uris
                if name_key(uri) in wanted_keys and (found := _files(uri, folder) & files)}
    if not named_by:
        return []
    marks = ", ".join("?" for _ in named_by)
    rows = connection.execute(
        f"SELECT contact_id, tenant, {text} FROM contacts "
        f"WHERE {text} IN ({marks})", list(named_by)).fetchall()
    return [(str(c), None if t is None else str(t), named_by[str(uri)])
            for c, t, uri in rows]


def playable_for(full: Dataset, seen: Dataset, files: set[Path], folder: Path) -> bool:
    """Whether a viewer whose dataset is ``seen`` may play ``files``: every contact of the
    whole dataset that names them is one the viewer sees."""
    if full is seen:
        return True
    everyone = contacts_naming(full, files, folder)
    visible = {c for c, _, _ in contacts_naming(seen, files, folder)}
    return all(contact in visible for contact, _, _ in everyone)


def posted_contact_id(row: dict[str, Any]) -> Any:
    """A posted contact id as the loader reads it (``" 12345 "`` and ``12345`` are the
    contact ``12345``), as live ingest compares it (:mod:`omnikpi.live.as_loaded`)."""
    return key_parts("contacts", ("contact_id",), row)[0]


def foreign_claims(dataset: Dataset, rows: list[dict[str, Any]], folder: Path
                   ) -> dict[int, tuple[str, str]]:
    """Posted contact rows (each with its tenant set) that claim another tenant's contact
    id or recording file, by index: (column, message)."""
    if not rows or not dataset.has("contacts"):
        return {}
    ids = sorted({found for r in rows if (found := posted_contact_id(r)) is not None})
    stored: dict[str, str | None] = {}
    if ids:
        marks = ", ".join("?" for _ in ids)
        found = dataset_connection(dataset).execute(
            f"SELECT contact_id, tenant FROM contacts WHERE contact_id IN ({marks})",
            ids).fetchall()
        stored = {str(c): None if t is None else str(t) for c, t in found}
    files_of = [_files(row.get("recording_uri"), folder) for row in rows]
    # one query for the whole batch's recordings (a PBX posts a file with every call)
    naming = contacts_naming(dataset, set().union(*files_of), folder)
    claims: dict[int, tuple[str, str]] = {}
    for index, (row, files) in enumerate(zip(rows, files_of, strict=True)):
        tenant = row.get("tenant") or None
        contact = posted_contact_id(row)
        if contact in stored and stored[contact] != tenant:
            claims[index] = ("contact_id", ANOTHER_TENANTS_ID)
        elif any(t != tenant and c != contact and named & files
                 for c, t, named in naming):
            claims[index] = ("recording_uri", ANOTHER_TENANTS_RECORDING)
    return claims
