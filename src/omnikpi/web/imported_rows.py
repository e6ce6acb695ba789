"""Posted rows checked against the rows the loaded dataset already holds.

Live ingest compares a posted row with the rows posted before it (``live/ingest.py``); the
imported files are the dataset's too. A contact or an agent state that clashes with an
imported row was accepted, then the loader quarantined one of the two — the imported
one when it sorted later: an answered call turned abandoned, an agent's imported break
gone from the reports. Asked by id, one query a batch (not a large dataset kept in
memory).
"""

from __future__ import annotations

from typing import Any

from omnikpi.instants import LATEST_US, to_us
from omnikpi.live.ingest import Outcome, agent_of, posted_instant, state_clash, tenant_of
from omnikpi.schema.dataset import Dataset
from omnikpi.web.tenant_claims import dataset_connection, posted_contact_id


def imported_duplicates(dataset: Dataset, rows: list[dict[str, Any]]) -> set[int]:
    """The posted contacts (by index) whose id the loaded dataset already holds (an
    imported file's contact): a repeat the loader would quarantine as a duplicate key."""
    if not rows or not dataset.has("contacts"):
        return set()
    ids = sorted({found for r in rows if (found := posted_contact_id(r)) is not None})
    if not ids:
        return set()
    marks = ", ".join("?" for _ in ids)
    held = {str(c) for (c,) in dataset_connection(dataset).execute(
        f"SELECT DISTINCT contact_id FROM contacts WHERE contact_id IN ({marks})",
        ids).fetchall()}
    return {i for i, row in enumerate(rows) if posted_contact_id(row) in held}


def _span(row: dict[str, Any]) -> tuple[int, int] | None:
    """A posted state's span in microseconds (an open state runs to the last instant);
    None when its start cannot be read (validation names that)."""
    start = posted_instant(row.get("start"))
    if start is None:
        return None
    end = posted_instant(row.get("end"))
    return to_us(start), to_us(end) if end is not None else LATEST_US


def imported_state_clashes(dataset: Dataset, rows: list[dict[str, Any]]
                           ) -> tuple[set[int], dict[int, Outcome]]:
    """The posted agent states (by index) the dataset already holds (same agent and start:
    duplicates), and those overlapping one of its states (refused, as the loader would
    have quarantined one of the two)."""
    spans = {i: span for i, row in enumerate(rows)
             if isinstance(row, dict) and agent_of(row) and (span := _span(row)) is not None}
    if not spans or not dataset.has("agent_states"):
        return set(), {}
    agents = sorted({agent_of(rows[i]) for i in spans})
    marks = ", ".join("?" for _ in agents)
    low = min(s for s, _ in spans.values())
    high = max(e for _, e in spans.values())
    held: dict[str, list[tuple[int, int, str]]] = {}
    for agent, start, end, tenant in dataset_connection(dataset).execute(
            f"""SELECT agent_id, "start", "end", coalesce(tenant, '') FROM agent_states
                WHERE agent_id IN ({marks}) AND "start" < ? AND "end" > ?""",
            [*agents, high, low]).fetchall():
        held.setdefault(str(agent), []).append((int(start), int(end), str(tenant)))
    repeats: set[int] = set()
    clashes: dict[int, Outcome] = {}
    for i, (start, end) in spans.items():
        found = [(s, e, t) for s, e, t in held.get(agent_of(rows[i]), ())
                 if start < e and s < end]
        posted = tenant_of(rows[i])
        # the same start of another tenant's state is a clash, not a repeat: "duplicate"
        # told a client's key that another client's agent had a state then
        foreign = [(s, e, t) for s, e, t in found if posted and t != posted]
        if foreign:
            clashes[i] = state_clash(rows[i], *foreign[0], where="imported")
        elif any(s == start for s, _, _ in found):
            repeats.add(i)
        elif found:
            clashes[i] = state_clash(rows[i], *found[0], where="imported")
    return repeats, clashes
