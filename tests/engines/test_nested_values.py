"""A text column whose source holds an object or a list — a Parquet struct, a JSON Lines
field written as ``{"id": "a1"}`` — holds no name: the value is unreadable and its row
quarantined with the object as written, on every engine. Before, the object's text
(``{'id': a1}``) was the agent's id: one more agent, its contacts attributed to nobody
real, without a word."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import omnikpi
from omnikpi.schema.dataset import load_dataset

MESSAGE = ("column agent_id: cannot read '{\"id\":\"a1\"}' as string (a text or a number "
           "expected, not an object or a list: import the export with a mapping that names "
           "the field inside it, see docs/connectors.md)")


def _contacts_with_struct_agent(folder: Path) -> Path:
    """c1 without an agent, c2 with its agent as an object: only c1 is a contact."""
    folder.mkdir()
    agent = pa.array([None, {"id": "a1"}], type=pa.struct([("id", pa.string())]))
    pq.write_table(pa.table({
        "contact_id": ["c1", "c2"], "channel": ["voice", "voice"], "queue": ["q1", "q1"],
        "arrived_at": ["2024-03-05T10:00:00Z", "2024-03-05T10:01:00Z"],
        "accepted_at": ["2024-03-05T10:00:10Z", "2024-03-05T10:01:10Z"],
        "ended_at": ["2024-03-05T10:05:00Z", "2024-03-05T10:06:00Z"],
        "agent_id": agent}), folder / "contacts.parquet")
    return folder


def test_an_object_in_a_text_column_is_quarantined(tmp_path: Path, engine: str) -> None:
    folder = _contacts_with_struct_agent(tmp_path / "nested")
    result = omnikpi.report_result(folder, metrics=["offered"], by=["agent_id"],
                                   engine=engine)
    assert result.rows == [{"agent_id": None, "offered": 1}]


def test_the_problem_shows_the_object_as_written(tmp_path: Path) -> None:
    loaded = load_dataset(_contacts_with_struct_agent(tmp_path / "nested"))
    assert [str(p) for p in loaded.problems] == [f"contacts.parquet row 2: {MESSAGE}"]
    loaded.close()
