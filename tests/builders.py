"""Tiny dataset builders for hand-computed cases: rows in, a canonical folder out."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from omnikpi.schema.tables import TABLES

T0 = "2024-03-05T10:00:00"


def write_table(folder: Path, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(TABLES[table].column_names)
    extra = [k for row in rows for k in row if k not in columns]
    columns += list(dict.fromkeys(extra))
    with (folder / f"{table}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})


def dataset(folder: Path, **tables: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        write_table(folder, table, rows)
    return folder


def call(
    contact_id: str, arrived: str, *, queue: str = "q1", channel: str = "voice",
    answered: str | None = None, abandoned: str | None = None, ended: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A contact row; for voice, first_response_at = accepted_at = the answer."""
    return {
        "contact_id": contact_id, "channel": channel, "queue": queue, "arrived_at": arrived,
        "accepted_at": answered, "first_response_at": answered, "abandoned_at": abandoned,
        "ended_at": ended, **extra,
    }
